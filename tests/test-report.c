/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-report.c: tests for ct-dashboard, ct-report and clientele report
 *
 * One demo business (made once, analysed once) serves every test; the
 * PDF's text is read back with pdftotext (poppler-utils), in English and
 * in Chinese.
 */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "ct-analytics.h"
#include "ct-dashboard.h"
#include "ct-campaign-results.h"
#include "ct-demo.h"
#include "ct-money.h"
#include "ct-kpi.h"
#include "ct-report.h"
#include "ct-test-db.h"

/* 2026-06-15 00:00 UTC: the demo's history ends here. */
#define NOW 1781481600

static CtTestDb demo;
static GTimeZone *utc;

static void
make_demo (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) summary = NULL;
  CtDemoOptions options = { 1000, 7, NOW };
  CtAnalyticsOptions analytics;

  ct_test_db_set_up (&demo, "clientele-test-report-XXXXXX");
  g_assert_true (ct_demo_generate (demo.db, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  ct_analytics_options_init (&analytics);
  analytics.as_of = NOW;
  summary = ct_analytics_compute (demo.db, &analytics, TRUE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (summary);
}

static void
test_period (void)
{
  g_autoptr(GError) error = NULL;
  CtPeriod p, prev;

  g_assert_true (ct_period_init (&p, CT_PERIOD_30_DAYS, demo.db, NOW + 3600, utc, &error));
  g_assert_no_error (error);
  /* The end of the day of "now", and thirty days before. */
  g_assert_cmpint (p.to, ==, NOW + 86400);
  g_assert_cmpint (p.from, ==, NOW + 86400 - 30 * 86400);
  ct_period_get_previous (&p, &prev);
  g_assert_cmpint (prev.to, ==, p.from);
  g_assert_cmpint (prev.to - prev.from, ==, p.to - p.from);

  /* Twelve whole months before June 2026. */
  g_assert_true (ct_period_init (&p, CT_PERIOD_12_MONTHS, demo.db, NOW, utc, &error));
  g_assert_cmpint (p.from, ==, 1748736000);  /* 2025-06-01 */
  g_assert_cmpint (p.to, ==, 1780272000);    /* 2026-06-01 */

  g_assert_true (ct_period_init_custom (&p, demo.db, "2026-01-01", "2026-01-31", NOW, utc, &error));
  g_assert_no_error (error);
  g_assert_cmpint (p.from, ==, 1767225600);
  g_assert_cmpint (p.to, ==, 1767225600 + 31 * 86400);

  g_assert_false (ct_period_init_custom (&p, demo.db, "2026-02-30", NULL, NOW, utc, &error));
  g_assert_error (error, CT_DASHBOARD_ERROR, CT_DASHBOARD_ERROR_INVALID_PERIOD);
  g_assert_nonnull (strstr (error->message, "2026-02-30"));
  g_clear_error (&error);
  g_assert_false (ct_period_init_custom (&p, demo.db, "yesterday", NULL, NOW, utc, &error));
  g_assert_error (error, CT_DASHBOARD_ERROR, CT_DASHBOARD_ERROR_INVALID_PERIOD);
  g_clear_error (&error);
  g_assert_false (ct_period_init_custom (&p, demo.db, "2026-03-01", "2026-02-01", NOW, utc, &error));
  g_assert_error (error, CT_DASHBOARD_ERROR, CT_DASHBOARD_ERROR_INVALID_PERIOD);
}

/* The dashboard's figures agree with ct-kpi's and with each other. */
static void
test_dashboard (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtDashboard) d = NULL;
  CtKpis end, start;
  CtPeriod p;
  gint64 sum = 0, product_sum = 0;

  g_assert_true (ct_period_init (&p, CT_PERIOD_12_MONTHS, demo.db, NOW, utc, &error));
  d = ct_dashboard_load (demo.db, &p, utc, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (d);

  g_assert_true (ct_kpis_load (demo.db, p.to - 1, d->currency, NULL, &end, &error));
  g_assert_true (ct_kpis_load (demo.db, p.from - 1, d->currency, NULL, &start, &error));
  g_assert_no_error (error);

  g_assert_true (d->monthly);
  g_assert_cmpuint (d->n_buckets, ==, 12);
  g_assert_cmpstr (d->bucket_labels[0], ==, "2025-06");
  g_assert_cmpstr (d->bucket_labels[11], ==, "2026-05");
  for (guint b = 0; b < d->n_buckets; b++)
    sum += d->revenue[b];
  for (guint i = 0; i < d->n_products * d->n_buckets; i++)
    product_sum += d->product_revenue[i];

  g_assert_cmpfloat (d->kpis[CT_KPI_REVENUE].value, >, 0);
  g_assert_cmpfloat (d->kpis[CT_KPI_REVENUE].value, ==, (double) (end.revenue - start.revenue));
  g_assert_cmpint (sum, ==, end.revenue - start.revenue);
  g_assert_cmpint (product_sum, ==, sum);
  g_assert_cmpfloat (d->kpis[CT_KPI_CUSTOMERS].value, ==, end.customers);
  g_assert_cmpfloat (d->kpis[CT_KPI_CUSTOMERS].previous, ==, start.customers);
  g_assert_cmpfloat (d->kpis[CT_KPI_NEW_CUSTOMERS].value, ==, end.customers - start.customers);
  g_assert_cmpfloat (d->kpis[CT_KPI_REPEAT_RATE].value, ==, end.repeat_purchase_rate);
  g_assert_cmpfloat (d->kpis[CT_KPI_CONVERSION_RATE].previous, ==, start.conversion_rate);
  g_assert_cmpfloat (d->kpis[CT_KPI_AVERAGE_ORDER_VALUE].value, ==,
                     round ((double) (end.revenue - start.revenue) / (end.orders - start.orders)));
  g_assert_cmpuint (d->n_products, <=, CT_DASHBOARD_TOP_PRODUCTS + 1);

  /* The analysis of "now" continues the chart by three months. */
  g_assert_true (d->has_analysis);
  g_assert_true (d->kpis[CT_KPI_FORECAST_90].known);
  g_assert_cmpuint (d->n_forecast, ==, 3);
  g_assert_cmpstr (d->bucket_labels[12], ==, "2026-06");
  for (guint i = 0; i < d->n_forecast; i++)
    {
      g_assert_cmpfloat (d->forecast_low[i], <=, d->forecast[i]);
      g_assert_cmpfloat (d->forecast_high[i], >=, d->forecast[i]);
    }

  {
    gint64 customers = 0;

    for (guint s = 0; s < CT_RFM_N_SEGMENTS; s++)
      customers += d->segment_counts[s];
    g_assert_cmpint (customers, ==, ct_db_query_int64 (demo.db, "SELECT count(*) FROM contact_metrics WHERE rfm_segment IS NOT NULL", NULL));
  }
  g_assert_cmpuint (d->top_customers->len, ==, CT_DASHBOARD_TOP_CUSTOMERS);
  for (guint i = 1; i < d->top_customers->len; i++)
    g_assert_cmpint (g_array_index (d->top_customers, CtTopCustomer, i - 1).clv_predictive, >=,
                     g_array_index (d->top_customers, CtTopCustomer, i).clv_predictive);
  g_assert_cmpint (d->funnel.potential, ==, end.contacts);
  g_assert_cmpint (d->funnel.converted, ==, end.customers);
  g_assert_cmpuint (d->cluster_points->len, >, 0);

  /* Every chart has something to show, and clicking leads somewhere. */
  for (guint c = 0; c < CT_DASHBOARD_N_CHARTS; c++)
    {
      g_autoptr(CtChart) chart = ct_dashboard_make_chart (d, c, c % 2);
      cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 600, 340);
      cairo_t *cr = cairo_create (surface);

      ct_chart_draw (chart, cr, 600, 340);
      g_assert_false (ct_chart_is_empty (chart));
      cairo_destroy (cr);
      cairo_surface_destroy (surface);

      if (c == CT_DASHBOARD_CHART_SEGMENTS)
        {
          CtChartRect plot = ct_chart_get_plot_area (chart);
          g_auto(CtChartHit) hit = { 0 };
          CtDashboardFilterKind kind;
          gint64 id;

          /* Just right of twelve o'clock: the first segment with customers. */
          g_assert_true (ct_chart_hit_test (chart, plot.x + plot.width / 2 + 3, plot.y + 3, &hit));
          g_assert_true (ct_dashboard_hit_filter (d, c, &hit, &kind, &id));
          g_assert_cmpint (kind, ==, CT_DASHBOARD_FILTER_RFM_SEGMENT);
          g_assert_cmpint (d->segment_counts[id], >, 0);
        }
    }

  /* Changes against the previous period. */
  {
    int direction;
    g_autofree char *change = ct_dashboard_format_change (d, CT_KPI_CONVERSION_RATE, &direction);

    g_assert_true (g_str_has_suffix (change, " pts"));
    g_assert_cmpint (direction, ==, end.conversion_rate > start.conversion_rate ? 1 : -1);
  }
}

static void
test_daily (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtDashboard) d = NULL;
  CtPeriod p;

  g_assert_true (ct_period_init (&p, CT_PERIOD_30_DAYS, demo.db, NOW - 1, utc, &error));
  d = ct_dashboard_load (demo.db, &p, utc, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (d->monthly);
  g_assert_cmpuint (d->n_buckets, ==, 30);
  g_assert_cmpuint (d->n_forecast, ==, 30);
  g_assert_cmpstr (d->bucket_labels[29], ==, "06-14");
  g_assert_cmpstr (d->bucket_labels[30], ==, "06-15");
}

static void
test_empty_database (void)
{
  CtTestDb t;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtDashboard) d = NULL;
  g_autoptr(CtReport) report = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *name = NULL;
  CtPeriod p;

  ct_test_db_set_up (&t, "clientele-test-report-empty-XXXXXX");
  g_assert_true (ct_period_init (&p, CT_PERIOD_ALL, t.db, NOW, utc, &error));
  d = ct_dashboard_load (t.db, &p, utc, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (d->has_analysis);
  g_assert_false (d->kpis[CT_KPI_FORECAST_90].known);
  for (guint c = 0; c < CT_DASHBOARD_N_CHARTS; c++)
    {
      g_autoptr(CtChart) chart = ct_dashboard_make_chart (d, c, FALSE);
      cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 400, 300);
      cairo_t *cr = cairo_create (surface);

      ct_chart_draw (chart, cr, 400, 300);
      g_assert_true (ct_chart_is_empty (chart));
      cairo_destroy (cr);
      cairo_surface_destroy (surface);
    }
  {
    g_autofree char *change = ct_dashboard_format_change (d, CT_KPI_REVENUE, NULL);

    g_assert_cmpstr (change, ==, "no change");
  }

  /* The file's name stands in for the business's. */
  name = ct_report_dup_business_name (t.db, &error);
  g_assert_cmpstr (name, ==, "My business");
  ct_test_db_exec (&t, "INSERT INTO settings (key, value) VALUES ('business.name', '  Ada''s Courses ')");
  g_free (name);
  name = ct_report_dup_business_name (t.db, &error);
  g_assert_cmpstr (name, ==, "Ada's Courses");

  report = ct_report_new (d, name, NOW, utc);
  pdf = g_build_filename (t.dir, "empty.pdf", NULL);
  g_assert_true (ct_report_write_pdf (report, pdf, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));
  g_remove (pdf);

  /* A folder that is not there. */
  g_free (pdf);
  pdf = g_build_filename (t.dir, "missing", "report.pdf", NULL);
  g_assert_false (ct_report_write_pdf (report, pdf, &error));
  g_assert_error (error, CT_REPORT_ERROR, CT_REPORT_ERROR_WRITE);
  ct_test_db_tear_down (&t);
}

