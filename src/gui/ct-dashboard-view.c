/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-dashboard-view.c: the Dashboard page: key figures and charts of a period
 *
 * The figures are read by ct_dashboard_load() on a worker thread with its
 * own connection to the file, since on a big database they take longer
 * than a frame; the page keeps showing the last figures with a spinner
 * meanwhile, and a newer request cancels an older one. The charts are
 * ct-chart's, drawn in GtkDrawingAreas: the same drawing as the PNG and
 * SVG exports, the PDF report and printing. Hovering asks the chart what
 * is under the pointer for the tooltip; clicking an RFM segment opens the
 * Contacts page searched for it.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ct-contact-list.h"
#include "ct-dashboard-view.h"
#include "ct-dashboard.h"
#include "ct-report.h"
#include "ct-rollup.h"

#define RELOAD_DELAY 500  /* ms: a burst of changes reads once */
#define CHART_HEIGHT 300

struct _CtDashboardView
{
  AdwBin        parent_instance;

  CtContext    *context;
  CtDashboard  *dashboard;
  CtChart      *charts[CT_DASHBOARD_N_CHARTS];
  GtkWidget    *areas[CT_DASHBOARD_N_CHARTS];
  GCancellable *cancellable;
  guint         reload_id;

  /* template children */
  GtkDropDown  *period_dropdown;
  GtkWidget    *custom_box;
  GtkEntry     *from_entry;
  GtkEntry     *to_entry;
  GtkButton    *apply_button;
  GtkLabel     *period_label;
  GtkSpinner   *spinner;
  GtkButton    *print_button;
  GtkFlowBox   *cards_box;
  GtkFlowBox   *charts_box;
};

G_DEFINE_FINAL_TYPE (CtDashboardView, ct_dashboard_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  OPEN_FILTERED_CONTACTS,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------ */
/* Reading in the background */

typedef struct
{
  char         *path;
  CtPeriodKind  kind;
  char         *from;
  char         *to;
} LoadData;

static void
load_data_free (gpointer data)
{
  LoadData *d = data;

  g_free (d->path);
  g_free (d->from);
  g_free (d->to);
  g_free (d);
}

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) refresh_error = NULL;
  /* The window's own connection checked the file when it opened it:
   * reading every page again for each period shown took longer than the
   * figures. */
  g_autoptr(CtDb) db = ct_db_open_full (data->path, CT_DB_OPEN_ALREADY_CHECKED, &error);
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  CtDashboard *dashboard;
  CtPeriod period;
  gboolean ok;

  if (db == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (data->kind == CT_PERIOD_CUSTOM)
    ok = ct_period_init_custom (&period, db, data->from, data->to, now, NULL, &error);
  else
    ok = ct_period_init (&period, data->kind, db, now, NULL, &error);
  if (!ok)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* The customers changed since the summaries were last brought up to
   * date (an import, a purchase added) are worked out once here rather
   * than on every read; when another connection is writing, the reads
   * work them out themselves, correct if slower. */
  if (!ct_rollup_refresh (db, local, &refresh_error))
    g_debug ("Could not bring the dashboard's summaries up to date: %s", refresh_error->message);
  dashboard = ct_dashboard_load (db, &period, local, cancellable, &error);
  if (dashboard == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, dashboard, (GDestroyNotify) ct_dashboard_free);
}

static gboolean
is_dark (void)
{
  return adw_style_manager_get_dark (adw_style_manager_get_default ());
}

static void
make_charts (CtDashboardView *self)
{
  for (guint c = 0; c < CT_DASHBOARD_N_CHARTS; c++)
    {
      g_clear_pointer (&self->charts[c], ct_chart_unref);
      if (self->dashboard != NULL)
        self->charts[c] = ct_dashboard_make_chart (self->dashboard, c, is_dark ());
      gtk_widget_queue_draw (self->areas[c]);
    }
}

