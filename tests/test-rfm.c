/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-rfm.c: tests for ct-rfm (RFM scores, segments, lifecycle stages)
 *
 * The expected quantiles are worked out by hand from the type 7
 * definition: h = (n − 1) p, Q = x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋ + 1] − x[⌊h⌋])
 * over the values sorted, counting from 0.
 */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gstdio.h>

#include "ct-rfm.h"

#define DAY 86400

static void
assert_cuts (const double cuts[4],
             double       c1,
             double       c2,
             double       c3,
             double       c4)
{
  g_assert_cmpfloat_with_epsilon (cuts[0], c1, 1e-9);
  g_assert_cmpfloat_with_epsilon (cuts[1], c2, 1e-9);
  g_assert_cmpfloat_with_epsilon (cuts[2], c3, 1e-9);
  g_assert_cmpfloat_with_epsilon (cuts[3], c4, 1e-9);
}

static void
test_quantiles (void)
{
  static const double five[] = { 1, 2, 3, 4, 5 };
  static const double six[] = { 10, 20, 30, 40, 50, 60 };
  static const double one[] = { 42 };
  static const double two[] = { 0, 10 };
  static const double ties[] = { 1, 1, 1, 1, 2, 2, 3, 5, 8, 13 };
  double cuts[4];

  /* h = 0.8, 1.6, 2.4, 3.2 */
  ct_rfm_quantiles (five, G_N_ELEMENTS (five), cuts);
  assert_cuts (cuts, 1.8, 2.6, 3.4, 4.2);

  /* h = 1, 2, 3, 4 exactly: the order statistics themselves, even though
   * 0.2 × 5 is not exact in binary floating point. */
  ct_rfm_quantiles (six, G_N_ELEMENTS (six), cuts);
  assert_cuts (cuts, 20, 30, 40, 50);
  g_assert_true (cuts[0] == 20.0 && cuts[1] == 30.0 && cuts[2] == 40.0 && cuts[3] == 50.0);

  ct_rfm_quantiles (one, 1, cuts);
  assert_cuts (cuts, 42, 42, 42, 42);

  /* h = 0.2, 0.4, 0.6, 0.8 */
  ct_rfm_quantiles (two, 2, cuts);
  assert_cuts (cuts, 2, 4, 6, 8);

  /* h = 1.8, 3.6, 5.4, 7.2: 1 + 0.8 × 0, 1 + 0.6 × 1, 2 + 0.4 × 1,
   * 5 + 0.2 × 3 */
  ct_rfm_quantiles (ties, G_N_ELEMENTS (ties), cuts);
  assert_cuts (cuts, 1, 1.6, 2.4, 5.6);
  /* Equal neighbours give exactly their value, so a tie sitting on a
   * cut point is never a rounding error above it. */
  g_assert_true (cuts[0] == 1.0);
}

static void
test_scores (void)
{
  static const double five[] = { 1, 2, 3, 4, 5 };
  static const double six[] = { 10, 20, 30, 40, 50, 60 };
  static const double days[] = { 0, 5, 10, 30, 100 };
  double cuts[4];

  ct_rfm_quantiles (five, 5, cuts);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpuint (ct_rfm_score_higher_better (five[i], cuts), ==, i + 1);

  /* A value equal to a cut point is not above it. */
  ct_rfm_quantiles (six, 6, cuts);
  g_assert_cmpuint (ct_rfm_score_higher_better (10, cuts), ==, 1);
  g_assert_cmpuint (ct_rfm_score_higher_better (20, cuts), ==, 1);
  g_assert_cmpuint (ct_rfm_score_higher_better (30, cuts), ==, 2);
  g_assert_cmpuint (ct_rfm_score_higher_better (40, cuts), ==, 3);
  g_assert_cmpuint (ct_rfm_score_higher_better (50, cuts), ==, 4);
  g_assert_cmpuint (ct_rfm_score_higher_better (60, cuts), ==, 5);

  /* Recency is inverted: cuts 4, 8, 18, 44, and fewer days is better. */
  ct_rfm_quantiles (days, 5, cuts);
  assert_cuts (cuts, 4, 8, 18, 44);
  g_assert_cmpuint (ct_rfm_score_recency (0, cuts), ==, 5);
  g_assert_cmpuint (ct_rfm_score_recency (4, cuts), ==, 5);
  g_assert_cmpuint (ct_rfm_score_recency (5, cuts), ==, 4);
  g_assert_cmpuint (ct_rfm_score_recency (10, cuts), ==, 3);
  g_assert_cmpuint (ct_rfm_score_recency (30, cuts), ==, 2);
  g_assert_cmpuint (ct_rfm_score_recency (100, cuts), ==, 1);
}

