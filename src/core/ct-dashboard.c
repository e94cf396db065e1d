/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-dashboard.c: the figures and charts of a period, for the dashboard
 * and the PDF report
 *
 * What comes from where:
 *   - customers, repeat purchase and conversion rates at the end of the
 *     period and of the previous one, and the funnel: ct_kpis_load() and
 *     ct_funnel_load(), which count the customers from the summaries of
 *     ct-rollup.h; new customers are the difference of the counts;
 *   - acquisition cost per channel: ct_channel_costs_load() over the
 *     months the period touches;
 *   - retention by cohort: ct_retention_load();
 *   - segments, clusters, lifetime values, the forecast: the analysis
 *     cache (contact_metrics and the last run's summary, ct-analytics.h);
 *   - revenue over time, by product, and the orders of both periods:
 *     the sales summaries per bucket (read_sales()).
 * With the summaries switched off (ct_rollup_set_enabled(), for tests
 * and benchmarks) everything is read from the purchases as before them:
 * the customers by ct_rfm_load_customers() and one read of the
 * purchases of both periods (read_purchases()).
 *
 * The forecast's range: BG/NBD and Gamma-Gamma give an expected number
 * of purchases N and revenue R for the weeks to come, not a
 * distribution. Taking the purchases as Poisson with the expected order
 * value a = R / N, the revenue's standard deviation is about a·√N, and
 * the range drawn is R ± 1.28·a·√N, an 80% interval. It shows how much
 * chance alone moves a month's takings; it leaves out the uncertainty of
 * the fitted parameters, which is why it is called the likely range and
 * not a guarantee.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-analytics.h"
#include "ct-campaign-results.h"
#include "ct-contact.h"
#include "ct-dashboard.h"
#include "ct-money.h"
#include "ct-rollup.h"
#include "ct-stats.h"

G_DEFINE_QUARK (ct-dashboard-error-quark, ct_dashboard_error)

#define SECONDS_PER_DAY 86400
#define DAILY_MAX_DAYS 92
#define Z_80 1.2816

/* ------------------------------------------------------------------ */
/* Periods */

static GTimeZone *
zone_or_local (GTimeZone *tz)
{
  return tz != NULL ? g_time_zone_ref (tz) : g_time_zone_new_local ();
}

/* The start of the day after the one @now falls in. */
static gint64
end_of_day (gint64     now,
            GTimeZone *tz)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc (now);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (t, tz);
  g_autoptr(GDateTime) day = g_date_time_new (tz, g_date_time_get_year (local),
                                              g_date_time_get_month (local),
                                              g_date_time_get_day_of_month (local), 0, 0, 0);
  g_autoptr(GDateTime) next = g_date_time_add_days (day, 1);

  return g_date_time_to_unix (next);
}

static gint64
start_of_day (gint64     when,
              GTimeZone *tz)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc (when);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (t, tz);
  g_autoptr(GDateTime) day = g_date_time_new (tz, g_date_time_get_year (local),
                                              g_date_time_get_month (local),
                                              g_date_time_get_day_of_month (local), 0, 0, 0);

  return g_date_time_to_unix (day);
}

static gint64
add_days (gint64     when,
          int        days,
          GTimeZone *tz)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc (when);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (t, tz);
  g_autoptr(GDateTime) moved = g_date_time_add_days (local, days);

  return g_date_time_to_unix (moved);
}

