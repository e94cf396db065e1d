/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-abtest.c: A/B tests of subject lines (see ct-abtest.h)
 *
 * The outbox keeps one row per campaign and contact, so subject B is a
 * campaign of its own (the variant), and the rest of the audience joins
 * whichever campaign won: A, B and the rest never overlap. Launching and
 * deciding are each one write transaction, so two `send-due` runs at
 * once launch or decide a test once.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "ct-abtest.h"
#include "ct-automation-private.h"
#include "ct-outbox.h"

gboolean
ct_abtest_create (CtDb            *db,
                  gint64           campaign_id,
                  const char      *subject_b,
                  double           share,
                  CtAbTestMetric   metric,
                  guint            wait_hours,
                  GError         **error)
{
  g_autoptr(sqlite3_stmt) campaign = NULL;
  g_autoptr(sqlite3_stmt) variant = NULL;
  g_autoptr(sqlite3_stmt) test = NULL;
  g_autofree char *name = NULL;
  g_autofree char *subject_a = NULL;
  g_autofree char *clean_b = g_strstrip (g_strdup (subject_b != NULL ? subject_b : ""));
  gint64 variant_id;
  int rc;

  if (*clean_b == '\0')
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID, _("The B subject line is empty."));
      return FALSE;
    }
  if (!(share > 0.0 && share <= 1.0))
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   _("The share of the audience in the test must be above 0 and at most 100%% (it is %g)."), share);
      return FALSE;
    }
  if (!ct_db_begin (db, error))
    return FALSE;
  campaign = ct_db_prepare (db, "SELECT name, subject, status FROM campaigns WHERE id = ?1", error);
  if (campaign == NULL)
    goto fail;
  sqlite3_bind_int64 (campaign, 1, campaign_id);
  if (sqlite3_step (campaign) != SQLITE_ROW)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND, _("The campaign does not exist"));
      goto fail;
    }
  name = g_strdup ((const char *) sqlite3_column_text (campaign, 0));
  subject_a = g_strdup ((const char *) sqlite3_column_text (campaign, 1));
  if (!g_str_equal ((const char *) sqlite3_column_text (campaign, 2), "draft")
      && !g_str_equal ((const char *) sqlite3_column_text (campaign, 2), "scheduled"))
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("Only a campaign that has not been sent can be made an A/B test"));
      goto fail;
    }
  if (g_strcmp0 (g_strstrip (subject_a), clean_b) == 0)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("Subject B is the same as subject A: there would be nothing to test."));
      goto fail;
    }

  variant = ct_db_prepare (db, "INSERT INTO campaigns (name, subject, body, from_address, audience, preheader)"
                               " SELECT ?2, ?3, body, from_address, audience, preheader FROM campaigns WHERE id = ?1",
                           error);
  if (variant == NULL)
    goto fail;
  {
    /* Translators: the variant campaign of an A/B test, "Spring sale (B)" */
    g_autofree char *variant_name = g_strdup_printf (_("%s (B)"), name);
    sqlite3_bind_int64 (variant, 1, campaign_id);
    sqlite3_bind_text (variant, 2, variant_name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text (variant, 3, subject_b, -1, SQLITE_STATIC);
    rc = sqlite3_step (variant);
    if (rc == SQLITE_CONSTRAINT)
      {
        g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT,
                     _("There is a campaign called “%s” already"), variant_name);
        goto fail;
      }
  }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not make the A/B test"));
      goto fail;
    }
  variant_id = sqlite3_last_insert_rowid (ct_db_get_handle (db));
  test = ct_db_prepare (db, "INSERT INTO ab_tests (campaign_id, variant_id, share, metric, wait_hours)"
                            " VALUES (?1, ?2, ?3, ?4, ?5)", error);
  if (test == NULL)
    goto fail;
  sqlite3_bind_int64 (test, 1, campaign_id);
  sqlite3_bind_int64 (test, 2, variant_id);
  sqlite3_bind_double (test, 3, share);
  sqlite3_bind_text (test, 4, metric == CT_ABTEST_CLICKS ? "clicks" : "opens", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (test, 5, wait_hours);
  rc = sqlite3_step (test);
  if (rc == SQLITE_CONSTRAINT)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT, _("The campaign is an A/B test already"));
      goto fail;
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not make the A/B test"));
      goto fail;
    }
  if (!ct_db_commit (db, error))
    goto fail;
  ct_db_emit_changed (db, "campaigns");
  return TRUE;

fail:
  ct_db_rollback (db);
  return FALSE;
}

