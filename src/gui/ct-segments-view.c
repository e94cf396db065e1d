/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-segments-view.c: the Segments page
 *
 * The builder edits the rule as its JSON tree (the form of ct-segment.h),
 * drawn again from that tree whenever its shape changes (a condition or
 * group added or removed, a field changed); typing a value only changes
 * the tree. Every edit restarts a short timer, and the count then runs
 * on a worker thread, so that typing never waits for SQLite; an answer
 * for an older edit is dropped. The count is shown as soon as it is
 * known; the members (listed by name, kept for the export) follow. The
 * list's counts are worked out the same way, all in one task.
 *
 * The workers share one connection of their own, kept open for the next
 * count with its page cache, so that a count after the first reads
 * memory rather than the file.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ct-gui-format.h"
#include "ct-contact.h"
#include "ct-export-ui.h"
#include "ct-rfm.h"
#include "ct-segment.h"
#include "ct-segments-view.h"

/* Quiet time after an edit before counting. */
#define COUNT_DELAY_MS 250
/* Members listed below the builder; the export has them all. */
#define SHOWN_MEMBERS 50

struct _CtSegmentsView
{
  AdwBin        parent_instance;

  CtContext    *context;
  JsonNode     *rule;          /* the builder's tree: a group object */
  gint64        segment_id;    /* 0: not saved */
  char         *segment_name;  /* NULL: new */
  CtSegment    *deleted;       /* for Undo while its toast shows */

  guint         count_timeout;
  guint         rebuild_idle;
  guint         generation;
  gboolean      counting;
  gint64        count;
  GArray       *member_ids;
  GCancellable *list_cancellable;
  struct _Worker *worker;

  GtkListBox   *saved_list;
  GtkListBox   *ready_list;
  GtkLabel     *no_saved_label;
  GtkLabel     *title_label;
  GtkLabel     *count_label;
  GtkBox       *builder_box;
  GtkLabel     *members_label;
  GtkListBox   *member_list;
  GtkWidget    *save_button;
  GtkWidget    *duplicate_button;
  GtkWidget    *rename_button;
  GtkWidget    *delete_button;
  GtkWidget    *export_button;
  GtkWidget    *campaign_button;
};

G_DEFINE_FINAL_TYPE (CtSegmentsView, ct_segments_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_SEND_CAMPAIGN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void rebuild_builder (CtSegmentsView *self);
static void schedule_count  (CtSegmentsView *self);
static void reload_lists    (CtSegmentsView *self);

static CtDb *
get_db (CtSegmentsView *self)
{
  return ct_context_get_db (self->context);
}

static void
show_error (CtSegmentsView *self,
            const GError   *error)
{
  ct_export_ui_add_toast (GTK_WIDGET (self), adw_toast_new (error->message));
}

/* ------------------------------------------------------------------ */
/* Counting on a worker thread */

/* The workers' connection: opened on first use, used by one worker at a
 * time, and closed with the last reference (the view's or a task's that
 * outlives it). */
typedef struct _Worker
{
  GMutex  lock;
  CtDb   *db;      /* under lock */
} Worker;

static void
worker_clear (Worker *worker)
{
  g_clear_object (&worker->db);
  g_mutex_clear (&worker->lock);
}

static Worker *
worker_new (void)
{
  Worker *worker = g_atomic_rc_box_new0 (Worker);

  g_mutex_init (&worker->lock);
  return worker;
}

static void
worker_unref (Worker *worker)
{
  g_atomic_rc_box_release_full (worker, (GDestroyNotify) worker_clear);
}

/* Locks the worker and returns its connection to @path, opened now if it
 * is not yet (or was to another file). NULL (unlocked) on @error. */
static CtDb *
worker_lock_db (Worker      *worker,
                const char  *path,
                GError     **error)
{
  g_mutex_lock (&worker->lock);
  if (worker->db != NULL && g_strcmp0 (ct_db_get_path (worker->db), path) != 0)
    g_clear_object (&worker->db);
  if (worker->db == NULL)
    {
      worker->db = ct_db_open_full (path, CT_DB_OPEN_ALREADY_CHECKED, error);
      /* A cache that holds the contacts table of a large business, so
       * that the counts after the first read memory, not the file. */
      if (worker->db != NULL)
        ct_db_exec (worker->db, "PRAGMA cache_size = -65536", NULL);
    }
  if (worker->db == NULL)
    g_mutex_unlock (&worker->lock);
  return worker->db;
}

static void
worker_unlock (Worker *worker)
{
  g_mutex_unlock (&worker->lock);
}

typedef struct
{
  Worker  *worker;
  char    *db_path;
  char    *rule_json;
  gboolean members;   /* the second step: the members, not the count */
  guint    generation;
  gint64   count;
  GArray  *ids;
  GPtrArray *shown;   /* "Name <email>" of the first members */
} CountJob;

static void
count_job_free (CountJob *job)
{
  worker_unref (job->worker);
  g_free (job->db_path);
  g_free (job->rule_json);
  g_clear_pointer (&job->ids, g_array_unref);
  g_clear_pointer (&job->shown, g_ptr_array_unref);
  g_free (job);
}

/* The members in the Contacts list's order, and the names of the first
 * ones, read in one transaction. */
static gboolean
read_members (CtDb                *db,
              const CtSegmentRule *rule,
              CountJob            *job,
              GError             **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  if (!ct_db_exec (db, "BEGIN DEFERRED", error))
    return FALSE;
  job->ids = ct_segment_members (db, rule, 0, error);
  if (job->ids == NULL)
    {
      ct_db_rollback (db);
      return FALSE;
    }
  job->count = job->ids->len;

  job->shown = g_ptr_array_new_with_free_func (g_free);
  stmt = ct_db_prepare (db, "SELECT first_name, last_name, coalesce(email, phone) FROM contacts WHERE id = ?1",
                        NULL);
  for (guint i = 0; stmt != NULL && i < MIN (job->ids->len, SHOWN_MEMBERS); i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, g_array_index (job->ids, gint64, i));
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          g_autofree char *name = ct_contact_format_name ((const char *) sqlite3_column_text (stmt, 0),
                                                          (const char *) sqlite3_column_text (stmt, 1));
          const char *how = (const char *) sqlite3_column_text (stmt, 2);

          g_ptr_array_add (job->shown, g_strdup_printf ("%s\t%s", name, how != NULL ? how : ""));
        }
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  ct_db_rollback (db);
  return TRUE;
}

