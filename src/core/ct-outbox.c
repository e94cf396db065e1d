/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-outbox.c: campaigns, the outbox, and sending it through a provider
 *
 * The promise: a kill at any moment never sends anyone the same campaign
 * twice and never silently drops anyone. It rests on the order of the
 * writes:
 *
 *   launch    one transaction writes every recipient's row, "queued";
 *   claim     a transaction marks a batch "in_flight" with the key of the
 *             request and the merge values it is rendered from, and
 *             commits BEFORE the request goes out;
 *   record    a transaction writes each recipient's outcome after the
 *             answer.
 *
 * A kill between claim and record leaves rows in flight: the next run
 * finds them first (reconcile). With a provider that keeps idempotency
 * keys (Resend, Brevo) and a key still within its lifetime, the very
 * same request (same key, same rows, same merge values, so the same
 * body) is sent again and the provider answers without sending twice;
 * otherwise the rows become "unknown" for the user to resend or drop.
 * A request that left but got no answer is treated the same way while
 * the run goes on.
 *
 * Threads: the caller's thread owns the database and does all of the
 * above; worker threads (a GThreadPool of options->concurrency) only
 * render and send, each with a SoupSession from a small pool, and hand
 * the finished job back through a queue. A rate limiter spaces the
 * requests, and a 429 pauses all of them: rate limits are per account.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-outbox.h"
#include "ct-abtest.h"
#include "ct-tier.h"
#include "ct-segment.h"

/* ---- settings ---------------------------------------------------------- */

static char *
get_setting (CtDb       *db,
             const char *key)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, "SELECT value FROM settings WHERE key = ?1", NULL);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  return NULL;
}

static gboolean
set_setting (CtDb        *db,
             const char  *key,
             const char  *value,
             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (value == NULL || *value == '\0')
    stmt = ct_db_prepare (db, "DELETE FROM settings WHERE key = ?1", error);
  else
    stmt = ct_db_prepare (db, "INSERT INTO settings (key, value) VALUES (?1, ?2)"
                              " ON CONFLICT (key) DO UPDATE SET value = excluded.value", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (value != NULL && *value != '\0')
    sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not save the mail settings"));
      return FALSE;
    }
  return TRUE;
}

void
ct_mail_settings_free (CtMailSettings *settings)
{
  if (settings == NULL)
    return;
  g_free (settings->base_url);
  g_free (settings->domain);
  g_free (settings->stream);
  g_free (settings->from);
  g_free (settings->reply_to);
  g_free (settings->postal_address);
  g_free (settings->unsubscribe_url);
  g_free (settings);
}

static guint
setting_uint (CtDb       *db,
              const char *key,
              guint       fallback)
{
  g_autofree char *text = get_setting (db, key);
  guint64 n;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, 1000000, &n, NULL))
    return fallback;
  return (guint) n;
}

CtMailSettings *
ct_mail_settings_load (CtDb    *db,
                       GError **error)
{
  CtMailSettings *settings = g_new0 (CtMailSettings, 1);
  g_autofree char *provider = get_setting (db, "mail.provider");
  g_autofree char *rate = get_setting (db, "mail.rate");
  g_autofree char *message_rate = get_setting (db, "mail.message_rate");

  settings->configured = ct_mail_provider_kind_from_name (provider, &settings->kind);
  settings->base_url = get_setting (db, "mail.base_url");
  settings->domain = get_setting (db, "mail.domain");
  settings->stream = get_setting (db, "mail.stream");
  settings->from = get_setting (db, "mail.from");
  settings->reply_to = get_setting (db, "mail.reply_to");
  settings->postal_address = get_setting (db, "mail.postal_address");
  settings->unsubscribe_url = get_setting (db, "mail.unsubscribe_url");
  settings->concurrency = setting_uint (db, "mail.concurrency", 4);
  settings->batch_size = setting_uint (db, "mail.batch_size", 0);
  settings->timeout = setting_uint (db, "mail.timeout", 30);
  settings->rate = rate != NULL ? g_ascii_strtod (rate, NULL) : 0;
  if (!(settings->rate > 0 && settings->rate < 100000))
    settings->rate = 0;
  settings->message_rate = message_rate != NULL ? g_ascii_strtod (message_rate, NULL) : 0;
  if (!(settings->message_rate > 0 && settings->message_rate < 100000))
    settings->message_rate = 0;
  return settings;
}

gboolean
ct_mail_settings_save (CtDb                  *db,
                       const CtMailSettings  *s,
                       GError               **error)
{
  char rate[G_ASCII_DTOSTR_BUF_SIZE] = "";
  char message_rate[G_ASCII_DTOSTR_BUF_SIZE] = "";
  g_autofree char *concurrency = g_strdup_printf ("%u", s->concurrency);
  g_autofree char *batch = s->batch_size > 0 ? g_strdup_printf ("%u", s->batch_size) : NULL;
  g_autofree char *timeout = g_strdup_printf ("%u", s->timeout);

  if (s->unsubscribe_url != NULL && *s->unsubscribe_url != '\0'
      && !g_str_has_prefix (s->unsubscribe_url, "https://"))
    {
      g_set_error_literal (error, CT_MAIL_ERROR, CT_MAIL_ERROR_SETTINGS,
                           _("The unsubscribe URL must start with https:// (one-click unsubscribe needs it)"));
      return FALSE;
    }
  if (!(s->message_rate >= 0 && s->message_rate <= 10000))
    {
      g_set_error (error, CT_MAIL_ERROR, CT_MAIL_ERROR_SETTINGS,
                   _("The sending rate must be between 0 (the provider’s own limit) and 10000 messages per second (it is %g)"),
                   s->message_rate);
      return FALSE;
    }
  if (s->rate > 0)
    g_ascii_dtostr (rate, sizeof rate, s->rate);
  if (s->message_rate > 0)
    g_ascii_dtostr (message_rate, sizeof message_rate, s->message_rate);
  if (!ct_db_begin (db, error))
    return FALSE;
  if (!set_setting (db, "mail.provider", s->configured ? ct_mail_provider_kind_to_name (s->kind) : NULL, error)
      || !set_setting (db, "mail.base_url", s->base_url, error)
      || !set_setting (db, "mail.domain", s->domain, error)
      || !set_setting (db, "mail.stream", s->stream, error)
      || !set_setting (db, "mail.from", s->from, error)
      || !set_setting (db, "mail.reply_to", s->reply_to, error)
      || !set_setting (db, "mail.postal_address", s->postal_address, error)
      || !set_setting (db, "mail.unsubscribe_url", s->unsubscribe_url, error)
      || !set_setting (db, "mail.concurrency", concurrency, error)
      || !set_setting (db, "mail.rate", rate, error)
      || !set_setting (db, "mail.message_rate", message_rate, error)
      || !set_setting (db, "mail.batch_size", batch, error)
      || !set_setting (db, "mail.timeout", timeout, error)
      || !ct_db_commit (db, error))
    {
      ct_db_rollback (db);
      return FALSE;
    }
  ct_db_emit_changed (db, "settings");
  return TRUE;
}

CtMailProvider *
ct_mail_settings_new_provider (const CtMailSettings *settings,
                               const char           *api_key)
{
  CtMailProvider *provider = ct_mail_provider_new (settings->kind, settings->base_url, api_key);

  ct_mail_provider_set_domain (provider, settings->domain);
  ct_mail_provider_set_stream (provider, settings->stream);
  ct_mail_provider_set_timeout (provider, settings->timeout > 0 ? settings->timeout : 30);
  return provider;
}

/* ---- campaigns --------------------------------------------------------- */

static gboolean
check_audience (const char  *audience_json,
                GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;

  if (!json_parser_load_from_data (parser, audience_json, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    goto bad;
  object = json_node_get_object (json_parser_get_root (parser));
  if (json_object_has_member (object, "all")
      && json_object_get_boolean_member_with_default (object, "all", FALSE))
    return TRUE;
  if (json_object_has_member (object, "tag")
      && json_object_get_string_member_with_default (object, "tag", NULL) != NULL)
    return TRUE;
  if (json_object_has_member (object, "segment")
      && json_object_get_int_member_with_default (object, "segment", 0) > 0)
    return TRUE;
bad:
  g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
               _("The audience “%s” is none of {\"all\":true}, {\"tag\":\"NAME\"} and {\"segment\":ID}"),
               audience_json);
  return FALSE;
}

gboolean
ct_outbox_audience_members (CtDb         *db,
                            const char   *audience_json,
                            GHashTable  **out_members,
                            GError      **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(CtSegment) segment = NULL;
  g_autoptr(GArray) ids = NULL;
  GHashTable *members;
  gint64 segment_id;

  *out_members = NULL;
  if (!json_parser_load_from_data (parser, audience_json, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return TRUE;
  segment_id = json_object_get_int_member_with_default (json_node_get_object (json_parser_get_root (parser)),
                                                        "segment", 0);
  if (segment_id <= 0)
    return TRUE;
  segment = ct_segment_lookup (db, segment_id, error);
  if (segment == NULL)
    return FALSE;
  if (segment->rule == NULL)
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   _("The segment “%s” cannot be used: %s"), segment->name,
                   segment->rule_error != NULL ? segment->rule_error : "");
      return FALSE;
    }
  /* The members as of now: the audience is the segment at launch. */
  ids = ct_segment_members (db, segment->rule, 0, error);
  if (ids == NULL)
    return FALSE;
  members = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (guint i = 0; i < ids->len; i++)
    g_hash_table_add (members, g_memdup2 (&g_array_index (ids, gint64, i), sizeof (gint64)));
  *out_members = members;
  return TRUE;
}

static gboolean
is_blank (const char *text)
{
  for (; *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

gint64
ct_campaign_create (CtDb        *db,
                    const char  *name,
                    const char  *subject,
                    const char  *markdown,
                    const char  *from,
                    const char  *audience_json,
                    GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(CtMailContent) content = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *clean_name = g_strstrip (g_strdup (name != NULL ? name : ""));
  int rc;

  if (*clean_name == '\0')
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID, _("A campaign needs a name."));
      return 0;
    }
  if (subject == NULL || is_blank (subject))
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID, _("A campaign needs a subject."));
      return 0;
    }
  if (!g_utf8_validate (markdown, -1, NULL) || !g_utf8_validate (subject, -1, NULL))
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("The subject or the body is not UTF-8 text"));
      return 0;
    }
  /* Merge-field mistakes are caught now, not at sending time. */
  content = ct_mail_content_new (subject, markdown, "", "x", &local);
  if (content == NULL)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID, local->message);
      return 0;
    }
  if (!check_audience (audience_json, error))
    return 0;
  /* A segment audience must name a saved segment whose rule works now;
   * it may still change or go before launch, which checks again. */
  {
    g_autoptr(GHashTable) members = NULL;

    if (!ct_outbox_audience_members (db, audience_json, &members, error))
      return 0;
  }

  stmt = ct_db_prepare (db, "INSERT INTO campaigns (name, subject, body, from_address, audience)"
                            " VALUES (?1, ?2, ?3, ?4, ?5)", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, clean_name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, subject, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, markdown, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, from != NULL ? from : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, audience_json, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT)
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT,
                   _("There is a campaign called “%s” already"), clean_name);
      return 0;
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not add the campaign"));
      return 0;
    }
  ct_db_emit_changed (db, "campaigns");
  return sqlite3_last_insert_rowid (ct_db_get_handle (db));
}