static void
test_score_all (void)
{
  /* Frequencies 7 3 3 9 3 1 12, sorted 1 3 3 3 7 9 12: h = 1.2, 2.4,
   * 3.6, 4.8, so the cuts are 3, 3, 3 + 0.6 × 4 = 5.4, 7 + 0.8 × 2 = 8.6.
   * The three customers who bought 3 times share F = 1 with the one who
   * bought once. Recency 12 40 40 3 40 200 0, sorted 0 3 12 40 40 40 200:
   * cuts 3 + 0.2 × 9 = 4.8, 12 + 0.4 × 28 = 23.2, 40, 40. Monetary is
   * the frequency × 100, so its scores follow F. */
  static const gint64 freq[] = { 7, 3, 3, 9, 3, 1, 12 };
  static const gint64 rec[] = { 12, 40, 40, 3, 40, 200, 0 };
  static const guint8 want_f[] = { 4, 1, 1, 5, 1, 1, 5 };
  static const guint8 want_r[] = { 4, 3, 3, 5, 3, 1, 5 };
  static const CtRfmSegment want_segment[] = {
    CT_RFM_SEGMENT_LOYAL,              /* R4 F4 */
    CT_RFM_SEGMENT_ABOUT_TO_SLEEP,     /* R3 F1 */
    CT_RFM_SEGMENT_ABOUT_TO_SLEEP,
    CT_RFM_SEGMENT_CHAMPIONS,          /* R5 F5 */
    CT_RFM_SEGMENT_ABOUT_TO_SLEEP,
    CT_RFM_SEGMENT_LOST,               /* R1 F1 */
    CT_RFM_SEGMENT_CHAMPIONS,
  };
  CtRfmCustomer customers[G_N_ELEMENTS (freq)];
  g_autofree CtRfmScore *scores = NULL;
  CtRfmCutPoints cuts;
  gint64 counts[CT_RFM_N_SEGMENTS];

  for (guint i = 0; i < G_N_ELEMENTS (freq); i++)
    {
      customers[i].contact_id = i + 1;
      customers[i].first_purchase_at = 0;
      customers[i].last_purchase_at = 0;
      customers[i].frequency = freq[i];
      customers[i].recency = rec[i];
      customers[i].monetary = freq[i] * 100;
    }

  scores = ct_rfm_score_all (customers, G_N_ELEMENTS (customers), &cuts);
  g_assert_nonnull (scores);
  assert_cuts (cuts.frequency, 3, 3, 5.4, 8.6);
  assert_cuts (cuts.monetary, 300, 300, 540, 860);
  assert_cuts (cuts.recency, 4.8, 23.2, 40, 40);

  for (guint i = 0; i < G_N_ELEMENTS (freq); i++)
    {
      g_assert_cmpuint (scores[i].f, ==, want_f[i]);
      g_assert_cmpuint (scores[i].m, ==, want_f[i]);
      g_assert_cmpuint (scores[i].r, ==, want_r[i]);
      g_assert_cmpint (scores[i].segment, ==, want_segment[i]);
    }

  ct_rfm_count_segments (scores, G_N_ELEMENTS (freq), counts);
  for (guint i = 0; i < CT_RFM_N_SEGMENTS; i++)
    {
      gint64 want;

      switch (i)
        {
        case CT_RFM_SEGMENT_LOYAL: want = 1; break;
        case CT_RFM_SEGMENT_ABOUT_TO_SLEEP: want = 3; break;
        case CT_RFM_SEGMENT_CHAMPIONS: want = 2; break;
        case CT_RFM_SEGMENT_LOST: want = 1; break;
        default: want = 0; break;
        }
      g_assert_cmpint (counts[i], ==, want);
    }

  /* Nothing to score. */
  ct_rfm_count_segments (NULL, 0, counts);
  for (guint i = 0; i < CT_RFM_N_SEGMENTS; i++)
    g_assert_cmpint (counts[i], ==, 0);
  memset (&cuts, 0x5a, sizeof cuts);
  g_assert_null (ct_rfm_score_all (NULL, 0, &cuts));
  g_assert_false (ct_rfm_cut_points_compute (NULL, 0, &cuts));
  assert_cuts (cuts.recency, 0, 0, 0, 0);
}

