/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-automation.c: automations, what fired, and queuing their mail
 *
 * Detection is one INSERT OR IGNORE … SELECT per automation into
 * automation_firings, whose UNIQUE (automation_id, contact_id,
 * event_key) drops an event seen before, by this run or another one.
 * Queuing takes the due firings in a BEGIN IMMEDIATE transaction, so a
 * second process waits (busy timeout) and then finds them queued.
 *
 * The outbox keeps one row per campaign and contact, so an automation's
 * mail goes out through campaigns of its own: a contact mailed again by
 * the same automation (a second purchase, next year's birthday) goes
 * into the first of its campaigns that has not mailed them, and a new
 * one is made when all have.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "ct-automation.h"
#include "ct-automation-private.h"
#include "ct-abtest.h"
#include "ct-mail-secret.h"
#include "ct-mail-template.h"
#include "ct-outbox.h"
#include "ct-segment.h"

static const char * const trigger_names[] = {
  "new_contact", "purchase", "no_purchase", "churn_risk", "tier_change", "birthday",
};

const char *
ct_automation_trigger_to_string (CtAutomationTrigger trigger)
{
  g_return_val_if_fail ((guint) trigger < G_N_ELEMENTS (trigger_names), NULL);
  return trigger_names[trigger];
}

gboolean
ct_automation_trigger_from_string (const char          *text,
                                   CtAutomationTrigger *trigger)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (trigger_names); i++)
    {
      g_autofree char *dashed = g_strdelimit (g_strdup (trigger_names[i]), "_", '-');

      if (g_strcmp0 (text, trigger_names[i]) == 0 || g_strcmp0 (text, dashed) == 0)
        {
          *trigger = (CtAutomationTrigger) i;
          return TRUE;
        }
    }
  return FALSE;
}

char *
ct_automation_describe_trigger (CtAutomationTrigger  trigger,
                                const char          *product_name,
                                guint                days,
                                double               threshold)
{
  switch (trigger)
    {
    case CT_AUTOMATION_NEW_CONTACT:
      return g_strdup (_("A new contact is added"));
    case CT_AUTOMATION_PURCHASE:
      if (product_name != NULL)
        return g_strdup_printf (_("A purchase of “%s”"), product_name);
      return g_strdup (_("Any purchase"));
    case CT_AUTOMATION_NO_PURCHASE:
      return g_strdup_printf (ngettext ("No purchase for %u day", "No purchase for %u days", days), days);
    case CT_AUTOMATION_CHURN_RISK:
      return g_strdup_printf (_("Churn risk at or above %.0f%%"), threshold * 100.0);
    case CT_AUTOMATION_TIER_CHANGE:
      return g_strdup (_("The loyalty tier changes"));
    case CT_AUTOMATION_BIRTHDAY:
      return g_strdup (_("Birthday"));
    default:
      g_return_val_if_reached (NULL);
    }
}

CtAutomation *
ct_automation_new (void)
{
  return g_new0 (CtAutomation, 1);
}

void
ct_automation_free (CtAutomation *automation)
{
  if (automation == NULL)
    return;
  g_free (automation->name);
  g_free (automation->product_name);
  g_free (automation->rule_json);
  g_free (automation->subject);
  g_free (automation->body);
  g_free (automation->preheader);
  g_free (automation);
}

void
ct_automation_firing_free (CtAutomationFiring *firing)
{
  if (firing == NULL)
    return;
  g_free (firing->contact_label);
  g_free (firing->event_key);
  g_free (firing->state);
  g_free (firing->reason);
  g_free (firing->outbox_state);
  g_free (firing);
}

static gboolean
is_blank (const char *text)
{
  for (; text != NULL && *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

/* Everything a person can get wrong, named. */
static gboolean
check (CtDb                *db,
       const CtAutomation  *automation,
       GError             **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(CtMailContent) content = NULL;

  if (automation->name == NULL || is_blank (automation->name))
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID, _("An automation needs a name."));
      return FALSE;
    }
  if ((guint) automation->trigger >= G_N_ELEMENTS (trigger_names))
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID, _("The automation’s trigger is not known."));
      return FALSE;
    }
  if (automation->trigger == CT_AUTOMATION_NO_PURCHASE && automation->days == 0)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("A “no purchase” trigger needs a number of days above 0."));
      return FALSE;
    }
  if (automation->trigger == CT_AUTOMATION_CHURN_RISK
      && !(automation->threshold > 0.0 && automation->threshold <= 1.0))
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   _("The churn risk threshold must be above 0 and at most 1 (it is %g)."),
                   automation->threshold);
      return FALSE;
    }
  if (automation->subject == NULL || is_blank (automation->subject))
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID, _("An automation’s email needs a subject."));
      return FALSE;
    }
  if (!g_utf8_validate (automation->subject, -1, NULL)
      || (automation->body != NULL && !g_utf8_validate (automation->body, -1, NULL)))
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("The subject or the body is not UTF-8 text"));
      return FALSE;
    }
  if (automation->preheader != NULL && !g_utf8_validate (automation->preheader, -1, NULL))
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID, _("The preheader is not UTF-8 text"));
      return FALSE;
    }
  content = ct_mail_content_new_full (automation->subject, automation->preheader,
                                      automation->body != NULL ? automation->body : "", "", "x", &local);
  if (content == NULL)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID, local->message);
      return FALSE;
    }
  if (automation->rule_json != NULL)
    {
      g_autoptr(CtSegmentRule) rule = ct_segment_rule_parse (automation->rule_json, &local);
      CtSegmentQuery *query;

      if (rule == NULL)
        {
          g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                       _("The automation’s conditions are not a valid rule: %s"), local->message);
          return FALSE;
        }
      query = ct_segment_compile (db, rule, 0, &local);
      if (query == NULL)
        {
          g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                       _("The automation’s conditions cannot be used: %s"), local->message);
          return FALSE;
        }
      ct_segment_query_free (query);
    }
  return TRUE;
}

