/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-suppression.c: the suppression list, addresses no campaign mails
 *
 * The table (migrations 6 and 11) is keyed by the address ignoring
 * case; ct_outbox_apply_event() fills it from the provider, this file
 * from the owner: by hand, from a file, and back out to CSV.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-contact.h"
#include "ct-export.h"
#include "ct-export-private.h"
#include "ct-parse.h"
#include "ct-suppression.h"

static const char * const reason_names[] = {
  [CT_SUPPRESSION_UNSUBSCRIBED] = "unsubscribed",
  [CT_SUPPRESSION_BOUNCED] = "bounced",
  [CT_SUPPRESSION_COMPLAINED] = "complained",
  [CT_SUPPRESSION_MANUAL] = "manual",
  [CT_SUPPRESSION_IMPORTED] = "imported",
};

const char *
ct_suppression_reason_to_string (CtSuppressionReason reason)
{
  g_return_val_if_fail ((guint) reason < CT_SUPPRESSION_N_REASONS, NULL);
  return reason_names[reason];
}

const char *
ct_suppression_reason_get_label (CtSuppressionReason reason)
{
  switch (reason)
    {
    case CT_SUPPRESSION_UNSUBSCRIBED:
      return C_("suppression reason", "Unsubscribed");
    case CT_SUPPRESSION_BOUNCED:
      return C_("suppression reason", "Bounced");
    case CT_SUPPRESSION_COMPLAINED:
      return C_("suppression reason", "Complained");
    case CT_SUPPRESSION_MANUAL:
      return C_("suppression reason", "Added by hand");
    case CT_SUPPRESSION_IMPORTED:
      return C_("suppression reason", "Imported");
    case CT_SUPPRESSION_N_REASONS:
    default:
      g_return_val_if_reached ("");
    }
}

gboolean
ct_suppression_reason_from_string (const char          *text,
                                   CtSuppressionReason *out)
{
  static const struct
  {
    const char          *word;
    CtSuppressionReason  reason;
  } words[] = {
    { "manual", CT_SUPPRESSION_MANUAL },
    { "added by hand", CT_SUPPRESSION_MANUAL },
    { "by hand", CT_SUPPRESSION_MANUAL },
    { "手动", CT_SUPPRESSION_MANUAL },
    { "手动添加", CT_SUPPRESSION_MANUAL },
    { "imported", CT_SUPPRESSION_IMPORTED },
    { "import", CT_SUPPRESSION_IMPORTED },
    { "导入", CT_SUPPRESSION_IMPORTED },
    { "已导入", CT_SUPPRESSION_IMPORTED },
  };
  g_autofree char *stripped = NULL;
  CtContactStatus status;

  g_return_val_if_fail (out != NULL, FALSE);

  if (text == NULL)
    return FALSE;
  stripped = g_strstrip (g_strdup (text));
  for (guint i = 0; i < CT_SUPPRESSION_N_REASONS; i++)
    if (g_ascii_strcasecmp (stripped, reason_names[i]) == 0
        || g_utf8_collate (stripped, ct_suppression_reason_get_label (i)) == 0)
      {
        *out = i;
        return TRUE;
      }
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if (g_ascii_strcasecmp (stripped, words[i].word) == 0)
      {
        *out = words[i].reason;
        return TRUE;
      }
  /* The statuses: "subscribed" is not a reason to suppress anyone. */
  if (ct_parse_status (stripped, &status))
    switch (status)
      {
      case CT_CONTACT_UNSUBSCRIBED:
        *out = CT_SUPPRESSION_UNSUBSCRIBED;
        return TRUE;
      case CT_CONTACT_BOUNCED:
        *out = CT_SUPPRESSION_BOUNCED;
        return TRUE;
      case CT_CONTACT_COMPLAINED:
        *out = CT_SUPPRESSION_COMPLAINED;
        return TRUE;
      case CT_CONTACT_SUBSCRIBED:
      default:
        break;
      }
  return FALSE;
}

