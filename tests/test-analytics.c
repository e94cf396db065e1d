/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-analytics.c: tests for ct-analytics (the analysis and its cache)
 * and "clientele analyze", on a small database worked out by hand and on
 * the demo business */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "ct-analytics.h"
#include "ct-csv.h"
#include "ct-demo.h"
#include "ct-export.h"
#include "ct-test-db.h"

#define DAY 86400

typedef CtTestDb Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  ct_test_db_set_up (f, "clientele-test-analytics-XXXXXX");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  ct_test_db_tear_down (f);
}

static void
exec (Fixture    *f,
      const char *sql)
{
  ct_test_db_exec (f, sql);
}

static gint64
query (Fixture    *f,
       const char *sql)
{
  GError *error = NULL;
  gint64 value = ct_db_query_int64 (f->db, sql, &error);

  g_assert_no_error (error);
  return value;
}

static void
add_purchase (Fixture    *f,
              gint64      contact_id,
              gint64      amount,
              const char *currency,
              gint64      purchased_at,
              gboolean    refunded)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *error = NULL;

  stmt = ct_db_prepare (f->db,
                        "INSERT INTO purchases (contact_id, amount, currency, purchased_at, refunded)"
                        " VALUES (?, ?, ?, ?, ?)",
                        &error);
  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, contact_id);
  sqlite3_bind_int64 (stmt, 2, amount);
  sqlite3_bind_text (stmt, 3, currency, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, purchased_at);
  sqlite3_bind_int (stmt, 5, refunded);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
}

/* 2024-07-01 00:00 UTC */
static gint64
fixture_as_of (void)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (2024, 7, 1, 0, 0, 0);

  return g_date_time_to_unix (dt);
}

/* Contacts 1 to 6; purchases in CNY, days before the as-of time T:
 *   1: T−200 ¥20, T−40 ¥50 and T−40 +2h ¥30 (the same day), T−10 ¥100
 *   2: T−5 ¥200, and T+3 ¥999 after the as-of time
 *   3: T−400 ¥10, T−300 ¥10
 *   4: T−100 ¥500
 *   5: T−500 ¥60, T−1 ¥70 refunded, T+3 ¥5 after the as-of time
 *   6: no purchase
 * By hand (DESIGN.md, type 7 quantiles over the five customers):
 *   recency 10 5 300 100 500: cuts 9 64 180 340, R = 4 5 2 3 1
 *   frequency 4 1 2 1 1: cuts 1 1 1.4 2.4, F = 5 1 4 1 1
 *   monetary 20000 20000 2000 50000 6000: cuts 5200 14400 20000 26000,
 *     M = 3 3 1 5 2
 *   segments: loyal, new, at_risk, about_to_sleep, lost
 *   lifecycle (30/90/180/365): active, new, dormant, at_risk, churned,
 *     potential
 *   simple CLV: customers of a year or more are 3 and 5, 5 churned:
 *     churn 0.5, lifetime 2 years; 1: ¥200/year × 2 = 40000;
 *     3: ¥20 over 400/365 years × 2 = 3650 (minor units). */
static void
fill_fixture (Fixture *f)
{
  gint64 t = fixture_as_of ();

  exec (f,
        "INSERT INTO contacts (id, email) VALUES"
        " (1, 'a@example.com'), (2, 'b@example.com'), (3, 'c@example.com'),"
        " (4, 'd@example.com'), (5, 'e@example.com'), (6, 'f@example.com');");
  add_purchase (f, 1, 2000, "CNY", t - 200 * DAY, FALSE);
  add_purchase (f, 1, 5000, "CNY", t - 40 * DAY, FALSE);
  add_purchase (f, 1, 3000, "CNY", t - 40 * DAY + 7200, FALSE);
  add_purchase (f, 1, 10000, "CNY", t - 10 * DAY, FALSE);
  add_purchase (f, 2, 20000, "CNY", t - 5 * DAY, FALSE);
  add_purchase (f, 2, 99900, "CNY", t + 3 * DAY, FALSE);
  add_purchase (f, 3, 1000, "CNY", t - 400 * DAY, FALSE);
  add_purchase (f, 3, 1000, "CNY", t - 300 * DAY, FALSE);
  add_purchase (f, 4, 50000, "CNY", t - 100 * DAY, FALSE);
  add_purchase (f, 5, 6000, "CNY", t - 500 * DAY, FALSE);
  add_purchase (f, 5, 7000, "CNY", t - 1 * DAY, TRUE);
  add_purchase (f, 5, 500, "CNY", t + 3 * DAY, FALSE);
}

