/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-contact-detail.c: one contact's editable profile, tags, scores and
 * purchases
 *
 * The profile is a form: what is typed stays in the fields until Save
 * stores it, and a refused Save (bad email, duplicate email...) says why
 * and keeps every character. Tags are stored as soon as they are added or
 * removed. The purchase timeline is the core's purchase list filtered to
 * this contact; it follows the database by itself. The scores are read
 * from the cache the background recompute writes (ct-analytics.h) and
 * put in words; where one is missing, the last run's summary says why.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ct-contact-detail.h"
#include "ct-analytics.h"
#include "ct-export-ui.h"
#include "ct-gui-format.h"
#include "ct-feedback.h"
#include "ct-points.h"
#include "ct-privacy.h"
#include "ct-referral.h"
#include "ct-tier.h"
#include "ct-purchase-dialog.h"
#include "ct-window.h"

struct _CtContactDetail
{
  AdwBin               parent_instance;

  CtContext           *context;
  gint64               contact_id;
  gboolean             is_new;
  CtContact           *contact;      /* as stored; NULL when new or empty */
  GStrv                tags;
  char                *title;
  GListStore          *channels;     /* CtNamedItem, "None" first */
  CtPagedList         *purchases;    /* made on first use, then refiltered */
  gboolean             purchases_bound;
  gboolean             filling;
  gboolean             dirty;
  guint                ignore_changes;
  JsonNode            *run_summary;  /* of the last stored analysis, or NULL */
  gboolean             run_summary_loaded;

  /* template children */
  GtkStack            *stack;
  GtkButton           *delete_button;
  GtkButton           *save_button;
  GtkMenuButton       *menu_button;
  AdwAvatar           *avatar;
  GtkLabel            *title_label;
  GtkLabel            *subtitle_label;
  GtkLabel            *error_label;
  AdwEntryRow         *first_name_row;
  AdwEntryRow         *last_name_row;
  AdwEntryRow         *email_row;
  AdwEntryRow         *phone_row;
  AdwEntryRow         *company_row;
  AdwComboRow         *channel_row;
  AdwComboRow         *status_row;
  GtkTextView         *notes_view;
  AdwPreferencesGroup *tags_group;
  GtkFlowBox          *tags_box;
  AdwEntryRow         *tag_row;
  AdwPreferencesGroup *scores_group;
  AdwActionRow        *segment_row;
  AdwActionRow        *lifecycle_row;
  AdwActionRow        *alive_row;
  AdwActionRow        *value_row;
  AdwActionRow        *cluster_row;
  AdwPreferencesGroup *loyalty_group;
  AdwActionRow        *tier_row;
  AdwActionRow        *points_row;
  AdwEntryRow         *referrer_row;
  AdwActionRow        *referrals_row;
  AdwActionRow        *feedback_row;
  AdwPreferencesGroup *purchases_group;
  GtkButton           *add_purchase_button;
  GtkListBox          *purchases_listbox;
};

G_DEFINE_FINAL_TYPE (CtContactDetail, ct_contact_detail, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CONTACT_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const CtContactStatus statuses[] = {
  CT_CONTACT_SUBSCRIBED,
  CT_CONTACT_UNSUBSCRIBED,
  CT_CONTACT_BOUNCED,
  CT_CONTACT_COMPLAINED,
};

typedef struct
{
  CtDb              *db;
  CtContactSnapshot *snapshot;
  gint64             id;
  GWeakRef           detail;
} UndoData;

static void
undo_data_free (gpointer data)
{
  UndoData *undo = data;

  g_clear_pointer (&undo->snapshot, ct_contact_snapshot_free);
  g_clear_object (&undo->db);
  g_weak_ref_clear (&undo->detail);
  g_free (undo);
}

static CtDb *
get_db (CtContactDetail *self)
{
  return self->context != NULL ? ct_context_get_db (self->context) : NULL;
}

static void
add_toast (CtContactDetail *self,
           AdwToast        *toast)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (CT_IS_WINDOW (root))
    ct_window_add_toast (CT_WINDOW (root), toast);
  else
    {
      g_message ("%s", adw_toast_get_title (toast));
      g_object_unref (g_object_ref_sink (toast));
    }
}

/* Toast titles are markup; messages may hold user text. */
static void
toast_message (CtContactDetail *self,
               const char      *message)
{
  g_autofree char *escaped = g_markup_escape_text (message, -1);
  add_toast (self, adw_toast_new (escaped));
}

/* "today", "yesterday", "12 days ago", counted in local calendar days. */
static char *
format_ago (gint64 unix_seconds)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) then = g_date_time_new_from_unix_local (unix_seconds);
  GDate today, day;
  int days;

  if (then == NULL)
    return g_strdup ("—");

  g_date_clear (&today, 1);
  g_date_clear (&day, 1);
  g_date_set_dmy (&today, g_date_time_get_day_of_month (now),
                  g_date_time_get_month (now), g_date_time_get_year (now));
  g_date_set_dmy (&day, g_date_time_get_day_of_month (then),
                  g_date_time_get_month (then), g_date_time_get_year (then));
  days = g_date_days_between (&day, &today);

  if (days <= 0)
    return g_strdup (_("today"));
  if (days == 1)
    return g_strdup (_("yesterday"));
  return g_strdup_printf (ngettext ("%d day ago", "%d days ago", days), days);
}

/* Form access */

static const char *
row_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static char *
row_value (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (row_text (row)));
}

static char *
notes_text (CtContactDetail *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->notes_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static gint64
form_channel_id (CtContactDetail *self)
{
  guint position = adw_combo_row_get_selected (self->channel_row);
  g_autoptr(CtNamedItem) item = NULL;

  if (position == GTK_INVALID_LIST_POSITION)
    return 0;
  item = g_list_model_get_item (G_LIST_MODEL (self->channels), position);
  return item != NULL ? ct_named_item_get_id (item) : 0;
}

static CtContactStatus
form_status (CtContactDetail *self)
{
  guint position = adw_combo_row_get_selected (self->status_row);

  if (position >= G_N_ELEMENTS (statuses))
    return CT_CONTACT_SUBSCRIBED;
  return statuses[position];
}

static void
apply_form (CtContactDetail *self,
            CtContact       *contact)
{
  g_autofree char *first = row_value (self->first_name_row);
  g_autofree char *last = row_value (self->last_name_row);
  g_autofree char *email = row_value (self->email_row);
  g_autofree char *phone = row_value (self->phone_row);
  g_autofree char *company = row_value (self->company_row);
  g_autofree char *notes = notes_text (self);

  ct_contact_set_first_name (contact, first);
  ct_contact_set_last_name (contact, last);
  ct_contact_set_email (contact, email);
  ct_contact_set_phone (contact, phone);
  ct_contact_set_company (contact, company);
  ct_contact_set_channel_id (contact, form_channel_id (self));
  ct_contact_set_status (contact, form_status (self));
  ct_contact_set_notes (contact, notes);
}

static gboolean
compute_dirty (CtContactDetail *self)
{
  g_autofree char *notes = NULL;

  if (self->is_new)
    {
      notes = notes_text (self);
      return *row_text (self->first_name_row) || *row_text (self->last_name_row) ||
             *row_text (self->email_row) || *row_text (self->phone_row) ||
             *row_text (self->company_row) || *notes;
    }

  if (self->contact == NULL)
    return FALSE;

  notes = notes_text (self);
  return g_strcmp0 (row_text (self->first_name_row), ct_contact_get_first_name (self->contact)) != 0 ||
         g_strcmp0 (row_text (self->last_name_row), ct_contact_get_last_name (self->contact)) != 0 ||
         g_strcmp0 (row_text (self->email_row), ct_contact_get_email (self->contact)) != 0 ||
         g_strcmp0 (row_text (self->phone_row), ct_contact_get_phone (self->contact)) != 0 ||
         g_strcmp0 (row_text (self->company_row), ct_contact_get_company (self->contact)) != 0 ||
         g_strcmp0 (notes, ct_contact_get_notes (self->contact)) != 0 ||
         form_channel_id (self) != ct_contact_get_channel_id (self->contact) ||
         form_status (self) != ct_contact_get_status (self->contact);
}

static void
update_actions (CtContactDetail *self)
{
  gboolean stored = self->contact_id > 0 && !self->is_new;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contact.save", self->dirty);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contact.delete", stored);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contact.add-purchase", stored);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contact.export-data", stored);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contact.erase", stored);
}

