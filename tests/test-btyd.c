/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-btyd.c: tests for ct-btyd against the published CDNOW results
 *
 * The figures are those of Fader, Hardie & Lee (2005) on the CDNOW sample
 * and of R's BTYD package on the same data (tests/data/cdnow/README.md).
 */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#include "ct-btyd.h"

typedef struct
{
  CtBtydCustomer *customers;
  gsize           n;
  /* expected_per_customer.csv only: the reference values */
  double         *p_alive;
  double         *cet_39;
  double         *exp_spend;
  CtBgnbdParams   bgnbd;       /* the parameters on its first line */
  CtGammaGammaParams gamma_gamma;
} Cdnow;

static void
cdnow_free (Cdnow *data)
{
  g_free (data->customers);
  g_free (data->p_alive);
  g_free (data->cet_39);
  g_free (data->exp_spend);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Cdnow, cdnow_free)

static double
parse_double (const char *text)
{
  char *end = NULL;
  double value = g_ascii_strtod (text, &end);

  g_assert_true (end != text && *end == '\0');
  return value;
}

static char **
read_lines (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "cdnow", name, NULL);
  g_autofree char *contents = NULL;
  GError *error = NULL;
  char **lines;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_strchomp (contents);
  lines = g_strsplit (contents, "\n", -1);
  /* The files have Windows line ends. */
  for (guint i = 0; lines[i] != NULL; i++)
    g_strchomp (lines[i]);
  return lines;
}

/* "","x","t.x","T.cal","x.star" */
static Cdnow *
load_summary (void)
{
  g_auto(GStrv) lines = read_lines ("cdnow_summary_weeks.csv");
  Cdnow *data = g_new0 (Cdnow, 1);
  guint n_lines = g_strv_length (lines);

  g_assert_cmpstr (lines[0], ==, "\"\",\"x\",\"t.x\",\"T.cal\",\"x.star\"");
  data->customers = g_new0 (CtBtydCustomer, n_lines);
  for (guint i = 1; i < n_lines; i++)
    {
      g_auto(GStrv) cells = g_strsplit (lines[i], ",", -1);

      g_assert_cmpuint (g_strv_length (cells), ==, 5);
      data->customers[data->n].x = parse_double (cells[1]);
      data->customers[data->n].t_x = parse_double (cells[2]);
      data->customers[data->n].T = parse_double (cells[3]);
      data->n++;
    }
  return data;
}

static double
header_value (const char *line,
              const char *name)
{
  g_autofree char *key = g_strconcat (" ", name, "=", NULL);
  const char *start = strstr (line, key);
  char *end = NULL;
  double value;

  g_assert_nonnull (start);
  value = g_ascii_strtod (start + strlen (key), &end);
  g_assert_true (*end == ' ' || *end == '\0');
  return value;
}

/* # params: r=… alpha=… a=… b=… p=… q=… gamma=…
 * # source: …
 * id,x,t_x,T,x_star,m_x,p_alive,cet_39,exp_spend */
static Cdnow *
load_expected (void)
{
  g_auto(GStrv) lines = read_lines ("expected_per_customer.csv");
  Cdnow *data = g_new0 (Cdnow, 1);
  guint n_lines = g_strv_length (lines);

  g_assert_true (g_str_has_prefix (lines[0], "# params:"));
  data->bgnbd.r = header_value (lines[0], "r");
  data->bgnbd.alpha = header_value (lines[0], "alpha");
  data->bgnbd.a = header_value (lines[0], "a");
  data->bgnbd.b = header_value (lines[0], "b");
  data->gamma_gamma.p = header_value (lines[0], "p");
  data->gamma_gamma.q = header_value (lines[0], "q");
  data->gamma_gamma.v = header_value (lines[0], "gamma");
  g_assert_cmpstr (lines[2], ==, "id,x,t_x,T,x_star,m_x,p_alive,cet_39,exp_spend");

  data->customers = g_new0 (CtBtydCustomer, n_lines);
  data->p_alive = g_new0 (double, n_lines);
  data->cet_39 = g_new0 (double, n_lines);
  data->exp_spend = g_new0 (double, n_lines);
  for (guint i = 3; i < n_lines; i++)
    {
      g_auto(GStrv) cells = g_strsplit (lines[i], ",", -1);
      gsize k = data->n;

      g_assert_cmpuint (g_strv_length (cells), ==, 9);
      data->customers[k].x = parse_double (cells[1]);
      data->customers[k].t_x = parse_double (cells[2]);
      data->customers[k].T = parse_double (cells[3]);
      data->customers[k].m_x = parse_double (cells[5]);
      data->p_alive[k] = parse_double (cells[6]);
      data->cet_39[k] = parse_double (cells[7]);
      data->exp_spend[k] = parse_double (cells[8]);
      data->n++;
    }
  return data;
}

