/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-purchase.c: purchases
 *
 * The contact's purchase figures (count, total, first and last purchase)
 * are kept by triggers on the purchases table, so storing a purchase here
 * is one statement and never leaves them out of step.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-contact.h"
#include "ct-money.h"
#include "ct-purchase.h"

struct _CtPurchase
{
  GObject   parent_instance;

  gint64    id;
  gint64    contact_id;
  char     *contact_name;
  char     *contact_email;
  gint64    product_id;
  char     *product_name;
  gint64    amount;
  char     *currency;
  gint64    purchased_at;
  gint64    channel_id;
  char     *channel;
  char     *source;
  char     *external_ref;
  gboolean  refunded;
};

G_DEFINE_FINAL_TYPE (CtPurchase, ct_purchase, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_CONTACT_ID,
  PROP_CONTACT_NAME,
  PROP_CONTACT_EMAIL,
  PROP_PRODUCT_ID,
  PROP_PRODUCT_NAME,
  PROP_AMOUNT,
  PROP_CURRENCY,
  PROP_AMOUNT_LABEL,
  PROP_PURCHASED_AT,
  PROP_DATE_LABEL,
  PROP_CHANNEL_ID,
  PROP_CHANNEL,
  PROP_SOURCE,
  PROP_EXTERNAL_REF,
  PROP_REFUNDED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define DEFAULT_SOURCE "manual"

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
notify (CtPurchase *self,
        guint       prop_id)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static char *
format_date (gint64 unix_seconds)
{
  g_autoptr(GDateTime) dt = NULL;

  if (unix_seconds <= 0)
    return g_strdup ("");

  dt = g_date_time_new_from_unix_local (unix_seconds);
  if (dt == NULL)
    return g_strdup ("");

  return g_date_time_format (dt, "%Y-%m-%d %H:%M");
}

static void
ct_purchase_finalize (GObject *object)
{
  CtPurchase *self = CT_PURCHASE (object);

  g_free (self->contact_name);
  g_free (self->contact_email);
  g_free (self->product_name);
  g_free (self->currency);
  g_free (self->channel);
  g_free (self->source);
  g_free (self->external_ref);

  G_OBJECT_CLASS (ct_purchase_parent_class)->finalize (object);
}

static void
ct_purchase_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CtPurchase *self = CT_PURCHASE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_CONTACT_ID:
      g_value_set_int64 (value, self->contact_id);
      break;
    case PROP_CONTACT_NAME:
      g_value_set_string (value, self->contact_name);
      break;
    case PROP_CONTACT_EMAIL:
      g_value_set_string (value, self->contact_email);
      break;
    case PROP_PRODUCT_ID:
      g_value_set_int64 (value, self->product_id);
      break;
    case PROP_PRODUCT_NAME:
      g_value_set_string (value, self->product_name);
      break;
    case PROP_AMOUNT:
      g_value_set_int64 (value, self->amount);
      break;
    case PROP_CURRENCY:
      g_value_set_string (value, self->currency);
      break;
    case PROP_AMOUNT_LABEL:
      g_value_take_string (value, ct_money_format (self->amount, self->currency));
      break;
    case PROP_PURCHASED_AT:
      g_value_set_int64 (value, self->purchased_at);
      break;
    case PROP_DATE_LABEL:
      g_value_take_string (value, format_date (self->purchased_at));
      break;
    case PROP_CHANNEL_ID:
      g_value_set_int64 (value, self->channel_id);
      break;
    case PROP_CHANNEL:
      g_value_set_string (value, self->channel);
      break;
    case PROP_SOURCE:
      g_value_set_string (value, self->source);
      break;
    case PROP_EXTERNAL_REF:
      g_value_set_string (value, self->external_ref);
      break;
    case PROP_REFUNDED:
      g_value_set_boolean (value, self->refunded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_purchase_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  CtPurchase *self = CT_PURCHASE (object);

  switch (prop_id)
    {
    case PROP_CONTACT_ID:
      ct_purchase_set_contact_id (self, g_value_get_int64 (value));
      break;
    case PROP_PRODUCT_ID:
      ct_purchase_set_product_id (self, g_value_get_int64 (value));
      break;
    case PROP_AMOUNT:
      ct_purchase_set_amount (self, g_value_get_int64 (value));
      break;
    case PROP_CURRENCY:
      ct_purchase_set_currency (self, g_value_get_string (value));
      break;
    case PROP_PURCHASED_AT:
      ct_purchase_set_purchased_at (self, g_value_get_int64 (value));
      break;
    case PROP_CHANNEL_ID:
      ct_purchase_set_channel_id (self, g_value_get_int64 (value));
      break;
    case PROP_SOURCE:
      ct_purchase_set_source (self, g_value_get_string (value));
      break;
    case PROP_EXTERNAL_REF:
      ct_purchase_set_external_ref (self, g_value_get_string (value));
      break;
    case PROP_REFUNDED:
      ct_purchase_set_refunded (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_purchase_class_init (CtPurchaseClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ct_purchase_finalize;
  object_class->get_property = ct_purchase_get_property;
  object_class->set_property = ct_purchase_set_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_CONTACT_ID] =
    g_param_spec_int64 ("contact-id", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_CONTACT_NAME] =
    g_param_spec_string ("contact-name", NULL, NULL, "", ro);
  properties[PROP_CONTACT_EMAIL] =
    g_param_spec_string ("contact-email", NULL, NULL, "", ro);
  properties[PROP_PRODUCT_ID] =
    g_param_spec_int64 ("product-id", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_PRODUCT_NAME] =
    g_param_spec_string ("product-name", NULL, NULL, "", ro);
  properties[PROP_AMOUNT] =
    g_param_spec_int64 ("amount", NULL, NULL, G_MININT64, G_MAXINT64, 0, rw);
  properties[PROP_CURRENCY] =
    g_param_spec_string ("currency", NULL, NULL, "CNY", rw);
  properties[PROP_AMOUNT_LABEL] =
    g_param_spec_string ("amount-label", NULL, NULL, NULL, ro);
  properties[PROP_PURCHASED_AT] =
    g_param_spec_int64 ("purchased-at", NULL, NULL, G_MININT64, G_MAXINT64, 0, rw);
  properties[PROP_DATE_LABEL] =
    g_param_spec_string ("date-label", NULL, NULL, NULL, ro);
  properties[PROP_CHANNEL_ID] =
    g_param_spec_int64 ("channel-id", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_CHANNEL] =
    g_param_spec_string ("channel", NULL, NULL, "", ro);
  properties[PROP_SOURCE] =
    g_param_spec_string ("source", NULL, NULL, DEFAULT_SOURCE, rw);
  properties[PROP_EXTERNAL_REF] =
    g_param_spec_string ("external-ref", NULL, NULL, "", rw);
  properties[PROP_REFUNDED] =
    g_param_spec_boolean ("refunded", NULL, NULL, FALSE, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ct_purchase_init (CtPurchase *self)
{
  self->contact_name = g_strdup ("");
  self->contact_email = g_strdup ("");
  self->product_name = g_strdup ("");
  self->currency = g_strdup ("CNY");
  self->channel = g_strdup ("");
  self->source = g_strdup (DEFAULT_SOURCE);
  self->external_ref = g_strdup ("");
}

/**
 * ct_purchase_new:
 *
 * Returns: (transfer full): a purchase not stored yet, in CNY, from source
 * "manual"; contact, amount and time still to set
 */
CtPurchase *
ct_purchase_new (void)
{
  return g_object_new (CT_TYPE_PURCHASE, NULL);
}

gint64
ct_purchase_get_id (CtPurchase *self)
{
  g_return_val_if_fail (CT_IS_PURCHASE (self), 0);
  return self->id;
}

gint64
ct_purchase_get_contact_id (CtPurchase *self)
{
  g_return_val_if_fail (CT_IS_PURCHASE (self), 0);
  return self->contact_id;
}

void
ct_purchase_set_contact_id (CtPurchase *self,
                            gint64      contact_id)
{
  g_return_if_fail (CT_IS_PURCHASE (self));
  g_return_if_fail (contact_id >= 0);

  if (self->contact_id == contact_id)
    return;
  self->contact_id = contact_id;
  notify (self, PROP_CONTACT_ID);
}

/**
 * ct_purchase_get_contact_name:
 *
 * Returns: the contact's name as people write it, or the email for a
 * contact without a name, as loaded or last saved; "" for an erased
 * contact
 */
const char *
ct_purchase_get_contact_name (CtPurchase *self)
{
  g_return_val_if_fail (CT_IS_PURCHASE (self), NULL);
  return self->contact_name;
}

const char *
ct_purchase_get_contact_email (CtPurchase *self)
{
  g_return_val_if_fail (CT_IS_PURCHASE (self), NULL);
  return self->contact_email;
}

gint64
ct_purchase_get_product_id (CtPurchase *self)
{
  g_return_val_if_fail (CT_IS_PURCHASE (self), 0);
  return self->product_id;
}

void
ct_purchase_set_product_id (CtPurchase *self,
                            gint64      product_id)
{
  g_return_if_fail (CT_IS_PURCHASE (self));
  g_return_if_fail (product_id >= 0);

  if (self->product_id == product_id)
    return;
  self->product_id = product_id;
  notify (self, PROP_PRODUCT_ID);
}

/* Returns: the product's name as loaded or last saved, "" for none */
const char *
ct_purchase_get_product_name (CtPurchase *self)
{
  g_return_val_if_fail (CT_IS_PURCHASE (self), NULL);
  return self->product_name;
}

gint64
ct_purchase_get_amount (CtPurchase *self)
{
  g_return_val_if_fail (CT_IS_PURCHASE (self), 0);
  return self->amount;
}

void
ct_purchase_set_amount (CtPurchase *self,
                        gint64      amount)
{
  g_return_if_fail (CT_IS_PURCHASE (self));

  if (self->amount == amount)
    return;
  self->amount = amount;
  notify (self, PROP_AMOUNT);
  notify (self, PROP_AMOUNT_LABEL);
}

const char *
ct_purchase_get_currency (CtPurchase *self)
{
  g_return_val_if_fail (CT_IS_PURCHASE (self), NULL);
  return self->currency;
}

void
ct_purchase_set_currency (CtPurchase *self,
                          const char *currency)
{
  g_return_if_fail (CT_IS_PURCHASE (self));

  if (!set_string (&self->currency, currency))
    return;
  notify (self, PROP_CURRENCY);
  notify (self, PROP_AMOUNT_LABEL);
}

gint64
ct_purchase_get_purchased_at (CtPurchase *self)
{
  g_return_val_if_fail (CT_IS_PURCHASE (self), 0);
  return self->purchased_at;
}

void
ct_purchase_set_purchased_at (CtPurchase *self,
                              gint64      unix_seconds)
{
  g_return_if_fail (CT_IS_PURCHASE (self));

  if (self->purchased_at == unix_seconds)
    return;
  self->purchased_at = unix_seconds;
  notify (self, PROP_PURCHASED_AT);
  notify (self, PROP_DATE_LABEL);
}

gint64
ct_purchase_get_channel_id (CtPurchase *self)
{
  g_return_val_if_fail (CT_IS_PURCHASE (self), 0);
  return self->channel_id;
}

void
ct_purchase_set_channel_id (CtPurchase *self,
                            gint64      channel_id)
{
  g_return_if_fail (CT_IS_PURCHASE (self));
  g_return_if_fail (channel_id >= 0);

  if (self->channel_id == channel_id)
    return;
  self->channel_id = channel_id;
  notify (self, PROP_CHANNEL_ID);
}

/* Returns: the channel's name as loaded or last saved, "" for none */
const char *
ct_purchase_get_channel (CtPurchase *self)
{
  g_return_val_if_fail (CT_IS_PURCHASE (self), NULL);
  return self->channel;
}

const char *
ct_purchase_get_source (CtPurchase *self)
{
  g_return_val_if_fail (CT_IS_PURCHASE (self), NULL);
  return self->source;
}

void
ct_purchase_set_source (CtPurchase *self,
                        const char *source)
{
  g_return_if_fail (CT_IS_PURCHASE (self));

  if (set_string (&self->source, source))
    notify (self, PROP_SOURCE);
}

/* Returns: the order reference in the source, "" for none */
const char *
ct_purchase_get_external_ref (CtPurchase *self)
{
  g_return_val_if_fail (CT_IS_PURCHASE (self), NULL);
  return self->external_ref;
}

void
ct_purchase_set_external_ref (CtPurchase *self,
                              const char *external_ref)
{
  g_return_if_fail (CT_IS_PURCHASE (self));

  if (set_string (&self->external_ref, external_ref))
    notify (self, PROP_EXTERNAL_REF);
}

gboolean
ct_purchase_get_refunded (CtPurchase *self)
{
  g_return_val_if_fail (CT_IS_PURCHASE (self), FALSE);
  return self->refunded;
}

void
ct_purchase_set_refunded (CtPurchase *self,
                          gboolean    refunded)
{
  g_return_if_fail (CT_IS_PURCHASE (self));

  refunded = !!refunded;
  if (self->refunded == refunded)
    return;
  self->refunded = refunded;
  notify (self, PROP_REFUNDED);
}

/* The contact as the purchases list names them; "" for the purchases of
 * an erased contact, which views name themselves. */
static char *
contact_label (const char *first_name,
               const char *last_name,
               const char *email)
{
  g_autofree char *name = ct_contact_format_name (first_name != NULL ? first_name : "",
                                                  last_name != NULL ? last_name : "");

  if (name == NULL || name[0] == '\0')
    return g_strdup (email != NULL ? email : "");

  return g_steal_pointer (&name);
}

/* Sets the fields read from a row of CT_PURCHASE_SELECT_SQL that the
 * object does not edit itself: names of the contact, product and
 * channel. */
static void
take_row_labels (CtPurchase   *self,
                 sqlite3_stmt *stmt)
{
  g_autofree char *name = NULL;
  const char *email = (const char *) sqlite3_column_text (stmt, 4);

  name = contact_label ((const char *) sqlite3_column_text (stmt, 2),
                        (const char *) sqlite3_column_text (stmt, 3),
                        email);

  if (set_string (&self->contact_name, name))
    notify (self, PROP_CONTACT_NAME);
  if (set_string (&self->contact_email, email))
    notify (self, PROP_CONTACT_EMAIL);
  if (set_string (&self->product_name, (const char *) sqlite3_column_text (stmt, 6)))
    notify (self, PROP_PRODUCT_NAME);
  if (set_string (&self->channel, (const char *) sqlite3_column_text (stmt, 11)))
    notify (self, PROP_CHANNEL);
}

/**
 * ct_purchase_new_from_row:
 * @stmt: a statement on a row of CT_PURCHASE_SELECT_SQL
 *
 * Returns: (transfer full): the purchase of that row
 */
CtPurchase *
ct_purchase_new_from_row (sqlite3_stmt *stmt)
{
  CtPurchase *self;

  g_return_val_if_fail (stmt != NULL, NULL);

  self = ct_purchase_new ();
  self->id = sqlite3_column_int64 (stmt, 0);
  self->contact_id = sqlite3_column_int64 (stmt, 1);
  self->product_id = sqlite3_column_int64 (stmt, 5);
  self->amount = sqlite3_column_int64 (stmt, 7);
  set_string (&self->currency, (const char *) sqlite3_column_text (stmt, 8));
  self->purchased_at = sqlite3_column_int64 (stmt, 9);
  self->channel_id = sqlite3_column_int64 (stmt, 10);
  set_string (&self->source, (const char *) sqlite3_column_text (stmt, 12));
  set_string (&self->external_ref, (const char *) sqlite3_column_text (stmt, 13));
  self->refunded = sqlite3_column_int (stmt, 14) != 0;

  /* Nobody listens to a new object yet; the notifications are free. */
  take_row_labels (self, stmt);

  return self;
}

static gboolean
is_currency_code (const char *currency)
{
  return currency != NULL && strlen (currency) == 3
         && g_ascii_isalpha (currency[0]) && g_ascii_isalpha (currency[1])
         && g_ascii_isalpha (currency[2]);
}

/* Whether @sql, given @id, finds a row; FALSE with @error set when the
 * query fails. */
static gboolean
row_exists (CtDb        *db,
            const char  *sql,
            gint64       id,
            gboolean    *exists,
            GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = ct_db_prepare (db, sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not save the purchase"));
      return FALSE;
    }

  *exists = rc == SQLITE_ROW;
  return TRUE;
}

/* What insert and update store: the source and reference without
 * surrounding spaces (an empty source is "manual"), the currency in
 * capitals. */
typedef struct
{
  char *currency;
  char *source;
  char *external_ref;
} Cleaned;

static void
cleaned_clear (Cleaned *cleaned)
{
  g_free (cleaned->currency);
  g_free (cleaned->source);
  g_free (cleaned->external_ref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Cleaned, cleaned_clear)

static gboolean
validate (CtDb        *db,
          CtPurchase  *purchase,
          Cleaned     *cleaned,
          GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean exists;
  int rc;

  cleaned->currency = g_ascii_strup (purchase->currency, -1);
  cleaned->source = g_strstrip (g_strdup (purchase->source));
  cleaned->external_ref = g_strstrip (g_strdup (purchase->external_ref));
  if (cleaned->source[0] == '\0')
    {
      g_free (cleaned->source);
      cleaned->source = g_strdup (DEFAULT_SOURCE);
    }

  if (purchase->contact_id <= 0)
    {
      /* The purchases of an erased contact stay without one, and can
       * still be corrected or refunded; no other purchase goes without. */
      exists = FALSE;
      if (purchase->id > 0 &&
          !row_exists (db, "SELECT 1 FROM purchases WHERE id = ?1 AND contact_id IS NULL",
                       purchase->id, &exists, error))
        return FALSE;
      if (!exists)
        {
          g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                               _("Choose the contact who made the purchase."));
          return FALSE;
        }
    }
  else if (!row_exists (db, "SELECT 1 FROM contacts WHERE id = ?1", purchase->contact_id,
                        &exists, error))
    return FALSE;
  else if (!exists)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("The contact of this purchase no longer exists; choose another one."));
      return FALSE;
    }

  if (purchase->product_id != 0)
    {
      if (!row_exists (db, "SELECT 1 FROM products WHERE id = ?1", purchase->product_id,
                       &exists, error))
        return FALSE;
      if (!exists)
        {
          g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                               _("The product of this purchase no longer exists; choose another one."));
          return FALSE;
        }
    }

  if (purchase->channel_id != 0)
    {
      if (!row_exists (db, "SELECT 1 FROM channels WHERE id = ?1", purchase->channel_id,
                       &exists, error))
        return FALSE;
      if (!exists)
        {
          g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                               _("The channel of this purchase no longer exists; choose another one."));
          return FALSE;
        }
    }

  if (purchase->amount < 0)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("The amount cannot be negative; to take a purchase back, mark it as refunded."));
      return FALSE;
    }

  if (cleaned->currency[0] == '\0')
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("Choose the currency of the amount."));
      return FALSE;
    }

  if (!is_currency_code (cleaned->currency))
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   _("“%s” is not a currency code; use three letters such as CNY or USD."),
                   purchase->currency);
      return FALSE;
    }

  if (purchase->purchased_at <= 0)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("Choose when the purchase was made."));
      return FALSE;
    }

  if (cleaned->external_ref[0] == '\0')
    return TRUE;

  /* Checked here rather than left to the UNIQUE constraint so that the
   * message can name the order. */
  stmt = ct_db_prepare (db,
                        "SELECT 1 FROM purchases"
                        " WHERE source = ?1 AND external_ref = ?2 AND id != ?3",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, cleaned->source, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, cleaned->external_ref, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, purchase->id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT,
                   /* Translators: the first %s is an order number of a
                    * shop, the second where it came from ("youzan",
                    * "manual"...) */
                   _("The order reference “%s” from “%s” is already recorded for "
                     "another purchase."),
                   cleaned->external_ref, cleaned->source);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not save the purchase"));
      return FALSE;
    }

  return TRUE;
}

