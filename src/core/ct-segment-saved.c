/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-segment-saved.c: saved segments (the segments table) and the
 * ready-made ones
 *
 * Ready-made segments are not rows: their names are translated and the
 * tiers and courses they name change with the data, so they are made
 * afresh each time they are listed. Saving one (or a copy of it) makes
 * it a row like any other.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "ct-rfm.h"
#include "ct-segment.h"
#include "ct-text-private.h"

void
ct_segment_free (CtSegment *segment)
{
  if (segment == NULL)
    return;
  g_free (segment->name);
  g_free (segment->rule_json);
  g_clear_pointer (&segment->rule, ct_segment_rule_free);
  g_free (segment->rule_error);
  g_free (segment);
}

CtSegment *
ct_segment_copy (const CtSegment *segment)
{
  CtSegment *copy;

  g_return_val_if_fail (segment != NULL, NULL);

  copy = g_new0 (CtSegment, 1);
  copy->id = segment->id;
  copy->name = g_strdup (segment->name);
  copy->rule_json = g_strdup (segment->rule_json);
  copy->rule = segment->rule != NULL ? ct_segment_rule_copy (segment->rule) : NULL;
  copy->rule_error = g_strdup (segment->rule_error);
  copy->created_at = segment->created_at;
  copy->updated_at = segment->updated_at;
  return copy;
}

#define SEGMENT_COLUMNS "SELECT id, name, rule, created_at, updated_at FROM segments"

static CtSegment *
segment_from_row (sqlite3_stmt *stmt)
{
  CtSegment *segment = g_new0 (CtSegment, 1);
  g_autoptr(GError) error = NULL;

  segment->id = sqlite3_column_int64 (stmt, 0);
  segment->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  segment->rule_json = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  segment->created_at = sqlite3_column_int64 (stmt, 3);
  segment->updated_at = sqlite3_column_int64 (stmt, 4);
  segment->rule = ct_segment_rule_parse (segment->rule_json, &error);
  if (segment->rule == NULL)
    segment->rule_error = g_strdup (error->message);
  return segment;
}

GPtrArray *
ct_segment_list (CtDb    *db,
                 GError **error)
{
  g_autoptr(GPtrArray) segments = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), NULL);

  stmt = ct_db_prepare (db, SEGMENT_COLUMNS " ORDER BY name COLLATE NOCASE, id", error);
  if (stmt == NULL)
    return NULL;

  segments = g_ptr_array_new_with_free_func ((GDestroyNotify) ct_segment_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (segments, segment_from_row (stmt));
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, NULL);
      return NULL;
    }
  return g_steal_pointer (&segments);
}

static CtSegment *
lookup (CtDb        *db,
        const char  *where,
        gint64       id,
        const char  *name,
        GError     **error)
{
  g_autofree char *sql = g_strconcat (SEGMENT_COLUMNS " WHERE ", where, NULL);
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, sql, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  if (name != NULL)
    sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64 (stmt, 1, id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return segment_from_row (stmt);
  if (rc != SQLITE_DONE)
    ct_db_set_error (error, ct_db_get_handle (db), rc, NULL);
  else if (name != NULL)
    g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND,
                 _("There is no segment called “%s”."), name);
  else
    g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND,
                 _("There is no segment with id %lld."), (long long) id);
  return NULL;
}

CtSegment *
ct_segment_lookup (CtDb    *db,
                   gint64   id,
                   GError **error)
{
  g_return_val_if_fail (CT_IS_DB (db), NULL);
  return lookup (db, "id = ?1", id, NULL, error);
}

CtSegment *
ct_segment_lookup_by_name (CtDb        *db,
                           const char  *name,
                           GError     **error)
{
  g_autofree char *clean = NULL;

  g_return_val_if_fail (CT_IS_DB (db), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  clean = ct_text_strip_dup (name);
  return lookup (db, "name = ?1", 0, clean, error);
}

/* The trimmed name, or NULL with an error for a blank one. */
static char *
clean_name (const char  *name,
            GError     **error)
{
  g_autofree char *clean = ct_text_strip_dup (name != NULL ? name : "");

  if (*clean == '\0')
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID, _("A segment needs a name."));
      return NULL;
    }
  return g_steal_pointer (&clean);
}

