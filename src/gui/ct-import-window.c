/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-import-window.c: the import assistant for contacts and purchases
 *
 * The pages follow the steps of CtImporter (see ct-import.h): the file
 * and how it is written, what each column holds, a preview of the first
 * rows with their problems and a dry run's exact counts, then the run
 * itself on a worker thread with a progress bar and Cancel, and what
 * became of every row.
 *
 * The importer must not change while a run (dry or not) is in progress:
 * every control that changes it is insensitive while one is, and Back
 * cancels a dry run before it lets the user change anything.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ct-import-window.h"
#include "ct-gui-format.h"
#include "ct-window.h"

/* How many rejected rows the done page lists; all of them go in the file
 * "Save Rejected Rows…" writes. */
#define MAX_LISTED_REJECTS 200

/* Columns of the preview that are not columns of the file. */
#define PREVIEW_COLUMN_LINE    (-1)
#define PREVIEW_COLUMN_PROBLEM (-2)

static const char delimiters[] = { ',', ';', '\t' };

static const CtImportDuplicates duplicate_policies[] = {
  CT_IMPORT_DUPLICATES_UPDATE_EMPTY,
  CT_IMPORT_DUPLICATES_OVERWRITE,
  CT_IMPORT_DUPLICATES_SKIP,
};

/* One row of the preview. */

#define CT_TYPE_IMPORT_PREVIEW_ITEM (ct_import_preview_item_get_type ())
G_DECLARE_FINAL_TYPE (CtImportPreviewItem, ct_import_preview_item, CT, IMPORT_PREVIEW_ITEM, GObject)

struct _CtImportPreviewItem
{
  GObject  parent_instance;

  guint    line;
  char    *problem;  /* NULL when the row would import */
  GStrv    cells;
  guint    n_cells;
};

G_DEFINE_FINAL_TYPE (CtImportPreviewItem, ct_import_preview_item, G_TYPE_OBJECT)

static void
ct_import_preview_item_finalize (GObject *object)
{
  CtImportPreviewItem *self = CT_IMPORT_PREVIEW_ITEM (object);

  g_free (self->problem);
  g_strfreev (self->cells);

  G_OBJECT_CLASS (ct_import_preview_item_parent_class)->finalize (object);
}

static void
ct_import_preview_item_class_init (CtImportPreviewItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ct_import_preview_item_finalize;
}

static void
ct_import_preview_item_init (CtImportPreviewItem *self)
{
}

/* The window */

struct _CtImportWindow
{
  AdwWindow            parent_instance;

  CtContext           *context;
  CtImportKind         kind;
  CtImporter          *importer;
  CtImportResult      *result;
  GFile               *file;

  GCancellable        *load_cancellable;
  GCancellable        *run_cancellable;
  gboolean             running;        /* a run, dry or not, is in progress */
  gboolean             running_dry;
  gboolean             import_pending; /* run for real when the dry run is over */
  guint                syncing;        /* set while widgets follow the importer */

  const CtImportField *fields;
  guint                n_fields;
  GPtrArray           *column_rows;    /* AdwComboRow, one per column of the file */
  GListStore          *preview_items;

  /* template children */
  AdwToastOverlay     *toast_overlay;
  AdwWindowTitle      *window_title;
  GtkButton           *back_button;
  GtkButton           *next_button;
  GtkStack            *stack;
  AdwStatusPage       *start_page;
  GtkButton           *choose_button;
  GtkSpinner          *loading_spinner;
  GtkLabel            *file_error_label;
  AdwPreferencesGroup *file_group;
  AdwComboRow         *encoding_row;
  AdwComboRow         *delimiter_row;
  GtkSwitch           *header_switch;
  GtkSwitch           *day_first_switch;
  AdwPreferencesGroup *read_group;
  AdwActionRow        *columns_found_row;
  AdwActionRow        *sample_row;
  GtkImage            *mapping_icon;
  GtkLabel            *mapping_label;
  AdwPreferencesGroup *columns_group;
  AdwPreferencesGroup *duplicates_group;
  AdwComboRow         *duplicates_row;
  AdwPreferencesGroup *purchase_group;
  AdwEntryRow         *source_row;
  GtkMenuButton       *sources_button;
  AdwEntryRow         *currency_row;
  GtkSwitch           *all_or_nothing_switch;
  GtkLabel            *preview_label;
  GtkSpinner          *dry_run_spinner;
  GtkLabel            *dry_run_label;
  GtkColumnView       *preview_view;
  AdwStatusPage       *progress_page;
  GtkProgressBar      *progress_bar;
  GtkButton           *cancel_button;
  AdwStatusPage       *cancelled_page;
  AdwStatusPage       *done_page;
  AdwPreferencesGroup *rejects_group;
  GtkListBox          *rejects_list;
};

G_DEFINE_FINAL_TYPE (CtImportWindow, ct_import_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_CONTEXT,
  PROP_KIND,
  PROP_PAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void start_run (CtImportWindow *self,
                       gboolean        dry_run);

/* Small helpers */

static void
toast (CtImportWindow *self,
       const char     *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
}

static const char *
kind_title (CtImportKind kind)
{
  return kind == CT_IMPORT_CONTACTS ? _("Import Contacts") : _("Import Purchases");
}

/* The sentences of a summary, one a line. */
static void
add_sentence (GString    *text,
              const char *sentence)
{
  if (text->len > 0)
    g_string_append_c (text, '\n');
  g_string_append (text, sentence);
}

/* @format is a translated sentence with a %s for the count. */
static void
add_count_sentence (GString    *text,
                    const char *format,
                    guint       n)
{
  g_autofree char *count = ct_format_count (n);
  g_autofree char *sentence = g_strdup_printf (format, count);

  add_sentence (text, sentence);
}

static void
show_message_dialog (CtImportWindow *self,
                     const char     *heading,
                     const char     *body)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Pages */

static const char *
get_page (CtImportWindow *self)
{
  const char *name = gtk_stack_get_visible_child_name (self->stack);

  return name != NULL ? name : "start";
}

static gboolean
page_is (CtImportWindow *self,
         const char     *name)
{
  return g_strcmp0 (get_page (self), name) == 0;
}

static void
update_header (CtImportWindow *self)
{
  const char *page = get_page (self);
  g_autofree char *subtitle = NULL;
  const char *step = NULL;
  gboolean back = FALSE;
  gboolean next = TRUE;
  const char *next_label = _("_Next");
  gboolean next_ok = !self->running || self->running_dry;

  if (g_str_equal (page, "file"))
    {
      /* Translators: the import assistant's steps, in its subtitle */
      step = _("Step 1 of 3: The File");
      /* An encoding that does not decode leaves no columns to map. */
      next_ok = self->importer != NULL && ct_importer_get_n_columns (self->importer) > 0
                && !gtk_widget_get_visible (GTK_WIDGET (self->file_error_label));
    }
  else if (g_str_equal (page, "columns"))
    {
      step = _("Step 2 of 3: Columns");
      back = TRUE;
      next_ok = next_ok && self->importer != NULL && ct_importer_check_mapping (self->importer, NULL);
    }
  else if (g_str_equal (page, "preview"))
    {
      step = _("Step 3 of 3: Preview");
      back = TRUE;
      next_label = _("_Import");
      next_ok = !self->import_pending;
    }
  else if (g_str_equal (page, "done"))
    {
      next_label = _("_Done");
    }
  else
    {
      next = FALSE;
    }

  if (self->importer != NULL && ct_importer_get_file_name (self->importer) != NULL && step != NULL)
    /* Translators: the import assistant's subtitle: the step, then the
     * name of the file being imported */
    subtitle = g_strdup_printf (_("%s · %s"), step, ct_importer_get_file_name (self->importer));
  else
    subtitle = g_strdup (step != NULL ? step : "");

  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), back);
  gtk_widget_set_visible (GTK_WIDGET (self->next_button), next);
  gtk_button_set_label (self->next_button, next_label);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.next", next && next_ok);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.back", back
                                 || g_str_equal (page, "cancelled"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.cancel",
                                 self->running && !self->running_dry);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.save-rejects",
                                 self->result != NULL && ct_import_result_get_rejected (self->result) > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.choose-file", !self->running);
}

