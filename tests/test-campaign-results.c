/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-campaign-results.c: campaign results, attribution, pause/cancel,
 * audience counts and the subject check */
#include "config.h"

#include <string.h>
#include <glib.h>

#include "ct-abtest.h"
#include "ct-campaign-results.h"
#include "ct-outbox.h"
#include "ct-segment.h"
#include "ct-test-db.h"

#define DAY 86400

/* Five contacts; campaign 1 sent to 1-4 at T, 3 opened and clicked, 4
 * bounced, 5 unsubscribed beforehand and never mailed. Contact 2 buys
 * twice inside the window and once after it, 3 buys a refunded item
 * inside it, 5 buys inside it without having been mailed. */
static void
fill (CtTestDb *t,
      gint64    sent_at)
{
  g_autofree char *sql = g_strdup_printf (
    "INSERT INTO contacts (id, email, first_name, status) VALUES"
    " (1,'a@x.test','A','subscribed'), (2,'b@x.test','B','subscribed'),"
    " (3,'c@x.test','C','subscribed'), (4,'d@x.test','D','subscribed'),"
    " (5,'e@x.test','E','unsubscribed');"
    "INSERT INTO campaigns (id, name, subject, status, launched_at) VALUES"
    " (1,'Launch','New course','sent',%1$lld);"
    "INSERT INTO outbox (id, campaign_id, contact_id, email, state, idempotency_key, sent_at) VALUES"
    " (1,1,1,'a@x.test','sent','k1',%1$lld), (2,1,2,'b@x.test','sent','k2',%1$lld),"
    " (3,1,3,'c@x.test','sent','k3',%1$lld), (4,1,4,'d@x.test','rejected','k4',NULL);"
    "INSERT INTO mail_events (outbox_id, type, at) VALUES"
    " (1,'delivered',%1$lld), (2,'delivered',%1$lld), (3,'delivered',%1$lld),"
    " (3,'opened',%1$lld), (3,'clicked',%1$lld), (4,'bounced',%1$lld);"
    "INSERT INTO purchases (contact_id, amount, currency, purchased_at, refunded) VALUES"
    " (2, 19900, 'CNY', %1$lld + 3600, 0), (2, 9900, 'CNY', %1$lld + 6 * %2$d, 0),"
    " (2, 50000, 'CNY', %1$lld + 8 * %2$d, 0), (2, 500, 'CNY', %1$lld - 10, 0),"
    " (1, 1000, 'USD', %1$lld + 60, 0),"
    " (3, 29900, 'CNY', %1$lld + 60, 1), (5, 8800, 'CNY', %1$lld + 60, 0);",
    (long long) sent_at, DAY);

  ct_test_db_exec (t, sql);
}

