/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-money.c: tests for ct-money */
#include "config.h"

#include <locale.h>
#include <math.h>

#include "ct-money.h"

static void
test_decimals (void)
{
  g_assert_cmpuint (ct_money_decimals ("CNY"), ==, 2);
  g_assert_cmpuint (ct_money_decimals ("cny"), ==, 2);
  g_assert_cmpuint (ct_money_decimals ("USD"), ==, 2);
  g_assert_cmpuint (ct_money_decimals ("EUR"), ==, 2);
  g_assert_cmpuint (ct_money_decimals ("GBP"), ==, 2);
  g_assert_cmpuint (ct_money_decimals ("HKD"), ==, 2);
  g_assert_cmpuint (ct_money_decimals ("TWD"), ==, 2);
  g_assert_cmpuint (ct_money_decimals ("SGD"), ==, 2);
  g_assert_cmpuint (ct_money_decimals ("JPY"), ==, 0);
  g_assert_cmpuint (ct_money_decimals ("jpy"), ==, 0);
  g_assert_cmpuint (ct_money_decimals ("KRW"), ==, 0);
  g_assert_cmpuint (ct_money_decimals ("VND"), ==, 0);
  g_assert_cmpuint (ct_money_decimals ("KWD"), ==, 3);
  g_assert_cmpuint (ct_money_decimals (NULL), ==, 2);
  g_assert_cmpuint (ct_money_decimals (""), ==, 2);
}

static void
test_symbol (void)
{
  g_assert_cmpstr (ct_money_symbol ("CNY"), ==, "¥");
  g_assert_cmpstr (ct_money_symbol ("JPY"), ==, "¥");
  g_assert_cmpstr (ct_money_symbol ("USD"), ==, "$");
  g_assert_cmpstr (ct_money_symbol ("usd"), ==, "$");
  g_assert_cmpstr (ct_money_symbol ("EUR"), ==, "€");
  g_assert_cmpstr (ct_money_symbol ("GBP"), ==, "£");
  g_assert_cmpstr (ct_money_symbol ("HKD"), ==, "HK$");
  g_assert_cmpstr (ct_money_symbol ("CHF"), ==, "CHF ");
  g_assert_cmpstr (ct_money_symbol ("chf"), ==, "CHF ");
  g_assert_cmpstr (ct_money_symbol ("SGD"), ==, "SGD ");
  g_assert_cmpstr (ct_money_symbol (NULL), ==, "¥");

  /* The returned string must outlive the call. */
  g_assert_true (ct_money_symbol ("CHF") == ct_money_symbol ("CHF"));
}

typedef struct
{
  gint64      minor;
  const char *currency;
  const char *text;
} FormatCase;

