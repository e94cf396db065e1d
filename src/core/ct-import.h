/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-import.h: importing contacts and purchases from CSV (and vCard)
 *
 * The steps a user goes through are the steps of the API:
 *
 *   1. ct_importer_new() and ct_importer_load_file_async(): reads the file,
 *      detects its encoding, delimiter and header row, guesses what each
 *      column holds and reads the first rows for a preview.
 *   2. Optionally change any of it: ct_importer_set_encoding(),
 *      _set_delimiter(), _set_has_header() (each re-reads the columns and
 *      the preview and emits ::columns-changed), _set_column_field(), and
 *      the options (day first, duplicates, source, currency).
 *   3. Show the preview: ct_importer_get_preview_row() and
 *      ct_importer_check_preview_row() give each row and its problem.
 *      ct_importer_check_mapping() says what is missing before a run.
 *   4. ct_importer_run_async() with dry_run TRUE gives exact counts
 *      (the work is done in a transaction that is rolled back); with
 *      dry_run FALSE the valid rows are written in one transaction on a
 *      worker thread with its own database connection. Cancelling rolls
 *      everything back, as does a crash or a kill.
 *   5. The CtImportResult has the counts and the rejected rows, which
 *      ct_import_result_write_rejects() saves as a CSV to fix and
 *      re-import.
 *
 * After a run that committed (ct_import_result_get_committed()), the
 * caller emits ct_db_emit_changed (db, "contacts"), and for purchases
 * also "purchases" and "products", on its own connection: the worker's
 * connection has no listeners.
 *
 * A CtImporter must not be changed while a run is in progress.
 */
#pragma once

#include "ct-csv.h"
#include "ct-db.h"

G_BEGIN_DECLS

#define CT_IMPORT_ERROR (ct_import_error_quark ())

typedef enum
{
  CT_IMPORT_ERROR_READ,      /* the file cannot be read */
  CT_IMPORT_ERROR_ENCODING,  /* not text in the detected or chosen encoding */
  CT_IMPORT_ERROR_BINARY,    /* a workbook or other binary file */
  CT_IMPORT_ERROR_EMPTY,     /* no rows at all */
  CT_IMPORT_ERROR_MAPPING,   /* no usable column mapped, or a required one missing */
} CtImportError;

GQuark ct_import_error_quark (void);

typedef enum
{
  CT_IMPORT_CONTACTS,
  CT_IMPORT_PURCHASES,
} CtImportKind;

typedef enum
{
  CT_IMPORT_FIELD_IGNORE,
  CT_IMPORT_FIELD_EMAIL,
  CT_IMPORT_FIELD_NAME,         /* full name, split into first and last */
  CT_IMPORT_FIELD_FIRST_NAME,
  CT_IMPORT_FIELD_LAST_NAME,
  CT_IMPORT_FIELD_PHONE,
  CT_IMPORT_FIELD_COMPANY,
  CT_IMPORT_FIELD_CHANNEL,
  CT_IMPORT_FIELD_TAGS,
  CT_IMPORT_FIELD_STATUS,
  CT_IMPORT_FIELD_NOTES,
  CT_IMPORT_FIELD_CREATED_AT,
  CT_IMPORT_FIELD_ORDER_ID,     /* purchases: the external reference */
  CT_IMPORT_FIELD_PRODUCT,      /* product name or SKU */
  CT_IMPORT_FIELD_AMOUNT,
  CT_IMPORT_FIELD_CURRENCY,
  CT_IMPORT_FIELD_PAID_AT,
  CT_IMPORT_FIELD_REFUNDED,
  CT_IMPORT_FIELD_SOURCE,       /* purchases: overrides the importer's source per row */
  CT_IMPORT_FIELD_REFERRER,     /* contacts: the email or phone of who referred them */
  CT_IMPORT_N_FIELDS
} CtImportField;

/* "email", "first_name", "paid_at"... as --map takes them; "ignore". */
const char   *ct_import_field_to_string   (CtImportField  field);
/* Also accepts "first-name", "First Name" and the Chinese header words
 * the guesser knows ("邮箱"). */
gboolean      ct_import_field_from_string (const char     *text,
                                           CtImportField  *out);
/* Translated, for the mapping page: "Email", "Paid at", "Do not import". */
const char   *ct_import_field_get_label   (CtImportField  field);
/* The fields a column can be mapped to for @kind, IGNORE first.
 * Returns: (transfer none) (array length=n_fields) */
const CtImportField *ct_import_kind_get_fields (CtImportKind  kind,
                                                guint        *n_fields);

