/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-rfm.c: RFM scores and segments, and lifecycle stages
 *
 * RFM follows DESIGN.md exactly: as of a moment, each customer's recency
 * (days since the last purchase), frequency (number of purchases) and
 * monetary value (total spent) are cut at their 20/40/60/80% quantiles,
 * "type 7" (linear interpolation between order statistics). F and M score
 * 1 + the number of cut points the value is above; R scores 5 − the number
 * of cut points the days are above, since fewer days is better. Equal
 * values are always above the same cut points, so ties share a score
 * without any special case.
 *
 * The scoring is pure functions over arrays, so that the background
 * recompute, the command line and the tests all run the same code; only
 * ct_rfm_load_customers() and the threshold settings touch the database.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-rfm.h"
#include "ct-stats.h"

#define SECONDS_PER_DAY 86400

G_DEFINE_QUARK (ct-rfm-error-quark, ct_rfm_error)

void
ct_rfm_quantiles (const double *sorted,
                  gsize         n,
                  double        cuts[4])
{
  g_return_if_fail (sorted != NULL);
  g_return_if_fail (n >= 1);

  for (guint k = 1; k <= 4; k++)
    {
      /* Type 7: h = (n − 1) p with p = k / 5, worked out in integers so
       * that p = 0.2 being inexact in binary never moves h below a whole
       * number and picks the wrong order statistic. */
      gsize scaled = (n - 1) * k;
      gsize lo = scaled / 5;
      double frac = (double) (scaled % 5) / 5.0;

      if (frac == 0.0 || lo + 1 >= n)
        cuts[k - 1] = sorted[lo];
      else
        /* Written so that equal neighbours give exactly their value. */
        cuts[k - 1] = sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
    }
}

guint
ct_rfm_score_higher_better (double       value,
                            const double cuts[4])
{
  guint above = 0;

  for (guint k = 0; k < 4; k++)
    if (value > cuts[k])
      above++;

  return 1 + above;
}

