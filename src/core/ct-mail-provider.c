/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-mail-provider.c: one interface to the mail providers' HTTP APIs
 *
 * The base class does what every provider shares: building URLs from a
 * base URL that is a setting (regions, local test servers), sending,
 * sorting the answer into per-recipient outcomes, and the answers that
 * mean the same everywhere: 401/403 stop the sending, 429 and 5xx are
 * retried later (after the provider's Retry-After or reset header when
 * it gives one), and no answer at all is sorted by whether the request
 * had left: if it had not, nothing was sent and it can be retried; if
 * it had, the provider may have sent it, so it is repeated only with an
 * idempotency key (Resend, Brevo) and otherwise reported as unknown.
 * Each provider (ct-mail-providers.c) builds its request and reads its
 * own per-recipient answer.
 *
 * The API key is set on requests and never copied into a message:
 * every text that comes back from a provider goes through
 * ct_mail_provider_redact() before it reaches an error.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-mail-provider.h"

G_DEFINE_QUARK (ct-mail-error-quark, ct_mail_error)

static const struct
{
  const char *name;
  const char *display;
} kinds[CT_MAIL_N_PROVIDERS] = {
  { "postmark", "Postmark" },
  { "sendgrid", "SendGrid" },
  { "mailgun", "Mailgun" },
  { "brevo", "Brevo" },
  { "resend", "Resend" },
};

gboolean
ct_mail_provider_kind_from_name (const char         *name,
                                 CtMailProviderKind *out_kind)
{
  for (guint i = 0; i < CT_MAIL_N_PROVIDERS; i++)
    if (name != NULL && g_ascii_strcasecmp (name, kinds[i].name) == 0)
      {
        *out_kind = i;
        return TRUE;
      }
  return FALSE;
}

const char *
ct_mail_provider_kind_to_name (CtMailProviderKind kind)
{
  g_return_val_if_fail (kind < CT_MAIL_N_PROVIDERS, NULL);
  return kinds[kind].name;
}

const char *
ct_mail_provider_kind_display_name (CtMailProviderKind kind)
{
  g_return_val_if_fail (kind < CT_MAIL_N_PROVIDERS, NULL);
  return kinds[kind].display;
}

static const char * const event_names[] = {
  "unsubscribed", "bounced", "complained", "delivered", "opened", "clicked",
};

const char *
ct_mail_event_type_to_name (CtMailEventType type)
{
  g_return_val_if_fail (type < G_N_ELEMENTS (event_names), NULL);
  return event_names[type];
}

CtMailRecipient *
ct_mail_recipient_new (void)
{
  return g_new0 (CtMailRecipient, 1);
}

void
ct_mail_recipient_free (CtMailRecipient *self)
{
  if (self == NULL)
    return;
  g_free (self->email);
  g_free (self->name);
  for (guint i = 0; i < CT_MAIL_N_FIELDS; i++)
    g_free (self->values[i]);
  g_free (self->one_click_url);
  g_free (self);
}

CtMailBatch *
ct_mail_batch_new (void)
{
  CtMailBatch *self = g_new0 (CtMailBatch, 1);

  self->recipients = g_ptr_array_new_with_free_func ((GDestroyNotify) ct_mail_recipient_free);
  return self;
}

void
ct_mail_batch_free (CtMailBatch *self)
{
  if (self == NULL)
    return;
  g_free (self->from);
  g_free (self->reply_to);
  g_free (self->idempotency_key);
  g_ptr_array_unref (self->recipients);
  g_free (self);
}

char *
ct_mail_address_of (const char *mailbox)
{
  const char *open = strrchr (mailbox, '<');
  const char *close;

  if (open != NULL && (close = strchr (open, '>')) != NULL)
    return g_strndup (open + 1, close - open - 1);
  return g_strstrip (g_strdup (mailbox));
}

char *
ct_mail_batch_list_unsubscribe (const CtMailBatch     *batch,
                                const CtMailRecipient *recipient)
{
  g_autofree char *sender = ct_mail_address_of (batch->from);

  /* Once per recipient: concatenated, not formatted. */
  if (recipient->one_click_url != NULL)
    return g_strconcat ("<", recipient->one_click_url, ">, <mailto:", sender,
                        "?subject=unsubscribe>", NULL);
  return g_strconcat ("<mailto:", sender, "?subject=unsubscribe>", NULL);
}