/* Runs clientele with @args; returns its exit status, @out its stdout. */
static int
run_cli (const char * const *args,
         const char         *language,
         char              **out,
         char              **err)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_get_environ ();
  g_autofree char *localedir = g_build_filename (g_getenv ("G_TEST_BUILDDIR"), "..", "po", NULL);
  int status;

  g_ptr_array_add (argv, (char *) g_getenv ("CLIENTELE_BIN"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  envp = g_environ_setenv (envp, "LC_ALL", "C.UTF-8", TRUE);
  envp = g_environ_setenv (envp, "LANGUAGE", language, TRUE);
  envp = g_environ_setenv (envp, "CLIENTELE_LOCALEDIR", localedir, TRUE);
  envp = g_environ_setenv (envp, "TZ", "UTC", TRUE);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                               out, err, &status, &error));
  g_assert_no_error (error);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static char *
pdf_text (const char *pdf)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "pdftotext", "-enc", "UTF-8", pdf, "-", NULL };
  char *out = NULL;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

static guint
count_pages (const char *text)
{
  guint n = 0;

  /* pdftotext ends every page with a form feed. */
  for (const char *p = text; *p != '\0'; p++)
    n += *p == '\f';
  return n;
}

/* Two campaigns in the report's period and one after it, with their
 * mail's fate and a purchase within the attribution window. Once. */