static gboolean
first_purchase_time (CtDb     *db,
                     gint64   *first,
                     GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = ct_db_prepare (db, "SELECT min(purchased_at) FROM purchases WHERE refunded = 0", error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not find the first purchase"));
      return FALSE;
    }
  *first = sqlite3_column_type (stmt, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

/**
 * ct_period_init:
 * @tz: (nullable): %NULL for local time
 *
 * Returns: %FALSE with @error set when the database cannot be read
 */
gboolean
ct_period_init (CtPeriod      *period,
                CtPeriodKind   kind,
                CtDb          *db,
                gint64         now,
                GTimeZone     *tz,
                GError       **error)
{
  g_autoptr(GTimeZone) zone = zone_or_local (tz);

  g_return_val_if_fail (period != NULL, FALSE);
  g_return_val_if_fail (kind != CT_PERIOD_CUSTOM, FALSE);

  period->kind = kind;
  period->to = end_of_day (now, zone);
  switch (kind)
    {
    case CT_PERIOD_30_DAYS:
      period->from = add_days (period->to, -30, zone);
      break;
    case CT_PERIOD_90_DAYS:
      period->from = add_days (period->to, -90, zone);
      break;
    case CT_PERIOD_12_MONTHS:
      {
        /* The twelve whole months before this one: a month just begun
         * would look like a collapse on the chart. */
        g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc (now);
        g_autoptr(GDateTime) local = g_date_time_to_timezone (t, zone);
        g_autoptr(GDateTime) month = g_date_time_new (zone, g_date_time_get_year (local),
                                                      g_date_time_get_month (local), 1, 0, 0, 0);
        g_autoptr(GDateTime) first = g_date_time_add_months (month, -12);

        period->to = g_date_time_to_unix (month);
        period->from = g_date_time_to_unix (first);
        break;
      }
    case CT_PERIOD_ALL:
    default:
      {
        gint64 first;

        if (!first_purchase_time (db, &first, error))
          return FALSE;
        period->from = first != 0 && first < period->to
                       ? start_of_day (first, zone) : add_days (period->to, -30, zone);
        break;
      }
    }
  return TRUE;
}

static gboolean
parse_date (const char  *text,
            GTimeZone   *tz,
            gint64      *out,
            GError     **error)
{
  int y, m, d;
  char end;
  g_autoptr(GDateTime) day = NULL;

  if (sscanf (text, "%4d-%2d-%2d%c", &y, &m, &d, &end) != 3
      || strlen (text) != 10
      || !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    {
      g_set_error (error, CT_DASHBOARD_ERROR, CT_DASHBOARD_ERROR_INVALID_PERIOD,
                   /* Translators: a date typed for a report's period */
                   _("“%s” is not a date: write it as YYYY-MM-DD, such as 2025-03-31."), text);
      return FALSE;
    }
  day = g_date_time_new (tz, y, m, d, 0, 0, 0);
  *out = g_date_time_to_unix (day);
  return TRUE;
}

/**
 * ct_period_init_custom:
 * @from_date: (nullable): the first day, "YYYY-MM-DD"
 * @to_date: (nullable): the last day, included
 */
gboolean
ct_period_init_custom (CtPeriod    *period,
                       CtDb        *db,
                       const char  *from_date,
                       const char  *to_date,
                       gint64       now,
                       GTimeZone   *tz,
                       GError     **error)
{
  g_autoptr(GTimeZone) zone = zone_or_local (tz);
  CtPeriod all;

  g_return_val_if_fail (period != NULL, FALSE);

  if (!ct_period_init (&all, CT_PERIOD_ALL, db, now, zone, error))
    return FALSE;
  period->kind = CT_PERIOD_CUSTOM;
  period->from = all.from;
  period->to = all.to;

  if (from_date != NULL && !parse_date (from_date, zone, &period->from, error))
    return FALSE;
  if (to_date != NULL)
    {
      if (!parse_date (to_date, zone, &period->to, error))
        return FALSE;
      period->to = add_days (period->to, 1, zone);
    }
  if (period->to <= period->from)
    {
      g_set_error (error, CT_DASHBOARD_ERROR, CT_DASHBOARD_ERROR_INVALID_PERIOD,
                   _("The period ends before it starts: %s is before %s."),
                   to_date != NULL ? to_date : _("today"),
                   from_date != NULL ? from_date : _("the first purchase"));
      return FALSE;
    }
  return TRUE;
}

void
ct_period_get_previous (const CtPeriod *period,
                        CtPeriod       *previous)
{
  previous->kind = period->kind;
  previous->to = period->from;
  previous->from = period->from - (period->to - period->from);
}

/**
 * ct_period_format:
 *
 * Returns: (transfer full): "2025-03-01 – 2025-05-31" (both days included)
 */
char *
ct_period_format (const CtPeriod *period,
                  GTimeZone      *tz)
{
  g_autoptr(GTimeZone) zone = zone_or_local (tz);
  g_autoptr(GDateTime) from_utc = g_date_time_new_from_unix_utc (period->from);
  g_autoptr(GDateTime) to_utc = g_date_time_new_from_unix_utc (period->to - 1);
  g_autoptr(GDateTime) from = g_date_time_to_timezone (from_utc, zone);
  g_autoptr(GDateTime) to = g_date_time_to_timezone (to_utc, zone);
  /* Translators: a date in a report's period, in g_date_time_format() style */
  const char *format = C_("period date", "%-d %b %Y");
  g_autofree char *a = g_date_time_format (from, format);
  g_autofree char *b = g_date_time_format (to, format);

  /* Translators: a period, "1 Mar 2025 – 31 May 2025" */
  return g_strdup_printf (_("%s – %s"), a, b);
}

/* ------------------------------------------------------------------ */
/* Buckets */

static void
make_buckets (CtDashboard *d,
              GTimeZone   *tz)
{
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  gint64 days = (d->period.to - d->period.from) / SECONDS_PER_DAY;
  /* Translators: a day on a chart's axis, in g_date_time_format() style ("03-31") */
  const char *day_format = C_("chart day", "%m-%d");
  /* Translators: a month on a chart's axis, in g_date_time_format() style ("2025-03") */
  const char *month_format = C_("chart month", "%Y-%m");
  g_autoptr(GDateTime) from_utc = g_date_time_new_from_unix_utc (d->period.from);
  g_autoptr(GDateTime) cursor = g_date_time_to_timezone (from_utc, tz);
  guint forecast_steps = 0;

  d->monthly = days > DAILY_MAX_DAYS;
  if (d->n_forecast > 0)
    forecast_steps = d->n_forecast;

  for (;;)
    {
      gint64 t = g_date_time_to_unix (cursor);
      GDateTime *next;

      if (t >= d->period.to && starts->len > 0)
        {
          if (forecast_steps == 0)
            break;
          forecast_steps--;
        }
      g_array_append_val (starts, t);
      g_ptr_array_add (labels, g_date_time_format (cursor, d->monthly ? month_format : day_format));
      if (d->monthly)
        {
          /* The first bucket may start mid-month ("all" from the first
           * purchase): the next starts on the 1st. */
          g_autoptr(GDateTime) month = g_date_time_new (tz, g_date_time_get_year (cursor),
                                                        g_date_time_get_month (cursor), 1, 0, 0, 0);
          next = g_date_time_add_months (month, 1);
        }
      else
        next = g_date_time_add_days (cursor, 1);
      g_date_time_unref (cursor);
      cursor = next;
    }
  {
    gint64 t = g_date_time_to_unix (cursor);

    /* The period's own end closes its last bucket. */
    if (d->n_forecast == 0)
      t = d->period.to;
    g_array_append_val (starts, t);
  }
  g_ptr_array_add (labels, NULL);

  d->n_buckets = starts->len - 1 - d->n_forecast;
  d->bucket_starts = (gint64 *) (gpointer) g_array_free (g_steal_pointer (&starts), FALSE);
  d->bucket_labels = (char **) g_ptr_array_free (g_steal_pointer (&labels), FALSE);
  d->revenue = g_new0 (gint64, d->n_buckets);
}

static int
find_bucket (const CtDashboard *d,
             gint64             t)
{
  guint lo = 0, hi = d->n_buckets;

  if (t < d->bucket_starts[0] || t >= d->period.to)
    return -1;
  /* The last start at or before t. */
  while (hi - lo > 1)
    {
      guint mid = (lo + hi) / 2;

      if (d->bucket_starts[mid] <= t)
        lo = mid;
      else
        hi = mid;
    }
  return (int) lo;
}

/* ------------------------------------------------------------------ */
/* Reading */

typedef struct
{
  gint64  id;
  gint64  total;
  gint64 *per_bucket;
} ProductSums;

static void
product_sums_free (gpointer data)
{
  ProductSums *p = data;

  g_free (p->per_bucket);
  g_free (p);
}

static int
compare_products (gconstpointer a,
                  gconstpointer b)
{
  const ProductSums *pa = *(ProductSums * const *) a;
  const ProductSums *pb = *(ProductSums * const *) b;

  if (pa->total != pb->total)
    return pa->total > pb->total ? -1 : 1;
  return pa->id < pb->id ? -1 : pa->id > pb->id;
}

typedef struct
{
  gint64 revenue;
  gint64 orders;
  gint64 previous_revenue;
  gint64 previous_orders;
  gint64 last_90_revenue;
} Totals;

static ProductSums *
product_sums_get (GHashTable  *products,
                  gint64       product,
                  guint        n_buckets)
{
  ProductSums *p = g_hash_table_lookup (products, &product);

  if (p == NULL)
    {
      p = g_new0 (ProductSums, 1);
      p->id = product;
      p->per_bucket = g_new0 (gint64, n_buckets);
      g_hash_table_insert (products, &p->id, p);
    }
  return p;
}

static gboolean name_products (CtDb         *db,
                               CtDashboard  *d,
                               GHashTable   *products,
                               GError      **error);

static gboolean
read_purchases (CtDb          *db,
                CtDashboard   *d,
                gint64         last_90_from,
                Totals        *totals,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GHashTable) products = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, product_sums_free);
  gint64 scan_from = MIN (d->previous.from, last_90_from);
  gint64 first;
  gboolean most = FALSE;
  guint n_rows = 0;
  int rc;

  /* Through the time index only for a sliver of the history: purchases
   * are stored in no particular order of time, and beyond a few percent
   * of them, jumping from the index to rows all over the table took
   * longer than reading it through (90 days of two years: 2 s against
   * 0.6 s on a million purchases; see also ct-kpi.c). */
  if (!first_purchase_time (db, &first, error))
    return FALSE;
  if (first != 0 && d->period.to > first)
    most = (double) (d->period.to - MAX (scan_from, first)) / (double) (d->period.to - first) > 0.03;

  stmt = ct_db_prepare (db,
                        most
                        ? "SELECT purchased_at, coalesce(product_id, 0), amount FROM purchases"
                          " WHERE refunded = 0 AND currency = ?1 AND +purchased_at >= ?2 AND +purchased_at < ?3"
                        : "SELECT purchased_at, coalesce(product_id, 0), amount FROM purchases"
                          " WHERE refunded = 0 AND currency = ?1 AND purchased_at >= ?2 AND purchased_at < ?3",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, d->currency, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, scan_from);
  sqlite3_bind_int64 (stmt, 3, d->period.to);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 t = sqlite3_column_int64 (stmt, 0);
      gint64 product = sqlite3_column_int64 (stmt, 1);
      gint64 amount = sqlite3_column_int64 (stmt, 2);
      int bucket;

      if ((++n_rows & 0xFFFF) == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      if (t >= last_90_from)
        totals->last_90_revenue += amount;
      if (t >= d->previous.from && t < d->previous.to)
        {
          totals->previous_revenue += amount;
          totals->previous_orders++;
          continue;
        }
      bucket = find_bucket (d, t);
      if (bucket < 0)
        continue;
      totals->revenue += amount;
      totals->orders++;
      d->revenue[bucket] += amount;

      {
        ProductSums *p = product_sums_get (products, product, d->n_buckets);

        p->total += amount;
        p->per_bucket[bucket] += amount;
      }
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the purchases"));
      return FALSE;
    }
  return name_products (db, d, products, error);
}

typedef struct
{
  CtDashboard *d;
  GHashTable  *products;
  guint        bucket;
  Totals      *totals;
} BucketSales;

static void
add_bucket_sales (gint64   product,
                  gint64   orders,
                  gint64   revenue,
                  gpointer user_data)
{
  BucketSales *b = user_data;
  ProductSums *p = product_sums_get (b->products, product, b->d->n_buckets);

  b->totals->revenue += revenue;
  b->totals->orders += orders;
  b->d->revenue[b->bucket] += revenue;
  p->total += revenue;
  p->per_bucket[b->bucket] += revenue;
}

/* What read_purchases() adds up, from the sales summaries (ct-rollup.h):
 * each bucket, the previous period and the last 90 days on their own,
 * a few thousand rows in all. */
static gboolean
read_sales (CtDb          *db,
            CtDashboard   *d,
            gint64         last_90_from,
            Totals        *totals,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GHashTable) products = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, product_sums_free);
  BucketSales b = { d, products, 0, totals };

  for (b.bucket = 0; b.bucket < d->n_buckets; b.bucket++)
    {
      gint64 from = d->bucket_starts[b.bucket];
      gint64 to = MIN (d->bucket_starts[b.bucket + 1], d->period.to);

      if (g_cancellable_set_error_if_cancelled (cancellable, error)
          || !ct_rollup_sales_foreach (db, d->currency, from, to, add_bucket_sales, &b, error))
        return FALSE;
    }
  if (!ct_rollup_sales_total (db, d->currency, d->previous.from, d->previous.to,
                              &totals->previous_orders, &totals->previous_revenue, error)
      || !ct_rollup_sales_total (db, d->currency, last_90_from, d->period.to,
                                 NULL, &totals->last_90_revenue, error))
    return FALSE;
  return name_products (db, d, products, error);
}

