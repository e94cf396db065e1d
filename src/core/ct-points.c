/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-points.c: the points ledger (the rules are in ct-points.h) */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-contact.h"
#include "ct-points.h"
#include "ct-tier.h"

#define SECONDS_PER_DAY 86400

static const char * const kind_ids[] = {
  [CT_POINTS_PURCHASE] = "purchase",
  [CT_POINTS_REFUND] = "refund",
  [CT_POINTS_MANUAL] = "manual",
  [CT_POINTS_CHECKIN] = "checkin",
  [CT_POINTS_REFERRAL] = "referral",
  [CT_POINTS_REVIEW] = "review",
  [CT_POINTS_SURVEY] = "survey",
  [CT_POINTS_REDEEM] = "redeem",
  [CT_POINTS_EXPIRED] = "expired",
};

G_STATIC_ASSERT (G_N_ELEMENTS (kind_ids) == CT_POINTS_N_KINDS);

const char *
ct_points_kind_to_id (CtPointsKind kind)
{
  g_return_val_if_fail (kind < CT_POINTS_N_KINDS, NULL);
  return kind_ids[kind];
}

const char *
ct_points_kind_get_label (CtPointsKind kind)
{
  switch (kind)
    {
    case CT_POINTS_PURCHASE:
      return C_("points", "Purchase");
    case CT_POINTS_REFUND:
      return C_("points", "Refund");
    case CT_POINTS_MANUAL:
      return C_("points", "Awarded by hand");
    case CT_POINTS_CHECKIN:
      return C_("points", "Check-in");
    case CT_POINTS_REFERRAL:
      return C_("points", "Referral");
    case CT_POINTS_REVIEW:
      return C_("points", "Review");
    case CT_POINTS_SURVEY:
      return C_("points", "Survey");
    case CT_POINTS_REDEEM:
      return C_("points", "Redeemed");
    case CT_POINTS_EXPIRED:
      return C_("points", "Expired");
    case CT_POINTS_N_KINDS:
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
ct_points_kind_from_id (const char   *id,
                        CtPointsKind *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  if (id == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (id, "check-in") == 0)
    {
      *out = CT_POINTS_CHECKIN;
      return TRUE;
    }
  for (guint k = 0; k < CT_POINTS_N_KINDS; k++)
    if (g_ascii_strcasecmp (id, kind_ids[k]) == 0 || g_str_equal (id, ct_points_kind_get_label (k)))
      {
        *out = k;
        return TRUE;
      }
  return FALSE;
}

gboolean
ct_points_kind_is_award (CtPointsKind kind)
{
  return kind == CT_POINTS_MANUAL || kind == CT_POINTS_CHECKIN || kind == CT_POINTS_REFERRAL
         || kind == CT_POINTS_REVIEW || kind == CT_POINTS_SURVEY;
}

static gint64
now_or (gint64 when)
{
  return when != 0 ? when : g_get_real_time () / G_USEC_PER_SEC;
}

/* Writes one row; @expires_at 0 for none, @referred_id 0 for none. */
static gint64
insert_row (CtDb         *db,
            gint64        contact_id,
            gint64        points,
            CtPointsKind  kind,
            const char   *reason,
            gint64        at,
            gint64        expires_at,
            gint64        referred_id,
            gint64        lot_id,
            GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = ct_db_prepare (db,
                        "INSERT INTO points_ledger (contact_id, points, kind, reason, created_at,"
                        " expires_at, referred_id, lot_id, expiry_settled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, contact_id);
  sqlite3_bind_int64 (stmt, 2, points);
  sqlite3_bind_text (stmt, 3, kind_ids[kind], -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, reason != NULL ? reason : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, at);
  if (expires_at != 0)
    sqlite3_bind_int64 (stmt, 6, expires_at);
  else
    sqlite3_bind_null (stmt, 6);
  if (referred_id != 0)
    sqlite3_bind_int64 (stmt, 7, referred_id);
  else
    sqlite3_bind_null (stmt, 7);
  if (lot_id != 0)
    sqlite3_bind_int64 (stmt, 8, lot_id);
  else
    sqlite3_bind_null (stmt, 8);
  /* An expired row settles nothing itself. */
  sqlite3_bind_int (stmt, 9, kind == CT_POINTS_EXPIRED ? 1 : 0);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not write the points"));
      return 0;
    }
  return sqlite3_last_insert_rowid (ct_db_get_handle (db));
}

gint64
ct_points_award_full (CtDb         *db,
                      gint64        contact_id,
                      gint64        points,
                      CtPointsKind  kind,
                      const char   *reason,
                      gint64        at,
                      gint64        referred_id,
                      GError      **error)
{
  CtLoyaltySettings settings;
  gint64 id;

  g_return_val_if_fail (CT_IS_DB (db), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!ct_points_kind_is_award (kind))
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("Points can be awarded by hand or for a check-in, a referral, a review or a survey only."));
      return 0;
    }
  if (points <= 0)
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   _("Points awarded must be a whole number above zero, not %lld."),
                   (long long) points);
      return 0;
    }
  if (points > 100000000)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("At most 100,000,000 points can be awarded at once."));
      return 0;
    }
  if (!ct_contact_check_exists (db, contact_id, error))
    return 0;
  if (!ct_loyalty_settings_load (db, &settings, error))
    return 0;

  at = now_or (at);
  id = insert_row (db, contact_id, points, kind, reason, at,
                   settings.expiry_days > 0 ? at + (gint64) settings.expiry_days * SECONDS_PER_DAY : 0,
                   referred_id, 0, error);
  if (id != 0)
    ct_db_emit_changed (db, "points_ledger");
  return id;
}

