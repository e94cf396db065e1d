/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-gui-send-due.c: Preferences' "Send While Clientele Is Closed":
 * the units it writes, the systemctl commands it runs, and systemctl's
 * failure said in words. A fake systemctl first in PATH records its
 * arguments; XDG_CONFIG_HOME is a temporary folder.
 *
 * Runs under Xvfb. With CT_SCREENSHOT_DIR set, saves a PNG of the page.
 */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gi18n.h>

#include "ct-gui-test.h"
#include "ct-preferences-window.h"
#include "ct-send-due-timer.h"

static CtApplication *app;
static char *root;

static gboolean
match_name (GtkWidget     *widget,
            gconstpointer  data)
{
  return g_strcmp0 (gtk_widget_get_name (widget), data) == 0;
}

static gboolean
button_sensitive (gpointer data)
{
  return gtk_widget_get_sensitive (GTK_WIDGET (data));
}

static char *
read_file (const char *path)
{
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, NULL);
  return text;
}

static void
run_case (gboolean fail)
{
  g_autofree char *db_dir = ct_test_make_tmp ();
  g_autofree char *db_path = g_build_filename (db_dir, "business.db", NULL);
  g_autofree char *log = g_build_filename (root, "systemctl.log", NULL);
  g_autofree char *fail_flag = g_build_filename (root, "fail", NULL);
  g_autofree char *service_path = g_build_filename (root, "config", "systemd", "user",
                                                    "clientele-send-due.service", NULL);
  g_autofree char *timer_path = g_build_filename (root, "config", "systemd", "user",
                                                  "clientele-send-due.timer", NULL);
  g_autofree char *service = NULL, *timer = NULL, *calls = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtDb) db = ct_db_open (db_path, &error);
  g_autoptr(CtContext) context = NULL;
  CtPreferencesWindow *prefs;
  GtkWidget *button, *status, *page;

  g_assert_no_error (error);
  context = ct_context_new (db, NULL);
  g_unlink (log);
  if (fail)
    g_assert_true (g_file_set_contents (fail_flag, "", -1, NULL));
  else
    g_unlink (fail_flag);

  prefs = ct_preferences_window_new (NULL, context);
  gtk_window_set_application (GTK_WINDOW (prefs), GTK_APPLICATION (app));
  ct_test_show_window (GTK_WINDOW (prefs));
  page = ct_test_find_widget (GTK_WIDGET (prefs), match_name, "sending-page");
  g_assert_nonnull (page);
  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (prefs), ADW_PREFERENCES_PAGE (page));
  ct_test_spin (100);
  button = ct_test_find_widget (GTK_WIDGET (prefs), match_name, "send-due-enable");
  status = ct_test_find_widget (GTK_WIDGET (prefs), match_name, "send-due-status");
  g_assert_nonnull (button);
  g_assert_nonnull (status);
  g_assert_false (gtk_widget_get_visible (status));

  g_signal_emit_by_name (button, "clicked");
  ct_test_spin (50);
  g_assert_true (ct_test_wait_until (button_sensitive, button, 10000));
  ct_test_spin (50);

  g_test_message ("status: %s", gtk_label_get_text (GTK_LABEL (status)));
  /* The units, with this program and this database. */
  service = read_file (service_path);
  timer = read_file (timer_path);
  g_assert_nonnull (service);
  g_assert_nonnull (timer);
  g_assert_nonnull (strstr (service, "send-due --db \""));
  g_assert_nonnull (strstr (service, db_path));
  g_assert_nonnull (strstr (timer, "OnUnitActiveSec=10min"));
  calls = read_file (log);
  g_assert_nonnull (calls);
  g_assert_true (gtk_widget_get_visible (status));
  if (fail)
    {
      g_assert_cmpstr (calls, ==, "--user daemon-reload\n");
      g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (status)), "Failed to connect to bus"));
      g_assert_true (gtk_widget_has_css_class (status, "error"));
      ct_test_screenshot (GTK_WIDGET (prefs), "preferences-sending-error");
    }
  else
    {
      g_assert_cmpstr (calls, ==, "--user daemon-reload\n--user enable --now clientele-send-due.timer\n");
      g_assert_false (gtk_widget_has_css_class (status, "error"));
      g_assert_true (ct_send_due_timer_is_enabled ());
      ct_test_screenshot (GTK_WIDGET (prefs), "preferences-sending");
    }
  gtk_window_destroy (GTK_WINDOW (prefs));
  ct_test_spin (20);
  g_clear_object (&context);
  g_clear_object (&db);
  ct_test_rm_tmp (db_dir);
}

static void
test_enable (void)
{
  run_case (FALSE);
}

static void
test_enable_fails (void)
{
  run_case (TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *bin = NULL, *script = NULL, *config = NULL, *path = NULL;
  g_autofree char *fake = NULL;
  const char *localedir;
  int result;

  /* Before anything reads them (GLib caches the config folder). */
  root = g_dir_make_tmp ("clientele-test-send-due-XXXXXX", NULL);
  g_assert_nonnull (root);
  bin = g_build_filename (root, "bin", NULL);
  config = g_build_filename (root, "config", NULL);
  g_mkdir_with_parents (bin, 0755);
  script = g_build_filename (bin, "systemctl", NULL);
  /* Records its arguments; fails like a session without a user bus
   * when ROOT/fail exists; "enable" makes the wants link systemd would. */
  fake = g_strdup_printf ("#!/bin/sh\n"
                          "echo \"$*\" >> '%s/systemctl.log'\n"
                          "if [ -e '%s/fail' ]; then echo 'Failed to connect to bus: No medium found' >&2; exit 1; fi\n"
                          "if [ \"$2\" = enable ]; then mkdir -p '%s/systemd/user/timers.target.wants' &&"
                          " touch '%s/systemd/user/timers.target.wants/clientele-send-due.timer'; fi\n"
                          "exit 0\n", root, root, config, config);
  g_assert_true (g_file_set_contents (script, fake, -1, NULL));
  g_chmod (script, 0755);
  path = g_strconcat (bin, ":", g_getenv ("PATH"), NULL);
  g_setenv ("PATH", path, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);

  /* Screenshots in another language, as the app does it (run with
   * LANGUAGE=zh_CN and CLIENTELE_LOCALEDIR=build/po). */
  localedir = g_getenv ("CLIENTELE_LOCALEDIR");
  if (localedir != NULL && *localedir != '\0')
    {
      setlocale (LC_ALL, "");
      bindtextdomain (GETTEXT_PACKAGE, localedir);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  ct_test_add_icons ();
  app = ct_test_application_new ();

  g_test_add_func ("/send-due/enable-fails", test_enable_fails);
  g_test_add_func ("/send-due/enable", test_enable);

  result = g_test_run ();
  g_object_unref (app);
  ct_test_rm_tmp (root);
  g_free (root);
  return result;
}
