/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-gui-window.c: the app shell: welcome page, demo data, pages, and the
 * refusal of a file that is not a Clientele database */
#include "config.h"

#include <string.h>

#include "ct-gui-test.h"
#include "ct-contacts-view.h"

static CtApplication *app;

typedef struct
{
  char      *dir;
  char      *path;
  CtDb      *db;
  CtWindow  *window;
} Fixture;

static void
fixture_open_window (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtContext) context = NULL;

  f->db = ct_db_open (f->path, &error);
  g_assert_no_error (error);
  context = ct_context_new (f->db, NULL);
  f->window = ct_window_new (GTK_APPLICATION (app), context);
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = ct_test_make_tmp ();
  f->path = g_build_filename (f->dir, "business.db", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  ct_test_spin (20);
  g_assert_null (f->window);
  g_clear_object (&f->db);
  ct_test_rm_tmp (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static GtkWidget *
child (CtWindow   *window,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (window), CT_TYPE_WINDOW, name);

  g_assert_nonnull (object);
  return GTK_WIDGET (object);
}

static const char *
visible_page (CtWindow *window)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (child (window, "stack")));
}

static const char *
visible_view (CtWindow *window)
{
  return adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (child (window, "view_stack")));
}

static GtkColumnView *
contacts_column_view (CtWindow *window)
{
  GtkWidget *view = adw_view_stack_get_child_by_name (ADW_VIEW_STACK (child (window, "view_stack")),
                                                      "contacts");

  g_assert_true (CT_IS_CONTACTS_VIEW (view));
  return GTK_COLUMN_VIEW (gtk_widget_get_template_child (view, CT_TYPE_CONTACTS_VIEW,
                                                         "column_view"));
}

static gboolean
on_main_page (gpointer data)
{
  return g_strcmp0 (visible_page (data), "main") == 0;
}

static gboolean
demo_back_at_start (gpointer data)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (child (data, "demo_stack"))),
                    "start") == 0;
}

static void
test_welcome (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *display = NULL;
  const char *path_text;

  fixture_open_window (f);
  ct_test_show_window (GTK_WINDOW (f->window));

  g_assert_cmpstr (visible_page (f->window), ==, "welcome");
  g_assert_true (gtk_widget_get_mapped (child (f->window, "demo_button")));

  /* The user is told which file this is. */
  display = g_filename_display_name (f->path);
  path_text = gtk_label_get_text (GTK_LABEL (child (f->window, "path_label")));
  g_assert_nonnull (strstr (path_text, display));

  /* Nothing to search or add to before there is a list. */
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "search"));

  ct_test_screenshot (GTK_WIDGET (f->window), "welcome");

  /* Without demo data, straight to the (empty) lists. */
  g_signal_emit_by_name (child (f->window, "empty_button"), "clicked");
  g_assert_cmpstr (visible_page (f->window), ==, "main");
  g_assert_cmpstr (visible_view (f->window), ==, "contacts");
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "search"));
  g_assert_true (ct_db_is_empty (f->db));
  ct_test_spin (50);
  g_assert_nonnull (ct_test_find_label (GTK_WIDGET (f->window), "No Contacts Yet"));
}

