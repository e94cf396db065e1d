/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-cli-campaign.c: "clientele campaign …" and "clientele send-due"
 *
 *   campaign create NAME --subject S --body FILE.md [--from ADDRESS]
 *                        [--preheader TEXT] [--tag TAG] [--at TIME]
 *   campaign send NAME            launch it (once) and send what is queued
 *   campaign status NAME          queued/sent/failed/unknown counts
 *   campaign resend-unknown NAME  the user's decision on "unknown" mail
 *   campaign drop-unknown NAME
 *   send-due                      due automations, scheduled campaigns that are due, and
 *                                 anything a killed run left
 *
 * Sending runs on a worker thread while the main loop waits, so that
 * Ctrl+C cancels it cleanly: requests under way finish or time out and
 * their outcome is recorded. The key comes from CLIENTELE_PROVIDER_KEY
 * or the Secret Service (ct-mail-secret.h).
 *
 * Exit status: 0 done (even with rejected or unknown recipients, which
 * the summary reports), 1 the provider refused the request as a whole
 * (key, sender, domain), a database problem, Ctrl+C; 2 a mistake on the
 * command line.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-abtest.h"
#include "ct-automation.h"
#include "ct-campaign-results.h"
#include "ct-cli-private.h"
#include "ct-mail-secret.h"
#include "ct-outbox.h"
#include "ct-parse.h"

typedef struct
{
  CtDb *db;
  CtMailProvider *provider;
  CtMailSettings *settings;
  CtOutboxOptions options;
  gint64 campaign_id;
  gboolean due;
  CtOutboxReport report;
  CtCliRun *run;
} SendJob;

static void
send_progress (gint64   done,
               gint64   total,
               gpointer user_data)
{
  SendJob *job = user_data;

  if (total > 0)
    ct_cli_run_progress ((double) done / (double) total, job->run);
}

static void
send_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  SendJob *job = data;
  GError *error = NULL;
  gboolean ok;

  if (job->due)
    ok = ct_outbox_send_due (job->db, job->provider, job->settings, &job->options,
                             &job->report, cancellable, &error);
  else
    ok = ct_outbox_send (job->db, job->provider, job->settings, &job->options,
                         job->campaign_id, &job->report, cancellable, &error);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* The provider as the settings say, with the key; NULL after a message. */
CtMailProvider *
ct_cli_open_provider (CtDb            *db,
                      CtMailSettings **out_settings)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtMailSettings) settings = ct_mail_settings_load (db, &error);
  char *key;
  CtMailProvider *provider;

  if (!settings->configured)
    {
      ct_cli_print_error (_("No mail provider is set up: run “clientele provider set postmark|sendgrid|mailgun|brevo|resend --key-stdin” first."));
      return NULL;
    }
  key = ct_mail_secret_lookup (ct_mail_provider_kind_to_name (settings->kind),
                               ct_db_get_path (db), &error);
  if (key == NULL)
    {
      ct_cli_print_error (_("No API key for %s: store one with “clientele provider set %s --key-stdin”, or give it in the environment variable %s."),
                          ct_mail_provider_kind_display_name (settings->kind),
                          ct_mail_provider_kind_to_name (settings->kind), CT_MAIL_KEY_ENV);
      return NULL;
    }
  provider = ct_mail_settings_new_provider (settings, key);
  ct_mail_secret_free (key);
  *out_settings = g_steal_pointer (&settings);
  return provider;
}

