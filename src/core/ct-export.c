/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-export.c: lists out to CSV
 *
 * Each kind is one SELECT, stepped row by row inside one read
 * transaction and handed to the CSV writer, which writes in large
 * blocks: memory stays flat for a million purchases, and the file is
 * one consistent snapshot even while the app keeps writing on another
 * connection (WAL readers see the database as it was when they began).
 *
 * With a list of ids the same SELECT runs once per id, in the given
 * order, so that an export of a selection or a segment keeps the order
 * the person saw.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-contact.h"
#include "ct-export.h"
#include "ct-export-private.h"
#include "ct-money.h"
#include "ct-stats.h"
#include "ct-tier.h"

/* Rows between two checks of the cancellable when the writer has not
 * written (and so has not looked) for a while. */
#define CANCEL_CHECK_ROWS 1024

static const char * const contact_columns[] = {
  "email", "first_name", "last_name", "phone", "tags", "channel", "status",
  "created_at", "purchases", "total_spent", "last_purchase_at",
  "rfm_segment", "lifecycle", "tier", "points", "clv", "p_alive", "cluster",
  NULL
};

static const char * const purchase_columns[] = {
  "order_id", "source", "paid_at", "email", "phone", "name", "product",
  "amount", "currency", "channel", "refunded",
  NULL
};

static const char * const product_columns[] = {
  "name", "sku", "kind", "price", "currency", "active", "sales", "revenue",
  NULL
};

static const char * const kind_names[] = {
  [CT_EXPORT_CONTACTS] = "contacts",
  [CT_EXPORT_PURCHASES] = "purchases",
  [CT_EXPORT_PRODUCTS] = "products",
};

gboolean
ct_export_kind_from_string (const char   *text,
                            CtExportKind *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (g_ascii_strcasecmp (text, kind_names[i]) == 0)
      {
        *out = (CtExportKind) i;
        return TRUE;
      }
  return FALSE;
}

const char *
ct_export_kind_to_string (CtExportKind kind)
{
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (kind_names), NULL);
  return kind_names[kind];
}

const char * const *
ct_export_get_columns (CtExportKind kind)
{
  switch (kind)
    {
    case CT_EXPORT_CONTACTS:
      return contact_columns;
    case CT_EXPORT_PURCHASES:
      return purchase_columns;
    case CT_EXPORT_PRODUCTS:
      return product_columns;
    default:
      g_return_val_if_reached (NULL);
    }
}

/* Formatting */

char *
ct_export_format_amount (gint64      minor,
                         const char *currency)
{
  guint decimals = ct_money_decimals (currency);
  guint64 magnitude = minor < 0 ? -(guint64) minor : (guint64) minor;
  guint64 scale = 1;

  for (guint i = 0; i < decimals; i++)
    scale *= 10;

  if (decimals == 0)
    return g_strdup_printf ("%s%" G_GUINT64_FORMAT, minor < 0 ? "-" : "", magnitude);

  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%0*" G_GUINT64_FORMAT,
                          minor < 0 ? "-" : "", magnitude / scale,
                          (int) decimals, magnitude % scale);
}

char *
ct_export_format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_time);

  /* Out of GDateTime's range (years 1 to 9999): only a damaged row can
   * hold that, and an empty cell says less wrong than a made-up date. */
  if (time == NULL)
    return g_strdup ("");
  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

/* Writing a whole file or none */

struct _CtExportFile
{
  GFile             *file;
  GFileOutputStream *stream;
  gboolean           created;  /* an empty placeholder of ours to remove on failure */
};

