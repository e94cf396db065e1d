/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-cli.h: the command line (demo, stats...), without GTK or a display */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Whether argv[1] is a word ("demo", "stats", or one that is no command,
 * which ct_cli_run refuses) rather than an option of the app. */
gboolean ct_cli_is_command (int    argc,
                            char **argv);
/* Runs it; returns the process exit status: 0 done, 1 failed (a refused
 * database, cancelled...), 2 a mistake on the command line. Messages go to
 * stderr prefixed with "clientele: ". */
int      ct_cli_run        (int    argc,
                            char **argv);

G_END_DECLS
