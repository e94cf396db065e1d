/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-gui-preferences.c: the Preferences window: lifecycle thresholds,
 * lifetime value settings, channel spend, and the recompute they start
 *
 * Runs under Xvfb (see meson.build). With CT_SCREENSHOT_DIR set, saves
 * PNGs of both pages there.
 */
#include "config.h"

#include <string.h>

#include "ct-gui-test.h"
#include "ct-analytics.h"
#include "ct-channel.h"
#include "ct-loyalty-page.h"
#include "ct-preferences-window.h"
#include "ct-tier.h"

static CtApplication *app;

typedef struct
{
  char                *dir;
  char                *path;
  CtDb                *db;
  CtContext           *context;
  CtPreferencesWindow *prefs;
  guint                settings_changes;
} Fixture;

static void
on_settings_changed (CtDb       *db,
                     const char *table,
                     gpointer    user_data)
{
  Fixture *f = user_data;

  f->settings_changes++;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = ct_test_make_tmp ();
  f->path = g_build_filename (f->dir, "business.db", NULL);
  f->db = ct_db_open (f->path, &error);
  g_assert_no_error (error);
  f->context = ct_context_new (f->db, NULL);
  g_signal_connect (f->db, "changed::settings", G_CALLBACK (on_settings_changed), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->prefs != NULL)
    gtk_window_destroy (GTK_WINDOW (f->prefs));
  ct_test_spin (20);
  g_assert_null (f->prefs);
  g_clear_object (&f->context);
  g_clear_object (&f->db);
  ct_test_rm_tmp (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
open_prefs (Fixture *f)
{
  f->prefs = ct_preferences_window_new (NULL, f->context);
  g_object_add_weak_pointer (G_OBJECT (f->prefs), (gpointer *) &f->prefs);
  ct_test_show_window (GTK_WINDOW (f->prefs));
}

static GtkWidget *
child (Fixture    *f,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->prefs),
                                                   CT_TYPE_PREFERENCES_WINDOW, name);

  g_assert_nonnull (object);
  return GTK_WIDGET (object);
}

static void
set_spin (Fixture    *f,
          const char *name,
          double      value)
{
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (f, name)), value);
}

static char *
setting (Fixture    *f,
         const char *key)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;

  stmt = ct_db_prepare (f->db, "SELECT value FROM settings WHERE key = ?", &error);
  g_assert_no_error (error);
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

static void
assert_setting (Fixture    *f,
                const char *key,
                const char *expected)
{
  g_autofree char *value = setting (f, key);

  g_assert_cmpstr (value, ==, expected);
}

static const char *
error_text (Fixture    *f,
            const char *label)
{
  GtkWidget *widget = child (f, label);

  return gtk_widget_get_visible (widget) ? gtk_label_get_text (GTK_LABEL (widget)) : NULL;
}

