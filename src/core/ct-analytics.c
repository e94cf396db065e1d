/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-analytics.c: the whole analysis in one call, and its cache
 *
 * Wires the computation modules together: the customers come from
 * ct_rfm_load_customers() (RFM, lifecycle, historical value), the BTYD
 * summaries from one more pass over the purchases in the main currency
 * (money models need amounts that can be added), then BG/NBD and
 * Gamma-Gamma (ct-btyd.c), k-means (ct-kmeans.c) and the KPIs
 * (ct-kpi.c). A model that cannot be fitted is not a failure of the run:
 * the rest is still worth showing, so its columns stay NULL and the JSON
 * says why in words.
 *
 * Simple CLV (DESIGN.md: average order value × purchase frequency ×
 * expected lifetime), per customer, in the main currency:
 *
 *   AOV        = the customer's spend ÷ their orders
 *   frequency  = their orders per year since their first purchase, the
 *                year counting as at least one (a customer of a week
 *                has not bought 52 times a year's worth)
 *   lifetime   = 1 ÷ the yearly churn rate, at most
 *                SIMPLE_MAX_LIFETIME_YEARS, where the churn rate is the
 *                share of the customers who first bought at least a
 *                year before the as-of date that have not bought in the
 *                year before it
 *
 * so AOV × frequency is the customer's yearly spend. Without a customer
 * of a year or more there is no churn rate, and the simple CLV is NULL.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-analytics.h"
#include "ct-rollup.h"
#include "ct-progress.h"
#include "ct-btyd.h"
#include "ct-kmeans.h"
#include "ct-kpi.h"
#include "ct-money.h"

#define SECONDS_PER_DAY 86400
#define DAYS_PER_YEAR 365.0
#define SIMPLE_MAX_LIFETIME_YEARS 10.0
#define SUGGEST_K_MIN 2
#define SUGGEST_K_MAX 6
/* Rows written between progress reports and cancellation checks. */
#define STORE_BATCH 256

G_DEFINE_QUARK (ct-analytics-error-quark, ct_analytics_error)

void
ct_analytics_options_init (CtAnalyticsOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->discount_rate = 0.10;
  options->clv_horizon_months = 12;
  ct_lifecycle_thresholds_init_default (&options->lifecycle);
}

static gboolean
check_clv_settings (double    discount_rate,
                    guint     clv_horizon_months,
                    GError  **error)
{
  if (!(discount_rate >= 0.0 && discount_rate <= 1.0))
    {
      g_set_error (error, CT_ANALYTICS_ERROR, CT_ANALYTICS_ERROR_INVALID_OPTIONS,
                   _("The discount rate must be between 0%% and 100%% a year, not %g%%."),
                   discount_rate * 100.0);
      return FALSE;
    }
  if (clv_horizon_months < 1 || clv_horizon_months > CT_ANALYTICS_MAX_HORIZON_MONTHS)
    {
      g_set_error (error, CT_ANALYTICS_ERROR, CT_ANALYTICS_ERROR_INVALID_OPTIONS,
                   _("The lifetime value horizon must be from 1 to %d months, not %u."),
                   CT_ANALYTICS_MAX_HORIZON_MONTHS, clv_horizon_months);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_options (const CtAnalyticsOptions  *o,
               GError                   **error)
{
  if (!check_clv_settings (o->discount_rate, o->clv_horizon_months, error))
    return FALSE;
  if (o->k > CT_ANALYTICS_MAX_K)
    {
      g_set_error (error, CT_ANALYTICS_ERROR, CT_ANALYTICS_ERROR_INVALID_OPTIONS,
                   _("The number of clusters must be from 1 to %d, not %u."),
                   CT_ANALYTICS_MAX_K, o->k);
      return FALSE;
    }
  return ct_lifecycle_thresholds_validate (&o->lifecycle, error);
}

#define DISCOUNT_RATE_KEY "analytics.discount_rate"
#define HORIZON_KEY "analytics.clv_horizon_months"

/* Reads one setting's text: %TRUE with *@value_out NULL when not stored. */
static gboolean
read_setting (sqlite3_stmt  *stmt,
              CtDb          *db,
              const char    *key,
              char         **value_out,
              GError       **error)
{
  int rc;

  *value_out = NULL;
  sqlite3_reset (stmt);
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *value_out = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc,
                       _("Could not read the lifetime value settings"));
      return FALSE;
    }
  return TRUE;
}

gboolean
ct_analytics_options_load (CtDb                *db,
                           CtAnalyticsOptions  *options,
                           GError             **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) first_error = NULL;
  g_autofree char *rate_text = NULL;
  g_autofree char *horizon_text = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = ct_db_prepare (db, "SELECT value FROM settings WHERE key = ?", error);
  if (stmt == NULL)
    return FALSE;

  if (!read_setting (stmt, db, DISCOUNT_RATE_KEY, &rate_text, error)
      || !read_setting (stmt, db, HORIZON_KEY, &horizon_text, error))
    return FALSE;

  if (rate_text != NULL)
    {
      char *end = NULL;
      double rate = g_ascii_strtod (rate_text, &end);

      /* Written by g_ascii_dtostr: a C-locale number, nothing after it. */
      if (end == rate_text || *end != '\0' || !isfinite (rate))
        g_set_error (&first_error, CT_ANALYTICS_ERROR, CT_ANALYTICS_ERROR_INVALID_OPTIONS,
                     _("The setting %s is “%s”, which is not a number."),
                     DISCOUNT_RATE_KEY, rate_text);
      else if (check_clv_settings (rate, 1, &first_error))
        options->discount_rate = rate;
    }

  if (horizon_text != NULL)
    {
      guint64 months;

      if (!g_ascii_string_to_unsigned (horizon_text, 10, 1, CT_ANALYTICS_MAX_HORIZON_MONTHS,
                                       &months, NULL))
        {
          if (first_error == NULL)
            g_set_error (&first_error, CT_ANALYTICS_ERROR, CT_ANALYTICS_ERROR_INVALID_OPTIONS,
                         _("The setting %s is “%s”, which is not a number of months from 1 to %d."),
                         HORIZON_KEY, horizon_text, CT_ANALYTICS_MAX_HORIZON_MONTHS);
        }
      else
        options->clv_horizon_months = (guint) months;
    }

  if (!ct_lifecycle_thresholds_load (db, &options->lifecycle, &local_error))
    {
      if (first_error == NULL)
        first_error = local_error;
      else
        g_error_free (local_error);
    }

  if (first_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }
  return TRUE;
}