static void
test_demo (Fixture       *f,
           gconstpointer  data)
{
  GListModel *model;
  g_autoptr(GError) error = NULL;
  AdwStyleManager *style = adw_style_manager_get_default ();

  fixture_open_window (f);
  g_object_set (f->window, "demo-contacts", 200u, NULL);
  ct_test_show_window (GTK_WINDOW (f->window));
  g_assert_cmpstr (visible_page (f->window), ==, "welcome");

  g_signal_emit_by_name (child (f->window, "demo_button"), "clicked");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (f->window, "demo_stack"))),
                   ==, "progress");
  g_assert_true (gtk_widget_get_mapped (child (f->window, "demo_progress")));

  g_assert_true (ct_test_wait_until (on_main_page, f->window, 120000));
  /* The made-up business at a glance first. */
  g_assert_cmpstr (visible_view (f->window), ==, "dashboard");
  ct_test_spin (1500);
  ct_test_screenshot (GTK_WIDGET (f->window), "dashboard");
  ct_window_show_page (f->window, "contacts");
  ct_test_spin (50);

  /* The worker wrote with its own connection; this one's list knows. */
  g_assert_cmpint (ct_db_query_int64 (f->db, "SELECT count(*) FROM contacts", &error), ==, 200);
  g_assert_no_error (error);
  model = G_LIST_MODEL (gtk_column_view_get_model (contacts_column_view (f->window)));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 200);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_widget_get_template_child (
                     adw_view_stack_get_child_by_name (ADW_VIEW_STACK (child (f->window, "view_stack")), "contacts"),
                     CT_TYPE_CONTACTS_VIEW, "count_label"))),
                   ==, "200 contacts");

  /* A contact with purchases, for a detail pane worth looking at. */
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CtContact) contact = g_list_model_get_item (model, i);

      if (ct_contact_get_purchase_count (contact) >= 2 && *ct_contact_get_tags (contact) != '\0')
        {
          gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (model), i);
          break;
        }
    }
  g_assert_cmpuint (gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (model)), !=,
                    GTK_INVALID_LIST_POSITION);
  ct_test_screenshot (GTK_WIDGET (f->window), "contacts");

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  ct_test_screenshot (GTK_WIDGET (f->window), "contacts-dark");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);

  /* Pages switch by name, and only the four that exist are there. */
  ct_window_show_page (f->window, "purchases");
  g_assert_cmpstr (visible_view (f->window), ==, "purchases");
  ct_test_screenshot (GTK_WIDGET (f->window), "purchases");
  ct_window_show_page (f->window, "products");
  g_assert_cmpstr (visible_view (f->window), ==, "products");
  ct_test_screenshot (GTK_WIDGET (f->window), "products");
  ct_window_show_page (f->window, "segments");
  g_assert_cmpstr (visible_view (f->window), ==, "segments");
  ct_test_screenshot (GTK_WIDGET (f->window), "segments");
  ct_window_show_page (f->window, "campaigns");
  g_assert_cmpstr (visible_view (f->window), ==, "campaigns");
  ct_test_screenshot (GTK_WIDGET (f->window), "campaigns");
  ct_window_show_page (f->window, "automations");
  g_assert_cmpstr (visible_view (f->window), ==, "automations");
  ct_window_show_page (f->window, "contacts");
  g_assert_cmpstr (visible_view (f->window), ==, "contacts");

  g_test_expect_message ("Clientele", G_LOG_LEVEL_WARNING, "*No page called*");
  ct_window_show_page (f->window, "no-such-page");
  g_test_assert_expected_messages ();
  g_assert_cmpstr (visible_view (f->window), ==, "contacts");
  /* Dashboard, Contacts, Purchases, Products, Segments, Campaigns,
   * Automations, Feedback */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (adw_view_stack_get_pages (
                      ADW_VIEW_STACK (child (f->window, "view_stack"))))), ==, 8);
  ct_window_show_page (f->window, "feedback");
  g_assert_cmpstr (visible_view (f->window), ==, "feedback");
  ct_test_screenshot (GTK_WIDGET (f->window), "feedback-demo");
  ct_window_show_page (f->window, "contacts");

  /* win.search lands in the contacts search entry. */
  ct_window_show_page (f->window, "products");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.search", NULL);
  g_assert_cmpstr (visible_view (f->window), ==, "contacts");
  {
    GtkWidget *view = adw_view_stack_get_child_by_name (ADW_VIEW_STACK (child (f->window, "view_stack")),
                                                        "contacts");
    GtkWidget *entry = GTK_WIDGET (gtk_widget_get_template_child (view, CT_TYPE_CONTACTS_VIEW,
                                                                  "search_entry"));
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (f->window));

    g_assert_true (focus != NULL && (focus == entry || gtk_widget_is_ancestor (focus, entry)));
  }
}

static void
test_demo_cancel (Fixture       *f,
                  gconstpointer  data)
{
  fixture_open_window (f);
  g_object_set (f->window, "demo-contacts", 20000u, NULL);
  ct_test_show_window (GTK_WINDOW (f->window));

  g_signal_emit_by_name (child (f->window, "demo_button"), "clicked");
  g_signal_emit_by_name (child (f->window, "demo_cancel_button"), "clicked");
  g_assert_true (ct_test_wait_until (demo_back_at_start, f->window, 60000));

  /* Cancelled is not a failure to report, and leaves the file empty. */
  g_assert_cmpstr (visible_page (f->window), ==, "welcome");
  g_assert_true (ct_db_is_empty (f->db));
  g_assert_true (gtk_widget_get_sensitive (child (f->window, "demo_button")));
}