static CtSuppressionReason
reason_from_row (const char *name)
{
  for (guint i = 0; i < CT_SUPPRESSION_N_REASONS; i++)
    if (g_strcmp0 (name, reason_names[i]) == 0)
      return i;
  /* The table's CHECK allows nothing else. */
  return CT_SUPPRESSION_MANUAL;
}

CtSuppression *
ct_suppression_copy (const CtSuppression *self)
{
  CtSuppression *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (CtSuppression, 1);
  copy->email = g_strdup (self->email);
  copy->reason = self->reason;
  copy->source = g_strdup (self->source);
  copy->note = g_strdup (self->note);
  copy->created_at = self->created_at;
  return copy;
}

void
ct_suppression_free (CtSuppression *self)
{
  if (self == NULL)
    return;
  g_free (self->email);
  g_free (self->source);
  g_free (self->note);
  g_free (self);
}

/* ---- reading ------------------------------------------------------------ */

#define COLUMNS "email, reason, source, note, created_at"

static CtSuppression *
from_row (sqlite3_stmt *stmt)
{
  CtSuppression *s = g_new0 (CtSuppression, 1);

  s->email = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  s->reason = reason_from_row ((const char *) sqlite3_column_text (stmt, 1));
  s->source = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  s->note = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  s->created_at = sqlite3_column_int64 (stmt, 4);
  if (s->source == NULL)
    s->source = g_strdup ("");
  if (s->note == NULL)
    s->note = g_strdup ("");
  return s;
}

/* A LIKE pattern that finds @search anywhere, with its own % and _
 * taken literally; NULL for no search. */
static char *
like_pattern (const char *search)
{
  g_autofree char *stripped = NULL;
  GString *out;

  if (search == NULL)
    return NULL;
  stripped = g_strstrip (g_strdup (search));
  if (*stripped == '\0')
    return NULL;
  out = g_string_new ("%");
  for (const char *p = stripped; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '%');
  return g_string_free (out, FALSE);
}

#define SEARCH_SQL \
  " WHERE ?1 IS NULL OR email LIKE ?1 ESCAPE '\\' OR note LIKE ?1 ESCAPE '\\'" \
  " OR source LIKE ?1 ESCAPE '\\'"

gint64
ct_suppression_count (CtDb        *db,
                      const char  *search,
                      GError     **error)
{
  g_autofree char *pattern = like_pattern (search);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), -1);

  stmt = ct_db_prepare (db, "SELECT count(*) FROM suppressions" SEARCH_SQL, error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, pattern, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not count the suppressed addresses"));
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

GPtrArray *
ct_suppression_list (CtDb        *db,
                     const char  *search,
                     guint        offset,
                     guint        limit,
                     GError     **error)
{
  g_autofree char *pattern = like_pattern (search);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) ct_suppression_free);
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), NULL);

  stmt = ct_db_prepare (db, "SELECT " COLUMNS " FROM suppressions" SEARCH_SQL
                            " ORDER BY created_at DESC, email LIMIT ?2 OFFSET ?3", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, pattern, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, limit > 0 ? (gint64) limit : -1);
  sqlite3_bind_int64 (stmt, 3, offset);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the suppression list"));
      return NULL;
    }
  return g_steal_pointer (&list);
}

CtSuppression *
ct_suppression_lookup (CtDb        *db,
                       const char  *email,
                       GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *normal = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), NULL);
  g_return_val_if_fail (email != NULL, NULL);

  normal = ct_parse_email_normalise (email);
  stmt = ct_db_prepare (db, "SELECT " COLUMNS " FROM suppressions WHERE email = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, normal, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return from_row (stmt);
  if (rc != SQLITE_DONE)
    ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the suppression list"));
  return NULL;
}

/* ---- changing ----------------------------------------------------------- */

static char *
format_local_time (gint64 at)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (at);

  if (dt == NULL)
    return g_strdup ("");
  /* Translators: when an address was suppressed; strftime format. */
  return g_date_time_format (dt, _("%Y-%m-%d %H:%M"));
}