static void
bind_fields (sqlite3_stmt       *stmt,
             const CtAutomation *automation)
{
  g_autofree char *name = g_strstrip (g_strdup (automation->name));

  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, trigger_names[automation->trigger], -1, SQLITE_STATIC);
  if (automation->trigger == CT_AUTOMATION_PURCHASE && automation->product_id > 0)
    sqlite3_bind_int64 (stmt, 3, automation->product_id);
  else
    sqlite3_bind_null (stmt, 3);
  sqlite3_bind_int64 (stmt, 4, automation->days);
  sqlite3_bind_double (stmt, 5, automation->threshold);
  if (automation->rule_json != NULL)
    sqlite3_bind_text (stmt, 6, automation->rule_json, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 6);
  sqlite3_bind_int64 (stmt, 7, automation->delay_hours);
  sqlite3_bind_text (stmt, 8, automation->subject, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 9, automation->body != NULL ? automation->body : "", -1, SQLITE_STATIC);
  /* ?11: ?10 is the id in an update. */
  if (automation->preheader != NULL && !is_blank (automation->preheader))
    sqlite3_bind_text (stmt, 11, g_strstrip (g_strdup (automation->preheader)), -1, g_free);
  else
    sqlite3_bind_null (stmt, 11);
}

static gboolean
constraint_error (CtDb                *db,
                  int                  rc,
                  const CtAutomation  *automation,
                  const char          *what,
                  GError             **error)
{
  if (rc == SQLITE_CONSTRAINT
      && strstr (sqlite3_errmsg (ct_db_get_handle (db)), "UNIQUE") != NULL)
    g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT,
                 _("There is an automation called “%s” already"), automation->name);
  else if (rc == SQLITE_CONSTRAINT)
    g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND,
                         _("The automation’s product does not exist"));
  else
    ct_db_set_error (error, ct_db_get_handle (db), rc, what);
  return FALSE;
}

gint64
ct_automation_create (CtDb          *db,
                      CtAutomation  *automation,
                      GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!check (db, automation, error))
    return 0;
  stmt = ct_db_prepare (db, "INSERT INTO automations (name, trigger, product_id, days, threshold,"
                            " rule, delay_hours, subject, body, preheader)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?11)",
                        error);
  if (stmt == NULL)
    return 0;
  bind_fields (stmt, automation);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      constraint_error (db, rc, automation, _("Could not add the automation"), error);
      return 0;
    }
  automation->id = sqlite3_last_insert_rowid (ct_db_get_handle (db));
  ct_db_emit_changed (db, "automations");
  return automation->id;
}

gboolean
ct_automation_update (CtDb                *db,
                      const CtAutomation  *automation,
                      GError             **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) mail = NULL;
  int rc;

  if (!check (db, automation, error))
    return FALSE;
  if (!ct_db_begin (db, error))
    return FALSE;
  stmt = ct_db_prepare (db, "UPDATE automations SET name = ?1, trigger = ?2, product_id = ?3, days = ?4,"
                            " threshold = ?5, rule = ?6, delay_hours = ?7, subject = ?8, body = ?9,"
                            " preheader = ?11, updated_at = unixepoch() WHERE id = ?10", error);
  /* Mail not sent yet is rendered from its campaign when it goes out. */
  mail = ct_db_prepare (db, "UPDATE campaigns SET subject = ?2, body = ?3, preheader = nullif (trim (?4), ''),"
                            " updated_at = unixepoch()"
                            " WHERE automation_id = ?1", error);
  if (stmt == NULL || mail == NULL)
    goto fail;
  bind_fields (stmt, automation);
  sqlite3_bind_int64 (stmt, 10, automation->id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      constraint_error (db, rc, automation, _("Could not save the automation"), error);
      goto fail;
    }
  if (sqlite3_changes (ct_db_get_handle (db)) == 0)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND, _("The automation does not exist"));
      goto fail;
    }
  sqlite3_bind_int64 (mail, 1, automation->id);
  sqlite3_bind_text (mail, 2, automation->subject, -1, SQLITE_STATIC);
  sqlite3_bind_text (mail, 3, automation->body != NULL ? automation->body : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (mail, 4, automation->preheader, -1, SQLITE_STATIC);
  if (!ct_db_step_done (db, mail, _("Could not save the automation"), error)
      || !ct_db_commit (db, error))
    goto fail;
  ct_db_emit_changed (db, "automations");
  return TRUE;

fail:
  ct_db_rollback (db);
  return FALSE;
}

