/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-cli-automation.c: "clientele automation …"
 *
 *   automation create NAME --trigger T --subject S --body FILE.md
 *              [--preheader TEXT] [--delay-hours H] [--rule RULE.json] [--disabled]
 *   automation list
 *   automation history NAME
 *   automation enable|disable|delete NAME
 *
 * T is new-contact, purchase, purchase:PRODUCT, no-purchase-days:N,
 * churn-risk:P (0 < P <= 1), tier-change or birthday. `clientele
 * send-due` runs them. Exit status: 0 done; 1 a database problem; 2 a
 * mistake on the command line.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-automation.h"
#include "ct-cli-private.h"

/* Reads --trigger into @a; a message and FALSE when it is wrong. */
static gboolean
parse_trigger (CtDb         *db,
               const char   *text,
               CtAutomation *a)
{
  g_autofree char *word = g_strdup (text);
  char *colon = strchr (word, ':');
  const char *arg = NULL;
  CtAutomationTrigger trigger;
  char *end = NULL;

  if (colon != NULL)
    {
      *colon = '\0';
      arg = colon + 1;
    }
  if (g_str_equal (word, "no-purchase-days"))
    trigger = CT_AUTOMATION_NO_PURCHASE;
  else if (!ct_automation_trigger_from_string (word, &trigger))
    goto bad;
  a->trigger = trigger;
  switch (trigger)
    {
    case CT_AUTOMATION_PURCHASE:
      if (arg != NULL)
        {
          g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, "SELECT id FROM products WHERE name = ?1", NULL);

          if (stmt == NULL)
            goto bad;
          sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_STATIC);
          if (sqlite3_step (stmt) != SQLITE_ROW)
            {
              ct_cli_print_error (_("There is no product called “%s”."), arg);
              return FALSE;
            }
          a->product_id = sqlite3_column_int64 (stmt, 0);
        }
      return TRUE;
    case CT_AUTOMATION_NO_PURCHASE:
      {
        gint64 days = arg != NULL ? g_ascii_strtoll (arg, &end, 10) : 0;

        if (arg == NULL || *end != '\0' || days <= 0 || days > 36500)
          {
            ct_cli_print_error (_("no-purchase-days takes a number of days, as in no-purchase-days:60."));
            return FALSE;
          }
        a->days = (guint) days;
        return TRUE;
      }
    case CT_AUTOMATION_CHURN_RISK:
      a->threshold = arg != NULL ? g_ascii_strtod (arg, &end) : 0;
      if (arg == NULL || *end != '\0' || !(a->threshold > 0 && a->threshold <= 1))
        {
          ct_cli_print_error (_("churn-risk takes a probability above 0 and at most 1, as in churn-risk:0.7."));
          return FALSE;
        }
      return TRUE;
    default:
      if (arg != NULL)
        goto bad;
      return TRUE;
    }

bad:
  ct_cli_print_error (_("Unknown trigger “%s”: use new-contact, purchase, purchase:PRODUCT, no-purchase-days:N, churn-risk:P, tier-change or birthday."),
                      text);
  return FALSE;
}

/* @bad_text: a translated message with one %s for the file's name. */
static char *
read_text_file (const char *path,
                const char *bad_text)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;
  gsize length;

  if (!g_file_get_contents (path, &text, &length, &error))
    {
      ct_cli_print_error ("%s", error->message);
      return NULL;
    }
  if (!g_utf8_validate (text, length, NULL))
    {
      g_autofree char *display = g_filename_display_name (path);
      ct_cli_print_error (bad_text, display);
      g_free (text);
      return NULL;
    }
  return text;
}

static int
list_automations (CtDb *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = ct_automation_list (db, &error);

  if (list == NULL)
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }
  if (list->len == 0)
    g_print ("%s\n", _("No automations yet."));
  for (guint i = 0; i < list->len; i++)
    {
      CtAutomation *a = g_ptr_array_index (list, i);
      g_autofree char *trigger = ct_automation_describe_trigger (a->trigger, a->product_name, a->days, a->threshold);
      g_autofree char *fired = ct_cli_format_count (a->fired);
      g_autofree char *queued = ct_cli_format_count (a->queued);

      /* Translators: name, on/off, trigger, delay, firings, mailed */
      g_print (_("%s\t%s\t%s\tdelay %u h\t%s fired\t%s mailed\n"), a->name,
               a->enabled ? _("enabled") : _("disabled"), trigger, a->delay_hours, fired, queued);
    }
  return EXIT_SUCCESS;
}

static int
show_history (CtDb               *db,
              const CtAutomation *a)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = ct_automation_history (db, a->id, 0, &error);

  if (list == NULL)
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }
  if (list->len == 0)
    g_print (_("“%s” has not fired yet.\n"), a->name);
  for (guint i = 0; i < list->len; i++)
    {
      CtAutomationFiring *f = g_ptr_array_index (list, i);
      g_autoptr(GDateTime) at = g_date_time_new_from_unix_local (f->fired_at);
      g_autofree char *when = g_date_time_format (at, "%Y-%m-%d %H:%M");
      const char *state = f->outbox_state != NULL ? f->outbox_state : f->state;

      g_print ("%s\t%s\t%s\t%s%s%s\n", when, f->contact_label, f->event_key, state,
               f->reason != NULL ? ": " : "", f->reason != NULL ? f->reason : "");
    }
  return EXIT_SUCCESS;
}