static void
test_thresholds (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) expected = NULL;
  CtLifecycleThresholds thresholds;

  open_prefs (f);

  /* Shown as stored: the defaults. */
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (child (f, "new_spin"))), ==, 30);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (child (f, "dormant_spin"))), ==, 365);
  g_assert_null (error_text (f, "lifecycle_error_label"));
  g_assert_cmpuint (f->settings_changes, ==, 0);

  set_spin (f, "active_spin", 60);
  g_assert_cmpuint (f->settings_changes, ==, 1);
  assert_setting (f, "lifecycle.active_days", "60");
  g_assert_true (ct_lifecycle_thresholds_load (f->db, &thresholds, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (thresholds.new_days, ==, 30);
  g_assert_cmpuint (thresholds.active_days, ==, 60);
  g_assert_cmpuint (thresholds.at_risk_days, ==, 180);
  g_assert_cmpuint (thresholds.dormant_days, ==, 365);

  /* New beyond active: refused with the reason, nothing saved. */
  set_spin (f, "new_spin", 90);
  thresholds.new_days = 90;
  g_assert_false (ct_lifecycle_thresholds_validate (&thresholds, &expected));
  g_assert_nonnull (error_text (f, "lifecycle_error_label"));
  g_assert_cmpstr (error_text (f, "lifecycle_error_label"), ==, expected->message);
  g_assert_true (gtk_widget_get_mapped (child (f, "lifecycle_error_label")));
  g_assert_cmpuint (f->settings_changes, ==, 1);
  assert_setting (f, "lifecycle.new_days", "30");
  ct_test_screenshot (GTK_WIDGET (f->prefs), "preferences-invalid");

  /* Made valid again by the next one: saved, the message goes. */
  set_spin (f, "active_spin", 120);
  g_assert_null (error_text (f, "lifecycle_error_label"));
  g_assert_cmpuint (f->settings_changes, ==, 2);
  assert_setting (f, "lifecycle.new_days", "90");
  assert_setting (f, "lifecycle.active_days", "120");

  /* A window opened later shows what was saved. */
  gtk_window_destroy (GTK_WINDOW (f->prefs));
  ct_test_spin (20);
  g_assert_null (f->prefs);
  open_prefs (f);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (child (f, "new_spin"))), ==, 90);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (child (f, "active_spin"))), ==, 120);
  g_assert_cmpuint (f->settings_changes, ==, 2);

  /* Restore Defaults saves the defaults. */
  g_signal_emit_by_name (child (f, "defaults_button"), "clicked");
  assert_setting (f, "lifecycle.new_days", "30");
  assert_setting (f, "lifecycle.active_days", "90");
  assert_setting (f, "analytics.clv_horizon_months", "12");

  /* Typed, then the window closed at once: still saved. */
  gtk_editable_set_text (GTK_EDITABLE (child (f, "dormant_spin")), "500");
  assert_setting (f, "lifecycle.dormant_days", "365");
  gtk_window_close (GTK_WINDOW (f->prefs));
  ct_test_spin (20);
  g_assert_null (f->prefs);
  assert_setting (f, "lifecycle.dormant_days", "500");
}

/* A stored set that does not validate is shown as the defaults, with
 * the reason. */
static void
test_broken_thresholds (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ct_db_exec (f->db,
                             "INSERT INTO settings (key, value) VALUES ('lifecycle.dormant_days', '10')",
                             &error));
  g_assert_no_error (error);
  open_prefs (f);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (child (f, "dormant_spin"))), ==, 365);
  g_assert_nonnull (error_text (f, "lifecycle_error_label"));
  g_assert_nonnull (strstr (error_text (f, "lifecycle_error_label"), "10"));
}

static void
test_lifetime_value (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CtAnalyticsOptions options;

  open_prefs (f);
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (child (f, "discount_spin"))), ==, 10.0);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (child (f, "horizon_spin"))), ==, 12);

  set_spin (f, "discount_spin", 7.5);
  set_spin (f, "horizon_spin", 24);
  g_assert_cmpuint (f->settings_changes, ==, 2);
  g_assert_null (error_text (f, "clv_error_label"));

  ct_analytics_options_init (&options);
  g_assert_true (ct_analytics_options_load (f->db, &options, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (options.discount_rate, 0.075, 1e-9);
  g_assert_cmpuint (options.clv_horizon_months, ==, 24);
}

static gint64
spend_rows (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  gint64 n = ct_db_query_int64 (f->db, "SELECT count(*) FROM channel_spend", &error);

  g_assert_no_error (error);
  return n;
}

static guint
list_rows (Fixture *f)
{
  guint n = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (child (f, "spend_list"));
       row != NULL; row = gtk_widget_get_next_sibling (row))
    if (ADW_IS_ACTION_ROW (row))
      n++;
  return n;
}

static void
set_text (Fixture    *f,
          const char *row,
          const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (child (f, row)), text);
}

static gboolean
match_button (GtkWidget     *widget,
              gconstpointer  data)
{
  return GTK_IS_BUTTON (widget);
}

