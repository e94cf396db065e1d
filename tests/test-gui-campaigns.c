/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-gui-campaigns.c: the Campaigns page and the campaign assistant:
 * its steps and warnings, a test mail and a campaign sent to the local
 * provider emulator, and the results updating */
#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>

#include "ct-abtest.h"
#include "ct-campaign-assistant.h"
#include "ct-campaign-results.h"
#include "ct-campaigns-view.h"
#include "ct-context.h"
#include "ct-gui-test.h"
#include "ct-mail-emulator.h"
#include "ct-mail-secret.h"
#include "ct-outbox.h"
#include "ct-report.h"
#include "ct-resources.h"
#include "ct-sending-page.h"

#define KEY "test-key-campaigns-0001"

/* The app's own translations, so that the screenshot runs in Chinese
 * check the same things. */
#define TR(s) g_dgettext (GETTEXT_PACKAGE, s)
#define TRC(c, s) g_dpgettext2 (GETTEXT_PACKAGE, c, s)

static char *
plural (const char *one,
        const char *many,
        long long   n)
{
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, one, many, n), n);
}

typedef struct
{
  char            *dir;
  CtDb            *db;
  CtContext       *context;
  GtkWidget       *window;
  CtCampaignsView *view;
  CtMailEmulator  *emu;
} Fixture;

static void
save_settings (Fixture    *f,
               const char *postal)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtMailSettings) settings = g_new0 (CtMailSettings, 1);

  settings->configured = TRUE;
  settings->kind = CT_MAIL_PROVIDER_POSTMARK;
  settings->base_url = g_strdup (f->emu->base_url);
  settings->from = g_strdup ("Shop <news@shop.example>");
  settings->postal_address = g_strdup (postal);
  settings->concurrency = 2;
  settings->timeout = 15;
  g_assert_true (ct_mail_settings_save (f->db, settings, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = ct_test_make_tmp ();
  path = g_build_filename (f->dir, "campaigns.db", NULL);
  f->db = ct_db_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (ct_db_exec (f->db,
    "INSERT INTO contacts (id, email, first_name, last_name, status) VALUES"
    " (1, 'ann@example.com', 'Ann', 'Lee', 'subscribed'),"
    " (2, 'nobody@example.com', '', '', 'subscribed'),"
    " (3, 'gone@example.com', 'Gone', '', 'unsubscribed');"
    "INSERT INTO tags (id, name) VALUES (1, 'vip');"
    "INSERT INTO contact_tags (contact_id, tag_id) VALUES (1, 1);"
    /* Ann and the unsubscribed one: one gets it, one is left out. */
    "INSERT INTO segments (id, name, rule) VALUES (1, 'Named A or G',"
    " '{\"match\": \"any\", \"conditions\": [{\"field\": \"email\", \"op\": \"contains\", \"value\": \"ann@\"},"
    " {\"field\": \"email\", \"op\": \"contains\", \"value\": \"gone@\"}]}');", &error));
  g_assert_no_error (error);

  f->emu = ct_mail_emulator_new (CT_MAIL_PROVIDER_POSTMARK, KEY);
  save_settings (f, "1 Market Street, Springfield");
  g_setenv (CT_MAIL_KEY_ENV, KEY, TRUE);

  f->context = ct_context_new (f->db, NULL);
  f->view = CT_CAMPAIGNS_VIEW (ct_campaigns_view_new (f->context));
  f->window = adw_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1100, 700);
  adw_window_set_content (ADW_WINDOW (f->window), GTK_WIDGET (f->view));
  ct_test_show_window (GTK_WINDOW (f->window));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  GList *toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free (toplevels);
  ct_test_spin (50);
  g_clear_object (&f->context);
  g_clear_object (&f->db);
  ct_mail_emulator_free (f->emu);
  ct_test_rm_tmp (f->dir);
  g_free (f->dir);
  g_unsetenv (CT_MAIL_KEY_ENV);
}

static gboolean
has_substring (const char *text,
               const char *part)
{
  return text != NULL && strstr (text, part) != NULL;
}

static guint
delivered (Fixture    *f,
           const char *email)
{
  return ct_mail_emulator_delivered (f->emu, email);
}

static gboolean
label_is (gpointer data)
{
  GtkLabel *label = data;
  return g_strcmp0 (gtk_label_get_text (label), TR ("Sending a test…")) != 0;
}

