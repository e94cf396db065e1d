/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-sending-page.c: the Sending page of Preferences
 *
 * The business's name (the PDF report's cover), the provider, its base
 * URL, the sender, the postal address for the footer, the API key, the
 * sending rate and the campaigns' attribution window. The key goes to the Secret Service through
 * ct-mail-secret and is never read back into the window: the key row
 * stays empty and says whether a key is stored. Where there is no
 * Secret Service the key lives for this session only, and the page
 * says so.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ct-campaign-results.h"
#include "ct-mail-secret.h"
#include "ct-outbox.h"
#include "ct-report.h"
#include "ct-sending-page.h"

struct _CtSendingPage
{
  AdwPreferencesPage  parent_instance;

  CtContext          *context;
  gboolean            testing;
  gboolean            session_only;  /* no Secret Service: the key lasts this session */
  char               *status;

  AdwEntryRow        *business_row;
  GtkSpinButton      *rate_spin;
  GtkSpinButton      *window_spin;
  AdwComboRow        *provider_row;
  AdwEntryRow        *base_url_row;
  AdwEntryRow        *from_row;
  AdwEntryRow        *reply_to_row;
  AdwEntryRow        *postal_row;
  AdwEntryRow        *unsubscribe_row;
  AdwPasswordEntryRow *key_row;
  GtkLabel           *status_label;
  GtkWidget          *test_button;
};

G_DEFINE_FINAL_TYPE (CtSendingPage, ct_sending_page, ADW_TYPE_PREFERENCES_PAGE)

static CtDb *
get_db (CtSendingPage *self)
{
  return ct_context_get_db (self->context);
}

static void
set_status (CtSendingPage *self,
            const char    *text,
            gboolean       is_error)
{
  g_free (self->status);
  self->status = g_strdup (text);
  gtk_label_set_text (self->status_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), text != NULL && *text != '\0');
  if (is_error)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "success");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "success");
    }
}

static CtMailProviderKind
selected_kind (CtSendingPage *self)
{
  guint i = adw_combo_row_get_selected (self->provider_row);

  return i < CT_MAIL_N_PROVIDERS ? (CtMailProviderKind) i : CT_MAIL_PROVIDER_POSTMARK;
}

static void
update_key_title (CtSendingPage *self)
{
  g_autofree char *key = ct_mail_secret_lookup (ct_mail_provider_kind_to_name (selected_kind (self)),
                                                ct_db_get_path (get_db (self)), NULL);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->key_row),
                                 key != NULL ? _("API Key (one is stored; type to replace it)")
                                             : _("API Key (none stored)"));
  if (key != NULL)
    ct_mail_secret_free (g_steal_pointer (&key));
}

static void
load (CtSendingPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtMailSettings) settings = ct_mail_settings_load (get_db (self), &error);

  if (settings == NULL)
    {
      set_status (self, error->message, TRUE);
      return;
    }
  adw_combo_row_set_selected (self->provider_row, settings->kind);
  gtk_editable_set_text (GTK_EDITABLE (self->base_url_row), settings->base_url ? settings->base_url : "");
  gtk_editable_set_text (GTK_EDITABLE (self->from_row), settings->from ? settings->from : "");
  gtk_editable_set_text (GTK_EDITABLE (self->reply_to_row), settings->reply_to ? settings->reply_to : "");
  gtk_editable_set_text (GTK_EDITABLE (self->postal_row), settings->postal_address ? settings->postal_address : "");
  gtk_editable_set_text (GTK_EDITABLE (self->unsubscribe_row), settings->unsubscribe_url ? settings->unsubscribe_url : "");
  gtk_spin_button_set_value (self->rate_spin, settings->message_rate);
  gtk_spin_button_set_value (self->window_spin, ct_campaign_get_window_days (get_db (self)));
  {
    g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (get_db (self), "SELECT value FROM settings WHERE key = 'business.name'", NULL);

    /* The stored name only: the report's fallback (the file's name) is
     * not something the user typed. */
    if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
      gtk_editable_set_text (GTK_EDITABLE (self->business_row), (const char *) sqlite3_column_text (stmt, 0));
  }
  update_key_title (self);
}

static char *
row_text (AdwEntryRow *row)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  return *text != '\0' ? g_steal_pointer (&text) : NULL;
}