CtExportFile *
ct_export_file_open (GFile         *file,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GFileOutputStream) placeholder = NULL;
  g_autoptr(GError) local_error = NULL;
  CtExportFile *self;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  self = g_new0 (CtExportFile, 1);
  self->file = g_object_ref (file);

  /* g_file_replace() writes a new file in place and only uses a
   * temporary file (renamed over the target on close, removed on a
   * failed close) when the target exists. So a missing target is first
   * created empty: a failure then leaves nothing but that placeholder,
   * which is removed, instead of half a file. */
  placeholder = g_file_create (file, G_FILE_CREATE_NONE, cancellable, &local_error);
  if (placeholder != NULL)
    {
      self->created = TRUE;
      if (!g_output_stream_close (G_OUTPUT_STREAM (placeholder), cancellable, error))
        {
          ct_export_file_abandon (self);
          return NULL;
        }
    }
  else if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      ct_export_file_abandon (self);
      return NULL;
    }

  self->stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                 cancellable, error);
  if (self->stream == NULL)
    {
      ct_export_file_abandon (self);
      return NULL;
    }

  return self;
}

GOutputStream *
ct_export_file_get_stream (CtExportFile *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return G_OUTPUT_STREAM (self->stream);
}

void
ct_export_file_abandon (CtExportFile *self)
{
  if (self == NULL)
    return;

  if (self->stream != NULL && !g_output_stream_is_closed (G_OUTPUT_STREAM (self->stream)))
    {
      g_autoptr(GCancellable) cancelled = g_cancellable_new ();

      /* Closing with a cancelled cancellable is how GIO is told to drop
       * the temporary file instead of renaming it over the target. */
      g_cancellable_cancel (cancelled);
      g_output_stream_close (G_OUTPUT_STREAM (self->stream), cancelled, NULL);
    }
  if (self->created)
    g_file_delete (self->file, NULL, NULL);

  g_clear_object (&self->stream);
  g_clear_object (&self->file);
  g_free (self);
}

gboolean
ct_export_file_commit (CtExportFile  *self,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (!g_output_stream_close (G_OUTPUT_STREAM (self->stream), cancellable, error))
    {
      ct_export_file_abandon (self);
      return FALSE;
    }

  g_clear_object (&self->stream);
  g_clear_object (&self->file);
  g_free (self);
  return TRUE;
}

/* Read transactions */

gboolean
ct_export_begin_read (CtDb      *db,
                      gboolean  *own,
                      GError   **error)
{
  *own = sqlite3_get_autocommit (ct_db_get_handle (db)) != 0;
  if (!*own)
    return TRUE;
  return ct_db_exec (db, "BEGIN DEFERRED", error);
}

void
ct_export_end_read (CtDb     *db,
                    gboolean  own)
{
  /* Nothing was written: ending the read either way is the same, and a
   * rollback cannot fail on a busy database. */
  if (own)
    ct_db_rollback (db);
}

/* Rows */

typedef struct
{
  CtDb            *db;
  CtExportKind     kind;
  CtCsvWriter     *writer;
  GCancellable    *cancellable;
  char             currency[4];   /* contacts: the main currency */
  gboolean         mixed;         /* contacts: purchases in more than one currency */
  guint            n_rows;
} ExportRun;

/* Contacts. total_spent in contacts mixes every currency (it is kept by
 * triggers for sorting); the file promises the main currency, so with
 * purchases in several currencies the sum is taken again for that one. */
#define CONTACT_COLUMNS_SQL \
  "SELECT c.email, c.first_name, c.last_name, c.phone," \
  " coalesce((SELECT group_concat(name, ', ') FROM" \
  "           (SELECT t.name FROM contact_tags x JOIN tags t ON t.id = x.tag_id" \
  "            WHERE x.contact_id = c.id ORDER BY t.name COLLATE NOCASE)), '')," \
  " coalesce(ch.name, ''), c.status, c.created_at, c.purchase_count," \
  " CASE WHEN ?1 THEN (SELECT coalesce(sum(s.amount), 0) FROM purchases s" \
  "                    WHERE s.contact_id = c.id AND s.refunded = 0 AND s.currency = ?2)" \
  "      ELSE c.total_spent END," \
  " c.last_purchase_at," \
  " m.rfm_segment, m.lifecycle, m.clv_predictive, m.currency, m.p_alive, m.cluster," \
  " tr.name, tr.builtin, lo.points" \
  " FROM contacts c LEFT JOIN channels ch ON ch.id = c.channel_id" \
  " LEFT JOIN contact_metrics m ON m.contact_id = c.id" \
  " LEFT JOIN contact_loyalty lo ON lo.contact_id = c.id" \
  " LEFT JOIN tiers tr ON tr.level = lo.tier_level"

