/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-chart.c: charts drawn with Cairo and Pango onto any cairo_t
 *
 * Layout happens at every draw, for the size given: the title on top,
 * then the axis title, the plot, the category labels, the legend. Every
 * text is a PangoLayout, measured before it is placed, so that Chinese
 * labels (through fontconfig's CJK fallback) get the room they take, and
 * labels that would overlap are thinned out (every second month...)
 * rather than drawn over each other. What was placed where is kept for
 * hit-testing and for the tests.
 *
 * Colours: the Okabe–Ito palette, chosen to stay distinct for the common
 * kinds of colour blindness, in a slightly lighter variant on dark
 * backgrounds; the heatmap uses one hue from light to dark (dark to
 * light in dark mode), which reads without telling hues apart. Slices
 * and stages are labelled with their names and values as well, so no
 * reading depends on colour alone.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <cairo-svg.h>
#include <pango/pangocairo.h>

#include "ct-chart.h"

G_DEFINE_QUARK (ct-chart-error-quark, ct_chart_error)

#define TITLE_SIZE 13.0
#define LABEL_SIZE 9.5
#define PAD 10.0
#define TICK_GAP 6.0
#define LABEL_GAP 8.0
#define SWATCH 10.0
#define POINT_HIT_RADIUS 6.0

typedef struct
{
  double r, g, b;
} Rgb;

/* Okabe & Ito (2008), "Color Universal Design", ordered so that the
 * first colours are the most distinct; then a few of Paul Tol's muted
 * colours for the eleven RFM segments. */
static const Rgb light_palette[] = {
  { 0x00 / 255., 0x72 / 255., 0xB2 / 255. },  /* blue */
  { 0xE6 / 255., 0x9F / 255., 0x00 / 255. },  /* orange */
  { 0x00 / 255., 0x9E / 255., 0x73 / 255. },  /* bluish green */
  { 0xD5 / 255., 0x5E / 255., 0x00 / 255. },  /* vermillion */
  { 0x56 / 255., 0xB4 / 255., 0xE9 / 255. },  /* sky blue */
  { 0xCC / 255., 0x79 / 255., 0xA7 / 255. },  /* reddish purple */
  { 0xC9 / 255., 0xB8 / 255., 0x1E / 255. },  /* yellow, darkened to show on white */
  { 0x33 / 255., 0x22 / 255., 0x88 / 255. },  /* indigo (Tol) */
  { 0x88 / 255., 0x22 / 255., 0x55 / 255. },  /* wine (Tol) */
  { 0x44 / 255., 0xAA / 255., 0x99 / 255. },  /* teal (Tol) */
  { 0x77 / 255., 0x77 / 255., 0x77 / 255. },  /* grey */
};

static const Rgb dark_palette[] = {
  { 0x3D / 255., 0xA5 / 255., 0xE8 / 255. },
  { 0xF0 / 255., 0xB3 / 255., 0x2E / 255. },
  { 0x2C / 255., 0xC4 / 255., 0x97 / 255. },
  { 0xF0 / 255., 0x7D / 255., 0x2B / 255. },
  { 0x8F / 255., 0xD0 / 255., 0xF5 / 255. },
  { 0xE0 / 255., 0x9C / 255., 0xC4 / 255. },
  { 0xF0 / 255., 0xE4 / 255., 0x42 / 255. },
  { 0x9A / 255., 0x8C / 255., 0xE0 / 255. },
  { 0xD8 / 255., 0x6F / 255., 0xA0 / 255. },
  { 0x6F / 255., 0xCF / 255., 0xBF / 255. },
  { 0xAA / 255., 0xAA / 255., 0xAA / 255. },
};

typedef struct
{
  char   *name;
  double *values;     /* n_categories values, or the y of n_points */
  double *x;          /* scatter: the x of n_points */
  guint   n;
  double *low;        /* band, or NULL */
  double *high;
  gboolean dashed;
} Series;

typedef struct
{
  char       *title;
  CtChartUnit unit;
  gboolean    log_scale;
  /* Of the last draw: */
  double      min, max;     /* the scale's ends (log10 (1 + v) when log) */
  GArray     *ticks;        /* double */
} Axis;

typedef enum
{
  REGION_RECT,
  REGION_SECTOR,
  REGION_POINT,
} RegionShape;

typedef struct
{
  RegionShape shape;
  double x, y, w, h;          /* rect; point: x, y */
  double r0, r1, a0, a1;      /* sector around (x, y) */
  int series;
  int index;
} Region;

struct _CtChart
{
  gatomicrefcount ref_count;
  CtChartKind     kind;
  char           *title;
  char           *empty_text;
  char           *currency;
  char           *font_family;
  CtNumberStyle   style;
  gboolean        dark;
  gboolean        background;
  GStrv           categories;
  GPtrArray      *series;     /* Series */
  Axis            axes[2];

  /* Of the last draw: */
  gboolean        empty;
  CtChartRect     plot;
  GArray         *text_boxes; /* CtChartRect */
  GPtrArray      *texts;      /* char * */
  GArray         *regions;    /* Region */
};

static void
series_free (gpointer data)
{
  Series *s = data;

  g_free (s->name);
  g_free (s->values);
  g_free (s->x);
  g_free (s->low);
  g_free (s->high);
  g_free (s);
}

void
ct_chart_hit_clear (CtChartHit *hit)
{
  g_clear_pointer (&hit->label, g_free);
  g_clear_pointer (&hit->text, g_free);
  hit->series = -1;
  hit->index = -1;
  hit->value = NAN;
  hit->x_value = NAN;
}

/**
 * ct_chart_new:
 * @title: (nullable): shown on top
 *
 * Returns: (transfer full): a chart; ct_chart_unref() it
 */
CtChart *
ct_chart_new (CtChartKind  kind,
              const char  *title)
{
  CtChart *chart = g_new0 (CtChart, 1);

  g_atomic_ref_count_init (&chart->ref_count);
  chart->kind = kind;
  chart->title = g_strdup (title);
  chart->currency = g_strdup ("CNY");
  chart->font_family = g_strdup ("Sans");
  chart->style = CT_NUMBER_STYLE_AUTO;
  chart->categories = g_new0 (char *, 1);
  chart->series = g_ptr_array_new_with_free_func (series_free);
  for (guint a = 0; a < 2; a++)
    chart->axes[a].ticks = g_array_new (FALSE, FALSE, sizeof (double));
  chart->axes[CT_CHART_AXIS_Y].unit = CT_CHART_UNIT_COUNT;
  chart->axes[CT_CHART_AXIS_X].unit = CT_CHART_UNIT_COUNT;
  chart->text_boxes = g_array_new (FALSE, FALSE, sizeof (CtChartRect));
  chart->texts = g_ptr_array_new_with_free_func (g_free);
  chart->regions = g_array_new (FALSE, FALSE, sizeof (Region));
  return chart;
}

CtChart *
ct_chart_ref (CtChart *chart)
{
  g_return_val_if_fail (chart != NULL, NULL);
  g_atomic_ref_count_inc (&chart->ref_count);
  return chart;
}

void
ct_chart_unref (CtChart *chart)
{
  g_return_if_fail (chart != NULL);

  if (!g_atomic_ref_count_dec (&chart->ref_count))
    return;

  g_free (chart->title);
  g_free (chart->empty_text);
  g_free (chart->currency);
  g_free (chart->font_family);
  g_strfreev (chart->categories);
  g_ptr_array_unref (chart->series);
  for (guint a = 0; a < 2; a++)
    {
      g_free (chart->axes[a].title);
      g_array_unref (chart->axes[a].ticks);
    }
  g_array_unref (chart->text_boxes);
  g_ptr_array_unref (chart->texts);
  g_array_unref (chart->regions);
  g_free (chart);
}

CtChartKind
ct_chart_get_kind (CtChart *chart)
{
  return chart->kind;
}

const char *
ct_chart_get_title (CtChart *chart)
{
  return chart->title;
}

void
ct_chart_set_dark (CtChart  *chart,
                   gboolean  dark)
{
  chart->dark = dark;
}

void
ct_chart_set_background (CtChart  *chart,
                         gboolean  paint)
{
  chart->background = paint;
}

void
ct_chart_set_currency (CtChart    *chart,
                       const char *currency)
{
  g_free (chart->currency);
  chart->currency = g_strdup (currency != NULL ? currency : "CNY");
}

void
ct_chart_set_number_style (CtChart       *chart,
                           CtNumberStyle  style)
{
  chart->style = style;
}

void
ct_chart_set_font_family (CtChart    *chart,
                          const char *family)
{
  g_return_if_fail (family != NULL);
  g_free (chart->font_family);
  chart->font_family = g_strdup (family);
}

void
ct_chart_set_axis (CtChart     *chart,
                   CtChartAxis  axis,
                   const char  *title,
                   CtChartUnit  unit)
{
  g_return_if_fail (axis <= CT_CHART_AXIS_Y);
  g_free (chart->axes[axis].title);
  chart->axes[axis].title = g_strdup (title);
  chart->axes[axis].unit = unit;
}

void
ct_chart_set_log_scale (CtChart     *chart,
                        CtChartAxis  axis,
                        gboolean     log_scale)
{
  g_return_if_fail (axis <= CT_CHART_AXIS_Y);
  chart->axes[axis].log_scale = log_scale;
}

void
ct_chart_set_empty_text (CtChart    *chart,
                         const char *text)
{
  g_free (chart->empty_text);
  chart->empty_text = g_strdup (text);
}

void
ct_chart_set_categories (CtChart            *chart,
                         const char * const *labels)
{
  g_return_if_fail (chart->series->len == 0);
  g_strfreev (chart->categories);
  chart->categories = labels != NULL ? g_strdupv ((char **) labels) : g_new0 (char *, 1);
}

guint
ct_chart_get_n_categories (CtChart *chart)
{
  return g_strv_length (chart->categories);
}

/**
 * ct_chart_add_series:
 * @values: (array length=n): copied
 *
 * Returns: the index of the new series
 */
guint
ct_chart_add_series (CtChart      *chart,
                     const char   *name,
                     const double *values,
                     guint         n)
{
  Series *s;

  g_return_val_if_fail (n == ct_chart_get_n_categories (chart), 0);
  g_return_val_if_fail (n == 0 || values != NULL, 0);

  s = g_new0 (Series, 1);
  s->name = g_strdup (name != NULL ? name : "");
  s->values = g_memdup2 (values, n * sizeof (double));
  s->n = n;
  g_ptr_array_add (chart->series, s);
  return chart->series->len - 1;
}

void
ct_chart_set_series_band (CtChart      *chart,
                          guint         series,
                          const double *low,
                          const double *high,
                          guint         n)
{
  Series *s;

  g_return_if_fail (series < chart->series->len);
  s = g_ptr_array_index (chart->series, series);
  g_return_if_fail (n == s->n);

  g_free (s->low);
  g_free (s->high);
  s->low = g_memdup2 (low, n * sizeof (double));
  s->high = g_memdup2 (high, n * sizeof (double));
}

void
ct_chart_set_series_dashed (CtChart  *chart,
                            guint     series,
                            gboolean  dashed)
{
  g_return_if_fail (series < chart->series->len);
  ((Series *) g_ptr_array_index (chart->series, series))->dashed = dashed;
}

/**
 * ct_chart_add_points:
 * @x: (array length=n): copied
 * @y: (array length=n): copied
 *
 * Returns: the index of the new series
 */
guint
ct_chart_add_points (CtChart      *chart,
                     const char   *name,
                     const double *x,
                     const double *y,
                     guint         n)
{
  Series *s = g_new0 (Series, 1);

  s->name = g_strdup (name != NULL ? name : "");
  s->x = g_memdup2 (x, n * sizeof (double));
  s->values = g_memdup2 (y, n * sizeof (double));
  s->n = n;
  g_ptr_array_add (chart->series, s);
  return chart->series->len - 1;
}

guint
ct_chart_get_n_series (CtChart *chart)
{
  return chart->series->len;
}

const char *
ct_chart_get_series_name (CtChart *chart,
                          guint    series)
{
  g_return_val_if_fail (series < chart->series->len, NULL);
  return ((Series *) g_ptr_array_index (chart->series, series))->name;
}

static Series *
get_series (CtChart *chart,
            guint    i)
{
  return g_ptr_array_index (chart->series, i);
}

/* ------------------------------------------------------------------ */
/* Numbers */

/* Heckbert's "nice numbers": 1, 2 or 5 times a power of ten. */
static double
nice_number (double   x,
             gboolean round_it)
{
  double exponent = floor (log10 (x));
  double power = pow (10.0, exponent);
  double fraction = x / power;
  double nice;

  if (round_it)
    nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
  else
    nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/* Round ticks from below @min to above @max, about @target of them; the
 * scale then runs from the first tick to the last, so every value is
 * inside it. Whole steps for counts: no 0.5 customers. */
static void
compute_linear_ticks (Axis   *axis,
                      double  min,
                      double  max,
                      guint   target)
{
  double range, step, lo, hi;
  guint n;

  g_array_set_size (axis->ticks, 0);

  if (!isfinite (min) || !isfinite (max))
    min = 0, max = 1;
  if (min == max)
    {
      /* One value, or all the same: show it against zero. */
      if (max > 0)
        min = 0;
      else if (max < 0)
        max = 0;
      else
        max = 1;
    }

  target = MAX (target, 2);
  range = nice_number (max - min, FALSE);
  step = nice_number (range / (target - 1), TRUE);
  if ((axis->unit == CT_CHART_UNIT_COUNT || axis->unit == CT_CHART_UNIT_DAYS) && step < 1)
    step = 1;
  if (axis->unit == CT_CHART_UNIT_PERCENT && step < 0.01)
    step = 0.01;

  lo = floor (min / step) * step;
  hi = ceil (max / step) * step;
  n = (guint) llround ((hi - lo) / step) + 1;
  for (guint i = 0; i < n; i++)
    {
      /* Multiply rather than add, so that 0.1 steps do not drift. */
      double v = (round (lo / step) + i) * step;

      if (fabs (v) < step * 1e-9)
        v = 0;
      g_array_append_val (axis->ticks, v);
    }
  axis->min = lo;
  axis->max = hi;
}

/* Log scales map v to log10 (1 + v), so that 0 has a place; the ticks are
 * 0 and powers of ten. */
static void
compute_log_ticks (Axis   *axis,
                   double  min,
                   double  max)
{
  double v = 0;
  int top;

  g_array_set_size (axis->ticks, 0);
  if (!isfinite (max) || max < 1)
    max = 1;
  top = (int) ceil (log10 (max));
  g_array_append_val (axis->ticks, v);
  /* 0 and 1 sit a third of a decade apart: over many decades their
   * labels would touch, so the scale then starts its powers at 10. */
  for (int e = top >= 3 ? 1 : 0; e <= top; e++)
    {
      v = pow (10.0, e);
      g_array_append_val (axis->ticks, v);
    }
  axis->min = 0;
  axis->max = log10 (1 + pow (10.0, top));
}

static double
axis_transform (const Axis *axis,
                double      v)
{
  return axis->log_scale ? log10 (1 + MAX (v, 0)) : v;
}

static char *
format_unit (CtChart     *chart,
             CtChartUnit  unit,
             double       value,
             gboolean     compact)
{
  switch (unit)
    {
    case CT_CHART_UNIT_MONEY:
      {
        double minor = value * pow (10.0, ct_money_decimals (chart->currency));

        if (!isfinite (minor) || fabs (minor) > 9.0e18)
          return g_strdup ("—");
        if (compact)
          return ct_money_format_compact ((gint64) llround (minor), chart->currency, chart->style);
        return ct_money_format ((gint64) llround (minor), chart->currency);
      }
    case CT_CHART_UNIT_PERCENT:
      {
        double percent = value * 100.0;

        /* Whole percentages unless the step needs more. */
        if (fabs (percent - round (percent)) < 1e-6 || compact)
          return g_strdup_printf ("%.0f%%", percent);
        return g_strdup_printf ("%.1f%%", percent);
      }
    case CT_CHART_UNIT_DAYS:
    case CT_CHART_UNIT_COUNT:
    default:
      if (compact)
        return ct_number_format_compact (value, chart->style);
      else
        {
          g_autofree char *digits = g_strdup_printf ("%.0f", round (fabs (value)));
          GString *out = g_string_new (value < -0.5 ? "-" : "");
          gsize len = strlen (digits);

          for (gsize i = 0; i < len; i++)
            {
              if (i > 0 && (len - i) % 3 == 0)
                g_string_append_c (out, ',');
              g_string_append_c (out, digits[i]);
            }
          return g_string_free (out, FALSE);
        }
    }
}

/**
 * ct_chart_format_value:
 *
 * Returns: (transfer full): @value as the axis shows it
 */
char *
ct_chart_format_value (CtChart     *chart,
                       CtChartAxis  axis,
                       double       value,
                       gboolean     compact)
{
  g_return_val_if_fail (axis <= CT_CHART_AXIS_Y, NULL);
  return format_unit (chart, chart->axes[axis].unit, value, compact);
}

/* "Revenue (CNY)", "Recency (days)" */
static char *
axis_title (CtChart     *chart,
            CtChartAxis  a)
{
  const Axis *axis = &chart->axes[a];
  const char *unit = NULL;
  g_autofree char *upper = NULL;

  if (axis->title == NULL || *axis->title == '\0')
    return NULL;

  switch (axis->unit)
    {
    case CT_CHART_UNIT_MONEY:
      upper = g_ascii_strup (chart->currency, -1);
      unit = upper;
      break;
    case CT_CHART_UNIT_PERCENT:
      unit = "%";
      break;
    case CT_CHART_UNIT_DAYS:
      unit = C_("unit", "days");
      break;
    case CT_CHART_UNIT_COUNT:
    default:
      break;
    }
  if (axis->log_scale)
    /* Translators: an axis title with its unit, on a logarithmic scale: "Spent (CNY, log scale)" */
    return g_strdup_printf (_("%s (%s, log scale)"), axis->title, unit != NULL ? unit : "×");
  if (unit == NULL)
    return g_strdup (axis->title);
  /* Translators: an axis title and its unit: "Revenue (CNY)" */
  return g_strdup_printf (_("%s (%s)"), axis->title, unit);
}

/* ------------------------------------------------------------------ */
/* Drawing helpers */

typedef struct
{
  CtChart *chart;
  cairo_t *cr;
  double   width;
  double   height;
  Rgb      fg;
  Rgb      fg_dim;
  Rgb      grid;
  Rgb      bg;
} Ctx;

static const Rgb *
palette_color (Ctx  *ctx,
               guint i)
{
  const Rgb *palette = ctx->chart->dark ? dark_palette : light_palette;

  return &palette[i % G_N_ELEMENTS (light_palette)];
}

static void
set_rgb (cairo_t   *cr,
         const Rgb *c,
         double     alpha)
{
  cairo_set_source_rgba (cr, c->r, c->g, c->b, alpha);
}

static PangoLayout *
make_layout (Ctx        *ctx,
             const char *text,
             double      size,
             gboolean    bold)
{
  PangoLayout *layout = pango_cairo_create_layout (ctx->cr);
  g_autoptr(PangoFontDescription) font = pango_font_description_new ();

  pango_font_description_set_family (font, ctx->chart->font_family);
  pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, text, -1);
  return layout;
}

/* Logical size, in user units. */
static void
layout_size (PangoLayout *layout,
             double      *w,
             double      *h)
{
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  *w = (double) logical.width / PANGO_SCALE;
  *h = (double) logical.height / PANGO_SCALE;
}

static void
measure_text (Ctx        *ctx,
              const char *text,
              double      size,
              gboolean    bold,
              double     *w,
              double     *h)
{
  g_autoptr(PangoLayout) layout = make_layout (ctx, text, size, bold);

  layout_size (layout, w, h);
}

/* Draws @text with its top left at (@x, @y) and records its box. */
static void
show_layout (Ctx         *ctx,
             PangoLayout *layout,
             double       x,
             double       y,
             const Rgb   *color)
{
  PangoRectangle ink, logical;
  CtChartRect box;

  pango_layout_get_extents (layout, &ink, &logical);
  cairo_save (ctx->cr);
  set_rgb (ctx->cr, color, 1.0);
  cairo_move_to (ctx->cr, x, y);
  pango_cairo_show_layout (ctx->cr, layout);
  cairo_restore (ctx->cr);

  /* Ink extents: what a reader sees overlap. An all-space text has none. */
  if (ink.width > 0 && ink.height > 0)
    {
      box.x = x + (double) ink.x / PANGO_SCALE;
      box.y = y + (double) ink.y / PANGO_SCALE;
      box.width = (double) ink.width / PANGO_SCALE;
      box.height = (double) ink.height / PANGO_SCALE;
      g_array_append_val (ctx->chart->text_boxes, box);
      g_ptr_array_add (ctx->chart->texts, g_strdup (pango_layout_get_text (layout)));
    }
}

typedef enum
{
  ALIGN_START,
  ALIGN_CENTER,
  ALIGN_END,
} Align;

/* Draws @text aligned around (@x, @y): @halign along x, @valign along
 * y. Returns its logical width. */
static double
show_text (Ctx        *ctx,
           const char *text,
           double      size,
           gboolean    bold,
           double      x,
           double      y,
           Align       halign,
           Align       valign,
           const Rgb  *color)
{
  g_autoptr(PangoLayout) layout = make_layout (ctx, text, size, bold);
  double w, h;

  layout_size (layout, &w, &h);
  if (halign == ALIGN_CENTER)
    x -= w / 2;
  else if (halign == ALIGN_END)
    x -= w;
  if (valign == ALIGN_CENTER)
    y -= h / 2;
  else if (valign == ALIGN_END)
    y -= h;
  show_layout (ctx, layout, x, y, color);
  return w;
}

/* Draws @text no wider than @max_width, ending it with "…" if needed. */
static void
show_text_ellipsized (Ctx        *ctx,
                      const char *text,
                      double      size,
                      gboolean    bold,
                      double      x,
                      double      y,
                      double      max_width,
                      Align       halign,
                      const Rgb  *color)
{
  g_autoptr(PangoLayout) layout = make_layout (ctx, text, size, bold);
  double w, h;

  pango_layout_set_width (layout, (int) (MAX (max_width, 1) * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_single_paragraph_mode (layout, TRUE);
  /* With a width set, the logical width is the width; the text's own
   * width is what aligns it. */
  {
    PangoRectangle logical;

    pango_layout_get_pixel_extents (layout, NULL, &logical);
    w = MIN (logical.width, max_width);
    h = logical.height;
  }
  if (halign == ALIGN_CENTER)
    x -= w / 2;
  else if (halign == ALIGN_END)
    {
      pango_layout_set_alignment (layout, PANGO_ALIGN_RIGHT);
      x -= max_width;
    }
  show_layout (ctx, layout, x, y - h / 2, color);
}

static void
add_rect_region (CtChart *chart,
                 double   x,
                 double   y,
                 double   w,
                 double   h,
                 int      series,
                 int      index)
{
  Region r = { REGION_RECT, x, y, w, h, 0, 0, 0, 0, series, index };

  if (w < 0)
    r.x += w, r.w = -w;
  if (h < 0)
    r.y += h, r.h = -h;
  g_array_append_val (chart->regions, r);
}

/* ------------------------------------------------------------------ */
/* Layout pieces */

/* The title; returns the y below it. */
static double
draw_title (Ctx *ctx)
{
  double w, h;

  if (ctx->chart->title == NULL || *ctx->chart->title == '\0')
    return PAD;
  measure_text (ctx, ctx->chart->title, TITLE_SIZE, TRUE, &w, &h);
  show_text_ellipsized (ctx, ctx->chart->title, TITLE_SIZE, TRUE, PAD, PAD + h / 2,
                        ctx->width - 2 * PAD, ALIGN_START, &ctx->fg);
  return PAD + h + LABEL_GAP;
}

static void
draw_empty (Ctx    *ctx,
            double  top)
{
  const char *text = ctx->chart->empty_text != NULL ? ctx->chart->empty_text : _("No data");
  double cx = ctx->width / 2;
  double cy = top + (ctx->height - top) / 2;
  double w, h;

  ctx->chart->empty = TRUE;
  measure_text (ctx, text, LABEL_SIZE + 2, FALSE, &w, &h);

  /* A dashed frame makes it plain that the chart is there but empty. */
  cairo_save (ctx->cr);
  set_rgb (ctx->cr, &ctx->grid, 1.0);
  cairo_set_line_width (ctx->cr, 1.0);
  {
    double dash[] = { 4.0, 4.0 };

    cairo_set_dash (ctx->cr, dash, 2, 0);
  }
  cairo_rectangle (ctx->cr, PAD + 0.5, top + 0.5,
                   MAX (ctx->width - 2 * PAD - 1, 1), MAX (ctx->height - top - PAD - 1, 1));
  cairo_stroke (ctx->cr);
  cairo_restore (ctx->cr);

  show_text_ellipsized (ctx, text, LABEL_SIZE + 2, FALSE, cx, cy, ctx->width - 4 * PAD,
                        ALIGN_CENTER, &ctx->fg_dim);
  ctx->chart->plot = (CtChartRect) { PAD, top, MAX (ctx->width - 2 * PAD, 0), MAX (ctx->height - top - PAD, 0) };
}

typedef struct
{
  const char *label;
  const Rgb  *color;
  int         series;
  int         index;
  gboolean    band;     /* a shaded swatch */
  gboolean    dashed;
} LegendItem;

/* Lays the legend out in rows from the left within @width; returns its
 * height. Draws it at @y when @draw. */
static double
legend_layout (Ctx        *ctx,
               LegendItem *items,
               guint       n,
               double      x0,
               double      y,
               double      width,
               gboolean    draw)
{
  double x = x0;
  double row_h = 0;
  double total = 0;

  for (guint i = 0; i < n; i++)
    {
      double w, h, item_w;

      measure_text (ctx, items[i].label, LABEL_SIZE, FALSE, &w, &h);
      item_w = SWATCH + 4 + w + 14;
      if (x > x0 && x + item_w - 14 > x0 + width)
        {
          x = x0;
          total += row_h + 4;
          row_h = 0;
        }
      row_h = MAX (row_h, MAX (h, SWATCH));
      if (draw)
        {
          double cy = y + total + MAX (h, SWATCH) / 2;

          cairo_save (ctx->cr);
          if (items[i].dashed)
            {
              double dash[] = { 4.0, 3.0 };

              set_rgb (ctx->cr, items[i].color, 1.0);
              cairo_set_line_width (ctx->cr, 2.0);
              cairo_set_dash (ctx->cr, dash, 2, 0);
              cairo_move_to (ctx->cr, x, cy);
              cairo_line_to (ctx->cr, x + SWATCH, cy);
              cairo_stroke (ctx->cr);
            }
          else
            {
              set_rgb (ctx->cr, items[i].color, items[i].band ? 0.25 : 1.0);
              cairo_rectangle (ctx->cr, x, cy - SWATCH / 2, SWATCH, SWATCH);
              cairo_fill (ctx->cr);
            }
          cairo_restore (ctx->cr);
          show_text (ctx, items[i].label, LABEL_SIZE, FALSE, x + SWATCH + 4, cy,
                     ALIGN_START, ALIGN_CENTER, &ctx->fg);
          add_rect_region (ctx->chart, x, y + total, item_w - 10, MAX (h, SWATCH),
                           items[i].series, items[i].index);
        }
      x += item_w;
    }
  return n > 0 ? total + row_h : 0;
}

/* Y tick labels along the left of the plot; the plot's left edge moves
 * right to make room. The number of ticks follows the height, so that
 * their labels never touch. */
static void
prepare_value_axis (Ctx    *ctx,
                    Axis   *axis,
                    double  min,
                    double  max,
                    double  plot_h,
                    double *label_w)
{
  double w, h;
  guint target;

  measure_text (ctx, "0123456789", LABEL_SIZE, FALSE, &w, &h);
  target = (guint) CLAMP (plot_h / (h * 2.2), 2, 6);
  if (axis->log_scale)
    compute_log_ticks (axis, min, max);
  else
    compute_linear_ticks (axis, min, max, target);

  *label_w = 0;
  for (guint i = 0; i < axis->ticks->len; i++)
    {
      g_autofree char *text = format_unit (ctx->chart, axis->unit,
                                           g_array_index (axis->ticks, double, i), TRUE);
      double tw, th;

      measure_text (ctx, text, LABEL_SIZE, FALSE, &tw, &th);
      *label_w = MAX (*label_w, tw);
    }
}

static double
scale_y (const Axis        *axis,
         const CtChartRect *plot,
         double             v)
{
  double t = axis_transform (axis, v);

  return plot->y + plot->height - (t - axis->min) / (axis->max - axis->min) * plot->height;
}

static double
scale_x (const Axis        *axis,
         const CtChartRect *plot,
         double             v)
{
  double t = axis_transform (axis, v);

  return plot->x + (t - axis->min) / (axis->max - axis->min) * plot->width;
}

/* Horizontal grid lines and their labels; thin out labels that would
 * overlap (a log axis over many decades on a short chart). */
static void
draw_value_axis (Ctx       *ctx,
                 Axis      *axis,
                 double     label_right)
{
  const CtChartRect *plot = &ctx->chart->plot;
  double last_top = G_MAXDOUBLE;

  for (guint i = 0; i < axis->ticks->len; i++)
    {
      double v = g_array_index (axis->ticks, double, i);
      double y = round (scale_y (axis, plot, v)) + 0.5;
      g_autofree char *text = format_unit (ctx->chart, axis->unit, v, TRUE);
      double w, h;

      cairo_save (ctx->cr);
      set_rgb (ctx->cr, v == 0 ? &ctx->fg_dim : &ctx->grid, 1.0);
      cairo_set_line_width (ctx->cr, 1.0);
      cairo_move_to (ctx->cr, plot->x, y);
      cairo_line_to (ctx->cr, plot->x + plot->width, y);
      cairo_stroke (ctx->cr);
      cairo_restore (ctx->cr);

      measure_text (ctx, text, LABEL_SIZE, FALSE, &w, &h);
      if (y + h / 2 > last_top - 1)
        continue;
      show_text (ctx, text, LABEL_SIZE, FALSE, label_right, y, ALIGN_END, ALIGN_CENTER, &ctx->fg_dim);
      last_top = y - h / 2;
    }
}

/* Category labels under the plot, centred on their slots. When they do
 * not fit side by side, only every k-th is shown, k the smallest that
 * leaves a gap between neighbours. */
static void
draw_category_labels (Ctx    *ctx,
                      double  y)
{
  const CtChartRect *plot = &ctx->chart->plot;
  guint n = ct_chart_get_n_categories (ctx->chart);
  double slot, widest = 0;
  guint every;

  if (n == 0)
    return;
  slot = plot->width / n;
  for (guint i = 0; i < n; i++)
    {
      double w, h;

      measure_text (ctx, ctx->chart->categories[i], LABEL_SIZE, FALSE, &w, &h);
      widest = MAX (widest, w);
    }
  every = (guint) ceil ((widest + LABEL_GAP) / MAX (slot, 0.001));
  every = MAX (every, 1);

  /* The last label is the one people look for ("this month"): count
   * back from it, and leave out any that would still touch the one
   * shown after it (the last one moved in from the edge). */
  {
    double next_left = G_MAXDOUBLE;

    for (guint i = n; i-- > 0;)
      {
        double w, h, x = plot->x + slot * (i + 0.5);

        if ((n - 1 - i) % every != 0)
          continue;
        /* Centred on the slot, but never past the chart's edges: the
         * last month's label would be cut in half. */
        measure_text (ctx, ctx->chart->categories[i], LABEL_SIZE, FALSE, &w, &h);
        x = MIN (x, ctx->width - PAD / 2 - w / 2);
        x = MAX (x, PAD / 2 + w / 2);
        if (x + w / 2 + LABEL_GAP / 2 > next_left)
          continue;
        show_text (ctx, ctx->chart->categories[i], LABEL_SIZE, FALSE,
                   x, y, ALIGN_CENTER, ALIGN_START, &ctx->fg_dim);
        next_left = x - w / 2;
      }
  }
}

static void
value_range (CtChart  *chart,
             gboolean  stacked,
             gboolean  bands,
             double   *min_out,
             double   *max_out,
             guint    *n_values)
{
  guint n = ct_chart_get_n_categories (chart);
  double min = 0, max = 0;
  guint count = 0;

  for (guint c = 0; c < n; c++)
    {
      double pos = 0, neg = 0;

      for (guint s = 0; s < chart->series->len; s++)
        {
          Series *series = get_series (chart, s);
          double v = series->values[c];

          if (!isfinite (v))
            continue;
          count++;
          if (stacked)
            {
              if (v >= 0)
                pos += v;
              else
                neg += v;
              continue;
            }
          min = MIN (min, v);
          max = MAX (max, v);
          if (bands && series->low != NULL && isfinite (series->low[c]))
            min = MIN (min, series->low[c]);
          if (bands && series->high != NULL && isfinite (series->high[c]))
            max = MAX (max, series->high[c]);
        }
      if (stacked)
        {
          min = MIN (min, neg);
          max = MAX (max, pos);
        }
    }
  *min_out = min;
  *max_out = max;
  *n_values = count;
}

/* ------------------------------------------------------------------ */
/* Charts with categories along x: line, bars */

static void
draw_category_chart (Ctx    *ctx,
                     double  top)
{
  CtChart *chart = ctx->chart;
  Axis *yaxis = &chart->axes[CT_CHART_AXIS_Y];
  guint n = ct_chart_get_n_categories (chart);
  gboolean stacked = chart->kind == CT_CHART_STACKED_BAR;
  gboolean line = chart->kind == CT_CHART_LINE;
  g_autofree char *ytitle = axis_title (chart, CT_CHART_AXIS_Y);
  g_autofree char *xtitle = axis_title (chart, CT_CHART_AXIS_X);
  g_autofree LegendItem *legend = NULL;
  guint n_legend = 0;
  double min, max, label_w, legend_h = 0, tw, th, cat_h = 0, xtitle_h = 0;
  double bottom;
  guint n_values;
  CtChartRect *plot = &chart->plot;

  value_range (chart, stacked, line, &min, &max, &n_values);
  /* A line needs two points; bars need one value. Zero everywhere is no
   * chart either: a flat line at zero says less than "No data". */
  if (n == 0 || chart->series->len == 0 || (line && n_values < 2)
      || n_values == 0 || (min == 0 && max == 0))
    {
      draw_empty (ctx, top);
      return;
    }

  /* The legend: one item per series, and one for a band. */
  if (chart->series->len > 1 || (line && get_series (chart, 0)->low != NULL))
    {
      legend = g_new0 (LegendItem, chart->series->len * 2);
      for (guint s = 0; s < chart->series->len; s++)
        {
          Series *series = get_series (chart, s);

          legend[n_legend++] = (LegendItem) { series->name, palette_color (ctx, s), (int) s, -1, FALSE, series->dashed };
          if (line && series->low != NULL)
            legend[n_legend++] = (LegendItem) { NULL, palette_color (ctx, s), (int) s, -1, TRUE, FALSE };
        }
    }
  /* Band labels are built here so they outlive the layout. */
  g_autoptr(GPtrArray) band_labels = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < n_legend; i++)
    if (legend[i].label == NULL)
      {
        /* Translators: the legend of a forecast's shaded range: "Forecast: likely range" */
        char *label = g_strdup_printf (_("%s: likely range"), get_series (chart, legend[i].series)->name);

        g_ptr_array_add (band_labels, label);
        legend[i].label = label;
      }

  if (ytitle != NULL)
    {
      measure_text (ctx, ytitle, LABEL_SIZE, FALSE, &tw, &th);
      show_text (ctx, ytitle, LABEL_SIZE, FALSE, PAD, top, ALIGN_START, ALIGN_START, &ctx->fg_dim);
      top += th + 6;
    }

  measure_text (ctx, "Mg", LABEL_SIZE, FALSE, &tw, &cat_h);
  if (xtitle != NULL)
    measure_text (ctx, xtitle, LABEL_SIZE, FALSE, &tw, &xtitle_h);
  legend_h = legend_layout (ctx, legend, n_legend, PAD, 0, ctx->width - 2 * PAD, FALSE);

  bottom = ctx->height - PAD - (legend_h > 0 ? legend_h + LABEL_GAP : 0)
           - (xtitle_h > 0 ? xtitle_h + 4 : 0) - cat_h - TICK_GAP;
  prepare_value_axis (ctx, yaxis, min, max, bottom - top - cat_h / 2, &label_w);

  plot->x = PAD + label_w + TICK_GAP;
  plot->y = top + cat_h / 2;
  plot->width = MAX (ctx->width - PAD - plot->x, 1);
  plot->height = MAX (bottom - plot->y, 1);

  draw_value_axis (ctx, yaxis, plot->x - TICK_GAP);
  draw_category_labels (ctx, plot->y + plot->height + TICK_GAP);
  if (xtitle != NULL)
    show_text (ctx, xtitle, LABEL_SIZE, FALSE, plot->x + plot->width / 2,
               plot->y + plot->height + TICK_GAP + cat_h + 4, ALIGN_CENTER, ALIGN_START, &ctx->fg_dim);
  if (legend_h > 0)
    legend_layout (ctx, legend, n_legend, PAD, ctx->height - PAD - legend_h,
                   ctx->width - 2 * PAD, TRUE);

  {
    double slot = plot->width / n;
    double zero_y = scale_y (yaxis, plot, 0);
    cairo_t *cr = ctx->cr;

    if (line)
      {
        /* Bands under the lines, the first series' area under it, then
         * the lines; each line is broken where it has no value. */
        for (guint s = 0; s < chart->series->len; s++)
          {
            Series *series = get_series (chart, s);
            gboolean open = FALSE;
            guint start = 0;

            if (series->low == NULL)
              continue;
            for (guint c = 0; c <= n; c++)
              {
                gboolean has = c < n && isfinite (series->low[c]) && isfinite (series->high[c]);

                if (has && !open)
                  open = TRUE, start = c;
                if (!has && open)
                  {
                    open = FALSE;
                    cairo_new_path (cr);
                    for (guint k = start; k < c; k++)
                      cairo_line_to (cr, plot->x + slot * (k + 0.5), scale_y (yaxis, plot, series->high[k]));
                    for (guint k = c; k-- > start;)
                      cairo_line_to (cr, plot->x + slot * (k + 0.5), scale_y (yaxis, plot, series->low[k]));
                    cairo_close_path (cr);
                    set_rgb (cr, palette_color (ctx, s), 0.22);
                    cairo_fill (cr);
                  }
              }
          }

        for (guint s = 0; s < chart->series->len; s++)
          {
            Series *series = get_series (chart, s);
            gboolean drawing = FALSE;
            double first_x = 0, last_x = 0;

            cairo_new_path (cr);
            for (guint c = 0; c < n; c++)
              {
                double x = plot->x + slot * (c + 0.5);

                if (!isfinite (series->values[c]))
                  {
                    drawing = FALSE;
                    continue;
                  }
                if (!drawing)
                  cairo_move_to (cr, x, scale_y (yaxis, plot, series->values[c]));
                else
                  cairo_line_to (cr, x, scale_y (yaxis, plot, series->values[c]));
                if (!drawing && s == 0 && first_x == 0)
                  first_x = x;
                if (s == 0)
                  last_x = x;
                drawing = TRUE;
              }
            cairo_save (cr);
            if (s == 0 && !series->dashed && last_x > first_x)
              {
                /* The area under the actual figures, faint. */
                cairo_path_t *path = cairo_copy_path (cr);

                cairo_line_to (cr, last_x, zero_y);
                cairo_line_to (cr, first_x, zero_y);
                cairo_close_path (cr);
                set_rgb (cr, palette_color (ctx, s), 0.12);
                cairo_fill (cr);
                cairo_append_path (cr, path);
                cairo_path_destroy (path);
              }
            set_rgb (cr, palette_color (ctx, s), 1.0);
            cairo_set_line_width (cr, 2.0);
            cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
            if (series->dashed)
              {
                double dash[] = { 5.0, 4.0 };

                cairo_set_dash (cr, dash, 2, 0);
              }
            cairo_stroke (cr);
            cairo_restore (cr);

            /* Dots where values are few enough to see one by one. */
            if (slot >= 8)
              for (guint c = 0; c < n; c++)
                if (isfinite (series->values[c]))
                  {
                    cairo_arc (cr, plot->x + slot * (c + 0.5), scale_y (yaxis, plot, series->values[c]),
                               2.5, 0, 2 * G_PI);
                    set_rgb (cr, palette_color (ctx, s), 1.0);
                    cairo_fill (cr);
                  }
          }

        /* A column per category: the pointer anywhere above a month
         * tells that month's figures. */
        for (guint c = 0; c < n; c++)
          {
            int shown = -1;

            for (guint s = 0; s < chart->series->len && shown < 0; s++)
              if (isfinite (get_series (chart, s)->values[c]))
                shown = (int) s;
            if (shown >= 0)
              add_rect_region (chart, plot->x + slot * c, plot->y, slot, plot->height, shown, (int) c);
          }
      }
    else
      {
        guint n_series = chart->series->len;
        double group_w = slot * (n_series > 1 && !stacked ? 0.8 : 0.7);
        double bar_w = stacked ? group_w : group_w / n_series;

        for (guint c = 0; c < n; c++)
          {
            double pos = 0, neg = 0;
            double x0 = plot->x + slot * c + (slot - group_w) / 2;

            for (guint s = 0; s < n_series; s++)
              {
                double v = get_series (chart, s)->values[c];
                double from, to, x, y0, y1;

                if (!isfinite (v) || v == 0)
                  continue;
                if (stacked)
                  {
                    from = v >= 0 ? pos : neg;
                    to = from + v;
                    if (v >= 0)
                      pos = to;
                    else
                      neg = to;
                    x = x0;
                  }
                else
                  {
                    from = 0;
                    to = v;
                    x = x0 + bar_w * s;
                  }
                y0 = scale_y (yaxis, plot, from);
                y1 = scale_y (yaxis, plot, to);
                cairo_rectangle (cr, x, MIN (y0, y1), MAX (bar_w - (n_series > 1 && !stacked ? 1 : 0), 1),
                                 MAX (fabs (y1 - y0), 0.5));
                set_rgb (cr, palette_color (ctx, s), 1.0);
                cairo_fill (cr);
                if (stacked)
                  {
                    /* A thin line between stacked parts. */
                    set_rgb (cr, &ctx->bg, 1.0);
                    cairo_set_line_width (cr, 1.0);
                    cairo_move_to (cr, x, y1);
                    cairo_line_to (cr, x + bar_w, y1);
                    cairo_stroke (cr);
                  }
                add_rect_region (chart, x, MIN (y0, y1), bar_w, MAX (fabs (y1 - y0), 2), (int) s, (int) c);
              }
          }
      }
  }
}

/* ------------------------------------------------------------------ */
/* Donut */

static void
draw_donut (Ctx    *ctx,
            double  top)
{
  CtChart *chart = ctx->chart;
  guint n = ct_chart_get_n_categories (chart);
  Series *series = chart->series->len > 0 ? get_series (chart, 0) : NULL;
  double total = 0;
  double avail_h = ctx->height - top - PAD;
  double legend_w = 0, row_h = 0;
  double r, cx, cy, angle;
  cairo_t *cr = ctx->cr;
  g_autofree char *total_text = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);

  for (guint c = 0; series != NULL && c < n; c++)
    if (isfinite (series->values[c]) && series->values[c] > 0)
      total += series->values[c];
  if (series == NULL || total <= 0)
    {
      draw_empty (ctx, top);
      return;
    }

  /* The legend: "Champions  1,234 · 12%", one row per slice, to the
   * right of the ring; the ring takes what is left. */
  for (guint c = 0; c < n; c++)
    {
      double v = isfinite (series->values[c]) ? MAX (series->values[c], 0) : 0;
      g_autofree char *value = format_unit (chart, chart->axes[CT_CHART_AXIS_Y].unit, v, FALSE);
      /* Translators: a donut chart's legend: "Champions  1,234 · 12.5%" */
      char *row = g_strdup_printf (_("%s  %s · %.1f%%"), chart->categories[c], value, 100.0 * v / total);
      double w, h;

      measure_text (ctx, row, LABEL_SIZE, FALSE, &w, &h);
      legend_w = MAX (legend_w, w);
      row_h = MAX (row_h, h);
      g_ptr_array_add (rows, row);
    }
  legend_w = MIN (legend_w + SWATCH + 6, ctx->width * 0.6);

  r = MIN (avail_h, ctx->width - 3 * PAD - legend_w) / 2;
  r = MAX (r, 10);
  cx = PAD + r;
  cy = top + avail_h / 2;
  chart->plot = (CtChartRect) { cx - r, cy - r, 2 * r, 2 * r };

  angle = -G_PI / 2;
  for (guint c = 0; c < n; c++)
    {
      double v = isfinite (series->values[c]) ? MAX (series->values[c], 0) : 0;
      double sweep = 2 * G_PI * v / total;
      Region region = { REGION_SECTOR, cx, cy, 0, 0, r * 0.6, r, angle, angle + sweep, 0, (int) c };

      if (v <= 0)
        continue;
      cairo_new_path (cr);
      cairo_arc (cr, cx, cy, r, angle, angle + sweep);
      cairo_arc_negative (cr, cx, cy, r * 0.6, angle + sweep, angle);
      cairo_close_path (cr);
      set_rgb (cr, palette_color (ctx, c), 1.0);
      cairo_fill_preserve (cr);
      /* A gap in the background colour between slices. */
      set_rgb (cr, &ctx->bg, 1.0);
      cairo_set_line_width (cr, 1.5);
      cairo_stroke (cr);
      g_array_append_val (chart->regions, region);
      angle += sweep;
    }

  /* The total in the hole. */
  total_text = format_unit (chart, chart->axes[CT_CHART_AXIS_Y].unit, total, TRUE);
  show_text (ctx, total_text, TITLE_SIZE, TRUE, cx, cy, ALIGN_CENTER,
             chart->axes[CT_CHART_AXIS_Y].title != NULL ? ALIGN_END : ALIGN_CENTER, &ctx->fg);
  if (chart->axes[CT_CHART_AXIS_Y].title != NULL)
    show_text_ellipsized (ctx, chart->axes[CT_CHART_AXIS_Y].title, LABEL_SIZE, FALSE, cx, cy + row_h / 2 + 2,
                          r * 1.1, ALIGN_CENTER, &ctx->fg_dim);

  {
    double lx = cx + r + 2 * PAD;
    double step = row_h + 3;
    double ly = cy - MIN (step * n, avail_h) / 2;

    /* Rows that do not fit the height are left out from the smallest
     * share up; the tooltip of the ring still tells them. */
    for (guint c = 0; c < n && ly + step <= ctx->height - PAD + 1; c++)
      {
        set_rgb (cr, palette_color (ctx, c), 1.0);
        cairo_rectangle (cr, lx, ly + step / 2 - SWATCH / 2, SWATCH, SWATCH);
        cairo_fill (cr);
        show_text_ellipsized (ctx, g_ptr_array_index (rows, c), LABEL_SIZE, FALSE, lx + SWATCH + 6, ly + step / 2,
                              ctx->width - PAD - lx - SWATCH - 6, ALIGN_START, &ctx->fg);
        add_rect_region (chart, lx, ly, ctx->width - PAD - lx, step, 0, (int) c);
        ly += step;
      }
  }
}

/* ------------------------------------------------------------------ */
/* Funnel */

static void
draw_funnel (Ctx    *ctx,
             double  top)
{
  CtChart *chart = ctx->chart;
  guint n = ct_chart_get_n_categories (chart);
  Series *series = chart->series->len > 0 ? get_series (chart, 0) : NULL;
  double max = 0, label_w = 0, value_w = 0, row_h, h;
  double first;
  cairo_t *cr = ctx->cr;
  CtChartRect *plot = &chart->plot;
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);

  for (guint c = 0; series != NULL && c < n; c++)
    if (isfinite (series->values[c]))
      max = MAX (max, series->values[c]);
  if (series == NULL || max <= 0)
    {
      draw_empty (ctx, top);
      return;
    }
  first = isfinite (series->values[0]) && series->values[0] > 0 ? series->values[0] : max;

  for (guint c = 0; c < n; c++)
    {
      double v = isfinite (series->values[c]) ? series->values[c] : 0;
      g_autofree char *value = format_unit (chart, chart->axes[CT_CHART_AXIS_Y].unit, v, FALSE);
      /* Translators: a funnel stage's count and its share of the first stage: "1,234 · 45.6%" */
      char *text = c == 0 ? g_strdup (value) : g_strdup_printf (_("%s · %.1f%%"), value, 100.0 * v / first);
      double w;

      measure_text (ctx, chart->categories[c], LABEL_SIZE, FALSE, &w, &h);
      label_w = MAX (label_w, w);
      measure_text (ctx, text, LABEL_SIZE, FALSE, &w, &h);
      value_w = MAX (value_w, w);
      g_ptr_array_add (values, text);
    }

  label_w = MIN (label_w, ctx->width * 0.3);
  plot->x = PAD + label_w + LABEL_GAP;
  plot->y = top;
  plot->width = MAX (ctx->width - plot->x - PAD - value_w - LABEL_GAP, 10);
  plot->height = MAX (ctx->height - top - PAD, 10);
  row_h = plot->height / n;

  for (guint c = 0; c < n; c++)
    {
      double v = isfinite (series->values[c]) ? MAX (series->values[c], 0) : 0;
      double bar_w = MAX (plot->width * v / max, v > 0 ? 1 : 0);
      double y = plot->y + row_h * c;
      double bar_h = row_h * 0.75;
      double bx = plot->x + (plot->width - bar_w) / 2;

      cairo_rectangle (cr, bx, y + (row_h - bar_h) / 2, bar_w, bar_h);
      set_rgb (cr, palette_color (ctx, c), 1.0);
      cairo_fill (cr);

      show_text_ellipsized (ctx, chart->categories[c], LABEL_SIZE, FALSE, PAD, y + row_h / 2, label_w,
                            ALIGN_START, &ctx->fg);
      show_text (ctx, g_ptr_array_index (values, c), LABEL_SIZE, FALSE,
                 plot->x + plot->width + LABEL_GAP, y + row_h / 2, ALIGN_START, ALIGN_CENTER, &ctx->fg_dim);
      add_rect_region (chart, PAD, y, ctx->width - 2 * PAD, row_h, 0, (int) c);
    }
}