void
ct_mail_result_clear (CtMailResult *result)
{
  g_clear_pointer (&result->message_id, g_free);
  g_clear_pointer (&result->reason, g_free);
  result->outcome = CT_MAIL_OUTCOME_SENT;
  result->retry_after_ms = 0;
}

typedef struct
{
  char *base_url;
  char *api_key;
  char *domain;
  char *stream;
  guint timeout;
  gboolean activity_unavailable;
} CtMailProviderPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (CtMailProvider, ct_mail_provider, G_TYPE_OBJECT)

static void
ct_mail_provider_finalize (GObject *object)
{
  CtMailProviderPrivate *priv = ct_mail_provider_get_instance_private (CT_MAIL_PROVIDER (object));

  g_free (priv->base_url);
  if (priv->api_key != NULL)
    {
      /* Not left in freed memory for a core dump to show. */
      explicit_bzero (priv->api_key, strlen (priv->api_key));
      g_free (priv->api_key);
    }
  g_free (priv->domain);
  g_free (priv->stream);

  G_OBJECT_CLASS (ct_mail_provider_parent_class)->finalize (object);
}

static const char *
no_placeholder (CtMailProvider *self)
{
  return NULL;
}

static void
ct_mail_provider_class_init (CtMailProviderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ct_mail_provider_finalize;
  klass->unsubscribe_placeholder = no_placeholder;
}

static void
ct_mail_provider_init (CtMailProvider *self)
{
  CtMailProviderPrivate *priv = ct_mail_provider_get_instance_private (self);

  priv->timeout = 30;
  priv->stream = g_strdup ("broadcast");
}

static GType
kind_type (CtMailProviderKind kind)
{
  switch (kind)
    {
    case CT_MAIL_PROVIDER_POSTMARK: return ct_mail_postmark_get_type ();
    case CT_MAIL_PROVIDER_SENDGRID: return ct_mail_sendgrid_get_type ();
    case CT_MAIL_PROVIDER_MAILGUN: return ct_mail_mailgun_get_type ();
    case CT_MAIL_PROVIDER_BREVO: return ct_mail_brevo_get_type ();
    case CT_MAIL_PROVIDER_RESEND: return ct_mail_resend_get_type ();
    case CT_MAIL_N_PROVIDERS: default: break;
    }
  g_return_val_if_reached (G_TYPE_INVALID);
}

CtMailProvider *
ct_mail_provider_new (CtMailProviderKind  kind,
                      const char         *base_url,
                      const char         *api_key)
{
  CtMailProvider *self = g_object_new (kind_type (kind), NULL);
  CtMailProviderPrivate *priv = ct_mail_provider_get_instance_private (self);
  const char *url = base_url != NULL && *base_url != '\0'
                    ? base_url : CT_MAIL_PROVIDER_GET_CLASS (self)->default_base_url;
  gsize len = strlen (url);

  /* "https://api.example/" and "https://api.example" mean the same. */
  while (len > 0 && url[len - 1] == '/')
    len--;
  priv->base_url = g_strndup (url, len);
  priv->api_key = g_strdup (api_key != NULL ? api_key : "");
  return self;
}

#define PRIV(self) ((CtMailProviderPrivate *) ct_mail_provider_get_instance_private (self))

CtMailProviderKind
ct_mail_provider_get_kind (CtMailProvider *self)
{
  return CT_MAIL_PROVIDER_GET_CLASS (self)->kind;
}

const char *
ct_mail_provider_get_base_url (CtMailProvider *self)
{
  return PRIV (self)->base_url;
}

void
ct_mail_provider_set_domain (CtMailProvider *self,
                             const char     *domain)
{
  g_free (PRIV (self)->domain);
  PRIV (self)->domain = g_strdup (domain);
}

const char *
ct_mail_provider_get_domain (CtMailProvider *self)
{
  return PRIV (self)->domain;
}

void
ct_mail_provider_set_stream (CtMailProvider *self,
                             const char     *stream)
{
  g_free (PRIV (self)->stream);
  PRIV (self)->stream = g_strdup (stream != NULL && *stream != '\0' ? stream : "broadcast");
}

