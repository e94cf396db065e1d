/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-cli-import.c: "clientele import contacts|purchases FILE"
 *
 * The same CtImporter the import window uses, driven by options: the
 * file's encoding, delimiter, header and column mapping are detected and
 * can each be overridden, then the valid rows go in on a worker thread
 * in one transaction (Ctrl+C cancels and leaves the database as it was).
 *
 * stdout gets one line for scripts, never translated:
 *   imported N, updated N, skipped N, rejected N
 * Exit status: 0 all rows imported (or skipped as already there), 3 some
 * rows rejected (the others are in unless --all-or-nothing), 2 a mistake
 * on the command line or a file that cannot be imported at all, 1 a
 * database that cannot be opened or written, or a cancelled run.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-cli-private.h"
#include "ct-import.h"
#include "ct-parse.h"

#define EXIT_REJECTED 3
/* Rejected rows listed on stderr before "and N more". */
#define MAX_LISTED_REJECTS 20

/* ",", ";", "tab" or "\t", "|"... */
static gboolean
parse_delimiter (const char *text,
                 char       *out)
{
  if (g_ascii_strcasecmp (text, "tab") == 0 || strcmp (text, "\\t") == 0)
    *out = '\t';
  else if (g_ascii_strcasecmp (text, "comma") == 0)
    *out = ',';
  else if (g_ascii_strcasecmp (text, "semicolon") == 0)
    *out = ';';
  else if (strlen (text) == 1 && text[0] != '"' && text[0] != '\n' && text[0] != '\r'
           && (guchar) text[0] < 0x80)
    *out = text[0];
  else
    return FALSE;
  return TRUE;
}

static gboolean
has_suffix_ci (const char *name,
               const char *suffix)
{
  gsize len = strlen (name), suffix_len = strlen (suffix);

  return len >= suffix_len && g_ascii_strcasecmp (name + len - suffix_len, suffix) == 0;
}

/* What each column was taken as, so that a refused mapping can be fixed
 * with --map. */
static void
print_mapping (CtImporter *importer)
{
  ct_cli_print_error ("%s", _("The columns are read as:"));
  for (guint c = 0; c < ct_importer_get_n_columns (importer); c++)
    {
      CtImportField field = ct_importer_get_column_field (importer, c);

      /* Translators: a column of the file and what it is imported as:
       * "  2. 邮箱 → email" */
      g_printerr (_("  %u. %s → %s\n"), c + 1, ct_importer_get_column_name (importer, c),
                  ct_import_field_to_string (field));
    }
}

static gboolean
load (CtImporter   *importer,
      const char   *path,
      const char   *encoding_name,
      GError      **error)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(GError) local_error = NULL;
  CtCsvEncoding encoding;

  if (has_suffix_ci (path, ".vcf") || has_suffix_ci (path, ".vcard"))
    {
      g_autoptr(GBytes) bytes = NULL;
      g_autofree char *display = g_filename_display_basename (path);
      char *contents = NULL;
      gsize length;

      if (ct_importer_get_kind (importer) != CT_IMPORT_CONTACTS)
        {
          g_set_error (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_MAPPING,
                       _("“%s” is a vCard file: it holds contacts, not purchases."), display);
          return FALSE;
        }
      if (!g_file_load_contents (file, NULL, &contents, &length, NULL, &local_error))
        {
          g_set_error (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_READ,
                       _("Could not read “%s”: %s"), display, local_error->message);
          return FALSE;
        }
      bytes = g_bytes_new_take (contents, length);
      return ct_importer_load_vcard (importer, bytes, display, error);
    }

  if (encoding_name != NULL && !ct_csv_encoding_from_string (encoding_name, &encoding))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: --encoding takes ... */
                   _("--encoding takes utf-8, utf-8-bom, utf-16le, utf-16be, gb18030 or windows-1252, not “%s”."),
                   encoding_name);
      return FALSE;
    }

  if (!ct_importer_load_file (importer, file, NULL, &local_error))
    {
      /* The bytes are kept: the chosen encoding may read them. */
      if (encoding_name == NULL
          || !g_error_matches (local_error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_ENCODING))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  if (encoding_name != NULL)
    return ct_importer_set_encoding (importer, encoding, error);
  return TRUE;
}

static void
print_rejects (CtImportResult *result,
               const char     *rejects_path)
{
  guint n = ct_import_result_get_rejected (result);

  for (guint i = 0; i < MIN (n, MAX_LISTED_REJECTS); i++)
    ct_cli_print_error ("%s", ct_import_result_get_reject (result, i)->message);
  if (n > MAX_LISTED_REJECTS)
    {
      if (rejects_path != NULL)
        ct_cli_print_error (ngettext ("… and %u more rejected row.", "… and %u more rejected rows.",
                                      n - MAX_LISTED_REJECTS),
                            n - MAX_LISTED_REJECTS);
      else
        ct_cli_print_error (ngettext ("… and %u more rejected row; --rejects FILE saves them all.",
                                      "… and %u more rejected rows; --rejects FILE saves them all.",
                                      n - MAX_LISTED_REJECTS),
                            n - MAX_LISTED_REJECTS);
    }
}

