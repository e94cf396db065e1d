/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-campaigns-view.c: the Campaigns page
 *
 * One row per campaign: its state, a progress bar while it is being
 * sent, and its results, each a button that lists the contacts behind
 * it. Sending runs on a worker thread with a database connection of
 * its own (SQLite connections are not shared between threads); the
 * page polls the counts while it runs, since the worker's "changed"
 * signals fire on its own connection.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ct-gui-format.h"
#include "ct-abtest.h"
#include "ct-campaign-assistant.h"
#include "ct-campaign-results.h"
#include "ct-campaigns-view.h"
#include "ct-contact.h"
#include "ct-export-ui.h"
#include "ct-mail-secret.h"
#include "ct-money.h"
#include "ct-outbox.h"
#include "ct-suppression-window.h"

#define POLL_MS 500
/* Contacts listed behind a result; the Contacts page has the rest. */
#define SHOWN_CONTACTS 200

struct _CtCampaignsView
{
  AdwBin        parent_instance;

  CtContext    *context;
  GCancellable *send_cancellable;  /* non-NULL while sending */
  GCancellable *sync_cancellable;  /* non-NULL while pulling results */
  gint64        sending_id;
  gint64        sending_variant; /* an A/B test's subject B, sent with it */
  gboolean      loading_window;  /* setting the window spin from the settings */
  guint         poll_id;
  char         *signature;         /* what the list shows, to skip redraws */

  GtkListBox   *campaign_list;
  GtkSpinButton *window_spin;
  GtkLabel     *status_label;
  GtkWidget    *sync_button;
};

G_DEFINE_FINAL_TYPE (CtCampaignsView, ct_campaigns_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

enum {
  SIGNAL_OPEN_CONTACTS,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static CtDb *
get_db (CtCampaignsView *self)
{
  return ct_context_get_db (self->context);
}

static guint
window_days (CtCampaignsView *self)
{
  return (guint) gtk_spin_button_get_value_as_int (self->window_spin);
}

static void
show_error (CtCampaignsView *self,
            const char      *message)
{
  gtk_label_set_text (self->status_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), message != NULL);
}

/* ---- the contacts behind a result ---- */

typedef struct
{
  CtCampaignsView *view;
  gint64           campaign_id;
  CtCampaignResult result;
} ResultRef;

static void
on_contact_row_activated (GtkListBox    *list,
                          GtkListBoxRow *row,
                          GtkWindow     *dialog)
{
  CtCampaignsView *self = g_object_get_data (G_OBJECT (dialog), "view");
  const char *email = g_object_get_data (G_OBJECT (row), "search");

  if (email != NULL && *email != '\0')
    g_signal_emit (self, signals[SIGNAL_OPEN_CONTACTS], 0, email);
  gtk_window_destroy (dialog);
}

static void
show_result_contacts (CtCampaignsView  *self,
                      gint64            campaign_id,
                      CtCampaignResult  result)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = ct_campaign_result_contacts (get_db (self), campaign_id, result,
                                                       window_days (self), &error);
  g_autoptr(CtCampaignInfo) info = ct_campaign_get_info (get_db (self), campaign_id,
                                                         window_days (self), NULL);
  g_autofree char *title = NULL;
  GtkWidget *dialog, *box, *scrolled, *list, *header, *label;
  g_autofree char *summary = NULL;

  if (ids == NULL)
    {
      show_error (self, error->message);
      return;
    }
  title = g_strdup_printf ("%s — %s", info != NULL ? info->name : "",
                           ct_campaign_result_get_label (result));
  dialog = adw_window_new ();
  gtk_window_set_title (GTK_WINDOW (dialog), title);
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 420, 480);
  gtk_window_set_transient_for (GTK_WINDOW (dialog),
                                GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))));
  g_object_set_data (G_OBJECT (dialog), "view", self);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  header = adw_header_bar_new ();
  gtk_box_append (GTK_BOX (box), header);
  if (ids->len > SHOWN_CONTACTS)
    summary = g_strdup_printf (ngettext ("%u contact; the first %d are listed. Choose one to open it.",
                                         "%u contacts; the first %d are listed. Choose one to open it.",
                                         ids->len), ids->len, SHOWN_CONTACTS);
  else if (ids->len > 0)
    summary = g_strdup_printf (ngettext ("%u contact. Choose one to open it.",
                                         "%u contacts. Choose one to open it.", ids->len), ids->len);
  else
    summary = g_strdup (_("No contacts yet."));
  label = gtk_label_new (summary);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);
  gtk_box_append (GTK_BOX (box), label);

  list = gtk_list_box_new ();
  gtk_list_box_set_activate_on_single_click (GTK_LIST_BOX (list), TRUE);
  for (guint i = 0; i < ids->len && i < SHOWN_CONTACTS; i++)
    {
      g_autoptr(CtContact) contact = ct_contact_load (get_db (self), g_array_index (ids, gint64, i), NULL);
      GtkWidget *row;

      if (contact == NULL)
        continue;
      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), ct_contact_get_display_name (contact));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), ct_contact_get_email (contact));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "search",
                              g_strdup (ct_contact_get_email (contact)), g_free);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }
  g_signal_connect (list, "row-activated", G_CALLBACK (on_contact_row_activated), dialog);
  scrolled = gtk_scrolled_window_new ();
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list);
  gtk_box_append (GTK_BOX (box), scrolled);
  adw_window_set_content (ADW_WINDOW (dialog), box);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
