/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-kmeans.c: tests for ct-kmeans */
#include "config.h"

#include <locale.h>
#include <math.h>

#include "ct-kmeans.h"

/* A small deterministic generator for test data, independent of the one
 * inside ct-kmeans and of GLib's (xorshift64*). */
typedef struct
{
  guint64 s;
} TestRng;

static double
test_uniform (TestRng *rng)
{
  rng->s ^= rng->s >> 12;
  rng->s ^= rng->s << 25;
  rng->s ^= rng->s >> 27;
  return (double) ((rng->s * G_GUINT64_CONSTANT (2685821657736338717)) >> 11)
         / 9007199254740992.0;
}

/* Roughly normal: the sum of 12 uniforms, minus 6. */
static double
test_normal (TestRng *rng)
{
  double sum = 0;

  for (int i = 0; i < 12; i++)
    sum += test_uniform (rng);
  return sum - 6;
}

/* n_blobs blobs of per_blob points in dim dimensions, centres 10 apart
 * along the diagonal and spread 0.5: truth[i] is the blob of point i. */
static CtKmeansFeatures *
make_blobs (guint   n_blobs,
            guint   per_blob,
            guint   dim,
            guint64 seed,
            guint **truth)
{
  guint n = n_blobs * per_blob;
  g_autofree double *values = g_new (double, (gsize) n * dim);
  TestRng rng = { seed * 2 + 1 };
  CtKmeansFeatures *features;

  *truth = g_new (guint, n);
  for (guint i = 0; i < n; i++)
    {
      guint blob = i % n_blobs;

      (*truth)[i] = blob;
      for (guint t = 0; t < dim; t++)
        values[(gsize) i * dim + t] = 10.0 * blob * (t % 2 ? -1 : 1)
                                      + 0.5 * test_normal (&rng);
    }
  features = ct_kmeans_features_new (values, n, dim, NULL);
  g_assert_nonnull (features);
  return features;
}

/* The labels are the same partition as truth, whatever the numbering. */
static void
assert_same_partition (const guint *labels,
                       const guint *truth,
                       guint        n,
                       guint        k)
{
  g_autofree guint *map = g_new (guint, k);
  g_autofree gboolean *used = g_new0 (gboolean, k);

  for (guint j = 0; j < k; j++)
    map[j] = G_MAXUINT;
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpuint (labels[i], <, k);
      if (map[truth[i]] == G_MAXUINT)
        {
          g_assert_false (used[labels[i]]);
          used[labels[i]] = TRUE;
          map[truth[i]] = labels[i];
        }
      g_assert_cmpuint (labels[i], ==, map[truth[i]]);
    }
}