static void
count_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CountJob *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtSegmentRule) rule = NULL;
  CtDb *db;
  gboolean ok;

  rule = ct_segment_rule_parse (job->rule_json, &error);
  if (rule == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  db = worker_lock_db (job->worker, job->db_path, &error);
  if (db == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (job->members)
    ok = read_members (db, rule, job, &error);
  else
    ok = ct_segment_count (db, rule, 0, &job->count, &error);
  worker_unlock (job->worker);
  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
set_members_shown (CtSegmentsView *self,
                   GPtrArray      *shown)
{

  ct_list_box_remove_rows (self->member_list);

  for (guint i = 0; shown != NULL && i < shown->len; i++)
    {
      g_auto(GStrv) parts = g_strsplit (g_ptr_array_index (shown, i), "\t", 2);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), parts[0][0] != '\0' ? parts[0] : parts[1]);
      if (parts[0][0] != '\0')
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), parts[1]);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      gtk_list_box_append (self->member_list, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->member_list), shown != NULL && shown->len > 0);
}

static void start_count_task (CtSegmentsView *self,
                              char           *rule_json,
                              gboolean        members);

static void
show_count (CtSegmentsView *self,
            gint64          count)
{
  g_autofree char *count_text = NULL;
  g_autofree char *count_digits = NULL;

  gtk_widget_remove_css_class (GTK_WIDGET (self->count_label), "error");
  count_digits = ct_format_count ((guint64) MAX (count, 0));
  /* Translators: %s is a count grouped by thousands, "2,000" */
  count_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s member", "%s members",
                                             (gulong) MIN (count, G_MAXLONG)),
                                count_digits);
  gtk_label_set_text (self->count_label, count_text);
}

static void
on_count_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CtSegmentsView) self = user_data;
  CountJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *members_text = NULL;

  /* An answer for an edit that has been overtaken. */
  if (job->generation != self->generation)
    return;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      self->counting = FALSE;
      self->count = -1;
      g_clear_pointer (&self->member_ids, g_array_unref);
      gtk_label_set_text (self->count_label, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->count_label), "error");
      gtk_label_set_text (self->members_label, "");
      set_members_shown (self, NULL);
      gtk_widget_set_sensitive (self->export_button, FALSE);
      return;
    }

  /* The count first, then the members: the export waits for them. */
  if (!job->members)
    {
      show_count (self, job->count);
      gtk_widget_set_sensitive (self->export_button, FALSE);
      start_count_task (self, g_steal_pointer (&job->rule_json), TRUE);
      return;
    }

  self->counting = FALSE;
  self->count = job->count;
  g_clear_pointer (&self->member_ids, g_array_unref);
  self->member_ids = g_steal_pointer (&job->ids);
  /* The same as the count, unless the data changed in between. */
  show_count (self, job->count);
  if (job->count > SHOWN_MEMBERS)
    members_text = g_strdup_printf (_("The first %d members"), SHOWN_MEMBERS);
  else
    members_text = g_strdup (job->count > 0 ? _("Members") : "");
  gtk_label_set_text (self->members_label, members_text);
  set_members_shown (self, job->shown);
  gtk_widget_set_sensitive (self->export_button, job->count > 0);
}

static void
start_count_task (CtSegmentsView *self,
                  char           *rule_json,
                  gboolean        members)
{
  g_autoptr(GTask) task = NULL;
  CountJob *job = g_new0 (CountJob, 1);

  job->worker = g_atomic_rc_box_acquire (self->worker);
  job->db_path = g_strdup (ct_db_get_path (get_db (self)));
  job->rule_json = rule_json;
  job->members = members;
  job->generation = self->generation;

  task = g_task_new (NULL, NULL, on_count_done, g_object_ref (self));
  g_task_set_task_data (task, job, (GDestroyNotify) count_job_free);
  g_task_run_in_thread (task, count_thread);
}

static gboolean
on_count_timeout (gpointer user_data)
{
  CtSegmentsView *self = user_data;

  self->count_timeout = 0;
  /* The widgets set the values their pickers show: draw them first. */
  if (self->rebuild_idle != 0)
    {
      g_clear_handle_id (&self->rebuild_idle, g_source_remove);
      rebuild_builder (self);
    }
  start_count_task (self, json_to_string (self->rule, FALSE), FALSE);
  return G_SOURCE_REMOVE;
}

static void
schedule_count (CtSegmentsView *self)
{
  self->generation++;
  self->counting = TRUE;
  self->count = -1;
  g_clear_handle_id (&self->count_timeout, g_source_remove);
  self->count_timeout = g_timeout_add (COUNT_DELAY_MS, on_count_timeout, self);
  gtk_label_set_text (self->count_label, _("Counting…"));
  gtk_widget_remove_css_class (GTK_WIDGET (self->count_label), "error");
}

/* ------------------------------------------------------------------ */
/* The builder */

static JsonNode *
new_condition (const char *field)
{
  CtSegmentKind kind;
  JsonNode *value = json_node_new (JSON_NODE_VALUE);
  CtSegmentOp op = CT_SEGMENT_OP_EQ;

  ct_segment_field_get_kind (field, &kind);
  switch (kind)
    {
    case CT_SEGMENT_KIND_TAG:
    case CT_SEGMENT_KIND_PRODUCT:
      op = CT_SEGMENT_OP_HAS;
      json_node_set_string (value, "");
      break;
    case CT_SEGMENT_KIND_DATE:
      op = CT_SEGMENT_OP_WITHIN_DAYS;
      json_node_set_int (value, 30);
      break;
    case CT_SEGMENT_KIND_AMOUNT:
    case CT_SEGMENT_KIND_COUNT:
      op = CT_SEGMENT_OP_GE;
      json_node_set_int (value, 1);
      break;
    case CT_SEGMENT_KIND_NUMBER:
      op = CT_SEGMENT_OP_LT;
      json_node_set_double (value, 0.5);
      break;
    default:
      json_node_set_string (value, "");
      break;
    }
  return ct_segment_condition_node_new (field, op, value);
}

static JsonNode *
new_group (void)
{
  g_autoptr(JsonObject) object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (object, "match", "all");
  json_object_set_array_member (object, "conditions", json_array_new ());
  json_node_set_object (node, object);
  return node;
}

/* The first value a picker offers, or "" */
static JsonNode *
default_value (CtSegmentsView *self,
               const char     *field,
               CtSegmentOp     op)
{
  g_auto(GStrv) values = NULL;
  JsonNode *node;
  CtSegmentKind kind;

  if (op == CT_SEGMENT_OP_IS_SET || op == CT_SEGMENT_OP_IS_NOT_SET)
    return NULL;
  ct_segment_field_get_kind (field, &kind);
  node = json_node_new (JSON_NODE_VALUE);
  if (op == CT_SEGMENT_OP_WITHIN_DAYS || op == CT_SEGMENT_OP_NOT_WITHIN_DAYS)
    json_node_set_int (node, 30);
  else if (op == CT_SEGMENT_OP_BEFORE || op == CT_SEGMENT_OP_AFTER)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");

      json_node_set_string (node, today);
    }
  else if (op == CT_SEGMENT_OP_IN || op == CT_SEGMENT_OP_NOT_IN)
    {
      json_node_unref (node);
      node = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (node, json_array_new ());
    }
  else if (kind == CT_SEGMENT_KIND_AMOUNT || kind == CT_SEGMENT_KIND_COUNT)
    json_node_set_int (node, 1);
  else if (kind == CT_SEGMENT_KIND_NUMBER)
    json_node_set_double (node, 0.5);
  else
    {
      values = ct_segment_field_list_values (get_db (self), field, NULL);
      json_node_set_string (node, values != NULL && values[0] != NULL ? values[0] : "");
    }
  return node;
}

