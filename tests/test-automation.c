/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-automation.c: each trigger fires once and only once per contact
 * and event, with its delay, conditions and exclusions, and two real
 * `clientele send-due` processes at once mail each contact once. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "ct-abtest.h"
#include "ct-automation.h"
#include "ct-mail-emulator.h"
#include "ct-mail-secret.h"
#include "ct-outbox.h"
#include "ct-test-db.h"

#define KEY "key-SECRET-0123456789abcdef"
#define DAY 86400

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gint64
add_contact (CtTestDb   *t,
             const char *email,
             const char *attributes)
{
  g_autofree char *sql = g_strdup_printf ("INSERT INTO contacts (email, first_name, attributes)"
                                          " VALUES ('%s', 'Name', '%s')", email,
                                          attributes != NULL ? attributes : "{}");
  ct_test_db_exec (t, sql);
  return sqlite3_last_insert_rowid (ct_db_get_handle (t->db));
}

static void
add_purchase (CtTestDb *t,
              gint64    contact_id,
              gint64    product_id,
              gint64    at)
{
  g_autofree char *sql = g_strdup_printf ("INSERT INTO purchases (contact_id, product_id, amount, purchased_at)"
                                          " VALUES (%lld, %lld, 1000, %lld)", (long long) contact_id,
                                          (long long) product_id, (long long) at);
  ct_test_db_exec (t, sql);
}

static gint64
make_automation (CtTestDb            *t,
                 const char          *name,
                 CtAutomationTrigger  trigger,
                 gint64               product_id,
                 guint                days,
                 double               threshold,
                 guint                delay_hours,
                 const char          *rule_json)
{
  g_autoptr(CtAutomation) a = ct_automation_new ();
  g_autoptr(GError) error = NULL;
  gint64 id;

  a->name = g_strdup (name);
  a->trigger = trigger;
  a->product_id = product_id;
  a->days = days;
  a->threshold = threshold;
  a->delay_hours = delay_hours;
  a->rule_json = g_strdup (rule_json);
  a->subject = g_strdup ("Hello {{first_name|there}}");
  a->body = g_strdup ("Dear {{first_name|friend}},\n\nThanks.");
  id = ct_automation_create (t->db, a, &error);
  g_assert_no_error (error);
  g_assert_true (ct_automation_set_enabled (t->db, id, TRUE, &error));
  g_assert_no_error (error);
  return id;
}

static gint64
firings (CtTestDb   *t,
         gint64      automation_id,
         const char *state)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM automation_firings WHERE automation_id = %lld"
                                          " AND ('%s' = '' OR state = '%s')", (long long) automation_id,
                                          state, state);
  return ct_db_query_int64 (t->db, sql, NULL);
}

static gint64
mails_to (CtTestDb *t,
          gint64    automation_id,
          gint64    contact_id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM outbox o JOIN campaigns c ON c.id = o.campaign_id"
                                          " WHERE c.automation_id = %lld AND o.contact_id = %lld",
                                          (long long) automation_id, (long long) contact_id);
  return ct_db_query_int64 (t->db, sql, NULL);
}

static void
run (CtTestDb           *t,
     gint64              now,
     CtAutomationReport *report)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ct_automation_run_due (t->db, now, report, &error));
  g_assert_no_error (error);
}

static void
test_new_contact (void)
{
  CtTestDb t;
  CtAutomationReport r;
  gint64 old, fresh[3], id;

  ct_test_db_set_up (&t, "clientele-test-automation-XXXXXX");
  old = add_contact (&t, "old@example.com", NULL);
  id = make_automation (&t, "Welcome", CT_AUTOMATION_NEW_CONTACT, 0, 0, 0, 0, NULL);
  run (&t, 0, &r);
  g_assert_cmpint (r.fired, ==, 0);   /* never the existing base */
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *email = g_strdup_printf ("new%u@example.com", i);
      fresh[i] = add_contact (&t, email, NULL);
    }
  run (&t, 0, &r);
  g_assert_cmpint (r.fired, ==, 3);
  g_assert_cmpint (r.queued, ==, 3);
  run (&t, 0, &r);
  g_assert_cmpint (r.fired, ==, 0);
  g_assert_cmpint (r.queued, ==, 0);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (mails_to (&t, id, fresh[i]), ==, 1);
  g_assert_cmpint (mails_to (&t, id, old), ==, 0);
  /* Its mail goes out through a campaign of its own, being sent. */
  g_assert_cmpint (ct_db_query_int64 (t.db, "SELECT count(*) FROM campaigns WHERE automation_id IS NOT NULL"
                                            " AND status = 'sending'", NULL), ==, 1);

  /* Switched off and on again: what was added meanwhile is the base now. */
  g_assert_true (ct_automation_set_enabled (t.db, id, FALSE, NULL));
  add_contact (&t, "while-off@example.com", NULL);
  g_assert_true (ct_automation_set_enabled (t.db, id, TRUE, NULL));
  run (&t, 0, &r);
  g_assert_cmpint (r.fired, ==, 0);
  ct_test_db_tear_down (&t);
}

