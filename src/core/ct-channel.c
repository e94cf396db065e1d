/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-channel.c: acquisition channels and their monthly spend; CtNamedItem */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-channel.h"
#include "ct-text-private.h"

/* CtNamedItem */

struct _CtNamedItem
{
  GObject  parent_instance;

  gint64   id;
  char    *name;
};

G_DEFINE_FINAL_TYPE (CtNamedItem, ct_named_item, G_TYPE_OBJECT)

enum {
  ITEM_PROP_0,
  ITEM_PROP_ID,
  ITEM_PROP_NAME,
  ITEM_N_PROPS
};

static GParamSpec *item_properties[ITEM_N_PROPS];

static void
ct_named_item_finalize (GObject *object)
{
  CtNamedItem *self = CT_NAMED_ITEM (object);

  g_free (self->name);

  G_OBJECT_CLASS (ct_named_item_parent_class)->finalize (object);
}

static void
ct_named_item_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  CtNamedItem *self = CT_NAMED_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case ITEM_PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_named_item_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  CtNamedItem *self = CT_NAMED_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_ID:
      self->id = g_value_get_int64 (value);
      break;
    case ITEM_PROP_NAME:
      g_free (self->name);
      self->name = g_strdup (g_value_get_string (value) ? g_value_get_string (value) : "");
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_named_item_class_init (CtNamedItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ct_named_item_finalize;
  object_class->get_property = ct_named_item_get_property;
  object_class->set_property = ct_named_item_set_property;

  item_properties[ITEM_PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                        G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  item_properties[ITEM_PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL,
                         "",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, ITEM_N_PROPS, item_properties);
}

static void
ct_named_item_init (CtNamedItem *self)
{
  self->name = g_strdup ("");
}

/**
 * ct_named_item_new:
 * @name: (nullable): the name; %NULL is taken as ""
 *
 * Returns: (transfer full): an item for pickers of channels, tags and
 * products
 */
CtNamedItem *
ct_named_item_new (gint64      id,
                   const char *name)
{
  return g_object_new (CT_TYPE_NAMED_ITEM,
                       "id", id,
                       "name", name,
                       NULL);
}

gint64
ct_named_item_get_id (CtNamedItem *self)
{
  g_return_val_if_fail (CT_IS_NAMED_ITEM (self), 0);
  return self->id;
}

/**
 * ct_named_item_get_name:
 *
 * Returns: (transfer none): the name, never %NULL
 */
const char *
ct_named_item_get_name (CtNamedItem *self)
{
  g_return_val_if_fail (CT_IS_NAMED_ITEM (self), NULL);
  return self->name;
}

/* Channels */

/**
 * ct_channel_ensure:
 * @name: the channel's name; white space around it is ignored
 *
 * Finds the channel called @name, ignoring case, or adds it. A blank name is
 * refused with CT_DB_ERROR_INVALID. Emits CtDb::changed("channels") when a
 * channel was added.
 *
 * Returns: the channel's id, or 0 with @error set
 */
gint64
ct_channel_ensure (CtDb        *db,
                   const char  *name,
                   GError     **error)
{
  g_autofree char *clean = NULL;
  g_autoptr(sqlite3_stmt) find = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  gint64 id;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  clean = ct_text_strip_dup (name);
  if (*clean == '\0')
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("A channel needs a name."));
      return 0;
    }

  /* The column's NOCASE collation makes this match "WeChat" for "wechat". */
  find = ct_db_prepare (db, "SELECT id FROM channels WHERE name = ?", error);
  if (find == NULL)
    return 0;
  sqlite3_bind_text (find, 1, clean, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (find);
  if (rc == SQLITE_ROW)
    return sqlite3_column_int64 (find, 0);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc,
                       _("Could not look up the channel"));
      return 0;
    }

  insert = ct_db_prepare (db, "INSERT INTO channels (name) VALUES (?)", error);
  if (insert == NULL)
    return 0;
  sqlite3_bind_text (insert, 1, clean, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (insert);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc,
                       _("Could not add the channel"));
      return 0;
    }

  id = sqlite3_last_insert_rowid (ct_db_get_handle (db));
  ct_db_emit_changed (db, "channels");
  return id;
}

/* @sql selects id and name, in order. */
static GListModel *
list_from_sql (CtDb        *db,
               const char  *sql,
               const char  *what,
               GError     **error)
{
  g_autoptr(GListStore) store = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = ct_db_prepare (db, sql, error);
  if (stmt == NULL)
    return NULL;

  store = g_list_store_new (CT_TYPE_NAMED_ITEM);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(CtNamedItem) item =
        ct_named_item_new (sqlite3_column_int64 (stmt, 0),
                           (const char *) sqlite3_column_text (stmt, 1));

      g_list_store_append (store, item);
    }

  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, what);
      return NULL;
    }

  return G_LIST_MODEL (g_steal_pointer (&store));
}

/**
 * ct_channel_list_all:
 *
 * Returns: (transfer full) (nullable): a GListStore of CtNamedItem, sorted
 * by name ignoring case; %NULL with @error set on failure
 */
