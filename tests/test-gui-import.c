/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-gui-import.c: the import assistant (file, columns, preview, run,
 * cancel, rejected rows, refused files), exporting from the pages, and a
 * contact's personal data export and erase */
#include "config.h"

#include <string.h>

#include "ct-gui-test.h"
#include "ct-contacts-view.h"
#include "ct-contact-detail.h"
#include "ct-import-window.h"
#include "ct-products-view.h"
#include "ct-purchases-view.h"

static CtApplication *app;

typedef struct
{
  char           *dir;
  CtDb           *db;
  CtContext      *context;
  CtWindow       *window;
  CtImportWindow *import;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  f->dir = ct_test_make_tmp ();
  path = g_build_filename (f->dir, "business.db", NULL);
  f->db = ct_db_open (path, &error);
  g_assert_no_error (error);
  f->context = ct_context_new (f->db, NULL);
  f->window = ct_window_new (GTK_APPLICATION (app), f->context);
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
  ct_test_show_window (GTK_WINDOW (f->window));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->import != NULL)
    gtk_window_destroy (GTK_WINDOW (f->import));
  ct_test_spin (20);
  g_assert_null (f->import);
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  ct_test_spin (20);
  g_assert_null (f->window);
  g_clear_object (&f->context);
  g_clear_object (&f->db);
  ct_test_rm_tmp (f->dir);
  g_free (f->dir);
}

/* Helpers */

static GFile *
write_file (Fixture    *f,
            const char *name,
            const char *data,
            gssize      len)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

/* @text (UTF-8) saved in GB18030, as Excel in Chinese saves CSV. */
static GFile *
write_gb18030 (Fixture    *f,
               const char *name,
               const char *text)
{
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  g_autofree char *bytes = g_convert (text, -1, "GB18030", "UTF-8", NULL, &len, &error);

  g_assert_no_error (error);
  return write_file (f, name, bytes, len);
}

static GObject *
import_child (Fixture    *f,
              const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->import), CT_TYPE_IMPORT_WINDOW, name);

  g_assert_nonnull (object);
  return object;
}

static GtkWidget *
view (Fixture    *f,
      const char *name)
{
  GtkWidget *stack = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (f->window), CT_TYPE_WINDOW,
                                                                "view_stack"));
  GtkWidget *page = adw_view_stack_get_child_by_name (ADW_VIEW_STACK (stack), name);

  g_assert_nonnull (page);
  return page;
}

static void
open_import (Fixture      *f,
             CtImportKind  kind)
{
  f->import = ct_import_window_new (GTK_WINDOW (f->window), f->context, kind);
  g_object_add_weak_pointer (G_OBJECT (f->import), (gpointer *) &f->import);
  ct_test_show_window (GTK_WINDOW (f->import));
  g_assert_cmpstr (ct_import_window_get_page (f->import), ==, "start");
}

typedef struct
{
  Fixture    *f;
  const char *page;
} PageWait;

static gboolean
on_page (gpointer data)
{
  PageWait *wait = data;

  return g_strcmp0 (ct_import_window_get_page (wait->f->import), wait->page) == 0;
}

static void
wait_for_page (Fixture    *f,
               const char *page)
{
  PageWait wait = { f, page };

  if (!ct_test_wait_until (on_page, &wait, 60000))
    g_error ("waited for page “%s”, still on “%s”", page, ct_import_window_get_page (f->import));
  ct_test_spin (30);
}

static gboolean
dry_run_done (gpointer data)
{
  Fixture *f = data;

  return !gtk_spinner_get_spinning (GTK_SPINNER (import_child (f, "dry_run_spinner")));
}

static void
wait_for_dry_run (Fixture *f)
{
  g_assert_true (ct_test_wait_until (dry_run_done, f, 60000));
  ct_test_spin (20);
}

static gboolean
action_enabled (Fixture    *f,
                const char *action)
{
  /* Widget actions are exposed on the "import" group of the window's
   * action muxer; activating a disabled one does nothing, so ask the
   * button that carries it instead. */
  if (g_str_equal (action, "import.next"))
    return gtk_widget_get_sensitive (GTK_WIDGET (import_child (f, "next_button")));
  if (g_str_equal (action, "import.cancel"))
    return gtk_widget_get_sensitive (GTK_WIDGET (import_child (f, "cancel_button")));
  g_assert_not_reached ();
}

static void
next (Fixture *f)
{
  g_assert_true (action_enabled (f, "import.next"));
  gtk_widget_activate_action (GTK_WIDGET (f->import), "import.next", NULL);
}

/* After the crossfade between pages, so the picture is of one page. */
static void
screenshot (GtkWidget  *widget,
            const char *name)
{
  if (g_getenv ("CT_SCREENSHOT_DIR") == NULL)
    return;
  ct_test_spin (400);
  ct_test_screenshot (widget, name);
}

static gint64
count_rows (Fixture    *f,
            const char *sql)
{
  g_autoptr(GError) error = NULL;
  gint64 n = ct_db_query_int64 (f->db, sql, &error);

  g_assert_no_error (error);
  return n;
}

static gboolean
match_list_box (GtkWidget     *widget,
                gconstpointer  data)
{
  return GTK_IS_LIST_BOX (widget);
}

/* The rows of the columns page, in the order of the file's columns.
 * Returns: (transfer container) */
