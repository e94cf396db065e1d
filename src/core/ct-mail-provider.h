/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-mail-provider.h: one interface to the mail providers' HTTP APIs */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ct-mail-template.h"

G_BEGIN_DECLS

#define CT_MAIL_ERROR (ct_mail_error_quark ())

typedef enum
{
  CT_MAIL_ERROR_AUTH,       /* 401/403: the key is wrong, revoked or lacks rights */
  CT_MAIL_ERROR_REFUSED,    /* the provider refused the whole request (4xx) */
  CT_MAIL_ERROR_NOT_FOUND,  /* 404: wrong base URL, domain or stream */
  CT_MAIL_ERROR_UNREACHABLE,/* no answer: network, DNS, TLS, timeout */
  CT_MAIL_ERROR_SERVER,     /* 5xx or an answer that cannot be read */
  CT_MAIL_ERROR_NO_KEY,     /* no API key stored */
  CT_MAIL_ERROR_SETTINGS,   /* a setting is missing or wrong */
} CtMailError;

GQuark ct_mail_error_quark (void);

typedef enum
{
  CT_MAIL_PROVIDER_POSTMARK,
  CT_MAIL_PROVIDER_SENDGRID,
  CT_MAIL_PROVIDER_MAILGUN,
  CT_MAIL_PROVIDER_BREVO,
  CT_MAIL_PROVIDER_RESEND,
  CT_MAIL_N_PROVIDERS
} CtMailProviderKind;

/* "postmark", "sendgrid"...; FALSE for an unknown name. */
gboolean    ct_mail_provider_kind_from_name (const char          *name,
                                             CtMailProviderKind  *out_kind);
const char *ct_mail_provider_kind_to_name   (CtMailProviderKind   kind);
const char *ct_mail_provider_kind_display_name (CtMailProviderKind kind);

/* One person of a batch. values[] are the merge fields' raw values
 * (ct-mail-template.h), the unsubscribe URL included. */
typedef struct
{
  gint64  outbox_id;
  gint64  contact_id;
  char   *email;
  char   *name;
  char   *values[CT_MAIL_N_FIELDS];
  /* An HTTPS one-click unsubscribe URL for the List-Unsubscribe header,
   * or NULL for the mailto: one to the sender only. */
  char   *one_click_url;
  /* For the outbox: requests this recipient has been in. */
  guint   attempts;
} CtMailRecipient;

CtMailRecipient *ct_mail_recipient_new  (void);
void             ct_mail_recipient_free (CtMailRecipient *self);

/* One request's worth of messages of one campaign. */
typedef struct
{
  gint64               campaign_id;
  const CtMailContent *content;
  char                *from;             /* "Name <a@b>" or "a@b" */
  char                *reply_to;         /* nullable */
  /* Sent as the provider's idempotency key where it has one; the same
   * batch must be sent again with the same key and the same body. */
  char                *idempotency_key;
  GPtrArray           *recipients;       /* of CtMailRecipient */
} CtMailBatch;

CtMailBatch *ct_mail_batch_new  (void);
void         ct_mail_batch_free (CtMailBatch *self);

/* The bare address of "Name <a@b>". Returns: (transfer full) */
char        *ct_mail_address_of (const char *mailbox);
/* The List-Unsubscribe header for @recipient: its one-click URL and a
 * mailto: to the sender, or the mailto: alone. Returns: (transfer full) */
char        *ct_mail_batch_list_unsubscribe (const CtMailBatch     *batch,
                                             const CtMailRecipient *recipient);

typedef enum
{
  CT_MAIL_OUTCOME_SENT,        /* accepted; message_id when given */
  CT_MAIL_OUTCOME_REJECTED,    /* refused for this recipient; reason */
  CT_MAIL_OUTCOME_RETRY,       /* not sent; try again after retry_after_ms (0: back off) */
  CT_MAIL_OUTCOME_RETRY_SAME,  /* maybe sent; repeat this very request with its key */
  CT_MAIL_OUTCOME_UNKNOWN,     /* maybe sent, and the provider cannot tell */
} CtMailOutcome;

typedef struct
{
  CtMailOutcome  outcome;
  char          *message_id;
  char          *reason;
  gint64         retry_after_ms;
} CtMailResult;

void         ct_mail_result_clear (CtMailResult *result);

