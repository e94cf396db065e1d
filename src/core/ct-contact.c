/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-contact.c: a contact, and storing contacts and their tags
 *
 * A CtContact is a plain value object: editing its properties changes
 * nothing on disk until ct_contact_insert() or ct_contact_update(), which
 * write the row and then read it back, so that what the object shows (the
 * channel's name, the tags, the purchase figures the triggers keep) is what
 * the database holds.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-contact.h"
#include "ct-money.h"
#include "ct-rfm.h"
#include "ct-tag.h"
#include "ct-text-private.h"

struct _CtContact
{
  GObject          parent_instance;

  gint64           id;
  char            *email;
  char            *first_name;
  char            *last_name;
  char            *display_name;
  char            *phone;
  char            *company;
  gint64           channel_id;
  char            *channel;
  CtContactStatus  status;
  char            *notes;
  char            *tags;
  gint64           created_at;
  int              purchase_count;
  gint64           total_spent;
  char            *total_spent_label;
  gint64           last_purchase_at;
  char            *currency;

  /* Scores from contact_metrics; see apply_metrics(). */
  gint64           metrics_as_of;
  gint64           recency_days;
  gint64           frequency;
  gint64           monetary;
  char            *metrics_currency;
  int              r_score;
  int              f_score;
  int              m_score;
  char            *rfm_segment;
  char            *lifecycle;
  gint64           clv_historical;
  gint64           clv_simple;
  gint64           clv_predictive;
  char            *clv_predictive_label;
  double           p_alive;
  double           expected_purchases;
  int              cluster;
};

G_DEFINE_FINAL_TYPE (CtContact, ct_contact, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_EMAIL,
  PROP_FIRST_NAME,
  PROP_LAST_NAME,
  PROP_DISPLAY_NAME,
  PROP_PHONE,
  PROP_COMPANY,
  PROP_CHANNEL_ID,
  PROP_CHANNEL,
  PROP_STATUS,
  PROP_STATUS_LABEL,
  PROP_NOTES,
  PROP_TAGS,
  PROP_CREATED_AT,
  PROP_PURCHASE_COUNT,
  PROP_TOTAL_SPENT,
  PROP_TOTAL_SPENT_LABEL,
  PROP_LAST_PURCHASE_AT,
  PROP_CURRENCY,
  PROP_METRICS_AS_OF,
  PROP_RECENCY_DAYS,
  PROP_FREQUENCY,
  PROP_MONETARY,
  PROP_METRICS_CURRENCY,
  PROP_R_SCORE,
  PROP_F_SCORE,
  PROP_M_SCORE,
  PROP_RFM_SEGMENT,
  PROP_RFM_SEGMENT_LABEL,
  PROP_LIFECYCLE,
  PROP_LIFECYCLE_LABEL,
  PROP_CLV_HISTORICAL,
  PROP_CLV_SIMPLE,
  PROP_CLV_PREDICTIVE,
  PROP_CLV_PREDICTIVE_LABEL,
  PROP_P_ALIVE,
  PROP_CHURN_RISK,
  PROP_EXPECTED_PURCHASES,
  PROP_CLUSTER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Status */

static const char * const status_names[] = {
  [CT_CONTACT_SUBSCRIBED] = "subscribed",
  [CT_CONTACT_UNSUBSCRIBED] = "unsubscribed",
  [CT_CONTACT_BOUNCED] = "bounced",
  [CT_CONTACT_COMPLAINED] = "complained",
};

/**
 * ct_contact_status_to_string:
 *
 * Returns: (transfer none): the status as stored: "subscribed",
 * "unsubscribed", "bounced" or "complained"
 */
const char *
ct_contact_status_to_string (CtContactStatus status)
{
  g_return_val_if_fail (status <= CT_CONTACT_COMPLAINED, "subscribed");
  return status_names[status];
}

/**
 * ct_contact_status_from_string:
 * @text: a status as stored, ASCII case ignored
 * @out: (out) (optional): the status
 *
 * Returns: whether @text names a status
 */
gboolean
ct_contact_status_from_string (const char      *text,
                               CtContactStatus *out)
{
  if (text == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (status_names); i++)
    if (g_ascii_strcasecmp (text, status_names[i]) == 0)
      {
        if (out != NULL)
          *out = (CtContactStatus) i;
        return TRUE;
      }

  return FALSE;
}

/**
 * ct_contact_status_get_label:
 *
 * Returns: (transfer none): the status for people, translated
 */
const char *
ct_contact_status_get_label (CtContactStatus status)
{
  switch (status)
    {
    case CT_CONTACT_SUBSCRIBED:
      return C_("subscription status", "Subscribed");
    case CT_CONTACT_UNSUBSCRIBED:
      return C_("subscription status", "Unsubscribed");
    case CT_CONTACT_BOUNCED:
      /* Mail to the address came back as undeliverable. */
      return C_("subscription status", "Bounced");
    case CT_CONTACT_COMPLAINED:
      /* The contact marked a mail as spam. */
      return C_("subscription status", "Complained");
    default:
      g_return_val_if_reached ("");
    }
}

/* Names */

static gboolean
is_family_name_first_script (const char *text)
{
  GUnicodeScript script;

  if (text == NULL || *text == '\0')
    return FALSE;

  script = g_unichar_get_script (g_utf8_get_char (text));
  return script == G_UNICODE_SCRIPT_HAN ||
         script == G_UNICODE_SCRIPT_HANGUL ||
         script == G_UNICODE_SCRIPT_HIRAGANA ||
         script == G_UNICODE_SCRIPT_KATAKANA;
}

/**
 * ct_contact_format_name:
 * @first_name: (nullable): the given name
 * @last_name: (nullable): the family name
 *
 * Formats a name the way its script expects: "张伟" (family name first, no
 * space) when either part starts with Han, Hangul or kana; "Ada Lovelace"
 * otherwise. White space around the parts is dropped; either part may be
 * empty.
 *
 * Returns: (transfer full): the name, "" when both parts are empty
 */
char *
ct_contact_format_name (const char *first_name,
                        const char *last_name)
{
  g_autofree char *first = ct_text_strip_dup (first_name);
  g_autofree char *last = ct_text_strip_dup (last_name);

  if (*first == '\0')
    return g_steal_pointer (&last);
  if (*last == '\0')
    return g_steal_pointer (&first);

  if (is_family_name_first_script (first) || is_family_name_first_script (last))
    return g_strconcat (last, first, NULL);

  return g_strconcat (first, " ", last, NULL);
}

/* The object */

/* Stores @value (NULL as "") in @field; returns whether it changed. */
static gboolean
set_string (char       **field,
            const char  *value)
{
  if (value == NULL)
    value = "";
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void update_clv_predictive_label (CtContact *self);

static void
update_display_name (CtContact *self)
{
  g_autofree char *name = ct_contact_format_name (self->first_name, self->last_name);

  if (*name == '\0')
    {
      g_free (name);
      name = g_strdup (*self->email != '\0' ? self->email : self->phone);
    }

  if (set_string (&self->display_name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
}

static void
update_total_spent_label (CtContact *self)
{
  g_autofree char *label = ct_money_format (self->total_spent, self->currency);

  if (set_string (&self->total_spent_label, label))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL_SPENT_LABEL]);
}

static void
set_id (CtContact *self,
        gint64     id)
{
  if (self->id == id)
    return;
  self->id = id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
}

static void
set_channel_name (CtContact  *self,
                  const char *channel)
{
  if (set_string (&self->channel, channel))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANNEL]);
}

static void
set_tags_text (CtContact  *self,
               const char *tags)
{
  if (set_string (&self->tags, tags))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TAGS]);
}

static void
set_created_at (CtContact *self,
                gint64     created_at)
{
  if (self->created_at == created_at)
    return;
  self->created_at = created_at;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CREATED_AT]);
}

static void
set_purchase_figures (CtContact *self,
                      int        purchase_count,
                      gint64     total_spent,
                      gint64     last_purchase_at)
{
  if (self->purchase_count != purchase_count)
    {
      self->purchase_count = purchase_count;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PURCHASE_COUNT]);
    }
  if (self->total_spent != total_spent)
    {
      self->total_spent = total_spent;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL_SPENT]);
      update_total_spent_label (self);
    }
  if (self->last_purchase_at != last_purchase_at)
    {
      self->last_purchase_at = last_purchase_at;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_PURCHASE_AT]);
    }
}

