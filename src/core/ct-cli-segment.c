/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-cli-segment.c: "clientele segment count|save|list|members"
 *
 *   segment count NAME|RULE.json      prints the number of members
 *   segment save NAME RULE.json       saves (--replace: replaces) a rule
 *   segment list                      each saved segment with its count
 *   segment members NAME|RULE.json    the members as CSV, on stdout or
 *                                     into --csv FILE, with the columns
 *                                     of "clientele export contacts"
 *
 * A segment is named by a saved segment's name, or by a JSON rule file
 * (an argument ending in .json, or naming a file that exists). The rule
 * format is in ct-segment.h.
 *
 * stdout, never translated, for scripts:
 *   count:   N
 *   save:    saved segment NAME (N contacts)
 *   list:    NAME<TAB>N, one line per segment (N is "error" and the
 *            reason goes to stderr for a rule this version cannot read)
 *   members --csv: exported N rows to FILE
 * Exit status: 0 done, 2 a mistake on the command line or a rule file
 * that cannot be read or is not a valid rule, 1 anything else (no such
 * database or segment, a name already taken, a field this database does
 * not keep yet, a file that cannot be written).
 */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n-lib.h>

#include "ct-cli-private.h"
#include "ct-export.h"
#include "ct-segment.h"

static gboolean
looks_like_file (const char *arg)
{
  return g_str_has_suffix (arg, ".json") || g_str_has_suffix (arg, ".JSON")
         || g_file_test (arg, G_FILE_TEST_IS_REGULAR);
}

/* Reads a rule file. Prints the reason and returns NULL on failure. */
static CtSegmentRule *
read_rule_file (const char *path)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *display = g_filename_display_name (path);
  CtSegmentRule *rule;

  if (!g_file_get_contents (path, &text, NULL, &error))
    {
      ct_cli_print_error ("%s", error->message);
      return NULL;
    }
  rule = ct_segment_rule_parse (text, &error);
  if (rule == NULL)
    {
      /* Translators: "shop.json: In condition 2: there is no field “foo”." */
      ct_cli_print_error (_("%s: %s"), display, error->message);
      return NULL;
    }
  return rule;
}

/* The rule of a saved segment or a file; *status says why not. */
static CtSegmentRule *
resolve_rule (CtDb       *db,
              const char *arg,
              int        *status)
{
  g_autoptr(CtSegment) segment = NULL;
  g_autoptr(GError) error = NULL;
  CtSegmentRule *rule;

  if (looks_like_file (arg))
    {
      rule = read_rule_file (arg);
      *status = rule != NULL ? EXIT_SUCCESS : CT_CLI_EXIT_USAGE;
      return rule;
    }

  segment = ct_segment_lookup_by_name (db, arg, &error);
  if (segment == NULL)
    {
      ct_cli_print_error ("%s", error->message);
      if (g_error_matches (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND))
        ct_cli_print_error (_("Give a saved segment’s name (see “clientele segment list”) or a rule file ending in .json."));
      *status = CT_CLI_EXIT_FAILED;
      return NULL;
    }
  if (segment->rule == NULL)
    {
      ct_cli_print_error (_("The segment “%s” cannot be used: %s"), segment->name, segment->rule_error);
      *status = CT_CLI_EXIT_FAILED;
      return NULL;
    }
  *status = EXIT_SUCCESS;
  return ct_segment_rule_copy (segment->rule);
}

static int
run_count (CtDb       *db,
           const char *arg)
{
  g_autoptr(CtSegmentRule) rule = NULL;
  g_autoptr(GError) error = NULL;
  gint64 count;
  int status;

  rule = resolve_rule (db, arg, &status);
  if (rule == NULL)
    return status;
  if (!ct_segment_count (db, rule, 0, &count, &error))
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }
  g_print ("%lld\n", (long long) count);
  return EXIT_SUCCESS;
}