static void
test_channel_spend (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  AdwPreferencesPage *page;
  GtkWidget *trash, *undo;
  gint64 douyin;

  douyin = ct_channel_ensure (f->db, "Douyin", &error);
  g_assert_no_error (error);
  open_prefs (f);
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (f->prefs), "spend");
  page = ADW_PREFERENCES_PAGE (child (f, "spend_page"));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page)));
  g_assert_cmpuint (list_rows (f), ==, 0);

  /* No amount: said so, nothing stored. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (child (f, "channel_row")), 0);
  set_text (f, "month_row", "2025-03");
  g_signal_emit_by_name (child (f, "add_spend_button"), "clicked");
  g_assert_cmpstr (error_text (f, "spend_error_label"), ==, "Enter the amount spent.");
  g_assert_cmpint (spend_rows (f), ==, 0);

  /* Not an amount. */
  set_text (f, "amount_row", "a lot");
  g_signal_emit_by_name (child (f, "add_spend_button"), "clicked");
  g_assert_nonnull (error_text (f, "spend_error_label"));
  g_assert_nonnull (strstr (error_text (f, "spend_error_label"), "a lot"));
  g_assert_cmpint (spend_rows (f), ==, 0);

  /* Not a month: the core's reason. */
  set_text (f, "month_row", "2025-13");
  set_text (f, "amount_row", "1,200.50");
  g_signal_emit_by_name (child (f, "add_spend_button"), "clicked");
  g_assert_nonnull (strstr (error_text (f, "spend_error_label"), "2025-13"));
  g_assert_cmpint (spend_rows (f), ==, 0);

  /* A new channel, typed in, is chosen; the spend is stored in CNY. */
  set_text (f, "new_channel_row", "  WeChat  ");
  g_signal_emit_by_name (child (f, "new_channel_row"), "apply");
  g_assert_cmpstr (ct_named_item_get_name (CT_NAMED_ITEM (adw_combo_row_get_selected_item (
                     ADW_COMBO_ROW (child (f, "channel_row"))))), ==, "WeChat");
  set_text (f, "month_row", "2025-03");
  g_signal_emit_by_name (child (f, "add_spend_button"), "clicked");
  g_assert_null (error_text (f, "spend_error_label"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (child (f, "amount_row"))), ==, "");

  stmt = ct_db_prepare (f->db,
                        "SELECT c.name, s.month, s.amount, s.currency FROM channel_spend s"
                        " JOIN channels c ON c.id = s.channel_id", &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "WeChat");
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, "2025-03");
  g_assert_cmpint (sqlite3_column_int64 (stmt, 2), ==, 120050);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 3), ==, "CNY");
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  g_assert_cmpuint (list_rows (f), ==, 1);
  g_assert_nonnull (ct_test_find_label (child (f, "spend_list"), "¥1,200.50"));

  /* A currency typed with the amount wins; another month of another
   * channel, and the list shows both, newest first. */
  for (guint i = 0; ; i++)
    {
      CtNamedItem *item;

      g_assert_cmpuint (i, <, 2);
      adw_combo_row_set_selected (ADW_COMBO_ROW (child (f, "channel_row")), i);
      item = adw_combo_row_get_selected_item (ADW_COMBO_ROW (child (f, "channel_row")));
      if (ct_named_item_get_id (item) == douyin)
        break;
    }
  set_text (f, "month_row", "2025-04");
  set_text (f, "amount_row", "$300");
  g_signal_emit_by_name (child (f, "add_spend_button"), "clicked");
  g_assert_null (error_text (f, "spend_error_label"));
  g_assert_cmpint (ct_db_query_int64 (f->db,
                                      "SELECT amount FROM channel_spend"
                                      " WHERE month = '2025-04' AND currency = 'USD'", &error),
                   ==, 30000);
  g_assert_cmpuint (list_rows (f), ==, 2);
  g_assert_nonnull (ct_test_find_label (child (f, "spend_list"), "$300.00"));

  ct_test_screenshot (GTK_WIDGET (f->prefs), "preferences-spend");

  /* Delete the newest (the first row's trash button). */
  trash = ct_test_find_widget (gtk_widget_get_first_child (child (f, "spend_list")),
                               match_button, NULL);
  g_assert_nonnull (trash);
  g_signal_emit_by_name (trash, "clicked");
  g_assert_cmpint (spend_rows (f), ==, 1);
  g_assert_cmpuint (list_rows (f), ==, 1);
  g_assert_cmpint (ct_db_query_int64 (f->db, "SELECT count(*) FROM channel_spend WHERE month = '2025-03'",
                                      &error), ==, 1);

  /* The toast's Undo puts it back, in its own currency. */
  ct_test_spin (300);
  undo = ct_test_find_button (GTK_WIDGET (f->prefs), "Undo");
  g_assert_nonnull (undo);
  g_signal_emit_by_name (undo, "clicked");
  g_assert_cmpint (spend_rows (f), ==, 2);
  g_assert_cmpint (ct_db_query_int64 (f->db,
                                      "SELECT amount FROM channel_spend"
                                      " WHERE month = '2025-04' AND currency = 'USD'", &error),
                   ==, 30000);
  g_assert_cmpuint (list_rows (f), ==, 2);
}

