/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-cli-suppression.c: "clientele suppression …"
 *
 *   suppression list [--search TEXT]
 *   suppression add EMAIL [--reason TEXT]
 *   suppression remove EMAIL
 *   suppression import FILE
 *   suppression export FILE [--search TEXT] [--bom]
 *
 * The suppression list holds the addresses no campaign mails. `list`
 * prints one address a line: address, reason, since when, source and
 * note, separated by tabs for scripts. `import` reads a CSV or a plain
 * list of addresses (ct-suppression.h) and names each line it could not
 * take on stderr. Exit status: 0 done; 3 some lines of an import were
 * rejected (the others are in); 2 a mistake on the command line, an
 * address that is not one, already listed or not listed; 1 a database
 * or file that cannot be read or written.
 */
#include "config.h"

#include <stdlib.h>
#include <glib/gi18n-lib.h>

#include "ct-cli-private.h"
#include "ct-suppression.h"

#define EXIT_REJECTED 3
/* Rejected lines listed on stderr before "and N more". */
#define MAX_LISTED_PROBLEMS 50

static int
error_status (const GError *error)
{
  return g_error_matches (error, CT_DB_ERROR, CT_DB_ERROR_INVALID)
         || g_error_matches (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT)
         || g_error_matches (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND)
         || error->domain == CT_CSV_ERROR
         || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
         ? CT_CLI_EXIT_USAGE : CT_CLI_EXIT_FAILED;
}

static int
list_suppressions (CtDb       *db,
                   const char *search)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = ct_suppression_list (db, search, 0, 0, &error);
  g_autofree char *count = NULL;

  if (list == NULL)
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }
  for (guint i = 0; i < list->len; i++)
    {
      CtSuppression *s = g_ptr_array_index (list, i);
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (s->created_at);
      /* Translators: when an address was suppressed; strftime format. */
      g_autofree char *when = dt != NULL ? g_date_time_format (dt, _("%Y-%m-%d %H:%M")) : g_strdup ("");

      g_print ("%s\t%s\t%s\t%s\t%s\n", s->email, ct_suppression_reason_get_label (s->reason),
               when, s->source, s->note);
    }
  count = ct_cli_format_count (list->len);
  if (list->len == 0)
    g_printerr ("%s\n", search != NULL && *search != '\0'
                        ? _("No suppressed address matches.")
                        : _("The suppression list is empty."));
  else
    g_printerr (ngettext ("%s address suppressed.\n", "%s addresses suppressed.\n", list->len), count);
  return EXIT_SUCCESS;
}

static int
import_suppressions (CtDb       *db,
                     const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(CtSuppressionImport) report = ct_suppression_import_file (db, file, NULL, &error);
  g_autofree char *added = NULL, *already = NULL, *rejected = NULL;

  if (report == NULL)
    {
      ct_cli_print_error ("%s", error->message);
      return error_status (error);
    }
  for (guint i = 0; i < report->problems->len && i < MAX_LISTED_PROBLEMS; i++)
    {
      CtSuppressionProblem *p = g_ptr_array_index (report->problems, i);

      /* Translators: "line 4: “bob@” is not an email address." */
      g_printerr (_("line %u: %s\n"), p->line, p->message);
    }
  if (report->problems->len > MAX_LISTED_PROBLEMS)
    g_printerr (_("and %u more lines that could not be read.\n"), report->problems->len - MAX_LISTED_PROBLEMS);
  added = ct_cli_format_count (report->n_added);
  already = ct_cli_format_count (report->n_already);
  rejected = ct_cli_format_count (report->problems->len);
  /* Translators: "12 addresses added, 3 on the list already, 1 line rejected." */
  g_print (_("%s added, %s on the list already, %s rejected.\n"), added, already, rejected);
  return report->problems->len > 0 ? EXIT_REJECTED : EXIT_SUCCESS;
}