gint64
ct_campaign_find (CtDb        *db,
                  const char  *name,
                  GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, "SELECT id FROM campaigns WHERE name = ?1", error);

  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    return sqlite3_column_int64 (stmt, 0);
  g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND, _("There is no campaign called “%s”"), name);
  return 0;
}

gboolean
ct_campaign_schedule (CtDb    *db,
                      gint64   campaign_id,
                      gint64   at,
                      GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, "UPDATE campaigns SET status = 'scheduled',"
                                                    " scheduled_at = ?2, updated_at = unixepoch()"
                                                    " WHERE id = ?1 AND status IN ('draft','scheduled')",
                                                error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  sqlite3_bind_int64 (stmt, 2, at);
  if (!ct_db_step_done (db, stmt, _("Could not schedule the campaign"), error))
    return FALSE;
  if (sqlite3_changes (ct_db_get_handle (db)) == 0)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("Only a campaign that has not been sent can be scheduled"));
      return FALSE;
    }
  ct_db_emit_changed (db, "campaigns");
  return TRUE;
}

gboolean
ct_campaign_set_preheader (CtDb        *db,
                           gint64       campaign_id,
                           const char  *preheader,
                           GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(CtMailTemplate) check = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *clean = g_strstrip (g_strdup (preheader != NULL ? preheader : ""));

  if (!g_utf8_validate (clean, -1, NULL) || strchr (clean, '\n') != NULL || strchr (clean, '\r') != NULL)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("The preheader must be one line of UTF-8 text"));
      return FALSE;
    }
  /* Merge-field mistakes are caught now, as for the subject. */
  check = ct_mail_template_new (clean, CT_MAIL_TEMPLATE_TEXT, &local);
  if (check == NULL)
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID, _("In the preheader: %s"), local->message);
      return FALSE;
    }
  stmt = ct_db_prepare (db, "UPDATE campaigns SET preheader = ?2, updated_at = unixepoch()"
                            " WHERE id = ?1 AND status IN ('draft','scheduled')", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  if (*clean != '\0')
    sqlite3_bind_text (stmt, 2, clean, -1, SQLITE_STATIC);
  if (!ct_db_step_done (db, stmt, _("Could not save the preheader"), error))
    return FALSE;
  if (sqlite3_changes (ct_db_get_handle (db)) == 0)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("Only a campaign that has not been sent can be changed"));
      return FALSE;
    }
  ct_db_emit_changed (db, "campaigns");
  return TRUE;
}

/* Whether @campaign_id is either subject of an A/B test. */
static gboolean
is_abtest (CtDb   *db,
           gint64  campaign_id)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, "SELECT 1 FROM ab_tests WHERE campaign_id = ?1 OR variant_id = ?1",
                                                NULL);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  return sqlite3_step (stmt) == SQLITE_ROW;
}

static char *
hash_email (const char *email)
{
  g_autofree char *stripped = g_strstrip (g_strdup (email));
  g_autofree char *lower = g_ascii_strdown (stripped, -1);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, lower, -1);
}

gboolean
ct_outbox_launch (CtDb    *db,
                  gint64   campaign_id,
                  gint64  *out_queued,
                  gint64  *out_excluded,
                  GError **error)
{
  g_autoptr(sqlite3_stmt) campaign = NULL;
  g_autoptr(sqlite3_stmt) erased = NULL;
  g_autoptr(sqlite3_stmt) candidates = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(sqlite3_stmt) update = NULL;
  g_autoptr(GHashTable) erased_hashes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *audience = NULL;
  g_autofree char *status = NULL;
  g_autoptr(GHashTable) members = NULL;
  const char *tag = NULL;
  gint64 queued = 0, excluded = 0;
  int rc;

  if (out_queued != NULL)
    *out_queued = 0;
  if (out_excluded != NULL)
    *out_excluded = 0;

  if (!ct_db_begin (db, error))
    return FALSE;

  campaign = ct_db_prepare (db, "SELECT status, audience FROM campaigns WHERE id = ?1", error);
  if (campaign == NULL)
    goto fail;
  sqlite3_bind_int64 (campaign, 1, campaign_id);
  if (sqlite3_step (campaign) != SQLITE_ROW)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND, _("The campaign does not exist"));
      goto fail;
    }
  status = g_strdup ((const char *) sqlite3_column_text (campaign, 0));
  audience = g_strdup ((const char *) sqlite3_column_text (campaign, 1));
  if (g_strcmp0 (status, "draft") != 0 && g_strcmp0 (status, "scheduled") != 0)
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   _("The campaign was launched already (it is “%s”)"), status);
      goto fail;
    }
  /* Either half of an A/B test sent on its own would go to the whole
   * audience, and the other half to the same people after it. */
  if (is_abtest (db, campaign_id))
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("This campaign is part of an A/B test of its subject line: it is sent as the test, first to a share of the audience, never to everyone on its own."));
      goto fail;
    }
  if (json_parser_load_from_data (parser, audience, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    tag = json_object_get_string_member_with_default (json_node_get_object (json_parser_get_root (parser)),
                                                      "tag", NULL);
  /* A segment: its members now, checked row by row below. */
  if (!ct_outbox_audience_members (db, audience, &members, error))
    goto fail;

  /* People who asked to be forgotten: only their address's hash is
   * left, so the check is by hash. */
  erased = ct_db_prepare (db, "SELECT hash FROM erased_emails", error);
  if (erased == NULL)
    goto fail;
  while ((rc = sqlite3_step (erased)) == SQLITE_ROW)
    g_hash_table_add (erased_hashes, g_strdup ((const char *) sqlite3_column_text (erased, 0)));

  candidates = ct_db_prepare (db,
    "SELECT c.id, c.email,"
    "  c.status = 'subscribed' AND s.email IS NULL AND trim(c.email) LIKE '%_@_%'"
    " FROM contacts c LEFT JOIN suppressions s ON s.email = c.email"
    " WHERE c.email IS NOT NULL AND trim(c.email) != ''"
    "   AND (?1 IS NULL OR c.id IN (SELECT ct.contact_id FROM contact_tags ct"
    "                               JOIN tags t ON t.id = ct.tag_id WHERE t.name = ?1))"
    " ORDER BY c.id", error);
  insert = ct_db_prepare (db, "INSERT INTO outbox (campaign_id, contact_id, email, idempotency_key)"
                              " VALUES (?1, ?2, ?3, ?4)", error);
  if (candidates == NULL || insert == NULL)
    goto fail;
  if (tag != NULL)
    sqlite3_bind_text (candidates, 1, tag, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (candidates)) == SQLITE_ROW)
    {
      const char *email = (const char *) sqlite3_column_text (candidates, 1);
      gint64 contact_id = sqlite3_column_int64 (candidates, 0);
      g_autofree char *hash = NULL;
      char *key;

      if (members != NULL && !g_hash_table_contains (members, &contact_id))
        continue;
      if (!sqlite3_column_int (candidates, 2))
        {
          excluded++;
          continue;
        }
      hash = hash_email (email);
      if (g_hash_table_contains (erased_hashes, hash))
        {
          excluded++;
          continue;
        }
      key = g_uuid_string_random ();
      sqlite3_bind_int64 (insert, 1, campaign_id);
      sqlite3_bind_int64 (insert, 2, sqlite3_column_int64 (candidates, 0));
      sqlite3_bind_text (insert, 3, email, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 4, key, -1, g_free);
      rc = sqlite3_step (insert);
      sqlite3_reset (insert);
      if (rc != SQLITE_DONE)
        {
          ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not queue the campaign’s mail"));
          goto fail;
        }
      queued++;
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the campaign’s audience"));
      goto fail;
    }

  update = ct_db_prepare (db, "UPDATE campaigns SET status = ?2, launched_at = unixepoch(),"
                              " finished_at = CASE WHEN ?2 = 'sent' THEN unixepoch() END,"
                              " updated_at = unixepoch() WHERE id = ?1", error);
  if (update == NULL)
    goto fail;
  sqlite3_bind_int64 (update, 1, campaign_id);
  sqlite3_bind_text (update, 2, queued > 0 ? "sending" : "sent", -1, SQLITE_STATIC);
  if (!ct_db_step_done (db, update, _("Could not launch the campaign"), error)
      || !ct_db_commit (db, error))
    goto fail;

  if (out_queued != NULL)
    *out_queued = queued;
  if (out_excluded != NULL)
    *out_excluded = excluded;
  ct_db_emit_changed (db, "campaigns");
  ct_db_emit_changed (db, "outbox");
  return TRUE;

fail:
  ct_db_rollback (db);
  return FALSE;
}

