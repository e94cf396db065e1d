/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-preferences-window.c: the app's Preferences
 *
 * Two pages. Analysis: the lifecycle thresholds and the lifetime value
 * settings (discount rate, horizon), saved in the settings table as soon
 * as they change and valid; the main window hears CtDb::changed
 * ("settings") and recomputes the scores. Channel Spend: what each
 * channel cost per month, which the acquisition cost per channel divides
 * by the new customers it brought.
 *
 * Thresholds are checked as a set (each stage must end after the one
 * before), so a single spin button can make them invalid on the way to a
 * valid set: the reason is shown under the group and nothing is saved
 * until the set is valid again.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ct-gui-format.h"
#include "ct-preferences-window.h"
#include "ct-analytics.h"
#include "ct-channel.h"
#include "ct-loyalty-page.h"
#include "ct-money.h"
#include "ct-parse.h"
#include "ct-rfm.h"
#include "ct-send-due-timer.h"
#include "ct-sending-page.h"

#define DEFAULT_SPEND_CURRENCY "CNY"

struct _CtPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  CtContext            *context;
  GListModel           *channels;   /* of CtNamedItem */
  gboolean              loading;    /* setting the spin buttons from the database */

  /* template children */
  GtkSpinButton        *new_spin;
  GtkSpinButton        *active_spin;
  GtkSpinButton        *at_risk_spin;
  GtkSpinButton        *dormant_spin;
  GtkLabel             *lifecycle_error_label;
  GtkSpinButton        *discount_spin;
  GtkSpinButton        *horizon_spin;
  GtkLabel             *clv_error_label;
  GtkButton            *defaults_button;
  AdwPreferencesPage   *spend_page;
  AdwComboRow          *channel_row;
  AdwEntryRow          *new_channel_row;
  AdwEntryRow          *month_row;
  AdwEntryRow          *amount_row;
  GtkLabel             *spend_error_label;
  GtkButton            *add_spend_button;
  GtkListBox           *spend_list;
};

G_DEFINE_FINAL_TYPE (CtPreferencesWindow, ct_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
show_error (GtkLabel   *label,
            const char *message)
{
  gtk_label_set_text (label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
}

static guint
spin_uint (GtkSpinButton *spin)
{
  return (guint) gtk_spin_button_get_value_as_int (spin);
}

/* Analysis page */

static void
set_thresholds (CtPreferencesWindow         *self,
                const CtLifecycleThresholds *thresholds)
{
  self->loading = TRUE;
  gtk_spin_button_set_value (self->new_spin, thresholds->new_days);
  gtk_spin_button_set_value (self->active_spin, thresholds->active_days);
  gtk_spin_button_set_value (self->at_risk_spin, thresholds->at_risk_days);
  gtk_spin_button_set_value (self->dormant_spin, thresholds->dormant_days);
  self->loading = FALSE;
}

static void
set_clv_settings (CtPreferencesWindow *self,
                  double               discount_rate,
                  guint                horizon_months)
{
  self->loading = TRUE;
  gtk_spin_button_set_value (self->discount_spin, discount_rate * 100.0);
  gtk_spin_button_set_value (self->horizon_spin, horizon_months);
  self->loading = FALSE;
}

static void
load_analysis_settings (CtPreferencesWindow *self)
{
  CtDb *db = ct_context_get_db (self->context);
  g_autoptr(GError) error = NULL;
  CtAnalyticsOptions options;

  ct_analytics_options_init (&options);
  /* A broken stored value leaves the default in @options: show that, and
   * say why, so that saving from here repairs the setting. */
  if (!ct_analytics_options_load (db, &options, &error))
    {
      if (g_error_matches (error, CT_RFM_ERROR, CT_RFM_ERROR_INVALID_THRESHOLDS))
        show_error (self->lifecycle_error_label, error->message);
      else
        show_error (self->clv_error_label, error->message);
    }
  set_thresholds (self, &options.lifecycle);
  set_clv_settings (self, options.discount_rate, options.clv_horizon_months);
}

static void
on_threshold_changed (CtPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;
  CtLifecycleThresholds thresholds;

  if (self->loading)
    return;

  thresholds.new_days = spin_uint (self->new_spin);
  thresholds.active_days = spin_uint (self->active_spin);
  thresholds.at_risk_days = spin_uint (self->at_risk_spin);
  thresholds.dormant_days = spin_uint (self->dormant_spin);

  /* _save validates first: an invalid set is refused with the reason. */
  if (!ct_lifecycle_thresholds_save (ct_context_get_db (self->context), &thresholds, &error))
    show_error (self->lifecycle_error_label, error->message);
  else
    show_error (self->lifecycle_error_label, NULL);
}

static void
on_clv_changed (CtPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (self->loading)
    return;

  if (!ct_analytics_clv_settings_save (ct_context_get_db (self->context),
                                       gtk_spin_button_get_value (self->discount_spin) / 100.0,
                                       spin_uint (self->horizon_spin),
                                       &error))
    show_error (self->clv_error_label, error->message);
  else
    show_error (self->clv_error_label, NULL);
}

static void
on_defaults_clicked (CtPreferencesWindow *self)
{
  CtAnalyticsOptions defaults;

  ct_analytics_options_init (&defaults);
  set_thresholds (self, &defaults.lifecycle);
  set_clv_settings (self, defaults.discount_rate, defaults.clv_horizon_months);
  on_threshold_changed (self);
  on_clv_changed (self);
}

/* Channel Spend page */

static gint64
selected_channel_id (CtPreferencesWindow *self)
{
  gpointer item = adw_combo_row_get_selected_item (self->channel_row);

  return item != NULL ? ct_named_item_get_id (CT_NAMED_ITEM (item)) : 0;
}

static void
select_channel (CtPreferencesWindow *self,
                gint64               channel_id)
{
  guint n = g_list_model_get_n_items (self->channels);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CtNamedItem) item = g_list_model_get_item (self->channels, i);

      if (ct_named_item_get_id (item) == channel_id)
        {
          adw_combo_row_set_selected (self->channel_row, i);
          return;
        }
    }
}