/* Inserts one row unless the address is there already; *@out_added says
 * which. */
static gboolean
insert_row (CtDb          *db,
            sqlite3_stmt  *stmt,
            const char    *email,
            CtSuppressionReason reason,
            const char    *source,
            const char    *note,
            gint64         created_at,
            gboolean      *out_added,
            GError       **error)
{
  int rc;

  sqlite3_reset (stmt);
  sqlite3_bind_text (stmt, 1, email, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, reason_names[reason], -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, source != NULL ? source : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, note != NULL ? note : "", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, created_at);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not add to the suppression list"));
      return FALSE;
    }
  *out_added = sqlite3_changes (ct_db_get_handle (db)) > 0;
  return TRUE;
}

#define INSERT_SQL \
  "INSERT INTO suppressions (email, reason, source, note, created_at)" \
  " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (email) DO NOTHING"

gboolean
ct_suppression_add (CtDb                *db,
                    const char          *email,
                    CtSuppressionReason  reason,
                    const char          *note,
                    GError             **error)
{
  g_autofree char *normal = NULL;
  g_autofree char *clean_note = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean added = FALSE;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (email != NULL, FALSE);
  g_return_val_if_fail ((guint) reason < CT_SUPPRESSION_N_REASONS, FALSE);

  normal = ct_parse_email_normalise (email);
  if (*normal == '\0')
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("Enter the email address to suppress."));
      return FALSE;
    }
  if (!ct_parse_email_valid (normal))
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   _("“%s” is not an email address."), email);
      return FALSE;
    }
  clean_note = g_strstrip (g_strdup (note != NULL ? note : ""));

  stmt = ct_db_prepare (db, INSERT_SQL, error);
  if (stmt == NULL
      || !insert_row (db, stmt, normal, reason, "", clean_note, g_get_real_time () / G_USEC_PER_SEC,
                      &added, error))
    return FALSE;
  if (!added)
    {
      g_autoptr(CtSuppression) old = ct_suppression_lookup (db, normal, NULL);
      g_autofree char *when = old != NULL ? format_local_time (old->created_at) : g_strdup ("");

      /* Translators: “bob@example.com” is on the suppression list already
       * (Bounced, since 2026-11-30 10:00). */
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT,
                   _("“%s” is on the suppression list already (%s, since %s)."), normal,
                   old != NULL ? ct_suppression_reason_get_label (old->reason) : "", when);
      return FALSE;
    }
  ct_db_emit_changed (db, "suppressions");
  return TRUE;
}

gboolean
ct_suppression_remove (CtDb           *db,
                       const char     *email,
                       CtSuppression **out_removed,
                       GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(CtSuppression) old = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (email != NULL, FALSE);

  if (out_removed != NULL)
    *out_removed = NULL;
  old = ct_suppression_lookup (db, email, &local_error);
  if (old == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND,
                     _("“%s” is not on the suppression list."), email);
      return FALSE;
    }
  stmt = ct_db_prepare (db, "DELETE FROM suppressions WHERE email = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, old->email, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not remove from the suppression list"));
      return FALSE;
    }
  if (out_removed != NULL)
    *out_removed = g_steal_pointer (&old);
  ct_db_emit_changed (db, "suppressions");
  return TRUE;
}

gboolean
ct_suppression_restore (CtDb                *db,
                        const CtSuppression *suppression,
                        GError             **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean added = FALSE;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (suppression != NULL && suppression->email != NULL, FALSE);
  g_return_val_if_fail ((guint) suppression->reason < CT_SUPPRESSION_N_REASONS, FALSE);

  stmt = ct_db_prepare (db, INSERT_SQL, error);
  if (stmt == NULL
      || !insert_row (db, stmt, suppression->email, suppression->reason, suppression->source,
                      suppression->note, suppression->created_at, &added, error))
    return FALSE;
  if (added)
    ct_db_emit_changed (db, "suppressions");
  return TRUE;
}

