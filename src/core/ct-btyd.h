/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-btyd.h: "buy till you die" models of future purchases and spend
 *
 * BG/NBD (Fader, Hardie & Lee, "Counting Your Customers the Easy Way",
 * Marketing Science 2005) predicts how many purchases a customer will make
 * and how likely they are still a customer; Gamma-Gamma (Fader, Hardie &
 * Lee, "RFM and CLV: Using Iso-Value Curves", JMR 2005) predicts how much
 * they spend per purchase. Together they give the predictive lifetime value.
 *
 * Pure computation: the caller summarises the purchases (DESIGN.md,
 * Analytics) and picks the time unit (days or weeks); every time below is
 * in that unit and every fitted parameter belongs to it (alpha scales with
 * the unit, r, a and b do not).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CT_BTYD_ERROR (ct_btyd_error_quark ())

typedef enum
{
  CT_BTYD_ERROR_INVALID,         /* a customer's figures are impossible */
  CT_BTYD_ERROR_TOO_FEW,         /* too few repeat buyers to fit */
  CT_BTYD_ERROR_NO_VARIANCE,     /* every repeat buyer spends the same */
  CT_BTYD_ERROR_NO_CONVERGENCE,  /* the likelihood has no usable maximum */
} CtBtydError;

GQuark ct_btyd_error_quark (void);

/* A model needs at least this many customers with a repeat purchase. */
#define CT_BTYD_MIN_REPEAT_BUYERS 10

/* One customer's summary as of the end of the calibration period. */
typedef struct
{
  double x;    /* repeat purchases: purchases after the first (a whole number) */
  double t_x;  /* time from the first purchase to the last; 0 when x is 0 */
  double T;    /* time from the first purchase to the end of the period */
  double m_x;  /* mean amount of the repeat purchases (Gamma-Gamma only);
                * ignored when x is 0 */
} CtBtydCustomer;

typedef struct
{
  double r, alpha;  /* gamma heterogeneity of the purchase rate */
  double a, b;      /* beta heterogeneity of the drop-out probability */
  double loglik;    /* log-likelihood at the maximum */
  gsize  n_customers;
} CtBgnbdParams;

typedef struct
{
  double p;          /* shape of the spend per purchase */
  double q, v;       /* gamma heterogeneity of its scale (v is the papers' gamma) */
  double loglik;     /* log-likelihood at the maximum */
  gsize  n_customers;  /* repeat buyers it was fitted on */
} CtGammaGammaParams;

/* BG/NBD: maximum likelihood over all customers. Fails with CT_BTYD_ERROR
 * and a message in words when fewer than CT_BTYD_MIN_REPEAT_BUYERS
 * customers have x > 0, when a customer's figures are impossible, or when
 * the likelihood has no usable maximum. */
gboolean ct_bgnbd_fit (const CtBtydCustomer  *customers,
                       gsize                  n_customers,
                       CtBgnbdParams         *out,
                       GError               **error);

/* The log-likelihood of the parameters for the customers (the figure the
 * fit maximises). */
double ct_bgnbd_loglik (const CtBgnbdParams   *params,
                        const CtBtydCustomer  *customers,
                        gsize                  n_customers);

/* The probability that a customer with this history is still a customer
 * at T: 1 when x is 0, near 0 for a heavy buyer long silent. */
double ct_bgnbd_p_alive (const CtBgnbdParams *params,
                         double               x,
                         double               t_x,
                         double               T);

/* Expected purchases of a new customer in its first t. */
double ct_bgnbd_expected_purchases (const CtBgnbdParams *params,
                                    double               t);

/* Expected purchases in the t after T of a customer with this history
 * (P(alive) times the purchases if still a customer). NAN only if neither
 * the closed form nor its quadrature fallback can be evaluated, which no
 * parameters tried in the tests produce. */
double ct_bgnbd_conditional_expected_purchases (const CtBgnbdParams *params,
                                                double               t,
                                                double               x,
                                                double               t_x,
                                                double               T);

/* Gamma-Gamma: maximum likelihood over the customers with x > 0 (the
 * others are not part of the model, whose data is repeat spend). Fails
 * like ct_bgnbd_fit, and with CT_BTYD_ERROR_NO_VARIANCE when every repeat
 * buyer has the same mean spend. */
gboolean ct_gamma_gamma_fit (const CtBtydCustomer  *customers,
                             gsize                  n_customers,
                             CtGammaGammaParams    *out,
                             GError               **error);

double ct_gamma_gamma_loglik (const CtGammaGammaParams *params,
                              const CtBtydCustomer     *customers,
                              gsize                     n_customers);

/* Expected spend per future purchase of a customer with x repeat purchases
 * of mean m_x; for x = 0 the population mean p v / (q - 1). Infinite when
 * that mean does not exist (q <= 1 and x = 0). */
double ct_gamma_gamma_expected_spend (const CtGammaGammaParams *params,
                                      double                    x,
                                      double                    m_x);

/* Predictive lifetime value over the next `horizon` time units:
 * the expected spend per purchase times, for each month of the horizon,
 * the expected purchases in that month discounted to today at the
 * annual rate from the month's end:
 *
 *   CLV = spend × Σ_k (E[Y(t_k)] − E[Y(t_k−1)]) / (1 + rate)^(t_k / units_per_year)
 *
 * with t_k = k × units_per_year / 12 (the last month cut at the horizon).
 * units_per_year is 365 for days, 365 / 7 for weeks. The E[Y(t_k)] are
 * those of ct_bgnbd_conditional_expected_purchases() to within rounding
 * (10^-12 relative): all the months are summed in one pass. */
double ct_clv_predictive (const CtBgnbdParams      *bgnbd,
                          const CtGammaGammaParams *gamma_gamma,
                          const CtBtydCustomer     *customer,
                          double                    horizon,
                          double                    annual_discount_rate,
                          double                    units_per_year);

/* Scores every customer at once, as calling the functions above one
 * customer at a time would, only much faster: customers with the same x
 * and T share the expensive part of the expectation, and the months of a
 * lifetime value share one pass over its series. Fills, for each
 * customer and those of the arrays that are not NULL: p_alive[i] =
 * ct_bgnbd_p_alive() and predictive[i] = ct_clv_predictive() (which
 * needs gamma_gamma), both to the last bit, and expected[i] =
 * ct_bgnbd_conditional_expected_purchases() over the horizon, to within
 * rounding (10^-12 relative; it may come from the months' series). A
 * customer whose repeat purchases were all free (x > 0, m_x <= 0), left
 * out of the Gamma-Gamma fit, is valued as x = 0: at the population's
 * mean spend. */
void ct_btyd_score (const CtBgnbdParams      *bgnbd,
                    const CtGammaGammaParams *gamma_gamma,
                    const CtBtydCustomer     *customers,
                    gsize                     n_customers,
                    double                    horizon,
                    double                    annual_discount_rate,
                    double                    units_per_year,
                    double                   *p_alive,
                    double                   *expected,
                    double                   *predictive);

/* Sums over customers for the next t: expected purchases, and when
 * gamma_gamma is not NULL, expected revenue (expected purchases times
 * expected spend, undiscounted). */
double ct_btyd_forecast_purchases (const CtBgnbdParams  *bgnbd,
                                   const CtBtydCustomer *customers,
                                   gsize                 n_customers,
                                   double                t);

double ct_btyd_forecast_revenue (const CtBgnbdParams      *bgnbd,
                                 const CtGammaGammaParams *gamma_gamma,
                                 const CtBtydCustomer     *customers,
                                 gsize                     n_customers,
                                 double                    t);

G_END_DECLS