/* The biggest products of @products, then the rest together. */
static gboolean
name_products (CtDb         *db,
               CtDashboard  *d,
               GHashTable   *products,
               GError      **error)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, products);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (sorted, value);
  g_ptr_array_sort (sorted, compare_products);

  {
    guint n_named = MIN (sorted->len, CT_DASHBOARD_TOP_PRODUCTS);
    gboolean other = sorted->len > n_named;
    g_autoptr(sqlite3_stmt) name_stmt = ct_db_prepare (db, "SELECT name FROM products WHERE id = ?", error);

    if (name_stmt == NULL)
      return FALSE;

    d->n_products = n_named + (other ? 1 : 0);
    d->product_names = g_new0 (char *, d->n_products + 1);
    d->product_ids = g_new0 (gint64, d->n_products);
    d->product_revenue = g_new0 (gint64, (gsize) d->n_products * d->n_buckets);
    for (guint i = 0; i < sorted->len; i++)
      {
        ProductSums *p = g_ptr_array_index (sorted, i);
        guint row = MIN (i, n_named);

        for (guint b = 0; b < d->n_buckets; b++)
          d->product_revenue[(gsize) row * d->n_buckets + b] += p->per_bucket[b];
        if (i >= n_named)
          continue;

        d->product_ids[row] = p->id;
        sqlite3_reset (name_stmt);
        sqlite3_bind_int64 (name_stmt, 1, p->id);
        if (p->id != 0 && sqlite3_step (name_stmt) == SQLITE_ROW)
          d->product_names[row] = g_strdup ((const char *) sqlite3_column_text (name_stmt, 0));
        else
          /* A deleted product's purchases keep their amounts. */
          d->product_names[row] = g_strdup (_("No product"));
      }
    if (other)
      d->product_names[n_named] = g_strdup (_("Other products"));
  }
  return TRUE;
}

static gboolean
read_segments (CtDb         *db,
               CtDashboard  *d,
               GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  /* Revenue per segment is the customers' spending in the cache's
   * currency (monetary), as the analysis counted it. */
  stmt = ct_db_prepare (db,
                        "SELECT rfm_segment, count(*), coalesce(sum(monetary), 0) FROM contact_metrics"
                        " WHERE rfm_segment IS NOT NULL GROUP BY rfm_segment",
                        error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CtRfmSegment segment;

      if (!ct_rfm_segment_from_id ((const char *) sqlite3_column_text (stmt, 0), &segment))
        continue;
      d->segment_counts[segment] = sqlite3_column_int64 (stmt, 1);
      d->segment_revenue[segment] = sqlite3_column_int64 (stmt, 2);
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the segments"));
      return FALSE;
    }
  return TRUE;
}

