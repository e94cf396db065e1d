/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-suppression-window.c: the suppression list window
 *
 * Opened from the Campaigns page, where people decide whom to mail. One
 * row per address, newest first: the address, why (a coloured pill),
 * since when, where it came from and the owner's note. The list can be
 * long (every bounce of years of sending), so it shows the newest
 * SHOWN_ROWS that match the search and says how many more there are.
 * Removing asks first and offers Undo; importing runs on a worker
 * thread and lists every line it could not take.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ct-contact.h"
#include "ct-gui-format.h"
#include "ct-mail-provider.h"
#include "ct-parse.h"
#include "ct-suppression-window.h"
#include "ct-suppression.h"

#define SHOWN_ROWS 200
/* Problem lines listed in the import report before "and N more". */
#define LISTED_PROBLEMS 200

struct _CtSuppressionWindow
{
  AdwWindow        parent_instance;

  CtContext       *context;
  GCancellable    *import_cancellable;
  gint64           n_matching;
  guint            n_shown;

  AdwToastOverlay *toast_overlay;
  AdwWindowTitle  *window_title;
  GtkSearchEntry  *search_entry;
  GtkLabel        *summary_label;
  GtkListBox      *list;
  GtkWidget       *import_button;
};

G_DEFINE_FINAL_TYPE (CtSuppressionWindow, ct_suppression_window, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static CtDb *
get_db (CtSuppressionWindow *self)
{
  return ct_context_get_db (self->context);
}

static void
toast (CtSuppressionWindow *self,
       const char          *title)
{
  AdwToast *t = adw_toast_new (title);

  adw_toast_set_timeout (t, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

static const char *
search_text (CtSuppressionWindow *self)
{
  return gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
}

/* ---- rows ---- */

static const char *
reason_style (CtSuppressionReason reason)
{
  switch (reason)
    {
    case CT_SUPPRESSION_COMPLAINED:
    case CT_SUPPRESSION_BOUNCED:
      return "error";
    case CT_SUPPRESSION_UNSUBSCRIBED:
      return "warning";
    case CT_SUPPRESSION_MANUAL:
    case CT_SUPPRESSION_IMPORTED:
    case CT_SUPPRESSION_N_REASONS:
    default:
      return "accent";
    }
}

static char *
subtitle_for (const CtSuppression *s)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (s->created_at);
  /* Translators: when an address was suppressed; strftime format. */
  g_autofree char *when = dt != NULL ? g_date_time_format (dt, _("%Y-%m-%d %H:%M")) : g_strdup ("");
  GString *out = g_string_new (NULL);

  /* Translators: "Since 2026-11-30 10:00" in a suppressed address's row. */
  g_string_append_printf (out, _("Since %s"), when);
  if (s->source != NULL && *s->source != '\0')
    {
      CtMailProviderKind kind;
      const char *source = ct_mail_provider_kind_from_name (s->source, &kind)
                           ? ct_mail_provider_kind_display_name (kind) : s->source;

      g_string_append (out, " · ");
      /* Translators: where a suppression came from: a provider or a file. */
      g_string_append_printf (out, _("from %s"), source);
    }
  if (s->note != NULL && *s->note != '\0')
    {
      g_string_append (out, " · ");
      g_string_append (out, s->note);
    }
  return g_string_free (out, FALSE);
}


static void
on_remove_clicked (GtkButton           *button,
                   CtSuppressionWindow *self)
{
  ct_suppression_window_confirm_remove (self, g_object_get_data (G_OBJECT (button), "email"));
}

static GtkWidget *
build_row (CtSuppressionWindow *self,
           const CtSuppression *s)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *subtitle = subtitle_for (s);
  g_autofree char *remove_label = NULL;
  GtkWidget *pill, *button;

  /* Addresses and notes are text, never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), s->email);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);

  pill = gtk_label_new (ct_suppression_reason_get_label (s->reason));
  gtk_widget_add_css_class (pill, "caption-heading");
  gtk_widget_add_css_class (pill, reason_style (s->reason));
  gtk_widget_set_valign (pill, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), pill);

  button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("Remove from the list"));
  /* Translators: a screen reader's name for the remove button of an address's row. */
  remove_label = g_strdup_printf (_("Remove %s"), s->email);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label, -1);
  g_object_set_data_full (G_OBJECT (button), "email", g_strdup (s->email), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (on_remove_clicked), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  return row;
}

static void
reload (CtSuppressionWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *subtitle = NULL;
  const char *search = search_text (self);
  gint64 total;

  total = ct_suppression_count (get_db (self), NULL, &error);
  if (total >= 0)
    self->n_matching = *search != '\0' ? ct_suppression_count (get_db (self), search, &error) : total;
  if (error == NULL)
    rows = ct_suppression_list (get_db (self), search, 0, SHOWN_ROWS, &error);
  ct_list_box_remove_rows (self->list);
  self->n_shown = 0;
  if (rows == NULL)
    {
      gtk_label_set_text (self->summary_label, error->message);
      return;
    }
  for (guint i = 0; i < rows->len; i++)
    gtk_list_box_append (self->list, build_row (self, g_ptr_array_index (rows, i)));
  self->n_shown = rows->len;

  subtitle = g_strdup_printf (ngettext ("%lld address", "%lld addresses", total), (long long) total);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  if (*search != '\0')
    summary = g_strdup_printf (ngettext ("%lld address matches.", "%lld addresses match.", self->n_matching),
                               (long long) self->n_matching);
  if ((gint64) self->n_shown < self->n_matching)
    {
      g_autofree char *more = g_strdup_printf (ngettext ("The newest %u is shown; search to find the others.",
                                                         "The newest %u are shown; search to find the others.",
                                                         self->n_shown), self->n_shown);

      if (summary != NULL)
        {
          char *both = g_strdup_printf ("%s %s", summary, more);
          g_free (summary);
          summary = both;
        }
      else
        summary = g_steal_pointer (&more);
    }
  gtk_label_set_text (self->summary_label, summary != NULL ? summary : "");
  gtk_widget_set_visible (GTK_WIDGET (self->summary_label), summary != NULL);
}

static void
on_search_changed (CtSuppressionWindow *self)
{
  reload (self);
}

static void
on_db_changed (CtSuppressionWindow *self)
{
  reload (self);
}

/* ---- removing ---- */

static void
on_undo_remove (AdwToast      *t,
                CtSuppression *removed)
{
  CtSuppressionWindow *self = g_object_get_data (G_OBJECT (t), "window");
  g_autoptr(GError) error = NULL;

  if (self != NULL && !ct_suppression_restore (get_db (self), removed, &error))
    toast (self, error->message);
}

static void
remove_now (CtSuppressionWindow *self,
            const char          *email)
{
  g_autoptr(GError) error = NULL;
  CtSuppression *removed = NULL;
  g_autofree char *title = NULL;
  AdwToast *t;

  if (!ct_suppression_remove (get_db (self), email, &removed, &error))
    {
      toast (self, error->message);
      return;
    }
  /* Translators: a toast after taking an address off the suppression list. */
  title = g_strdup_printf (_("Removed %s"), removed->email);
  t = adw_toast_new (title);
  adw_toast_set_button_label (t, _("_Undo"));
  adw_toast_set_timeout (t, 8);
  g_object_set_data (G_OBJECT (t), "window", self);
  g_signal_connect_data (t, "button-clicked", G_CALLBACK (on_undo_remove), removed,
                         (GClosureNotify) (void (*) (void)) ct_suppression_free, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

static void
on_remove_response (AdwMessageDialog    *dialog,
                    const char          *response,
                    CtSuppressionWindow *self)
{
  if (g_strcmp0 (response, "remove") == 0)
    remove_now (self, g_object_get_data (G_OBJECT (dialog), "email"));
}

/* The contact's own status keeps them out of campaigns too: say so, or
 * the owner expects mail to reach someone it will not. */
static char *
contact_status_note (CtSuppressionWindow *self,
                     const char          *email)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (get_db (self),
    "SELECT status FROM contacts WHERE email = ?1 AND status != 'subscribed'", NULL);
  CtContactStatus status;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, email, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW
      || !ct_contact_status_from_string ((const char *) sqlite3_column_text (stmt, 0), &status))
    return NULL;
  return g_strdup_printf (_("The contact is still marked “%s”, so campaigns leave them out until you change that on the contact."),
                          ct_contact_status_get_label (status));
}

AdwMessageDialog *
ct_suppression_window_confirm_remove (CtSuppressionWindow *self,
                                      const char          *email)
{
  g_autofree char *heading = NULL;
  g_autofree char *note = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  g_return_val_if_fail (email != NULL, NULL);

  /* Translators: "Remove bob@example.com from the suppression list?" */
  heading = g_strdup_printf (_("Remove %s from the Suppression List?"), email);
  note = contact_status_note (self, email);
  if (note != NULL)
    body = g_strdup_printf ("%s %s", _("Campaigns will be able to mail this address again."), note);
  else
    body = g_strdup (_("Campaigns will be able to mail this address again."));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "remove", _("_Remove"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "email", g_strdup (email), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_remove_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

/* ---- adding ---- */

typedef struct
{
  GtkEditable *email;
  GtkEditable *note;
} AddFields;

static void
on_add_email_changed (GtkEditable      *editable,
                      AdwMessageDialog *dialog)
{
  g_autofree char *email = ct_parse_email_normalise (gtk_editable_get_text (editable));

  adw_message_dialog_set_response_enabled (dialog, "add", ct_parse_email_valid (email));
}

static void
on_add_response (AdwMessageDialog    *dialog,
                 const char          *response,
                 CtSuppressionWindow *self)
{
  AddFields *fields = g_object_get_data (G_OBJECT (dialog), "fields");
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "add") != 0)
    return;
  if (!ct_suppression_add (get_db (self), gtk_editable_get_text (fields->email), CT_SUPPRESSION_MANUAL,
                           gtk_editable_get_text (fields->note), &error))
    {
      toast (self, error->message);
      return;
    }
  {
    g_autofree char *email = ct_parse_email_normalise (gtk_editable_get_text (fields->email));
    /* Translators: a toast after suppressing an address by hand. */
    g_autofree char *title = g_strdup_printf (_("%s will not be mailed"), email);

    toast (self, title);
  }
}

static void
on_add_activate (GtkEntry         *entry,
                 AdwMessageDialog *dialog)
{
  if (adw_message_dialog_get_response_enabled (dialog, "add"))
    adw_message_dialog_response (dialog, "add");
}

AdwMessageDialog *
ct_suppression_window_open_add_dialog (CtSuppressionWindow *self)
{
  AdwMessageDialog *dialog;
  GtkWidget *box, *email, *note;
  AddFields *fields = g_new0 (AddFields, 1);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Add to the Suppression List"),
                                                       _("No campaign or automation will mail this address, whatever the contact’s subscription.")));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  email = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (email), _("Email address"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (email), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Email address"), -1);
  gtk_entry_set_input_purpose (GTK_ENTRY (email), GTK_INPUT_PURPOSE_EMAIL);
  gtk_box_append (GTK_BOX (box), email);
  note = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (note), _("Why, in your own words (optional)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (note), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Reason"), -1);
  gtk_box_append (GTK_BOX (box), note);
  adw_message_dialog_set_extra_child (dialog, box);

  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "add", _("_Add"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "add", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (dialog, "add", FALSE);
  adw_message_dialog_set_default_response (dialog, "add");
  adw_message_dialog_set_close_response (dialog, "cancel");

  fields->email = GTK_EDITABLE (email);
  fields->note = GTK_EDITABLE (note);
  g_object_set_data_full (G_OBJECT (dialog), "fields", fields, g_free);
  g_signal_connect (email, "changed", G_CALLBACK (on_add_email_changed), dialog);
  g_signal_connect (email, "activate", G_CALLBACK (on_add_activate), dialog);
  g_signal_connect (note, "activate", G_CALLBACK (on_add_activate), dialog);
  g_signal_connect (dialog, "response", G_CALLBACK (on_add_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (email);
  return dialog;
}

static void
on_add_clicked (CtSuppressionWindow *self)
{
  ct_suppression_window_open_add_dialog (self);
}

/* ---- importing ---- */

static void
show_import_report (CtSuppressionWindow *self,
                    CtSuppressionImport *report,
                    const char          *file_name)
{
  g_autofree char *body = NULL;
  g_autofree char *added = g_strdup_printf (ngettext ("%u address added", "%u addresses added", report->n_added),
                                            report->n_added);
  g_autofree char *already = g_strdup_printf (ngettext ("%u was on the list already", "%u were on the list already",
                                                        report->n_already), report->n_already);
  AdwMessageDialog *dialog;
  GString *lines;
  GtkWidget *scrolled, *label;

  /* Translators: "12 addresses added, 3 were on the list already." */
  body = g_strdup_printf (_("%s, %s."), added, already);
  if (report->problems->len == 0)
    {
      toast (self, body);
      return;
    }

  lines = g_string_new (NULL);
  for (guint i = 0; i < report->problems->len && i < LISTED_PROBLEMS; i++)
    {
      CtSuppressionProblem *p = g_ptr_array_index (report->problems, i);

      if (lines->len > 0)
        g_string_append_c (lines, '\n');
      /* Translators: "Line 4: “bob@” is not an email address." */
      g_string_append_printf (lines, _("Line %u: %s"), p->line, p->message);
    }
  if (report->problems->len > LISTED_PROBLEMS)
    {
      g_string_append_c (lines, '\n');
      g_string_append_printf (lines, ngettext ("and %u more line", "and %u more lines",
                                               report->problems->len - LISTED_PROBLEMS),
                              report->problems->len - LISTED_PROBLEMS);
    }

  {
    g_autofree char *heading = g_strdup_printf (ngettext ("%u Line of “%s” Was Not Imported",
                                                          "%u Lines of “%s” Were Not Imported",
                                                          report->problems->len),
                                                report->problems->len, file_name);
    dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));
  }
  label = gtk_label_new (lines->str);
  g_string_free (lines, TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_yalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 240);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), label);
  adw_message_dialog_set_extra_child (dialog, scrolled);
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_import_finished (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  CtSuppressionWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtSuppressionImport) report = ct_suppression_import_file_finish (result, &error);

  g_clear_object (&self->import_cancellable);
  if (report == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  gtk_widget_set_sensitive (self->import_button, TRUE);
  if (report == NULL)
    {
      g_autofree char *title = g_strdup_printf (_("Could not import: %s"), error->message);
      toast (self, title);
    }
  else
    {
      /* The worker wrote through its own connection. */
      ct_db_emit_changed (get_db (self), "suppressions");
      reload (self);
      show_import_report (self, report, g_object_get_data (G_OBJECT (self), "import-name"));
    }
  g_object_unref (self);
}