gint64
ct_points_award (CtDb         *db,
                 gint64        contact_id,
                 gint64        points,
                 CtPointsKind  kind,
                 const char   *reason,
                 gint64        at,
                 GError      **error)
{
  return ct_points_award_full (db, contact_id, points, kind, reason, at, 0, error);
}

/* What the settings give @task; -1 for a kind that is not a task. */
static gint64
task_points (const CtLoyaltySettings *s,
             CtPointsKind             task)
{
  switch (task)
    {
    case CT_POINTS_CHECKIN:
      return s->checkin_points;
    case CT_POINTS_REFERRAL:
      return s->referral_points;
    case CT_POINTS_REVIEW:
      return s->review_points;
    case CT_POINTS_SURVEY:
      return s->survey_points;
    case CT_POINTS_PURCHASE:
    case CT_POINTS_REFUND:
    case CT_POINTS_MANUAL:
    case CT_POINTS_REDEEM:
    case CT_POINTS_EXPIRED:
    case CT_POINTS_N_KINDS:
    default:
      return -1;
    }
}

gint64
ct_points_award_task (CtDb         *db,
                      gint64        contact_id,
                      CtPointsKind  task,
                      const char   *reason,
                      gint64        at,
                      GError      **error)
{
  CtLoyaltySettings settings;
  gint64 points;

  g_return_val_if_fail (CT_IS_DB (db), 0);

  if (!ct_loyalty_settings_load (db, &settings, error))
    return 0;
  points = task_points (&settings, task);
  if (points < 0)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("Points are given for tasks only for a check-in, a referral, a review or a survey."));
      return 0;
    }
  if (points == 0)
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   _("“%s” earns no points in the loyalty settings."),
                   ct_points_kind_get_label (task));
      return 0;
    }
  return ct_points_award (db, contact_id, points, task, reason, at, error);
}

/* Runs @sql with @a bound to ?1; FALSE with @error set on failure. */
static gboolean
exec_bound (CtDb        *db,
            const char  *sql,
            gint64       a,
            GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, a);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not give the points of the purchases"));
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  gint64 contact_id;
  gint64 points;
} Balance;

static int
compare_balances (gconstpointer a,
                  gconstpointer b)
{
  gint64 x = ((const Balance *) a)->contact_id, y = ((const Balance *) b)->contact_id;

  return x < y ? -1 : x > y;
}

/* Writes @balances (Balance, in any order) into contact_loyalty, each
 * added to the stored balance as the points_ledger_ins trigger adds a
 * row, in contact order. */
static gboolean
store_balances (CtDb     *db,
                GArray   *balances,
                GError  **error)
{
  g_autoptr(sqlite3_stmt) upsert = NULL;
  int rc;

  g_array_sort (balances, compare_balances);
  upsert = ct_db_prepare (db, "INSERT INTO contact_loyalty (contact_id, points) VALUES (?1, ?2)"
                              " ON CONFLICT (contact_id) DO UPDATE SET points = points + excluded.points",
                          error);
  if (upsert == NULL)
    return FALSE;
  for (guint i = 0; i < balances->len; i++)
    {
      Balance *balance = &g_array_index (balances, Balance, i);

      sqlite3_bind_int64 (upsert, 1, balance->contact_id);
      sqlite3_bind_int64 (upsert, 2, balance->points);
      rc = sqlite3_step (upsert);
      sqlite3_reset (upsert);
      if (rc != SQLITE_DONE)
        {
          ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not give the points of the purchases"));
          return FALSE;
        }
    }
  return TRUE;
}

