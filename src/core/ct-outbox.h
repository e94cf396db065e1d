/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-outbox.h: campaigns, the outbox, and sending it through a provider */
#pragma once

#include "ct-db.h"
#include "ct-mail-provider.h"

G_BEGIN_DECLS

/* ---- settings (the settings table; never the key) ---- */

typedef struct
{
  CtMailProviderKind kind;
  gboolean  configured;      /* a provider was chosen */
  char     *base_url;        /* NULL: the provider's default */
  char     *domain;          /* Mailgun sending domain */
  char     *stream;          /* Postmark message stream */
  char     *from;            /* "Name <a@b>" */
  char     *reply_to;
  char     *postal_address;  /* for the footer */
  /* An HTTPS unsubscribe URL the owner runs, with "{token}" where the
   * recipient's opaque token goes (else it is added as ?token=). */
  char     *unsubscribe_url;
  guint     concurrency;     /* requests at once; default 4 */
  double    rate;            /* requests per second; 0: the provider's */
  double    message_rate;    /* messages per second ("mail.message_rate"); 0: no limit of the owner's */
  guint     batch_size;      /* 0: the provider's largest */
  guint     timeout;         /* seconds; default 30 */
} CtMailSettings;

/* Reads the "mail.*" settings. Returns: (transfer full) */
CtMailSettings *ct_mail_settings_load  (CtDb                  *db,
                                        GError               **error);
gboolean        ct_mail_settings_save  (CtDb                  *db,
                                        const CtMailSettings  *settings,
                                        GError               **error);
void            ct_mail_settings_free  (CtMailSettings        *settings);
/* A provider as the settings say, with @api_key.
 * Returns: (transfer full) */
CtMailProvider *ct_mail_settings_new_provider (const CtMailSettings *settings,
                                               const char           *api_key);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtMailSettings, ct_mail_settings_free)

/* ---- campaigns ---- */

/* A draft campaign. @audience_json: {"all":true}, {"tag":"NAME"} or
 * {"segment":ID} (a saved segment, its members at launch);
 * @from: (nullable) the sender, else the settings'. Refuses an empty or
 * taken name, an empty subject and merge fields that do not exist.
 * Returns the new id, 0 with @error set. */
gint64    ct_campaign_create       (CtDb        *db,
                                    const char  *name,
                                    const char  *subject,
                                    const char  *markdown,
                                    const char  *from,
                                    const char  *audience_json,
                                    GError     **error);
/* For a segment audience ({"segment":ID}), the ids (gint64 keys) of its
 * members now in *@out_members; NULL there for the other audiences.
 * FALSE with @error when the segment is gone or its rule cannot be used. */
gboolean  ct_outbox_audience_members (CtDb        *db,
                                      const char  *audience_json,
                                      GHashTable **out_members,
                                      GError     **error);
/* CT_DB_ERROR_NOT_FOUND when there is no campaign called @name. */
gint64    ct_campaign_find         (CtDb        *db,
                                    const char  *name,
                                    GError     **error);
/* Sends at @at (Unix seconds) through ct_outbox_send_due(). */
gboolean  ct_campaign_schedule     (CtDb        *db,
                                    gint64       campaign_id,
                                    gint64       at,
                                    GError     **error);

/* Sets the preview text shown after the subject (nullable or empty:
 * none) of a campaign not launched yet. One line; merge fields are
 * checked as the subject's. */
gboolean  ct_campaign_set_preheader (CtDb       *db,
                                     gint64      campaign_id,
                                     const char *preheader,
                                     GError    **error);

/* Snapshots the audience into one outbox row per recipient, in one
 * transaction: subscribed contacts with an address, less suppressed and
 * erased addresses. The campaign becomes "sending". Refused for a
 * campaign launched already, and for either campaign of an A/B test
 * (ct_abtest_launch() sends those). */
gboolean  ct_outbox_launch         (CtDb        *db,
                                    gint64       campaign_id,
                                    gint64      *out_queued,
                                    gint64      *out_excluded,
                                    GError     **error);

typedef struct
{
  gint64 queued, in_flight, sent, rejected, failed, unknown, dropped;
  gint64 delivered, opened, clicked, bounced, complained, unsubscribed;
} CtOutboxCounts;

