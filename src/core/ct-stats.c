/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-stats.c: headline counts of a database
 *
 * These figures head the dashboard and the command line's summary, so they
 * come from cheap queries: the contact counts use the purchase figures the
 * triggers keep on each contact, and the purchases table is scanned once,
 * grouped by currency, for the purchase count, the main currency and its
 * revenue together.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-stats.h"

static gboolean
read_counts (CtDb     *db,
             CtStats  *stats,
             GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = ct_db_prepare (db,
                        "SELECT (SELECT count(*) FROM contacts),"
                        " (SELECT count(*) FROM contacts WHERE purchase_count > 0),"
                        " (SELECT count(*) FROM products)",
                        error);
  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc,
                       _("Could not count the contacts"));
      return FALSE;
    }

  stats->contacts = sqlite3_column_int64 (stmt, 0);
  stats->customers = sqlite3_column_int64 (stmt, 1);
  stats->products = sqlite3_column_int64 (stmt, 2);
  return TRUE;
}

static gboolean
read_purchases (CtDb     *db,
                CtStats  *stats,
                GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 best_count = 0;
  int rc;

  /* Ordered by currency so that a tie for the main currency always goes
   * the same way. */
  stmt = ct_db_prepare (db,
                        "SELECT currency, count(*), sum(refunded = 0),"
                        " coalesce(sum(CASE WHEN refunded = 0 THEN amount END), 0)"
                        " FROM purchases GROUP BY currency ORDER BY currency",
                        error);
  if (stmt == NULL)
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *currency = (const char *) sqlite3_column_text (stmt, 0);
      gint64 count = sqlite3_column_int64 (stmt, 1);

      stats->purchases += sqlite3_column_int64 (stmt, 2);
      if (count > best_count)
        {
          best_count = count;
          g_strlcpy (stats->currency, currency != NULL ? currency : "CNY",
                     sizeof stats->currency);
          stats->revenue = sqlite3_column_int64 (stmt, 3);
        }
    }

  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc,
                       _("Could not add up the purchases"));
      return FALSE;
    }

  return TRUE;
}

/**
 * ct_stats_load:
 * @stats: (out caller-allocates): filled in
 *
 * Reads the headline counts: contacts; customers (contacts with a purchase
 * that was not refunded); purchases not refunded; products; and revenue,
 * the sum of the purchases not refunded in the main currency, which is the
 * currency most purchases use (CNY when there are none). Purchases in other
 * currencies are counted but not added to the revenue.
 *
 * Returns: %FALSE with @error set on failure; @stats is then zeroed
 */
gboolean
ct_stats_load (CtDb     *db,
               CtStats  *stats,
               GError  **error)
{
  gboolean ok;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (stats != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (stats, 0, sizeof *stats);
  g_strlcpy (stats->currency, "CNY", sizeof stats->currency);

  /* One read transaction, so that all the figures describe the same
   * moment even while a worker thread is importing. A savepoint nests
   * inside a transaction the caller may have open. */
  if (!ct_db_exec (db, "SAVEPOINT ct_stats", error))
    return FALSE;

  ok = read_counts (db, stats, error) && read_purchases (db, stats, error);

  if (!ok)
    ct_db_exec (db, "ROLLBACK TO ct_stats", NULL);
  ct_db_exec (db, "RELEASE ct_stats", NULL);

  if (!ok)
    {
      memset (stats, 0, sizeof *stats);
      g_strlcpy (stats->currency, "CNY", sizeof stats->currency);
    }

  return ok;
}