static void
test_score_all_same (void)
{
  /* Everyone bought once, the same amount, the same day: every cut point
   * is that value and everyone gets the same scores, R 5, F 1, M 1. */
  CtRfmCustomer customers[4];
  g_autofree CtRfmScore *scores = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (customers); i++)
    customers[i] = (CtRfmCustomer) { i + 1, 0, 0, 9, 1, 500 };

  scores = ct_rfm_score_all (customers, G_N_ELEMENTS (customers), NULL);
  for (guint i = 0; i < G_N_ELEMENTS (customers); i++)
    {
      g_assert_cmpuint (scores[i].r, ==, 5);
      g_assert_cmpuint (scores[i].f, ==, 1);
      g_assert_cmpuint (scores[i].m, ==, 1);
      g_assert_cmpint (scores[i].segment, ==, CT_RFM_SEGMENT_NEW);
    }
}

/* DESIGN.md's list, written out as ranges independently of ct-rfm.c's
 * grid. */
typedef struct
{
  CtRfmSegment segment;
  guint r_min, r_max, f_min, f_max;
} SegmentRule;

static const SegmentRule design_rules[] = {
  { CT_RFM_SEGMENT_CHAMPIONS, 5, 5, 4, 5 },
  { CT_RFM_SEGMENT_LOYAL, 3, 4, 4, 5 },
  { CT_RFM_SEGMENT_POTENTIAL_LOYALIST, 4, 5, 2, 3 },
  { CT_RFM_SEGMENT_NEW, 5, 5, 1, 1 },
  { CT_RFM_SEGMENT_PROMISING, 4, 4, 1, 1 },
  { CT_RFM_SEGMENT_NEED_ATTENTION, 3, 3, 3, 3 },
  { CT_RFM_SEGMENT_ABOUT_TO_SLEEP, 3, 3, 1, 2 },
  { CT_RFM_SEGMENT_AT_RISK, 1, 2, 3, 4 },
  { CT_RFM_SEGMENT_CANNOT_LOSE_THEM, 1, 2, 5, 5 },
  { CT_RFM_SEGMENT_HIBERNATING, 1, 2, 1, 2 },  /* except R1 F1 */
  { CT_RFM_SEGMENT_LOST, 1, 1, 1, 1 },
};

static void
test_segments_grid (void)
{
  guint seen[CT_RFM_N_SEGMENTS] = { 0 };

  for (guint r = 1; r <= 5; r++)
    for (guint f = 1; f <= 5; f++)
      {
        CtRfmSegment want = CT_RFM_N_SEGMENTS;
        guint matches = 0;

        for (guint i = 0; i < G_N_ELEMENTS (design_rules); i++)
          {
            const SegmentRule *rule = &design_rules[i];

            if (rule->segment == CT_RFM_SEGMENT_HIBERNATING && r == 1 && f == 1)
              continue;
            if (r >= rule->r_min && r <= rule->r_max
                && f >= rule->f_min && f <= rule->f_max)
              {
                want = rule->segment;
                matches++;
              }
          }

        /* The rules themselves cover every pair exactly once... */
        g_assert_cmpuint (matches, ==, 1);
        /* ...and the code agrees with them. */
        g_assert_cmpint (ct_rfm_segment_for_scores (r, f), ==, want);
        seen[want]++;
      }

  /* Every segment is reachable; the counts are the sizes of the ranges. */
  g_assert_cmpuint (seen[CT_RFM_SEGMENT_CHAMPIONS], ==, 2);
  g_assert_cmpuint (seen[CT_RFM_SEGMENT_LOYAL], ==, 4);
  g_assert_cmpuint (seen[CT_RFM_SEGMENT_POTENTIAL_LOYALIST], ==, 4);
  g_assert_cmpuint (seen[CT_RFM_SEGMENT_NEW], ==, 1);
  g_assert_cmpuint (seen[CT_RFM_SEGMENT_PROMISING], ==, 1);
  g_assert_cmpuint (seen[CT_RFM_SEGMENT_NEED_ATTENTION], ==, 1);
  g_assert_cmpuint (seen[CT_RFM_SEGMENT_ABOUT_TO_SLEEP], ==, 2);
  g_assert_cmpuint (seen[CT_RFM_SEGMENT_AT_RISK], ==, 4);
  g_assert_cmpuint (seen[CT_RFM_SEGMENT_CANNOT_LOSE_THEM], ==, 2);
  g_assert_cmpuint (seen[CT_RFM_SEGMENT_HIBERNATING], ==, 3);
  g_assert_cmpuint (seen[CT_RFM_SEGMENT_LOST], ==, 1);
}

