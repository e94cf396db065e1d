/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-paged-list.c: a GListModel over an SQL query that loads rows in pages
 *
 * Only the ids (8 bytes a row) are held for the whole result; items are
 * built a page at a time by id and kept in a cache bounded by
 * MAX_CACHED_PAGES pages' worth of rows, evicted least recently used. The
 * cache is keyed by id rather than by position so that it survives a
 * refresh that shifts positions: rows a view has already seen are then
 * reloaded and compared by a digest of their columns, and only those that
 * really changed are reported.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-paged-list.h"

/* 50 pages of 100 rows is more than any window shows, and small enough to
 * reload in a few milliseconds on refresh. */
#define MAX_CACHED_PAGES 50
#define MAX_CACHED_ITEMS (MAX_CACHED_PAGES * CT_PAGED_LIST_PAGE_SIZE)
/* Ids per reload query on refresh. */
#define RELOAD_CHUNK 1000

typedef struct
{
  gint64   id;
  GObject *item;
  guint64  digest;
  GList    link;      /* in CtPagedList.lru, data points back here */
  guint    seen : 1;  /* still in the id list, during a refresh */
  guint    changed : 1;
} Entry;

struct _CtPagedList
{
  GObject             parent_instance;

  CtDb               *db;
  GType               item_type;
  char               *row_sql;
  CtPagedListRowFunc  row_func;
  sqlite3_stmt       *row_stmt;

  char               *ids_sql;
  GVariant           *params;
  GArray             *ids;

  GHashTable         *entries;    /* &Entry.id -> Entry, owns the entries */
  GQueue              lru;        /* most recently used first */

  GArray             *handlers;   /* gulong, on db */
  guint               refresh_idle_id;
};

static void ct_paged_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CtPagedList, ct_paged_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      ct_paged_list_model_init))

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  g_clear_object (&entry->item);
  g_free (entry);
}

static void
drop_entry (CtPagedList *self,
            Entry       *entry)
{
  g_queue_unlink (&self->lru, &entry->link);
  g_hash_table_remove (self->entries, &entry->id);
}

static void
clear_cache (CtPagedList *self)
{
  /* The queue links live inside the entries, so forget them first. */
  g_queue_init (&self->lru);
  g_hash_table_remove_all (self->entries);
}

static void
touch_entry (CtPagedList *self,
             Entry       *entry)
{
  if (self->lru.head == &entry->link)
    return;
  g_queue_unlink (&self->lru, &entry->link);
  g_queue_push_head_link (&self->lru, &entry->link);
}

static void
evict (CtPagedList *self)
{
  while (self->lru.length > MAX_CACHED_ITEMS)
    drop_entry (self, self->lru.tail->data);
}

/* FNV-1a over the types and values of every column of the current row:
 * enough to tell whether a row changed without knowing what it holds. */
static guint64
digest_bytes (guint64       hash,
              const guint8 *bytes,
              gsize         len)
{
  for (gsize i = 0; i < len; i++)
    {
      hash ^= bytes[i];
      hash *= G_GUINT64_CONSTANT (0x100000001b3);
    }
  return hash;
}

static guint64
digest_row (sqlite3_stmt *stmt)
{
  guint64 hash = G_GUINT64_CONSTANT (0xcbf29ce484222325);
  int n_columns = sqlite3_column_count (stmt);

  for (int i = 0; i < n_columns; i++)
    {
      /* Read the type before anything converts the value. */
      guint8 type = (guint8) sqlite3_column_type (stmt, i);

      hash = digest_bytes (hash, &type, 1);
      switch (type)
        {
        case SQLITE_INTEGER:
          {
            gint64 v = sqlite3_column_int64 (stmt, i);
            hash = digest_bytes (hash, (const guint8 *) &v, sizeof v);
          }
          break;
        case SQLITE_FLOAT:
          {
            double v = sqlite3_column_double (stmt, i);
            hash = digest_bytes (hash, (const guint8 *) &v, sizeof v);
          }
          break;
        case SQLITE_TEXT:
        case SQLITE_BLOB:
          {
            const guint8 *v = type == SQLITE_TEXT
                              ? sqlite3_column_text (stmt, i)
                              : sqlite3_column_blob (stmt, i);
            guint32 len = (guint32) sqlite3_column_bytes (stmt, i);

            hash = digest_bytes (hash, (const guint8 *) &len, sizeof len);
            if (v != NULL)
              hash = digest_bytes (hash, v, len);
          }
          break;
        default:
          break;
        }
    }

  return hash;
}

