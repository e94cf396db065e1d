/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-parse.c: reading dates, amounts, emails and names as people write them
 *
 * These read one cell of an imported file each and run a million times in
 * a large import, so they scan the text once without allocating on the
 * common paths. They never guess silently between two readings: a value
 * that could be either is read the way the caller's switch says, and
 * anything else is refused so that the importer can name it.
 */
#include "config.h"

#include <string.h>

#include "ct-money.h"
#include "ct-parse.h"
#include "ct-text-private.h"

/* Scanning helpers */

/* Cells come decoded, so they are UTF-8; should one not be, it is read
 * with U+FFFD for the bad bytes rather than past its end. @tmp holds what
 * must be freed. */
static const char *
ensure_utf8 (const char  *text,
             char       **tmp)
{
  if (g_utf8_validate (text, -1, NULL))
    return text;
  *tmp = g_utf8_make_valid (text, -1);
  return *tmp;
}

static gboolean
is_blank_char (gunichar c)
{
  return g_unichar_isspace (c) || c == 0x3000 || c == 0x00A0 || c == 0x202F
         || c == 0x2009 || c == 0xFEFF;
}

static void
skip_blanks (const char **p)
{
  while (**p != '\0')
    {
      if ((guchar) **p < 0x80)
        {
          if (!g_ascii_isspace (**p))
            return;
          (*p)++;
          continue;
        }
      if (!is_blank_char (g_utf8_get_char (*p)))
        return;
      *p = g_utf8_next_char (*p);
    }
}

/* Reads up to @max digits into @value (0 when there are none); returns
 * how many were read, or max + 1 when there are more, which callers treat
 * as a failure. */
static int
read_number (const char **p,
             int          max,
             int         *value)
{
  int n = 0;
  int v = 0;

  while (g_ascii_isdigit (**p))
    {
      if (n == max)
        {
          *value = v;
          return max + 1;
        }
      v = v * 10 + (**p - '0');
      (*p)++;
      n++;
    }
  *value = v;
  return n;
}

/* Reads a number of one or two digits. */
static gboolean
read_1_or_2 (const char **p,
             int         *value)
{
  int n = read_number (p, 2, value);

  return n == 1 || n == 2;
}

static gboolean
eat (const char **p,
     const char  *literal)
{
  gsize len = strlen (literal);

  if (strncmp (*p, literal, len) != 0)
    return FALSE;
  *p += len;
  return TRUE;
}

static gboolean
eat_ascii_ci (const char **p,
              const char  *literal)
{
  gsize len = strlen (literal);

  if (g_ascii_strncasecmp (*p, literal, len) != 0)
    return FALSE;
  /* A word must end here: "may" is not the start of "mayday". */
  if (g_ascii_isalpha ((*p)[len]))
    return FALSE;
  *p += len;
  return TRUE;
}

/* Dates */

/* 2199-12-31 23:59:59 UTC */
#define MAX_UNIX_TIME G_GINT64_CONSTANT (7258118399)

