/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-cli-provider.c: "clientele provider set|test|sync"
 *
 *   provider set postmark|sendgrid|mailgun|brevo|resend [--base-url URL]
 *                [--key-stdin] [--domain D] [--stream S] [--from ADDRESS]
 *                [--reply-to ADDRESS] [--postal-address TEXT]
 *                [--unsubscribe-url URL] [--concurrency N] [--rate R]
 *                [--batch-size N] [--timeout SECONDS]
 *   provider test    checks the base URL and the key with one request
 *   provider sync    pulls unsubscribes, bounces, complaints and events
 *
 * The settings go to the database; the key to the Secret Service, never
 * the database. Without a Secret Service the key would only live as
 * long as this command, which is said plainly, with the environment
 * variable as the way for scripts.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "ct-cli-private.h"
#include "ct-mail-secret.h"
#include "ct-outbox.h"

static void
replace (char       **field,
         const char  *value)
{
  if (value == NULL)
    return;
  g_free (*field);
  *field = g_strdup (value);
}

static char *
read_key_from_stdin (void)
{
  GString *key = g_string_new (NULL);
  int c;

  if (isatty (STDIN_FILENO))
    g_printerr ("%s", _("API key: "));
  while ((c = getchar ()) != EOF && c != '\n')
    g_string_append_c (key, (char) c);
  g_strstrip (key->str);
  key->len = strlen (key->str);
  return g_string_free (key, FALSE);
}

static int
provider_set (CtDb        *db,
              const char  *kind_name,
              char       **options,
              gboolean     key_stdin,
              guint        concurrency,
              double       rate,
              int          batch_size,
              int          timeout)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtMailSettings) settings = ct_mail_settings_load (db, &error);
  CtMailProviderKind kind;

  if (!ct_mail_provider_kind_from_name (kind_name, &kind))
    {
      ct_cli_print_error (_("Unknown provider “%s”: use postmark, sendgrid, mailgun, brevo or resend."), kind_name);
      return CT_CLI_EXIT_USAGE;
    }
  if (settings->configured && settings->kind != kind && options[0] == NULL)
    {
      /* Another provider's base URL would point at the wrong service. */
      g_clear_pointer (&settings->base_url, g_free);
    }
  settings->configured = TRUE;
  settings->kind = kind;
  replace (&settings->base_url, options[0]);
  replace (&settings->domain, options[1]);
  replace (&settings->stream, options[2]);
  replace (&settings->from, options[3]);
  replace (&settings->reply_to, options[4]);
  replace (&settings->postal_address, options[5]);
  replace (&settings->unsubscribe_url, options[6]);
  if (concurrency > 0)
    settings->concurrency = concurrency;
  if (rate > 0)
    settings->rate = rate;
  if (batch_size >= 0)
    settings->batch_size = batch_size;
  if (timeout > 0)
    settings->timeout = timeout;
  if (settings->base_url != NULL && *settings->base_url != '\0')
    {
      g_autoptr(GUri) uri = g_uri_parse (settings->base_url, G_URI_FLAGS_NONE, NULL);
      if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "https") != 0
                          && g_strcmp0 (g_uri_get_scheme (uri), "http") != 0))
        {
          ct_cli_print_error (_("--base-url takes an http or https address, not “%s”."), settings->base_url);
          return CT_CLI_EXIT_USAGE;
        }
    }
  if (kind == CT_MAIL_PROVIDER_MAILGUN && (settings->domain == NULL || *settings->domain == '\0'))
    g_printerr ("%s\n", _("Note: Mailgun also needs the sending domain (--domain mg.example.com)."));
  if (!ct_mail_settings_save (db, settings, &error))
    {
      ct_cli_print_error ("%s", error->message);
      return g_error_matches (error, CT_MAIL_ERROR, CT_MAIL_ERROR_SETTINGS) ? CT_CLI_EXIT_USAGE : CT_CLI_EXIT_FAILED;
    }

  if (key_stdin)
    {
      char *key = read_key_from_stdin ();
      gboolean session_only = FALSE;
      gboolean ok = ct_mail_secret_store (kind_name, ct_db_get_path (db), key, &session_only, &error);

      ct_mail_secret_free (key);
      if (!ok)
        {
          ct_cli_print_error ("%s", error->message);
          return CT_CLI_EXIT_USAGE;
        }
      if (session_only)
        g_printerr (_("There is no Secret Service (keyring) here, so the key is kept for this session only and is gone when this command ends. Give it to each command in the environment variable %s instead.\n"),
                    CT_MAIL_KEY_ENV);
      else
        g_print ("%s\n", _("The key is stored in the keyring."));
    }
  g_print (_("Mail goes through %s.\n"), ct_mail_provider_kind_display_name (kind));
  return EXIT_SUCCESS;
}

