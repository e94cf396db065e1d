/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-cli-analyze.c: "clientele analyze"
 *
 * Runs the whole analysis (ct-analytics.h) on a worker thread, stores it
 * in the database's cache unless --no-store, and prints a summary for
 * people, or with --json the summary the cache keeps (never translated,
 * for scripts). --as-of makes a calibration period: purchases after it
 * are ignored; a date without a time means the end of that day.
 *
 * Exit status: 0 done, 2 a mistake on the command line (a date that is
 * not one, an unknown time unit, a bad --k), 1 anything else: no such
 * database or a refused one, settings that do not hold, Ctrl+C.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-analytics.h"
#include "ct-cli-private.h"
#include "ct-money.h"
#include "ct-parse.h"
#include "ct-rfm.h"
#include "ct-tier.h"

#define SECONDS_PER_DAY 86400

static double
member_double (JsonObject *object,
               const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NAN;
  return json_node_get_double (node);
}

/* "¥1,234.50" from a major-unit amount of the JSON. */
static char *
format_money (double      amount,
              const char *currency)
{
  double minor = amount * pow (10.0, ct_money_decimals (currency));

  if (!isfinite (amount) || fabs (minor) > 9.0e18)
    return g_strdup ("—");
  return ct_money_format ((gint64) llround (minor), currency);
}

/* Prints "  LABEL   VALUE" with the values lined up in a terminal:
 * printf pads by bytes, which is wrong for "×" and for Chinese labels,
 * whose characters take two columns each. */
static void
print_row (const char *label,
           int         width,
           const char *value)
{
  g_autoptr(GString) line = g_string_new ("  ");
  int columns = 0;

  for (const char *p = label; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (c))
        continue;
      columns += g_unichar_iswide (c) ? 2 : 1;
    }
  g_string_append (line, label);
  do
    g_string_append_c (line, ' ');
  while (++columns < width + 1);
  g_string_append (line, value);
  g_print ("%s\n", line->str);
}

static void
print_model_error (JsonObject *model)
{
  /* Translators: a model of the analysis could not be fitted; %s says why */
  g_print (_("  Not fitted: %s.\n"), json_object_get_string_member (model, "error"));
}

