/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-rfm.h: RFM scores and segments, and lifecycle stages */
#pragma once

#include "ct-db.h"

G_BEGIN_DECLS

#define CT_RFM_ERROR (ct_rfm_error_quark ())

typedef enum
{
  CT_RFM_ERROR_INVALID_THRESHOLDS,  /* lifecycle thresholds not increasing */
} CtRfmError;

GQuark ct_rfm_error_quark (void);

/* One customer (a contact with at least one purchase that counts) as of a
 * moment. Times are Unix seconds. */
typedef struct
{
  gint64 contact_id;
  gint64 first_purchase_at;
  gint64 last_purchase_at;
  gint64 recency;       /* whole days from the last purchase to the as-of time */
  gint64 frequency;     /* number of purchases */
  gint64 monetary;      /* total spent, minor units of one currency */
} CtRfmCustomer;

/* The 20/40/60/80% quantiles of each measure. */
typedef struct
{
  double recency[4];
  double frequency[4];
  double monetary[4];
} CtRfmCutPoints;

typedef enum
{
  CT_RFM_SEGMENT_CHAMPIONS,
  CT_RFM_SEGMENT_LOYAL,
  CT_RFM_SEGMENT_POTENTIAL_LOYALIST,
  CT_RFM_SEGMENT_NEW,
  CT_RFM_SEGMENT_PROMISING,
  CT_RFM_SEGMENT_NEED_ATTENTION,
  CT_RFM_SEGMENT_ABOUT_TO_SLEEP,
  CT_RFM_SEGMENT_AT_RISK,
  CT_RFM_SEGMENT_CANNOT_LOSE_THEM,
  CT_RFM_SEGMENT_HIBERNATING,
  CT_RFM_SEGMENT_LOST,
  CT_RFM_N_SEGMENTS
} CtRfmSegment;

typedef struct
{
  guint8       r;         /* 1..5, 5 = bought most recently */
  guint8       f;         /* 1..5, 5 = bought most often */
  guint8       m;         /* 1..5, 5 = spent most */
  CtRfmSegment segment;
} CtRfmScore;

/* Type 7 quantiles (linear interpolation between order statistics, as R's
 * default and numpy's "linear") at 20, 40, 60 and 80% of @sorted, which
 * must be in ascending order and have @n >= 1 values. */
void          ct_rfm_quantiles             (const double         *sorted,
                                            gsize                 n,
                                            double                cuts[4]);

/* 1 + the number of cut points @value is above: 1..5. */
guint         ct_rfm_score_higher_better   (double                value,
                                            const double          cuts[4]);
/* 5 − the number of cut points @days is above: fewer days is better. */
guint         ct_rfm_score_recency         (double                days,
                                            const double          cuts[4]);

/* Cut points of the three measures over @customers. Returns %FALSE, with
 * @cuts zeroed, when @n is 0: there is nothing to cut. */
gboolean      ct_rfm_cut_points_compute    (const CtRfmCustomer  *customers,
                                            gsize                 n,
                                            CtRfmCutPoints       *cuts);

/* The segment of an (R, F) pair, both 1..5. */
CtRfmSegment  ct_rfm_segment_for_scores    (guint                 r,
                                            guint                 f);

void          ct_rfm_score_customer        (const CtRfmCutPoints *cuts,
                                            const CtRfmCustomer  *customer,
                                            CtRfmScore           *score);

/* Scores every customer against the cut points of all of them.
 * Returns: (transfer full) (nullable): @n scores in the order of
 * @customers, g_free() them; %NULL when @n is 0. @cuts_out may be %NULL. */
CtRfmScore   *ct_rfm_score_all             (const CtRfmCustomer  *customers,
                                            gsize                 n,
                                            CtRfmCutPoints       *cuts_out);

/* Adds up how many of @scores fall in each segment into @counts, which
 * it zeroes first. */
void          ct_rfm_count_segments        (const CtRfmScore     *scores,
                                            gsize                 n,
                                            gint64                counts[CT_RFM_N_SEGMENTS]);

/* Stable ids for files, JSON and settings ("champions", "at_risk"...). */
const char   *ct_rfm_segment_to_id         (CtRfmSegment          segment);
/* Returns %FALSE for an unknown id. */
gboolean      ct_rfm_segment_from_id       (const char           *id,
                                            CtRfmSegment         *segment);
/* Translated name, for columns and filters. */
const char   *ct_rfm_segment_get_label     (CtRfmSegment          segment);
/* Translated sentence on what the segment's customers have in common. */
const char   *ct_rfm_segment_get_description (CtRfmSegment        segment);