int
ct_cli_run_provider (const CtCliCommand  *command,
                     int                  argc,
                     char               **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *description = NULL;
  g_auto(GStrv) rest = NULL;
  g_autoptr(CtDb) db = NULL;
  g_autoptr(GError) error = NULL;
  char *options[7] = { NULL };
  gboolean key_stdin = FALSE;
  int concurrency = 0, batch_size = -1, timeout = 0;
  double rate = 0;
  int status;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Use the database in the file PATH"), N_("PATH") },
    { "base-url", 0, 0, G_OPTION_ARG_STRING, &options[0], N_("The provider’s API address (an EU region, a test server)"), N_("URL") },
    { "key-stdin", 0, 0, G_OPTION_ARG_NONE, &key_stdin, N_("Read the API key from standard input and keep it in the keyring"), NULL },
    { "domain", 0, 0, G_OPTION_ARG_STRING, &options[1], N_("Mailgun: the sending domain"), N_("DOMAIN") },
    { "stream", 0, 0, G_OPTION_ARG_STRING, &options[2], N_("Postmark: the message stream (broadcast by default)"), N_("STREAM") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &options[3], N_("The sender of campaigns, as “Name <address>”"), N_("ADDRESS") },
    { "reply-to", 0, 0, G_OPTION_ARG_STRING, &options[4], N_("Where replies go"), N_("ADDRESS") },
    { "postal-address", 0, 0, G_OPTION_ARG_STRING, &options[5], N_("The business’s postal address for the mail footer"), N_("TEXT") },
    { "unsubscribe-url", 0, 0, G_OPTION_ARG_STRING, &options[6], N_("An HTTPS unsubscribe page of yours; {token} marks the recipient"), N_("URL") },
    { "concurrency", 0, 0, G_OPTION_ARG_INT, &concurrency, N_("Requests at once"), N_("N") },
    { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &rate, N_("Requests per second at most"), N_("R") },
    { "batch-size", 0, 0, G_OPTION_ARG_INT, &batch_size, N_("Messages per request; 0 for the provider’s largest"), N_("N") },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, N_("Seconds to wait for an answer"), N_("SECONDS") },
    { NULL },
  };

  description = ct_cli_db_option_description ();
  status = ct_cli_parse_command_line (command, entries, "set PROVIDER|test|sync",
                                      description, argc, argv, &rest);
  if (status != CT_CLI_CONTINUE)
    goto out;
  status = CT_CLI_EXIT_USAGE;
  if (rest == NULL || rest[0] == NULL
      || (g_str_equal (rest[0], "set") && g_strv_length (rest) != 2)
      || (!g_str_equal (rest[0], "set") && g_strv_length (rest) != 1)
      || (!g_str_equal (rest[0], "set") && !g_str_equal (rest[0], "test") && !g_str_equal (rest[0], "sync")))
    {
      ct_cli_print_error (_("Use “provider set NAME”, “provider test” or “provider sync”."));
      goto out;
    }
  if (concurrency < 0 || concurrency > 64 || rate < 0 || batch_size > 100000 || timeout < 0)
    {
      ct_cli_print_error (_("--concurrency takes 1 to 64, --rate a positive number, --batch-size 0 to 100,000 and --timeout a positive number of seconds."));
      goto out;
    }

  if (db_path == NULL)
    db_path = ct_db_default_path ();
  db = ct_cli_open_existing_db (db_path, &error);
  if (db == NULL)
    {
      ct_cli_print_error ("%s", error->message);
      status = CT_CLI_EXIT_FAILED;
      goto out;
    }

  if (g_str_equal (rest[0], "set"))
    status = provider_set (db, rest[1], options, key_stdin, concurrency, rate, batch_size, timeout);
  else
    {
      g_autoptr(CtMailSettings) settings = NULL;
      g_autoptr(CtMailProvider) provider = ct_cli_open_provider (db, &settings);

      status = CT_CLI_EXIT_FAILED;
      if (provider == NULL)
        goto out;
      if (g_str_equal (rest[0], "test"))
        {
          g_autoptr(SoupSession) session = ct_mail_provider_new_session (provider);

          if (!ct_mail_provider_test_connection (provider, session, NULL, &error))
            {
              ct_cli_print_error ("%s", error->message);
              goto out;
            }
          g_print (_("%s accepted the key at %s.\n"),
                   ct_mail_provider_kind_display_name (ct_mail_provider_get_kind (provider)),
                   ct_mail_provider_get_base_url (provider));
        }
      else
        {
          CtOutboxSyncReport report;
          g_autofree char *suppressed = NULL, *changed = NULL, *events = NULL;

          if (!ct_outbox_sync (db, provider, &report, NULL, &error))
            {
              ct_cli_print_error ("%s", error->message);
              goto out;
            }
          suppressed = ct_cli_format_count (report.suppressed);
          changed = ct_cli_format_count (report.contacts_changed);
          events = ct_cli_format_count (report.events);
          g_print (_("%s addresses newly suppressed, %s contacts unsubscribed, bounced or complained, %s delivery events recorded.\n"),
                   suppressed, changed, events);
          if (ct_mail_provider_get_activity_unavailable (provider))
            g_print (_("%s gave no deliveries, opens or clicks: the account has no access to its activity API (SendGrid sells it as the Email Activity add-on).\n"),
                     ct_mail_provider_kind_display_name (ct_mail_provider_get_kind (provider)));
        }
      status = EXIT_SUCCESS;
    }

out:
  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    g_free (options[i]);
  return status;
}
