/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-contact-detail.h: one contact's editable profile, tags and purchases */
#pragma once

#include <adwaita.h>
#include "ct-context.h"

G_BEGIN_DECLS

#define CT_TYPE_CONTACT_DETAIL (ct_contact_detail_get_type ())
G_DECLARE_FINAL_TYPE (CtContactDetail, ct_contact_detail, CT, CONTACT_DETAIL, AdwBin)

/* Property "contact-id" (gint64, read-only): the contact shown, 0 for
 * none or a new contact not saved yet; notifies when a new contact is
 * saved, deleted, or put back by Undo. */
GtkWidget *ct_contact_detail_new         (void);
void       ct_contact_detail_set_context (CtContactDetail *self,
                                          CtContext       *context);
/* Shows the contact with @id, or an empty state for 0. */
void       ct_contact_detail_set_contact (CtContactDetail *self,
                                          gint64           id);
gint64     ct_contact_detail_get_contact (CtContactDetail *self);
/* Shows an empty profile; Save adds it as a new contact. */
void       ct_contact_detail_new_contact (CtContactDetail *self);
/* Whether the form holds edits that Save has not stored yet. */
gboolean   ct_contact_detail_has_unsaved_changes (CtContactDetail *self);
/* What Save does; FALSE when the profile was refused, with the reason
 * shown in the pane and everything typed kept. */
gboolean   ct_contact_detail_save        (CtContactDetail *self);
/* The name shown as the pane's title. */
const char *ct_contact_detail_get_title  (CtContactDetail *self);
/* What "Export Personal Data…" does once a file is chosen: everything
 * held about the contact with @id (the one shown when 0) as JSON in
 * @file, then a toast. */
gboolean   ct_contact_detail_export_data (CtContactDetail *self,
                                          gint64           id,
                                          GFile           *file,
                                          GError         **error);

G_END_DECLS