static gboolean
on_rebuild_idle (gpointer user_data)
{
  CtSegmentsView *self = user_data;

  self->rebuild_idle = 0;
  rebuild_builder (self);
  return G_SOURCE_REMOVE;
}

/* The widgets are drawn again from the tree once the signal that
 * changed it is over: the widget emitting it must not go away under its
 * own handlers. */
static void
on_structure_changed (CtSegmentsView *self)
{
  if (self->rebuild_idle == 0)
    self->rebuild_idle = g_idle_add_full (G_PRIORITY_HIGH_IDLE, on_rebuild_idle, self, NULL);
  schedule_count (self);
}

static CtSegmentsView *
view_of (GtkWidget *widget)
{
  return CT_SEGMENTS_VIEW (gtk_widget_get_ancestor (widget, CT_TYPE_SEGMENTS_VIEW));
}

static void
on_match_changed (GtkDropDown *drop_down,
                  GParamSpec  *pspec,
                  JsonObject  *group)
{
  json_object_set_string_member (group, "match",
                                 gtk_drop_down_get_selected (drop_down) == 1 ? "any" : "all");
  schedule_count (view_of (GTK_WIDGET (drop_down)));
}

static void
on_add_condition (GtkButton *button,
                  JsonArray *conditions)
{
  json_array_add_element (conditions, new_condition ("tag"));
  on_structure_changed (view_of (GTK_WIDGET (button)));
}

static void
on_add_group (GtkButton *button,
              JsonArray *conditions)
{
  JsonNode *group = new_group ();

  json_array_add_element (json_object_get_array_member (json_node_get_object (group), "conditions"),
                          new_condition ("tag"));
  json_array_add_element (conditions, group);
  on_structure_changed (view_of (GTK_WIDGET (button)));
}

static void
on_remove (GtkButton *button,
           JsonArray *parent)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "ct-index"));

  json_array_remove_element (parent, index);
  on_structure_changed (view_of (GTK_WIDGET (button)));
}

static void
on_field_changed (GtkDropDown *drop_down,
                  GParamSpec  *pspec,
                  JsonObject  *condition)
{
  CtSegmentsView *self = view_of (GTK_WIDGET (drop_down));
  const char * const *fields = g_object_get_data (G_OBJECT (drop_down), "ct-fields");
  guint selected = gtk_drop_down_get_selected (drop_down);
  g_autoptr(JsonNode) fresh = NULL;
  JsonObject *object;

  if (selected == GTK_INVALID_LIST_POSITION)
    return;
  fresh = new_condition (fields[selected]);
  object = json_node_get_object (fresh);
  json_object_set_string_member (condition, "field", json_object_get_string_member (object, "field"));
  json_object_set_string_member (condition, "op", json_object_get_string_member (object, "op"));
  if (json_object_has_member (condition, "value"))
    json_object_remove_member (condition, "value");
  {
    CtSegmentOp op;
    JsonNode *value;

    ct_segment_op_from_string (json_object_get_string_member (object, "op"), &op);
    value = default_value (self, fields[selected], op);
    if (value != NULL)
      json_object_set_member (condition, "value", value);
  }
  on_structure_changed (self);
}

static void
on_op_changed (GtkDropDown *drop_down,
               GParamSpec  *pspec,
               JsonObject  *condition)
{
  CtSegmentsView *self = view_of (GTK_WIDGET (drop_down));
  GArray *ops = g_object_get_data (G_OBJECT (drop_down), "ct-ops");
  guint selected = gtk_drop_down_get_selected (drop_down);
  CtSegmentOp op, old;
  JsonNode *value;

  if (selected == GTK_INVALID_LIST_POSITION)
    return;
  op = g_array_index (ops, CtSegmentOp, selected);
  ct_segment_op_from_string (json_object_get_string_member (condition, "op"), &old);
  if (op == old)
    return;
  json_object_set_string_member (condition, "op", ct_segment_op_to_string (op));

  /* Keep the value when it still fits (= to !=, has to has_not). */
  if ((old == CT_SEGMENT_OP_IN || old == CT_SEGMENT_OP_NOT_IN) == (op == CT_SEGMENT_OP_IN || op == CT_SEGMENT_OP_NOT_IN)
      && (old == CT_SEGMENT_OP_WITHIN_DAYS || old == CT_SEGMENT_OP_NOT_WITHIN_DAYS) == (op == CT_SEGMENT_OP_WITHIN_DAYS || op == CT_SEGMENT_OP_NOT_WITHIN_DAYS)
      && (old == CT_SEGMENT_OP_BEFORE || old == CT_SEGMENT_OP_AFTER) == (op == CT_SEGMENT_OP_BEFORE || op == CT_SEGMENT_OP_AFTER)
      && json_object_has_member (condition, "value")
      && op != CT_SEGMENT_OP_IS_SET && op != CT_SEGMENT_OP_IS_NOT_SET)
    {
      on_structure_changed (self);
      return;
    }
  if (json_object_has_member (condition, "value"))
    json_object_remove_member (condition, "value");
  value = default_value (self, json_object_get_string_member (condition, "field"), op);
  if (value != NULL)
    json_object_set_member (condition, "value", value);
  on_structure_changed (self);
}

/* What a person types, as the JSON the field takes: numbers for amounts
 * and counts, a list for in / not_in (comma-separated). Text that is not
 * a number stays text, and the count then says what is wrong. */