static void
reload_channels (CtPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) channels = NULL;
  gint64 selected = self->channels != NULL ? selected_channel_id (self) : 0;

  channels = ct_channel_list_all (ct_context_get_db (self->context), &error);
  if (channels == NULL)
    {
      show_error (self->spend_error_label, error->message);
      channels = G_LIST_MODEL (g_list_store_new (CT_TYPE_NAMED_ITEM));
    }

  g_set_object (&self->channels, channels);
  adw_combo_row_set_model (self->channel_row, self->channels);
  gtk_widget_set_sensitive (GTK_WIDGET (self->channel_row),
                            g_list_model_get_n_items (self->channels) > 0);
  if (selected != 0)
    select_channel (self, selected);
}

static void
on_toast_undo_delete (AdwToast *toast,
                      gpointer  user_data)
{
  CtPreferencesWindow *self = CT_PREFERENCES_WINDOW (user_data);
  CtChannelSpend *spend = g_object_get_data (G_OBJECT (toast), "spend");
  g_autoptr(GError) error = NULL;

  if (!ct_channel_set_spend (ct_context_get_db (self->context), spend->channel_id,
                             spend->month, spend->amount, spend->currency, &error))
    show_error (self->spend_error_label, error->message);
}

static void
free_spend (gpointer data)
{
  CtChannelSpend *spend = data;

  g_free (spend->channel_name);
  g_free (spend);
}

static void
on_delete_spend_clicked (GtkButton           *button,
                         CtPreferencesWindow *self)
{
  const CtChannelSpend *shown = g_object_get_data (G_OBJECT (button), "spend");
  CtChannelSpend *kept;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  AdwToast *toast;

  /* The button goes with its row when the list is rebuilt: keep a copy
   * for Undo. */
  kept = g_new0 (CtChannelSpend, 1);
  *kept = *shown;
  kept->channel_name = g_strdup (shown->channel_name);

  if (!ct_channel_delete_spend (ct_context_get_db (self->context), kept->channel_id,
                                kept->month, &error))
    {
      show_error (self->spend_error_label, error->message);
      free_spend (kept);
      return;
    }

  /* Translators: a toast; %s is a channel name, then a month like 2025-03 */
  title = g_strdup_printf (_("Deleted the spend of %s for %s"), kept->channel_name, kept->month);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  g_object_set_data_full (G_OBJECT (toast), "spend", kept, free_spend);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_toast_undo_delete), self, 0);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
}

static GtkWidget *
spend_row_new (CtPreferencesWindow  *self,
               const CtChannelSpend *spend)
{
  g_autofree char *money = ct_money_format (spend->amount, spend->currency);
  g_autofree char *tooltip = NULL;
  CtChannelSpend *copy;
  GtkWidget *row, *label, *button;

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), spend->channel_name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), spend->month);

  label = gtk_label_new (money);
  gtk_widget_add_css_class (label, "numeric");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);

  button = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  /* Translators: tooltip of a delete button; %s is a channel, then a month like 2025-03 */
  tooltip = g_strdup_printf (_("Delete the spend of %s for %s"), spend->channel_name, spend->month);
  gtk_widget_set_tooltip_text (button, tooltip);
  copy = g_new0 (CtChannelSpend, 1);
  *copy = *spend;
  copy->channel_name = g_strdup (spend->channel_name);
  g_object_set_data_full (G_OBJECT (button), "spend", copy, free_spend);
  g_signal_connect (button, "clicked", G_CALLBACK (on_delete_spend_clicked), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  return row;
}