/* Adds @points to @contact_id's entry of @balances, found through
 * @index (contact id → position + 1, so that NULL means not yet). */
static void
balances_add (GArray     *balances,
              GHashTable *index,
              gint64      contact_id,
              gint64      points)
{
  gpointer slot = g_hash_table_lookup (index, GSIZE_TO_POINTER ((gsize) contact_id));

  if (slot == NULL)
    {
      Balance balance = { contact_id, 0 };

      g_array_append_val (balances, balance);
      slot = GSIZE_TO_POINTER ((gsize) balances->len);
      g_hash_table_insert (index, GSIZE_TO_POINTER ((gsize) contact_id), slot);
    }
  g_array_index (balances, Balance, GPOINTER_TO_SIZE (slot) - 1).points += points;
}

/* Adds the ledger rows after @first_row to the contacts' balances, as
 * the points_ledger_ins trigger would one by one. Summed here in a hash
 * table rather than by GROUP BY, which sorts every row (a second a
 * million rows), and written in contact order. */
static gboolean
add_balances (CtDb    *db,
              gint64   first_row,
              GError **error)
{
  g_autoptr(sqlite3_stmt) read = NULL;
  g_autoptr(GHashTable) index = g_hash_table_new (NULL, NULL);
  g_autoptr(GArray) balances = g_array_new (FALSE, FALSE, sizeof (Balance));
  int rc;

  read = ct_db_prepare (db, "SELECT contact_id, points FROM points_ledger WHERE id > ?1", error);
  if (read == NULL)
    return FALSE;
  sqlite3_bind_int64 (read, 1, first_row);
  while ((rc = sqlite3_step (read)) == SQLITE_ROW)
    balances_add (balances, index, sqlite3_column_int64 (read, 0), sqlite3_column_int64 (read, 1));
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not give the points of the purchases"));
      return FALSE;
    }
  return store_balances (db, balances, error);
}

/* The ledger's CHECK on its kind (an IN list of nine names) costs SQLite
 * 3.40 an ephemeral index built again for every row, three times the
 * row itself. The rows written in bulk here are made to satisfy both
 * CHECKs (kind 'purchase', points above 0), so they are not evaluated
 * for them: set while the rows go in, put back as it was after. */
