/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-mail-template.c: a campaign's subject and body with merge fields
 *
 * A template is compiled once per campaign into literal runs and merge
 * fields, then rendered per recipient with no parsing: a 10,000
 * recipient campaign renders in milliseconds. The Markdown body goes
 * through cmark before the fields are found, so "{{first_name}}" is
 * plain text to cmark and the values, escaped for HTML, are put in
 * afterwards: a contact called "<b>Ann</b>" cannot add markup.
 */
#include "config.h"

#include <string.h>
#include <cmark.h>
#include <glib/gi18n-lib.h>
#include <gio/gio.h>

#include "ct-mail-template.h"

static const char * const field_names[CT_MAIL_N_FIELDS] = {
  "first_name", "last_name", "name", "email", "company", "tier", "points",
  "last_product", "unsubscribe_url",
};

const char *
ct_mail_field_name (CtMailField field)
{
  g_return_val_if_fail (field < CT_MAIL_N_FIELDS, NULL);
  return field_names[field];
}

typedef struct
{
  char *literal;      /* a literal run, or NULL for a field */
  CtMailField field;
  char *fallback;     /* the field's default, as written */
  /* The literal run, or the default, quoted for JSON once. */
  char *json;
  gsize json_len;
} Part;

struct _CtMailTemplate
{
  CtMailTemplateKind kind;
  GArray *parts;      /* of Part */
  guint n_fields;
};

static void
part_clear (gpointer data)
{
  Part *part = data;

  g_free (part->literal);
  g_free (part->fallback);
  g_free (part->json);
}

void
ct_mail_template_free (CtMailTemplate *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->parts);
  g_free (self);
}

static gboolean
lookup_field (const char  *name,
              CtMailField *out)
{
  for (guint i = 0; i < CT_MAIL_N_FIELDS; i++)
    if (strcmp (field_names[i], name) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

/* The bytes a JSON string cannot hold as they are. */
static inline gboolean
json_special (guchar c)
{
  return c < 0x20 || c == '"' || c == '\\';
}

/* g_string_append_len() without the call into GLib's general insert
 * when the buffer has room, which is nearly always: a request body is
 * appended to in many small pieces. */
static inline void
append_len (GString    *out,
            const char *text,
            gsize       length)
{
  if (G_LIKELY (out->len + length < out->allocated_len))
    {
      memcpy (out->str + out->len, text, length);
      out->len += length;
      out->str[out->len] = '\0';
    }
  else
    g_string_append_len (out, text, length);
}

void
ct_mail_json_escape_append (GString    *out,
                            const char *text,
                            gssize      length)
{
  const char *run = text;
  const char *end;
  const char *p;

  if (length < 0)
    length = strlen (text);
  end = text + length;
  for (p = text; p < end; p++)
    {
      guchar c = *p;

      if (G_LIKELY (!json_special (c)))
        continue;
      append_len (out, run, p - run);
      switch (c)
        {
        case '"': g_string_append_len (out, "\\\"", 2); break;
        case '\\': g_string_append_len (out, "\\\\", 2); break;
        case '\n': g_string_append_len (out, "\\n", 2); break;
        case '\r': g_string_append_len (out, "\\r", 2); break;
        case '\t': g_string_append_len (out, "\\t", 2); break;
        default: g_string_append_printf (out, "\\u%04x", c); break;
        }
      run = p + 1;
    }
  append_len (out, run, p - run);
}

static void
part_quote_json (Part *part)
{
  const char *text = part->literal != NULL ? part->literal : part->fallback;
  GString *json = g_string_sized_new (strlen (text) + 16);

  ct_mail_json_escape_append (json, text, -1);
  part->json_len = json->len;
  part->json = g_string_free (json, FALSE);
}

CtMailTemplate *
ct_mail_template_new (const char          *source,
                      CtMailTemplateKind   kind,
                      GError             **error)
{
  g_autoptr(CtMailTemplate) self = g_new0 (CtMailTemplate, 1);
  const char *p = source;

  self->kind = kind;
  self->parts = g_array_new (FALSE, TRUE, sizeof (Part));
  g_array_set_clear_func (self->parts, part_clear);

  while (*p != '\0')
    {
      const char *open = strstr (p, "{{");
      const char *close;
      g_autofree char *inner = NULL;
      g_auto(GStrv) halves = NULL;
      Part part = { 0 };

      if (open == NULL)
        {
          part.literal = g_strdup (p);
          part_quote_json (&part);
          g_array_append_val (self->parts, part);
          break;
        }
      if (open > p)
        {
          part.literal = g_strndup (p, open - p);
          part_quote_json (&part);
          g_array_append_val (self->parts, part);
          part.literal = NULL;
          part.json = NULL;
        }
      close = strstr (open + 2, "}}");
      if (close == NULL)
        {
          g_autofree char *excerpt = g_utf8_substring (open, 0, MIN (g_utf8_strlen (open, -1), 30));

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("A merge field is not closed with “}}”: “%s”"), excerpt);
          return NULL;
        }
      inner = g_strndup (open + 2, close - open - 2);
      halves = g_strsplit (inner, "|", 2);
      g_strstrip (halves[0]);
      if (!lookup_field (halves[0], &part.field))
        {
          g_autofree char *known = g_strjoinv (", ", (char **) field_names);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("Unknown merge field “{{%s}}”; the fields are: %s"),
                       halves[0], known);
          return NULL;
        }
      part.fallback = g_strdup (halves[1] != NULL ? g_strstrip (halves[1]) : "");
      part_quote_json (&part);
      g_array_append_val (self->parts, part);
      self->n_fields++;
      p = close + 2;
    }

  return g_steal_pointer (&self);
}

