/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-campaign-assistant.c: a new campaign in four steps
 *
 * Audience (everyone or a tag, with who would get it and who is left
 * out), content (subject, Markdown body, merge fields, a gallery of
 * starting templates in English and Chinese), a preview as a real
 * contact with warnings, then a test to the sender's own address and
 * "send now" or "schedule". Built in code: each step is a plain box in
 * a GtkStack.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ct-campaign-assistant.h"
#include "ct-abtest.h"
#include "ct-campaign-results.h"
#include "ct-mail-secret.h"
#include "ct-mail-template.h"
#include "ct-outbox.h"
#include "ct-segment.h"

static const char * const steps[] = { "audience", "content", "preview", "send" };

/* The gallery. Bodies are kept in both languages rather than through
 * gettext: a seller writing in Chinese under an English desktop (or the
 * other way round) picks the language of the mail, not of the app. */
typedef struct
{
  const char *name;     /* translatable, N_() */
  const char *lang;     /* "English" or "中文", shown as is */
  const char *subject;
  const char *body;
} GalleryTemplate;

static const GalleryTemplate gallery[] = {
  { N_("Welcome"), "English", "Welcome, {{first_name|friend}}!",
    "Hi {{first_name|there}},\n\nThanks for joining. Here is what to expect: one useful email a week, "
    "no noise.\n\nTo start, [read the three most popular lessons](https://example.com/start).\n\n"
    "Reply any time; I read every message." },
  { N_("Welcome"), "中文", "欢迎你，{{first_name|朋友}}",
    "{{first_name|你}}好：\n\n感谢你的关注！之后我每周会发一封有干货的邮件，不打扰。\n\n"
    "可以先从[最受欢迎的三节课](https://example.com/start)开始。\n\n有任何问题，直接回复这封邮件即可，我每封都会看。" },
  { N_("Course launch"), "English", "My new course is open",
    "Hi {{first_name|there}},\n\nThe course you asked about is ready. **Enrolment is open this week.**\n\n"
    "- 12 lessons you can finish in a month\n- Worksheets and templates\n- A live Q&A every Friday\n\n"
    "[See the course](https://example.com/course)" },
  { N_("Course launch"), "中文", "新课正式上线",
    "{{first_name|你}}好：\n\n大家期待的新课终于上线了，**本周开放报名**。\n\n"
    "- 12 节课，一个月学完\n- 配套练习和模板\n- 每周五直播答疑\n\n[查看课程](https://example.com/course)" },
  { N_("Ebook offer"), "English", "A free chapter of my new ebook",
    "Hi {{first_name|there}},\n\nMy new ebook is out. Here is the first chapter for you to read.\n\n"
    "[Get the ebook](https://example.com/ebook)" },
  { N_("Ebook offer"), "中文", "新电子书：先读第一章",
    "{{first_name|你}}好：\n\n我的新电子书出版了，先送上第一章请你试读。\n\n[获取电子书](https://example.com/ebook)" },
  { N_("Membership renewal"), "English", "Your membership renews soon",
    "Hi {{first_name|there}},\n\nYour membership renews soon. Everything stays as it is; "
    "nothing to do if you want to keep it.\n\n[Manage your membership](https://example.com/account)" },
  { N_("Membership renewal"), "中文", "你的会员即将续费",
    "{{first_name|你}}好：\n\n你的会员即将到期续费，权益保持不变，无需任何操作。\n\n[管理会员](https://example.com/account)" },
  { N_("Win-back with coupon"), "English", "We miss you, {{first_name|friend}}: 20% off inside",
    "Hi {{first_name|there}},\n\nIt has been a while since {{last_product|your last course}}. "
    "Here is 20% off anything in the shop this week with the code **COMEBACK20**.\n\n"
    "[Browse the shop](https://example.com/shop)" },
  { N_("Win-back with coupon"), "中文", "好久不见，送你一张八折券",
    "{{first_name|你}}好：\n\n距离你上次学习《{{last_product|课程}}》已经有一段时间了。本周使用优惠码 **COMEBACK20** "
    "购买任意课程可享八折。\n\n[去看看](https://example.com/shop)" },
  { N_("Tier upgrade"), "English", "You are now {{tier|a VIP}}",
    "Hi {{first_name|there}},\n\nThank you for learning with me. You have reached **{{tier|a new tier}}** "
    "with {{points|your}} points, and new benefits come with it.\n\n[See your benefits](https://example.com/benefits)" },
  { N_("Tier upgrade"), "中文", "恭喜升级为{{tier|新等级}}会员",
    "{{first_name|你}}好：\n\n感谢一路支持！你已升级为 **{{tier|新等级}}** 会员，当前积分 {{points|0}}，"
    "解锁了更多权益。\n\n[查看权益](https://example.com/benefits)" },
  { N_("Feedback request"), "English", "One question about {{last_product|the course}}",
    "Hi {{first_name|there}},\n\nWhat is one thing that would make {{last_product|the course}} better for you? "
    "Just reply to this email; I read every answer." },
  { N_("Feedback request"), "中文", "想听听你对《{{last_product|课程}}》的意见",
    "{{first_name|你}}好：\n\n关于《{{last_product|课程}}》，有什么地方可以做得更好？直接回复这封邮件告诉我就好，每条我都会认真看。" },
};

struct _CtCampaignAssistant
{
  AdwWindow      parent_instance;

  CtContext     *context;
  guint          step;
  GStrv          tags;           /* the audience choices after "everyone" */
  guint          n_tags;
  GArray        *segment_ids;    /* then the saved segments' */
  GArray        *preview_ids;    /* contact ids in the preview drop-down */
  char          *count_text;
  char          *warnings_text;
  GCancellable  *test_cancellable;

  GtkLabel      *step_label;
  GtkStack      *stack;
  GtkLabel      *error_label;
  GtkWidget     *back_button;
  GtkWidget     *next_button;

  GtkDropDown   *audience_drop;
  GtkLabel      *count_label;

  GtkEntry      *name_entry;
  GtkEntry      *subject_entry;
  GtkEntry      *preheader_entry;
  GtkCheckButton *ab_check;
  GtkWidget     *ab_box;
  GtkEntry      *subject_b_entry;
  GtkSpinButton *ab_share_spin;
  GtkDropDown   *ab_metric_drop;
  GtkSpinButton *ab_wait_spin;
  GtkDropDown   *template_drop;
  GtkDropDown   *field_drop;
  GtkTextView   *body_view;

  GtkDropDown   *contact_drop;
  GtkLabel      *warnings_label;
  GtkLabel      *preview_subject;
  GtkLabel      *preview_preheader;
  GtkTextView   *html_view;
  GtkTextView   *text_view;

  GtkLabel      *test_label;
  GtkCheckButton *now_check;
  GtkCheckButton *later_check;
  GtkEntry      *when_entry;
};