static gboolean
checks_off (CtDb     *db,
            gint64   *was,
            GError  **error)
{
  GError *local_error = NULL;

  *was = ct_db_query_int64 (db, "PRAGMA ignore_check_constraints", &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return ct_db_exec (db, "PRAGMA ignore_check_constraints = ON", error);
}

static void
checks_back (CtDb   *db,
             gint64  was)
{
  ct_db_exec (db, was ? "PRAGMA ignore_check_constraints = ON" : "PRAGMA ignore_check_constraints = OFF", NULL);
}

/* The points of the purchases matching @condition (on p, with ?1 bound
 * to @a) into the ledger, as the purchases_points_ins trigger gives
 * them one by one. Keep in step with the trigger's arithmetic and with
 * ct_points_earner_add(). */
static gboolean
earn_sql (CtDb        *db,
          const char  *condition,
          gint64       a,
          GError     **error)
{
  g_autofree char *sql =
    g_strdup_printf ("INSERT INTO points_ledger (contact_id, points, kind, created_at, expires_at, purchase_id)"
                     " SELECT contact_id, pts, 'purchase', purchased_at,"
                     "  CASE WHEN expiry_days > 0 THEN purchased_at + expiry_days * 86400 END, id"
                     " FROM (SELECT p.id, p.contact_id, p.purchased_at, s.expiry_days,"
                     "         p.amount * s.points_per_unit"
                     "         * coalesce(t.points_multiplier,"
                     "                    (SELECT t0.points_multiplier FROM tiers t0 WHERE t0.level = 0), 100)"
                     "         / (10000 * s.currency_scale) AS pts"
                     "       FROM purchases p JOIN loyalty_settings s ON s.currency = p.currency"
                     "       LEFT JOIN contact_loyalty l ON l.contact_id = p.contact_id"
                     "       LEFT JOIN tiers t ON t.level = l.tier_level"
                     "       WHERE %s AND p.refunded = 0 AND p.contact_id IS NOT NULL"
                     "       AND p.amount > 0)"
                     " WHERE pts > 0", condition);

  gint64 checks;
  gboolean ok;

  if (!checks_off (db, &checks, error))
    return FALSE;
  ok = exec_bound (db, sql, a, error);
  checks_back (db, checks);
  return ok;
}

gboolean
ct_points_earn_for_purchases (CtDb    *db,
                              gint64   after_id,
                              GError **error)
{
  g_autoptr(sqlite3_stmt) trigger = NULL;
  g_autofree char *trigger_sql = NULL;
  gint64 first_row;
  GError *local_error = NULL;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);

  /* The balance trigger's upsert per row costs more than the rows
   * themselves: put it aside and add the balances up once. */
  trigger = ct_db_prepare (db, "SELECT sql FROM sqlite_master WHERE type = 'trigger'"
                               " AND name = 'points_ledger_ins'", error);
  if (trigger == NULL)
    return FALSE;
  if (sqlite3_step (trigger) == SQLITE_ROW)
    trigger_sql = g_strdup ((const char *) sqlite3_column_text (trigger, 0));
  g_clear_pointer (&trigger, sqlite3_finalize);
  if (trigger_sql == NULL)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_FAILED,
                           _("The database lacks the trigger that keeps the points balances."));
      return FALSE;
    }

  first_row = ct_db_query_int64 (db, "SELECT coalesce(max(id), 0) FROM points_ledger", &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  if (!ct_db_exec (db, "SAVEPOINT ct_points_earn", error))
    return FALSE;

  if (!ct_db_exec (db, "DROP TRIGGER points_ledger_ins", error)
      || !earn_sql (db, "p.id > ?1", after_id, error)
      || !add_balances (db, first_row, error)
      || !ct_db_exec (db, trigger_sql, error)
      || !ct_db_exec (db, "RELEASE ct_points_earn", error))
    {
      ct_db_exec (db, "ROLLBACK TO ct_points_earn", NULL);
      ct_db_exec (db, "RELEASE ct_points_earn", NULL);
      return FALSE;
    }
  return TRUE;
}

/* The points of purchases worked out as they are inserted (an import
 * knows each one's contact, amount, currency and time already), so that
 * no second pass over them has to join the settings, the tiers and the
 * balances. The arithmetic is the purchases_points_ins trigger's and
 * ct_points_earn_for_purchases()'s: keep the three in step (test-points
 * compares them). */

typedef struct
{
  char   currency[4];
  gint64 points_per_unit;
  gint64 currency_scale;
  gint64 expiry_days;
} EarnRule;

typedef struct
{
  gint64 purchase_id;
  gint64 contact_id;
  gint64 points;
  gint64 created_at;
  gint64 expires_at;   /* 0: never */
} Earned;

struct _CtPointsEarner
{
  GArray     *rules;         /* EarnRule: the loyalty_settings rows */
  gint64      default_multiplier;
  gint64      tier_multiplier[5];
  gboolean    tier_exists[5];
  GHashTable *contact_tier;  /* contact id → tier level + 1, for those with one */
  GArray     *earned;        /* Earned */
  GArray     *overflowed;    /* gint64: purchases whose arithmetic overflows */
};

void
ct_points_earner_free (CtPointsEarner *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->rules, g_array_unref);
  g_clear_pointer (&self->contact_tier, g_hash_table_unref);
  g_clear_pointer (&self->earned, g_array_unref);
  g_clear_pointer (&self->overflowed, g_array_unref);
  g_free (self);
}