guint
ct_rfm_score_recency (double       days,
                      const double cuts[4])
{
  guint above = 0;

  for (guint k = 0; k < 4; k++)
    if (days > cuts[k])
      above++;

  return 5 - above;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

typedef enum
{
  MEASURE_RECENCY,
  MEASURE_FREQUENCY,
  MEASURE_MONETARY,
} Measure;

static void
cut_measure (const CtRfmCustomer *customers,
             gsize                n,
             Measure              measure,
             double              *work,
             double               cuts[4])
{
  for (gsize i = 0; i < n; i++)
    {
      switch (measure)
        {
        case MEASURE_RECENCY:
          work[i] = (double) customers[i].recency;
          break;
        case MEASURE_FREQUENCY:
          work[i] = (double) customers[i].frequency;
          break;
        case MEASURE_MONETARY:
          work[i] = (double) customers[i].monetary;
          break;
        default:
          g_assert_not_reached ();
        }
    }

  qsort (work, n, sizeof *work, compare_doubles);
  ct_rfm_quantiles (work, n, cuts);
}

/**
 * ct_rfm_cut_points_compute:
 *
 * Returns: %FALSE when @n is 0, with @cuts zeroed
 */
gboolean
ct_rfm_cut_points_compute (const CtRfmCustomer *customers,
                           gsize                n,
                           CtRfmCutPoints      *cuts)
{
  g_autofree double *work = NULL;

  g_return_val_if_fail (cuts != NULL, FALSE);
  g_return_val_if_fail (n == 0 || customers != NULL, FALSE);

  memset (cuts, 0, sizeof *cuts);
  if (n == 0)
    return FALSE;

  work = g_new (double, n);
  cut_measure (customers, n, MEASURE_RECENCY, work, cuts->recency);
  cut_measure (customers, n, MEASURE_FREQUENCY, work, cuts->frequency);
  cut_measure (customers, n, MEASURE_MONETARY, work, cuts->monetary);
  return TRUE;
}

/* DESIGN.md's table, row by row: every (R, F) pair appears exactly once,
 * which test-rfm checks. Indexed [r − 1][f − 1]. */
static const CtRfmSegment segment_grid[5][5] = {
  /* R1 */ { CT_RFM_SEGMENT_LOST, CT_RFM_SEGMENT_HIBERNATING,
             CT_RFM_SEGMENT_AT_RISK, CT_RFM_SEGMENT_AT_RISK,
             CT_RFM_SEGMENT_CANNOT_LOSE_THEM },
  /* R2 */ { CT_RFM_SEGMENT_HIBERNATING, CT_RFM_SEGMENT_HIBERNATING,
             CT_RFM_SEGMENT_AT_RISK, CT_RFM_SEGMENT_AT_RISK,
             CT_RFM_SEGMENT_CANNOT_LOSE_THEM },
  /* R3 */ { CT_RFM_SEGMENT_ABOUT_TO_SLEEP, CT_RFM_SEGMENT_ABOUT_TO_SLEEP,
             CT_RFM_SEGMENT_NEED_ATTENTION, CT_RFM_SEGMENT_LOYAL,
             CT_RFM_SEGMENT_LOYAL },
  /* R4 */ { CT_RFM_SEGMENT_PROMISING, CT_RFM_SEGMENT_POTENTIAL_LOYALIST,
             CT_RFM_SEGMENT_POTENTIAL_LOYALIST, CT_RFM_SEGMENT_LOYAL,
             CT_RFM_SEGMENT_LOYAL },
  /* R5 */ { CT_RFM_SEGMENT_NEW, CT_RFM_SEGMENT_POTENTIAL_LOYALIST,
             CT_RFM_SEGMENT_POTENTIAL_LOYALIST, CT_RFM_SEGMENT_CHAMPIONS,
             CT_RFM_SEGMENT_CHAMPIONS },
};

CtRfmSegment
ct_rfm_segment_for_scores (guint r,
                           guint f)
{
  g_return_val_if_fail (r >= 1 && r <= 5, CT_RFM_SEGMENT_LOST);
  g_return_val_if_fail (f >= 1 && f <= 5, CT_RFM_SEGMENT_LOST);

  return segment_grid[r - 1][f - 1];
}

void
ct_rfm_score_customer (const CtRfmCutPoints *cuts,
                       const CtRfmCustomer  *customer,
                       CtRfmScore           *score)
{
  g_return_if_fail (cuts != NULL);
  g_return_if_fail (customer != NULL);
  g_return_if_fail (score != NULL);

  score->r = ct_rfm_score_recency ((double) customer->recency, cuts->recency);
  score->f = ct_rfm_score_higher_better ((double) customer->frequency, cuts->frequency);
  score->m = ct_rfm_score_higher_better ((double) customer->monetary, cuts->monetary);
  score->segment = ct_rfm_segment_for_scores (score->r, score->f);
}

/**
 * ct_rfm_score_all:
 * @cuts_out: (out caller-allocates) (optional): the cut points used
 *
 * Returns: (transfer full) (nullable): @n scores, %NULL when @n is 0
 */
CtRfmScore *
ct_rfm_score_all (const CtRfmCustomer *customers,
                  gsize                n,
                  CtRfmCutPoints      *cuts_out)
{
  CtRfmCutPoints cuts;
  CtRfmScore *scores;

  g_return_val_if_fail (n == 0 || customers != NULL, NULL);

  if (!ct_rfm_cut_points_compute (customers, n, &cuts))
    {
      if (cuts_out != NULL)
        *cuts_out = cuts;
      return NULL;
    }

  scores = g_new (CtRfmScore, n);
  for (gsize i = 0; i < n; i++)
    ct_rfm_score_customer (&cuts, &customers[i], &scores[i]);

  if (cuts_out != NULL)
    *cuts_out = cuts;
  return scores;
}

void
ct_rfm_count_segments (const CtRfmScore *scores,
                       gsize             n,
                       gint64            counts[CT_RFM_N_SEGMENTS])
{
  g_return_if_fail (n == 0 || scores != NULL);
  g_return_if_fail (counts != NULL);

  memset (counts, 0, sizeof (gint64) * CT_RFM_N_SEGMENTS);
  for (gsize i = 0; i < n; i++)
    {
      g_return_if_fail ((guint) scores[i].segment < CT_RFM_N_SEGMENTS);
      counts[scores[i].segment]++;
    }
}

static const char * const segment_ids[CT_RFM_N_SEGMENTS] = {
  [CT_RFM_SEGMENT_CHAMPIONS] = "champions",
  [CT_RFM_SEGMENT_LOYAL] = "loyal",
  [CT_RFM_SEGMENT_POTENTIAL_LOYALIST] = "potential_loyalist",
  [CT_RFM_SEGMENT_NEW] = "new",
  [CT_RFM_SEGMENT_PROMISING] = "promising",
  [CT_RFM_SEGMENT_NEED_ATTENTION] = "need_attention",
  [CT_RFM_SEGMENT_ABOUT_TO_SLEEP] = "about_to_sleep",
  [CT_RFM_SEGMENT_AT_RISK] = "at_risk",
  [CT_RFM_SEGMENT_CANNOT_LOSE_THEM] = "cannot_lose_them",
  [CT_RFM_SEGMENT_HIBERNATING] = "hibernating",
  [CT_RFM_SEGMENT_LOST] = "lost",
};

const char *
ct_rfm_segment_to_id (CtRfmSegment segment)
{
  g_return_val_if_fail ((guint) segment < CT_RFM_N_SEGMENTS, NULL);

  return segment_ids[segment];
}

gboolean
ct_rfm_segment_from_id (const char   *id,
                        CtRfmSegment *segment)
{
  g_return_val_if_fail (id != NULL, FALSE);

  for (guint i = 0; i < CT_RFM_N_SEGMENTS; i++)
    if (strcmp (segment_ids[i], id) == 0)
      {
        if (segment != NULL)
          *segment = i;
        return TRUE;
      }

  return FALSE;
}

const char *
ct_rfm_segment_get_label (CtRfmSegment segment)
{
  switch (segment)
    {
    case CT_RFM_SEGMENT_CHAMPIONS:
      /* Translators: the names of the RFM customer segments, shown in
       * the contacts list and the dashboard. RFM scores customers by
       * how recently and how often they bought and how much they
       * spent. */
      return C_("rfm segment", "Champions");
    case CT_RFM_SEGMENT_LOYAL:
      return C_("rfm segment", "Loyal");
    case CT_RFM_SEGMENT_POTENTIAL_LOYALIST:
      return C_("rfm segment", "Potential Loyalist");
    case CT_RFM_SEGMENT_NEW:
      return C_("rfm segment", "New");
    case CT_RFM_SEGMENT_PROMISING:
      return C_("rfm segment", "Promising");
    case CT_RFM_SEGMENT_NEED_ATTENTION:
      return C_("rfm segment", "Need Attention");
    case CT_RFM_SEGMENT_ABOUT_TO_SLEEP:
      return C_("rfm segment", "About to Sleep");
    case CT_RFM_SEGMENT_AT_RISK:
      return C_("rfm segment", "At Risk");
    case CT_RFM_SEGMENT_CANNOT_LOSE_THEM:
      return C_("rfm segment", "Cannot Lose Them");
    case CT_RFM_SEGMENT_HIBERNATING:
      return C_("rfm segment", "Hibernating");
    case CT_RFM_SEGMENT_LOST:
      return C_("rfm segment", "Lost");
    case CT_RFM_N_SEGMENTS:
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
ct_rfm_segment_get_description (CtRfmSegment segment)
{
  switch (segment)
    {
    case CT_RFM_SEGMENT_CHAMPIONS:
      /* Translators: what the customers of an RFM segment have in
       * common, compared with the business's other customers. */
      return _("Bought the most recently and the most often.");
    case CT_RFM_SEGMENT_LOYAL:
      return _("Buy often, and bought not long ago.");
    case CT_RFM_SEGMENT_POTENTIAL_LOYALIST:
      return _("Bought recently, now and then.");
    case CT_RFM_SEGMENT_NEW:
      return _("Bought the most recently, but rarely so far.");
    case CT_RFM_SEGMENT_PROMISING:
      return _("Bought fairly recently, but rarely so far.");
    case CT_RFM_SEGMENT_NEED_ATTENTION:
      return _("Bought now and then, but not lately.");
    case CT_RFM_SEGMENT_ABOUT_TO_SLEEP:
      return _("Bought rarely, and not lately.");
    case CT_RFM_SEGMENT_AT_RISK:
      return _("Used to buy often, but not for a long time.");
    case CT_RFM_SEGMENT_CANNOT_LOSE_THEM:
      return _("Bought the most often, but not for a long time.");
    case CT_RFM_SEGMENT_HIBERNATING:
      return _("Bought rarely, long ago.");
    case CT_RFM_SEGMENT_LOST:
      return _("Bought the least often, and the longest ago.");
    case CT_RFM_N_SEGMENTS:
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * ct_rfm_explain:
 *
 * Returns: (transfer full): one line for the contact detail
 */
char *
ct_rfm_explain (const CtRfmCustomer *customer,
                const CtRfmScore    *score)
{
  g_autofree char *bought = NULL;
  g_autofree char *last = NULL;
  gulong times;
  gulong days;

  g_return_val_if_fail (customer != NULL, NULL);
  g_return_val_if_fail (score != NULL, NULL);

  times = (gulong) MAX (customer->frequency, 0);
  days = (gulong) MAX (customer->recency, 0);

  /* Translators: the first part of "Bought 7 times, last 12 days ago:
   * Champions" in a contact's details. */
  bought = g_strdup_printf (ngettext ("Bought %lu time", "Bought %lu times", times),
                            times);
  if (days == 0)
    /* Translators: the middle part of "Bought 7 times, last today:
     * Champions": the last purchase was today. */
    last = g_strdup (_("last today"));
  else
    /* Translators: the middle part of "Bought 7 times, last 12 days ago:
     * Champions". */
    last = g_strdup_printf (ngettext ("last %lu day ago", "last %lu days ago", days),
                            days);

  /* Translators: a contact's RFM summary: "Bought 7 times" (1), "last 12
   * days ago" (2) and the RFM segment's name (3), as in "Bought 7 times,
   * last 12 days ago: Champions". */
  return g_strdup_printf (C_("rfm explanation", "%s, %s: %s"),
                          bought, last, ct_rfm_segment_get_label (score->segment));
}

/**
 * ct_rfm_load_customers:
 * @currency: (nullable): the currency of the monetary values, %NULL for
 *   the main currency
 * @used_currency: (out) (optional) (transfer full): the currency used
 *
 * Returns: (transfer full) (nullable): a GArray of CtRfmCustomer
 */
GArray *
ct_rfm_load_customers (CtDb        *db,
                       gint64       as_of,
                       const char  *currency,
                       char       **used_currency,
                       GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) customers = NULL;
  g_autofree char *main_currency = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (currency == NULL)
    {
      CtStats stats;

      /* The same main currency as the dashboard's revenue, so that the
       * figures on one screen are in one currency. */
      if (!ct_stats_load (db, &stats, error))
        return NULL;
      main_currency = g_strdup (stats.currency);
    }
  else
    main_currency = g_strdup (currency);

  /* One pass over the purchases in contact order (the purchases_contact
   * index), so a million purchases need no sort. */
  stmt = ct_db_prepare (db,
                        "SELECT contact_id, min(purchased_at), max(purchased_at), count(*),"
                        " sum(CASE WHEN currency = ?2 THEN amount ELSE 0 END)"
                        " FROM purchases"
                        " WHERE contact_id IS NOT NULL AND refunded = 0 AND purchased_at <= ?1"
                        " GROUP BY contact_id ORDER BY contact_id",
                        error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, as_of);
  sqlite3_bind_text (stmt, 2, main_currency, -1, SQLITE_TRANSIENT);

  customers = g_array_new (FALSE, FALSE, sizeof (CtRfmCustomer));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CtRfmCustomer c;

      c.contact_id = sqlite3_column_int64 (stmt, 0);
      c.first_purchase_at = sqlite3_column_int64 (stmt, 1);
      c.last_purchase_at = sqlite3_column_int64 (stmt, 2);
      c.frequency = sqlite3_column_int64 (stmt, 3);
      c.monetary = sqlite3_column_int64 (stmt, 4);
      c.recency = (as_of - c.last_purchase_at) / SECONDS_PER_DAY;
      g_array_append_val (customers, c);
    }

  if (rc != SQLITE_DONE)
    {
      /* sum() stops with "integer overflow" rather than wrapping around. */
      ct_db_set_error (error, ct_db_get_handle (db), rc,
                       _("Could not add up each customer’s purchases"));
      return NULL;
    }

  if (used_currency != NULL)
    *used_currency = g_steal_pointer (&main_currency);
  return g_steal_pointer (&customers);
}

/* Lifecycle stages
 *
 * The defaults suit a knowledge business, where people buy a course or an
 * ebook a few times a year rather than every week: a new course or cohort
 * typically launches every quarter, so someone who bought in the last 90
 * days is active; missing two launches (180 days) puts them at risk; a
 * year without a purchase (the usual term of a membership or an annual
 * community) makes them dormant; beyond that they have churned. "New"
 * means a first purchase within 30 days, as DESIGN.md says, whatever the
 * last purchase.
 */

void
ct_lifecycle_thresholds_init_default (CtLifecycleThresholds *thresholds)
{
  g_return_if_fail (thresholds != NULL);

  thresholds->new_days = 30;
  thresholds->active_days = 90;
  thresholds->at_risk_days = 180;
  thresholds->dormant_days = 365;
}

gboolean
ct_lifecycle_thresholds_validate (const CtLifecycleThresholds  *thresholds,
                                  GError                      **error)
{
  g_return_val_if_fail (thresholds != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (thresholds->new_days < 1)
    {
      g_set_error (error, CT_RFM_ERROR, CT_RFM_ERROR_INVALID_THRESHOLDS,
                   _("A customer must count as new for at least one day."));
      return FALSE;
    }
  if (thresholds->active_days <= thresholds->new_days)
    {
      g_set_error (error, CT_RFM_ERROR, CT_RFM_ERROR_INVALID_THRESHOLDS,
                   _("The days a customer stays active (%u) must be more than the days a customer counts as new (%u)."),
                   thresholds->active_days, thresholds->new_days);
      return FALSE;
    }
  if (thresholds->at_risk_days <= thresholds->active_days)
    {
      g_set_error (error, CT_RFM_ERROR, CT_RFM_ERROR_INVALID_THRESHOLDS,
                   _("The days before a customer is no longer at risk (%u) must be more than the days a customer stays active (%u)."),
                   thresholds->at_risk_days, thresholds->active_days);
      return FALSE;
    }
  if (thresholds->dormant_days <= thresholds->at_risk_days)
    {
      g_set_error (error, CT_RFM_ERROR, CT_RFM_ERROR_INVALID_THRESHOLDS,
                   _("The days before a dormant customer counts as lost (%u) must be more than the days before a customer is no longer at risk (%u)."),
                   thresholds->dormant_days, thresholds->at_risk_days);
      return FALSE;
    }
  if (thresholds->dormant_days > CT_LIFECYCLE_MAX_DAYS)
    {
      g_set_error (error, CT_RFM_ERROR, CT_RFM_ERROR_INVALID_THRESHOLDS,
                   _("The days before a dormant customer counts as lost (%u) cannot be more than %u."),
                   thresholds->dormant_days, (guint) CT_LIFECYCLE_MAX_DAYS);
      return FALSE;
    }

  return TRUE;
}

typedef struct
{
  const char *key;
  gsize       offset;
} ThresholdSetting;

static const ThresholdSetting threshold_settings[] = {
  { "lifecycle.new_days", G_STRUCT_OFFSET (CtLifecycleThresholds, new_days) },
  { "lifecycle.active_days", G_STRUCT_OFFSET (CtLifecycleThresholds, active_days) },
  { "lifecycle.at_risk_days", G_STRUCT_OFFSET (CtLifecycleThresholds, at_risk_days) },
  { "lifecycle.dormant_days", G_STRUCT_OFFSET (CtLifecycleThresholds, dormant_days) },
};

gboolean
ct_lifecycle_thresholds_load (CtDb                   *db,
                              CtLifecycleThresholds  *thresholds,
                              GError                **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  CtLifecycleThresholds read;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (thresholds != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ct_lifecycle_thresholds_init_default (thresholds);
  ct_lifecycle_thresholds_init_default (&read);

  stmt = ct_db_prepare (db, "SELECT value FROM settings WHERE key = ?", error);
  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (threshold_settings); i++)
    {
      int rc;

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, threshold_settings[i].key, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          const char *text = (const char *) sqlite3_column_text (stmt, 0);
          guint64 value;

          if (text == NULL
              || !g_ascii_string_to_unsigned (text, 10, 0, CT_LIFECYCLE_MAX_DAYS,
                                              &value, NULL))
            {
              g_set_error (error, CT_RFM_ERROR, CT_RFM_ERROR_INVALID_THRESHOLDS,
                           _("The setting %s is “%s”, which is not a number of days between 0 and %u."),
                           threshold_settings[i].key, text != NULL ? text : "",
                           (guint) CT_LIFECYCLE_MAX_DAYS);
              return FALSE;
            }
          G_STRUCT_MEMBER (guint, &read, threshold_settings[i].offset) = (guint) value;
        }
      else if (rc != SQLITE_DONE)
        {
          ct_db_set_error (error, ct_db_get_handle (db), rc,
                           _("Could not read the lifecycle settings"));
          return FALSE;
        }
    }

  if (!ct_lifecycle_thresholds_validate (&read, error))
    return FALSE;

  *thresholds = read;
  return TRUE;
}

gboolean
ct_lifecycle_thresholds_save (CtDb                         *db,
                              const CtLifecycleThresholds  *thresholds,
                              GError                      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (thresholds != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!ct_lifecycle_thresholds_validate (thresholds, error))
    return FALSE;

  if (!ct_db_exec (db, "SAVEPOINT ct_lifecycle", error))
    return FALSE;

  stmt = ct_db_prepare (db, "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", error);
  if (stmt == NULL)
    goto fail;

  for (guint i = 0; i < G_N_ELEMENTS (threshold_settings); i++)
    {
      g_autofree char *value = g_strdup_printf ("%u",
                                                G_STRUCT_MEMBER (guint, thresholds,
                                                                 threshold_settings[i].offset));
      int rc;

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, threshold_settings[i].key, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_DONE)
        {
          ct_db_set_error (error, ct_db_get_handle (db), rc,
                           _("Could not save the lifecycle settings"));
          goto fail;
        }
    }

  g_clear_pointer (&stmt, sqlite3_finalize);
  if (!ct_db_exec (db, "RELEASE ct_lifecycle", error))
    goto fail;
  ct_db_emit_changed (db, "settings");
  return TRUE;

fail:
  g_clear_pointer (&stmt, sqlite3_finalize);
  ct_db_exec (db, "ROLLBACK TO ct_lifecycle", NULL);
  ct_db_exec (db, "RELEASE ct_lifecycle", NULL);
  return FALSE;
}

CtLifecycleStage
ct_lifecycle_stage_for_days (const CtLifecycleThresholds *thresholds,
                             gint64                       days_since_first,
                             gint64                       days_since_last)
{
  g_return_val_if_fail (thresholds != NULL, CT_LIFECYCLE_POTENTIAL);

  if (days_since_first <= thresholds->new_days)
    return CT_LIFECYCLE_NEW;
  if (days_since_last <= thresholds->active_days)
    return CT_LIFECYCLE_ACTIVE;
  if (days_since_last <= thresholds->at_risk_days)
    return CT_LIFECYCLE_AT_RISK;
  if (days_since_last <= thresholds->dormant_days)
    return CT_LIFECYCLE_DORMANT;
  return CT_LIFECYCLE_CHURNED;
}

CtLifecycleStage
ct_lifecycle_stage_for_customer (const CtLifecycleThresholds *thresholds,
                                 const CtRfmCustomer         *customer,
                                 gint64                       as_of)
{
  g_return_val_if_fail (thresholds != NULL, CT_LIFECYCLE_POTENTIAL);

  if (customer == NULL || customer->frequency <= 0)
    return CT_LIFECYCLE_POTENTIAL;

  /* Whole days elapsed, like RFM's recency: a purchase earlier today is 0
   * days ago. A purchase after @as_of counts as today. */
  return ct_lifecycle_stage_for_days (thresholds,
                                      MAX (as_of - customer->first_purchase_at, 0) / SECONDS_PER_DAY,
                                      MAX (as_of - customer->last_purchase_at, 0) / SECONDS_PER_DAY);
}

void
ct_lifecycle_count_stages (const CtLifecycleThresholds *thresholds,
                           const CtRfmCustomer         *customers,
                           gsize                        n,
                           gint64                       n_contacts,
                           gint64                       as_of,
                           gint64                       counts[CT_LIFECYCLE_N_STAGES])
{
  gint64 buyers = 0;

  g_return_if_fail (thresholds != NULL);
  g_return_if_fail (n == 0 || customers != NULL);
  g_return_if_fail (counts != NULL);

  memset (counts, 0, sizeof (gint64) * CT_LIFECYCLE_N_STAGES);
  for (gsize i = 0; i < n; i++)
    {
      CtLifecycleStage stage = ct_lifecycle_stage_for_customer (thresholds, &customers[i], as_of);

      counts[stage]++;
      if (stage != CT_LIFECYCLE_POTENTIAL)
        buyers++;
    }

  /* A contact counted twice or a stale count must not go negative. */
  counts[CT_LIFECYCLE_POTENTIAL] += MAX (n_contacts - buyers - counts[CT_LIFECYCLE_POTENTIAL], 0);
}

static const char * const stage_ids[CT_LIFECYCLE_N_STAGES] = {
  [CT_LIFECYCLE_POTENTIAL] = "potential",
  [CT_LIFECYCLE_NEW] = "new",
  [CT_LIFECYCLE_ACTIVE] = "active",
  [CT_LIFECYCLE_AT_RISK] = "at_risk",
  [CT_LIFECYCLE_DORMANT] = "dormant",
  [CT_LIFECYCLE_CHURNED] = "churned",
};

const char *
ct_lifecycle_stage_to_id (CtLifecycleStage stage)
{
  g_return_val_if_fail ((guint) stage < CT_LIFECYCLE_N_STAGES, NULL);

  return stage_ids[stage];
}

gboolean
ct_lifecycle_stage_from_id (const char       *id,
                            CtLifecycleStage *stage)
{
  g_return_val_if_fail (id != NULL, FALSE);

  for (guint i = 0; i < CT_LIFECYCLE_N_STAGES; i++)
    if (strcmp (stage_ids[i], id) == 0)
      {
        if (stage != NULL)
          *stage = i;
        return TRUE;
      }

  return FALSE;
}

const char *
ct_lifecycle_stage_get_label (CtLifecycleStage stage)
{
  switch (stage)
    {
    case CT_LIFECYCLE_POTENTIAL:
      /* Translators: the lifecycle stages of a contact, from someone
       * who has not bought yet (Potential) to a customer who stopped
       * buying (Churned). */
      return C_("lifecycle stage", "Potential");
    case CT_LIFECYCLE_NEW:
      return C_("lifecycle stage", "New");
    case CT_LIFECYCLE_ACTIVE:
      return C_("lifecycle stage", "Active");
    case CT_LIFECYCLE_AT_RISK:
      return C_("lifecycle stage", "At Risk");
    case CT_LIFECYCLE_DORMANT:
      return C_("lifecycle stage", "Dormant");
    case CT_LIFECYCLE_CHURNED:
      return C_("lifecycle stage", "Churned");
    case CT_LIFECYCLE_N_STAGES:
    default:
      g_return_val_if_reached (NULL);
    }
}