static void
add_campaigns (void)
{
  /* 2025-07-01 and 2025-11-11 00:00 UTC; 2026-06-10 is past the period. */
  const gint64 july = 1751328000, nov = 1762819200, later = 1781049600;
  g_autofree char *sql = NULL;

  if (ct_db_query_int64 (demo.db, "SELECT count(*) FROM campaigns WHERE name = '暑期课程 Summer launch'", NULL) > 0)
    return;
  sql = g_strdup_printf (
    "INSERT INTO campaigns (id, name, subject, status, launched_at) VALUES"
    " (9001, '暑期课程 Summer launch', 'New course', 'sent', %1$lld),"
    " (9002, 'Double 11 reminder', 'Sale', 'sent', %2$lld),"
    " (9003, 'Too late', 'Later', 'sent', %3$lld);"
    "INSERT INTO outbox (id, campaign_id, contact_id, email, state, idempotency_key, sent_at)"
    " SELECT 900000 + id, 9001, id, coalesce(email, 'x' || id || '@x.test'), 'sent', 'r-' || id, %1$lld"
    " FROM contacts ORDER BY id LIMIT 5;"
    "INSERT INTO outbox (id, campaign_id, contact_id, email, state, idempotency_key, sent_at)"
    " SELECT 910000 + id, 9002, id, coalesce(email, 'x' || id || '@x.test'), 'sent', 's-' || id, %2$lld"
    " FROM contacts ORDER BY id LIMIT 3;"
    "INSERT INTO mail_events (outbox_id, type, at)"
    " SELECT id, 'delivered', sent_at FROM outbox WHERE campaign_id = 9001 AND id < (SELECT max(id) FROM outbox WHERE campaign_id = 9001);"
    "INSERT INTO mail_events (outbox_id, type, at)"
    " SELECT max(id), 'bounced', %1$lld FROM outbox WHERE campaign_id = 9001;"
    "INSERT INTO mail_events (outbox_id, type, at)"
    " SELECT id, 'opened', sent_at FROM outbox WHERE campaign_id = 9001 ORDER BY id LIMIT 3;"
    "INSERT INTO mail_events (outbox_id, type, at)"
    " SELECT id, 'clicked', sent_at FROM outbox WHERE campaign_id = 9001 ORDER BY id LIMIT 2;"
    "INSERT INTO mail_events (outbox_id, type, at)"
    " SELECT id, 'unsubscribed', sent_at FROM outbox WHERE campaign_id = 9001 ORDER BY id DESC LIMIT 1 OFFSET 1;"
    "INSERT INTO purchases (contact_id, amount, currency, purchased_at, source, external_ref)"
    " SELECT contact_id, 123400, 'CNY', %1$lld + 3600, 'test', 'campaign-' || contact_id"
    " FROM outbox WHERE campaign_id = 9001 ORDER BY id LIMIT 1;",
    (long long) july, (long long) nov, (long long) later);
  ct_test_db_exec (&demo, sql);
}

