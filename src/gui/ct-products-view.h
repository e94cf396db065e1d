/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-products-view.h: the Products page: list, add, edit */
#pragma once

#include <adwaita.h>
#include "ct-context.h"

G_BEGIN_DECLS

#define CT_TYPE_PRODUCTS_VIEW (ct_products_view_get_type ())
G_DECLARE_FINAL_TYPE (CtProductsView, ct_products_view, CT, PRODUCTS_VIEW, AdwBin)

/* Property "context" (CtContext, may be set once after construction). */
GtkWidget *ct_products_view_new         (CtContext      *context);
void       ct_products_view_set_context (CtProductsView *self,
                                         CtContext      *context);
/* Opens the product editor over the window: for the product with @id, or
 * for a new product when @id is 0. Returns: (transfer none) (nullable):
 * the editor window, NULL when the product cannot be loaded (the reason
 * is shown as a toast). */
GtkWindow *ct_products_view_edit_product (CtProductsView *self,
                                          gint64          id);
/* What Export does once a file is chosen: the products as listed go to
 * @file as CSV in the background; a toast says how many when written. */
void       ct_products_view_export      (CtProductsView *self,
                                         GFile          *file,
                                         gboolean        bom);

G_END_DECLS
