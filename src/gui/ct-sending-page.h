/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-sending-page.h: the Sending page of Preferences: the business's
 * name, the mail provider, its key, the sender's details, the sending
 * rate and the campaigns' attribution window */
#pragma once

#include <adwaita.h>
#include "ct-context.h"

G_BEGIN_DECLS

#define CT_TYPE_SENDING_PAGE (ct_sending_page_get_type ())
G_DECLARE_FINAL_TYPE (CtSendingPage, ct_sending_page, CT, SENDING_PAGE, AdwPreferencesPage)

CtSendingPage *ct_sending_page_new          (CtContext     *context);

/* For tests: what the fields hold, Save and Test connection. */
void           ct_sending_page_fill         (CtSendingPage *self,
                                             guint          provider,
                                             const char    *base_url,
                                             const char    *from,
                                             const char    *postal_address,
                                             const char    *api_key);
/* For tests: the business name, sending rate (messages per second, 0:
 * the provider's) and attribution window (days). */
void           ct_sending_page_fill_business (CtSendingPage *self,
                                              const char    *business_name,
                                              double         message_rate,
                                              guint          window_days);
gboolean       ct_sending_page_save         (CtSendingPage *self);
void           ct_sending_page_test         (CtSendingPage *self);
gboolean       ct_sending_page_is_testing   (CtSendingPage *self);
const char    *ct_sending_page_get_status   (CtSendingPage *self);

G_END_DECLS
