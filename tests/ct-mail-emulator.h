/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-mail-emulator.h: a local mail provider for tests and benchmarks
 *
 * A SoupServer on 127.0.0.1 (a random port) on a thread of its own that
 * speaks one provider's send, test and pull endpoints as
 * ../shared/provider-contracts.md describes them (section 9's checklist):
 * it checks the auth header, the body's shape and the batch limits,
 * answers in the provider's own success and error shapes, and keeps the
 * idempotency keys of Resend (header) and Brevo (body), replaying the
 * first answer to a repeated request. It logs every message it would
 * have delivered, per address, which is what the crash tests count.
 *
 * Failures are scripted per request: a status with a body and a header
 * (429 + Retry-After, 500, 401...), an HTML error page, a slow answer
 * past the client's timeout after delivering, a garbled 200 after
 * delivering; and per recipient: addresses the provider refuses.
 *
 * Header-only so that each test stays one file in meson.
 */
#pragma once

#include <string.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ct-mail-provider.h"

typedef enum
{
  CT_EMU_STATUS,       /* answer status/body/header; nothing delivered */
  CT_EMU_HTML_ERROR,   /* answer status with an HTML page; nothing delivered */
  CT_EMU_SLOW,         /* deliver, then answer after delay_ms */
  CT_EMU_GARBLED,      /* deliver, then answer 200 with broken JSON */
} CtEmuKind;

typedef struct
{
  CtEmuKind kind;
  guint status;
  char *body;
  char *header_name;
  char *header_value;
  guint delay_ms;
} CtEmuAction;

typedef struct
{
  char *subject;
  char *html;
  char *text;
  char *list_unsubscribe;
} CtEmuMessage;

typedef struct
{
  guint status;
  char *body;
  char *content_type;
  char *message_id_header;
  char *body_hash;
} CtEmuStored;

typedef struct
{
  CtMailProviderKind kind;
  char *key;
  char *domain;               /* Mailgun */
  char *base_url;

  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  SoupServer *server;
  GMutex lock;
  GCond ready;
  gboolean started;

  /* under lock */
  GHashTable *delivered;      /* email -> count */
  GHashTable *message_ids;    /* email -> last message id */
  GHashTable *messages;       /* email -> CtEmuMessage, when keep_messages */
  GHashTable *rejects;        /* email -> reason */
  GHashTable *stored;         /* idempotency key -> CtEmuStored */
  GQueue script;              /* of CtEmuAction */
  GPtrArray *violations;      /* contract breaches seen, as text */
  GPtrArray *suppressions;    /* "kind\temail" for the pull endpoints */
  GPtrArray *events;          /* "type\temail" */
  guint latency_ms;
  guint latency_jitter_ms;
  guint send_requests;
  guint replays;
  guint max_batch_seen;
  guint in_flight;
  guint max_in_flight;
  gint64 next_id;
  gboolean keep_messages;
  /* For the benchmark: count the messages and answer in the provider's
   * shape without checking or parsing the request, so that the time
   * measured is the sender's, not the emulator's. */
  gboolean light;
  guint64 light_messages;
  /* SendGrid: an account without the paid Email Activity add-on, whose
   * /v3/messages answers 403 (the contract has no exact body; the app
   * reads 403 and 404 alike). */
  gboolean no_email_activity;
  /* Postmark: each sent message's details list a "Delivered" event
   * (else none yet, as before delivery). */
  gboolean details_delivered;
} CtMailEmulator;

static void
ct_emu_action_free (CtEmuAction *action)
{
  g_free (action->body);
  g_free (action->header_name);
  g_free (action->header_value);
  g_free (action);
}

static void
ct_emu_message_free (CtEmuMessage *m)
{
  g_free (m->subject);
  g_free (m->html);
  g_free (m->text);
  g_free (m->list_unsubscribe);
  g_free (m);
}

static void
ct_emu_stored_free (CtEmuStored *s)
{
  g_free (s->body);
  g_free (s->content_type);
  g_free (s->message_id_header);
  g_free (s->body_hash);
  g_free (s);
}

/* ---- answering ---------------------------------------------------------- */

typedef struct
{
  CtMailEmulator *emu;
  SoupServerMessage *msg;
  gboolean disconnected;
} CtEmuDelayed;

static void
ct_emu_on_disconnected (SoupServerMessage *msg,
                        CtEmuDelayed      *delayed)
{
  delayed->disconnected = TRUE;
}

static gboolean
ct_emu_unpause (gpointer data)
{
  CtEmuDelayed *delayed = data;

  g_signal_handlers_disconnect_by_func (delayed->msg, ct_emu_on_disconnected, delayed);
  if (!delayed->disconnected)
    soup_server_message_unpause (delayed->msg);
  g_mutex_lock (&delayed->emu->lock);
  delayed->emu->in_flight--;
  g_mutex_unlock (&delayed->emu->lock);
  g_object_unref (delayed->msg);
  g_free (delayed);
  return G_SOURCE_REMOVE;
}

/* Holds the answer (already set) back for @ms, as a slow server. */
static void
ct_emu_delay (CtMailEmulator    *emu,
              SoupServerMessage *msg,
              guint              ms)
{
  CtEmuDelayed *delayed = g_new0 (CtEmuDelayed, 1);
  GSource *source = g_timeout_source_new (ms);

  delayed->emu = emu;
  delayed->msg = g_object_ref (msg);
  g_signal_connect (msg, "disconnected", G_CALLBACK (ct_emu_on_disconnected), delayed);
  soup_server_message_pause (msg);
  g_source_set_callback (source, ct_emu_unpause, delayed, NULL);
  g_source_attach (source, emu->context);
  g_source_unref (source);
}

static void
ct_emu_respond (SoupServerMessage *msg,
                guint              status,
                const char        *content_type,
                const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  if (body != NULL)
    soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, body, strlen (body));
}

static void
ct_emu_violation (CtMailEmulator *emu,
                  const char     *format,
                  ...) G_GNUC_PRINTF (2, 3);

static void
ct_emu_violation (CtMailEmulator *emu,
                  const char     *format,
                  ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (emu->violations, g_strdup_vprintf (format, args));
  va_end (args);
}