result_ref_free (gpointer  data,
                 GClosure *closure)
{
  g_free (data);
}

static void
on_result_clicked (GtkButton *button,
                   ResultRef *ref)
{
  show_result_contacts (ref->view, ref->campaign_id, ref->result);
}

/* ---- actions on a campaign ---- */

static void send_finished (GObject *source, GAsyncResult *result, gpointer user_data);
static gboolean find_abtest (CtDb *db, gint64 id, CtAbTest *test, gboolean *out_is_b);

static gint64
row_campaign (GtkWidget *button)
{
  return GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (button), "campaign-id"));
}

static void
on_pause_clicked (GtkButton       *button,
                  CtCampaignsView *self)
{
  g_autoptr(GError) error = NULL;
  gint64 id = row_campaign (GTK_WIDGET (button));

  /* The worker stops at its next batch: it claims only campaigns that
   * are not paused, and what is in flight is recorded. */
  if (!ct_campaign_set_paused (get_db (self), id, TRUE, &error))
    show_error (self, error->message);
  ct_campaigns_view_reload (self);
}

static void
on_resume_clicked (GtkButton       *button,
                   CtCampaignsView *self)
{
  g_autoptr(GError) error = NULL;
  gint64 id = row_campaign (GTK_WIDGET (button));

  if (!ct_campaign_set_paused (get_db (self), id, FALSE, &error)
      || (!ct_campaigns_view_is_sending (self) && !ct_campaigns_view_send (self, id, &error)))
    show_error (self, error->message);
  ct_campaigns_view_reload (self);
}

static void
on_cancel_clicked (GtkButton       *button,
                   CtCampaignsView *self)
{
  g_autoptr(GError) error = NULL;
  gint64 id = row_campaign (GTK_WIDGET (button));

  if (!ct_campaign_cancel (get_db (self), id, NULL, &error))
    show_error (self, error->message);
  /* Cancelling either half of an A/B test cancels the test. */
  if (self->send_cancellable != NULL)
    {
      CtAbTest test;
      gboolean in_test = find_abtest (get_db (self), id, &test, NULL);

      if (self->sending_id == id || self->sending_variant == id
          || (in_test && (self->sending_id == test.campaign_id || self->sending_id == test.variant_id)))
        g_cancellable_cancel (self->send_cancellable);
    }
  ct_campaigns_view_reload (self);
}

static void
on_send_clicked (GtkButton       *button,
                 CtCampaignsView *self)
{
  g_autoptr(GError) error = NULL;

  if (!ct_campaigns_view_send (self, row_campaign (GTK_WIDGET (button)), &error))
    show_error (self, error->message);
  ct_campaigns_view_reload (self);
}

static void
on_unknown_clicked (GtkButton       *button,
                    CtCampaignsView *self)
{
  g_autoptr(GError) error = NULL;
  gint64 id = row_campaign (GTK_WIDGET (button));
  gboolean resend = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "resend"));
  gint64 n = 0;
  gboolean ok;

  ok = resend ? ct_outbox_resend_unknown (get_db (self), id, &n, &error)
              : ct_outbox_drop_unknown (get_db (self), id, &n, &error);
  if (!ok)
    show_error (self, error->message);
  else if (resend && !ct_campaigns_view_is_sending (self)
           && !ct_campaigns_view_send (self, id, &error))
    show_error (self, error->message);
  ct_campaigns_view_reload (self);
}

static GtkWidget *
action_button (CtCampaignsView *self,
               const char      *label,
               gint64           id,
               GCallback        callback)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data (G_OBJECT (button), "campaign-id", GSIZE_TO_POINTER ((gsize) id));
  g_signal_connect (button, "clicked", callback, self);
  return button;
}

/* ---- A/B tests ---- */

/* The A/B test @id belongs to: FALSE for a plain campaign. *@out_is_b
 * says whether @id is its subject B. */
static gboolean
find_abtest (CtDb     *db,
             gint64    id,
             CtAbTest *test,
             gboolean *out_is_b)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, "SELECT campaign_id FROM ab_tests"
                                                    " WHERE campaign_id = ?1 OR variant_id = ?1", NULL);
  gint64 a;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return FALSE;
  a = sqlite3_column_int64 (stmt, 0);
  if (out_is_b != NULL)
    *out_is_b = a != id;
  return ct_abtest_get (db, a, test, NULL);
}

static char *
subject_of (CtDb   *db,
            gint64  id)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, "SELECT subject FROM campaigns WHERE id = ?1", NULL);

  if (stmt == NULL)
    return g_strdup ("");
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return g_strdup ("");
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

