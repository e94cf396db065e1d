/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-campaign-results.c: what a campaign did, and steering its sending
 *
 * Results come from the outbox (who was mailed), mail_events (what the
 * provider told us happened to each message) and purchases: a purchase
 * is attributed to a campaign when the buyer was sent its mail and
 * bought within the window after that mail's sent_at. A purchase made
 * after two campaigns counts for both, as each of them may have
 * prompted it; the page says "attributed", not "caused".
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "ct-campaign-results.h"

const char *
ct_campaign_state_get_label (CtCampaignState state)
{
  switch (state)
    {
    case CT_CAMPAIGN_DRAFT:     return C_("campaign", "Draft");
    case CT_CAMPAIGN_SCHEDULED: return C_("campaign", "Scheduled");
    case CT_CAMPAIGN_SENDING:   return C_("campaign", "Sending");
    case CT_CAMPAIGN_PAUSED:    return C_("campaign", "Paused");
    case CT_CAMPAIGN_SENT:      return C_("campaign", "Sent");
    case CT_CAMPAIGN_CANCELLED: return C_("campaign", "Cancelled");
    }
  g_return_val_if_reached ("");
}

const char *
ct_campaign_result_get_label (CtCampaignResult result)
{
  switch (result)
    {
    case CT_CAMPAIGN_RESULT_RECIPIENTS:   return C_("campaign", "Recipients");
    case CT_CAMPAIGN_RESULT_DELIVERED:    return C_("campaign", "Delivered");
    case CT_CAMPAIGN_RESULT_OPENED:       return C_("campaign", "Opened");
    case CT_CAMPAIGN_RESULT_CLICKED:      return C_("campaign", "Clicked");
    case CT_CAMPAIGN_RESULT_BOUNCED:      return C_("campaign", "Bounced");
    case CT_CAMPAIGN_RESULT_UNSUBSCRIBED: return C_("campaign", "Unsubscribed");
    case CT_CAMPAIGN_RESULT_PURCHASED:    return C_("campaign", "Bought");
    case CT_CAMPAIGN_N_RESULTS:           break;
    }
  g_return_val_if_reached ("");
}

void
ct_campaign_info_free (CtCampaignInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info->subject);
  g_free (info->currency);
  g_free (info->activity_note);
  g_free (info);
}

/* The condition on an outbox row "o" (and, for purchases, "p") that
 * picks the contacts behind each result; ?2 is the window in seconds. */
static const char *
result_condition (CtCampaignResult result)
{
  switch (result)
    {
    case CT_CAMPAIGN_RESULT_RECIPIENTS:
      return "o.state != 'dropped'";
    case CT_CAMPAIGN_RESULT_DELIVERED:
    case CT_CAMPAIGN_RESULT_OPENED:
    case CT_CAMPAIGN_RESULT_CLICKED:
    case CT_CAMPAIGN_RESULT_BOUNCED:
    case CT_CAMPAIGN_RESULT_UNSUBSCRIBED:
      return NULL; /* by event type, below */
    case CT_CAMPAIGN_RESULT_PURCHASED:
      return "o.state = 'sent' AND o.sent_at IS NOT NULL AND EXISTS (SELECT 1 FROM purchases p"
             " WHERE p.contact_id = o.contact_id AND p.refunded = 0"
             " AND p.purchased_at >= o.sent_at AND p.purchased_at < o.sent_at + ?2)";
    case CT_CAMPAIGN_N_RESULTS:
      break;
    }
  g_return_val_if_reached ("0");
}

static const char *
result_event (CtCampaignResult result)
{
  switch (result)
    {
    case CT_CAMPAIGN_RESULT_DELIVERED:    return "delivered";
    case CT_CAMPAIGN_RESULT_OPENED:       return "opened";
    case CT_CAMPAIGN_RESULT_CLICKED:      return "clicked";
    case CT_CAMPAIGN_RESULT_BOUNCED:      return "bounced";
    case CT_CAMPAIGN_RESULT_UNSUBSCRIBED: return "unsubscribed";
    default:                              return NULL;
    }
}

/* SQL selecting the distinct contact ids (column 0) behind @result for
 * campaign ?1. */
