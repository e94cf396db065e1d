/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-mail-providers.c: Postmark, SendGrid, Mailgun, Brevo and Resend
 *
 * Each provider's request and answer as ../shared/provider-contracts.md
 * gives them, in its largest batch:
 *
 *   Postmark  POST /email/batch, ≤500 messages, one per recipient, on a
 *             message stream ("broadcast" by default, where Postmark adds
 *             the one-click unsubscribe headers itself); 200 with one
 *             result per message, each with its ErrorCode.
 *   SendGrid  POST /v3/mail/send, ≤1000 personalizations; the merge
 *             fields are substitutions, so the body goes once; 202 and
 *             the id in X-Message-Id.
 *   Mailgun   POST /v3/{domain}/messages, multipart, ≤1000 recipients with
 *             recipient-variables for the merge fields; one id.
 *   Brevo     POST /v3/smtp/email with messageVersions, ≤2000 recipients,
 *             and the idempotency key in the body's headers; one id per
 *             version.
 *   Resend    POST /emails/batch, ≤100 emails, Idempotency-Key header,
 *             permissive validation so that one bad address does not
 *             refuse the other 99.
 *
 * Where the contract says a shape is unverified, both plausible shapes
 * are read (Resend's permissive answer, Brevo's messageId/messageIds and
 * its duplicate-key answer).
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-mail-provider.h"

const char *ct_mail_provider_get_api_key (CtMailProvider *self);

/* ---- a JSON writer ------------------------------------------------------
 *
 * The request bodies are written straight into one buffer: a 2,000
 * message batch through JsonBuilder and JsonGenerator made a node per
 * value, copied every rendered body twice and freed it all again, which
 * was most of a worker's time. The calls mirror JsonBuilder's. */

typedef struct
{
  GString *out;
  guint    depth;
  gboolean first[32];    /* no value yet at this depth */
  gboolean after_name;   /* a member name waits for its value */
} CtJsonWriter;

static CtJsonWriter *
jw_new (void)
{
  CtJsonWriter *w = g_new0 (CtJsonWriter, 1);

  w->out = g_string_sized_new (4096);
  w->first[0] = TRUE;
  return w;
}

static void
jw_free (CtJsonWriter *w)
{
  if (w == NULL)
    return;
  g_string_free (w->out, TRUE);
  g_free (w);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtJsonWriter, jw_free)

static void
jw_separate (CtJsonWriter *w)
{
  if (w->after_name)
    w->after_name = FALSE;
  else if (!w->first[w->depth])
    g_string_append_c (w->out, ',');
  w->first[w->depth] = FALSE;
}

/* A JSON string: quotes, backslashes and control characters escaped,
 * the rest (UTF-8 included) copied in runs. */
static void
jw_append_quoted (GString    *out,
                  const char *text)
{
  g_string_append_c (out, '"');
  ct_mail_json_escape_append (out, text, -1);
  g_string_append_c (out, '"');
}

static void
jw_open (CtJsonWriter *w,
         char          c)
{
  jw_separate (w);
  g_string_append_c (w->out, c);
  g_assert (w->depth + 1 < G_N_ELEMENTS (w->first));
  w->first[++w->depth] = TRUE;
}

static void
jw_close (CtJsonWriter *w,
          char          c)
{
  g_string_append_c (w->out, c);
  w->depth--;
}

#define jw_begin_object(w) jw_open ((w), '{')
#define jw_end_object(w) jw_close ((w), '}')
#define jw_begin_array(w) jw_open ((w), '[')
#define jw_end_array(w) jw_close ((w), ']')

static void
jw_set_member_name (CtJsonWriter *w,
                    const char   *name)
{
  jw_separate (w);
  jw_append_quoted (w->out, name);
  g_string_append_c (w->out, ':');
  w->after_name = TRUE;
}

static void
jw_add_string_value (CtJsonWriter *w,
                     const char   *value)
{
  jw_separate (w);
  if (value == NULL)
    g_string_append (w->out, "null");
  else
    jw_append_quoted (w->out, value);
}

/* @template rendered for @values as a string value, written straight
 * into the body: its literal runs were quoted for JSON once, when the
 * campaign was compiled, and only the values are escaped here. The
 * same bytes as jw_add_string_value() of ct_mail_template_render(). */
static void
jw_add_rendered (CtJsonWriter         *w,
                 const CtMailTemplate *template,
                 const char * const   *values)
{
  jw_separate (w);
  g_string_append_c (w->out, '"');
  ct_mail_template_render_json (template, values, w->out);
  g_string_append_c (w->out, '"');
}

static void
add_rendered (CtJsonWriter         *w,
              const char           *name,
              const CtMailTemplate *template,
              const char * const   *values)
{
  jw_set_member_name (w, name);
  jw_add_rendered (w, template, values);
}

/* @text quoted for JSON (NULL: null), for a value written into every
 * message of a request: quoted once, copied after.
 * Returns: (transfer full) */
static char *
jw_quote (const char *text)
{
  GString *out;

  if (text == NULL)
    return g_strdup ("null");
  out = g_string_new (NULL);
  jw_append_quoted (out, text);
  return g_string_free (out, FALSE);
}

/* A member whose value jw_quote() has quoted already. */
static void
add_quoted (CtJsonWriter *w,
            const char   *name,
            const char   *quoted)
{
  jw_set_member_name (w, name);
  jw_separate (w);
  g_string_append (w->out, quoted);
}

/* The text written so far. Returns: (transfer full) */
static char *
jw_steal (CtJsonWriter *w,
          gsize        *length)
{
  char *text;

  *length = w->out->len;
  text = g_string_free (w->out, FALSE);
  w->out = g_string_new (NULL);
  return text;
}

static void
jw_set_body (SoupMessage  *msg,
             CtJsonWriter *w)
{
  gsize length;
  char *text = jw_steal (w, &length);

  soup_message_set_request_body_from_bytes (msg, "application/json",
                                            g_bytes_new_take (text, length));
}

/* ---- shared helpers ---------------------------------------------------- */

static JsonNode *
parse_json (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize size = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &size) : NULL;

  if (data == NULL || size == 0
      || !json_parser_load_from_data (parser, data, size, NULL)
      || json_parser_get_root (parser) == NULL)
    return NULL;
  return json_node_ref (json_parser_get_root (parser));
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, name)) == NULL
      || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

static gint64
member_int (JsonObject *object,
            const char *name,
            gint64      fallback)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, name)) == NULL
      || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return (gint64) json_node_get_double (node);
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_ascii_strtoll (json_node_get_string (node), NULL, 10);
  return fallback;
}

static JsonArray *
member_array (JsonObject *object,
              const char *name)
{
  JsonNode *node;

  if (object == NULL || (node = json_object_get_member (object, name)) == NULL
      || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  return json_node_get_array (node);
}

static JsonObject *
element_object (JsonArray *array,
                guint      i)
{
  JsonNode *node = json_array_get_element (array, i);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* A 2xx whose answer cannot be read: the provider took the request, so
 * each recipient may have been sent. */
static gboolean
unreadable_answer (CtMailProvider    *self,
                   const CtMailBatch *batch,
                   CtMailResult      *results)
{
  CtMailOutcome outcome = ct_mail_provider_is_idempotent (self)
                          ? CT_MAIL_OUTCOME_RETRY_SAME : CT_MAIL_OUTCOME_UNKNOWN;

  for (guint i = 0; i < batch->recipients->len; i++)
    {
      ct_mail_result_clear (&results[i]);
      results[i].outcome = outcome;
      results[i].reason = g_strdup (_("The provider accepted the request but its answer could not be read"));
    }
  return TRUE;
}

static gboolean
refuse (CtMailProvider  *self,
        SoupMessage     *msg,
        GBytes          *body,
        GError         **error)
{
  g_autofree char *text = ct_mail_provider_error_text (self, body);

  g_set_error (error, CT_MAIL_ERROR, CT_MAIL_ERROR_REFUSED,
               _("%s refused the request (HTTP %u): %s"),
               ct_mail_provider_kind_display_name (ct_mail_provider_get_kind (self)),
               soup_message_get_status (msg), text);
  return FALSE;
}

/* "Name" <a@b>, quoted so that commas and quotes in names are safe. */
static char *
mailbox (const char *name,
         const char *email)
{
  GString *out;

  if (name == NULL || *name == '\0')
    return g_strdup (email);
  out = g_string_new ("\"");
  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      if (*p != '\r' && *p != '\n')
        g_string_append_c (out, *p);
    }
  g_string_append_printf (out, "\" <%s>", email);
  return g_string_free (out, FALSE);
}

/* The display name of "Name <a@b>", or NULL. */
static char *
name_of (const char *from)
{
  const char *open = strrchr (from, '<');
  char *name;

  if (open == NULL || open == from)
    return NULL;
  name = g_strndup (from, open - from);
  g_strstrip (name);
  if (name[0] == '"' && strlen (name) >= 2 && name[strlen (name) - 1] == '"')
    {
      char *inner = g_strndup (name + 1, strlen (name) - 2);
      g_free (name);
      name = inner;
    }
  if (*name == '\0')
    g_clear_pointer (&name, g_free);
  return name;
}

static void
add_email_object (CtJsonWriter *b,
                  const char  *member,
                  const char  *mailbox_text)
{
  g_autofree char *email = ct_mail_address_of (mailbox_text);
  g_autofree char *name = name_of (mailbox_text);

  if (member != NULL)
    jw_set_member_name (b, member);
  jw_begin_object (b);
  jw_set_member_name (b, "email");
  jw_add_string_value (b, email);
  if (name != NULL)
    {
      jw_set_member_name (b, "name");
      jw_add_string_value (b, name);
    }
  jw_end_object (b);
}

static void
add_string (CtJsonWriter *b,
            const char  *name,
            const char  *value)
{
  jw_set_member_name (b, name);
  jw_add_string_value (b, value);
}

static char *
campaign_tag (const CtMailBatch *batch)
{
  return g_strdup_printf ("campaign-%" G_GINT64_FORMAT, batch->campaign_id);
}

static char *
int_text (gint64 n)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, n);
}

