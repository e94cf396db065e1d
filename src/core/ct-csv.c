/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-csv.c: reading and writing CSV files as spreadsheets save them
 *
 * Files come from Excel and from Chinese platforms' order exports, so
 * they arrive in UTF-8 (with or without a BOM), UTF-16 or GB18030, with
 * commas, semicolons or tabs. Everything is decoded to UTF-8 up front and
 * parsed with libcsv.
 *
 * libcsv does not count lines, and messages must name the line a person
 * sees in a text editor. So the reader feeds libcsv one physical line at a
 * time: a record starts on the line whose bytes begin it and ends on the
 * line whose terminator closes it, however many line breaks its quoted
 * fields hold.
 */
#include "config.h"

#include <string.h>
#include <csv.h>
#include <glib/gi18n-lib.h>

#include "ct-csv.h"

G_DEFINE_QUARK (ct-csv-error-quark, ct_csv_error)

/* Encodings */

static const struct
{
  const char *name;
  const char *iconv;   /* NULL: UTF-8 already */
  const char *label;
} encodings[CT_CSV_N_ENCODINGS] = {
  [CT_CSV_ENCODING_UTF8] = { "utf-8", NULL, N_("UTF-8") },
  [CT_CSV_ENCODING_UTF8_BOM] = { "utf-8-bom", NULL, N_("UTF-8 with BOM") },
  [CT_CSV_ENCODING_UTF16LE] = { "utf-16le", "UTF-16LE", N_("UTF-16 (little-endian)") },
  [CT_CSV_ENCODING_UTF16BE] = { "utf-16be", "UTF-16BE", N_("UTF-16 (big-endian)") },
  [CT_CSV_ENCODING_GB18030] = { "gb18030", "GB18030", N_("Chinese (GB18030/GBK)") },
  [CT_CSV_ENCODING_WINDOWS_1252] = { "windows-1252", "CP1252", N_("Western European (Windows-1252)") },
};

const char *
ct_csv_encoding_to_string (CtCsvEncoding encoding)
{
  g_return_val_if_fail (encoding < CT_CSV_N_ENCODINGS, NULL);
  return encodings[encoding].name;
}

const char *
ct_csv_encoding_get_label (CtCsvEncoding encoding)
{
  g_return_val_if_fail (encoding < CT_CSV_N_ENCODINGS, NULL);
  return _(encodings[encoding].label);
}

gboolean
ct_csv_encoding_from_string (const char    *name,
                             CtCsvEncoding *out)
{
  static const struct
  {
    const char    *alias;
    CtCsvEncoding  encoding;
  } aliases[] = {
    { "utf8", CT_CSV_ENCODING_UTF8 },
    { "utf8bom", CT_CSV_ENCODING_UTF8_BOM },
    { "utf8sig", CT_CSV_ENCODING_UTF8_BOM },
    { "utf16", CT_CSV_ENCODING_UTF16LE },
    { "utf16le", CT_CSV_ENCODING_UTF16LE },
    { "ucs2", CT_CSV_ENCODING_UTF16LE },
    { "utf16be", CT_CSV_ENCODING_UTF16BE },
    { "gb18030", CT_CSV_ENCODING_GB18030 },
    { "gbk", CT_CSV_ENCODING_GB18030 },
    { "gb2312", CT_CSV_ENCODING_GB18030 },
    { "cp936", CT_CSV_ENCODING_GB18030 },
    { "euccn", CT_CSV_ENCODING_GB18030 },
    { "windows1252", CT_CSV_ENCODING_WINDOWS_1252 },
    { "cp1252", CT_CSV_ENCODING_WINDOWS_1252 },
    { "latin1", CT_CSV_ENCODING_WINDOWS_1252 },
    { "iso88591", CT_CSV_ENCODING_WINDOWS_1252 },
  };
  char key[32];
  gsize k = 0;

  g_return_val_if_fail (name != NULL, FALSE);

  /* "UTF-8", "utf_8" and "utf8" all name the same thing. */
  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == '-' || *p == '_' || *p == ' ')
        continue;
      if (k + 1 >= sizeof key)
        return FALSE;
      key[k++] = g_ascii_tolower (*p);
    }
  key[k] = '\0';

  for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
    if (strcmp (key, aliases[i].alias) == 0)
      {
        *out = aliases[i].encoding;
        return TRUE;
      }
  return FALSE;
}