static int
send_and_report (CtDb   *db,
                 gint64  campaign_id,
                 gboolean due)
{
  g_autoptr(GError) error = NULL;
  SendJob job = { 0 };
  CtCliRun run;
  g_autoptr(GTask) task = NULL;
  gboolean ok;

  job.provider = ct_cli_open_provider (db, &job.settings);
  if (job.provider == NULL)
    return CT_CLI_EXIT_FAILED;
  job.db = db;
  job.campaign_id = campaign_id;
  job.due = due;
  job.run = &run;
  ct_outbox_options_init (&job.options, job.settings, job.provider);
  job.options.progress = send_progress;
  job.options.progress_data = &job;

  ct_cli_run_init (&run, _("Sending… %d%%"));
  task = g_task_new (NULL, run.cancellable, ct_cli_run_done, &run);
  g_task_set_task_data (task, &job, NULL);
  g_task_run_in_thread (task, send_thread);
  ok = g_task_propagate_boolean (G_TASK (ct_cli_run_wait (&run)), &error);
  ct_cli_run_clear (&run);

  {
    g_autofree char *sent = ct_cli_format_count (job.report.sent);
    g_autofree char *rejected = ct_cli_format_count (job.report.rejected);
    g_autofree char *failed = ct_cli_format_count (job.report.failed);
    g_autofree char *unknown = ct_cli_format_count (job.report.unknown);

    /* Translators: a summary of one sending run */
    g_print (_("Sent %s, refused by the provider %s, failed %s, unknown %s.\n"),
             sent, rejected, failed, unknown);
  }
  if (job.report.unknown > 0)
    g_print ("%s\n", _("Unknown mail may or may not have gone out; see “clientele campaign status” and decide with “campaign resend-unknown” or “campaign drop-unknown”."));

  g_clear_object (&job.provider);
  ct_mail_settings_free (job.settings);
  if (!ok)
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }
  return EXIT_SUCCESS;
}

static int
campaign_create (const CtCliCommand *command,
                 CtDb               *db,
                 const char         *name,
                 const char         *subject,
                 const char         *body_path,
                 const char         *from,
                 const char         *preheader,
                 const char         *tag,
                 const char         *at)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *audience = NULL;
  gsize length = 0;
  gint64 when = 0;
  gint64 id;

  if (subject == NULL || body_path == NULL)
    {
      ct_cli_print_error (_("“campaign create” needs --subject and --body."));
      return CT_CLI_EXIT_USAGE;
    }
  if (!g_file_get_contents (body_path, &body, &length, &error))
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_USAGE;
    }
  if (!g_utf8_validate (body, length, NULL))
    {
      g_autofree char *display = g_filename_display_name (body_path);
      ct_cli_print_error (_("The body file “%s” is not UTF-8 text."), display);
      return CT_CLI_EXIT_USAGE;
    }
  if (tag != NULL)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonGenerator) g = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "tag");
      json_builder_add_string_value (b, tag);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      json_generator_set_root (g, root);
      audience = json_generator_to_data (g, NULL);
    }
  else
    audience = g_strdup ("{\"all\":true}");

  /* ct_parse_date() reads "2026-12-24 09:00", "2026-12-24T09:00" and
   * the other forms imports take, in local time. Checked before the
   * campaign is made, so that a typo leaves nothing behind. */
  if (at != NULL && !ct_parse_date (at, FALSE, NULL, &when))
    {
      ct_cli_print_error (_("--at takes a date and time like 2026-12-24T09:00, not “%s”."), at);
      return CT_CLI_EXIT_USAGE;
    }

  id = ct_campaign_create (db, name, subject, body, from, audience, &error);
  if (id == 0)
    {
      ct_cli_print_error ("%s", error->message);
      return g_error_matches (error, CT_DB_ERROR, CT_DB_ERROR_INVALID)
             || g_error_matches (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT)
             ? CT_CLI_EXIT_USAGE : CT_CLI_EXIT_FAILED;
    }
  /* A bad preheader takes the new campaign with it: nothing half made
   * is left to be sent. */
  if (preheader != NULL && !ct_campaign_set_preheader (db, id, preheader, &error))
    {
      g_autoptr(sqlite3_stmt) drop = ct_db_prepare (db, "DELETE FROM campaigns WHERE id = ?1", NULL);

      ct_cli_print_error ("%s", error->message);
      if (drop != NULL)
        {
          sqlite3_bind_int64 (drop, 1, id);
          sqlite3_step (drop);
        }
      return CT_CLI_EXIT_USAGE;
    }
  if (at != NULL
      && !ct_campaign_schedule (db, id, when, &error))
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }
  g_print (_("Campaign “%s” created.\n"), name);
  return EXIT_SUCCESS;
}