static JsonNode *
parse_typed (const char    *text,
             CtSegmentKind  kind,
             CtSegmentOp    op)
{
  JsonNode *node;

  if (op == CT_SEGMENT_OP_IN || op == CT_SEGMENT_OP_NOT_IN)
    {
      g_auto(GStrv) parts = g_strsplit (text, ",", -1);
      JsonArray *array = json_array_new ();

      for (guint i = 0; parts[i] != NULL; i++)
        {
          g_strstrip (parts[i]);
          if (parts[i][0] != '\0')
            json_array_add_element (array, parse_typed (parts[i], kind, CT_SEGMENT_OP_EQ));
        }
      node = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (node, array);
      return node;
    }

  node = json_node_new (JSON_NODE_VALUE);
  if (kind == CT_SEGMENT_KIND_AMOUNT || kind == CT_SEGMENT_KIND_COUNT || kind == CT_SEGMENT_KIND_NUMBER
      || op == CT_SEGMENT_OP_WITHIN_DAYS || op == CT_SEGMENT_OP_NOT_WITHIN_DAYS)
    {
      g_autofree char *clean = g_strstrip (g_strdup (text));
      gint64 whole;
      char *end = NULL;
      double d;

      if (g_ascii_string_to_signed (clean, 10, G_MININT64, G_MAXINT64, &whole, NULL))
        {
          json_node_set_int (node, whole);
          return node;
        }
      d = g_ascii_strtod (clean, &end);
      if (clean[0] != '\0' && end != NULL && *end == '\0')
        {
          json_node_set_double (node, d);
          return node;
        }
    }
  json_node_set_string (node, text);
  return node;
}

static char *
value_text (JsonNode *value)
{
  if (value == NULL)
    return g_strdup ("");
  if (JSON_NODE_HOLDS_ARRAY (value))
    {
      JsonArray *array = json_node_get_array (value);
      GString *out = g_string_new (NULL);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *one = value_text (json_array_get_element (array, i));
          g_string_append_printf (out, "%s%s", i > 0 ? ", " : "", one);
        }
      return g_string_free (out, FALSE);
    }
  if (JSON_NODE_HOLDS_VALUE (value))
    switch (json_node_get_value_type (value))
      {
      case G_TYPE_STRING:
        return g_strdup (json_node_get_string (value));
      case G_TYPE_INT64:
        return g_strdup_printf ("%lld", (long long) json_node_get_int (value));
      case G_TYPE_DOUBLE:
        {
          char buffer[G_ASCII_DTOSTR_BUF_SIZE];
          return g_strdup (g_ascii_dtostr (buffer, sizeof buffer, json_node_get_double (value)));
        }
      default:
        break;
      }
  return g_strdup ("");
}

static void
on_value_typed (GtkEditable *editable,
                JsonObject  *condition)
{
  CtSegmentKind kind;
  CtSegmentOp op;

  ct_segment_field_get_kind (json_object_get_string_member (condition, "field"), &kind);
  ct_segment_op_from_string (json_object_get_string_member (condition, "op"), &op);
  json_object_set_member (condition, "value", parse_typed (gtk_editable_get_text (editable), kind, op));
  schedule_count (view_of (GTK_WIDGET (editable)));
}

static void
on_value_picked (GtkDropDown *drop_down,
                 GParamSpec  *pspec,
                 JsonObject  *condition)
{
  GtkStringObject *item = gtk_drop_down_get_selected_item (drop_down);

  if (item == NULL)
    return;
  json_object_set_string_member (condition, "value", gtk_string_object_get_string (item));
  schedule_count (view_of (GTK_WIDGET (drop_down)));
}

/* Readable words for a choice's stored id ("at_risk" shows as its
 * label); other values as they are. */
static const char *
choice_label (const char *field,
              const char *value)
{
  CtRfmSegment segment;
  CtLifecycleStage stage;

  if (g_str_equal (field, "rfm_segment") && ct_rfm_segment_from_id (value, &segment))
    return ct_rfm_segment_get_label (segment);
  if (g_str_equal (field, "lifecycle") && ct_lifecycle_stage_from_id (value, &stage))
    return ct_lifecycle_stage_get_label (stage);
  if (g_str_equal (field, "status"))
    {
      if (g_str_equal (value, "subscribed"))
        return C_("subscription status", "Subscribed");
      if (g_str_equal (value, "unsubscribed"))
        return C_("subscription status", "Unsubscribed");
      if (g_str_equal (value, "bounced"))
        return C_("subscription status", "Bounced");
      if (g_str_equal (value, "complained"))
        return C_("subscription status", "Complained");
    }
  return value;
}

static char *
on_picker_label (GtkStringObject *item,
                 const char      *field)
{
  return g_strdup (choice_label (field, gtk_string_object_get_string (item)));
}

static GtkWidget *
value_widget (CtSegmentsView *self,
              JsonObject     *condition)
{
  const char *field = json_object_get_string_member (condition, "field");
  JsonNode *value = json_object_get_member (condition, "value");
  g_auto(GStrv) values = NULL;
  g_autofree char *text = NULL;
  CtSegmentKind kind;
  CtSegmentOp op;
  GtkWidget *entry;

  ct_segment_field_get_kind (field, &kind);
  ct_segment_op_from_string (json_object_get_string_member (condition, "op"), &op);
  if (op == CT_SEGMENT_OP_IS_SET || op == CT_SEGMENT_OP_IS_NOT_SET)
    return NULL;

  /* A picker of the values that exist, for one value of a field that
   * has a known set. */
  if (op != CT_SEGMENT_OP_IN && op != CT_SEGMENT_OP_NOT_IN
      && op != CT_SEGMENT_OP_CONTAINS && op != CT_SEGMENT_OP_STARTS_WITH
      && (kind == CT_SEGMENT_KIND_TAG || kind == CT_SEGMENT_KIND_PRODUCT
          || kind == CT_SEGMENT_KIND_CHANNEL || kind == CT_SEGMENT_KIND_CHOICE
          || kind == CT_SEGMENT_KIND_SEGMENT))
    values = ct_segment_field_list_values (get_db (self), field, NULL);

  if (values != NULL && values[0] != NULL)
    {
      GtkStringList *list = gtk_string_list_new ((const char * const *) values);
      GtkExpression *expression;
      GtkWidget *drop_down;
      const char *current = value != NULL && JSON_NODE_HOLDS_VALUE (value)
                            && json_node_get_value_type (value) == G_TYPE_STRING
                            ? json_node_get_string (value) : NULL;
      guint position = 0;

      expression = gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                                G_CALLBACK (on_picker_label),
                                                (gpointer) g_intern_string (field), NULL);
      drop_down = gtk_drop_down_new (G_LIST_MODEL (list), expression);
      gtk_drop_down_set_enable_search (GTK_DROP_DOWN (drop_down), TRUE);
      for (guint i = 0; values[i] != NULL; i++)
        if (g_strcmp0 (values[i], current) == 0)
          position = i;
      /* A tier can also be written as its level, or its name in any
       * case (a rule from a file): the picker lists the tiers from
       * level 0 up, so it shows the tier the rule means rather than
       * putting the first one in its place. */
      if (g_str_equal (field, "tier") && value != NULL && JSON_NODE_HOLDS_VALUE (value))
        {
          if (json_node_get_value_type (value) == G_TYPE_INT64)
            {
              gint64 level = json_node_get_int (value);

              if (level >= 0 && level < (gint64) g_strv_length (values))
                position = (guint) level;
            }
          else if (current != NULL && g_strcmp0 (values[position], current) != 0)
            {
              g_autofree char *wanted = g_utf8_casefold (current, -1);

              for (guint i = 0; values[i] != NULL; i++)
                {
                  g_autofree char *name = g_utf8_casefold (values[i], -1);

                  if (g_str_equal (name, wanted))
                    position = i;
                }
            }
        }
      gtk_drop_down_set_selected (GTK_DROP_DOWN (drop_down), position);
      /* The tree holds what the picker shows. */
      json_object_set_string_member (condition, "value", values[position]);
      g_signal_connect (drop_down, "notify::selected", G_CALLBACK (on_value_picked), condition);
      gtk_widget_set_hexpand (drop_down, TRUE);
      gtk_widget_set_name (drop_down, "value-picker");
      return drop_down;
    }

  entry = gtk_entry_new ();
  text = value_text (value);
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  gtk_widget_set_hexpand (entry, TRUE);
  gtk_widget_set_name (entry, "value-entry");
  if (op == CT_SEGMENT_OP_IN || op == CT_SEGMENT_OP_NOT_IN)
    gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Values, separated by commas"));
  else if (op == CT_SEGMENT_OP_WITHIN_DAYS || op == CT_SEGMENT_OP_NOT_WITHIN_DAYS)
    gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Days"));
  else if (op == CT_SEGMENT_OP_BEFORE || op == CT_SEGMENT_OP_AFTER)
    gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("YYYY-MM-DD"));
  g_signal_connect (entry, "changed", G_CALLBACK (on_value_typed), condition);
  return entry;
}

