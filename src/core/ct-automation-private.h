/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-automation-private.h: shared by ct-automation.c and ct-abtest.c */
#pragma once

#include "ct-db.h"

/* Why @contact_id cannot be mailed now ("deleted", "no_email",
 * "unsubscribed", "suppressed", "erased"), or NULL when they can, with
 * their address in @out_email: the exclusions of a campaign's launch. */
const char *ct_mail_exclusion (CtDb    *db,
                               gint64   contact_id,
                               char   **out_email);