const char *
ct_mail_provider_get_stream (CtMailProvider *self)
{
  return PRIV (self)->stream;
}

void
ct_mail_provider_set_timeout (CtMailProvider *self,
                              guint           seconds)
{
  PRIV (self)->timeout = MAX (seconds, 1);
}

guint
ct_mail_provider_get_timeout (CtMailProvider *self)
{
  return PRIV (self)->timeout;
}

guint
ct_mail_provider_get_max_batch (CtMailProvider *self)
{
  return CT_MAIL_PROVIDER_GET_CLASS (self)->max_batch;
}

gsize
ct_mail_provider_get_max_batch_bytes (CtMailProvider *self)
{
  return CT_MAIL_PROVIDER_GET_CLASS (self)->max_batch_bytes;
}

double
ct_mail_provider_get_default_rate (CtMailProvider *self)
{
  return CT_MAIL_PROVIDER_GET_CLASS (self)->default_rate;
}

gboolean
ct_mail_provider_is_idempotent (CtMailProvider *self)
{
  return CT_MAIL_PROVIDER_GET_CLASS (self)->idempotent;
}

gint64
ct_mail_provider_get_idempotency_ttl (CtMailProvider *self)
{
  return CT_MAIL_PROVIDER_GET_CLASS (self)->idempotency_ttl;
}

const char *
ct_mail_provider_get_unsubscribe_placeholder (CtMailProvider *self)
{
  return CT_MAIL_PROVIDER_GET_CLASS (self)->unsubscribe_placeholder (self);
}

/* Only for the implementations, which set it on their requests. */
const char *ct_mail_provider_get_api_key (CtMailProvider *self);

const char *
ct_mail_provider_get_api_key (CtMailProvider *self)
{
  return PRIV (self)->api_key;
}

SoupSession *
ct_mail_provider_new_session (CtMailProvider *self)
{
  return soup_session_new_with_options ("timeout", PRIV (self)->timeout,
                                        "user-agent", "Clientele/" PACKAGE_VERSION,
                                        NULL);
}

char *
ct_mail_provider_redact (CtMailProvider *self,
                         const char     *text)
{
  const char *key = PRIV (self)->api_key;
  g_autoptr(GString) out = g_string_new (text != NULL ? text : "");

  /* Short keys would blank out ordinary words; no provider issues one. */
  if (key != NULL && strlen (key) >= 4)
    g_string_replace (out, key, "…", 0);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

SoupMessage *
ct_mail_provider_new_message (CtMailProvider  *self,
                              const char      *method,
                              const char      *path,
                              GError         **error)
{
  g_autofree char *url = g_strconcat (PRIV (self)->base_url, path, NULL);
  g_autoptr(GUri) uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  SoupMessage *msg;

  if (uri == NULL
      || (g_strcmp0 (g_uri_get_scheme (uri), "https") != 0
          && g_strcmp0 (g_uri_get_scheme (uri), "http") != 0))
    {
      g_set_error (error, CT_MAIL_ERROR, CT_MAIL_ERROR_SETTINGS,
                   _("The %s base URL “%s” is not an http or https address"),
                   ct_mail_provider_kind_display_name (ct_mail_provider_get_kind (self)),
                   PRIV (self)->base_url);
      return NULL;
    }
  msg = soup_message_new_from_uri (method, uri);
  soup_message_headers_replace (soup_message_get_request_headers (msg),
                                "Accept", "application/json");
  CT_MAIL_PROVIDER_GET_CLASS (self)->authorize (self, msg);
  return msg;
}

gint64
ct_mail_parse_time (const char *text)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  char *end = NULL;
  gint64 n;

  if (text == NULL || *text == '\0')
    return 0;
  n = g_ascii_strtoll (text, &end, 10);
  if (end != NULL && *end == '\0' && end != text)
    return n;
  dt = g_date_time_new_from_iso8601 (text, utc);
  if (dt == NULL)
    dt = soup_date_time_new_from_http_string (text);
  return dt != NULL ? g_date_time_to_unix (dt) : 0;
}

