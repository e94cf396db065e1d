/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-automations-view.c: the Automations page
 *
 * A list of the automations, each with its trigger, delay and what it
 * did, and a switch that enables it (from then on: a new-contact trigger
 * never mails the contacts already there) or disables it; a click opens
 * the editor. Below, the latest firings of all of them. The editor has
 * the trigger and its parameter, conditions as a saved segment (kept by
 * name, so editing the segment changes who gets the mail), the delay
 * and the email. The list follows CtDb::changed ("automations"), which
 * the window's background run emits too.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ct-gui-format.h"
#include "ct-automations-view.h"
#include "ct-automation.h"
#include "ct-segment.h"

#define HISTORY_ROWS 50

struct _CtAutomationsView
{
  AdwBin        parent_instance;

  CtContext    *context;
  GtkListBox   *list;
  GtkListBox   *history;
  gboolean      loading;
  guint         reload_id;
};

G_DEFINE_FINAL_TYPE (CtAutomationsView, ct_automations_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static CtDb *
get_db (CtAutomationsView *self)
{
  return ct_context_get_db (self->context);
}

static void
clear_list (GtkListBox *box)
{
  ct_list_box_remove_rows (box);
}

static void
on_switch_active (GtkSwitch         *sw,
                  GParamSpec        *pspec,
                  CtAutomationsView *self)
{
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (sw), "ct-id"));
  g_autoptr(GError) error = NULL;

  if (self->loading)
    return;
  if (!ct_automation_set_enabled (get_db (self), id, gtk_switch_get_active (sw), &error))
    {
      GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                                  _("Could not switch the automation"), error->message);
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
}

static void
on_row_activated (AdwActionRow      *row,
                  CtAutomationsView *self)
{
  ct_automations_view_edit (self, GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "ct-id")));
}

static const char *
state_label (const CtAutomationFiring *f)
{
  if (g_strcmp0 (f->state, "pending") == 0)
    return _("Waiting for the delay");
  if (g_strcmp0 (f->state, "skipped") == 0)
    {
      if (g_strcmp0 (f->reason, "unsubscribed") == 0)
        return _("Left out: unsubscribed");
      if (g_strcmp0 (f->reason, "suppressed") == 0)
        return _("Left out: on the suppression list");
      if (g_strcmp0 (f->reason, "no_email") == 0)
        return _("Left out: no email address");
      if (g_strcmp0 (f->reason, "erased") == 0)
        return _("Left out: asked to be forgotten");
      if (g_strcmp0 (f->reason, "conditions") == 0)
        return _("Left out: does not match the conditions");
      if (g_strcmp0 (f->reason, "disabled") == 0)
        return _("Left out: the automation was switched off");
      return _("Left out");
    }
  if (g_strcmp0 (f->outbox_state, "sent") == 0)
    return _("Sent");
  if (g_strcmp0 (f->outbox_state, "rejected") == 0 || g_strcmp0 (f->outbox_state, "failed") == 0)
    return _("Could not be sent");
  return _("Queued");
}

