/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-kpi.c: key figures: conversion, order value, repeat purchases,
 * retention by cohort, acquisition cost per channel, the funnel
 *
 * Definitions follow DESIGN.md (Analytics). Throughout, a purchase counts
 * when it was not refunded and was made at or before the as-of time, and
 * a customer is a contact with at least one such purchase; an erased
 * contact's anonymous purchases are nobody's, so they count as orders and
 * revenue but not as a customer. Money is added up in one currency only
 * (the main one unless asked), since amounts in two currencies cannot be
 * added.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-kpi.h"
#include "ct-money.h"
#include "ct-rollup.h"
#include "ct-stats.h"

G_DEFINE_QUARK (ct-kpi-error-quark, ct_kpi_error)

static char *
resolve_currency (CtDb        *db,
                  const char  *currency,
                  GError     **error)
{
  CtStats stats;

  if (currency != NULL)
    return g_strdup (currency);

  /* The dashboard's main currency, so that every figure on one screen is
   * in one currency. */
  if (!ct_stats_load (db, &stats, error))
    return NULL;
  return g_strdup (stats.currency);
}

/* Rounds a non-negative quotient to the nearest whole number. */
static gint64
divide_rounded (gint64 numerator,
                gint64 denominator)
{
  g_assert (denominator > 0);

  if (numerator >= 0)
    return numerator / denominator + (numerator % denominator >= denominator - numerator % denominator);
  return -divide_rounded (-numerator, denominator);
}

static gboolean
count_customers (CtDb     *db,
                 gint64    as_of,
                 CtKpis   *kpis,
                 GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (ct_rollup_get_enabled (db))
    return ct_rollup_count_customers (db, as_of, &kpis->customers, &kpis->repeat_customers, NULL, error);

  stmt = ct_db_prepare (db,
                        "SELECT count(*), coalesce(sum(n >= 2), 0) FROM"
                        " (SELECT count(*) AS n FROM purchases"
                        "  WHERE contact_id IS NOT NULL AND refunded = 0 AND purchased_at <= ?"
                        "  GROUP BY contact_id)",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, as_of);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc,
                       _("Could not count the customers"));
      return FALSE;
    }

  kpis->customers = sqlite3_column_int64 (stmt, 0);
  kpis->repeat_customers = sqlite3_column_int64 (stmt, 1);
  return TRUE;
}

/* Contacts, orders and revenue from the purchases themselves. */
static gboolean
read_orders_from_purchases (CtDb        *db,
                            gint64       as_of,
                            const char  *currency,
                            CtKpis      *kpis,
                            GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  /* "+purchased_at" keeps SQLite off the purchases_time index: reading
   * nearly every row through it jumps around the table and took ten
   * times as long as reading the table through on a million purchases. */
  stmt = ct_db_prepare (db,
                        "SELECT (SELECT count(*) FROM contacts), count(*), coalesce(sum(amount), 0)"
                        " FROM purchases"
                        " WHERE refunded = 0 AND +purchased_at <= ?1 AND currency = ?2",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, as_of);
  sqlite3_bind_text (stmt, 2, currency, -1, SQLITE_STATIC);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc,
                       _("Could not add up the orders"));
      return FALSE;
    }
  kpis->contacts = sqlite3_column_int64 (stmt, 0);
  kpis->orders = sqlite3_column_int64 (stmt, 1);
  kpis->revenue = sqlite3_column_int64 (stmt, 2);
  return TRUE;
}