static GtkWidget *
condition_widget (CtSegmentsView *self,
                  JsonObject     *condition,
                  JsonArray      *parent,
                  guint           index)
{
  const char * const *all_fields = ct_segment_get_fields ();
  const char *field = json_object_get_string_member (condition, "field");
  g_autoptr(GStrvBuilder) labels = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) op_labels = g_strv_builder_new ();
  g_auto(GStrv) label_list = NULL;
  g_auto(GStrv) op_label_list = NULL;
  GPtrArray *fields = g_ptr_array_new ();
  GArray *ops = g_array_new (FALSE, FALSE, sizeof (CtSegmentOp));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *field_down, *op_down, *value, *remove;
  guint field_position = 0, op_position = 0;
  CtSegmentOp current_op = CT_SEGMENT_OP_EQ;

  /* Fields this database keeps; tier and points once loyalty exists. */
  for (guint i = 0; all_fields[i] != NULL; i++)
    if (ct_segment_field_is_available (get_db (self), all_fields[i]))
      {
        if (g_str_equal (all_fields[i], field))
          field_position = fields->len;
        g_ptr_array_add (fields, (gpointer) all_fields[i]);
        g_strv_builder_add (labels, ct_segment_field_get_label (all_fields[i]));
      }
  g_ptr_array_add (fields, NULL);
  label_list = g_strv_builder_end (labels);

  ct_segment_op_from_string (json_object_get_string_member (condition, "op"), &current_op);
  for (guint op = 0; op < CT_SEGMENT_N_OPS; op++)
    if (ct_segment_field_has_op (field, op))
      {
        if (op == current_op)
          op_position = ops->len;
        g_array_append_val (ops, op);
        g_strv_builder_add (op_labels, ct_segment_op_get_label (op));
      }
  op_label_list = g_strv_builder_end (op_labels);

  field_down = gtk_drop_down_new_from_strings ((const char * const *) label_list);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (field_down), field_position);
  g_object_set_data_full (G_OBJECT (field_down), "ct-fields",
                          g_ptr_array_free (fields, FALSE), g_free);
  g_signal_connect (field_down, "notify::selected", G_CALLBACK (on_field_changed), condition);
  gtk_widget_set_name (field_down, "field-picker");
  gtk_box_append (GTK_BOX (box), field_down);

  op_down = gtk_drop_down_new_from_strings ((const char * const *) op_label_list);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (op_down), op_position);
  g_object_set_data_full (G_OBJECT (op_down), "ct-ops", ops, (GDestroyNotify) g_array_unref);
  g_signal_connect (op_down, "notify::selected", G_CALLBACK (on_op_changed), condition);
  gtk_widget_set_name (op_down, "op-picker");
  gtk_box_append (GTK_BOX (box), op_down);

  value = value_widget (self, condition);
  if (value != NULL)
    gtk_box_append (GTK_BOX (box), value);
  else
    gtk_widget_set_hexpand (op_down, TRUE);

  remove = gtk_button_new_from_icon_name ("list-remove-symbolic");
  gtk_widget_set_tooltip_text (remove, _("Remove this condition"));
  gtk_widget_add_css_class (remove, "flat");
  g_object_set_data (G_OBJECT (remove), "ct-index", GUINT_TO_POINTER (index));
  g_signal_connect (remove, "clicked", G_CALLBACK (on_remove), parent);
  gtk_box_append (GTK_BOX (box), remove);
  return box;
}

static GtkWidget *
group_widget (CtSegmentsView *self,
              JsonObject     *group,
              JsonArray      *parent,
              guint           index)
{
  static const char *match_labels[3] = { NULL, NULL, NULL };
  JsonArray *conditions = json_object_get_array_member (group, "conditions");
  GtkWidget *frame = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *footer = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *match, *button;

  gtk_widget_add_css_class (frame, "card");
  gtk_widget_set_margin_start (frame, parent != NULL ? 18 : 0);
  g_object_set (frame, "margin-top", 6, "margin-bottom", 6, NULL);
  gtk_widget_set_name (frame, "segment-group");

  match_labels[0] = _("Contacts who match all of these");
  match_labels[1] = _("Contacts who match any of these");
  match = gtk_drop_down_new_from_strings (match_labels);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (match),
                              g_strcmp0 (json_object_get_string_member (group, "match"), "any") == 0);
  g_signal_connect (match, "notify::selected", G_CALLBACK (on_match_changed), group);
  gtk_widget_set_hexpand (match, FALSE);
  g_object_set (header, "margin-start", 12, "margin-end", 12, "margin-top", 12, NULL);
  gtk_box_append (GTK_BOX (header), match);
  if (parent != NULL)
    {
      GtkWidget *spacer = gtk_label_new (NULL);

      gtk_widget_set_hexpand (spacer, TRUE);
      gtk_box_append (GTK_BOX (header), spacer);
      button = gtk_button_new_from_icon_name ("user-trash-symbolic");
      gtk_widget_set_tooltip_text (button, _("Remove this group"));
      gtk_widget_add_css_class (button, "flat");
      g_object_set_data (G_OBJECT (button), "ct-index", GUINT_TO_POINTER (index));
      g_signal_connect (button, "clicked", G_CALLBACK (on_remove), parent);
      gtk_box_append (GTK_BOX (header), button);
    }
  gtk_box_append (GTK_BOX (frame), header);

  for (guint i = 0; i < json_array_get_length (conditions); i++)
    {
      JsonObject *child = json_array_get_object_element (conditions, i);
      GtkWidget *widget;

      if (child == NULL)
        continue;
      widget = json_object_has_member (child, "match")
               ? group_widget (self, child, conditions, i)
               : condition_widget (self, child, conditions, i);
      g_object_set (widget, "margin-start", json_object_has_member (child, "match") ? 12 : 12,
                    "margin-end", 12, NULL);
      gtk_box_append (GTK_BOX (frame), widget);
    }

  g_object_set (footer, "margin-start", 12, "margin-end", 12, "margin-bottom", 12, NULL);
  button = gtk_button_new_with_mnemonic (_("Add _condition"));
  gtk_widget_set_name (button, "add-condition");
  g_signal_connect (button, "clicked", G_CALLBACK (on_add_condition), conditions);
  gtk_box_append (GTK_BOX (footer), button);
  button = gtk_button_new_with_mnemonic (_("Add _group"));
  gtk_widget_set_name (button, "add-group");
  g_signal_connect (button, "clicked", G_CALLBACK (on_add_group), conditions);
  gtk_box_append (GTK_BOX (footer), button);
  gtk_box_append (GTK_BOX (frame), footer);
  return frame;
}