static void
ct_contact_finalize (GObject *object)
{
  CtContact *self = CT_CONTACT (object);

  g_free (self->email);
  g_free (self->first_name);
  g_free (self->last_name);
  g_free (self->display_name);
  g_free (self->phone);
  g_free (self->company);
  g_free (self->channel);
  g_free (self->notes);
  g_free (self->tags);
  g_free (self->total_spent_label);
  g_free (self->currency);
  g_free (self->metrics_currency);
  g_free (self->rfm_segment);
  g_free (self->lifecycle);
  g_free (self->clv_predictive_label);

  G_OBJECT_CLASS (ct_contact_parent_class)->finalize (object);
}

static void
ct_contact_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  CtContact *self = CT_CONTACT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_EMAIL:
      g_value_set_string (value, self->email);
      break;
    case PROP_FIRST_NAME:
      g_value_set_string (value, self->first_name);
      break;
    case PROP_LAST_NAME:
      g_value_set_string (value, self->last_name);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    case PROP_PHONE:
      g_value_set_string (value, self->phone);
      break;
    case PROP_COMPANY:
      g_value_set_string (value, self->company);
      break;
    case PROP_CHANNEL_ID:
      g_value_set_int64 (value, self->channel_id);
      break;
    case PROP_CHANNEL:
      g_value_set_string (value, self->channel);
      break;
    case PROP_STATUS:
      g_value_set_int (value, self->status);
      break;
    case PROP_STATUS_LABEL:
      g_value_set_string (value, ct_contact_status_get_label (self->status));
      break;
    case PROP_NOTES:
      g_value_set_string (value, self->notes);
      break;
    case PROP_TAGS:
      g_value_set_string (value, self->tags);
      break;
    case PROP_CREATED_AT:
      g_value_set_int64 (value, self->created_at);
      break;
    case PROP_PURCHASE_COUNT:
      g_value_set_int (value, self->purchase_count);
      break;
    case PROP_TOTAL_SPENT:
      g_value_set_int64 (value, self->total_spent);
      break;
    case PROP_TOTAL_SPENT_LABEL:
      g_value_set_string (value, self->total_spent_label);
      break;
    case PROP_LAST_PURCHASE_AT:
      g_value_set_int64 (value, self->last_purchase_at);
      break;
    case PROP_CURRENCY:
      g_value_set_string (value, self->currency);
      break;
    case PROP_METRICS_AS_OF:
      g_value_set_int64 (value, self->metrics_as_of);
      break;
    case PROP_RECENCY_DAYS:
      g_value_set_int64 (value, self->recency_days);
      break;
    case PROP_FREQUENCY:
      g_value_set_int64 (value, self->frequency);
      break;
    case PROP_MONETARY:
      g_value_set_int64 (value, self->monetary);
      break;
    case PROP_METRICS_CURRENCY:
      g_value_set_string (value, self->metrics_currency);
      break;
    case PROP_R_SCORE:
      g_value_set_int (value, self->r_score);
      break;
    case PROP_F_SCORE:
      g_value_set_int (value, self->f_score);
      break;
    case PROP_M_SCORE:
      g_value_set_int (value, self->m_score);
      break;
    case PROP_RFM_SEGMENT:
      g_value_set_string (value, self->rfm_segment);
      break;
    case PROP_RFM_SEGMENT_LABEL:
      g_value_set_string (value, ct_contact_get_rfm_segment_label (self));
      break;
    case PROP_LIFECYCLE:
      g_value_set_string (value, self->lifecycle);
      break;
    case PROP_LIFECYCLE_LABEL:
      g_value_set_string (value, ct_contact_get_lifecycle_label (self));
      break;
    case PROP_CLV_HISTORICAL:
      g_value_set_int64 (value, self->clv_historical);
      break;
    case PROP_CLV_SIMPLE:
      g_value_set_int64 (value, self->clv_simple);
      break;
    case PROP_CLV_PREDICTIVE:
      g_value_set_int64 (value, self->clv_predictive);
      break;
    case PROP_CLV_PREDICTIVE_LABEL:
      g_value_set_string (value, self->clv_predictive_label);
      break;
    case PROP_P_ALIVE:
      g_value_set_double (value, self->p_alive);
      break;
    case PROP_CHURN_RISK:
      g_value_set_double (value, ct_contact_get_churn_risk (self));
      break;
    case PROP_EXPECTED_PURCHASES:
      g_value_set_double (value, self->expected_purchases);
      break;
    case PROP_CLUSTER:
      g_value_set_int (value, self->cluster);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_contact_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  CtContact *self = CT_CONTACT (object);

  switch (prop_id)
    {
    case PROP_EMAIL:
      ct_contact_set_email (self, g_value_get_string (value));
      break;
    case PROP_FIRST_NAME:
      ct_contact_set_first_name (self, g_value_get_string (value));
      break;
    case PROP_LAST_NAME:
      ct_contact_set_last_name (self, g_value_get_string (value));
      break;
    case PROP_PHONE:
      ct_contact_set_phone (self, g_value_get_string (value));
      break;
    case PROP_COMPANY:
      ct_contact_set_company (self, g_value_get_string (value));
      break;
    case PROP_CHANNEL_ID:
      ct_contact_set_channel_id (self, g_value_get_int64 (value));
      break;
    case PROP_STATUS:
      ct_contact_set_status (self, g_value_get_int (value));
      break;
    case PROP_NOTES:
      ct_contact_set_notes (self, g_value_get_string (value));
      break;
    case PROP_CURRENCY:
      ct_contact_set_currency (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_contact_class_init (CtContactClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ct_contact_finalize;
  object_class->get_property = ct_contact_get_property;
  object_class->set_property = ct_contact_set_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_EMAIL] =
    g_param_spec_string ("email", NULL, NULL, "", rw);
  properties[PROP_FIRST_NAME] =
    g_param_spec_string ("first-name", NULL, NULL, "", rw);
  properties[PROP_LAST_NAME] =
    g_param_spec_string ("last-name", NULL, NULL, "", rw);
  properties[PROP_DISPLAY_NAME] =
    g_param_spec_string ("display-name", NULL, NULL, "", ro);
  properties[PROP_PHONE] =
    g_param_spec_string ("phone", NULL, NULL, "", rw);
  properties[PROP_COMPANY] =
    g_param_spec_string ("company", NULL, NULL, "", rw);
  properties[PROP_CHANNEL_ID] =
    g_param_spec_int64 ("channel-id", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_CHANNEL] =
    g_param_spec_string ("channel", NULL, NULL, "", ro);
  properties[PROP_STATUS] =
    g_param_spec_int ("status", NULL, NULL,
                      CT_CONTACT_SUBSCRIBED, CT_CONTACT_COMPLAINED,
                      CT_CONTACT_SUBSCRIBED, rw);
  properties[PROP_STATUS_LABEL] =
    g_param_spec_string ("status-label", NULL, NULL, "", ro);
  properties[PROP_NOTES] =
    g_param_spec_string ("notes", NULL, NULL, "", rw);
  properties[PROP_TAGS] =
    g_param_spec_string ("tags", NULL, NULL, "", ro);
  properties[PROP_CREATED_AT] =
    g_param_spec_int64 ("created-at", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_PURCHASE_COUNT] =
    g_param_spec_int ("purchase-count", NULL, NULL, 0, G_MAXINT, 0, ro);
  properties[PROP_TOTAL_SPENT] =
    g_param_spec_int64 ("total-spent", NULL, NULL, G_MININT64, G_MAXINT64, 0, ro);
  properties[PROP_TOTAL_SPENT_LABEL] =
    g_param_spec_string ("total-spent-label", NULL, NULL, "", ro);
  properties[PROP_LAST_PURCHASE_AT] =
    g_param_spec_int64 ("last-purchase-at", NULL, NULL, 0, G_MAXINT64, 0, ro);
  /**
   * CtContact:currency:
   *
   * The ISO 4217 code "total-spent-label" is formatted in, "CNY" unless
   * set: the database keeps one total per contact, summed in the
   * business's main currency.
   */
  properties[PROP_CURRENCY] =
    g_param_spec_string ("currency", NULL, NULL, "CNY", rw);

  /* Scores: see the header for what "not computed" looks like. */
  properties[PROP_METRICS_AS_OF] =
    g_param_spec_int64 ("metrics-as-of", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_RECENCY_DAYS] =
    g_param_spec_int64 ("recency-days", NULL, NULL, -1, G_MAXINT64, -1, ro);
  properties[PROP_FREQUENCY] =
    g_param_spec_int64 ("frequency", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_MONETARY] =
    g_param_spec_int64 ("monetary", NULL, NULL, G_MININT64, G_MAXINT64, 0, ro);
  properties[PROP_METRICS_CURRENCY] =
    g_param_spec_string ("metrics-currency", NULL, NULL, "", ro);
  properties[PROP_R_SCORE] =
    g_param_spec_int ("r-score", NULL, NULL, 0, 5, 0, ro);
  properties[PROP_F_SCORE] =
    g_param_spec_int ("f-score", NULL, NULL, 0, 5, 0, ro);
  properties[PROP_M_SCORE] =
    g_param_spec_int ("m-score", NULL, NULL, 0, 5, 0, ro);
  properties[PROP_RFM_SEGMENT] =
    g_param_spec_string ("rfm-segment", NULL, NULL, "", ro);
  properties[PROP_RFM_SEGMENT_LABEL] =
    g_param_spec_string ("rfm-segment-label", NULL, NULL, "", ro);
  properties[PROP_LIFECYCLE] =
    g_param_spec_string ("lifecycle", NULL, NULL, "", ro);
  properties[PROP_LIFECYCLE_LABEL] =
    g_param_spec_string ("lifecycle-label", NULL, NULL, "", ro);
  properties[PROP_CLV_HISTORICAL] =
    g_param_spec_int64 ("clv-historical", NULL, NULL, -1, G_MAXINT64, -1, ro);
  properties[PROP_CLV_SIMPLE] =
    g_param_spec_int64 ("clv-simple", NULL, NULL, -1, G_MAXINT64, -1, ro);
  properties[PROP_CLV_PREDICTIVE] =
    g_param_spec_int64 ("clv-predictive", NULL, NULL, -1, G_MAXINT64, -1, ro);
  properties[PROP_CLV_PREDICTIVE_LABEL] =
    g_param_spec_string ("clv-predictive-label", NULL, NULL, "", ro);
  properties[PROP_P_ALIVE] =
    g_param_spec_double ("p-alive", NULL, NULL, -1.0, 1.0, -1.0, ro);
  properties[PROP_CHURN_RISK] =
    g_param_spec_double ("churn-risk", NULL, NULL, -1.0, 1.0, -1.0, ro);
  properties[PROP_EXPECTED_PURCHASES] =
    g_param_spec_double ("expected-purchases", NULL, NULL, -1.0, G_MAXDOUBLE, -1.0, ro);
  properties[PROP_CLUSTER] =
    g_param_spec_int ("cluster", NULL, NULL, -1, G_MAXINT, -1, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ct_contact_init (CtContact *self)
{
  self->email = g_strdup ("");
  self->first_name = g_strdup ("");
  self->last_name = g_strdup ("");
  self->display_name = g_strdup ("");
  self->phone = g_strdup ("");
  self->company = g_strdup ("");
  self->channel = g_strdup ("");
  self->status = CT_CONTACT_SUBSCRIBED;
  self->notes = g_strdup ("");
  self->tags = g_strdup ("");
  self->currency = g_strdup ("CNY");
  self->total_spent_label = ct_money_format (0, self->currency);

  self->recency_days = -1;
  self->metrics_currency = g_strdup ("");
  self->rfm_segment = g_strdup ("");
  self->lifecycle = g_strdup ("");
  self->clv_historical = -1;
  self->clv_simple = -1;
  self->clv_predictive = -1;
  self->clv_predictive_label = g_strdup ("");
  self->p_alive = -1.0;
  self->expected_purchases = -1.0;
  self->cluster = -1;
}

/**
 * ct_contact_new:
 *
 * Returns: (transfer full): an empty contact, not stored yet (id 0)
 */
CtContact *
ct_contact_new (void)
{
  return g_object_new (CT_TYPE_CONTACT, NULL);
}

gint64
ct_contact_get_id (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), 0);
  return self->id;
}

const char *
ct_contact_get_email (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), NULL);
  return self->email;
}

