/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-tier.c: tier placement at the thresholds, the downgrade grace,
 * the history and the upgrade rate */
#include <math.h>
#include <string.h>

#include "ct-test-db.h"
#include "ct-tier.h"

#define DAY 86400
/* 2025-06-01 00:00:00 UTC */
#define T0 G_GINT64_CONSTANT (1748736000)

typedef CtTestDb Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  ct_test_db_set_up (f, "clientele-test-tier-XXXXXX");
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

static void
add_purchase (Fixture    *f,
              gint64      contact,
              gint64      amount,
              const char *currency,
              gint64      at,
              gboolean    refunded)
{
  g_autofree char *sql =
    g_strdup_printf ("INSERT INTO purchases (contact_id, amount, currency, purchased_at, refunded)"
                     " VALUES (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", '%s', %" G_GINT64_FORMAT ", %d)",
                     contact, amount, currency, at, refunded);

  ct_test_db_exec (f, sql);
}

static int
level_of (Fixture *f,
          gint64   contact)
{
  GError *error = NULL;
  int level = -2;

  g_assert_true (ct_tier_get_contact (f->db, contact, &level, NULL, NULL, &error));
  g_assert_no_error (error);
  return level;
}

static void
update (Fixture            *f,
        gint64              as_of,
        CtTierUpdateResult *result)
{
  GError *error = NULL;

  g_assert_true (ct_tier_update (f->db, as_of, 0, result, &error));
  g_assert_no_error (error);
}

static void
test_defaults (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GArray) tiers = NULL;
  CtLoyaltySettings s;
  GError *error = NULL;

  tiers = ct_tier_list (f->db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tiers->len, ==, 4);
  g_assert_cmpstr (g_array_index (tiers, CtTier, 0).name, ==, "Member");
  g_assert_cmpstr (g_array_index (tiers, CtTier, 3).name, ==, "Diamond");
  g_assert_cmpint (g_array_index (tiers, CtTier, 0).min_spend, ==, 0);
  g_assert_cmpint (g_array_index (tiers, CtTier, 1).min_spend, ==, 100000);
  g_assert_cmpint (g_array_index (tiers, CtTier, 2).min_spend, ==, 500000);
  g_assert_cmpint (g_array_index (tiers, CtTier, 3).min_spend, ==, 2000000);

  g_assert_true (ct_loyalty_settings_load (f->db, &s, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (s.currency, ==, "CNY");
  g_assert_cmpuint (s.grace_days, ==, 30);
}

/* Spend exactly at a threshold meets it; a fen less does not. */
static void
test_exact_thresholds (Fixture       *f,
                       gconstpointer  data)
{
  static const struct { gint64 spent; int level; } cases[] = {
    { 0, 0 }, { 99999, 0 }, { 100000, 1 }, { 499999, 1 }, { 500000, 2 },
    { 1999999, 2 }, { 2000000, 3 }, { 900000000, 3 },
  };
  gint64 ids[G_N_ELEMENTS (cases)];
  CtTierUpdateResult result;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *email = g_strdup_printf ("p%u@example.com", i);

      ids[i] = add_contact (f, email);
      if (cases[i].spent > 0)
        add_purchase (f, ids[i], cases[i].spent, "CNY", T0 - 10 * DAY, FALSE);
    }
  update (f, T0, &result);
  g_assert_cmpuint (result.placed, ==, G_N_ELEMENTS (cases));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (level_of (f, ids[i]), ==, cases[i].level);

  /* Placing again changes nothing. */
  update (f, T0, &result);
  g_assert_cmpuint (result.placed + result.upgraded + result.downgraded + result.in_grace, ==, 0);
}

/* Only the trailing 12 months, not refunded, in the loyalty currency. */
static void
test_window (Fixture       *f,
             gconstpointer  data)
{
  gint64 year_ago = T0 - 365 * DAY;   /* 2024-06-01: 2024 is a leap year but June is after February */
  gint64 a = add_contact (f, "a@example.com");
  gint64 b = add_contact (f, "b@example.com");
  gint64 c = add_contact (f, "c@example.com");
  gint64 d = add_contact (f, "d@example.com");
  gint64 e = add_contact (f, "e@example.com");

  add_purchase (f, a, 100000, "CNY", year_ago, FALSE);        /* exactly a year before: out */
  add_purchase (f, b, 100000, "CNY", year_ago + 1, FALSE);    /* a second later: in */
  add_purchase (f, c, 100000, "CNY", T0 - DAY, TRUE);         /* refunded */
  add_purchase (f, d, 100000, "USD", T0 - DAY, FALSE);        /* another currency */
  add_purchase (f, e, 100000, "CNY", T0 + 1, FALSE);          /* after the as-of time */
  update (f, T0, NULL);

  g_assert_cmpint (level_of (f, a), ==, 0);
  g_assert_cmpint (level_of (f, b), ==, 1);
  g_assert_cmpint (level_of (f, c), ==, 0);
  g_assert_cmpint (level_of (f, d), ==, 0);
  g_assert_cmpint (level_of (f, e), ==, 0);
}