typedef enum
{
  CT_IMPORT_DUPLICATES_UPDATE_EMPTY,  /* fill the fields that are empty */
  CT_IMPORT_DUPLICATES_OVERWRITE,     /* the file's non-empty values win */
  CT_IMPORT_DUPLICATES_SKIP,          /* leave existing contacts alone */
} CtImportDuplicates;

/* "update-empty", "overwrite", "skip" */
const char   *ct_import_duplicates_to_string   (CtImportDuplicates  policy);
gboolean      ct_import_duplicates_from_string (const char         *text,
                                                CtImportDuplicates *out);

/* Called with the share of the file done, 0 to 1. */
typedef void (*CtImportProgress) (double   fraction,
                                  gpointer user_data);

/* Result */

typedef struct
{
  guint  line;      /* physical line of the file where the row starts */
  char  *column;    /* the column at fault, NULL when the row as a whole is */
  char  *reason;    /* translated, without the line: "“2024-13-45” in 支付时间 is not a date" */
  char  *message;   /* translated, with it: "Line 14: “2024-13-45” in 支付时间 is not a date" */
  GStrv  fields;    /* the row's cells as read */
} CtImportReject;

typedef struct _CtImportResult CtImportResult;

CtImportResult *ct_import_result_ref          (CtImportResult *self);
void            ct_import_result_unref        (CtImportResult *self);
guint           ct_import_result_get_imported (CtImportResult *self);
guint           ct_import_result_get_updated  (CtImportResult *self);
guint           ct_import_result_get_skipped  (CtImportResult *self);
guint           ct_import_result_get_rejected (CtImportResult *self);
/* Purchases: contacts created for emails or phones not known before. */
guint           ct_import_result_get_contacts_created (CtImportResult *self);
/* FALSE after a dry run, or when all-or-nothing met a rejected row. */
gboolean        ct_import_result_get_committed (CtImportResult *self);
/* Returns: (transfer none): the rejected row @index, in file order */
const CtImportReject *ct_import_result_get_reject (CtImportResult *self,
                                                   guint           index);
/* "imported 12, updated 3, skipped 0, rejected 2" (not translated: the
 * command line prints it for scripts). Returns: (transfer full) */
char           *ct_import_result_to_string    (CtImportResult *self);
/* Writes the rejected rows as a UTF-8 CSV (with a BOM, for Excel): the
 * file's header with a "reason" column added, then each rejected row's
 * cells and its message. Fix the rows and import that file. */
gboolean        ct_import_result_write_rejects (CtImportResult  *self,
                                                GFile           *file,
                                                GCancellable    *cancellable,
                                                GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtImportResult, ct_import_result_unref)

/* Importer */

#define CT_TYPE_IMPORTER (ct_importer_get_type ())
G_DECLARE_FINAL_TYPE (CtImporter, ct_importer, CT, IMPORTER, GObject)

/* Properties (notify only on change): "kind" (construct-only),
 * "file-name" (read-only, for display), "encoding" (CtCsvEncoding as
 * int), "delimiter" (uint, the character), "has-header", "n-columns"
 * (read-only), "day-first", "on-duplicate" (CtImportDuplicates as int),
 * "source" (purchases: with the order id, what makes re-import
 * idempotent; derived from the file name, "import" when there is none),
 * "default-currency" ("CNY"), "all-or-nothing" (import nothing when a
 * row is rejected).
 *
 * Signal ::columns-changed: the columns, their mapping and the preview
 * were read again (after loading, or a change of encoding, delimiter or
 * header row). */

CtImporter   *ct_importer_new               (CtImportKind   kind);
CtImportKind  ct_importer_get_kind          (CtImporter    *self);

/* Reads a file. A file that cannot be read, is a workbook, or is not
 * text in any known encoding fails with CT_IMPORT_ERROR; in the last
 * case the bytes are kept and ct_importer_set_encoding() may be tried. */
gboolean      ct_importer_load_file         (CtImporter    *self,
                                             GFile         *file,
                                             GCancellable  *cancellable,
                                             GError       **error);
