/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-automation.h: mail that goes out by itself when something happens
 *
 * An automation has a trigger, optional conditions (a segment rule the
 * contact must match when the mail is due), a delay and an email. Each
 * run (ct_automation_run_due(), from `clientele send-due` and from the
 * app's timer) first records what fired since the last run as
 * automation_firings rows, then queues in the outbox those that are due.
 * A firing is unique per automation, contact and triggering event, and
 * both steps are write transactions (BEGIN IMMEDIATE), so two runs at
 * once, or a run after a crash, never mail a contact twice for the same
 * event.
 */
#pragma once

#include "ct-db.h"

G_BEGIN_DECLS

typedef enum
{
  CT_AUTOMATION_NEW_CONTACT,   /* a contact added after it was enabled */
  CT_AUTOMATION_PURCHASE,      /* a purchase (of product_id, or any) after it was enabled */
  CT_AUTOMATION_NO_PURCHASE,   /* no purchase for `days` days since the last one */
  CT_AUTOMATION_CHURN_RISK,    /* 1 - p_alive at or above `threshold` */
  CT_AUTOMATION_TIER_CHANGE,   /* an upgrade or downgrade in tier_history */
  CT_AUTOMATION_BIRTHDAY,      /* attributes.birthday (YYYY-MM-DD or MM-DD) is today */
} CtAutomationTrigger;

const char *ct_automation_trigger_to_string   (CtAutomationTrigger  trigger);
gboolean    ct_automation_trigger_from_string (const char          *text,
                                               CtAutomationTrigger *trigger);
/* A translated description: "No purchase for 30 days". Returns: (transfer full) */
char       *ct_automation_describe_trigger    (CtAutomationTrigger  trigger,
                                               const char          *product_name,
                                               guint                days,
                                               double               threshold);

typedef struct
{
  gint64               id;
  char                *name;
  CtAutomationTrigger  trigger;
  gint64               product_id;   /* 0: any product */
  char                *product_name; /* NULL for any */
  guint                days;
  double               threshold;
  char                *rule_json;    /* NULL: no conditions */
  guint                delay_hours;
  char                *subject;
  char                *body;         /* Markdown with merge fields */
  gboolean             enabled;
  gint64               enabled_at;   /* 0 when never enabled */
  gint64               fired;        /* firings recorded */
  gint64               queued;       /* of which mailed */
  char                *preheader;    /* NULL: none; the preview text after the subject */
} CtAutomation;

CtAutomation *ct_automation_new  (void);
void          ct_automation_free (CtAutomation *automation);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtAutomation, ct_automation_free)

/* Checks @automation (name, trigger parameter, rule, subject and body
 * merge fields) and stores it, disabled; the id is set. Returns the new
 * id, 0 with @error set. */
gint64        ct_automation_create   (CtDb          *db,
                                      CtAutomation  *automation,
                                      GError       **error);
/* Saves every field but enabled; mail not sent yet gets the new email. */
gboolean      ct_automation_update   (CtDb                *db,
                                      const CtAutomation  *automation,
                                      GError             **error);
gboolean      ct_automation_delete   (CtDb          *db,
                                      gint64         id,
                                      GError       **error);
/* Enabling records what exists now (enabled_at and the last contact,
 * purchase and tier change), so that only what comes after fires.
 * Disabling skips the firings still waiting for their delay. */
gboolean      ct_automation_set_enabled (CtDb       *db,
                                         gint64      id,
                                         gboolean    enabled,
                                         GError    **error);
/* CT_DB_ERROR_NOT_FOUND when there is none called @name. */
CtAutomation *ct_automation_find     (CtDb          *db,
                                      const char    *name,
                                      GError       **error);
CtAutomation *ct_automation_get      (CtDb          *db,
                                      gint64         id,
                                      GError       **error);
/* Returns: (transfer full) (element-type CtAutomation), by name */
GPtrArray    *ct_automation_list     (CtDb          *db,
                                      GError       **error);

typedef struct
{
  gint64  id;
  gint64  contact_id;
  char   *contact_label;  /* name, else email */
  char   *event_key;
  gint64  fired_at;
  gint64  due_at;
  char   *state;          /* "pending", "queued", "skipped" */
  char   *reason;         /* why skipped, else NULL */
  char   *outbox_state;   /* the mail's state once queued, else NULL */
} CtAutomationFiring;

void       ct_automation_firing_free (CtAutomationFiring *firing);
/* The newest @limit firings of @automation_id (0: of all).
 * Returns: (transfer full) (element-type CtAutomationFiring) */
GPtrArray *ct_automation_history     (CtDb          *db,
                                      gint64         automation_id,
                                      guint          limit,
                                      GError       **error);

typedef struct
{
  gint64 fired;     /* firings newly recorded */
  gint64 queued;    /* mail put in the outbox */
  gint64 skipped;   /* due firings left out (unsubscribed, conditions...) */
} CtAutomationReport;

/* Records what fired and queues the firings that are due, as of @now
 * (Unix seconds; 0: the real time). Safe to run from several processes
 * at once. Sending is then ct_outbox_send_due()'s work. */
gboolean   ct_automation_run_due     (CtDb                *db,
                                      gint64               now,
                                      CtAutomationReport  *report,
                                      GError             **error);

/* What `clientele send-due` does, on a connection of its own to
 * @db_path, for the app's timer on a worker thread: A/B tests, then
 * automations, then the scheduled and queued mail through the provider
 * of the settings with the key from the keyring (or CLIENTELE_PROVIDER_KEY).
 * With mail to send but no provider set up, it fails with
 * CT_MAIL_ERROR_SETTINGS. */
typedef struct
{
  CtAutomationReport automations;
  gint64             sent;       /* messages accepted by the provider */
  gint64             failed;     /* rejected, failed or unknown */
} CtSendDueReport;

void       ct_send_due_async   (const char           *db_path,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data);
gboolean   ct_send_due_finish  (GAsyncResult         *result,
                                CtSendDueReport      *report,
                                GError              **error);
gboolean   ct_send_due_run     (const char           *db_path,
                                CtSendDueReport      *report,
                                GCancellable         *cancellable,
                                GError              **error);

/* The systemd user units that run `clientele send-due` every ten
 * minutes when the app is closed (as data/ installs them), for
 * Preferences to write into ~/.config/systemd/user: @exe the clientele
 * program, @db_path (nullable) the database unless the default one.
 * Returns: (transfer full) */
char      *ct_send_due_service_unit (const char *exe,
                                     const char *db_path);
char      *ct_send_due_timer_unit   (void);

G_END_DECLS