static void
reload (CtAutomationsView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = ct_automation_list (get_db (self), &error);
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);

  self->loading = TRUE;
  clear_list (self->list);
  clear_list (self->history);
  if (list == NULL)
    {
      g_warning ("Automations: %s", error->message);
      self->loading = FALSE;
      return;
    }
  for (guint i = 0; i < list->len; i++)
    {
      CtAutomation *a = g_ptr_array_index (list, i);
      g_autofree char *trigger = ct_automation_describe_trigger (a->trigger, a->product_name, a->days, a->threshold);
      g_autofree char *delay = a->delay_hours == 0
        ? g_strdup (_("right away"))
        : g_strdup_printf (ngettext ("after %u hour", "after %u hours", a->delay_hours), a->delay_hours);
      g_autofree char *counts = g_strdup_printf (ngettext ("fired %lld time", "fired %lld times", (unsigned long) a->fired),
                                                 (long long) a->fired);
      /* Translators: trigger · delay · count, "Any purchase · after 2 hours · fired 3 times" */
      g_autofree char *subtitle = g_strdup_printf (_("%s · %s · %s"), trigger, delay, counts);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *sw = gtk_switch_new ();
      gint64 *key = g_new (gint64, 1);

      *key = a->id;
      g_hash_table_insert (names, key, g_strdup (a->name));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), a->name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data (G_OBJECT (row), "ct-id", GSIZE_TO_POINTER (a->id));
      g_signal_connect (row, "activated", G_CALLBACK (on_row_activated), self);
      gtk_switch_set_active (GTK_SWITCH (sw), a->enabled);
      gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (sw), GTK_ACCESSIBLE_PROPERTY_LABEL, a->name, -1);
      g_object_set_data (G_OBJECT (sw), "ct-id", GSIZE_TO_POINTER (a->id));
      g_signal_connect (sw, "notify::active", G_CALLBACK (on_switch_active), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), sw);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_append (self->list, row);
    }

  history = ct_automation_history (get_db (self), 0, HISTORY_ROWS, &error);
  if (history == NULL)
    g_warning ("Automation history: %s", error->message);
  for (guint i = 0; history != NULL && i < history->len; i++)
    {
      CtAutomationFiring *f = g_ptr_array_index (history, i);
      g_autoptr(GDateTime) at = g_date_time_new_from_unix_local (f->fired_at);
      g_autofree char *when = g_date_time_format (at, "%Y-%m-%d %H:%M");
      g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (get_db (self),
        "SELECT a.name FROM automation_firings f JOIN automations a ON a.id = f.automation_id WHERE f.id = ?1", NULL);
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      GtkWidget *row = adw_action_row_new ();

      if (stmt != NULL)
        {
          sqlite3_bind_int64 (stmt, 1, f->id);
          if (sqlite3_step (stmt) == SQLITE_ROW)
            title = g_strdup_printf ("%s — %s", f->contact_label, (const char *) sqlite3_column_text (stmt, 0));
        }
      /* Translators: when · what became of it, "2026-12-02 09:00 · Sent" */
      subtitle = g_strdup_printf (_("%s · %s"), when, state_label (f));
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title != NULL ? title : f->contact_label);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_append (self->history, row);
    }
  self->loading = FALSE;
}

/* Later, once: the change may come from a switch in the list, which
 * must not be destroyed under its own signal. */
static gboolean
on_reload_idle (gpointer data)
{
  CtAutomationsView *self = data;

  self->reload_id = 0;
  reload (self);
  return G_SOURCE_REMOVE;
}

static void
queue_reload (CtAutomationsView *self)
{
  if (self->reload_id == 0)
    self->reload_id = g_idle_add (on_reload_idle, self);
}

/* ---- the editor --------------------------------------------------------- */

typedef struct
{
  CtAutomationsView *view;
  gint64             id;
  GtkWindow         *window;
  AdwEntryRow       *name_row;
  AdwComboRow       *trigger_row;
  AdwComboRow       *product_row;
  AdwActionRow      *days_row;
  GtkSpinButton     *days_spin;
  AdwActionRow      *threshold_row;
  GtkSpinButton     *threshold_spin;
  AdwComboRow       *segment_row;
  GtkSpinButton     *delay_spin;
  AdwEntryRow       *subject_row;
  AdwEntryRow       *preheader_row;
  GtkTextView       *body_view;
  GtkLabel          *error_label;
  GArray            *product_ids;   /* gint64, index 0 is "any" */
  GPtrArray         *segment_names; /* index 0 is "none" (NULL) */
  char              *kept_rule;     /* a rule that is not one segment, kept as is */
} Editor;

static void
editor_free (Editor *e)
{
  g_clear_pointer (&e->product_ids, g_array_unref);
  g_clear_pointer (&e->segment_names, g_ptr_array_unref);
  g_free (e->kept_rule);
  g_free (e);
}