gboolean
ct_automation_delete (CtDb    *db,
                      gint64   id,
                      GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, "DELETE FROM automations WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!ct_db_step_done (db, stmt, _("Could not delete the automation"), error))
    return FALSE;
  ct_db_emit_changed (db, "automations");
  ct_db_emit_changed (db, "campaigns");
  return TRUE;
}

static gboolean
table_exists (CtDb       *db,
              const char *name)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", NULL);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  return sqlite3_step (stmt) == SQLITE_ROW;
}

gboolean
ct_automation_set_enabled (CtDb     *db,
                           gint64    id,
                           gboolean  enabled,
                           GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) skip = NULL;
  g_autoptr(sqlite3_stmt) exists = NULL;
  /* tier_history comes with the loyalty tables; before them no tier
   * change can fire. */
  const char *tier_max = table_exists (db, "tier_history")
                         ? "(SELECT coalesce(max(id), 0) FROM tier_history)" : "0";
  g_autofree char *sql = NULL;

  if (!ct_db_begin (db, error))
    return FALSE;
  if (enabled)
    sql = g_strdup_printf ("UPDATE automations SET enabled = 1, enabled_at = unixepoch(),"
                           " enabled_contact_id = (SELECT coalesce(max(id), 0) FROM contacts),"
                           " enabled_purchase_id = (SELECT coalesce(max(id), 0) FROM purchases),"
                           " enabled_tier_id = %s, updated_at = unixepoch()"
                           " WHERE id = ?1 AND enabled = 0", tier_max);
  else
    sql = g_strdup ("UPDATE automations SET enabled = 0, updated_at = unixepoch() WHERE id = ?1");
  stmt = ct_db_prepare (db, sql, error);
  skip = ct_db_prepare (db, "UPDATE automation_firings SET state = 'skipped', reason = 'disabled'"
                            " WHERE automation_id = ?1 AND state = 'pending'", error);
  exists = ct_db_prepare (db, "SELECT 1 FROM automations WHERE id = ?1", error);
  if (stmt == NULL || skip == NULL || exists == NULL)
    goto fail;
  sqlite3_bind_int64 (exists, 1, id);
  if (sqlite3_step (exists) != SQLITE_ROW)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND, _("The automation does not exist"));
      goto fail;
    }
  sqlite3_bind_int64 (stmt, 1, id);
  if (!ct_db_step_done (db, stmt, _("Could not enable or disable the automation"), error))
    goto fail;
  if (!enabled)
    {
      sqlite3_bind_int64 (skip, 1, id);
      if (!ct_db_step_done (db, skip, _("Could not enable or disable the automation"), error))
        goto fail;
    }
  if (!ct_db_commit (db, error))
    goto fail;
  ct_db_emit_changed (db, "automations");
  return TRUE;

fail:
  ct_db_rollback (db);
  return FALSE;
}

#define SELECT_AUTOMATION \
  "SELECT a.id, a.name, a.trigger, a.product_id, p.name, a.days, a.threshold, a.rule," \
  " a.delay_hours, a.subject, a.body, a.enabled, coalesce(a.enabled_at, 0)," \
  " (SELECT count(*) FROM automation_firings f WHERE f.automation_id = a.id)," \
  " (SELECT count(*) FROM automation_firings f WHERE f.automation_id = a.id AND f.state = 'queued')," \
  " a.preheader" \
  " FROM automations a LEFT JOIN products p ON p.id = a.product_id"

static char *
column_dup (sqlite3_stmt *stmt,
            int           i)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, i));
}

static CtAutomation *
read_automation (sqlite3_stmt *stmt)
{
  CtAutomation *a = ct_automation_new ();
  CtAutomationTrigger trigger = CT_AUTOMATION_NEW_CONTACT;

  a->id = sqlite3_column_int64 (stmt, 0);
  a->name = column_dup (stmt, 1);
  ct_automation_trigger_from_string ((const char *) sqlite3_column_text (stmt, 2), &trigger);
  a->trigger = trigger;
  a->product_id = sqlite3_column_int64 (stmt, 3);
  a->product_name = column_dup (stmt, 4);
  a->days = (guint) sqlite3_column_int64 (stmt, 5);
  a->threshold = sqlite3_column_double (stmt, 6);
  a->rule_json = column_dup (stmt, 7);
  a->delay_hours = (guint) sqlite3_column_int64 (stmt, 8);
  a->subject = column_dup (stmt, 9);
  a->body = column_dup (stmt, 10);
  a->enabled = sqlite3_column_int (stmt, 11) != 0;
  a->enabled_at = sqlite3_column_int64 (stmt, 12);
  a->fired = sqlite3_column_int64 (stmt, 13);
  a->queued = sqlite3_column_int64 (stmt, 14);
  a->preheader = column_dup (stmt, 15);
  return a;
}

