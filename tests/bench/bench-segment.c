/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-segment.c: live segment counts on a 100,000-contact business
 *
 * Run with `meson test --benchmark -C build -v bench-segment` (or run the
 * executable; CLIENTELE_BENCH_CONTACTS=N picks another size,
 * CLIENTELE_BENCH_DB an existing database to use instead). It fills a
 * temporary database with ct_demo_generate() in a child process and
 * stores an analysis (for the RFM and lifecycle fields), then times what
 * the segment builder waits for on each edit: compiling a rule and
 * counting its members, next to a plain `SELECT count(*) FROM contacts`
 * measured in the same run on the same connection. Nothing here fails on
 * a threshold: it reports.
 *
 * Output format, one measurement a line:
 *
 *   <what, padded to 46 columns> <wall ms, "%10.2f ms"> cpu <"%8.2f ms">
 *     [ <ratio>x count(contacts) <ratio>x scan(contacts)]
 *
 * Times are the median of RUNS runs (the page cache is warm: the file was
 * just written), wall clock and the process's CPU time (the machine may
 * be shared; CPU time is what the query itself costs): the process's,
 * all threads together, rather than the calling thread's, since
 * ct_segment_count() counts a large base in parts on several threads
 * (ct-segment.c). A CPU time above the wall time is that parallelism.
 * "count: typical rule, one query" is the same count made in one query
 * on the caller's connection, as before the parts, for comparison in
 * the same run (ct_segment_set_count_parts (1, -1)). The ratios divide
 * the wall time by two baselines measured in the same run on the same
 * connection: count(contacts) is `SELECT count(*) FROM contacts`, which
 * SQLite answers from its narrowest index, and scan(contacts) is
 * `SELECT count(*) FROM contacts WHERE status != ''`, a pass over every
 * contact row, the floor of any rule on a contact's own columns. Each
 * set is measured twice: on a connection with SQLite's default page
 * cache (2 MB, as ct_db_open() leaves it) and with a 64 MB one, which
 * holds the contacts table. "first" is a single run on a fresh
 * connection, which also looks up the main currency. Lines starting
 * with "#" are context (sizes, member counts, query plans).
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "ct-analytics.h"
#include "ct-db.h"
#include "ct-demo.h"
#include "ct-segment.h"
#include "ct-segment-private.h"

/* 2025-01-01 00:00 UTC, so that every run builds the same business. */
#define NOW G_GINT64_CONSTANT (1735689600)
#define RUNS 21

/* The issue's typical rule: three conditions, one nested group, one tag,
 * one purchase condition. */
static const char typical_rule[] =
  "{\"match\": \"all\", \"conditions\": ["
  " {\"field\": \"status\", \"op\": \"=\", \"value\": \"subscribed\"},"
  " {\"field\": \"last_purchase_at\", \"op\": \"within_days\", \"value\": 365},"
  " {\"field\": \"total_spent\", \"op\": \">=\", \"value\": 500},"
  " {\"match\": \"any\", \"conditions\": ["
  "   {\"field\": \"tag\", \"op\": \"has\", \"value\": \"VIP\"},"
  "   {\"field\": \"bought_product\", \"op\": \"has\", \"value\": \"%s\"}]}]}";

static const struct
{
  const char *what;
  const char *json;   /* %s: the best-selling product's SKU */
} other_rules[] = {
  { "count: tag has", "{\"match\": \"all\", \"conditions\": [{\"field\": \"tag\", \"op\": \"has\", \"value\": \"VIP\"}]}" },
  { "count: bought_product has_not", "{\"match\": \"all\", \"conditions\": [{\"field\": \"bought_product\", \"op\": \"has_not\", \"value\": \"%s\"}]}" },
  { "count: email contains", "{\"match\": \"all\", \"conditions\": [{\"field\": \"email\", \"op\": \"contains\", \"value\": \"li\"}]}" },
  { "count: rfm_segment in + p_alive", "{\"match\": \"any\", \"conditions\": [{\"field\": \"rfm_segment\", \"op\": \"in\", \"value\": [\"at_risk\", \"cannot_lose_them\"]}, {\"field\": \"p_alive\", \"op\": \"<\", \"value\": 0.3}]}" },
  { "count: no purchase in 90 days", "{\"match\": \"all\", \"conditions\": [{\"field\": \"purchases\", \"op\": \">=\", \"value\": 1}, {\"field\": \"last_purchase_at\", \"op\": \"not_within_days\", \"value\": 90}]}" },
};

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

typedef struct
{
  double wall;
  double cpu;
} Timing;

static Timing baseline_count, baseline_scan;

static void
report (const char *what,
        Timing      t,
        gboolean    ratios)
{
  if (ratios)
    g_print ("%-46s %10.2f ms cpu %8.2f ms  %8.0fx count(contacts) %6.2fx scan(contacts)\n", what,
             t.wall, t.cpu, t.wall / MAX (baseline_count.wall, 0.001), t.wall / MAX (baseline_scan.wall, 0.001));
  else
    g_print ("%-46s %10.2f ms cpu %8.2f ms\n", what, t.wall, t.cpu);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof (double), compare_double);
  return values[n / 2];
}