char *
ct_campaigns_view_describe_abtest (CtCampaignsView *self,
                                   gint64           id)
{
  CtDb *db = get_db (self);
  CtAbTest test;
  gboolean is_b = FALSE;
  gboolean clicks;

  if (!find_abtest (db, id, &test, &is_b))
    return NULL;
  if (is_b)
    {
      g_autofree char *a_name = NULL;
      g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, "SELECT name FROM campaigns WHERE id = ?1", NULL);

      if (stmt != NULL)
        {
          sqlite3_bind_int64 (stmt, 1, test.campaign_id);
          if (sqlite3_step (stmt) == SQLITE_ROW)
            a_name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
        }
      return g_strdup_printf (_("Subject B of the A/B test “%s”: it goes out with subject A, never on its own."),
                              a_name != NULL ? a_name : "");
    }
  clicks = test.metric == CT_ABTEST_CLICKS;
  if (g_str_equal (test.state, "draft"))
    return g_strdup_printf (clicks ? _("A/B test: %d%% of the audience first, half with each subject; after %u hours the subject with more clicks goes to the rest.")
                                   : _("A/B test: %d%% of the audience first, half with each subject; after %u hours the subject with more opens goes to the rest."),
                            (int) (test.share * 100 + 0.5), test.wait_hours);
  if (g_str_equal (test.state, "testing"))
    {
      g_autoptr(GDateTime) at = g_date_time_new_from_unix_local (test.decide_at);
      /* Translators: a date and time in a campaign's row; strftime format. */
      g_autofree char *when = at != NULL ? g_date_time_format (at, _("%Y-%m-%d %H:%M")) : g_strdup ("");

      return g_strdup_printf (_("A/B test running: subject A went to %lld, subject B to %lld; %lld wait for the winner, picked at %s."),
                              (long long) test.a_sent, (long long) test.b_sent, (long long) test.holdout, when);
    }
  {
    gboolean b_won = test.winner_id == test.variant_id;
    g_autofree char *subject = subject_of (db, b_won ? test.variant_id : test.campaign_id);

    return g_strdup_printf (clicks ? _("A/B test decided: subject %s won, clicked by %.1f%% against %.1f%%, and went to the rest: “%s”.")
                                   : _("A/B test decided: subject %s won, opened by %.1f%% against %.1f%%, and went to the rest: “%s”."),
                            b_won ? "B" : "A",
                            100.0 * (b_won ? test.b_rate : test.a_rate),
                            100.0 * (b_won ? test.a_rate : test.b_rate), subject);
  }
}

/* ---- rows ---- */

static char *
when_text (const CtCampaignInfo *info)
{
  g_autoptr(GDateTime) dt = NULL;
  gint64 at = info->state == CT_CAMPAIGN_SCHEDULED ? info->scheduled_at
              : info->finished_at != 0 ? info->finished_at : info->launched_at;

  if (at == 0)
    return g_strdup ("");
  dt = g_date_time_new_from_unix_local (at);
  /* Translators: a date and time in a campaign's row; strftime format. */
  return g_date_time_format (dt, _("%Y-%m-%d %H:%M"));
}