static void
reload_spend_list (CtPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) spends = NULL;

  ct_list_box_remove_rows (self->spend_list);

  spends = ct_channel_list_spend (ct_context_get_db (self->context), &error);
  if (spends == NULL)
    {
      show_error (self->spend_error_label, error->message);
      return;
    }

  for (guint i = 0; i < spends->len; i++)
    gtk_list_box_append (self->spend_list,
                         spend_row_new (self, &g_array_index (spends, CtChannelSpend, i)));
}

static void
on_new_channel_apply (CtPreferencesWindow *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->new_channel_row))));
  g_autoptr(GError) error = NULL;
  gint64 id;

  if (name[0] == '\0')
    {
      show_error (self->spend_error_label, _("Type the name of the channel to add."));
      return;
    }

  /* ct_channel_ensure emits "channels", which reloads the list. */
  id = ct_channel_ensure (ct_context_get_db (self->context), name, &error);
  if (id == 0)
    {
      show_error (self->spend_error_label, error->message);
      return;
    }
  select_channel (self, id);
  gtk_editable_set_text (GTK_EDITABLE (self->new_channel_row), "");
  show_error (self->spend_error_label, NULL);
}

static void
on_add_spend_clicked (CtPreferencesWindow *self)
{
  g_autofree char *month = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->month_row))));
  g_autofree char *amount_text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->amount_row))));
  g_autoptr(GError) error = NULL;
  char currency[4] = DEFAULT_SPEND_CURRENCY;
  gint64 channel_id = selected_channel_id (self);
  gint64 amount;

  if (channel_id == 0)
    {
      show_error (self->spend_error_label,
                  _("Choose a channel first, or add one above."));
      return;
    }
  if (amount_text[0] == '\0')
    {
      show_error (self->spend_error_label, _("Enter the amount spent."));
      gtk_widget_grab_focus (GTK_WIDGET (self->amount_row));
      return;
    }
  /* "1200", "¥1,200.50", "$300": a currency typed with the amount wins
   * over the default. */
  if (!ct_parse_amount (amount_text, DEFAULT_SPEND_CURRENCY, &amount, currency))
    {
      g_autofree char *message =
        g_strdup_printf (_("“%s” is not an amount; write it like 1200 or 1,200.50."), amount_text);

      show_error (self->spend_error_label, message);
      gtk_widget_grab_focus (GTK_WIDGET (self->amount_row));
      return;
    }

  /* Checks the month and the sign, with the reason in words. */
  if (!ct_channel_set_spend (ct_context_get_db (self->context), channel_id, month,
                             amount, currency, &error))
    {
      show_error (self->spend_error_label, error->message);
      return;
    }

  show_error (self->spend_error_label, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->amount_row), "");
}

/* A number typed into a spin button is only taken on Enter or when the
 * focus leaves it; closing the window right after typing must not lose
 * it. */
static gboolean
ct_preferences_window_close_request (GtkWindow *window)
{
  CtPreferencesWindow *self = CT_PREFERENCES_WINDOW (window);
  GtkSpinButton *spins[] = {
    self->new_spin, self->active_spin, self->at_risk_spin, self->dormant_spin,
    self->discount_spin, self->horizon_spin,
  };

  for (guint i = 0; i < G_N_ELEMENTS (spins); i++)
    gtk_spin_button_update (spins[i]);

  return GTK_WINDOW_CLASS (ct_preferences_window_parent_class)->close_request (window);
}

/* GObject */