static GPtrArray *
column_rows (Fixture *f)
{
  GPtrArray *rows = g_ptr_array_new ();
  /* AdwPreferencesGroup keeps its rows in a GtkListBox inside. */
  GtkWidget *listbox = ct_test_find_widget (GTK_WIDGET (import_child (f, "columns_group")),
                                            match_list_box, NULL);

  g_assert_nonnull (listbox);
  for (GtkWidget *w = gtk_widget_get_first_child (listbox); w != NULL; w = gtk_widget_get_next_sibling (w))
    if (ADW_IS_COMBO_ROW (w))
      g_ptr_array_add (rows, w);
  return rows;
}

static AdwComboRow *
column_row (Fixture *f,
            guint    column)
{
  g_autoptr(GPtrArray) rows = column_rows (f);

  g_assert_cmpuint (column, <, rows->len);
  return ADW_COMBO_ROW (g_ptr_array_index (rows, column));
}

static guint
n_column_rows (Fixture *f)
{
  g_autoptr(GPtrArray) rows = column_rows (f);

  return rows->len;
}

static const char *
combo_row_label (AdwComboRow *row)
{
  GtkStringObject *item = adw_combo_row_get_selected_item (row);

  g_assert_nonnull (item);
  return gtk_string_object_get_string (item);
}

static void
select_field (AdwComboRow *row,
              const char  *label)
{
  GListModel *model = adw_combo_row_get_model (row);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), i), label) == 0)
      {
        adw_combo_row_set_selected (row, i);
        return;
      }
  g_error ("no field “%s” in the drop-down", label);
}

/* The contacts fixture: Chinese headers, semicolons, GB18030, one row
 * with a broken email. */
#define CONTACTS_GB18030 \
  "邮箱;姓名;手机;标签\r\n" \
  "zhangwei@example.com;张伟;13800138000;vip\r\n" \
  "not-an-email;李娜;13900139000;\r\n" \
  "ada@example.com;Ada Lovelace;;课程A\r\n" \
  "grace@example.com;Grace Hopper;;\r\n"

/* Tests */