/* The provider's error body for @status and @message. */
static char *
ct_emu_error_body (CtMailEmulator *emu,
                   guint           status,
                   const char     *message)
{
  g_autofree char *quoted = g_strescape (message, NULL);

  switch (emu->kind)
    {
    case CT_MAIL_PROVIDER_POSTMARK:
      return g_strdup_printf ("{\"ErrorCode\":%u,\"Message\":\"%s\"}",
                              status == 401 ? 10 : status == 429 ? 429 : 300, quoted);
    case CT_MAIL_PROVIDER_SENDGRID:
      return g_strdup_printf ("{\"errors\":[{\"field\":null,\"message\":\"%s\"}]}", quoted);
    case CT_MAIL_PROVIDER_MAILGUN:
      return g_strdup_printf ("{\"message\":\"%s\"}", quoted);
    case CT_MAIL_PROVIDER_BREVO:
      return g_strdup_printf ("{\"code\":\"%s\",\"message\":\"%s\"}",
                              status == 401 ? "unauthorized" : "invalid_parameter", quoted);
    case CT_MAIL_PROVIDER_RESEND:
    default:
      return g_strdup_printf ("{\"statusCode\":%u,\"message\":\"%s\",\"name\":\"%s\"}", status, quoted,
                              status == 401 ? "missing_api_key" : status == 429 ? "rate_limit_exceeded"
                              : "validation_error");
    }
}

static gboolean
ct_emu_check_auth (CtMailEmulator    *emu,
                   SoupServerMessage *msg)
{
  SoupMessageHeaders *h = soup_server_message_get_request_headers (msg);
  g_autofree char *expected = NULL;
  const char *got = NULL;

  switch (emu->kind)
    {
    case CT_MAIL_PROVIDER_POSTMARK:
      got = soup_message_headers_get_one (h, "X-Postmark-Server-Token");
      expected = g_strdup (emu->key);
      break;
    case CT_MAIL_PROVIDER_SENDGRID:
    case CT_MAIL_PROVIDER_RESEND:
      got = soup_message_headers_get_one (h, "Authorization");
      expected = g_strconcat ("Bearer ", emu->key, NULL);
      break;
    case CT_MAIL_PROVIDER_MAILGUN:
      {
        g_autofree char *pair = g_strconcat ("api:", emu->key, NULL);
        g_autofree char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
        got = soup_message_headers_get_one (h, "Authorization");
        expected = g_strconcat ("Basic ", encoded, NULL);
      }
      break;
    case CT_MAIL_PROVIDER_BREVO:
    default:
      got = soup_message_headers_get_one (h, "api-key");
      expected = g_strdup (emu->key);
      break;
    }
  if (g_strcmp0 (got, expected) == 0)
    return TRUE;
  {
    g_autofree char *body = ct_emu_error_body (emu, 401,
                                               emu->kind == CT_MAIL_PROVIDER_MAILGUN ? "Forbidden"
                                               : "The provided authorization grant is invalid");
    ct_emu_respond (msg, 401, "application/json", body);
  }
  return FALSE;
}

/* One recipient's message, as the provider would deliver it. */
static void
ct_emu_deliver (CtMailEmulator *emu,
                const char     *email,
                const char     *id,
                const char     *subject,
                const char     *html,
                const char     *text,
                const char     *list_unsubscribe)
{
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (emu->delivered, email));

  g_hash_table_replace (emu->delivered, g_ascii_strdown (email, -1), GUINT_TO_POINTER (count + 1));
  g_hash_table_replace (emu->message_ids, g_ascii_strdown (email, -1), g_strdup (id));
  if (emu->keep_messages)
    {
      CtEmuMessage *m = g_new0 (CtEmuMessage, 1);
      m->subject = g_strdup (subject);
      m->html = g_strdup (html);
      m->text = g_strdup (text);
      m->list_unsubscribe = g_strdup (list_unsubscribe);
      g_hash_table_replace (emu->messages, g_ascii_strdown (email, -1), m);
    }
}

static char *
ct_emu_new_id (CtMailEmulator *emu)
{
  return g_strdup_printf ("emu-%06" G_GINT64_FORMAT, ++emu->next_id);
}

static const char *
ct_emu_str (JsonObject *o,
            const char *name)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;
  return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
         ? json_node_get_string (n) : NULL;
}

static char *
ct_emu_replace_all (const char *text,
                    JsonObject *values,
                    const char *open,
                    const char *close)
{
  GString *out = g_string_new (text != NULL ? text : "");
  GList *names = values != NULL ? json_object_get_members (values) : NULL;

  for (GList *l = names; l != NULL; l = l->next)
    {
      g_autofree char *token = g_strconcat (open, (const char *) l->data, close, NULL);
      const char *value = ct_emu_str (values, l->data);
      if (value != NULL)
        g_string_replace (out, token, value, 0);
    }
  g_list_free (names);
  return g_string_free (out, FALSE);
}

/* Each provider's send endpoint. Returns the status; sets *response. */

static guint
ct_emu_postmark (CtMailEmulator *emu,
                 JsonNode       *root,
                 char          **response)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) g = json_generator_new ();
  g_autoptr(JsonNode) out = NULL;
  JsonArray *array;

  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      ct_emu_violation (emu, "postmark: the batch body is not a JSON array");
      *response = ct_emu_error_body (emu, 422, "Invalid JSON");
      return 422;
    }
  array = json_node_get_array (root);
  if (json_array_get_length (array) > 500 || json_array_get_length (array) == 0)
    {
      ct_emu_violation (emu, "postmark: %u messages in a batch", json_array_get_length (array));
      *response = g_strdup ("{\"ErrorCode\":410,\"Message\":\"Too many batch messages\"}");
      return 422;
    }
  emu->max_batch_seen = MAX (emu->max_batch_seen, json_array_get_length (array));
  json_builder_begin_array (b);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *m = json_array_get_object_element (array, i);
      const char *to = ct_emu_str (m, "To");
      g_autofree char *email = to != NULL ? ct_mail_address_of (to) : NULL;
      const char *reject = email != NULL ? g_hash_table_lookup (emu->rejects, email) : NULL;
      const char *list = NULL;
      JsonArray *headers = json_object_has_member (m, "Headers") ? json_object_get_array_member (m, "Headers") : NULL;

      for (guint k = 0; headers != NULL && k < json_array_get_length (headers); k++)
        if (g_strcmp0 (ct_emu_str (json_array_get_object_element (headers, k), "Name"), "List-Unsubscribe") == 0)
          list = ct_emu_str (json_array_get_object_element (headers, k), "Value");
      if (ct_emu_str (m, "From") == NULL || email == NULL || ct_emu_str (m, "Subject") == NULL
          || (ct_emu_str (m, "HtmlBody") == NULL && ct_emu_str (m, "TextBody") == NULL)
          || ct_emu_str (m, "MessageStream") == NULL || strchr (to, ',') != NULL)
        ct_emu_violation (emu, "postmark: message %u lacks From, To, Subject, a body or MessageStream", i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "To");
      json_builder_add_string_value (b, to != NULL ? to : "");
      json_builder_set_member_name (b, "SubmittedAt");
      json_builder_add_string_value (b, "2026-12-01T10:00:00.0000000-05:00");
      if (reject != NULL)
        {
          g_autofree char *text = g_strdup_printf ("You tried to send to recipient(s) that have been marked as inactive. Found inactive addresses: %s. Inactive recipients are ones that have generated a hard bounce, a spam complaint, or a manual suppression.", email);
          json_builder_set_member_name (b, "ErrorCode");
          json_builder_add_int_value (b, 406);
          json_builder_set_member_name (b, "Message");
          json_builder_add_string_value (b, text);
        }
      else
        {
          g_autofree char *id = ct_emu_new_id (emu);
          ct_emu_deliver (emu, email, id, ct_emu_str (m, "Subject"), ct_emu_str (m, "HtmlBody"),
                          ct_emu_str (m, "TextBody"), list);
          json_builder_set_member_name (b, "MessageID");
          json_builder_add_string_value (b, id);
          json_builder_set_member_name (b, "ErrorCode");
          json_builder_add_int_value (b, 0);
          json_builder_set_member_name (b, "Message");
          json_builder_add_string_value (b, "OK");
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  out = json_builder_get_root (b);
  json_generator_set_root (g, out);
  *response = json_generator_to_data (g, NULL);
  return 200;
}