/* ------------------------------------------------------------------ */
/* Heatmap */

/* One hue, light to dark (dark to light on a dark background), as a
 * sequential scale colour-blind readers read by lightness alone. */
static void
heat_color (Ctx    *ctx,
            double  t,
            Rgb    *out)
{
  static const Rgb low_light = { 0.94, 0.96, 1.00 };
  static const Rgb high_light = { 0.03, 0.19, 0.42 };
  static const Rgb low_dark = { 0.12, 0.16, 0.22 };
  static const Rgb high_dark = { 0.62, 0.85, 1.00 };
  const Rgb *lo = ctx->chart->dark ? &low_dark : &low_light;
  const Rgb *hi = ctx->chart->dark ? &high_dark : &high_light;

  t = CLAMP (t, 0, 1);
  /* Square root: retention after the first month is small, and a linear
   * scale would paint it all the same pale colour. */
  t = sqrt (t);
  out->r = lo->r + (hi->r - lo->r) * t;
  out->g = lo->g + (hi->g - lo->g) * t;
  out->b = lo->b + (hi->b - lo->b) * t;
}

static void
draw_heatmap (Ctx    *ctx,
              double  top)
{
  CtChart *chart = ctx->chart;
  guint n_cols = ct_chart_get_n_categories (chart);
  guint n_rows = chart->series->len;
  g_autofree char *xtitle = axis_title (chart, CT_CHART_AXIS_X);
  double label_w = 0, h = 0, w, cat_h, xtitle_h = 0, cell_w, cell_h, max = 0;
  double scale_w = 14, last_label_bottom = -G_MAXDOUBLE;
  guint n_values = 0;
  cairo_t *cr = ctx->cr;
  CtChartRect *plot = &chart->plot;

  for (guint r = 0; r < n_rows; r++)
    {
      Series *s = get_series (chart, r);

      for (guint c = 0; c < n_cols; c++)
        if (isfinite (s->values[c]) && s->values[c] >= 0)
          max = MAX (max, s->values[c]), n_values++;
      measure_text (ctx, s->name, LABEL_SIZE, FALSE, &w, &h);
      label_w = MAX (label_w, w);
    }
  if (n_rows == 0 || n_cols == 0 || n_values == 0)
    {
      draw_empty (ctx, top);
      return;
    }
  /* Percentages run to 100%; anything else to its largest value. */
  if (chart->axes[CT_CHART_AXIS_Y].unit == CT_CHART_UNIT_PERCENT)
    max = 1;

  measure_text (ctx, "Mg", LABEL_SIZE, FALSE, &w, &cat_h);
  if (xtitle != NULL)
    measure_text (ctx, xtitle, LABEL_SIZE, FALSE, &w, &xtitle_h);

  plot->x = PAD + label_w + TICK_GAP;
  plot->y = top;
  plot->width = MAX (ctx->width - plot->x - PAD - scale_w - 50, 10);
  plot->height = MAX (ctx->height - top - PAD - cat_h - TICK_GAP - (xtitle_h > 0 ? xtitle_h + 4 : 0), 10);
  cell_w = plot->width / n_cols;
  cell_h = plot->height / n_rows;

  for (guint r = 0; r < n_rows; r++)
    {
      Series *s = get_series (chart, r);
      double y = plot->y + cell_h * r;

      for (guint c = 0; c < n_cols; c++)
        {
          double v = s->values[c];
          Rgb color;

          if (!isfinite (v) || v < 0)
            continue;
          heat_color (ctx, v / max, &color);
          cairo_rectangle (cr, plot->x + cell_w * c, y, MAX (cell_w - 1, 0.5), MAX (cell_h - 1, 0.5));
          set_rgb (cr, &color, 1.0);
          cairo_fill (cr);
          add_rect_region (chart, plot->x + cell_w * c, y, cell_w, cell_h, (int) r, (int) c);

          /* The value in the cell when it fits, in a colour that reads on it. */
          if (cell_h >= h + 2)
            {
              g_autofree char *text = format_unit (chart, chart->axes[CT_CHART_AXIS_Y].unit, v, TRUE);
              double tw, th;

              measure_text (ctx, text, LABEL_SIZE - 1.5, FALSE, &tw, &th);
              if (tw + 4 <= cell_w)
                {
                  double luminance = 0.2126 * color.r + 0.7152 * color.g + 0.0722 * color.b;
                  static const Rgb black = { 0.1, 0.1, 0.1 }, white = { 1, 1, 1 };

                  show_text (ctx, text, LABEL_SIZE - 1.5, FALSE, plot->x + cell_w * (c + 0.5),
                             y + cell_h / 2, ALIGN_CENTER, ALIGN_CENTER,
                             luminance > 0.5 ? &black : &white);
                }
            }
        }

      /* Row labels, skipping those that would touch the one above. */
      if (y + cell_h / 2 - h / 2 >= last_label_bottom + 1)
        {
          show_text_ellipsized (ctx, s->name, LABEL_SIZE, FALSE, PAD, y + cell_h / 2, label_w, ALIGN_START, &ctx->fg_dim);
          last_label_bottom = y + cell_h / 2 + h / 2;
        }
    }

  draw_category_labels (ctx, plot->y + plot->height + TICK_GAP);
  if (xtitle != NULL)
    show_text (ctx, xtitle, LABEL_SIZE, FALSE, plot->x + plot->width / 2,
               plot->y + plot->height + TICK_GAP + cat_h + 4, ALIGN_CENTER, ALIGN_START, &ctx->fg_dim);

  /* The colour scale, with its ends labelled. */
  {
    double sx = plot->x + plot->width + PAD;
    g_autofree char *lo = format_unit (chart, chart->axes[CT_CHART_AXIS_Y].unit, 0, TRUE);
    g_autofree char *hi = format_unit (chart, chart->axes[CT_CHART_AXIS_Y].unit, max, TRUE);

    for (int i = 0; i < 50; i++)
      {
        Rgb color;

        heat_color (ctx, 1.0 - i / 49.0, &color);
        set_rgb (cr, &color, 1.0);
        cairo_rectangle (cr, sx, plot->y + plot->height * i / 50.0, scale_w, plot->height / 50.0 + 0.5);
        cairo_fill (cr);
      }
    show_text (ctx, hi, LABEL_SIZE, FALSE, sx + scale_w + 4, plot->y, ALIGN_START, ALIGN_START, &ctx->fg_dim);
    show_text (ctx, lo, LABEL_SIZE, FALSE, sx + scale_w + 4, plot->y + plot->height, ALIGN_START, ALIGN_END, &ctx->fg_dim);
  }
}