gboolean  ct_outbox_get_counts     (CtDb           *db,
                                    gint64          campaign_id,
                                    CtOutboxCounts *counts,
                                    GError        **error);
/* The user's decision on "unknown" rows: queue them again (a new
 * request, so a recipient may get it twice) or drop them. */
gboolean  ct_outbox_resend_unknown (CtDb        *db,
                                    gint64       campaign_id,
                                    gint64      *out_count,
                                    GError     **error);
gboolean  ct_outbox_drop_unknown   (CtDb        *db,
                                    gint64       campaign_id,
                                    gint64      *out_count,
                                    GError     **error);

/* The merge values @contact_id's mail is rendered with (owned strings,
 * NULL where the contact has none; the unsubscribe URL is left NULL),
 * for a preview. */
gboolean  ct_outbox_contact_values (CtDb        *db,
                                    gint64       contact_id,
                                    char        *values[CT_MAIL_N_FIELDS],
                                    GError     **error);

/* ---- sending ---- */

typedef struct
{
  guint   concurrency;       /* requests at once, >= 1 */
  double  rate;              /* requests per second, > 0 */
  double  message_rate;      /* messages per second; 0: only @rate limits */
  guint   batch_size;        /* 0: the provider's largest */
  guint   max_attempts;      /* per recipient before "failed"; default 8 */
  guint   backoff_base_ms;   /* first back-off; default 1000 */
  guint   backoff_max_ms;    /* longest; default 300000 */
  /* Called on the caller's thread after each request is recorded. */
  void  (*progress)          (gint64 done, gint64 total, gpointer user_data);
  gpointer progress_data;
} CtOutboxOptions;

/* The settings' concurrency, rate and batch size, else the defaults. */
void      ct_outbox_options_init   (CtOutboxOptions       *options,
                                    const CtMailSettings  *settings,
                                    CtMailProvider        *provider);

typedef struct
{
  gint64 requests;
  gint64 sent, rejected, failed, unknown;
  gint64 reconciled;          /* in-flight rows found at the start */
} CtOutboxReport;

/* Sends the queued rows of @campaign_id (0: of every campaign being
 * sent) until none is left, on @db from the calling thread, with
 * options->concurrency requests at once on worker threads. First
 * reconciles rows left in flight by a previous run that was killed.
 * Stops with CT_MAIL_ERROR_AUTH (and the others of
 * ct_mail_provider_send_batch()) when the provider refuses the whole
 * request; what was sent so far is recorded either way. */
gboolean  ct_outbox_send           (CtDb                  *db,
                                    CtMailProvider        *provider,
                                    const CtMailSettings  *settings,
                                    const CtOutboxOptions *options,
                                    gint64                 campaign_id,
                                    CtOutboxReport        *report,
                                    GCancellable          *cancellable,
                                    GError               **error);

/* Launches the scheduled campaigns that are due, then sends everything
 * queued. */
gboolean  ct_outbox_send_due       (CtDb                  *db,
                                    CtMailProvider        *provider,
                                    const CtMailSettings  *settings,
                                    const CtOutboxOptions *options,
                                    CtOutboxReport        *report,
                                    GCancellable          *cancellable,
                                    GError               **error);

typedef struct
{
  gint64 suppressed;       /* addresses newly suppressed */
  gint64 contacts_changed; /* contacts whose status changed */
  gint64 events;           /* events newly recorded on sent mail */
  gint64 ignored;          /* events about mail this database did not send */
} CtOutboxSyncReport;

/* Pulls unsubscribes, bounces, complaints and delivery events since the
 * last pull (setting "mail.last_sync") and applies them: suppressions,
 * contact status, per-campaign counts. */
gboolean  ct_outbox_sync           (CtDb                *db,
                                    CtMailProvider      *provider,
                                    CtOutboxSyncReport  *report,
                                    GCancellable        *cancellable,
                                    GError             **error);

/* Applies one event (for ct_outbox_sync() and tests). */
gboolean  ct_outbox_apply_event    (CtDb                *db,
                                    const char          *source,
                                    const CtMailEvent   *event,
                                    CtOutboxSyncReport  *report,
                                    GError             **error);

G_END_DECLS