/* The contacts list's default order, which the contacts_name_order index
 * gives without sorting. */
#define CONTACT_ORDER_SQL \
  " ORDER BY coalesce(nullif(c.last_name || c.first_name, ''), c.email, c.phone)" \
  " COLLATE NOCASE, c.id"

#define PURCHASE_COLUMNS_SQL \
  "SELECT p.external_ref, p.source, p.purchased_at, c.email, c.phone," \
  " c.first_name, c.last_name, pr.name, p.amount, p.currency, ch.name, p.refunded" \
  " FROM purchases p LEFT JOIN contacts c ON c.id = p.contact_id" \
  " LEFT JOIN products pr ON pr.id = p.product_id" \
  " LEFT JOIN channels ch ON ch.id = p.channel_id"

#define PURCHASE_ORDER_SQL " ORDER BY p.purchased_at, p.id"

/* Sales and revenue as the Products page shows them: purchases not
 * refunded, revenue in the product's own currency. */
#define PRODUCT_COLUMNS_SQL \
  "SELECT p.name, p.sku, p.kind, p.price, p.currency, p.active," \
  " (SELECT count(*) FROM purchases s WHERE s.product_id = p.id AND s.refunded = 0)," \
  " (SELECT coalesce(sum(s.amount), 0) FROM purchases s" \
  "  WHERE s.product_id = p.id AND s.refunded = 0 AND s.currency = p.currency)" \
  " FROM products p"

#define PRODUCT_ORDER_SQL " ORDER BY p.name COLLATE NOCASE, p.id"

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return text != NULL ? text : "";
}

static char *
column_time (sqlite3_stmt *stmt,
             int           column)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return g_strdup ("");
  return ct_export_format_time (sqlite3_column_int64 (stmt, column));
}

static gboolean
write_contact (ExportRun     *run,
               sqlite3_stmt  *stmt,
               GError       **error)
{
  g_autofree char *created = column_time (stmt, 7);
  g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 8));
  g_autofree char *spent = ct_export_format_amount (sqlite3_column_int64 (stmt, 9), run->currency);
  g_autofree char *last = column_time (stmt, 10);
  g_autofree char *clv = NULL;
  g_autofree char *p_alive = NULL;
  g_autofree char *cluster = NULL;
  g_autofree char *points = g_strdup_printf ("%lld", (long long) sqlite3_column_int64 (stmt, 19));
  const char *tier = ct_tier_builtin_label (column_text (stmt, 18));
  const char *cells[18];

  /* The analytics columns come from the cache of the last stored
   * analysis (ct-analytics.h) and stay empty where it has nothing: no
   * analysis yet, a contact added since, a model that could not be
   * fitted. A guess would mislead a script more than a blank. clv is the
   * predicted lifetime value in major units of the analysis's currency;
   * cluster is numbered from 1, as people see it. tier: the tier the
   * contact was last placed in (ct-tier.h), empty before the first
   * placement; points: the balance, 0 for a contact who never had any. */
  if (sqlite3_column_type (stmt, 13) != SQLITE_NULL)
    clv = ct_export_format_amount (sqlite3_column_int64 (stmt, 13), column_text (stmt, 14));
  if (sqlite3_column_type (stmt, 15) != SQLITE_NULL)
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      p_alive = g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.4f",
                                           sqlite3_column_double (stmt, 15)));
    }
  if (sqlite3_column_type (stmt, 16) != SQLITE_NULL)
    cluster = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 16) + 1);

  cells[0] = column_text (stmt, 0);
  cells[1] = column_text (stmt, 1);
  cells[2] = column_text (stmt, 2);
  cells[3] = column_text (stmt, 3);
  cells[4] = column_text (stmt, 4);
  cells[5] = column_text (stmt, 5);
  cells[6] = column_text (stmt, 6);
  cells[7] = created;
  cells[8] = count;
  cells[9] = spent;
  cells[10] = last;
  cells[11] = column_text (stmt, 11);   /* rfm_segment */
  cells[12] = column_text (stmt, 12);   /* lifecycle */
  cells[13] = tier != NULL ? tier : column_text (stmt, 17);
  cells[14] = points;
  cells[15] = clv != NULL ? clv : "";
  cells[16] = p_alive != NULL ? p_alive : "";
  cells[17] = cluster != NULL ? cluster : "";

  G_STATIC_ASSERT (G_N_ELEMENTS (cells) == G_N_ELEMENTS (contact_columns) - 1);
  return ct_csv_writer_add_row (run->writer, cells, G_N_ELEMENTS (cells),
                                run->cancellable, error);
}