static gboolean
is_leap (int year)
{
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int
days_in_month (int year,
               int month)
{
  static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

  if (month == 2 && is_leap (year))
    return 29;
  return days[month - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static gint64
days_from_civil (int y,
                 int m,
                 int d)
{
  gint64 era;
  gint64 yoe;
  gint64 doy;
  gint64 doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int
read_month_name (const char **p)
{
  static const char *names[][2] = {
    { "january", "jan" }, { "february", "feb" }, { "march", "mar" },
    { "april", "apr" }, { "may", "may" }, { "june", "jun" },
    { "july", "jul" }, { "august", "aug" }, { "september", "sep" },
    { "october", "oct" }, { "november", "nov" }, { "december", "dec" },
  };

  for (int i = 0; i < 12; i++)
    {
      if (eat_ascii_ci (p, names[i][0]) || eat_ascii_ci (p, names[i][1])
          || (i == 8 && eat_ascii_ci (p, "sept")))
        {
          if (**p == '.')
            (*p)++;
          return i + 1;
        }
    }
  return 0;
}

/* The "st" of "1st", the "nd" of "22nd"... */
static void
eat_ordinal (const char **p)
{
  if (!eat_ascii_ci (p, "st") && !eat_ascii_ci (p, "nd") && !eat_ascii_ci (p, "rd"))
    eat_ascii_ci (p, "th");
}

static gboolean
is_date_sep (char c)
{
  return c == '-' || c == '/' || c == '.';
}

static int
expand_year (int year,
             int n_digits)
{
  if (n_digits == 2)
    return year < 70 ? 2000 + year : 1900 + year;
  return year;
}

/* Reads the date part into y, m, d. */
static gboolean
parse_date_part (const char **p,
                 gboolean     day_first,
                 int         *y,
                 int         *m,
                 int         *d)
{
  const char *s = *p;
  int a, b, c;
  int n;

  n = read_number (&s, 4, &a);
  if (n == 4)
    {
      /* Year first: 2024-01-05, 2024/1/5, 2024.1.5, 2024年1月5日 */
      const char *t = s;

      *y = a;
      skip_blanks (&t);
      if (eat (&t, "年"))
        {
          s = t;
          skip_blanks (&s);
          if (!read_1_or_2 (&s, m))
            return FALSE;
          skip_blanks (&s);
          if (!eat (&s, "月"))
            return FALSE;
          skip_blanks (&s);
          if (!read_1_or_2 (&s, d))
            return FALSE;
          skip_blanks (&s);
          if (!eat (&s, "日"))
            eat (&s, "号");
        }
      else
        {
          char sep = *s;

          if (!is_date_sep (sep))
            return FALSE;
          s++;
          if (!read_1_or_2 (&s, m) || *s != sep)
            return FALSE;
          s++;
          if (!read_1_or_2 (&s, d))
            return FALSE;
        }
    }
  else if (n == 1 || n == 2)
    {
      char sep = *s;

      if (is_date_sep (sep))
        {
          int ny;

          s++;
          if (!read_1_or_2 (&s, &b) || *s != sep)
            return FALSE;
          s++;
          ny = read_number (&s, 4, &c);
          if (ny != 2 && ny != 4)
            return FALSE;
          *y = expand_year (c, ny);
          *d = day_first ? a : b;
          *m = day_first ? b : a;
        }
      else
        {
          /* 5 Jan 2024, 5 January, 2024, 22nd Feb 2024 */
          eat_ordinal (&s);
          skip_blanks (&s);
          *d = a;
          *m = read_month_name (&s);
          if (*m == 0)
            return FALSE;
          if (*s == ',')
            s++;
          skip_blanks (&s);
          if (read_number (&s, 4, y) != 4)
            return FALSE;
        }
    }
  else if (n == 0)
    {
      /* Jan 5, 2024; January 5th 2024 */
      *m = read_month_name (&s);
      if (*m == 0)
        return FALSE;
      skip_blanks (&s);
      if (!read_1_or_2 (&s, d))
        return FALSE;
      eat_ordinal (&s);
      if (*s == ',')
        s++;
      skip_blanks (&s);
      if (read_number (&s, 4, y) != 4)
        return FALSE;
    }
  else
    return FALSE;

  *p = s;
  return TRUE;
}

/* Reads "09:05", "9:05:30.25", "9:05 PM", "下午3:30", "14时30分5秒". */
static gboolean
parse_time_part (const char **p,
                 int         *h,
                 int         *mi,
                 int         *sec)
{
  const char *s = *p;
  int half = 0;   /* 1 for am, 2 for pm */

  if (eat (&s, "上午") || eat (&s, "凌晨") || eat (&s, "早上"))
    half = 1;
  else if (eat (&s, "下午") || eat (&s, "晚上") || eat (&s, "中午"))
    half = 2;
  skip_blanks (&s);

  *mi = 0;
  *sec = 0;
  if (!read_1_or_2 (&s, h))
    return FALSE;

  if (*s == ':')
    {
      s++;
      if (read_number (&s, 2, mi) != 2)
        return FALSE;
      if (*s == ':')
        {
          s++;
          if (read_number (&s, 2, sec) != 2)
            return FALSE;
          if (*s == '.' || *s == ',')
            {
              s++;
              if (!g_ascii_isdigit (*s))
                return FALSE;
              while (g_ascii_isdigit (*s))
                s++;
            }
        }
    }
  else if (eat (&s, "时") || eat (&s, "点") || eat (&s, "點"))
    {
      if (g_ascii_isdigit (*s))
        {
          if (!read_1_or_2 (&s, mi) || !eat (&s, "分"))
            return FALSE;
          if (g_ascii_isdigit (*s) && (!read_1_or_2 (&s, sec) || !eat (&s, "秒")))
            return FALSE;
        }
    }
  else
    return FALSE;

  if (half == 0)
    {
      const char *t = s;

      skip_blanks (&t);
      if (eat_ascii_ci (&t, "am") || eat_ascii_ci (&t, "a.m."))
        half = 1, s = t;
      else if (eat_ascii_ci (&t, "pm") || eat_ascii_ci (&t, "p.m."))
        half = 2, s = t;
    }

  if (half != 0)
    {
      if (*h < 1 || *h > 12)
        {
          /* "下午15:00" is written too; the 24-hour clock wins. */
          if (!(half == 2 && *h >= 12 && *h <= 23))
            return FALSE;
        }
      else if (half == 1 && *h == 12)
        *h = 0;
      else if (half == 2 && *h < 12)
        *h += 12;
    }

  *p = s;
  return TRUE;
}

/* Reads "Z", "UTC", "GMT", "+08:00", "+0800", "+08", "UTC+8". */
static gboolean
parse_zone (const char **p,
            gboolean    *has_zone,
            int         *offset)
{
  const char *s = *p;
  gboolean named = FALSE;
  int sign;
  int hh = 0;
  int mm = 0;
  int n;

  *has_zone = FALSE;
  *offset = 0;

  if (*s == 'Z' || *s == 'z')
    {
      *has_zone = TRUE;
      *p = s + 1;
      return TRUE;
    }
  if (eat_ascii_ci (&s, "UTC") || eat_ascii_ci (&s, "GMT"))
    named = TRUE;
  if (named && *s != '+' && *s != '-')
    {
      *has_zone = TRUE;
      *p = s;
      return TRUE;
    }
  if (*s != '+' && *s != '-')
    return !named;
  sign = *s == '-' ? -1 : 1;
  s++;

  n = read_number (&s, 4, &hh);
  if (n == 4)
    {
      mm = hh % 100;
      hh /= 100;
    }
  else if (n == 1 || n == 2)
    {
      if (*s == ':')
        {
          s++;
          if (read_number (&s, 2, &mm) != 2)
            return FALSE;
        }
    }
  else
    return FALSE;

  if (hh > 14 || mm > 59)
    return FALSE;

  *has_zone = TRUE;
  *offset = sign * (hh * 3600 + mm * 60);
  *p = s;
  return TRUE;
}

static gboolean
all_digits (const char *s,
            gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (s[i]))
      return FALSE;
  return len > 0;
}

gboolean
ct_parse_date (const char *text,
               gboolean    day_first,
               GTimeZone  *tz,
               gint64     *unix_out)
{
  g_autofree char *stripped = NULL;
  const char *p;
  gsize len;
  int y = 0, m = 0, d = 0;
  int h = 0, mi = 0, sec = 0;
  gboolean has_zone = FALSE;
  int offset = 0;

  g_return_val_if_fail (unix_out != NULL, FALSE);

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return FALSE;

  stripped = ct_text_strip_dup (text);
  p = stripped;
  len = strlen (p);

  if (all_digits (p, len))
    {
      gint64 v = g_ascii_strtoll (p, NULL, 10);

      if (len == 8)
        {
          y = (int) (v / 10000);
          m = (int) (v / 100 % 100);
          d = (int) (v % 100);
          p += len;
        }
      else if (len == 10 || len == 13)
        {
          /* Unix time, as some platforms export it: 10 digits reach
           * from 2001 to 2286, so only the top needs checking. */
          if (len == 13)
            v /= 1000;
          if (v > MAX_UNIX_TIME)
            return FALSE;
          *unix_out = v;
          return TRUE;
        }
      else
        return FALSE;
    }
  else if (!parse_date_part (&p, day_first, &y, &m, &d))
    return FALSE;

  if (*p != '\0')
    {
      const char *before = p;

      if (*p == 'T' || *p == 't')
        {
          /* ISO 8601: the T always has a time after it. */
          p++;
          if (!g_ascii_isdigit (*p))
            return FALSE;
        }
      else
        skip_blanks (&p);

      if (*p != '\0')
        {
          /* Only "2024年1月5日14:30" runs the time on without a space. */
          if (p == before && (guchar) p[-1] < 0x80)
            return FALSE;
          if (!parse_time_part (&p, &h, &mi, &sec))
            return FALSE;
          skip_blanks (&p);
          if (!parse_zone (&p, &has_zone, &offset))
            return FALSE;
          skip_blanks (&p);
        }
    }

  if (*p != '\0')
    return FALSE;

  if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > days_in_month (y, m)
      || h > 23 || mi > 59 || sec > 60)
    return FALSE;
  if (sec == 60)
    sec = 59;   /* a leap second reads as the second before it */

  if (has_zone)
    {
      *unix_out = days_from_civil (y, m, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
    }
  else
    {
      g_autoptr(GTimeZone) local = tz == NULL ? g_time_zone_new_local () : NULL;
      g_autoptr(GDateTime) dt = g_date_time_new (tz != NULL ? tz : local, y, m, d, h, mi, sec);

      if (dt == NULL)
        return FALSE;
      *unix_out = g_date_time_to_unix (dt);
    }

  return TRUE;
}

gboolean
ct_parse_date_order_hint (const char *text,
                          gboolean   *day_first_out)
{
  const char *p;
  int a, b;
  char sep;

  g_return_val_if_fail (day_first_out != NULL, FALSE);

  if (text == NULL)
    return FALSE;

  if (!g_utf8_validate (text, -1, NULL))
    return FALSE;

  p = text;
  skip_blanks (&p);
  if (!read_1_or_2 (&p, &a) || !is_date_sep (*p))
    return FALSE;
  sep = *p++;
  if (!read_1_or_2 (&p, &b) || *p != sep)
    return FALSE;

  if (a > 12 && a <= 31 && b >= 1 && b <= 12)
    {
      *day_first_out = TRUE;
      return TRUE;
    }
  if (b > 12 && b <= 31 && a >= 1 && a <= 12)
    {
      *day_first_out = FALSE;
      return TRUE;
    }
  return FALSE;
}

/* Amounts */

typedef struct
{
  const char *token;
  const char *code;   /* NULL: the "¥" / "$" rules */
} CurrencyToken;

/* Longest first where one is a prefix of another. */
static const CurrencyToken currency_tokens[] = {
  { "人民币", "CNY" }, { "美元", "USD" }, { "欧元", "EUR" }, { "英镑", "GBP" },
  { "日元", "JPY" }, { "港元", "HKD" }, { "港币", "HKD" }, { "新台币", "TWD" },
  { "澳元", "AUD" }, { "加元", "CAD" }, { "新币", "SGD" },
  { "元", "CNY" }, { "块", "CNY" },
  { "US$", "USD" }, { "HK$", "HKD" }, { "NT$", "TWD" }, { "S$", "SGD" },
  { "A$", "AUD" }, { "C$", "CAD" }, { "RMB", "CNY" },
  { "\xEF\xBF\xA5", NULL },   /* ￥ full-width yen/yuan sign */
  { "\xC2\xA5", NULL },       /* ¥ */
  { "$", NULL },
  { "\xE2\x82\xAC", "EUR" },  /* € */
  { "\xC2\xA3", "GBP" },      /* £ */
  { "\xE2\x82\xA9", "KRW" },  /* ₩ */
  { "\xE2\x82\xB9", "INR" },  /* ₹ */
};

/* The codes read after or before an amount, space-separated. */
static const char iso_codes[] =
  "AED ARS AUD BHD BRL CAD CHF CLP CNY COP CZK DKK EGP EUR GBP HKD HUF IDR "
  "ILS INR IQD ISK JOD JPY KRW KWD KZT LYD MOP MXN MYR NGN NOK NZD OMR PHP "
  "PKR PLN QAR RON RUB SAR SEK SGD THB TND TRY TWD UAH USD VND ZAR";

static gboolean
is_dollar_currency (const char *code)
{
  static const char *dollars[] = { "USD", "HKD", "TWD", "SGD", "AUD", "CAD", "NZD" };

  for (guint i = 0; i < G_N_ELEMENTS (dollars); i++)
    if (g_strcmp0 (code, dollars[i]) == 0)
      return TRUE;
  return FALSE;
}

static const char *
resolve_token (const CurrencyToken *token,
               const char          *default_currency)
{
  if (token->code != NULL)
    return token->code;
  if (token->token[0] == '$')
    return is_dollar_currency (default_currency) ? default_currency : "USD";
  /* ¥ and ￥ */
  return g_strcmp0 (default_currency, "JPY") == 0 ? "JPY" : "CNY";
}

/* Matches a currency token or a three-letter code at @p. */
static gboolean
eat_currency (const char **p,
              const char  *default_currency,
              char        *code_out)
{
  for (guint i = 0; i < G_N_ELEMENTS (currency_tokens); i++)
    {
      gsize len = strlen (currency_tokens[i].token);

      if (g_ascii_strncasecmp (*p, currency_tokens[i].token, len) == 0)
        {
          memcpy (code_out, resolve_token (&currency_tokens[i], default_currency), 4);
          *p += len;
          return TRUE;
        }
    }

  if (g_ascii_isalpha ((*p)[0]) && g_ascii_isalpha ((*p)[1])
      && g_ascii_isalpha ((*p)[2]) && !g_ascii_isalpha ((*p)[3]))
    {
      char code[4];

      for (int i = 0; i < 3; i++)
        code[i] = g_ascii_toupper ((*p)[i]);
      code[3] = '\0';
      /* Only real currencies: "12 pcs" is not an amount. */
      if (strstr (iso_codes, code) == NULL)
        return FALSE;
      memcpy (code_out, code, 4);
      *p += 3;
      return TRUE;
    }

  return FALSE;
}

gboolean
ct_parse_currency (const char *text,
                   const char *default_currency,
                   char       *code_out)
{
  g_autofree char *stripped = NULL;
  const char *p;
  char code[4];

  g_return_val_if_fail (code_out != NULL, FALSE);

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return FALSE;

  stripped = ct_text_strip_dup (text);
  p = stripped;
  if (!eat_currency (&p, default_currency != NULL ? default_currency : "CNY", code))
    return FALSE;
  if (*p != '\0')
    return FALSE;
  memcpy (code_out, code, 4);
  return TRUE;
}

/* Copies @text with full-width ASCII forms made ASCII and every kind of
 * space made ' '. */
static char *
fold_width (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c;

      if ((guchar) *p < 0x80)
        {
          g_string_append_c (out, *p);
          continue;
        }
      c = g_utf8_get_char (p);
      if (c >= 0xFF01 && c <= 0xFF5E)
        g_string_append_c (out, (char) (c - 0xFF01 + 0x21));
      else if (c == 0x3002)
        g_string_append_c (out, '.');   /* 。 typed for a dot */
      else if (c == 0x2212)
        g_string_append_c (out, '-');   /* − minus sign */
      else if (is_blank_char (c))
        g_string_append_c (out, ' ');
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }

  return g_string_free (out, FALSE);
}

CtAmountStatus
ct_parse_amount_full (const char *text,
                      const char *default_currency,
                      gint64     *minor_out,
                      char       *currency_out)
{
  g_autofree char *folded = NULL;
  char digits[64];
  char code[4] = { 0 };
  gboolean have_code = FALSE;
  gboolean negative = FALSE;
  gboolean parens = FALSE;
  const char *p;
  const char *num_start;
  const char *num_end;
  gsize nd = 0;
  int n_dots = 0;
  int n_commas = 0;
  char last_sep = 0;
  char decimal_sep = 0;
  guint decimals;
  gint64 whole = 0;
  gint64 frac = 0;
  gsize int_len;
  gsize i;

  g_return_val_if_fail (minor_out != NULL, CT_AMOUNT_INVALID);

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return CT_AMOUNT_INVALID;
  if (default_currency == NULL || strlen (default_currency) != 3)
    default_currency = "CNY";

  folded = fold_width (text);
  p = folded;
  skip_blanks (&p);

  if (*p == '(')
    {
      parens = TRUE;
      p++;
      skip_blanks (&p);
    }
  if (*p == '-' || *p == '+')
    {
      negative = *p == '-';
      p++;
      skip_blanks (&p);
    }
  if (eat_currency (&p, default_currency, code))
    {
      have_code = TRUE;
      skip_blanks (&p);
      if (!negative && (*p == '-' || *p == '+'))
        {
          negative = *p == '-';
          p++;
          skip_blanks (&p);
        }
    }

  /* The number: digits with separators, spaces and apostrophes allowed
   * between digit groups ("1 234,56", "1'234.50"); they must group by
   * three like the others, so "12 34" is not read as 1234. */
  num_start = p;
  while (g_ascii_isdigit (*p) || *p == '.' || *p == ','
         || ((*p == ' ' || *p == '\'') && p > num_start && g_ascii_isdigit (p[-1])
             && g_ascii_isdigit (p[1])))
    {
      if (nd + 1 >= sizeof digits)
        return CT_AMOUNT_TOO_LARGE;
      digits[nd++] = *p;
      if (*p == '.')
        n_dots++, last_sep = '.';
      else if (*p == ',')
        n_commas++, last_sep = ',';
      p++;
    }
  num_end = p;
  digits[nd] = '\0';
  if (num_end == num_start)
    return CT_AMOUNT_INVALID;

  skip_blanks (&p);
  if (*p == '-' && !negative)
    {
      /* "12.00-" as some accounting exports write a refund */
      negative = TRUE;
      p++;
      skip_blanks (&p);
    }
  if (*p != '\0' && *p != ')')
    {
      char suffix[4];

      if (!eat_currency (&p, default_currency, suffix))
        return CT_AMOUNT_INVALID;
      if (have_code && strcmp (suffix, code) != 0)
        return CT_AMOUNT_INVALID;
      memcpy (code, suffix, 4);
      have_code = TRUE;
      eat (&p, "整");
      skip_blanks (&p);
    }
  if (parens)
    {
      if (*p != ')' || negative)
        return CT_AMOUNT_INVALID;
      negative = TRUE;
      p++;
      skip_blanks (&p);
    }
  if (*p != '\0')
    return CT_AMOUNT_INVALID;

  /* Which separator is the decimal point. */
  if (n_dots > 0 && n_commas > 0)
    decimal_sep = last_sep;
  else if (n_dots == 1)
    decimal_sep = '.';
  else if (n_commas == 1)
    {
      const char *comma = strchr (digits, ',');
      /* "1,234" groups thousands; "12,5" and "12,50" are decimals. */
      decimal_sep = strlen (comma + 1) == 3 ? 0 : ',';
    }

  if (decimal_sep != 0)
    {
      const char *first = strchr (digits, decimal_sep);
      if (first != strrchr (digits, decimal_sep))
        return CT_AMOUNT_INVALID;
    }

  /* The integer part, checking that separators group by three. */
  int_len = decimal_sep != 0 ? (gsize) (strchr (digits, decimal_sep) - digits) : nd;
  {
    gsize group = 0;
    gboolean grouped = FALSE;
    gboolean first_group = TRUE;
    char group_sep = 0;
    int n_int_digits = 0;

    for (i = 0; i < int_len; i++)
      {
        char c = digits[i];

        if (g_ascii_isdigit (c))
          {
            group++;
            n_int_digits++;
            if (n_int_digits > 15)
              return CT_AMOUNT_TOO_LARGE;
            whole = whole * 10 + (c - '0');
            continue;
          }
        if (group_sep != 0 && c != group_sep)
          return CT_AMOUNT_INVALID;
        group_sep = c;
        if (group == 0 || (first_group ? group > 3 : group != 3))
          return CT_AMOUNT_INVALID;
        grouped = TRUE;
        first_group = FALSE;
        group = 0;
      }
    if (grouped && group != 3)
      return CT_AMOUNT_INVALID;
    if (n_int_digits == 0 && (decimal_sep == 0 || digits[int_len + 1] == '\0'))
      return CT_AMOUNT_INVALID;
  }

  if (!have_code)
    memcpy (code, default_currency, 4);
  decimals = ct_money_decimals (code);

  if (decimal_sep != 0)
    {
      const char *f = digits + int_len + 1;
      guint n = 0;

      for (; *f != '\0'; f++)
        {
          if (!g_ascii_isdigit (*f))
            return CT_AMOUNT_INVALID;
          if (n < decimals)
            frac = frac * 10 + (*f - '0');
          else if (*f != '0')
            return CT_AMOUNT_TOO_PRECISE;
          n++;
        }
      for (; n < decimals; n++)
        frac *= 10;
    }
  else
    {
      for (guint k = 0; k < decimals; k++)
        frac *= 10;
    }

  for (guint k = 0; k < decimals; k++)
    {
      if (whole > G_MAXINT64 / 10)
        return CT_AMOUNT_TOO_LARGE;
      whole *= 10;
    }
  if (whole > G_MAXINT64 - frac)
    return CT_AMOUNT_TOO_LARGE;

  *minor_out = negative ? -(whole + frac) : whole + frac;
  if (currency_out != NULL)
    memcpy (currency_out, code, 4);
  return CT_AMOUNT_OK;
}

gboolean
ct_parse_amount (const char *text,
                 const char *default_currency,
                 gint64     *minor_out,
                 char       *currency_out)
{
  return ct_parse_amount_full (text, default_currency, minor_out, currency_out) == CT_AMOUNT_OK;
}

/* Emails */

char *
ct_parse_email_normalise (const char *text)
{
  g_autofree char *folded = NULL;
  g_autofree char *tmp = NULL;

  if (text == NULL)
    return g_strdup ("");

  folded = fold_width (ensure_utf8 (text, &tmp));
  return ct_text_strip_dup (folded);
}

static gboolean
is_atext (guchar c)
{
  return g_ascii_isalnum (c) || strchr ("!#$%&'*+/=?^_`{|}~-", c) != NULL || c >= 0x80;
}

gboolean
ct_parse_email_valid (const char *text)
{
  const char *at;
  const char *domain;
  const char *label;
  gsize len;
  gsize local_len;
  int n_labels = 0;
  gboolean tld_all_digits = TRUE;
  gsize label_len = 0;

  if (text == NULL)
    return FALSE;

  len = strlen (text);
  if (len < 3 || len > 254 || !g_utf8_validate (text, len, NULL))
    return FALSE;

  at = strrchr (text, '@');
  if (at == NULL)
    return FALSE;
  local_len = at - text;
  if (local_len == 0 || local_len > 64)
    return FALSE;

  if (text[0] == '.' || at[-1] == '.')
    return FALSE;
  for (const char *p = text; p < at; p++)
    {
      guchar c = *p;

      if (c == '.')
        {
          if (p[1] == '.')
            return FALSE;
          continue;
        }
      if (!is_atext (c))
        return FALSE;
    }
  domain = at + 1;
  if (*domain == '\0')
    return FALSE;

  label = domain;
  for (const char *p = domain;; p++)
    {
      guchar c = *p;

      if (c == '.' || c == '\0')
        {
          label_len = p - label;
          if (label_len == 0 || label_len > 63 || label[0] == '-' || p[-1] == '-')
            return FALSE;
          n_labels++;
          tld_all_digits = TRUE;
          for (const char *q = label; q < p; q++)
            if (!g_ascii_isdigit (*q))
              tld_all_digits = FALSE;
          if (c == '\0')
            break;
          label = p + 1;
          continue;
        }
      if (!(g_ascii_isalnum (c) || c == '-' || c >= 0x80))
        return FALSE;
    }

  if (n_labels < 2 || tld_all_digits || label_len < 2)
    return FALSE;

  return TRUE;
}

/* Names */

static const char *compound_surnames[] = {
  "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容",
  "长孙", "宇文", "司徒", "夏侯", "轩辕", "令狐", "端木", "独孤", "南宫",
  "西门", "百里", "呼延", "司空", "闻人", "东郭", "澹台", "公冶", "太史",
  "申屠", "钟离", "万俟", "赫连", "濮阳", "单于", "拓跋", "宗政", "亓官",
  "仲孙", "羊舌", "微生", "梁丘", "左丘", "东门", "第五", "谷梁", "乐正",
  "公良", "漆雕", "公西", "巫马", "段干", "司寇", "子车", "颛孙", "鲜于",
  "闾丘", "叱干", "歐陽", "司馬", "諸葛", "東方", "長孫", "夏侯", "軒轅",
};

static gboolean
is_east_asian_script (gunichar c)
{
  GUnicodeScript script = g_unichar_get_script (c);

  return script == G_UNICODE_SCRIPT_HAN || script == G_UNICODE_SCRIPT_HANGUL;
}

void
ct_parse_split_name (const char  *text,
                     char       **first_out,
                     char       **last_out)
{
  g_autofree char *name = NULL;
  g_autofree char *tmp = NULL;
  const char *comma;
  const char *space = NULL;
  gsize n_chars;

  g_return_if_fail (first_out != NULL && last_out != NULL);

  name = ct_text_strip_dup (text != NULL ? ensure_utf8 (text, &tmp) : NULL);
  *first_out = NULL;
  *last_out = NULL;

  if (name[0] == '\0')
    {
      *first_out = g_strdup ("");
      *last_out = g_strdup ("");
      return;
    }

  n_chars = g_utf8_strlen (name, -1);
  /* The first white space, ideographic space included. */
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    if (is_blank_char (g_utf8_get_char (p)))
      {
        space = p;
        break;
      }

  if (is_east_asian_script (g_utf8_get_char (name))
      && strstr (name, "·") == NULL && strstr (name, "•") == NULL)
    {
      const char *given = g_utf8_next_char (name);

      /* "张 伟": the family name is still first. */
      if (space != NULL)
        {
          *last_out = g_strndup (name, space - name);
          *first_out = ct_text_strip_dup (g_utf8_next_char (space));
          return;
        }

      if (n_chars >= 3)
        for (guint i = 0; i < G_N_ELEMENTS (compound_surnames); i++)
          if (g_str_has_prefix (name, compound_surnames[i]))
            {
              given = name + strlen (compound_surnames[i]);
              break;
            }

      if (n_chars == 1)
        {
          /* A single character is a given name or a nickname more often
           * than a family name alone. */
          *first_out = g_strdup (name);
          *last_out = g_strdup ("");
          return;
        }
      *last_out = g_strndup (name, given - name);
      *first_out = g_strdup (given);
      return;
    }

  comma = strchr (name, ',');
  if (comma != NULL)
    {
      g_autofree char *last = g_strndup (name, comma - name);

      *last_out = ct_text_strip_dup (last);
      *first_out = ct_text_strip_dup (comma + 1);
      return;
    }

  {
    /* The last word is the family name; the rest is the given name. */
    for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
      if (is_blank_char (g_utf8_get_char (p)))
        space = p;

    if (space == NULL || strstr (name, "·") != NULL)
      {
        *first_out = g_strdup (name);
        *last_out = g_strdup ("");
        return;
      }

    {
      g_autofree char *first = g_strndup (name, space - name);

      *first_out = ct_text_strip_dup (first);
      *last_out = ct_text_strip_dup (g_utf8_next_char (space));
    }
  }
}

/* Tags */

GStrv
ct_parse_split_tags (const char *text)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *tmp = NULL;
  const char *start;
  const char *p;

  if (text == NULL)
    return g_strv_builder_end (builder);

  text = ensure_utf8 (text, &tmp);
  start = text;
  for (p = text;; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == 0 || c == ',' || c == ';' || c == '|' || c == 0x3001 /* 、 */
          || c == 0xFF0C /* ， */ || c == 0xFF1B /* ； */ || c == 0xFF5C /* ｜ */)
        {
          g_autofree char *piece = g_strndup (start, p - start);
          g_autofree char *tag = ct_text_strip_dup (piece);

          if (tag[0] != '\0')
            {
              char *key = g_utf8_casefold (tag, -1);

              if (g_hash_table_add (seen, key))
                g_strv_builder_add (builder, tag);
            }
          if (c == 0)
            break;
          start = g_utf8_next_char (p);
        }
    }

  return g_strv_builder_end (builder);
}

