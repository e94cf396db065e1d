/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-feedback-view.c: the Feedback page
 *
 * The list shows the newest feedback matching the filters; the two
 * charts show the last 12 months (local time) of the feedback in the
 * chosen category and status, drawn with Cairo: NPS and the average
 * rating as lines, and the count by category and month as a heatmap.
 */
#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "ct-feedback.h"
#include "ct-feedback-view.h"
#include "ct-gui-format.h"
#include "ct-window.h"

/* Rows listed at most: beyond that the filters narrow it down. */
#define MAX_ROWS 300
#define N_MONTHS 12

struct _CtFeedbackView
{
  AdwBin        parent_instance;

  CtContext    *context;
  GArray       *months;      /* CtFeedbackMonth, N_MONTHS, oldest first */

  GtkDropDown  *category_dropdown;
  GtkDropDown  *status_dropdown;
  GtkLabel     *summary_label;
  GtkDrawingArea *trend_area;
  GtkDrawingArea *heatmap_area;
  AdwPreferencesGroup *list_group;
  GtkListBox   *feedback_list;
};

G_DEFINE_FINAL_TYPE (CtFeedbackView, ct_feedback_view, ADW_TYPE_BIN)

static CtDb *
get_db (CtFeedbackView *self)
{
  return self->context != NULL ? ct_context_get_db (self->context) : NULL;
}

static void
toast_message (CtFeedbackView *self,
               const char     *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *escaped = g_markup_escape_text (message, -1);

  if (CT_IS_WINDOW (root))
    ct_window_add_toast (CT_WINDOW (root), adw_toast_new (escaped));
}

static void
get_filter (CtFeedbackView   *self,
            CtFeedbackFilter *filter)
{
  guint category = gtk_drop_down_get_selected (self->category_dropdown);
  guint status = gtk_drop_down_get_selected (self->status_dropdown);

  ct_feedback_filter_init (filter);
  /* 0 is "All" in both */
  filter->category = category > 0 && category != GTK_INVALID_LIST_POSITION ? (int) category - 1 : -1;
  filter->resolved = status == 1 ? 0 : status == 2 ? 1 : -1;
}

static char *
score_text (const CtFeedback *f)
{
  if (f->scale == CT_FEEDBACK_NPS)
    /* Translators: an answer to "how likely are you to recommend us", 0-10 */
    return g_strdup_printf (_("would recommend %d/10"), f->score);
  /* Translators: a 1-5 rating */
  return g_strdup_printf (_("rated %d/5"), f->score);
}

static void on_resolve_clicked (GtkButton *button, CtFeedbackView *self);

