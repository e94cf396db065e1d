/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-csv.c: tests for ct-csv: encodings, the reader, delimiters, the writer */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "ct-csv.h"

/* Encodings */

static void
test_encoding_names (void)
{
  static const struct
  {
    const char    *name;
    gboolean       known;
    CtCsvEncoding  encoding;
  } cases[] = {
    { "utf-8", TRUE, CT_CSV_ENCODING_UTF8 },
    { "UTF8", TRUE, CT_CSV_ENCODING_UTF8 },
    { "utf_8", TRUE, CT_CSV_ENCODING_UTF8 },
    { "utf-8-bom", TRUE, CT_CSV_ENCODING_UTF8_BOM },
    { "UTF-8-SIG", TRUE, CT_CSV_ENCODING_UTF8_BOM },
    { "utf-16", TRUE, CT_CSV_ENCODING_UTF16LE },
    { "UTF-16LE", TRUE, CT_CSV_ENCODING_UTF16LE },
    { "utf-16be", TRUE, CT_CSV_ENCODING_UTF16BE },
    { "GB18030", TRUE, CT_CSV_ENCODING_GB18030 },
    { "gbk", TRUE, CT_CSV_ENCODING_GB18030 },
    { "GB2312", TRUE, CT_CSV_ENCODING_GB18030 },
    { "cp936", TRUE, CT_CSV_ENCODING_GB18030 },
    { "windows-1252", TRUE, CT_CSV_ENCODING_WINDOWS_1252 },
    { "latin1", TRUE, CT_CSV_ENCODING_WINDOWS_1252 },
    { "cp1252", TRUE, CT_CSV_ENCODING_WINDOWS_1252 },
    { "big5", FALSE, 0 },
    { "", FALSE, 0 },
    { "utf-8-but-a-very-long-name-that-overflows", FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      CtCsvEncoding encoding = CT_CSV_N_ENCODINGS;

      g_test_message ("%s", cases[i].name);
      g_assert_cmpint (ct_csv_encoding_from_string (cases[i].name, &encoding), ==, cases[i].known);
      if (cases[i].known)
        g_assert_cmpint (encoding, ==, cases[i].encoding);
      else
        g_assert_cmpint (encoding, ==, CT_CSV_N_ENCODINGS);
    }

  /* Every encoding's own name reads back as itself, and has a label. */
  for (CtCsvEncoding e = 0; e < CT_CSV_N_ENCODINGS; e++)
    {
      CtCsvEncoding back = CT_CSV_N_ENCODINGS;

      g_assert_true (ct_csv_encoding_from_string (ct_csv_encoding_to_string (e), &back));
      g_assert_cmpint (back, ==, e);
      g_assert_cmpstr (ct_csv_encoding_get_label (e), !=, "");
    }
  g_assert_cmpstr (ct_csv_encoding_to_string (CT_CSV_ENCODING_GB18030), ==, "gb18030");
  g_assert_cmpstr (ct_csv_encoding_get_label (CT_CSV_ENCODING_UTF8_BOM), ==, "UTF-8 with BOM");
}

static const char chinese_csv[] =
  "姓名,邮箱,实付金额,支付时间\n"
  "张伟,zw@example.com,¥88.00,2024年1月5日\n"
  "欧阳娜娜,nana@example.com,\"1,280元\",2024/1/6 14:30\n"
  "符号,sym@example.com,€12,2024-01-07\n"
  "表情,smile@example.com,😀,2024-01-08\n";

static GBytes *
convert_fixture (const char *utf8,
                 const char *charset,
                 const char *prefix,
                 gsize       prefix_len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *converted = NULL;
  gsize written = 0;
  GByteArray *bytes = g_byte_array_new ();

  converted = g_convert (utf8, -1, charset, "UTF-8", NULL, &written, &error);
  g_assert_no_error (error);
  g_byte_array_append (bytes, (const guint8 *) prefix, prefix_len);
  g_byte_array_append (bytes, (const guint8 *) converted, written);
  return g_byte_array_free_to_bytes (bytes);
}

static void
assert_detects (GBytes        *bytes,
                CtCsvEncoding  expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  CtCsvEncoding encoding = CT_CSV_N_ENCODINGS;
  gsize len = 0;
  gsize n = 0;
  const guint8 *data = g_bytes_get_data (bytes, &n);

  g_assert_true (ct_csv_detect_encoding (data, n, &encoding, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (ct_csv_encoding_to_string (encoding), ==, ct_csv_encoding_to_string (expected));

  text = ct_csv_decode (data, n, encoding, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, chinese_csv);
  g_assert_cmpuint (len, ==, strlen (chinese_csv));
}

static void
test_detect_encodings (void)
{
  g_autoptr(GBytes) utf8 = g_bytes_new_static (chinese_csv, strlen (chinese_csv));
  g_autoptr(GBytes) bom = convert_fixture (chinese_csv, "UTF-8", "\xEF\xBB\xBF", 3);
  g_autoptr(GBytes) le_bom = convert_fixture (chinese_csv, "UTF-16LE", "\xFF\xFE", 2);
  g_autoptr(GBytes) be_bom = convert_fixture (chinese_csv, "UTF-16BE", "\xFE\xFF", 2);
  g_autoptr(GBytes) le = convert_fixture (chinese_csv, "UTF-16LE", "", 0);
  g_autoptr(GBytes) be = convert_fixture (chinese_csv, "UTF-16BE", "", 0);
  g_autoptr(GBytes) gb = convert_fixture (chinese_csv, "GB18030", "", 0);

  assert_detects (utf8, CT_CSV_ENCODING_UTF8);
  assert_detects (bom, CT_CSV_ENCODING_UTF8_BOM);
  assert_detects (le_bom, CT_CSV_ENCODING_UTF16LE);
  assert_detects (be_bom, CT_CSV_ENCODING_UTF16BE);
  assert_detects (le, CT_CSV_ENCODING_UTF16LE);
  assert_detects (be, CT_CSV_ENCODING_UTF16BE);
  assert_detects (gb, CT_CSV_ENCODING_GB18030);
}

/* Bytes as Excel on a Chinese Windows saves them, written out so that the
 * test does not depend on iconv to make its own input: 姓名,邮箱 in GBK,
 * then a GB18030 four-byte sequence (😀) and the euro sign. */
static void
test_gb18030_bytes (void)
{
  static const guint8 data[] =
    "\xD0\xD5\xC3\xFB,\xD3\xCA\xCF\xE4\n"
    "\xD5\xC5\xCE\xB0,\x94\x39\xFC\x36\xA2\xE3\n";
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  CtCsvEncoding encoding = CT_CSV_N_ENCODINGS;

  g_assert_true (ct_csv_detect_encoding (data, sizeof data - 1, &encoding, &error));
  g_assert_no_error (error);
  g_assert_cmpint (encoding, ==, CT_CSV_ENCODING_GB18030);
  text = ct_csv_decode (data, sizeof data - 1, encoding, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text, ==, "姓名,邮箱\n张伟,😀€\n");
}

static void
test_detect_refusals (void)
{
  static const struct
  {
    const char *data;
    gsize       len;
    int         code;
    const char *in_message;
  } cases[] = {
    /* An .xlsx is a zip whose members hold many zero bytes. */
    { "PK\x03\x04\x14\0\0\0\x08\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 24,
      CT_CSV_ERROR_BINARY, "Excel workbook" },
    { "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0", 12, CT_CSV_ERROR_BINARY, ".xls" },
    { "\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16, CT_CSV_ERROR_BINARY, "zero bytes" },
    /* Latin-1 "café" is neither UTF-8 nor GB18030 (0xE9 needs a second
     * byte of 0x40 or more). */
    { "name,city\nAda,London\nJos\xE9,Caf\xE9\n", 31, CT_CSV_ERROR_ENCODING, "line 3" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      CtCsvEncoding encoding = CT_CSV_N_ENCODINGS;

      g_test_message ("case %u", i);
      g_assert_false (ct_csv_detect_encoding ((const guint8 *) cases[i].data, cases[i].len,
                                              &encoding, &error));
      g_assert_error (error, CT_CSV_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].in_message));
    }
}

static void
test_detect_edges (void)
{
  g_autoptr(GError) error = NULL;
  CtCsvEncoding encoding = CT_CSV_N_ENCODINGS;

  /* Nothing at all is valid (empty) UTF-8. */
  g_assert_true (ct_csv_detect_encoding ((const guint8 *) "", 0, &encoding, &error));
  g_assert_no_error (error);
  g_assert_cmpint (encoding, ==, CT_CSV_ENCODING_UTF8);

  /* A BOM alone. */
  g_assert_true (ct_csv_detect_encoding ((const guint8 *) "\xEF\xBB\xBF", 3, &encoding, &error));
  g_assert_cmpint (encoding, ==, CT_CSV_ENCODING_UTF8_BOM);
  g_assert_true (ct_csv_detect_encoding ((const guint8 *) "\xFF\xFE", 2, &encoding, &error));
  g_assert_cmpint (encoding, ==, CT_CSV_ENCODING_UTF16LE);
}

static void
test_decode (void)
{
  static const struct
  {
    const char    *data;
    gsize          len;
    CtCsvEncoding  encoding;
    const char    *text;        /* NULL: refused */
    const char    *in_message;
  } cases[] = {
    { "a,b\n", 4, CT_CSV_ENCODING_UTF8, "a,b\n", NULL },
    /* The BOM goes whether or not it was chosen. */
    { "\xEF\xBB\xBF" "a,b", 6, CT_CSV_ENCODING_UTF8, "a,b", NULL },
    { "\xEF\xBB\xBF" "a,b", 6, CT_CSV_ENCODING_UTF8_BOM, "a,b", NULL },
    { "a,b", 3, CT_CSV_ENCODING_UTF8_BOM, "a,b", NULL },
    { "\xFF\xFE" "a\0,\0\x20\x5F", 8, CT_CSV_ENCODING_UTF16LE, "a,张", NULL },
    { "\xFE\xFF\0a\0,\x5F\x20", 8, CT_CSV_ENCODING_UTF16BE, "a,张", NULL },
    { "caf\xE9", 4, CT_CSV_ENCODING_WINDOWS_1252, "café", NULL },
    { "\x80 5", 3, CT_CSV_ENCODING_WINDOWS_1252, "€ 5", NULL },
    { "\xD5\xC5", 2, CT_CSV_ENCODING_GB18030, "张", NULL },
    /* Refusals name the line. */
    { "a\nb\nc\xFF\n", 7, CT_CSV_ENCODING_UTF8, NULL, "line 3" },
    { "a\nb\x80\n", 5, CT_CSV_ENCODING_UTF8_BOM, NULL, "line 2" },
    { "a\n\xFF\xFF\xFF\n", 6, CT_CSV_ENCODING_GB18030, NULL, "line 2" },
    /* Half a UTF-16 code unit at the end. */
    { "a\0\n\0b", 5, CT_CSV_ENCODING_UTF16LE, NULL, "line 2" },
    /* A lone low surrogate. */
    { "\xFF\xFE" "a\0\n\0\n\0\x00\xDC", 10, CT_CSV_ENCODING_UTF16LE, NULL, "line 3" },
    /* A zero byte is not text in any of them. */
    { "a\0b", 3, CT_CSV_ENCODING_UTF8, NULL, "line 1" },
    { "a\0\0\0b\0", 6, CT_CSV_ENCODING_UTF16LE, NULL, "zero bytes" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;
      gsize len = 0;

      g_test_message ("case %u", i);
      text = ct_csv_decode ((const guint8 *) cases[i].data, cases[i].len, cases[i].encoding,
                            &len, &error);
      if (cases[i].text != NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (text, ==, cases[i].text);
          g_assert_cmpuint (len, ==, strlen (cases[i].text));
        }
      else
        {
          g_assert_null (text);
          g_assert_true (error != NULL && error->domain == CT_CSV_ERROR);
          g_assert_nonnull (strstr (error->message, cases[i].in_message));
        }
    }
}

/* Reading */

/* Every record of @text as "first-last:field|field", with "!" after the
 * lines of an unterminated one and line breaks inside fields shown as \n
 * and \r, one record a line. */
static char *
read_all (const char *text,
          gsize       len,
          char        delimiter)
{
  g_autoptr(CtCsvReader) reader = ct_csv_reader_new (text, len, delimiter);
  GString *out = g_string_new (NULL);

  while (ct_csv_reader_next (reader))
    {
      guint n_fields = 0;
      const char * const *fields = ct_csv_reader_get_fields (reader, &n_fields);

      g_assert_cmpuint (ct_csv_reader_get_line (reader), <=, ct_csv_reader_get_end_line (reader));
      g_string_append_printf (out, "%u-%u%s:", ct_csv_reader_get_line (reader),
                              ct_csv_reader_get_end_line (reader),
                              ct_csv_reader_get_unterminated (reader) ? "!" : "");
      for (guint i = 0; i < n_fields; i++)
        {
          if (i > 0)
            g_string_append_c (out, '|');
          for (const char *p = fields[i]; *p != '\0'; p++)
            {
              if (*p == '\n')
                g_string_append (out, "\\n");
              else if (*p == '\r')
                g_string_append (out, "\\r");
              else
                g_string_append_c (out, *p);
            }
        }
      g_assert_null (fields[n_fields]);
      g_string_append_c (out, '\n');
    }
  /* Reading ends where the text does, and stays ended. */
  g_assert_cmpuint (ct_csv_reader_get_offset (reader), ==, len);
  g_assert_false (ct_csv_reader_next (reader));

  return g_string_free (out, FALSE);
}

static void
test_reader (void)
{
  static const struct
  {
    const char *text;
    char        delimiter;
    const char *records;
  } cases[] = {
    { "", ',', "" },
    { "\n\r\n  \n", ',', "" },
    { "a,b,c\n1,2,3\n", ',', "1-1:a|b|c\n2-2:1|2|3\n" },
    /* No line break at the end. */
    { "a,b\n1,2", ',', "1-1:a|b\n2-2:1|2\n" },
    { "a,\"b\"", ',', "1-1:a|b\n" },
    /* Windows line ends. */
    { "a,b\r\n1,2\r\n", ',', "1-1:a|b\n2-2:1|2\n" },
    { "a,\"b\"\r\n1,\r\n", ',', "1-1:a|b\n2-2:1|\n" },
    /* Blank lines are skipped, and still counted. */
    { "a,b\n\n\r\n   \n1,2\n\n", ',', "1-1:a|b\n5-5:1|2\n" },
    /* Empty fields. */
    { "a,,c\n,,\n", ',', "1-1:a||c\n2-2:||\n" },
    /* Quoted delimiters and doubled quotes. */
    { "\"x,y\",\"say \"\"hi\"\"\"\n", ',', "1-1:x,y|say \"hi\"\n" },
    { "\"\",\"\"\"\"\n", ',', "1-1:|\"\n" },
    /* Spaces around unquoted fields and after a closing quote go. */
    { " a , b \n\"c\"  ,\"d\" \n", ',', "1-1:a|b\n2-2:c|d\n" },
    { "\" kept \",x\n", ',', "1-1: kept |x\n" },
    /* Multi-line notes: the record starts and ends on the right lines,
     * and so do the ones after it. */
    { "id,note\n1,\"line one\nline two\n\nline four\"\n2,plain\n", ',',
      "1-1:id|note\n2-5:1|line one\\nline two\\n\\nline four\n6-6:2|plain\n" },
    { "1,\"a\r\nb\"\r\n2,c\r\n", ',', "1-2:1|a\\r\\nb\n3-3:2|c\n" },
    { "\"a\n,b\",c\n\n\"d\"\n", ',', "1-2:a\\n,b|c\n4-4:d\n" },
    /* A quote inside an unquoted field is text. */
    { "O\"Brien,5\" screen\n", ',', "1-1:O\"Brien|5\" screen\n" },
    /* A stray carriage return inside a line does not end the row. */
    { "a\rb,c\nd,e\n", ',', "1-1:a\\rb|c\n2-2:d|e\n" },
    /* Classic Mac line ends. */
    { "a,b\r1,2\r", ',', "1-1:a|b\n2-2:1|2\n" },
    { "a,b\r1,2\r3,4\r\n", ',', "1-1:a|b\n2-2:1|2\n3-3:3|4\n" },
    /* There, line feeds are white space like carriage returns in others. */
    { "a,\n\rb,c\n\r1,2\r", ',', "1-1:a|\n2-2:b|c\n3-3:1|2\n" },
    { "1,\"x\ry\"\r\r2,z", ',', "1-2:1|x\\ry\n4-4:2|z\n" },
    /* Carriage returns inside quotes do not make it a Mac file. */
    { "1,\"x\r\ry\r\rz\"\n2,w\n", ',', "1-1:1|x\\r\\ry\\r\\rz\n2-2:2|w\n" },
    /* An unterminated quote costs its own line only. */
    { "a,b\n1,\"open\n2,x\n3,y\n", ',', "1-1:a|b\n2-2!:1|open\n3-3:2|x\n4-4:3|y\n" },
    { "a,b\n1,\"open", ',', "1-1:a|b\n2-2!:1|open\n" },
    { "a,b\r\n1,\"open\r\n\r\n2,x\r\n", ',', "1-1:a|b\n2-2!:1|open\n4-4:2|x\n" },
    /* A quote closed in the middle of a field is not closed. */
    { "\"VIP\" customer,x\n2,y\n", ',', "1-1!:VIP\" customer,x\n2-2:2|y\n" },
    /* Two broken lines in a row. */
    { "\"a\n\"b\nc\n", ',', "1-1!:a\n2-2!:b\n3-3:c\n" },
    /* Other delimiters. */
    { "a;b\n\"1;2\";3,5\n", ';', "1-1:a|b\n2-2:1;2|3,5\n" },
    { "a\tb\n1 2\t\"3\t4\"\n\t\n", '\t', "1-1:a|b\n2-2:1 2|3\t4\n3-3:|\n" },
    { "姓名,邮箱\n张伟,\"zw@example.com\"\n", ',', "1-1:姓名|邮箱\n2-2:张伟|zw@example.com\n" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *records = NULL;
      g_autofree char *copy = NULL;
      gsize len = strlen (cases[i].text);

      g_test_message ("case %u: %s", i, cases[i].text);
      /* The reader must stay inside @len: give it a copy without a NUL. */
      copy = g_memdup2 (cases[i].text, len);
      records = read_all (copy, len, cases[i].delimiter);
      g_assert_cmpstr (records, ==, cases[i].records);
    }
}

static void
test_reader_length (void)
{
  const char *text = "a,b\nc,d\ne,f\n";
  g_autofree char *records = read_all (text, 5, ',');

  /* Only the first five bytes are the text. */
  g_assert_cmpstr (records, ==, "1-1:a|b\n2-2:c\n");
}

static void
test_reader_fields_before_next (void)
{
  g_autoptr(CtCsvReader) reader = ct_csv_reader_new ("a,b\n", 4, ',');
  guint n_fields = 99;
  const char * const *fields = ct_csv_reader_get_fields (reader, &n_fields);

  g_assert_cmpuint (n_fields, ==, 0);
  g_assert_null (fields[0]);
  g_assert_cmpuint (ct_csv_reader_get_offset (reader), ==, 0);
  g_assert_true (ct_csv_reader_next (reader));
  fields = ct_csv_reader_get_fields (reader, &n_fields);
  g_assert_cmpuint (n_fields, ==, 2);
  g_assert_cmpstr (fields[1], ==, "b");
  g_assert_cmpuint (ct_csv_reader_get_offset (reader), ==, 4);
}

static void
test_reader_long_quoted (void)
{
  g_autoptr(GString) ok = g_string_new ("1,\"");
  g_autoptr(GString) broken = g_string_new ("1,\"open\n");
  g_autoptr(CtCsvReader) reader = NULL;
  guint n_fields = 0;
  const char * const *fields;
  guint n_records = 0;

  /* A note of 1000 lines is a note. */
  for (int i = 1; i < 1000; i++)
    g_string_append_printf (ok, "%d\n", i);
  g_string_append (ok, "end\"\n2,x\n");
  reader = ct_csv_reader_new (ok->str, ok->len, ',');
  g_assert_true (ct_csv_reader_next (reader));
  fields = ct_csv_reader_get_fields (reader, &n_fields);
  g_assert_cmpuint (n_fields, ==, 2);
  g_assert_false (ct_csv_reader_get_unterminated (reader));
  g_assert_cmpuint (ct_csv_reader_get_line (reader), ==, 1);
  g_assert_cmpuint (ct_csv_reader_get_end_line (reader), ==, 1000);
  g_assert_true (g_str_has_suffix (fields[1], "999\nend"));
  g_assert_true (ct_csv_reader_next (reader));
  g_assert_cmpuint (ct_csv_reader_get_line (reader), ==, 1001);
  g_assert_false (ct_csv_reader_next (reader));
  g_clear_pointer (&reader, ct_csv_reader_free);

  /* One still open after that is a stray quote, even when a quote comes
   * much later: it costs the first line, and the rest is read. */
  for (int i = 1; i < 1500; i++)
    g_string_append_printf (broken, "%d\n", i);
  g_string_append (broken, "end\"\n");
  reader = ct_csv_reader_new (broken->str, broken->len, ',');
  g_assert_true (ct_csv_reader_next (reader));
  g_assert_true (ct_csv_reader_get_unterminated (reader));
  g_assert_cmpuint (ct_csv_reader_get_line (reader), ==, 1);
  fields = ct_csv_reader_get_fields (reader, &n_fields);
  g_assert_cmpuint (n_fields, ==, 2);
  g_assert_cmpstr (fields[1], ==, "open");
  while (ct_csv_reader_next (reader))
    {
      n_records++;
      if (ct_csv_reader_get_line (reader) == 2)
        {
          fields = ct_csv_reader_get_fields (reader, &n_fields);
          g_assert_cmpstr (fields[0], ==, "1");
        }
    }
  /* Lines 2 to 1500 one record each, and line 1501: end" (a quote inside
   * an unquoted field is text). */
  g_assert_cmpuint (n_records, ==, 1500);
}

/* Delimiters */

static void
test_detect_delimiter (void)
{
  static const struct
  {
    const char *text;
    char        delimiter;
  } cases[] = {
    { "", ',' },
    { "one column\nonly\n", ',' },
    { "a,b,c\n1,2,3\n", ',' },
    { "a;b;c\n1;2;3\n", ';' },
    { "a\tb\tc\n1\t2\t3\n", '\t' },
    /* European decimals do not make it a comma file. */
    { "name;amount\nAda;12,50\nBob;3,00\nCy;7\n", ';' },
    /* Delimiters inside quotes do not count. */
    { "\"x;y;z\",b\n\"z;w;v\",c\n", ',' },
    { "姓名\t邮箱\t备注\n张伟\tzw@example.com\t\"a, b\"\n", '\t' },
    /* The header alone decides. */
    { "email;name\n", ';' },
    /* Consistency beats the count of fields. */
    { "a;b,c,d\ne;f\ng;h,i\n", ';' },
    /* A multi-line quoted note does not unsettle it. */
    { "id;note\n1;\"first, line\nsecond, line\"\n2;x\n", ';' },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %u: %s", i, cases[i].text);
      g_assert_cmpint (ct_csv_detect_delimiter (cases[i].text, strlen (cases[i].text)), ==,
                       cases[i].delimiter);
    }
}

/* Writing */

static void
test_dangerous (void)
{
  static const struct
  {
    const char *cell;
    gboolean    dangerous;
    const char *unneutralised;   /* of "'" + cell */
  } cases[] = {
    { "=1+2", TRUE, "=1+2" },
    { "+1+2", TRUE, "+1+2" },
    { "-1+2", TRUE, "-1+2" },
    { "@SUM(A1)", TRUE, "@SUM(A1)" },
    { "\tx", TRUE, "\tx" },
    { "\rx", TRUE, "\rx" },
    { "=HYPERLINK(\"http://evil\")", TRUE, "=HYPERLINK(\"http://evil\")" },
    { "-", TRUE, "-" },
    { "+86 138 0000 0000", TRUE, "+86 138 0000 0000" },
    { "-12.50x", TRUE, "-12.50x" },
    { "-1e5", TRUE, "-1e5" },
    { "-.5", TRUE, "-.5" },
    { "-5.", TRUE, "-5." },
    /* Plain numbers are numbers to a spreadsheet. */
    { "-12.50", FALSE, "'-12.50" },
    { "+3", FALSE, "'+3" },
    { "-0", FALSE, "'-0" },
    { "plain", FALSE, "'plain" },
    { "a=b", FALSE, "'a=b" },
    { " =1", FALSE, "' =1" },
    { "", FALSE, "'" },
    /* Quotes before danger: the writer adds one, the reader takes one. */
    { "'=1", FALSE, "'=1" },
    { "''@x", FALSE, "''@x" },
  };

  g_assert_false (ct_csv_cell_is_dangerous (NULL));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *neutral = g_strconcat ("'", cases[i].cell, NULL);

      g_test_message ("case %u: %s", i, cases[i].cell);
      g_assert_cmpint (ct_csv_cell_is_dangerous (cases[i].cell), ==, cases[i].dangerous);
      g_assert_cmpstr (ct_csv_cell_unneutralise (neutral), ==, cases[i].unneutralised);
    }
  /* Cells that were never neutralised come back as they are. */
  g_assert_cmpstr (ct_csv_cell_unneutralise ("=1"), ==, "=1");
  g_assert_cmpstr (ct_csv_cell_unneutralise ("'"), ==, "'");
  g_assert_cmpstr (ct_csv_cell_unneutralise ("'quoted'"), ==, "'quoted'");
}

static void
test_append_cell (void)
{
  static const struct
  {
    const char *cell;
    gboolean    neutralise;
    const char *written;
  } cases[] = {
    { NULL, TRUE, "" },
    { "", TRUE, "" },
    { "plain", TRUE, "plain" },
    { "张伟", TRUE, "张伟" },
    { "a,b", TRUE, "\"a,b\"" },
    { "a;b", TRUE, "\"a;b\"" },
    { "say \"hi\"", TRUE, "\"say \"\"hi\"\"\"" },
    { "line\nbreak", TRUE, "\"line\nbreak\"" },
    { "cr\r\nlf", TRUE, "\"cr\r\nlf\"" },
    { " lead", TRUE, "\" lead\"" },
    { "trail ", TRUE, "\"trail \"" },
    { "=1+2", TRUE, "'=1+2" },
    { "=1+2", FALSE, "=1+2" },
    { "@SUM(A1)", TRUE, "'@SUM(A1)" },
    { "+86 138", TRUE, "'+86 138" },
    { "-12.50", TRUE, "-12.50" },
    { "-", TRUE, "'-" },
    { "\tx", TRUE, "\"'\tx\"" },
    { "\tx", FALSE, "\"\tx\"" },
    { "\rx", TRUE, "\"'\rx\"" },
    { "=HYPERLINK(\"http://x\",\"y\")", TRUE, "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" },
    { "'=1", TRUE, "''=1" },
    { "'=1", FALSE, "'=1" },
    { "'plain", TRUE, "'plain" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) out = g_string_new ("x,");

      g_test_message ("case %u: %s", i, cases[i].cell);
      ct_csv_append_cell (out, cases[i].cell, cases[i].neutralise);
      g_assert_true (g_str_has_prefix (out->str, "x,"));
      g_assert_cmpstr (out->str + 2, ==, cases[i].written);
    }
}

static char *
stream_contents (GOutputStream *stream)
{
  GMemoryOutputStream *memory = G_MEMORY_OUTPUT_STREAM (stream);

  return g_strndup (g_memory_output_stream_get_data (memory),
                    g_memory_output_stream_get_data_size (memory));
}

static void
test_writer (void)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(CtCsvWriter) writer = ct_csv_writer_new (stream, CT_CSV_WRITE_BOM);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  const char *header[] = { "email", "name", "note", NULL };
  const char *row[] = { "a@example.com", NULL, "=cmd|' /C calc'!A0" };
  const char *empty[] = { "" };
  const char *nulls[] = { NULL, NULL };

  g_assert_true (ct_csv_writer_add_row (writer, header, -1, NULL, &error));
  g_assert_true (ct_csv_writer_add_row (writer, row, 3, NULL, &error));
  g_assert_true (ct_csv_writer_add_row (writer, empty, 1, NULL, &error));
  g_assert_true (ct_csv_writer_add_row (writer, nulls, 2, NULL, &error));
  g_assert_no_error (error);

  /* Nothing reaches the stream before a flush, in small files. */
  g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (stream)), ==, 0);
  g_assert_true (ct_csv_writer_flush (writer, NULL, &error));
  g_assert_no_error (error);
  /* A second flush has nothing to add. */
  g_assert_true (ct_csv_writer_flush (writer, NULL, &error));

  contents = stream_contents (stream);
  g_assert_cmpstr (contents, ==,
                   "\xEF\xBB\xBF"
                   "email,name,note\n"
                   "a@example.com,,'=cmd|' /C calc'!A0\n"
                   "\"\"\n"
                   ",\n");
}

static void
test_writer_no_neutralise (void)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(CtCsvWriter) writer = ct_csv_writer_new (stream, CT_CSV_WRITE_NO_NEUTRALISE);
  g_autofree char *contents = NULL;
  const char *row[] = { "=1+2", "@x", "-y", NULL };

  g_assert_true (ct_csv_writer_add_row (writer, row, -1, NULL, NULL));
  g_assert_true (ct_csv_writer_flush (writer, NULL, NULL));
  contents = stream_contents (stream);
  /* No BOM either. */
  g_assert_cmpstr (contents, ==, "=1+2,@x,-y\n");
}