static void
set_page (CtImportWindow *self,
          const char     *name)
{
  gboolean changed = !page_is (self, name);

  gtk_stack_set_visible_child_name (self->stack, name);
  gtk_spinner_set_spinning (self->loading_spinner, g_str_equal (name, "loading"));
  update_header (self);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE]);
}

static void
show_start (CtImportWindow *self,
            const GError   *error)
{
  if (error == NULL)
    {
      g_autofree char *description = NULL;

      adw_status_page_set_icon_name (self->start_page, "x-office-spreadsheet-symbolic");
      adw_status_page_set_title (self->start_page, kind_title (self->kind));
      if (self->kind == CT_IMPORT_CONTACTS)
        description = g_strdup (_("Choose a CSV file saved from a spreadsheet, a shop or a course "
                                  "platform, or a vCard file from an address book. You will see "
                                  "what each column becomes before anything is imported."));
      else
        description = g_strdup (_("Choose a CSV file of orders saved from a spreadsheet, a shop or "
                                  "a course platform. You will see what each column becomes before "
                                  "anything is imported."));
      adw_status_page_set_description (self->start_page, description);
      gtk_button_set_label (self->choose_button, _("_Choose File…"));
    }
  else
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);
      g_autofree char *description = NULL;
      const char *hint = NULL;

      /* A workbook's message already says how to save it as CSV. */
      if (g_error_matches (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_EMPTY))
        hint = _("There are no rows to import in this file.");
      else if (g_error_matches (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_READ)
               || error->domain == G_IO_ERROR)
        hint = _("Check that the file is still there and that you may read it.");

      if (hint != NULL)
        description = g_strdup_printf ("%s\n\n%s", escaped, hint);
      else
        description = g_steal_pointer (&escaped);

      adw_status_page_set_icon_name (self->start_page, "dialog-warning-symbolic");
      adw_status_page_set_title (self->start_page, _("Cannot Import This File"));
      adw_status_page_set_description (self->start_page, description);
      gtk_button_set_label (self->choose_button, _("_Choose Another File…"));
    }
  set_page (self, "start");
}

/* The file page */

static void
update_read_group (CtImportWindow *self)
{
  guint n_columns = ct_importer_get_n_columns (self->importer);
  g_autoptr(GString) names = g_string_new (NULL);
  g_autofree char *count = ct_format_count (n_columns);
  g_autofree char *title = NULL;

  for (guint i = 0; i < n_columns; i++)
    {
      if (i > 0)
        /* Translators: between the names of columns in a list */
        g_string_append (names, C_("list separator", ", "));
      g_string_append (names, ct_importer_get_column_name (self->importer, i));
    }
  title = g_strdup_printf (ngettext ("%s column", "%s columns", n_columns), count);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->columns_found_row), title);
  adw_action_row_set_subtitle (self->columns_found_row, names->str);

  if (ct_importer_get_n_preview_rows (self->importer) > 0)
    {
      g_autoptr(GString) sample = g_string_new (NULL);
      const char * const *cells;
      guint n_cells = 0, line = 0;
      g_autofree char *sample_title = NULL;

      cells = ct_importer_get_preview_row (self->importer, 0, &n_cells, &line);
      for (guint i = 0; i < n_cells; i++)
        {
          if (i > 0)
            g_string_append (sample, C_("list separator", ", "));
          g_string_append (sample, cells[i]);
        }
      /* Translators: %u is the line number of the file */
      sample_title = g_strdup_printf (_("First Row of Data, Line %u"), line);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->sample_row), sample_title);
      adw_action_row_set_subtitle (self->sample_row, sample->str);
      gtk_widget_set_visible (GTK_WIDGET (self->sample_row), TRUE);
    }
  else
    {
      gtk_widget_set_visible (GTK_WIDGET (self->sample_row), FALSE);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->read_group), n_columns > 0);
}

static void
sync_file_page (CtImportWindow *self)
{
  char delimiter = ct_importer_get_delimiter (self->importer);

  self->syncing++;
  adw_combo_row_set_selected (self->encoding_row, ct_importer_get_encoding (self->importer));
  for (guint i = 0; i < G_N_ELEMENTS (delimiters); i++)
    if (delimiters[i] == delimiter)
      adw_combo_row_set_selected (self->delimiter_row, i);
  gtk_switch_set_active (self->header_switch, ct_importer_get_has_header (self->importer));
  gtk_switch_set_active (self->day_first_switch, ct_importer_get_day_first (self->importer));
  gtk_switch_set_active (self->all_or_nothing_switch, ct_importer_get_all_or_nothing (self->importer));
  for (guint i = 0; i < G_N_ELEMENTS (duplicate_policies); i++)
    if (duplicate_policies[i] == ct_importer_get_on_duplicate (self->importer))
      adw_combo_row_set_selected (self->duplicates_row, i);
  if (ct_importer_get_source (self->importer) != NULL
      && g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->source_row)),
                    ct_importer_get_source (self->importer)) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->source_row), ct_importer_get_source (self->importer));
  if (ct_importer_get_default_currency (self->importer) != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->currency_row),
                           ct_importer_get_default_currency (self->importer));
  self->syncing--;

  update_read_group (self);
}

static void
show_file_error (CtImportWindow *self,
                 const GError   *error)
{
  if (error == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->file_error_label), FALSE);
    }
  else
    {
      g_autofree char *text = NULL;

      text = g_strdup_printf ("%s %s", error->message,
                              _("Pick the encoding the file was saved in: files saved by Excel "
                                "in Chinese are usually GB18030."));
      gtk_label_set_text (self->file_error_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->file_error_label), TRUE);
    }
  update_header (self);
}

static void
on_encoding_selected (CtImportWindow *self)
{
  g_autoptr(GError) error = NULL;
  guint selected = adw_combo_row_get_selected (self->encoding_row);

  if (self->syncing > 0 || self->importer == NULL || selected >= CT_CSV_N_ENCODINGS)
    return;
  if (ct_importer_get_encoding (self->importer) == (CtCsvEncoding) selected
      && !gtk_widget_get_visible (GTK_WIDGET (self->file_error_label)))
    return;

  if (!ct_importer_set_encoding (self->importer, selected, &error))
    {
      /* The importer kept the previous reading; the combo says what was
       * tried, the message why it failed. */
      show_file_error (self, error);
      return;
    }
  show_file_error (self, NULL);
  sync_file_page (self);
}

static void
on_delimiter_selected (CtImportWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->delimiter_row);

  if (self->syncing > 0 || self->importer == NULL || selected >= G_N_ELEMENTS (delimiters))
    return;
  ct_importer_set_delimiter (self->importer, delimiters[selected]);
}