/* Words */

static gboolean
word_in (const char         *key,
         const char * const *words)
{
  for (guint i = 0; words[i] != NULL; i++)
    if (strcmp (key, words[i]) == 0)
      return TRUE;
  return FALSE;
}

/* The cell reduced to compare with word lists. */
static char *
word_key (const char *text)
{
  g_autofree char *tmp = NULL;
  g_autofree char *stripped = ct_text_strip_dup (ensure_utf8 (text, &tmp));

  return g_utf8_casefold (stripped, -1);
}

gboolean
ct_parse_bool (const char *text,
               gboolean   *out)
{
  static const char * const yes[] = {
    "1", "y", "yes", "true", "t", "x", "✓", "✔", "refunded", "refund",
    "是", "已退款", "退款", "退款成功", "全额退款", "已退", "对", "有", NULL
  };
  static const char * const no[] = {
    "", "0", "n", "no", "false", "f", "-", "paid", "completed", "complete",
    "success", "succeeded", "否", "无", "没有", "未退款", "已支付", "已付款",
    "支付成功", "交易成功", "已完成", "完成", "正常", NULL
  };
  g_autofree char *key = NULL;

  g_return_val_if_fail (out != NULL, FALSE);

  key = word_key (text != NULL ? text : "");
  if (word_in (key, yes))
    {
      *out = TRUE;
      return TRUE;
    }
  if (word_in (key, no))
    {
      *out = FALSE;
      return TRUE;
    }
  return FALSE;
}