/* ---- importing ---------------------------------------------------------- */

static void
problem_free (CtSuppressionProblem *p)
{
  g_free (p->text);
  g_free (p->message);
  g_free (p);
}

void
ct_suppression_import_free (CtSuppressionImport *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->problems, g_ptr_array_unref);
  g_free (self);
}

G_GNUC_PRINTF (4, 5)
static void
add_problem (CtSuppressionImport *report,
             guint                line,
             const char          *text,
             const char          *format,
             ...)
{
  CtSuppressionProblem *p = g_new0 (CtSuppressionProblem, 1);
  va_list args;

  p->line = line;
  p->text = g_strdup (text != NULL ? text : "");
  va_start (args, format);
  p->message = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (report->problems, p);
}

typedef enum
{
  COLUMN_EMAIL,
  COLUMN_REASON,
  COLUMN_NOTE,
  COLUMN_SOURCE,
  COLUMN_CREATED,
  N_COLUMNS
} Column;

/* Header words, as ct_parse_normalise_header() leaves them. */
static gboolean
header_column (const char *cell,
               Column     *out)
{
  static const struct
  {
    const char *word;
    Column      column;
  } words[] = {
    { "email", COLUMN_EMAIL }, { "emailaddress", COLUMN_EMAIL }, { "mail", COLUMN_EMAIL },
    { "address", COLUMN_EMAIL }, { "邮箱", COLUMN_EMAIL }, { "电子邮件", COLUMN_EMAIL },
    { "电子邮箱", COLUMN_EMAIL }, { "邮件", COLUMN_EMAIL }, { "邮箱地址", COLUMN_EMAIL },
    { "邮件地址", COLUMN_EMAIL }, { "郵箱", COLUMN_EMAIL }, { "電子郵件", COLUMN_EMAIL },
    { "reason", COLUMN_REASON }, { "原因", COLUMN_REASON }, { "status", COLUMN_REASON },
    { "状态", COLUMN_REASON }, { "type", COLUMN_REASON },
    { "note", COLUMN_NOTE }, { "notes", COLUMN_NOTE }, { "comment", COLUMN_NOTE },
    { "备注", COLUMN_NOTE }, { "说明", COLUMN_NOTE },
    { "source", COLUMN_SOURCE }, { "来源", COLUMN_SOURCE },
    { "createdat", COLUMN_CREATED }, { "created", COLUMN_CREATED }, { "date", COLUMN_CREATED },
    { "时间", COLUMN_CREATED }, { "日期", COLUMN_CREATED },
  };
  g_autofree char *key = ct_parse_normalise_header (cell);

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if (g_strcmp0 (key, words[i].word) == 0)
      {
        *out = words[i].column;
        return TRUE;
      }
  return FALSE;
}

/* Reads a header row: TRUE when it names an email column, with each
 * known column's index in @columns (-1 when absent). */
static gboolean
read_header (const char * const *fields,
             guint               n_fields,
             int                *columns)
{
  for (guint c = 0; c < N_COLUMNS; c++)
    columns[c] = -1;
  for (guint i = 0; i < n_fields; i++)
    {
      Column column;

      if (header_column (fields[i], &column) && columns[column] < 0)
        columns[column] = (int) i;
    }
  return columns[COLUMN_EMAIL] >= 0;
}

static const char *
cell (const char * const *fields,
      guint               n_fields,
      int                 column)
{
  if (column < 0 || (guint) column >= n_fields || fields[column] == NULL)
    return "";
  return ct_csv_cell_unneutralise (fields[column]);
}

