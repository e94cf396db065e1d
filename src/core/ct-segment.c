/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-segment.c: segment rules: parse, validate, compile to one SQL query
 *
 * A rule becomes one boolean expression over `contacts c`. Conditions on
 * the contact's own columns compare the column; conditions on data kept
 * elsewhere (tags, purchases, the analytics cache, channels, loyalty)
 * become `c.id IN (SELECT contact_id FROM ... WHERE ...)`, which SQLite
 * runs once and probes by rowid, instead of a join per row. Every value
 * is a bound parameter: the SQL text is made only of the field table
 * below and fixed operators, whatever the rule holds.
 *
 * Each positive condition is written so that it is never NULL (a value
 * that is not set makes it false, not unknown), so that the negative ops
 * can be NOT of their positive partner and stay its exact opposite under
 * SQL's three-valued logic.
 *
 * A rule may also be compiled for a range of contact ids (?1 to ?2),
 * which the membership subqueries repeat where that is exact, so that a
 * large base can be counted in parts side by side: see "Counting in
 * parts" below.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-money.h"
#include "ct-rfm.h"
#include "ct-segment.h"
#include "ct-segment-private.h"
#include "ct-stats.h"
#include "ct-tier.h"

G_DEFINE_QUARK (ct-segment-error-quark, ct_segment_error)

#define OP(x) (1u << CT_SEGMENT_OP_##x)
#define OPS_SET (OP (IS_SET) | OP (IS_NOT_SET))
#define OPS_TEXT (OP (EQ) | OP (NE) | OP (CONTAINS) | OP (STARTS_WITH) | OP (IN) | OP (NOT_IN) | OPS_SET)
#define OPS_CHOICE (OP (EQ) | OP (NE) | OP (IN) | OP (NOT_IN) | OPS_SET)
#define OPS_DATE (OP (BEFORE) | OP (AFTER) | OP (WITHIN_DAYS) | OP (NOT_WITHIN_DAYS) | OPS_SET)
#define OPS_ORDER (OP (EQ) | OP (NE) | OP (LT) | OP (LE) | OP (GT) | OP (GE))
#define OPS_HAS (OP (HAS) | OP (HAS_NOT))

/* Largest amount in major units: its minor units stay exact in a double
 * and far from overflowing a gint64. */
#define MAX_AMOUNT 1e13
#define MAX_DAYS 3650000
/* SQLite accepts 32766 parameters in one statement. */
#define MAX_PARAMS 30000

static const char * const status_choices[] = {
  "subscribed", "unsubscribed", "bounced", "complained", NULL
};

static const char *rfm_choices[CT_RFM_N_SEGMENTS + 1];
static const char *lifecycle_choices[CT_LIFECYCLE_N_STAGES + 1];

typedef enum
{
  CHOICES_NONE,
  CHOICES_STATUS,
  CHOICES_RFM,
  CHOICES_LIFECYCLE,
  CHOICES_TIER,        /* the tiers table: a name as shown, or a level */
} Choices;

typedef struct
{
  const char    *name;
  CtSegmentKind  kind;
  guint          ops;
  /* Where the value lives: a column of contacts c when table is NULL,
   * else column of table, whose key column names the contact. A field
   * whose table or column does not exist yet in this database is
   * refused as unavailable, so a field kept by a later feature is one
   * line here that starts working when its migration lands. */
  const char    *table;
  const char    *key;
  const char    *column;
  Choices        choices;
  const char    *label;
  gboolean       optional;   /* kept by a feature that may not exist yet */
  /* A contact without a row in table, or with NULL in column, counts
   * as 0 rather than as having no value. */
  gboolean       zero_default;
  /* key is table's INTEGER PRIMARY KEY, so never NULL: a count in
   * parts (ct_segment_count()) may restrict the subquery to the part's
   * contacts too, which keeps its NOT IN exact, and reads only that
   * part of the table or of an index on it (every index ends with the
   * rowid). */
  gboolean       key_is_rowid;
} Field;

static const Field fields[] = {
  { "email", CT_SEGMENT_KIND_TEXT, OPS_TEXT, NULL, NULL, "email", CHOICES_NONE, N_("Email") },
  { "first_name", CT_SEGMENT_KIND_TEXT, OPS_TEXT, NULL, NULL, "first_name", CHOICES_NONE, N_("First name") },
  { "last_name", CT_SEGMENT_KIND_TEXT, OPS_TEXT, NULL, NULL, "last_name", CHOICES_NONE, N_("Last name") },
  { "phone", CT_SEGMENT_KIND_TEXT, OPS_TEXT, NULL, NULL, "phone", CHOICES_NONE, N_("Phone") },
  { "channel", CT_SEGMENT_KIND_CHANNEL, OPS_TEXT, NULL, NULL, "channel_id", CHOICES_NONE, N_("Channel") },
  { "status", CT_SEGMENT_KIND_CHOICE, OPS_CHOICE, NULL, NULL, "status", CHOICES_STATUS, N_("Subscription") },
  { "created_at", CT_SEGMENT_KIND_DATE, OPS_DATE, NULL, NULL, "created_at", CHOICES_NONE, N_("Added") },
  { "tag", CT_SEGMENT_KIND_TAG, OPS_HAS, NULL, NULL, NULL, CHOICES_NONE, N_("Tag") },
  { "total_spent", CT_SEGMENT_KIND_AMOUNT, OPS_ORDER, NULL, NULL, "total_spent", CHOICES_NONE, N_("Total spent") },
  { "purchases", CT_SEGMENT_KIND_COUNT, OPS_ORDER | OP (IN) | OP (NOT_IN), NULL, NULL, "purchase_count", CHOICES_NONE, N_("Purchases") },
  { "first_purchase_at", CT_SEGMENT_KIND_DATE, OPS_DATE, NULL, NULL, "first_purchase_at", CHOICES_NONE, N_("First purchase") },
  { "last_purchase_at", CT_SEGMENT_KIND_DATE, OPS_DATE, NULL, NULL, "last_purchase_at", CHOICES_NONE, N_("Last purchase") },
  { "bought_product", CT_SEGMENT_KIND_PRODUCT, OPS_HAS, NULL, NULL, NULL, CHOICES_NONE, N_("Bought product") },
  { "segment", CT_SEGMENT_KIND_SEGMENT, OP (EQ) | OP (NE), NULL, NULL, NULL, CHOICES_NONE, N_("Segment") },
  { "rfm_segment", CT_SEGMENT_KIND_CHOICE, OPS_CHOICE, "contact_metrics", "contact_id", "rfm_segment", CHOICES_RFM, N_("RFM segment"), FALSE, FALSE, TRUE },
  { "lifecycle", CT_SEGMENT_KIND_CHOICE, OPS_CHOICE, "contact_metrics", "contact_id", "lifecycle", CHOICES_LIFECYCLE, N_("Lifecycle stage"), FALSE, FALSE, TRUE },
  /* Loyalty (ct-tier.h, ct-points.h). A contact not placed yet is in
   * the lowest tier, which asks nothing (ct_tier_count_members() counts
   * it there too), and one with no row has no points: both fields have
   * a value for everyone, so is_set and is_not_set do not fit them. */
  { "tier", CT_SEGMENT_KIND_CHOICE, OP (EQ) | OP (NE) | OP (IN) | OP (NOT_IN), "contact_loyalty", "contact_id", "tier_level", CHOICES_TIER, N_("Tier"), TRUE, TRUE, TRUE },
  { "points", CT_SEGMENT_KIND_COUNT, OPS_ORDER | OP (IN) | OP (NOT_IN), "contact_loyalty", "contact_id", "points", CHOICES_NONE, N_("Points"), TRUE, TRUE, TRUE },
  { "clv", CT_SEGMENT_KIND_AMOUNT, OPS_ORDER | OPS_SET, "contact_metrics", "contact_id", "clv_predictive", CHOICES_NONE, N_("Predicted lifetime value"), FALSE, FALSE, TRUE },
  { "p_alive", CT_SEGMENT_KIND_NUMBER, OPS_ORDER | OPS_SET, "contact_metrics", "contact_id", "p_alive", CHOICES_NONE, N_("Chance still active"), FALSE, FALSE, TRUE },
  { "cluster", CT_SEGMENT_KIND_COUNT, OPS_ORDER | OP (IN) | OP (NOT_IN) | OPS_SET, "contact_metrics", "contact_id", "cluster", CHOICES_NONE, N_("Cluster"), FALSE, FALSE, TRUE },
};

static const char *field_names[G_N_ELEMENTS (fields) + 1];

static const struct
{
  const char *text;
  const char *label;
} ops[CT_SEGMENT_N_OPS] = {
  [CT_SEGMENT_OP_EQ] = { "=", N_("is") },
  [CT_SEGMENT_OP_NE] = { "!=", N_("is not") },
  [CT_SEGMENT_OP_LT] = { "<", N_("is less than") },
  [CT_SEGMENT_OP_LE] = { "<=", N_("is at most") },
  [CT_SEGMENT_OP_GT] = { ">", N_("is more than") },
  [CT_SEGMENT_OP_GE] = { ">=", N_("is at least") },
  [CT_SEGMENT_OP_CONTAINS] = { "contains", N_("contains") },
  [CT_SEGMENT_OP_STARTS_WITH] = { "starts_with", N_("starts with") },
  [CT_SEGMENT_OP_IN] = { "in", N_("is one of") },
  [CT_SEGMENT_OP_NOT_IN] = { "not_in", N_("is none of") },
  [CT_SEGMENT_OP_BEFORE] = { "before", N_("is before") },
  [CT_SEGMENT_OP_AFTER] = { "after", N_("is after") },
  [CT_SEGMENT_OP_WITHIN_DAYS] = { "within_days", N_("is within the last days") },
  [CT_SEGMENT_OP_NOT_WITHIN_DAYS] = { "not_within_days", N_("is not within the last days") },
  [CT_SEGMENT_OP_IS_SET] = { "is_set", N_("is set") },
  [CT_SEGMENT_OP_IS_NOT_SET] = { "is_not_set", N_("is not set") },
  [CT_SEGMENT_OP_HAS] = { "has", N_("has") },
  [CT_SEGMENT_OP_HAS_NOT] = { "has_not", N_("does not have") },
};

