/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-rollup.c: summaries of the purchases kept for the dashboard
 *
 * The tables are described in migration 11 (ct-db-schema.c). Two kinds:
 *
 *   - sales_hours and sales_days: additive, kept by triggers on every
 *     change of a purchase. A range of time is added up from the UTC
 *     days it covers whole, the UTC hours at its edges and, when an
 *     edge is not on a whole hour (India is UTC+5:30), the purchases of
 *     the minutes left, read through the purchases_time index. So a
 *     local day or month comes out exact in any time zone without the
 *     triggers knowing about time zones.
 *
 *   - contact_rollup and cohort_buyers: per customer, which needs the
 *     customer's whole purchase history and, for months, a time zone.
 *     A trigger only lists a changed customer in rollup_dirty; its
 *     stored row, if any, is then stale. The readers here take the
 *     stale rows of the listed customers out, work those customers out
 *     from their purchases and add them; ct_rollup_refresh() replaces
 *     the rows. An import only lists its buyers; the dashboard page and
 *     the analysis refresh.
 *
 * Every reader gives the figures the purchases give; the test
 * test-rollup.c checks that after random inserts, updates, deletes,
 * erasures and imports.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-rollup.h"

#define HOUR 3600
#define DAY 86400
/* The months a cohort or purchase month may be in: 1900 to 2199. */
#define FIRST_YEAR 1900
#define N_YEARS 300
#define MAX_COHORT_MONTHS (100 * 12)
#define NONE G_MAXINT64

/* ------------------------------------------------------------------ */
/* Switch */

void
ct_rollup_set_enabled (CtDb     *db,
                       gboolean  enabled)
{
  g_return_if_fail (CT_IS_DB (db));

  g_object_set_data (G_OBJECT (db), "ct-rollup-disabled", GINT_TO_POINTER (!enabled));
}

gboolean
ct_rollup_get_enabled (CtDb *db)
{
  g_return_val_if_fail (CT_IS_DB (db), FALSE);

  return g_object_get_data (G_OBJECT (db), "ct-rollup-disabled") == NULL;
}

/* ------------------------------------------------------------------ */
/* Months in a time zone */

typedef struct
{
  gint    first;     /* year × 12 + month − 1 of starts[0] */
  guint   n;
  gint64 *starts;    /* n + 1 */
} MonthTable;

static void
month_table_init (MonthTable *table,
                  GTimeZone  *tz)
{
  table->first = FIRST_YEAR * 12;
  table->n = N_YEARS * 12;
  table->starts = g_new (gint64, table->n + 1);
  for (guint i = 0; i <= table->n; i++)
    {
      gint month = table->first + (gint) i;
      g_autoptr(GDateTime) dt = g_date_time_new (tz, month / 12, month % 12 + 1, 1, 0, 0, 0);

      table->starts[i] = g_date_time_to_unix (dt);
    }
}

static void
month_table_clear (MonthTable *table)
{
  g_clear_pointer (&table->starts, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (MonthTable, month_table_clear)

/* FALSE for a time outside the table. */
static gboolean
month_table_find (const MonthTable *table,
                  gint64            t,
                  gint             *month)
{
  guint lo = 0, hi = table->n;

  if (t < table->starts[0] || t >= table->starts[table->n])
    return FALSE;
  while (hi - lo > 1)
    {
      guint mid = lo + (hi - lo) / 2;

      if (table->starts[mid] <= t)
        lo = mid;
      else
        hi = mid;
    }
  *month = table->first + (gint) lo;
  return TRUE;
}

static char *
zone_name (GTimeZone *tz)
{
  const char *id = g_time_zone_get_identifier (tz);

  return g_strdup (id != NULL && *id != '\0' ? id : "UTC");
}

static char *
stored_zone (CtDb    *db,
             GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, "SELECT value FROM settings WHERE key = 'rollup.zone'", error);
  int rc;

  if (stmt == NULL)
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the summaries’ time zone"));
      return NULL;
    }
  return g_strdup ("");
}

/* ------------------------------------------------------------------ */
/* One customer from its purchases */

typedef struct
{
  gint64  contact_id;
  gint64  channel_id;     /* 0: none */
  GArray *times;          /* gint64, ascending: its purchases not refunded */
} Customer;

static void
customer_clear (gpointer data)
{
  Customer *c = data;

  g_clear_pointer (&c->times, g_array_unref);
}

static gint64
nth_time (const Customer *c,
          guint           n)
{
  return c->times->len >= n ? g_array_index (c->times, gint64, n - 1) : NONE;
}

/* Reads the customers of @sql's rows (contact id, channel id, purchase
 * time) in contact and time order. */
static GArray *
read_customers (CtDb          *db,
                sqlite3_stmt  *stmt,
                GError       **error)
{
  g_autoptr(GArray) customers = g_array_new (FALSE, TRUE, sizeof (Customer));
  Customer *current = NULL;
  int rc;

  g_array_set_clear_func (customers, customer_clear);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      gint64 t = sqlite3_column_int64 (stmt, 2);

      if (current == NULL || current->contact_id != id)
        {
          Customer c = { id, sqlite3_column_int64 (stmt, 1), g_array_new (FALSE, FALSE, sizeof (gint64)) };

          g_array_append_val (customers, c);
          current = &g_array_index (customers, Customer, customers->len - 1);
        }
      g_array_append_val (current->times, t);
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the customers’ purchases"));
      return NULL;
    }
  return g_steal_pointer (&customers);
}