static void
top_customer_clear (gpointer data)
{
  CtTopCustomer *c = data;

  g_free (c->name);
  g_free (c->email);
}

static gboolean
read_top_customers (CtDb         *db,
                    CtDashboard  *d,
                    GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = ct_db_prepare (db,
                        "SELECT c.id, c.first_name, c.last_name, coalesce(c.email, ''),"
                        " m.clv_predictive, m.p_alive, m.frequency, m.monetary, m.rfm_segment"
                        " FROM contact_metrics m JOIN contacts c ON c.id = m.contact_id"
                        " WHERE m.clv_predictive IS NOT NULL"
                        " ORDER BY m.clv_predictive DESC, c.id LIMIT ?",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, CT_DASHBOARD_TOP_CUSTOMERS);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CtTopCustomer c = { 0 };
      CtRfmSegment segment;

      c.contact_id = sqlite3_column_int64 (stmt, 0);
      c.name = ct_contact_format_name ((const char *) sqlite3_column_text (stmt, 1),
                                       (const char *) sqlite3_column_text (stmt, 2));
      c.email = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      c.clv_predictive = sqlite3_column_int64 (stmt, 4);
      c.p_alive = sqlite3_column_type (stmt, 5) == SQLITE_NULL ? NAN : sqlite3_column_double (stmt, 5);
      c.frequency = sqlite3_column_int64 (stmt, 6);
      c.monetary = sqlite3_column_int64 (stmt, 7);
      c.segment = sqlite3_column_type (stmt, 8) != SQLITE_NULL
                  && ct_rfm_segment_from_id ((const char *) sqlite3_column_text (stmt, 8), &segment)
                  ? (int) segment : -1;
      g_array_append_val (d->top_customers, c);
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the customers’ lifetime values"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_clusters (CtDb         *db,
               CtDashboard  *d,
               GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 n, step, k = 0;
  double scale = pow (10.0, ct_money_decimals (d->currency));
  int rc;

  n = ct_db_query_int64 (db, "SELECT count(*) FROM contact_metrics WHERE cluster IS NOT NULL", error);
  if (n < 0)
    return FALSE;
  d->n_clusters = (guint) MAX (ct_db_query_int64 (db, "SELECT coalesce(max(cluster) + 1, 0) FROM contact_metrics", NULL), 0);

  /* Every step-th customer: enough points to see the clusters' shapes,
   * few enough to draw at once and to keep a PDF small. */
  step = MAX (1, (n + CT_DASHBOARD_MAX_POINTS - 1) / CT_DASHBOARD_MAX_POINTS);
  /* In contact order from the contact_metrics_cluster_points index,
   * keeping every step-th row here: a window function numbering the
   * rows in SQL took several times as long. */
  stmt = ct_db_prepare (db,
                        "SELECT recency_days, monetary, cluster FROM contact_metrics"
                        " WHERE cluster IS NOT NULL AND recency_days IS NOT NULL ORDER BY contact_id",
                        error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CtClusterPoint p;

      if (++k % step != 0)
        continue;

      p.recency_days = sqlite3_column_double (stmt, 0);
      p.monetary = sqlite3_column_int64 (stmt, 1) / scale;
      p.cluster = (guint) sqlite3_column_int (stmt, 2);
      g_array_append_val (d->cluster_points, p);
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the clusters"));
      return FALSE;
    }
  return TRUE;
}

/* The campaigns launched in the period (automations' hidden campaigns
 * left out, as on the Campaigns page), with their results. */
static gboolean
read_campaigns (CtDb         *db,
                CtDashboard  *d,
                GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  stmt = ct_db_prepare (db,
                        "SELECT id FROM campaigns WHERE automation_id IS NULL"
                        " AND launched_at >= ?1 AND launched_at < ?2 ORDER BY launched_at, id",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, d->period.from);
  sqlite3_bind_int64 (stmt, 2, d->period.to);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the campaigns"));
      return FALSE;
    }
  for (guint i = 0; i < ids->len; i++)
    {
      CtCampaignInfo *info = ct_campaign_get_info (db, g_array_index (ids, gint64, i),
                                                   CT_CAMPAIGN_DEFAULT_WINDOW_DAYS, error);

      if (info == NULL)
        return FALSE;
      g_ptr_array_add (d->campaigns, info);
    }
  return TRUE;
}

/* Customers as of just before @when, as ct_kpis_load() counts them
 * (contacts with a purchase not refunded, in any currency), from the
 * first purchase time the contacts table keeps up to date: a third
 * read of every purchase only for the previous period's new customers
 * would take as long as the rest of the figures. */
static gboolean
count_customers_before (CtDb     *db,
                        gint64    when,
                        gint64   *count,
                        GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (ct_rollup_get_enabled (db))
    return ct_rollup_count_customers (db, when - 1, count, NULL, NULL, error);

  stmt = ct_db_prepare (db, "SELECT count(*) FROM contacts WHERE first_purchase_at < ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, when);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not count the customers"));
      return FALSE;
    }
  *count = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

static double
json_number (JsonObject *o,
             const char *member)
{
  JsonNode *node = o != NULL ? json_object_get_member (o, member) : NULL;

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE)
    return NAN;
  return json_node_get_double (node);
}

/* Spreads the analysis's forecast (the next 30, 90 days from its as-of
 * time) over the buckets after the period: a day is a thirtieth of the
 * first 30 days; the first month the first 30 days, the next two the
 * rest of the 90 halved. */
static void
plan_forecast (CtDashboard *d,
               JsonObject  *summary)
{
  JsonObject *forecast;
  double days_30, days_90, purchases_30, purchases_90;
  gint64 days;

  if (summary == NULL || !json_object_has_member (summary, "forecast"))
    return;
  forecast = json_object_get_object_member (summary, "forecast");
  if (forecast == NULL || json_object_has_member (forecast, "error"))
    return;
  /* The forecast starts when the analysis was made: only a period that
   * ends then (give or take a month) continues into it. */
  if (d->analysis_as_of < d->period.from
      || llabs (d->period.to - d->analysis_as_of) > 31 * SECONDS_PER_DAY)
    return;

  days_30 = json_number (forecast, "days_30");
  days_90 = json_number (forecast, "days_90");
  purchases_30 = json_number (forecast, "purchases_30");
  purchases_90 = json_number (forecast, "purchases_90");
  if (!isfinite (days_30) || !isfinite (days_90) || !isfinite (purchases_30) || !isfinite (purchases_90))
    return;

  days = (d->period.to - d->period.from) / SECONDS_PER_DAY;
  d->n_forecast = days > DAILY_MAX_DAYS ? 3 : 30;
}

