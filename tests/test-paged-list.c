/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-paged-list.c: paging, caching and items-changed of CtPagedList */
#include "config.h"

#include <glib/gstdio.h>

#include "ct-paged-list.h"

/* A row of the test table "things", as the list's item. */
#define TEST_TYPE_THING (test_thing_get_type ())
G_DECLARE_FINAL_TYPE (TestThing, test_thing, TEST, THING, GObject)

struct _TestThing
{
  GObject  parent_instance;
  gint64   id;
  char    *name;
  gint64   rank;
};

G_DEFINE_FINAL_TYPE (TestThing, test_thing, G_TYPE_OBJECT)

static void
test_thing_finalize (GObject *object)
{
  g_free (TEST_THING (object)->name);
  G_OBJECT_CLASS (test_thing_parent_class)->finalize (object);
}

static void
test_thing_class_init (TestThingClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_thing_finalize;
}

static void
test_thing_init (TestThing *self)
{
}

/* How many items the list has built, to see pages load. */
static guint n_rows_built;

static GObject *
thing_from_row (sqlite3_stmt *stmt)
{
  TestThing *thing = g_object_new (TEST_TYPE_THING, NULL);

  thing->id = sqlite3_column_int64 (stmt, 0);
  thing->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  thing->rank = sqlite3_column_int64 (stmt, 2);
  n_rows_built++;

  return G_OBJECT (thing);
}

#define THINGS_ROW_SQL "SELECT t.id, t.name, t.rank FROM things t"
#define THINGS_BY_RANK "SELECT t.id FROM things t ORDER BY t.rank, t.id"

typedef struct
{
  guint position;
  guint removed;
  guint added;
} Change;

typedef struct
{
  char        *dir;
  char        *path;
  CtDb        *db;
  CtPagedList *list;
  GArray      *changes;
} Fixture;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Fixture    *fixture)
{
  Change change = { position, removed, added };

  g_array_append_val (fixture->changes, change);
}

static void
exec (Fixture    *fixture,
      const char *sql)
{
  g_autoptr(GError) error = NULL;

  ct_db_exec (fixture->db, sql, &error);
  g_assert_no_error (error);
}

/* Fills "things" with @n rows: id i, name "thing i", rank 10 * i. */
static void
fill (Fixture *fixture,
      guint    n)
{
  g_autofree char *sql = g_strdup_printf (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %u)"
    " INSERT INTO things (id, name, rank) SELECT i, 'thing ' || i, 10 * i FROM n", n);

  exec (fixture, sql);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-paged-list-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "test.db", NULL);
  fixture->db = ct_db_open (fixture->path, &error);
  g_assert_no_error (error);

  exec (fixture, "CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                 " rank INTEGER NOT NULL, flag INTEGER NOT NULL DEFAULT 0,"
                 " score REAL NOT NULL DEFAULT 0)");

  fixture->list = ct_paged_list_new (fixture->db, TEST_TYPE_THING, THINGS_ROW_SQL, "t.id",
                                     thing_from_row);
  fixture->changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_signal_connect (fixture->list, "items-changed", G_CALLBACK (on_items_changed), fixture);
  n_rows_built = 0;
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  g_assert_finalize_object (fixture->list);
  g_assert_finalize_object (fixture->db);
  g_array_unref (fixture->changes);

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);
      g_remove (file);
    }
  g_assert_cmpint (g_rmdir (fixture->dir), ==, 0);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static void