static void
test_segment_names (void)
{
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) labels = g_hash_table_new (g_str_hash, g_str_equal);
  CtRfmSegment segment;

  for (guint i = 0; i < CT_RFM_N_SEGMENTS; i++)
    {
      const char *id = ct_rfm_segment_to_id (i);
      const char *label = ct_rfm_segment_get_label (i);

      g_assert_nonnull (id);
      g_assert_nonnull (label);
      g_assert_nonnull (ct_rfm_segment_get_description (i));
      g_assert_true (g_hash_table_add (ids, (gpointer) id));
      g_assert_true (g_hash_table_add (labels, (gpointer) label));
      g_assert_true (ct_rfm_segment_from_id (id, &segment));
      g_assert_cmpint (segment, ==, i);
    }

  g_assert_cmpstr (ct_rfm_segment_to_id (CT_RFM_SEGMENT_CHAMPIONS), ==, "champions");
  g_assert_cmpstr (ct_rfm_segment_to_id (CT_RFM_SEGMENT_CANNOT_LOSE_THEM), ==, "cannot_lose_them");
  g_assert_cmpstr (ct_rfm_segment_get_label (CT_RFM_SEGMENT_CANNOT_LOSE_THEM), ==, "Cannot Lose Them");
  g_assert_false (ct_rfm_segment_from_id ("Champions", &segment));
  g_assert_false (ct_rfm_segment_from_id ("", &segment));
}

static void
test_explain (void)
{
  CtRfmCustomer customer = { 1, 0, 0, 12, 7, 99900 };
  CtRfmScore score = { 5, 5, 5, CT_RFM_SEGMENT_CHAMPIONS };
  g_autofree char *seven = NULL;
  g_autofree char *once = NULL;
  g_autofree char *today = NULL;

  seven = ct_rfm_explain (&customer, &score);
  g_assert_cmpstr (seven, ==, "Bought 7 times, last 12 days ago: Champions");

  customer.frequency = 1;
  customer.recency = 1;
  score.segment = CT_RFM_SEGMENT_NEW;
  once = ct_rfm_explain (&customer, &score);
  g_assert_cmpstr (once, ==, "Bought 1 time, last 1 day ago: New");

  customer.recency = 0;
  today = ct_rfm_explain (&customer, &score);
  g_assert_cmpstr (today, ==, "Bought 1 time, last today: New");
}

/* Lifecycle */

static void
test_lifecycle_defaults (void)
{
  CtLifecycleThresholds t;
  GError *error = NULL;

  ct_lifecycle_thresholds_init_default (&t);
  g_assert_cmpuint (t.new_days, ==, 30);
  g_assert_cmpuint (t.active_days, ==, 90);
  g_assert_cmpuint (t.at_risk_days, ==, 180);
  g_assert_cmpuint (t.dormant_days, ==, 365);
  g_assert_true (ct_lifecycle_thresholds_validate (&t, &error));
  g_assert_no_error (error);
}