GListModel *
ct_channel_list_all (CtDb    *db,
                     GError **error)
{
  g_return_val_if_fail (CT_IS_DB (db), NULL);

  return list_from_sql (db,
                        "SELECT id, name FROM channels"
                        " ORDER BY name COLLATE NOCASE, id",
                        _("Could not read the channels"),
                        error);
}

/* "YYYY-MM" with a real month. */
static gboolean
is_month (const char *month)
{
  int m;

  if (month == NULL || strlen (month) != 7 || month[4] != '-')
    return FALSE;
  for (int i = 0; i < 7; i++)
    if (i != 4 && !g_ascii_isdigit (month[i]))
      return FALSE;

  m = (month[5] - '0') * 10 + (month[6] - '0');
  return m >= 1 && m <= 12;
}

static gboolean
is_currency_code (const char *currency)
{
  if (currency == NULL || strlen (currency) != 3)
    return FALSE;
  for (int i = 0; i < 3; i++)
    if (!g_ascii_isalpha (currency[i]))
      return FALSE;
  return TRUE;
}

/**
 * ct_channel_set_spend:
 * @month: the month, "2025-03"
 * @amount: what the channel cost that month, in minor units, not negative
 * @currency: (nullable): ISO 4217 code; %NULL means CNY
 *
 * Records what @channel_id cost in @month, replacing an earlier figure for
 * the same month. Emits CtDb::changed("channel_spend").
 *
 * Returns: %FALSE with @error set: CT_DB_ERROR_INVALID for a malformed
 * month, a negative amount or a malformed currency, CT_DB_ERROR_NOT_FOUND
 * when the channel does not exist
 */
gboolean
ct_channel_set_spend (CtDb        *db,
                      gint64       channel_id,
                      const char  *month,
                      gint64       amount,
                      const char  *currency,
                      GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *code = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!is_month (month))
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   _("“%s” is not a month; write it as year and month, like 2025-03."),
                   month != NULL ? month : "");
      return FALSE;
    }

  if (amount < 0)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("A channel’s spend cannot be negative."));
      return FALSE;
    }

  if (currency == NULL)
    currency = "CNY";
  if (!is_currency_code (currency))
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   _("“%s” is not a currency code; use three letters, like CNY or USD."),
                   currency);
      return FALSE;
    }
  code = g_ascii_strup (currency, -1);

  stmt = ct_db_prepare (db, "SELECT 1 FROM channels WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, channel_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND,
                           _("The channel does not exist any more."));
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc,
                       _("Could not save the channel’s spend"));
      return FALSE;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = ct_db_prepare (db,
                        "INSERT INTO channel_spend (channel_id, month, amount, currency)"
                        " VALUES (?, ?, ?, ?)"
                        " ON CONFLICT (channel_id, month)"
                        " DO UPDATE SET amount = excluded.amount, currency = excluded.currency",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, channel_id);
  sqlite3_bind_text (stmt, 2, month, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, amount);
  sqlite3_bind_text (stmt, 4, code, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc,
                       _("Could not save the channel’s spend"));
      return FALSE;
    }

  ct_db_emit_changed (db, "channel_spend");
  return TRUE;
}

static void
channel_spend_clear (gpointer data)
{
  CtChannelSpend *spend = data;

  g_clear_pointer (&spend->channel_name, g_free);
}

GArray *
ct_channel_list_spend (CtDb    *db,
                       GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) spends = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = ct_db_prepare (db,
                        "SELECT s.channel_id, c.name, s.month, s.amount, s.currency"
                        " FROM channel_spend s JOIN channels c ON c.id = s.channel_id"
                        " ORDER BY s.month DESC, c.name COLLATE NOCASE, c.id",
                        error);
  if (stmt == NULL)
    return NULL;

  spends = g_array_new (FALSE, TRUE, sizeof (CtChannelSpend));
  g_array_set_clear_func (spends, channel_spend_clear);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CtChannelSpend spend = { 0 };

      spend.channel_id = sqlite3_column_int64 (stmt, 0);
      spend.channel_name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      /* The table's CHECKs keep both to their sizes; copy no further
       * than the buffers in any case. */
      g_strlcpy (spend.month, (const char *) sqlite3_column_text (stmt, 2), sizeof spend.month);
      spend.amount = sqlite3_column_int64 (stmt, 3);
      g_strlcpy (spend.currency, (const char *) sqlite3_column_text (stmt, 4), sizeof spend.currency);
      g_array_append_val (spends, spend);
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc,
                       _("Could not read the channels’ spend"));
      return NULL;
    }

  return g_steal_pointer (&spends);
}

gboolean
ct_channel_delete_spend (CtDb        *db,
                         gint64       channel_id,
                         const char  *month,
                         GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (month != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = ct_db_prepare (db, "DELETE FROM channel_spend WHERE channel_id = ? AND month = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, channel_id);
  sqlite3_bind_text (stmt, 2, month, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc,
                       _("Could not delete the channel’s spend"));
      return FALSE;
    }
  if (sqlite3_changes (ct_db_get_handle (db)) == 0)
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND,
                   _("No spend was entered for %s in that channel."), month);
      return FALSE;
    }

  ct_db_emit_changed (db, "channel_spend");
  return TRUE;
}