static void
test_contacts (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GFile) file = write_gb18030 (f, "客户.csv", CONTACTS_GB18030);
  g_autoptr(GFile) rejects = NULL;
  g_autofree char *rejects_path = NULL;
  g_autofree char *rejects_text = NULL;
  CtImporter *importer;
  CtImportResult *result;
  GListModel *preview;
  GtkWidget *contacts;
  GtkColumnView *contacts_view;
  const char *description;
  guint n_problems = 0;
  g_autoptr(GError) error = NULL;

  /* The welcome page offers an import next to the demo. */
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (f->window),
                                                                                    CT_TYPE_WINDOW, "import_button"))));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "import-contacts"));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "import-purchases"));

  open_import (f, CT_IMPORT_CONTACTS);
  screenshot (GTK_WIDGET (f->import), "import-start");
  ct_import_window_load_file (f->import, file);
  wait_for_page (f, "file");
  importer = ct_import_window_get_importer (f->import);
  g_assert_nonnull (importer);

  /* What was detected is what the page shows. */
  g_assert_cmpint (ct_importer_get_encoding (importer), ==, CT_CSV_ENCODING_GB18030);
  g_assert_cmpint (ct_importer_get_delimiter (importer), ==, ';');
  g_assert_true (ct_importer_get_has_header (importer));
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (import_child (f, "encoding_row"))), ==,
                    CT_CSV_ENCODING_GB18030);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (import_child (f, "delimiter_row"))), ==, 1);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (import_child (f, "header_switch"))));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (import_child (f, "columns_found_row"))),
                   ==, "4 columns");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (import_child (f, "columns_found_row"))),
                   ==, "邮箱, 姓名, 手机, 标签");
  screenshot (GTK_WIDGET (f->import), "import-file");

  /* Another separator reads the file again: one column. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (import_child (f, "delimiter_row")), 0);
  g_assert_cmpint (ct_importer_get_delimiter (importer), ==, ',');
  g_assert_cmpuint (ct_importer_get_n_columns (importer), ==, 1);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (import_child (f, "columns_found_row"))),
                   ==, "1 column");
  adw_combo_row_set_selected (ADW_COMBO_ROW (import_child (f, "delimiter_row")), 1);
  g_assert_cmpuint (ct_importer_get_n_columns (importer), ==, 4);

  /* GB18030 bytes are not UTF-8: said in words, and no going on. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (import_child (f, "encoding_row")), CT_CSV_ENCODING_UTF8);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (import_child (f, "file_error_label"))));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (import_child (f, "file_error_label"))), "GB18030"));
  g_assert_false (action_enabled (f, "import.next"));
  g_assert_cmpint (ct_importer_get_encoding (importer), ==, CT_CSV_ENCODING_GB18030);
  adw_combo_row_set_selected (ADW_COMBO_ROW (import_child (f, "encoding_row")), CT_CSV_ENCODING_GB18030);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (import_child (f, "file_error_label"))));
  g_assert_cmpuint (ct_importer_get_n_columns (importer), ==, 4);

  /* Without the header the header row is data: still 4 columns, named
   * by number, and the header cells show up as a sample. */
  gtk_switch_set_active (GTK_SWITCH (import_child (f, "header_switch")), FALSE);
  g_assert_false (ct_importer_get_has_header (importer));
  gtk_switch_set_active (GTK_SWITCH (import_child (f, "header_switch")), TRUE);
  g_assert_true (ct_importer_get_has_header (importer));

  /* Dates day first, or not. */
  gtk_switch_set_active (GTK_SWITCH (import_child (f, "day_first_switch")), TRUE);
  g_assert_true (ct_importer_get_day_first (importer));
  gtk_switch_set_active (GTK_SWITCH (import_child (f, "day_first_switch")), FALSE);
  g_assert_false (ct_importer_get_day_first (importer));

  /* Columns: one row each, named by the header, with the guessed field. */
  next (f);
  wait_for_page (f, "columns");
  g_assert_cmpuint (n_column_rows (f), ==, 4);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (column_row (f, 0))), ==, "邮箱");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (column_row (f, 0))), ==,
                   "For example: zhangwei@example.com");
  g_assert_cmpstr (combo_row_label (column_row (f, 0)), ==,
                   ct_import_field_get_label (CT_IMPORT_FIELD_EMAIL));
  g_assert_cmpstr (combo_row_label (column_row (f, 1)), ==,
                   ct_import_field_get_label (CT_IMPORT_FIELD_NAME));
  g_assert_cmpstr (combo_row_label (column_row (f, 2)), ==,
                   ct_import_field_get_label (CT_IMPORT_FIELD_PHONE));
  g_assert_cmpstr (combo_row_label (column_row (f, 3)), ==,
                   ct_import_field_get_label (CT_IMPORT_FIELD_TAGS));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (import_child (f, "duplicates_group"))));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (import_child (f, "purchase_group"))));
  g_assert_true (action_enabled (f, "import.next"));
  screenshot (GTK_WIDGET (f->import), "import-columns");

  /* A field belongs to one column: giving the phone column "Email"
   * takes it from the first, and the first row follows. */
  select_field (column_row (f, 2), ct_import_field_get_label (CT_IMPORT_FIELD_EMAIL));
  g_assert_cmpint (ct_importer_get_column_field (importer, 2), ==, CT_IMPORT_FIELD_EMAIL);
  g_assert_cmpint (ct_importer_get_column_field (importer, 0), ==, CT_IMPORT_FIELD_IGNORE);
  g_assert_cmpstr (combo_row_label (column_row (f, 0)), ==,
                   ct_import_field_get_label (CT_IMPORT_FIELD_IGNORE));

  /* Nothing usable mapped: the page says what is missing, no going on. */
  for (guint i = 0; i < 4; i++)
    select_field (column_row (f, i), ct_import_field_get_label (CT_IMPORT_FIELD_IGNORE));
  g_assert_false (ct_importer_check_mapping (importer, NULL));
  g_assert_false (action_enabled (f, "import.next"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (import_child (f, "mapping_label")), "error"));
  ct_importer_check_mapping (importer, &error);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (import_child (f, "mapping_label"))), ==, error->message);
  g_clear_error (&error);

  select_field (column_row (f, 0), ct_import_field_get_label (CT_IMPORT_FIELD_EMAIL));
  select_field (column_row (f, 1), ct_import_field_get_label (CT_IMPORT_FIELD_NAME));
  select_field (column_row (f, 2), ct_import_field_get_label (CT_IMPORT_FIELD_PHONE));
  select_field (column_row (f, 3), ct_import_field_get_label (CT_IMPORT_FIELD_TAGS));
  g_assert_true (action_enabled (f, "import.next"));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (import_child (f, "mapping_label")), "error"));

  /* Preview: every row, the bad one marked, and the dry run's count. */
  next (f);
  wait_for_page (f, "preview");
  preview = G_LIST_MODEL (gtk_column_view_get_model (GTK_COLUMN_VIEW (import_child (f, "preview_view"))));
  g_assert_cmpuint (g_list_model_get_n_items (preview), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *problem = ct_importer_check_preview_row (importer, i);

      if (problem != NULL)
        {
          n_problems++;
          g_assert_cmpuint (i, ==, 1);
        }
    }
  g_assert_cmpuint (n_problems, ==, 1);
  /* Line, Problem, and the four mapped columns. */
  g_assert_cmpuint (g_list_model_get_n_items (gtk_column_view_get_columns (GTK_COLUMN_VIEW (import_child (f, "preview_view")))),
                    ==, 6);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (import_child (f, "preview_label"))),
                            "1 of them has a problem"));
  wait_for_dry_run (f);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (import_child (f, "dry_run_label"))), ==,
                   "In the whole file, 3 rows will be imported.\n1 will be rejected.");
  /* The dry run changed nothing. */
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM contacts"), ==, 0);
  screenshot (GTK_WIDGET (f->import), "import-preview");

  /* Import. */
  next (f);
  wait_for_page (f, "done");
  result = ct_import_window_get_result (f->import);
  g_assert_nonnull (result);
  g_assert_true (ct_import_result_get_committed (result));
  g_assert_cmpuint (ct_import_result_get_imported (result), ==, 3);
  g_assert_cmpuint (ct_import_result_get_rejected (result), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM contacts"), ==, 3);

  description = adw_status_page_get_description (ADW_STATUS_PAGE (import_child (f, "done_page")));
  g_assert_nonnull (strstr (description, "3 new contacts were added."));
  g_assert_nonnull (strstr (description, "1 row was rejected and not imported"));
  {
    GtkListBoxRow *row = gtk_list_box_get_row_at_index (GTK_LIST_BOX (import_child (f, "rejects_list")), 0);

    g_assert_nonnull (row);
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "Line 3");
    g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==,
                     ct_import_result_get_reject (result, 0)->reason);
    g_assert_null (gtk_list_box_get_row_at_index (GTK_LIST_BOX (import_child (f, "rejects_list")), 1));
  }
  screenshot (GTK_WIDGET (f->import), "import-done");

  /* The main window left its welcome page for the refreshed list. */
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (gtk_widget_get_template_child (
                     GTK_WIDGET (f->window), CT_TYPE_WINDOW, "stack"))), ==, "main");
  contacts = view (f, "contacts");
  contacts_view = GTK_COLUMN_VIEW (gtk_widget_get_template_child (contacts, CT_TYPE_CONTACTS_VIEW, "column_view"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (contacts_view))), ==, 3);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (gtk_widget_get_template_child (contacts, CT_TYPE_CONTACTS_VIEW,
                                                                                  "count_label"))),
                   ==, "3 contacts");

  /* The rejected rows, saved to fix and import again. */
  rejects_path = g_build_filename (f->dir, "rejected.csv", NULL);
  rejects = g_file_new_for_path (rejects_path);
  g_assert_true (ct_import_window_save_rejects (f->import, rejects, &error));
  g_assert_no_error (error);
  g_file_get_contents (rejects_path, &rejects_text, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (rejects_text, "not-an-email"));
  g_assert_nonnull (strstr (rejects_text, "李娜"));
  g_assert_null (strstr (rejects_text, "zhangwei@example.com"));

  /* Done closes the assistant. */
  next (f);
  ct_test_spin (50);
  g_assert_null (f->import);
}

