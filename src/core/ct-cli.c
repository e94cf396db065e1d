/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-cli.c: the command line (demo, stats...), without GTK or a display
 *
 * "clientele COMMAND [OPTION…]" runs one command and exits; without a
 * command the app starts. Each command is a row of the table below: its
 * name, a one-line summary for "clientele help", and the function that
 * parses its options and runs it. A new command (import, export, report,
 * send-due...) is one more row and one more function.
 *
 * Exit status: 0 on success, 1 when the command failed (a refused or
 * broken database, cancelled work...), 2 for a mistake on the command
 * line (import also: an unusable file; and 3 when some rows were
 * rejected). Messages for people go to stderr, prefixed with
 * "clientele: "; results go to stdout. Commands that need more than a
 * screen of code live in ct-cli-<command>.c (ct-cli-private.h).
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <glib-unix.h>

#include "ct-cli.h"
#include "ct-cli-private.h"
#include "ct-db.h"
#include "ct-demo.h"
#include "ct-money.h"
#include "ct-stats.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2
/* From ct_cli_parse_command_line: go on and run the command. */
#define CONTINUE -1

#define DEFAULT_SEED 1

static int run_demo  (const CtCliCommand *command, int argc, char **argv);
static int run_help  (const CtCliCommand *command, int argc, char **argv);
static int run_stats (const CtCliCommand *command, int argc, char **argv);

/* Sorted by name, as "clientele help" lists them. */
static const CtCliCommand commands[] = {
  { "analyze", N_("Score and segment the customers, fit the purchase and spend models, forecast revenue"), ct_cli_run_analyze },
  { "automation", N_("Create, list, switch on or off the automations, or see what they sent"), ct_cli_run_automation },
  { "campaign", N_("Create a campaign, send it, or see how its sending went"), ct_cli_run_campaign },
  { "demo", N_("Fill a new, empty database with a made-up business to try Clientele with"), run_demo },
  { "export", N_("Export contacts, purchases or products to CSV or vCard, or one contact’s data to JSON"), ct_cli_run_export },
  { "help", N_("List the commands, or show the options of one"), run_help },
  { "import", N_("Import contacts or purchases from a CSV or vCard file"), ct_cli_run_import },
  { "points", N_("Award or redeem a contact’s loyalty points, or show the balance"), ct_cli_run_points },
  { "provider", N_("Choose the mail provider and its key, test it, or pull unsubscribes and events"), ct_cli_run_provider },
  { "report", N_("Write a PDF report of a period: key figures, charts, segments, channels and the best customers"), ct_cli_run_report },
  { "segment", N_("Count, save, list segments and export their members as CSV"), ct_cli_run_segment },
  { "send-due", N_("Run the automations, send the scheduled campaigns that are due and finish interrupted ones"), ct_cli_run_send_due },
  { "stats", N_("Show how many contacts, customers, purchases and products a database holds"), run_stats },
  { "suppression", N_("List the addresses no campaign mails, add or remove one, import or export the list"), ct_cli_run_suppression },
  { "tiers", N_("List the membership tiers with how many contacts each holds"), ct_cli_run_tiers },
};

static const CtCliCommand *
find_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_strcmp0 (commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

void
ct_cli_print_error (const char *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("clientele: %s\n", message);
}

/* "1,234,567": grouped the same way as money amounts, whatever the locale. */
char *
ct_cli_format_count (gint64 n)
{
  guint64 magnitude = n < 0 ? -(guint64) n : (guint64) n;
  char digits[32];
  GString *out = g_string_new (n < 0 ? "-" : "");
  gsize len;

  g_snprintf (digits, sizeof digits, "%" G_GUINT64_FORMAT, magnitude);
  len = strlen (digits);
  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

/* Columns a terminal gives @text: CJK characters take two. */
static gsize
display_width (const char *text)
{
  gsize width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (c))
        continue;
      width += g_unichar_iswide (c) ? 2 : 1;
    }
  return width;
}

/* Prints label/value rows with the values lined up. */
static void
print_rows (const char * const *labels,
            const char * const *values,
            guint               n_rows)
{
  gsize widest = 0;

  for (guint i = 0; i < n_rows; i++)
    widest = MAX (widest, display_width (labels[i]));

  for (guint i = 0; i < n_rows; i++)
    {
      gsize pad = widest - display_width (labels[i]) + 1;

      g_print ("%s%*s%s\n", labels[i], (int) pad, "", values[i]);
    }
}