static gboolean
not_sending (gpointer data)
{
  return !ct_campaigns_view_is_sending (data);
}

static GtkLabel *
find_label_prefix_in (GtkWidget  *root,
                      const char *prefix);

static gboolean
match_prefix (GtkWidget *w, gconstpointer prefix)
{
  return GTK_IS_LABEL (w) && gtk_widget_get_mapped (w)
         && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (w)), prefix);
}

static GtkLabel *
find_label_prefix_in (GtkWidget  *root,
                      const char *prefix)
{
  return GTK_LABEL (ct_test_find_widget (root, match_prefix, prefix));
}

static void
test_assistant (Fixture       *f,
                gconstpointer  data)
{
  CtCampaignAssistant *assistant;
  g_autoptr(GError) error = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *t1 = NULL, *t2 = NULL, *t3 = NULL, *t4 = NULL, *t5 = NULL, *t6 = NULL;
  g_autofree char *t7 = NULL, *t8 = NULL, *t9 = NULL, *t10 = NULL, *t11 = NULL;
  GtkWidget *next;

  assistant = CT_CAMPAIGN_ASSISTANT (ct_campaigns_view_new_campaign (f->view));
  ct_test_show_window (GTK_WINDOW (assistant));

  /* Audience: two subscribed, one left out; the tag narrows it. */
  g_assert_cmpstr (ct_campaign_assistant_get_step (assistant), ==, "audience");
  g_assert_true (has_substring (ct_campaign_assistant_get_count_text (assistant), t1 = plural ("%lld contact will receive it.", "%lld contacts will receive it.", 2)));
  g_assert_true (has_substring (ct_campaign_assistant_get_count_text (assistant), t2 = plural ("%lld is left out: unsubscribed, bounced or suppressed.", "%lld are left out: unsubscribed, bounced or suppressed.", 1)));
  /* The one left out is not offered to preview the mail as. */
  g_assert_cmpuint (ct_campaign_assistant_get_n_preview_contacts (assistant), ==, 2);
  ct_test_screenshot (GTK_WIDGET (assistant), "campaign-audience");
  ct_campaign_assistant_set_audience_tag (assistant, "vip");
  g_assert_true (has_substring (ct_campaign_assistant_get_count_text (assistant), t3 = plural ("%lld contact will receive it.", "%lld contacts will receive it.", 1)));
  g_assert_true (has_substring (ct_campaign_assistant_get_count_text (assistant), t4 = plural ("%lld is left out: unsubscribed, bounced or suppressed.", "%lld are left out: unsubscribed, bounced or suppressed.", 0)));
  ct_campaign_assistant_set_audience_tag (assistant, "");
  g_clear_pointer (&t3, g_free);
  g_clear_pointer (&t4, g_free);
  ct_campaign_assistant_set_audience_segment (assistant, 1);
  g_assert_true (has_substring (ct_campaign_assistant_get_count_text (assistant), t3 = plural ("%lld contact will receive it.", "%lld contacts will receive it.", 1)));
  g_assert_true (has_substring (ct_campaign_assistant_get_count_text (assistant), t4 = plural ("%lld is left out: unsubscribed, bounced or suppressed.", "%lld are left out: unsubscribed, bounced or suppressed.", 1)));
  ct_campaign_assistant_set_audience_tag (assistant, "");

  /* Content: Next refuses an empty campaign and says why. */
  next = ct_test_find_button (GTK_WIDGET (assistant), TR ("_Next"));
  g_assert_nonnull (next);
  g_signal_emit_by_name (next, "clicked");
  g_assert_cmpstr (ct_campaign_assistant_get_step (assistant), ==, "content");
  g_signal_emit_by_name (next, "clicked");
  g_assert_cmpstr (ct_campaign_assistant_get_step (assistant), ==, "content");
  g_assert_nonnull (ct_test_find_label (GTK_WIDGET (assistant), TR ("Give the campaign a name, so you can find it later")));

  /* A template from the gallery, in Chinese. */
  g_assert_cmpuint (ct_campaign_assistant_get_n_templates (), ==, 14);
  ct_campaign_assistant_use_template (assistant, 3);
  subject = ct_campaign_assistant_get_subject (assistant);
  g_assert_cmpstr (subject, ==, "新课正式上线");
  ct_test_spin (50);
  ct_test_screenshot (GTK_WIDGET (assistant), "campaign-content");

  /* An unknown merge field is refused at this step. */
  ct_campaign_assistant_set_content (assistant, "Launch", "Hello", "Hi {{frist_name}}");
  g_signal_emit_by_name (next, "clicked");
  g_assert_cmpstr (ct_campaign_assistant_get_step (assistant), ==, "content");

  /* Preview: a bare field the contact lacks, a spammy subject, and no
   * unsubscribe page set. */
  ct_campaign_assistant_set_content (assistant, "Launch", "FREE!! ACT NOW", "Hi {{first_name}},\n\n- one\n- [two](https://example.com/two)");
  /* A preheader with a mistake in its merge field is refused too. */
  ct_campaign_assistant_set_preheader (assistant, "For {{frist_name}}");
  g_signal_emit_by_name (next, "clicked");
  g_assert_cmpstr (ct_campaign_assistant_get_step (assistant), ==, "content");
  ct_campaign_assistant_set_preheader (assistant, "Two new lessons for {{first_name|you}}");
  g_signal_emit_by_name (next, "clicked");
  g_assert_cmpstr (ct_campaign_assistant_get_step (assistant), ==, "preview");
  ct_campaign_assistant_preview_as (assistant, 2);
  g_assert_true (has_substring (ct_campaign_assistant_get_warnings (assistant), "{{first_name}}"));
  g_assert_true (has_substring (ct_campaign_assistant_get_warnings (assistant), t5 = g_strdup_printf (TR ("“%s” is a phrase spam filters distrust"), "free")));
  g_assert_true (has_substring (ct_campaign_assistant_get_warnings (assistant), TR ("More than one exclamation mark looks like spam")));
  g_assert_true (has_substring (ct_campaign_assistant_get_warnings (assistant), TR ("No unsubscribe page is set in Preferences: the unsubscribe link opens a mail to you, and you must unsubscribe people by hand.")));
  g_assert_false (has_substring (ct_campaign_assistant_get_warnings (assistant), TR ("No postal address is set in Preferences: marketing mail must show one, and it will not be sent without it.")));
  /* As Ann: her name, and no missing-field warning. */
  ct_campaign_assistant_preview_as (assistant, 1);
  g_assert_false (has_substring (ct_campaign_assistant_get_warnings (assistant), "{{first_name}}"));
  g_assert_true (has_substring (ct_campaign_assistant_get_preview_text (assistant), "Hi Ann,"));
  g_assert_true (has_substring (ct_campaign_assistant_get_preview_text (assistant), "1 Market Street"));
  /* The preheader shows as an inbox shows it, apart from the body. */
  {
    g_autofree char *line = g_strdup_printf (TR ("Preview text: %s"), "Two new lessons for Ann");
    g_assert_cmpstr (ct_campaign_assistant_get_preview_preheader (assistant), ==, line);
  }
  g_assert_false (has_substring (ct_campaign_assistant_get_preview_text (assistant), "Two new lessons"));
  g_assert_nonnull (ct_test_find_label (GTK_WIDGET (assistant), t6 = g_strdup_printf (TR ("Subject: %s"), "FREE!! ACT NOW")));
  ct_test_spin (50);
  ct_test_screenshot (GTK_WIDGET (assistant), "campaign-preview");
  /* Without a postal address the preview says so. */
  save_settings (f, "");
  ct_campaign_assistant_preview_as (assistant, 1);
  g_assert_true (has_substring (ct_campaign_assistant_get_warnings (assistant), TR ("No postal address is set in Preferences: marketing mail must show one, and it will not be sent without it.")));
  save_settings (f, "1 Market Street, Springfield");

  /* Send: a test to the sender's own address, through the emulator. */
  ct_campaign_assistant_set_content (assistant, NULL, "New course for {{first_name|you}}",
                                     "Hi {{first_name|there}},\n\nIt is open.");
  g_signal_emit_by_name (next, "clicked");
  g_assert_cmpstr (ct_campaign_assistant_get_step (assistant), ==, "send");
  g_signal_emit_by_name (ct_test_find_button (GTK_WIDGET (assistant), TR ("Send a _Test to Me")), "clicked");
  {
    GtkLabel *label = find_label_prefix_in (GTK_WIDGET (assistant), TR ("Sending a test…"));
    g_assert_nonnull (label);
    g_assert_true (ct_test_wait_until (label_is, label, 20000));
    g_autofree char *went = g_strdup_printf (TR ("A test went to %s."), "news@shop.example");
    g_assert_cmpstr (gtk_label_get_text (label), ==, went);
  }
  g_assert_cmpuint (delivered (f, "news@shop.example"), ==, 1);
  ct_test_screenshot (GTK_WIDGET (assistant), "campaign-send");

  /* Send now: the page sends it in the background to the two
   * subscribed contacts, and never to the unsubscribed one. */
  f->emu->keep_messages = TRUE;
  g_signal_emit_by_name (ct_test_find_button (GTK_WIDGET (assistant), TR ("_Send")), "clicked");
  g_assert_true (ct_campaigns_view_is_sending (f->view) || delivered (f, "ann@example.com") == 1);
  g_assert_true (ct_test_wait_until (not_sending, f->view, 30000));
  g_assert_cmpuint (delivered (f, "ann@example.com"), ==, 1);
  g_assert_cmpuint (delivered (f, "nobody@example.com"), ==, 1);
  g_assert_cmpuint (delivered (f, "gone@example.com"), ==, 0);
  {
    CtEmuMessage *m = g_hash_table_lookup (f->emu->messages, "ann@example.com");

    g_assert_nonnull (m);
    g_assert_true (has_substring (m->html, "<span class=\"preheader\""));
    g_assert_true (has_substring (m->html, "Two new lessons for Ann"));
  }
  ct_test_spin (100);
  g_assert_nonnull (ct_test_find_label (GTK_WIDGET (f->view), TRC ("campaign", "Sent")));
  g_assert_nonnull (ct_test_find_button (GTK_WIDGET (f->view), t7 = g_strdup_printf ("%s 2", TRC ("campaign", "Recipients"))));
  g_assert_nonnull (ct_test_find_button (GTK_WIDGET (f->view), t8 = g_strdup_printf ("%s 0", TRC ("campaign", "Opened"))));

  /* Results update: an open pulled from the provider and a purchase. */
  {
    gint64 id = ct_campaign_find (f->db, "Launch", &error);
    g_autofree char *message_id = NULL;
    CtMailEvent event = { CT_MAIL_EVENT_OPENED, "ann@example.com", NULL, 0, NULL };
    g_autofree char *sql = NULL;
    CtOutboxSyncReport report = { 0 };

    g_assert_no_error (error);
    g_mutex_lock (&f->emu->lock);
    message_id = g_strdup (g_hash_table_lookup (f->emu->message_ids, "ann@example.com"));
    g_mutex_unlock (&f->emu->lock);
    event.message_id = message_id;
    event.at = g_get_real_time () / G_USEC_PER_SEC;
    g_assert_true (ct_outbox_apply_event (f->db, "test", &event, &report, &error));
    g_assert_no_error (error);
    ct_db_emit_changed (f->db, "outbox");
    sql = g_strdup_printf ("INSERT INTO purchases (contact_id, amount, currency, purchased_at)"
                           " VALUES (1, 19900, 'CNY', %lld)", (long long) event.at + 60);
    g_assert_true (ct_db_exec (f->db, sql, &error));
    ct_db_emit_changed (f->db, "purchases");
    ct_test_spin (100);
    g_assert_nonnull (ct_test_find_button (GTK_WIDGET (f->view), t9 = g_strdup_printf ("%s 1", TRC ("campaign", "Opened"))));
    g_assert_nonnull (ct_test_find_button (GTK_WIDGET (f->view), t10 = g_strdup_printf ("%s 1", TRC ("campaign", "Bought"))));
    g_assert_nonnull (ct_test_find_label (GTK_WIDGET (f->view), t11 = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Revenue %s (%lld purchase)", "Revenue %s (%lld purchases)", 1), "¥199.00", 1LL)));
    (void) id;
  }
  ct_test_screenshot (GTK_WIDGET (f->window), "campaigns-results");
}

static gboolean
match_progress (GtkWidget *w, gconstpointer data)
{
  return GTK_IS_PROGRESS_BAR (w) && gtk_widget_get_mapped (w);
}

static void
test_pause_resume_cancel (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtCampaignInfo) info = NULL;
  gint64 id;

  id = ct_campaign_create (f->db, "Later", "Hi", "Body", NULL, "{\"all\":true}", &error);
  g_assert_no_error (error);
  g_assert_true (ct_outbox_launch (f->db, id, NULL, NULL, &error));
  g_assert_true (ct_campaign_set_paused (f->db, id, TRUE, &error));
  ct_campaigns_view_reload (f->view);
  g_assert_nonnull (ct_test_find_label (GTK_WIDGET (f->view), TRC ("campaign", "Paused")));
  g_assert_nonnull (ct_test_find_widget (GTK_WIDGET (f->view), match_progress, NULL));
  /* Resume sends the rest. */
  g_signal_emit_by_name (ct_test_find_button (GTK_WIDGET (f->view), TR ("_Resume")), "clicked");
  g_assert_true (ct_test_wait_until (not_sending, f->view, 30000));
  g_assert_cmpuint (delivered (f, "ann@example.com"), ==, 1);
  info = ct_campaign_get_info (f->db, id, 7, &error);
  g_assert_cmpint (info->state, ==, CT_CAMPAIGN_SENT);

  /* Cancel a scheduled one: nothing goes. */
  id = ct_campaign_create (f->db, "Cancelled", "Hi", "Body", NULL, "{\"all\":true}", &error);
  g_assert_true (ct_campaign_schedule (f->db, id, g_get_real_time () / G_USEC_PER_SEC + 3600, &error));
  ct_campaigns_view_reload (f->view);
  g_signal_emit_by_name (ct_test_find_button (GTK_WIDGET (f->view), TR ("_Cancel")), "clicked");
  g_clear_pointer (&info, ct_campaign_info_free);
  info = ct_campaign_get_info (f->db, id, 7, &error);
  g_assert_cmpint (info->state, ==, CT_CAMPAIGN_CANCELLED);
}

static gboolean
match_named (GtkWidget *w, gconstpointer name)
{
  return gtk_widget_get_mapped (w) && g_strcmp0 (gtk_widget_get_name (w), name) == 0;
}

/* The A/B test from the assistant: subject B checked, the test launched
 * (a share, never everyone), its state on the Campaigns page, and the
 * winner once picked. */
static void
test_abtest (Fixture       *f,
             gconstpointer  data)
{
  CtCampaignAssistant *assistant;
  g_autoptr(GError) error = NULL;
  GtkWidget *next;
  CtAbTest test;
  gint64 id;
  gboolean decided = FALSE;

  /* Twenty more subscribed: 22 in all, a test of 50% is 11. */
  g_assert_true (ct_db_exec (f->db,
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)"
    " INSERT INTO contacts (email, first_name, status) SELECT 'p' || i || '@example.com', 'P' || i, 'subscribed' FROM n",
    &error));
  assistant = CT_CAMPAIGN_ASSISTANT (ct_campaigns_view_new_campaign (f->view));
  ct_test_show_window (GTK_WINDOW (assistant));
  next = ct_test_find_button (GTK_WIDGET (assistant), TR ("_Next"));
  g_signal_emit_by_name (next, "clicked");
  ct_campaign_assistant_set_content (assistant, "Spring", "Spring is here", "Hi {{first_name|there}}");
  ct_campaign_assistant_set_preheader (assistant, "New lessons inside");

  /* B empty, then B the same as A: refused, and said why. */
  ct_campaign_assistant_set_ab_test (assistant, "", 50, "clicks", 2);
  g_assert_nonnull (ct_test_find_widget (GTK_WIDGET (assistant), match_named, "subject-b-entry"));
  g_assert_nonnull (ct_test_find_widget (GTK_WIDGET (assistant), match_named, "ab-share-spin"));
  g_signal_emit_by_name (next, "clicked");
  g_assert_cmpstr (ct_campaign_assistant_get_step (assistant), ==, "content");
  g_assert_nonnull (ct_test_find_label (GTK_WIDGET (assistant), TR ("Write subject B for the A/B test, or turn the test off")));
  ct_campaign_assistant_set_ab_test (assistant, "Spring is here", 50, "clicks", 2);
  g_signal_emit_by_name (next, "clicked");
  g_assert_nonnull (ct_test_find_label (GTK_WIDGET (assistant), TR ("Subject B is the same as subject A: write another one to test")));
  ct_campaign_assistant_set_ab_test (assistant, "FREE spring lessons!!", 50, "clicks", 2);
  ct_test_spin (50);
  ct_test_screenshot (GTK_WIDGET (assistant), "campaign-abtest");
  g_signal_emit_by_name (next, "clicked");
  g_assert_cmpstr (ct_campaign_assistant_get_step (assistant), ==, "preview");
  ct_campaign_assistant_preview_as (assistant, 1);
  /* Both subjects in the preview, and B's spam findings. */
  {
    g_autofree char *lines = g_strdup_printf (TR ("Subject A: %s\nSubject B: %s"), "Spring is here", "FREE spring lessons!!");
    g_autofree char *finding = g_strdup_printf (TR ("Subject B: %s"), TR ("More than one exclamation mark looks like spam"));

    g_assert_nonnull (ct_test_find_label (GTK_WIDGET (assistant), lines));
    g_assert_true (has_substring (ct_campaign_assistant_get_warnings (assistant), finding));
  }
  ct_test_screenshot (GTK_WIDGET (assistant), "campaign-abtest-preview");
  g_signal_emit_by_name (next, "clicked");
  g_signal_emit_by_name (ct_test_find_button (GTK_WIDGET (assistant), TR ("_Send")), "clicked");
  g_assert_true (ct_test_wait_until (not_sending, f->view, 30000));

  /* Launched as a test: half of the 23 with an address (the
   * unsubscribed one is left out wherever the split puts them), the rest
   * waiting; nobody twice. */
  id = ct_campaign_find (f->db, "Spring", &error);
  g_assert_no_error (error);
  g_assert_true (ct_abtest_get (f->db, id, &test, &error));
  g_assert_cmpstr (test.state, ==, "testing");
  g_assert_cmpint (test.metric, ==, CT_ABTEST_CLICKS);
  g_assert_cmpuint (test.wait_hours, ==, 2);
  g_assert_cmpint (test.a_sent, >, 0);
  g_assert_cmpint (test.b_sent, >, 0);
  g_assert_cmpint (test.a_sent + test.b_sent, >=, 11);
  g_assert_cmpint (test.a_sent + test.b_sent, <=, 12);
  g_assert_cmpint (test.holdout, ==, 23 - 12);
  g_assert_cmpint (ct_db_query_int64 (f->db, "SELECT count(*) FROM campaigns WHERE preheader = 'New lessons inside'", NULL), ==, 2);
  g_assert_cmpuint (delivered (f, "gone@example.com"), ==, 0);
  ct_campaigns_view_reload (f->view);
  ct_test_spin (50);
  {
    g_autofree char *state = ct_campaigns_view_describe_abtest (f->view, id);
    g_autoptr(GDateTime) at = g_date_time_new_from_unix_local (test.decide_at);
    g_autofree char *when = g_date_time_format (at, TR ("%Y-%m-%d %H:%M"));
    g_autofree char *running = g_strdup_printf (TR ("A/B test running: subject A went to %lld, subject B to %lld; %lld wait for the winner, picked at %s."),
                                                (long long) test.a_sent, (long long) test.b_sent,
                                                (long long) test.holdout, when);
    g_autofree char *b_line = g_strdup_printf (TR ("Subject B of the A/B test “%s”: it goes out with subject A, never on its own."),
                                               "Spring");

    g_assert_nonnull (ct_test_find_widget (GTK_WIDGET (f->view), match_named, "abtest-label"));
    g_assert_cmpstr (state, ==, running);
    g_assert_nonnull (ct_test_find_label (GTK_WIDGET (f->view), state));
    g_assert_nonnull (ct_test_find_label (GTK_WIDGET (f->view), b_line));
  }
  /* Neither half can be sent to everyone from the page. */
  g_assert_false (ct_outbox_launch (f->db, test.variant_id, NULL, NULL, &error));
  g_clear_error (&error);
  ct_test_screenshot (f->window, "campaigns-abtest-testing");

  /* The wait is over: B got a click, and wins. */
  g_assert_true (ct_db_exec (f->db, "INSERT INTO mail_events (outbox_id, type, at)"
                                    " SELECT id, 'clicked', unixepoch() FROM outbox WHERE campaign_id ="
                                    " (SELECT variant_id FROM ab_tests) LIMIT 1", &error));
  g_assert_true (ct_abtest_decide (f->db, id, g_get_real_time () / G_USEC_PER_SEC + 3 * 3600, &decided, &error));
  g_assert_true (decided);
  ct_campaigns_view_reload (f->view);
  ct_test_spin (50);
  {
    g_autofree char *state = ct_campaigns_view_describe_abtest (f->view, id);
    g_autofree char *won = g_strdup_printf (TR ("A/B test decided: subject %s won, clicked by %.1f%% against %.1f%%, and went to the rest: “%s”."),
                                            "B", 100.0 / 5, 0.0, "FREE spring lessons!!");

    g_assert_nonnull (state);
    g_assert_true (has_substring (state, "FREE spring lessons!!"));
    g_assert_nonnull (ct_test_find_label (GTK_WIDGET (f->view), state));
    (void) won;
  }
  ct_test_screenshot (f->window, "campaigns-abtest-decided");
}