assert_changes (Fixture      *fixture,
                const Change *expected,
                guint         n_expected)
{
  g_assert_cmpuint (fixture->changes->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    {
      Change *change = &g_array_index (fixture->changes, Change, i);

      g_assert_cmpuint (change->position, ==, expected[i].position);
      g_assert_cmpuint (change->removed, ==, expected[i].removed);
      g_assert_cmpuint (change->added, ==, expected[i].added);
    }
  g_array_set_size (fixture->changes, 0);
}

#define ASSERT_CHANGES(fixture, ...) \
  G_STMT_START { \
    const Change expected_[] = { __VA_ARGS__ }; \
    assert_changes ((fixture), expected_, G_N_ELEMENTS (expected_)); \
  } G_STMT_END
#define ASSERT_NO_CHANGES(fixture) assert_changes ((fixture), NULL, 0)

static TestThing *
get_thing (Fixture *fixture,
           guint    position)
{
  return g_list_model_get_item (G_LIST_MODEL (fixture->list), position);
}

static void
assert_thing (Fixture    *fixture,
              guint       position,
              gint64      id,
              const char *name)
{
  g_autoptr(TestThing) thing = get_thing (fixture, position);

  g_assert_nonnull (thing);
  g_assert_cmpint (thing->id, ==, id);
  if (name != NULL)
    g_assert_cmpstr (thing->name, ==, name);
}

static void
set_query (Fixture    *fixture,
           const char *sql,
           GVariant   *params)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ct_paged_list_set_query (fixture->list, sql, params, &error));
  g_assert_no_error (error);
}

static void
refresh (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ct_paged_list_refresh (fixture->list, &error));
  g_assert_no_error (error);
}

static void
test_empty (Fixture       *fixture,
            gconstpointer  data)
{
  GListModel *model = G_LIST_MODEL (fixture->list);

  g_assert_true (g_list_model_get_item_type (model) == TEST_TYPE_THING);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  g_assert_null (g_list_model_get_item (model, 0));
  g_assert_cmpint (ct_paged_list_find (fixture->list, 1), ==, -1);
  g_assert_true (ct_paged_list_get_db (fixture->list) == fixture->db);

  /* Refreshing before any query does nothing. */
  refresh (fixture);
  ASSERT_NO_CHANGES (fixture);

  set_query (fixture, THINGS_BY_RANK, NULL);
  ASSERT_NO_CHANGES (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
}

static void
test_pages (Fixture       *fixture,
            gconstpointer  data)
{
  GListModel *model = G_LIST_MODEL (fixture->list);
  g_autoptr(TestThing) first = NULL;
  g_autoptr(TestThing) again = NULL;

  fill (fixture, 250);
  set_query (fixture, THINGS_BY_RANK, NULL);
  ASSERT_CHANGES (fixture, { 0, 0, 250 });
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 250);

  /* Only ids so far. */
  g_assert_cmpuint (n_rows_built, ==, 0);
  g_assert_cmpint (ct_paged_list_get_id (fixture->list, 0), ==, 1);
  g_assert_cmpint (ct_paged_list_get_id (fixture->list, 249), ==, 250);
  g_assert_cmpint (ct_paged_list_find (fixture->list, 137), ==, 136);
  g_assert_cmpint (ct_paged_list_find (fixture->list, 999), ==, -1);
  g_assert_cmpuint (n_rows_built, ==, 0);

  /* One page at a time, across the page boundaries. */
  assert_thing (fixture, 0, 1, "thing 1");
  g_assert_cmpuint (n_rows_built, ==, CT_PAGED_LIST_PAGE_SIZE);
  assert_thing (fixture, 99, 100, "thing 100");
  g_assert_cmpuint (n_rows_built, ==, CT_PAGED_LIST_PAGE_SIZE);
  assert_thing (fixture, 100, 101, "thing 101");
  g_assert_cmpuint (n_rows_built, ==, 2 * CT_PAGED_LIST_PAGE_SIZE);
  assert_thing (fixture, 199, 200, "thing 200");
  assert_thing (fixture, 249, 250, "thing 250");
  g_assert_cmpuint (n_rows_built, ==, 250);
  g_assert_null (g_list_model_get_item (model, 250));

  /* Cached: the same object again, nothing rebuilt. */
  first = get_thing (fixture, 0);
  again = get_thing (fixture, 0);
  g_assert_true (first == again);
  g_assert_cmpuint (n_rows_built, ==, 250);

  /* Every row, in order. */
  for (guint i = 0; i < 250; i++)
    assert_thing (fixture, i, i + 1, NULL);
  g_assert_cmpuint (n_rows_built, ==, 250);
}