static GtkWidget *
make_card (const CtDashboard *d,
           CtKpiId            kpi)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (ct_kpi_get_label (kpi));
  g_autofree char *value_text = ct_dashboard_format_kpi (d, kpi, FALSE, TRUE);
  g_autofree char *previous_text = ct_dashboard_format_kpi (d, kpi, TRUE, FALSE);
  g_autofree char *full_text = ct_dashboard_format_kpi (d, kpi, FALSE, FALSE);
  g_autofree char *tooltip = NULL;
  GtkWidget *value = gtk_label_new (value_text);
  int direction = 0;
  g_autofree char *change_text = ct_dashboard_format_change (d, kpi, &direction);
  GtkWidget *change = gtk_label_new (change_text);

  gtk_widget_add_css_class (box, "card");
  gtk_widget_add_css_class (box, "kpi-card");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_widget_add_css_class (title, "caption");
  gtk_widget_add_css_class (title, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (value), 0);
  gtk_widget_add_css_class (value, "title-2");
  gtk_widget_add_css_class (value, "numeric");
  gtk_label_set_xalign (GTK_LABEL (change), 0);
  gtk_widget_add_css_class (change, "caption");
  gtk_widget_add_css_class (change, "numeric");
  if (direction > 0)
    gtk_widget_add_css_class (change, "success");
  else if (direction < 0)
    gtk_widget_add_css_class (change, "error");

  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), value);
  gtk_box_append (GTK_BOX (box), change);

  /* Translators: a key figure's tooltip: "¥1,234.50; previous period ¥1,000.00" */
  tooltip = g_strdup_printf (kpi == CT_KPI_FORECAST_90 ? _("%s; the last 90 days brought %s")
                                                       : _("%s; previous period %s"),
                             full_text, previous_text);
  gtk_widget_set_tooltip_text (box, tooltip);
  return box;
}

static void
show_dashboard (CtDashboardView *self)
{
  g_autofree char *period = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->cards_box))) != NULL)
    gtk_flow_box_remove (self->cards_box, child);

  if (self->dashboard == NULL)
    return;

  period = ct_period_format (&self->dashboard->period, NULL);
  gtk_label_set_text (self->period_label, period);
  for (guint k = 0; k < CT_KPI_N; k++)
    gtk_flow_box_append (self->cards_box, make_card (self->dashboard, k));
  make_charts (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->print_button), TRUE);
}

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CtDashboardView) self = user_data;
  g_autoptr(GError) error = NULL;
  CtDashboard *dashboard = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->cancellable);
  gtk_spinner_stop (self->spinner);

  if (dashboard == NULL)
    {
      /* A custom date that is not one, or a file that cannot be read:
       * said where the period is shown, the figures stay as they were. */
      gtk_label_set_text (self->period_label, error->message);
      return;
    }
  g_clear_pointer (&self->dashboard, ct_dashboard_free);
  self->dashboard = dashboard;
  show_dashboard (self);
}

static void
start_load (CtDashboardView *self)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;
  guint selected;

  if (self->context == NULL)
    return;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  selected = gtk_drop_down_get_selected (self->period_dropdown);
  data = g_new0 (LoadData, 1);
  data->path = g_strdup (ct_db_get_path (ct_context_get_db (self->context)));
  data->kind = selected <= CT_PERIOD_CUSTOM ? (CtPeriodKind) selected : CT_PERIOD_12_MONTHS;
  if (data->kind == CT_PERIOD_CUSTOM)
    {
      const char *from = gtk_editable_get_text (GTK_EDITABLE (self->from_entry));
      const char *to = gtk_editable_get_text (GTK_EDITABLE (self->to_entry));

      data->from = *from != '\0' ? g_strstrip (g_strdup (from)) : NULL;
      data->to = *to != '\0' ? g_strstrip (g_strdup (to)) : NULL;
    }

  gtk_spinner_start (self->spinner);
  task = g_task_new (NULL, self->cancellable, on_loaded, g_object_ref (self));
  g_task_set_source_tag (task, start_load);
  g_task_set_task_data (task, data, load_data_free);
  g_task_run_in_thread (task, load_thread);
}

