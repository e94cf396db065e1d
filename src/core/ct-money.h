/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-money.h: money in integer minor units plus an ISO 4217 currency */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Digits after the decimal point for @currency (2 for CNY, USD, EUR; 0 for
 * JPY, KRW). */
guint     ct_money_decimals     (const char *currency);
/* Symbol shown before an amount: "¥" for CNY and JPY, "$" for USD, "€"... ;
 * the code followed by a space for anything else. */
const char *ct_money_symbol     (const char *currency);

/* "¥1,234.50", "-$12.00": full amount with grouping, for tables and
 * detail panes. Returns: (transfer full). */
char     *ct_money_format       (gint64      minor,
                                 const char *currency);

/* Parses what a person types into a money field: "1234.5", "1,234.50",
 * "¥88", "88元". Returns FALSE for anything else. */
gboolean  ct_money_parse        (const char *text,
                                 const char *currency,
                                 gint64     *minor_out);

/* How short amounts are written: thousands ("12.3k", "1.2M", "3.4B") as
 * in English, or myriads ("1.2万", "3.4亿") as in Chinese. */
typedef enum
{
  CT_NUMBER_STYLE_AUTO,       /* whichever the current translation asks for */
  CT_NUMBER_STYLE_THOUSANDS,
  CT_NUMBER_STYLE_MYRIADS,
} CtNumberStyle;

/* The style of the language the messages are shown in. */
CtNumberStyle ct_number_style_get_default (void);

/* "12.3k", "1.23万", "950", "-4.5": at most three significant digits,
 * trailing zeros dropped, for chart ticks, cards and labels where room
 * is short. Returns: (transfer full). */
char     *ct_number_format_compact (double         value,
                                    CtNumberStyle  style);

/* "¥12.3k" in English, "¥1.23万" in Chinese, "¥950", "¥0.5": the short
 * form of an amount of minor units, rounded for display only (tables
 * keep ct_money_format()). Returns: (transfer full). */
char     *ct_money_format_compact  (gint64         minor,
                                    const char    *currency,
                                    CtNumberStyle  style);

G_END_DECLS