/* "Send a campaign to this segment": the assistant opens with it. */
static void
test_segment_audience (Fixture       *f,
                       gconstpointer  data)
{
  GtkWindow *assistant = ct_campaigns_view_new_campaign_for_segment (f->view, 1);
  g_autofree char *audience = ct_campaign_assistant_dup_audience (CT_CAMPAIGN_ASSISTANT (assistant));
  g_autofree char *in = plural ("%lld contact will receive it.", "%lld contacts will receive it.", 1);
  g_autofree char *out = plural ("%lld is left out: unsubscribed, bounced or suppressed.",
                                 "%lld are left out: unsubscribed, bounced or suppressed.", 1);

  ct_test_show_window (assistant);
  g_assert_cmpstr (audience, ==, "{\"segment\":1}");
  g_assert_true (has_substring (ct_campaign_assistant_get_count_text (CT_CAMPAIGN_ASSISTANT (assistant)), in));
  g_assert_true (has_substring (ct_campaign_assistant_get_count_text (CT_CAMPAIGN_ASSISTANT (assistant)), out));
  ct_test_screenshot (GTK_WIDGET (assistant), "campaign-from-segment");
}

/* No postal address: the page refuses to start sending and says what
 * to do; nothing is queued. */
static void
test_postal_required (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 id;

  save_settings (f, "");
  id = ct_campaign_create (f->db, "No address", "Hi", "Body", NULL, "{\"all\":true}", &error);
  g_assert_no_error (error);
  ct_campaigns_view_reload (f->view);
  g_signal_emit_by_name (ct_test_find_button (GTK_WIDGET (f->view), TR ("_Send Now")), "clicked");
  g_assert_nonnull (ct_test_find_label (GTK_WIDGET (f->view), TR ("No postal address is set: marketing mail must show one. Add it in Preferences, Sending, then send again.")));
  g_assert_false (ct_campaigns_view_is_sending (f->view));
  g_assert_cmpint (ct_db_query_int64 (f->db, "SELECT count(*) FROM outbox", NULL), ==, 0);
  (void) id;
}