/* The customers listed in rollup_dirty, with their purchases. CROSS
 * JOIN keeps the short list outside: SQLite would otherwise rather read
 * every purchase and look each up in it. */
static GArray *
read_dirty (CtDb    *db,
            GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = ct_db_prepare (db,
                        "SELECT d.contact_id, coalesce((SELECT channel_id FROM contacts WHERE id = d.contact_id), 0),"
                        " p.purchased_at"
                        " FROM rollup_dirty d CROSS JOIN purchases p ON p.contact_id = d.contact_id"
                        " WHERE p.refunded = 0 ORDER BY d.contact_id, p.purchased_at",
                        error);
  if (stmt == NULL)
    return NULL;
  return read_customers (db, stmt, error);
}

/* A customer's cohort and distinct months, purchases up to @as_of.
 * FALSE when a purchase is outside the month table. */
static gboolean
customer_months (const Customer   *c,
                 const MonthTable *table,
                 gint64            as_of,
                 gint             *cohort,
                 GArray           *months)
{
  g_array_set_size (months, 0);
  for (guint i = 0; i < c->times->len; i++)
    {
      gint64 t = g_array_index (c->times, gint64, i);
      gint month;

      if (t > as_of)
        break;
      if (!month_table_find (table, t, &month))
        return FALSE;
      if (months->len == 0)
        *cohort = month;
      if (months->len == 0 || g_array_index (months, gint, months->len - 1) != month)
        g_array_append_val (months, month);
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Refresh */

typedef struct _Cell Cell;
static void cell_add (GHashTable *cells,
                      gint        cohort,
                      gint        month,
                      gint64      n);

/* Takes the stored months of the customers listed in rollup_dirty out
 * of @cells: their rows are out of date. */
static gboolean
subtract_dirty_rows (CtDb        *db,
                     GHashTable  *cells,
                     GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = ct_db_prepare (db,
                        "SELECT r.cohort, j.value FROM rollup_dirty d"
                        " CROSS JOIN contact_rollup r ON r.contact_id = d.contact_id, json_each(r.months) j",
                        error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    cell_add (cells, sqlite3_column_int (stmt, 0), sqlite3_column_int (stmt, 1), -1);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the customers’ summary"));
      return FALSE;
    }
  return TRUE;
}

struct _Cell
{
  gint cohort;
  gint month;
};

static guint
cell_hash (gconstpointer key)
{
  const Cell *c = key;

  return (guint) c->cohort * 31u + (guint) c->month;
}

static gboolean
cell_equal (gconstpointer a,
            gconstpointer b)
{
  const Cell *x = a, *y = b;

  return x->cohort == y->cohort && x->month == y->month;
}

static void
cell_add (GHashTable *cells,
          gint        cohort,
          gint        month,
          gint64      n)
{
  Cell key = { cohort, month };
  gint64 *count = g_hash_table_lookup (cells, &key);

  if (count == NULL)
    {
      Cell *k = g_new (Cell, 1);

      *k = key;
      count = g_new0 (gint64, 1);
      g_hash_table_insert (cells, k, count);
    }
  *count += n;
}

static GHashTable *
cells_new (void)
{
  return g_hash_table_new_full (cell_hash, cell_equal, g_free, g_free);
}

static gboolean
step_done (CtDb         *db,
           sqlite3_stmt *stmt,
           const char   *what,
           GError      **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, what);
      return FALSE;
    }
  return TRUE;
}

static void
bind_time (sqlite3_stmt *stmt,
           int           i,
           gint64        t)
{
  if (t == NONE)
    sqlite3_bind_null (stmt, i);
  else
    sqlite3_bind_int64 (stmt, i, t);
}