static Timing
time_sql (CtDb       *db,
          const char *sql)
{
  double wall[RUNS], cpu[RUNS];

  for (guint i = 0; i < RUNS; i++)
    {
      double t0 = now_ms (), c0 = cpu_ms ();
      g_autoptr(GError) error = NULL;
      gint64 n = ct_db_query_int64 (db, sql, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      wall[i] = now_ms () - t0;
      cpu[i] = cpu_ms () - c0;
    }
  return (Timing) { median (wall, RUNS), median (cpu, RUNS) };
}

/* Parses, compiles and counts, as the builder does on each edit. */
static Timing
time_count (CtDb       *db,
            const char *json,
            gint64     *count)
{
  double wall[RUNS], cpu[RUNS];

  for (guint i = 0; i < RUNS; i++)
    {
      double t0 = now_ms (), c0 = cpu_ms ();
      g_autoptr(GError) error = NULL;
      g_autoptr(CtSegmentRule) rule = ct_segment_rule_parse (json, &error);

      g_assert_no_error (error);
      g_assert_true (ct_segment_count (db, rule, NOW, count, &error));
      g_assert_no_error (error);
      wall[i] = now_ms () - t0;
      cpu[i] = cpu_ms () - c0;
    }
  return (Timing) { median (wall, RUNS), median (cpu, RUNS) };
}

static void
print_plan (CtDb       *db,
            const char *json,
            gboolean    ranged)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtSegmentRule) rule = ct_segment_rule_parse (json, &error);
  g_autoptr(CtSegmentQuery) query = ranged ? ct_segment_compile_range (db, rule, NOW, 1, 50000, &error)
                                           : ct_segment_compile (db, rule, NOW, &error);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_assert_no_error (error);
  stmt = ct_segment_query_prepare (query, db, "EXPLAIN QUERY PLAN SELECT count(*) FROM contacts c", NULL, &error);
  g_assert_no_error (error);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_print ("#   plan: %s\n", (const char *) sqlite3_column_text (stmt, 3));
}

static void
generate (const char *path,
          guint       n_contacts)
{
  CtDemoOptions options = { n_contacts, 1, NOW };
  pid_t pid;
  int wait_status = 0;

  /* In a child process, like the other benchmarks, so that its heap
   * does not stay in this one. */
  fflush (stdout);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CtDb) db = ct_db_open (path, &error);
      g_autoptr(JsonNode) summary = NULL;
      CtAnalyticsOptions analytics;
      double t0 = now_ms ();

      g_assert_no_error (error);
      g_assert_true (ct_demo_generate (db, &options, NULL, NULL, NULL, &error));
      g_assert_no_error (error);
      g_print ("%-46s %10.1f ms\n", "ct_demo_generate", now_ms () - t0);

      t0 = now_ms ();
      ct_analytics_options_init (&analytics);
      analytics.as_of = NOW;
      analytics.k = 4;
      summary = ct_analytics_compute (db, &analytics, TRUE, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      g_print ("%-46s %10.1f ms\n", "ct_analytics_compute (stored)", now_ms () - t0);
      g_clear_object (&db);
      fflush (stdout);
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &wait_status, 0), ==, pid);
  g_assert_true (WIFEXITED (wait_status) && WEXITSTATUS (wait_status) == 0);
}