/* Placing one contact (as the contact page does after a purchase) reads
 * the same window, and leaves everyone else where they were. */
static void
test_one_contact (Fixture       *f,
                  gconstpointer  data)
{
  gint64 year_ago = T0 - 365 * DAY;
  gint64 a = add_contact (f, "a@example.com");
  gint64 b = add_contact (f, "b@example.com");
  CtTierUpdateResult result;
  GError *error = NULL;

  add_purchase (f, a, 100000, "CNY", year_ago, FALSE);        /* out */
  add_purchase (f, a, 400000, "CNY", year_ago + 1, FALSE);    /* in */
  add_purchase (f, a, 900000, "CNY", T0 - DAY, TRUE);         /* refunded */
  add_purchase (f, a, 900000, "USD", T0 - DAY, FALSE);        /* another currency */
  add_purchase (f, a, 100000, "CNY", T0 + 1, FALSE);          /* after the as-of time */
  add_purchase (f, a, 100000, "CNY", T0, FALSE);              /* at it: in */
  add_purchase (f, b, 2000000, "CNY", T0 - DAY, FALSE);

  g_assert_true (ct_tier_update (f->db, T0, a, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.placed, ==, 1);
  g_assert_cmpint (level_of (f, a), ==, 2);
  g_assert_cmpint (level_of (f, b), ==, -1);

  /* The whole base agrees with it, and places b. */
  update (f, T0, &result);
  g_assert_cmpuint (result.placed, ==, 1);
  g_assert_cmpuint (result.upgraded + result.downgraded + result.in_grace, ==, 0);
  g_assert_cmpint (level_of (f, a), ==, 2);
  g_assert_cmpint (level_of (f, b), ==, 3);
}

static void
test_purchase_threshold (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GArray) tiers = NULL;
  GError *error = NULL;
  gint64 two = add_contact (f, "two@example.com");
  gint64 three = add_contact (f, "three@example.com");

  tiers = ct_tier_list (f->db, &error);
  g_assert_no_error (error);
  /* Gold also asks for 3 purchases. */
  g_array_index (tiers, CtTier, 2).min_purchases = 3;
  g_assert_true (ct_tier_save_all (f->db, (CtTier *) (gpointer) tiers->data, tiers->len, T0, &error));
  g_assert_no_error (error);

  add_purchase (f, two, 300000, "CNY", T0 - 3 * DAY, FALSE);
  add_purchase (f, two, 300000, "CNY", T0 - 2 * DAY, FALSE);
  add_purchase (f, three, 200000, "CNY", T0 - 3 * DAY, FALSE);
  add_purchase (f, three, 200000, "CNY", T0 - 2 * DAY, FALSE);
  add_purchase (f, three, 100000, "CNY", T0 - 1 * DAY, FALSE);
  update (f, T0, NULL);

  /* ¥6,000 in 2 purchases: Silver, the highest tier met in full. */
  g_assert_cmpint (level_of (f, two), ==, 1);
  /* ¥5,000 in 3 purchases: Gold. */
  g_assert_cmpint (level_of (f, three), ==, 2);
}

