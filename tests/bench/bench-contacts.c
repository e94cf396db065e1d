/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-contacts.c: how a 100,000-contact business feels
 *
 * Run with `meson test --benchmark -C build -v` (or run the executable;
 * CLIENTELE_BENCH_CONTACTS=N picks another size). It fills a temporary
 * database with ct_demo_generate(), then times what a person waits for
 * when opening it and using the contacts list, each next to baselines
 * measured in the same run on the same file, so that results from
 * different machines can be compared by their ratios. The page cache is
 * warm throughout (the file was just written). Nothing here fails on a
 * threshold: it reports.
 *
 * Output format, one measurement a line:
 *
 *   <what, padded to 46 columns> <milliseconds, "%10.1f ms"> [ <ratio>x <baseline>]
 *
 * where the ratio is the measurement divided by the baseline named after
 * it: "count(contacts)" is `SELECT count(*) FROM contacts` and
 * "count(purchases)" is `SELECT count(*) FROM purchases`, both on a fresh
 * connection. Lines starting with "#" are context (sizes, matches, memory);
 * memory lines are "# peak RSS <phase>: <MiB> MiB (now <MiB> MiB)" from
 * VmHWM and VmRSS in /proc/self/status. Generation runs in a child
 * process, so the second peak is opening and browsing alone.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "ct-contact.h"
#include "ct-contact-list.h"
#include "ct-db.h"
#include "ct-demo.h"

/* 2025-01-01 00:00 UTC, so that every run builds the same business. */
#define NOW G_GINT64_CONSTANT (1735689600)

static double baseline_contacts_ms;
static double baseline_purchases_ms;

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static void
report (const char *what,
        double      ms,
        const char *baseline_name,
        double      baseline_ms)
{
  if (baseline_name != NULL && baseline_ms > 0.0)
    g_print ("%-46s %10.1f ms  %8.1fx %s\n", what, ms, ms / baseline_ms, baseline_name);
  else
    g_print ("%-46s %10.1f ms\n", what, ms);
}

/* VmHWM or VmRSS in KiB, 0 when unknown. */
static gint64
proc_status_kib (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, field);
  if (line == NULL)
    return 0;
  return g_ascii_strtoll (line + strlen (field) + 1, NULL, 10);
}

static void
report_peak_rss (const char *phase)
{
  g_print ("# peak RSS %s: %.1f MiB (now %.1f MiB)\n", phase,
           proc_status_kib ("VmHWM:") / 1024.0, proc_status_kib ("VmRSS:") / 1024.0);
}

/* Starts a new peak: "5" resets VmHWM to the current RSS (Linux 4.0+). */
static void
reset_peak_rss (void)
{
  FILE *fp = fopen ("/proc/self/clear_refs", "w");

  if (fp != NULL)
    {
      fputs ("5", fp);
      fclose (fp);
    }
}

