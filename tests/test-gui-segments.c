/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-gui-segments.c: the Segments page: building a rule by clicking,
 * the live count, save, duplicate, delete and Undo
 *
 * Runs under Xvfb (see meson.build). With CT_SCREENSHOT_DIR set, saves
 * PNGs there (named with the language: run with LANGUAGE=zh_CN and
 * CLIENTELE_LOCALEDIR=build/po for Chinese).
 */
#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>

#include "ct-analytics.h"
#include "ct-context.h"
#include "ct-demo.h"
#include "ct-gui-test.h"
#include "ct-resources.h"
#include "ct-segment.h"
#include "ct-segments-view.h"
#include "ct-tier.h"

typedef struct
{
  char           *dir;
  CtDb           *db;
  CtContext      *context;
  GtkWidget      *window;
  CtSegmentsView *view;
} Fixture;

static gboolean
count_settled (gpointer data)
{
  return !ct_segments_view_is_counting (data);
}

/* Waits for the live count and checks it against the core's count of
 * the builder's rule. */
static gint64
assert_count (Fixture *f)
{
  g_autofree char *json = NULL;
  g_autoptr(CtSegmentRule) rule = NULL;
  g_autoptr(GError) error = NULL;
  gint64 expected = -1;

  g_assert_true (ct_test_wait_until (count_settled, f->view, 20000));
  json = ct_segments_view_get_rule (f->view);
  rule = ct_segment_rule_parse (json, &error);
  g_assert_no_error (error);
  g_assert_true (ct_segment_count (f->db, rule, 0, &expected, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ct_segments_view_get_count (f->view), ==, expected);
  return expected;
}

static gboolean
match_name (GtkWidget     *widget,
            gconstpointer  name)
{
  return gtk_widget_get_mapped (widget) && g_strcmp0 (gtk_widget_get_name (widget), name) == 0;
}

/* The @n-th (0-based) mapped widget named @name. */
static GtkWidget *
find_named (GtkWidget  *root,
            const char *name,
            guint       n)
{
  GtkWidget *found = NULL;
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();

  g_ptr_array_add (stack, root);
  while (stack->len > 0)
    {
      GtkWidget *w = g_ptr_array_steal_index (stack, 0);

      if (match_name (w, name) && n-- == 0)
        {
          found = w;
          break;
        }
      for (GtkWidget *c = gtk_widget_get_last_child (w); c != NULL; c = gtk_widget_get_prev_sibling (c))
        g_ptr_array_insert (stack, 0, c);
    }
  g_assert_nonnull (found);
  return found;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) summary = NULL;
  g_autofree char *path = NULL;
  CtDemoOptions options = { 400, 5, 0 };
  CtAnalyticsOptions analytics;
  GtkWidget *overlay;

  f->dir = ct_test_make_tmp ();
  path = g_build_filename (f->dir, "segments.db", NULL);
  f->db = ct_db_open (path, &error);
  g_assert_no_error (error);
  options.now = g_get_real_time () / G_USEC_PER_SEC / 86400 * 86400;
  g_assert_true (ct_demo_generate (f->db, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  ct_analytics_options_init (&analytics);
  analytics.k = 3;
  summary = ct_analytics_compute (f->db, &analytics, TRUE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  f->context = ct_context_new (f->db, NULL);

  f->view = CT_SEGMENTS_VIEW (ct_segments_view_new (f->context));
  overlay = adw_toast_overlay_new ();
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), GTK_WIDGET (f->view));
  f->window = adw_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1280, 800);
  adw_window_set_content (ADW_WINDOW (f->window), overlay);
  ct_test_show_window (GTK_WINDOW (f->window));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  GList *toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free (toplevels);
  /* Let the count threads finish before the file goes. */
  ct_test_spin (300);
  g_clear_object (&f->context);
  g_clear_object (&f->db);
  ct_test_rm_tmp (f->dir);
  g_free (f->dir);
}