static void
on_header_switched (CtImportWindow *self)
{
  if (self->syncing > 0 || self->importer == NULL)
    return;
  ct_importer_set_has_header (self->importer, gtk_switch_get_active (self->header_switch));
}

static void
on_day_first_switched (CtImportWindow *self)
{
  if (self->syncing > 0 || self->importer == NULL)
    return;
  ct_importer_set_day_first (self->importer, gtk_switch_get_active (self->day_first_switch));
}

static void
on_all_or_nothing_switched (CtImportWindow *self)
{
  if (self->syncing > 0 || self->importer == NULL)
    return;
  ct_importer_set_all_or_nothing (self->importer, gtk_switch_get_active (self->all_or_nothing_switch));
}

static void
update_duplicates_subtitle (CtImportWindow *self)
{
  const char *subtitle;

  switch (adw_combo_row_get_selected (self->duplicates_row))
    {
    case 1:
      subtitle = _("The file’s values replace what Clientele has; empty cells change nothing");
      break;
    case 2:
      subtitle = _("Contacts already in Clientele are left as they are");
      break;
    case 0:
    default:
      subtitle = _("Only the fields empty in Clientele are filled in from the file");
      break;
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->duplicates_row), subtitle);
}

static void
on_duplicates_selected (CtImportWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->duplicates_row);

  update_duplicates_subtitle (self);

  if (self->syncing > 0 || self->importer == NULL || selected >= G_N_ELEMENTS (duplicate_policies))
    return;
  ct_importer_set_on_duplicate (self->importer, duplicate_policies[selected]);
}

static void
on_source_changed (CtImportWindow *self)
{
  g_autofree char *source = NULL;

  if (self->syncing > 0 || self->importer == NULL)
    return;
  source = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->source_row))));
  /* Emptied: back to the name the file gave, never no source at all. */
  ct_importer_set_source (self->importer, *source != '\0' ? source : NULL);
}

/* The sources of earlier imports, most recent first, to pick from: the
 * same name is what keeps a re-import from adding orders twice. */
static void
load_known_sources (CtImportWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GMenu) menu = g_menu_new ();
  guint n = 0;

  stmt = ct_db_prepare (ct_context_get_db (self->context),
                        "SELECT source FROM purchases"
                        " WHERE external_ref IS NOT NULL AND source <> 'manual'"
                        " GROUP BY source ORDER BY max(created_at) DESC, source LIMIT 12",
                        &error);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *source = (const char *) sqlite3_column_text (stmt, 0);
      g_autoptr(GMenuItem) item = g_menu_item_new (source, NULL);

      g_menu_item_set_action_and_target_value (item, "import.use-source", g_variant_new_string (source));
      g_menu_append_item (menu, item);
      n++;
    }
  if (error != NULL)
    g_warning ("Could not list the earlier sources of orders: %s", error->message);

  gtk_menu_button_set_menu_model (self->sources_button, G_MENU_MODEL (menu));
  gtk_widget_set_visible (GTK_WIDGET (self->sources_button), n > 0);
}

static void
use_source_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CtImportWindow *self = CT_IMPORT_WINDOW (widget);

  gtk_editable_set_text (GTK_EDITABLE (self->source_row), g_variant_get_string (parameter, NULL));
}

static void
on_currency_changed (CtImportWindow *self)
{
  g_autofree char *currency = NULL;

  if (self->syncing > 0 || self->importer == NULL)
    return;
  currency = g_ascii_strup (gtk_editable_get_text (GTK_EDITABLE (self->currency_row)), -1);
  g_strstrip (currency);
  /* Half-typed codes are left for the run to judge per row. */
  if (strlen (currency) == 3)
    ct_importer_set_default_currency (self->importer, currency);
}

/* The columns page */

static guint
field_position (CtImportWindow *self,
                CtImportField   field)
{
  for (guint i = 0; i < self->n_fields; i++)
    if (self->fields[i] == field)
      return i;
  return 0; /* IGNORE comes first */
}

static void
update_mapping_status (CtImportWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (self->importer == NULL)
    return;

  if (ct_importer_check_mapping (self->importer, &error))
    {
      g_autoptr(GString) mapped = g_string_new (NULL);
      g_autofree char *text = NULL;

      for (guint i = 0; i < ct_importer_get_n_columns (self->importer); i++)
        {
          CtImportField field = ct_importer_get_column_field (self->importer, i);

          if (field == CT_IMPORT_FIELD_IGNORE)
            continue;
          if (mapped->len > 0)
            g_string_append (mapped, C_("list separator", ", "));
          g_string_append (mapped, ct_import_field_get_label (field));
        }
      /* Translators: %s is a list of fields: "Email, Name, Phone" */
      text = g_strdup_printf (_("Ready. Clientele will import: %s."), mapped->str);
      gtk_image_set_from_icon_name (self->mapping_icon, "emblem-ok-symbolic");
      gtk_widget_remove_css_class (GTK_WIDGET (self->mapping_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->mapping_icon), "success");
      gtk_widget_remove_css_class (GTK_WIDGET (self->mapping_icon), "error");
      gtk_label_set_text (self->mapping_label, text);
    }
  else
    {
      gtk_image_set_from_icon_name (self->mapping_icon, "dialog-warning-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->mapping_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->mapping_icon), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->mapping_icon), "success");
      gtk_label_set_text (self->mapping_label, error->message);
    }
  update_header (self);
}

static void
sync_mapping (CtImportWindow *self)
{
  self->syncing++;
  for (guint i = 0; i < self->column_rows->len; i++)
    {
      AdwComboRow *row = g_ptr_array_index (self->column_rows, i);
      CtImportField field = ct_importer_get_column_field (self->importer, i);

      adw_combo_row_set_selected (row, field_position (self, field));
    }
  self->syncing--;
  update_mapping_status (self);
}

static void
on_column_field_selected (AdwComboRow    *row,
                          GParamSpec     *pspec,
                          CtImportWindow *self)
{
  guint column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "ct-column"));
  guint selected = adw_combo_row_get_selected (row);

  if (self->syncing > 0 || self->importer == NULL || selected >= self->n_fields)
    return;

  ct_importer_set_column_field (self->importer, column, self->fields[selected]);
  /* A field belongs to one column: the column that had it lost it. */
  sync_mapping (self);
}

/* The first non-empty cell of @column among the preview rows. */
static const char *
column_sample (CtImportWindow *self,
               guint           column)
{
  guint n_rows = ct_importer_get_n_preview_rows (self->importer);

  for (guint r = 0; r < n_rows && r < 20; r++)
    {
      guint n_cells = 0;
      const char * const *cells = ct_importer_get_preview_row (self->importer, r, &n_cells, NULL);

      if (column < n_cells && cells[column] != NULL && *cells[column] != '\0')
        return cells[column];
    }
  return NULL;
}