void          ct_importer_load_file_async   (CtImporter          *self,
                                             GFile               *file,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean      ct_importer_load_file_finish  (CtImporter    *self,
                                             GAsyncResult  *result,
                                             GError       **error);
/* The same from bytes in memory; @file_name (nullable) names the source. */
gboolean      ct_importer_load_bytes        (CtImporter    *self,
                                             GBytes        *bytes,
                                             const char    *file_name,
                                             GError       **error);
/* Reads a vCard file (3.0 or 4.0) as contacts: the columns are email,
 * first name, last name, phone, company, tags and notes, mapped. Kind
 * must be CT_IMPORT_CONTACTS. */
gboolean      ct_importer_load_vcard        (CtImporter    *self,
                                             GBytes        *bytes,
                                             const char    *file_name,
                                             GError       **error);

const char   *ct_importer_get_file_name     (CtImporter    *self);

CtCsvEncoding ct_importer_get_encoding      (CtImporter    *self);
/* Decodes the file again; on failure the previous state is kept. */
gboolean      ct_importer_set_encoding      (CtImporter    *self,
                                             CtCsvEncoding  encoding,
                                             GError       **error);
char          ct_importer_get_delimiter     (CtImporter    *self);
void          ct_importer_set_delimiter     (CtImporter    *self,
                                             char           delimiter);
gboolean      ct_importer_get_has_header    (CtImporter    *self);
void          ct_importer_set_has_header    (CtImporter    *self,
                                             gboolean       has_header);

guint         ct_importer_get_n_columns     (CtImporter    *self);
/* The header cell, or "Column 3" without a header. Returns: (transfer none) */
const char   *ct_importer_get_column_name   (CtImporter    *self,
                                             guint          column);
CtImportField ct_importer_get_column_field  (CtImporter    *self,
                                             guint          column);
/* Maps @column to @field; a field other than IGNORE is taken away from
 * any other column that had it. */
void          ct_importer_set_column_field  (CtImporter    *self,
                                             guint          column,
                                             CtImportField  field);
/* For --map COLUMN=FIELD: @column is a header (compared as the guesser
 * does) or a 1-based number, @field as ct_import_field_from_string().
 * CT_IMPORT_ERROR_MAPPING naming what was not found. */
gboolean      ct_importer_map_column        (CtImporter    *self,
                                             const char    *column,
                                             const char    *field,
                                             GError       **error);
/* Whether the mapping can import anything: contacts need an email, name
 * or phone column; purchases an amount, a paid-at and an email or phone
 * column. CT_IMPORT_ERROR_MAPPING says what to map. */
gboolean      ct_importer_check_mapping     (CtImporter    *self,
                                             GError       **error);

gboolean      ct_importer_get_day_first     (CtImporter    *self);
void          ct_importer_set_day_first     (CtImporter    *self,
                                             gboolean       day_first);
CtImportDuplicates ct_importer_get_on_duplicate (CtImporter *self);
void          ct_importer_set_on_duplicate  (CtImporter         *self,
                                             CtImportDuplicates  policy);
const char   *ct_importer_get_source        (CtImporter    *self);
void          ct_importer_set_source        (CtImporter    *self,
                                             const char    *source);
const char   *ct_importer_get_default_currency (CtImporter *self);
void          ct_importer_set_default_currency (CtImporter *self,
                                                const char *currency);
gboolean      ct_importer_get_all_or_nothing (CtImporter   *self);
void          ct_importer_set_all_or_nothing (CtImporter   *self,
                                              gboolean      all_or_nothing);

/* The first rows after the header (up to 100), for the preview. */
guint         ct_importer_get_n_preview_rows (CtImporter   *self);
/* Returns: (transfer none) (array length=n_fields): the cells as read */
const char * const *ct_importer_get_preview_row (CtImporter *self,
                                                 guint       row,
                                                 guint      *n_fields,
                                                 guint      *line);
/* What is wrong with a preview row under the current mapping and
 * options, as the run would say it ("Line 14: …"), or NULL when it would
 * import. Checks the cells only, not the database.
 * Returns: (transfer full) (nullable) */
char         *ct_importer_check_preview_row (CtImporter    *self,
                                             guint          row);

/* Runs the import on the calling thread with @db. @progress may be NULL.
 * With @dry_run the transaction is rolled back at the end, so the counts
 * are exact and nothing changes. Cancelling gives G_IO_ERROR_CANCELLED
 * and leaves the database as it was; a database failure gives
 * CT_DB_ERROR, also with nothing changed.
 * Returns: (transfer full) (nullable) */
CtImportResult *ct_importer_run             (CtImporter        *self,
                                             CtDb              *db,
                                             gboolean           dry_run,
                                             CtImportProgress   progress,
                                             gpointer           progress_data,
                                             GCancellable      *cancellable,
                                             GError           **error);
/* The same on a worker thread, which opens its own connection to
 * ct_db_get_path (@db). @progress is called on the thread-default main
 * context of the caller; @progress_destroy frees @progress_data when the
 * run is over. Emit CtDb::changed yourself after a committed run. */
void          ct_importer_run_async         (CtImporter          *self,
                                             CtDb                *db,
                                             gboolean             dry_run,
                                             CtImportProgress     progress,
                                             gpointer             progress_data,
                                             GDestroyNotify       progress_destroy,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
/* Returns: (transfer full) (nullable) */
CtImportResult *ct_importer_run_finish      (CtImporter    *self,
                                             GAsyncResult  *result,
                                             GError       **error);

G_END_DECLS
