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

/* What the list is narrowed to, besides the search: where a chart of
 * the dashboard leads. */
typedef enum
{
  CT_CONTACT_FILTER_NONE,
  CT_CONTACT_FILTER_RFM_SEGMENT,   /* id: CtRfmSegment (contact_metrics) */
  CT_CONTACT_FILTER_FUNNEL_STAGE,  /* id: 0 potential .. 4 loyal, as ct_funnel_load() counts them now */
  CT_CONTACT_FILTER_CHANNEL,       /* id: the channel's row id; 0 no channel */
  CT_CONTACT_FILTER_CLUSTER,       /* id: the cluster, 0 .. k-1 (contact_metrics) */
  CT_CONTACT_FILTER_TIER,          /* id: the tier's level; not placed yet is level 0 */
} CtContactFilter;

/* Narrows the list to the contacts of @filter with @id, or all with
 * CT_CONTACT_FILTER_NONE. Items-changed follows. %FALSE with @error set
 * when the query fails (the list keeps its previous filter) or @id is
 * out of range (CT_DB_ERROR_INVALID). */
gboolean     ct_contact_list_set_filter (CtPagedList      *list,
                                         CtContactFilter   filter,
                                         gint64            id,
                                         GError          **error);
CtContactFilter ct_contact_list_get_filter (CtPagedList   *list,
                                            gint64        *id);
/* What the filter shows, for the bar above the list: "Channel: WeChat",
 * "Cluster 2". Returns: (transfer full): %NULL for CT_CONTACT_FILTER_NONE */
char        *ct_contact_filter_describe (CtDb             *db,
                                         CtContactFilter   filter,
                                         gint64            id);

G_END_DECLS