static void
rebuild_column_rows (CtImportWindow *self)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  guint n_columns = ct_importer_get_n_columns (self->importer);

  for (guint i = 0; i < self->column_rows->len; i++)
    adw_preferences_group_remove (self->columns_group, g_ptr_array_index (self->column_rows, i));
  g_ptr_array_set_size (self->column_rows, 0);

  for (guint i = 0; i < self->n_fields; i++)
    gtk_string_list_append (labels, ct_import_field_get_label (self->fields[i]));

  self->syncing++;
  for (guint i = 0; i < n_columns; i++)
    {
      GtkWidget *row = adw_combo_row_new ();
      const char *sample = column_sample (self, i);
      g_autofree char *subtitle = NULL;

      /* Headers and cells are the user's text, not markup. */
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     ct_importer_get_column_name (self->importer, i));
      if (sample != NULL)
        /* Translators: under a column's name on the mapping page: a value
         * from that column of the file */
        subtitle = g_strdup_printf (_("For example: %s"), sample);
      else
        subtitle = g_strdup (_("Empty in the first rows"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
      adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (labels));
      adw_combo_row_set_selected (ADW_COMBO_ROW (row),
                                  field_position (self, ct_importer_get_column_field (self->importer, i)));
      g_object_set_data (G_OBJECT (row), "ct-column", GUINT_TO_POINTER (i));
      g_signal_connect (row, "notify::selected", G_CALLBACK (on_column_field_selected), self);
      adw_preferences_group_add (self->columns_group, row);
      g_ptr_array_add (self->column_rows, row);
    }
  self->syncing--;

  update_mapping_status (self);
}

/* The preview page */

static void
setup_preview_cell (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    gpointer                  user_data)
{
  int column = GPOINTER_TO_INT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), column == PREVIEW_COLUMN_LINE ? 1.0f : 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (column == PREVIEW_COLUMN_LINE)
    gtk_widget_add_css_class (label, "numeric");

  if (column == PREVIEW_COLUMN_PROBLEM)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *icon = gtk_image_new ();

      gtk_widget_set_hexpand (label, TRUE);
      gtk_box_append (GTK_BOX (box), icon);
      gtk_box_append (GTK_BOX (box), label);
      gtk_list_item_set_child (item, box);
    }
  else
    {
      gtk_list_item_set_child (item, label);
    }
}

static void
bind_preview_cell (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   gpointer                  user_data)
{
  int column = GPOINTER_TO_INT (user_data);
  CtImportPreviewItem *row = gtk_list_item_get_item (item);
  GtkWidget *child = gtk_list_item_get_child (item);

  if (column == PREVIEW_COLUMN_PROBLEM)
    {
      GtkWidget *icon = gtk_widget_get_first_child (child);
      GtkWidget *label = gtk_widget_get_last_child (child);

      if (row->problem != NULL)
        {
          gtk_image_set_from_icon_name (GTK_IMAGE (icon), "dialog-warning-symbolic");
          gtk_widget_add_css_class (icon, "error");
          gtk_label_set_text (GTK_LABEL (label), row->problem);
          gtk_widget_add_css_class (label, "error");
          gtk_widget_set_tooltip_text (child, row->problem);
        }
      else
        {
          gtk_image_set_from_icon_name (GTK_IMAGE (icon), "emblem-ok-symbolic");
          gtk_widget_remove_css_class (icon, "error");
          gtk_label_set_text (GTK_LABEL (label), C_("import preview row", "OK"));
          gtk_widget_remove_css_class (label, "error");
          gtk_widget_set_tooltip_text (child, NULL);
        }
    }
  else if (column == PREVIEW_COLUMN_LINE)
    {
      g_autofree char *text = g_strdup_printf ("%u", row->line);

      gtk_label_set_text (GTK_LABEL (child), text);
    }
  else
    {
      const char *text = (guint) column < row->n_cells ? row->cells[column] : "";

      gtk_label_set_text (GTK_LABEL (child), text);
      gtk_widget_set_tooltip_text (child, *text != '\0' ? text : NULL);
    }
}

static void
add_preview_column (CtImportWindow *self,
                    const char     *title,
                    int             column,
                    int             width)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkColumnViewColumn) view_column = NULL;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_preview_cell), GINT_TO_POINTER (column));
  g_signal_connect (factory, "bind", G_CALLBACK (bind_preview_cell), GINT_TO_POINTER (column));
  view_column = gtk_column_view_column_new (title, g_steal_pointer (&factory));
  gtk_column_view_column_set_resizable (view_column, TRUE);
  if (width > 0)
    gtk_column_view_column_set_fixed_width (view_column, width);
  gtk_column_view_append_column (self->preview_view, view_column);
}

static void
rebuild_preview (CtImportWindow *self)
{
  GListModel *columns = gtk_column_view_get_columns (self->preview_view);
  guint n_rows = ct_importer_get_n_preview_rows (self->importer);
  guint n_columns = ct_importer_get_n_columns (self->importer);
  guint n_problems = 0;
  g_autoptr(GString) text = g_string_new (NULL);

  while (g_list_model_get_n_items (columns) > 0)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, 0);

      gtk_column_view_remove_column (self->preview_view, column);
    }

  /* Translators: a column of the import preview: the file's line number */
  add_preview_column (self, C_("import preview", "Line"), PREVIEW_COLUMN_LINE, 64);
  /* Translators: a column of the import preview: what is wrong with the row */
  add_preview_column (self, C_("import preview", "Problem"), PREVIEW_COLUMN_PROBLEM, 360);
  for (guint i = 0; i < n_columns; i++)
    {
      CtImportField field = ct_importer_get_column_field (self->importer, i);
      g_autofree char *title = NULL;

      /* The preview shows what will be imported. */
      if (field == CT_IMPORT_FIELD_IGNORE)
        continue;
      /* Translators: a column title of the import preview: the file's
       * column name, then the field it goes into ("邮箱 → Email") */
      title = g_strdup_printf (_("%s → %s"), ct_importer_get_column_name (self->importer, i),
                               ct_import_field_get_label (field));
      add_preview_column (self, title, (int) i, 160);
    }

  g_list_store_remove_all (self->preview_items);
  for (guint r = 0; r < n_rows; r++)
    {
      CtImportPreviewItem *item = g_object_new (CT_TYPE_IMPORT_PREVIEW_ITEM, NULL);
      guint n_cells = 0;
      const char * const *cells = ct_importer_get_preview_row (self->importer, r, &n_cells,
                                                               &item->line);

      item->cells = g_new0 (char *, n_cells + 1);
      for (guint c = 0; c < n_cells; c++)
        item->cells[c] = g_strdup (cells[c] != NULL ? cells[c] : "");
      item->n_cells = n_cells;
      item->problem = ct_importer_check_preview_row (self->importer, r);
      /* The Line column has the line already: show only the reason. */
      if (item->problem != NULL)
        {
          g_autofree char *prefix = g_strdup_printf (_("Line %u: %s"), item->line, "");

          if (g_str_has_prefix (item->problem, prefix) && item->problem[strlen (prefix)] != '\0')
            {
              char *reason = g_strdup (item->problem + strlen (prefix));

              g_free (item->problem);
              item->problem = reason;
            }
        }
      if (item->problem != NULL)
        n_problems++;
      g_list_store_append (self->preview_items, item);
      g_object_unref (item);
    }

  add_count_sentence (text, ngettext ("The first %s row of the file, as it will be imported.",
                                      "The first %s rows of the file, as they will be imported.",
                                      n_rows),
                      n_rows);
  if (n_problems > 0)
    {
      add_count_sentence (text, ngettext ("%s of them has a problem and will not be imported.",
                                          "%s of them have problems and will not be imported.",
                                          n_problems),
                          n_problems);
    }
  gtk_label_set_text (self->preview_label, text->str);
}

/* Running */

typedef struct
{
  CtImportWindow *self;
  CtDb           *db;
  gboolean        dry_run;
} RunData;

static void
run_data_free (RunData *data)
{
  g_object_unref (data->self);
  g_object_unref (data->db);
  g_free (data);
}