static void
append_value (GString            *out,
              CtMailTemplateKind  kind,
              const Part         *part,
              const char * const *values)
{
  const char *value = values != NULL ? values[part->field] : NULL;

  if (value == NULL || *value == '\0')
    {
      /* The default is part of the template's own text: in the HTML it
       * has been through cmark already. */
      g_string_append (out, part->fallback);
      return;
    }
  if (kind == CT_MAIL_TEMPLATE_HTML)
    {
      g_autofree char *escaped = g_markup_escape_text (value, -1);
      g_string_append (out, escaped);
    }
  else
    g_string_append (out, value);
}

char *
ct_mail_template_render (const CtMailTemplate *self,
                         const char * const   *values)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < self->parts->len; i++)
    {
      const Part *part = &g_array_index (self->parts, Part, i);

      if (part->literal != NULL)
        g_string_append (out, part->literal);
      else
        append_value (out, self->kind, part, values);
    }
  return g_string_free (out, FALSE);
}

/* Whether g_markup_escape_text() would change @value: the five markup
 * characters, control characters and the C1 controls (UTF-8 0xc2
 * 0x80..0x9f; any 0xc2 lead byte is sent the slow way, to be safe). */
static gboolean
markup_plain (const char *value)
{
  for (const guchar *p = (const guchar *) value; *p != '\0'; p++)
    switch (*p)
      {
      case '&': case '<': case '>': case '\'': case '"': case 0x7f: case 0xc2:
        return FALSE;
      default:
        if (*p < 0x20)
          return FALSE;
        break;
      }
  return TRUE;
}

void
ct_mail_template_render_json (const CtMailTemplate *self,
                              const char * const   *values,
                              GString              *out)
{
  for (guint i = 0; i < self->parts->len; i++)
    {
      const Part *part = &g_array_index (self->parts, Part, i);
      const char *value;

      if (part->literal != NULL)
        {
          append_len (out, part->json, part->json_len);
          continue;
        }
      value = values != NULL ? values[part->field] : NULL;
      if (value == NULL || *value == '\0')
        append_len (out, part->json, part->json_len);
      else if (self->kind == CT_MAIL_TEMPLATE_HTML && !markup_plain (value))
        {
          g_autofree char *escaped = g_markup_escape_text (value, -1);
          ct_mail_json_escape_append (out, escaped, -1);
        }
      else
        ct_mail_json_escape_append (out, value, -1);
    }
}

char *
ct_mail_template_render_placeholders (const CtMailTemplate  *self,
                                      CtMailPlaceholderFunc  make_placeholder,
                                      gpointer               user_data)
{
  GString *out = g_string_new (NULL);
  guint occurrence = 0;

  for (guint i = 0; i < self->parts->len; i++)
    {
      const Part *part = &g_array_index (self->parts, Part, i);

      if (part->literal != NULL)
        g_string_append (out, part->literal);
      else
        {
          g_autofree char *placeholder = make_placeholder (occurrence++, user_data);
          g_string_append (out, placeholder);
        }
    }
  return g_string_free (out, FALSE);
}

guint
ct_mail_template_n_occurrences (const CtMailTemplate *self)
{
  return self->n_fields;
}

char *
ct_mail_template_occurrence_value (const CtMailTemplate *self,
                                   guint                 i,
                                   const char * const   *values)
{
  guint occurrence = 0;

  for (guint k = 0; k < self->parts->len; k++)
    {
      const Part *part = &g_array_index (self->parts, Part, k);

      if (part->literal != NULL)
        continue;
      if (occurrence++ == i)
        {
          GString *out = g_string_new (NULL);
          append_value (out, self->kind, part, values);
          return g_string_free (out, FALSE);
        }
    }
  g_return_val_if_reached (g_strdup (""));
}