static gboolean
refresh (CtDb       *db,
         GTimeZone  *tz,
         GError    **error)
{
  g_autofree char *zone = zone_name (tz);
  g_autofree char *stored = NULL;
  g_autoptr(GArray) customers = NULL;
  g_autoptr(GArray) kept = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) months = g_array_new (FALSE, FALSE, sizeof (gint));
  g_autoptr(GHashTable) cells = cells_new ();
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(sqlite3_stmt) keep = NULL;
  g_autoptr(sqlite3_stmt) add = NULL;
  g_auto(MonthTable) table = { 0 };
  GHashTableIter iter;
  gpointer key, value;
  gint64 n_dirty;

  stored = stored_zone (db, error);
  if (stored == NULL)
    return FALSE;
  if (!g_str_equal (stored, zone))
    {
      g_autoptr(sqlite3_stmt) set = NULL;

      /* Months counted in another zone: every customer again. The
       * cohorts go first, so that the rows leaving have nothing to
       * take back. */
      if (!ct_db_exec (db, "DELETE FROM cohort_buyers", error)
          || !ct_db_exec (db, "DELETE FROM contact_rollup", error)
          || !ct_db_exec (db, "INSERT OR IGNORE INTO rollup_dirty (contact_id)"
                              " SELECT DISTINCT contact_id FROM purchases WHERE contact_id IS NOT NULL", error))
        return FALSE;
      set = ct_db_prepare (db, "INSERT OR REPLACE INTO settings (key, value) VALUES ('rollup.zone', ?)", error);
      if (set == NULL)
        return FALSE;
      sqlite3_bind_text (set, 1, zone, -1, SQLITE_STATIC);
      if (!step_done (db, set, _("Could not store the summaries’ time zone"), error))
        return FALSE;
    }

  n_dirty = ct_db_query_int64 (db, "SELECT count(*) FROM rollup_dirty", error);
  if (n_dirty < 0)
    return FALSE;
  if (n_dirty == 0)
    return TRUE;

  customers = read_dirty (db, error);
  if (customers == NULL)
    return FALSE;
  /* Their old rows go, taking their share of the cohorts with them
   * (contact_rollup_del); a customer with no purchase left has none. */
  if (!ct_db_exec (db, "DELETE FROM contact_rollup WHERE contact_id IN (SELECT contact_id FROM rollup_dirty)", error))
    return FALSE;

  month_table_init (&table, tz);
  insert = ct_db_prepare (db,
                          "INSERT INTO contact_rollup (contact_id, channel_id, first_at, second_at, loyal_at, cohort, months)"
                          " VALUES (?1, nullif(?2, 0), ?3, ?4, ?5, ?6, ?7)",
                          error);
  if (insert == NULL)
    return FALSE;
  for (guint i = 0; i < customers->len; i++)
    {
      const Customer *c = &g_array_index (customers, Customer, i);
      g_autoptr(GString) json = g_string_new ("[");
      gint cohort = 0;

      if (!customer_months (c, &table, NONE, &cohort, months))
        {
          /* Dated outside the calendar: left to the readers. */
          g_array_append_val (kept, c->contact_id);
          continue;
        }
      for (guint m = 0; m < months->len; m++)
        {
          gint month = g_array_index (months, gint, m);

          g_string_append_printf (json, m > 0 ? ",%d" : "%d", month);
          cell_add (cells, cohort, month, 1);
        }
      g_string_append_c (json, ']');

      sqlite3_bind_int64 (insert, 1, c->contact_id);
      sqlite3_bind_int64 (insert, 2, c->channel_id);
      sqlite3_bind_int64 (insert, 3, nth_time (c, 1));
      bind_time (insert, 4, nth_time (c, 2));
      bind_time (insert, 5, nth_time (c, CT_ROLLUP_LOYAL_PURCHASES));
      sqlite3_bind_int (insert, 6, cohort);
      sqlite3_bind_text (insert, 7, json->str, -1, SQLITE_TRANSIENT);
      if (!step_done (db, insert, _("Could not store the customers’ summary"), error))
        return FALSE;
    }

  if (!ct_db_exec (db, "DELETE FROM rollup_dirty", error))
    return FALSE;
  keep = ct_db_prepare (db, "INSERT INTO rollup_dirty (contact_id) VALUES (?)", error);
  if (keep == NULL)
    return FALSE;
  for (guint i = 0; i < kept->len; i++)
    {
      sqlite3_bind_int64 (keep, 1, g_array_index (kept, gint64, i));
      if (!step_done (db, keep, _("Could not store the customers’ summary"), error))
        return FALSE;
    }

  add = ct_db_prepare (db,
                       "INSERT INTO cohort_buyers (cohort, month, buyers) VALUES (?1, ?2, ?3)"
                       " ON CONFLICT DO UPDATE SET buyers = buyers + excluded.buyers",
                       error);
  if (add == NULL)
    return FALSE;
  g_hash_table_iter_init (&iter, cells);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const Cell *cell = key;

      sqlite3_bind_int (add, 1, cell->cohort);
      sqlite3_bind_int (add, 2, cell->month);
      sqlite3_bind_int64 (add, 3, *(gint64 *) value);
      if (!step_done (db, add, _("Could not store the customers’ summary"), error))
        return FALSE;
    }
  return TRUE;
}

/**
 * ct_rollup_refresh:
 * @tz: (nullable): the zone of the months, %NULL for the stored one
 */
gboolean
ct_rollup_refresh (CtDb       *db,
                   GTimeZone  *tz,
                   GError    **error)
{
  g_autoptr(GTimeZone) local = NULL;
  gboolean ok;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!ct_db_exec (db, "SAVEPOINT ct_rollup_refresh", error))
    return FALSE;
  if (tz == NULL)
    {
      g_autofree char *stored = stored_zone (db, error);

      ok = stored != NULL;
      if (ok && *stored != '\0')
        tz = local = g_time_zone_new_identifier (stored);
      if (ok && tz == NULL)
        tz = local = g_time_zone_new_local ();
    }
  else
    ok = TRUE;
  ok = ok && refresh (db, tz, error);
  if (!ok)
    ct_db_exec (db, "ROLLBACK TO ct_rollup_refresh", NULL);
  ct_db_exec (db, "RELEASE ct_rollup_refresh", NULL);
  return ok;
}

/* ------------------------------------------------------------------ */
/* Customers */

