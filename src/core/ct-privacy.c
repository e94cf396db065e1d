/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-privacy.c: everything held about one person, out or erased
 *
 * The export gives a person what they are entitled to see: the contact
 * row, tags, purchases, and the rows of any other table that refers to
 * the contact by contact_id. The last part is found from the schema, so
 * that tables added by later features (sends, points, segments...) are
 * exported without this file knowing them.
 *
 * Erasing is not deleting: a deleted contact can come back with Undo,
 * an erased one cannot. The contact row goes with everything that
 * cascades from it; the purchases stay so that revenue figures of the
 * past do not change, but lose their link to the person and their order
 * reference, which the shop could map back to them. SQLite's
 * secure_delete is on for the transaction, so the freed rows are zeroed,
 * and the file is then rewritten (see scrub()) so that no stale copy of
 * them is left for a hex editor or an undelete tool to find.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-export.h"
#include "ct-export-private.h"
#include "ct-privacy.h"

#define EXPORT_FORMAT "clientele-contact-export"
#define EXPORT_FORMAT_VERSION 1

/* Tables exported and erased by name; any other with a contact_id
 * column is exported generically. */
static const char * const known_tables[] = { "contacts", "contact_tags", "purchases", NULL };

static void
add_time (JsonBuilder  *builder,
          const char   *member,
          sqlite3_stmt *stmt,
          int           column)
{
  g_autofree char *text = NULL;

  json_builder_set_member_name (builder, member);
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    {
      json_builder_add_null_value (builder);
      return;
    }
  text = ct_export_format_time (sqlite3_column_int64 (stmt, column));
  json_builder_add_string_value (builder, text);
}

static void
add_text (JsonBuilder  *builder,
          const char   *member,
          sqlite3_stmt *stmt,
          int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  json_builder_set_member_name (builder, member);
  if (text == NULL)
    json_builder_add_null_value (builder);
  else
    json_builder_add_string_value (builder, text);
}

/* Any SQLite value as JSON: integers and reals as numbers, text as
 * strings, blobs as base64. */
static void
add_value (JsonBuilder  *builder,
           sqlite3_stmt *stmt,
           int           column)
{
  switch (sqlite3_column_type (stmt, column))
    {
    case SQLITE_INTEGER:
      json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, column));
      break;
    case SQLITE_FLOAT:
      json_builder_add_double_value (builder, sqlite3_column_double (stmt, column));
      break;
    case SQLITE_TEXT:
      json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, column));
      break;
    case SQLITE_BLOB:
      {
        g_autofree char *b64 = g_base64_encode (sqlite3_column_blob (stmt, column),
                                                sqlite3_column_bytes (stmt, column));
        json_builder_add_string_value (builder, b64);
      }
      break;
    case SQLITE_NULL:
    default:
      json_builder_add_null_value (builder);
      break;
    }
}

static gboolean
step_done (CtDb          *db,
           int            rc,
           GError       **error)
{
  if (rc == SQLITE_DONE)
    return TRUE;
  ct_db_set_error (error, ct_db_get_handle (db), rc, NULL);
  return FALSE;
}

static gboolean
build_contact (CtDb         *db,
               gint64        contact_id,
               JsonBuilder  *builder,
               GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *attributes;
  int rc;

  stmt = ct_db_prepare (db,
                        "SELECT c.id, c.email, c.first_name, c.last_name, c.phone, c.company,"
                        " ch.name, c.status, c.consent_at, c.consent_source, c.attributes,"
                        " c.notes, c.created_at, c.updated_at, c.purchase_count,"
                        " c.first_purchase_at, c.last_purchase_at"
                        " FROM contacts c LEFT JOIN channels ch ON ch.id = c.channel_id"
                        " WHERE c.id = ?1",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, contact_id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND,
                   _("There is no contact with id %lld."), (long long) contact_id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return step_done (db, rc, error);

  json_builder_set_member_name (builder, "contact");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, 0));
  add_text (builder, "email", stmt, 1);
  add_text (builder, "first_name", stmt, 2);
  add_text (builder, "last_name", stmt, 3);
  add_text (builder, "phone", stmt, 4);
  add_text (builder, "company", stmt, 5);
  add_text (builder, "channel", stmt, 6);
  add_text (builder, "status", stmt, 7);
  add_time (builder, "consent_at", stmt, 8);
  add_text (builder, "consent_source", stmt, 9);

  /* Stored as JSON text: given as the object it is. */
  json_builder_set_member_name (builder, "attributes");
  attributes = (const char *) sqlite3_column_text (stmt, 10);
  if (attributes != NULL && json_parser_load_from_data (parser, attributes, -1, NULL)
      && json_parser_get_root (parser) != NULL)
    json_builder_add_value (builder, json_node_copy (json_parser_get_root (parser)));
  else
    json_builder_add_string_value (builder, attributes != NULL ? attributes : "");

  add_text (builder, "notes", stmt, 11);
  add_time (builder, "created_at", stmt, 12);
  add_time (builder, "updated_at", stmt, 13);
  json_builder_set_member_name (builder, "purchase_count");
  json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, 14));
  add_time (builder, "first_purchase_at", stmt, 15);
  add_time (builder, "last_purchase_at", stmt, 16);
  json_builder_end_object (builder);

  return TRUE;
}

