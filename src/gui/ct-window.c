/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-window.c: the main window: view switcher over the pages
 *
 * An empty database opens on a welcome page that offers demo data. The
 * demo is generated on a worker thread with its own connection to the file;
 * the main connection's lists only learn about it from CtDb::changed, which
 * is emitted here once the worker is done.
 *
 * The scores of the Contacts page (segments, lifecycle, lifetime values,
 * churn risk, clusters) are recomputed the same way, by
 * ct_analytics_compute_async on its own connection: at start when the
 * cache looks out of date, a few seconds after purchases or the
 * analytics settings change, and
 * after contacts come that the cache does not know yet, so
 * that an import or a burst of edits costs one run. One run at a time: a
 * change during a run cancels it (its result would be stale already) and
 * the next one starts when it has wound down. A spinner in the header bar
 * says it is running and offers to stop it; nothing waits for it.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ct-window.h"
#include "ct-analytics.h"
#include "ct-automation.h"
#include "ct-automations-view.h"
#include "ct-gui-format.h"
#include "ct-contacts-view.h"
#include "ct-dashboard-view.h"
#include "ct-import-window.h"
#include "ct-preferences-window.h"
#include "ct-feedback-view.h"
#include "ct-tier.h"
#include "ct-products-view.h"
#include "ct-campaigns-view.h"
#include "ct-segments-view.h"
#include "ct-purchases-view.h"
#include "ct-resources.h"

#define DEFAULT_DEMO_CONTACTS CT_DEMO_DEFAULT_CONTACTS
#define DEFAULT_ANALYZE_DELAY 3000  /* ms */
#define STALE_ANALYZE_DELAY 500     /* ms */
/* Automations and due mail while the window is open: a first run a
 * minute after it opens, then every ten minutes, like the systemd timer
 * (both at once are safe: see ct-automation.h). */
#define SEND_DUE_FIRST_DELAY 60     /* s */
#define SEND_DUE_INTERVAL 600       /* s */

struct _CtWindow
{
  AdwApplicationWindow  parent_instance;

  CtContext            *context;
  guint                 demo_contacts;

  GCancellable         *demo_cancellable;

  /* Background recompute of the scores */
  gboolean              auto_analyze;
  guint                 analyze_delay;
  guint                 analyze_timeout_id;
  GCancellable         *analyze_cancellable;  /* non-NULL while a run goes */
  gboolean              analyze_again;        /* start another when it ends */
  GtkWidget            *analyze_box;
  GtkLabel             *analyze_label;
  GtkSpinner           *analyze_spinner;
  GtkButton            *analyze_cancel_button;

  /* Automations and due mail, on a worker thread */
  guint                 send_due_timeout_id;
  GCancellable         *send_due_cancellable;  /* non-NULL while a run goes */
  char                 *send_due_error;        /* the last one shown */

  /* template children */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  AdwStatusPage        *welcome_page;
  GtkStack             *demo_stack;
  GtkButton            *demo_button;
  GtkButton            *empty_button;
  GtkButton            *import_button;
  GtkButton            *demo_cancel_button;
  GtkLabel             *demo_status_label;
  GtkProgressBar       *demo_progress;
  GtkLabel             *path_label;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewStack         *view_stack;

  CtContactsView       *contacts_view;
};

G_DEFINE_FINAL_TYPE (CtWindow, ct_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_CONTEXT,
  PROP_DEMO_CONTACTS,
  PROP_AUTO_ANALYZE,
  PROP_ANALYZE_DELAY,
  PROP_ANALYZING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_actions (CtWindow *self)
{
  gboolean on_main = g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "main") == 0;
  const char *names[] = { "search", "new-contact" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), names[i]);
      g_simple_action_set_enabled (G_SIMPLE_ACTION (action), on_main);
    }
}

static void
show_main (CtWindow   *self,
           const char *page)
{
  gtk_stack_set_visible_child_name (self->stack, "main");
  if (page != NULL)
    adw_view_stack_set_visible_child_name (self->view_stack, page);
  update_actions (self);
}

/* Scores */

static void start_analysis (CtWindow *self);

