/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-segment.h: segments: a rule tree of conditions, compiled to one
 * parameterised SQL query, and the saved segments
 *
 * A rule is JSON in exactly this form, so that scripts and tests can
 * write one:
 *
 *   {"match": "all" | "any", "conditions": [CONDITION | RULE, ...]}
 *   CONDITION = {"field": FIELD, "op": OP, "value": VALUE}
 *
 * ("value" is left out for is_set and is_not_set). An empty "all" group
 * matches every contact, an empty "any" group none.
 *
 * Fields, their kind and the ops that fit them:
 *
 *   text     email, first_name, last_name, phone:
 *              = != contains starts_with in not_in is_set is_not_set
 *   channel  the name of the contact's source channel: the same ops
 *   choice   status (subscribed, unsubscribed, bounced, complained),
 *            rfm_segment (ct_rfm_segment_to_id() ids), lifecycle
 *            (ct_lifecycle_stage_to_id() ids):
 *              = != in not_in is_set is_not_set
 *            tier: = != in not_in, by a tier's name as shown (ignoring
 *              case; a default tier also by its English name) or its
 *              level (0 the lowest). The current tier, from
 *              contact_loyalty; a contact not placed yet is in the
 *              lowest tier, as ct_tier_count_members() counts it, so
 *              everyone has a tier and is_set does not apply. A name
 *              that is no tier is refused when the rule is compiled,
 *              with the list of tiers.
 *   date     created_at, first_purchase_at, last_purchase_at:
 *              before after within_days not_within_days is_set is_not_set
 *   amount   total_spent, clv: = != < <= > >= (is_set is_not_set for clv)
 *   count    purchases, points, cluster: = != < <= > >= in not_in
 *              (is_set is_not_set for cluster); points is the balance,
 *              0 for a contact without a contact_loyalty row
 *   number   p_alive (0 to 1): = != < <= > >= is_set is_not_set
 *   tag      has has_not, by the tag's name
 *   product  bought_product: has has_not, by the product's SKU or name
 *   segment  segment: = != a saved segment's name (a member of it, or
 *            not); its rule is compiled into the same query, and a
 *            segment that refers back to itself is refused
 *
 * Values: text a string (in, not_in: an array of strings); amounts a
 * number in major units (12.5 is ¥12.50), with no more decimals than
 * the currency has; counts a whole number; dates an ISO 8601 string,
 * either a day ("2024-03-01", the whole day in UTC) or a moment
 * ("2024-03-01T08:00:00Z"; UTC when it names no zone); within_days a whole number of
 * days back from now. Text compares ignoring ASCII case. total_spent is
 * the contact's total as the Contacts list shows it (purchases not
 * refunded), in the main currency's units; clv is the predicted lifetime
 * value of the last stored analysis, in its currency; cluster counts
 * from 1, as people see it.
 *
 * A condition on a value that is not set (no email, no purchase yet, no
 * analysis) is false; != not_in has_not and not_within_days are the
 * exact opposites of = in has and within_days, so they are true there.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ct-db.h"

G_BEGIN_DECLS

#define CT_SEGMENT_ERROR (ct_segment_error_quark ())

typedef enum
{
  CT_SEGMENT_ERROR_SYNTAX,          /* not JSON, or not a rule's shape */
  CT_SEGMENT_ERROR_UNKNOWN_FIELD,   /* a field that does not exist */
  CT_SEGMENT_ERROR_UNKNOWN_OP,      /* an op that does not exist */
  CT_SEGMENT_ERROR_OP_MISMATCH,     /* an op that does not fit the field */
  CT_SEGMENT_ERROR_BAD_VALUE,       /* a value of the wrong type or out of range */
  CT_SEGMENT_ERROR_UNAVAILABLE,     /* a field whose data this database does not keep yet */
  CT_SEGMENT_ERROR_TOO_LARGE,       /* too deep or too many conditions */
} CtSegmentError;

GQuark ct_segment_error_quark (void);