/* "Bought 7 times, last 12 days ago: Champions", for the contact detail.
 * Returns: (transfer full). */
char         *ct_rfm_explain               (const CtRfmCustomer  *customer,
                                            const CtRfmScore     *score);

/* Reads every customer as of @as_of (Unix seconds) with one aggregate
 * query: purchases not refunded, made at or before @as_of, of contacts
 * that exist (an erased contact's anonymous purchases have no contact and
 * are left out). Recency and frequency count purchases in any currency;
 * monetary adds up only the purchases in @currency, since amounts in two
 * currencies cannot be added. @currency %NULL means the main currency of
 * ct_stats_load() (the one most purchases use), and @used_currency, if
 * not %NULL, receives the currency used (transfer full).
 * Returns: (transfer full): a GArray of CtRfmCustomer ordered by contact
 * id, possibly empty; %NULL with @error set on failure. */
GArray       *ct_rfm_load_customers        (CtDb                 *db,
                                            gint64                as_of,
                                            const char           *currency,
                                            char                **used_currency,
                                            GError              **error);

/* Lifecycle stages */

typedef enum
{
  CT_LIFECYCLE_POTENTIAL,   /* no purchase yet */
  CT_LIFECYCLE_NEW,         /* first purchase recent */
  CT_LIFECYCLE_ACTIVE,
  CT_LIFECYCLE_AT_RISK,
  CT_LIFECYCLE_DORMANT,
  CT_LIFECYCLE_CHURNED,
  CT_LIFECYCLE_N_STAGES
} CtLifecycleStage;

/* In whole days, each boundary included in the stage it names: a first
 * purchase exactly new_days ago is still new, a last purchase exactly
 * active_days ago still active. Must be increasing. */
typedef struct
{
  guint new_days;       /* first purchase within: default 30 */
  guint active_days;    /* last purchase within: default 90 */
  guint at_risk_days;   /* default 180 */
  guint dormant_days;   /* default 365; churned beyond */
} CtLifecycleThresholds;

#define CT_LIFECYCLE_MAX_DAYS 36500

void          ct_lifecycle_thresholds_init_default (CtLifecycleThresholds       *thresholds);
/* %FALSE with CT_RFM_ERROR_INVALID_THRESHOLDS unless
 * 1 <= new < active < at risk < dormant <= CT_LIFECYCLE_MAX_DAYS. */
gboolean      ct_lifecycle_thresholds_validate     (const CtLifecycleThresholds *thresholds,
                                                    GError                     **error);
/* Reads the thresholds from the settings table ("lifecycle.new_days",
 * "lifecycle.active_days", "lifecycle.at_risk_days",
 * "lifecycle.dormant_days"), the defaults for any not set. A stored set
 * that does not validate is an error, and @thresholds gets the defaults. */
gboolean      ct_lifecycle_thresholds_load         (CtDb                        *db,
                                                    CtLifecycleThresholds       *thresholds,
                                                    GError                     **error);
/* Validates and stores the thresholds in one transaction. */
gboolean      ct_lifecycle_thresholds_save         (CtDb                        *db,
                                                    const CtLifecycleThresholds *thresholds,
                                                    GError                     **error);

/* The stage of a customer as of @as_of; @customer %NULL means a contact
 * without a purchase (potential). */
CtLifecycleStage ct_lifecycle_stage_for_customer   (const CtLifecycleThresholds *thresholds,
                                                    const CtRfmCustomer         *customer,
                                                    gint64                       as_of);
/* The same from whole days since the first and the last purchase. */
CtLifecycleStage ct_lifecycle_stage_for_days       (const CtLifecycleThresholds *thresholds,
                                                    gint64                       days_since_first,
                                                    gint64                       days_since_last);

/* How many contacts are at each stage as of @as_of: @customers as
 * ct_rfm_load_customers() returned them for @as_of, and @n_contacts all
 * the contacts, so that those without a purchase count as potential.
 * @counts is zeroed first. */
void          ct_lifecycle_count_stages    (const CtLifecycleThresholds *thresholds,
                                            const CtRfmCustomer         *customers,
                                            gsize                        n,
                                            gint64                       n_contacts,
                                            gint64                       as_of,
                                            gint64                       counts[CT_LIFECYCLE_N_STAGES]);

const char   *ct_lifecycle_stage_to_id     (CtLifecycleStage      stage);
gboolean      ct_lifecycle_stage_from_id   (const char           *id,
                                            CtLifecycleStage     *stage);
const char   *ct_lifecycle_stage_get_label (CtLifecycleStage      stage);

G_END_DECLS
