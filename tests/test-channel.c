/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-channel.c: tests for ct-channel: channels, their spend, CtNamedItem */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gstdio.h>

#include "ct-channel.h"

typedef struct
{
  char      *dir;
  char      *path;
  CtDb      *db;
  GPtrArray *changed;   /* table names, in order of emission */
} Fixture;

static void
on_changed (CtDb       *db,
            const char *table,
            gpointer    user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->changed, g_strdup (table));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  GError *error = NULL;

  fixture->dir = g_dir_make_tmp ("clientele-test-channel-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "clientele.db", NULL);
  fixture->db = ct_db_open (fixture->path, &error);
  g_assert_no_error (error);
  fixture->changed = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (fixture->db, "changed", G_CALLBACK (on_changed), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char * const suffixes[] = { "", "-wal", "-shm" };

  g_clear_object (&fixture->db);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);
      g_remove (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
  g_ptr_array_unref (fixture->changed);
}

static guint
count_changed (Fixture    *fixture,
               const char *table)
{
  guint n = 0;

  for (guint i = 0; i < fixture->changed->len; i++)
    if (g_str_equal (g_ptr_array_index (fixture->changed, i), table))
      n++;
  return n;
}

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  guint *n = user_data;

  (*n)++;
}

static void
test_named_item (void)
{
  g_autoptr(CtNamedItem) item = ct_named_item_new (7, "课程 A");
  g_autoptr(CtNamedItem) unnamed = ct_named_item_new (0, NULL);
  g_autofree char *name = NULL;
  gint64 id = 0;
  GParamSpec *pspec;

  g_assert_cmpint (ct_named_item_get_id (item), ==, 7);
  g_assert_cmpstr (ct_named_item_get_name (item), ==, "课程 A");

  g_object_get (item, "id", &id, "name", &name, NULL);
  g_assert_cmpint (id, ==, 7);
  g_assert_cmpstr (name, ==, "课程 A");

  g_assert_cmpstr (ct_named_item_get_name (unnamed), ==, "");

  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (item), "name");
  g_assert_nonnull (pspec);
  g_assert_true (pspec->flags & G_PARAM_EXPLICIT_NOTIFY);
  g_assert_true (G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_STRING);
  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (item), "id");
  g_assert_nonnull (pspec);
  g_assert_true (G_PARAM_SPEC_VALUE_TYPE (pspec) == G_TYPE_INT64);
}

static void
test_ensure (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *stored = NULL;
  GError *error = NULL;
  gint64 wechat, again, spaced, douyin;

  wechat = ct_channel_ensure (fixture->db, "WeChat", &error);
  g_assert_no_error (error);
  g_assert_cmpint (wechat, >, 0);
  g_assert_cmpuint (count_changed (fixture, "channels"), ==, 1);

  /* The same channel whatever the case and the space around it. */
  again = ct_channel_ensure (fixture->db, "wechat", &error);
  g_assert_no_error (error);
  g_assert_cmpint (again, ==, wechat);
  spaced = ct_channel_ensure (fixture->db, "  WECHAT \t", &error);
  g_assert_no_error (error);
  g_assert_cmpint (spaced, ==, wechat);
  spaced = ct_channel_ensure (fixture->db, "\u3000WeChat\u3000", &error);
  g_assert_no_error (error);
  g_assert_cmpint (spaced, ==, wechat);
  /* Finding one is not a change. */
  g_assert_cmpuint (count_changed (fixture, "channels"), ==, 1);

  douyin = ct_channel_ensure (fixture->db, "  抖音  ", &error);
  g_assert_no_error (error);
  g_assert_cmpint (douyin, !=, wechat);
  g_assert_cmpuint (count_changed (fixture, "channels"), ==, 2);

  g_assert_cmpint (ct_db_query_int64 (fixture->db, "SELECT count(*) FROM channels", NULL),
                   ==, 2);
  /* Stored trimmed, as first written. */
  {
    g_autoptr(sqlite3_stmt) stmt =
      ct_db_prepare (fixture->db, "SELECT name FROM channels WHERE id = ?", &error);
    g_assert_no_error (error);
    sqlite3_bind_int64 (stmt, 1, douyin);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    stored = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  }
  g_assert_cmpstr (stored, ==, "抖音");
}

