/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-referral.c: referrals, their counts and the points they earn */
#include "ct-points.h"
#include "ct-referral.h"
#include "ct-test-db.h"

typedef CtTestDb Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  ct_test_db_set_up (f, "clientele-test-referral-XXXXXX");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  ct_test_db_tear_down (f);
}

static gint64
add_contact (Fixture    *f,
             const char *email,
             const char *name,
             const char *phone)
{
  g_autofree char *sql = g_strdup_printf ("INSERT INTO contacts (email, first_name, phone) VALUES (%s, '%s', '%s')",
                                          email, name, phone);

  ct_test_db_exec (f, sql);
  return sqlite3_last_insert_rowid (ct_db_get_handle (f->db));
}

static void
test_set_and_count (Fixture       *f,
                    gconstpointer  data)
{
  gint64 ann = add_contact (f, "'ann@example.com'", "Ann", "");
  gint64 bob = add_contact (f, "'bob@example.com'", "Bob", "");
  gint64 cat = add_contact (f, "'cat@example.com'", "Cat", "");
  gint64 dan = add_contact (f, "NULL", "Dan", "13800000000");
  gint64 referrer = -1, n = -1, points = -1, balance = -1;
  g_autoptr(GArray) top = NULL;
  g_autoptr(GArray) referred = NULL;
  GError *error = NULL;

  g_assert_true (ct_referral_set (f->db, bob, ann, CT_REFERRAL_MANUAL, 0, &error));
  g_assert_no_error (error);
  g_assert_true (ct_referral_set (f->db, cat, ann, CT_REFERRAL_IMPORT, 0, &error));
  g_assert_true (ct_referral_set (f->db, dan, bob, CT_REFERRAL_MANUAL, 0, &error));
  g_assert_no_error (error);

  g_assert_true (ct_referral_get_referrer (f->db, bob, &referrer, &error));
  g_assert_cmpint (referrer, ==, ann);
  g_assert_true (ct_referral_get_referrer (f->db, ann, &referrer, &error));
  g_assert_cmpint (referrer, ==, 0);

  /* 100 points per referral by default */
  g_assert_true (ct_referral_get_counts (f->db, ann, &n, &points, &error));
  g_assert_cmpint (n, ==, 2);
  g_assert_cmpint (points, ==, 200);
  g_assert_true (ct_points_get_balance (f->db, ann, &balance, &error));
  g_assert_cmpint (balance, ==, 200);

  /* Setting the same referrer again earns nothing more. */
  g_assert_true (ct_referral_set (f->db, bob, ann, CT_REFERRAL_MANUAL, 0, &error));
  g_assert_true (ct_points_get_balance (f->db, ann, &balance, &error));
  g_assert_cmpint (balance, ==, 200);

  /* Changing the referrer moves the points. */
  g_assert_true (ct_referral_set (f->db, cat, bob, CT_REFERRAL_MANUAL, 0, &error));
  g_assert_true (ct_points_get_balance (f->db, ann, &balance, &error));
  g_assert_cmpint (balance, ==, 100);
  g_assert_true (ct_referral_get_counts (f->db, bob, &n, &points, &error));
  g_assert_cmpint (n, ==, 2);
  g_assert_cmpint (points, ==, 200);

  top = ct_referral_list (f->db, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (top->len, ==, 2);
  g_assert_cmpstr (g_array_index (top, CtReferrerStats, 0).name, ==, "Bob");
  g_assert_cmpint (g_array_index (top, CtReferrerStats, 0).referred, ==, 2);
  g_assert_cmpint (g_array_index (top, CtReferrerStats, 0).points, ==, 200);

  referred = ct_referral_list (f->db, bob, 0, &error);
  g_assert_cmpuint (referred->len, ==, 2);

  /* Removing it takes the points back. */
  g_assert_true (ct_referral_set (f->db, cat, 0, CT_REFERRAL_MANUAL, 0, &error));
  g_assert_true (ct_referral_get_counts (f->db, bob, &n, &points, &error));
  g_assert_cmpint (n, ==, 1);
  g_assert_cmpint (points, ==, 100);
}

static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  gint64 ann = add_contact (f, "'ann@example.com'", "Ann", "");
  GError *error = NULL;

  g_assert_false (ct_referral_set (f->db, ann, ann, CT_REFERRAL_MANUAL, 0, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ct_referral_set (f->db, ann, ann + 7, CT_REFERRAL_MANUAL, 0, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);
}

static void
test_find (Fixture       *f,
           gconstpointer  data)
{
  gint64 ann = add_contact (f, "'Ann@Example.com'", "Ann", "");
  gint64 dan = add_contact (f, "NULL", "Dan", "13800000000");
  GError *error = NULL;

  g_assert_cmpint (ct_referral_find_contact (f->db, " ann@example.COM ", &error), ==, ann);
  g_assert_cmpint (ct_referral_find_contact (f->db, "13800000000", &error), ==, dan);
  g_assert_cmpint (ct_referral_find_contact (f->db, "nobody@example.com", &error), ==, 0);
  g_assert_cmpint (ct_referral_find_contact (f->db, "", &error), ==, 0);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/referral/set-and-count", Fixture, NULL, fixture_set_up, test_set_and_count, fixture_tear_down);
  g_test_add ("/referral/refused", Fixture, NULL, fixture_set_up, test_refused, fixture_tear_down);
  g_test_add ("/referral/find", Fixture, NULL, fixture_set_up, test_find, fixture_tear_down);

  return g_test_run ();
}