/**
 * ct_rollup_count_customers:
 * @customers: (out) (optional)
 * @repeat_customers: (out) (optional)
 * @loyal_customers: (out) (optional)
 */
gboolean
ct_rollup_count_customers (CtDb     *db,
                           gint64    as_of,
                           gint64   *customers,
                           gint64   *repeat_customers,
                           gint64   *loyal_customers,
                           GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) dirty = NULL;
  gint64 counts[3];
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);

  /* Each count reads an index range of its own. */
  stmt = ct_db_prepare (db,
                        "SELECT (SELECT count(*) FROM contact_rollup WHERE first_at <= ?1),"
                        " (SELECT count(*) FROM contact_rollup WHERE second_at IS NOT NULL AND second_at <= ?1),"
                        " (SELECT count(*) FROM contact_rollup WHERE loyal_at IS NOT NULL AND loyal_at <= ?1)",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, as_of);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not count the customers"));
      return FALSE;
    }
  for (int i = 0; i < 3; i++)
    counts[i] = sqlite3_column_int64 (stmt, i);

  /* The listed customers' stored rows are out of date. */
  g_clear_pointer (&stmt, sqlite3_finalize);
  stmt = ct_db_prepare (db,
                        "SELECT coalesce(sum(r.first_at <= ?1), 0), coalesce(sum(r.second_at <= ?1), 0),"
                        " coalesce(sum(r.loyal_at <= ?1), 0)"
                        " FROM rollup_dirty d CROSS JOIN contact_rollup r ON r.contact_id = d.contact_id",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, as_of);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not count the customers"));
      return FALSE;
    }
  for (int i = 0; i < 3; i++)
    counts[i] -= sqlite3_column_int64 (stmt, i);

  dirty = read_dirty (db, error);
  if (dirty == NULL)
    return FALSE;
  for (guint i = 0; i < dirty->len; i++)
    {
      const Customer *c = &g_array_index (dirty, Customer, i);

      counts[0] += nth_time (c, 1) <= as_of;
      counts[1] += nth_time (c, 2) <= as_of;
      counts[2] += nth_time (c, CT_ROLLUP_LOYAL_PURCHASES) <= as_of;
    }

  if (customers != NULL)
    *customers = counts[0];
  if (repeat_customers != NULL)
    *repeat_customers = counts[1];
  if (loyal_customers != NULL)
    *loyal_customers = counts[2];
  return TRUE;
}

static void
count_add (GHashTable *table,
           gint64      id,
           gint64      n)
{
  gint64 *count = g_hash_table_lookup (table, &id);

  if (count == NULL)
    {
      gint64 *key = g_new (gint64, 1);

      *key = id;
      count = g_new0 (gint64, 1);
      g_hash_table_insert (table, key, count);
    }
  *count += n;
}

GHashTable *
ct_rollup_new_customers (CtDb     *db,
                         gint64    from,
                         gint64    to,
                         GError  **error)
{
  g_autoptr(GHashTable) table = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) dirty = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), NULL);

  stmt = ct_db_prepare (db,
                        "SELECT coalesce(channel_id, 0), count(*) FROM contact_rollup"
                        " WHERE first_at >= ?1 AND first_at < ?2 GROUP BY 1",
                        error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, from);
  sqlite3_bind_int64 (stmt, 2, to);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    count_add (table, sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1));
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not count the new customers"));
      return NULL;
    }

  /* The listed customers' stored rows are out of date. */
  g_clear_pointer (&stmt, sqlite3_finalize);
  stmt = ct_db_prepare (db,
                        "SELECT coalesce(r.channel_id, 0), count(*)"
                        " FROM rollup_dirty d CROSS JOIN contact_rollup r ON r.contact_id = d.contact_id"
                        " WHERE r.first_at >= ?1 AND r.first_at < ?2 GROUP BY 1",
                        error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, from);
  sqlite3_bind_int64 (stmt, 2, to);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    count_add (table, sqlite3_column_int64 (stmt, 0), -sqlite3_column_int64 (stmt, 1));
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not count the new customers"));
      return NULL;
    }

  dirty = read_dirty (db, error);
  if (dirty == NULL)
    return NULL;
  for (guint i = 0; i < dirty->len; i++)
    {
      const Customer *c = &g_array_index (dirty, Customer, i);
      gint64 first = nth_time (c, 1);

      if (first >= from && first < to)
        count_add (table, c->channel_id, 1);
    }
  return g_steal_pointer (&table);
}

/* ------------------------------------------------------------------ */
/* Sales */

static gint64
floor_to (gint64 t,
          gint64 step)
{
  return t - ((t % step) + step) % step;
}

static gint64
ceil_to (gint64 t,
         gint64 step)
{
  gint64 f = floor_to (t, step);

  return f == t ? t : f + step;
}

typedef struct
{
  CtDb              *db;
  sqlite3_stmt      *raw;
  sqlite3_stmt      *hours;
  sqlite3_stmt      *days;
  CtRollupSalesFunc  func;
  gpointer           user_data;
} Sales;