gboolean
ct_analytics_clv_settings_save (CtDb     *db,
                                double    discount_rate,
                                guint     clv_horizon_months,
                                GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  char rate_text[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *horizon_text = NULL;
  const char *keys[] = { DISCOUNT_RATE_KEY, HORIZON_KEY };
  const char *values[2];

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_clv_settings (discount_rate, clv_horizon_months, error))
    return FALSE;

  g_ascii_dtostr (rate_text, sizeof rate_text, discount_rate);
  horizon_text = g_strdup_printf ("%u", clv_horizon_months);
  values[0] = rate_text;
  values[1] = horizon_text;

  if (!ct_db_exec (db, "SAVEPOINT ct_clv_settings", error))
    return FALSE;

  stmt = ct_db_prepare (db, "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", error);
  if (stmt == NULL)
    goto fail;

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      int rc;

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, keys[i], -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, values[i], -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_DONE)
        {
          ct_db_set_error (error, ct_db_get_handle (db), rc,
                           _("Could not save the lifetime value settings"));
          goto fail;
        }
    }

  g_clear_pointer (&stmt, sqlite3_finalize);
  if (!ct_db_exec (db, "RELEASE ct_clv_settings", error))
    goto fail;
  ct_db_emit_changed (db, "settings");
  return TRUE;

fail:
  g_clear_pointer (&stmt, sqlite3_finalize);
  ct_db_exec (db, "ROLLBACK TO ct_clv_settings", NULL);
  ct_db_exec (db, "RELEASE ct_clv_settings", NULL);
  return FALSE;
}

static gint64
floor_day (gint64 seconds)
{
  gint64 day = seconds / SECONDS_PER_DAY;

  /* Division truncates towards zero; a purchase before 1970 belongs to
   * the day before. */
  if (seconds % SECONDS_PER_DAY < 0)
    day--;
  return day;
}

/* Per customer: the BTYD summary in days and the main-currency totals. */
typedef struct
{
  gint64   contact_id;
  gint64   orders;        /* purchases in the main currency */
  gint64   spent;         /* their total, minor units */
  gint64   first_day;
  gint64   last_day;
  gint64   days;          /* distinct purchase days */
  gint64   repeat_spent;  /* minor units spent after the first day */
} Summary;

/* One pass over the purchases in the main currency, in contact and time
 * order (the purchases_contact index). */
static GArray *
load_summaries (CtDb        *db,
                gint64       as_of,
                const char  *currency,
                GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) summaries = g_array_new (FALSE, FALSE, sizeof (Summary));
  Summary *cur = NULL;
  int rc;

  stmt = ct_db_prepare (db,
                        "SELECT contact_id, purchased_at, amount FROM purchases"
                        " WHERE contact_id IS NOT NULL AND refunded = 0"
                        " AND purchased_at <= ?1 AND currency = ?2"
                        " ORDER BY contact_id, purchased_at",
                        error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, as_of);
  sqlite3_bind_text (stmt, 2, currency, -1, SQLITE_TRANSIENT);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 contact_id = sqlite3_column_int64 (stmt, 0);
      gint64 day = floor_day (sqlite3_column_int64 (stmt, 1));
      gint64 amount = sqlite3_column_int64 (stmt, 2);

      if (cur == NULL || cur->contact_id != contact_id)
        {
          Summary s = { contact_id, 0, 0, day, day, 1, 0 };

          g_array_append_val (summaries, s);
          cur = &g_array_index (summaries, Summary, summaries->len - 1);
        }
      else if (day != cur->last_day)
        {
          cur->days++;
          cur->last_day = day;
        }
      if (__builtin_add_overflow (cur->spent, amount, &cur->spent)
          || (day != cur->first_day
              && __builtin_add_overflow (cur->repeat_spent, amount, &cur->repeat_spent)))
        {
          g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                       _("The purchases of contact %lld add up to more than Clientele can count."),
                       (long long) contact_id);
          return NULL;
        }
      cur->orders++;
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc,
                       _("Could not read the purchases"));
      return NULL;
    }
  return g_steal_pointer (&summaries);
}

static void
report (CtAnalyticsProgress progress,
        gpointer            data,
        double              fraction)
{
  if (progress != NULL)
    progress (CLAMP (fraction, 0.0, 1.0), data);
}

static double
major (gint64 minor,
       double scale)
{
  return (double) minor / scale;
}

static void
set_money_or_null (JsonBuilder *b,
                   const char  *member,
                   gboolean     known,
                   double       value)
{
  json_builder_set_member_name (b, member);
  if (known && isfinite (value))
    json_builder_add_double_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
set_error_object (JsonBuilder *b,
                  const char  *member,
                  const char  *message)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "error");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
}

static gboolean
bind_optional_double (sqlite3_stmt *stmt,
                      int           column,
                      double        value)
{
  if (isfinite (value))
    return sqlite3_bind_double (stmt, column, value) == SQLITE_OK;
  return sqlite3_bind_null (stmt, column) == SQLITE_OK;
}

typedef struct
{
  /* inputs */
  GArray              *customers;      /* CtRfmCustomer */
  GArray              *summaries;      /* Summary */
  char                *currency;
  gint64               as_of;
  gint64               computed_at;
  /* per customer, parallel to customers */
  CtRfmScore          *scores;
  CtLifecycleStage    *stages;
  gint64              *simple;         /* minor units, valid when has_simple */
  double              *p_alive;        /* NAN when not known */
  double              *expected;       /* NAN when not known */
  double              *predictive;     /* major units, NAN when not known */
  int                 *cluster;        /* -1 when not clustered */
  gboolean             has_simple;
} Work;