static char *
ids_to_json (const gint64 *ids,
             guint         n_ids)
{
  GString *json = g_string_sized_new (n_ids * 8 + 2);

  g_string_append_c (json, '[');
  for (guint i = 0; i < n_ids; i++)
    {
      if (i > 0)
        g_string_append_c (json, ',');
      g_string_append_printf (json, "%" G_GINT64_FORMAT, ids[i]);
    }
  g_string_append_c (json, ']');

  return g_string_free (json, FALSE);
}

typedef void (*RowCallback) (CtPagedList  *self,
                             gint64        id,
                             sqlite3_stmt *stmt,
                             gpointer      user_data);

/* Runs the row query for @ids, calling @callback once per row found, in
 * whatever order SQLite returns them. */
static gboolean
query_rows (CtPagedList  *self,
            const gint64 *ids,
            guint         n_ids,
            RowCallback   callback,
            gpointer      user_data,
            GError      **error)
{
  g_autofree char *json = NULL;
  sqlite3 *handle = ct_db_get_handle (self->db);
  int rc;

  if (n_ids == 0)
    return TRUE;

  if (self->row_stmt == NULL)
    {
      self->row_stmt = ct_db_prepare (self->db, self->row_sql, error);
      if (self->row_stmt == NULL)
        return FALSE;
    }

  json = ids_to_json (ids, n_ids);
  sqlite3_bind_text (self->row_stmt, 1, json, -1, SQLITE_STATIC);

  while ((rc = sqlite3_step (self->row_stmt)) == SQLITE_ROW)
    callback (self, sqlite3_column_int64 (self->row_stmt, 0), self->row_stmt, user_data);

  /* Unbind before json goes away. */
  sqlite3_reset (self->row_stmt);
  sqlite3_clear_bindings (self->row_stmt);

  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, handle, rc, _("Could not load the list"));
      return FALSE;
    }

  return TRUE;
}

static void
add_row (CtPagedList  *self,
         gint64        id,
         sqlite3_stmt *stmt,
         gpointer      user_data)
{
  Entry *entry;
  guint64 digest;

  if (g_hash_table_contains (self->entries, &id))
    return;

  digest = digest_row (stmt);

  entry = g_new0 (Entry, 1);
  entry->id = id;
  entry->digest = digest;
  entry->item = self->row_func (stmt);
  entry->link.data = entry;
  g_assert (G_TYPE_CHECK_INSTANCE_TYPE (entry->item, self->item_type));

  g_hash_table_insert (self->entries, &entry->id, entry);
  g_queue_push_head_link (&self->lru, &entry->link);
}

/* Loads the rows of page @page that are not cached yet. */
static gboolean
load_page (CtPagedList  *self,
           guint         page,
           GError      **error)
{
  g_autoptr(GArray) missing = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint start = page * CT_PAGED_LIST_PAGE_SIZE;
  guint end = MIN (start + CT_PAGED_LIST_PAGE_SIZE, self->ids->len);

  for (guint i = start; i < end; i++)
    {
      gint64 id = g_array_index (self->ids, gint64, i);
      Entry *entry = g_hash_table_lookup (self->entries, &id);

      if (entry == NULL)
        g_array_append_val (missing, id);
      else
        touch_entry (self, entry);
    }

  if (!query_rows (self, (const gint64 *) (gpointer) missing->data, missing->len,
                   add_row, NULL, error))
    return FALSE;

  evict (self);
  return TRUE;
}