static gboolean
match_name (GtkWidget *w, gconstpointer data)
{
  return g_strcmp0 (gtk_widget_get_name (w), data) == 0;
}

/* A campaign sent through SendGrid without its Email Activity add-on:
 * the page says why deliveries, opens and clicks are not counted,
 * instead of showing zeros. */
static void
test_activity_unavailable (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *delivered_text = g_strdup_printf (TRC ("campaign result", "%s —"),
                                                     TRC ("campaign", "Delivered"));
  GtkWidget *note, *button;
  gint64 id;

  id = ct_campaign_create (f->db, "Grid", "Hi", "Body", NULL, "{\"all\":true}", &error);
  g_assert_no_error (error);
  g_assert_true (ct_outbox_launch (f->db, id, NULL, NULL, &error));
  g_assert_true (ct_db_exec (f->db,
    "UPDATE outbox SET state = 'sent', sent_at = unixepoch(), provider_message_id = 'sg-1';"
    "UPDATE campaigns SET provider = 'sendgrid', status = 'sent', finished_at = unixepoch();"
    "INSERT INTO settings (key, value) VALUES ('mail.activity_unavailable', 'sendgrid');", &error));
  g_assert_no_error (error);
  ct_campaigns_view_reload (f->view);

  note = ct_test_find_widget (GTK_WIDGET (f->view), match_name, "activity-note");
  g_assert_nonnull (note);
  g_assert_true (has_substring (gtk_label_get_text (GTK_LABEL (note)), "Email Activity"));
  button = ct_test_find_widget (GTK_WIDGET (f->view), match_name, "result-1");
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, delivered_text);
  g_assert_false (gtk_widget_get_sensitive (button));
  ct_test_screenshot (f->window, "campaigns-activity-unavailable");
}

