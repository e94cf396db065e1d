/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-outbox.c: the sending engine against a local emulator of each
 * provider: batches, outcomes per recipient, failures, the key, sync,
 * and kills at random moments. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "ct-abtest.h"
#include "ct-campaign-results.h"
#include "ct-mail-emulator.h"
#include "ct-mail-secret.h"
#include "ct-mail-template.h"
#include "ct-outbox.h"
#include "ct-privacy.h"
#include "ct-test-db.h"

#define KEY "key-SECRET-0123456789abcdef"

/* ---- templates ---------------------------------------------------------- */

static void
test_template_fields (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtMailTemplate) text = ct_mail_template_new ("Hi {{first_name|there}}, {{ points | 0 }} points", CT_MAIL_TEMPLATE_TEXT, &error);
  g_autoptr(CtMailTemplate) html = ct_mail_template_new ("<p>{{first_name|friend}}</p>", CT_MAIL_TEMPLATE_HTML, &error);
  const char *values[CT_MAIL_N_FIELDS] = { 0 };
  g_autofree char *a = NULL, *b = NULL, *c = NULL;

  g_assert_no_error (error);
  a = ct_mail_template_render (text, values);
  g_assert_cmpstr (a, ==, "Hi there, 0 points");
  values[CT_MAIL_FIELD_FIRST_NAME] = "<b>Ann</b> & co";
  values[CT_MAIL_FIELD_POINTS] = "120";
  b = ct_mail_template_render (text, values);
  g_assert_cmpstr (b, ==, "Hi <b>Ann</b> & co, 120 points");
  c = ct_mail_template_render (html, values);
  g_assert_cmpstr (c, ==, "<p>&lt;b&gt;Ann&lt;/b&gt; &amp; co</p>");
}

static void
test_template_errors (void)
{
  g_autoptr(GError) error = NULL;
  CtMailTemplate *t;

  t = ct_mail_template_new ("Hi {{frist_name}}", CT_MAIL_TEMPLATE_TEXT, &error);
  g_assert_null (t);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "frist_name"));
  g_clear_error (&error);
  t = ct_mail_template_new ("Hi {{first_name", CT_MAIL_TEMPLATE_TEXT, &error);
  g_assert_null (t);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

static void
test_content_markdown (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtMailContent) content = ct_mail_content_new ("Hello {{first_name|there}}",
                                                          "# News\n\nDear **{{first_name|friend}}**,\n\n<script>x()</script>",
                                                          "1 Road\nCity", "Unsubscribe", &error);
  const char *values[CT_MAIL_N_FIELDS] = { 0 };
  g_autofree char *html = NULL, *text = NULL;

  g_assert_no_error (error);
  values[CT_MAIL_FIELD_FIRST_NAME] = "Zoë <3";
  values[CT_MAIL_FIELD_UNSUBSCRIBE_URL] = "https://u.example/x?a=1&b=2";
  html = ct_mail_template_render (content->html, values);
  (void) text;
  g_assert_nonnull (strstr (html, "<h1>News</h1>"));
  g_assert_nonnull (strstr (html, "<strong>Zoë &lt;3</strong>"));
  g_assert_null (strstr (html, "<script>"));
  g_assert_nonnull (strstr (html, "1 Road<br>City"));
  g_assert_nonnull (strstr (html, "href=\"https://u.example/x?a=1&amp;b=2\""));
}

/* The preheader: first in the body, hidden, escaped, with its merge
 * fields filled; one line only; not in the plain text. */
static void
test_content_preheader (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtMailContent) content = ct_mail_content_new_full ("Hello", "Inside: {{first_name|you}} <b>&</b>",
                                                               "Body text", "1 Road", "Unsubscribe", &error);
  g_autoptr(CtMailContent) plain = NULL;
  g_autoptr(CtMailContent) empty = NULL;
  const char *values[CT_MAIL_N_FIELDS] = { 0 };
  g_autofree char *html = NULL, *text = NULL, *html_plain = NULL, *html_empty = NULL;
  const char *span, *body;

  g_assert_no_error (error);
  values[CT_MAIL_FIELD_FIRST_NAME] = "Zoë <3";
  html = ct_mail_template_render (content->html, values);
  text = ct_mail_template_render (content->text, values);
  span = strstr (html, "<span class=\"preheader\" style=\"display:none");
  body = strstr (html, "<p>Body text</p>");
  g_assert_nonnull (span);
  g_assert_nonnull (body);
  g_assert_true (span < body);
  g_assert_true (g_str_has_prefix (strstr (html, "<body>\n"), "<body>\n<span class=\"preheader\""));
  g_assert_nonnull (strstr (span, ">Inside: Zoë &lt;3 &lt;b&gt;&amp;&lt;/b&gt;&zwnj;&nbsp;"));
  g_assert_null (strstr (text, "Inside"));

  /* None given, or blank: no span at all. */
  plain = ct_mail_content_new ("Hello", "Body", "", "Unsubscribe", &error);
  html_plain = ct_mail_template_render (plain->html, values);
  g_assert_null (strstr (html_plain, "preheader"));
  empty = ct_mail_content_new_full ("Hello", "", "Body", "", "Unsubscribe", &error);
  html_empty = ct_mail_template_render (empty->html, values);
  g_assert_null (strstr (html_empty, "preheader"));

  /* One line, and its merge fields are checked. */
  g_assert_null (ct_mail_content_new_full ("Hello", "one\ntwo", "Body", "", "Unsubscribe", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_null (ct_mail_content_new_full ("Hello", "Hi {{frist_name}}", "Body", "", "Unsubscribe", &error));
  g_assert_nonnull (strstr (error->message, "frist_name"));
}

/* ---- fixtures ----------------------------------------------------------- */

typedef struct
{
  CtTestDb t;
  CtMailEmulator *emu;
  CtMailSettings *settings;
  CtMailProvider *provider;
  CtOutboxOptions options;
  gint64 campaign;
} Fixture;

static void
add_contacts (CtTestDb *t,
              guint     n)
{
  ct_test_db_exec (t, "BEGIN");
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *sql = g_strdup_printf ("INSERT INTO contacts (email, first_name, last_name)"
                                              " VALUES ('person%u@example.com', 'First%u', 'Last')", i, i);
      ct_test_db_exec (t, sql);
    }
  ct_test_db_exec (t, "COMMIT");
}

static void
fixture_set_up (Fixture            *f,
                CtMailProviderKind  kind,
                guint               n_contacts)
{
  g_autoptr(GError) error = NULL;

  ct_test_db_set_up (&f->t, "clientele-test-outbox-XXXXXX");
  add_contacts (&f->t, n_contacts);
  f->emu = ct_mail_emulator_new (kind, KEY);
  f->settings = g_new0 (CtMailSettings, 1);
  f->settings->configured = TRUE;
  f->settings->kind = kind;
  f->settings->base_url = g_strdup (f->emu->base_url);
  f->settings->domain = g_strdup ("mg.example.com");
  f->settings->from = g_strdup ("Shop <news@shop.example>");
  f->settings->postal_address = g_strdup ("1 Market Street\nSpringfield");
  f->settings->concurrency = 3;
  f->settings->timeout = 15;
  ct_mail_settings_save (f->t.db, f->settings, &error);
  g_assert_no_error (error);
  f->provider = ct_mail_settings_new_provider (f->settings, KEY);
  ct_outbox_options_init (&f->options, f->settings, f->provider);
  f->options.rate = 1000;
  f->options.backoff_base_ms = 20;
  f->options.backoff_max_ms = 100;
  f->campaign = ct_campaign_create (f->t.db, "Spring", "Hi {{first_name|there}}",
                                    "Dear {{first_name|friend}},\n\nNews.", NULL, "{\"all\":true}", &error);
  g_assert_no_error (error);
  g_assert_cmpint (f->campaign, >, 0);
}