gboolean
ct_outbox_get_counts (CtDb            *db,
                      gint64           campaign_id,
                      CtOutboxCounts  *counts,
                      GError         **error)
{
  g_autoptr(sqlite3_stmt) states = NULL;
  g_autoptr(sqlite3_stmt) events = NULL;
  int rc;

  memset (counts, 0, sizeof *counts);
  states = ct_db_prepare (db, "SELECT state, count(*) FROM outbox WHERE campaign_id = ?1 GROUP BY state", error);
  if (states == NULL)
    return FALSE;
  sqlite3_bind_int64 (states, 1, campaign_id);
  while ((rc = sqlite3_step (states)) == SQLITE_ROW)
    {
      const char *state = (const char *) sqlite3_column_text (states, 0);
      gint64 n = sqlite3_column_int64 (states, 1);

      if (g_str_equal (state, "queued")) counts->queued = n;
      else if (g_str_equal (state, "in_flight")) counts->in_flight = n;
      else if (g_str_equal (state, "sent")) counts->sent = n;
      else if (g_str_equal (state, "rejected")) counts->rejected = n;
      else if (g_str_equal (state, "failed")) counts->failed = n;
      else if (g_str_equal (state, "unknown")) counts->unknown = n;
      else if (g_str_equal (state, "dropped")) counts->dropped = n;
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not count the campaign’s mail"));
      return FALSE;
    }
  events = ct_db_prepare (db, "SELECT e.type, count(*) FROM mail_events e JOIN outbox o ON o.id = e.outbox_id"
                              " WHERE o.campaign_id = ?1 GROUP BY e.type", error);
  if (events == NULL)
    return FALSE;
  sqlite3_bind_int64 (events, 1, campaign_id);
  while ((rc = sqlite3_step (events)) == SQLITE_ROW)
    {
      const char *type = (const char *) sqlite3_column_text (events, 0);
      gint64 n = sqlite3_column_int64 (events, 1);

      if (g_str_equal (type, "delivered")) counts->delivered = n;
      else if (g_str_equal (type, "opened")) counts->opened = n;
      else if (g_str_equal (type, "clicked")) counts->clicked = n;
      else if (g_str_equal (type, "bounced")) counts->bounced = n;
      else if (g_str_equal (type, "complained")) counts->complained = n;
      else if (g_str_equal (type, "unsubscribed")) counts->unsubscribed = n;
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not count the campaign’s mail"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
change_unknown (CtDb        *db,
                gint64       campaign_id,
                const char  *sql,
                gint64      *out_count,
                GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) campaign = NULL;

  if (!ct_db_begin (db, error))
    return FALSE;
  stmt = ct_db_prepare (db, sql, error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  if (!ct_db_step_done (db, stmt, _("Could not change the campaign’s unknown mail"), error))
    goto fail;
  if (out_count != NULL)
    *out_count = sqlite3_changes (ct_db_get_handle (db));
  /* Queued again: the campaign is being sent again. */
  campaign = ct_db_prepare (db, "UPDATE campaigns SET status = 'sending', finished_at = NULL"
                                " WHERE id = ?1 AND EXISTS (SELECT 1 FROM outbox"
                                "   WHERE campaign_id = ?1 AND state = 'queued')", error);
  if (campaign == NULL)
    goto fail;
  sqlite3_bind_int64 (campaign, 1, campaign_id);
  if (!ct_db_step_done (db, campaign, _("Could not change the campaign’s unknown mail"), error)
      || !ct_db_commit (db, error))
    goto fail;
  ct_db_emit_changed (db, "outbox");
  return TRUE;
fail:
  ct_db_rollback (db);
  return FALSE;
}

gboolean
ct_outbox_resend_unknown (CtDb    *db,
                          gint64   campaign_id,
                          gint64  *out_count,
                          GError **error)
{
  return change_unknown (db, campaign_id,
                         "UPDATE outbox SET state = 'queued', attempts = 0, next_attempt_at = 0,"
                         " batch_key = NULL, merge = NULL, error = NULL"
                         " WHERE campaign_id = ?1 AND state = 'unknown'",
                         out_count, error);
}

gboolean
ct_outbox_drop_unknown (CtDb    *db,
                        gint64   campaign_id,
                        gint64  *out_count,
                        GError **error)
{
  return change_unknown (db, campaign_id,
                         "UPDATE outbox SET state = 'dropped', batch_key = NULL, merge = NULL"
                         " WHERE campaign_id = ?1 AND state = 'unknown'",
                         out_count, error);
}

/* ---- sending ----------------------------------------------------------- */

void
ct_outbox_options_init (CtOutboxOptions      *options,
                        const CtMailSettings *settings,
                        CtMailProvider       *provider)
{
  memset (options, 0, sizeof *options);
  options->concurrency = settings != NULL && settings->concurrency > 0 ? settings->concurrency : 4;
  options->rate = settings != NULL && settings->rate > 0
                  ? settings->rate : ct_mail_provider_get_default_rate (provider);
  options->batch_size = settings != NULL ? settings->batch_size : 0;
  options->message_rate = settings != NULL ? settings->message_rate : 0;
  options->max_attempts = 8;
  options->backoff_base_ms = 1000;
  options->backoff_max_ms = 300000;
}

typedef struct
{
  CtMailBatch   *batch;
  CtMailResult  *results;
  guint          n_results;  /* recipients may be taken out of the batch later */
  CtMailContent *content;    /* owned by the campaign cache */
  gboolean       ok;
  GError        *error;
  gboolean       repeat;     /* a request that may have gone out before */
  gint64         not_before; /* monotonic µs */
  /* Read but not claimed yet (claim_read), until claim_mark: */
  GPtrArray     *merges;     /* each row's merge values as JSON, or NULL */
  gint64         first_id;   /* the ids read, all of the campaign's */
  gint64         last_id;    /*   queued and due rows between them */
  gint64         read_at;    /* the time they were due at, in s */
} Job;

static void
job_free (Job *job)
{
  if (job == NULL)
    return;
  for (guint i = 0; job->results != NULL && i < job->n_results; i++)
    ct_mail_result_clear (&job->results[i]);
  g_free (job->results);
  g_clear_pointer (&job->merges, g_ptr_array_unref);
  ct_mail_batch_free (job->batch);
  g_clear_error (&job->error);
  g_free (job);
}

typedef struct
{
  CtDb                  *db;
  CtMailProvider        *provider;
  const CtMailSettings  *settings;
  const CtOutboxOptions *options;
  GCancellable          *cancellable;
  GAsyncQueue           *done;       /* of Job */
  GAsyncQueue           *sessions;   /* of SoupSession */
  GHashTable            *campaigns;  /* id -> Campaign */
  CtOutboxReport        *report;
  gint64                 next_slot;  /* monotonic µs for the rate limit */
  gint64                 paused_until;
  gint64                 total;
  gint64                 done_rows;
  /* Prepared once for the run: a statement per row is cheap once made. */
  sqlite3_stmt          *claim_rows;
  sqlite3_stmt          *claim_mark;
  sqlite3_stmt          *claim_stamp;
  sqlite3_stmt          *claim_row;
  sqlite3_stmt          *record_row;
  sqlite3_stmt          *record_all;
} Sender;

typedef struct
{
  CtMailContent *content;
  char *from;
  char *provider;
  char *mailto;    /* the unsubscribe link without a page or the provider's */
} Campaign;

static void
campaign_free (Campaign *campaign)
{
  ct_mail_content_free (campaign->content);
  g_free (campaign->from);
  g_free (campaign->provider);
  g_free (campaign->mailto);
  g_free (campaign);
}

static void
worker (gpointer data,
        gpointer user_data)
{
  Job *job = data;
  Sender *sender = user_data;
  SoupSession *session = g_async_queue_pop (sender->sessions);

  job->batch->content = job->content;
  job->n_results = job->batch->recipients->len;
  job->results = g_new0 (CtMailResult, job->n_results);
  job->ok = ct_mail_provider_send_batch (sender->provider, session, job->batch, job->results,
                                         sender->cancellable, &job->error);
  g_async_queue_push (sender->sessions, session);
  g_async_queue_push (sender->done, job);
}

static Campaign *
load_campaign (Sender  *sender,
               gint64   campaign_id,
               GError **error)
{
  Campaign *campaign = g_hash_table_lookup (sender->campaigns, &campaign_id);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) local = NULL;
  const char *address;
  gint64 *key;

  if (campaign != NULL)
    return campaign;
  /* Marketing mail must say who sends it: nothing goes out without the
   * postal address (Preferences), whichever path launched it. The rows
   * stay queued and go once it is set. */
  if (sender->settings->postal_address == NULL || is_blank (sender->settings->postal_address))
    {
      g_set_error_literal (error, CT_MAIL_ERROR, CT_MAIL_ERROR_SETTINGS,
                           _("No postal address is set: marketing mail must show one. Add it in Preferences, then send again."));
      return NULL;
    }
  stmt = ct_db_prepare (sender->db, "SELECT subject, body, from_address, provider, preheader FROM campaigns WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND, _("The campaign does not exist"));
      return NULL;
    }
  campaign = g_new0 (Campaign, 1);
  address = sender->settings->postal_address != NULL ? sender->settings->postal_address : "";
  campaign->content = ct_mail_content_new_full ((const char *) sqlite3_column_text (stmt, 0),
                                                (const char *) sqlite3_column_text (stmt, 4),
                                                (const char *) sqlite3_column_text (stmt, 1),
                                                address, _("Unsubscribe"), &local);
  campaign->from = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  campaign->provider = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  if (campaign->from == NULL || *campaign->from == '\0')
    {
      g_free (campaign->from);
      campaign->from = g_strdup (sender->settings->from);
    }
  if (campaign->content == NULL || campaign->from == NULL || *campaign->from == '\0')
    {
      if (local != NULL)
        g_set_error (error, CT_MAIL_ERROR, CT_MAIL_ERROR_SETTINGS, "%s", local->message);
      else
        g_set_error_literal (error, CT_MAIL_ERROR, CT_MAIL_ERROR_SETTINGS,
                             _("The campaign has no sender: set one with --from or in the provider settings"));
      campaign_free (campaign);
      return NULL;
    }
  {
    g_autofree char *sender_address = ct_mail_address_of (campaign->from);
    campaign->mailto = g_strconcat ("mailto:", sender_address, "?subject=unsubscribe", NULL);
  }
  key = g_new (gint64, 1);
  *key = campaign_id;
  g_hash_table_insert (sender->campaigns, key, campaign);
  return campaign;
}

/* Columns 10-12 of the queries contact_values() reads: the contact's
 * tier name and built-in id, and points balance (NULL without a contact). */
#define LOYALTY_COLUMNS \
  "t.name, t.builtin, CASE WHEN c.id IS NULL THEN NULL ELSE coalesce(l.points, 0) END"
#define LOYALTY_JOINS \
  "LEFT JOIN contact_loyalty l ON l.contact_id = c.id" \
  " LEFT JOIN tiers t ON c.id IS NOT NULL AND t.level = coalesce(l.tier_level, 0)"

/* The merge values of a contact (owned strings, NULL where empty). */
static void
contact_values (sqlite3_stmt *row,
                char         *values[CT_MAIL_N_FIELDS])
{
  const char *first = (const char *) sqlite3_column_text (row, 3);
  const char *last = (const char *) sqlite3_column_text (row, 4);

  first = first != NULL ? first : "";
  last = last != NULL ? last : "";
  values[CT_MAIL_FIELD_FIRST_NAME] = g_strdup (first);
  values[CT_MAIL_FIELD_LAST_NAME] = g_strdup (last);
  /* "Ann Lee", but "李娜" (family name first, no space) for names
   * written in Chinese. */
  if (*first != '\0' && *last != '\0')
    values[CT_MAIL_FIELD_NAME] = g_str_is_ascii (first) && g_str_is_ascii (last)
                                 ? g_strdup_printf ("%s %s", first, last)
                                 : g_strconcat (last, first, NULL);
  else
    values[CT_MAIL_FIELD_NAME] = g_strconcat (first, last, NULL);
  values[CT_MAIL_FIELD_EMAIL] = g_strdup ((const char *) sqlite3_column_text (row, 2));
  values[CT_MAIL_FIELD_COMPANY] = g_strdup ((const char *) sqlite3_column_text (row, 5));
  values[CT_MAIL_FIELD_LAST_PRODUCT] = g_strdup ((const char *) sqlite3_column_text (row, 7));

  /* The tier as the app shows it (a default tier's name in the app's
   * language until the user renames it) and the points balance. A
   * contact not placed yet is in the lowest tier, as the tiers page and
   * segments count it. */
  if (sqlite3_column_type (row, 11) != SQLITE_NULL)
    {
      const char *builtin = ct_tier_builtin_label ((const char *) sqlite3_column_text (row, 11));

      values[CT_MAIL_FIELD_TIER] = g_strdup (builtin != NULL ? builtin
                                             : (const char *) sqlite3_column_text (row, 10));
    }
  else
    values[CT_MAIL_FIELD_TIER] = g_strdup ((const char *) sqlite3_column_text (row, 10));
  if (sqlite3_column_type (row, 12) != SQLITE_NULL)
    values[CT_MAIL_FIELD_POINTS] = g_strdup_printf ("%lld", (long long) sqlite3_column_int64 (row, 12));
}

gboolean
ct_outbox_contact_values (CtDb    *db,
                          gint64   contact_id,
                          char    *values[CT_MAIL_N_FIELDS],
                          GError **error)
{
  /* The columns of claim()'s query, so that a preview shows what the
   * recipient will get. */
  g_autoptr(sqlite3_stmt) row = ct_db_prepare (db,
    "SELECT c.id, c.id, c.email, c.first_name, c.last_name, c.company, c.attributes,"
    "  (SELECT p.name FROM purchases pu JOIN products p ON p.id = pu.product_id"
    "   WHERE pu.contact_id = c.id AND pu.refunded = 0"
    "   ORDER BY pu.purchased_at DESC LIMIT 1),"
    "  NULL, NULL, " LOYALTY_COLUMNS
    " FROM contacts c " LOYALTY_JOINS " WHERE c.id = ?1", error);

  memset (values, 0, sizeof (char *) * CT_MAIL_N_FIELDS);
  if (row == NULL)
    return FALSE;
  sqlite3_bind_int64 (row, 1, contact_id);
  if (sqlite3_step (row) != SQLITE_ROW)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND, _("The contact does not exist"));
      return FALSE;
    }
  contact_values (row, values);
  return TRUE;
}

