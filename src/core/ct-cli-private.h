/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-cli-private.h: what the commands in ct-cli-*.c share with ct-cli.c */
#pragma once

#include <glib.h>

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

/* ct-cli-export.c */
int    ct_cli_run_export         (const CtCliCommand  *command,
                                  int                  argc,
                                  char               **argv);

/* ct-cli-import.c */
int    ct_cli_run_import         (const CtCliCommand  *command,
                                  int                  argc,
                                  char               **argv);

G_END_DECLS
