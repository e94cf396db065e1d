/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-kmeans.c: grouping customers by k-means++ on standardised log RFM
 *
 * Recency, frequency and money are all heavily skewed (a few customers
 * buy a hundred times more than the rest), so each is taken as
 * log(1 + x) and then turned into a z-score: otherwise the heaviest
 * buyers would each get a cluster of their own and the amount spent,
 * having the largest numbers, would decide everything.
 *
 * The clustering itself is the usual one, as scikit-learn's KMeans does
 * it with algorithm="lloyd": greedy k-means++ seeding, Lloyd iterations
 * until no point changes cluster, several starts keeping the lowest
 * inertia. Every buffer is allocated once per call, before the loops.
 *
 * Randomness comes from a PCG32 generator of our own rather than GRand so
 * that a 64-bit seed and an independent stream per start are cheap, and
 * the numbers are the same on every platform and GLib version.
 *
 * Nothing here is global: every call may run on its own worker thread.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-kmeans.h"

G_DEFINE_QUARK (ct-kmeans-error-quark, ct_kmeans_error)

/* Start r uses stream r; the silhouette sample its own stream, far away. */
#define SILHOUETTE_STREAM G_GUINT64_CONSTANT (0x5111c0e77e000000)

/* PCG32 (XSH RR), from O'Neill's pcg-c-basic. */
typedef struct
{
  guint64 state;
  guint64 inc;
} Pcg;

static guint32
pcg_next (Pcg *rng)
{
  guint64 old = rng->state;
  guint32 xorshifted;
  guint32 rot;

  rng->state = old * G_GUINT64_CONSTANT (6364136223846793005) + rng->inc;
  xorshifted = (guint32) (((old >> 18) ^ old) >> 27);
  rot = (guint32) (old >> 59);
  return (xorshifted >> rot) | (xorshifted << ((-rot) & 31));
}

static void
pcg_seed (Pcg     *rng,
          guint64  seed,
          guint64  stream)
{
  rng->state = 0;
  rng->inc = (stream << 1) | 1;
  pcg_next (rng);
  rng->state += seed;
  pcg_next (rng);
}

/* Uniform in [0, 1) with 53 random bits. */
static double
pcg_double (Pcg *rng)
{
  guint64 hi = pcg_next (rng) >> 5;
  guint64 lo = pcg_next (rng) >> 6;

  return ((double) hi * 67108864.0 + (double) lo) / 9007199254740992.0;
}

/* Uniform in [0, bound), without the bias of a plain modulo. */
static guint32
pcg_below (Pcg     *rng,
           guint32  bound)
{
  guint32 threshold = (-bound) % bound;

  for (;;)
    {
      guint32 r = pcg_next (rng);

      if (r >= threshold)
        return r % bound;
    }
}

static inline double
squared_distance (const double *a,
                  const double *b,
                  guint         dim)
{
  double d = 0;

  for (guint t = 0; t < dim; t++)
    {
      double e = a[t] - b[t];
      d += e * e;
    }
  return d;
}

void
ct_kmeans_options_init (CtKmeansOptions *options)
{
  g_return_if_fail (options != NULL);

  options->n_init = 10;
  options->max_iter = 300;
  options->sample_size = 2000;
  options->seed = 0;
}

static void
get_options (const CtKmeansOptions *options,
             CtKmeansOptions       *out)
{
  if (options != NULL)
    *out = *options;
  else
    ct_kmeans_options_init (out);
}

void
ct_kmeans_features_free (CtKmeansFeatures *features)
{
  if (features == NULL)
    return;
  g_free (features->values);
  g_free (features->mean);
  g_free (features->sd);
  g_free (features);
}

static gboolean
check_n_points (guint    n_points,
                GError **error)
{
  if (n_points == 0)
    {
      g_set_error_literal (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_INVALID,
                           _("There are no customers to cluster."));
      return FALSE;
    }
  return TRUE;
}

/**
 * ct_kmeans_features_new_rfm:
 *
 * The standard deviation is the population one (divided by n), as
 * scikit-learn's StandardScaler uses. A feature is treated as constant
 * when all its values are exactly equal, not when its computed sd is
 * small: the mean of n equal numbers can differ from them by a rounding
 * error, and dividing that error by an sd of the same size would give
 * every customer a z-score of ±1 out of nothing.
 */