static JsonNode *
compute (Fixture  *f,
         gint64    as_of,
         gboolean  store)
{
  CtAnalyticsOptions options;
  GError *error = NULL;
  JsonNode *root;

  ct_analytics_options_init (&options);
  options.as_of = as_of;
  root = ct_analytics_compute (f->db, &options, store, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (root);
  return root;
}

typedef struct
{
  gint64      id;
  gint64      recency;     /* -1: NULL */
  gint64      frequency;
  gint64      monetary;
  int         r, f, m;     /* 0: NULL */
  const char *segment;
  const char *lifecycle;
  gint64      simple;      /* -1: NULL */
} Expected;

static void
check_row (Fixture        *f,
           const Expected *e,
           gint64          as_of)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *error = NULL;

  stmt = ct_db_prepare (f->db,
                        "SELECT as_of, recency_days, frequency, monetary, currency, r_score,"
                        " f_score, m_score, rfm_segment, lifecycle, clv_historical, clv_simple,"
                        " clv_predictive, p_alive, expected_purchases"
                        " FROM contact_metrics WHERE contact_id = ?1",
                        &error);
  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, e->id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);

  g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==, as_of);
  if (e->recency < 0)
    g_assert_cmpint (sqlite3_column_type (stmt, 1), ==, SQLITE_NULL);
  else
    g_assert_cmpint (sqlite3_column_int64 (stmt, 1), ==, e->recency);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 2), ==, e->frequency);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 3), ==, e->monetary);
  if (e->r == 0)
    {
      g_assert_cmpint (sqlite3_column_type (stmt, 4), ==, SQLITE_NULL);
      for (int c = 5; c <= 8; c++)
        g_assert_cmpint (sqlite3_column_type (stmt, c), ==, SQLITE_NULL);
    }
  else
    {
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 4), ==, "CNY");
      g_assert_cmpint (sqlite3_column_int (stmt, 5), ==, e->r);
      g_assert_cmpint (sqlite3_column_int (stmt, 6), ==, e->f);
      g_assert_cmpint (sqlite3_column_int (stmt, 7), ==, e->m);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 8), ==, e->segment);
    }
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 9), ==, e->lifecycle);
  /* Historical CLV is what was spent. */
  g_assert_cmpint (sqlite3_column_int64 (stmt, 10), ==, e->monetary);
  if (e->simple < 0)
    g_assert_cmpint (sqlite3_column_type (stmt, 11), ==, SQLITE_NULL);
  else
    g_assert_cmpint (sqlite3_column_int64 (stmt, 11), ==, e->simple);
  /* Two repeat buyers are too few for the models. */
  g_assert_cmpint (sqlite3_column_type (stmt, 12), ==, SQLITE_NULL);
  g_assert_cmpint (sqlite3_column_type (stmt, 13), ==, SQLITE_NULL);
  g_assert_cmpint (sqlite3_column_type (stmt, 14), ==, SQLITE_NULL);
}

static const Expected fixture_rows[] = {
  { 1, 10, 4, 20000, 4, 5, 3, "loyal", "active", 40000 },
  { 2, 5, 1, 20000, 5, 1, 3, "new", "new", 40000 },
  { 3, 300, 2, 2000, 2, 4, 1, "at_risk", "dormant", 3650 },
  { 4, 100, 1, 50000, 3, 1, 5, "about_to_sleep", "at_risk", 100000 },
  /* 500 days: 6000 minor units over 500/365 years × 2 = 8760 */
  { 5, 500, 1, 6000, 1, 1, 2, "lost", "churned", 8760 },
  { 6, -1, 0, 0, 0, 0, 0, NULL, "potential", -1 },
};

static void
test_fixture_rows (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *o;

  fill_fixture (f);
  root = compute (f, fixture_as_of (), TRUE);

  g_assert_cmpint (query (f, "SELECT count(*) FROM contact_metrics"), ==, 6);
  for (guint i = 0; i < G_N_ELEMENTS (fixture_rows); i++)
    check_row (f, &fixture_rows[i], fixture_as_of ());
  g_assert_cmpint (query (f, "SELECT count(*) FROM analytics_runs"), ==, 1);

  o = json_node_get_object (root);
  g_assert_cmpint (json_object_get_int_member (o, "customers"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (o, "contacts"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (o, "repeat_buyers"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "rfm_segments"), "loyal"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "rfm_segments"), "champions"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "lifecycle"), "potential"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "lifecycle"), "churned"), ==, 1);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (json_object_get_object_member (o, "clv"),
                                                                 "annual_churn"), 0.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (json_object_get_object_member (o, "clv"),
                                                                 "historical_total"), 980.0, 1e-9);

  /* The KPI tables: every customer in one cohort, each cohort's first
   * month counting all of it. */
  {
    JsonObject *kpis = json_object_get_object_member (o, "kpis");
    JsonObject *funnel = json_object_get_object_member (kpis, "funnel");
    JsonArray *retention = json_object_get_array_member (kpis, "retention");
    JsonObject *acquisition = json_object_get_object_member (kpis, "acquisition");
    gint64 cohorts = 0;

    g_assert_cmpint (json_object_get_int_member (funnel, "potential"), ==, 6);
    g_assert_cmpint (json_object_get_int_member (funnel, "converted"), ==, 5);
    g_assert_cmpint (json_object_get_int_member (funnel, "retained"), ==, 2);
    g_assert_cmpuint (json_array_get_length (retention), >=, 17);
    for (guint c = 0; c < json_array_get_length (retention); c++)
      {
        JsonObject *cohort = json_array_get_object_element (retention, c);
        gint64 size = json_object_get_int_member (cohort, "size");
        JsonArray *buyers = json_object_get_array_member (cohort, "buyers");

        cohorts += size;
        g_assert_cmpuint (json_array_get_length (buyers), >=, 1);
        g_assert_cmpint (json_array_get_int_element (buyers, 0), ==, size);
      }
    g_assert_cmpint (cohorts, ==, 5);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (acquisition, "channels")), ==, 0);
    /* The as-of time is the first second of July (main() sets TZ to
     * UTC): July has not happened yet, June is the last whole month. */
    g_assert_cmpstr (json_object_get_string_member (acquisition, "from_month"), ==, "2023-07");
    g_assert_cmpstr (json_object_get_string_member (acquisition, "to_month"), ==, "2024-06");
  }
}

