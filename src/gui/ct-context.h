/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-context.h: the services a window's views share (database, settings) */
#pragma once

#include <gio/gio.h>
#include "ct-core.h"

G_BEGIN_DECLS

#define CT_TYPE_CONTEXT (ct_context_get_type ())
G_DECLARE_FINAL_TYPE (CtContext, ct_context, CT, CONTEXT, GObject)

/* Properties: "db" (CtDb, construct-only), "settings" (GSettings,
 * construct-only, may be NULL in tests). */
CtContext *ct_context_new          (CtDb      *db,
                                    GSettings *settings);
/* Returns: (transfer none) */
CtDb      *ct_context_get_db       (CtContext *self);
/* Returns: (transfer none) (nullable) */
GSettings *ct_context_get_settings (CtContext *self);

G_END_DECLS