int
ct_cli_run_automation (const CtCliCommand  *command,
                       int                  argc,
                       char               **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *trigger = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *preheader = NULL;
  g_autofree char *body_path = NULL;
  g_autofree char *rule_path = NULL;
  g_autofree char *description = NULL;
  gint delay_hours = 0;
  gboolean disabled = FALSE;
  g_auto(GStrv) rest = NULL;
  g_autoptr(CtDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtAutomation) a = NULL;
  const char *action;
  guint n_rest;
  int status;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Use the database in the file PATH"), N_("PATH") },
    { "trigger", 0, 0, G_OPTION_ARG_STRING, &trigger,
      N_("What starts it: new-contact, purchase[:PRODUCT], no-purchase-days:N, churn-risk:P, tier-change or birthday"), N_("TRIGGER") },
    { "subject", 0, 0, G_OPTION_ARG_STRING, &subject, N_("The subject, with merge fields like {{first_name|there}}"), N_("TEXT") },
    { "body", 0, 0, G_OPTION_ARG_FILENAME, &body_path, N_("The body: a Markdown file with merge fields"), N_("FILE") },
    { "preheader", 0, 0, G_OPTION_ARG_STRING, &preheader, N_("The preview text inbox apps show after the subject"), N_("TEXT") },
    { "delay-hours", 0, 0, G_OPTION_ARG_INT, &delay_hours, N_("Wait this many hours after the trigger before mailing"), N_("H") },
    { "rule", 0, 0, G_OPTION_ARG_FILENAME, &rule_path, N_("Only mail contacts who match this segment rule (a JSON file)"), N_("FILE") },
    { "disabled", 0, 0, G_OPTION_ARG_NONE, &disabled, N_("Create it switched off"), NULL },
    { NULL },
  };

  description = ct_cli_db_option_description ();
  status = ct_cli_parse_command_line (command, entries,
                                      "create|list|history|enable|disable|delete [NAME]",
                                      description, argc, argv, &rest);
  if (status != CT_CLI_CONTINUE)
    return status;
  n_rest = rest != NULL ? g_strv_length (rest) : 0;
  if (n_rest == 0)
    {
      ct_cli_print_error (_("Give an action, as in “clientele automation list”."));
      return CT_CLI_EXIT_USAGE;
    }
  action = rest[0];
  if (!g_str_equal (action, "create") && !g_str_equal (action, "list") && !g_str_equal (action, "history")
      && !g_str_equal (action, "enable") && !g_str_equal (action, "disable") && !g_str_equal (action, "delete"))
    {
      ct_cli_print_error (_("Unknown automation action “%s”: use create, list, history, enable, disable or delete."), action);
      return CT_CLI_EXIT_USAGE;
    }
  if (g_str_equal (action, "list") ? n_rest != 1 : n_rest != 2)
    {
      ct_cli_print_error (_("Give an action and an automation name, as in “clientele automation history Welcome”."));
      return CT_CLI_EXIT_USAGE;
    }
  if (delay_hours < 0)
    {
      ct_cli_print_error (_("--delay-hours cannot be negative."));
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

  if (g_str_equal (action, "list"))
    return list_automations (db);

  if (g_str_equal (action, "create"))
    {
      if (trigger == NULL || subject == NULL || body_path == NULL)
        {
          ct_cli_print_error (_("“automation create” needs --trigger, --subject and --body."));
          return CT_CLI_EXIT_USAGE;
        }
      a = ct_automation_new ();
      a->name = g_strdup (rest[1]);
      a->subject = g_strdup (subject);
      a->preheader = g_strdup (preheader);
      a->delay_hours = (guint) delay_hours;
      if (!parse_trigger (db, trigger, a))
        return CT_CLI_EXIT_USAGE;
      a->body = read_text_file (body_path, _("The body file “%s” is not UTF-8 text."));
      if (a->body == NULL)
        return CT_CLI_EXIT_USAGE;
      if (rule_path != NULL && (a->rule_json = read_text_file (rule_path, _("The rule file “%s” is not UTF-8 text."))) == NULL)
        return CT_CLI_EXIT_USAGE;
      if (ct_automation_create (db, a, &error) == 0)
        {
          ct_cli_print_error ("%s", error->message);
          return g_error_matches (error, CT_DB_ERROR, CT_DB_ERROR_INVALID)
                 || g_error_matches (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT)
                 || g_error_matches (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND)
                 ? CT_CLI_EXIT_USAGE : CT_CLI_EXIT_FAILED;
        }
      if (!disabled && !ct_automation_set_enabled (db, a->id, TRUE, &error))
        {
          ct_cli_print_error ("%s", error->message);
          return CT_CLI_EXIT_FAILED;
        }
      if (disabled)
        g_print (_("Automation “%s” created, switched off.\n"), a->name);
      else
        g_print (_("Automation “%s” created and switched on; “clientele send-due” runs it.\n"), a->name);
      return EXIT_SUCCESS;
    }

  a = ct_automation_find (db, rest[1], &error);
  if (a == NULL)
    {
      ct_cli_print_error ("%s", error->message);
      return g_error_matches (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND) ? CT_CLI_EXIT_USAGE : CT_CLI_EXIT_FAILED;
    }
  if (g_str_equal (action, "history"))
    return show_history (db, a);
  if (g_str_equal (action, "delete"))
    {
      if (!ct_automation_delete (db, a->id, &error))
        {
          ct_cli_print_error ("%s", error->message);
          return CT_CLI_EXIT_FAILED;
        }
      g_print (_("Automation “%s” deleted.\n"), a->name);
      return EXIT_SUCCESS;
    }
  if (!ct_automation_set_enabled (db, a->id, g_str_equal (action, "enable"), &error))
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }
  g_print (g_str_equal (action, "enable") ? _("Automation “%s” switched on.\n")
                                          : _("Automation “%s” switched off.\n"), a->name);
  return EXIT_SUCCESS;
}
