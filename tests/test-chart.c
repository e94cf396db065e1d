/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-chart.c: tests for ct-chart: layout on an image surface
 *
 * Set CT_CHART_TEST_OUTPUT to a folder to keep a PNG of every chart the
 * tests draw, to look at them.
 */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "ct-chart.h"

typedef struct
{
  cairo_surface_t *surface;
  cairo_t         *cr;
} Canvas;

static void
canvas_init (Canvas *c,
             int     width,
             int     height)
{
  c->surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  c->cr = cairo_create (c->surface);
}

static void
canvas_clear (Canvas *c)
{
  cairo_destroy (c->cr);
  cairo_surface_destroy (c->surface);
}

static int output_counter;

/* Draws @chart on a fresh surface, keeps a PNG when asked. */
static void
draw (CtChart *chart,
      int      width,
      int      height)
{
  Canvas c;
  const char *dir = g_getenv ("CT_CHART_TEST_OUTPUT");

  canvas_init (&c, width, height);
  ct_chart_set_background (chart, TRUE);
  ct_chart_draw (chart, c.cr, width, height);
  g_assert_cmpint (cairo_status (c.cr), ==, CAIRO_STATUS_SUCCESS);
  if (dir != NULL)
    {
      g_autofree char *name = g_strdup_printf ("chart-%03d.png", output_counter++);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      cairo_surface_write_to_png (c.surface, path);
    }
  canvas_clear (&c);
}

/* The step between ticks is 1, 2 or 5 times a power of ten; the ticks
 * are whole multiples of it, evenly spaced, and cover [min, max]. */
static void
assert_round_ticks (const double *ticks,
                    guint         n,
                    double        min,
                    double        max)
{
  double step, mantissa;

  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpuint (n, <=, 8);
  step = ticks[1] - ticks[0];
  g_assert_cmpfloat (step, >, 0);
  mantissa = step / pow (10.0, floor (log10 (step) + 1e-9));
  g_assert_true (fabs (mantissa - 1) < 1e-6 || fabs (mantissa - 2) < 1e-6 || fabs (mantissa - 5) < 1e-6);
  for (guint i = 0; i < n; i++)
    {
      double k = ticks[i] / step;

      g_assert_cmpfloat (fabs (k - round (k)), <, 1e-6);
      if (i > 0)
        g_assert_cmpfloat (fabs (ticks[i] - ticks[i - 1] - step), <, step * 1e-6);
    }
  g_assert_cmpfloat (ticks[0], <=, min);
  g_assert_cmpfloat (ticks[n - 1], >=, max);
  /* Not wastefully wide: the data spans more than half the scale, or the
   * scale was widened to include zero. */
  g_assert_true (ticks[n - 1] - ticks[0] <= 2.5 * (max - MIN (min, 0)) + step);
}

static CtChart *
bar_chart (const double *values,
           guint         n,
           CtChartUnit   unit)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  CtChart *chart = ct_chart_new (CT_CHART_BAR, "Revenue by product");

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (labels, g_strdup_printf ("P%u", i + 1));
  g_ptr_array_add (labels, NULL);
  ct_chart_set_categories (chart, (const char * const *) labels->pdata);
  ct_chart_set_axis (chart, CT_CHART_AXIS_Y, "Revenue", unit);
  ct_chart_set_number_style (chart, CT_NUMBER_STYLE_THOUSANDS);
  ct_chart_add_series (chart, "Revenue", values, n);
  return chart;
}