static void
show_dry_run (CtImportWindow *self,
              CtImportResult *result,
              const GError   *error)
{
  g_autoptr(GString) text = g_string_new (NULL);

  gtk_spinner_set_spinning (self->dry_run_spinner, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->dry_run_spinner), FALSE);

  if (result == NULL)
    {
      /* Translators: %s says why the rows could not be counted */
      g_autofree char *message = g_strdup_printf (_("Could not check the whole file: %s"),
                                                  error->message);
      gtk_label_set_text (self->dry_run_label, message);
      gtk_widget_add_css_class (GTK_WIDGET (self->dry_run_label), "error");
      return;
    }

  gtk_widget_remove_css_class (GTK_WIDGET (self->dry_run_label), "error");
  if (ct_importer_get_all_or_nothing (self->importer) && ct_import_result_get_rejected (result) > 0)
    {
      add_count_sentence (text, ngettext ("Nothing will be imported: %s row is rejected, and you chose to import nothing then.",
                                          "Nothing will be imported: %s rows are rejected, and you chose to import nothing then.",
                                          ct_import_result_get_rejected (result)),
                          ct_import_result_get_rejected (result));
      gtk_label_set_text (self->dry_run_label, text->str);
      return;
    }

  /* Translators: the dry run before an import; each count is its own
   * sentence, on its own line */
  add_count_sentence (text, ngettext ("In the whole file, %s row will be imported.",
                                      "In the whole file, %s rows will be imported.",
                                      ct_import_result_get_imported (result) + ct_import_result_get_updated (result)),
                      ct_import_result_get_imported (result) + ct_import_result_get_updated (result));
  if (ct_import_result_get_skipped (result) > 0)
    add_count_sentence (text, ngettext ("%s will be skipped as already in Clientele.",
                                        "%s will be skipped as already in Clientele.",
                                        ct_import_result_get_skipped (result)),
                        ct_import_result_get_skipped (result));
  if (ct_import_result_get_rejected (result) > 0)
    add_count_sentence (text, ngettext ("%s will be rejected.",
                                        "%s will be rejected.",
                                        ct_import_result_get_rejected (result)),
                        ct_import_result_get_rejected (result));
  gtk_label_set_text (self->dry_run_label, text->str);
}

static GtkWidget *
create_reject_row (const CtImportReject *reject)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = NULL;

  /* Translators: a rejected row of an import; %u is its line in the file */
  title = g_strdup_printf (_("Line %u"), reject->line);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), reject->reason);
  return row;
}

static void
show_done (CtImportWindow *self)
{
  CtImportResult *result = self->result;
  guint imported = ct_import_result_get_imported (result);
  guint updated = ct_import_result_get_updated (result);
  guint skipped = ct_import_result_get_skipped (result);
  guint rejected = ct_import_result_get_rejected (result);
  guint created = ct_import_result_get_contacts_created (result);
  gboolean committed = ct_import_result_get_committed (result);
  g_autoptr(GString) text = g_string_new (NULL);

  if (!committed)
    {
      adw_status_page_set_icon_name (self->done_page, "dialog-warning-symbolic");
      adw_status_page_set_title (self->done_page, _("Nothing Was Imported"));
      add_count_sentence (text, ngettext ("%s row was rejected, and you chose to import nothing then. Fix the row and import the file again.",
                                          "%s rows were rejected, and you chose to import nothing then. Fix the rows and import the file again.",
                                          rejected),
                          rejected);
    }
  else
    {
      adw_status_page_set_icon_name (self->done_page,
                                     rejected > 0 ? "dialog-warning-symbolic" : "emblem-ok-symbolic");
      adw_status_page_set_title (self->done_page,
                                 rejected > 0 ? _("Imported, Except Some Rows")
                                              : _("Import Complete"));
      if (self->kind == CT_IMPORT_CONTACTS)
        {
          add_count_sentence (text, ngettext ("%s new contact was added.",
                                              "%s new contacts were added.", imported), imported);
          if (updated > 0)
            add_count_sentence (text, ngettext ("%s contact already in Clientele was updated.",
                                                "%s contacts already in Clientele were updated.", updated), updated);
          if (skipped > 0)
            add_count_sentence (text, ngettext ("%s contact already in Clientele was left as it was.",
                                                "%s contacts already in Clientele were left as they were.",
                                                skipped),
                                skipped);
        }
      else
        {
          add_count_sentence (text, ngettext ("%s purchase was imported.",
                                              "%s purchases were imported.", imported), imported);
          if (updated > 0)
            add_count_sentence (text, ngettext ("%s purchase already in Clientele was updated.",
                                                "%s purchases already in Clientele were updated.", updated), updated);
          if (skipped > 0)
            add_count_sentence (text, ngettext ("%s purchase was already in Clientele and was skipped.",
                                                "%s purchases were already in Clientele and were skipped.",
                                                skipped),
                                skipped);
          if (created > 0)
            add_count_sentence (text, ngettext ("%s new contact was added for a buyer Clientele did not know.",
                                                "%s new contacts were added for buyers Clientele did not know.",
                                                created),
                                created);
        }
      if (rejected > 0)
        add_count_sentence (text, ngettext ("%s row was rejected and not imported; it is listed below.",
                                            "%s rows were rejected and not imported; they are listed below.",
                                            rejected),
                            rejected);
    }
  adw_status_page_set_description (self->done_page, text->str);

  ct_list_box_remove_rows (self->rejects_list);
  for (guint i = 0; i < rejected && i < MAX_LISTED_REJECTS; i++)
    gtk_list_box_append (self->rejects_list,
                         create_reject_row (ct_import_result_get_reject (result, i)));
  if (rejected > MAX_LISTED_REJECTS)
    {
      g_autofree char *listed = ct_format_count (MAX_LISTED_REJECTS);
      g_autofree char *description = NULL;

      description = g_strdup_printf (ngettext ("The first %s is listed here. Save the rejected rows to see every one, with the reason beside each row.",
                                               "The first %s are listed here. Save the rejected rows to see every one, with the reason beside each row.",
                                               MAX_LISTED_REJECTS),
                                     listed);
      adw_preferences_group_set_description (self->rejects_group, description);
    }
  else
    {
      adw_preferences_group_set_description (self->rejects_group,
                                             _("Save them as a CSV file with the reason beside each row, fix them in your spreadsheet, and import that file."));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->rejects_group), rejected > 0);

  set_page (self, "done");
}

static void
on_run_progress (double   fraction,
                 gpointer user_data)
{
  CtImportWindow *self = user_data;

  /* Reports queued before the window went away may still arrive. */
  if (self->progress_bar != NULL && !self->running_dry)
    gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0.0, 1.0));
}

static void
set_editing_sensitive (CtImportWindow *self,
                       gboolean        sensitive)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->file_group), sensitive);
  gtk_widget_set_sensitive (GTK_WIDGET (self->columns_group), sensitive);
  gtk_widget_set_sensitive (GTK_WIDGET (self->duplicates_group), sensitive);
  gtk_widget_set_sensitive (GTK_WIDGET (self->purchase_group), sensitive);
  gtk_widget_set_sensitive (GTK_WIDGET (gtk_widget_get_parent (GTK_WIDGET (self->all_or_nothing_switch))),
                            sensitive);
}

