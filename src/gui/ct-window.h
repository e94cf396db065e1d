/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-window.h: the main window: view switcher over the pages */
#pragma once

#include <adwaita.h>
#include "ct-context.h"

G_BEGIN_DECLS

#define CT_TYPE_WINDOW (ct_window_get_type ())
G_DECLARE_FINAL_TYPE (CtWindow, ct_window, CT, WINDOW, AdwApplicationWindow)

/* Properties: "context" (CtContext, construct-only), "demo-contacts"
 * (guint, how many contacts "Try with Demo Data" makes; default 2000),
 * "auto-analyze" (gboolean, default FALSE: recompute the scores in the
 * background when they are out of date and after purchases change; the
 * application turns it on), "analyze-delay" (guint ms to wait after a
 * change before recomputing, default 3000), "analyzing" (gboolean,
 * read-only: a recompute is running). */
CtWindow  *ct_window_new            (GtkApplication *application,
                                     CtContext      *context);
/* Returns: (transfer none) */
CtContext *ct_window_get_context    (CtWindow       *self);
/* Shows a toast over the window. */
void       ct_window_add_toast      (CtWindow       *self,
                                     AdwToast       *toast);
/* Switches to the page named "contacts", "purchases", "products". */
void       ct_window_show_page      (CtWindow       *self,
                                     const char     *name);

/* Cancels a running recompute of the scores; the cache keeps the last
 * finished one. */
void       ct_window_cancel_analysis (CtWindow      *self);

G_END_DECLS