static gboolean
sales_read (Sales         *s,
            sqlite3_stmt  *stmt,
            gint64         from,
            gint64         to,
            GError       **error)
{
  int rc;

  if (from >= to)
    return TRUE;
  sqlite3_reset (stmt);
  sqlite3_bind_int64 (stmt, 2, from);
  sqlite3_bind_int64 (stmt, 3, to);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    s->func (sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1),
             sqlite3_column_int64 (stmt, 2), s->user_data);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (s->db), rc, _("Could not add up the sales"));
      return FALSE;
    }
  return TRUE;
}

/**
 * ct_rollup_sales_foreach:
 * @from: the start, G_MININT64 for the first purchase
 * @func: (scope call)
 */
gboolean
ct_rollup_sales_foreach (CtDb              *db,
                         const char        *currency,
                         gint64             from,
                         gint64             to,
                         CtRollupSalesFunc  func,
                         gpointer           user_data,
                         GError           **error)
{
  g_autoptr(sqlite3_stmt) raw = NULL;
  g_autoptr(sqlite3_stmt) hours = NULL;
  g_autoptr(sqlite3_stmt) days = NULL;
  gboolean open_start = from == G_MININT64;
  gint64 h0, h1, d0, d1;
  Sales s;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (currency != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (from >= to)
    return TRUE;

  raw = ct_db_prepare (db,
                       "SELECT coalesce(product_id, 0), count(*), sum(amount) FROM purchases"
                       " WHERE refunded = 0 AND currency = ?1 AND purchased_at >= ?2 AND purchased_at < ?3"
                       " GROUP BY 1",
                       error);
  hours = raw == NULL ? NULL
          : ct_db_prepare (db,
                           "SELECT product_id, orders, revenue FROM sales_hours"
                           " WHERE currency = ?1 AND hour >= ?2 AND hour < ?3 AND orders != 0",
                           error);
  days = hours == NULL ? NULL
         : ct_db_prepare (db,
                          "SELECT product_id, orders, revenue FROM sales_days"
                          " WHERE currency = ?1 AND day >= ?2 AND day < ?3 AND orders != 0",
                          error);
  if (days == NULL)
    return FALSE;
  sqlite3_bind_text (raw, 1, currency, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (hours, 1, currency, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (days, 1, currency, -1, SQLITE_TRANSIENT);
  s = (Sales) { db, raw, hours, days, func, user_data };

  /* [from, h0) and [h1, to): the minutes off a whole hour, from the
   * purchases; [h0, h1) from whole hours and days. */
  h0 = open_start ? G_MININT64 : ceil_to (from, HOUR);
  h1 = floor_to (to, HOUR);
  if (!open_start && h0 >= h1)
    return sales_read (&s, raw, from, to, error);
  if (!open_start && !sales_read (&s, raw, from, h0, error))
    return FALSE;
  if (!sales_read (&s, raw, h1, to, error))
    return FALSE;

  d0 = open_start ? G_MININT64 : ceil_to (h0, DAY);
  d1 = floor_to (h1, DAY);
  if (!open_start && d0 >= d1)
    return sales_read (&s, hours, h0, h1, error);
  return (open_start || sales_read (&s, hours, h0, d0, error))
         && sales_read (&s, days, d0, d1, error)
         && sales_read (&s, hours, d1, h1, error);
}

typedef struct
{
  gint64 orders;
  gint64 revenue;
} Totals;

static void
add_totals (gint64   product_id,
            gint64   orders,
            gint64   revenue,
            gpointer user_data)
{
  Totals *t = user_data;

  t->orders += orders;
  t->revenue += revenue;
}

/**
 * ct_rollup_sales_total:
 * @orders: (out) (optional)
 * @revenue: (out) (optional)
 */
gboolean
ct_rollup_sales_total (CtDb        *db,
                       const char  *currency,
                       gint64       from,
                       gint64       to,
                       gint64      *orders,
                       gint64      *revenue,
                       GError     **error)
{
  Totals t = { 0, 0 };

  if (!ct_rollup_sales_foreach (db, currency, from, to, add_totals, &t, error))
    return FALSE;
  if (orders != NULL)
    *orders = t.orders;
  if (revenue != NULL)
    *revenue = t.revenue;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Retention */

static char *
month_label (gint month)
{
  return g_strdup_printf ("%04d-%02d", month / 12, month % 12 + 1);
}

/* Takes a stored contact_rollup row's months out of @cells. */
static gboolean
subtract_stored (CtDb        *db,
                 GHashTable  *cells,
                 gint64       contact_id,
                 GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = ct_db_prepare (db,
                        "SELECT r.cohort, j.value FROM contact_rollup r, json_each(r.months) j"
                        " WHERE r.contact_id = ?",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, contact_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    cell_add (cells, sqlite3_column_int (stmt, 0), sqlite3_column_int (stmt, 1), -1);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the customers’ summary"));
      return FALSE;
    }
  return TRUE;
}

/* The customers not in rollup_dirty with a purchase in (@after, @before):
 * their stored months count purchases after the as-of time. */
static GArray *
read_late (CtDb     *db,
           gint64    after,
           gint64    before,
           GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = ct_db_prepare (db,
                        "SELECT p.contact_id, 0, p.purchased_at FROM purchases p"
                        " WHERE p.refunded = 0 AND p.contact_id IN"
                        "  (SELECT DISTINCT contact_id FROM purchases"
                        "   WHERE purchased_at > ?1 AND purchased_at < ?2 AND refunded = 0"
                        "   AND contact_id IS NOT NULL"
                        "   AND contact_id NOT IN (SELECT contact_id FROM rollup_dirty))"
                        " ORDER BY p.contact_id, p.purchased_at",
                        error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, after);
  sqlite3_bind_int64 (stmt, 2, before);
  return read_customers (db, stmt, error);
}

static gboolean
add_customers (GArray           *customers,
               const MonthTable *table,
               gint64            as_of,
               GHashTable       *cells)
{
  g_autoptr(GArray) months = g_array_new (FALSE, FALSE, sizeof (gint));

  for (guint i = 0; i < customers->len; i++)
    {
      const Customer *c = &g_array_index (customers, Customer, i);
      gint cohort = 0;

      if (!customer_months (c, table, as_of, &cohort, months))
        return FALSE;
      for (guint m = 0; m < months->len; m++)
        cell_add (cells, cohort, g_array_index (months, gint, m), 1);
    }
  return TRUE;
}

/**
 * ct_rollup_load_retention:
 * @tz: (nullable): %NULL for local time
 * @retention: (out) (transfer full) (nullable)
 */
gboolean
ct_rollup_load_retention (CtDb          *db,
                          gint64         as_of,
                          GTimeZone     *tz,
                          CtRetention  **retention,
                          GError       **error)
{
  g_autoptr(GTimeZone) local = NULL;
  g_autofree char *zone = NULL;
  g_autofree char *stored = NULL;
  g_auto(MonthTable) table = { 0 };
  g_autoptr(GHashTable) cells = cells_new ();
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) dirty = NULL;
  g_autoptr(GArray) late = NULL;
  g_autoptr(CtRetention) r = NULL;
  GHashTableIter iter;
  gpointer key, value;
  gint last, first = G_MAXINT;
  guint n;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (retention != NULL, FALSE);

  *retention = NULL;
  if (tz == NULL)
    tz = local = g_time_zone_new_local ();
  zone = zone_name (tz);
  stored = stored_zone (db, error);
  if (stored == NULL)
    return FALSE;
  if (!g_str_equal (zone, stored))
    return TRUE;

  month_table_init (&table, tz);
  if (!month_table_find (&table, as_of, &last))
    return TRUE;

  stmt = ct_db_prepare (db,
                        "SELECT cohort, month, buyers FROM cohort_buyers"
                        " WHERE cohort <= ?1 AND month <= ?1 AND buyers != 0",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, last);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    cell_add (cells, sqlite3_column_int (stmt, 0), sqlite3_column_int (stmt, 1),
              sqlite3_column_int64 (stmt, 2));
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the purchases by month"));
      return FALSE;
    }

  /* The customers changed since the last refresh, and those whose
   * stored months count a purchase after the as-of time in its month. */
  dirty = read_dirty (db, error);
  if (dirty == NULL || !subtract_dirty_rows (db, cells, error))
    return FALSE;
  late = read_late (db, as_of, table.starts[last - table.first + 1], error);
  if (late == NULL)
    return FALSE;
  for (guint i = 0; i < late->len; i++)
    if (!subtract_stored (db, cells, g_array_index (late, Customer, i).contact_id, error))
      return FALSE;
  if (!add_customers (dirty, &table, as_of, cells) || !add_customers (late, &table, as_of, cells))
    return TRUE;   /* a purchase outside the calendar: the caller reports it */

  g_hash_table_iter_init (&iter, cells);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const Cell *cell = key;

      if (cell->cohort <= last && cell->month <= last && cell->cohort == cell->month
          && *(gint64 *) value > 0)
        first = MIN (first, cell->cohort);
    }

  r = g_new0 (CtRetention, 1);
  if (first == G_MAXINT)
    {
      r->months = g_new0 (char *, 1);
      *retention = g_steal_pointer (&r);
      return TRUE;
    }
  if (last - first + 1 > MAX_COHORT_MONTHS)
    return TRUE;   /* the caller says what is wrong */

  n = (guint) (last - first + 1);
  r->n_cohorts = n;
  r->n_offsets = n;
  r->months = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    r->months[i] = month_label (first + (gint) i);
  r->sizes = g_new0 (gint64, n);
  r->buyers = g_new0 (gint64, (gsize) n * n);
  g_hash_table_iter_init (&iter, cells);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const Cell *cell = key;

      if (cell->cohort < first || cell->cohort > last || cell->month > last || cell->month < cell->cohort)
        continue;
      r->buyers[(gsize) (cell->cohort - first) * n + (guint) (cell->month - cell->cohort)] += *(gint64 *) value;
      if (cell->month == cell->cohort)
        r->sizes[cell->cohort - first] += *(gint64 *) value;
    }
  for (guint c = 0; c < n; c++)
    for (guint k = n - c; k < n; k++)
      r->buyers[c * n + k] = -1;

  *retention = g_steal_pointer (&r);
  return TRUE;
}