static GtkWidget *
make_row (CtFeedbackView   *self,
          const CtFeedback *f)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button;
  g_autofree char *score = score_text (f);
  g_autofree char *date = ct_format_date (f->created_at);
  g_autofree char *subtitle = NULL;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 f->text[0] != '\0' ? f->text : _("(no text)"));
  /* Translators: "张伟 · Service · rated 4/5 · 2025-03-14 · Open" */
  subtitle = g_strdup_printf (_("%s · %s · %s · %s · %s"), f->contact_name,
                              ct_feedback_category_get_label (f->category), score, date,
                              f->resolved ? _("Resolved") : _("Open"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 3);

  button = gtk_button_new_with_label (f->resolved ? _("Reopen") : _("Resolve"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data (G_OBJECT (button), "feedback-id", GSIZE_TO_POINTER ((gsize) f->id));
  g_object_set_data (G_OBJECT (button), "resolved", GINT_TO_POINTER (f->resolved));
  g_signal_connect (button, "clicked", G_CALLBACK (on_resolve_clicked), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  return row;
}

static void
reload (CtFeedbackView *self)
{
  CtDb *db = get_db (self);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) list = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) first = NULL;
  CtFeedbackFilter filter;
  gint64 answers = 0, promoters = 0, detractors = 0, ratings = 0;
  double rating_sum = 0.0;

  if (db == NULL)
    return;

  ct_list_box_remove_rows (self->feedback_list);

  get_filter (self, &filter);
  list = ct_feedback_list (db, &filter, &error);
  if (list == NULL)
    {
      toast_message (self, error->message);
      return;
    }
  for (guint i = 0; i < list->len && i < MAX_ROWS; i++)
    gtk_list_box_append (self->feedback_list, make_row (self, &g_array_index (list, CtFeedback, i)));
  if (list->len == 0)
    adw_preferences_group_set_description (self->list_group,
                                           _("No feedback matches. Record feedback from a contact’s page."));
  else if (list->len > MAX_ROWS)
    {
      g_autofree char *text = g_strdup_printf (_("The newest %d of %u; choose a category or status to see others."),
                                               MAX_ROWS, list->len);

      adw_preferences_group_set_description (self->list_group, text);
    }
  else
    adw_preferences_group_set_description (self->list_group, NULL);

  /* The last 12 months, this one included. */
  now = g_date_time_new_now_local ();
  first = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now), 1, 0, 0, 0);
  start = g_date_time_add_months (first, -(N_MONTHS - 1));
  g_clear_pointer (&self->months, g_array_unref);
  self->months = ct_feedback_monthly (db, &filter, g_date_time_to_unix (start), g_date_time_to_unix (now),
                                      NULL, &error);
  if (self->months == NULL)
    {
      toast_message (self, error->message);
      return;
    }

  for (guint m = 0; m < self->months->len; m++)
    {
      const CtFeedbackMonth *month = &g_array_index (self->months, CtFeedbackMonth, m);

      answers += month->promoters + month->passives + month->detractors;
      promoters += month->promoters;
      detractors += month->detractors;
      ratings += month->ratings;
      if (month->ratings > 0)
        rating_sum += month->average_rating * (double) month->ratings;
    }
  {
    g_autoptr(GString) summary = g_string_new (NULL);

    if (answers > 0)
      /* Translators: the Net Promoter Score over the last 12 months */
      g_string_append_printf (summary, _("NPS %+.0f"), 100.0 * (double) (promoters - detractors) / (double) answers);
    if (ratings > 0)
      {
        if (summary->len > 0)
          g_string_append (summary, " · ");
        /* Translators: the average 1-5 rating over the last 12 months */
        g_string_append_printf (summary, _("Average rating %.1f"), rating_sum / (double) ratings);
      }
    if (summary->len == 0)
      g_string_assign (summary, _("No scores in the last 12 months"));
    gtk_label_set_text (self->summary_label, summary->str);
  }

  gtk_widget_queue_draw (GTK_WIDGET (self->trend_area));
  gtk_widget_queue_draw (GTK_WIDGET (self->heatmap_area));
}

static void
on_resolve_clicked (GtkButton      *button,
                    CtFeedbackView *self)
{
  gint64 id = (gint64) GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (button), "feedback-id"));
  gboolean resolved = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "resolved"));
  g_autoptr(GError) error = NULL;

  /* Reloading on CtDb::changed destroys this button: nothing after. */
  if (!ct_feedback_set_resolved (get_db (self), id, !resolved, 0, &error))
    toast_message (self, error->message);
}

/* Charts */

static void
get_colors (GtkWidget *widget,
            GdkRGBA   *fg,
            GdkRGBA   *first,
            GdkRGBA   *second)
{
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());

  /* GTK 4.8 has no gtk_widget_get_color () yet. */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), fg);
  /* The GNOME palette's blue 3 and orange 3, lighter on dark. */
  gdk_rgba_parse (first, dark ? "#78aeed" : "#3584e4");
  gdk_rgba_parse (second, dark ? "#ffbe6f" : "#e66100");
}

static void
draw_text (cairo_t    *cr,
           GtkWidget  *widget,
           const char *text,
           double      x,
           double      y,
           double      xalign,
           double      yalign)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, x - xalign * w, y - yalign * h);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

static const char *
month_label (const CtFeedbackMonth *month)
{
  /* "2025-03" → "03"; the year shows under January and the first month. */
  return month->month + 5;
}

