/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-contact.h: a contact, and storing contacts and their tags */
#pragma once

#include "ct-db.h"

G_BEGIN_DECLS

typedef enum
{
  CT_CONTACT_SUBSCRIBED,
  CT_CONTACT_UNSUBSCRIBED,
  CT_CONTACT_BOUNCED,
  CT_CONTACT_COMPLAINED,
} CtContactStatus;

const char     *ct_contact_status_to_string   (CtContactStatus status); /* "subscribed" ... as stored */
gboolean        ct_contact_status_from_string (const char      *text,
                                               CtContactStatus *out);
const char     *ct_contact_status_get_label   (CtContactStatus status); /* translated, for people */

#define CT_TYPE_CONTACT (ct_contact_get_type ())
G_DECLARE_FINAL_TYPE (CtContact, ct_contact, CT, CONTACT, GObject)

/* Properties (all readable, the editable ones writable, all notify only on
 * change): "id" (gint64, 0 when not stored yet), "email", "first-name",
 * "last-name", "display-name" (read-only: "张伟" for CJK names, "Ada
 * Lovelace" otherwise, falls back to the email), "phone", "company",
 * "channel-id" (gint64, 0 for none), "channel" (read-only channel name or
 * ""), "status" (CtContactStatus as int), "status-label" (read-only),
 * "notes", "tags" (read-only, "vip, 课程A" joined by ", "), "created-at"
 * (gint64 Unix seconds), "purchase-count" (int, read-only), "total-spent"
 * (gint64 minor units, read-only), "total-spent-label" (read-only,
 * formatted in "currency"), "last-purchase-at" (gint64, 0 for none,
 * read-only). Strings are never NULL, "" for empty. */

CtContact      *ct_contact_new                (void);

gint64          ct_contact_get_id             (CtContact  *self);
const char     *ct_contact_get_email          (CtContact  *self);
void            ct_contact_set_email          (CtContact  *self,
                                               const char *email);
const char     *ct_contact_get_first_name     (CtContact  *self);
void            ct_contact_set_first_name     (CtContact  *self,
                                               const char *first_name);
const char     *ct_contact_get_last_name      (CtContact  *self);
void            ct_contact_set_last_name      (CtContact  *self,
                                               const char *last_name);
const char     *ct_contact_get_display_name   (CtContact  *self);
const char     *ct_contact_get_phone          (CtContact  *self);
void            ct_contact_set_phone          (CtContact  *self,
                                               const char *phone);
const char     *ct_contact_get_company        (CtContact  *self);
void            ct_contact_set_company        (CtContact  *self,
                                               const char *company);
gint64          ct_contact_get_channel_id     (CtContact  *self);
void            ct_contact_set_channel_id     (CtContact  *self,
                                               gint64      channel_id);
const char     *ct_contact_get_channel        (CtContact  *self);
CtContactStatus ct_contact_get_status         (CtContact  *self);
void            ct_contact_set_status         (CtContact  *self,
                                               CtContactStatus status);
const char     *ct_contact_get_notes          (CtContact  *self);
void            ct_contact_set_notes          (CtContact  *self,
                                               const char *notes);
const char     *ct_contact_get_tags           (CtContact  *self);
gint64          ct_contact_get_created_at     (CtContact  *self);
int             ct_contact_get_purchase_count (CtContact  *self);
gint64          ct_contact_get_total_spent    (CtContact  *self);
gint64          ct_contact_get_last_purchase_at (CtContact *self);

/* Formats a name the way its script expects: family name first and no
 * space for Han, Hangul or kana; "First Last" otherwise. Returns: (transfer full) */
char           *ct_contact_format_name        (const char *first_name,
                                               const char *last_name);

/* Checks the editable fields: email syntax when set, at least one of email,
 * name or phone. CT_DB_ERROR_INVALID with a message naming the field. */
gboolean        ct_contact_validate           (CtContact  *self,
                                               GError    **error);

/* Storing. All emit CtDb::changed("contacts") on success. A duplicate
 * email gives CT_DB_ERROR_CONSTRAINT "Another contact already has the
 * email …". */
gboolean        ct_contact_insert             (CtDb       *db,
                                               CtContact  *contact,
                                               GError    **error);  /* sets id, created-at */
gboolean        ct_contact_update             (CtDb       *db,
                                               CtContact  *contact,
                                               GError    **error);
/* Whether contact @id is there; CT_DB_ERROR_NOT_FOUND "The contact does
 * not exist any more." when it is not. */
gboolean        ct_contact_check_exists       (CtDb       *db,
                                               gint64      id,
                                               GError    **error);
/* Returns: (transfer full) (nullable): CT_DB_ERROR_NOT_FOUND when missing */
CtContact      *ct_contact_load               (CtDb       *db,
                                               gint64      id,
                                               GError    **error);
/* Reads one row of the SELECT in CT_CONTACT_SELECT_SQL (columns in that
 * order); for list models. Returns: (transfer full) */