static void
init_tables (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      for (guint i = 0; i < CT_RFM_N_SEGMENTS; i++)
        rfm_choices[i] = ct_rfm_segment_to_id ((CtRfmSegment) i);
      for (guint i = 0; i < CT_LIFECYCLE_N_STAGES; i++)
        lifecycle_choices[i] = ct_lifecycle_stage_to_id ((CtLifecycleStage) i);
      for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
        field_names[i] = fields[i].name;
      g_once_init_leave (&done, 1);
    }
}

static const Field *
find_field (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (g_strcmp0 (fields[i].name, name) == 0)
      return &fields[i];
  return NULL;
}

static const char * const *
field_choices (const Field *field)
{
  init_tables ();
  switch (field->choices)
    {
    case CHOICES_STATUS:
      return status_choices;
    case CHOICES_RFM:
      return rfm_choices;
    case CHOICES_LIFECYCLE:
      return lifecycle_choices;
    case CHOICES_TIER:
    case CHOICES_NONE:
    default:
      return NULL;
    }
}

const char * const *
ct_segment_get_fields (void)
{
  init_tables ();
  return field_names;
}

gboolean
ct_segment_field_get_kind (const char    *field,
                           CtSegmentKind *kind)
{
  const Field *f = find_field (field);

  if (f == NULL)
    return FALSE;
  if (kind != NULL)
    *kind = f->kind;
  return TRUE;
}

const char *
ct_segment_field_get_label (const char *field)
{
  const Field *f = find_field (field);

  return f != NULL ? _(f->label) : NULL;
}

gboolean
ct_segment_field_has_op (const char  *field,
                         CtSegmentOp  op)
{
  const Field *f = find_field (field);

  return f != NULL && (guint) op < CT_SEGMENT_N_OPS && (f->ops & (1u << op)) != 0;
}

const char * const *
ct_segment_field_get_choices (const char *field)
{
  const Field *f = find_field (field);

  return f != NULL ? field_choices (f) : NULL;
}

const char *
ct_segment_op_to_string (CtSegmentOp op)
{
  g_return_val_if_fail ((guint) op < CT_SEGMENT_N_OPS, NULL);
  return ops[op].text;
}

gboolean
ct_segment_op_from_string (const char  *text,
                           CtSegmentOp *op)
{
  for (guint i = 0; i < CT_SEGMENT_N_OPS; i++)
    if (g_strcmp0 (ops[i].text, text) == 0)
      {
        if (op != NULL)
          *op = (CtSegmentOp) i;
        return TRUE;
      }
  return FALSE;
}

const char *
ct_segment_op_get_label (CtSegmentOp op)
{
  g_return_val_if_fail ((guint) op < CT_SEGMENT_N_OPS, NULL);
  return _(ops[op].label);
}

/* ------------------------------------------------------------------ */
/* The tree */

struct _CtSegmentRule
{
  gboolean     group;
  /* group */
  gboolean     any;
  GPtrArray   *children;    /* CtSegmentRule */
  /* condition */
  const Field *field;
  CtSegmentOp  op;
  JsonNode    *value;       /* as given; NULL for is_set / is_not_set */
  /* dates: the moment, and whether the value named a whole day */
  gint64       time;
  gboolean     whole_day;
};

void
ct_segment_rule_free (CtSegmentRule *rule)
{
  if (rule == NULL)
    return;
  g_clear_pointer (&rule->children, g_ptr_array_unref);
  g_clear_pointer (&rule->value, json_node_unref);
  g_free (rule);
}

CtSegmentRule *
ct_segment_rule_copy (const CtSegmentRule *rule)
{
  CtSegmentRule *copy;

  g_return_val_if_fail (rule != NULL, NULL);

  copy = g_new0 (CtSegmentRule, 1);
  *copy = *rule;
  copy->children = NULL;
  copy->value = rule->value != NULL ? json_node_copy (rule->value) : NULL;
  if (rule->children != NULL)
    {
      copy->children = g_ptr_array_new_with_free_func ((GDestroyNotify) ct_segment_rule_free);
      for (guint i = 0; i < rule->children->len; i++)
        g_ptr_array_add (copy->children, ct_segment_rule_copy (g_ptr_array_index (rule->children, i)));
    }
  return copy;
}

gboolean
ct_segment_rule_uses_field (const CtSegmentRule *rule,
                            const char          *field)
{
  g_return_val_if_fail (rule != NULL, FALSE);

  if (!rule->group)
    return g_strcmp0 (rule->field->name, field) == 0;
  for (guint i = 0; i < rule->children->len; i++)
    if (ct_segment_rule_uses_field (g_ptr_array_index (rule->children, i), field))
      return TRUE;
  return FALSE;
}

JsonNode *
ct_segment_rule_to_node (const CtSegmentRule *rule)
{
  g_autoptr(JsonObject) object = json_object_new ();
  JsonNode *node;

  g_return_val_if_fail (rule != NULL, NULL);

  if (rule->group)
    {
      JsonArray *array = json_array_sized_new (rule->children->len);

      json_object_set_string_member (object, "match", rule->any ? "any" : "all");
      for (guint i = 0; i < rule->children->len; i++)
        json_array_add_element (array, ct_segment_rule_to_node (g_ptr_array_index (rule->children, i)));
      json_object_set_array_member (object, "conditions", array);
    }
  else
    {
      json_object_set_string_member (object, "field", rule->field->name);
      json_object_set_string_member (object, "op", ops[rule->op].text);
      if (rule->value != NULL)
        json_object_set_member (object, "value", json_node_copy (rule->value));
    }

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);
  return node;
}

char *
ct_segment_rule_to_string (const CtSegmentRule *rule)
{
  g_autoptr(JsonNode) node = ct_segment_rule_to_node (rule);

  return json_to_string (node, FALSE);
}

JsonNode *
ct_segment_condition_node_new (const char  *field,
                               CtSegmentOp  op,
                               JsonNode    *value)
{
  g_autoptr(JsonObject) object = json_object_new ();
  JsonNode *node;

  json_object_set_string_member (object, "field", field);
  json_object_set_string_member (object, "op", ct_segment_op_to_string (op));
  if (value != NULL)
    json_object_set_member (object, "value", value);
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);
  return node;
}

/* ------------------------------------------------------------------ */
/* Parsing and validation */

typedef struct
{
  guint n_conditions;
} ParseState;

/* "condition 2.1": 1-based positions from the top group down, as a
 * person counts them in the file or the builder. */
static char *
describe_path (const char *path)
{
  if (path[0] == '\0')
    return g_strdup (_("the rule"));
  /* Translators: "condition 2.1" is the first condition inside the
   * second condition of the rule */
  return g_strdup_printf (_("condition %s"), path);
}

G_GNUC_PRINTF (4, 5)
static void
set_error (GError     **error,
           int          code,
           const char  *path,
           const char  *format,
           ...)
{
  g_autofree char *where = describe_path (path);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* Translators: "condition 2.1: the field “foo” does not exist." */
  g_set_error (error, CT_SEGMENT_ERROR, code, _("In %s: %s"), where, message);
}

static const char *
json_type_name (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return _("null");
  if (JSON_NODE_HOLDS_OBJECT (node))
    return _("an object");
  if (JSON_NODE_HOLDS_ARRAY (node))
    return _("a list");
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return _("text");
    case G_TYPE_BOOLEAN:
      return _("true or false");
    default:
      return _("a number");
    }
}

static gboolean
node_is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
         && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
node_is_number (JsonNode *node)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

static double
node_number (JsonNode *node)
{
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return (double) json_node_get_int (node);
  return json_node_get_double (node);
}

/* A whole number from a JSON number: 3 and 3.0 are, 3.5 is not. */
static gboolean
node_whole (JsonNode *node,
            gint64   *out)
{
  double d;

  if (!node_is_number (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *out = json_node_get_int (node);
      return TRUE;
    }
  d = json_node_get_double (node);
  if (!isfinite (d) || d != floor (d) || fabs (d) > 9e15)
    return FALSE;
  *out = (gint64) d;
  return TRUE;
}

/* "2024-03-01" (the day, UTC) or a full ISO 8601 moment; a moment
 * without a zone is UTC. */
static gboolean
parse_date (const char *text,
            gint64     *time,
            gboolean   *whole_day)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) dt = NULL;

  if (strlen (text) == 10 && text[4] == '-' && text[7] == '-')
    {
      guint64 y, m, d;
      char part[5] = { 0 };

      memcpy (part, text, 4);
      if (!g_ascii_string_to_unsigned (part, 10, 1, 9999, &y, NULL))
        return FALSE;
      memset (part, 0, sizeof part);
      memcpy (part, text + 5, 2);
      if (!g_ascii_string_to_unsigned (part, 10, 1, 12, &m, NULL))
        return FALSE;
      memcpy (part, text + 8, 2);
      if (!g_ascii_string_to_unsigned (part, 10, 1, 31, &d, NULL))
        return FALSE;
      if (!g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
        return FALSE;
      dt = g_date_time_new (utc, (int) y, (int) m, (int) d, 0, 0, 0);
      if (dt == NULL)
        return FALSE;
      *time = g_date_time_to_unix (dt);
      *whole_day = TRUE;
      return TRUE;
    }

  dt = g_date_time_new_from_iso8601 (text, utc);
  if (dt == NULL)
    return FALSE;
  *time = g_date_time_to_unix (dt);
  *whole_day = FALSE;
  return TRUE;
}

static gboolean
choice_valid (const Field *field,
              const char  *text)
{
  const char * const *choices = field_choices (field);

  if (choices == NULL)
    return TRUE;
  return g_strv_contains (choices, text);
}

static char *
choices_list (const Field *field)
{
  return g_strjoinv (", ", (char **) field_choices (field));
}