static void
draw_trend (GtkDrawingArea *area,
            cairo_t        *cr,
            int             width,
            int             height,
            gpointer        user_data)
{
  CtFeedbackView *self = CT_FEEDBACK_VIEW (user_data);
  GtkWidget *widget = GTK_WIDGET (area);
  GdkRGBA fg, nps_color, rating_color;
  double left = 44, right = width - 36, top = 24, bottom = height - 24;
  guint n;

  if (self->months == NULL || self->months->len == 0 || right <= left || bottom <= top)
    return;
  n = self->months->len;
  get_colors (widget, &fg, &nps_color, &rating_color);

  /* Grid: NPS −100, 0, 100 on the left; ratings 1, 3, 5 on the right. */
  cairo_set_line_width (cr, 1);
  for (int i = 0; i <= 2; i++)
    {
      double y = bottom - (bottom - top) * i / 2.0;
      g_autofree char *nps = g_strdup_printf ("%d", -100 + 100 * i);
      g_autofree char *rating = g_strdup_printf ("%d", 1 + 2 * i);

      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.15);
      cairo_move_to (cr, left, y + 0.5);
      cairo_line_to (cr, right, y + 0.5);
      cairo_stroke (cr);
      cairo_set_source_rgba (cr, nps_color.red, nps_color.green, nps_color.blue, 1);
      draw_text (cr, widget, nps, left - 6, y, 1, 0.5);
      cairo_set_source_rgba (cr, rating_color.red, rating_color.green, rating_color.blue, 1);
      draw_text (cr, widget, rating, right + 6, y, 0, 0.5);
    }

  for (guint m = 0; m < n; m++)
    {
      const CtFeedbackMonth *month = &g_array_index (self->months, CtFeedbackMonth, m);
      double x = left + (right - left) * (m + 0.5) / n;

      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.7);
      draw_text (cr, widget, month_label (month), x, bottom + 4, 0.5, 0);
    }

  /* Two lines; a month without answers breaks the line. */
  for (int series = 0; series < 2; series++)
    {
      GdkRGBA *color = series == 0 ? &nps_color : &rating_color;
      gboolean drawing = FALSE;

      cairo_set_source_rgba (cr, color->red, color->green, color->blue, 1);
      cairo_set_line_width (cr, 2.5);
      for (guint m = 0; m < n; m++)
        {
          const CtFeedbackMonth *month = &g_array_index (self->months, CtFeedbackMonth, m);
          double value = series == 0 ? month->nps : month->average_rating;
          double fraction, x, y;

          if (isnan (value))
            {
              if (drawing)
                cairo_stroke (cr);
              drawing = FALSE;
              continue;
            }
          fraction = series == 0 ? (value + 100.0) / 200.0 : (value - 1.0) / 4.0;
          x = left + (right - left) * (m + 0.5) / n;
          y = bottom - (bottom - top) * fraction;
          if (drawing)
            cairo_line_to (cr, x, y);
          else
            cairo_move_to (cr, x, y);
          drawing = TRUE;
        }
      if (drawing)
        cairo_stroke (cr);

      for (guint m = 0; m < n; m++)
        {
          const CtFeedbackMonth *month = &g_array_index (self->months, CtFeedbackMonth, m);
          double value = series == 0 ? month->nps : month->average_rating;
          double fraction;

          if (isnan (value))
            continue;
          fraction = series == 0 ? (value + 100.0) / 200.0 : (value - 1.0) / 4.0;
          cairo_arc (cr, left + (right - left) * (m + 0.5) / n, bottom - (bottom - top) * fraction,
                     3.5, 0, 2 * G_PI);
          cairo_fill (cr);
        }
    }

  /* Legend */
  cairo_set_source_rgba (cr, nps_color.red, nps_color.green, nps_color.blue, 1);
  cairo_rectangle (cr, left, 6, 12, 4);
  cairo_fill (cr);
  draw_text (cr, widget, _("NPS"), left + 16, 8, 0, 0.5);
  cairo_set_source_rgba (cr, rating_color.red, rating_color.green, rating_color.blue, 1);
  cairo_rectangle (cr, left + 90, 6, 12, 4);
  cairo_fill (cr);
  draw_text (cr, widget, _("Average rating"), left + 106, 8, 0, 0.5);
}

