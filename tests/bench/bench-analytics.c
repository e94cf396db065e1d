/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-analytics.c: the analytics next to pandas, SciPy and scikit-learn
 *
 * Run with `meson test --benchmark -C build -v` (or run the executable;
 * CLIENTELE_BENCH_CONTACTS=N picks another size, CLIENTELE_BENCH_DB an
 * existing database, analysed as of its latest purchase). It fills a
 * temporary database with ct_demo_generate() in a child process, then
 * times the whole ct_analytics_compute() (k fixed, nothing stored) and
 * each of its stages on its own, the way ct-analytics.c calls them, and
 * runs analytics_reference.py with /usr/bin/python3 on the same file: the
 * same stages written with pandas, SciPy and scikit-learn, as an analyst
 * would. The Python times are the baselines, measured in the same run, so
 * that results from different machines can be compared by their ratios.
 * The page cache is warm throughout. Nothing here fails on a threshold: it
 * reports (the goal is every ratio below 1, and the two k-means inertias
 * within 1%).
 *
 * Output format, one measurement a line:
 *
 *   <what, padded to 46 columns> <milliseconds, "%10.1f ms"> [ <ratio>x <baseline>]
 *
 * where the ratio is the C time divided by the Python stage named after
 * it: "python load" (the main currency and every purchase read into a
 * DataFrame), "python rfm", "python btyd_summaries", "python bgnbd_fit",
 * "python gamma_gamma_fit", "python btyd_scoring", "python kmeans"
 * (standardising the features and KMeans(n_clusters=k, n_init,
 * init='k-means++')), "python kpis" (counts, funnel, cohort retention,
 * cost per channel) and "python total" (their sum). The Python stages are
 * also printed on lines of their own, "python <stage>". Lines starting
 * with "#" are context: sizes, the fitted parameters of both sides, and
 * "# inertia: C <x>, scikit-learn <y>, relative difference <z>%".
 */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "ct-analytics.h"
#include "ct-btyd.h"
#include "ct-db.h"
#include "ct-demo.h"
#include "ct-kmeans.h"
#include "ct-kpi.h"
#include "ct-money.h"
#include "ct-rfm.h"

/* 2025-01-01 00:00 UTC, so that every run builds the same business. */
#define NOW G_GINT64_CONSTANT (1735689600)
#define SECONDS_PER_DAY 86400
/* The clusters of both sides: fixed, since suggesting k would time five
 * clusterings and silhouettes rather than one. */
#define K 4
#define HORIZON_MONTHS 12
#define DISCOUNT_RATE 0.10

static JsonObject *python_stages;

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static void
report (const char *what,
        double      ms,
        const char *stage)
{
  g_autofree char *name = stage != NULL ? g_strdup_printf ("python %s", stage) : NULL;

  if (stage != NULL && python_stages != NULL && json_object_has_member (python_stages, stage))
    {
      double baseline_ms = json_object_get_double_member (python_stages, stage) * 1000.0;

      g_print ("%-46s %10.1f ms  %8.2fx %s\n", what, ms, ms / baseline_ms, name);
    }
  else
    g_print ("%-46s %10.1f ms\n", what, ms);
}

static gint64
floor_day (gint64 seconds)
{
  gint64 day = seconds / SECONDS_PER_DAY;

  if (seconds % SECONDS_PER_DAY < 0)
    day--;
  return day;
}

/* The BTYD summaries as ct-analytics.c makes them (its load_summaries()
 * is private): one pass over the purchases in the main currency in
 * contact and time order, counting purchase days, into the customers'
 * order. */