/* ------------------------------------------------------------------ */
/* Scatter */

static void
draw_scatter (Ctx    *ctx,
              double  top)
{
  CtChart *chart = ctx->chart;
  Axis *xaxis = &chart->axes[CT_CHART_AXIS_X];
  Axis *yaxis = &chart->axes[CT_CHART_AXIS_Y];
  g_autofree char *xtitle = axis_title (chart, CT_CHART_AXIS_X);
  g_autofree char *ytitle = axis_title (chart, CT_CHART_AXIS_Y);
  g_autofree LegendItem *legend = NULL;
  double xmin = G_MAXDOUBLE, xmax = -G_MAXDOUBLE, ymin = G_MAXDOUBLE, ymax = -G_MAXDOUBLE;
  double label_w, tw, th, cat_h, xtitle_h = 0, legend_h, bottom;
  guint n_points = 0;
  cairo_t *cr = ctx->cr;
  CtChartRect *plot = &chart->plot;

  for (guint s = 0; s < chart->series->len; s++)
    {
      Series *series = get_series (chart, s);

      for (guint i = 0; i < series->n; i++)
        if (isfinite (series->x[i]) && isfinite (series->values[i]))
          {
            xmin = MIN (xmin, series->x[i]);
            xmax = MAX (xmax, series->x[i]);
            ymin = MIN (ymin, series->values[i]);
            ymax = MAX (ymax, series->values[i]);
            n_points++;
          }
    }
  if (n_points == 0)
    {
      draw_empty (ctx, top);
      return;
    }
  /* Axes from zero: recency and spend are never negative, and a scale
   * that starts at the smallest value exaggerates differences. */
  xmin = MIN (xmin, 0);
  ymin = MIN (ymin, 0);

  legend = g_new0 (LegendItem, chart->series->len);
  for (guint s = 0; s < chart->series->len; s++)
    legend[s] = (LegendItem) { get_series (chart, s)->name, palette_color (ctx, s), (int) s, -1, FALSE, FALSE };

  if (ytitle != NULL)
    {
      measure_text (ctx, ytitle, LABEL_SIZE, FALSE, &tw, &th);
      show_text (ctx, ytitle, LABEL_SIZE, FALSE, PAD, top, ALIGN_START, ALIGN_START, &ctx->fg_dim);
      top += th + 6;
    }
  measure_text (ctx, "Mg", LABEL_SIZE, FALSE, &tw, &cat_h);
  if (xtitle != NULL)
    measure_text (ctx, xtitle, LABEL_SIZE, FALSE, &tw, &xtitle_h);
  legend_h = chart->series->len > 1
             ? legend_layout (ctx, legend, chart->series->len, PAD, 0, ctx->width - 2 * PAD, FALSE) : 0;
  bottom = ctx->height - PAD - (legend_h > 0 ? legend_h + LABEL_GAP : 0)
           - (xtitle_h > 0 ? xtitle_h + 4 : 0) - cat_h - TICK_GAP;

  prepare_value_axis (ctx, yaxis, ymin, ymax, bottom - top - cat_h / 2, &label_w);
  plot->x = PAD + label_w + TICK_GAP;
  plot->y = top + cat_h / 2;
  plot->width = MAX (ctx->width - PAD - plot->x, 1);
  plot->height = MAX (bottom - plot->y, 1);

  /* X ticks: as many as fit the width with room between labels. */
  {
    guint target = 6;

    for (;;)
      {
        double widest = 0;

        if (xaxis->log_scale)
          compute_log_ticks (xaxis, xmin, xmax);
        else
          compute_linear_ticks (xaxis, xmin, xmax, target);
        for (guint i = 0; i < xaxis->ticks->len; i++)
          {
            g_autofree char *text = format_unit (chart, xaxis->unit, g_array_index (xaxis->ticks, double, i), TRUE);

            measure_text (ctx, text, LABEL_SIZE, FALSE, &tw, &th);
            widest = MAX (widest, tw);
          }
        if (xaxis->log_scale || target <= 2
            || (widest + LABEL_GAP) * xaxis->ticks->len <= plot->width)
          break;
        target--;
      }
  }

  draw_value_axis (ctx, yaxis, plot->x - TICK_GAP);
  {
    double last_right = -G_MAXDOUBLE;

    for (guint i = 0; i < xaxis->ticks->len; i++)
      {
        double v = g_array_index (xaxis->ticks, double, i);
        double x = round (scale_x (xaxis, plot, v)) + 0.5;
        g_autofree char *text = format_unit (chart, xaxis->unit, v, TRUE);

        set_rgb (cr, &ctx->grid, 1.0);
        cairo_set_line_width (cr, 1.0);
        cairo_move_to (cr, x, plot->y);
        cairo_line_to (cr, x, plot->y + plot->height);
        cairo_stroke (cr);
        measure_text (ctx, text, LABEL_SIZE, FALSE, &tw, &th);
        if (x - tw / 2 < last_right + LABEL_GAP / 2)
          continue;
        x = MIN (x, ctx->width - PAD / 2 - tw / 2);
        show_text (ctx, text, LABEL_SIZE, FALSE, x, plot->y + plot->height + TICK_GAP,
                   ALIGN_CENTER, ALIGN_START, &ctx->fg_dim);
        last_right = x + tw / 2;
      }
  }
  if (xtitle != NULL)
    show_text (ctx, xtitle, LABEL_SIZE, FALSE, plot->x + plot->width / 2,
               plot->y + plot->height + TICK_GAP + cat_h + 4, ALIGN_CENTER, ALIGN_START, &ctx->fg_dim);
  if (legend_h > 0)
    legend_layout (ctx, legend, chart->series->len, PAD, ctx->height - PAD - legend_h,
                   ctx->width - 2 * PAD, TRUE);

  for (guint s = 0; s < chart->series->len; s++)
    {
      Series *series = get_series (chart, s);

      set_rgb (cr, palette_color (ctx, s), 0.55);
      for (guint i = 0; i < series->n; i++)
        {
          double x, y;
          Region region = { REGION_POINT, 0, 0, 0, 0, 0, 0, 0, 0, (int) s, (int) i };

          if (!isfinite (series->x[i]) || !isfinite (series->values[i]))
            continue;
          x = scale_x (xaxis, plot, series->x[i]);
          y = scale_y (yaxis, plot, series->values[i]);
          cairo_new_sub_path (cr);
          cairo_arc (cr, x, y, 2.5, 0, 2 * G_PI);
          region.x = x;
          region.y = y;
          g_array_append_val (chart->regions, region);
        }
      cairo_fill (cr);
    }
}