static void
test_ensure_blank (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char * const blanks[] = { "", " ", "\t\n", "\u3000", "\u00a0 " };
  GError *error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (blanks); i++)
    {
      g_assert_cmpint (ct_channel_ensure (fixture->db, blanks[i], &error), ==, 0);
      g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, "A channel needs a name.");
      g_clear_error (&error);
    }

  g_assert_cmpint (ct_channel_ensure (fixture->db, NULL, &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_cmpint (ct_db_query_int64 (fixture->db, "SELECT count(*) FROM channels", NULL),
                   ==, 0);
  g_assert_cmpuint (fixture->changed->len, ==, 0);
}

static void
test_list_all (Fixture       *fixture,
               gconstpointer  data)
{
  static const char * const names[] = { "wechat", "Bilibili", "抖音", "Xiaohongshu", "apple" };
  static const char * const sorted[] = { "apple", "Bilibili", "wechat", "Xiaohongshu", "抖音" };
  gint64 ids[G_N_ELEMENTS (names)];
  g_autoptr(GListModel) empty = NULL;
  g_autoptr(GListModel) list = NULL;
  GError *error = NULL;
  guint n_notify = 0;

  empty = ct_channel_list_all (fixture->db, &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_LIST_STORE (empty));
  g_assert_true (g_list_model_get_item_type (empty) == CT_TYPE_NAMED_ITEM);
  g_assert_cmpuint (g_list_model_get_n_items (empty), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      ids[i] = ct_channel_ensure (fixture->db, names[i], &error);
      g_assert_no_error (error);
    }

  list = ct_channel_list_all (fixture->db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, G_N_ELEMENTS (sorted));

  for (guint i = 0; i < G_N_ELEMENTS (sorted); i++)
    {
      g_autoptr(CtNamedItem) item = g_list_model_get_item (list, i);
      gint64 expected_id = 0;

      g_assert_cmpstr (ct_named_item_get_name (item), ==, sorted[i]);
      for (guint j = 0; j < G_N_ELEMENTS (names); j++)
        if (g_str_equal (names[j], sorted[i]))
          expected_id = ids[j];
      g_assert_cmpint (ct_named_item_get_id (item), ==, expected_id);
    }

  /* The store is a snapshot that the caller owns. */
  g_signal_connect (list, "items-changed", G_CALLBACK (on_notify), &n_notify);
  ct_channel_ensure (fixture->db, "zzz", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, G_N_ELEMENTS (sorted));
  g_assert_cmpuint (n_notify, ==, 0);
}

static gint64
spend_of (Fixture    *fixture,
          gint64      channel_id,
          const char *month,
          char      **currency)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *error = NULL;
  int rc;

  stmt = ct_db_prepare (fixture->db,
                        "SELECT amount, currency FROM channel_spend"
                        " WHERE channel_id = ? AND month = ?",
                        &error);
  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, channel_id);
  sqlite3_bind_text (stmt, 2, month, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return -1;
  g_assert_cmpint (rc, ==, SQLITE_ROW);
  if (currency != NULL)
    *currency = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  return sqlite3_column_int64 (stmt, 0);
}