static void
test_purchase (void)
{
  CtTestDb t;
  CtAutomationReport r;
  gint64 alice, bob, course, ebook, on_course, on_any;
  gint64 now = now_s ();

  ct_test_db_set_up (&t, "clientele-test-automation-XXXXXX");
  ct_test_db_exec (&t, "INSERT INTO products (name) VALUES ('Course'), ('Ebook')");
  course = 1;
  ebook = 2;
  alice = add_contact (&t, "alice@example.com", NULL);
  bob = add_contact (&t, "bob@example.com", NULL);
  add_purchase (&t, alice, course, now - 10 * DAY);   /* before: never fires */
  on_course = make_automation (&t, "Course buyers", CT_AUTOMATION_PURCHASE, course, 0, 0, 0, NULL);
  on_any = make_automation (&t, "Any buyer", CT_AUTOMATION_PURCHASE, 0, 0, 0, 0, NULL);
  run (&t, 0, &r);
  g_assert_cmpint (r.fired, ==, 0);

  add_purchase (&t, alice, course, now);
  add_purchase (&t, bob, ebook, now);
  run (&t, 0, &r);
  g_assert_cmpint (firings (&t, on_course, ""), ==, 1);
  g_assert_cmpint (firings (&t, on_any, ""), ==, 2);
  run (&t, 0, &r);
  g_assert_cmpint (r.fired, ==, 0);

  /* A second purchase is a second event: Alice is mailed again, through
   * the automation's second campaign. */
  add_purchase (&t, alice, course, now);
  run (&t, 0, &r);
  g_assert_cmpint (r.fired, ==, 2);
  g_assert_cmpint (mails_to (&t, on_course, alice), ==, 2);
  g_assert_cmpint (mails_to (&t, on_course, bob), ==, 0);
  g_assert_cmpint (mails_to (&t, on_any, bob), ==, 1);
  g_assert_cmpint (ct_db_query_int64 (t.db, "SELECT count(*) FROM campaigns WHERE automation_id = 1", NULL), ==, 2);
  ct_test_db_tear_down (&t);
}

static void
test_no_purchase (void)
{
  CtTestDb t;
  CtAutomationReport r;
  gint64 lapsed, recent, never, id;
  gint64 now = now_s ();

  ct_test_db_set_up (&t, "clientele-test-automation-XXXXXX");
  ct_test_db_exec (&t, "INSERT INTO products (name) VALUES ('Course')");
  lapsed = add_contact (&t, "lapsed@example.com", NULL);
  recent = add_contact (&t, "recent@example.com", NULL);
  never = add_contact (&t, "never@example.com", NULL);
  add_purchase (&t, lapsed, 1, now - 40 * DAY);
  add_purchase (&t, recent, 1, now - 10 * DAY);
  id = make_automation (&t, "Win back", CT_AUTOMATION_NO_PURCHASE, 0, 30, 0, 0, NULL);
  run (&t, now, &r);
  g_assert_cmpint (r.fired, ==, 1);
  run (&t, now, &r);
  g_assert_cmpint (r.fired, ==, 0);
  /* 25 days on, the recent one lapses too; the first does not fire again. */
  run (&t, now + 25 * DAY, &r);
  g_assert_cmpint (r.fired, ==, 1);
  g_assert_cmpint (mails_to (&t, id, lapsed), ==, 1);
  g_assert_cmpint (mails_to (&t, id, recent), ==, 1);
  g_assert_cmpint (mails_to (&t, id, never), ==, 0);
  /* Buying again starts a new stretch, which may lapse again. */
  add_purchase (&t, lapsed, 1, now);
  run (&t, now + 31 * DAY, &r);
  g_assert_cmpint (mails_to (&t, id, lapsed), ==, 2);
  ct_test_db_tear_down (&t);
}