CtPointsEarner *
ct_points_earner_new (CtDb    *db,
                      GError **error)
{
  g_autoptr(CtPointsEarner) self = g_new0 (CtPointsEarner, 1);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), NULL);

  self->rules = g_array_new (FALSE, FALSE, sizeof (EarnRule));
  self->contact_tier = g_hash_table_new (NULL, NULL);
  self->earned = g_array_new (FALSE, FALSE, sizeof (Earned));
  self->overflowed = g_array_new (FALSE, FALSE, sizeof (gint64));

  stmt = ct_db_prepare (db, "SELECT currency, points_per_unit, currency_scale, expiry_days FROM loyalty_settings",
                        error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      EarnRule rule = { { 0 } };
      const char *currency = (const char *) sqlite3_column_text (stmt, 0);

      /* The column holds three letters (CHECK); a longer one could never
       * equal a purchase's, which are three letters too. */
      if (currency == NULL || strlen (currency) != 3)
        continue;
      memcpy (rule.currency, currency, 4);
      rule.points_per_unit = sqlite3_column_int64 (stmt, 1);
      rule.currency_scale = sqlite3_column_int64 (stmt, 2);
      rule.expiry_days = sqlite3_column_int64 (stmt, 3);
      g_array_append_val (self->rules, rule);
    }
  if (rc != SQLITE_DONE)
    goto failed;
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = ct_db_prepare (db, "SELECT level, points_multiplier FROM tiers", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 level = sqlite3_column_int64 (stmt, 0);

      if (level >= 0 && level < (gint64) G_N_ELEMENTS (self->tier_multiplier))
        {
          self->tier_exists[level] = TRUE;
          self->tier_multiplier[level] = sqlite3_column_int64 (stmt, 1);
        }
    }
  if (rc != SQLITE_DONE)
    goto failed;
  g_clear_pointer (&stmt, sqlite3_finalize);
  /* coalesce(<the contact's tier>, <level 0>, 100) */
  self->default_multiplier = self->tier_exists[0] ? self->tier_multiplier[0] : 100;

  stmt = ct_db_prepare (db, "SELECT contact_id, tier_level FROM contact_loyalty WHERE tier_level IS NOT NULL",
                        error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 level = sqlite3_column_int64 (stmt, 1);

      if (level >= 0 && level < (gint64) G_N_ELEMENTS (self->tier_multiplier) && self->tier_exists[level])
        g_hash_table_insert (self->contact_tier, GSIZE_TO_POINTER ((gsize) sqlite3_column_int64 (stmt, 0)),
                             GSIZE_TO_POINTER ((gsize) level + 1));
    }
  if (rc != SQLITE_DONE)
    goto failed;
  return g_steal_pointer (&self);

failed:
  ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not give the points of the purchases"));
  return NULL;
}

void
ct_points_earner_add (CtPointsEarner *self,
                      gint64          purchase_id,
                      gint64          contact_id,
                      gint64          amount,
                      const char     *currency,
                      gint64          purchased_at,
                      gboolean        refunded)
{
  const EarnRule *rule = NULL;
  gpointer tier;
  gint64 multiplier, points, divisor;

  g_return_if_fail (self != NULL);

  if (refunded || contact_id <= 0 || amount <= 0 || currency == NULL)
    return;
  for (guint i = 0; i < self->rules->len; i++)
    if (strcmp (g_array_index (self->rules, EarnRule, i).currency, currency) == 0)
      {
        rule = &g_array_index (self->rules, EarnRule, i);
        break;
      }
  if (rule == NULL)
    return;

  tier = g_hash_table_lookup (self->contact_tier, GSIZE_TO_POINTER ((gsize) contact_id));
  multiplier = tier != NULL ? self->tier_multiplier[GPOINTER_TO_SIZE (tier) - 1] : self->default_multiplier;

  /* SQLite turns an integer product that overflows into a real one:
   * such a purchase is left to the SQL (see ct_points_earner_store()). */
  if (__builtin_mul_overflow (amount, rule->points_per_unit, &points)
      || __builtin_mul_overflow (points, multiplier, &points)
      || __builtin_mul_overflow (rule->currency_scale, (gint64) 10000, &divisor))
    {
      g_array_append_val (self->overflowed, purchase_id);
      return;
    }
  /* SQLite's integer division truncates toward zero as C's does; a
   * divisor of 0 gives NULL there, so no points. */
  if (divisor == 0)
    return;
  points /= divisor;
  if (points > 0)
    {
      Earned earned = { purchase_id, contact_id, points, purchased_at,
                        rule->expiry_days > 0 ? purchased_at + rule->expiry_days * 86400 : 0 };

      g_array_append_val (self->earned, earned);
    }
}