CtAutomation *
ct_automation_get (CtDb    *db,
                   gint64   id,
                   GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, SELECT_AUTOMATION " WHERE a.id = ?1", error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    return read_automation (stmt);
  g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND, _("The automation does not exist"));
  return NULL;
}

CtAutomation *
ct_automation_find (CtDb        *db,
                    const char  *name,
                    GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, SELECT_AUTOMATION " WHERE a.name = ?1", error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    return read_automation (stmt);
  g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND, _("There is no automation called “%s”"), name);
  return NULL;
}

GPtrArray *
ct_automation_list (CtDb    *db,
                    GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, SELECT_AUTOMATION " ORDER BY a.name", error);
  GPtrArray *list;
  int rc;

  if (stmt == NULL)
    return NULL;
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) ct_automation_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, read_automation (stmt));
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the automations"));
      g_ptr_array_unref (list);
      return NULL;
    }
  return list;
}

GPtrArray *
ct_automation_history (CtDb    *db,
                       gint64   automation_id,
                       guint    limit,
                       GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db,
    "SELECT f.id, f.contact_id,"
    "  coalesce(nullif(trim(c.first_name || ' ' || c.last_name), ''), c.email, ''),"
    "  f.event_key, f.fired_at, f.due_at, f.state, f.reason, o.state"
    " FROM automation_firings f JOIN contacts c ON c.id = f.contact_id"
    " LEFT JOIN outbox o ON o.id = f.outbox_id"
    " WHERE (?1 = 0 OR f.automation_id = ?1)"
    " ORDER BY f.fired_at DESC, f.id DESC LIMIT ?2", error);
  GPtrArray *list;
  int rc;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, automation_id);
  sqlite3_bind_int64 (stmt, 2, limit > 0 ? (gint64) limit : -1);
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) ct_automation_firing_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CtAutomationFiring *f = g_new0 (CtAutomationFiring, 1);

      f->id = sqlite3_column_int64 (stmt, 0);
      f->contact_id = sqlite3_column_int64 (stmt, 1);
      f->contact_label = column_dup (stmt, 2);
      f->event_key = column_dup (stmt, 3);
      f->fired_at = sqlite3_column_int64 (stmt, 4);
      f->due_at = sqlite3_column_int64 (stmt, 5);
      f->state = column_dup (stmt, 6);
      f->reason = column_dup (stmt, 7);
      f->outbox_state = column_dup (stmt, 8);
      g_ptr_array_add (list, f);
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read what the automations did"));
      g_ptr_array_unref (list);
      return NULL;
    }
  return list;
}

/* ---- running ----------------------------------------------------------- */

/* The events of one automation, as (contact_id, event_key, event_at)
 * rows; ?1 automation id, ?2 now, ?3 delay in seconds. Each is a SELECT
 * over the automation row `a`. */
static char *
detection_sql (const CtAutomation *a,
               gint64              now,
               gboolean            have_tiers)
{
  const char *head =
    "INSERT OR IGNORE INTO automation_firings (automation_id, contact_id, event_key, event_at, fired_at, due_at)"
    " SELECT a.id, e.contact_id, e.event_key, e.event_at, ?2, ?2 + ?3"
    " FROM automations a, (%s) e WHERE a.id = ?1 AND a.enabled = 1";

  switch (a->trigger)
    {
    case CT_AUTOMATION_NEW_CONTACT:
      /* After the last contact that existed when it was enabled, and not
       * an old contact given an old date by an import. */
      return g_strdup_printf (head,
        "SELECT c.id AS contact_id, 'new' AS event_key, c.created_at AS event_at FROM contacts c, automations x"
        " WHERE x.id = ?1 AND c.id > x.enabled_contact_id AND c.created_at >= x.enabled_at");
    case CT_AUTOMATION_PURCHASE:
      return g_strdup_printf (head,
        "SELECT p.contact_id AS contact_id, 'purchase:' || p.id AS event_key, p.purchased_at AS event_at"
        " FROM purchases p, automations x"
        " WHERE x.id = ?1 AND p.id > x.enabled_purchase_id AND p.refunded = 0 AND p.contact_id IS NOT NULL"
        "   AND (x.product_id IS NULL OR p.product_id = x.product_id)");
    case CT_AUTOMATION_NO_PURCHASE:
      /* Once per lapse: a purchase starts a new one. */
      return g_strdup_printf (head,
        "SELECT c.id AS contact_id, 'lapse:' || c.last_purchase_at AS event_key,"
        "  c.last_purchase_at + x.days * 86400 AS event_at"
        " FROM contacts c, automations x"
        " WHERE x.id = ?1 AND c.last_purchase_at IS NOT NULL"
        "   AND c.last_purchase_at <= ?2 - x.days * 86400");
    case CT_AUTOMATION_CHURN_RISK:
      /* Once per stretch without a purchase, like a lapse. */
      return g_strdup_printf (head,
        "SELECT m.contact_id AS contact_id, 'churn:' || coalesce(c.last_purchase_at, 0) AS event_key,"
        "  m.as_of AS event_at"
        " FROM contact_metrics m JOIN contacts c ON c.id = m.contact_id, automations x"
        " WHERE x.id = ?1 AND m.p_alive IS NOT NULL AND 1.0 - m.p_alive >= x.threshold - 1e-9");
    case CT_AUTOMATION_TIER_CHANGE:
      if (!have_tiers)
        return NULL;
      return g_strdup_printf (head,
        "SELECT t.contact_id AS contact_id, 'tier:' || t.id AS event_key, t.changed_at AS event_at"
        " FROM tier_history t, automations x"
        " WHERE x.id = ?1 AND t.id > x.enabled_tier_id AND t.reason IN ('upgrade','downgrade')");
    case CT_AUTOMATION_BIRTHDAY:
      {
        g_autoptr(GDateTime) today = g_date_time_new_from_unix_local (now);
        int month = g_date_time_get_month (today);
        int day = g_date_time_get_day_of_month (today);
        int year = g_date_time_get_year (today);
        /* 29 February birthdays are kept on the 28th in other years. */
        gboolean leap_day = month == 2 && day == 28 && !g_date_is_leap_year ((GDateYear) year);
        g_autofree char *inner = g_strdup_printf (
          "SELECT c.id AS contact_id, 'birthday:%d' AS event_key, ?2 AS event_at"
          " FROM contacts c"
          " WHERE json_extract(c.attributes, '$.birthday') IS NOT NULL"
          "   AND substr(trim(json_extract(c.attributes, '$.birthday')), -5) IN ('%02d-%02d'%s)",
          year, month, day, leap_day ? ", '02-29'" : "");
        return g_strdup_printf (head, inner);
      }
    default:
      return NULL;
    }
}