static void
set_title (CtContactDetail *self,
           const char      *title)
{
  if (g_strcmp0 (self->title, title) == 0)
    return;
  g_free (self->title);
  self->title = g_strdup (title);
}

/* The title follows what is typed, so a new contact's avatar fills in. */
static void
update_header (CtContactDetail *self)
{
  g_autofree char *first = row_value (self->first_name_row);
  g_autofree char *last = row_value (self->last_name_row);
  g_autofree char *email = row_value (self->email_row);
  g_autofree char *phone = row_value (self->phone_row);
  g_autofree char *name = ct_contact_format_name (first, last);
  const char *subtitle;

  if (name != NULL && *name != '\0')
    set_title (self, name);
  else if (*email != '\0')
    set_title (self, email);
  else if (*phone != '\0')
    set_title (self, phone);
  else if (self->is_new)
    set_title (self, _("New Contact"));
  else
    set_title (self, _("Unnamed Contact"));

  gtk_label_set_text (self->title_label, self->title);
  adw_avatar_set_text (self->avatar, self->is_new && (name == NULL || *name == '\0') &&
                                     *email == '\0' && *phone == '\0' ? NULL : self->title);

  if (self->is_new)
    subtitle = _("Not saved yet");
  else if (*email != '\0')
    subtitle = email;
  else if (*phone != '\0')
    subtitle = phone;
  else
    subtitle = "";
  gtk_label_set_text (self->subtitle_label, subtitle);
  gtk_widget_set_visible (GTK_WIDGET (self->subtitle_label), *subtitle != '\0');
}

static void
clear_error (CtContactDetail *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_widget_remove_css_class (GTK_WIDGET (self->email_row), "error");
}

static void
update_dirty (CtContactDetail *self)
{
  self->dirty = compute_dirty (self);
  update_actions (self);
}

static void
on_form_changed (CtContactDetail *self)
{
  if (self->filling)
    return;

  clear_error (self);
  update_header (self);
  update_dirty (self);
}

static void
select_channel (CtContactDetail *self,
                gint64           channel_id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->channels));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CtNamedItem) item = g_list_model_get_item (G_LIST_MODEL (self->channels), i);

      if (ct_named_item_get_id (item) == channel_id)
        {
          adw_combo_row_set_selected (self->channel_row, i);
          return;
        }
    }
  adw_combo_row_set_selected (self->channel_row, 0);
}

static void
load_channels (CtContactDetail *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) all = NULL;
  g_autoptr(CtNamedItem) none = NULL;
  guint n;

  g_list_store_remove_all (self->channels);
  /* Translators: no acquisition channel */
  none = ct_named_item_new (0, C_("channel", "None"));
  g_list_store_append (self->channels, none);

  all = ct_channel_list_all (get_db (self), &error);
  if (all == NULL)
    {
      toast_message (self, error->message);
      return;
    }

  n = g_list_model_get_n_items (all);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (all, i);
      g_list_store_append (self->channels, item);
    }
}

static void
fill_form (CtContactDetail *self)
{
  CtContact *c = self->contact;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->notes_view);

  self->filling = TRUE;

  load_channels (self);
  gtk_editable_set_text (GTK_EDITABLE (self->first_name_row), c ? ct_contact_get_first_name (c) : "");
  gtk_editable_set_text (GTK_EDITABLE (self->last_name_row), c ? ct_contact_get_last_name (c) : "");
  gtk_editable_set_text (GTK_EDITABLE (self->email_row), c ? ct_contact_get_email (c) : "");
  gtk_editable_set_text (GTK_EDITABLE (self->phone_row), c ? ct_contact_get_phone (c) : "");
  gtk_editable_set_text (GTK_EDITABLE (self->company_row), c ? ct_contact_get_company (c) : "");
  select_channel (self, c ? ct_contact_get_channel_id (c) : 0);
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    if (statuses[i] == (c ? ct_contact_get_status (c) : CT_CONTACT_SUBSCRIBED))
      adw_combo_row_set_selected (self->status_row, i);
  gtk_text_buffer_set_text (buffer, c ? ct_contact_get_notes (c) : "", -1);

  self->filling = FALSE;

  clear_error (self);
  update_header (self);
  update_dirty (self);
}

/* Tags */

static void set_tags (CtContactDetail    *self,
                      const char * const *tags);

static void
on_remove_tag_clicked (GtkButton       *button,
                       CtContactDetail *self)
{
  const char *removed = g_object_get_data (G_OBJECT (button), "ct-tag");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) tags = NULL;

  for (guint i = 0; self->tags != NULL && self->tags[i] != NULL; i++)
    if (g_strcmp0 (self->tags[i], removed) != 0)
      g_strv_builder_add (builder, self->tags[i]);
  tags = g_strv_builder_end (builder);

  set_tags (self, (const char * const *) tags);
}

static GtkWidget *
create_tag_pill (CtContactDetail *self,
                 const char      *tag)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *label = gtk_label_new (tag);
  GtkWidget *button = gtk_button_new_from_icon_name ("window-close-symbolic");
  g_autofree char *remove_label = g_strdup_printf (_("Remove tag “%s”"), tag);

  gtk_widget_add_css_class (box, "tag-pill");
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 24);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "circular");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, remove_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label,
                                  -1);
  g_object_set_data_full (G_OBJECT (button), "ct-tag", g_strdup (tag), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (on_remove_tag_clicked), self);

  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), button);
  return box;
}

static void
show_tags (CtContactDetail *self)
{
  GtkWidget *child;
  gboolean any = self->tags != NULL && self->tags[0] != NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->tags_box))) != NULL)
    gtk_flow_box_remove (self->tags_box, child);

  for (guint i = 0; self->tags != NULL && self->tags[i] != NULL; i++)
    gtk_flow_box_append (self->tags_box, create_tag_pill (self, self->tags[i]));

  gtk_widget_set_visible (GTK_WIDGET (self->tags_box), any);
  adw_preferences_group_set_description (self->tags_group,
                                         any ? NULL : _("No tags yet. Tags group contacts for searching and, later, for campaigns."));
}

static void
load_tags (CtContactDetail *self)
{
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->tags, g_strfreev);
  if (self->contact_id > 0)
    {
      self->tags = ct_contact_get_tag_list (get_db (self), self->contact_id, &error);
      if (self->tags == NULL && error != NULL)
        toast_message (self, error->message);
    }
  show_tags (self);
}

static void
set_tags (CtContactDetail    *self,
          const char * const *tags)
{
  g_autoptr(GError) error = NULL;

  if (self->contact_id <= 0)
    return;

  if (!ct_contact_set_tags (get_db (self), self->contact_id, tags, &error))
    {
      toast_message (self, error->message);
      return;
    }
  load_tags (self);
}

static void
on_tag_apply (CtContactDetail *self)
{
  g_autofree char *tag = row_value (self->tag_row);
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) tags = NULL;

  if (*tag == '\0')
    return;

  /* Tags are unique ignoring case; adding one again is not an error. */
  for (guint i = 0; self->tags != NULL && self->tags[i] != NULL; i++)
    {
      g_autofree char *a = g_utf8_casefold (self->tags[i], -1);
      g_autofree char *b = g_utf8_casefold (tag, -1);

      if (g_strcmp0 (a, b) == 0)
        {
          gtk_editable_set_text (GTK_EDITABLE (self->tag_row), "");
          return;
        }
    }

  builder = g_strv_builder_new ();
  if (self->tags != NULL)
    g_strv_builder_addv (builder, (const char **) self->tags);
  g_strv_builder_add (builder, tag);
  tags = g_strv_builder_end (builder);

  set_tags (self, (const char * const *) tags);
  if (self->tags != NULL && g_strv_length (self->tags) == g_strv_length (tags))
    gtk_editable_set_text (GTK_EDITABLE (self->tag_row), "");
}

/* Purchases */

