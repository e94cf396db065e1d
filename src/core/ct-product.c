/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-product.c: products (courses, ebooks, memberships...)
 *
 * A product's sales figures are not stored: they come from its purchases
 * (refunded ones left out) each time products are loaded, which stays
 * cheap because purchases are indexed by product.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-money.h"
#include "ct-product.h"

struct _CtProduct
{
  GObject        parent_instance;

  gint64         id;
  char          *sku;
  char          *name;
  CtProductKind  kind;
  gint64         price;
  char          *currency;
  gboolean       active;
  int            sales_count;
  gint64         revenue;
};

G_DEFINE_FINAL_TYPE (CtProduct, ct_product, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_SKU,
  PROP_NAME,
  PROP_KIND,
  PROP_KIND_LABEL,
  PROP_PRICE,
  PROP_CURRENCY,
  PROP_PRICE_LABEL,
  PROP_ACTIVE,
  PROP_SALES_COUNT,
  PROP_REVENUE,
  PROP_REVENUE_LABEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const struct
{
  const char *id;
  const char *label;
} kinds[CT_PRODUCT_N_KINDS] = {
  [CT_PRODUCT_COURSE] = { "course", NC_("product kind", "Course") },
  [CT_PRODUCT_EBOOK] = { "ebook", NC_("product kind", "Ebook") },
  [CT_PRODUCT_MEMBERSHIP] = { "membership", NC_("product kind", "Membership") },
  [CT_PRODUCT_COMMUNITY] = { "community", NC_("product kind", "Community") },
  [CT_PRODUCT_COACHING] = { "coaching", NC_("product kind", "Coaching") },
  [CT_PRODUCT_OTHER] = { "other", NC_("product kind", "Other") },
};

/**
 * ct_product_kind_to_string:
 *
 * Returns: the word stored in the database ("course"...), or %NULL for a
 * value out of range
 */
const char *
ct_product_kind_to_string (CtProductKind kind)
{
  g_return_val_if_fail ((guint) kind < CT_PRODUCT_N_KINDS, NULL);
  return kinds[kind].id;
}

gboolean
ct_product_kind_from_string (const char    *text,
                             CtProductKind *out)
{
  if (text == NULL)
    return FALSE;

  for (guint i = 0; i < CT_PRODUCT_N_KINDS; i++)
    {
      if (g_ascii_strcasecmp (text, kinds[i].id) == 0)
        {
          if (out != NULL)
            *out = (CtProductKind) i;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * ct_product_kind_get_label:
 *
 * Returns: the kind's name for people, translated
 */
const char *
ct_product_kind_get_label (CtProductKind kind)
{
  g_return_val_if_fail ((guint) kind < CT_PRODUCT_N_KINDS, NULL);
  return g_dpgettext2 (GETTEXT_PACKAGE, "product kind", kinds[kind].label);
}

/* Replaces *@field with a copy of @value ("" for NULL); TRUE when it
 * changed. */
static gboolean
set_string (char       **field,
            const char  *value)
{
  if (value == NULL)
    value = "";
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
ct_product_finalize (GObject *object)
{
  CtProduct *self = CT_PRODUCT (object);

  g_free (self->sku);
  g_free (self->name);
  g_free (self->currency);

  G_OBJECT_CLASS (ct_product_parent_class)->finalize (object);
}

static void
ct_product_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  CtProduct *self = CT_PRODUCT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_SKU:
      g_value_set_string (value, self->sku);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_KIND:
      g_value_set_int (value, self->kind);
      break;
    case PROP_KIND_LABEL:
      g_value_set_string (value, ct_product_kind_get_label (self->kind));
      break;
    case PROP_PRICE:
      g_value_set_int64 (value, self->price);
      break;
    case PROP_CURRENCY:
      g_value_set_string (value, self->currency);
      break;
    case PROP_PRICE_LABEL:
      g_value_take_string (value, ct_money_format (self->price, self->currency));
      break;
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;
    case PROP_SALES_COUNT:
      g_value_set_int (value, self->sales_count);
      break;
    case PROP_REVENUE:
      g_value_set_int64 (value, self->revenue);
      break;
    case PROP_REVENUE_LABEL:
      g_value_take_string (value, ct_money_format (self->revenue, self->currency));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_product_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  CtProduct *self = CT_PRODUCT (object);

  switch (prop_id)
    {
    case PROP_SKU:
      ct_product_set_sku (self, g_value_get_string (value));
      break;
    case PROP_NAME:
      ct_product_set_name (self, g_value_get_string (value));
      break;
    case PROP_KIND:
      ct_product_set_kind (self, g_value_get_int (value));
      break;
    case PROP_PRICE:
      ct_product_set_price (self, g_value_get_int64 (value));
      break;
    case PROP_CURRENCY:
      ct_product_set_currency (self, g_value_get_string (value));
      break;
    case PROP_ACTIVE:
      ct_product_set_active (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_product_class_init (CtProductClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ct_product_finalize;
  object_class->get_property = ct_product_get_property;
  object_class->set_property = ct_product_set_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_SKU] =
    g_param_spec_string ("sku", NULL, NULL, "", rw);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, "", rw);
  properties[PROP_KIND] =
    g_param_spec_int ("kind", NULL, NULL, 0, CT_PRODUCT_N_KINDS - 1, CT_PRODUCT_OTHER, rw);
  properties[PROP_KIND_LABEL] =
    g_param_spec_string ("kind-label", NULL, NULL, NULL, ro);
  properties[PROP_PRICE] =
    g_param_spec_int64 ("price", NULL, NULL, G_MININT64, G_MAXINT64, 0, rw);
  properties[PROP_CURRENCY] =
    g_param_spec_string ("currency", NULL, NULL, "CNY", rw);
  properties[PROP_PRICE_LABEL] =
    g_param_spec_string ("price-label", NULL, NULL, NULL, ro);
  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, TRUE, rw);
  properties[PROP_SALES_COUNT] =
    g_param_spec_int ("sales-count", NULL, NULL, 0, G_MAXINT, 0, ro);
  properties[PROP_REVENUE] =
    g_param_spec_int64 ("revenue", NULL, NULL, G_MININT64, G_MAXINT64, 0, ro);
  properties[PROP_REVENUE_LABEL] =
    g_param_spec_string ("revenue-label", NULL, NULL, NULL, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ct_product_init (CtProduct *self)
{
  self->sku = g_strdup ("");
  self->name = g_strdup ("");
  self->kind = CT_PRODUCT_OTHER;
  self->currency = g_strdup ("CNY");
  self->active = TRUE;
}

/**
 * ct_product_new:
 *
 * Returns: (transfer full): a product not stored yet: no name, kind
 * "other", price 0 CNY, active
 */
CtProduct *
ct_product_new (void)
{
  return g_object_new (CT_TYPE_PRODUCT, NULL);
}

gint64
ct_product_get_id (CtProduct *self)
{
  g_return_val_if_fail (CT_IS_PRODUCT (self), 0);
  return self->id;
}

/* Returns: the SKU, "" when none */
const char *
ct_product_get_sku (CtProduct *self)
{
  g_return_val_if_fail (CT_IS_PRODUCT (self), NULL);
  return self->sku;
}

void
ct_product_set_sku (CtProduct  *self,
                    const char *sku)
{
  g_return_if_fail (CT_IS_PRODUCT (self));

  if (set_string (&self->sku, sku))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SKU]);
}

const char *
ct_product_get_name (CtProduct *self)
{
  g_return_val_if_fail (CT_IS_PRODUCT (self), NULL);
  return self->name;
}

void
ct_product_set_name (CtProduct  *self,
                     const char *name)
{
  g_return_if_fail (CT_IS_PRODUCT (self));

  if (set_string (&self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

CtProductKind
ct_product_get_kind (CtProduct *self)
{
  g_return_val_if_fail (CT_IS_PRODUCT (self), CT_PRODUCT_OTHER);
  return self->kind;
}

void
ct_product_set_kind (CtProduct     *self,
                     CtProductKind  kind)
{
  g_return_if_fail (CT_IS_PRODUCT (self));
  g_return_if_fail ((guint) kind < CT_PRODUCT_N_KINDS);

  if (self->kind == kind)
    return;

  self->kind = kind;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIND]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIND_LABEL]);
}

gint64
ct_product_get_price (CtProduct *self)
{
  g_return_val_if_fail (CT_IS_PRODUCT (self), 0);
  return self->price;
}

void
ct_product_set_price (CtProduct *self,
                      gint64     price)
{
  g_return_if_fail (CT_IS_PRODUCT (self));

  if (self->price == price)
    return;

  self->price = price;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRICE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRICE_LABEL]);
}

const char *
ct_product_get_currency (CtProduct *self)
{
  g_return_val_if_fail (CT_IS_PRODUCT (self), NULL);
  return self->currency;
}

void
ct_product_set_currency (CtProduct  *self,
                         const char *currency)
{
  g_return_if_fail (CT_IS_PRODUCT (self));

  if (!set_string (&self->currency, currency))
    return;

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENCY]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRICE_LABEL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVENUE_LABEL]);
}