/* The campaigns page: both campaigns of the period with their counts,
 * not the one after it. */
static G_GNUC_NO_INLINE void
check_campaigns (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtCampaignInfo) info = ct_campaign_get_info (demo.db, 9001, CT_CAMPAIGN_DEFAULT_WINDOW_DAYS, &error);
  g_autofree char *revenue = NULL;
  const char *page = strstr (text, "暑期课程 Summer launch");

  g_assert_no_error (error);
  g_assert_cmpint (info->results[CT_CAMPAIGN_RESULT_RECIPIENTS], ==, 5);
  g_assert_cmpint (info->results[CT_CAMPAIGN_RESULT_DELIVERED], ==, 4);
  g_assert_cmpint (info->results[CT_CAMPAIGN_RESULT_OPENED], ==, 3);
  g_assert_cmpint (info->results[CT_CAMPAIGN_RESULT_CLICKED], ==, 2);
  g_assert_cmpint (info->results[CT_CAMPAIGN_RESULT_BOUNCED], ==, 1);
  g_assert_cmpint (info->results[CT_CAMPAIGN_RESULT_UNSUBSCRIBED], ==, 1);
  g_assert_cmpint (info->purchases, >=, 1);
  revenue = ct_money_format (info->revenue, info->currency);

  g_assert_nonnull (page);
  g_assert_nonnull (strstr (page, "2025-07-01"));
  g_assert_nonnull (strstr (page, "Double 11 reminder"));
  g_assert_nonnull (strstr (page, "2025-11-11"));
  g_assert_nonnull (strstr (page, revenue));
  g_assert_null (strstr (text, "Too late"));
}