static void
test_ticks (void)
{
  static const struct
  {
    double values[4];
    CtChartUnit unit;
  } cases[] = {
    { { 0, 12345.67, 8000, 310 }, CT_CHART_UNIT_MONEY },
    { { 0.12, 0.47, 0.33, 0.05 }, CT_CHART_UNIT_PERCENT },
    { { 3, 1, 2, 7 }, CT_CHART_UNIT_COUNT },
    { { -250, 980, 40, 1 }, CT_CHART_UNIT_MONEY },
    { { 999999, 1000001, 1000000, 999998 }, CT_CHART_UNIT_COUNT },
    { { 5, 5, 5, 5 }, CT_CHART_UNIT_COUNT },
    { { -3, -3, -3, -3 }, CT_CHART_UNIT_COUNT },
    { { 0.004, 0.001, 0.002, 0.003 }, CT_CHART_UNIT_MONEY },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CtChart) chart = bar_chart (cases[i].values, 4, cases[i].unit);
      const double *ticks;
      double min = 0, max = 0;
      guint n;

      for (guint k = 0; k < 4; k++)
        min = MIN (min, cases[i].values[k]), max = MAX (max, cases[i].values[k]);
      draw (chart, 480, 300);
      g_assert_false (ct_chart_is_empty (chart));
      ticks = ct_chart_get_ticks (chart, CT_CHART_AXIS_Y, &n);
      assert_round_ticks (ticks, n, min, max);
      /* Counts never get fractional ticks. */
      if (cases[i].unit == CT_CHART_UNIT_COUNT)
        g_assert_cmpfloat (ticks[1] - ticks[0], >=, 1);
    }
}

static gboolean
boxes_overlap (const CtChartRect *a,
               const CtChartRect *b)
{
  /* Half a pixel of antialiasing may touch; more is an overlap. */
  const double tolerance = 0.5;

  return a->x + a->width - tolerance > b->x && b->x + b->width - tolerance > a->x
         && a->y + a->height - tolerance > b->y && b->y + b->height - tolerance > a->y;
}

/* No two texts overlap, and none is cut by the chart's edges. */
static void
assert_no_overlap (CtChart    *chart,
                   const char *what,
                   double      width,
                   double      height)
{
  GArray *boxes = ct_chart_get_text_boxes (chart);
  GPtrArray *texts = ct_chart_get_texts (chart);

  g_assert_cmpuint (boxes->len, >, 0);
  for (guint i = 0; i < boxes->len; i++)
    {
      const CtChartRect *a = &g_array_index (boxes, CtChartRect, i);

      if (a->x < 0 || a->y < 0 || a->x + a->width > width || a->y + a->height > height)
        g_error ("%s: “%s” (%.1f,%.1f %.1f×%.1f) is cut by the edge",
                 what, (char *) texts->pdata[i], a->x, a->y, a->width, a->height);
    }
  for (guint i = 0; i < boxes->len; i++)
    for (guint j = i + 1; j < boxes->len; j++)
      {
        const CtChartRect *a = &g_array_index (boxes, CtChartRect, i);
        const CtChartRect *b = &g_array_index (boxes, CtChartRect, j);

        if (boxes_overlap (a, b))
          g_error ("%s: “%s” (%.1f,%.1f %.1f×%.1f) overlaps “%s” (%.1f,%.1f %.1f×%.1f)",
                   what, (char *) texts->pdata[i], a->x, a->y, a->width, a->height,
                   (char *) texts->pdata[j], b->x, b->y, b->width, b->height);
      }
}

static gboolean
has_text (CtChart    *chart,
          const char *text)
{
  GPtrArray *texts = ct_chart_get_texts (chart);

  for (guint i = 0; i < texts->len; i++)
    if (g_str_equal (texts->pdata[i], text))
      return TRUE;
  return FALSE;
}

