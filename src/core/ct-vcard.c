/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-vcard.c: reading and writing contacts as vCard
 *
 * Reading takes what phones and address books actually write: vCard 2.1
 * from older Android and feature phones (QUOTED-PRINTABLE with soft line
 * breaks, CHARSET=GB2312 or UTF-8, bare parameters like "TEL;CELL"),
 * 3.0 from macOS and Google, and 4.0 (RFC 6350). Only the properties a
 * contact holds are read; photos, addresses and the rest are skipped.
 *
 * Writing produces 3.0 (RFC 2426, what most programs import) or 4.0,
 * UTF-8, CRLF line ends, lines folded at 75 octets between characters.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-contact.h"
#include "ct-export-private.h"
#include "ct-parse.h"
#include "ct-vcard.h"

G_DEFINE_QUARK (ct-vcard-error-quark, ct_vcard_error)

void
ct_vcard_card_free (CtVcardCard *card)
{
  if (card == NULL)
    return;

  g_free (card->email);
  g_free (card->first_name);
  g_free (card->last_name);
  g_free (card->phone);
  g_free (card->company);
  g_free (card->notes);
  g_strfreev (card->tags);
  g_free (card);
}

/* ------------------------------------------------------------------ */
/* Reading */

/* Physical lines of the text, ends (CRLF, LF or CR) taken off. */
typedef struct
{
  const char *text;
  gsize       len;
  gsize       pos;
  guint       line;       /* 1-based number of the line last read */
} LineReader;

static gboolean
line_reader_next (LineReader  *self,
                  const char **start,
                  gsize       *len)
{
  gsize begin = self->pos;
  gsize end;

  if (self->pos >= self->len)
    return FALSE;

  end = begin;
  while (end < self->len && self->text[end] != '\n' && self->text[end] != '\r')
    end++;

  self->pos = end;
  if (self->pos < self->len && self->text[self->pos] == '\r')
    self->pos++;
  if (self->pos < self->len && self->text[self->pos] == '\n')
    self->pos++;

  self->line++;
  *start = self->text + begin;
  *len = end - begin;
  return TRUE;
}

/* Whether the next physical line continues the current one (RFC 2425
 * folding: it starts with a space or a tab). */
static gboolean
line_reader_next_is_folded (LineReader *self)
{
  return self->pos < self->len
         && (self->text[self->pos] == ' ' || self->text[self->pos] == '\t');
}

/* One property line, unfolded and split. */
typedef struct
{
  char      *name;        /* upper case, without a group ("item1.") */
  GPtrArray *param_names; /* upper case; "TYPE" for bare 2.1 parameters */
  GPtrArray *param_values;/* upper case for TYPE, ENCODING and bare ones */
  GString   *value;       /* raw bytes after the colon */
} Property;

static void
property_clear (Property *prop)
{
  g_clear_pointer (&prop->name, g_free);
  g_clear_pointer (&prop->param_names, g_ptr_array_unref);
  g_clear_pointer (&prop->param_values, g_ptr_array_unref);
  if (prop->value != NULL)
    g_string_free (prop->value, TRUE);
  prop->value = NULL;
}

/* The value of parameter @name, or NULL. */
static const char *
property_get_param (Property   *prop,
                    const char *name)
{
  for (guint i = 0; i < prop->param_names->len; i++)
    if (g_str_equal (g_ptr_array_index (prop->param_names, i), name))
      return g_ptr_array_index (prop->param_values, i);
  return NULL;
}

/* Whether a TYPE parameter (comma-separated in 3.0 and 4.0, one per
 * parameter in 2.1) includes @type. */
static gboolean
property_has_type (Property   *prop,
                   const char *type)
{
  for (guint i = 0; i < prop->param_names->len; i++)
    {
      g_auto(GStrv) types = NULL;

      if (!g_str_equal (g_ptr_array_index (prop->param_names, i), "TYPE"))
        continue;
      types = g_strsplit (g_ptr_array_index (prop->param_values, i), ",", -1);
      for (guint j = 0; types[j] != NULL; j++)
        if (g_ascii_strcasecmp (g_strstrip (types[j]), type) == 0)
          return TRUE;
    }
  return FALSE;
}

static gboolean
property_is_quoted_printable (Property *prop)
{
  const char *encoding = property_get_param (prop, "ENCODING");

  return (encoding != NULL && g_ascii_strcasecmp (encoding, "QUOTED-PRINTABLE") == 0)
         || property_has_type (prop, "QUOTED-PRINTABLE");
}