typedef struct
{
  char   currency[4];
  gint64 slot;
  gint64 product_id;
} SalesKey;

typedef struct
{
  SalesKey key;
  gint64   orders;
  gint64   revenue;
} SalesSum;

static guint
sales_key_hash (gconstpointer data)
{
  const SalesKey *k = data;
  guint64 h = (guint64) k->slot * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)
              ^ (guint64) k->product_id * G_GUINT64_CONSTANT (0xc2b2ae3d27d4eb4f)
              ^ g_str_hash (k->currency);

  /* The slots are multiples of an hour or a day and the products a few
   * small numbers: mixed, or the XOR of their plain hashes sends most
   * keys into the same few buckets. */
  h ^= h >> 31;
  h *= G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  h ^= h >> 29;
  return (guint) h;
}

static gboolean
sales_key_equal (gconstpointer a,
                 gconstpointer b)
{
  const SalesKey *x = a, *y = b;

  return x->slot == y->slot && x->product_id == y->product_id && strcmp (x->currency, y->currency) == 0;
}

static void
sales_add (GHashTable *sums,
           const char *currency,
           gint64      slot,
           gint64      product_id,
           gint64      amount)
{
  SalesKey key = { { 0 }, slot, product_id };
  SalesSum *sum;

  g_strlcpy (key.currency, currency, sizeof key.currency);
  sum = g_hash_table_lookup (sums, &key);
  if (sum == NULL)
    {
      sum = g_new0 (SalesSum, 1);
      sum->key = key;
      g_hash_table_insert (sums, &sum->key, sum);
    }
  sum->orders++;
  sum->revenue += amount;
}