/* 36 months of revenue and three months of forecast with a band. */
static CtChart *
revenue_chart (gboolean chinese)
{
  CtChart *chart = ct_chart_new (CT_CHART_LINE, chinese ? "收入走势与预测" : "Revenue and forecast");
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  double actual[39], forecast[39], low[39], high[39];

  for (guint i = 0; i < 39; i++)
    {
      g_ptr_array_add (labels, chinese ? g_strdup_printf ("%u年%u月", 2023 + i / 12, i % 12 + 1)
                                       : g_strdup_printf ("%u-%02u", 2023 + i / 12, i % 12 + 1));
      actual[i] = i < 36 ? 20000 + 900 * i + 4000 * sin (i) : NAN;
      forecast[i] = i >= 35 ? (i == 35 ? actual[35] : 52000 + 500 * (i - 36)) : NAN;
      low[i] = i >= 36 ? forecast[i] * 0.85 : NAN;
      high[i] = i >= 36 ? forecast[i] * 1.15 : NAN;
    }
  g_ptr_array_add (labels, NULL);
  ct_chart_set_categories (chart, (const char * const *) labels->pdata);
  ct_chart_set_axis (chart, CT_CHART_AXIS_Y, chinese ? "收入" : "Revenue", CT_CHART_UNIT_MONEY);
  ct_chart_set_number_style (chart, chinese ? CT_NUMBER_STYLE_MYRIADS : CT_NUMBER_STYLE_THOUSANDS);
  ct_chart_add_series (chart, chinese ? "实际" : "Actual", actual, 39);
  ct_chart_add_series (chart, chinese ? "预测" : "Forecast", forecast, 39);
  ct_chart_set_series_dashed (chart, 1, TRUE);
  ct_chart_set_series_band (chart, 1, low, high, 39);
  return chart;
}

static CtChart *
stacked_chart (void)
{
  static const char * const months[] = { "2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06", NULL };
  CtChart *chart = ct_chart_new (CT_CHART_STACKED_BAR, "按产品的收入");
  double a[] = { 1000, 1200, 900, 1500, 1700, 1600 };
  double b[] = { 300, 0, 450, 500, 650, 700 };
  double c[] = { 50, 80, 120, 60, 90, 30 };

  ct_chart_set_categories (chart, months);
  ct_chart_set_axis (chart, CT_CHART_AXIS_Y, "收入", CT_CHART_UNIT_MONEY);
  ct_chart_add_series (chart, "Python 入门课程", a, 6);
  ct_chart_add_series (chart, "写作训练营", b, 6);
  ct_chart_add_series (chart, "会员（年）", c, 6);
  return chart;
}

static CtChart *
donut_chart (void)
{
  static const char * const segments[] = {
    "Champions", "Loyal", "Potential Loyalist", "New", "Promising", "Need Attention",
    "About to Sleep", "At Risk", "Cannot Lose Them", "Hibernating", "Lost", NULL
  };
  double counts[] = { 120, 200, 180, 40, 60, 90, 110, 150, 20, 300, 250 };
  CtChart *chart = ct_chart_new (CT_CHART_DONUT, "Customers by RFM segment");

  ct_chart_set_categories (chart, segments);
  ct_chart_set_axis (chart, CT_CHART_AXIS_Y, "customers", CT_CHART_UNIT_COUNT);
  ct_chart_add_series (chart, "Customers", counts, 11);
  return chart;
}

static CtChart *
funnel_chart (void)
{
  static const char * const stages[] = { "潜在客户", "已联系", "已成交", "复购", "忠实客户", NULL };
  double counts[] = { 2000, 1700, 900, 400, 120 };
  CtChart *chart = ct_chart_new (CT_CHART_FUNNEL, "生命周期漏斗");

  ct_chart_set_categories (chart, stages);
  ct_chart_add_series (chart, "联系人", counts, 5);
  return chart;
}

static CtChart *
heatmap_chart (guint n_rows)
{
  g_autoptr(GPtrArray) columns = g_ptr_array_new_with_free_func (g_free);
  CtChart *chart = ct_chart_new (CT_CHART_HEATMAP, "Retention by first-purchase month");

  for (guint c = 0; c < n_rows; c++)
    g_ptr_array_add (columns, g_strdup_printf ("%u", c));
  g_ptr_array_add (columns, NULL);
  ct_chart_set_categories (chart, (const char * const *) columns->pdata);
  ct_chart_set_axis (chart, CT_CHART_AXIS_X, "Months since the first purchase", CT_CHART_UNIT_COUNT);
  ct_chart_set_axis (chart, CT_CHART_AXIS_Y, NULL, CT_CHART_UNIT_PERCENT);
  for (guint r = 0; r < n_rows; r++)
    {
      g_autofree double *values = g_new (double, n_rows);
      g_autofree char *name = g_strdup_printf ("%u-%02u", 2024 + r / 12, r % 12 + 1);

      for (guint c = 0; c < n_rows; c++)
        values[c] = c == 0 ? 1.0 : c < n_rows - r ? 0.3 / c : -1;
      ct_chart_add_series (chart, name, values, n_rows);
    }
  return chart;
}