void
ct_contact_set_email (CtContact  *self,
                      const char *email)
{
  g_return_if_fail (CT_IS_CONTACT (self));

  if (!set_string (&self->email, email))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EMAIL]);
  update_display_name (self);
}

const char *
ct_contact_get_first_name (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), NULL);
  return self->first_name;
}

void
ct_contact_set_first_name (CtContact  *self,
                           const char *first_name)
{
  g_return_if_fail (CT_IS_CONTACT (self));

  if (!set_string (&self->first_name, first_name))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIRST_NAME]);
  update_display_name (self);
}

const char *
ct_contact_get_last_name (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), NULL);
  return self->last_name;
}

void
ct_contact_set_last_name (CtContact  *self,
                          const char *last_name)
{
  g_return_if_fail (CT_IS_CONTACT (self));

  if (!set_string (&self->last_name, last_name))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_NAME]);
  update_display_name (self);
}

/**
 * ct_contact_get_display_name:
 *
 * Returns: (transfer none): the name as people read it (see
 * ct_contact_format_name()), else the email, else the phone number
 */
const char *
ct_contact_get_display_name (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), NULL);
  return self->display_name;
}

const char *
ct_contact_get_phone (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), NULL);
  return self->phone;
}

void
ct_contact_set_phone (CtContact  *self,
                      const char *phone)
{
  g_return_if_fail (CT_IS_CONTACT (self));

  if (!set_string (&self->phone, phone))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PHONE]);
  update_display_name (self);
}

const char *
ct_contact_get_company (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), NULL);
  return self->company;
}

void
ct_contact_set_company (CtContact  *self,
                        const char *company)
{
  g_return_if_fail (CT_IS_CONTACT (self));

  if (set_string (&self->company, company))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPANY]);
}

gint64
ct_contact_get_channel_id (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), 0);
  return self->channel_id;
}

/**
 * ct_contact_set_channel_id:
 * @channel_id: a channel's id, 0 for none
 *
 * The "channel" name follows when the contact is saved or loaded.
 */
void
ct_contact_set_channel_id (CtContact *self,
                           gint64     channel_id)
{
  g_return_if_fail (CT_IS_CONTACT (self));
  g_return_if_fail (channel_id >= 0);

  if (self->channel_id == channel_id)
    return;
  self->channel_id = channel_id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHANNEL_ID]);
}

/**
 * ct_contact_get_channel:
 *
 * Returns: (transfer none): the name of the channel as last read from the
 * database, "" for none
 */
const char *
ct_contact_get_channel (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), NULL);
  return self->channel;
}

CtContactStatus
ct_contact_get_status (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), CT_CONTACT_SUBSCRIBED);
  return self->status;
}

void
ct_contact_set_status (CtContact       *self,
                       CtContactStatus  status)
{
  g_return_if_fail (CT_IS_CONTACT (self));
  g_return_if_fail (status <= CT_CONTACT_COMPLAINED);

  if (self->status == status)
    return;
  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_LABEL]);
}

const char *
ct_contact_get_notes (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), NULL);
  return self->notes;
}

void
ct_contact_set_notes (CtContact  *self,
                      const char *notes)
{
  g_return_if_fail (CT_IS_CONTACT (self));

  if (set_string (&self->notes, notes))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NOTES]);
}

/**
 * ct_contact_get_tags:
 *
 * Returns: (transfer none): the tag names as last read from the database,
 * joined by ", "
 */
const char *
ct_contact_get_tags (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), NULL);
  return self->tags;
}

gint64
ct_contact_get_created_at (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), 0);
  return self->created_at;
}

