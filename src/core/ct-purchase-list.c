/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-purchase-list.c: the purchases list model: filters, newest first, paged
 *
 * Only the filters in use go into the WHERE clause, so SQLite can walk the
 * matching index (purchases by time, by contact, by product or by channel,
 * each ending in the time) in reverse and never sort a million rows.
 */
#include "config.h"

#include <string.h>

#include "ct-purchase-list.h"

#define DEFAULT_CURRENCY "CNY"

typedef struct
{
  CtPurchaseFilter filter;
} PurchaseListState;

static GQuark state_quark;

static PurchaseListState *
get_state (CtPagedList *list)
{
  return g_object_get_qdata (G_OBJECT (list), state_quark);
}

static GObject *
purchase_from_row (sqlite3_stmt *stmt)
{
  return G_OBJECT (ct_purchase_new_from_row (stmt));
}

/* Appends " AND ..." for each filter in use, and its value to @params. */
static void
append_filter (GString                *sql,
               GVariantBuilder        *params,
               const CtPurchaseFilter *filter)
{
  if (filter->from != 0)
    {
      g_string_append (sql, " AND p.purchased_at >= ?");
      g_variant_builder_add (params, "x", filter->from);
    }
  if (filter->to != 0)
    {
      g_string_append (sql, " AND p.purchased_at < ?");
      g_variant_builder_add (params, "x", filter->to);
    }
  if (filter->product_id != 0)
    {
      g_string_append (sql, " AND p.product_id = ?");
      g_variant_builder_add (params, "x", filter->product_id);
    }
  if (filter->channel_id != 0)
    {
      g_string_append (sql, " AND p.channel_id = ?");
      g_variant_builder_add (params, "x", filter->channel_id);
    }
  if (filter->contact_id != 0)
    {
      g_string_append (sql, " AND p.contact_id = ?");
      g_variant_builder_add (params, "x", filter->contact_id);
    }
}

static gboolean
apply_filter (CtPagedList             *list,
              const CtPurchaseFilter  *filter,
              GError                 **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT p.id FROM purchases p WHERE 1");
  GVariantBuilder params;

  g_variant_builder_init (&params, G_VARIANT_TYPE_TUPLE);
  append_filter (sql, &params, filter);
  g_string_append (sql, " ORDER BY p.purchased_at DESC, p.id DESC");

  return ct_paged_list_set_query (list, sql->str, g_variant_builder_end (&params), error);
}

/**
 * ct_purchase_list_new:
 * @db: the database
 *
 * Returns: (transfer full): a CtPagedList of CtPurchase, all purchases
 * newest first. It also follows changes of channels, whose names it shows.
 */
CtPagedList *
ct_purchase_list_new (CtDb *db)
{
  g_autoptr(CtPagedList) list = NULL;
  g_autoptr(GError) error = NULL;
  PurchaseListState *state;

  g_return_val_if_fail (CT_IS_DB (db), NULL);

  if (state_quark == 0)
    state_quark = g_quark_from_static_string ("ct-purchase-list-state");

  list = ct_paged_list_new (db, CT_TYPE_PURCHASE, CT_PURCHASE_SELECT_SQL, "p.id",
                            purchase_from_row);

  state = g_new0 (PurchaseListState, 1);
  g_object_set_qdata_full (G_OBJECT (list), state_quark, state, g_free);

  ct_paged_list_watch (list, "purchases");
  ct_paged_list_watch (list, "contacts");
  ct_paged_list_watch (list, "products");
  ct_paged_list_watch (list, "channels");

  /* Only a broken database fails here; the list then stays empty and the
   * next change or filter tries again. */
  if (!apply_filter (list, &state->filter, &error))
    g_warning ("Could not list the purchases: %s", error->message);

  return g_steal_pointer (&list);
}