/* See ct-cli-private.h. */
int
ct_cli_parse_command_line (const CtCliCommand  *command,
                           GOptionEntry        *entries,
                           const char          *parameter_string,
                           const char          *description,
                           int                  argc,
                           char               **argv,
                           GStrv               *rest)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) args = NULL;
  g_autofree char *prgname = NULL;
  gboolean show_help = FALSE;
  GOptionEntry help_entries[] = {
    { "help", 'h', 0, G_OPTION_ARG_NONE, &show_help, N_("Show the options of this command"), NULL },
    G_OPTION_ENTRY_NULL
  };

  prgname = g_strdup_printf ("clientele %s", command->name);
  args = g_new0 (char *, argc + 1);
  args[0] = g_strdup (prgname);
  for (int i = 1; i < argc; i++)
    args[i] = g_strdup (argv[i]);

  /* GOptionContext names the program in "Usage:"; the command is part of
   * it here. */
  g_set_prgname (prgname);

  context = g_option_context_new (parameter_string);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, command->summary);
  if (description != NULL)
    g_option_context_set_description (context, description);
  /* Our own --help, so that asking for help returns instead of exiting. */
  g_option_context_set_help_enabled (context, FALSE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, help_entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse_strv (context, &args, &error))
    {
      ct_cli_print_error ("%s", error->message);
      ct_cli_print_error (_("Run “clientele help %s” to see its options."), command->name);
      return EXIT_USAGE;
    }

  if (show_help)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_print ("%s", help);
      return EXIT_SUCCESS;
    }

  if (rest != NULL)
    {
      *rest = g_strdupv (args + 1);
      return CONTINUE;
    }

  if (args[1] != NULL)
    {
      ct_cli_print_error (_("Unexpected argument “%s”."), args[1]);
      ct_cli_print_error (_("Run “clientele help %s” to see its options."), command->name);
      return EXIT_USAGE;
    }

  return CONTINUE;
}

char *
ct_cli_db_option_description (void)
{
  g_autofree char *path = ct_db_default_path ();
  g_autofree char *display = g_filename_display_name (path);

  return g_strdup_printf (_("Without --db, the database is “%s”."), display);
}

static void
print_stats (const char    *path,
             const CtStats *stats)
{
  g_autofree char *display = g_filename_display_name (path);
  g_autofree char *contacts = ct_cli_format_count (stats->contacts);
  g_autofree char *customers = ct_cli_format_count (stats->customers);
  g_autofree char *purchases = ct_cli_format_count (stats->purchases);
  g_autofree char *products = ct_cli_format_count (stats->products);
  g_autofree char *revenue = ct_money_format (stats->revenue,
                                              stats->currency[0] != '\0' ? stats->currency : "CNY");
  const char *labels[] = {
    _("Database:"),
    _("Contacts:"),
    _("Customers:"),
    _("Purchases:"),
    _("Products:"),
    _("Revenue:"),
  };
  const char *values[] = { display, contacts, customers, purchases, products, revenue };

  G_STATIC_ASSERT (G_N_ELEMENTS (labels) == G_N_ELEMENTS (values));
  print_rows (labels, values, G_N_ELEMENTS (labels));
}

/* ------------------------------------------------------------------ */
/* clientele stats */

CtDb *
ct_cli_open_existing_db (const char  *path,
                         GError     **error)
{
  g_autofree char *display = g_filename_display_name (path);
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_IO,
                   _("There is no database at “%s”."), display);
      return NULL;
    }
  if (S_ISDIR (st.st_mode))
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_IO,
                   _("“%s” is a folder, not a database file."), display);
      return NULL;
    }
  if (st.st_size == 0)
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_DATABASE,
                   _("“%s” is empty: it holds no Clientele database yet."), display);
      return NULL;
    }

  return ct_db_open (path, error);
}

static int
run_stats (const CtCliCommand  *command,
           int                  argc,
           char               **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *description = ct_cli_db_option_description ();
  g_autoptr(CtDb) db = NULL;
  g_autoptr(GError) error = NULL;
  CtStats stats;
  int status;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Use the database in the file PATH"), N_("PATH") },
    G_OPTION_ENTRY_NULL
  };

  status = ct_cli_parse_command_line (command, entries, NULL, description, argc, argv, NULL);
  if (status != CONTINUE)
    return status;

  if (db_path == NULL)
    db_path = ct_db_default_path ();

  db = ct_cli_open_existing_db (db_path, &error);
  if (db == NULL)
    {
      ct_cli_print_error ("%s", error->message);
      return EXIT_FAILED;
    }

  if (!ct_stats_load (db, &stats, &error))
    {
      ct_cli_print_error ("%s", error->message);
      return EXIT_FAILED;
    }

  print_stats (db_path, &stats);
  return EXIT_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Long commands (demo, import, export): see ct-cli-private.h */