/* The physical line holding byte @pos: LF-counted, in code units of the
 * encoding. */
static guint
line_of_offset (const guint8  *data,
                gsize          pos,
                CtCsvEncoding  encoding)
{
  guint line = 1;

  if (encoding == CT_CSV_ENCODING_UTF16LE || encoding == CT_CSV_ENCODING_UTF16BE)
    {
      gboolean le = encoding == CT_CSV_ENCODING_UTF16LE;

      for (gsize i = 0; i + 1 < pos; i += 2)
        if ((le ? data[i] : data[i + 1]) == '\n' && (le ? data[i + 1] : data[i]) == 0)
          line++;
      return line;
    }

  for (gsize i = 0; i < pos; i++)
    if (data[i] == '\n')
      line++;
  return line;
}

static gsize
bom_length (const guint8  *data,
            gsize          len,
            CtCsvEncoding  encoding)
{
  switch (encoding)
    {
    case CT_CSV_ENCODING_UTF8:
    case CT_CSV_ENCODING_UTF8_BOM:
      if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
        return 3;
      return 0;
    case CT_CSV_ENCODING_UTF16LE:
      return len >= 2 && data[0] == 0xFF && data[1] == 0xFE ? 2 : 0;
    case CT_CSV_ENCODING_UTF16BE:
      return len >= 2 && data[0] == 0xFE && data[1] == 0xFF ? 2 : 0;
    case CT_CSV_ENCODING_GB18030:
      /* GB18030 has a BOM of its own, which nobody writes, but cheap. */
      return len >= 4 && memcmp (data, "\x84\x31\x95\x33", 4) == 0 ? 4 : 0;
    case CT_CSV_ENCODING_WINDOWS_1252:
    case CT_CSV_N_ENCODINGS:
    default:
      return 0;
    }
}