gboolean
ct_abtest_get (CtDb      *db,
               gint64     campaign_id,
               CtAbTest  *test,
               GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db,
    "SELECT variant_id, share, metric, wait_hours, state, coalesce(decide_at, 0), coalesce(winner_id, 0),"
    "  coalesce(a_rate, 0), coalesce(b_rate, 0),"
    "  (SELECT count(*) FROM outbox WHERE campaign_id = t.campaign_id AND state = 'sent'),"
    "  (SELECT count(*) FROM outbox WHERE campaign_id = t.variant_id AND state = 'sent'),"
    "  (SELECT count(*) FROM ab_holdout WHERE campaign_id = t.campaign_id)"
    " FROM ab_tests t WHERE campaign_id = ?1", error);

  memset (test, 0, sizeof *test);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND, _("The campaign is not an A/B test"));
      return FALSE;
    }
  test->campaign_id = campaign_id;
  test->variant_id = sqlite3_column_int64 (stmt, 0);
  test->share = sqlite3_column_double (stmt, 1);
  test->metric = g_str_equal ((const char *) sqlite3_column_text (stmt, 2), "clicks") ? CT_ABTEST_CLICKS : CT_ABTEST_OPENS;
  test->wait_hours = (guint) sqlite3_column_int64 (stmt, 3);
  g_strlcpy (test->state, (const char *) sqlite3_column_text (stmt, 4), sizeof test->state);
  test->decide_at = sqlite3_column_int64 (stmt, 5);
  test->winner_id = sqlite3_column_int64 (stmt, 6);
  test->a_rate = sqlite3_column_double (stmt, 7);
  test->b_rate = sqlite3_column_double (stmt, 8);
  test->a_sent = sqlite3_column_int64 (stmt, 9);
  test->b_sent = sqlite3_column_int64 (stmt, 10);
  test->holdout = sqlite3_column_int64 (stmt, 11);
  return TRUE;
}

/* Queues @contact_id in @campaign_id unless they cannot be mailed. */
static gboolean
queue_one (CtDb          *db,
           sqlite3_stmt  *insert,
           gint64         campaign_id,
           gint64         contact_id,
           gboolean      *queued,
           GError       **error)
{
  g_autofree char *email = NULL;
  int rc;

  *queued = FALSE;
  if (ct_mail_exclusion (db, contact_id, &email) != NULL)
    return TRUE;
  sqlite3_bind_int64 (insert, 1, campaign_id);
  sqlite3_bind_int64 (insert, 2, contact_id);
  sqlite3_bind_text (insert, 3, email, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 4, g_uuid_string_random (), -1, g_free);
  rc = sqlite3_step (insert);
  sqlite3_reset (insert);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not queue the campaign’s mail"));
      return FALSE;
    }
  *queued = TRUE;
  return TRUE;
}