/* @n in decimal in @buf, for the ids written for every recipient
 * (printf's machinery costs more than the rest of the number). */
static const char *
int_text_in (char    buf[24],
             gint64  n)
{
  char *p = buf + 23;
  guint64 u = n < 0 ? -(guint64) n : (guint64) n;

  *p = '\0';
  do
    *--p = '0' + u % 10;
  while ((u /= 10) > 0);
  if (n < 0)
    *--p = '-';
  return p;
}

/* The key of each merge field occurrence of @template, made once per
 * request rather than once per recipient. Returns: (transfer full) */
static GPtrArray *
occurrence_keys (const CtMailTemplate  *template,
                 CtMailPlaceholderFunc  make_key)
{
  guint n = ct_mail_template_n_occurrences (template);
  GPtrArray *keys = g_ptr_array_new_full (n, g_free);

  for (guint k = 0; k < n; k++)
    g_ptr_array_add (keys, make_key (k, NULL));
  return keys;
}

static char *
date_text (gint64 t)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (MAX (t, 0));
  return g_date_time_format (dt, "%Y-%m-%d");
}

static char *
iso_text (gint64 t)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (MAX (t, 0));
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
}

static gboolean
emit (CtMailEventFunc   func,
      gpointer          user_data,
      CtMailEventType   type,
      const char       *email,
      const char       *message_id,
      gint64            at,
      const char       *detail,
      GError          **error)
{
  CtMailEvent event = { type, email, message_id, at, detail };

  if (email == NULL || *email == '\0')
    return TRUE;
  return func (&event, user_data, error);
}

/* ---- Postmark ---------------------------------------------------------- */

typedef struct { CtMailProvider parent; } CtMailPostmark;
typedef struct { CtMailProviderClass parent_class; } CtMailPostmarkClass;
G_DEFINE_TYPE (CtMailPostmark, ct_mail_postmark, CT_TYPE_MAIL_PROVIDER)

static void
postmark_authorize (CtMailProvider *self,
                    SoupMessage    *msg)
{
  soup_message_headers_replace (soup_message_get_request_headers (msg),
                                "X-Postmark-Server-Token",
                                ct_mail_provider_get_api_key (self));
}

/* On a stream other than the transactional "outbound" Postmark manages
 * unsubscribes itself: its link in the body and its own one-click
 * headers, which a message cannot override. */
static gboolean
postmark_manages_unsubscribes (CtMailProvider *self)
{
  return g_strcmp0 (ct_mail_provider_get_stream (self), "outbound") != 0;
}

static const char *
postmark_unsubscribe_placeholder (CtMailProvider *self)
{
  return postmark_manages_unsubscribes (self) ? "{{{ pm:unsubscribe }}}" : NULL;
}

static SoupMessage *
postmark_build_send (CtMailProvider     *self,
                     const CtMailBatch  *batch,
                     GError            **error)
{
  g_autoptr(CtJsonWriter) b = jw_new ();
  g_autofree char *tag = campaign_tag (batch);
  g_autofree char *campaign = int_text (batch->campaign_id);
  /* The same in every message of the request. */
  g_autofree char *from_json = jw_quote (batch->from);
  g_autofree char *stream_json = jw_quote (ct_mail_provider_get_stream (self));
  g_autofree char *tag_json = jw_quote (tag);
  g_autofree char *campaign_json = jw_quote (campaign);
  SoupMessage *msg;

  jw_begin_array (b);
  for (guint i = 0; i < batch->recipients->len; i++)
    {
      const CtMailRecipient *r = g_ptr_array_index (batch->recipients, i);
      const char * const *values = (const char * const *) r->values;
      g_autofree char *to = mailbox (r->name, r->email);
      char contact[24], outbox[24];

      jw_begin_object (b);
      add_quoted (b, "From", from_json);
      add_string (b, "To", to);
      add_rendered (b, "Subject", batch->content->subject, values);
      add_rendered (b, "HtmlBody", batch->content->html, values);
      add_rendered (b, "TextBody", batch->content->text, values);
      if (batch->reply_to != NULL)
        add_string (b, "ReplyTo", batch->reply_to);
      add_quoted (b, "MessageStream", stream_json);
      add_quoted (b, "Tag", tag_json);
      jw_set_member_name (b, "Metadata");
      jw_begin_object (b);
      add_quoted (b, "campaign_id", campaign_json);
      add_string (b, "contact_id", int_text_in (contact, r->contact_id));
      add_string (b, "outbox_id", int_text_in (outbox, r->outbox_id));
      jw_end_object (b);
      if (!postmark_manages_unsubscribes (self))
        {
          g_autofree char *list = ct_mail_batch_list_unsubscribe (batch, r);

          jw_set_member_name (b, "Headers");
          jw_begin_array (b);
          jw_begin_object (b);
          add_string (b, "Name", "List-Unsubscribe");
          add_string (b, "Value", list);
          jw_end_object (b);
          if (r->one_click_url != NULL)
            {
              jw_begin_object (b);
              add_string (b, "Name", "List-Unsubscribe-Post");
              add_string (b, "Value", "List-Unsubscribe=One-Click");
              jw_end_object (b);
            }
          jw_end_array (b);
        }
      jw_end_object (b);
    }
  jw_end_array (b);

  msg = ct_mail_provider_new_message (self, "POST", "/email/batch", error);
  if (msg != NULL)
    jw_set_body (msg, b);
  return msg;
}

static gboolean
postmark_parse_send (CtMailProvider     *self,
                     const CtMailBatch  *batch,
                     SoupMessage        *msg,
                     GBytes             *body,
                     CtMailResult       *results,
                     GError            **error)
{
  g_autoptr(JsonNode) root = parse_json (body);
  guint n = batch->recipients->len;
  JsonArray *array;

  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    return refuse (self, msg, body, error);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    return unreadable_answer (self, batch, results);

  /* One result per message, in the order sent; the batch answers 200
   * even when some messages were refused. */
  array = json_node_get_array (root);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *item = i < json_array_get_length (array) ? element_object (array, i) : NULL;

      ct_mail_result_clear (&results[i]);
      if (item == NULL)
        {
          results[i].outcome = CT_MAIL_OUTCOME_UNKNOWN;
          results[i].reason = g_strdup (_("The provider’s answer has no result for this recipient"));
        }
      else if (member_int (item, "ErrorCode", -1) == 0)
        {
          results[i].outcome = CT_MAIL_OUTCOME_SENT;
          results[i].message_id = g_strdup (member_string (item, "MessageID"));
        }
      else
        {
          g_autofree char *text = g_strdup_printf ("%lld: %s",
                                                   (long long) member_int (item, "ErrorCode", -1),
                                                   member_string (item, "Message") ?: "");

          results[i].outcome = CT_MAIL_OUTCOME_REJECTED;
          results[i].reason = ct_mail_provider_redact (self, text);
        }
    }
  return TRUE;
}

static SoupMessage *
postmark_build_test (CtMailProvider  *self,
                     GError         **error)
{
  return ct_mail_provider_new_message (self, "GET", "/server", error);
}

/* Pages of ?count=500&offset=N until a short page; @list names the array. */
typedef gboolean (*PageItemFunc) (JsonObject *item, gpointer data, GError **error);

