/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-report.c: the dashboard and the PDF report next to the SQL that
 * feeds them
 *
 * Run with `meson test --benchmark -C build -v` (or run the executable;
 * CLIENTELE_BENCH_CONTACTS=N picks another size, CLIENTELE_BENCH_DB an
 * existing database that already holds a stored analysis). Without one,
 * it fills a temporary database with ct_demo_generate() in a child
 * process (100,000 contacts, about a million purchases) and stores an
 * analysis, so that the analytics are cached as they are when the app
 * opens the dashboard.
 *
 * First ct_rollup_refresh(), as the Dashboard page calls it (after a
 * migration it works out every customer once; then it has nothing to
 * do). For each period (12 months, 30 days), once the figures read
 * from the purchases themselves (ct_rollup_set_enabled (db, FALSE), the
 * way before the summaries: "without summaries"), then three rounds of:
 *   - "sql": the reads the dashboard is made of, each on its own: the
 *     last analysis, the sales summaries of every bucket, the previous
 *     period and the last 90 days, ct_kpis_load twice, the customers
 *     before the previous period, ct_funnel_load, ct_channel_costs_load,
 *     ct_retention_load and the analysis cache's segments, clusters and
 *     top customers; their sum is the baseline;
 *   - "dashboard": ct_dashboard_load() plus drawing its eight charts at
 *     560 × 320 on an image surface, what the Dashboard page does;
 *   - "report": ct_dashboard_load() plus ct_report_write_pdf().
 *
 * Output format, one measurement a line:
 *
 *   <what, padded to 46 columns> <milliseconds, "%10.1f ms"> [ <ratio>x sql]
 *
 * the ratio being the time over the "sql total" of the same period and
 * round. Lines starting with "#" are context. Nothing here fails on a
 * threshold (the goals: dashboard under 300 ms, report under 3 s).
 */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "ct-analytics.h"
#include "ct-dashboard.h"
#include "ct-demo.h"
#include "ct-kpi.h"
#include "ct-report.h"
#include "ct-rfm.h"
#include "ct-rollup.h"

/* 2025-01-01 00:00 UTC, as bench-analytics. */
#define NOW G_GINT64_CONSTANT (1735689600)
#define ROUNDS 3

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static void
report (const char *what,
        double      ms,
        double      baseline)
{
  if (baseline > 0)
    g_print ("%-46s %10.1f ms  %.2fx sql\n", what, ms, ms / baseline);
  else
    g_print ("%-46s %10.1f ms\n", what, ms);
}

static void
generate (const char *path,
          guint       n_contacts)
{
  CtDemoOptions options = { n_contacts, 1, NOW };
  pid_t pid;
  int wait_status = 0;

  fflush (stdout);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CtDb) db = ct_db_open (path, &error);
      g_autoptr(JsonNode) summary = NULL;
      CtAnalyticsOptions analytics;
      double t0 = now_ms ();

      g_assert_no_error (error);
      g_assert_true (ct_demo_generate (db, &options, NULL, NULL, NULL, &error));
      g_assert_no_error (error);
      g_print ("# ct_demo_generate: %.1f ms\n", now_ms () - t0);
      t0 = now_ms ();
      ct_analytics_options_init (&analytics);
      analytics.as_of = NOW;
      summary = ct_analytics_compute (db, &analytics, TRUE, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      g_print ("# ct_analytics_compute (stored): %.1f ms\n", now_ms () - t0);
      g_clear_object (&db);
      fflush (stdout);
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &wait_status, 0), ==, pid);
  g_assert_true (WIFEXITED (wait_status) && WEXITSTATUS (wait_status) == 0);
}

static double
time_statement (CtDb       *db,
                const char *sql,
                gint64      a,
                gint64      b,
                const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, sql, &error);
  double t0 = now_ms ();
  int rc;

  g_assert_no_error (error);
  if (text != NULL)
    sqlite3_bind_text (stmt, 1, text, -1, SQLITE_STATIC);
  if (a != G_MININT64)
    sqlite3_bind_int64 (stmt, text != NULL ? 2 : 1, a);
  if (b != G_MININT64)
    sqlite3_bind_int64 (stmt, text != NULL ? 3 : 2, b);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ;
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  return now_ms () - t0;
}