void
ct_suppression_window_import_file (CtSuppressionWindow *self,
                                   GFile               *file)
{
  g_autofree char *name = g_file_get_basename (file);

  if (self->import_cancellable != NULL)
    return;
  g_object_set_data_full (G_OBJECT (self), "import-name", g_steal_pointer (&name), g_free);
  self->import_cancellable = g_cancellable_new ();
  gtk_widget_set_sensitive (self->import_button, FALSE);
  ct_suppression_import_file_async (get_db (self), file, self->import_cancellable,
                                    on_import_finished, g_object_ref (self));
}

static void
on_import_chosen (GtkNativeDialog     *chooser,
                  int                  response,
                  CtSuppressionWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        ct_suppression_window_import_file (self, file);
    }
  g_object_unref (chooser);
}

static void
on_import_clicked (CtSuppressionWindow *self)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) lists = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Import Addresses to Suppress"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Import"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_filter_set_name (lists, _("CSV and Text Files"));
  gtk_file_filter_add_pattern (lists, "*.csv");
  gtk_file_filter_add_pattern (lists, "*.txt");
  gtk_file_filter_add_mime_type (lists, "text/csv");
  gtk_file_filter_add_mime_type (lists, "text/plain");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), lists);
  gtk_file_filter_set_name (all, _("All Files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
  g_signal_connect (chooser, "response", G_CALLBACK (on_import_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- exporting ---- */

#define BOM_CHOICE "bom"

static void
export_to (CtSuppressionWindow *self,
           GFile               *file,
           gboolean             bom)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *title = NULL;
  guint n = 0;

  /* One query and a file write: a fraction of a second even for a
   * hundred thousand addresses. */
  if (!ct_suppression_export_to_file (get_db (self), search_text (self),
                                      bom ? CT_CSV_WRITE_BOM : CT_CSV_WRITE_NONE, file, &n, NULL, &error))
    title = g_strdup_printf (_("Could not export: %s"), error->message);
  else
    /* Translators: "12 addresses exported to suppressions.csv" */
    title = g_strdup_printf (ngettext ("%u address exported to %s", "%u addresses exported to %s", n), n, name);
  toast (self, title);
}

static void
on_export_chosen (GtkNativeDialog     *chooser,
                  int                  response,
                  CtSuppressionWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      const char *bom = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (chooser), BOM_CHOICE);

      if (file != NULL)
        export_to (self, file, g_strcmp0 (bom, "true") == 0);
    }
  g_object_unref (chooser);
}

static void
on_export_clicked (CtSuppressionWindow *self)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *name = g_strdup_printf ("suppressions-%s.csv", date);

  chooser = gtk_file_chooser_native_new (_("Export the Suppression List"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_filter_set_name (filter, _("CSV Files"));
  gtk_file_filter_add_pattern (filter, "*.csv");
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  /* Excel reads a CSV without a BOM in the legacy code page, which
   * garbles Chinese. */
  gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (chooser), BOM_CHOICE,
                               _("Add a byte order mark for Excel"), NULL, NULL);
  gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (chooser), BOM_CHOICE, "true");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_signal_connect (chooser, "response", G_CALLBACK (on_export_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- GObject ---- */

static void
on_search_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  gtk_widget_grab_focus (GTK_WIDGET (CT_SUPPRESSION_WINDOW (widget)->search_entry));
}

static void
ct_suppression_window_constructed (GObject *object)
{
  CtSuppressionWindow *self = CT_SUPPRESSION_WINDOW (object);

  G_OBJECT_CLASS (ct_suppression_window_parent_class)->constructed (object);
  g_signal_connect_object (get_db (self), "changed::suppressions", G_CALLBACK (on_db_changed), self,
                           G_CONNECT_SWAPPED);
  reload (self);
}

static void
ct_suppression_window_dispose (GObject *object)
{
  CtSuppressionWindow *self = CT_SUPPRESSION_WINDOW (object);

  if (self->import_cancellable != NULL)
    g_cancellable_cancel (self->import_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CT_TYPE_SUPPRESSION_WINDOW);
  G_OBJECT_CLASS (ct_suppression_window_parent_class)->dispose (object);
}

static void
ct_suppression_window_finalize (GObject *object)
{
  CtSuppressionWindow *self = CT_SUPPRESSION_WINDOW (object);

  g_clear_object (&self->context);
  g_clear_object (&self->import_cancellable);
  G_OBJECT_CLASS (ct_suppression_window_parent_class)->finalize (object);
}

static void
ct_suppression_window_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  CtSuppressionWindow *self = CT_SUPPRESSION_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_suppression_window_class_init (CtSuppressionWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ct_suppression_window_constructed;
  object_class->dispose = ct_suppression_window_dispose;
  object_class->finalize = ct_suppression_window_finalize;
  object_class->set_property = ct_suppression_window_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL, CT_TYPE_CONTEXT,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/clientele/Clientele/ct-suppression-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CtSuppressionWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CtSuppressionWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, CtSuppressionWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CtSuppressionWindow, summary_label);
  gtk_widget_class_bind_template_child (widget_class, CtSuppressionWindow, list);
  gtk_widget_class_bind_template_child (widget_class, CtSuppressionWindow, import_button);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_add_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_import_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_export_clicked);
  gtk_widget_class_install_action (widget_class, "suppressions.search", NULL, on_search_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "suppressions.search", NULL);
}

