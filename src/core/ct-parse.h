/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-parse.h: reading dates, amounts, emails and names as people write them */
#pragma once

#include <glib.h>

#include "ct-contact.h"

G_BEGIN_DECLS

/* Dates and times, to Unix seconds:
 *   2024-01-05  2024/1/5  2024.1.5  2024年1月5日  20240105
 *   05/01/2024 and 5-1-24 (month first, or day first with @day_first)
 *   Jan 5, 2024  5 January 2024
 * each optionally followed by a time "9:05", "09:05:30", "9:05 PM",
 * "下午3:30", "14时30分"; ISO 8601 "2024-01-05T09:05:30.123Z" or with an
 * offset "+08:00"; and Unix times of 10 (seconds) or 13 (milliseconds)
 * digits. A time without a zone is read in @tz (the local zone when NULL);
 * a date without a time is midnight there. Years 1900 to 2199. */
gboolean     ct_parse_date             (const char  *text,
                                        gboolean     day_first,
                                        GTimeZone   *tz,
                                        gint64      *unix_out);
/* Whether @text is a date with the day and month in the order that only
 * one of the switch's positions can read ("25/01/2024" needs day first);
 * for guessing the switch from a file. Sets @day_first_out. */
gboolean     ct_parse_date_order_hint  (const char  *text,
                                        gboolean    *day_first_out);

typedef enum
{
  CT_AMOUNT_OK,
  CT_AMOUNT_INVALID,      /* not an amount */
  CT_AMOUNT_TOO_PRECISE,  /* "12.345" in a currency with two decimals */
  CT_AMOUNT_TOO_LARGE,
} CtAmountStatus;

/* Amounts as exported and typed: "1234.5", "1,234.50", "¥88", "￥88.00",
 * "88元", "RMB 88", "88 CNY", "$12", "US$12", "€12,50", "1.234,56 €",
 * "£3", "-12", "(12.00)", "1 234,56". A sign or code in the text sets
 * @currency_out (3 letters and a NUL); otherwise it is @default_currency
 * (CNY when NULL). "¥" is CNY unless the default is JPY, "$" is USD
 * unless the default is another dollar. Minor units use the currency's
 * decimals; more decimals than that are refused unless they are zeros. */
CtAmountStatus ct_parse_amount_full    (const char  *text,
                                        const char  *default_currency,
                                        gint64      *minor_out,
                                        char        *currency_out);
gboolean     ct_parse_amount           (const char  *text,
                                        const char  *default_currency,
                                        gint64      *minor_out,
                                        char        *currency_out);
/* An ISO 4217 code ("cny", "RMB", "人民币", "美元", "¥"...) as its
 * upper-case code in @code_out (4 bytes). */
gboolean     ct_parse_currency         (const char  *text,
                                        const char  *default_currency,
                                        char        *code_out);

/* Email syntax: local@domain.tld, no spaces, no doubled or outer dots in
 * the local part, a domain of at least two labels whose last is not all
 * digits. Letters beyond ASCII are allowed (internationalised mail). */
gboolean     ct_parse_email_valid      (const char  *text);
/* Strips white space and turns full-width forms (“ｊｏｅ＠ｅｘａｍｐｌｅ．ｃｏｍ”,
 * typed with a Chinese input method) into ASCII. Returns: (transfer full) */
char        *ct_parse_email_normalise  (const char  *text);

/* Splits a full name: "张伟" → 张 + 伟, "欧阳娜娜" → 欧阳 + 娜娜 (the
 * known two-character family names), "Ada Lovelace" → Ada + Lovelace,
 * "Lovelace, Ada" → Ada + Lovelace, "Ada" → Ada + "". Both out strings
 * are set, "" when empty. */
void         ct_parse_split_name       (const char  *text,
                                        char       **first_out,
                                        char       **last_out);

/* Splits a tag cell on , ; 、 | (and their full-width forms), stripped,
 * blanks and case-insensitive repeats dropped. Returns: (transfer full) */
GStrv        ct_parse_split_tags       (const char  *text);

/* Yes and no as people and platforms write them: "1", "yes", "true",
 * "refunded", "是", "已退款" ... and "0", "no", "false", "", "否",
 * "paid", "已支付" ... */
gboolean     ct_parse_bool             (const char  *text,
                                        gboolean    *out);

/* "subscribed" / "订阅" / "unsubscribed" / "退订" / "bounced" / "退信" /
 * "complained" / "投诉" and similar. */
gboolean     ct_parse_status           (const char      *text,
                                        CtContactStatus *out);

/* A column header reduced for matching: case folded, full-width forms
 * made ASCII, white space, punctuation and a bracketed unit ("金额(元)",
 * "Amount (USD)") removed. Returns: (transfer full) */
char        *ct_parse_normalise_header (const char  *text);

G_END_DECLS