/* Runs the assistant to its done page over @file, with all or nothing
 * and the duplicate policy as given. */
static void
import_with_options (Fixture    *f,
                     GFile      *file,
                     gboolean    all_or_nothing,
                     const char *on_duplicate)
{
  open_import (f, CT_IMPORT_CONTACTS);
  ct_import_window_load_file (f->import, file);
  wait_for_page (f, "file");
  next (f);
  wait_for_page (f, "columns");
  gtk_switch_set_active (GTK_SWITCH (import_child (f, "all_or_nothing_switch")), all_or_nothing);
  g_assert_cmpint (ct_importer_get_all_or_nothing (ct_import_window_get_importer (f->import)), ==,
                   all_or_nothing);
  select_field (ADW_COMBO_ROW (import_child (f, "duplicates_row")), on_duplicate);
  next (f);
  wait_for_page (f, "preview");
  wait_for_dry_run (f);
}

static void
test_options (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GFile) file = write_gb18030 (f, "客户.csv", CONTACTS_GB18030);
  CtImporter *importer;
  CtImportResult *result;

  /* All or nothing, with a bad row: nothing, and said so before and after. */
  import_with_options (f, file, TRUE, "Fill in blanks");
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (import_child (f, "dry_run_label"))),
                            "Nothing will be imported: 1 row is rejected"));
  next (f);
  wait_for_page (f, "done");
  result = ct_import_window_get_result (f->import);
  g_assert_false (ct_import_result_get_committed (result));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (import_child (f, "done_page"))), ==,
                   "Nothing Was Imported");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (import_child (f, "rejects_group"))));
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM contacts"), ==, 0);
  /* Nothing changed, so the main window stays where it was. */
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (gtk_widget_get_template_child (
                     GTK_WIDGET (f->window), CT_TYPE_WINDOW, "stack"))), ==, "welcome");
  gtk_window_destroy (GTK_WINDOW (f->import));
  ct_test_spin (20);

  /* The good rows in. */
  import_with_options (f, file, FALSE, "Fill in blanks");
  next (f);
  wait_for_page (f, "done");
  g_assert_cmpuint (ct_import_result_get_imported (ct_import_window_get_result (f->import)), ==, 3);
  gtk_window_destroy (GTK_WINDOW (f->import));
  ct_test_spin (20);

  /* Again, leaving the contacts there alone: nothing new. */
  import_with_options (f, file, FALSE, "Skip");
  importer = ct_import_window_get_importer (f->import);
  g_assert_cmpint (ct_importer_get_on_duplicate (importer), ==, CT_IMPORT_DUPLICATES_SKIP);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (import_child (f, "duplicates_row"))), ==,
                   "Contacts already in Clientele are left as they are");
  next (f);
  wait_for_page (f, "done");
  result = ct_import_window_get_result (f->import);
  g_assert_cmpuint (ct_import_result_get_imported (result), ==, 0);
  g_assert_cmpuint (ct_import_result_get_skipped (result), ==, 3);
  g_assert_nonnull (strstr (adw_status_page_get_description (ADW_STATUS_PAGE (import_child (f, "done_page"))),
                            "3 contacts already in Clientele were left as they were."));
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM contacts"), ==, 3);
}