static guint
ct_emu_sendgrid (CtMailEmulator *emu,
                 JsonNode       *root,
                 char          **response,
                 char          **message_id)
{
  JsonObject *o = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  JsonArray *ps = o != NULL && json_object_has_member (o, "personalizations")
                  ? json_object_get_array_member (o, "personalizations") : NULL;
  JsonArray *content = o != NULL && json_object_has_member (o, "content")
                       ? json_object_get_array_member (o, "content") : NULL;
  const char *html = NULL, *text = NULL;
  guint total = 0;

  if (ps == NULL || json_array_get_length (ps) == 0 || json_array_get_length (ps) > 1000
      || content == NULL || !json_object_has_member (o, "from"))
    {
      ct_emu_violation (emu, "sendgrid: personalizations 1..1000, from and content are required");
      *response = ct_emu_error_body (emu, 400, "The personalizations field is required and must have at least one personalization.");
      return 400;
    }
  for (guint i = 0; i < json_array_get_length (content); i++)
    {
      JsonObject *c = json_array_get_object_element (content, i);
      if (g_strcmp0 (ct_emu_str (c, "type"), "text/html") == 0)
        html = ct_emu_str (c, "value");
      else if (g_strcmp0 (ct_emu_str (c, "type"), "text/plain") == 0)
        text = ct_emu_str (c, "value");
    }
  /* A refused address refuses the whole request, naming it. */
  for (guint i = 0; i < json_array_get_length (ps); i++)
    {
      JsonObject *p = json_array_get_object_element (ps, i);
      JsonArray *to = json_object_get_array_member (p, "to");
      const char *email = ct_emu_str (json_array_get_object_element (to, 0), "email");

      total += json_array_get_length (to);
      if (email != NULL && g_hash_table_contains (emu->rejects, email))
        {
          *response = g_strdup_printf ("{\"errors\":[{\"message\":\"Does not contain a valid address.\","
                                       "\"field\":\"personalizations.%u.to\",\"help\":null}]}", i);
          return 400;
        }
    }
  if (total > 1000)
    {
      ct_emu_violation (emu, "sendgrid: %u recipients", total);
      *response = ct_emu_error_body (emu, 400, "There is a limit of 1000 total recipients (to + cc + bcc) per request.");
      return 400;
    }
  emu->max_batch_seen = MAX (emu->max_batch_seen, json_array_get_length (ps));
  *message_id = ct_emu_new_id (emu);
  for (guint i = 0; i < json_array_get_length (ps); i++)
    {
      JsonObject *p = json_array_get_object_element (ps, i);
      JsonObject *subs = json_object_has_member (p, "substitutions") ? json_object_get_object_member (p, "substitutions") : NULL;
      JsonObject *headers = json_object_has_member (p, "headers") ? json_object_get_object_member (p, "headers") : NULL;
      const char *email = ct_emu_str (json_array_get_object_element (json_object_get_array_member (p, "to"), 0), "email");
      g_autofree char *h = ct_emu_replace_all (html, subs, "", "");
      g_autofree char *t = ct_emu_replace_all (text, subs, "", "");
      const char *subject = ct_emu_str (p, "subject") ?: ct_emu_str (o, "subject");

      ct_emu_deliver (emu, email, *message_id, subject, h, t, ct_emu_str (headers, "List-Unsubscribe"));
    }
  *response = NULL;
  return 202;
}

