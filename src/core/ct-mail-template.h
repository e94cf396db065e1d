/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-mail-template.h: a campaign's subject and body with merge fields */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Merge fields a campaign can use, in the order of the values a
 * recipient carries (CtMailRecipient.values). "{{first_name|there}}"
 * is the field first_name with the default "there" for a contact
 * without one. */
typedef enum
{
  CT_MAIL_FIELD_FIRST_NAME,
  CT_MAIL_FIELD_LAST_NAME,
  CT_MAIL_FIELD_NAME,
  CT_MAIL_FIELD_EMAIL,
  CT_MAIL_FIELD_COMPANY,
  CT_MAIL_FIELD_TIER,
  CT_MAIL_FIELD_POINTS,
  CT_MAIL_FIELD_LAST_PRODUCT,
  CT_MAIL_FIELD_UNSUBSCRIBE_URL,
  CT_MAIL_N_FIELDS
} CtMailField;

const char *ct_mail_field_name (CtMailField field);

/* One compiled text: literal runs and merge fields. */
typedef struct _CtMailTemplate CtMailTemplate;

typedef enum
{
  CT_MAIL_TEMPLATE_TEXT,  /* values go in as they are */
  CT_MAIL_TEMPLATE_HTML,  /* values are HTML-escaped */
} CtMailTemplateKind;

/* Compiles @source. An unknown field name ("{{frist_name}}") or an
 * unclosed "{{" is refused with a message naming it (G_IO_ERROR_INVALID_DATA).
 * Returns: (transfer full) (nullable) */
CtMailTemplate *ct_mail_template_new        (const char          *source,
                                             CtMailTemplateKind   kind,
                                             GError             **error);
void            ct_mail_template_free       (CtMailTemplate      *self);

/* @values: CT_MAIL_N_FIELDS strings (NULL or "" takes the field's
 * default). Returns: (transfer full) */
char           *ct_mail_template_render     (const CtMailTemplate *self,
                                             const char * const  *values);

/* As ct_mail_template_render(), appended to @out ready to go between
 * the quotes of a JSON string: the literal runs were quoted for JSON
 * once, when the template was compiled, so that a provider that
 * renders every message in full only escapes the values per
 * recipient. Byte for byte ct_mail_json_escape_append() of
 * ct_mail_template_render(). */
void            ct_mail_template_render_json (const CtMailTemplate *self,
                                              const char * const   *values,
                                              GString              *out);

/* Appends @text (@length bytes, or up to its NUL with -1) to @out as the
 * inside of a JSON string: quotes, backslashes and control characters
 * escaped, the rest (UTF-8 included) as it is. */
void            ct_mail_json_escape_append  (GString             *out,
                                             const char          *text,
                                             gssize               length);

/* For providers that substitute per recipient themselves (SendGrid,
 * Mailgun): the text with each merge field replaced by
 * @make_placeholder (occurrence index), and the per-recipient value of
 * each occurrence via ct_mail_template_occurrence_value(). */
typedef char *(*CtMailPlaceholderFunc) (guint     occurrence,
                                        gpointer  user_data);
char           *ct_mail_template_render_placeholders (const CtMailTemplate  *self,
                                                      CtMailPlaceholderFunc make_placeholder,
                                                      gpointer              user_data);
guint           ct_mail_template_n_occurrences (const CtMailTemplate *self);
/* The value of occurrence @i for @values, escaped as the template's
 * kind needs. Returns: (transfer full) */
char           *ct_mail_template_occurrence_value (const CtMailTemplate *self,
                                                   guint                 i,
                                                   const char * const   *values);

/* A campaign ready to render: subject, HTML body (the Markdown through
 * cmark plus the footer with the postal address and the unsubscribe
 * link) and the plain-text part. */
typedef struct
{
  CtMailTemplate *subject;
  CtMailTemplate *html;
  CtMailTemplate *text;
} CtMailContent;

/* @postal_address may be empty (a warning belongs in the UI, not here);
 * @unsubscribe_label is the footer's link text. */
CtMailContent  *ct_mail_content_new         (const char  *subject,
                                             const char  *markdown,
                                             const char  *postal_address,
                                             const char  *unsubscribe_label,
                                             GError     **error);
/* As ct_mail_content_new(), with @preheader (nullable; one line, merge
 * fields allowed): the preview text inbox apps show after the subject,
 * put at the top of the HTML body in a hidden span. Not in the plain
 * text part, whose first line is its own preview. */
CtMailContent  *ct_mail_content_new_full    (const char  *subject,
                                             const char  *preheader,
                                             const char  *markdown,
                                             const char  *postal_address,
                                             const char  *unsubscribe_label,
                                             GError     **error);
void            ct_mail_content_free        (CtMailContent *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtMailTemplate, ct_mail_template_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtMailContent, ct_mail_content_free)

G_END_DECLS