/* Enough rows that the run is still going when Cancel comes. */
static GFile *
write_big_file (Fixture *f,
                guint    n)
{
  g_autoptr(GString) text = g_string_new ("email,first_name,last_name,phone,notes\n");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "person%u@example.com,First%u,Last%u,+86 138 %08u,"
                            "\"A note, with a comma\nand a second line\"\n",
                            i, i, i, i);
  return write_file (f, "big.csv", text->str, text->len);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GFile) file = write_big_file (f, 20000);

  open_import (f, CT_IMPORT_CONTACTS);
  ct_import_window_load_file (f->import, file);
  wait_for_page (f, "file");
  next (f);
  wait_for_page (f, "columns");
  next (f);
  wait_for_page (f, "preview");
  wait_for_dry_run (f);
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (import_child (f, "dry_run_label"))),
                            "20,000 rows will be imported"));

  /* Import and, before the worker can be through, Cancel. */
  next (f);
  g_assert_cmpstr (ct_import_window_get_page (f->import), ==, "progress");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (import_child (f, "progress_bar"))));
  g_assert_true (action_enabled (f, "import.cancel"));
  gtk_widget_activate_action (GTK_WIDGET (f->import), "import.cancel", NULL);
  wait_for_page (f, "cancelled");

  /* Nothing changed, and the page says so. */
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM contacts"), ==, 0);
  g_assert_null (ct_import_window_get_result (f->import));
  g_assert_nonnull (strstr (adw_status_page_get_description (ADW_STATUS_PAGE (import_child (f, "cancelled_page"))),
                            "nothing in Clientele was changed"));
  screenshot (GTK_WIDGET (f->import), "import-cancelled");

  /* Back to the preview, and this time all the way. */
  gtk_widget_activate_action (GTK_WIDGET (f->import), "import.back", NULL);
  wait_for_page (f, "preview");
  wait_for_dry_run (f);
  next (f);
  g_assert_cmpstr (ct_import_window_get_page (f->import), ==, "progress");
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (import_child (f, "progress_page"))), ==,
                   "Importing Contacts…");
  wait_for_page (f, "done");
  g_assert_cmpuint (ct_import_result_get_imported (ct_import_window_get_result (f->import)), ==, 20000);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM contacts"), ==, 20000);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (import_child (f, "rejects_group"))));
}

static void
test_refused_files (Fixture       *f,
                    gconstpointer  data)
{
  /* The start of a zip archive, as every .xlsx is. */
  static const char workbook[] = "PK\003\004\024\000\006\000\010\000\000\000!\000[Content_Types].xml";
  g_autoptr(GFile) xlsx = write_file (f, "客户.xlsx", workbook, sizeof workbook - 1);
  g_autofree char *missing_path = g_build_filename (f->dir, "gone.csv", NULL);
  g_autoptr(GFile) missing = g_file_new_for_path (missing_path);
  g_autoptr(GFile) vcard = write_file (f, "people.vcf", "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Hopper;Grace;;;\r\n"
                                       "FN:Grace Hopper\r\nEMAIL:grace@example.com\r\nEND:VCARD\r\n", -1);
  const char *description;

  open_import (f, CT_IMPORT_CONTACTS);

  /* A workbook: said so, with what to do instead. */
  ct_import_window_load_file (f->import, xlsx);
  wait_for_page (f, "start");
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (import_child (f, "start_page"))), ==,
                   "Cannot Import This File");
  description = adw_status_page_get_description (ADW_STATUS_PAGE (import_child (f, "start_page")));
  g_assert_nonnull (strstr (description, "CSV UTF-8"));
  g_assert_null (ct_import_window_get_importer (f->import));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (import_child (f, "choose_button"))), ==,
                   "_Choose Another File…");
  screenshot (GTK_WIDGET (f->import), "import-workbook");

  /* A file that is not there. */
  ct_import_window_load_file (f->import, missing);
  wait_for_page (f, "start");
  description = adw_status_page_get_description (ADW_STATUS_PAGE (import_child (f, "start_page")));
  g_assert_nonnull (strstr (description, "still there"));

  /* A vCard goes straight to the columns: nothing about separators. */
  ct_import_window_load_file (f->import, vcard);
  wait_for_page (f, "columns");
  g_assert_true (ct_importer_check_mapping (ct_import_window_get_importer (f->import), NULL));
  next (f);
  wait_for_page (f, "preview");
  wait_for_dry_run (f);
  next (f);
  wait_for_page (f, "done");
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM contacts WHERE email = 'grace@example.com'"), ==, 1);
  gtk_window_destroy (GTK_WINDOW (f->import));
  ct_test_spin (20);

  /* A vCard is contacts, never purchases. */
  open_import (f, CT_IMPORT_PURCHASES);
  ct_import_window_load_file (f->import, vcard);
  wait_for_page (f, "start");
  description = adw_status_page_get_description (ADW_STATUS_PAGE (import_child (f, "start_page")));
  g_assert_nonnull (strstr (description, "Import Contacts"));
}

#define PURCHASES_CSV \
  "订单号,邮箱,商品,实付金额,支付时间\n" \
  "A-1001,zhangwei@example.com,Python 入门课,¥199.00,2024-01-05 10:30\n" \
  "A-1002,ada@example.com,Python 入门课,\"1,299元\",2024/1/6\n" \
  "A-1003,ada@example.com,Python 入门课,free,2024/1/7\n"

