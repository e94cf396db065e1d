/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-referral.c: who referred whom (the rules are in ct-referral.h) */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-contact.h"
#include "ct-points.h"
#include "ct-referral.h"
#include "ct-tier.h"

static gint64
now_or (gint64 when)
{
  return when != 0 ? when : g_get_real_time () / G_USEC_PER_SEC;
}

static gboolean
run (CtDb        *db,
     const char  *sql,
     gint64       a,
     gint64       b,
     GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, a);
  sqlite3_bind_int64 (stmt, 2, b);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not save the referral"));
      return FALSE;
    }
  return TRUE;
}

gboolean
ct_referral_set (CtDb              *db,
                 gint64             referred_id,
                 gint64             referrer_id,
                 CtReferralSource   source,
                 gint64             at,
                 GError           **error)
{
  gint64 previous = 0;
  CtLoyaltySettings settings;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (referrer_id != 0 && referrer_id == referred_id)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("A contact cannot be its own referrer."));
      return FALSE;
    }
  if (!ct_contact_check_exists (db, referred_id, error)
      || (referrer_id != 0 && !ct_contact_check_exists (db, referrer_id, error))
      || !ct_referral_get_referrer (db, referred_id, &previous, error)
      || !ct_loyalty_settings_load (db, &settings, error))
    return FALSE;
  if (previous == referrer_id)
    return TRUE;

  at = now_or (at);
  if (!ct_db_exec (db, "SAVEPOINT ct_referral", error))
    return FALSE;

  if (referrer_id == 0)
    {
      if (!run (db, "DELETE FROM points_ledger WHERE referred_id = ?1 AND kind = 'referral' AND ?2 = ?2",
                referred_id, 0, error)
          || !run (db, "DELETE FROM referrals WHERE referred_id = ?1 AND ?2 = ?2", referred_id, 0, error))
        goto fail;
    }
  else
    {
      g_autoptr(sqlite3_stmt) stmt = NULL;
      int rc;

      stmt = ct_db_prepare (db,
                            "INSERT INTO referrals (referred_id, referrer_id, source, created_at)"
                            " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (referred_id)"
                            " DO UPDATE SET referrer_id = ?2, source = ?3",
                            error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_int64 (stmt, 1, referred_id);
      sqlite3_bind_int64 (stmt, 2, referrer_id);
      sqlite3_bind_text (stmt, 3, source == CT_REFERRAL_IMPORT ? "import" : "manual", -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 4, at);
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_DONE)
        {
          ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not save the referral"));
          goto fail;
        }

      if (previous != 0)
        {
          /* The points go with the referral to whoever really referred. */
          if (!run (db, "UPDATE points_ledger SET contact_id = ?2 WHERE referred_id = ?1 AND kind = 'referral'",
                    referred_id, referrer_id, error))
            goto fail;
        }
      else if (settings.referral_points > 0
               && ct_points_award_full (db, referrer_id, settings.referral_points, CT_POINTS_REFERRAL,
                                        NULL, at, referred_id, error) == 0)
        goto fail;
    }

  if (!ct_db_exec (db, "RELEASE ct_referral", error))
    goto fail;
  ct_db_emit_changed (db, "referrals");
  ct_db_emit_changed (db, "points_ledger");
  return TRUE;

fail:
  ct_db_exec (db, "ROLLBACK TO ct_referral", NULL);
  ct_db_exec (db, "RELEASE ct_referral", NULL);
  return FALSE;
}

gboolean
ct_referral_get_referrer (CtDb    *db,
                          gint64   referred_id,
                          gint64  *referrer_id,
                          GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (referrer_id != NULL, FALSE);

  stmt = ct_db_prepare (db, "SELECT referrer_id FROM referrals WHERE referred_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, referred_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the referral"));
      return FALSE;
    }
  *referrer_id = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  return TRUE;
}

gboolean
ct_referral_get_counts (CtDb    *db,
                        gint64   referrer_id,
                        gint64  *n_referred,
                        gint64  *points,
                        GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);

  stmt = ct_db_prepare (db,
                        "SELECT (SELECT count(*) FROM referrals WHERE referrer_id = ?1),"
                        " (SELECT coalesce(sum(points), 0) FROM points_ledger"
                        "  WHERE contact_id = ?1 AND kind = 'referral')",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, referrer_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not count the referrals"));
      return FALSE;
    }
  if (n_referred != NULL)
    *n_referred = sqlite3_column_int64 (stmt, 0);
  if (points != NULL)
    *points = sqlite3_column_int64 (stmt, 1);
  return TRUE;
}

static void
stats_clear (gpointer data)
{
  CtReferrerStats *stats = data;

  g_clear_pointer (&stats->name, g_free);
}

GArray *
ct_referral_list (CtDb    *db,
                  gint64   referrer_id,
                  guint    limit,
                  GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) list = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), NULL);

  if (referrer_id != 0)
    stmt = ct_db_prepare (db,
                          "SELECT c.id, c.first_name, c.last_name, c.email, c.phone, 0, 0"
                          " FROM referrals r JOIN contacts c ON c.id = r.referred_id"
                          " WHERE r.referrer_id = ?1 ORDER BY r.created_at DESC, c.id LIMIT ?2",
                          error);
  else
    stmt = ct_db_prepare (db,
                          "SELECT c.id, c.first_name, c.last_name, c.email, c.phone, r.n,"
                          " (SELECT coalesce(sum(points), 0) FROM points_ledger"
                          "  WHERE contact_id = c.id AND kind = 'referral')"
                          " FROM (SELECT referrer_id, count(*) AS n FROM referrals GROUP BY referrer_id) r"
                          " JOIN contacts c ON c.id = r.referrer_id"
                          " WHERE ?1 = 0 ORDER BY r.n DESC, c.id LIMIT ?2",
                          error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, referrer_id);
  sqlite3_bind_int64 (stmt, 2, limit > 0 ? (gint64) limit : -1);

  list = g_array_new (FALSE, TRUE, sizeof (CtReferrerStats));
  g_array_set_clear_func (list, stats_clear);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CtReferrerStats s = { 0 };
      g_autofree char *name = ct_contact_format_name ((const char *) sqlite3_column_text (stmt, 1),
                                                      (const char *) sqlite3_column_text (stmt, 2));
      const char *email = (const char *) sqlite3_column_text (stmt, 3);

      s.contact_id = sqlite3_column_int64 (stmt, 0);
      if (*name != '\0')
        s.name = g_steal_pointer (&name);
      else if (email != NULL && *email != '\0')
        s.name = g_strdup (email);
      else
        s.name = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      s.referred = sqlite3_column_int64 (stmt, 5);
      s.points = sqlite3_column_int64 (stmt, 6);
      g_array_append_val (list, s);
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the referrals"));
      return NULL;
    }
  return g_steal_pointer (&list);
}

gint64
ct_referral_find_contact (CtDb        *db,
                          const char  *text,
                          GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *clean = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), 0);

  clean = g_strstrip (g_strdup (text != NULL ? text : ""));
  if (*clean == '\0')
    return 0;

  /* email's NOCASE collation ignores case; a phone must match as kept. */
  stmt = ct_db_prepare (db,
                        strchr (clean, '@') != NULL
                          ? "SELECT id FROM contacts WHERE email = ?1"
                          : "SELECT id FROM contacts WHERE phone = ?1 ORDER BY id LIMIT 1",
                        error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, clean, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return sqlite3_column_int64 (stmt, 0);
  if (rc != SQLITE_DONE)
    ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not look up the referrer"));
  return 0;
}