static gboolean
read_kpis (CtDb        *db,
           gint64       as_of,
           const char  *currency,
           GArray      *customers,
           CtKpis      *kpis,
           GError     **error)
{
  if (ct_rollup_get_enabled (db))
    {
      /* The sales summaries (ct-rollup.h): every purchase up to the
       * as-of time, from a few thousand rows. */
      kpis->contacts = ct_db_query_int64 (db, "SELECT count(*) FROM contacts", error);
      if (kpis->contacts < 0
          || !ct_rollup_sales_total (db, currency, G_MININT64, as_of + 1,
                                     &kpis->orders, &kpis->revenue, error))
        return FALSE;
    }
  else if (!read_orders_from_purchases (db, as_of, currency, kpis, error))
    return FALSE;

  if (customers != NULL)
    {
      kpis->customers = customers->len;
      kpis->repeat_customers = 0;
      for (guint i = 0; i < customers->len; i++)
        if (g_array_index (customers, CtRfmCustomer, i).frequency >= 2)
          kpis->repeat_customers++;
    }
  else if (!count_customers (db, as_of, kpis, error))
    return FALSE;

  return TRUE;
}

/**
 * ct_kpis_load:
 * @currency: (nullable): %NULL for the main currency
 * @customers: (nullable): the customers as of @as_of, if already loaded
 * @kpis: (out caller-allocates): filled in
 *
 * Returns: %FALSE with @error set on failure; @kpis is then zeroed
 */
gboolean
ct_kpis_load (CtDb        *db,
              gint64       as_of,
              const char  *currency,
              GArray      *customers,
              CtKpis      *kpis,
              GError     **error)
{
  g_autofree char *used_currency = NULL;
  gboolean ok;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (kpis != NULL, FALSE);
  g_return_val_if_fail (customers == NULL
                        || g_array_get_element_size (customers) == sizeof (CtRfmCustomer),
                        FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (kpis, 0, sizeof *kpis);

  /* One read transaction, so that the counts describe one moment even
   * while another connection imports. */
  if (!ct_db_exec (db, "SAVEPOINT ct_kpis", error))
    return FALSE;

  used_currency = resolve_currency (db, currency, error);
  ok = used_currency != NULL
       && read_kpis (db, as_of, used_currency, customers, kpis, error);

  if (!ok)
    ct_db_exec (db, "ROLLBACK TO ct_kpis", NULL);
  ct_db_exec (db, "RELEASE ct_kpis", NULL);

  if (!ok)
    {
      memset (kpis, 0, sizeof *kpis);
      return FALSE;
    }

  g_strlcpy (kpis->currency, used_currency, sizeof kpis->currency);
  if (kpis->contacts > 0)
    kpis->conversion_rate = (double) kpis->customers / (double) kpis->contacts;
  if (kpis->customers > 0)
    kpis->repeat_purchase_rate = (double) kpis->repeat_customers / (double) kpis->customers;
  if (kpis->orders > 0)
    kpis->average_order_value = divide_rounded (kpis->revenue, kpis->orders);
  return TRUE;
}

/* Months
 *
 * A month is numbered year × 12 + (month − 1). Each purchase's month is
 * found by a binary search in the Unix times at which the months of the
 * period begin in the time zone, worked out once, rather than by a
 * GDateTime per purchase: a million purchases take a few milliseconds.
 */

#define MIN_YEAR 1
#define MAX_YEAR 9999
#define MAX_COHORT_MONTHS (100 * 12)

static gboolean
month_of_time (GTimeZone *tz,
               gint64     unix_time,
               gint      *month_out)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_time);
  g_autoptr(GDateTime) local = NULL;

  if (dt == NULL)
    return FALSE;
  local = g_date_time_to_timezone (dt, tz);
  if (local == NULL)
    return FALSE;
  *month_out = g_date_time_get_year (local) * 12 + g_date_time_get_month (local) - 1;
  return TRUE;
}

static gboolean
month_start (GTimeZone *tz,
             gint       month,
             gint64    *start_out)
{
  g_autoptr(GDateTime) dt = NULL;
  gint year = month / 12;

  if (year < MIN_YEAR || year > MAX_YEAR)
    return FALSE;
  dt = g_date_time_new (tz, year, month % 12 + 1, 1, 0, 0, 0);
  if (dt == NULL)
    return FALSE;
  *start_out = g_date_time_to_unix (dt);
  return TRUE;
}