static void
set_analyzing (CtWindow *self,
               gboolean  analyzing)
{
  gtk_widget_set_visible (self->analyze_box, analyzing);
  if (analyzing)
    {
      gtk_spinner_start (self->analyze_spinner);
      gtk_label_set_text (self->analyze_label, _("Updating scores…"));
      gtk_widget_set_sensitive (GTK_WIDGET (self->analyze_cancel_button), TRUE);
    }
  else
    gtk_spinner_stop (self->analyze_spinner);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ANALYZING]);
}

static void
on_analyze_progress (double   fraction,
                     gpointer user_data)
{
  CtWindow *self = CT_WINDOW (user_data);
  g_autofree char *text = NULL;

  /* Reports queued before the window went away may still arrive. */
  if (self->analyze_label == NULL || self->analyze_cancellable == NULL)
    return;

  /* Translators: in the header bar while the scores are recomputed;
   * %d%% is how far along, "40%". */
  text = g_strdup_printf (_("Updating scores… %d%%"),
                          (int) (CLAMP (fraction, 0.0, 1.0) * 100.0));
  gtk_label_set_text (self->analyze_label, text);
}

static void
on_analyze_finished (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(CtWindow) self = CT_WINDOW (user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) summary = NULL;

  summary = ct_analytics_compute_finish (result, &error);
  g_clear_object (&self->analyze_cancellable);

  /* Closed while the worker ran: nothing left to update. */
  if (self->context == NULL)
    return;

  set_analyzing (self, FALSE);

  if (summary != NULL)
    {
      /* The worker wrote through its own connection: tell this one's
       * lists and the detail. */
      ct_db_emit_changed (ct_context_get_db (self->context), "contact_metrics");
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *escaped = g_markup_escape_text (error->message, -1);
      g_autofree char *title = g_strdup_printf (_("Could not update the scores: %s"), escaped);

      ct_window_add_toast (self, adw_toast_new (title));
      self->analyze_again = FALSE;
    }

  if (self->analyze_again)
    {
      self->analyze_again = FALSE;
      start_analysis (self);
    }
}

static void
start_analysis (CtWindow *self)
{
  CtDb *db = ct_context_get_db (self->context);
  CtAnalyticsOptions options;
  g_autoptr(GError) error = NULL;

  /* One at a time: let the running one wind down first. */
  if (self->analyze_cancellable != NULL)
    {
      self->analyze_again = TRUE;
      g_cancellable_cancel (self->analyze_cancellable);
      return;
    }

  ct_analytics_options_init (&options);
  /* The user's settings (lifecycle thresholds, discount rate, horizon);
   * broken ones are reported and the defaults used, as
   * ct_analytics_options_load leaves them. */
  if (!ct_analytics_options_load (db, &options, &error))
    g_warning ("Analytics settings: %s", error->message);

  self->analyze_cancellable = g_cancellable_new ();
  set_analyzing (self, TRUE);
  ct_analytics_compute_async (ct_db_get_path (db), &options, TRUE,
                              on_analyze_progress, g_object_ref (self), g_object_unref,
                              self->analyze_cancellable,
                              on_analyze_finished, g_object_ref (self));
}

static gboolean
on_analyze_timeout (gpointer user_data)
{
  CtWindow *self = CT_WINDOW (user_data);

  self->analyze_timeout_id = 0;
  start_analysis (self);
  return G_SOURCE_REMOVE;
}

/* A recompute is wanted: after the delay, so that a burst of changes
 * (an import, several edits) costs one run. A run going now is working
 * on data that just changed: it stops, and the new one follows. */
static void
schedule_analysis (CtWindow *self,
                   guint     delay)
{
  if (!self->auto_analyze || self->context == NULL)
    return;

  if (self->analyze_cancellable != NULL)
    g_cancellable_cancel (self->analyze_cancellable);

  g_clear_handle_id (&self->analyze_timeout_id, g_source_remove);
  self->analyze_timeout_id = g_timeout_add (delay, on_analyze_timeout, self);
}

static void
on_purchases_changed (CtWindow *self)
{
  schedule_analysis (self, self->analyze_delay);
}

/* Preferences changed a threshold, the discount rate or the horizon:
 * every score may move. */
static void
on_settings_changed (CtWindow *self)
{
  schedule_analysis (self, self->analyze_delay);
}