/* Times a count(*) on a connection of its own, as the baselines. */
static double
time_count (const char *path,
            const char *sql,
            gint64     *count)
{
  sqlite3 *handle = NULL;
  sqlite3_stmt *stmt = NULL;
  double t0, ms;

  g_assert_cmpint (sqlite3_open_v2 (path, &handle, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  t0 = now_ms ();
  g_assert_cmpint (sqlite3_prepare_v2 (handle, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  *count = sqlite3_column_int64 (stmt, 0);
  ms = now_ms () - t0;
  sqlite3_finalize (stmt);
  sqlite3_close (handle);
  return ms;
}

static double
time_quick_check (const char *path)
{
  sqlite3 *handle = NULL;
  sqlite3_stmt *stmt = NULL;
  double t0, ms;

  g_assert_cmpint (sqlite3_open_v2 (path, &handle, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  t0 = now_ms ();
  g_assert_cmpint (sqlite3_prepare_v2 (handle, "PRAGMA quick_check(1)", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  ms = now_ms () - t0;
  sqlite3_finalize (stmt);
  sqlite3_close (handle);
  return ms;
}

/* Fetches the first row the way a view does when it shows the list. */
static void
fetch_first (GListModel *model)
{
  if (g_list_model_get_n_items (model) > 0)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, 0);
      g_assert_nonnull (item);
    }
}

static void
bench_search (GListModel *model,
              const char *label,
              const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *what = g_strdup_printf ("search %s", label);
  double t0 = now_ms ();
  double ms;

  g_assert_true (ct_contact_list_set_search (CT_PAGED_LIST (model), text, &error));
  g_assert_no_error (error);
  fetch_first (model);
  ms = now_ms () - t0;

  report (what, ms, "count(contacts)", baseline_contacts_ms);
  g_print ("#   “%s”: %u matches\n", text, g_list_model_get_n_items (model));
}

static char *
query_text (CtDb       *db,
            const char *sql)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, sql, NULL);

  g_assert_nonnull (stmt);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
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

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *chinese_name = NULL;
  g_autofree char *email_fragment = NULL;
  g_autoptr(GListModel) model = NULL;
  CtDemoOptions options = { 100000, 1, NOW };
  const char *size = g_getenv ("CLIENTELE_BENCH_CONTACTS");
  gint64 n_contacts, n_purchases;
  double t0, ms, worst_ms = 0.0;
  guint n_items, worst_position = 0;
  GStatBuf st;
  pid_t pid;
  int wait_status = 0;

  setlocale (LC_ALL, "");

  if (size != NULL)
    options.n_contacts = (guint) g_ascii_strtoull (size, NULL, 10);

  dir = g_dir_make_tmp ("clientele-bench-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "bench.db", NULL);

  g_print ("# Clientele benchmark: %u contacts, database in %s\n", options.n_contacts, dir);

  /* Generation, the demo data being the data set, happens in a child
   * process: its page cache and heap would otherwise stay in this
   * process's RSS and hide what browsing costs. */
  fflush (stdout);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_autoptr(CtDb) db = ct_db_open (path, &error);

      g_assert_no_error (error);
      t0 = now_ms ();
      g_assert_true (ct_demo_generate (db, &options, NULL, NULL, NULL, &error));
      g_assert_no_error (error);
      ms = now_ms () - t0;
      n_purchases = ct_db_query_int64 (db, "SELECT count(*) FROM purchases", NULL);
      report ("ct_demo_generate", ms, NULL, 0);
      g_print ("#   %" G_GINT64_FORMAT " purchases, %.0f purchases/s\n",
               n_purchases, n_purchases / (ms / 1000.0));
      report_peak_rss ("generating");
      g_clear_object (&db);
      fflush (stdout);
      _exit (0);
    }
  g_assert_cmpint (waitpid (pid, &wait_status, 0), ==, pid);
  g_assert_true (WIFEXITED (wait_status) && WEXITSTATUS (wait_status) == 0);

  /* Closing checkpointed the WAL into the file. */
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_print ("#   file size %.1f MiB\n", st.st_size / 1048576.0);

  {
    g_autoptr(CtDb) db = ct_db_open (path, &error);

    g_assert_no_error (error);
    /* The most common Chinese full name, as a person would look for 张伟. */
    chinese_name = query_text (db, "SELECT last_name || first_name AS n FROM contacts"
                                   " WHERE unicode(last_name) BETWEEN 19968 AND 40959"
                                   " GROUP BY n ORDER BY count(*) DESC, n LIMIT 1");
    email_fragment = query_text (db, "SELECT substr(email, 1, 6) FROM contacts"
                                     " WHERE email GLOB '[a-z][a-z][a-z][a-z][a-z][a-z]*'"
                                     " ORDER BY id LIMIT 1 OFFSET 700");
  }

  reset_peak_rss ();

  /* Baselines, each on a fresh read-only connection. */
  baseline_contacts_ms = time_count (path, "SELECT count(*) FROM contacts", &n_contacts);
  baseline_purchases_ms = time_count (path, "SELECT count(*) FROM purchases", &n_purchases);
  report ("baseline: SELECT count(*) FROM contacts", baseline_contacts_ms, NULL, 0);
  report ("baseline: SELECT count(*) FROM purchases", baseline_purchases_ms, NULL, 0);

  /* Opening: ct_db_open reads every page for quick_check before it
   * writes anything; shown on its own because it grows with the file. */
  ms = time_quick_check (path);
  report ("PRAGMA quick_check(1) alone", ms, "count(purchases)", baseline_purchases_ms);

  {
    g_autoptr(CtDb) db = NULL;
    g_autoptr(GObject) item = NULL;
    g_autoptr(CtContact) contact = NULL;

    t0 = now_ms ();
    db = ct_db_open (path, &error);
    ms = now_ms () - t0;
    g_assert_no_error (error);
    report ("ct_db_open (with quick_check)", ms, "count(purchases)", baseline_purchases_ms);

    /* The contacts view appearing: ids of all contacts sorted by name, and
     * the first page of rows. */
    t0 = now_ms ();
    model = G_LIST_MODEL (ct_contact_list_new (db));
    n_items = g_list_model_get_n_items (model);
    fetch_first (model);
    ms = now_ms () - t0;
    g_assert_cmpint (n_items, ==, n_contacts);
    report ("contact list: load + first page", ms, "count(contacts)", baseline_contacts_ms);

    t0 = now_ms ();
    item = g_list_model_get_item (model, n_items / 2);
    ms = now_ms () - t0;
    report ("contact list: jump to the middle (one page)", ms, "count(contacts)", baseline_contacts_ms);
    g_clear_object (&item);

    bench_search (model, "Chinese name", chinese_name);
    bench_search (model, "email fragment", email_fragment);
    bench_search (model, "tag (VIP)", "vip");

    t0 = now_ms ();
    g_assert_true (ct_contact_list_set_search (CT_PAGED_LIST (model), "", &error));
    fetch_first (model);
    ms = now_ms () - t0;
    report ("search cleared + first page", ms, "count(contacts)", baseline_contacts_ms);

    t0 = now_ms ();
    g_assert_true (ct_contact_list_set_sort (CT_PAGED_LIST (model), CT_CONTACT_SORT_TOTAL_SPENT,
                                             TRUE, &error));
    fetch_first (model);
    ms = now_ms () - t0;
    report ("sort by total spent + first page", ms, "count(contacts)", baseline_contacts_ms);
    g_assert_true (ct_contact_list_set_sort (CT_PAGED_LIST (model), CT_CONTACT_SORT_NAME,
                                             FALSE, &error));

    /* Scrolling from top to bottom: every row once, in order. The worst
     * single get_item is the longest a frame could wait for a page. */
    t0 = now_ms ();
    for (guint i = 0; i < n_items; i++)
      {
        double t1 = now_ms ();
        GObject *row = g_list_model_get_item (model, i);
        double one = now_ms () - t1;

        g_assert_nonnull (row);
        g_object_unref (row);
        if (one > worst_ms)
          {
            worst_ms = one;
            worst_position = i;
          }
      }
    ms = now_ms () - t0;
    report ("scroll: get_item over all rows", ms, "count(contacts)", baseline_contacts_ms);
    g_print ("#   %.2f µs a row\n", ms * 1000.0 / MAX (n_items, 1));
    report ("scroll: worst single get_item (page load)", worst_ms, "count(contacts)", baseline_contacts_ms);
    g_print ("#   at position %u\n", worst_position);

    contact = CT_CONTACT (g_list_model_get_item (model, 0));
    g_print ("#   first row: %s <%s>\n", ct_contact_get_display_name (contact),
             ct_contact_get_email (contact));

    g_clear_object (&model);
  }

  report_peak_rss ("opening and browsing");

  remove_dir (dir);
  return 0;
}