gboolean
ct_abtest_launch (CtDb    *db,
                  gint64   campaign_id,
                  gint64   now,
                  GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(sqlite3_stmt) candidates = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(sqlite3_stmt) hold = NULL;
  g_autoptr(sqlite3_stmt) update = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GRand) rand = NULL;
  g_autofree char *audience = NULL;
  g_autoptr(GHashTable) members = NULL;
  const char *tag = NULL;
  gint64 variant_id;
  double share;
  guint wait_hours, n_test, n_a;
  int rc;

  if (now == 0)
    now = g_get_real_time () / G_USEC_PER_SEC;
  if (!ct_db_begin (db, error))
    return FALSE;
  stmt = ct_db_prepare (db, "SELECT t.variant_id, t.share, t.wait_hours, t.state, c.status, c.audience"
                            " FROM ab_tests t JOIN campaigns c ON c.id = t.campaign_id WHERE t.campaign_id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND, _("The campaign is not an A/B test"));
      goto fail;
    }
  if (!g_str_equal ((const char *) sqlite3_column_text (stmt, 3), "draft")
      || (!g_str_equal ((const char *) sqlite3_column_text (stmt, 4), "draft")
          && !g_str_equal ((const char *) sqlite3_column_text (stmt, 4), "scheduled")))
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID, _("The A/B test was launched already"));
      goto fail;
    }
  variant_id = sqlite3_column_int64 (stmt, 0);
  share = sqlite3_column_double (stmt, 1);
  wait_hours = (guint) sqlite3_column_int64 (stmt, 2);
  audience = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  if (json_parser_load_from_data (parser, audience, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    tag = json_object_get_string_member_with_default (json_node_get_object (json_parser_get_root (parser)),
                                                      "tag", NULL);
  /* A saved segment: its members now, as ct_outbox_launch() takes them. */
  if (!ct_outbox_audience_members (db, audience, &members, error))
    goto fail;

  /* The audience in id order, then shuffled by the campaign's own seed:
   * the split does not depend on the machine or the time. Exclusions
   * are applied when each contact is queued. */
  candidates = ct_db_prepare (db,
    "SELECT c.id FROM contacts c WHERE c.email IS NOT NULL AND trim(c.email) != ''"
    "   AND (?1 IS NULL OR c.id IN (SELECT ct.contact_id FROM contact_tags ct"
    "                               JOIN tags t ON t.id = ct.tag_id WHERE t.name = ?1))"
    " ORDER BY c.id", error);
  if (candidates == NULL)
    goto fail;
  if (tag != NULL)
    sqlite3_bind_text (candidates, 1, tag, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (candidates)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (candidates, 0);

      if (members != NULL && !g_hash_table_contains (members, &id))
        continue;
      g_array_append_val (ids, id);
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the campaign’s audience"));
      goto fail;
    }
  rand = g_rand_new_with_seed ((guint32) campaign_id);
  for (guint i = ids->len; i > 1; i--)
    {
      guint j = (guint) g_rand_int_range (rand, 0, (gint32) i);
      gint64 tmp = g_array_index (ids, gint64, i - 1);

      g_array_index (ids, gint64, i - 1) = g_array_index (ids, gint64, j);
      g_array_index (ids, gint64, j) = tmp;
    }
  n_test = (guint) (share * ids->len + 0.5);
  n_test = MIN (n_test, ids->len);
  n_a = (n_test + 1) / 2;

  insert = ct_db_prepare (db, "INSERT INTO outbox (campaign_id, contact_id, email, idempotency_key)"
                              " VALUES (?1, ?2, ?3, ?4)", error);
  hold = ct_db_prepare (db, "INSERT INTO ab_holdout (campaign_id, contact_id) VALUES (?1, ?2)", error);
  if (insert == NULL || hold == NULL)
    goto fail;
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 contact_id = g_array_index (ids, gint64, i);
      gboolean queued;

      if (i < n_test)
        {
          if (!queue_one (db, insert, i < n_a ? campaign_id : variant_id, contact_id, &queued, error))
            goto fail;
          continue;
        }
      sqlite3_bind_int64 (hold, 1, campaign_id);
      sqlite3_bind_int64 (hold, 2, contact_id);
      rc = sqlite3_step (hold);
      sqlite3_reset (hold);
      if (rc != SQLITE_DONE)
        {
          ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not queue the campaign’s mail"));
          goto fail;
        }
    }

  update = ct_db_prepare (db,
    "UPDATE campaigns SET status = 'sending', launched_at = ?3, updated_at = ?3 WHERE id IN (?1, ?2)", error);
  if (update == NULL)
    goto fail;
  sqlite3_bind_int64 (update, 1, campaign_id);
  sqlite3_bind_int64 (update, 2, variant_id);
  sqlite3_bind_int64 (update, 3, now);
  if (!ct_db_step_done (db, update, _("Could not launch the campaign"), error))
    goto fail;
  g_clear_pointer (&update, sqlite3_finalize);
  update = ct_db_prepare (db, "UPDATE ab_tests SET state = 'testing', decide_at = ?2 WHERE campaign_id = ?1", error);
  if (update == NULL)
    goto fail;
  sqlite3_bind_int64 (update, 1, campaign_id);
  sqlite3_bind_int64 (update, 2, now + (gint64) wait_hours * 3600);
  if (!ct_db_step_done (db, update, _("Could not launch the campaign"), error)
      || !ct_db_commit (db, error))
    goto fail;
  ct_db_emit_changed (db, "campaigns");
  ct_db_emit_changed (db, "outbox");
  return TRUE;

fail:
  ct_db_rollback (db);
  return FALSE;
}

/* The share of @campaign_id's sent mail that was opened (an open or a
 * click: a click means it was opened even where the open pixel was
 * blocked) or clicked. */
static double
rate (CtDb           *db,
      gint64          campaign_id,
      CtAbTestMetric  metric)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db,
    "SELECT count(*),"
    "  count(*) FILTER (WHERE EXISTS (SELECT 1 FROM mail_events e WHERE e.outbox_id = o.id"
    "                                 AND e.type IN (?2, 'clicked')))"
    " FROM outbox o WHERE o.campaign_id = ?1 AND o.state = 'sent'", NULL);
  gint64 sent;

  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  sqlite3_bind_text (stmt, 2, metric == CT_ABTEST_CLICKS ? "clicked" : "opened", -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return 0;
  sent = sqlite3_column_int64 (stmt, 0);
  return sent > 0 ? (double) sqlite3_column_int64 (stmt, 1) / (double) sent : 0.0;
}