static GtkWidget *
create_purchase_row (gpointer item,
                     gpointer user_data)
{
  CtPurchase *purchase = CT_PURCHASE (item);
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *amount;
  g_autofree char *date = NULL;
  g_autofree char *amount_label = NULL;
  g_autofree char *subtitle = NULL;
  const char *product = ct_purchase_get_product_name (purchase);

  g_object_get (purchase, "date-label", &date, "amount-label", &amount_label, NULL);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 product != NULL && *product != '\0' ? product : _("No product"));
  if (ct_purchase_get_refunded (purchase))
    subtitle = g_strdup_printf ("%s · %s", date, _("Refunded"));
  else
    subtitle = g_strdup (date);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  amount = gtk_label_new (amount_label);
  gtk_widget_add_css_class (amount, "numeric");
  if (ct_purchase_get_refunded (purchase))
    {
      gtk_widget_add_css_class (amount, "dim-label");
      gtk_widget_add_css_class (amount, "refunded");
    }
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), amount);

  return row;
}

static void
update_summary (CtContactDetail *self)
{
  g_autofree char *count = NULL;
  g_autofree char *total = NULL;
  g_autofree char *ago = NULL;
  g_autofree char *text = NULL;
  g_autofree char *total_label = NULL;
  g_autofree char *last_label = NULL;
  int n;

  if (self->contact == NULL)
    return;

  n = ct_contact_get_purchase_count (self->contact);
  if (n <= 0)
    {
      adw_preferences_group_set_description (self->purchases_group, _("No purchases yet."));
      return;
    }

  count = ct_format_count ((guint64) n);
  g_object_get (self->contact, "total-spent-label", &total, NULL);
  ago = format_ago (ct_contact_get_last_purchase_at (self->contact));

  /* Translators: joined as "7 purchases · ¥3,240.00 in total · last 12 days ago" */
  text = g_strdup_printf (ngettext ("%s purchase", "%s purchases", n), count);
  /* Translators: %s is an amount of money such as "¥3,240.00" */
  total_label = g_strdup_printf (_("%s in total"), total);
  /* Translators: %s is "today", "yesterday" or "12 days ago" */
  last_label = g_strdup_printf (_("last %s"), ago);

  g_free (count);
  count = g_strdup_printf ("%s · %s · %s", text, total_label, last_label);
  adw_preferences_group_set_description (self->purchases_group, count);
}

static void
on_purchases_changed (GListModel      *model,
                      guint            position,
                      guint            removed,
                      guint            added,
                      CtContactDetail *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->purchases_listbox),
                          g_list_model_get_n_items (model) > 0);
}

static void
show_purchases (CtContactDetail *self)
{
  g_autoptr(GError) error = NULL;
  CtPurchaseFilter filter = { 0, };

  if (self->contact_id <= 0)
    {
      if (self->purchases_bound)
        gtk_list_box_bind_model (self->purchases_listbox, NULL, NULL, NULL, NULL);
      self->purchases_bound = FALSE;
      return;
    }

  if (self->purchases == NULL)
    {
      self->purchases = ct_purchase_list_new (get_db (self));
      g_signal_connect (self->purchases, "items-changed",
                        G_CALLBACK (on_purchases_changed), self);
    }

  /* Filtered before binding: unfiltered, it is every purchase there is. */
  filter.contact_id = self->contact_id;
  if (!ct_purchase_list_set_filter (self->purchases, &filter, &error))
    {
      toast_message (self, error->message);
      return;
    }

  on_purchases_changed (G_LIST_MODEL (self->purchases), 0, 0, 0, self);
  if (!self->purchases_bound)
    {
      gtk_list_box_bind_model (self->purchases_listbox, G_LIST_MODEL (self->purchases),
                               create_purchase_row, self, NULL);
      self->purchases_bound = TRUE;
    }

  update_summary (self);
}

/* Scores */

/* The last stored run's summary, read once and again after each run. A
 * missing or unreadable one only costs the reasons in the texts. */
static JsonObject *
run_summary (CtContactDetail *self)
{
  if (!self->run_summary_loaded && get_db (self) != NULL)
    {
      g_autoptr(GError) error = NULL;

      g_clear_pointer (&self->run_summary, json_node_unref);
      self->run_summary = ct_analytics_load_last (get_db (self), &error);
      if (error != NULL)
        g_debug ("No reasons for missing scores: %s", error->message);
      self->run_summary_loaded = TRUE;
    }

  if (self->run_summary == NULL || !JSON_NODE_HOLDS_OBJECT (self->run_summary))
    return NULL;
  return json_node_get_object (self->run_summary);
}

/* Why the run has no result for @member: its {"error": "…"} ("bgnbd",
 * "gamma_gamma"), or the string @member holds itself ("clusters_error").
 * NULL when the run says nothing. */
static const char *
summary_error (CtContactDetail *self,
               const char      *member)
{
  JsonObject *summary = run_summary (self);
  JsonNode *node = summary != NULL ? json_object_get_member (summary, member) : NULL;

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    node = json_object_get_member (json_node_get_object (node), "error");
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gint64
summary_int (CtContactDetail *self,
             const char      *object_member,
             const char      *member,
             gint64           fallback)
{
  JsonObject *object = run_summary (self);
  JsonNode *node;

  if (object != NULL && object_member != NULL)
    {
      node = json_object_get_member (object, object_member);
      object = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
    }
  if (object == NULL)
    return fallback;
  node = json_object_get_member (object, member);
  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64)
    return fallback;
  return json_node_get_int (node);
}

/* Appends @sentence to @text after what is there: English puts a space
 * between sentences, Chinese none, so the joint is the translators'. */
static void
append_sentence (GString    *text,
                 const char *sentence)
{
  g_autofree char *joined = NULL;

  if (text->len == 0)
    {
      g_string_append (text, sentence);
      return;
    }
  /* Translators: two sentences one after the other in a contact's
   * scores; "%s%s" where no space goes between sentences. */
  joined = g_strdup_printf (C_("two sentences", "%s %s"), text->str, sentence);
  g_string_assign (text, joined);
}

static void
set_row (AdwActionRow *row,
         const char   *title,
         const char   *subtitle)
{
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (row, subtitle != NULL ? subtitle : "");
}

/* Why a model's figure is missing for a contact that has scores: no
 * purchase at all, else the reason the run gave, else a general one. */
static const char *
missing_reason (CtContactDetail *self,
                CtContact       *contact,
                const char      *member)
{
  const char *reason;

  if (ct_contact_get_frequency (contact) == 0)
    return _("Needs at least one purchase.");
  reason = member != NULL ? summary_error (self, member) : NULL;
  if (reason != NULL && *reason != '\0')
    return reason;
  return _("The model could not be fitted to the purchases there are.");
}

static void
update_segment_row (CtContactDetail *self,
                    CtContact       *contact)
{
  CtRfmSegment segment;
  CtRfmCustomer customer = { 0, };
  CtRfmScore score = { 0, };
  g_autofree char *title = NULL;
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autofree char *scores = NULL;
  guint r, f, m;

  if (!ct_rfm_segment_from_id (ct_contact_get_rfm_segment (contact), &segment))
    {
      set_row (self->segment_row, _("No RFM segment"),
               ct_contact_get_frequency (contact) == 0
               ? _("Segments are for customers: this contact has not bought anything yet.")
               : _("Not computed for this contact."));
      return;
    }

  ct_contact_get_rfm_scores (contact, &r, &f, &m);
  customer.contact_id = ct_contact_get_id (contact);
  customer.recency = MAX (ct_contact_get_recency_days (contact), 0);
  customer.frequency = ct_contact_get_frequency (contact);
  customer.monetary = ct_contact_get_monetary (contact);
  score.r = r;
  score.f = f;
  score.m = m;
  score.segment = segment;

  title = ct_rfm_explain (&customer, &score);
  /* Translators: after the segment's description in a contact's scores;
   * each score is 1 to 5, 5 the best. */
  scores = g_strdup_printf (_("Recency %u, frequency %u, spend %u out of 5."), r, f, m);
  append_sentence (subtitle, ct_rfm_segment_get_description (segment));
  append_sentence (subtitle, scores);
  set_row (self->segment_row, title, subtitle->str);
}