static void
assert_within_percent (double value,
                       double expected,
                       double percent)
{
  if (!(fabs (value - expected) <= fabs (expected) * percent / 100))
    g_error ("%.6g is not within %g%% of %.6g", value, percent, expected);
}

static void
assert_relative (double value,
                 double expected,
                 double tolerance)
{
  if (!(fabs (value - expected) <= fabs (expected) * tolerance))
    g_error ("%.10g is not within %g (relative) of %.10g", value, tolerance, expected);
}

/* BG/NBD ------------------------------------------------------------------ */

static void
test_bgnbd_fit_weeks (void)
{
  g_autoptr(Cdnow) data = load_summary ();
  CtBgnbdParams params;
  GError *error = NULL;

  g_assert_cmpuint (data->n, ==, 2357);
  g_assert_true (ct_bgnbd_fit (data->customers, data->n, &params, &error));
  g_assert_no_error (error);

  assert_within_percent (params.r, 0.2426, 1);
  assert_within_percent (params.alpha, 4.4137, 1);
  assert_within_percent (params.a, 0.7930, 1);
  assert_within_percent (params.b, 2.4259, 1);
  g_assert_cmpfloat_with_epsilon (params.loglik, -9582.43, 0.1);
  g_assert_cmpuint (params.n_customers, ==, 2357);

  /* The reported log-likelihood is the one of the returned parameters. */
  g_assert_cmpfloat_with_epsilon (ct_bgnbd_loglik (&params, data->customers, data->n),
                                  params.loglik, 1e-9);
}

static void
test_bgnbd_fit_days (void)
{
  g_autoptr(Cdnow) data = load_summary ();
  CtBgnbdParams weeks, days;
  GError *error = NULL;

  g_assert_true (ct_bgnbd_fit (data->customers, data->n, &weeks, &error));
  g_assert_no_error (error);

  for (gsize i = 0; i < data->n; i++)
    {
      data->customers[i].t_x *= 7;
      data->customers[i].T *= 7;
    }
  g_assert_true (ct_bgnbd_fit (data->customers, data->n, &days, &error));
  g_assert_no_error (error);

  /* Only α carries the time unit. */
  assert_relative (days.r, weeks.r, 1e-4);
  assert_relative (days.alpha, weeks.alpha * 7, 1e-4);
  assert_relative (days.a, weeks.a, 1e-4);
  assert_relative (days.b, weeks.b, 1e-4);
}