static gboolean
detect (CtDb                *db,
        const CtAutomation  *a,
        gint64               now,
        gboolean             have_tiers,
        gint64              *fired,
        GError             **error)
{
  g_autofree char *sql = detection_sql (a, now, have_tiers);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (sql == NULL)
    return TRUE;
  stmt = ct_db_prepare (db, sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, a->id);
  sqlite3_bind_int64 (stmt, 2, now);
  sqlite3_bind_int64 (stmt, 3, (gint64) a->delay_hours * 3600);
  if (!ct_db_step_done (db, stmt, _("Could not record what the automations fired"), error))
    return FALSE;
  *fired += sqlite3_changes (ct_db_get_handle (db));
  return TRUE;
}

static char *
hash_email (const char *email)
{
  g_autofree char *stripped = g_strstrip (g_strdup (email));
  g_autofree char *lower = g_ascii_strdown (stripped, -1);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, lower, -1);
}

/* Why @contact_id cannot be mailed now, or NULL when they can: the same
 * exclusions as a campaign's launch. */
const char *
ct_mail_exclusion (CtDb    *db,
                   gint64   contact_id,
                   char   **out_email)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db,
    "SELECT c.email, c.status, s.reason FROM contacts c LEFT JOIN suppressions s ON s.email = c.email"
    " WHERE c.id = ?1", NULL);
  g_autoptr(sqlite3_stmt) erased = ct_db_prepare (db, "SELECT 1 FROM erased_emails WHERE hash = ?1", NULL);
  const char *email;
  g_autofree char *hash = NULL;

  if (stmt == NULL || erased == NULL)
    return "error";
  sqlite3_bind_int64 (stmt, 1, contact_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return "deleted";
  email = (const char *) sqlite3_column_text (stmt, 0);
  if (email == NULL || is_blank (email) || strchr (email, '@') == NULL)
    return "no_email";
  if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), "subscribed") != 0)
    return "unsubscribed";
  if (sqlite3_column_type (stmt, 2) != SQLITE_NULL)
    return "suppressed";
  hash = hash_email (email);
  sqlite3_bind_text (erased, 1, hash, -1, SQLITE_STATIC);
  if (sqlite3_step (erased) == SQLITE_ROW)
    return "erased";
  *out_email = g_strdup (email);
  return NULL;
}

typedef struct
{
  gint64          id;
  char           *name;
  char           *subject;
  char           *body;
  char           *preheader;
  CtSegmentQuery *conditions;  /* NULL: none */
  char           *rule_error;  /* the rule no longer compiles */
} Due;

static void
due_free (Due *due)
{
  g_free (due->name);
  g_free (due->subject);
  g_free (due->body);
  g_free (due->preheader);
  g_clear_pointer (&due->conditions, ct_segment_query_free);
  g_free (due->rule_error);
  g_free (due);
}