/* "message" of {"message"}, {"Message"}, {"error"}, {"errors":[{"message"}]}. */
static char *
json_error_message (JsonNode *root)
{
  static const char * const names[] = { "message", "Message", "error" };
  JsonObject *object;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  object = json_node_get_object (root);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      JsonNode *node = json_object_get_member (object, names[i]);

      if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
          && json_node_get_value_type (node) == G_TYPE_STRING)
        return g_strdup (json_node_get_string (node));
    }
  if (json_object_has_member (object, "errors"))
    {
      JsonNode *errors = json_object_get_member (object, "errors");

      if (JSON_NODE_HOLDS_ARRAY (errors)
          && json_array_get_length (json_node_get_array (errors)) > 0)
        {
          g_autoptr(GString) out = g_string_new (NULL);
          JsonArray *array = json_node_get_array (errors);

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *item = json_array_get_element (array, i);
              g_autofree char *one = json_error_message (item);

              if (one == NULL)
                continue;
              if (out->len > 0)
                g_string_append (out, "; ");
              g_string_append (out, one);
            }
          if (out->len > 0)
            return g_string_free (g_steal_pointer (&out), FALSE);
        }
    }
  return NULL;
}

char *
ct_mail_provider_error_text (CtMailProvider *self,
                             GBytes         *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *message = NULL;
  gsize size = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &size) : NULL;

  if (size == 0)
    return g_strdup (_("no details given"));
  if (json_parser_load_from_data (parser, data, size, NULL))
    message = json_error_message (json_parser_get_root (parser));
  if (message == NULL)
    {
      /* A text or HTML error page (a proxy's, a load balancer's): its
       * text without the tags, cut short. */
      g_autoptr(GString) text = g_string_new (NULL);
      gboolean in_tag = FALSE;
      const char *title = g_strstr_len (data, size, "<title>");

      if (title != NULL)
        {
          const char *end = g_strstr_len (title, size - (title - data), "</title>");
          if (end != NULL)
            {
              data = title + 7;
              size = end - data;
            }
        }
      for (gsize i = 0; i < size && text->len < 200; i++)
        {
          char c = data[i];
          if (c == '<')
            in_tag = TRUE;
          else if (c == '>')
            in_tag = FALSE;
          else if (!in_tag)
            g_string_append_c (text, g_ascii_isspace (c) ? ' ' : c);
        }
      message = g_strstrip (g_utf8_make_valid (text->str, -1));
      if (*message == '\0')
        {
          g_free (message);
          message = g_strdup (_("no details given"));
        }
    }
  return ct_mail_provider_redact (self, message);
}

static gint64
header_delay_ms (SoupMessageHeaders *headers,
                 const char         *name)
{
  const char *value = soup_message_headers_get_one (headers, name);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 t;

  if (value == NULL)
    return -1;
  t = ct_mail_parse_time (value);
  if (t <= 0)
    return -1;
  /* A date or an epoch (SendGrid's X-RateLimit-Reset) versus seconds. */
  if (t > 1000000000)
    return MAX (t - now, 0) * 1000;
  return t * 1000;
}

/* How long the provider asks us to wait, from whichever signal it gives:
 * Retry-After (seconds or a date), the reset headers, or Mailgun's
 * "try again after <date>" in the message. -1 when it gives none. */
static gint64
retry_after_ms (SoupMessage *msg,
                GBytes      *body)
{
  static const char * const names[] = {
    "Retry-After", "ratelimit-reset", "X-RateLimit-Reset", "x-sib-ratelimit-reset",
  };
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);
  gsize size = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &size) : NULL;
  const char *after;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      gint64 ms = header_delay_ms (headers, names[i]);
      if (ms >= 0)
        return ms;
    }
  if (data != NULL && (after = g_strstr_len (data, size, "try again after ")) != NULL)
    {
      g_autofree char *rest = g_strndup (after + 16, size - (after + 16 - data));
      char *end = strchr (rest, '"');
      gint64 t;

      if (end != NULL)
        *end = '\0';
      t = ct_mail_parse_time (g_strstrip (rest));
      if (t > 0)
        return MAX (t - g_get_real_time () / G_USEC_PER_SEC, 0) * 1000;
    }
  return -1;
}

