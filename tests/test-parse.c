/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-parse.c: tests for ct-parse: dates, amounts, emails, names, tags, words */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "ct-parse.h"

/* Dates */

typedef struct
{
  const char *text;
  gboolean    day_first;
  const char *iso;   /* what it means, in ISO 8601 with a zone; NULL: refused */
} DateCase;

/* Local times are read in China Standard Time, as most users' are. */
static void
check_dates (const DateCase *cases,
             guint           n_cases)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_identifier ("+08:00");

  g_assert_nonnull (tz);
  for (guint i = 0; i < n_cases; i++)
    {
      gint64 unix_time = G_MININT64;
      gboolean ok;

      g_test_message ("“%s” day_first=%d", cases[i].text, cases[i].day_first);
      ok = ct_parse_date (cases[i].text, cases[i].day_first, tz, &unix_time);
      if (cases[i].iso != NULL)
        {
          g_autoptr(GDateTime) expected = g_date_time_new_from_iso8601 (cases[i].iso, NULL);

          g_assert_nonnull (expected);
          g_assert_true (ok);
          g_assert_cmpint (unix_time, ==, g_date_time_to_unix (expected));
        }
      else
        {
          g_assert_false (ok);
          /* A refusal leaves the output alone. */
          g_assert_cmpint (unix_time, ==, G_MININT64);
        }
    }
}

static void
test_date_forms (void)
{
  static const DateCase cases[] = {
    { "2024-01-05", FALSE, "2024-01-05T00:00:00+08:00" },
    { "2024/1/5", FALSE, "2024-01-05T00:00:00+08:00" },
    { "2024/01/05", TRUE, "2024-01-05T00:00:00+08:00" },
    { "2024.1.5", FALSE, "2024-01-05T00:00:00+08:00" },
    { "2024年1月5日", FALSE, "2024-01-05T00:00:00+08:00" },
    { "2024年01月05日", TRUE, "2024-01-05T00:00:00+08:00" },
    { "2024 年 1 月 5 日", FALSE, "2024-01-05T00:00:00+08:00" },
    { "2024年1月5号", FALSE, "2024-01-05T00:00:00+08:00" },
    { "2024年1月5", FALSE, "2024-01-05T00:00:00+08:00" },
    { "20240105", FALSE, "2024-01-05T00:00:00+08:00" },
    /* The switch decides the order of day and month, and only then. */
    { "05/01/2024", FALSE, "2024-05-01T00:00:00+08:00" },
    { "05/01/2024", TRUE, "2024-01-05T00:00:00+08:00" },
    { "5-1-24", TRUE, "2024-01-05T00:00:00+08:00" },
    { "1/5/24", FALSE, "2024-01-05T00:00:00+08:00" },
    { "13/05/2024", TRUE, "2024-05-13T00:00:00+08:00" },
    { "05/13/2024", FALSE, "2024-05-13T00:00:00+08:00" },
    { "5.1.2024", TRUE, "2024-01-05T00:00:00+08:00" },
    /* Two-digit years: 70 and later are the 1900s. */
    { "1/5/69", FALSE, "2069-01-05T00:00:00+08:00" },
    { "1/5/70", FALSE, "1970-01-05T00:00:00+08:00" },
    /* Month names. */
    { "Jan 5, 2024", FALSE, "2024-01-05T00:00:00+08:00" },
    { "January 5th, 2024", TRUE, "2024-01-05T00:00:00+08:00" },
    { "5 January 2024", FALSE, "2024-01-05T00:00:00+08:00" },
    { "5 Jan, 2024", FALSE, "2024-01-05T00:00:00+08:00" },
    { "Sept 5 2024", FALSE, "2024-09-05T00:00:00+08:00" },
    { "sep. 5, 2024", FALSE, "2024-09-05T00:00:00+08:00" },
    { "MAY 1 2024", FALSE, "2024-05-01T00:00:00+08:00" },
    { "22nd Feb 2024", FALSE, "2024-02-22T00:00:00+08:00" },
    { "Feb 22nd 2024", FALSE, "2024-02-22T00:00:00+08:00" },
    /* White space around, Chinese input's included. */
    { "  2024-01-05  ", FALSE, "2024-01-05T00:00:00+08:00" },
    { "\u30002024-01-05\u00A0", FALSE, "2024-01-05T00:00:00+08:00" },
    /* Leap years. */
    { "2024-02-29", FALSE, "2024-02-29T00:00:00+08:00" },
    { "2000-02-29", FALSE, "2000-02-29T00:00:00+08:00" },
    { "1900-01-01", FALSE, "1900-01-01T00:00:00+08:00" },
    { "2199-12-31", FALSE, "2199-12-31T00:00:00+08:00" },
  };

  check_dates (cases, G_N_ELEMENTS (cases));
}