static void
fixture_tear_down (Fixture *f)
{
  g_clear_object (&f->provider);
  ct_mail_settings_free (f->settings);
  ct_mail_emulator_free (f->emu);
  ct_test_db_tear_down (&f->t);
}

static gint64
count_state (Fixture    *f,
             const char *state)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM outbox WHERE state = '%s'", state);
  return ct_db_query_int64 (f->t.db, sql, NULL);
}

static void
assert_each_once (Fixture *f,
                  guint    n)
{
  g_mutex_lock (&f->emu->lock);
  g_assert_cmpuint (g_hash_table_size (f->emu->delivered), ==, n);
  {
    GHashTableIter iter;
    gpointer value;
    g_hash_table_iter_init (&iter, f->emu->delivered);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      g_assert_cmpuint (GPOINTER_TO_UINT (value), ==, 1);
  }
  g_mutex_unlock (&f->emu->lock);
}

static void
assert_no_violation (Fixture *f)
{
  for (guint i = 0; i < f->emu->violations->len; i++)
    g_test_message ("violation: %s", (char *) g_ptr_array_index (f->emu->violations, i));
  g_assert_cmpuint (f->emu->violations->len, ==, 0);
}

static gboolean
send_all (Fixture         *f,
          CtOutboxReport  *report,
          GError         **error)
{
  gint64 queued = 0, excluded = 0;

  if (ct_db_query_int64 (f->t.db, "SELECT count(*) FROM outbox", NULL) == 0)
    {
      g_assert_true (ct_outbox_launch (f->t.db, f->campaign, &queued, &excluded, error));
    }
  return ct_outbox_send (f->t.db, f->provider, f->settings, &f->options, f->campaign, report, NULL, error);
}

/* ---- each provider, a plain campaign ------------------------------------ */

static const guint max_batches[] = { 500, 1000, 1000, 2000, 100 };

static void
test_send_plain (gconstpointer data)
{
  CtMailProviderKind kind = GPOINTER_TO_UINT (data);
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  CtOutboxReport report;
  CtOutboxCounts counts;
  guint n = 1203;
  CtEmuMessage *m;

  fixture_set_up (&f, kind, n);
  g_assert_true (ct_campaign_set_preheader (f.t.db, f.campaign, "  Inside for {{first_name|you}}  ", &error));
  g_assert_no_error (error);
  ct_test_db_exec (&f.t, "UPDATE contacts SET first_name = '<b>Ann</b>' WHERE email = 'person7@example.com'");
  ct_test_db_exec (&f.t, "UPDATE contacts SET first_name = '' WHERE email = 'person8@example.com'");
  f.emu->keep_messages = TRUE;
  g_assert_true (send_all (&f, &report, &error));
  g_assert_no_error (error);
  assert_no_violation (&f);
  assert_each_once (&f, n);
  g_assert_cmpint (report.sent, ==, n);
  /* The largest batch the provider takes, no larger. */
  g_assert_cmpuint (f.emu->max_batch_seen, ==, MIN (max_batches[kind], n));
  g_assert_true (ct_outbox_get_counts (f.t.db, f.campaign, &counts, &error));
  g_assert_cmpint (counts.sent, ==, n);
  g_assert_cmpint (counts.queued + counts.in_flight + counts.unknown, ==, 0);
  g_assert_cmpint (ct_db_query_int64 (f.t.db, "SELECT count(*) FROM outbox WHERE provider_message_id IS NULL", NULL), ==, 0);
  g_assert_cmpint (ct_db_query_int64 (f.t.db, "SELECT count(*) FROM campaigns WHERE status = 'sent' AND finished_at IS NOT NULL", NULL), ==, 1);

  /* Merge values escaped in the HTML, as they are in the text; defaults. */
  m = g_hash_table_lookup (f.emu->messages, "person7@example.com");
  g_assert_nonnull (m);
  g_assert_cmpstr (m->subject, ==, "Hi <b>Ann</b>");
  g_assert_nonnull (strstr (m->html, "Dear &lt;b&gt;Ann&lt;/b&gt;,"));
  g_assert_nonnull (strstr (m->text, "Dear <b>Ann</b>,"));
  g_assert_nonnull (strstr (m->html, "1 Market Street<br>Springfield"));
  /* The preheader, hidden at the top of the body, filled per recipient
   * whichever way the provider substitutes. */
  g_assert_nonnull (strstr (m->html, "<span class=\"preheader\""));
  g_assert_true (strstr (m->html, "Inside for &lt;b&gt;Ann&lt;/b&gt;") < strstr (m->html, "Dear &lt;b&gt;Ann"));
  g_assert_null (strstr (m->text, "Inside for"));
  m = g_hash_table_lookup (f.emu->messages, "person8@example.com");
  g_assert_cmpstr (m->subject, ==, "Hi there");
  g_assert_nonnull (strstr (m->html, ">Inside for you&zwnj;"));
  g_assert_nonnull (strstr (m->text, "Dear friend,"));
  /* The unsubscribe link: the provider's own where it has one, else a
   * mail to the sender, and the List-Unsubscribe header. */
  if (kind == CT_MAIL_PROVIDER_MAILGUN)
    g_assert_nonnull (strstr (m->html, "%unsubscribe_url%"));
  else if (kind == CT_MAIL_PROVIDER_POSTMARK)
    g_assert_nonnull (strstr (m->html, "{{{ pm:unsubscribe }}}"));
  else
    g_assert_nonnull (strstr (m->html, "mailto:news@shop.example?subject=unsubscribe"));
  if (kind != CT_MAIL_PROVIDER_POSTMARK)
    g_assert_cmpstr (m->list_unsubscribe, ==, "<mailto:news@shop.example?subject=unsubscribe>");
  fixture_tear_down (&f);
}

/* While every request slot is busy the sender reads the next batch
 * ahead, and claims it only when a slot frees. Rows that change in
 * between (dropped by the user, their contact erased) must not go out:
 * the claim finds the change and reads the batch again. */
typedef struct
{
  Fixture *f;
  guint calls;
  GPtrArray *gone;   /* emails that must not be sent */
} AheadCheck;

static void
change_ahead (gint64   done,
              gint64   total,
              gpointer data)
{
  AheadCheck *check = data;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  /* After the first request is recorded, the batch read ahead holds the
   * first queued rows: drop one, erase the contact of another. */
  if (++check->calls != 1)
    return;
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *email = NULL;
      g_autofree char *sql = NULL;

      stmt = ct_db_prepare (check->f->t.db, "SELECT id, email, contact_id FROM outbox WHERE state = 'queued'"
                                            " ORDER BY id LIMIT 1 OFFSET 1", NULL);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      email = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      if (i == 0)
        sql = g_strdup_printf ("UPDATE outbox SET state = 'dropped' WHERE id = %lld",
                               (long long) sqlite3_column_int64 (stmt, 0));
      else
        sql = g_strdup_printf ("DELETE FROM contacts WHERE id = %lld",
                               (long long) sqlite3_column_int64 (stmt, 2));
      g_clear_pointer (&stmt, sqlite3_finalize);
      ct_test_db_exec (&check->f->t, sql);
      g_ptr_array_add (check->gone, g_steal_pointer (&email));
    }
}