static char *
month_label (gint month)
{
  return g_strdup_printf ("%04d-%02d", month / 12, month % 12 + 1);
}

/* The index in @starts (ascending) of the last start at or before @t. */
static guint
find_month (const gint64 *starts,
            guint         n,
            gint64        t)
{
  guint lo = 0, hi = n;

  while (hi - lo > 1)
    {
      guint mid = lo + (hi - lo) / 2;

      if (starts[mid] <= t)
        lo = mid;
      else
        hi = mid;
    }
  return lo;
}

void
ct_retention_free (CtRetention *retention)
{
  if (retention == NULL)
    return;

  g_strfreev (retention->months);
  g_free (retention->sizes);
  g_free (retention->buyers);
  g_free (retention);
}

static gboolean
find_first_purchase (CtDb      *db,
                     gint64     as_of,
                     gboolean  *any,
                     gint64    *first,
                     GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = ct_db_prepare (db,
                        "SELECT min(purchased_at) FROM purchases"
                        " WHERE contact_id IS NOT NULL AND refunded = 0 AND purchased_at <= ?",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, as_of);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc,
                       _("Could not find the first purchase"));
      return FALSE;
    }

  *any = sqlite3_column_type (stmt, 0) != SQLITE_NULL;
  *first = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

static gboolean
fill_retention (CtDb         *db,
                gint64        as_of,
                CtRetention  *retention,
                const gint64 *starts,
                GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  guint n = retention->n_cohorts;
  gint64 contact = 0;
  guint cohort = 0;
  guint last_month = 0;
  gboolean started = FALSE;
  int rc;

  /* In contact order and, for each contact, time order (the
   * purchases_contact index), so the first row of a contact gives the
   * cohort and a contact's months come in order, each counted once. */
  stmt = ct_db_prepare (db,
                        "SELECT contact_id, purchased_at FROM purchases"
                        " WHERE contact_id IS NOT NULL AND refunded = 0 AND purchased_at <= ?"
                        " ORDER BY contact_id, purchased_at",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, as_of);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      guint month = find_month (starts, n, sqlite3_column_int64 (stmt, 1));

      if (!started || id != contact)
        {
          started = TRUE;
          contact = id;
          cohort = month;
          last_month = month;
          retention->sizes[cohort]++;
          retention->buyers[cohort * n]++;
        }
      else if (month != last_month)
        {
          g_assert (month > last_month);
          last_month = month;
          retention->buyers[cohort * n + (month - cohort)]++;
        }
    }

  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc,
                       _("Could not read the purchases by month"));
      return FALSE;
    }

  return TRUE;
}

/**
 * ct_retention_load:
 * @tz: (nullable): the time zone of the months, %NULL for local time
 *
 * Returns: (transfer full) (nullable): the cohort table
 */