static char *
result_sql (CtCampaignResult result,
            gboolean         count)
{
  const char *event = result_event (result);
  const char *what = count ? "count(DISTINCT o.contact_id)" : "DISTINCT o.contact_id";
  const char *order = count ? "" : " ORDER BY o.contact_id";

  if (event != NULL)
    return g_strdup_printf ("SELECT %s FROM outbox o WHERE o.campaign_id = ?1 AND o.contact_id IS NOT NULL"
                            " AND ?2 >= 0 AND EXISTS (SELECT 1 FROM mail_events e WHERE e.outbox_id = o.id"
                            " AND e.type = '%s')%s", what, event, order);
  return g_strdup_printf ("SELECT %s FROM outbox o WHERE o.campaign_id = ?1 AND o.contact_id IS NOT NULL"
                          " AND ?2 >= 0 AND %s%s", what, result_condition (result), order);
}

#define WINDOW_SETTING "campaigns.attribution_days"

guint
ct_campaign_get_window_days (CtDb *db)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, "SELECT value FROM settings WHERE key = ?1", NULL);
  guint64 days;

  if (stmt == NULL)
    return CT_CAMPAIGN_DEFAULT_WINDOW_DAYS;
  sqlite3_bind_text (stmt, 1, WINDOW_SETTING, -1, SQLITE_STATIC);
  /* A value broken by hand falls back to the default rather than to no
   * window at all. */
  if (sqlite3_step (stmt) != SQLITE_ROW
      || !g_ascii_string_to_unsigned ((const char *) sqlite3_column_text (stmt, 0), 10,
                                      1, CT_CAMPAIGN_MAX_WINDOW_DAYS, &days, NULL))
    return CT_CAMPAIGN_DEFAULT_WINDOW_DAYS;
  return (guint) days;
}

gboolean
ct_campaign_set_window_days (CtDb     *db,
                             guint     days,
                             GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *text = NULL;
  int rc;

  if (days == 0 || days > CT_CAMPAIGN_MAX_WINDOW_DAYS)
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   _("The attribution window must be between 1 and %d days (it is %u)."),
                   CT_CAMPAIGN_MAX_WINDOW_DAYS, days);
      return FALSE;
    }
  if (days == ct_campaign_get_window_days (db))
    return TRUE;
  stmt = ct_db_prepare (db, "INSERT INTO settings (key, value) VALUES (?1, ?2)"
                            " ON CONFLICT (key) DO UPDATE SET value = excluded.value", error);
  if (stmt == NULL)
    return FALSE;
  text = g_strdup_printf ("%u", days);
  sqlite3_bind_text (stmt, 1, WINDOW_SETTING, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, text, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not save the attribution window"));
      return FALSE;
    }
  ct_db_emit_changed (db, "settings");
  return TRUE;
}

static gboolean
fill_results (CtDb            *db,
              CtCampaignInfo  *info,
              guint            window_days,
              GError         **error)
{
  gint64 window = (gint64) (window_days > 0 ? window_days : ct_campaign_get_window_days (db)) * 86400;
  g_autoptr(sqlite3_stmt) money = NULL;
  int rc;

  if (!ct_outbox_get_counts (db, info->id, &info->counts, error))
    return FALSE;
  for (guint r = 0; r < CT_CAMPAIGN_N_RESULTS; r++)
    {
      g_autofree char *sql = result_sql (r, TRUE);
      g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, sql, error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, info->id);
      sqlite3_bind_int64 (stmt, 2, window);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        {
          ct_db_set_error (error, ct_db_get_handle (db), sqlite3_errcode (ct_db_get_handle (db)),
                           _("Could not count the campaign’s results"));
          return FALSE;
        }
      info->results[r] = sqlite3_column_int64 (stmt, 0);
    }

  /* Purchases and revenue per currency, the largest revenue first: the
   * page shows one amount, and says how many purchases were in another
   * currency rather than adding yuan to dollars. Each purchase counts
   * once even when the buyer was in the outbox twice. */
  money = ct_db_prepare (db,
    "SELECT p.currency, count(*), sum(p.amount) FROM purchases p"
    " WHERE p.refunded = 0 AND p.id IN (SELECT p2.id FROM outbox o JOIN purchases p2"
    "   ON p2.contact_id = o.contact_id AND p2.purchased_at >= o.sent_at"
    "   AND p2.purchased_at < o.sent_at + ?2"
    "   WHERE o.campaign_id = ?1 AND o.state = 'sent' AND o.sent_at IS NOT NULL)"
    " GROUP BY p.currency ORDER BY sum(p.amount) DESC, p.currency", error);
  if (money == NULL)
    return FALSE;
  sqlite3_bind_int64 (money, 1, info->id);
  sqlite3_bind_int64 (money, 2, window);
  while ((rc = sqlite3_step (money)) == SQLITE_ROW)
    {
      if (info->currency == NULL)
        {
          info->currency = g_strdup ((const char *) sqlite3_column_text (money, 0));
          info->purchases = sqlite3_column_int64 (money, 1);
          info->revenue = sqlite3_column_int64 (money, 2);
        }
      else
        info->other_currency += sqlite3_column_int64 (money, 1);
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not add up the campaign’s revenue"));
      return FALSE;
    }
  return TRUE;
}