CtContact      *ct_contact_new_from_row       (sqlite3_stmt *stmt);
#define CT_CONTACT_SELECT_SQL \
  "SELECT c.id, c.email, c.first_name, c.last_name, c.phone, c.company," \
  " c.channel_id, coalesce(ch.name, ''), c.status, c.notes," \
  " coalesce((SELECT group_concat(t.name, ', ') FROM contact_tags x" \
  "           JOIN tags t ON t.id = x.tag_id WHERE x.contact_id = c.id), '')," \
  " c.created_at, c.purchase_count, c.total_spent, coalesce(c.last_purchase_at, 0)," \
  " m.as_of, m.recency_days, m.frequency, m.monetary, m.currency," \
  " m.r_score, m.f_score, m.m_score, m.rfm_segment, m.lifecycle," \
  " m.clv_historical, m.clv_simple, m.clv_predictive, m.p_alive," \
  " m.expected_purchases, m.cluster" \
  " FROM contacts c LEFT JOIN channels ch ON ch.id = c.channel_id" \
  " LEFT JOIN contact_metrics m ON m.contact_id = c.id"

/* Deleting keeps everything needed to put the contact back (its row, tags
 * and purchases) so the UI can offer Undo. */
typedef struct _CtContactSnapshot CtContactSnapshot;
/* Returns: (transfer full) (nullable): the snapshot, NULL with @error set */
CtContactSnapshot *ct_contact_delete          (CtDb       *db,
                                               gint64      id,
                                               GError    **error);
/* Puts the contact back with the same id, tags and purchases. */
gboolean        ct_contact_restore            (CtDb              *db,
                                               CtContactSnapshot *snapshot,
                                               GError           **error);
void            ct_contact_snapshot_free      (CtContactSnapshot *snapshot);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtContactSnapshot, ct_contact_snapshot_free)

/* Tags: replaces the contact's tags with @tags (NULL-terminated names,
 * created when new, blanks ignored). Emits changed("contacts"). */
gboolean        ct_contact_set_tags           (CtDb        *db,
                                               gint64       contact_id,
                                               const char * const *tags,
                                               GError     **error);
/* Returns: (transfer full): the contact's tag names, sorted */
GStrv           ct_contact_get_tag_list       (CtDb        *db,
                                               gint64       contact_id,
                                               GError     **error);

/* Additions (A1). */

/* "currency" property (read-write, "CNY" unless set): the currency that
 * "total-spent-label" is formatted in; a list can set the main currency. */
const char     *ct_contact_get_currency       (CtContact  *self);
void            ct_contact_set_currency       (CtContact  *self,
                                               const char *currency);
/* The id of the deleted contact, which restoring gives back. */
gint64          ct_contact_snapshot_get_id    (const CtContactSnapshot *snapshot);
/* The deleted contact's display name, for an Undo toast. Returns: (transfer full) */
char           *ct_contact_snapshot_dup_display_name (const CtContactSnapshot *snapshot);

/* Scores (read-only, from the contact_metrics cache the background
 * recompute writes; see ct-analytics.h). A contact the cache has no row
 * for has "metrics-as-of" 0 and every other score "not computed":
 *
 * "metrics-as-of" (gint64 Unix seconds, 0 when not computed),
 * "recency-days" (gint64, -1 without a purchase), "frequency" (gint64
 * purchases), "monetary" (gint64 minor units of "metrics-currency"),
 * "metrics-currency" (string, "" when not computed), "r-score",
 * "f-score", "m-score" (int 1..5, 0 when none), "rfm-segment" (id as
 * ct_rfm_segment_to_id() gives, "" when none), "rfm-segment-label"
 * (translated, ""), "lifecycle" (id as ct_lifecycle_stage_to_id(), ""),
 * "lifecycle-label" (translated, ""), "clv-historical", "clv-simple",
 * "clv-predictive" (gint64 minor units, -1 when not computed or the
 * model could not be fitted), "clv-predictive-label" (formatted, ""
 * when -1), "p-alive", "churn-risk" (double 0..1, 1 − P(alive); -1 when
 * not fitted), "expected-purchases" (double, -1 when not fitted),
 * "cluster" (int 0.., -1 when none). */
gint64          ct_contact_get_metrics_as_of    (CtContact  *self);
gint64          ct_contact_get_recency_days     (CtContact  *self);
gint64          ct_contact_get_frequency        (CtContact  *self);
gint64          ct_contact_get_monetary         (CtContact  *self);
const char     *ct_contact_get_metrics_currency (CtContact  *self);
/* Any of @r, @f, @m may be NULL; 0 when not scored. */
void            ct_contact_get_rfm_scores       (CtContact  *self,
                                                 guint      *r,
                                                 guint      *f,
                                                 guint      *m);
const char     *ct_contact_get_rfm_segment      (CtContact  *self);
const char     *ct_contact_get_rfm_segment_label (CtContact *self);
const char     *ct_contact_get_lifecycle        (CtContact  *self);
const char     *ct_contact_get_lifecycle_label  (CtContact  *self);
gint64          ct_contact_get_clv_historical   (CtContact  *self);
gint64          ct_contact_get_clv_simple       (CtContact  *self);
gint64          ct_contact_get_clv_predictive   (CtContact  *self);
const char     *ct_contact_get_clv_predictive_label (CtContact *self);
double          ct_contact_get_p_alive          (CtContact  *self);
double          ct_contact_get_churn_risk       (CtContact  *self);
double          ct_contact_get_expected_purchases (CtContact *self);
int             ct_contact_get_cluster          (CtContact  *self);

G_END_DECLS