static gboolean
reload_now (gpointer user_data)
{
  CtDashboardView *self = user_data;

  self->reload_id = 0;
  start_load (self);
  return G_SOURCE_REMOVE;
}

void
ct_dashboard_view_reload (CtDashboardView *self)
{
  g_return_if_fail (CT_IS_DASHBOARD_VIEW (self));

  g_clear_handle_id (&self->reload_id, g_source_remove);
  self->reload_id = g_timeout_add (RELOAD_DELAY, reload_now, self);
}

/* ------------------------------------------------------------------ */
/* Charts */

static void
draw_chart (GtkDrawingArea *area,
            cairo_t        *cr,
            int             width,
            int             height,
            gpointer        user_data)
{
  CtDashboardView *self = user_data;
  guint which = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (area), "chart"));

  if (self->charts[which] != NULL)
    ct_chart_draw (self->charts[which], cr, width, height);
}

static gboolean
on_query_tooltip (GtkWidget  *area,
                  int         x,
                  int         y,
                  gboolean    keyboard,
                  GtkTooltip *tooltip,
                  gpointer    user_data)
{
  CtDashboardView *self = user_data;
  guint which = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (area), "chart"));
  g_auto(CtChartHit) hit = { 0 };

  if (keyboard || self->charts[which] == NULL
      || !ct_chart_hit_test (self->charts[which], x, y, &hit) || hit.text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, hit.text);
  return TRUE;
}

static void
on_chart_clicked (GtkGestureClick *gesture,
                  int              n_press,
                  double           x,
                  double           y,
                  gpointer         user_data)
{
  CtDashboardView *self = user_data;
  GtkWidget *area = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  guint which = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (area), "chart"));
  g_auto(CtChartHit) hit = { 0 };
  CtDashboardFilterKind kind;
  gint64 id;

  if (self->charts[which] == NULL || self->dashboard == NULL
      || !ct_chart_hit_test (self->charts[which], x, y, &hit)
      || !ct_dashboard_hit_filter (self->dashboard, which, &hit, &kind, &id))
    return;

  /* The contacts list filters by what the chart shows; products and
   * cohorts are about purchases, not a kind of contact, and lead
   * nowhere yet. */
  switch (kind)
    {
    case CT_DASHBOARD_FILTER_RFM_SEGMENT:
      g_signal_emit (self, signals[OPEN_FILTERED_CONTACTS], 0, CT_CONTACT_FILTER_RFM_SEGMENT, id);
      break;
    case CT_DASHBOARD_FILTER_FUNNEL_STAGE:
      g_signal_emit (self, signals[OPEN_FILTERED_CONTACTS], 0, CT_CONTACT_FILTER_FUNNEL_STAGE, id);
      break;
    case CT_DASHBOARD_FILTER_CHANNEL:
      g_signal_emit (self, signals[OPEN_FILTERED_CONTACTS], 0, CT_CONTACT_FILTER_CHANNEL, id);
      break;
    case CT_DASHBOARD_FILTER_CLUSTER:
      g_signal_emit (self, signals[OPEN_FILTERED_CONTACTS], 0, CT_CONTACT_FILTER_CLUSTER, id);
      break;
    case CT_DASHBOARD_FILTER_PRODUCT:
    case CT_DASHBOARD_FILTER_COHORT:
    case CT_DASHBOARD_FILTER_NONE:
    default:
      break;
    }
}

typedef struct
{
  CtDashboardView *self;
  guint            which;
  gboolean         svg;
} ExportRequest;

