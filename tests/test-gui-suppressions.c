/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-gui-suppressions.c: the suppression list window: rows with their
 * reasons, search, adding by hand (the Add button waits for a real
 * address), removing after asking, importing a file with a bad line,
 * and the button on the Campaigns page that opens it.
 *
 * Runs under Xvfb. With CT_SCREENSHOT_DIR set, saves PNGs.
 */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gi18n.h>

#include "ct-gui-test.h"
#include "ct-campaigns-view.h"
#include "ct-contact.h"
#include "ct-suppression.h"
#include "ct-suppression-window.h"

static CtApplication *app;

typedef struct
{
  CtSuppressionWindow *window;
  gint64               want;
} Matching;

static gboolean
matching_is (gpointer data)
{
  Matching *m = data;

  return ct_suppression_window_get_n_matching (m->window) == m->want;
}

static gboolean
is_suppression_window (gpointer data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (CT_IS_SUPPRESSION_WINDOW (w))
        {
          *(GtkWindow **) data = GTK_WINDOW (w);
          return TRUE;
        }
    }
  return FALSE;
}

static void
test_window (void)
{
  g_autofree char *dir = ct_test_make_tmp ();
  g_autofree char *path = g_build_filename (dir, "business.db", NULL);
  g_autofree char *list_path = g_build_filename (dir, "list.txt", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CtDb) db = ct_db_open (path, &error);
  g_autoptr(CtContext) context = NULL;
  g_autoptr(GFile) list_file = NULL;
  GtkWindow *main_window, *window = NULL;
  GtkWidget *view, *button, *search;
  AdwMessageDialog *dialog;
  GtkWidget *entry;
  Matching m;

  g_assert_no_error (error);
  g_assert_true (ct_db_exec (db,
    "INSERT INTO contacts (email, first_name, status) VALUES ('gone@example.com', 'Gone', 'unsubscribed');"
    "INSERT INTO suppressions (email, reason, source, created_at) VALUES"
    " ('gone@example.com', 'unsubscribed', 'postmark', 1764496800),"
    " ('bounce@example.com', 'bounced', 'sendgrid', 1764400000);", &error));
  g_assert_no_error (error);
  context = ct_context_new (db, NULL);

  /* The Campaigns page opens it. */
  main_window = GTK_WINDOW (gtk_application_window_new (GTK_APPLICATION (app)));
  gtk_window_set_default_size (main_window, 1100, 700);
  view = ct_campaigns_view_new (context);
  gtk_window_set_child (main_window, view);
  ct_test_show_window (main_window);
  button = ct_test_find_button (view, _("Suppression _List"));
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  g_assert_true (ct_test_wait_until (is_suppression_window, &window, 5000));
  ct_test_show_window (window);
  m.window = CT_SUPPRESSION_WINDOW (window);

  g_assert_cmpint (ct_suppression_window_get_n_matching (m.window), ==, 2);
  g_assert_cmpuint (ct_suppression_window_get_n_shown (m.window), ==, 2);
  g_assert_nonnull (ct_test_find_label (GTK_WIDGET (window), C_("suppression reason", "Unsubscribed")));
  g_assert_nonnull (ct_test_find_label (GTK_WIDGET (window), C_("suppression reason", "Bounced")));
  ct_test_screenshot (GTK_WIDGET (window), "suppressions");

  /* Search. */
  {
    GtkWidget *found = NULL;
    GtkWidget *stack[64];
    int top = 0;

    stack[top++] = GTK_WIDGET (window);
    while (top > 0 && found == NULL)
      {
        GtkWidget *w = stack[--top];

        if (GTK_IS_SEARCH_ENTRY (w))
          found = w;
        for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL && top < 63; c = gtk_widget_get_next_sibling (c))
          stack[top++] = c;
      }
    search = found;
  }
  g_assert_nonnull (search);
  gtk_editable_set_text (GTK_EDITABLE (search), "SENDGRID");
  m.want = 1;
  g_assert_true (ct_test_wait_until (matching_is, &m, 5000));
  g_assert_cmpuint (ct_suppression_window_get_n_shown (m.window), ==, 1);
  gtk_editable_set_text (GTK_EDITABLE (search), "");
  m.want = 2;
  g_assert_true (ct_test_wait_until (matching_is, &m, 5000));

  /* Add by hand: "Add" only once the address is one. */
  dialog = ct_suppression_window_open_add_dialog (m.window);
  ct_test_show_window (GTK_WINDOW (dialog));
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "add"));
  entry = gtk_widget_get_first_child (adw_message_dialog_get_extra_child (dialog));
  gtk_editable_set_text (GTK_EDITABLE (entry), "pat@");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "add"));
  gtk_editable_set_text (GTK_EDITABLE (entry), " pat@example.com ");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "add"));
  gtk_editable_set_text (GTK_EDITABLE (gtk_widget_get_next_sibling (entry)), "asked at the workshop");
  ct_test_screenshot (GTK_WIDGET (dialog), "suppressions-add");
  adw_message_dialog_response (dialog, "add");
  m.want = 3;
  g_assert_true (ct_test_wait_until (matching_is, &m, 5000));
  {
    g_autoptr(CtSuppression) s = ct_suppression_lookup (db, "pat@example.com", &error);

    g_assert_nonnull (s);
    g_assert_cmpint (s->reason, ==, CT_SUPPRESSION_MANUAL);
    g_assert_cmpstr (s->note, ==, "asked at the workshop");
  }
  g_assert_nonnull (ct_test_find_label (GTK_WIDGET (window), C_("suppression reason", "Added by hand")));

  /* Remove asks first, and says the contact stays unsubscribed. */
  dialog = ct_suppression_window_confirm_remove (m.window, "gone@example.com");
  ct_test_show_window (GTK_WINDOW (dialog));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), ct_contact_status_get_label (CT_CONTACT_UNSUBSCRIBED)));
  adw_message_dialog_response (dialog, "cancel");
  ct_test_spin (50);
  g_assert_cmpint (ct_suppression_window_get_n_matching (m.window), ==, 3);
  dialog = ct_suppression_window_confirm_remove (m.window, "bounce@example.com");
  adw_message_dialog_response (dialog, "remove");
  m.want = 2;
  g_assert_true (ct_test_wait_until (matching_is, &m, 5000));
  g_assert_null (ct_suppression_lookup (db, "bounce@example.com", &error));
  g_assert_no_error (error);

  /* Import: the good lines go in, the bad one is reported by line. */
  g_assert_true (g_file_set_contents (list_path, "new1@example.com\nnot an address\nnew2@example.com\n", -1, &error));
  list_file = g_file_new_for_path (list_path);
  ct_suppression_window_import_file (m.window, list_file);
  m.want = 4;
  g_assert_true (ct_test_wait_until (matching_is, &m, 10000));
  {
    GListModel *toplevels = gtk_window_get_toplevels ();
    GtkWidget *report = NULL;

    ct_test_spin (100);
    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

        if (ADW_IS_MESSAGE_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w)))
          report = GTK_WIDGET (w);
      }
    g_assert_nonnull (report);
    ct_test_screenshot (report, "suppressions-import");
    g_assert_nonnull (strstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (report)), "list.txt"));
    gtk_window_destroy (GTK_WINDOW (report));
  }

  gtk_window_destroy (window);
  gtk_window_destroy (main_window);
  ct_test_spin (50);
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

  g_test_add_func ("/suppressions/window", test_window);

  result = g_test_run ();
  g_object_unref (app);
  return result;
}