int
ct_contact_get_purchase_count (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), 0);
  return self->purchase_count;
}

gint64
ct_contact_get_total_spent (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), 0);
  return self->total_spent;
}

gint64
ct_contact_get_last_purchase_at (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), 0);
  return self->last_purchase_at;
}

/**
 * ct_contact_get_currency:
 *
 * Returns: (transfer none): the currency "total-spent-label" is in
 */
const char *
ct_contact_get_currency (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), NULL);
  return self->currency;
}

/**
 * ct_contact_set_currency:
 * @currency: (nullable): an ISO 4217 code; %NULL or "" means CNY
 */
void
ct_contact_set_currency (CtContact  *self,
                         const char *currency)
{
  g_return_if_fail (CT_IS_CONTACT (self));

  if (currency == NULL || *currency == '\0')
    currency = "CNY";
  if (!set_string (&self->currency, currency))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENCY]);
  update_total_spent_label (self);
  /* The predicted value follows when the cache names no currency. */
  if (*self->metrics_currency == '\0')
    update_clv_predictive_label (self);
}

/**
 * ct_contact_get_metrics_as_of:
 *
 * Returns: when the scores were computed (Unix seconds), 0 when the
 * contact has none yet
 */
gint64
ct_contact_get_metrics_as_of (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), 0);
  return self->metrics_as_of;
}

/**
 * ct_contact_get_recency_days:
 *
 * Returns: whole days from the last purchase to the scores' as-of time,
 * -1 when not computed or without a purchase
 */
gint64
ct_contact_get_recency_days (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), -1);
  return self->recency_days;
}

gint64
ct_contact_get_frequency (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), 0);
  return self->frequency;
}

gint64
ct_contact_get_monetary (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), 0);
  return self->monetary;
}

/**
 * ct_contact_get_metrics_currency:
 *
 * Returns: (transfer none): the currency of "monetary" and the CLVs, ""
 * when not computed
 */
const char *
ct_contact_get_metrics_currency (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), "");
  return self->metrics_currency;
}

/**
 * ct_contact_get_rfm_scores:
 * @r: (out) (optional): recency score 1..5, 0 when none
 * @f: (out) (optional): frequency score
 * @m: (out) (optional): monetary score
 */
void
ct_contact_get_rfm_scores (CtContact *self,
                           guint     *r,
                           guint     *f,
                           guint     *m)
{
  g_return_if_fail (CT_IS_CONTACT (self));

  if (r != NULL)
    *r = (guint) self->r_score;
  if (f != NULL)
    *f = (guint) self->f_score;
  if (m != NULL)
    *m = (guint) self->m_score;
}

/**
 * ct_contact_get_rfm_segment:
 *
 * Returns: (transfer none): the segment's id ("champions"...), "" when none
 */
const char *
ct_contact_get_rfm_segment (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), "");
  return self->rfm_segment;
}

/**
 * ct_contact_get_rfm_segment_label:
 *
 * Returns: (transfer none): the segment's translated name, "" when none
 */
const char *
ct_contact_get_rfm_segment_label (CtContact *self)
{
  CtRfmSegment segment;

  g_return_val_if_fail (CT_IS_CONTACT (self), "");

  if (!ct_rfm_segment_from_id (self->rfm_segment, &segment))
    return "";
  return ct_rfm_segment_get_label (segment);
}

/**
 * ct_contact_get_lifecycle:
 *
 * Returns: (transfer none): the lifecycle stage's id ("active"...), ""
 * when not computed
 */
const char *
ct_contact_get_lifecycle (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), "");
  return self->lifecycle;
}

/**
 * ct_contact_get_lifecycle_label:
 *
 * Returns: (transfer none): the stage's translated name, "" when none
 */
const char *
ct_contact_get_lifecycle_label (CtContact *self)
{
  CtLifecycleStage stage;

  g_return_val_if_fail (CT_IS_CONTACT (self), "");

  if (!ct_lifecycle_stage_from_id (self->lifecycle, &stage))
    return "";
  return ct_lifecycle_stage_get_label (stage);
}

/**
 * ct_contact_get_clv_historical:
 *
 * Returns: what the contact spent, minor units of "metrics-currency", -1
 * when not computed
 */
gint64
ct_contact_get_clv_historical (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), -1);
  return self->clv_historical;
}

/**
 * ct_contact_get_clv_simple:
 *
 * Returns: average order value × frequency × lifetime, minor units, -1
 * when not computed
 */
gint64
ct_contact_get_clv_simple (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), -1);
  return self->clv_simple;
}

/**
 * ct_contact_get_clv_predictive:
 *
 * Returns: the predicted lifetime value (BG/NBD with Gamma-Gamma), minor
 * units, -1 when not computed or the models could not be fitted
 */
gint64
ct_contact_get_clv_predictive (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), -1);
  return self->clv_predictive;
}

/**
 * ct_contact_get_clv_predictive_label:
 *
 * Returns: (transfer none): "¥1,240.00", "" when there is no prediction
 */
const char *
ct_contact_get_clv_predictive_label (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), "");
  return self->clv_predictive_label;
}

/**
 * ct_contact_get_p_alive:
 *
 * Returns: the probability that the contact is still a customer, 0..1;
 * -1 when not fitted
 */
double
ct_contact_get_p_alive (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), -1.0);
  return self->p_alive;
}

/**
 * ct_contact_get_churn_risk:
 *
 * Returns: 1 − P(alive), 0..1; -1 when not fitted
 */
double
ct_contact_get_churn_risk (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), -1.0);
  return self->p_alive >= 0.0 ? 1.0 - self->p_alive : -1.0;
}

/**
 * ct_contact_get_expected_purchases:
 *
 * Returns: purchases the model expects over the recompute's horizon, -1
 * when not fitted
 */
double
ct_contact_get_expected_purchases (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), -1.0);
  return self->expected_purchases;
}

/**
 * ct_contact_get_cluster:
 *
 * Returns: the contact's k-means cluster, 0 .. k-1; -1 when none
 */
int
ct_contact_get_cluster (CtContact *self)
{
  g_return_val_if_fail (CT_IS_CONTACT (self), -1);
  return self->cluster;
}

/* Validation */

static gboolean
check_email (const char  *email,
             GError     **error)
{
  const char *at = strchr (email, '@');
  const char *domain;

  for (const char *p = email; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || g_unichar_iscntrl (c))
        {
          g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                       _("The email address “%s” contains a space."), email);
          return FALSE;
        }
    }

  if (at == NULL || strchr (at + 1, '@') != NULL)
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   _("The email address “%s” must contain exactly one “@”."), email);
      return FALSE;
    }

  if (at == email)
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   _("The email address “%s” has nothing before the “@”."), email);
      return FALSE;
    }

  domain = at + 1;
  if (strchr (domain, '.') == NULL || *domain == '.' ||
      domain[strlen (domain) - 1] == '.' || strstr (domain, "..") != NULL)
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   _("The email address “%s” needs a domain after the “@”, "
                     "like example.com."), email);
      return FALSE;
    }

  return TRUE;
}

/**
 * ct_contact_validate:
 *
 * Checks what a person can edit: the email's syntax when there is one, and
 * that the contact has at least an email, a name or a phone number. White
 * space around the values does not count.
 *
 * Returns: %FALSE with CT_DB_ERROR_INVALID and a message naming the field
 */
gboolean
ct_contact_validate (CtContact  *self,
                     GError    **error)
{
  g_autofree char *email = NULL;
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;
  g_autofree char *phone = NULL;

  g_return_val_if_fail (CT_IS_CONTACT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  email = ct_text_strip_dup (self->email);
  first = ct_text_strip_dup (self->first_name);
  last = ct_text_strip_dup (self->last_name);
  phone = ct_text_strip_dup (self->phone);

  if (*email != '\0' && !check_email (email, error))
    return FALSE;

  if (*email == '\0' && *first == '\0' && *last == '\0' && *phone == '\0')
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("A contact needs an email address, a name or a phone number."));
      return FALSE;
    }

  return TRUE;
}

/* Storing */