static int
campaign_status (CtDb       *db,
                 gint64      id,
                 const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtCampaignInfo) info = NULL;
  CtOutboxCounts c;
  struct { const char *label; gint64 n; } rows[] = {
    { N_("Queued"), 0 }, { N_("Sending"), 0 }, { N_("Sent"), 0 },
    { N_("Refused by the provider"), 0 }, { N_("Failed"), 0 }, { N_("Unknown"), 0 },
    { N_("Dropped"), 0 }, { N_("Delivered"), 0 }, { N_("Opened"), 0 },
    { N_("Clicked"), 0 }, { N_("Bounced"), 0 }, { N_("Complained"), 0 },
    { N_("Unsubscribed"), 0 },
  };

  if (!ct_outbox_get_counts (db, id, &c, &error))
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }
  rows[0].n = c.queued; rows[1].n = c.in_flight; rows[2].n = c.sent;
  rows[3].n = c.rejected; rows[4].n = c.failed; rows[5].n = c.unknown;
  rows[6].n = c.dropped; rows[7].n = c.delivered; rows[8].n = c.opened;
  rows[9].n = c.clicked; rows[10].n = c.bounced; rows[11].n = c.complained;
  rows[12].n = c.unsubscribed;
  info = ct_campaign_get_info (db, id, CT_CAMPAIGN_DEFAULT_WINDOW_DAYS, &error);
  if (info == NULL)
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }
  g_print (_("Campaign “%s”\n"), name);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      /* Delivered, opened and clicked, when the provider cannot tell
       * them: unknown, not zero. */
      g_autofree char *n = info->activity_note != NULL && i >= 7 && i <= 9
                           ? g_strdup ("—") : ct_cli_format_count (rows[i].n);
      g_print ("  %-26s %s\n", _(rows[i].label), n);
    }
  if (info->activity_note != NULL)
    g_print ("%s\n", info->activity_note);
  return EXIT_SUCCESS;
}

int
ct_cli_run_campaign (const CtCliCommand  *command,
                     int                  argc,
                     char               **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *body = NULL;
  g_autofree char *from = NULL;
  g_autofree char *preheader = NULL;
  g_autofree char *tag = NULL;
  g_autofree char *at = NULL;
  g_autofree char *description = NULL;
  g_auto(GStrv) rest = NULL;
  g_autoptr(CtDb) db = NULL;
  g_autoptr(GError) error = NULL;
  const char *action;
  const char *name;
  gint64 id;
  int status;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Use the database in the file PATH"), N_("PATH") },
    { "subject", 0, 0, G_OPTION_ARG_STRING, &subject, N_("The subject, with merge fields like {{first_name|there}}"), N_("TEXT") },
    { "body", 0, 0, G_OPTION_ARG_FILENAME, &body, N_("The body: a Markdown file with merge fields"), N_("FILE") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from, N_("The sender, else the provider settings’"), N_("ADDRESS") },
    { "preheader", 0, 0, G_OPTION_ARG_STRING, &preheader, N_("The preview text inbox apps show after the subject"), N_("TEXT") },
    { "tag", 0, 0, G_OPTION_ARG_STRING, &tag, N_("Send to the contacts with this tag, else to everyone subscribed"), N_("TAG") },
    { "at", 0, 0, G_OPTION_ARG_STRING, &at, N_("Schedule it for “clientele send-due” at this local time"), N_("TIME") },
    { NULL },
  };

  description = ct_cli_db_option_description ();
  status = ct_cli_parse_command_line (command, entries,
                                      "create|send|status|resend-unknown|drop-unknown NAME",
                                      description, argc, argv, &rest);
  if (status != CT_CLI_CONTINUE)
    return status;
  if (rest == NULL || g_strv_length (rest) != 2)
    {
      ct_cli_print_error (_("Give an action and a campaign name, as in “clientele campaign send Spring”."));
      return CT_CLI_EXIT_USAGE;
    }
  action = rest[0];
  name = rest[1];
  if (!g_str_equal (action, "create") && !g_str_equal (action, "send")
      && !g_str_equal (action, "status") && !g_str_equal (action, "resend-unknown")
      && !g_str_equal (action, "drop-unknown"))
    {
      ct_cli_print_error (_("Unknown campaign action “%s”: use create, send, status, resend-unknown or drop-unknown."), action);
      return CT_CLI_EXIT_USAGE;
    }

  if (db_path == NULL)
    db_path = ct_db_default_path ();
  db = ct_cli_open_existing_db (db_path, &error);
  if (db == NULL)
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }

  if (g_str_equal (action, "create"))
    return campaign_create (command, db, name, subject, body, from, preheader, tag, at);

  id = ct_campaign_find (db, name, &error);
  if (id == 0)
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_USAGE;
    }
  if (g_str_equal (action, "status"))
    return campaign_status (db, id, name);
  if (g_str_equal (action, "resend-unknown") || g_str_equal (action, "drop-unknown"))
    {
      gint64 n = 0;
      g_autofree char *count = NULL;
      gboolean ok = g_str_equal (action, "drop-unknown")
                    ? ct_outbox_drop_unknown (db, id, &n, &error)
                    : ct_outbox_resend_unknown (db, id, &n, &error);
      if (!ok)
        {
          ct_cli_print_error ("%s", error->message);
          return CT_CLI_EXIT_FAILED;
        }
      count = ct_cli_format_count (n);
      g_print (g_str_equal (action, "drop-unknown")
               ? _("%s unknown recipients dropped.\n")
               : _("%s unknown recipients queued again; “campaign send” sends them.\n"),
               count);
      return EXIT_SUCCESS;
    }

  /* send: launch once (a draft or scheduled campaign), then send what is
   * queued, including what an interrupted run left. */
  {
    g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, "SELECT status FROM campaigns WHERE id = ?1", &error);
    gboolean launch = FALSE;

    if (stmt == NULL)
      {
        ct_cli_print_error ("%s", error->message);
        return CT_CLI_EXIT_FAILED;
      }
    sqlite3_bind_int64 (stmt, 1, id);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      {
        const char *s = (const char *) sqlite3_column_text (stmt, 0);
        launch = g_str_equal (s, "draft") || g_str_equal (s, "scheduled");
      }
    g_clear_pointer (&stmt, sqlite3_finalize);
    if (launch)
      {
        gint64 queued = 0, excluded = 0;
        g_autofree char *q = NULL, *e = NULL;

        if (!ct_outbox_launch (db, id, &queued, &excluded, &error))
          {
            ct_cli_print_error ("%s", error->message);
            return CT_CLI_EXIT_FAILED;
          }
        q = ct_cli_format_count (queued);
        e = ct_cli_format_count (excluded);
        /* Translators: "2,000 recipients queued; 12 left out (unsubscribed, bounced, complained, suppressed or erased)." */
        g_print (_("%s recipients queued; %s left out (unsubscribed, bounced, complained, suppressed or erased).\n"), q, e);
      }
  }
  return send_and_report (db, id, FALSE);
}