static void
on_run_finished (GObject      *source,
                 GAsyncResult *res,
                 gpointer      user_data)
{
  RunData *data = user_data;
  CtImportWindow *self = data->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtImportResult) result = NULL;

  result = ct_importer_run_finish (CT_IMPORTER (source), res, &error);

  /* Whatever happened to the window, a committed run changed the file
   * behind this connection's lists: tell them. */
  if (result != NULL && !data->dry_run && ct_import_result_get_committed (result))
    {
      ct_db_emit_changed (data->db, "contacts");
      ct_db_emit_changed (data->db, "channels");
      if (self->kind == CT_IMPORT_PURCHASES)
        {
          ct_db_emit_changed (data->db, "purchases");
          ct_db_emit_changed (data->db, "products");
        }
    }

  /* Closed while the worker ran, or a newer file replaced this one. */
  if (self->context == NULL || CT_IMPORTER (source) != self->importer)
    {
      run_data_free (data);
      return;
    }

  self->running = FALSE;
  self->running_dry = FALSE;
  g_clear_object (&self->run_cancellable);
  set_editing_sensitive (self, TRUE);

  if (data->dry_run)
    {
      gboolean pending = self->import_pending;

      self->import_pending = FALSE;
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_dry_run (self, result, error);
      if (pending)
        start_run (self, FALSE);
      else
        update_header (self);
      run_data_free (data);
      return;
    }

  if (result == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          set_page (self, "cancelled");
        }
      else
        {
          g_autofree char *body = NULL;

          /* The message says what went wrong and what to do (a locked
           * file names the other program); the rollback is ours to say. */
          body = g_strdup_printf ("%s\n\n%s", error->message, _("Nothing was changed."));
          set_page (self, "preview");
          show_message_dialog (self, _("Could Not Import"), body);
        }
      run_data_free (data);
      return;
    }

  g_clear_pointer (&self->result, ct_import_result_unref);
  self->result = g_steal_pointer (&result);

  if (ct_import_result_get_committed (self->result))
    {
      GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

      /* From the welcome page straight to what was imported. */
      if (CT_IS_WINDOW (parent))
        ct_window_show_page (CT_WINDOW (parent),
                             self->kind == CT_IMPORT_CONTACTS ? "contacts" : "purchases");
    }

  show_done (self);
  run_data_free (data);
}

static void
start_run (CtImportWindow *self,
           gboolean        dry_run)
{
  RunData *data;

  g_assert (!self->running);

  data = g_new0 (RunData, 1);
  data->self = g_object_ref (self);
  data->db = g_object_ref (ct_context_get_db (self->context));
  data->dry_run = dry_run;

  self->running = TRUE;
  self->running_dry = dry_run;
  self->run_cancellable = g_cancellable_new ();
  set_editing_sensitive (self, FALSE);

  if (dry_run)
    {
      gtk_label_set_text (self->dry_run_label, _("Checking every row of the file…"));
      gtk_widget_remove_css_class (GTK_WIDGET (self->dry_run_label), "error");
      gtk_widget_set_visible (GTK_WIDGET (self->dry_run_spinner), TRUE);
      gtk_spinner_set_spinning (self->dry_run_spinner, TRUE);
    }
  else
    {
      adw_status_page_set_title (self->progress_page,
                                 self->kind == CT_IMPORT_CONTACTS ? _("Importing Contacts…")
                                                                  : _("Importing Purchases…"));
      gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
      set_page (self, "progress");
      gtk_widget_grab_focus (GTK_WIDGET (self->cancel_button));
    }

  ct_importer_run_async (self->importer, ct_context_get_db (self->context), dry_run,
                         on_run_progress, g_object_ref (self), g_object_unref,
                         self->run_cancellable, on_run_finished, data);
  update_header (self);
}

static void
cancel_dry_run (CtImportWindow *self)
{
  if (self->running && self->running_dry)
    g_cancellable_cancel (self->run_cancellable);
  self->import_pending = FALSE;
}

static void
show_preview (CtImportWindow *self)
{
  rebuild_preview (self);
  set_page (self, "preview");
  if (!self->running)
    start_run (self, TRUE);
}

/* Loading */

static void
on_columns_changed (CtImportWindow *self)
{
  sync_file_page (self);
  rebuild_column_rows (self);
  update_header (self);
}

static void
set_importer (CtImportWindow *self,
              CtImporter     *importer)
{
  if (self->importer != NULL)
    g_signal_handlers_disconnect_by_data (self->importer, self);
  g_set_object (&self->importer, importer);
  g_clear_pointer (&self->result, ct_import_result_unref);
  if (importer != NULL)
    g_signal_connect_swapped (importer, "columns-changed", G_CALLBACK (on_columns_changed), self);
}

static void
loaded (CtImportWindow *self,
        const GError   *error)
{
  gboolean is_vcard = error == NULL && ct_importer_get_n_columns (self->importer) > 0
                      && g_object_get_data (G_OBJECT (self->importer), "ct-vcard") != NULL;

  if (error != NULL && !g_error_matches (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_ENCODING))
    {
      set_importer (self, NULL);
      show_start (self, error);
      return;
    }

  /* Not text in the encoding guessed: the bytes are kept, and the user
   * may pick another encoding on the file page. */
  show_file_error (self, error);
  sync_file_page (self);
  rebuild_column_rows (self);

  gtk_widget_set_visible (GTK_WIDGET (self->duplicates_group), self->kind == CT_IMPORT_CONTACTS);
  gtk_widget_set_visible (GTK_WIDGET (self->purchase_group), self->kind == CT_IMPORT_PURCHASES);
  if (self->kind == CT_IMPORT_PURCHASES)
    load_known_sources (self);

  /* A vCard has no encoding, separator or header to choose. */
  if (is_vcard)
    set_page (self, "columns");
  else
    set_page (self, "file");
}