static gboolean
write_purchase (ExportRun     *run,
                sqlite3_stmt  *stmt,
                GError       **error)
{
  const char *currency = column_text (stmt, 9);
  g_autofree char *paid = column_time (stmt, 2);
  g_autofree char *name = ct_contact_format_name (column_text (stmt, 5), column_text (stmt, 6));
  g_autofree char *amount = ct_export_format_amount (sqlite3_column_int64 (stmt, 8), currency);
  const char *cells[] = {
    column_text (stmt, 0), column_text (stmt, 1), paid, column_text (stmt, 3),
    column_text (stmt, 4), name, column_text (stmt, 7), amount, currency,
    column_text (stmt, 10), sqlite3_column_int (stmt, 11) ? "yes" : "no",
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (cells) == G_N_ELEMENTS (purchase_columns) - 1);
  return ct_csv_writer_add_row (run->writer, cells, G_N_ELEMENTS (cells),
                                run->cancellable, error);
}

static gboolean
write_product (ExportRun     *run,
               sqlite3_stmt  *stmt,
               GError       **error)
{
  const char *currency = column_text (stmt, 4);
  g_autofree char *price = ct_export_format_amount (sqlite3_column_int64 (stmt, 3), currency);
  g_autofree char *sales = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, 6));
  g_autofree char *revenue = ct_export_format_amount (sqlite3_column_int64 (stmt, 7), currency);
  const char *cells[] = {
    column_text (stmt, 0), column_text (stmt, 1), column_text (stmt, 2), price,
    currency, sqlite3_column_int (stmt, 5) ? "yes" : "no", sales, revenue,
  };

  G_STATIC_ASSERT (G_N_ELEMENTS (cells) == G_N_ELEMENTS (product_columns) - 1);
  return ct_csv_writer_add_row (run->writer, cells, G_N_ELEMENTS (cells),
                                run->cancellable, error);
}

static gboolean
write_row (ExportRun     *run,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  gboolean ok = FALSE;

  switch (run->kind)
    {
    case CT_EXPORT_CONTACTS:
      ok = write_contact (run, stmt, error);
      break;
    case CT_EXPORT_PURCHASES:
      ok = write_purchase (run, stmt, error);
      break;
    case CT_EXPORT_PRODUCTS:
      ok = write_product (run, stmt, error);
      break;
    }
  if (!ok)
    return FALSE;

  run->n_rows++;
  if (run->n_rows % CANCEL_CHECK_ROWS == 0
      && g_cancellable_set_error_if_cancelled (run->cancellable, error))
    return FALSE;
  return TRUE;
}