void
ct_cli_run_init (CtCliRun   *run,
                 const char *progress_format)
{
  run->loop = g_main_loop_new (NULL, FALSE);
  run->result = NULL;
  run->cancellable = g_cancellable_new ();
  run->progress_format = progress_format;
  /* "\r" redraws the line on a terminal; in a log it would only pile up. */
  run->show_progress = progress_format != NULL && isatty (STDERR_FILENO);
  run->last_percent = -1;
}

void
ct_cli_run_progress (double   fraction,
                     gpointer user_data)
{
  CtCliRun *run = user_data;
  int percent = (int) (fraction * 100.0);
  g_autofree char *message = NULL;

  if (!run->show_progress || percent == run->last_percent)
    return;
  run->last_percent = percent;
  message = g_strdup_printf (run->progress_format, percent);
  g_printerr ("\r%s", message);
}

void
ct_cli_run_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CtCliRun *run = user_data;

  run->result = g_object_ref (result);
  g_main_loop_quit (run->loop);
}

static gboolean
on_interrupt (gpointer user_data)
{
  CtCliRun *run = user_data;

  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

GAsyncResult *
ct_cli_run_wait (CtCliRun *run)
{
  guint sigint_id, sigterm_id;

  sigint_id = g_unix_signal_add (SIGINT, on_interrupt, run);
  sigterm_id = g_unix_signal_add (SIGTERM, on_interrupt, run);

  g_main_loop_run (run->loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  if (run->show_progress && run->last_percent >= 0)
    g_printerr ("\n");

  return run->result;
}

void
ct_cli_run_clear (CtCliRun *run)
{
  g_clear_pointer (&run->loop, g_main_loop_unref);
  g_clear_object (&run->result);
  g_clear_object (&run->cancellable);
}

/* ------------------------------------------------------------------ */
/* clientele demo */

static gboolean
parse_unsigned (const char  *option,
                const char  *text,
                guint64      min,
                guint64      max,
                guint64     *out)
{
  if (!g_ascii_string_to_unsigned (text, 10, min, max, out, NULL))
    {
      g_autofree char *min_text = ct_cli_format_count ((gint64) min);
      g_autofree char *max_text = ct_cli_format_count ((gint64) MIN (max, (guint64) G_MAXINT64));

      /* Translators: "--contacts takes a whole number from 1 to 1,000,000, not “-5”." */
      ct_cli_print_error (_("%s takes a whole number from %s to %s, not “%s”."),
                   option, min_text, max_text, text);
      return FALSE;
    }
  return TRUE;
}

static int
run_demo (const CtCliCommand  *command,
          int                  argc,
          char               **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *contacts_text = NULL;
  g_autofree char *seed_text = NULL;
  g_autofree char *description = NULL;
  g_autofree char *display = NULL;
  g_autofree char *seed = NULL;
  g_autoptr(CtDb) db = NULL;
  g_autoptr(GError) error = NULL;
  CtDemoOptions options = { CT_DEMO_DEFAULT_CONTACTS, DEFAULT_SEED, 0 };
  CtCliRun run;
  CtStats stats;
  gint64 started;
  gboolean ok;
  guint64 value;
  int status;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Fill the database in the file PATH (created when missing)"), N_("PATH") },
    { "contacts", 0, 0, G_OPTION_ARG_STRING, &contacts_text, N_("Make N contacts (default 2,000)"), N_("N") },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_text, N_("Start the random choices from S: the same seed gives the same business (default 1)"), N_("S") },
    G_OPTION_ENTRY_NULL
  };

  description = ct_cli_db_option_description ();
  status = ct_cli_parse_command_line (command, entries, NULL, description, argc, argv, NULL);
  if (status != CONTINUE)
    return status;

  if (contacts_text != NULL)
    {
      if (!parse_unsigned ("--contacts", contacts_text, 1, CT_DEMO_MAX_CONTACTS, &value))
        return EXIT_USAGE;
      options.n_contacts = (guint) value;
    }
  if (seed_text != NULL)
    {
      if (!parse_unsigned ("--seed", seed_text, 0, G_MAXINT64, &value))
        return EXIT_USAGE;
      options.seed = value;
    }

  if (db_path == NULL)
    db_path = ct_db_default_path ();
  display = g_filename_display_name (db_path);

  /* Opening first gives the refusals (not a database, damaged, too new,
   * busy) before any work starts, and this connection reads the figures
   * at the end. */
  db = ct_db_open (db_path, &error);
  if (db == NULL)
    {
      ct_cli_print_error ("%s", error->message);
      return EXIT_FAILED;
    }

  /* The history ends at the start of today, UTC, so that a rerun on the
   * same day with the same seed gives the same business. */
  options.now = g_get_real_time () / G_USEC_PER_SEC / 86400 * 86400;

  ct_cli_run_init (&run, _("Generating demo data… %d%%"));
  started = g_get_monotonic_time ();
  ct_demo_generate_async_full (db_path, &options, ct_cli_run_progress, &run, NULL,
                               run.cancellable, ct_cli_run_done, &run);
  ok = ct_demo_generate_finish (ct_cli_run_wait (&run), &error);
  ct_cli_run_clear (&run);
  if (!ok)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ct_cli_print_error (_("Stopped; no demo data was added to “%s”."), display);
      else
        ct_cli_print_error ("%s", error->message);
      return EXIT_FAILED;
    }

  seed = g_strdup_printf ("%" G_GUINT64_FORMAT, options.seed);
  /* Translators: "Filled “/home/me/shop.db” with demo data in 2.5 s (seed 1)." */
  g_print (_("Filled “%s” with demo data in %.1f s (seed %s)."),
           display, (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC, seed);
  g_print ("\n");
  g_print ("%s\n\n", _("The people in it are made up: do not send them email."));

  if (!ct_stats_load (db, &stats, &error))
    {
      ct_cli_print_error ("%s", error->message);
      return EXIT_FAILED;
    }
  print_stats (db_path, &stats);

  return EXIT_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* clientele help */

static void
print_command_list (void)
{
  gsize widest = 0;

  g_print ("%s\n  clientele %s\n  clientele %s\n\n", _("Usage:"),
           _("[OPTION…]"), _("COMMAND [OPTION…]"));
  g_print ("%s\n", _("Without a command, Clientele starts its window. Commands work without a display:"));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    widest = MAX (widest, strlen (commands[i].name));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_print ("  %-*s  %s\n", (int) widest, commands[i].name, _(commands[i].summary));

  g_print ("\n%s\n", _("Run “clientele help COMMAND” for the options of a command."));
}

static int
run_help (const CtCliCommand  *command,
          int                  argc,
          char               **argv)
{
  const CtCliCommand *topic;
  char *help_argv[3];

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      print_command_list ();
      return EXIT_SUCCESS;
    }

  if (argc > 2)
    {
      ct_cli_print_error (_("Unexpected argument “%s”."), argv[2]);
      return EXIT_USAGE;
    }

  topic = find_command (argv[1]);
  if (topic == NULL)
    {
      ct_cli_print_error (_("There is no command “%s”."), argv[1]);
      ct_cli_print_error (_("Run “clientele help” to list the commands."));
      return EXIT_USAGE;
    }

  if (topic == command)
    {
      print_command_list ();
      return EXIT_SUCCESS;
    }

  help_argv[0] = (char *) topic->name;
  help_argv[1] = (char *) "--help";
  help_argv[2] = NULL;
  return topic->func (topic, 2, help_argv);
}