/* The models cannot be fitted on two repeat buyers: the run still
 * succeeds, the columns are NULL (checked above) and the JSON says why. */
static void
test_too_few_repeat_buyers (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *o, *bgnbd, *gg, *forecast, *clv;
  static const char * const keys[] = {
    "time_unit", "as_of", "bgnbd", "gamma_gamma", "rfm_segments", "lifecycle",
    "clusters", "forecast", "kpis", "clv", "currency",
  };

  fill_fixture (f);
  root = compute (f, fixture_as_of (), TRUE);
  o = json_node_get_object (root);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_assert_true (json_object_has_member (o, keys[i]));
  g_assert_cmpstr (json_object_get_string_member (o, "time_unit"), ==, "day");
  g_assert_cmpint (json_object_get_int_member (o, "as_of"), ==, fixture_as_of ());
  g_assert_cmpstr (json_object_get_string_member (o, "as_of_date"), ==, "2024-07-01");

  bgnbd = json_object_get_object_member (o, "bgnbd");
  g_assert_false (json_object_has_member (bgnbd, "r"));
  g_assert_nonnull (strstr (json_object_get_string_member (bgnbd, "error"), "more than once"));
  gg = json_object_get_object_member (o, "gamma_gamma");
  g_assert_cmpuint (strlen (json_object_get_string_member (gg, "error")), >, 10);
  forecast = json_object_get_object_member (o, "forecast");
  g_assert_cmpstr (json_object_get_string_member (forecast, "error"), ==,
                   json_object_get_string_member (bgnbd, "error"));
  clv = json_object_get_object_member (o, "clv");
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (clv, "predictive_mean")));
  g_assert_cmpint (query (f, "SELECT count(*) FROM contact_metrics WHERE p_alive IS NOT NULL"
                             " OR clv_predictive IS NOT NULL"), ==, 0);
}

/* Purchases after the as-of time do not count; a later as-of takes them. */
static void
test_as_of (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(JsonNode) before = NULL;
  g_autoptr(JsonNode) after = NULL;
  gint64 later = fixture_as_of () + 4 * DAY;

  fill_fixture (f);
  before = compute (f, fixture_as_of (), TRUE);
  g_assert_cmpint (query (f, "SELECT frequency FROM contact_metrics WHERE contact_id = 2"), ==, 1);
  g_assert_cmpint (query (f, "SELECT monetary FROM contact_metrics WHERE contact_id = 5"), ==, 6000);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (json_object_get_object_member (json_node_get_object (before), "kpis"),
                                                                 "revenue"), 980.0, 1e-9);

  after = compute (f, later, TRUE);
  g_assert_cmpint (query (f, "SELECT frequency FROM contact_metrics WHERE contact_id = 2"), ==, 2);
  g_assert_cmpint (query (f, "SELECT monetary FROM contact_metrics WHERE contact_id = 2"), ==, 119900);
  g_assert_cmpint (query (f, "SELECT recency_days FROM contact_metrics WHERE contact_id = 5"), ==, 1);
  g_assert_cmpint (query (f, "SELECT monetary FROM contact_metrics WHERE contact_id = 5"), ==, 6500);
  g_assert_cmpint (query (f, "SELECT min(as_of) FROM contact_metrics"), ==, later);
}

static void
cancel_in_store (double   fraction,
                 gpointer data)
{
  /* 0.8 is reported just before the transaction; after it, the rows are
   * being written. */
  if (fraction > 0.8)
    g_cancellable_cancel (data);
}

/* A stored run replaces every row in one transaction: a new contact gets
 * a row, and a run cancelled while writing leaves the previous rows. */
