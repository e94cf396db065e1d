/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-window.c: how the window feels on a 100,000-contact business
 *
 * bench-contacts times the core; this times what a person sees: the real
 * CtWindow opened on a big database, drawn, searched and scrolled under a
 * display (Xvfb in `meson test --benchmark`). Set CLIENTELE_BENCH_DB to an
 * existing database to skip generating one (CLIENTELE_BENCH_CONTACTS=N
 * picks the size of a generated one, 100,000 by default).
 *
 * Output format, one measurement a line, as bench-contacts:
 *
 *   <what, padded to 46 columns> <milliseconds, "%10.1f ms"> [ <ratio>x <baseline>]
 *
 * The baseline is `SELECT count(*) FROM contacts` on a fresh connection to
 * the same file, measured in the same run. "First frame" means the window
 * has been painted with the list's first rows in it, timed from opening
 * the database after a clean close (see CT_DB_OPEN_TRUST_CLEAN_CLOSE). Scrolling moves the
 * list one screenful at a time from top to bottom, waiting for each frame;
 * its worst step is what a person would notice as a stall. Lines starting
 * with "#" are context; memory lines read VmHWM and VmRSS.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <adwaita.h>

#include "ct-application.h"
#include "ct-contacts-view.h"
#include "ct-demo.h"
#include "ct-window.h"

#define NOW G_GINT64_CONSTANT (1735689600)

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static void
report (const char *what,
        double      ms,
        double      baseline_ms)
{
  if (baseline_ms > 0.0)
    g_print ("%-46s %10.1f ms  %8.1fx count(contacts)\n", what, ms, ms / baseline_ms);
  else
    g_print ("%-46s %10.1f ms\n", what, ms);
}

static void
report_memory (const char *phase)
{
  g_autofree char *status = NULL;
  long hwm = 0, rss = 0;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return;
  for (char *line = status; line != NULL && *line != '\0';)
    {
      char *next = strchr (line, '\n');
      sscanf (line, "VmHWM: %ld kB", &hwm);
      sscanf (line, "VmRSS: %ld kB", &rss);
      line = next != NULL ? next + 1 : NULL;
    }
  g_print ("# peak RSS %s: %.1f MiB (now %.1f MiB)\n", phase, hwm / 1024.0, rss / 1024.0);
}

static double
count_contacts_ms (const char *path)
{
  sqlite3 *handle = NULL;
  sqlite3_stmt *stmt = NULL;
  double start;

  start = now_ms ();
  if (sqlite3_open_v2 (path, &handle, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    g_error ("cannot open %s: %s", path, sqlite3_errmsg (handle));
  sqlite3_prepare_v2 (handle, "SELECT count(*) FROM contacts", -1, &stmt, NULL);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    g_error ("count failed: %s", sqlite3_errmsg (handle));
  sqlite3_finalize (stmt);
  sqlite3_close (handle);
  return now_ms () - start;
}

static void
generate (const char *path,
          guint       n_contacts)
{
  pid_t pid = fork ();
  int status = 0;

  if (pid == 0)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CtDb) db = ct_db_open (path, &error);
      CtDemoOptions options = { .n_contacts = n_contacts, .seed = 1, .now = NOW };

      if (db == NULL)
        g_error ("%s", error->message);
      if (!ct_demo_generate (db, &options, NULL, NULL, NULL, &error))
        g_error ("%s", error->message);
      _exit (0);
    }
  waitpid (pid, &status, 0);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("generating the database failed");
}

/* Frames */

static guint paints;

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       user_data)
{
  paints++;
}