static void
fill_all (CtMailResult  *results,
          guint          n,
          CtMailOutcome  outcome,
          const char    *reason,
          gint64         delay_ms)
{
  for (guint i = 0; i < n; i++)
    {
      ct_mail_result_clear (&results[i]);
      results[i].outcome = outcome;
      results[i].reason = g_strdup (reason);
      results[i].retry_after_ms = MAX (delay_ms, 0);
    }
}

static void
on_wrote_body (SoupMessage *msg,
               gboolean    *wrote)
{
  *wrote = TRUE;
}

static void
set_status_error (CtMailProvider  *self,
                  GError         **error,
                  int              code,
                  guint            status,
                  GBytes          *body)
{
  g_autofree char *text = ct_mail_provider_error_text (self, body);
  const char *name = ct_mail_provider_kind_display_name (ct_mail_provider_get_kind (self));

  switch (code)
    {
    case CT_MAIL_ERROR_AUTH:
      g_set_error (error, CT_MAIL_ERROR, code,
                   _("%s refused the API key or the sender (HTTP %u): %s. "
                     "Check the key and the sender address in the provider settings."),
                   name, status, text);
      break;
    case CT_MAIL_ERROR_NOT_FOUND:
      g_set_error (error, CT_MAIL_ERROR, code,
                   _("%s answered “not found” (HTTP %u): %s. Check the base URL "
                     "and, for Mailgun, the sending domain."),
                   name, status, text);
      break;
    default:
      g_set_error (error, CT_MAIL_ERROR, code,
                   _("%s refused the request (HTTP %u): %s"), name, status, text);
      break;
    }
}

gboolean
ct_mail_provider_send_batch (CtMailProvider     *self,
                             SoupSession        *session,
                             const CtMailBatch  *batch,
                             CtMailResult       *results,
                             GCancellable       *cancellable,
                             GError            **error)
{
  CtMailProviderClass *klass = CT_MAIL_PROVIDER_GET_CLASS (self);
  guint n = batch->recipients->len;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) local = NULL;
  gboolean wrote = FALSE;
  guint status;

  msg = klass->build_send (self, batch, error);
  if (msg == NULL)
    return FALSE;
  g_signal_connect (msg, "wrote-body", G_CALLBACK (on_wrote_body), &wrote);

  body = soup_session_send_and_read (session, msg, cancellable, &local);
  g_signal_handlers_disconnect_by_func (msg, on_wrote_body, &wrote);
  if (body == NULL)
    {
      g_autofree char *reason = ct_mail_provider_redact (self, local->message);

      /* Whether the provider got the whole request decides what a
       * retry may do. */
      if (!wrote)
        fill_all (results, n, CT_MAIL_OUTCOME_RETRY, reason, 0);
      else
        fill_all (results, n, klass->idempotent ? CT_MAIL_OUTCOME_RETRY_SAME
                                                : CT_MAIL_OUTCOME_UNKNOWN,
                  reason, 0);
      return TRUE;
    }

  status = soup_message_get_status (msg);
  if (status == SOUP_STATUS_UNAUTHORIZED || status == SOUP_STATUS_FORBIDDEN)
    {
      set_status_error (self, error, CT_MAIL_ERROR_AUTH, status, body);
      return FALSE;
    }
  if (status == SOUP_STATUS_NOT_FOUND)
    {
      set_status_error (self, error, CT_MAIL_ERROR_NOT_FOUND, status, body);
      return FALSE;
    }
  if (status == 429 || status >= 500)
    {
      g_autofree char *text = ct_mail_provider_error_text (self, body);
      g_autofree char *reason = g_strdup_printf ("HTTP %u: %s", status, text);

      /* Nothing was accepted; with a key the same request is repeated,
       * in case this answer is the second of a request already sent. */
      fill_all (results, n, klass->idempotent ? CT_MAIL_OUTCOME_RETRY_SAME
                                              : CT_MAIL_OUTCOME_RETRY,
                reason, retry_after_ms (msg, body));
      return TRUE;
    }

  fill_all (results, n, CT_MAIL_OUTCOME_SENT, NULL, 0);
  return klass->parse_send (self, batch, msg, body, results, error);
}