/* One scalar value for @field (in and not_in check each element). */
static gboolean
check_scalar (const Field  *field,
              CtSegmentOp   op,
              JsonNode     *value,
              const char   *path,
              GError      **error)
{
  gint64 whole;

  /* A tier by its level, as `clientele analyze --json` numbers them;
   * whether the tier exists, and its name, are the database's: they are
   * checked when the rule is compiled. */
  if (field->choices == CHOICES_TIER && node_is_number (value))
    {
      if (!node_whole (value, &whole) || whole < 0 || whole >= CT_TIER_MAX_COUNT)
        {
          set_error (error, CT_SEGMENT_ERROR_BAD_VALUE, path,
                     _("a tier’s level is a whole number from 0 to %d, not %g."),
                     CT_TIER_MAX_COUNT - 1, node_number (value));
          return FALSE;
        }
      return TRUE;
    }

  switch (field->kind)
    {
    case CT_SEGMENT_KIND_TEXT:
    case CT_SEGMENT_KIND_CHANNEL:
    case CT_SEGMENT_KIND_CHOICE:
    case CT_SEGMENT_KIND_TAG:
    case CT_SEGMENT_KIND_PRODUCT:
    case CT_SEGMENT_KIND_SEGMENT:
      if (field->choices == CHOICES_TIER && !node_is_string (value))
        {
          set_error (error, CT_SEGMENT_ERROR_BAD_VALUE, path,
                     _("the value of “%s” must be a tier’s name or level, not %s."),
                     field->name, json_type_name (value));
          return FALSE;
        }
      if (!node_is_string (value))
        {
          set_error (error, CT_SEGMENT_ERROR_BAD_VALUE, path,
                     /* Translators: "the value of “email” must be text, not a number." */
                     _("the value of “%s” must be text, not %s."), field->name, json_type_name (value));
          return FALSE;
        }
      if ((op == CT_SEGMENT_OP_CONTAINS || op == CT_SEGMENT_OP_STARTS_WITH
           || field->choices == CHOICES_TIER
           || field->kind == CT_SEGMENT_KIND_TAG || field->kind == CT_SEGMENT_KIND_PRODUCT
           || field->kind == CT_SEGMENT_KIND_SEGMENT)
          && json_node_get_string (value)[0] == '\0')
        {
          set_error (error, CT_SEGMENT_ERROR_BAD_VALUE, path,
                     _("the value of “%s” is empty: say what to look for."), field->name);
          return FALSE;
        }
      if (!choice_valid (field, json_node_get_string (value)))
        {
          g_autofree char *list = choices_list (field);

          set_error (error, CT_SEGMENT_ERROR_BAD_VALUE, path,
                     /* Translators: "“gold” is not a value of “status”: use subscribed, ..." */
                     _("“%s” is not a value of “%s”: use %s."),
                     json_node_get_string (value), field->name, list);
          return FALSE;
        }
      return TRUE;

    case CT_SEGMENT_KIND_AMOUNT:
    case CT_SEGMENT_KIND_NUMBER:
      if (!node_is_number (value) || !isfinite (node_number (value)))
        {
          set_error (error, CT_SEGMENT_ERROR_BAD_VALUE, path,
                     _("the value of “%s” must be a number, not %s."), field->name, json_type_name (value));
          return FALSE;
        }
      if (field->kind == CT_SEGMENT_KIND_AMOUNT && fabs (node_number (value)) > MAX_AMOUNT)
        {
          set_error (error, CT_SEGMENT_ERROR_BAD_VALUE, path,
                     _("the amount for “%s” is too large: at most 10,000,000,000,000."), field->name);
          return FALSE;
        }
      if (field->kind == CT_SEGMENT_KIND_NUMBER
          && (node_number (value) < 0.0 || node_number (value) > 1.0))
        {
          set_error (error, CT_SEGMENT_ERROR_BAD_VALUE, path,
                     _("the value of “%s” is a chance from 0 to 1, not %g."), field->name, node_number (value));
          return FALSE;
        }
      return TRUE;

    case CT_SEGMENT_KIND_COUNT:
      if (!node_whole (value, &whole))
        {
          set_error (error, CT_SEGMENT_ERROR_BAD_VALUE, path,
                     _("the value of “%s” must be a whole number, not %s."), field->name,
                     node_is_number (value) ? _("a fraction") : json_type_name (value));
          return FALSE;
        }
      if (g_str_equal (field->name, "cluster") && (whole < 1 || whole > G_MAXINT32))
        {
          set_error (error, CT_SEGMENT_ERROR_BAD_VALUE, path,
                     _("clusters are numbered from 1, so “%s” cannot be %lld."),
                     field->name, (long long) whole);
          return FALSE;
        }
      return TRUE;

    case CT_SEGMENT_KIND_DATE:
    default:
      g_assert_not_reached ();
    }
}

static gboolean
check_value (CtSegmentRule  *rule,
             const char     *path,
             GError        **error)
{
  const Field *field = rule->field;
  JsonNode *value = rule->value;
  gint64 days;

  switch (rule->op)
    {
    case CT_SEGMENT_OP_IS_SET:
    case CT_SEGMENT_OP_IS_NOT_SET:
      if (value != NULL)
        {
          set_error (error, CT_SEGMENT_ERROR_BAD_VALUE, path,
                     _("“%s” takes no value; leave “value” out."), ops[rule->op].text);
          return FALSE;
        }
      return TRUE;
    default:
      break;
    }

  if (value == NULL)
    {
      set_error (error, CT_SEGMENT_ERROR_BAD_VALUE, path,
                 _("“%s” on “%s” needs a “value”."), ops[rule->op].text, field->name);
      return FALSE;
    }

  switch (rule->op)
    {
    case CT_SEGMENT_OP_IN:
    case CT_SEGMENT_OP_NOT_IN:
      {
        JsonArray *array;

        if (!JSON_NODE_HOLDS_ARRAY (value))
          {
            set_error (error, CT_SEGMENT_ERROR_BAD_VALUE, path,
                       _("“%s” needs a list of values in [ ], not %s."),
                       ops[rule->op].text, json_type_name (value));
            return FALSE;
          }
        array = json_node_get_array (value);
        if (json_array_get_length (array) > CT_SEGMENT_MAX_LIST)
          {
            set_error (error, CT_SEGMENT_ERROR_TOO_LARGE, path,
                       _("the list has more than %d values."), CT_SEGMENT_MAX_LIST);
            return FALSE;
          }
        for (guint i = 0; i < json_array_get_length (array); i++)
          if (!check_scalar (field, rule->op, json_array_get_element (array, i), path, error))
            return FALSE;
        return TRUE;
      }

    case CT_SEGMENT_OP_BEFORE:
    case CT_SEGMENT_OP_AFTER:
      if (!node_is_string (value))
        {
          set_error (error, CT_SEGMENT_ERROR_BAD_VALUE, path,
                     _("the value of “%s” must be a date as text, such as “2024-03-01”, not %s."),
                     field->name, json_type_name (value));
          return FALSE;
        }
      if (!parse_date (json_node_get_string (value), &rule->time, &rule->whole_day))
        {
          set_error (error, CT_SEGMENT_ERROR_BAD_VALUE, path,
                     _("“%s” is not a date: write it as “2024-03-01” or “2024-03-01T08:00:00Z”."),
                     json_node_get_string (value));
          return FALSE;
        }
      return TRUE;

    case CT_SEGMENT_OP_WITHIN_DAYS:
    case CT_SEGMENT_OP_NOT_WITHIN_DAYS:
      if (!node_whole (value, &days) || days < 0 || days > MAX_DAYS)
        {
          set_error (error, CT_SEGMENT_ERROR_BAD_VALUE, path,
                     _("“%s” needs a whole number of days from 0 to 3,650,000."),
                     ops[rule->op].text);
          return FALSE;
        }
      return TRUE;

    default:
      return check_scalar (field, rule->op, value, path, error);
    }
}

static CtSegmentRule *parse_node (JsonNode    *node,
                                  const char  *path,
                                  guint        depth,
                                  ParseState  *state,
                                  GError     **error);

static gboolean
check_members (JsonObject   *object,
               const char  **allowed,
               const char   *path,
               GError      **error)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      {
        set_error (error, CT_SEGMENT_ERROR_SYNTAX, path,
                   _("there is no “%s” in a rule; a group has “match” and “conditions”, "
                     "a condition “field”, “op” and “value”."), (const char *) l->data);
        return FALSE;
      }
  return TRUE;
}

static CtSegmentRule *
parse_group (JsonObject  *object,
             const char  *path,
             guint        depth,
             ParseState  *state,
             GError     **error)
{
  static const char *allowed[] = { "match", "conditions", NULL };
  g_autoptr(CtSegmentRule) rule = g_new0 (CtSegmentRule, 1);
  JsonNode *match = json_object_get_member (object, "match");
  JsonNode *conditions = json_object_get_member (object, "conditions");
  JsonArray *array;

  if (!check_members (object, allowed, path, error))
    return NULL;

  if (depth > CT_SEGMENT_MAX_DEPTH)
    {
      set_error (error, CT_SEGMENT_ERROR_TOO_LARGE, path,
                 _("groups are nested more than %d deep."), CT_SEGMENT_MAX_DEPTH);
      return NULL;
    }

  rule->group = TRUE;
  if (!node_is_string (match)
      || (!g_str_equal (json_node_get_string (match), "all")
          && !g_str_equal (json_node_get_string (match), "any")))
    {
      set_error (error, CT_SEGMENT_ERROR_SYNTAX, path,
                 _("“match” must be “all” or “any”."));
      return NULL;
    }
  rule->any = g_str_equal (json_node_get_string (match), "any");

  if (conditions == NULL || !JSON_NODE_HOLDS_ARRAY (conditions))
    {
      set_error (error, CT_SEGMENT_ERROR_SYNTAX, path,
                 _("“conditions” must be a list in [ ]."));
      return NULL;
    }
  array = json_node_get_array (conditions);

  rule->children = g_ptr_array_new_with_free_func ((GDestroyNotify) ct_segment_rule_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autofree char *child_path = path[0] == '\0'
                                    ? g_strdup_printf ("%u", i + 1)
                                    : g_strdup_printf ("%s.%u", path, i + 1);
      CtSegmentRule *child = parse_node (json_array_get_element (array, i), child_path,
                                         depth + 1, state, error);

      if (child == NULL)
        return NULL;
      g_ptr_array_add (rule->children, child);
    }

  return g_steal_pointer (&rule);
}

