/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-preferences-window.h: the app's Preferences: lifecycle thresholds,
 * lifetime value settings and monthly channel spend */
#pragma once

#include <adwaita.h>
#include "ct-context.h"

G_BEGIN_DECLS

#define CT_TYPE_PREFERENCES_WINDOW (ct_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (CtPreferencesWindow, ct_preferences_window, CT, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

/* Properties: "context" (CtContext, construct-only).
 *
 * Every change is saved in the database's settings table or channel_spend
 * table as it is made, so there is nothing to apply; the database emits
 * CtDb::changed ("settings" or "channel_spend"), and the main window
 * recomputes the scores. Thresholds that do not validate are shown with
 * the reason and not saved. */
CtPreferencesWindow *ct_preferences_window_new (GtkWindow *parent,
                                                CtContext *context);

G_END_DECLS
