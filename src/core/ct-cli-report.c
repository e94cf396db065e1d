/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-cli-report.c: "clientele report FILE.pdf"
 *
 * Writes the PDF report (ct-report.h) of a period: by default the twelve
 * whole months before the current one; --from and --to (YYYY-MM-DD,
 * both days included) choose another, either one alone running from the
 * first purchase or to today. Segments, clusters and lifetime values
 * come from the last stored analysis: the report never runs one itself,
 * so that it stays quick and never changes the database; it says so when
 * there is none.
 *
 * Exit status: 0 written, 2 a mistake on the command line (no file, a
 * date that is not one, a period that ends before it starts), 1 anything
 * else: no such database or a refused one, a file that cannot be written.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "ct-cli-private.h"
#include "ct-dashboard.h"
#include "ct-report.h"
#include "ct-rollup.h"

int
ct_cli_run_report (const CtCliCommand  *command,
                   int                  argc,
                   char               **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *from_text = NULL;
  g_autofree char *to_text = NULL;
  g_autofree char *description = ct_cli_db_option_description ();
  g_autofree char *business = NULL;
  g_autofree char *display = NULL;
  g_auto(GStrv) rest = NULL;
  g_autoptr(CtDb) db = NULL;
  g_autoptr(CtDashboard) dashboard = NULL;
  g_autoptr(CtReport) report = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 started = g_get_monotonic_time ();
  CtPeriod period;
  int status;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Use the database in the file PATH"), N_("PATH") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &from_text, N_("Start the period on DATE, YYYY-MM-DD (default: the first purchase, or twelve months ago without --to)"), N_("DATE") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &to_text, N_("End the period on DATE, included (default: today, or the end of last month without --from)"), N_("DATE") },
    G_OPTION_ENTRY_NULL
  };

  /* Translators: what follows "clientele report" in its usage line */
  status = ct_cli_parse_command_line (command, entries, _("FILE.pdf"), description, argc, argv, &rest);
  if (status != CT_CLI_CONTINUE)
    return status;

  if (rest == NULL || rest[0] == NULL)
    {
      ct_cli_print_error (_("Say which file to write the report to, such as “clientele report report.pdf”."));
      return CT_CLI_EXIT_USAGE;
    }
  if (rest[1] != NULL)
    {
      ct_cli_print_error (_("Unexpected argument “%s”."), rest[1]);
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

  if (from_text == NULL && to_text == NULL)
    {
      if (!ct_period_init (&period, CT_PERIOD_12_MONTHS, db, now, NULL, &error))
        {
          ct_cli_print_error ("%s", error->message);
          return CT_CLI_EXIT_FAILED;
        }
    }
  else if (!ct_period_init_custom (&period, db, from_text, to_text, now, NULL, &error))
    {
      ct_cli_print_error ("%s", error->message);
      return g_error_matches (error, CT_DASHBOARD_ERROR, CT_DASHBOARD_ERROR_INVALID_PERIOD)
             ? CT_CLI_EXIT_USAGE : CT_CLI_EXIT_FAILED;
    }

  /* The summaries of the customers an import or a change left behind,
   * once, before the report reads them. */
  if (!ct_rollup_refresh (db, local, &error))
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }
  dashboard = ct_dashboard_load (db, &period, NULL, NULL, &error);
  business = dashboard != NULL ? ct_report_dup_business_name (db, &error) : NULL;
  if (business == NULL)
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }

  report = ct_report_new (dashboard, business, now, NULL);
  if (!ct_report_write_pdf (report, rest[0], &error))
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }

  display = g_filename_display_name (rest[0]);
  {
    g_autofree char *period_text = ct_period_format (&period, NULL);

    /* Translators: "Wrote the report for 1 Dec 2025 – 30 Nov 2026 to “report.pdf” (6 pages) in 1.2 s." */
    g_print (_("Wrote the report for %s to “%s” (%u pages) in %.1f s.\n"), period_text, display,
             ct_report_get_n_pages (report), (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);
  }
  if (!dashboard->has_analysis)
    ct_cli_print_error (_("No analysis is stored yet, so segments, clusters and lifetime values are missing: run “clientele analyze” first."));
  return EXIT_SUCCESS;
}