static void
test_writer_large (void)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(CtCsvWriter) writer = ct_csv_writer_new (stream, CT_CSV_WRITE_NONE);
  g_autoptr(CtCsvReader) reader = NULL;
  g_autofree char *contents = NULL;
  guint n = 0;

  for (int i = 0; i < 20000; i++)
    {
      g_autofree char *email = g_strdup_printf ("user%d@example.com", i);
      const char *row[] = { email, "张伟", "a \"long\", quoted\nnote", NULL };

      g_assert_true (ct_csv_writer_add_row (writer, row, -1, NULL, NULL));
    }
  /* Large files go out in blocks as they are written. */
  g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (stream)), >, 0);
  g_assert_true (ct_csv_writer_flush (writer, NULL, NULL));

  contents = stream_contents (stream);
  reader = ct_csv_reader_new (contents, strlen (contents), ',');
  while (ct_csv_reader_next (reader))
    {
      guint n_fields = 0;
      const char * const *fields = ct_csv_reader_get_fields (reader, &n_fields);
      g_autofree char *email = g_strdup_printf ("user%u@example.com", n);

      g_assert_cmpuint (n_fields, ==, 3);
      g_assert_cmpstr (fields[0], ==, email);
      g_assert_cmpstr (fields[2], ==, "a \"long\", quoted\nnote");
      g_assert_cmpuint (ct_csv_reader_get_line (reader), ==, 2 * n + 1);
      n++;
    }
  g_assert_cmpuint (n, ==, 20000);
}