static gboolean
check_binary_signature (const guint8  *data,
                        gsize          len,
                        GError       **error)
{
  if (len >= 4 && memcmp (data, "PK\x03\x04", 4) == 0)
    {
      g_set_error_literal (error, CT_CSV_ERROR, CT_CSV_ERROR_BINARY,
                           _("This is an Excel workbook (or another zipped file), not a "
                             "CSV file. Open it in your spreadsheet and save it with "
                             "“Save As” as “CSV UTF-8”, then import that file."));
      return FALSE;
    }
  if (len >= 4 && memcmp (data, "\xD0\xCF\x11\xE0", 4) == 0)
    {
      g_set_error_literal (error, CT_CSV_ERROR, CT_CSV_ERROR_BINARY,
                           _("This is an old Excel workbook (.xls), not a CSV file. Open "
                             "it in your spreadsheet and save it with “Save As” as "
                             "“CSV UTF-8”, then import that file."));
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_binary (const guint8  *data,
              gsize          len,
              GError       **error)
{
  if (memchr (data, 0, len) != NULL)
    {
      g_set_error_literal (error, CT_CSV_ERROR, CT_CSV_ERROR_BINARY,
                           _("This is not a text file (it holds zero bytes, as pictures "
                             "and programs do). Choose a CSV file."));
      return FALSE;
    }
  return TRUE;
}

/* UTF-16 saved without a BOM still betrays itself: text that is mostly
 * ASCII has a zero byte in every other position. */
static gboolean
looks_like_utf16 (const guint8  *data,
                  gsize          len,
                  CtCsvEncoding *out)
{
  gsize n = MIN (len, 4096) & ~(gsize) 1;
  gsize even_zeros = 0;
  gsize odd_zeros = 0;

  if (n < 4)
    return FALSE;

  for (gsize i = 0; i < n; i += 2)
    {
      if (data[i] == 0)
        even_zeros++;
      if (data[i + 1] == 0)
        odd_zeros++;
    }

  if (odd_zeros * 3 > n / 2 && even_zeros * 20 < n / 2)
    {
      *out = CT_CSV_ENCODING_UTF16LE;
      return TRUE;
    }
  if (even_zeros * 3 > n / 2 && odd_zeros * 20 < n / 2)
    {
      *out = CT_CSV_ENCODING_UTF16BE;
      return TRUE;
    }
  return FALSE;
}

static gboolean
converts (const guint8 *data,
          gsize         len,
          const char   *charset)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gsize written = 0;

  text = g_convert ((const char *) data, len, "UTF-8", charset, NULL, &written, &error);
  return text != NULL && memchr (text, 0, written) == NULL;
}

gboolean
ct_csv_detect_encoding (const guint8   *data,
                        gsize           len,
                        CtCsvEncoding  *out,
                        GError        **error)
{
  const char *end = NULL;

  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
    {
      *out = CT_CSV_ENCODING_UTF8_BOM;
      return TRUE;
    }
  if (len >= 2 && data[0] == 0xFF && data[1] == 0xFE)
    {
      *out = CT_CSV_ENCODING_UTF16LE;
      return TRUE;
    }
  if (len >= 2 && data[0] == 0xFE && data[1] == 0xFF)
    {
      *out = CT_CSV_ENCODING_UTF16BE;
      return TRUE;
    }
  /* Workbooks first: a zipped .xlsx has enough zero bytes to pass for
   * UTF-16. */
  if (!check_binary_signature (data, len, error))
    return FALSE;
  if (looks_like_utf16 (data, len, out))
    return TRUE;
  if (!check_binary (data, len, error))
    return FALSE;

  if (g_utf8_validate_len ((const char *) data, len, &end))
    {
      *out = CT_CSV_ENCODING_UTF8;
      return TRUE;
    }

  if (converts (data, len, "GB18030"))
    {
      *out = CT_CSV_ENCODING_GB18030;
      return TRUE;
    }

  g_set_error (error, CT_CSV_ERROR, CT_CSV_ERROR_ENCODING,
               _("The file is not UTF-8, UTF-16 or Chinese (GB18030) text: line %u "
                 "has bytes that are none of these. Choose its encoding, or save it "
                 "again as “CSV UTF-8”."),
               line_of_offset (data, (const guint8 *) end - data, CT_CSV_ENCODING_UTF8));
  return FALSE;
}

char *
ct_csv_decode (const guint8   *data,
               gsize           len,
               CtCsvEncoding   encoding,
               gsize          *out_len,
               GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;
  gsize skip;
  gsize bytes_read = 0;
  gsize written = 0;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (encoding < CT_CSV_N_ENCODINGS, NULL);

  skip = bom_length (data, len, encoding);

  if (encodings[encoding].iconv == NULL)
    {
      const char *end = NULL;

      if (!g_utf8_validate_len ((const char *) data + skip, len - skip, &end))
        {
          g_set_error (error, CT_CSV_ERROR, CT_CSV_ERROR_ENCODING,
                       _("The file is not UTF-8 text: line %u has bytes that are not "
                         "UTF-8. Choose another encoding."),
                       line_of_offset (data, (const guint8 *) end - data, encoding));
          return NULL;
        }
      if (out_len != NULL)
        *out_len = len - skip;
      return g_strndup ((const char *) data + skip, len - skip);
    }

  text = g_convert ((const char *) data + skip, len - skip, "UTF-8",
                    encodings[encoding].iconv, &bytes_read, &written, &local_error);
  /* Given somewhere to say how much it read, g_convert() leaves half a
   * character at the end unread instead of failing. */
  if (text != NULL && bytes_read < len - skip)
    {
      g_clear_pointer (&text, g_free);
      g_set_error_literal (&local_error, G_CONVERT_ERROR, G_CONVERT_ERROR_PARTIAL_INPUT,
                           "partial input");
    }
  if (text == NULL)
    {
      if (g_error_matches (local_error, G_CONVERT_ERROR, G_CONVERT_ERROR_NO_CONVERSION))
        g_set_error (error, CT_CSV_ERROR, CT_CSV_ERROR_ENCODING,
                     _("This system cannot read %s text."),
                     _(encodings[encoding].label));
      else
        g_set_error (error, CT_CSV_ERROR, CT_CSV_ERROR_ENCODING,
                     _("The file is not %s text: line %u has bytes that cannot be "
                       "read in it. Choose another encoding."),
                     _(encodings[encoding].label),
                     line_of_offset (data, skip + bytes_read, encoding));
      return NULL;
    }

  if (memchr (text, 0, written) != NULL)
    {
      g_set_error_literal (error, CT_CSV_ERROR, CT_CSV_ERROR_BINARY,
                           _("This is not a text file (it holds zero bytes, as pictures "
                             "and programs do). Choose a CSV file."));
      return NULL;
    }

  if (out_len != NULL)
    *out_len = written;
  return g_steal_pointer (&text);
}

/* Reading */

/* A quoted field still open after this many lines is taken for a stray
 * quote rather than a long note. Without a limit, a file whose quotes
 * never close would be read again to its end from each of them. */
#define MAX_RECORD_LINES 1000

struct _CtCsvReader
{
  struct csv_parser  parser;
  const char        *text;
  gsize              len;
  gsize              pos;           /* start of the next physical line */
  guint              line;          /* its number */
  char               delimiter;
  char               line_end;      /* '\n', or '\r' for old Mac files */

  GString           *buf;           /* the record's fields, NUL-separated */
  GArray            *starts;        /* offset of each field in buf */
  GPtrArray         *fields;        /* pointers into buf, built at the end */

  gboolean           in_record;
  gboolean           record_done;
  guint              record_line;
  guint              record_end_line;
  gsize              record_offset;
  gboolean           unterminated;
};

/* Only the line end chosen for the file ends a record, so that a record
 * always ends where a physical line does and line numbers stay right. The
 * other line break character counts as white space, which libcsv drops
 * around unquoted fields and after a closing quote; inside quotes it is
 * kept. The tab is never white space: it may be the delimiter, and the
 * importer strips white space itself. */
static int
is_space_lf (unsigned char c)
{
  return c == CSV_SPACE || c == CSV_CR;
}

static int
is_term_lf (unsigned char c)
{
  return c == CSV_LF;
}

static int
is_space_cr (unsigned char c)
{
  return c == CSV_SPACE || c == CSV_LF;
}

static int
is_term_cr (unsigned char c)
{
  return c == CSV_CR;
}

static void
reader_init_parser (CtCsvReader *self)
{
  csv_init (&self->parser, 0);
  csv_set_delim (&self->parser, (unsigned char) self->delimiter);
  csv_set_space_func (&self->parser, self->line_end == '\r' ? is_space_cr : is_space_lf);
  csv_set_term_func (&self->parser, self->line_end == '\r' ? is_term_cr : is_term_lf);
  /* libcsv grows its field buffer by this much at a time. */
  csv_set_blk_size (&self->parser, 64 * 1024);
}

/* Files from classic Mac OS end lines with a carriage return alone; a
 * stray one in a file of LF or CRLF lines must not split its line. Line
 * breaks inside quotes are a note's, not the file's, so they do not count
 * (a doubled quote flips the count twice, which is right too). */
static char
detect_line_end (const char *text,
                 gsize       len)
{
  gsize n = MIN (len, 64 * 1024);
  gsize lf = 0;
  gsize lone_cr = 0;
  gboolean quoted = FALSE;

  for (gsize i = 0; i < n; i++)
    {
      if (text[i] == '"')
        quoted = !quoted;
      else if (quoted)
        continue;
      else if (text[i] == '\n')
        lf++;
      else if (text[i] == '\r' && (i + 1 >= len || text[i + 1] != '\n'))
        lone_cr++;
    }
  return lone_cr > lf ? '\r' : '\n';
}

CtCsvReader *
ct_csv_reader_new (const char *text,
                   gsize       len,
                   char        delimiter)
{
  CtCsvReader *self;

  g_return_val_if_fail (text != NULL || len == 0, NULL);
  g_return_val_if_fail (delimiter != '"' && delimiter != '\n' && delimiter != '\r'
                        && delimiter != ' ', NULL);

  self = g_new0 (CtCsvReader, 1);
  self->text = text != NULL ? text : "";
  self->len = len;
  self->line = 1;
  self->delimiter = delimiter;
  self->buf = g_string_sized_new (256);
  self->starts = g_array_sized_new (FALSE, FALSE, sizeof (gsize), 32);
  self->fields = g_ptr_array_sized_new (32);
  self->line_end = detect_line_end (self->text, len);
  reader_init_parser (self);

  return self;
}

void
ct_csv_reader_free (CtCsvReader *self)
{
  if (self == NULL)
    return;

  csv_free (&self->parser);
  g_string_free (self->buf, TRUE);
  g_array_unref (self->starts);
  g_ptr_array_unref (self->fields);
  g_free (self);
}

static void
on_field (void   *data,
          size_t  len,
          void   *user_data)
{
  CtCsvReader *self = user_data;
  gsize start = self->buf->len;

  g_array_append_val (self->starts, start);
  if (len > 0)
    g_string_append_len (self->buf, data, len);
  g_string_append_c (self->buf, '\0');
}

static void
on_record (int   c,
           void *user_data)
{
  CtCsvReader *self = user_data;

  self->record_done = TRUE;
}

static void
reset_record (CtCsvReader *self)
{
  g_string_truncate (self->buf, 0);
  g_array_set_size (self->starts, 0);
  g_ptr_array_set_size (self->fields, 0);
  self->record_done = FALSE;
  self->unterminated = FALSE;
}

static void
finish_record (CtCsvReader *self)
{
  g_ptr_array_set_size (self->fields, 0);
  for (guint i = 0; i < self->starts->len; i++)
    g_ptr_array_add (self->fields, self->buf->str + g_array_index (self->starts, gsize, i));
  g_ptr_array_add (self->fields, NULL);
  self->in_record = FALSE;
}

static void
feed (CtCsvReader *self,
      const char  *bytes,
      gsize        len)
{
  /* Without CSV_STRICT libcsv only fails when memory runs out, which GLib
   * treats as fatal everywhere else too. */
  if (csv_parse (&self->parser, bytes, len, on_field, on_record, self) != len)
    g_error ("CSV parser: %s", csv_strerror (csv_error (&self->parser)));
}

/* A quoted field was never closed: give back the record's first line
 * alone, its fields as far as they go (the open one to the line's end),
 * and go on from the line after it. */
static void
recover_unterminated (CtCsvReader *self)
{
  const char *start = self->text + self->record_offset;
  const char *end = memchr (start, self->line_end, self->len - self->record_offset);
  gsize line_len = end != NULL ? (gsize) (end - start) : self->len - self->record_offset;

  csv_free (&self->parser);
  reader_init_parser (self);
  reset_record (self);

  if (line_len > 0 && start[line_len - 1] == '\r')
    line_len--;
  feed (self, start, line_len);
  /* Without CSV_STRICT_FINI this hands over the open field as it is. */
  csv_fini (&self->parser, on_field, on_record, self);
  finish_record (self);
  self->unterminated = TRUE;
  self->record_end_line = self->record_line;

  csv_free (&self->parser);
  reader_init_parser (self);
  self->pos = end != NULL ? (gsize) (end - self->text) + 1 : self->len;
  self->line = self->record_line + 1;
}

gboolean
ct_csv_reader_next (CtCsvReader *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  reset_record (self);

  while (self->pos < self->len)
    {
      const char *start = self->text + self->pos;
      const char *end = memchr (start, self->line_end, self->len - self->pos);
      gsize seg_len = end != NULL ? (gsize) (end - start) + 1 : self->len - self->pos;

      /* Every line outside a record may start one; a blank one, or one
       * of spaces, leaves libcsv where it was and is let go below. */
      if (!self->in_record)
        {
          self->in_record = TRUE;
          self->record_line = self->line;
          self->record_offset = self->pos;
        }

      feed (self, start, seg_len);
      if (end == NULL)
        {
          /* The last line has no line break: end it, which closes any
           * properly quoted field and leaves an open one open. */
          feed (self, &self->line_end, 1);
        }
      self->pos += seg_len;
      self->line++;

      if (self->record_done)
        {
          self->record_end_line = self->line - 1;
          finish_record (self);
          return TRUE;
        }
      /* A line of spaces starts no row in libcsv (state ROW_NOT_BEGUN,
       * 0 in every version). */
      if (self->parser.pstate == 0)
        self->in_record = FALSE;
      else if (self->in_record && self->line - self->record_line >= MAX_RECORD_LINES)
        {
          recover_unterminated (self);
          return TRUE;
        }
    }

  if (self->in_record)
    {
      recover_unterminated (self);
      return TRUE;
    }

  return FALSE;
}

const char * const *
ct_csv_reader_get_fields (CtCsvReader *self,
                          guint       *n_fields)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (n_fields != NULL)
    *n_fields = self->fields->len > 0 ? self->fields->len - 1 : 0;
  if (self->fields->len == 0)
    {
      static const char *none[] = { NULL };
      return none;
    }
  return (const char * const *) self->fields->pdata;
}