CtKmeansFeatures *
ct_kmeans_features_new_rfm (const double  *recency_days,
                            const double  *frequency,
                            const double  *monetary,
                            guint          n_points,
                            GError       **error)
{
  const double *columns[CT_KMEANS_RFM_DIM] = { recency_days, frequency, monetary };
  const char *names[CT_KMEANS_RFM_DIM] = {
    /* Translators: this and the next two fill the %s of "Cannot cluster
     * customer 3: its %s is -2, but it must be a number of zero or more." */
    N_("number of days since the last purchase"),
    /* Translators: see "number of days since the last purchase" */
    N_("number of purchases"),
    /* Translators: see "number of days since the last purchase" */
    N_("amount spent"),
  };
  g_autoptr(CtKmeansFeatures) features = NULL;
  const guint dim = CT_KMEANS_RFM_DIM;

  g_return_val_if_fail (n_points == 0 || recency_days != NULL, NULL);
  g_return_val_if_fail (n_points == 0 || frequency != NULL, NULL);
  g_return_val_if_fail (n_points == 0 || monetary != NULL, NULL);

  if (!check_n_points (n_points, error))
    return NULL;

  features = g_new0 (CtKmeansFeatures, 1);
  features->n_points = n_points;
  features->dim = dim;
  features->standardised = TRUE;
  features->values = g_new (double, (gsize) n_points * dim);
  features->mean = g_new0 (double, dim);
  features->sd = g_new0 (double, dim);

  for (guint j = 0; j < dim; j++)
    {
      const double *column = columns[j];
      double sum = 0;
      double squares = 0;
      double mean;
      gboolean constant = TRUE;

      for (guint i = 0; i < n_points; i++)
        {
          double v = column[i];

          if (!isfinite (v) || v < 0)
            {
              g_set_error (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_INVALID,
                           /* Translators: the first %u counts customers
                            * from 1; %s is "number of purchases" or the
                            * like; %g is the value. */
                           _("Cannot cluster customer %u: its %s is %g, but it must be a number of zero or more."),
                           i + 1, _(names[j]), v);
              return NULL;
            }
          v = log1p (v);
          features->values[(gsize) i * dim + j] = v;
          sum += v;
          if (v != features->values[j])
            constant = FALSE;
        }

      if (constant)
        {
          /* Exactly the value, and z = 0 for everyone. */
          features->mean[j] = features->values[j];
          features->sd[j] = 0;
          for (guint i = 0; i < n_points; i++)
            features->values[(gsize) i * dim + j] = 0;
          continue;
        }

      /* Two passes: the sum of squared deviations, not E[x²] − E[x]²,
       * which cancels badly when the spread is small next to the mean. */
      mean = sum / n_points;
      for (guint i = 0; i < n_points; i++)
        {
          double e = features->values[(gsize) i * dim + j] - mean;
          squares += e * e;
        }
      features->mean[j] = mean;
      features->sd[j] = sqrt (squares / n_points);
      g_assert (features->sd[j] > 0);
      for (guint i = 0; i < n_points; i++)
        {
          double *v = &features->values[(gsize) i * dim + j];
          *v = (*v - mean) / features->sd[j];
        }
    }

  return g_steal_pointer (&features);
}

CtKmeansFeatures *
ct_kmeans_features_new (const double  *values,
                        guint          n_points,
                        guint          dim,
                        GError       **error)
{
  g_autoptr(CtKmeansFeatures) features = NULL;

  g_return_val_if_fail (n_points == 0 || values != NULL, NULL);

  if (!check_n_points (n_points, error))
    return NULL;
  if (dim == 0)
    {
      g_set_error_literal (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_INVALID,
                           _("Points to cluster need at least one coordinate."));
      return NULL;
    }

  for (gsize i = 0; i < (gsize) n_points * dim; i++)
    if (!isfinite (values[i]))
      {
        g_set_error (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_INVALID,
                     /* Translators: both numbers count from 1. */
                     _("Cannot cluster point %u: its coordinate %u is not a finite number."),
                     (guint) (i / dim) + 1, (guint) (i % dim) + 1);
        return NULL;
      }

  features = g_new0 (CtKmeansFeatures, 1);
  features->n_points = n_points;
  features->dim = dim;
  features->values = g_memdup2 (values, (gsize) n_points * dim * sizeof (double));

  return g_steal_pointer (&features);
}