/* Steps @stmt to its end, writing each row. */
static gboolean
write_rows (ExportRun     *run,
            sqlite3_stmt  *stmt,
            GError       **error)
{
  sqlite3 *handle = ct_db_get_handle (run->db);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (!write_row (run, stmt, error))
      return FALSE;

  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, handle, rc, NULL);
      return FALSE;
    }
  return TRUE;
}

static const char *
kind_sql (CtExportKind  kind,
          gboolean      by_id)
{
  switch (kind)
    {
    case CT_EXPORT_CONTACTS:
      return by_id ? CONTACT_COLUMNS_SQL " WHERE c.id = ?3" : CONTACT_COLUMNS_SQL CONTACT_ORDER_SQL;
    case CT_EXPORT_PURCHASES:
      return by_id ? PURCHASE_COLUMNS_SQL " WHERE p.id = ?3" : PURCHASE_COLUMNS_SQL PURCHASE_ORDER_SQL;
    case CT_EXPORT_PRODUCTS:
      return by_id ? PRODUCT_COLUMNS_SQL " WHERE p.id = ?3" : PRODUCT_COLUMNS_SQL PRODUCT_ORDER_SQL;
    default:
      g_return_val_if_reached (NULL);
    }
}

static gboolean
find_currencies (ExportRun  *run,
                 GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  CtStats stats;
  gint64 n;

  if (!ct_stats_load (run->db, &stats, error))
    return FALSE;
  g_strlcpy (run->currency, stats.currency[0] != '\0' ? stats.currency : "CNY",
             sizeof run->currency);

  n = ct_db_query_int64 (run->db,
                         "SELECT EXISTS (SELECT 1 FROM purchases WHERE currency !="
                         " (SELECT currency FROM purchases LIMIT 1))", &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  run->mixed = n != 0;
  return TRUE;
}

static gboolean
export_rows (ExportRun     *run,
             GArray        *ids,
             GError       **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = ct_db_prepare (run->db, kind_sql (run->kind, ids != NULL), error);
  if (stmt == NULL)
    return FALSE;

  if (run->kind == CT_EXPORT_CONTACTS)
    {
      sqlite3_bind_int (stmt, 1, run->mixed);
      sqlite3_bind_text (stmt, 2, run->currency, -1, SQLITE_TRANSIENT);
    }

  if (ids == NULL)
    return write_rows (run, stmt, error);

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      guint before = run->n_rows;

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 3, id);
      if (!write_rows (run, stmt, error))
        return FALSE;
      if (run->n_rows == before)
        {
          switch (run->kind)
            {
            case CT_EXPORT_CONTACTS:
              g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND,
                           _("There is no contact with id %lld to export."), (long long) id);
              break;
            case CT_EXPORT_PURCHASES:
              g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND,
                           _("There is no purchase with id %lld to export."), (long long) id);
              break;
            case CT_EXPORT_PRODUCTS:
            default:
              g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND,
                           _("There is no product with id %lld to export."), (long long) id);
              break;
            }
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * ct_export_write:
 *
 * Writes the header and the rows of @kind to @out. See ct-export.h for
 * the columns and formats.
 */
gboolean
ct_export_write (CtDb             *db,
                 CtExportKind      kind,
                 GArray           *ids,
                 CtCsvWriteFlags   flags,
                 GOutputStream    *out,
                 guint            *n_rows_out,
                 GCancellable     *cancellable,
                 GError          **error)
{
  g_autoptr(CtCsvWriter) writer = NULL;
  ExportRun run = { 0 };
  gboolean own = FALSE;
  gboolean ok;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (kind_names), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (ids == NULL || g_array_get_element_size (ids) == sizeof (gint64), FALSE);

  if (n_rows_out != NULL)
    *n_rows_out = 0;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  writer = ct_csv_writer_new (out, flags);
  run.db = db;
  run.kind = kind;
  run.writer = writer;
  run.cancellable = cancellable;

  if (!ct_export_begin_read (db, &own, error))
    return FALSE;

  ok = (kind != CT_EXPORT_CONTACTS || find_currencies (&run, error))
       && ct_csv_writer_add_row (writer, ct_export_get_columns (kind), -1, cancellable, error)
       && export_rows (&run, ids, error)
       && ct_csv_writer_flush (writer, cancellable, error);

  ct_export_end_read (db, own);

  if (ok && n_rows_out != NULL)
    *n_rows_out = run.n_rows;
  return ok;
}