/* Writes that belong together run in their own transaction, or in a
 * savepoint when the caller (an import, say) already opened one. A
 * transaction is taken with BEGIN IMMEDIATE: a deferred one that reads
 * first could not upgrade to writing if another connection wrote meanwhile. */
#define SAVEPOINT_NAME "ct_contact"

static gboolean
tx_begin (CtDb      *db,
          gboolean  *outer,
          GError   **error)
{
  *outer = sqlite3_get_autocommit (ct_db_get_handle (db)) != 0;
  if (*outer)
    return ct_db_begin (db, error);
  return ct_db_exec (db, "SAVEPOINT " SAVEPOINT_NAME, error);
}

static void
tx_rollback (CtDb     *db,
             gboolean  outer)
{
  if (outer)
    ct_db_rollback (db);
  else
    ct_db_exec (db, "ROLLBACK TO " SAVEPOINT_NAME "; RELEASE " SAVEPOINT_NAME, NULL);
}

static gboolean
tx_commit (CtDb      *db,
           gboolean   outer,
           GError   **error)
{
  if (outer ? ct_db_commit (db, error)
            : ct_db_exec (db, "RELEASE " SAVEPOINT_NAME, error))
    return TRUE;

  tx_rollback (db, outer);
  return FALSE;
}

/* Explains a failed write of a contact row. */
static void
set_write_error (GError     **error,
                 CtDb        *db,
                 int          rc,
                 const char  *email,
                 const char  *what)
{
  /* The only UNIQUE column of contacts is the email; the id is a PRIMARY
   * KEY and reports SQLITE_CONSTRAINT_PRIMARYKEY instead. */
  if (rc == SQLITE_CONSTRAINT_UNIQUE && email != NULL && *email != '\0')
    g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT,
                 _("Another contact already has the email “%s”."), email);
  else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT,
                         _("The contact’s channel does not exist any more. "
                           "Choose another channel."));
  else
    ct_db_set_error (error, ct_db_get_handle (db), rc, what);
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           index,
                   const char   *text)
{
  if (text == NULL || *text == '\0')
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

/* Binds the editable columns in the order of the INSERT and UPDATE below,
 * ?1 to ?8, trimming what people typed around them. */
static void
bind_editable (sqlite3_stmt *stmt,
               CtContact    *contact,
               char        **email_out)
{
  g_autofree char *email = ct_text_strip_dup (contact->email);
  g_autofree char *first = ct_text_strip_dup (contact->first_name);
  g_autofree char *last = ct_text_strip_dup (contact->last_name);
  g_autofree char *phone = ct_text_strip_dup (contact->phone);
  g_autofree char *company = ct_text_strip_dup (contact->company);

  /* NULL rather than "": UNIQUE lets any number of contacts go without
   * an email, but only one have "". */
  bind_text_or_null (stmt, 1, email);
  sqlite3_bind_text (stmt, 2, first, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, last, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, phone, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, company, -1, SQLITE_TRANSIENT);
  if (contact->channel_id > 0)
    sqlite3_bind_int64 (stmt, 6, contact->channel_id);
  else
    sqlite3_bind_null (stmt, 6);
  sqlite3_bind_text (stmt, 7, ct_contact_status_to_string (contact->status), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, contact->notes, -1, SQLITE_TRANSIENT);

  *email_out = g_steal_pointer (&email);
}

/* Scores */

static void
set_int64_field (CtContact *self,
                 gint64    *field,
                 gint64     value,
                 guint      prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_int_field (CtContact *self,
               int       *field,
               int        value,
               guint      prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_double_field (CtContact *self,
                  double    *field,
                  double     value,
                  guint      prop)
{
  /* Exact comparison on purpose: only a new value from the cache counts. */
  if (memcmp (field, &value, sizeof value) == 0)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static gint64
column_int64_or (sqlite3_stmt *stmt,
                 int           column,
                 gint64        fallback)
{
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return fallback;
  return sqlite3_column_int64 (stmt, column);
}

/* A probability or a count from the cache; NULL (not fitted) and values
 * a model should never give (NaN, out of range) both read as -1, so
 * that nothing shows a nonsensical percentage. */
static double
column_double_or_unset (sqlite3_stmt *stmt,
                        int           column,
                        double        max)
{
  double value;

  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return -1.0;
  value = sqlite3_column_double (stmt, column);
  if (!(value >= 0.0 && value <= max))
    return -1.0;
  return value;
}

static int
column_score (sqlite3_stmt *stmt,
              int           column)
{
  gint64 score = column_int64_or (stmt, column, 0);

  return score >= 1 && score <= 5 ? (int) score : 0;
}

static void
update_clv_predictive_label (CtContact *self)
{
  g_autofree char *label = NULL;

  if (self->clv_predictive >= 0)
    label = ct_money_format (self->clv_predictive,
                             *self->metrics_currency != '\0' ? self->metrics_currency
                                                              : self->currency);
  if (set_string (&self->clv_predictive_label, label))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLV_PREDICTIVE_LABEL]);
}

/* Reads the contact_metrics columns that CT_CONTACT_SELECT_SQL puts from
 * @first on. The LEFT JOIN gives NULL in all of them for a contact the
 * cache does not know (added since the last recompute): every score then
 * goes back to "not computed" rather than keeping an old object's. An id
 * this version does not know (a newer app wrote the cache) reads as none
 * too instead of showing a raw identifier. */
static void
apply_metrics (CtContact    *self,
               sqlite3_stmt *stmt,
               int           first)
{
  const char *segment = (const char *) sqlite3_column_text (stmt, first + 8);
  const char *stage = (const char *) sqlite3_column_text (stmt, first + 9);
  CtRfmSegment segment_value;
  CtLifecycleStage stage_value;
  gboolean label_changed;
  double p_alive_before = self->p_alive;
  gint64 clv_before = self->clv_predictive;
  g_autofree char *currency_before = g_strdup (self->metrics_currency);

  if (segment != NULL && !ct_rfm_segment_from_id (segment, &segment_value))
    segment = NULL;
  if (stage != NULL && !ct_lifecycle_stage_from_id (stage, &stage_value))
    stage = NULL;

  set_int64_field (self, &self->metrics_as_of,
                   MAX (column_int64_or (stmt, first, 0), 0), PROP_METRICS_AS_OF);
  set_int64_field (self, &self->recency_days,
                   MAX (column_int64_or (stmt, first + 1, -1), -1), PROP_RECENCY_DAYS);
  set_int64_field (self, &self->frequency,
                   MAX (column_int64_or (stmt, first + 2, 0), 0), PROP_FREQUENCY);
  set_int64_field (self, &self->monetary,
                   column_int64_or (stmt, first + 3, 0), PROP_MONETARY);
  if (set_string (&self->metrics_currency, (const char *) sqlite3_column_text (stmt, first + 4)))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_METRICS_CURRENCY]);
  set_int_field (self, &self->r_score, column_score (stmt, first + 5), PROP_R_SCORE);
  set_int_field (self, &self->f_score, column_score (stmt, first + 6), PROP_F_SCORE);
  set_int_field (self, &self->m_score, column_score (stmt, first + 7), PROP_M_SCORE);
  if (set_string (&self->rfm_segment, segment))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RFM_SEGMENT]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RFM_SEGMENT_LABEL]);
    }
  if (set_string (&self->lifecycle, stage))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIFECYCLE]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIFECYCLE_LABEL]);
    }
  set_int64_field (self, &self->clv_historical,
                   MAX (column_int64_or (stmt, first + 10, -1), -1), PROP_CLV_HISTORICAL);
  set_int64_field (self, &self->clv_simple,
                   MAX (column_int64_or (stmt, first + 11, -1), -1), PROP_CLV_SIMPLE);
  set_int64_field (self, &self->clv_predictive,
                   MAX (column_int64_or (stmt, first + 12, -1), -1), PROP_CLV_PREDICTIVE);
  set_double_field (self, &self->p_alive,
                    column_double_or_unset (stmt, first + 13, 1.0), PROP_P_ALIVE);
  set_double_field (self, &self->expected_purchases,
                    column_double_or_unset (stmt, first + 14, G_MAXDOUBLE),
                    PROP_EXPECTED_PURCHASES);
  set_int_field (self, &self->cluster,
                 (int) CLAMP (column_int64_or (stmt, first + 15, -1), -1, G_MAXINT),
                 PROP_CLUSTER);

  if (self->p_alive != p_alive_before)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHURN_RISK]);
  label_changed = self->clv_predictive != clv_before ||
                  g_strcmp0 (currency_before, self->metrics_currency) != 0;
  if (label_changed)
    update_clv_predictive_label (self);
}