static void
test_format (void)
{
  static const FormatCase cases[] = {
    { 123450, "CNY", "¥1,234.50" },
    { -1200, "CNY", "-¥12.00" },
    { 0, "CNY", "¥0.00" },
    { 5, "CNY", "¥0.05" },
    { -5, "CNY", "-¥0.05" },
    { 99, "CNY", "¥0.99" },
    { 100, "CNY", "¥1.00" },
    { 99999, "CNY", "¥999.99" },
    { 100000, "CNY", "¥1,000.00" },
    { 123456789, "USD", "$1,234,567.89" },
    { 1000, "HKD", "HK$10.00" },
    { 250, "EUR", "€2.50" },
    { 1999, "GBP", "£19.99" },
    { 100, "CHF", "CHF 1.00" },
    { -100, "CHF", "-CHF 1.00" },
    { 100000, "JPY", "¥100,000" },
    { 999, "JPY", "¥999" },
    { -1000, "KRW", "-₩1,000" },
    { 1234, "KWD", "KWD 1.234" },
    { 100, NULL, "¥1.00" },
    { G_MAXINT64, "CNY", "¥92,233,720,368,547,758.07" },
    { G_MININT64, "CNY", "-¥92,233,720,368,547,758.08" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = ct_money_format (cases[i].minor, cases[i].currency);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

typedef struct
{
  const char *text;
  const char *currency;
  gint64      minor;
} ParseCase;

static void
test_parse_accepts (void)
{
  static const ParseCase cases[] = {
    { "1234.5", "CNY", 123450 },
    { "1,234.50", "CNY", 123450 },
    { "¥88", "CNY", 8800 },
    { "￥88", "CNY", 8800 },
    { "88元", "CNY", 8800 },
    { "88 元", "CNY", 8800 },
    { " 88 ", "CNY", 8800 },
    { "\t88\n", "CNY", 8800 },
    { "\u300088\u3000", "CNY", 8800 },
    { "RMB 88", "CNY", 8800 },
    { "rmb88", "CNY", 8800 },
    { "CNY 88", "CNY", 8800 },
    { "88 CNY", "CNY", 8800 },
    { "-5", "CNY", -500 },
    { "+5", "CNY", 500 },
    { "-¥12.00", "CNY", -1200 },
    { "¥-12", "CNY", -1200 },
    { "−3", "CNY", -300 },
    { "0", "CNY", 0 },
    { "0.05", "CNY", 5 },
    { ".5", "CNY", 50 },
    { "5.", "CNY", 500 },
    { "007", "CNY", 700 },
    { "12,345,678.9", "CNY", 1234567890 },
    { "1.50", "CNY", 150 },
    { "1.500", "CNY", 150 },           /* extra zeros say nothing more */
    { "８８．５", "CNY", 8850 },          /* full-width, from an input method */
    { "１，２３４", "CNY", 123400 },
    { "¥1,234.50", "CNY", 123450 },
    { "1000", "JPY", 1000 },
    { "1,000", "JPY", 1000 },
    { "¥500", "JPY", 500 },
    { "500円", "JPY", 500 },
    { "1000.00", "JPY", 1000 },
    { "$12.34", "USD", 1234 },
    { "US$ 12.34", "USD", 1234 },
    { "12.34 USD", "USD", 1234 },
    { "HK$10", "HKD", 1000 },
    { "CHF 1.05", "CHF", 105 },
    { "1.234", "KWD", 1234 },
    { "88", NULL, 8800 },
    { "92233720368547758.07", "CNY", G_MAXINT64 },
    { "-92233720368547758.07", "CNY", -G_MAXINT64 },
    { "9223372036854775807", "JPY", G_MAXINT64 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 minor = 42;
      gboolean ok = ct_money_parse (cases[i].text, cases[i].currency, &minor);

      if (!ok)
        g_error ("“%s” in %s was refused", cases[i].text, cases[i].currency);
      g_assert_cmpint (minor, ==, cases[i].minor);
    }

  /* The out argument is optional. */
  g_assert_true (ct_money_parse ("1", "CNY", NULL));
}

static void
test_parse_refuses (void)
{
  static const ParseCase cases[] = {
    { "abc", "CNY", 0 },
    { "1.234.5", "CNY", 0 },
    { "", "CNY", 0 },
    { "   ", "CNY", 0 },
    { "¥", "CNY", 0 },
    { "元", "CNY", 0 },
    { "-", "CNY", 0 },
    { ".", "CNY", 0 },
    { "12.345", "CNY", 0 },           /* three decimals for fen */
    { "0.001", "CNY", 0 },
    { "1.5", "JPY", 0 },              /* yen have no decimals */
    { "1.2345", "KWD", 0 },
    { "92233720368547758.08", "CNY", 0 },
    { "-92233720368547758.09", "CNY", 0 },
    { "99999999999999999999", "CNY", 0 },
    { "9223372036854775808", "JPY", 0 },
    { "184467440737095516160", "JPY", 0 },
    { "1,23", "CNY", 0 },
    { "12,34.5", "CNY", 0 },
    { "1234,567", "CNY", 0 },
    { ",123", "CNY", 0 },
    { "1,,234", "CNY", 0 },
    { "1,234,", "CNY", 0 },
    { "1.5,0", "CNY", 0 },
    { "1 000", "CNY", 0 },
    { "--5", "CNY", 0 },
    { "-¥-5", "CNY", 0 },
    { "5-", "CNY", 0 },
    { "€5", "CNY", 0 },               /* another currency's symbol */
    { "$5", "CNY", 0 },
    { "5 USD", "CNY", 0 },
    { "¥5", "USD", 0 },
    { "1e5", "CNY", 0 },
    { "0x10", "CNY", 0 },
    { "NaN", "CNY", 0 },
    { "inf", "CNY", 0 },
    { "12abc", "CNY", 0 },
    { "¥¥5", "CNY", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 minor = 42;

      if (ct_money_parse (cases[i].text, cases[i].currency, &minor))
        g_error ("“%s” in %s was accepted as %" G_GINT64_FORMAT,
                 cases[i].text, cases[i].currency, minor);
      /* A refusal leaves the caller's value alone. */
      g_assert_cmpint (minor, ==, 42);
    }

  g_assert_false (ct_money_parse (NULL, "CNY", NULL));
  /* Not UTF-8 */
  g_assert_false (ct_money_parse ("\xff" "5", "CNY", NULL));
}

static void
test_round_trip (void)
{
  static const char * const currencies[] = { "CNY", "JPY", "USD", "HKD", "CHF", "KWD", "KRW" };
  static const gint64 values[] = {
    0, 1, 9, 10, 99, 100, 101, 999, 1000, 1001, 99999, 100000, 123456789,
    1000000000000, G_MAXINT64, -1, -100, -123456789, -G_MAXINT64,
  };

  for (guint c = 0; c < G_N_ELEMENTS (currencies); c++)
    for (guint v = 0; v < G_N_ELEMENTS (values); v++)
      {
        g_autofree char *text = ct_money_format (values[v], currencies[c]);
        gint64 back = 0;

        if (!ct_money_parse (text, currencies[c], &back))
          g_error ("Formatted “%s” does not parse back", text);
        g_assert_cmpint (back, ==, values[v]);
      }
}

static void
test_exact (void)
{
  gint64 a = 0, b = 0, c = 0;

  /* 0.1 + 0.2 is 0.3 here, which a double would miss. */
  g_assert_true (ct_money_parse ("0.1", "CNY", &a));
  g_assert_true (ct_money_parse ("0.2", "CNY", &b));
  g_assert_true (ct_money_parse ("0.3", "CNY", &c));
  g_assert_cmpint (a + b, ==, c);

  /* Beyond what a double holds exactly (2^53). */
  g_assert_true (ct_money_parse ("90071992547409.93", "CNY", &a));
  g_assert_cmpint (a, ==, G_GINT64_CONSTANT (9007199254740993));
}

static void
test_compact (void)
{
  static const struct
  {
    gint64 minor;
    const char *currency;
    const char *thousands;
    const char *myriads;
  } cases[] = {
    { 0, "CNY", "¥0", "¥0" },
    { 50, "CNY", "¥0.5", "¥0.5" },
    { 95000, "CNY", "¥950", "¥950" },
    { 950000, "CNY", "¥9.5k", "¥9,500" },
    { 1234500, "CNY", "¥12.3k", "¥1.23万" },
    { 1200000, "CNY", "¥12k", "¥1.2万" },
    { 12000000, "CNY", "¥120k", "¥12万" },
    { 99996000, "CNY", "¥1M", "¥100万" },
    { 123456789000, "CNY", "¥1.23B", "¥12.3亿" },
    { -1234500, "USD", "-$12.3k", "-$1.23万" },
    { 1234500, "JPY", "¥1.23M", "¥123万" },
    { -4, "CNY", "-¥0.04", "-¥0.04" },
    { -1, "EUR", "-€0.01", "-€0.01" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *thousands = ct_money_format_compact (cases[i].minor, cases[i].currency, CT_NUMBER_STYLE_THOUSANDS);
      g_autofree char *myriads = ct_money_format_compact (cases[i].minor, cases[i].currency, CT_NUMBER_STYLE_MYRIADS);

      g_assert_cmpstr (thousands, ==, cases[i].thousands);
      g_assert_cmpstr (myriads, ==, cases[i].myriads);
    }
}

static void
test_compact_number (void)
{
  g_autofree char *a = ct_number_format_compact (1520, CT_NUMBER_STYLE_THOUSANDS);
  g_autofree char *b = ct_number_format_compact (15200, CT_NUMBER_STYLE_MYRIADS);
  g_autofree char *c = ct_number_format_compact (NAN, CT_NUMBER_STYLE_THOUSANDS);
  g_autofree char *d = ct_number_format_compact (999.96, CT_NUMBER_STYLE_THOUSANDS);
  g_autofree char *e = ct_number_format_compact (-0.001, CT_NUMBER_STYLE_THOUSANDS);

  g_assert_cmpstr (a, ==, "1.52k");
  g_assert_cmpstr (b, ==, "1.52万");
  g_assert_cmpstr (c, ==, "—");
  g_assert_cmpstr (d, ==, "1k");
  g_assert_cmpstr (e, ==, "0");
  /* Without a translation, English grouping. */
  g_assert_cmpint (ct_number_style_get_default (), ==, CT_NUMBER_STYLE_THOUSANDS);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/money/decimals", test_decimals);
  g_test_add_func ("/money/symbol", test_symbol);
  g_test_add_func ("/money/format", test_format);
  g_test_add_func ("/money/parse/accepts", test_parse_accepts);
  g_test_add_func ("/money/parse/refuses", test_parse_refuses);
  g_test_add_func ("/money/round-trip", test_round_trip);
  g_test_add_func ("/money/exact", test_exact);

  g_test_add_func ("/money/compact", test_compact);
  g_test_add_func ("/money/compact-number", test_compact_number);

  return g_test_run ();
}
