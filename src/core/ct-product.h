/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-product.h: products (courses, ebooks, memberships...) */
#pragma once

#include "ct-db.h"

G_BEGIN_DECLS

typedef enum
{
  CT_PRODUCT_COURSE,
  CT_PRODUCT_EBOOK,
  CT_PRODUCT_MEMBERSHIP,
  CT_PRODUCT_COMMUNITY,
  CT_PRODUCT_COACHING,
  CT_PRODUCT_OTHER,
  CT_PRODUCT_N_KINDS
} CtProductKind;

const char   *ct_product_kind_to_string   (CtProductKind kind);   /* "course" ... as stored */
gboolean      ct_product_kind_from_string (const char    *text,
                                           CtProductKind *out);
const char   *ct_product_kind_get_label   (CtProductKind kind);   /* translated */

#define CT_TYPE_PRODUCT (ct_product_get_type ())
G_DECLARE_FINAL_TYPE (CtProduct, ct_product, CT, PRODUCT, GObject)

/* Properties: "id" (gint64), "sku", "name", "kind" (int), "kind-label"
 * (read-only), "price" (gint64 minor units), "currency", "price-label"
 * (read-only, formatted), "active" (boolean), "sales-count" (int,
 * read-only), "revenue" (gint64, read-only), "revenue-label" (read-only). */

CtProduct    *ct_product_new              (void);
gint64        ct_product_get_id           (CtProduct   *self);
const char   *ct_product_get_sku          (CtProduct   *self);
void          ct_product_set_sku          (CtProduct   *self,
                                           const char  *sku);
const char   *ct_product_get_name         (CtProduct   *self);
void          ct_product_set_name         (CtProduct   *self,
                                           const char  *name);
CtProductKind ct_product_get_kind         (CtProduct   *self);
void          ct_product_set_kind         (CtProduct   *self,
                                           CtProductKind kind);
gint64        ct_product_get_price        (CtProduct   *self);
void          ct_product_set_price        (CtProduct   *self,
                                           gint64       price);
const char   *ct_product_get_currency     (CtProduct   *self);
void          ct_product_set_currency     (CtProduct   *self,
                                           const char  *currency);
gboolean      ct_product_get_active       (CtProduct   *self);
void          ct_product_set_active       (CtProduct   *self,
                                           gboolean     active);

/* Emit CtDb::changed("products"). Name must not be blank; SKU unique when
 * set (CT_DB_ERROR_CONSTRAINT naming it). */
gboolean      ct_product_insert           (CtDb        *db,
                                           CtProduct   *product,
                                           GError     **error);
gboolean      ct_product_update           (CtDb        *db,
                                           CtProduct   *product,
                                           GError     **error);
/* Refused with CT_DB_ERROR_CONSTRAINT while purchases refer to it
 * (deactivate it instead). */
gboolean      ct_product_delete           (CtDb        *db,
                                           gint64       id,
                                           GError     **error);
CtProduct    *ct_product_load             (CtDb        *db,
                                           gint64       id,
                                           GError     **error);
/* Returns: (transfer full): a GListStore of CtProduct with sales figures,
 * sorted by name. Products are few, so this loads them all. */
GListModel   *ct_product_list_all         (CtDb        *db,
                                           GError     **error);

G_END_DECLS