guint
ct_csv_reader_get_line (CtCsvReader *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->record_line;
}

guint
ct_csv_reader_get_end_line (CtCsvReader *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->record_end_line;
}

gboolean
ct_csv_reader_get_unterminated (CtCsvReader *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->unterminated;
}

gsize
ct_csv_reader_get_offset (CtCsvReader *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->pos;
}

/* Delimiter */

char
ct_csv_detect_delimiter (const char *text,
                         gsize       len)
{
  static const char candidates[] = { ',', ';', '\t' };
  char best = ',';
  double best_score = 0;

  g_return_val_if_fail (text != NULL || len == 0, ',');

  /* The first 64 KiB hold plenty of records. */
  len = MIN (len, 64 * 1024);

  for (guint c = 0; c < G_N_ELEMENTS (candidates); c++)
    {
      g_autoptr(CtCsvReader) reader = ct_csv_reader_new (text, len, candidates[c]);
      g_autoptr(GHashTable) counts = g_hash_table_new (NULL, NULL);
      guint n_records = 0;
      guint mode = 0;
      guint mode_count = 0;
      double score;

      while (n_records < 50 && ct_csv_reader_next (reader))
        {
          guint n_fields;
          guint count;

          if (ct_csv_reader_get_unterminated (reader))
            continue;
          ct_csv_reader_get_fields (reader, &n_fields);
          n_records++;
          count = GPOINTER_TO_UINT (g_hash_table_lookup (counts, GUINT_TO_POINTER (n_fields))) + 1;
          g_hash_table_insert (counts, GUINT_TO_POINTER (n_fields), GUINT_TO_POINTER (count));
          if (count > mode_count || (count == mode_count && n_fields > mode))
            {
              mode = n_fields;
              mode_count = count;
            }
        }

      if (n_records == 0 || mode < 2)
        continue;

      /* Consistency first; among equally consistent splits, more fields
       * (a comma inside "12,50" splits less than the real semicolons). */
      score = (double) mode_count / n_records + MIN (mode, 100) / 1000.0;
      if (score > best_score)
        {
          best_score = score;
          best = candidates[c];
        }
    }

  return best;
}