static CtChart *
scatter_chart (void)
{
  CtChart *chart = ct_chart_new (CT_CHART_SCATTER, "Clusters by recency and spend");
  double x[3][50], y[3][50];

  for (guint s = 0; s < 3; s++)
    for (guint i = 0; i < 50; i++)
      {
        x[s][i] = 20 + 200 * s + (i * 37 % 100);
        y[s][i] = 50 * pow (8, s) * (1 + (i * 13 % 10) / 10.0);
      }
  ct_chart_set_axis (chart, CT_CHART_AXIS_X, "Last purchase", CT_CHART_UNIT_DAYS);
  ct_chart_set_axis (chart, CT_CHART_AXIS_Y, "Spent", CT_CHART_UNIT_MONEY);
  ct_chart_set_log_scale (chart, CT_CHART_AXIS_Y, TRUE);
  ct_chart_add_points (chart, "Cluster 1", x[0], y[0], 50);
  ct_chart_add_points (chart, "Cluster 2", x[1], y[1], 50);
  ct_chart_add_points (chart, "Cluster 3", x[2], y[2], 50);
  return chart;
}

static void
test_no_overlap (void)
{
  static const int sizes[][2] = { { 320, 220 }, { 560, 320 }, { 900, 420 } };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint dark = 0; dark < 2; dark++)
      {
        CtChart *charts[] = {
          revenue_chart (FALSE), revenue_chart (TRUE), stacked_chart (), donut_chart (),
          funnel_chart (), heatmap_chart (24), heatmap_chart (6), scatter_chart (),
        };

        for (guint i = 0; i < G_N_ELEMENTS (charts); i++)
          {
            g_autofree char *what = g_strdup_printf ("%s at %d×%d", ct_chart_get_title (charts[i]),
                                                     sizes[s][0], sizes[s][1]);

            ct_chart_set_dark (charts[i], dark);
            draw (charts[i], sizes[s][0], sizes[s][1]);
            g_assert_false (ct_chart_is_empty (charts[i]));
            assert_no_overlap (charts[i], what, sizes[s][0], sizes[s][1]);
            ct_chart_unref (charts[i]);
          }
      }
}

static void
test_labels (void)
{
  g_autoptr(CtChart) zh = revenue_chart (TRUE);
  g_autoptr(CtChart) en = revenue_chart (FALSE);
  g_autoptr(CtChart) donut = donut_chart ();
  GPtrArray *texts;
  const double *ticks;
  guint n;
  gboolean found_myriad = FALSE;

  /* Chinese ticks in 万, English in k, with the currency's symbol. */
  draw (zh, 640, 360);
  ticks = ct_chart_get_ticks (zh, CT_CHART_AXIS_Y, &n);
  assert_round_ticks (ticks, n, 0, 57000 * 1.15);
  texts = ct_chart_get_texts (zh);
  for (guint i = 0; i < texts->len; i++)
    if (g_str_has_prefix (texts->pdata[i], "¥") && g_str_has_suffix (texts->pdata[i], "万"))
      found_myriad = TRUE;
  g_assert_true (found_myriad);
  g_assert_true (has_text (zh, "收入走势与预测"));
  g_assert_true (has_text (zh, "收入 (CNY)"));
  g_assert_true (has_text (zh, "预测: likely range"));

  draw (en, 640, 360);
  g_assert_true (has_text (en, "¥20k"));
  g_assert_true (has_text (en, "Revenue (CNY)"));
  /* The newest month's label is always shown. */
  g_assert_true (has_text (en, "2026-03"));

  draw (donut, 640, 300);
  g_assert_true (has_text (donut, "1.52k"));
  g_assert_true (has_text (donut, "Hibernating  300 · 19.7%"));
}