gboolean
ct_abtest_decide (CtDb      *db,
                  gint64     campaign_id,
                  gint64     now,
                  gboolean  *out_decided,
                  GError   **error)
{
  g_autoptr(sqlite3_stmt) rest = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(sqlite3_stmt) update = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  CtAbTest test;
  gint64 winner;
  int rc;

  if (out_decided != NULL)
    *out_decided = FALSE;
  if (now == 0)
    now = g_get_real_time () / G_USEC_PER_SEC;
  if (!ct_db_begin (db, error))
    return FALSE;
  /* Read inside the write transaction: a second run sees it decided. */
  if (!ct_abtest_get (db, campaign_id, &test, error))
    goto fail;
  if (!g_str_equal (test.state, "testing") || now < test.decide_at)
    {
      ct_db_rollback (db);
      return TRUE;
    }
  test.a_rate = rate (db, campaign_id, test.metric);
  test.b_rate = rate (db, test.variant_id, test.metric);
  winner = test.b_rate > test.a_rate ? test.variant_id : campaign_id;

  rest = ct_db_prepare (db, "SELECT contact_id FROM ab_holdout WHERE campaign_id = ?1 ORDER BY contact_id", error);
  insert = ct_db_prepare (db, "INSERT OR IGNORE INTO outbox (campaign_id, contact_id, email, idempotency_key)"
                              " VALUES (?1, ?2, ?3, ?4)", error);
  if (rest == NULL || insert == NULL)
    goto fail;
  sqlite3_bind_int64 (rest, 1, campaign_id);
  while ((rc = sqlite3_step (rest)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (rest, 0);
      g_array_append_val (ids, id);
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the rest of the audience"));
      goto fail;
    }
  for (guint i = 0; i < ids->len; i++)
    {
      gboolean queued;

      if (!queue_one (db, insert, winner, g_array_index (ids, gint64, i), &queued, error))
        goto fail;
    }
  update = ct_db_prepare (db,
    "UPDATE ab_tests SET state = 'decided', winner_id = ?2, a_rate = ?3, b_rate = ?4 WHERE campaign_id = ?1", error);
  if (update == NULL)
    goto fail;
  sqlite3_bind_int64 (update, 1, campaign_id);
  sqlite3_bind_int64 (update, 2, winner);
  sqlite3_bind_double (update, 3, test.a_rate);
  sqlite3_bind_double (update, 4, test.b_rate);
  if (!ct_db_step_done (db, update, _("Could not record the A/B test’s winner"), error))
    goto fail;
  g_clear_pointer (&update, sqlite3_finalize);
  update = ct_db_prepare (db, "DELETE FROM ab_holdout WHERE campaign_id = ?1", error);
  if (update == NULL)
    goto fail;
  sqlite3_bind_int64 (update, 1, campaign_id);
  if (!ct_db_step_done (db, update, _("Could not record the A/B test’s winner"), error))
    goto fail;
  g_clear_pointer (&update, sqlite3_finalize);
  update = ct_db_prepare (db, "UPDATE campaigns SET status = 'sending', finished_at = NULL, updated_at = ?2"
                              " WHERE id = ?1 AND EXISTS (SELECT 1 FROM outbox WHERE campaign_id = ?1 AND state = 'queued')",
                          error);
  if (update == NULL)
    goto fail;
  sqlite3_bind_int64 (update, 1, winner);
  sqlite3_bind_int64 (update, 2, now);
  if (!ct_db_step_done (db, update, _("Could not record the A/B test’s winner"), error)
      || !ct_db_commit (db, error))
    goto fail;
  if (out_decided != NULL)
    *out_decided = TRUE;
  ct_db_emit_changed (db, "campaigns");
  ct_db_emit_changed (db, "outbox");
  return TRUE;

fail:
  ct_db_rollback (db);
  return FALSE;
}

gboolean
ct_abtest_run_due (CtDb    *db,
                   gint64   now,
                   GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) launch = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) decide = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (now == 0)
    now = g_get_real_time () / G_USEC_PER_SEC;
  stmt = ct_db_prepare (db,
    "SELECT t.campaign_id, t.state FROM ab_tests t JOIN campaigns c ON c.id = t.campaign_id"
    " WHERE (t.state = 'draft' AND c.status = 'scheduled' AND c.scheduled_at <= ?1)"
    "    OR (t.state = 'testing' AND t.decide_at <= ?1)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (g_str_equal ((const char *) sqlite3_column_text (stmt, 1), "draft") ? launch : decide, id);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  for (guint i = 0; i < launch->len; i++)
    {
      g_autoptr(GError) local = NULL;

      /* Another run may have launched it meanwhile: that is no error. */
      if (!ct_abtest_launch (db, g_array_index (launch, gint64, i), now, &local)
          && !g_error_matches (local, CT_DB_ERROR, CT_DB_ERROR_INVALID))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
    }
  for (guint i = 0; i < decide->len; i++)
    if (!ct_abtest_decide (db, g_array_index (decide, gint64, i), now, NULL, error))
      return FALSE;
  return TRUE;
}