static void
test_store_replaces (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(JsonNode) last = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  CtAnalyticsOptions options;
  JsonNode *cancelled;
  gint64 later = fixture_as_of () + 4 * DAY;

  fill_fixture (f);
  g_assert_null (ct_analytics_load_last (f->db, &error));
  g_assert_no_error (error);

  first = compute (f, fixture_as_of (), TRUE);

  ct_analytics_options_init (&options);
  options.as_of = later;
  cancelled = ct_analytics_compute (f->db, &options, TRUE, cancel_in_store, cancellable,
                                    cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (cancelled);
  g_clear_error (&error);
  g_assert_cmpint (query (f, "SELECT count(*) FROM contact_metrics"), ==, 6);
  g_assert_cmpint (query (f, "SELECT count(*) FROM contact_metrics WHERE as_of = "
                             "(SELECT as_of FROM analytics_runs)"), ==, 6);
  g_assert_cmpint (query (f, "SELECT count(*) FROM analytics_runs"), ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS (fixture_rows); i++)
    check_row (f, &fixture_rows[i], fixture_as_of ());

  exec (f, "INSERT INTO contacts (id, email) VALUES (7, 'g@example.com')");
  second = compute (f, later, TRUE);
  g_assert_cmpint (query (f, "SELECT count(*) FROM contact_metrics"), ==, 7);
  g_assert_cmpint (query (f, "SELECT count(*) FROM contact_metrics WHERE as_of = "
                             "(SELECT max(as_of) FROM analytics_runs)"), ==, 7);
  g_assert_cmpint (query (f, "SELECT count(*) FROM analytics_runs"), ==, 2);

  /* Without store nothing changes. */
  g_clear_pointer (&second, json_node_unref);
  second = compute (f, fixture_as_of (), FALSE);
  g_assert_cmpint (query (f, "SELECT count(*) FROM analytics_runs"), ==, 2);
  g_assert_cmpint (query (f, "SELECT min(as_of) FROM contact_metrics"), ==, later);

  last = ct_analytics_load_last (f->db, &error);
  g_assert_no_error (error);
  g_assert_nonnull (last);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (last), "as_of"), ==, later);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (last), "contacts"), ==, 7);

  /* The cache goes with its contact. */
  exec (f, "DELETE FROM contacts WHERE id = 7");
  g_assert_cmpint (query (f, "SELECT count(*) FROM contact_metrics"), ==, 6);
}

static void
test_bad_options (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CtAnalyticsOptions options;

  ct_analytics_options_init (&options);
  g_assert_cmpfloat (options.discount_rate, ==, 0.10);
  g_assert_cmpuint (options.clv_horizon_months, ==, 12);
  g_assert_cmpuint (options.k, ==, 0);

  options.discount_rate = -0.1;
  g_assert_null (ct_analytics_compute (f->db, &options, TRUE, NULL, NULL, NULL, &error));
  g_assert_error (error, CT_ANALYTICS_ERROR, CT_ANALYTICS_ERROR_INVALID_OPTIONS);
  g_clear_error (&error);

  ct_analytics_options_init (&options);
  options.clv_horizon_months = 0;
  g_assert_null (ct_analytics_compute (f->db, &options, TRUE, NULL, NULL, NULL, &error));
  g_assert_error (error, CT_ANALYTICS_ERROR, CT_ANALYTICS_ERROR_INVALID_OPTIONS);
  g_clear_error (&error);

  ct_analytics_options_init (&options);
  options.lifecycle.active_days = options.lifecycle.new_days;
  g_assert_null (ct_analytics_compute (f->db, &options, TRUE, NULL, NULL, NULL, &error));
  g_assert_error (error, CT_RFM_ERROR, CT_RFM_ERROR_INVALID_THRESHOLDS);
  g_assert_cmpint (query (f, "SELECT count(*) FROM analytics_runs"), ==, 0);
}

static void
on_settings_changed (CtDb       *db,
                     const char *table,
                     gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}

/* The settings round trip through the settings table; broken stored
 * values are reported and leave the defaults. */
