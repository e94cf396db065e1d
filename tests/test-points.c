/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-points.c: points earned on purchases, awarded, redeemed (never
 * below zero) and expired */
#include <string.h>

#include "ct-points.h"
#include "ct-test-db.h"
#include "ct-tier.h"

#define DAY 86400
#define T0 G_GINT64_CONSTANT (1748736000)

typedef CtTestDb Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  ct_test_db_set_up (f, "clientele-test-points-XXXXXX");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  ct_test_db_tear_down (f);
}

static gint64
add_contact (Fixture    *f,
             const char *email)
{
  g_autofree char *sql = g_strdup_printf ("INSERT INTO contacts (email) VALUES ('%s')", email);

  ct_test_db_exec (f, sql);
  return sqlite3_last_insert_rowid (ct_db_get_handle (f->db));
}

static gint64
add_purchase (Fixture    *f,
              gint64      contact,
              gint64      amount,
              const char *currency,
              gint64      at)
{
  g_autofree char *sql =
    g_strdup_printf ("INSERT INTO purchases (contact_id, amount, currency, purchased_at)"
                     " VALUES (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", '%s', %" G_GINT64_FORMAT ")",
                     contact, amount, currency, at);

  ct_test_db_exec (f, sql);
  return sqlite3_last_insert_rowid (ct_db_get_handle (f->db));
}