/* ------------------------------------------------------------------ */

/**
 * ct_chart_draw:
 * @cr: any Cairo context: a widget's, an image, SVG, PDF or print surface
 *
 * Lays the chart out for @width × @height and draws it.
 */
void
ct_chart_draw (CtChart *chart,
               cairo_t *cr,
               double   width,
               double   height)
{
  Ctx ctx = { chart, cr, width, height };
  double top;

  g_return_if_fail (chart != NULL);
  g_return_if_fail (cr != NULL);

  g_array_set_size (chart->text_boxes, 0);
  g_ptr_array_set_size (chart->texts, 0);
  g_array_set_size (chart->regions, 0);
  g_array_set_size (chart->axes[0].ticks, 0);
  g_array_set_size (chart->axes[1].ticks, 0);
  chart->empty = FALSE;
  chart->plot = (CtChartRect) { 0, 0, 0, 0 };

  if (chart->dark)
    {
      ctx.fg = (Rgb) { 0.93, 0.93, 0.93 };
      ctx.fg_dim = (Rgb) { 0.72, 0.72, 0.72 };
      ctx.grid = (Rgb) { 0.30, 0.30, 0.32 };
      ctx.bg = (Rgb) { 0.14, 0.14, 0.15 };
    }
  else
    {
      ctx.fg = (Rgb) { 0.12, 0.12, 0.12 };
      ctx.fg_dim = (Rgb) { 0.35, 0.35, 0.37 };
      ctx.grid = (Rgb) { 0.87, 0.87, 0.88 };
      ctx.bg = (Rgb) { 1, 1, 1 };
    }

  cairo_save (cr);
  if (chart->background)
    {
      set_rgb (cr, &ctx.bg, 1.0);
      cairo_rectangle (cr, 0, 0, width, height);
      cairo_fill (cr);
    }
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_clip (cr);

  top = draw_title (&ctx);

  switch (chart->kind)
    {
    case CT_CHART_LINE:
    case CT_CHART_BAR:
    case CT_CHART_STACKED_BAR:
      draw_category_chart (&ctx, top);
      break;
    case CT_CHART_DONUT:
      draw_donut (&ctx, top);
      break;
    case CT_CHART_FUNNEL:
      draw_funnel (&ctx, top);
      break;
    case CT_CHART_HEATMAP:
      draw_heatmap (&ctx, top);
      break;
    case CT_CHART_SCATTER:
      draw_scatter (&ctx, top);
      break;
    default:
      g_assert_not_reached ();
    }

  cairo_restore (cr);
}