static void
test_lifecycle_boundaries (void)
{
  CtLifecycleThresholds t;
  const gint64 as_of = 1750000000;
  CtRfmCustomer c = { 1, 0, 0, 0, 1, 100 };

  ct_lifecycle_thresholds_init_default (&t);

  /* Each threshold belongs to the stage it names. */
  g_assert_cmpint (ct_lifecycle_stage_for_days (&t, 0, 0), ==, CT_LIFECYCLE_NEW);
  g_assert_cmpint (ct_lifecycle_stage_for_days (&t, 30, 0), ==, CT_LIFECYCLE_NEW);
  g_assert_cmpint (ct_lifecycle_stage_for_days (&t, 30, 30), ==, CT_LIFECYCLE_NEW);
  g_assert_cmpint (ct_lifecycle_stage_for_days (&t, 31, 0), ==, CT_LIFECYCLE_ACTIVE);
  g_assert_cmpint (ct_lifecycle_stage_for_days (&t, 31, 31), ==, CT_LIFECYCLE_ACTIVE);
  g_assert_cmpint (ct_lifecycle_stage_for_days (&t, 400, 90), ==, CT_LIFECYCLE_ACTIVE);
  g_assert_cmpint (ct_lifecycle_stage_for_days (&t, 400, 91), ==, CT_LIFECYCLE_AT_RISK);
  g_assert_cmpint (ct_lifecycle_stage_for_days (&t, 400, 180), ==, CT_LIFECYCLE_AT_RISK);
  g_assert_cmpint (ct_lifecycle_stage_for_days (&t, 400, 181), ==, CT_LIFECYCLE_DORMANT);
  g_assert_cmpint (ct_lifecycle_stage_for_days (&t, 400, 365), ==, CT_LIFECYCLE_DORMANT);
  g_assert_cmpint (ct_lifecycle_stage_for_days (&t, 400, 366), ==, CT_LIFECYCLE_CHURNED);

  g_assert_cmpint (ct_lifecycle_stage_for_customer (&t, NULL, as_of), ==, CT_LIFECYCLE_POTENTIAL);
  c.frequency = 0;
  g_assert_cmpint (ct_lifecycle_stage_for_customer (&t, &c, as_of), ==, CT_LIFECYCLE_POTENTIAL);
  c.frequency = 1;

  /* Whole days elapsed: 30 days and 23:59:59 is still 30 days. */
  c.first_purchase_at = c.last_purchase_at = as_of - 30 * DAY - (DAY - 1);
  g_assert_cmpint (ct_lifecycle_stage_for_customer (&t, &c, as_of), ==, CT_LIFECYCLE_NEW);
  c.first_purchase_at = c.last_purchase_at = as_of - 31 * DAY;
  g_assert_cmpint (ct_lifecycle_stage_for_customer (&t, &c, as_of), ==, CT_LIFECYCLE_ACTIVE);

  /* A first purchase long ago and a last one today: active, not new. */
  c.first_purchase_at = as_of - 1000 * DAY;
  c.last_purchase_at = as_of;
  g_assert_cmpint (ct_lifecycle_stage_for_customer (&t, &c, as_of), ==, CT_LIFECYCLE_ACTIVE);
  c.last_purchase_at = as_of - 365 * DAY;
  g_assert_cmpint (ct_lifecycle_stage_for_customer (&t, &c, as_of), ==, CT_LIFECYCLE_DORMANT);
  c.last_purchase_at = as_of - 366 * DAY;
  g_assert_cmpint (ct_lifecycle_stage_for_customer (&t, &c, as_of), ==, CT_LIFECYCLE_CHURNED);

  /* Thresholds the user changed. */
  t = (CtLifecycleThresholds) { 7, 14, 21, 28 };
  g_assert_cmpint (ct_lifecycle_stage_for_days (&t, 7, 7), ==, CT_LIFECYCLE_NEW);
  g_assert_cmpint (ct_lifecycle_stage_for_days (&t, 8, 14), ==, CT_LIFECYCLE_ACTIVE);
  g_assert_cmpint (ct_lifecycle_stage_for_days (&t, 99, 15), ==, CT_LIFECYCLE_AT_RISK);
  g_assert_cmpint (ct_lifecycle_stage_for_days (&t, 99, 28), ==, CT_LIFECYCLE_DORMANT);
  g_assert_cmpint (ct_lifecycle_stage_for_days (&t, 99, 29), ==, CT_LIFECYCLE_CHURNED);
}