/* Sets every column-backed field of @self from the current row of a
 * statement built on CT_CONTACT_SELECT_SQL, notifying what changed. */
static void
apply_row (CtContact    *self,
           sqlite3_stmt *stmt)
{
  CtContactStatus status = CT_CONTACT_SUBSCRIBED;

  g_object_freeze_notify (G_OBJECT (self));

  set_id (self, sqlite3_column_int64 (stmt, 0));
  ct_contact_set_email (self, (const char *) sqlite3_column_text (stmt, 1));
  ct_contact_set_first_name (self, (const char *) sqlite3_column_text (stmt, 2));
  ct_contact_set_last_name (self, (const char *) sqlite3_column_text (stmt, 3));
  ct_contact_set_phone (self, (const char *) sqlite3_column_text (stmt, 4));
  ct_contact_set_company (self, (const char *) sqlite3_column_text (stmt, 5));
  ct_contact_set_channel_id (self, MAX (sqlite3_column_int64 (stmt, 6), 0));
  set_channel_name (self, (const char *) sqlite3_column_text (stmt, 7));
  ct_contact_status_from_string ((const char *) sqlite3_column_text (stmt, 8), &status);
  ct_contact_set_status (self, status);
  ct_contact_set_notes (self, (const char *) sqlite3_column_text (stmt, 9));
  set_tags_text (self, (const char *) sqlite3_column_text (stmt, 10));
  set_created_at (self, sqlite3_column_int64 (stmt, 11));
  set_purchase_figures (self,
                        sqlite3_column_int (stmt, 12),
                        sqlite3_column_int64 (stmt, 13),
                        sqlite3_column_int64 (stmt, 14));
  apply_metrics (self, stmt, 15);

  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * ct_contact_new_from_row:
 * @stmt: a statement built on CT_CONTACT_SELECT_SQL, on a row
 *
 * Returns: (transfer full): the contact of the current row
 */
CtContact *
ct_contact_new_from_row (sqlite3_stmt *stmt)
{
  CtContact *self;

  g_return_val_if_fail (stmt != NULL, NULL);

  self = ct_contact_new ();
  apply_row (self, stmt);
  return self;
}

/* Reads row @id into @contact. */
static gboolean
reload (CtDb       *db,
        CtContact  *contact,
        gint64      id,
        GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = ct_db_prepare (db, CT_CONTACT_SELECT_SQL " WHERE c.id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND,
                           _("The contact does not exist any more."));
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc,
                       _("Could not read the contact"));
      return FALSE;
    }

  apply_row (contact, stmt);
  return TRUE;
}

/**
 * ct_contact_insert:
 * @contact: a contact not stored yet (id 0)
 *
 * Validates @contact and adds it. On success @contact has its id, creation
 * time and the values as stored (trimmed). Emits CtDb::changed("contacts").
 *
 * Returns: %FALSE with @error set: CT_DB_ERROR_INVALID from
 * ct_contact_validate(), CT_DB_ERROR_CONSTRAINT for an email another
 * contact has
 */
gboolean
ct_contact_insert (CtDb       *db,
                   CtContact  *contact,
                   GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *email = NULL;
  gint64 id;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (CT_IS_CONTACT (contact), FALSE);
  g_return_val_if_fail (contact->id == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!ct_contact_validate (contact, error))
    return FALSE;

  stmt = ct_db_prepare (db,
                        "INSERT INTO contacts (email, first_name, last_name, phone,"
                        " company, channel_id, status, notes)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        error);
  if (stmt == NULL)
    return FALSE;
  bind_editable (stmt, contact, &email);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      set_write_error (error, db, rc, email, _("Could not save the contact"));
      return FALSE;
    }

  id = sqlite3_last_insert_rowid (ct_db_get_handle (db));
  if (!reload (db, contact, id, error))
    return FALSE;

  ct_db_emit_changed (db, "contacts");
  return TRUE;
}

/**
 * ct_contact_update:
 * @contact: a stored contact
 *
 * Validates @contact and writes its editable fields, stamping the row's
 * update time; then reads the row back into @contact. Emits
 * CtDb::changed("contacts").
 *
 * Returns: %FALSE with @error set: CT_DB_ERROR_INVALID,
 * CT_DB_ERROR_CONSTRAINT for an email another contact has,
 * CT_DB_ERROR_NOT_FOUND when the contact was deleted meanwhile
 */
gboolean
ct_contact_update (CtDb       *db,
                   CtContact  *contact,
                   GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *email = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (CT_IS_CONTACT (contact), FALSE);
  g_return_val_if_fail (contact->id > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!ct_contact_validate (contact, error))
    return FALSE;

  stmt = ct_db_prepare (db,
                        "UPDATE contacts SET email = ?1, first_name = ?2,"
                        " last_name = ?3, phone = ?4, company = ?5,"
                        " channel_id = ?6, status = ?7, notes = ?8,"
                        " updated_at = unixepoch ()"
                        " WHERE id = ?9",
                        error);
  if (stmt == NULL)
    return FALSE;
  bind_editable (stmt, contact, &email);
  sqlite3_bind_int64 (stmt, 9, contact->id);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      set_write_error (error, db, rc, email, _("Could not save the contact"));
      return FALSE;
    }

  if (sqlite3_changes (ct_db_get_handle (db)) == 0)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND,
                           _("The contact does not exist any more."));
      return FALSE;
    }

  if (!reload (db, contact, contact->id, error))
    return FALSE;

  ct_db_emit_changed (db, "contacts");
  return TRUE;
}

/**
 * ct_contact_load:
 *
 * Returns: (transfer full) (nullable): the contact with @id, or %NULL with
 * CT_DB_ERROR_NOT_FOUND when there is none
 */
CtContact *
ct_contact_load (CtDb    *db,
                 gint64   id,
                 GError **error)
{
  g_autoptr(CtContact) contact = NULL;

  g_return_val_if_fail (CT_IS_DB (db), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  contact = ct_contact_new ();
  if (!reload (db, contact, id, error))
    return NULL;

  return g_steal_pointer (&contact);
}

/* Tags */

gboolean
ct_contact_check_exists (CtDb    *db,
                         gint64   id,
                         GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = ct_db_prepare (db, "SELECT 1 FROM contacts WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc == SQLITE_DONE)
    g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND,
                         _("The contact does not exist any more."));
  else
    ct_db_set_error (error, ct_db_get_handle (db), rc,
                     _("Could not read the contact"));
  return FALSE;
}

static gboolean
replace_tags (CtDb               *db,
              gint64              contact_id,
              const char * const *tags,
              GError            **error)
{
  g_autoptr(sqlite3_stmt) clear = NULL;
  g_autoptr(sqlite3_stmt) add = NULL;
  g_autoptr(sqlite3_stmt) touch = NULL;

  if (!ct_contact_check_exists (db, contact_id, error))
    return FALSE;

  clear = ct_db_prepare (db, "DELETE FROM contact_tags WHERE contact_id = ?", error);
  if (clear == NULL)
    return FALSE;
  sqlite3_bind_int64 (clear, 1, contact_id);
  if (!ct_db_step_done (db, clear, _("Could not save the tags"), error))
    return FALSE;

  add = ct_db_prepare (db,
                       "INSERT OR IGNORE INTO contact_tags (contact_id, tag_id) VALUES (?, ?)",
                       error);
  if (add == NULL)
    return FALSE;

  for (guint i = 0; tags != NULL && tags[i] != NULL; i++)
    {
      g_autofree char *name = ct_text_strip_dup (tags[i]);
      gint64 tag_id;

      if (*name == '\0')
        continue;

      tag_id = ct_tag_ensure (db, name, error);
      if (tag_id == 0)
        return FALSE;

      sqlite3_reset (add);
      sqlite3_bind_int64 (add, 1, contact_id);
      sqlite3_bind_int64 (add, 2, tag_id);
      if (!ct_db_step_done (db, add, _("Could not save the tags"), error))
        return FALSE;
    }

  touch = ct_db_prepare (db, "UPDATE contacts SET updated_at = unixepoch () WHERE id = ?",
                         error);
  if (touch == NULL)
    return FALSE;
  sqlite3_bind_int64 (touch, 1, contact_id);
  return ct_db_step_done (db, touch, _("Could not save the tags"), error);
}

/**
 * ct_contact_set_tags:
 * @tags: (nullable) (array zero-terminated=1): tag names
 *
 * Replaces the tags of @contact_id with @tags, adding tags that do not
 * exist yet. Blank names are skipped and names that differ only in case
 * or surrounding space are one tag. All or nothing. Emits
 * CtDb::changed("contacts").
 *
 * Returns: %FALSE with @error set; CT_DB_ERROR_NOT_FOUND when the contact
 * does not exist
 */
gboolean
ct_contact_set_tags (CtDb               *db,
                     gint64              contact_id,
                     const char * const *tags,
                     GError            **error)
{
  gboolean outer;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!tx_begin (db, &outer, error))
    return FALSE;

  if (!replace_tags (db, contact_id, tags, error))
    {
      tx_rollback (db, outer);
      return FALSE;
    }

  if (!tx_commit (db, outer, error))
    return FALSE;

  ct_db_emit_changed (db, "contacts");
  return TRUE;
}

