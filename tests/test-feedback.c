/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-feedback.c: feedback, NPS on hand-made scores, months */
#include <math.h>

#include "ct-feedback.h"
#include "ct-test-db.h"

/* 2025-01-15 12:00 UTC */
#define JAN G_GINT64_CONSTANT (1736942400)
#define DAY 86400

typedef CtTestDb Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  ct_test_db_set_up (f, "clientele-test-feedback-XXXXXX");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  ct_test_db_tear_down (f);
}

static void
test_nps (void)
{
  /* 4 promoters (9, 10), 3 passives (7, 8), 3 detractors (0-6): 10%. */
  static const int scores[] = { 10, 9, 9, 10, 7, 8, 8, 6, 0, 3 };
  static const int all_promoters[] = { 9, 10 };
  static const int all_detractors[] = { 0, 6, 5 };
  static const int passives[] = { 7, 8 };

  g_assert_cmpfloat_with_epsilon (ct_feedback_nps (scores, G_N_ELEMENTS (scores)), 10.0, 1e-9);
  g_assert_cmpfloat (ct_feedback_nps (all_promoters, 2), ==, 100.0);
  g_assert_cmpfloat (ct_feedback_nps (all_detractors, 3), ==, -100.0);
  g_assert_cmpfloat (ct_feedback_nps (passives, 2), ==, 0.0);
  g_assert_true (isnan (ct_feedback_nps (NULL, 0)));
}

static gint64
add (Fixture            *f,
     gint64              contact,
     CtFeedbackCategory  category,
     CtFeedbackScale     scale,
     int                 score,
     gint64              at)
{
  GError *error = NULL;
  gint64 id = ct_feedback_add (f->db, contact, category, scale, score, "text", at, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
test_record_and_months (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GArray) months = NULL;
  g_autoptr(GArray) open = NULL;
  CtFeedbackFilter filter;
  CtFeedbackMonth *jan, *feb, *mar;
  gint64 contact, first;
  GError *error = NULL;

  ct_test_db_exec (f, "INSERT INTO contacts (email, first_name) VALUES ('a@example.com', 'Ann')");
  contact = sqlite3_last_insert_rowid (ct_db_get_handle (f->db));

  first = add (f, contact, CT_FEEDBACK_PRODUCT, CT_FEEDBACK_NPS, 10, JAN);
  add (f, contact, CT_FEEDBACK_PRODUCT, CT_FEEDBACK_NPS, 3, JAN + DAY);
  add (f, contact, CT_FEEDBACK_SERVICE, CT_FEEDBACK_RATING, 4, JAN + 2 * DAY);
  add (f, contact, CT_FEEDBACK_SERVICE, CT_FEEDBACK_RATING, 5, JAN + 3 * DAY);
  add (f, contact, CT_FEEDBACK_EMOTIONAL, CT_FEEDBACK_NPS, 9, JAN + 60 * DAY);   /* March */

  /* Out of range scores are refused with the number. */
  g_assert_cmpint (ct_feedback_add (f->db, contact, CT_FEEDBACK_PRODUCT, CT_FEEDBACK_RATING, 0, NULL, JAN, &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (ct_feedback_add (f->db, contact, CT_FEEDBACK_PRODUCT, CT_FEEDBACK_NPS, 11, NULL, JAN, &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (ct_feedback_add (f->db, contact + 1, CT_FEEDBACK_PRODUCT, CT_FEEDBACK_NPS, 5, NULL, JAN, &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (ct_feedback_set_resolved (f->db, first, TRUE, JAN + 5 * DAY, &error));
  g_assert_no_error (error);
  g_assert_false (ct_feedback_set_resolved (f->db, first + 100, TRUE, 0, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);

  ct_feedback_filter_init (&filter);
  filter.resolved = 0;
  open = ct_feedback_list (f->db, &filter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (open->len, ==, 4);
  g_assert_cmpstr (g_array_index (open, CtFeedback, 0).contact_name, ==, "Ann");
  g_assert_cmpint (g_array_index (open, CtFeedback, 0).category, ==, CT_FEEDBACK_EMOTIONAL);

  filter.resolved = -1;
  filter.category = CT_FEEDBACK_SERVICE;
  {
    g_autoptr(GArray) service = ct_feedback_list (f->db, &filter, &error);

    g_assert_cmpuint (service->len, ==, 2);
  }

  months = ct_feedback_monthly (f->db, NULL, JAN, JAN + 60 * DAY, utc, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (months->len, ==, 3);
  jan = &g_array_index (months, CtFeedbackMonth, 0);
  feb = &g_array_index (months, CtFeedbackMonth, 1);
  mar = &g_array_index (months, CtFeedbackMonth, 2);
  g_assert_cmpstr (jan->month, ==, "2025-01");
  g_assert_cmpstr (mar->month, ==, "2025-03");
  g_assert_cmpint (jan->promoters, ==, 1);
  g_assert_cmpint (jan->detractors, ==, 1);
  g_assert_cmpfloat (jan->nps, ==, 0.0);
  g_assert_cmpint (jan->ratings, ==, 2);
  g_assert_cmpfloat (jan->average_rating, ==, 4.5);
  g_assert_cmpint (jan->by_category[CT_FEEDBACK_PRODUCT], ==, 2);
  g_assert_cmpint (jan->by_category[CT_FEEDBACK_SERVICE], ==, 2);
  g_assert_true (isnan (feb->nps));
  g_assert_true (isnan (feb->average_rating));
  g_assert_cmpfloat (mar->nps, ==, 100.0);
  g_assert_cmpint (mar->by_category[CT_FEEDBACK_EMOTIONAL], ==, 1);

  g_assert_null (ct_feedback_monthly (f->db, NULL, JAN + DAY, JAN, utc, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/feedback/nps", test_nps);
  g_test_add ("/feedback/record-and-months", Fixture, NULL, fixture_set_up, test_record_and_months, fixture_tear_down);

  return g_test_run ();
}
