/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-export.h: lists out to CSV, as spreadsheets and the importer read them
 *
 * Columns, in this order, which scripts may rely on:
 *
 * contacts:  email,first_name,last_name,phone,tags,channel,status,
 *            created_at,purchases,total_spent,last_purchase_at,
 *            rfm_segment,lifecycle,tier,points,clv,p_alive,cluster
 *            (the last seven stay empty until the features behind them
 *            exist; total_spent is in the main currency)
 * purchases: order_id,source,paid_at,email,phone,name,product,amount,
 *            currency,channel,refunded
 * products:  name,sku,kind,price,currency,active,sales,revenue
 *
 * Amounts are major units with a dot decimal and the currency's decimals
 * ("1234.50"); times are ISO 8601 UTC ("2024-01-05T09:05:30Z"); tags are
 * joined with ", " as the app shows them; status is as stored
 * ("subscribed", "unsubscribed", "bounced", "complained"); booleans are
 * "yes" or "no". All of these read back through the importer
 * unchanged. A purchase without an order reference (typed in by hand)
 * has an empty order_id; the purchases of an erased contact have an
 * empty email, phone and name.
 *
 * Contacts come in the contacts list's default order (by name), purchases
 * by paid_at then id, products by name; or in the order of @ids when
 * given. Rows are read and written one at a time inside one read
 * transaction, so the file is a consistent snapshot and memory stays flat
 * whatever the size of the database. */
#pragma once

#include "ct-db.h"
#include "ct-csv.h"

G_BEGIN_DECLS

typedef enum
{
  CT_EXPORT_CONTACTS,
  CT_EXPORT_PURCHASES,
  CT_EXPORT_PRODUCTS
} CtExportKind;

/* "contacts", "purchases", "products" */
gboolean      ct_export_kind_from_string (const char     *text,
                                          CtExportKind   *out);
const char   *ct_export_kind_to_string   (CtExportKind    kind);

/* The header row of @kind. Returns: (transfer none) NULL-terminated */
const char * const *ct_export_get_columns (CtExportKind   kind);

/* Writes the header and one row per record to @out, which is not closed.
 * @ids holds gint64 row ids of @kind's table; an id that does not exist
 * fails with CT_DB_ERROR_NOT_FOUND. */
gboolean      ct_export_write            (CtDb            *db,
                                          CtExportKind     kind,
                                          GArray          *ids,
                                          CtCsvWriteFlags  flags,
                                          GOutputStream   *out,
                                          guint           *n_rows_out,
                                          GCancellable    *cancellable,
                                          GError         **error);

/* Writes through g_file_replace(): a failure or a cancel leaves the old
 * file, or none, never half a file. */
gboolean      ct_export_to_file          (CtDb            *db,
                                          CtExportKind     kind,
                                          GArray          *ids,
                                          CtCsvWriteFlags  flags,
                                          GFile           *file,
                                          guint           *n_rows_out,
                                          GCancellable    *cancellable,
                                          GError         **error);

/* The same in a worker thread, on a connection of its own opened on
 * ct_db_get_path(), so the caller's connection is never shared. @ids is
 * copied. */
void          ct_export_to_file_async    (CtDb                *db,
                                          CtExportKind         kind,
                                          GArray              *ids,
                                          CtCsvWriteFlags      flags,
                                          GFile               *file,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean      ct_export_to_file_finish   (GAsyncResult        *result,
                                          guint               *n_rows_out,
                                          GError             **error);

/* Formats @minor (minor units) in @currency as major units with a dot
 * decimal: 123450 CNY gives "1234.50". Returns: (transfer full) */
char         *ct_export_format_amount    (gint64          minor,
                                          const char     *currency);
/* Formats seconds since the epoch as "2024-01-05T09:05:30Z".
 * Returns: (transfer full) */
char         *ct_export_format_time      (gint64          unix_time);

G_END_DECLS