static void
work_clear (Work *w)
{
  g_clear_pointer (&w->customers, g_array_unref);
  g_clear_pointer (&w->summaries, g_array_unref);
  g_clear_pointer (&w->currency, g_free);
  g_clear_pointer (&w->scores, g_free);
  g_clear_pointer (&w->stages, g_free);
  g_clear_pointer (&w->simple, g_free);
  g_clear_pointer (&w->p_alive, g_free);
  g_clear_pointer (&w->expected, g_free);
  g_clear_pointer (&w->predictive, g_free);
  g_clear_pointer (&w->cluster, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Work, work_clear)

/* Replaces the cache in one transaction: cancelling or failing half way
 * leaves the previous run's rows. */
static gboolean
store_results (CtDb                *db,
               Work                *w,
               const char          *summary,
               CtAnalyticsProgress  progress,
               gpointer             progress_data,
               GCancellable        *cancellable,
               GError             **error)
{
  g_autoptr(sqlite3_stmt) contacts = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(sqlite3_stmt) run = NULL;
  gint64 n_contacts;
  gint64 done = 0;
  guint j = 0;
  int rc;

  n_contacts = ct_db_query_int64 (db, "SELECT count(*) FROM contacts", error);
  if (n_contacts < 0)
    return FALSE;

  if (!ct_db_begin (db, error))
    return FALSE;

  if (!ct_db_exec (db, "DELETE FROM contact_metrics", error))
    goto fail;

  contacts = ct_db_prepare (db, "SELECT id FROM contacts ORDER BY id", error);
  insert = ct_db_prepare (db,
                          "INSERT INTO contact_metrics (contact_id, as_of, recency_days,"
                          " frequency, monetary, currency, r_score, f_score, m_score,"
                          " rfm_segment, lifecycle, clv_historical, clv_simple,"
                          " clv_predictive, p_alive, expected_purchases, cluster)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
                          " ?13, ?14, ?15, ?16, ?17)",
                          error);
  run = ct_db_prepare (db,
                       "INSERT INTO analytics_runs (as_of, computed_at, summary)"
                       " VALUES (?1, ?2, ?3)",
                       error);
  if (contacts == NULL || insert == NULL || run == NULL)
    goto fail;

  while ((rc = sqlite3_step (contacts)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (contacts, 0);
      const CtRfmCustomer *c = NULL;
      guint i = 0;

      /* Both lists are in id order. */
      while (j < w->customers->len
             && g_array_index (w->customers, CtRfmCustomer, j).contact_id < id)
        j++;
      if (j < w->customers->len
          && g_array_index (w->customers, CtRfmCustomer, j).contact_id == id)
        {
          i = j;
          c = &g_array_index (w->customers, CtRfmCustomer, j);
        }

      sqlite3_reset (insert);
      sqlite3_clear_bindings (insert);
      sqlite3_bind_int64 (insert, 1, id);
      sqlite3_bind_int64 (insert, 2, w->as_of);
      if (c == NULL)
        {
          sqlite3_bind_int64 (insert, 4, 0);
          sqlite3_bind_int64 (insert, 5, 0);
          sqlite3_bind_text (insert, 11, ct_lifecycle_stage_to_id (CT_LIFECYCLE_POTENTIAL),
                             -1, SQLITE_STATIC);
          sqlite3_bind_int64 (insert, 12, 0);
        }
      else
        {
          double scale = pow (10.0, ct_money_decimals (w->currency));

          sqlite3_bind_int64 (insert, 3, c->recency);
          sqlite3_bind_int64 (insert, 4, c->frequency);
          sqlite3_bind_int64 (insert, 5, c->monetary);
          sqlite3_bind_text (insert, 6, w->currency, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (insert, 7, w->scores[i].r);
          sqlite3_bind_int64 (insert, 8, w->scores[i].f);
          sqlite3_bind_int64 (insert, 9, w->scores[i].m);
          sqlite3_bind_text (insert, 10, ct_rfm_segment_to_id (w->scores[i].segment),
                             -1, SQLITE_STATIC);
          sqlite3_bind_text (insert, 11, ct_lifecycle_stage_to_id (w->stages[i]),
                             -1, SQLITE_STATIC);
          sqlite3_bind_int64 (insert, 12, c->monetary);
          if (w->has_simple && w->simple[i] >= 0)
            sqlite3_bind_int64 (insert, 13, w->simple[i]);
          if (isfinite (w->predictive[i]))
            sqlite3_bind_int64 (insert, 14, (gint64) llround (w->predictive[i] * scale));
          bind_optional_double (insert, 15, w->p_alive[i]);
          bind_optional_double (insert, 16, w->expected[i]);
          if (w->cluster[i] >= 0)
            sqlite3_bind_int64 (insert, 17, w->cluster[i]);
        }

      rc = sqlite3_step (insert);
      if (rc != SQLITE_DONE)
        {
          ct_db_set_error (error, ct_db_get_handle (db), rc,
                           _("Could not store the analytics of a contact"));
          goto fail;
        }

      if (done++ % STORE_BATCH == 0)
        {
          report (progress, progress_data,
                  0.8 + 0.19 * (double) done / (double) MAX (n_contacts, 1));
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            goto fail;
        }
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc,
                       _("Could not read the contacts"));
      goto fail;
    }

  sqlite3_bind_int64 (run, 1, w->as_of);
  sqlite3_bind_int64 (run, 2, w->computed_at);
  sqlite3_bind_text (run, 3, summary, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (run);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc,
                       _("Could not store the analytics summary"));
      goto fail;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto fail;
  /* Statements finalised before COMMIT, so none holds the table. */
  g_clear_pointer (&contacts, sqlite3_finalize);
  g_clear_pointer (&insert, sqlite3_finalize);
  g_clear_pointer (&run, sqlite3_finalize);
  /* The app analyses again after purchases change: the dashboard's
   * summaries catch up in the same transaction (ct-rollup.h). */
  if (!ct_rollup_refresh (db, NULL, error))
    goto fail;
  if (!ct_db_commit (db, error))
    goto fail;
  return TRUE;

fail:
  g_clear_pointer (&contacts, sqlite3_finalize);
  g_clear_pointer (&insert, sqlite3_finalize);
  g_clear_pointer (&run, sqlite3_finalize);
  ct_db_rollback (db);
  return FALSE;
}

/* Simple CLV; see the top of the file. Returns the reason in words when
 * there is no churn rate to base the lifetime on. */
static char *
compute_simple (Work   *w,
                double *lifetime_out,
                double *churn_out)
{
  gint64 year_ago = w->as_of - (gint64) DAYS_PER_YEAR * SECONDS_PER_DAY;
  gint64 eligible = 0, churned = 0;
  double churn, lifetime;
  guint s = 0;

  for (guint i = 0; i < w->customers->len; i++)
    {
      const CtRfmCustomer *c = &g_array_index (w->customers, CtRfmCustomer, i);

      if (c->first_purchase_at <= year_ago)
        {
          eligible++;
          if (c->last_purchase_at <= year_ago)
            churned++;
        }
    }

  *lifetime_out = NAN;
  *churn_out = NAN;
  if (eligible == 0)
    return g_strdup (_("No customer has been buying for a year yet, so there is no yearly churn rate to base an expected lifetime on"));

  churn = (double) churned / (double) eligible;
  lifetime = churn > 0 ? MIN (1.0 / churn, SIMPLE_MAX_LIFETIME_YEARS) : SIMPLE_MAX_LIFETIME_YEARS;
  *lifetime_out = lifetime;
  *churn_out = churn;
  w->has_simple = TRUE;

  for (guint i = 0; i < w->customers->len; i++)
    {
      const CtRfmCustomer *c = &g_array_index (w->customers, CtRfmCustomer, i);
      const Summary *sum = NULL;
      double years, aov, per_year;

      w->simple[i] = -1;
      while (s < w->summaries->len
             && g_array_index (w->summaries, Summary, s).contact_id < c->contact_id)
        s++;
      if (s < w->summaries->len
          && g_array_index (w->summaries, Summary, s).contact_id == c->contact_id)
        sum = &g_array_index (w->summaries, Summary, s);
      if (sum == NULL)
        continue;   /* nothing bought in the main currency */

      years = MAX ((double) (w->as_of - c->first_purchase_at)
                   / (DAYS_PER_YEAR * SECONDS_PER_DAY), 1.0);
      aov = (double) sum->spent / (double) sum->orders;
      per_year = (double) sum->orders / years;
      w->simple[i] = (gint64) llround (aov * per_year * lifetime);
    }
  return NULL;
}

/* The rest of the KPIs, inside the "kpis" object: the funnel, retention
 * by first-purchase month and acquisition cost per channel over the
 * last 12 whole months up to the as-of time, months in local time as
 * the app shows them. */
static gboolean
add_kpi_tables (CtDb        *db,
                Work        *w,
                JsonBuilder *b,
                double       scale,
                GError     **error)
{
  g_autoptr(CtRetention) retention = NULL;
  g_autoptr(GArray) costs = NULL;
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
  g_autoptr(GDateTime) after = g_date_time_new_from_unix_local (w->as_of + 1);
  g_autoptr(GDateTime) to = NULL;
  g_autoptr(GDateTime) from = NULL;
  g_autofree char *from_month = NULL;
  g_autofree char *to_month = NULL;
  CtFunnel funnel;

  if (!ct_funnel_load (db, w->as_of, CT_FUNNEL_DEFAULT_LOYAL_PURCHASES, w->customers,
                       &funnel, error))
    return FALSE;
  json_builder_set_member_name (b, "funnel");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "potential");
  json_builder_add_int_value (b, funnel.potential);
  json_builder_set_member_name (b, "contacted");
  json_builder_add_int_value (b, funnel.contacted);
  json_builder_set_member_name (b, "converted");
  json_builder_add_int_value (b, funnel.converted);
  json_builder_set_member_name (b, "retained");
  json_builder_add_int_value (b, funnel.retained);
  json_builder_set_member_name (b, "loyal");
  json_builder_add_int_value (b, funnel.loyal);
  json_builder_end_object (b);

  retention = ct_retention_load (db, w->as_of, tz, error);
  if (retention == NULL)
    return FALSE;
  json_builder_set_member_name (b, "retention");
  json_builder_begin_array (b);
  for (guint c = 0; c < retention->n_cohorts; c++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "month");
      json_builder_add_string_value (b, retention->months[c]);
      json_builder_set_member_name (b, "size");
      json_builder_add_int_value (b, retention->sizes[c]);
      /* buyers[k]: how many of the cohort bought k months after it
       * started; the list stops at the as-of month. */
      json_builder_set_member_name (b, "buyers");
      json_builder_begin_array (b);
      for (guint k = 0; k < retention->n_offsets; k++)
        {
          gint64 buyers = ct_retention_get_buyers (retention, c, k);

          if (buyers < 0)
            break;
          json_builder_add_int_value (b, buyers);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  /* Whole months only, since purchases after the as-of time must not
   * count: the month of the as-of time when it is that month's last
   * second (--as-of 2024-06-30 means the end of June), else the month
   * before it. */
  if (after != NULL)
    to = g_date_time_add_months (after, -1);
  if (to == NULL)
    return TRUE;   /* an as-of time outside the calendar: no months to name */
  from = g_date_time_add_months (to, -11);
  to_month = g_date_time_format (to, "%Y-%m");
  from_month = g_date_time_format (from, "%Y-%m");
  costs = ct_channel_costs_load (db, from_month, to_month, w->currency, tz, error);
  if (costs == NULL)
    return FALSE;
  json_builder_set_member_name (b, "acquisition");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "from_month");
  json_builder_add_string_value (b, from_month);
  json_builder_set_member_name (b, "to_month");
  json_builder_add_string_value (b, to_month);
  json_builder_set_member_name (b, "channels");
  json_builder_begin_array (b);
  for (guint i = 0; i < costs->len; i++)
    {
      const CtChannelCost *cost = &g_array_index (costs, CtChannelCost, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "channel");
      json_builder_add_string_value (b, cost->name);
      json_builder_set_member_name (b, "spend");
      json_builder_add_double_value (b, major (cost->spend, scale));
      json_builder_set_member_name (b, "new_customers");
      json_builder_add_int_value (b, cost->new_customers);
      /* No new customer: dividing would mean dividing by zero. */
      set_money_or_null (b, "cost_per_customer", cost->new_customers > 0,
                         major (cost->cost_per_customer, scale));
      json_builder_set_member_name (b, "other_currency_months");
      json_builder_add_int_value (b, cost->other_currency_months);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return TRUE;
}

/* Everything but storing, into @w and the returned summary. */
static JsonNode *
compute_summary (CtDb                      *db,
                 const CtAnalyticsOptions  *options,
                 Work                      *w,
                 CtAnalyticsProgress        progress,
                 gpointer                   progress_data,
                 GCancellable              *cancellable,
                 GError                   **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree CtBtydCustomer *btyd = NULL;
  g_autofree int *btyd_of = NULL;   /* customer → BTYD row, or -1 */
  g_autofree char *bgnbd_error = NULL;
  g_autofree char *gg_error = NULL;
  g_autofree char *simple_error = NULL;
  g_autofree char *clusters_error = NULL;
  g_autoptr(CtKmeansResult) clusters = NULL;
  g_autoptr(GDateTime) as_of_time = NULL;
  g_autofree char *as_of_date = NULL;
  gint64 segment_counts[CT_RFM_N_SEGMENTS] = { 0 };
  gint64 stage_counts[CT_LIFECYCLE_N_STAGES] = { 0 };
  CtBgnbdParams bgnbd = { 0 };
  CtGammaGammaParams gg = { 0 };
  gboolean bgnbd_ok = FALSE, gg_ok = FALSE;
  CtKpis kpis;
  gint64 n_contacts;
  gint64 as_of_day;
  gsize n_btyd = 0, n_repeat = 0;
  double unit_days, units_per_year, horizon, scale;
  double lifetime = NAN, churn = NAN, silhouette = NAN;
  double historical_total = 0, predictive_total = 0, simple_total = 0;
  gsize n_predictive = 0, n_simple = 0;
  guint n, k = 0;
  gboolean k_suggested = FALSE;

  w->computed_at = g_get_real_time () / G_USEC_PER_SEC;
  w->as_of = options->as_of != 0 ? options->as_of : w->computed_at;
  unit_days = options->weeks ? 7.0 : 1.0;
  units_per_year = DAYS_PER_YEAR / unit_days;
  horizon = units_per_year * options->clv_horizon_months / 12.0;

  /* Customers and their purchases */
  report (progress, progress_data, 0.0);
  w->customers = ct_rfm_load_customers (db, w->as_of, NULL, &w->currency, error);
  if (w->customers == NULL)
    return NULL;
  scale = pow (10.0, ct_money_decimals (w->currency));
  n = w->customers->len;
  n_contacts = ct_db_query_int64 (db, "SELECT count(*) FROM contacts", error);
  if (n_contacts < 0)
    return NULL;
  report (progress, progress_data, 0.05);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  w->summaries = load_summaries (db, w->as_of, w->currency, error);
  if (w->summaries == NULL)
    return NULL;
  report (progress, progress_data, 0.15);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  w->stages = g_new0 (CtLifecycleStage, MAX (n, 1));
  w->simple = g_new0 (gint64, MAX (n, 1));
  w->p_alive = g_new (double, MAX (n, 1));
  w->expected = g_new (double, MAX (n, 1));
  w->predictive = g_new (double, MAX (n, 1));
  w->cluster = g_new (int, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      w->p_alive[i] = w->expected[i] = w->predictive[i] = NAN;
      w->cluster[i] = -1;
    }

  /* RFM, lifecycle, historical */
  w->scores = ct_rfm_score_all ((const CtRfmCustomer *) w->customers->data, n, NULL);
  ct_rfm_count_segments (w->scores, n, segment_counts);
  ct_lifecycle_count_stages (&options->lifecycle, (const CtRfmCustomer *) w->customers->data,
                             n, n_contacts, w->as_of, stage_counts);
  for (guint i = 0; i < n; i++)
    {
      const CtRfmCustomer *c = &g_array_index (w->customers, CtRfmCustomer, i);

      w->stages[i] = ct_lifecycle_stage_for_customer (&options->lifecycle, c, w->as_of);
      historical_total += major (c->monetary, scale);
    }
  simple_error = compute_simple (w, &lifetime, &churn);

  /* BTYD summaries, in customer order */
  as_of_day = floor_day (w->as_of);
  btyd = g_new0 (CtBtydCustomer, MAX (w->summaries->len, 1));
  btyd_of = g_new (int, MAX (n, 1));
  {
    guint s = 0;

    for (guint i = 0; i < n; i++)
      {
        gint64 id = g_array_index (w->customers, CtRfmCustomer, i).contact_id;
        const Summary *sum;
        CtBtydCustomer *bc;

        btyd_of[i] = -1;
        while (s < w->summaries->len && g_array_index (w->summaries, Summary, s).contact_id < id)
          s++;
        if (s == w->summaries->len || g_array_index (w->summaries, Summary, s).contact_id != id)
          continue;
        sum = &g_array_index (w->summaries, Summary, s);
        bc = &btyd[n_btyd];
        btyd_of[i] = (int) n_btyd++;
        bc->x = (double) (sum->days - 1);
        bc->t_x = (double) (sum->last_day - sum->first_day) / unit_days;
        bc->T = (double) (as_of_day - sum->first_day) / unit_days;
        bc->m_x = sum->days > 1
          ? major (sum->repeat_spent, scale) / (double) (sum->days - 1) : 0.0;
        if (bc->x > 0)
          n_repeat++;
      }
  }

  /* BG/NBD and Gamma-Gamma */
  {
    g_autoptr(GError) fit_error = NULL;

    if (ct_bgnbd_fit (btyd, n_btyd, &bgnbd, &fit_error))
      bgnbd_ok = TRUE;
    else
      bgnbd_error = g_strdup (fit_error->message);
  }
  report (progress, progress_data, 0.35);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  {
    g_autoptr(GError) fit_error = NULL;
    g_autofree CtBtydCustomer *spenders = g_new (CtBtydCustomer, MAX (n_btyd, 1));
    gsize n_spenders = 0;

    /* Repeat buyers whose repeat purchases were free have no spend for
     * the model to learn from (it needs amounts above zero): they are
     * left out of the fit and get the population's mean spend. */
    for (gsize i = 0; i < n_btyd; i++)
      if (btyd[i].x == 0 || btyd[i].m_x > 0)
        spenders[n_spenders++] = btyd[i];
    if (ct_gamma_gamma_fit (spenders, n_spenders, &gg, &fit_error))
      gg_ok = TRUE;
    else
      gg_error = g_strdup (fit_error->message);
  }
  report (progress, progress_data, 0.45);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (bgnbd_ok)
    {
      g_autofree double *alive = g_new (double, MAX (n_btyd, 1));
      g_autofree double *expected = g_new (double, MAX (n_btyd, 1));
      g_autofree double *predictive = gg_ok ? g_new (double, MAX (n_btyd, 1)) : NULL;

      /* All at once, so that customers with the same history share the
       * work; a repeat buyer whose repeat purchases were free is valued
       * at the population's mean spend, as in the fit. */
      ct_btyd_score (&bgnbd, gg_ok ? &gg : NULL, btyd, n_btyd, horizon,
                     options->discount_rate, units_per_year, alive, expected, predictive);
      for (guint i = 0; i < n; i++)
        {
          int row = btyd_of[i];

          if (row < 0)
            continue;
          w->p_alive[i] = alive[row];
          w->expected[i] = expected[row];
          if (predictive != NULL)
            {
              w->predictive[i] = predictive[row];
              if (isfinite (w->predictive[i]))
                {
                  predictive_total += w->predictive[i];
                  n_predictive++;
                }
            }
        }
    }
  report (progress, progress_data, 0.5);

  /* Clusters */
  if (n > 0)
    {
      g_autofree double *rec = g_new (double, n);
      g_autofree double *freq = g_new (double, n);
      g_autofree double *mon = g_new (double, n);
      g_autoptr(CtKmeansFeatures) features = NULL;
      g_autoptr(GError) k_error = NULL;
      CtKmeansOptions kopts;

      for (guint i = 0; i < n; i++)
        {
          const CtRfmCustomer *c = &g_array_index (w->customers, CtRfmCustomer, i);

          rec[i] = (double) c->recency;
          freq[i] = (double) c->frequency;
          mon[i] = major (c->monetary, scale);
        }
      ct_kmeans_options_init (&kopts);
      features = ct_kmeans_features_new_rfm (rec, freq, mon, n, &k_error);
      if (features != NULL && options->k == 0)
        {
          double scores[SUGGEST_K_MAX - SUGGEST_K_MIN + 1];

          k = ct_kmeans_suggest_k (features, SUGGEST_K_MIN, SUGGEST_K_MAX, &kopts,
                                   scores, &clusters, cancellable, &k_error);
          if (k > 0)
            {
              k_suggested = TRUE;
              silhouette = scores[k - SUGGEST_K_MIN];
            }
        }
      else if (features != NULL)
        {
          k = options->k;
          clusters = ct_kmeans_cluster (features, k, &kopts, cancellable, &k_error);
          if (clusters != NULL && k > 1
              && !ct_kmeans_silhouette (features, clusters->assignments, k,
                                        kopts.sample_size, kopts.seed, &silhouette, NULL))
            silhouette = NAN;
        }
      if (g_error_matches (k_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&k_error));
          return NULL;
        }
      if (clusters == NULL)
        {
          k = 0;
          clusters_error = g_strdup (k_error != NULL ? k_error->message : "");
        }
      else
        for (guint i = 0; i < n; i++)
          w->cluster[i] = (int) clusters->assignments[i];
    }
  else
    clusters_error = g_strdup (_("There are no customers to group yet"));
  report (progress, progress_data, 0.75);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  /* KPIs */
  if (!ct_kpis_load (db, w->as_of, w->currency, w->customers, &kpis, error))
    return NULL;
  report (progress, progress_data, 0.8);

  /* The summary */
  as_of_time = g_date_time_new_from_unix_utc (w->as_of);
  as_of_date = as_of_time != NULL ? g_date_time_format (as_of_time, "%Y-%m-%d") : g_strdup ("");

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "time_unit");
  json_builder_add_string_value (b, options->weeks ? "week" : "day");
  json_builder_set_member_name (b, "as_of");
  json_builder_add_int_value (b, w->as_of);
  json_builder_set_member_name (b, "as_of_date");
  json_builder_add_string_value (b, as_of_date);
  json_builder_set_member_name (b, "computed_at");
  json_builder_add_int_value (b, w->computed_at);
  json_builder_set_member_name (b, "currency");
  json_builder_add_string_value (b, w->currency);
  json_builder_set_member_name (b, "contacts");
  json_builder_add_int_value (b, n_contacts);
  json_builder_set_member_name (b, "customers");
  json_builder_add_int_value (b, n);
  json_builder_set_member_name (b, "repeat_buyers");
  json_builder_add_int_value (b, (gint64) n_repeat);

  if (bgnbd_ok)
    {
      json_builder_set_member_name (b, "bgnbd");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "r");
      json_builder_add_double_value (b, bgnbd.r);
      json_builder_set_member_name (b, "alpha");
      json_builder_add_double_value (b, bgnbd.alpha);
      json_builder_set_member_name (b, "a");
      json_builder_add_double_value (b, bgnbd.a);
      json_builder_set_member_name (b, "b");
      json_builder_add_double_value (b, bgnbd.b);
      json_builder_set_member_name (b, "loglik");
      json_builder_add_double_value (b, bgnbd.loglik);
      json_builder_set_member_name (b, "n_customers");
      json_builder_add_int_value (b, (gint64) bgnbd.n_customers);
      json_builder_end_object (b);
    }
  else
    set_error_object (b, "bgnbd", bgnbd_error);

  if (gg_ok)
    {
      json_builder_set_member_name (b, "gamma_gamma");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "p");
      json_builder_add_double_value (b, gg.p);
      json_builder_set_member_name (b, "q");
      json_builder_add_double_value (b, gg.q);
      json_builder_set_member_name (b, "v");
      json_builder_add_double_value (b, gg.v);
      json_builder_set_member_name (b, "loglik");
      json_builder_add_double_value (b, gg.loglik);
      json_builder_set_member_name (b, "n_customers");
      json_builder_add_int_value (b, (gint64) gg.n_customers);
      json_builder_end_object (b);
    }
  else
    set_error_object (b, "gamma_gamma", gg_error);

  json_builder_set_member_name (b, "rfm_segments");
  json_builder_begin_object (b);
  for (guint s = 0; s < CT_RFM_N_SEGMENTS; s++)
    {
      json_builder_set_member_name (b, ct_rfm_segment_to_id (s));
      json_builder_add_int_value (b, segment_counts[s]);
    }
  json_builder_end_object (b);

  json_builder_set_member_name (b, "lifecycle");
  json_builder_begin_object (b);
  for (guint s = 0; s < CT_LIFECYCLE_N_STAGES; s++)
    {
      json_builder_set_member_name (b, ct_lifecycle_stage_to_id (s));
      json_builder_add_int_value (b, stage_counts[s]);
    }
  json_builder_end_object (b);

  if (w->has_simple)
    for (guint i = 0; i < n; i++)
      if (w->simple[i] >= 0)
        {
          simple_total += major (w->simple[i], scale);
          n_simple++;
        }
  json_builder_set_member_name (b, "clv");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "horizon_months");
  json_builder_add_int_value (b, options->clv_horizon_months);
  json_builder_set_member_name (b, "discount_rate");
  json_builder_add_double_value (b, options->discount_rate);
  json_builder_set_member_name (b, "historical_total");
  json_builder_add_double_value (b, historical_total);
  set_money_or_null (b, "historical_mean", n > 0, historical_total / MAX (n, 1));
  set_money_or_null (b, "simple_mean", n_simple > 0, simple_total / MAX (n_simple, 1));
  if (simple_error != NULL)
    {
      json_builder_set_member_name (b, "simple_error");
      json_builder_add_string_value (b, simple_error);
    }
  set_money_or_null (b, "expected_lifetime_years", w->has_simple, lifetime);
  set_money_or_null (b, "annual_churn", w->has_simple, churn);
  set_money_or_null (b, "predictive_total", n_predictive > 0, predictive_total);
  set_money_or_null (b, "predictive_mean", n_predictive > 0,
                     predictive_total / MAX (n_predictive, 1));
  if (!(bgnbd_ok && gg_ok))
    {
      json_builder_set_member_name (b, "predictive_error");
      json_builder_add_string_value (b, bgnbd_ok ? gg_error : bgnbd_error);
    }
  json_builder_end_object (b);

  json_builder_set_member_name (b, "k");
  json_builder_add_int_value (b, k);
  json_builder_set_member_name (b, "k_suggested");
  json_builder_add_boolean_value (b, k_suggested);
  set_money_or_null (b, "silhouette", TRUE, silhouette);
  json_builder_set_member_name (b, "clusters");
  json_builder_begin_array (b);
  for (guint c = 0; clusters != NULL && c < clusters->k; c++)
    {
      const double *centre = &clusters->centroids_original[c * CT_KMEANS_RFM_DIM];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "cluster");
      json_builder_add_int_value (b, c);
      json_builder_set_member_name (b, "size");
      json_builder_add_int_value (b, clusters->sizes[c]);
      json_builder_set_member_name (b, "centroid");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "recency_days");
      json_builder_add_double_value (b, centre[0]);
      json_builder_set_member_name (b, "frequency");
      json_builder_add_double_value (b, centre[1]);
      json_builder_set_member_name (b, "monetary");
      json_builder_add_double_value (b, centre[2]);
      json_builder_end_object (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (clusters_error != NULL)
    {
      json_builder_set_member_name (b, "clusters_error");
      json_builder_add_string_value (b, clusters_error);
    }

  if (bgnbd_ok && gg_ok)
    {
      static const guint days[] = { 30, 90, 365 };
      g_autofree double *expected = g_new (double, MAX (n_btyd, 1));

      json_builder_set_member_name (b, "forecast");
      json_builder_begin_object (b);
      for (guint d = 0; d < G_N_ELEMENTS (days); d++)
        {
          g_autofree char *revenue_name = g_strdup_printf ("days_%u", days[d]);
          g_autofree char *purchases_name = g_strdup_printf ("purchases_%u", days[d]);
          double t = days[d] / unit_days;
          double revenue = 0, purchases = 0;

          /* ct_btyd_forecast_revenue() and ct_btyd_forecast_purchases()
           * summed from one scoring rather than two. */
          ct_btyd_score (&bgnbd, NULL, btyd, n_btyd, t, 0, units_per_year, NULL, expected, NULL);
          for (gsize i = 0; i < n_btyd; i++)
            {
              purchases += expected[i];
              if (expected[i] > 0)
                revenue += expected[i] * ct_gamma_gamma_expected_spend (&gg, btyd[i].x, btyd[i].m_x);
            }
          set_money_or_null (b, revenue_name, TRUE, revenue);
          set_money_or_null (b, purchases_name, TRUE, purchases);
        }
      json_builder_end_object (b);
    }
  else
    set_error_object (b, "forecast", bgnbd_ok ? gg_error : bgnbd_error);

  json_builder_set_member_name (b, "kpis");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "contacts");
  json_builder_add_int_value (b, kpis.contacts);
  json_builder_set_member_name (b, "customers");
  json_builder_add_int_value (b, kpis.customers);
  json_builder_set_member_name (b, "repeat_customers");
  json_builder_add_int_value (b, kpis.repeat_customers);
  json_builder_set_member_name (b, "orders");
  json_builder_add_int_value (b, kpis.orders);
  json_builder_set_member_name (b, "revenue");
  json_builder_add_double_value (b, major (kpis.revenue, scale));
  json_builder_set_member_name (b, "average_order_value");
  json_builder_add_double_value (b, major (kpis.average_order_value, scale));
  json_builder_set_member_name (b, "conversion_rate");
  json_builder_add_double_value (b, kpis.conversion_rate);
  json_builder_set_member_name (b, "repeat_purchase_rate");
  json_builder_add_double_value (b, kpis.repeat_purchase_rate);
  if (!add_kpi_tables (db, w, b, scale, error))
    return NULL;
  json_builder_end_object (b);

  json_builder_end_object (b);
  root = json_builder_get_root (b);

  return g_steal_pointer (&root);
}