gboolean
ct_chart_is_empty (CtChart *chart)
{
  return chart->empty;
}

const double *
ct_chart_get_ticks (CtChart     *chart,
                    CtChartAxis  axis,
                    guint       *n_ticks)
{
  g_return_val_if_fail (axis <= CT_CHART_AXIS_Y, NULL);
  *n_ticks = chart->axes[axis].ticks->len;
  return (const double *) (gpointer) chart->axes[axis].ticks->data;
}

GArray *
ct_chart_get_text_boxes (CtChart *chart)
{
  return chart->text_boxes;
}

GPtrArray *
ct_chart_get_texts (CtChart *chart)
{
  return chart->texts;
}

CtChartRect
ct_chart_get_plot_area (CtChart *chart)
{
  return chart->plot;
}

static gboolean
region_contains (const Region *r,
                 double        x,
                 double        y,
                 double       *distance)
{
  switch (r->shape)
    {
    case REGION_RECT:
      *distance = 0;
      return x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h;
    case REGION_POINT:
      *distance = hypot (x - r->x, y - r->y);
      return *distance <= POINT_HIT_RADIUS;
    case REGION_SECTOR:
      {
        double d = hypot (x - r->x, y - r->y);
        double a = atan2 (y - r->y, x - r->x);

        *distance = 0;
        if (d < r->r0 || d > r->r1)
          return FALSE;
        /* Sectors start at -π/2 and may run past π. */
        while (a < r->a0)
          a += 2 * G_PI;
        return a <= r->a1;
      }
    default:
      return FALSE;
    }
}