static guint
ct_emu_mailgun (CtMailEmulator    *emu,
                SoupServerMessage *msg,
                const char        *path,
                char             **response)
{
  g_autofree char *expected = g_strdup_printf ("/v3/%s/messages", emu->domain);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(SoupMultipart) form = NULL;
  g_autoptr(GPtrArray) to = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *subject = NULL, *html = NULL, *text = NULL, *vars = NULL, *list = NULL, *from = NULL;
  JsonObject *variables = NULL;
  g_autofree char *id = NULL;

  if (g_strcmp0 (path, expected) != 0)
    {
      *response = g_strdup_printf ("{\"message\":\"Domain not found: %s\"}", path);
      return 404;
    }
  form = soup_multipart_new_from_message (soup_server_message_get_request_headers (msg), bytes);
  if (form == NULL)
    {
      ct_emu_violation (emu, "mailgun: the body is not multipart/form-data");
      *response = g_strdup ("{\"message\":\"from parameter is missing\"}");
      return 400;
    }
  for (int i = 0; i < soup_multipart_get_length (form); i++)
    {
      SoupMessageHeaders *h;
      GBytes *part;
      g_autoptr(GHashTable) params = NULL;
      const char *name;
      char *value;

      soup_multipart_get_part (form, i, &h, &part);
      if (!soup_message_headers_get_content_disposition (h, NULL, &params))
        continue;
      name = g_hash_table_lookup (params, "name");
      value = g_strndup (g_bytes_get_data (part, NULL), g_bytes_get_size (part));
      if (g_strcmp0 (name, "to") == 0)
        g_ptr_array_add (to, value);
      else if (g_strcmp0 (name, "subject") == 0)
        subject = value;
      else if (g_strcmp0 (name, "html") == 0)
        html = value;
      else if (g_strcmp0 (name, "text") == 0)
        text = value;
      else if (g_strcmp0 (name, "recipient-variables") == 0)
        vars = value;
      else if (g_strcmp0 (name, "h:List-Unsubscribe") == 0)
        list = value;
      else if (g_strcmp0 (name, "from") == 0)
        from = value;
      else
        g_free (value);
    }
  if (from == NULL)
    {
      *response = g_strdup ("{\"message\":\"from parameter is missing\"}");
      return 400;
    }
  if (to->len > 1000)
    {
      ct_emu_violation (emu, "mailgun: %u recipients", to->len);
      *response = g_strdup ("{\"message\":\"Too many recipients, max is 1000\"}");
      return 400;
    }
  if (vars == NULL || !json_parser_load_from_data (parser, vars, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      ct_emu_violation (emu, "mailgun: no valid recipient-variables for a batch");
      *response = g_strdup ("{\"message\":\"'recipient-variables' parameter is not a valid JSON\"}");
      return 400;
    }
  variables = json_node_get_object (json_parser_get_root (parser));
  emu->max_batch_seen = MAX (emu->max_batch_seen, to->len);
  {
    g_autofree char *bare = ct_emu_new_id (emu);
    id = g_strdup_printf ("<%s@%s>", bare, emu->domain);
  }
  for (guint i = 0; i < to->len; i++)
    {
      g_autofree char *email = ct_mail_address_of (g_ptr_array_index (to, i));
      JsonObject *mine = json_object_has_member (variables, email)
                         ? json_object_get_object_member (variables, email) : NULL;
      g_autofree char *s = ct_emu_replace_all (subject, mine, "%recipient.", "%");
      g_autofree char *h = ct_emu_replace_all (html, mine, "%recipient.", "%");
      g_autofree char *t = ct_emu_replace_all (text, mine, "%recipient.", "%");
      g_autofree char *l = ct_emu_replace_all (list, mine, "%recipient.", "%");

      if (mine == NULL)
        ct_emu_violation (emu, "mailgun: no recipient-variables for %s", email);
      ct_emu_deliver (emu, email, id, s, h, t, l);
    }
  *response = g_strdup_printf ("{\"id\":\"%s\",\"message\":\"Queued. Thank you.\"}", id);
  return 200;
}

static guint
ct_emu_brevo (CtMailEmulator *emu,
              JsonNode       *root,
              char          **response)
{
  JsonObject *o = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  JsonArray *versions = o != NULL && json_object_has_member (o, "messageVersions")
                        ? json_object_get_array_member (o, "messageVersions") : NULL;
  JsonObject *headers = o != NULL && json_object_has_member (o, "headers") ? json_object_get_object_member (o, "headers") : NULL;
  g_autoptr(GString) out = g_string_new ("{\"messageIds\":[");
  guint total = 0;

  if (o == NULL || !json_object_has_member (o, "sender") || ct_emu_str (o, "subject") == NULL
      || versions == NULL)
    {
      ct_emu_violation (emu, "brevo: sender, subject and messageVersions are required");
      *response = g_strdup ("{\"code\":\"missing_parameter\",\"message\":\"sender is missing\"}");
      return 400;
    }
  for (guint i = 0; i < json_array_get_length (versions); i++)
    {
      JsonArray *to = json_object_get_array_member (json_array_get_object_element (versions, i), "to");
      if (json_array_get_length (to) > 99)
        ct_emu_violation (emu, "brevo: a version with %u recipients", json_array_get_length (to));
      total += json_array_get_length (to);
    }
  if (total > 2000)
    {
      ct_emu_violation (emu, "brevo: %u recipients", total);
      *response = g_strdup ("{\"code\":\"invalid_parameter\",\"message\":\"Too many recipients\"}");
      return 400;
    }
  emu->max_batch_seen = MAX (emu->max_batch_seen, total);
  for (guint i = 0; i < json_array_get_length (versions); i++)
    {
      JsonObject *v = json_array_get_object_element (versions, i);
      JsonArray *to = json_object_get_array_member (v, "to");
      g_autofree char *bare = ct_emu_new_id (emu);
      g_autofree char *id = g_strdup_printf ("<%s@smtp-relay.mailin.fr>", bare);

      for (guint k = 0; k < json_array_get_length (to); k++)
        ct_emu_deliver (emu, ct_emu_str (json_array_get_object_element (to, k), "email"), id,
                        ct_emu_str (v, "subject") ?: ct_emu_str (o, "subject"),
                        ct_emu_str (v, "htmlContent") ?: ct_emu_str (o, "htmlContent"),
                        ct_emu_str (v, "textContent") ?: ct_emu_str (o, "textContent"),
                        ct_emu_str (headers, "List-Unsubscribe"));
      g_string_append_printf (out, "%s\"%s\"", i > 0 ? "," : "", id);
    }
  g_string_append (out, "]}");
  *response = g_strdup (out->str);
  return 201;
}

static guint
ct_emu_resend (CtMailEmulator *emu,
               JsonNode       *root,
               char          **response)
{
  JsonArray *array = root != NULL && JSON_NODE_HOLDS_ARRAY (root) ? json_node_get_array (root) : NULL;
  g_autoptr(GString) data = g_string_new ("{\"data\":[");
  g_autoptr(GString) errors = g_string_new ("");
  guint n_data = 0;

  if (array == NULL || json_array_get_length (array) == 0 || json_array_get_length (array) > 100)
    {
      ct_emu_violation (emu, "resend: the batch must be an array of 1..100 emails");
      *response = ct_emu_error_body (emu, 422, "The batch must have 1 to 100 emails");
      return 422;
    }
  emu->max_batch_seen = MAX (emu->max_batch_seen, json_array_get_length (array));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *m = json_array_get_object_element (array, i);
      JsonArray *to = json_object_has_member (m, "to") ? json_object_get_array_member (m, "to") : NULL;
      JsonObject *headers = json_object_has_member (m, "headers") ? json_object_get_object_member (m, "headers") : NULL;
      g_autofree char *email = NULL;

      if (to == NULL || json_array_get_length (to) == 0 || json_array_get_length (to) > 50
          || ct_emu_str (m, "from") == NULL || ct_emu_str (m, "subject") == NULL
          || json_object_has_member (m, "attachments"))
        {
          ct_emu_violation (emu, "resend: email %u lacks from/to/subject or has attachments", i);
          continue;
        }
      email = ct_mail_address_of (json_array_get_string_element (to, 0));
      if (g_hash_table_contains (emu->rejects, email))
        {
          g_string_append_printf (errors, "%s{\"index\":%u,\"message\":\"Invalid `to` field.\"}",
                                  errors->len > 0 ? "," : "", i);
          continue;
        }
      {
        g_autofree char *id = ct_emu_new_id (emu);
        ct_emu_deliver (emu, email, id, ct_emu_str (m, "subject"), ct_emu_str (m, "html"),
                        ct_emu_str (m, "text"), ct_emu_str (headers, "List-Unsubscribe"));
        g_string_append_printf (data, "%s{\"id\":\"%s\"}", n_data++ > 0 ? "," : "", id);
      }
    }
  g_string_append (data, "]");
  if (errors->len > 0)
    g_string_append_printf (data, ",\"errors\":[%s]", errors->str);
  g_string_append (data, "}");
  *response = g_strdup (data->str);
  return 200;
}