static GtkWidget *
build_row (CtCampaignsView      *self,
           const CtCampaignInfo *info)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *titles = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *label, *state, *flow;
  g_autofree char *when = when_text (info);
  const CtOutboxCounts *c = &info->counts;
  gint64 total = c->queued + c->in_flight + c->sent + c->rejected + c->failed + c->unknown + c->dropped;
  gint64 done = total - c->queued - c->in_flight;
  g_autofree char *ab_text = ct_campaigns_view_describe_abtest (self, info->id);
  CtAbTest test;
  gboolean is_b = FALSE;
  gboolean in_test = find_abtest (get_db (self), info->id, &test, &is_b);

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 10);
  gtk_widget_set_margin_bottom (box, 10);

  label = gtk_label_new (info->name);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (titles), label);
  label = gtk_label_new (info->subject);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (titles), label);
  gtk_widget_set_hexpand (titles, TRUE);
  gtk_box_append (GTK_BOX (top), titles);

  if (*when != '\0')
    {
      label = gtk_label_new (when);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (GTK_BOX (top), label);
    }
  state = gtk_label_new (ct_campaign_state_get_label (info->state));
  gtk_widget_add_css_class (state, "caption-heading");
  gtk_widget_add_css_class (state, info->state == CT_CAMPAIGN_SENT ? "success"
                                   : info->state == CT_CAMPAIGN_PAUSED ? "warning"
                                   : info->state == CT_CAMPAIGN_CANCELLED ? "error" : "accent");
  gtk_widget_set_valign (state, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (top), state);

  switch (info->state)
    {
    case CT_CAMPAIGN_DRAFT:
      /* Subject B goes with its subject A, never on its own. */
      if (in_test && is_b)
        break;
      gtk_box_append (GTK_BOX (top), action_button (self, in_test ? _("_Start Test") : _("_Send Now"), info->id,
                                                    G_CALLBACK (on_send_clicked)));
      gtk_box_append (GTK_BOX (top), action_button (self, _("_Cancel"), info->id, G_CALLBACK (on_cancel_clicked)));
      break;
    case CT_CAMPAIGN_SCHEDULED:
      if (in_test && is_b)
        break;
      gtk_box_append (GTK_BOX (top), action_button (self, _("_Cancel"), info->id, G_CALLBACK (on_cancel_clicked)));
      break;
    case CT_CAMPAIGN_SENDING:
      gtk_box_append (GTK_BOX (top), action_button (self, _("_Pause"), info->id, G_CALLBACK (on_pause_clicked)));
      gtk_box_append (GTK_BOX (top), action_button (self, _("_Cancel"), info->id, G_CALLBACK (on_cancel_clicked)));
      break;
    case CT_CAMPAIGN_PAUSED:
      gtk_box_append (GTK_BOX (top), action_button (self, _("_Resume"), info->id, G_CALLBACK (on_resume_clicked)));
      gtk_box_append (GTK_BOX (top), action_button (self, _("_Cancel"), info->id, G_CALLBACK (on_cancel_clicked)));
      break;
    case CT_CAMPAIGN_SENT:
    case CT_CAMPAIGN_CANCELLED:
      break;
    }
  gtk_box_append (GTK_BOX (box), top);

  if (ab_text != NULL)
    {
      label = gtk_label_new (ab_text);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "accent");
      gtk_widget_set_name (label, "abtest-label");
      gtk_box_append (GTK_BOX (box), label);
    }

  if (info->state == CT_CAMPAIGN_SENDING || info->state == CT_CAMPAIGN_PAUSED)
    {
      GtkWidget *bar = gtk_progress_bar_new ();
      g_autofree char *text = g_strdup_printf (_("%lld of %lld sent"), (long long) done, (long long) total);

      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (bar), total > 0 ? (double) done / (double) total : 0);
      gtk_progress_bar_set_show_text (GTK_PROGRESS_BAR (bar), TRUE);
      gtk_progress_bar_set_text (GTK_PROGRESS_BAR (bar), text);
      gtk_box_append (GTK_BOX (box), bar);
    }

  /* Rows the app cannot tell went out (it stopped while they were in
   * flight, and the provider cannot say): the user decides. */
  if (c->unknown > 0)
    {
      GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *button;
      g_autofree char *text = g_strdup_printf (ngettext ("%lld message may or may not have gone out: the app stopped while it was being sent.",
                                                         "%lld messages may or may not have gone out: the app stopped while they were being sent.",
                                                         c->unknown), (long long) c->unknown);

      label = gtk_label_new (text);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_hexpand (label, TRUE);
      gtk_widget_add_css_class (label, "warning");
      gtk_box_append (GTK_BOX (line), label);
      button = action_button (self, _("_Resend"), info->id, G_CALLBACK (on_unknown_clicked));
      gtk_widget_set_tooltip_text (button, _("Send them again; some people may get it twice"));
      g_object_set_data (G_OBJECT (button), "resend", GINT_TO_POINTER (TRUE));
      gtk_box_append (GTK_BOX (line), button);
      button = action_button (self, _("_Drop"), info->id, G_CALLBACK (on_unknown_clicked));
      gtk_widget_set_tooltip_text (button, _("Do not send them; some people may not get it"));
      gtk_box_append (GTK_BOX (line), button);
      gtk_box_append (GTK_BOX (box), line);
    }

  if (info->state != CT_CAMPAIGN_DRAFT && info->state != CT_CAMPAIGN_SCHEDULED)
    {
      flow = gtk_flow_box_new ();
      gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (flow), GTK_SELECTION_NONE);
      gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (flow), 8);
      gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (flow), FALSE);
      for (guint r = 0; r < CT_CAMPAIGN_N_RESULTS; r++)
        {
          /* Counts the provider cannot give are shown as unknown, not as
           * zeros that would read as "nothing was delivered". */
          gboolean untold = info->activity_note != NULL
                            && (r == CT_CAMPAIGN_RESULT_DELIVERED || r == CT_CAMPAIGN_RESULT_OPENED
                                || r == CT_CAMPAIGN_RESULT_CLICKED);
          g_autofree char *text = untold
                                  ? g_strdup_printf (C_("campaign result", "%s —"), ct_campaign_result_get_label (r))
                                  : g_strdup_printf ("%s %lld", ct_campaign_result_get_label (r),
                                                     (long long) info->results[r]);
          GtkWidget *button = gtk_button_new_with_label (text);
          ResultRef *ref = g_new0 (ResultRef, 1);

          ref->view = self;
          ref->campaign_id = info->id;
          ref->result = r;
          gtk_widget_add_css_class (button, "flat");
          gtk_widget_set_tooltip_text (button, untold ? info->activity_note : _("Show the contacts"));
          gtk_widget_set_sensitive (button, !untold);
          {
            /* Named for tests and screen readers' scripts. */
            g_autofree char *name = g_strdup_printf ("result-%u", r);
            gtk_widget_set_name (button, name);
          }
          g_signal_connect_data (button, "clicked", G_CALLBACK (on_result_clicked), ref,
                                 result_ref_free, 0);
          gtk_flow_box_append (GTK_FLOW_BOX (flow), button);
        }
      {
        g_autofree char *money = ct_money_format (info->revenue, info->currency != NULL ? info->currency : "CNY");
        g_autofree char *text = NULL;

        if (info->other_currency > 0)
          text = g_strdup_printf (ngettext ("Revenue %s (%lld purchase, and %lld in other currencies)",
                                            "Revenue %s (%lld purchases, and %lld in other currencies)",
                                            info->purchases),
                                  money, (long long) info->purchases, (long long) info->other_currency);
        else
          text = g_strdup_printf (ngettext ("Revenue %s (%lld purchase)", "Revenue %s (%lld purchases)",
                                            info->purchases),
                                  money, (long long) info->purchases);
        label = gtk_label_new (text);
        gtk_widget_set_margin_start (label, 12);
        gtk_flow_box_append (GTK_FLOW_BOX (flow), label);
      }
      gtk_box_append (GTK_BOX (box), flow);
      if (info->activity_note != NULL)
        {
          label = gtk_label_new (info->activity_note);
          gtk_label_set_wrap (GTK_LABEL (label), TRUE);
          gtk_label_set_xalign (GTK_LABEL (label), 0);
          gtk_widget_add_css_class (label, "dim-label");
          gtk_widget_set_name (label, "activity-note");
          gtk_box_append (GTK_BOX (box), label);
        }
    }

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  return row;
}