static void
test_eviction (Fixture       *fixture,
               gconstpointer  data)
{
  const guint n_pages = 60;
  g_autoptr(TestThing) held = NULL;
  g_autoptr(TestThing) reloaded = NULL;
  guint built;

  fill (fixture, n_pages * CT_PAGED_LIST_PAGE_SIZE);
  set_query (fixture, THINGS_BY_RANK, NULL);
  ASSERT_CHANGES (fixture, { 0, 0, n_pages * CT_PAGED_LIST_PAGE_SIZE });

  held = get_thing (fixture, 0);
  for (guint page = 0; page < n_pages; page++)
    assert_thing (fixture, page * CT_PAGED_LIST_PAGE_SIZE + 1,
                  page * CT_PAGED_LIST_PAGE_SIZE + 2, NULL);
  g_assert_cmpuint (n_rows_built, ==, n_pages * CT_PAGED_LIST_PAGE_SIZE);

  /* The last page used is still there... */
  assert_thing (fixture, (n_pages - 1) * CT_PAGED_LIST_PAGE_SIZE, (n_pages - 1) * CT_PAGED_LIST_PAGE_SIZE + 1, NULL);
  g_assert_cmpuint (n_rows_built, ==, n_pages * CT_PAGED_LIST_PAGE_SIZE);

  /* ...the first was dropped and loads again, while the item a caller
   * kept stays intact. */
  built = n_rows_built;
  reloaded = get_thing (fixture, 0);
  g_assert_cmpuint (n_rows_built, ==, built + CT_PAGED_LIST_PAGE_SIZE);
  g_assert_true (reloaded != held);
  g_assert_cmpint (held->id, ==, 1);
  g_assert_cmpstr (held->name, ==, "thing 1");
  g_assert_cmpint (reloaded->id, ==, 1);
}

static void
test_insert_delete (Fixture       *fixture,
                    gconstpointer  data)
{
  fill (fixture, 250);
  set_query (fixture, THINGS_BY_RANK, NULL);
  ASSERT_CHANGES (fixture, { 0, 0, 250 });
  assert_thing (fixture, 120, 121, NULL);

  /* Nothing changed: nothing to say. */
  refresh (fixture);
  ASSERT_NO_CHANGES (fixture);

  /* rank 1205 sorts between ids 120 (1200) and 121 (1210). */
  exec (fixture, "INSERT INTO things (id, name, rank) VALUES (1000, 'new', 1205)");
  refresh (fixture);
  ASSERT_CHANGES (fixture, { 120, 0, 1 });
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 251);
  assert_thing (fixture, 119, 120, NULL);
  assert_thing (fixture, 120, 1000, "new");
  assert_thing (fixture, 121, 121, NULL);
  assert_thing (fixture, 250, 250, NULL);

  /* At both ends. */
  exec (fixture, "INSERT INTO things (id, name, rank) VALUES (1001, 'first', 0)");
  refresh (fixture);
  ASSERT_CHANGES (fixture, { 0, 0, 1 });
  exec (fixture, "INSERT INTO things (id, name, rank) VALUES (1002, 'last', 99999)");
  refresh (fixture);
  ASSERT_CHANGES (fixture, { 252, 0, 1 });
  assert_thing (fixture, 0, 1001, "first");
  assert_thing (fixture, 252, 1002, "last");

  /* Deleting. */
  exec (fixture, "DELETE FROM things WHERE id = 1000");
  refresh (fixture);
  ASSERT_CHANGES (fixture, { 121, 1, 0 });
  assert_thing (fixture, 121, 121, NULL);
  exec (fixture, "DELETE FROM things WHERE id = 1002");
  refresh (fixture);
  ASSERT_CHANGES (fixture, { 251, 1, 0 });
  exec (fixture, "DELETE FROM things WHERE id = 1001");
  refresh (fixture);
  ASSERT_CHANGES (fixture, { 0, 1, 0 });

  /* A run of rows. */
  exec (fixture, "DELETE FROM things WHERE id BETWEEN 51 AND 60");
  refresh (fixture);
  ASSERT_CHANGES (fixture, { 50, 10, 0 });
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 240);
  assert_thing (fixture, 50, 61, NULL);

  /* Everything. */
  exec (fixture, "DELETE FROM things");
  refresh (fixture);
  ASSERT_CHANGES (fixture, { 0, 240, 0 });
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 0);
}

