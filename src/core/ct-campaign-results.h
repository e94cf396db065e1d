/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-campaign-results.h: what a campaign did, and steering its sending */
#pragma once

#include "ct-db.h"
#include "ct-outbox.h"

G_BEGIN_DECLS

/* Purchases count for a campaign when made within this many days after
 * its mail went to the buyer. */
#define CT_CAMPAIGN_DEFAULT_WINDOW_DAYS 7
#define CT_CAMPAIGN_MAX_WINDOW_DAYS 365

/* The attribution window the owner chose (setting
 * "campaigns.attribution_days"), else the default. */
guint       ct_campaign_get_window_days (CtDb     *db);
/* Refuses 0 and more than CT_CAMPAIGN_MAX_WINDOW_DAYS with a message. */
gboolean    ct_campaign_set_window_days (CtDb     *db,
                                         guint     days,
                                         GError  **error);

/* Where a campaign is, as the Campaigns page shows it: "paused" is a
 * campaign being sent whose sending the user stopped for now. */
typedef enum
{
  CT_CAMPAIGN_DRAFT,
  CT_CAMPAIGN_SCHEDULED,
  CT_CAMPAIGN_SENDING,
  CT_CAMPAIGN_PAUSED,
  CT_CAMPAIGN_SENT,
  CT_CAMPAIGN_CANCELLED,
} CtCampaignState;

const char *ct_campaign_state_get_label (CtCampaignState state);

/* The contacts behind one result. */
typedef enum
{
  CT_CAMPAIGN_RESULT_RECIPIENTS,
  CT_CAMPAIGN_RESULT_DELIVERED,
  CT_CAMPAIGN_RESULT_OPENED,
  CT_CAMPAIGN_RESULT_CLICKED,
  CT_CAMPAIGN_RESULT_BOUNCED,
  CT_CAMPAIGN_RESULT_UNSUBSCRIBED,
  CT_CAMPAIGN_RESULT_PURCHASED,
  CT_CAMPAIGN_N_RESULTS
} CtCampaignResult;

const char *ct_campaign_result_get_label (CtCampaignResult result);

typedef struct
{
  gint64          id;
  char           *name;
  char           *subject;
  CtCampaignState state;
  gint64          scheduled_at;   /* 0: none */
  gint64          launched_at;
  gint64          finished_at;
  CtOutboxCounts  counts;
  /* Per result, the number of contacts; purchases is the number of
   * purchases (a buyer may buy twice), revenue in minor units of
   * currency (the currency most of them are in; others are left out
   * and counted in other_currency). */
  gint64          results[CT_CAMPAIGN_N_RESULTS];
  gint64          purchases;
  gint64          revenue;
  char           *currency;
  gint64          other_currency;
  /* NULL, or why the delivered, opened and clicked counts cannot be
   * told (the provider's last pull had no access to them), to show in
   * their place rather than zeros. */
  char           *activity_note;
} CtCampaignInfo;

void ct_campaign_info_free (CtCampaignInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtCampaignInfo, ct_campaign_info_free)

/* One campaign, with its results: purchases (not refunded) by a
 * recipient within @window_days after the mail was sent to them
 * (0: the owner's window, ct_campaign_get_window_days()).
 * Returns: (transfer full) (nullable) */
CtCampaignInfo *ct_campaign_get_info     (CtDb        *db,
                                          gint64       campaign_id,
                                          guint        window_days,
                                          GError     **error);
/* Every campaign, newest first. Returns: (transfer full) (element-type CtCampaignInfo) */
GPtrArray      *ct_campaign_list         (CtDb        *db,
                                          guint        window_days,
                                          GError     **error);
/* The contact ids behind @result, in id order.
 * Returns: (transfer full) (element-type gint64) */
GArray         *ct_campaign_result_contacts (CtDb           *db,
                                             gint64          campaign_id,
                                             CtCampaignResult result,
                                             guint           window_days,
                                             GError        **error);

/* Stops (@paused TRUE) or resumes sending a campaign being sent. A
 * paused campaign is skipped by ct_outbox_send() and send-due; what is
 * in flight finishes. */
gboolean        ct_campaign_set_paused   (CtDb        *db,
                                          gint64       campaign_id,
                                          gboolean     paused,
                                          GError     **error);
/* Cancels a draft, scheduled, sending or paused campaign: what is still
 * queued is dropped (*@out_dropped) and never sent. */
gboolean        ct_campaign_cancel       (CtDb        *db,
                                          gint64       campaign_id,
                                          gint64      *out_dropped,
                                          GError     **error);

/* Who an audience ({"all":true}, {"tag":"NAME"} or {"segment":ID})
 * would reach now, as
 * ct_outbox_launch() counts them: *@out_included contacts, and
 * *@out_excluded with an address that may not be mailed (unsubscribed,
 * bounced, complained or suppressed). */
gboolean        ct_campaign_count_audience (CtDb        *db,
                                            const char  *audience_json,
                                            gint64      *out_included,
                                            gint64      *out_excluded,
                                            GError     **error);

/* Words and habits in a subject line that spam filters and people
 * distrust: each finding as a sentence for the user, none for a clean
 * subject. Returns: (transfer full) (element-type utf8) */
GPtrArray      *ct_campaign_check_subject (const char *subject);

G_END_DECLS
