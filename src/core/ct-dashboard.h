/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-dashboard.h: the figures and charts of a period, for the dashboard
 * and the PDF report
 *
 * Key figures (each against the period just before, of the same length),
 * revenue over time with the forecast of the last stored analysis,
 * revenue by product, new customers and acquisition cost by channel
 * (ct-kpi.h), RFM segments, the lifecycle funnel, retention by cohort
 * and the clusters (the analysis cache of ct-analytics.h), and the
 * customers with the highest predicted lifetime value.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ct-chart.h"
#include "ct-db.h"
#include "ct-kpi.h"
#include "ct-rfm.h"

G_BEGIN_DECLS

#define CT_DASHBOARD_ERROR (ct_dashboard_error_quark ())

typedef enum
{
  CT_DASHBOARD_ERROR_INVALID_PERIOD,  /* a date that is not one, or the end before the start */
} CtDashboardError;

GQuark ct_dashboard_error_quark (void);

typedef enum
{
  CT_PERIOD_30_DAYS,
  CT_PERIOD_90_DAYS,
  CT_PERIOD_12_MONTHS,
  CT_PERIOD_ALL,
  CT_PERIOD_CUSTOM,
} CtPeriodKind;

/* [from, to): Unix seconds. */
typedef struct
{
  CtPeriodKind kind;
  gint64       from;
  gint64       to;
} CtPeriod;

/* The period of @kind ending at @now: the end of today in @tz for 30 and
 * 90 days and "all", which starts with the day of the first purchase in
 * @db; the twelve whole months before the current one for 12 months.
 * Not for CT_PERIOD_CUSTOM. */
gboolean  ct_period_init          (CtPeriod      *period,
                                   CtPeriodKind   kind,
                                   CtDb          *db,
                                   gint64         now,
                                   GTimeZone     *tz,
                                   GError       **error);
/* A custom period from "YYYY-MM-DD" dates, both days included (in @tz),
 * either %NULL for the first purchase / today. CT_DASHBOARD_ERROR_INVALID_PERIOD
 * with a message naming the date otherwise. */
gboolean  ct_period_init_custom   (CtPeriod      *period,
                                   CtDb          *db,
                                   const char    *from_date,
                                   const char    *to_date,
                                   gint64         now,
                                   GTimeZone     *tz,
                                   GError       **error);
/* The period of the same length just before. */
void      ct_period_get_previous  (const CtPeriod *period,
                                   CtPeriod       *previous);
/* "1 Mar 2025 – 31 May 2025" in the language of the messages.
 * Returns: (transfer full) */
char     *ct_period_format        (const CtPeriod *period,
                                   GTimeZone      *tz);

typedef enum
{
  CT_KPI_REVENUE,
  CT_KPI_CUSTOMERS,
  CT_KPI_NEW_CUSTOMERS,
  CT_KPI_AVERAGE_ORDER_VALUE,
  CT_KPI_REPEAT_RATE,
  CT_KPI_CONVERSION_RATE,
  CT_KPI_FORECAST_90,
  CT_KPI_N
} CtKpiId;

typedef struct
{
  double      value;      /* money in minor units; rates 0..1 */
  double      previous;   /* the same for the previous period */
  gboolean    known;      /* FALSE: no figure (no analysis for the forecast) */
  CtChartUnit unit;
} CtKpiCard;

/* Where the channel of a bar, a segment of the donut or a stage of the
 * funnel leads: the contacts that match, as a CtDashboardFilter. */
typedef enum
{
  CT_DASHBOARD_FILTER_NONE,
  CT_DASHBOARD_FILTER_RFM_SEGMENT,   /* id: CtRfmSegment */
  CT_DASHBOARD_FILTER_FUNNEL_STAGE,  /* id: 0 potential .. 4 loyal */
  CT_DASHBOARD_FILTER_CHANNEL,       /* id: the channel's row id */
  CT_DASHBOARD_FILTER_CLUSTER,       /* id: the cluster, 0 .. k-1 */
  CT_DASHBOARD_FILTER_PRODUCT,       /* id: the product's row id; 0 the others */
  CT_DASHBOARD_FILTER_COHORT,        /* id: the cohort's row in the retention */
} CtDashboardFilterKind;

typedef struct
{
  gint64  contact_id;
  char   *name;
  char   *email;
  gint64  clv_predictive;   /* minor units */
  double  p_alive;          /* NAN when unknown */
  gint64  frequency;
  gint64  monetary;
  int     segment;          /* CtRfmSegment, -1 when none */
} CtTopCustomer;

