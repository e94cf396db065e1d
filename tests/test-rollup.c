/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-rollup.c: the dashboard's summaries give the figures the
 * purchases give, whatever happens to the purchases
 *
 * A property test: random inserts, updates, deletes of purchases,
 * deleted and erased contacts, changed channels, imports and refreshes
 * at random moments; after each step every figure read through the
 * summaries (ct-rollup.h, ct-kpi.h, ct-dashboard.h) must equal the same
 * figure read from the purchases with the summaries switched off, in
 * three time zones (one of them half an hour off UTC), and the sales
 * tables must equal the purchases grouped by hour and day. Times are
 * drawn near midnights and month ends on purpose.
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "ct-dashboard.h"
#include "ct-demo.h"
#include "ct-import.h"
#include "ct-kpi.h"
#include "ct-privacy.h"
#include "ct-rollup.h"
#include "ct-test-db.h"

typedef struct
{
  CtTestDb   t;
  GRand     *rand;
  GTimeZone *zones[3];
  guint      n_imports;
} Fixture;

/* 2024-01-01 00:00 UTC */
#define BASE G_GINT64_CONSTANT (1704067200)
#define SPAN_DAYS 500
#define HOUR 3600
#define DAY 86400

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  ct_test_db_set_up (&f->t, "clientele-test-rollup-XXXXXX");
  f->zones[0] = g_time_zone_new_identifier ("Asia/Shanghai");
  f->zones[1] = g_time_zone_new_identifier ("Asia/Kolkata");
  f->zones[2] = g_time_zone_new_utc ();
  for (guint i = 0; i < 2; i++)
    g_assert_nonnull (f->zones[i]);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (f->zones); i++)
    g_clear_pointer (&f->zones[i], g_time_zone_unref);
  g_clear_pointer (&f->rand, g_rand_free);
  ct_test_db_tear_down (&f->t);
}

static gint64
query (Fixture    *f,
       const char *sql)
{
  g_autoptr(GError) error = NULL;
  gint64 v = ct_db_query_int64 (f->t.db, sql, &error);

  g_assert_no_error (error);
  return v;
}

static void
exec (Fixture    *f,
      const char *sql)
{
  ct_test_db_exec (&f->t, sql);
}

/* A time in the history, often right before or after a midnight or a
 * month's start in one of the zones. */
static gint64
random_time (Fixture *f)
{
  gint64 t = BASE + g_rand_int_range (f->rand, 0, SPAN_DAYS) * (gint64) DAY;

  switch (g_rand_int_range (f->rand, 0, 4))
    {
    case 0:
      return t + g_rand_int_range (f->rand, 0, DAY);
    case 1:
      {
        /* A month's start in a zone, give or take a few minutes. */
        GTimeZone *zone = f->zones[g_rand_int_range (f->rand, 0, 3)];
        g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (t);
        g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, zone);
        g_autoptr(GDateTime) month = g_date_time_new (zone, g_date_time_get_year (local),
                                                      g_date_time_get_month (local), 1, 0, 0, 0);

        return g_date_time_to_unix (month) + g_rand_int_range (f->rand, -300, 300);
      }
    case 2:
      /* Around a local midnight of UTC+8 or UTC+5:30. */
      return t - (g_rand_boolean (f->rand) ? 8 * HOUR : 5 * HOUR + 1800) + g_rand_int_range (f->rand, -120, 120);
    default:
      return t + g_rand_int_range (f->rand, -2, 2);
    }
}

static gint64
random_row (Fixture    *f,
            const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT id FROM %s ORDER BY id LIMIT 1 OFFSET"
                                          " abs(random()) %% max((SELECT count(*) FROM %s), 1)",
                                          table, table);

  return query (f, sql);
}

static void
set_up_business (Fixture *f)
{
  exec (f, "INSERT INTO channels (id, name) VALUES (1, 'WeChat'), (2, 'Xiaohongshu'), (3, 'Bilibili')");
  exec (f, "INSERT INTO products (id, name, kind, price, currency) VALUES"
           " (1, 'Course', 'course', 19900, 'CNY'), (2, 'Ebook', 'ebook', 4900, 'CNY'),"
           " (3, 'Club', 'membership', 9900, 'CNY'), (4, 'Coaching', 'coaching', 50000, 'USD')");
  for (guint i = 1; i <= 40; i++)
    {
      g_autofree char *sql = g_strdup_printf ("INSERT INTO contacts (id, email, first_name, channel_id, status)"
                                              " VALUES (%u, 'c%u@example.com', 'C%u', %s, '%s')",
                                              i, i, i, i % 4 == 0 ? "NULL" : (i % 4 == 1 ? "1" : i % 4 == 2 ? "2" : "3"),
                                              i % 5 == 0 ? "unsubscribed" : "subscribed");
      exec (f, sql);
    }
}