gboolean
ct_sending_page_save (CtSendingPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtMailSettings) settings = ct_mail_settings_load (get_db (self), &error);
  g_autofree char *key = NULL;
  g_autofree char *from = row_text (self->from_row);
  g_autofree char *base_url = row_text (self->base_url_row);
  g_autofree char *business = row_text (self->business_row);
  g_autofree char *notice = NULL;
  gboolean session_only = FALSE;

  if (settings == NULL)
    {
      set_status (self, error->message, TRUE);
      return FALSE;
    }
  if (from != NULL && strchr (from, '@') == NULL)
    {
      set_status (self, _("The sender address has no “@”: write it as name@example.com or Name <name@example.com>"), TRUE);
      return FALSE;
    }
  if (base_url != NULL && !g_str_has_prefix (base_url, "https://") && !g_str_has_prefix (base_url, "http://"))
    {
      set_status (self, _("The base URL must start with https:// (or http:// for a server on this computer)"), TRUE);
      return FALSE;
    }
  {
    g_autofree char *reply_to = row_text (self->reply_to_row);

    if (reply_to != NULL && strchr (reply_to, '@') == NULL)
      {
        set_status (self, _("The reply-to address has no “@”: write it as name@example.com, or leave it empty"), TRUE);
        return FALSE;
      }
  }
  /* The spin buttons keep to their ranges; text typed into them and not
   * yet taken is read now. */
  gtk_spin_button_update (self->rate_spin);
  gtk_spin_button_update (self->window_spin);
  if (!ct_report_set_business_name (get_db (self), business, &error)
      || !ct_campaign_set_window_days (get_db (self), (guint) gtk_spin_button_get_value_as_int (self->window_spin),
                                       &error))
    {
      set_status (self, error->message, TRUE);
      return FALSE;
    }
  settings->message_rate = gtk_spin_button_get_value (self->rate_spin);
  settings->kind = selected_kind (self);
  settings->configured = TRUE;
  g_free (settings->base_url);
  settings->base_url = g_steal_pointer (&base_url);
  g_free (settings->from);
  settings->from = g_steal_pointer (&from);
  g_free (settings->reply_to);
  settings->reply_to = row_text (self->reply_to_row);
  g_free (settings->postal_address);
  settings->postal_address = row_text (self->postal_row);
  g_free (settings->unsubscribe_url);
  settings->unsubscribe_url = row_text (self->unsubscribe_row);
  if (!ct_mail_settings_save (get_db (self), settings, &error))
    {
      set_status (self, error->message, TRUE);
      return FALSE;
    }

  key = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->key_row)));
  if (*g_strstrip (key) != '\0')
    {
      if (!ct_mail_secret_store (ct_mail_provider_kind_to_name (settings->kind),
                                 ct_db_get_path (get_db (self)), key, &session_only, &error))
        {
          ct_mail_secret_free (g_steal_pointer (&key));
          set_status (self, error->message, TRUE);
          return FALSE;
        }
      /* The key leaves the window once stored. */
      gtk_editable_set_text (GTK_EDITABLE (self->key_row), "");
    }
  ct_mail_secret_free (g_steal_pointer (&key));
  update_key_title (self);
  self->session_only = self->session_only || session_only;
  if (session_only)
    notice = g_strdup (_("Saved. There is no keyring (Secret Service) on this computer: the API key is kept only until Clientele closes, and you will need to enter it again."));
  if (settings->postal_address == NULL)
    {
      g_autofree char *more = g_strdup (_("Add a postal address: marketing mail must show one."));
      char *joined = g_strjoin (" ", notice != NULL ? notice : _("Saved."), more, NULL);
      g_free (notice);
      notice = joined;
    }
  set_status (self, notice != NULL ? notice : _("Saved."), notice != NULL && session_only);
  return TRUE;
}

/* ---- Test connection ---- */