static gboolean analysis_out_of_date (CtWindow *self,
                                      gboolean  contacts_only);

/* Editing a contact changes no score; a contact added (typed, imported,
 * put back by Undo) has none yet. The check is two counts. */
static void
on_contacts_changed (CtWindow *self)
{
  if (self->auto_analyze && self->analyze_timeout_id == 0 &&
      self->analyze_cancellable == NULL && analysis_out_of_date (self, TRUE))
    schedule_analysis (self, self->analyze_delay);
}

/* Whether the cache misses something the last run could not know: no
 * run yet, a run from an earlier day (recency and stages move with the
 * calendar), a purchase added since, or a contact without a row; with
 * @contacts_only, only the last. Cheap queries only: the newest purchase
 * by id, and two counts over primary keys. Changes made while the app
 * runs are caught by the signals. */
static gboolean
analysis_out_of_date (CtWindow *self,
                      gboolean  contacts_only)
{
  CtDb *db = ct_context_get_db (self->context);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) midnight = NULL;
  gint64 computed_at, newest_purchase, contacts, rows;

  stmt = ct_db_prepare (db,
                        "SELECT (SELECT max(computed_at) FROM analytics_runs),"
                        " (SELECT created_at FROM purchases ORDER BY id DESC LIMIT 1),"
                        " (SELECT count(*) FROM contacts),"
                        " (SELECT count(*) FROM contact_metrics)",
                        &error);
  if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_warning ("Could not tell whether the scores are up to date: %s",
                 error != NULL ? error->message : sqlite3_errmsg (ct_db_get_handle (db)));
      return FALSE;
    }

  if (sqlite3_column_type (stmt, 0) == SQLITE_NULL)
    return sqlite3_column_int64 (stmt, 2) > 0;
  computed_at = sqlite3_column_int64 (stmt, 0);
  newest_purchase = sqlite3_column_int64 (stmt, 1);
  contacts = sqlite3_column_int64 (stmt, 2);
  rows = sqlite3_column_int64 (stmt, 3);
  if (contacts_only)
    return contacts != rows;

  midnight = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                                    g_date_time_get_day_of_month (now), 0, 0, 0);
  return computed_at < g_date_time_to_unix (midnight) ||
         newest_purchase >= computed_at ||
         contacts != rows;
}

static void
ct_window_set_auto_analyze (CtWindow *self,
                            gboolean  auto_analyze)
{
  auto_analyze = !!auto_analyze;
  if (self->auto_analyze == auto_analyze)
    return;
  self->auto_analyze = auto_analyze;

  if (!auto_analyze)
    {
      g_clear_handle_id (&self->analyze_timeout_id, g_source_remove);
      if (self->analyze_cancellable != NULL)
        g_cancellable_cancel (self->analyze_cancellable);
      self->analyze_again = FALSE;
    }
  else if (self->context != NULL && analysis_out_of_date (self, FALSE))
    /* Nothing to wait for but the window being drawn first. */
    schedule_analysis (self, MIN (self->analyze_delay, STALE_ANALYZE_DELAY));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTO_ANALYZE]);
}

static void
on_analyze_cancel_clicked (CtWindow *self)
{
  ct_window_cancel_analysis (self);
}

static void
add_analyze_status (CtWindow *self)
{
  GtkWidget *header = gtk_widget_get_ancestor (GTK_WIDGET (self->switcher_title),
                                               ADW_TYPE_HEADER_BAR);
  GtkWidget *button;

  self->analyze_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->analyze_spinner = GTK_SPINNER (gtk_spinner_new ());
  self->analyze_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->analyze_label), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->analyze_label), "caption");
  /* Keeps the width steady while the percentage counts up. */
  gtk_label_set_width_chars (self->analyze_label, 18);
  gtk_label_set_xalign (self->analyze_label, 0.0);
  gtk_widget_set_tooltip_text (self->analyze_box,
                               _("Working out segments, lifecycle stages, lifetime values, "
                                 "churn risk and clusters from all purchases"));
  button = gtk_button_new_from_icon_name ("process-stop-symbolic");
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _("Stop Updating the Scores"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Stop Updating the Scores"),
                                  -1);
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (on_analyze_cancel_clicked), self);
  self->analyze_cancel_button = GTK_BUTTON (button);

  gtk_box_append (GTK_BOX (self->analyze_box), GTK_WIDGET (self->analyze_spinner));
  gtk_box_append (GTK_BOX (self->analyze_box), GTK_WIDGET (self->analyze_label));
  gtk_box_append (GTK_BOX (self->analyze_box), button);
  gtk_widget_set_visible (self->analyze_box, FALSE);

  g_assert (ADW_IS_HEADER_BAR (header));
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), self->analyze_box);
}