/* Steps a write; a taken name becomes a message naming it. */
static gboolean
step_write (CtDb          *db,
            sqlite3_stmt  *stmt,
            const char    *name,
            GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE)
    return TRUE;
  if ((rc & 0xff) == SQLITE_CONSTRAINT && name != NULL)
    g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT,
                 _("There is already a segment called “%s”."), name);
  else
    ct_db_set_error (error, ct_db_get_handle (db), rc, NULL);
  return FALSE;
}

static gboolean
check_changed (CtDb     *db,
               gint64    id,
               GError  **error)
{
  if (sqlite3_changes (ct_db_get_handle (db)) > 0)
    return TRUE;
  g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND,
               _("There is no segment with id %lld."), (long long) id);
  return FALSE;
}

gint64
ct_segment_save (CtDb                *db,
                 const char          *name,
                 const CtSegmentRule *rule,
                 GError             **error)
{
  g_autofree char *clean = NULL;
  g_autofree char *json = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 id;

  g_return_val_if_fail (CT_IS_DB (db), 0);
  g_return_val_if_fail (rule != NULL, 0);

  clean = clean_name (name, error);
  if (clean == NULL)
    return 0;
  json = ct_segment_rule_to_string (rule);

  stmt = ct_db_prepare (db, "INSERT INTO segments (name, rule) VALUES (?1, ?2)", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, clean, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, json, -1, SQLITE_STATIC);
  if (!step_write (db, stmt, clean, error))
    return 0;

  id = sqlite3_last_insert_rowid (ct_db_get_handle (db));
  ct_db_emit_changed (db, "segments");
  return id;
}

gboolean
ct_segment_update_rule (CtDb                *db,
                        gint64               id,
                        const CtSegmentRule *rule,
                        GError             **error)
{
  g_autofree char *json = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (rule != NULL, FALSE);

  json = ct_segment_rule_to_string (rule);
  stmt = ct_db_prepare (db, "UPDATE segments SET rule = ?2, updated_at = unixepoch() WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, json, -1, SQLITE_STATIC);
  if (!step_write (db, stmt, NULL, error) || !check_changed (db, id, error))
    return FALSE;

  ct_db_emit_changed (db, "segments");
  return TRUE;
}

gboolean
ct_segment_rename (CtDb        *db,
                   gint64       id,
                   const char  *name,
                   GError     **error)
{
  g_autofree char *clean = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);

  clean = clean_name (name, error);
  if (clean == NULL)
    return FALSE;

  stmt = ct_db_prepare (db, "UPDATE segments SET name = ?2, updated_at = unixepoch() WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, clean, -1, SQLITE_STATIC);
  if (!step_write (db, stmt, clean, error) || !check_changed (db, id, error))
    return FALSE;

  ct_db_emit_changed (db, "segments");
  return TRUE;
}

static gboolean
name_taken (CtDb        *db,
            const char  *name,
            gboolean    *taken,
            GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, "SELECT 1 FROM segments WHERE name = ?1", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, NULL);
      return FALSE;
    }
  *taken = rc == SQLITE_ROW;
  return TRUE;
}

gint64
ct_segment_duplicate (CtDb    *db,
                      gint64   id,
                      GError **error)
{
  g_autoptr(CtSegment) original = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *name = NULL;
  gboolean taken = TRUE;
  gint64 copy_id;

  g_return_val_if_fail (CT_IS_DB (db), 0);

  original = ct_segment_lookup (db, id, error);
  if (original == NULL)
    return 0;

  for (guint n = 1; taken; n++)
    {
      g_free (name);
      /* Translators: the name of a copy of the segment "%s" */
      name = n == 1 ? g_strdup_printf (_("%s (copy)"), original->name)
                    /* Translators: the name of the Nth copy of the segment "%s" */
                    : g_strdup_printf (_("%s (copy %u)"), original->name, n);
      if (!name_taken (db, name, &taken, error))
        return 0;
    }

  /* The stored JSON as it is, so that a rule this version cannot read
   * is copied, not lost. */
  stmt = ct_db_prepare (db, "INSERT INTO segments (name, rule) VALUES (?1, ?2)", error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, original->rule_json, -1, SQLITE_STATIC);
  if (!step_write (db, stmt, name, error))
    return 0;

  copy_id = sqlite3_last_insert_rowid (ct_db_get_handle (db));
  ct_db_emit_changed (db, "segments");
  return copy_id;
}