static Due *
load_due (CtDb        *db,
          GHashTable  *cache,
          gint64       automation_id,
          gint64       now,
          GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  Due *due = g_hash_table_lookup (cache, &automation_id);
  gint64 *key;
  const char *rule_json;

  if (due != NULL)
    return due;
  stmt = ct_db_prepare (db, "SELECT name, subject, body, rule, preheader FROM automations WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, automation_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND, _("The automation does not exist"));
      return NULL;
    }
  due = g_new0 (Due, 1);
  due->id = automation_id;
  due->name = column_dup (stmt, 0);
  due->subject = column_dup (stmt, 1);
  due->body = column_dup (stmt, 2);
  due->preheader = column_dup (stmt, 4);
  rule_json = (const char *) sqlite3_column_text (stmt, 3);
  if (rule_json != NULL)
    {
      g_autoptr(GError) local = NULL;
      g_autoptr(CtSegmentRule) rule = ct_segment_rule_parse (rule_json, &local);

      if (rule != NULL)
        due->conditions = ct_segment_compile (db, rule, now, &local);
      if (due->conditions == NULL)
        due->rule_error = g_strdup (local->message);
    }
  key = g_new (gint64, 1);
  *key = automation_id;
  g_hash_table_insert (cache, key, due);
  return due;
}

static gboolean
matches (CtDb        *db,
         Due         *due,
         gint64       contact_id,
         gboolean    *out,
         GError     **error)
{
  g_autofree char *suffix = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (due->conditions == NULL)
    {
      *out = due->rule_error == NULL;
      return TRUE;
    }
  suffix = g_strdup_printf ("AND c.id = %lld", (long long) contact_id);
  stmt = ct_segment_query_prepare (due->conditions, db, "SELECT 1 FROM contacts c", suffix, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not check the automation’s conditions"));
      return FALSE;
    }
  *out = rc == SQLITE_ROW;
  return TRUE;
}

/* The first campaign of the automation that has not mailed @contact_id,
 * made when there is none. */
static gint64
campaign_for (CtDb     *db,
              Due      *due,
              gint64    contact_id,
              GError  **error)
{
  g_autoptr(sqlite3_stmt) find = ct_db_prepare (db,
    "SELECT id FROM campaigns c WHERE automation_id = ?1"
    " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.campaign_id = c.id AND o.contact_id = ?2)"
    " ORDER BY id LIMIT 1", error);
  g_autoptr(sqlite3_stmt) insert = NULL;
  gint64 round;
  int rc = SQLITE_CONSTRAINT;

  if (find == NULL)
    return 0;
  sqlite3_bind_int64 (find, 1, due->id);
  sqlite3_bind_int64 (find, 2, contact_id);
  if (sqlite3_step (find) == SQLITE_ROW)
    return sqlite3_column_int64 (find, 0);

  insert = ct_db_prepare (db, "INSERT INTO campaigns (name, subject, body, automation_id, status, launched_at, preheader)"
                              " VALUES (?1, ?2, ?3, ?4, 'sending', unixepoch(), ?5)", error);
  if (insert == NULL)
    return 0;
  round = ct_db_query_int64 (db, "SELECT count(*) FROM campaigns WHERE automation_id IS NOT NULL", NULL);
  /* The name only has to be unique; a person's campaign may have taken one. */
  for (guint attempt = 0; rc == SQLITE_CONSTRAINT && attempt < 100; attempt++)
    {
      g_autofree char *name = g_strdup_printf (_("Automation “%s” (%lld)"), due->name,
                                               (long long) (round + 1 + attempt));

      sqlite3_reset (insert);
      sqlite3_bind_text (insert, 1, name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 2, due->subject, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 3, due->body, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (insert, 4, due->id);
      sqlite3_bind_text (insert, 5, due->preheader, -1, SQLITE_STATIC);
      rc = sqlite3_step (insert);
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not make the automation’s campaign"));
      return 0;
    }
  return sqlite3_last_insert_rowid (ct_db_get_handle (db));
}

/* Queues the due firings: one write transaction, so that a second run
 * waits for this one and then finds nothing pending. */
static gboolean
queue_due (CtDb                *db,
           gint64               now,
           CtAutomationReport  *report,
           GError             **error)
{
  g_autoptr(sqlite3_stmt) pending = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(sqlite3_stmt) mark = NULL;
  g_autoptr(sqlite3_stmt) wake = NULL;
  g_autoptr(GHashTable) cache = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                      (GDestroyNotify) due_free);
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (gint64) * 3);
  int rc;

  if (!ct_db_begin (db, error))
    return FALSE;
  pending = ct_db_prepare (db,
    "SELECT f.id, f.automation_id, f.contact_id FROM automation_firings f"
    " JOIN automations a ON a.id = f.automation_id AND a.enabled = 1"
    " WHERE f.state = 'pending' AND f.due_at <= ?1 ORDER BY f.id", error);
  insert = ct_db_prepare (db, "INSERT INTO outbox (campaign_id, contact_id, email, idempotency_key)"
                              " VALUES (?1, ?2, ?3, ?4)", error);
  mark = ct_db_prepare (db, "UPDATE automation_firings SET state = ?2, reason = ?3, outbox_id = ?4"
                            " WHERE id = ?1", error);
  wake = ct_db_prepare (db, "UPDATE campaigns SET status = 'sending', finished_at = NULL,"
                            " updated_at = unixepoch() WHERE id = ?1 AND status != 'sending'", error);
  if (pending == NULL || insert == NULL || mark == NULL || wake == NULL)
    goto fail;
  sqlite3_bind_int64 (pending, 1, now);
  while ((rc = sqlite3_step (pending)) == SQLITE_ROW)
    {
      gint64 row[3] = { sqlite3_column_int64 (pending, 0), sqlite3_column_int64 (pending, 1),
                        sqlite3_column_int64 (pending, 2) };
      g_array_append_vals (rows, row, 1);
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the automations’ firings"));
      goto fail;
    }

  for (guint i = 0; i < rows->len; i++)
    {
      gint64 *row = &g_array_index (rows, gint64, i * 3);
      g_autofree char *email = NULL;
      const char *why;
      gint64 outbox_id = 0;
      gboolean ok = TRUE;
      Due *due = load_due (db, cache, row[1], now, error);

      if (due == NULL)
        goto fail;
      why = ct_mail_exclusion (db, row[2], &email);
      if (why == NULL)
        {
          if (!matches (db, due, row[2], &ok, error))
            goto fail;
          if (!ok)
            why = due->rule_error != NULL ? "conditions_invalid" : "conditions";
        }
      if (why == NULL)
        {
          gint64 campaign_id = campaign_for (db, due, row[2], error);

          if (campaign_id == 0)
            goto fail;
          sqlite3_bind_int64 (insert, 1, campaign_id);
          sqlite3_bind_int64 (insert, 2, row[2]);
          sqlite3_bind_text (insert, 3, email, -1, SQLITE_STATIC);
          sqlite3_bind_text (insert, 4, g_uuid_string_random (), -1, g_free);
          rc = sqlite3_step (insert);
          sqlite3_reset (insert);
          if (rc != SQLITE_DONE)
            {
              ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not queue the automation’s mail"));
              goto fail;
            }
          outbox_id = sqlite3_last_insert_rowid (ct_db_get_handle (db));
          sqlite3_bind_int64 (wake, 1, campaign_id);
          rc = sqlite3_step (wake);
          sqlite3_reset (wake);
          if (rc != SQLITE_DONE)
            {
              ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not queue the automation’s mail"));
              goto fail;
            }
        }
      sqlite3_bind_int64 (mark, 1, row[0]);
      sqlite3_bind_text (mark, 2, why == NULL ? "queued" : "skipped", -1, SQLITE_STATIC);
      if (why != NULL)
        sqlite3_bind_text (mark, 3, why, -1, SQLITE_STATIC);
      else
        sqlite3_bind_null (mark, 3);
      if (outbox_id != 0)
        sqlite3_bind_int64 (mark, 4, outbox_id);
      else
        sqlite3_bind_null (mark, 4);
      rc = sqlite3_step (mark);
      sqlite3_reset (mark);
      sqlite3_clear_bindings (mark);
      if (rc != SQLITE_DONE)
        {
          ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not queue the automation’s mail"));
          goto fail;
        }
      if (why == NULL)
        report->queued++;
      else
        report->skipped++;
    }
  if (!ct_db_commit (db, error))
    goto fail;
  return TRUE;