static void
test_bgnbd_closed_forms (void)
{
  g_autoptr(Cdnow) data = load_expected ();
  const CtBgnbdParams *p = &data->bgnbd;
  const struct
  {
    double x;
    double expected;
  } by_x[] = {
    { 10, 0.3474606 },
    { 15, 0.04283391 },
    { 20, 0.004158973 },
    { 25, 0.0003583685 },
  };

  assert_relative (ct_bgnbd_expected_purchases (p, 52), 1.444004, 1e-5);
  assert_relative (ct_bgnbd_p_alive (p, 26, 30.85714, 31), 0.9688523, 1e-5);
  assert_relative (ct_bgnbd_conditional_expected_purchases (p, 52, 26, 30.85714, 31),
                   25.75659, 1e-5);
  for (gsize i = 0; i < G_N_ELEMENTS (by_x); i++)
    assert_relative (ct_bgnbd_conditional_expected_purchases (p, 52, by_x[i].x, 20, 39),
                     by_x[i].expected, 1e-5);
  g_assert_cmpfloat_with_epsilon (ct_bgnbd_conditional_expected_purchases (p, 39, 2, 30.43, 38.86),
                                  1.226, 0.0005);

  /* Nobody has been seen to drop out before a repeat purchase. */
  g_assert_cmpfloat (ct_bgnbd_p_alive (p, 0, 0, 38), ==, 1);
  g_assert_cmpfloat (ct_bgnbd_conditional_expected_purchases (p, 0, 3, 10, 20), ==, 0);
}

static void
test_bgnbd_heavy_customer (void)
{
  g_autoptr(Cdnow) data = load_expected ();
  const CtBgnbdParams *p = &data->bgnbd;
  double e;

  /* A thousand purchases in ten weeks, then ninety weeks of silence. */
  g_assert_cmpfloat (ct_bgnbd_p_alive (p, 1000, 10, 100), ==, 0);
  e = ct_bgnbd_conditional_expected_purchases (p, 52, 1000, 10, 100);
  g_assert_true (isfinite (e));
  g_assert_cmpfloat (e, ==, 0);

  /* Still buying at the end: alive and buying at about their own rate,
   * 1000 purchases in 100 weeks giving about 520 in the next 52, less
   * the chance of dropping out. */
  e = ct_bgnbd_conditional_expected_purchases (p, 52, 1000, 99.9, 100);
  g_assert_true (isfinite (e));
  g_assert_cmpfloat (e, >, 100);
  g_assert_cmpfloat (e, <, 520);
  g_assert_cmpfloat (ct_bgnbd_p_alive (p, 1000, 99.9, 100), >, 0.5);
}

static void
test_bgnbd_per_customer (void)
{
  g_autoptr(Cdnow) data = load_expected ();
  double max_p_alive = 0, max_cet = 0;

  g_assert_cmpuint (data->n, ==, 2357);
  for (gsize i = 0; i < data->n; i++)
    {
      const CtBtydCustomer *c = &data->customers[i];
      double p_alive = ct_bgnbd_p_alive (&data->bgnbd, c->x, c->t_x, c->T);
      double cet = ct_bgnbd_conditional_expected_purchases (&data->bgnbd, 39, c->x, c->t_x, c->T);

      max_p_alive = MAX (max_p_alive, fabs (p_alive - data->p_alive[i]));
      max_cet = MAX (max_cet, fabs (cet - data->cet_39[i]));
    }
  g_test_message ("largest differences: P(alive) %g, expected purchases %g", max_p_alive, max_cet);
  g_assert_cmpfloat (max_p_alive, <, 1e-9);
  g_assert_cmpfloat (max_cet, <, 1e-8);
}

static void
test_bgnbd_summaries_agree (void)
{
  g_autoptr(Cdnow) summary = load_summary ();
  g_autoptr(Cdnow) expected = load_expected ();

  /* The two files describe the same customers in the same order. */
  g_assert_cmpuint (summary->n, ==, expected->n);
  for (gsize i = 0; i < summary->n; i++)
    {
      g_assert_cmpfloat (summary->customers[i].x, ==, expected->customers[i].x);
      g_assert_cmpfloat_with_epsilon (summary->customers[i].t_x, expected->customers[i].t_x, 1e-9);
      g_assert_cmpfloat_with_epsilon (summary->customers[i].T, expected->customers[i].T, 1e-9);
    }
}

/* Where a is 1 the closed form is 0 / 0 and where a − r is a whole number
 * GSL's hypergeometric function goes wrong; the expectation is smooth in
 * both, so neighbouring parameters must give neighbouring values. */