static void
on_demo_progress (double   fraction,
                  gpointer user_data)
{
  CtWindow *self = CT_WINDOW (user_data);

  /* Reports queued before the window went away may still arrive. */
  if (self->demo_progress != NULL)
    gtk_progress_bar_set_fraction (self->demo_progress, CLAMP (fraction, 0.0, 1.0));
}

static void
on_demo_finished (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CtWindow) self = CT_WINDOW (user_data);
  g_autoptr(GError) error = NULL;
  gboolean done;
  CtDb *db;

  done = ct_demo_generate_finish (result, &error);
  g_clear_object (&self->demo_cancellable);

  /* Closed while the worker ran: nothing left to update. */
  if (self->context == NULL)
    return;

  db = ct_context_get_db (self->context);
  gtk_widget_set_sensitive (GTK_WIDGET (self->demo_cancel_button), TRUE);

  if (!done)
    {
      gtk_stack_set_visible_child_name (self->demo_stack, "start");
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *escaped = g_markup_escape_text (error->message, -1);
          g_autofree char *title = g_strdup_printf (_("Could not create the demo data: %s"),
                                                    escaped);
          AdwToast *toast = adw_toast_new (title);

          adw_toast_set_timeout (toast, 0);
          ct_window_add_toast (self, toast);
        }
      return;
    }

  /* The worker wrote through its own connection: tell this one's lists. */
  ct_db_emit_changed (db, "contacts");
  ct_db_emit_changed (db, "purchases");
  ct_db_emit_changed (db, "products");

  gtk_stack_set_visible_child_name (self->demo_stack, "start");
  show_main (self, "dashboard");
}

static void
on_demo_clicked (CtWindow *self)
{
  g_autofree char *count = NULL;
  g_autofree char *status = NULL;
  CtDemoOptions options = { 0, };

  if (self->demo_cancellable != NULL)
    return;

  options.n_contacts = self->demo_contacts;
  options.seed = (guint64) g_get_real_time ();
  options.now = 0;
  self->demo_cancellable = g_cancellable_new ();

  count = ct_format_count (self->demo_contacts);
  status = g_strdup_printf (ngettext ("Creating %s demo contact with purchases…",
                                      "Creating %s demo contacts with purchases…",
                                      self->demo_contacts),
                            count);
  gtk_label_set_text (self->demo_status_label, status);
  gtk_progress_bar_set_fraction (self->demo_progress, 0.0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->demo_cancel_button), TRUE);
  gtk_stack_set_visible_child_name (self->demo_stack, "progress");
  gtk_widget_grab_focus (GTK_WIDGET (self->demo_cancel_button));

  /* The worker opens its own connection to the file. */
  ct_demo_generate_async_full (ct_db_get_path (ct_context_get_db (self->context)),
                               &options,
                               on_demo_progress, g_object_ref (self), g_object_unref,
                               self->demo_cancellable,
                               on_demo_finished, g_object_ref (self));
}

static void
on_demo_cancel_clicked (CtWindow *self)
{
  if (self->demo_cancellable != NULL)
    {
      g_cancellable_cancel (self->demo_cancellable);
      /* The worker stops at its next check and rolls back. */
      gtk_widget_set_sensitive (GTK_WIDGET (self->demo_cancel_button), FALSE);
    }
}

static void
on_start_empty_clicked (CtWindow *self)
{
  show_main (self, "contacts");
}

static void
search_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  CtWindow *self = CT_WINDOW (user_data);

  show_main (self, "contacts");
  ct_contacts_view_focus_search (self->contacts_view);
}

static void
new_contact_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  CtWindow *self = CT_WINDOW (user_data);

  show_main (self, "contacts");
  ct_contacts_view_new_contact (self->contacts_view);
}