static void
test_purchases (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GFile) file = write_file (f, "orders.csv", PURCHASES_CSV, -1);
  g_autoptr(GFile) again = write_file (f, "orders-again.csv", PURCHASES_CSV, -1);
  CtImportResult *result;
  const char *description;
  GtkWidget *purchases;

  open_import (f, CT_IMPORT_PURCHASES);
  ct_import_window_load_file (f->import, file);
  wait_for_page (f, "file");
  next (f);
  wait_for_page (f, "columns");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (import_child (f, "duplicates_group"))));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (import_child (f, "purchase_group"))));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (import_child (f, "source_row"))), ==, "orders");
  /* No orders imported yet: no earlier names to offer. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (import_child (f, "sources_button"))));
  g_assert_cmpstr (combo_row_label (column_row (f, 0)), ==,
                   ct_import_field_get_label (CT_IMPORT_FIELD_ORDER_ID));
  g_assert_cmpstr (combo_row_label (column_row (f, 3)), ==,
                   ct_import_field_get_label (CT_IMPORT_FIELD_AMOUNT));
  screenshot (GTK_WIDGET (f->import), "import-purchases-columns");
  next (f);
  wait_for_page (f, "preview");
  wait_for_dry_run (f);
  next (f);
  wait_for_page (f, "done");

  result = ct_import_window_get_result (f->import);
  g_assert_cmpuint (ct_import_result_get_imported (result), ==, 2);
  g_assert_cmpuint (ct_import_result_get_rejected (result), ==, 1);
  g_assert_cmpuint (ct_import_result_get_contacts_created (result), ==, 2);
  description = adw_status_page_get_description (ADW_STATUS_PAGE (import_child (f, "done_page")));
  g_assert_nonnull (strstr (description, "2 purchases were imported."));
  g_assert_nonnull (strstr (description, "2 new contacts were added for buyers Clientele did not know."));

  /* The Purchases page shows them without being told twice. */
  purchases = view (f, "purchases");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (GTK_COLUMN_VIEW (
                      gtk_widget_get_template_child (purchases, CT_TYPE_PURCHASES_VIEW, "column_view"))))),
                    ==, 2);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (gtk_widget_get_template_child (
                     GTK_WIDGET (f->window), CT_TYPE_WINDOW, "view_stack"))), ==, "purchases");
  gtk_window_destroy (GTK_WINDOW (f->import));
  ct_test_spin (20);

  /* The same orders again, saved under another name, change nothing
   * once they are said to come from the same place. */
  open_import (f, CT_IMPORT_PURCHASES);
  ct_import_window_load_file (f->import, again);
  wait_for_page (f, "file");
  next (f);
  wait_for_page (f, "columns");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (import_child (f, "source_row"))), ==, "orders-again");
  /* The name used last time is offered. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (import_child (f, "sources_button"))));
  {
    GMenuModel *menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (import_child (f, "sources_button")));
    g_autoptr(GVariant) label = g_menu_model_get_item_attribute_value (menu, 0, G_MENU_ATTRIBUTE_LABEL,
                                                                      G_VARIANT_TYPE_STRING);

    g_assert_cmpint (g_menu_model_get_n_items (menu), ==, 1);
    g_assert_cmpstr (g_variant_get_string (label, NULL), ==, "orders");
  }
  gtk_widget_activate_action (GTK_WIDGET (f->import), "import.use-source", "s", "orders");
  g_assert_cmpstr (ct_importer_get_source (ct_import_window_get_importer (f->import)), ==, "orders");
  next (f);
  wait_for_page (f, "preview");
  wait_for_dry_run (f);
  next (f);
  wait_for_page (f, "done");
  result = ct_import_window_get_result (f->import);
  g_assert_cmpuint (ct_import_result_get_imported (result), ==, 0);
  g_assert_cmpuint (ct_import_result_get_skipped (result), ==, 2);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM purchases"), ==, 2);
}

/* Runs the assistant over @file with what it guessed, and closes it. */
static void
import_all (Fixture      *f,
            CtImportKind  kind,
            GFile        *file)
{
  open_import (f, kind);
  ct_import_window_load_file (f->import, file);
  wait_for_page (f, "file");
  next (f);
  wait_for_page (f, "columns");
  next (f);
  wait_for_page (f, "preview");
  wait_for_dry_run (f);
  next (f);
  wait_for_page (f, "done");
  gtk_window_destroy (GTK_WINDOW (f->import));
  ct_test_spin (20);
}

typedef struct
{
  GtkWidget  *root;
  const char *text;
} LabelWait;

static gboolean
label_shown (gpointer data)
{
  LabelWait *wait = data;

  return ct_test_find_label (wait->root, wait->text) != NULL;
}

/* Toasts come in after an idle and an animation: wait for them. */
static gboolean
wait_for_label (GtkWidget  *root,
                const char *text)
{
  LabelWait wait = { root, text };

  return ct_test_wait_until (label_shown, &wait, 10000);
}

/* Export */

typedef struct
{
  GFile      *file;
  const char *needle;
  guint       count;
  char       *text;
} ExportWait;

static gboolean
export_written (gpointer data)
{
  ExportWait *wait = data;
  const char *p;
  guint n = 0;

  g_clear_pointer (&wait->text, g_free);
  /* A new file is written in place: it exists before it is complete. */
  if (!g_file_load_contents (wait->file, NULL, &wait->text, NULL, NULL, NULL))
    return FALSE;
  for (p = strstr (wait->text, wait->needle); p != NULL; p = strstr (p + 1, wait->needle))
    n++;
  return n >= wait->count;
}

