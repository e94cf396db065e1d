/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-btyd.c: BG/NBD and Gamma-Gamma, fitted by maximum likelihood
 *
 * Every likelihood and every closed form is computed in logs (lgamma,
 * log-sum-exp) so that a heavy buyer (a thousand purchases) neither
 * overflows nor turns into NaN; probabilities come out as 1 / (1 + e^d)
 * written so that a huge d gives 0, not inf / inf.
 *
 * The fits maximise the log-likelihood over the logarithms of the
 * parameters, which keeps them positive without constraints, with GSL's
 * BFGS and the analytic gradient; from a few starting points, keeping the
 * best maximum where the gradient really vanishes, and falling back on the
 * Nelder-Mead simplex (which needs no gradient and copes with flat or
 * steep regions) when BFGS stalls. A BG/NBD start whose parameters are
 * carried off toward infinity or zero (nobody seems to drop out, or
 * everybody alike) is given up as soon as the trend is clear, so that
 * the refusal comes in a second rather than after thousands of simplex
 * steps (see RUNAWAY_LOG). Customers with the same figures are
 * merged first and counted with a weight, which makes the likelihood much
 * cheaper where many customers look alike (all the one-time buyers of a
 * day), and the times and amounts are rescaled so that the starting points
 * suit every time unit and currency; the log-likelihood reported is
 * recomputed on the data as given.
 *
 * The conditional expectation of BG/NBD needs the Gaussian hypergeometric
 * function 2F1(r + x, b + x; a + b + x − 1; z) with z = t / (α + T + t),
 * which for a heavy buyer has huge parameters and for a long horizon an
 * argument near 1. Euler's transformation turns it, together with the
 * factor ((α + T) / (α + T + t))^(r + x) in front of it, into
 * (1 − z)^(a − 1) 2F1(a + b − 1 − r, a − 1; a + b + x − 1; z), whose first
 * two parameters do not grow with x, so the series converges quickly (the
 * larger x, the faster). GSL evaluates it where it can be trusted (its
 * status and error bound are checked, and one of its branches is avoided,
 * see hyperg_2f1); otherwise the series is summed directly, and a result
 * outside what any customer could buy falls back on a quadrature that
 * needs no hypergeometric function at all. Scoring many customers
 * (ct_btyd_score) shares that work between customers with the same x and
 * T, and sums the series of all the months of a lifetime value in one
 * pass, since only z differs between them.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_hyperg.h>
#include <gsl/gsl_sf_psi.h>

#include "ct-btyd.h"

G_DEFINE_QUARK (ct-btyd-error-quark, ct_btyd_error)

/* GSL's default error handler aborts the program; its _e functions return
 * a status instead once it is off, and every status is checked here. */
static void
ensure_gsl_errors_returned (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      gsl_set_error_handler_off ();
      g_once_init_leave (&done, 1);
    }
}

/* Input checks ---------------------------------------------------------- */