static void
test_read_ahead_changed (gconstpointer data)
{
  CtMailProviderKind kind = GPOINTER_TO_UINT (data);
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  AheadCheck check = { &f, 0, gone };
  CtOutboxReport report;
  guint n = 60;

  fixture_set_up (&f, kind, n);
  f.options.concurrency = 2;
  f.options.batch_size = 5;
  f.options.progress = change_ahead;
  f.options.progress_data = &check;
  f.emu->latency_ms = 30;
  g_assert_true (send_all (&f, &report, &error));
  g_assert_no_error (error);
  assert_no_violation (&f);
  g_assert_cmpuint (gone->len, ==, 2);
  g_assert_cmpint (report.sent, ==, n - 2);
  g_mutex_lock (&f.emu->lock);
  g_assert_cmpuint (g_hash_table_size (f.emu->delivered), ==, n - 2);
  for (guint i = 0; i < gone->len; i++)
    g_assert_false (g_hash_table_contains (f.emu->delivered, g_ptr_array_index (gone, i)));
  g_mutex_unlock (&f.emu->lock);
  assert_each_once (&f, n - 2);
  g_assert_cmpint (count_state (&f, "sent"), ==, n - 2);
  g_assert_cmpint (count_state (&f, "dropped"), ==, 1);
  g_assert_cmpint (count_state (&f, "queued") + count_state (&f, "in_flight"), ==, 0);
  fixture_tear_down (&f);
}

/* Setting a preheader: trimmed, checked, cleared, and only before the
 * campaign goes out. */