int
ct_cli_run_suppression (const CtCliCommand  *command,
                        int                  argc,
                        char               **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *search = NULL;
  g_autofree char *description = NULL;
  g_auto(GStrv) rest = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtDb) db = NULL;
  gboolean bom = FALSE;
  const char *action;
  guint n_rest;
  int status;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("The database file"), N_("FILE") },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, N_("Why the address is added, in your own words (add)"), N_("TEXT") },
    { "search", 0, 0, G_OPTION_ARG_STRING, &search, N_("Only addresses, sources or notes containing TEXT (list, export)"), N_("TEXT") },
    { "bom", 0, 0, G_OPTION_ARG_NONE, &bom, N_("Start the CSV with a byte order mark, for Excel (export)"), NULL },
    { NULL },
  };

  description = ct_cli_db_option_description ();
  status = ct_cli_parse_command_line (command, entries, "list|add|remove|import|export [EMAIL|FILE]",
                                      description, argc, argv, &rest);
  if (status != CT_CLI_CONTINUE)
    return status;
  n_rest = rest != NULL ? g_strv_length (rest) : 0;
  if (n_rest == 0)
    {
      ct_cli_print_error (_("Give an action, as in “clientele suppression list”."));
      return CT_CLI_EXIT_USAGE;
    }
  action = rest[0];
  if (!g_str_equal (action, "list") && !g_str_equal (action, "add") && !g_str_equal (action, "remove")
      && !g_str_equal (action, "import") && !g_str_equal (action, "export"))
    {
      ct_cli_print_error (_("Unknown suppression action “%s”: use list, add, remove, import or export."), action);
      return CT_CLI_EXIT_USAGE;
    }
  if (g_str_equal (action, "list") ? n_rest != 1 : n_rest != 2)
    {
      if (g_str_equal (action, "list"))
        ct_cli_print_error (_("“suppression list” takes no address; use --search to narrow it."));
      else if (g_str_equal (action, "add") || g_str_equal (action, "remove"))
        ct_cli_print_error (_("Give one email address, as in “clientele suppression %s bob@example.com”."), action);
      else
        ct_cli_print_error (_("Give one file, as in “clientele suppression %s list.csv”."), action);
      return CT_CLI_EXIT_USAGE;
    }
  if (reason != NULL && !g_str_equal (action, "add"))
    {
      ct_cli_print_error (_("--reason goes with “suppression add”."));
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
    return list_suppressions (db, search);
  if (g_str_equal (action, "import"))
    return import_suppressions (db, rest[1]);

  if (g_str_equal (action, "add"))
    {
      if (!ct_suppression_add (db, rest[1], CT_SUPPRESSION_MANUAL, reason, &error))
        {
          ct_cli_print_error ("%s", error->message);
          return error_status (error);
        }
      g_print (_("“%s” added to the suppression list: no campaign will mail it.\n"), rest[1]);
      return EXIT_SUCCESS;
    }
  if (g_str_equal (action, "remove"))
    {
      if (!ct_suppression_remove (db, rest[1], NULL, &error))
        {
          ct_cli_print_error ("%s", error->message);
          return error_status (error);
        }
      g_print (_("“%s” removed from the suppression list.\n"), rest[1]);
      return EXIT_SUCCESS;
    }

  /* export */
  {
    g_autoptr(GFile) file = g_file_new_for_commandline_arg (rest[1]);
    g_autofree char *count = NULL;
    guint n = 0;

    if (!ct_suppression_export_to_file (db, search, bom ? CT_CSV_WRITE_BOM : CT_CSV_WRITE_NONE,
                                        file, &n, NULL, &error))
      {
        ct_cli_print_error ("%s", error->message);
        return CT_CLI_EXIT_FAILED;
      }
    count = ct_cli_format_count (n);
    g_print (ngettext ("%s address written to %s.\n", "%s addresses written to %s.\n", n), count, rest[1]);
    return EXIT_SUCCESS;
  }
}