JsonNode *
ct_analytics_compute (CtDb                      *db,
                      const CtAnalyticsOptions  *options,
                      gboolean                   store,
                      CtAnalyticsProgress        progress,
                      gpointer                   progress_data,
                      GCancellable              *cancellable,
                      GError                   **error)
{
  g_auto(Work) w = { 0 };
  g_autoptr(JsonNode) root = NULL;
  gboolean own_read;

  g_return_val_if_fail (CT_IS_DB (db), NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_options (options, error))
    return NULL;

  /* All the reads in one read transaction, so that the customers, their
   * purchases and the KPIs are one snapshot even while the app adds
   * purchases on its own connection (the next run picks those up). It
   * ends before the cache is written: a read transaction that turns
   * into a write one fails when another connection wrote in between. */
  own_read = sqlite3_get_autocommit (ct_db_get_handle (db)) != 0;
  if (own_read && !ct_db_exec (db, "BEGIN DEFERRED", error))
    return NULL;
  root = compute_summary (db, options, &w, progress, progress_data, cancellable, error);
  if (own_read)
    ct_db_rollback (db);
  if (root == NULL)
    return NULL;

  if (store)
    {
      g_autofree char *summary = json_to_string (root, FALSE);

      if (!store_results (db, &w, summary, progress, progress_data, cancellable, error))
        return NULL;
      ct_db_emit_changed (db, "contact_metrics");
    }
  report (progress, progress_data, 1.0);

  return g_steal_pointer (&root);
}