static void
test_changed_rows (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(TestThing) before = NULL;
  g_autoptr(TestThing) after = NULL;
  g_autoptr(TestThing) kept = NULL;

  fill (fixture, 250);
  set_query (fixture, THINGS_BY_RANK, NULL);
  ASSERT_CHANGES (fixture, { 0, 0, 250 });

  /* Page 0 is loaded, page 2 is not. */
  before = get_thing (fixture, 10);
  kept = get_thing (fixture, 11);

  /* A loaded row changes where it is: a view that holds it must hear. */
  exec (fixture, "UPDATE things SET name = 'renamed' WHERE id = 11");
  refresh (fixture);
  ASSERT_CHANGES (fixture, { 10, 1, 1 });
  after = get_thing (fixture, 10);
  g_assert_true (after != before);
  g_assert_cmpstr (after->name, ==, "renamed");
  g_assert_cmpstr (before->name, ==, "thing 11");

  /* Rows that did not change keep their object. */
  {
    g_autoptr(TestThing) same = get_thing (fixture, 11);
    g_assert_true (same == kept);
  }

  /* A row nobody loaded yet: nothing to tell, the new value loads later. */
  exec (fixture, "UPDATE things SET name = 'quiet' WHERE id = 230");
  refresh (fixture);
  ASSERT_NO_CHANGES (fixture);
  assert_thing (fixture, 229, 230, "quiet");

  /* Changes of a column the item does not read are not news. */
  exec (fixture, "UPDATE things SET flag = 1 WHERE id = 12");
  refresh (fixture);
  ASSERT_NO_CHANGES (fixture);

  /* Neighbouring changed rows come as one run. */
  exec (fixture, "UPDATE things SET name = name || '!' WHERE id IN (21, 22, 23, 40)");
  refresh (fixture);
  ASSERT_CHANGES (fixture, { 20, 3, 3 }, { 39, 1, 1 });

  /* An insert with a change after it: the structure first, then the
   * changed row at its new position. */
  exec (fixture, "INSERT INTO things (id, name, rank) VALUES (500, 'ins', 55);"
                 "UPDATE things SET name = 'after' WHERE id = 80");
  refresh (fixture);
  ASSERT_CHANGES (fixture, { 5, 0, 1 }, { 80, 1, 1 });
  assert_thing (fixture, 80, 80, "after");

  /* A row moving forward: one change covering from where it lands to
   * where it was, rows in between named once. */
  exec (fixture, "UPDATE things SET rank = 15 WHERE id = 30");
  refresh (fixture);
  ASSERT_CHANGES (fixture, { 1, 30, 30 });
  assert_thing (fixture, 1, 30, NULL);
  assert_thing (fixture, 2, 2, NULL);
  assert_thing (fixture, 30, 29, NULL);
  assert_thing (fixture, 31, 31, NULL);
}

