/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-analytics.h: the whole analysis in one call: RFM, lifecycle, the
 * three lifetime values, BG/NBD and Gamma-Gamma, the revenue forecast,
 * clusters and KPIs, cached per contact in the contact_metrics table
 *
 * The cache (migration 4, see ct-db-schema.c):
 *
 *   contact_metrics: one row per contact, customers or not, as of the
 *     last stored run. Money in minor units of `currency` (the main
 *     currency); NULL where a model could not be fitted or the contact
 *     has no purchase. rfm_segment holds ct_rfm_segment_to_id(),
 *     lifecycle ct_lifecycle_stage_to_id(), cluster 0 .. k-1 (largest
 *     cluster first; shown to people, and exported, as 1 .. k), p_alive
 *     0..1 (churn risk is 1 − p_alive),
 *     expected_purchases those of the next clv_horizon_months.
 *   analytics_runs: one row per stored run, summary = the JSON below.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ct-db.h"
#include "ct-rfm.h"

G_BEGIN_DECLS

#define CT_ANALYTICS_ERROR (ct_analytics_error_quark ())

typedef enum
{
  CT_ANALYTICS_ERROR_INVALID_OPTIONS,  /* a discount rate, horizon or k out of range */
} CtAnalyticsError;

GQuark ct_analytics_error_quark (void);

#define CT_ANALYTICS_MAX_K 20
#define CT_ANALYTICS_MAX_HORIZON_MONTHS 120

typedef struct
{
  gint64   as_of;               /* Unix seconds; 0 = now. Later purchases are ignored */
  gboolean weeks;               /* the models' time unit: weeks rather than days */
  double   discount_rate;       /* annual, for the predictive CLV: default 0.10, 0..1 */
  guint    clv_horizon_months;  /* predictive CLV over: default 12, 1..CT_ANALYTICS_MAX_HORIZON_MONTHS */
  guint    k;                   /* clusters; 0 = suggest by silhouette in 2..6 */
  CtLifecycleThresholds lifecycle;  /* the defaults; ct_lifecycle_thresholds_load() for the user's */
} CtAnalyticsOptions;

void ct_analytics_options_init (CtAnalyticsOptions *options);

/* The user's settings, in the settings table: "analytics.discount_rate"
 * (a fraction, "0.1" for 10% a year), "analytics.clv_horizon_months",
 * and the lifecycle thresholds (ct_lifecycle_thresholds_load()).
 *
 * Reads them into @options, leaving its other fields alone; a setting
 * not stored keeps what @options held. A stored value out of range or
 * not a number is an error: @options keeps what it held for that
 * setting (the defaults for the thresholds), the other settings are
 * still read, and the first error is returned. */
gboolean  ct_analytics_options_load   (CtDb                      *db,
                                       CtAnalyticsOptions        *options,
                                       GError                   **error);
/* Validates (as ct_analytics_compute() does) and stores the discount
 * rate and the horizon in one transaction, then emits
 * CtDb::changed ("settings"). CT_ANALYTICS_ERROR_INVALID_OPTIONS when
 * out of range. */
gboolean  ct_analytics_clv_settings_save (CtDb                   *db,
                                          double                  discount_rate,
                                          guint                   clv_horizon_months,
                                          GError                **error);

/* Called with the share of the work done, 0 to 1. */
typedef void (*CtAnalyticsProgress) (double   fraction,
                                     gpointer user_data);

/* Computes everything on the calling thread. With @store, replaces every
 * row of contact_metrics and adds an analytics_runs row in one
 * transaction, then emits CtDb::changed ("contact_metrics"). Cancelling
 * gives G_IO_ERROR_CANCELLED and leaves the previous cache as it was.
 *
 * A model that cannot be fitted (too few repeat buyers, no variance...)
 * is not an error: its part of the JSON is {"error": "reason in words"}
 * and its columns are NULL.
 *
 * The JSON summary (money in major units of "currency", a number):
 *   time_unit: "day" | "week"; as_of: Unix seconds; as_of_date:
 *   "YYYY-MM-DD" (UTC); computed_at: Unix seconds; currency;
 *   contacts, customers, repeat_buyers (BTYD: repeat purchase days);
 *   bgnbd: {r, alpha, a, b, loglik, n_customers} | {error};
 *   gamma_gamma: {p, q, v, loglik, n_customers} | {error};
 *   rfm_segments: {segment id: count} (all 11);
 *   lifecycle: {stage id: count} (all 6);
 *   clv: {horizon_months, discount_rate, historical_total,
 *         historical_mean, simple_mean | null, simple_error?,
 *         expected_lifetime_years | null, annual_churn | null,
 *         predictive_total | null, predictive_mean | null};
 *   k, k_suggested (bool), silhouette (null when not computed),
 *   clusters: [{cluster, size, centroid: {recency_days, frequency,
 *     monetary}}] (empty, with clusters_error, when there are too few
 *     customers);
 *   forecast: {days_30, days_90, days_365} expected revenue, and
 *     purchases_30, purchases_90, purchases_365 | {error};
 *   kpis: {contacts, customers, repeat_customers, orders, revenue,
 *     average_order_value, conversion_rate, repeat_purchase_rate,
 *     funnel: {potential, contacted, converted, retained, loyal},
 *     retention: [{month "YYYY-MM", size, buyers: [n0, n1, ...]}]
 *       (buyers[k]: bought k months after the first purchase month,
 *       up to the as-of month; local time),
 *     acquisition: {from_month, to_month (the last 12 whole months
 *       up to the as-of time), channels: [{channel, spend, new_customers,
 *       cost_per_customer | null, other_currency_months}]}}.
 *
 * Returns: (transfer full) (nullable): the summary, %NULL with @error
 * set on failure. @progress may be %NULL. */
JsonNode *ct_analytics_compute        (CtDb                      *db,
                                       const CtAnalyticsOptions  *options,
                                       gboolean                   store,
                                       CtAnalyticsProgress        progress,
                                       gpointer                   progress_data,
                                       GCancellable              *cancellable,
                                       GError                   **error);

/* The same on a worker thread with its own connection to @db_path (a
 * file this process has open and checked already). @progress is called
 * on the thread-default main context of the caller; @progress_destroy
 * frees @progress_data when the run is over. CtDb::changed is emitted on
 * the worker's connection only: the caller's CtDb should emit
 * ("contact_metrics") itself after a stored run. */
void      ct_analytics_compute_async  (const char                *db_path,
                                       const CtAnalyticsOptions  *options,
                                       gboolean                   store,
                                       CtAnalyticsProgress        progress,
                                       gpointer                   progress_data,
                                       GDestroyNotify             progress_destroy,
                                       GCancellable              *cancellable,
                                       GAsyncReadyCallback        callback,
                                       gpointer                   user_data);
/* Returns: (transfer full) (nullable) */
JsonNode *ct_analytics_compute_finish (GAsyncResult              *result,
                                       GError                   **error);

/* The summary of the last stored run. Returns: (transfer full)
 * (nullable): %NULL without @error when nothing was stored yet. */
JsonNode *ct_analytics_load_last      (CtDb                      *db,
                                       GError                   **error);

G_END_DECLS
