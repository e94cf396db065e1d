/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-money.c: money in integer minor units plus an ISO 4217 currency
 *
 * Amounts are gint64 counts of the currency's smallest unit (fen, cents;
 * whole yen). Formatting and parsing work on the decimal digits directly, so
 * no amount ever passes through a floating-point number and 0.1 + 0.2 stays
 * exact.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-money.h"

typedef struct
{
  const char *code;
  const char *symbol;
  /* What people type around an amount in this currency besides the code
   * and the symbol, NULL-terminated. */
  const char *aliases[6];
} CurrencyInfo;

static const CurrencyInfo currencies[] = {
  /* ￥ (U+FFE5) is what Chinese input methods type for ¥. */
  { "CNY", "¥", { "￥", "RMB", "元", "块", "圆", NULL } },
  { "JPY", "¥", { "￥", "円", "JP¥", NULL } },
  { "USD", "$", { "US$", NULL } },
  { "EUR", "€", { NULL } },
  { "GBP", "£", { NULL } },
  { "HKD", "HK$", { "港元", "港币", NULL } },
  { "TWD", "NT$", { "新台币", NULL } },
  { "KRW", "₩", { "원", NULL } },
};

/* ISO 4217 currencies without minor units, and those with three. */
static const char * const zero_decimal_codes[] = {
  "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF",
  "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF",
};
static const char * const three_decimal_codes[] = {
  "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND",
};

static const CurrencyInfo *
find_currency (const char *currency)
{
  if (currency == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (currencies); i++)
    if (g_ascii_strcasecmp (currencies[i].code, currency) == 0)
      return &currencies[i];

  return NULL;
}

static gboolean
code_in (const char         *currency,
         const char * const *codes,
         guint               n_codes)
{
  for (guint i = 0; i < n_codes; i++)
    if (g_ascii_strcasecmp (codes[i], currency) == 0)
      return TRUE;
  return FALSE;
}

/**
 * ct_money_decimals:
 * @currency: (nullable): an ISO 4217 code; %NULL or "" means CNY
 *
 * Returns: how many digits follow the decimal point in @currency
 */
guint
ct_money_decimals (const char *currency)
{
  if (currency == NULL || *currency == '\0')
    return 2;
  if (code_in (currency, zero_decimal_codes, G_N_ELEMENTS (zero_decimal_codes)))
    return 0;
  if (code_in (currency, three_decimal_codes, G_N_ELEMENTS (three_decimal_codes)))
    return 3;
  return 2;
}

/**
 * ct_money_symbol:
 * @currency: (nullable): an ISO 4217 code; %NULL or "" means CNY
 *
 * Returns: (transfer none): the symbol written before an amount, such as
 * "¥" or "HK$"; for a currency without a well-known symbol, its code in
 * capitals and a space ("CHF "). The string lives as long as the program.
 */
const char *
ct_money_symbol (const char *currency)
{
  const CurrencyInfo *info;
  g_autofree char *upper = NULL;
  g_autofree char *with_space = NULL;

  if (currency == NULL || *currency == '\0')
    currency = "CNY";

  info = find_currency (currency);
  if (info != NULL)
    return info->symbol;

  upper = g_ascii_strup (currency, -1);
  with_space = g_strconcat (upper, " ", NULL);
  return g_intern_string (with_space);
}

/**
 * ct_money_format:
 * @minor: the amount in minor units
 * @currency: (nullable): an ISO 4217 code; %NULL or "" means CNY
 *
 * Formats @minor with the currency symbol, thousands grouped by commas and
 * all of the currency's decimals: "¥1,234.50", "-$12.00", "¥1,000" for JPY.
 *
 * Returns: (transfer full): the text
 */