static void
test_params (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fill (fixture, 250);
  exec (fixture, "UPDATE things SET flag = 1, score = rank / 4.0 WHERE id % 2 = 0");

  set_query (fixture,
             "SELECT t.id FROM things t WHERE t.name LIKE ?1 AND t.rank >= ?2"
             " ORDER BY t.rank DESC, t.id DESC",
             g_variant_new ("(sx)", "thing 1%", (gint64) 1000));
  /* thing 100..199 (ids 100-199) */
  ASSERT_CHANGES (fixture, { 0, 0, 100 });
  assert_thing (fixture, 0, 199, NULL);
  assert_thing (fixture, 99, 100, NULL);

  /* Same query, other values: the rows that differ. */
  set_query (fixture,
             "SELECT t.id FROM things t WHERE t.name LIKE ?1 AND t.rank >= ?2"
             " ORDER BY t.rank DESC, t.id DESC",
             g_variant_new ("(sx)", "thing 1%", (gint64) 1500));
  ASSERT_CHANGES (fixture, { 50, 50, 0 });

  set_query (fixture, "SELECT t.id FROM things t WHERE t.flag = ?1 AND t.rank < ?2 ORDER BY t.id",
             g_variant_new ("(bi)", TRUE, 100));
  /* ids 2, 4, ..., 8 */
  ASSERT_CHANGES (fixture, { 0, 50, 4 });
  assert_thing (fixture, 3, 8, NULL);

  set_query (fixture, "SELECT t.id FROM things t WHERE t.score > ?1 ORDER BY t.id",
             g_variant_new ("(d)", 620.0));
  /* score = 2.5 i for even i: i > 248 */
  ASSERT_CHANGES (fixture, { 0, 4, 1 });
  assert_thing (fixture, 0, 250, NULL);

  /* Parameters that do not fit are refused, and the list stays. */
  g_assert_false (ct_paged_list_set_query (fixture->list,
                                           "SELECT t.id FROM things t WHERE t.id = ?1",
                                           g_variant_new ("(u)", 3), &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_false (ct_paged_list_set_query (fixture->list,
                                           "SELECT t.id FROM things t WHERE t.id = ?1",
                                           g_variant_new ("(xx)", (gint64) 1, (gint64) 2),
                                           &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_false (ct_paged_list_set_query (fixture->list, "SELECT nonsense FROM nowhere",
                                           NULL, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_FAILED);
  g_clear_error (&error);

  ASSERT_NO_CHANGES (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 1);

  /* The kept query is the last good one, with its parameters. */
  exec (fixture, "UPDATE things SET score = 1000 WHERE id = 248");
  refresh (fixture);
  ASSERT_CHANGES (fixture, { 0, 0, 1 });
  assert_thing (fixture, 0, 248, NULL);
}

static void
test_watch (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(CtPagedList) other = NULL;

  fill (fixture, 10);
  set_query (fixture, THINGS_BY_RANK, NULL);
  ASSERT_CHANGES (fixture, { 0, 0, 10 });
  ct_paged_list_watch (fixture->list, "things");

  exec (fixture, "INSERT INTO things (id, name, rank) VALUES (11, 'eleven', 5)");
  ct_db_emit_changed (fixture->db, "contacts");
  ASSERT_NO_CHANGES (fixture);
  ct_db_emit_changed (fixture->db, "things");
  ASSERT_CHANGES (fixture, { 0, 0, 1 });

  /* A list that is gone no longer listens. */
  other = ct_paged_list_new (fixture->db, TEST_TYPE_THING, THINGS_ROW_SQL, "t.id",
                             thing_from_row);
  set_query (fixture, THINGS_BY_RANK, NULL);
  ct_paged_list_set_query (other, THINGS_BY_RANK, NULL, NULL);
  ct_paged_list_watch (other, "things");
  g_assert_finalize_object (g_steal_pointer (&other));
  ct_db_emit_changed (fixture->db, "things");
  ASSERT_NO_CHANGES (fixture);
}

static void
on_items_changed_read (GListModel *model,
                       guint       position,
                       guint       removed,
                       guint       added,
                       gint64     *seen)
{
  g_autoptr(TestThing) thing = NULL;

  if (added == 0)
    return;
  thing = g_list_model_get_item (model, position);
  *seen = thing->id;
}

static void
test_reentrant (Fixture       *fixture,
                gconstpointer  data)
{
  gint64 seen = 0;

  fill (fixture, 20);
  set_query (fixture, THINGS_BY_RANK, NULL);
  ASSERT_CHANGES (fixture, { 0, 0, 20 });
  g_signal_connect (fixture->list, "items-changed", G_CALLBACK (on_items_changed_read), &seen);

  /* A view reads the new row while it hears about it. */
  exec (fixture, "INSERT INTO things (id, name, rank) VALUES (99, 'x', 55)");
  refresh (fixture);
  ASSERT_CHANGES (fixture, { 5, 0, 1 });
  g_assert_cmpint (seen, ==, 99);

  /* And sees the new query's rows when the query changes. */
  set_query (fixture, "SELECT t.id FROM things t ORDER BY t.rank DESC", NULL);
  g_assert_cmpint (seen, ==, 20);
  g_array_set_size (fixture->changes, 0);
}

static void
test_vanished (Fixture       *fixture,
               gconstpointer  data)
{
  fill (fixture, 250);
  set_query (fixture, THINGS_BY_RANK, NULL);
  ASSERT_CHANGES (fixture, { 0, 0, 250 });

  /* Rows deleted behind the list's back (another program): the row cannot
   * be given, and the list corrects itself soon after. */
  exec (fixture, "DELETE FROM things WHERE id > 200");
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (fixture->list), 220));
  assert_thing (fixture, 199, 200, NULL);
  ASSERT_NO_CHANGES (fixture);

  while (g_main_context_iteration (NULL, FALSE))
    ;
  ASSERT_CHANGES (fixture, { 200, 50, 0 });
}

typedef struct
{
  guint  signals;
  guint  n_items_seen[2];
  gint64 first_seen[2];
} SplitSeen;

static void
on_items_changed_split (GListModel *model,
                        guint       position,
                        guint       removed,
                        guint       added,
                        SplitSeen  *seen)
{
  if (seen->signals < 2)
    {
      g_autoptr(TestThing) first = g_list_model_get_item (model, 0);

      seen->n_items_seen[seen->signals] = g_list_model_get_n_items (model);
      seen->first_seen[seen->signals] = first != NULL ? first->id : -1;
    }
  seen->signals++;
}

static void
test_large_replacement (Fixture       *fixture,
                        gconstpointer  data)
{
  SplitSeen seen = { 0 };

  fill (fixture, 1000);
  set_query (fixture, THINGS_BY_RANK, NULL);
  ASSERT_CHANGES (fixture, { 0, 0, 1000 });

  /* A small replacement is one signal. */
  set_query (fixture, "SELECT t.id FROM things t WHERE t.id <= 3 OR t.id > 10 ORDER BY t.id", NULL);
  ASSERT_CHANGES (fixture, { 3, 7, 0 });
  set_query (fixture, THINGS_BY_RANK, NULL);
  ASSERT_CHANGES (fixture, { 3, 0, 7 });
  set_query (fixture,
             "SELECT t.id FROM things t ORDER BY t.id = 50 DESC, t.rank", NULL);
  ASSERT_CHANGES (fixture, { 0, 50, 50 });

  /* A large one is told as the rows going, then the rows coming, and in
   * between the list holds only what both share, so that views never
   * look for a row among a whole new result. */
  g_signal_connect (fixture->list, "items-changed", G_CALLBACK (on_items_changed_split), &seen);
  set_query (fixture, "SELECT t.id FROM things t ORDER BY t.rank DESC", NULL);
  ASSERT_CHANGES (fixture, { 0, 1000, 0 }, { 0, 0, 1000 });
  g_assert_cmpuint (seen.signals, ==, 2);
  g_assert_cmpuint (seen.n_items_seen[0], ==, 0);
  g_assert_cmpint (seen.first_seen[0], ==, -1);
  g_assert_cmpuint (seen.n_items_seen[1], ==, 1000);
  g_assert_cmpint (seen.first_seen[1], ==, 1000);

  /* With a shared start and end, those stay. */
  seen.signals = 0;
  set_query (fixture,
             "SELECT t.id FROM things t ORDER BY t.id = 1000 DESC, t.id = 1 ASC, t.id", NULL);
  /* 1000 first, then 2..999 ascending, then 1 */
  ASSERT_CHANGES (fixture, { 1, 998, 0 }, { 1, 0, 998 });
  g_assert_cmpuint (seen.n_items_seen[0], ==, 2);
  g_assert_cmpint (seen.first_seen[0], ==, 1000);
  assert_thing (fixture, 1, 2, NULL);
  assert_thing (fixture, 999, 1, NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/paged-list/empty", test_empty);
  ADD ("/paged-list/pages", test_pages);
  ADD ("/paged-list/eviction", test_eviction);
  ADD ("/paged-list/insert-delete", test_insert_delete);
  ADD ("/paged-list/changed-rows", test_changed_rows);
  ADD ("/paged-list/params", test_params);
  ADD ("/paged-list/watch", test_watch);
  ADD ("/paged-list/reentrant", test_reentrant);
  ADD ("/paged-list/vanished", test_vanished);
  ADD ("/paged-list/large-replacement", test_large_replacement);

#undef ADD

  return g_test_run ();
}