static void
append_json_string (GString    *out,
                    const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = *p;
      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, c);
    }
  g_string_append_c (out, '"');
}

/* The values as a JSON object, stored with the row in flight so that a
 * repeated request renders the same bytes. */
static char *
values_to_json (char * const values[CT_MAIL_N_FIELDS])
{
  GString *out = g_string_new ("{");

  for (guint i = 0; i < CT_MAIL_N_FIELDS; i++)
    if (i != CT_MAIL_FIELD_UNSUBSCRIBE_URL && values[i] != NULL && *values[i] != '\0')
      {
        if (out->len > 1)
          g_string_append_c (out, ',');
        append_json_string (out, ct_mail_field_name (i));
        g_string_append_c (out, ':');
        append_json_string (out, values[i]);
      }
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

static void
json_to_values (const char *merge_json,
                char       *values[CT_MAIL_N_FIELDS])
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;

  if (merge_json == NULL || !json_parser_load_from_data (parser, merge_json, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  object = json_node_get_object (json_parser_get_root (parser));
  for (guint i = 0; i < CT_MAIL_N_FIELDS; i++)
    values[i] = g_strdup (json_object_get_string_member_with_default (object, ct_mail_field_name (i), NULL));
}

/* Fills a recipient from its row's stored merge values and token. */
static CtMailRecipient *
make_recipient (Sender      *sender,
                Campaign    *campaign,
                gint64       outbox_id,
                gint64       contact_id,
                const char  *email,
                const char  *token,
                char        *values[CT_MAIL_N_FIELDS])
{
  CtMailRecipient *r = ct_mail_recipient_new ();
  const char *placeholder = ct_mail_provider_get_unsubscribe_placeholder (sender->provider);
  const char *url = sender->settings->unsubscribe_url;

  r->outbox_id = outbox_id;
  r->contact_id = contact_id;
  r->email = g_strdup (email);
  /* Taken over. */
  for (guint i = 0; i < CT_MAIL_N_FIELDS; i++)
    {
      r->values[i] = values[i];
      values[i] = NULL;
    }
  g_clear_pointer (&r->values[CT_MAIL_FIELD_UNSUBSCRIBE_URL], g_free);
  r->name = g_strdup (r->values[CT_MAIL_FIELD_NAME]);

  /* The unsubscribe link: the owner's HTTPS page with this row's opaque
   * token (also the one-click header), else the provider's own link,
   * else a mail to the sender. */
  if (url != NULL && *url != '\0')
    {
      g_autoptr(GString) with_token = g_string_new (url);

      if (strstr (url, "{token}") != NULL)
        g_string_replace (with_token, "{token}", token, 0);
      else
        g_string_append_printf (with_token, "%stoken=%s", strchr (url, '?') ? "&" : "?", token);
      r->one_click_url = g_strdup (with_token->str);
      r->values[CT_MAIL_FIELD_UNSUBSCRIBE_URL] = g_strdup (with_token->str);
    }
  else if (placeholder != NULL)
    r->values[CT_MAIL_FIELD_UNSUBSCRIBE_URL] = g_strdup (placeholder);
  else
    r->values[CT_MAIL_FIELD_UNSUBSCRIBE_URL] = g_strdup (campaign->mailto);
  return r;
}

static Job *
new_job (Sender     *sender,
         Campaign   *campaign,
         gint64      campaign_id,
         const char *batch_key)
{
  Job *job = g_new0 (Job, 1);

  job->batch = ct_mail_batch_new ();
  job->batch->campaign_id = campaign_id;
  job->batch->from = g_strdup (campaign->from);
  job->batch->reply_to = sender->settings->reply_to != NULL && *sender->settings->reply_to != '\0'
                         ? g_strdup (sender->settings->reply_to) : NULL;
  job->batch->idempotency_key = g_strdup (batch_key);
  job->content = campaign->content;
  return job;
}

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* Reads the next batch of @campaign_id: its first queued and due rows in
 * id order, with their merge values, into a job; writes nothing. NULL
 * (no error) when nothing is due. claim_mark() claims them.
 *
 * Read inside claim()'s transaction, or ahead of time, outside of any,
 * while every request slot is busy: then the rows may change before
 * they are claimed, which claim_mark() finds. */
static Job *
claim_read (Sender  *sender,
            gint64   campaign_id,
            GError **error)
{
  sqlite3_stmt *rows;
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *batch_key = g_strdup_printf ("ct-%lld-%s", (long long) campaign_id, uuid);
  Campaign *campaign;
  Job *job = NULL;
  guint limit = ct_mail_provider_get_max_batch (sender->provider);
  gsize max_bytes = ct_mail_provider_get_max_batch_bytes (sender->provider);
  gsize per_message;
  gboolean idempotent = ct_mail_provider_is_idempotent (sender->provider);
  gint64 now = now_s ();
  int rc;

  campaign = load_campaign (sender, campaign_id, error);
  if (campaign == NULL)
    return NULL;
  if (sender->options->batch_size > 0)
    limit = MIN (limit, sender->options->batch_size);
  /* A rough size per message (the rendered parts plus the envelope), so
   * that a long newsletter does not make a request over the limit. */
  {
    g_autofree char *html = ct_mail_template_render (campaign->content->html, NULL);
    g_autofree char *text = ct_mail_template_render (campaign->content->text, NULL);
    per_message = strlen (html) + strlen (text) + 1024;
    limit = MAX (1, MIN (limit, max_bytes / per_message));
  }

  /* Prepared once for the run (the query's joins make it costly to
   * prepare), reset after each use. */
  if (sender->claim_rows == NULL)
    sender->claim_rows = ct_db_prepare (sender->db,
    "SELECT o.id, o.contact_id, o.email, c.first_name, c.last_name, c.company, c.attributes,"
    "  (SELECT p.name FROM purchases pu JOIN products p ON p.id = pu.product_id"
    "   WHERE pu.contact_id = o.contact_id AND pu.refunded = 0"
    "   ORDER BY pu.purchased_at DESC LIMIT 1),"
    "  o.idempotency_key, o.attempts, " LOYALTY_COLUMNS
    " FROM outbox o LEFT JOIN contacts c ON c.id = o.contact_id " LOYALTY_JOINS
    " WHERE o.campaign_id = ?1 AND o.state = 'queued' AND o.next_attempt_at <= ?2"
    " ORDER BY o.id LIMIT ?3", error);
  rows = sender->claim_rows;
  if (rows == NULL)
    return NULL;
  sqlite3_bind_int64 (rows, 1, campaign_id);
  sqlite3_bind_int64 (rows, 2, now);
  sqlite3_bind_int64 (rows, 3, limit);
  while ((rc = sqlite3_step (rows)) == SQLITE_ROW)
    {
      char *values[CT_MAIL_N_FIELDS] = { NULL };
      gint64 id = sqlite3_column_int64 (rows, 0);
      CtMailRecipient *r;

      contact_values (rows, values);
      if (job == NULL)
        {
          job = new_job (sender, campaign, campaign_id, batch_key);
          job->first_id = id;
          job->read_at = now;
          /* Kept only where a repeat can be answered from the
           * provider's idempotency store; elsewhere a row in flight
           * after a kill becomes unknown and is never rendered again.
           * A JSON object per recipient. */
          if (idempotent)
            job->merges = g_ptr_array_new_with_free_func (g_free);
        }
      if (job->merges != NULL)
        g_ptr_array_add (job->merges, values_to_json (values));
      job->last_id = id;
      r = make_recipient (sender, campaign, id, sqlite3_column_int64 (rows, 1),
                          (const char *) sqlite3_column_text (rows, 2),
                          (const char *) sqlite3_column_text (rows, 8), values);
      r->attempts = sqlite3_column_int64 (rows, 9) + 1;
      g_ptr_array_add (job->batch->recipients, r);
    }
  sqlite3_reset (rows);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (sender->db), rc, _("Could not read the mail to send"));
      job_free (job);
      return NULL;
    }
  return job;
}