static void
test_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  CtMailProvider *provider = data;
  g_autoptr(SoupSession) session = ct_mail_provider_new_session (provider);
  GError *error = NULL;

  if (ct_mail_provider_test_connection (provider, session, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static char *
describe_error (const GError *error)
{
  const char *why = NULL;

  if (error->domain == CT_MAIL_ERROR)
    switch ((CtMailError) error->code)
      {
      case CT_MAIL_ERROR_AUTH:
        why = _("The provider refused the API key: it is wrong, revoked, or lacks the right to send.");
        break;
      case CT_MAIL_ERROR_NOT_FOUND:
        why = _("The provider does not know this address: check the base URL (and the sending domain or stream).");
        break;
      case CT_MAIL_ERROR_UNREACHABLE:
        why = _("The provider could not be reached: check the network connection and the base URL.");
        break;
      case CT_MAIL_ERROR_SERVER:
        why = _("The provider answered with an error of its own; try again later.");
        break;
      case CT_MAIL_ERROR_NO_KEY:
        why = _("No API key is stored.");
        break;
      default:
        break;
      }
  return why != NULL ? g_strdup_printf ("%s (%s)", why, error->message) : g_strdup (error->message);
}

static void
test_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  CtSendingPage *self = CT_SENDING_PAGE (source);
  g_autoptr(GError) error = NULL;

  self->testing = FALSE;
  gtk_widget_set_sensitive (self->test_button, TRUE);
  if (g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *text = g_strdup_printf (_("Connected: %s accepted the API key."),
                                               ct_mail_provider_kind_display_name (selected_kind (self)));
      g_autofree char *full = NULL;

      /* The keyring notice must not vanish behind the good news. */
      if (self->session_only)
        full = g_strjoin (" ", text, _("There is no keyring (Secret Service) on this computer: the API key is kept only until Clientele closes."), NULL);
      set_status (self, full != NULL ? full : text, FALSE);
    }
  else
    {
      g_autofree char *text = describe_error (error);
      set_status (self, text, TRUE);
    }
}

void
ct_sending_page_test (CtSendingPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtMailSettings) settings = NULL;
  g_autoptr(GTask) task = NULL;
  char *key;

  /* What the fields say, saved first, so that the test is of them. */
  if (!ct_sending_page_save (self))
    return;
  settings = ct_mail_settings_load (get_db (self), &error);
  key = settings != NULL ? ct_mail_secret_lookup (ct_mail_provider_kind_to_name (settings->kind),
                                                  ct_db_get_path (get_db (self)), &error)
                         : NULL;
  if (key == NULL)
    {
      set_status (self, error != NULL ? error->message : _("Enter the API key first."), TRUE);
      return;
    }
  task = g_task_new (self, NULL, test_done, NULL);
  g_task_set_task_data (task, ct_mail_settings_new_provider (settings, key), g_object_unref);
  ct_mail_secret_free (key);
  self->testing = TRUE;
  gtk_widget_set_sensitive (self->test_button, FALSE);
  set_status (self, _("Testing the connection…"), FALSE);
  g_task_run_in_thread (task, test_thread);
}

gboolean
ct_sending_page_is_testing (CtSendingPage *self)
{
  return self->testing;
}

const char *
ct_sending_page_get_status (CtSendingPage *self)
{
  return self->status != NULL ? self->status : "";
}

void
ct_sending_page_fill_business (CtSendingPage *self,
                               const char    *business_name,
                               double         message_rate,
                               guint          window_days)
{
  gtk_editable_set_text (GTK_EDITABLE (self->business_row), business_name ? business_name : "");
  gtk_spin_button_set_value (self->rate_spin, message_rate);
  gtk_spin_button_set_value (self->window_spin, window_days);
}

void
ct_sending_page_fill (CtSendingPage *self,
                      guint          provider,
                      const char    *base_url,
                      const char    *from,
                      const char    *postal_address,
                      const char    *api_key)
{
  adw_combo_row_set_selected (self->provider_row, provider);
  gtk_editable_set_text (GTK_EDITABLE (self->base_url_row), base_url ? base_url : "");
  gtk_editable_set_text (GTK_EDITABLE (self->from_row), from ? from : "");
  gtk_editable_set_text (GTK_EDITABLE (self->postal_row), postal_address ? postal_address : "");
  gtk_editable_set_text (GTK_EDITABLE (self->key_row), api_key ? api_key : "");
}

/* ---- building ---- */

static AdwEntryRow *
entry_row (AdwPreferencesGroup *group,
           const char          *title)
{
  GtkWidget *row = adw_entry_row_new ();

  /* Titles hold "<" and ">", which are not markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_group_add (group, row);
  return ADW_ENTRY_ROW (row);
}

/* A row with a spin button, named for screen readers by its title. */
static GtkSpinButton *
spin_row (AdwPreferencesGroup *group,
          const char          *title,
          const char          *subtitle,
          double               min,
          double               max,
          double               step,
          guint                digits,
          const char          *name)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (min, max, step);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), digits);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_widget_set_name (spin, name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
  adw_preferences_group_add (group, row);
  return GTK_SPIN_BUTTON (spin);
}