G_DEFINE_FINAL_TYPE (CtCampaignAssistant, ct_campaign_assistant, ADW_TYPE_WINDOW)

enum { SIGNAL_CREATED, N_SIGNALS };
static guint signals[N_SIGNALS];

static CtDb *
get_db (CtCampaignAssistant *self)
{
  return ct_context_get_db (self->context);
}

static void
set_error (CtCampaignAssistant *self,
           const char          *message)
{
  /* Always in place (empty when all is well): it pushes the buttons to
   * the right. */
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
}

static char *
get_body (CtCampaignAssistant *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

char *
ct_campaign_assistant_get_subject (CtCampaignAssistant *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->subject_entry))));
}

static char *
get_preheader (CtCampaignAssistant *self)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->preheader_entry))));
}

/* Subject B when an A/B test is asked for, else NULL. */
static char *
get_subject_b (CtCampaignAssistant *self)
{
  if (!gtk_check_button_get_active (self->ab_check))
    return NULL;
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->subject_b_entry))));
}

/* ---- audience ---- */

static char *
audience_json (CtCampaignAssistant *self)
{
  guint i = gtk_drop_down_get_selected (self->audience_drop);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  if (i != GTK_INVALID_LIST_POSITION && i >= 1 && i <= self->n_tags)
    {
      json_builder_set_member_name (builder, "tag");
      json_builder_add_string_value (builder, self->tags[i - 1]);
    }
  else if (i != GTK_INVALID_LIST_POSITION && i > self->n_tags && i - 1 - self->n_tags < self->segment_ids->len)
    {
      json_builder_set_member_name (builder, "segment");
      json_builder_add_int_value (builder, g_array_index (self->segment_ids, gint64, i - 1 - self->n_tags));
    }
  else
    {
      json_builder_set_member_name (builder, "all");
      json_builder_add_boolean_value (builder, TRUE);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static void
update_count (CtCampaignAssistant *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *audience = audience_json (self);
  gint64 in = 0, out = 0;

  g_free (self->count_text);
  if (!ct_campaign_count_audience (get_db (self), audience, &in, &out, &error))
    self->count_text = g_strdup (error->message);
  else
    {
      g_autofree char *a = g_strdup_printf (ngettext ("%lld contact will receive it.",
                                                      "%lld contacts will receive it.", in), (long long) in);
      g_autofree char *b = g_strdup_printf (ngettext ("%lld is left out: unsubscribed, bounced or suppressed.",
                                                      "%lld are left out: unsubscribed, bounced or suppressed.", out),
                                            (long long) out);
      self->count_text = g_strdup_printf ("%s\n%s", a, b);
    }
  gtk_label_set_text (self->count_label, self->count_text);
}

static void
load_preview_contacts (CtCampaignAssistant *self);

static void
on_audience_changed (CtCampaignAssistant *self)
{
  update_count (self);
  load_preview_contacts (self);
}

/* ---- content ---- */

static void
on_use_template (CtCampaignAssistant *self)
{
  guint i = gtk_drop_down_get_selected (self->template_drop);

  if (i < G_N_ELEMENTS (gallery))
    ct_campaign_assistant_use_template (self, i);
}

static void
on_insert_field (CtCampaignAssistant *self)
{
  guint i = gtk_drop_down_get_selected (self->field_drop);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->body_view);
  g_autofree char *text = NULL;

  if (i >= CT_MAIL_N_FIELDS)
    return;
  text = g_strdup_printf ("{{%s}}", ct_mail_field_name (i));
  gtk_text_buffer_insert_at_cursor (buffer, text, -1);
  gtk_widget_grab_focus (GTK_WIDGET (self->body_view));
}

/* ---- preview ---- */

static void
load_preview_contacts (CtCampaignAssistant *self)
{
  g_autofree char *audience = audience_json (self);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autoptr(GHashTable) members = NULL;
  const char *tag = NULL;

  if (json_parser_load_from_data (parser, audience, -1, NULL))
    tag = json_object_get_string_member_with_default (json_node_get_object (json_parser_get_root (parser)),
                                                      "tag", NULL);
  g_array_set_size (self->preview_ids, 0);
  ct_outbox_audience_members (get_db (self), audience, &members, NULL);
  /* People of the audience, by name: enough to find one with a name
   * and one without. Only those the mail would go to (as
   * ct_outbox_launch() picks them): previewing it as someone
   * unsubscribed or suppressed would show a mail nobody gets. */
  stmt = ct_db_prepare (get_db (self),
    "SELECT c.id, trim(coalesce(c.first_name,'') || ' ' || coalesce(c.last_name,'')), c.email"
    " FROM contacts c WHERE c.email IS NOT NULL AND trim(c.email) != ''"
    " AND c.status = 'subscribed' AND trim(c.email) LIKE '%_@_%'"
    " AND NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.email = c.email)"
    " AND (?1 IS NULL OR c.id IN (SELECT ct.contact_id FROM contact_tags ct"
    "                             JOIN tags t ON t.id = ct.tag_id WHERE t.name = ?1))"
    " ORDER BY c.id", NULL);
  if (stmt != NULL)
    {
      if (tag != NULL)
        sqlite3_bind_text (stmt, 1, tag, -1, SQLITE_TRANSIENT);
      while (self->preview_ids->len < 200 && sqlite3_step (stmt) == SQLITE_ROW)
        {
          gint64 id = sqlite3_column_int64 (stmt, 0);
          const char *name = (const char *) sqlite3_column_text (stmt, 1);
          const char *email = (const char *) sqlite3_column_text (stmt, 2);
          g_autofree char *item = NULL;

          if (members != NULL && !g_hash_table_contains (members, &id))
            continue;
          item = name != NULL && *name != '\0' ? g_strdup_printf ("%s <%s>", name, email) : g_strdup (email);

          g_array_append_val (self->preview_ids, id);
          gtk_string_list_append (names, item);
        }
    }
  gtk_drop_down_set_model (self->contact_drop, G_LIST_MODEL (names));
}

guint
ct_campaign_assistant_get_n_preview_contacts (CtCampaignAssistant *self)
{
  g_return_val_if_fail (CT_IS_CAMPAIGN_ASSISTANT (self), 0);

  return self->preview_ids->len;
}

/* HTML as a mail app without images would show it: paragraphs and
 * line breaks kept, list items with bullets, links with their address,
 * entities decoded. The HTML is cmark's and our footer's, so tags are
 * well formed. */
static char *
html_to_text (const char *html)
{
  GString *out = g_string_new (NULL);
  const char *p = html;

  while (*p != '\0')
    {
      if (*p == '<')
        {
          const char *end = strchr (p, '>');
          g_autofree char *tag = NULL;

          if (end == NULL)
            break;
          tag = g_ascii_strdown (p + 1, end - p - 1);
          /* The hidden preview text: the preview shows it apart, as an
           * inbox does, not in the body. */
          if (g_str_has_prefix (tag, "span class=\"preheader\""))
            {
              const char *close = strstr (end, "</span>");

              p = close != NULL ? close + strlen ("</span>") : end + 1;
              if (*p == '\n')
                p++;
              continue;
            }
          if (g_str_has_prefix (tag, "li"))
            g_string_append (out, "  • ");
          else if (g_str_has_prefix (tag, "br"))
            g_string_append_c (out, '\n');
          else if (g_str_equal (tag, "/p") || g_str_equal (tag, "/li") || g_str_equal (tag, "/ul")
                   || g_str_equal (tag, "/ol") || (tag[0] == '/' && tag[1] == 'h' && g_ascii_isdigit (tag[2])))
            g_string_append_c (out, '\n');
          else if (g_str_has_prefix (tag, "hr"))
            g_string_append (out, "\n――――――――\n");
          else if (g_str_equal (tag, "/a"))
            {
              /* Look back for the opening tag's address. */
              const char *open = g_strrstr_len (html, p - html, "<a href=\"");

              if (open != NULL)
                {
                  const char *start = open + 9;
                  const char *stop = strchr (start, '"');

                  if (stop != NULL)
                    {
                      g_autofree char *url = g_strndup (start, stop - start);
                      g_string_append_printf (out, " <%s>", url);
                    }
                }
            }
          p = end + 1;
        }
      else if (*p == '&')
        {
          static const struct { const char *entity, *text; } entities[] = {
            { "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" }, { "&quot;", "\"" }, { "&#39;", "'" },
          };
          gboolean found = FALSE;

          for (guint i = 0; i < G_N_ELEMENTS (entities); i++)
            if (g_str_has_prefix (p, entities[i].entity))
              {
                g_string_append (out, entities[i].text);
                p += strlen (entities[i].entity);
                found = TRUE;
                break;
              }
          if (!found)
            g_string_append_c (out, *p++);
        }
      else
        g_string_append_c (out, *p++);
    }
  return g_string_free (out, FALSE);
}

static void
add_missing_fields (GPtrArray           *warnings,
                    const char          *source,
                    const char * const  *values)
{
  for (guint f = 0; f < CT_MAIL_N_FIELDS; f++)
    {
      g_autofree char *bare = g_strdup_printf ("{{%s}}", ct_mail_field_name (f));

      if (f == CT_MAIL_FIELD_UNSUBSCRIBE_URL)
        continue;
      /* A field with a default ("{{first_name|there}}") never shows
       * empty; a bare one does for a contact without the value. */
      if (strstr (source, bare) != NULL && (values[f] == NULL || *values[f] == '\0'))
        g_ptr_array_add (warnings,
                         g_strdup_printf (_("This contact has no value for {{%s}}: the mail shows nothing there. Give it a default, as in {{%s|friend}}."),
                                          ct_mail_field_name (f), ct_mail_field_name (f)));
    }
}

void
ct_campaign_assistant_preview_as (CtCampaignAssistant *self,
                                  gint64               contact_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtMailSettings) settings = ct_mail_settings_load (get_db (self), NULL);
  g_autoptr(CtMailContent) content = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GPtrArray) spam = NULL;
  g_autofree char *subject = ct_campaign_assistant_get_subject (self);
  g_autofree char *preheader = get_preheader (self);
  g_autofree char *subject_b = get_subject_b (self);
  g_autofree char *body = get_body (self);
  g_autofree char *both = NULL;
  char *values[CT_MAIL_N_FIELDS] = { NULL };
  const char *postal = settings != NULL && settings->postal_address != NULL ? settings->postal_address : "";

  warnings = g_ptr_array_new_with_free_func (g_free);
  if (contact_id > 0 && !ct_outbox_contact_values (get_db (self), contact_id, values, &error))
    {
      set_error (self, error->message);
      g_clear_error (&error);
    }
  if (settings != NULL && settings->unsubscribe_url != NULL && *settings->unsubscribe_url != '\0')
    values[CT_MAIL_FIELD_UNSUBSCRIBE_URL] = g_strdup (settings->unsubscribe_url);
  else
    {
      g_autofree char *address = settings != NULL && settings->from != NULL
                                 ? ct_mail_address_of (settings->from) : NULL;

      values[CT_MAIL_FIELD_UNSUBSCRIBE_URL] = g_strdup_printf ("mailto:%s?subject=unsubscribe",
                                                               address != NULL ? address : "");
      g_ptr_array_add (warnings, g_strdup (_("No unsubscribe page is set in Preferences: the unsubscribe link opens a mail to you, and you must unsubscribe people by hand.")));
    }
  if (*postal == '\0')
    g_ptr_array_add (warnings, g_strdup (_("No postal address is set in Preferences: marketing mail must show one, and it will not be sent without it.")));
  if (settings == NULL || settings->from == NULL || *settings->from == '\0')
    g_ptr_array_add (warnings, g_strdup (_("No sender address is set in Preferences.")));

  both = g_strconcat (subject, "\n", preheader, "\n", subject_b != NULL ? subject_b : "", "\n", body, NULL);
  add_missing_fields (warnings, both, (const char * const *) values);
  spam = ct_campaign_check_subject (subject);
  for (guint i = 0; i < spam->len; i++)
    g_ptr_array_add (warnings, g_strdup (g_ptr_array_index (spam, i)));
  if (subject_b != NULL && *subject_b != '\0')
    {
      g_autoptr(GPtrArray) spam_b = ct_campaign_check_subject (subject_b);

      for (guint i = 0; i < spam_b->len; i++)
        /* Translators: a spam finding about the A/B test's second subject line */
        g_ptr_array_add (warnings, g_strdup_printf (_("Subject B: %s"), (const char *) g_ptr_array_index (spam_b, i)));
    }
  /* Inbox apps show about a phone line's worth after the subject. */
  if (g_utf8_strlen (preheader, -1) > 110)
    g_ptr_array_add (warnings, g_strdup (_("The preheader is long: inbox apps show only its first 90 to 110 characters.")));

  content = ct_mail_content_new_full (*subject != '\0' ? subject : " ", preheader, body, postal,
                                      _("Unsubscribe"), &error);
  if (content == NULL)
    {
      g_ptr_array_insert (warnings, 0, g_strdup (error->message));
      gtk_label_set_text (self->preview_subject, "");
      gtk_label_set_text (self->preview_preheader, "");
      gtk_widget_set_visible (GTK_WIDGET (self->preview_preheader), FALSE);
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->html_view), "", -1);
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), "", -1);
    }
  else
    {
      g_autofree char *s = ct_mail_template_render (content->subject, (const char * const *) values);
      g_autofree char *html = ct_mail_template_render (content->html, (const char * const *) values);
      g_autofree char *text = ct_mail_template_render (content->text, (const char * const *) values);
      g_autofree char *shown = html_to_text (html);

      /* The document's head and the body's first line break are no part
       * of what a reader sees. */
      g_strchug (shown);
      g_autofree char *subject_line = g_strdup_printf (_("Subject: %s"), s);

      gtk_label_set_text (self->preview_subject, subject_line);
      if (*preheader != '\0')
        {
          g_autoptr(CtMailTemplate) t = ct_mail_template_new (preheader, CT_MAIL_TEMPLATE_TEXT, NULL);
          g_autofree char *p = t != NULL ? ct_mail_template_render (t, (const char * const *) values) : g_strdup (preheader);
          g_autofree char *line = g_strdup_printf (_("Preview text: %s"), p);

          gtk_label_set_text (self->preview_preheader, line);
        }
      gtk_widget_set_visible (GTK_WIDGET (self->preview_preheader), *preheader != '\0');
      if (subject_b != NULL && *subject_b != '\0')
        {
          g_autoptr(CtMailTemplate) t = ct_mail_template_new (subject_b, CT_MAIL_TEMPLATE_TEXT, NULL);
          g_autofree char *b = t != NULL ? ct_mail_template_render (t, (const char * const *) values) : g_strdup (subject_b);
          g_autofree char *lines = g_strdup_printf (_("Subject A: %s\nSubject B: %s"), s, b);

          gtk_label_set_text (self->preview_subject, lines);
        }
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->html_view), shown, -1);
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), text, -1);
    }
  for (guint f = 0; f < CT_MAIL_N_FIELDS; f++)
    g_free (values[f]);

  g_free (self->warnings_text);
  if (warnings->len == 0)
    self->warnings_text = g_strdup ("");
  else
    {
      g_ptr_array_add (warnings, NULL);
      self->warnings_text = g_strjoinv ("\n", (char **) warnings->pdata);
    }
  gtk_label_set_text (self->warnings_label, self->warnings_text);
  gtk_widget_set_visible (GTK_WIDGET (self->warnings_label), *self->warnings_text != '\0');
}

