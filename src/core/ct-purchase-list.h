/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-purchase-list.h: the purchases list model: filters, newest first, paged */
#pragma once

#include "ct-paged-list.h"
#include "ct-purchase.h"

G_BEGIN_DECLS

typedef struct
{
  gint64 from;        /* Unix seconds, inclusive; 0 for no lower bound */
  gint64 to;          /* Unix seconds, exclusive; 0 for no upper bound */
  gint64 product_id;  /* 0 for any */
  gint64 channel_id;  /* 0 for any */
  gint64 contact_id;  /* 0 for any (a contact's timeline) */
} CtPurchaseFilter;

/* Returns: (transfer full): a CtPagedList of CtPurchase, newest first,
 * refreshed by itself on CtDb::changed("purchases"), ("contacts") and
 * ("products"). */
CtPagedList *ct_purchase_list_new        (CtDb                   *db);
gboolean     ct_purchase_list_set_filter (CtPagedList            *list,
                                          const CtPurchaseFilter *filter,
                                          GError                **error);
/* Sum of the amounts (not refunded) matching the current filter, for the
 * list footer; per currency would be overkill here: sums the main currency. */
gint64       ct_purchase_list_get_total  (CtPagedList            *list);

/* Additions (A2). */

/* The current filter, copied into @filter. */
void         ct_purchase_list_get_filter (CtPagedList            *list,
                                          CtPurchaseFilter       *filter);
/* Like ct_purchase_list_get_total(), and says which currency the total is
 * in: the one most of the matching purchases use ("CNY" when none).
 * @currency_out: (out) (optional) (transfer full) */
gint64       ct_purchase_list_get_total_in (CtPagedList          *list,
                                            char                **currency_out);

G_END_DECLS
