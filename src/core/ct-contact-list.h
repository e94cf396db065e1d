/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-contact-list.h: the contacts list model: search and sort, paged */
#pragma once

#include "ct-paged-list.h"
#include "ct-contact.h"

G_BEGIN_DECLS

typedef enum
{
  CT_CONTACT_SORT_NAME,
  CT_CONTACT_SORT_EMAIL,
  CT_CONTACT_SORT_PHONE,
  CT_CONTACT_SORT_CHANNEL,
  CT_CONTACT_SORT_STATUS,
  CT_CONTACT_SORT_CREATED,
  CT_CONTACT_SORT_PURCHASES,
  CT_CONTACT_SORT_TOTAL_SPENT,
  CT_CONTACT_SORT_LAST_PURCHASE,
} CtContactSort;

/* Returns: (transfer full): a CtPagedList of CtContact, all contacts sorted
 * by name, refreshed by itself on CtDb::changed("contacts") and
 * changed("purchases"). */
CtPagedList *ct_contact_list_new        (CtDb          *db);
/* Case-insensitive substring over name (either order), email, phone,
 * company and tag names; "" or NULL for all. Items-changed follows. */
gboolean     ct_contact_list_set_search (CtPagedList   *list,
                                         const char    *text,
                                         GError       **error);
gboolean     ct_contact_list_set_sort   (CtPagedList   *list,
                                         CtContactSort  sort,
                                         gboolean       descending,
                                         GError       **error);

G_END_DECLS