static void
print_summary (const char *db_path,
               JsonNode   *root)
{
  JsonObject *o = json_node_get_object (root);
  const char *currency = json_object_get_string_member (o, "currency");
  gboolean weeks = g_str_equal (json_object_get_string_member (o, "time_unit"), "week");
  JsonObject *bgnbd = json_object_get_object_member (o, "bgnbd");
  JsonObject *gg = json_object_get_object_member (o, "gamma_gamma");
  JsonObject *segments = json_object_get_object_member (o, "rfm_segments");
  JsonObject *lifecycle = json_object_get_object_member (o, "lifecycle");
  JsonObject *clv = json_object_get_object_member (o, "clv");
  JsonObject *forecast = json_object_get_object_member (o, "forecast");
  JsonObject *kpis = json_object_get_object_member (o, "kpis");
  JsonArray *clusters = json_object_get_array_member (o, "clusters");
  g_autofree char *contacts = ct_cli_format_count (json_object_get_int_member (o, "contacts"));
  g_autofree char *customers = ct_cli_format_count (json_object_get_int_member (o, "customers"));
  g_autofree char *repeat = ct_cli_format_count (json_object_get_int_member (o, "repeat_buyers"));

  /* Translators: "Analysis of /path/clientele.db as of 2024-06-30" */
  g_print (_("Analysis of %s as of %s\n"), db_path, json_object_get_string_member (o, "as_of_date"));
  g_print (_("Models counted in %s; amounts in %s.\n"),
           weeks ? _("weeks") : _("days"), currency);
  /* Translators: "Customers: 1,234 of 2,000 contacts, 456 of them bought on more than one day" */
  g_print (_("Customers: %s of %s contacts, %s of them bought on more than one day\n"),
           customers, contacts, repeat);

  g_print ("\n%s\n", _("RFM segments"));
  for (guint s = 0; s < CT_RFM_N_SEGMENTS; s++)
    {
      g_autofree char *count =
        ct_cli_format_count (json_object_get_int_member (segments, ct_rfm_segment_to_id (s)));

      print_row (ct_rfm_segment_get_label (s), 20, count);
    }

  g_print ("\n%s\n", _("Lifecycle stages"));
  for (guint s = 0; s < CT_LIFECYCLE_N_STAGES; s++)
    {
      g_autofree char *count =
        ct_cli_format_count (json_object_get_int_member (lifecycle, ct_lifecycle_stage_to_id (s)));

      print_row (ct_lifecycle_stage_get_label (s), 20, count);
    }

  g_print ("\n%s\n", _("Purchases to come (BG/NBD)"));
  if (json_object_has_member (bgnbd, "error"))
    print_model_error (bgnbd);
  else
    g_print ("  r = %.4f, α = %.4f, a = %.4f, b = %.4f; %s %.2f\n",
             member_double (bgnbd, "r"), member_double (bgnbd, "alpha"),
             member_double (bgnbd, "a"), member_double (bgnbd, "b"),
             _("log-likelihood"), member_double (bgnbd, "loglik"));

  g_print ("\n%s\n", _("Spend per purchase (Gamma-Gamma)"));
  if (json_object_has_member (gg, "error"))
    print_model_error (gg);
  else
    g_print ("  p = %.4f, q = %.4f, γ = %.4f; %s %.2f\n",
             member_double (gg, "p"), member_double (gg, "q"), member_double (gg, "v"),
             _("log-likelihood"), member_double (gg, "loglik"));

  g_print ("\n%s\n", _("Lifetime value per customer"));
  {
    g_autofree char *historical = format_money (member_double (clv, "historical_mean"), currency);
    g_autofree char *simple = format_money (member_double (clv, "simple_mean"), currency);
    g_autofree char *predictive = format_money (member_double (clv, "predictive_mean"), currency);
    int months = (int) json_object_get_int_member (clv, "horizon_months");
    g_autofree char *predictive_label =
      /* Translators: "Predicted for the next 12 months, mean" */
      g_strdup_printf (ngettext ("Predicted for the next %d month, mean",
                                 "Predicted for the next %d months, mean", months),
                       months);

    print_row (_("Historical (spent so far), mean"), 40, historical);
    print_row (_("Simple (yearly spend × lifetime), mean"), 40, simple);
    if (json_object_has_member (clv, "simple_error"))
      g_print (_("  Not computed: %s.\n"), json_object_get_string_member (clv, "simple_error"));
    print_row (predictive_label, 40, predictive);
    if (json_object_has_member (clv, "predictive_error"))
      g_print (_("  Not computed: %s.\n"), json_object_get_string_member (clv, "predictive_error"));
  }

  g_print ("\n%s\n", _("Revenue forecast"));
  if (json_object_has_member (forecast, "error"))
    print_model_error (forecast);
  else
    {
      static const int days[] = { 30, 90, 365 };

      for (guint d = 0; d < G_N_ELEMENTS (days); d++)
        {
          g_autofree char *member = g_strdup_printf ("days_%d", days[d]);
          g_autofree char *amount = format_money (member_double (forecast, member), currency);
          g_autofree char *label = g_strdup_printf (ngettext ("Next %d day", "Next %d days", days[d]),
                                                    days[d]);

          print_row (label, 20, amount);
        }
    }

  g_print ("\n%s\n", _("Clusters"));
  if (json_object_has_member (o, "clusters_error"))
    g_print (_("  Not computed: %s.\n"), json_object_get_string_member (o, "clusters_error"));
  for (guint c = 0; c < json_array_get_length (clusters); c++)
    {
      JsonObject *cluster = json_array_get_object_element (clusters, c);
      JsonObject *centroid = json_object_get_object_member (cluster, "centroid");
      g_autofree char *size = ct_cli_format_count (json_object_get_int_member (cluster, "size"));
      g_autofree char *spent = format_money (member_double (centroid, "monetary"), currency);

      /* Translators: "  1: 812 customers; typical: last bought 40 days ago, 2.1 purchases, ¥350.00 spent" */
      g_print (_("  %u: %s customers; typical: last bought %.0f days ago, %.1f purchases, %s spent\n"),
               c + 1, size, member_double (centroid, "recency_days"),
               member_double (centroid, "frequency"), spent);
    }
  if (json_array_get_length (clusters) > 0 && json_object_get_boolean_member (o, "k_suggested"))
    /* Translators: %.2f is the silhouette score, -1 to 1 */
    g_print (_("  The number of clusters was chosen by the silhouette score (%.2f).\n"),
             member_double (o, "silhouette"));

  g_print ("\n%s\n", _("Key figures"));
  {
    g_autofree char *aov = format_money (member_double (kpis, "average_order_value"), currency);
    g_autofree char *revenue = format_money (member_double (kpis, "revenue"), currency);

    g_autofree char *conversion = g_strdup_printf ("%.1f%%", 100.0 * member_double (kpis, "conversion_rate"));
    g_autofree char *repeat_rate = g_strdup_printf ("%.1f%%", 100.0 * member_double (kpis, "repeat_purchase_rate"));

    print_row (_("Conversion rate"), 28, conversion);
    print_row (_("Repeat purchase rate"), 28, repeat_rate);
    print_row (_("Average order value"), 28, aov);
    print_row (_("Revenue"), 28, revenue);
  }

  if (json_object_has_member (o, "tiers"))
    {
      JsonObject *tiers = json_object_get_object_member (o, "tiers");
      JsonArray *levels = json_object_get_array_member (tiers, "tiers");
      JsonObject *rate = json_object_get_object_member (tiers, "upgrade_rate");
      g_autofree char *upgraded = ct_cli_format_count (json_object_get_int_member (rate, "upgraded"));
      g_autofree char *base = ct_cli_format_count (json_object_get_int_member (rate, "base"));

      g_print ("\n%s\n", _("Membership tiers"));
      for (guint i = 0; i < json_array_get_length (levels); i++)
        {
          JsonObject *tier = json_array_get_object_element (levels, i);
          g_autofree char *members = ct_cli_format_count (json_object_get_int_member (tier, "members"));

          print_row (json_object_get_string_member (tier, "name"), 20, members);
        }
      if (json_object_get_null_member (rate, "rate"))
        /* Translators: "Upgrade rate from 2024-06-30 to 2025-06-30: no one was in a tier below the top at the start" */
        g_print (_("  Upgrade rate from %s to %s: no one was in a tier below the top at the start.\n"),
                 json_object_get_string_member (rate, "from"), json_object_get_string_member (rate, "to"));
      else
        /* Translators: "Upgrade rate from 2024-06-30 to 2025-06-30: 12.5% (25 of 200 moved up)" */
        g_print (_("  Upgrade rate from %s to %s: %.1f%% (%s of %s moved up)\n"),
                 json_object_get_string_member (rate, "from"), json_object_get_string_member (rate, "to"),
                 100.0 * json_object_get_double_member (rate, "rate"), upgraded, base);
    }
}