/* Waits until @file holds @count times @needle (lines, cards), and
 * returns its text. */
static char *
wait_for_export (Fixture    *f,
                 GFile      *file,
                 const char *needle,
                 guint       count)
{
  ExportWait wait = { file, needle, count, NULL };

  g_assert_true (ct_test_wait_until (export_written, &wait, 30000));
  ct_test_spin (50);
  return wait.text;
}

static void
test_export (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GFile) source = write_file (f, "contacts.csv",
                                        "email,name,tags\n"
                                        "zhangwei@example.com,张伟,vip\n"
                                        "ada@example.com,Ada Lovelace,vip\n"
                                        "grace@example.com,Grace Hopper,\n"
                                        "evil@example.com,=HYPERLINK(\"x\"),\n", -1);
  g_autoptr(GFile) orders = write_file (f, "orders.csv",
                                        "order id,email,product,amount,paid at\n"
                                        "A-1,ada@example.com,Ebook,19.90,2024-01-05\n"
                                        "A-2,grace@example.com,Course,299,2024-02-05\n", -1);
  g_autofree char *csv_path = g_build_filename (f->dir, "out.csv", NULL);
  g_autofree char *vcf_path = g_build_filename (f->dir, "out.vcf", NULL);
  g_autofree char *purchases_path = g_build_filename (f->dir, "purchases.csv", NULL);
  g_autofree char *products_path = g_build_filename (f->dir, "products.csv", NULL);
  g_autoptr(GFile) csv = g_file_new_for_path (csv_path);
  g_autoptr(GFile) vcf = g_file_new_for_path (vcf_path);
  g_autoptr(GFile) purchases_file = g_file_new_for_path (purchases_path);
  g_autoptr(GFile) products_file = g_file_new_for_path (products_path);
  g_autofree char *text = NULL;
  g_autofree char *vcf_text = NULL;
  g_autofree char *purchases_text = NULL;
  g_autofree char *products_text = NULL;
  CtContactsView *contacts;

  /* Contacts and purchases in, through the assistant. */
  import_all (f, CT_IMPORT_CONTACTS, source);
  import_all (f, CT_IMPORT_PURCHASES, orders);

  /* The contacts as listed: searched for "vip", two of four. */
  contacts = CT_CONTACTS_VIEW (view (f, "contacts"));
  ct_window_show_page (f->window, "contacts");
  ct_contacts_view_search (contacts, "vip");
  ct_test_spin (50);
  ct_contacts_view_export (contacts, CT_EXPORT_FORMAT_CSV, csv, TRUE);
  text = wait_for_export (f, csv, "\n", 3);
  g_assert_true (g_str_has_prefix (text, "\xEF\xBB\xBF" "email,first_name,last_name,phone,tags,"));
  g_assert_nonnull (strstr (text, "zhangwei@example.com"));
  g_assert_nonnull (strstr (text, "ada@example.com"));
  g_assert_null (strstr (text, "grace@example.com"));
  g_assert_true (wait_for_label (GTK_WIDGET (f->window), "Exported 2 contacts to “out.csv”"));
  screenshot (GTK_WIDGET (f->window), "export-toast");

  /* All of them as vCard; the formula stays text. */
  ct_contacts_view_search (contacts, "");
  ct_test_spin (50);
  ct_contacts_view_export (contacts, CT_EXPORT_FORMAT_VCARD, vcf, FALSE);
  vcf_text = wait_for_export (f, vcf, "END:VCARD", 4);
  g_assert_nonnull (strstr (vcf_text, "BEGIN:VCARD"));
  g_assert_nonnull (strstr (vcf_text, "EMAIL"));
  g_assert_nonnull (strstr (vcf_text, "grace@example.com"));
  g_assert_nonnull (strstr (vcf_text, "evil@example.com"));

  /* Purchases, without a BOM. */
  ct_purchases_view_export (CT_PURCHASES_VIEW (view (f, "purchases")), purchases_file, FALSE);
  purchases_text = wait_for_export (f, purchases_file, "\n", 3);
  g_assert_true (g_str_has_prefix (purchases_text, "order_id,source,paid_at,email,"));
  g_assert_nonnull (strstr (purchases_text, "A-1"));
  g_assert_nonnull (strstr (purchases_text, "19.90"));
  g_assert_nonnull (strstr (purchases_text, "A-2"));

  /* Products, which the purchases brought along. */
  ct_products_view_export (CT_PRODUCTS_VIEW (view (f, "products")), products_file, FALSE);
  products_text = wait_for_export (f, products_file, "\n", 3);
  g_assert_true (g_str_has_prefix (products_text, "name,sku,kind,price,"));
  g_assert_nonnull (strstr (products_text, "Ebook"));
  g_assert_nonnull (strstr (products_text, "Course"));
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