static void
on_contact_changed (CtCampaignAssistant *self)
{
  guint i = gtk_drop_down_get_selected (self->contact_drop);

  if (g_strcmp0 (ct_campaign_assistant_get_step (self), "preview") != 0)
    return;
  ct_campaign_assistant_preview_as (self, i < self->preview_ids->len
                                          ? g_array_index (self->preview_ids, gint64, i) : 0);
}

const char *
ct_campaign_assistant_get_warnings (CtCampaignAssistant *self)
{
  return self->warnings_text != NULL ? self->warnings_text : "";
}

const char *
ct_campaign_assistant_get_preview_text (CtCampaignAssistant *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GtkTextIter start, end;
  char *text;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  g_object_set_data_full (G_OBJECT (self), "preview-text", text, g_free);
  return text;
}

/* ---- a test to oneself ---- */

typedef struct
{
  CtMailProvider *provider;
  CtMailContent  *content;
  CtMailBatch    *batch;
} TestJob;

static void
test_job_free (TestJob *job)
{
  g_clear_object (&job->provider);
  g_clear_pointer (&job->batch, ct_mail_batch_free);
  g_clear_pointer (&job->content, ct_mail_content_free);
  g_free (job);
}

static void
test_thread (GTask        *task,
             gpointer      source,
             gpointer      data,
             GCancellable *cancellable)
{
  TestJob *job = data;
  g_autoptr(SoupSession) session = ct_mail_provider_new_session (job->provider);
  CtMailResult result = { 0 };
  GError *error = NULL;

  if (!ct_mail_provider_send_batch (job->provider, session, job->batch, &result, cancellable, &error))
    g_task_return_error (task, error);
  else if (result.outcome != CT_MAIL_OUTCOME_SENT)
    {
      g_task_return_new_error (task, CT_MAIL_ERROR, CT_MAIL_ERROR_REFUSED,
                               _("The provider did not accept the test: %s"),
                               result.reason != NULL ? result.reason : _("no reason given"));
    }
  else
    g_task_return_boolean (task, TRUE);
  ct_mail_result_clear (&result);
}