static CtCampaignState
state_from_row (const char *status,
                gboolean    paused)
{
  if (g_strcmp0 (status, "scheduled") == 0)
    return CT_CAMPAIGN_SCHEDULED;
  if (g_strcmp0 (status, "sending") == 0)
    return paused ? CT_CAMPAIGN_PAUSED : CT_CAMPAIGN_SENDING;
  if (g_strcmp0 (status, "sent") == 0)
    return CT_CAMPAIGN_SENT;
  if (g_strcmp0 (status, "cancelled") == 0)
    return CT_CAMPAIGN_CANCELLED;
  return CT_CAMPAIGN_DRAFT;
}

#define INFO_COLUMNS "id, name, subject, status, paused_at IS NOT NULL," \
                     " coalesce(scheduled_at, 0), coalesce(launched_at, 0), coalesce(finished_at, 0)," \
                     " provider = (SELECT value FROM settings WHERE key = 'mail.activity_unavailable'), provider"

static CtCampaignInfo *
info_from_row (sqlite3_stmt *stmt)
{
  CtCampaignInfo *info = g_new0 (CtCampaignInfo, 1);

  info->id = sqlite3_column_int64 (stmt, 0);
  info->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  info->subject = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  info->state = state_from_row ((const char *) sqlite3_column_text (stmt, 3),
                                sqlite3_column_int (stmt, 4));
  info->scheduled_at = sqlite3_column_int64 (stmt, 5);
  info->launched_at = sqlite3_column_int64 (stmt, 6);
  info->finished_at = sqlite3_column_int64 (stmt, 7);
  /* Set by ct_outbox_sync() when the campaign's provider refused its
   * activity API: SendGrid sells it as an add-on. */
  if (sqlite3_column_int (stmt, 8))
    {
      CtMailProviderKind kind = CT_MAIL_PROVIDER_SENDGRID;

      if (!ct_mail_provider_kind_from_name ((const char *) sqlite3_column_text (stmt, 9), &kind)
          || kind == CT_MAIL_PROVIDER_SENDGRID)
        info->activity_note = g_strdup (_("SendGrid tells deliveries, opens and clicks only with its paid Email Activity add-on, which this account does not have: they cannot be counted here."));
      else
        info->activity_note = g_strdup_printf (_("%s did not give deliveries, opens and clicks to this app: they cannot be counted here."),
                                               ct_mail_provider_kind_display_name (kind));
    }
  return info;
}

CtCampaignInfo *
ct_campaign_get_info (CtDb    *db,
                      gint64   campaign_id,
                      guint    window_days,
                      GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, "SELECT " INFO_COLUMNS " FROM campaigns WHERE id = ?1", error);
  g_autoptr(CtCampaignInfo) info = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND, _("The campaign does not exist"));
      return NULL;
    }
  info = info_from_row (stmt);
  if (!fill_results (db, info, window_days, error))
    return NULL;
  return g_steal_pointer (&info);
}

GPtrArray *
ct_campaign_list (CtDb    *db,
                  guint    window_days,
                  GError **error)
{
  /* The campaigns the user made: an automation's mail goes through
   * hidden campaigns of its own, shown in its history instead. */
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, "SELECT " INFO_COLUMNS " FROM campaigns"
                                                    " WHERE automation_id IS NULL"
                                                    " ORDER BY created_at DESC, id DESC", error);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ct_campaign_info_free);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, info_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the campaigns"));
      return NULL;
    }
  if (window_days == 0)
    window_days = ct_campaign_get_window_days (db);
  for (guint i = 0; i < list->len; i++)
    if (!fill_results (db, g_ptr_array_index (list, i), window_days, error))
      return NULL;
  return g_steal_pointer (&list);
}