static char *
signature_of (CtDb      *db,
              GPtrArray *list)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < list->len; i++)
    {
      const CtCampaignInfo *info = g_ptr_array_index (list, i);

      g_string_append_printf (s, "%lld:%d:%s:%s", (long long) info->id, info->state, info->name, info->subject);
      for (guint r = 0; r < CT_CAMPAIGN_N_RESULTS; r++)
        g_string_append_printf (s, ":%lld", (long long) info->results[r]);
      {
        g_autoptr(sqlite3_stmt) ab = ct_db_prepare (db, "SELECT state || coalesce(winner_id, '')"
                                                        " FROM ab_tests WHERE campaign_id = ?1", NULL);

        if (ab != NULL)
          {
            sqlite3_bind_int64 (ab, 1, info->id);
            if (sqlite3_step (ab) == SQLITE_ROW)
              g_string_append_printf (s, ":ab=%s", (const char *) sqlite3_column_text (ab, 0));
          }
      }
      g_string_append_printf (s, ":%d", info->activity_note != NULL);
      g_string_append_printf (s, ":%lld:%lld:%lld:%lld:%lld;", (long long) info->counts.queued,
                              (long long) info->counts.in_flight, (long long) info->counts.unknown,
                              (long long) info->revenue, (long long) info->scheduled_at);
    }
  return g_string_free (s, FALSE);
}

void
ct_campaigns_view_reload (CtCampaignsView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = ct_campaign_list (get_db (self), window_days (self), &error);
  g_autofree char *signature = NULL;

  if (list == NULL)
    {
      show_error (self, error->message);
      return;
    }
  signature = signature_of (get_db (self), list);
  if (g_strcmp0 (signature, self->signature) == 0)
    return;
  g_free (self->signature);
  self->signature = g_steal_pointer (&signature);

  ct_list_box_remove_rows (self->campaign_list);
  for (guint i = 0; i < list->len; i++)
    gtk_list_box_append (self->campaign_list, build_row (self, g_ptr_array_index (list, i)));
}

static void
on_window_changed (CtCampaignsView *self)
{
  g_autoptr(GError) error = NULL;

  if (self->loading_window)
    return;
  /* The page's window is the owner's setting (Preferences shows it too):
   * the report and the command line count the same way. */
  if (!ct_campaign_set_window_days (get_db (self), window_days (self), &error))
    show_error (self, error->message);
  g_clear_pointer (&self->signature, g_free);
  ct_campaigns_view_reload (self);
}

static void
on_settings_changed (CtCampaignsView *self)
{
  guint days = ct_campaign_get_window_days (get_db (self));

  if (days == window_days (self))
    return;
  self->loading_window = TRUE;
  gtk_spin_button_set_value (self->window_spin, days);
  self->loading_window = FALSE;
  g_clear_pointer (&self->signature, g_free);
  ct_campaigns_view_reload (self);
}

/* ---- sending ---- */

typedef struct
{
  char            *db_path;
  gint64           campaign_id;
  gint64           variant_id;    /* an A/B test's subject B, or 0 */
  CtMailSettings  *settings;
  CtMailProvider  *provider;
  CtOutboxOptions  options;
  CtOutboxReport   report;
} SendJob;