static void
test_bgnbd_awkward_parameters (void)
{
  const double delta = 1e-5;
  const double cases[][4] = {
    /* r, alpha, a, b */
    { 0.5, 4.0, 1.0, 2.0 },
    { 0.5, 4.0, 0.5, 2.0 },     /* a − r = 0 */
    { 1.3, 4.0, 0.3, 0.8 },     /* a − r = −1 */
    { 0.02, 4.4, 0.02, 2.4 },
  };
  const double customers[][3] = {
    /* x, t_x, T */
    { 0, 0, 0 },
    { 0, 0, 39 },
    { 2, 30, 39 },
    { 12, 35, 39 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    for (gsize j = 0; j < G_N_ELEMENTS (customers); j++)
      for (double t = 1; t <= 10000; t *= 10)
        {
          CtBgnbdParams p = { cases[i][0], cases[i][1], cases[i][2], cases[i][3], 0, 0 };
          CtBgnbdParams lo = p, hi = p;
          double x = customers[j][0], t_x = customers[j][1], T = customers[j][2];
          double e, e_lo, e_hi;
          gsize k = i == 0 ? 2 : 0;  /* move a across 1, or r off a − r */

          if (k == 2)
            {
              lo.a -= delta;
              hi.a += delta;
            }
          else
            {
              lo.r -= delta;
              hi.r += delta;
            }
          e = ct_bgnbd_conditional_expected_purchases (&p, t, x, t_x, T);
          e_lo = ct_bgnbd_conditional_expected_purchases (&lo, t, x, t_x, T);
          e_hi = ct_bgnbd_conditional_expected_purchases (&hi, t, x, t_x, T);

          g_assert_true (isfinite (e));
          g_assert_cmpfloat (e, >, 0);
          /* Never more than the customer's own rate allows. */
          g_assert_cmpfloat (e, <=, (p.r + x) * t / (p.alpha + T) * (1 + 1e-9));
          if (!(fabs (e - (e_lo + e_hi) / 2) <= 1e-6 * e))
            g_error ("case %" G_GSIZE_FORMAT ", customer %" G_GSIZE_FORMAT ", t %g: %.10g between %.10g and %.10g",
                     i, j, t, e, e_lo, e_hi);
          /* More time, more purchases. */
          g_assert_cmpfloat (ct_bgnbd_conditional_expected_purchases (&p, t * 1.5, x, t_x, T), >, e);
        }
}

/* Gamma-Gamma ------------------------------------------------------------- */

static void
test_gamma_gamma_fit (void)
{
  g_autoptr(Cdnow) data = load_expected ();
  const double first_ten[] = {
    24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17,
  };
  CtGammaGammaParams params;
  GError *error = NULL;

  g_assert_true (ct_gamma_gamma_fit (data->customers, data->n, &params, &error));
  g_assert_no_error (error);

  assert_within_percent (params.p, 6.25, 1);
  assert_within_percent (params.q, 3.74, 1);
  assert_within_percent (params.v, 15.44, 1);
  g_assert_cmpfloat_with_epsilon (params.loglik, -4055.918, 0.001);
  g_assert_cmpuint (params.n_customers, ==, 946);

  for (gsize i = 0; i < G_N_ELEMENTS (first_ten); i++)
    g_assert_cmpfloat_with_epsilon (ct_gamma_gamma_expected_spend (&params, data->customers[i].x,
                                                                   data->customers[i].m_x),
                                    first_ten[i], 0.005);
}

static void
test_gamma_gamma_per_customer (void)
{
  g_autoptr(Cdnow) data = load_expected ();
  double max_error = 0;

  for (gsize i = 0; i < data->n; i++)
    {
      double spend = ct_gamma_gamma_expected_spend (&data->gamma_gamma, data->customers[i].x,
                                                    data->customers[i].m_x);

      max_error = MAX (max_error, fabs (spend - data->exp_spend[i]));
    }
  g_test_message ("largest difference in expected spend: %g", max_error);
  g_assert_cmpfloat (max_error, <, 1e-9);

  /* Someone who never bought again is expected to spend the mean. */
  g_assert_cmpfloat_with_epsilon (ct_gamma_gamma_expected_spend (&data->gamma_gamma, 0, 0),
                                  data->gamma_gamma.p * data->gamma_gamma.v / (data->gamma_gamma.q - 1),
                                  1e-12);
}

/* Refusals ---------------------------------------------------------------- */

static CtBtydCustomer *
few_repeat_buyers (gsize n_repeat,
                   gsize n_total)
{
  CtBtydCustomer *c = g_new0 (CtBtydCustomer, n_total);

  for (gsize i = 0; i < n_total; i++)
    {
      c[i].T = 30 + i % 7;
      if (i < n_repeat)
        {
          c[i].x = 1 + i % 3;
          c[i].t_x = 5 + i % 11;
          c[i].m_x = 20 + 3 * (i % 5);
        }
    }
  return c;
}

static void
test_refuse_too_few (void)
{
  g_autofree CtBtydCustomer *c = few_repeat_buyers (3, 200);
  CtBgnbdParams bgnbd;
  CtGammaGammaParams gamma_gamma;
  GError *error = NULL;

  g_assert_false (ct_bgnbd_fit (c, 200, &bgnbd, &error));
  g_assert_error (error, CT_BTYD_ERROR, CT_BTYD_ERROR_TOO_FEW);
  g_assert_nonnull (strstr (error->message, "(3)"));
  g_assert_nonnull (strstr (error->message, "future purchases"));
  g_clear_error (&error);

  g_assert_false (ct_gamma_gamma_fit (c, 200, &gamma_gamma, &error));
  g_assert_error (error, CT_BTYD_ERROR, CT_BTYD_ERROR_TOO_FEW);
  g_assert_nonnull (strstr (error->message, "(3)"));
  g_assert_nonnull (strstr (error->message, "spend per purchase"));
  g_clear_error (&error);

  /* Nobody at all. */
  g_assert_false (ct_bgnbd_fit (NULL, 0, &bgnbd, &error));
  g_assert_error (error, CT_BTYD_ERROR, CT_BTYD_ERROR_TOO_FEW);
  g_clear_error (&error);
}

static void
test_refuse_no_variance (void)
{
  g_autofree CtBtydCustomer *c = few_repeat_buyers (50, 200);
  CtGammaGammaParams gamma_gamma;
  GError *error = NULL;

  /* One price for everything: the mean spend never varies. */
  for (gsize i = 0; i < 200; i++)
    c[i].m_x = 99;
  g_assert_false (ct_gamma_gamma_fit (c, 200, &gamma_gamma, &error));
  g_assert_error (error, CT_BTYD_ERROR, CT_BTYD_ERROR_NO_VARIANCE);
  g_clear_error (&error);
}

static void
test_refuse_invalid (void)
{
  g_autofree CtBtydCustomer *c = few_repeat_buyers (50, 200);
  CtBgnbdParams bgnbd;
  CtGammaGammaParams gamma_gamma;
  GError *error = NULL;

  /* The last purchase after the end of the period. */
  c[7].t_x = c[7].T + 1;
  g_assert_false (ct_bgnbd_fit (c, 200, &bgnbd, &error));
  g_assert_error (error, CT_BTYD_ERROR, CT_BTYD_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "Customer 8:"));
  g_clear_error (&error);
  c[7].t_x = c[7].T;

  c[3].x = 1.5;
  g_assert_false (ct_bgnbd_fit (c, 200, &bgnbd, &error));
  g_assert_error (error, CT_BTYD_ERROR, CT_BTYD_ERROR_INVALID);
  g_clear_error (&error);
  c[3].x = 2;

  c[4].T = NAN;
  g_assert_false (ct_bgnbd_fit (c, 200, &bgnbd, &error));
  g_assert_error (error, CT_BTYD_ERROR, CT_BTYD_ERROR_INVALID);
  g_clear_error (&error);
  c[4].T = 30;

  /* Repeat purchases worth nothing. */
  c[5].m_x = 0;
  g_assert_false (ct_gamma_gamma_fit (c, 200, &gamma_gamma, &error));
  g_assert_error (error, CT_BTYD_ERROR, CT_BTYD_ERROR_INVALID);
  g_clear_error (&error);
}

/* Lifetime value and forecasts ------------------------------------------- */

static void
test_clv (void)
{
  g_autoptr(Cdnow) data = load_expected ();
  const CtBgnbdParams *bgnbd = &data->bgnbd;
  const CtGammaGammaParams *gg = &data->gamma_gamma;
  const double weeks_per_year = 365.0 / 7;
  const CtBtydCustomer c = { .x = 2, .t_x = 30.43, .T = 38.86, .m_x = 22.345 };
  CtBtydCustomer in_days = c;
  CtBgnbdParams bgnbd_days = *bgnbd;
  double spend = ct_gamma_gamma_expected_spend (gg, c.x, c.m_x);
  double year = ct_bgnbd_conditional_expected_purchases (bgnbd, weeks_per_year, c.x, c.t_x, c.T);
  double clv, by_hand = 0, previous = 0;

  /* Undiscounted, the months add up to the whole year. */
  assert_relative (ct_clv_predictive (bgnbd, gg, &c, weeks_per_year, 0, weeks_per_year),
                   spend * year, 1e-12);

  /* Discounted at 10% a year: month by month, from each month's end. */
  clv = ct_clv_predictive (bgnbd, gg, &c, weeks_per_year, 0.10, weeks_per_year);
  for (int k = 1; k <= 12; k++)
    {
      double cumulative = ct_bgnbd_conditional_expected_purchases (bgnbd, k * weeks_per_year / 12,
                                                                   c.x, c.t_x, c.T);

      by_hand += (cumulative - previous) / pow (1.10, k / 12.0);
      previous = cumulative;
    }
  assert_relative (clv, spend * by_hand, 1e-12);
  g_assert_cmpfloat (clv, <, spend * year);
  g_assert_cmpfloat (clv, >, spend * year / 1.10);

  /* The same customer in days, with α in days, is worth the same. */
  in_days.t_x *= 7;
  in_days.T *= 7;
  bgnbd_days.alpha *= 7;
  assert_relative (ct_clv_predictive (&bgnbd_days, gg, &in_days, 365 * 2.5, 0.10, 365),
                   ct_clv_predictive (bgnbd, gg, &c, weeks_per_year * 2.5, 0.10, weeks_per_year),
                   1e-9);

  /* A part month at the end counts; no horizon, no value. */
  g_assert_cmpfloat (ct_clv_predictive (bgnbd, gg, &c, weeks_per_year / 12 * 1.5, 0.10, weeks_per_year),
                     >, ct_clv_predictive (bgnbd, gg, &c, weeks_per_year / 12, 0.10, weeks_per_year));
  g_assert_cmpfloat (ct_clv_predictive (bgnbd, gg, &c, 0, 0.10, weeks_per_year), ==, 0);

  /* The heavy buyer who left is worth nothing, not NaN. */
  {
    const CtBtydCustomer gone = { .x = 1000, .t_x = 10, .T = 100, .m_x = 30 };

    g_assert_cmpfloat (ct_clv_predictive (bgnbd, gg, &gone, 520, 0.10, weeks_per_year), ==, 0);
  }
}

static void
test_forecast (void)
{
  g_autoptr(Cdnow) data = load_expected ();
  double purchases = 0, revenue = 0;

  for (gsize i = 0; i < data->n; i++)
    {
      purchases += data->cet_39[i];
      revenue += data->cet_39[i] * data->exp_spend[i];
    }
  assert_relative (ct_btyd_forecast_purchases (&data->bgnbd, data->customers, data->n, 39),
                   purchases, 1e-9);
  assert_relative (ct_btyd_forecast_revenue (&data->bgnbd, &data->gamma_gamma,
                                             data->customers, data->n, 39),
                   revenue, 1e-9);
  g_assert_cmpfloat (ct_btyd_forecast_purchases (&data->bgnbd, data->customers, data->n, 0), ==, 0);
}

/* ct_btyd_score() gives what the one-customer functions give. */
static void
test_score (void)
{
  g_autoptr(Cdnow) data = load_expected ();
  const CtBgnbdParams *bgnbd = &data->bgnbd;
  const CtGammaGammaParams *gg = &data->gamma_gamma;
  const double weeks_per_year = 365.0 / 7;
  const double horizons[] = { weeks_per_year, 39, weeks_per_year / 12 * 1.5, 104, 0 };
  gsize n = data->n + 3;
  g_autofree CtBtydCustomer *c = g_new (CtBtydCustomer, n);
  g_autofree double *p_alive = g_new (double, n);
  g_autofree double *expected = g_new (double, n);
  g_autofree double *predictive = g_new (double, n);

  /* CDNOW, where many customers share x and T, and three more: a repeat
   * buyer whose repeat purchases were free (valued at the population's
   * mean spend), the heavy buyer who left, a customer seen only today. */
  memcpy (c, data->customers, data->n * sizeof (CtBtydCustomer));
  c[data->n] = (CtBtydCustomer) { .x = 3, .t_x = 20, .T = 30, .m_x = 0 };
  c[data->n + 1] = (CtBtydCustomer) { .x = 1000, .t_x = 10, .T = 100, .m_x = 30 };
  c[data->n + 2] = (CtBtydCustomer) { .x = 0, .t_x = 0, .T = 0, .m_x = 0 };

  for (gsize h = 0; h < G_N_ELEMENTS (horizons); h++)
    {
      ct_btyd_score (bgnbd, gg, c, n, horizons[h], 0.10, weeks_per_year,
                     p_alive, expected, predictive);
      for (gsize i = 0; i < n; i++)
        {
          CtBtydCustomer scored = c[i];

          g_assert_cmpfloat (p_alive[i], ==, ct_bgnbd_p_alive (bgnbd, c[i].x, c[i].t_x, c[i].T));
          /* The same to within rounding: summed another way. */
          if (horizons[h] > 0 && expected[i] != 0)
            assert_relative (expected[i],
                             ct_bgnbd_conditional_expected_purchases (bgnbd, horizons[h], c[i].x,
                                                                      c[i].t_x, c[i].T),
                             1e-12);
          else
            g_assert_cmpfloat (expected[i], ==,
                               ct_bgnbd_conditional_expected_purchases (bgnbd, horizons[h], c[i].x,
                                                                        c[i].t_x, c[i].T));
          if (scored.x > 0 && scored.m_x <= 0)
            scored.x = 0;
          g_assert_cmpfloat (predictive[i], ==,
                             ct_clv_predictive (bgnbd, gg, &scored, horizons[h], 0.10,
                                                weeks_per_year));
        }
    }

  /* The free repeat purchases: the mean spend, without P(alive). */
  ct_btyd_score (bgnbd, gg, c, n, weeks_per_year, 0, weeks_per_year, p_alive, expected, predictive);
  assert_relative (predictive[data->n],
                   ct_gamma_gamma_expected_spend (gg, 0, 0)
                   * ct_bgnbd_conditional_expected_purchases (bgnbd, weeks_per_year, 0, 0, 30),
                   1e-12);
  g_assert_cmpfloat (p_alive[data->n], <, 1);
  g_assert_cmpfloat (predictive[data->n + 1], ==, 0);
  g_assert_cmpfloat (expected[data->n + 1], ==, 0);

  /* Without Gamma-Gamma, only the purchases; the forecasts add them up. */
  ct_btyd_score (bgnbd, NULL, c, data->n, 39, 0.10, weeks_per_year, NULL, expected, NULL);
  {
    double sum = 0;

    for (gsize i = 0; i < data->n; i++)
      sum += expected[i];
    g_assert_cmpfloat (sum, ==, ct_btyd_forecast_purchases (bgnbd, data->customers, data->n, 39));
  }
}

/* Customers who buy like clockwork until the end of the period: nobody
 * seems to drop out, the likelihood keeps rising as a goes to 0 and b to
 * infinity, and there is no model to fit. */
static CtBtydCustomer *
never_leaving (gsize n)
{
  CtBtydCustomer *c = g_new0 (CtBtydCustomer, n);

  for (gsize i = 0; i < n; i++)
    {
      double gap = 1 + i % 13;   /* weeks between purchases */

      c[i].T = 20 + i % 37;
      c[i].x = floor (c[i].T / gap);
      c[i].t_x = c[i].x * gap;
      c[i].m_x = 10 + i % 7;
    }
  return c;
}

/* Customers who each leave after any purchase with the same probability:
 * the likelihood keeps rising as a and b grow together. */
static CtBtydCustomer *
leaving_alike (gsize n)
{
  CtBtydCustomer *c = g_new0 (CtBtydCustomer, n);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  for (gsize i = 0; i < n; i++)
    {
      double rate = 0.05 + 0.5 * g_rand_double (rand);  /* purchases a week */
      double t = 0;

      c[i].T = 10 + g_rand_int_range (rand, 0, 90);
      for (;;)
        {
          t += -log (1 - g_rand_double (rand)) / rate;
          if (t > c[i].T)
            break;
          c[i].x++;
          c[i].t_x = t;
          if (g_rand_double (rand) < 0.15)
            break;
        }
      c[i].m_x = 10;
    }
  return c;
}

static void
test_refuse_no_maximum (void)
{
  const gsize n = 5000;
  g_autofree CtBtydCustomer *clockwork = never_leaving (n);
  g_autofree CtBtydCustomer *alike = leaving_alike (n);
  CtBgnbdParams bgnbd;
  GError *error = NULL;

  g_assert_false (ct_bgnbd_fit (clockwork, n, &bgnbd, &error));
  g_assert_error (error, CT_BTYD_ERROR, CT_BTYD_ERROR_NO_CONVERGENCE);
  g_assert_true (g_str_has_prefix (error->message, "The purchase history does not settle"));
  g_clear_error (&error);

  g_assert_false (ct_bgnbd_fit (alike, n, &bgnbd, &error));
  g_assert_error (error, CT_BTYD_ERROR, CT_BTYD_ERROR_NO_CONVERGENCE);
  g_assert_true (g_str_has_prefix (error->message, "The purchase history does not settle"));
  g_clear_error (&error);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/btyd/bgnbd/fit-weeks", test_bgnbd_fit_weeks);
  g_test_add_func ("/btyd/bgnbd/fit-days", test_bgnbd_fit_days);
  g_test_add_func ("/btyd/bgnbd/closed-forms", test_bgnbd_closed_forms);
  g_test_add_func ("/btyd/bgnbd/heavy-customer", test_bgnbd_heavy_customer);
  g_test_add_func ("/btyd/bgnbd/per-customer", test_bgnbd_per_customer);
  g_test_add_func ("/btyd/bgnbd/summaries-agree", test_bgnbd_summaries_agree);
  g_test_add_func ("/btyd/bgnbd/awkward-parameters", test_bgnbd_awkward_parameters);
  g_test_add_func ("/btyd/gamma-gamma/fit", test_gamma_gamma_fit);
  g_test_add_func ("/btyd/gamma-gamma/per-customer", test_gamma_gamma_per_customer);
  g_test_add_func ("/btyd/refuse/too-few", test_refuse_too_few);
  g_test_add_func ("/btyd/refuse/no-variance", test_refuse_no_variance);
  g_test_add_func ("/btyd/refuse/invalid", test_refuse_invalid);
  g_test_add_func ("/btyd/refuse/no-maximum", test_refuse_no_maximum);
  g_test_add_func ("/btyd/clv", test_clv);
  g_test_add_func ("/btyd/forecast", test_forecast);
  g_test_add_func ("/btyd/score", test_score);

  return g_test_run ();
}