fail:
  ct_db_rollback (db);
  return FALSE;
}

gboolean
ct_automation_run_due (CtDb                *db,
                       gint64               now,
                       CtAutomationReport  *report,
                       GError             **error)
{
  CtAutomationReport local = { 0 };
  g_autoptr(GPtrArray) list = NULL;
  gboolean have_tiers;

  report = report != NULL ? report : &local;
  memset (report, 0, sizeof *report);
  if (now == 0)
    now = g_get_real_time () / G_USEC_PER_SEC;

  list = ct_automation_list (db, error);
  if (list == NULL)
    return FALSE;
  have_tiers = table_exists (db, "tier_history");

  /* Detection in one write transaction: INSERT OR IGNORE against the
   * UNIQUE key makes a second run, at once or later, record nothing new. */
  if (!ct_db_begin (db, error))
    return FALSE;
  for (guint i = 0; i < list->len; i++)
    {
      CtAutomation *a = g_ptr_array_index (list, i);

      if (a->enabled && !detect (db, a, now, have_tiers, &report->fired, error))
        {
          ct_db_rollback (db);
          return FALSE;
        }
    }
  if (!ct_db_commit (db, error))
    {
      ct_db_rollback (db);
      return FALSE;
    }

  if (!queue_due (db, now, report, error))
    return FALSE;
  if (report->fired > 0 || report->queued > 0 || report->skipped > 0)
    {
      ct_db_emit_changed (db, "automations");
      ct_db_emit_changed (db, "campaigns");
      ct_db_emit_changed (db, "outbox");
    }
  return TRUE;
}

/* ---- the whole of send-due, for the app ---------------------------------- */