int
ct_cli_run_analyze (const CtCliCommand  *command,
                    int                  argc,
                    char               **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *as_of_text = NULL;
  g_autofree char *unit_text = NULL;
  g_autofree char *k_text = NULL;
  g_autofree char *description = ct_cli_db_option_description ();
  g_autoptr(CtDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  gboolean json = FALSE;
  gboolean no_store = FALSE;
  CtAnalyticsOptions options;
  CtCliRun run;
  int status;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Use the database in the file PATH"), N_("PATH") },
    { "as-of", 0, 0, G_OPTION_ARG_STRING, &as_of_text, N_("Analyse as of DATE, ignoring later purchases (default: now)"), N_("DATE") },
    /* Translators: do not translate "day" and "week" */
    { "time-unit", 0, 0, G_OPTION_ARG_STRING, &unit_text, N_("Count the models’ time in “day” (the default) or “week”"), N_("UNIT") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the results as JSON, for scripts"), NULL },
    { "k", 0, 0, G_OPTION_ARG_STRING, &k_text, N_("Group the customers in N clusters (default: the best of 2 to 6)"), N_("N") },
    { "no-store", 0, 0, G_OPTION_ARG_NONE, &no_store, N_("Do not save the results in the database"), NULL },
    G_OPTION_ENTRY_NULL
  };

  status = ct_cli_parse_command_line (command, entries, NULL, description, argc, argv, NULL);
  if (status != CT_CLI_CONTINUE)
    return status;

  ct_analytics_options_init (&options);

  if (as_of_text != NULL)
    {
      g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
      g_autoptr(GDateTime) local = NULL;

      if (!ct_parse_date (as_of_text, FALSE, tz, &options.as_of))
        {
          ct_cli_print_error (_("--as-of takes a date such as 2024-06-30, not “%s”."), as_of_text);
          return CT_CLI_EXIT_USAGE;
        }
      /* A date alone is midnight, which would leave out its own day's
       * purchases: "as of 30 June" means at the end of it. */
      local = g_date_time_new_from_unix_local (options.as_of);
      if (local != NULL && g_date_time_get_hour (local) == 0
          && g_date_time_get_minute (local) == 0 && g_date_time_get_second (local) == 0)
        options.as_of += SECONDS_PER_DAY - 1;
    }

  if (unit_text != NULL)
    {
      if (g_str_equal (unit_text, "week"))
        options.weeks = TRUE;
      else if (!g_str_equal (unit_text, "day"))
        {
          /* Translators: do not translate "day" and "week" */
          ct_cli_print_error (_("--time-unit takes “day” or “week”, not “%s”."), unit_text);
          return CT_CLI_EXIT_USAGE;
        }
    }

  if (k_text != NULL)
    {
      guint64 k;

      if (!g_ascii_string_to_unsigned (k_text, 10, 1, CT_ANALYTICS_MAX_K, &k, NULL))
        {
          ct_cli_print_error (_("--k takes a whole number from 1 to %d, not “%s”."),
                              CT_ANALYTICS_MAX_K, k_text);
          return CT_CLI_EXIT_USAGE;
        }
      options.k = (guint) k;
    }

  if (db_path == NULL)
    db_path = ct_db_default_path ();
  db = ct_cli_open_existing_db (db_path, &error);
  if (db == NULL)
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }
  /* The settings made in the app's Preferences: lifecycle thresholds,
   * discount rate and horizon. */
  if (!ct_analytics_options_load (db, &options, &error))
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }

  /* Tiers depend on the time as well as on the purchases: place the
   * contacts as of now before reading the tiers, unless nothing may be
   * written. */
  if (!no_store && !ct_tier_update (db, 0, 0, NULL, &error))
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }

  /* Translators: shown while analysing, %d%% is the percent done */
  ct_cli_run_init (&run, _("Analysing… %d%%"));
  ct_analytics_compute_async (ct_db_get_path (db), &options, !no_store,
                              ct_cli_run_progress, &run, NULL,
                              run.cancellable, ct_cli_run_done, &run);
  root = ct_analytics_compute_finish (ct_cli_run_wait (&run), &error);
  ct_cli_run_clear (&run);
  if (root == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ct_cli_print_error (_("Stopped; the analysis saved before is kept."));
      else
        ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }

  /* The tiers come from the app's own tables, not from the analysis's
   * cache: distribution now and from the history at the as-of time,
   * and the upgrade rate over the 12 months before it. */
  {
    JsonNode *tiers = ct_tier_summary_to_json (db, json_object_get_int_member (json_node_get_object (root), "as_of"), &error);

    if (tiers == NULL)
      {
        ct_cli_print_error ("%s", error->message);
        return CT_CLI_EXIT_FAILED;
      }
    json_object_set_member (json_node_get_object (root), "tiers", tiers);
  }

  if (json)
    {
      g_autofree char *text = json_to_string (root, TRUE);

      g_print ("%s\n", text);
    }
  else
    {
      print_summary (db_path, root);
      if (no_store)
        g_print ("\n%s\n", _("Not saved (--no-store)."));
    }
  return EXIT_SUCCESS;
}