static gboolean
build_tags (CtDb         *db,
            gint64        contact_id,
            JsonBuilder  *builder,
            GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = ct_db_prepare (db,
                        "SELECT t.name FROM contact_tags x JOIN tags t ON t.id = x.tag_id"
                        " WHERE x.contact_id = ?1 ORDER BY t.name COLLATE NOCASE",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, contact_id);

  json_builder_set_member_name (builder, "tags");
  json_builder_begin_array (builder);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 0));
  json_builder_end_array (builder);

  return step_done (db, rc, error);
}

static gboolean
build_purchases (CtDb         *db,
                 gint64        contact_id,
                 JsonBuilder  *builder,
                 GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = ct_db_prepare (db,
                        "SELECT p.id, p.external_ref, p.source, p.purchased_at, pr.name, p.amount,"
                        " p.currency, ch.name, p.refunded, p.created_at"
                        " FROM purchases p LEFT JOIN products pr ON pr.id = p.product_id"
                        " LEFT JOIN channels ch ON ch.id = p.channel_id"
                        " WHERE p.contact_id = ?1 ORDER BY p.purchased_at, p.id",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, contact_id);

  json_builder_set_member_name (builder, "purchases");
  json_builder_begin_array (builder);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *currency = (const char *) sqlite3_column_text (stmt, 6);
      g_autofree char *amount = ct_export_format_amount (sqlite3_column_int64 (stmt, 5), currency);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, 0));
      add_text (builder, "order_id", stmt, 1);
      add_text (builder, "source", stmt, 2);
      add_time (builder, "paid_at", stmt, 3);
      add_text (builder, "product", stmt, 4);
      json_builder_set_member_name (builder, "amount");
      json_builder_add_string_value (builder, amount);
      add_text (builder, "currency", stmt, 6);
      add_text (builder, "channel", stmt, 7);
      json_builder_set_member_name (builder, "refunded");
      json_builder_add_boolean_value (builder, sqlite3_column_int (stmt, 8) != 0);
      add_time (builder, "created_at", stmt, 9);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  return step_done (db, rc, error);
}

/* The tables other than the known ones that have a contact_id column. */
static GPtrArray *
list_other_tables (CtDb    *db,
                   GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) tables = g_ptr_array_new_with_free_func (g_free);
  int rc;

  stmt = ct_db_prepare (db,
                        "SELECT m.name FROM sqlite_schema m"
                        " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
                        " AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) i"
                        "             WHERE i.name = 'contact_id')"
                        " ORDER BY m.name",
                        error);
  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);

      if (!g_strv_contains (known_tables, name))
        g_ptr_array_add (tables, g_strdup (name));
    }
  if (!step_done (db, rc, error))
    return NULL;
  return g_steal_pointer (&tables);
}

/* Who referred the contact and whom the contact referred: the referrals
 * table names contacts by role, not by a contact_id column. The other
 * person is given by id only; their details are theirs. */