/* Binds the editable columns as ?1..?9 in the order of the INSERT and
 * UPDATE below. */
static void
bind_fields (sqlite3_stmt  *stmt,
             CtPurchase    *purchase,
             const Cleaned *cleaned)
{
  if (purchase->contact_id != 0)
    sqlite3_bind_int64 (stmt, 1, purchase->contact_id);
  else
    sqlite3_bind_null (stmt, 1);
  if (purchase->product_id != 0)
    sqlite3_bind_int64 (stmt, 2, purchase->product_id);
  else
    sqlite3_bind_null (stmt, 2);
  sqlite3_bind_int64 (stmt, 3, purchase->amount);
  sqlite3_bind_text (stmt, 4, cleaned->currency, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, purchase->purchased_at);
  if (purchase->channel_id != 0)
    sqlite3_bind_int64 (stmt, 6, purchase->channel_id);
  else
    sqlite3_bind_null (stmt, 6);
  sqlite3_bind_text (stmt, 7, cleaned->source, -1, SQLITE_STATIC);
  /* NULL, not "": the UNIQUE constraint must not see every purchase
   * without a reference as the same one. */
  if (cleaned->external_ref[0] != '\0')
    sqlite3_bind_text (stmt, 8, cleaned->external_ref, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 8);
  sqlite3_bind_int (stmt, 9, purchase->refunded ? 1 : 0);
}