/**
 * ct_chart_hit_test:
 * @hit: (inout caller-allocates): zeroed or from an earlier call, whose
 *   strings are freed; filled in; ct_chart_hit_clear() it when done
 *
 * Returns: whether something of the last drawing is at (@x, @y)
 */
gboolean
ct_chart_hit_test (CtChart    *chart,
                   double      x,
                   double      y,
                   CtChartHit *hit)
{
  const Region *best = NULL;
  double best_distance = G_MAXDOUBLE;
  Series *series;
  CtChartAxis value_axis = CT_CHART_AXIS_Y;
  g_autofree char *value = NULL;

  g_return_val_if_fail (hit != NULL, FALSE);
  /* What a previous call left in @hit goes first. */
  ct_chart_hit_clear (hit);

  /* The nearest point wins among scatter points; otherwise the last
   * region drawn (legend entries come after the plot's). */
  for (guint i = 0; i < chart->regions->len; i++)
    {
      const Region *r = &g_array_index (chart->regions, Region, i);
      double distance;

      if (region_contains (r, x, y, &distance) && distance <= best_distance)
        {
          best = r;
          best_distance = distance;
        }
    }
  if (best == NULL)
    return FALSE;

  hit->series = best->series;
  hit->index = best->index;
  if (best->series < 0 || (guint) best->series >= chart->series->len)
    return best->series >= 0;

  series = get_series (chart, best->series);
  if (best->index < 0)
    {
      /* A legend entry: the whole series. */
      hit->label = g_strdup (series->name);
      hit->text = g_strdup (series->name);
      return TRUE;
    }

  hit->value = (guint) best->index < series->n ? series->values[best->index] : NAN;
  value = format_unit (chart, chart->axes[value_axis].unit, hit->value, FALSE);

  switch (chart->kind)
    {
    case CT_CHART_SCATTER:
      {
        g_autofree char *xv = NULL;

        hit->x_value = series->x[best->index];
        hit->label = g_strdup (series->name);
        xv = format_unit (chart, chart->axes[CT_CHART_AXIS_X].unit, hit->x_value, FALSE);
        /* Translators: a scatter point's tooltip: "Cluster 2 · Recency: 40 · Spent: ¥350.00" */
        hit->text = g_strdup_printf (_("%s · %s: %s · %s: %s"), series->name,
                                     chart->axes[CT_CHART_AXIS_X].title ? chart->axes[CT_CHART_AXIS_X].title : "x", xv,
                                     chart->axes[CT_CHART_AXIS_Y].title ? chart->axes[CT_CHART_AXIS_Y].title : "y", value);
        break;
      }
    case CT_CHART_HEATMAP:
      hit->label = g_strdup (series->name);
      /* Translators: a heatmap cell's tooltip: "2025-03 · 2: 12%" (row · column: value) */
      hit->text = g_strdup_printf (_("%s · %s: %s"), series->name, chart->categories[best->index], value);
      break;
    case CT_CHART_DONUT:
    case CT_CHART_FUNNEL:
      {
        double total = 0;

        for (guint c = 0; c < series->n; c++)
          if (isfinite (series->values[c]) && series->values[c] > 0)
            total += chart->kind == CT_CHART_DONUT ? series->values[c] : 0;
        if (chart->kind == CT_CHART_FUNNEL)
          total = isfinite (series->values[0]) ? series->values[0] : 0;
        hit->label = g_strdup (chart->categories[best->index]);
        if (total > 0)
          /* Translators: a slice's or stage's tooltip: "Champions: 1,234 (12.5%)" */
          hit->text = g_strdup_printf (_("%s: %s (%.1f%%)"), hit->label, value, 100.0 * hit->value / total);
        else
          hit->text = g_strdup_printf ("%s: %s", hit->label, value);
        break;
      }
    default:
      hit->label = g_strdup (chart->categories[best->index]);
      if (chart->series->len > 1)
        /* Translators: a bar's or a month's tooltip: "2025-03 · Revenue: ¥12,345.00" */
        hit->text = g_strdup_printf (_("%s · %s: %s"), hit->label, series->name, value);
      else
        hit->text = g_strdup_printf ("%s: %s", hit->label, value);
      break;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Export */

static gboolean
check_surface (cairo_surface_t  *surface,
               const char       *path,
               GError          **error)
{
  cairo_status_t status = cairo_surface_status (surface);

  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;

  {
    g_autofree char *display = g_filename_display_name (path);

    /* Translators: "Could not write “chart.png”: error while writing to output stream" */
    g_set_error (error, CT_CHART_ERROR, CT_CHART_ERROR_WRITE,
                 _("Could not write “%s”: %s"), display, cairo_status_to_string (status));
  }
  return FALSE;
}

gboolean
ct_chart_export_png (CtChart     *chart,
                     const char  *path,
                     int          width,
                     int          height,
                     double       scale,
                     GError     **error)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;
  gboolean saved_background = chart->background;
  gboolean ok;

  g_return_val_if_fail (chart != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (width > 0 && height > 0 && scale > 0, FALSE);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32,
                                        (int) ceil (width * scale), (int) ceil (height * scale));
  cr = cairo_create (surface);
  cairo_scale (cr, scale, scale);
  chart->background = TRUE;
  ct_chart_draw (chart, cr, width, height);
  chart->background = saved_background;
  cairo_destroy (cr);

  status = cairo_surface_write_to_png (surface, path);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, CT_CHART_ERROR, CT_CHART_ERROR_WRITE,
                   _("Could not write “%s”: %s"), display, cairo_status_to_string (status));
      ok = FALSE;
    }
  else
    ok = TRUE;
  cairo_surface_destroy (surface);
  return ok;
}

gboolean
ct_chart_export_svg (CtChart     *chart,
                     const char  *path,
                     double       width,
                     double       height,
                     GError     **error)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  gboolean saved_background = chart->background;
  gboolean ok;

  g_return_val_if_fail (chart != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (width > 0 && height > 0, FALSE);

  surface = cairo_svg_surface_create (path, width, height);
  if (!check_surface (surface, path, error))
    {
      cairo_surface_destroy (surface);
      return FALSE;
    }
  cr = cairo_create (surface);
  chart->background = TRUE;
  ct_chart_draw (chart, cr, width, height);
  chart->background = saved_background;
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  ok = check_surface (surface, path, error);
  cairo_surface_destroy (surface);
  return ok;
}