static gboolean
build_referrals (CtDb         *db,
                 gint64        contact_id,
                 JsonBuilder  *builder,
                 GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = ct_db_prepare (db,
                        "SELECT CASE WHEN referred_id = ?1 THEN 'referred_by' ELSE 'referred' END,"
                        "  CASE WHEN referred_id = ?1 THEN referrer_id ELSE referred_id END,"
                        "  source, created_at"
                        " FROM referrals WHERE referred_id = ?1 OR referrer_id = ?1"
                        " ORDER BY created_at, referred_id",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, contact_id);

  json_builder_set_member_name (builder, "referrals");
  json_builder_begin_array (builder);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autofree char *at = ct_export_format_time (sqlite3_column_int64 (stmt, 3));

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 0));
      json_builder_set_member_name (builder, "other_contact_id");
      json_builder_add_int_value (builder, sqlite3_column_int64 (stmt, 1));
      json_builder_set_member_name (builder, "source");
      json_builder_add_string_value (builder, (const char *) sqlite3_column_text (stmt, 2));
      json_builder_set_member_name (builder, "created_at");
      json_builder_add_string_value (builder, at);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return step_done (db, rc, error);
}

static gboolean
build_other_tables (CtDb         *db,
                    gint64        contact_id,
                    JsonBuilder  *builder,
                    GError      **error)
{
  g_autoptr(GPtrArray) tables = list_other_tables (db, error);

  if (tables == NULL)
    return FALSE;

  json_builder_set_member_name (builder, "other");
  json_builder_begin_object (builder);
  for (guint i = 0; i < tables->len; i++)
    {
      const char *table = g_ptr_array_index (tables, i);
      g_autoptr(sqlite3_stmt) stmt = NULL;
      char *sql;
      int rc;

      /* The name comes from the schema; quoting it keeps any name
       * valid. */
      sql = sqlite3_mprintf ("SELECT * FROM \"%w\" WHERE contact_id = ?1", table);
      stmt = ct_db_prepare (db, sql, error);
      sqlite3_free (sql);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, contact_id);

      json_builder_set_member_name (builder, table);
      json_builder_begin_array (builder);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          json_builder_begin_object (builder);
          for (int c = 0; c < sqlite3_column_count (stmt); c++)
            {
              json_builder_set_member_name (builder, sqlite3_column_name (stmt, c));
              add_value (builder, stmt, c);
            }
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      if (!step_done (db, rc, error))
        return FALSE;
    }
  json_builder_end_object (builder);

  return TRUE;
}

/**
 * ct_privacy_export_contact:
 *
 * Everything the database holds about the contact, as a JSON object:
 * "format", "format_version", "exported_at", "contact" (the row, with
 * channel by name and times in ISO 8601 UTC), "tags", "purchases"
 * (amounts in major units as strings, with their currency), "referrals"
 * (who referred the contact and whom they referred, by contact id) and
 * "other" (rows of any further table with a contact_id, by table name).
 */
JsonNode *
ct_privacy_export_contact (CtDb     *db,
                           gint64    contact_id,
                           GError  **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *now = NULL;
  gboolean own = FALSE;
  gboolean ok;

  g_return_val_if_fail (CT_IS_DB (db), NULL);

  now = ct_export_format_time (g_get_real_time () / G_USEC_PER_SEC);

  if (!ct_export_begin_read (db, &own, error))
    return NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, EXPORT_FORMAT);
  json_builder_set_member_name (builder, "format_version");
  json_builder_add_int_value (builder, EXPORT_FORMAT_VERSION);
  json_builder_set_member_name (builder, "exported_at");
  json_builder_add_string_value (builder, now);

  ok = build_contact (db, contact_id, builder, error)
       && build_tags (db, contact_id, builder, error)
       && build_purchases (db, contact_id, builder, error)
       && build_referrals (db, contact_id, builder, error)
       && build_other_tables (db, contact_id, builder, error);

  ct_export_end_read (db, own);
  if (!ok)
    return NULL;

  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

gboolean
ct_privacy_export_contact_to_file (CtDb          *db,
                                   gint64         contact_id,
                                   GFile         *file,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autofree char *text = NULL;
  CtExportFile *out;
  gsize len;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  root = ct_privacy_export_contact (db, contact_id, error);
  if (root == NULL)
    return FALSE;

  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &len);

  out = ct_export_file_open (file, cancellable, error);
  if (out == NULL)
    return FALSE;
  if (!g_output_stream_write_all (ct_export_file_get_stream (out), text, len, NULL,
                                  cancellable, error)
      || !g_output_stream_write_all (ct_export_file_get_stream (out), "\n", 1, NULL,
                                     cancellable, error))
    {
      ct_export_file_abandon (out);
      return FALSE;
    }
  return ct_export_file_commit (out, cancellable, error);
}

