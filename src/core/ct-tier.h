/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-tier.h: membership tiers, the loyalty settings, tier placement with
 * a grace period before downgrades, tier history and upgrade rate
 *
 * Tables (migration 5, ct-db-schema.c): tiers, loyalty_settings,
 * contact_loyalty, tier_history.
 *
 * Rules (DESIGN.md, issue 8):
 *   - Spend and purchases count the purchases not refunded, in the
 *     loyalty currency, paid in the trailing 12 months: after the same
 *     moment one calendar year before (UTC) and up to the "as of" time.
 *   - A contact is placed in the highest tier whose thresholds it meets
 *     (spend >= min_spend, and purchases >= min_purchases where the tier
 *     has one). Level 0 has no threshold: everyone meets it.
 *   - Upgrades are immediate. A contact found below its tier's
 *     thresholds keeps the tier for the grace period (grace_days), from
 *     the first time it was found below; still below when it ends, it
 *     moves down to the tier it meets, dated at the end of the grace.
 *     Meeting its tier again within the grace cancels the downgrade.
 *   - Every placement and change is a tier_history row: the history, and
 *     the tier-change events automations read (ct_tier_list_changes()).
 *   - Upgrade rate over (start, end]: for each tier below the top, the
 *     contacts whose tier at `start` was that tier (their last history
 *     row up to `start`), and of them those with an upgrade in the
 *     period; the rate is upgraded / base. Contacts not yet placed at
 *     `start` are not counted.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ct-db.h"

G_BEGIN_DECLS

#define CT_TIER_MIN_COUNT 3
#define CT_TIER_MAX_COUNT 5

/* One tier; its level is its index in the array of ct_tier_list(). */
typedef struct
{
  char   *name;               /* as shown: a default tier's name translated */
  char   *builtin;            /* nullable: "member", "silver", "gold", "diamond" while not renamed */
  gint64  min_spend;          /* minor units of the loyalty currency, trailing 12 months */
  gint64  min_purchases;      /* purchases in the same months; 0 = no such threshold */
  double  discount_percent;   /* 0..100 */
  guint   points_multiplier;  /* hundredths: 150 = ×1.5; 0..10000 */
  char   *perks;              /* free text, never NULL */
} CtTier;

/* Frees the strings of @tier, not @tier itself. */
void        ct_tier_clear            (CtTier        *tier);

/* The name of a default tier ("gold") in the app's language, %NULL for
 * anything else: how to show tiers.name where tiers.builtin is set.
 * Returns: (transfer none) (nullable) */
const char *ct_tier_builtin_label    (const char    *builtin);

/* Returns: (transfer full): the tiers from level 0 up, a GArray of
 * CtTier that frees their strings with it; %NULL with @error set. */
GArray     *ct_tier_list             (CtDb          *db,
                                      GError       **error);
/* The name of tier @level as shown, or "" when there is no such tier.
 * Returns: (transfer full) */
char       *ct_tier_get_name         (CtDb          *db,
                                      guint          level,
                                      GError       **error);
/* Checks @tiers as ct_tier_save_all() would: 3 to 5 tiers, names not
 * blank and different, level 0 without thresholds, each tier asking
 * strictly more spend than the one below, percentages and multipliers
 * in range. CT_DB_ERROR_INVALID with a message naming the tier. */
gboolean    ct_tier_validate         (const CtTier  *tiers,
                                      guint          n_tiers,
                                      GError       **error);
/* Replaces the tiers in one transaction. Contacts in a level that no
 * longer exists move to the new top tier (a downgrade in the history,
 * dated @now); every contact is then placed again as of @now (0: the
 * current time), since thresholds may have changed. A default tier
 * keeps following the app's language while its name is unchanged.
 * Emits CtDb::changed ("tiers"). */
gboolean    ct_tier_save_all         (CtDb          *db,
                                      const CtTier  *tiers,
                                      guint          n_tiers,
                                      gint64         now,
                                      GError       **error);

/* The loyalty settings, one row of loyalty_settings. */
typedef struct
{
  char   currency[4];        /* ISO 4217: thresholds and points count purchases in it */
  guint  grace_days;         /* before a downgrade; default 30, 0..3650 */
  guint  points_per_unit;    /* hundredths of a point per whole unit spent; default 100 */
  guint  expiry_days;        /* points expire this long after they were earned; 0 = never */
  gint64 checkin_points;     /* points a task earns */
  gint64 referral_points;
  gint64 review_points;
  gint64 survey_points;
} CtLoyaltySettings;