static void
ct_suppression_window_init (CtSuppressionWindow *self)
{
  GtkWidget *empty;

  gtk_widget_init_template (GTK_WIDGET (self));
  empty = gtk_label_new (_("No address is suppressed. Unsubscribes, bounces and complaints appear here, and you can add addresses by hand or from a file."));
  gtk_label_set_wrap (GTK_LABEL (empty), TRUE);
  gtk_widget_set_margin_top (empty, 24);
  gtk_widget_set_margin_bottom (empty, 24);
  gtk_widget_set_margin_start (empty, 12);
  gtk_widget_set_margin_end (empty, 12);
  gtk_widget_add_css_class (empty, "dim-label");
  gtk_list_box_set_placeholder (self->list, empty);
}

GtkWidget *
ct_suppression_window_new (CtContext *context,
                           GtkWindow *parent)
{
  g_return_val_if_fail (CT_IS_CONTEXT (context), NULL);

  return g_object_new (CT_TYPE_SUPPRESSION_WINDOW,
                       "context", context,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       NULL);
}

gint64
ct_suppression_window_get_n_matching (CtSuppressionWindow *self)
{
  g_return_val_if_fail (CT_IS_SUPPRESSION_WINDOW (self), -1);
  return self->n_matching;
}

guint
ct_suppression_window_get_n_shown (CtSuppressionWindow *self)
{
  g_return_val_if_fail (CT_IS_SUPPRESSION_WINDOW (self), 0);
  return self->n_shown;
}