/* ---- pull endpoints ----------------------------------------------------- */

static char *
ct_emu_pull_answer (CtMailEmulator *emu,
                    const char     *path,
                    const char     *query)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gboolean first = TRUE;
  gboolean later_page = query != NULL && (strstr (query, "offset=") != NULL
                                          && strstr (query, "offset=0") == NULL);

#define EACH(list, want) \
  for (guint i_ = 0; i_ < (list)->len; i_++) \
    for (g_auto(GStrv) f_ = g_strsplit (g_ptr_array_index ((list), i_), "\t", 2); f_ != NULL; g_strfreev (f_), f_ = NULL) \
      if (g_strcmp0 (f_[0], (want)) == 0)
#define ID_OF(email) ((const char *) g_hash_table_lookup (emu->message_ids, (email)))
#define SEP (first ? (first = FALSE, "") : ",")

  switch (emu->kind)
    {
    case CT_MAIL_PROVIDER_POSTMARK:
      if (g_str_has_suffix (path, "/suppressions/dump"))
        {
          g_string_append (out, "{\"Suppressions\":[");
          EACH (emu->suppressions, "unsubscribed")
            g_string_append_printf (out, "%s{\"EmailAddress\":\"%s\",\"SuppressionReason\":\"ManualSuppression\",\"Origin\":\"Recipient\",\"CreatedAt\":\"2026-11-30T10:00:00-05:00\"}", SEP, f_[1]);
          EACH (emu->suppressions, "complained")
            g_string_append_printf (out, "%s{\"EmailAddress\":\"%s\",\"SuppressionReason\":\"SpamComplaint\",\"Origin\":\"Recipient\",\"CreatedAt\":\"2026-11-30T10:00:00-05:00\"}", SEP, f_[1]);
          g_string_append (out, "]}");
        }
      else if (g_str_equal (path, "/bounces"))
        {
          g_string_append (out, "{\"TotalCount\":1,\"Bounces\":[");
          if (!later_page)
            EACH (emu->suppressions, "bounced")
              g_string_append_printf (out, "%s{\"ID\":1,\"Type\":\"HardBounce\",\"Email\":\"%s\",\"MessageID\":\"%s\",\"BouncedAt\":\"2026-11-30T10:00:00-05:00\",\"Inactive\":true}",
                                      SEP, f_[1], ID_OF (f_[1]) ?: "x");
          g_string_append (out, "]}");
        }
      else if (g_str_has_prefix (path, "/messages/outbound/") && g_str_has_suffix (path, "/details"))
        {
          /* /messages/outbound/{MessageID}/details: the message and its
           * MessageEvents (PM-JS OutboundMessageDetails). */
          g_autofree char *id = g_strndup (path + strlen ("/messages/outbound/"),
                                           strlen (path) - strlen ("/messages/outbound/") - strlen ("/details"));
          GHashTableIter iter;
          gpointer email = NULL, value = NULL;
          const char *to = NULL;

          g_hash_table_iter_init (&iter, emu->message_ids);
          while (to == NULL && g_hash_table_iter_next (&iter, &email, &value))
            if (g_strcmp0 (value, id) == 0)
              to = email;
          if (to == NULL)
            return NULL;   /* 404, as Postmark answers for an unknown id */
          g_string_append_printf (out, "{\"MessageID\":\"%s\",\"Recipients\":[\"%s\"],\"Status\":\"Sent\","
                                  "\"MessageStream\":\"broadcast\",\"MessageEvents\":[", id, to);
          if (emu->details_delivered)
            g_string_append_printf (out, "{\"Recipient\":\"%s\",\"Type\":\"Delivered\",\"ReceivedAt\":\"2026-12-01T10:00:05-05:00\","
                                    "\"Details\":{\"DeliveryMessage\":\"250 OK\",\"DestinationServer\":\"mx.example\","
                                    "\"DestinationIP\":\"127.0.0.1\"}}", to);
          g_string_append (out, "]}");
        }
      else if (g_str_has_prefix (path, "/messages/outbound/"))
        {
          gboolean opens = g_str_has_suffix (path, "opens");
          g_string_append_printf (out, "{\"TotalCount\":1,\"%s\":[", opens ? "Opens" : "Clicks");
          if (!later_page)
            EACH (emu->events, opens ? "opened" : "clicked")
              g_string_append_printf (out, "%s{\"Recipient\":\"%s\",\"MessageID\":\"%s\",\"ReceivedAt\":\"2099-01-01T10:00:00Z\"}",
                                      SEP, f_[1], ID_OF (f_[1]) ?: "x");
          g_string_append (out, "]}");
        }
      break;
    case CT_MAIL_PROVIDER_SENDGRID:
      if (g_str_has_prefix (path, "/v3/suppression/"))
        {
          const char *want = g_str_has_suffix (path, "unsubscribes") ? "unsubscribed"
                             : g_str_has_suffix (path, "bounces") ? "bounced" : "complained";
          g_string_append (out, "[");
          if (!later_page)
            EACH (emu->suppressions, want)
              g_string_append_printf (out, "%s{\"email\":\"%s\",\"created\":1764500000}", SEP, f_[1]);
          g_string_append (out, "]");
        }
      else if (g_str_equal (path, "/v3/messages") && emu->no_email_activity)
        return g_strdup ("\001" "403");
      else if (g_str_equal (path, "/v3/messages"))
        {
          g_string_append (out, "{\"messages\":[");
          EACH (emu->events, "opened")
            g_string_append_printf (out, "%s{\"msg_id\":\"%s.filter0001.1.0\",\"to_email\":\"%s\",\"status\":\"delivered\",\"opens_count\":1,\"clicks_count\":0,\"last_event_time\":\"2099-01-01T10:00:00Z\"}",
                                    SEP, ID_OF (f_[1]) ?: "x", f_[1]);
          g_string_append (out, "]}");
        }
      break;
    case CT_MAIL_PROVIDER_MAILGUN:
      if (g_str_has_suffix (path, "/unsubscribes") || g_str_has_suffix (path, "/bounces")
          || g_str_has_suffix (path, "/complaints"))
        {
          const char *want = g_str_has_suffix (path, "unsubscribes") ? "unsubscribed"
                             : g_str_has_suffix (path, "bounces") ? "bounced" : "complained";
          g_string_append (out, "{\"items\":[");
          if (query == NULL || strstr (query, "page=next") == NULL)
            EACH (emu->suppressions, want)
              g_string_append_printf (out, "%s{\"address\":\"%s\",\"created_at\":\"Sun, 30 Nov 2026 10:00:00 UTC\"}", SEP, f_[1]);
          g_string_append_printf (out, "],\"paging\":{\"next\":\"https://api.mailgun.net%s?page=next&limit=1000\"}}", path);
        }
      else if (g_str_has_suffix (path, "/events"))
        {
          g_string_append (out, "{\"items\":[");
          if (query == NULL || strstr (query, "page=next") == NULL)
            EACH (emu->events, "opened")
              {
                g_autofree char *bare = g_strndup (ID_OF (f_[1]) ? ID_OF (f_[1]) + 1 : "x>", ID_OF (f_[1]) ? strlen (ID_OF (f_[1])) - 2 : 1);
                g_string_append_printf (out, "%s{\"event\":\"opened\",\"recipient\":\"%s\",\"timestamp\":4070944800.5,\"message\":{\"headers\":{\"message-id\":\"%s\"}}}",
                                        SEP, f_[1], bare);
              }
          g_string_append_printf (out, "],\"paging\":{\"next\":\"https://api.mailgun.net%s?page=next\"}}", path);
        }
      break;
    case CT_MAIL_PROVIDER_BREVO:
      if (g_str_equal (path, "/v3/smtp/blockedContacts"))
        {
          g_string_append (out, "{\"contacts\":[");
          if (!later_page)
            {
              EACH (emu->suppressions, "unsubscribed")
                g_string_append_printf (out, "%s{\"email\":\"%s\",\"senderEmail\":\"a@b\",\"reason\":{\"code\":\"unsubscribedViaEmail\",\"message\":\"x\"},\"blockedAt\":\"2026-11-30T10:00:00Z\"}", SEP, f_[1]);
              EACH (emu->suppressions, "bounced")
                g_string_append_printf (out, "%s{\"email\":\"%s\",\"senderEmail\":\"a@b\",\"reason\":{\"code\":\"hardBounce\",\"message\":\"x\"},\"blockedAt\":\"2026-11-30T10:00:00Z\"}", SEP, f_[1]);
              EACH (emu->suppressions, "complained")
                g_string_append_printf (out, "%s{\"email\":\"%s\",\"senderEmail\":\"a@b\",\"reason\":{\"code\":\"contactFlaggedAsSpam\",\"message\":\"x\"},\"blockedAt\":\"2026-11-30T10:00:00Z\"}", SEP, f_[1]);
            }
          g_string_append (out, "],\"count\":0}");
        }
      else if (g_str_equal (path, "/v3/smtp/statistics/events"))
        {
          g_string_append (out, "{\"events\":[");
          if (!later_page)
            EACH (emu->events, "opened")
              g_string_append_printf (out, "%s{\"email\":\"%s\",\"date\":\"2099-01-01T10:00:00Z\",\"messageId\":\"%s\",\"event\":\"opened\"}",
                                      SEP, f_[1], ID_OF (f_[1]) ?: "x");
          g_string_append (out, "]}");
        }
      break;
    case CT_MAIL_PROVIDER_RESEND:
    default:
      if (g_str_equal (path, "/suppressions"))
        {
          const char *want = strstr (query != NULL ? query : "", "bounce") ? "bounced"
                             : strstr (query != NULL ? query : "", "complaint") ? "complained" : "unsubscribed";
          g_string_append (out, "{\"object\":\"list\",\"data\":[");
          EACH (emu->suppressions, want)
            g_string_append_printf (out, "%s{\"email\":\"%s\",\"created_at\":\"2026-11-30T10:00:00Z\"}", SEP, f_[1]);
          g_string_append (out, "]}");
        }
      else if (g_str_equal (path, "/emails"))
        {
          g_string_append (out, "{\"object\":\"list\",\"has_more\":false,\"data\":[");
          if (query == NULL || strstr (query, "after=") == NULL)
            EACH (emu->events, "opened")
              g_string_append_printf (out, "%s{\"id\":\"%s\",\"to\":[\"%s\"],\"last_event\":\"opened\",\"created_at\":\"2099-01-01T10:00:00Z\"}",
                                      SEP, ID_OF (f_[1]) ?: "x", f_[1]);
          g_string_append (out, "]}");
        }
      break;
    }