char *
ct_money_format (gint64      minor,
                 const char *currency)
{
  guint decimals = ct_money_decimals (currency);
  /* Unsigned so that G_MININT64 has a magnitude too. */
  guint64 magnitude = minor < 0 ? -(guint64) minor : (guint64) minor;
  char digits[32];
  GString *out;
  gsize n_digits;
  gsize n_int;

  g_snprintf (digits, sizeof digits, "%0*" G_GUINT64_FORMAT,
              (int) decimals + 1, magnitude);
  n_digits = strlen (digits);
  n_int = n_digits - decimals;

  out = g_string_new (NULL);
  if (minor < 0)
    g_string_append_c (out, '-');
  g_string_append (out, ct_money_symbol (currency));

  for (gsize i = 0; i < n_int; i++)
    {
      if (i > 0 && (n_int - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }

  if (decimals > 0)
    {
      g_string_append_c (out, '.');
      g_string_append_len (out, digits + n_int, decimals);
    }

  return g_string_free (out, FALSE);
}

/* Full-width digits and punctuation come from Chinese and Japanese input
 * methods; they mean the same as their ASCII forms. */
static char *
normalize_width (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0xFF10 && c <= 0xFF19)        /* ０ - ９ */
        g_string_append_c (out, (char) ('0' + (c - 0xFF10)));
      else if (c == 0xFF0C)                  /* ， */
        g_string_append_c (out, ',');
      else if (c == 0xFF0E)                  /* ． */
        g_string_append_c (out, '.');
      else if (c == 0xFF0D || c == 0x2212)   /* －, − (minus sign) */
        g_string_append_c (out, '-');
      else if (c == 0xFF0B)                  /* ＋ */
        g_string_append_c (out, '+');
      else
        g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);
}

static const char *
skip_space (const char *p)
{
  while (*p != '\0' && g_unichar_isspace (g_utf8_get_char (p)))
    p = g_utf8_next_char (p);
  return p;
}

/* If @p starts with @word (ASCII case ignored), returns what follows it. */
static const char *
skip_word (const char *p,
           const char *word)
{
  gsize len = strlen (word);

  if (len > 0 && g_ascii_strncasecmp (p, word, len) == 0)
    return p + len;
  return NULL;
}

/* Skips one of the marks that may stand before or after an amount of
 * @currency: its code, its symbol or a known alias. Longer marks are tried
 * first so that "HK$" is not read as "H" + "K$". Returns @p when none. */
static const char *
skip_currency_mark (const char *p,
                    const char *currency)
{
  const CurrencyInfo *info = find_currency (currency);
  const char *candidates[12];
  guint n = 0;
  const char *best = p;
  gsize best_len = 0;
  g_autofree char *symbol = g_strstrip (g_strdup (ct_money_symbol (currency)));

  candidates[n++] = currency;
  candidates[n++] = symbol;
  if (info != NULL)
    for (guint i = 0; info->aliases[i] != NULL && n < G_N_ELEMENTS (candidates); i++)
      candidates[n++] = info->aliases[i];

  for (guint i = 0; i < n; i++)
    {
      const char *after = skip_word (p, candidates[i]);

      if (after != NULL && (gsize) (after - p) > best_len)
        {
          best = after;
          best_len = after - p;
        }
    }

  return best;
}

static const char *
skip_sign (const char *p,
           gboolean   *negative)
{
  if (*p == '-' || *p == '+')
    {
      *negative = *negative || *p == '-';
      return p + 1;
    }
  return p;
}

/**
 * ct_money_parse:
 * @text: what a person typed
 * @currency: (nullable): the currency of the field; %NULL means CNY
 * @minor_out: (out) (optional): the amount in minor units
 *
 * Reads an amount as people type it: "1234.5", "1,234.50", "¥88", "88元",
 * "RMB 88", " 88 ", "-5", with full-width digits as well. The currency's
 * own code, symbol and usual words are accepted before or after the number;
 * another currency's symbol is not. Refuses anything else: letters, two
 * decimal points, commas out of place, more decimals than the currency has
 * (unless they are zeros), an empty text, or an amount too large to store.
 *
 * Returns: whether @text is an amount; @minor_out is untouched otherwise
 */