static void
send_job_free (SendJob *job)
{
  g_free (job->db_path);
  ct_mail_settings_free (job->settings);
  g_clear_object (&job->provider);
  g_free (job);
}

static void
send_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  SendJob *job = data;
  GError *error = NULL;
  g_autoptr(CtDb) db = ct_db_open (job->db_path, &error);

  /* An A/B test's two halves one after the other: each is a few
   * hundred or thousand mails, minutes apart at most, against a wait of
   * hours before the winner is picked. */
  if (db == NULL
      || !ct_outbox_send (db, job->provider, job->settings, &job->options,
                          job->campaign_id, &job->report, cancellable, &error)
      || (job->variant_id != 0
          && !ct_outbox_send (db, job->provider, job->settings, &job->options,
                              job->variant_id, &job->report, cancellable, &error)))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
poll_tick (gpointer data)
{
  ct_campaigns_view_reload (CT_CAMPAIGNS_VIEW (data));
  return G_SOURCE_CONTINUE;
}

static void
send_finished (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  CtCampaignsView *self = CT_CAMPAIGNS_VIEW (source);
  g_autoptr(GError) error = NULL;

  g_clear_object (&self->send_cancellable);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  self->sending_id = 0;
  self->sending_variant = 0;
  if (!g_task_propagate_boolean (G_TASK (result), &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_error (self, error->message);
  /* The worker wrote through its own connection: tell this one's
   * listeners (the dashboard, the contacts) and redraw. */
  ct_db_emit_changed (get_db (self), "outbox");
  ct_db_emit_changed (get_db (self), "campaigns");
  ct_campaigns_view_reload (self);
}

gboolean
ct_campaigns_view_is_sending (CtCampaignsView *self)
{
  g_return_val_if_fail (CT_IS_CAMPAIGNS_VIEW (self), FALSE);
  return self->send_cancellable != NULL;
}

gboolean
ct_campaigns_view_send (CtCampaignsView  *self,
                        gint64            id,
                        GError          **error)
{
  CtDb *db = get_db (self);
  g_autoptr(CtMailSettings) settings = NULL;
  g_autoptr(CtCampaignInfo) info = NULL;
  g_autoptr(GTask) task = NULL;
  char *key;
  SendJob *job;
  CtAbTest test;
  gboolean is_b = FALSE;
  gboolean in_test;

  g_return_val_if_fail (CT_IS_CAMPAIGNS_VIEW (self), FALSE);

  if (self->send_cancellable != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                           _("Another campaign is being sent; wait for it to finish or pause it"));
      return FALSE;
    }
  settings = ct_mail_settings_load (db, error);
  if (settings == NULL)
    return FALSE;
  if (!settings->configured)
    {
      g_set_error_literal (error, CT_MAIL_ERROR, CT_MAIL_ERROR_SETTINGS,
                           _("No mail provider is set up: choose one in Preferences, Sending"));
      return FALSE;
    }
  key = ct_mail_secret_lookup (ct_mail_provider_kind_to_name (settings->kind), ct_db_get_path (db), error);
  if (key == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, CT_MAIL_ERROR, CT_MAIL_ERROR_NO_KEY,
                     _("No API key is stored for %s: enter it in Preferences, Sending"),
                     ct_mail_provider_kind_display_name (settings->kind));
      return FALSE;
    }

  info = ct_campaign_get_info (db, id, window_days (self), error);
  if (info == NULL)
    {
      ct_mail_secret_free (key);
      return FALSE;
    }
  in_test = find_abtest (db, id, &test, &is_b);
  if (info->state == CT_CAMPAIGN_DRAFT || info->state == CT_CAMPAIGN_SCHEDULED)
    {
      gboolean launched;

      /* The sender refuses to send without it; say so before anything
       * is queued. */
      if (settings->postal_address == NULL || *g_strstrip (settings->postal_address) == '\0')
        {
          g_set_error_literal (error, CT_MAIL_ERROR, CT_MAIL_ERROR_SETTINGS,
                               _("No postal address is set: marketing mail must show one. Add it in Preferences, Sending, then send again."));
          ct_mail_secret_free (key);
          return FALSE;
        }
      if (in_test && is_b)
        {
          g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                               _("This is subject B of an A/B test: it goes out with subject A when the test starts."));
          ct_mail_secret_free (key);
          return FALSE;
        }
      launched = in_test ? ct_abtest_launch (db, id, 0, error) : ct_outbox_launch (db, id, NULL, NULL, error);
      if (!launched)
        {
          ct_mail_secret_free (key);
          return FALSE;
        }
    }

  job = g_new0 (SendJob, 1);
  job->db_path = g_strdup (ct_db_get_path (db));
  job->campaign_id = id;
  job->variant_id = in_test && !is_b ? test.variant_id : 0;
  job->provider = ct_mail_settings_new_provider (settings, key);
  ct_mail_secret_free (key);
  job->settings = g_steal_pointer (&settings);
  ct_outbox_options_init (&job->options, job->settings, job->provider);

  self->send_cancellable = g_cancellable_new ();
  self->sending_id = id;
  self->sending_variant = job->variant_id;
  task = g_task_new (self, self->send_cancellable, send_finished, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) send_job_free);
  g_task_run_in_thread (task, send_thread);
  self->poll_id = g_timeout_add (POLL_MS, poll_tick, self);
  show_error (self, NULL);
  ct_campaigns_view_reload (self);
  return TRUE;
}