static void
on_load_file_finished (GObject      *source,
                       GAsyncResult *res,
                       gpointer      user_data)
{
  g_autoptr(CtImportWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ct_importer_load_file_finish (CT_IMPORTER (source), res, &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (self->context == NULL || CT_IMPORTER (source) != self->importer)
    return;

  g_clear_object (&self->load_cancellable);
  loaded (self, error);
}

static void
on_load_vcard_finished (GObject      *source,
                        GAsyncResult *res,
                        gpointer      user_data)
{
  g_autoptr(CtImportWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *name = NULL;

  bytes = g_file_load_bytes_finish (G_FILE (source), res, NULL, &error);
  if (bytes == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (self->context == NULL || self->importer == NULL)
    return;

  g_clear_object (&self->load_cancellable);
  if (bytes != NULL)
    {
      name = g_file_get_basename (G_FILE (source));
      if (ct_importer_load_vcard (self->importer, bytes, name, &error))
        g_object_set_data (G_OBJECT (self->importer), "ct-vcard", GINT_TO_POINTER (TRUE));
    }
  loaded (self, error);
}

static gboolean
is_vcard_file (GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *lower = name != NULL ? g_utf8_strdown (name, -1) : NULL;

  return lower != NULL && (g_str_has_suffix (lower, ".vcf") || g_str_has_suffix (lower, ".vcard"));
}

/* Actions */

static void
on_file_chosen (GtkNativeDialog *chooser,
                int              response,
                gpointer         user_data)
{
  g_autoptr(CtImportWindow) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        ct_import_window_load_file (self, file);
    }
  g_object_unref (chooser);
}

static void
add_filter (GtkFileChooser *chooser,
            const char     *name,
            const char     *const *patterns,
            const char     *const *mime_types)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  for (guint i = 0; patterns != NULL && patterns[i] != NULL; i++)
    gtk_file_filter_add_pattern (filter, patterns[i]);
  for (guint i = 0; mime_types != NULL && mime_types[i] != NULL; i++)
    gtk_file_filter_add_mime_type (filter, mime_types[i]);
  gtk_file_chooser_add_filter (chooser, filter);
}

static void
choose_file_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ct_import_window_choose_file (CT_IMPORT_WINDOW (widget));
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CtImportWindow *self = CT_IMPORT_WINDOW (widget);

  if (page_is (self, "columns"))
    {
      if (g_object_get_data (G_OBJECT (self->importer), "ct-vcard") != NULL)
        show_start (self, NULL);
      else
        set_page (self, "file");
    }
  else if (page_is (self, "preview"))
    {
      cancel_dry_run (self);
      set_page (self, "columns");
    }
  else if (page_is (self, "cancelled"))
    {
      show_preview (self);
    }
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CtImportWindow *self = CT_IMPORT_WINDOW (widget);

  if (self->importer == NULL && !page_is (self, "done"))
    return;

  if (page_is (self, "file"))
    {
      set_page (self, "columns");
    }
  else if (page_is (self, "columns"))
    {
      if (self->running)
        return;  /* a dry run still stopping; Next comes back enabled */
      if (ct_importer_check_mapping (self->importer, NULL))
        show_preview (self);
    }
  else if (page_is (self, "preview"))
    {
      /* The dry run is only an estimate; the import need not wait for it,
       * but it must be over before the importer runs again. */
      if (self->running && self->running_dry)
        {
          self->import_pending = TRUE;
          g_cancellable_cancel (self->run_cancellable);
          update_header (self);
          return;
        }
      if (!self->running)
        start_run (self, FALSE);
    }
  else if (page_is (self, "done"))
    {
      gtk_window_close (GTK_WINDOW (self));
    }
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CtImportWindow *self = CT_IMPORT_WINDOW (widget);

  if (self->running && !self->running_dry)
    {
      g_cancellable_cancel (self->run_cancellable);
      /* The worker stops at its next check and rolls back. */
      gtk_widget_action_set_enabled (widget, "import.cancel", FALSE);
      adw_status_page_set_title (self->progress_page, _("Cancelling…"));
    }
}

static void
on_rejects_file_chosen (GtkNativeDialog *chooser,
                        int              response,
                        gpointer         user_data)
{
  g_autoptr(CtImportWindow) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autoptr(GError) error = NULL;

      if (file != NULL && !ct_import_window_save_rejects (self, file, &error))
        show_message_dialog (self, _("Could Not Save the Rejected Rows"), error->message);
    }
  g_object_unref (chooser);
}

static void
save_rejects_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CtImportWindow *self = CT_IMPORT_WINDOW (widget);
  GtkFileChooserNative *chooser;
  const char *csv_patterns[] = { "*.csv", "*.CSV", NULL };
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;
  char *dot;

  if (self->result == NULL)
    return;

  chooser = gtk_file_chooser_native_new (_("Save Rejected Rows"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  add_filter (GTK_FILE_CHOOSER (chooser), _("CSV Files"), csv_patterns, NULL);

  base = g_strdup (self->importer != NULL && ct_importer_get_file_name (self->importer) != NULL
                   ? ct_importer_get_file_name (self->importer) : "import");
  dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    *dot = '\0';
  /* Translators: the suggested file name of the rejected rows; %s is the
   * imported file's name without its extension */
  name = g_strdup_printf (_("%s-rejected.csv"), base);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  if (self->file != NULL)
    {
      g_autoptr(GFile) folder = g_file_get_parent (self->file);

      if (folder != NULL)
        gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
    }

  g_signal_connect (chooser, "response", G_CALLBACK (on_rejects_file_chosen), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Drag and drop of a file onto the window */

static gboolean
on_drop (GtkDropTarget  *target,
         const GValue   *value,
         double          x,
         double          y,
         CtImportWindow *self)
{
  GFile *file;

  if (!G_VALUE_HOLDS (value, G_TYPE_FILE) || self->running)
    return FALSE;
  file = g_value_get_object (value);
  if (file == NULL)
    return FALSE;
  ct_import_window_load_file (self, file);
  return TRUE;
}

/* GObject */

static gboolean
ct_import_window_close_request (GtkWindow *window)
{
  CtImportWindow *self = CT_IMPORT_WINDOW (window);

  /* Closing during the import is Cancel: the worker rolls back. */
  if (self->run_cancellable != NULL)
    g_cancellable_cancel (self->run_cancellable);
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);

  return GTK_WINDOW_CLASS (ct_import_window_parent_class)->close_request (window);
}

static void
ct_import_window_dispose (GObject *object)
{
  CtImportWindow *self = CT_IMPORT_WINDOW (object);

  if (self->run_cancellable != NULL)
    g_cancellable_cancel (self->run_cancellable);
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->run_cancellable);
  g_clear_object (&self->load_cancellable);

  if (self->preview_view != NULL)
    gtk_column_view_set_model (self->preview_view, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CT_TYPE_IMPORT_WINDOW);

  set_importer (self, NULL);
  g_clear_object (&self->preview_items);
  g_clear_object (&self->file);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (ct_import_window_parent_class)->dispose (object);
}

static void
ct_import_window_finalize (GObject *object)
{
  CtImportWindow *self = CT_IMPORT_WINDOW (object);

  g_clear_pointer (&self->result, ct_import_result_unref);
  g_clear_pointer (&self->column_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (ct_import_window_parent_class)->finalize (object);
}

static void
ct_import_window_constructed (GObject *object)
{
  CtImportWindow *self = CT_IMPORT_WINDOW (object);

  G_OBJECT_CLASS (ct_import_window_parent_class)->constructed (object);

  self->fields = ct_import_kind_get_fields (self->kind, &self->n_fields);
  gtk_window_set_title (GTK_WINDOW (self), kind_title (self->kind));
  adw_window_title_set_title (self->window_title, kind_title (self->kind));
  show_start (self, NULL);
}

static void
ct_import_window_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CtImportWindow *self = CT_IMPORT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;
    case PROP_KIND:
      g_value_set_int (value, self->kind);
      break;
    case PROP_PAGE:
      g_value_set_string (value, get_page (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_import_window_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CtImportWindow *self = CT_IMPORT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      break;
    case PROP_KIND:
      self->kind = g_value_get_int (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_import_window_class_init (CtImportWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = ct_import_window_constructed;
  object_class->dispose = ct_import_window_dispose;
  object_class->finalize = ct_import_window_finalize;
  object_class->get_property = ct_import_window_get_property;
  object_class->set_property = ct_import_window_set_property;
  window_class->close_request = ct_import_window_close_request;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL, CT_TYPE_CONTEXT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KIND] =
    g_param_spec_int ("kind", NULL, NULL, CT_IMPORT_CONTACTS, CT_IMPORT_PURCHASES, CT_IMPORT_CONTACTS,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAGE] =
    g_param_spec_string ("page", NULL, NULL, "start",
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/clientele/Clientele/ct-import-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, next_button);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, start_page);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, choose_button);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, file_error_label);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, file_group);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, encoding_row);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, delimiter_row);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, header_switch);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, day_first_switch);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, read_group);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, columns_found_row);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, sample_row);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, mapping_icon);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, mapping_label);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, columns_group);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, duplicates_group);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, duplicates_row);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, purchase_group);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, source_row);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, sources_button);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, currency_row);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, all_or_nothing_switch);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, preview_label);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, dry_run_spinner);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, dry_run_label);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, preview_view);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, progress_page);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, cancelled_page);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, done_page);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, rejects_group);
  gtk_widget_class_bind_template_child (widget_class, CtImportWindow, rejects_list);

  gtk_widget_class_install_action (widget_class, "import.choose-file", NULL, choose_file_action);
  gtk_widget_class_install_action (widget_class, "import.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "import.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "import.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "import.save-rejects", NULL, save_rejects_action);
  gtk_widget_class_install_action (widget_class, "import.use-source", "s", use_source_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ct_import_window_init (CtImportWindow *self)
{
  g_autoptr(GtkStringList) encodings = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) separators = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) policies = gtk_string_list_new (NULL);
  g_autoptr(GtkSingleSelection) selection = NULL;
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->column_rows = g_ptr_array_new ();
  self->preview_items = g_list_store_new (CT_TYPE_IMPORT_PREVIEW_ITEM);
  selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->preview_items)));
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  gtk_column_view_set_model (self->preview_view, GTK_SELECTION_MODEL (selection));

  /* In CtCsvEncoding order: the row is the encoding. */
  for (guint i = 0; i < CT_CSV_N_ENCODINGS; i++)
    gtk_string_list_append (encodings, ct_csv_encoding_get_label (i));
  adw_combo_row_set_model (self->encoding_row, G_LIST_MODEL (encodings));

  /* In the order of delimiters[]. */
  gtk_string_list_append (separators, _("Comma ( , )"));
  gtk_string_list_append (separators, _("Semicolon ( ; )"));
  gtk_string_list_append (separators, _("Tab"));
  adw_combo_row_set_model (self->delimiter_row, G_LIST_MODEL (separators));

  /* In the order of duplicate_policies[]. */
  /* Translators: what to do with a contact already in Clientele; short,
   * the row's subtitle explains the choice */
  gtk_string_list_append (policies, C_("duplicates", "Fill in blanks"));
  gtk_string_list_append (policies, C_("duplicates", "Overwrite"));
  gtk_string_list_append (policies, C_("duplicates", "Skip"));
  adw_combo_row_set_model (self->duplicates_row, G_LIST_MODEL (policies));
  update_duplicates_subtitle (self);

  g_signal_connect_swapped (self->encoding_row, "notify::selected",
                            G_CALLBACK (on_encoding_selected), self);
  g_signal_connect_swapped (self->delimiter_row, "notify::selected",
                            G_CALLBACK (on_delimiter_selected), self);
  g_signal_connect_swapped (self->header_switch, "notify::active",
                            G_CALLBACK (on_header_switched), self);
  g_signal_connect_swapped (self->day_first_switch, "notify::active",
                            G_CALLBACK (on_day_first_switched), self);
  g_signal_connect_swapped (self->all_or_nothing_switch, "notify::active",
                            G_CALLBACK (on_all_or_nothing_switched), self);
  g_signal_connect_swapped (self->duplicates_row, "notify::selected",
                            G_CALLBACK (on_duplicates_selected), self);
  g_signal_connect_swapped (self->source_row, "changed",
                            G_CALLBACK (on_source_changed), self);
  g_signal_connect_swapped (self->currency_row, "changed",
                            G_CALLBACK (on_currency_changed), self);

  drop = gtk_drop_target_new (G_TYPE_FILE, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}