static GtkWidget *
child (Fixture    *f,
       const char *id)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->view), CT_TYPE_SEGMENTS_VIEW, id);

  g_assert_nonnull (object);
  return GTK_WIDGET (object);
}

static void
click (GtkWidget *button)
{
  g_signal_emit_by_name (button, "clicked");
}

static void
test_build_by_clicking (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *json = NULL;
  GtkWidget *field;
  GtkWidget *entry;
  gint64 everyone, tagged, with_group, big;

  /* A new segment is everybody. */
  everyone = assert_count (f);
  g_assert_cmpint (everyone, ==, 400);

  /* Add condition: a tag, the first one the picker offers. */
  click (find_named (GTK_WIDGET (f->view), "add-condition", 0));
  tagged = assert_count (f);
  g_assert_cmpint (tagged, <, everyone);
  json = ct_segments_view_get_rule (f->view);
  g_assert_nonnull (strstr (json, "\"field\":\"tag\""));
  g_clear_pointer (&json, g_free);

  /* Add group: a nested group with a condition of its own. */
  click (find_named (GTK_WIDGET (f->view), "add-group", 0));
  with_group = assert_count (f);
  g_assert_cmpint (with_group, <=, tagged);
  json = ct_segments_view_get_rule (f->view);
  g_assert_nonnull (strstr (json, "{\"match\":\"all\",\"conditions\":[{\"field\":\"tag\""));
  g_clear_pointer (&json, g_free);

  /* The first condition becomes "total spent is at least ..." and the
   * amount is typed. */
  field = find_named (GTK_WIDGET (f->view), "field-picker", 0);
  {
    const char * const *fields = ct_segment_get_fields ();
    guint position = 0;

    for (guint i = 0; fields[i] != NULL && !g_str_equal (fields[i], "total_spent"); i++)
      if (ct_segment_field_is_available (f->db, fields[i]))
        position++;
    gtk_drop_down_set_selected (GTK_DROP_DOWN (field), position);
  }
  ct_test_spin (50);
  entry = find_named (GTK_WIDGET (f->view), "value-entry", 0);
  gtk_editable_set_text (GTK_EDITABLE (entry), "2000");
  big = assert_count (f);
  json = ct_segments_view_get_rule (f->view);
  g_assert_nonnull (strstr (json, "{\"field\":\"total_spent\",\"op\":\">=\",\"value\":2000}"));
  g_assert_cmpint (big, <=, with_group);

  /* Something that is not an amount: the count says what is wrong. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "lots");
  g_assert_true (ct_test_wait_until (count_settled, f->view, 20000));
  g_assert_cmpint (ct_segments_view_get_count (f->view), ==, -1);
  {
    g_autofree char *bad = ct_segments_view_get_rule (f->view);
    g_autoptr(GError) error = NULL;
    g_autoptr(CtSegmentRule) rule = ct_segment_rule_parse (bad, &error);

    /* The message the core gives, in the language the app runs in. */
    g_assert_null (rule);
    if (g_str_has_prefix (g_get_language_names ()[0], "en") || g_str_equal (g_get_language_names ()[0], "C"))
      g_assert_cmpstr (error->message, ==, "In condition 1: the value of “total_spent” must be a number, not text.");
    g_assert_nonnull (ct_test_find_widget (GTK_WIDGET (f->view), ct_test_match_label_text, error->message));
  }
  gtk_editable_set_text (GTK_EDITABLE (entry), "2000");
  assert_count (f);

  ct_test_screenshot (f->window, "segments-builder");
}

/* The builder offers the tiers, as the tiers page names them, and a
 * rule naming a tier by its level shows that tier. */