/* Marks the rows of @job in flight with its request key (and, where the
 * provider keeps idempotency keys, their merge values), in the caller's
 * transaction. FALSE with *@lost set and no error when a row is no
 * longer queued and due as it was read (another run took it, its
 * contact was erased); FALSE with @error when SQLite fails.
 *
 * The writes are per batch, not per row, where they can be: one UPDATE
 * marks the batch in flight; with idempotency keys, one write per row
 * stores its merge values too. */
static gboolean
claim_mark (Sender   *sender,
            Job      *job,
            gboolean *lost,
            GError  **error)
{
  sqlite3_stmt *mark, *stamp;
  const char *batch_key = job->batch->idempotency_key;
  gint64 campaign_id = job->batch->campaign_id;
  gint64 now = now_s ();
  guint n = job->batch->recipients->len;
  gboolean ok = FALSE;

  *lost = FALSE;
  if (sender->claim_mark == NULL)
    sender->claim_mark = ct_db_prepare (sender->db,
    "UPDATE OR ROLLBACK outbox SET state = 'in_flight', batch_key = ?2, claimed_at = ?3,"
    " attempts = attempts + 1"
    " WHERE campaign_id = ?1 AND state = 'queued' AND next_attempt_at <= ?6"
    " AND id BETWEEN ?4 AND ?5", error);
  if (sender->claim_stamp == NULL)
    sender->claim_stamp = ct_db_prepare (sender->db,
    "UPDATE campaigns SET provider = ?2 WHERE id = ?1 AND provider IS NULL", error);
  mark = sender->claim_mark;
  stamp = sender->claim_stamp;
  if (mark == NULL || stamp == NULL)
    return FALSE;

  if (job->merges != NULL)
    {
      /* Marked in flight with its merge values in one write per row
       * rather than a write of the range and another of each row. */
      if (sender->claim_row == NULL
          && (sender->claim_row = ct_db_prepare (sender->db,
                "UPDATE OR ROLLBACK outbox SET state = 'in_flight', batch_key = ?2, claimed_at = ?3,"
                " attempts = attempts + 1, merge = ?4"
                " WHERE id = ?1 AND state = 'queued' AND next_attempt_at <= ?5", error)) == NULL)
        return FALSE;
      for (guint i = 0; i < n; i++)
        {
          const CtMailRecipient *r = g_ptr_array_index (job->batch->recipients, i);
          gboolean done;

          sqlite3_bind_int64 (sender->claim_row, 1, r->outbox_id);
          sqlite3_bind_text (sender->claim_row, 2, batch_key, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (sender->claim_row, 3, now);
          sqlite3_bind_text (sender->claim_row, 4, g_ptr_array_index (job->merges, i), -1, SQLITE_STATIC);
          sqlite3_bind_int64 (sender->claim_row, 5, job->read_at);
          done = ct_db_step_done (sender->db, sender->claim_row, _("Could not claim mail to send"), error);
          sqlite3_reset (sender->claim_row);
          if (!done)
            return FALSE;
          if (sqlite3_changes (ct_db_get_handle (sender->db)) != 1)
            {
              *lost = TRUE;
              return FALSE;
            }
        }
    }
  else
    {
      /* The rows read are the first queued and due rows of the campaign
       * in id order: unless something changed since, they are exactly
       * its queued rows due then from the first id read to the last. */
      sqlite3_bind_int64 (mark, 1, campaign_id);
      sqlite3_bind_text (mark, 2, batch_key, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (mark, 3, now);
      sqlite3_bind_int64 (mark, 4, job->first_id);
      sqlite3_bind_int64 (mark, 5, job->last_id);
      sqlite3_bind_int64 (mark, 6, job->read_at);
      ok = ct_db_step_done (sender->db, mark, _("Could not claim mail to send"), error);
      sqlite3_reset (mark);
      if (!ok)
        return FALSE;
      if ((guint) sqlite3_changes (ct_db_get_handle (sender->db)) != n)
        {
          *lost = TRUE;
          return FALSE;
        }
    }

  sqlite3_bind_int64 (stamp, 1, campaign_id);
  sqlite3_bind_text (stamp, 2, ct_mail_provider_kind_to_name (ct_mail_provider_get_kind (sender->provider)),
                     -1, SQLITE_STATIC);
  ok = ct_db_step_done (sender->db, stamp, _("Could not claim mail to send"), error);
  sqlite3_reset (stamp);
  g_clear_pointer (&job->merges, g_ptr_array_unref);
  return ok;
}

/* Claims the next batch of @campaign_id: reads it and marks its rows in
 * flight in one transaction, and commits. NULL (no error) when nothing
 * is due. */
static Job *
claim (Sender  *sender,
       gint64   campaign_id,
       GError **error)
{
  Job *job;
  gboolean lost = FALSE;

  if (!ct_db_begin (sender->db, error))
    return NULL;
  job = claim_read (sender, campaign_id, error);
  if (job == NULL)
    {
      ct_db_rollback (sender->db);
      return NULL;
    }
  if (!claim_mark (sender, job, &lost, error) || !ct_db_commit (sender->db, error))
    {
      /* Read in this very transaction: nothing can have changed. */
      if (lost && error != NULL && *error == NULL)
        g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_FAILED, _("Could not claim mail to send"));
      ct_db_rollback (sender->db);
      job_free (job);
      return NULL;
    }
  return job;
}

/* Claims a batch read ahead by claim_read(). NULL when its rows changed
 * meanwhile (no error: the caller claims afresh) or on @error. @job is
 * freed then. */
static Job *
claim_ahead (Sender  *sender,
             Job     *job,
             GError **error)
{
  gboolean lost = FALSE;

  if (ct_db_begin (sender->db, error))
    {
      if (claim_mark (sender, job, &lost, error) && ct_db_commit (sender->db, error))
        return job;
      ct_db_rollback (sender->db);
    }
  job_free (job);
  return NULL;
}

static gint64
backoff_ms (const CtOutboxOptions *options,
            gint64                 attempts)
{
  gint64 ceiling = options->backoff_base_ms;

  for (gint64 i = 1; i < attempts && ceiling < options->backoff_max_ms; i++)
    ceiling *= 2;
  ceiling = MIN (ceiling, (gint64) options->backoff_max_ms);
  /* Half fixed, half random: retries of many clients spread out. */
  return ceiling / 2 + g_random_int_range (0, (gint32) MAX (ceiling / 2, 1));
}

/* Writes the outcome of @job, a row at a time with one prepared
 * statement: by row id, with no statement journal and nothing to build
 * or parse in between. In the caller's transaction, which it rolls back
 * on failure. A job to be repeated as it is (same key, same rows) is
 * returned in *out_repeat with its time. */
static gboolean
record (Sender  *sender,
        Job     *job,
        Job    **out_repeat,
        GError **error)
{
  sqlite3_stmt *update;
  gboolean ok;
  guint n = job->batch->recipients->len;
  gint64 repeat_delay = 0;
  gboolean repeat = FALSE;
  guint max_attempts = MAX (sender->options->max_attempts, 1);
  gint64 now = now_s ();
  gint64 backoff = -1;

  *out_repeat = NULL;
  if (sender->record_row == NULL)
    {
      /* OR ROLLBACK: a failed row ends the transaction, which is rolled
       * back anyway, so SQLite keeps no statement journal. */
      sender->record_row = ct_db_prepare (sender->db,
        "UPDATE OR ROLLBACK outbox SET state = ?2, provider_message_id = coalesce(?3, provider_message_id),"
        " error = ?4, next_attempt_at = ?5, sent_at = CASE WHEN ?2 = 'sent' THEN ?7 END,"
        " batch_key = CASE WHEN ?2 = 'in_flight' THEN batch_key END,"
        " merge = CASE WHEN ?2 = 'in_flight' THEN merge END,"
        " attempts = attempts - ?6"
        " WHERE id = ?1", error);
      if (sender->record_row == NULL)
        return FALSE;
    }
  update = sender->record_row;

  /* Every recipient accepted alike (one message id for the request, as
   * SendGrid and Mailgun answer): one write for the batch, a third
   * cheaper than a write per row. Its rows are those still in flight
   * with its key. */
  if (job->ok && n > 0 && !job->repeat)
    {
      gboolean alike = TRUE;
      gint64 lowest = G_MAXINT64, highest = 0;

      for (guint i = 0; i < n && alike; i++)
        {
          const CtMailRecipient *r = g_ptr_array_index (job->batch->recipients, i);

          alike = job->results[i].outcome == CT_MAIL_OUTCOME_SENT
                  && g_strcmp0 (job->results[i].message_id, job->results[0].message_id) == 0
                  && g_strcmp0 (job->results[i].reason, job->results[0].reason) == 0;
          lowest = MIN (lowest, r->outbox_id);
          highest = MAX (highest, r->outbox_id);
        }
      if (alike)
        {
          if (sender->record_all == NULL
              && (sender->record_all = ct_db_prepare (sender->db,
                    "UPDATE OR ROLLBACK outbox SET state = 'sent',"
                    " provider_message_id = coalesce(?3, provider_message_id), error = ?4,"
                    " next_attempt_at = 0, sent_at = ?5, batch_key = NULL, merge = NULL"
                    " WHERE campaign_id = ?1 AND state = 'in_flight' AND batch_key = ?2"
                    " AND id BETWEEN ?6 AND ?7", error)) == NULL)
            return FALSE;
          sqlite3_bind_int64 (sender->record_all, 1, job->batch->campaign_id);
          sqlite3_bind_text (sender->record_all, 2, job->batch->idempotency_key, -1, SQLITE_STATIC);
          if (job->results[0].message_id != NULL)
            sqlite3_bind_text (sender->record_all, 3, job->results[0].message_id, -1, SQLITE_STATIC);
          else
            sqlite3_bind_null (sender->record_all, 3);
          if (job->results[0].reason != NULL)
            sqlite3_bind_text (sender->record_all, 4, job->results[0].reason, -1, SQLITE_STATIC);
          else
            sqlite3_bind_null (sender->record_all, 4);
          sqlite3_bind_int64 (sender->record_all, 5, now);
          sqlite3_bind_int64 (sender->record_all, 6, lowest);
          sqlite3_bind_int64 (sender->record_all, 7, highest);
          ok = ct_db_step_done (sender->db, sender->record_all, _("Could not record what was sent"), error);
          sqlite3_reset (sender->record_all);
          if (!ok)
            return FALSE;
          sender->report->sent += n;
          sender->report->requests++;
          return TRUE;
        }
    }

  for (guint i = 0; i < n; i++)
    {
      const CtMailRecipient *r = g_ptr_array_index (job->batch->recipients, i);
      const CtMailResult *result = job->ok ? &job->results[i] : NULL;
      const char *state;
      const char *reason = NULL;
      gint64 next = 0;
      gint64 tries;
      gint uncount = 0;

      tries = r->attempts;

      if (result == NULL)
        {
          /* Refused as a whole (key, sender, domain): nothing was sent.
           * A request that may have gone out before stays in flight for
           * the next run to reconcile; the others are queued again, the
           * attempt not counted. */
          state = job->repeat ? "in_flight" : "queued";
          reason = job->error->message;
          uncount = job->repeat ? 0 : 1;
        }
      else
        switch (result->outcome)
          {
          case CT_MAIL_OUTCOME_SENT:
            state = "sent";
            reason = result->reason;
            sender->report->sent++;
            break;
          case CT_MAIL_OUTCOME_REJECTED:
            state = "rejected";
            reason = result->reason;
            sender->report->rejected++;
            break;
          case CT_MAIL_OUTCOME_RETRY:
            reason = result->reason;
            if (tries >= max_attempts)
              {
                state = "failed";
                sender->report->failed++;
              }
            else
              {
                gint64 delay;

                /* One back-off for the whole request, so that its
                 * recipients come due together and go in one request
                 * again. */
                if (backoff < 0)
                  backoff = backoff_ms (sender->options, tries);
                delay = result->retry_after_ms > 0 ? result->retry_after_ms : backoff;
                state = "queued";
                next = now + (delay + 999) / 1000;
                repeat_delay = MAX (repeat_delay, result->retry_after_ms);
              }
            break;
          case CT_MAIL_OUTCOME_RETRY_SAME:
            reason = result->reason;
            if (tries >= max_attempts)
              {
                state = "unknown";
                sender->report->unknown++;
              }
            else
              {
                state = "in_flight";
                repeat = TRUE;
                /* The repeat is one more attempt. */
                uncount = -1;
                ((CtMailRecipient *) r)->attempts++;
                if (backoff < 0)
                  backoff = backoff_ms (sender->options, tries);
                repeat_delay = MAX (repeat_delay, result->retry_after_ms > 0
                                                  ? result->retry_after_ms : backoff);
              }
            break;
          case CT_MAIL_OUTCOME_UNKNOWN:
          default:
            state = "unknown";
            reason = result->reason;
            sender->report->unknown++;
            break;
          }

      sqlite3_bind_int64 (update, 1, r->outbox_id);
      sqlite3_bind_text (update, 2, state, -1, SQLITE_STATIC);
      if (result != NULL && result->message_id != NULL)
        sqlite3_bind_text (update, 3, result->message_id, -1, SQLITE_STATIC);
      else
        sqlite3_bind_null (update, 3);
      if (reason != NULL)
        sqlite3_bind_text (update, 4, reason, -1, SQLITE_STATIC);
      else
        sqlite3_bind_null (update, 4);
      sqlite3_bind_int64 (update, 5, next);
      sqlite3_bind_int (update, 6, uncount);
      sqlite3_bind_int64 (update, 7, now);
      /* A row may be gone by now (its contact erased meanwhile): nothing
       * is left of it to record. */
      ok = ct_db_step_done (sender->db, update, _("Could not record what was sent"), error);
      sqlite3_reset (update);
      if (!ok)
        return FALSE;
    }

  sender->report->requests++;
  if (repeat)
    {
      /* The rows still in flight go again together, with the same key. */
      Job *again = g_new0 (Job, 1);
      guint k = 0;

      again->batch = ct_mail_batch_new ();
      again->batch->campaign_id = job->batch->campaign_id;
      again->batch->from = g_strdup (job->batch->from);
      again->batch->reply_to = g_strdup (job->batch->reply_to);
      again->batch->idempotency_key = g_strdup (job->batch->idempotency_key);
      again->content = job->content;
      again->repeat = TRUE;
      for (guint i = 0; i < n; i++)
        if (job->results != NULL && job->results[i].outcome == CT_MAIL_OUTCOME_RETRY_SAME)
          {
            g_ptr_array_add (again->batch->recipients, g_ptr_array_steal_index (job->batch->recipients, i - k));
            k++;
          }
      if (again->batch->recipients->len == 0)
        job_free (again);
      else
        {
          again->not_before = g_get_monotonic_time () + repeat_delay * 1000;
          *out_repeat = again;
        }
    }
  return TRUE;
}

/* Rows a killed run left in flight, grouped by request. */
static gboolean
reconcile (Sender  *sender,
           gint64   campaign_id,
           GQueue  *repeats,
           GError **error)
{
  g_autoptr(sqlite3_stmt) rows = NULL;
  g_autoptr(sqlite3_stmt) unknown = NULL;
  const char *kind = ct_mail_provider_kind_to_name (ct_mail_provider_get_kind (sender->provider));
  gint64 ttl = ct_mail_provider_get_idempotency_ttl (sender->provider);
  gboolean idempotent = ct_mail_provider_is_idempotent (sender->provider);
  Job *job = NULL;
  int rc;

  rows = ct_db_prepare (sender->db,
    "SELECT o.id, o.contact_id, o.email, o.idempotency_key, o.merge, o.batch_key, o.claimed_at,"
    "  o.campaign_id, c.provider, o.attempts"
    " FROM outbox o JOIN campaigns c ON c.id = o.campaign_id"
    " WHERE o.state = 'in_flight' AND (?1 = 0 OR o.campaign_id = ?1)"
    " ORDER BY o.batch_key, o.id", error);
  unknown = ct_db_prepare (sender->db,
    "UPDATE outbox SET state = 'unknown', batch_key = NULL, merge = NULL, error = ?2 WHERE id = ?1",
    error);
  if (rows == NULL || unknown == NULL)
    return FALSE;
  sqlite3_bind_int64 (rows, 1, campaign_id);

  if (!ct_db_begin (sender->db, error))
    return FALSE;
  while ((rc = sqlite3_step (rows)) == SQLITE_ROW)
    {
      const char *batch_key = (const char *) sqlite3_column_text (rows, 5);
      gint64 claimed_at = sqlite3_column_int64 (rows, 6);
      gint64 row_campaign = sqlite3_column_int64 (rows, 7);
      const char *provider = (const char *) sqlite3_column_text (rows, 8);
      Campaign *campaign;

      sender->report->reconciled++;
      if (!idempotent || g_strcmp0 (provider, kind) != 0 || batch_key == NULL
          || claimed_at + ttl < now_s ())
        {
          sqlite3_bind_int64 (unknown, 1, sqlite3_column_int64 (rows, 0));
          sqlite3_bind_text (unknown, 2,
                             _("Sending was interrupted after the request left; the provider cannot say whether it was sent"),
                             -1, SQLITE_TRANSIENT);
          rc = sqlite3_step (unknown);
          sqlite3_reset (unknown);
          if (rc != SQLITE_DONE)
            {
              ct_db_set_error (error, ct_db_get_handle (sender->db), rc, _("Could not record what was sent"));
              goto fail;
            }
          sender->report->unknown++;
          continue;
        }

      campaign = load_campaign (sender, row_campaign, error);
      if (campaign == NULL)
        goto fail;
      if (job == NULL || g_strcmp0 (job->batch->idempotency_key, batch_key) != 0)
        {
          if (job != NULL)
            g_queue_push_tail (repeats, job);
          job = new_job (sender, campaign, row_campaign, batch_key);
          job->repeat = TRUE;
        }
      {
        char *values[CT_MAIL_N_FIELDS] = { NULL };
        CtMailRecipient *r;

        json_to_values ((const char *) sqlite3_column_text (rows, 4), values);
        r = make_recipient (sender, campaign, sqlite3_column_int64 (rows, 0),
                            sqlite3_column_int64 (rows, 1),
                            (const char *) sqlite3_column_text (rows, 2),
                            (const char *) sqlite3_column_text (rows, 3), values);
        r->attempts = sqlite3_column_int64 (rows, 9);
        g_ptr_array_add (job->batch->recipients, r);
      }
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (sender->db), rc, _("Could not read the mail in flight"));
      goto fail;
    }
  if (job != NULL)
    g_queue_push_tail (repeats, g_steal_pointer (&job));
  return ct_db_commit (sender->db, error);

fail:
  job_free (job);
  ct_db_rollback (sender->db);
  return FALSE;
}

