/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-contact-detail.h: one contact's editable profile, tags and purchases */
#pragma once

#include <adwaita.h>
#include "ct-context.h"

G_BEGIN_DECLS

#define CT_TYPE_CONTACT_DETAIL (ct_contact_detail_get_type ())
G_DECLARE_FINAL_TYPE (CtContactDetail, ct_contact_detail, CT, CONTACT_DETAIL, AdwBin)

GtkWidget *ct_contact_detail_new         (void);
void       ct_contact_detail_set_context (CtContactDetail *self,
                                          CtContext       *context);
/* Shows the contact with @id, or an empty state for 0. */
void       ct_contact_detail_set_contact (CtContactDetail *self,
                                          gint64           id);
gint64     ct_contact_detail_get_contact (CtContactDetail *self);

G_END_DECLS
