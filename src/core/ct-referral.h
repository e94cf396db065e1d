/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-referral.h: who referred whom, and what referring earned
 *
 * Table referrals (migration 5): one referrer per contact, set by hand
 * or by an import's referrer column. Recording a contact's referrer for
 * the first time awards the referrer the referral task's points
 * (CtLoyaltySettings.referral_points, none when 0), written beside the
 * referred contact; changing the referrer moves those points to the new
 * one, removing it takes them back. A contact cannot refer itself.
 */
#pragma once

#include "ct-db.h"

G_BEGIN_DECLS

typedef enum
{
  CT_REFERRAL_MANUAL,
  CT_REFERRAL_IMPORT,
} CtReferralSource;

/* Sets @referrer_id as who referred @referred_id (0: nobody, removing
 * it), at @at (0: now). CT_DB_ERROR_INVALID for a contact referring
 * itself, CT_DB_ERROR_NOT_FOUND for a contact that does not exist.
 * Emits CtDb::changed ("referrals"). */
gboolean ct_referral_set           (CtDb              *db,
                                    gint64             referred_id,
                                    gint64             referrer_id,
                                    CtReferralSource   source,
                                    gint64             at,
                                    GError           **error);
/* *referrer_id 0 when nobody is recorded. */
gboolean ct_referral_get_referrer  (CtDb              *db,
                                    gint64             referred_id,
                                    gint64            *referrer_id,
                                    GError           **error);
/* How many contacts @referrer_id referred, and the points that earned. */
gboolean ct_referral_get_counts    (CtDb              *db,
                                    gint64             referrer_id,
                                    gint64            *n_referred,
                                    gint64            *points,
                                    GError           **error);

typedef struct
{
  gint64 contact_id;
  char  *name;           /* as the contacts list shows it: name, email or phone */
  gint64 referred;       /* contacts referred */
  gint64 points;         /* points earned by referring */
} CtReferrerStats;

/* The contacts @referrer_id referred (referrer_id 0: the referrers, by
 * number referred), at most @limit (0: all). For a referrer's list,
 * referred and points are 0 for each referred contact.
 * Returns: (transfer full): a GArray of CtReferrerStats */
GArray  *ct_referral_list          (CtDb              *db,
                                    gint64             referrer_id,
                                    guint              limit,
                                    GError           **error);

/* The contact whose email (ignoring case) or phone is @text, as an import
 * names a referrer; 0 without an error when there is none. */
gint64   ct_referral_find_contact  (CtDb              *db,
                                    const char        *text,
                                    GError           **error);

G_END_DECLS