CtSegment *
ct_segment_delete (CtDb    *db,
                   gint64   id,
                   GError **error)
{
  g_autoptr(CtSegment) segment = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (CT_IS_DB (db), NULL);

  segment = ct_segment_lookup (db, id, error);
  if (segment == NULL)
    return NULL;

  stmt = ct_db_prepare (db, "DELETE FROM segments WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!step_write (db, stmt, NULL, error))
    return NULL;

  ct_db_emit_changed (db, "segments");
  return g_steal_pointer (&segment);
}

gboolean
ct_segment_restore (CtDb             *db,
                    const CtSegment  *deleted,
                    GError          **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (deleted != NULL, FALSE);

  /* The same id, so that anything that remembered the segment (a
   * campaign's audience) finds it again. */
  stmt = ct_db_prepare (db,
                        "INSERT INTO segments (id, name, rule, created_at, updated_at)"
                        " VALUES (?1, ?2, ?3, ?4, ?5)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, deleted->id);
  sqlite3_bind_text (stmt, 2, deleted->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, deleted->rule_json, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, deleted->created_at);
  sqlite3_bind_int64 (stmt, 5, deleted->updated_at);
  if (!step_write (db, stmt, deleted->name, error))
    return FALSE;

  ct_db_emit_changed (db, "segments");
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Ready-made segments */

void
ct_segment_ready_made_free (CtSegmentReadyMade *ready_made)
{
  if (ready_made == NULL)
    return;
  g_free (ready_made->id);
  g_free (ready_made->name);
  g_free (ready_made->description);
  g_clear_pointer (&ready_made->rule, ct_segment_rule_free);
  g_free (ready_made);
}

/* A group of the given conditions, which are taken over. */
static CtSegmentRule *
rule_of (gboolean  any,
         JsonNode *first,
         ...)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GError) error = NULL;
  JsonArray *conditions = json_array_new ();
  CtSegmentRule *rule;
  va_list args;

  va_start (args, first);
  for (JsonNode *c = first; c != NULL; c = va_arg (args, JsonNode *))
    json_array_add_element (conditions, c);
  va_end (args);

  json_object_set_string_member (object, "match", any ? "any" : "all");
  json_object_set_array_member (object, "conditions", conditions);
  json_node_set_object (node, object);

  /* Made here from known fields: a failure is a bug in this file. */
  rule = ct_segment_rule_new_from_node (node, &error);
  g_assert_no_error (error);
  return rule;
}

static JsonNode *
string_node (const char *text)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, text);
  return node;
}

static JsonNode *
int_node (gint64 value)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_int (node, value);
  return node;
}

CtSegmentRule *
ct_segment_rule_new_bought_but_not (const char *bought,
                                    const char *not_bought)
{
  g_return_val_if_fail (bought != NULL && not_bought != NULL, NULL);

  return rule_of (FALSE,
                  ct_segment_condition_node_new ("bought_product", CT_SEGMENT_OP_HAS, string_node (bought)),
                  ct_segment_condition_node_new ("bought_product", CT_SEGMENT_OP_HAS_NOT, string_node (not_bought)),
                  NULL);
}

static void
add_ready_made (GPtrArray     *list,
                char          *id,
                char          *name,
                char          *description,
                CtSegmentRule *rule)
{
  CtSegmentReadyMade *ready_made = g_new0 (CtSegmentReadyMade, 1);

  ready_made->id = id;
  ready_made->name = name;
  ready_made->description = description;
  ready_made->rule = rule;
  g_ptr_array_add (list, ready_made);
}

