/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-stats.c: tests for ct-stats */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gstdio.h>

#include "ct-stats.h"
#include "ct-test-db.h"

typedef CtTestDb Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  ct_test_db_set_up (fixture, "clientele-test-stats-XXXXXX");
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
add_contact (Fixture    *fixture,
             const char *email)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *error = NULL;

  stmt = ct_db_prepare (fixture->db, "INSERT INTO contacts (email) VALUES (?)", &error);
  g_assert_no_error (error);
  sqlite3_bind_text (stmt, 1, email, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  return sqlite3_last_insert_rowid (ct_db_get_handle (fixture->db));
}

static gint64
add_purchase (Fixture    *fixture,
              gint64      contact_id,
              gint64      amount,
              const char *currency,
              gboolean    refunded)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *error = NULL;

  stmt = ct_db_prepare (fixture->db,
                        "INSERT INTO purchases (contact_id, amount, currency, purchased_at, refunded)"
                        " VALUES (?, ?, ?, 1700000000, ?)",
                        &error);
  g_assert_no_error (error);
  if (contact_id > 0)
    sqlite3_bind_int64 (stmt, 1, contact_id);
  else
    sqlite3_bind_null (stmt, 1);
  sqlite3_bind_int64 (stmt, 2, amount);
  sqlite3_bind_text (stmt, 3, currency, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 4, refunded);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  return sqlite3_last_insert_rowid (ct_db_get_handle (fixture->db));
}

static void
test_empty (Fixture       *fixture,
            gconstpointer  data)
{
  CtStats stats;
  GError *error = NULL;

  memset (&stats, 0x5a, sizeof stats);
  g_assert_true (ct_stats_load (fixture->db, &stats, &error));
  g_assert_no_error (error);

  g_assert_cmpint (stats.contacts, ==, 0);
  g_assert_cmpint (stats.customers, ==, 0);
  g_assert_cmpint (stats.purchases, ==, 0);
  g_assert_cmpint (stats.products, ==, 0);
  g_assert_cmpint (stats.revenue, ==, 0);
  g_assert_cmpstr (stats.currency, ==, "CNY");
}

