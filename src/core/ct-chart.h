/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-chart.h: charts drawn with Cairo and Pango onto any cairo_t
 *
 * One module draws every chart of the app, so that the dashboard's
 * widgets, PNG and SVG exports, the PDF report and printing show the
 * same picture. A chart is data plus a few labels; ct_chart_draw() lays
 * it out for the size it is given and remembers where it put things,
 * for hit-testing (tooltips, clicks) and for tests.
 *
 * Values are doubles: money in major units of the chart's currency
 * (yuan, not fen: a chart shows amounts rounded anyway), fractions 0..1
 * for percentages. NAN means "no value here" (a future month of the
 * actual revenue, a cohort's month that has not come yet).
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "ct-money.h"

G_BEGIN_DECLS

#define CT_CHART_ERROR (ct_chart_error_quark ())

typedef enum
{
  CT_CHART_ERROR_WRITE,    /* the file could not be written */
} CtChartError;

GQuark ct_chart_error_quark (void);

typedef enum
{
  CT_CHART_LINE,          /* categories along x, one line per series; area under the first */
  CT_CHART_BAR,           /* one bar per category (grouped when several series) */
  CT_CHART_STACKED_BAR,   /* series stacked on each category */
  CT_CHART_DONUT,         /* the first series' share per category */
  CT_CHART_FUNNEL,        /* the first series per category (stage), top to bottom */
  CT_CHART_HEATMAP,       /* one row per series, one column per category */
  CT_CHART_SCATTER,       /* points (ct_chart_add_points()), one colour per series */
} CtChartKind;

typedef enum
{
  CT_CHART_UNIT_COUNT,    /* whole things: customers, orders */
  CT_CHART_UNIT_MONEY,    /* major units of the chart's currency */
  CT_CHART_UNIT_PERCENT,  /* a fraction, shown as a percentage */
  CT_CHART_UNIT_DAYS,
} CtChartUnit;

typedef enum
{
  CT_CHART_AXIS_X,
  CT_CHART_AXIS_Y,
} CtChartAxis;

typedef struct
{
  double x;
  double y;
  double width;
  double height;
} CtChartRect;

/* What is under the pointer. */
typedef struct
{
  int     series;     /* the series (or heatmap row); -1 when none */
  int     index;      /* the category, stage, slice, column or point */
  double  value;      /* its value (y for a point) */
  double  x_value;    /* a point's x; NAN otherwise */
  char   *label;      /* (owned) the category's or row's label */
  char   *text;       /* (owned) a tooltip: "Mar 2025 · Revenue: ¥12,345.00" */
} CtChartHit;

void ct_chart_hit_clear (CtChartHit *hit);

typedef struct _CtChart CtChart;

/* Returns: (transfer full) a new chart without data. */
CtChart     *ct_chart_new              (CtChartKind   kind,
                                        const char   *title);
CtChart     *ct_chart_ref              (CtChart      *chart);
void         ct_chart_unref            (CtChart      *chart);

CtChartKind  ct_chart_get_kind         (CtChart      *chart);
const char  *ct_chart_get_title        (CtChart      *chart);

/* Colours for a dark background (text light, the palette lighter). */
void         ct_chart_set_dark         (CtChart      *chart,
                                        gboolean      dark);
/* Whether ct_chart_draw() paints its own background (exports always do);
 * off by default so that a widget's background shows. */
void         ct_chart_set_background   (CtChart      *chart,
                                        gboolean      paint);
/* For CT_CHART_UNIT_MONEY; %NULL means CNY. */
void         ct_chart_set_currency     (CtChart      *chart,
                                        const char   *currency);
/* CT_NUMBER_STYLE_AUTO by default: the language's. */
void         ct_chart_set_number_style (CtChart      *chart,
                                        CtNumberStyle style);
/* Font family for every text, "Sans" by default; fontconfig falls back
 * to a CJK font for Chinese. */
void         ct_chart_set_font_family  (CtChart      *chart,
                                        const char   *family);
/* @title (nullable) names the axis; the unit is added to it. For donuts
 * and funnels the Y axis's unit formats the values. */
void         ct_chart_set_axis         (CtChart      *chart,
                                        CtChartAxis   axis,
                                        const char   *title,
                                        CtChartUnit   unit);
/* A logarithmic axis (scatter only), for amounts spread over decades. */
void         ct_chart_set_log_scale    (CtChart      *chart,
                                        CtChartAxis   axis,
                                        gboolean      log_scale);
/* What the chart says when there is nothing to draw; "No data" by default. */
void         ct_chart_set_empty_text   (CtChart      *chart,
                                        const char   *text);

/* The labels along x (line, bars, heatmap columns), of the slices or of
 * the stages. @labels is %NULL-terminated and copied. */
void         ct_chart_set_categories   (CtChart            *chart,
                                        const char * const *labels);
guint        ct_chart_get_n_categories (CtChart            *chart);
/* A series with one value per category (@n must be the number of
 * categories). Returns: the series' index. */
guint        ct_chart_add_series       (CtChart      *chart,
                                        const char   *name,
                                        const double *values,
                                        guint         n);
/* Line charts: a shaded band from @low to @high around the series, one
 * value per category, NAN where there is none (a forecast's range). */
void         ct_chart_set_series_band  (CtChart      *chart,
                                        guint         series,
                                        const double *low,
                                        const double *high,
                                        guint         n);
/* Line charts: draw the series dashed (a forecast). */
void         ct_chart_set_series_dashed (CtChart     *chart,
                                         guint        series,
                                         gboolean     dashed);
/* Scatter charts: a series of @n points. Returns: the series' index. */
guint        ct_chart_add_points       (CtChart      *chart,
                                        const char   *name,
                                        const double *x,
                                        const double *y,
                                        guint         n);
guint        ct_chart_get_n_series     (CtChart      *chart);
const char  *ct_chart_get_series_name  (CtChart      *chart,
                                        guint         series);

/* Draws the chart in the rectangle (0, 0, @width, @height) of @cr's user
 * space; @cr's state is restored afterwards. */
void         ct_chart_draw             (CtChart      *chart,
                                        cairo_t      *cr,
                                        double        width,
                                        double        height);

/* After ct_chart_draw(): */
/* Whether the last drawing was the "no data" state. */
gboolean     ct_chart_is_empty         (CtChart      *chart);
/* The tick values along @axis. Returns: (transfer none) (array length=n_ticks) */
const double *ct_chart_get_ticks       (CtChart      *chart,
                                        CtChartAxis   axis,
                                        guint        *n_ticks);
/* The rectangle of every text drawn, in ink extents. Returns: (transfer none)
 * (element-type CtChartRect) */
GArray      *ct_chart_get_text_boxes   (CtChart      *chart);
/* The texts drawn, in the order of ct_chart_get_text_boxes(). Returns:
 * (transfer none) (element-type utf8) */
GPtrArray   *ct_chart_get_texts        (CtChart      *chart);
CtChartRect  ct_chart_get_plot_area    (CtChart      *chart);
/* @hit must be zeroed ({ 0 }) or hold an earlier answer, which is freed.
 * What is at (@x, @y) in the coordinates given to ct_chart_draw(): a
 * bar, a slice, a stage, a cell, a point or the column of a line chart,
 * or a legend entry (series set, index -1). Returns %FALSE (and clears
 * @hit) when nothing is. */
gboolean     ct_chart_hit_test         (CtChart      *chart,
                                        double        x,
                                        double        y,
                                        CtChartHit   *hit);

/* "¥12.3k", "45%", "1,234": a value the way the axis's ticks show it.
 * Returns: (transfer full). */
char        *ct_chart_format_value     (CtChart      *chart,
                                        CtChartAxis   axis,
                                        double        value,
                                        gboolean      compact);

/* Draws the chart on a white (or, dark, near-black) background into a
 * PNG of @width × @height pixels times @scale, or an SVG of @width ×
 * @height points. */
gboolean     ct_chart_export_png       (CtChart      *chart,
                                        const char   *path,
                                        int           width,
                                        int           height,
                                        double        scale,
                                        GError      **error);
gboolean     ct_chart_export_svg       (CtChart      *chart,
                                        const char   *path,
                                        double        width,
                                        double        height,
                                        GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtChart, ct_chart_unref)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CtChartHit, ct_chart_hit_clear)

G_END_DECLS
