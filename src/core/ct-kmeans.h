/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-kmeans.h: grouping customers by k-means++ on standardised log RFM */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CT_KMEANS_ERROR (ct_kmeans_error_quark ())

typedef enum
{
  CT_KMEANS_ERROR_INVALID,            /* k < 1, a bad range, a value out of range */
  CT_KMEANS_ERROR_TOO_FEW_POINTS,     /* fewer customers than clusters */
  CT_KMEANS_ERROR_TOO_FEW_DISTINCT,   /* fewer different customers than clusters */
} CtKmeansError;

GQuark ct_kmeans_error_quark (void);

/* The RFM features: log(1 + recency days), log(1 + frequency),
 * log(1 + monetary), in this order. */
#define CT_KMEANS_RFM_DIM 3

/* Points to cluster, row-major (point i is values[i * dim ... i * dim +
 * dim - 1]). When made from RFM, the values are z-scores and mean/sd say
 * how to go back to the original units; sd[j] is 0 for a feature that is
 * the same for every customer, whose z-score is then 0 for everyone (it
 * plays no part in distances instead of being divided by zero). */
typedef struct
{
  guint   n_points;
  guint   dim;
  double *values;           /* n_points × dim */
  gboolean standardised;    /* made by ct_kmeans_features_new_rfm() */
  double *mean;             /* dim: mean of log(1 + x); NULL unless standardised */
  double *sd;               /* dim: population sd of log(1 + x), or 0 */
} CtKmeansFeatures;

/* Returns: (transfer full): standardised log(1 + x) of each customer's
 * recency in days, number of purchases and amount spent (any unit: the
 * original-unit centroids come back in the same one). Each array holds
 * n_points values. CT_KMEANS_ERROR_INVALID for a value that is negative,
 * not a number or infinite, or when n_points is 0. */
CtKmeansFeatures *ct_kmeans_features_new_rfm (const double *recency_days,
                                              const double *frequency,
                                              const double *monetary,
                                              guint         n_points,
                                              GError      **error);
/* Returns: (transfer full): a copy of points used as they are (no log, no
 * standardisation). CT_KMEANS_ERROR_INVALID for a value that is not finite
 * or when n_points or dim is 0. */
CtKmeansFeatures *ct_kmeans_features_new     (const double *values,
                                              guint         n_points,
                                              guint         dim,
                                              GError      **error);
void              ct_kmeans_features_free    (CtKmeansFeatures *features);

/* Turns a point in feature space (dim values) back into original units:
 * for standardised features expm1 (mean + sd × z), i.e. for a centroid
 * the geometric mean of (1 + x) over its customers, minus 1, which is a
 * "typical" customer rather than an average pulled by the heaviest one.
 * For features used as they are, a copy. */
void              ct_kmeans_features_to_original (const CtKmeansFeatures *features,
                                                  const double           *point,
                                                  double                 *out);

typedef struct
{
  guint   n_init;       /* k-means++ starts; the lowest inertia is kept (10) */
  guint   max_iter;     /* Lloyd iterations per start (300) */
  guint   sample_size;  /* silhouette on at most this many points, 0 for all (2000) */
  guint64 seed;         /* same seed, same data: same result (0) */
} CtKmeansOptions;

/* Fills options with the defaults given above. */
void ct_kmeans_options_init (CtKmeansOptions *options);

typedef struct
{
  guint   k;
  guint   dim;
  guint   n_points;
  guint  *assignments;         /* n_points: the cluster of each point, 0 .. k-1 */
  guint  *sizes;               /* k: points in each cluster (never 0 once converged) */
  double *centroids;           /* k × dim, in feature space (z-scores for RFM) */
  double *centroids_original;  /* k × dim, see ct_kmeans_features_to_original() */
  double  inertia;             /* sum of squared distances to own centroid, feature space */
  guint   n_iterations;        /* Lloyd iterations of the start that was kept */
  gboolean converged;          /* FALSE when max_iter stopped it */
} CtKmeansResult;