typedef enum
{
  CT_MAIL_EVENT_UNSUBSCRIBED,
  CT_MAIL_EVENT_BOUNCED,
  CT_MAIL_EVENT_COMPLAINED,
  CT_MAIL_EVENT_DELIVERED,
  CT_MAIL_EVENT_OPENED,
  CT_MAIL_EVENT_CLICKED,
} CtMailEventType;

const char  *ct_mail_event_type_to_name (CtMailEventType type);

typedef struct
{
  CtMailEventType  type;
  const char      *email;
  const char      *message_id;  /* nullable: suppressions have none */
  gint64           at;          /* Unix seconds, 0 when not given */
  const char      *detail;      /* nullable */
} CtMailEvent;

/* Returns FALSE with @error set to stop the pull. */
typedef gboolean (*CtMailEventFunc) (const CtMailEvent  *event,
                                     gpointer            user_data,
                                     GError            **error);

#define CT_TYPE_MAIL_PROVIDER (ct_mail_provider_get_type ())
G_DECLARE_DERIVABLE_TYPE (CtMailProvider, ct_mail_provider, CT, MAIL_PROVIDER, GObject)

struct _CtMailProviderClass
{
  GObjectClass parent_class;

  CtMailProviderKind kind;
  const char *default_base_url;
  guint       max_batch;          /* messages per request */
  gsize       max_batch_bytes;    /* request size the provider accepts */
  double      default_rate;       /* requests per second */
  /* Replays a request with the same key instead of sending it again;
   * for how many seconds it remembers the key. */
  gboolean    idempotent;
  gint64      idempotency_ttl;

  /* Adds the key to a request. */
  void          (*authorize)    (CtMailProvider  *self,
                                 SoupMessage     *msg);
  SoupMessage * (*build_send)   (CtMailProvider     *self,
                                 const CtMailBatch  *batch,
                                 GError            **error);
  /* Per-recipient results from a 2xx or 4xx answer (not 401/403/429/5xx,
   * which the base class handles). FALSE with @error when the provider
   * refused the whole request, which stops the sending. */
  gboolean      (*parse_send)   (CtMailProvider     *self,
                                 const CtMailBatch  *batch,
                                 SoupMessage        *msg,
                                 GBytes             *body,
                                 CtMailResult       *results,
                                 GError            **error);
  /* A cheap authenticated GET that checks the key. */
  SoupMessage * (*build_test)   (CtMailProvider     *self,
                                 GError            **error);
  /* Pulls unsubscribes, bounces and complaints (and delivery events,
   * where the API offers them) since @since (Unix seconds). */
  gboolean      (*pull)         (CtMailProvider     *self,
                                 SoupSession        *session,
                                 gint64              since,
                                 CtMailEventFunc     func,
                                 gpointer            user_data,
                                 GCancellable       *cancellable,
                                 GError            **error);
  /* The provider's own unsubscribe link placeholder for the body, or
   * NULL when it has none (the sender's mailto: is used). */
  const char *  (*unsubscribe_placeholder) (CtMailProvider *self);
  /* Pulls the events of one sent message by its id, for providers that
   * tell some events (Postmark: delivery) only per message; NULL for the
   * others, whose pull() gets them all. */
  gboolean      (*pull_message) (CtMailProvider     *self,
                                 SoupSession        *session,
                                 const char         *message_id,
                                 CtMailEventFunc     func,
                                 gpointer            user_data,
                                 GCancellable       *cancellable,
                                 GError            **error);
};

/* @base_url: (nullable) NULL for the provider's default. The key is kept
 * in memory only and never appears in an error message. */
CtMailProvider *ct_mail_provider_new            (CtMailProviderKind   kind,
                                                 const char          *base_url,
                                                 const char          *api_key);
CtMailProviderKind ct_mail_provider_get_kind    (CtMailProvider      *self);
const char     *ct_mail_provider_get_base_url   (CtMailProvider      *self);
/* Mailgun: the sending domain; Postmark: the message stream
 * ("broadcast" by default). */
void            ct_mail_provider_set_domain     (CtMailProvider      *self,
                                                 const char          *domain);
const char     *ct_mail_provider_get_domain     (CtMailProvider      *self);
void            ct_mail_provider_set_stream     (CtMailProvider      *self,
                                                 const char          *stream);
const char     *ct_mail_provider_get_stream     (CtMailProvider      *self);
/* Seconds to wait for an answer; 30 by default. */
void            ct_mail_provider_set_timeout    (CtMailProvider      *self,
                                                 guint                seconds);