static void
test_options_load (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CtAnalyticsOptions options;
  guint changes = 0;

  /* Nothing stored: the defaults. */
  ct_analytics_options_init (&options);
  g_assert_true (ct_analytics_options_load (f->db, &options, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (options.discount_rate, ==, 0.10);
  g_assert_cmpuint (options.clv_horizon_months, ==, 12);
  g_assert_cmpuint (options.lifecycle.dormant_days, ==, 365);

  g_signal_connect (f->db, "changed::settings", G_CALLBACK (on_settings_changed), &changes);
  g_assert_true (ct_analytics_clv_settings_save (f->db, 0.075, 24, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changes, ==, 1);
  exec (f, "INSERT OR REPLACE INTO settings (key, value) VALUES ('lifecycle.dormant_days', '400')");

  ct_analytics_options_init (&options);
  options.k = 3;
  g_assert_true (ct_analytics_options_load (f->db, &options, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (options.discount_rate, 0.075, 1e-12);
  g_assert_cmpuint (options.clv_horizon_months, ==, 24);
  g_assert_cmpuint (options.lifecycle.dormant_days, ==, 400);
  g_assert_cmpuint (options.k, ==, 3);

  /* Out of range: refused, nothing stored, no signal. */
  g_assert_false (ct_analytics_clv_settings_save (f->db, 1.5, 12, &error));
  g_assert_error (error, CT_ANALYTICS_ERROR, CT_ANALYTICS_ERROR_INVALID_OPTIONS);
  g_clear_error (&error);
  g_assert_false (ct_analytics_clv_settings_save (f->db, 0.1, 0, &error));
  g_assert_error (error, CT_ANALYTICS_ERROR, CT_ANALYTICS_ERROR_INVALID_OPTIONS);
  g_clear_error (&error);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpint (query (f, "SELECT value = '24' FROM settings"
                             " WHERE key = 'analytics.clv_horizon_months'"), ==, 1);

  /* Broken by hand: an error, and the defaults for what is broken. */
  exec (f, "UPDATE settings SET value = 'ten' WHERE key = 'analytics.discount_rate'");
  exec (f, "UPDATE settings SET value = '500' WHERE key = 'analytics.clv_horizon_months'");
  ct_analytics_options_init (&options);
  g_assert_false (ct_analytics_options_load (f->db, &options, &error));
  g_assert_error (error, CT_ANALYTICS_ERROR, CT_ANALYTICS_ERROR_INVALID_OPTIONS);
  g_assert_nonnull (strstr (error->message, "analytics.discount_rate"));
  g_clear_error (&error);
  g_assert_cmpfloat (options.discount_rate, ==, 0.10);
  g_assert_cmpuint (options.clv_horizon_months, ==, 12);
  /* The thresholds are still read. */
  g_assert_cmpuint (options.lifecycle.dormant_days, ==, 400);

  exec (f, "UPDATE settings SET value = '2' WHERE key = 'analytics.discount_rate'");
  exec (f, "UPDATE settings SET value = '6' WHERE key = 'analytics.clv_horizon_months'");
  ct_analytics_options_init (&options);
  g_assert_false (ct_analytics_options_load (f->db, &options, &error));
  g_assert_error (error, CT_ANALYTICS_ERROR, CT_ANALYTICS_ERROR_INVALID_OPTIONS);
  g_clear_error (&error);
  g_assert_cmpfloat (options.discount_rate, ==, 0.10);
  g_assert_cmpuint (options.clv_horizon_months, ==, 6);
}

/* An empty database: every model says why, nothing crashes. */
static void
test_empty (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(JsonNode) root = compute (f, fixture_as_of (), TRUE);
  JsonObject *o = json_node_get_object (root);

  g_assert_cmpint (json_object_get_int_member (o, "customers"), ==, 0);
  g_assert_true (json_object_has_member (json_object_get_object_member (o, "bgnbd"), "error"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "clusters")), ==, 0);
  g_assert_true (json_object_has_member (o, "clusters_error"));
  g_assert_cmpint (query (f, "SELECT count(*) FROM contact_metrics"), ==, 0);
  g_assert_cmpint (query (f, "SELECT count(*) FROM analytics_runs"), ==, 1);
}

/* The demo business */

static void
fill_demo (Fixture *f)
{
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 1, 1, 0, 0, 0);
  CtDemoOptions demo = { 2000, 7, 0 };
  GError *error = NULL;

  demo.now = g_date_time_to_unix (now);
  ct_demo_generate (f->db, &demo, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
check_demo_result (Fixture  *f,
                   JsonNode *root)
{
  JsonObject *o = json_node_get_object (root);
  JsonObject *bgnbd = json_object_get_object_member (o, "bgnbd");
  JsonObject *gg = json_object_get_object_member (o, "gamma_gamma");
  JsonObject *forecast = json_object_get_object_member (o, "forecast");
  JsonArray *clusters = json_object_get_array_member (o, "clusters");
  gint64 customers = json_object_get_int_member (o, "customers");
  gint64 clustered = 0;

  g_assert_false (json_object_has_member (bgnbd, "error"));
  g_assert_cmpfloat (json_object_get_double_member (bgnbd, "r"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (bgnbd, "alpha"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (bgnbd, "a"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (bgnbd, "b"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (bgnbd, "loglik"), <, 0);
  g_assert_false (json_object_has_member (gg, "error"));
  g_assert_cmpfloat (json_object_get_double_member (gg, "p"), >, 0);

  g_assert_cmpfloat (json_object_get_double_member (forecast, "days_30"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (forecast, "days_90"), >,
                     json_object_get_double_member (forecast, "days_30"));
  g_assert_cmpfloat (json_object_get_double_member (forecast, "days_365"), >,
                     json_object_get_double_member (forecast, "days_90"));

  g_assert_cmpuint (json_array_get_length (clusters), >=, 2);
  g_assert_cmpint (json_object_get_int_member (o, "k"), ==, json_array_get_length (clusters));
  for (guint c = 0; c < json_array_get_length (clusters); c++)
    clustered += json_object_get_int_member (json_array_get_object_element (clusters, c), "size");
  g_assert_cmpint (clustered, ==, customers);

  /* Every demo channel has a year of spend. */
  {
    JsonObject *kpis = json_object_get_object_member (o, "kpis");
    JsonArray *channels = json_object_get_array_member (json_object_get_object_member (kpis, "acquisition"),
                                                        "channels");
    JsonArray *retention = json_object_get_array_member (kpis, "retention");
    gint64 cohorts = 0;

    g_assert_cmpuint (json_array_get_length (channels), >, 0);
    for (guint c = 0; c < json_array_get_length (channels); c++)
      g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (channels, c), "spend"), >, 0);
    for (guint c = 0; c < json_array_get_length (retention); c++)
      cohorts += json_object_get_int_member (json_array_get_object_element (retention, c), "size");
    g_assert_cmpint (cohorts, ==, customers);
  }

  /* Every customer (all buy in yuan) is scored; P(alive) is a probability. */
  g_assert_cmpint (customers, >, 500);
  g_assert_cmpint (query (f, "SELECT count(*) FROM contact_metrics WHERE p_alive IS NOT NULL"), ==, customers);
  g_assert_cmpint (query (f, "SELECT count(*) FROM contact_metrics WHERE p_alive <= 0 OR p_alive > 1"), ==, 0);
  g_assert_cmpint (query (f, "SELECT count(*) FROM contact_metrics WHERE clv_predictive < 0"), ==, 0);
  g_assert_cmpint (query (f, "SELECT count(*) FROM contact_metrics WHERE clv_predictive IS NOT NULL"), ==, customers);
  g_assert_cmpint (query (f, "SELECT count(*) FROM contact_metrics WHERE cluster IS NOT NULL"), ==, customers);
  g_assert_cmpint (query (f, "SELECT count(*) FROM contact_metrics"), ==,
                   query (f, "SELECT count(*) FROM contacts"));
  /* Someone still buying is likelier to be a customer than someone long gone. */
  g_assert_cmpint (query (f, "SELECT (SELECT avg(p_alive) FROM contact_metrics WHERE lifecycle = 'active')"
                             " > (SELECT avg(p_alive) FROM contact_metrics WHERE lifecycle = 'churned')"), ==, 1);
}

static void
test_demo (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 1, 1, 0, 0, 0);

  fill_demo (f);
  root = compute (f, g_date_time_to_unix (now), TRUE);
  check_demo_result (f, root);
}

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
  GThread      *thread;
  guint         n_progress;
  gboolean      progress_elsewhere;
  double        last_fraction;
} AsyncState;

static void
on_progress (double   fraction,
             gpointer data)
{
  AsyncState *s = data;

  if (g_thread_self () != s->thread)
    s->progress_elsewhere = TRUE;
  g_assert_cmpfloat (fraction, >=, s->last_fraction);
  s->last_fraction = fraction;
  s->n_progress++;
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  AsyncState *s = data;

  s->result = g_object_ref (result);
  g_main_loop_quit (s->loop);
}

static void
test_demo_async (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GDateTime) now = g_date_time_new_utc (2026, 1, 1, 0, 0, 0);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  AsyncState s = { 0 };
  CtAnalyticsOptions options;

  fill_demo (f);
  ct_analytics_options_init (&options);
  options.as_of = g_date_time_to_unix (now);
  options.weeks = TRUE;
  options.k = 3;

  s.loop = g_main_loop_new (NULL, FALSE);
  s.thread = g_thread_self ();
  ct_analytics_compute_async (f->path, &options, TRUE, on_progress, &s, NULL,
                              NULL, on_done, &s);
  g_main_loop_run (s.loop);
  root = ct_analytics_compute_finish (s.result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (root);
  g_assert_cmpuint (s.n_progress, >, 2);
  g_assert_false (s.progress_elsewhere);
  g_assert_cmpfloat (s.last_fraction, ==, 1.0);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "time_unit"), ==, "week");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (root), "k"), ==, 3);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (root), "k_suggested"));
  check_demo_result (f, root);

  g_object_unref (s.result);
  g_main_loop_unref (s.loop);
}