#undef EACH
#undef ID_OF
#undef SEP
  return out->len > 0 ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

/* ---- the handler -------------------------------------------------------- */

static gboolean
ct_emu_is_send (CtMailEmulator *emu,
                const char     *method,
                const char     *path)
{
  if (g_strcmp0 (method, "POST") != 0)
    return FALSE;
  switch (emu->kind)
    {
    case CT_MAIL_PROVIDER_POSTMARK: return g_str_equal (path, "/email/batch");
    case CT_MAIL_PROVIDER_SENDGRID: return g_str_equal (path, "/v3/mail/send");
    case CT_MAIL_PROVIDER_MAILGUN: return g_str_has_suffix (path, "/messages");
    case CT_MAIL_PROVIDER_BREVO: return g_str_equal (path, "/v3/smtp/email");
    case CT_MAIL_PROVIDER_RESEND: default: return g_str_equal (path, "/emails/batch");
    }
}

static gboolean
ct_emu_is_test (CtMailEmulator *emu,
                const char     *path)
{
  switch (emu->kind)
    {
    case CT_MAIL_PROVIDER_POSTMARK: return g_str_equal (path, "/server");
    case CT_MAIL_PROVIDER_SENDGRID: return g_str_equal (path, "/v3/scopes");
    case CT_MAIL_PROVIDER_MAILGUN: return g_str_has_prefix (path, "/v3/domains/");
    case CT_MAIL_PROVIDER_BREVO: return g_str_equal (path, "/v3/account");
    case CT_MAIL_PROVIDER_RESEND: default: return g_str_equal (path, "/domains");
    }
}