CtSuppressionImport *
ct_suppression_import_text (CtDb        *db,
                            const char  *text,
                            gssize       len,
                            const char  *source,
                            GError     **error)
{
  g_autoptr(CtSuppressionImport) report = NULL;
  g_autoptr(CtCsvReader) reader = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GHashTable) seen = NULL;
  int columns[N_COLUMNS] = { 0, -1, -1, -1, -1 };
  gboolean first = TRUE;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gsize length;
  char delimiter;

  g_return_val_if_fail (CT_IS_DB (db), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  length = len < 0 ? strlen (text) : (gsize) len;
  report = g_new0 (CtSuppressionImport, 1);
  report->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) problem_free);
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  delimiter = ct_csv_detect_delimiter (text, length);
  reader = ct_csv_reader_new (text, length, delimiter);

  stmt = ct_db_prepare (db, INSERT_SQL, error);
  if (stmt == NULL || !ct_db_begin (db, error))
    return NULL;

  while (ct_csv_reader_next (reader))
    {
      guint n_fields = 0;
      const char * const *fields = ct_csv_reader_get_fields (reader, &n_fields);
      guint line = ct_csv_reader_get_line (reader);
      g_autofree char *email = NULL;
      g_autofree char *folded = NULL;
      const char *raw, *reason_text, *created_text;
      CtSuppressionReason reason = CT_SUPPRESSION_IMPORTED;
      gint64 created_at = now;
      gboolean added = FALSE;

      if (first)
        {
          first = FALSE;
          if (read_header (fields, n_fields, columns))
            continue;
          columns[COLUMN_EMAIL] = 0;
        }
      report->n_lines++;
      raw = cell (fields, n_fields, columns[COLUMN_EMAIL]);
      if (ct_csv_reader_get_unterminated (reader))
        {
          add_problem (report, line, raw,
                       _("A quoted field is never closed, so this line cannot be read."));
          continue;
        }
      email = ct_parse_email_normalise (raw);
      if (*email == '\0')
        {
          add_problem (report, line, raw, _("There is no email address on this line."));
          continue;
        }
      if (!ct_parse_email_valid (email))
        {
          add_problem (report, line, raw, _("“%s” is not an email address."), raw);
          continue;
        }
      reason_text = cell (fields, n_fields, columns[COLUMN_REASON]);
      if (*reason_text != '\0' && !ct_suppression_reason_from_string (reason_text, &reason))
        {
          add_problem (report, line, raw,
                       _("Unknown reason “%s”: use unsubscribed, bounced, complained, manual or imported."),
                       reason_text);
          continue;
        }
      created_text = cell (fields, n_fields, columns[COLUMN_CREATED]);
      if (*created_text != '\0')
        {
          g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (created_text, NULL);

          if (dt == NULL)
            {
              add_problem (report, line, raw,
                           _("“%s” is not a date and time such as 2026-11-30T10:00:00Z."),
                           created_text);
              continue;
            }
          created_at = g_date_time_to_unix (dt);
        }

      folded = g_utf8_casefold (email, -1);
      if (!g_hash_table_add (seen, g_steal_pointer (&folded)))
        {
          report->n_already++;
          continue;
        }
      {
        const char *row_source = cell (fields, n_fields, columns[COLUMN_SOURCE]);

        if (!insert_row (db, stmt, email, reason,
                         *row_source != '\0' ? row_source : source,
                         cell (fields, n_fields, columns[COLUMN_NOTE]), created_at, &added, error))
          {
            ct_db_rollback (db);
            return NULL;
          }
      }
      if (added)
        report->n_added++;
      else
        report->n_already++;
    }

  if (!ct_db_commit (db, error))
    {
      ct_db_rollback (db);
      return NULL;
    }
  if (report->n_added > 0)
    ct_db_emit_changed (db, "suppressions");
  return g_steal_pointer (&report);
}

CtSuppressionImport *
ct_suppression_import_file (CtDb          *db,
                            GFile         *file,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *text = NULL;
  g_autofree char *name = NULL;
  CtCsvEncoding encoding;
  gsize size, len = 0;
  const guint8 *data;

  g_return_val_if_fail (CT_IS_DB (db), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  bytes = g_file_load_bytes (file, cancellable, NULL, error);
  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &size);
  if (!ct_csv_detect_encoding (data, size, &encoding, error))
    return NULL;
  text = ct_csv_decode (data, size, encoding, &len, error);
  if (text == NULL)
    return NULL;
  name = g_file_get_basename (file);
  return ct_suppression_import_text (db, text, (gssize) len, name, error);
}