static void
test_empty (void)
{
  static const char * const one[] = { "2025-01", NULL };
  static const char * const none[] = { NULL };
  double single = 1234.5, zero = 0, nan_value = NAN;
  CtChartKind kinds[] = { CT_CHART_LINE, CT_CHART_BAR, CT_CHART_STACKED_BAR, CT_CHART_DONUT,
                          CT_CHART_FUNNEL, CT_CHART_HEATMAP, CT_CHART_SCATTER };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      /* No data at all. */
      g_autoptr(CtChart) empty = ct_chart_new (kinds[k], "Empty");
      g_autoptr(CtChart) no_categories = ct_chart_new (kinds[k], "Nothing");
      g_autoptr(CtChart) zeros = ct_chart_new (kinds[k], "Zeros");
      g_autoptr(CtChart) nans = ct_chart_new (kinds[k], "Not a number");
      g_auto(CtChartHit) hit = { 0 };

      draw (empty, 400, 250);
      g_assert_true (ct_chart_is_empty (empty));
      g_assert_true (has_text (empty, "No data"));
      g_assert_false (ct_chart_hit_test (empty, 200, 125, &hit));

      ct_chart_set_categories (no_categories, none);
      if (kinds[k] == CT_CHART_SCATTER)
        ct_chart_add_points (no_categories, "none", NULL, NULL, 0);
      else
        ct_chart_add_series (no_categories, "none", NULL, 0);
      ct_chart_set_empty_text (no_categories, "Run the analysis first");
      draw (no_categories, 400, 250);
      g_assert_true (ct_chart_is_empty (no_categories));
      g_assert_true (has_text (no_categories, "Run the analysis first"));

      ct_chart_set_categories (zeros, one);
      ct_chart_set_categories (nans, one);
      if (kinds[k] == CT_CHART_SCATTER)
        {
          ct_chart_add_points (nans, "p", &nan_value, &single, 1);
          draw (nans, 400, 250);
          g_assert_true (ct_chart_is_empty (nans));
          continue;
        }
      ct_chart_add_series (zeros, "z", &zero, 1);
      ct_chart_add_series (nans, "n", &nan_value, 1);
      draw (zeros, 400, 250);
      draw (nans, 400, 250);
      g_assert_true (ct_chart_is_empty (nans));
      /* All zero: nothing to show, except a heatmap's 0% cell. */
      g_assert_true (ct_chart_is_empty (zeros) == (kinds[k] != CT_CHART_HEATMAP));
    }

  /* One point is no line: "No data" rather than a scale around nothing. */
  {
    g_autoptr(CtChart) line = ct_chart_new (CT_CHART_LINE, "One month");
    g_autoptr(CtChart) bar = ct_chart_new (CT_CHART_BAR, "One bar");
    g_autoptr(CtChart) point = ct_chart_new (CT_CHART_SCATTER, "One point");
    const double *ticks;
    guint n;

    ct_chart_set_categories (line, one);
    ct_chart_add_series (line, "Revenue", &single, 1);
    draw (line, 400, 250);
    g_assert_true (ct_chart_is_empty (line));

    /* One bar is a chart: the scale runs from zero to above it. */
    ct_chart_set_categories (bar, one);
    ct_chart_set_axis (bar, CT_CHART_AXIS_Y, "Revenue", CT_CHART_UNIT_MONEY);
    ct_chart_add_series (bar, "Revenue", &single, 1);
    draw (bar, 400, 250);
    g_assert_false (ct_chart_is_empty (bar));
    ticks = ct_chart_get_ticks (bar, CT_CHART_AXIS_Y, &n);
    assert_round_ticks (ticks, n, 0, single);

    ct_chart_add_points (point, "Only one", &single, &single, 1);
    draw (point, 400, 250);
    g_assert_false (ct_chart_is_empty (point));
    ticks = ct_chart_get_ticks (point, CT_CHART_AXIS_X, &n);
    assert_round_ticks (ticks, n, 0, single);
  }
}