static void
update_lifecycle_row (CtContactDetail *self,
                      CtContact       *contact)
{
  CtLifecycleThresholds t;
  CtLifecycleStage stage;
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;

  if (!ct_lifecycle_stage_from_id (ct_contact_get_lifecycle (contact), &stage))
    {
      set_row (self->lifecycle_row, _("No lifecycle stage"), _("Not computed for this contact."));
      return;
    }

  /* The thresholds the background run uses: the user's. A broken
   * setting gives the defaults, as it does to the run. */
  if (!ct_lifecycle_thresholds_load (get_db (self), &t, NULL))
    ct_lifecycle_thresholds_init_default (&t);

  /* Translators: %s is a lifecycle stage such as "Active" */
  title = g_strdup_printf (_("Lifecycle stage: %s"), ct_lifecycle_stage_get_label (stage));
  switch (stage)
    {
    case CT_LIFECYCLE_POTENTIAL:
      subtitle = g_strdup (_("Has not bought anything yet."));
      break;
    case CT_LIFECYCLE_NEW:
      subtitle = g_strdup_printf (ngettext ("First bought within the last %u day.",
                                            "First bought within the last %u days.",
                                            t.new_days), t.new_days);
      break;
    case CT_LIFECYCLE_ACTIVE:
      subtitle = g_strdup_printf (ngettext ("Last bought within the last %u day.",
                                            "Last bought within the last %u days.",
                                            t.active_days), t.active_days);
      break;
    case CT_LIFECYCLE_AT_RISK:
      /* Translators: both numbers are days; the second is the larger. */
      subtitle = g_strdup_printf (_("Last bought between %u and %u days ago."),
                                  t.active_days, t.at_risk_days);
      break;
    case CT_LIFECYCLE_DORMANT:
      /* Translators: both numbers are days; the second is the larger. */
      subtitle = g_strdup_printf (_("Last bought between %u and %u days ago."),
                                  t.at_risk_days, t.dormant_days);
      break;
    case CT_LIFECYCLE_CHURNED:
      subtitle = g_strdup_printf (ngettext ("Last bought more than %u day ago.",
                                            "Last bought more than %u days ago.",
                                            t.dormant_days), t.dormant_days);
      break;
    case CT_LIFECYCLE_N_STAGES:
    default:
      g_assert_not_reached ();
    }
  set_row (self->lifecycle_row, title, subtitle);
}

static int
percent (double fraction)
{
  return (int) (CLAMP (fraction, 0.0, 1.0) * 100.0 + 0.5);
}

static void
update_alive_row (CtContactDetail *self,
                  CtContact       *contact)
{
  double p_alive = ct_contact_get_p_alive (contact);
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;

  if (p_alive < 0.0)
    {
      set_row (self->alive_row, _("Chance of still being a customer: not computed"),
               missing_reason (self, contact, "bgnbd"));
      return;
    }

  /* BG/NBD lets a customer drop out only after a repeat purchase, so it
   * calls every one-time buyer certainly still a customer: a "0% churn
   * risk" next to "Lost" would mislead. */
  if (ct_contact_get_frequency (contact) <= 1)
    {
      set_row (self->alive_row, _("Too early to tell whether still a customer"),
               _("They have bought only once. The purchase model only learns how "
                 "likely someone is to stay from their repeat purchases; the "
                 "lifecycle stage tells how long ago that purchase was."));
      return;
    }

  /* Translators: "83% likely still a customer"; %d is a percentage,
   * %% the percent sign. */
  title = g_strdup_printf (_("%d%% likely still a customer"), percent (p_alive));
  /* Translators: %d%% is the churn risk, as in "17%". */
  subtitle = g_strdup_printf (_("Churn risk %d%%, judged from how often and how lately "
                                "they bought, against the habits of all customers."),
                              percent (1.0 - p_alive));
  set_row (self->alive_row, title, subtitle);
}

static void
update_value_row (CtContactDetail *self,
                  CtContact       *contact)
{
  gint64 predicted = ct_contact_get_clv_predictive (contact);
  gint64 historical = ct_contact_get_clv_historical (contact);
  gint64 simple = ct_contact_get_clv_simple (contact);
  double expected = ct_contact_get_expected_purchases (contact);
  const char *currency = ct_contact_get_metrics_currency (contact);
  guint months = (guint) CLAMP (summary_int (self, "clv", "horizon_months", 12),
                                1, CT_ANALYTICS_MAX_HORIZON_MONTHS);
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autofree char *title = NULL;

  if (*currency == '\0')
    currency = ct_contact_get_currency (contact);

  if (predicted >= 0)
    {
      g_autofree char *money = ct_money_format (predicted, currency);

      if (months == 12)
        /* Translators: the predicted lifetime value, "Expected to spend
         * ¥1,240.00 in the next year". */
        title = g_strdup_printf (_("Expected to spend %s in the next year"), money);
      else
        title = g_strdup_printf (ngettext ("Expected to spend %s in the next %u month",
                                           "Expected to spend %s in the next %u months",
                                           months),
                                 money, months);
      if (expected >= 0.0)
        {
          g_autofree char *sentence = NULL;

          /* Translators: %.1f is a number of purchases, such as 3.2 */
          sentence = g_strdup_printf (_("About %.1f purchases in that time."), expected);
          append_sentence (subtitle, sentence);
        }
    }
  else
    {
      title = g_strdup (_("Predicted lifetime value: not computed"));
      append_sentence (subtitle, missing_reason (self, contact, "gamma_gamma"));
    }

  /* Spent so far: nothing to say for someone who never bought. */
  if (historical >= 0 && ct_contact_get_frequency (contact) > 0)
    {
      g_autofree char *money = ct_money_format (historical, currency);
      g_autofree char *sentence = NULL;

      /* Translators: the historical lifetime value: all they paid */
      sentence = g_strdup_printf (_("Spent so far: %s."), money);
      append_sentence (subtitle, sentence);
    }
  if (simple >= 0)
    {
      g_autofree char *money = ct_money_format (simple, currency);
      g_autofree char *sentence = NULL;

      /* Translators: the simple lifetime value: average order value ×
       * purchases per year × expected years as a customer */
      sentence = g_strdup_printf (_("Simple estimate over a customer’s lifetime: %s."), money);
      append_sentence (subtitle, sentence);
    }

  set_row (self->value_row, title, subtitle->str);
}

static void
update_cluster_row (CtContactDetail *self,
                    CtContact       *contact)
{
  int cluster = ct_contact_get_cluster (contact);
  gint64 k = summary_int (self, NULL, "k", 0);
  g_autofree char *title = NULL;

  if (cluster < 0)
    {
      const char *reason = ct_contact_get_frequency (contact) == 0
                           ? _("Needs at least one purchase.")
                           : summary_error (self, "clusters_error");

      set_row (self->cluster_row, _("Cluster: none"),
               reason != NULL ? reason : _("Not computed for this contact."));
      return;
    }

  /* Counted from 1 for people, as in the list. */
  if (k > cluster)
    /* Translators: "Cluster 2 of 4" */
    title = g_strdup_printf (_("Cluster %d of %d"), cluster + 1, (int) k);
  else
    title = g_strdup_printf (_("Cluster %d"), cluster + 1);
  set_row (self->cluster_row, title,
           _("Grouped with the customers most like them in recency, frequency and spend."));
}

static void
update_scores (CtContactDetail *self)
{
  CtContact *contact = self->contact;
  gint64 as_of;
  g_autofree char *date = NULL;
  g_autofree char *description = NULL;
  gboolean computed;

  if (contact == NULL)
    return;

  as_of = ct_contact_get_metrics_as_of (contact);
  computed = as_of > 0;
  gtk_widget_set_visible (GTK_WIDGET (self->lifecycle_row), computed);
  gtk_widget_set_visible (GTK_WIDGET (self->alive_row), computed);
  gtk_widget_set_visible (GTK_WIDGET (self->value_row), computed);
  gtk_widget_set_visible (GTK_WIDGET (self->cluster_row), computed);

  if (!computed)
    {
      /* The first row says so: a group without rows draws an empty
       * frame. */
      adw_preferences_group_set_description (self->scores_group, NULL);
      set_row (self->segment_row, _("Not computed yet"),
               _("Clientele works the scores out in the background from all purchases, "
                 "and shows them here when it is done."));
      return;
    }

  date = ct_format_date (as_of);
  /* Translators: %s is a date, "2025-03-14" */
  description = g_strdup_printf (_("From the purchases up to %s."), date);
  adw_preferences_group_set_description (self->scores_group, description);

  update_segment_row (self, contact);
  update_lifecycle_row (self, contact);
  update_alive_row (self, contact);
  update_value_row (self, contact);
  update_cluster_row (self, contact);
}