/* After saving: what was stored, and the names that go with the ids. */
static void
take_saved (CtDb          *db,
            CtPurchase    *purchase,
            const Cleaned *cleaned)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  ct_purchase_set_currency (purchase, cleaned->currency);
  ct_purchase_set_source (purchase, cleaned->source);
  ct_purchase_set_external_ref (purchase, cleaned->external_ref);

  stmt = ct_db_prepare (db, CT_PURCHASE_SELECT_SQL " WHERE p.id = ?1", NULL);
  if (stmt == NULL)
    return;
  sqlite3_bind_int64 (stmt, 1, purchase->id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    take_row_labels (purchase, stmt);
}

/**
 * ct_purchase_insert:
 * @purchase: a purchase not stored yet; gets its id
 *
 * Checks that the contact (and product and channel, when set) exist, that
 * the amount is not negative, the currency is a three-letter code and the
 * time is set. The contact's figures follow by themselves.
 */
gboolean
ct_purchase_insert (CtDb        *db,
                    CtPurchase  *purchase,
                    GError     **error)
{
  g_auto(Cleaned) cleaned = { NULL, };
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 id;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (CT_IS_PURCHASE (purchase), FALSE);
  g_return_val_if_fail (purchase->id == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!validate (db, purchase, &cleaned, error))
    return FALSE;

  stmt = ct_db_prepare (db,
                        "INSERT INTO purchases (contact_id, product_id, amount, currency,"
                        " purchased_at, channel_id, source, external_ref, refunded)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                        error);
  if (stmt == NULL)
    return FALSE;
  bind_fields (stmt, purchase, &cleaned);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not save the purchase"));
      return FALSE;
    }

  id = sqlite3_last_insert_rowid (ct_db_get_handle (db));
  purchase->id = id;
  notify (purchase, PROP_ID);
  take_saved (db, purchase, &cleaned);

  ct_db_emit_changed (db, "purchases");
  return TRUE;
}