static void
test_hit (void)
{
  double values[] = { 100, 300, 200 };
  g_autoptr(CtChart) bar = bar_chart (values, 3, CT_CHART_UNIT_MONEY);
  g_autoptr(CtChart) donut = donut_chart ();
  g_autoptr(CtChart) funnel = funnel_chart ();
  g_autoptr(CtChart) heatmap = heatmap_chart (6);
  g_autoptr(CtChart) line = revenue_chart (FALSE);
  g_autoptr(CtChart) scatter = scatter_chart ();
  g_auto(CtChartHit) hit = { 0 };
  CtChartRect plot;
  double slot;

  /* The second bar, near its foot; then above it, nothing. */
  draw (bar, 400, 250);
  plot = ct_chart_get_plot_area (bar);
  slot = plot.width / 3;
  g_assert_true (ct_chart_hit_test (bar, plot.x + slot * 1.5, plot.y + plot.height - 2, &hit));
  g_assert_cmpint (hit.series, ==, 0);
  g_assert_cmpint (hit.index, ==, 1);
  g_assert_cmpfloat (hit.value, ==, 300);
  g_assert_cmpstr (hit.label, ==, "P2");
  g_assert_cmpstr (hit.text, ==, "P2: ¥300.00");
  g_assert_false (ct_chart_hit_test (bar, plot.x + slot * 0.5, plot.y + 1, &hit));
  g_assert_false (ct_chart_hit_test (bar, -5, -5, &hit));

  /* The first slice starts at twelve o'clock and runs clockwise. */
  draw (donut, 600, 300);
  plot = ct_chart_get_plot_area (donut);
  {
    double r = plot.width / 2, cx = plot.x + r, cy = plot.y + r;
    double a = -G_PI / 2 + 0.1;

    g_assert_true (ct_chart_hit_test (donut, cx + 0.8 * r * cos (a), cy + 0.8 * r * sin (a), &hit));
    g_assert_cmpint (hit.index, ==, 0);
    g_assert_cmpstr (hit.label, ==, "Champions");
    g_assert_cmpstr (hit.text, ==, "Champions: 120 (7.9%)");
    /* Just left of twelve o'clock: the last slice. */
    a = -G_PI / 2 - 0.05;
    g_assert_true (ct_chart_hit_test (donut, cx + 0.8 * r * cos (a), cy + 0.8 * r * sin (a), &hit));
    g_assert_cmpstr (hit.label, ==, "Lost");
    /* The hole. */
    g_assert_false (ct_chart_hit_test (donut, cx, cy, &hit));
  }

  draw (funnel, 500, 300);
  plot = ct_chart_get_plot_area (funnel);
  g_assert_true (ct_chart_hit_test (funnel, plot.x + plot.width / 2, plot.y + plot.height * 0.5, &hit));
  g_assert_cmpint (hit.index, ==, 2);
  g_assert_cmpstr (hit.label, ==, "已成交");
  g_assert_cmpfloat (hit.value, ==, 900);

  draw (heatmap, 500, 300);
  plot = ct_chart_get_plot_area (heatmap);
  g_assert_true (ct_chart_hit_test (heatmap, plot.x + plot.width * 1.5 / 6, plot.y + plot.height * 0.5 / 6, &hit));
  g_assert_cmpint (hit.series, ==, 0);
  g_assert_cmpint (hit.index, ==, 1);
  g_assert_cmpfloat (hit.value, ==, 0.3);
  g_assert_cmpstr (hit.text, ==, "2024-01 · 1: 30%");
  /* The last cohort has no month 5 yet. */
  g_assert_false (ct_chart_hit_test (heatmap, plot.x + plot.width * 5.5 / 6, plot.y + plot.height * 5.5 / 6, &hit));

  /* Anywhere above a month of a line chart; forecast months give the forecast. */
  draw (line, 800, 300);
  plot = ct_chart_get_plot_area (line);
  slot = plot.width / 39;
  g_assert_true (ct_chart_hit_test (line, plot.x + slot * 0.5, plot.y + 5, &hit));
  g_assert_cmpint (hit.series, ==, 0);
  g_assert_cmpint (hit.index, ==, 0);
  g_assert_cmpstr (hit.label, ==, "2023-01");
  g_assert_true (ct_chart_hit_test (line, plot.x + slot * 37.5, plot.y + 5, &hit));
  g_assert_cmpint (hit.series, ==, 1);
  g_assert_cmpint (hit.index, ==, 37);

  /* The nearest point; nothing far from any. */
  draw (scatter, 600, 400);
  plot = ct_chart_get_plot_area (scatter);
  {
    guint n;
    const double *xt = ct_chart_get_ticks (scatter, CT_CHART_AXIS_X, &n);
    double xmax = xt[n - 1];
    const double *yt = ct_chart_get_ticks (scatter, CT_CHART_AXIS_Y, &n);
    double ymax = log10 (1 + yt[n - 1]);
    double px = plot.x + 20.0 / xmax * plot.width;
    double py = plot.y + plot.height - log10 (1 + 50.0) / ymax * plot.height;

    g_assert_true (ct_chart_hit_test (scatter, px + 1, py, &hit));
    g_assert_cmpint (hit.series, ==, 0);
    g_assert_cmpint (hit.index, ==, 0);
    g_assert_cmpfloat (hit.x_value, ==, 20);
    g_assert_cmpfloat (hit.value, ==, 50);
    g_assert_false (ct_chart_hit_test (scatter, plot.x + plot.width - 2, plot.y + plot.height - 2, &hit));
  }
}