static void
reload_row (CtPagedList  *self,
            gint64        id,
            sqlite3_stmt *stmt,
            gpointer      user_data)
{
  guint *n_changed = user_data;
  Entry *entry = g_hash_table_lookup (self->entries, &id);
  guint64 digest;

  if (entry == NULL)
    return;

  digest = digest_row (stmt);
  if (digest == entry->digest)
    return;

  /* A new object rather than an updated one: items are not editable in
   * general, and a view that holds the old one gets items-changed. */
  g_clear_object (&entry->item);
  entry->item = self->row_func (stmt);
  entry->digest = digest;
  entry->changed = TRUE;
  (*n_changed)++;
}

static void
emit_changed_rows (CtPagedList *self,
                   guint        skip_start,
                   guint        skip_end)
{
  guint run_start = 0;
  guint run_len = 0;

  for (guint pos = 0; pos <= self->ids->len; pos++)
    {
      Entry *entry = NULL;

      if (pos < self->ids->len && (pos < skip_start || pos >= skip_end))
        {
          gint64 id = g_array_index (self->ids, gint64, pos);
          entry = g_hash_table_lookup (self->entries, &id);
        }

      if (entry != NULL && entry->changed)
        {
          if (run_len == 0)
            run_start = pos;
          run_len++;
          continue;
        }

      if (run_len > 0)
        {
          g_list_model_items_changed (G_LIST_MODEL (self), run_start, run_len, run_len);
          run_len = 0;
        }
    }
}

static gboolean
bind_params (sqlite3_stmt  *stmt,
             GVariant      *params,
             GError       **error)
{
  gsize n;

  if (params == NULL)
    return TRUE;

  n = g_variant_n_children (params);
  if ((int) n != sqlite3_bind_parameter_count (stmt))
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   "The list query takes %d parameters but %" G_GSIZE_FORMAT " were given",
                   sqlite3_bind_parameter_count (stmt), n);
      return FALSE;
    }

  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) child = g_variant_get_child_value (params, i);
      int index = (int) i + 1;

      switch (g_variant_classify (child))
        {
        case G_VARIANT_CLASS_STRING:
          sqlite3_bind_text (stmt, index, g_variant_get_string (child, NULL), -1,
                             SQLITE_TRANSIENT);
          break;
        case G_VARIANT_CLASS_INT64:
          sqlite3_bind_int64 (stmt, index, g_variant_get_int64 (child));
          break;
        case G_VARIANT_CLASS_INT32:
          sqlite3_bind_int (stmt, index, g_variant_get_int32 (child));
          break;
        case G_VARIANT_CLASS_DOUBLE:
          sqlite3_bind_double (stmt, index, g_variant_get_double (child));
          break;
        case G_VARIANT_CLASS_BOOLEAN:
          sqlite3_bind_int (stmt, index, g_variant_get_boolean (child) ? 1 : 0);
          break;
        default:
          g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                       "List query parameter %d has the unsupported type “%s”",
                       index, g_variant_get_type_string (child));
          return FALSE;
        }
    }

  return TRUE;
}

static GArray *
run_ids_query (CtPagedList  *self,
               const char   *ids_sql,
               GVariant     *params,
               GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc;

  stmt = ct_db_prepare (self->db, ids_sql, error);
  if (stmt == NULL)
    return NULL;

  if (!bind_params (stmt, params, error))
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }

  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (self->db), rc, _("Could not load the list"));
      return NULL;
    }

  return g_steal_pointer (&ids);
}

/* Replaces the ids with the result of @ids_sql, which becomes the list's
 * query, and tells views what changed. Nothing changes when it fails. */