gboolean
ct_parse_status (const char      *text,
                 CtContactStatus *out)
{
  static const char * const subscribed[] = {
    "subscribed", "subscriber", "subscribe", "active", "yes", "opted in", "opt-in",
    "订阅", "已订阅", "订阅中", "正常", "是", NULL
  };
  static const char * const unsubscribed[] = {
    "unsubscribed", "unsubscribe", "opted out", "opt-out", "no", "inactive",
    "退订", "已退订", "取消订阅", "已取消订阅", "未订阅", "否", NULL
  };
  static const char * const bounced[] = {
    "bounced", "bounce", "cleaned", "invalid", "退信", "已退信", "弹回", "无效", NULL
  };
  static const char * const complained[] = {
    "complained", "complaint", "spam", "投诉", "已投诉", "垃圾邮件", NULL
  };
  g_autofree char *key = NULL;

  g_return_val_if_fail (out != NULL, FALSE);

  if (text == NULL)
    return FALSE;

  key = word_key (text);
  if (word_in (key, subscribed))
    *out = CT_CONTACT_SUBSCRIBED;
  else if (word_in (key, unsubscribed))
    *out = CT_CONTACT_UNSUBSCRIBED;
  else if (word_in (key, bounced))
    *out = CT_CONTACT_BOUNCED;
  else if (word_in (key, complained))
    *out = CT_CONTACT_COMPLAINED;
  else
    return FALSE;
  return TRUE;
}