void
ct_kmeans_features_to_original (const CtKmeansFeatures *features,
                                const double           *point,
                                double                 *out)
{
  g_return_if_fail (features != NULL);
  g_return_if_fail (point != NULL);
  g_return_if_fail (out != NULL);

  for (guint j = 0; j < features->dim; j++)
    {
      if (features->standardised)
        out[j] = expm1 (features->mean[j] + features->sd[j] * point[j]);
      else
        out[j] = point[j];
    }
}

void
ct_kmeans_result_free (CtKmeansResult *result)
{
  if (result == NULL)
    return;
  g_free (result->assignments);
  g_free (result->sizes);
  g_free (result->centroids);
  g_free (result->centroids_original);
  g_free (result);
}

static gboolean
check_k (const CtKmeansFeatures  *features,
         guint                    k,
         GError                 **error)
{
  if (k < 1)
    {
      g_set_error_literal (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_INVALID,
                           _("The number of clusters must be at least 1."));
      return FALSE;
    }
  if (features->n_points < k)
    {
      g_set_error (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_TOO_FEW_POINTS,
                   ngettext ("Cannot make %u clusters out of %u customer: each cluster needs at least one customer.",
                             "Cannot make %u clusters out of %u customers: each cluster needs at least one customer.",
                             features->n_points),
                   k, features->n_points);
      return FALSE;
    }
  return TRUE;
}

static void
set_too_few_distinct (GError **error,
                      guint    k)
{
  g_set_error (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_TOO_FEW_DISTINCT,
               ngettext ("Cannot make %u cluster: fewer customers than that differ from each other.",
                         "Cannot make %u clusters: fewer customers than that differ from each other.",
                         k),
               k);
}

static gboolean
check_options (const CtKmeansOptions  *options,
               GError                **error)
{
  if (options->n_init < 1 || options->max_iter < 1)
    {
      g_set_error_literal (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_INVALID,
                           _("Clustering needs at least one start and one iteration."));
      return FALSE;
    }
  return TRUE;
}

/* Everything one clustering call needs, allocated once. */
typedef struct
{
  const double *x;
  guint         n;
  guint         dim;
  guint         k;

  /* The run in progress. */
  double       *centroids;   /* k × dim */
  guint        *labels;      /* n */
  double       *dist;        /* n: squared distance to own centroid */
  double       *sums;        /* k × dim */
  guint        *counts;      /* k */
  guint         n_iterations;
  gboolean      converged;
  double        inertia;

  /* The best run so far. */
  double       *best_centroids;
  guint        *best_labels;
  guint         best_iterations;
  gboolean      best_converged;
  double        best_inertia;

  /* k-means++ */
  double       *closest;     /* n: squared distance to the nearest centre */
  double       *cumulative;  /* n: running sum of closest */
  double       *trial;       /* n: closest if the candidate were taken */
  double       *best_trial;  /* n */
} Workspace;

static void
workspace_init (Workspace              *ws,
                const CtKmeansFeatures *features,
                guint                   k)
{
  gsize n = features->n_points;

  memset (ws, 0, sizeof *ws);
  ws->x = features->values;
  ws->n = features->n_points;
  ws->dim = features->dim;
  ws->k = k;
  ws->centroids = g_new (double, (gsize) k * ws->dim);
  ws->labels = g_new (guint, n);
  ws->dist = g_new (double, n);
  ws->sums = g_new (double, (gsize) k * ws->dim);
  ws->counts = g_new (guint, k);
  ws->best_centroids = g_new (double, (gsize) k * ws->dim);
  ws->best_labels = g_new (guint, n);
  ws->best_inertia = INFINITY;
  ws->closest = g_new (double, n);
  ws->cumulative = g_new (double, n);
  ws->trial = g_new (double, n);
  ws->best_trial = g_new (double, n);
}