/* Loyalty: tier, points, referrals */

static char *
contact_label (CtDb   *db,
               gint64  id)
{
  g_autoptr(CtContact) contact = ct_contact_load (db, id, NULL);

  if (contact == NULL)
    return g_strdup ("");
  return g_strdup (ct_contact_get_display_name (contact));
}

static void
update_loyalty (CtContactDetail *self)
{
  CtDb *db = get_db (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) tiers = NULL;
  CtLoyaltySettings settings;
  int level = -1;
  gint64 since = 0, below_since = 0, balance = 0, referrer = 0, n_referred = 0, referral_points = 0;

  if (self->contact == NULL || db == NULL)
    return;

  /* Tiers follow the date as well as the purchases: place this contact
   * as of now before showing it. */
  if (!ct_tier_update (db, 0, self->contact_id, NULL, &error)
      || !ct_points_expire (db, 0, self->contact_id, NULL, &error)
      || !ct_loyalty_settings_load (db, &settings, &error)
      || (tiers = ct_tier_list (db, &error)) == NULL
      || !ct_tier_get_contact (db, self->contact_id, &level, &since, &below_since, &error)
      || !ct_points_get_balance (db, self->contact_id, &balance, &error)
      || !ct_referral_get_referrer (db, self->contact_id, &referrer, &error)
      || !ct_referral_get_counts (db, self->contact_id, &n_referred, &referral_points, &error))
    {
      set_row (self->tier_row, _("Loyalty figures unavailable"), error->message);
      return;
    }

  if (level >= 0 && (guint) level < tiers->len)
    {
      const CtTier *tier = &g_array_index (tiers, CtTier, level);
      g_autofree char *date = ct_format_date (since);
      g_autoptr(GString) subtitle = g_string_new (NULL);

      /* Translators: "Member since 2025-03-14" under a tier's name */
      g_string_printf (subtitle, _("In this tier since %s"), date);
      if (tier->discount_percent > 0)
        /* Translators: a tier's benefit after its start date, "; 10% off" */
        g_string_append_printf (subtitle, _("; %g%% off"), tier->discount_percent);
      /* Translators: a tier's benefit, "; ×1.5 points" */
      g_string_append_printf (subtitle, _("; ×%g points"), tier->points_multiplier / 100.0);
      if (below_since > 0)
        {
          g_autofree char *until = ct_format_date (below_since + (gint64) settings.grace_days * 86400);

          /* Translators: a downgrade waiting; %s is a date */
          g_string_append_printf (subtitle, _("; below its threshold now, kept until %s"), until);
        }
      set_row (self->tier_row, tier->name, subtitle->str);
    }
  else
    set_row (self->tier_row, _("No tier yet"), NULL);

  {
    g_autofree char *count = ct_format_count ((guint64) ABS (balance));
    g_autofree char *title =
      /* Translators: a contact's points balance, "1,250 points" */
      g_strdup_printf (ngettext ("%s%s point", "%s%s points", (unsigned long) (ABS (balance) % 1000000)),
                       balance < 0 ? "−" : "", count);

    set_row (self->points_row, title, _("Earned on purchases and tasks, less what was redeemed or expired."));
  }

  self->ignore_changes++;
  if (referrer != 0)
    {
      g_autoptr(CtContact) who = ct_contact_load (db, referrer, NULL);
      const char *email = who != NULL ? ct_contact_get_email (who) : NULL;

      gtk_editable_set_text (GTK_EDITABLE (self->referrer_row),
                             email != NULL && *email != '\0' ? email
                             : who != NULL ? ct_contact_get_phone (who) : "");
    }
  else
    gtk_editable_set_text (GTK_EDITABLE (self->referrer_row), "");
  self->ignore_changes--;

  {
    g_autofree char *title = g_strdup_printf (ngettext ("Referred %lld contact", "Referred %lld contacts",
                                                        (unsigned long) (n_referred % 1000000)),
                                              (long long) n_referred);
    g_autofree char *subtitle = g_strdup_printf (ngettext ("Earning %lld point", "Earning %lld points",
                                                           (unsigned long) (referral_points % 1000000)),
                                                 (long long) referral_points);

    set_row (self->referrals_row, title, n_referred > 0 ? subtitle : NULL);
  }

  {
    CtFeedbackFilter filter;
    g_autoptr(GArray) feedback = NULL;
    g_autofree char *title = NULL;
    guint n_open = 0;

    ct_feedback_filter_init (&filter);
    filter.contact_id = self->contact_id;
    feedback = ct_feedback_list (db, &filter, &error);
    if (feedback == NULL)
      {
        set_row (self->feedback_row, _("Feedback"), error->message);
        return;
      }
    for (guint i = 0; i < feedback->len; i++)
      n_open += !g_array_index (feedback, CtFeedback, i).resolved;
    title = g_strdup_printf (ngettext ("%u piece of feedback", "%u pieces of feedback", feedback->len),
                             feedback->len);
    if (feedback->len > 0)
      {
        g_autofree char *subtitle = g_strdup_printf (ngettext ("%u open; the latest: %s", "%u open; the latest: %s", n_open),
                                                     n_open, g_array_index (feedback, CtFeedback, 0).text);

        set_row (self->feedback_row, title, subtitle);
      }
    else
      set_row (self->feedback_row, _("No feedback yet"), NULL);
  }
}

typedef struct
{
  CtContactDetail *self;
  GtkDropDown     *category;
  GtkDropDown     *scale;
  GtkSpinButton   *score;
  GtkEntry        *text;
} FeedbackDialog;

static void
on_feedback_scale_changed (FeedbackDialog *d)
{
  gboolean nps = gtk_drop_down_get_selected (d->scale) == 1;

  gtk_spin_button_set_range (d->score, nps ? 0 : 1, nps ? 10 : 5);
}

static void
on_feedback_response (AdwMessageDialog *dialog,
                      const char       *response,
                      FeedbackDialog   *d)
{
  CtDb *db = get_db (d->self);
  g_autoptr(GError) error = NULL;

  if (g_str_equal (response, "record") && db != NULL
      && ct_feedback_add (db, d->self->contact_id, gtk_drop_down_get_selected (d->category),
                          gtk_drop_down_get_selected (d->scale) == 1 ? CT_FEEDBACK_NPS : CT_FEEDBACK_RATING,
                          gtk_spin_button_get_value_as_int (d->score),
                          gtk_editable_get_text (GTK_EDITABLE (d->text)), 0, &error) == 0)
    toast_message (d->self, error->message);
  g_object_unref (d->self);
  g_free (d);
}

static void
record_feedback_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  CtContactDetail *self = CT_CONTACT_DETAIL (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  FeedbackDialog *d = g_new0 (FeedbackDialog, 1);
  g_autoptr(GtkStringList) categories = gtk_string_list_new (NULL);
  const char *scales[] = { _("Rating from 1 to 5"), _("Would recommend, 0 to 10 (NPS)"), NULL };
  GtkWidget *dialog, *box;

  d->self = g_object_ref (self);
  for (guint c = 0; c < CT_FEEDBACK_N_CATEGORIES; c++)
    gtk_string_list_append (categories, ct_feedback_category_get_label (c));

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Record Feedback"),
                                   _("What the contact said, and how they scored it."));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  d->category = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (categories)), NULL));
  gtk_accessible_update_property (GTK_ACCESSIBLE (d->category), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Category"), -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (d->category));
  d->scale = GTK_DROP_DOWN (gtk_drop_down_new_from_strings (scales));
  gtk_accessible_update_property (GTK_ACCESSIBLE (d->scale), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Scale"), -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (d->scale));
  d->score = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (1, 5, 1));
  gtk_spin_button_set_value (d->score, 5);
  gtk_accessible_update_property (GTK_ACCESSIBLE (d->score), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Score"), -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (d->score));
  d->text = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (d->text, _("What they said"));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (d->text));
  g_signal_connect_swapped (d->scale, "notify::selected", G_CALLBACK (on_feedback_scale_changed), d);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "record", _("_Record"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "record",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "record");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_feedback_response), d);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_referrer_apply (CtContactDetail *self)
{
  CtDb *db = get_db (self);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->referrer_row));
  g_autoptr(GError) error = NULL;
  gint64 referrer = 0;

  if (db == NULL || self->contact_id <= 0)
    return;
  if (*text != '\0')
    {
      referrer = ct_referral_find_contact (db, text, &error);
      if (error != NULL)
        {
          toast_message (self, error->message);
          return;
        }
      if (referrer == 0)
        {
          g_autofree char *message =
            g_strdup_printf (_("No contact has the email or phone “%s”."), text);

          toast_message (self, message);
          return;
        }
    }
  if (!ct_referral_set (db, self->contact_id, referrer, CT_REFERRAL_MANUAL, 0, &error))
    {
      toast_message (self, error->message);
      return;
    }
  if (referrer != 0)
    {
      g_autofree char *name = contact_label (db, referrer);
      g_autofree char *message = g_strdup_printf (_("Referred by %s"), name);

      toast_message (self, message);
    }
  update_loyalty (self);
}

