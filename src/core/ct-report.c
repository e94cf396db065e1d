/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-report.c: the PDF report of a period, page by page on any cairo_t
 *
 * Seven pages, always the same ones so that a reader finds things where
 * they were last quarter: the cover with the key figures; revenue over
 * time and by product; channels; RFM segments; the lifecycle funnel and
 * retention; clusters and the customers worth the most; the campaigns
 * sent in the period and what they brought. Each page has a
 * header (business and period) and a footer (page N of M, when and by
 * what it was made). Charts are drawn by ct-chart onto the page's own
 * cairo_t, so they stay vectors in the PDF; text goes through Pango, so
 * Chinese is embedded with its font.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "ct-campaign-results.h"
#include "ct-money.h"
#include "ct-report.h"

G_DEFINE_QUARK (ct-report-error-quark, ct_report_error)

#define MARGIN 48.0
#define N_PAGES 7
#define FONT "Sans"

struct _CtReport
{
  const CtDashboard *dashboard;
  char              *business_name;
  char              *period_text;
  char              *generated_text;
};

/**
 * ct_report_new:
 *
 * Returns: (transfer full): a report of @dashboard
 */
CtReport *
ct_report_new (const CtDashboard *dashboard,
               const char        *business_name,
               gint64             generated_at,
               GTimeZone         *tz)
{
  CtReport *report = g_new0 (CtReport, 1);
  g_autoptr(GTimeZone) zone = tz != NULL ? g_time_zone_ref (tz) : g_time_zone_new_local ();
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (generated_at);
  g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, zone);
  /* Translators: when a report was made, in g_date_time_format() style */
  g_autofree char *when = g_date_time_format (local, C_("report time", "%Y-%m-%d %H:%M"));

  g_return_val_if_fail (dashboard != NULL, NULL);

  report->dashboard = dashboard;
  report->business_name = g_strdup (business_name != NULL && *business_name != '\0'
                                    ? business_name : _("My business"));
  report->period_text = ct_period_format (&dashboard->period, zone);
  /* Translators: the footer of every page: "Generated on 2026-12-01 09:30 by Clientele 0.1.0" */
  report->generated_text = g_strdup_printf (_("Generated on %s by Clientele %s"), when, PACKAGE_VERSION);
  return report;
}

void
ct_report_free (CtReport *report)
{
  if (report == NULL)
    return;
  g_free (report->business_name);
  g_free (report->period_text);
  g_free (report->generated_text);
  g_free (report);
}

guint
ct_report_get_n_pages (CtReport *report)
{
  return N_PAGES;
}

/* ------------------------------------------------------------------ */
/* Text and tables */

typedef struct
{
  CtReport *report;
  cairo_t  *cr;
  double    width;
  double    height;
  double    y;          /* where the next block goes */
} Page;

static PangoLayout *
make_layout (cairo_t    *cr,
             const char *text,
             double      size,
             gboolean    bold,
             double      max_width)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  g_autoptr(PangoFontDescription) font = pango_font_description_new ();

  pango_font_description_set_family (font, FONT);
  pango_font_description_set_absolute_size (font, size * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, text, -1);
  if (max_width > 0)
    {
      pango_layout_set_width (layout, (int) (max_width * PANGO_SCALE));
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
    }
  return layout;
}

/* Draws @text at (@x, @y) top left, wrapped to @max_width when > 0;
 * returns its height. */
static double
text_at (cairo_t    *cr,
         const char *text,
         double      size,
         gboolean    bold,
         double      x,
         double      y,
         double      max_width,
         double      grey)
{
  g_autoptr(PangoLayout) layout = make_layout (cr, text, size, bold, max_width);
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  cairo_save (cr);
  cairo_set_source_rgb (cr, grey, grey, grey);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
  return (double) logical.height / PANGO_SCALE;
}

static double
text_width (cairo_t    *cr,
            const char *text,
            double      size,
            gboolean    bold)
{
  g_autoptr(PangoLayout) layout = make_layout (cr, text, size, bold, 0);
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  return (double) logical.width / PANGO_SCALE;
}