/* Erasing */

/* The SHA-256 of @email with surrounding space removed and ASCII letters
 * lower-cased, the way the contacts table compares emails (COLLATE
 * NOCASE). Returns: (transfer full) 64 hex digits */
static char *
hash_email (const char *email)
{
  g_autofree char *stripped = g_strstrip (g_strdup (email));
  g_autofree char *lower = g_ascii_strdown (stripped, -1);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, lower, -1);
}

gboolean
ct_privacy_is_erased (CtDb        *db,
                      const char  *email,
                      gboolean    *out_erased,
                      GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *hash = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (out_erased != NULL, FALSE);

  *out_erased = FALSE;
  if (email == NULL || *email == '\0')
    return TRUE;

  stmt = ct_db_prepare (db, "SELECT 1 FROM erased_emails WHERE hash = ?1", error);
  if (stmt == NULL)
    return FALSE;
  hash = hash_email (email);
  sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_STATIC);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_erased = TRUE;
      return TRUE;
    }
  return step_done (db, rc, error);
}

/* Runs @sql with ?1 bound to @contact_id. */
static gboolean
run (CtDb          *db,
     const char    *sql,
     gint64         contact_id,
     GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, contact_id);
  return step_done (db, sqlite3_step (stmt), error);
}

static gboolean
erase_in_transaction (CtDb     *db,
                      gint64    contact_id,
                      GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) other = NULL;
  g_autofree char *hash = NULL;
  int rc;

  stmt = ct_db_prepare (db, "SELECT email FROM contacts WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, contact_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND,
                   _("There is no contact with id %lld."), (long long) contact_id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return step_done (db, rc, error);
  if (sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    hash = hash_email ((const char *) sqlite3_column_text (stmt, 0));
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (hash != NULL)
    {
      stmt = ct_db_prepare (db, "INSERT OR IGNORE INTO erased_emails (hash) VALUES (?1)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, hash, -1, SQLITE_STATIC);
      if (!step_done (db, sqlite3_step (stmt), error))
        return FALSE;
      g_clear_pointer (&stmt, sqlite3_finalize);
    }

  /* The purchases stay for the revenue of their day, without the person
   * and without the order reference, which the shop that issued it
   * could map back to them. Detaching them first keeps the contact's
   * ON DELETE CASCADE from taking them along. */
  if (!run (db, "UPDATE purchases SET contact_id = NULL, external_ref = NULL"
                " WHERE contact_id = ?1", contact_id, error))
    return FALSE;

  /* Tags only this contact had may say who they were ("张伟's referral");
   * tags others still carry are the business's own. */
  if (!run (db, "DELETE FROM tags WHERE id IN"
                " (SELECT tag_id FROM contact_tags WHERE contact_id = ?1)"
                " AND NOT EXISTS (SELECT 1 FROM contact_tags x"
                "                 WHERE x.tag_id = tags.id AND x.contact_id != ?1)",
            contact_id, error))
    return FALSE;

  /* Rows of later tables that name the contact go too, whatever their
   * foreign key says: a table whose rows must outlive the person
   * anonymised (as purchases do) needs its own step above. */
  other = list_other_tables (db, error);
  if (other == NULL)
    return FALSE;
  for (guint i = 0; i < other->len; i++)
    {
      char *sql = sqlite3_mprintf ("DELETE FROM \"%w\" WHERE contact_id = ?1",
                                   (const char *) g_ptr_array_index (other, i));
      gboolean ok = run (db, sql, contact_id, error);

      sqlite3_free (sql);
      if (!ok)
        return FALSE;
    }

  /* The tag links go with it (ON DELETE CASCADE). */
  if (!run (db, "DELETE FROM contacts WHERE id = ?1", contact_id, error))
    return FALSE;

  return TRUE;
}

/* secure_delete zeroes the rows as they are deleted, but not the stale
 * copies SQLite leaves behind when it rearranges a page (a row updated
 * or moved earlier still sits in the page's unused space). Only
 * rewriting the file removes those: VACUUM, on a connection of its own
 * so that statements the app keeps open on @db do not stop it, then a
 * checkpoint that copies the clean pages over the old ones and empties
 * the write-ahead log. It takes about a second per 40 MB of database.
 * The erase has committed by then; if the rewrite cannot be done now
 * (another program writing), the leftovers go at the next one, and the
 * log says so. */
static gboolean
scrub (const char  *path,
       GError     **error)
{
  sqlite3 *handle = NULL;
  char *message = NULL;
  int rc;

  rc = sqlite3_open_v2 (path, &handle, SQLITE_OPEN_READWRITE, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_busy_timeout (handle, 5000);
      rc = sqlite3_exec (handle, "PRAGMA secure_delete = ON; VACUUM", NULL, NULL, &message);
    }
  if (rc == SQLITE_OK)
    rc = sqlite3_wal_checkpoint_v2 (handle, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      g_warning ("Could not rewrite %s after erasing a contact, so deleted data may remain in its "
                 "unused space until the next VACUUM: %s",
                 path, message != NULL ? message : sqlite3_errstr (rc));
      g_set_error (error, CT_DB_ERROR, rc == SQLITE_BUSY ? CT_DB_ERROR_LOCKED : CT_DB_ERROR_FAILED,
                   /* Translators: %s is SQLite's reason */
                   _("The database file could not be rewritten to remove the erased data for good: %s"),
                   message != NULL ? message : sqlite3_errstr (rc));
    }
  sqlite3_free (message);
  sqlite3_close (handle);
  return rc == SQLITE_OK;
}

static void
scrub_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GError *error = NULL;

  if (scrub (task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* The erase proper, committed; restores secure_delete as it was. */
static gboolean
erase_committed (CtDb     *db,
                 gint64    contact_id,
                 GError  **error)
{
  gint64 secure_delete;
  gboolean ok;

  secure_delete = ct_db_query_int64 (db, "PRAGMA secure_delete", NULL);

  /* Freed pages are zeroed, so the deleted rows cannot be read back
   * from the file with a hex editor or an undelete tool. */
  if (!ct_db_exec (db, "PRAGMA secure_delete = ON", error))
    return FALSE;

  ok = ct_db_begin (db, error);
  if (ok && !(erase_in_transaction (db, contact_id, error) && ct_db_commit (db, error)))
    {
      ct_db_rollback (db);
      ok = FALSE;
    }
  ct_db_exec (db, secure_delete ? "PRAGMA secure_delete = ON" : "PRAGMA secure_delete = OFF", NULL);
  return ok;
}

/**
 * ct_privacy_erase_contact:
 *
 * Erases the contact for good. See ct-privacy.h.
 */
gboolean
ct_privacy_erase_contact (CtDb     *db,
                          gint64    contact_id,
                          GError  **error)
{
  g_return_val_if_fail (CT_IS_DB (db), FALSE);

  if (!erase_committed (db, contact_id, error))
    return FALSE;
  /* The erase stands even when the rewrite cannot be done now; scrub()
   * has logged why, and the next one removes the leftovers. */
  scrub (ct_db_get_path (db), NULL);

  ct_db_emit_changed (db, "contacts");
  ct_db_emit_changed (db, "purchases");
  return TRUE;
}

/**
 * ct_privacy_erase_contact_async:
 *
 * Erases the contact at once and rewrites the file on a worker thread.
 * See ct-privacy.h.
 */
gboolean
ct_privacy_erase_contact_async (CtDb                *db,
                                gint64               contact_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data,
                                GError             **error)
{
  g_autoptr(GTask) task = NULL;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);

  if (!erase_committed (db, contact_id, error))
    return FALSE;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ct_privacy_erase_contact_async);
  g_task_set_task_data (task, g_strdup (ct_db_get_path (db)), g_free);
  g_task_run_in_thread (task, scrub_thread);

  ct_db_emit_changed (db, "contacts");
  ct_db_emit_changed (db, "purchases");
  return TRUE;
}

gboolean
ct_privacy_scrub_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