static void
test_lifecycle_counts (void)
{
  const gint64 as_of = 1750000000;
  /* first, last purchase in days before the as-of time */
  static const gint64 days[][2] = {
    { 3, 3 }, { 30, 0 },            /* new */
    { 31, 31 }, { 500, 90 },        /* active */
    { 500, 91 },                    /* at risk */
    { 400, 365 }, { 400, 200 },     /* dormant */
    { 900, 366 },                   /* churned */
  };
  CtRfmCustomer customers[G_N_ELEMENTS (days)];
  CtLifecycleThresholds t;
  gint64 counts[CT_LIFECYCLE_N_STAGES];

  ct_lifecycle_thresholds_init_default (&t);
  for (guint i = 0; i < G_N_ELEMENTS (days); i++)
    customers[i] = (CtRfmCustomer) { i + 1, as_of - days[i][0] * DAY,
                                     as_of - days[i][1] * DAY, days[i][1], 2, 100 };

  /* 8 customers out of 20 contacts: 12 have not bought. */
  ct_lifecycle_count_stages (&t, customers, G_N_ELEMENTS (customers), 20, as_of, counts);
  g_assert_cmpint (counts[CT_LIFECYCLE_POTENTIAL], ==, 12);
  g_assert_cmpint (counts[CT_LIFECYCLE_NEW], ==, 2);
  g_assert_cmpint (counts[CT_LIFECYCLE_ACTIVE], ==, 2);
  g_assert_cmpint (counts[CT_LIFECYCLE_AT_RISK], ==, 1);
  g_assert_cmpint (counts[CT_LIFECYCLE_DORMANT], ==, 2);
  g_assert_cmpint (counts[CT_LIFECYCLE_CHURNED], ==, 1);

  /* A contact count that is behind never makes a negative count. */
  ct_lifecycle_count_stages (&t, customers, G_N_ELEMENTS (customers), 5, as_of, counts);
  g_assert_cmpint (counts[CT_LIFECYCLE_POTENTIAL], ==, 0);
  g_assert_cmpint (counts[CT_LIFECYCLE_NEW], ==, 2);
}

static void
assert_invalid (guint new_days,
                guint active_days,
                guint at_risk_days,
                guint dormant_days)
{
  CtLifecycleThresholds t = { new_days, active_days, at_risk_days, dormant_days };
  GError *error = NULL;

  g_assert_false (ct_lifecycle_thresholds_validate (&t, &error));
  g_assert_error (error, CT_RFM_ERROR, CT_RFM_ERROR_INVALID_THRESHOLDS);
  g_assert_cmpstr (error->message, !=, "");
  g_clear_error (&error);
}

static void
test_lifecycle_validate (void)
{
  CtLifecycleThresholds t = { 1, 2, 3, CT_LIFECYCLE_MAX_DAYS };

  g_assert_true (ct_lifecycle_thresholds_validate (&t, NULL));

  assert_invalid (0, 90, 180, 365);
  assert_invalid (30, 30, 180, 365);
  assert_invalid (90, 30, 180, 365);
  assert_invalid (30, 90, 90, 365);
  assert_invalid (30, 180, 90, 365);
  assert_invalid (30, 90, 180, 180);
  assert_invalid (30, 90, 365, 180);
  assert_invalid (30, 90, 180, CT_LIFECYCLE_MAX_DAYS + 1);
}

static void
test_lifecycle_names (void)
{
  CtLifecycleStage stage;

  for (guint i = 0; i < CT_LIFECYCLE_N_STAGES; i++)
    {
      g_assert_nonnull (ct_lifecycle_stage_get_label (i));
      g_assert_true (ct_lifecycle_stage_from_id (ct_lifecycle_stage_to_id (i), &stage));
      g_assert_cmpint (stage, ==, i);
    }
  g_assert_cmpstr (ct_lifecycle_stage_to_id (CT_LIFECYCLE_AT_RISK), ==, "at_risk");
  g_assert_cmpstr (ct_lifecycle_stage_get_label (CT_LIFECYCLE_CHURNED), ==, "Churned");
  g_assert_false (ct_lifecycle_stage_from_id ("lost", &stage));
}

/* Database: the loader and the threshold settings */