static void
update_trigger_rows (Editor *e)
{
  guint trigger = adw_combo_row_get_selected (e->trigger_row);

  gtk_widget_set_visible (GTK_WIDGET (e->product_row), trigger == CT_AUTOMATION_PURCHASE);
  gtk_widget_set_visible (GTK_WIDGET (e->days_row), trigger == CT_AUTOMATION_NO_PURCHASE);
  gtk_widget_set_visible (GTK_WIDGET (e->threshold_row), trigger == CT_AUTOMATION_CHURN_RISK);
}

/* The conditions as a rule that refers to the saved segment by name. */
static char *
segment_rule (const char *name)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) g = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "match");
  json_builder_add_string_value (b, "all");
  json_builder_set_member_name (b, "conditions");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "field");
  json_builder_add_string_value (b, "segment");
  json_builder_set_member_name (b, "op");
  json_builder_add_string_value (b, "=");
  json_builder_set_member_name (b, "value");
  json_builder_add_string_value (b, name);
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (g, root);
  return json_generator_to_data (g, NULL);
}

static void
on_save_clicked (Editor *e)
{
  g_autoptr(CtAutomation) a = ct_automation_new ();
  g_autoptr(GError) error = NULL;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (e->body_view);
  GtkTextIter start, end;
  guint segment = adw_combo_row_get_selected (e->segment_row);
  guint product = adw_combo_row_get_selected (e->product_row);
  CtDb *db = get_db (e->view);
  gboolean ok;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  a->id = e->id;
  a->name = g_strdup (gtk_editable_get_text (GTK_EDITABLE (e->name_row)));
  a->trigger = (CtAutomationTrigger) adw_combo_row_get_selected (e->trigger_row);
  a->product_id = product < e->product_ids->len ? g_array_index (e->product_ids, gint64, product) : 0;
  a->days = (guint) gtk_spin_button_get_value_as_int (e->days_spin);
  a->threshold = gtk_spin_button_get_value (e->threshold_spin) / 100.0;
  a->delay_hours = (guint) gtk_spin_button_get_value_as_int (e->delay_spin);
  a->subject = g_strdup (gtk_editable_get_text (GTK_EDITABLE (e->subject_row)));
  a->preheader = g_strdup (gtk_editable_get_text (GTK_EDITABLE (e->preheader_row)));
  a->body = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  if (segment > 0 && segment < e->segment_names->len)
    a->rule_json = segment_rule (g_ptr_array_index (e->segment_names, segment));
  else if (segment == e->segment_names->len && e->kept_rule != NULL)
    a->rule_json = g_strdup (e->kept_rule);

  if (e->id == 0)
    ok = ct_automation_create (db, a, &error) != 0;
  else
    ok = ct_automation_update (db, a, &error);
  if (!ok)
    {
      gtk_label_set_text (e->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (e->error_label), TRUE);
      return;
    }
  gtk_window_destroy (e->window);
}

static GtkWidget *
spin_row (const char     *title,
          const char     *subtitle,
          double          lower,
          double          upper,
          double          value,
          GtkSpinButton **out_spin)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (lower, upper, 1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  *out_spin = GTK_SPIN_BUTTON (spin);
  return row;
}