CtRetention *
ct_retention_load (CtDb       *db,
                   gint64      as_of,
                   GTimeZone  *tz,
                   GError    **error)
{
  g_autoptr(CtRetention) retention = NULL;
  g_autoptr(GTimeZone) local = NULL;
  g_autofree gint64 *starts = NULL;
  gboolean any = FALSE;
  gint64 first = 0;
  gint first_month, last_month;
  guint n;
  gboolean ok;

  g_return_val_if_fail (CT_IS_DB (db), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (tz == NULL)
    tz = local = g_time_zone_new_local ();

  if (!ct_db_exec (db, "SAVEPOINT ct_retention", error))
    return NULL;

  /* The stored months, when they were counted in this time zone. */
  if (ct_rollup_get_enabled (db))
    {
      if (!ct_rollup_load_retention (db, as_of, tz, &retention, error))
        goto fail;
      if (retention != NULL)
        {
          ct_db_exec (db, "RELEASE ct_retention", NULL);
          return g_steal_pointer (&retention);
        }
    }

  retention = g_new0 (CtRetention, 1);
  retention->months = g_new0 (char *, 1);

  if (!find_first_purchase (db, as_of, &any, &first, error))
    goto fail;
  if (!any)
    {
      ct_db_exec (db, "RELEASE ct_retention", NULL);
      return g_steal_pointer (&retention);
    }

  if (!month_of_time (tz, first, &first_month)
      || !month_of_time (tz, as_of, &last_month))
    {
      g_set_error (error, CT_KPI_ERROR, CT_KPI_ERROR_INVALID_PERIOD,
                   _("The purchases’ dates are outside the calendar Clientele can show."));
      goto fail;
    }

  /* A purchase dated decades back by a bad import would otherwise ask
   * for a table of millions of cells. */
  if (last_month - first_month + 1 > MAX_COHORT_MONTHS)
    {
      g_autofree char *first_label = month_label (first_month);

      g_set_error (error, CT_KPI_ERROR, CT_KPI_ERROR_INVALID_PERIOD,
                   _("The purchases go back to %s, more than %d years: check the dates of the oldest purchases."),
                   first_label, MAX_COHORT_MONTHS / 12);
      goto fail;
    }

  n = (guint) (last_month - first_month + 1);
  starts = g_new (gint64, n);
  g_strfreev (retention->months);
  retention->months = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      if (!month_start (tz, first_month + (gint) i, &starts[i]))
        {
          g_set_error (error, CT_KPI_ERROR, CT_KPI_ERROR_INVALID_PERIOD,
                       _("The purchases’ dates are outside the calendar Clientele can show."));
          goto fail;
        }
      retention->months[i] = month_label (first_month + (gint) i);
    }

  retention->n_cohorts = n;
  retention->n_offsets = n;
  retention->sizes = g_new0 (gint64, n);
  retention->buyers = g_new0 (gint64, (gsize) n * n);

  ok = fill_retention (db, as_of, retention, starts, error);
  if (!ok)
    goto fail;
  ct_db_exec (db, "RELEASE ct_retention", NULL);

  /* Months after the as-of month have not happened yet. */
  for (guint c = 0; c < n; c++)
    for (guint k = n - c; k < n; k++)
      retention->buyers[c * n + k] = -1;

  return g_steal_pointer (&retention);

fail:
  ct_db_exec (db, "ROLLBACK TO ct_retention", NULL);
  ct_db_exec (db, "RELEASE ct_retention", NULL);
  return NULL;
}

gint64
ct_retention_get_buyers (const CtRetention *retention,
                         guint              cohort,
                         guint              offset)
{
  g_return_val_if_fail (retention != NULL, -1);
  g_return_val_if_fail (cohort < retention->n_cohorts, -1);
  g_return_val_if_fail (offset < retention->n_offsets, -1);

  return retention->buyers[cohort * retention->n_offsets + offset];
}

double
ct_retention_get_share (const CtRetention *retention,
                        guint              cohort,
                        guint              offset)
{
  gint64 buyers;

  g_return_val_if_fail (retention != NULL, -1);
  g_return_val_if_fail (cohort < retention->n_cohorts, -1);
  g_return_val_if_fail (offset < retention->n_offsets, -1);

  buyers = retention->buyers[cohort * retention->n_offsets + offset];
  if (buyers < 0 || retention->sizes[cohort] == 0)
    return -1;
  return (double) buyers / (double) retention->sizes[cohort];
}

/* Acquisition cost */

static gboolean
parse_month (const char  *text,
             gint        *month_out,
             GError     **error)
{
  guint64 year, month;
  char year_text[5];
  char month_text[3];

  if (text == NULL || strlen (text) != 7 || text[4] != '-')
    goto bad;

  memcpy (year_text, text, 4);
  year_text[4] = '\0';
  memcpy (month_text, text + 5, 2);
  month_text[2] = '\0';
  if (!g_ascii_isdigit (month_text[0]) || !g_ascii_isdigit (month_text[1])
      || !g_ascii_string_to_unsigned (year_text, 10, MIN_YEAR, MAX_YEAR - 1, &year, NULL)
      || !g_ascii_string_to_unsigned (month_text, 10, 1, 12, &month, NULL))
    goto bad;
  for (guint i = 0; i < 4; i++)
    if (!g_ascii_isdigit (year_text[i]))
      goto bad;

  *month_out = (gint) year * 12 + (gint) month - 1;
  return TRUE;

bad:
  g_set_error (error, CT_KPI_ERROR, CT_KPI_ERROR_INVALID_PERIOD,
               /* Translators: %s is what was given instead of a month
                * such as 2025-03. Keep YYYY-MM as it is. */
               _("“%s” is not a month: write it as YYYY-MM, for example 2025-03."),
               text != NULL ? text : "");
  return FALSE;
}