/* clientele analyze */

static int
run_cli (const char * const *args,
         char              **out)
{
  const char *bin = g_getenv ("CLIENTELE_BIN");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int wait_status;

  if (bin == NULL)
    g_error ("CLIENTELE_BIN is not set; run through meson test");
  g_ptr_array_add (argv, (char *) bin);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, out, NULL, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  return WEXITSTATUS (wait_status);
}

static void
test_cli (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *missing = g_build_filename (f->dir, "none.db", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *o;

  fill_fixture (f);

  /* 2024-06-30 means the end of that day: the same purchases as the
   * fixture's as-of time (midnight after it). */
  {
    const char * const args[] = { "analyze", "--db", f->path, "--as-of", "2024-06-30",
                                  "--json", "--no-store", NULL };

    g_assert_cmpint (run_cli (args, &out), ==, 0);
  }
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (o, "time_unit"), ==, "day");
  g_assert_cmpint (json_object_get_int_member (o, "customers"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "kpis"), "orders"), ==, 9);
  g_assert_true (json_object_has_member (json_object_get_object_member (o, "bgnbd"), "error"));
  g_assert_cmpint (query (f, "SELECT count(*) FROM analytics_runs"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (o, "clv"),
                                               "horizon_months"), ==, 12);

  /* The settings made in Preferences are used. */
  g_assert_true (ct_analytics_clv_settings_save (f->db, 0.2, 36, &error));
  g_assert_no_error (error);
  g_clear_pointer (&out, g_free);
  {
    const char * const args[] = { "analyze", "--db", f->path, "--as-of", "2024-06-30",
                                  "--json", "--no-store", NULL };
    JsonObject *clv;

    g_assert_cmpint (run_cli (args, &out), ==, 0);
    json_parser_load_from_data (parser, out, -1, &error);
    g_assert_no_error (error);
    clv = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "clv");
    g_assert_cmpint (json_object_get_int_member (clv, "horizon_months"), ==, 36);
    g_assert_cmpfloat_with_epsilon (json_object_get_double_member (clv, "discount_rate"), 0.2, 1e-12);
  }

  g_clear_pointer (&out, g_free);
  {
    const char * const args[] = { "analyze", "--db", f->path, "--as-of", "2024-07-10",
                                  "--time-unit", "week", "--k", "2", NULL };

    g_assert_cmpint (run_cli (args, &out), ==, 0);
  }
  g_assert_nonnull (strstr (out, "RFM segments"));
  g_assert_nonnull (strstr (out, "Not fitted"));
  g_assert_cmpint (query (f, "SELECT count(*) FROM analytics_runs"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM contact_metrics"), ==, 6);
  g_assert_cmpint (query (f, "SELECT count(DISTINCT cluster) FROM contact_metrics WHERE cluster IS NOT NULL"), ==, 2);

  {
    const char * const args[] = { "analyze", "--db", f->path, "--time-unit", "month", NULL };

    g_clear_pointer (&out, g_free);
    g_assert_cmpint (run_cli (args, &out), ==, 2);
  }
  {
    const char * const args[] = { "analyze", "--db", f->path, "--as-of", "yesterday-ish", NULL };

    g_clear_pointer (&out, g_free);
    g_assert_cmpint (run_cli (args, &out), ==, 2);
  }
  {
    const char * const args[] = { "analyze", "--db", f->path, "--k", "0", NULL };

    g_clear_pointer (&out, g_free);
    g_assert_cmpint (run_cli (args, &out), ==, 2);
  }
  {
    const char * const args[] = { "analyze", "--db", missing, NULL };

    g_clear_pointer (&out, g_free);
    g_assert_cmpint (run_cli (args, &out), ==, 1);
    g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  }
  g_assert_cmpint (query (f, "SELECT count(*) FROM analytics_runs"), ==, 1);
}

/* clientele export contacts fills the analytics columns from the cache. */
static GPtrArray *
export_contacts (Fixture *f)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(CtCsvReader) reader = NULL;
  g_autofree char *text = NULL;
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  GError *error = NULL;
  char nul = '\0';

  g_assert_true (ct_export_write (f->db, CT_EXPORT_CONTACTS, NULL, CT_CSV_WRITE_NONE, out,
                                  NULL, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_write_all (out, &nul, 1, NULL, NULL, NULL);
  g_output_stream_close (out, NULL, NULL);
  text = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));

  reader = ct_csv_reader_new (text, strlen (text), ',');
  while (ct_csv_reader_next (reader))
    {
      guint n;
      const char * const *fields = ct_csv_reader_get_fields (reader, &n);
      GStrv record = g_new0 (char *, n + 1);

      for (guint i = 0; i < n; i++)
        record[i] = g_strdup (fields[i]);
      g_ptr_array_add (records, record);
    }
  return records;
}