static void
test_results (void)
{
  CtTestDb t;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtCampaignInfo) info = NULL;
  g_autoptr(CtCampaignInfo) wide = NULL;
  g_autoptr(GArray) bought = NULL;
  g_autoptr(GArray) opened = NULL;
  gint64 t0 = g_get_real_time () / G_USEC_PER_SEC - 30 * DAY;

  ct_test_db_set_up (&t, "clientele-test-campaign-XXXXXX");
  fill (&t, t0);

  info = ct_campaign_get_info (t.db, 1, CT_CAMPAIGN_DEFAULT_WINDOW_DAYS, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->name, ==, "Launch");
  g_assert_cmpint (info->state, ==, CT_CAMPAIGN_SENT);
  g_assert_cmpint (info->results[CT_CAMPAIGN_RESULT_RECIPIENTS], ==, 4);
  g_assert_cmpint (info->results[CT_CAMPAIGN_RESULT_DELIVERED], ==, 3);
  g_assert_cmpint (info->results[CT_CAMPAIGN_RESULT_OPENED], ==, 1);
  g_assert_cmpint (info->results[CT_CAMPAIGN_RESULT_CLICKED], ==, 1);
  g_assert_cmpint (info->results[CT_CAMPAIGN_RESULT_BOUNCED], ==, 1);
  g_assert_cmpint (info->results[CT_CAMPAIGN_RESULT_UNSUBSCRIBED], ==, 0);
  /* Buyers 1 (USD) and 2; not 3 (refunded), not 5 (never mailed). */
  g_assert_cmpint (info->results[CT_CAMPAIGN_RESULT_PURCHASED], ==, 2);
  /* Two CNY purchases inside 7 days; the one before sending and the one
   * on day 8 are out; the USD one is reported apart. */
  g_assert_cmpstr (info->currency, ==, "CNY");
  g_assert_cmpint (info->purchases, ==, 2);
  g_assert_cmpint (info->revenue, ==, 19900 + 9900);
  g_assert_cmpint (info->other_currency, ==, 1);

  /* A 10-day window takes in the day-8 purchase. */
  wide = ct_campaign_get_info (t.db, 1, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wide->purchases, ==, 3);
  g_assert_cmpint (wide->revenue, ==, 19900 + 9900 + 50000);

  bought = ct_campaign_result_contacts (t.db, 1, CT_CAMPAIGN_RESULT_PURCHASED, 7, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bought->len, ==, 2);
  g_assert_cmpint (g_array_index (bought, gint64, 0), ==, 1);
  g_assert_cmpint (g_array_index (bought, gint64, 1), ==, 2);
  opened = ct_campaign_result_contacts (t.db, 1, CT_CAMPAIGN_RESULT_OPENED, 7, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (opened->len, ==, 1);
  g_assert_cmpint (g_array_index (opened, gint64, 0), ==, 3);

  g_assert_null (ct_campaign_get_info (t.db, 99, 7, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);

  ct_test_db_tear_down (&t);
}

static void
test_pause_cancel (void)
{
  CtTestDb t;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  CtCampaignInfo *info;
  gint64 dropped = -1;

  ct_test_db_set_up (&t, "clientele-test-campaign-XXXXXX");
  ct_test_db_exec (&t,
    "INSERT INTO contacts (id, email, status) VALUES (1,'a@x.test','subscribed'), (2,'b@x.test','subscribed');"
    "INSERT INTO campaigns (id, name, subject, status) VALUES (1,'Going','Hi','sending'), (2,'Draft','Hi','draft');"
    "INSERT INTO outbox (campaign_id, contact_id, email, state, idempotency_key) VALUES"
    " (1,1,'a@x.test','sent','k1'), (1,2,'b@x.test','queued','k2');"
    /* An automation's own campaign, not listed with the user's. */
    "INSERT INTO automations (id, name, trigger, subject) VALUES (1,'Welcome','new_contact','Hello');"
    "INSERT INTO campaigns (id, name, subject, status, automation_id)"
    " VALUES (3,'Welcome #1','Hello','sent',1);");

  /* Only a campaign being sent pauses. */
  g_assert_false (ct_campaign_set_paused (t.db, 2, TRUE, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (ct_campaign_set_paused (t.db, 1, TRUE, &error));
  g_assert_no_error (error);
  list = ct_campaign_list (t.db, 7, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  info = g_ptr_array_index (list, 0);
  g_assert_cmpstr (info->name, ==, "Draft");
  g_assert_cmpint (info->state, ==, CT_CAMPAIGN_DRAFT);
  info = g_ptr_array_index (list, 1);
  g_assert_cmpint (info->state, ==, CT_CAMPAIGN_PAUSED);
  g_assert_cmpint (info->counts.queued, ==, 1);
  g_clear_pointer (&list, g_ptr_array_unref);

  /* The sender leaves a paused campaign alone: no request goes out (the
   * provider's address answers nothing, so one would fail) and the row
   * stays queued. */
  {
    g_autoptr(CtMailSettings) settings = ct_mail_settings_load (t.db, &error);
    g_autoptr(CtMailProvider) provider = ct_mail_provider_new (CT_MAIL_PROVIDER_POSTMARK,
                                                               "http://127.0.0.1:9", "key");
    CtOutboxOptions options;
    CtOutboxReport report = { 0 };

    g_assert_no_error (error);
    ct_outbox_options_init (&options, settings, provider);
    g_assert_true (ct_outbox_send (t.db, provider, settings, &options, 0, &report, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (report.requests, ==, 0);
    info = ct_campaign_get_info (t.db, 1, 7, &error);
    g_assert_cmpint (info->counts.queued, ==, 1);
    g_assert_cmpint (info->state, ==, CT_CAMPAIGN_PAUSED);
    ct_campaign_info_free (info);
  }

  g_assert_true (ct_campaign_set_paused (t.db, 1, FALSE, &error));
  g_assert_no_error (error);
  info = ct_campaign_get_info (t.db, 1, 7, &error);
  g_assert_cmpint (info->state, ==, CT_CAMPAIGN_SENDING);
  ct_campaign_info_free (info);

  g_assert_true (ct_campaign_cancel (t.db, 1, &dropped, &error));
  g_assert_no_error (error);
  g_assert_cmpint (dropped, ==, 1);
  info = ct_campaign_get_info (t.db, 1, 7, &error);
  g_assert_cmpint (info->state, ==, CT_CAMPAIGN_CANCELLED);
  g_assert_cmpint (info->counts.dropped, ==, 1);
  g_assert_cmpint (info->counts.sent, ==, 1);
  g_assert_cmpint (info->results[CT_CAMPAIGN_RESULT_RECIPIENTS], ==, 1);
  ct_campaign_info_free (info);

  g_assert_false (ct_campaign_cancel (t.db, 1, NULL, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);

  ct_test_db_tear_down (&t);
}

static void
test_audience (void)
{
  CtTestDb t;
  g_autoptr(GError) error = NULL;
  gint64 in = -1, out = -1;

  ct_test_db_set_up (&t, "clientele-test-campaign-XXXXXX");
  ct_test_db_exec (&t,
    "INSERT INTO contacts (id, email, status) VALUES (1,'a@x.test','subscribed'),"
    " (2,'b@x.test','unsubscribed'), (3,'c@x.test','bounced'), (4,'d@x.test','subscribed'),"
    " (5,'not-an-address','subscribed'), (6, NULL, 'subscribed');"
    "INSERT INTO suppressions (email, reason) VALUES ('D@x.test','manual');"
    "INSERT INTO tags (id, name) VALUES (1,'vip');"
    "INSERT INTO contact_tags (contact_id, tag_id) VALUES (1,1), (2,1);");

  g_assert_true (ct_campaign_count_audience (t.db, "{\"all\":true}", &in, &out, &error));
  g_assert_no_error (error);
  g_assert_cmpint (in, ==, 1);
  g_assert_cmpint (out, ==, 4);
  g_assert_true (ct_campaign_count_audience (t.db, "{\"tag\":\"vip\"}", &in, &out, &error));
  g_assert_cmpint (in, ==, 1);
  g_assert_cmpint (out, ==, 1);
  /* A saved segment: its members, less those who may not be mailed,
   * counted and launched alike. */
  {
    g_autoptr(CtSegmentRule) vip = ct_segment_rule_parse (
      "{\"match\": \"all\", \"conditions\": [{\"field\": \"tag\", \"op\": \"has\", \"value\": \"vip\"}]}", &error);
    g_autofree char *audience = NULL;
    gint64 segment, campaign, queued = -1, excluded = -1;

    g_assert_no_error (error);
    segment = ct_segment_save (t.db, "VIPs", vip, &error);
    g_assert_no_error (error);
    audience = g_strdup_printf ("{\"segment\":%lld}", (long long) segment);
    g_assert_true (ct_campaign_count_audience (t.db, audience, &in, &out, &error));
    g_assert_no_error (error);
    g_assert_cmpint (in, ==, 1);
    g_assert_cmpint (out, ==, 1);
    campaign = ct_campaign_create (t.db, "To VIPs", "Hi", "Body", NULL, audience, &error);
    g_assert_no_error (error);
    g_assert_true (ct_outbox_launch (t.db, campaign, &queued, &excluded, &error));
    g_assert_no_error (error);
    g_assert_cmpint (queued, ==, 1);
    g_assert_cmpint (excluded, ==, 1);
    g_assert_cmpint (ct_db_query_int64 (t.db, "SELECT contact_id FROM outbox", NULL), ==, 1);
  }
  g_assert_false (ct_campaign_count_audience (t.db, "{\"segment\":99}", &in, &out, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (ct_campaign_count_audience (t.db, "{\"list\":3}", &in, &out, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ct_campaign_count_audience (t.db, "[", &in, &out, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);

  ct_test_db_tear_down (&t);
}

static void
test_subject (void)
{
  g_autoptr(GPtrArray) clean = ct_campaign_check_subject ("My new course on bookkeeping is open");
  g_autoptr(GPtrArray) zh = ct_campaign_check_subject ("新课上线：记账入门");
  g_autoptr(GPtrArray) spam = ct_campaign_check_subject ("FREE MONEY!! ACT NOW");
  g_autoptr(GPtrArray) zh_spam = ct_campaign_check_subject ("限时免费领取");
  g_autoptr(GPtrArray) vip = ct_campaign_check_subject ("VIP offer for you");
  g_autoptr(GPtrArray) empty = ct_campaign_check_subject ("");

  g_assert_cmpuint (clean->len, ==, 0);
  g_assert_cmpuint (zh->len, ==, 0);
  g_assert_cmpuint (vip->len, ==, 0);
  g_assert_cmpuint (empty->len, ==, 0);
  /* "free", "act now", two "!" and capitals. */
  g_assert_cmpuint (spam->len, ==, 4);
  g_assert_cmpuint (zh_spam->len, ==, 2);
}

/* The tier and points merge fields come from the loyalty tables: a
 * renamed tier by its new name, a default one by its label, a contact
 * not placed yet in the lowest tier with no points. */
static void
test_loyalty_values (void)
{
  CtTestDb t;
  g_autoptr(GError) error = NULL;
  char *values[CT_MAIL_N_FIELDS];

  ct_test_db_set_up (&t, "clientele-test-campaign-XXXXXX");
  ct_test_db_exec (&t,
    "INSERT INTO contacts (id, email, first_name) VALUES (1,'a@x.test','Ann'), (2,'b@x.test','Bo'), (3,'c@x.test','Cy');"
    "UPDATE tiers SET name = 'Black Card', builtin = NULL WHERE level = 3;"
    "INSERT INTO contact_loyalty (contact_id, tier_level, points) VALUES (1, 2, 120), (2, 3, 7);");

  g_assert_true (ct_outbox_contact_values (t.db, 1, values, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (values[CT_MAIL_FIELD_TIER], ==, "Gold");
  g_assert_cmpstr (values[CT_MAIL_FIELD_POINTS], ==, "120");
  for (guint i = 0; i < CT_MAIL_N_FIELDS; i++)
    g_free (values[i]);

  g_assert_true (ct_outbox_contact_values (t.db, 2, values, &error));
  g_assert_cmpstr (values[CT_MAIL_FIELD_TIER], ==, "Black Card");
  g_assert_cmpstr (values[CT_MAIL_FIELD_POINTS], ==, "7");
  for (guint i = 0; i < CT_MAIL_N_FIELDS; i++)
    g_free (values[i]);

  g_assert_true (ct_outbox_contact_values (t.db, 3, values, &error));
  g_assert_cmpstr (values[CT_MAIL_FIELD_TIER], ==, "Member");
  g_assert_cmpstr (values[CT_MAIL_FIELD_POINTS], ==, "0");
  for (guint i = 0; i < CT_MAIL_N_FIELDS; i++)
    g_free (values[i]);

  ct_test_db_tear_down (&t);
}

/* The owner's attribution window: stored, checked, and what a window
 * of 0 means to the results. */
static void
test_window_setting (void)
{
  CtTestDb t;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtCampaignInfo) info = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GArray) bought = NULL;
  gint64 t0 = g_get_real_time () / G_USEC_PER_SEC - 30 * DAY;

  ct_test_db_set_up (&t, "clientele-test-campaign-XXXXXX");
  fill (&t, t0);
  g_assert_cmpuint (ct_campaign_get_window_days (t.db), ==, CT_CAMPAIGN_DEFAULT_WINDOW_DAYS);

  /* The default window: contact 2's purchases at +1 h and +6 days. */
  info = ct_campaign_get_info (t.db, 1, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (info->purchases, ==, 2);
  g_clear_pointer (&info, ct_campaign_info_free);

  /* Ten days takes in the one at +8 days, in each way of asking. */
  g_assert_true (ct_campaign_set_window_days (t.db, 10, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ct_campaign_get_window_days (t.db), ==, 10);
  info = ct_campaign_get_info (t.db, 1, 0, &error);
  g_assert_cmpint (info->purchases, ==, 3);
  list = ct_campaign_list (t.db, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((CtCampaignInfo *) g_ptr_array_index (list, 0))->purchases, ==, 3);
  /* An explicit window still wins. */
  g_clear_pointer (&info, ct_campaign_info_free);
  info = ct_campaign_get_info (t.db, 1, 7, &error);
  g_assert_cmpint (info->purchases, ==, 2);
  /* Buyers 1 (in dollars) and 2, under the owner's window too. */
  bought = ct_campaign_result_contacts (t.db, 1, CT_CAMPAIGN_RESULT_PURCHASED, 0, &error);
  g_assert_cmpuint (bought->len, ==, 2);

  /* Out of range: refused with a message naming the range; kept as was. */
  g_assert_false (ct_campaign_set_window_days (t.db, 0, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "365"));
  g_clear_error (&error);
  g_assert_false (ct_campaign_set_window_days (t.db, 366, &error));
  g_clear_error (&error);
  g_assert_cmpuint (ct_campaign_get_window_days (t.db), ==, 10);
  /* A value broken by hand falls back to the default. */
  ct_test_db_exec (&t, "UPDATE settings SET value = 'soon' WHERE key = 'campaigns.attribution_days'");
  g_assert_cmpuint (ct_campaign_get_window_days (t.db), ==, CT_CAMPAIGN_DEFAULT_WINDOW_DAYS);
  ct_test_db_tear_down (&t);
}

/* Cancelling either half of an A/B test cancels the test: both
 * campaigns, what they have queued, and the rest waiting for the
 * winner, who then never get it. */
static void
test_cancel_abtest (void)
{
  CtTestDb t;
  g_autoptr(GError) error = NULL;
  gint64 a, b, now = g_get_real_time () / G_USEC_PER_SEC;
  gboolean decided = FALSE;
  CtAbTest test;

  ct_test_db_set_up (&t, "clientele-test-campaign-XXXXXX");
  ct_test_db_exec (&t, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40)"
                       " INSERT INTO contacts (email, status) SELECT 'p' || i || '@x.test', 'subscribed' FROM n");
  a = ct_campaign_create (t.db, "Test", "Subject A", "Body", NULL, "{\"all\":true}", &error);
  g_assert_no_error (error);
  g_assert_true (ct_abtest_create (t.db, a, "Subject B", 0.5, CT_ABTEST_OPENS, 2, &error));
  g_assert_true (ct_abtest_get (t.db, a, &test, &error));
  b = test.variant_id;
  g_assert_true (ct_abtest_launch (t.db, a, now, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ct_db_query_int64 (t.db, "SELECT count(*) FROM ab_holdout", NULL), ==, 20);

  g_assert_true (ct_campaign_cancel (t.db, b, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ct_db_query_int64 (t.db, "SELECT count(*) FROM campaigns WHERE status = 'cancelled'", NULL), ==, 2);
  g_assert_cmpint (ct_db_query_int64 (t.db, "SELECT count(*) FROM outbox WHERE state = 'queued'", NULL), ==, 0);
  g_assert_cmpint (ct_db_query_int64 (t.db, "SELECT count(*) FROM ab_holdout", NULL), ==, 0);
  /* The wait ends: nobody is queued, nothing comes back to life. */
  g_assert_true (ct_abtest_decide (t.db, a, now + 3 * 3600, &decided, &error));
  g_assert_cmpint (ct_db_query_int64 (t.db, "SELECT count(*) FROM outbox WHERE state = 'queued'", NULL), ==, 0);
  g_assert_cmpint (ct_db_query_int64 (t.db, "SELECT count(*) FROM campaigns WHERE status = 'cancelled'", NULL), ==, 2);
  ct_test_db_tear_down (&t);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/campaign/results", test_results);
  g_test_add_func ("/campaign/pause-cancel", test_pause_cancel);
  g_test_add_func ("/campaign/audience", test_audience);
  g_test_add_func ("/campaign/subject", test_subject);
  g_test_add_func ("/campaign/loyalty-values", test_loyalty_values);
  g_test_add_func ("/campaign/window-setting", test_window_setting);
  g_test_add_func ("/campaign/cancel-abtest", test_cancel_abtest);
  return g_test_run ();
}