static void
insert_purchase (Fixture *f)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;
  gint64 contact = random_row (f, "contacts");
  gint64 product = g_rand_int_range (f->rand, 0, 5) == 0 ? 0 : random_row (f, "products");

  stmt = ct_db_prepare (f->t.db,
                        "INSERT INTO purchases (contact_id, product_id, amount, currency, purchased_at, refunded)"
                        " VALUES (nullif(?1, 0), nullif(?2, 0), ?3, ?4, ?5, ?6)",
                        &error);
  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, g_rand_int_range (f->rand, 0, 20) == 0 ? 0 : contact);
  sqlite3_bind_int64 (stmt, 2, product);
  sqlite3_bind_int64 (stmt, 3, g_rand_int_range (f->rand, 100, 100000));
  sqlite3_bind_text (stmt, 4, g_rand_int_range (f->rand, 0, 8) == 0 ? "USD" : "CNY", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, random_time (f));
  sqlite3_bind_int (stmt, 6, g_rand_int_range (f->rand, 0, 10) == 0);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
}

static void
update_purchase (Fixture *f)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = random_row (f, "purchases");
  static const char * const updates[] = {
    "UPDATE purchases SET amount = ?2 % 50000 + 1 WHERE id = ?1",
    "UPDATE purchases SET purchased_at = ?3 WHERE id = ?1",
    "UPDATE purchases SET contact_id = (SELECT id FROM contacts ORDER BY id LIMIT 1 OFFSET ?2 % (SELECT count(*) FROM contacts)) WHERE id = ?1",
    "UPDATE purchases SET product_id = CASE WHEN ?2 % 5 > 0 THEN"
    " (SELECT id FROM products ORDER BY id LIMIT 1 OFFSET ?2 % (SELECT count(*) FROM products)) END WHERE id = ?1",
    "UPDATE purchases SET refunded = 1 - refunded WHERE id = ?1",
    "UPDATE purchases SET currency = CASE currency WHEN 'CNY' THEN 'USD' ELSE 'CNY' END WHERE id = ?1",
  };

  if (id == 0)
    return;
  stmt = ct_db_prepare (f->t.db, updates[g_rand_int_range (f->rand, 0, G_N_ELEMENTS (updates))], &error);
  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_int64 (stmt, 2, g_rand_int_range (f->rand, 0, 1000000));
  sqlite3_bind_int64 (stmt, 3, random_time (f));
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
}