static CtSegmentRule *
parse_condition (JsonObject  *object,
                 const char  *path,
                 ParseState  *state,
                 GError     **error)
{
  static const char *allowed[] = { "field", "op", "value", NULL };
  g_autoptr(CtSegmentRule) rule = g_new0 (CtSegmentRule, 1);
  JsonNode *field = json_object_get_member (object, "field");
  JsonNode *op = json_object_get_member (object, "op");
  JsonNode *value = json_object_get_member (object, "value");

  if (!check_members (object, allowed, path, error))
    return NULL;

  if (++state->n_conditions > CT_SEGMENT_MAX_CONDITIONS)
    {
      set_error (error, CT_SEGMENT_ERROR_TOO_LARGE, path,
                 _("a rule can hold at most %d conditions."), CT_SEGMENT_MAX_CONDITIONS);
      return NULL;
    }

  if (!node_is_string (field))
    {
      set_error (error, CT_SEGMENT_ERROR_SYNTAX, path, _("“field” must be a field’s name as text."));
      return NULL;
    }
  rule->field = find_field (json_node_get_string (field));
  if (rule->field == NULL)
    {
      set_error (error, CT_SEGMENT_ERROR_UNKNOWN_FIELD, path,
                 _("there is no field “%s”."), json_node_get_string (field));
      return NULL;
    }

  if (!node_is_string (op))
    {
      set_error (error, CT_SEGMENT_ERROR_SYNTAX, path, _("“op” must be an operator as text, such as “=”."));
      return NULL;
    }
  if (!ct_segment_op_from_string (json_node_get_string (op), &rule->op))
    {
      set_error (error, CT_SEGMENT_ERROR_UNKNOWN_OP, path,
                 _("there is no op “%s”."), json_node_get_string (op));
      return NULL;
    }
  if ((rule->field->ops & (1u << rule->op)) == 0)
    {
      GString *fitting = g_string_new (NULL);
      g_autofree char *list = NULL;

      for (guint i = 0; i < CT_SEGMENT_N_OPS; i++)
        if (rule->field->ops & (1u << i))
          g_string_append_printf (fitting, "%s%s", fitting->len > 0 ? " " : "", ops[i].text);
      list = g_string_free (fitting, FALSE);
      set_error (error, CT_SEGMENT_ERROR_OP_MISMATCH, path,
                 /* Translators: "the op “contains” does not fit the field “total_spent”; it takes: = != < ..." */
                 _("the op “%s” does not fit the field “%s”; it takes: %s."),
                 ops[rule->op].text, rule->field->name, list);
      return NULL;
    }

  /* JSON null counts as a value given, and is refused by type. */
  rule->value = value != NULL ? json_node_copy (value) : NULL;
  if (!check_value (rule, path, error))
    return NULL;

  return g_steal_pointer (&rule);
}

static CtSegmentRule *
parse_node (JsonNode    *node,
            const char  *path,
            guint        depth,
            ParseState  *state,
            GError     **error)
{
  JsonObject *object;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      set_error (error, CT_SEGMENT_ERROR_SYNTAX, path,
                 _("expected a group {\"match\": …, \"conditions\": […]} or a condition "
                   "{\"field\": …, \"op\": …, \"value\": …}, not %s."), json_type_name (node));
      return NULL;
    }
  object = json_node_get_object (node);

  if (json_object_has_member (object, "match") || json_object_has_member (object, "conditions"))
    return parse_group (object, path, depth, state, error);
  if (depth == 0)
    {
      set_error (error, CT_SEGMENT_ERROR_SYNTAX, path,
                 _("a rule starts with a group: {\"match\": \"all\", \"conditions\": […]}."));
      return NULL;
    }
  return parse_condition (object, path, state, error);
}

CtSegmentRule *
ct_segment_rule_new_from_node (JsonNode  *node,
                               GError   **error)
{
  ParseState state = { 0 };

  init_tables ();
  return parse_node (node, "", 0, &state, error);
}

CtSegmentRule *
ct_segment_rule_parse (const char  *json,
                       GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (json != NULL, NULL);

  /* json-glib hands strings over as C strings, so a \u0000 escape would
   * silently cut a value short: "a\u0000b" would look for "a". */
  for (const char *p = json; *p != '\0'; p++)
    if (*p == '\\')
      {
        if (g_ascii_strncasecmp (p + 1, "u0000", 5) == 0)
          {
            g_set_error (error, CT_SEGMENT_ERROR, CT_SEGMENT_ERROR_SYNTAX,
                         _("The rule holds a NUL character (\\u0000), which no value can contain."));
            return NULL;
          }
        if (p[1] != '\0')
          p++;
      }

  if (!json_parser_load_from_data (parser, json, -1, &local_error))
    {
      g_set_error (error, CT_SEGMENT_ERROR, CT_SEGMENT_ERROR_SYNTAX,
                   _("The rule is not valid JSON: %s"), local_error->message);
      return NULL;
    }
  return ct_segment_rule_new_from_node (json_parser_get_root (parser), error);
}

/* ------------------------------------------------------------------ */
/* Compiling */

typedef enum
{
  PARAM_INT,
  PARAM_DOUBLE,
  PARAM_TEXT,
} ParamType;

typedef struct
{
  ParamType  type;
  gint64     i;
  double     d;
  char      *s;
} Param;

struct _CtSegmentQuery
{
  char      *where;
  GArray    *params;       /* Param */
  GPtrArray *range_keys;   /* "table.column" the range was pushed into */
};

typedef struct
{
  CtDb      *db;
  gint64     now;
  GString   *sql;
  GArray    *params;
  int        main_decimals;   /* -1: not looked up yet */
  int        clv_decimals;
  GArray    *segments;        /* gint64 ids of the saved segments being inlined */
  guint      negated;         /* NOTs around what is being written */
  GPtrArray *tier_names;      /* NULL: not read yet; see read_tiers() */
  GPtrArray *tier_stored;
  gboolean   ranged;          /* restricted to the contact ids ?1 to ?2 */
  GPtrArray *range_keys;
} Compiler;

/* The tiers from level 0 up: in @names each one's name as shown (a
 * default tier's follows the app's language, ct-tier.h), in @stored
 * the name kept in the table, which for a default tier is its English
 * name whatever the language: a rule written as "Gold" keeps working
 * when the app is switched to Chinese and shows 黄金. */
static gboolean
read_tiers (CtDb       *db,
            GPtrArray **names,
            GPtrArray **stored,
            GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) shown = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);
  int rc;

  stmt = ct_db_prepare (db, "SELECT name, builtin FROM tiers ORDER BY level", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);
      const char *label = ct_tier_builtin_label ((const char *) sqlite3_column_text (stmt, 1));

      g_ptr_array_add (shown, g_strdup (label != NULL ? label : name));
      g_ptr_array_add (kept, g_strdup (name));
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, NULL);
      return FALSE;
    }
  *names = g_steal_pointer (&shown);
  if (stored != NULL)
    *stored = g_steal_pointer (&kept);
  return TRUE;
}

/* Case is ignored in any script GLib knows the case of, not ASCII only:
 * tier names are the seller's own words. */
static gboolean
same_name (const char *a,
           const char *b)
{
  g_autofree char *fa = g_utf8_casefold (a, -1);
  g_autofree char *fb = g_utf8_casefold (b, -1);
  g_autofree char *na = g_utf8_normalize (fa, -1, G_NORMALIZE_DEFAULT);
  g_autofree char *nb = g_utf8_normalize (fb, -1, G_NORMALIZE_DEFAULT);

  return g_strcmp0 (na, nb) == 0;
}

/* The level of the tier @value names: its name as shown, its stored
 * name, or its level as a number. */
static gboolean
tier_level (Compiler    *c,
            JsonNode    *value,
            gint64      *level,
            const char  *path,
            GError     **error)
{
  const char *text;
  g_autofree char *list = NULL;

  if (c->tier_names == NULL
      && !read_tiers (c->db, &c->tier_names, &c->tier_stored, error))
    return FALSE;

  if (node_is_number (value))
    {
      node_whole (value, level);
      if (*level >= 0 && *level < (gint64) c->tier_names->len)
        return TRUE;
      set_error (error, CT_SEGMENT_ERROR_BAD_VALUE, path,
                 _("there is no tier at level %lld: the levels go from 0 to %u."),
                 (long long) *level, c->tier_names->len - 1);
      return FALSE;
    }

  text = json_node_get_string (value);
  for (guint i = 0; i < c->tier_names->len; i++)
    if (same_name (text, g_ptr_array_index (c->tier_names, i)))
      {
        *level = i;
        return TRUE;
      }
  for (guint i = 0; i < c->tier_stored->len; i++)
    if (same_name (text, g_ptr_array_index (c->tier_stored, i)))
      {
        *level = i;
        return TRUE;
      }

  g_ptr_array_add (c->tier_names, NULL);
  list = g_strjoinv (", ", (char **) c->tier_names->pdata);
  g_ptr_array_remove_index (c->tier_names, c->tier_names->len - 1);
  set_error (error, CT_SEGMENT_ERROR_BAD_VALUE, path,
             /* Translators: "there is no tier “Platinum”: the tiers are Member, Silver, Gold, Diamond." */
             _("there is no tier “%s”: the tiers are %s."), text, list);
  return FALSE;
}

static void
param_clear (Param *param)
{
  g_clear_pointer (&param->s, g_free);
}

void
ct_segment_query_free (CtSegmentQuery *query)
{
  if (query == NULL)
    return;
  g_free (query->where);
  g_array_unref (query->params);
  g_ptr_array_unref (query->range_keys);
  g_free (query);
}

const char *
ct_segment_query_get_where (CtSegmentQuery *query)
{
  g_return_val_if_fail (query != NULL, NULL);
  return query->where;
}

guint
ct_segment_query_get_n_params (CtSegmentQuery *query)
{
  g_return_val_if_fail (query != NULL, 0);
  return query->params->len;
}

/* Adds a parameter and writes its placeholder. */
static guint
add_param (Compiler *c,
           Param     param)
{
  g_array_append_val (c->params, param);
  g_string_append_printf (c->sql, "?%u", c->params->len);
  return c->params->len;
}

static void
add_int (Compiler *c,
         gint64    value)
{
  add_param (c, (Param) { PARAM_INT, value, 0.0, NULL });
}

/* In a query restricted to the contact ids ?1 to ?2, restricts a
 * membership subquery to them too, on its contact column @column
 * (table.column @key). Only an optimisation, since the outer query
 * already keeps to the range: SQLite then reads only that part of the
 * list from an index that ends with the contact id, where it would put
 * the whole list in a temporary index first. Valid only where the
 * column is never NULL: a NULL in the list of a NOT IN makes it
 * unknown (false) for every contact, and the range would drop it. */
static void
add_range (Compiler   *c,
           const char *column,
           const char *key)
{
  if (!c->ranged)
    return;
  g_string_append_printf (c->sql, " AND %s BETWEEN ?1 AND ?2", column);
  g_ptr_array_add (c->range_keys, g_strdup (key));
}

static void
add_text (Compiler   *c,
          const char *value)
{
  add_param (c, (Param) { PARAM_TEXT, 0, 0.0, g_strdup (value) });
}