/* Writing */

/* "-12.50" or "+3": spreadsheets read these as numbers, never as formulas,
 * and a refund's amount must stay a number. */
static gboolean
is_plain_number (const char *cell)
{
  const char *p = cell;

  if (*p == '-' || *p == '+')
    p++;
  if (!g_ascii_isdigit (*p))
    return FALSE;
  while (g_ascii_isdigit (*p))
    p++;
  if (*p == '.')
    {
      p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
    }
  return *p == '\0';
}

gboolean
ct_csv_cell_is_dangerous (const char *cell)
{
  if (cell == NULL)
    return FALSE;
  switch (cell[0])
    {
    case '=':
    case '@':
    case '\t':
    case '\r':
      return TRUE;
    case '+':
    case '-':
      return !is_plain_number (cell);
    default:
      return FALSE;
    }
}

/* Whether @cell is quotes followed by a dangerous cell: "=1", "'=1",
 * "''=1". The writer adds one quote to each of these and the reader takes
 * one off, so a cell that really started with a quote survives the round
 * trip too. */
static gboolean
is_quoted_danger (const char *cell)
{
  while (*cell == '\'')
    cell++;
  return ct_csv_cell_is_dangerous (cell);
}

const char *
ct_csv_cell_unneutralise (const char *cell)
{
  g_return_val_if_fail (cell != NULL, NULL);

  if (cell[0] == '\'' && is_quoted_danger (cell + 1))
    return cell + 1;
  return cell;
}

