/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-rollup.h: summaries of the purchases kept for the dashboard
 *
 * Migration 11 adds tables that hold what the dashboard and the report
 * add up, so that they read thousands of rows instead of every purchase:
 * sales per UTC hour and day, currency and product (kept by triggers),
 * and per customer the times of its first, second and fifth purchase,
 * its channel and its months of buying in a time zone (written by
 * ct_rollup_refresh(), with the customers changed since read from their
 * purchases until then). ct-kpi.c and ct-dashboard.c read them through
 * the functions here; every figure is the same as from the purchases.
 */
#pragma once

#include "ct-db.h"
#include "ct-kpi.h"

G_BEGIN_DECLS

/* The purchases that make a customer loyal in the stored summary: the
 * funnel's default. */
#define CT_ROLLUP_LOYAL_PURCHASES CT_FUNNEL_DEFAULT_LOYAL_PURCHASES

/* Works out the customers changed since the last refresh (rollup_dirty)
 * and, when @tz is not the zone the months were counted in, every
 * customer again. @tz %NULL: the zone they were counted in (local time
 * the first time), for a writer that does not show months itself. Runs in a savepoint, so inside a
 * caller's transaction too. Returns %FALSE with @error set on failure,
 * leaving the summaries as they were (still correct, only slower). */
gboolean  ct_rollup_refresh          (CtDb          *db,
                                      GTimeZone     *tz,
                                      GError       **error);

/* What the purchases_rollup_ins trigger does, for every purchase with
 * an id above @after_id at once: for an import that put the trigger off
 * (ct-import.c). */
gboolean  ct_rollup_add_purchases    (CtDb          *db,
                                      gint64         after_id,
                                      GError       **error);

/* The same for purchases added up as they are inserted, for an import
 * that has each one in hand already: ct_rollup_batch_add() for every
 * purchase inserted that is not refunded (@product_id 0 for none,
 * @contact_id 0 for none), then ct_rollup_batch_store() once. */
typedef struct _CtRollupBatch CtRollupBatch;

CtRollupBatch *ct_rollup_batch_new   (void);
void           ct_rollup_batch_add   (CtRollupBatch  *self,
                                      const char     *currency,
                                      gint64          purchased_at,
                                      gint64          product_id,
                                      gint64          amount,
                                      gint64          contact_id);
gboolean       ct_rollup_batch_store (CtRollupBatch  *self,
                                      CtDb           *db,
                                      GError        **error);
void           ct_rollup_batch_free  (CtRollupBatch  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtRollupBatch, ct_rollup_batch_free)

/* For tests and benchmarks: with @enabled %FALSE, ct-kpi and
 * ct-dashboard read @db's purchases as they did before the summaries. */
void      ct_rollup_set_enabled      (CtDb          *db,
                                      gboolean       enabled);
gboolean  ct_rollup_get_enabled      (CtDb          *db);

/* Customers as of @as_of (purchases not refunded made at or before it,
 * in any currency): with one purchase, two, and CT_ROLLUP_LOYAL_PURCHASES. */
gboolean  ct_rollup_count_customers  (CtDb          *db,
                                      gint64         as_of,
                                      gint64        *customers,
                                      gint64        *repeat_customers,
                                      gint64        *loyal_customers,
                                      GError       **error);

/* New customers (first purchase in [@from, @to)) per channel.
 * Returns: (transfer full): a table from the channel's id (0: none) to
 * the count, both gint64 * owned by the table; %NULL with @error set. */
GHashTable *ct_rollup_new_customers  (CtDb          *db,
                                      gint64         from,
                                      gint64         to,
                                      GError       **error);

typedef void (*CtRollupSalesFunc) (gint64   product_id,
                                   gint64   orders,
                                   gint64   revenue,
                                   gpointer user_data);

/* Calls @func for pieces of the sales (orders and revenue of purchases
 * not refunded) in @currency made in [@from, @to), by product (0: none);
 * a product may come several times. @from may be G_MININT64 for "since
 * the beginning". */
gboolean  ct_rollup_sales_foreach    (CtDb              *db,
                                      const char        *currency,
                                      gint64             from,
                                      gint64             to,
                                      CtRollupSalesFunc  func,
                                      gpointer           user_data,
                                      GError           **error);
/* Their totals. */
gboolean  ct_rollup_sales_total      (CtDb          *db,
                                      const char    *currency,
                                      gint64         from,
                                      gint64         to,
                                      gint64        *orders,
                                      gint64        *revenue,
                                      GError       **error);

/* The retention table as ct_retention_load() makes it, from the stored
 * months. Returns %TRUE with *@retention %NULL when they were counted in
 * another time zone than @tz (the caller reads the purchases then). */
gboolean  ct_rollup_load_retention   (CtDb          *db,
                                      gint64         as_of,
                                      GTimeZone     *tz,
                                      CtRetention  **retention,
                                      GError       **error);

G_END_DECLS