GPtrArray *
ct_segment_get_ready_made (CtDb    *db,
                           GError **error)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(sqlite3_stmt) courses = NULL;
  g_auto(GStrv) tiers = NULL;
  char *names[2] = { NULL, NULL };
  guint n_courses = 0;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), NULL);

  list = g_ptr_array_new_with_free_func ((GDestroyNotify) ct_segment_ready_made_free);

  for (guint i = 0; i < CT_RFM_N_SEGMENTS; i++)
    {
      const char *id = ct_rfm_segment_to_id ((CtRfmSegment) i);

      add_ready_made (list, g_strconcat ("rfm-", id, NULL),
                      g_strdup (ct_rfm_segment_get_label ((CtRfmSegment) i)),
                      g_strdup (ct_rfm_segment_get_description ((CtRfmSegment) i)),
                      rule_of (FALSE, ct_segment_condition_node_new ("rfm_segment", CT_SEGMENT_OP_EQ,
                                                                     string_node (id)), NULL));
    }

  for (guint i = 0; i < CT_LIFECYCLE_N_STAGES; i++)
    {
      const char *id = ct_lifecycle_stage_to_id ((CtLifecycleStage) i);
      const char *label = ct_lifecycle_stage_get_label ((CtLifecycleStage) i);

      add_ready_made (list, g_strconcat ("lifecycle-", id, NULL),
                      /* Translators: a ready-made segment, "Lifecycle: At risk" */
                      g_strdup_printf (_("Lifecycle: %s"), label),
                      g_strdup_printf (_("Contacts at the “%s” stage of the last analysis."), label),
                      rule_of (FALSE, ct_segment_condition_node_new ("lifecycle", CT_SEGMENT_OP_EQ,
                                                                     string_node (id)), NULL));
    }

  if (ct_segment_field_is_available (db, "tier"))
    {
      g_autoptr(sqlite3_stmt) kept = NULL;

      /* Named as shown, in the app's language; the id takes the name
       * kept in the table instead (a default tier's English one), so
       * that it stays the same when the language changes. Both lists
       * go from level 0 up. */
      tiers = ct_segment_field_list_values (db, "tier", error);
      if (tiers == NULL)
        return NULL;
      kept = ct_db_prepare (db, "SELECT name FROM tiers ORDER BY level", error);
      if (kept == NULL)
        return NULL;
      for (guint i = 0; tiers[i] != NULL; i++)
        {
          if ((rc = sqlite3_step (kept)) != SQLITE_ROW)
            {
              ct_db_set_error (error, ct_db_get_handle (db), rc, NULL);
              return NULL;
            }
          add_ready_made (list, g_strconcat ("tier-", (const char *) sqlite3_column_text (kept, 0), NULL),
                          /* Translators: a ready-made segment, "Tier: Gold" */
                          g_strdup_printf (_("Tier: %s"), tiers[i]),
                          g_strdup_printf (_("Members of the “%s” tier."), tiers[i]),
                          rule_of (FALSE, ct_segment_condition_node_new ("tier", CT_SEGMENT_OP_EQ,
                                                                         string_node (tiers[i])), NULL));
        }
    }

  add_ready_made (list, g_strdup ("no-purchase-90-days"),
                  g_strdup (_("No purchase in 90 days")),
                  g_strdup (_("Customers whose last purchase was more than 90 days ago.")),
                  rule_of (FALSE,
                           ct_segment_condition_node_new ("purchases", CT_SEGMENT_OP_GE, int_node (1)),
                           ct_segment_condition_node_new ("last_purchase_at", CT_SEGMENT_OP_NOT_WITHIN_DAYS,
                                                          int_node (90)),
                           NULL));

  /* The template, filled with the two best-selling courses: the one
   * whose buyers are likeliest to want the other. */
  courses = ct_db_prepare (db,
                           "SELECT coalesce(sku, name) FROM products WHERE kind = 'course'"
                           " ORDER BY sales_count DESC, name COLLATE NOCASE, id LIMIT 2", error);
  if (courses == NULL)
    return NULL;
  while ((rc = sqlite3_step (courses)) == SQLITE_ROW)
    names[n_courses++] = g_strdup ((const char *) sqlite3_column_text (courses, 0));
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, NULL);
      g_free (names[0]);
      g_free (names[1]);
      return NULL;
    }
  if (n_courses == 2)
    add_ready_made (list, g_strdup ("bought-x-not-y"),
                    /* Translators: a ready-made segment: bought course X but not course Y */
                    g_strdup_printf (_("Bought “%s” but not “%s”"), names[0], names[1]),
                    g_strdup (_("Buyers of one course who have not bought the other yet: "
                                "pick any two products in the builder.")),
                    ct_segment_rule_new_bought_but_not (names[0], names[1]));
  g_free (names[0]);
  g_free (names[1]);

  return g_steal_pointer (&list);
}