typedef struct
{
  CtContactDetail *self;
  GtkSpinButton   *points;
  GtkDropDown     *kind;
  GtkEntry        *reason;
  gboolean         redeem;
} PointsDialog;

static const CtPointsKind award_kinds[] = {
  CT_POINTS_MANUAL, CT_POINTS_CHECKIN, CT_POINTS_REFERRAL, CT_POINTS_REVIEW, CT_POINTS_SURVEY,
};

static void
points_dialog_free (PointsDialog *d)
{
  g_object_unref (d->self);
  g_free (d);
}

static void
on_points_response (AdwMessageDialog *dialog,
                    const char       *response,
                    PointsDialog     *d)
{
  CtDb *db = get_db (d->self);
  g_autoptr(GError) error = NULL;
  gint64 points = (gint64) gtk_spin_button_get_value_as_int (d->points);
  const char *reason = gtk_editable_get_text (GTK_EDITABLE (d->reason));
  gint64 id;

  if (g_str_equal (response, "apply") && db != NULL)
    {
      if (d->redeem)
        id = ct_points_redeem (db, d->self->contact_id, points, reason, 0, &error);
      else
        id = ct_points_award (db, d->self->contact_id, points,
                              award_kinds[gtk_drop_down_get_selected (d->kind)], reason, 0, &error);
      if (id == 0)
        toast_message (d->self, error->message);
      update_loyalty (d->self);
    }
  points_dialog_free (d);
}

static void
open_points_dialog (CtContactDetail *self,
                    gboolean         redeem)
{
  GtkWidget *dialog;
  GtkWidget *box;
  g_autoptr(GtkStringList) kinds = gtk_string_list_new (NULL);
  PointsDialog *d = g_new0 (PointsDialog, 1);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  d->self = g_object_ref (self);
  d->redeem = redeem;
  for (guint i = 0; i < G_N_ELEMENTS (award_kinds); i++)
    gtk_string_list_append (kinds, ct_points_kind_get_label (award_kinds[i]));

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   redeem ? _("Redeem Points") : _("Award Points"),
                                   redeem ? _("The points are taken off the balance; never more than it holds.")
                                          : _("The points are added to the balance."));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  d->points = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (1, 100000000, 1));
  gtk_spin_button_set_value (d->points, 10);
  gtk_accessible_update_property (GTK_ACCESSIBLE (d->points), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Points"), -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (d->points));
  d->kind = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (kinds)), NULL));
  gtk_widget_set_visible (GTK_WIDGET (d->kind), !redeem);
  gtk_accessible_update_property (GTK_ACCESSIBLE (d->kind), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Awarded for"), -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (d->kind));
  d->reason = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (d->reason, _("Reason (optional)"));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (d->reason));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "apply", redeem ? _("_Redeem") : _("_Award"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "apply",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "apply");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_points_response), d);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
award_points_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  open_points_dialog (CT_CONTACT_DETAIL (widget), FALSE);
}

static void
redeem_points_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  open_points_dialog (CT_CONTACT_DETAIL (widget), TRUE);
}

/* Showing */

static void
set_contact_id (CtContactDetail *self,
                gint64           id)
{
  if (self->contact_id == id)
    return;
  self->contact_id = id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTACT_ID]);
}

static void
show_empty (CtContactDetail *self)
{
  self->is_new = FALSE;
  g_clear_object (&self->contact);
  set_contact_id (self, 0);
  show_purchases (self);
  g_clear_pointer (&self->tags, g_strfreev);
  self->dirty = FALSE;
  update_actions (self);
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

/* Reads the stored contact again after a change made anywhere. */
static void
on_db_changed (CtContactDetail *self,
               const char      *table)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtContact) contact = NULL;

  /* A new run: its summary has the reasons for what is missing. */
  if (g_strcmp0 (table, "contact_metrics") == 0)
    self->run_summary_loaded = FALSE;

  if (self->ignore_changes > 0 || self->is_new || self->contact_id <= 0)
    return;

  contact = ct_contact_load (get_db (self), self->contact_id, &error);
  if (contact == NULL)
    {
      if (g_error_matches (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND))
        show_empty (self);
      else
        toast_message (self, error->message);
      return;
    }

  g_set_object (&self->contact, contact);
  /* Someone else's change must not wipe what the user is typing. */
  if (!self->dirty)
    fill_form (self);
  else
    update_dirty (self);
  if (g_strcmp0 (table, "contacts") == 0)
    load_tags (self);
  update_summary (self);
  update_scores (self);
  update_loyalty (self);
}

static void
show_contact (CtContactDetail *self,
              CtContact       *contact)
{
  self->is_new = FALSE;
  g_set_object (&self->contact, contact);
  set_contact_id (self, ct_contact_get_id (contact));

  fill_form (self);
  load_tags (self);
  show_purchases (self);
  update_scores (self);
  update_loyalty (self);

  gtk_widget_set_visible (GTK_WIDGET (self->tags_group), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->scores_group), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->loyalty_group), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->purchases_group), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->delete_button), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->menu_button), TRUE);
  gtk_stack_set_visible_child_name (self->stack, "contact");
}

/* Saving */

static void
show_form_error (CtContactDetail *self,
                 const GError    *error)
{
  g_autofree char *email = row_value (self->email_row);
  gboolean email_at_fault = FALSE;

  if (g_error_matches (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT))
    email_at_fault = *email != '\0';
  else if (g_error_matches (error, CT_DB_ERROR, CT_DB_ERROR_INVALID) && *email != '\0')
    {
      /* Is it the email? Ask the same validation about the email alone. */
      g_autoptr(CtContact) probe = ct_contact_new ();

      ct_contact_set_first_name (probe, "x");
      ct_contact_set_email (probe, email);
      email_at_fault = !ct_contact_validate (probe, NULL);
    }

  gtk_label_set_text (self->error_label, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
  if (email_at_fault)
    gtk_widget_add_css_class (GTK_WIDGET (self->email_row), "error");
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ct_contact_detail_save (CT_CONTACT_DETAIL (widget));
}

/* Deleting, with Undo */

static void
on_undo_clicked (AdwToast *toast,
                 UndoData *undo)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtContactDetail) detail = NULL;
  CtContactSnapshot *snapshot = g_steal_pointer (&undo->snapshot);

  if (snapshot == NULL)
    return;

  detail = g_weak_ref_get (&undo->detail);
  if (!ct_contact_restore (undo->db, snapshot, &error))
    {
      undo->snapshot = snapshot;
      if (detail != NULL)
        toast_message (detail, error->message);
      return;
    }
  ct_contact_snapshot_free (snapshot);

  /* Back to where the user was, unless they moved on meanwhile. */
  if (detail != NULL && detail->contact_id == 0 && !detail->is_new)
    ct_contact_detail_set_contact (detail, undo->id);
}