/* Runs the main loop until the window has painted once more. */
static void
wait_for_paint (GtkWidget *widget)
{
  guint target = paints + 1;

  gtk_widget_queue_draw (widget);
  while (paints < target)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
is_column_view (GtkWidget *widget, gconstpointer data)
{
  return GTK_IS_COLUMN_VIEW (widget);
}

static gboolean
is_contacts_view (GtkWidget *widget, gconstpointer data)
{
  return CT_IS_CONTACTS_VIEW (widget);
}

static GtkWidget *
find_widget (GtkWidget *root,
             gboolean (*match) (GtkWidget *, gconstpointer))
{
  if (match (root, NULL))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, match);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static guint
n_rows (GtkColumnView *column_view)
{
  GtkSelectionModel *model = gtk_column_view_get_model (column_view);

  return model != NULL ? g_list_model_get_n_items (G_LIST_MODEL (model)) : 0;
}

/* Whether a row of the list has been laid out on screen: its first cell
 * label has text. */
static gboolean
has_visible_row (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget)
      && gtk_widget_get_ancestor (widget, GTK_TYPE_COLUMN_VIEW) != NULL
      && gtk_widget_get_ancestor (widget, g_type_from_name ("GtkListItemWidget")) != NULL
      && *gtk_label_get_text (GTK_LABEL (widget)) != '\0')
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_visible_row (child))
      return TRUE;
  return FALSE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(CtApplication) app = NULL;
  g_autoptr(CtDb) db = NULL;
  g_autoptr(CtContext) context = NULL;
  CtWindow *window;
  GtkWidget *column_view, *contacts_view, *scrolled;
  GtkAdjustment *adjustment;
  GdkFrameClock *clock;
  const char *given = g_getenv ("CLIENTELE_BENCH_DB");
  const char *size = g_getenv ("CLIENTELE_BENCH_CONTACTS");
  guint n_contacts = size != NULL ? (guint) g_ascii_strtoull (size, NULL, 10) : 100000;
  double baseline, start, ms, worst = 0.0, total = 0.0;
  guint steps = 0;

  setlocale (LC_ALL, "");
  if (given != NULL && *given != '\0')
    path = g_strdup (given);
  else
    {
      dir = g_dir_make_tmp ("clientele-bench-window-XXXXXX", &error);
      g_assert_no_error (error);
      path = g_build_filename (dir, "business.db", NULL);
      g_print ("# generating %u contacts in %s\n", n_contacts, path);
      generate (path, n_contacts);
    }

  gtk_init ();
  adw_init ();

  app = ct_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("%s", error->message);

  /* A first count warms the page cache as the app's open would. */
  count_contacts_ms (path);
  baseline = count_contacts_ms (path);
  report ("baseline: SELECT count(*) FROM contacts", baseline, 0.0);

  /* The first open of a file reads every page to check it; the app then
   * closes it cleanly, and a start after that trusts it. Both are timed;
   * the window below opens the second way, as it does day to day. */
  start = now_ms ();
  db = ct_application_open_database (app, path, &error);
  if (db == NULL)
    g_error ("%s", error->message);
  report ("open the database, checking every page", now_ms () - start, baseline);
  g_assert_true (ct_db_get_integrity_checked (db));
  g_clear_object (&db);

  start = now_ms ();
  db = ct_application_open_database (app, path, &error);
  if (db == NULL)
    g_error ("%s", error->message);
  report ("open it again after a clean close", now_ms () - start, baseline);
  g_print ("#   integrity check %s\n", ct_db_get_integrity_checked (db) ? "run" : "skipped");

  context = ct_context_new (db, NULL);
  window = ct_window_new (GTK_APPLICATION (app), context);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (GTK_WIDGET (window)))
    g_main_context_iteration (NULL, TRUE);
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);

  column_view = find_widget (GTK_WIDGET (window), is_column_view);
  contacts_view = find_widget (GTK_WIDGET (window), is_contacts_view);
  g_assert_nonnull (column_view);
  while (!has_visible_row (column_view))
    g_main_context_iteration (NULL, TRUE);
  wait_for_paint (GTK_WIDGET (window));
  report ("open to first frame with rows", now_ms () - start, baseline);
  g_print ("#   %u contacts in the list\n", n_rows (GTK_COLUMN_VIEW (column_view)));
  report_memory ("after the first frame");

  {
    const char *searches[] = { "张", "gmail", "vip", "" };

    for (guint i = 0; i < G_N_ELEMENTS (searches); i++)
      {
        g_autofree char *what = g_strdup_printf ("search “%s” to frame", searches[i]);

        start = now_ms ();
        ct_contacts_view_search (CT_CONTACTS_VIEW (contacts_view), searches[i]);
        wait_for_paint (GTK_WIDGET (window));
        report (what, now_ms () - start, baseline);
        g_print ("#   %u matches\n", n_rows (GTK_COLUMN_VIEW (column_view)));
      }
  }

  scrolled = gtk_widget_get_ancestor (column_view, GTK_TYPE_SCROLLED_WINDOW);
  adjustment = scrolled != NULL
    ? gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled))
    : gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (column_view));
  while (gtk_adjustment_get_value (adjustment)
         < gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment) - 1)
    {
      double step_start = now_ms ();

      gtk_adjustment_set_value (adjustment,
                                gtk_adjustment_get_value (adjustment)
                                + gtk_adjustment_get_page_size (adjustment));
      wait_for_paint (GTK_WIDGET (window));
      ms = now_ms () - step_start;
      worst = MAX (worst, ms);
      total += ms;
      steps++;
    }
  report ("scroll top to bottom, a screenful a frame", total, baseline);
  g_print ("#   %u frames, %.2f ms a frame on average\n", steps, steps > 0 ? total / steps : 0.0);
  report ("scroll: worst frame", worst, baseline);
  report_memory ("after scrolling to the bottom");

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&context);
  g_clear_object (&db);
  if (dir != NULL)
    {
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);

      g_unlink (wal);
      g_unlink (shm);
      g_unlink (path);
      g_rmdir (dir);
    }
  return 0;
}
