/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-gui-dashboard.c: the Dashboard page under Xvfb */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gstdio.h>

#include "ct-analytics.h"
#include "ct-contact-list.h"
#include "ct-dashboard.h"
#include "ct-dashboard-view.h"
#include "ct-demo.h"
#include "ct-gui-test.h"
#include "ct-resources.h"
#include "ct-test-db.h"

typedef struct
{
  CtTestDb    t;
  CtContext  *context;
  GtkWidget  *window;
  GtkWidget  *view;
  gboolean    opened;
  guint       opened_filter;
  gint64      opened_id;
} Fixture;

static GtkWidget *
view_child (Fixture    *f,
            const char *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (f->view, CT_TYPE_DASHBOARD_VIEW, name));
}

static guint
count_children (GtkWidget *widget)
{
  guint n = 0;

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    n++;
  return n;
}

static gboolean
cards_shown (gpointer data)
{
  Fixture *f = data;

  return count_children (view_child (f, "cards_box")) == 7
         && !gtk_spinner_get_spinning (GTK_SPINNER (view_child (f, "spinner")));
}

static void
on_open_filtered_contacts (GtkWidget *view,
                           guint      filter,
                           gint64     id,
                           Fixture   *f)
{
  f->opened = TRUE;
  f->opened_filter = filter;
  f->opened_id = id;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) summary = NULL;
  CtDemoOptions options = { 300, 3, 0 };
  CtAnalyticsOptions analytics;

  ct_test_db_set_up (&f->t, "clientele-test-gui-dashboard-XXXXXX");
  options.now = g_get_real_time () / G_USEC_PER_SEC / 86400 * 86400;
  g_assert_true (ct_demo_generate (f->t.db, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  ct_analytics_options_init (&analytics);
  summary = ct_analytics_compute (f->t.db, &analytics, TRUE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  f->context = ct_context_new (f->t.db, NULL);
  f->window = adw_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 900);
  f->view = ct_dashboard_view_new (f->context);
  g_signal_connect (f->view, "open-filtered-contacts", G_CALLBACK (on_open_filtered_contacts), f);
  adw_window_set_content (ADW_WINDOW (f->window), f->view);
  ct_test_show_window (GTK_WINDOW (f->window));
  g_assert_true (ct_test_wait_until (cards_shown, f, 30000));
  ct_test_spin (100);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  ct_test_spin (50);
  g_clear_object (&f->context);
  ct_test_db_tear_down (&f->t);
}

static GtkWidget *
chart_area (Fixture *f,
            guint    which)
{
  GtkWidget *flow_child = gtk_widget_get_first_child (view_child (f, "charts_box"));

  for (guint i = 0; i < which; i++)
    flow_child = gtk_widget_get_next_sibling (flow_child);
  /* GtkFlowBoxChild → card box → drawing area */
  return gtk_widget_get_first_child (gtk_widget_get_first_child (flow_child));
}

static void
test_shows_period (Fixture       *f,
                   gconstpointer  data)
{
  const char *period = gtk_label_get_text (GTK_LABEL (view_child (f, "period_label")));

  /* "1 Dec 2025 – 30 Nov 2026": twelve whole months. */
  g_assert_nonnull (strstr (period, " – "));
  g_assert_cmpuint (count_children (view_child (f, "charts_box")), ==, CT_DASHBOARD_N_CHARTS);
  g_assert_true (gtk_widget_get_sensitive (view_child (f, "print_button")));
  for (guint c = 0; c < CT_DASHBOARD_N_CHARTS; c++)
    {
      GtkWidget *area = chart_area (f, c);

      g_assert_true (GTK_IS_DRAWING_AREA (area));
      g_assert_cmpint (gtk_widget_get_height (area), >=, 300);
    }
}

/* Clicks across chart @which, as a person looking for a bar or slice
 * would, until one opens contacts. */
static gboolean
click_chart (Fixture *f,
             guint    which)
{
  GtkWidget *area = chart_area (f, which);
  GtkEventController *click = NULL;
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (area);
  int width = gtk_widget_get_width (area);
  int height = gtk_widget_get_height (area);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_CLICK (c))
        click = GTK_EVENT_CONTROLLER (c);
    }
  g_assert_nonnull (click);

  f->opened = FALSE;
  for (int x = 20; x < width - 10 && !f->opened; x += 6)
    for (int y = 30; y < height - 10 && !f->opened; y += 6)
      g_signal_emit_by_name (click, "released", 1, (double) x, (double) y);
  return f->opened;
}

static void
test_click_segment (Fixture       *f,
                    gconstpointer  data)
{
  g_assert_true (click_chart (f, CT_DASHBOARD_CHART_SEGMENTS));
  g_assert_cmpuint (f->opened_filter, ==, CT_CONTACT_FILTER_RFM_SEGMENT);
  g_assert_cmpint (f->opened_id, >=, 0);
  g_assert_cmpint (f->opened_id, <, CT_RFM_N_SEGMENTS);
}