int
ct_cli_run_send_due (const CtCliCommand  *command,
                     int                  argc,
                     char               **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *description = NULL;
  g_autoptr(CtDb) db = NULL;
  g_autoptr(GError) error = NULL;
  int status;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Use the database in the file PATH"), N_("PATH") },
    { NULL },
  };

  description = ct_cli_db_option_description ();
  status = ct_cli_parse_command_line (command, entries, NULL, description, argc, argv, NULL);
  if (status != CT_CLI_CONTINUE)
    return status;
  if (db_path == NULL)
    db_path = ct_db_default_path ();
  db = ct_cli_open_existing_db (db_path, &error);
  if (db == NULL)
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }
  /* Automations first: what they queue goes out in the same run. Two
   * runs at once are safe (see ct-automation.h). */
  {
    CtAutomationReport automations = { 0 };

    /* A/B tests before ct_outbox_send_due(), which would launch a due
     * test's campaign as a plain one. */
    if (!ct_abtest_run_due (db, 0, &error)
        || !ct_automation_run_due (db, 0, &automations, &error))
      {
        ct_cli_print_error ("%s", error->message);
        return CT_CLI_EXIT_FAILED;
      }
    if (automations.queued > 0 || automations.skipped > 0)
      {
        g_autofree char *q = ct_cli_format_count (automations.queued);
        g_autofree char *s = ct_cli_format_count (automations.skipped);
        /* Translators: "Automations: 3 emails queued, 1 left out (unsubscribed, suppressed or not matching)." */
        g_print (_("Automations: %s emails queued, %s left out (unsubscribed, suppressed or not matching).\n"), q, s);
      }
  }
  /* A timer runs this every few minutes: with nothing to send it needs
   * neither a provider nor a key. */
  if (ct_db_query_int64 (db, "SELECT count(*) FROM campaigns WHERE status = 'sending'"
                             " OR (status = 'scheduled' AND scheduled_at <= unixepoch())", NULL) == 0)
    {
      g_print ("%s\n", _("Nothing is due."));
      return EXIT_SUCCESS;
    }
  return send_and_report (db, 0, TRUE);
}