gboolean
ct_points_earner_store (CtPointsEarner *self,
                        CtDb           *db,
                        GError        **error)
{
  g_autoptr(sqlite3_stmt) trigger = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(GHashTable) index = g_hash_table_new (NULL, NULL);
  g_autoptr(GArray) balances = g_array_new (FALSE, FALSE, sizeof (Balance));
  g_autofree char *trigger_sql = NULL;
  GError *local_error = NULL;
  gint64 checks = -1;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (CT_IS_DB (db), FALSE);

  if (self->earned->len == 0 && self->overflowed->len == 0)
    return TRUE;

  trigger = ct_db_prepare (db, "SELECT sql FROM sqlite_master WHERE type = 'trigger'"
                               " AND name = 'points_ledger_ins'", error);
  if (trigger == NULL)
    return FALSE;
  if (sqlite3_step (trigger) == SQLITE_ROW)
    trigger_sql = g_strdup ((const char *) sqlite3_column_text (trigger, 0));
  g_clear_pointer (&trigger, sqlite3_finalize);
  if (trigger_sql == NULL)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_FAILED,
                           _("The database lacks the trigger that keeps the points balances."));
      return FALSE;
    }
  if (!ct_db_exec (db, "SAVEPOINT ct_points_earn", error))
    return FALSE;
  if (!ct_db_exec (db, "DROP TRIGGER points_ledger_ins", error))
    goto failed;

  /* Every row is kind 'purchase' with points above 0: see checks_off(). */
  if (!checks_off (db, &checks, error))
    goto failed;
  insert = ct_db_prepare (db, "INSERT INTO points_ledger (contact_id, points, kind, created_at, expires_at, purchase_id)"
                              " VALUES (?1, ?2, 'purchase', ?3, ?4, ?5)", error);
  if (insert == NULL)
    goto failed;
  for (guint i = 0; i < self->earned->len; i++)
    {
      const Earned *earned = &g_array_index (self->earned, Earned, i);
      int rc;

      sqlite3_bind_int64 (insert, 1, earned->contact_id);
      sqlite3_bind_int64 (insert, 2, earned->points);
      sqlite3_bind_int64 (insert, 3, earned->created_at);
      if (earned->expires_at != 0)
        sqlite3_bind_int64 (insert, 4, earned->expires_at);
      else
        sqlite3_bind_null (insert, 4);
      sqlite3_bind_int64 (insert, 5, earned->purchase_id);
      rc = sqlite3_step (insert);
      sqlite3_reset (insert);
      if (rc != SQLITE_DONE)
        {
          ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not give the points of the purchases"));
          goto failed;
        }
      balances_add (balances, index, earned->contact_id, earned->points);
    }
  g_clear_pointer (&insert, sqlite3_finalize);
  checks_back (db, checks);
  checks = -1;

  /* The few whose arithmetic overflowed, by the SQL itself; their rows
   * come after the others, so their balances are read back. */
  if (self->overflowed->len > 0)
    {
      gint64 last_row = ct_db_query_int64 (db, "SELECT coalesce(max(id), 0) FROM points_ledger", &local_error);

      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          goto failed;
        }
      for (guint i = 0; i < self->overflowed->len; i++)
        if (!earn_sql (db, "p.id = ?1", g_array_index (self->overflowed, gint64, i), error))
          goto failed;
      if (!add_balances (db, last_row, error))
        goto failed;
    }
  if (!store_balances (db, balances, error)
      || !ct_db_exec (db, trigger_sql, error)
      || !ct_db_exec (db, "RELEASE ct_points_earn", error))
    goto failed;
  g_array_set_size (self->earned, 0);
  g_array_set_size (self->overflowed, 0);
  return TRUE;

failed:
  g_clear_pointer (&insert, sqlite3_finalize);
  if (checks >= 0)
    checks_back (db, checks);
  ct_db_exec (db, "ROLLBACK TO ct_points_earn", NULL);
  ct_db_exec (db, "RELEASE ct_points_earn", NULL);
  return FALSE;
}

/* Expiry */

typedef struct
{
  gint64   id;
  gint64   remaining;
  gint64   expires_at;   /* 0: never */
  gboolean settled;
} Lot;

typedef struct
{
  gint64 lot_id;
  gint64 points;         /* what is left, written off; may be 0 */
  gint64 expires_at;
} WriteOff;