/**
 * ct_purchase_list_set_filter:
 * @list: a list from ct_purchase_list_new()
 * @filter: (nullable): what to show; %NULL for everything
 *
 * Returns: %FALSE with @error set when the query fails; the list then
 * keeps its previous filter.
 */
gboolean
ct_purchase_list_set_filter (CtPagedList             *list,
                             const CtPurchaseFilter  *filter,
                             GError                 **error)
{
  static const CtPurchaseFilter everything = { 0, };
  PurchaseListState *state;
  CtPurchaseFilter previous;

  g_return_val_if_fail (CT_IS_PAGED_LIST (list), FALSE);
  state = get_state (list);
  g_return_val_if_fail (state != NULL, FALSE);

  if (filter == NULL)
    filter = &everything;

  if (memcmp (filter, &state->filter, sizeof *filter) == 0)
    return TRUE;

  /* The new filter is in place while items-changed runs, in case a
   * handler asks for the total. */
  previous = state->filter;
  state->filter = *filter;
  if (!apply_filter (list, &state->filter, error))
    {
      state->filter = previous;
      return FALSE;
    }

  return TRUE;
}

void
ct_purchase_list_get_filter (CtPagedList      *list,
                             CtPurchaseFilter *filter)
{
  PurchaseListState *state;

  g_return_if_fail (CT_IS_PAGED_LIST (list));
  g_return_if_fail (filter != NULL);
  state = get_state (list);
  g_return_if_fail (state != NULL);

  *filter = state->filter;
}

/**
 * ct_purchase_list_get_total_in:
 * @list: a list from ct_purchase_list_new()
 * @currency_out: (out) (optional) (transfer full): the currency of the total
 *
 * Adds up the amounts of the purchases the filter shows, refunds left out,
 * in the currency most of them use. Computed on each call.
 *
 * Returns: the total in minor units of that currency
 */
gint64
ct_purchase_list_get_total_in (CtPagedList  *list,
                               char        **currency_out)
{
  g_autoptr(GString) sql = NULL;
  g_autoptr(GVariant) params = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;
  GVariantBuilder builder;
  PurchaseListState *state;
  CtDb *db;
  gint64 total = 0;
  const char *currency = DEFAULT_CURRENCY;
  int rc;

  if (currency_out != NULL)
    *currency_out = NULL;

  g_return_val_if_fail (CT_IS_PAGED_LIST (list), 0);
  state = get_state (list);
  g_return_val_if_fail (state != NULL, 0);

  db = ct_paged_list_get_db (list);
  if (db == NULL)
    goto out;

  sql = g_string_new ("SELECT p.currency, sum(p.amount) FROM purchases p WHERE p.refunded = 0");
  g_variant_builder_init (&builder, G_VARIANT_TYPE_TUPLE);
  append_filter (sql, &builder, &state->filter);
  g_string_append (sql, " GROUP BY p.currency ORDER BY count(*) DESC, p.currency LIMIT 1");
  params = g_variant_ref_sink (g_variant_builder_end (&builder));

  stmt = ct_db_prepare (db, sql->str, &error);
  if (stmt == NULL)
    {
      g_warning ("Could not add up the purchases: %s", error->message);
      goto out;
    }

  for (gsize i = 0; i < g_variant_n_children (params); i++)
    {
      gint64 value;

      g_variant_get_child (params, i, "x", &value);
      sqlite3_bind_int64 (stmt, (int) i + 1, value);
    }

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      currency = (const char *) sqlite3_column_text (stmt, 0);
      total = sqlite3_column_int64 (stmt, 1);
    }
  else if (rc != SQLITE_DONE)
    {
      ct_db_set_error (&error, ct_db_get_handle (db), rc, NULL);
      g_warning ("Could not add up the purchases: %s", error->message);
    }

out:
  if (currency_out != NULL)
    *currency_out = g_strdup (currency);
  return total;
}

gint64
ct_purchase_list_get_total (CtPagedList *list)
{
  return ct_purchase_list_get_total_in (list, NULL);
}