/* The campaigns with rows to send, and those whose last row is done. */
static GArray *
active_campaigns (Sender  *sender,
                  gint64   campaign_id,
                  GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  stmt = ct_db_prepare (sender->db,
    "SELECT id FROM campaigns WHERE status = 'sending' AND paused_at IS NULL"
    " AND (?1 = 0 OR id = ?1) ORDER BY id", error);
  if (stmt == NULL)
    {
      g_array_unref (ids);
      return NULL;
    }
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  return ids;
}

static gboolean
finish_campaigns (Sender  *sender,
                  gint64   campaign_id,
                  GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (sender->db,
    "UPDATE campaigns SET status = 'sent', finished_at = unixepoch(), updated_at = unixepoch()"
    " WHERE status = 'sending' AND (?1 = 0 OR id = ?1)"
    " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.campaign_id = campaigns.id"
    "                 AND o.state = 'queued')"
    " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.campaign_id = campaigns.id"
    "                 AND o.state = 'in_flight')", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  if (!ct_db_step_done (sender->db, stmt, _("Could not finish the campaign"), error))
    return FALSE;
  ct_db_emit_changed (sender->db, "campaigns");
  return TRUE;
}

/* The earliest time a queued row is due, or 0 when none is queued. */
static gint64
next_due (Sender *sender,
          gint64  campaign_id)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (sender->db,
    "SELECT min(o.next_attempt_at) FROM outbox o JOIN campaigns c ON c.id = o.campaign_id"
    " WHERE o.state = 'queued' AND c.status = 'sending' AND c.paused_at IS NULL"
    " AND (?1 = 0 OR o.campaign_id = ?1)", NULL);

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    return MAX (sqlite3_column_int64 (stmt, 0), 1);
  return 0;
}