static void
test_tier_picker (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GArray) tiers = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  GtkWidget *field, *picker;
  GListModel *model;
  guint position = 0;
  gint64 gold;

  tiers = ct_tier_list (f->db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tiers->len, ==, 4);

  click (find_named (GTK_WIDGET (f->view), "add-condition", 0));
  assert_count (f);
  field = find_named (GTK_WIDGET (f->view), "field-picker", 0);
  {
    const char * const *fields = ct_segment_get_fields ();

    for (guint i = 0; fields[i] != NULL && !g_str_equal (fields[i], "tier"); i++)
      if (ct_segment_field_is_available (f->db, fields[i]))
        position++;
  }
  gtk_drop_down_set_selected (GTK_DROP_DOWN (field), position);
  ct_test_spin (50);

  picker = find_named (GTK_WIDGET (f->view), "value-picker", 0);
  g_assert_nonnull (picker);
  model = gtk_drop_down_get_model (GTK_DROP_DOWN (picker));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, tiers->len);
  for (guint i = 0; i < tiers->len; i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (model, i);

      g_assert_cmpstr (gtk_string_object_get_string (item), ==, g_array_index (tiers, CtTier, i).name);
    }

  gtk_drop_down_set_selected (GTK_DROP_DOWN (picker), 2);
  gold = assert_count (f);
  json = ct_segments_view_get_rule (f->view);
  {
    g_autofree char *want = g_strdup_printf ("{\"field\":\"tier\",\"op\":\"=\",\"value\":\"%s\"}",
                                             g_array_index (tiers, CtTier, 2).name);

    g_assert_nonnull (strstr (json, want));
  }
  /* The demo's 400 contacts are spread over the tiers. */
  g_assert_cmpint (gold, >, 0);
  g_assert_cmpint (gold, <, 400);

  /* A rule from a file, by level: the picker shows the tier at that
   * level, not the first one. */
  g_assert_true (ct_segments_view_set_rule (f->view,
    "{\"match\": \"all\", \"conditions\": [{\"field\": \"tier\", \"op\": \"=\", \"value\": 3}]}"));
  ct_test_spin (50);
  picker = find_named (GTK_WIDGET (f->view), "value-picker", 0);
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (picker)), ==, 3);
  assert_count (f);
}

static gboolean
has_toplevel_dialog (gpointer data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_widget_get_mapped (GTK_WIDGET (w)))
        {
          *(gpointer *) data = w;
          return TRUE;
        }
    }
  return FALSE;
}