static void
fill_forecast (CtDashboard *d,
               JsonObject  *summary)
{
  JsonObject *forecast;
  double scale = pow (10.0, ct_money_decimals (d->currency));
  double days_30, days_90, purchases_30, purchases_90;

  if (d->n_forecast == 0)
    return;
  forecast = json_object_get_object_member (summary, "forecast");
  days_30 = json_number (forecast, "days_30") * scale;
  days_90 = json_number (forecast, "days_90") * scale;
  purchases_30 = json_number (forecast, "purchases_30");
  purchases_90 = json_number (forecast, "purchases_90");

  d->forecast = g_new0 (double, d->n_forecast);
  d->forecast_low = g_new0 (double, d->n_forecast);
  d->forecast_high = g_new0 (double, d->n_forecast);
  for (guint i = 0; i < d->n_forecast; i++)
    {
      double revenue, purchases, spread;

      if (d->monthly)
        {
          revenue = i == 0 ? days_30 : (days_90 - days_30) / 2;
          purchases = i == 0 ? purchases_30 : (purchases_90 - purchases_30) / 2;
        }
      else
        {
          revenue = days_30 / 30;
          purchases = purchases_30 / 30;
        }
      revenue = MAX (revenue, 0);
      purchases = MAX (purchases, 0);
      spread = purchases > 0 ? Z_80 * (revenue / purchases) * sqrt (purchases) : 0;
      d->forecast[i] = revenue;
      d->forecast_low[i] = MAX (revenue - spread, 0);
      d->forecast_high[i] = revenue + spread;
    }
}

/**
 * ct_dashboard_load:
 * @tz: (nullable): %NULL for local time
 * @cancellable: (nullable)
 *
 * Reads in one read transaction, so that every figure describes the same
 * moment even while another connection imports.
 */