static gboolean
sales_store (CtDb        *db,
             const char  *sql,
             GHashTable  *sums,
             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, sql, error);
  GHashTableIter iter;
  gpointer value;

  if (stmt == NULL)
    return FALSE;
  g_hash_table_iter_init (&iter, sums);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const SalesSum *sum = value;

      sqlite3_bind_text (stmt, 1, sum->key.currency, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, sum->key.slot);
      sqlite3_bind_int64 (stmt, 3, sum->key.product_id);
      sqlite3_bind_int64 (stmt, 4, sum->orders);
      sqlite3_bind_int64 (stmt, 5, sum->revenue);
      if (!step_done (db, stmt, _("Could not add the purchases to the summaries"), error))
        return FALSE;
    }
  return TRUE;
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* A product and a buyer of it, with their purchases of it. */
typedef struct
{
  gint64 product_id;
  gint64 contact_id;
  gint64 purchases;
} ProductBuyer;

static guint
product_buyer_hash (gconstpointer data)
{
  const ProductBuyer *b = data;
  guint64 h = (guint64) b->product_id * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15)
              ^ (guint64) b->contact_id * G_GUINT64_CONSTANT (0xc2b2ae3d27d4eb4f);

  h ^= h >> 31;
  h *= G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  h ^= h >> 29;
  return (guint) h;
}

static gboolean
product_buyer_equal (gconstpointer a,
                     gconstpointer b)
{
  const ProductBuyer *x = a, *y = b;

  return x->product_id == y->product_id && x->contact_id == y->contact_id;
}

/* In the order of product_buyers' key, so that its rows go in in order. */
static int
compare_product_buyers (gconstpointer a,
                        gconstpointer b)
{
  const ProductBuyer *x = *(ProductBuyer * const *) a, *y = *(ProductBuyer * const *) b;

  if (x->product_id != y->product_id)
    return x->product_id < y->product_id ? -1 : 1;
  return (x->contact_id > y->contact_id) - (x->contact_id < y->contact_id);
}

struct _CtRollupBatch
{
  GHashTable *hours;   /* SalesKey → SalesSum */
  GHashTable *days;
  GHashTable *buyers;  /* contact ids */
  GHashTable *product_buyers;  /* ProductBuyer (its own key) */
};

CtRollupBatch *
ct_rollup_batch_new (void)
{
  CtRollupBatch *self = g_new0 (CtRollupBatch, 1);

  self->hours = g_hash_table_new_full (sales_key_hash, sales_key_equal, NULL, g_free);
  self->days = g_hash_table_new_full (sales_key_hash, sales_key_equal, NULL, g_free);
  self->buyers = g_hash_table_new (NULL, NULL);
  self->product_buyers = g_hash_table_new_full (product_buyer_hash, product_buyer_equal, g_free, NULL);
  return self;
}

void
ct_rollup_batch_free (CtRollupBatch *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->hours, g_hash_table_unref);
  g_clear_pointer (&self->days, g_hash_table_unref);
  g_clear_pointer (&self->buyers, g_hash_table_unref);
  g_clear_pointer (&self->product_buyers, g_hash_table_unref);
  g_free (self);
}