/* A channel's bar, a step of the funnel and a cluster's dot each open
 * the contacts of their kind. */
static void
test_click_filters (Fixture       *f,
                    gconstpointer  data)
{
  gint64 n_channels = ct_db_query_int64 (f->t.db, "SELECT count(*) FROM channels", NULL);

  g_assert_true (click_chart (f, CT_DASHBOARD_CHART_CHANNEL_CUSTOMERS));
  g_assert_cmpuint (f->opened_filter, ==, CT_CONTACT_FILTER_CHANNEL);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM channels WHERE id = %" G_GINT64_FORMAT,
                                            f->opened_id);

    g_assert_cmpint (n_channels, >, 0);
    g_assert_cmpint (ct_db_query_int64 (f->t.db, sql, NULL), ==, 1);
  }

  g_assert_true (click_chart (f, CT_DASHBOARD_CHART_FUNNEL));
  g_assert_cmpuint (f->opened_filter, ==, CT_CONTACT_FILTER_FUNNEL_STAGE);
  g_assert_cmpint (f->opened_id, >=, 0);
  g_assert_cmpint (f->opened_id, <=, 4);

  g_assert_true (click_chart (f, CT_DASHBOARD_CHART_CLUSTERS));
  g_assert_cmpuint (f->opened_filter, ==, CT_CONTACT_FILTER_CLUSTER);
  g_assert_cmpint (f->opened_id, <, ct_db_query_int64 (f->t.db, "SELECT max(cluster) + 1 FROM contact_metrics", NULL));
}

static void
test_custom_period (Fixture       *f,
                    gconstpointer  data)
{
  GtkWidget *custom = view_child (f, "custom_box");

  gtk_drop_down_set_selected (GTK_DROP_DOWN (view_child (f, "period_dropdown")), CT_PERIOD_CUSTOM);
  g_assert_true (gtk_widget_get_visible (custom));

  gtk_editable_set_text (GTK_EDITABLE (view_child (f, "from_entry")), "2025-02-30");
  g_signal_emit_by_name (view_child (f, "apply_button"), "clicked");
  ct_test_spin (50);
  g_assert_true (ct_test_wait_until (cards_shown, f, 30000));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (view_child (f, "period_label"))),
                            "“2025-02-30” is not a date"));

  /* Thirty days again: back to figures. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (view_child (f, "period_dropdown")), CT_PERIOD_30_DAYS);
  g_assert_false (gtk_widget_get_visible (custom));
  ct_test_spin (50);
  g_assert_true (ct_test_wait_until (cards_shown, f, 30000));
  g_assert_null (strstr (gtk_label_get_text (GTK_LABEL (view_child (f, "period_label"))), "not a date"));
}

/* Printing draws the report's pages through GtkPrintOperation; "print
 * to file" shows what a printer would get. */
static void
test_print (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pdf = g_build_filename (f->t.dir, "printed.pdf", NULL);
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  g_autofree char *text = NULL;
  const char *argv[] = { "pdftotext", "-enc", "UTF-8", pdf, "-", NULL };
  guint pages = 0;
  int status;

  g_assert_true (ct_dashboard_view_print (CT_DASHBOARD_VIEW (f->view), pdf, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (pdf, G_FILE_TEST_IS_REGULAR));
  if (pdftotext == NULL)
    {
      g_remove (pdf);
      g_test_skip ("pdftotext is not installed (package poppler-utils)");
      return;
    }

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &text, NULL, &status, &error));
  g_assert_no_error (error);
  for (const char *p = text; *p != '\0'; p++)
    pages += *p == '\f';
  g_assert_cmpuint (pages, ==, 7);
  g_assert_nonnull (strstr (text, "Page 7 of 7"));
  g_assert_nonnull (strstr (text, "Top customers by predicted lifetime value"));
  /* The demo sends no campaign: the last page says so. */
  g_assert_nonnull (strstr (text, "No campaign was sent in this period."));
  g_remove (pdf);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* Links the templates into the test. */
  g_assert_nonnull (ct_get_resource ());

  g_test_add ("/gui/dashboard/shows-period", Fixture, NULL, fixture_set_up, test_shows_period, fixture_tear_down);
  g_test_add ("/gui/dashboard/click-segment", Fixture, NULL, fixture_set_up, test_click_segment, fixture_tear_down);
  g_test_add ("/gui/dashboard/click-filters", Fixture, NULL, fixture_set_up, test_click_filters, fixture_tear_down);
  g_test_add ("/gui/dashboard/print", Fixture, NULL, fixture_set_up, test_print, fixture_tear_down);
  g_test_add ("/gui/dashboard/custom-period", Fixture, NULL, fixture_set_up, test_custom_period, fixture_tear_down);

  return g_test_run ();
}