static void
on_undo_dismissed (AdwToast *toast,
                   UndoData *undo)
{
  g_clear_pointer (&undo->snapshot, ct_contact_snapshot_free);
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CtContactDetail *self = CT_CONTACT_DETAIL (widget);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *title = NULL;
  CtContactSnapshot *snapshot;
  UndoData *undo;
  AdwToast *toast;
  gint64 id = self->contact_id;

  if (id <= 0 || self->is_new)
    return;

  name = g_strdup (self->contact != NULL ? ct_contact_get_display_name (self->contact) : self->title);

  self->ignore_changes++;
  snapshot = ct_contact_delete (get_db (self), id, &error);
  self->ignore_changes--;
  if (snapshot == NULL)
    {
      toast_message (self, error->message);
      return;
    }

  show_empty (self);

  undo = g_new0 (UndoData, 1);
  undo->db = g_object_ref (get_db (self));
  undo->snapshot = snapshot;
  undo->id = id;
  g_weak_ref_init (&undo->detail, self);

  escaped = g_markup_escape_text (name, -1);
  /* Translators: %s is the contact's name */
  title = g_strdup_printf (_("“%s” deleted"), escaped);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_object_set_data_full (G_OBJECT (toast), "ct-undo", undo, undo_data_free);
  g_signal_connect (toast, "button-clicked", G_CALLBACK (on_undo_clicked), undo);
  g_signal_connect (toast, "dismissed", G_CALLBACK (on_undo_dismissed), undo);
  add_toast (self, toast);
}

static void
add_purchase_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CtContactDetail *self = CT_CONTACT_DETAIL (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  CtPurchaseDialog *dialog;

  if (self->contact_id <= 0 || self->context == NULL)
    return;

  dialog = ct_purchase_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   self->context, self->contact_id);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Personal data: export and erase */

static void
on_open_data_clicked (AdwToast        *toast,
                      CtContactDetail *self)
{
  GFile *file = g_object_get_data (G_OBJECT (toast), "ct-file");

  if (file != NULL)
    ct_export_ui_open_file (GTK_WIDGET (self), file);
}

static void
on_export_data_chosen (GtkNativeDialog *chooser,
                       int              response,
                       gpointer         user_data)
{
  g_autoptr(CtContactDetail) self = user_data;
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (chooser), "ct-contact-id"));

  if (response == GTK_RESPONSE_ACCEPT && self->context != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autoptr(GError) error = NULL;

      if (file != NULL && !ct_contact_detail_export_data (self, id, file, &error))
        {
          g_autofree char *message = g_strdup_printf (_("Could not export the personal data: %s"),
                                                      error->message);
          toast_message (self, message);
        }
    }
  g_object_unref (chooser);
}

static void
export_data_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CtContactDetail *self = CT_CONTACT_DETAIL (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = NULL;
  g_autofree char *safe = NULL;
  GtkFileChooserNative *chooser;

  if (self->contact_id <= 0 || self->is_new)
    return;

  chooser = gtk_file_chooser_native_new (_("Export Personal Data"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_filter_set_name (filter, _("JSON Files"));
  gtk_file_filter_add_pattern (filter, "*.json");
  gtk_file_filter_add_mime_type (filter, "application/json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);

  /* A name cannot hold a folder separator. */
  safe = g_strdelimit (g_strdup (self->title != NULL ? self->title : ""), "/\\", '-');
  /* Translators: the suggested file name of a contact's personal data;
   * %s is the contact's name */
  name = g_strdup_printf (_("%s-personal-data.json"), safe);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);

  /* The contact asked about, even if the pane moves on meanwhile. */
  g_object_set_data (G_OBJECT (chooser), "ct-contact-id", GSIZE_TO_POINTER ((gsize) self->contact_id));
  g_signal_connect (chooser, "response", G_CALLBACK (on_export_data_chosen), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* The erase stands; only the rewrite that removes the leftovers from the
 * file's unused space could not be done (another program writing). */
static void
on_erase_scrubbed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CtContactDetail) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ct_privacy_scrub_finish (result, &error) && gtk_widget_get_root (GTK_WIDGET (self)) != NULL)
    toast_message (self, error->message);
}

static void
on_erase_response (AdwMessageDialog *dialog,
                   const char       *response,
                   gpointer          user_data)
{
  g_autoptr(CtContactDetail) self = user_data;
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "ct-contact-id"));
  g_autofree char *name = g_strdup (g_object_get_data (G_OBJECT (dialog), "ct-contact-name"));
  g_autoptr(GError) error = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *title = NULL;
  AdwToast *toast;
  gboolean erased;

  if (!g_str_equal (response, "erase") || self->context == NULL || id <= 0)
    return;

  self->ignore_changes++;
  /* The file is rewritten in the background: seconds on a big database. */
  erased = ct_privacy_erase_contact_async (get_db (self), id, NULL, on_erase_scrubbed,
                                           g_object_ref (self), &error);
  self->ignore_changes--;
  if (!erased)
    {
      g_autofree char *message = g_strdup_printf (_("Could not erase the contact: %s"), error->message);

      g_object_unref (self);  /* the reference the rewrite would have taken */
      toast_message (self, message);
      return;
    }

  if (self->contact_id == id)
    show_empty (self);

  escaped = g_markup_escape_text (name != NULL ? name : "", -1);
  /* Translators: %s is the contact's name */
  title = g_strdup_printf (_("“%s” erased"), escaped);
  toast = adw_toast_new (title);
  /* What just happened for good goes before any older news. */
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  add_toast (self, toast);
}