static gboolean
reload (CtPagedList  *self,
        const char   *ids_sql,
        GVariant     *params,
        GError      **error)
{
  g_autoptr(GArray) new_ids = NULL;
  g_autoptr(GArray) reload_ids = NULL;
  g_autoptr(GArray) old_ids = NULL;
  const gint64 *o, *n;
  guint old_len, new_len, common, prefix, suffix, removed, added;
  guint n_changed = 0;
  GHashTableIter iter;
  gpointer value;

  new_ids = run_ids_query (self, ids_sql, params, error);
  if (new_ids == NULL)
    return FALSE;

  /* Keep the cached rows that are still listed, and reload them to find
   * those whose contents changed. */
  if (g_hash_table_size (self->entries) > 0)
    {
      for (guint i = 0; i < new_ids->len; i++)
        {
          Entry *entry = g_hash_table_lookup (self->entries,
                                              &g_array_index (new_ids, gint64, i));
          if (entry != NULL)
            entry->seen = TRUE;
        }

      reload_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_iter_init (&iter, self->entries);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Entry *entry = value;

          if (!entry->seen)
            {
              g_queue_unlink (&self->lru, &entry->link);
              g_hash_table_iter_remove (&iter);
              continue;
            }
          entry->seen = FALSE;
          g_array_append_val (reload_ids, entry->id);
        }

      for (guint i = 0; i < reload_ids->len; i += RELOAD_CHUNK)
        {
          if (!query_rows (self, &g_array_index (reload_ids, gint64, i),
                           MIN (RELOAD_CHUNK, reload_ids->len - i),
                           reload_row, &n_changed, error))
            {
              /* Whatever was reloaded so far is consistent with nothing:
               * start over from the database on next access. */
              clear_cache (self);
              return FALSE;
            }
        }
    }

  /* Store the query before anyone hears of the change, so that a handler
   * that refreshes runs the new one. */
  if (ids_sql != self->ids_sql)
    {
      g_free (self->ids_sql);
      self->ids_sql = g_strdup (ids_sql);
    }
  if (params != self->params)
    {
      g_clear_pointer (&self->params, g_variant_unref);
      self->params = params != NULL ? g_variant_ref (params) : NULL;
    }

  old_ids = g_steal_pointer (&self->ids);
  self->ids = g_steal_pointer (&new_ids);

  o = (const gint64 *) (gpointer) old_ids->data;
  n = (const gint64 *) (gpointer) self->ids->data;
  old_len = old_ids->len;
  new_len = self->ids->len;
  common = MIN (old_len, new_len);

  for (prefix = 0; prefix < common && o[prefix] == n[prefix]; prefix++)
    ;
  for (suffix = 0;
       suffix < common - prefix && o[old_len - 1 - suffix] == n[new_len - 1 - suffix];
       suffix++)
    ;

  removed = old_len - prefix - suffix;
  added = new_len - prefix - suffix;

  if (removed > 0 && added > CT_PAGED_LIST_PAGE_SIZE)
    {
      /* A large replacement (a new search or sort) is told in two steps,
       * the rows going and then the rows coming. GTK 4.8's list views
       * look for a removed row they track (the focused or selected one)
       * among every added row, which for one signal would load all the
       * pages of a 100,000-row result; across two signals the row is
       * simply gone. In between the list holds the rows both share. */
      g_autoptr(GArray) kept = g_steal_pointer (&self->ids);
      GArray *between = g_array_sized_new (FALSE, FALSE, sizeof (gint64), prefix + suffix);

      g_array_append_vals (between, kept->data, prefix);
      g_array_append_vals (between, &g_array_index (kept, gint64, new_len - suffix), suffix);
      self->ids = between;
      g_list_model_items_changed (G_LIST_MODEL (self), prefix, removed, 0);

      /* A handler that refreshed the list meanwhile has already brought
       * it up to date, and said so. */
      if (self->ids != between)
        return TRUE;
      g_array_unref (self->ids);
      self->ids = g_steal_pointer (&kept);
      g_list_model_items_changed (G_LIST_MODEL (self), prefix, 0, added);
    }
  else if (removed > 0 || added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), prefix, removed, added);

  if (n_changed > 0)
    {
      /* The rows in the replaced range were announced already. */
      emit_changed_rows (self, prefix, prefix + added);

      g_hash_table_iter_init (&iter, self->entries);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        ((Entry *) value)->changed = FALSE;
    }

  return TRUE;
}