static void
channel_cost_clear (gpointer data)
{
  CtChannelCost *cost = data;

  g_clear_pointer (&cost->name, g_free);
}

static gboolean
read_channel_costs (CtDb        *db,
                    const char  *from_label,
                    const char  *to_label,
                    const char  *currency,
                    gint64       from_time,
                    gint64       to_time,
                    GArray      *costs,
                    GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GHashTable) new_customers = NULL;
  int rc;

  /* The new customers per channel from the customers' summary
   * (ct-rollup.h) rather than a look at every contact of the channel. */
  if (ct_rollup_get_enabled (db))
    {
      new_customers = ct_rollup_new_customers (db, from_time, to_time, error);
      if (new_customers == NULL)
        return FALSE;
    }

  /* channel_spend.month is text YYYY-MM, so BETWEEN compares months. */
  stmt = ct_db_prepare (db,
                        new_customers != NULL
                        ? "SELECT ch.id, ch.name,"
                          " (SELECT coalesce(sum(s.amount), 0) FROM channel_spend s"
                          "  WHERE s.channel_id = ch.id AND s.month BETWEEN ?1 AND ?2 AND s.currency = ?3),"
                          " (SELECT count(*) FROM channel_spend s"
                          "  WHERE s.channel_id = ch.id AND s.month BETWEEN ?1 AND ?2 AND s.currency != ?3),"
                          " 0"
                          " FROM channels ch ORDER BY ch.name COLLATE NOCASE, ch.id"
                        : "SELECT ch.id, ch.name,"
                          " (SELECT coalesce(sum(s.amount), 0) FROM channel_spend s"
                          "  WHERE s.channel_id = ch.id AND s.month BETWEEN ?1 AND ?2 AND s.currency = ?3),"
                          " (SELECT count(*) FROM channel_spend s"
                          "  WHERE s.channel_id = ch.id AND s.month BETWEEN ?1 AND ?2 AND s.currency != ?3),"
                          " (SELECT count(*) FROM contacts c WHERE c.channel_id = ch.id"
                          "  AND c.first_purchase_at >= ?4 AND c.first_purchase_at < ?5)"
                          " FROM channels ch ORDER BY ch.name COLLATE NOCASE, ch.id",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, from_label, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, to_label, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, currency, -1, SQLITE_STATIC);
  if (new_customers == NULL)
    {
      sqlite3_bind_int64 (stmt, 4, from_time);
      sqlite3_bind_int64 (stmt, 5, to_time);
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CtChannelCost cost = { 0 };

      cost.channel_id = sqlite3_column_int64 (stmt, 0);
      cost.name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      cost.spend = sqlite3_column_int64 (stmt, 2);
      cost.other_currency_months = sqlite3_column_int64 (stmt, 3);
      if (new_customers != NULL)
        {
          gint64 *n = g_hash_table_lookup (new_customers, &cost.channel_id);

          cost.new_customers = n != NULL ? *n : 0;
        }
      else
        cost.new_customers = sqlite3_column_int64 (stmt, 4);
      if (cost.new_customers > 0)
        cost.cost_per_customer = divide_rounded (cost.spend, cost.new_customers);
      g_array_append_val (costs, cost);
    }

  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc,
                       _("Could not add up the channels’ spend"));
      return FALSE;
    }

  return TRUE;
}