/* Limits that keep a rule well inside what SQLite parses. */
#define CT_SEGMENT_MAX_DEPTH 16
#define CT_SEGMENT_MAX_CONDITIONS 500
#define CT_SEGMENT_MAX_LIST 1000

typedef enum
{
  CT_SEGMENT_KIND_TEXT,
  CT_SEGMENT_KIND_CHANNEL,
  CT_SEGMENT_KIND_CHOICE,
  CT_SEGMENT_KIND_DATE,
  CT_SEGMENT_KIND_AMOUNT,
  CT_SEGMENT_KIND_COUNT,
  CT_SEGMENT_KIND_NUMBER,
  CT_SEGMENT_KIND_TAG,
  CT_SEGMENT_KIND_PRODUCT,
  CT_SEGMENT_KIND_SEGMENT,
} CtSegmentKind;

typedef enum
{
  CT_SEGMENT_OP_EQ,
  CT_SEGMENT_OP_NE,
  CT_SEGMENT_OP_LT,
  CT_SEGMENT_OP_LE,
  CT_SEGMENT_OP_GT,
  CT_SEGMENT_OP_GE,
  CT_SEGMENT_OP_CONTAINS,
  CT_SEGMENT_OP_STARTS_WITH,
  CT_SEGMENT_OP_IN,
  CT_SEGMENT_OP_NOT_IN,
  CT_SEGMENT_OP_BEFORE,
  CT_SEGMENT_OP_AFTER,
  CT_SEGMENT_OP_WITHIN_DAYS,
  CT_SEGMENT_OP_NOT_WITHIN_DAYS,
  CT_SEGMENT_OP_IS_SET,
  CT_SEGMENT_OP_IS_NOT_SET,
  CT_SEGMENT_OP_HAS,
  CT_SEGMENT_OP_HAS_NOT,
  CT_SEGMENT_N_OPS
} CtSegmentOp;

/* Fields and ops, for builders and pickers */

/* Returns: (transfer none): the field names, NULL-terminated, in the
 * order a picker shows them. */
const char * const *ct_segment_get_fields        (void);
/* %FALSE for an unknown field. */
gboolean      ct_segment_field_get_kind          (const char    *field,
                                                  CtSegmentKind *kind);
/* Translated name of @field ("Last purchase"). Returns: (transfer none)
 * (nullable): %NULL for an unknown field. */
const char   *ct_segment_field_get_label         (const char    *field);
/* Whether @op fits @field. */
gboolean      ct_segment_field_has_op            (const char    *field,
                                                  CtSegmentOp    op);
/* Returns: (transfer none) (nullable): the values a choice field takes
 * whatever the data ("subscribed"...; rfm and lifecycle ids), NULL for
 * other fields and for tier (whose names come from the database:
 * ct_segment_field_list_values()). */
const char * const *ct_segment_field_get_choices (const char    *field);
/* Whether @db keeps the data behind @field (a field of a feature whose
 * tables a database may lack). */
gboolean      ct_segment_field_is_available      (CtDb          *db,
                                                  const char    *field);
/* The values a picker offers for @field: tag names for tag, product
 * names for bought_product, channel names for channel, saved segments'
 * names for segment, the tiers' names as shown from the lowest up for
 * tier, the choices for the other choice fields; an empty array for
 * the rest. Returns: (transfer full) (nullable): NULL-terminated */
GStrv         ct_segment_field_list_values       (CtDb          *db,
                                                  const char    *field,
                                                  GError       **error);
/* "=", "within_days"... as in the JSON. */
const char   *ct_segment_op_to_string            (CtSegmentOp    op);
gboolean      ct_segment_op_from_string          (const char    *text,
                                                  CtSegmentOp   *op);
/* Translated words for a builder ("is before"). */
const char   *ct_segment_op_get_label            (CtSegmentOp    op);

/* Rules */

typedef struct _CtSegmentRule CtSegmentRule;

/* Parses and validates @json. Every problem is reported with the field,
 * op or value it concerns and where it is in the tree.
 * Returns: (transfer full) (nullable) */
