/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-loyalty-page.h: the Loyalty page of Preferences: tiers, the grace
 * before downgrades, points earned and their expiry */
#pragma once

#include <adwaita.h>
#include "ct-context.h"

G_BEGIN_DECLS

#define CT_TYPE_LOYALTY_PAGE (ct_loyalty_page_get_type ())
G_DECLARE_FINAL_TYPE (CtLoyaltyPage, ct_loyalty_page, CT, LOYALTY_PAGE, AdwPreferencesPage)

GtkWidget *ct_loyalty_page_new (CtContext *context);

G_END_DECLS