static gint64
count_left (CtDb   *db,
            gint64  campaign_id)
{
  /* A term per state, each read off its partial index. */
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db,
    "SELECT (SELECT count(*) FROM outbox o JOIN campaigns c ON c.id = o.campaign_id"
    "        WHERE o.state = 'queued' AND c.status = 'sending' AND c.paused_at IS NULL"
    "        AND (?1 = 0 OR o.campaign_id = ?1))"
    "     + (SELECT count(*) FROM outbox o JOIN campaigns c ON c.id = o.campaign_id"
    "        WHERE o.state = 'in_flight' AND c.status = 'sending' AND c.paused_at IS NULL"
    "        AND (?1 = 0 OR o.campaign_id = ?1))", NULL);

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  return sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
}

static int
compare_jobs (gconstpointer a,
              gconstpointer b,
              gpointer      data)
{
  const Job *x = a, *y = b;
  return x->not_before < y->not_before ? -1 : x->not_before > y->not_before;
}

gboolean
ct_outbox_send (CtDb                  *db,
                CtMailProvider        *provider,
                const CtMailSettings  *settings,
                const CtOutboxOptions *options,
                gint64                 campaign_id,
                CtOutboxReport        *report,
                GCancellable          *cancellable,
                GError               **error)
{
  Sender sender = { 0 };
  CtOutboxReport local_report = { 0 };
  /* Each claim and record commits: the one that crosses SQLite's
   * threshold would copy the log back into the file and wait for its
   * fsync (50 ms on the first claim after a launch) while the providers
   * wait for the next request. */
  g_autoptr(CtDbCheckpointer) checkpointer = ct_db_checkpointer_start (db);
  GQueue repeats = G_QUEUE_INIT;   /* Jobs to send again as they are, by time */
  GQueue finished = G_QUEUE_INIT;  /* Jobs back from the provider, to record */
  Job *ahead = NULL;               /* The next batch, read but not claimed yet */
  GThreadPool *pool = NULL;
  GError *stop = NULL;
  guint in_flight = 0;
  guint concurrency = MAX (options->concurrency, 1);
  gint64 interval = (gint64) (G_USEC_PER_SEC / (options->rate > 0 ? options->rate : 1));
  gboolean ok = TRUE;
  guint next_campaign = 0;

  sender.db = db;
  sender.provider = provider;
  sender.settings = settings;
  sender.options = options;
  sender.cancellable = cancellable;
  sender.report = report != NULL ? report : &local_report;
  memset (sender.report, 0, sizeof *sender.report);
  sender.done = g_async_queue_new ();
  sender.sessions = g_async_queue_new_full (g_object_unref);
  sender.campaigns = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                            (GDestroyNotify) campaign_free);
  for (guint i = 0; i < concurrency; i++)
    g_async_queue_push (sender.sessions, ct_mail_provider_new_session (provider));

  if (!reconcile (&sender, campaign_id, &repeats, &stop))
    goto out;
  sender.total = count_left (db, campaign_id);

  pool = g_thread_pool_new (worker, &sender, concurrency, TRUE, NULL);

  for (;;)
    {
      gint64 now = g_get_monotonic_time ();
      gboolean stopping = stop != NULL || g_cancellable_is_cancelled (cancellable);
      gint64 wake = 0;   /* monotonic µs to wake for more work; 0: none */

      /* Start as many requests as the concurrency, the rate and the
       * provider's pause allow. */
      while (!stopping && in_flight < concurrency)
        {
          Job *job = NULL;
          gint64 start = MAX (sender.next_slot, sender.paused_until);

          if (start > now)
            {
              wake = start;
              break;
            }
          if (!g_queue_is_empty (&repeats)
              && ((Job *) g_queue_peek_head (&repeats))->not_before <= now)
            job = g_queue_pop_head (&repeats);
          else
            {
              g_autoptr(GArray) ids = active_campaigns (&sender, campaign_id, &stop);

              if (ids == NULL)
                break;
              /* The batch read while every slot was busy, if its
               * campaign is still sending and its rows still queued:
               * only the marking is left to do now. */
              if (ahead != NULL)
                {
                  gboolean active = FALSE;
                  guint k;

                  for (k = 0; k < ids->len && !active; k++)
                    active = g_array_index (ids, gint64, k) == ahead->batch->campaign_id;
                  if (active)
                    {
                      next_campaign = k % ids->len;   /* the one after it */
                      job = claim_ahead (&sender, g_steal_pointer (&ahead), &stop);
                    }
                  else
                    g_clear_pointer (&ahead, job_free);
                  if (stop != NULL)
                    break;
                }
              /* Campaigns take turns, a batch each. */
              for (guint k = 0; k < ids->len && job == NULL; k++)
                {
                  gint64 id = g_array_index (ids, gint64, (next_campaign + k) % ids->len);

                  job = claim (&sender, id, &stop);
                  if (stop != NULL)
                    break;
                  if (job != NULL)
                    next_campaign = (next_campaign + k + 1) % ids->len;
                }
              if (stop != NULL)
                break;
            }
          if (job == NULL)
            break;
          /* The owner's messages-per-second limit spaces requests by
           * their size too: a batch of 50 at 10/s takes 5 s of budget. */
          sender.next_slot = MAX (sender.next_slot, now)
                             + MAX (interval, options->message_rate > 0
                                              ? (gint64) ((double) job->batch->recipients->len * G_USEC_PER_SEC
                                                          / options->message_rate)
                                              : 0);
          in_flight++;
          g_thread_pool_push (pool, job, NULL);
        }

      /* With every slot busy, the next batch is read now rather than
       * when a slot frees, so that the slot then waits only for its
       * marking. */
      if (!stopping && ahead == NULL && in_flight == concurrency)
        {
          g_autoptr(GArray) ids = active_campaigns (&sender, campaign_id, &stop);

          if (ids != NULL && ids->len > 0)
            {
              gint64 id = g_array_index (ids, gint64, next_campaign % ids->len);

              ahead = claim_read (&sender, id, &stop);
            }
        }

      /* The requests that came back, recorded only now: a free slot is
       * given its next request first, so that it does not wait for the
       * writing. Their rows stay in flight meanwhile and are not claimed
       * again. */
      if (!g_queue_is_empty (&finished))
        {
          GQueue again = G_QUEUE_INIT;
          GError **failure = stop != NULL ? NULL : &stop;
          gboolean written = ct_db_begin (db, failure);
          Job *job;

          /* Those back together are written in one transaction. */
          for (GList *l = finished.head; written && l != NULL; l = l->next)
            {
              Job *repeat = NULL;

              written = record (&sender, l->data, &repeat, failure);
              if (repeat != NULL)
                g_queue_push_tail (&again, repeat);
            }
          written = written && ct_db_commit (db, failure);
          if (!written)
            {
              ct_db_rollback (db);
              if (stop == NULL)
                stop = g_error_new_literal (CT_DB_ERROR, CT_DB_ERROR_FAILED, _("Could not record what was sent"));
            }
          while ((job = g_queue_pop_head (&again)) != NULL)
            {
              if (stop != NULL || g_cancellable_is_cancelled (cancellable))
                job_free (job);   /* stays in flight: the next run reconciles it */
              else
                g_queue_insert_sorted (&repeats, job, compare_jobs, NULL);
            }
          while ((job = g_queue_pop_head (&finished)) != NULL)
            {
              sender.done_rows += job->batch->recipients->len;
              job_free (job);
              if (options->progress != NULL)
                options->progress (sender.report->sent + sender.report->rejected
                                   + sender.report->failed + sender.report->unknown,
                                   sender.total, options->progress_data);
            }
          continue;
        }

      if (in_flight == 0)
        {
          gint64 due;

          if (stopping)
            break;
          if (!g_queue_is_empty (&repeats))
            wake = wake != 0 ? MIN (wake, ((Job *) g_queue_peek_head (&repeats))->not_before)
                             : ((Job *) g_queue_peek_head (&repeats))->not_before;
          else if ((due = next_due (&sender, campaign_id)) != 0)
            {
              gint64 at = now + MAX (due - now_s (), 0) * G_USEC_PER_SEC;
              wake = wake != 0 ? MIN (wake, at) : at;
            }
          else if (wake == 0)
            break;   /* nothing left */
          /* Sleep until then, waking for a cancel. */
          while (g_get_monotonic_time () < wake && !g_cancellable_is_cancelled (cancellable))
            g_usleep (MIN (wake - g_get_monotonic_time (), 50000));
          continue;
        }

      {
        gint64 timeout = wake != 0 ? MAX (wake - g_get_monotonic_time (), 1000) : 200000;
        Job *job = g_async_queue_timeout_pop (sender.done, timeout);

        /* This one and any other back by now. */
        for (; job != NULL; job = g_async_queue_try_pop (sender.done))
          {
            in_flight--;
            if (!job->ok && stop == NULL)
              stop = g_error_copy (job->error);
            /* A 429 anywhere slows everyone: the limit is the account's. */
            if (job->ok && job->batch->recipients->len > 0
                && job->results[0].retry_after_ms > 0)
              sender.paused_until = MAX (sender.paused_until,
                                         g_get_monotonic_time () + job->results[0].retry_after_ms * 1000);
            g_queue_push_tail (&finished, job);
          }
      }
    }

  g_thread_pool_free (pool, FALSE, TRUE);
  pool = NULL;

  if (stop == NULL)
    g_cancellable_set_error_if_cancelled (cancellable, &stop);
  if (stop == NULL)
    finish_campaigns (&sender, campaign_id, &stop);

out:
  if (pool != NULL)
    g_thread_pool_free (pool, FALSE, TRUE);
  g_queue_clear_full (&repeats, (GDestroyNotify) job_free);
  g_queue_clear_full (&finished, (GDestroyNotify) job_free);
  job_free (ahead);
  g_clear_pointer (&sender.claim_rows, sqlite3_finalize);
  g_clear_pointer (&sender.claim_mark, sqlite3_finalize);
  g_clear_pointer (&sender.claim_stamp, sqlite3_finalize);
  g_clear_pointer (&sender.claim_row, sqlite3_finalize);
  g_clear_pointer (&sender.record_row, sqlite3_finalize);
  g_clear_pointer (&sender.record_all, sqlite3_finalize);
  g_async_queue_unref (sender.done);
  g_async_queue_unref (sender.sessions);
  g_hash_table_unref (sender.campaigns);
  ct_db_emit_changed (db, "outbox");
  if (stop != NULL)
    {
      g_propagate_error (error, stop);
      ok = FALSE;
    }
  return ok;
}