static void
on_export_response (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         user_data)
{
  ExportRequest *request = user_data;
  CtDashboardView *self = request->self;
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  CtChart *chart = self->charts[request->which];
  int width = MAX (gtk_widget_get_width (self->areas[request->which]), 400);
  int height = MAX (gtk_widget_get_height (self->areas[request->which]), 250);
  gboolean ok = TRUE;

  if (response == GTK_RESPONSE_ACCEPT && chart != NULL)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      path = file != NULL ? g_file_get_path (file) : NULL;
      if (path != NULL)
        ok = request->svg ? ct_chart_export_svg (chart, path, width, height, &error)
                          : ct_chart_export_png (chart, path, width, height, 2.0, &error);
      if (!ok)
        {
          GtkWidget *toplevel = GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (self)));
          AdwToastOverlay *overlay = NULL;

          /* The window's toast overlay says what went wrong. */
          for (GtkWidget *w = gtk_widget_get_parent (GTK_WIDGET (self)); w != NULL && w != toplevel;
               w = gtk_widget_get_parent (w))
            if (ADW_IS_TOAST_OVERLAY (w))
              overlay = ADW_TOAST_OVERLAY (w);
          if (overlay != NULL)
            adw_toast_overlay_add_toast (overlay, adw_toast_new (error->message));
          else
            g_warning ("%s", error->message);
        }
    }
  g_object_unref (dialog);
  g_object_unref (request->self);
  g_free (request);
}

static void
export_chart (CtDashboardView *self,
              guint            which,
              gboolean         svg)
{
  GtkFileChooserNative *dialog;
  ExportRequest *request;
  g_autofree char *name = NULL;

  if (self->charts[which] == NULL)
    return;

  dialog = gtk_file_chooser_native_new (svg ? _("Export Chart as SVG") : _("Export Chart as PNG"),
                                        GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  name = g_strdup_printf ("%s.%s", ct_chart_get_title (self->charts[which]), svg ? "svg" : "png");
  g_strdelimit (name, "/\\:", '-');
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  request = g_new0 (ExportRequest, 1);
  request->self = g_object_ref (self);
  request->which = which;
  request->svg = svg;
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), request);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
on_export_png_clicked (GtkButton *button,
                       gpointer   user_data)
{
  export_chart (user_data, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "chart")), FALSE);
}

static void
on_export_svg_clicked (GtkButton *button,
                       gpointer   user_data)
{
  export_chart (user_data, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "chart")), TRUE);
}

static void
add_chart_slots (CtDashboardView *self)
{
  for (guint c = 0; c < CT_DASHBOARD_N_CHARTS; c++)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
      GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
      GtkWidget *png = gtk_button_new_with_label (_("PNG"));
      GtkWidget *svg = gtk_button_new_with_label (_("SVG"));
      GtkWidget *area = gtk_drawing_area_new ();
      GtkGesture *click = gtk_gesture_click_new ();

      gtk_widget_add_css_class (box, "card");
      gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (area), CHART_HEIGHT);
      gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (area), 320);
      gtk_widget_set_hexpand (area, TRUE);
      gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw_chart, self, NULL);
      g_object_set_data (G_OBJECT (area), "chart", GUINT_TO_POINTER (c));
      gtk_widget_set_has_tooltip (area, TRUE);
      g_signal_connect (area, "query-tooltip", G_CALLBACK (on_query_tooltip), self);
      g_signal_connect (click, "released", G_CALLBACK (on_chart_clicked), self);
      gtk_widget_add_controller (area, GTK_EVENT_CONTROLLER (click));
      self->areas[c] = area;

      gtk_widget_set_halign (buttons, GTK_ALIGN_END);
      gtk_widget_set_margin_end (buttons, 6);
      gtk_widget_set_margin_bottom (buttons, 6);
      for (GtkWidget *b = png; b != NULL; b = b == png ? svg : NULL)
        {
          gtk_widget_add_css_class (b, "flat");
          gtk_widget_add_css_class (b, "caption");
          g_object_set_data (G_OBJECT (b), "chart", GUINT_TO_POINTER (c));
          gtk_box_append (GTK_BOX (buttons), b);
        }
      gtk_widget_set_tooltip_text (png, _("Export this chart as a PNG image"));
      gtk_widget_set_tooltip_text (svg, _("Export this chart as an SVG drawing"));
      g_signal_connect (png, "clicked", G_CALLBACK (on_export_png_clicked), self);
      g_signal_connect (svg, "clicked", G_CALLBACK (on_export_svg_clicked), self);

      gtk_box_append (GTK_BOX (box), area);
      gtk_box_append (GTK_BOX (box), buttons);
      gtk_flow_box_append (self->charts_box, box);
    }
}