typedef struct
{
  char  *db_path;
  GFile *file;
} ImportJob;

static void
import_job_free (ImportJob *job)
{
  g_free (job->db_path);
  g_clear_object (&job->file);
  g_free (job);
}

static void
import_thread (GTask        *task,
               gpointer      source,
               gpointer      data,
               GCancellable *cancellable)
{
  ImportJob *job = data;
  GError *error = NULL;
  g_autoptr(CtDb) db = ct_db_open_full (job->db_path, CT_DB_OPEN_ALREADY_CHECKED, &error);
  CtSuppressionImport *report = NULL;

  if (db != NULL)
    report = ct_suppression_import_file (db, job->file, cancellable, &error);
  if (report == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, report, (GDestroyNotify) ct_suppression_import_free);
}

void
ct_suppression_import_file_async (CtDb                *db,
                                  GFile               *file,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ImportJob *job;

  g_return_if_fail (CT_IS_DB (db));
  g_return_if_fail (G_IS_FILE (file));

  job = g_new0 (ImportJob, 1);
  job->db_path = g_strdup (ct_db_get_path (db));
  job->file = g_object_ref (file);
  task = g_task_new (db, cancellable, callback, user_data);
  g_task_set_source_tag (task, ct_suppression_import_file_async);
  g_task_set_task_data (task, job, (GDestroyNotify) import_job_free);
  g_task_run_in_thread (task, import_thread);
}

CtSuppressionImport *
ct_suppression_import_file_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ct_suppression_import_file_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- exporting ---------------------------------------------------------- */

static const char * const export_columns[] = {
  "email", "reason", "source", "note", "created_at", NULL
};

gboolean
ct_suppression_export_to_file (CtDb             *db,
                               const char       *search,
                               CtCsvWriteFlags   flags,
                               GFile            *file,
                               guint            *n_rows_out,
                               GCancellable     *cancellable,
                               GError          **error)
{
  g_autofree char *pattern = like_pattern (search);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  CtExportFile *out;
  gboolean own = FALSE;
  gboolean ok;
  guint n = 0;
  int rc = SQLITE_DONE;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (n_rows_out != NULL)
    *n_rows_out = 0;
  stmt = ct_db_prepare (db, "SELECT " COLUMNS " FROM suppressions" SEARCH_SQL
                            " ORDER BY created_at DESC, email", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, pattern, -1, SQLITE_STATIC);

  out = ct_export_file_open (file, cancellable, error);
  if (out == NULL)
    return FALSE;
  if (!ct_export_begin_read (db, &own, error))
    {
      ct_export_file_abandon (out);
      return FALSE;
    }
  {
    g_autoptr(CtCsvWriter) writer = ct_csv_writer_new (ct_export_file_get_stream (out), flags);

    ok = ct_csv_writer_add_row (writer, export_columns, -1, cancellable, error);
    while (ok && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        g_autoptr(CtSuppression) s = from_row (stmt);
        g_autofree char *when = ct_export_format_time (s->created_at);
        const char *cells[] = {
          s->email, reason_names[s->reason], s->source, s->note, when,
        };

        ok = ct_csv_writer_add_row (writer, cells, G_N_ELEMENTS (cells), cancellable, error);
        n++;
      }
    if (ok && rc != SQLITE_DONE)
      {
        ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the suppression list"));
        ok = FALSE;
      }
    ok = ok && ct_csv_writer_flush (writer, cancellable, error);
  }
  ct_export_end_read (db, own);
  if (!ok)
    {
      ct_export_file_abandon (out);
      return FALSE;
    }
  if (!ct_export_file_commit (out, cancellable, error))
    return FALSE;
  if (n_rows_out != NULL)
    *n_rows_out = n;
  return TRUE;
}