CtSegmentRule *ct_segment_rule_parse            (const char     *json,
                                                 GError        **error);
CtSegmentRule *ct_segment_rule_new_from_node    (JsonNode       *node,
                                                 GError        **error);
/* The rule as JSON, in the form above. Returns: (transfer full) */
JsonNode      *ct_segment_rule_to_node          (const CtSegmentRule *rule);
char          *ct_segment_rule_to_string        (const CtSegmentRule *rule);
CtSegmentRule *ct_segment_rule_copy             (const CtSegmentRule *rule);
void           ct_segment_rule_free             (CtSegmentRule  *rule);

/* Whether @rule uses @field anywhere in its tree. */
gboolean       ct_segment_rule_uses_field       (const CtSegmentRule *rule,
                                                 const char     *field);

/* Compiling and running */

typedef struct _CtSegmentQuery CtSegmentQuery;

/* Compiles @rule into one boolean SQL expression over `contacts c`, with
 * every value a bound parameter. @now (Unix seconds; 0 = the real time)
 * anchors within_days. Fails with CT_SEGMENT_ERROR_UNAVAILABLE when the
 * rule uses a field this database does not keep yet.
 * Returns: (transfer full) (nullable) */
CtSegmentQuery *ct_segment_compile              (CtDb                *db,
                                                 const CtSegmentRule *rule,
                                                 gint64               now,
                                                 GError             **error);
/* As ct_segment_compile(), for the contacts whose id is from @lo to @hi
 * only: the expression starts with `c.id BETWEEN ?1 AND ?2`, bound to
 * @lo and @hi (a statement prepared from it may bind others to ?1 and
 * ?2 to count another range with the same text), and its membership
 * subqueries keep to the range too where that is exact, so that they
 * read only their part of the lists.
 * Returns: (transfer full) (nullable) */
CtSegmentQuery *ct_segment_compile_range        (CtDb                *db,
                                                 const CtSegmentRule *rule,
                                                 gint64               now,
                                                 gint64               lo,
                                                 gint64               hi,
                                                 GError             **error);
/* Returns: (transfer none): the WHERE expression, parameters as ?N */
const char     *ct_segment_query_get_where      (CtSegmentQuery      *query);
/* Number of bound parameters the expression uses. */
guint           ct_segment_query_get_n_params   (CtSegmentQuery      *query);
/* Prepares "@prefix WHERE (expression) @suffix" with the values bound;
 * @prefix must select FROM contacts c and use no parameters of its own.
 * Returns: (transfer full) (nullable) */
sqlite3_stmt   *ct_segment_query_prepare        (CtSegmentQuery      *query,
                                                 CtDb                *db,
                                                 const char          *prefix,
                                                 const char          *suffix,
                                                 GError             **error);
void            ct_segment_query_free           (CtSegmentQuery      *query);

/* How many contacts match @rule. On a large base in a file, outside a
 * transaction, a rule that reads lists (tags, products, the analysis,
 * loyalty) is counted in ranges of contacts side by side on extra
 * connections kept on @db (each in its own read transaction: see
 * ct-segment.c); otherwise in one query on @db. */
gboolean       ct_segment_count                 (CtDb                *db,
                                                 const CtSegmentRule *rule,
                                                 gint64               now,
                                                 gint64              *count,
                                                 GError             **error);
/* The ids (gint64) of the contacts that match, in the Contacts list's
 * default order (by name). Returns: (transfer full) (nullable) */
GArray        *ct_segment_members               (CtDb                *db,
                                                 const CtSegmentRule *rule,
                                                 gint64               now,
                                                 GError             **error);

/* A rule of one condition: @value (nullable, for is_set / is_not_set) is
 * taken over. Not validated: ct_segment_rule_new_from_node() on its
 * node does that. Returns: (transfer full) */
JsonNode      *ct_segment_condition_node_new    (const char     *field,
                                                 CtSegmentOp     op,
                                                 JsonNode       *value);

/* Saved segments (the segments table) */

