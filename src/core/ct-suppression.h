/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-suppression.h: the suppression list, addresses no campaign mails
 *
 * An address lands here when the provider reports an unsubscribe, a
 * bounce or a complaint (ct_outbox_sync()), when the owner adds it by
 * hand, or from a file of addresses. ct_outbox_launch() and the
 * automations leave these addresses out whatever the contact's status.
 * Addresses are kept, and compared, ignoring case, so that they hold for
 * a contact deleted and imported again. Removing an address lets
 * campaigns reach it again unless the contact itself is marked
 * unsubscribed, bounced or complained; the contact's status is left as
 * it is either way.
 */
#pragma once

#include <gio/gio.h>

#include "ct-db.h"
#include "ct-csv.h"

G_BEGIN_DECLS

typedef enum
{
  CT_SUPPRESSION_UNSUBSCRIBED,
  CT_SUPPRESSION_BOUNCED,
  CT_SUPPRESSION_COMPLAINED,
  CT_SUPPRESSION_MANUAL,     /* added by hand */
  CT_SUPPRESSION_IMPORTED,   /* from a file of addresses */
  CT_SUPPRESSION_N_REASONS
} CtSuppressionReason;

/* "unsubscribed", "bounced", "complained", "manual", "imported": as
 * stored and exported. */
const char *ct_suppression_reason_to_string   (CtSuppressionReason  reason);
/* Accepts the stored names, the English and Chinese labels and the
 * words ct_parse_status() knows for unsubscribed, bounced and
 * complained ("退订", "spam"...), ignoring case. */
gboolean    ct_suppression_reason_from_string (const char          *text,
                                               CtSuppressionReason *out);
/* For people, translated: "Unsubscribed", "Added by hand"... */
const char *ct_suppression_reason_get_label   (CtSuppressionReason  reason);

typedef struct
{
  char                *email;
  CtSuppressionReason  reason;
  char                *source;      /* the provider, or the file imported; "" when none */
  char                *note;        /* the owner's words, for those added by hand; "" when none */
  gint64               created_at;  /* Unix seconds */
} CtSuppression;

CtSuppression *ct_suppression_copy (const CtSuppression *self);
void           ct_suppression_free (CtSuppression       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtSuppression, ct_suppression_free)

/* How many addresses are suppressed; with @search (nullable, "" for
 * all) only those whose address, note or source contain it, ignoring
 * case. Returns -1 with @error set on failure. */
gint64         ct_suppression_count  (CtDb        *db,
                                      const char  *search,
                                      GError     **error);
/* The suppressions matching @search as for ct_suppression_count(),
 * newest first, @limit of them (0: all) from @offset.
 * Returns: (transfer full) (element-type CtSuppression) (nullable) */
GPtrArray     *ct_suppression_list   (CtDb        *db,
                                      const char  *search,
                                      guint        offset,
                                      guint        limit,
                                      GError     **error);
/* The suppression of @email, or NULL: with @error set on failure, or
 * with @error unset when the address is not on the list.
 * Returns: (transfer full) (nullable) */
CtSuppression *ct_suppression_lookup (CtDb        *db,
                                      const char  *email,
                                      GError     **error);

/* Adds @email (white space and full-width forms are tidied as
 * ct_parse_email_normalise() does) with @reason and @note (nullable).
 * Fails with CT_DB_ERROR_INVALID for an address that is not one, and
 * CT_DB_ERROR_CONSTRAINT when it is on the list already (the message
 * says since when and why). Emits "changed::suppressions". */
gboolean       ct_suppression_add     (CtDb                *db,
                                       const char          *email,
                                       CtSuppressionReason  reason,
                                       const char          *note,
                                       GError             **error);
/* Takes @email off the list; CT_DB_ERROR_NOT_FOUND when it is not on
 * it. @out_removed (nullable) receives the row as it was, for Undo
 * through ct_suppression_restore(). Emits "changed::suppressions". */
gboolean       ct_suppression_remove  (CtDb                *db,
                                       const char          *email,
                                       CtSuppression      **out_removed,
                                       GError             **error);
/* Puts back a row exactly as ct_suppression_remove() gave it (its time
 * included). An address that is on the list again meanwhile is left as
 * it is. Emits "changed::suppressions". */
gboolean       ct_suppression_restore (CtDb                *db,
                                       const CtSuppression *suppression,
                                       GError             **error);

/* Importing a list. The file is a CSV (any delimiter and encoding that
 * ct-csv detects) or plain text with one address a line. With a header
 * row naming an email column ("email", "e-mail", "address", "邮箱"...),
 * that column holds the addresses and optional "reason" and "note"
 * columns the rest (a reason left empty means imported); without one,
 * the first field of each line is the address. Each line that is not an
 * address, or has a reason this list does not know, is reported with its
 * line number and why; the rest are added in one transaction. Addresses
 * on the list already (or twice in the file) are counted, not changed. */
typedef struct
{
  guint  line;     /* 1-based, in the file */
  char  *text;     /* what the line held where the address should be */
  char  *message;  /* why it was not added, translated */
} CtSuppressionProblem;

typedef struct
{
  guint      n_lines;     /* data lines read, the header not counted */
  guint      n_added;
  guint      n_already;   /* on the list already, or repeated in the file */
  GPtrArray *problems;    /* (element-type CtSuppressionProblem) */
} CtSuppressionImport;

void     ct_suppression_import_free   (CtSuppressionImport *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtSuppressionImport, ct_suppression_import_free)

/* Imports @text (UTF-8; @len -1 when NUL-terminated). @source names
 * where it came from (the file's name) for the list's source column.
 * Returns: (transfer full) (nullable): the report, NULL with @error set
 * when the database failed (then nothing was added). */
CtSuppressionImport *ct_suppression_import_text (CtDb        *db,
                                                 const char  *text,
                                                 gssize       len,
                                                 const char  *source,
                                                 GError     **error);
/* Reads @file, detecting its encoding (CT_CSV_ERROR for a binary file or
 * one in no encoding ct-csv knows), and imports it as above.
 * Returns: (transfer full) (nullable) */
CtSuppressionImport *ct_suppression_import_file (CtDb          *db,
                                                 GFile         *file,
                                                 GCancellable  *cancellable,
                                                 GError       **error);
/* The same on a worker thread with a connection of its own on
 * ct_db_get_path(). */
void                 ct_suppression_import_file_async  (CtDb                *db,
                                                        GFile               *file,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
CtSuppressionImport *ct_suppression_import_file_finish (GAsyncResult        *result,
                                                        GError             **error);

/* Exporting: a CSV with the columns email,reason,source,note,created_at
 * (the reason as ct_suppression_reason_to_string() writes it, the time
 * as ISO 8601 UTC), newest first, matching @search (nullable) as for
 * ct_suppression_count(). It reads back through the importer. @file is
 * replaced only when everything was written. */
gboolean ct_suppression_export_to_file (CtDb             *db,
                                        const char       *search,
                                        CtCsvWriteFlags   flags,
                                        GFile            *file,
                                        guint            *n_rows_out,
                                        GCancellable     *cancellable,
                                        GError          **error);

G_END_DECLS