GArray *
ct_campaign_result_contacts (CtDb             *db,
                             gint64            campaign_id,
                             CtCampaignResult  result,
                             guint             window_days,
                             GError          **error)
{
  g_autofree char *sql = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  g_return_val_if_fail (result < CT_CAMPAIGN_N_RESULTS, NULL);

  sql = result_sql (result, FALSE);
  stmt = ct_db_prepare (db, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  sqlite3_bind_int64 (stmt, 2, (gint64) (window_days > 0 ? window_days : ct_campaign_get_window_days (db)) * 86400);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the campaign’s contacts"));
      return NULL;
    }
  return g_steal_pointer (&ids);
}

gboolean
ct_campaign_set_paused (CtDb     *db,
                        gint64    campaign_id,
                        gboolean  paused,
                        GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db,
    "UPDATE campaigns SET paused_at = CASE WHEN ?2 THEN coalesce(paused_at, unixepoch()) END,"
    " updated_at = unixepoch() WHERE id = ?1 AND status = 'sending'", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  sqlite3_bind_int (stmt, 2, paused ? 1 : 0);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not pause or resume the campaign"));
      return FALSE;
    }
  if (sqlite3_changes (ct_db_get_handle (db)) == 0)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           paused ? _("Only a campaign being sent can be paused")
                                  : _("Only a paused campaign can be resumed"));
      return FALSE;
    }
  ct_db_emit_changed (db, "campaigns");
  return TRUE;
}

gboolean
ct_campaign_cancel (CtDb     *db,
                    gint64    campaign_id,
                    gint64   *out_dropped,
                    GError  **error)
{
  g_autoptr(sqlite3_stmt) update = NULL;
  g_autoptr(sqlite3_stmt) drop = NULL;
  g_autoptr(sqlite3_stmt) holdout = NULL;
  gint64 other = 0;
  int rc;

  if (out_dropped != NULL)
    *out_dropped = 0;
  if (!ct_db_begin (db, error))
    return FALSE;
  /* An A/B test is cancelled whole: its other subject too, and the
   * rest of the audience waiting for the winner (?2). */
  update = ct_db_prepare (db, "UPDATE campaigns SET status = 'cancelled', paused_at = NULL,"
                              " finished_at = unixepoch(), updated_at = unixepoch()"
                              " WHERE id IN (?1, ?2) AND status IN ('draft','scheduled','sending')", error);
  /* Rows in flight are left alone: their request is out, and the sender
   * records its answer; only what has not gone is dropped. */
  drop = ct_db_prepare (db, "UPDATE outbox SET state = 'dropped', error = 'cancelled'"
                            " WHERE campaign_id IN (?1, ?2) AND state = 'queued'", error);
  holdout = ct_db_prepare (db, "DELETE FROM ab_holdout WHERE campaign_id IN (?1, ?2)", error);
  if (update == NULL || drop == NULL || holdout == NULL)
    goto fail;
  {
    g_autoptr(sqlite3_stmt) pair = ct_db_prepare (db, "SELECT CASE WHEN campaign_id = ?1 THEN variant_id"
                                                      " ELSE campaign_id END FROM ab_tests"
                                                      " WHERE campaign_id = ?1 OR variant_id = ?1", error);
    if (pair == NULL)
      goto fail;
    sqlite3_bind_int64 (pair, 1, campaign_id);
    if (sqlite3_step (pair) == SQLITE_ROW)
      other = sqlite3_column_int64 (pair, 0);
  }
  sqlite3_bind_int64 (update, 2, other);
  sqlite3_bind_int64 (drop, 2, other);
  sqlite3_bind_int64 (holdout, 1, campaign_id);
  sqlite3_bind_int64 (holdout, 2, other);
  sqlite3_bind_int64 (update, 1, campaign_id);
  rc = sqlite3_step (update);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not cancel the campaign"));
      goto fail;
    }
  if (sqlite3_changes (ct_db_get_handle (db)) == 0)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("The campaign was sent or cancelled already"));
      goto fail;
    }
  sqlite3_bind_int64 (drop, 1, campaign_id);
  rc = sqlite3_step (drop);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not cancel the campaign"));
      goto fail;
    }
  if (out_dropped != NULL)
    *out_dropped = sqlite3_changes (ct_db_get_handle (db));
  if (sqlite3_step (holdout) != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), sqlite3_errcode (ct_db_get_handle (db)),
                       _("Could not cancel the campaign"));
      goto fail;
    }
  if (!ct_db_commit (db, error))
    goto fail;
  ct_db_emit_changed (db, "campaigns");
  ct_db_emit_changed (db, "outbox");
  return TRUE;