static void
test_save_duplicate_delete_undo (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(CtSegment) saved = NULL;
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog = NULL;
  GtkWidget *undo;

  g_assert_true (ct_segments_view_set_rule (f->view,
    "{\"match\": \"any\", \"conditions\": [{\"field\": \"tag\", \"op\": \"has\", \"value\": \"VIP\"},"
    " {\"field\": \"rfm_segment\", \"op\": \"=\", \"value\": \"champions\"}]}"));
  assert_count (f);

  /* Save asks for a name. */
  click (child (f, "save_button"));
  g_assert_true (ct_test_wait_until (has_toplevel_dialog, &dialog, 5000));
  gtk_editable_set_text (GTK_EDITABLE (find_named (GTK_WIDGET (dialog), "name-entry", 0)), " Best 客户 ");
  ct_test_screenshot (GTK_WIDGET (dialog), "segments-save-dialog");
  adw_message_dialog_response (dialog, "ok");
  gtk_window_close (GTK_WINDOW (dialog));
  ct_test_spin (100);

  saved = ct_segment_lookup_by_name (f->db, "Best 客户", &error);
  g_assert_no_error (error);
  g_assert_nonnull (ct_test_find_label (GTK_WIDGET (f->view), "Best 客户"));

  /* Duplicate opens the copy. */
  click (child (f, "duplicate_button"));
  ct_test_spin (100);
  list = ct_segment_list (f->db, &error);
  g_assert_cmpuint (list->len, ==, 2);
  {
    /* "Best 客户 (copy)", in the language the app runs in */
    g_autofree char *copy_name = g_strdup_printf (_("%s (copy)"), "Best 客户");
    gboolean found = FALSE;

    for (guint i = 0; i < list->len; i++)
      found |= g_str_equal (((CtSegment *) list->pdata[i])->name, copy_name);
    g_assert_true (found);
    g_assert_nonnull (ct_test_find_label (GTK_WIDGET (f->view), copy_name));
  }
  g_clear_pointer (&list, g_ptr_array_unref);

  /* Delete the copy, then Undo brings it back. */
  click (child (f, "delete_button"));
  ct_test_spin (200);
  list = ct_segment_list (f->db, &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_clear_pointer (&list, g_ptr_array_unref);
  ct_test_screenshot (f->window, "segments-deleted");
  {
    g_autoptr(GString) undo_label = g_string_new (_("_Undo"));

    g_string_replace (undo_label, "_", "", 0);
    undo = ct_test_find_button (f->window, undo_label->str);
  }
  g_assert_nonnull (undo);
  click (undo);
  ct_test_spin (200);
  list = ct_segment_list (f->db, &error);
  g_assert_cmpuint (list->len, ==, 2);
  assert_count (f);
  ct_test_screenshot (f->window, "segments-saved");
}

static void
on_send_campaign (CtSegmentsView *view,
                  gint64          segment_id,
                  gint64         *out)
{
  *out = segment_id;
}

/* "Send a campaign to this segment": only for a saved segment, and it
 * names that segment (the window opens the assistant with it). */
static void
test_send_campaign (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtSegmentRule) rule = ct_segment_rule_parse ("{\"match\": \"all\", \"conditions\": "
                                                         "[{\"field\": \"tag\", \"op\": \"has\", \"value\": \"VIP\"}]}",
                                                         &error);
  GtkWidget *button = child (f, "campaign_button");
  gint64 asked = 0, id;

  g_signal_connect (f->view, "send-campaign", G_CALLBACK (on_send_campaign), &asked);
  /* A new, unsaved segment: nothing to send to yet. */
  g_assert_true (ct_segments_view_set_rule (f->view, "{\"match\": \"all\", \"conditions\": []}"));
  g_assert_false (gtk_widget_get_sensitive (button));
  g_assert_cmpint (ct_segments_view_get_segment_id (f->view), ==, 0);

  g_assert_no_error (error);
  id = ct_segment_save (f->db, "VIP buyers", rule, &error);
  g_assert_no_error (error);
  g_assert_true (ct_segments_view_open_segment (f->view, id));
  assert_count (f);
  g_assert_true (gtk_widget_get_sensitive (button));
  g_assert_cmpint (ct_segments_view_get_segment_id (f->view), ==, id);
  ct_test_screenshot (f->window, "segments-send-campaign");
  click (button);
  g_assert_cmpint (asked, ==, id);
}

/* A ready-made segment opens in the builder with its count. */
static void
test_ready_made (Fixture       *f,
                 gconstpointer  data)
{
  GtkWidget *row = ct_test_find_label (GTK_WIDGET (f->view), _("No purchase in 90 days"));
  GtkWidget *list_row;

  g_assert_nonnull (row);
  list_row = gtk_widget_get_ancestor (row, GTK_TYPE_LIST_BOX_ROW);
  g_signal_emit_by_name (gtk_widget_get_ancestor (list_row, GTK_TYPE_LIST_BOX), "row-activated", list_row);
  assert_count (f);
  g_assert_nonnull (ct_test_find_label (GTK_WIDGET (f->view), _("No purchase in 90 days")));
  ct_test_screenshot (f->window, "segments-ready-made");
}

int
main (int   argc,
      char *argv[])
{
  const char *localedir = g_getenv ("CLIENTELE_LOCALEDIR");

  /* Screenshots in another language, as the app does it. */
  if (localedir != NULL && *localedir != '\0')
    {
      setlocale (LC_ALL, "");
      bindtextdomain (GETTEXT_PACKAGE, localedir);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_assert_nonnull (ct_get_resource ());
  ct_test_add_icons ();

#define ADD(path, func) \
  g_test_add ("/gui/segments/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("build-by-clicking", test_build_by_clicking);
  ADD ("save-duplicate-delete-undo", test_save_duplicate_delete_undo);
  ADD ("ready-made", test_ready_made);
  ADD ("tier-picker", test_tier_picker);
  ADD ("send-campaign", test_send_campaign);

  return g_test_run ();
}
