/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-campaign-assistant.h: a new campaign in four steps: audience,
 * content, preview, send */
#pragma once

#include <adwaita.h>
#include "ct-context.h"

G_BEGIN_DECLS

#define CT_TYPE_CAMPAIGN_ASSISTANT (ct_campaign_assistant_get_type ())
G_DECLARE_FINAL_TYPE (CtCampaignAssistant, ct_campaign_assistant, CT, CAMPAIGN_ASSISTANT, AdwWindow)

/* Audience: everyone, a tag or a saved segment. Signal "created" (gint64 campaign_id, gboolean send_now): the
 * campaign was saved (scheduled, or to be sent now by the receiver). */
CtCampaignAssistant *ct_campaign_assistant_new (CtContext *context,
                                                GtkWindow *parent);

/* The steps, for tests: "audience", "content", "preview", "send". */
void         ct_campaign_assistant_set_step     (CtCampaignAssistant *self,
                                                 const char          *step);
const char  *ct_campaign_assistant_get_step     (CtCampaignAssistant *self);
/* For tests: audience "" for everyone or a tag name. */
void         ct_campaign_assistant_set_audience_tag (CtCampaignAssistant *self,
                                                     const char          *tag);
void         ct_campaign_assistant_set_audience_segment (CtCampaignAssistant *self,
                                                         gint64               segment_id);
/* "N will receive it; M excluded" as shown. */
const char  *ct_campaign_assistant_get_count_text (CtCampaignAssistant *self);
void         ct_campaign_assistant_set_content  (CtCampaignAssistant *self,
                                                 const char          *name,
                                                 const char          *subject,
                                                 const char          *markdown);
/* The preheader (preview text after the subject), "" for none. */
void         ct_campaign_assistant_set_preheader (CtCampaignAssistant *self,
                                                  const char          *preheader);
/* Turns the A/B test of the subject on with @subject_b (NULL: off),
 * @share_percent of the audience (10-50), the metric ("opens" or
 * "clicks") and the wait in hours. */
void         ct_campaign_assistant_set_ab_test  (CtCampaignAssistant *self,
                                                 const char          *subject_b,
                                                 guint                share_percent,
                                                 const char          *metric,
                                                 guint                wait_hours);
/* The audience as ct_campaign_create() takes it. Returns: (transfer full) */
char        *ct_campaign_assistant_dup_audience (CtCampaignAssistant *self);
/* The preview's "Preview text: …" line, "" when there is none. */
const char  *ct_campaign_assistant_get_preview_preheader (CtCampaignAssistant *self);
/* Fills subject and body from gallery template @index (0..n-1). */
guint        ct_campaign_assistant_get_n_templates (void);
void         ct_campaign_assistant_use_template (CtCampaignAssistant *self,
                                                 guint                index);
char        *ct_campaign_assistant_get_subject  (CtCampaignAssistant *self);
/* How many people "Preview as" offers (those the mail would go to). */
guint        ct_campaign_assistant_get_n_preview_contacts (CtCampaignAssistant *self);
/* Previews as @contact_id; the warnings shown, one a line. */
void         ct_campaign_assistant_preview_as   (CtCampaignAssistant *self,
                                                 gint64               contact_id);
const char  *ct_campaign_assistant_get_warnings (CtCampaignAssistant *self);
const char  *ct_campaign_assistant_get_preview_text (CtCampaignAssistant *self);
/* Saves the campaign and emits "created"; FALSE with @error (shown in
 * the window too) when it cannot. @at 0: now. */
gboolean     ct_campaign_assistant_finish       (CtCampaignAssistant *self,
                                                 gint64               at,
                                                 GError             **error);

G_END_DECLS