gboolean
ct_outbox_send_due (CtDb                  *db,
                    CtMailProvider        *provider,
                    const CtMailSettings  *settings,
                    const CtOutboxOptions *options,
                    CtOutboxReport        *report,
                    GCancellable          *cancellable,
                    GError               **error)
{
  g_autoptr(sqlite3_stmt) due = ct_db_prepare (db,
    "SELECT id FROM campaigns WHERE status = 'scheduled' AND scheduled_at <= unixepoch() ORDER BY scheduled_at",
    error);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (due == NULL)
    return FALSE;
  while (sqlite3_step (due) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (due, 0);
      g_array_append_val (ids, id);
    }
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      g_autoptr(GError) local = NULL;

      /* An A/B test that came due since ct_abtest_run_due() looked
       * goes out as the test; another run may have launched it. */
      if (is_abtest (db, id))
        {
          if (!ct_abtest_launch (db, id, 0, &local)
              && !g_error_matches (local, CT_DB_ERROR, CT_DB_ERROR_INVALID))
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
        }
      else if (!ct_outbox_launch (db, id, NULL, NULL, error))
        return FALSE;
    }
  return ct_outbox_send (db, provider, settings, options, 0, report, cancellable, error);
}

/* ---- pulling what happened --------------------------------------------- */

static const char *
suppression_reason (CtMailEventType type)
{
  switch (type)
    {
    case CT_MAIL_EVENT_UNSUBSCRIBED: return "unsubscribed";
    case CT_MAIL_EVENT_BOUNCED: return "bounced";
    case CT_MAIL_EVENT_COMPLAINED: return "complained";
    case CT_MAIL_EVENT_DELIVERED:
    case CT_MAIL_EVENT_OPENED:
    case CT_MAIL_EVENT_CLICKED:
    default: return NULL;
    }
}

gboolean
ct_outbox_apply_event (CtDb                *db,
                       const char          *source,
                       const CtMailEvent   *event,
                       CtOutboxSyncReport  *report,
                       GError             **error)
{
  const char *reason = suppression_reason (event->type);
  gint64 at = event->at > 0 ? event->at : now_s ();

  if (reason != NULL)
    {
      g_autoptr(sqlite3_stmt) suppress = ct_db_prepare (db,
        "INSERT INTO suppressions (email, reason, source, created_at) VALUES (?1, ?2, ?3, ?4)"
        " ON CONFLICT (email) DO NOTHING", error);
      /* A complaint weighs more than a bounce, a bounce more than an
       * unsubscribe: a status only moves that way. */
      g_autoptr(sqlite3_stmt) contact = ct_db_prepare (db,
        "UPDATE contacts SET status = ?2, updated_at = unixepoch() WHERE email = ?1"
        " AND (status = 'subscribed' OR (status = 'unsubscribed' AND ?2 IN ('bounced','complained'))"
        "      OR (status = 'bounced' AND ?2 = 'complained'))", error);

      if (suppress == NULL || contact == NULL)
        return FALSE;
      sqlite3_bind_text (suppress, 1, event->email, -1, SQLITE_STATIC);
      sqlite3_bind_text (suppress, 2, reason, -1, SQLITE_STATIC);
      sqlite3_bind_text (suppress, 3, source, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (suppress, 4, at);
      if (!ct_db_step_done (db, suppress, _("Could not record a suppression"), error))
        return FALSE;
      report->suppressed += sqlite3_changes (ct_db_get_handle (db));
      sqlite3_bind_text (contact, 1, event->email, -1, SQLITE_STATIC);
      sqlite3_bind_text (contact, 2, reason, -1, SQLITE_STATIC);
      if (!ct_db_step_done (db, contact, _("Could not update a contact’s subscription"), error))
        return FALSE;
      report->contacts_changed += sqlite3_changes (ct_db_get_handle (db));
    }

  if (event->message_id != NULL)
    {
      /* Providers that send a batch under one id (SendGrid, Mailgun)
       * name the recipient's message as that id with a suffix, so the
       * address decides. */
      g_autofree char *prefix = g_strdup (event->message_id);
      char *dot = strchr (prefix, '.');
      g_autoptr(sqlite3_stmt) insert = NULL;
      int changes;

      if (dot != NULL && !g_str_has_prefix (prefix, "<"))
        *dot = '\0';
      insert = ct_db_prepare (db,
        "INSERT OR IGNORE INTO mail_events (outbox_id, type, at)"
        " SELECT id, ?3, ?4 FROM outbox"
        " WHERE provider_message_id IN (?1, ?2) AND email = ?5 AND state = 'sent'", error);
      if (insert == NULL)
        return FALSE;
      sqlite3_bind_text (insert, 1, event->message_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 2, prefix, -1, SQLITE_STATIC);
      sqlite3_bind_text (insert, 3, ct_mail_event_type_to_name (event->type), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (insert, 4, at);
      sqlite3_bind_text (insert, 5, event->email, -1, SQLITE_STATIC);
      if (!ct_db_step_done (db, insert, _("Could not record a delivery event"), error))
        return FALSE;
      changes = sqlite3_changes (ct_db_get_handle (db));
      report->events += changes;
      if (changes == 0 && reason == NULL)
        report->ignored++;
    }
  return TRUE;
}

typedef struct
{
  CtDb *db;
  const char *source;
  CtOutboxSyncReport *report;
} SyncData;

static gboolean
sync_event (const CtMailEvent  *event,
            gpointer            user_data,
            GError            **error)
{
  SyncData *data = user_data;

  return ct_outbox_apply_event (data->db, data->source, event, data->report, error);
}

/* For a provider that tells deliveries only per message (Postmark):
 * asks about the recent mail sent through it that has no delivery or
 * bounce recorded yet, newest first, at most CT_OUTBOX_DETAILS_PER_SYNC
 * messages a pull so that a sync stays short; the rest are asked about
 * by the next pulls. The requests go out before the sync's transaction,
 * which would otherwise keep the database locked for all of them; what
 * they tell is kept in @events and applied inside it. */
#define CT_OUTBOX_DETAILS_PER_SYNC 500
#define CT_OUTBOX_DETAILS_DAYS 45

typedef struct
{
  CtMailEventType type;
  char *email;
  char *message_id;
  gint64 at;
} HeldEvent;

static void
held_event_free (HeldEvent *held)
{
  g_free (held->email);
  g_free (held->message_id);
  g_free (held);
}

static gboolean
hold_event (const CtMailEvent  *event,
            gpointer            user_data,
            GError            **error)
{
  HeldEvent *held = g_new0 (HeldEvent, 1);

  held->type = event->type;
  held->email = g_strdup (event->email);
  held->message_id = g_strdup (event->message_id);
  held->at = event->at;
  g_ptr_array_add (user_data, held);
  return TRUE;
}

static gboolean
pull_deliveries (CtDb           *db,
                 CtMailProvider *provider,
                 SoupSession    *session,
                 const char     *source,
                 GPtrArray      *events,
                 GCancellable   *cancellable,
                 GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  int rc;

  if (!ct_mail_provider_can_pull_message (provider))
    return TRUE;
  stmt = ct_db_prepare (db,
    "SELECT DISTINCT o.provider_message_id FROM outbox o JOIN campaigns c ON c.id = o.campaign_id"
    " WHERE o.state = 'sent' AND o.provider_message_id IS NOT NULL AND c.provider = ?1"
    "   AND o.sent_at >= ?2"
    "   AND NOT EXISTS (SELECT 1 FROM mail_events e WHERE e.outbox_id = o.id"
    "                   AND e.type IN ('delivered','bounced'))"
    " ORDER BY o.sent_at DESC, o.id DESC LIMIT ?3", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, source, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, now_s () - CT_OUTBOX_DETAILS_DAYS * 86400);
  sqlite3_bind_int (stmt, 3, CT_OUTBOX_DETAILS_PER_SYNC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the mail sent"));
      return FALSE;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  for (guint i = 0; i < ids->len; i++)
    if (!ct_mail_provider_pull_message (provider, session, g_ptr_array_index (ids, i),
                                        hold_event, events, cancellable, error))
      return FALSE;
  return TRUE;
}

gboolean
ct_outbox_sync (CtDb                *db,
                CtMailProvider      *provider,
                CtOutboxSyncReport  *report,
                GCancellable        *cancellable,
                GError             **error)
{
  g_autoptr(SoupSession) session = ct_mail_provider_new_session (provider);
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func ((GDestroyNotify) held_event_free);
  g_autofree char *last = get_setting (db, "mail.last_sync");
  g_autofree char *started = g_strdup_printf ("%lld", (long long) now_s ());
  CtOutboxSyncReport local = { 0 };
  SyncData data = { db, ct_mail_provider_kind_to_name (ct_mail_provider_get_kind (provider)),
                    report != NULL ? report : &local };
  /* The first pull looks back 30 days, the retention most providers
   * offer; later ones from the last pull, with an hour of overlap for
   * events the provider logs late (each counts once anyway). */
  gint64 since = last != NULL ? g_ascii_strtoll (last, NULL, 10) - 3600 : now_s () - 30 * 86400;

  memset (data.report, 0, sizeof *data.report);
  if (!pull_deliveries (db, provider, session, data.source, held, cancellable, error)
      || !ct_db_begin (db, error))
    return FALSE;
  for (guint i = 0; i < held->len; i++)
    {
      HeldEvent *h = g_ptr_array_index (held, i);
      CtMailEvent event = { h->type, h->email, h->message_id, h->at, NULL };

      if (!ct_outbox_apply_event (db, data.source, &event, data.report, error))
        {
          ct_db_rollback (db);
          return FALSE;
        }
    }
  if (!ct_mail_provider_pull (provider, session, since, sync_event, &data, cancellable, error)
      || !set_setting (db, "mail.activity_unavailable",
                       ct_mail_provider_get_activity_unavailable (provider) ? data.source : NULL, error)
      || !set_setting (db, "mail.last_sync", started, error)
      || !ct_db_commit (db, error))
    {
      ct_db_rollback (db);
      return FALSE;
    }
  ct_db_emit_changed (db, "contacts");
  ct_db_emit_changed (db, "outbox");
  ct_db_emit_changed (db, "campaigns");
  return TRUE;
}