GtkWindow *
ct_automations_view_edit (CtAutomationsView *self,
                          gint64             id)
{
  Editor *e = g_new0 (Editor, 1);
  g_autoptr(CtAutomation) a = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkStringList) triggers = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) products = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) segments = gtk_string_list_new (NULL);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) saved = NULL;
  GtkWidget *toolbar, *header, *page, *group, *save, *cancel, *scrolled, *body_group, *frame;
  guint selected_segment = 0;

  g_return_val_if_fail (CT_IS_AUTOMATIONS_VIEW (self), NULL);

  e->view = self;
  e->id = id;
  e->product_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  e->segment_names = g_ptr_array_new_with_free_func (g_free);
  if (id != 0)
    {
      a = ct_automation_get (get_db (self), id, &error);
      if (a == NULL)
        {
          g_warning ("%s", error->message);
          editor_free (e);
          return NULL;
        }
    }

  e->window = GTK_WINDOW (adw_window_new ());
  gtk_window_set_title (e->window, id == 0 ? _("New Automation") : _("Edit Automation"));
  gtk_window_set_modal (e->window, TRUE);
  gtk_window_set_transient_for (e->window, GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))));
  gtk_window_set_default_size (e->window, 600, 720);
  g_object_set_data_full (G_OBJECT (e->window), "ct-editor", e, (GDestroyNotify) editor_free);

  toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (gtk_window_destroy), e->window);
  save = gtk_button_new_with_mnemonic (_("_Save"));
  gtk_widget_set_name (save, "automation-save");
  gtk_widget_add_css_class (save, "suggested-action");
  g_signal_connect_swapped (save, "clicked", G_CALLBACK (on_save_clicked), e);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), save);
  gtk_box_append (GTK_BOX (toolbar), header);

  page = adw_preferences_page_new ();
  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (GTK_BOX (toolbar), page);
  adw_window_set_content (ADW_WINDOW (e->window), toolbar);

  e->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_name (GTK_WIDGET (e->error_label), "automation-error");
  gtk_widget_add_css_class (GTK_WIDGET (e->error_label), "error");
  gtk_label_set_wrap (e->error_label, TRUE);
  gtk_label_set_xalign (e->error_label, 0);
  gtk_widget_set_visible (GTK_WIDGET (e->error_label), FALSE);

  /* When */
  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("When"));
  e->name_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (e->name_row), _("Name"));
  gtk_widget_set_name (GTK_WIDGET (e->name_row), "automation-name");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (e->name_row));

  gtk_string_list_append (triggers, _("A new contact is added"));
  gtk_string_list_append (triggers, _("A purchase"));
  gtk_string_list_append (triggers, _("No purchase for a while"));
  gtk_string_list_append (triggers, _("Churn risk is high"));
  gtk_string_list_append (triggers, _("The loyalty tier changes"));
  gtk_string_list_append (triggers, _("Birthday"));
  e->trigger_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (e->trigger_row), _("Trigger"));
  gtk_widget_set_name (GTK_WIDGET (e->trigger_row), "automation-trigger");
  adw_combo_row_set_model (e->trigger_row, G_LIST_MODEL (triggers));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (e->trigger_row));

  gtk_string_list_append (products, _("Any product"));
  g_array_append_val (e->product_ids, (gint64) { 0 });
  stmt = ct_db_prepare (get_db (self), "SELECT id, name FROM products ORDER BY name", NULL);
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 product_id = sqlite3_column_int64 (stmt, 0);

      gtk_string_list_append (products, (const char *) sqlite3_column_text (stmt, 1));
      g_array_append_val (e->product_ids, product_id);
    }
  e->product_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (e->product_row), _("Product"));
  adw_combo_row_set_model (e->product_row, G_LIST_MODEL (products));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (e->product_row));
  e->days_row = ADW_ACTION_ROW (spin_row (_("Days Without a Purchase"), NULL, 1, 3650, 60, &e->days_spin));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (e->days_row));
  e->threshold_row = ADW_ACTION_ROW (spin_row (_("Churn Risk (%)"),
                                               _("Mail when the chance that the customer has stopped buying reaches this"),
                                               1, 100, 70, &e->threshold_spin));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (e->threshold_row));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

  /* Who and how soon */
  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Who and How Soon"));
  gtk_string_list_append (segments, _("Everyone the trigger fires for"));
  g_ptr_array_add (e->segment_names, NULL);
  saved = ct_segment_list (get_db (self), NULL);
  for (guint i = 0; saved != NULL && i < saved->len; i++)
    {
      CtSegment *segment = g_ptr_array_index (saved, i);
      /* Translators: a saved segment as the automation's condition */
      g_autofree char *label = g_strdup_printf (_("Only members of “%s”"), segment->name);

      gtk_string_list_append (segments, label);
      g_ptr_array_add (e->segment_names, g_strdup (segment->name));
    }
  if (a != NULL && a->rule_json != NULL)
    {
      /* A rule made here names one segment; anything else (from the
       * command line) is kept as it is and shown as such. */
      for (guint i = 1; i < e->segment_names->len; i++)
        {
          g_autofree char *rule = segment_rule (g_ptr_array_index (e->segment_names, i));
          if (g_strcmp0 (rule, a->rule_json) == 0)
            selected_segment = i;
        }
      if (selected_segment == 0)
        {
          e->kept_rule = g_strdup (a->rule_json);
          gtk_string_list_append (segments, _("Conditions set on the command line"));
          selected_segment = e->segment_names->len;
        }
    }
  e->segment_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (e->segment_row), _("Conditions"));
  adw_combo_row_set_model (e->segment_row, G_LIST_MODEL (segments));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (e->segment_row));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                             spin_row (_("Delay (hours)"), _("Wait this long after the trigger before sending"),
                                       0, 24 * 365, 0, &e->delay_spin));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

  /* The email */
  body_group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (body_group), _("Email"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (body_group),
                                         _("Markdown, with merge fields such as {{first_name|there}}."));
  e->subject_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (e->subject_row), _("Subject"));
  gtk_widget_set_name (GTK_WIDGET (e->subject_row), "automation-subject");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (body_group), GTK_WIDGET (e->subject_row));
  /* The line inbox apps show after the subject. */
  e->preheader_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (e->preheader_row),
                                 _("Preheader: the preview text inbox apps show after the subject (optional)"));
  gtk_widget_set_name (GTK_WIDGET (e->preheader_row), "automation-preheader");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (body_group), GTK_WIDGET (e->preheader_row));
  e->body_view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_widget_set_name (GTK_WIDGET (e->body_view), "automation-body");
  gtk_text_view_set_wrap_mode (e->body_view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (e->body_view, 8);
  gtk_text_view_set_bottom_margin (e->body_view, 8);
  gtk_text_view_set_left_margin (e->body_view, 8);
  gtk_text_view_set_right_margin (e->body_view, 8);
  gtk_accessible_update_property (GTK_ACCESSIBLE (e->body_view), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Body"), -1);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (e->body_view));
  gtk_widget_set_size_request (scrolled, -1, 180);
  frame = gtk_frame_new (NULL);
  gtk_widget_set_margin_top (frame, 12);
  gtk_frame_set_child (GTK_FRAME (frame), scrolled);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (body_group), frame);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (body_group), GTK_WIDGET (e->error_label));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (body_group));

  if (a != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (e->name_row), a->name);
      adw_combo_row_set_selected (e->trigger_row, a->trigger);
      for (guint i = 0; i < e->product_ids->len; i++)
        if (g_array_index (e->product_ids, gint64, i) == a->product_id)
          adw_combo_row_set_selected (e->product_row, i);
      if (a->days > 0)
        gtk_spin_button_set_value (e->days_spin, a->days);
      if (a->threshold > 0)
        gtk_spin_button_set_value (e->threshold_spin, a->threshold * 100.0);
      gtk_spin_button_set_value (e->delay_spin, a->delay_hours);
      gtk_editable_set_text (GTK_EDITABLE (e->subject_row), a->subject);
      gtk_editable_set_text (GTK_EDITABLE (e->preheader_row), a->preheader != NULL ? a->preheader : "");
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (e->body_view), a->body, -1);
    }
  adw_combo_row_set_selected (e->segment_row, selected_segment);
  g_signal_connect_swapped (e->trigger_row, "notify::selected", G_CALLBACK (update_trigger_rows), e);
  update_trigger_rows (e);

  gtk_window_present (e->window);
  return e->window;
}