/**
 * ct_contact_get_tag_list:
 *
 * Returns: (transfer full) (nullable): the names of the tags of
 * @contact_id, sorted ignoring case; empty when it has none; %NULL with
 * @error set on failure
 */
GStrv
ct_contact_get_tag_list (CtDb    *db,
                         gint64   contact_id,
                         GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = ct_db_prepare (db,
                        "SELECT t.name FROM contact_tags x JOIN tags t ON t.id = x.tag_id"
                        " WHERE x.contact_id = ? ORDER BY t.name COLLATE NOCASE, t.id",
                        error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, contact_id);

  builder = g_strv_builder_new ();
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (builder, (const char *) sqlite3_column_text (stmt, 0));

  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the tags"));
      return NULL;
    }

  return g_strv_builder_end (builder);
}

/* Deleting and restoring
 *
 * The snapshot keeps whole rows (every column, whatever migrations add
 * later) as SQLite values, so that restoring writes back exactly what was
 * there. */

typedef struct
{
  int             n_columns;
  char          **names;
  sqlite3_value **values;
} Row;

static Row *
row_capture (sqlite3_stmt *stmt)
{
  Row *row = g_new0 (Row, 1);

  row->n_columns = sqlite3_column_count (stmt);
  row->names = g_new0 (char *, row->n_columns + 1);
  row->values = g_new0 (sqlite3_value *, row->n_columns);

  for (int i = 0; i < row->n_columns; i++)
    {
      row->names[i] = g_strdup (sqlite3_column_name (stmt, i));
      row->values[i] = sqlite3_value_dup (sqlite3_column_value (stmt, i));
      if (row->values[i] == NULL)
        g_error ("Out of memory copying a database value");
    }

  return row;
}

static void
row_free (Row *row)
{
  if (row == NULL)
    return;

  for (int i = 0; i < row->n_columns; i++)
    sqlite3_value_free (row->values[i]);
  g_free (row->values);
  g_strfreev (row->names);
  g_free (row);
}

static sqlite3_value *
row_get (Row        *row,
         const char *column)
{
  for (int i = 0; i < row->n_columns; i++)
    if (g_strcmp0 (row->names[i], column) == 0)
      return row->values[i];
  return NULL;
}

static const char *
row_get_text (Row        *row,
              const char *column)
{
  sqlite3_value *value = row_get (row, column);
  const char *text = value != NULL ? (const char *) sqlite3_value_text (value) : NULL;

  return text != NULL ? text : "";
}

struct _CtContactSnapshot
{
  gint64     id;
  Row       *contact;
  GArray    *tag_ids;     /* gint64 */
  GPtrArray *tag_names;   /* char *, same order as tag_ids */
  GPtrArray *purchases;   /* Row * */
};

void
ct_contact_snapshot_free (CtContactSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;

  row_free (snapshot->contact);
  g_clear_pointer (&snapshot->tag_ids, g_array_unref);
  g_clear_pointer (&snapshot->tag_names, g_ptr_array_unref);
  g_clear_pointer (&snapshot->purchases, g_ptr_array_unref);
  g_free (snapshot);
}

/**
 * ct_contact_snapshot_get_id:
 *
 * Returns: the id of the deleted contact, the one restoring gives back
 */
gint64
ct_contact_snapshot_get_id (const CtContactSnapshot *snapshot)
{
  g_return_val_if_fail (snapshot != NULL, 0);
  return snapshot->id;
}

/**
 * ct_contact_snapshot_dup_display_name:
 *
 * Returns: (transfer full): the deleted contact's display name, for an
 * "Undo" toast
 */
char *
ct_contact_snapshot_dup_display_name (const CtContactSnapshot *snapshot)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (snapshot != NULL, NULL);

  name = ct_contact_format_name (row_get_text (snapshot->contact, "first_name"),
                                 row_get_text (snapshot->contact, "last_name"));
  if (*name != '\0')
    return g_steal_pointer (&name);
  if (*row_get_text (snapshot->contact, "email") != '\0')
    return g_strdup (row_get_text (snapshot->contact, "email"));
  return g_strdup (row_get_text (snapshot->contact, "phone"));
}

static gboolean
capture (CtDb               *db,
         gint64              id,
         CtContactSnapshot  *snapshot,
         GError            **error)
{
  g_autoptr(sqlite3_stmt) contact = NULL;
  g_autoptr(sqlite3_stmt) tags = NULL;
  g_autoptr(sqlite3_stmt) purchases = NULL;
  int rc;

  contact = ct_db_prepare (db, "SELECT * FROM contacts WHERE id = ?", error);
  if (contact == NULL)
    return FALSE;
  sqlite3_bind_int64 (contact, 1, id);
  rc = sqlite3_step (contact);
  if (rc == SQLITE_DONE)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND,
                           _("The contact does not exist any more."));
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the contact"));
      return FALSE;
    }
  snapshot->contact = row_capture (contact);

  tags = ct_db_prepare (db,
                        "SELECT t.id, t.name FROM contact_tags x JOIN tags t ON t.id = x.tag_id"
                        " WHERE x.contact_id = ? ORDER BY t.id",
                        error);
  if (tags == NULL)
    return FALSE;
  sqlite3_bind_int64 (tags, 1, id);
  while ((rc = sqlite3_step (tags)) == SQLITE_ROW)
    {
      gint64 tag_id = sqlite3_column_int64 (tags, 0);

      g_array_append_val (snapshot->tag_ids, tag_id);
      g_ptr_array_add (snapshot->tag_names,
                       g_strdup ((const char *) sqlite3_column_text (tags, 1)));
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the tags"));
      return FALSE;
    }

  purchases = ct_db_prepare (db, "SELECT * FROM purchases WHERE contact_id = ? ORDER BY id",
                             error);
  if (purchases == NULL)
    return FALSE;
  sqlite3_bind_int64 (purchases, 1, id);
  while ((rc = sqlite3_step (purchases)) == SQLITE_ROW)
    g_ptr_array_add (snapshot->purchases, row_capture (purchases));
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the purchases"));
      return FALSE;
    }

  return TRUE;
}

static gboolean
delete_rows (CtDb    *db,
             gint64   id,
             GError **error)
{
  static const char * const statements[] = {
    "DELETE FROM purchases WHERE contact_id = ?",
    "DELETE FROM contact_tags WHERE contact_id = ?",
    "DELETE FROM contacts WHERE id = ?",
  };

  /* Explicit rather than left to ON DELETE CASCADE, so that what is
   * deleted is exactly what the snapshot holds. */
  for (guint i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, statements[i], error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      if (!ct_db_step_done (db, stmt, _("Could not delete the contact"), error))
        return FALSE;
    }

  return TRUE;
}