static void
workspace_clear (Workspace *ws)
{
  g_free (ws->centroids);
  g_free (ws->labels);
  g_free (ws->dist);
  g_free (ws->sums);
  g_free (ws->counts);
  g_free (ws->best_centroids);
  g_free (ws->best_labels);
  g_free (ws->closest);
  g_free (ws->cumulative);
  g_free (ws->trial);
  g_free (ws->best_trial);
}

/* Index of the point drawn with probability proportional to its weight,
 * given the running sums of the weights: the first i with cumulative[i] >
 * r has weight cumulative[i] − cumulative[i − 1] > 0, so a point of
 * weight 0 (one already chosen) can never come out. */
static guint
draw_weighted (const double *cumulative,
               const double *weights,
               guint         n,
               double        r)
{
  guint lo = 0;
  guint hi = n - 1;

  if (!(cumulative[n - 1] > r))
    {
      /* r rounded up to the total: take the last point with a weight. */
      for (guint i = n; i-- > 0;)
        if (weights[i] > 0)
          return i;
      g_assert_not_reached ();
    }

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (cumulative[mid] > r)
        hi = mid;
      else
        lo = mid + 1;
    }
  return lo;
}

/* Greedy k-means++: fills ws->centroids and, when indices is not NULL,
 * the chosen point indices. FALSE when fewer than k points differ. */
static gboolean
plusplus (Workspace *ws,
          Pcg       *rng,
          guint     *indices)
{
  const double *x = ws->x;
  guint n = ws->n;
  guint dim = ws->dim;
  guint n_trials = 2 + (guint) log (ws->k);
  guint first = pcg_below (rng, n);

  memcpy (ws->centroids, x + (gsize) first * dim, dim * sizeof (double));
  if (indices != NULL)
    indices[0] = first;
  for (guint i = 0; i < n; i++)
    ws->closest[i] = squared_distance (x + (gsize) i * dim, ws->centroids, dim);

  for (guint c = 1; c < ws->k; c++)
    {
      double total = 0;
      double best_potential = INFINITY;
      guint best = G_MAXUINT;

      for (guint i = 0; i < n; i++)
        {
          total += ws->closest[i];
          ws->cumulative[i] = total;
        }
      if (!(total > 0))
        return FALSE;

      for (guint t = 0; t < n_trials; t++)
        {
          guint candidate = draw_weighted (ws->cumulative, ws->closest, n,
                                           pcg_double (rng) * total);
          const double *p = x + (gsize) candidate * dim;
          double potential = 0;

          for (guint i = 0; i < n; i++)
            {
              double d = squared_distance (x + (gsize) i * dim, p, dim);

              ws->trial[i] = MIN (d, ws->closest[i]);
              potential += ws->trial[i];
            }
          if (potential < best_potential)
            {
              double *swap = ws->best_trial;

              best_potential = potential;
              best = candidate;
              ws->best_trial = ws->trial;
              ws->trial = swap;
            }
        }

      g_assert (best != G_MAXUINT);
      memcpy (ws->centroids + (gsize) c * dim, x + (gsize) best * dim,
              dim * sizeof (double));
      if (indices != NULL)
        indices[c] = best;

      {
        double *swap = ws->closest;

        ws->closest = ws->best_trial;
        ws->best_trial = swap;
      }
    }

  return TRUE;
}

/* Assigns each point to its nearest centroid (the lowest index on a tie),
 * returns how many changed cluster and sets ws->inertia. It also sums
 * the points of each cluster and counts them for update(), in the same
 * point order as a pass of its own would, so that the centroids come out
 * the same to the last bit while the points are read once. */