/* ------------------------------------------------------------------ */
/* Printing */

static void
on_draw_page (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page,
              gpointer           user_data)
{
  CtReport *report = user_data;

  ct_report_draw_page (report, gtk_print_context_get_cairo_context (context), (guint) page,
                       gtk_print_context_get_width (context), gtk_print_context_get_height (context));
}

/**
 * ct_dashboard_view_print:
 * @export_path: (nullable): a PDF file to print to without asking, as
 *   the print dialog's "Print to File" does; %NULL for the dialog
 *
 * Returns: %FALSE with @error set when printing failed
 */
gboolean
ct_dashboard_view_print (CtDashboardView  *self,
                         const char       *export_path,
                         GError          **error)
{
  g_autoptr(GtkPrintOperation) operation = NULL;
  g_autofree char *business = NULL;
  CtReport *report;

  g_return_val_if_fail (CT_IS_DASHBOARD_VIEW (self), FALSE);
  if (self->dashboard == NULL)
    return TRUE;

  business = ct_report_dup_business_name (ct_context_get_db (self->context), NULL);
  report = ct_report_new (self->dashboard, business, g_get_real_time () / G_USEC_PER_SEC, NULL);
  operation = gtk_print_operation_new ();
  gtk_print_operation_set_n_pages (operation, (int) ct_report_get_n_pages (report));
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  gtk_print_operation_set_job_name (operation, _("Customer report"));
  /* The report lives as long as the operation that draws it. */
  g_object_set_data_full (G_OBJECT (operation), "report", report, (GDestroyNotify) ct_report_free);
  g_signal_connect (operation, "draw-page", G_CALLBACK (on_draw_page), report);
  if (export_path != NULL)
    gtk_print_operation_set_export_filename (operation, export_path);
  return gtk_print_operation_run (operation,
                                  export_path != NULL ? GTK_PRINT_OPERATION_ACTION_EXPORT
                                                      : GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                                  GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), error)
         != GTK_PRINT_OPERATION_RESULT_ERROR;
}

/* ------------------------------------------------------------------ */

static void
on_period_changed (CtDashboardView *self)
{
  gboolean custom = gtk_drop_down_get_selected (self->period_dropdown) == CT_PERIOD_CUSTOM;

  gtk_widget_set_visible (self->custom_box, custom);
  if (!custom)
    start_load (self);
}

static void
on_apply_clicked (CtDashboardView *self)
{
  start_load (self);
}

static void
on_print_clicked (CtDashboardView *self)
{
  g_autoptr(GError) error = NULL;

  if (!ct_dashboard_view_print (self, NULL, &error))
    gtk_label_set_text (self->period_label, error->message);
}

static void
on_dark_changed (CtDashboardView *self)
{
  make_charts (self);
}

