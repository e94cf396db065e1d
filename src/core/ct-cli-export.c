/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-cli-export.c: "clientele export contacts|purchases|products FILE"
 * and "clientele export contact EMAIL FILE"
 *
 * Lists go out as CSV (UTF-8, optionally with a BOM for Excel, cells that
 * a spreadsheet would run as formulas neutralised), contacts also as
 * vCard; one contact goes out as JSON with everything held about them,
 * for a person who asks what a business knows about them.
 *
 * stdout gets one line for scripts, never translated:
 *   exported N rows to FILE      (CSV)
 *   exported N cards to FILE     (vCard)
 *   exported contact EMAIL to FILE
 * Exit status: 0 done, 2 a mistake on the command line (unknown list,
 * unknown format, missing file name), 1 anything else: no such
 * database or a refused one, a file that cannot be written, no contact
 * with that email, Ctrl+C. A failed export leaves no file behind, and an
 * existing file as it was.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ct-cli-private.h"
#include "ct-db.h"
#include "ct-export.h"
#include "ct-privacy.h"
#include "ct-vcard.h"

typedef enum
{
  FORMAT_CSV,
  FORMAT_VCARD,
} Format;

/* A CSV export on a worker thread, so that Ctrl+C cancels it cleanly
 * (no file left) instead of killing it half-way. */
static gboolean
export_csv (CtDb             *db,
            CtExportKind      kind,
            CtCsvWriteFlags   flags,
            GFile            *file,
            guint            *n_rows,
            GError          **error)
{
  CtCliRun run;
  gboolean ok;

  ct_cli_run_init (&run, NULL);
  ct_export_to_file_async (db, kind, NULL, flags, file, run.cancellable, ct_cli_run_done, &run);
  ok = ct_export_to_file_finish (ct_cli_run_wait (&run), n_rows, error);
  ct_cli_run_clear (&run);
  return ok;
}

static void
print_write_error (GFile  *file,
                   GError *error)
{
  g_autofree char *display = g_file_get_parse_name (file);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ct_cli_print_error (_("Stopped; “%s” was not written."), display);
  else
    ct_cli_print_error ("%s", error->message);
}

/* clientele export contact EMAIL FILE */
static int
export_one_contact (CtDb       *db,
                    const char *email,
                    const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stripped = g_strstrip (g_strdup (email));
  gint64 id;
  int rc;

  stmt = ct_db_prepare (db, "SELECT id FROM contacts WHERE email = ?1", &error);
  if (stmt == NULL)
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }
  sqlite3_bind_text (stmt, 1, stripped, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      ct_cli_print_error (_("There is no contact with the email “%s”."), stripped);
      return CT_CLI_EXIT_FAILED;
    }
  if (rc != SQLITE_ROW)
    {
      ct_db_set_error (&error, ct_db_get_handle (db), rc, NULL);
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }
  id = sqlite3_column_int64 (stmt, 0);
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!ct_privacy_export_contact_to_file (db, id, file, NULL, &error))
    {
      print_write_error (file, error);
      return CT_CLI_EXIT_FAILED;
    }

  g_print ("exported contact %s to %s\n", stripped, path);
  return EXIT_SUCCESS;
}