static void
test_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  CtCampaignAssistant *self = CT_CAMPAIGN_ASSISTANT (source);
  g_autoptr(GError) error = NULL;

  if (g_task_propagate_boolean (G_TASK (result), &error))
    {
      const char *to = g_object_get_data (G_OBJECT (result), "to");
      g_autofree char *text = g_strdup_printf (_("A test went to %s."), to);
      gtk_label_set_text (self->test_label, text);
    }
  else
    {
      g_autofree char *text = g_strdup_printf (_("The test was not sent: %s"), error->message);
      gtk_label_set_text (self->test_label, text);
    }
}

static void
on_send_test (CtCampaignAssistant *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtMailSettings) settings = ct_mail_settings_load (get_db (self), &error);
  g_autofree char *subject = ct_campaign_assistant_get_subject (self);
  g_autofree char *body = get_body (self);
  g_autoptr(GTask) task = NULL;
  CtMailRecipient *recipient;
  TestJob *job;
  char *key;
  guint i = gtk_drop_down_get_selected (self->contact_drop);

  if (settings == NULL || !settings->configured || settings->from == NULL || *settings->from == '\0')
    {
      gtk_label_set_text (self->test_label, _("Set up a provider and a sender address in Preferences first."));
      return;
    }
  key = ct_mail_secret_lookup (ct_mail_provider_kind_to_name (settings->kind), ct_db_get_path (get_db (self)), &error);
  if (key == NULL)
    {
      gtk_label_set_text (self->test_label, error != NULL ? error->message
                                                          : _("No API key is stored: enter it in Preferences."));
      return;
    }
  job = g_new0 (TestJob, 1);
  job->provider = ct_mail_settings_new_provider (settings, key);
  ct_mail_secret_free (key);
  {
    g_autofree char *preheader = get_preheader (self);

    job->content = ct_mail_content_new_full (subject, preheader, body,
                                             settings->postal_address != NULL ? settings->postal_address : "",
                                             _("Unsubscribe"), &error);
  }
  if (job->content == NULL)
    {
      gtk_label_set_text (self->test_label, error->message);
      test_job_free (job);
      return;
    }
  /* The test shows the chosen contact's merge values, sent to the
   * sender's own address. */
  recipient = ct_mail_recipient_new ();
  recipient->email = ct_mail_address_of (settings->from);
  if (i < self->preview_ids->len)
    ct_outbox_contact_values (get_db (self), g_array_index (self->preview_ids, gint64, i),
                              recipient->values, NULL);
  g_free (recipient->values[CT_MAIL_FIELD_UNSUBSCRIBE_URL]);
  recipient->values[CT_MAIL_FIELD_UNSUBSCRIBE_URL] = g_strdup_printf ("mailto:%s?subject=unsubscribe", recipient->email);
  job->batch = ct_mail_batch_new ();
  job->batch->content = job->content;
  job->batch->from = g_strdup (settings->from);
  job->batch->reply_to = g_strdup (settings->reply_to);
  job->batch->idempotency_key = g_uuid_string_random ();
  g_ptr_array_add (job->batch->recipients, recipient);

  gtk_label_set_text (self->test_label, _("Sending a test…"));
  task = g_task_new (self, NULL, test_done, NULL);
  g_object_set_data_full (G_OBJECT (task), "to", g_strdup (recipient->email), g_free);
  g_task_set_task_data (task, job, (GDestroyNotify) test_job_free);
  g_task_run_in_thread (task, test_thread);
}

