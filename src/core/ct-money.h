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

G_END_DECLS