gboolean
ct_money_parse (const char *text,
                const char *currency,
                gint64     *minor_out)
{
  g_autofree char *normal = NULL;
  guint decimals;
  gboolean negative = FALSE;
  gboolean seen_point = FALSE;
  gboolean seen_comma = FALSE;
  guint n_int_digits = 0;
  guint n_frac_digits = 0;
  guint group_len = 0;
  guint64 value = 0;
  gboolean had_sign;
  const char *p;
  const char *after;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return FALSE;
  if (currency == NULL || *currency == '\0')
    currency = "CNY";

  decimals = ct_money_decimals (currency);
  normal = normalize_width (text);

  /* A sign before or after the mark, not both: "-¥5", "¥-5", "RMB 5". */
  p = skip_space (normal);
  after = skip_sign (p, &negative);
  had_sign = after != p;
  p = skip_space (after);
  p = skip_space (skip_currency_mark (p, currency));
  if (!had_sign)
    p = skip_space (skip_sign (p, &negative));

  for (; *p != '\0'; p++)
    {
      char c = *p;

      if (g_ascii_isdigit (c))
        {
          guint digit = c - '0';

          if (seen_point)
            {
              if (n_frac_digits >= decimals)
                {
                  /* Extra decimals are only harmless when they are zeros. */
                  if (digit != 0)
                    return FALSE;
                  n_frac_digits++;
                  continue;
                }
              n_frac_digits++;
            }
          else
            {
              n_int_digits++;
              group_len++;
            }

          if (value > (G_MAXUINT64 - digit) / 10)
            return FALSE;
          value = value * 10 + digit;
          if (value > (guint64) G_MAXINT64)
            return FALSE;
        }
      else if (c == ',' && !seen_point)
        {
          /* Grouping: 1 to 3 digits first, then groups of exactly 3. */
          if (group_len == 0 || group_len > 3 || (seen_comma && group_len != 3))
            return FALSE;
          seen_comma = TRUE;
          group_len = 0;
        }
      else if (c == '.' && !seen_point)
        {
          seen_point = TRUE;
        }
      else
        {
          break;
        }
    }

  if (n_int_digits == 0 && n_frac_digits == 0)
    return FALSE;
  if (seen_comma && group_len != 3)
    return FALSE;

  /* What may follow: white space, then the currency's mark ("88元",
   * "88 CNY"), then white space. */
  p = skip_space (p);
  p = skip_currency_mark (p, currency);
  p = skip_space (p);
  if (*p != '\0')
    return FALSE;

  /* Scale what was typed up to the currency's minor units. */
  for (guint i = MIN (n_frac_digits, decimals); i < decimals; i++)
    {
      if (value > (guint64) G_MAXINT64 / 10)
        return FALSE;
      value *= 10;
    }

  if (minor_out != NULL)
    *minor_out = negative ? -(gint64) value : (gint64) value;
  return TRUE;
}

/* Short forms */

/**
 * ct_number_style_get_default:
 *
 * Chinese (and Japanese) readers count large numbers in 万 (10⁴) and
 * 亿 (10⁸), not in thousands. Which one the reader expects follows the
 * language of the messages, so the translation says it: a translator
 * whose language groups by ten thousand translates the word "thousands"
 * below as "myriads".
 *
 * Returns: %CT_NUMBER_STYLE_MYRIADS or %CT_NUMBER_STYLE_THOUSANDS
 */
CtNumberStyle
ct_number_style_get_default (void)
{
  /* Translators: type "myriads" (in English, untranslated) if your
   * language writes large numbers in units of 10,000 (Chinese 万, 亿);
   * otherwise keep "thousands". This is not shown to anyone. */
  const char *style = C_("number grouping", "thousands");

  return g_str_equal (style, "myriads") ? CT_NUMBER_STYLE_MYRIADS : CT_NUMBER_STYLE_THOUSANDS;
}

typedef struct
{
  double      size;
  const char *suffix;
} CompactUnit;

/* Three significant digits at most, without trailing zeros: "12.3",
 * "120", "1.25", "0.5". g_ascii_formatd keeps "." whatever the locale. */
