/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-cli-private.h: what the commands in ct-cli-*.c share with ct-cli.c */
#pragma once

#include <gio/gio.h>

#include "ct-db.h"

G_BEGIN_DECLS

#define CT_CLI_EXIT_FAILED 1
#define CT_CLI_EXIT_USAGE 2
/* From ct_cli_parse_command_line: go on and run the command. */
#define CT_CLI_CONTINUE -1

typedef struct _CtCliCommand CtCliCommand;

/* @argv[0] is the command's name; returns the exit status. */
typedef int (*CtCliFunc) (const CtCliCommand  *command,
                          int                  argc,
                          char               **argv);

struct _CtCliCommand
{
  const char *name;
  const char *summary;     /* N_(), one line */
  CtCliFunc   func;
};

/* Prints "clientele: MESSAGE" on stderr. */
G_GNUC_PRINTF (1, 2)
void   ct_cli_print_error        (const char          *format,
                                  ...);
/* Parses @argv against @entries plus --help. @parameter_string (nullable)
 * follows the command in "Usage:" ("contacts|purchases FILE"). Arguments
 * that are not options are an error, unless @rest is given: it then
 * receives them (transfer full). Returns CT_CLI_CONTINUE to go on, or
 * the exit status when there is nothing more to do. */
int    ct_cli_parse_command_line (const CtCliCommand  *command,
                                  GOptionEntry        *entries,
                                  const char          *parameter_string,
                                  const char          *description,
                                  int                  argc,
                                  char               **argv,
                                  GStrv               *rest);
/* "Without --db, the database is “…”." Returns: (transfer full) */
char  *ct_cli_db_option_description (void);
/* Opens a database that must already exist: reading or exporting never
 * creates a file. Says plainly when there is none, a folder or an empty
 * file. Returns: (transfer full) (nullable) */
CtDb  *ct_cli_open_existing_db   (const char          *path,
                                  GError             **error);
/* "1,234,567" Returns: (transfer full) */
char  *ct_cli_format_count       (gint64               n);

/* A long command's work on a worker thread while the main loop waits:
 *
 *   CtCliRun run;
 *
 *   ct_cli_run_init (&run, _("Importing… %d%%"));
 *   ct_importer_run_async (importer, db, dry_run, ct_cli_run_progress, &run,
 *                          NULL, run.cancellable, ct_cli_run_done, &run);
 *   result = ct_importer_run_finish (importer, ct_cli_run_wait (&run), &error);
 *   ct_cli_run_clear (&run);
 *
 * Ctrl+C (and SIGTERM) cancel run.cancellable rather than killing the
 * process, so that the work can undo what it started. */
typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
  GCancellable *cancellable;
  const char   *progress_format;
  gboolean      show_progress;
  int           last_percent;
} CtCliRun;

/* @progress_format: (nullable) translated, with one %d for the percent
 * (and %% for the sign), printed on stderr when it is a terminal; NULL
 * for no progress. It must outlive @run. */
void          ct_cli_run_init     (CtCliRun      *run,
                                   const char    *progress_format);
/* A CtDemoProgress or CtImportProgress; @run is the CtCliRun. */
void          ct_cli_run_progress (double         fraction,
                                   gpointer       run);
/* The GAsyncReadyCallback to give the work; @run is the CtCliRun. */
void          ct_cli_run_done     (GObject       *source,
                                   GAsyncResult  *result,
                                   gpointer       run);
/* Runs the main loop until the work is done, with Ctrl+C cancelling it.
 * Returns: (transfer none) the result for the work's _finish () */
GAsyncResult *ct_cli_run_wait     (CtCliRun      *run);
void          ct_cli_run_clear    (CtCliRun      *run);

/* ct-cli-analyze.c */
int    ct_cli_run_analyze        (const CtCliCommand  *command,
                                  int                  argc,
                                  char               **argv);

/* ct-cli-automation.c */
int    ct_cli_run_automation     (const CtCliCommand  *command,
                                  int                  argc,
                                  char               **argv);

/* ct-cli-campaign.c */
int    ct_cli_run_campaign       (const CtCliCommand  *command,
                                  int                  argc,
                                  char               **argv);
int    ct_cli_run_send_due       (const CtCliCommand  *command,
                                  int                  argc,
                                  char               **argv);

/* ct-cli-provider.c */
int    ct_cli_run_provider       (const CtCliCommand  *command,
                                  int                  argc,
                                  char               **argv);

/* The mail provider as the settings say, with its key from the
 * environment or the keyring; NULL after printing why not. */
G_END_DECLS
#include "ct-outbox.h"
G_BEGIN_DECLS
CtMailProvider *ct_cli_open_provider (CtDb            *db,
                                      CtMailSettings **out_settings);

/* ct-cli-export.c */
int    ct_cli_run_export         (const CtCliCommand  *command,
                                  int                  argc,
                                  char               **argv);

/* ct-cli-loyalty.c */
int    ct_cli_run_tiers          (const CtCliCommand  *command,
                                  int                  argc,
                                  char               **argv);
int    ct_cli_run_points         (const CtCliCommand  *command,
                                  int                  argc,
                                  char               **argv);

/* ct-cli-import.c */
int    ct_cli_run_import         (const CtCliCommand  *command,
                                  int                  argc,
                                  char               **argv);

/* ct-cli-report.c */
int    ct_cli_run_report         (const CtCliCommand  *command,
                                  int                  argc,
                                  char               **argv);

/* ct-cli-suppression.c */
int    ct_cli_run_suppression    (const CtCliCommand  *command,
                                  int                  argc,
                                  char               **argv);
/* ct-cli-segment.c */
int    ct_cli_run_segment        (const CtCliCommand  *command,
                                  int                  argc,
                                  char               **argv);

G_END_DECLS