/* Headers */

char *
ct_parse_normalise_header (const char *text)
{
  g_autofree char *folded = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *tmp = NULL;
  GString *out;
  int depth = 0;
  gboolean bracketed = FALSE;

  if (text == NULL)
    return g_strdup ("");

  folded = fold_width (ensure_utf8 (text, &tmp));
  lower = g_utf8_casefold (folded, -1);
  out = g_string_sized_new (strlen (lower));

  for (const char *p = lower; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      /* A bracketed unit or remark: "金额(元)", "email (required)". */
      if (c == '(' || c == '[' || c == 0x3010 /* 【 */ || c == 0xFF08)
        {
          depth++;
          bracketed = TRUE;
          continue;
        }
      if (c == ')' || c == ']' || c == 0x3011 /* 】 */ || c == 0xFF09)
        {
          if (depth > 0)
            depth--;
          continue;
        }
      if (depth > 0)
        continue;
      if (is_blank_char (c) || g_unichar_ispunct (c) || g_unichar_iscntrl (c))
        continue;
      g_string_append_unichar (out, c);
    }

  /* Everything was in brackets: keep what they held rather than nothing. */
  if (out->len == 0 && bracketed)
    {
      g_string_free (out, TRUE);
      out = g_string_new (NULL);
      for (const char *p = lower; *p != '\0'; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);

          if (!is_blank_char (c) && !g_unichar_ispunct (c) && !g_unichar_iscntrl (c))
            g_string_append_unichar (out, c);
        }
    }

  return g_string_free (out, FALSE);
}