static void
draw_heatmap (GtkDrawingArea *area,
              cairo_t        *cr,
              int             width,
              int             height,
              gpointer        user_data)
{
  CtFeedbackView *self = CT_FEEDBACK_VIEW (user_data);
  GtkWidget *widget = GTK_WIDGET (area);
  GdkRGBA fg, color, unused;
  double left = 96, right = width - 4, top = 4, bottom = height - 24;
  double cell_w, cell_h;
  gint64 max = 0;
  guint n;

  if (self->months == NULL || self->months->len == 0 || right <= left || bottom <= top)
    return;
  n = self->months->len;
  get_colors (widget, &fg, &color, &unused);
  cell_w = (right - left) / n;
  cell_h = (bottom - top) / CT_FEEDBACK_N_CATEGORIES;

  for (guint m = 0; m < n; m++)
    for (guint c = 0; c < CT_FEEDBACK_N_CATEGORIES; c++)
      max = MAX (max, g_array_index (self->months, CtFeedbackMonth, m).by_category[c]);

  for (guint c = 0; c < CT_FEEDBACK_N_CATEGORIES; c++)
    {
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.8);
      draw_text (cr, widget, ct_feedback_category_get_label (c), left - 8, top + cell_h * (c + 0.5), 1, 0.5);
      for (guint m = 0; m < n; m++)
        {
          gint64 count = g_array_index (self->months, CtFeedbackMonth, m).by_category[c];
          double share = max > 0 ? (double) count / (double) max : 0.0;
          g_autofree char *text = g_strdup_printf ("%lld", (long long) count);

          /* Darker for more; an empty month stays a faint outline. */
          cairo_set_source_rgba (cr, color.red, color.green, color.blue, 0.08 + 0.82 * share);
          cairo_rectangle (cr, left + cell_w * m + 1, top + cell_h * c + 1, cell_w - 2, cell_h - 2);
          cairo_fill (cr);
          if (share > 0.55)
            cairo_set_source_rgba (cr, 1, 1, 1, 1);
          else
            cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.9);
          draw_text (cr, widget, text, left + cell_w * (m + 0.5), top + cell_h * (c + 0.5), 0.5, 0.5);
        }
    }
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.7);
  for (guint m = 0; m < n; m++)
    draw_text (cr, widget, month_label (&g_array_index (self->months, CtFeedbackMonth, m)),
               left + cell_w * (m + 0.5), bottom + 4, 0.5, 0);
}

static void
on_db_changed (CtFeedbackView *self,
               const char     *table)
{
  reload (self);
}

static void
on_filter_changed (CtFeedbackView *self)
{
  reload (self);
}

static void
ct_feedback_view_dispose (GObject *object)
{
  CtFeedbackView *self = CT_FEEDBACK_VIEW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CT_TYPE_FEEDBACK_VIEW);
  g_clear_object (&self->context);
  g_clear_pointer (&self->months, g_array_unref);

  G_OBJECT_CLASS (ct_feedback_view_parent_class)->dispose (object);
}

static void
ct_feedback_view_class_init (CtFeedbackViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ct_feedback_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/clientele/Clientele/ct-feedback-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CtFeedbackView, category_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CtFeedbackView, status_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CtFeedbackView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, CtFeedbackView, trend_area);
  gtk_widget_class_bind_template_child (widget_class, CtFeedbackView, heatmap_area);
  gtk_widget_class_bind_template_child (widget_class, CtFeedbackView, list_group);
  gtk_widget_class_bind_template_child (widget_class, CtFeedbackView, feedback_list);
}

static void
ct_feedback_view_init (CtFeedbackView *self)
{
  g_autoptr(GtkStringList) categories = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) statuses = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_string_list_append (categories, C_("feedback", "All categories"));
  for (guint c = 0; c < CT_FEEDBACK_N_CATEGORIES; c++)
    gtk_string_list_append (categories, ct_feedback_category_get_label (c));
  gtk_drop_down_set_model (self->category_dropdown, G_LIST_MODEL (categories));
  gtk_string_list_append (statuses, C_("feedback", "Open and resolved"));
  gtk_string_list_append (statuses, C_("feedback", "Open"));
  gtk_string_list_append (statuses, C_("feedback", "Resolved"));
  gtk_drop_down_set_model (self->status_dropdown, G_LIST_MODEL (statuses));

  gtk_drawing_area_set_draw_func (self->trend_area, draw_trend, self, NULL);
  gtk_drawing_area_set_draw_func (self->heatmap_area, draw_heatmap, self, NULL);
  g_signal_connect_swapped (self->category_dropdown, "notify::selected", G_CALLBACK (on_filter_changed), self);
  g_signal_connect_swapped (self->status_dropdown, "notify::selected", G_CALLBACK (on_filter_changed), self);
}

GtkWidget *
ct_feedback_view_new (CtContext *context)
{
  CtFeedbackView *self = g_object_new (CT_TYPE_FEEDBACK_VIEW, NULL);

  g_return_val_if_fail (CT_IS_CONTEXT (context), NULL);

  self->context = g_object_ref (context);
  g_signal_connect_object (ct_context_get_db (context), "changed::feedback",
                           G_CALLBACK (on_db_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (ct_context_get_db (context), "changed::contacts",
                           G_CALLBACK (on_db_changed), self, G_CONNECT_SWAPPED);
  reload (self);
  return GTK_WIDGET (self);
}
