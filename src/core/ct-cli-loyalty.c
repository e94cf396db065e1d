/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-cli-loyalty.c: "clientele tiers" and "clientele points"
 *
 * tiers: places every contact as of now (tiers depend on the date as
 * well as on the purchases), then prints each tier with its thresholds,
 * benefits and member count; --json for scripts (never translated).
 *
 * points award EMAIL N REASON…: awards N points by hand (or, with
 * --task, for a check-in, referral, review or survey); points redeem
 * EMAIL N [REASON…] takes them off, refused above the balance; points
 * balance EMAIL prints the balance. REASON may be several words.
 *
 * Exit status: 0 done, 2 a mistake on the command line (a missing or
 * extra argument, N not a whole number above zero, an unknown task), 1
 * anything else (no such database or contact, a redemption above the
 * balance).
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-cli-private.h"
#include "ct-money.h"
#include "ct-points.h"
#include "ct-tier.h"

static CtDb *
open_db (const char *db_path)
{
  g_autoptr(GError) error = NULL;
  CtDb *db = ct_cli_open_existing_db (db_path, &error);

  if (db == NULL)
    ct_cli_print_error ("%s", error->message);
  return db;
}

/* Columns a terminal gives @text: CJK characters take two. */
static int
display_width (const char *text)
{
  int width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_iszerowidth (c))
        width += g_unichar_iswide (c) ? 2 : 1;
    }
  return width;
}

static void
print_padded (const char *text,
              int         width)
{
  g_print ("%s%*s", text, MAX (0, width - display_width (text)), "");
}

int
ct_cli_run_tiers (const CtCliCommand  *command,
                  int                  argc,
                  char               **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *description = ct_cli_db_option_description ();
  g_autoptr(CtDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) tiers = NULL;
  g_autoptr(GArray) members = NULL;
  CtLoyaltySettings settings;
  gboolean json = FALSE;
  int status;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Use the database in the file PATH"), N_("PATH") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the tiers as JSON, for scripts"), NULL },
    G_OPTION_ENTRY_NULL
  };

  status = ct_cli_parse_command_line (command, entries, NULL, description, argc, argv, NULL);
  if (status != CT_CLI_CONTINUE)
    return status;

  if (db_path == NULL)
    db_path = ct_db_default_path ();
  db = open_db (db_path);
  if (db == NULL)
    return CT_CLI_EXIT_FAILED;

  if (!ct_tier_update (db, 0, 0, NULL, &error)
      || !ct_loyalty_settings_load (db, &settings, &error)
      || (tiers = ct_tier_list (db, &error)) == NULL
      || (members = ct_tier_count_members (db, &error)) == NULL)
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "currency");
      json_builder_add_string_value (b, settings.currency);
      json_builder_set_member_name (b, "grace_days");
      json_builder_add_int_value (b, settings.grace_days);
      json_builder_set_member_name (b, "tiers");
      json_builder_begin_array (b);
      for (guint i = 0; i < tiers->len; i++)
        {
          const CtTier *t = &g_array_index (tiers, CtTier, i);

          json_builder_begin_object (b);
          ct_tier_add_json_members (b, t, i, settings.currency);
          json_builder_set_member_name (b, "perks");
          json_builder_add_string_value (b, t->perks);
          json_builder_set_member_name (b, "members");
          json_builder_add_int_value (b, i < members->len ? g_array_index (members, gint64, i) : 0);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      text = json_to_string (root, TRUE);
      g_print ("%s\n", text);
      return EXIT_SUCCESS;
    }

  {
    g_autofree char *display = g_filename_display_name (db_path);
    int name_width = display_width (_("Tier"));
    int spend_width = display_width (_("Spend from"));
    g_autoptr(GPtrArray) spends = g_ptr_array_new_with_free_func (g_free);

    for (guint i = 0; i < tiers->len; i++)
      {
        const CtTier *t = &g_array_index (tiers, CtTier, i);
        char *spend = ct_money_format (t->min_spend, settings.currency);

        name_width = MAX (name_width, display_width (t->name));
        spend_width = MAX (spend_width, display_width (spend));
        g_ptr_array_add (spends, spend);
      }

    /* Translators: "Tiers of /path/clientele.db, by spend in CNY over the last 12 months" */
    g_print (_("Tiers of %s, by spend in %s over the last 12 months\n"), display, settings.currency);
    g_print ("  ");
    print_padded (_("Tier"), name_width + 2);
    print_padded (_("Spend from"), spend_width + 2);
    print_padded (_("Members"), 12);
    g_print ("%s\n", _("Benefits"));
    for (guint i = 0; i < tiers->len; i++)
      {
        const CtTier *t = &g_array_index (tiers, CtTier, i);
        g_autofree char *count = ct_cli_format_count (i < members->len ? g_array_index (members, gint64, i) : 0);
        g_autoptr(GString) benefits = g_string_new (NULL);

        if (t->discount_percent > 0)
          /* Translators: a tier's discount, "5% off" */
          g_string_append_printf (benefits, _("%g%% off"), t->discount_percent);
        if (benefits->len > 0)
          g_string_append (benefits, ", ");
        /* Translators: a tier's points multiplier, "×1.5 points" */
        g_string_append_printf (benefits, _("×%g points"), t->points_multiplier / 100.0);
        if (t->min_purchases > 0)
          {
            g_string_append (benefits, ", ");
            g_string_append_printf (benefits,
                                    /* Translators: a tier's second threshold */
                                    ngettext ("needs %lld purchase", "needs %lld purchases",
                                              (unsigned long) t->min_purchases),
                                    (long long) t->min_purchases);
          }
        if (t->perks[0] != '\0')
          g_string_append_printf (benefits, ", %s", t->perks);

        g_print ("  ");
        print_padded (t->name, name_width + 2);
        print_padded (g_ptr_array_index (spends, i), spend_width + 2);
        print_padded (count, 12);
        g_print ("%s\n", benefits->str);
      }
  }
  return EXIT_SUCCESS;
}