typedef struct
{
  gint64         id;
  char          *name;
  char          *rule_json;    /* as stored */
  /* The parsed rule; NULL when the stored one does not validate (saved
   * by a newer version, or edited by hand), with rule_error saying why. */
  CtSegmentRule *rule;
  char          *rule_error;
  gint64         created_at;   /* Unix seconds */
  gint64         updated_at;
} CtSegment;

void           ct_segment_free                  (CtSegment      *segment);
CtSegment     *ct_segment_copy                  (const CtSegment *segment);

/* Every saved segment by name. Returns: (transfer full) (element-type
 * CtSegment) */
GPtrArray     *ct_segment_list                  (CtDb           *db,
                                                 GError        **error);
/* By id, or by name ignoring ASCII case; CT_DB_ERROR_NOT_FOUND when there
 * is none. Returns: (transfer full) (nullable) */
CtSegment     *ct_segment_lookup                (CtDb           *db,
                                                 gint64          id,
                                                 GError        **error);
CtSegment     *ct_segment_lookup_by_name        (CtDb           *db,
                                                 const char     *name,
                                                 GError        **error);
/* Saves @rule under @name (trimmed, not blank, unique ignoring case:
 * CT_DB_ERROR_CONSTRAINT naming it). Emits CtDb::changed ("segments").
 * Returns: the new segment's id, 0 on failure */
gint64         ct_segment_save                  (CtDb           *db,
                                                 const char     *name,
                                                 const CtSegmentRule *rule,
                                                 GError        **error);
gboolean       ct_segment_update_rule           (CtDb           *db,
                                                 gint64          id,
                                                 const CtSegmentRule *rule,
                                                 GError        **error);
gboolean       ct_segment_rename                (CtDb           *db,
                                                 gint64          id,
                                                 const char     *name,
                                                 GError        **error);
/* Saves a copy of segment @id under a free name: "NAME (copy)", "NAME
 * (copy 2)"... Returns: the copy's id, 0 on failure */
gint64         ct_segment_duplicate             (CtDb           *db,
                                                 gint64          id,
                                                 GError        **error);
/* Deletes segment @id. Returns: (transfer full) (nullable): everything
 * ct_segment_restore() needs to bring it back as it was (same id, name,
 * rule and times), for Undo. */
CtSegment     *ct_segment_delete                (CtDb           *db,
                                                 gint64          id,
                                                 GError        **error);
/* Puts back a segment ct_segment_delete() returned. Fails with
 * CT_DB_ERROR_CONSTRAINT if its name was taken meanwhile. */
gboolean       ct_segment_restore               (CtDb           *db,
                                                 const CtSegment *deleted,
                                                 GError        **error);

/* Ready-made segments: each RFM segment, each lifecycle stage, each tier
 * (by its name as shown), customers with no purchase in 90 days, and
 * "bought course X but not Y" for the two best-selling courses (when
 * there are two). Names and descriptions are translated; ids are stable
 * ("rfm-champions", "lifecycle-new", "tier-Gold" by the name kept in
 * the tiers table, a default tier's English one whatever the language,
 * "no-purchase-90-days", "bought-x-not-y"). */
typedef struct
{
  char          *id;
  char          *name;
  char          *description;
  CtSegmentRule *rule;
} CtSegmentReadyMade;

void           ct_segment_ready_made_free       (CtSegmentReadyMade *ready_made);
/* Returns: (transfer full) (element-type CtSegmentReadyMade) */
GPtrArray     *ct_segment_get_ready_made        (CtDb           *db,
                                                 GError        **error);
/* The template: contacts who bought @bought (a SKU or name) but not
 * @not_bought. Returns: (transfer full) */
CtSegmentRule *ct_segment_rule_new_bought_but_not (const char   *bought,
                                                   const char   *not_bought);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtSegmentRule, ct_segment_rule_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtSegmentQuery, ct_segment_query_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtSegment, ct_segment_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtSegmentReadyMade, ct_segment_ready_made_free)

G_END_DECLS