/* How much a property wants to be the one kept among several: PREF=1
 * (4.0, lower is stronger) or TYPE=pref / a bare PREF (2.1, 3.0). */
static int
property_preference (Property *prop)
{
  const char *pref = property_get_param (prop, "PREF");
  guint64 value;

  if (pref != NULL && g_ascii_string_to_unsigned (pref, 10, 1, 100, &value, NULL))
    return (int) value;
  if (property_has_type (prop, "PREF"))
    return 1;
  return 1000;
}

/* Splits "item1.TEL;TYPE=\"cell,voice\";PREF=1" from the value at the
 * first colon outside quotes. Returns FALSE for a line that is not a
 * property (no colon). */
static gboolean
property_parse (Property   *prop,
                const char *line,
                gsize       len)
{
  const char *end = line + len;
  const char *p = line;
  const char *name_start, *dot;
  gboolean in_quotes = FALSE;
  const char *colon = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree char *head = NULL;

  for (const char *q = line; q < end; q++)
    {
      if (*q == '"')
        in_quotes = !in_quotes;
      else if (*q == ':' && !in_quotes)
        {
          colon = q;
          break;
        }
    }
  if (colon == NULL)
    return FALSE;

  prop->value = g_string_new_len (colon + 1, end - colon - 1);
  prop->param_names = g_ptr_array_new_with_free_func (g_free);
  prop->param_values = g_ptr_array_new_with_free_func (g_free);

  /* Parameters are split at ';' outside quotes. */
  head = g_strndup (p, colon - p);
  {
    GPtrArray *split = g_ptr_array_new ();
    char *start = head;

    in_quotes = FALSE;
    for (char *q = head; ; q++)
      {
        if (*q == '"')
          in_quotes = !in_quotes;
        else if ((*q == ';' && !in_quotes) || *q == '\0')
          {
            gboolean last = *q == '\0';

            *q = '\0';
            g_ptr_array_add (split, g_strdup (start));
            start = q + 1;
            if (last)
              break;
          }
      }
    g_ptr_array_add (split, NULL);
    parts = (GStrv) g_ptr_array_free (split, FALSE);
  }

  name_start = parts[0];
  dot = strrchr (name_start, '.');
  if (dot != NULL)
    name_start = dot + 1;
  prop->name = g_ascii_strup (g_strstrip ((char *) name_start), -1);

  for (guint i = 1; parts[i] != NULL; i++)
    {
      char *param = g_strstrip (parts[i]);
      char *eq = strchr (param, '=');
      char *pname, *pvalue;
      gsize vlen;

      if (*param == '\0')
        continue;
      if (eq == NULL)
        {
          /* vCard 2.1: "TEL;CELL;PREF", "NOTE;QUOTED-PRINTABLE" */
          pname = g_strdup ("TYPE");
          pvalue = g_strdup (param);
        }
      else
        {
          *eq = '\0';
          pname = g_ascii_strup (g_strstrip (param), -1);
          pvalue = g_strdup (g_strstrip (eq + 1));
          vlen = strlen (pvalue);
          if (vlen >= 2 && pvalue[0] == '"' && pvalue[vlen - 1] == '"')
            {
              memmove (pvalue, pvalue + 1, vlen - 2);
              pvalue[vlen - 2] = '\0';
            }
        }
      g_ptr_array_add (prop->param_names, pname);
      g_ptr_array_add (prop->param_values, pvalue);
    }

  return TRUE;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* "=E5=BC=A0" to bytes. A stray "=" is kept as it is. */
static void
decode_quoted_printable (GString *value)
{
  gsize out = 0;

  for (gsize i = 0; i < value->len; i++)
    {
      int hi, lo;

      if (value->str[i] == '=' && i + 2 < value->len
          && (hi = hex_value (value->str[i + 1])) >= 0
          && (lo = hex_value (value->str[i + 2])) >= 0)
        {
          value->str[out++] = (char) (hi * 16 + lo);
          i += 2;
        }
      else
        value->str[out++] = value->str[i];
    }
  g_string_truncate (value, out);
}

/* The value as UTF-8: in its CHARSET when one is named, else UTF-8, else
 * GB18030, which Chinese phones wrote before they wrote UTF-8. */
static char *
decode_charset (Property  *prop,
                guint      line,
                GError   **error)
{
  const char *charset = property_get_param (prop, "CHARSET");
  g_autoptr(GError) local_error = NULL;
  char *text;

  if (charset != NULL && g_ascii_strcasecmp (charset, "UTF-8") != 0
      && g_ascii_strcasecmp (charset, "UTF8") != 0)
    {
      const char *from = charset;

      /* GB2312 and GBK are subsets of GB18030, and iconv knows all three,
       * but text labelled GB2312 often holds GBK characters. */
      if (g_ascii_strcasecmp (charset, "GB2312") == 0 || g_ascii_strcasecmp (charset, "GBK") == 0)
        from = "GB18030";
      text = g_convert (prop->value->str, prop->value->len, "UTF-8", from, NULL, NULL, &local_error);
      if (text == NULL)
        {
          g_set_error (error, CT_VCARD_ERROR, CT_VCARD_ERROR_ENCODING,
                       _("Line %u: the %s value is not text in the character set %s."),
                       line, prop->name, charset);
          return NULL;
        }
      return text;
    }

  if (g_utf8_validate_len (prop->value->str, prop->value->len, NULL))
    return g_strndup (prop->value->str, prop->value->len);

  if (charset == NULL)
    {
      text = g_convert (prop->value->str, prop->value->len, "UTF-8", "GB18030", NULL, NULL, NULL);
      if (text != NULL)
        return text;
    }

  g_set_error (error, CT_VCARD_ERROR, CT_VCARD_ERROR_ENCODING,
               _("Line %u: the %s value is not UTF-8 text."), line, prop->name);
  return NULL;
}

/* Splits @text at unescaped @separator and undoes the escapes \\ \, \;
 * \: and \n in each part. */
static GStrv
split_unescape (const char *text,
                char        separator)
{
  GPtrArray *parts = g_ptr_array_new ();
  GString *part = g_string_new (NULL);

  for (const char *p = text; ; p++)
    {
      if (*p == '\0' || *p == separator)
        {
          g_ptr_array_add (parts, g_string_free (part, FALSE));
          if (*p == '\0')
            break;
          part = g_string_new (NULL);
        }
      else if (*p == '\\' && p[1] != '\0')
        {
          p++;
          if (*p == 'n' || *p == 'N')
            g_string_append_c (part, '\n');
          else
            g_string_append_c (part, *p);
        }
      else
        g_string_append_c (part, *p);
    }

  g_ptr_array_add (parts, NULL);
  return (GStrv) g_ptr_array_free (parts, FALSE);
}

static char *
unescape (const char *text)
{
  g_auto(GStrv) parts = split_unescape (text, '\0');

  return g_strdup (parts[0]);
}

/* Trimmed (Unicode spaces too), NULL when nothing is left. */
static char *
strip_or_null (const char *text)
{
  const char *start = text;
  const char *end;

  if (text == NULL)
    return NULL;
  while (*start != '\0' && g_unichar_isspace (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);
  end = start + strlen (start);
  while (end > start)
    {
      const char *prev = g_utf8_find_prev_char (start, end);

      if (prev == NULL || !g_unichar_isspace (g_utf8_get_char (prev)))
        break;
      end = prev;
    }
  if (end == start)
    return NULL;
  return g_strndup (start, end - start);
}

/* What a card is being built from. */
typedef struct
{
  CtVcardCard *card;
  char        *fn;
  gboolean     has_n;
  int          email_pref;
  int          phone_pref;
  GPtrArray   *tags;
} CardBuilder;

static void
builder_take_preferred (char       **field,
                        int         *field_pref,
                        char        *value,
                        int          pref)
{
  if (value == NULL)
    return;
  if (*field == NULL || pref < *field_pref)
    {
      g_free (*field);
      *field = value;
      *field_pref = pref;
    }
  else
    g_free (value);
}

static void
builder_add_tags (CardBuilder *builder,
                  const char  *value)
{
  g_auto(GStrv) tags = split_unescape (value, ',');

  for (guint i = 0; tags[i] != NULL; i++)
    {
      char *tag = strip_or_null (tags[i]);
      gboolean seen = FALSE;

      if (tag == NULL)
        continue;
      for (guint j = 0; j < builder->tags->len && !seen; j++)
        seen = g_utf8_collate (g_ptr_array_index (builder->tags, j), tag) == 0;
      if (seen)
        g_free (tag);
      else
        g_ptr_array_add (builder->tags, tag);
    }
}

static void
builder_add (CardBuilder *builder,
             Property    *prop,
             const char  *value)
{
  CtVcardCard *card = builder->card;

  if (g_str_equal (prop->name, "N"))
    {
      g_auto(GStrv) parts = split_unescape (value, ';');
      guint n = g_strv_length (parts);
      g_autofree char *given = n > 1 ? strip_or_null (parts[1]) : NULL;
      g_autofree char *additional = n > 2 ? strip_or_null (parts[2]) : NULL;

      g_clear_pointer (&card->last_name, g_free);
      g_clear_pointer (&card->first_name, g_free);
      card->last_name = strip_or_null (parts[0]);
      /* Middle names go with the given name, as the app has no field for
       * them. */
      if (given != NULL && additional != NULL)
        card->first_name = g_strconcat (given, " ", additional, NULL);
      else if (given != NULL)
        card->first_name = g_steal_pointer (&given);
      else
        card->first_name = g_steal_pointer (&additional);
      builder->has_n = card->last_name != NULL || card->first_name != NULL;
    }
  else if (g_str_equal (prop->name, "FN"))
    {
      g_autofree char *unescaped = unescape (value);

      g_free (builder->fn);
      builder->fn = strip_or_null (unescaped);
    }
  else if (g_str_equal (prop->name, "EMAIL"))
    {
      g_autofree char *unescaped = unescape (value);
      char *email = strip_or_null (unescaped);

      if (email != NULL && g_ascii_strncasecmp (email, "mailto:", 7) == 0)
        {
          char *bare = strip_or_null (email + 7);

          g_free (email);
          email = bare;
        }
      builder_take_preferred (&card->email, &builder->email_pref, email,
                              property_preference (prop));
    }
  else if (g_str_equal (prop->name, "TEL"))
    {
      g_autofree char *unescaped = unescape (value);
      char *phone = strip_or_null (unescaped);

      /* 4.0 writes telephone numbers as URIs: "tel:+86-138-0013-8000". */
      if (phone != NULL && g_ascii_strncasecmp (phone, "tel:", 4) == 0)
        {
          char *bare = strip_or_null (phone + 4);
          char *semicolon = bare != NULL ? strchr (bare, ';') : NULL;

          /* ";ext=123" and other URI parameters are not part of the number. */
          if (semicolon != NULL)
            *semicolon = '\0';
          g_free (phone);
          phone = bare;
        }
      builder_take_preferred (&card->phone, &builder->phone_pref, phone,
                              property_preference (prop));
    }
  else if (g_str_equal (prop->name, "ORG"))
    {
      g_auto(GStrv) parts = split_unescape (value, ';');

      if (card->company == NULL)
        card->company = strip_or_null (parts[0]);
    }
  else if (g_str_equal (prop->name, "NOTE"))
    {
      g_autofree char *unescaped = unescape (value);
      char *note = strip_or_null (unescaped);

      if (note == NULL)
        return;
      if (card->notes == NULL)
        card->notes = note;
      else
        {
          /* Several NOTEs are kept, one paragraph each. */
          char *joined = g_strconcat (card->notes, "\n\n", note, NULL);

          g_free (card->notes);
          g_free (note);
          card->notes = joined;
        }
    }
  else if (g_str_equal (prop->name, "CATEGORIES"))
    builder_add_tags (builder, value);
}

/* Whether a formatted name is a name, not the email or phone number
 * that programs (this one too) put in FN for a contact without a name. */
static gboolean
is_name (const char *fn)
{
  if (strchr (fn, '@') != NULL)
    return FALSE;
  for (const char *p = fn; *p != '\0'; p = g_utf8_next_char (p))
    if (g_unichar_isalpha (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

static CtVcardCard *
builder_finish (CardBuilder *builder)
{
  CtVcardCard *card = g_steal_pointer (&builder->card);

  /* Without N (it is optional in 4.0), the formatted name is split the
   * way the importer splits a full name. */
  if (!builder->has_n && builder->fn != NULL && is_name (builder->fn))
    {
      char *first = NULL, *last = NULL;

      ct_parse_split_name (builder->fn, &first, &last);
      card->first_name = strip_or_null (first);
      card->last_name = strip_or_null (last);
      g_free (first);
      g_free (last);
    }

  if (builder->tags->len > 0)
    {
      g_ptr_array_add (builder->tags, NULL);
      card->tags = (GStrv) g_ptr_array_free (g_steal_pointer (&builder->tags), FALSE);
    }

  g_clear_pointer (&builder->fn, g_free);
  g_clear_pointer (&builder->tags, g_ptr_array_unref);
  return card;
}

static void
builder_clear (CardBuilder *builder)
{
  g_clear_pointer (&builder->card, ct_vcard_card_free);
  g_clear_pointer (&builder->fn, g_free);
  g_clear_pointer (&builder->tags, g_ptr_array_unref);
}

static gboolean
value_is (Property   *prop,
          const char *value)
{
  g_autofree char *copy = g_strndup (prop->value->str, prop->value->len);

  return g_ascii_strcasecmp (g_strstrip (copy), value) == 0;
}

/**
 * ct_vcard_parse:
 *
 * Reads the cards in @text (UTF-8, or vCard 2.1 with CHARSET parameters).
 * See ct-vcard.h.
 */
GPtrArray *
ct_vcard_parse (const char  *text,
                gsize        len,
                GError     **error)
{
  g_autoptr(GPtrArray) cards = g_ptr_array_new_with_free_func ((GDestroyNotify) ct_vcard_card_free);
  g_autofree char *converted = NULL;
  LineReader reader = { 0 };
  CardBuilder builder = { 0 };
  guint depth = 0;
  gboolean seen_begin = FALSE;
  const char *line;
  gsize line_len;

  g_return_val_if_fail (text != NULL || len == 0, NULL);

  /* A byte order mark: UTF-8 is skipped, UTF-16 (some Windows address
   * books) converted first. */
  if (len >= 2 && ((guchar) text[0] == 0xFF && (guchar) text[1] == 0xFE))
    converted = g_convert (text + 2, len - 2, "UTF-8", "UTF-16LE", NULL, &len, NULL);
  else if (len >= 2 && ((guchar) text[0] == 0xFE && (guchar) text[1] == 0xFF))
    converted = g_convert (text + 2, len - 2, "UTF-8", "UTF-16BE", NULL, &len, NULL);
  if (converted != NULL)
    text = converted;
  else if (len >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0)
    {
      text += 3;
      len -= 3;
    }

  reader.text = text;
  reader.len = len;

  while (line_reader_next (&reader, &line, &line_len))
    {
      g_autoptr(GString) logical = g_string_new_len (line, line_len);
      guint start_line = reader.line;
      Property prop = { 0 };

      while (line_reader_next_is_folded (&reader))
        {
          line_reader_next (&reader, &line, &line_len);
          g_string_append_len (logical, line + 1, line_len - 1);
        }

      if (!property_parse (&prop, logical->str, logical->len))
        continue;   /* a blank line, or the tail of a broken one: nothing to read */

      /* vCard 2.1 quoted-printable: "=" at the end of a line joins the
       * next line, which is not indented. */
      if (property_is_quoted_printable (&prop))
        {
          while (prop.value->len > 0 && prop.value->str[prop.value->len - 1] == '='
                 && line_reader_next (&reader, &line, &line_len))
            {
              g_string_truncate (prop.value, prop.value->len - 1);
              g_string_append_len (prop.value, line, line_len);
            }
          decode_quoted_printable (prop.value);
        }

      if (g_str_equal (prop.name, "BEGIN") && value_is (&prop, "VCARD"))
        {
          /* A card inside a card (AGENT in 2.1) is part of the outer one,
           * and skipped. */
          if (depth++ == 0)
            {
              seen_begin = TRUE;
              builder.card = g_new0 (CtVcardCard, 1);
              builder.card->line = start_line;
              builder.email_pref = builder.phone_pref = G_MAXINT;
              builder.has_n = FALSE;
              builder.tags = g_ptr_array_new_with_free_func (g_free);
            }
        }
      else if (g_str_equal (prop.name, "END") && value_is (&prop, "VCARD"))
        {
          if (depth > 0 && --depth == 0)
            g_ptr_array_add (cards, builder_finish (&builder));
        }
      else if (depth == 1)
        {
          g_autofree char *value = decode_charset (&prop, start_line, error);

          if (value == NULL)
            {
              property_clear (&prop);
              builder_clear (&builder);
              return NULL;
            }
          builder_add (&builder, &prop, value);
        }

      property_clear (&prop);
    }

  /* A last card cut off before its END:VCARD still holds what it holds. */
  if (depth > 0)
    g_ptr_array_add (cards, builder_finish (&builder));
  builder_clear (&builder);

  if (!seen_begin)
    {
      g_set_error_literal (error, CT_VCARD_ERROR, CT_VCARD_ERROR_NO_CARD,
                           _("There is no BEGIN:VCARD in the text: it is not a vCard file."));
      return NULL;
    }

  return g_steal_pointer (&cards);
}

/* ------------------------------------------------------------------ */
/* Writing */

/* Appends @text escaped as a vCard text value. */
static void
append_escaped (GString    *out,
                const char *text)
{
  for (const char *p = text; p != NULL && *p != '\0'; p++)
    {
      switch (*p)
        {
        case '\\':
          g_string_append (out, "\\\\");
          break;
        case ',':
          g_string_append (out, "\\,");
          break;
        case ';':
          g_string_append (out, "\\;");
          break;
        case '\r':
          if (p[1] == '\n')
            p++;
          g_string_append (out, "\\n");
          break;
        case '\n':
          g_string_append (out, "\\n");
          break;
        default:
          g_string_append_c (out, *p);
          break;
        }
    }
}

/* Appends @line with CRLF, folded so that no line is longer than 75
 * octets, never inside a UTF-8 character. */
static void
append_folded (GString    *out,
               const char *line)
{
  const char *p = line;
  gsize limit = 75;

  while (*p != '\0')
    {
      const char *end = p;

      while (*end != '\0')
        {
          const char *next = g_utf8_next_char (end);

          if ((gsize) (next - p) > limit)
            break;
          end = next;
        }
      g_string_append_len (out, p, end - p);
      g_string_append (out, "\r\n");
      p = end;
      if (*p != '\0')
        {
          g_string_append_c (out, ' ');
          /* The space counts towards the next line's 75. */
          limit = 74;
        }
    }
}

static void
append_property (GString    *out,
                 const char *name,
                 const char *value)
{
  g_autoptr(GString) line = g_string_new (name);

  g_string_append_c (line, ':');
  append_escaped (line, value);
  append_folded (out, line->str);
}

static gboolean
is_set (const char *text)
{
  return text != NULL && *text != '\0';
}

void
ct_vcard_append_card (GString            *out,
                      CtVcardVersion      version,
                      const char         *email,
                      const char         *first_name,
                      const char         *last_name,
                      const char         *phone,
                      const char         *company,
                      const char         *notes,
                      const char * const *tags)
{
  g_autofree char *name = ct_contact_format_name (first_name, last_name);
  g_autoptr(GString) line = NULL;

  g_return_if_fail (out != NULL);

  g_string_append (out, "BEGIN:VCARD\r\n");
  g_string_append (out, version == CT_VCARD_4_0 ? "VERSION:4.0\r\n" : "VERSION:3.0\r\n");

  /* FN is required in both versions; a contact without a name shows as
   * what the app shows for it. */
  if (*name == '\0')
    {
      g_free (name);
      name = g_strdup (is_set (email) ? email : is_set (phone) ? phone : "");
    }
  append_property (out, "FN", name);

  /* N is required in 3.0 and tells family from given name in both. */
  line = g_string_new ("N:");
  append_escaped (line, last_name);
  g_string_append_c (line, ';');
  append_escaped (line, first_name);
  g_string_append (line, ";;;");
  append_folded (out, line->str);

  if (is_set (email))
    append_property (out, version == CT_VCARD_4_0 ? "EMAIL" : "EMAIL;TYPE=INTERNET", email);
  /* 4.0 expects a tel: URI by default; the number as typed ("138 0013
   * 8000") is not one, so it is declared as text. */
  if (is_set (phone))
    append_property (out, version == CT_VCARD_4_0 ? "TEL;VALUE=text" : "TEL", phone);
  if (is_set (company))
    append_property (out, "ORG", company);
  if (is_set (notes))
    append_property (out, "NOTE", notes);

  if (tags != NULL && tags[0] != NULL)
    {
      g_string_truncate (line, 0);
      g_string_append (line, "CATEGORIES:");
      for (guint i = 0; tags[i] != NULL; i++)
        {
          if (i > 0)
            g_string_append_c (line, ',');
          append_escaped (line, tags[i]);
        }
      append_folded (out, line->str);
    }

  g_string_append (out, "END:VCARD\r\n");
}

#define TAG_SEPARATOR "\x1f"

#define CARD_SQL \
  "SELECT c.email, c.first_name, c.last_name, c.phone, c.company, c.notes," \
  " (SELECT group_concat(name, char(31)) FROM" \
  "   (SELECT t.name FROM contact_tags x JOIN tags t ON t.id = x.tag_id" \
  "    WHERE x.contact_id = c.id ORDER BY t.name COLLATE NOCASE))" \
  " FROM contacts c"

#define CARD_ORDER_SQL \
  " ORDER BY coalesce(nullif(c.last_name || c.first_name, ''), c.email, c.phone)" \
  " COLLATE NOCASE, c.id"

#define WRITE_BLOCK (64 * 1024)

static gboolean
write_cards (CtDb            *db,
             sqlite3_stmt    *stmt,
             CtVcardVersion   version,
             GString         *buf,
             GOutputStream   *out,
             guint           *n_cards,
             GCancellable    *cancellable,
             GError         **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *tag_text = (const char *) sqlite3_column_text (stmt, 6);
      g_auto(GStrv) tags = tag_text != NULL ? g_strsplit (tag_text, TAG_SEPARATOR, -1) : NULL;

      ct_vcard_append_card (buf, version,
                            (const char *) sqlite3_column_text (stmt, 0),
                            (const char *) sqlite3_column_text (stmt, 1),
                            (const char *) sqlite3_column_text (stmt, 2),
                            (const char *) sqlite3_column_text (stmt, 3),
                            (const char *) sqlite3_column_text (stmt, 4),
                            (const char *) sqlite3_column_text (stmt, 5),
                            (const char * const *) tags);
      (*n_cards)++;

      if (buf->len >= WRITE_BLOCK)
        {
          if (!g_output_stream_write_all (out, buf->str, buf->len, NULL, cancellable, error))
            return FALSE;
          g_string_truncate (buf, 0);
        }
    }

  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, NULL);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_all_cards (CtDb            *db,
                 GArray          *ids,
                 CtVcardVersion   version,
                 GOutputStream   *out,
                 guint           *n_cards,
                 GCancellable    *cancellable,
                 GError         **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GString) buf = g_string_sized_new (WRITE_BLOCK + 4096);

  stmt = ct_db_prepare (db, ids != NULL ? CARD_SQL " WHERE c.id = ?1" : CARD_SQL CARD_ORDER_SQL,
                        error);
  if (stmt == NULL)
    return FALSE;

  if (ids == NULL)
    {
      if (!write_cards (db, stmt, version, buf, out, n_cards, cancellable, error))
        return FALSE;
    }
  else
    for (guint i = 0; i < ids->len; i++)
      {
        gint64 id = g_array_index (ids, gint64, i);
        guint before = *n_cards;

        sqlite3_reset (stmt);
        sqlite3_bind_int64 (stmt, 1, id);
        if (!write_cards (db, stmt, version, buf, out, n_cards, cancellable, error))
          return FALSE;
        if (*n_cards == before)
          {
            g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND,
                         _("There is no contact with id %lld to export."), (long long) id);
            return FALSE;
          }
      }

  return g_output_stream_write_all (out, buf->str, buf->len, NULL, cancellable, error);
}

/**
 * ct_vcard_export_to_file:
 *
 * Writes the contacts (all, or @ids in their order) as vCards. See
 * ct-vcard.h.
 */
gboolean
ct_vcard_export_to_file (CtDb            *db,
                         GArray          *ids,
                         CtVcardVersion   version,
                         GFile           *file,
                         guint           *n_out,
                         GCancellable    *cancellable,
                         GError         **error)
{
  CtExportFile *out;
  guint n_cards = 0;
  gboolean own = FALSE;
  gboolean ok;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (ids == NULL || g_array_get_element_size (ids) == sizeof (gint64), FALSE);

  if (n_out != NULL)
    *n_out = 0;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  out = ct_export_file_open (file, cancellable, error);
  if (out == NULL)
    return FALSE;

  if (!ct_export_begin_read (db, &own, error))
    {
      ct_export_file_abandon (out);
      return FALSE;
    }
  ok = write_all_cards (db, ids, version, ct_export_file_get_stream (out), &n_cards,
                        cancellable, error);
  ct_export_end_read (db, own);

  if (!ok)
    {
      ct_export_file_abandon (out);
      return FALSE;
    }
  if (!ct_export_file_commit (out, cancellable, error))
    return FALSE;

  if (n_out != NULL)
    *n_out = n_cards;
  return TRUE;
}