static void
test_spend (Fixture       *fixture,
            gconstpointer  data)
{
  g_autofree char *currency = NULL;
  GError *error = NULL;
  gint64 wechat, douyin;

  wechat = ct_channel_ensure (fixture->db, "WeChat", &error);
  douyin = ct_channel_ensure (fixture->db, "抖音", &error);
  g_assert_no_error (error);
  g_ptr_array_set_size (fixture->changed, 0);

  g_assert_true (ct_channel_set_spend (fixture->db, wechat, "2025-03", 1234500, "CNY", &error));
  g_assert_no_error (error);
  g_assert_cmpint (spend_of (fixture, wechat, "2025-03", &currency), ==, 1234500);
  g_assert_cmpstr (currency, ==, "CNY");
  g_clear_pointer (&currency, g_free);
  g_assert_cmpuint (count_changed (fixture, "channel_spend"), ==, 1);

  /* Setting the same month again replaces the figure. */
  g_assert_true (ct_channel_set_spend (fixture->db, wechat, "2025-03", 99900, "usd", &error));
  g_assert_no_error (error);
  g_assert_cmpint (spend_of (fixture, wechat, "2025-03", &currency), ==, 99900);
  g_assert_cmpstr (currency, ==, "USD");
  g_clear_pointer (&currency, g_free);
  g_assert_cmpint (ct_db_query_int64 (fixture->db, "SELECT count(*) FROM channel_spend", NULL),
                   ==, 1);

  /* Other months and channels are their own rows; NULL currency is CNY;
   * nothing spent is a figure too. */
  g_assert_true (ct_channel_set_spend (fixture->db, wechat, "2025-04", 0, NULL, &error));
  g_assert_true (ct_channel_set_spend (fixture->db, douyin, "2025-03", 500, "CNY", &error));
  g_assert_true (ct_channel_set_spend (fixture->db, douyin, "1999-12", 1, "JPY", &error));
  g_assert_no_error (error);
  g_assert_cmpint (spend_of (fixture, wechat, "2025-04", &currency), ==, 0);
  g_assert_cmpstr (currency, ==, "CNY");
  g_assert_cmpint (spend_of (fixture, wechat, "2025-03", NULL), ==, 99900);
  g_assert_cmpint (spend_of (fixture, douyin, "2025-03", NULL), ==, 500);
  g_assert_cmpint (ct_db_query_int64 (fixture->db, "SELECT count(*) FROM channel_spend", NULL),
                   ==, 4);
  g_assert_cmpuint (count_changed (fixture, "channel_spend"), ==, 5);
}