static void
test_date_times (void)
{
  static const DateCase cases[] = {
    { "2024-01-05 09:05", FALSE, "2024-01-05T09:05:00+08:00" },
    { "2024-01-05 9:05", FALSE, "2024-01-05T09:05:00+08:00" },
    { "2024-01-05 09:05:30", FALSE, "2024-01-05T09:05:30+08:00" },
    { "2024-01-05 09:05:30.250", FALSE, "2024-01-05T09:05:30+08:00" },
    { "2024/1/5 9:05 PM", FALSE, "2024-01-05T21:05:00+08:00" },
    { "2024/1/5 9:05pm", FALSE, "2024-01-05T21:05:00+08:00" },
    { "2024/1/5 9:05 a.m.", FALSE, "2024-01-05T09:05:00+08:00" },
    { "2024/1/5 12:00 AM", FALSE, "2024-01-05T00:00:00+08:00" },
    { "2024/1/5 12:30 pm", FALSE, "2024-01-05T12:30:00+08:00" },
    { "05/01/2024 14:30", TRUE, "2024-01-05T14:30:00+08:00" },
    { "2024年1月5日 下午3:30", FALSE, "2024-01-05T15:30:00+08:00" },
    { "2024年1月5日下午3:30", FALSE, "2024-01-05T15:30:00+08:00" },
    { "2024年1月5日 上午9:30", FALSE, "2024-01-05T09:30:00+08:00" },
    /* The 24-hour clock wins over a half of the day. */
    { "2024年1月5日 下午15:00", FALSE, "2024-01-05T15:00:00+08:00" },
    /* So is "13:00 PM", which can mean nothing else. */
    { "2024-01-05 13:00 PM", FALSE, "2024-01-05T13:00:00+08:00" },
    { "2024年1月5日14:30", FALSE, "2024-01-05T14:30:00+08:00" },
    { "2024年1月5日 14时30分", FALSE, "2024-01-05T14:30:00+08:00" },
    { "2024年1月5日 14点", FALSE, "2024-01-05T14:00:00+08:00" },
    { "2024年1月5日 上午9点5分3秒", FALSE, "2024-01-05T09:05:03+08:00" },
    { "Jan 5, 2024 9:05 PM", FALSE, "2024-01-05T21:05:00+08:00" },
    /* ISO 8601 and zones. */
    { "2024-01-05T09:05:30", FALSE, "2024-01-05T09:05:30+08:00" },
    { "2024-01-05T09:05:30.123Z", FALSE, "2024-01-05T09:05:30Z" },
    { "2024-01-05t09:05:30z", FALSE, "2024-01-05T09:05:30Z" },
    { "2024-01-05T09:05:30+08:00", FALSE, "2024-01-05T09:05:30+08:00" },
    { "2024-01-05T09:05:30-0500", FALSE, "2024-01-05T09:05:30-05:00" },
    { "2024-01-05T09:05:30+05:30", FALSE, "2024-01-05T09:05:30+05:30" },
    { "2024-01-05 09:05 +09", FALSE, "2024-01-05T09:05:00+09:00" },
    { "2024-01-05 09:05 UTC", FALSE, "2024-01-05T09:05:00Z" },
    { "2024-01-05 09:05 UTC+8", FALSE, "2024-01-05T09:05:00+08:00" },
    { "2024-01-05 09:05 GMT-3", FALSE, "2024-01-05T09:05:00-03:00" },
    /* A leap second reads as the second before it. */
    { "2016-12-31T23:59:60Z", FALSE, "2016-12-31T23:59:59Z" },
    /* Unix times in seconds and milliseconds. */
    { "1704384000", FALSE, "2024-01-04T16:00:00Z" },
    { "1704384000123", FALSE, "2024-01-04T16:00:00Z" },
    { "7258118399", FALSE, "2199-12-31T23:59:59Z" },
  };

  check_dates (cases, G_N_ELEMENTS (cases));
}