/* The main currency's decimals. The last stored analysis names it (and
 * the app reruns the analysis when purchases change); before any,
 * ct_stats_load() works it out from every purchase, which is too slow
 * for each keystroke of a live count on a million purchases, so the
 * answer is kept on the connection until the database changes. */
typedef struct
{
  gint64 data_version;
  gint64 total_changes;
  int    decimals;
} CurrencyCache;

static gboolean
main_decimals (Compiler  *c,
               int       *out,
               GError   **error)
{
  sqlite3 *handle = ct_db_get_handle (c->db);
  CurrencyCache *cache = g_object_get_data (G_OBJECT (c->db), "ct-segment-currency");
  g_autoptr(GError) local_error = NULL;
  gint64 data_version;
  CtStats stats;

  if (c->main_decimals >= 0)
    {
      *out = c->main_decimals;
      return TRUE;
    }

  {
    g_autoptr(sqlite3_stmt) stmt = NULL;
    int rc;

    stmt = ct_db_prepare (c->db,
                          "SELECT json_extract(summary, '$.currency') FROM analytics_runs"
                          " ORDER BY id DESC LIMIT 1", error);
    if (stmt == NULL)
      return FALSE;
    rc = sqlite3_step (stmt);
    if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) == SQLITE_TEXT)
      {
        c->main_decimals = (int) ct_money_decimals ((const char *) sqlite3_column_text (stmt, 0));
        *out = c->main_decimals;
        return TRUE;
      }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
      {
        ct_db_set_error (error, ct_db_get_handle (c->db), rc, NULL);
        return FALSE;
      }
  }

  data_version = ct_db_query_int64 (c->db, "PRAGMA data_version", &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (cache == NULL || cache->data_version != data_version
      || cache->total_changes != sqlite3_total_changes64 (handle))
    {
      if (!ct_stats_load (c->db, &stats, error))
        return FALSE;
      cache = g_new0 (CurrencyCache, 1);
      cache->data_version = data_version;
      cache->total_changes = sqlite3_total_changes64 (handle);
      cache->decimals = (int) ct_money_decimals (stats.currency[0] != '\0' ? stats.currency : "CNY");
      g_object_set_data_full (G_OBJECT (c->db), "ct-segment-currency", cache, g_free);
    }
  c->main_decimals = cache->decimals;
  *out = c->main_decimals;
  return TRUE;
}

/* The analytics cache holds its amounts in the currency of its run. */
static gboolean
clv_decimals (Compiler  *c,
              int       *out,
              GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (c->clv_decimals >= 0)
    {
      *out = c->clv_decimals;
      return TRUE;
    }

  stmt = ct_db_prepare (c->db,
                        "SELECT currency FROM contact_metrics WHERE currency IS NOT NULL LIMIT 1",
                        error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    c->clv_decimals = (int) ct_money_decimals ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc == SQLITE_DONE)
    return main_decimals (c, out, error) && (c->clv_decimals = *out, TRUE);
  else
    {
      ct_db_set_error (error, ct_db_get_handle (c->db), rc, NULL);
      return FALSE;
    }
  *out = c->clv_decimals;
  return TRUE;
}

/* Major units to minor units: refused when the value has more decimals
 * than the currency, since comparing against a rounded value would
 * silently move the boundary. */
static gboolean
amount_to_minor (const Field  *field,
                 JsonNode     *value,
                 int           decimals,
                 gint64       *out,
                 const char   *path,
                 GError      **error)
{
  double scaled = node_number (value);
  double rounded;

  for (int i = 0; i < decimals; i++)
    scaled *= 10.0;
  rounded = round (scaled);
  if (fabs (scaled - rounded) > 1e-6 * MAX (1.0, fabs (scaled)))
    {
      set_error (error, CT_SEGMENT_ERROR_BAD_VALUE, path,
                 _("the amount %g for “%s” has more than %d decimals."),
                 node_number (value), field->name, decimals);
      return FALSE;
    }
  *out = (gint64) rounded;
  return TRUE;
}

/* Binds one scalar of @field as it is stored. */
static gboolean
add_value (Compiler     *c,
           const Field  *field,
           JsonNode     *value,
           const char   *path,
           GError      **error)
{
  gint64 whole = 0;
  int decimals;

  if (field->choices == CHOICES_TIER)
    {
      if (!tier_level (c, value, &whole, path, error))
        return FALSE;
      add_int (c, whole);
      return TRUE;
    }

  switch (field->kind)
    {
    case CT_SEGMENT_KIND_AMOUNT:
      if (!(g_str_equal (field->name, "clv") ? clv_decimals (c, &decimals, error)
                                             : main_decimals (c, &decimals, error)))
        return FALSE;
      if (!amount_to_minor (field, value, decimals, &whole, path, error))
        return FALSE;
      add_int (c, whole);
      return TRUE;
    case CT_SEGMENT_KIND_NUMBER:
      add_param (c, (Param) { PARAM_DOUBLE, 0, node_number (value), NULL });
      return TRUE;
    case CT_SEGMENT_KIND_COUNT:
      node_whole (value, &whole);
      /* Stored from 0, shown from 1. */
      if (g_str_equal (field->name, "cluster"))
        whole--;
      add_int (c, whole);
      return TRUE;
    default:
      add_text (c, json_node_get_string (value));
      return TRUE;
    }
}

/* A whole value of a field counted from 0: a tier's level, points. */
static gboolean
value_as_int (Compiler     *c,
              const Field  *field,
              JsonNode     *value,
              gint64       *out,
              const char   *path,
              GError      **error)
{
  if (field->choices == CHOICES_TIER)
    return tier_level (c, value, out, path, error);
  node_whole (value, out);
  return TRUE;
}

/* Whether 0 passes the positive test @op with @value. */
static gboolean
zero_passes (Compiler     *c,
             const Field  *field,
             CtSegmentOp   op,
             JsonNode     *value,
             gboolean     *passes,
             const char   *path,
             GError      **error)
{
  gint64 v = 0;

  *passes = FALSE;
  if (op == CT_SEGMENT_OP_IN)
    {
      JsonArray *array = json_node_get_array (value);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          if (!value_as_int (c, field, json_array_get_element (array, i), &v, path, error))
            return FALSE;
          *passes |= v == 0;
        }
      return TRUE;
    }
  if (!value_as_int (c, field, value, &v, path, error))
    return FALSE;
  switch (op)
    {
    case CT_SEGMENT_OP_EQ:
      *passes = v == 0;
      return TRUE;
    case CT_SEGMENT_OP_LT:
      *passes = 0 < v;
      return TRUE;
    case CT_SEGMENT_OP_LE:
      *passes = 0 <= v;
      return TRUE;
    case CT_SEGMENT_OP_GT:
      *passes = 0 > v;
      return TRUE;
    case CT_SEGMENT_OP_GE:
      *passes = 0 >= v;
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
field_available (Compiler     *c,
                 const Field  *field,
                 const char   *path,
                 GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  const char *table = field->table != NULL ? field->table : "contacts";
  int rc;

  if (!field->optional)
    return TRUE;

  stmt = ct_db_prepare (c->db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, field->column, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (c->db), rc, NULL);
      return FALSE;
    }
  set_error (error, CT_SEGMENT_ERROR_UNAVAILABLE, path,
             _("the field “%s” is not available yet: this database does not keep it."),
             field->name);
  return FALSE;
}

/* Writes the positive form of a comparison on the column expression
 * @column. @guard: the column may be NULL here and the test must then be
 * false rather than NULL (inside a subquery's WHERE, NULL already drops
 * the row). */
static gboolean
write_compare (Compiler       *c,
               const Field    *field,
               CtSegmentOp     op,
               JsonNode       *value,
               const CtSegmentRule *rule,
               const char     *column,
               gboolean        guard,
               const char     *path,
               GError        **error)
{
  gboolean nocase = field->kind == CT_SEGMENT_KIND_TEXT || field->kind == CT_SEGMENT_KIND_CHANNEL
                    || (field->kind == CT_SEGMENT_KIND_CHOICE && field->choices == CHOICES_NONE);
  const char *collate = nocase ? " COLLATE NOCASE" : "";
  JsonArray *array;
  guint n;

  if (op == CT_SEGMENT_OP_IS_SET)
    {
      if (nocase)
        g_string_append_printf (c->sql, "(%s IS NOT NULL AND %s != '')", column, column);
      else
        g_string_append_printf (c->sql, "%s IS NOT NULL", column);
      return TRUE;
    }

  if (guard)
    g_string_append_printf (c->sql, "(%s IS NOT NULL AND ", column);
  else
    g_string_append_c (c->sql, '(');

  switch (op)
    {
    case CT_SEGMENT_OP_EQ:
    case CT_SEGMENT_OP_LT:
    case CT_SEGMENT_OP_LE:
    case CT_SEGMENT_OP_GT:
    case CT_SEGMENT_OP_GE:
      {
        const char *sign = op == CT_SEGMENT_OP_EQ ? "=" : op == CT_SEGMENT_OP_LT ? "<"
                           : op == CT_SEGMENT_OP_LE ? "<=" : op == CT_SEGMENT_OP_GT ? ">" : ">=";

        g_string_append_printf (c->sql, "%s %s ", column, sign);
        if (!add_value (c, field, value, path, error))
          return FALSE;
        g_string_append (c->sql, collate);
      }
      break;

    case CT_SEGMENT_OP_CONTAINS:
      /* instr() rather than LIKE: nothing in the value (% _ \) needs
       * escaping. lower() folds ASCII only, like NOCASE. */
      g_string_append_printf (c->sql, "instr(lower(%s), lower(", column);
      add_value (c, field, value, path, error);
      g_string_append (c->sql, ")) > 0");
      break;

    case CT_SEGMENT_OP_STARTS_WITH:
      {
        guint n_param;

        g_string_append_printf (c->sql, "substr(lower(%s), 1, length(", column);
        n_param = add_param (c, (Param) { PARAM_TEXT, 0, 0.0, g_strdup (json_node_get_string (value)) });
        g_string_append_printf (c->sql, ")) = lower(?%u)", n_param);
      }
      break;

    case CT_SEGMENT_OP_IN:
      array = json_node_get_array (value);
      n = json_array_get_length (array);
      if (n == 0)
        {
          g_string_append (c->sql, "0");
          break;
        }
      g_string_append_printf (c->sql, "%s%s IN (", column, collate);
      for (guint i = 0; i < n; i++)
        {
          if (i > 0)
            g_string_append (c->sql, ", ");
          if (!add_value (c, field, json_array_get_element (array, i), path, error))
            return FALSE;
        }
      g_string_append_c (c->sql, ')');
      break;

    case CT_SEGMENT_OP_BEFORE:
      g_string_append_printf (c->sql, "%s < ", column);
      add_int (c, rule->time);
      break;

    case CT_SEGMENT_OP_AFTER:
      /* After a day means from the start of the next one. */
      g_string_append_printf (c->sql, "%s %s ", column, rule->whole_day ? ">=" : ">");
      add_int (c, rule->whole_day ? rule->time + 86400 : rule->time);
      break;

    case CT_SEGMENT_OP_WITHIN_DAYS:
      {
        gint64 days = 0;

        node_whole (value, &days);
        g_string_append_printf (c->sql, "%s >= ", column);
        add_int (c, c->now - days * 86400);
      }
      break;

    default:
      g_assert_not_reached ();
    }

  g_string_append_c (c->sql, ')');
  return TRUE;
}