/* N: a whole number above zero. */
static gboolean
parse_points (const char *text,
              gint64     *out)
{
  guint64 n;

  if (!g_ascii_string_to_unsigned (text, 10, 1, 100000000, &n, NULL))
    {
      ct_cli_print_error (_("The number of points must be a whole number from 1 to 100,000,000, not “%s”."), text);
      return FALSE;
    }
  *out = (gint64) n;
  return TRUE;
}

static gint64
find_contact (CtDb       *db,
              const char *email)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;
  int rc;

  stmt = ct_db_prepare (db, "SELECT id FROM contacts WHERE email = ?", &error);
  if (stmt == NULL)
    {
      ct_cli_print_error ("%s", error->message);
      return 0;
    }
  sqlite3_bind_text (stmt, 1, email, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return sqlite3_column_int64 (stmt, 0);
  if (rc == SQLITE_DONE)
    ct_cli_print_error (_("No contact has the email “%s”."), email);
  else
    ct_cli_print_error (_("Could not look up the contact: %s"), sqlite3_errmsg (ct_db_get_handle (db)));
  return 0;
}

static void
print_balance (CtDb       *db,
               gint64      contact_id,
               const char *email)
{
  g_autoptr(GError) error = NULL;
  gint64 balance = 0;
  g_autofree char *count = NULL;

  if (!ct_points_get_balance (db, contact_id, &balance, &error))
    {
      ct_cli_print_error ("%s", error->message);
      return;
    }
  count = ct_cli_format_count (balance);
  /* Translators: "ann@example.com: 1,250 points" */
  g_print (ngettext ("%s: %s point\n", "%s: %s points\n", (unsigned long) (balance < 0 ? -balance : balance) % 1000000),
           email, count);
}