static void
ct_emu_handler (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query_table,
                gpointer           user_data)
{
  CtMailEmulator *emu = user_data;
  const char *method = soup_server_message_get_method (msg);
  SoupMessageBody *request = soup_server_message_get_request_body (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root = NULL;
  g_autofree char *response = NULL;
  g_autofree char *message_id = NULL;
  g_autofree char *key = NULL;
  g_autofree char *hash = NULL;
  CtEmuAction *action = NULL;
  guint status;
  guint delay;

  g_mutex_lock (&emu->lock);
  /* The benchmark's baseline: a request with nothing to do. */
  if (g_str_equal (path, "/bare"))
    {
      ct_emu_respond (msg, 200, "application/json", "{}");
      goto delay;
    }
  if (!ct_emu_check_auth (emu, msg))
    goto out;

  if (!ct_emu_is_send (emu, method, path))
    {
      if (g_strcmp0 (method, "GET") == 0 && ct_emu_is_test (emu, path))
        ct_emu_respond (msg, 200, "application/json", "{}");
      else if (g_strcmp0 (method, "GET") == 0
               && (response = ct_emu_pull_answer (emu, path, g_uri_get_query (uri))) != NULL)
        {
          /* "\x01STATUS": an error answer of the pull endpoints. */
          if (response[0] == '\x01')
            ct_emu_respond (msg, (guint) g_ascii_strtoull (response + 1, NULL, 10), "application/json",
                            "{\"errors\":[{\"field\":null,\"message\":\"authorization required\"}]}");
          else
            ct_emu_respond (msg, 200, "application/json", response);
        }
      else
        ct_emu_respond (msg, 404, "application/json", "{\"message\":\"not found\"}");
      goto out;
    }

  emu->send_requests++;
  if (emu->light)
    {
      static const char * const markers[] = {
        "\"MessageStream\"", "\"custom_args\"", "name=\"to\"", "\"htmlContent\"", "\"tags\"",
      };
      g_autoptr(GString) out = g_string_new (NULL);
      const char *p = request->data;
      const char *end = request->data + request->length;
      const char *marker = markers[emu->kind];
      gsize mlen = strlen (marker);
      guint n = 0;

      while ((p = memmem (p, end - p, marker, mlen)) != NULL)
        {
          n++;
          p += mlen;
        }
      if (emu->kind == CT_MAIL_PROVIDER_BREVO && n > 0)
        n--;
      emu->light_messages += n;
      emu->max_batch_seen = MAX (emu->max_batch_seen, n);
      switch (emu->kind)
        {
        case CT_MAIL_PROVIDER_POSTMARK:
          g_string_append_c (out, '[');
          for (guint i = 0; i < n; i++)
            g_string_append_printf (out, "%s{\"To\":\"x\",\"MessageID\":\"emu-%u\",\"ErrorCode\":0,\"Message\":\"OK\"}",
                                    i > 0 ? "," : "", i);
          g_string_append_c (out, ']');
          ct_emu_respond (msg, 200, "application/json", out->str);
          break;
        case CT_MAIL_PROVIDER_SENDGRID:
          soup_server_message_set_status (msg, 202, NULL);
          soup_message_headers_replace (soup_server_message_get_response_headers (msg), "X-Message-Id", "emu-light");
          break;
        case CT_MAIL_PROVIDER_MAILGUN:
          ct_emu_respond (msg, 200, "application/json", "{\"id\":\"<emu-light@mg.example.com>\",\"message\":\"Queued. Thank you.\"}");
          break;
        case CT_MAIL_PROVIDER_BREVO:
          g_string_append (out, "{\"messageIds\":[");
          for (guint i = 0; i < n; i++)
            g_string_append_printf (out, "%s\"<emu-%u@smtp-relay.mailin.fr>\"", i > 0 ? "," : "", i);
          g_string_append (out, "]}");
          ct_emu_respond (msg, 201, "application/json", out->str);
          break;
        case CT_MAIL_PROVIDER_RESEND:
        default:
          g_string_append (out, "{\"data\":[");
          for (guint i = 0; i < n; i++)
            g_string_append_printf (out, "%s{\"id\":\"emu-%u\"}", i > 0 ? "," : "", i);
          g_string_append (out, "]}");
          ct_emu_respond (msg, 200, "application/json", out->str);
          break;
        }
      goto delay;
    }
  if (request->length > 0 && emu->kind != CT_MAIL_PROVIDER_MAILGUN
      && json_parser_load_from_data (parser, request->data, request->length, NULL))
    root = json_parser_get_root (parser);
  else if (emu->kind != CT_MAIL_PROVIDER_MAILGUN)
    ct_emu_violation (emu, "the send body is not JSON");

  /* Idempotency: Resend's header, Brevo's key in the body's headers. */
  if (emu->kind == CT_MAIL_PROVIDER_RESEND)
    key = g_strdup (soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Idempotency-Key"));
  else if (emu->kind == CT_MAIL_PROVIDER_BREVO && root != NULL && JSON_NODE_HOLDS_OBJECT (root)
           && json_object_has_member (json_node_get_object (root), "headers"))
    key = g_strdup (ct_emu_str (json_object_get_object_member (json_node_get_object (root), "headers"), "idempotencyKey"));
  if (key != NULL)
    {
      CtEmuStored *stored;

      if (strlen (key) > 256)
        ct_emu_violation (emu, "an idempotency key of %zu characters", strlen (key));
      hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) request->data, request->length);
      stored = g_hash_table_lookup (emu->stored, key);
      if (stored != NULL)
        {
          if (!g_str_equal (stored->body_hash, hash))
            {
              if (emu->kind == CT_MAIL_PROVIDER_RESEND)
                ct_emu_respond (msg, 409, "application/json",
                                "{\"statusCode\":409,\"message\":\"Same idempotency key used with a different request payload\",\"name\":\"invalid_idempotent_request\"}");
              else
                ct_emu_respond (msg, 400, "application/json",
                                "{\"code\":\"duplicate_request\",\"message\":\"Duplicate request\"}");
              ct_emu_violation (emu, "the same idempotency key with a different body");
              goto out;
            }
          emu->replays++;
          ct_emu_respond (msg, stored->status, stored->content_type, stored->body);
          goto delay;
        }
    }
  else if (emu->kind == CT_MAIL_PROVIDER_RESEND || emu->kind == CT_MAIL_PROVIDER_BREVO)
    ct_emu_violation (emu, "a batch without an idempotency key");

  action = g_queue_pop_head (&emu->script);
  if (action != NULL && (action->kind == CT_EMU_STATUS || action->kind == CT_EMU_HTML_ERROR))
    {
      if (action->header_name != NULL)
        soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                      action->header_name, action->header_value);
      if (action->kind == CT_EMU_HTML_ERROR)
        ct_emu_respond (msg, action->status, "text/html",
                        "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
                        "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>");
      else
        {
          g_autofree char *body = action->body != NULL ? g_strdup (action->body)
                                  : ct_emu_error_body (emu, action->status, "scripted failure");
          ct_emu_respond (msg, action->status, "application/json", body);
        }
      goto delay;
    }

  switch (emu->kind)
    {
    case CT_MAIL_PROVIDER_POSTMARK:
      status = ct_emu_postmark (emu, root, &response);
      break;
    case CT_MAIL_PROVIDER_SENDGRID:
      status = ct_emu_sendgrid (emu, root, &response, &message_id);
      break;
    case CT_MAIL_PROVIDER_MAILGUN:
      status = ct_emu_mailgun (emu, msg, path, &response);
      break;
    case CT_MAIL_PROVIDER_BREVO:
      status = ct_emu_brevo (emu, root, &response);
      break;
    case CT_MAIL_PROVIDER_RESEND:
    default:
      status = ct_emu_resend (emu, root, &response);
      break;
    }
  ct_emu_respond (msg, status, "application/json", response);
  if (message_id != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "X-Message-Id", message_id);
  if (key != NULL && SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      CtEmuStored *stored = g_new0 (CtEmuStored, 1);
      stored->status = status;
      stored->body = g_strdup (response);
      stored->content_type = g_strdup ("application/json");
      stored->body_hash = g_steal_pointer (&hash);
      g_hash_table_replace (emu->stored, g_strdup (key), stored);
    }
  if (action != NULL && action->kind == CT_EMU_GARBLED)
    ct_emu_respond (msg, 200, "application/json", "{\"data\": [ {\"id\": ");

