/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-purchase-dialog.h: add a purchase (optionally for a given contact) */
#pragma once

#include <adwaita.h>
#include "ct-context.h"

G_BEGIN_DECLS

#define CT_TYPE_PURCHASE_DIALOG (ct_purchase_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CtPurchaseDialog, ct_purchase_dialog, CT, PURCHASE_DIALOG, AdwWindow)

/* A modal window over @parent. With @contact_id > 0 the contact is fixed;
 * otherwise the user picks one by searching name or email. Saving inserts
 * the purchase (the lists refresh through CtDb::changed) and closes. */
CtPurchaseDialog *ct_purchase_dialog_new (GtkWindow *parent,
                                          CtContext *context,
                                          gint64     contact_id);

G_END_DECLS