int
ct_cli_run_import (const CtCliCommand  *command,
                   int                  argc,
                   char               **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *encoding_name = NULL;
  g_autofree char *delimiter_text = NULL;
  g_autofree char *duplicates_text = NULL;
  g_autofree char *source = NULL;
  g_autofree char *currency = NULL;
  g_autofree char *rejects_path = NULL;
  g_auto(GStrv) maps = NULL;
  g_auto(GStrv) rest = NULL;
  g_autofree char *description = NULL;
  g_autofree char *db_description = NULL;
  g_autoptr(CtImporter) importer = NULL;
  g_autoptr(CtImportResult) result = NULL;
  g_autoptr(CtDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *counts = NULL;
  gboolean day_first = FALSE;
  gboolean dry_run = FALSE;
  gboolean all_or_nothing = FALSE;
  CtImportKind kind;
  CtImportDuplicates duplicates = CT_IMPORT_DUPLICATES_UPDATE_EMPTY;
  char delimiter = ',';
  char code[4];
  CtCliRun run;
  int status;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Import into the database in the file PATH (created when missing)"), N_("PATH") },
    { "map", 0, 0, G_OPTION_ARG_STRING_ARRAY, &maps, N_("Import COLUMN (its header or number) as FIELD, e.g. --map 邮箱=email; repeat for more columns"), N_("COLUMN=FIELD") },
    { "encoding", 0, 0, G_OPTION_ARG_STRING, &encoding_name, N_("Read the file as E (utf-8, gb18030, utf-16le…) instead of detecting it"), N_("E") },
    { "delimiter", 0, 0, G_OPTION_ARG_STRING, &delimiter_text, N_("Split cells on C (“,”, “;” or “tab”) instead of detecting it"), N_("C") },
    { "day-first", 0, 0, G_OPTION_ARG_NONE, &day_first, N_("Read dates such as 05/01/2024 as 5 January (otherwise guessed from the file)"), NULL },
    { "on-duplicate", 0, 0, G_OPTION_ARG_STRING, &duplicates_text, N_("For a contact whose email is known: update-empty (default), overwrite or skip"), N_("POLICY") },
    { "source", 0, 0, G_OPTION_ARG_STRING, &source, N_("Where the orders come from, which keeps their order IDs apart (default: the file name)"), N_("NAME") },
    { "currency", 0, 0, G_OPTION_ARG_STRING, &currency, N_("The currency of amounts that name none (default CNY)"), N_("CODE") },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, N_("Check every row and count, but change nothing"), NULL },
    { "all-or-nothing", 0, 0, G_OPTION_ARG_NONE, &all_or_nothing, N_("Import nothing when any row is rejected"), NULL },
    { "rejects", 0, 0, G_OPTION_ARG_FILENAME, &rejects_path, N_("Save the rejected rows, with the reason, as a CSV file to fix and import again"), N_("OUT.csv") },
    G_OPTION_ENTRY_NULL
  };

  db_description = ct_cli_db_option_description ();
  description = g_strdup_printf ("%s\n%s\n\n%s", db_description,
                                 _("FIELD is one of: email, name, first_name, last_name, phone, company, "
                                   "channel, tags, status, notes, created_at (contacts); order_id, product, "
                                   "amount, currency, paid_at, refunded, source (purchases); ignore."),
                                 _("Exit status: 0 done, 3 some rows were rejected, 2 the file or an option "
                                   "cannot be used, 1 the database cannot be opened or written."));
  status = ct_cli_parse_command_line (command, entries, _("contacts|purchases FILE"), description,
                                      argc, argv, &rest);
  if (status != CT_CLI_CONTINUE)
    return status;

  if (rest == NULL || rest[0] == NULL || rest[1] == NULL)
    {
      ct_cli_print_error ("%s", _("Say what to import and from which file: "
                                  "clientele import contacts|purchases FILE"));
      return CT_CLI_EXIT_USAGE;
    }
  if (rest[2] != NULL)
    {
      ct_cli_print_error (_("Unexpected argument “%s”."), rest[2]);
      return CT_CLI_EXIT_USAGE;
    }
  if (g_str_equal (rest[0], "contacts"))
    kind = CT_IMPORT_CONTACTS;
  else if (g_str_equal (rest[0], "purchases"))
    kind = CT_IMPORT_PURCHASES;
  else
    {
      ct_cli_print_error (_("“%s” cannot be imported; import “contacts” or “purchases”."), rest[0]);
      return CT_CLI_EXIT_USAGE;
    }

  if (delimiter_text != NULL && !parse_delimiter (delimiter_text, &delimiter))
    {
      ct_cli_print_error (_("--delimiter takes one character such as “,” or “;”, or “tab”, not “%s”."),
                          delimiter_text);
      return CT_CLI_EXIT_USAGE;
    }
  if (duplicates_text != NULL && !ct_import_duplicates_from_string (duplicates_text, &duplicates))
    {
      ct_cli_print_error (_("--on-duplicate takes update-empty, overwrite or skip, not “%s”."),
                          duplicates_text);
      return CT_CLI_EXIT_USAGE;
    }
  if (currency != NULL && !ct_parse_currency (currency, NULL, code))
    {
      ct_cli_print_error (_("“%s” is not a currency; use a code such as CNY or USD."), currency);
      return CT_CLI_EXIT_USAGE;
    }

  importer = ct_importer_new (kind);
  if (!load (importer, rest[1], encoding_name, &error))
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_USAGE;
    }

  if (delimiter_text != NULL)
    ct_importer_set_delimiter (importer, delimiter);
  for (guint i = 0; maps != NULL && maps[i] != NULL; i++)
    {
      const char *equals = strrchr (maps[i], '=');
      g_autofree char *column = NULL;

      if (equals == NULL || equals == maps[i])
        {
          ct_cli_print_error (_("--map takes COLUMN=FIELD, such as 邮箱=email, not “%s”."), maps[i]);
          return CT_CLI_EXIT_USAGE;
        }
      column = g_strndup (maps[i], equals - maps[i]);
      if (!ct_importer_map_column (importer, column, equals + 1, &error))
        {
          ct_cli_print_error ("%s", error->message);
          return CT_CLI_EXIT_USAGE;
        }
    }
  if (day_first)
    ct_importer_set_day_first (importer, TRUE);
  ct_importer_set_on_duplicate (importer, duplicates);
  if (source != NULL)
    ct_importer_set_source (importer, source);
  if (currency != NULL)
    ct_importer_set_default_currency (importer, code);
  ct_importer_set_all_or_nothing (importer, all_or_nothing);

  if (!ct_importer_check_mapping (importer, &error))
    {
      ct_cli_print_error ("%s", error->message);
      print_mapping (importer);
      return CT_CLI_EXIT_USAGE;
    }

  if (db_path == NULL)
    db_path = ct_db_default_path ();
  db = ct_db_open (db_path, &error);
  if (db == NULL)
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }

  ct_cli_run_init (&run, _("Importing… %d%%"));
  ct_importer_run_async (importer, db, dry_run, ct_cli_run_progress, &run, NULL,
                         run.cancellable, ct_cli_run_done, &run);
  result = ct_importer_run_finish (importer, ct_cli_run_wait (&run), &error);
  ct_cli_run_clear (&run);
  if (result == NULL)
    {
      g_autofree char *display = g_filename_display_name (db_path);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ct_cli_print_error (_("Stopped; nothing was imported into “%s”."), display);
      else
        ct_cli_print_error ("%s", error->message);
      return g_error_matches (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_MAPPING)
             ? CT_CLI_EXIT_USAGE : CT_CLI_EXIT_FAILED;
    }

  print_rejects (result, rejects_path);
  if (rejects_path != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (rejects_path);

      if (!ct_import_result_write_rejects (result, file, NULL, &error))
        {
          ct_cli_print_error (_("Could not save the rejected rows: %s"), error->message);
          return CT_CLI_EXIT_FAILED;
        }
    }

  /* A dry run, or an all-or-nothing import that was refused, added no
   * one: say what the import would have done instead. */
  if (ct_import_result_get_contacts_created (result) > 0
      && ct_import_result_get_committed (result))
    ct_cli_print_error (ngettext ("%u new contact was added for a buyer not known before.",
                                  "%u new contacts were added for buyers not known before.",
                                  ct_import_result_get_contacts_created (result)),
                        ct_import_result_get_contacts_created (result));
  else if (ct_import_result_get_contacts_created (result) > 0)
    ct_cli_print_error (ngettext ("%u new contact would be added for a buyer not known before.",
                                  "%u new contacts would be added for buyers not known before.",
                                  ct_import_result_get_contacts_created (result)),
                        ct_import_result_get_contacts_created (result));
  if (dry_run)
    ct_cli_print_error ("%s", _("Dry run: the database was not changed."));
  else if (!ct_import_result_get_committed (result))
    ct_cli_print_error ("%s", _("Nothing was imported, because some rows were rejected and "
                                "--all-or-nothing was given."));

  counts = ct_import_result_to_string (result);
  g_print ("%s\n", counts);

  return ct_import_result_get_rejected (result) > 0 ? EXIT_REJECTED : EXIT_SUCCESS;
}