/**
 * ct_purchase_update:
 * @purchase: a stored purchase
 *
 * Checks as ct_purchase_insert() does. CT_DB_ERROR_NOT_FOUND when the
 * purchase was deleted meanwhile.
 */
gboolean
ct_purchase_update (CtDb        *db,
                    CtPurchase  *purchase,
                    GError     **error)
{
  g_auto(Cleaned) cleaned = { NULL, };
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3 *handle;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (CT_IS_PURCHASE (purchase), FALSE);
  g_return_val_if_fail (purchase->id > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  handle = ct_db_get_handle (db);

  if (!validate (db, purchase, &cleaned, error))
    return FALSE;

  stmt = ct_db_prepare (db,
                        "UPDATE purchases SET contact_id = ?1, product_id = ?2, amount = ?3,"
                        " currency = ?4, purchased_at = ?5, channel_id = ?6, source = ?7,"
                        " external_ref = ?8, refunded = ?9 WHERE id = ?10",
                        error);
  if (stmt == NULL)
    return FALSE;
  bind_fields (stmt, purchase, &cleaned);
  sqlite3_bind_int64 (stmt, 10, purchase->id);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, handle, rc, _("Could not save the purchase"));
      return FALSE;
    }

  if (sqlite3_changes (handle) == 0)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND,
                           _("The purchase no longer exists."));
      return FALSE;
    }

  take_saved (db, purchase, &cleaned);

  ct_db_emit_changed (db, "purchases");
  return TRUE;
}

/**
 * ct_purchase_delete:
 *
 * CT_DB_ERROR_NOT_FOUND when there is no such purchase.
 */
gboolean
ct_purchase_delete (CtDb    *db,
                    gint64   id,
                    GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3 *handle;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  handle = ct_db_get_handle (db);

  stmt = ct_db_prepare (db, "DELETE FROM purchases WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, handle, rc, _("Could not delete the purchase"));
      return FALSE;
    }

  if (sqlite3_changes (handle) == 0)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND,
                           _("The purchase no longer exists."));
      return FALSE;
    }

  ct_db_emit_changed (db, "purchases");
  return TRUE;
}

/**
 * ct_purchase_load:
 *
 * Returns: (transfer full) (nullable): the purchase, or %NULL with
 * CT_DB_ERROR_NOT_FOUND when there is none
 */
CtPurchase *
ct_purchase_load (CtDb    *db,
                  gint64   id,
                  GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = ct_db_prepare (db, CT_PURCHASE_SELECT_SQL " WHERE p.id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return ct_purchase_new_from_row (stmt);

  if (rc == SQLITE_DONE)
    g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND,
                         _("The purchase no longer exists."));
  else
    ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not load the purchase"));
  return NULL;
}