/* ---- pulling results from the provider ---- */

typedef struct
{
  char               *db_path;
  CtMailProvider     *provider;
  CtOutboxSyncReport  report;
} SyncJob;

static void
sync_job_free (SyncJob *job)
{
  g_free (job->db_path);
  g_clear_object (&job->provider);
  g_free (job);
}

static void
sync_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  SyncJob *job = data;
  GError *error = NULL;
  g_autoptr(CtDb) db = ct_db_open_full (job->db_path, CT_DB_OPEN_ALREADY_CHECKED, &error);

  if (db == NULL || !ct_outbox_sync (db, job->provider, &job->report, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
sync_finished (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  CtCampaignsView *self = CT_CAMPAIGNS_VIEW (source);
  SyncJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  g_clear_object (&self->sync_cancellable);
  gtk_widget_set_sensitive (self->sync_button, TRUE);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error->message);
      return;
    }
  show_error (self, NULL);
  /* The worker wrote through its own connection. */
  ct_db_emit_changed (get_db (self), "outbox");
  ct_db_emit_changed (get_db (self), "contacts");
  ct_db_emit_changed (get_db (self), "suppressions");
  g_clear_pointer (&self->signature, g_free);
  ct_campaigns_view_reload (self);
  {
    g_autofree char *events = g_strdup_printf (ngettext ("%lld new event", "%lld new events", job->report.events),
                                               (long long) job->report.events);
    g_autofree char *suppressed = g_strdup_printf (ngettext ("%lld address newly suppressed",
                                                             "%lld addresses newly suppressed",
                                                             job->report.suppressed),
                                                   (long long) job->report.suppressed);
    /* Translators: "Results updated: 12 new events, 1 address newly suppressed" */
    g_autofree char *title = g_strdup_printf (_("Results updated: %s, %s"), events, suppressed);

    ct_export_ui_add_toast (GTK_WIDGET (self), adw_toast_new (title));
  }
}

/* Pulls what the provider knows since the last time: deliveries, opens,
 * clicks, and the unsubscribes, bounces and complaints that go on the
 * suppression list. */
gboolean
ct_campaigns_view_update_results (CtCampaignsView  *self,
                                  GError          **error)
{
  CtDb *db = get_db (self);
  g_autoptr(CtMailSettings) settings = NULL;
  g_autoptr(GTask) task = NULL;
  SyncJob *job;
  char *key;

  g_return_val_if_fail (CT_IS_CAMPAIGNS_VIEW (self), FALSE);

  if (self->sync_cancellable != NULL)
    return TRUE;
  settings = ct_mail_settings_load (db, error);
  if (settings == NULL)
    return FALSE;
  if (!settings->configured)
    {
      g_set_error_literal (error, CT_MAIL_ERROR, CT_MAIL_ERROR_SETTINGS,
                           _("No mail provider is set up: choose one in Preferences, Sending"));
      return FALSE;
    }
  key = ct_mail_secret_lookup (ct_mail_provider_kind_to_name (settings->kind), ct_db_get_path (db), error);
  if (key == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, CT_MAIL_ERROR, CT_MAIL_ERROR_NO_KEY,
                     _("No API key is stored for %s: enter it in Preferences, Sending"),
                     ct_mail_provider_kind_display_name (settings->kind));
      return FALSE;
    }
  job = g_new0 (SyncJob, 1);
  job->db_path = g_strdup (ct_db_get_path (db));
  job->provider = ct_mail_settings_new_provider (settings, key);
  ct_mail_secret_free (key);

  self->sync_cancellable = g_cancellable_new ();
  gtk_widget_set_sensitive (self->sync_button, FALSE);
  task = g_task_new (self, self->sync_cancellable, sync_finished, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) sync_job_free);
  g_task_run_in_thread (task, sync_thread);
  return TRUE;
}

static void
on_sync_clicked (CtCampaignsView *self)
{
  g_autoptr(GError) error = NULL;

  if (!ct_campaigns_view_update_results (self, &error))
    show_error (self, error->message);
}

static void
on_suppressions_clicked (CtCampaignsView *self)
{
  GtkWidget *window = ct_suppression_window_new (self->context,
                                                 GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))));

  gtk_window_present (GTK_WINDOW (window));
}

/* ---- the assistant ---- */