delay:
  delay = action != NULL && action->kind == CT_EMU_SLOW ? action->delay_ms : emu->latency_ms;
  if (action == NULL && emu->latency_jitter_ms > 0)
    delay += g_random_int_range (0, emu->latency_jitter_ms + 1);
  if (delay > 0)
    {
      emu->in_flight++;
      emu->max_in_flight = MAX (emu->max_in_flight, emu->in_flight);
      ct_emu_delay (emu, msg, delay);
    }
out:
  if (action != NULL)
    ct_emu_action_free (action);
  g_mutex_unlock (&emu->lock);
}

static gpointer
ct_emu_thread (gpointer data)
{
  CtMailEmulator *emu = data;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (emu->context);
  emu->server = soup_server_new ("server-header", "emulator", NULL);
  soup_server_add_handler (emu->server, NULL, ct_emu_handler, emu, NULL);
  soup_server_listen_local (emu->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (emu->server);
  {
    g_autofree char *url = g_uri_to_string (uris->data);
    gsize len = strlen (url);
    while (len > 0 && url[len - 1] == '/')
      url[--len] = '\0';
    g_mutex_lock (&emu->lock);
    emu->base_url = g_strdup (url);
    emu->started = TRUE;
    g_cond_signal (&emu->ready);
    g_mutex_unlock (&emu->lock);
  }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_main_loop_run (emu->loop);
  soup_server_disconnect (emu->server);
  g_clear_object (&emu->server);
  /* Sources left (delayed answers) go with the context. */
  while (g_main_context_iteration (emu->context, FALSE))
    ;
  g_main_context_pop_thread_default (emu->context);
  return NULL;
}

static CtMailEmulator *
ct_mail_emulator_new (CtMailProviderKind kind,
                      const char        *key)
{
  CtMailEmulator *emu = g_new0 (CtMailEmulator, 1);

  emu->kind = kind;
  emu->key = g_strdup (key);
  emu->domain = g_strdup ("mg.example.com");
  g_mutex_init (&emu->lock);
  g_cond_init (&emu->ready);
  emu->delivered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  emu->message_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  emu->messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) ct_emu_message_free);
  emu->rejects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  emu->stored = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) ct_emu_stored_free);
  emu->violations = g_ptr_array_new_with_free_func (g_free);
  emu->suppressions = g_ptr_array_new_with_free_func (g_free);
  emu->events = g_ptr_array_new_with_free_func (g_free);
  g_queue_init (&emu->script);
  emu->context = g_main_context_new ();
  emu->loop = g_main_loop_new (emu->context, FALSE);
  emu->thread = g_thread_new ("mail-emulator", ct_emu_thread, emu);
  g_mutex_lock (&emu->lock);
  while (!emu->started)
    g_cond_wait (&emu->ready, &emu->lock);
  g_mutex_unlock (&emu->lock);
  return emu;
}

static gboolean
ct_emu_quit (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
ct_mail_emulator_free (CtMailEmulator *emu)
{
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, ct_emu_quit, emu->loop, NULL);
  g_source_attach (source, emu->context);
  g_source_unref (source);
  g_thread_join (emu->thread);
  g_main_loop_unref (emu->loop);
  g_main_context_unref (emu->context);
  g_hash_table_unref (emu->delivered);
  g_hash_table_unref (emu->message_ids);
  g_hash_table_unref (emu->messages);
  g_hash_table_unref (emu->rejects);
  g_hash_table_unref (emu->stored);
  g_ptr_array_unref (emu->violations);
  g_ptr_array_unref (emu->suppressions);
  g_ptr_array_unref (emu->events);
  g_queue_clear_full (&emu->script, (GDestroyNotify) ct_emu_action_free);
  g_mutex_clear (&emu->lock);
  g_cond_clear (&emu->ready);
  g_free (emu->key);
  g_free (emu->domain);
  g_free (emu->base_url);
  g_free (emu);
}

/* Scripts the next send request. */
G_GNUC_UNUSED static void
ct_mail_emulator_script (CtMailEmulator *emu,
                         CtEmuKind       kind,
                         guint           status,
                         const char     *body,
                         const char     *header_name,
                         const char     *header_value,
                         guint           delay_ms)
{
  CtEmuAction *action = g_new0 (CtEmuAction, 1);

  action->kind = kind;
  action->status = status;
  action->body = g_strdup (body);
  action->header_name = g_strdup (header_name);
  action->header_value = g_strdup (header_value);
  action->delay_ms = delay_ms;
  g_mutex_lock (&emu->lock);
  g_queue_push_tail (&emu->script, action);
  g_mutex_unlock (&emu->lock);
}

G_GNUC_UNUSED static guint
ct_mail_emulator_delivered (CtMailEmulator *emu,
                            const char     *email)
{
  g_autofree char *lower = g_ascii_strdown (email, -1);
  guint n;

  g_mutex_lock (&emu->lock);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (emu->delivered, lower));
  g_mutex_unlock (&emu->lock);
  return n;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtMailEmulator, ct_mail_emulator_free)