static CtSegmentOp
positive_op (CtSegmentOp op)
{
  switch (op)
    {
    case CT_SEGMENT_OP_NE:
      return CT_SEGMENT_OP_EQ;
    case CT_SEGMENT_OP_NOT_IN:
      return CT_SEGMENT_OP_IN;
    case CT_SEGMENT_OP_NOT_WITHIN_DAYS:
      return CT_SEGMENT_OP_WITHIN_DAYS;
    case CT_SEGMENT_OP_IS_NOT_SET:
      return CT_SEGMENT_OP_IS_SET;
    case CT_SEGMENT_OP_HAS_NOT:
      return CT_SEGMENT_OP_HAS;
    default:
      return op;
    }
}

static gboolean write_rule (Compiler             *c,
                            const CtSegmentRule  *rule,
                            const char           *path,
                            GError              **error);

/* A saved segment's rule, compiled in place. */
static gboolean
write_segment (Compiler             *c,
               const CtSegmentRule  *rule,
               const char           *path,
               GError              **error)
{
  g_autoptr(CtSegment) segment = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  segment = ct_segment_lookup_by_name (c->db, json_node_get_string (rule->value), &local_error);
  if (segment == NULL)
    {
      if (g_error_matches (local_error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND))
        set_error (error, CT_SEGMENT_ERROR_BAD_VALUE, path,
                   _("there is no saved segment called “%s”."), json_node_get_string (rule->value));
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  for (guint i = 0; i < c->segments->len; i++)
    if (g_array_index (c->segments, gint64, i) == segment->id)
      {
        set_error (error, CT_SEGMENT_ERROR_BAD_VALUE, path,
                   _("the segment “%s” refers to itself, through the segments it uses."), segment->name);
        return FALSE;
      }
  if (c->segments->len >= CT_SEGMENT_MAX_DEPTH)
    {
      set_error (error, CT_SEGMENT_ERROR_TOO_LARGE, path,
                 _("segments refer to segments more than %d deep."), CT_SEGMENT_MAX_DEPTH);
      return FALSE;
    }
  if (segment->rule == NULL)
    {
      set_error (error, CT_SEGMENT_ERROR_BAD_VALUE, path,
                 _("the segment “%s” cannot be used: %s"), segment->name, segment->rule_error);
      return FALSE;
    }

  g_array_append_val (c->segments, segment->id);
  /* Messages about its conditions are about that segment's rule. */
  ok = write_rule (c, segment->rule, "", &local_error);
  g_array_set_size (c->segments, c->segments->len - 1);
  if (!ok)
    {
      set_error (error, local_error->domain == CT_SEGMENT_ERROR ? local_error->code : CT_SEGMENT_ERROR_BAD_VALUE,
                 path, _("the segment “%s”: %s"), segment->name, local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* The range on the key of @field's table, where it is safe. Every such
 * column has an index, which SQLite reads for the subquery either way;
 * the unary + keeps it from reading the table by rowid range instead,
 * which it takes to be more selective than a range of values and is
 * not (p_alive < 0.3 over half the contacts: 67% of the whole count's
 * instructions that way, 58% through the index). The range still
 * keeps the list to the part's contacts, which is most of the gain. */
static void
write_key_range (Compiler    *c,
                 const Field *field)
{
  g_autofree char *column = NULL;
  g_autofree char *key = NULL;

  if (!field->key_is_rowid)
    return;
  column = g_strdup_printf ("+v.%s", field->key);
  key = g_strdup_printf ("%s.%s", field->table, field->key);
  add_range (c, column, key);
}

static gboolean
write_positive_condition (Compiler             *c,
                          const CtSegmentRule  *rule,
                          CtSegmentOp           op,
                          const char           *path,
                          GError              **error)
{
  const Field *field = rule->field;
  g_autofree char *column = NULL;
  gboolean ok;

  switch (field->kind)
    {
    case CT_SEGMENT_KIND_TAG:
      /* tags.name is NOCASE, so = ignores ASCII case; the index on
       * contact_tags(tag_id) gives the contacts. */
      g_string_append (c->sql, "c.id IN (SELECT x.contact_id FROM contact_tags x"
                               " WHERE x.tag_id IN (SELECT t.id FROM tags t WHERE t.name = ");
      add_text (c, json_node_get_string (rule->value));
      g_string_append_c (c->sql, ')');
      /* contact_tags.contact_id is NOT NULL; the index on tag_id ends
       * with it (the table's key). */
      add_range (c, "x.contact_id", "contact_tags.contact_id");
      g_string_append_c (c->sql, ')');
      return TRUE;

    case CT_SEGMENT_KIND_PRODUCT:
      {
        guint n_param;

        /* product_buyers lists each buyer of a product once, from the
         * purchases that count (not refunded, as everywhere else), and
         * never a NULL contact, which would make NOT IN unknown. */
        g_string_append (c->sql, "c.id IN (SELECT s.contact_id FROM product_buyers s"
                                 " WHERE s.product_id IN (SELECT p.id FROM products p WHERE p.sku = ");
        n_param = add_param (c, (Param) { PARAM_TEXT, 0, 0.0, g_strdup (json_node_get_string (rule->value)) });
        g_string_append_printf (c->sql, " OR p.name = ?%u COLLATE NOCASE)", n_param);
        /* Its key is (product_id, contact_id). */
        add_range (c, "s.contact_id", "product_buyers.contact_id");
        g_string_append_c (c->sql, ')');
      }
      return TRUE;

    case CT_SEGMENT_KIND_SEGMENT:
      return write_segment (c, rule, path, error);

    case CT_SEGMENT_KIND_CHANNEL:
      if (op == CT_SEGMENT_OP_IS_SET)
        {
          g_string_append (c->sql, "c.channel_id IS NOT NULL");
          return TRUE;
        }
      g_string_append (c->sql, "(c.channel_id IS NOT NULL AND c.channel_id IN"
                               " (SELECT ch.id FROM channels ch WHERE ");
      if (!write_compare (c, field, op, rule->value, rule, "ch.name", FALSE, path, error))
        return FALSE;
      g_string_append (c->sql, "))");
      return TRUE;

    default:
      break;
    }

  /* A NULL column makes the comparison NULL, which drops the row as
   * FALSE would, unless a NOT around it turns it the other way: only
   * then is it made FALSE, at the cost of reading the column twice. */
  if (field->table == NULL)
    {
      column = g_strdup_printf ("c.%s", field->column);
      return write_compare (c, field, op, rule->value, rule, column, c->negated > 0, path, error);
    }

  /* Everyone has a value, 0 without one in the table. When 0 fails the
   * test, the members are the rows that pass it; when 0 passes, they
   * are everyone but the rows with a value that fails. Either way one
   * subquery run once, as for the other tables, rather than a lookup
   * per contact (several times slower on many contacts). */
  if (field->zero_default)
    {
      gboolean zero;

      if (!zero_passes (c, field, op, rule->value, &zero, path, error))
        return FALSE;
      column = g_strdup_printf ("v.%s", field->column);
      if (!zero)
        g_string_append_printf (c->sql, "c.id IN (SELECT v.%s FROM %s v WHERE ", field->key, field->table);
      else
        g_string_append_printf (c->sql, "c.id NOT IN (SELECT v.%s FROM %s v WHERE %s IS NOT NULL AND NOT ",
                                field->key, field->table, column);
      ok = write_compare (c, field, op, rule->value, rule, column, FALSE, path, error);
      write_key_range (c, field);
      g_string_append_c (c->sql, ')');
      return ok;
    }

  column = g_strdup_printf ("v.%s", field->column);
  g_string_append_printf (c->sql, "c.id IN (SELECT v.%s FROM %s v WHERE ", field->key, field->table);
  ok = write_compare (c, field, op, rule->value, rule, column, FALSE, path, error);
  write_key_range (c, field);
  g_string_append_c (c->sql, ')');
  return ok;
}

static gboolean
write_condition (Compiler             *c,
                 const CtSegmentRule  *rule,
                 const char           *path,
                 GError              **error)
{
  CtSegmentOp op = positive_op (rule->op);
  gboolean negate = op != rule->op;
  gboolean ok;

  if (!field_available (c, rule->field, path, error))
    return FALSE;

  if (negate)
    {
      g_string_append (c->sql, "NOT ");
      c->negated++;
    }
  ok = write_positive_condition (c, rule, op, path, error);
  if (negate)
    c->negated--;
  return ok;
}

/* Whether @rule reads only the contact's own row: such conditions cost
 * a few comparisons, the others a subquery. */
static gboolean
rule_is_cheap (const CtSegmentRule *rule)
{
  if (!rule->group)
    return rule->field->table == NULL
           && rule->field->kind != CT_SEGMENT_KIND_TAG
           && rule->field->kind != CT_SEGMENT_KIND_PRODUCT
           && rule->field->kind != CT_SEGMENT_KIND_CHANNEL
           && rule->field->kind != CT_SEGMENT_KIND_SEGMENT;
  for (guint i = 0; i < rule->children->len; i++)
    if (!rule_is_cheap (g_ptr_array_index (rule->children, i)))
      return FALSE;
  return TRUE;
}

static gboolean
write_rule (Compiler             *c,
            const CtSegmentRule  *rule,
            const char           *path,
            GError              **error)
{
  guint n = 0;

  if (!rule->group)
    return write_condition (c, rule, path, error);

  if (rule->children->len == 0)
    {
      g_string_append (c->sql, rule->any ? "0" : "1");
      return TRUE;
    }

  /* SQLite tests the terms of an AND or an OR in the order written and
   * stops at the first that decides, and the conditions have no side
   * effects: the ones on the contact's own columns go first, so that
   * the subqueries are probed only for the rows still undecided. Paths
   * in messages keep the rule's own numbering. */
  g_string_append_c (c->sql, '(');
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < rule->children->len; i++)
      {
        const CtSegmentRule *child = g_ptr_array_index (rule->children, i);
        g_autofree char *child_path = NULL;

        if (rule_is_cheap (child) != (pass == 0))
          continue;
        child_path = path[0] == '\0' ? g_strdup_printf ("%u", i + 1)
                                     : g_strdup_printf ("%s.%u", path, i + 1);
        if (n++ > 0)
          g_string_append (c->sql, rule->any ? " OR " : " AND ");
        if (!write_rule (c, child, child_path, error))
          return FALSE;
      }
  g_string_append_c (c->sql, ')');
  return TRUE;
}

static CtSegmentQuery *
compile (CtDb                *db,
         const CtSegmentRule *rule,
         gint64               now,
         gboolean             ranged,
         gint64               lo,
         gint64               hi,
         GError             **error)
{
  Compiler c = { 0 };
  CtSegmentQuery *query;

  c.db = db;
  c.now = now != 0 ? now : g_get_real_time () / G_USEC_PER_SEC;
  c.sql = g_string_new (NULL);
  c.params = g_array_new (FALSE, TRUE, sizeof (Param));
  g_array_set_clear_func (c.params, (GDestroyNotify) param_clear);
  c.main_decimals = -1;
  c.clv_decimals = -1;
  c.segments = g_array_new (FALSE, FALSE, sizeof (gint64));
  c.ranged = ranged;
  c.range_keys = g_ptr_array_new_null_terminated (0, g_free, TRUE);

  /* The range first, as ?1 and ?2, which the subqueries repeat. */
  if (ranged)
    {
      g_string_append (c.sql, "c.id BETWEEN ");
      add_int (&c, lo);
      g_string_append (c.sql, " AND ");
      add_int (&c, hi);
      g_string_append (c.sql, " AND ");
    }

  if (!write_rule (&c, rule, "", error))
    {
      g_string_free (c.sql, TRUE);
      g_array_unref (c.params);
      g_array_unref (c.segments);
      g_ptr_array_unref (c.range_keys);
      g_clear_pointer (&c.tier_names, g_ptr_array_unref);
      g_clear_pointer (&c.tier_stored, g_ptr_array_unref);
      return NULL;
    }
  g_array_unref (c.segments);
  g_clear_pointer (&c.tier_names, g_ptr_array_unref);
  g_clear_pointer (&c.tier_stored, g_ptr_array_unref);
  if (c.params->len > MAX_PARAMS)
    {
      g_set_error (error, CT_SEGMENT_ERROR, CT_SEGMENT_ERROR_TOO_LARGE,
                   _("The rule has too many values (%u); at most %d."), c.params->len, MAX_PARAMS);
      g_string_free (c.sql, TRUE);
      g_array_unref (c.params);
      g_ptr_array_unref (c.range_keys);
      return NULL;
    }

  query = g_new0 (CtSegmentQuery, 1);
  query->where = g_string_free (c.sql, FALSE);
  query->params = c.params;
  query->range_keys = c.range_keys;
  return query;
}

CtSegmentQuery *
ct_segment_compile (CtDb                *db,
                    const CtSegmentRule *rule,
                    gint64               now,
                    GError             **error)
{
  g_return_val_if_fail (CT_IS_DB (db), NULL);
  g_return_val_if_fail (rule != NULL && rule->group, NULL);

  return compile (db, rule, now, FALSE, 0, 0, error);
}

CtSegmentQuery *
ct_segment_compile_range (CtDb                *db,
                          const CtSegmentRule *rule,
                          gint64               now,
                          gint64               lo,
                          gint64               hi,
                          GError             **error)
{
  g_return_val_if_fail (CT_IS_DB (db), NULL);
  g_return_val_if_fail (rule != NULL && rule->group, NULL);

  return compile (db, rule, now, TRUE, lo, hi, error);
}

const char * const *
ct_segment_query_get_range_keys (CtSegmentQuery *query)
{
  static const char * const none[] = { NULL };

  g_return_val_if_fail (query != NULL, NULL);
  /* An empty array may have no storage yet. */
  if (query->range_keys->pdata == NULL)
    return none;
  return (const char * const *) query->range_keys->pdata;
}

sqlite3_stmt *
ct_segment_query_prepare (CtSegmentQuery  *query,
                          CtDb            *db,
                          const char      *prefix,
                          const char      *suffix,
                          GError         **error)
{
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (CT_IS_DB (db), NULL);
  g_return_val_if_fail (prefix != NULL, NULL);

  sql = g_strdup_printf ("%s WHERE (%s) %s", prefix, query->where, suffix != NULL ? suffix : "");
  stmt = ct_db_prepare (db, sql, error);
  if (stmt == NULL)
    return NULL;

  for (guint i = 0; i < query->params->len; i++)
    {
      const Param *param = &g_array_index (query->params, Param, i);

      switch (param->type)
        {
        case PARAM_INT:
          sqlite3_bind_int64 (stmt, (int) i + 1, param->i);
          break;
        case PARAM_DOUBLE:
          sqlite3_bind_double (stmt, (int) i + 1, param->d);
          break;
        case PARAM_TEXT:
          sqlite3_bind_text (stmt, (int) i + 1, param->s, -1, SQLITE_TRANSIENT);
          break;
        }
    }
  return stmt;
}

/* ------------------------------------------------------------------ */
/* Counting in parts
 *
 * Most of a live count on a large base is SQLite's own work (putting the
 * members of a tag or a product in a list, looking up each contact row),
 * one query on one core. Split by contact id into parts, with each
 * subquery restricted to its part as well (add_range()), the parts cost
 * about their share of the whole and run side by side: the caller's
 * thread counts one on its own connection, other threads the others on
 * extra connections to the same file. Those are kept on the CtDb for
 * the next count (an edit in the builder is followed by another), so
 * that a count does not pay for opening them nor read from a cold page
 * cache; they are closed before the caller's connection is.
 *
 * Each part reads in its own read transaction: SQLite 3.40 as built here
 * has no snapshot API to share one, so a count racing a commit by another
 * connection may see the commit in some parts and not in others. A live
 * count, redone on the next edit or change, tolerates that; a caller
 * that needs one state counts inside a transaction, which counts in one
 * part on its connection, as does one that may have uncommitted changes
 * the other connections cannot see. */

/* Beyond four, the parts' fixed costs (preparing, the lists' lookups)
 * outweigh what is left to share on a desktop's cores. */
#define MAX_PARTS 4
/* Below this many contact ids a count takes a few milliseconds, which
 * starting a thread and preparing the query again would not shorten:
 * on an idle 2-core machine two parts of the typical rule (bench-segment)
 * break even at about 8,000 contacts and win 1.7 times at 12,000 and
 * 25,000; this leaves room for a busy machine, where the other core is
 * not always free, and for the first count, which opens the extra
 * connections. */
#define MIN_PARTS_CONTACTS 20000

/* ct_segment_set_count_parts() may ask for more, up to this. */
#define MAX_FORCED_PARTS 16

#define PART_CONNECTIONS_KEY "ct-segment-part-connections"

/* ct_segment_set_count_parts(): 0 and -1 for the defaults. */
static gint forced_parts = 0;
static gint forced_min_contacts = -1;

void
ct_segment_set_count_parts (guint parts,
                            gint  min_contacts)
{
  g_atomic_int_set (&forced_parts, (gint) MIN (parts, (guint) G_MAXINT));
  g_atomic_int_set (&forced_min_contacts, min_contacts);
}

typedef struct
{
  GPtrArray *dbs;          /* CtDb, the extra connections */
  gint64     cache_size;   /* the PRAGMA cache_size they were given */
} PartConnections;

static void
part_connections_free (gpointer data)
{
  PartConnections *pool = data;

  g_ptr_array_unref (pool->dbs);
  g_free (pool);
}

/* The CtDb is going: its extra connections close first, so that its own
 * connection is the last one to the file and tidies up the write-ahead
 * log on closing, as it does without them. */
static void
on_db_disposed (gpointer  data,
                GObject  *where_the_object_was)
{
  PartConnections *pool = data;

  g_ptr_array_set_size (pool->dbs, 0);
}

guint
ct_segment_count_get_n_connections (CtDb *db)
{
  PartConnections *pool;

  g_return_val_if_fail (CT_IS_DB (db), 0);
  pool = g_object_get_data (G_OBJECT (db), PART_CONNECTIONS_KEY);
  return pool != NULL ? pool->dbs->len : 0;
}

/* @n extra connections to @db's file, with the same page cache size. */
static PartConnections *
get_connections (CtDb     *db,
                 guint     n,
                 GError  **error)
{
  PartConnections *pool = g_object_get_data (G_OBJECT (db), PART_CONNECTIONS_KEY);
  gint64 cache_size;
  g_autoptr(GError) local_error = NULL;

  cache_size = ct_db_query_int64 (db, "PRAGMA cache_size", &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (pool == NULL)
    {
      pool = g_new0 (PartConnections, 1);
      pool->dbs = g_ptr_array_new_with_free_func (g_object_unref);
      pool->cache_size = cache_size;
      g_object_set_data_full (G_OBJECT (db), PART_CONNECTIONS_KEY, pool, part_connections_free);
      g_object_weak_ref (G_OBJECT (db), on_db_disposed, pool);
    }

  if (pool->cache_size != cache_size)
    {
      g_autofree char *pragma = g_strdup_printf ("PRAGMA cache_size = %" G_GINT64_FORMAT, cache_size);

      for (guint i = 0; i < pool->dbs->len; i++)
        if (!ct_db_exec (g_ptr_array_index (pool->dbs, i), pragma, error))
          return NULL;
      pool->cache_size = cache_size;
    }

  while (pool->dbs->len < n)
    {
      g_autofree char *pragma = g_strdup_printf ("PRAGMA cache_size = %" G_GINT64_FORMAT, cache_size);
      g_autoptr(CtDb) extra = ct_db_open_full (ct_db_get_path (db), CT_DB_OPEN_ALREADY_CHECKED, error);

      if (extra == NULL || !ct_db_exec (extra, pragma, error))
        return NULL;
      g_ptr_array_add (pool->dbs, g_steal_pointer (&extra));
    }
  return pool;
}

typedef struct
{
  CtSegmentQuery *query;   /* shared, read only while the parts run */
  CtDb           *db;
  gint64          lo;
  gint64          hi;
  gint64          count;
  GError         *error;
} Part;

static void
count_part (Part *part)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = ct_segment_query_prepare (part->query, part->db, "SELECT count(*) FROM contacts c", NULL, &part->error);
  if (stmt == NULL)
    return;
  sqlite3_bind_int64 (stmt, 1, part->lo);
  sqlite3_bind_int64 (stmt, 2, part->hi);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      ct_db_set_error (&part->error, ct_db_get_handle (part->db), rc, NULL);
      return;
    }
  part->count = sqlite3_column_int64 (stmt, 0);
}

static gpointer
part_thread (gpointer data)
{
  count_part (data);
  return NULL;
}

/* How many parts to count @db in, 1 for one query as before; @lo and
 * @hi: the contact ids to split. */
static guint
plan_parts (CtDb    *db,
            gint64  *lo,
            gint64  *hi,
            GError **error)
{
  const char *path = ct_db_get_path (db);
  sqlite3 *handle = ct_db_get_handle (db);
  gint parts = g_atomic_int_get (&forced_parts);
  gint min_contacts = g_atomic_int_get (&forced_min_contacts);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  guint64 span;
  int rc;

  if (parts == 0)
    parts = MIN (g_get_num_processors (), MAX_PARTS);
  if (min_contacts < 0)
    min_contacts = MIN_PARTS_CONTACTS;
  /* Other connections see neither an in-memory database nor what an
   * open transaction of the caller's has not committed yet. */
  if (parts <= 1 || path == NULL || *path == '\0' || g_str_has_prefix (path, ":memory:")
      || g_str_has_prefix (path, "file:") || !sqlite3_get_autocommit (handle))
    return 1;

  /* Each found in the table's b-tree, not by a scan. */
  stmt = ct_db_prepare (db, "SELECT (SELECT min(id) FROM contacts), (SELECT max(id) FROM contacts)", error);
  if (stmt == NULL)
    return 0;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      ct_db_set_error (error, handle, rc, NULL);
      return 0;
    }
  if (sqlite3_column_type (stmt, 0) == SQLITE_NULL)
    return 1;
  *lo = sqlite3_column_int64 (stmt, 0);
  *hi = sqlite3_column_int64 (stmt, 1);
  /* Ids spread over half the 64-bit range do not come from SQLite's
   * own numbering: no split for them, which keeps the sums below
   * from overflowing. */
  span = (guint64) *hi - (guint64) *lo;
  if (span >= G_MAXUINT64 / 2 || span + 1 < (guint64) min_contacts)
    return 1;
  return (guint) MIN ((guint64) MIN (parts, MAX_FORCED_PARTS), span + 1);
}

/* Counts @query, compiled for lo..hi, in @n_parts ranges side by side. */
static gboolean
count_in_parts (CtDb                *db,
                CtSegmentQuery      *query,
                guint                n_parts,
                gint64               lo,
                gint64               hi,
                gint64              *count,
                GError             **error)
{
  PartConnections *pool;
  Part parts[MAX_FORCED_PARTS] = { 0 };
  GThread *threads[MAX_FORCED_PARTS] = { 0 };
  guint64 step;
  gint64 total = 0;
  gboolean ok = TRUE;

  g_assert (n_parts >= 2 && n_parts <= MAX_FORCED_PARTS);
  pool = get_connections (db, n_parts - 1, error);
  if (pool == NULL)
    return FALSE;

  /* Equal ranges of ids (the last one may be shorter, or empty when
   * there are about as many parts as ids), which cover lo..hi. */
  step = ((guint64) hi - (guint64) lo) / n_parts + 1;
  for (guint i = 0; i < n_parts; i++)
    {
      parts[i].query = query;
      parts[i].db = i == 0 ? db : g_ptr_array_index (pool->dbs, i - 1);
      parts[i].lo = (gint64) ((guint64) lo + step * i);
      parts[i].hi = i + 1 == n_parts ? hi : (gint64) ((guint64) lo + step * (i + 1) - 1);
    }
  for (guint i = 1; i < n_parts; i++)
    threads[i] = g_thread_try_new ("ct-segment-count", part_thread, &parts[i], NULL);
  count_part (&parts[0]);
  for (guint i = 1; i < n_parts; i++)
    {
      /* No thread to be had: the part is counted here instead. */
      if (threads[i] == NULL)
        count_part (&parts[i]);
      else
        g_thread_join (threads[i]);
    }

  for (guint i = 0; i < n_parts; i++)
    {
      if (parts[i].error != NULL)
        {
          if (ok)
            g_propagate_error (error, g_steal_pointer (&parts[i].error));
          g_clear_error (&parts[i].error);
          ok = FALSE;
        }
      total += parts[i].count;
    }
  if (ok)
    *count = total;
  return ok;
}

gboolean
ct_segment_count (CtDb                *db,
                  const CtSegmentRule *rule,
                  gint64               now,
                  gint64              *count,
                  GError             **error)
{
  g_autoptr(CtSegmentQuery) query = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 lo = 0, hi = 0;
  guint n_parts;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (rule != NULL, FALSE);
  g_return_val_if_fail (count != NULL, FALSE);

  n_parts = plan_parts (db, &lo, &hi, error);
  if (n_parts == 0)
    return FALSE;

  /* The parts pay off where the rule reads lists (tags, products, the
   * analysis, loyalty), which the range cuts to each part's share. A
   * rule on the contact's own columns only is one pass over the
   * contacts, which SQLite may make over a narrow covering index (email
   * contains: the email index's); a range of ids would have it read the
   * table's wider rows instead, 2.4 times the processor time in all on
   * 100,000 contacts, for a wall time no shorter on a busy machine. It
   * counts in one query, as does a rule whose lists cannot take the
   * range. */
  if (n_parts > 1)
    {
      query = compile (db, rule, now, TRUE, lo, hi, error);
      if (query == NULL)
        return FALSE;
      if (query->range_keys->len > 0)
        return count_in_parts (db, query, n_parts, lo, hi, count, error);
      g_clear_pointer (&query, ct_segment_query_free);
    }

  query = ct_segment_compile (db, rule, now, error);
  if (query == NULL)
    return FALSE;
  stmt = ct_segment_query_prepare (query, db, "SELECT count(*) FROM contacts c", NULL, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, NULL);
      return FALSE;
    }
  *count = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

GArray *
ct_segment_members (CtDb                *db,
                    const CtSegmentRule *rule,
                    gint64               now,
                    GError             **error)
{
  g_autoptr(CtSegmentQuery) query = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) ids = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), NULL);
  g_return_val_if_fail (rule != NULL, NULL);

  query = ct_segment_compile (db, rule, now, error);
  if (query == NULL)
    return NULL;
  /* The Contacts list's default order, which its index gives. */
  stmt = ct_segment_query_prepare (query, db, "SELECT c.id FROM contacts c",
                                   "ORDER BY coalesce(nullif(c.last_name || c.first_name, ''),"
                                   " c.email, c.phone) COLLATE NOCASE, c.id",
                                   error);
  if (stmt == NULL)
    return NULL;

  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, NULL);
      return NULL;
    }
  return g_steal_pointer (&ids);
}