/* ---- steps ---- */

static gboolean
check_step (CtCampaignAssistant  *self,
            GError              **error)
{
  if (self->step == 1)
    {
      g_autofree char *subject = ct_campaign_assistant_get_subject (self);
      g_autofree char *body = get_body (self);
      g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_entry))));
      g_autoptr(CtMailContent) content = NULL;

      if (*name == '\0')
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               _("Give the campaign a name, so you can find it later"));
          return FALSE;
        }
      if (*subject == '\0')
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("Write a subject"));
          return FALSE;
        }
      {
        g_autofree char *preheader = get_preheader (self);

        content = ct_mail_content_new_full (subject, preheader, body, "", "x", error);
        if (content == NULL)
          return FALSE;
      }
      if (gtk_check_button_get_active (self->ab_check))
        {
          g_autofree char *subject_b = get_subject_b (self);
          g_autoptr(CtMailTemplate) b = NULL;

          if (*subject_b == '\0')
            {
              g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                   _("Write subject B for the A/B test, or turn the test off"));
              return FALSE;
            }
          if (g_str_equal (subject_b, subject))
            {
              g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                   _("Subject B is the same as subject A: write another one to test"));
              return FALSE;
            }
          b = ct_mail_template_new (subject_b, CT_MAIL_TEMPLATE_TEXT, error);
          if (b == NULL)
            return FALSE;
        }
    }
  return TRUE;
}

void
ct_campaign_assistant_set_step (CtCampaignAssistant *self,
                                const char          *step)
{
  g_autofree char *title = NULL;
  static const char *titles[] = { N_("Audience"), N_("Content"), N_("Preview"), N_("Send") };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (g_str_equal (steps[i], step))
      self->step = i;
  gtk_stack_set_visible_child_name (self->stack, steps[self->step]);
  /* Translators: "Step 2 of 4: Content" */
  title = g_strdup_printf (_("Step %u of %u: %s"), self->step + 1, (guint) G_N_ELEMENTS (steps),
                           _(titles[self->step]));
  gtk_label_set_text (self->step_label, title);
  gtk_widget_set_sensitive (self->back_button, self->step > 0);
  gtk_button_set_label (GTK_BUTTON (self->next_button),
                        self->step + 1 < G_N_ELEMENTS (steps) ? _("_Next")
                        : gtk_check_button_get_active (self->later_check) ? _("_Schedule") : _("_Send"));
  if (self->step == 0)
    update_count (self);
  if (self->step == 2)
    on_contact_changed (self);
  set_error (self, NULL);
}

const char *
ct_campaign_assistant_get_step (CtCampaignAssistant *self)
{
  return steps[self->step];
}

static gboolean
parse_when (const char *text,
            gint64     *out)
{
  int y, mo, d, h, mi;
  g_autoptr(GDateTime) dt = NULL;

  if (sscanf (text, "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi) != 5)
    return FALSE;
  dt = g_date_time_new_local (y, mo, d, h, mi, 0);
  if (dt == NULL)
    return FALSE;
  *out = g_date_time_to_unix (dt);
  return TRUE;
}

/* A campaign half made (no preheader, no test) must not be left behind
 * as a draft someone could send: it goes, with its variant if the test
 * was made. */
static void
discard_campaign (CtDb   *db,
                  gint64  id)
{
  g_autoptr(sqlite3_stmt) variant = NULL;
  g_autoptr(sqlite3_stmt) drop = NULL;
  gint64 variant_id = 0;

  if (id == 0)
    return;
  variant = ct_db_prepare (db, "SELECT variant_id FROM ab_tests WHERE campaign_id = ?1", NULL);
  drop = ct_db_prepare (db, "DELETE FROM campaigns WHERE id = ?1", NULL);
  if (variant == NULL || drop == NULL)
    return;
  sqlite3_bind_int64 (variant, 1, id);
  if (sqlite3_step (variant) == SQLITE_ROW)
    variant_id = sqlite3_column_int64 (variant, 0);
  sqlite3_bind_int64 (drop, 1, id);
  sqlite3_step (drop);
  if (variant_id != 0)
    {
      sqlite3_reset (drop);
      sqlite3_bind_int64 (drop, 1, variant_id);
      sqlite3_step (drop);
    }
  ct_db_emit_changed (db, "campaigns");
}

gboolean
ct_campaign_assistant_finish (CtCampaignAssistant  *self,
                              gint64                at,
                              GError              **error)
{
  g_autofree char *subject = ct_campaign_assistant_get_subject (self);
  g_autofree char *body = get_body (self);
  g_autofree char *audience = audience_json (self);
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_entry))));
  g_autofree char *preheader = get_preheader (self);
  g_autofree char *subject_b = get_subject_b (self);
  CtDb *db = get_db (self);
  gint64 id;

  id = ct_campaign_create (db, name, subject, body, NULL, audience, error);
  if (id == 0
      || (*preheader != '\0' && !ct_campaign_set_preheader (db, id, preheader, error))
      || (subject_b != NULL
          && !ct_abtest_create (db, id, subject_b,
                                gtk_spin_button_get_value (self->ab_share_spin) / 100.0,
                                gtk_drop_down_get_selected (self->ab_metric_drop) == 1 ? CT_ABTEST_CLICKS
                                                                                        : CT_ABTEST_OPENS,
                                (guint) gtk_spin_button_get_value_as_int (self->ab_wait_spin), error))
      || (at > 0 && !ct_campaign_schedule (db, id, at, error)))
    {
      discard_campaign (db, id);
      return FALSE;
    }
  g_signal_emit (self, signals[SIGNAL_CREATED], 0, id, at == 0);
  gtk_window_destroy (GTK_WINDOW (self));
  return TRUE;
}

static void
on_next (CtCampaignAssistant *self)
{
  g_autoptr(GError) error = NULL;

  if (!check_step (self, &error))
    {
      set_error (self, error->message);
      return;
    }
  if (self->step + 1 < G_N_ELEMENTS (steps))
    {
      ct_campaign_assistant_set_step (self, steps[self->step + 1]);
      return;
    }
  if (gtk_check_button_get_active (self->later_check))
    {
      gint64 at = 0;

      if (!parse_when (gtk_editable_get_text (GTK_EDITABLE (self->when_entry)), &at))
        {
          set_error (self, _("Write the time as YYYY-MM-DD HH:MM, for example 2026-12-24 09:00"));
          return;
        }
      if (at <= g_get_real_time () / G_USEC_PER_SEC)
        {
          set_error (self, _("That time has passed; choose one in the future or “Send now”"));
          return;
        }
      if (!ct_campaign_assistant_finish (self, at, &error))
        set_error (self, error->message);
    }
  else if (!ct_campaign_assistant_finish (self, 0, &error))
    set_error (self, error->message);
}

