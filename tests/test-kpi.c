/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-kpi.c: tests for ct-kpi on a small database worked out by hand */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gstdio.h>

#include "ct-kpi.h"
#include "ct-test-db.h"

typedef CtTestDb Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  ct_test_db_set_up (fixture, "clientele-test-kpi-XXXXXX");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  ct_test_db_tear_down (fixture);
}

static void
exec (Fixture    *fixture,
      const char *sql)
{
  ct_test_db_exec (fixture, sql);
}

static gint64
utc (int year,
     int month,
     int day,
     int hour,
     int minute)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (year, month, day, hour, minute, 0);

  return g_date_time_to_unix (dt);
}

static void
add_purchase (Fixture    *fixture,
              gint64      contact_id,
              gint64      amount,
              const char *currency,
              gint64      purchased_at,
              gboolean    refunded)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *error = NULL;

  stmt = ct_db_prepare (fixture->db,
                        "INSERT INTO purchases (contact_id, amount, currency, purchased_at, refunded)"
                        " VALUES (?, ?, ?, ?, ?)",
                        &error);
  g_assert_no_error (error);
  if (contact_id > 0)
    sqlite3_bind_int64 (stmt, 1, contact_id);
  else
    sqlite3_bind_null (stmt, 1);
  sqlite3_bind_int64 (stmt, 2, amount);
  sqlite3_bind_text (stmt, 3, currency, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, purchased_at);
  sqlite3_bind_int (stmt, 5, refunded);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
}

/* The as-of time of the fixture: purchases after it do not count. */
static gint64
fixture_as_of (void)
{
  return utc (2025, 4, 15, 0, 0);
}

/* Channels Douyin (1), WeChat (2), Zhihu (3).
 * Contacts: 1 and 2 subscribed, from Douyin; 3 unsubscribed and 4
 * without an email, from WeChat; 5 subscribed and 6 bounced, no channel,
 * no purchase.
 * Purchases (UTC), as of 2025-04-15:
 *   1: Jan 5 ¥10, Jan 20 ¥20, Mar 10 ¥5, and May 1 ¥99.99 after the as-of time
 *   2: Jan 31 23:30 ¥30 (Feb 1 in China), Feb 15 ¥70 refunded
 *   3: Feb 1 00:00 ¥15, Apr 14 ¥15, Apr 14 $2
 *   4: Mar 31 ¥6
 *   an erased contact's: Feb 10 ¥4
 * Spend: Douyin Jan ¥100, Feb ¥50, Mar $9.99; WeChat Feb ¥30; Zhihu Jan ¥80. */
static void
fill_fixture (Fixture *fixture)
{
  exec (fixture,
        "INSERT INTO channels (id, name) VALUES (1, 'Douyin'), (2, 'WeChat'), (3, 'Zhihu');"
        "INSERT INTO contacts (id, email, phone, status, channel_id) VALUES"
        " (1, 'a@example.com', '', 'subscribed', 1),"
        " (2, 'b@example.com', '', 'subscribed', 1),"
        " (3, 'c@example.com', '', 'unsubscribed', 2),"
        " (4, NULL, '13800000000', 'subscribed', 2),"
        " (5, 'e@example.com', '', 'subscribed', NULL),"
        " (6, 'f@example.com', '', 'bounced', NULL);"
        "INSERT INTO channel_spend (channel_id, month, amount, currency) VALUES"
        " (1, '2025-01', 10000, 'CNY'), (1, '2025-02', 5000, 'CNY'), (1, '2025-03', 999, 'USD'),"
        " (2, '2025-02', 3000, 'CNY'), (3, '2025-01', 8000, 'CNY');");

  add_purchase (fixture, 1, 1000, "CNY", utc (2025, 1, 5, 10, 0), FALSE);
  add_purchase (fixture, 1, 2000, "CNY", utc (2025, 1, 20, 10, 0), FALSE);
  add_purchase (fixture, 1, 500, "CNY", utc (2025, 3, 10, 10, 0), FALSE);
  add_purchase (fixture, 1, 9999, "CNY", utc (2025, 5, 1, 10, 0), FALSE);
  add_purchase (fixture, 2, 3000, "CNY", utc (2025, 1, 31, 23, 30), FALSE);
  add_purchase (fixture, 2, 7000, "CNY", utc (2025, 2, 15, 10, 0), TRUE);
  add_purchase (fixture, 3, 1500, "CNY", utc (2025, 2, 1, 0, 0), FALSE);
  add_purchase (fixture, 3, 1500, "CNY", utc (2025, 4, 14, 10, 0), FALSE);
  add_purchase (fixture, 3, 200, "USD", utc (2025, 4, 14, 11, 0), FALSE);
  add_purchase (fixture, 4, 600, "CNY", utc (2025, 3, 31, 10, 0), FALSE);
  add_purchase (fixture, 0, 400, "CNY", utc (2025, 2, 10, 10, 0), FALSE);
}