JsonNode *
ct_analytics_load_last (CtDb    *db,
                        GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(JsonParser) parser = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = ct_db_prepare (db, "SELECT summary FROM analytics_runs ORDER BY id DESC LIMIT 1",
                        error);
  if (stmt == NULL)
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return NULL;
  if (rc != SQLITE_ROW)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc,
                       _("Could not read the last analysis"));
      return NULL;
    }

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, (const char *) sqlite3_column_text (stmt, 0),
                                   -1, NULL))
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_CORRUPT,
                   _("The last analysis stored in the database is damaged; run the analysis again."));
      return NULL;
    }
  return json_node_copy (json_parser_get_root (parser));
}

/* ------------------------------------------------------------------ */

typedef struct
{
  char               *path;
  CtAnalyticsOptions  options;
  gboolean            store;
  CtProgressRelay    *progress;  /* nullable */
} AsyncData;

static void
async_data_free (AsyncData *data)
{
  ct_progress_relay_unref (data->progress);
  g_free (data->path);
  g_free (data);
}

static void
compute_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  AsyncData *data = task_data;
  g_autoptr(CtDb) db = NULL;
  JsonNode *root;
  GError *error = NULL;

  db = ct_db_open_full (data->path, CT_DB_OPEN_ALREADY_CHECKED, &error);
  if (db == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  root = ct_analytics_compute (db, &data->options, data->store,
                               data->progress != NULL ? ct_progress_relay_report : NULL,
                               data->progress, cancellable, &error);
  if (root == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, root, (GDestroyNotify) json_node_unref);
}

void
ct_analytics_compute_async (const char                *db_path,
                            const CtAnalyticsOptions  *options,
                            gboolean                   store,
                            CtAnalyticsProgress        progress,
                            gpointer                   progress_data,
                            GDestroyNotify             progress_destroy,
                            GCancellable              *cancellable,
                            GAsyncReadyCallback        callback,
                            gpointer                   user_data)
{
  g_autoptr(GTask) task = NULL;
  AsyncData *data;

  g_return_if_fail (db_path != NULL);
  g_return_if_fail (options != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (AsyncData, 1);
  data->path = g_strdup (db_path);
  data->options = *options;
  data->store = store;
  data->progress = ct_progress_relay_new (progress, progress_data, progress_destroy);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ct_analytics_compute_async);
  g_task_set_name (task, "[clientele] analytics");
  g_task_set_task_data (task, data, (GDestroyNotify) async_data_free);
  g_task_run_in_thread (task, compute_thread);
}

JsonNode *
ct_analytics_compute_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