static void
test_campaign_preheader (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;

  fixture_set_up (&f, CT_MAIL_PROVIDER_RESEND, 2);
  g_assert_true (ct_campaign_set_preheader (f.t.db, f.campaign, " Two lessons inside ", &error));
  g_assert_cmpint (ct_db_query_int64 (f.t.db, "SELECT count(*) FROM campaigns WHERE preheader = 'Two lessons inside'", NULL), ==, 1);
  g_assert_false (ct_campaign_set_preheader (f.t.db, f.campaign, "a\nb", &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ct_campaign_set_preheader (f.t.db, f.campaign, "{{frist_name}}", &error));
  g_assert_nonnull (strstr (error->message, "frist_name"));
  g_clear_error (&error);
  g_assert_false (ct_campaign_set_preheader (f.t.db, 9999, "x", &error));
  g_clear_error (&error);
  g_assert_true (ct_campaign_set_preheader (f.t.db, f.campaign, "", &error));
  g_assert_cmpint (ct_db_query_int64 (f.t.db, "SELECT count(*) FROM campaigns WHERE preheader IS NULL", NULL), ==, 1);
  g_assert_true (ct_outbox_launch (f.t.db, f.campaign, NULL, NULL, &error));
  g_assert_false (ct_campaign_set_preheader (f.t.db, f.campaign, "late", &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  fixture_tear_down (&f);
}

/* No postal address: the sender refuses, whatever launched the mail,
 * and the rows wait queued until there is one. */
static void
test_postal_required (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  CtOutboxReport report;

  fixture_set_up (&f, CT_MAIL_PROVIDER_RESEND, 5);
  g_clear_pointer (&f.settings->postal_address, g_free);
  f.settings->postal_address = g_strdup ("  ");
  g_assert_false (send_all (&f, &report, &error));
  g_assert_error (error, CT_MAIL_ERROR, CT_MAIL_ERROR_SETTINGS);
  g_assert_nonnull (strstr (error->message, "postal address"));
  g_clear_error (&error);
  g_assert_cmpint (count_state (&f, "queued"), ==, 5);
  g_assert_cmpuint (f.emu->send_requests, ==, 0);
  g_free (f.settings->postal_address);
  f.settings->postal_address = g_strdup ("1 Market Street");
  g_assert_true (send_all (&f, &report, &error));
  g_assert_no_error (error);
  assert_each_once (&f, 5);
  fixture_tear_down (&f);
}

/* The owner's messages-per-second limit: stored, read into the
 * options, and it spaces requests by how many messages they carry. */
static void
test_message_rate (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(CtMailSettings) loaded = NULL;
  CtOutboxOptions options;
  CtOutboxReport report;
  gint64 start;

  fixture_set_up (&f, CT_MAIL_PROVIDER_RESEND, 6);
  f.settings->message_rate = 4;
  g_assert_true (ct_mail_settings_save (f.t.db, f.settings, &error));
  loaded = ct_mail_settings_load (f.t.db, &error);
  g_assert_cmpfloat (loaded->message_rate, ==, 4);
  ct_outbox_options_init (&options, loaded, f.provider);
  g_assert_cmpfloat (options.message_rate, ==, 4);
  f.settings->message_rate = -1;
  g_assert_false (ct_mail_settings_save (f.t.db, f.settings, &error));
  g_assert_error (error, CT_MAIL_ERROR, CT_MAIL_ERROR_SETTINGS);
  g_clear_error (&error);

  /* Three requests of two at four a second: half a second apart. */
  f.options.rate = 1000;
  f.options.batch_size = 2;
  f.options.concurrency = 1;
  f.options.message_rate = 4;
  start = g_get_monotonic_time ();
  g_assert_true (send_all (&f, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC * 95 / 100);
  g_assert_cmpuint (f.emu->send_requests, ==, 3);
  assert_each_once (&f, 6);
  fixture_tear_down (&f);
}

/* Neither half of an A/B test can be launched as a plain campaign: the
 * test sends them, to a share of the audience; send-due launches a
 * scheduled test as a test. */
static void
test_abtest_guard (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  CtOutboxReport report;
  CtAbTest test;

  fixture_set_up (&f, CT_MAIL_PROVIDER_RESEND, 20);
  g_assert_true (ct_campaign_set_preheader (f.t.db, f.campaign, "Preview", &error));
  g_assert_true (ct_abtest_create (f.t.db, f.campaign, "Other subject", 0.5, CT_ABTEST_OPENS, 1, &error));
  g_assert_no_error (error);
  g_assert_true (ct_abtest_get (f.t.db, f.campaign, &test, &error));
  /* The variant keeps the preheader. */
  g_assert_cmpint (ct_db_query_int64 (f.t.db, "SELECT count(*) FROM campaigns WHERE preheader = 'Preview'", NULL), ==, 2);
  g_assert_false (ct_outbox_launch (f.t.db, f.campaign, NULL, NULL, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "A/B"));
  g_clear_error (&error);
  g_assert_false (ct_outbox_launch (f.t.db, test.variant_id, NULL, NULL, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (ct_db_query_int64 (f.t.db, "SELECT count(*) FROM outbox", NULL), ==, 0);

  /* Scheduled and due: send-due sends the test share only. */
  g_assert_true (ct_campaign_schedule (f.t.db, f.campaign, g_get_real_time () / G_USEC_PER_SEC - 5, &error));
  g_assert_true (ct_outbox_send_due (f.t.db, f.provider, f.settings, &f.options, &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ct_db_query_int64 (f.t.db, "SELECT count(*) FROM outbox", NULL), ==, 10);
  g_assert_cmpint (ct_db_query_int64 (f.t.db, "SELECT count(*) FROM ab_holdout", NULL), ==, 10);
  g_assert_true (ct_abtest_get (f.t.db, f.campaign, &test, &error));
  g_assert_cmpstr (test.state, ==, "testing");
  g_assert_cmpint (test.a_sent, ==, 5);
  g_assert_cmpint (test.b_sent, ==, 5);
  assert_each_once (&f, 10);
  fixture_tear_down (&f);
}

/* A test whose audience is a saved segment splits that segment, not
 * everyone. */
static void
test_abtest_segment (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  gint64 id;

  fixture_set_up (&f, CT_MAIL_PROVIDER_RESEND, 20);
  /* person1 and person10..person19: 11 of 20. */
  ct_test_db_exec (&f.t, "INSERT INTO segments (id, name, rule) VALUES (1, 'Ones',"
                         " '{\"match\": \"all\", \"conditions\": [{\"field\": \"email\", \"op\": \"starts_with\", \"value\": \"person1\"}]}')");
  id = ct_campaign_create (f.t.db, "Ones", "Hi", "Body", NULL, "{\"segment\":1}", &error);
  g_assert_no_error (error);
  g_assert_true (ct_abtest_create (f.t.db, id, "Hello", 1.0, CT_ABTEST_CLICKS, 1, &error));
  g_assert_true (ct_abtest_launch (f.t.db, id, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ct_db_query_int64 (f.t.db, "SELECT count(*) FROM outbox", NULL), ==, 11);
  g_assert_cmpint (ct_db_query_int64 (f.t.db, "SELECT count(*) FROM outbox WHERE email NOT LIKE 'person1%'", NULL), ==, 0);
  fixture_tear_down (&f);
}

/* An owner's HTTPS unsubscribe page: one-click with the row's token. */
static void
test_send_one_click (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  CtOutboxReport report;
  g_autofree char *token = NULL;
  g_autofree char *expected = NULL;
  CtEmuMessage *m;

  fixture_set_up (&f, CT_MAIL_PROVIDER_RESEND, 3);
  g_free (f.settings->unsubscribe_url);
  f.settings->unsubscribe_url = g_strdup ("https://shop.example/unsubscribe/{token}");
  f.emu->keep_messages = TRUE;
  g_assert_true (send_all (&f, &report, &error));
  {
    g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (f.t.db, "SELECT idempotency_key FROM outbox WHERE email = 'person1@example.com'", NULL);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    token = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  }
  m = g_hash_table_lookup (f.emu->messages, "person1@example.com");
  expected = g_strdup_printf ("<https://shop.example/unsubscribe/%s>, <mailto:news@shop.example?subject=unsubscribe>", token);
  g_assert_cmpstr (m->list_unsubscribe, ==, expected);
  g_assert_nonnull (strstr (m->html, token));
  fixture_tear_down (&f);
}

/* ---- failures ----------------------------------------------------------- */

static void
test_retry_after (gconstpointer data)
{
  CtMailProviderKind kind = GPOINTER_TO_UINT (data);
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  CtOutboxReport report;
  gint64 start;
  guint n = 250;

  fixture_set_up (&f, kind, n);
  f.options.batch_size = 50;
  f.options.concurrency = 1;
  /* 429 with a Retry-After of one second, a 500, a proxy's HTML page. */
  ct_mail_emulator_script (f.emu, CT_EMU_STATUS, 429, NULL, "Retry-After", "1", 0);
  ct_mail_emulator_script (f.emu, CT_EMU_STATUS, 500, NULL, NULL, NULL, 0);
  ct_mail_emulator_script (f.emu, CT_EMU_HTML_ERROR, 502, NULL, NULL, NULL, 0);
  start = g_get_monotonic_time ();
  g_assert_true (send_all (&f, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC);
  assert_no_violation (&f);
  assert_each_once (&f, n);
  g_assert_cmpint (count_state (&f, "sent"), ==, n);
  g_assert_cmpuint (f.emu->send_requests, ==, 5 + 3);
  fixture_tear_down (&f);
}

/* The answer comes after the client gave up: the provider sent it. */
static void
test_timeout (gconstpointer data)
{
  CtMailProviderKind kind = GPOINTER_TO_UINT (data);
  gboolean idempotent = kind == CT_MAIL_PROVIDER_RESEND || kind == CT_MAIL_PROVIDER_BREVO;
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  CtOutboxReport report;
  guint n = 120;

  fixture_set_up (&f, kind, n);
  f.options.batch_size = 40;
  f.options.concurrency = 1;
  ct_mail_provider_set_timeout (f.provider, 1);
  ct_mail_emulator_script (f.emu, CT_EMU_SLOW, 0, NULL, NULL, NULL, 2500);
  g_assert_true (send_all (&f, &report, &error));
  g_assert_no_error (error);
  assert_each_once (&f, n);
  if (idempotent)
    {
      /* Repeated with its key: the provider answers without sending again. */
      g_assert_cmpint (count_state (&f, "sent"), ==, n);
      g_assert_cmpuint (f.emu->replays, >=, 1);
    }
  else
    {
      /* Never repeated: the first 40 wait for the user's decision. */
      g_assert_cmpint (count_state (&f, "unknown"), ==, 40);
      g_assert_cmpint (count_state (&f, "sent"), ==, n - 40);
    }
  fixture_tear_down (&f);
}

/* A 200 with broken JSON: taken, but the outcome cannot be read. */
static void
test_garbled (gconstpointer data)
{
  CtMailProviderKind kind = GPOINTER_TO_UINT (data);
  gboolean idempotent = kind == CT_MAIL_PROVIDER_RESEND || kind == CT_MAIL_PROVIDER_BREVO;
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  CtOutboxReport report;
  guint n = 60;

  fixture_set_up (&f, kind, n);
  f.options.batch_size = 30;
  f.options.concurrency = 1;
  ct_mail_emulator_script (f.emu, CT_EMU_GARBLED, 0, NULL, NULL, NULL, 0);
  g_assert_true (send_all (&f, &report, &error));
  g_assert_no_error (error);
  assert_each_once (&f, n);
  if (kind == CT_MAIL_PROVIDER_SENDGRID)
    /* SendGrid's answer is the status and a header: no body to garble. */
    g_assert_cmpint (count_state (&f, "sent"), ==, n);
  else if (idempotent)
    g_assert_cmpint (count_state (&f, "sent"), ==, n);
  else
    g_assert_cmpint (count_state (&f, "unknown"), ==, 30);
  fixture_tear_down (&f);
}

static void
test_rejections (gconstpointer data)
{
  CtMailProviderKind kind = GPOINTER_TO_UINT (data);
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  CtOutboxReport report;
  g_autofree char *reason = NULL;
  guint n = 20;

  fixture_set_up (&f, kind, n);
  g_hash_table_insert (f.emu->rejects, g_strdup ("person3@example.com"), g_strdup ("inactive"));
  g_hash_table_insert (f.emu->rejects, g_strdup ("person11@example.com"), g_strdup ("inactive"));
  g_assert_true (send_all (&f, &report, &error));
  g_assert_no_error (error);
  if (kind == CT_MAIL_PROVIDER_MAILGUN || kind == CT_MAIL_PROVIDER_BREVO)
    {
      /* These accept suppressed addresses and report them later as
       * failed or blocked events (the pull), never in the answer. */
      g_assert_cmpint (count_state (&f, "sent"), ==, n);
      fixture_tear_down (&f);
      return;
    }
  g_assert_cmpint (count_state (&f, "rejected"), ==, 2);
  g_assert_cmpint (count_state (&f, "sent"), ==, n - 2);
  assert_each_once (&f, n - 2);
  g_assert_cmpuint (ct_mail_emulator_delivered (f.emu, "person3@example.com"), ==, 0);
  {
    g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (f.t.db, "SELECT error FROM outbox WHERE email = 'person3@example.com'", NULL);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    reason = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  }
  g_assert_nonnull (reason);
  g_assert_cmpstr (reason, !=, "");
  fixture_tear_down (&f);
}

/* 401/403 stop the sending with a clear message that never holds the
 * key, even when the provider's error page echoes it. */
static void
test_auth_stops (gconstpointer data)
{
  CtMailProviderKind kind = GPOINTER_TO_UINT (data);
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *echo = g_strdup_printf ("{\"message\":\"key %s is revoked\",\"Message\":\"key %s is revoked\"}", KEY, KEY);
  CtOutboxReport report;
  guint n = 30;

  fixture_set_up (&f, kind, n);
  ct_mail_emulator_script (f.emu, CT_EMU_STATUS, kind == CT_MAIL_PROVIDER_RESEND ? 403 : 401,
                           echo, NULL, NULL, 0);
  g_assert_false (send_all (&f, &report, &error));
  g_assert_error (error, CT_MAIL_ERROR, CT_MAIL_ERROR_AUTH);
  g_assert_null (strstr (error->message, KEY));
  g_assert_nonnull (strstr (error->message, "revoked"));
  g_assert_nonnull (strstr (error->message, ct_mail_provider_kind_display_name (kind)));
  /* Nothing was sent, and nothing is lost: the rows wait, attempts uncounted. */
  g_assert_cmpint (count_state (&f, "queued"), ==, n);
  g_assert_cmpint (ct_db_query_int64 (f.t.db, "SELECT max(attempts) FROM outbox", NULL), ==, 0);
  g_assert_cmpint (ct_db_query_int64 (f.t.db, "SELECT count(*) FROM outbox WHERE error LIKE '%" KEY "%'", NULL), ==, 0);
  g_assert_cmpint (ct_db_query_int64 (f.t.db, "SELECT count(*) FROM settings WHERE value LIKE '%" KEY "%'", NULL), ==, 0);
  g_clear_error (&error);

  /* With the key fixed the same campaign goes on. */
  g_assert_true (send_all (&f, &report, &error));
  g_assert_no_error (error);
  assert_each_once (&f, n);
  fixture_tear_down (&f);
}

static void
test_connection (gconstpointer data)
{
  CtMailProviderKind kind = GPOINTER_TO_UINT (data);
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(CtMailProvider) wrong = NULL;
  g_autoptr(SoupSession) session = NULL;

  fixture_set_up (&f, kind, 0);
  session = ct_mail_provider_new_session (f.provider);
  g_assert_true (ct_mail_provider_test_connection (f.provider, session, NULL, &error));
  g_assert_no_error (error);
  wrong = ct_mail_settings_new_provider (f.settings, "wrong-key-987654321");
  g_assert_false (ct_mail_provider_test_connection (wrong, session, NULL, &error));
  g_assert_error (error, CT_MAIL_ERROR, CT_MAIL_ERROR_AUTH);
  g_assert_null (strstr (error->message, "wrong-key-987654321"));
  fixture_tear_down (&f);
}

/* Slow answers past the timeout on the test request: no key in the message. */
static void
test_unreachable (void)
{
  g_autoptr(CtMailProvider) provider = ct_mail_provider_new (CT_MAIL_PROVIDER_POSTMARK, "http://127.0.0.1:1", KEY);
  g_autoptr(SoupSession) session = ct_mail_provider_new_session (provider);
  g_autoptr(GError) error = NULL;

  g_assert_false (ct_mail_provider_test_connection (provider, session, NULL, &error));
  g_assert_error (error, CT_MAIL_ERROR, CT_MAIL_ERROR_UNREACHABLE);
  g_assert_null (strstr (error->message, KEY));
}

static void
test_mailgun_needs_domain (void)
{
  g_autoptr(CtMailProvider) provider = ct_mail_provider_new (CT_MAIL_PROVIDER_MAILGUN, "http://127.0.0.1:1", KEY);
  g_autoptr(SoupSession) session = ct_mail_provider_new_session (provider);
  g_autoptr(GError) error = NULL;

  g_assert_false (ct_mail_provider_test_connection (provider, session, NULL, &error));
  g_assert_error (error, CT_MAIL_ERROR, CT_MAIL_ERROR_SETTINGS);
}

/* ---- the audience ------------------------------------------------------- */

static void
test_launch_excludes (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  gint64 queued = 0, excluded = 0, erased_id, tagged;

  fixture_set_up (&f, CT_MAIL_PROVIDER_POSTMARK, 10);
  ct_test_db_exec (&f.t, "UPDATE contacts SET status = 'unsubscribed' WHERE email = 'person1@example.com'");
  ct_test_db_exec (&f.t, "UPDATE contacts SET status = 'bounced' WHERE email = 'person2@example.com'");
  ct_test_db_exec (&f.t, "UPDATE contacts SET status = 'complained' WHERE email = 'person3@example.com'");
  ct_test_db_exec (&f.t, "INSERT INTO suppressions (email, reason) VALUES ('PERSON4@example.com', 'manual')");
  ct_test_db_exec (&f.t, "INSERT INTO contacts (email) VALUES ('not-an-address')");
  ct_test_db_exec (&f.t, "INSERT INTO contacts (phone) VALUES ('13800000000')");
  /* An erased person whose address came back by some other way. */
  erased_id = ct_db_query_int64 (f.t.db, "SELECT id FROM contacts WHERE email = 'person5@example.com'", NULL);
  g_assert_true (ct_privacy_erase_contact (f.t.db, erased_id, &error));
  ct_test_db_exec (&f.t, "INSERT INTO contacts (email) VALUES ('Person5@Example.com')");

  g_assert_true (ct_outbox_launch (f.t.db, f.campaign, &queued, &excluded, &error));
  g_assert_no_error (error);
  g_assert_cmpint (queued, ==, 5);
  g_assert_cmpint (excluded, ==, 6);
  g_assert_cmpint (ct_db_query_int64 (f.t.db, "SELECT count(*) FROM outbox WHERE lower(email) IN"
                                      " ('person1@example.com','person2@example.com','person3@example.com',"
                                      "  'person4@example.com','person5@example.com')", NULL), ==, 0);
  /* Launching twice is refused; the rows are not doubled. */
  g_assert_false (ct_outbox_launch (f.t.db, f.campaign, &queued, &excluded, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (ct_db_query_int64 (f.t.db, "SELECT count(*) FROM outbox", NULL), ==, 5);

  /* A tag audience. */
  ct_test_db_exec (&f.t, "INSERT INTO tags (name) VALUES ('vip')");
  ct_test_db_exec (&f.t, "INSERT INTO contact_tags SELECT id, (SELECT id FROM tags) FROM contacts"
                         " WHERE email IN ('person6@example.com', 'person1@example.com')");
  tagged = ct_campaign_create (f.t.db, "VIP", "Hi", "x", NULL, "{\"tag\":\"VIP\"}", &error);
  g_assert_no_error (error);
  g_assert_true (ct_outbox_launch (f.t.db, tagged, &queued, &excluded, &error));
  g_assert_cmpint (queued, ==, 1);
  g_assert_cmpint (excluded, ==, 1);
  fixture_tear_down (&f);
}

static void
test_campaign_errors (void)
{
  CtTestDb t;
  g_autoptr(GError) error = NULL;

  ct_test_db_set_up (&t, "clientele-test-outbox-XXXXXX");
  g_assert_cmpint (ct_campaign_create (t.db, " ", "S", "b", NULL, "{\"all\":true}", &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (ct_campaign_create (t.db, "A", "  ", "b", NULL, "{\"all\":true}", &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (ct_campaign_create (t.db, "A", "S", "Hi {{frist_name}}", NULL, "{\"all\":true}", &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "frist_name"));
  g_clear_error (&error);
  /* Segments are an audience; this one does not exist. */
  g_assert_cmpint (ct_campaign_create (t.db, "A", "S", "b", NULL, "{\"segment\":1}", &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (ct_campaign_create (t.db, "A", "S", "b", NULL, "{\"list\":1}", &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (ct_campaign_create (t.db, "A", "S", "b", NULL, "{\"all\":true}", &error), >, 0);
  g_assert_cmpint (ct_campaign_create (t.db, "a", "S", "b", NULL, "{\"all\":true}", &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  ct_test_db_tear_down (&t);
}

/* ---- pulling suppressions and events ------------------------------------ */

static void
test_sync (gconstpointer data)
{
  CtMailProviderKind kind = GPOINTER_TO_UINT (data);
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  CtOutboxReport report;
  CtOutboxSyncReport sync;
  CtOutboxCounts counts;

  fixture_set_up (&f, kind, 10);
  g_assert_true (send_all (&f, &report, &error));
  g_ptr_array_add (f.emu->suppressions, g_strdup ("unsubscribed\tperson1@example.com"));
  g_ptr_array_add (f.emu->suppressions, g_strdup ("bounced\tperson2@example.com"));
  g_ptr_array_add (f.emu->suppressions, g_strdup ("complained\tperson3@example.com"));
  g_ptr_array_add (f.emu->suppressions, g_strdup ("unsubscribed\tstranger@elsewhere.example"));
  g_ptr_array_add (f.emu->events, g_strdup ("opened\tperson4@example.com"));
  g_ptr_array_add (f.emu->events, g_strdup ("opened\tperson5@example.com"));

  g_assert_true (ct_outbox_sync (f.t.db, f.provider, &sync, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sync.suppressed, ==, 4);
  g_assert_cmpint (sync.contacts_changed, ==, 3);
  g_assert_cmpint (ct_db_query_int64 (f.t.db, "SELECT count(*) FROM contacts WHERE email = 'person1@example.com' AND status = 'unsubscribed'", NULL), ==, 1);
  g_assert_cmpint (ct_db_query_int64 (f.t.db, "SELECT count(*) FROM contacts WHERE email = 'person2@example.com' AND status = 'bounced'", NULL), ==, 1);
  g_assert_cmpint (ct_db_query_int64 (f.t.db, "SELECT count(*) FROM contacts WHERE email = 'person3@example.com' AND status = 'complained'", NULL), ==, 1);
  g_assert_true (ct_outbox_get_counts (f.t.db, f.campaign, &counts, &error));
  g_assert_cmpint (counts.opened, ==, 2);
  if (kind == CT_MAIL_PROVIDER_POSTMARK)
    g_assert_cmpint (counts.bounced, ==, 1);

  /* Pulling again counts nothing twice. */
  g_assert_true (ct_outbox_sync (f.t.db, f.provider, &sync, NULL, &error));
  g_assert_cmpint (sync.suppressed, ==, 0);
  g_assert_cmpint (sync.events, ==, 0);
  g_assert_true (ct_outbox_get_counts (f.t.db, f.campaign, &counts, &error));
  g_assert_cmpint (counts.opened, ==, 2);

  /* The next campaign leaves them out. */
  {
    gint64 next = ct_campaign_create (f.t.db, "Next", "Hi", "x", NULL, "{\"all\":true}", &error);
    gint64 queued = 0;
    g_assert_true (ct_outbox_launch (f.t.db, next, &queued, NULL, &error));
    g_assert_cmpint (queued, ==, 7);
  }
  fixture_tear_down (&f);
}

/* Postmark tells deliveries only in each message's details: a sync asks
 * about the sent mail not known delivered yet, and only about that. */
static void
test_postmark_delivered (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  CtOutboxReport report;
  CtOutboxSyncReport sync;
  CtOutboxCounts counts;

  fixture_set_up (&f, CT_MAIL_PROVIDER_POSTMARK, 6);
  g_assert_true (send_all (&f, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpint (report.sent, ==, 6);

  /* Not delivered yet: nothing counted. */
  g_assert_true (ct_outbox_sync (f.t.db, f.provider, &sync, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ct_outbox_get_counts (f.t.db, f.campaign, &counts, &error));
  g_assert_cmpint (counts.delivered, ==, 0);

  f.emu->details_delivered = TRUE;
  g_assert_true (ct_outbox_sync (f.t.db, f.provider, &sync, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sync.events, ==, 6);
  g_assert_true (ct_outbox_get_counts (f.t.db, f.campaign, &counts, &error));
  g_assert_cmpint (counts.delivered, ==, 6);
  g_assert_cmpint (ct_db_query_int64 (f.t.db, "SELECT count(*) FROM mail_events e JOIN outbox o ON o.id = e.outbox_id"
                                              " WHERE e.type = 'delivered' AND o.email = 'person2@example.com'", NULL), ==, 1);
  {
    g_autoptr(CtCampaignInfo) info = ct_campaign_get_info (f.t.db, f.campaign, 7, &error);
    g_assert_no_error (error);
    g_assert_cmpint (info->results[CT_CAMPAIGN_RESULT_DELIVERED], ==, 6);
    g_assert_null (info->activity_note);
  }

  /* Delivered mail is not asked about again. */
  g_assert_true (ct_outbox_sync (f.t.db, f.provider, &sync, NULL, &error));
  g_assert_cmpint (sync.events, ==, 0);
  assert_no_violation (&f);
  fixture_tear_down (&f);
}

/* SendGrid without its Email Activity add-on: the suppressions are
 * pulled, and the campaign says why it has no delivery counts. */
static void
test_sendgrid_no_activity (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  CtOutboxReport report;
  CtOutboxSyncReport sync;

  fixture_set_up (&f, CT_MAIL_PROVIDER_SENDGRID, 4);
  g_assert_true (send_all (&f, &report, &error));
  g_assert_no_error (error);
  f.emu->no_email_activity = TRUE;
  g_ptr_array_add (f.emu->suppressions, g_strdup ("unsubscribed\tperson1@example.com"));
  g_assert_true (ct_outbox_sync (f.t.db, f.provider, &sync, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sync.suppressed, ==, 1);
  {
    g_autoptr(CtCampaignInfo) info = ct_campaign_get_info (f.t.db, f.campaign, 7, &error);
    g_assert_no_error (error);
    g_assert_nonnull (info->activity_note);
    g_assert_nonnull (strstr (info->activity_note, "Email Activity"));
  }
  {
    g_autoptr(GPtrArray) list = ct_campaign_list (f.t.db, 7, &error);
    g_assert_no_error (error);
    g_assert_nonnull (((CtCampaignInfo *) g_ptr_array_index (list, 0))->activity_note);
  }

  /* With the add-on bought, the note goes with the next pull. */
  f.emu->no_email_activity = FALSE;
  g_assert_true (ct_outbox_sync (f.t.db, f.provider, &sync, NULL, &error));
  {
    g_autoptr(CtCampaignInfo) info = ct_campaign_get_info (f.t.db, f.campaign, 7, &error);
    g_assert_null (info->activity_note);
  }
  fixture_tear_down (&f);
}

/* ---- unknown rows: the user's decision ---------------------------------- */

static void
test_unknown_decision (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  CtOutboxReport report;
  gint64 n = 0;

  fixture_set_up (&f, CT_MAIL_PROVIDER_POSTMARK, 20);
  f.options.batch_size = 10;
  f.options.concurrency = 1;
  ct_mail_provider_set_timeout (f.provider, 1);
  ct_mail_emulator_script (f.emu, CT_EMU_SLOW, 0, NULL, NULL, NULL, 1800);
  g_assert_true (send_all (&f, &report, &error));
  g_assert_cmpint (count_state (&f, "unknown"), ==, 10);
  g_assert_true (ct_outbox_drop_unknown (f.t.db, f.campaign, &n, &error));
  g_assert_cmpint (n, ==, 10);
  g_assert_cmpint (count_state (&f, "dropped"), ==, 10);

  /* Resending is the user's choice, and sends again. */
  ct_test_db_exec (&f.t, "UPDATE outbox SET state = 'unknown' WHERE state = 'dropped'");
  g_assert_true (ct_outbox_resend_unknown (f.t.db, f.campaign, &n, &error));
  g_assert_cmpint (n, ==, 10);
  g_assert_true (send_all (&f, &report, &error));
  g_assert_cmpint (count_state (&f, "sent"), ==, 20);
  fixture_tear_down (&f);
}

/* ---- the key ------------------------------------------------------------ */

static void
test_secret_session_only (void)
{
  g_autoptr(GError) error = NULL;
  gboolean session_only = FALSE;
  char *key;

  /* The test has no Secret Service (its bus address points nowhere). */
  g_unsetenv (CT_MAIL_KEY_ENV);
  g_assert_true (ct_mail_secret_store ("postmark", "/tmp/x.db", KEY, &session_only, &error));
  g_assert_no_error (error);
  g_assert_true (session_only);
  key = ct_mail_secret_lookup ("postmark", "/tmp/x.db", &error);
  g_assert_cmpstr (key, ==, KEY);
  ct_mail_secret_free (key);
  key = ct_mail_secret_lookup ("postmark", "/tmp/other.db", &error);
  g_assert_null (key);
  g_setenv (CT_MAIL_KEY_ENV, "from-env-1234", TRUE);
  key = ct_mail_secret_lookup ("postmark", "/tmp/other.db", &error);
  g_assert_cmpstr (key, ==, "from-env-1234");
  ct_mail_secret_free (key);
  g_unsetenv (CT_MAIL_KEY_ENV);
  g_assert_true (ct_mail_secret_clear ("postmark", "/tmp/x.db", &error));
  key = ct_mail_secret_lookup ("postmark", "/tmp/x.db", &error);
  g_assert_null (key);
  g_assert_false (ct_mail_secret_store ("postmark", "/tmp/x.db", "", &session_only, &error));
}


/* ---- the command line --------------------------------------------------- */

typedef struct
{
  int status;
  char *out;
  char *err;
} CliResult;

static void
cli_result_clear (CliResult *r)
{
  g_free (r->out);
  g_free (r->err);
}

/* Runs clientele with @args (NULL-terminated) and @input on stdin;
 * @key (nullable) in the environment. */
static CliResult
run_cli (const char         *key,
         const char         *input,
         const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                                                       | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                                       | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  CliResult r = { 0 };

  if (key != NULL)
    g_subprocess_launcher_setenv (launcher, CT_MAIL_KEY_ENV, key, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, CT_MAIL_KEY_ENV);
  g_ptr_array_add (argv, (gpointer) g_getenv ("CLIENTELE_BIN"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, &r.out, &r.err, &error);
  g_assert_no_error (error);
  r.status = g_subprocess_get_exit_status (process);
  if (r.err != NULL && *r.err != '\0')
    g_test_message ("%s: %s", args[0], r.err);
  return r;
}

static void
test_cli (void)
{
  CtTestDb t;
  g_autoptr(CtMailEmulator) emu = ct_mail_emulator_new (CT_MAIL_PROVIDER_POSTMARK, KEY);
  g_autofree char *body = NULL;
  CliResult r;

  if (g_getenv ("CLIENTELE_BIN") == NULL)
    {
      g_test_skip ("no clientele binary (CLIENTELE_BIN)");
      return;
    }
  ct_test_db_set_up (&t, "clientele-test-outbox-cli-XXXXXX");
  add_contacts (&t, 30);
  body = g_build_filename (t.dir, "body.md", NULL);
  g_assert_true (g_file_set_contents (body, "Dear {{first_name|friend}},\n\nNews.\n", -1, NULL));

  {
    const char *args[] = { "provider", "set", "postmark", "--db", t.path, "--base-url", emu->base_url,
                           "--key-stdin", "--from", "Shop <news@shop.example>",
                           "--postal-address", "1 Market Street", NULL };
    r = run_cli (NULL, KEY "\n", args);
    g_assert_cmpint (r.status, ==, 0);
    /* No Secret Service in the tests: it says so, and how to give the key. */
    g_assert_nonnull (strstr (r.err, CT_MAIL_KEY_ENV));
    g_assert_null (strstr (r.err, KEY));
    g_assert_null (strstr (r.out, KEY));
    cli_result_clear (&r);
  }
  g_assert_cmpint (ct_db_query_int64 (t.db, "SELECT count(*) FROM settings WHERE value LIKE '%" KEY "%'", NULL), ==, 0);
  g_assert_cmpint (ct_db_query_int64 (t.db, "SELECT count(*) FROM settings WHERE key = 'mail.provider' AND value = 'postmark'", NULL), ==, 1);
  {
    const char *args[] = { "provider", "set", "sparkpost", "--db", t.path, NULL };
    r = run_cli (NULL, "", args);
    g_assert_cmpint (r.status, ==, 2);
    cli_result_clear (&r);
  }
  {
    const char *args[] = { "provider", "test", "--db", t.path, NULL };
    r = run_cli (KEY, NULL, args);
    g_assert_cmpint (r.status, ==, 0);
    cli_result_clear (&r);
    r = run_cli ("not-the-key-4321", NULL, args);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "Postmark"));
    g_assert_null (strstr (r.err, "not-the-key-4321"));
    cli_result_clear (&r);
    /* No key at all: a plain message saying where to put one. */
    r = run_cli (NULL, NULL, args);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "--key-stdin"));
    cli_result_clear (&r);
  }
  {
    const char *bad[] = { "campaign", "create", "Bad", "--db", t.path, "--subject", "Hi {{frist_name}}",
                          "--body", body, NULL };
    const char *args[] = { "campaign", "create", "Spring", "--db", t.path, "--subject", "Hi {{first_name|there}}",
                           "--body", body, NULL };
    r = run_cli (NULL, NULL, bad);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "frist_name"));
    cli_result_clear (&r);
    r = run_cli (NULL, NULL, args);
    g_assert_cmpint (r.status, ==, 0);
    cli_result_clear (&r);
  }
  {
    /* --preheader: stored; a bad one leaves no campaign behind. */
    const char *bad[] = { "campaign", "create", "Bad preheader", "--db", t.path, "--subject", "Hi",
                          "--body", body, "--preheader", "{{frist_name}}", NULL };
    const char *args[] = { "campaign", "create", "With preheader", "--db", t.path, "--subject", "Hi",
                           "--body", body, "--preheader", "Two lessons inside", NULL };
    CtDb *db = t.db;

    r = run_cli (NULL, NULL, bad);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "frist_name"));
    cli_result_clear (&r);
    r = run_cli (NULL, NULL, args);
    g_assert_cmpint (r.status, ==, 0);
    cli_result_clear (&r);
    g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM campaigns WHERE name = 'Bad preheader'", NULL), ==, 0);
    g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM campaigns WHERE name = 'With preheader'"
                                            " AND preheader = 'Two lessons inside'", NULL), ==, 1);
    /* Out of the way of what follows. */
    g_assert_true (ct_campaign_cancel (db, ct_campaign_find (db, "With preheader", NULL), NULL, NULL));
  }
  {
    const char *args[] = { "send-due", "--db", t.path, NULL };
    r = run_cli (NULL, NULL, args);
    g_assert_cmpint (r.status, ==, 0);
    cli_result_clear (&r);
  }
  {
    const char *args[] = { "campaign", "send", "Spring", "--db", t.path, NULL };
    r = run_cli (KEY, NULL, args);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "30"));
    cli_result_clear (&r);
    g_assert_cmpuint (g_hash_table_size (emu->delivered), ==, 30);
  }
  {
    const char *args[] = { "campaign", "status", "Spring", "--db", t.path, NULL };
    const char *missing[] = { "campaign", "status", "Autumn", "--db", t.path, NULL };
    r = run_cli (NULL, NULL, args);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_true (g_regex_match_simple ("Sent +30", r.out, 0, 0));
    cli_result_clear (&r);
    r = run_cli (NULL, NULL, missing);
    g_assert_cmpint (r.status, ==, 2);
    cli_result_clear (&r);
  }
  /* Scheduled in the past: due now. */
  {
    const char *create[] = { "campaign", "create", "Later", "--db", t.path, "--subject", "Later",
                             "--body", body, "--at", "2020-01-01T09:00", NULL };
    const char *due[] = { "send-due", "--db", t.path, NULL };
    r = run_cli (NULL, NULL, create);
    g_assert_cmpint (r.status, ==, 0);
    cli_result_clear (&r);
    r = run_cli (KEY, NULL, due);
    g_assert_cmpint (r.status, ==, 0);
    cli_result_clear (&r);
    g_assert_cmpuint (ct_mail_emulator_delivered (emu, "person0@example.com"), ==, 2);
  }
  {
    const char *args[] = { "provider", "sync", "--db", t.path, NULL };
    g_ptr_array_add (emu->suppressions, g_strdup ("unsubscribed\tperson9@example.com"));
    r = run_cli (KEY, NULL, args);
    g_assert_cmpint (r.status, ==, 0);
    cli_result_clear (&r);
    g_assert_cmpint (ct_db_query_int64 (t.db, "SELECT count(*) FROM contacts WHERE status = 'unsubscribed'", NULL), ==, 1);
  }
  ct_test_db_tear_down (&t);
}

/* ---- kills at random moments -------------------------------------------- */

/* Runs `clientele campaign send` on @path; kills it after @kill_ms
 * (0: lets it finish). Returns the exit status, or -1 when killed. */
static int
run_sender (const char *path,
            guint       kill_ms)
{
  const char *bin = g_getenv ("CLIENTELE_BIN");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) env = g_get_environ ();
  const char *argv[] = { bin, "campaign", "send", "Spring", "--db", path, NULL };
  GPid pid;
  int status = 0;

  env = g_environ_setenv (env, CT_MAIL_KEY_ENV, KEY, TRUE);
  g_assert_true (g_spawn_async (NULL, (char **) argv, env,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL
                                | G_SPAWN_STDERR_TO_DEV_NULL,
                                NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  if (kill_ms > 0)
    {
      g_usleep (kill_ms * 1000);
      kill (pid, SIGKILL);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  if (WIFSIGNALED (status))
    return -1;
  return WIFEXITED (status) ? WEXITSTATUS (status) : -2;
}

static void
test_kill (gconstpointer data)
{
  CtMailProviderKind kind = GPOINTER_TO_UINT (data);
  guint trials = 6;
  guint n = 2000;
  g_autoptr(GRand) rand = g_rand_new_with_seed (1234 + kind);
  guint killed = 0;

  if (g_getenv ("CLIENTELE_BIN") == NULL || !g_file_test (g_getenv ("CLIENTELE_BIN"), G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no clientele binary (CLIENTELE_BIN)");
      return;
    }

  for (guint trial = 0; trial < trials; trial++)
    {
      Fixture f = { 0 };
      g_autoptr(GError) error = NULL;
      g_autofree char *rate = NULL;
      guint runs = 0;
      int status;

      fixture_set_up (&f, kind, n);
      /* Small batches and a latency, so that kills land mid-batch. */
      f.emu->latency_ms = 5;
      f.emu->latency_jitter_ms = 30;
      ct_test_db_exec (&f.t, "INSERT OR REPLACE INTO settings VALUES ('mail.batch_size', '50'),"
                             " ('mail.rate', '1000'), ('mail.concurrency', '4')");
      g_assert_true (ct_outbox_launch (f.t.db, f.campaign, NULL, NULL, &error));
      g_assert_no_error (error);

      /* Killed at random moments, two or three times, then left to finish. */
      for (guint k = 0; k < 2 + trial % 2; k++)
        {
          status = run_sender (f.t.path, g_rand_int_range (rand, 20, 400));
          killed += status == -1;
          runs++;
        }
      do
        {
          status = run_sender (f.t.path, 0);
          runs++;
        }
      while (status != 0 && runs < 20);
      g_assert_cmpint (status, ==, 0);

      /* Every recipient exactly once at the provider, or marked unknown;
       * never twice, never lost. */
      {
        g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (f.t.db, "SELECT email, state FROM outbox", NULL);
        guint rows = 0;

        while (sqlite3_step (stmt) == SQLITE_ROW)
          {
            const char *email = (const char *) sqlite3_column_text (stmt, 0);
            const char *state = (const char *) sqlite3_column_text (stmt, 1);
            guint times = ct_mail_emulator_delivered (f.emu, email);

            rows++;
            g_assert_cmpuint (times, <=, 1);
            if (g_str_equal (state, "sent"))
              g_assert_cmpuint (times, ==, 1);
            else
              {
                if (!g_str_equal (state, "unknown"))
                  g_error ("%s is %s, delivered %u times", email, state, times);
                g_assert_true (kind != CT_MAIL_PROVIDER_RESEND && kind != CT_MAIL_PROVIDER_BREVO);
              }
          }
        g_assert_cmpuint (rows, ==, n);
        g_test_message ("trial %u: %u runs, %lld unknown, %u requests, %u replayed", trial, runs,
                        (long long) count_state (&f, "unknown"), f.emu->send_requests, f.emu->replays);
      }
      assert_no_violation (&f);
      fixture_tear_down (&f);
    }
  g_test_message ("%u of the runs were killed mid-way", killed);
  g_assert_cmpuint (killed, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  static const char * const names[] = { "postmark", "sendgrid", "mailgun", "brevo", "resend" };

  /* No Secret Service here: the key tests and the senders keep the key
   * for the session or take it from the environment. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/clientele-test-bus", TRUE);
  g_test_init (&argc, &argv, NULL);

  /* The kill trials take a while: meson runs them as test-outbox-kill. */
  if (g_getenv ("CLIENTELE_TEST_KILL") != NULL)
    {
      for (guint k = 0; k < CT_MAIL_N_PROVIDERS; k++)
        {
          g_autofree char *path = g_strdup_printf ("/outbox/%s/kill", names[k]);
          g_test_add_data_func (path, GUINT_TO_POINTER (k), test_kill);
        }
      return g_test_run ();
    }

  g_test_add_func ("/outbox/template/fields", test_template_fields);
  g_test_add_func ("/outbox/template/errors", test_template_errors);
  g_test_add_func ("/outbox/template/markdown", test_content_markdown);
  g_test_add_func ("/outbox/template/preheader", test_content_preheader);
  g_test_add_func ("/outbox/campaign/preheader", test_campaign_preheader);
  g_test_add_func ("/outbox/send/postal-required", test_postal_required);
  g_test_add_func ("/outbox/send/message-rate", test_message_rate);
  g_test_add_func ("/outbox/abtest/guard", test_abtest_guard);
  g_test_add_func ("/outbox/abtest/segment", test_abtest_segment);
  g_test_add_func ("/outbox/campaign/errors", test_campaign_errors);
  g_test_add_func ("/outbox/launch/excludes", test_launch_excludes);
  g_test_add_func ("/outbox/send/one-click", test_send_one_click);
  g_test_add_func ("/outbox/send/unknown-decision", test_unknown_decision);
  g_test_add_func ("/outbox/provider/unreachable", test_unreachable);
  g_test_add_func ("/outbox/provider/mailgun-domain", test_mailgun_needs_domain);
  g_test_add_func ("/outbox/secret/session-only", test_secret_session_only);
  g_test_add_func ("/outbox/cli", test_cli);
  g_test_add_func ("/outbox/postmark/delivered", test_postmark_delivered);
  g_test_add_func ("/outbox/sendgrid/no-activity", test_sendgrid_no_activity);
  for (guint k = 0; k < CT_MAIL_N_PROVIDERS; k++)
    {
      struct { const char *what; GTestDataFunc func; } cases[] = {
        { "plain", test_send_plain }, { "retry-after", test_retry_after },
        { "timeout", test_timeout }, { "garbled", test_garbled },
        { "rejections", test_rejections }, { "auth", test_auth_stops },
        { "connection", test_connection }, { "sync", test_sync },
        { "read-ahead-changed", test_read_ahead_changed },
      };
      for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
        {
          g_autofree char *path = g_strdup_printf ("/outbox/%s/%s", names[k], cases[c].what);
          g_test_add_data_func (path, GUINT_TO_POINTER (k), cases[c].func);
        }
    }
  return g_test_run ();
}