static void
test_churn_risk (void)
{
  CtTestDb t;
  CtAutomationReport r;
  gint64 risky, safe, id;

  ct_test_db_set_up (&t, "clientele-test-automation-XXXXXX");
  risky = add_contact (&t, "risky@example.com", NULL);
  safe = add_contact (&t, "safe@example.com", NULL);
  ct_test_db_exec (&t, "INSERT INTO contact_metrics (contact_id, as_of, lifecycle, p_alive)"
                       " VALUES (1, unixepoch(), 'at_risk', 0.2), (2, unixepoch(), 'active', 0.9)");
  id = make_automation (&t, "Rescue", CT_AUTOMATION_CHURN_RISK, 0, 0, 0.7, 0, NULL);
  run (&t, 0, &r);
  g_assert_cmpint (r.fired, ==, 1);
  run (&t, 0, &r);
  g_assert_cmpint (r.fired, ==, 0);
  /* A new analysis with the same risk is not a new event. */
  ct_test_db_exec (&t, "UPDATE contact_metrics SET as_of = as_of + 10");
  run (&t, 0, &r);
  g_assert_cmpint (r.fired, ==, 0);
  g_assert_cmpint (mails_to (&t, id, risky), ==, 1);
  g_assert_cmpint (mails_to (&t, id, safe), ==, 0);
  ct_test_db_tear_down (&t);
}

static void
test_tier_change (void)
{
  CtTestDb t;
  CtAutomationReport r;
  gint64 a, b, id;

  ct_test_db_set_up (&t, "clientele-test-automation-XXXXXX");
  /* The loyalty branch's table, where it is not merged yet. */
  ct_test_db_exec (&t, "CREATE TABLE IF NOT EXISTS tier_history ("
                       "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
                       "  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
                       "  from_level INTEGER, to_level INTEGER NOT NULL, changed_at INTEGER NOT NULL,"
                       "  reason TEXT NOT NULL CHECK (reason IN ('placed','upgrade','downgrade')))");
  a = add_contact (&t, "a@example.com", NULL);
  b = add_contact (&t, "b@example.com", NULL);
  ct_test_db_exec (&t, "INSERT INTO tier_history (contact_id, from_level, to_level, changed_at, reason)"
                       " VALUES (1, 0, 1, unixepoch(), 'upgrade')");   /* before: never fires */
  id = make_automation (&t, "Tier mail", CT_AUTOMATION_TIER_CHANGE, 0, 0, 0, 0, NULL);
  run (&t, 0, &r);
  g_assert_cmpint (r.fired, ==, 0);
  ct_test_db_exec (&t, "INSERT INTO tier_history (contact_id, from_level, to_level, changed_at, reason)"
                       " VALUES (1, 1, 2, unixepoch(), 'upgrade'), (2, NULL, 0, unixepoch(), 'placed')");
  run (&t, 0, &r);
  g_assert_cmpint (r.fired, ==, 1);
  run (&t, 0, &r);
  g_assert_cmpint (r.fired, ==, 0);
  g_assert_cmpint (mails_to (&t, id, a), ==, 1);
  g_assert_cmpint (mails_to (&t, id, b), ==, 0);
  ct_test_db_tear_down (&t);
}

static void
test_birthday (void)
{
  CtTestDb t;
  CtAutomationReport r;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) next_year = g_date_time_add_years (now, 1);
  g_autofree char *today = g_date_time_format (now, "{\"birthday\":\"1990-%m-%d\"}");
  g_autofree char *short_form = g_date_time_format (now, "{\"birthday\":\"%m-%d\"}");
  gint64 a, b, other, id;

  ct_test_db_set_up (&t, "clientele-test-automation-XXXXXX");
  a = add_contact (&t, "a@example.com", today);
  b = add_contact (&t, "b@example.com", short_form);
  other = add_contact (&t, "c@example.com",
                       g_date_time_get_month (now) == 1 ? "{\"birthday\":\"1990-07-07\"}" : "{\"birthday\":\"1990-01-01\"}");
  id = make_automation (&t, "Happy birthday", CT_AUTOMATION_BIRTHDAY, 0, 0, 0, 0, NULL);
  run (&t, g_date_time_to_unix (now), &r);
  g_assert_cmpint (r.fired, ==, 2);
  run (&t, g_date_time_to_unix (now), &r);
  g_assert_cmpint (r.fired, ==, 0);
  /* Next year is another birthday. */
  run (&t, g_date_time_to_unix (next_year), &r);
  g_assert_cmpint (r.fired, ==, 2);
  g_assert_cmpint (mails_to (&t, id, a), ==, 2);
  g_assert_cmpint (mails_to (&t, id, b), ==, 2);
  g_assert_cmpint (mails_to (&t, id, other), ==, 0);
  ct_test_db_tear_down (&t);
}