static void
test_downgrade_grace (Fixture       *f,
                      gconstpointer  data)
{
  gint64 id = add_contact (f, "g@example.com");
  gint64 below_at = T0 + 366 * DAY;   /* the purchase has left the window */
  CtTierUpdateResult result;
  gint64 since = 0, below_since = 0;
  GError *error = NULL;
  g_autoptr(GArray) changes = NULL;

  add_purchase (f, id, 600000, "CNY", T0, FALSE);
  update (f, T0, NULL);
  g_assert_cmpint (level_of (f, id), ==, 2);

  /* Found below: the grace starts, Gold is kept. */
  update (f, below_at, &result);
  g_assert_cmpuint (result.in_grace, ==, 1);
  g_assert_true (ct_tier_get_contact (f->db, id, NULL, &since, &below_since, &error));
  g_assert_cmpint (below_since, ==, below_at);
  g_assert_cmpint (level_of (f, id), ==, 2);

  /* 29 days and 23:59:59 later: still in the grace. */
  update (f, below_at + 30 * DAY - 1, &result);
  g_assert_cmpuint (result.downgraded, ==, 0);
  g_assert_cmpint (level_of (f, id), ==, 2);

  /* 30 days: down to what the contact meets, dated at the grace's end. */
  update (f, below_at + 30 * DAY + 5, &result);
  g_assert_cmpuint (result.downgraded, ==, 1);
  g_assert_cmpint (level_of (f, id), ==, 0);
  g_assert_true (ct_tier_get_contact (f->db, id, NULL, &since, &below_since, &error));
  g_assert_cmpint (since, ==, below_at + 30 * DAY);
  g_assert_cmpint (below_since, ==, 0);

  changes = ct_tier_list_changes (f->db, 0, id, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, ==, 2);
  g_assert_cmpint (g_array_index (changes, CtTierChange, 0).from_level, ==, -1);
  g_assert_cmpint (g_array_index (changes, CtTierChange, 0).to_level, ==, 2);
  g_assert_cmpstr (g_array_index (changes, CtTierChange, 0).reason, ==, "placed");
  g_assert_cmpint (g_array_index (changes, CtTierChange, 1).from_level, ==, 2);
  g_assert_cmpint (g_array_index (changes, CtTierChange, 1).to_level, ==, 0);
  g_assert_cmpstr (g_array_index (changes, CtTierChange, 1).reason, ==, "downgrade");
  g_assert_cmpint (g_array_index (changes, CtTierChange, 1).changed_at, ==, below_at + 30 * DAY);
}

/* Back above the threshold within the grace: no downgrade, and a later
 * fall starts a new grace. */
static void
test_grace_cancelled (Fixture       *f,
                      gconstpointer  data)
{
  gint64 id = add_contact (f, "h@example.com");
  gint64 below_at = T0 + 366 * DAY;
  gint64 below_since = 0;
  CtTierUpdateResult result;
  GError *error = NULL;

  add_purchase (f, id, 100000, "CNY", T0, FALSE);
  update (f, T0, NULL);
  g_assert_cmpint (level_of (f, id), ==, 1);
  update (f, below_at, NULL);
  add_purchase (f, id, 100000, "CNY", below_at + 10 * DAY, FALSE);
  update (f, below_at + 10 * DAY, NULL);
  g_assert_true (ct_tier_get_contact (f->db, id, NULL, NULL, &below_since, &error));
  g_assert_cmpint (below_since, ==, 0);

  update (f, below_at + 40 * DAY, &result);
  g_assert_cmpuint (result.downgraded, ==, 0);
  g_assert_cmpint (level_of (f, id), ==, 1);
}

static void
test_no_grace (Fixture       *f,
               gconstpointer  data)
{
  gint64 id = add_contact (f, "n@example.com");
  CtLoyaltySettings s;
  GError *error = NULL;

  g_assert_true (ct_loyalty_settings_load (f->db, &s, &error));
  s.grace_days = 0;
  g_assert_true (ct_loyalty_settings_save (f->db, &s, &error));
  g_assert_no_error (error);

  add_purchase (f, id, 100000, "CNY", T0, FALSE);
  update (f, T0, NULL);
  update (f, T0 + 366 * DAY, NULL);
  g_assert_cmpint (level_of (f, id), ==, 0);
}

