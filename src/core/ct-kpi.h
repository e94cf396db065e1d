/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-kpi.h: key figures: conversion, order value, repeat purchases,
 * retention by cohort, acquisition cost per channel, the funnel */
#pragma once

#include "ct-db.h"
#include "ct-rfm.h"

G_BEGIN_DECLS

#define CT_KPI_ERROR (ct_kpi_error_quark ())

typedef enum
{
  CT_KPI_ERROR_INVALID_PERIOD,  /* a month is not YYYY-MM, or the period ends before it starts */
} CtKpiError;

GQuark ct_kpi_error_quark (void);

/* Purchases count when not refunded and made at or before the as-of time.
 * Each rate is 0 when its denominator is 0: check the counts to say
 * "no contacts yet" rather than showing 0%. */
typedef struct
{
  gint64 contacts;
  gint64 customers;             /* contacts with at least one purchase */
  gint64 repeat_customers;      /* contacts with at least two */
  gint64 orders;                /* purchases in the currency, erased contacts' included */
  gint64 revenue;               /* their total, minor units */
  gint64 average_order_value;   /* revenue ÷ orders, rounded to a minor unit */
  double conversion_rate;       /* customers ÷ contacts */
  double repeat_purchase_rate;  /* repeat customers ÷ customers */
  char   currency[4];
} CtKpis;

/* @currency %NULL: the main currency (ct_stats_load()). @customers, if
 * not %NULL, is what ct_rfm_load_customers() returned for the same
 * @as_of, and saves reading the purchases per contact again. */
gboolean ct_kpis_load (CtDb        *db,
                       gint64       as_of,
                       const char  *currency,
                       GArray      *customers,
                       CtKpis      *kpis,
                       GError     **error);

/* Retention by first-purchase month: row c is the customers whose first
 * purchase was in month c (a cohort), column k the months since; a cell
 * holds how many of the cohort bought in that month. Column 0 is the
 * cohort's size. Months are calendar months in a time zone. */
typedef struct
{
  guint    n_cohorts;   /* months from the first cohort to the as-of month */
  guint    n_offsets;   /* the same: the first cohort's row is the longest */
  char   **months;      /* n_cohorts "YYYY-MM" labels, %NULL-terminated */
  gint64  *sizes;       /* customers per cohort; 0 for a month nobody started in */
  gint64  *buyers;      /* n_cohorts × n_offsets, row by row; -1 for a month after the as-of month */
} CtRetention;

/* @tz %NULL: local time. Returns: (transfer full): free with
 * ct_retention_free(); %NULL with @error set on failure. With no
 * purchase, n_cohorts is 0. */
CtRetention *ct_retention_load      (CtDb               *db,
                                     gint64              as_of,
                                     GTimeZone          *tz,
                                     GError            **error);
gint64       ct_retention_get_buyers (const CtRetention *retention,
                                      guint              cohort,
                                      guint              offset);
/* buyers ÷ size, from 0 to 1; -1 when the month is not over the as-of
 * time yet or the cohort is empty. */
double       ct_retention_get_share (const CtRetention  *retention,
                                     guint               cohort,
                                     guint               offset);
void         ct_retention_free      (CtRetention        *retention);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtRetention, ct_retention_free)

/* Acquisition cost of one channel over a period of whole months. */
typedef struct
{
  gint64  channel_id;
  char   *name;
  gint64  spend;              /* minor units in the currency */
  gint64  other_currency_months; /* months of spend in another currency, not added */
  gint64  new_customers;      /* the channel's contacts whose first purchase fell in the period */
  gint64  cost_per_customer;  /* spend ÷ new customers rounded; 0 when there are none */
} CtChannelCost;

/* One CtChannelCost per channel, by name. @from_month and @to_month are
 * "YYYY-MM", both included; @currency %NULL: the main currency; @tz %NULL:
 * local time, for when a month begins.
 * Returns: (transfer full): a GArray of CtChannelCost that frees the
 * names; %NULL with @error set on failure. */
GArray      *ct_channel_costs_load  (CtDb               *db,
                                     const char         *from_month,
                                     const char         *to_month,
                                     const char         *currency,
                                     GTimeZone          *tz,
                                     GError            **error);
/* "¥12.50", or "No new customers" where dividing would mean dividing by
 * zero. Returns: (transfer full). */
char        *ct_channel_cost_format (const CtChannelCost *cost,
                                     const char          *currency);

/* The funnel: potential → contacted → converted → retained → loyal.
 * Each step counts contacts; the steps are not nested in a strict sense
 * (a customer without an email is converted without being contacted). */
typedef struct
{
  gint64 potential;   /* every contact */
  gint64 contacted;   /* subscribed contacts with an email */
  gint64 converted;   /* at least one purchase */
  gint64 retained;    /* at least two */
  gint64 loyal;       /* at least loyal_purchases */
} CtFunnel;

#define CT_FUNNEL_DEFAULT_LOYAL_PURCHASES 5

/* @customers, if not %NULL, is what ct_rfm_load_customers() returned for
 * the same @as_of, and saves reading the purchases per contact again. */
gboolean ct_funnel_load (CtDb       *db,
                         gint64      as_of,
                         guint       loyal_purchases,
                         GArray     *customers,
                         CtFunnel   *funnel,
                         GError    **error);

/* "Potential" … "Loyal" for steps 0 .. 4. */
const char *ct_funnel_stage_get_label (guint stage);

G_END_DECLS