static gboolean
check_customer (const CtBtydCustomer  *c,
                gsize                  index,
                gboolean               with_spend,
                GError               **error)
{
  /* Shown to the user: customers are counted from 1. */
  gsize number = index + 1;

  if (!isfinite (c->x) || c->x < 0 || c->x != floor (c->x))
    {
      g_set_error (error, CT_BTYD_ERROR, CT_BTYD_ERROR_INVALID,
                   /* Translators: the second number is what was given. */
                   _("Customer %zu: the number of repeat purchases (%g) must be a whole number, zero or more"),
                   (size_t) number, c->x);
      return FALSE;
    }
  if (!isfinite (c->T) || c->T < 0)
    {
      g_set_error (error, CT_BTYD_ERROR, CT_BTYD_ERROR_INVALID,
                   _("Customer %zu: the time since the first purchase (%g) must be zero or more"),
                   (size_t) number, c->T);
      return FALSE;
    }
  if (c->x > 0 && (!isfinite (c->t_x) || c->t_x < 0 || c->t_x > c->T))
    {
      g_set_error (error, CT_BTYD_ERROR, CT_BTYD_ERROR_INVALID,
                   _("Customer %zu: the last purchase (%g after the first) must fall between the first purchase and the end of the period (%g)"),
                   (size_t) number, c->t_x, c->T);
      return FALSE;
    }
  if (with_spend && c->x > 0 && (!isfinite (c->m_x) || c->m_x <= 0))
    {
      g_set_error (error, CT_BTYD_ERROR, CT_BTYD_ERROR_INVALID,
                   _("Customer %zu: the mean amount of the repeat purchases (%g) must be more than zero"),
                   (size_t) number, c->m_x);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_repeat_buyers (gsize          n_repeat,
                     const char    *what,
                     GError       **error)
{
  if (n_repeat >= CT_BTYD_MIN_REPEAT_BUYERS)
    return TRUE;

  g_set_error (error, CT_BTYD_ERROR, CT_BTYD_ERROR_TOO_FEW,
               /* Translators: the first %s is one of "to predict future
                * purchases" or "to predict spend per purchase". */
               _("Too few customers have bought more than once (%zu) %s; at least %d are needed"),
               (size_t) n_repeat, what, CT_BTYD_MIN_REPEAT_BUYERS);
  return FALSE;
}

/* Minimisation ----------------------------------------------------------- */

/* Parameters live as u = log(θ). Beyond ±LOG_BOUND (θ above 10^10 or below
 * 10^-10) the likelihood is evaluated at the bound and a quadratic penalty
 * pulls back, so that every value the minimiser sees is finite; a maximum
 * found near the bound means the data pushes a parameter to infinity or to
 * zero, which is reported as a fit that did not converge. */
#define LOG_BOUND 23.0
#define MAX_PARAMS 4

/* Returns minus the mean log-likelihood at u and its gradient in u. */
typedef double (*ObjectiveFunc) (const double *u,
                                 double       *grad,
                                 gpointer      data);

typedef struct
{
  ObjectiveFunc func;
  gpointer      data;
  gsize         n;
  /* Give up on a start whose parameters run away (see RUNAWAY_LOG),
   * also when the two parameters of runaway_pair do together. */
  gboolean      stop_runaway;
  gsize         runaway_pair[2];
} Objective;

static double
objective_eval (const Objective *obj,
                const double    *u,
                double          *grad)
{
  double clamped[MAX_PARAMS];
  double penalty = 0;
  double f;

  for (gsize i = 0; i < obj->n; i++)
    clamped[i] = CLAMP (u[i], -LOG_BOUND, LOG_BOUND);

  f = obj->func (clamped, grad, obj->data);

  for (gsize i = 0; i < obj->n; i++)
    {
      double over = u[i] - clamped[i];

      if (over != 0)
        {
          penalty += over * over;
          grad[i] = 2 * over;
        }
    }
  return f + penalty;
}

static double
gsl_f (const gsl_vector *v,
       void             *params)
{
  const Objective *obj = params;
  double grad[MAX_PARAMS];

  return objective_eval (obj, gsl_vector_const_ptr (v, 0), grad);
}

static void
gsl_fdf (const gsl_vector *v,
         void             *params,
         double           *f,
         gsl_vector       *df)
{
  const Objective *obj = params;
  double grad[MAX_PARAMS];

  *f = objective_eval (obj, gsl_vector_const_ptr (v, 0), grad);
  for (gsize i = 0; i < obj->n; i++)
    gsl_vector_set (df, i, grad[i]);
}

static void
gsl_df (const gsl_vector *v,
        void             *params,
        gsl_vector       *df)
{
  double f;

  gsl_fdf (v, params, &f, df);
}

/* The gradient of the mean log-likelihood must fall below this for a
 * maximum to count; BFGS aims lower still. */
#define GRADIENT_ACCEPT 1e-6
#define GRADIENT_TARGET 1e-10

static double
gradient_norm (const Objective *obj,
               const double    *u)
{
  double grad[MAX_PARAMS];
  double sum = 0;

  objective_eval (obj, u, grad);
  for (gsize i = 0; i < obj->n; i++)
    sum += grad[i] * grad[i];
  return sqrt (sum);
}

/* BG/NBD's likelihood can rise toward a limit without a maximum: when
 * nobody seems to drop out (a → 0 or b → ∞), or everybody with the same
 * probability (a and b → ∞ together, a / (a + b) fixed). BFGS then
 * creeps out along a ridge for hundreds of steps, and the simplex after
 * it would walk further out for thousands more before giving up. A start
 * is given up as soon as that is clear, while the gradient has not
 * vanished:
 * - a parameter past 10^4 or below 10^-4 that moved outward by a factor
 *   of e over the last 10 steps; or
 * - the two parameters of a pair (a and b) both past e^6.9 (1000) that
 *   both moved outward by a factor of e^0.5 over the last 30 steps: the
 *   drop-out probability is then the same for every customer to within
 *   half a percent or so, and the fit is heading for that limit. Real
 *   data can have its maximum at a and b near 100 (made-up customers
 *   with uniformly spread purchase rates and one drop-out probability
 *   do), so the bound is well above that. */
#define RUNAWAY_LOG 9.2
#define RUNAWAY_STEPS 10
#define RUNAWAY_PAIR_LOG 6.9
#define RUNAWAY_PAIR_STEPS 30
#define RUNAWAY_HISTORY RUNAWAY_PAIR_STEPS

static gboolean
running_away (const Objective *obj,
              double           history[RUNAWAY_HISTORY][MAX_PARAMS],
              int              iter,
              const double    *now)
{
  const double *then = history[(iter - RUNAWAY_STEPS + RUNAWAY_HISTORY) % RUNAWAY_HISTORY];
  const double *long_ago = history[(iter - RUNAWAY_PAIR_STEPS + RUNAWAY_HISTORY) % RUNAWAY_HISTORY];

  if (iter >= RUNAWAY_STEPS)
    for (gsize i = 0; i < obj->n; i++)
      if (fabs (now[i]) > RUNAWAY_LOG && fabs (now[i]) - fabs (then[i]) >= 1)
        return TRUE;

  if (obj->runaway_pair[0] != obj->runaway_pair[1] && iter >= RUNAWAY_PAIR_STEPS)
    {
      gsize i = obj->runaway_pair[0], j = obj->runaway_pair[1];

      if (now[i] > RUNAWAY_PAIR_LOG && now[j] > RUNAWAY_PAIR_LOG
          && now[i] - long_ago[i] >= 0.5 && now[j] - long_ago[j] >= 0.5)
        return TRUE;
    }
  return FALSE;
}

/* BFGS from u, updating u in place. FALSE when the parameters run away
 * (see RUNAWAY_LOG). */
static gboolean
run_bfgs (const Objective *obj,
          double          *u)
{
  gsl_multimin_function_fdf fdf = {
    .f = gsl_f, .df = gsl_df, .fdf = gsl_fdf,
    .n = obj->n, .params = (void *) obj,
  };
  gsl_multimin_fdfminimizer *s;
  gsl_vector_view start = gsl_vector_view_array (u, obj->n);
  /* u after step iter, at history[iter % RUNAWAY_HISTORY] */
  double history[RUNAWAY_HISTORY][MAX_PARAMS];
  gboolean runaway = FALSE;

  s = gsl_multimin_fdfminimizer_alloc (gsl_multimin_fdfminimizer_vector_bfgs2, obj->n);
  gsl_multimin_fdfminimizer_set (s, &fdf, &start.vector, 0.1, 0.1);

  for (int iter = 0; iter < 500; iter++)
    {
      double now[MAX_PARAMS];

      if (gsl_multimin_test_gradient (s->gradient, GRADIENT_TARGET) == GSL_SUCCESS)
        break;
      if (gsl_multimin_fdfminimizer_iterate (s) != GSL_SUCCESS)
        break;  /* no further progress along the line: stalled or done */

      for (gsize i = 0; i < obj->n; i++)
        now[i] = gsl_vector_get (s->x, i);
      if (obj->stop_runaway
          && gsl_multimin_test_gradient (s->gradient, GRADIENT_ACCEPT) != GSL_SUCCESS
          && running_away (obj, history, iter, now))
        {
          runaway = TRUE;
          break;
        }
      memcpy (history[iter % RUNAWAY_HISTORY], now, sizeof now);
    }

  for (gsize i = 0; i < obj->n; i++)
    u[i] = gsl_vector_get (s->x, i);
  gsl_multimin_fdfminimizer_free (s);
  return !runaway;
}

/* Nelder-Mead from u, updating u in place. */
static void
run_simplex (const Objective *obj,
             double          *u)
{
  gsl_multimin_function f = { .f = gsl_f, .n = obj->n, .params = (void *) obj };
  gsl_multimin_fminimizer *s;
  gsl_vector_view start = gsl_vector_view_array (u, obj->n);
  gsl_vector *steps = gsl_vector_alloc (obj->n);

  gsl_vector_set_all (steps, 0.5);
  s = gsl_multimin_fminimizer_alloc (gsl_multimin_fminimizer_nmsimplex2, obj->n);
  gsl_multimin_fminimizer_set (s, &f, &start.vector, steps);

  for (int iter = 0; iter < 1500; iter++)
    {
      if (gsl_multimin_fminimizer_iterate (s) != GSL_SUCCESS)
        break;
      if (gsl_multimin_test_size (gsl_multimin_fminimizer_size (s), 1e-10) == GSL_SUCCESS)
        break;
    }

  for (gsize i = 0; i < obj->n; i++)
    u[i] = gsl_vector_get (s->x, i);
  gsl_multimin_fminimizer_free (s);
  gsl_vector_free (steps);
}

/* Where BFGS stalls with a parameter past 10^4 or below 10^-4, the
 * likelihood is as good as flat toward infinity or zero: the same as a
 * runaway, for the objectives that stop those. */
static gboolean
stalled_far_out (const Objective *obj,
                 const double    *u)
{
  if (obj->stop_runaway)
    for (gsize i = 0; i < obj->n; i++)
      if (fabs (u[i]) > RUNAWAY_LOG)
        return TRUE;
  return FALSE;
}

/* Minimises from each start in turn and keeps the lowest minimum whose
 * gradient vanishes, stopping early once two starts agree. FALSE when no
 * start reached one, or when the best lies at the bounds. */
static gboolean
minimise (const Objective *obj,
          const double    *starts,
          gsize            n_starts,
          double          *best_u)
{
  double best_f = INFINITY;
  guint n_failed = 0;

  for (gsize k = 0; k < n_starts; k++)
    {
      double u[MAX_PARAMS];
      double grad[MAX_PARAMS];
      double f;

      memcpy (u, starts + k * obj->n, obj->n * sizeof (double));
      if (!run_bfgs (obj, u))
        {
          /* Carried off to the bounds: this start is lost, and the
           * simplex would only follow the same ridge, slowly. */
          if (++n_failed == 2)
            break;
          continue;
        }
      if (!(gradient_norm (obj, u) < GRADIENT_ACCEPT) && stalled_far_out (obj, u))
        {
          if (++n_failed == 2)
            break;
          continue;
        }
      if (!(gradient_norm (obj, u) < GRADIENT_ACCEPT))
        {
          /* Stalled: let the simplex walk out, then polish. */
          memcpy (u, starts + k * obj->n, obj->n * sizeof (double));
          run_simplex (obj, u);
          if (!run_bfgs (obj, u) || !(gradient_norm (obj, u) < GRADIENT_ACCEPT))
            {
              /* Two starts lost on a ridge (the likelihood still rising
               * as parameters grow without bound): more starts would only
               * make the refusal slower. */
              if (++n_failed == 2)
                break;
              continue;
            }
        }

      f = objective_eval (obj, u, grad);
      if (!isfinite (f))
        continue;
      /* Two starts that end at the same maximum make it the one to keep:
       * the remaining starts would only cost time. */
      if (fabs (f - best_f) <= 1e-9 * fabs (f))
        {
          if (f < best_f)
            memcpy (best_u, u, obj->n * sizeof (double));
          break;
        }
      if (f < best_f)
        {
          best_f = f;
          memcpy (best_u, u, obj->n * sizeof (double));
        }
    }

  if (!isfinite (best_f))
    return FALSE;
  for (gsize i = 0; i < obj->n; i++)
    if (fabs (best_u[i]) > LOG_BOUND - 1)
      return FALSE;
  return TRUE;
}

static void
set_no_convergence (GError     **error,
                    const char  *message)
{
  g_set_error_literal (error, CT_BTYD_ERROR, CT_BTYD_ERROR_NO_CONVERGENCE, message);
}

/* BG/NBD ------------------------------------------------------------------ */

/* One group of customers with the same figures. T and t_x are also given
 * as indices into the data's tables of distinct times (days, mostly, so a
 * few hundred of them), whose logarithms are then taken once per
 * evaluation of the likelihood rather than once per customer. */
typedef struct
{
  double  x, t_x, T;
  double  weight;
  guint32 T_index, t_x_index;
} BgnbdRow;

typedef struct
{
  BgnbdRow *rows;
  gsize     n_rows;
  double    total_weight;
  double   *times;      /* the distinct values of T and t_x, ascending */
  gsize     n_times;
  double   *ln_times;   /* workspace: ln(α + time) */
  double   *inv_times;  /* workspace: 1 / (α + time) */
} BgnbdData;

static int
compare_bgnbd_rows (const void *pa,
                    const void *pb)
{
  const BgnbdRow *a = pa, *b = pb;

  if (a->x != b->x)
    return a->x < b->x ? -1 : 1;
  if (a->t_x != b->t_x)
    return a->t_x < b->t_x ? -1 : 1;
  if (a->T != b->T)
    return a->T < b->T ? -1 : 1;
  return 0;
}

/* Log-likelihood of one customer, from the paper's equation (6) written
 * as in its appendix:
 *   ln L = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
 *          + ln[(α+T)^−(r+x) + δ(x>0) a/(b+x−1) (α+t_x)^−(r+x)]
 * where B(a, b+x) / B(a, b) = Γ(a+b) Γ(b+x) / (Γ(b) Γ(a+b+x)). */
static double
bgnbd_row_loglik (double r, double alpha, double a, double b,
                  double x, double t_x, double T)
{
  double ll = lgamma (r + x) - lgamma (r) + r * log (alpha)
              + lgamma (a + b) + lgamma (b + x) - lgamma (b) - lgamma (a + b + x);
  double a3 = -(r + x) * log (alpha + T);

  if (x > 0)
    {
      double a4 = log (a) - log (b + x - 1) - (r + x) * log (alpha + t_x);
      double hi = MAX (a3, a4);

      return ll + hi + log1p (exp (-fabs (a3 - a4)));
    }
  return ll + a3;
}

/* At most 2^PRODUCT_TERMS: far from overflowing. */
#define PRODUCT_TERMS 64

static double
bgnbd_objective (const double *u,
                 double       *grad,
                 gpointer      user_data)
{
  const BgnbdData *data = user_data;
  double r = exp (u[0]), alpha = exp (u[1]), a = exp (u[2]), b = exp (u[3]);
  double ln_alpha = log (alpha);
  double lg_r = lgamma (r), psi_r = gsl_sf_psi (r);
  double lg_ab = lgamma (a + b), psi_ab = gsl_sf_psi (a + b);
  double lg_b = lgamma (b), psi_b = gsl_sf_psi (b);
  double sum = 0, g_r = 0, g_alpha = 0, g_a = 0, g_b = 0;
  /* Terms that depend on x only, recomputed when x changes (rows are
   * sorted by x). */
  double cur_x = -1;
  double x_ll = 0, x_dr = 0, x_da = 0, x_db = 0, x_ln_ratio = 0, x_inv_bx = 0;
  double product = 1;
  guint n_product = 0;

  for (gsize j = 0; j < data->n_times; j++)
    {
      data->ln_times[j] = log (alpha + data->times[j]);
      data->inv_times[j] = 1 / (alpha + data->times[j]);
    }

  for (gsize i = 0; i < data->n_rows; i++)
    {
      const BgnbdRow *row = &data->rows[i];
      double x = row->x, w = row->weight;
      double ln_t = data->ln_times[row->T_index];
      double a3 = -(r + x) * ln_t;

      if (x != cur_x)
        {
          double psi_abx = gsl_sf_psi (a + b + x);

          cur_x = x;
          x_ll = lgamma (r + x) - lg_r
                 + lg_ab + lgamma (b + x) - lg_b - lgamma (a + b + x);
          x_dr = gsl_sf_psi (r + x) - psi_r;
          x_da = psi_ab - psi_abx;
          x_db = psi_ab + gsl_sf_psi (b + x) - psi_b - psi_abx;
          if (x > 0)
            {
              x_ln_ratio = log (a) - log (b + x - 1);
              x_inv_bx = 1 / (b + x - 1);
            }
        }

      if (x > 0)
        {
          double ln_tx = data->ln_times[row->t_x_index];
          double a4 = x_ln_ratio - (r + x) * ln_tx;
          /* ln(e^a3 + e^a4) = max + ln(1 + e) and the shares w3, w4 of
           * its two terms, from one exponential e of minus their
           * distance. The logarithms of the 1 + e (each in (1, 2]) of
           * single customers are taken of their product, once every
           * PRODUCT_TERMS rows: a logarithm per row cost as much as the
           * rest of the loop, and the product's rounding stays far below
           * that of the sum. */
          double d = a4 - a3;
          double e = exp (-fabs (d));
          double one_plus_e = 1 + e;
          double share = 1 / one_plus_e;
          double w3 = d > 0 ? e * share : share;
          double w4 = d > 0 ? share : e * share;

          if (w == 1)
            {
              product *= one_plus_e;
              if (++n_product == PRODUCT_TERMS)
                {
                  sum += log (product);
                  product = 1;
                  n_product = 0;
                }
              sum += x_ll + r * ln_alpha + MAX (a3, a4);
            }
          else
            sum += w * (x_ll + r * ln_alpha + MAX (a3, a4) + log (one_plus_e));
          g_r += w * (x_dr + ln_alpha - w3 * ln_t - w4 * ln_tx);
          g_alpha += w * (r / alpha - (r + x) * (w3 * data->inv_times[row->T_index]
                                                 + w4 * data->inv_times[row->t_x_index]));
          g_a += w * (x_da + w4 / a);
          g_b += w * (x_db - w4 * x_inv_bx);
        }
      else
        {
          sum += w * (x_ll + r * ln_alpha + a3);
          g_r += w * (x_dr + ln_alpha - ln_t);
          g_alpha += w * (r / alpha - r * data->inv_times[row->T_index]);
          g_a += w * x_da;
          g_b += w * x_db;
        }
    }

  sum += log (product);

  /* Minus the mean, by the chain rule in u = log θ: d/du = θ d/dθ. */
  grad[0] = -g_r * r / data->total_weight;
  grad[1] = -g_alpha * alpha / data->total_weight;
  grad[2] = -g_a * a / data->total_weight;
  grad[3] = -g_b * b / data->total_weight;
  return -sum / data->total_weight;
}

static int
compare_doubles (const void *pa,
                 const void *pb)
{
  double a = *(const double *) pa, b = *(const double *) pb;

  return a < b ? -1 : a > b;
}

/* Index of value in the ascending table, where it is known to be. */
static guint32
time_index (const double *times,
            gsize         n_times,
            double        value)
{
  gsize lo = 0, hi = n_times - 1;

  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;

      if (times[mid] < value)
        lo = mid + 1;
      else
        hi = mid;
    }
  g_assert (times[lo] == value);
  return (guint32) lo;
}

/* Fills the table of distinct times and each row's indices into it. */
static void
bgnbd_data_index_times (BgnbdData *data)
{
  gsize n = 0;

  data->times = g_new (double, 2 * data->n_rows + 1);
  for (gsize i = 0; i < data->n_rows; i++)
    {
      data->times[n++] = data->rows[i].T;
      data->times[n++] = data->rows[i].t_x;
    }
  qsort (data->times, n, sizeof (double), compare_doubles);
  data->n_times = 0;
  for (gsize i = 0; i < n; i++)
    if (data->n_times == 0 || data->times[data->n_times - 1] != data->times[i])
      data->times[data->n_times++] = data->times[i];
  data->ln_times = g_new (double, data->n_times);
  data->inv_times = g_new (double, data->n_times);
  for (gsize i = 0; i < data->n_rows; i++)
    {
      data->rows[i].T_index = time_index (data->times, data->n_times, data->rows[i].T);
      data->rows[i].t_x_index = time_index (data->times, data->n_times, data->rows[i].t_x);
    }
}

static void
bgnbd_data_clear (BgnbdData *data)
{
  g_clear_pointer (&data->times, g_free);
  g_clear_pointer (&data->ln_times, g_free);
  g_clear_pointer (&data->inv_times, g_free);
}

double
ct_bgnbd_loglik (const CtBgnbdParams  *params,
                 const CtBtydCustomer *customers,
                 gsize                 n_customers)
{
  double sum = 0;

  g_return_val_if_fail (params != NULL, NAN);
  g_return_val_if_fail (customers != NULL || n_customers == 0, NAN);

  for (gsize i = 0; i < n_customers; i++)
    sum += bgnbd_row_loglik (params->r, params->alpha, params->a, params->b,
                             customers[i].x, customers[i].t_x, customers[i].T);
  return sum;
}

gboolean
ct_bgnbd_fit (const CtBtydCustomer  *customers,
              gsize                  n_customers,
              CtBgnbdParams         *out,
              GError               **error)
{
  g_autofree BgnbdRow *rows = NULL;
  BgnbdData data = { 0 };
  Objective obj = { .func = bgnbd_objective, .data = &data, .n = 4,
                    .stop_runaway = TRUE, .runaway_pair = { 2, 3 } };
  double max_T = 0, sum_x = 0, sum_T = 0, scale, rate;
  double starts[3 * 4];
  double u[4];
  gsize n_repeat = 0, n_rows = 0;

  g_return_val_if_fail (customers != NULL || n_customers == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ensure_gsl_errors_returned ();

  for (gsize i = 0; i < n_customers; i++)
    {
      if (!check_customer (&customers[i], i, FALSE, error))
        return FALSE;
      if (customers[i].x > 0)
        n_repeat++;
      max_T = MAX (max_T, customers[i].T);
    }
  /* Translators: completes "Too few customers have bought more than
   * once (3) …; at least 10 are needed". */
  if (!check_repeat_buyers (n_repeat, _("to predict future purchases"), error))
    return FALSE;

  /* Times rescaled so that the longest is 10: the starting points below
   * then suit days and weeks alike. α scales with time, r, a, b do not. */
  scale = max_T > 0 ? 10 / max_T : 1;
  rows = g_new (BgnbdRow, n_customers);
  for (gsize i = 0; i < n_customers; i++)
    {
      rows[i].x = customers[i].x;
      rows[i].t_x = customers[i].x > 0 ? customers[i].t_x * scale : 0;
      rows[i].T = customers[i].T * scale;
      rows[i].weight = 1;
      sum_x += rows[i].x;
      sum_T += rows[i].T;
    }
  qsort (rows, n_customers, sizeof (BgnbdRow), compare_bgnbd_rows);
  for (gsize i = 0; i < n_customers; i++)
    {
      if (n_rows > 0 && compare_bgnbd_rows (&rows[n_rows - 1], &rows[i]) == 0)
        rows[n_rows - 1].weight += 1;
      else
        rows[n_rows++] = rows[i];
    }
  data.rows = rows;
  data.n_rows = n_rows;
  data.total_weight = (double) n_customers;
  bgnbd_data_index_times (&data);

  /* Starting points around the mean purchase rate r / α; the drop-out
   * parameters from "most stay" to "many leave". */
  rate = sum_x / MAX (sum_T, 1e-9);
  {
    const double shapes[3][3] = {
      /* r, a, b */
      { 1.0, 1.0, 1.0 },
      { 0.3, 0.5, 3.0 },
      { 3.0, 2.0, 0.5 },
    };

    for (gsize k = 0; k < 3; k++)
      {
        starts[k * 4 + 0] = log (shapes[k][0]);
        starts[k * 4 + 1] = log (shapes[k][0] / rate);
        starts[k * 4 + 2] = log (shapes[k][1]);
        starts[k * 4 + 3] = log (shapes[k][2]);
      }
  }

  if (!minimise (&obj, starts, 3, u))
    {
      bgnbd_data_clear (&data);
      set_no_convergence (error,
                          _("The purchase history does not settle on a model of future purchases: "
                            "the customers' repeat purchases are too few or too alike to tell how often they buy and when they stop"));
      return FALSE;
    }

  bgnbd_data_clear (&data);
  out->r = exp (u[0]);
  out->alpha = exp (u[1]) / scale;
  out->a = exp (u[2]);
  out->b = exp (u[3]);
  out->n_customers = n_customers;
  out->loglik = ct_bgnbd_loglik (out, customers, n_customers);
  return TRUE;
}

/* ln of (1 / P(alive) − 1), the odds that the customer has dropped out:
 * a / (b + x − 1) × ((α + T) / (α + t_x))^(r + x); −inf when x is 0. */
static double
bgnbd_log_dropout_odds (const CtBgnbdParams *p,
                        double               x,
                        double               t_x,
                        double               T)
{
  if (x <= 0)
    return -INFINITY;
  return log (p->a) - log (p->b + x - 1)
         + (p->r + x) * (log (p->alpha + T) - log (p->alpha + t_x));
}

/* 1 / (1 + e^d) without inf / inf for a large d. */
static double
inverse_one_plus_exp (double d)
{
  if (d > 0)
    {
      double e = exp (-d);

      return e / (1 + e);
    }
  return 1 / (1 + exp (d));
}

double
ct_bgnbd_p_alive (const CtBgnbdParams *params,
                  double               x,
                  double               t_x,
                  double               T)
{
  g_return_val_if_fail (params != NULL, NAN);

  return inverse_one_plus_exp (bgnbd_log_dropout_odds (params, x, t_x, T));
}

/* 2F1(A, B; C; z) for 0 <= z < 1 by its power series, for when GSL cannot
 * be trusted; NAN when the series does not settle or its terms cancel so
 * much that the sum has no digits left. */
static double
hyperg_2f1_series (double A,
                   double B,
                   double C,
                   double z)
{
  double term = 1, sum = 1, magnitude = 1;

  for (int n = 0; n < 20000000; n++)
    {
      term *= (A + n) * (B + n) / ((C + n) * (n + 1)) * z;
      sum += term;
      magnitude += fabs (term);
      if (!isfinite (magnitude))
        return NAN;
      if (fabs (term) <= 1e-17 * fabs (sum) && n > 2)
        return magnitude <= 1e6 * fabs (sum) ? sum : NAN;
    }
  return NAN;
}

/* GSL's 2F1 is accurate and reports an honest error bound, except where
 * C − A − B is an integer and B is negative (as a − 1 is for most
 * customers): that branch returns wrong values with a tiny error bound.
 * So GSL is used away from integers and only when its own error bound is
 * small; otherwise the series is summed. */
static double
hyperg_2f1 (double A,
            double B,
            double C,
            double z)
{
  double d = C - A - B;
  gsl_sf_result result;

  ensure_gsl_errors_returned ();
  if (z == 0)
    return 1;
  if (fabs (d - round (d)) > 1e-6
      && gsl_sf_hyperg_2F1_e (A, B, C, z, &result) == GSL_SUCCESS
      && isfinite (result.val)
      && result.err <= 1e-9 * fabs (result.val))
    return result.val;
  return hyperg_2f1_series (A, B, C, z);
}

/* The expectation for a ≠ 1 (see the top of the file for the
 * transformation):
 *   E[Y(t) | x, t_x, T] = P(alive) × (a + b + x − 1) / (a − 1)
 *       × [1 − (1 − z)^(a − 1) 2F1(a + b − 1 − r, a − 1; a + b + x − 1; z)]
 * with z = t / (α + T + t); this returns it without P(alive). The bracket
 * is computed as −expm1 of a log so that a short t keeps its precision. */
static double
conditional_expected_hyperg (double r, double alpha, double a, double b,
                             double t, double x, double T)
{
  double ln_one_minus_z = log (alpha + T) - log (alpha + T + t);
  double z = t / (alpha + T + t);
  double f = hyperg_2f1 (a + b - 1 - r, a - 1, a + b + x - 1, z);
  double bracket;

  if (!isfinite (f))
    return NAN;
  if (f > 0)
    bracket = -expm1 ((a - 1) * ln_one_minus_z + log (f));
  else
    bracket = 1 - exp ((a - 1) * ln_one_minus_z) * f;
  return (a + b + x - 1) / (a - 1) * bracket;
}

typedef struct
{
  double k, u;
} Integrand;

/* (1 − (1 + p u)^−k) / p, which tends to k u at p = 0 */
static double
integrand (double   p,
           void    *data)
{
  const Integrand *in = data;

  if (p <= 0)
    return in->k * in->u;
  return -expm1 (-in->k * log1p (p * in->u)) / p;
}

/* The same expectation without P(alive) by quadrature, for when the
 * hypergeometric function fails. Integrating the purchase rate out
 * analytically leaves one integral over the drop-out probability p:
 *   E = 1 / B(a, b + x) ∫₀¹ p^(a−1) (1 − p)^(b+x−1)
 *                        × (1 − (1 + p t / (α + T))^−(r+x)) / p dp
 * whose weight GSL's QAWS integrates exactly. */
static double
conditional_expected_quadrature (double r, double alpha, double a, double b,
                                 double t, double x, double T)
{
  Integrand in = { .k = r + x, .u = t / (alpha + T) };
  gsl_function f = { .function = integrand, .params = &in };
  gsl_integration_qaws_table *table;
  gsl_integration_workspace *workspace;
  double value = NAN, err = 0;
  int status;

  table = gsl_integration_qaws_table_alloc (a - 1, b + x - 1, 0, 0);
  if (table == NULL)
    return NAN;
  workspace = gsl_integration_workspace_alloc (256);
  status = gsl_integration_qaws (&f, 0, 1, table, 0, 1e-10, 256, workspace, &value, &err);
  gsl_integration_workspace_free (workspace);
  gsl_integration_qaws_table_free (table);

  /* A round-off report with a small error bound is a usable value. */
  if ((status != GSL_SUCCESS && status != GSL_EROUND)
      || !isfinite (value) || !(err <= 1e-8 * fabs (value)))
    return NAN;
  return value * exp (-gsl_sf_lnbeta (a, b + x));
}

/* The expectation above without P(alive), for a customer known to be
 * alive: it depends on x and T but not on t_x, which only enters
 * P(alive), so that customers with the same x and T share it. */
static double
expected_if_alive (const CtBgnbdParams *params,
                   double               t,
                   double               x,
                   double               T)
{
  double e, bound;
  const double h = 1e-4;

  /* At a = 1 the formula is 0 / 0 though the expectation is smooth in a:
   * close to 1 it is interpolated between a = 1 ± h, which is exact to
   * O(h²). */
  if (fabs (params->a - 1) < h)
    {
      double lo = conditional_expected_hyperg (params->r, params->alpha, 1 - h,
                                               params->b, t, x, T);
      double hi = conditional_expected_hyperg (params->r, params->alpha, 1 + h,
                                               params->b, t, x, T);

      e = lo + (hi - lo) * (params->a - (1 - h)) / (2 * h);
    }
  else
    e = conditional_expected_hyperg (params->r, params->alpha, params->a,
                                     params->b, t, x, T);

  /* Each purchase rate's expectation is below (r + x) t / (α + T): a
   * value outside [0, that] means the hypergeometric route lost its
   * digits, and the quadrature takes over. */
  bound = (params->r + x) * t / (params->alpha + T);
  if (!(e >= 0 && e <= bound * (1 + 1e-9)))
    e = conditional_expected_quadrature (params->r, params->alpha, params->a,
                                         params->b, t, x, T);
  return e;
}

double
ct_bgnbd_conditional_expected_purchases (const CtBgnbdParams *params,
                                         double               t,
                                         double               x,
                                         double               t_x,
                                         double               T)
{
  double p_alive;

  g_return_val_if_fail (params != NULL, NAN);

  if (t <= 0)
    return 0;
  p_alive = ct_bgnbd_p_alive (params, x, t_x, T);
  if (p_alive == 0)
    return 0;
  return p_alive * expected_if_alive (params, t, x, T);
}

double
ct_bgnbd_expected_purchases (const CtBgnbdParams *params,
                             double               t)
{
  /* A customer just acquired: nothing after the first purchase, at T = 0,
   * is exactly the unconditional expectation. */
  return ct_bgnbd_conditional_expected_purchases (params, t, 0, 0, 0);
}

/* Gamma-Gamma ------------------------------------------------------------- */

typedef struct
{
  double x, m;
  double ln_x, ln_m;
  double weight;
} SpendRow;

typedef struct
{
  SpendRow *rows;
  gsize     n_rows;
  double    total_weight;
} SpendData;

static int
compare_spend_rows (const void *pa,
                    const void *pb)
{
  const SpendRow *a = pa, *b = pb;

  if (a->x != b->x)
    return a->x < b->x ? -1 : 1;
  if (a->m != b->m)
    return a->m < b->m ? -1 : 1;
  return 0;
}

/* Log-likelihood of the mean m of x repeat purchases (the JMR paper's
 * equation (3), the density of the mean of x gamma(p, ν) spends with
 * ν ~ gamma(q, γ)):
 *   ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m + px ln x
 *   − (px+q) ln(γ + m x) */
static double
spend_row_loglik (double p, double q, double v, double x, double m)
{
  return lgamma (p * x + q) - lgamma (p * x) - lgamma (q) + q * log (v)
         + (p * x - 1) * log (m) + p * x * log (x) - (p * x + q) * log (v + m * x);
}

static double
spend_objective (const double *u,
                 double       *grad,
                 gpointer      user_data)
{
  const SpendData *data = user_data;
  double p = exp (u[0]), q = exp (u[1]), v = exp (u[2]);
  double ln_v = log (v), lg_q = lgamma (q), psi_q = gsl_sf_psi (q);
  double sum = 0, g_p = 0, g_q = 0, g_v = 0;
  /* The gamma functions depend on x only: recomputed when x changes
   * (rows are sorted by x). */
  double cur_x = -1, x_ll = 0, x_dp = 0, x_dq = 0;

  for (gsize i = 0; i < data->n_rows; i++)
    {
      const SpendRow *row = &data->rows[i];
      double x = row->x, m = row->m, w = row->weight;
      double px = p * x;
      double ln_vmx = log (v + m * x);

      if (x != cur_x)
        {
          double psi_pxq = gsl_sf_psi (px + q);

          cur_x = x;
          x_ll = lgamma (px + q) - lgamma (px) - lg_q + q * ln_v;
          x_dp = x * (psi_pxq - gsl_sf_psi (px));
          x_dq = psi_pxq - psi_q + ln_v;
        }

      sum += w * (x_ll + (px - 1) * row->ln_m + px * row->ln_x - (px + q) * ln_vmx);
      g_p += w * (x_dp + x * (row->ln_m + row->ln_x - ln_vmx));
      g_q += w * (x_dq - ln_vmx);
      g_v += w * (q / v - (px + q) / (v + m * x));
    }

  grad[0] = -g_p * p / data->total_weight;
  grad[1] = -g_q * q / data->total_weight;
  grad[2] = -g_v * v / data->total_weight;
  return -sum / data->total_weight;
}

double
ct_gamma_gamma_loglik (const CtGammaGammaParams *params,
                       const CtBtydCustomer     *customers,
                       gsize                     n_customers)
{
  double sum = 0;

  g_return_val_if_fail (params != NULL, NAN);
  g_return_val_if_fail (customers != NULL || n_customers == 0, NAN);

  for (gsize i = 0; i < n_customers; i++)
    if (customers[i].x > 0)
      sum += spend_row_loglik (params->p, params->q, params->v,
                               customers[i].x, customers[i].m_x);
  return sum;
}

gboolean
ct_gamma_gamma_fit (const CtBtydCustomer  *customers,
                    gsize                  n_customers,
                    CtGammaGammaParams    *out,
                    GError               **error)
{
  g_autofree SpendRow *rows = NULL;
  SpendData data = { 0 };
  Objective obj = { .func = spend_objective, .data = &data, .n = 3 };
  double min_m = INFINITY, max_m = 0, sum_m = 0, scale;
  double starts[4 * 3];
  double u[3];
  gsize n_repeat = 0, n_rows = 0;

  g_return_val_if_fail (customers != NULL || n_customers == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ensure_gsl_errors_returned ();

  for (gsize i = 0; i < n_customers; i++)
    {
      if (!check_customer (&customers[i], i, TRUE, error))
        return FALSE;
      if (customers[i].x > 0)
        {
          n_repeat++;
          min_m = MIN (min_m, customers[i].m_x);
          max_m = MAX (max_m, customers[i].m_x);
          sum_m += customers[i].m_x;
        }
    }
  /* Translators: completes "Too few customers have bought more than
   * once (3) …; at least 10 are needed". */
  if (!check_repeat_buyers (n_repeat, _("to predict spend per purchase"), error))
    return FALSE;

  /* Identical means (a single price, say) leave the spread of spend
   * unknown: the likelihood grows without bound as p and q do. */
  if (max_m - min_m <= 1e-9 * max_m)
    {
      g_set_error_literal (error, CT_BTYD_ERROR, CT_BTYD_ERROR_NO_VARIANCE,
                           _("Every customer who bought more than once spent the same on average, "
                             "so how spend per purchase differs between customers cannot be estimated"));
      return FALSE;
    }

  /* Amounts rescaled to a mean of 1, so that the starting points suit
   * every currency; γ scales with the amounts, p and q do not. */
  scale = n_repeat / sum_m;
  rows = g_new (SpendRow, n_repeat);
  for (gsize i = 0; i < n_customers; i++)
    if (customers[i].x > 0)
      {
        rows[n_rows].x = customers[i].x;
        rows[n_rows].m = customers[i].m_x * scale;
        rows[n_rows].ln_x = log (rows[n_rows].x);
        rows[n_rows].ln_m = log (rows[n_rows].m);
        rows[n_rows].weight = 1;
        n_rows++;
      }
  qsort (rows, n_rows, sizeof (SpendRow), compare_spend_rows);
  n_rows = 0;
  for (gsize i = 0; i < n_repeat; i++)
    {
      if (n_rows > 0 && compare_spend_rows (&rows[n_rows - 1], &rows[i]) == 0)
        rows[n_rows - 1].weight += 1;
      else
        rows[n_rows++] = rows[i];
    }
  data.rows = rows;
  data.n_rows = n_rows;
  data.total_weight = (double) n_repeat;

  /* Starting points: shapes from loose to tight, each with γ putting the
   * mean spend p γ / (q − 1) at 1. */
  {
    const double shapes[4][2] = {
      /* p, q */
      { 1.0, 2.0 },
      { 5.0, 3.0 },
      { 0.5, 1.5 },
      { 10.0, 10.0 },
    };

    for (gsize k = 0; k < 4; k++)
      {
        starts[k * 3 + 0] = log (shapes[k][0]);
        starts[k * 3 + 1] = log (shapes[k][1]);
        starts[k * 3 + 2] = log ((shapes[k][1] - 1) / shapes[k][0]);
      }
  }

  if (!minimise (&obj, starts, 4, u))
    {
      set_no_convergence (error,
                          _("The repeat purchases do not settle on a model of spend per purchase: "
                            "the amounts are too few or too alike to tell how much each customer usually spends"));
      return FALSE;
    }

  out->p = exp (u[0]);
  out->q = exp (u[1]);
  out->v = exp (u[2]) / scale;
  out->n_customers = n_repeat;
  out->loglik = ct_gamma_gamma_loglik (out, customers, n_customers);
  return TRUE;
}

double
ct_gamma_gamma_expected_spend (const CtGammaGammaParams *params,
                               double                    x,
                               double                    m_x)
{
  double denominator;

  g_return_val_if_fail (params != NULL, NAN);

  /* The posterior mean of the spend: a weighted average of the population
   * mean p γ / (q − 1) and the customer's own mean m_x, the more repeat
   * purchases the more weight on m_x. */
  if (x <= 0)
    {
      x = 0;
      m_x = 0;
    }
  denominator = params->p * x + params->q - 1;
  if (denominator <= 0)
    return INFINITY;
  return (params->v + m_x * x) * params->p / denominator;
}

/* Lifetime value and forecasts ------------------------------------------- */

/* The months of a lifetime value: where each ends and its discount, the
 * same for every customer. */
typedef struct
{
  gsize   n;
  double *t;         /* end of month k + 1, the last one cut at the horizon */
  double *discount;  /* (1 + rate)^(t / units_per_year) */
  /* workspace of months_if_alive(), n each */
  double *z, *term, *sum, *magnitude;
} Months;

static void
months_init (Months *months,
             double  horizon,
             double  annual_discount_rate,
             double  units_per_year)
{
  double step = units_per_year / 12;
  gsize allocated = 16;

  months->n = 0;
  months->t = g_new (double, allocated);
  months->discount = g_new (double, allocated);

  /* The count is rounded so that a horizon of a whole number of months
   * does not gain a sliver of a month from rounding. */
  for (double k = 1;; k++)
    {
      double t = MIN (k * step, horizon);

      if (months->n == allocated)
        {
          allocated *= 2;
          months->t = g_renew (double, months->t, allocated);
          months->discount = g_renew (double, months->discount, allocated);
        }
      months->t[months->n] = t;
      months->discount[months->n] = pow (1 + annual_discount_rate, t / units_per_year);
      months->n++;
      if (t >= horizon || k * step >= horizon * (1 - 1e-12))
        break;
    }
  months->z = g_new (double, months->n);
  months->term = g_new (double, months->n);
  months->sum = g_new (double, months->n);
  months->magnitude = g_new (double, months->n);
}

static void
months_clear (Months *months)
{
  g_clear_pointer (&months->t, g_free);
  g_clear_pointer (&months->discount, g_free);
  g_clear_pointer (&months->z, g_free);
  g_clear_pointer (&months->term, g_free);
  g_clear_pointer (&months->sum, g_free);
  g_clear_pointer (&months->magnitude, g_free);
}

/* Terms of the series beyond which a month falls back on
 * expected_if_alive(). */
#define MONTHS_SERIES_TERMS 20000

/* The expectation if alive at the end of every month, for a customer
 * with x repeat purchases and age T: the same as expected_if_alive() at
 * each month's end to within rounding, in a fraction of the time. The
 * months share the parameters of the hypergeometric function (see
 * conditional_expected_hyperg()) and differ only in z, so one pass over
 * the power series sums them all: each step's coefficient ratio is
 * computed once for all the months. A month whose series does not settle
 * or loses its digits to cancellation, or whose result is out of bounds,
 * takes expected_if_alive() instead, as does everything near a = 1. */
static void
months_if_alive (const CtBgnbdParams *params,
                 const Months        *months,
                 double               x,
                 double               T,
                 double              *out)
{
  double r = params->r, alpha = params->alpha, a = params->a, b = params->b;
  double A = a + b - 1 - r, B = a - 1, C = a + b + x - 1;
  double ln_alpha_T = log (alpha + T);
  gsize n = months->n, first = 0;

  if (fabs (a - 1) < 1e-4)
    {
      for (gsize k = 0; k < n; k++)
        out[k] = expected_if_alive (params, months->t[k], x, T);
      return;
    }

  for (gsize k = 0; k < n; k++)
    {
      months->z[k] = months->t[k] / (alpha + T + months->t[k]);
      months->term[k] = 1;
      months->sum[k] = 1;
      months->magnitude[k] = 1;
      out[k] = NAN;
    }

  /* The months are in order of z, and the series of a smaller z settles
   * sooner: first is the first month still summing. */
  for (int i = 0; i < MONTHS_SERIES_TERMS && first < n; i++)
    {
      double ratio = (A + i) * (B + i) / ((C + i) * (i + 1));

      for (gsize k = first; k < n; k++)
        {
          months->term[k] *= ratio * months->z[k];
          months->sum[k] += months->term[k];
          months->magnitude[k] += fabs (months->term[k]);
        }
      while (first < n && i > 2
             && fabs (months->term[first]) <= 1e-17 * fabs (months->sum[first]))
        {
          gsize k = first++;
          double f = months->sum[k];
          double t = months->t[k];
          double ln_one_minus_z = ln_alpha_T - log (alpha + T + t);
          double bracket, e;

          if (!isfinite (months->magnitude[k]) || !(months->magnitude[k] <= 1e6 * fabs (f)))
            continue;  /* cancelled: left to the fallback below */
          if (f > 0)
            bracket = -expm1 ((a - 1) * ln_one_minus_z + log (f));
          else
            bracket = 1 - exp ((a - 1) * ln_one_minus_z) * f;
          e = C / (a - 1) * bracket;
          if (e >= 0 && e <= (r + x) * t / (alpha + T) * (1 + 1e-9))
            out[k] = e;
        }
    }

  for (gsize k = 0; k < n; k++)
    if (isnan (out[k]))
      out[k] = expected_if_alive (params, months->t[k], x, T);
}

/* The discounted purchases of the months for a customer sure to be
 * alive, from the expectation if alive at each month's end: each month's
 * expected purchases are the growth of the cumulative expectation over
 * it, discounted from the month's end. P(alive) multiplies it all. */
static double
discounted_if_alive (const Months *months,
                     const double *if_alive)
{
  double previous = 0, sum = 0;

  for (gsize k = 0; k < months->n; k++)
    {
      sum += (if_alive[k] - previous) / months->discount[k];
      previous = if_alive[k];
    }
  return sum;
}

static double
lifetime_value (double p_alive,
                double discounted,
                double spend)
{
  double sum = p_alive == 0 ? 0 : p_alive * discounted;

  if (sum == 0)
    return 0;  /* no purchases to come, whatever the spend */
  return sum * spend;
}

double
ct_clv_predictive (const CtBgnbdParams      *bgnbd,
                   const CtGammaGammaParams *gamma_gamma,
                   const CtBtydCustomer     *customer,
                   double                    horizon,
                   double                    annual_discount_rate,
                   double                    units_per_year)
{
  Months months;
  g_autofree double *if_alive = NULL;
  double spend, p_alive, discounted = 0;

  g_return_val_if_fail (bgnbd != NULL, NAN);
  g_return_val_if_fail (gamma_gamma != NULL, NAN);
  g_return_val_if_fail (customer != NULL, NAN);
  g_return_val_if_fail (units_per_year > 0, NAN);
  g_return_val_if_fail (annual_discount_rate > -1, NAN);

  if (!(horizon > 0))
    return 0;

  spend = ct_gamma_gamma_expected_spend (gamma_gamma, customer->x, customer->m_x);
  p_alive = ct_bgnbd_p_alive (bgnbd, customer->x, customer->t_x, customer->T);
  if (p_alive != 0)
    {
      months_init (&months, horizon, annual_discount_rate, units_per_year);
      if_alive = g_new (double, months.n);
      months_if_alive (bgnbd, &months, customer->x, customer->T, if_alive);
      discounted = discounted_if_alive (&months, if_alive);
      months_clear (&months);
    }
  return lifetime_value (p_alive, discounted, spend);
}

/* Scoring many customers: customers with the same x and T (all the
 * one-time buyers of a day, in the demo data and in real shops alike)
 * share the expectation if alive, which is where the time goes; only
 * P(alive) differs between them. An open-addressing hash table finds
 * each customer's group; the groups' figures are computed when first
 * needed. */
typedef struct
{
  guint64 x_bits, T_bits;
  gsize   group;       /* G_MAXSIZE: an empty slot */
} GroupSlot;

typedef struct
{
  double  horizon_if_alive;   /* the expectation if alive at the horizon */
  double  discounted;         /* discounted_if_alive() over the months */
  double  last_if_alive;      /* the expectation if alive at the last month's end */
  guint8  have_horizon, have_months;
} Group;

typedef struct
{
  GroupSlot *slots;
  gsize      mask;
  Group     *groups;
  gsize      n_groups;
} GroupTable;

static guint64
double_bits (double value)
{
  guint64 bits;

  value += 0.0;   /* −0 and +0 are the same time */
  memcpy (&bits, &value, sizeof bits);
  return bits;
}

static void
group_table_init (GroupTable *table,
                  gsize       max_groups)
{
  gsize size = 16;

  /* At most three quarters full, and mostly much less: a small table
   * stays in the cache. */
  while (size < max_groups + max_groups / 3)
    size *= 2;
  table->slots = g_new (GroupSlot, size);
  for (gsize i = 0; i < size; i++)
    table->slots[i].group = G_MAXSIZE;
  table->mask = size - 1;
  table->groups = g_new0 (Group, MAX (max_groups, 1));
  table->n_groups = 0;
}

static void
group_table_clear (GroupTable *table)
{
  g_clear_pointer (&table->slots, g_free);
  g_clear_pointer (&table->groups, g_free);
}

static Group *
group_table_lookup (GroupTable *table,
                    double      x,
                    double      T)
{
  guint64 xb = double_bits (x), Tb = double_bits (T);
  guint64 h = xb * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15)
              ^ Tb * G_GUINT64_CONSTANT (0xC2B2AE3D27D4EB4F);

  h ^= h >> 31;
  for (gsize i = h & table->mask;; i = (i + 1) & table->mask)
    {
      GroupSlot *slot = &table->slots[i];

      if (slot->group == G_MAXSIZE)
        {
          slot->x_bits = xb;
          slot->T_bits = Tb;
          slot->group = table->n_groups++;
          return &table->groups[slot->group];
        }
      if (slot->x_bits == xb && slot->T_bits == Tb)
        return &table->groups[slot->group];
    }
}

static void
group_ensure_months (Group               *group,
                     const CtBgnbdParams *bgnbd,
                     const Months        *months,
                     double              *if_alive,
                     double               x,
                     double               T)
{
  if (group->have_months)
    return;
  months_if_alive (bgnbd, months, x, T, if_alive);
  group->discounted = discounted_if_alive (months, if_alive);
  group->last_if_alive = if_alive[months->n - 1];
  group->have_months = TRUE;
}

/* Repeat purchases with no amount above zero give the spend model nothing
 * to learn from: the Gamma-Gamma fit leaves such customers out, and their
 * value uses the population's mean spend, as for x = 0. */
static gboolean
free_repeats (const CtBtydCustomer *c)
{
  return c->x > 0 && c->m_x <= 0;
}

void
ct_btyd_score (const CtBgnbdParams      *bgnbd,
               const CtGammaGammaParams *gamma_gamma,
               const CtBtydCustomer     *customers,
               gsize                     n_customers,
               double                    horizon,
               double                    annual_discount_rate,
               double                    units_per_year,
               double                   *p_alive,
               double                   *expected,
               double                   *predictive)
{
  g_autofree double *if_alive = NULL;
  GroupTable table;
  Months months = { 0 };
  gboolean with_months;

  g_return_if_fail (bgnbd != NULL);
  g_return_if_fail (customers != NULL || n_customers == 0);
  g_return_if_fail (predictive == NULL || gamma_gamma != NULL);
  g_return_if_fail (units_per_year > 0);
  g_return_if_fail (annual_discount_rate > -1);

  with_months = predictive != NULL && horizon > 0;
  if (with_months)
    {
      months_init (&months, horizon, annual_discount_rate, units_per_year);
      if_alive = g_new (double, months.n);
    }
  /* A group for each customer's own x and T at most, and one more for
   * the value of one whose repeat purchases were free. */
  {
    gsize max_groups = n_customers;

    if (predictive != NULL)
      for (gsize i = 0; i < n_customers; i++)
        if (free_repeats (&customers[i]))
          max_groups++;
    group_table_init (&table, max_groups);
  }

  for (gsize i = 0; i < n_customers; i++)
    {
      const CtBtydCustomer *c = &customers[i];
      double alive = ct_bgnbd_p_alive (bgnbd, c->x, c->t_x, c->T);
      Group *group = NULL;

      if (p_alive != NULL)
        p_alive[i] = alive;

      if (expected != NULL)
        {
          if (horizon <= 0 || alive == 0)
            expected[i] = 0;
          else
            {
              group = group_table_lookup (&table, c->x, c->T);
              if (!group->have_horizon)
                {
                  /* The last month ends at the horizon, mostly: the
                   * months' sums give it too. */
                  if (with_months && months.t[months.n - 1] == horizon)
                    {
                      group_ensure_months (group, bgnbd, &months, if_alive, c->x, c->T);
                      group->horizon_if_alive = group->last_if_alive;
                    }
                  else
                    group->horizon_if_alive = expected_if_alive (bgnbd, horizon, c->x, c->T);
                  group->have_horizon = TRUE;
                }
              expected[i] = alive * group->horizon_if_alive;
            }
        }

      if (predictive != NULL)
        {
          gboolean as_new = free_repeats (c);
          double x = as_new ? 0 : c->x;
          double m_x = as_new ? 0 : c->m_x;
          double value_alive = as_new ? ct_bgnbd_p_alive (bgnbd, x, c->t_x, c->T) : alive;
          double spend = ct_gamma_gamma_expected_spend (gamma_gamma, x, m_x);
          double discounted = 0;

          if (horizon > 0 && value_alive != 0)
            {
              if (group == NULL || as_new)
                group = group_table_lookup (&table, x, c->T);
              group_ensure_months (group, bgnbd, &months, if_alive, x, c->T);
              discounted = group->discounted;
            }
          predictive[i] = horizon > 0 ? lifetime_value (value_alive, discounted, spend) : 0;
        }
    }

  group_table_clear (&table);
  months_clear (&months);
}

double
ct_btyd_forecast_purchases (const CtBgnbdParams  *bgnbd,
                            const CtBtydCustomer *customers,
                            gsize                 n_customers,
                            double                t)
{
  g_autofree double *expected = NULL;
  double sum = 0;

  g_return_val_if_fail (bgnbd != NULL, NAN);
  g_return_val_if_fail (customers != NULL || n_customers == 0, NAN);

  expected = g_new (double, MAX (n_customers, 1));
  ct_btyd_score (bgnbd, NULL, customers, n_customers, t, 0, 1, NULL, expected, NULL);
  for (gsize i = 0; i < n_customers; i++)
    sum += expected[i];
  return sum;
}

double
ct_btyd_forecast_revenue (const CtBgnbdParams      *bgnbd,
                          const CtGammaGammaParams *gamma_gamma,
                          const CtBtydCustomer     *customers,
                          gsize                     n_customers,
                          double                    t)
{
  g_autofree double *expected = NULL;
  double sum = 0;

  g_return_val_if_fail (bgnbd != NULL, NAN);
  g_return_val_if_fail (gamma_gamma != NULL, NAN);
  g_return_val_if_fail (customers != NULL || n_customers == 0, NAN);

  expected = g_new (double, MAX (n_customers, 1));
  ct_btyd_score (bgnbd, NULL, customers, n_customers, t, 0, 1, NULL, expected, NULL);
  for (gsize i = 0; i < n_customers; i++)
    if (expected[i] > 0)
      sum += expected[i] * ct_gamma_gamma_expected_spend (gamma_gamma, customers[i].x,
                                                          customers[i].m_x);
  return sum;
}