static void
assert_fixture_kpis (const CtKpis *kpis)
{
  g_assert_cmpstr (kpis->currency, ==, "CNY");
  g_assert_cmpint (kpis->contacts, ==, 6);
  /* 1, 2, 3, 4; 2's second purchase was refunded. */
  g_assert_cmpint (kpis->customers, ==, 4);
  g_assert_cmpint (kpis->repeat_customers, ==, 2);
  /* CNY, not refunded, by the as-of time, the erased contact's included:
   * 10 + 20 + 5 + 30 + 15 + 15 + 6 + 4 = ¥105 in 8 orders. */
  g_assert_cmpint (kpis->orders, ==, 8);
  g_assert_cmpint (kpis->revenue, ==, 10500);
  /* 1312.5 fen, rounded half up */
  g_assert_cmpint (kpis->average_order_value, ==, 1313);
  g_assert_cmpfloat_with_epsilon (kpis->conversion_rate, 4.0 / 6.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (kpis->repeat_purchase_rate, 0.5, 1e-12);
}

static void
test_kpis (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GArray) customers = NULL;
  CtKpis kpis;
  GError *error = NULL;

  fill_fixture (fixture);

  g_assert_true (ct_kpis_load (fixture->db, fixture_as_of (), NULL, NULL, &kpis, &error));
  g_assert_no_error (error);
  assert_fixture_kpis (&kpis);

  /* The same from the customers already loaded. */
  customers = ct_rfm_load_customers (fixture->db, fixture_as_of (), NULL, NULL, &error);
  g_assert_no_error (error);
  memset (&kpis, 0x5a, sizeof kpis);
  g_assert_true (ct_kpis_load (fixture->db, fixture_as_of (), NULL, customers, &kpis, &error));
  g_assert_no_error (error);
  assert_fixture_kpis (&kpis);

  /* In dollars: one order of $2. */
  g_assert_true (ct_kpis_load (fixture->db, fixture_as_of (), "USD", NULL, &kpis, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (kpis.currency, ==, "USD");
  g_assert_cmpint (kpis.orders, ==, 1);
  g_assert_cmpint (kpis.revenue, ==, 200);
  g_assert_cmpint (kpis.average_order_value, ==, 200);
  g_assert_cmpint (kpis.customers, ==, 4);

  /* After everything: contact 1's May purchase counts too. */
  g_assert_true (ct_kpis_load (fixture->db, utc (2026, 1, 1, 0, 0), NULL, NULL, &kpis, &error));
  g_assert_no_error (error);
  g_assert_cmpint (kpis.orders, ==, 9);
  g_assert_cmpint (kpis.revenue, ==, 10500 + 9999);
  g_assert_cmpint (kpis.average_order_value, ==, 2278);   /* 20499 / 9 = 2277.67 */

  /* Before anyone bought. */
  g_assert_true (ct_kpis_load (fixture->db, utc (2024, 1, 1, 0, 0), NULL, NULL, &kpis, &error));
  g_assert_no_error (error);
  g_assert_cmpint (kpis.contacts, ==, 6);
  g_assert_cmpint (kpis.customers, ==, 0);
  g_assert_cmpint (kpis.orders, ==, 0);
  g_assert_cmpint (kpis.average_order_value, ==, 0);
  g_assert_cmpfloat (kpis.conversion_rate, ==, 0.0);
  g_assert_cmpfloat (kpis.repeat_purchase_rate, ==, 0.0);
}

static void
test_kpis_empty (Fixture       *fixture,
                 gconstpointer  data)
{
  CtKpis kpis;
  GError *error = NULL;

  g_assert_true (ct_kpis_load (fixture->db, fixture_as_of (), NULL, NULL, &kpis, &error));
  g_assert_no_error (error);
  g_assert_cmpint (kpis.contacts, ==, 0);
  g_assert_cmpint (kpis.customers, ==, 0);
  g_assert_cmpfloat (kpis.conversion_rate, ==, 0.0);
  g_assert_cmpstr (kpis.currency, ==, "CNY");
}

static void
assert_row (const CtRetention *r,
            guint              cohort,
            const char        *month,
            gint64             size,
            gint64             b0,
            gint64             b1,
            gint64             b2,
            gint64             b3)
{
  const gint64 want[] = { b0, b1, b2, b3 };

  g_assert_cmpstr (r->months[cohort], ==, month);
  g_assert_cmpint (r->sizes[cohort], ==, size);
  for (guint k = 0; k < 4; k++)
    g_assert_cmpint (ct_retention_get_buyers (r, cohort, k), ==, want[k]);
}

static void
test_retention (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GTimeZone) utc_tz = g_time_zone_new_utc ();
  g_autoptr(GTimeZone) china = g_time_zone_new_offset (8 * 3600);
  g_autoptr(CtRetention) r = NULL;
  g_autoptr(CtRetention) shanghai = NULL;
  GError *error = NULL;

  fill_fixture (fixture);

  r = ct_retention_load (fixture->db, fixture_as_of (), utc_tz, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  g_assert_cmpuint (r->n_cohorts, ==, 4);
  g_assert_cmpuint (r->n_offsets, ==, 4);
  g_assert_null (r->months[4]);

  /* January: 1 and 2. Nobody in February (2's was refunded), 1 in March,
   * nobody in April (1's May purchase is after the as-of time). Twice in
   * January counts once. */
  assert_row (r, 0, "2025-01", 2, 2, 0, 1, 0);
  /* February: 3, who came back in April. */
  assert_row (r, 1, "2025-02", 1, 1, 0, 1, -1);
  /* March: 4. */
  assert_row (r, 2, "2025-03", 1, 1, 0, -1, -1);
  /* April: nobody started. */
  assert_row (r, 3, "2025-04", 0, 0, -1, -1, -1);

  g_assert_cmpfloat (ct_retention_get_share (r, 0, 0), ==, 1.0);
  g_assert_cmpfloat (ct_retention_get_share (r, 0, 1), ==, 0.0);
  g_assert_cmpfloat (ct_retention_get_share (r, 0, 2), ==, 0.5);
  g_assert_cmpfloat (ct_retention_get_share (r, 1, 2), ==, 1.0);
  g_assert_cmpfloat (ct_retention_get_share (r, 1, 3), ==, -1.0);
  g_assert_cmpfloat (ct_retention_get_share (r, 3, 0), ==, -1.0);

  /* In China, 2's first purchase (Jan 31 23:30 UTC) was on February 1:
   * January is 1 alone, February is 2 and 3. */
  shanghai = ct_retention_load (fixture->db, fixture_as_of (), china, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (shanghai->n_cohorts, ==, 4);
  assert_row (shanghai, 0, "2025-01", 1, 1, 0, 1, 0);
  assert_row (shanghai, 1, "2025-02", 2, 2, 0, 1, -1);
  g_assert_cmpfloat (ct_retention_get_share (shanghai, 1, 2), ==, 0.5);
}

static void
test_retention_empty (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GTimeZone) utc_tz = g_time_zone_new_utc ();
  g_autoptr(CtRetention) r = NULL;
  GError *error = NULL;

  /* Only an erased contact's purchase and a refunded one. */
  exec (fixture, "INSERT INTO contacts (id, email) VALUES (1, 'a@example.com')");
  add_purchase (fixture, 0, 100, "CNY", utc (2025, 1, 1, 0, 0), FALSE);
  add_purchase (fixture, 1, 100, "CNY", utc (2025, 1, 1, 0, 0), TRUE);

  r = ct_retention_load (fixture->db, fixture_as_of (), utc_tz, &error);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  g_assert_cmpuint (r->n_cohorts, ==, 0);
  g_assert_null (r->months[0]);
}

static void
test_retention_too_old (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GTimeZone) utc_tz = g_time_zone_new_utc ();
  g_autoptr(CtRetention) r = NULL;
  GError *error = NULL;

  /* A purchase in 1900 from a bad import: said, not a 1500-month table. */
  exec (fixture, "INSERT INTO contacts (id, email) VALUES (1, 'a@example.com')");
  add_purchase (fixture, 1, 100, "CNY", utc (1900, 1, 1, 0, 0), FALSE);

  r = ct_retention_load (fixture->db, fixture_as_of (), utc_tz, &error);
  g_assert_null (r);
  g_assert_error (error, CT_KPI_ERROR, CT_KPI_ERROR_INVALID_PERIOD);
  g_assert_nonnull (strstr (error->message, "1900-01"));
  g_clear_error (&error);
}

static const CtChannelCost *
find_cost (GArray     *costs,
           const char *name)
{
  for (guint i = 0; i < costs->len; i++)
    if (g_strcmp0 (g_array_index (costs, CtChannelCost, i).name, name) == 0)
      return &g_array_index (costs, CtChannelCost, i);
  g_assert_not_reached ();
}

static void
test_channel_costs (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GTimeZone) utc_tz = g_time_zone_new_utc ();
  g_autoptr(GTimeZone) china = g_time_zone_new_offset (8 * 3600);
  g_autoptr(GArray) costs = NULL;
  const CtChannelCost *cost;
  GError *error = NULL;
  g_autofree char *douyin = NULL;
  g_autofree char *zhihu = NULL;
  g_autofree char *wechat_march = NULL;

  fill_fixture (fixture);

  /* January and February */
  costs = ct_channel_costs_load (fixture->db, "2025-01", "2025-02", NULL, utc_tz, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (costs->len, ==, 3);
  g_assert_cmpstr (g_array_index (costs, CtChannelCost, 0).name, ==, "Douyin");
  g_assert_cmpstr (g_array_index (costs, CtChannelCost, 2).name, ==, "Zhihu");

  /* ¥150 for 1 and 2, who first bought on Jan 5 and Jan 31 */
  cost = find_cost (costs, "Douyin");
  g_assert_cmpint (cost->channel_id, ==, 1);
  g_assert_cmpint (cost->spend, ==, 15000);
  g_assert_cmpint (cost->other_currency_months, ==, 0);
  g_assert_cmpint (cost->new_customers, ==, 2);
  g_assert_cmpint (cost->cost_per_customer, ==, 7500);
  douyin = ct_channel_cost_format (cost, "CNY");
  g_assert_cmpstr (douyin, ==, "¥75.00");

  /* ¥30 for 3 (Feb 1); 4 first bought in March */
  cost = find_cost (costs, "WeChat");
  g_assert_cmpint (cost->spend, ==, 3000);
  g_assert_cmpint (cost->new_customers, ==, 1);
  g_assert_cmpint (cost->cost_per_customer, ==, 3000);

  /* ¥80 and nobody: no division by zero */
  cost = find_cost (costs, "Zhihu");
  g_assert_cmpint (cost->spend, ==, 8000);
  g_assert_cmpint (cost->new_customers, ==, 0);
  g_assert_cmpint (cost->cost_per_customer, ==, 0);
  zhihu = ct_channel_cost_format (cost, "CNY");
  g_assert_cmpstr (zhihu, ==, "No new customers");

  /* March: Douyin's spend was in dollars, not added but counted; 4 came
   * through WeChat for free. */
  g_clear_pointer (&costs, g_array_unref);
  costs = ct_channel_costs_load (fixture->db, "2025-03", "2025-03", "CNY", utc_tz, &error);
  g_assert_no_error (error);
  cost = find_cost (costs, "Douyin");
  g_assert_cmpint (cost->spend, ==, 0);
  g_assert_cmpint (cost->other_currency_months, ==, 1);
  g_assert_cmpint (cost->new_customers, ==, 0);
  cost = find_cost (costs, "WeChat");
  g_assert_cmpint (cost->new_customers, ==, 1);
  g_assert_cmpint (cost->cost_per_customer, ==, 0);
  wechat_march = ct_channel_cost_format (cost, "CNY");
  g_assert_cmpstr (wechat_march, ==, "¥0.00");

  /* February in China: 2's first purchase was on Feb 1 there. */
  g_clear_pointer (&costs, g_array_unref);
  costs = ct_channel_costs_load (fixture->db, "2025-02", "2025-02", NULL, china, &error);
  g_assert_no_error (error);
  cost = find_cost (costs, "Douyin");
  g_assert_cmpint (cost->spend, ==, 5000);
  g_assert_cmpint (cost->new_customers, ==, 1);
  g_assert_cmpint (cost->cost_per_customer, ==, 5000);
}

static void
test_channel_costs_rounding (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GTimeZone) utc_tz = g_time_zone_new_utc ();
  g_autoptr(GArray) costs = NULL;
  GError *error = NULL;

  /* ¥100 over 3 new customers: 3333.33 fen, rounded to 3333; ¥0.05 over
   * 2: 2.5 fen, rounded up to 3. */
  exec (fixture,
        "INSERT INTO channels (id, name) VALUES (1, 'A'), (2, 'B');"
        "INSERT INTO contacts (id, email, channel_id) VALUES"
        " (1, 'a@example.com', 1), (2, 'b@example.com', 1), (3, 'c@example.com', 1),"
        " (4, 'd@example.com', 2), (5, 'e@example.com', 2);"
        "INSERT INTO channel_spend (channel_id, month, amount) VALUES (1, '2025-06', 10000), (2, '2025-06', 5);");
  for (gint64 id = 1; id <= 5; id++)
    add_purchase (fixture, id, 100, "CNY", utc (2025, 6, 10, 0, 0), FALSE);

  costs = ct_channel_costs_load (fixture->db, "2025-06", "2025-06", NULL, utc_tz, &error);
  g_assert_no_error (error);
  g_assert_cmpint (find_cost (costs, "A")->cost_per_customer, ==, 3333);
  g_assert_cmpint (find_cost (costs, "B")->cost_per_customer, ==, 3);
}

