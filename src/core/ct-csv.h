/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-csv.h: reading and writing CSV files as spreadsheets save them */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CT_CSV_ERROR (ct_csv_error_quark ())

typedef enum
{
  CT_CSV_ERROR_ENCODING,  /* the bytes are not text in the encoding */
  CT_CSV_ERROR_BINARY,    /* a spreadsheet workbook or other binary file */
} CtCsvError;

GQuark ct_csv_error_quark (void);

typedef enum
{
  CT_CSV_ENCODING_UTF8,
  CT_CSV_ENCODING_UTF8_BOM,
  CT_CSV_ENCODING_UTF16LE,
  CT_CSV_ENCODING_UTF16BE,
  CT_CSV_ENCODING_GB18030,       /* also reads GBK and GB2312 */
  CT_CSV_ENCODING_WINDOWS_1252,  /* never detected, only chosen */
  CT_CSV_N_ENCODINGS
} CtCsvEncoding;

/* "utf-8", "utf-8-bom", "utf-16le", "utf-16be", "gb18030", "windows-1252" */
const char   *ct_csv_encoding_to_string   (CtCsvEncoding  encoding);
/* Accepts the names above case-insensitively and common aliases ("utf8",
 * "gbk", "gb2312", "cp936", "utf-16", "latin1", "cp1252"). */
gboolean      ct_csv_encoding_from_string (const char     *name,
                                           CtCsvEncoding  *out);
/* For people: "UTF-8", "UTF-8 with BOM", "Chinese (GB18030/GBK)"... */
const char   *ct_csv_encoding_get_label   (CtCsvEncoding  encoding);

/* Guesses the encoding of a file's bytes: a byte order mark first, then
 * UTF-16 without one (many zero bytes), then UTF-8, then GB18030. Returns
 * FALSE with CT_CSV_ERROR_BINARY for a workbook or binary file, or
 * CT_CSV_ERROR_ENCODING when the bytes are none of these. */
gboolean      ct_csv_detect_encoding      (const guint8   *data,
                                           gsize           len,
                                           CtCsvEncoding  *out,
                                           GError        **error);
/* Decodes @data as @encoding into UTF-8 without a byte order mark. The
 * error names the line where the bytes stop making sense.
 * Returns: (transfer full) (nullable): NUL-terminated text, length in
 * @out_len */
char         *ct_csv_decode               (const guint8   *data,
                                           gsize           len,
                                           CtCsvEncoding   encoding,
                                           gsize          *out_len,
                                           GError        **error);

/* Picks the delimiter among ',', ';' and '\t' that splits the first
 * records of @text into the most consistent number of fields; ',' when
 * nothing splits. */
char          ct_csv_detect_delimiter     (const char     *text,
                                           gsize           len);

/* Reading, one record at a time, with libcsv. Quoted fields may hold the
 * delimiter, quotes ("") and line breaks. Blank lines are skipped. Lines
 * end with LF or CRLF, or with CR alone in files that have no LF. A
 * quoted field still open at the end of the text (or after 1000 lines)
 * is given back as a record of its own first line, its fields as far as
 * they go, marked unterminated, and reading resumes on the line after
 * it, so one stray quote costs one row, not the rest of the file. */
typedef struct _CtCsvReader CtCsvReader;

/* @text must outlive the reader; it need not be NUL-terminated. */
CtCsvReader  *ct_csv_reader_new            (const char   *text,
                                            gsize         len,
                                            char          delimiter);
void          ct_csv_reader_free           (CtCsvReader  *self);
/* Moves to the next record; FALSE at the end. */
gboolean      ct_csv_reader_next           (CtCsvReader  *self);
/* The fields of the current record, valid until the next call. Only the
 * spaces (and a carriage return) around an unquoted field or a closing
 * quote are dropped, as libcsv does; other white space is the caller's to
 * strip. Returns: (transfer none) (array length=n_fields) */
const char * const *ct_csv_reader_get_fields (CtCsvReader *self,
                                              guint       *n_fields);
/* Physical lines (1-based) the current record starts and ends on. */
guint         ct_csv_reader_get_line       (CtCsvReader  *self);
guint         ct_csv_reader_get_end_line   (CtCsvReader  *self);
/* Whether the current record is a quoted field never closed. */
gboolean      ct_csv_reader_get_unterminated (CtCsvReader *self);
/* Bytes of the text read so far, for progress. */
gsize         ct_csv_reader_get_offset     (CtCsvReader  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtCsvReader, ct_csv_reader_free)

/* Writing: UTF-8, "\n" line ends, RFC 4180 quoting. */
typedef enum
{
  CT_CSV_WRITE_NONE = 0,
  CT_CSV_WRITE_BOM = 1 << 0,          /* start with a BOM so Excel reads UTF-8 */
  CT_CSV_WRITE_NO_NEUTRALISE = 1 << 1 /* keep = + - @ tab at a cell's start */
} CtCsvWriteFlags;

typedef struct _CtCsvWriter CtCsvWriter;

/* Writes to @stream (kept referenced) as rows are added, in large
 * blocks. */
CtCsvWriter  *ct_csv_writer_new            (GOutputStream   *stream,
                                            CtCsvWriteFlags  flags);
/* Adds a row of @n_cells cells, or of the cells up to a NULL when
 * @n_cells is -1. NULL cells are written empty. */
gboolean      ct_csv_writer_add_row        (CtCsvWriter        *self,
                                            const char * const *cells,
                                            int                 n_cells,
                                            GCancellable       *cancellable,
                                            GError            **error);
/* Writes what is buffered; the stream is not closed. */
gboolean      ct_csv_writer_flush          (CtCsvWriter   *self,
                                            GCancellable  *cancellable,
                                            GError       **error);
void          ct_csv_writer_free           (CtCsvWriter   *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtCsvWriter, ct_csv_writer_free)

/* Appends one cell to @out as the writer would: neutralised unless
 * @neutralise is FALSE, quoted when needed. */
void          ct_csv_append_cell           (GString     *out,
                                            const char  *cell,
                                            gboolean     neutralise);
/* Whether a spreadsheet could run @cell as a formula: it starts with
 * = + - @, a tab or a carriage return, and is not a plain number such as
 * "-12.50" (which spreadsheets read as a number). */
gboolean      ct_csv_cell_is_dangerous     (const char  *cell);
/* Undoes the neutralising quote of an exported cell: "'=1+2" gives
 * "=1+2" and "''=1" gives "'=1" (the writer adds a quote to a cell that
 * already started with quotes before a dangerous character, so both
 * round-trip); anything else is returned as it is. Returns: (transfer
 * none) a pointer into @cell */
const char   *ct_csv_cell_unneutralise     (const char  *cell);

G_END_DECLS