static void
import_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  CtWindow *self = CT_WINDOW (user_data);
  gboolean purchases = g_str_equal (g_action_get_name (G_ACTION (action)), "import-purchases");
  CtImportWindow *window;

  /* The assistant shows this window's page of what it imported. */
  window = ct_import_window_new (GTK_WINDOW (self), self->context,
                                 purchases ? CT_IMPORT_PURCHASES : CT_IMPORT_CONTACTS);
  gtk_window_present (GTK_WINDOW (window));
  ct_import_window_choose_file (window);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  CtWindow *self = CT_WINDOW (user_data);
  CtPreferencesWindow *window;

  window = ct_preferences_window_new (GTK_WINDOW (self), self->context);
  gtk_window_present (GTK_WINDOW (window));
}

static const GActionEntry win_actions[] = {
  { "search", search_action, NULL, NULL, NULL, { 0 } },
  { "new-contact", new_contact_action, NULL, NULL, NULL, { 0 } },
  { "import-contacts", import_action, NULL, NULL, NULL, { 0 } },
  { "import-purchases", import_action, NULL, NULL, NULL, { 0 } },
  { "preferences", preferences_action, NULL, NULL, NULL, { 0 } },
};

static void
restore_size (CtWindow *self)
{
  GSettings *settings = ct_context_get_settings (self->context);
  g_autoptr(GVariant) width = NULL;
  g_autoptr(GVariant) height = NULL;

  if (settings == NULL)
    return;

  /* The schema's defaults are for a smaller screen than the window's own
   * default; only what the user chose by resizing wins over it. */
  width = g_settings_get_user_value (settings, "window-width");
  height = g_settings_get_user_value (settings, "window-height");
  if (width != NULL && height != NULL)
    gtk_window_set_default_size (GTK_WINDOW (self),
                                 MAX (g_variant_get_int32 (width), 360),
                                 MAX (g_variant_get_int32 (height), 400));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static gboolean
ct_window_close_request (GtkWindow *window)
{
  CtWindow *self = CT_WINDOW (window);
  GSettings *settings = ct_context_get_settings (self->context);

  if (self->demo_cancellable != NULL)
    g_cancellable_cancel (self->demo_cancellable);
  g_clear_handle_id (&self->analyze_timeout_id, g_source_remove);
  if (self->analyze_cancellable != NULL)
    g_cancellable_cancel (self->analyze_cancellable);
  self->analyze_again = FALSE;

  if (settings != NULL)
    {
      gboolean maximized = gtk_window_is_maximized (window);
      int width, height;

      g_settings_delay (settings);
      g_settings_set_boolean (settings, "window-maximized", maximized);
      if (!maximized)
        {
          gtk_window_get_default_size (window, &width, &height);
          g_settings_set_int (settings, "window-width", width);
          g_settings_set_int (settings, "window-height", height);
        }
      g_settings_apply (settings);
    }

  return GTK_WINDOW_CLASS (ct_window_parent_class)->close_request (window);
}

static void
add_page (CtWindow   *self,
          GtkWidget  *child,
          const char *name,
          const char *title,
          const char *icon_name)
{
  AdwViewStackPage *page;

  page = adw_view_stack_add_titled (self->view_stack, child, name, title);
  adw_view_stack_page_set_icon_name (page, icon_name);
}

/* A campaign's recipients: found by the contacts list's search. */
static void
on_open_contacts (CtWindow   *self,
                  const char *search)
{
  show_main (self, "contacts");
  ct_contacts_view_set_filter (self->contacts_view, CT_CONTACT_FILTER_NONE, 0);
  ct_contacts_view_search (self->contacts_view, search);
}

/* "Send a campaign to this segment" on the Segments page: the
 * Campaigns page's assistant, with that segment as the audience. */
static void
on_send_campaign_to_segment (CtWindow *self,
                             gint64    segment_id)
{
  GtkWidget *campaigns = adw_view_stack_get_child_by_name (self->view_stack, "campaigns");

  show_main (self, "campaigns");
  ct_campaigns_view_new_campaign_for_segment (CT_CAMPAIGNS_VIEW (campaigns), segment_id);
}

/* A segment, funnel step, channel or cluster clicked on the dashboard:
 * its contacts, all of them, with the filter shown above the list. */
static void
on_open_filtered_contacts (CtWindow *self,
                           guint     filter,
                           gint64    id)
{
  show_main (self, "contacts");
  ct_contacts_view_search (self->contacts_view, "");
  ct_contacts_view_set_filter (self->contacts_view, (CtContactFilter) filter, id);
}

static void
on_loyalty_refreshed (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(CtDb) db = user_data;
  g_autoptr(GError) error = NULL;

  /* A failure here costs nothing but stale tiers until the next start or
   * the next contact opened, which places that contact again. */
  if (!ct_loyalty_refresh_finish (result, &error))
    g_message ("Could not place the contacts in their tiers: %s", error->message);
  else
    ct_db_emit_changed (db, "contact_loyalty");
}

static void
on_send_due_finished (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(CtWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  CtSendDueReport report;
  CtDb *db;

  g_clear_object (&self->send_due_cancellable);
  if (!ct_send_due_finish (result, &report, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->context == NULL)
        return;
      /* Every ten minutes the same trouble would be one toast too many:
       * say it once until it changes. */
      if (g_strcmp0 (self->send_due_error, error->message) != 0)
        {
          g_autofree char *escaped = g_markup_escape_text (error->message, -1);
          g_autofree char *title = g_strdup_printf (_("Automations and scheduled mail: %s"), escaped);
          AdwToast *toast = adw_toast_new (title);

          adw_toast_set_timeout (toast, 0);
          ct_window_add_toast (self, toast);
          g_free (self->send_due_error);
          self->send_due_error = g_strdup (error->message);
        }
      return;
    }
  g_clear_pointer (&self->send_due_error, g_free);
  if (self->context == NULL)
    return;
  /* The worker wrote through a connection of its own. */
  db = ct_context_get_db (self->context);
  if (report.automations.fired > 0 || report.automations.queued > 0 || report.sent > 0)
    {
      ct_db_emit_changed (db, "automations");
      ct_db_emit_changed (db, "campaigns");
      ct_db_emit_changed (db, "outbox");
    }
  if (report.automations.queued > 0)
    {
      g_autofree char *title = g_strdup_printf (ngettext ("Automations sent %lld email",
                                                          "Automations sent %lld emails",
                                                          (unsigned long) report.automations.queued),
                                                (long long) report.automations.queued);
      ct_window_add_toast (self, adw_toast_new (title));
    }
}

static gboolean
on_send_due_timeout (gpointer user_data)
{
  CtWindow *self = CT_WINDOW (user_data);

  self->send_due_timeout_id = 0;
  if (self->context != NULL && self->send_due_cancellable == NULL)
    {
      self->send_due_cancellable = g_cancellable_new ();
      ct_send_due_async (ct_db_get_path (ct_context_get_db (self->context)), self->send_due_cancellable,
                         on_send_due_finished, g_object_ref (self));
    }
  self->send_due_timeout_id = g_timeout_add_seconds (SEND_DUE_INTERVAL, on_send_due_timeout, self);
  return G_SOURCE_REMOVE;
}

static void
ct_window_constructed (GObject *object)
{
  CtWindow *self = CT_WINDOW (object);
  GtkWidget *dashboard;
  GtkWidget *campaigns, *segments;
  CtDb *db;
  g_autofree char *display = NULL;
  g_autofree char *where = NULL;

  G_OBJECT_CLASS (ct_window_parent_class)->constructed (object);

  g_assert (CT_IS_CONTEXT (self->context));
  db = ct_context_get_db (self->context);

  dashboard = ct_dashboard_view_new (self->context);
  add_page (self, dashboard, "dashboard", _("Dashboard"), "view-grid-symbolic");
  g_signal_connect_object (dashboard, "open-filtered-contacts", G_CALLBACK (on_open_filtered_contacts),
                           self, G_CONNECT_SWAPPED);
  self->contacts_view = CT_CONTACTS_VIEW (ct_contacts_view_new (self->context));
  add_page (self, GTK_WIDGET (self->contacts_view), "contacts",
            _("Contacts"), "system-users-symbolic");
  add_page (self, ct_purchases_view_new (self->context), "purchases",
            _("Purchases"), "emblem-documents-symbolic");
  add_page (self, ct_products_view_new (self->context), "products",
            _("Products"), "package-x-generic-symbolic");
  segments = ct_segments_view_new (self->context);
  add_page (self, segments, "segments", _("Segments"), "edit-find-symbolic");
  g_signal_connect_object (segments, "send-campaign", G_CALLBACK (on_send_campaign_to_segment), self,
                           G_CONNECT_SWAPPED);
  campaigns = ct_campaigns_view_new (self->context);
  add_page (self, campaigns, "campaigns", _("Campaigns"), "mail-send-symbolic");
  g_signal_connect_object (campaigns, "open-contacts", G_CALLBACK (on_open_contacts), self,
                           G_CONNECT_SWAPPED);
  add_page (self, ct_automations_view_new (self->context), "automations",
            _("Automations"), "media-playlist-repeat-symbolic");
  add_page (self, ct_feedback_view_new (self->context), "feedback",
            _("Feedback"), "mail-unread-symbolic");
  /* The dashboard first: the business at a glance. */
  adw_view_stack_set_visible_child_name (self->view_stack, "dashboard");

  display = g_filename_display_name (ct_db_get_path (db));
  where = g_strdup_printf (_("Database file: %s"), display);
  gtk_label_set_text (self->path_label, where);

  gtk_stack_set_visible_child_name (self->stack, ct_db_is_empty (db) ? "welcome" : "main");
  update_actions (self);

  g_signal_connect_object (db, "changed::purchases", G_CALLBACK (on_purchases_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (db, "changed::contacts", G_CALLBACK (on_contacts_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (db, "changed::settings", G_CALLBACK (on_settings_changed), self,
                           G_CONNECT_SWAPPED);

  /* Tiers and points expiry follow the date: bring them up to today in
   * the background. */
  if (!ct_db_is_empty (db))
    ct_loyalty_refresh_async (ct_db_get_path (db), NULL, on_loyalty_refreshed, g_object_ref (db));

  self->send_due_timeout_id = g_timeout_add_seconds (SEND_DUE_FIRST_DELAY, on_send_due_timeout, self);

  restore_size (self);
}

static void
ct_window_dispose (GObject *object)
{
  CtWindow *self = CT_WINDOW (object);

  if (self->demo_cancellable != NULL)
    g_cancellable_cancel (self->demo_cancellable);
  g_clear_object (&self->demo_cancellable);

  /* The worker rolls back at its next check; its callback finds the
   * context gone and does nothing. */
  g_clear_handle_id (&self->analyze_timeout_id, g_source_remove);
  if (self->analyze_cancellable != NULL)
    g_cancellable_cancel (self->analyze_cancellable);
  g_clear_object (&self->analyze_cancellable);
  self->analyze_again = FALSE;
  self->analyze_label = NULL;

  g_clear_handle_id (&self->send_due_timeout_id, g_source_remove);
  if (self->send_due_cancellable != NULL)
    g_cancellable_cancel (self->send_due_cancellable);
  g_clear_object (&self->send_due_cancellable);
  g_clear_pointer (&self->send_due_error, g_free);

  gtk_widget_dispose_template (GTK_WIDGET (self), CT_TYPE_WINDOW);

  G_OBJECT_CLASS (ct_window_parent_class)->dispose (object);

  g_clear_object (&self->context);
}

static void
ct_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CtWindow *self = CT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;
    case PROP_DEMO_CONTACTS:
      g_value_set_uint (value, self->demo_contacts);
      break;
    case PROP_AUTO_ANALYZE:
      g_value_set_boolean (value, self->auto_analyze);
      break;
    case PROP_ANALYZE_DELAY:
      g_value_set_uint (value, self->analyze_delay);
      break;
    case PROP_ANALYZING:
      g_value_set_boolean (value, self->analyze_cancellable != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  CtWindow *self = CT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      break;
    case PROP_DEMO_CONTACTS:
      if (self->demo_contacts != g_value_get_uint (value))
        {
          self->demo_contacts = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_AUTO_ANALYZE:
      ct_window_set_auto_analyze (self, g_value_get_boolean (value));
      break;
    case PROP_ANALYZE_DELAY:
      if (self->analyze_delay != g_value_get_uint (value))
        {
          self->analyze_delay = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_window_class_init (CtWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = ct_window_constructed;
  object_class->dispose = ct_window_dispose;
  object_class->get_property = ct_window_get_property;
  object_class->set_property = ct_window_set_property;
  window_class->close_request = ct_window_close_request;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL, CT_TYPE_CONTEXT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEMO_CONTACTS] =
    g_param_spec_uint ("demo-contacts", NULL, NULL, 1, CT_DEMO_MAX_CONTACTS, DEFAULT_DEMO_CONTACTS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AUTO_ANALYZE] =
    g_param_spec_boolean ("auto-analyze", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ANALYZE_DELAY] =
    g_param_spec_uint ("analyze-delay", NULL, NULL, 0, 600000, DEFAULT_ANALYZE_DELAY,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ANALYZING] =
    g_param_spec_boolean ("analyzing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The resources are registered by a constructor in an object file of
   * the static library that nothing else refers to; referring to it here
   * makes sure the linker keeps it, in the app and in the tests. */
  (void) ct_get_resource ();

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/clientele/Clientele/ct-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CtWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CtWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CtWindow, welcome_page);
  gtk_widget_class_bind_template_child (widget_class, CtWindow, demo_stack);
  gtk_widget_class_bind_template_child (widget_class, CtWindow, demo_button);
  gtk_widget_class_bind_template_child (widget_class, CtWindow, empty_button);
  gtk_widget_class_bind_template_child (widget_class, CtWindow, import_button);
  gtk_widget_class_bind_template_child (widget_class, CtWindow, demo_cancel_button);
  gtk_widget_class_bind_template_child (widget_class, CtWindow, demo_status_label);
  gtk_widget_class_bind_template_child (widget_class, CtWindow, demo_progress);
  gtk_widget_class_bind_template_child (widget_class, CtWindow, path_label);
  gtk_widget_class_bind_template_child (widget_class, CtWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, CtWindow, view_stack);
  gtk_widget_class_bind_template_callback (widget_class, on_demo_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_demo_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_start_empty_clicked);
}

static void
ct_window_init (CtWindow *self)
{
  self->demo_contacts = DEFAULT_DEMO_CONTACTS;
  self->analyze_delay = DEFAULT_ANALYZE_DELAY;

  gtk_widget_init_template (GTK_WIDGET (self));
  add_analyze_status (self);

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions,
                                   G_N_ELEMENTS (win_actions), self);

  adw_status_page_set_icon_name (self->welcome_page, BASE_ID);

  if (g_strcmp0 (PROFILE, "development") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

CtWindow *
ct_window_new (GtkApplication *application,
               CtContext      *context)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (CT_IS_CONTEXT (context), NULL);

  return g_object_new (CT_TYPE_WINDOW,
                       "application", application,
                       "context", context,
                       NULL);
}

CtContext *
ct_window_get_context (CtWindow *self)
{
  g_return_val_if_fail (CT_IS_WINDOW (self), NULL);
  return self->context;
}

void
ct_window_add_toast (CtWindow *self,
                     AdwToast *toast)
{
  g_return_if_fail (CT_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
ct_window_show_page (CtWindow   *self,
                     const char *name)
{
  g_return_if_fail (CT_IS_WINDOW (self));
  g_return_if_fail (name != NULL);

  if (adw_view_stack_get_child_by_name (self->view_stack, name) == NULL)
    {
      g_warning ("No page called “%s” in the window", name);
      return;
    }
  show_main (self, name);
}

/**
 * ct_window_cancel_analysis:
 *
 * Stops a running recompute of the scores, as its Stop button does. The
 * cache keeps the last finished run; the next change of the purchases
 * starts a new one.
 */
void
ct_window_cancel_analysis (CtWindow *self)
{
  g_return_if_fail (CT_IS_WINDOW (self));

  self->analyze_again = FALSE;
  g_clear_handle_id (&self->analyze_timeout_id, g_source_remove);
  if (self->analyze_cancellable != NULL)
    {
      g_cancellable_cancel (self->analyze_cancellable);
      gtk_widget_set_sensitive (GTK_WIDGET (self->analyze_cancel_button), FALSE);
      gtk_label_set_text (self->analyze_label, _("Stopping…"));
    }
}