static guint
assign (Workspace *ws)
{
  const double *x = ws->x;
  const double *c = ws->centroids;
  guint n = ws->n;
  guint dim = ws->dim;
  guint k = ws->k;
  guint changed = 0;
  double inertia = 0;

  memset (ws->sums, 0, (gsize) k * dim * sizeof (double));
  memset (ws->counts, 0, k * sizeof (guint));

  if (dim == 3)
    {
      /* The RFM case, unrolled, and without a branch to mispredict in
       * the search for the nearest: most of the time goes here. */
      for (guint i = 0; i < n; i++)
        {
          const double *p = x + (gsize) i * 3;
          double p0 = p[0], p1 = p[1], p2 = p[2];
          double best_d = INFINITY;
          guint best = 0;
          double *s;

          for (guint j = 0; j < k; j++)
            {
              const double *q = c + (gsize) j * 3;
              double e0 = p0 - q[0];
              double e1 = p1 - q[1];
              double e2 = p2 - q[2];
              double d = e0 * e0 + e1 * e1 + e2 * e2;
              gboolean nearer = d < best_d;

              best = nearer ? j : best;
              best_d = nearer ? d : best_d;
            }

          changed += ws->labels[i] != best;
          ws->labels[i] = best;
          ws->dist[i] = best_d;
          inertia += best_d;
          s = ws->sums + (gsize) best * 3;
          s[0] += p0;
          s[1] += p1;
          s[2] += p2;
          ws->counts[best]++;
        }
    }
  else
    {
      for (guint i = 0; i < n; i++)
        {
          const double *p = x + (gsize) i * dim;
          double best_d = INFINITY;
          guint best = 0;
          double *s;

          for (guint j = 0; j < k; j++)
            {
              double d = squared_distance (p, c + (gsize) j * dim, dim);

              if (d < best_d)
                {
                  best_d = d;
                  best = j;
                }
            }

          if (ws->labels[i] != best)
            {
              ws->labels[i] = best;
              changed++;
            }
          ws->dist[i] = best_d;
          inertia += best_d;
          s = ws->sums + (gsize) best * dim;
          for (guint t = 0; t < dim; t++)
            s[t] += p[t];
          ws->counts[best]++;
        }
    }

  ws->inertia = inertia;
  return changed;
}

/* Moves each centroid to the mean of its points. An empty cluster takes
 * the point farthest from its own centroid, among clusters that can spare
 * one (as scikit-learn relocates them). FALSE when the farthest such point
 * sits on its centroid: then fewer than k points differ. */
static gboolean
update (Workspace *ws)
{
  const double *x = ws->x;
  guint n = ws->n;
  guint dim = ws->dim;
  guint k = ws->k;

  /* The sums and counts are those assign() left. */
  for (guint j = 0; j < k; j++)
    {
      guint far = G_MAXUINT;
      double far_d = -1;
      guint from;

      if (ws->counts[j] > 0)
        continue;

      /* A cluster of one cannot give its point away; with n ≥ k and a
       * cluster empty, some cluster has two or more. */
      for (guint i = 0; i < n; i++)
        if (ws->dist[i] > far_d && ws->counts[ws->labels[i]] > 1)
          {
            far = i;
            far_d = ws->dist[i];
          }
      g_assert (far != G_MAXUINT);
      if (!(far_d > 0))
        return FALSE;

      from = ws->labels[far];
      ws->counts[from]--;
      for (guint t = 0; t < dim; t++)
        {
          ws->sums[(gsize) from * dim + t] -= x[(gsize) far * dim + t];
          ws->sums[(gsize) j * dim + t] = x[(gsize) far * dim + t];
        }
      ws->counts[j] = 1;
      ws->labels[far] = j;
      ws->dist[far] = 0;
    }

  for (guint j = 0; j < k; j++)
    for (guint t = 0; t < dim; t++)
      ws->centroids[(gsize) j * dim + t] =
        ws->sums[(gsize) j * dim + t] / ws->counts[j];

  return TRUE;
}