gboolean
ct_product_get_active (CtProduct *self)
{
  g_return_val_if_fail (CT_IS_PRODUCT (self), FALSE);
  return self->active;
}

void
ct_product_set_active (CtProduct *self,
                       gboolean   active)
{
  g_return_if_fail (CT_IS_PRODUCT (self));

  active = !!active;
  if (self->active == active)
    return;

  self->active = active;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
}

static void
set_id (CtProduct *self,
        gint64     id)
{
  if (self->id == id)
    return;
  self->id = id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
}

static gboolean
is_currency_code (const char *currency)
{
  return currency != NULL && strlen (currency) == 3
         && g_ascii_isalpha (currency[0]) && g_ascii_isalpha (currency[1])
         && g_ascii_isalpha (currency[2]);
}

/* What insert and update store: the name and SKU without surrounding
 * spaces, the currency in capitals. */
typedef struct
{
  char *name;
  char *sku;
  char *currency;
} Cleaned;

static void
cleaned_clear (Cleaned *cleaned)
{
  g_free (cleaned->name);
  g_free (cleaned->sku);
  g_free (cleaned->currency);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Cleaned, cleaned_clear)

static gboolean
validate (CtDb       *db,
          CtProduct  *product,
          Cleaned    *cleaned,
          GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  cleaned->name = g_strstrip (g_strdup (product->name));
  cleaned->sku = g_strstrip (g_strdup (product->sku));
  cleaned->currency = g_ascii_strup (product->currency, -1);

  if (cleaned->name[0] == '\0')
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("Give the product a name."));
      return FALSE;
    }

  if (product->price < 0)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("The price of a product cannot be negative."));
      return FALSE;
    }

  if (cleaned->currency[0] == '\0')
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("Choose the currency of the price."));
      return FALSE;
    }

  if (!is_currency_code (cleaned->currency))
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   _("“%s” is not a currency code; use three letters such as CNY or USD."),
                   product->currency);
      return FALSE;
    }

  if (cleaned->sku[0] == '\0')
    return TRUE;

  /* Checked here rather than left to the UNIQUE constraint so that the
   * message can name the SKU. */
  stmt = ct_db_prepare (db, "SELECT 1 FROM products WHERE sku = ?1 AND id != ?2", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, cleaned->sku, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, product->id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT,
                   _("Another product already has the SKU “%s”."), cleaned->sku);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not save the product"));
      return FALSE;
    }

  return TRUE;
}

