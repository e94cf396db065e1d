/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-tag.h: tags */
#pragma once

#include "ct-db.h"

G_BEGIN_DECLS

/* Id of the tag called @name (case-insensitive), created when missing. */
gint64      ct_tag_ensure    (CtDb        *db,
                              const char  *name,
                              GError     **error);
/* Returns: (transfer full): GListStore of CtNamedItem, sorted by name */
GListModel *ct_tag_list_all  (CtDb        *db,
                              GError     **error);

G_END_DECLS
