/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-csv-parse.c: libFuzzer target over the CSV reader and the cell parsers
 *
 * Bytes go the way an imported file does: encoding detection, decoding,
 * delimiter detection, then every record of the reader, and every field
 * through the date, amount, email, name, tag, yes/no, status and header
 * parsers. The records are then written with the CSV writer and read
 * back, which must give the same fields. GLib criticals and warnings are
 * made fatal, so a failed precondition counts as a finding too.
 *
 * Build (clang only; the core sources are compiled with
 * -fsanitize=fuzzer-no-link for coverage):
 *
 *   CC=clang meson setup /tmp/fuzz-build -Dfuzzing=true \
 *     -Db_sanitize=address,undefined -Db_lundef=false -Dgui_tests=false
 *   ninja -C /tmp/fuzz-build tests/fuzz/fuzz-csv-parse
 *
 * Run for five minutes on a copy of the seed corpus (libFuzzer adds what
 * it finds to the first directory):
 *
 *   rm -rf /tmp/fuzz-corpus && cp -r tests/fuzz/corpus /tmp/fuzz-corpus
 *   UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
 *     /tmp/fuzz-build/tests/fuzz/fuzz-csv-parse -max_total_time=300 \
 *     -dict=tests/fuzz/csv.dict /tmp/fuzz-corpus
 *
 * A crash leaves crash-<sha1> in the current directory; run the target on
 * that file alone to reproduce it.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "ct-csv.h"
#include "ct-parse.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static GTimeZone *china;

/* The earliest and latest a parsed date may be: years 1900 to 2199, give
 * or take the largest zone offset. */
#define MIN_UNIX_TIME (G_GINT64_CONSTANT (-2208988800) - 15 * 3600)
#define MAX_UNIX_TIME (G_GINT64_CONSTANT (7258118399) + 15 * 3600)

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  china = g_time_zone_new_identifier ("+08:00");
  g_assert (china != NULL);
  return 0;
}

static void
check_utf8 (const char *text)
{
  g_assert (text != NULL);
  g_assert (g_utf8_validate (text, -1, NULL));
}

static void
parse_cell (const char *cell)
{
  g_autofree char *email = NULL;
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;
  g_autofree char *header = NULL;
  g_auto(GStrv) tags = NULL;
  gint64 unix_time = 0;
  gint64 minor = 0;
  char currency[4] = "";
  char code[4] = "";
  gboolean flag = FALSE;
  CtContactStatus status;
  CtAmountStatus amount;

  for (int day_first = 0; day_first < 2; day_first++)
    {
      if (ct_parse_date (cell, day_first, china, &unix_time))
        g_assert (unix_time >= MIN_UNIX_TIME && unix_time <= MAX_UNIX_TIME);
      if (ct_parse_date (cell, day_first, NULL, &unix_time))
        g_assert (unix_time >= MIN_UNIX_TIME && unix_time <= MAX_UNIX_TIME);
    }
  ct_parse_date_order_hint (cell, &flag);

  amount = ct_parse_amount_full (cell, NULL, &minor, currency);
  g_assert (amount >= CT_AMOUNT_OK && amount <= CT_AMOUNT_TOO_LARGE);
  if (amount == CT_AMOUNT_OK)
    g_assert (strlen (currency) == 3);
  amount = ct_parse_amount_full (cell, "JPY", &minor, NULL);
  g_assert (amount >= CT_AMOUNT_OK && amount <= CT_AMOUNT_TOO_LARGE);
  amount = ct_parse_amount_full (cell, "KWD", &minor, currency);
  g_assert (amount >= CT_AMOUNT_OK && amount <= CT_AMOUNT_TOO_LARGE);
  if (ct_parse_currency (cell, "HKD", code))
    g_assert (strlen (code) == 3);

  ct_parse_email_valid (cell);
  email = ct_parse_email_normalise (cell);
  check_utf8 (email);
  ct_parse_email_valid (email);

  ct_parse_split_name (cell, &first, &last);
  check_utf8 (first);
  check_utf8 (last);

  tags = ct_parse_split_tags (cell);
  g_assert (tags != NULL);
  for (guint i = 0; tags[i] != NULL; i++)
    {
      check_utf8 (tags[i]);
      g_assert (tags[i][0] != '\0');
    }

  ct_parse_bool (cell, &flag);
  ct_parse_status (cell, &status);

  header = ct_parse_normalise_header (cell);
  check_utf8 (header);
}