static gboolean
runs_stored (gpointer data)
{
  Fixture *f = data;

  return ct_db_query_int64 (f->db, "SELECT count(*) FROM analytics_runs", NULL) > 0;
}

static gboolean
prefs_open (gpointer data)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (CT_IS_PREFERENCES_WINDOW (l->data) && gtk_widget_get_mapped (l->data))
      return TRUE;
  return FALSE;
}

/* win.preferences opens the window over the main window, and a change
 * there recomputes the scores. */
static void
test_from_window (Fixture       *f,
                  gconstpointer  data)
{
  CtWindow *window;
  g_autoptr(GList) toplevels = NULL;

  window = ct_window_new (GTK_APPLICATION (app), f->context);
  g_object_set (window, "auto-analyze", TRUE, "analyze-delay", 10u, NULL);
  ct_test_show_window (GTK_WINDOW (window));
  g_assert_false (runs_stored (f));

  g_action_group_activate_action (G_ACTION_GROUP (window), "preferences", NULL);
  g_assert_true (ct_test_wait_until (prefs_open, NULL, 10000));
  toplevels = gtk_window_list_toplevels ();
  for (GList *l = toplevels; l != NULL; l = l->next)
    if (CT_IS_PREFERENCES_WINDOW (l->data))
      f->prefs = l->data;
  g_assert_nonnull (f->prefs);
  g_object_add_weak_pointer (G_OBJECT (f->prefs), (gpointer *) &f->prefs);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (f->prefs)) == GTK_WINDOW (window));
  ct_test_screenshot (GTK_WIDGET (f->prefs), "preferences");

  set_spin (f, "dormant_spin", 400);
  g_assert_true (ct_test_wait_until (runs_stored, f, 30000));

  gtk_window_destroy (GTK_WINDOW (f->prefs));
  gtk_window_destroy (GTK_WINDOW (window));
  ct_test_spin (50);
}

static gboolean
match_loyalty_page (GtkWidget     *widget,
                    gconstpointer  data)
{
  return CT_IS_LOYALTY_PAGE (widget);
}

static gboolean
match_labelled_button (GtkWidget     *widget,
                       gconstpointer  label)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

/* Entry rows titled @title under @root, in order. */
static void
collect_entry_rows (GtkWidget  *root,
                    const char *title,
                    GPtrArray  *out)
{
  if (ADW_IS_ENTRY_ROW (root)
      && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    g_ptr_array_add (out, root);
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_entry_rows (c, title, out);
}

static gboolean
match_visible_error (GtkWidget     *widget,
                     gconstpointer  data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "error") && gtk_widget_get_visible (widget)
         && strstr (gtk_label_get_text (GTK_LABEL (widget)), data) != NULL;
}