/* Lots expiring first come first; those that never expire last. */
static int
compare_expiry (gconstpointer a,
                gconstpointer b)
{
  const Lot *x = *(const Lot * const *) a;
  const Lot *y = *(const Lot * const *) b;
  gint64 ex = x->expires_at != 0 ? x->expires_at : G_MAXINT64;
  gint64 ey = y->expires_at != 0 ? y->expires_at : G_MAXINT64;

  if (ex != ey)
    return ex < ey ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

/* Lots unsettled and expired by @t are written off with what is left. */
static void
settle_expired (GArray *lots,
                gint64  t,
                GArray *write_offs)
{
  for (guint i = 0; i < lots->len; i++)
    {
      Lot *lot = &g_array_index (lots, Lot, i);

      if (!lot->settled && lot->expires_at != 0 && lot->expires_at <= t)
        {
          WriteOff w = { lot->id, lot->remaining, lot->expires_at };

          g_array_append_val (write_offs, w);
          lot->remaining = 0;
          lot->settled = TRUE;
        }
    }
}

/* Replays one contact's ledger in time order, spending from the lots
 * that expire first, and finds what must be written off by @as_of. */
static gboolean
expire_contact (CtDb    *db,
                gint64   contact_id,
                gint64   as_of,
                guint   *n_written,
                GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) settle = NULL;
  g_autoptr(GArray) lots = g_array_new (FALSE, TRUE, sizeof (Lot));
  g_autoptr(GArray) write_offs = g_array_new (FALSE, TRUE, sizeof (WriteOff));
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  gint64 debt = 0;
  int rc;

  stmt = ct_db_prepare (db,
                        "SELECT id, points, kind, created_at, expires_at, expiry_settled"
                        " FROM points_ledger WHERE contact_id = ? ORDER BY created_at, id",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, contact_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 points = sqlite3_column_int64 (stmt, 1);
      const char *kind = (const char *) sqlite3_column_text (stmt, 2);
      gint64 t = sqlite3_column_int64 (stmt, 3);

      settle_expired (lots, t, write_offs);

      if (g_str_equal (kind, "expired"))
        continue;   /* its lot was settled when it was written */

      if (points > 0)
        {
          Lot lot = { 0 };

          lot.id = sqlite3_column_int64 (stmt, 0);
          lot.expires_at = sqlite3_column_int64 (stmt, 4);
          lot.settled = sqlite3_column_int (stmt, 5) != 0;
          /* Points owed (a refund after the points were spent) are
           * paid back first. */
          lot.remaining = points - MIN (points, debt);
          debt -= MIN (points, debt);
          g_array_append_val (lots, lot);
          continue;
        }

      /* Spending: from the lots still good at t that expire first. */
      g_ptr_array_set_size (order, 0);
      for (guint i = 0; i < lots->len; i++)
        {
          Lot *lot = &g_array_index (lots, Lot, i);

          if (lot->remaining > 0 && (lot->expires_at == 0 || lot->expires_at > t))
            g_ptr_array_add (order, lot);
        }
      g_ptr_array_sort (order, compare_expiry);
      points = -points;
      for (guint i = 0; i < order->len && points > 0; i++)
        {
          Lot *lot = g_ptr_array_index (order, i);
          gint64 take = MIN (points, lot->remaining);

          lot->remaining -= take;
          points -= take;
        }
      debt += points;
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the points"));
      return FALSE;
    }
  settle_expired (lots, as_of, write_offs);

  settle = ct_db_prepare (db, "UPDATE points_ledger SET expiry_settled = 1 WHERE id = ?", error);
  if (settle == NULL)
    return FALSE;
  for (guint i = 0; i < write_offs->len; i++)
    {
      const WriteOff *w = &g_array_index (write_offs, WriteOff, i);

      if (w->points > 0)
        {
          if (insert_row (db, contact_id, -w->points, CT_POINTS_EXPIRED, "", w->expires_at,
                          0, 0, w->lot_id, error) == 0)
            return FALSE;
          (*n_written)++;
        }
      sqlite3_reset (settle);
      sqlite3_bind_int64 (settle, 1, w->lot_id);
      rc = sqlite3_step (settle);
      if (rc != SQLITE_DONE)
        {
          ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not write the points"));
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
ct_points_expire (CtDb    *db,
                  gint64   as_of,
                  gint64   contact_id,
                  guint   *n_expired,
                  GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) contacts = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint written = 0;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  as_of = now_or (as_of);
  stmt = ct_db_prepare (db,
                        "SELECT DISTINCT contact_id FROM points_ledger"
                        " WHERE expires_at IS NOT NULL AND expiry_settled = 0 AND expires_at <= ?1"
                        " AND (?2 = 0 OR contact_id = ?2)",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, as_of);
  sqlite3_bind_int64 (stmt, 2, contact_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (contacts, id);
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the points"));
      return FALSE;
    }

  if (contacts->len > 0)
    {
      if (!ct_db_exec (db, "SAVEPOINT ct_points_expire", error))
        return FALSE;
      for (guint i = 0; i < contacts->len; i++)
        if (!expire_contact (db, g_array_index (contacts, gint64, i), as_of, &written, error))
          {
            ct_db_exec (db, "ROLLBACK TO ct_points_expire", NULL);
            ct_db_exec (db, "RELEASE ct_points_expire", NULL);
            return FALSE;
          }
      if (!ct_db_exec (db, "RELEASE ct_points_expire", error))
        return FALSE;
    }

  if (n_expired != NULL)
    *n_expired = written;
  if (written > 0)
    ct_db_emit_changed (db, "points_ledger");
  return TRUE;
}

gboolean
ct_points_get_balance (CtDb    *db,
                       gint64   contact_id,
                       gint64  *balance,
                       GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (balance != NULL, FALSE);

  stmt = ct_db_prepare (db, "SELECT points FROM contact_loyalty WHERE contact_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, contact_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the points balance"));
      return FALSE;
    }
  *balance = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  return TRUE;
}

