/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-dashboard-view.h: the Dashboard page: key figures and charts of a period */
#pragma once

#include <adwaita.h>
#include "ct-context.h"

G_BEGIN_DECLS

#define CT_TYPE_DASHBOARD_VIEW (ct_dashboard_view_get_type ())
G_DECLARE_FINAL_TYPE (CtDashboardView, ct_dashboard_view, CT, DASHBOARD_VIEW, AdwBin)

/* Property "context" (CtContext, may be set once after construction).
 * Signal "open-contacts" (const char *search): a click on a segment asks
 * for the contacts that match @search on the Contacts page. */
GtkWidget *ct_dashboard_view_new         (CtContext       *context);
void       ct_dashboard_view_set_context (CtDashboardView *self,
                                          CtContext       *context);
/* Reads the figures again (in the background). */
void       ct_dashboard_view_reload      (CtDashboardView *self);
/* Prints the report of the period shown through GtkPrintOperation: with
 * the print dialog, or straight to the PDF @export_path when not %NULL. */
gboolean   ct_dashboard_view_print       (CtDashboardView *self,
                                          const char      *export_path,
                                          GError         **error);

G_END_DECLS