static void
ct_preferences_window_constructed (GObject *object)
{
  CtPreferencesWindow *self = CT_PREFERENCES_WINDOW (object);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) last_month = g_date_time_add_months (now, -1);
  g_autofree char *month = g_date_time_format (last_month, "%Y-%m");
  g_autofree char *amount_title = NULL;
  CtDb *db;

  G_OBJECT_CLASS (ct_preferences_window_parent_class)->constructed (object);

  g_assert (CT_IS_CONTEXT (self->context));
  db = ct_context_get_db (self->context);

  load_analysis_settings (self);

  /* Spend is usually entered for the month just over. */
  gtk_editable_set_text (GTK_EDITABLE (self->month_row), month);
  /* Translators: %s is a currency code such as CNY */
  amount_title = g_strdup_printf (_("Amount Spent (%s)"), DEFAULT_SPEND_CURRENCY);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->amount_row), amount_title);

  reload_channels (self);
  reload_spend_list (self);

  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self),
                              ADW_PREFERENCES_PAGE (ct_loyalty_page_new (self->context)));

  /* Sending: the mail provider (ct-sending-page.c), and the background
   * timer for automations and scheduled mail, on one page. */
  {
    AdwPreferencesPage *page = ADW_PREFERENCES_PAGE (ct_sending_page_new (self->context));

    gtk_widget_set_name (GTK_WIDGET (page), "sending-page");
    adw_preferences_page_add (page, ADW_PREFERENCES_GROUP (ct_send_due_timer_new (self->context)));
    adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), page);
  }

  g_signal_connect_object (db, "changed::channels", G_CALLBACK (reload_channels), self,
                           G_CONNECT_SWAPPED);
  /* Channels deleted take their spend with them (ON DELETE CASCADE). */
  g_signal_connect_object (db, "changed::channels", G_CALLBACK (reload_spend_list), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (db, "changed::channel_spend", G_CALLBACK (reload_spend_list), self,
                           G_CONNECT_SWAPPED);
}

static void
ct_preferences_window_dispose (GObject *object)
{
  CtPreferencesWindow *self = CT_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CT_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (ct_preferences_window_parent_class)->dispose (object);

  g_clear_object (&self->channels);
  g_clear_object (&self->context);
}

static void
ct_preferences_window_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  CtPreferencesWindow *self = CT_PREFERENCES_WINDOW (object);

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
ct_preferences_window_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  CtPreferencesWindow *self = CT_PREFERENCES_WINDOW (object);

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
ct_preferences_window_class_init (CtPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = ct_preferences_window_constructed;
  object_class->dispose = ct_preferences_window_dispose;
  object_class->get_property = ct_preferences_window_get_property;
  object_class->set_property = ct_preferences_window_set_property;
  window_class->close_request = ct_preferences_window_close_request;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL, CT_TYPE_CONTEXT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/clientele/Clientele/ct-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CtPreferencesWindow, new_spin);
  gtk_widget_class_bind_template_child (widget_class, CtPreferencesWindow, active_spin);
  gtk_widget_class_bind_template_child (widget_class, CtPreferencesWindow, at_risk_spin);
  gtk_widget_class_bind_template_child (widget_class, CtPreferencesWindow, dormant_spin);
  gtk_widget_class_bind_template_child (widget_class, CtPreferencesWindow, lifecycle_error_label);
  gtk_widget_class_bind_template_child (widget_class, CtPreferencesWindow, discount_spin);
  gtk_widget_class_bind_template_child (widget_class, CtPreferencesWindow, horizon_spin);
  gtk_widget_class_bind_template_child (widget_class, CtPreferencesWindow, clv_error_label);
  gtk_widget_class_bind_template_child (widget_class, CtPreferencesWindow, defaults_button);
  gtk_widget_class_bind_template_child (widget_class, CtPreferencesWindow, spend_page);
  gtk_widget_class_bind_template_child (widget_class, CtPreferencesWindow, add_spend_button);
  gtk_widget_class_bind_template_child (widget_class, CtPreferencesWindow, channel_row);
  gtk_widget_class_bind_template_child (widget_class, CtPreferencesWindow, new_channel_row);
  gtk_widget_class_bind_template_child (widget_class, CtPreferencesWindow, month_row);
  gtk_widget_class_bind_template_child (widget_class, CtPreferencesWindow, amount_row);
  gtk_widget_class_bind_template_child (widget_class, CtPreferencesWindow, spend_error_label);
  gtk_widget_class_bind_template_child (widget_class, CtPreferencesWindow, spend_list);
  gtk_widget_class_bind_template_callback (widget_class, on_threshold_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_clv_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_defaults_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_new_channel_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_add_spend_clicked);
}

static void
ct_preferences_window_init (CtPreferencesWindow *self)
{
  GtkWidget *placeholder;
  GtkExpression *expression;

  gtk_widget_init_template (GTK_WIDGET (self));

  expression = gtk_property_expression_new (CT_TYPE_NAMED_ITEM, NULL, "name");
  adw_combo_row_set_expression (self->channel_row, expression);
  gtk_expression_unref (expression);

  placeholder = gtk_label_new (_("No spend entered yet."));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);
  gtk_list_box_set_placeholder (self->spend_list, placeholder);
}

CtPreferencesWindow *
ct_preferences_window_new (GtkWindow *parent,
                           CtContext *context)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CT_IS_CONTEXT (context), NULL);

  return g_object_new (CT_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "modal", parent != NULL,
                       "context", context,
                       NULL);
}
