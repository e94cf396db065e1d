/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-abtest.h: A/B tests of a campaign's subject line
 *
 * A share of the audience is split in two halves, deterministically
 * (shuffled with a generator seeded by the campaign's id, so the same
 * campaign over the same contacts splits the same way on any machine):
 * the first half gets the campaign (subject A), the second its variant
 * campaign (subject B). The rest wait in ab_holdout. After the wait, the
 * subject with the better open (or click) rate, from mail_events over
 * the mail sent, goes to the rest through its own campaign; a tie goes
 * to A.
 */
#pragma once

#include "ct-db.h"

G_BEGIN_DECLS

typedef enum
{
  CT_ABTEST_OPENS,
  CT_ABTEST_CLICKS,
} CtAbTestMetric;

typedef struct
{
  gint64          campaign_id;   /* A */
  gint64          variant_id;    /* B */
  double          share;         /* of the audience in the test, (0, 1] */
  CtAbTestMetric  metric;
  guint           wait_hours;
  char            state[12];     /* "draft", "testing", "decided" */
  gint64          decide_at;     /* 0 before launch */
  gint64          winner_id;     /* 0 before the decision */
  double          a_rate, b_rate;
  gint64          a_sent, b_sent, holdout;
} CtAbTest;

/* Makes @campaign_id (a draft or scheduled campaign) an A/B test with
 * the variant subject @subject_b: a variant campaign "NAME (B)" with the
 * same body, sender and audience. */
gboolean  ct_abtest_create  (CtDb            *db,
                             gint64           campaign_id,
                             const char      *subject_b,
                             double           share,
                             CtAbTestMetric   metric,
                             guint            wait_hours,
                             GError         **error);
/* FALSE with CT_DB_ERROR_NOT_FOUND when the campaign is not a test. */
gboolean  ct_abtest_get     (CtDb            *db,
                             gint64           campaign_id,
                             CtAbTest        *test,
                             GError         **error);
/* Splits the audience and queues A and B; the campaign and its variant
 * become "sending". @now: Unix seconds, 0 the real time. */
gboolean  ct_abtest_launch  (CtDb            *db,
                             gint64           campaign_id,
                             gint64           now,
                             GError         **error);
/* Once decide_at has come, picks the winner and queues the rest with
 * its subject. *@out_decided says whether it did. */
gboolean  ct_abtest_decide  (CtDb            *db,
                             gint64           campaign_id,
                             gint64           now,
                             gboolean        *out_decided,
                             GError         **error);
/* For `clientele send-due` and the app's timer: launches the A/B tests
 * whose campaign is scheduled and due (before ct_outbox_send_due()
 * would launch it as a plain campaign) and decides those whose wait is
 * over. */
gboolean  ct_abtest_run_due (CtDb            *db,
                             gint64           now,
                             GError         **error);

G_END_DECLS