static void
on_back (CtCampaignAssistant *self)
{
  if (self->step > 0)
    ct_campaign_assistant_set_step (self, steps[self->step - 1]);
}

static void
on_when_toggled (CtCampaignAssistant *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->when_entry), gtk_check_button_get_active (self->later_check));
  if (self->step == 3)
    ct_campaign_assistant_set_step (self, "send");
}

/* ---- building ---- */

static GtkWidget *
page_box (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_margin_end (box, 18);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  return box;
}

static GtkWidget *
caption (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "heading");
  return label;
}

static GtkWidget *
scrolled_text (GtkTextView **out, gboolean editable)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *view = gtk_text_view_new ();

  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), editable);
  gtk_text_view_set_cursor_visible (GTK_TEXT_VIEW (view), editable);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), editable);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 8);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_widget_add_css_class (scrolled, "card");
  *out = GTK_TEXT_VIEW (view);
  return scrolled;
}

static void
build_audience (CtCampaignAssistant *self)
{
  GtkWidget *box = page_box ();
  g_autoptr(GtkStringList) choices = gtk_string_list_new (NULL);
  g_autoptr(GPtrArray) tags = g_ptr_array_new ();
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (get_db (self), "SELECT name FROM tags ORDER BY name COLLATE NOCASE", NULL);
  GtkWidget *label;

  gtk_string_list_append (choices, _("Everyone subscribed"));
  while (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *tag = (const char *) sqlite3_column_text (stmt, 0);
      g_autofree char *item = g_strdup_printf (_("Tagged “%s”"), tag);

      g_ptr_array_add (tags, g_strdup (tag));
      gtk_string_list_append (choices, item);
    }
  self->n_tags = tags->len;
  g_ptr_array_add (tags, NULL);
  self->tags = (GStrv) g_ptr_array_steal (tags, NULL);
  {
    g_autoptr(GPtrArray) segments = ct_segment_list (get_db (self), NULL);

    for (guint i = 0; segments != NULL && i < segments->len; i++)
      {
        CtSegment *segment = g_ptr_array_index (segments, i);
        g_autofree char *item = NULL;

        if (segment->rule == NULL)
          continue;
        item = g_strdup_printf (_("Segment “%s”"), segment->name);
        g_array_append_val (self->segment_ids, segment->id);
        gtk_string_list_append (choices, item);
      }
  }

  gtk_box_append (GTK_BOX (box), caption (_("Who gets this campaign?")));
  self->audience_drop = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (choices)), NULL));
  /* Accessible names: screen readers and the end-to-end test find the
   * assistant's fields by them. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->audience_drop), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Audience"), -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->audience_drop));
  self->count_label = GTK_LABEL (gtk_label_new (""));
  gtk_label_set_xalign (self->count_label, 0);
  gtk_label_set_wrap (self->count_label, TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->count_label));
  label = gtk_label_new (_("A segment is taken as it is when the campaign starts sending: people who join it later do not get this mail."));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (box), label);
  g_signal_connect_swapped (self->audience_drop, "notify::selected", G_CALLBACK (on_audience_changed), self);
  gtk_stack_add_named (self->stack, box, "audience");
}

static void
on_ab_toggled (CtCampaignAssistant *self)
{
  gtk_widget_set_visible (self->ab_box, gtk_check_button_get_active (self->ab_check));
  set_error (self, NULL);
}

/* A complaint about a field goes once the field is edited. */
static void
on_field_edited (CtCampaignAssistant *self)
{
  set_error (self, NULL);
}

/* A row of the A/B grid: the label names the widget for screen readers
 * too (mnemonic widget). */
static void
grid_row (GtkGrid    *grid,
          int         row,
          const char *text,
          GtkWidget  *widget)
{
  GtkWidget *label = gtk_label_new_with_mnemonic (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), widget);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY, label, NULL, -1);
  gtk_widget_set_halign (widget, GTK_ALIGN_START);
  gtk_grid_attach (grid, label, 0, row, 1, 1);
  gtk_grid_attach (grid, widget, 1, row, 1, 1);
}

/* The A/B test of the subject line: off unless asked for. A share of
 * the audience (split in two halves) gets subject A or B; after the
 * wait the better one by opens or clicks goes to the rest. */
static void
build_ab (CtCampaignAssistant *self,
          GtkWidget           *box)
{
  GtkWidget *grid, *hint;
  g_autoptr(GtkStringList) metrics = gtk_string_list_new (NULL);

  self->ab_check = GTK_CHECK_BUTTON (gtk_check_button_new_with_mnemonic (_("_A/B test a second subject line")));
  gtk_widget_set_name (GTK_WIDGET (self->ab_check), "ab-check");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->ab_check));

  self->ab_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_start (self->ab_box, 24);
  self->subject_b_entry = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (self->subject_b_entry, _("Subject B"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->subject_b_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Subject B"), -1);
  gtk_widget_set_name (GTK_WIDGET (self->subject_b_entry), "subject-b-entry");
  gtk_box_append (GTK_BOX (self->ab_box), GTK_WIDGET (self->subject_b_entry));

  grid = gtk_grid_new ();
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  self->ab_share_spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (10, 50, 5));
  gtk_spin_button_set_value (self->ab_share_spin, 20);
  gtk_widget_set_name (GTK_WIDGET (self->ab_share_spin), "ab-share-spin");
  grid_row (GTK_GRID (grid), 0, _("_Share of the audience in the test (%)"), GTK_WIDGET (self->ab_share_spin));
  gtk_string_list_append (metrics, _("Opens"));
  gtk_string_list_append (metrics, _("Clicks"));
  self->ab_metric_drop = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (metrics)), NULL));
  gtk_widget_set_name (GTK_WIDGET (self->ab_metric_drop), "ab-metric-drop");
  grid_row (GTK_GRID (grid), 1, _("Pick the _winner by"), GTK_WIDGET (self->ab_metric_drop));
  self->ab_wait_spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (1, 168, 1));
  gtk_spin_button_set_value (self->ab_wait_spin, 4);
  gtk_widget_set_name (GTK_WIDGET (self->ab_wait_spin), "ab-wait-spin");
  grid_row (GTK_GRID (grid), 2, _("_Hours to wait before picking"), GTK_WIDGET (self->ab_wait_spin));
  gtk_box_append (GTK_BOX (self->ab_box), grid);
  hint = gtk_label_new (_("Half of the test group gets subject A, half subject B. The rest wait, then get the subject that did better."));
  gtk_label_set_xalign (GTK_LABEL (hint), 0);
  gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
  gtk_widget_add_css_class (hint, "dim-label");
  gtk_box_append (GTK_BOX (self->ab_box), hint);
  gtk_widget_set_visible (self->ab_box, FALSE);
  gtk_box_append (GTK_BOX (box), self->ab_box);
  g_signal_connect_swapped (self->ab_check, "toggled", G_CALLBACK (on_ab_toggled), self);
  g_signal_connect_swapped (self->subject_b_entry, "changed", G_CALLBACK (on_field_edited), self);
}

