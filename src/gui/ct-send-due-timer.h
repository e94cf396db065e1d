/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-send-due-timer.h: the Preferences group that switches on the
 * systemd user timer running `clientele send-due` */
#pragma once

#include <adwaita.h>

#include "ct-context.h"

G_BEGIN_DECLS

#define CT_TYPE_SEND_DUE_TIMER (ct_send_due_timer_get_type ())
G_DECLARE_FINAL_TYPE (CtSendDueTimer, ct_send_due_timer, CT, SEND_DUE_TIMER, AdwPreferencesGroup)

GtkWidget *ct_send_due_timer_new        (CtContext      *context);
/* Whether ~/.config/systemd/user has the timer enabled. */
gboolean   ct_send_due_timer_is_enabled (void);

G_END_DECLS