static void
ct_sending_page_finalize (GObject *object)
{
  CtSendingPage *self = CT_SENDING_PAGE (object);

  g_clear_object (&self->context);
  g_free (self->status);
  G_OBJECT_CLASS (ct_sending_page_parent_class)->finalize (object);
}

static void
ct_sending_page_class_init (CtSendingPageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ct_sending_page_finalize;
}

static void
ct_sending_page_init (CtSendingPage *self)
{
}

CtSendingPage *
ct_sending_page_new (CtContext *context)
{
  CtSendingPage *self = g_object_new (CT_TYPE_SENDING_PAGE,
                                      "title", C_("preferences page", "Sending"),
                                      "icon-name", "mail-send-symbolic",
                                      "name", "sending",
                                      NULL);
  AdwPreferencesGroup *group;
  g_autoptr(GtkStringList) kinds = gtk_string_list_new (NULL);
  GtkWidget *buttons, *button;

  self->context = g_object_ref (context);
  for (guint k = 0; k < CT_MAIL_N_PROVIDERS; k++)
    gtk_string_list_append (kinds, ct_mail_provider_kind_display_name (k));

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, _("Business"));
  self->business_row = entry_row (group, _("Business Name (on the PDF report’s cover)"));
  gtk_widget_set_name (GTK_WIDGET (self->business_row), "business-name-row");
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), group);

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, _("Mail Provider"));
  adw_preferences_group_set_description (group, _("Campaigns go out through your account with a mail provider."));
  self->provider_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->provider_row), _("Provider"));
  adw_combo_row_set_model (self->provider_row, G_LIST_MODEL (kinds));
  adw_preferences_group_add (group, GTK_WIDGET (self->provider_row));
  self->base_url_row = entry_row (group, _("Base URL (empty: the provider’s own)"));
  self->key_row = ADW_PASSWORD_ENTRY_ROW (adw_password_entry_row_new ());
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (self->key_row), FALSE);
  adw_preferences_group_add (group, GTK_WIDGET (self->key_row));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), group);

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, _("Sender"));
  self->from_row = entry_row (group, _("From (Name <address@example.com>)"));
  self->reply_to_row = entry_row (group, _("Reply-To (optional)"));
  self->postal_row = entry_row (group, _("Postal Address (shown in every mail’s footer)"));
  self->unsubscribe_row = entry_row (group, _("Unsubscribe Page URL (optional)"));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), group);

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, _("Sending Rate and Results"));
  self->rate_spin = spin_row (group, _("Sending Rate (messages per second)"),
                              _("0 sends as fast as the provider allows; lower it if your plan has a limit"),
                              0, 10000, 1, 1, "rate-spin");
  self->window_spin = spin_row (group, _("Attribution Window (days)"),
                                _("Purchases made within this many days after a campaign’s mail count as its results"),
                                1, CT_CAMPAIGN_MAX_WINDOW_DAYS, 1, 0, "window-spin");
  gtk_spin_button_set_value (self->window_spin, CT_CAMPAIGN_DEFAULT_WINDOW_DAYS);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), group);

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  button = gtk_button_new_with_mnemonic (_("_Save"));
  gtk_widget_add_css_class (button, "suggested-action");
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (ct_sending_page_save), self);
  gtk_box_append (GTK_BOX (buttons), button);
  self->test_button = gtk_button_new_with_mnemonic (_("_Test Connection"));
  g_signal_connect_swapped (self->test_button, "clicked", G_CALLBACK (ct_sending_page_test), self);
  gtk_box_append (GTK_BOX (buttons), self->test_button);
  adw_preferences_group_add (group, buttons);
  self->status_label = GTK_LABEL (gtk_label_new (""));
  gtk_label_set_wrap (self->status_label, TRUE);
  gtk_label_set_xalign (self->status_label, 0);
  gtk_widget_set_margin_top (GTK_WIDGET (self->status_label), 6);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), FALSE);
  adw_preferences_group_add (group, GTK_WIDGET (self->status_label));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), group);

  load (self);
  g_signal_connect_object (self->provider_row, "notify::selected", G_CALLBACK (update_key_title), self,
                           G_CONNECT_SWAPPED);
  return self;
}