gint64
ct_points_redeem (CtDb        *db,
                  gint64       contact_id,
                  gint64       points,
                  const char  *reason,
                  gint64       at,
                  GError     **error)
{
  gint64 balance = 0;
  gint64 id;

  g_return_val_if_fail (CT_IS_DB (db), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (points <= 0)
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   _("Points redeemed must be a whole number above zero, not %lld."),
                   (long long) points);
      return 0;
    }
  if (!ct_contact_check_exists (db, contact_id, error))
    return 0;

  at = now_or (at);
  /* What expired is gone whether or not this redemption goes through. */
  if (!ct_points_expire (db, at, contact_id, NULL, error))
    return 0;
  if (!ct_db_exec (db, "SAVEPOINT ct_points_redeem", error))
    return 0;
  if (!ct_points_get_balance (db, contact_id, &balance, error))
    goto fail;
  if (points > balance)
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   ngettext ("Cannot redeem %lld points: the balance is only %lld point.",
                             "Cannot redeem %lld points: the balance is only %lld points.",
                             (unsigned long) (balance > 0 ? balance : 0) % 1000000),
                   (long long) points, (long long) balance);
      goto fail;
    }
  id = insert_row (db, contact_id, -points, CT_POINTS_REDEEM, reason, at, 0, 0, 0, error);
  if (id == 0)
    goto fail;
  if (!ct_db_exec (db, "RELEASE ct_points_redeem", error))
    goto fail;
  ct_db_emit_changed (db, "points_ledger");
  return id;

fail:
  ct_db_exec (db, "ROLLBACK TO ct_points_redeem", NULL);
  ct_db_exec (db, "RELEASE ct_points_redeem", NULL);
  return 0;
}

static void
entry_clear (gpointer data)
{
  CtPointsEntry *entry = data;

  g_clear_pointer (&entry->reason, g_free);
}

GArray *
ct_points_list (CtDb    *db,
                gint64   contact_id,
                GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) entries = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), NULL);

  stmt = ct_db_prepare (db,
                        "SELECT id, points, kind, reason, created_at, expires_at FROM points_ledger"
                        " WHERE contact_id = ? ORDER BY created_at DESC, id DESC",
                        error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, contact_id);

  entries = g_array_new (FALSE, TRUE, sizeof (CtPointsEntry));
  g_array_set_clear_func (entries, entry_clear);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CtPointsEntry entry = { 0 };

      entry.id = sqlite3_column_int64 (stmt, 0);
      entry.points = sqlite3_column_int64 (stmt, 1);
      if (!ct_points_kind_from_id ((const char *) sqlite3_column_text (stmt, 2), &entry.kind))
        entry.kind = CT_POINTS_MANUAL;
      entry.reason = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      entry.created_at = sqlite3_column_int64 (stmt, 4);
      entry.expires_at = sqlite3_column_int64 (stmt, 5);
      g_array_append_val (entries, entry);
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the points"));
      return NULL;
    }
  return g_steal_pointer (&entries);
}