static gboolean
postmark_pages (CtMailProvider  *self,
                SoupSession     *session,
                const char      *path_and_query,
                const char      *list,
                PageItemFunc     item_func,
                gpointer         data,
                GCancellable    *cancellable,
                GError         **error)
{
  /* Postmark caps count + offset at 10,000. */
  for (guint offset = 0; offset < 10000; offset += 500)
    {
      g_autofree char *path = g_strdup_printf ("%s%scount=500&offset=%u", path_and_query,
                                               strchr (path_and_query, '?') ? "&" : "?", offset);
      g_autoptr(JsonNode) root = ct_mail_provider_get_json (self, session, path, cancellable, error);
      JsonArray *items;

      if (root == NULL)
        return FALSE;
      items = JSON_NODE_HOLDS_OBJECT (root) ? member_array (json_node_get_object (root), list) : NULL;
      if (items == NULL)
        return TRUE;
      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonObject *item = element_object (items, i);
          if (item != NULL && !item_func (item, data, error))
            return FALSE;
        }
      if (json_array_get_length (items) < 500)
        return TRUE;
    }
  return TRUE;
}

typedef struct
{
  CtMailEventFunc func;
  gpointer user_data;
  CtMailEventType type;
  gint64 since;
} PullData;

static gboolean
postmark_bounce_item (JsonObject *item,
                      gpointer    data,
                      GError    **error)
{
  PullData *pull = data;
  const char *type = member_string (item, "Type");
  CtMailEventType event;

  /* Soft bounces and delays do not stop mail; hard ones and complaints do. */
  if (g_strcmp0 (type, "HardBounce") == 0 || g_strcmp0 (type, "BadEmailAddress") == 0)
    event = CT_MAIL_EVENT_BOUNCED;
  else if (g_strcmp0 (type, "SpamComplaint") == 0)
    event = CT_MAIL_EVENT_COMPLAINED;
  else
    return TRUE;
  return emit (pull->func, pull->user_data, event, member_string (item, "Email"),
               member_string (item, "MessageID"),
               ct_mail_parse_time (member_string (item, "BouncedAt")), type, error);
}

static gboolean
postmark_track_item (JsonObject *item,
                     gpointer    data,
                     GError    **error)
{
  PullData *pull = data;
  gint64 at = ct_mail_parse_time (member_string (item, "ReceivedAt"));

  if (at != 0 && at < pull->since)
    return TRUE;
  return emit (pull->func, pull->user_data, pull->type, member_string (item, "Recipient"),
               member_string (item, "MessageID"), at, NULL, error);
}

static gboolean
postmark_pull (CtMailProvider   *self,
               SoupSession      *session,
               gint64            since,
               CtMailEventFunc   func,
               gpointer          user_data,
               GCancellable     *cancellable,
               GError          **error)
{
  g_autofree char *stream = g_uri_escape_string (ct_mail_provider_get_stream (self), NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/message-streams/%s/suppressions/dump", stream);
  g_autofree char *from = date_text (since);
  g_autofree char *bounces = g_strdup_printf ("/bounces?fromdate=%s", from);
  g_autoptr(JsonNode) root = NULL;
  PullData pull = { func, user_data, 0, since };
  JsonArray *items;

  root = ct_mail_provider_get_json (self, session, path, cancellable, error);
  if (root == NULL)
    return FALSE;
  items = JSON_NODE_HOLDS_OBJECT (root) ? member_array (json_node_get_object (root), "Suppressions") : NULL;
  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      JsonObject *item = element_object (items, i);
      const char *reason = member_string (item, "SuppressionReason");
      CtMailEventType type = g_strcmp0 (reason, "HardBounce") == 0 ? CT_MAIL_EVENT_BOUNCED
                             : g_strcmp0 (reason, "SpamComplaint") == 0 ? CT_MAIL_EVENT_COMPLAINED
                             : CT_MAIL_EVENT_UNSUBSCRIBED;

      if (item != NULL
          && !emit (func, user_data, type, member_string (item, "EmailAddress"), NULL,
                    ct_mail_parse_time (member_string (item, "CreatedAt")), reason, error))
        return FALSE;
    }

  if (!postmark_pages (self, session, bounces, "Bounces", postmark_bounce_item, &pull,
                       cancellable, error))
    return FALSE;
  pull.type = CT_MAIL_EVENT_OPENED;
  if (!postmark_pages (self, session, "/messages/outbound/opens", "Opens",
                       postmark_track_item, &pull, cancellable, error))
    return FALSE;
  pull.type = CT_MAIL_EVENT_CLICKED;
  return postmark_pages (self, session, "/messages/outbound/clicks", "Clicks",
                         postmark_track_item, &pull, cancellable, error);
}

/* Postmark tells deliveries only per message: its delivery webhook
 * needs a public server, which a desktop app is not, and its lists
 * (/messages/outbound, /bounces, opens, clicks) have no delivered event.
 * A message's details do: MessageEvents of Type "Delivered". */