static void
remove_db (const char *dir,
           const char *path)
{
  static const char * const suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      g_unlink (file);
    }
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *sku = NULL;
  g_autofree char *typical = NULL;
  g_autofree char *best = NULL;
  g_autofree char *typical_best = NULL;
  g_autoptr(CtDb) db = NULL;
  const char *given = g_getenv ("CLIENTELE_BENCH_DB");
  const char *size = g_getenv ("CLIENTELE_BENCH_CONTACTS");
  guint n_contacts = size != NULL ? (guint) g_ascii_strtoull (size, NULL, 10) : 100000;
  gint64 count = 0;

  setlocale (LC_ALL, "");

  if (given != NULL && *given != '\0')
    path = g_strdup (given);
  else
    {
      dir = g_dir_make_tmp ("clientele-bench-segment-XXXXXX", &error);
      g_assert_no_error (error);
      path = g_build_filename (dir, "bench.db", NULL);
      g_print ("# Clientele segment benchmark: %u contacts, database in %s\n", n_contacts, dir);
      generate (path, n_contacts);
    }

  /* A fresh connection: the first count pays for looking up the main
   * currency and for preparing, as the builder's first count does. */
  db = ct_db_open_full (path, CT_DB_OPEN_ALREADY_CHECKED, &error);
  g_assert_no_error (error);
  {
    /* A course of middling sales for the typical rule (the demo's
     * courses sell 40,000 to 50,000 times each in a million purchases),
     * and the best-selling product of all (a weekly live class bought
     * every week, a third of all purchases) as the worst case. */
    g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, "SELECT coalesce(sku, name), sales_count FROM products"
                                                      " WHERE kind = 'course' AND sales_count > 0"
                                                      " ORDER BY sales_count", &error);
    g_autoptr(GPtrArray) courses = g_ptr_array_new_with_free_func (g_free);
    g_autoptr(GArray) sales = g_array_new (FALSE, FALSE, sizeof (gint64));

    g_assert_no_error (error);
    while (sqlite3_step (stmt) == SQLITE_ROW)
      {
        gint64 n = sqlite3_column_int64 (stmt, 1);

        g_ptr_array_add (courses, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
        g_array_append_val (sales, n);
      }
    g_assert_cmpuint (courses->len, >, 0);
    sku = g_strdup (g_ptr_array_index (courses, courses->len / 2));
    g_print ("# typical course %s, sold %lld times\n", sku,
             (long long) g_array_index (sales, gint64, courses->len / 2));
    g_clear_pointer (&stmt, sqlite3_finalize);
    stmt = ct_db_prepare (db, "SELECT coalesce(sku, name), sales_count FROM products"
                              " ORDER BY sales_count DESC LIMIT 1", &error);
    g_assert_no_error (error);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    best = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    g_print ("# best-selling product %s, sold %lld times\n", best, (long long) sqlite3_column_int64 (stmt, 1));
  }
  typical = g_strdup_printf (typical_rule, sku);
  typical_best = g_strdup_printf (typical_rule, best);
  g_print ("# %lld contacts, %lld purchases\n",
           (long long) ct_db_query_int64 (db, "SELECT count(*) FROM contacts", NULL),
           (long long) ct_db_query_int64 (db, "SELECT count(*) FROM purchases", NULL));

  {
    double t0 = now_ms (), c0 = cpu_ms ();
    g_autoptr(CtSegmentRule) rule = ct_segment_rule_parse (typical, &error);

    g_assert_no_error (error);
    g_assert_true (ct_segment_count (db, rule, NOW, &count, &error));
    g_assert_no_error (error);
    report ("count: typical rule, first", (Timing) { now_ms () - t0, cpu_ms () - c0 }, FALSE);
  }
  print_plan (db, typical, FALSE);
  g_print ("#   in parts, each one's plan:\n");
  print_plan (db, typical, TRUE);

  for (guint pass = 0; pass < 2; pass++)
    {
      Timing t;

      if (pass == 1)
        {
          g_assert_true (ct_db_exec (db, "PRAGMA cache_size = -65536", &error));
          g_print ("# with a 64 MB page cache\n");
          time_sql (db, "SELECT count(*) FROM contacts WHERE status != ''");
        }
      else
        g_print ("# with the default page cache\n");

      baseline_count = time_sql (db, "SELECT count(*) FROM contacts");
      report ("count(contacts) (baseline)", baseline_count, FALSE);
      baseline_scan = time_sql (db, "SELECT count(*) FROM contacts WHERE status != ''");
      report ("scan(contacts) (baseline)", baseline_scan, FALSE);

      t = time_count (db, typical, &count);
      report ("count: typical rule", t, TRUE);
      g_print ("#   %lld members, %u extra connections\n", (long long) count,
               ct_segment_count_get_n_connections (db));
      {
        gint64 one = 0;

        ct_segment_set_count_parts (1, -1);
        t = time_count (db, typical, &one);
        ct_segment_set_count_parts (0, -1);
        report ("count: typical rule, one query", t, TRUE);
        g_assert_cmpint (one, ==, count);
      }

      {
        double wall[RUNS], cpu[RUNS];

        for (guint i = 0; i < RUNS; i++)
          {
            g_autoptr(CtSegmentRule) rule = ct_segment_rule_parse (typical, &error);
            g_autoptr(GArray) ids = NULL;
            double t0 = now_ms (), c0 = cpu_ms ();

            ids = ct_segment_members (db, rule, NOW, &error);
            g_assert_no_error (error);
            wall[i] = now_ms () - t0;
            cpu[i] = cpu_ms () - c0;
            g_assert_cmpint (ids->len, ==, count);
          }
        report ("members: typical rule (ids by name)", (Timing) { median (wall, RUNS), median (cpu, RUNS) }, TRUE);
      }

      t = time_count (db, typical_best, &count);
      report ("count: typical rule, best-selling product", t, TRUE);
      g_print ("#   %lld members\n", (long long) count);

      for (guint i = 0; i < G_N_ELEMENTS (other_rules); i++)
        {
          g_autofree char *json = g_strdup_printf (other_rules[i].json, sku);

          t = time_count (db, json, &count);
          report (other_rules[i].what, t, TRUE);
          g_print ("#   %lld members\n", (long long) count);
        }
    }

  g_clear_object (&db);
  if (dir != NULL)
    remove_db (dir, path);
  return 0;
}