static void
append_significant (GString *out,
                    double   magnitude)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  int decimals;
  char *end;

  if (magnitude >= 100.0 || magnitude == 0.0)
    decimals = 0;
  else if (magnitude >= 10.0)
    decimals = 1;
  else
    decimals = 2;
  /* Rounding may carry into one more digit (99.96 → "100.0"). */
  if (decimals > 0 && round (magnitude * pow (10.0, decimals)) >= 1000.0)
    decimals--;

  g_ascii_formatd (buffer, sizeof buffer,
                   decimals == 0 ? "%.0f" : decimals == 1 ? "%.1f" : "%.2f",
                   magnitude);
  if (strchr (buffer, '.') != NULL)
    {
      end = buffer + strlen (buffer) - 1;
      while (*end == '0')
        *end-- = '\0';
      if (*end == '.')
        *end = '\0';
    }
  g_string_append (out, buffer);
}

static void
append_compact (GString       *out,
                double         value,
                CtNumberStyle  style)
{
  /* Largest first. The suffixes are the same in every language that uses
   * the style, so they are not translated. */
  static const CompactUnit thousands[] = {
    { 1e12, "T" }, { 1e9, "B" }, { 1e6, "M" }, { 1e3, "k" },
  };
  static const CompactUnit myriads[] = {
    { 1e12, "万亿" }, { 1e8, "亿" }, { 1e4, "万" },
  };
  const CompactUnit *units;
  guint n_units;
  double magnitude = fabs (value);

  if (style == CT_NUMBER_STYLE_AUTO)
    style = ct_number_style_get_default ();
  if (style == CT_NUMBER_STYLE_MYRIADS)
    units = myriads, n_units = G_N_ELEMENTS (myriads);
  else
    units = thousands, n_units = G_N_ELEMENTS (thousands);

  if (!isfinite (value))
    {
      g_string_append (out, "—");
      return;
    }

  /* "-0" would be odd on an axis. */
  if (value < 0 && round (magnitude * 100.0) != 0.0)
    g_string_append_c (out, '-');

  for (guint i = 0; i < n_units; i++)
    {
      /* 999,960 shows as "1M", not "1000k": decide on the rounded value. */
      if (magnitude >= units[i].size * 0.9995)
        {
          append_significant (out, magnitude / units[i].size);
          g_string_append (out, units[i].suffix);
          return;
        }
    }

  /* Below the first unit the number is short already: whole numbers as
   * they are ("9,500" reads better than "9.5k" in a Chinese text, and
   * "950" in English), fractions with up to two decimals. */
  if (magnitude >= 1000.0)
    {
      g_autofree char *digits = g_strdup_printf ("%.0f", round (magnitude));
      gsize len = strlen (digits);

      for (gsize i = 0; i < len; i++)
        {
          if (i > 0 && (len - i) % 3 == 0)
            g_string_append_c (out, ',');
          g_string_append_c (out, digits[i]);
        }
    }
  else
    append_significant (out, round (magnitude * 100.0) / 100.0);
}

/**
 * ct_number_format_compact:
 * @value: any number; not finite gives "—"
 * @style: how to group large numbers
 *
 * Returns: (transfer full): "12.3k", "1.23万", "950", "0.25"
 */
char *
ct_number_format_compact (double        value,
                          CtNumberStyle style)
{
  GString *out = g_string_new (NULL);

  append_compact (out, value, style);
  return g_string_free (out, FALSE);
}

/**
 * ct_money_format_compact:
 * @minor: the amount in minor units
 * @currency: (nullable): an ISO 4217 code; %NULL or "" means CNY
 * @style: how to group large numbers
 *
 * Returns: (transfer full): "¥12.3k", "¥1.23万", "-$950", "¥0.5"
 */
char *
ct_money_format_compact (gint64         minor,
                         const char    *currency,
                         CtNumberStyle  style)
{
  double major = (double) minor / pow (10.0, ct_money_decimals (currency));
  GString *out = g_string_new (NULL);
  g_autofree char *number = NULL;

  number = ct_number_format_compact (major, style);
  /* The sign goes before the symbol, as in ct_money_format(). */
  if (number[0] == '-')
    {
      g_string_append_c (out, '-');
      g_string_append (out, ct_money_symbol (currency));
      g_string_append (out, number + 1);
    }
  else
    {
      g_string_append (out, ct_money_symbol (currency));
      g_string_append (out, number);
    }
  return g_string_free (out, FALSE);
}