typedef struct
{
  CtPeriod   period;
  CtPeriod   previous;
  char       currency[4];
  CtKpiCard  kpis[CT_KPI_N];

  /* Revenue over time: a bucket per day (periods up to 92 days) or per
   * month, then the forecast's buckets after the period. */
  gboolean   monthly;
  guint      n_buckets;
  guint      n_forecast;         /* of them, after the period */
  char     **bucket_labels;      /* n_buckets + n_forecast, %NULL-terminated */
  gint64    *bucket_starts;      /* n_buckets + n_forecast + 1 */
  gint64    *revenue;            /* n_buckets, minor units */
  double    *forecast;           /* n_forecast expected revenue, minor units */
  double    *forecast_low;       /* its 80% range (see ct-dashboard.c) */
  double    *forecast_high;

  /* Revenue by product: the biggest CT_DASHBOARD_TOP_PRODUCTS of the
   * period, then "Other products" when there are more. */
  guint      n_products;
  char     **product_names;      /* n_products, %NULL-terminated */
  gint64    *product_ids;        /* 0 for the others */
  gint64    *product_revenue;    /* n_products × n_buckets, row by product */

  GArray    *channels;           /* CtChannelCost, ct_channel_costs_load() */

  /* Of the last stored analysis; has_analysis FALSE when there is none. */
  gboolean   has_analysis;
  gint64     analysis_as_of;
  JsonNode  *analysis;           /* its summary, nullable */
  gint64     segment_counts[CT_RFM_N_SEGMENTS];
  gint64     segment_revenue[CT_RFM_N_SEGMENTS];   /* minor units */
  GArray    *top_customers;      /* CtTopCustomer, by predicted CLV */
  guint      n_clusters;
  GArray    *cluster_points;     /* CtClusterPoint, a sample */

  CtFunnel      funnel;          /* as of the end of the period */
  CtRetention  *retention;       /* as of the end of the period */

  /* The campaigns launched in the period, oldest first: CtCampaignInfo
   * (ct-campaign-results.h) with purchases attributed within
   * CT_CAMPAIGN_DEFAULT_WINDOW_DAYS. */
  GPtrArray    *campaigns;
} CtDashboard;

typedef struct
{
  double recency_days;
  double monetary;               /* major units */
  guint  cluster;
} CtClusterPoint;

#define CT_DASHBOARD_TOP_PRODUCTS 5
#define CT_DASHBOARD_TOP_CUSTOMERS 10
#define CT_DASHBOARD_MAX_POINTS 3000
/* Retention cohorts shown: the most recent ones. */
#define CT_DASHBOARD_MAX_COHORTS 18

/* Reads everything for @period in @tz (%NULL: local time).
 * Returns: (transfer full): free with ct_dashboard_free(); %NULL with
 * @error set on failure. */
CtDashboard *ct_dashboard_load           (CtDb              *db,
                                          const CtPeriod    *period,
                                          GTimeZone         *tz,
                                          GCancellable      *cancellable,
                                          GError           **error);
void         ct_dashboard_free           (CtDashboard       *dashboard);

/* Translated name of a key figure ("Revenue"). */
const char  *ct_kpi_get_label            (CtKpiId            kpi);
/* "¥12.3k", "45.6%": the card's value. Returns: (transfer full) */
char        *ct_dashboard_format_kpi     (const CtDashboard *dashboard,
                                          CtKpiId            kpi,
                                          gboolean           previous,
                                          gboolean           compact);
/* "+12.3%" for amounts and counts, "+1.2 pts" for rates, "—" when
 * there is nothing to compare with. @direction: 1 up, -1 down, 0 the
 * same or unknown. Returns: (transfer full) */
char        *ct_dashboard_format_change  (const CtDashboard *dashboard,
                                          CtKpiId            kpi,
                                          int               *direction);

typedef enum
{
  CT_DASHBOARD_CHART_REVENUE,
  CT_DASHBOARD_CHART_PRODUCTS,
  CT_DASHBOARD_CHART_CHANNEL_CUSTOMERS,
  CT_DASHBOARD_CHART_CHANNEL_COST,
  CT_DASHBOARD_CHART_SEGMENTS,
  CT_DASHBOARD_CHART_FUNNEL,
  CT_DASHBOARD_CHART_RETENTION,
  CT_DASHBOARD_CHART_CLUSTERS,
  CT_DASHBOARD_N_CHARTS
} CtDashboardChart;

/* Returns: (transfer full): the chart, ready to draw. */
CtChart     *ct_dashboard_make_chart     (const CtDashboard *dashboard,
                                          CtDashboardChart   which,
                                          gboolean           dark);
/* What clicking @hit of chart @which opens. Returns %FALSE when nothing. */
gboolean     ct_dashboard_hit_filter     (const CtDashboard *dashboard,
                                          CtDashboardChart   which,
                                          const CtChartHit  *hit,
                                          CtDashboardFilterKind *kind,
                                          gint64            *id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtDashboard, ct_dashboard_free)

G_END_DECLS