int
ct_cli_run_export (const CtCliCommand  *command,
                   int                  argc,
                   char               **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *format_text = NULL;
  g_autofree char *vcard_version_text = NULL;
  g_autofree char *description = NULL;
  g_autofree char *db_description = NULL;
  g_auto(GStrv) rest = NULL;
  g_autoptr(CtDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  gboolean bom = FALSE;
  gboolean no_neutralise = FALSE;
  CtExportKind kind = CT_EXPORT_CONTACTS;
  CtVcardVersion vcard_version = CT_VCARD_3_0;
  Format format = FORMAT_CSV;
  gboolean one_contact;
  const char *path;
  guint n_args;
  guint n = 0;
  int status;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Use the database in the file PATH"), N_("PATH") },
    { "bom", 0, 0, G_OPTION_ARG_NONE, &bom, N_("Start the CSV file with a byte order mark, so that Excel reads Chinese correctly"), NULL },
    /* Translators: do not translate "csv" and "vcard" */
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_text, N_("Write “csv” (the default) or “vcard” (contacts only; implied by a .vcf file name)"), N_("FORMAT") },
    { "vcard-version", 0, 0, G_OPTION_ARG_STRING, &vcard_version_text, N_("Write vCard 3.0 (the default, read by most programs) or 4.0"), N_("VERSION") },
    { "no-neutralise", 0, 0, G_OPTION_ARG_NONE, &no_neutralise, N_("Keep cells that start with = + - @ as they are, instead of making spreadsheets show them as text"), NULL },
    G_OPTION_ENTRY_NULL
  };

  db_description = ct_cli_db_option_description ();
  description = g_strdup_printf ("%s\n%s",
                                 _("Lists: contacts, purchases, products. “contact EMAIL FILE” writes "
                                   "everything held about one contact as JSON, for a person who asks."),
                                 db_description);

  /* Translators: the arguments of "clientele export"; keep the words in
   * lower case untranslated */
  status = ct_cli_parse_command_line (command, entries,
                                      _("contacts|purchases|products FILE | contact EMAIL FILE"),
                                      description, argc, argv, &rest);
  if (status != CT_CLI_CONTINUE)
    return status;

  n_args = g_strv_length (rest);
  if (n_args == 0)
    {
      ct_cli_print_error (_("Say what to export: contacts, purchases or products, and the file to write."));
      ct_cli_print_error (_("Run “clientele help %s” to see its options."), command->name);
      return CT_CLI_EXIT_USAGE;
    }

  one_contact = g_str_equal (rest[0], "contact");
  if (!one_contact && !ct_export_kind_from_string (rest[0], &kind))
    {
      /* Translators: "There is no list “customers” to export: ..." */
      ct_cli_print_error (_("There is no list “%s” to export: use contacts, purchases or products."), rest[0]);
      return CT_CLI_EXIT_USAGE;
    }
  if (n_args < (one_contact ? 3u : 2u))
    {
      if (one_contact)
        ct_cli_print_error (_("Give the contact’s email and the file to write: “clientele export contact EMAIL FILE.json”."));
      else
        ct_cli_print_error (_("Give the file to write the %s to."), rest[0]);
      return CT_CLI_EXIT_USAGE;
    }
  if (n_args > (one_contact ? 3u : 2u))
    {
      ct_cli_print_error (_("Unexpected argument “%s”."), rest[one_contact ? 3 : 2]);
      ct_cli_print_error (_("Run “clientele help %s” to see its options."), command->name);
      return CT_CLI_EXIT_USAGE;
    }
  path = rest[n_args - 1];
  if (*path == '\0')
    {
      ct_cli_print_error (_("The file name is empty."));
      return CT_CLI_EXIT_USAGE;
    }

  if (format_text != NULL)
    {
      if (g_ascii_strcasecmp (format_text, "csv") == 0)
        format = FORMAT_CSV;
      else if (g_ascii_strcasecmp (format_text, "vcard") == 0
               || g_ascii_strcasecmp (format_text, "vcf") == 0)
        format = FORMAT_VCARD;
      else
        {
          ct_cli_print_error (_("There is no format “%s”: use csv or vcard."), format_text);
          return CT_CLI_EXIT_USAGE;
        }
    }
  else if (!one_contact && kind == CT_EXPORT_CONTACTS
           && (g_str_has_suffix (path, ".vcf") || g_str_has_suffix (path, ".VCF")
               || g_str_has_suffix (path, ".vcard")))
    format = FORMAT_VCARD;

  if (vcard_version_text != NULL)
    {
      if (g_str_equal (vcard_version_text, "3.0") || g_str_equal (vcard_version_text, "3"))
        vcard_version = CT_VCARD_3_0;
      else if (g_str_equal (vcard_version_text, "4.0") || g_str_equal (vcard_version_text, "4"))
        vcard_version = CT_VCARD_4_0;
      else
        {
          ct_cli_print_error (_("There is no vCard version “%s”: use 3.0 or 4.0."), vcard_version_text);
          return CT_CLI_EXIT_USAGE;
        }
    }

  if (one_contact && (format_text != NULL || bom || no_neutralise || vcard_version_text != NULL))
    {
      ct_cli_print_error (_("A contact’s data is always written as JSON: --format, --bom, --no-neutralise and --vcard-version do not apply."));
      return CT_CLI_EXIT_USAGE;
    }
  if (format == FORMAT_VCARD && kind != CT_EXPORT_CONTACTS)
    {
      ct_cli_print_error (_("Only contacts can be exported as vCard."));
      return CT_CLI_EXIT_USAGE;
    }
  if (format == FORMAT_VCARD && (bom || no_neutralise))
    {
      ct_cli_print_error (_("--bom and --no-neutralise are for CSV files, not vCard."));
      return CT_CLI_EXIT_USAGE;
    }
  if (format == FORMAT_CSV && vcard_version_text != NULL)
    {
      ct_cli_print_error (_("--vcard-version is for vCard files: add --format vcard."));
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

  if (one_contact)
    return export_one_contact (db, rest[1], path);

  file = g_file_new_for_commandline_arg (path);
  if (format == FORMAT_VCARD)
    {
      if (!ct_vcard_export_to_file (db, NULL, vcard_version, file, &n, NULL, &error))
        {
          print_write_error (file, error);
          return CT_CLI_EXIT_FAILED;
        }
      g_print ("exported %u cards to %s\n", n, path);
      return EXIT_SUCCESS;
    }

  if (!export_csv (db, kind,
                   (bom ? CT_CSV_WRITE_BOM : 0) | (no_neutralise ? CT_CSV_WRITE_NO_NEUTRALISE : 0),
                   file, &n, &error))
    {
      print_write_error (file, error);
      return CT_CLI_EXIT_FAILED;
    }
  g_print ("exported %u rows to %s\n", n, path);
  return EXIT_SUCCESS;
}