static gboolean
refresh_in_idle (gpointer user_data)
{
  CtPagedList *self = user_data;
  g_autoptr(GError) error = NULL;

  self->refresh_idle_id = 0;
  if (!ct_paged_list_refresh (self, &error))
    g_warning ("Could not refresh a list: %s", error->message);

  return G_SOURCE_REMOVE;
}

static GType
ct_paged_list_get_item_type (GListModel *model)
{
  return CT_PAGED_LIST (model)->item_type;
}

static guint
ct_paged_list_get_n_items (GListModel *model)
{
  return CT_PAGED_LIST (model)->ids->len;
}

static gpointer
ct_paged_list_get_item (GListModel *model,
                        guint       position)
{
  CtPagedList *self = CT_PAGED_LIST (model);
  g_autoptr(GError) error = NULL;
  Entry *entry;
  gint64 id;

  if (position >= self->ids->len || self->db == NULL)
    return NULL;

  id = g_array_index (self->ids, gint64, position);
  entry = g_hash_table_lookup (self->entries, &id);

  if (entry == NULL)
    {
      if (!load_page (self, position / CT_PAGED_LIST_PAGE_SIZE, &error))
        g_warning ("Could not load rows of a list: %s", error->message);
      entry = g_hash_table_lookup (self->entries, &id);
    }

  if (entry == NULL)
    {
      /* The row went away without CtDb::changed (another program wrote
       * to the file): refresh soon, which removes it from views. */
      if (self->refresh_idle_id == 0 && self->ids_sql != NULL)
        self->refresh_idle_id = g_idle_add (refresh_in_idle, self);
      return NULL;
    }

  touch_entry (self, entry);
  return g_object_ref (entry->item);
}

static void
ct_paged_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ct_paged_list_get_item_type;
  iface->get_n_items = ct_paged_list_get_n_items;
  iface->get_item = ct_paged_list_get_item;
}

static void
ct_paged_list_dispose (GObject *object)
{
  CtPagedList *self = CT_PAGED_LIST (object);

  g_clear_handle_id (&self->refresh_idle_id, g_source_remove);

  if (self->db != NULL)
    {
      for (guint i = 0; i < self->handlers->len; i++)
        g_signal_handler_disconnect (self->db, g_array_index (self->handlers, gulong, i));
    }
  g_array_set_size (self->handlers, 0);

  clear_cache (self);
  g_clear_pointer (&self->row_stmt, sqlite3_finalize);
  g_clear_object (&self->db);

  G_OBJECT_CLASS (ct_paged_list_parent_class)->dispose (object);
}

static void
ct_paged_list_finalize (GObject *object)
{
  CtPagedList *self = CT_PAGED_LIST (object);

  g_hash_table_unref (self->entries);
  g_array_unref (self->ids);
  g_array_unref (self->handlers);
  g_clear_pointer (&self->params, g_variant_unref);
  g_free (self->ids_sql);
  g_free (self->row_sql);

  G_OBJECT_CLASS (ct_paged_list_parent_class)->finalize (object);
}

static void
ct_paged_list_class_init (CtPagedListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ct_paged_list_dispose;
  object_class->finalize = ct_paged_list_finalize;
}

static void
ct_paged_list_init (CtPagedList *self)
{
  self->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->entries = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, entry_free);
  self->handlers = g_array_new (FALSE, FALSE, sizeof (gulong));
  g_queue_init (&self->lru);
}

/**
 * ct_paged_list_new:
 * @db: the database to read
 * @item_type: the type of the items @row_func makes
 * @row_sql: a SELECT whose first column is the row id, without WHERE
 * @id_column: the id column to select rows by, e.g. "c.id"
 * @row_func: makes an item from a row of @row_sql
 *
 * The list is empty until ct_paged_list_set_query().
 *
 * Returns: (transfer full): a new list
 */
