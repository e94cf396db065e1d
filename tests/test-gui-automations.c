/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-gui-automations.c: the Automations page: a new automation from
 * the editor, its mistakes shown, the switch, and the history filling
 * as it fires.
 *
 * Runs under Xvfb. With CT_SCREENSHOT_DIR set, saves PNGs of the page
 * and the editor.
 */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gi18n.h>

#include "ct-gui-test.h"
#include "ct-automation.h"
#include "ct-automations-view.h"

static CtApplication *app;

static gboolean
match_name (GtkWidget     *widget,
            gconstpointer  data)
{
  return g_strcmp0 (gtk_widget_get_name (widget), data) == 0;
}

static gboolean
match_type (GtkWidget     *widget,
            gconstpointer  data)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (data));
}

static guint
n_rows (GtkWidget *list)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (list); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_BOX_ROW (child) && gtk_widget_get_visible (child))
      n++;
  return n;
}

static void
test_page (void)
{
  g_autofree char *dir = ct_test_make_tmp ();
  g_autofree char *path = g_build_filename (dir, "business.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CtDb) db = ct_db_open (path, &error);
  g_autoptr(CtContext) context = NULL;
  GtkWindow *window, *editor;
  GtkWidget *view, *list, *history, *sw, *label;
  CtAutomationReport report;

  g_assert_no_error (error);
  g_assert_true (ct_db_exec (db, "INSERT INTO products (name) VALUES ('Python 入门课'), ('Ebook');"
                                 "INSERT INTO contacts (email, first_name) VALUES ('old@example.com', 'Old');",
                             &error));
  context = ct_context_new (db, NULL);
  window = GTK_WINDOW (gtk_application_window_new (GTK_APPLICATION (app)));
  gtk_window_set_default_size (window, 900, 700);
  view = ct_automations_view_new (context);
  gtk_window_set_child (window, view);
  ct_test_show_window (window);
  list = ct_test_find_widget (view, match_name, "automation-list");
  history = ct_test_find_widget (view, match_name, "automation-history");
  g_assert_cmpuint (n_rows (list), ==, 0);
  /* Empty lists say so (their placeholders survive each reload). */
  g_assert_nonnull (ct_test_find_label (list, _("No automations yet: a welcome email for new contacts is a good first one.")));
  g_assert_nonnull (ct_test_find_label (history, _("Nothing has fired yet.")));

  /* The editor: a purchase of the course, with a mistake first. */
  editor = ct_automations_view_edit (CT_AUTOMATIONS_VIEW (view), 0);
  g_assert_nonnull (editor);
  ct_test_show_window (editor);
  gtk_editable_set_text (GTK_EDITABLE (ct_test_find_widget (GTK_WIDGET (editor), match_name, "automation-name")),
                         "Thanks for the course");
  adw_combo_row_set_selected (ADW_COMBO_ROW (ct_test_find_widget (GTK_WIDGET (editor), match_name, "automation-trigger")),
                              CT_AUTOMATION_PURCHASE);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (ct_test_find_widget (GTK_WIDGET (editor), match_name,
                                                                                         "automation-body"))),
                            "Hi {{first_name|there}}, thanks!", -1);
  g_signal_emit_by_name (ct_test_find_widget (GTK_WIDGET (editor), match_name, "automation-save"), "clicked");
  ct_test_spin (50);
  label = ct_test_find_widget (GTK_WIDGET (editor), match_name, "automation-error");
  g_assert_true (gtk_widget_get_visible (label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), !=, "");
  gtk_editable_set_text (GTK_EDITABLE (ct_test_find_widget (GTK_WIDGET (editor), match_name, "automation-subject")),
                         "Thank you, {{first_name|friend}}");
  gtk_editable_set_text (GTK_EDITABLE (ct_test_find_widget (GTK_WIDGET (editor), match_name, "automation-preheader")),
                         "A gift inside");
  ct_test_screenshot (GTK_WIDGET (editor), "automation-editor");
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  g_signal_emit_by_name (ct_test_find_widget (GTK_WIDGET (editor), match_name, "automation-save"), "clicked");
  ct_test_spin (50);
  g_assert_null (editor);
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM automations WHERE trigger = 'purchase'"
                                          " AND product_id IS NULL AND enabled = 0"
                                          " AND preheader = 'A gift inside'", NULL), ==, 1);
  g_assert_cmpuint (n_rows (list), ==, 1);

  /* The switch enables it; what was there before never fires. */
  sw = ct_test_find_widget (list, match_type, GSIZE_TO_POINTER (GTK_TYPE_SWITCH));
  g_assert_nonnull (sw);
  gtk_switch_set_active (GTK_SWITCH (sw), TRUE);
  ct_test_spin (50);
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT enabled FROM automations", NULL), ==, 1);
  g_assert_true (ct_db_exec (db, "INSERT INTO contacts (email, first_name) VALUES ('new@example.com', '小明');"
                                 "INSERT INTO purchases (contact_id, product_id, amount, purchased_at)"
                                 " VALUES (2, 1, 19900, unixepoch());", &error));
  g_assert_true (ct_automation_run_due (db, 0, &report, &error));
  g_assert_cmpint (report.queued, ==, 1);
  ct_test_spin (100);
  g_assert_cmpuint (n_rows (history), ==, 1);
  g_assert_nonnull (ct_test_find_label (history, "小明 — Thanks for the course"));
  ct_test_screenshot (GTK_WIDGET (window), "automations");

  gtk_window_destroy (window);
  ct_test_spin (20);
  g_clear_object (&context);
  g_clear_object (&db);
  ct_test_rm_tmp (dir);
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir;
  int result;

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

  g_test_add_func ("/automations/page", test_page);

  result = g_test_run ();
  g_object_unref (app);
  return result;
}