CtDashboard *
ct_dashboard_load (CtDb            *db,
                   const CtPeriod  *period,
                   GTimeZone       *tz,
                   GCancellable    *cancellable,
                   GError         **error)
{
  g_autoptr(CtDashboard) d = g_new0 (CtDashboard, 1);
  g_autoptr(GTimeZone) zone = zone_or_local (tz);
  g_autoptr(GArray) customers = NULL;
  g_autofree char *from_month = NULL;
  g_autofree char *to_month = NULL;
  g_autofree char *currency = NULL;
  JsonObject *summary = NULL;
  CtKpis end, start;
  gint64 customers_before = 0;
  Totals totals = { 0 };
  gint64 last_90_from;
  gboolean rollups = ct_rollup_get_enabled (db);
  gboolean ok = FALSE;

  g_return_val_if_fail (CT_IS_DB (db), NULL);
  g_return_val_if_fail (period != NULL && period->to > period->from, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  d->period = *period;
  ct_period_get_previous (period, &d->previous);
  d->top_customers = g_array_new (FALSE, TRUE, sizeof (CtTopCustomer));
  g_array_set_clear_func (d->top_customers, top_customer_clear);
  d->cluster_points = g_array_new (FALSE, FALSE, sizeof (CtClusterPoint));
  d->campaigns = g_ptr_array_new_with_free_func ((GDestroyNotify) ct_campaign_info_free);
  for (guint s = 0; s < CT_RFM_N_SEGMENTS; s++)
    d->segment_counts[s] = d->segment_revenue[s] = 0;

  if (!ct_db_exec (db, "SAVEPOINT ct_dashboard", error))
    return NULL;

  do
    {
      d->analysis = ct_analytics_load_last (db, error);
      if (d->analysis == NULL && error != NULL && *error != NULL)
        break;
      if (d->analysis != NULL)
        {
          summary = json_node_get_object (d->analysis);
          d->has_analysis = TRUE;
          /* A summary written by another version may lack a member:
           * a missing date reads as "long ago", never as a crash. */
          d->analysis_as_of = json_object_get_int_member_with_default (summary, "as_of", 0);
        }

      /* The main currency: every amount on one page in one currency. The
       * analysis found it already (and its segments' amounts are in it);
       * asking ct_stats_load() again would read every purchase once more.
       * The app runs the analysis again when purchases change. */
      if (summary != NULL && json_object_has_member (summary, "currency"))
        currency = g_strdup (json_object_get_string_member (summary, "currency"));
      if (rollups)
        {
          /* The customers come from the summaries (ct-rollup.h), so
           * only the currency is left to find when no analysis did. */
          CtStats stats;

          if (currency == NULL)
            {
              if (!ct_stats_load (db, &stats, error))
                break;
              currency = g_strdup (stats.currency);
            }
        }
      else
        {
          customers = ct_rfm_load_customers (db, period->to - 1, currency,
                                             currency == NULL ? &currency : NULL, error);
          if (customers == NULL)
            break;
        }
      g_strlcpy (d->currency, currency, sizeof d->currency);

      plan_forecast (d, summary);
      make_buckets (d, zone);
      fill_forecast (d, summary);

      last_90_from = period->to - 90 * SECONDS_PER_DAY;
      if (rollups ? !read_sales (db, d, last_90_from, &totals, cancellable, error)
                  : !read_purchases (db, d, last_90_from, &totals, cancellable, error))
        break;

      if (!ct_kpis_load (db, period->to - 1, d->currency, customers, &end, error)
          || !ct_kpis_load (db, period->from - 1, d->currency, NULL, &start, error)
          || !count_customers_before (db, d->previous.from, &customers_before, error)
          || !ct_funnel_load (db, period->to - 1, CT_FUNNEL_DEFAULT_LOYAL_PURCHASES, customers, &d->funnel, error))
        break;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        break;

      {
        g_autoptr(GDateTime) from_utc = g_date_time_new_from_unix_utc (period->from);
        g_autoptr(GDateTime) to_utc = g_date_time_new_from_unix_utc (period->to - 1);
        g_autoptr(GDateTime) from = g_date_time_to_timezone (from_utc, zone);
        g_autoptr(GDateTime) to = g_date_time_to_timezone (to_utc, zone);

        from_month = g_date_time_format (from, "%Y-%m");
        to_month = g_date_time_format (to, "%Y-%m");
      }
      d->channels = ct_channel_costs_load (db, from_month, to_month, d->currency, zone, error);
      if (d->channels == NULL)
        break;

      d->retention = ct_retention_load (db, period->to - 1, zone, error);
      if (d->retention == NULL)
        break;

      if (d->has_analysis
          && (!read_segments (db, d, error) || !read_top_customers (db, d, error)
              || !read_clusters (db, d, error)))
        break;
      if (!read_campaigns (db, d, error))
        break;

      ok = TRUE;
    }
  while (FALSE);

  if (!ok)
    ct_db_exec (db, "ROLLBACK TO ct_dashboard", NULL);
  ct_db_exec (db, "RELEASE ct_dashboard", NULL);
  if (!ok)
    return NULL;

  /* Key figures: this period against the one before. */
  d->kpis[CT_KPI_REVENUE] = (CtKpiCard) { totals.revenue, totals.previous_revenue, TRUE, CT_CHART_UNIT_MONEY };
  d->kpis[CT_KPI_CUSTOMERS] = (CtKpiCard) { end.customers, start.customers, TRUE, CT_CHART_UNIT_COUNT };
  d->kpis[CT_KPI_NEW_CUSTOMERS] = (CtKpiCard) { end.customers - start.customers,
                                                start.customers - customers_before, TRUE, CT_CHART_UNIT_COUNT };
  d->kpis[CT_KPI_AVERAGE_ORDER_VALUE] = (CtKpiCard) {
    totals.orders > 0 ? round ((double) totals.revenue / totals.orders) : 0,
    totals.previous_orders > 0 ? round ((double) totals.previous_revenue / totals.previous_orders) : 0,
    TRUE, CT_CHART_UNIT_MONEY };
  d->kpis[CT_KPI_REPEAT_RATE] = (CtKpiCard) { end.repeat_purchase_rate, start.repeat_purchase_rate,
                                              TRUE, CT_CHART_UNIT_PERCENT };
  d->kpis[CT_KPI_CONVERSION_RATE] = (CtKpiCard) { end.conversion_rate, start.conversion_rate,
                                                  TRUE, CT_CHART_UNIT_PERCENT };
  /* The forecast against what the last 90 days brought. */
  {
    JsonObject *forecast = summary != NULL && json_object_has_member (summary, "forecast")
                           ? json_object_get_object_member (summary, "forecast") : NULL;
    double days_90 = json_number (forecast, "days_90");

    d->kpis[CT_KPI_FORECAST_90] = (CtKpiCard) {
      isfinite (days_90) ? round (days_90 * pow (10.0, ct_money_decimals (d->currency))) : 0,
      totals.last_90_revenue, isfinite (days_90), CT_CHART_UNIT_MONEY };
  }

  return g_steal_pointer (&d);
}

void
ct_dashboard_free (CtDashboard *d)
{
  if (d == NULL)
    return;
  g_strfreev (d->bucket_labels);
  g_free (d->bucket_starts);
  g_free (d->revenue);
  g_free (d->forecast);
  g_free (d->forecast_low);
  g_free (d->forecast_high);
  g_strfreev (d->product_names);
  g_free (d->product_ids);
  g_free (d->product_revenue);
  g_clear_pointer (&d->channels, g_array_unref);
  g_clear_pointer (&d->analysis, json_node_unref);
  g_clear_pointer (&d->top_customers, g_array_unref);
  g_clear_pointer (&d->cluster_points, g_array_unref);
  g_clear_pointer (&d->retention, ct_retention_free);
  g_clear_pointer (&d->campaigns, g_ptr_array_unref);
  g_free (d);
}

/* ------------------------------------------------------------------ */
/* Key figures as text */

const char *
ct_kpi_get_label (CtKpiId kpi)
{
  switch (kpi)
    {
    case CT_KPI_REVENUE:
      return _("Revenue");
    case CT_KPI_CUSTOMERS:
      return _("Customers");
    case CT_KPI_NEW_CUSTOMERS:
      return _("New customers");
    case CT_KPI_AVERAGE_ORDER_VALUE:
      return _("Average order value");
    case CT_KPI_REPEAT_RATE:
      return _("Repeat purchase rate");
    case CT_KPI_CONVERSION_RATE:
      return _("Conversion rate");
    case CT_KPI_FORECAST_90:
      return _("Predicted revenue, next 90 days");
    case CT_KPI_N:
    default:
      g_return_val_if_reached (NULL);
    }
}

static char *
format_card_value (const CtDashboard *d,
                   const CtKpiCard   *card,
                   double             value,
                   gboolean           compact)
{
  switch (card->unit)
    {
    case CT_CHART_UNIT_MONEY:
      if (compact)
        return ct_money_format_compact ((gint64) value, d->currency, CT_NUMBER_STYLE_AUTO);
      return ct_money_format ((gint64) value, d->currency);
    case CT_CHART_UNIT_PERCENT:
      return g_strdup_printf ("%.1f%%", 100.0 * value);
    case CT_CHART_UNIT_COUNT:
    case CT_CHART_UNIT_DAYS:
    default:
      if (compact && fabs (value) >= 10000)
        return ct_number_format_compact (value, CT_NUMBER_STYLE_AUTO);
      {
        g_autofree char *digits = g_strdup_printf ("%.0f", fabs (value));
        GString *out = g_string_new (value < 0 ? "-" : "");
        gsize len = strlen (digits);

        for (gsize i = 0; i < len; i++)
          {
            if (i > 0 && (len - i) % 3 == 0)
              g_string_append_c (out, ',');
            g_string_append_c (out, digits[i]);
          }
        return g_string_free (out, FALSE);
      }
    }
}

/**
 * ct_dashboard_format_kpi:
 *
 * Returns: (transfer full): the value of this period or, with
 * @previous, of the one before; "—" when unknown
 */
char *
ct_dashboard_format_kpi (const CtDashboard *d,
                         CtKpiId            kpi,
                         gboolean           previous,
                         gboolean           compact)
{
  const CtKpiCard *card;

  g_return_val_if_fail (kpi < CT_KPI_N, NULL);
  card = &d->kpis[kpi];
  if (!card->known && !previous)
    return g_strdup ("—");
  return format_card_value (d, card, previous ? card->previous : card->value, compact);
}

char *
ct_dashboard_format_change (const CtDashboard *d,
                            CtKpiId            kpi,
                            int               *direction)
{
  const CtKpiCard *card;
  int dir = 0;

  g_return_val_if_fail (kpi < CT_KPI_N, NULL);
  card = &d->kpis[kpi];
  if (direction != NULL)
    *direction = 0;
  if (!card->known)
    return g_strdup ("—");

  if (card->value > card->previous)
    dir = 1;
  else if (card->value < card->previous)
    dir = -1;
  if (direction != NULL)
    *direction = dir;

  if (card->unit == CT_CHART_UNIT_PERCENT)
    /* Translators: a change of a rate in percentage points: "+1.2 pts" */
    return g_strdup_printf (_("%+.1f pts"), 100.0 * (card->value - card->previous));
  if (card->previous == 0)
    /* Nothing to divide by: say it plainly. */
    return g_strdup (card->value == 0 ? _("no change") : _("new"));
  return g_strdup_printf ("%+.1f%%", 100.0 * (card->value - card->previous) / fabs (card->previous));
}

/* ------------------------------------------------------------------ */
/* Charts */

static CtChart *
make_revenue_chart (const CtDashboard *d)
{
  guint n = d->n_buckets + d->n_forecast;
  double scale = pow (10.0, ct_money_decimals (d->currency));
  g_autofree double *actual = g_new (double, n);
  CtChart *chart = ct_chart_new (CT_CHART_LINE,
                                 d->n_forecast > 0 ? _("Revenue and forecast") : _("Revenue"));

  ct_chart_set_categories (chart, (const char * const *) d->bucket_labels);
  ct_chart_set_axis (chart, CT_CHART_AXIS_Y, _("Revenue"), CT_CHART_UNIT_MONEY);
  for (guint i = 0; i < n; i++)
    actual[i] = i < d->n_buckets ? d->revenue[i] / scale : NAN;
  ct_chart_add_series (chart, _("Revenue"), actual, n);

  if (d->n_forecast > 0)
    {
      g_autofree double *forecast = g_new (double, n);
      g_autofree double *low = g_new (double, n);
      g_autofree double *high = g_new (double, n);
      guint s;

      for (guint i = 0; i < n; i++)
        {
          gboolean future = i >= d->n_buckets;

          /* The forecast line starts from the last actual figure. */
          forecast[i] = future ? d->forecast[i - d->n_buckets] / scale
                        : i + 1 == d->n_buckets ? actual[i] : NAN;
          low[i] = future ? d->forecast_low[i - d->n_buckets] / scale : NAN;
          high[i] = future ? d->forecast_high[i - d->n_buckets] / scale : NAN;
        }
      s = ct_chart_add_series (chart, _("Forecast"), forecast, n);
      ct_chart_set_series_dashed (chart, s, TRUE);
      ct_chart_set_series_band (chart, s, low, high, n);
    }
  return chart;
}

static CtChart *
make_products_chart (const CtDashboard *d)
{
  double scale = pow (10.0, ct_money_decimals (d->currency));
  g_autofree double *values = g_new (double, d->n_buckets);
  g_auto(GStrv) labels = g_new0 (char *, d->n_buckets + 1);
  CtChart *chart = ct_chart_new (CT_CHART_STACKED_BAR, _("Revenue by product"));

  for (guint b = 0; b < d->n_buckets; b++)
    labels[b] = g_strdup (d->bucket_labels[b]);
  ct_chart_set_categories (chart, (const char * const *) labels);
  ct_chart_set_axis (chart, CT_CHART_AXIS_Y, _("Revenue"), CT_CHART_UNIT_MONEY);
  for (guint p = 0; p < d->n_products; p++)
    {
      for (guint b = 0; b < d->n_buckets; b++)
        values[b] = d->product_revenue[(gsize) p * d->n_buckets + b] / scale;
      ct_chart_add_series (chart, d->product_names[p], values, d->n_buckets);
    }
  ct_chart_set_empty_text (chart, _("No purchases in this period"));
  return chart;
}

static CtChart *
make_channel_chart (const CtDashboard *d,
                    gboolean           cost)
{
  guint n = d->channels->len;
  g_auto(GStrv) labels = g_new0 (char *, n + 1);
  g_autofree double *values = g_new (double, MAX (n, 1));
  double scale = pow (10.0, ct_money_decimals (d->currency));
  CtChart *chart = ct_chart_new (CT_CHART_BAR, cost ? _("Acquisition cost by channel")
                                                    : _("New customers by channel"));

  for (guint i = 0; i < n; i++)
    {
      const CtChannelCost *c = &g_array_index (d->channels, CtChannelCost, i);

      labels[i] = g_strdup (c->name);
      if (cost)
        values[i] = c->new_customers > 0 && c->spend > 0 ? c->cost_per_customer / scale : NAN;
      else
        values[i] = (double) c->new_customers;
    }
  ct_chart_set_categories (chart, (const char * const *) labels);
  if (cost)
    ct_chart_set_axis (chart, CT_CHART_AXIS_Y, _("Cost per new customer"), CT_CHART_UNIT_MONEY);
  else
    ct_chart_set_axis (chart, CT_CHART_AXIS_Y, _("New customers"), CT_CHART_UNIT_COUNT);
  ct_chart_add_series (chart, cost ? _("Acquisition cost") : _("New customers"), values, n);
  ct_chart_set_empty_text (chart, cost ? _("No channel spend entered for this period")
                                       : _("No new customers from a channel in this period"));
  return chart;
}

static CtChart *
make_segments_chart (const CtDashboard *d)
{
  const char *labels[CT_RFM_N_SEGMENTS + 1];
  double values[CT_RFM_N_SEGMENTS];
  CtChart *chart = ct_chart_new (CT_CHART_DONUT, _("Customers by RFM segment"));

  for (guint s = 0; s < CT_RFM_N_SEGMENTS; s++)
    {
      labels[s] = ct_rfm_segment_get_label (s);
      values[s] = (double) d->segment_counts[s];
    }
  labels[CT_RFM_N_SEGMENTS] = NULL;
  ct_chart_set_categories (chart, labels);
  ct_chart_set_axis (chart, CT_CHART_AXIS_Y, _("customers"), CT_CHART_UNIT_COUNT);
  ct_chart_add_series (chart, _("Customers"), values, CT_RFM_N_SEGMENTS);
  ct_chart_set_empty_text (chart, _("Run the analysis to see the segments"));
  return chart;
}

static CtChart *
make_funnel_chart (const CtDashboard *d)
{
  const char *labels[6];
  double values[5] = { d->funnel.potential, d->funnel.contacted, d->funnel.converted,
                       d->funnel.retained, d->funnel.loyal };
  CtChart *chart = ct_chart_new (CT_CHART_FUNNEL, _("Lifecycle funnel"));

  for (guint i = 0; i < 5; i++)
    labels[i] = ct_funnel_stage_get_label (i);
  labels[5] = NULL;
  ct_chart_set_categories (chart, labels);
  ct_chart_set_axis (chart, CT_CHART_AXIS_Y, _("contacts"), CT_CHART_UNIT_COUNT);
  ct_chart_add_series (chart, _("Contacts"), values, 5);
  ct_chart_set_empty_text (chart, _("No contacts yet"));
  return chart;
}

static CtChart *
make_retention_chart (const CtDashboard *d)
{
  const CtRetention *r = d->retention;
  CtChart *chart = ct_chart_new (CT_CHART_HEATMAP, _("Retention by first-purchase month"));
  guint first = r->n_cohorts > CT_DASHBOARD_MAX_COHORTS ? r->n_cohorts - CT_DASHBOARD_MAX_COHORTS : 0;
  /* Months since the first purchase, from the month after it: month 0
   * is everyone, by definition. */
  guint n_cols = r->n_cohorts > first + 1 ? r->n_cohorts - first - 1 : 0;
  g_auto(GStrv) columns = g_new0 (char *, n_cols + 1);
  g_autofree double *values = g_new (double, MAX (n_cols, 1));

  for (guint c = 0; c < n_cols; c++)
    columns[c] = g_strdup_printf ("%u", c + 1);
  ct_chart_set_categories (chart, (const char * const *) columns);
  ct_chart_set_axis (chart, CT_CHART_AXIS_X, _("Months since the first purchase"), CT_CHART_UNIT_COUNT);
  ct_chart_set_axis (chart, CT_CHART_AXIS_Y, NULL, CT_CHART_UNIT_PERCENT);
  for (guint row = first; n_cols > 0 && row < r->n_cohorts; row++)
    {
      for (guint c = 0; c < n_cols; c++)
        values[c] = c + 1 < r->n_offsets ? ct_retention_get_share (r, row, c + 1) : -1;
      ct_chart_add_series (chart, r->months[row], values, n_cols);
    }
  ct_chart_set_empty_text (chart, _("Retention shows after two months of purchases"));
  return chart;
}

static CtChart *
make_clusters_chart (const CtDashboard *d)
{
  CtChart *chart = ct_chart_new (CT_CHART_SCATTER, _("Customer clusters by recency and spend"));
  guint n = d->cluster_points->len;
  g_autofree double *x = g_new (double, MAX (n, 1));
  g_autofree double *y = g_new (double, MAX (n, 1));

  ct_chart_set_axis (chart, CT_CHART_AXIS_X, _("Days since the last purchase"), CT_CHART_UNIT_COUNT);
  ct_chart_set_axis (chart, CT_CHART_AXIS_Y, _("Spent"), CT_CHART_UNIT_MONEY);
  ct_chart_set_log_scale (chart, CT_CHART_AXIS_Y, TRUE);
  ct_chart_set_empty_text (chart, _("Run the analysis to see the clusters"));
  for (guint k = 0; k < d->n_clusters; k++)
    {
      g_autofree char *name = g_strdup_printf (_("Cluster %u"), k + 1);
      guint m = 0;

      for (guint i = 0; i < n; i++)
        {
          const CtClusterPoint *p = &g_array_index (d->cluster_points, CtClusterPoint, i);

          if (p->cluster != k)
            continue;
          x[m] = p->recency_days;
          y[m] = p->monetary;
          m++;
        }
      ct_chart_add_points (chart, name, x, y, m);
    }
  return chart;
}

/**
 * ct_dashboard_make_chart:
 *
 * Returns: (transfer full): a new chart of the dashboard's data
 */
CtChart *
ct_dashboard_make_chart (const CtDashboard *d,
                         CtDashboardChart   which,
                         gboolean           dark)
{
  CtChart *chart;

  g_return_val_if_fail (d != NULL, NULL);

  switch (which)
    {
    case CT_DASHBOARD_CHART_REVENUE:
      chart = make_revenue_chart (d);
      break;
    case CT_DASHBOARD_CHART_PRODUCTS:
      chart = make_products_chart (d);
      break;
    case CT_DASHBOARD_CHART_CHANNEL_CUSTOMERS:
      chart = make_channel_chart (d, FALSE);
      break;
    case CT_DASHBOARD_CHART_CHANNEL_COST:
      chart = make_channel_chart (d, TRUE);
      break;
    case CT_DASHBOARD_CHART_SEGMENTS:
      chart = make_segments_chart (d);
      break;
    case CT_DASHBOARD_CHART_FUNNEL:
      chart = make_funnel_chart (d);
      break;
    case CT_DASHBOARD_CHART_RETENTION:
      chart = make_retention_chart (d);
      break;
    case CT_DASHBOARD_CHART_CLUSTERS:
      chart = make_clusters_chart (d);
      break;
    case CT_DASHBOARD_N_CHARTS:
    default:
      g_return_val_if_reached (NULL);
    }
  ct_chart_set_currency (chart, d->currency);
  ct_chart_set_dark (chart, dark);
  return chart;
}

gboolean
ct_dashboard_hit_filter (const CtDashboard     *d,
                         CtDashboardChart       which,
                         const CtChartHit      *hit,
                         CtDashboardFilterKind *kind,
                         gint64                *id)
{
  *kind = CT_DASHBOARD_FILTER_NONE;
  *id = 0;
  switch (which)
    {
    case CT_DASHBOARD_CHART_PRODUCTS:
      if (hit->series < 0 || (guint) hit->series >= d->n_products)
        return FALSE;
      *kind = CT_DASHBOARD_FILTER_PRODUCT;
      *id = d->product_ids[hit->series];
      return TRUE;
    case CT_DASHBOARD_CHART_CHANNEL_CUSTOMERS:
    case CT_DASHBOARD_CHART_CHANNEL_COST:
      if (hit->index < 0 || (guint) hit->index >= d->channels->len)
        return FALSE;
      *kind = CT_DASHBOARD_FILTER_CHANNEL;
      *id = g_array_index (d->channels, CtChannelCost, hit->index).channel_id;
      return TRUE;
    case CT_DASHBOARD_CHART_SEGMENTS:
      if (hit->index < 0 || hit->index >= CT_RFM_N_SEGMENTS)
        return FALSE;
      *kind = CT_DASHBOARD_FILTER_RFM_SEGMENT;
      *id = hit->index;
      return TRUE;
    case CT_DASHBOARD_CHART_FUNNEL:
      if (hit->index < 0 || hit->index > 4)
        return FALSE;
      *kind = CT_DASHBOARD_FILTER_FUNNEL_STAGE;
      *id = hit->index;
      return TRUE;
    case CT_DASHBOARD_CHART_CLUSTERS:
      if (hit->series < 0 || (guint) hit->series >= d->n_clusters)
        return FALSE;
      *kind = CT_DASHBOARD_FILTER_CLUSTER;
      *id = hit->series;
      return TRUE;
    case CT_DASHBOARD_CHART_RETENTION:
      if (hit->series < 0)
        return FALSE;
      *kind = CT_DASHBOARD_FILTER_COHORT;
      *id = (d->retention->n_cohorts > CT_DASHBOARD_MAX_COHORTS
             ? d->retention->n_cohorts - CT_DASHBOARD_MAX_COHORTS : 0) + hit->series;
      return TRUE;
    case CT_DASHBOARD_CHART_REVENUE:
    default:
      return FALSE;
    }
}