/* The cell of @column in the row whose email is @email. */
static const char *
export_cell (GPtrArray  *records,
             const char *email,
             const char *column)
{
  GStrv header = g_ptr_array_index (records, 0);
  guint email_column = G_MAXUINT, wanted = G_MAXUINT;

  for (guint i = 0; header[i] != NULL; i++)
    {
      if (g_str_equal (header[i], "email"))
        email_column = i;
      if (g_str_equal (header[i], column))
        wanted = i;
    }
  g_assert_cmpuint (email_column, !=, G_MAXUINT);
  g_assert_cmpuint (wanted, !=, G_MAXUINT);
  for (guint row = 1; row < records->len; row++)
    {
      GStrv record = g_ptr_array_index (records, row);

      if (g_str_equal (record[email_column], email))
        return record[wanted];
    }
  g_assert_not_reached ();
}

static void
test_export (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  /* Not points: the balance is always known, 0 without any (test-points
   * and test-export check it). */
  static const char * const columns[] = {
    "rfm_segment", "lifecycle", "tier", "clv", "p_alive", "cluster",
  };
  gint64 cluster;

  fill_fixture (f);
  before = export_contacts (f);
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    g_assert_cmpstr (export_cell (before, "a@example.com", columns[i]), ==, "");

  root = compute (f, fixture_as_of (), TRUE);
  /* The fixture is too small for the models: give contact 1 figures as
   * a fitted run would, to check how they are written. */
  exec (f, "UPDATE contact_metrics SET p_alive = 0.83456, clv_predictive = 124050"
           " WHERE contact_id = 1");
  exec (f, "INSERT INTO contacts (id, email) VALUES (7, 'g@example.com')");
  cluster = query (f, "SELECT cluster FROM contact_metrics WHERE contact_id = 1");
  after = export_contacts (f);

  g_assert_cmpstr (export_cell (after, "a@example.com", "rfm_segment"), ==, "loyal");
  g_assert_cmpstr (export_cell (after, "a@example.com", "lifecycle"), ==, "active");
  g_assert_cmpstr (export_cell (after, "a@example.com", "clv"), ==, "1240.50");
  g_assert_cmpstr (export_cell (after, "a@example.com", "p_alive"), ==, "0.8346");
  {
    g_autofree char *expected = g_strdup_printf ("%" G_GINT64_FORMAT, cluster + 1);

    g_assert_cmpstr (export_cell (after, "a@example.com", "cluster"), ==, expected);
  }
  g_assert_cmpstr (export_cell (after, "a@example.com", "tier"), ==, "");
  /* Not fitted: empty, not 0. */
  g_assert_cmpstr (export_cell (after, "e@example.com", "rfm_segment"), ==, "lost");
  g_assert_cmpstr (export_cell (after, "e@example.com", "clv"), ==, "");
  g_assert_cmpstr (export_cell (after, "e@example.com", "p_alive"), ==, "");
  /* No purchase: potential and nothing else. */
  g_assert_cmpstr (export_cell (after, "f@example.com", "lifecycle"), ==, "potential");
  g_assert_cmpstr (export_cell (after, "f@example.com", "rfm_segment"), ==, "");
  g_assert_cmpstr (export_cell (after, "f@example.com", "cluster"), ==, "");
  /* Added since the analysis: no row in the cache yet. */
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    g_assert_cmpstr (export_cell (after, "g@example.com", columns[i]), ==, "");
  g_assert_cmpstr (export_cell (after, "g@example.com", "points"), ==, "0");
}

