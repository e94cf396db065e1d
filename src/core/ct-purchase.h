/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-purchase.h: purchases */
#pragma once

#include "ct-db.h"

G_BEGIN_DECLS

#define CT_TYPE_PURCHASE (ct_purchase_get_type ())
G_DECLARE_FINAL_TYPE (CtPurchase, ct_purchase, CT, PURCHASE, GObject)

/* Properties: "id", "contact-id" (0 for the anonymised purchases of an
 * erased contact), "contact-name" (read-only), "contact-email"
 * (read-only), "product-id" (0 for none), "product-name" (read-only),
 * "amount" (gint64 minor units), "currency", "amount-label" (read-only),
 * "purchased-at" (gint64 Unix seconds), "date-label" (read-only, local
 * "2025-03-14 09:30"), "channel-id", "channel" (read-only), "source",
 * "external-ref", "refunded" (boolean). */

CtPurchase   *ct_purchase_new               (void);
gint64        ct_purchase_get_id            (CtPurchase  *self);
gint64        ct_purchase_get_contact_id    (CtPurchase  *self);
void          ct_purchase_set_contact_id    (CtPurchase  *self,
                                             gint64       contact_id);
gint64        ct_purchase_get_product_id    (CtPurchase  *self);
void          ct_purchase_set_product_id    (CtPurchase  *self,
                                             gint64       product_id);
const char   *ct_purchase_get_product_name  (CtPurchase  *self);
gint64        ct_purchase_get_amount        (CtPurchase  *self);
void          ct_purchase_set_amount        (CtPurchase  *self,
                                             gint64       amount);
const char   *ct_purchase_get_currency      (CtPurchase  *self);
void          ct_purchase_set_currency      (CtPurchase  *self,
                                             const char  *currency);
gint64        ct_purchase_get_purchased_at  (CtPurchase  *self);
void          ct_purchase_set_purchased_at  (CtPurchase  *self,
                                             gint64       unix_seconds);
gint64        ct_purchase_get_channel_id    (CtPurchase  *self);
void          ct_purchase_set_channel_id    (CtPurchase  *self,
                                             gint64       channel_id);
const char   *ct_purchase_get_source        (CtPurchase  *self);
void          ct_purchase_set_source        (CtPurchase  *self,
                                             const char  *source);
const char   *ct_purchase_get_external_ref  (CtPurchase  *self);
void          ct_purchase_set_external_ref  (CtPurchase  *self,
                                             const char  *external_ref);
gboolean      ct_purchase_get_refunded      (CtPurchase  *self);
void          ct_purchase_set_refunded      (CtPurchase  *self,
                                             gboolean     refunded);

/* Emit CtDb::changed("purchases"). Insert needs a contact and a
 * non-negative amount; a repeated (source, external-ref) is
 * CT_DB_ERROR_CONSTRAINT. */
gboolean      ct_purchase_insert            (CtDb        *db,
                                             CtPurchase  *purchase,
                                             GError     **error);
gboolean      ct_purchase_update            (CtDb        *db,
                                             CtPurchase  *purchase,
                                             GError     **error);
gboolean      ct_purchase_delete            (CtDb        *db,
                                             gint64       id,
                                             GError     **error);
CtPurchase   *ct_purchase_load              (CtDb        *db,
                                             gint64       id,
                                             GError     **error);

CtPurchase   *ct_purchase_new_from_row      (sqlite3_stmt *stmt);

/* Additions (A2): the read-only names, as loaded or last saved. The
 * contact name falls back to the email for a contact without a name. */
const char   *ct_purchase_get_contact_name  (CtPurchase  *self);
const char   *ct_purchase_get_contact_email (CtPurchase  *self);
const char   *ct_purchase_get_channel       (CtPurchase  *self);

#define CT_PURCHASE_SELECT_SQL \
  "SELECT p.id, coalesce(p.contact_id, 0), coalesce(c.first_name, ''), coalesce(c.last_name, '')," \
  " coalesce(c.email, '')," \
  " coalesce(p.product_id, 0), coalesce(pr.name, ''), p.amount, p.currency," \
  " p.purchased_at, coalesce(p.channel_id, 0), coalesce(ch.name, ''), p.source," \
  " coalesce(p.external_ref, ''), p.refunded" \
  " FROM purchases p LEFT JOIN contacts c ON c.id = p.contact_id" \
  " LEFT JOIN products pr ON pr.id = p.product_id" \
  " LEFT JOIN channels ch ON ch.id = p.channel_id"

G_END_DECLS