static void
assert_bad_period (Fixture    *fixture,
                   const char *from,
                   const char *to)
{
  g_autoptr(GArray) costs = NULL;
  GError *error = NULL;

  costs = ct_channel_costs_load (fixture->db, from, to, NULL, NULL, &error);
  g_assert_null (costs);
  g_assert_error (error, CT_KPI_ERROR, CT_KPI_ERROR_INVALID_PERIOD);
  g_clear_error (&error);
}

static void
test_channel_costs_bad_period (Fixture       *fixture,
                               gconstpointer  data)
{
  GError *error = NULL;
  g_autoptr(GArray) costs = NULL;

  assert_bad_period (fixture, "2025-13", "2025-12");
  assert_bad_period (fixture, "2025-00", "2025-12");
  assert_bad_period (fixture, "2025-1", "2025-12");
  assert_bad_period (fixture, "25-01", "2025-12");
  assert_bad_period (fixture, "2025/01", "2025-12");
  assert_bad_period (fixture, "+025-01", "2025-12");
  assert_bad_period (fixture, "2025-01", "");
  assert_bad_period (fixture, "2025-06", "2025-05");

  /* The message names what was wrong. */
  costs = ct_channel_costs_load (fixture->db, "2025-13", "2025-12", NULL, NULL, &error);
  g_assert_nonnull (strstr (error->message, "2025-13"));
  g_clear_error (&error);

  /* No channels: nothing, but no error. */
  costs = ct_channel_costs_load (fixture->db, "2025-01", "2025-12", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (costs->len, ==, 0);
}

static void
test_funnel (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GArray) customers = NULL;
  CtFunnel funnel;
  GError *error = NULL;

  fill_fixture (fixture);

  g_assert_true (ct_funnel_load (fixture->db, fixture_as_of (),
                                 CT_FUNNEL_DEFAULT_LOYAL_PURCHASES, NULL, &funnel, &error));
  g_assert_no_error (error);
  g_assert_cmpint (funnel.potential, ==, 6);
  /* 1, 2 and 5: 3 unsubscribed, 4 has no email, 6 bounced */
  g_assert_cmpint (funnel.contacted, ==, 3);
  g_assert_cmpint (funnel.converted, ==, 4);
  g_assert_cmpint (funnel.retained, ==, 2);
  g_assert_cmpint (funnel.loyal, ==, 0);

  /* 1 and 3 bought three times each by the as-of time. */
  g_assert_true (ct_funnel_load (fixture->db, fixture_as_of (), 3, NULL, &funnel, &error));
  g_assert_no_error (error);
  g_assert_cmpint (funnel.loyal, ==, 2);

  /* The same from the customers already loaded. */
  customers = ct_rfm_load_customers (fixture->db, fixture_as_of (), NULL, NULL, &error);
  g_assert_no_error (error);
  memset (&funnel, 0x5a, sizeof funnel);
  g_assert_true (ct_funnel_load (fixture->db, fixture_as_of (), 3, customers, &funnel, &error));
  g_assert_no_error (error);
  g_assert_cmpint (funnel.potential, ==, 6);
  g_assert_cmpint (funnel.contacted, ==, 3);
  g_assert_cmpint (funnel.converted, ==, 4);
  g_assert_cmpint (funnel.retained, ==, 2);
  g_assert_cmpint (funnel.loyal, ==, 2);

  /* After May 1, 1 has four purchases. */
  g_assert_true (ct_funnel_load (fixture->db, utc (2026, 1, 1, 0, 0), 4, NULL, &funnel, &error));
  g_assert_no_error (error);
  g_assert_cmpint (funnel.loyal, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/kpi/kpis", test_kpis);
  ADD ("/kpi/kpis-empty", test_kpis_empty);
  ADD ("/kpi/retention", test_retention);
  ADD ("/kpi/retention-empty", test_retention_empty);
  ADD ("/kpi/retention-too-old", test_retention_too_old);
  ADD ("/kpi/channel-costs", test_channel_costs);
  ADD ("/kpi/channel-costs-rounding", test_channel_costs_rounding);
  ADD ("/kpi/channel-costs-bad-period", test_channel_costs_bad_period);
  ADD ("/kpi/funnel", test_funnel);

#undef ADD

  return g_test_run ();
}