static int
run_save (CtDb       *db,
          const char *name,
          const char *path,
          gboolean    replace)
{
  g_autoptr(CtSegmentRule) rule = NULL;
  g_autoptr(CtSegment) existing = NULL;
  g_autoptr(GError) error = NULL;
  gint64 count;

  rule = read_rule_file (path);
  if (rule == NULL)
    return CT_CLI_EXIT_USAGE;

  /* Counting first checks that this database can run the rule, so that
   * nothing unusable is saved. */
  if (!ct_segment_count (db, rule, 0, &count, &error))
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }

  if (replace)
    {
      existing = ct_segment_lookup_by_name (db, name, &error);
      if (existing == NULL && !g_error_matches (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND))
        {
          ct_cli_print_error ("%s", error->message);
          return CT_CLI_EXIT_FAILED;
        }
      g_clear_error (&error);
    }

  if (existing != NULL ? !ct_segment_update_rule (db, existing->id, rule, &error)
                       : ct_segment_save (db, name, rule, &error) == 0)
    {
      ct_cli_print_error ("%s", error->message);
      if (g_error_matches (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT))
        ct_cli_print_error (_("Add --replace to replace its rule."));
      return CT_CLI_EXIT_FAILED;
    }

  g_print ("saved segment %s (%lld contacts)\n",
           existing != NULL ? existing->name : name, (long long) count);
  return EXIT_SUCCESS;
}

static int
run_list (CtDb *db)
{
  g_autoptr(GPtrArray) segments = NULL;
  g_autoptr(GError) error = NULL;
  int status = EXIT_SUCCESS;

  segments = ct_segment_list (db, &error);
  if (segments == NULL)
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }

  for (guint i = 0; i < segments->len; i++)
    {
      CtSegment *segment = g_ptr_array_index (segments, i);
      gint64 count;

      if (segment->rule == NULL)
        {
          ct_cli_print_error (_("The segment “%s” cannot be used: %s"), segment->name, segment->rule_error);
          g_print ("%s\terror\n", segment->name);
          status = CT_CLI_EXIT_FAILED;
          continue;
        }
      if (!ct_segment_count (db, segment->rule, 0, &count, &error))
        {
          ct_cli_print_error (_("The segment “%s” cannot be used: %s"), segment->name, error->message);
          g_print ("%s\terror\n", segment->name);
          g_clear_error (&error);
          status = CT_CLI_EXIT_FAILED;
          continue;
        }
      g_print ("%s\t%lld\n", segment->name, (long long) count);
    }
  return status;
}

static int
run_members (CtDb            *db,
             const char      *arg,
             const char      *csv_path,
             CtCsvWriteFlags  flags)
{
  g_autoptr(CtSegmentRule) rule = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;
  int status;

  rule = resolve_rule (db, arg, &status);
  if (rule == NULL)
    return status;

  /* The ids and the rows are read in one read transaction, so that the
   * file holds exactly the members counted. */
  if (!ct_db_exec (db, "BEGIN DEFERRED", &error))
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }
  ids = ct_segment_members (db, rule, 0, &error);
  if (ids != NULL)
    {
      if (csv_path != NULL)
        {
          g_autoptr(GFile) file = g_file_new_for_commandline_arg (csv_path);

          if (ct_export_to_file (db, CT_EXPORT_CONTACTS, ids, flags, file, &n, NULL, &error))
            g_print ("exported %u rows to %s\n", n, csv_path);
        }
      else
        {
          g_autoptr(GOutputStream) out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);

          ct_export_write (db, CT_EXPORT_CONTACTS, ids, flags, out, &n, NULL, &error);
        }
    }
  ct_db_rollback (db);

  if (error != NULL)
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }
  return EXIT_SUCCESS;
}