static void
rebuild_builder (CtSegmentsView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->builder_box))) != NULL)
    gtk_box_remove (self->builder_box, child);
  gtk_box_append (self->builder_box, group_widget (self, json_node_get_object (self->rule), NULL, 0));
}

static void
update_title (CtSegmentsView *self)
{
  gtk_label_set_text (self->title_label,
                      self->segment_name != NULL ? self->segment_name : _("New segment"));
  gtk_widget_set_sensitive (self->duplicate_button, self->segment_id != 0);
  gtk_widget_set_sensitive (self->rename_button, self->segment_id != 0);
  gtk_widget_set_sensitive (self->delete_button, self->segment_id != 0);
  /* A campaign's audience is a saved segment, taken as saved. */
  gtk_widget_set_sensitive (self->campaign_button, self->segment_id != 0);
}

static void
load_rule (CtSegmentsView *self,
           JsonNode       *rule,
           gint64          id,
           const char     *name)
{
  g_clear_pointer (&self->rule, json_node_unref);
  self->rule = rule;
  self->segment_id = id;
  g_free (self->segment_name);
  self->segment_name = g_strdup (name);
  update_title (self);
  g_clear_handle_id (&self->rebuild_idle, g_source_remove);
  rebuild_builder (self);
  schedule_count (self);
}

gboolean
ct_segments_view_set_rule (CtSegmentsView *self,
                           const char     *rule_json)
{
  g_autoptr(CtSegmentRule) rule = NULL;

  g_return_val_if_fail (CT_IS_SEGMENTS_VIEW (self), FALSE);

  rule = ct_segment_rule_parse (rule_json, NULL);
  if (rule == NULL)
    return FALSE;
  load_rule (self, ct_segment_rule_to_node (rule), 0, NULL);
  return TRUE;
}

char *
ct_segments_view_get_rule (CtSegmentsView *self)
{
  g_return_val_if_fail (CT_IS_SEGMENTS_VIEW (self), NULL);
  return json_to_string (self->rule, FALSE);
}

gboolean
ct_segments_view_open_segment (CtSegmentsView *self,
                               gint64          id)
{
  g_autoptr(CtSegment) segment = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (CT_IS_SEGMENTS_VIEW (self), FALSE);

  segment = ct_segment_lookup (get_db (self), id, &error);
  if (segment == NULL)
    {
      show_error (self, error);
      return FALSE;
    }
  /* A rule this version cannot read is shown as stored, and the count
   * says what is wrong with it. */
  node = json_from_string (segment->rule_json, NULL);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_clear_pointer (&node, json_node_unref);
      node = new_group ();
    }
  load_rule (self, g_steal_pointer (&node), segment->id, segment->name);
  return TRUE;
}

gint64
ct_segments_view_get_count (CtSegmentsView *self)
{
  g_return_val_if_fail (CT_IS_SEGMENTS_VIEW (self), -1);
  return self->counting ? -1 : self->count;
}

gboolean
ct_segments_view_is_counting (CtSegmentsView *self)
{
  g_return_val_if_fail (CT_IS_SEGMENTS_VIEW (self), FALSE);
  return self->counting;
}

/* ------------------------------------------------------------------ */
/* The lists, with their counts worked out in one task */

typedef struct
{
  Worker    *worker;
  char      *db_path;
  GPtrArray *rules;    /* JSON */
  GArray    *counts;   /* gint64, -1 for a rule that cannot run */
} ListJob;

static void
list_job_free (ListJob *job)
{
  worker_unref (job->worker);
  g_free (job->db_path);
  g_ptr_array_unref (job->rules);
  g_clear_pointer (&job->counts, g_array_unref);
  g_free (job);
}

