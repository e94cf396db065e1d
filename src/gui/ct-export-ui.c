/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-export-ui.c: exporting a list from a view
 *
 * Shared by the Contacts, Purchases and Products pages. The export runs
 * on a worker thread with its own connection (ct_export_to_file_async;
 * the vCard writer is synchronous, so it gets a GTask thread and a
 * connection here), and the file is replaced only once everything is
 * written, so a failure never leaves half a file.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ct-export-ui.h"
#include "ct-gui-format.h"
#include "ct-paged-list.h"
#include "ct-vcard.h"

#define BOM_CHOICE "bom"

typedef struct
{
  GWeakRef        widget;
  CtExportKind    kind;
  CtExportFormat  format;
  CtDb           *db;
  GArray         *ids;
  GFile          *file;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_weak_ref_clear (&data->widget);
  g_clear_object (&data->db);
  g_clear_pointer (&data->ids, g_array_unref);
  g_clear_object (&data->file);
  g_free (data);
}

static ExportData *
export_data_new (GtkWidget      *widget,
                 CtDb           *db,
                 CtExportKind    kind,
                 CtExportFormat  format,
                 GArray         *ids)
{
  ExportData *data = g_new0 (ExportData, 1);

  g_weak_ref_init (&data->widget, widget);
  data->db = g_object_ref (db);
  data->kind = kind;
  data->format = format;
  if (ids != NULL)
    {
      data->ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), ids->len);
      g_array_append_vals (data->ids, ids->data, ids->len);
    }
  return data;
}

void
ct_export_ui_add_toast (GtkWidget *widget,
                        AdwToast  *toast)
{
  GtkWidget *overlay = NULL;
  GtkRoot *root;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (ADW_IS_TOAST (toast));

  overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);
  /* A view's own dialogs may sit outside the window's overlay. */
  root = gtk_widget_get_root (widget);
  if (overlay == NULL && root != NULL)
    {
      GtkWidget *content = GTK_IS_WINDOW (root) ? gtk_window_get_child (GTK_WINDOW (root)) : NULL;

      if (ADW_IS_APPLICATION_WINDOW (root))
        content = adw_application_window_get_content (ADW_APPLICATION_WINDOW (root));
      if (ADW_IS_TOAST_OVERLAY (content))
        overlay = content;
    }

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  else
    {
      g_message ("%s", adw_toast_get_title (toast));
      g_object_unref (g_object_ref_sink (toast));
    }
}

static void
toast_error (GtkWidget    *widget,
             const char   *what,
             const GError *error)
{
  /* Translators: what failed, then why: "Could not export: Permission denied" */
  g_autofree char *text = g_strdup_printf (_("%s: %s"), what, error->message);
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  AdwToast *toast = adw_toast_new (escaped);

  /* Long enough to read, and it may matter: stays until dismissed. */
  adw_toast_set_timeout (toast, 0);
  ct_export_ui_add_toast (widget, toast);
}

static void
weak_ref_free (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static void
on_launched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GWeakRef *ref = user_data;
  g_autoptr(GtkWidget) widget = g_weak_ref_get (ref);
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error) && widget != NULL)
    toast_error (widget, _("Could not open the file"), error);
  weak_ref_free (ref);
}

void
ct_export_ui_open_file (GtkWidget *widget,
                        GFile     *file)
{
  g_autofree char *uri = NULL;
  GWeakRef *ref;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (G_IS_FILE (file));

  uri = g_file_get_uri (file);
  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, widget);
  g_app_info_launch_default_for_uri_async (uri, NULL, NULL, on_launched, ref);
}

static void
on_open_clicked (AdwToast *toast,
                 gpointer  user_data)
{
  GWeakRef *ref = g_object_get_data (G_OBJECT (toast), "ct-widget");
  g_autoptr(GtkWidget) widget = ref != NULL ? g_weak_ref_get (ref) : NULL;
  GFile *file = g_object_get_data (G_OBJECT (toast), "ct-file");

  if (widget != NULL && file != NULL)
    ct_export_ui_open_file (widget, file);
}