static void
test_writer_error (void)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(CtCsvWriter) writer = ct_csv_writer_new (stream, CT_CSV_WRITE_NONE);
  g_autoptr(GError) error = NULL;
  const char *row[] = { "a", NULL };

  g_assert_true (ct_csv_writer_add_row (writer, row, -1, NULL, &error));
  g_assert_true (g_output_stream_close (stream, NULL, NULL));
  g_assert_false (ct_csv_writer_flush (writer, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

/* Whatever is written reads back the same, neutralised cells included. */
static void
test_round_trip (void)
{
  static const char *cells[] = {
    "plain", "", "张伟", "a,b", "a;b", "tab\there", "say \"hi\"", "\"", "\"\"",
    "line\nbreak", "crlf\r\nbreak", "\n", " lead", "trail ", "  ",
    "=1+2", "+1+2", "-1+2", "@SUM(A1)", "\tx", "\rx", "-12.50", "+3", "-",
    "'", "'=1", "''=1", "'plain", "=HYPERLINK(\"http://x\",\"y\")", "€12,50",
  };
  const guint width = 4;
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(CtCsvWriter) writer = ct_csv_writer_new (stream, CT_CSV_WRITE_BOM);
  g_autoptr(CtCsvReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *text = NULL;
  CtCsvEncoding encoding;
  gsize len = 0;
  guint n_rows = 0;

  /* Each cell in each column, beside the others. */
  for (guint i = 0; i < G_N_ELEMENTS (cells); i++)
    {
      const char *row[4];

      for (guint c = 0; c < width; c++)
        row[c] = cells[(i + c) % G_N_ELEMENTS (cells)];
      g_assert_true (ct_csv_writer_add_row (writer, row, width, NULL, &error));
    }
  g_assert_true (ct_csv_writer_flush (writer, NULL, &error));
  g_assert_no_error (error);

  contents = stream_contents (stream);
  g_assert_true (ct_csv_detect_encoding ((const guint8 *) contents, strlen (contents), &encoding, &error));
  g_assert_cmpint (encoding, ==, CT_CSV_ENCODING_UTF8_BOM);
  text = ct_csv_decode ((const guint8 *) contents, strlen (contents), encoding, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ct_csv_detect_delimiter (text, len), ==, ',');

  reader = ct_csv_reader_new (text, len, ',');
  while (ct_csv_reader_next (reader))
    {
      guint n_fields = 0;
      const char * const *fields = ct_csv_reader_get_fields (reader, &n_fields);

      g_assert_false (ct_csv_reader_get_unterminated (reader));
      g_assert_cmpuint (n_fields, ==, width);
      for (guint c = 0; c < width; c++)
        {
          const char *cell = cells[(n_rows + c) % G_N_ELEMENTS (cells)];

          g_test_message ("row %u column %u: %s", n_rows, c, cell);
          /* A neutralised cell is never read as a formula either. */
          g_assert_false (ct_csv_cell_is_dangerous (fields[c]));
          g_assert_cmpstr (ct_csv_cell_unneutralise (fields[c]), ==, cell);
        }
      n_rows++;
    }
  g_assert_cmpuint (n_rows, ==, G_N_ELEMENTS (cells));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/csv/encoding/names", test_encoding_names);
  g_test_add_func ("/csv/encoding/detect", test_detect_encodings);
  g_test_add_func ("/csv/encoding/gb18030-bytes", test_gb18030_bytes);
  g_test_add_func ("/csv/encoding/refusals", test_detect_refusals);
  g_test_add_func ("/csv/encoding/edges", test_detect_edges);
  g_test_add_func ("/csv/encoding/decode", test_decode);
  g_test_add_func ("/csv/reader/records", test_reader);
  g_test_add_func ("/csv/reader/length", test_reader_length);
  g_test_add_func ("/csv/reader/fields-before-next", test_reader_fields_before_next);
  g_test_add_func ("/csv/reader/long-quoted", test_reader_long_quoted);
  g_test_add_func ("/csv/delimiter", test_detect_delimiter);
  g_test_add_func ("/csv/writer/dangerous", test_dangerous);
  g_test_add_func ("/csv/writer/append-cell", test_append_cell);
  g_test_add_func ("/csv/writer/rows", test_writer);
  g_test_add_func ("/csv/writer/no-neutralise", test_writer_no_neutralise);
  g_test_add_func ("/csv/writer/large", test_writer_large);
  g_test_add_func ("/csv/writer/error", test_writer_error);
  g_test_add_func ("/csv/round-trip", test_round_trip);

  return g_test_run ();
}