void ct_kmeans_result_free (CtKmeansResult *result);

/* Clusters are numbered by size, largest first (ties by centroid), so
 * that numbers do not depend on which start won.
 *
 * Returns: (transfer full): the best of options->n_init k-means++ starts,
 * each run until no assignment changes or options->max_iter. options may
 * be NULL for the defaults. CT_KMEANS_ERROR_INVALID when k < 1,
 * CT_KMEANS_ERROR_TOO_FEW_POINTS when there are fewer points than k,
 * CT_KMEANS_ERROR_TOO_FEW_DISTINCT when fewer than k points differ,
 * G_IO_ERROR_CANCELLED when cancellable (may be NULL) was cancelled: it
 * is checked at every iteration, so a worker thread stops promptly. */
CtKmeansResult *ct_kmeans_cluster      (const CtKmeansFeatures *features,
                                        guint                   k,
                                        const CtKmeansOptions  *options,
                                        GCancellable           *cancellable,
                                        GError                **error);
/* Same, but one run from the given centroids (k × dim, feature space), for
 * example last time's, so that cluster numbers stay put between
 * recomputes. A cluster left empty takes the point farthest from its own
 * centroid. */
CtKmeansResult *ct_kmeans_cluster_from (const CtKmeansFeatures *features,
                                        guint                   k,
                                        const double           *initial_centroids,
                                        const CtKmeansOptions  *options,
                                        GCancellable           *cancellable,
                                        GError                **error);

/* k-means++ seeding (D² sampling, with 2 + ln k candidates per centre
 * keeping the one that lowers the potential most, as scikit-learn does).
 * Writes the k chosen point indices to out_indices. A point is never
 * chosen twice: once chosen its weight is 0. Errors as
 * ct_kmeans_cluster(). */
gboolean ct_kmeans_plusplus (const CtKmeansFeatures *features,
                             guint                   k,
                             guint64                 seed,
                             guint                  *out_indices,
                             GError                **error);

/* Mean silhouette of the clustering given by labels (n_points values
 * below k): for each point (b − a) / max (a, b), a its mean Euclidean
 * distance to the rest of its cluster, b the least mean distance to
 * another cluster; 0 for a point alone in its cluster. The exact score
 * costs O(n²), so with more than sample_size points (0: never) it is
 * computed on sample_size points drawn without replacement with the seed,
 * as scikit-learn's sample_size does: an estimate, the same every time.
 * CT_KMEANS_ERROR_INVALID when fewer than 2 clusters are present (in the
 * sample). */
gboolean ct_kmeans_silhouette (const CtKmeansFeatures *features,
                               const guint            *labels,
                               guint                   k,
                               guint                   sample_size,
                               guint64                 seed,
                               double                 *out_score,
                               GError                **error);

/* Clusters for each k from k_min (at least 2) to k_max and keeps the k
 * with the best silhouette (the smaller k on a tie). scores (may be NULL)
 * receives k_max − k_min + 1 values, NaN for a k that could not be tried
 * (more clusters than points minus one, or than different points) or
 * scored (the silhouette sample fell in one cluster). out_best (may be
 * NULL) receives the clustering for the chosen k. This clusters
 * k_max − k_min + 1 times: run it where waiting is fine.
 *
 * Returns: the suggested k, or 0 with CT_KMEANS_ERROR_* when none could
 * be tried. */
guint ct_kmeans_suggest_k (const CtKmeansFeatures *features,
                           guint                   k_min,
                           guint                   k_max,
                           const CtKmeansOptions  *options,
                           double                 *scores,
                           CtKmeansResult        **out_best,
                           GCancellable           *cancellable,
                           GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtKmeansFeatures, ct_kmeans_features_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtKmeansResult, ct_kmeans_result_free)

G_END_DECLS