/**
 * ct_channel_costs_load:
 * @currency: (nullable): %NULL for the main currency
 * @tz: (nullable): %NULL for local time
 *
 * New customers are contacts of the channel (contacts.channel_id) whose
 * first purchase not refunded falls within the period; the spend is the
 * channel's monthly spend in the period in @currency. Spend entered in
 * another currency is not converted: it is counted in
 * other_currency_months so that the caller can say so.
 *
 * Returns: (transfer full) (nullable): a GArray of CtChannelCost
 */
GArray *
ct_channel_costs_load (CtDb        *db,
                       const char  *from_month,
                       const char  *to_month,
                       const char  *currency,
                       GTimeZone   *tz,
                       GError     **error)
{
  g_autoptr(GArray) costs = NULL;
  g_autoptr(GTimeZone) local = NULL;
  g_autofree char *used_currency = NULL;
  g_autofree char *from_label = NULL;
  g_autofree char *to_label = NULL;
  gint from, to;
  gint64 from_time, to_time;
  gboolean ok;

  g_return_val_if_fail (CT_IS_DB (db), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!parse_month (from_month, &from, error) || !parse_month (to_month, &to, error))
    return NULL;
  if (to < from)
    {
      g_set_error (error, CT_KPI_ERROR, CT_KPI_ERROR_INVALID_PERIOD,
                   _("The period ends (%s) before it starts (%s)."),
                   to_month, from_month);
      return NULL;
    }

  if (tz == NULL)
    tz = local = g_time_zone_new_local ();
  /* The end is the start of the month after the last one. */
  if (!month_start (tz, from, &from_time) || !month_start (tz, to + 1, &to_time))
    {
      g_set_error (error, CT_KPI_ERROR, CT_KPI_ERROR_INVALID_PERIOD,
                   _("The period %s to %s is outside the calendar Clientele can show."),
                   from_month, to_month);
      return NULL;
    }

  /* Labels made again, so that "2025-3" style input cannot reach the
   * text comparison (parse_month refuses it anyway). */
  from_label = month_label (from);
  to_label = month_label (to);

  costs = g_array_new (FALSE, TRUE, sizeof (CtChannelCost));
  g_array_set_clear_func (costs, channel_cost_clear);

  if (!ct_db_exec (db, "SAVEPOINT ct_channel_costs", error))
    return NULL;
  used_currency = resolve_currency (db, currency, error);
  ok = used_currency != NULL
       && read_channel_costs (db, from_label, to_label, used_currency,
                              from_time, to_time, costs, error);
  if (!ok)
    ct_db_exec (db, "ROLLBACK TO ct_channel_costs", NULL);
  ct_db_exec (db, "RELEASE ct_channel_costs", NULL);

  if (!ok)
    return NULL;
  return g_steal_pointer (&costs);
}

/**
 * ct_channel_cost_format:
 *
 * Returns: (transfer full): the cost per new customer, or why there is none
 */
char *
ct_channel_cost_format (const CtChannelCost *cost,
                        const char          *currency)
{
  g_return_val_if_fail (cost != NULL, NULL);
  g_return_val_if_fail (currency != NULL, NULL);

  if (cost->new_customers == 0)
    /* Translators: shown instead of an acquisition cost per customer
     * when a channel brought no new customer in the period. */
    return g_strdup (_("No new customers"));

  return ct_money_format (cost->cost_per_customer, currency);
}

/* The funnel */