void
ct_csv_append_cell (GString    *out,
                    const char *cell,
                    gboolean    neutralise)
{
  gboolean prefix;
  gsize len;

  g_return_if_fail (out != NULL);

  if (cell == NULL || cell[0] == '\0')
    return;

  /* A single quote in front makes spreadsheets show the text as it is
   * instead of running it; the importer takes it off again. */
  prefix = neutralise && is_quoted_danger (cell);
  len = strlen (cell);

  if (strpbrk (cell, ",;\t\"\r\n") == NULL && cell[0] != ' ' && cell[len - 1] != ' ')
    {
      if (prefix)
        g_string_append_c (out, '\'');
      g_string_append_len (out, cell, len);
      return;
    }

  g_string_append_c (out, '"');
  if (prefix)
    g_string_append_c (out, '\'');
  for (const char *p = cell; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

struct _CtCsvWriter
{
  GOutputStream   *stream;
  CtCsvWriteFlags  flags;
  GString         *buf;
};

#define WRITER_BLOCK (256 * 1024)

CtCsvWriter *
ct_csv_writer_new (GOutputStream   *stream,
                   CtCsvWriteFlags  flags)
{
  CtCsvWriter *self;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), NULL);

  self = g_new0 (CtCsvWriter, 1);
  self->stream = g_object_ref (stream);
  self->flags = flags;
  self->buf = g_string_sized_new (WRITER_BLOCK + 4096);
  if (flags & CT_CSV_WRITE_BOM)
    g_string_append (self->buf, "\xEF\xBB\xBF");

  return self;
}