static void
import_purchases (Fixture *f,
                  guint    n_rows)
{
  g_autoptr(GString) csv = g_string_new ("order id,email,amount,currency,paid at,product\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(CtImporter) importer = ct_importer_new (CT_IMPORT_PURCHASES);
  g_autoptr(CtImportResult) result = NULL;
  static const char * const products[] = { "", "Course", "Ebook", "Club", "Coaching" };

  f->n_imports++;
  for (guint i = 0; i < n_rows; i++)
    {
      gint64 t = random_time (f);
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (t);
      g_autofree char *when = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");

      /* Some buyers are new: the import creates them. */
      g_string_append_printf (csv, "imp-%u-%u,c%d@example.com,%d.%02d,%s,%s,%s\n",
                              f->n_imports, i, g_rand_int_range (f->rand, 1, 60),
                              g_rand_int_range (f->rand, 1, 900), g_rand_int_range (f->rand, 0, 100),
                              g_rand_int_range (f->rand, 0, 8) == 0 ? "USD" : "CNY", when,
                              products[g_rand_int_range (f->rand, 0, 5)]);
    }
  bytes = g_bytes_new (csv->str, csv->len);
  g_assert_true (ct_importer_load_bytes (importer, bytes, "orders.csv", &error));
  g_assert_no_error (error);
  result = ct_importer_run (importer, f->t.db, FALSE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  /* Rows of erased contacts are refused (a small import may have no
   * other); the rest go in. */
  g_assert_cmpuint (ct_import_result_get_imported (result) + ct_import_result_get_rejected (result), ==, n_rows);
  for (guint i = 0; i < ct_import_result_get_rejected (result); i++)
    g_assert_nonnull (strstr (ct_import_result_get_reject (result, i)->reason, "asked to be erased"));
}

static void
random_step (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  guint op = g_rand_int_range (f->rand, 0, 100);

  if (op < 45)
    insert_purchase (f);
  else if (op < 70)
    update_purchase (f);
  else if (op < 78)
    {
      g_autofree char *sql = g_strdup_printf ("DELETE FROM purchases WHERE id = %" G_GINT64_FORMAT,
                                              random_row (f, "purchases"));
      exec (f, sql);
    }
  else if (op < 81)
    {
      g_autofree char *sql = g_strdup_printf ("DELETE FROM contacts WHERE id = %" G_GINT64_FORMAT,
                                              random_row (f, "contacts"));
      exec (f, sql);
    }
  else if (op < 83)
    {
      gint64 id = random_row (f, "contacts");

      if (id != 0)
        {
          g_assert_true (ct_privacy_erase_contact (f->t.db, id, &error));
          g_assert_no_error (error);
        }
    }
  else if (op < 88)
    {
      g_autofree char *sql = g_strdup_printf ("UPDATE contacts SET channel_id = nullif(%d, 0) WHERE id = %" G_GINT64_FORMAT,
                                              g_rand_int_range (f->rand, 0, 4), random_row (f, "contacts"));
      exec (f, sql);
    }
  else if (op < 90)
    exec (f, "DELETE FROM products WHERE id = (SELECT max(id) FROM products WHERE id > 1)");
  else if (op < 96)
    {
      g_assert_true (ct_rollup_refresh (f->t.db, f->zones[g_rand_int_range (f->rand, 0, 2)], &error));
      g_assert_no_error (error);
    }
  else
    import_purchases (f, g_rand_int_range (f->rand, 1, 30));
}

/* ------------------------------------------------------------------ */
/* Checks */

static void
check_sales_tables (Fixture *f)
{
  /* Both ways round: nothing in one that is not in the other. */
  static const char * const checks[] = {
    "SELECT count(*) FROM (SELECT currency, hour, product_id, orders, revenue FROM sales_hours WHERE orders != 0"
    " EXCEPT SELECT currency, purchased_at - ((purchased_at % 3600) + 3600) % 3600, coalesce(product_id, 0),"
    " count(*), sum(amount) FROM purchases WHERE refunded = 0 GROUP BY 1, 2, 3)",
    "SELECT count(*) FROM (SELECT currency, purchased_at - ((purchased_at % 3600) + 3600) % 3600, coalesce(product_id, 0),"
    " count(*), sum(amount) FROM purchases WHERE refunded = 0 GROUP BY 1, 2, 3"
    " EXCEPT SELECT currency, hour, product_id, orders, revenue FROM sales_hours WHERE orders != 0)",
    "SELECT count(*) FROM (SELECT currency, day, product_id, orders, revenue FROM sales_days WHERE orders != 0"
    " EXCEPT SELECT currency, purchased_at - ((purchased_at % 86400) + 86400) % 86400, coalesce(product_id, 0),"
    " count(*), sum(amount) FROM purchases WHERE refunded = 0 GROUP BY 1, 2, 3)",
    "SELECT count(*) FROM (SELECT currency, purchased_at - ((purchased_at % 86400) + 86400) % 86400, coalesce(product_id, 0),"
    " count(*), sum(amount) FROM purchases WHERE refunded = 0 GROUP BY 1, 2, 3"
    " EXCEPT SELECT currency, day, product_id, orders, revenue FROM sales_days WHERE orders != 0)",
    "SELECT count(*) FROM sales_hours WHERE orders = 0 AND revenue != 0",
    "SELECT count(*) FROM sales_days WHERE orders = 0 AND revenue != 0",
    /* A stored customer's row and its share of the cohorts. */
    "SELECT count(*) FROM contact_rollup r WHERE r.contact_id NOT IN (SELECT contact_id FROM rollup_dirty)"
    " AND r.first_at IS NOT (SELECT min(purchased_at) FROM purchases WHERE contact_id = r.contact_id AND refunded = 0)",
    "SELECT count(*) FROM (SELECT DISTINCT contact_id FROM purchases WHERE contact_id IS NOT NULL AND refunded = 0)"
    " WHERE contact_id NOT IN (SELECT contact_id FROM contact_rollup)"
    " AND contact_id NOT IN (SELECT contact_id FROM rollup_dirty)",
    "SELECT count(*) FROM (SELECT cohort, month, buyers FROM cohort_buyers WHERE buyers != 0"
    " EXCEPT SELECT r.cohort, j.value, count(*) FROM contact_rollup r, json_each(r.months) j GROUP BY 1, 2)",
    "SELECT count(*) FROM (SELECT r.cohort, j.value, count(*) FROM contact_rollup r, json_each(r.months) j GROUP BY 1, 2"
    " EXCEPT SELECT cohort, month, buyers FROM cohort_buyers WHERE buyers != 0)",
    /* Who bought which product, and how often. */
    "SELECT count(*) FROM (SELECT product_id, contact_id, purchases FROM product_buyers"
    " EXCEPT SELECT product_id, contact_id, count(*) FROM purchases"
    " WHERE refunded = 0 AND product_id IS NOT NULL AND contact_id IS NOT NULL GROUP BY 1, 2)",
    "SELECT count(*) FROM (SELECT product_id, contact_id, count(*) FROM purchases"
    " WHERE refunded = 0 AND product_id IS NOT NULL AND contact_id IS NOT NULL GROUP BY 1, 2"
    " EXCEPT SELECT product_id, contact_id, purchases FROM product_buyers)",
  };

  for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
    {
      if (query (f, checks[i]) != 0)
        g_error ("check %u failed: %s", i, checks[i]);
    }
}

static void
assert_same_retention (const CtRetention *a,
                       const CtRetention *b)
{
  g_assert_cmpuint (a->n_cohorts, ==, b->n_cohorts);
  g_assert_cmpuint (a->n_offsets, ==, b->n_offsets);
  for (guint c = 0; c < a->n_cohorts; c++)
    {
      g_assert_cmpstr (a->months[c], ==, b->months[c]);
      g_assert_cmpint (a->sizes[c], ==, b->sizes[c]);
      for (guint k = 0; k < a->n_offsets; k++)
        g_assert_cmpint (a->buyers[c * a->n_offsets + k], ==, b->buyers[c * b->n_offsets + k]);
    }
}

static void
assert_same_channels (GArray *a,
                      GArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      CtChannelCost *x = &g_array_index (a, CtChannelCost, i);
      CtChannelCost *y = &g_array_index (b, CtChannelCost, i);

      g_assert_cmpint (x->channel_id, ==, y->channel_id);
      g_assert_cmpint (x->new_customers, ==, y->new_customers);
      g_assert_cmpint (x->spend, ==, y->spend);
      g_assert_cmpint (x->cost_per_customer, ==, y->cost_per_customer);
    }
}

static void
check_as_of (Fixture   *f,
             gint64     as_of,
             GTimeZone *zone)
{
  g_autoptr(GError) error = NULL;
  CtRetention *retention[2] = { NULL, NULL };
  CtKpis kpis[2];
  CtFunnel funnel[2];

  for (int on = 0; on < 2; on++)
    {
      ct_rollup_set_enabled (f->t.db, on);
      g_assert_true (ct_kpis_load (f->t.db, as_of, "CNY", NULL, &kpis[on], &error));
      g_assert_no_error (error);
      g_assert_true (ct_funnel_load (f->t.db, as_of, CT_FUNNEL_DEFAULT_LOYAL_PURCHASES, NULL, &funnel[on], &error));
      g_assert_no_error (error);
      retention[on] = ct_retention_load (f->t.db, as_of, zone, &error);
      g_assert_no_error (error);
    }
  g_assert_cmpint (kpis[0].contacts, ==, kpis[1].contacts);
  g_assert_cmpint (kpis[0].customers, ==, kpis[1].customers);
  g_assert_cmpint (kpis[0].repeat_customers, ==, kpis[1].repeat_customers);
  g_assert_cmpint (kpis[0].orders, ==, kpis[1].orders);
  g_assert_cmpint (kpis[0].revenue, ==, kpis[1].revenue);
  g_assert_cmpint (funnel[0].converted, ==, funnel[1].converted);
  g_assert_cmpint (funnel[0].retained, ==, funnel[1].retained);
  g_assert_cmpint (funnel[0].loyal, ==, funnel[1].loyal);
  g_assert_cmpint (funnel[0].contacted, ==, funnel[1].contacted);
  assert_same_retention (retention[0], retention[1]);
  ct_retention_free (retention[0]);
  ct_retention_free (retention[1]);
}

static void
check_dashboard (Fixture        *f,
                 const CtPeriod *period,
                 GTimeZone      *zone)
{
  g_autoptr(GError) error = NULL;
  CtDashboard *d[2] = { NULL, NULL };

  for (int on = 0; on < 2; on++)
    {
      ct_rollup_set_enabled (f->t.db, on);
      d[on] = ct_dashboard_load (f->t.db, period, zone, NULL, &error);
      g_assert_no_error (error);
    }
  for (guint k = 0; k < CT_KPI_N; k++)
    {
      g_assert_cmpfloat (d[0]->kpis[k].value, ==, d[1]->kpis[k].value);
      g_assert_cmpfloat (d[0]->kpis[k].previous, ==, d[1]->kpis[k].previous);
    }
  g_assert_cmpuint (d[0]->n_buckets, ==, d[1]->n_buckets);
  for (guint b = 0; b < d[0]->n_buckets; b++)
    g_assert_cmpint (d[0]->revenue[b], ==, d[1]->revenue[b]);
  g_assert_cmpuint (d[0]->n_products, ==, d[1]->n_products);
  for (guint p = 0; p < d[0]->n_products; p++)
    {
      g_assert_cmpint (d[0]->product_ids[p], ==, d[1]->product_ids[p]);
      g_assert_cmpstr (d[0]->product_names[p], ==, d[1]->product_names[p]);
      for (guint b = 0; b < d[0]->n_buckets; b++)
        g_assert_cmpint (d[0]->product_revenue[p * d[0]->n_buckets + b], ==,
                         d[1]->product_revenue[p * d[1]->n_buckets + b]);
    }
  g_assert_cmpmem (&d[0]->funnel, sizeof d[0]->funnel, &d[1]->funnel, sizeof d[1]->funnel);
  assert_same_retention (d[0]->retention, d[1]->retention);
  assert_same_channels (d[0]->channels, d[1]->channels);
  ct_dashboard_free (d[0]);
  ct_dashboard_free (d[1]);
}

static void
check_all (Fixture *f)
{
  GTimeZone *zone = f->zones[g_rand_int_range (f->rand, 0, 3)];
  gint64 as_of = random_time (f);
  g_autoptr(GError) error = NULL;
  CtPeriod period;

  check_sales_tables (f);
  check_as_of (f, as_of, zone);
  /* The end of the history: no purchase after it. */
  check_as_of (f, BASE + (SPAN_DAYS + 2) * (gint64) DAY, zone);

  {
    GArray *costs[2] = { NULL, NULL };

    for (int on = 0; on < 2; on++)
      {
        ct_rollup_set_enabled (f->t.db, on);
        costs[on] = ct_channel_costs_load (f->t.db, "2024-02", "2024-11", "CNY", zone, &error);
        g_assert_no_error (error);
      }
    assert_same_channels (costs[0], costs[1]);
    g_array_unref (costs[0]);
    g_array_unref (costs[1]);
  }

  /* A month in days, a year in months, both with their edges anywhere. */
  g_assert_true (ct_period_init (&period, CT_PERIOD_30_DAYS, f->t.db, as_of, zone, &error));
  g_assert_no_error (error);
  check_dashboard (f, &period, zone);
  g_assert_true (ct_period_init (&period, CT_PERIOD_12_MONTHS, f->t.db, as_of + 200 * DAY, zone, &error));
  g_assert_no_error (error);
  check_dashboard (f, &period, zone);
  ct_rollup_set_enabled (f->t.db, TRUE);
}

/* ------------------------------------------------------------------ */

static void
test_random_changes (Fixture       *f,
                     gconstpointer  data)
{
  guint seed = GPOINTER_TO_UINT (data);

  g_test_message ("seed %u", seed);
  f->rand = g_rand_new_with_seed (seed);
  set_up_business (f);
  check_all (f);
  for (guint step = 0; step < 150; step++)
    {
      random_step (f);
      if (step % 5 == 4)
        check_all (f);
    }
  check_all (f);
}

/* An import big enough that the importer puts the triggers off and
 * brings the summaries up to date at its end, into a database with
 * customers already. */
static void
test_big_import (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->rand = g_rand_new_with_seed (42);
  set_up_business (f);
  for (guint i = 0; i < 200; i++)
    insert_purchase (f);
  g_assert_true (ct_rollup_refresh (f->t.db, f->zones[0], &error));
  g_assert_no_error (error);
  check_all (f);

  import_purchases (f, 6000);
  /* The import adds the sales up at its end and leaves its buyers
   * listed: the readers work them out until a refresh stores them. */
  g_assert_cmpint (query (f, "SELECT count(*) FROM rollup_dirty"), >, 0);
  check_all (f);
  g_assert_true (ct_rollup_refresh (f->t.db, f->zones[1], &error));
  g_assert_no_error (error);
  g_assert_cmpint (query (f, "SELECT count(*) FROM rollup_dirty"), ==, 0);
  check_all (f);
  for (guint step = 0; step < 40; step++)
    random_step (f);
  check_all (f);
}

/* The migration fills the sales and lists every customer, so the first
 * reader works everyone out and the first refresh stores them. */
static void
test_backfill (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->rand = g_rand_new_with_seed (7);
  set_up_business (f);
  for (guint i = 0; i < 300; i++)
    insert_purchase (f);
  /* As if these purchases were there before the summaries' migration. */
  exec (f, "DELETE FROM sales_hours; DELETE FROM sales_days; DELETE FROM cohort_buyers;"
           " DELETE FROM rollup_dirty; DELETE FROM contact_rollup; DELETE FROM product_buyers;"
           " DELETE FROM settings WHERE key = 'rollup.zone'");
  {
    guint n;
    const CtDbMigration *migrations = ct_db_schema_get_migrations (&n);
    const char *sql = NULL;
    const char *backfill;
    g_autofree char *fill = NULL;

    for (guint i = 0; i < n; i++)
      if (strstr (migrations[i].sql, "CREATE TABLE sales_hours") != NULL)
        sql = migrations[i].sql;
    g_assert_nonnull (sql);
    /* Only its INSERTs: the tables and triggers are there already. */
    backfill = strstr (sql, "INSERT INTO sales_hours");
    g_assert_nonnull (backfill);
    fill = g_strndup (backfill, strstr (backfill, "CREATE TABLE contact_rollup") - backfill);
    exec (f, fill);
    backfill = strstr (sql, "INSERT INTO rollup_dirty");
    g_assert_nonnull (backfill);
    g_free (fill);
    fill = g_strndup (backfill, strstr (backfill, "CREATE TRIGGER") - backfill);
    exec (f, fill);

    /* The product buyers' migration fills its table the same way. */
    sql = NULL;
    for (guint i = 0; i < n; i++)
      if (strstr (migrations[i].sql, "CREATE TABLE product_buyers") != NULL)
        sql = migrations[i].sql;
    g_assert_nonnull (sql);
    backfill = strstr (sql, "INSERT INTO product_buyers");
    g_assert_nonnull (backfill);
    g_free (fill);
    fill = g_strndup (backfill, strstr (backfill, "DROP INDEX") - backfill);
    exec (f, fill);
  }
  g_assert_cmpint (query (f, "SELECT count(*) FROM rollup_dirty"), >, 0);
  check_all (f);
  g_assert_true (ct_rollup_refresh (f->t.db, f->zones[1], &error));
  g_assert_no_error (error);
  g_assert_cmpint (query (f, "SELECT count(*) FROM rollup_dirty"), ==, 0);
  check_all (f);
}

/* The demo puts the trigger off too and adds its purchases at the end. */
static void
test_demo (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CtDemoOptions options = { 150, 5, BASE + (SPAN_DAYS + 1) * (gint64) DAY };

  f->rand = g_rand_new_with_seed (5);
  g_assert_true (ct_demo_generate (f->t.db, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query (f, "SELECT count(*) FROM sales_days"), >, 0);
  g_assert_cmpint (query (f, "SELECT count(*) FROM sqlite_master WHERE name = 'purchases_rollup_ins'"), ==, 1);
  check_all (f);
  for (guint step = 0; step < 20; step++)
    insert_purchase (f);
  check_all (f);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  for (guint seed = 1; seed <= 6; seed++)
    {
      g_autofree char *path = g_strdup_printf ("/rollup/random-changes/%u", seed);

      g_test_add (path, Fixture, GUINT_TO_POINTER (seed), fixture_set_up, test_random_changes, fixture_tear_down);
    }
  g_test_add ("/rollup/big-import", Fixture, NULL, fixture_set_up, test_big_import, fixture_tear_down);
  g_test_add ("/rollup/backfill", Fixture, NULL, fixture_set_up, test_backfill, fixture_tear_down);
  g_test_add ("/rollup/demo", Fixture, NULL, fixture_set_up, test_demo, fixture_tear_down);
  return g_test_run ();
}