void
ct_mail_content_free (CtMailContent *self)
{
  if (self == NULL)
    return;
  ct_mail_template_free (self->subject);
  ct_mail_template_free (self->html);
  ct_mail_template_free (self->text);
  g_free (self);
}

CtMailContent *
ct_mail_content_new (const char  *subject,
                     const char  *markdown,
                     const char  *postal_address,
                     const char  *unsubscribe_label,
                     GError     **error)
{
  return ct_mail_content_new_full (subject, NULL, markdown, postal_address, unsubscribe_label, error);
}

/* The hidden preview text, as mail apps expect it: first in the body,
 * hidden from the reader in every client that honours one of the
 * styles (Outlook needs mso-hide), then padded with zero-width
 * non-joiners and non-breaking spaces so that the inbox line does not
 * run on into the body's first words after a short preheader. */
static void
append_preheader (GString    *html,
                  const char *preheader)
{
  g_autofree char *escaped = g_markup_escape_text (preheader, -1);

  g_string_append (html, "<span class=\"preheader\" style=\"display:none!important;visibility:hidden;"
                         "mso-hide:all;font-size:1px;line-height:1px;color:transparent;max-height:0;"
                         "max-width:0;opacity:0;overflow:hidden\">");
  g_string_append (html, escaped);
  for (guint i = 0; i < 60; i++)
    g_string_append (html, "&zwnj;&nbsp;");
  g_string_append (html, "</span>\n");
}

CtMailContent *
ct_mail_content_new_full (const char  *subject,
                          const char  *preheader,
                          const char  *markdown,
                          const char  *postal_address,
                          const char  *unsubscribe_label,
                          GError     **error)
{
  g_autoptr(CtMailContent) self = g_new0 (CtMailContent, 1);
  g_autoptr(GString) html = g_string_new (NULL);
  g_autoptr(GString) text = g_string_new (markdown);
  g_autofree char *address_html = g_markup_escape_text (postal_address, -1);
  g_autofree char *label_html = g_markup_escape_text (unsubscribe_label, -1);
  char *body;

  if (strchr (subject, '\n') != NULL || strchr (subject, '\r') != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The subject must be one line"));
      return NULL;
    }
  if (preheader != NULL && (strchr (preheader, '\n') != NULL || strchr (preheader, '\r') != NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The preheader must be one line"));
      return NULL;
    }

  /* cmark's default options drop raw HTML from the Markdown: a body
   * pasted from elsewhere cannot carry scripts or tracking pixels. */
  body = cmark_markdown_to_html (markdown, strlen (markdown), CMARK_OPT_DEFAULT);
  g_string_append (html,
                   "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>"
                   "<body>\n");
  /* Escaped here as text; merge fields in it are filled (and escaped)
   * per recipient like the body's. */
  if (preheader != NULL && *preheader != '\0')
    append_preheader (html, preheader);
  g_string_append (html, body);
  free (body);

  /* The footer: who sends this (an address is a legal must in many
   * countries) and a visible way out. The link is a merge field: each
   * recipient's own URL, or the provider's unsubscribe placeholder. */
  g_string_append (html, "<hr>\n<p style=\"font-size:small;color:#666\">");
  if (*postal_address != '\0')
    {
      g_autofree char *with_breaks = NULL;
      g_auto(GStrv) lines = g_strsplit (address_html, "\n", -1);

      with_breaks = g_strjoinv ("<br>", lines);
      g_string_append_printf (html, "%s<br>", with_breaks);
    }
  g_string_append_printf (html, "<a href=\"{{unsubscribe_url}}\">%s</a></p>\n"
                          "</body></html>\n", label_html);

  g_string_append (text, "\n\n-- \n");
  if (*postal_address != '\0')
    g_string_append_printf (text, "%s\n", postal_address);
  g_string_append_printf (text, "%s: {{unsubscribe_url}}\n", unsubscribe_label);

  self->subject = ct_mail_template_new (subject, CT_MAIL_TEMPLATE_TEXT, error);
  if (self->subject == NULL)
    return NULL;
  self->html = ct_mail_template_new (html->str, CT_MAIL_TEMPLATE_HTML, error);
  if (self->html == NULL)
    return NULL;
  self->text = ct_mail_template_new (text->str, CT_MAIL_TEMPLATE_TEXT, error);
  if (self->text == NULL)
    return NULL;

  return g_steal_pointer (&self);
}