static void
test_date_refusals (void)
{
  static const DateCase cases[] = {
    { "", FALSE, NULL },
    { "   ", FALSE, NULL },
    { "abc", FALSE, NULL },
    { "2024", FALSE, NULL },
    { "2024-01", FALSE, NULL },
    { "2024-1-5-6", FALSE, NULL },
    { "2024/01-05", FALSE, NULL },
    { "2024-001-05", FALSE, NULL },
    { "2024-01-005", FALSE, NULL },
    { "12024-01-05", FALSE, NULL },
    /* Days and months that do not exist. */
    { "2024-02-30", FALSE, NULL },
    { "2023-02-29", FALSE, NULL },
    { "1900-02-29", FALSE, NULL },
    { "2024-04-31", FALSE, NULL },
    { "2024-01-32", FALSE, NULL },
    { "2024-01-00", FALSE, NULL },
    { "2024-13-01", FALSE, NULL },
    { "2024-00-10", FALSE, NULL },
    { "2024年13月1日", FALSE, NULL },
    { "2024年2月30日", FALSE, NULL },
    { "20240230", FALSE, NULL },
    { "13/05/2024", FALSE, NULL },
    { "05/13/2024", TRUE, NULL },
    { "Jan 32, 2024", FALSE, NULL },
    { "Foo 5, 2024", FALSE, NULL },
    { "mayday 5 2024", FALSE, NULL },
    /* Outside the years a customer list holds. */
    { "1899-12-31", FALSE, NULL },
    { "2200-01-01", FALSE, NULL },
    { "0000-01-01", FALSE, NULL },
    { "9999999999", FALSE, NULL },
    { "9999999999999", FALSE, NULL },
    /* Numbers that are no date. */
    { "123456789", FALSE, NULL },
    { "99999999999", FALSE, NULL },
    { "99999999999999999999999999", FALSE, NULL },
    /* Broken times. */
    { "2024-01-05T", FALSE, NULL },
    { "2024-01-05T Z", FALSE, NULL },
    { "2024-01-05 25:00", FALSE, NULL },
    { "2024-01-05 24:00", FALSE, NULL },
    { "2024-01-05 12:60", FALSE, NULL },
    { "2024-01-05 12:30:61", FALSE, NULL },
    { "2024-01-05 12:5", FALSE, NULL },
    { "2024-01-05 123:00", FALSE, NULL },
    { "2024-01-05 12:30:", FALSE, NULL },
    { "2024-01-05 12:30:00.", FALSE, NULL },
    { "2024-01-05 0:30 AM", FALSE, NULL },
    { "2024-01-05 9", FALSE, NULL },
    { "2024-01-05 下午", FALSE, NULL },
    { "2024-01-05 14时30", FALSE, NULL },
    { "2024-01-05 09:05 +15:00", FALSE, NULL },
    { "2024-01-05 09:05 +08:60", FALSE, NULL },
    { "2024-01-05 09:05 +123456", FALSE, NULL },
    { "2024-01-05 09:05 PST", FALSE, NULL },
    { "2024-01-0509:05", FALSE, NULL },
    { "2024-01-05 and more", FALSE, NULL },
    /* Not UTF-8. */
    { "2024-01-05\xFF", FALSE, NULL },
  };
  gint64 unix_time = 0;

  check_dates (cases, G_N_ELEMENTS (cases));
  g_assert_false (ct_parse_date (NULL, FALSE, NULL, &unix_time));
}

static void
test_date_local_zone (void)
{
  g_autoptr(GTimeZone) local = g_time_zone_new_local ();
  g_autoptr(GDateTime) expected = g_date_time_new (local, 2024, 1, 5, 9, 5, 0);
  gint64 unix_time = 0;

  /* Without a zone, the local one. */
  g_assert_true (ct_parse_date ("2024-01-05 09:05", FALSE, NULL, &unix_time));
  g_assert_cmpint (unix_time, ==, g_date_time_to_unix (expected));
  /* A zone in the text beats it. */
  g_assert_true (ct_parse_date ("2024-01-05T09:05:00Z", FALSE, NULL, &unix_time));
  g_assert_cmpint (unix_time, ==, 1704445500);
}

