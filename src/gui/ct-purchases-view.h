/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-purchases-view.h: the Purchases page: filters, list, add */
#pragma once

#include <adwaita.h>
#include "ct-context.h"

G_BEGIN_DECLS

#define CT_TYPE_PURCHASES_VIEW (ct_purchases_view_get_type ())
G_DECLARE_FINAL_TYPE (CtPurchasesView, ct_purchases_view, CT, PURCHASES_VIEW, AdwBin)

/* Property "context" (CtContext, may be set once after construction). */
GtkWidget *ct_purchases_view_new         (CtContext       *context);
void       ct_purchases_view_set_context (CtPurchasesView *self,
                                          CtContext       *context);
/* What Export does once a file is chosen: the purchases as listed (with
 * the filters) go to @file as CSV in the background; a toast says how
 * many when it is written. */
void       ct_purchases_view_export      (CtPurchasesView *self,
                                          GFile           *file,
                                          gboolean         bom);

G_END_DECLS