gboolean    ct_loyalty_settings_load (CtDb              *db,
                                      CtLoyaltySettings *settings,
                                      GError           **error);
/* CT_DB_ERROR_INVALID for a value out of range or a malformed currency.
 * Emits CtDb::changed ("settings"). */
gboolean    ct_loyalty_settings_save (CtDb                    *db,
                                      const CtLoyaltySettings *settings,
                                      GError                 **error);

typedef struct
{
  guint placed;      /* contacts placed for the first time */
  guint upgraded;
  guint downgraded;
  guint in_grace;    /* below their tier, still in the grace period */
} CtTierUpdateResult;

/* Places @contact_id (0: every contact) as of @as_of (0: now), by the
 * rules at the top of this file, in one transaction. Emits
 * CtDb::changed ("contact_loyalty") when anything changed. @result may
 * be %NULL. Placing again at the same or a later time is harmless: a
 * contact whose tier holds is not written. */
gboolean    ct_tier_update           (CtDb               *db,
                                      gint64              as_of,
                                      gint64              contact_id,
                                      CtTierUpdateResult *result,
                                      GError            **error);

/* Places every contact as of now and writes off the points expired, on
 * a worker thread with its own connection to @db_path (a file this
 * process has open and checked already): what the app does when it
 * starts, since both follow the date. CtDb::changed is emitted on the
 * worker's connection only: the caller emits ("contact_loyalty") on its
 * own after a success. */
void        ct_loyalty_refresh_async  (const char          *db_path,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
gboolean    ct_loyalty_refresh_finish (GAsyncResult        *result,
                                       GError             **error);

/* A contact's tier: *level -1 when not placed yet. */
gboolean    ct_tier_get_contact      (CtDb          *db,
                                      gint64         contact_id,
                                      int           *level,
                                      gint64        *since,
                                      gint64        *below_since,
                                      GError       **error);

/* One row of tier_history. from_level is -1 for a first placement. */
typedef struct
{
  gint64 id;
  gint64 contact_id;
  int    from_level;
  int    to_level;
  gint64 changed_at;
  char   reason[12];         /* "placed", "upgrade", "downgrade" */
} CtTierChange;

/* Tier changes with an id above @after_id, oldest first, at most @limit
 * (0: all) and only those of @contact_id unless it is 0: how an
 * automation reads the events it has not seen.
 * Returns: (transfer full): a GArray of CtTierChange */
GArray     *ct_tier_list_changes     (CtDb          *db,
                                      gint64         after_id,
                                      gint64         contact_id,
                                      guint          limit,
                                      GError       **error);

/* Contacts in each tier now (from contact_loyalty): @counts gets
 * n_tiers numbers, level 0 counting contacts not placed yet too.
 * Returns: (transfer full): a GArray of gint64 */
GArray     *ct_tier_count_members    (CtDb          *db,
                                      GError       **error);

typedef struct
{
  gint64 base[CT_TIER_MAX_COUNT];      /* contacts in the tier at the start */
  gint64 upgraded[CT_TIER_MAX_COUNT];  /* of them, moved up in the period */
  gint64 total_base;                   /* below the top tier */
  gint64 total_upgraded;
  guint  n_tiers;
} CtTierUpgradeRate;

/* Upgrade rate over (@start, @end], by the rule at the top of this file. */
gboolean    ct_tier_upgrade_rate     (CtDb              *db,
                                      gint64             start,
                                      gint64             end,
                                      CtTierUpgradeRate *rate,
                                      GError           **error);

/* The "tiers" member of `clientele analyze --json`: {currency,
 * as_of_date, tiers: [{level, name, min_spend, min_purchases | null,
 * discount_percent, points_multiplier, members (now), members_as_of
 * (from the history at @as_of)}], upgrade_rate: {from, to, base,
 * upgraded, rate | null, by_tier: [{level, name, base, upgraded, rate |
 * null}]} over the 12 months up to @as_of, monthly: [{month "YYYY-MM",
 * base, upgraded, rate | null}] for the 12 months up to @as_of (UTC)}.
 * Money in major units. Returns: (transfer full) (nullable) */
/* Writes a tier's level, name, thresholds (in major units of
 * @currency), discount and points multiplier into the object @b is
 * building, as `clientele tiers --json` and the analysis summary give
 * them. */
void        ct_tier_add_json_members (JsonBuilder   *b,
                                      const CtTier  *t,
                                      guint          level,
                                      const char    *currency);
JsonNode   *ct_tier_summary_to_json  (CtDb          *db,
                                      gint64         as_of,
                                      GError       **error);

G_END_DECLS