int
ct_cli_run_segment (const CtCliCommand  *command,
                    int                  argc,
                    char               **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *csv_path = NULL;
  g_autofree char *description = NULL;
  g_autofree char *db_description = NULL;
  g_auto(GStrv) rest = NULL;
  g_autoptr(CtDb) db = NULL;
  g_autoptr(GError) error = NULL;
  gboolean bom = FALSE;
  gboolean replace = FALSE;
  const char *action;
  guint n_args, wanted;
  int status;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Use the database in the file PATH"), N_("PATH") },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv_path, N_("members: write the members to the CSV file FILE instead of the terminal"), N_("FILE") },
    { "bom", 0, 0, G_OPTION_ARG_NONE, &bom, N_("Start the CSV file with a byte order mark, so that Excel reads Chinese correctly"), NULL },
    { "replace", 0, 0, G_OPTION_ARG_NONE, &replace, N_("save: replace the rule of a segment that has the name already"), NULL },
    G_OPTION_ENTRY_NULL
  };

  db_description = ct_cli_db_option_description ();
  description = g_strdup_printf ("%s\n%s",
                                 _("A segment is a saved segment’s name or a rule file (JSON: "
                                   "{\"match\": \"all\", \"conditions\": [{\"field\": \"tag\", "
                                   "\"op\": \"has\", \"value\": \"VIP\"}]}). members writes the "
                                   "columns of “clientele export contacts”."),
                                 db_description);

  /* Translators: the arguments of "clientele segment"; keep the words
   * in lower case untranslated */
  status = ct_cli_parse_command_line (command, entries,
                                      _("count NAME|RULE.json | save NAME RULE.json | list | members NAME|RULE.json"),
                                      description, argc, argv, &rest);
  if (status != CT_CLI_CONTINUE)
    return status;

  n_args = g_strv_length (rest);
  if (n_args == 0)
    {
      ct_cli_print_error (_("Say what to do: count, save, list or members."));
      ct_cli_print_error (_("Run “clientele help %s” to see its options."), command->name);
      return CT_CLI_EXIT_USAGE;
    }

  action = rest[0];
  if (g_str_equal (action, "count") || g_str_equal (action, "members"))
    wanted = 2;
  else if (g_str_equal (action, "save"))
    wanted = 3;
  else if (g_str_equal (action, "list"))
    wanted = 1;
  else
    {
      ct_cli_print_error (_("There is no “segment %s”: use count, save, list or members."), action);
      return CT_CLI_EXIT_USAGE;
    }

  if (n_args < wanted)
    {
      if (wanted == 3)
        ct_cli_print_error (_("Give the segment’s name and the rule file: “clientele segment save NAME RULE.json”."));
      else
        ct_cli_print_error (_("Give a saved segment’s name or a rule file: “clientele segment %s NAME|RULE.json”."), action);
      return CT_CLI_EXIT_USAGE;
    }
  if (n_args > wanted)
    {
      ct_cli_print_error (_("Unexpected argument “%s”."), rest[wanted]);
      ct_cli_print_error (_("Run “clientele help %s” to see its options."), command->name);
      return CT_CLI_EXIT_USAGE;
    }
  if ((csv_path != NULL || bom) && !g_str_equal (action, "members"))
    {
      ct_cli_print_error (_("--csv and --bom are for “segment members”."));
      return CT_CLI_EXIT_USAGE;
    }
  if (replace && !g_str_equal (action, "save"))
    {
      ct_cli_print_error (_("--replace is for “segment save”."));
      return CT_CLI_EXIT_USAGE;
    }
  if (csv_path != NULL && *csv_path == '\0')
    {
      ct_cli_print_error (_("The file name is empty."));
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

  if (g_str_equal (action, "count"))
    return run_count (db, rest[1]);
  if (g_str_equal (action, "save"))
    return run_save (db, rest[1], rest[2], replace);
  if (g_str_equal (action, "list"))
    return run_list (db);
  return run_members (db, rest[1], csv_path, bom ? CT_CSV_WRITE_BOM : 0);
}