static void
list_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ListJob *job = task_data;
  g_autoptr(GError) error = NULL;

  job->counts = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < job->rules->len; i++)
    {
      g_autoptr(CtSegmentRule) rule = ct_segment_rule_parse (g_ptr_array_index (job->rules, i), NULL);
      gint64 count = -1;
      CtDb *db;

      if (g_cancellable_set_error_if_cancelled (cancellable, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      /* The connection a count at a time: the builder's count, waiting
       * for it, comes in between. */
      db = worker_lock_db (job->worker, job->db_path, &error);
      if (db == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      if (rule == NULL || !ct_segment_count (db, rule, 0, &count, NULL))
        count = -1;
      worker_unlock (job->worker);
      g_array_append_val (job->counts, count);
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_list_counts (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  ListJob *job = g_task_get_task_data (G_TASK (result));
  GPtrArray *labels = user_data;

  if (g_task_propagate_boolean (G_TASK (result), NULL))
    for (guint i = 0; i < labels->len && i < job->counts->len; i++)
      {
        gint64 n = g_array_index (job->counts, gint64, i);
        g_autofree char *text = n >= 0 ? g_strdup_printf ("%lld", (long long) n) : g_strdup ("—");

        gtk_label_set_text (g_ptr_array_index (labels, i), text);
      }
  g_ptr_array_unref (labels);
}

static GtkWidget *
list_row (const char *name,
          const char *subtitle,
          GtkWidget **count_label)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label = gtk_label_new ("…");

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_add_css_class (label, "numeric");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  *count_label = label;
  return row;
}

static void
reload_lists (CtSegmentsView *self)
{
  g_autoptr(GPtrArray) saved = NULL;
  g_autoptr(GPtrArray) ready = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  GPtrArray *labels = g_ptr_array_new_with_free_func (g_object_unref);
  ListJob *job = g_new0 (ListJob, 1);

  job->worker = g_atomic_rc_box_acquire (self->worker);
  job->db_path = g_strdup (ct_db_get_path (get_db (self)));
  job->rules = g_ptr_array_new_with_free_func (g_free);

  ct_list_box_remove_rows (self->saved_list);
  ct_list_box_remove_rows (self->ready_list);

  saved = ct_segment_list (get_db (self), &error);
  if (saved == NULL)
    show_error (self, error);
  for (guint i = 0; saved != NULL && i < saved->len; i++)
    {
      CtSegment *segment = g_ptr_array_index (saved, i);
      GtkWidget *label;
      GtkWidget *row = list_row (segment->name, NULL, &label);

      g_object_set_data_full (G_OBJECT (row), "ct-segment-id", g_memdup2 (&segment->id, sizeof (gint64)), g_free);
      gtk_list_box_append (self->saved_list, row);
      g_ptr_array_add (labels, g_object_ref (label));
      g_ptr_array_add (job->rules, g_strdup (segment->rule_json));
    }
  gtk_widget_set_visible (GTK_WIDGET (self->saved_list), saved != NULL && saved->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->no_saved_label), saved == NULL || saved->len == 0);

  g_clear_error (&error);
  ready = ct_segment_get_ready_made (get_db (self), &error);
  if (ready == NULL)
    show_error (self, error);
  for (guint i = 0; ready != NULL && i < ready->len; i++)
    {
      CtSegmentReadyMade *r = g_ptr_array_index (ready, i);
      GtkWidget *label;
      GtkWidget *row = list_row (r->name, r->description, &label);

      g_object_set_data_full (G_OBJECT (row), "ct-rule", ct_segment_rule_to_string (r->rule), g_free);
      g_object_set_data_full (G_OBJECT (row), "ct-name", g_strdup (r->name), g_free);
      gtk_list_box_append (self->ready_list, row);
      g_ptr_array_add (labels, g_object_ref (label));
      g_ptr_array_add (job->rules, ct_segment_rule_to_string (r->rule));
    }

  g_cancellable_cancel (self->list_cancellable);
  g_clear_object (&self->list_cancellable);
  self->list_cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->list_cancellable, on_list_counts, labels);
  g_task_set_task_data (task, job, (GDestroyNotify) list_job_free);
  g_task_run_in_thread (task, list_thread);
}

static void
on_row_activated (CtSegmentsView *self,
                  GtkListBoxRow  *row,
                  GtkListBox     *list)
{
  gint64 *id = g_object_get_data (G_OBJECT (row), "ct-segment-id");

  if (id != NULL)
    {
      gtk_list_box_unselect_all (self->ready_list);
      ct_segments_view_open_segment (self, *id);
    }
  else
    {
      g_autoptr(JsonNode) node = json_from_string (g_object_get_data (G_OBJECT (row), "ct-rule"), NULL);

      gtk_list_box_unselect_all (self->saved_list);
      /* A ready-made segment opens as a new one named after it: saving
       * keeps a copy to change. */
      load_rule (self, g_steal_pointer (&node), 0, g_object_get_data (G_OBJECT (row), "ct-name"));
    }
}

static void
on_new_clicked (CtSegmentsView *self)
{
  gtk_list_box_unselect_all (self->saved_list);
  gtk_list_box_unselect_all (self->ready_list);
  load_rule (self, new_group (), 0, NULL);
}

/* ------------------------------------------------------------------ */
/* Save, rename, duplicate, delete, export */

typedef void (*NameCallback) (CtSegmentsView *self,
                              const char     *name);

static void
on_name_response (AdwMessageDialog *dialog,
                  const char       *response,
                  CtSegmentsView   *self)
{
  NameCallback callback = g_object_get_data (G_OBJECT (dialog), "ct-callback");
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "ct-entry");

  if (g_strcmp0 (response, "ok") == 0)
    callback (self, gtk_editable_get_text (entry));
}

static void
on_name_activate (GtkEntry         *entry,
                  AdwMessageDialog *dialog)
{
  adw_message_dialog_response (dialog, "ok");
  gtk_window_close (GTK_WINDOW (dialog));
}

static void
ask_name (CtSegmentsView *self,
          const char     *heading,
          const char     *button,
          const char     *initial,
          NameCallback    callback)
{
  GtkWidget *dialog;
  GtkWidget *entry = gtk_entry_new ();

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), heading, NULL);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"), "ok", button, NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "ok", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "ok");
  gtk_editable_set_text (GTK_EDITABLE (entry), initial != NULL ? initial : "");
  gtk_widget_set_name (entry, "name-entry");
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  g_object_set_data (G_OBJECT (dialog), "ct-callback", callback);
  g_object_set_data (G_OBJECT (dialog), "ct-entry", entry);
  g_signal_connect (entry, "activate", G_CALLBACK (on_name_activate), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_name_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static CtSegmentRule *
current_rule (CtSegmentsView  *self,
              GError         **error)
{
  return ct_segment_rule_new_from_node (self->rule, error);
}

static void
save_as (CtSegmentsView *self,
         const char     *name)
{
  g_autoptr(CtSegmentRule) rule = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  rule = current_rule (self, &error);
  if (rule == NULL)
    {
      show_error (self, error);
      return;
    }
  id = ct_segment_save (get_db (self), name, rule, &error);
  if (id == 0)
    {
      show_error (self, error);
      return;
    }
  self->segment_id = id;
  g_free (self->segment_name);
  self->segment_name = g_strstrip (g_strdup (name));
  update_title (self);
}

static void
on_save_clicked (CtSegmentsView *self)
{
  g_autoptr(CtSegmentRule) rule = NULL;
  g_autoptr(GError) error = NULL;

  if (self->segment_id == 0)
    {
      ask_name (self, _("Save Segment"), _("_Save"), self->segment_name, save_as);
      return;
    }
  rule = current_rule (self, &error);
  if (rule == NULL || !ct_segment_update_rule (get_db (self), self->segment_id, rule, &error))
    show_error (self, error);
  else
    ct_export_ui_add_toast (GTK_WIDGET (self), adw_toast_new (_("Segment saved")));
}

static void
rename_to (CtSegmentsView *self,
           const char     *name)
{
  g_autoptr(GError) error = NULL;

  if (!ct_segment_rename (get_db (self), self->segment_id, name, &error))
    {
      show_error (self, error);
      return;
    }
  g_free (self->segment_name);
  self->segment_name = g_strstrip (g_strdup (name));
  update_title (self);
}

static void
on_rename_clicked (CtSegmentsView *self)
{
  if (self->segment_id != 0)
    ask_name (self, _("Rename Segment"), _("_Rename"), self->segment_name, rename_to);
}

static void
on_duplicate_clicked (CtSegmentsView *self)
{
  g_autoptr(GError) error = NULL;
  gint64 id;

  if (self->segment_id == 0)
    return;
  id = ct_segment_duplicate (get_db (self), self->segment_id, &error);
  if (id == 0)
    show_error (self, error);
  else
    ct_segments_view_open_segment (self, id);
}

static void
on_undo_delete (AdwToast       *toast,
                CtSegmentsView *self)
{
  g_autoptr(GError) error = NULL;

  if (self->deleted == NULL)
    return;
  if (!ct_segment_restore (get_db (self), self->deleted, &error))
    show_error (self, error);
  else
    ct_segments_view_open_segment (self, self->deleted->id);
  g_clear_pointer (&self->deleted, ct_segment_free);
}

static void
on_delete_clicked (CtSegmentsView *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  CtSegment *deleted;
  AdwToast *toast;

  if (self->segment_id == 0)
    return;
  deleted = ct_segment_delete (get_db (self), self->segment_id, &error);
  if (deleted == NULL)
    {
      show_error (self, error);
      return;
    }
  g_clear_pointer (&self->deleted, ct_segment_free);
  self->deleted = deleted;

  /* Translators: a toast after deleting the segment "%s" */
  title = g_strdup_printf (_("Deleted “%s”"), deleted->name);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_undo_delete), self, 0);
  ct_export_ui_add_toast (GTK_WIDGET (self), toast);

  /* What was deleted stays in the builder, unsaved, until Undo or a
   * new choice. */
  self->segment_id = 0;
  update_title (self);
}