typedef struct
{
  char *dir;
  char *path;
  CtDb *db;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  GError *error = NULL;

  fixture->dir = g_dir_make_tmp ("clientele-test-rfm-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "clientele.db", NULL);
  fixture->db = ct_db_open (fixture->path, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char * const suffixes[] = { "", "-wal", "-shm" };

  g_clear_object (&fixture->db);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);
      g_remove (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static void
exec (Fixture    *fixture,
      const char *sql)
{
  GError *error = NULL;

  ct_db_exec (fixture->db, sql, &error);
  g_assert_no_error (error);
}

#define AS_OF 1750000000   /* 2025-06-15 15:06:40 UTC */

static void
test_load_customers (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GArray) customers = NULL;
  g_autofree char *currency = NULL;
  GError *error = NULL;
  const CtRfmCustomer *c;

  /* 1: two purchases that count, one refunded, one after the as-of time,
   *    one exactly at it.
   * 2: one purchase in USD and one in CNY.
   * 3: no purchase.
   * 4: only a refunded purchase.
   * An erased contact's anonymous purchase (no contact) counts for
   * nobody. CNY is the main currency: most purchases use it. */
  exec (fixture,
        "INSERT INTO contacts (id, email) VALUES (1, 'a@example.com'), (2, 'b@example.com'),"
        " (3, 'c@example.com'), (4, 'd@example.com');"
        "INSERT INTO purchases (contact_id, amount, currency, purchased_at, refunded) VALUES"
        " (1, 1000, 'CNY', 1750000000 - 100 * 86400, 0),"
        " (1, 2500, 'CNY', 1750000000 - 10 * 86400 - 3600, 0),"
        " (1, 99999, 'CNY', 1750000000 - 5 * 86400, 1),"
        " (1, 77777, 'CNY', 1750000000 + 1, 0),"
        " (1, 300, 'CNY', 1750000000, 0),"
        " (2, 5000, 'USD', 1750000000 - 40 * 86400, 0),"
        " (2, 700, 'CNY', 1750000000 - 400 * 86400, 0),"
        " (4, 800, 'CNY', 1750000000 - 2 * 86400, 1),"
        " (NULL, 123456, 'CNY', 1750000000 - 1 * 86400, 0);");

  customers = ct_rfm_load_customers (fixture->db, AS_OF, NULL, &currency, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (currency, ==, "CNY");
  g_assert_cmpuint (customers->len, ==, 2);

  c = &g_array_index (customers, CtRfmCustomer, 0);
  g_assert_cmpint (c->contact_id, ==, 1);
  g_assert_cmpint (c->frequency, ==, 3);
  g_assert_cmpint (c->monetary, ==, 1000 + 2500 + 300);
  g_assert_cmpint (c->recency, ==, 0);
  g_assert_cmpint (c->first_purchase_at, ==, AS_OF - 100 * DAY);
  g_assert_cmpint (c->last_purchase_at, ==, AS_OF);

  c = &g_array_index (customers, CtRfmCustomer, 1);
  g_assert_cmpint (c->contact_id, ==, 2);
  g_assert_cmpint (c->frequency, ==, 2);
  g_assert_cmpint (c->monetary, ==, 700);
  g_assert_cmpint (c->recency, ==, 40);
  g_assert_cmpint (c->first_purchase_at, ==, AS_OF - 400 * DAY);

  /* Monetary in another currency, when asked for. */
  g_clear_pointer (&customers, g_array_unref);
  g_clear_pointer (&currency, g_free);
  customers = ct_rfm_load_customers (fixture->db, AS_OF, "USD", &currency, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (currency, ==, "USD");
  g_assert_cmpuint (customers->len, ==, 2);
  g_assert_cmpint (g_array_index (customers, CtRfmCustomer, 0).monetary, ==, 0);
  g_assert_cmpint (g_array_index (customers, CtRfmCustomer, 1).monetary, ==, 5000);

  /* An earlier as-of time: contact 1's last two purchases are ignored,
   * the one 10 days and an hour before is now 10 − 3 = 7 days and an
   * hour before. */
  g_clear_pointer (&customers, g_array_unref);
  customers = ct_rfm_load_customers (fixture->db, AS_OF - 3 * DAY, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (customers->len, ==, 2);
  c = &g_array_index (customers, CtRfmCustomer, 0);
  g_assert_cmpint (c->frequency, ==, 2);
  g_assert_cmpint (c->monetary, ==, 3500);
  g_assert_cmpint (c->recency, ==, 7);

  /* Before anyone bought. */
  g_clear_pointer (&customers, g_array_unref);
  customers = ct_rfm_load_customers (fixture->db, AS_OF - 1000 * DAY, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (customers->len, ==, 0);
}

static void
test_load_overflow (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GArray) customers = NULL;
  GError *error = NULL;

  /* Two amounts whose sum does not fit: an error, never a wrapped sum. */
  exec (fixture,
        "INSERT INTO contacts (id, email) VALUES (1, 'a@example.com');"
        "INSERT INTO purchases (contact_id, amount, currency, purchased_at) VALUES"
        " (1, 9223372036854775807, 'CNY', 1000), (1, 10, 'CNY', 2000);");

  customers = ct_rfm_load_customers (fixture->db, AS_OF, "CNY", NULL, &error);
  g_assert_null (customers);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_FAILED);
  g_clear_error (&error);
}

static void
test_thresholds_settings (Fixture       *fixture,
                          gconstpointer  data)
{
  CtLifecycleThresholds t = { 14, 60, 120, 240 };
  CtLifecycleThresholds bad = { 30, 20, 120, 240 };
  CtLifecycleThresholds read;
  GError *error = NULL;

  /* Nothing stored: the defaults. */
  g_assert_true (ct_lifecycle_thresholds_load (fixture->db, &read, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (read.new_days, ==, 30);
  g_assert_cmpuint (read.dormant_days, ==, 365);

  g_assert_true (ct_lifecycle_thresholds_save (fixture->db, &t, &error));
  g_assert_no_error (error);
  g_assert_true (ct_lifecycle_thresholds_load (fixture->db, &read, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (&read, sizeof read, &t, sizeof t);

  /* A bad set is refused and the stored one stays. */
  g_assert_false (ct_lifecycle_thresholds_save (fixture->db, &bad, &error));
  g_assert_error (error, CT_RFM_ERROR, CT_RFM_ERROR_INVALID_THRESHOLDS);
  g_clear_error (&error);
  g_assert_true (ct_lifecycle_thresholds_load (fixture->db, &read, &error));
  g_assert_cmpmem (&read, sizeof read, &t, sizeof t);

  /* Only one stored: the others are the defaults, and 14 < 90 < ... */
  exec (fixture, "DELETE FROM settings WHERE key LIKE 'lifecycle.%' AND key != 'lifecycle.new_days'");
  g_assert_true (ct_lifecycle_thresholds_load (fixture->db, &read, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (read.new_days, ==, 14);
  g_assert_cmpuint (read.active_days, ==, 90);

  /* Broken settings written by hand: an error, and the defaults. */
  exec (fixture, "UPDATE settings SET value = 'soon' WHERE key = 'lifecycle.new_days'");
  g_assert_false (ct_lifecycle_thresholds_load (fixture->db, &read, &error));
  g_assert_error (error, CT_RFM_ERROR, CT_RFM_ERROR_INVALID_THRESHOLDS);
  g_assert_nonnull (strstr (error->message, "soon"));
  g_clear_error (&error);
  g_assert_cmpuint (read.new_days, ==, 30);

  exec (fixture, "UPDATE settings SET value = '200' WHERE key = 'lifecycle.new_days'");
  g_assert_false (ct_lifecycle_thresholds_load (fixture->db, &read, &error));
  g_assert_error (error, CT_RFM_ERROR, CT_RFM_ERROR_INVALID_THRESHOLDS);
  g_clear_error (&error);
  g_assert_cmpuint (read.new_days, ==, 30);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rfm/quantiles", test_quantiles);
  g_test_add_func ("/rfm/scores", test_scores);
  g_test_add_func ("/rfm/score-all", test_score_all);
  g_test_add_func ("/rfm/score-all-same", test_score_all_same);
  g_test_add_func ("/rfm/segments-grid", test_segments_grid);
  g_test_add_func ("/rfm/segment-names", test_segment_names);
  g_test_add_func ("/rfm/explain", test_explain);
  g_test_add_func ("/lifecycle/defaults", test_lifecycle_defaults);
  g_test_add_func ("/lifecycle/boundaries", test_lifecycle_boundaries);
  g_test_add_func ("/lifecycle/counts", test_lifecycle_counts);
  g_test_add_func ("/lifecycle/validate", test_lifecycle_validate);
  g_test_add_func ("/lifecycle/names", test_lifecycle_names);
  g_test_add ("/rfm/load-customers", Fixture, NULL,
              fixture_set_up, test_load_customers, fixture_tear_down);
  g_test_add ("/rfm/load-overflow", Fixture, NULL,
              fixture_set_up, test_load_overflow, fixture_tear_down);
  g_test_add ("/lifecycle/settings", Fixture, NULL,
              fixture_set_up, test_thresholds_settings, fixture_tear_down);

  return g_test_run ();
}