static void
heading (Page       *page,
         const char *text)
{
  page->y += text_at (page->cr, text, 14, TRUE, MARGIN, page->y, page->width - 2 * MARGIN, 0.1) + 8;
}

typedef struct
{
  const char *title;
  double      share;     /* of the table's width */
  gboolean    numeric;   /* right-aligned */
} Column;

/* A table: a bold header and @n_rows rows of @n_columns cells, each
 * ellipsized to its column; thin rules between rows. */
static void
table (Page          *page,
       const Column  *columns,
       guint          n_columns,
       char         **cells,
       guint          n_rows)
{
  cairo_t *cr = page->cr;
  double total_w = page->width - 2 * MARGIN;
  double row_h = 16;

  for (guint r = 0; r <= n_rows; r++)
    {
      double x = MARGIN;

      for (guint c = 0; c < n_columns; c++)
        {
          const char *text = r == 0 ? columns[c].title : cells[(r - 1) * n_columns + c];
          double col_w = total_w * columns[c].share;
          g_autoptr(PangoLayout) layout = make_layout (cr, text != NULL ? text : "", 9, r == 0, 0);

          pango_layout_set_width (layout, (int) ((col_w - 6) * PANGO_SCALE));
          pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
          pango_layout_set_alignment (layout, columns[c].numeric ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
          cairo_save (cr);
          cairo_set_source_rgb (cr, r == 0 ? 0.25 : 0.1, r == 0 ? 0.25 : 0.1, r == 0 ? 0.25 : 0.1);
          cairo_move_to (cr, x + (columns[c].numeric ? 0 : 0), page->y + 3);
          pango_cairo_show_layout (cr, layout);
          cairo_restore (cr);
          x += col_w;
        }
      page->y += row_h;
      cairo_save (cr);
      cairo_set_source_rgb (cr, r == 0 ? 0.5 : 0.85, r == 0 ? 0.5 : 0.85, r == 0 ? 0.5 : 0.85);
      cairo_set_line_width (cr, r == 0 ? 0.8 : 0.4);
      cairo_move_to (cr, MARGIN, page->y + 0.5);
      cairo_line_to (cr, MARGIN + total_w, page->y + 0.5);
      cairo_stroke (cr);
      cairo_restore (cr);
    }
  page->y += 14;
}

static void
chart (Page             *page,
       CtDashboardChart  which,
       double            height)
{
  g_autoptr(CtChart) c = ct_dashboard_make_chart (page->report->dashboard, which, FALSE);

  cairo_save (page->cr);
  cairo_translate (page->cr, MARGIN, page->y);
  ct_chart_draw (c, page->cr, page->width - 2 * MARGIN, height);
  cairo_restore (page->cr);
  page->y += height + 12;
}

static char *
format_count (gint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%lld", (long long) (n < 0 ? -n : n));
  GString *out = g_string_new (n < 0 ? "-" : "");
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

static void
free_cells (char   **cells,
            gsize    n)
{
  for (gsize i = 0; i < n; i++)
    g_free (cells[i]);
  g_free (cells);
}

/* ------------------------------------------------------------------ */
/* Pages */

static void
draw_frame (Page  *page,
            guint  number)
{
  CtReport *report = page->report;
  cairo_t *cr = page->cr;
  g_autofree char *header = g_strdup_printf ("%s · %s", report->business_name, report->period_text);
  /* Translators: a page's number in the report's footer */
  g_autofree char *page_text = g_strdup_printf (_("Page %u of %u"), number + 1, N_PAGES);
  double pw = text_width (cr, page_text, 8, FALSE);

  if (number > 0)
    {
      text_at (cr, header, 8, FALSE, MARGIN, MARGIN / 2, page->width - 2 * MARGIN, 0.45);
      cairo_save (cr);
      cairo_set_source_rgb (cr, 0.8, 0.8, 0.8);
      cairo_set_line_width (cr, 0.5);
      cairo_move_to (cr, MARGIN, MARGIN - 6.5);
      cairo_line_to (cr, page->width - MARGIN, MARGIN - 6.5);
      cairo_stroke (cr);
      cairo_restore (cr);
    }
  text_at (cr, report->generated_text, 8, FALSE, MARGIN, page->height - MARGIN / 2 - 10,
           page->width - 3 * MARGIN - pw, 0.45);
  text_at (cr, page_text, 8, FALSE, page->width - MARGIN - pw, page->height - MARGIN / 2 - 10, 0, 0.45);
}

static void
page_cover (Page *page)
{
  CtReport *report = page->report;
  const CtDashboard *d = report->dashboard;
  static const Column columns[] = {
    { N_("Key figure"), 0.40, FALSE },
    { N_("This period"), 0.20, TRUE },
    { N_("Previous period"), 0.20, TRUE },
    { N_("Change"), 0.20, TRUE },
  };
  Column translated[G_N_ELEMENTS (columns)];
  char **cells = g_new0 (char *, CT_KPI_N * 4);
  g_autofree char *previous = NULL;
  CtPeriod prev = d->previous;

  page->y = MARGIN + 120;
  page->y += text_at (page->cr, report->business_name, 28, TRUE, MARGIN, page->y, page->width - 2 * MARGIN, 0.1) + 6;
  page->y += text_at (page->cr, _("Customer report"), 18, FALSE, MARGIN, page->y, page->width - 2 * MARGIN, 0.3) + 18;
  page->y += text_at (page->cr, report->period_text, 13, FALSE, MARGIN, page->y, page->width - 2 * MARGIN, 0.2) + 4;
  {
    g_autofree char *prev_text = ct_period_format (&prev, NULL);

    /* Translators: "Compared with 1 Sep 2024 – 30 Nov 2024" */
    previous = g_strdup_printf (_("Compared with %s"), prev_text);
  }
  page->y += text_at (page->cr, previous, 10, FALSE, MARGIN, page->y, page->width - 2 * MARGIN, 0.45) + 4;
  {
    g_autofree char *currency = g_strdup_printf (_("Amounts in %s"), d->currency);

    page->y += text_at (page->cr, currency, 10, FALSE, MARGIN, page->y, page->width - 2 * MARGIN, 0.45) + 40;
  }

  heading (page, _("Key figures"));
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    translated[i] = (Column) { _(columns[i].title), columns[i].share, columns[i].numeric };
  for (guint k = 0; k < CT_KPI_N; k++)
    {
      cells[k * 4] = g_strdup (ct_kpi_get_label (k));
      cells[k * 4 + 1] = ct_dashboard_format_kpi (d, k, FALSE, FALSE);
      cells[k * 4 + 2] = ct_dashboard_format_kpi (d, k, TRUE, FALSE);
      cells[k * 4 + 3] = ct_dashboard_format_change (d, k, NULL);
    }
  table (page, translated, G_N_ELEMENTS (columns), cells, CT_KPI_N);
  free_cells (cells, CT_KPI_N * 4);

  {
    /* What the figures mean, since the previous-period column of the
     * forecast is not a forecast. */
    const char *notes = _("Customers, repeat purchase and conversion rates are counted at the end of each period. "
                          "The predicted revenue comes from the last analysis and is compared with the revenue of the 90 days before it.");

    page->y += text_at (page->cr, notes, 8.5, FALSE, MARGIN, page->y, page->width - 2 * MARGIN, 0.45);
  }
  if (!d->has_analysis)
    text_at (page->cr, _("No analysis has been run yet: segments, clusters and lifetime values are missing. Run “clientele analyze” or open the Dashboard first."),
             9, TRUE, MARGIN, page->y + 10, page->width - 2 * MARGIN, 0.3);
}

static void
page_revenue (Page *page)
{
  double h = (page->height - page->y - MARGIN - 24) / 2;

  heading (page, _("Revenue"));
  chart (page, CT_DASHBOARD_CHART_REVENUE, h);
  chart (page, CT_DASHBOARD_CHART_PRODUCTS, h);
}

static void
page_channels (Page *page)
{
  const CtDashboard *d = page->report->dashboard;
  const Column columns[] = {
    { _("Channel"), 0.34, FALSE },
    { _("Spend"), 0.22, TRUE },
    { _("New customers"), 0.20, TRUE },
    { _("Cost per new customer"), 0.24, TRUE },
  };
  guint n = d->channels->len;
  char **cells = g_new0 (char *, MAX (n, 1) * 4);
  double h = 190;

  heading (page, _("Channels"));
  chart (page, CT_DASHBOARD_CHART_CHANNEL_CUSTOMERS, h);
  chart (page, CT_DASHBOARD_CHART_CHANNEL_COST, h);
  for (guint i = 0; i < n; i++)
    {
      const CtChannelCost *c = &g_array_index (d->channels, CtChannelCost, i);

      cells[i * 4] = g_strdup (c->name);
      cells[i * 4 + 1] = ct_money_format (c->spend, d->currency);
      cells[i * 4 + 2] = format_count (c->new_customers);
      cells[i * 4 + 3] = ct_channel_cost_format (c, d->currency);
    }
  if (n == 0)
    text_at (page->cr, _("No channels yet: channels come with contacts’ sources and with the spend entered in Preferences."),
             9, FALSE, MARGIN, page->y, page->width - 2 * MARGIN, 0.3);
  else
    table (page, columns, G_N_ELEMENTS (columns), cells, n);
  free_cells (cells, MAX (n, 1) * 4);
}

static void
page_segments (Page *page)
{
  const CtDashboard *d = page->report->dashboard;
  const Column columns[] = {
    { _("Segment"), 0.28, FALSE },
    { _("Customers"), 0.15, TRUE },
    { _("Share"), 0.12, TRUE },
    { _("Revenue"), 0.25, TRUE },
    { _("Revenue share"), 0.20, TRUE },
  };
  char **cells = g_new0 (char *, CT_RFM_N_SEGMENTS * 5);
  gint64 customers = 0, revenue = 0;

  heading (page, _("RFM segments"));
  chart (page, CT_DASHBOARD_CHART_SEGMENTS, 270);
  for (guint s = 0; s < CT_RFM_N_SEGMENTS; s++)
    customers += d->segment_counts[s], revenue += d->segment_revenue[s];
  for (guint s = 0; s < CT_RFM_N_SEGMENTS; s++)
    {
      cells[s * 5] = g_strdup (ct_rfm_segment_get_label (s));
      cells[s * 5 + 1] = format_count (d->segment_counts[s]);
      cells[s * 5 + 2] = customers > 0 ? g_strdup_printf ("%.1f%%", 100.0 * d->segment_counts[s] / customers) : g_strdup ("—");
      cells[s * 5 + 3] = ct_money_format (d->segment_revenue[s], d->currency);
      cells[s * 5 + 4] = revenue > 0 ? g_strdup_printf ("%.1f%%", 100.0 * d->segment_revenue[s] / revenue) : g_strdup ("—");
    }
  if (d->has_analysis)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (d->analysis_as_of);
      g_autoptr(GDateTime) local = g_date_time_to_local (utc);
      g_autofree char *date = g_date_time_format (local, "%Y-%m-%d");
      /* Translators: segments are those of the last analysis: "As of the analysis of 2026-11-30; revenue is what each segment's customers spent in all." */
      g_autofree char *note = g_strdup_printf (_("As of the analysis of %s; revenue is what each segment’s customers spent in all."), date);

      page->y += text_at (page->cr, note, 8.5, FALSE, MARGIN, page->y, page->width - 2 * MARGIN, 0.45) + 8;
    }
  table (page, columns, G_N_ELEMENTS (columns), cells, CT_RFM_N_SEGMENTS);
  free_cells (cells, CT_RFM_N_SEGMENTS * 5);
}

static void
page_lifecycle (Page *page)
{
  double h = (page->height - page->y - MARGIN - 24) / 2;

  heading (page, _("Lifecycle and retention"));
  chart (page, CT_DASHBOARD_CHART_FUNNEL, h * 0.8);
  chart (page, CT_DASHBOARD_CHART_RETENTION, h * 1.2);
}

static void
page_customers (Page *page)
{
  const CtDashboard *d = page->report->dashboard;
  const Column columns[] = {
    { _("Customer"), 0.30, FALSE },
    { _("Segment"), 0.22, FALSE },
    { _("Purchases"), 0.12, TRUE },
    { _("Spent"), 0.18, TRUE },
    { _("Predicted value"), 0.18, TRUE },
  };
  guint n = d->top_customers->len;
  char **cells = g_new0 (char *, MAX (n, 1) * 5);

  heading (page, _("Clusters and the most valuable customers"));
  chart (page, CT_DASHBOARD_CHART_CLUSTERS, 300);
  heading (page, _("Top customers by predicted lifetime value"));
  for (guint i = 0; i < n; i++)
    {
      const CtTopCustomer *c = &g_array_index (d->top_customers, CtTopCustomer, i);

      cells[i * 5] = g_strdup (*c->name != '\0' ? c->name : c->email);
      cells[i * 5 + 1] = g_strdup (c->segment >= 0 ? ct_rfm_segment_get_label (c->segment) : "—");
      cells[i * 5 + 2] = format_count (c->frequency);
      cells[i * 5 + 3] = ct_money_format (c->monetary, d->currency);
      cells[i * 5 + 4] = ct_money_format (c->clv_predictive, d->currency);
    }
  if (n == 0)
    text_at (page->cr, _("No predicted lifetime values yet: run the analysis, with enough repeat customers to fit the models."),
             9, FALSE, MARGIN, page->y, page->width - 2 * MARGIN, 0.3);
  else
    table (page, columns, G_N_ELEMENTS (columns), cells, n);
  free_cells (cells, MAX (n, 1) * 5);
}

static void
page_campaigns (Page *page)
{
  const CtDashboard *d = page->report->dashboard;
  /* Ten columns do not fit a portrait page at a size one can read: the
   * mail's fate in one table, what it brought in the second, each
   * campaign by its name in both. */
  const Column mail_columns[] = {
    { _("Campaign"), 0.34, FALSE },
    /* Translators: a column of the report's campaigns: the day each was sent */
    { C_("campaign report", "Sent"), 0.16, FALSE },
    { ct_campaign_result_get_label (CT_CAMPAIGN_RESULT_RECIPIENTS), 0.125, TRUE },
    { ct_campaign_result_get_label (CT_CAMPAIGN_RESULT_DELIVERED), 0.125, TRUE },
    { ct_campaign_result_get_label (CT_CAMPAIGN_RESULT_OPENED), 0.125, TRUE },
    { ct_campaign_result_get_label (CT_CAMPAIGN_RESULT_CLICKED), 0.125, TRUE },
  };
  const Column sales_columns[] = {
    { _("Campaign"), 0.34, FALSE },
    { ct_campaign_result_get_label (CT_CAMPAIGN_RESULT_BOUNCED), 0.14, TRUE },
    { ct_campaign_result_get_label (CT_CAMPAIGN_RESULT_UNSUBSCRIBED), 0.16, TRUE },
    /* Translators: a column of the report's campaigns: purchases attributed to the campaign */
    { C_("campaign report", "Purchases"), 0.14, TRUE },
    { _("Revenue"), 0.22, TRUE },
  };
  enum { N_MAIL = G_N_ELEMENTS (mail_columns), N_SALES = G_N_ELEMENTS (sales_columns) };
  guint n = d->campaigns->len;
  /* As many rows as the page holds in two tables; the rest are counted
   * below them. */
  guint shown = MIN (n, (guint) MAX ((page->height - page->y - MARGIN - 150) / 32.0 - 1, 1));
  char **mail = g_new0 (char *, MAX (shown, 1) * N_MAIL);
  char **sales = g_new0 (char *, MAX (shown, 1) * N_SALES);
  gint64 other_currency = 0;

  heading (page, _("Campaigns"));
  {
    g_autofree char *note = g_strdup_printf (ngettext ("The campaigns sent in the period. A purchase counts for a campaign "
                                                       "when a recipient made it within %u day after the mail went to them.",
                                                       "The campaigns sent in the period. A purchase counts for a campaign "
                                                       "when a recipient made it within %u days after the mail went to them.",
                                                       CT_CAMPAIGN_DEFAULT_WINDOW_DAYS),
                                             CT_CAMPAIGN_DEFAULT_WINDOW_DAYS);

    page->y += text_at (page->cr, note, 8.5, FALSE, MARGIN, page->y, page->width - 2 * MARGIN, 0.45) + 10;
  }
  if (n == 0)
    {
      text_at (page->cr, _("No campaign was sent in this period."),
               9, FALSE, MARGIN, page->y, page->width - 2 * MARGIN, 0.3);
      g_free (mail);
      g_free (sales);
      return;
    }

  for (guint i = 0; i < n; i++)
    other_currency += ((const CtCampaignInfo *) g_ptr_array_index (d->campaigns, i))->other_currency;
  for (guint i = 0; i < shown; i++)
    {
      const CtCampaignInfo *info = g_ptr_array_index (d->campaigns, i);
      char **m = mail + (gsize) i * N_MAIL;
      char **s = sales + (gsize) i * N_SALES;
      const char *name = info->name != NULL && *info->name != '\0' ? info->name : info->subject;
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (info->launched_at);
      g_autoptr(GDateTime) local = g_date_time_to_local (utc);

      m[0] = g_strdup (name);
      m[1] = g_date_time_format (local, "%Y-%m-%d");
      m[2] = format_count (info->results[CT_CAMPAIGN_RESULT_RECIPIENTS]);
      m[3] = format_count (info->results[CT_CAMPAIGN_RESULT_DELIVERED]);
      m[4] = format_count (info->results[CT_CAMPAIGN_RESULT_OPENED]);
      m[5] = format_count (info->results[CT_CAMPAIGN_RESULT_CLICKED]);
      s[0] = g_strdup (name);
      s[1] = format_count (info->results[CT_CAMPAIGN_RESULT_BOUNCED]);
      s[2] = format_count (info->results[CT_CAMPAIGN_RESULT_UNSUBSCRIBED]);
      s[3] = format_count (info->purchases);
      s[4] = ct_money_format (info->revenue, info->currency != NULL ? info->currency : d->currency);
    }
  table (page, mail_columns, N_MAIL, mail, shown);
  table (page, sales_columns, N_SALES, sales, shown);
  free_cells (mail, MAX (shown, 1) * N_MAIL);
  free_cells (sales, MAX (shown, 1) * N_SALES);

  if (shown < n)
    {
      g_autofree char *more = g_strdup_printf (ngettext ("And %u more campaign, on the Campaigns page.",
                                                         "And %u more campaigns, on the Campaigns page.", n - shown),
                                               n - shown);

      page->y += text_at (page->cr, more, 8.5, FALSE, MARGIN, page->y, page->width - 2 * MARGIN, 0.45) + 6;
    }
  if (other_currency > 0)
    {
      g_autofree char *note = g_strdup_printf (ngettext ("%lld purchase in another currency is left out of the purchases and revenue.",
                                                         "%lld purchases in other currencies are left out of the purchases and revenue.",
                                                         (gulong) other_currency),
                                               (long long) other_currency);

      page->y += text_at (page->cr, note, 8.5, FALSE, MARGIN, page->y, page->width - 2 * MARGIN, 0.45) + 6;
    }
}

/**
 * ct_report_draw_page:
 * @cr: a PDF, print or image context
 */
void
ct_report_draw_page (CtReport *report,
                     cairo_t  *cr,
                     guint     number,
                     double    width,
                     double    height)
{
  Page page = { report, cr, width, height, MARGIN + 4 };

  g_return_if_fail (report != NULL);
  g_return_if_fail (number < N_PAGES);

  cairo_save (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_restore (cr);

  draw_frame (&page, number);
  switch (number)
    {
    case 0:
      page_cover (&page);
      break;
    case 1:
      page_revenue (&page);
      break;
    case 2:
      page_channels (&page);
      break;
    case 3:
      page_segments (&page);
      break;
    case 4:
      page_lifecycle (&page);
      break;
    case 5:
      page_customers (&page);
      break;
    case 6:
    default:
      page_campaigns (&page);
      break;
    }
}

/**
 * ct_report_write_pdf:
 *
 * Returns: %FALSE with CT_REPORT_ERROR_WRITE when @path cannot be written
 */
gboolean
ct_report_write_pdf (CtReport    *report,
                     const char  *path,
                     GError     **error)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;

  g_return_val_if_fail (report != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  surface = cairo_pdf_surface_create (path, CT_REPORT_A4_WIDTH, CT_REPORT_A4_HEIGHT);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, report->business_name);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Clientele " PACKAGE_VERSION);
  cr = cairo_create (surface);
  for (guint p = 0; p < N_PAGES; p++)
    {
      ct_report_draw_page (report, cr, p, CT_REPORT_A4_WIDTH, CT_REPORT_A4_HEIGHT);
      cairo_show_page (cr);
    }
  status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, CT_REPORT_ERROR, CT_REPORT_ERROR_WRITE,
                   _("Could not write the report to “%s”: %s"), display, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

/**
 * ct_report_dup_business_name:
 *
 * Returns: (transfer full): the business's name, never %NULL unless
 * @error is set
 */
char *
ct_report_dup_business_name (CtDb     *db,
                             GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *base = NULL;
  char *dot;
  int rc;

  stmt = ct_db_prepare (db, "SELECT value FROM settings WHERE key = 'business.name'", error);
  if (stmt == NULL)
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      g_autofree char *name = g_strstrip (g_strdup ((const char *) sqlite3_column_text (stmt, 0)));

      if (*name != '\0')
        return g_steal_pointer (&name);
    }
  else if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the business’s name"));
      return NULL;
    }

  /* No name set: the file's ("shop.db" → "shop") says which business it
   * is better than a made-up title; the default file's name says nothing. */
  base = g_filename_display_basename (ct_db_get_path (db));
  dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    *dot = '\0';
  if (g_ascii_strcasecmp (base, "clientele") == 0 || *base == '\0')
    return g_strdup (_("My business"));
  return g_steal_pointer (&base);
}