void
ct_csv_writer_free (CtCsvWriter *self)
{
  if (self == NULL)
    return;

  g_clear_object (&self->stream);
  g_string_free (self->buf, TRUE);
  g_free (self);
}

gboolean
ct_csv_writer_flush (CtCsvWriter   *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->buf->len == 0)
    return TRUE;
  if (!g_output_stream_write_all (self->stream, self->buf->str, self->buf->len,
                                  NULL, cancellable, error))
    return FALSE;
  g_string_truncate (self->buf, 0);
  return TRUE;
}

gboolean
ct_csv_writer_add_row (CtCsvWriter        *self,
                       const char * const *cells,
                       int                 n_cells,
                       GCancellable       *cancellable,
                       GError            **error)
{
  gboolean neutralise;
  gsize row_start;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (cells != NULL || n_cells == 0, FALSE);

  neutralise = !(self->flags & CT_CSV_WRITE_NO_NEUTRALISE);

  row_start = self->buf->len;
  for (int i = 0; n_cells < 0 ? cells[i] != NULL : i < n_cells; i++)
    {
      if (i > 0)
        g_string_append_c (self->buf, ',');
      ct_csv_append_cell (self->buf, cells[i], neutralise);
    }
  /* A row of one empty cell would be a blank line, which readers skip. */
  if (self->buf->len == row_start)
    g_string_append (self->buf, "\"\"");
  g_string_append_c (self->buf, '\n');

  if (self->buf->len >= WRITER_BLOCK)
    return ct_csv_writer_flush (self, cancellable, error);
  return TRUE;
}