static void
test_features_rfm (void)
{
  /* log1p gives 0 and 1 (and 0, 2 for the money): mean 0.5 and 1, sd 0.5
   * and 1, so z-scores of exactly −1 and 1. */
  const double recency[] = { 0, M_E - 1 };
  const double frequency[] = { 4, 4 };
  const double monetary[] = { 0, expm1 (2) };
  g_autoptr(GError) error = NULL;
  g_autoptr(CtKmeansFeatures) features = NULL;
  double back[3];

  features = ct_kmeans_features_new_rfm (recency, frequency, monetary, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (features->n_points, ==, 2);
  g_assert_cmpuint (features->dim, ==, CT_KMEANS_RFM_DIM);
  g_assert_true (features->standardised);

  g_assert_cmpfloat_with_epsilon (features->mean[0], 0.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (features->sd[0], 0.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (features->mean[2], 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (features->sd[2], 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (features->values[0], -1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (features->values[3], 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (features->values[2], -1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (features->values[5], 1.0, 1e-12);

  /* The constant frequency: no spread, z = 0 for both, not 0/0. */
  g_assert_cmpfloat (features->sd[1], ==, 0.0);
  g_assert_cmpfloat (features->values[1], ==, 0.0);
  g_assert_cmpfloat (features->values[4], ==, 0.0);
  g_assert_cmpfloat_with_epsilon (features->mean[1], log1p (4), 1e-15);

  /* Back to days, purchases and money. */
  ct_kmeans_features_to_original (features, &features->values[3], back);
  g_assert_cmpfloat_with_epsilon (back[0], M_E - 1, 1e-9);
  g_assert_cmpfloat_with_epsilon (back[1], 4.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (back[2], expm1 (2), 1e-9);
}

static void
test_features_constant (void)
{
  /* The mean of many equal values carries a rounding error; dividing it
   * by an sd of the same size would make z-scores of ±1 out of nothing. */
  guint n = 1001;
  g_autofree double *recency = g_new (double, n);
  g_autofree double *frequency = g_new (double, n);
  g_autofree double *monetary = g_new (double, n);
  g_autoptr(CtKmeansFeatures) features = NULL;
  g_autoptr(CtKmeansResult) result = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    {
      recency[i] = 0.1;
      frequency[i] = 1 + i % 2;
      monetary[i] = 99.9;
    }
  features = ct_kmeans_features_new_rfm (recency, frequency, monetary, n, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (features->sd[0], ==, 0.0);
  g_assert_cmpfloat (features->sd[2], ==, 0.0);
  g_assert_cmpfloat (features->sd[1], >, 0.0);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpfloat (features->values[i * 3], ==, 0.0);
      g_assert_cmpfloat (features->values[i * 3 + 2], ==, 0.0);
      g_assert_true (isfinite (features->values[i * 3 + 1]));
    }

  /* Only the frequency separates them. */
  result = ct_kmeans_cluster (features, 2, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->sizes[0], ==, 501);
  g_assert_cmpuint (result->sizes[1], ==, 500);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (result->assignments[i], ==, i % 2 == 0 ? 0 : 1);
  g_assert_cmpfloat_with_epsilon (result->centroids_original[0], 0.1, 1e-12);
  g_assert_cmpfloat_with_epsilon (result->centroids_original[1], 1.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (result->centroids_original[2], 99.9, 1e-9);
  g_assert_cmpfloat_with_epsilon (result->centroids_original[4], 2.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (result->inertia, 0.0, 1e-9);
}

static void
test_features_invalid (void)
{
  const double good[] = { 1, 2, 3 };
  const double negative[] = { 1, -2, 3 };
  const double not_a_number[] = { 1, 2, NAN };
  const double infinite[] = { INFINITY, 2, 3 };
  const double raw_bad[] = { 1, 2, 3, NAN };
  g_autoptr(GError) error = NULL;
  CtKmeansFeatures *features;

  features = ct_kmeans_features_new_rfm (good, negative, good, 3, &error);
  g_assert_null (features);
  g_assert_error (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "customer 2"));
  g_assert_nonnull (strstr (error->message, "number of purchases"));
  g_clear_error (&error);

  features = ct_kmeans_features_new_rfm (good, good, not_a_number, 3, &error);
  g_assert_null (features);
  g_assert_error (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "customer 3"));
  g_assert_nonnull (strstr (error->message, "amount spent"));
  g_clear_error (&error);

  features = ct_kmeans_features_new_rfm (infinite, good, good, 3, &error);
  g_assert_null (features);
  g_assert_error (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "customer 1"));
  g_clear_error (&error);

  features = ct_kmeans_features_new_rfm (NULL, NULL, NULL, 0, &error);
  g_assert_null (features);
  g_assert_error (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "There are no customers to cluster.");
  g_clear_error (&error);

  features = ct_kmeans_features_new (raw_bad, 2, 2, &error);
  g_assert_null (features);
  g_assert_error (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "Cannot cluster point 2: its coordinate 2 is not a finite number.");
  g_clear_error (&error);

  features = ct_kmeans_features_new (good, 3, 0, &error);
  g_assert_null (features);
  g_assert_error (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_INVALID);
}

static void
test_obvious_clusters (void)
{
  g_autofree guint *truth = NULL;
  g_autoptr(CtKmeansFeatures) features = make_blobs (3, 20, 3, 1, &truth);
  g_autoptr(CtKmeansResult) result = NULL;
  g_autoptr(GError) error = NULL;

  result = ct_kmeans_cluster (features, 3, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->k, ==, 3);
  g_assert_cmpuint (result->dim, ==, 3);
  g_assert_cmpuint (result->n_points, ==, 60);
  g_assert_true (result->converged);
  g_assert_cmpuint (result->n_iterations, >=, 1);
  assert_same_partition (result->assignments, truth, 60, 3);

  for (guint j = 0; j < 3; j++)
    {
      double mean[3] = { 0, 0, 0 };

      g_assert_cmpuint (result->sizes[j], ==, 20);
      /* Each centroid is the mean of its points... */
      for (guint i = 0; i < 60; i++)
        if (result->assignments[i] == j)
          for (guint t = 0; t < 3; t++)
            mean[t] += features->values[i * 3 + t] / 20;
      for (guint t = 0; t < 3; t++)
        {
          g_assert_cmpfloat_with_epsilon (result->centroids[j * 3 + t], mean[t], 1e-9);
          /* ... and, the features being raw, in original units as well. */
          g_assert_cmpfloat (result->centroids_original[j * 3 + t], ==,
                             result->centroids[j * 3 + t]);
        }
    }

  /* The inertia is what it says. */
  {
    double inertia = 0;

    for (guint i = 0; i < 60; i++)
      for (guint t = 0; t < 3; t++)
        {
          double e = features->values[i * 3 + t]
                     - result->centroids[result->assignments[i] * 3 + t];
          inertia += e * e;
        }
    g_assert_cmpfloat_with_epsilon (result->inertia, inertia, 1e-9);
  }
}

static void
test_one_cluster (void)
{
  /* k = 1 on RFM: the centroid in days is the geometric mean of 1 + x,
   * minus 1: (1 × 4)^½ − 1 = 1 for 0 and 3 days. */
  const double recency[] = { 0, 3 };
  const double frequency[] = { 1, 1 };
  const double monetary[] = { 8, 8 };
  g_autoptr(CtKmeansFeatures) features = NULL;
  g_autoptr(CtKmeansResult) result = NULL;
  g_autoptr(GError) error = NULL;

  features = ct_kmeans_features_new_rfm (recency, frequency, monetary, 2, &error);
  g_assert_no_error (error);
  result = ct_kmeans_cluster (features, 1, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->sizes[0], ==, 2);
  g_assert_cmpuint (result->assignments[0], ==, 0);
  g_assert_cmpuint (result->assignments[1], ==, 0);
  g_assert_cmpfloat_with_epsilon (result->centroids[0], 0.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (result->centroids_original[0], 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (result->centroids_original[1], 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (result->centroids_original[2], 8.0, 1e-12);
  /* z = ±1 in recency, the rest constant. */
  g_assert_cmpfloat_with_epsilon (result->inertia, 2.0, 1e-12);
}

static void
test_determinism (void)
{
  g_autofree guint *truth = NULL;
  /* Blobs that overlap, so that the starts matter. */
  guint n = 600;
  g_autofree double *values = g_new (double, n * 2);
  TestRng rng = { 99 };
  g_autoptr(CtKmeansFeatures) features = NULL;
  CtKmeansOptions options;
  g_autoptr(CtKmeansResult) a = NULL;
  g_autoptr(CtKmeansResult) b = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n * 2; i++)
    values[i] = test_uniform (&rng);
  features = ct_kmeans_features_new (values, n, 2, &error);
  g_assert_no_error (error);

  ct_kmeans_options_init (&options);
  options.seed = 12345;
  a = ct_kmeans_cluster (features, 6, &options, NULL, &error);
  g_assert_no_error (error);
  b = ct_kmeans_cluster (features, 6, &options, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpmem (a->assignments, n * sizeof (guint), b->assignments, n * sizeof (guint));
  g_assert_cmpmem (a->centroids, 6 * 2 * sizeof (double), b->centroids, 6 * 2 * sizeof (double));
  g_assert_cmpmem (a->sizes, 6 * sizeof (guint), b->sizes, 6 * sizeof (guint));
  g_assert_cmpfloat (a->inertia, ==, b->inertia);
  g_assert_cmpuint (a->n_iterations, ==, b->n_iterations);

  /* Clusters come largest first. */
  for (guint j = 1; j < 6; j++)
    g_assert_cmpuint (a->sizes[j - 1], >=, a->sizes[j]);
  {
    guint total = 0;

    for (guint j = 0; j < 6; j++)
      {
        g_assert_cmpuint (a->sizes[j], >, 0);
        total += a->sizes[j];
      }
    g_assert_cmpuint (total, ==, n);
  }

  /* The seeding too. */
  {
    guint ia[6];
    guint ib[6];

    g_assert_true (ct_kmeans_plusplus (features, 6, 7, ia, &error));
    g_assert_true (ct_kmeans_plusplus (features, 6, 7, ib, &error));
    g_assert_cmpmem (ia, sizeof ia, ib, sizeof ib);
  }
}

static void
test_plusplus_distinct (void)
{
  /* With k = n, every point must be chosen exactly once: a point already
   * chosen has weight 0 and may never come out again. */
  const guint n = 12;
  double values[12 * 2];
  g_autoptr(CtKmeansFeatures) features = NULL;
  g_autoptr(CtKmeansFeatures) few = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    {
      /* Uneven spacing, some points very close to each other. */
      values[i * 2] = (i % 4) + 1e-6 * i;
      values[i * 2 + 1] = (i / 4) * 100.0;
    }
  features = ct_kmeans_features_new (values, n, 2, &error);
  g_assert_no_error (error);

  for (guint64 seed = 0; seed < 200; seed++)
    {
      guint indices[12];
      gboolean seen[12] = { FALSE, };

      g_assert_true (ct_kmeans_plusplus (features, n, seed, indices, &error));
      g_assert_no_error (error);
      for (guint c = 0; c < n; c++)
        {
          g_assert_cmpuint (indices[c], <, n);
          g_assert_false (seen[indices[c]]);
          seen[indices[c]] = TRUE;
        }
    }

  /* And so k = n clusters is every point alone, inertia 0. */
  {
    g_autoptr(CtKmeansResult) result = ct_kmeans_cluster (features, n, NULL, NULL, &error);

    g_assert_no_error (error);
    for (guint j = 0; j < n; j++)
      g_assert_cmpuint (result->sizes[j], ==, 1);
    g_assert_cmpfloat (result->inertia, ==, 0.0);
  }

  /* Two of four points the same: three clusters at most. */
  {
    const double dup[] = { 0, 0, 1, 1, 0, 0, 5, 5 };
    guint indices[4];

    few = ct_kmeans_features_new (dup, 4, 2, &error);
    g_assert_no_error (error);
    g_assert_true (ct_kmeans_plusplus (few, 3, 0, indices, &error));
    g_assert_no_error (error);
    g_assert_false (ct_kmeans_plusplus (few, 4, 0, indices, &error));
    g_assert_error (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_TOO_FEW_DISTINCT);
    g_clear_error (&error);
    g_assert_null (ct_kmeans_cluster (few, 4, NULL, NULL, &error));
    g_assert_error (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_TOO_FEW_DISTINCT);
    g_assert_cmpstr (error->message, ==,
                     "Cannot make 4 clusters: fewer customers than that differ from each other.");
  }
}

static void
test_empty_cluster (void)
{
  /* Started with one centroid in the middle and one far away, the far one
   * gets no point at all. It must take the point farthest from its
   * centroid (12, at 7 from 5) and the run must end in the two groups. */
  const double values[] = { 0, 1, 2, 10, 11, 12 };
  const double start[] = { 5, 1000 };
  g_autoptr(CtKmeansFeatures) features = NULL;
  g_autoptr(CtKmeansResult) result = NULL;
  g_autoptr(GError) error = NULL;

  features = ct_kmeans_features_new (values, 6, 1, &error);
  g_assert_no_error (error);
  result = ct_kmeans_cluster_from (features, 2, start, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (result->converged);
  g_assert_cmpuint (result->sizes[0], ==, 3);
  g_assert_cmpuint (result->sizes[1], ==, 3);
  /* Equal sizes: numbered by centroid. */
  g_assert_cmpfloat_with_epsilon (result->centroids[0], 1.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (result->centroids[1], 11.0, 1e-12);
  for (guint i = 0; i < 6; i++)
    g_assert_cmpuint (result->assignments[i], ==, i < 3 ? 0 : 1);
  g_assert_cmpfloat_with_epsilon (result->inertia, 4.0, 1e-12);
  g_clear_pointer (&result, ct_kmeans_result_free);

  /* Two empty clusters at once, three groups. */
  {
    const double values3[] = { 0, 1, 2, 10, 11, 12, 20, 21, 22 };
    const double start3[] = { -1000, 11, 1000 };
    g_autoptr(CtKmeansFeatures) f3 = ct_kmeans_features_new (values3, 9, 1, &error);

    g_assert_no_error (error);
    result = ct_kmeans_cluster_from (f3, 3, start3, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpfloat_with_epsilon (result->inertia, 6.0, 1e-12);
    for (guint j = 0; j < 3; j++)
      {
        g_assert_cmpuint (result->sizes[j], ==, 3);
        g_assert_cmpfloat_with_epsilon (result->centroids[j], 1.0 + 10 * j, 1e-12);
      }
    g_clear_pointer (&result, ct_kmeans_result_free);
  }

  /* All points equal: a second cluster has nothing to take. */
  {
    const double same[] = { 3, 3, 3, 3 };
    const double start2[] = { 0, 9 };
    g_autoptr(CtKmeansFeatures) f4 = ct_kmeans_features_new (same, 4, 1, &error);

    g_assert_no_error (error);
    g_assert_null (ct_kmeans_cluster_from (f4, 2, start2, NULL, NULL, &error));
    g_assert_error (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_TOO_FEW_DISTINCT);
    g_clear_error (&error);
  }

  /* Starting centroids must be numbers. */
  {
    const double bad[] = { 0, NAN };

    g_assert_null (ct_kmeans_cluster_from (features, 2, bad, NULL, NULL, &error));
    g_assert_error (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_INVALID);
    g_assert_cmpstr (error->message, ==,
                     "The starting position of cluster 2 is not a finite number.");
  }
}

static void
test_n_init (void)
{
  /* Points spread evenly in a square have many local minima. Start r is
   * the same whatever n_init, so more starts can only lower the
   * inertia; over a few seeds it must actually be lower sometimes,
   * otherwise the restarts would be doing nothing. */
  guint n = 400;
  g_autofree double *values = g_new (double, n * 2);
  TestRng rng = { 7 };
  g_autoptr(CtKmeansFeatures) features = NULL;
  g_autoptr(GError) error = NULL;
  guint improved = 0;

  for (guint i = 0; i < n * 2; i++)
    values[i] = test_uniform (&rng);
  features = ct_kmeans_features_new (values, n, 2, &error);
  g_assert_no_error (error);

  for (guint64 seed = 0; seed < 10; seed++)
    {
      double previous = INFINITY;
      double first = 0;

      for (guint n_init = 1; n_init <= 8; n_init++)
        {
          CtKmeansOptions options;
          g_autoptr(CtKmeansResult) result = NULL;

          ct_kmeans_options_init (&options);
          options.seed = seed;
          options.n_init = n_init;
          result = ct_kmeans_cluster (features, 7, &options, NULL, &error);
          g_assert_no_error (error);
          g_assert_cmpfloat (result->inertia, <=, previous);
          if (n_init == 1)
            first = result->inertia;
          previous = result->inertia;
        }
      if (previous < first * (1 - 1e-9))
        improved++;
    }
  g_assert_cmpuint (improved, >, 0);
}

static void
test_silhouette_exact (void)
{
  g_autoptr(GError) error = NULL;
  double score;

  /* 1-D: {0, 1} and {4, 5, 6}.
   *   0: a = 1,   b = (4 + 5 + 6) / 3 = 5,   s = 4/5
   *   1: a = 1,   b = (3 + 4 + 5) / 3 = 4,   s = 3/4
   *   4: a = 1.5, b = (4 + 3) / 2 = 3.5,     s = 2/3.5 = 4/7
   *   5: a = 1,   b = (5 + 4) / 2 = 4.5,     s = 3.5/4.5 = 7/9
   *   6: a = 1.5, b = (6 + 5) / 2 = 5.5,     s = 4/5.5 = 8/11 */
  {
    const double values[] = { 0, 1, 4, 5, 6 };
    const guint labels[] = { 0, 0, 1, 1, 1 };
    g_autoptr(CtKmeansFeatures) f = ct_kmeans_features_new (values, 5, 1, &error);

    g_assert_no_error (error);
    g_assert_true (ct_kmeans_silhouette (f, labels, 2, 0, 0, &score, &error));
    g_assert_no_error (error);
    g_assert_cmpfloat_with_epsilon (score, (4.0 / 5 + 3.0 / 4 + 4.0 / 7 + 7.0 / 9 + 8.0 / 11) / 5,
                                    1e-12);
  }

  /* A point alone in its cluster counts 0 (and a label may be unused):
   *   0: a = 1, b = 10, s = 9/10;  1: a = 1, b = 9, s = 8/9;  10: 0 */
  {
    const double values[] = { 0, 1, 10 };
    const guint labels[] = { 2, 2, 0 };
    g_autoptr(CtKmeansFeatures) f = ct_kmeans_features_new (values, 3, 1, &error);

    g_assert_no_error (error);
    g_assert_true (ct_kmeans_silhouette (f, labels, 3, 0, 0, &score, &error));
    g_assert_cmpfloat_with_epsilon (score, (9.0 / 10 + 8.0 / 9) / 3, 1e-12);
  }

  /* Euclidean distances, not squared: {(0,0), (0,3)} and {(4,0), (4,3)}
   * give every point a = 3, b = (4 + 5) / 2, s = 1/3 (squared distances
   * would give a = 9, b = 20.5). */
  {
    const double values[] = { 0, 0, 0, 3, 4, 0, 4, 3 };
    const guint labels[] = { 0, 0, 1, 1 };
    g_autoptr(CtKmeansFeatures) f = ct_kmeans_features_new (values, 4, 2, &error);

    g_assert_no_error (error);
    g_assert_true (ct_kmeans_silhouette (f, labels, 2, 0, 0, &score, &error));
    g_assert_cmpfloat_with_epsilon (score, 1.0 / 3, 1e-12);
    /* A sample as large as the data is the exact score. */
    g_assert_true (ct_kmeans_silhouette (f, labels, 2, 4, 99, &score, &error));
    g_assert_cmpfloat_with_epsilon (score, 1.0 / 3, 1e-12);
  }

  /* One cluster: nothing to compare with. */
  {
    const double values[] = { 0, 1, 2 };
    const guint labels[] = { 1, 1, 1 };
    g_autoptr(CtKmeansFeatures) f = ct_kmeans_features_new (values, 3, 1, &error);

    g_assert_no_error (error);
    g_assert_false (ct_kmeans_silhouette (f, labels, 2, 0, 0, &score, &error));
    g_assert_error (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_INVALID);
  }
}

static void
test_silhouette_sample (void)
{
  g_autofree guint *truth = NULL;
  /* 3,000 points: the exact score is still affordable to compare with. */
  g_autoptr(CtKmeansFeatures) features = make_blobs (3, 1000, 2, 3, &truth);
  g_autoptr(GError) error = NULL;
  double exact;
  double sampled;
  double again;
  double other;

  g_assert_true (ct_kmeans_silhouette (features, truth, 3, 0, 0, &exact, &error));
  g_assert_no_error (error);
  g_assert_true (ct_kmeans_silhouette (features, truth, 3, 500, 1, &sampled, &error));
  g_assert_true (ct_kmeans_silhouette (features, truth, 3, 500, 1, &again, &error));
  g_assert_true (ct_kmeans_silhouette (features, truth, 3, 500, 2, &other, &error));
  g_assert_no_error (error);

  /* Well separated: close to 1, and the estimate close to the truth. */
  g_assert_cmpfloat (exact, >, 0.9);
  g_assert_cmpfloat (exact, <, 1.0);
  g_assert_cmpfloat_with_epsilon (sampled, exact, 0.01);
  g_assert_cmpfloat_with_epsilon (other, exact, 0.01);
  /* Same seed, same sample; another seed, another sample. */
  g_assert_cmpfloat (sampled, ==, again);
  g_assert_cmpfloat (sampled, !=, other);
  g_assert_cmpfloat (sampled, !=, exact);
}

static void
test_suggest_k (void)
{
  g_autoptr(GError) error = NULL;

  /* Four blobs in 3-D. */
  {
    g_autofree guint *truth = NULL;
    g_autoptr(CtKmeansFeatures) features = make_blobs (4, 50, 3, 5, &truth);
    g_autoptr(CtKmeansResult) best = NULL;
    double scores[7];
    guint k;

    k = ct_kmeans_suggest_k (features, 2, 8, NULL, scores, &best, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (k, ==, 4);
    for (guint i = 0; i < 7; i++)
      {
        g_assert_true (isfinite (scores[i]));
        g_assert_cmpfloat (scores[i], <=, 1.0);
        if (i != 2)
          g_assert_cmpfloat (scores[i], <, scores[2]);
      }
    g_assert_nonnull (best);
    g_assert_cmpuint (best->k, ==, 4);
    assert_same_partition (best->assignments, truth, 200, 4);
  }

  /* Customers in RFM: regulars, lapsed one-off buyers, and occasional
   * buyers, each with some spread. */
  {
    guint n = 300;
    g_autofree double *recency = g_new (double, n);
    g_autofree double *frequency = g_new (double, n);
    g_autofree double *monetary = g_new (double, n);
    g_autoptr(CtKmeansFeatures) features = NULL;
    g_autoptr(CtKmeansResult) best = NULL;
    TestRng rng = { 2024 };
    static const double typical[3][3] = {
      { 5, 30, 8000 },
      { 400, 1, 50 },
      { 60, 5, 600 },
    };
    guint k;

    for (guint i = 0; i < n; i++)
      {
        const double *t = typical[i % 3];

        recency[i] = round (t[0] * exp (0.15 * test_normal (&rng)));
        frequency[i] = MAX (1, round (t[1] * exp (0.1 * test_normal (&rng))));
        monetary[i] = t[2] * exp (0.15 * test_normal (&rng));
      }
    features = ct_kmeans_features_new_rfm (recency, frequency, monetary, n, &error);
    g_assert_no_error (error);
    k = ct_kmeans_suggest_k (features, 2, 8, NULL, NULL, &best, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (k, ==, 3);
    for (guint j = 0; j < 3; j++)
      {
        /* Back in days, purchases and money, each centroid is near one
         * of the typical customers. */
        const double *c = best->centroids_original + j * 3;
        gboolean found = FALSE;

        for (guint g = 0; g < 3; g++)
          if (fabs (log1p (c[0]) - log1p (typical[g][0])) < 0.1
              && fabs (log1p (c[1]) - log1p (typical[g][1])) < 0.1
              && fabs (log1p (c[2]) - log1p (typical[g][2])) < 0.1)
            found = TRUE;
        g_assert_true (found);
        g_assert_cmpuint (best->sizes[j], ==, 100);
      }
  }

  /* Three different customers, many times over: k above 3 cannot be
   * tried and is left NaN. */
  {
    double values[30];
    double scores[7];
    g_autoptr(CtKmeansFeatures) features = NULL;
    guint k;

    for (guint i = 0; i < 30; i++)
      values[i] = (i % 3) * 10.0;
    features = ct_kmeans_features_new (values, 30, 1, &error);
    g_assert_no_error (error);
    k = ct_kmeans_suggest_k (features, 2, 8, NULL, scores, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (k, ==, 3);
    g_assert_cmpfloat_with_epsilon (scores[1], 1.0, 1e-12);
    g_assert_true (isfinite (scores[0]));
    for (guint i = 2; i < 7; i++)
      g_assert_true (isnan (scores[i]));
  }

  /* Fewer points than the range: stops at n − 1. */
  {
    const double values[] = { 0, 1, 10, 11 };
    double scores[3];
    g_autoptr(CtKmeansFeatures) features = ct_kmeans_features_new (values, 4, 1, &error);
    guint k;

    g_assert_no_error (error);
    k = ct_kmeans_suggest_k (features, 2, 4, NULL, scores, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (k, ==, 2);
    g_assert_true (isfinite (scores[0]));
    g_assert_true (isfinite (scores[1]));
    g_assert_true (isnan (scores[2]));
  }
}

static void
test_cancel (void)
{
  g_autofree guint *truth = NULL;
  g_autoptr(CtKmeansFeatures) features = make_blobs (3, 20, 2, 4, &truth);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  const double start[] = { 0, 0, 10, -10, 20, -20 };

  g_cancellable_cancel (cancellable);
  g_assert_null (ct_kmeans_cluster (features, 3, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_null (ct_kmeans_cluster_from (features, 3, start, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (ct_kmeans_suggest_k (features, 2, 5, NULL, NULL, NULL, cancellable, &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_errors (void)
{
  const double values[] = { 0, 1, 2 };
  g_autoptr(CtKmeansFeatures) features = ct_kmeans_features_new (values, 3, 1, NULL);
  g_autoptr(GError) error = NULL;
  CtKmeansOptions options;
  guint indices[4];

  g_assert_null (ct_kmeans_cluster (features, 0, NULL, NULL, &error));
  g_assert_error (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "The number of clusters must be at least 1.");
  g_clear_error (&error);

  g_assert_null (ct_kmeans_cluster (features, 4, NULL, NULL, &error));
  g_assert_error (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_TOO_FEW_POINTS);
  g_assert_cmpstr (error->message, ==,
                   "Cannot make 4 clusters out of 3 customers: each cluster needs at least one customer.");
  g_clear_error (&error);

  g_assert_false (ct_kmeans_plusplus (features, 4, 0, indices, &error));
  g_assert_error (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_TOO_FEW_POINTS);
  g_clear_error (&error);

  ct_kmeans_options_init (&options);
  options.n_init = 0;
  g_assert_null (ct_kmeans_cluster (features, 2, &options, NULL, &error));
  g_assert_error (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_cmpuint (ct_kmeans_suggest_k (features, 1, 3, NULL, NULL, NULL, NULL, &error), ==, 0);
  g_assert_error (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_cmpuint (ct_kmeans_suggest_k (features, 3, 2, NULL, NULL, NULL, NULL, &error), ==, 0);
  g_assert_error (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_INVALID);
  g_clear_error (&error);

  /* Three points allow k = 2 at most for a silhouette. */
  g_assert_cmpuint (ct_kmeans_suggest_k (features, 3, 8, NULL, NULL, NULL, NULL, &error), ==, 0);
  g_assert_error (error, CT_KMEANS_ERROR, CT_KMEANS_ERROR_TOO_FEW_POINTS);
  g_assert_cmpstr (error->message, ==,
                   "Cannot compare numbers of clusters with 3 customers: it needs at least 4.");
  g_clear_error (&error);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/kmeans/features/rfm", test_features_rfm);
  g_test_add_func ("/kmeans/features/constant", test_features_constant);
  g_test_add_func ("/kmeans/features/invalid", test_features_invalid);
  g_test_add_func ("/kmeans/cluster/obvious", test_obvious_clusters);
  g_test_add_func ("/kmeans/cluster/one", test_one_cluster);
  g_test_add_func ("/kmeans/cluster/determinism", test_determinism);
  g_test_add_func ("/kmeans/cluster/empty", test_empty_cluster);
  g_test_add_func ("/kmeans/cluster/n-init", test_n_init);
  g_test_add_func ("/kmeans/plusplus/distinct", test_plusplus_distinct);
  g_test_add_func ("/kmeans/silhouette/exact", test_silhouette_exact);
  g_test_add_func ("/kmeans/silhouette/sample", test_silhouette_sample);
  g_test_add_func ("/kmeans/suggest-k", test_suggest_k);
  g_test_add_func ("/kmeans/cancel", test_cancel);
  g_test_add_func ("/kmeans/errors", test_errors);

  return g_test_run ();
}