gboolean
ct_mail_provider_test_connection (CtMailProvider  *self,
                                  SoupSession     *session,
                                  GCancellable    *cancellable,
                                  GError         **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) local = NULL;
  guint status;

  msg = CT_MAIL_PROVIDER_GET_CLASS (self)->build_test (self, error);
  if (msg == NULL)
    return FALSE;
  body = soup_session_send_and_read (session, msg, cancellable, &local);
  if (body == NULL)
    {
      g_autofree char *reason = ct_mail_provider_redact (self, local->message);

      g_set_error (error, CT_MAIL_ERROR, CT_MAIL_ERROR_UNREACHABLE,
                   _("Could not reach %s at %s: %s"),
                   ct_mail_provider_kind_display_name (ct_mail_provider_get_kind (self)),
                   PRIV (self)->base_url, reason);
      return FALSE;
    }
  status = soup_message_get_status (msg);
  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    return TRUE;
  set_status_error (self, error,
                    status == 401 || status == 403 ? CT_MAIL_ERROR_AUTH
                    : status == 404 ? CT_MAIL_ERROR_NOT_FOUND
                    : status >= 500 ? CT_MAIL_ERROR_SERVER : CT_MAIL_ERROR_REFUSED,
                    status, body);
  return FALSE;
}

JsonNode *
ct_mail_provider_get_json (CtMailProvider  *self,
                           SoupSession     *session,
                           const char      *path_and_query,
                           GCancellable    *cancellable,
                           GError         **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *name = ct_mail_provider_kind_display_name (ct_mail_provider_get_kind (self));
  guint status;
  gsize size;
  const char *data;

  msg = ct_mail_provider_new_message (self, "GET", path_and_query, error);
  if (msg == NULL)
    return NULL;
  body = soup_session_send_and_read (session, msg, cancellable, &local);
  if (body == NULL)
    {
      g_autofree char *reason = ct_mail_provider_redact (self, local->message);

      g_set_error (error, CT_MAIL_ERROR, CT_MAIL_ERROR_UNREACHABLE,
                   _("Could not reach %s at %s: %s"), name, PRIV (self)->base_url, reason);
      return NULL;
    }
  status = soup_message_get_status (msg);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      set_status_error (self, error,
                        status == 401 || status == 403 ? CT_MAIL_ERROR_AUTH
                        : status == 404 ? CT_MAIL_ERROR_NOT_FOUND
                        : status >= 500 || status == 429 ? CT_MAIL_ERROR_SERVER
                        : CT_MAIL_ERROR_REFUSED,
                        status, body);
      return NULL;
    }
  data = g_bytes_get_data (body, &size);
  if (!json_parser_load_from_data (parser, data != NULL ? data : "", size, NULL)
      || json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, CT_MAIL_ERROR, CT_MAIL_ERROR_SERVER,
                   _("%s sent an answer that is not JSON"), name);
      return NULL;
    }
  return json_node_ref (json_parser_get_root (parser));
}

gboolean
ct_mail_provider_pull (CtMailProvider   *self,
                       SoupSession      *session,
                       gint64            since,
                       CtMailEventFunc   func,
                       gpointer          user_data,
                       GCancellable     *cancellable,
                       GError          **error)
{
  return CT_MAIL_PROVIDER_GET_CLASS (self)->pull (self, session, since, func,
                                                  user_data, cancellable, error);
}

gboolean
ct_mail_provider_can_pull_message (CtMailProvider *self)
{
  return CT_MAIL_PROVIDER_GET_CLASS (self)->pull_message != NULL;
}

gboolean
ct_mail_provider_pull_message (CtMailProvider   *self,
                               SoupSession      *session,
                               const char       *message_id,
                               CtMailEventFunc   func,
                               gpointer          user_data,
                               GCancellable     *cancellable,
                               GError          **error)
{
  g_return_val_if_fail (ct_mail_provider_can_pull_message (self), FALSE);
  return CT_MAIL_PROVIDER_GET_CLASS (self)->pull_message (self, session, message_id, func,
                                                          user_data, cancellable, error);
}

gboolean
ct_mail_provider_get_activity_unavailable (CtMailProvider *self)
{
  return PRIV (self)->activity_unavailable;
}

void
ct_mail_provider_set_activity_unavailable (CtMailProvider *self,
                                           gboolean        unavailable)
{
  PRIV (self)->activity_unavailable = unavailable;
}