static void
check_report (const char          *language,
              const char          *said,
              const char * const  *expected)
{
  g_autofree char *pdf = g_build_filename (demo.dir, "report.pdf", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *text = NULL;
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  const char *args[] = { "report", pdf, "--db", demo.path, "--from", "2025-06-01", "--to", "2026-05-31", NULL };

  if (pdftotext == NULL)
    {
      g_test_skip ("pdftotext is not installed (package poppler-utils)");
      return;
    }

  ct_test_db_exec (&demo, "INSERT OR REPLACE INTO settings (key, value) VALUES ('business.name', '知识小铺 Knowledge Shop')");
  add_campaigns ();
  g_assert_cmpint (run_cli (args, language, &out, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  text = pdf_text (pdf);
  g_assert_cmpuint (count_pages (text), ==, 7);
  check_campaigns (text);
  g_assert_nonnull (strstr (text, "知识小铺 Knowledge Shop"));
  for (guint i = 0; expected[i] != NULL; i++)
    if (strstr (text, expected[i]) == NULL)
      g_error ("The %s report lacks “%s”:\n%s", language, expected[i], text);
  /* The line on stdout is translated too. */
  if (strstr (out, said) == NULL)
    g_error ("“%s” does not say “%s”", out, said);
  g_remove (pdf);
}

static void
test_cli_english (void)
{
  const char * const expected[] = {
    "Customer report", "1 Jun 2025 – 31 May 2026", "Key figures", "Revenue", "Page 1 of 7",
    "Page 7 of 7", "Generated on", "Campaigns", "Recipients", "Delivered", "Opened", "Clicked",
    "Bounced", "Unsubscribed", "A purchase counts for a campaign", "RFM segments", "Champions", "Channels", "Cost per new customer",
    "Lifecycle funnel", "Retention by first-purchase month", "Top customers by predicted lifetime value",
    NULL
  };

  check_report ("en", "Wrote the report for 1 Jun 2025 – 31 May 2026", expected);
}

static void
test_cli_chinese (void)
{
  const char * const expected[] = {
    "客户报告", "2025年6月1日 – 2026年5月31日", "关键指标", "收入", "第 1 页，共 7 页",
    "第 7 页，共 7 页", "生成于", "群发", "收件人", "已送达", "已打开", "已点击",
    "退信", "退订", "购买次数", "7 天内", "RFM 分群", "核心客户", "渠道", "每位新客户成本",
    "生命周期漏斗", "按首购月份的留存", "预测生命周期价值最高的客户",
    NULL
  };

  check_report ("zh_CN", "已将 2025年6月1日 – 2026年5月31日 的报告写入", expected);
}

static void
test_cli_mistakes (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *pdf = g_build_filename (demo.dir, "r.pdf", NULL);
  g_autofree char *unwritable = g_build_filename (demo.dir, "no-such-folder", "r.pdf", NULL);
  const char *no_file[] = { "report", "--db", demo.path, NULL };
  const char *bad_date[] = { "report", pdf, "--db", demo.path, "--from", "2025-13-01", NULL };
  const char *backwards[] = { "report", pdf, "--db", demo.path, "--from", "2026-01-02", "--to", "2026-01-01", NULL };
  const char *bad_path[] = { "report", unwritable, "--db", demo.path, NULL };

  g_assert_cmpint (run_cli (no_file, "en", &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "Say which file"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (bad_date, "en", &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "“2025-13-01” is not a date"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (backwards, "en", &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "ends before it starts"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_cli (bad_path, "en", &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "Could not write the report"));
  g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
}

/* The name Preferences saves: trimmed, one line, at most 200
 * characters, and blank removes it (the file's name stands in again). */
static void
test_set_business_name (void)
{
  CtTestDb t;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *long_name = g_strnfill (201, 'x');

  ct_test_db_set_up (&t, "clientele-test-report-XXXXXX");
  g_assert_true (ct_report_set_business_name (t.db, "  知识小铺 Studio ", &error));
  g_assert_no_error (error);
  name = ct_report_dup_business_name (t.db, &error);
  g_assert_cmpstr (name, ==, "知识小铺 Studio");
  g_assert_false (ct_report_set_business_name (t.db, "Two\nlines", &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ct_report_set_business_name (t.db, long_name, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (ct_db_query_int64 (t.db, "SELECT count(*) FROM settings WHERE key = 'business.name'", NULL), ==, 1);
  g_assert_true (ct_report_set_business_name (t.db, "  ", &error));
  g_assert_cmpint (ct_db_query_int64 (t.db, "SELECT count(*) FROM settings WHERE key = 'business.name'", NULL), ==, 0);
  ct_test_db_tear_down (&t);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  utc = g_time_zone_new_utc ();
  make_demo ();

  g_test_add_func ("/report/period", test_period);
  g_test_add_func ("/report/set-business-name", test_set_business_name);
  g_test_add_func ("/report/dashboard", test_dashboard);
  g_test_add_func ("/report/daily", test_daily);
  g_test_add_func ("/report/empty-database", test_empty_database);
  g_test_add_func ("/report/cli/english", test_cli_english);
  g_test_add_func ("/report/cli/chinese", test_cli_chinese);
  g_test_add_func ("/report/cli/mistakes", test_cli_mistakes);

  status = g_test_run ();
  ct_test_db_tear_down (&demo);
  g_time_zone_unref (utc);
  return status;
}