int
ct_cli_run_points (const CtCliCommand  *command,
                   int                  argc,
                   char               **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *task_text = NULL;
  g_autofree char *description = NULL;
  g_autofree char *db_description = ct_cli_db_option_description ();
  g_auto(GStrv) rest = NULL;
  g_autoptr(CtDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  CtPointsKind kind = CT_POINTS_MANUAL;
  const char *action, *email;
  gint64 contact_id, points = 0;
  guint n_args;
  int status;
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_("Use the database in the file PATH"), N_("PATH") },
    /* Translators: do not translate checkin, referral, review, survey */
    { "task", 0, 0, G_OPTION_ARG_STRING, &task_text, N_("Award the points for a task: checkin, referral, review or survey"), N_("TASK") },
    G_OPTION_ENTRY_NULL
  };

  description = g_strdup_printf ("%s\n\n%s", _("award EMAIL N REASON…   award N points\n"
                                               "redeem EMAIL N [REASON…]   take N points off, never below zero\n"
                                               "balance EMAIL   print the balance"),
                                 db_description);
  status = ct_cli_parse_command_line (command, entries, _("award|redeem|balance EMAIL [N REASON…]"),
                                      description, argc, argv, &rest);
  if (status != CT_CLI_CONTINUE)
    return status;

  n_args = g_strv_length (rest);
  if (n_args == 0)
    {
      ct_cli_print_error (_("Say what to do: award, redeem or balance."));
      return CT_CLI_EXIT_USAGE;
    }
  action = rest[0];
  if (!g_str_equal (action, "award") && !g_str_equal (action, "redeem") && !g_str_equal (action, "balance"))
    {
      ct_cli_print_error (_("“%s” is not something points can do; use award, redeem or balance."), action);
      return CT_CLI_EXIT_USAGE;
    }
  if (g_str_equal (action, "balance"))
    {
      if (n_args != 2)
        {
          ct_cli_print_error (_("“points balance” takes one email."));
          return CT_CLI_EXIT_USAGE;
        }
    }
  else
    {
      if (n_args < 3 || (g_str_equal (action, "award") && n_args < 4))
        {
          if (g_str_equal (action, "award"))
            ct_cli_print_error (_("“points award” takes an email, a number of points and a reason."));
          else
            ct_cli_print_error (_("“points redeem” takes an email and a number of points, and may take a reason."));
          return CT_CLI_EXIT_USAGE;
        }
      if (!parse_points (rest[2], &points))
        return CT_CLI_EXIT_USAGE;
      if (n_args > 3)
        reason = g_strjoinv (" ", rest + 3);
    }
  if (task_text != NULL)
    {
      if (!g_str_equal (action, "award") || !ct_points_kind_from_id (task_text, &kind)
          || kind == CT_POINTS_MANUAL || !ct_points_kind_is_award (kind))
        {
          /* Translators: do not translate checkin, referral, review, survey */
          ct_cli_print_error (_("--task goes with award and takes checkin, referral, review or survey, not “%s”."),
                              task_text);
          return CT_CLI_EXIT_USAGE;
        }
    }
  email = rest[1];

  if (db_path == NULL)
    db_path = ct_db_default_path ();
  db = open_db (db_path);
  if (db == NULL)
    return CT_CLI_EXIT_FAILED;
  contact_id = find_contact (db, email);
  if (contact_id == 0)
    return CT_CLI_EXIT_FAILED;

  if (g_str_equal (action, "award"))
    {
      if (ct_points_award (db, contact_id, points, kind, reason, 0, &error) == 0)
        {
          ct_cli_print_error ("%s", error->message);
          return CT_CLI_EXIT_FAILED;
        }
    }
  else if (g_str_equal (action, "redeem"))
    {
      if (ct_points_redeem (db, contact_id, points, reason, 0, &error) == 0)
        {
          ct_cli_print_error ("%s", error->message);
          return CT_CLI_EXIT_FAILED;
        }
    }
  else if (!ct_points_expire (db, 0, contact_id, NULL, &error))
    {
      ct_cli_print_error ("%s", error->message);
      return CT_CLI_EXIT_FAILED;
    }

  print_balance (db, contact_id, email);
  return EXIT_SUCCESS;
}
