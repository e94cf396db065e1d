/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-contacts-view.h: the Contacts page: searchable list and detail pane */
#pragma once

#include <adwaita.h>
#include "ct-context.h"

G_BEGIN_DECLS

#define CT_TYPE_CONTACTS_VIEW (ct_contacts_view_get_type ())
G_DECLARE_FINAL_TYPE (CtContactsView, ct_contacts_view, CT, CONTACTS_VIEW, AdwBin)

GtkWidget *ct_contacts_view_new         (CtContext      *context);
void       ct_contacts_view_set_context (CtContactsView *self,
                                         CtContext      *context);
/* Puts @text in the search entry (as if typed). */
void       ct_contacts_view_search      (CtContactsView *self,
                                         const char     *text);

G_END_DECLS