int
main (int   argc,
      char *argv[])
{
  /* Months and "--as-of 2024-06-30" are read in local time: make it
   * the same everywhere (the command line inherits it). */
  g_setenv ("TZ", "UTC", TRUE);
  tzset ();
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/analytics/fixture-rows", Fixture, NULL, fixture_set_up, test_fixture_rows, fixture_tear_down);
  g_test_add ("/analytics/too-few-repeat-buyers", Fixture, NULL, fixture_set_up, test_too_few_repeat_buyers, fixture_tear_down);
  g_test_add ("/analytics/as-of", Fixture, NULL, fixture_set_up, test_as_of, fixture_tear_down);
  g_test_add ("/analytics/store-replaces", Fixture, NULL, fixture_set_up, test_store_replaces, fixture_tear_down);
  g_test_add ("/analytics/bad-options", Fixture, NULL, fixture_set_up, test_bad_options, fixture_tear_down);
  g_test_add ("/analytics/options-load", Fixture, NULL, fixture_set_up, test_options_load, fixture_tear_down);
  g_test_add ("/analytics/empty", Fixture, NULL, fixture_set_up, test_empty, fixture_tear_down);
  g_test_add ("/analytics/demo", Fixture, NULL, fixture_set_up, test_demo, fixture_tear_down);
  g_test_add ("/analytics/demo-async", Fixture, NULL, fixture_set_up, test_demo_async, fixture_tear_down);
  g_test_add ("/analytics/export", Fixture, NULL, fixture_set_up, test_export, fixture_tear_down);
  g_test_add ("/analytics/cli", Fixture, NULL, fixture_set_up, test_cli, fixture_tear_down);

  return g_test_run ();
}