static char *
exported_message (CtExportKind  kind,
                  guint         n,
                  const char   *file_name)
{
  g_autofree char *count = ct_format_count (n);

  switch (kind)
    {
    case CT_EXPORT_CONTACTS:
      /* Translators: a toast after an export: a count, then a file name */
      return g_strdup_printf (ngettext ("Exported %s contact to “%s”",
                                        "Exported %s contacts to “%s”", n),
                              count, file_name);
    case CT_EXPORT_PURCHASES:
      return g_strdup_printf (ngettext ("Exported %s purchase to “%s”",
                                        "Exported %s purchases to “%s”", n),
                              count, file_name);
    case CT_EXPORT_PRODUCTS:
    default:
      return g_strdup_printf (ngettext ("Exported %s product to “%s”",
                                        "Exported %s products to “%s”", n),
                              count, file_name);
    }
}

static void
export_done (ExportData   *data,
             guint         n,
             const GError *error)
{
  g_autoptr(GtkWidget) widget = g_weak_ref_get (&data->widget);
  g_autofree char *name = NULL;
  g_autofree char *message = NULL;
  g_autofree char *escaped = NULL;
  GWeakRef *ref;
  AdwToast *toast;

  /* The page went away meanwhile: the file is written, nobody to tell. */
  if (widget == NULL)
    return;

  if (error != NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast_error (widget, _("Could not export"), error);
      return;
    }

  name = g_file_get_basename (data->file);
  message = exported_message (data->kind, n, name);
  escaped = g_markup_escape_text (message, -1);
  toast = adw_toast_new (escaped);
  adw_toast_set_button_label (toast, _("_Open"));
  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, widget);
  g_object_set_data_full (G_OBJECT (toast), "ct-widget", ref, weak_ref_free);
  g_object_set_data_full (G_OBJECT (toast), "ct-file", g_object_ref (data->file), g_object_unref);
  g_signal_connect (toast, "button-clicked", G_CALLBACK (on_open_clicked), NULL);
  ct_export_ui_add_toast (widget, toast);
}

static void
on_csv_exported (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ExportData *data = user_data;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  ct_export_to_file_finish (result, &n, &error);
  export_done (data, n, error);
  export_data_free (data);
}

/* vCard: the writer is synchronous and takes a connection, so the thread
 * opens its own to the same file. */
static void
vcard_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  ExportData *data = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtDb) db = NULL;
  guint n = 0;

  db = ct_db_open_full (ct_db_get_path (data->db), CT_DB_OPEN_ALREADY_CHECKED, &error);
  if (db == NULL || !ct_vcard_export_to_file (db, data->ids, CT_VCARD_3_0, data->file, &n,
                                              cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_int (task, n);
}

static void
on_vcard_exported (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ExportData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_task_propagate_int (G_TASK (result), &error);
  export_done (data, n > 0 ? (guint) n : 0, error);
}

void
ct_export_ui_to_file (GtkWidget      *widget,
                      CtDb           *db,
                      CtExportKind    kind,
                      CtExportFormat  format,
                      GArray         *ids,
                      GFile          *file,
                      gboolean        bom)
{
  ExportData *data;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (CT_IS_DB (db));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (format == CT_EXPORT_FORMAT_CSV || kind == CT_EXPORT_CONTACTS);

  data = export_data_new (widget, db, kind, format, ids);
  data->file = g_object_ref (file);

  if (format == CT_EXPORT_FORMAT_VCARD)
    {
      g_autoptr(GTask) task = g_task_new (NULL, NULL, on_vcard_exported, NULL);

      g_task_set_source_tag (task, ct_export_ui_to_file);
      g_task_set_task_data (task, data, (GDestroyNotify) export_data_free);
      g_task_run_in_thread (task, vcard_thread);
      return;
    }

  ct_export_to_file_async (db, kind, data->ids,
                           bom ? CT_CSV_WRITE_BOM : CT_CSV_WRITE_NONE,
                           file, NULL, on_csv_exported, data);
}

GArray *
ct_export_ui_collect_ids (GListModel *model)
{
  GArray *ids;
  guint n;

  g_return_val_if_fail (G_IS_LIST_MODEL (model), NULL);

  n = g_list_model_get_n_items (model);
  ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n);

  /* A paged list knows its ids without loading a single row. */
  if (CT_IS_PAGED_LIST (model))
    {
      for (guint i = 0; i < n; i++)
        {
          gint64 id = ct_paged_list_get_id (CT_PAGED_LIST (model), i);
          g_array_append_val (ids, id);
        }
      return ids;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      gint64 id = 0;

      g_object_get (item, "id", &id, NULL);
      g_array_append_val (ids, id);
    }
  return ids;
}