static void
test_delay_conditions_exclusions (void)
{
  CtTestDb t;
  CtAutomationReport r;
  g_autoptr(GPtrArray) history = NULL;
  gint64 now = now_s ();
  gint64 delayed, vip_only, keep, gone;

  ct_test_db_set_up (&t, "clientele-test-automation-XXXXXX");
  delayed = make_automation (&t, "Later", CT_AUTOMATION_NEW_CONTACT, 0, 0, 0, 2, NULL);
  vip_only = make_automation (&t, "VIP", CT_AUTOMATION_NEW_CONTACT, 0, 0, 0, 0,
                              "{\"match\":\"all\",\"conditions\":[{\"field\":\"email\",\"op\":\"contains\",\"value\":\"vip\"}]}");
  add_contact (&t, "vip@example.com", NULL);
  add_contact (&t, "plain@example.com", NULL);
  add_contact (&t, "gone@example.com", NULL);
  add_contact (&t, "vip-unsub@example.com", NULL);
  ct_test_db_exec (&t, "UPDATE contacts SET status = 'unsubscribed' WHERE email = 'vip-unsub@example.com'");
  ct_test_db_exec (&t, "INSERT INTO suppressions (email, reason) VALUES ('gone@example.com', 'bounced')");

  run (&t, now, &r);
  g_assert_cmpint (firings (&t, delayed, "pending"), ==, 4);
  g_assert_cmpint (firings (&t, vip_only, "queued"), ==, 1);
  g_assert_cmpint (firings (&t, vip_only, "skipped"), ==, 3);
  /* Not due yet an hour on; due after two. */
  run (&t, now + 3600, &r);
  g_assert_cmpint (firings (&t, delayed, "pending"), ==, 4);
  run (&t, now + 2 * 3600 + 1, &r);
  g_assert_cmpint (firings (&t, delayed, "queued"), ==, 2);
  g_assert_cmpint (firings (&t, delayed, "skipped"), ==, 2);
  g_assert_cmpint (ct_db_query_int64 (t.db, "SELECT count(*) FROM automation_firings WHERE reason = 'suppressed'", NULL), ==, 2);
  g_assert_cmpint (ct_db_query_int64 (t.db, "SELECT count(*) FROM automation_firings WHERE reason = 'unsubscribed'", NULL), ==, 2);

  /* Switching off skips what still waits for its delay. */
  add_contact (&t, "late@example.com", NULL);
  run (&t, now + 3 * 3600, &r);
  keep = firings (&t, delayed, "pending");
  g_assert_cmpint (keep, ==, 1);
  g_assert_true (ct_automation_set_enabled (t.db, delayed, FALSE, NULL));
  run (&t, now + 10 * 3600, &r);
  g_assert_cmpint (firings (&t, delayed, "pending"), ==, 0);
  gone = ct_db_query_int64 (t.db, "SELECT count(*) FROM automation_firings WHERE reason = 'disabled'", NULL);
  g_assert_cmpint (gone, ==, 1);

  history = ct_automation_history (t.db, delayed, 0, NULL);
  g_assert_nonnull (history);
  g_assert_cmpuint (history->len, ==, 5);
  ct_test_db_tear_down (&t);
}