static void
build_content (CtCampaignAssistant *self)
{
  GtkWidget *box = page_box ();
  GtkWidget *row, *button, *label;
  g_autoptr(GtkStringList) templates = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) fields = gtk_string_list_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (gallery); i++)
    {
      g_autofree char *item = g_strdup_printf ("%s (%s)", _(gallery[i].name), gallery[i].lang);
      gtk_string_list_append (templates, item);
    }
  for (guint f = 0; f < CT_MAIL_N_FIELDS; f++)
    gtk_string_list_append (fields, ct_mail_field_name (f));

  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  label = gtk_label_new (_("Start from"));
  gtk_box_append (GTK_BOX (row), label);
  self->template_drop = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (templates)), NULL));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->template_drop), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Template"), -1);
  gtk_widget_set_hexpand (GTK_WIDGET (self->template_drop), TRUE);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->template_drop));
  button = gtk_button_new_with_mnemonic (_("_Use Template"));
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (on_use_template), self);
  gtk_box_append (GTK_BOX (row), button);
  gtk_box_append (GTK_BOX (box), row);

  self->name_entry = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (self->name_entry, _("Campaign name (only you see it)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->name_entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Campaign name"), -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->name_entry));
  self->subject_entry = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (self->subject_entry, _("Subject"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->subject_entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Subject"), -1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->subject_entry));
  self->preheader_entry = GTK_ENTRY (gtk_entry_new ());
  gtk_entry_set_placeholder_text (self->preheader_entry,
                                  _("Preheader: the preview text inbox apps show after the subject (optional)"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->preheader_entry),
                               _("One line that inbox apps show next to the subject, before the mail is opened. Merge fields work here too."));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->preheader_entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Preheader"), -1);
  gtk_widget_set_name (GTK_WIDGET (self->preheader_entry), "preheader-entry");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->preheader_entry));
  g_signal_connect_swapped (self->preheader_entry, "changed", G_CALLBACK (on_field_edited), self);
  build_ab (self, box);

  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  label = gtk_label_new (_("Body, in Markdown"));
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (row), label);
  self->field_drop = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (fields)), NULL));
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->field_drop));
  button = gtk_button_new_with_mnemonic (_("_Insert Field"));
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (on_insert_field), self);
  gtk_box_append (GTK_BOX (row), button);
  gtk_box_append (GTK_BOX (box), row);
  {
    GtkWidget *body = scrolled_text (&self->body_view, TRUE);

    /* Room for a few lines even with the A/B test open. */
    gtk_widget_set_size_request (body, -1, 120);
    gtk_box_append (GTK_BOX (box), body);
  }
  gtk_stack_add_named (self->stack, box, "content");
}

static void
build_preview (CtCampaignAssistant *self)
{
  GtkWidget *box = page_box ();
  GtkWidget *row, *label, *views, *switcher;

  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  label = gtk_label_new (_("Preview as"));
  gtk_box_append (GTK_BOX (row), label);
  self->contact_drop = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->contact_drop), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Preview as"), -1);
  gtk_drop_down_set_enable_search (self->contact_drop, TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self->contact_drop), TRUE);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->contact_drop));
  gtk_box_append (GTK_BOX (box), row);
  g_signal_connect_swapped (self->contact_drop, "notify::selected", G_CALLBACK (on_contact_changed), self);

  self->warnings_label = GTK_LABEL (gtk_label_new (""));
  gtk_label_set_xalign (self->warnings_label, 0);
  gtk_label_set_wrap (self->warnings_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->warnings_label), "warning");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->warnings_label));

  self->preview_subject = GTK_LABEL (gtk_label_new (""));
  gtk_label_set_xalign (self->preview_subject, 0);
  gtk_label_set_wrap (self->preview_subject, TRUE);
  gtk_label_set_selectable (self->preview_subject, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->preview_subject), "heading");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->preview_subject));
  self->preview_preheader = GTK_LABEL (gtk_label_new (""));
  gtk_label_set_xalign (self->preview_preheader, 0);
  gtk_label_set_wrap (self->preview_preheader, TRUE);
  gtk_label_set_selectable (self->preview_preheader, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->preview_preheader), "dim-label");
  gtk_widget_set_visible (GTK_WIDGET (self->preview_preheader), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->preview_preheader));

  views = gtk_stack_new ();
  gtk_stack_add_titled (GTK_STACK (views), scrolled_text (&self->html_view, FALSE), "html", _("As HTML mail"));
  gtk_stack_add_titled (GTK_STACK (views), scrolled_text (&self->text_view, FALSE), "text", _("Plain text"));
  switcher = gtk_stack_switcher_new ();
  gtk_stack_switcher_set_stack (GTK_STACK_SWITCHER (switcher), GTK_STACK (views));
  gtk_widget_set_halign (switcher, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (box), switcher);
  gtk_box_append (GTK_BOX (box), views);
  gtk_stack_add_named (self->stack, box, "preview");
}

static void
build_send (CtCampaignAssistant *self)
{
  GtkWidget *box = page_box ();
  GtkWidget *button, *row;
  g_autoptr(GDateTime) tomorrow = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *when = NULL;

  gtk_box_append (GTK_BOX (box), caption (_("Check it in your own inbox first")));
  button = gtk_button_new_with_mnemonic (_("Send a _Test to Me"));
  gtk_widget_set_halign (button, GTK_ALIGN_START);
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (on_send_test), self);
  gtk_box_append (GTK_BOX (box), button);
  self->test_label = GTK_LABEL (gtk_label_new (""));
  gtk_label_set_xalign (self->test_label, 0);
  gtk_label_set_wrap (self->test_label, TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->test_label));

  gtk_box_append (GTK_BOX (box), caption (C_("campaign", "When to send")));
  self->now_check = GTK_CHECK_BUTTON (gtk_check_button_new_with_mnemonic (_("Send _now")));
  gtk_check_button_set_active (self->now_check, TRUE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->now_check));
  row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->later_check = GTK_CHECK_BUTTON (gtk_check_button_new_with_mnemonic (_("Send _at")));
  gtk_check_button_set_group (self->later_check, self->now_check);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->later_check));
  self->when_entry = GTK_ENTRY (gtk_entry_new ());
  tomorrow = g_date_time_add_days (now, 1);
  when = g_date_time_format (tomorrow, "%Y-%m-%d 09:00");
  gtk_editable_set_text (GTK_EDITABLE (self->when_entry), when);
  gtk_widget_set_sensitive (GTK_WIDGET (self->when_entry), FALSE);
  gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->when_entry));
  gtk_box_append (GTK_BOX (box), row);
  g_signal_connect_swapped (self->later_check, "toggled", G_CALLBACK (on_when_toggled), self);
  gtk_stack_add_named (self->stack, box, "send");
}