guint           ct_mail_provider_get_timeout    (CtMailProvider      *self);
guint           ct_mail_provider_get_max_batch  (CtMailProvider      *self);
gsize           ct_mail_provider_get_max_batch_bytes (CtMailProvider *self);
double          ct_mail_provider_get_default_rate (CtMailProvider    *self);
gboolean        ct_mail_provider_is_idempotent  (CtMailProvider      *self);
gint64          ct_mail_provider_get_idempotency_ttl (CtMailProvider *self);
const char     *ct_mail_provider_get_unsubscribe_placeholder (CtMailProvider *self);

/* A session for one thread (libsoup sessions are not shared between the
 * sending threads) with the provider's timeout. */
SoupSession    *ct_mail_provider_new_session    (CtMailProvider      *self);

/* Sends @batch; @results has one slot per recipient and is always
 * filled when TRUE is returned. FALSE with @error (CT_MAIL_ERROR_AUTH,
 * _REFUSED, _NOT_FOUND) when the provider refused the whole request for
 * a reason that retrying will not fix: nothing was sent. */
gboolean        ct_mail_provider_send_batch     (CtMailProvider      *self,
                                                 SoupSession         *session,
                                                 const CtMailBatch   *batch,
                                                 CtMailResult        *results,
                                                 GCancellable        *cancellable,
                                                 GError             **error);
/* Checks the base URL and the key with one authenticated request. */
gboolean        ct_mail_provider_test_connection (CtMailProvider     *self,
                                                  SoupSession        *session,
                                                  GCancellable       *cancellable,
                                                  GError            **error);
gboolean        ct_mail_provider_pull           (CtMailProvider      *self,
                                                 SoupSession         *session,
                                                 gint64               since,
                                                 CtMailEventFunc      func,
                                                 gpointer             user_data,
                                                 GCancellable        *cancellable,
                                                 GError             **error);

/* Whether the provider tells events of one message by its id
 * (ct_mail_provider_pull_message()). */
gboolean        ct_mail_provider_can_pull_message (CtMailProvider    *self);
gboolean        ct_mail_provider_pull_message   (CtMailProvider      *self,
                                                 SoupSession         *session,
                                                 const char          *message_id,
                                                 CtMailEventFunc      func,
                                                 gpointer             user_data,
                                                 GCancellable        *cancellable,
                                                 GError             **error);
/* Set by the last pull when the account cannot give delivery, open and
 * click events through the API (SendGrid without its paid Email
 * Activity add-on): what was pulled is then only the suppressions, and
 * zero deliveries does not mean nothing was delivered. */
gboolean        ct_mail_provider_get_activity_unavailable (CtMailProvider *self);
void            ct_mail_provider_set_activity_unavailable (CtMailProvider *self,
                                                           gboolean        unavailable);

/* Removes the key from @text wherever it appears (an echo in a provider's
 * error page). Returns: (transfer full) */
char           *ct_mail_provider_redact         (CtMailProvider      *self,
                                                 const char          *text);

/* For the implementations (ct-mail-providers.c). */
SoupMessage    *ct_mail_provider_new_message    (CtMailProvider      *self,
                                                 const char          *method,
                                                 const char          *path,
                                                 GError             **error);
/* GET @path_and_query, authorised, and parse the JSON answer. Errors
 * name the provider and the HTTP status. Returns: (transfer full) */
JsonNode       *ct_mail_provider_get_json       (CtMailProvider      *self,
                                                 SoupSession         *session,
                                                 const char          *path_and_query,
                                                 GCancellable        *cancellable,
                                                 GError             **error);
/* A provider's error message out of its JSON or text error body, for
 * people: the "message" of the usual shapes, else the text itself cut
 * short. Returns: (transfer full) */
char           *ct_mail_provider_error_text     (CtMailProvider      *self,
                                                 GBytes              *body);
/* Parses an ISO 8601 or RFC 2822 date; 0 when it cannot. */
gint64          ct_mail_parse_time              (const char          *text);

GType ct_mail_postmark_get_type (void);
GType ct_mail_sendgrid_get_type (void);
GType ct_mail_mailgun_get_type (void);
GType ct_mail_brevo_get_type (void);
GType ct_mail_resend_get_type (void);

G_END_DECLS
