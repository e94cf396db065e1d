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
  /* By the scores of the contact_metrics cache; contacts without one go
   * last in either direction. */
  CT_CONTACT_SORT_RFM_SEGMENT,    /* in CtRfmSegment order, Champions first */
  CT_CONTACT_SORT_LIFECYCLE,      /* in CtLifecycleStage order, potential first */
  CT_CONTACT_SORT_CLV_PREDICTIVE,
  CT_CONTACT_SORT_CHURN_RISK,
  CT_CONTACT_SORT_CLUSTER,
} CtContactSort;

/* Returns: (transfer full): a CtPagedList of CtContact, all contacts sorted
 * by name, refreshed by itself on CtDb::changed("contacts"),
 * changed("purchases") and changed("contact_metrics"). */
CtPagedList *ct_contact_list_new        (CtDb          *db);
/* Case-insensitive substring over name (either order), email, phone,
 * company and tag names, and over the translated names of the contact's
 * RFM segment and lifecycle stage; "" or NULL for all. Items-changed
 * follows. */
gboolean     ct_contact_list_set_search (CtPagedList   *list,
                                         const char    *text,
                                         GError       **error);
gboolean     ct_contact_list_set_sort   (CtPagedList   *list,
                                         CtContactSort  sort,
                                         gboolean       descending,
                                         GError       **error);

G_END_DECLS