/* ---- API for tests ---- */

void
ct_campaign_assistant_set_audience_tag (CtCampaignAssistant *self,
                                        const char          *tag)
{
  guint pos = 0;

  for (guint i = 0; tag != NULL && *tag != '\0' && self->tags[i] != NULL; i++)
    if (g_str_equal (self->tags[i], tag))
      pos = i + 1;
  gtk_drop_down_set_selected (self->audience_drop, pos);
  update_count (self);
}

void
ct_campaign_assistant_set_audience_segment (CtCampaignAssistant *self,
                                            gint64               segment_id)
{
  for (guint i = 0; i < self->segment_ids->len; i++)
    if (g_array_index (self->segment_ids, gint64, i) == segment_id)
      gtk_drop_down_set_selected (self->audience_drop, 1 + self->n_tags + i);
  update_count (self);
}

const char *
ct_campaign_assistant_get_count_text (CtCampaignAssistant *self)
{
  return self->count_text != NULL ? self->count_text : "";
}

void
ct_campaign_assistant_set_content (CtCampaignAssistant *self,
                                   const char          *name,
                                   const char          *subject,
                                   const char          *markdown)
{
  if (name != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->name_entry), name);
  if (subject != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->subject_entry), subject);
  if (markdown != NULL)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->body_view), markdown, -1);
}

void
ct_campaign_assistant_set_preheader (CtCampaignAssistant *self,
                                     const char          *preheader)
{
  gtk_editable_set_text (GTK_EDITABLE (self->preheader_entry), preheader != NULL ? preheader : "");
}

void
ct_campaign_assistant_set_ab_test (CtCampaignAssistant *self,
                                   const char          *subject_b,
                                   guint                share_percent,
                                   const char          *metric,
                                   guint                wait_hours)
{
  gtk_check_button_set_active (self->ab_check, subject_b != NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->subject_b_entry), subject_b != NULL ? subject_b : "");
  gtk_spin_button_set_value (self->ab_share_spin, share_percent);
  gtk_drop_down_set_selected (self->ab_metric_drop, g_strcmp0 (metric, "clicks") == 0 ? 1 : 0);
  gtk_spin_button_set_value (self->ab_wait_spin, wait_hours);
}

char *
ct_campaign_assistant_dup_audience (CtCampaignAssistant *self)
{
  return audience_json (self);
}

const char *
ct_campaign_assistant_get_preview_preheader (CtCampaignAssistant *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->preview_preheader))
         ? gtk_label_get_text (self->preview_preheader) : "";
}

guint
ct_campaign_assistant_get_n_templates (void)
{
  return G_N_ELEMENTS (gallery);
}

void
ct_campaign_assistant_use_template (CtCampaignAssistant *self,
                                    guint                index)
{
  g_return_if_fail (index < G_N_ELEMENTS (gallery));
  set_error (self, NULL);
  gtk_drop_down_set_selected (self->template_drop, index);
  ct_campaign_assistant_set_content (self, NULL, gallery[index].subject, gallery[index].body);
  if (*gtk_editable_get_text (GTK_EDITABLE (self->name_entry)) == '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->name_entry), _(gallery[index].name));
}

/* ---- GObject ---- */

static void
ct_campaign_assistant_dispose (GObject *object)
{
  CtCampaignAssistant *self = CT_CAMPAIGN_ASSISTANT (object);

  g_clear_object (&self->context);
  G_OBJECT_CLASS (ct_campaign_assistant_parent_class)->dispose (object);
}

static void
ct_campaign_assistant_finalize (GObject *object)
{
  CtCampaignAssistant *self = CT_CAMPAIGN_ASSISTANT (object);

  g_strfreev (self->tags);
  g_array_unref (self->preview_ids);
  g_array_unref (self->segment_ids);
  g_free (self->count_text);
  g_free (self->warnings_text);
  G_OBJECT_CLASS (ct_campaign_assistant_parent_class)->finalize (object);
}

static void
ct_campaign_assistant_class_init (CtCampaignAssistantClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ct_campaign_assistant_dispose;
  object_class->finalize = ct_campaign_assistant_finalize;
  signals[SIGNAL_CREATED] =
    g_signal_new ("created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_BOOLEAN);
}

static void
ct_campaign_assistant_init (CtCampaignAssistant *self)
{
  self->preview_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->segment_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
}

CtCampaignAssistant *
ct_campaign_assistant_new (CtContext *context,
                           GtkWindow *parent)
{
  CtCampaignAssistant *self = g_object_new (CT_TYPE_CAMPAIGN_ASSISTANT,
                                            "title", _("New Campaign"),
                                            "modal", TRUE,
                                            "transient-for", parent,
                                            "default-width", 720,
                                            "default-height", 720,
                                            NULL);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *bottom = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  self->context = g_object_ref (context);
  self->step_label = GTK_LABEL (gtk_label_new (""));
  gtk_widget_add_css_class (GTK_WIDGET (self->step_label), "title");
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (self->step_label));
  gtk_box_append (GTK_BOX (box), header);

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_set_transition_type (self->stack, GTK_STACK_TRANSITION_TYPE_NONE);
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
  build_audience (self);
  build_content (self);
  build_preview (self);
  build_send (self);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stack));

  self->error_label = GTK_LABEL (gtk_label_new (""));
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_xalign (self->error_label, 0);
  gtk_widget_set_hexpand (GTK_WIDGET (self->error_label), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_box_append (GTK_BOX (bottom), GTK_WIDGET (self->error_label));
  self->back_button = gtk_button_new_with_mnemonic (_("_Back"));
  g_signal_connect_swapped (self->back_button, "clicked", G_CALLBACK (on_back), self);
  gtk_box_append (GTK_BOX (bottom), self->back_button);
  self->next_button = gtk_button_new_with_mnemonic (_("_Next"));
  gtk_widget_add_css_class (self->next_button, "suggested-action");
  g_signal_connect_swapped (self->next_button, "clicked", G_CALLBACK (on_next), self);
  gtk_box_append (GTK_BOX (bottom), self->next_button);
  gtk_widget_set_margin_start (bottom, 18);
  gtk_widget_set_margin_end (bottom, 18);
  gtk_widget_set_margin_top (bottom, 6);
  gtk_widget_set_margin_bottom (bottom, 12);
  gtk_box_append (GTK_BOX (box), bottom);
  adw_window_set_content (ADW_WINDOW (self), box);

  load_preview_contacts (self);
  ct_campaign_assistant_set_step (self, "audience");
  return self;
}