static gboolean
not_testing (gpointer data)
{
  return !ct_sending_page_is_testing (data);
}

/* Preferences, Sending: the key is stored and never shown back; Test
 * connection says in words what happened. */
static void
test_sending_page (Fixture       *f,
                   gconstpointer  data)
{
  CtSendingPage *page;
  GtkWidget *window = adw_preferences_window_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *connected = g_strdup_printf (TR ("Connected: %s accepted the API key."),
                                                ct_mail_provider_kind_display_name (CT_MAIL_PROVIDER_POSTMARK));

  /* The key must come from the page, not the environment. */
  g_unsetenv (CT_MAIL_KEY_ENV);
  page = ct_sending_page_new (f->context);
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (window), ADW_PREFERENCES_PAGE (page));
  ct_test_show_window (GTK_WINDOW (window));

  ct_sending_page_fill (page, CT_MAIL_PROVIDER_POSTMARK, f->emu->base_url, "no-at-sign", "", "wrong-key");
  g_assert_false (ct_sending_page_save (page));
  g_assert_true (has_substring (ct_sending_page_get_status (page), "“@”"));

  ct_sending_page_fill (page, CT_MAIL_PROVIDER_POSTMARK, f->emu->base_url, "Shop <news@shop.example>",
                        "1 Market Street", "wrong-key");
  ct_sending_page_test (page);
  g_assert_true (ct_test_wait_until (not_testing, page, 20000));
  g_assert_true (has_substring (ct_sending_page_get_status (page), TR ("The provider refused the API key: it is wrong, revoked, or lacks the right to send.")));
  g_assert_false (has_substring (ct_sending_page_get_status (page), "wrong-key"));

  ct_sending_page_fill (page, CT_MAIL_PROVIDER_POSTMARK, f->emu->base_url, "Shop <news@shop.example>",
                        "1 Market Street", KEY);
  ct_sending_page_test (page);
  g_assert_true (ct_test_wait_until (not_testing, page, 20000));
  g_assert_true (has_substring (ct_sending_page_get_status (page), connected));
  /* Stored, and the field emptied: the key is never shown back. */
  stored = ct_mail_secret_lookup ("postmark", ct_db_get_path (f->db), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored, ==, KEY);
  g_assert_nonnull (ct_test_find_widget (GTK_WIDGET (page), match_prefix, TR ("API Key (one is stored; type to replace it)")));
  ct_test_screenshot (window, "preferences-sending");
  ct_mail_secret_clear ("postmark", ct_db_get_path (f->db), NULL);

  /* Business name, sending rate, attribution window: checked, stored,
   * and the Campaigns page counts with the new window. */
  {
    g_autofree char *long_name = g_strnfill (201, 'x');
    g_autoptr(CtMailSettings) settings = NULL;
    g_autofree char *name = NULL;

    ct_sending_page_fill_business (page, long_name, 5, 14);
    g_assert_false (ct_sending_page_save (page));
    g_assert_true (has_substring (ct_sending_page_get_status (page), TR ("The business name is longer than 200 characters")));
    ct_sending_page_fill_business (page, " 知识小铺 Studio ", 2.5, 14);
    g_assert_true (ct_sending_page_save (page));
    name = ct_report_dup_business_name (f->db, &error);
    g_assert_cmpstr (name, ==, "知识小铺 Studio");
    settings = ct_mail_settings_load (f->db, &error);
    g_assert_cmpfloat (settings->message_rate, ==, 2.5);
    g_assert_cmpuint (ct_campaign_get_window_days (f->db), ==, 14);
    g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (
      gtk_widget_get_template_child (GTK_WIDGET (f->view), CT_TYPE_CAMPAIGNS_VIEW, "window_spin"))), ==, 14);
    ct_test_screenshot (window, "preferences-business");
  }
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("CLIENTELE_LOCALEDIR");

  if (localedir != NULL && *localedir != '\0')
    {
      setlocale (LC_ALL, "");
      bindtextdomain (GETTEXT_PACKAGE, localedir);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_assert_nonnull (ct_get_resource ());
  ct_test_add_icons ();

#define ADD(path, func) \
  g_test_add ("/gui/campaigns/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("assistant", test_assistant);
  ADD ("pause-resume-cancel", test_pause_resume_cancel);
  ADD ("sending-preferences", test_sending_page);
  ADD ("abtest", test_abtest);
  ADD ("segment-audience", test_segment_audience);
  ADD ("postal-required", test_postal_required);
  ADD ("activity-unavailable", test_activity_unavailable);

  return g_test_run ();
}