static void
on_assistant_created (CtCampaignsView *self,
                      gint64           id,
                      gboolean         send_now)
{
  g_autoptr(GError) error = NULL;

  if (send_now && !ct_campaigns_view_send (self, id, &error))
    show_error (self, error->message);
  ct_campaigns_view_reload (self);
}

GtkWindow *
ct_campaigns_view_new_campaign (CtCampaignsView *self)
{
  CtCampaignAssistant *assistant;

  assistant = ct_campaign_assistant_new (self->context,
                                         GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))));
  g_signal_connect_object (assistant, "created", G_CALLBACK (on_assistant_created), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (assistant));
  return GTK_WINDOW (assistant);
}

GtkWindow *
ct_campaigns_view_new_campaign_for_segment (CtCampaignsView *self,
                                            gint64           segment_id)
{
  GtkWindow *assistant = ct_campaigns_view_new_campaign (self);

  ct_campaign_assistant_set_audience_segment (CT_CAMPAIGN_ASSISTANT (assistant), segment_id);
  return assistant;
}

static void
on_new_clicked (CtCampaignsView *self)
{
  ct_campaigns_view_new_campaign (self);
}

static void
on_db_changed (CtCampaignsView *self)
{
  ct_campaigns_view_reload (self);
}

/* ---- GObject ---- */

static void
ct_campaigns_view_constructed (GObject *object)
{
  CtCampaignsView *self = CT_CAMPAIGNS_VIEW (object);
  CtDb *db;

  G_OBJECT_CLASS (ct_campaigns_view_parent_class)->constructed (object);
  db = get_db (self);
  g_signal_connect_object (db, "changed::campaigns", G_CALLBACK (on_db_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (db, "changed::outbox", G_CALLBACK (on_db_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (db, "changed::purchases", G_CALLBACK (on_db_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (db, "changed::settings", G_CALLBACK (on_settings_changed), self, G_CONNECT_SWAPPED);
  self->loading_window = TRUE;
  gtk_spin_button_set_value (self->window_spin, ct_campaign_get_window_days (db));
  self->loading_window = FALSE;
  ct_campaigns_view_reload (self);
}

static void
ct_campaigns_view_dispose (GObject *object)
{
  CtCampaignsView *self = CT_CAMPAIGNS_VIEW (object);

  /* The worker stops at its next check; what it sent is recorded. Its
   * task holds a reference to the view until then. */
  if (self->send_cancellable != NULL)
    g_cancellable_cancel (self->send_cancellable);
  if (self->sync_cancellable != NULL)
    g_cancellable_cancel (self->sync_cancellable);
  g_clear_handle_id (&self->poll_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), CT_TYPE_CAMPAIGNS_VIEW);
  G_OBJECT_CLASS (ct_campaigns_view_parent_class)->dispose (object);
}

static void
ct_campaigns_view_finalize (GObject *object)
{
  CtCampaignsView *self = CT_CAMPAIGNS_VIEW (object);

  g_clear_object (&self->context);
  g_clear_object (&self->send_cancellable);
  g_clear_object (&self->sync_cancellable);
  g_free (self->signature);
  G_OBJECT_CLASS (ct_campaigns_view_parent_class)->finalize (object);
}

static void
ct_campaigns_view_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  CtCampaignsView *self = CT_CAMPAIGNS_VIEW (object);

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
ct_campaigns_view_class_init (CtCampaignsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ct_campaigns_view_constructed;
  object_class->dispose = ct_campaigns_view_dispose;
  object_class->finalize = ct_campaigns_view_finalize;
  object_class->set_property = ct_campaigns_view_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL, CT_TYPE_CONTEXT,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_OPEN_CONTACTS] =
    g_signal_new ("open-contacts", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/clientele/Clientele/ct-campaigns-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CtCampaignsView, campaign_list);
  gtk_widget_class_bind_template_child (widget_class, CtCampaignsView, window_spin);
  gtk_widget_class_bind_template_child (widget_class, CtCampaignsView, status_label);
  gtk_widget_class_bind_template_child (widget_class, CtCampaignsView, sync_button);
  gtk_widget_class_bind_template_callback (widget_class, on_sync_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_suppressions_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_new_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_window_changed);
}

static void
ct_campaigns_view_init (CtCampaignsView *self)
{
  GtkWidget *empty;

  gtk_widget_init_template (GTK_WIDGET (self));
  empty = gtk_label_new (_("No campaigns yet. “New Campaign” takes you from an audience to a sent mail in four steps."));
  gtk_label_set_wrap (GTK_LABEL (empty), TRUE);
  gtk_widget_set_margin_top (empty, 24);
  gtk_widget_set_margin_bottom (empty, 24);
  gtk_widget_set_margin_start (empty, 12);
  gtk_widget_set_margin_end (empty, 12);
  gtk_widget_add_css_class (empty, "dim-label");
  gtk_list_box_set_placeholder (self->campaign_list, empty);
}

GtkWidget *
ct_campaigns_view_new (CtContext *context)
{
  return g_object_new (CT_TYPE_CAMPAIGNS_VIEW, "context", context, NULL);
}