static gint64
balance (Fixture *f,
         gint64   contact)
{
  GError *error = NULL;
  gint64 points = -1;
  gint64 sum;

  g_assert_true (ct_points_get_balance (f->db, contact, &points, &error));
  g_assert_no_error (error);
  /* The kept balance is the ledger's sum. */
  {
    g_autofree char *sql = g_strdup_printf ("SELECT coalesce(sum(points), 0) FROM points_ledger"
                                            " WHERE contact_id = %" G_GINT64_FORMAT, contact);

    sum = ct_db_query_int64 (f->db, sql, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpint (points, ==, sum);
  return points;
}

static void
set_expiry (Fixture *f,
            guint    days)
{
  CtLoyaltySettings s;
  GError *error = NULL;

  g_assert_true (ct_loyalty_settings_load (f->db, &s, &error));
  s.expiry_days = days;
  g_assert_true (ct_loyalty_settings_save (f->db, &s, &error));
  g_assert_no_error (error);
}

/* ¥123.45 earns 123 points at ×1; at Gold (×1.5) ¥100 earns 150. */
static void
test_purchase_earns (Fixture       *f,
                     gconstpointer  data)
{
  gint64 id = add_contact (f, "a@example.com");
  gint64 other = add_contact (f, "b@example.com");
  GError *error = NULL;

  add_purchase (f, id, 12345, "CNY", T0);
  g_assert_cmpint (balance (f, id), ==, 123);

  /* Another currency earns nothing: ¥ and $ are not one for one. */
  add_purchase (f, other, 10000, "USD", T0);
  g_assert_cmpint (balance (f, other), ==, 0);

  /* Gold: ¥5,000 in the last year. */
  add_purchase (f, id, 500000 - 12345, "CNY", T0 + 1);
  g_assert_true (ct_tier_update (f->db, T0 + 2, 0, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (balance (f, id), ==, 123 + 4876);
  add_purchase (f, id, 10000, "CNY", T0 + 3);
  g_assert_cmpint (balance (f, id), ==, 123 + 4876 + 150);
}

static void
test_points_per_unit (Fixture       *f,
                      gconstpointer  data)
{
  gint64 id = add_contact (f, "a@example.com");
  CtLoyaltySettings s;
  GError *error = NULL;

  /* One point per ¥10 */
  g_assert_true (ct_loyalty_settings_load (f->db, &s, &error));
  s.points_per_unit = 10;
  g_assert_true (ct_loyalty_settings_save (f->db, &s, &error));
  g_assert_no_error (error);
  add_purchase (f, id, 9999, "CNY", T0);   /* ¥99.99: 9.999 points, rounded down */
  g_assert_cmpint (balance (f, id), ==, 9);

  /* Japanese yen have no minor unit. */
  g_strlcpy (s.currency, "jpy", sizeof s.currency);
  s.points_per_unit = 100;
  g_assert_true (ct_loyalty_settings_save (f->db, &s, &error));
  g_assert_true (ct_loyalty_settings_load (f->db, &s, &error));
  g_assert_cmpstr (s.currency, ==, "JPY");
  add_purchase (f, id, 500, "JPY", T0);
  g_assert_cmpint (balance (f, id), ==, 9 + 500);

  s.points_per_unit = 10001;
  g_assert_false (ct_loyalty_settings_save (f->db, &s, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
}

static void
test_refund (Fixture       *f,
             gconstpointer  data)
{
  gint64 id = add_contact (f, "a@example.com");
  gint64 purchase = add_purchase (f, id, 20000, "CNY", T0);
  g_autofree char *refund = g_strdup_printf ("UPDATE purchases SET refunded = 1 WHERE id = %" G_GINT64_FORMAT, purchase);
  g_autofree char *unrefund = g_strdup_printf ("UPDATE purchases SET refunded = 0 WHERE id = %" G_GINT64_FORMAT, purchase);
  g_autofree char *remove = g_strdup_printf ("DELETE FROM purchases WHERE id = %" G_GINT64_FORMAT, purchase);

  g_assert_cmpint (balance (f, id), ==, 200);
  ct_test_db_exec (f, refund);
  g_assert_cmpint (balance (f, id), ==, 0);
  ct_test_db_exec (f, refund);   /* no change: nothing more taken */
  g_assert_cmpint (balance (f, id), ==, 0);
  ct_test_db_exec (f, unrefund);
  g_assert_cmpint (balance (f, id), ==, 200);
  ct_test_db_exec (f, remove);
  g_assert_cmpint (balance (f, id), ==, 0);
}

static void
test_award_and_redeem (Fixture       *f,
                       gconstpointer  data)
{
  gint64 id = add_contact (f, "a@example.com");
  g_autoptr(GArray) ledger = NULL;
  GError *error = NULL;

  g_assert_cmpint (ct_points_award (f->db, id, 50, CT_POINTS_MANUAL, "Welcome gift", T0, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (ct_points_award_task (f->db, id, CT_POINTS_CHECKIN, NULL, T0 + 1, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (balance (f, id), ==, 55);

  g_assert_cmpint (ct_points_redeem (f->db, id, 30, "Coupon", T0 + 2, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (balance (f, id), ==, 25);

  /* Below zero: refused, with the balance in the message, nothing written. */
  g_assert_cmpint (ct_points_redeem (f->db, id, 26, NULL, T0 + 3, &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "26"));
  g_assert_nonnull (strstr (error->message, "25"));
  g_clear_error (&error);
  g_assert_cmpint (balance (f, id), ==, 25);

  /* The whole balance can go. */
  g_assert_cmpint (ct_points_redeem (f->db, id, 25, NULL, T0 + 4, &error), >, 0);
  g_assert_cmpint (balance (f, id), ==, 0);

  /* Bad numbers and kinds */
  g_assert_cmpint (ct_points_award (f->db, id, 0, CT_POINTS_MANUAL, NULL, T0, &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (ct_points_award (f->db, id, -5, CT_POINTS_MANUAL, NULL, T0, &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (ct_points_award (f->db, id, 5, CT_POINTS_REDEEM, NULL, T0, &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (ct_points_redeem (f->db, id, 0, NULL, T0, &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (ct_points_award (f->db, id + 100, 5, CT_POINTS_MANUAL, NULL, T0, &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);

  ledger = ct_points_list (f->db, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ledger->len, ==, 4);
  g_assert_cmpint (g_array_index (ledger, CtPointsEntry, 0).kind, ==, CT_POINTS_REDEEM);
  g_assert_cmpint (g_array_index (ledger, CtPointsEntry, 0).points, ==, -25);
  g_assert_cmpint (g_array_index (ledger, CtPointsEntry, 3).kind, ==, CT_POINTS_MANUAL);
  g_assert_cmpstr (g_array_index (ledger, CtPointsEntry, 3).reason, ==, "Welcome gift");
}

/* 100 earned at T0 and 50 at T0+20d, each lasting 30 days; 40 spent at
 * T0+25d comes out of the first (it expires first), so 60 of it expire
 * at T0+30d, and the 50 at T0+50d. */
static void
test_expiry (Fixture       *f,
             gconstpointer  data)
{
  gint64 id = add_contact (f, "a@example.com");
  g_autoptr(GArray) ledger = NULL;
  guint n = 99;
  GError *error = NULL;

  set_expiry (f, 30);
  g_assert_cmpint (ct_points_award (f->db, id, 100, CT_POINTS_MANUAL, NULL, T0, &error), >, 0);
  g_assert_cmpint (ct_points_award (f->db, id, 50, CT_POINTS_REVIEW, NULL, T0 + 20 * DAY, &error), >, 0);
  g_assert_cmpint (ct_points_redeem (f->db, id, 40, NULL, T0 + 25 * DAY, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (balance (f, id), ==, 110);

  /* A second before the expiry: nothing goes. */
  g_assert_true (ct_points_expire (f->db, T0 + 30 * DAY - 1, 0, &n, &error));
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpint (balance (f, id), ==, 110);

  g_assert_true (ct_points_expire (f->db, T0 + 30 * DAY, 0, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpint (balance (f, id), ==, 50);

  /* Again: nothing more. */
  g_assert_true (ct_points_expire (f->db, T0 + 31 * DAY, 0, &n, &error));
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpint (balance (f, id), ==, 50);

  /* Redeeming after the second lot expired is refused: the expiry is
   * written first. */
  g_assert_cmpint (ct_points_redeem (f->db, id, 10, NULL, T0 + 51 * DAY, &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (balance (f, id), ==, 0);

  ledger = ct_points_list (f->db, id, &error);
  g_assert_cmpuint (ledger->len, ==, 5);
  g_assert_cmpint (g_array_index (ledger, CtPointsEntry, 0).kind, ==, CT_POINTS_EXPIRED);
  g_assert_cmpint (g_array_index (ledger, CtPointsEntry, 0).points, ==, -50);
  g_assert_cmpint (g_array_index (ledger, CtPointsEntry, 0).created_at, ==, T0 + 50 * DAY);
  g_assert_cmpint (g_array_index (ledger, CtPointsEntry, 1).points, ==, -60);
  g_assert_cmpint (g_array_index (ledger, CtPointsEntry, 1).created_at, ==, T0 + 30 * DAY);
}

/* Points spent in full before they expire leave nothing to write off. */
static void
test_expiry_used_up (Fixture       *f,
                     gconstpointer  data)
{
  gint64 id = add_contact (f, "a@example.com");
  guint n = 99;
  GError *error = NULL;

  set_expiry (f, 10);
  add_purchase (f, id, 10000, "CNY", T0);   /* 100 points, expiring T0+10d */
  g_assert_cmpint (ct_points_redeem (f->db, id, 100, NULL, T0 + DAY, &error), >, 0);
  g_assert_true (ct_points_expire (f->db, T0 + 20 * DAY, id, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpint (balance (f, id), ==, 0);
  g_assert_cmpint (ct_db_query_int64 (f->db, "SELECT count(*) FROM points_ledger WHERE expiry_settled = 0"
                                             " AND expires_at IS NOT NULL", &error), ==, 0);
}

static void
test_contact_deleted (Fixture       *f,
                      gconstpointer  data)
{
  gint64 id = add_contact (f, "a@example.com");
  GError *error = NULL;
  g_autofree char *sql = g_strdup_printf ("DELETE FROM contacts WHERE id = %" G_GINT64_FORMAT, id);

  add_purchase (f, id, 10000, "CNY", T0);
  ct_points_award (f->db, id, 5, CT_POINTS_MANUAL, NULL, T0, &error);
  g_assert_no_error (error);
  ct_test_db_exec (f, sql);
  g_assert_cmpint (ct_db_query_int64 (f->db, "SELECT count(*) FROM points_ledger", &error), ==, 0);
  g_assert_cmpint (ct_db_query_int64 (f->db, "SELECT count(*) FROM contact_loyalty", &error), ==, 0);
}

/* What a bulk insert gives in one statement is what the trigger gives
 * one by one, balances included. */
static void
test_earn_in_bulk (Fixture       *f,
                   gconstpointer  data)
{
  gint64 a = add_contact (f, "a@example.com");
  gint64 b = add_contact (f, "b@example.com");
  gint64 c = add_contact (f, "c@example.com");
  GError *error = NULL;
  gint64 before;

  add_purchase (f, a, 10000, "CNY", T0);          /* by the trigger: 100 */
  add_purchase (f, c, 500000, "CNY", T0);         /* 5,000, and Gold from then on */
  g_assert_true (ct_tier_update (f->db, T0, 0, NULL, &error));
  before = ct_db_query_int64 (f->db, "SELECT max(id) FROM purchases", &error);
  ct_test_db_exec (f, "DROP TRIGGER purchases_points_ins");
  add_purchase (f, a, 500000, "CNY", T0 + 1);     /* at Member: 5,000 */
  add_purchase (f, b, 12399, "CNY", T0 + 2);      /* 123 */
  add_purchase (f, b, 5000, "USD", T0 + 3);       /* none */
  add_purchase (f, c, 10000, "CNY", T0 + 4);      /* at Gold, x1.5: 150 */
  g_assert_cmpint (balance (f, a), ==, 100);
  g_assert_true (ct_points_earn_for_purchases (f->db, before, &error));
  g_assert_no_error (error);
  g_assert_cmpint (balance (f, a), ==, 5100);
  g_assert_cmpint (balance (f, b), ==, 123);
  g_assert_cmpint (balance (f, c), ==, 5150);
  /* The balance trigger is back. */
  g_assert_cmpint (ct_points_award (f->db, b, 7, CT_POINTS_MANUAL, NULL, T0 + 4, &error), >, 0);
  g_assert_cmpint (balance (f, b), ==, 130);
}

/* The ledger rows a purchase gets, as text to compare: points, kind,
 * created_at, expires_at. */
static char *
ledger_of (Fixture *f,
           gint64   purchase)
{
  g_autofree char *sql =
    g_strdup_printf ("SELECT coalesce(group_concat(contact_id || ':' || points || ':' || kind || ':' || created_at"
                     " || ':' || coalesce(expires_at, '-') || ':' || typeof(points), ','), '')"
                     " FROM points_ledger WHERE purchase_id = %" G_GINT64_FORMAT, purchase);
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (f->db, sql, NULL);

  g_assert_nonnull (stmt);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

/* The points worked out in memory (an import) are the trigger's, row for
 * row: tiers, the level-0 multiplier, expiry, refunds, other currencies,
 * nothing for 0, and an amount whose product overflows 64 bits. */
static void
test_earner (Fixture       *f,
             gconstpointer  data)
{
  const struct
  {
    int         who;
    gint64      amount;
    const char *currency;
    gboolean    refunded;
  } rows[] = {
    { 0, 10000, "CNY", FALSE }, { 1, 12399, "CNY", FALSE }, { 2, 10000, "CNY", FALSE },
    { 1, 5000, "USD", FALSE }, { 0, 0, "CNY", FALSE }, { 2, 99, "CNY", FALSE },
    { 0, 70000, "CNY", TRUE }, { 1, G_GINT64_CONSTANT (4000000000000000000), "CNY", FALSE },
    { 2, 1, "CNY", FALSE }, { 0, 123456789, "CNY", FALSE },
  };
  gint64 who[3], before[3], trigger_gain[3];
  gint64 by_trigger[G_N_ELEMENTS (rows)];
  g_autoptr(CtPointsEarner) earner = NULL;
  GError *error = NULL;

  who[0] = add_contact (f, "a@example.com");
  who[1] = add_contact (f, "b@example.com");
  who[2] = add_contact (f, "c@example.com");
  add_purchase (f, who[2], 500000, "CNY", T0);   /* Gold from then on */
  g_assert_true (ct_tier_update (f->db, T0, 0, NULL, &error));
  g_assert_no_error (error);
  set_expiry (f, 30);
  ct_test_db_exec (f, "UPDATE tiers SET points_multiplier = 120 WHERE level = 0");

  for (guint k = 0; k < 3; k++)
    before[k] = balance (f, who[k]);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      by_trigger[i] = add_purchase (f, who[rows[i].who], rows[i].amount, rows[i].currency, T0 + 10 + i);
      if (rows[i].refunded)
        {
          g_autofree char *sql = g_strdup_printf ("DELETE FROM points_ledger WHERE purchase_id = %" G_GINT64_FORMAT
                                                  "; UPDATE purchases SET refunded = 1 WHERE id = %" G_GINT64_FORMAT,
                                                  by_trigger[i], by_trigger[i]);

          /* As inserted refunded: no points at all. */
          ct_test_db_exec (f, sql);
        }
    }
  for (guint k = 0; k < 3; k++)
    trigger_gain[k] = balance (f, who[k]) - before[k];
  g_assert_cmpint (trigger_gain[2], >, 0);

  /* The same purchases again, the trigger put off. */
  earner = ct_points_earner_new (f->db, &error);
  g_assert_no_error (error);
  g_assert_nonnull (earner);
  ct_test_db_exec (f, "DROP TRIGGER purchases_points_ins");
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      gint64 id = add_purchase (f, who[rows[i].who], rows[i].amount, rows[i].currency, T0 + 10 + i);

      ct_points_earner_add (earner, id, who[rows[i].who], rows[i].amount, rows[i].currency, T0 + 10 + i,
                            rows[i].refunded);
      g_assert_cmpint (balance (f, who[rows[i].who]), ==, before[rows[i].who] + trigger_gain[rows[i].who]);
      by_trigger[i] = id - by_trigger[i];   /* the offset to the twin */
    }
  g_assert_true (ct_points_earner_store (earner, f->db, &error));
  g_assert_no_error (error);

  for (guint k = 0; k < 3; k++)
    g_assert_cmpint (balance (f, who[k]), ==, before[k] + 2 * trigger_gain[k]);
  {
    g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (f->db, "SELECT max(id) FROM purchases", NULL);
    gint64 last;

    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    last = sqlite3_column_int64 (stmt, 0);
    for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
      {
        gint64 twin = last - (gint64) (G_N_ELEMENTS (rows) - 1 - i);
        g_autofree char *mine = ledger_of (f, twin);
        g_autofree char *theirs = ledger_of (f, twin - by_trigger[i]);

        g_assert_cmpstr (mine, ==, theirs);
      }
  }
  /* Something was earned at Gold, with expiry, and the balance trigger
   * is back. */
  g_assert_cmpint (ct_db_query_int64 (f->db, "SELECT count(*) FROM points_ledger WHERE expires_at IS NOT NULL",
                                      &error), >, 10);
  g_assert_cmpint (ct_points_award (f->db, who[1], 7, CT_POINTS_MANUAL, NULL, T0 + 99, &error), >, 0);
  g_assert_cmpint (balance (f, who[1]), ==, before[1] + 2 * trigger_gain[1] + 7);
}

static void
test_kinds (void)
{
  CtPointsKind kind;

  for (guint k = 0; k < CT_POINTS_N_KINDS; k++)
    {
      g_assert_true (ct_points_kind_from_id (ct_points_kind_to_id (k), &kind));
      g_assert_cmpint (kind, ==, k);
    }
  g_assert_true (ct_points_kind_from_id ("check-in", &kind));
  g_assert_cmpint (kind, ==, CT_POINTS_CHECKIN);
  g_assert_false (ct_points_kind_from_id ("bonus", &kind));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/points/purchase-earns", test_purchase_earns);
  ADD ("/points/points-per-unit", test_points_per_unit);
  ADD ("/points/refund", test_refund);
  ADD ("/points/award-and-redeem", test_award_and_redeem);
  ADD ("/points/expiry", test_expiry);
  ADD ("/points/expiry-used-up", test_expiry_used_up);
  ADD ("/points/contact-deleted", test_contact_deleted);
  ADD ("/points/earn-in-bulk", test_earn_in_bulk);
  ADD ("/points/earner", test_earner);
  g_test_add_func ("/points/kinds", test_kinds);

  return g_test_run ();
}