static void
test_validation (void)
{
  CtTestDb t;
  g_autoptr(CtAutomation) a = ct_automation_new ();
  g_autoptr(GError) error = NULL;

  ct_test_db_set_up (&t, "clientele-test-automation-XXXXXX");
  a->name = g_strdup ("Bad");
  a->subject = g_strdup ("Hi {{frist_name}}");
  a->body = g_strdup ("x");
  g_assert_cmpint (ct_automation_create (t.db, a, &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "frist_name"));
  g_clear_error (&error);

  g_free (a->subject);
  a->subject = g_strdup ("Hi");
  a->trigger = CT_AUTOMATION_NO_PURCHASE;
  g_assert_cmpint (ct_automation_create (t.db, a, &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);

  a->trigger = CT_AUTOMATION_NEW_CONTACT;
  a->rule_json = g_strdup ("{\"match\":\"all\",\"conditions\":[{\"field\":\"shoe_size\",\"op\":\"=\",\"value\":1}]}");
  g_assert_cmpint (ct_automation_create (t.db, a, &error), ==, 0);
  g_assert_nonnull (strstr (error->message, "shoe_size"));
  g_clear_error (&error);

  g_clear_pointer (&a->rule_json, g_free);
  g_assert_cmpint (ct_automation_create (t.db, a, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (ct_automation_create (t.db, a, &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  ct_test_db_tear_down (&t);
}

/* ---- two real send-due processes at once -------------------------------- */

static GSubprocess *
spawn_cli (const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                                       | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_setenv (launcher, CT_MAIL_KEY_ENV, KEY, TRUE);
  g_ptr_array_add (argv, (gpointer) g_getenv ("CLIENTELE_BIN"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

static void
wait_ok (GSubprocess *process)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (err != NULL && *err != '\0')
    g_test_message ("send-due: %s", err);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
}

static void
test_concurrent_send_due (void)
{
  CtTestDb t;
  g_autoptr(CtMailEmulator) emu = NULL;
  g_autoptr(CtMailSettings) settings = g_new0 (CtMailSettings, 1);
  g_autoptr(GError) error = NULL;
  const guint rounds = 4, per_round = 40;
  gint64 welcome, buyer;

  if (g_getenv ("CLIENTELE_BIN") == NULL)
    {
      g_test_skip ("no clientele binary (CLIENTELE_BIN)");
      return;
    }
  ct_test_db_set_up (&t, "clientele-test-automation-cli-XXXXXX");
  emu = ct_mail_emulator_new (CT_MAIL_PROVIDER_POSTMARK, KEY);
  settings->configured = TRUE;
  settings->kind = CT_MAIL_PROVIDER_POSTMARK;
  settings->base_url = g_strdup (emu->base_url);
  settings->from = g_strdup ("Shop <news@shop.example>");
  settings->postal_address = g_strdup ("1 Market Street");
  settings->concurrency = 2;
  settings->batch_size = 7;   /* several batches, so that the runs interleave */
  settings->timeout = 15;
  g_assert_true (ct_mail_settings_save (t.db, settings, &error));
  ct_test_db_exec (&t, "INSERT INTO products (name) VALUES ('Course')");
  add_contact (&t, "existing@example.com", NULL);
  welcome = make_automation (&t, "Welcome", CT_AUTOMATION_NEW_CONTACT, 0, 0, 0, 0, NULL);
  buyer = make_automation (&t, "Thanks", CT_AUTOMATION_PURCHASE, 0, 0, 0, 0, NULL);

  for (guint round = 0; round < rounds; round++)
    {
      const char *args[] = { "send-due", "--db", t.path, NULL };
      g_autoptr(GSubprocess) one = NULL;
      g_autoptr(GSubprocess) two = NULL;

      ct_test_db_exec (&t, "BEGIN");
      for (guint i = 0; i < per_round; i++)
        {
          g_autofree char *email = g_strdup_printf ("r%u-p%u@example.com", round, i);
          gint64 id = add_contact (&t, email, NULL);
          /* Every other new contact buys; the same contact is mailed by
           * both automations. */
          if (i % 2 == 0)
            add_purchase (&t, id, 1, now_s ());
        }
      ct_test_db_exec (&t, "COMMIT");
      one = spawn_cli (args);
      two = spawn_cli (args);
      wait_ok (one);
      wait_ok (two);
    }

  /* Each new contact: one welcome, and a thank-you for every other one;
   * the existing contact nothing. */
  g_assert_cmpint (firings (&t, welcome, "queued"), ==, rounds * per_round);
  g_assert_cmpint (firings (&t, buyer, "queued"), ==, rounds * per_round / 2);
  g_assert_cmpint (ct_db_query_int64 (t.db, "SELECT count(*) FROM outbox WHERE state = 'sent'", NULL),
                   ==, rounds * per_round * 3 / 2);
  g_mutex_lock (&emu->lock);
  g_assert_cmpuint (g_hash_table_size (emu->delivered), ==, rounds * per_round);
  for (guint round = 0; round < rounds; round++)
    for (guint i = 0; i < per_round; i++)
      {
        g_autofree char *email = g_strdup_printf ("r%u-p%u@example.com", round, i);
        g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (emu->delivered, email)), ==, i % 2 == 0 ? 2 : 1);
      }
  g_assert_false (g_hash_table_contains (emu->delivered, "existing@example.com"));
  g_assert_cmpuint (emu->violations->len, ==, 0);
  g_mutex_unlock (&emu->lock);
  ct_test_db_tear_down (&t);
}

static void
test_cli (void)
{
  CtTestDb t;
  g_autofree char *body = NULL;
  g_autofree char *out = NULL, *err = NULL;

  if (g_getenv ("CLIENTELE_BIN") == NULL)
    {
      g_test_skip ("no clientele binary (CLIENTELE_BIN)");
      return;
    }
  ct_test_db_set_up (&t, "clientele-test-automation-cli-XXXXXX");
  body = g_build_filename (t.dir, "body.md", NULL);
  g_assert_true (g_file_set_contents (body, "Hi {{first_name|there}}\n", -1, NULL));
  {
    const char *args[] = { "automation", "create", "Lapsed", "--db", t.path, "--trigger", "no-purchase-days:abc",
                           "--subject", "Miss you", "--body", body, NULL };
    g_autoptr(GSubprocess) p = spawn_cli (args);
    g_subprocess_communicate_utf8 (p, NULL, NULL, &out, &err, NULL);
    g_assert_cmpint (g_subprocess_get_exit_status (p), ==, 2);
    g_assert_nonnull (strstr (err, "no-purchase-days"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    const char *args[] = { "automation", "create", "Lapsed", "--db", t.path, "--trigger", "no-purchase-days:60",
                           "--subject", "Miss you", "--body", body, "--delay-hours", "3", NULL };
    g_autoptr(GSubprocess) p = spawn_cli (args);
    g_subprocess_communicate_utf8 (p, NULL, NULL, &out, &err, NULL);
    g_assert_cmpint (g_subprocess_get_exit_status (p), ==, 0);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    const char *args[] = { "automation", "list", "--db", t.path, NULL };
    g_autoptr(GSubprocess) p = spawn_cli (args);
    g_subprocess_communicate_utf8 (p, NULL, NULL, &out, &err, NULL);
    g_assert_cmpint (g_subprocess_get_exit_status (p), ==, 0);
    g_assert_nonnull (strstr (out, "Lapsed"));
    g_assert_nonnull (strstr (out, "60"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  {
    const char *args[] = { "automation", "history", "Nope", "--db", t.path, NULL };
    g_autoptr(GSubprocess) p = spawn_cli (args);
    g_subprocess_communicate_utf8 (p, NULL, NULL, &out, &err, NULL);
    g_assert_cmpint (g_subprocess_get_exit_status (p), ==, 2);
    g_assert_nonnull (strstr (err, "Nope"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
  }
  g_assert_cmpint (ct_db_query_int64 (t.db, "SELECT enabled FROM automations WHERE name = 'Lapsed'", NULL), ==, 1);
  ct_test_db_tear_down (&t);
}

/* ---- A/B tests of subject lines ------------------------------------------ */

static gint64
ab_setup (CtTestDb *t,
          guint     n)
{
  g_autoptr(GError) error = NULL;
  gint64 id;

  ct_test_db_set_up (t, "clientele-test-abtest-XXXXXX");
  ct_test_db_exec (t, "BEGIN");
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *email = g_strdup_printf ("p%u@example.com", i);
      add_contact (t, email, NULL);
    }
  ct_test_db_exec (t, "COMMIT");
  ct_test_db_exec (t, "UPDATE contacts SET status = 'unsubscribed' WHERE id % 10 = 0");
  id = ct_campaign_create (t->db, "Launch", "Subject A", "Body", NULL, "{\"all\":true}", &error);
  g_assert_no_error (error);
  g_assert_true (ct_abtest_create (t->db, id, "Subject B", 0.4, CT_ABTEST_OPENS, 4, &error));
  g_assert_no_error (error);
  return id;
}

static char *
split_of (CtTestDb *t,
          gint64    campaign_id)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (t->db,
    "SELECT group_concat(contact_id || ':' || campaign_id, ',') FROM"
    " (SELECT contact_id, campaign_id FROM outbox ORDER BY contact_id)", NULL);
  g_assert_nonnull (stmt);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

static void
test_abtest_split (void)
{
  CtTestDb t1, t2;
  CtAbTest test;
  gint64 id1 = ab_setup (&t1, 200), id2 = ab_setup (&t2, 200);
  g_autofree char *split1 = NULL, *split2 = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = now_s ();

  g_assert_true (ct_abtest_launch (t1.db, id1, now, &error));
  g_assert_true (ct_abtest_launch (t2.db, id2, now, &error));
  g_assert_no_error (error);
  g_assert_true (ct_abtest_get (t1.db, id1, &test, &error));
  /* 40% of 200 is 80: 40 for A, 40 for B, the rest held back; the
   * unsubscribed are left out of the test, not given to the other side. */
  g_assert_cmpint (ct_db_query_int64 (t1.db, "SELECT count(*) FROM ab_holdout", NULL), ==, 120);
  g_assert_cmpint (ct_db_query_int64 (t1.db, "SELECT count(*) FROM outbox o JOIN contacts c ON c.id = o.contact_id"
                                             " WHERE c.status != 'subscribed'", NULL), ==, 0);
  g_assert_cmpint (ct_db_query_int64 (t1.db, "SELECT count(*) FROM outbox", NULL), <=, 80);
  g_assert_cmpint (ct_db_query_int64 (t1.db, "SELECT count(*) FROM outbox WHERE campaign_id = 1", NULL), >, 25);
  g_assert_cmpint (ct_db_query_int64 (t1.db, "SELECT count(*) FROM outbox WHERE campaign_id = 2", NULL), >, 25);
  g_assert_cmpstr (test.state, ==, "testing");
  g_assert_cmpint (test.decide_at, ==, now + 4 * 3600);
  /* The same campaign over the same contacts splits the same way, and
   * not simply by id. */
  split1 = split_of (&t1, id1);
  split2 = split_of (&t2, id2);
  g_assert_cmpstr (split1, ==, split2);
  g_assert_cmpint (ct_db_query_int64 (t1.db, "SELECT count(*) FROM outbox WHERE contact_id > 100", NULL), >, 10);
  /* Launching twice is refused. */
  g_assert_false (ct_abtest_launch (t1.db, id1, now, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  ct_test_db_tear_down (&t1);
  ct_test_db_tear_down (&t2);
}

static void
ab_decide_case (CtAbTestMetric metric,
                gboolean       b_wins)
{
  CtTestDb t;
  CtAbTest test;
  gint64 id = 0, now = now_s ();
  gboolean decided = TRUE;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  gint64 holdout_ok;

  id = ab_setup (&t, 200);
  if (metric == CT_ABTEST_CLICKS)
    ct_test_db_exec (&t, "UPDATE ab_tests SET metric = 'clicks'");
  g_assert_true (ct_abtest_launch (t.db, id, now, &error));
  g_assert_no_error (error);
  holdout_ok = ct_db_query_int64 (t.db, "SELECT count(*) FROM ab_holdout h JOIN contacts c ON c.id = h.contact_id"
                                        " WHERE c.status = 'subscribed'", NULL);
  /* As if sent, with events: A gets opens on a third of its mail, B on
   * half of it; clicks the other way round. */
  ct_test_db_exec (&t, "UPDATE outbox SET state = 'sent', sent_at = unixepoch()");
  ct_test_db_exec (&t, "INSERT INTO mail_events (outbox_id, type, at) SELECT id, 'opened', unixepoch()"
                       " FROM outbox WHERE campaign_id = 1 AND id % 3 = 0");
  ct_test_db_exec (&t, "INSERT INTO mail_events (outbox_id, type, at) SELECT id, 'opened', unixepoch()"
                       " FROM outbox WHERE campaign_id = 2 AND id % 2 = 0");
  ct_test_db_exec (&t, "INSERT INTO mail_events (outbox_id, type, at) SELECT id, 'clicked', unixepoch()"
                       " FROM outbox WHERE campaign_id = 1 AND id % 4 = 1");
  ct_test_db_exec (&t, "INSERT INTO mail_events (outbox_id, type, at) SELECT id, 'clicked', unixepoch()"
                       " FROM outbox WHERE campaign_id = 2 AND id % 10 = 1");

  /* Not before the wait is over. */
  g_assert_true (ct_abtest_decide (t.db, id, now + 3600, &decided, &error));
  g_assert_false (decided);
  g_assert_true (ct_abtest_run_due (t.db, now + 4 * 3600, &error));
  g_assert_no_error (error);
  g_assert_true (ct_abtest_get (t.db, id, &test, &error));
  g_assert_cmpstr (test.state, ==, "decided");
  g_assert_cmpint (test.winner_id, ==, b_wins ? 2 : 1);
  g_assert_cmpint (test.holdout, ==, 0);
  /* The rest (less the unsubscribed) is queued with the winner's subject. */
  sql = g_strdup_printf ("SELECT count(*) FROM outbox WHERE campaign_id = %d AND state = 'queued'", b_wins ? 2 : 1);
  g_assert_cmpint (ct_db_query_int64 (t.db, sql, NULL), ==, holdout_ok);
  g_assert_cmpint (ct_db_query_int64 (t.db, "SELECT count(*) FROM outbox WHERE state = 'queued'", NULL), ==, holdout_ok);
  g_assert_cmpint (ct_db_query_int64 (t.db, "SELECT count(DISTINCT contact_id) FROM outbox", NULL),
                   ==, ct_db_query_int64 (t.db, "SELECT count(*) FROM outbox", NULL));
  /* Deciding again changes nothing. */
  g_assert_true (ct_abtest_decide (t.db, id, now + 5 * 3600, &decided, &error));
  g_assert_false (decided);
  ct_test_db_tear_down (&t);
}

static void
test_abtest_opens (void)
{
  ab_decide_case (CT_ABTEST_OPENS, TRUE);
}

static void
test_abtest_clicks (void)
{
  ab_decide_case (CT_ABTEST_CLICKS, FALSE);
}

static void
test_abtest_errors (void)
{
  CtTestDb t;
  g_autoptr(GError) error = NULL;
  gint64 id;

  ct_test_db_set_up (&t, "clientele-test-abtest-XXXXXX");
  id = ct_campaign_create (t.db, "Launch", "Same", "Body", NULL, "{\"all\":true}", &error);
  g_assert_false (ct_abtest_create (t.db, id, "Same", 0.5, CT_ABTEST_OPENS, 4, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ct_abtest_create (t.db, id, "Other", 1.5, CT_ABTEST_OPENS, 4, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ct_abtest_create (t.db, id, "  ", 0.5, CT_ABTEST_OPENS, 4, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ct_abtest_launch (t.db, id, 0, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  ct_test_db_tear_down (&t);
}

/* An automation's preheader goes into the campaigns its mail goes out
 * through, and follows an edit of the automation. */
static void
test_preheader (void)
{
  CtTestDb t;
  CtAutomationReport r;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtAutomation) a = NULL;
  g_autoptr(CtAutomation) bad = ct_automation_new ();
  gint64 id;

  ct_test_db_set_up (&t, "clientele-test-automation-XXXXXX");
  id = make_automation (&t, "Welcome", CT_AUTOMATION_NEW_CONTACT, 0, 0, 0, 0, NULL);
  a = ct_automation_get (t.db, id, &error);
  g_assert_null (a->preheader);
  a->preheader = g_strdup (" Your first lesson, {{first_name|friend}} ");
  g_assert_true (ct_automation_update (t.db, a, &error));
  g_assert_no_error (error);
  g_clear_pointer (&a, ct_automation_free);
  a = ct_automation_get (t.db, id, &error);
  g_assert_cmpstr (a->preheader, ==, "Your first lesson, {{first_name|friend}}");
  add_contact (&t, "new@example.com", NULL);
  run (&t, 0, &r);
  g_assert_cmpint (r.queued, ==, 1);
  g_assert_cmpint (ct_db_query_int64 (t.db, "SELECT count(*) FROM campaigns WHERE automation_id IS NOT NULL"
                                            " AND preheader = 'Your first lesson, {{first_name|friend}}'", NULL), ==, 1);
  g_free (a->preheader);
  a->preheader = g_strdup ("Changed");
  g_assert_true (ct_automation_update (t.db, a, &error));
  g_assert_cmpint (ct_db_query_int64 (t.db, "SELECT count(*) FROM campaigns WHERE preheader = 'Changed'", NULL), ==, 1);

  /* Checked like the subject. */
  bad->name = g_strdup ("Bad");
  bad->subject = g_strdup ("Hi");
  bad->preheader = g_strdup ("line\nbreak");
  g_assert_cmpint (ct_automation_create (t.db, bad, &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  ct_test_db_tear_down (&t);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/automation/new-contact", test_new_contact);
  g_test_add_func ("/automation/purchase", test_purchase);
  g_test_add_func ("/automation/no-purchase", test_no_purchase);
  g_test_add_func ("/automation/churn-risk", test_churn_risk);
  g_test_add_func ("/automation/tier-change", test_tier_change);
  g_test_add_func ("/automation/birthday", test_birthday);
  g_test_add_func ("/automation/delay-conditions-exclusions", test_delay_conditions_exclusions);
  g_test_add_func ("/automation/validation", test_validation);
  g_test_add_func ("/automation/preheader", test_preheader);
  g_test_add_func ("/automation/cli", test_cli);
  g_test_add_func ("/automation/concurrent-send-due", test_concurrent_send_due);
  g_test_add_func ("/abtest/split", test_abtest_split);
  g_test_add_func ("/abtest/opens", test_abtest_opens);
  g_test_add_func ("/abtest/clicks", test_abtest_clicks);
  g_test_add_func ("/abtest/errors", test_abtest_errors);
  return g_test_run ();
}