/* Lloyd from ws->centroids; keeps the run if it beats the best. */
static gboolean
lloyd (Workspace     *ws,
       guint          max_iter,
       GCancellable  *cancellable,
       GError       **error)
{
  for (guint i = 0; i < ws->n; i++)
    ws->labels[i] = G_MAXUINT;
  assign (ws);

  ws->n_iterations = 0;
  ws->converged = FALSE;
  while (ws->n_iterations < max_iter)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!update (ws))
        {
          set_too_few_distinct (error, ws->k);
          return FALSE;
        }
      ws->n_iterations++;
      if (assign (ws) == 0)
        {
          ws->converged = TRUE;
          break;
        }
    }

  /* Strictly lower: on a tie the earlier start stays, so that adding
   * starts can only lower the inertia. */
  if (ws->inertia < ws->best_inertia)
    {
      double *c = ws->best_centroids;
      guint *l = ws->best_labels;

      ws->best_centroids = ws->centroids;
      ws->best_labels = ws->labels;
      ws->centroids = c;
      ws->labels = l;
      ws->best_inertia = ws->inertia;
      ws->best_iterations = ws->n_iterations;
      ws->best_converged = ws->converged;
    }

  return TRUE;
}

typedef struct
{
  guint         size;
  const double *centroid;
  guint         dim;
  guint         index;
} ClusterOrder;

static int
compare_clusters (gconstpointer a,
                  gconstpointer b)
{
  const ClusterOrder *ca = a;
  const ClusterOrder *cb = b;

  if (ca->size != cb->size)
    return ca->size > cb->size ? -1 : 1;
  for (guint t = 0; t < ca->dim; t++)
    if (ca->centroid[t] != cb->centroid[t])
      return ca->centroid[t] < cb->centroid[t] ? -1 : 1;
  return ca->index < cb->index ? -1 : ca->index > cb->index;
}

/* The best run, clusters renumbered largest first. */
static CtKmeansResult *
make_result (Workspace              *ws,
             const CtKmeansFeatures *features)
{
  CtKmeansResult *result = g_new0 (CtKmeansResult, 1);
  guint k = ws->k;
  guint dim = ws->dim;
  g_autofree ClusterOrder *order = g_new0 (ClusterOrder, k);
  g_autofree guint *new_label = g_new (guint, k);
  g_autofree guint *sizes = g_new0 (guint, k);

  for (guint i = 0; i < ws->n; i++)
    sizes[ws->best_labels[i]]++;
  for (guint j = 0; j < k; j++)
    {
      order[j].size = sizes[j];
      order[j].centroid = ws->best_centroids + (gsize) j * dim;
      order[j].dim = dim;
      order[j].index = j;
    }
  qsort (order, k, sizeof *order, compare_clusters);

  result->k = k;
  result->dim = dim;
  result->n_points = ws->n;
  result->inertia = ws->best_inertia;
  result->n_iterations = ws->best_iterations;
  result->converged = ws->best_converged;
  result->sizes = g_new (guint, k);
  result->centroids = g_new (double, (gsize) k * dim);
  result->centroids_original = g_new (double, (gsize) k * dim);
  for (guint j = 0; j < k; j++)
    {
      new_label[order[j].index] = j;
      result->sizes[j] = order[j].size;
      memcpy (result->centroids + (gsize) j * dim, order[j].centroid,
              dim * sizeof (double));
      ct_kmeans_features_to_original (features, order[j].centroid,
                                      result->centroids_original + (gsize) j * dim);
    }
  result->assignments = g_new (guint, ws->n);
  for (guint i = 0; i < ws->n; i++)
    result->assignments[i] = new_label[ws->best_labels[i]];

  return result;
}