void
ct_dashboard_view_set_context (CtDashboardView *self,
                               CtContext       *context)
{
  CtDb *db;

  g_return_if_fail (CT_IS_DASHBOARD_VIEW (self));
  g_return_if_fail (self->context == NULL);
  g_return_if_fail (CT_IS_CONTEXT (context));

  self->context = g_object_ref (context);
  db = ct_context_get_db (context);
  g_signal_connect_object (db, "changed::purchases", G_CALLBACK (ct_dashboard_view_reload), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (db, "changed::contacts", G_CALLBACK (ct_dashboard_view_reload), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (db, "changed::contact_metrics", G_CALLBACK (ct_dashboard_view_reload), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (db, "changed::settings", G_CALLBACK (ct_dashboard_view_reload), self, G_CONNECT_SWAPPED);
  start_load (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTEXT]);
}

GtkWidget *
ct_dashboard_view_new (CtContext *context)
{
  return g_object_new (CT_TYPE_DASHBOARD_VIEW, "context", context, NULL);
}

static void
ct_dashboard_view_dispose (GObject *object)
{
  CtDashboardView *self = CT_DASHBOARD_VIEW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->reload_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), CT_TYPE_DASHBOARD_VIEW);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (ct_dashboard_view_parent_class)->dispose (object);
}

static void
ct_dashboard_view_finalize (GObject *object)
{
  CtDashboardView *self = CT_DASHBOARD_VIEW (object);

  for (guint c = 0; c < CT_DASHBOARD_N_CHARTS; c++)
    g_clear_pointer (&self->charts[c], ct_chart_unref);
  g_clear_pointer (&self->dashboard, ct_dashboard_free);

  G_OBJECT_CLASS (ct_dashboard_view_parent_class)->finalize (object);
}

static void
ct_dashboard_view_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CtDashboardView *self = CT_DASHBOARD_VIEW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_dashboard_view_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  CtDashboardView *self = CT_DASHBOARD_VIEW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      if (g_value_get_object (value) != NULL)
        ct_dashboard_view_set_context (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_dashboard_view_class_init (CtDashboardViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ct_dashboard_view_dispose;
  object_class->finalize = ct_dashboard_view_finalize;
  object_class->get_property = ct_dashboard_view_get_property;
  object_class->set_property = ct_dashboard_view_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL, CT_TYPE_CONTEXT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A segment, funnel step, channel or cluster clicked: (CtContactFilter, id). */
  signals[OPEN_FILTERED_CONTACTS] =
    g_signal_new ("open-filtered-contacts", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/clientele/Clientele/ct-dashboard-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CtDashboardView, period_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CtDashboardView, custom_box);
  gtk_widget_class_bind_template_child (widget_class, CtDashboardView, from_entry);
  gtk_widget_class_bind_template_child (widget_class, CtDashboardView, to_entry);
  gtk_widget_class_bind_template_child (widget_class, CtDashboardView, apply_button);
  gtk_widget_class_bind_template_child (widget_class, CtDashboardView, period_label);
  gtk_widget_class_bind_template_child (widget_class, CtDashboardView, spinner);
  gtk_widget_class_bind_template_child (widget_class, CtDashboardView, print_button);
  gtk_widget_class_bind_template_child (widget_class, CtDashboardView, cards_box);
  gtk_widget_class_bind_template_child (widget_class, CtDashboardView, charts_box);
}

static void
ct_dashboard_view_init (CtDashboardView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_drop_down_set_selected (self->period_dropdown, CT_PERIOD_12_MONTHS);
  gtk_widget_set_sensitive (GTK_WIDGET (self->print_button), FALSE);
  add_chart_slots (self);

  g_signal_connect_swapped (self->period_dropdown, "notify::selected", G_CALLBACK (on_period_changed), self);
  g_signal_connect_swapped (self->apply_button, "clicked", G_CALLBACK (on_apply_clicked), self);
  g_signal_connect_swapped (self->from_entry, "activate", G_CALLBACK (on_apply_clicked), self);
  g_signal_connect_swapped (self->to_entry, "activate", G_CALLBACK (on_apply_clicked), self);
  g_signal_connect_swapped (self->print_button, "clicked", G_CALLBACK (on_print_clicked), self);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (on_dark_changed), self, G_CONNECT_SWAPPED);
}