/* Tiers are edited on the Loyalty page and saved together; thresholds
 * that disagree are refused with a message naming the tier. */
static void
test_loyalty (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) spends = g_ptr_array_new ();
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GArray) tiers = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *page, *save;
  CtLoyaltySettings s;

  open_prefs (f);
  page = ct_test_find_widget (GTK_WIDGET (f->prefs), match_loyalty_page, NULL);
  g_assert_nonnull (page);
  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (f->prefs), ADW_PREFERENCES_PAGE (page));
  collect_entry_rows (page, "Spent in the last 12 months, from (CNY)", spends);
  collect_entry_rows (page, "Name", names);
  g_assert_cmpuint (spends->len, ==, 4);
  g_assert_cmpstr (gtk_editable_get_text (g_ptr_array_index (spends, 2)), ==, "5000.00");
  g_assert_cmpstr (gtk_editable_get_text (g_ptr_array_index (names, 3)), ==, "Diamond");
  /* The distribution: how many contacts each tier holds (none here). */
  g_assert_cmpstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (gtk_widget_get_ancestor (
                     g_ptr_array_index (spends, 0), ADW_TYPE_EXPANDER_ROW))), ==, "Tier 1 · 0 members");
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (gtk_widget_get_ancestor (g_ptr_array_index (spends, 2),
                                                                            ADW_TYPE_EXPANDER_ROW)), TRUE);
  ct_test_screenshot (GTK_WIDGET (f->prefs), "preferences-loyalty");

  save = ct_test_find_widget (page, match_labelled_button, "_Save Tiers");
  g_assert_nonnull (save);

  /* Gold from ¥4,000, renamed 金卡 */
  gtk_editable_set_text (g_ptr_array_index (spends, 2), "4000");
  gtk_editable_set_text (g_ptr_array_index (names, 2), "金卡");
  g_signal_emit_by_name (save, "clicked");
  tiers = ct_tier_list (f->db, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_array_index (tiers, CtTier, 2).min_spend, ==, 400000);
  g_assert_cmpstr (g_array_index (tiers, CtTier, 2).name, ==, "金卡");

  /* Silver above Gold: refused, nothing saved. */
  g_ptr_array_set_size (spends, 0);
  collect_entry_rows (page, "Spent in the last 12 months, from (CNY)", spends);
  gtk_editable_set_text (g_ptr_array_index (spends, 1), "4500");
  g_signal_emit_by_name (save, "clicked");
  g_assert_nonnull (ct_test_find_widget (page, match_visible_error, "金卡"));
  g_clear_pointer (&tiers, g_array_unref);
  tiers = ct_tier_list (f->db, &error);
  g_assert_cmpint (g_array_index (tiers, CtTier, 1).min_spend, ==, 100000);

  /* The grace and the points settings */
  g_assert_true (ct_loyalty_settings_load (f->db, &s, &error));
  g_assert_cmpuint (s.grace_days, ==, 30);
}

int
main (int   argc,
      char *argv[])
{
  int result;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  ct_test_add_icons ();
  app = ct_test_application_new ();

  g_test_add ("/preferences/thresholds", Fixture, NULL, fixture_setup, test_thresholds, fixture_teardown);
  g_test_add ("/preferences/broken-thresholds", Fixture, NULL, fixture_setup, test_broken_thresholds,
              fixture_teardown);
  g_test_add ("/preferences/lifetime-value", Fixture, NULL, fixture_setup, test_lifetime_value,
              fixture_teardown);
  g_test_add ("/preferences/channel-spend", Fixture, NULL, fixture_setup, test_channel_spend,
              fixture_teardown);
  g_test_add ("/preferences/loyalty", Fixture, NULL, fixture_setup, test_loyalty, fixture_teardown);
  g_test_add ("/preferences/from-window", Fixture, NULL, fixture_setup, test_from_window,
              fixture_teardown);

  result = g_test_run ();
  g_object_unref (app);
  return result;
}