CtImportWindow *
ct_import_window_new (GtkWindow    *parent,
                      CtContext    *context,
                      CtImportKind  kind)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CT_IS_CONTEXT (context), NULL);

  return g_object_new (CT_TYPE_IMPORT_WINDOW,
                       "transient-for", parent,
                       "context", context,
                       "kind", kind,
                       NULL);
}

void
ct_import_window_choose_file (CtImportWindow *self)
{
  GtkFileChooserNative *chooser;
  const char *csv_patterns[] = { "*.csv", "*.CSV", "*.txt", "*.TXT", "*.tsv", "*.TSV", NULL };
  const char *csv_types[] = { "text/csv", "text/plain", "text/tab-separated-values", NULL };
  const char *vcard_patterns[] = { "*.vcf", "*.VCF", "*.vcard", NULL };
  const char *vcard_types[] = { "text/vcard", "text/x-vcard", NULL };
  const char *all_patterns[] = { "*", NULL };

  g_return_if_fail (CT_IS_IMPORT_WINDOW (self));

  if (self->running)
    return;

  chooser = gtk_file_chooser_native_new (kind_title (self->kind), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  add_filter (GTK_FILE_CHOOSER (chooser), _("CSV and Text Files"), csv_patterns, csv_types);
  if (self->kind == CT_IMPORT_CONTACTS)
    add_filter (GTK_FILE_CHOOSER (chooser), _("vCard Files"), vcard_patterns, vcard_types);
  add_filter (GTK_FILE_CHOOSER (chooser), _("All Files"), all_patterns, NULL);

  g_signal_connect (chooser, "response", G_CALLBACK (on_file_chosen), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
ct_import_window_load_file (CtImportWindow *self,
                            GFile          *file)
{
  g_autoptr(CtImporter) importer = NULL;

  g_return_if_fail (CT_IS_IMPORT_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->running)
    return;

  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();

  g_set_object (&self->file, file);
  /* A new importer per file: nothing of the previous file's mapping
   * carries over. */
  importer = ct_importer_new (self->kind);
  set_importer (self, importer);
  set_page (self, "loading");

  if (is_vcard_file (file))
    {
      if (self->kind != CT_IMPORT_CONTACTS)
        {
          g_autoptr(GError) error = NULL;

          g_set_error_literal (&error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_READ,
                               _("A vCard file holds contacts, not purchases. Use Import "
                                 "Contacts for it."));
          g_clear_object (&self->load_cancellable);
          set_importer (self, NULL);
          show_start (self, error);
          return;
        }
      g_file_load_bytes_async (file, self->load_cancellable, on_load_vcard_finished,
                               g_object_ref (self));
    }
  else
    {
      ct_importer_load_file_async (importer, file, self->load_cancellable,
                                   on_load_file_finished, g_object_ref (self));
    }
}

const char *
ct_import_window_get_page (CtImportWindow *self)
{
  g_return_val_if_fail (CT_IS_IMPORT_WINDOW (self), NULL);

  return get_page (self);
}

CtImporter *
ct_import_window_get_importer (CtImportWindow *self)
{
  g_return_val_if_fail (CT_IS_IMPORT_WINDOW (self), NULL);

  return self->importer;
}

CtImportResult *
ct_import_window_get_result (CtImportWindow *self)
{
  g_return_val_if_fail (CT_IS_IMPORT_WINDOW (self), NULL);

  return self->result;
}

gboolean
ct_import_window_save_rejects (CtImportWindow  *self,
                               GFile           *file,
                               GError         **error)
{
  g_autofree char *name = NULL;
  g_autofree char *message = NULL;
  g_autofree char *count = NULL;
  guint n;

  g_return_val_if_fail (CT_IS_IMPORT_WINDOW (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (self->result != NULL, FALSE);

  if (!ct_import_result_write_rejects (self->result, file, NULL, error))
    return FALSE;

  n = ct_import_result_get_rejected (self->result);
  count = ct_format_count (n);
  name = g_file_get_basename (file);
  /* Translators: %s is a count, then a file name */
  message = g_strdup_printf (ngettext ("Saved %s rejected row to “%s”",
                                       "Saved %s rejected rows to “%s”", n),
                             count, name);
  toast (self, message);
  return TRUE;
}