/**
 * ct_export_to_file:
 *
 * Like ct_export_write() into @file, which is replaced only when
 * everything was written.
 */
gboolean
ct_export_to_file (CtDb             *db,
                   CtExportKind      kind,
                   GArray           *ids,
                   CtCsvWriteFlags   flags,
                   GFile            *file,
                   guint            *n_rows_out,
                   GCancellable     *cancellable,
                   GError          **error)
{
  CtExportFile *out;
  guint n_rows = 0;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (n_rows_out != NULL)
    *n_rows_out = 0;

  out = ct_export_file_open (file, cancellable, error);
  if (out == NULL)
    return FALSE;

  if (!ct_export_write (db, kind, ids, flags, ct_export_file_get_stream (out),
                        &n_rows, cancellable, error))
    {
      ct_export_file_abandon (out);
      return FALSE;
    }
  if (!ct_export_file_commit (out, cancellable, error))
    return FALSE;

  if (n_rows_out != NULL)
    *n_rows_out = n_rows;
  return TRUE;
}

/* In a worker thread */

typedef struct
{
  char            *db_path;
  CtExportKind     kind;
  GArray          *ids;
  CtCsvWriteFlags  flags;
  GFile           *file;
} ExportTaskData;

static void
export_task_data_free (ExportTaskData *data)
{
  g_free (data->db_path);
  g_clear_pointer (&data->ids, g_array_unref);
  g_clear_object (&data->file);
  g_free (data);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportTaskData *data = task_data;
  g_autoptr(CtDb) db = NULL;
  g_autoptr(GError) error = NULL;
  guint n_rows = 0;

  /* A connection of the thread's own: an SQLite connection must not be
   * used from two threads at once, and the app's stays free meanwhile. */
  db = ct_db_open_full (data->db_path, CT_DB_OPEN_ALREADY_CHECKED, &error);
  if (db == NULL
      || !ct_export_to_file (db, data->kind, data->ids, data->flags, data->file,
                             &n_rows, cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_int (task, n_rows);
}

void
ct_export_to_file_async (CtDb                *db,
                         CtExportKind         kind,
                         GArray              *ids,
                         CtCsvWriteFlags      flags,
                         GFile               *file,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ExportTaskData *data;

  g_return_if_fail (CT_IS_DB (db));
  g_return_if_fail ((guint) kind < G_N_ELEMENTS (kind_names));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (ids == NULL || g_array_get_element_size (ids) == sizeof (gint64));

  data = g_new0 (ExportTaskData, 1);
  data->db_path = g_strdup (ct_db_get_path (db));
  data->kind = kind;
  data->flags = flags;
  data->file = g_object_ref (file);
  if (ids != NULL)
    {
      data->ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), ids->len);
      g_array_append_vals (data->ids, ids->data, ids->len);
    }

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ct_export_to_file_async);
  g_task_set_task_data (task, data, (GDestroyNotify) export_task_data_free);
  g_task_run_in_thread (task, export_thread);
}

gboolean
ct_export_to_file_finish (GAsyncResult  *result,
                          guint         *n_rows_out,
                          GError       **error)
{
  gssize n_rows;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ct_export_to_file_async, FALSE);

  n_rows = g_task_propagate_int (G_TASK (result), error);
  if (n_rows < 0)
    return FALSE;
  if (n_rows_out != NULL)
    *n_rows_out = (guint) n_rows;
  return TRUE;
}