/* ------------------------------------------------------------------ */
/* Pickers */

gboolean
ct_segment_field_is_available (CtDb       *db,
                               const char *field)
{
  const Field *f = find_field (field);
  Compiler c = { 0 };

  g_return_val_if_fail (CT_IS_DB (db), FALSE);

  if (f == NULL)
    return FALSE;
  c.db = db;
  return field_available (&c, f, "", NULL);
}

static GStrv
list_strings (CtDb        *db,
              const char  *sql,
              GError     **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, sql, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (builder, (const char *) sqlite3_column_text (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, NULL);
      return NULL;
    }
  return g_strv_builder_end (builder);
}

GStrv
ct_segment_field_list_values (CtDb        *db,
                              const char  *field,
                              GError     **error)
{
  const Field *f = find_field (field);
  const char * const *choices;

  g_return_val_if_fail (CT_IS_DB (db), NULL);
  g_return_val_if_fail (f != NULL, NULL);

  switch (f->kind)
    {
    case CT_SEGMENT_KIND_TAG:
      return list_strings (db, "SELECT name FROM tags ORDER BY name COLLATE NOCASE", error);
    case CT_SEGMENT_KIND_PRODUCT:
      return list_strings (db, "SELECT DISTINCT name FROM products ORDER BY name COLLATE NOCASE", error);
    case CT_SEGMENT_KIND_CHANNEL:
      return list_strings (db, "SELECT name FROM channels ORDER BY name COLLATE NOCASE", error);
    case CT_SEGMENT_KIND_SEGMENT:
      return list_strings (db, "SELECT name FROM segments ORDER BY name COLLATE NOCASE", error);
    case CT_SEGMENT_KIND_CHOICE:
      if (f->choices == CHOICES_TIER)
        {
          g_autoptr(GPtrArray) names = NULL;

          /* In level order, from the lowest tier up, as people rank them. */
          if (!read_tiers (db, &names, NULL, error))
            return NULL;
          g_ptr_array_add (names, NULL);
          return (GStrv) g_ptr_array_steal (names, NULL);
        }
      choices = field_choices (f);
      if (choices != NULL)
        return g_strdupv ((char **) choices);
      if (!ct_segment_field_is_available (db, field))
        return g_new0 (char *, 1);
      {
        g_autofree char *sql = f->table == NULL
          ? g_strdup_printf ("SELECT DISTINCT %s FROM contacts WHERE %s IS NOT NULL AND %s != ''"
                             " ORDER BY 1 COLLATE NOCASE", f->column, f->column, f->column)
          : g_strdup_printf ("SELECT DISTINCT %s FROM %s WHERE %s IS NOT NULL AND %s != ''"
                             " ORDER BY 1 COLLATE NOCASE", f->column, f->table, f->column, f->column);
        return list_strings (db, sql, error);
      }
    default:
      return g_new0 (char *, 1);
    }
}