static void
test_export (void)
{
  g_autoptr(CtChart) chart = stacked_chart ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("clientele-test-chart-XXXXXX", &error);
  g_autofree char *png = g_build_filename (dir, "chart.png", NULL);
  g_autofree char *svg = g_build_filename (dir, "chart.svg", NULL);
  g_autofree char *missing = g_build_filename (dir, "no-such-folder", "chart.svg", NULL);
  g_autofree char *contents = NULL;
  cairo_surface_t *image;

  g_assert_no_error (error);
  g_assert_true (ct_chart_export_png (chart, png, 400, 250, 2.0, &error));
  g_assert_no_error (error);
  image = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (image), ==, 800);
  g_assert_cmpint (cairo_image_surface_get_height (image), ==, 500);
  cairo_surface_destroy (image);

  g_assert_true (ct_chart_export_svg (chart, svg, 400, 250, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (svg, &contents, NULL, &error));
  g_assert_true (g_str_has_prefix (contents, "<?xml"));
  g_assert_nonnull (strstr (contents, "<svg"));

  g_assert_false (ct_chart_export_svg (chart, missing, 400, 250, &error));
  g_assert_error (error, CT_CHART_ERROR, CT_CHART_ERROR_WRITE);
  g_clear_error (&error);
  g_assert_false (ct_chart_export_png (chart, missing, 400, 250, 1.0, &error));
  g_assert_error (error, CT_CHART_ERROR, CT_CHART_ERROR_WRITE);

  g_remove (png);
  g_remove (svg);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/chart/ticks", test_ticks);
  g_test_add_func ("/chart/no-overlap", test_no_overlap);
  g_test_add_func ("/chart/labels", test_labels);
  g_test_add_func ("/chart/empty", test_empty);
  g_test_add_func ("/chart/hit", test_hit);
  g_test_add_func ("/chart/export", test_export);

  return g_test_run ();
}