CtPagedList *
ct_paged_list_new (CtDb               *db,
                   GType               item_type,
                   const char         *row_sql,
                   const char         *id_column,
                   CtPagedListRowFunc  row_func)
{
  CtPagedList *self;

  g_return_val_if_fail (CT_IS_DB (db), NULL);
  g_return_val_if_fail (g_type_is_a (item_type, G_TYPE_OBJECT), NULL);
  g_return_val_if_fail (row_sql != NULL, NULL);
  g_return_val_if_fail (id_column != NULL, NULL);
  g_return_val_if_fail (row_func != NULL, NULL);

  self = g_object_new (CT_TYPE_PAGED_LIST, NULL);
  self->db = g_object_ref (db);
  self->item_type = item_type;
  self->row_func = row_func;
  /* json_each keeps this one statement for any number of ids, with every
   * id bound rather than written into the SQL. */
  self->row_sql = g_strdup_printf ("%s WHERE %s IN (SELECT value FROM json_each(?1))",
                                   row_sql, id_column);

  return self;
}

/**
 * ct_paged_list_set_query:
 * @ids_sql: a SELECT of the ids to list, in display order
 * @params: (nullable): a tuple of values for the parameters of @ids_sql:
 *   strings, int64, int32, doubles and booleans; floating refs are sunk
 *
 * Returns: %FALSE with @error set when the query fails; the list then
 * keeps its previous query and rows.
 */
gboolean
ct_paged_list_set_query (CtPagedList  *self,
                         const char   *ids_sql,
                         GVariant     *params,
                         GError      **error)
{
  g_autoptr(GVariant) owned = NULL;

  g_return_val_if_fail (CT_IS_PAGED_LIST (self), FALSE);
  g_return_val_if_fail (ids_sql != NULL, FALSE);
  g_return_val_if_fail (params == NULL || g_variant_is_of_type (params, G_VARIANT_TYPE_TUPLE),
                        FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (params != NULL)
    owned = g_variant_ref_sink (params);

  return reload (self, ids_sql, owned, error);
}

/**
 * ct_paged_list_refresh:
 *
 * Runs the ids query again. Does nothing before a query was set.
 */
gboolean
ct_paged_list_refresh (CtPagedList  *self,
                       GError      **error)
{
  g_return_val_if_fail (CT_IS_PAGED_LIST (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Nothing to do before a query was set, nor after dispose. */
  if (self->ids_sql == NULL || self->db == NULL)
    return TRUE;

  return reload (self, self->ids_sql, self->params, error);
}

gint
ct_paged_list_find (CtPagedList *self,
                    gint64       id)
{
  const gint64 *ids;

  g_return_val_if_fail (CT_IS_PAGED_LIST (self), -1);

  ids = (const gint64 *) (gpointer) self->ids->data;
  for (guint i = 0; i < self->ids->len && i <= G_MAXINT; i++)
    {
      if (ids[i] == id)
        return (gint) i;
    }

  return -1;
}

/**
 * ct_paged_list_get_id:
 *
 * Returns: the id of the row at @position, without loading the row; 0 when
 * @position is out of range
 */
gint64
ct_paged_list_get_id (CtPagedList *self,
                      guint        position)
{
  g_return_val_if_fail (CT_IS_PAGED_LIST (self), 0);
  g_return_val_if_fail (position < self->ids->len, 0);

  return g_array_index (self->ids, gint64, position);
}

static void
on_db_changed (CtDb        *db,
               const char  *table,
               CtPagedList *self)
{
  g_autoptr(GError) error = NULL;

  if (!ct_paged_list_refresh (self, &error))
    g_warning ("Could not refresh a list after %s changed: %s", table, error->message);
}

void
ct_paged_list_watch (CtPagedList *self,
                     const char  *table)
{
  g_autofree char *signal = NULL;
  gulong handler;

  g_return_if_fail (CT_IS_PAGED_LIST (self));
  g_return_if_fail (table != NULL);
  g_return_if_fail (self->db != NULL);

  signal = g_strconcat ("changed::", table, NULL);
  handler = g_signal_connect (self->db, signal, G_CALLBACK (on_db_changed), self);
  g_array_append_val (self->handlers, handler);
}

CtDb *
ct_paged_list_get_db (CtPagedList *self)
{
  g_return_val_if_fail (CT_IS_PAGED_LIST (self), NULL);

  return self->db;
}