/* ------------------------------------------------------------------ */

/**
 * ct_cli_is_command:
 *
 * Whether argv[1] is a word rather than an option: a command ("demo",
 * "stats", "help"), or a mistyped one, which ct_cli_run() refuses with a
 * message instead of the app opening a window without a word. "--help"
 * is not one: the app answers it.
 */
gboolean
ct_cli_is_command (int    argc,
                   char **argv)
{
  return argc >= 2 && argv != NULL && argv[1] != NULL && argv[1][0] != '-' && argv[1][0] != '\0';
}

/**
 * ct_cli_run:
 *
 * Runs the command named by argv[1] with the rest of @argv as its options.
 * Needs no display.
 *
 * Returns: the exit status: 0 done, 1 failed, 2 a command-line mistake
 */
int
ct_cli_run (int    argc,
            char **argv)
{
  const CtCliCommand *command;

  g_return_val_if_fail (ct_cli_is_command (argc, argv), EXIT_USAGE);

  command = find_command (argv[1]);
  if (command == NULL)
    {
      ct_cli_print_error (_("There is no command “%s”."), argv[1]);
      ct_cli_print_error (_("Run “clientele help” to list the commands."));
      return EXIT_USAGE;
    }
  return command->func (command, argc - 1, argv + 1);
}