static void
erase_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  CtContactDetail *self = CT_CONTACT_DETAIL (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *heading = NULL;
  const char *name;
  GtkWidget *dialog;

  if (self->contact_id <= 0 || self->is_new)
    return;

  name = self->contact != NULL ? ct_contact_get_display_name (self->contact) : self->title;
  /* Translators: %s is the contact's name */
  heading = g_strdup_printf (_("Erase “%s”?"), name != NULL ? name : "");
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading,
                                   _("Everything Clientele holds about this person is deleted: "
                                     "profile, tags, notes and history. Their purchases stay in "
                                     "the revenue totals, detached from them and without "
                                     "anything personal.\n\nThis cannot be undone. To keep a "
                                     "copy for them, export their personal data first."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "erase", _("_Erase"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "erase",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  g_object_set_data (G_OBJECT (dialog), "ct-contact-id", GSIZE_TO_POINTER ((gsize) self->contact_id));
  g_object_set_data_full (G_OBJECT (dialog), "ct-contact-name", g_strdup (name), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_erase_response), g_object_ref (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* GObject */

static void
ct_contact_detail_dispose (GObject *object)
{
  CtContactDetail *self = CT_CONTACT_DETAIL (object);

  if (self->purchases_bound && self->purchases_listbox != NULL)
    gtk_list_box_bind_model (self->purchases_listbox, NULL, NULL, NULL, NULL);
  self->purchases_bound = FALSE;
  if (self->purchases != NULL)
    g_signal_handlers_disconnect_by_data (self->purchases, self);

  /* Unparent the template's root through AdwBin, which keeps a pointer
   * to it that gtk_widget_dispose_template() would leave dangling. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CT_TYPE_CONTACT_DETAIL);

  g_clear_object (&self->purchases);
  g_clear_object (&self->contact);
  g_clear_object (&self->channels);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (ct_contact_detail_parent_class)->dispose (object);
}

static void
ct_contact_detail_finalize (GObject *object)
{
  CtContactDetail *self = CT_CONTACT_DETAIL (object);

  g_clear_pointer (&self->tags, g_strfreev);
  g_clear_pointer (&self->run_summary, json_node_unref);
  g_free (self->title);

  G_OBJECT_CLASS (ct_contact_detail_parent_class)->finalize (object);
}

static void
ct_contact_detail_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CtContactDetail *self = CT_CONTACT_DETAIL (object);

  switch (prop_id)
    {
    case PROP_CONTACT_ID:
      g_value_set_int64 (value, self->contact_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_contact_detail_class_init (CtContactDetailClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ct_contact_detail_dispose;
  object_class->finalize = ct_contact_detail_finalize;
  object_class->get_property = ct_contact_detail_get_property;

  properties[PROP_CONTACT_ID] =
    g_param_spec_int64 ("contact-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/clientele/Clientele/ct-contact-detail.ui");
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, stack);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, delete_button);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, save_button);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, menu_button);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, avatar);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, title_label);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, error_label);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, first_name_row);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, last_name_row);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, email_row);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, phone_row);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, company_row);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, channel_row);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, loyalty_group);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, tier_row);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, points_row);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, referrer_row);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, referrals_row);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, feedback_row);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, status_row);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, notes_view);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, tags_group);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, tags_box);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, tag_row);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, scores_group);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, segment_row);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, lifecycle_row);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, alive_row);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, value_row);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, cluster_row);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, purchases_group);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, add_purchase_button);
  gtk_widget_class_bind_template_child (widget_class, CtContactDetail, purchases_listbox);
  gtk_widget_class_bind_template_callback (widget_class, on_tag_apply);

  gtk_widget_class_install_action (widget_class, "contact.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "contact.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "contact.add-purchase", NULL, add_purchase_action);
  gtk_widget_class_install_action (widget_class, "contact.export-data", NULL, export_data_action);
  gtk_widget_class_install_action (widget_class, "contact.erase", NULL, erase_action);
  gtk_widget_class_install_action (widget_class, "contact.award-points", NULL, award_points_action);
  gtk_widget_class_install_action (widget_class, "contact.redeem-points", NULL, redeem_points_action);
  gtk_widget_class_install_action (widget_class, "contact.record-feedback", NULL, record_feedback_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "contact.save", NULL);
}

static void
ct_contact_detail_init (CtContactDetail *self)
{
  g_autoptr(GtkStringList) status_labels = gtk_string_list_new (NULL);
  g_autoptr(GtkExpression) name_expression = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    gtk_string_list_append (status_labels, ct_contact_status_get_label (statuses[i]));
  adw_combo_row_set_model (self->status_row, G_LIST_MODEL (status_labels));

  self->channels = g_list_store_new (CT_TYPE_NAMED_ITEM);
  name_expression = gtk_property_expression_new (CT_TYPE_NAMED_ITEM, NULL, "name");
  adw_combo_row_set_expression (self->channel_row, name_expression);
  adw_combo_row_set_model (self->channel_row, G_LIST_MODEL (self->channels));

  g_signal_connect_swapped (self->first_name_row, "changed", G_CALLBACK (on_form_changed), self);
  g_signal_connect_swapped (self->last_name_row, "changed", G_CALLBACK (on_form_changed), self);
  g_signal_connect_swapped (self->email_row, "changed", G_CALLBACK (on_form_changed), self);
  g_signal_connect_swapped (self->phone_row, "changed", G_CALLBACK (on_form_changed), self);
  g_signal_connect_swapped (self->company_row, "changed", G_CALLBACK (on_form_changed), self);
  g_signal_connect_swapped (self->channel_row, "notify::selected", G_CALLBACK (on_form_changed), self);
  g_signal_connect_swapped (self->referrer_row, "apply", G_CALLBACK (on_referrer_apply), self);
  g_signal_connect_swapped (self->status_row, "notify::selected", G_CALLBACK (on_form_changed), self);
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->notes_view), "changed",
                            G_CALLBACK (on_form_changed), self);

  gtk_widget_set_visible (GTK_WIDGET (self->purchases_listbox), FALSE);
  update_actions (self);
}

GtkWidget *
ct_contact_detail_new (void)
{
  return g_object_new (CT_TYPE_CONTACT_DETAIL, NULL);
}

void
ct_contact_detail_set_context (CtContactDetail *self,
                               CtContext       *context)
{
  CtDb *db;

  g_return_if_fail (CT_IS_CONTACT_DETAIL (self));
  g_return_if_fail (CT_IS_CONTEXT (context));

  if (self->context == context)
    return;
  g_return_if_fail (self->context == NULL);

  self->context = g_object_ref (context);
  db = ct_context_get_db (context);
  g_signal_connect_object (db, "changed::contacts", G_CALLBACK (on_db_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (db, "changed::purchases", G_CALLBACK (on_db_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (db, "changed::channels", G_CALLBACK (on_db_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (db, "changed::contact_metrics", G_CALLBACK (on_db_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (db, "changed::points_ledger", G_CALLBACK (on_db_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (db, "changed::referrals", G_CALLBACK (on_db_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (db, "changed::tiers", G_CALLBACK (on_db_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (db, "changed::feedback", G_CALLBACK (on_db_changed), self,
                           G_CONNECT_SWAPPED);
}

void
ct_contact_detail_set_contact (CtContactDetail *self,
                               gint64           id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtContact) contact = NULL;

  g_return_if_fail (CT_IS_CONTACT_DETAIL (self));
  g_return_if_fail (self->context != NULL);

  if (id <= 0)
    {
      show_empty (self);
      return;
    }

  contact = ct_contact_load (get_db (self), id, &error);
  if (contact == NULL)
    {
      toast_message (self, error->message);
      show_empty (self);
      return;
    }

  show_contact (self, contact);
}

gint64
ct_contact_detail_get_contact (CtContactDetail *self)
{
  g_return_val_if_fail (CT_IS_CONTACT_DETAIL (self), 0);
  return self->is_new ? 0 : self->contact_id;
}

void
ct_contact_detail_new_contact (CtContactDetail *self)
{
  g_return_if_fail (CT_IS_CONTACT_DETAIL (self));
  g_return_if_fail (self->context != NULL);

  self->is_new = TRUE;
  g_clear_object (&self->contact);
  set_contact_id (self, 0);
  show_purchases (self);
  g_clear_pointer (&self->tags, g_strfreev);

  fill_form (self);

  /* Tags and purchases belong to a stored contact. */
  gtk_widget_set_visible (GTK_WIDGET (self->tags_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->scores_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->loyalty_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->purchases_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->delete_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->menu_button), FALSE);
  gtk_stack_set_visible_child_name (self->stack, "contact");
  gtk_widget_grab_focus (GTK_WIDGET (self->first_name_row));
}

gboolean
ct_contact_detail_has_unsaved_changes (CtContactDetail *self)
{
  g_return_val_if_fail (CT_IS_CONTACT_DETAIL (self), FALSE);
  return self->dirty;
}

const char *
ct_contact_detail_get_title (CtContactDetail *self)
{
  g_return_val_if_fail (CT_IS_CONTACT_DETAIL (self), NULL);
  return self->title != NULL ? self->title : "";
}

gboolean
ct_contact_detail_save (CtContactDetail *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtContact) contact = NULL;
  g_autoptr(CtContact) stored = NULL;
  CtDb *db;
  gboolean ok;

  g_return_val_if_fail (CT_IS_CONTACT_DETAIL (self), FALSE);

  if (!self->dirty || self->context == NULL)
    return TRUE;
  db = get_db (self);

  /* A fresh object, so that a refused save leaves the stored one as it
   * was for the comparison that drives the Save button. */
  if (self->is_new)
    contact = ct_contact_new ();
  else
    {
      contact = ct_contact_load (db, self->contact_id, &error);
      if (contact == NULL)
        {
          show_form_error (self, error);
          return FALSE;
        }
    }

  apply_form (self, contact);

  ok = ct_contact_validate (contact, &error);
  if (ok)
    {
      /* Ours: the reload below is enough. */
      self->ignore_changes++;
      ok = self->is_new ? ct_contact_insert (db, contact, &error)
                        : ct_contact_update (db, contact, &error);
      self->ignore_changes--;
    }
  if (!ok)
    {
      show_form_error (self, error);
      return FALSE;
    }

  stored = ct_contact_load (db, ct_contact_get_id (contact), &error);
  if (stored == NULL)
    {
      toast_message (self, error->message);
      return FALSE;
    }

  show_contact (self, stored);
  return TRUE;
}

gboolean
ct_contact_detail_export_data (CtContactDetail  *self,
                               gint64            id,
                               GFile            *file,
                               GError          **error)
{
  g_autofree char *name = NULL;
  g_autofree char *message = NULL;
  AdwToast *toast;

  g_return_val_if_fail (CT_IS_CONTACT_DETAIL (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (self->context != NULL, FALSE);

  if (id <= 0)
    id = self->contact_id;
  /* One person's data is small: no need for a worker. */
  if (!ct_privacy_export_contact_to_file (get_db (self), id, file, NULL, error))
    return FALSE;

  name = g_file_get_basename (file);
  /* Translators: %s is a file name */
  message = g_strdup_printf (_("Saved the personal data to “%s”"), name);
  {
    g_autofree char *escaped = g_markup_escape_text (message, -1);
    toast = adw_toast_new (escaped);
  }
  adw_toast_set_button_label (toast, _("_Open"));
  g_object_set_data_full (G_OBJECT (toast), "ct-file", g_object_ref (file), g_object_unref);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_open_data_clicked), self, 0);
  add_toast (self, toast);
  return TRUE;
}