void
ct_rollup_batch_add (CtRollupBatch *self,
                     const char    *currency,
                     gint64         purchased_at,
                     gint64         product_id,
                     gint64         amount,
                     gint64         contact_id)
{
  g_return_if_fail (self != NULL);

  if (currency == NULL)
    currency = "";
  sales_add (self->hours, currency, floor_to (purchased_at, HOUR), product_id, amount);
  sales_add (self->days, currency, floor_to (purchased_at, DAY), product_id, amount);
  if (contact_id > 0)
    g_hash_table_add (self->buyers, GSIZE_TO_POINTER ((gsize) contact_id));
  /* What purchases_buyers_ins does: a product and a buyer both known. */
  if (product_id > 0 && contact_id > 0)
    {
      ProductBuyer key = { product_id, contact_id, 0 };
      ProductBuyer *found = g_hash_table_lookup (self->product_buyers, &key);

      if (found == NULL)
        {
          found = g_memdup2 (&key, sizeof key);
          g_hash_table_add (self->product_buyers, found);
        }
      found->purchases++;
    }
}

gboolean
ct_rollup_batch_store (CtRollupBatch *self,
                       CtDb          *db,
                       GError       **error)
{
  g_autoptr(sqlite3_stmt) list = NULL;
  g_autoptr(GArray) ids = NULL;
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (CT_IS_DB (db), FALSE);

  if (!sales_store (db,
                    "INSERT INTO sales_hours (currency, hour, product_id, orders, revenue) VALUES (?1, ?2, ?3, ?4, ?5)"
                    " ON CONFLICT DO UPDATE SET orders = orders + excluded.orders, revenue = revenue + excluded.revenue",
                    self->hours, error)
      || !sales_store (db,
                       "INSERT INTO sales_days (currency, day, product_id, orders, revenue) VALUES (?1, ?2, ?3, ?4, ?5)"
                       " ON CONFLICT DO UPDATE SET orders = orders + excluded.orders, revenue = revenue + excluded.revenue",
                       self->days, error))
    return FALSE;

  /* The product buyers in the order of their table's key. */
  {
    g_autoptr(sqlite3_stmt) upsert = NULL;
    g_autoptr(GPtrArray) rows = g_ptr_array_sized_new (g_hash_table_size (self->product_buyers));
    GHashTableIter rows_iter;
    gpointer row_key;

    g_hash_table_iter_init (&rows_iter, self->product_buyers);
    while (g_hash_table_iter_next (&rows_iter, &row_key, NULL))
      g_ptr_array_add (rows, row_key);
    g_ptr_array_sort (rows, compare_product_buyers);
    upsert = ct_db_prepare (db, "INSERT INTO product_buyers (product_id, contact_id, purchases) VALUES (?1, ?2, ?3)"
                                " ON CONFLICT DO UPDATE SET purchases = purchases + excluded.purchases",
                            error);
    if (upsert == NULL)
      return FALSE;
    for (guint i = 0; i < rows->len; i++)
      {
        const ProductBuyer *row = g_ptr_array_index (rows, i);

        sqlite3_bind_int64 (upsert, 1, row->product_id);
        sqlite3_bind_int64 (upsert, 2, row->contact_id);
        sqlite3_bind_int64 (upsert, 3, row->purchases);
        if (!step_done (db, upsert, _("Could not add the purchases to the summaries"), error))
          return FALSE;
      }
  }

  /* In id order, appended to the table's b-tree rather than scattered. */
  ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), g_hash_table_size (self->buyers));
  g_hash_table_iter_init (&iter, self->buyers);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      gint64 id = (gint64) GPOINTER_TO_SIZE (key);

      g_array_append_val (ids, id);
    }
  g_array_sort (ids, compare_int64);
  list = ct_db_prepare (db, "INSERT OR IGNORE INTO rollup_dirty (contact_id) VALUES (?)", error);
  if (list == NULL)
    return FALSE;
  for (guint i = 0; i < ids->len; i++)
    {
      sqlite3_bind_int64 (list, 1, g_array_index (ids, gint64, i));
      if (!step_done (db, list, _("Could not add the purchases to the summaries"), error))
        return FALSE;
    }
  g_hash_table_remove_all (self->hours);
  g_hash_table_remove_all (self->days);
  g_hash_table_remove_all (self->buyers);
  g_hash_table_remove_all (self->product_buyers);
  return TRUE;
}

/**
 * ct_rollup_add_purchases:
 *
 * Adds the purchases above @after_id to the sales and to the product
 * buyers, and lists their buyers, as the insert triggers
 * (purchases_rollup_ins, purchases_buyers_ins) would have one by one.
 * One pass over them for the sales, added up here: grouping a million
 * rows in SQL sorted them twice and took twice as long.
 */
gboolean
ct_rollup_add_purchases (CtDb     *db,
                         gint64    after_id,
                         GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(CtRollupBatch) batch = ct_rollup_batch_new ();
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);

  stmt = ct_db_prepare (db,
                        "SELECT currency, purchased_at, coalesce(product_id, 0), amount, contact_id"
                        " FROM purchases WHERE id > ?1 AND refunded = 0",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, after_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ct_rollup_batch_add (batch, (const char *) sqlite3_column_text (stmt, 0), sqlite3_column_int64 (stmt, 1),
                         sqlite3_column_int64 (stmt, 2), sqlite3_column_int64 (stmt, 3),
                         sqlite3_column_type (stmt, 4) != SQLITE_NULL ? sqlite3_column_int64 (stmt, 4) : 0);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not add the purchases to the summaries"));
      return FALSE;
    }
  return ct_rollup_batch_store (batch, db, error);
}
