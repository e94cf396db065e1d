/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-points.h: the points ledger: earned, awarded, redeemed, expired
 *
 * Table points_ledger (migration 5, ct-db-schema.c); the balance is
 * contact_loyalty.points, the sum of a contact's rows, kept by triggers.
 *
 * Rules:
 *   - A purchase not refunded, in the loyalty currency, earns
 *     floor(whole units × tier multiplier × points per unit) at the
 *     buyer's tier when buying (a trigger, whatever wrote the purchase).
 *     A refund takes them back; deleting the purchase removes them.
 *   - Points are awarded by hand (any number above 0) or for a task
 *     (check-in, referral, review, survey: the number the loyalty
 *     settings give the task).
 *   - With an expiry (CtLoyaltySettings.expiry_days), each earning
 *     expires that long after it was earned. Spending uses the earnings
 *     that expire first; what is left of an earning when it expires is
 *     written off by an "expired" row dated at its expiry
 *     (ct_points_expire(), which redeeming runs first).
 *   - A redemption above the balance is refused, never taken below zero.
 */
#pragma once

#include "ct-db.h"

G_BEGIN_DECLS

typedef enum
{
  CT_POINTS_PURCHASE,
  CT_POINTS_REFUND,
  CT_POINTS_MANUAL,
  CT_POINTS_CHECKIN,
  CT_POINTS_REFERRAL,
  CT_POINTS_REVIEW,
  CT_POINTS_SURVEY,
  CT_POINTS_REDEEM,
  CT_POINTS_EXPIRED,
  CT_POINTS_N_KINDS
} CtPointsKind;

/* "purchase", "manual", "checkin"... as stored */
const char *ct_points_kind_to_id     (CtPointsKind  kind);
/* Also accepts "check-in" and the translated labels. */
gboolean    ct_points_kind_from_id   (const char   *id,
                                      CtPointsKind *out);
/* Translated: "Purchase", "Check-in", "Redeemed"... */
const char *ct_points_kind_get_label (CtPointsKind  kind);
/* Whether @kind is one a person can award: manual or a task. */
gboolean    ct_points_kind_is_award  (CtPointsKind  kind);

/* Awards @points (> 0) to @contact_id for @kind, which must be manual or
 * a task, at @at (0: now), with @reason (nullable) written beside it.
 * Returns: the ledger row's id, 0 with @error set: CT_DB_ERROR_INVALID
 * for points not above zero or a kind that is not an award,
 * CT_DB_ERROR_NOT_FOUND for a contact that does not exist. Emits
 * CtDb::changed ("points_ledger"). */
gint64      ct_points_award          (CtDb         *db,
                                      gint64        contact_id,
                                      gint64        points,
                                      CtPointsKind  kind,
                                      const char   *reason,
                                      gint64        at,
                                      GError      **error);
/* The same, with the contact @referred_id (0: none) whose referral
 * earned the points written beside them (ct-referral.c). */
gint64      ct_points_award_full     (CtDb         *db,
                                      gint64        contact_id,
                                      gint64        points,
                                      CtPointsKind  kind,
                                      const char   *reason,
                                      gint64        at,
                                      gint64        referred_id,
                                      GError      **error);
/* Awards what the loyalty settings give @task (check-in, referral,
 * review, survey). CT_DB_ERROR_INVALID when the task earns nothing. */
gint64      ct_points_award_task     (CtDb         *db,
                                      gint64        contact_id,
                                      CtPointsKind  task,
                                      const char   *reason,
                                      gint64        at,
                                      GError      **error);
/* Takes @points (> 0) off the balance at @at (0: now), after writing off
 * what expired by then. Refused with CT_DB_ERROR_INVALID, and a message
 * giving the balance, when the balance is smaller. */
gint64      ct_points_redeem         (CtDb         *db,
                                      gint64        contact_id,
                                      gint64        points,
                                      const char   *reason,
                                      gint64        at,
                                      GError      **error);
/* Writes off what is left of the earnings of @contact_id (0: everyone)
 * that expired by @as_of (0: now). @n_expired (nullable) gets the number
 * of rows written. Running it again writes nothing more. */
gboolean    ct_points_expire         (CtDb         *db,
                                      gint64        as_of,
                                      gint64        contact_id,
                                      guint        *n_expired,
                                      GError      **error);
/* The balance: what the ledger adds up to (0 for a contact without
 * any row). */
gboolean    ct_points_get_balance    (CtDb         *db,
                                      gint64        contact_id,
                                      gint64       *balance,
                                      GError      **error);

/* Gives the points of every purchase with an id above @after_id in one
 * statement, as the purchases_points_ins trigger (ct-db-schema.c) would
 * give them one by one: for a bulk insert that drops the trigger while
 * it runs (an import, the demo) and puts it back after. */
gboolean    ct_points_earn_for_purchases (CtDb     *db,
                                          gint64    after_id,
                                          GError  **error);

/* The same points worked out in memory as purchases are inserted, for
 * an import that knows each purchase already: ct_points_earner_new()
 * reads the settings, the tiers and the contacts' tiers (as they are
 * before the purchases); ct_points_earner_add() for each purchase
 * inserted (with its id); ct_points_earner_store() writes the ledger
 * rows and the balances (with the trigger that keeps them put aside
 * meanwhile), as the purchases_points_ins trigger would have. */
typedef struct _CtPointsEarner CtPointsEarner;

CtPointsEarner *ct_points_earner_new    (CtDb            *db,
                                         GError         **error);
void            ct_points_earner_add    (CtPointsEarner  *self,
                                         gint64           purchase_id,
                                         gint64           contact_id,
                                         gint64           amount,
                                         const char      *currency,
                                         gint64           purchased_at,
                                         gboolean         refunded);
gboolean        ct_points_earner_store  (CtPointsEarner  *self,
                                         CtDb            *db,
                                         GError         **error);
void            ct_points_earner_free   (CtPointsEarner  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtPointsEarner, ct_points_earner_free)

typedef struct
{
  gint64        id;
  gint64        points;      /* negative for refunds, redemptions, expiry */
  CtPointsKind  kind;
  char         *reason;
  gint64        created_at;
  gint64        expires_at;  /* 0: never */
} CtPointsEntry;

/* The ledger of @contact_id, newest first. Returns: (transfer full): a
 * GArray of CtPointsEntry that frees the reasons with it. */
GArray     *ct_points_list           (CtDb         *db,
                                      gint64        contact_id,
                                      GError      **error);

G_END_DECLS