gboolean
ct_send_due_run (const char       *db_path,
                 CtSendDueReport  *report,
                 GCancellable     *cancellable,
                 GError          **error)
{
  g_autoptr(CtDb) db = NULL;
  g_autoptr(CtMailSettings) settings = NULL;
  g_autoptr(CtMailProvider) provider = NULL;
  CtOutboxOptions options;
  CtOutboxReport sent = { 0 };
  CtSendDueReport local = { 0 };
  g_autoptr(GError) local_error = NULL;
  char *key;

  report = report != NULL ? report : &local;
  memset (report, 0, sizeof *report);
  db = ct_db_open_full (db_path, CT_DB_OPEN_ALREADY_CHECKED, error);
  if (db == NULL)
    return FALSE;
  if (!ct_abtest_run_due (db, 0, error)
      || !ct_automation_run_due (db, 0, &report->automations, error))
    return FALSE;
  /* Nothing to send needs neither a provider nor a key. */
  if (ct_db_query_int64 (db, "SELECT count(*) FROM campaigns WHERE status = 'sending'"
                             " OR (status = 'scheduled' AND scheduled_at <= unixepoch())", NULL) == 0)
    return TRUE;
  settings = ct_mail_settings_load (db, error);
  if (settings == NULL)
    return FALSE;
  if (!settings->configured)
    {
      g_set_error_literal (error, CT_MAIL_ERROR, CT_MAIL_ERROR_SETTINGS,
                           _("Mail is waiting to be sent, but no mail provider is set up: choose one in Preferences."));
      return FALSE;
    }
  key = ct_mail_secret_lookup (ct_mail_provider_kind_to_name (settings->kind), db_path, &local_error);
  if (key == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, CT_MAIL_ERROR, CT_MAIL_ERROR_SETTINGS,
                     _("Mail is waiting to be sent, but there is no API key for %s: enter it in Preferences."),
                     ct_mail_provider_kind_display_name (settings->kind));
      return FALSE;
    }
  provider = ct_mail_settings_new_provider (settings, key);
  ct_mail_secret_free (key);
  ct_outbox_options_init (&options, settings, provider);
  if (!ct_outbox_send_due (db, provider, settings, &options, &sent, cancellable, error))
    return FALSE;
  report->sent = sent.sent;
  report->failed = sent.rejected + sent.failed + sent.unknown;
  return TRUE;
}

static void
send_due_thread (GTask        *task,
                 gpointer      source,
                 gpointer      data,
                 GCancellable *cancellable)
{
  CtSendDueReport *report = g_new0 (CtSendDueReport, 1);
  GError *error = NULL;

  if (ct_send_due_run (data, report, cancellable, &error))
    g_task_return_pointer (task, report, g_free);
  else
    {
      g_free (report);
      g_task_return_error (task, error);
    }
}

void
ct_send_due_async (const char          *db_path,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, ct_send_due_async);
  g_task_set_task_data (task, g_strdup (db_path), g_free);
  g_task_run_in_thread (task, send_due_thread);
}

gboolean
ct_send_due_finish (GAsyncResult     *result,
                    CtSendDueReport  *report,
                    GError          **error)
{
  g_autofree CtSendDueReport *r = g_task_propagate_pointer (G_TASK (result), error);

  if (r == NULL)
    return FALSE;
  if (report != NULL)
    *report = *r;
  return TRUE;
}

/* ---- systemd units ------------------------------------------------------ */

/* One word of an ExecStart= line: double-quoted, with systemd's escapes
 * (backslash and quote), and % doubled (a specifier otherwise). */
static void
append_unit_word (GString    *line,
                  const char *word)
{
  g_string_append_c (line, '"');
  for (const char *p = word; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (line, '\\');
      if (*p == '%')
        g_string_append_c (line, '%');
      g_string_append_c (line, *p);
    }
  g_string_append_c (line, '"');
}

char *
ct_send_due_service_unit (const char *exe,
                          const char *db_path)
{
  GString *unit = g_string_new (NULL);

  g_string_append (unit,
                   "# Written by Clientele's Preferences: runs the automations and sends\n"
                   "# the mail that is due (clientele-send-due.timer starts it).\n"
                   "[Unit]\n"
                   "Description=Clientele: run the automations and send the campaigns that are due\n"
                   "\n"
                   "[Service]\n"
                   "Type=oneshot\n"
                   "ExecStart=");
  append_unit_word (unit, exe);
  g_string_append (unit, " send-due");
  if (db_path != NULL)
    {
      g_string_append (unit, " --db ");
      append_unit_word (unit, db_path);
    }
  g_string_append_c (unit, '\n');
  return g_string_free (unit, FALSE);
}

char *
ct_send_due_timer_unit (void)
{
  return g_strdup ("# Written by Clientele's Preferences.\n"
                   "[Unit]\n"
                   "Description=Clientele: run the automations and send the campaigns that are due, every ten minutes\n"
                   "\n"
                   "[Timer]\n"
                   "OnBootSec=2min\n"
                   "OnUnitActiveSec=10min\n"
                   "Persistent=true\n"
                   "\n"
                   "[Install]\n"
                   "WantedBy=timers.target\n");
}