static void
test_upgrade_is_immediate (Fixture       *f,
                           gconstpointer  data)
{
  gint64 id = add_contact (f, "u@example.com");
  g_autoptr(GArray) changes = NULL;
  CtTierUpdateResult result;
  GError *error = NULL;

  update (f, T0, NULL);
  g_assert_cmpint (level_of (f, id), ==, 0);
  add_purchase (f, id, 2000000, "CNY", T0 + DAY, FALSE);
  update (f, T0 + DAY, &result);
  g_assert_cmpuint (result.upgraded, ==, 1);
  g_assert_cmpint (level_of (f, id), ==, 3);

  /* Read as an automation would: only what came after the last id seen. */
  changes = ct_tier_list_changes (f->db, 0, 0, 0, &error);
  g_assert_cmpuint (changes->len, ==, 2);
  {
    g_autoptr(GArray) newer = ct_tier_list_changes (f->db, g_array_index (changes, CtTierChange, 0).id,
                                                    0, 0, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (newer->len, ==, 1);
    g_assert_cmpstr (g_array_index (newer, CtTierChange, 0).reason, ==, "upgrade");
    g_assert_cmpint (g_array_index (newer, CtTierChange, 0).from_level, ==, 0);
    g_assert_cmpint (g_array_index (newer, CtTierChange, 0).to_level, ==, 3);
  }
}

static void
history (Fixture    *f,
         gint64      contact,
         int         from,
         int         to,
         gint64      at,
         const char *reason)
{
  g_autofree char *from_text = from < 0 ? g_strdup ("NULL") : g_strdup_printf ("%d", from);
  g_autofree char *sql =
    g_strdup_printf ("INSERT INTO tier_history (contact_id, from_level, to_level, changed_at, reason)"
                     " VALUES (%" G_GINT64_FORMAT ", %s, %d, %" G_GINT64_FORMAT ", '%s')",
                     contact, from_text, to, at, reason);

  ct_test_db_exec (f, sql);
}

/* A hand-made history: at the start of the period (T0) four Members, two
 * Silvers, one Gold and one Diamond; in the period two Members and one
 * Silver move up, one Member twice, the Gold moves down. */
static void
test_upgrade_rate (Fixture       *f,
                   gconstpointer  data)
{
  gint64 c[10];
  CtTierUpgradeRate rate;
  GError *error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (c); i++)
    {
      g_autofree char *email = g_strdup_printf ("r%u@example.com", i);

      c[i] = add_contact (f, email);
    }
  /* Members at T0 */
  history (f, c[0], -1, 0, T0 - 100 * DAY, "placed");
  history (f, c[1], -1, 0, T0 - 100 * DAY, "placed");
  history (f, c[2], -1, 0, T0 - 100 * DAY, "placed");
  history (f, c[3], -1, 1, T0 - 100 * DAY, "placed");
  history (f, c[3], 1, 0, T0 - 10 * DAY, "downgrade");   /* a Member at T0 too */
  /* Silvers */
  history (f, c[4], -1, 1, T0 - 50 * DAY, "placed");
  history (f, c[5], -1, 0, T0 - 50 * DAY, "placed");
  history (f, c[5], 0, 1, T0, "upgrade");                /* at T0 exactly: before the period */
  /* Gold and Diamond */
  history (f, c[6], -1, 2, T0 - 50 * DAY, "placed");
  history (f, c[7], -1, 3, T0 - 50 * DAY, "placed");
  /* Placed after T0: not counted */
  history (f, c[8], -1, 0, T0 + DAY, "placed");
  history (f, c[8], 0, 1, T0 + 2 * DAY, "upgrade");
  /* c[9] never placed */

  /* In the period (T0, T0 + 30 days] */
  history (f, c[0], 0, 1, T0 + 5 * DAY, "upgrade");
  history (f, c[0], 1, 2, T0 + 6 * DAY, "upgrade");
  history (f, c[1], 0, 2, T0 + 7 * DAY, "upgrade");
  history (f, c[4], 1, 2, T0 + 8 * DAY, "upgrade");
  history (f, c[6], 2, 1, T0 + 9 * DAY, "downgrade");
  /* After the period */
  history (f, c[2], 0, 1, T0 + 31 * DAY, "upgrade");

  g_assert_true (ct_tier_upgrade_rate (f->db, T0, T0 + 30 * DAY, &rate, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rate.n_tiers, ==, 4);
  g_assert_cmpint (rate.base[0], ==, 4);
  g_assert_cmpint (rate.upgraded[0], ==, 2);
  g_assert_cmpint (rate.base[1], ==, 2);
  g_assert_cmpint (rate.upgraded[1], ==, 1);
  g_assert_cmpint (rate.base[2], ==, 1);
  g_assert_cmpint (rate.upgraded[2], ==, 0);
  g_assert_cmpint (rate.base[3], ==, 0);   /* the top tier is not counted */
  g_assert_cmpint (rate.total_base, ==, 7);
  g_assert_cmpint (rate.total_upgraded, ==, 3);

  /* A period with no one moving */
  g_assert_true (ct_tier_upgrade_rate (f->db, T0 + 40 * DAY, T0 + 50 * DAY, &rate, &error));
  g_assert_cmpint (rate.total_upgraded, ==, 0);
  g_assert_cmpint (rate.total_base, ==, 8);   /* all placed but the Diamond */
}

static void
test_validate (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GArray) tiers = NULL;
  CtTier *t;
  GError *error = NULL;

  tiers = ct_tier_list (f->db, &error);
  t = (CtTier *) (gpointer) tiers->data;

  g_assert_true (ct_tier_validate (t, 4, &error));
  g_assert_false (ct_tier_validate (t, 2, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "3 to 5"));
  g_clear_error (&error);

  t[2].min_spend = t[1].min_spend;
  g_assert_false (ct_tier_validate (t, 4, &error));
  g_assert_nonnull (strstr (error->message, "Gold"));
  g_clear_error (&error);
  t[2].min_spend = 500000;

  t[0].min_spend = 1;
  g_assert_false (ct_tier_validate (t, 4, &error));
  g_assert_nonnull (strstr (error->message, "Member"));
  g_clear_error (&error);
  t[0].min_spend = 0;

  g_free (t[3].name);
  t[3].name = g_strdup (" silver ");
  g_assert_false (ct_tier_validate (t, 4, &error));
  g_assert_nonnull (strstr (error->message, "silver"));
  g_clear_error (&error);

  g_free (t[3].name);
  t[3].name = g_strdup ("Diamond");
  t[3].discount_percent = 101;
  g_assert_false (ct_tier_validate (t, 4, &error));
  g_clear_error (&error);
}