/* Binds the editable columns as ?1..?6 in the order of the INSERT and
 * UPDATE below. */
static void
bind_fields (sqlite3_stmt  *stmt,
             CtProduct     *product,
             const Cleaned *cleaned)
{
  if (cleaned->sku[0] != '\0')
    sqlite3_bind_text (stmt, 1, cleaned->sku, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 1);
  sqlite3_bind_text (stmt, 2, cleaned->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, kinds[product->kind].id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, product->price);
  sqlite3_bind_text (stmt, 5, cleaned->currency, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 6, product->active ? 1 : 0);
}

static void
take_cleaned (CtProduct     *product,
              const Cleaned *cleaned)
{
  ct_product_set_name (product, cleaned->name);
  ct_product_set_sku (product, cleaned->sku);
  ct_product_set_currency (product, cleaned->currency);
}

/**
 * ct_product_insert:
 * @product: a product not stored yet; gets its id
 *
 * Name and SKU are stored without surrounding spaces and the currency in
 * capitals, and @product is updated to match.
 */
gboolean
ct_product_insert (CtDb       *db,
                   CtProduct  *product,
                   GError    **error)
{
  g_auto(Cleaned) cleaned = { NULL, };
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (CT_IS_PRODUCT (product), FALSE);
  g_return_val_if_fail (product->id == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!validate (db, product, &cleaned, error))
    return FALSE;

  stmt = ct_db_prepare (db,
                        "INSERT INTO products (sku, name, kind, price, currency, active)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        error);
  if (stmt == NULL)
    return FALSE;
  bind_fields (stmt, product, &cleaned);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not save the product"));
      return FALSE;
    }

  set_id (product, sqlite3_last_insert_rowid (ct_db_get_handle (db)));
  take_cleaned (product, &cleaned);

  ct_db_emit_changed (db, "products");
  return TRUE;
}

/**
 * ct_product_update:
 * @product: a stored product
 *
 * Saves the editable fields. CT_DB_ERROR_NOT_FOUND when the product was
 * deleted meanwhile.
 */