static void
on_save_chosen (GtkNativeDialog *chooser,
                int              response,
                gpointer         user_data)
{
  ExportData *data = user_data;
  g_autoptr(GtkWidget) widget = g_weak_ref_get (&data->widget);

  if (response == GTK_RESPONSE_ACCEPT && widget != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      const char *bom = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (chooser), BOM_CHOICE);

      if (file != NULL)
        ct_export_ui_to_file (widget, data->db, data->kind, data->format, data->ids, file,
                              g_strcmp0 (bom, "true") == 0);
    }
  export_data_free (data);
  g_object_unref (chooser);
}

static const char *
kind_file_name (CtExportKind kind)
{
  switch (kind)
    {
    case CT_EXPORT_CONTACTS:
      /* Translators: the start of the suggested name of an exported file,
       * followed by the date: "contacts-2025-03-14.csv" */
      return C_("file name", "contacts");
    case CT_EXPORT_PURCHASES:
      return C_("file name", "purchases");
    case CT_EXPORT_PRODUCTS:
    default:
      return C_("file name", "products");
    }
}

void
ct_export_ui_choose_file (GtkWidget      *widget,
                          CtDb           *db,
                          CtExportKind    kind,
                          CtExportFormat  format,
                          GArray         *ids)
{
  GtkRoot *root;
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *name = NULL;
  const char *title;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (CT_IS_DB (db));

  if (format == CT_EXPORT_FORMAT_VCARD)
    title = _("Export Contacts as vCard");
  else if (kind == CT_EXPORT_CONTACTS)
    title = _("Export Contacts");
  else if (kind == CT_EXPORT_PURCHASES)
    title = _("Export Purchases");
  else
    title = _("Export Products");

  root = gtk_widget_get_root (widget);
  chooser = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);

  if (format == CT_EXPORT_FORMAT_VCARD)
    {
      gtk_file_filter_set_name (filter, _("vCard Files"));
      gtk_file_filter_add_pattern (filter, "*.vcf");
      gtk_file_filter_add_mime_type (filter, "text/vcard");
      name = g_strdup_printf ("%s-%s.vcf", kind_file_name (kind), date);
    }
  else
    {
      gtk_file_filter_set_name (filter, _("CSV Files"));
      gtk_file_filter_add_pattern (filter, "*.csv");
      gtk_file_filter_add_mime_type (filter, "text/csv");
      name = g_strdup_printf ("%s-%s.csv", kind_file_name (kind), date);
      /* Excel reads a CSV without a BOM in the legacy code page, which
       * garbles Chinese; most people opening the file use Excel, so it is
       * on unless they say otherwise. */
      gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (chooser), BOM_CHOICE,
                                   _("Add a byte order mark for Excel"), NULL, NULL);
      gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (chooser), BOM_CHOICE, "true");
    }
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);

  g_signal_connect (chooser, "response", G_CALLBACK (on_save_chosen),
                    export_data_new (widget, db, kind, format, ids));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}