/* ---- GObject ------------------------------------------------------------ */

static void
on_new_clicked (CtAutomationsView *self)
{
  ct_automations_view_edit (self, 0);
}

static GtkWidget *
boxed_list (void)
{
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  return list;
}

static void
ct_automations_view_constructed (GObject *object)
{
  CtAutomationsView *self = CT_AUTOMATIONS_VIEW (object);
  GtkWidget *scrolled, *clamp, *box, *title_box, *title, *button, *label, *placeholder;

  G_OBJECT_CLASS (ct_automations_view_parent_class)->constructed (object);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  title_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  title = gtk_label_new (_("Automations"));
  gtk_widget_add_css_class (title, "title-2");
  gtk_widget_set_hexpand (title, TRUE);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  button = gtk_button_new_with_mnemonic (_("_New Automation"));
  gtk_widget_set_name (button, "automation-new");
  gtk_widget_add_css_class (button, "suggested-action");
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (on_new_clicked), self);
  gtk_box_append (GTK_BOX (title_box), title);
  gtk_box_append (GTK_BOX (title_box), button);
  gtk_box_append (GTK_BOX (box), title_box);

  label = gtk_label_new (_("Mail that goes out by itself when something happens. They run while Clientele is open and, if you switch it on in Preferences, in the background."));
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (box), label);

  self->list = GTK_LIST_BOX (boxed_list ());
  gtk_widget_set_name (GTK_WIDGET (self->list), "automation-list");
  placeholder = gtk_label_new (_("No automations yet: a welcome email for new contacts is a good first one."));
  gtk_label_set_wrap (GTK_LABEL (placeholder), TRUE);
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 18);
  gtk_widget_set_margin_bottom (placeholder, 18);
  gtk_list_box_set_placeholder (self->list, placeholder);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->list));

  title = gtk_label_new (_("What They Did Lately"));
  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_set_margin_top (title, 18);
  gtk_box_append (GTK_BOX (box), title);
  self->history = GTK_LIST_BOX (boxed_list ());
  gtk_widget_set_name (GTK_WIDGET (self->history), "automation-history");
  placeholder = gtk_label_new (_("Nothing has fired yet."));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 18);
  gtk_widget_set_margin_bottom (placeholder, 18);
  gtk_list_box_set_placeholder (self->history, placeholder);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->history));

  clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 800);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  adw_bin_set_child (ADW_BIN (self), scrolled);

  reload (self);
  g_signal_connect_object (get_db (self), "changed::automations", G_CALLBACK (queue_reload), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (get_db (self), "changed::contacts", G_CALLBACK (queue_reload), self, G_CONNECT_SWAPPED);
}

static void
ct_automations_view_dispose (GObject *object)
{
  CtAutomationsView *self = CT_AUTOMATIONS_VIEW (object);

  g_clear_handle_id (&self->reload_id, g_source_remove);
  G_OBJECT_CLASS (ct_automations_view_parent_class)->dispose (object);
  g_clear_object (&self->context);
}

static void
ct_automations_view_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  CtAutomationsView *self = CT_AUTOMATIONS_VIEW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_automations_view_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  CtAutomationsView *self = CT_AUTOMATIONS_VIEW (object);

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
ct_automations_view_class_init (CtAutomationsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ct_automations_view_constructed;
  object_class->dispose = ct_automations_view_dispose;
  object_class->get_property = ct_automations_view_get_property;
  object_class->set_property = ct_automations_view_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL, CT_TYPE_CONTEXT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ct_automations_view_init (CtAutomationsView *self)
{
}

GtkWidget *
ct_automations_view_new (CtContext *context)
{
  g_return_val_if_fail (CT_IS_CONTEXT (context), NULL);

  return g_object_new (CT_TYPE_AUTOMATIONS_VIEW, "context", context, NULL);
}