static void
test_counts (Fixture       *fixture,
             gconstpointer  data)
{
  CtStats stats;
  GError *error = NULL;
  gint64 ada, wei, kim, refunder;
  gint64 refund_me;

  ada = add_contact (fixture, "ada@example.com");
  wei = add_contact (fixture, "wei@example.com");
  kim = add_contact (fixture, "kim@example.com");
  add_contact (fixture, "lurker@example.com");               /* never bought */
  refunder = add_contact (fixture, "refund@example.com");    /* only a refund */
  exec (fixture, "INSERT INTO products (name, price) VALUES ('Course', 19900), ('Ebook', 4900),"
                 " ('Old', 100)");

  add_purchase (fixture, ada, 19900, "CNY", FALSE);
  add_purchase (fixture, ada, 4900, "CNY", FALSE);
  add_purchase (fixture, wei, 19900, "CNY", FALSE);
  refund_me = add_purchase (fixture, wei, 10000, "CNY", FALSE);
  add_purchase (fixture, kim, 2500, "USD", FALSE);
  add_purchase (fixture, refunder, 8800, "CNY", TRUE);
  /* The anonymous purchase of an erased contact still earned money. */
  add_purchase (fixture, 0, 1000, "CNY", FALSE);

  g_assert_true (ct_stats_load (fixture->db, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stats.contacts, ==, 5);
  g_assert_cmpint (stats.customers, ==, 3);              /* ada, wei, kim */
  g_assert_cmpint (stats.purchases, ==, 6);              /* all but the refund */
  g_assert_cmpint (stats.products, ==, 3);
  g_assert_cmpstr (stats.currency, ==, "CNY");           /* 6 of 7 purchases */
  g_assert_cmpint (stats.revenue, ==, 19900 + 4900 + 19900 + 10000 + 1000);

  /* A refund takes the purchase out of every figure. */
  {
    g_autoptr(sqlite3_stmt) stmt =
      ct_db_prepare (fixture->db, "UPDATE purchases SET refunded = 1 WHERE id = ?", &error);
    g_assert_no_error (error);
    sqlite3_bind_int64 (stmt, 1, refund_me);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  }
  g_assert_true (ct_stats_load (fixture->db, &stats, &error));
  g_assert_cmpint (stats.purchases, ==, 5);
  g_assert_cmpint (stats.revenue, ==, 19900 + 4900 + 19900 + 1000);
  g_assert_cmpint (stats.customers, ==, 3);

  /* So does deleting it; wei has no purchase left then. */
  exec (fixture, "DELETE FROM purchases WHERE contact_id = (SELECT id FROM contacts"
                 " WHERE email = 'wei@example.com')");
  g_assert_true (ct_stats_load (fixture->db, &stats, &error));
  g_assert_cmpint (stats.customers, ==, 2);
  g_assert_cmpint (stats.purchases, ==, 4);
  g_assert_cmpint (stats.revenue, ==, 4900 + 19900 + 1000);
  g_assert_cmpint (stats.contacts, ==, 5);
}

static void
test_main_currency (Fixture       *fixture,
                    gconstpointer  data)
{
  CtStats stats;
  GError *error = NULL;
  gint64 c = add_contact (fixture, "ada@example.com");

  add_purchase (fixture, c, 1000, "CNY", FALSE);
  add_purchase (fixture, c, 2000, "CNY", FALSE);
  add_purchase (fixture, c, 500, "USD", FALSE);
  add_purchase (fixture, c, 700, "USD", FALSE);
  add_purchase (fixture, c, 900, "USD", TRUE);

  /* USD is used by three purchases (one refunded), CNY by two: the main
   * currency is USD, and its revenue leaves out the refund and the CNY. */
  g_assert_true (ct_stats_load (fixture->db, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (stats.currency, ==, "USD");
  g_assert_cmpint (stats.revenue, ==, 1200);
  g_assert_cmpint (stats.purchases, ==, 4);
  g_assert_cmpint (stats.customers, ==, 1);

  /* A tie goes the same way every time: the first code alphabetically. */
  add_purchase (fixture, c, 3000, "CNY", FALSE);
  g_assert_true (ct_stats_load (fixture->db, &stats, &error));
  g_assert_cmpstr (stats.currency, ==, "CNY");
  g_assert_cmpint (stats.revenue, ==, 6000);
  g_assert_cmpint (stats.purchases, ==, 5);

  add_purchase (fixture, c, 1, "JPY", FALSE);
  add_purchase (fixture, c, 1, "JPY", FALSE);
  add_purchase (fixture, c, 1, "JPY", FALSE);
  add_purchase (fixture, c, 1, "JPY", FALSE);
  g_assert_true (ct_stats_load (fixture->db, &stats, &error));
  g_assert_cmpstr (stats.currency, ==, "JPY");
  g_assert_cmpint (stats.revenue, ==, 4);
  g_assert_cmpint (stats.purchases, ==, 9);
}

static void
test_large_amounts (Fixture       *fixture,
                    gconstpointer  data)
{
  CtStats stats;
  GError *error = NULL;
  gint64 c = add_contact (fixture, "whale@example.com");
  const gint64 big = G_GINT64_CONSTANT (4000000000000000000);

  /* Exact integer sums, well past what a double holds exactly. */
  add_purchase (fixture, c, big, "CNY", FALSE);
  add_purchase (fixture, c, 3, "CNY", FALSE);
  g_assert_true (ct_stats_load (fixture->db, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stats.revenue, ==, big + 3);
}

static void
test_in_transaction (Fixture       *fixture,
                     gconstpointer  data)
{
  CtStats stats;
  GError *error = NULL;

  /* Callable while an import holds a transaction, and sees its rows. */
  g_assert_true (ct_db_begin (fixture->db, &error));
  add_purchase (fixture, add_contact (fixture, "a@example.com"), 500, "CNY", FALSE);
  g_assert_true (ct_stats_load (fixture->db, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stats.revenue, ==, 500);
  g_assert_false (sqlite3_get_autocommit (ct_db_get_handle (fixture->db)));
  g_assert_true (ct_db_commit (fixture->db, &error));
  g_assert_no_error (error);

  g_assert_true (ct_stats_load (fixture->db, &stats, &error));
  g_assert_cmpint (stats.customers, ==, 1);
  /* And it leaves no transaction open behind it. */
  g_assert_true (sqlite3_get_autocommit (ct_db_get_handle (fixture->db)));
}

static void
test_error (Fixture       *fixture,
            gconstpointer  data)
{
  CtStats stats;
  GError *error = NULL;

  add_purchase (fixture, add_contact (fixture, "a@example.com"), 500, "CNY", FALSE);
  exec (fixture, "PRAGMA foreign_keys = OFF; DROP TABLE products;");

  memset (&stats, 0x5a, sizeof stats);
  g_assert_false (ct_stats_load (fixture->db, &stats, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_FAILED);
  g_clear_error (&error);

  /* No half-filled figures. */
  g_assert_cmpint (stats.contacts, ==, 0);
  g_assert_cmpint (stats.revenue, ==, 0);
  g_assert_cmpstr (stats.currency, ==, "CNY");
  g_assert_true (sqlite3_get_autocommit (ct_db_get_handle (fixture->db)));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/stats/empty", test_empty);
  ADD ("/stats/counts", test_counts);
  ADD ("/stats/main-currency", test_main_currency);
  ADD ("/stats/large-amounts", test_large_amounts);
  ADD ("/stats/in-transaction", test_in_transaction);
  ADD ("/stats/error", test_error);

  return g_test_run ();
}