/* Fewer tiers: the contacts of a level gone move to the new top tier. */
static void
test_save_fewer (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GArray) tiers = NULL;
  g_autoptr(GArray) again = NULL;
  gint64 id = add_contact (f, "d@example.com");
  GError *error = NULL;

  add_purchase (f, id, 3000000, "CNY", T0, FALSE);
  update (f, T0, NULL);
  g_assert_cmpint (level_of (f, id), ==, 3);

  tiers = ct_tier_list (f->db, &error);
  g_free (g_array_index (tiers, CtTier, 2).name);
  g_array_index (tiers, CtTier, 2).name = g_strdup ("VIP");
  g_assert_true (ct_tier_save_all (f->db, (CtTier *) (gpointer) tiers->data, 3, T0 + DAY, &error));
  g_assert_no_error (error);
  g_assert_cmpint (level_of (f, id), ==, 2);

  again = ct_tier_list (f->db, &error);
  g_assert_cmpuint (again->len, ==, 3);
  g_assert_cmpstr (g_array_index (again, CtTier, 2).name, ==, "VIP");
  g_assert_null (g_array_index (again, CtTier, 2).builtin);
  g_assert_cmpstr (g_array_index (again, CtTier, 1).builtin, ==, "silver");
}

static void
test_summary_json (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *o, *rate;
  JsonArray *tiers;
  gint64 a = add_contact (f, "a@example.com");
  GError *error = NULL;

  add_contact (f, "b@example.com");
  update (f, T0, NULL);
  add_purchase (f, a, 100000, "CNY", T0 + DAY, FALSE);
  update (f, T0 + DAY, NULL);

  root = ct_tier_summary_to_json (f->db, T0 + 2 * DAY, &error);
  g_assert_no_error (error);
  o = json_node_get_object (root);
  tiers = json_object_get_array_member (o, "tiers");
  g_assert_cmpuint (json_array_get_length (tiers), ==, 4);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (tiers, 0), "members"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (tiers, 1), "members"), ==, 1);
  g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (tiers, 1), "min_spend"), ==, 1000.0);
  rate = json_object_get_object_member (o, "upgrade_rate");
  /* Nobody was placed a year before: nothing to count over the year. */
  g_assert_cmpint (json_object_get_int_member (rate, "base"), ==, 0);
  g_assert_true (json_object_get_null_member (rate, "rate"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "monthly")), ==, 12);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/tier/defaults", test_defaults);
  ADD ("/tier/exact-thresholds", test_exact_thresholds);
  ADD ("/tier/window", test_window);
  ADD ("/tier/one-contact", test_one_contact);
  ADD ("/tier/purchase-threshold", test_purchase_threshold);
  ADD ("/tier/downgrade-grace", test_downgrade_grace);
  ADD ("/tier/grace-cancelled", test_grace_cancelled);
  ADD ("/tier/no-grace", test_no_grace);
  ADD ("/tier/upgrade-immediate", test_upgrade_is_immediate);
  ADD ("/tier/upgrade-rate", test_upgrade_rate);
  ADD ("/tier/validate", test_validate);
  ADD ("/tier/save-fewer", test_save_fewer);
  ADD ("/tier/summary-json", test_summary_json);

  return g_test_run ();
}