/**
 * ct_report_set_business_name:
 * @name: (nullable): the name; %NULL or blank removes it
 *
 * Saves the name the report's cover and header show (setting
 * "business.name"). Refuses more than one line or over 200 characters.
 */
gboolean
ct_report_set_business_name (CtDb        *db,
                             const char  *name,
                             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *clean = g_strstrip (g_strdup (name != NULL ? name : ""));
  int rc;

  if (!g_utf8_validate (clean, -1, NULL) || strchr (clean, '\n') != NULL || strchr (clean, '\r') != NULL)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("The business name must be one line of text"));
      return FALSE;
    }
  if (g_utf8_strlen (clean, -1) > 200)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("The business name is longer than 200 characters"));
      return FALSE;
    }
  if (*clean == '\0')
    stmt = ct_db_prepare (db, "DELETE FROM settings WHERE key = 'business.name'", error);
  else
    stmt = ct_db_prepare (db, "INSERT INTO settings (key, value) VALUES ('business.name', ?1)"
                              " ON CONFLICT (key) DO UPDATE SET value = excluded.value", error);
  if (stmt == NULL)
    return FALSE;
  if (*clean != '\0')
    sqlite3_bind_text (stmt, 1, clean, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not save the business name"));
      return FALSE;
    }
  ct_db_emit_changed (db, "settings");
  return TRUE;
}