CtKmeansResult *
ct_kmeans_cluster (const CtKmeansFeatures  *features,
                   guint                    k,
                   const CtKmeansOptions   *options,
                   GCancellable            *cancellable,
                   GError                 **error)
{
  CtKmeansOptions opts;
  Workspace ws;
  CtKmeansResult *result = NULL;

  g_return_val_if_fail (features != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  get_options (options, &opts);
  if (!check_k (features, k, error) || !check_options (&opts, error))
    return NULL;

  workspace_init (&ws, features, k);
  for (guint r = 0; r < opts.n_init; r++)
    {
      Pcg rng;

      pcg_seed (&rng, opts.seed, r);
      if (!plusplus (&ws, &rng, NULL))
        {
          set_too_few_distinct (error, k);
          goto out;
        }
      if (!lloyd (&ws, opts.max_iter, cancellable, error))
        goto out;
    }
  result = make_result (&ws, features);

out:
  workspace_clear (&ws);
  return result;
}

CtKmeansResult *
ct_kmeans_cluster_from (const CtKmeansFeatures  *features,
                        guint                    k,
                        const double            *initial_centroids,
                        const CtKmeansOptions   *options,
                        GCancellable            *cancellable,
                        GError                 **error)
{
  CtKmeansOptions opts;
  Workspace ws;
  CtKmeansResult *result = NULL;

  g_return_val_if_fail (features != NULL, NULL);
  g_return_val_if_fail (k == 0 || initial_centroids != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  get_options (options, &opts);
  if (!check_k (features, k, error) || !check_options (&opts, error))
    return NULL;

  for (gsize i = 0; i < (gsize) k * features->dim; i++)
    if (!isfinite (initial_centroids[i]))
      {
        g_set_error (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_INVALID,
                     /* Translators: %u counts clusters from 1. */
                     _("The starting position of cluster %u is not a finite number."),
                     (guint) (i / features->dim) + 1);
        return NULL;
      }

  workspace_init (&ws, features, k);
  memcpy (ws.centroids, initial_centroids,
          (gsize) k * features->dim * sizeof (double));
  if (lloyd (&ws, opts.max_iter, cancellable, error))
    result = make_result (&ws, features);

  workspace_clear (&ws);
  return result;
}

gboolean
ct_kmeans_plusplus (const CtKmeansFeatures  *features,
                    guint                    k,
                    guint64                  seed,
                    guint                   *out_indices,
                    GError                 **error)
{
  Workspace ws;
  Pcg rng;
  gboolean ok;

  g_return_val_if_fail (features != NULL, FALSE);
  g_return_val_if_fail (k == 0 || out_indices != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_k (features, k, error))
    return FALSE;

  /* The same stream as the first start of ct_kmeans_cluster(). */
  workspace_init (&ws, features, k);
  pcg_seed (&rng, seed, 0);
  ok = plusplus (&ws, &rng, out_indices);
  if (!ok)
    set_too_few_distinct (error, k);
  workspace_clear (&ws);

  return ok;
}

static int
compare_guint (gconstpointer a,
               gconstpointer b)
{
  guint ua = *(const guint *) a;
  guint ub = *(const guint *) b;

  return ua < ub ? -1 : ua > ub;
}

gboolean
ct_kmeans_silhouette (const CtKmeansFeatures  *features,
                      const guint             *labels,
                      guint                    k,
                      guint                    sample_size,
                      guint64                  seed,
                      double                  *out_score,
                      GError                 **error)
{
  guint n;
  guint m;
  guint dim;
  guint present = 0;
  double total = 0;
  g_autofree guint *sample = NULL;
  g_autofree guint *counts = NULL;
  g_autofree double *sums = NULL;

  g_return_val_if_fail (features != NULL, FALSE);
  g_return_val_if_fail (labels != NULL, FALSE);
  g_return_val_if_fail (out_score != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  n = features->n_points;
  dim = features->dim;
  for (guint i = 0; i < n; i++)
    g_return_val_if_fail (labels[i] < k, FALSE);

  /* Which points: all, or a sample drawn by a partial Fisher-Yates
   * shuffle, then sorted so that memory is read in order. */
  m = (sample_size > 0 && n > sample_size) ? sample_size : n;
  sample = g_new (guint, n);
  for (guint i = 0; i < n; i++)
    sample[i] = i;
  if (m < n)
    {
      Pcg rng;

      pcg_seed (&rng, seed, SILHOUETTE_STREAM);
      for (guint i = 0; i < m; i++)
        {
          guint j = i + pcg_below (&rng, n - i);
          guint swap = sample[i];

          sample[i] = sample[j];
          sample[j] = swap;
        }
      qsort (sample, m, sizeof (guint), compare_guint);
    }

  counts = g_new0 (guint, k);
  for (guint s = 0; s < m; s++)
    if (counts[labels[sample[s]]]++ == 0)
      present++;
  if (present < 2)
    {
      g_set_error_literal (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_INVALID,
                           m < n
                           ? _("Cannot score this clustering: the sample of customers all fell in one cluster.")
                           : _("Cannot score a clustering with fewer than two clusters."));
      return FALSE;
    }

  /* sums[s × k + c]: total distance from sample point s to the sample
   * points of cluster c. Each pair is measured once. */
  sums = g_new0 (double, (gsize) m * k);
  for (guint s = 0; s < m; s++)
    {
      const double *p = features->values + (gsize) sample[s] * dim;
      guint ls = labels[sample[s]];

      for (guint u = s + 1; u < m; u++)
        {
          double d = sqrt (squared_distance (p, features->values + (gsize) sample[u] * dim, dim));

          sums[(gsize) s * k + labels[sample[u]]] += d;
          sums[(gsize) u * k + ls] += d;
        }
    }

  for (guint s = 0; s < m; s++)
    {
      guint own = labels[sample[s]];
      double a;
      double b = INFINITY;
      double largest;

      if (counts[own] == 1)
        continue;  /* 0 by definition */

      a = sums[(gsize) s * k + own] / (counts[own] - 1);
      for (guint c = 0; c < k; c++)
        if (c != own && counts[c] > 0)
          b = MIN (b, sums[(gsize) s * k + c] / counts[c]);
      largest = MAX (a, b);
      if (largest > 0)
        total += (b - a) / largest;
    }

  *out_score = total / m;
  return TRUE;
}

guint
ct_kmeans_suggest_k (const CtKmeansFeatures  *features,
                     guint                    k_min,
                     guint                    k_max,
                     const CtKmeansOptions   *options,
                     double                  *scores,
                     CtKmeansResult         **out_best,
                     GCancellable            *cancellable,
                     GError                 **error)
{
  CtKmeansOptions opts;
  g_autoptr(CtKmeansResult) best = NULL;
  double best_score = -INFINITY;
  guint k_last;

  g_return_val_if_fail (features != NULL, 0);
  g_return_val_if_fail (out_best == NULL || *out_best == NULL, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  get_options (options, &opts);
  if (k_min < 2 || k_max < k_min)
    {
      g_set_error (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_INVALID,
                   _("Cannot suggest a number of clusters between %u and %u: the range must start at 2 or more and not end before it starts."),
                   k_min, k_max);
      return 0;
    }
  if (!check_options (&opts, error))
    return 0;

  if (scores != NULL)
    for (guint k = k_min; k <= k_max; k++)
      scores[k - k_min] = NAN;

  /* A silhouette needs a cluster with two points or more. */
  k_last = MIN (k_max, features->n_points - 1);
  if (k_last < k_min)
    {
      g_set_error (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_TOO_FEW_POINTS,
                   ngettext ("Cannot compare numbers of clusters with %u customer: it needs at least %u.",
                             "Cannot compare numbers of clusters with %u customers: it needs at least %u.",
                             features->n_points),
                   features->n_points, k_min + 1);
      return 0;
    }

  for (guint k = k_min; k <= k_last; k++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(CtKmeansResult) result = NULL;
      double score;

      result = ct_kmeans_cluster (features, k, &opts, cancellable, &local_error);
      if (result == NULL)
        {
          /* More clusters than different customers: larger k cannot
           * do better, but smaller ones were fine. */
          if (k > k_min && g_error_matches (local_error, CT_KMEANS_ERROR,
                                            CT_KMEANS_ERROR_TOO_FEW_DISTINCT))
            break;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return 0;
        }

      /* Unscorable only when the sample missed every cluster but one:
       * leave NaN and go on, the other k are still comparable. */
      if (!ct_kmeans_silhouette (features, result->assignments, k,
                                 opts.sample_size, opts.seed, &score, NULL))
        continue;

      if (scores != NULL)
        scores[k - k_min] = score;
      if (score > best_score)
        {
          best_score = score;
          g_clear_pointer (&best, ct_kmeans_result_free);
          best = g_steal_pointer (&result);
        }
    }

  if (best == NULL)
    {
      g_set_error_literal (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_INVALID,
                           _("Cannot suggest a number of clusters: no clustering could be scored."));
      return 0;
    }

  {
    guint k = best->k;

    if (out_best != NULL)
      *out_best = g_steal_pointer (&best);
    return k;
  }
}