static gboolean
count_contacts (CtDb      *db,
                CtFunnel  *funnel,
                GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  /* Two counts, so that the second reads the contacts_reachable
   * index rather than every contact. */
  stmt = ct_db_prepare (db,
                        "SELECT (SELECT count(*) FROM contacts),"
                        " (SELECT count(*) FROM contacts WHERE status = 'subscribed'"
                        "  AND email IS NOT NULL AND email != '')",
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

  funnel->potential = sqlite3_column_int64 (stmt, 0);
  funnel->contacted = sqlite3_column_int64 (stmt, 1);
  return TRUE;
}

static gboolean
count_buyers (CtDb      *db,
              gint64     as_of,
              guint      loyal_purchases,
              CtFunnel  *funnel,
              GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  /* The customers' summary keeps the time of the default's loyal
   * purchase, not of any other. */
  if (ct_rollup_get_enabled (db) && loyal_purchases == CT_ROLLUP_LOYAL_PURCHASES)
    return ct_rollup_count_customers (db, as_of, &funnel->converted, &funnel->retained,
                                      &funnel->loyal, error);

  stmt = ct_db_prepare (db,
                        "SELECT count(*), coalesce(sum(n >= 2), 0), coalesce(sum(n >= ?2), 0)"
                        " FROM (SELECT count(*) AS n FROM purchases"
                        "  WHERE contact_id IS NOT NULL AND refunded = 0 AND purchased_at <= ?1"
                        "  GROUP BY contact_id)",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, as_of);
  sqlite3_bind_int64 (stmt, 2, loyal_purchases);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc,
                       _("Could not count the customers"));
      return FALSE;
    }

  funnel->converted = sqlite3_column_int64 (stmt, 0);
  funnel->retained = sqlite3_column_int64 (stmt, 1);
  funnel->loyal = sqlite3_column_int64 (stmt, 2);
  return TRUE;
}

/**
 * ct_funnel_load:
 * @loyal_purchases: purchases that make a customer loyal, at least 2;
 *   CT_FUNNEL_DEFAULT_LOYAL_PURCHASES (5) suits a business whose
 *   customers buy a few courses or books a year
 * @customers: (nullable): the customers as of @as_of, if already loaded
 * @funnel: (out caller-allocates): filled in
 *
 * "Contacted" should one day mean "sent a campaign email"; until the
 * app sends email there are no such events, so it counts the contacts a
 * campaign could reach: subscribed, with an email address.
 *
 * Returns: %FALSE with @error set on failure; @funnel is then zeroed
 */
gboolean
ct_funnel_load (CtDb      *db,
                gint64     as_of,
                guint      loyal_purchases,
                GArray    *customers,
                CtFunnel  *funnel,
                GError   **error)
{
  gboolean ok;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (loyal_purchases >= 2, FALSE);
  g_return_val_if_fail (customers == NULL
                        || g_array_get_element_size (customers) == sizeof (CtRfmCustomer),
                        FALSE);
  g_return_val_if_fail (funnel != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  memset (funnel, 0, sizeof *funnel);

  if (!ct_db_exec (db, "SAVEPOINT ct_funnel", error))
    return FALSE;

  ok = count_contacts (db, funnel, error);
  if (ok && customers != NULL)
    {
      funnel->converted = customers->len;
      for (guint i = 0; i < customers->len; i++)
        {
          gint64 n = g_array_index (customers, CtRfmCustomer, i).frequency;

          if (n >= 2)
            funnel->retained++;
          if (n >= loyal_purchases)
            funnel->loyal++;
        }
    }
  else if (ok)
    ok = count_buyers (db, as_of, loyal_purchases, funnel, error);

  if (!ok)
    ct_db_exec (db, "ROLLBACK TO ct_funnel", NULL);
  ct_db_exec (db, "RELEASE ct_funnel", NULL);

  if (!ok)
    memset (funnel, 0, sizeof *funnel);
  return ok;
}

/**
 * ct_funnel_stage_get_label:
 * @stage: 0 potential .. 4 loyal
 *
 * Returns: (transfer none): the step's translated name
 */
const char *
ct_funnel_stage_get_label (guint stage)
{
  switch (stage)
    {
    case 0:
      return C_("funnel", "Potential");
    case 1:
      return C_("funnel", "Contacted");
    case 2:
      return C_("funnel", "Converted");
    case 3:
      return C_("funnel", "Retained");
    default:
      return C_("funnel", "Loyal");
    }
}