static CtBtydCustomer *
btyd_summaries (CtDb          *db,
                gint64         as_of,
                const char    *currency,
                double         scale,
                gsize         *n_out)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (CtBtydCustomer));
  gint64 as_of_day = floor_day (as_of);
  gint64 current = -1, first_day = 0, last_day = 0, days = 0, repeat_spent = 0;
  gboolean have = FALSE;
  int rc;

  stmt = ct_db_prepare (db,
                        "SELECT contact_id, purchased_at, amount FROM purchases"
                        " WHERE contact_id IS NOT NULL AND refunded = 0"
                        " AND purchased_at <= ?1 AND currency = ?2"
                        " ORDER BY contact_id, purchased_at",
                        NULL);
  g_assert_nonnull (stmt);
  sqlite3_bind_int64 (stmt, 1, as_of);
  sqlite3_bind_text (stmt, 2, currency, -1, SQLITE_TRANSIENT);

#define FLUSH() G_STMT_START {                                                  \
    CtBtydCustomer c = { (double) (days - 1), (double) (last_day - first_day), \
                         (double) (as_of_day - first_day),                     \
                         days > 1 ? repeat_spent / scale / (double) (days - 1) : 0.0 }; \
    g_array_append_val (out, c);                                               \
  } G_STMT_END

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 contact_id = sqlite3_column_int64 (stmt, 0);
      gint64 day = floor_day (sqlite3_column_int64 (stmt, 1));
      gint64 amount = sqlite3_column_int64 (stmt, 2);

      if (!have || contact_id != current)
        {
          if (have)
            FLUSH ();
          have = TRUE;
          current = contact_id;
          first_day = last_day = day;
          days = 1;
          repeat_spent = 0;
        }
      else if (day != last_day)
        {
          days++;
          last_day = day;
        }
      if (day != first_day)
        repeat_spent += amount;
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  if (have)
    FLUSH ();
#undef FLUSH

  *n_out = out->len;
  return (CtBtydCustomer *) g_array_free (g_steal_pointer (&out), FALSE);
}

/* Progress of the whole run: the time at each fraction reported. */
typedef struct
{
  double start;
  double last;
  GString *phases;
  double last_fraction;
} Progress;

static void
on_progress (double   fraction,
             gpointer user_data)
{
  Progress *p = user_data;
  double t = now_ms ();

  if (fraction > p->last_fraction)
    g_string_append_printf (p->phases, "#   %.2f–%.2f: %.1f ms\n",
                            p->last_fraction, fraction, t - p->last);
  p->last = t;
  p->last_fraction = fraction;
}