static void
test_spend_invalid (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char * const bad_months[] = {
    "2025-13", "2025-00", "2025-3", "25-03", "2025/03", "2025-03-01", "", "abcd-ef",
    "2025-0a", " 2025-03", "２０２５-03",
  };
  GError *error = NULL;
  gint64 wechat;

  wechat = ct_channel_ensure (fixture->db, "WeChat", &error);
  g_assert_no_error (error);
  g_assert_true (ct_channel_set_spend (fixture->db, wechat, "2025-03", 100, "CNY", &error));
  g_assert_no_error (error);
  g_ptr_array_set_size (fixture->changed, 0);

  for (guint i = 0; i < G_N_ELEMENTS (bad_months); i++)
    {
      g_assert_false (ct_channel_set_spend (fixture->db, wechat, bad_months[i], 1, "CNY", &error));
      g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
      g_assert_nonnull (strstr (error->message, "2025-03"));   /* says how to write it */
      g_clear_error (&error);
    }
  g_assert_false (ct_channel_set_spend (fixture->db, wechat, NULL, 1, "CNY", &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_false (ct_channel_set_spend (fixture->db, wechat, "2025-03", -1, "CNY", &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "A channel’s spend cannot be negative.");
  g_clear_error (&error);

  g_assert_false (ct_channel_set_spend (fixture->db, wechat, "2025-03", 1, "US", &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ct_channel_set_spend (fixture->db, wechat, "2025-03", 1, "¥¥", &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_false (ct_channel_set_spend (fixture->db, wechat + 100, "2025-03", 1, "CNY", &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Nothing of that touched the stored figure. */
  g_assert_cmpint (spend_of (fixture, wechat, "2025-03", NULL), ==, 100);
  g_assert_cmpint (ct_db_query_int64 (fixture->db, "SELECT count(*) FROM channel_spend", NULL),
                   ==, 1);
  g_assert_cmpuint (fixture->changed->len, ==, 0);
}

static void
test_spend_follows_channel (Fixture       *fixture,
                            gconstpointer  data)
{
  GError *error = NULL;
  gint64 wechat;

  wechat = ct_channel_ensure (fixture->db, "WeChat", &error);
  g_assert_true (ct_channel_set_spend (fixture->db, wechat, "2025-03", 100, "CNY", &error));
  g_assert_no_error (error);

  g_assert_true (ct_db_exec (fixture->db, "DELETE FROM channels", &error));
  g_assert_no_error (error);
  g_assert_cmpint (ct_db_query_int64 (fixture->db, "SELECT count(*) FROM channel_spend", NULL),
                   ==, 0);
}

static void
test_spend_list_delete (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) spends = NULL;
  CtChannelSpend *s;
  gint64 wechat, douyin;

  spends = ct_channel_list_spend (fixture->db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (spends->len, ==, 0);
  g_clear_pointer (&spends, g_array_unref);

  wechat = ct_channel_ensure (fixture->db, "WeChat", &error);
  g_assert_no_error (error);
  douyin = ct_channel_ensure (fixture->db, "Douyin", &error);
  g_assert_no_error (error);
  g_assert_true (ct_channel_set_spend (fixture->db, wechat, "2025-03", 1234500, NULL, &error));
  g_assert_true (ct_channel_set_spend (fixture->db, wechat, "2025-04", 100, "usd", &error));
  g_assert_true (ct_channel_set_spend (fixture->db, douyin, "2025-03", 500, "CNY", &error));
  g_assert_no_error (error);

  /* Newest month first, then by name. */
  spends = ct_channel_list_spend (fixture->db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (spends->len, ==, 3);
  s = &g_array_index (spends, CtChannelSpend, 0);
  g_assert_cmpint (s->channel_id, ==, wechat);
  g_assert_cmpstr (s->channel_name, ==, "WeChat");
  g_assert_cmpstr (s->month, ==, "2025-04");
  g_assert_cmpint (s->amount, ==, 100);
  g_assert_cmpstr (s->currency, ==, "USD");
  s = &g_array_index (spends, CtChannelSpend, 1);
  g_assert_cmpstr (s->channel_name, ==, "Douyin");
  g_assert_cmpstr (s->month, ==, "2025-03");
  s = &g_array_index (spends, CtChannelSpend, 2);
  g_assert_cmpstr (s->channel_name, ==, "WeChat");
  g_assert_cmpint (s->amount, ==, 1234500);
  g_assert_cmpstr (s->currency, ==, "CNY");
  g_clear_pointer (&spends, g_array_unref);

  g_ptr_array_set_size (fixture->changed, 0);
  g_assert_true (ct_channel_delete_spend (fixture->db, wechat, "2025-03", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->changed->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fixture->changed, 0), ==, "channel_spend");
  g_assert_cmpint (ct_db_query_int64 (fixture->db,
                                      "SELECT count(*) FROM channel_spend WHERE month = '2025-03'",
                                      NULL), ==, 1);

  /* Again: nothing there any more, and it says so. */
  g_assert_false (ct_channel_delete_spend (fixture->db, wechat, "2025-03", &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (fixture->changed->len, ==, 1);

  spends = ct_channel_list_spend (fixture->db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (spends->len, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/channel/named-item", test_named_item);
  ADD ("/channel/ensure", test_ensure);
  ADD ("/channel/ensure-blank", test_ensure_blank);
  ADD ("/channel/list-all", test_list_all);
  ADD ("/channel/spend", test_spend);
  ADD ("/channel/spend-invalid", test_spend_invalid);
  ADD ("/channel/spend-list-delete", test_spend_list_delete);
  ADD ("/channel/spend-follows-channel", test_spend_follows_channel);

  return g_test_run ();
}