/**
 * ct_contact_delete:
 *
 * Deletes the contact @id with its tags and purchases, in one transaction,
 * keeping a copy of all of it for ct_contact_restore(). Emits
 * CtDb::changed("contacts") and ("purchases").
 *
 * Returns: (transfer full) (nullable): the snapshot; %NULL with @error set,
 * CT_DB_ERROR_NOT_FOUND when there is no such contact
 */
CtContactSnapshot *
ct_contact_delete (CtDb    *db,
                   gint64   id,
                   GError **error)
{
  g_autoptr(CtContactSnapshot) snapshot = NULL;
  gboolean outer;

  g_return_val_if_fail (CT_IS_DB (db), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  snapshot = g_new0 (CtContactSnapshot, 1);
  snapshot->id = id;
  snapshot->tag_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  snapshot->tag_names = g_ptr_array_new_with_free_func (g_free);
  snapshot->purchases = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);

  if (!tx_begin (db, &outer, error))
    return NULL;

  if (!capture (db, id, snapshot, error) || !delete_rows (db, id, error))
    {
      tx_rollback (db, outer);
      return NULL;
    }

  if (!tx_commit (db, outer, error))
    return NULL;

  ct_db_emit_changed (db, "contacts");
  ct_db_emit_changed (db, "purchases");
  return g_steal_pointer (&snapshot);
}

typedef struct
{
  const char *column;
  const char *parent;
} Reference;

static void
append_identifier (GString    *sql,
                   const char *name)
{
  g_string_append_c (sql, '"');
  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (sql, '"');
      g_string_append_c (sql, *p);
    }
  g_string_append_c (sql, '"');
}

/* Inserts @row into @table, leaving out the columns in @skip. A column in
 * @references whose parent row is gone meanwhile (a product deleted after
 * the contact) is written as NULL, as ON DELETE SET NULL would have done.
 * Column names come from the database's own schema, values are bound.
 * Returns: the SQLite result code, SQLITE_DONE on success */
static int
insert_row (CtDb               *db,
            const char         *table,
            Row                *row,
            const char * const *skip,
            const Reference    *references,
            guint               n_references)
{
  g_autoptr(GString) sql = g_string_new ("INSERT INTO ");
  g_autoptr(GString) values = g_string_new (NULL);
  g_autoptr(GArray) bound = g_array_new (FALSE, FALSE, sizeof (int));
  sqlite3_stmt *stmt = NULL;
  int rc;

  append_identifier (sql, table);
  g_string_append (sql, " (");

  for (int i = 0; i < row->n_columns; i++)
    {
      const char *parent = NULL;

      if (skip != NULL && g_strv_contains (skip, row->names[i]))
        continue;

      for (guint r = 0; r < n_references; r++)
        if (g_strcmp0 (references[r].column, row->names[i]) == 0)
          parent = references[r].parent;

      if (bound->len > 0)
        {
          g_string_append (sql, ", ");
          g_string_append (values, ", ");
        }
      append_identifier (sql, row->names[i]);

      if (parent != NULL)
        {
          g_string_append (values, "(SELECT id FROM ");
          append_identifier (values, parent);
          g_string_append (values, " WHERE id = ?)");
        }
      else
        {
          g_string_append_c (values, '?');
        }
      g_array_append_val (bound, i);
    }

  g_string_append_printf (sql, ") VALUES (%s)", values->str);

  rc = sqlite3_prepare_v2 (ct_db_get_handle (db), sql->str, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return rc;

  for (guint b = 0; b < bound->len; b++)
    sqlite3_bind_value (stmt, b + 1, row->values[g_array_index (bound, int, b)]);

  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  return rc;
}

static gboolean
restore_rows (CtDb               *db,
              CtContactSnapshot  *snapshot,
              GError            **error)
{
  /* The purchase figures start from nothing and the triggers add up the
   * purchases as they come back, as they did the first time; copying them
   * too would count every purchase twice. search_text is the triggers'
   * as well. */
  static const char * const derived[] = {
    "purchase_count", "total_spent", "first_purchase_at", "last_purchase_at",
    "search_text", NULL,
  };
  static const Reference contact_refs[] = {
    { "channel_id", "channels" },
  };
  static const Reference purchase_refs[] = {
    { "product_id", "products" },
    { "channel_id", "channels" },
  };
  g_autoptr(sqlite3_stmt) tag_exists = NULL;
  g_autoptr(sqlite3_stmt) add_tag = NULL;
  const char *email = row_get_text (snapshot->contact, "email");
  int rc;

  rc = insert_row (db, "contacts", snapshot->contact, derived,
                   contact_refs, G_N_ELEMENTS (contact_refs));
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT,
                           _("The contact cannot be put back: it is there already."));
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      set_write_error (error, db, rc, email, _("Could not put the contact back"));
      return FALSE;
    }

  for (guint i = 0; i < snapshot->purchases->len; i++)
    {
      rc = insert_row (db, "purchases", g_ptr_array_index (snapshot->purchases, i),
                       NULL, purchase_refs, G_N_ELEMENTS (purchase_refs));
      if (rc == SQLITE_CONSTRAINT_UNIQUE)
        {
          g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT,
                               _("The contact cannot be put back: one of their purchases "
                                 "was imported again meanwhile."));
          return FALSE;
        }
      if (rc != SQLITE_DONE)
        {
          ct_db_set_error (error, ct_db_get_handle (db), rc,
                           _("Could not put the contact’s purchases back"));
          return FALSE;
        }
    }

  tag_exists = ct_db_prepare (db, "SELECT 1 FROM tags WHERE id = ?", error);
  if (tag_exists == NULL)
    return FALSE;
  add_tag = ct_db_prepare (db,
                           "INSERT OR IGNORE INTO contact_tags (contact_id, tag_id)"
                           " VALUES (?, ?)",
                           error);
  if (add_tag == NULL)
    return FALSE;

  for (guint i = 0; i < snapshot->tag_ids->len; i++)
    {
      gint64 tag_id = g_array_index (snapshot->tag_ids, gint64, i);

      sqlite3_reset (tag_exists);
      sqlite3_bind_int64 (tag_exists, 1, tag_id);
      rc = sqlite3_step (tag_exists);
      if (rc == SQLITE_DONE)
        {
          /* The tag was removed meanwhile: make it again by its name. */
          tag_id = ct_tag_ensure (db, g_ptr_array_index (snapshot->tag_names, i), error);
          if (tag_id == 0)
            return FALSE;
        }
      else if (rc != SQLITE_ROW)
        {
          ct_db_set_error (error, ct_db_get_handle (db), rc,
                           _("Could not put the contact’s tags back"));
          return FALSE;
        }

      sqlite3_reset (add_tag);
      sqlite3_bind_int64 (add_tag, 1, snapshot->id);
      sqlite3_bind_int64 (add_tag, 2, tag_id);
      if (!ct_db_step_done (db, add_tag, _("Could not put the contact’s tags back"), error))
        return FALSE;
    }

  return TRUE;
}

/**
 * ct_contact_restore:
 * @snapshot: what ct_contact_delete() returned
 *
 * Puts a deleted contact back with the same id, its tags and its purchases,
 * in one transaction; the purchase figures come out as before. Emits
 * CtDb::changed("contacts") and ("purchases").
 *
 * Returns: %FALSE with @error set, CT_DB_ERROR_CONSTRAINT when another
 * contact took its email or its id meanwhile; nothing is changed then
 */
gboolean
ct_contact_restore (CtDb               *db,
                    CtContactSnapshot  *snapshot,
                    GError            **error)
{
  gboolean outer;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (snapshot != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!tx_begin (db, &outer, error))
    return FALSE;

  if (!restore_rows (db, snapshot, error))
    {
      tx_rollback (db, outer);
      return FALSE;
    }

  if (!tx_commit (db, outer, error))
    return FALSE;

  ct_db_emit_changed (db, "contacts");
  ct_db_emit_changed (db, "purchases");
  return TRUE;
}