static void
ignore_sales (gint64   product_id,
              gint64   orders,
              gint64   revenue,
              gpointer user_data)
{
  *(gint64 *) user_data += revenue;
}

/* The reads of ct_dashboard_load(), one by one; returns their sum. With
 * the summaries (ct-rollup.h), as the dashboard reads now; without, the
 * purchases read directly as before them, for comparison. */
static double
time_sql (CtDb           *db,
          const CtPeriod *period,
          const char     *currency,
          GTimeZone      *tz,
          gboolean        verbose)
{
  g_autoptr(GError) error = NULL;
  double total = 0, t0, ms;
  CtPeriod previous;
  CtKpis kpis;
  CtFunnel funnel;
  gboolean rollups = ct_rollup_get_enabled (db);
  gint64 first = ct_db_query_int64 (db, "SELECT min(purchased_at) FROM purchases WHERE refunded = 0", NULL);

  ct_period_get_previous (period, &previous);

#define STEP(what, code) \
  G_STMT_START { \
    t0 = now_ms (); \
    code; \
    ms = now_ms () - t0; \
    total += ms; \
    if (verbose) \
      report ("  sql " what, ms, 0); \
  } G_STMT_END

  {
    g_autoptr(JsonNode) last = NULL;
    g_autoptr(GArray) customers = NULL;
    g_autoptr(GArray) channels = NULL;
    g_autoptr(CtRetention) retention = NULL;
    gint64 sink = 0;

    STEP ("ct_analytics_load_last", last = ct_analytics_load_last (db, &error));
    g_assert_no_error (error);
    if (rollups)
      {
        /* The same pieces as ct-dashboard.c's read_sales(): a bucket per
         * day or month, the previous period, the last 90 days. */
        g_autoptr(CtDashboard) shape = NULL;

        shape = ct_dashboard_load (db, period, tz, NULL, &error);
        g_assert_no_error (error);
        STEP ("sales summaries of both periods",
              for (guint b = 0; b < shape->n_buckets; b++)
                g_assert_true (ct_rollup_sales_foreach (db, currency, shape->bucket_starts[b],
                                                        MIN (shape->bucket_starts[b + 1], period->to),
                                                        ignore_sales, &sink, &error));
              g_assert_true (ct_rollup_sales_total (db, currency, previous.from, previous.to, NULL, &sink, &error));
              g_assert_true (ct_rollup_sales_total (db, currency, period->to - 90 * 86400, period->to, NULL, &sink, &error)));
        g_assert_no_error (error);
        STEP ("ct_kpis_load (end)", ct_kpis_load (db, period->to - 1, currency, NULL, &kpis, &error));
        g_assert_no_error (error);
      }
    else
      {
        STEP ("ct_rfm_load_customers", customers = ct_rfm_load_customers (db, period->to - 1, currency, NULL, &error));
        g_assert_no_error (error);
        /* The same statement as ct-dashboard.c's read of the purchases,
         * with the table read through (periods of more than 3% of the
         * history) or through the time index. */
        if ((double) (period->to - MAX (MIN (previous.from, period->to - 90 * 86400), first))
            > 0.03 * (double) (period->to - first))
          STEP ("purchases of both periods", ms = time_statement (db, "SELECT purchased_at, coalesce(product_id, 0), amount FROM purchases"
                                                                  " WHERE refunded = 0 AND currency = ?1 AND +purchased_at >= ?2 AND +purchased_at < ?3",
                                                                  MIN (previous.from, period->to - 90 * 86400), period->to, currency));
        else
          STEP ("purchases of both periods", ms = time_statement (db, "SELECT purchased_at, coalesce(product_id, 0), amount FROM purchases"
                                                                  " WHERE refunded = 0 AND currency = ?1 AND purchased_at >= ?2 AND purchased_at < ?3",
                                                                  MIN (previous.from, period->to - 90 * 86400), period->to, currency));
        STEP ("ct_kpis_load (end, customers given)", ct_kpis_load (db, period->to - 1, currency, customers, &kpis, &error));
        g_assert_no_error (error);
      }
    STEP ("ct_kpis_load (start)", ct_kpis_load (db, period->from - 1, currency, NULL, &kpis, &error));
    g_assert_no_error (error);
    if (rollups)
      STEP ("customers before the previous period",
            g_assert_true (ct_rollup_count_customers (db, previous.from - 1, &sink, NULL, NULL, &error)));
    else
      STEP ("customers before the previous period", ms = time_statement (db, "SELECT count(*) FROM contacts WHERE first_purchase_at < ?",
                                                                         previous.from, G_MININT64, NULL));
    STEP ("ct_funnel_load", ct_funnel_load (db, period->to - 1, CT_FUNNEL_DEFAULT_LOYAL_PURCHASES, customers, &funnel, &error));
    g_assert_no_error (error);
    {
      g_autoptr(GDateTime) from_utc = g_date_time_new_from_unix_utc (period->from);
      g_autoptr(GDateTime) to_utc = g_date_time_new_from_unix_utc (period->to - 1);
      g_autoptr(GDateTime) from = g_date_time_to_timezone (from_utc, tz);
      g_autoptr(GDateTime) to = g_date_time_to_timezone (to_utc, tz);
      g_autofree char *from_month = g_date_time_format (from, "%Y-%m");
      g_autofree char *to_month = g_date_time_format (to, "%Y-%m");

      STEP ("ct_channel_costs_load", channels = ct_channel_costs_load (db, from_month, to_month, currency, tz, &error));
      g_assert_no_error (error);
    }
    STEP ("ct_retention_load", retention = ct_retention_load (db, period->to - 1, tz, &error));
    g_assert_no_error (error);
    STEP ("segments (contact_metrics)", ms = time_statement (db, "SELECT rfm_segment, count(*), coalesce(sum(monetary), 0) FROM contact_metrics"
                                                             " WHERE rfm_segment IS NOT NULL GROUP BY rfm_segment", G_MININT64, G_MININT64, NULL));
    STEP ("top customers (contact_metrics)", ms = time_statement (db, "SELECT c.id, m.clv_predictive FROM contact_metrics m JOIN contacts c ON c.id = m.contact_id"
                                                                  " WHERE m.clv_predictive IS NOT NULL ORDER BY m.clv_predictive DESC, c.id LIMIT 10",
                                                                  G_MININT64, G_MININT64, NULL));
    STEP ("clusters (contact_metrics)", ms = time_statement (db, "SELECT recency_days, monetary, cluster FROM contact_metrics"
                                                             " WHERE cluster IS NOT NULL AND recency_days IS NOT NULL ORDER BY contact_id",
                                                             G_MININT64, G_MININT64, NULL));
  }
#undef STEP
  return total;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *pdf = NULL;
  g_autoptr(CtDb) db = NULL;
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
  const char *given = g_getenv ("CLIENTELE_BENCH_DB");
  const char *size = g_getenv ("CLIENTELE_BENCH_CONTACTS");
  guint n_contacts = size != NULL ? (guint) g_ascii_strtoull (size, NULL, 10) : 100000;
  static const CtPeriodKind kinds[] = { CT_PERIOD_12_MONTHS, CT_PERIOD_30_DAYS };
  static const char * const kind_names[] = { "12 months", "30 days" };
  gint64 now;

  setlocale (LC_ALL, "");

  dir = g_dir_make_tmp ("clientele-bench-report-XXXXXX", &error);
  g_assert_no_error (error);
  pdf = g_build_filename (dir, "report.pdf", NULL);
  if (given != NULL && *given != '\0')
    path = g_strdup (given);
  else
    {
      path = g_build_filename (dir, "bench.db", NULL);
      g_print ("# Clientele report benchmark: %u contacts, database in %s\n", n_contacts, dir);
      generate (path, n_contacts);
    }

  db = ct_db_open (path, &error);
  g_assert_no_error (error);
  now = given != NULL && *given != '\0' ? g_get_real_time () / G_USEC_PER_SEC : NOW;
  g_print ("# %" G_GINT64_FORMAT " contacts, %" G_GINT64_FORMAT " purchases, analysis cached: %s\n",
           ct_db_query_int64 (db, "SELECT count(*) FROM contacts", NULL),
           ct_db_query_int64 (db, "SELECT count(*) FROM purchases", NULL),
           ct_db_query_int64 (db, "SELECT count(*) FROM analytics_runs", NULL) > 0 ? "yes" : "no");

  {
    /* As the Dashboard page does before it reads: nothing to do unless
     * purchases changed behind the app's back or the database was just
     * migrated (then every customer is worked out once). */
    double t0 = now_ms ();

    g_assert_true (ct_rollup_refresh (db, tz, &error));
    g_assert_no_error (error);
    report ("# ct_rollup_refresh", now_ms () - t0, 0);
    t0 = now_ms ();
    g_assert_true (ct_rollup_refresh (db, tz, &error));
    g_assert_no_error (error);
    report ("# ct_rollup_refresh (again, nothing to do)", now_ms () - t0, 0);
  }

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      CtPeriod period;
      g_autofree char *currency = NULL;

      g_assert_true (ct_period_init (&period, kinds[k], db, now, tz, &error));
      g_assert_no_error (error);
      {
        g_autoptr(CtDashboard) d = ct_dashboard_load (db, &period, tz, NULL, &error);

        g_assert_no_error (error);
        currency = g_strdup (d->currency);
      }
      g_print ("# period: %s\n", kind_names[k]);

      /* Once, the way it was before the summaries: every purchase read. */
      {
        double sql, t0;

        ct_rollup_set_enabled (db, FALSE);
        sql = time_sql (db, &period, currency, tz, FALSE);
        report ("without summaries: sql total", sql, 0);
        t0 = now_ms ();
        {
          g_autoptr(CtDashboard) d = ct_dashboard_load (db, &period, tz, NULL, &error);

          g_assert_no_error (error);
        }
        report ("without summaries: dashboard data", now_ms () - t0, sql);
        ct_rollup_set_enabled (db, TRUE);
      }

      for (guint round = 0; round < ROUNDS; round++)
        {
          double sql, t0, dashboard_ms, report_ms;
          g_autofree char *what = NULL;

          sql = time_sql (db, &period, currency, tz, round == 0);
          what = g_strdup_printf ("sql total, %s, round %u", kind_names[k], round + 1);
          report (what, sql, 0);

          t0 = now_ms ();
          {
            g_autoptr(CtDashboard) d = ct_dashboard_load (db, &period, tz, NULL, &error);
            cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 560, 320);
            cairo_t *cr = cairo_create (surface);

            g_assert_no_error (error);
            for (guint c = 0; c < CT_DASHBOARD_N_CHARTS; c++)
              {
                g_autoptr(CtChart) chart = ct_dashboard_make_chart (d, c, FALSE);

                ct_chart_draw (chart, cr, 560, 320);
              }
            cairo_surface_flush (surface);
            cairo_destroy (cr);
            cairo_surface_destroy (surface);
          }
          dashboard_ms = now_ms () - t0;
          g_free (what);
          what = g_strdup_printf ("dashboard data + draw, %s, round %u", kind_names[k], round + 1);
          report (what, dashboard_ms, sql);

          t0 = now_ms ();
          {
            g_autoptr(CtDashboard) d = ct_dashboard_load (db, &period, tz, NULL, &error);
            g_autoptr(CtReport) r = NULL;

            g_assert_no_error (error);
            r = ct_report_new (d, "Bench", now, tz);
            g_assert_true (ct_report_write_pdf (r, pdf, &error));
            g_assert_no_error (error);
          }
          report_ms = now_ms () - t0;
          g_free (what);
          what = g_strdup_printf ("PDF report, %s, round %u", kind_names[k], round + 1);
          report (what, report_ms, sql);
        }
    }

  g_remove (pdf);
  if (given == NULL || *given == '\0')
    {
      static const char * const suffixes[] = { "", "-wal", "-shm" };

      g_clear_object (&db);
      for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
        {
          g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
          g_remove (file);
        }
    }
  g_rmdir (dir);
  return 0;
}