static void
test_personal_data (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GFile) source = write_file (f, "contacts.csv",
                                        "email,name,tags\n"
                                        "ada@example.com,Ada Lovelace,vip\n"
                                        "grace@example.com,Grace Hopper,\n", -1);
  g_autoptr(GFile) orders = write_file (f, "orders.csv",
                                        "order id,email,product,amount,paid at\n"
                                        "A-1,ada@example.com,Ebook,19.90,2024-01-05\n"
                                        "A-2,grace@example.com,Course,299,2024-02-05\n", -1);
  g_autofree char *json_path = g_build_filename (f->dir, "ada.json", NULL);
  g_autoptr(GFile) json = g_file_new_for_path (json_path);
  g_autofree char *json_text = NULL;
  g_autoptr(GError) error = NULL;
  CtContactsView *contacts;
  CtContactDetail *detail;
  AdwMessageDialog *dialog;
  gint64 ada;

  import_all (f, CT_IMPORT_CONTACTS, source);
  import_all (f, CT_IMPORT_PURCHASES, orders);
  ada = count_rows (f, "SELECT id FROM contacts WHERE email = 'ada@example.com'");

  contacts = CT_CONTACTS_VIEW (view (f, "contacts"));
  detail = CT_CONTACT_DETAIL (gtk_widget_get_template_child (GTK_WIDGET (contacts), CT_TYPE_CONTACTS_VIEW,
                                                             "detail"));
  ct_window_show_page (f->window, "contacts");
  g_assert_true (ct_contacts_view_select (contacts, ada));
  ct_test_spin (50);
  g_assert_cmpint (ct_contact_detail_get_contact (detail), ==, ada);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (detail),
                                                                                    CT_TYPE_CONTACT_DETAIL,
                                                                                    "menu_button"))));

  /* Everything held about her, as JSON. */
  g_assert_true (ct_contact_detail_export_data (detail, 0, json, &error));
  g_assert_no_error (error);
  g_file_get_contents (json_path, &json_text, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (json_text, "ada@example.com"));
  g_assert_nonnull (strstr (json_text, "A-1"));
  g_assert_null (strstr (json_text, "grace@example.com"));
  ct_test_spin (50);
  g_assert_true (wait_for_label (GTK_WIDGET (f->window), "Saved the personal data to “ada.json”"));

  /* Erase asks first; Cancel keeps her. */
  gtk_widget_activate_action (GTK_WIDGET (detail), "contact.erase", NULL);
  ct_test_spin (50);
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Erase “Ada Lovelace”?");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "cannot be undone"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "revenue totals"));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "erase"), ==, ADW_RESPONSE_DESTRUCTIVE);
  screenshot (GTK_WIDGET (dialog), "erase-dialog");
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_destroy (GTK_WINDOW (dialog));
  ct_test_spin (50);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM contacts"), ==, 2);
  g_assert_cmpint (ct_contact_detail_get_contact (detail), ==, ada);

  /* Erase: she is gone, her purchase stays, detached. */
  gtk_widget_activate_action (GTK_WIDGET (detail), "contact.erase", NULL);
  ct_test_spin (50);
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "erase");
  gtk_window_destroy (GTK_WINDOW (dialog));
  ct_test_spin (100);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM contacts"), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM purchases"), ==, 2);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM purchases WHERE contact_id IS NULL"), ==, 1);
  g_assert_cmpint (ct_contact_detail_get_contact (detail), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (GTK_COLUMN_VIEW (
                      gtk_widget_get_template_child (GTK_WIDGET (contacts), CT_TYPE_CONTACTS_VIEW,
                                                     "column_view"))))), ==, 1);
  g_assert_true (wait_for_label (GTK_WIDGET (f->window), "“Ada Lovelace” erased"));
}

static gboolean
message_dialog_shown (gpointer data)
{
  return find_message_dialog () != NULL;
}

static void
test_locked (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GFile) file = write_gb18030 (f, "客户.csv", CONTACTS_GB18030);
  sqlite3 *other = NULL;
  AdwMessageDialog *dialog;

  open_import (f, CT_IMPORT_CONTACTS);
  ct_import_window_load_file (f->import, file);
  wait_for_page (f, "file");
  next (f);
  wait_for_page (f, "columns");

  /* Another program holds the write lock for the whole run. */
  g_assert_cmpint (sqlite3_open (ct_db_get_path (f->db), &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);

  next (f);
  wait_for_page (f, "preview");
  wait_for_dry_run (f);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (import_child (f, "dry_run_label")), "error"));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (import_child (f, "dry_run_label"))),
                                   "Could not check the whole file: "));

  /* Importing anyway says why it cannot, and that nothing changed. */
  next (f);
  g_assert_true (ct_test_wait_until (message_dialog_shown, NULL, 60000));
  dialog = find_message_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Could Not Import");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "Nothing was changed."));
  g_assert_cmpstr (ct_import_window_get_page (f->import), ==, "preview");
  screenshot (GTK_WIDGET (dialog), "import-locked");
  gtk_window_destroy (GTK_WINDOW (dialog));

  sqlite3_exec (other, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (other);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM contacts"), ==, 0);

  /* With the lock gone, the same Import works. */
  next (f);
  wait_for_page (f, "done");
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM contacts"), ==, 3);
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

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/import/contacts", test_contacts);
  ADD ("/import/options", test_options);
  ADD ("/import/cancel", test_cancel);
  ADD ("/import/refused-files", test_refused_files);
  ADD ("/import/purchases", test_purchases);
  ADD ("/export/views", test_export);
  ADD ("/import/locked", test_locked);
  ADD ("/privacy/export-and-erase", test_personal_data);
#undef ADD

  result = g_test_run ();
  g_object_unref (app);
  return result;
}