fail:
  ct_db_rollback (db);
  return FALSE;
}

gboolean
ct_campaign_count_audience (CtDb        *db,
                            const char  *audience_json,
                            gint64      *out_included,
                            gint64      *out_excluded,
                            GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GHashTable) members = NULL;
  const char *tag = NULL;
  JsonObject *object;
  int rc;

  *out_included = *out_excluded = 0;
  if (!json_parser_load_from_data (parser, audience_json, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   _("The audience “%s” is not a JSON object"), audience_json);
      return FALSE;
    }
  object = json_node_get_object (json_parser_get_root (parser));
  tag = json_object_get_string_member_with_default (object, "tag", NULL);
  if (tag == NULL && !json_object_get_boolean_member_with_default (object, "all", FALSE)
      && json_object_get_int_member_with_default (object, "segment", 0) <= 0)
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   _("The audience “%s” names neither everyone, a tag nor a segment"), audience_json);
      return FALSE;
    }
  if (!ct_outbox_audience_members (db, audience_json, &members, error))
    return FALSE;
  /* The same test as ct_outbox_launch(), counted rather than queued. */
  stmt = ct_db_prepare (db,
    "SELECT c.id, c.status = 'subscribed' AND s.email IS NULL AND trim(c.email) LIKE '%_@_%'"
    " FROM contacts c LEFT JOIN suppressions s ON s.email = c.email"
    " WHERE c.email IS NOT NULL AND trim(c.email) != ''"
    "   AND (?1 IS NULL OR c.id IN (SELECT ct.contact_id FROM contact_tags ct"
    "                               JOIN tags t ON t.id = ct.tag_id WHERE t.name = ?1))", error);
  if (stmt == NULL)
    return FALSE;
  if (tag != NULL)
    sqlite3_bind_text (stmt, 1, tag, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      if (members != NULL && !g_hash_table_contains (members, &id))
        continue;
      if (sqlite3_column_int (stmt, 1))
        (*out_included)++;
      else
        (*out_excluded)++;
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not count the audience"));
      *out_included = *out_excluded = 0;
      return FALSE;
    }
  return TRUE;
}

/* Phrases spam filters weigh against a subject, English and Chinese,
 * matched case-insensitively. */
static const char * const spam_phrases[] = {
  "free", "act now", "limited time", "urgent", "winner", "you won",
  "100%", "guarantee", "cash", "click here", "buy now", "no cost",
  "risk-free", "double your", "earn money", "make money", "$$$",
  "免费", "限时", "中奖", "紧急", "赚钱", "点击这里", "立即购买", "0元",
};

GPtrArray *
ct_campaign_check_subject (const char *subject)
{
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *folded = NULL;
  glong letters = 0, upper = 0, n_chars;
  guint exclaims = 0;

  if (subject == NULL || *subject == '\0')
    return found;
  folded = g_utf8_casefold (subject, -1);
  for (guint i = 0; i < G_N_ELEMENTS (spam_phrases); i++)
    if (strstr (folded, spam_phrases[i]) != NULL)
      g_ptr_array_add (found, g_strdup_printf (_("“%s” is a phrase spam filters distrust"),
                                               spam_phrases[i]));
  for (const char *p = subject; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '!' || c == 0xFF01 /* ！ */)
        exclaims++;
      if (g_unichar_isalpha (c) && (g_unichar_isupper (c) || g_unichar_islower (c)))
        {
          letters++;
          if (g_unichar_isupper (c))
            upper++;
        }
    }
  if (exclaims > 1)
    g_ptr_array_add (found, g_strdup (_("More than one exclamation mark looks like spam")));
  /* Shouting: most letters capitals, in a subject with enough letters
   * for that to mean something ("VIP offer" is fine). */
  if (letters >= 8 && upper * 10 >= letters * 7)
    g_ptr_array_add (found, g_strdup (_("A subject mostly in capital letters looks like shouting")));
  n_chars = g_utf8_strlen (subject, -1);
  if (n_chars > 80)
    g_ptr_array_add (found, g_strdup_printf (_("The subject is %ld characters long; mail apps cut it after about 60"),
                                             (long) n_chars));
  return found;
}
