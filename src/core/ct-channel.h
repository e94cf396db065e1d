/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-channel.h: acquisition channels and their monthly spend */
#pragma once

#include "ct-db.h"

G_BEGIN_DECLS

/* Returns the id of the channel called @name (case-insensitive), creating
 * it when missing; 0 with @error set on failure. */
gint64      ct_channel_ensure      (CtDb        *db,
                                    const char  *name,
                                    GError     **error);
/* Returns: (transfer full): the channels, a
 * GListStore of CtNamedItem, sorted by name. */
GListModel *ct_channel_list_all    (CtDb        *db,
                                    GError     **error);
gboolean    ct_channel_set_spend   (CtDb        *db,
                                    gint64       channel_id,
                                    const char  *month,     /* "2025-03" */
                                    gint64       amount,
                                    const char  *currency,
                                    GError     **error);

/* One month of one channel's spend, as ct_channel_list_spend() reads it. */
typedef struct
{
  gint64  channel_id;
  char   *channel_name;
  char    month[8];       /* "2025-03" */
  gint64  amount;         /* minor units of currency */
  char    currency[4];
} CtChannelSpend;

/* Every month of spend entered, newest month first, then by channel
 * name. Returns: (transfer full): a GArray of CtChannelSpend that frees
 * the names with it, possibly empty; %NULL with @error set on failure. */
GArray     *ct_channel_list_spend  (CtDb        *db,
                                    GError     **error);
/* Forgets what @channel_id cost in @month. Emits
 * CtDb::changed("channel_spend"). CT_DB_ERROR_NOT_FOUND when nothing was
 * entered for that month. */
gboolean    ct_channel_delete_spend (CtDb       *db,
                                     gint64      channel_id,
                                     const char *month,
                                     GError    **error);

/* A small (id, name) item for pickers of channels, tags and products. */
#define CT_TYPE_NAMED_ITEM (ct_named_item_get_type ())
G_DECLARE_FINAL_TYPE (CtNamedItem, ct_named_item, CT, NAMED_ITEM, GObject)

/* Properties: "id" (gint64), "name" (string). */
CtNamedItem *ct_named_item_new     (gint64       id,
                                    const char  *name);
gint64      ct_named_item_get_id   (CtNamedItem *self);
const char *ct_named_item_get_name (CtNamedItem *self);

G_END_DECLS