/* Runs the reference script; returns its JSON, or %NULL after saying why. */
static JsonObject *
run_python (const char *path,
            gint64      as_of,
            guint       n_init,
            guint       decimals,
            double     *wall_ms)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *as_of_text = g_strdup_printf ("%" G_GINT64_FORMAT, as_of);
  g_autofree char *k_text = g_strdup_printf ("%u", K);
  g_autofree char *n_init_text = g_strdup_printf ("%u", n_init);
  g_autofree char *decimals_text = g_strdup_printf ("%u", decimals);
  const char *argv[] = { "/usr/bin/python3", ANALYTICS_REFERENCE, path, as_of_text,
                         k_text, n_init_text, decimals_text, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  int wait_status = 0;
  double t0 = now_ms ();

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     &out, &err, &wait_status, &error))
    {
      g_print ("# the Python reference could not start: %s\n", error->message);
      return NULL;
    }
  *wall_ms = now_ms () - t0;
  if (!g_spawn_check_wait_status (wait_status, &error))
    {
      g_print ("# the Python reference failed (%s); it needs python3-pandas,"
               " python3-scipy and python3-sklearn:\n%s\n", error->message, err);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, out, -1, &error)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_print ("# the Python reference printed no JSON object: %s\n%s\n",
               error != NULL ? error->message : "", out);
      return NULL;
    }
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
generate (const char *path,
          guint       n_contacts)
{
  CtDemoOptions options = { n_contacts, 1, NOW };
  pid_t pid;
  int wait_status = 0;

  /* In a child process, like bench-contacts, so that its heap and page
   * cache do not stay in this process. */
  fflush (stdout);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CtDb) db = ct_db_open (path, &error);
      double t0 = now_ms ();

      g_assert_no_error (error);
      g_assert_true (ct_demo_generate (db, &options, NULL, NULL, NULL, &error));
      g_assert_no_error (error);
      g_print ("%-46s %10.1f ms\n", "ct_demo_generate", now_ms () - t0);
      g_clear_object (&db);
      fflush (stdout);
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &wait_status, 0), ==, pid);
  g_assert_true (WIFEXITED (wait_status) && WEXITSTATUS (wait_status) == 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *currency = NULL;
  g_autoptr(CtDb) db = NULL;
  g_autoptr(GArray) customers = NULL;
  g_autofree CtRfmScore *scores = NULL;
  g_autofree CtBtydCustomer *btyd = NULL;
  g_autofree CtBtydCustomer *spenders = NULL;
  g_autofree double *p_alive = NULL;
  g_autofree double *expected = NULL;
  g_autofree double *predictive = NULL;
  g_autoptr(CtKmeansResult) clusters = NULL;
  g_autoptr(JsonObject) python = NULL;
  const char *given = g_getenv ("CLIENTELE_BENCH_DB");
  const char *size = g_getenv ("CLIENTELE_BENCH_CONTACTS");
  guint n_contacts = size != NULL ? (guint) g_ascii_strtoull (size, NULL, 10) : 100000;
  CtBgnbdParams bgnbd;
  CtGammaGammaParams gg;
  CtKmeansOptions kopts;
  CtAnalyticsOptions options;
  gint64 as_of;
  gsize n_btyd = 0, n_spenders = 0;
  guint n, decimals;
  double scale, t0, ms, c_total = 0.0, python_ms = 0.0, predictive_total = 0.0;

  setlocale (LC_ALL, "");

  if (given != NULL && *given != '\0')
    path = g_strdup (given);
  else
    {
      dir = g_dir_make_tmp ("clientele-bench-analytics-XXXXXX", &error);
      g_assert_no_error (error);
      path = g_build_filename (dir, "bench.db", NULL);
      g_print ("# Clientele analytics benchmark: %u contacts, database in %s\n", n_contacts, dir);
      generate (path, n_contacts);
    }

  db = ct_db_open (path, &error);
  g_assert_no_error (error);
  as_of = given != NULL && *given != '\0'
    ? ct_db_query_int64 (db, "SELECT coalesce(max(purchased_at), 0) FROM purchases", NULL)
    : NOW;
  g_print ("# %" G_GINT64_FORMAT " contacts, %" G_GINT64_FORMAT " purchases, as of %" G_GINT64_FORMAT
           ", k = %d\n",
           ct_db_query_int64 (db, "SELECT count(*) FROM contacts", NULL),
           ct_db_query_int64 (db, "SELECT count(*) FROM purchases", NULL), as_of, K);

  /* The whole run first, as the app does it, with the time between its
   * progress reports as context. */
  {
    g_autoptr(JsonNode) summary = NULL;
    Progress progress = { 0, 0, g_string_new (NULL), 0.0 };

    ct_analytics_options_init (&options);
    options.as_of = as_of;
    options.k = K;
    progress.start = progress.last = now_ms ();
    summary = ct_analytics_compute (db, &options, FALSE, on_progress, &progress, NULL, &error);
    ms = now_ms () - progress.start;
    g_assert_no_error (error);
    report ("ct_analytics_compute (k fixed, not stored)", ms, NULL);
    g_print ("#   between its progress reports:\n%s", progress.phases->str);
    g_string_free (progress.phases, TRUE);
  }

  ct_kmeans_options_init (&kopts);

  /* The stages on their own. */
  t0 = now_ms ();
  customers = ct_rfm_load_customers (db, as_of, NULL, &currency, &error);
  g_assert_no_error (error);
  ms = now_ms () - t0;
  c_total += ms;
  n = customers->len;
  decimals = ct_money_decimals (currency);
  scale = pow (10.0, decimals);
  g_print ("# %u customers, main currency %s\n", n, currency);

  /* The baselines, now that the currency is known, so that both sides
   * see the same warm page cache. */
  python = run_python (path, as_of, kopts.n_init, decimals, &python_ms);
  if (python != NULL)
    {
      GList *members;
      double python_total = 0.0;

      python_stages = json_object_get_object_member (python, "stages");
      members = json_object_get_members (python_stages);
      for (GList *l = members; l != NULL; l = l->next)
        python_total += json_object_get_double_member (python_stages, l->data);
      g_list_free (members);
      json_object_set_double_member (python_stages, "total", python_total);
    }

  report ("customers: ct_rfm_load_customers", ms, "load");

  t0 = now_ms ();
  scores = ct_rfm_score_all ((const CtRfmCustomer *) customers->data, n, NULL);
  ms = now_ms () - t0;
  c_total += ms;
  report ("RFM: ct_rfm_score_all", ms, "rfm");

  t0 = now_ms ();
  btyd = btyd_summaries (db, as_of, currency, scale, &n_btyd);
  ms = now_ms () - t0;
  c_total += ms;
  report ("BTYD summaries (one ordered pass)", ms, "btyd_summaries");

  t0 = now_ms ();
  g_assert_true (ct_bgnbd_fit (btyd, n_btyd, &bgnbd, &error));
  g_assert_no_error (error);
  ms = now_ms () - t0;
  c_total += ms;
  report ("BG/NBD: ct_bgnbd_fit", ms, "bgnbd_fit");

  /* The refusals, on as many made-up customers, where the likelihood has
   * no maximum: nobody drops out, or everybody with the same probability.
   * Context only: the Python side has no refusal to compare with. */
  for (guint kind = 0; kind < 2; kind++)
    {
      g_autofree CtBtydCustomer *made_up = g_new0 (CtBtydCustomer, MAX (n_btyd, 1));
      g_autoptr(GRand) rand = g_rand_new_with_seed (42);
      g_autoptr(GError) refusal = NULL;
      CtBgnbdParams unused;
      gboolean fitted;

      for (gsize i = 0; i < n_btyd; i++)
        {
          /* Purchases over 30 days to two years. The first kind buys at
           * a rate spread evenly from 0.01 to 0.2 a day and never stops;
           * the second at a gamma-distributed rate (shape 2, every 15
           * days on average: the sum of two exponentials) and each
           * purchase is the last with probability 0.15. */
          double rate = kind == 0
            ? 0.01 + 0.19 * g_rand_double (rand)
            : (-log (1.0 - g_rand_double (rand)) - log (1.0 - g_rand_double (rand))) / 30.0;
          double t = 0.0;

          made_up[i].T = g_rand_int_range (rand, 30, 730);
          for (;;)
            {
              t += -log (1.0 - g_rand_double (rand)) / rate;
              if (t > made_up[i].T)
                break;
              made_up[i].x++;
              made_up[i].t_x = floor (t);
              if (kind == 1 && g_rand_double (rand) < 0.15)
                break;
            }
        }
      t0 = now_ms ();
      fitted = ct_bgnbd_fit (made_up, n_btyd, &unused, &refusal);
      ms = now_ms () - t0;
      g_print ("#   BG/NBD refusal, %s: %.1f ms (%s)\n",
               kind == 0 ? "nobody drops out" : "everybody drops out alike", ms,
               fitted ? "fitted after all" : "refused");
    }

  spenders = g_new (CtBtydCustomer, MAX (n_btyd, 1));
  for (gsize i = 0; i < n_btyd; i++)
    if (btyd[i].x == 0 || btyd[i].m_x > 0)
      spenders[n_spenders++] = btyd[i];
  t0 = now_ms ();
  g_assert_true (ct_gamma_gamma_fit (spenders, n_spenders, &gg, &error));
  g_assert_no_error (error);
  ms = now_ms () - t0;
  c_total += ms;
  report ("Gamma-Gamma: ct_gamma_gamma_fit", ms, "gamma_gamma_fit");

  /* P(alive), the purchases of the horizon and the predictive value of
   * each customer, as ct-analytics.c scores them. */
  p_alive = g_new (double, MAX (n_btyd, 1));
  expected = g_new (double, MAX (n_btyd, 1));
  predictive = g_new (double, MAX (n_btyd, 1));
  t0 = now_ms ();
  ct_btyd_score (&bgnbd, &gg, btyd, n_btyd, 365.0, DISCOUNT_RATE, 365.0,
                 p_alive, expected, predictive);
  ms = now_ms () - t0;
  c_total += ms;
  for (gsize i = 0; i < n_btyd; i++)
    if (isfinite (predictive[i]))
      predictive_total += predictive[i];
  report ("BTYD scoring (P(alive), purchases, CLV)", ms, "btyd_scoring");

  /* The same figures one customer and one month at a time, as context:
   * how much the shared work saves, and that it changes nothing but the
   * rounding. */
  {
    double worst = 0.0;

    t0 = now_ms ();
    for (gsize i = 0; i < n_btyd; i++)
      {
        CtBtydCustomer scored = btyd[i];
        double values[3], batch[3] = { p_alive[i], expected[i], predictive[i] };

        values[0] = ct_bgnbd_p_alive (&bgnbd, scored.x, scored.t_x, scored.T);
        values[1] = ct_bgnbd_conditional_expected_purchases (&bgnbd, 365.0, scored.x,
                                                             scored.t_x, scored.T);
        if (scored.x > 0 && scored.m_x <= 0)
          scored.x = 0;
        /* The value month by month from the one-month expectation, as
         * ct_clv_predictive() used to sum it. */
        {
          double previous = 0.0, sum = 0.0;

          for (int month = 1; month <= HORIZON_MONTHS; month++)
            {
              double t = MIN (month * 365.0 / 12, 365.0);
              double cumulative = ct_bgnbd_conditional_expected_purchases (&bgnbd, t, scored.x,
                                                                           scored.t_x, scored.T);

              sum += (cumulative - previous) / pow (1 + DISCOUNT_RATE, t / 365.0);
              previous = cumulative;
            }
          values[2] = sum == 0.0 ? 0.0
            : sum * ct_gamma_gamma_expected_spend (&gg, scored.x, scored.m_x);
        }
        for (guint v = 0; v < 3; v++)
          if (values[v] != batch[v])
            worst = MAX (worst, fabs (values[v] - batch[v]) / MAX (fabs (values[v]), 1e-300));
      }
    ms = now_ms () - t0;
    g_print ("#   one customer at a time: %.1f ms, largest relative difference %g\n", ms, worst);
  }

  {
    g_autofree double *rec = g_new (double, n);
    g_autofree double *freq = g_new (double, n);
    g_autofree double *mon = g_new (double, n);
    g_autoptr(CtKmeansFeatures) features = NULL;

    t0 = now_ms ();
    for (guint i = 0; i < n; i++)
      {
        const CtRfmCustomer *c = &g_array_index (customers, CtRfmCustomer, i);

        rec[i] = (double) c->recency;
        freq[i] = (double) c->frequency;
        mon[i] = c->monetary / scale;
      }
    features = ct_kmeans_features_new_rfm (rec, freq, mon, n, &error);
    g_assert_no_error (error);
    clusters = ct_kmeans_cluster (features, K, &kopts, NULL, &error);
    g_assert_no_error (error);
    ms = now_ms () - t0;
    c_total += ms;
  }
  {
    g_autofree char *what = g_strdup_printf ("k-means: k = %d, n_init = %u", K, kopts.n_init);

    report (what, ms, "kmeans");
  }

  /* The KPIs of the summary: counts, the funnel, cohort retention and
   * cost per channel over the last 12 whole months. */
  {
    g_autoptr(CtRetention) retention = NULL;
    g_autoptr(GArray) costs = NULL;
    g_autoptr(GDateTime) as_of_time = g_date_time_new_from_unix_local (as_of);
    g_autoptr(GDateTime) last = g_date_time_add_months (as_of_time, -1);
    g_autoptr(GDateTime) first = g_date_time_add_months (as_of_time, -12);
    g_autofree char *from_month = g_date_time_format (first, "%Y-%m");
    g_autofree char *to_month = g_date_time_format (last, "%Y-%m");
    CtKpis kpis;
    CtFunnel funnel;

    t0 = now_ms ();
    g_assert_true (ct_kpis_load (db, as_of, currency, customers, &kpis, &error));
    g_assert_true (ct_funnel_load (db, as_of, CT_FUNNEL_DEFAULT_LOYAL_PURCHASES, customers,
                                   &funnel, &error));
    retention = ct_retention_load (db, as_of, NULL, &error);
    g_assert_no_error (error);
    costs = ct_channel_costs_load (db, from_month, to_month, currency, NULL, &error);
    g_assert_no_error (error);
    ms = now_ms () - t0;
    c_total += ms;
    report ("KPIs, funnel, retention, channel costs", ms, "kpis");
    g_print ("#   %" G_GINT64_FORMAT " orders, %u cohorts, %u channels\n",
             kpis.orders, retention->n_cohorts, costs->len);
  }

  report ("all the stages above", c_total, "total");
  if (python != NULL)
    g_print ("%-46s %10.1f ms\n", "python, whole script (with imports)", python_ms);

  /* The Python stages on lines of their own, and what both found. */
  g_print ("# BG/NBD: r %.4f alpha %.4f a %.4f b %.4f, log-likelihood %.3f (%zu customers)\n",
           bgnbd.r, bgnbd.alpha, bgnbd.a, bgnbd.b, bgnbd.loglik, n_btyd);
  g_print ("# Gamma-Gamma: p %.4f q %.4f v %.4f, log-likelihood %.3f (%zu repeat buyers)\n",
           gg.p, gg.q, gg.v, gg.loglik, gg.n_customers);
  g_print ("# predictive CLV total %.2f %s\n", predictive_total, currency);
  if (python != NULL)
    {
      JsonObject *pb = json_object_get_object_member (python, "bgnbd");
      JsonObject *pg = json_object_get_object_member (python, "gamma_gamma");
      double inertia = json_object_get_double_member (python, "inertia");
      GList *members = json_object_get_members (python_stages);

      for (GList *l = members; l != NULL; l = l->next)
        {
          g_autofree char *what = g_strdup_printf ("python %s", (const char *) l->data);

          g_print ("%-46s %10.1f ms\n", what,
                   json_object_get_double_member (python_stages, l->data) * 1000.0);
        }
      g_list_free (members);
      g_print ("# SciPy BG/NBD: r %.4f alpha %.4f a %.4f b %.4f, log-likelihood %.3f\n",
               json_object_get_double_member (pb, "r"), json_object_get_double_member (pb, "alpha"),
               json_object_get_double_member (pb, "a"), json_object_get_double_member (pb, "b"),
               json_object_get_double_member (pb, "loglik"));
      g_print ("# SciPy Gamma-Gamma: p %.4f q %.4f v %.4f, log-likelihood %.3f\n",
               json_object_get_double_member (pg, "p"), json_object_get_double_member (pg, "q"),
               json_object_get_double_member (pg, "v"), json_object_get_double_member (pg, "loglik"));
      g_print ("# SciPy predictive CLV total %.2f\n",
               json_object_get_double_member (python, "predictive_total"));
      g_print ("# inertia: C %.4f, scikit-learn %.4f, relative difference %.3f%%\n",
               clusters->inertia, inertia, 100.0 * (clusters->inertia - inertia) / inertia);
    }
  else
    g_print ("# inertia: C %.4f, scikit-learn not run\n", clusters->inertia);

  g_clear_object (&db);
  if (dir != NULL)
    remove_dir (dir);
  return 0;
}