static void
test_existing_database (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(CtContact) contact = ct_contact_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CtDb) db = ct_db_open (f->path, &error);

  g_assert_no_error (error);
  ct_contact_set_email (contact, "ada@example.com");
  g_assert_true (ct_contact_insert (db, contact, &error));
  g_assert_no_error (error);
  g_clear_object (&db);

  /* A database with contacts opens on the dashboard, the lists a click away. */
  fixture_open_window (f);
  ct_test_show_window (GTK_WINDOW (f->window));
  g_assert_cmpstr (visible_page (f->window), ==, "main");
  g_assert_cmpstr (visible_view (f->window), ==, "dashboard");
  ct_window_show_page (f->window, "contacts");
  ct_test_spin (50);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (contacts_column_view (f->window))));
}

static gboolean
have_settings_schema (void)
{
  g_autoptr(GSettingsSchema) schema = NULL;

  schema = g_settings_schema_source_lookup (g_settings_schema_source_get_default (),
                                            "io.github.clientele.Clientele", TRUE);
  return schema != NULL;
}

static void
test_open (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtDb) db = NULL;
  g_autofree char *last = NULL;
  GtkWindow *first, *again;

  /* Opening remembers the file for the next start (when the settings
   * schema is there to remember it in)... */
  db = ct_application_open_database (app, f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (db);
  g_clear_object (&db);
  last = ct_application_get_default_database (app);
  if (have_settings_schema ())
    g_assert_cmpstr (last, ==, f->path);
  else
    g_test_message ("settings schema not installed: last database not remembered");

  /* ...and the same file twice is the same window. */
  first = ct_application_open (app, f->path);
  g_assert_true (CT_IS_WINDOW (first));
  f->window = CT_WINDOW (first);
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
  again = ct_application_open (app, f->path);
  g_assert_true (again == first);
  g_assert_cmpstr (ct_db_get_path (ct_context_get_db (ct_window_get_context (f->window))),
                   ==, f->path);
}

static gboolean
is_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
test_refuse_text_file (Fixture       *f,
                       gconstpointer  data)
{
  static const char text[] = "Shopping list\nmilk\neggs\n";
  g_autofree char *notes = g_build_filename (f->dir, "notes.txt", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtDb) db = NULL;
  GtkWindow *dialog;
  gsize length;

  g_assert_true (g_file_set_contents (notes, text, -1, NULL));

  db = ct_application_open_database (app, notes, &error);
  g_assert_null (db);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_DATABASE);

  /* What --db notes.txt shows: a dialog that says why, nothing else. */
  dialog = ct_application_open (app, notes);
  g_assert_true (ADW_IS_MESSAGE_DIALOG (dialog));
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (ct_test_wait_until (ct_test_is_mapped, dialog, 10000));
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==,
                   "Cannot Open the Database");
  g_assert_cmpstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), ==, error->message);
  g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "quit"));
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    g_assert_false (CT_IS_WINDOW (l->data));
  ct_test_screenshot (GTK_WIDGET (dialog), "refusal");

  /* Closing it closes it (and would end the app), and the file is as it was. */
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "quit");
  g_assert_true (ct_test_wait_until (is_gone, &dialog, 5000));

  g_assert_true (g_file_get_contents (notes, &contents, &length, NULL));
  g_assert_cmpstr (contents, ==, text);
  g_assert_cmpuint (length, ==, strlen (text));
}

int
main (int   argc,
      char *argv[])
{
  int result;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  ct_test_add_icons ();
  app = ct_test_application_new ();

  g_test_add ("/window/welcome", Fixture, NULL, fixture_setup, test_welcome, fixture_teardown);
  g_test_add ("/window/demo", Fixture, NULL, fixture_setup, test_demo, fixture_teardown);
  g_test_add ("/window/demo-cancel", Fixture, NULL, fixture_setup, test_demo_cancel, fixture_teardown);
  g_test_add ("/window/existing-database", Fixture, NULL, fixture_setup, test_existing_database,
              fixture_teardown);
  g_test_add ("/window/open", Fixture, NULL, fixture_setup, test_open, fixture_teardown);
  /* Last: closing the dialog asks the (never run) application to quit. */
  g_test_add ("/window/refuse-text-file", Fixture, NULL, fixture_setup, test_refuse_text_file,
              fixture_teardown);

  result = g_test_run ();
  g_object_unref (app);
  return result;
}
