/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-report.h: the PDF report of a period, page by page on any cairo_t
 *
 * The same pages go to a PDF file (ct_report_write_pdf()) and to a
 * printer (GtkPrintOperation's draw-page calls ct_report_draw_page()).
 */
#pragma once

#include <cairo.h>

#include "ct-dashboard.h"

G_BEGIN_DECLS

#define CT_REPORT_ERROR (ct_report_error_quark ())

typedef enum
{
  CT_REPORT_ERROR_WRITE,   /* the file could not be written */
} CtReportError;

GQuark ct_report_error_quark (void);

/* A4 in PostScript points. */
#define CT_REPORT_A4_WIDTH  595.276
#define CT_REPORT_A4_HEIGHT 841.890

typedef struct _CtReport CtReport;

/* @dashboard is borrowed and must outlive the report. @business_name
 * (nullable): ct_report_dup_business_name()'s when %NULL is not wanted.
 * @generated_at: Unix seconds, shown on every page. @tz (nullable):
 * local time. Returns: (transfer full) */
CtReport  *ct_report_new            (const CtDashboard *dashboard,
                                     const char        *business_name,
                                     gint64             generated_at,
                                     GTimeZone         *tz);
void       ct_report_free           (CtReport          *report);

guint      ct_report_get_n_pages    (CtReport          *report);
/* Draws page @page (0-based) in (0, 0, @width, @height) points. */
void       ct_report_draw_page      (CtReport          *report,
                                     cairo_t           *cr,
                                     guint              page,
                                     double             width,
                                     double             height);
/* Writes every page to an A4 PDF at @path, vector charts and text. */
gboolean   ct_report_write_pdf      (CtReport          *report,
                                     const char        *path,
                                     GError           **error);

/* The name the report's cover shows: the "business.name" setting, or
 * the database file's name without its extension. Returns: (transfer full) */
char      *ct_report_dup_business_name (CtDb           *db,
                                        GError        **error);
/* Saves @name (nullable: removes it) as the business's name. */
gboolean   ct_report_set_business_name (CtDb           *db,
                                        const char     *name,
                                        GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtReport, ct_report_free)

G_END_DECLS