/* Writes @records with the writer and reads them back: the same fields
 * must come out, neutralised ones after undoing it. */
static void
check_round_trip (GPtrArray *records)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(CtCsvWriter) writer = ct_csv_writer_new (stream, CT_CSV_WRITE_NONE);
  g_autoptr(CtCsvReader) reader = NULL;
  GMemoryOutputStream *memory = G_MEMORY_OUTPUT_STREAM (stream);
  const char *text;
  gsize len;
  guint n = 0;

  for (guint i = 0; i < records->len; i++)
    {
      GStrv fields = g_ptr_array_index (records, i);

      g_assert (ct_csv_writer_add_row (writer, (const char * const *) fields, -1, NULL, NULL));
    }
  g_assert (ct_csv_writer_flush (writer, NULL, NULL));

  text = g_memory_output_stream_get_data (memory);
  len = g_memory_output_stream_get_data_size (memory);
  reader = ct_csv_reader_new (text, len, ',');
  while (ct_csv_reader_next (reader))
    {
      GStrv expected;
      guint n_fields = 0;
      const char * const *fields = ct_csv_reader_get_fields (reader, &n_fields);

      g_assert (!ct_csv_reader_get_unterminated (reader));
      g_assert (n < records->len);
      expected = g_ptr_array_index (records, n);
      g_assert (n_fields == g_strv_length (expected));
      for (guint f = 0; f < n_fields; f++)
        g_assert (strcmp (ct_csv_cell_unneutralise (fields[f]), expected[f]) == 0);
      n++;
    }
  g_assert (n == records->len);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(CtCsvReader) reader = NULL;
  g_autofree char *raw = NULL;
  g_autofree char *text = NULL;
  CtCsvEncoding encoding;
  gsize len = 0;
  guint last_line = 0;
  char delimiter;

  /* The parsers take any C string, UTF-8 or not. */
  raw = g_strndup ((const char *) data, size);
  parse_cell (raw);

  if (ct_csv_detect_encoding (data, size, &encoding, NULL))
    text = ct_csv_decode (data, size, encoding, &len, NULL);
  else
    {
      /* Refused files can still be forced to an encoding by hand. */
      text = ct_csv_decode (data, size, CT_CSV_ENCODING_WINDOWS_1252, &len, NULL);
    }
  if (text == NULL)
    return 0;
  check_utf8 (text);
  g_assert (strlen (text) == len);

  delimiter = ct_csv_detect_delimiter (text, len);
  g_assert (delimiter == ',' || delimiter == ';' || delimiter == '\t');

  reader = ct_csv_reader_new (text, len, delimiter);
  while (ct_csv_reader_next (reader))
    {
      guint n_fields = 0;
      const char * const *fields = ct_csv_reader_get_fields (reader, &n_fields);
      guint line = ct_csv_reader_get_line (reader);

      g_assert (line > last_line);
      g_assert (ct_csv_reader_get_end_line (reader) >= line);
      g_assert (ct_csv_reader_get_offset (reader) <= len);
      g_assert (n_fields >= 1);
      g_assert (fields[n_fields] == NULL);
      last_line = ct_csv_reader_get_end_line (reader);

      for (guint i = 0; i < n_fields; i++)
        {
          check_utf8 (fields[i]);
          parse_cell (fields[i]);
        }
      g_ptr_array_add (records, g_strdupv ((char **) fields));
    }
  g_assert (ct_csv_reader_get_offset (reader) == len);

  check_round_trip (records);

  return 0;
}
