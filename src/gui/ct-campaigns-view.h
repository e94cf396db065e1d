/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-campaigns-view.h: the Campaigns page: campaigns, their sending and
 * their results */
#pragma once

#include <adwaita.h>
#include "ct-context.h"

G_BEGIN_DECLS

#define CT_TYPE_CAMPAIGNS_VIEW (ct_campaigns_view_get_type ())
G_DECLARE_FINAL_TYPE (CtCampaignsView, ct_campaigns_view, CT, CAMPAIGNS_VIEW, AdwBin)

/* Property "context" (CtContext, construct-only). Signal
 * "open-contacts" (const char *search): a contact behind a result was
 * chosen; the window shows the Contacts page searched for it. */
GtkWidget  *ct_campaigns_view_new            (CtContext       *context);

/* Launches campaign @id if it is a draft or scheduled, and sends what
 * it has queued in the background. FALSE with @error when it cannot
 * start (no provider, no key, nothing to send). */
gboolean    ct_campaigns_view_send           (CtCampaignsView *self,
                                              gint64           id,
                                              GError         **error);
/* Whether a sending runs in the background. */
gboolean    ct_campaigns_view_is_sending     (CtCampaignsView *self);
/* Re-reads the campaigns now. */
void        ct_campaigns_view_reload         (CtCampaignsView *self);
/* Pulls deliveries, opens, clicks, unsubscribes, bounces and complaints
 * from the provider in the background, then redraws; FALSE with @error
 * when it cannot start (no provider, no key). */
gboolean    ct_campaigns_view_update_results (CtCampaignsView  *self,
                                              GError          **error);
/* Opens the campaign assistant. Returns: (transfer none) its window */
GtkWindow  *ct_campaigns_view_new_campaign   (CtCampaignsView *self);
/* Opens the assistant with the saved segment @segment_id as the
 * audience. Returns: (transfer none) its window */
GtkWindow  *ct_campaigns_view_new_campaign_for_segment (CtCampaignsView *self,
                                                        gint64           segment_id);
/* What the page says about @id's A/B test (state, winner), NULL when
 * it is not part of one. Returns: (transfer full) (nullable) */
char       *ct_campaigns_view_describe_abtest (CtCampaignsView *self,
                                               gint64           id);

G_END_DECLS