static void
test_date_order_hint (void)
{
  static const struct
  {
    const char *text;
    gboolean    decided;
    gboolean    day_first;
  } cases[] = {
    { "25/01/2024", TRUE, TRUE },
    { "25.1.24", TRUE, TRUE },
    { " 31-12-2023 10:00", TRUE, TRUE },
    { "01/25/2024", TRUE, FALSE },
    { "12/31/2023", TRUE, FALSE },
    { "05/01/2024", FALSE, FALSE },
    { "12/12/2024", FALSE, FALSE },
    { "32/01/2024", FALSE, FALSE },
    { "13/13/2024", FALSE, FALSE },
    { "25/01-2024", FALSE, FALSE },
    { "2024-01-25", FALSE, FALSE },
    { "123/01/2024", FALSE, FALSE },
    { "abc", FALSE, FALSE },
    { "", FALSE, FALSE },
    { NULL, FALSE, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean day_first = 42;

      g_test_message ("“%s”", cases[i].text);
      g_assert_cmpint (ct_parse_date_order_hint (cases[i].text, &day_first), ==, cases[i].decided);
      if (cases[i].decided)
        g_assert_cmpint (day_first, ==, cases[i].day_first);
      else
        g_assert_cmpint (day_first, ==, 42);
    }
}

/* Amounts */

typedef struct
{
  const char     *text;
  const char     *default_currency;
  CtAmountStatus  status;
  gint64          minor;
  const char     *currency;
} AmountCase;

static void
test_amounts (void)
{
  static const AmountCase cases[] = {
    { "1234.5", NULL, CT_AMOUNT_OK, 123450, "CNY" },
    { "1,234.50", NULL, CT_AMOUNT_OK, 123450, "CNY" },
    { "0", NULL, CT_AMOUNT_OK, 0, "CNY" },
    { "0.5", NULL, CT_AMOUNT_OK, 50, "CNY" },
    { ".5", NULL, CT_AMOUNT_OK, 50, "CNY" },
    { "5.", NULL, CT_AMOUNT_OK, 500, "CNY" },
    { "+12", NULL, CT_AMOUNT_OK, 1200, "CNY" },
    { "  88  ", NULL, CT_AMOUNT_OK, 8800, "CNY" },
    /* Yuan, written every way. */
    { "¥88", NULL, CT_AMOUNT_OK, 8800, "CNY" },
    { "￥88.00", NULL, CT_AMOUNT_OK, 8800, "CNY" },
    { "¥ 1,280", NULL, CT_AMOUNT_OK, 128000, "CNY" },
    { "88元", NULL, CT_AMOUNT_OK, 8800, "CNY" },
    { "88 元", NULL, CT_AMOUNT_OK, 8800, "CNY" },
    { "88元整", NULL, CT_AMOUNT_OK, 8800, "CNY" },
    { "88块", NULL, CT_AMOUNT_OK, 8800, "CNY" },
    { "人民币88", NULL, CT_AMOUNT_OK, 8800, "CNY" },
    { "RMB 88", NULL, CT_AMOUNT_OK, 8800, "CNY" },
    { "rmb88.5", "USD", CT_AMOUNT_OK, 8850, "CNY" },
    { "88 CNY", NULL, CT_AMOUNT_OK, 8800, "CNY" },
    { "88 cny", "EUR", CT_AMOUNT_OK, 8800, "CNY" },
    { "１２３.４５", NULL, CT_AMOUNT_OK, 12345, "CNY" },
    { "¥1000", "JPY", CT_AMOUNT_OK, 1000, "JPY" },
    { "¥1000", "USD", CT_AMOUNT_OK, 100000, "CNY" },
    /* Dollars: USD unless the default is another dollar. */
    { "$12", NULL, CT_AMOUNT_OK, 1200, "USD" },
    { "$12", "HKD", CT_AMOUNT_OK, 1200, "HKD" },
    { "$12", "JPY", CT_AMOUNT_OK, 1200, "USD" },
    { "US$12", "HKD", CT_AMOUNT_OK, 1200, "USD" },
    { "HK$12.5", NULL, CT_AMOUNT_OK, 1250, "HKD" },
    { "12 美元", NULL, CT_AMOUNT_OK, 1200, "USD" },
    { "USD 1,000.00", NULL, CT_AMOUNT_OK, 100000, "USD" },
    /* Europe: comma decimals, dot or space thousands. */
    { "€12,50", NULL, CT_AMOUNT_OK, 1250, "EUR" },
    { "1.234,56 €", NULL, CT_AMOUNT_OK, 123456, "EUR" },
    { "1 234,56", "EUR", CT_AMOUNT_OK, 123456, "EUR" },
    { "1'234.50", "CHF", CT_AMOUNT_OK, 123450, "CHF" },
    { "12,5", NULL, CT_AMOUNT_OK, 1250, "CNY" },
    { "£3", NULL, CT_AMOUNT_OK, 300, "GBP" },
    /* Thousands. */
    { "12,345", NULL, CT_AMOUNT_OK, 1234500, "CNY" },
    { "1,234,567.89", NULL, CT_AMOUNT_OK, 123456789, "CNY" },
    { "1.234.567", NULL, CT_AMOUNT_OK, 123456700, "CNY" },
    { "1 234 567", NULL, CT_AMOUNT_OK, 123456700, "CNY" },
    { "1,234", "JPY", CT_AMOUNT_OK, 1234, "JPY" },
    /* Negatives: refunds. */
    { "-12", NULL, CT_AMOUNT_OK, -1200, "CNY" },
    { "−12", NULL, CT_AMOUNT_OK, -1200, "CNY" },
    { "(12.00)", NULL, CT_AMOUNT_OK, -1200, "CNY" },
    { "12.00-", NULL, CT_AMOUNT_OK, -1200, "CNY" },
    { "-¥12", NULL, CT_AMOUNT_OK, -1200, "CNY" },
    { "¥-12", NULL, CT_AMOUNT_OK, -1200, "CNY" },
    { "- 12 元", NULL, CT_AMOUNT_OK, -1200, "CNY" },
    /* Currencies with other decimals. */
    { "KWD 1.234", NULL, CT_AMOUNT_OK, 1234, "KWD" },
    { "12.3400", NULL, CT_AMOUNT_OK, 1234, "CNY" },
    { "1000.0", "JPY", CT_AMOUNT_OK, 1000, "JPY" },
    /* The largest that fits: fifteen digits before the point. */
    { "999,999,999,999,999.99", NULL, CT_AMOUNT_OK, G_GINT64_CONSTANT (99999999999999999), "CNY" },
    /* Too precise. */
    { "12.345", NULL, CT_AMOUNT_TOO_PRECISE, 0, NULL },
    { "12,3456", NULL, CT_AMOUNT_TOO_PRECISE, 0, NULL },
    { "¥1.5", "JPY", CT_AMOUNT_TOO_PRECISE, 0, NULL },
    { "1.234", NULL, CT_AMOUNT_TOO_PRECISE, 0, NULL },
    /* Too large. */
    { "9999999999999999", NULL, CT_AMOUNT_TOO_LARGE, 0, NULL },
    { "99999999999999999999999999", NULL, CT_AMOUNT_TOO_LARGE, 0, NULL },
    { "1000000000000000000000000000000000000000000000000000000000000000000000", NULL,
      CT_AMOUNT_TOO_LARGE, 0, NULL },
    /* Not amounts. */
    { "", NULL, CT_AMOUNT_INVALID, 0, NULL },
    { "   ", NULL, CT_AMOUNT_INVALID, 0, NULL },
    { "abc", NULL, CT_AMOUNT_INVALID, 0, NULL },
    { "12 pcs", NULL, CT_AMOUNT_INVALID, 0, NULL },
    { "12 xyz", NULL, CT_AMOUNT_INVALID, 0, NULL },
    { "1e5", NULL, CT_AMOUNT_INVALID, 0, NULL },
    { "¥", NULL, CT_AMOUNT_INVALID, 0, NULL },
    { ".", NULL, CT_AMOUNT_INVALID, 0, NULL },
    { ",", NULL, CT_AMOUNT_INVALID, 0, NULL },
    { "1,2,3", NULL, CT_AMOUNT_INVALID, 0, NULL },
    { "1,23,456", NULL, CT_AMOUNT_INVALID, 0, NULL },
    { "1234,567", NULL, CT_AMOUNT_INVALID, 0, NULL },
    { "12.34.56", NULL, CT_AMOUNT_INVALID, 0, NULL },
    { "12..5", NULL, CT_AMOUNT_INVALID, 0, NULL },
    { "1.234,56.7", NULL, CT_AMOUNT_INVALID, 0, NULL },
    { "12 34", NULL, CT_AMOUNT_INVALID, 0, NULL },
    { "1 234,567", NULL, CT_AMOUNT_INVALID, 0, NULL },
    { "--12", NULL, CT_AMOUNT_INVALID, 0, NULL },
    { "(-12)", NULL, CT_AMOUNT_INVALID, 0, NULL },
    { "(12", NULL, CT_AMOUNT_INVALID, 0, NULL },
    { "12)", NULL, CT_AMOUNT_INVALID, 0, NULL },
    { "12$34", NULL, CT_AMOUNT_INVALID, 0, NULL },
    { "USD 12 EUR", NULL, CT_AMOUNT_INVALID, 0, NULL },
    { "$12 €", NULL, CT_AMOUNT_INVALID, 0, NULL },
    { "12元 3", NULL, CT_AMOUNT_INVALID, 0, NULL },
    { "12\xFF", NULL, CT_AMOUNT_INVALID, 0, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 minor = -1;
      char currency[4] = "---";
      CtAmountStatus status;

      g_test_message ("“%s” default %s", cases[i].text, cases[i].default_currency);
      status = ct_parse_amount_full (cases[i].text, cases[i].default_currency, &minor, currency);
      g_assert_cmpint (status, ==, cases[i].status);
      g_assert_cmpint (ct_parse_amount (cases[i].text, cases[i].default_currency, &minor, NULL),
                       ==, cases[i].status == CT_AMOUNT_OK);
      if (cases[i].status == CT_AMOUNT_OK)
        {
          g_assert_cmpint (minor, ==, cases[i].minor);
          g_assert_cmpstr (currency, ==, cases[i].currency);
        }
      else
        {
          g_assert_cmpint (minor, ==, -1);
          g_assert_cmpstr (currency, ==, "---");
        }
    }

  {
    gint64 minor = 0;

    g_assert_cmpint (ct_parse_amount_full (NULL, NULL, &minor, NULL), ==, CT_AMOUNT_INVALID);
    /* A default that is no code is CNY. */
    g_assert_cmpint (ct_parse_amount_full ("1", "dollars", &minor, NULL), ==, CT_AMOUNT_OK);
    g_assert_cmpint (minor, ==, 100);
  }
}

static void
test_currency (void)
{
  static const struct
  {
    const char *text;
    const char *default_currency;
    const char *code;   /* NULL: refused */
  } cases[] = {
    { "cny", NULL, "CNY" },
    { " usd ", NULL, "USD" },
    { "RMB", NULL, "CNY" },
    { "人民币", NULL, "CNY" },
    { "美元", NULL, "USD" },
    { "港币", NULL, "HKD" },
    { "¥", NULL, "CNY" },
    { "¥", "JPY", "JPY" },
    { "$", NULL, "USD" },
    { "$", "SGD", "SGD" },
    { "HK$", NULL, "HKD" },
    { "€", NULL, "EUR" },
    { "xyz", NULL, NULL },
    { "", NULL, NULL },
    { "CNY 1", NULL, NULL },
    { "dollars", NULL, NULL },
    { NULL, NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char code[4] = "---";

      g_test_message ("“%s”", cases[i].text);
      g_assert_cmpint (ct_parse_currency (cases[i].text, cases[i].default_currency, code), ==,
                       cases[i].code != NULL);
      g_assert_cmpstr (code, ==, cases[i].code != NULL ? cases[i].code : "---");
    }
}

/* Emails */

static void
test_email_valid (void)
{
  static const struct
  {
    const char *text;
    gboolean    valid;
  } cases[] = {
    { "a@b.co", TRUE },
    { "joe.smith+tag@example.com", TRUE },
    { "Joe@Example.COM", TRUE },
    { "user@mail.example.co.uk", TRUE },
    { "a_b-c@x-y.io", TRUE },
    { "o'neil@example.ie", TRUE },
    { "1@2.com", TRUE },
    { "张伟@例子.公司", TRUE },
    { "zw@qq.com", TRUE },
    { NULL, FALSE },
    { "", FALSE },
    { "a", FALSE },
    { "@b.com", FALSE },
    { "a@", FALSE },
    { "a@b", FALSE },
    { "a@b.c", FALSE },
    { "a@.com", FALSE },
    { "a@b..com", FALSE },
    { "a@b.com.", FALSE },
    { ".a@b.com", FALSE },
    { "a.@b.com", FALSE },
    { "a..b@c.com", FALSE },
    { "a b@c.com", FALSE },
    { " a@b.com", FALSE },
    { "a@b c.com", FALSE },
    { "a@@b.com", FALSE },
    { "a@b@c.com", FALSE },
    { "a@1.2.3.4", FALSE },
    { "a@[1.2.3.4]", FALSE },
    { "a@-b.com", FALSE },
    { "a@b-.com", FALSE },
    { "a@b_c.com", FALSE },
    { "a,b@c.com", FALSE },
    { "\"a\"@b.com", FALSE },
    { "a@b.com\xFF", FALSE },
    { "ａ@b.com", TRUE },   /* letters beyond ASCII; the importer normalises first */
  };
  g_autofree char *long_local = g_strdup_printf ("%s@example.com", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  g_autofree char *too_long_local = g_strdup_printf ("a%s", long_local);
  g_autoptr(GString) too_long = g_string_new ("a@");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("“%s”", cases[i].text);
      g_assert_cmpint (ct_parse_email_valid (cases[i].text), ==, cases[i].valid);
    }

  /* 64 characters before the @ at most, 254 in all. */
  g_assert_true (ct_parse_email_valid (long_local));
  g_assert_false (ct_parse_email_valid (too_long_local));
  for (int i = 0; i < 5; i++)
    g_string_append (too_long, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.");
  g_string_append (too_long, "com");
  g_assert_false (ct_parse_email_valid (too_long->str));
}

static void
test_email_normalise (void)
{
  static const struct
  {
    const char *text;
    const char *normal;
  } cases[] = {
    { "a@b.com", "a@b.com" },
    { "  a@b.com\t", "a@b.com" },
    { "\u3000a@b.com\u00A0", "a@b.com" },
    { "ｊｏｅ＠ｅｘａｍｐｌｅ．ｃｏｍ", "joe@example.com" },
    { "joe@example。com", "joe@example.com" },
    { "Joe@Example.COM", "Joe@Example.COM" },
    { "张伟@例子.公司", "张伟@例子.公司" },
    { "", "" },
    { NULL, "" },
    { "a\xFF@b.com", "a\uFFFD@b.com" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *normal = ct_parse_email_normalise (cases[i].text);

      g_test_message ("“%s”", cases[i].text);
      g_assert_cmpstr (normal, ==, cases[i].normal);
    }
  {
    g_autofree char *normal = ct_parse_email_normalise ("ｊｏｅ＠ｅｘａｍｐｌｅ．ｃｏｍ");

    g_assert_true (ct_parse_email_valid (normal));
  }
}

/* Names, tags, words */

static void
test_split_name (void)
{
  static const struct
  {
    const char *text;
    const char *first;
    const char *last;
  } cases[] = {
    { "张伟", "伟", "张" },
    { "王小明", "小明", "王" },
    { "欧阳娜娜", "娜娜", "欧阳" },
    { "诸葛亮", "亮", "诸葛" },
    { "司马 懿", "懿", "司马" },
    { "欧阳", "阳", "欧" },
    { "张 伟", "伟", "张" },
    { "张\u3000伟", "伟", "张" },
    { "  张伟  ", "伟", "张" },
    { "王", "王", "" },
    { "김민수", "민수", "김" },
    { "阿卜杜·热合曼", "阿卜杜·热合曼", "" },
    { "Ada Lovelace", "Ada", "Lovelace" },
    { "  Ada   Lovelace  ", "Ada", "Lovelace" },
    { "Lovelace, Ada", "Ada", "Lovelace" },
    { "Mary Ann Smith", "Mary Ann", "Smith" },
    { "Ada", "Ada", "" },
    { "", "", "" },
    { NULL, "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *first = NULL;
      g_autofree char *last = NULL;

      g_test_message ("“%s”", cases[i].text);
      ct_parse_split_name (cases[i].text, &first, &last);
      g_assert_cmpstr (first, ==, cases[i].first);
      g_assert_cmpstr (last, ==, cases[i].last);
    }
}

static void
test_split_tags (void)
{
  static const struct
  {
    const char *text;
    const char *joined;   /* the tags joined by "/" */
  } cases[] = {
    { "vip", "vip" },
    { "VIP, 2024课程；老客户", "VIP/2024课程/老客户" },
    { "a;b|c、d，e；f｜g", "a/b/c/d/e/f/g" },
    { "  spaced tag  , other ", "spaced tag/other" },
    { "vip, VIP, Vip", "vip" },
    { "Ünïcode, ÜNÏCODE", "Ünïcode" },
    { " , ,,", "" },
    { "", "" },
    { NULL, "" },
    { "\u3000老客户\u3000", "老客户" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(GStrv) tags = ct_parse_split_tags (cases[i].text);
      g_autofree char *joined = NULL;

      g_test_message ("“%s”", cases[i].text);
      g_assert_nonnull (tags);
      joined = g_strjoinv ("/", tags);
      g_assert_cmpstr (joined, ==, cases[i].joined);
    }
}

static void
test_bool (void)
{
  static const struct
  {
    const char *text;
    gboolean    known;
    gboolean    value;
  } cases[] = {
    { "1", TRUE, TRUE },
    { "YES", TRUE, TRUE },
    { " true ", TRUE, TRUE },
    { "Refunded", TRUE, TRUE },
    { "是", TRUE, TRUE },
    { "已退款", TRUE, TRUE },
    { "0", TRUE, FALSE },
    { "no", TRUE, FALSE },
    { "False", TRUE, FALSE },
    { "", TRUE, FALSE },
    { NULL, TRUE, FALSE },
    { "否", TRUE, FALSE },
    { "paid", TRUE, FALSE },
    { "已支付", TRUE, FALSE },
    { "交易成功", TRUE, FALSE },
    { "maybe", FALSE, FALSE },
    { "2", FALSE, FALSE },
    { "yes please", FALSE, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean value = 42;

      g_test_message ("“%s”", cases[i].text);
      g_assert_cmpint (ct_parse_bool (cases[i].text, &value), ==, cases[i].known);
      g_assert_cmpint (value, ==, cases[i].known ? cases[i].value : 42);
    }
}

static void
test_status (void)
{
  static const struct
  {
    const char      *text;
    gboolean         known;
    CtContactStatus  status;
  } cases[] = {
    { "subscribed", TRUE, CT_CONTACT_SUBSCRIBED },
    { " Subscribed ", TRUE, CT_CONTACT_SUBSCRIBED },
    { "订阅", TRUE, CT_CONTACT_SUBSCRIBED },
    { "已订阅", TRUE, CT_CONTACT_SUBSCRIBED },
    { "unsubscribed", TRUE, CT_CONTACT_UNSUBSCRIBED },
    { "Opted Out", TRUE, CT_CONTACT_UNSUBSCRIBED },
    { "退订", TRUE, CT_CONTACT_UNSUBSCRIBED },
    { "bounced", TRUE, CT_CONTACT_BOUNCED },
    { "退信", TRUE, CT_CONTACT_BOUNCED },
    { "complained", TRUE, CT_CONTACT_COMPLAINED },
    { "投诉", TRUE, CT_CONTACT_COMPLAINED },
    { "SPAM", TRUE, CT_CONTACT_COMPLAINED },
    { "", FALSE, 0 },
    { NULL, FALSE, 0 },
    { "whatever", FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      CtContactStatus status = 42;

      g_test_message ("“%s”", cases[i].text);
      g_assert_cmpint (ct_parse_status (cases[i].text, &status), ==, cases[i].known);
      g_assert_cmpint (status, ==, cases[i].known ? cases[i].status : 42);
    }
}

static void
test_normalise_header (void)
{
  static const struct
  {
    const char *text;
    const char *key;
  } cases[] = {
    { "Email", "email" },
    { "E-mail", "email" },
    { "E-Mail Address", "emailaddress" },
    { "邮箱", "邮箱" },
    { "金额(元)", "金额" },
    { "实付金额（元）", "实付金额" },
    { "Amount (USD)", "amount" },
    { "  Paid At  ", "paidat" },
    { "ＥＭＡＩＬ", "email" },
    { "First_Name", "firstname" },
    { "订单号#", "订单号" },
    { "\xEF\xBB\xBF" "email", "email" },
    { "手机/电话", "手机电话" },
    { "【备注】", "备注" },
    { "(a)(b)", "ab" },
    { "name)", "name" },
    { "支付时间 [北京时间]", "支付时间" },
    { "", "" },
    { NULL, "" },
    { "a\xFF", "a" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *key = ct_parse_normalise_header (cases[i].text);

      g_test_message ("“%s”", cases[i].text);
      g_assert_cmpstr (key, ==, cases[i].key);
    }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/parse/date/forms", test_date_forms);
  g_test_add_func ("/parse/date/times", test_date_times);
  g_test_add_func ("/parse/date/refusals", test_date_refusals);
  g_test_add_func ("/parse/date/local-zone", test_date_local_zone);
  g_test_add_func ("/parse/date/order-hint", test_date_order_hint);
  g_test_add_func ("/parse/amount", test_amounts);
  g_test_add_func ("/parse/currency", test_currency);
  g_test_add_func ("/parse/email/valid", test_email_valid);
  g_test_add_func ("/parse/email/normalise", test_email_normalise);
  g_test_add_func ("/parse/name", test_split_name);
  g_test_add_func ("/parse/tags", test_split_tags);
  g_test_add_func ("/parse/bool", test_bool);
  g_test_add_func ("/parse/status", test_status);
  g_test_add_func ("/parse/header", test_normalise_header);

  return g_test_run ();
}