static gboolean
postmark_pull_message (CtMailProvider   *self,
                       SoupSession      *session,
                       const char       *message_id,
                       CtMailEventFunc   func,
                       gpointer          user_data,
                       GCancellable     *cancellable,
                       GError          **error)
{
  g_autofree char *escaped = g_uri_escape_string (message_id, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/messages/outbound/%s/details", escaped);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local = NULL;
  JsonArray *events;

  root = ct_mail_provider_get_json (self, session, path, cancellable, &local);
  if (root == NULL)
    {
      /* Gone from Postmark's history (kept 45 days by default): nothing
       * more will be known about it. */
      if (g_error_matches (local, CT_MAIL_ERROR, CT_MAIL_ERROR_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  events = JSON_NODE_HOLDS_OBJECT (root) ? member_array (json_node_get_object (root), "MessageEvents") : NULL;
  for (guint i = 0; events != NULL && i < json_array_get_length (events); i++)
    {
      JsonObject *item = element_object (events, i);

      if (item != NULL && g_strcmp0 (member_string (item, "Type"), "Delivered") == 0
          && !emit (func, user_data, CT_MAIL_EVENT_DELIVERED, member_string (item, "Recipient"),
                    message_id, ct_mail_parse_time (member_string (item, "ReceivedAt")), NULL, error))
        return FALSE;
    }
  return TRUE;
}

static void
ct_mail_postmark_class_init (CtMailPostmarkClass *klass)
{
  CtMailProviderClass *p = CT_MAIL_PROVIDER_CLASS (klass);

  p->kind = CT_MAIL_PROVIDER_POSTMARK;
  p->default_base_url = "https://api.postmarkapp.com";
  p->max_batch = 500;
  p->max_batch_bytes = 45 * 1024 * 1024;
  p->default_rate = 10;
  p->authorize = postmark_authorize;
  p->build_send = postmark_build_send;
  p->parse_send = postmark_parse_send;
  p->build_test = postmark_build_test;
  p->pull = postmark_pull;
  p->pull_message = postmark_pull_message;
  p->unsubscribe_placeholder = postmark_unsubscribe_placeholder;
}

static void
ct_mail_postmark_init (CtMailPostmark *self)
{
}

/* ---- SendGrid ---------------------------------------------------------- */

typedef struct { CtMailProvider parent; } CtMailSendgrid;
typedef struct { CtMailProviderClass parent_class; } CtMailSendgridClass;
G_DEFINE_TYPE (CtMailSendgrid, ct_mail_sendgrid, CT_TYPE_MAIL_PROVIDER)

static void
bearer_authorize (CtMailProvider *self,
                  SoupMessage    *msg)
{
  g_autofree char *value = g_strconcat ("Bearer ", ct_mail_provider_get_api_key (self), NULL);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
}

static char *
sendgrid_html_key (guint occurrence, gpointer data)
{
  return g_strdup_printf ("-ct_h%u-", occurrence);
}

static char *
sendgrid_text_key (guint occurrence, gpointer data)
{
  return g_strdup_printf ("-ct_t%u-", occurrence);
}

static SoupMessage *
sendgrid_build_send (CtMailProvider     *self,
                     const CtMailBatch  *batch,
                     GError            **error)
{
  g_autoptr(CtJsonWriter) b = jw_new ();
  g_autofree char *tag = campaign_tag (batch);
  g_autofree char *campaign = int_text (batch->campaign_id);
  g_autofree char *html = ct_mail_template_render_placeholders (batch->content->html, sendgrid_html_key, NULL);
  g_autofree char *text = ct_mail_template_render_placeholders (batch->content->text, sendgrid_text_key, NULL);
  g_autoptr(GPtrArray) html_keys = occurrence_keys (batch->content->html, sendgrid_html_key);
  g_autoptr(GPtrArray) text_keys = occurrence_keys (batch->content->text, sendgrid_text_key);
  SoupMessage *msg;

  jw_begin_object (b);
  jw_set_member_name (b, "personalizations");
  jw_begin_array (b);
  for (guint i = 0; i < batch->recipients->len; i++)
    {
      const CtMailRecipient *r = g_ptr_array_index (batch->recipients, i);
      const char * const *values = (const char * const *) r->values;
      g_autofree char *list = ct_mail_batch_list_unsubscribe (batch, r);
      char contact[24], outbox[24];

      jw_begin_object (b);
      jw_set_member_name (b, "to");
      jw_begin_array (b);
      jw_begin_object (b);
      add_string (b, "email", r->email);
      /* SendGrid refuses ';' and ',' in names. */
      if (r->name != NULL && *r->name != '\0' && strpbrk (r->name, ";,") == NULL)
        add_string (b, "name", r->name);
      jw_end_object (b);
      jw_end_array (b);
      add_rendered (b, "subject", batch->content->subject, values);
      jw_set_member_name (b, "substitutions");
      jw_begin_object (b);
      for (guint k = 0; k < html_keys->len; k++)
        {
          g_autofree char *value = ct_mail_template_occurrence_value (batch->content->html, k, values);
          add_string (b, g_ptr_array_index (html_keys, k), value);
        }
      for (guint k = 0; k < text_keys->len; k++)
        {
          g_autofree char *value = ct_mail_template_occurrence_value (batch->content->text, k, values);
          add_string (b, g_ptr_array_index (text_keys, k), value);
        }
      jw_end_object (b);
      jw_set_member_name (b, "custom_args");
      jw_begin_object (b);
      add_string (b, "campaign_id", campaign);
      add_string (b, "contact_id", int_text_in (contact, r->contact_id));
      add_string (b, "outbox_id", int_text_in (outbox, r->outbox_id));
      jw_end_object (b);
      jw_set_member_name (b, "headers");
      jw_begin_object (b);
      add_string (b, "List-Unsubscribe", list);
      if (r->one_click_url != NULL)
        add_string (b, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
      jw_end_object (b);
      jw_end_object (b);
    }
  jw_end_array (b);
  add_email_object (b, "from", batch->from);
  if (batch->reply_to != NULL)
    add_email_object (b, "reply_to", batch->reply_to);
  jw_set_member_name (b, "content");
  jw_begin_array (b);
  jw_begin_object (b);
  add_string (b, "type", "text/plain");
  add_string (b, "value", text);
  jw_end_object (b);
  jw_begin_object (b);
  add_string (b, "type", "text/html");
  add_string (b, "value", html);
  jw_end_object (b);
  jw_end_array (b);
  jw_set_member_name (b, "categories");
  jw_begin_array (b);
  jw_add_string_value (b, tag);
  jw_end_array (b);
  jw_end_object (b);

  msg = ct_mail_provider_new_message (self, "POST", "/v3/mail/send", error);
  if (msg != NULL)
    jw_set_body (msg, b);
  return msg;
}

static gboolean
sendgrid_parse_send (CtMailProvider     *self,
                     const CtMailBatch  *batch,
                     SoupMessage        *msg,
                     GBytes             *body,
                     CtMailResult       *results,
                     GError            **error)
{
  guint status = soup_message_get_status (msg);
  guint n = batch->recipients->len;

  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      const char *id = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                     "X-Message-Id");
      /* One id for the request; events name it with a suffix per
       * recipient, and are matched by id and address. */
      for (guint i = 0; i < n; i++)
        {
          ct_mail_result_clear (&results[i]);
          results[i].message_id = g_strdup (id);
        }
      return TRUE;
    }

  if (status == SOUP_STATUS_BAD_REQUEST)
    {
      g_autoptr(JsonNode) root = parse_json (body);
      JsonArray *errors = root != NULL && JSON_NODE_HOLDS_OBJECT (root)
                          ? member_array (json_node_get_object (root), "errors") : NULL;
      g_autofree gboolean *bad = g_new0 (gboolean, n);
      gboolean any = FALSE;

      /* An error naming "personalizations.N…" is about recipient N: that
       * one is refused, the others are sent again without it. Any other
       * error is about the whole request. */
      for (guint e = 0; errors != NULL && e < json_array_get_length (errors); e++)
        {
          JsonObject *item = element_object (errors, e);
          const char *field = member_string (item, "field");
          guint64 index;
          char *end = NULL;

          if (field == NULL || !g_str_has_prefix (field, "personalizations."))
            {
              any = FALSE;
              break;
            }
          index = g_ascii_strtoull (field + strlen ("personalizations."), &end, 10);
          if (end == field + strlen ("personalizations.") || index >= n)
            {
              any = FALSE;
              break;
            }
          if (!bad[index])
            {
              g_autofree char *text = ct_mail_provider_redact (self, member_string (item, "message"));

              results[index].outcome = CT_MAIL_OUTCOME_REJECTED;
              results[index].reason = g_steal_pointer (&text);
            }
          bad[index] = TRUE;
          any = TRUE;
        }
      if (any)
        {
          for (guint i = 0; i < n; i++)
            if (!bad[i])
              {
                results[i].outcome = CT_MAIL_OUTCOME_RETRY;
                results[i].reason = g_strdup (_("Sent again without a refused recipient of the same request"));
                /* At once: nothing is wrong with this one. */
                results[i].retry_after_ms = 1;
              }
          return TRUE;
        }
    }
  return refuse (self, msg, body, error);
}

static SoupMessage *
sendgrid_build_test (CtMailProvider  *self,
                     GError         **error)
{
  return ct_mail_provider_new_message (self, "GET", "/v3/scopes", error);
}

static gboolean
sendgrid_pull_list (CtMailProvider   *self,
                    SoupSession      *session,
                    const char       *list,
                    CtMailEventType   type,
                    gint64            since,
                    CtMailEventFunc   func,
                    gpointer          user_data,
                    GCancellable     *cancellable,
                    GError          **error)
{
  for (guint offset = 0;; offset += 500)
    {
      g_autofree char *path = g_strdup_printf ("/v3/suppression/%s?start_time=%lld&limit=500&offset=%u",
                                               list, (long long) since, offset);
      g_autoptr(JsonNode) root = ct_mail_provider_get_json (self, session, path, cancellable, error);
      JsonArray *items;

      if (root == NULL)
        return FALSE;
      if (!JSON_NODE_HOLDS_ARRAY (root))
        return TRUE;
      items = json_node_get_array (root);
      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonObject *item = element_object (items, i);

          if (item != NULL
              && !emit (func, user_data, type, member_string (item, "email"), NULL,
                        member_int (item, "created", 0), member_string (item, "reason"), error))
            return FALSE;
        }
      if (json_array_get_length (items) < 500)
        return TRUE;
    }
}

static gboolean
sendgrid_pull (CtMailProvider   *self,
               SoupSession      *session,
               gint64            since,
               CtMailEventFunc   func,
               gpointer          user_data,
               GCancellable     *cancellable,
               GError          **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *from = iso_text (since);
  g_autofree char *query = NULL;
  g_autofree char *path = NULL;
  JsonArray *messages;

  if (!sendgrid_pull_list (self, session, "unsubscribes", CT_MAIL_EVENT_UNSUBSCRIBED, since,
                           func, user_data, cancellable, error)
      || !sendgrid_pull_list (self, session, "bounces", CT_MAIL_EVENT_BOUNCED, since,
                              func, user_data, cancellable, error)
      || !sendgrid_pull_list (self, session, "spam_reports", CT_MAIL_EVENT_COMPLAINED, since,
                              func, user_data, cancellable, error))
    return FALSE;

  /* Delivery, opens and clicks come from the Email Activity API, a paid
   * add-on: an account without it answers 403 or 404, and there are
   * then no events to pull, only the suppressions above. */
  query = g_strdup_printf ("last_event_time BETWEEN TIMESTAMP \"%sZ\" AND TIMESTAMP \"2999-12-31T00:00:00Z\"", from);
  {
    g_autofree char *escaped = g_uri_escape_string (query, NULL, FALSE);
    path = g_strdup_printf ("/v3/messages?limit=1000&query=%s", escaped);
  }
  root = ct_mail_provider_get_json (self, session, path, cancellable, &local);
  ct_mail_provider_set_activity_unavailable (self, FALSE);
  if (root == NULL)
    {
      if (g_error_matches (local, CT_MAIL_ERROR, CT_MAIL_ERROR_AUTH)
          || g_error_matches (local, CT_MAIL_ERROR, CT_MAIL_ERROR_NOT_FOUND))
        {
          ct_mail_provider_set_activity_unavailable (self, TRUE);
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  messages = JSON_NODE_HOLDS_OBJECT (root) ? member_array (json_node_get_object (root), "messages") : NULL;
  for (guint i = 0; messages != NULL && i < json_array_get_length (messages); i++)
    {
      JsonObject *item = element_object (messages, i);
      const char *email = member_string (item, "to_email");
      const char *id = member_string (item, "msg_id");
      gint64 at = ct_mail_parse_time (member_string (item, "last_event_time"));

      if (item == NULL)
        continue;
      if ((g_strcmp0 (member_string (item, "status"), "delivered") == 0
           && !emit (func, user_data, CT_MAIL_EVENT_DELIVERED, email, id, at, NULL, error))
          || (member_int (item, "opens_count", 0) > 0
              && !emit (func, user_data, CT_MAIL_EVENT_OPENED, email, id, at, NULL, error))
          || (member_int (item, "clicks_count", 0) > 0
              && !emit (func, user_data, CT_MAIL_EVENT_CLICKED, email, id, at, NULL, error)))
        return FALSE;
    }
  return TRUE;
}

static void
ct_mail_sendgrid_class_init (CtMailSendgridClass *klass)
{
  CtMailProviderClass *p = CT_MAIL_PROVIDER_CLASS (klass);

  p->kind = CT_MAIL_PROVIDER_SENDGRID;
  p->default_base_url = "https://api.sendgrid.com";
  p->max_batch = 1000;
  p->max_batch_bytes = 28 * 1024 * 1024;
  p->default_rate = 10;
  p->authorize = bearer_authorize;
  p->build_send = sendgrid_build_send;
  p->parse_send = sendgrid_parse_send;
  p->build_test = sendgrid_build_test;
  p->pull = sendgrid_pull;
}

static void
ct_mail_sendgrid_init (CtMailSendgrid *self)
{
}

/* ---- Mailgun ----------------------------------------------------------- */

typedef struct { CtMailProvider parent; } CtMailMailgun;
typedef struct { CtMailProviderClass parent_class; } CtMailMailgunClass;
G_DEFINE_TYPE (CtMailMailgun, ct_mail_mailgun, CT_TYPE_MAIL_PROVIDER)

static void
mailgun_authorize (CtMailProvider *self,
                   SoupMessage    *msg)
{
  g_autofree char *pair = g_strconcat ("api:", ct_mail_provider_get_api_key (self), NULL);
  g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
  g_autofree char *value = g_strconcat ("Basic ", encoded, NULL);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
}

static const char *
mailgun_unsubscribe_placeholder (CtMailProvider *self)
{
  return "%unsubscribe_url%";
}

static gboolean
mailgun_domain_path (CtMailProvider  *self,
                     const char      *rest,
                     char           **out,
                     GError         **error)
{
  const char *domain = ct_mail_provider_get_domain (self);
  g_autofree char *escaped = NULL;

  if (domain == NULL || *domain == '\0')
    {
      g_set_error_literal (error, CT_MAIL_ERROR, CT_MAIL_ERROR_SETTINGS,
                           _("Mailgun needs the sending domain (for example mg.example.com) in the provider settings"));
      return FALSE;
    }
  escaped = g_uri_escape_string (domain, NULL, FALSE);
  *out = g_strdup_printf ("/v3/%s%s", escaped, rest);
  return TRUE;
}

static char *
mailgun_subject_key (guint occurrence, gpointer data)
{
  return g_strdup_printf ("%%recipient.s%u%%", occurrence);
}

static char *
mailgun_html_key (guint occurrence, gpointer data)
{
  return g_strdup_printf ("%%recipient.h%u%%", occurrence);
}

static char *
mailgun_text_key (guint occurrence, gpointer data)
{
  return g_strdup_printf ("%%recipient.t%u%%", occurrence);
}

static char *
mailgun_subject_name (guint occurrence, gpointer data)
{
  return g_strdup_printf ("s%u", occurrence);
}

static char *
mailgun_html_name (guint occurrence, gpointer data)
{
  return g_strdup_printf ("h%u", occurrence);
}

static char *
mailgun_text_name (guint occurrence, gpointer data)
{
  return g_strdup_printf ("t%u", occurrence);
}

/* @keys: the variable names of @template's occurrences ("h0", "h1"...). */
static void
add_occurrences (CtJsonWriter         *b,
                 const CtMailTemplate *template,
                 GPtrArray            *keys,
                 const char * const   *values)
{
  for (guint k = 0; k < keys->len; k++)
    {
      g_autofree char *value = ct_mail_template_occurrence_value (template, k, values);
      add_string (b, g_ptr_array_index (keys, k), value);
    }
}

static SoupMessage *
mailgun_build_send (CtMailProvider     *self,
                    const CtMailBatch  *batch,
                    GError            **error)
{
  g_autoptr(SoupMultipart) form = soup_multipart_new (SOUP_FORM_MIME_TYPE_MULTIPART);
  g_autoptr(CtJsonWriter) b = jw_new ();
  g_autofree char *path = NULL;
  g_autofree char *subject = ct_mail_template_render_placeholders (batch->content->subject, mailgun_subject_key, NULL);
  g_autofree char *html = ct_mail_template_render_placeholders (batch->content->html, mailgun_html_key, NULL);
  g_autofree char *text = ct_mail_template_render_placeholders (batch->content->text, mailgun_text_key, NULL);
  g_autofree char *tag = campaign_tag (batch);
  g_autofree char *campaign = int_text (batch->campaign_id);
  g_autofree char *variables_text = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GPtrArray) subject_keys = occurrence_keys (batch->content->subject, mailgun_subject_name);
  g_autoptr(GPtrArray) html_keys = occurrence_keys (batch->content->html, mailgun_html_name);
  g_autoptr(GPtrArray) text_keys = occurrence_keys (batch->content->text, mailgun_text_name);
  gboolean one_click = FALSE;
  SoupMessage *msg;

  if (!mailgun_domain_path (self, "/messages", &path, error))
    return NULL;

  /* Each recipient's merge values; Mailgun puts them in where the text
   * says %recipient.NAME%, and sends each person a message of their own. */
  jw_begin_object (b);
  for (guint i = 0; i < batch->recipients->len; i++)
    {
      const CtMailRecipient *r = g_ptr_array_index (batch->recipients, i);
      const char * const *values = (const char * const *) r->values;
      g_autofree char *list = ct_mail_batch_list_unsubscribe (batch, r);
      char contact[24], outbox[24];

      jw_set_member_name (b, r->email);
      jw_begin_object (b);
      add_occurrences (b, batch->content->subject, subject_keys, values);
      add_occurrences (b, batch->content->html, html_keys, values);
      add_occurrences (b, batch->content->text, text_keys, values);
      add_string (b, "contact_id", int_text_in (contact, r->contact_id));
      add_string (b, "outbox_id", int_text_in (outbox, r->outbox_id));
      add_string (b, "list_unsubscribe", list);
      jw_end_object (b);
      one_click |= r->one_click_url != NULL;
    }
  jw_end_object (b);
  {
    gsize length;
    variables_text = jw_steal (b, &length);
  }

  soup_multipart_append_form_string (form, "from", batch->from);
  for (guint i = 0; i < batch->recipients->len; i++)
    {
      const CtMailRecipient *r = g_ptr_array_index (batch->recipients, i);
      g_autofree char *to = mailbox (r->name, r->email);
      soup_multipart_append_form_string (form, "to", to);
    }
  soup_multipart_append_form_string (form, "subject", subject);
  soup_multipart_append_form_string (form, "text", text);
  soup_multipart_append_form_string (form, "html", html);
  soup_multipart_append_form_string (form, "recipient-variables", variables_text);
  soup_multipart_append_form_string (form, "o:tag", tag);
  soup_multipart_append_form_string (form, "v:campaign_id", campaign);
  soup_multipart_append_form_string (form, "v:contact_id", "%recipient.contact_id%");
  soup_multipart_append_form_string (form, "v:outbox_id", "%recipient.outbox_id%");
  soup_multipart_append_form_string (form, "h:List-Unsubscribe", "%recipient.list_unsubscribe%");
  if (one_click)
    soup_multipart_append_form_string (form, "h:List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
  if (batch->reply_to != NULL)
    soup_multipart_append_form_string (form, "h:Reply-To", batch->reply_to);

  msg = ct_mail_provider_new_message (self, "POST", path, error);
  if (msg == NULL)
    return NULL;
  soup_multipart_to_message (form, soup_message_get_request_headers (msg), &body);
  soup_message_set_request_body_from_bytes (msg, NULL, body);
  return msg;
}

static gboolean
mailgun_parse_send (CtMailProvider     *self,
                    const CtMailBatch  *batch,
                    SoupMessage        *msg,
                    GBytes             *body,
                    CtMailResult       *results,
                    GError            **error)
{
  g_autoptr(JsonNode) root = NULL;
  const char *id;

  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    return refuse (self, msg, body, error);
  root = parse_json (body);
  id = root != NULL && JSON_NODE_HOLDS_OBJECT (root)
       ? member_string (json_node_get_object (root), "id") : NULL;
  if (id == NULL)
    return unreadable_answer (self, batch, results);
  for (guint i = 0; i < batch->recipients->len; i++)
    {
      ct_mail_result_clear (&results[i]);
      results[i].message_id = g_strdup (id);
    }
  return TRUE;
}

static SoupMessage *
mailgun_build_test (CtMailProvider  *self,
                    GError         **error)
{
  g_autofree char *path = NULL;
  const char *domain = ct_mail_provider_get_domain (self);
  g_autofree char *escaped = NULL;

  if (!mailgun_domain_path (self, "", &path, error))
    return NULL;
  escaped = g_uri_escape_string (domain, NULL, FALSE);
  g_free (path);
  path = g_strdup_printf ("/v3/domains/%s", escaped);
  return ct_mail_provider_new_message (self, "GET", path, error);
}

/* Follows paging.next, which names the provider's own host: only its
 * path and query are kept, so that the base URL setting holds. */
static gboolean
mailgun_pages (CtMailProvider   *self,
               SoupSession      *session,
               const char       *first,
               PageItemFunc      item_func,
               gpointer          data,
               GCancellable     *cancellable,
               GError          **error)
{
  g_autofree char *path = g_strdup (first);

  for (guint page = 0; page < 10000 && path != NULL; page++)
    {
      g_autoptr(JsonNode) root = ct_mail_provider_get_json (self, session, path, cancellable, error);
      JsonObject *object;
      JsonArray *items;
      const char *next;

      if (root == NULL)
        return FALSE;
      object = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
      items = member_array (object, "items");
      if (items == NULL || json_array_get_length (items) == 0)
        return TRUE;
      for (guint i = 0; i < json_array_get_length (items); i++)
        {
          JsonObject *item = element_object (items, i);
          if (item != NULL && !item_func (item, data, error))
            return FALSE;
        }
      g_clear_pointer (&path, g_free);
      next = object != NULL && json_object_has_member (object, "paging")
             ? member_string (json_object_get_object_member (object, "paging"), "next") : NULL;
      if (next != NULL)
        {
          g_autoptr(GUri) uri = g_uri_parse (next, G_URI_FLAGS_ENCODED, NULL);
          if (uri != NULL)
            path = g_uri_get_query (uri) != NULL
                   ? g_strdup_printf ("%s?%s", g_uri_get_path (uri), g_uri_get_query (uri))
                   : g_strdup (g_uri_get_path (uri));
        }
    }
  return TRUE;
}

static gboolean
mailgun_suppression_item (JsonObject *item,
                          gpointer    data,
                          GError    **error)
{
  PullData *pull = data;

  return emit (pull->func, pull->user_data, pull->type, member_string (item, "address"), NULL,
               ct_mail_parse_time (member_string (item, "created_at")),
               member_string (item, "error"), error);
}

static gboolean
mailgun_event_item (JsonObject *item,
                    gpointer    data,
                    GError    **error)
{
  PullData *pull = data;
  const char *event = member_string (item, "event");
  const char *id = NULL;
  g_autofree char *bare_id = NULL;
  CtMailEventType type;
  JsonNode *node;

  if (g_strcmp0 (event, "delivered") == 0)
    type = CT_MAIL_EVENT_DELIVERED;
  else if (g_strcmp0 (event, "opened") == 0)
    type = CT_MAIL_EVENT_OPENED;
  else if (g_strcmp0 (event, "clicked") == 0)
    type = CT_MAIL_EVENT_CLICKED;
  else if (g_strcmp0 (event, "unsubscribed") == 0)
    type = CT_MAIL_EVENT_UNSUBSCRIBED;
  else if (g_strcmp0 (event, "complained") == 0)
    type = CT_MAIL_EVENT_COMPLAINED;
  else if (g_strcmp0 (event, "failed") == 0
           && g_strcmp0 (member_string (item, "severity"), "permanent") == 0)
    type = CT_MAIL_EVENT_BOUNCED;
  else
    return TRUE;

  node = json_object_get_member (item, "message");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *message = json_node_get_object (node);
      JsonNode *headers = json_object_get_member (message, "headers");
      if (headers != NULL && JSON_NODE_HOLDS_OBJECT (headers))
        id = member_string (json_node_get_object (headers), "message-id");
    }
  /* The send answer's id has angle brackets, the events' has not. */
  if (id != NULL)
    bare_id = g_strdup_printf ("<%s>", id);
  return emit (pull->func, pull->user_data, type, member_string (item, "recipient"), bare_id,
               member_int (item, "timestamp", 0), event, error);
}

static gboolean
mailgun_pull (CtMailProvider   *self,
              SoupSession      *session,
              gint64            since,
              CtMailEventFunc   func,
              gpointer          user_data,
              GCancellable     *cancellable,
              GError          **error)
{
  static const struct { const char *list; CtMailEventType type; } lists[] = {
    { "/unsubscribes", CT_MAIL_EVENT_UNSUBSCRIBED },
    { "/bounces", CT_MAIL_EVENT_BOUNCED },
    { "/complaints", CT_MAIL_EVENT_COMPLAINED },
  };
  PullData pull = { func, user_data, 0, since };
  g_autofree char *events = NULL;
  g_autofree char *rest = g_strdup_printf ("/events?begin=%lld&ascending=yes&limit=300",
                                           (long long) since);

  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      g_autofree char *path = NULL;
      g_autofree char *with_limit = g_strconcat (lists[i].list, "?limit=1000", NULL);

      if (!mailgun_domain_path (self, with_limit, &path, error))
        return FALSE;
      pull.type = lists[i].type;
      if (!mailgun_pages (self, session, path, mailgun_suppression_item, &pull,
                          cancellable, error))
        return FALSE;
    }
  if (!mailgun_domain_path (self, rest, &events, error))
    return FALSE;
  return mailgun_pages (self, session, events, mailgun_event_item, &pull, cancellable, error);
}

static void
ct_mail_mailgun_class_init (CtMailMailgunClass *klass)
{
  CtMailProviderClass *p = CT_MAIL_PROVIDER_CLASS (klass);

  p->kind = CT_MAIL_PROVIDER_MAILGUN;
  p->default_base_url = "https://api.mailgun.net";
  p->max_batch = 1000;
  p->max_batch_bytes = 24 * 1024 * 1024;
  p->default_rate = 10;
  p->authorize = mailgun_authorize;
  p->build_send = mailgun_build_send;
  p->parse_send = mailgun_parse_send;
  p->build_test = mailgun_build_test;
  p->pull = mailgun_pull;
  p->unsubscribe_placeholder = mailgun_unsubscribe_placeholder;
}

static void
ct_mail_mailgun_init (CtMailMailgun *self)
{
}

/* ---- Brevo ------------------------------------------------------------- */

typedef struct { CtMailProvider parent; } CtMailBrevo;
typedef struct { CtMailProviderClass parent_class; } CtMailBrevoClass;
G_DEFINE_TYPE (CtMailBrevo, ct_mail_brevo, CT_TYPE_MAIL_PROVIDER)

static void
brevo_authorize (CtMailProvider *self,
                 SoupMessage    *msg)
{
  soup_message_headers_replace (soup_message_get_request_headers (msg), "api-key",
                                ct_mail_provider_get_api_key (self));
}

static SoupMessage *
brevo_build_send (CtMailProvider     *self,
                  const CtMailBatch  *batch,
                  GError            **error)
{
  g_autoptr(CtJsonWriter) b = jw_new ();
  g_autofree char *tag = campaign_tag (batch);
  g_autofree char *custom = g_strdup_printf ("campaign_id:%lld", (long long) batch->campaign_id);
  const CtMailRecipient *first = g_ptr_array_index (batch->recipients, 0);
  g_autofree char *list = ct_mail_batch_list_unsubscribe (batch, first);
  SoupMessage *msg;

  jw_begin_object (b);
  add_email_object (b, "sender", batch->from);
  if (batch->reply_to != NULL)
    add_email_object (b, "replyTo", batch->reply_to);
  /* The top-level content is required; each version carries its own. */
  {
    const char * const *values = (const char * const *) first->values;

    add_rendered (b, "subject", batch->content->subject, values);
    add_rendered (b, "htmlContent", batch->content->html, values);
    add_rendered (b, "textContent", batch->content->text, values);
  }
  jw_set_member_name (b, "messageVersions");
  jw_begin_array (b);
  for (guint i = 0; i < batch->recipients->len; i++)
    {
      const CtMailRecipient *r = g_ptr_array_index (batch->recipients, i);
      const char * const *values = (const char * const *) r->values;

      jw_begin_object (b);
      jw_set_member_name (b, "to");
      jw_begin_array (b);
      jw_begin_object (b);
      add_string (b, "email", r->email);
      if (r->name != NULL && *r->name != '\0')
        add_string (b, "name", r->name);
      jw_end_object (b);
      jw_end_array (b);
      add_rendered (b, "subject", batch->content->subject, values);
      add_rendered (b, "htmlContent", batch->content->html, values);
      add_rendered (b, "textContent", batch->content->text, values);
      jw_end_object (b);
    }
  jw_end_array (b);
  jw_set_member_name (b, "headers");
  jw_begin_object (b);
  add_string (b, "idempotencyKey", batch->idempotency_key);
  add_string (b, "X-Mailin-custom", custom);
  /* Versions cannot carry headers: the mailto: one is the same for all. */
  if (first->one_click_url == NULL)
    add_string (b, "List-Unsubscribe", list);
  jw_end_object (b);
  jw_set_member_name (b, "tags");
  jw_begin_array (b);
  jw_add_string_value (b, tag);
  jw_end_array (b);
  jw_end_object (b);

  msg = ct_mail_provider_new_message (self, "POST", "/v3/smtp/email", error);
  if (msg != NULL)
    jw_set_body (msg, b);
  return msg;
}

static gboolean
brevo_parse_send (CtMailProvider     *self,
                  const CtMailBatch  *batch,
                  SoupMessage        *msg,
                  GBytes             *body,
                  CtMailResult       *results,
                  GError            **error)
{
  g_autoptr(JsonNode) root = parse_json (body);
  JsonObject *object = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  guint n = batch->recipients->len;
  JsonArray *ids;
  const char *one_id;

  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    {
      /* A key used within its 30 minutes: the first request was taken.
       * The answer's shape is not documented; its code is the likely one. */
      if (g_strcmp0 (member_string (object, "code"), "duplicate_request") == 0)
        {
          for (guint i = 0; i < n; i++)
            {
              ct_mail_result_clear (&results[i]);
              results[i].reason = g_strdup (_("Accepted by an earlier request with the same idempotency key"));
            }
          return TRUE;
        }
      return refuse (self, msg, body, error);
    }
  if (object == NULL)
    return unreadable_answer (self, batch, results);

  ids = member_array (object, "messageIds");
  one_id = member_string (object, "messageId");
  if (ids == NULL && one_id == NULL)
    return unreadable_answer (self, batch, results);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = ids != NULL && i < json_array_get_length (ids)
                       ? json_array_get_element (ids, i) : NULL;

      ct_mail_result_clear (&results[i]);
      if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
        results[i].message_id = g_strdup (json_node_get_string (node));
      else
        results[i].message_id = g_strdup (one_id);
    }
  return TRUE;
}

static SoupMessage *
brevo_build_test (CtMailProvider  *self,
                  GError         **error)
{
  return ct_mail_provider_new_message (self, "GET", "/v3/account", error);
}

static gboolean
brevo_pull (CtMailProvider   *self,
            SoupSession      *session,
            gint64            since,
            CtMailEventFunc   func,
            gpointer          user_data,
            GCancellable     *cancellable,
            GError          **error)
{
  g_autofree char *start = date_text (since);
  g_autofree char *end = date_text (g_get_real_time () / G_USEC_PER_SEC);

  /* Blocked contacts: unsubscribes, hard bounces, complaints. */
  for (guint offset = 0;; offset += 100)
    {
      g_autofree char *path = g_strdup_printf ("/v3/smtp/blockedContacts?limit=100&offset=%u&startDate=%s&endDate=%s",
                                               offset, start, end);
      g_autoptr(JsonNode) root = ct_mail_provider_get_json (self, session, path, cancellable, error);
      JsonArray *contacts;

      if (root == NULL)
        return FALSE;
      contacts = JSON_NODE_HOLDS_OBJECT (root) ? member_array (json_node_get_object (root), "contacts") : NULL;
      for (guint i = 0; contacts != NULL && i < json_array_get_length (contacts); i++)
        {
          JsonObject *item = element_object (contacts, i);
          JsonNode *reason = item != NULL ? json_object_get_member (item, "reason") : NULL;
          const char *code = reason != NULL && JSON_NODE_HOLDS_OBJECT (reason)
                             ? member_string (json_node_get_object (reason), "code") : NULL;
          CtMailEventType type = g_strcmp0 (code, "hardBounce") == 0 ? CT_MAIL_EVENT_BOUNCED
                                 : g_strcmp0 (code, "contactFlaggedAsSpam") == 0 ? CT_MAIL_EVENT_COMPLAINED
                                 : CT_MAIL_EVENT_UNSUBSCRIBED;

          if (item != NULL
              && !emit (func, user_data, type, member_string (item, "email"), NULL,
                        ct_mail_parse_time (member_string (item, "blockedAt")), code, error))
            return FALSE;
        }
      if (contacts == NULL || json_array_get_length (contacts) < 100)
        break;
    }

  for (guint offset = 0;; offset += 2500)
    {
      g_autofree char *path = g_strdup_printf ("/v3/smtp/statistics/events?limit=2500&offset=%u&startDate=%s&endDate=%s&sort=asc",
                                               offset, start, end);
      g_autoptr(JsonNode) root = ct_mail_provider_get_json (self, session, path, cancellable, error);
      JsonArray *events;

      if (root == NULL)
        return FALSE;
      events = JSON_NODE_HOLDS_OBJECT (root) ? member_array (json_node_get_object (root), "events") : NULL;
      for (guint i = 0; events != NULL && i < json_array_get_length (events); i++)
        {
          JsonObject *item = element_object (events, i);
          const char *event = member_string (item, "event");
          CtMailEventType type;

          if (g_strcmp0 (event, "delivered") == 0)
            type = CT_MAIL_EVENT_DELIVERED;
          else if (g_strcmp0 (event, "opened") == 0 || g_strcmp0 (event, "uniqueOpened") == 0)
            type = CT_MAIL_EVENT_OPENED;
          else if (g_strcmp0 (event, "clicks") == 0 || g_strcmp0 (event, "clicked") == 0)
            type = CT_MAIL_EVENT_CLICKED;
          else if (g_strcmp0 (event, "hardBounces") == 0 || g_strcmp0 (event, "hardBounce") == 0)
            type = CT_MAIL_EVENT_BOUNCED;
          else if (g_strcmp0 (event, "spam") == 0)
            type = CT_MAIL_EVENT_COMPLAINED;
          else if (g_strcmp0 (event, "unsubscribed") == 0)
            type = CT_MAIL_EVENT_UNSUBSCRIBED;
          else
            continue;
          if (!emit (func, user_data, type, member_string (item, "email"),
                     member_string (item, "messageId"),
                     ct_mail_parse_time (member_string (item, "date")),
                     member_string (item, "reason"), error))
            return FALSE;
        }
      if (events == NULL || json_array_get_length (events) < 2500)
        return TRUE;
    }
}

static void
ct_mail_brevo_class_init (CtMailBrevoClass *klass)
{
  CtMailProviderClass *p = CT_MAIL_PROVIDER_CLASS (klass);

  p->kind = CT_MAIL_PROVIDER_BREVO;
  p->default_base_url = "https://api.brevo.com";
  p->max_batch = 2000;
  /* No documented request limit; params are capped at 1000 KB, and a
   * request of a few MB is what the SDKs send. */
  p->max_batch_bytes = 4 * 1024 * 1024;
  p->default_rate = 10;
  p->idempotent = TRUE;
  /* The key is kept 30 minutes: a margin for clocks and queues. */
  p->idempotency_ttl = 25 * 60;
  p->authorize = brevo_authorize;
  p->build_send = brevo_build_send;
  p->parse_send = brevo_parse_send;
  p->build_test = brevo_build_test;
  p->pull = brevo_pull;
}

static void
ct_mail_brevo_init (CtMailBrevo *self)
{
}

/* ---- Resend ------------------------------------------------------------ */

typedef struct { CtMailProvider parent; } CtMailResend;
typedef struct { CtMailProviderClass parent_class; } CtMailResendClass;
G_DEFINE_TYPE (CtMailResend, ct_mail_resend, CT_TYPE_MAIL_PROVIDER)

static void
add_tag (CtJsonWriter *b,
         const char  *name,
         gint64       value)
{
  g_autofree char *text = int_text (value);

  jw_begin_object (b);
  add_string (b, "name", name);
  add_string (b, "value", text);
  jw_end_object (b);
}

static SoupMessage *
resend_build_send (CtMailProvider     *self,
                   const CtMailBatch  *batch,
                   GError            **error)
{
  g_autoptr(CtJsonWriter) b = jw_new ();
  SoupMessage *msg;

  jw_begin_array (b);
  for (guint i = 0; i < batch->recipients->len; i++)
    {
      const CtMailRecipient *r = g_ptr_array_index (batch->recipients, i);
      const char * const *values = (const char * const *) r->values;
      g_autofree char *to = mailbox (r->name, r->email);
      g_autofree char *list = ct_mail_batch_list_unsubscribe (batch, r);

      jw_begin_object (b);
      add_string (b, "from", batch->from);
      jw_set_member_name (b, "to");
      jw_begin_array (b);
      jw_add_string_value (b, to);
      jw_end_array (b);
      add_rendered (b, "subject", batch->content->subject, values);
      add_rendered (b, "html", batch->content->html, values);
      add_rendered (b, "text", batch->content->text, values);
      if (batch->reply_to != NULL)
        add_string (b, "reply_to", batch->reply_to);
      jw_set_member_name (b, "headers");
      jw_begin_object (b);
      add_string (b, "List-Unsubscribe", list);
      if (r->one_click_url != NULL)
        add_string (b, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
      jw_end_object (b);
      jw_set_member_name (b, "tags");
      jw_begin_array (b);
      add_tag (b, "campaign_id", batch->campaign_id);
      add_tag (b, "contact_id", r->contact_id);
      add_tag (b, "outbox_id", r->outbox_id);
      jw_end_array (b);
      jw_end_object (b);
    }
  jw_end_array (b);

  msg = ct_mail_provider_new_message (self, "POST", "/emails/batch", error);
  if (msg == NULL)
    return NULL;
  jw_set_body (msg, b);
  soup_message_headers_replace (soup_message_get_request_headers (msg),
                                "Idempotency-Key", batch->idempotency_key);
  soup_message_headers_replace (soup_message_get_request_headers (msg),
                                "x-batch-validation", "permissive");
  return msg;
}

static gboolean
resend_parse_send (CtMailProvider     *self,
                   const CtMailBatch  *batch,
                   SoupMessage        *msg,
                   GBytes             *body,
                   CtMailResult       *results,
                   GError            **error)
{
  g_autoptr(JsonNode) root = parse_json (body);
  JsonObject *object = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  guint status = soup_message_get_status (msg);
  guint n = batch->recipients->len;
  g_autofree gboolean *failed = g_new0 (gboolean, n);
  JsonArray *data;
  JsonArray *errors;
  guint n_failed = 0;

  if (status == 409)
    {
      const char *name = member_string (object, "name");
      g_autofree char *text = ct_mail_provider_error_text (self, body);

      for (guint i = 0; i < n; i++)
        {
          ct_mail_result_clear (&results[i]);
          /* Another request with the key is under way: ask again later.
           * A different body for the key: the first request's outcome
           * cannot be told from this one. */
          results[i].outcome = g_strcmp0 (name, "concurrent_idempotent_requests") == 0
                               ? CT_MAIL_OUTCOME_RETRY_SAME : CT_MAIL_OUTCOME_UNKNOWN;
          results[i].reason = g_strdup (text);
          results[i].retry_after_ms = 1000;
        }
      return TRUE;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    return refuse (self, msg, body, error);

  data = member_array (object, "data");
  if (data == NULL)
    return unreadable_answer (self, batch, results);

  errors = member_array (object, "errors");
  for (guint e = 0; errors != NULL && e < json_array_get_length (errors); e++)
    {
      JsonObject *item = element_object (errors, e);
      gint64 index = member_int (item, "index", -1);

      if (index >= 0 && index < n && !failed[index])
        {
          failed[index] = TRUE;
          n_failed++;
          results[index].outcome = CT_MAIL_OUTCOME_REJECTED;
          results[index].reason = ct_mail_provider_redact (self, member_string (item, "message"));
        }
    }

  /* The permissive answer lists the created emails: either one per
   * email sent, in order (failed ones left out), or one per email of
   * the request. Both are read. */
  if (json_array_get_length (data) == n)
    {
      for (guint i = 0; i < n; i++)
        if (!failed[i])
          results[i].message_id = g_strdup (member_string (element_object (data, i), "id"));
    }
  else if (json_array_get_length (data) == n - n_failed)
    {
      guint k = 0;
      for (guint i = 0; i < n; i++)
        if (!failed[i])
          results[i].message_id = g_strdup (member_string (element_object (data, k++), "id"));
    }
  else
    return unreadable_answer (self, batch, results);
  return TRUE;
}

static SoupMessage *
resend_build_test (CtMailProvider  *self,
                   GError         **error)
{
  return ct_mail_provider_new_message (self, "GET", "/domains", error);
}

static gboolean
resend_pull (CtMailProvider   *self,
             SoupSession      *session,
             gint64            since,
             CtMailEventFunc   func,
             gpointer          user_data,
             GCancellable     *cancellable,
             GError          **error)
{
  static const struct { const char *origin; CtMailEventType type; } origins[] = {
    { "bounce", CT_MAIL_EVENT_BOUNCED },
    { "complaint", CT_MAIL_EVENT_COMPLAINED },
    { "manual", CT_MAIL_EVENT_UNSUBSCRIBED },
  };
  g_autofree char *after = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (origins); i++)
    {
      g_autofree char *path = g_strdup_printf ("/suppressions?origin=%s", origins[i].origin);
      g_autoptr(JsonNode) root = ct_mail_provider_get_json (self, session, path, cancellable, error);
      JsonArray *items;

      if (root == NULL)
        return FALSE;
      items = JSON_NODE_HOLDS_OBJECT (root) ? member_array (json_node_get_object (root), "data") : NULL;
      for (guint k = 0; items != NULL && k < json_array_get_length (items); k++)
        {
          JsonObject *item = element_object (items, k);
          if (item != NULL
              && !emit (func, user_data, origins[i].type, member_string (item, "email"), NULL,
                        ct_mail_parse_time (member_string (item, "created_at")),
                        origins[i].origin, error))
            return FALSE;
        }
    }

  /* Sent emails, newest first, each with its last event, until one older
   * than @since. */
  for (guint page = 0; page < 10000; page++)
    {
      g_autofree char *path = after != NULL
                              ? g_strdup_printf ("/emails?limit=100&after=%s", after)
                              : g_strdup ("/emails?limit=100");
      g_autoptr(JsonNode) root = ct_mail_provider_get_json (self, session, path, cancellable, error);
      JsonObject *object;
      JsonArray *items;
      gboolean older = FALSE;

      if (root == NULL)
        return FALSE;
      object = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
      items = member_array (object, "data");
      for (guint k = 0; items != NULL && k < json_array_get_length (items); k++)
        {
          JsonObject *item = element_object (items, k);
          const char *last = member_string (item, "last_event");
          gint64 at = ct_mail_parse_time (member_string (item, "created_at"));
          JsonArray *to = member_array (item, "to");
          const char *email = to != NULL && json_array_get_length (to) > 0
                              ? json_array_get_string_element (to, 0) : NULL;
          g_autofree char *address = email != NULL ? ct_mail_address_of (email) : NULL;
          CtMailEventType type;

          if (item == NULL)
            continue;
          if (at != 0 && at < since)
            {
              older = TRUE;
              break;
            }
          g_free (after);
          after = g_strdup (member_string (item, "id"));
          if (g_strcmp0 (last, "delivered") == 0)
            type = CT_MAIL_EVENT_DELIVERED;
          else if (g_strcmp0 (last, "opened") == 0)
            type = CT_MAIL_EVENT_OPENED;
          else if (g_strcmp0 (last, "clicked") == 0)
            type = CT_MAIL_EVENT_CLICKED;
          else if (g_strcmp0 (last, "bounced") == 0)
            type = CT_MAIL_EVENT_BOUNCED;
          else if (g_strcmp0 (last, "complained") == 0)
            type = CT_MAIL_EVENT_COMPLAINED;
          else
            continue;
          if (!emit (func, user_data, type, address, member_string (item, "id"), at, last, error))
            return FALSE;
        }
      if (older || items == NULL || json_array_get_length (items) == 0
          || object == NULL || !json_object_get_boolean_member_with_default (object, "has_more", FALSE))
        return TRUE;
    }
  return TRUE;
}

static void
ct_mail_resend_class_init (CtMailResendClass *klass)
{
  CtMailProviderClass *p = CT_MAIL_PROVIDER_CLASS (klass);

  p->kind = CT_MAIL_PROVIDER_RESEND;
  p->default_base_url = "https://api.resend.com";
  p->max_batch = 100;
  p->max_batch_bytes = 40 * 1024 * 1024;
  /* The default team limit. */
  p->default_rate = 2;
  p->idempotent = TRUE;
  /* Kept 24 hours. */
  p->idempotency_ttl = 23 * 3600;
  p->authorize = bearer_authorize;
  p->build_send = resend_build_send;
  p->parse_send = resend_parse_send;
  p->build_test = resend_build_test;
  p->pull = resend_pull;
}

static void
ct_mail_resend_init (CtMailResend *self)
{
}