static void
on_export_clicked (CtSegmentsView *self)
{
  if (self->member_ids == NULL || self->member_ids->len == 0)
    return;
  ct_export_ui_choose_file (GTK_WIDGET (self), get_db (self), CT_EXPORT_CONTACTS,
                            CT_EXPORT_FORMAT_CSV, self->member_ids);
}

static void
on_db_changed (CtSegmentsView *self,
               const char     *table)
{
  /* Members and counts follow the data; the list its rows. */
  reload_lists (self);
  if (g_strcmp0 (table, "segments") != 0)
    schedule_count (self);
}

/* ------------------------------------------------------------------ */

static void
ct_segments_view_constructed (GObject *object)
{
  CtSegmentsView *self = CT_SEGMENTS_VIEW (object);

  G_OBJECT_CLASS (ct_segments_view_parent_class)->constructed (object);

  g_assert (CT_IS_CONTEXT (self->context));
  g_signal_connect_object (get_db (self), "changed", G_CALLBACK (on_db_changed), self,
                           G_CONNECT_SWAPPED);
  reload_lists (self);
  load_rule (self, new_group (), 0, NULL);
}

static void
ct_segments_view_dispose (GObject *object)
{
  CtSegmentsView *self = CT_SEGMENTS_VIEW (object);

  /* A count still running answers a view that is gone: drop it. */
  self->generation++;
  g_clear_handle_id (&self->count_timeout, g_source_remove);
  g_clear_handle_id (&self->rebuild_idle, g_source_remove);
  g_cancellable_cancel (self->list_cancellable);
  g_clear_object (&self->list_cancellable);
  g_clear_object (&self->context);
  gtk_widget_dispose_template (GTK_WIDGET (object), CT_TYPE_SEGMENTS_VIEW);

  G_OBJECT_CLASS (ct_segments_view_parent_class)->dispose (object);
}

static void
ct_segments_view_finalize (GObject *object)
{
  CtSegmentsView *self = CT_SEGMENTS_VIEW (object);

  g_clear_pointer (&self->rule, json_node_unref);
  g_free (self->segment_name);
  g_clear_pointer (&self->deleted, ct_segment_free);
  g_clear_pointer (&self->member_ids, g_array_unref);
  g_clear_pointer (&self->worker, worker_unref);

  G_OBJECT_CLASS (ct_segments_view_parent_class)->finalize (object);
}

static void
on_campaign_clicked (CtSegmentsView *self)
{
  if (self->segment_id != 0)
    g_signal_emit (self, signals[SIGNAL_SEND_CAMPAIGN], 0, self->segment_id);
}

gint64
ct_segments_view_get_segment_id (CtSegmentsView *self)
{
  g_return_val_if_fail (CT_IS_SEGMENTS_VIEW (self), 0);
  return self->segment_id;
}

static void
ct_segments_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CtSegmentsView *self = CT_SEGMENTS_VIEW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_segments_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CtSegmentsView *self = CT_SEGMENTS_VIEW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_segments_view_class_init (CtSegmentsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ct_segments_view_constructed;
  object_class->dispose = ct_segments_view_dispose;
  object_class->finalize = ct_segments_view_finalize;
  object_class->get_property = ct_segments_view_get_property;
  object_class->set_property = ct_segments_view_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL, CT_TYPE_CONTEXT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_SEND_CAMPAIGN] =
    g_signal_new ("send-campaign", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/clientele/Clientele/ct-segments-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CtSegmentsView, saved_list);
  gtk_widget_class_bind_template_child (widget_class, CtSegmentsView, ready_list);
  gtk_widget_class_bind_template_child (widget_class, CtSegmentsView, no_saved_label);
  gtk_widget_class_bind_template_child (widget_class, CtSegmentsView, title_label);
  gtk_widget_class_bind_template_child (widget_class, CtSegmentsView, count_label);
  gtk_widget_class_bind_template_child (widget_class, CtSegmentsView, builder_box);
  gtk_widget_class_bind_template_child (widget_class, CtSegmentsView, members_label);
  gtk_widget_class_bind_template_child (widget_class, CtSegmentsView, member_list);
  gtk_widget_class_bind_template_child (widget_class, CtSegmentsView, save_button);
  gtk_widget_class_bind_template_child (widget_class, CtSegmentsView, duplicate_button);
  gtk_widget_class_bind_template_child (widget_class, CtSegmentsView, rename_button);
  gtk_widget_class_bind_template_child (widget_class, CtSegmentsView, delete_button);
  gtk_widget_class_bind_template_child (widget_class, CtSegmentsView, export_button);
  gtk_widget_class_bind_template_child (widget_class, CtSegmentsView, campaign_button);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_new_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_save_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_duplicate_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_rename_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_delete_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_export_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_campaign_clicked);
}

static void
ct_segments_view_init (CtSegmentsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->count = -1;
  self->worker = worker_new ();
}

GtkWidget *
ct_segments_view_new (CtContext *context)
{
  g_return_val_if_fail (CT_IS_CONTEXT (context), NULL);
  return g_object_new (CT_TYPE_SEGMENTS_VIEW, "context", context, NULL);
}