gboolean
ct_product_update (CtDb       *db,
                   CtProduct  *product,
                   GError    **error)
{
  g_auto(Cleaned) cleaned = { NULL, };
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3 *handle;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (CT_IS_PRODUCT (product), FALSE);
  g_return_val_if_fail (product->id > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  handle = ct_db_get_handle (db);

  if (!validate (db, product, &cleaned, error))
    return FALSE;

  stmt = ct_db_prepare (db,
                        "UPDATE products SET sku = ?1, name = ?2, kind = ?3, price = ?4,"
                        " currency = ?5, active = ?6 WHERE id = ?7",
                        error);
  if (stmt == NULL)
    return FALSE;
  bind_fields (stmt, product, &cleaned);
  sqlite3_bind_int64 (stmt, 7, product->id);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, handle, rc, _("Could not save the product"));
      return FALSE;
    }

  if (sqlite3_changes (handle) == 0)
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND,
                   _("The product “%s” no longer exists."), cleaned.name);
      return FALSE;
    }

  take_cleaned (product, &cleaned);

  ct_db_emit_changed (db, "products");
  return TRUE;
}

/**
 * ct_product_delete:
 *
 * Deletes a product no purchase refers to. A product that sold keeps its
 * history: it is refused with CT_DB_ERROR_CONSTRAINT, and
 * ct_product_set_active() is the way to retire it.
 */
gboolean
ct_product_delete (CtDb    *db,
                   gint64   id,
                   GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *name = NULL;
  sqlite3 *handle;
  gboolean has_purchases;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  handle = ct_db_get_handle (db);

  stmt = ct_db_prepare (db,
                        "SELECT name, EXISTS (SELECT 1 FROM purchases WHERE product_id = ?1)"
                        " FROM products WHERE id = ?1",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND,
                           _("The product no longer exists."));
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      ct_db_set_error (error, handle, rc, _("Could not delete the product"));
      return FALSE;
    }

  name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  has_purchases = sqlite3_column_int (stmt, 1) != 0;
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (has_purchases)
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT,
                   _("“%s” has purchases; deactivate it instead of deleting it."), name);
      return FALSE;
    }

  stmt = ct_db_prepare (db, "DELETE FROM products WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, handle, rc, _("Could not delete the product"));
      return FALSE;
    }

  ct_db_emit_changed (db, "products");
  return TRUE;
}

/* Revenue counts the purchases in the product's own currency: adding up
 * fen and cents would mean nothing. */
#define SELECT_SQL \
  "SELECT p.id, coalesce(p.sku, ''), p.name, p.kind, p.price, p.currency, p.active," \
  " p.sales_count, p.revenue" \
  " FROM products p"

static CtProduct *
product_from_row (sqlite3_stmt *stmt)
{
  CtProduct *self = ct_product_new ();
  CtProductKind kind = CT_PRODUCT_OTHER;

  ct_product_kind_from_string ((const char *) sqlite3_column_text (stmt, 3), &kind);

  self->id = sqlite3_column_int64 (stmt, 0);
  set_string (&self->sku, (const char *) sqlite3_column_text (stmt, 1));
  set_string (&self->name, (const char *) sqlite3_column_text (stmt, 2));
  self->kind = kind;
  self->price = sqlite3_column_int64 (stmt, 4);
  set_string (&self->currency, (const char *) sqlite3_column_text (stmt, 5));
  self->active = sqlite3_column_int (stmt, 6) != 0;
  self->sales_count = sqlite3_column_int (stmt, 7);
  self->revenue = sqlite3_column_int64 (stmt, 8);

  return self;
}

/**
 * ct_product_load:
 *
 * Returns: (transfer full) (nullable): the product with its sales
 * figures, or %NULL with CT_DB_ERROR_NOT_FOUND when there is none
 */
CtProduct *
ct_product_load (CtDb    *db,
                 gint64   id,
                 GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = ct_db_prepare (db, SELECT_SQL " WHERE p.id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return product_from_row (stmt);

  if (rc == SQLITE_DONE)
    g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND,
                         _("The product no longer exists."));
  else
    ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not load the product"));
  return NULL;
}

/**
 * ct_product_list_all:
 *
 * Returns: (transfer full) (nullable): a GListStore of CtProduct sorted by
 * name, or %NULL with @error set
 */
GListModel *
ct_product_list_all (CtDb    *db,
                     GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GListStore) store = NULL;
  g_autoptr(GPtrArray) items = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = ct_db_prepare (db, SELECT_SQL " ORDER BY p.name COLLATE NOCASE, p.id", error);
  if (stmt == NULL)
    return NULL;

  items = g_ptr_array_new_with_free_func (g_object_unref);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (items, product_from_row (stmt));

  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not load the products"));
      return NULL;
    }

  store = g_list_store_new (CT_TYPE_PRODUCT);
  g_list_store_splice (store, 0, 0, items->pdata, items->len);

  return G_LIST_MODEL (g_steal_pointer (&store));
}
