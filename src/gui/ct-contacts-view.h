/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-contacts-view.h: the Contacts page: searchable list and detail pane */
#pragma once

#include <adwaita.h>
#include "ct-contact-list.h"
#include "ct-context.h"
#include "ct-export-ui.h"

G_BEGIN_DECLS

#define CT_TYPE_CONTACTS_VIEW (ct_contacts_view_get_type ())
G_DECLARE_FINAL_TYPE (CtContactsView, ct_contacts_view, CT, CONTACTS_VIEW, AdwBin)

GtkWidget *ct_contacts_view_new          (CtContext      *context);
void       ct_contacts_view_set_context  (CtContactsView *self,
                                          CtContext      *context);
/* Puts @text in the search entry (as if typed). */
void       ct_contacts_view_search       (CtContactsView *self,
                                          const char     *text);
/* Shows only the contacts of @filter with @id, with a bar above the
 * list saying so and a button there to show all again. */
void       ct_contacts_view_set_filter   (CtContactsView  *self,
                                          CtContactFilter  filter,
                                          gint64           id);
/* Moves the keyboard focus to the search entry. */
void       ct_contacts_view_focus_search (CtContactsView *self);
/* Opens an empty profile in the detail pane for a new contact. */
void       ct_contacts_view_new_contact  (CtContactsView *self);
/* Selects the contact with @id in the list and shows it in the detail
 * pane; FALSE when the list (as searched) does not hold it. */
gboolean   ct_contacts_view_select       (CtContactsView *self,
                                          gint64          id);
/* What Export does once a file is chosen: the contacts as listed
 * (searched and sorted) go to @file in the background; a toast says how
 * many when it is written. */
void       ct_contacts_view_export       (CtContactsView *self,
                                          CtExportFormat  format,
                                          GFile          *file,
                                          gboolean        bom);

G_END_DECLS
