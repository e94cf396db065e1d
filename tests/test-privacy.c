/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-privacy.c: tests for ct-privacy */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gstdio.h>

#include "ct-contact.h"
#include "ct-privacy.h"
#include "ct-stats.h"

typedef struct
{
  char      *dir;
  char      *path;
  CtDb      *db;
  GPtrArray *changed;
  gint64     wei;
  gint64     ada;
} Fixture;

static void
on_changed (CtDb       *db,
            const char *table,
            gpointer    user_data)
{
  Fixture *f = user_data;

  g_ptr_array_add (f->changed, g_strdup (table));
}

static void
exec (Fixture    *f,
      const char *sql)
{
  GError *error = NULL;

  ct_db_exec (f->db, sql, &error);
  g_assert_no_error (error);
}

static gint64
add_contact (Fixture            *f,
             const char         *email,
             const char         *first,
             const char         *last,
             const char         *phone,
             const char * const *tags)
{
  g_autoptr(CtContact) contact = ct_contact_new ();
  GError *error = NULL;

  ct_contact_set_email (contact, email);
  ct_contact_set_first_name (contact, first);
  ct_contact_set_last_name (contact, last);
  ct_contact_set_phone (contact, phone);
  ct_contact_insert (f->db, contact, &error);
  g_assert_no_error (error);
  if (tags != NULL)
    {
      ct_contact_set_tags (f->db, ct_contact_get_id (contact), tags, &error);
      g_assert_no_error (error);
    }
  return ct_contact_get_id (contact);
}

static void
add_purchase (Fixture    *f,
              gint64      contact_id,
              gint64      amount,
              gint64      at,
              const char *ref,
              gboolean    refunded)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *error = NULL;

  stmt = ct_db_prepare (f->db,
                        "INSERT INTO purchases (contact_id, product_id, amount, currency,"
                        " purchased_at, channel_id, source, external_ref, refunded)"
                        " VALUES (?1, 1, ?2, 'CNY', ?3, 1, 'youzan', ?4, ?5)",
                        &error);
  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, contact_id);
  sqlite3_bind_int64 (stmt, 2, amount);
  sqlite3_bind_int64 (stmt, 3, at);
  sqlite3_bind_text (stmt, 4, ref, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 5, refunded);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const char *wei_tags[] = { "张伟推荐", "vip", NULL };
  const char *ada_tags[] = { "vip", NULL };
  GError *error = NULL;

  f->dir = g_dir_make_tmp ("clientele-test-privacy-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "clientele.db", NULL);
  f->db = ct_db_open (f->path, &error);
  g_assert_no_error (error);
  f->changed = g_ptr_array_new_with_free_func (g_free);

  exec (f, "INSERT INTO channels (id, name) VALUES (1, '小红书')");
  exec (f, "INSERT INTO products (id, name, price) VALUES (1, '写作课', 19900)");
  f->wei = add_contact (f, "Zhang.Wei@Example.com", "伟", "张", "13800138000", wei_tags);
  f->ada = add_contact (f, "ada@example.com", "Ada", "Lovelace", "+44 20 7946 0000", ada_tags);
  exec (f, "UPDATE contacts SET channel_id = 1, company = '伟业文化', notes = '老客户，住在朝阳区',"
           " consent_at = 1704445530, consent_source = 'signup form',"
           " attributes = '{\"city\":\"北京\",\"age\":35}'"
           " WHERE email = 'Zhang.Wei@Example.com'");
  add_purchase (f, f->wei, 19900, 1704445530, "YZ-1001", FALSE);
  add_purchase (f, f->wei, 4900, 1706745600, "YZ-1002", TRUE);
  add_purchase (f, f->wei, 9900, 1709251200, "YZ-1003", FALSE);
  add_purchase (f, f->ada, 19900, 1704445530, "YZ-2001", FALSE);

  /* A table of a later feature that refers to contacts. */
  exec (f, "CREATE TABLE later_notes (id INTEGER PRIMARY KEY,"
           " contact_id INTEGER REFERENCES contacts(id), points INTEGER, note TEXT)");
  {
    g_autofree char *sql = g_strdup_printf ("INSERT INTO later_notes (contact_id, points, note)"
                                            " VALUES (%" G_GINT64_FORMAT ", 120, '张伟 birthday bonus'),"
                                            " (%" G_GINT64_FORMAT ", 5, 'welcome')",
                                            f->wei, f->ada);
    exec (f, sql);
  }
  /* Ada referred Wei. */
  {
    g_autofree char *sql = g_strdup_printf ("INSERT INTO referrals (referred_id, referrer_id, created_at)"
                                            " VALUES (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", 1704445530)",
                                            f->wei, f->ada);
    exec (f, sql);
  }

  g_signal_connect (f->db, "changed", G_CALLBACK (on_changed), f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_object (&f->db);
  g_ptr_array_unref (f->changed);
  dir = g_dir_open (f->dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (f->dir, name, NULL);
      g_remove (child);
    }
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  g_assert_true (json_object_has_member (object, name));
  return json_object_get_string_member (object, name);
}

static void
check_export (JsonNode *root,
              gint64    id)
{
  JsonObject *object, *contact, *attributes, *purchase, *other;
  JsonArray *tags, *purchases, *ledger;

  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  object = json_node_get_object (root);
  g_assert_cmpstr (member_string (object, "format"), ==, "clientele-contact-export");
  g_assert_cmpint (json_object_get_int_member (object, "format_version"), ==, 1);
  g_assert_true (g_str_has_suffix (member_string (object, "exported_at"), "Z"));

  contact = json_object_get_object_member (object, "contact");
  g_assert_cmpint (json_object_get_int_member (contact, "id"), ==, id);
  g_assert_cmpstr (member_string (contact, "email"), ==, "Zhang.Wei@Example.com");
  g_assert_cmpstr (member_string (contact, "first_name"), ==, "伟");
  g_assert_cmpstr (member_string (contact, "last_name"), ==, "张");
  g_assert_cmpstr (member_string (contact, "phone"), ==, "13800138000");
  g_assert_cmpstr (member_string (contact, "company"), ==, "伟业文化");
  g_assert_cmpstr (member_string (contact, "channel"), ==, "小红书");
  g_assert_cmpstr (member_string (contact, "status"), ==, "subscribed");
  g_assert_cmpstr (member_string (contact, "consent_at"), ==, "2024-01-05T09:05:30Z");
  g_assert_cmpstr (member_string (contact, "consent_source"), ==, "signup form");
  g_assert_cmpstr (member_string (contact, "notes"), ==, "老客户，住在朝阳区");
  g_assert_cmpstr (member_string (contact, "first_purchase_at"), ==, "2024-01-05T09:05:30Z");
  g_assert_cmpstr (member_string (contact, "last_purchase_at"), ==, "2024-03-01T00:00:00Z");
  g_assert_cmpint (json_object_get_int_member (contact, "purchase_count"), ==, 2);
  attributes = json_object_get_object_member (contact, "attributes");
  g_assert_nonnull (attributes);
  g_assert_cmpstr (member_string (attributes, "city"), ==, "北京");
  g_assert_cmpint (json_object_get_int_member (attributes, "age"), ==, 35);

  tags = json_object_get_array_member (object, "tags");
  g_assert_cmpuint (json_array_get_length (tags), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (tags, 0), ==, "vip");
  g_assert_cmpstr (json_array_get_string_element (tags, 1), ==, "张伟推荐");

  /* Refunded ones too: they are held. */
  /* Who referred Wei, by id only. */
  {
    JsonArray *referrals = json_object_get_array_member (object, "referrals");
    JsonObject *referral;

    g_assert_cmpuint (json_array_get_length (referrals), ==, 1);
    referral = json_array_get_object_element (referrals, 0);
    g_assert_cmpstr (member_string (referral, "role"), ==, "referred_by");
    g_assert_cmpint (json_object_get_int_member (referral, "other_contact_id"), !=, id);
    g_assert_cmpstr (member_string (referral, "created_at"), ==, "2024-01-05T09:05:30Z");
  }
  purchases = json_object_get_array_member (object, "purchases");
  g_assert_cmpuint (json_array_get_length (purchases), ==, 3);
  purchase = json_array_get_object_element (purchases, 1);
  g_assert_cmpstr (member_string (purchase, "order_id"), ==, "YZ-1002");
  g_assert_cmpstr (member_string (purchase, "source"), ==, "youzan");
  g_assert_cmpstr (member_string (purchase, "paid_at"), ==, "2024-02-01T00:00:00Z");
  g_assert_cmpstr (member_string (purchase, "product"), ==, "写作课");
  g_assert_cmpstr (member_string (purchase, "amount"), ==, "49.00");
  g_assert_cmpstr (member_string (purchase, "currency"), ==, "CNY");
  g_assert_cmpstr (member_string (purchase, "channel"), ==, "小红书");
  g_assert_true (json_object_get_boolean_member (purchase, "refunded"));

  other = json_object_get_object_member (object, "other");
  ledger = json_object_get_array_member (other, "later_notes");
  g_assert_cmpuint (json_array_get_length (ledger), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (ledger, 0), "points"), ==, 120);
  g_assert_cmpstr (member_string (json_array_get_object_element (ledger, 0), "note"), ==,
                   "张伟 birthday bonus");
  /* The points the purchases earned (the refunded one earned none). */
  ledger = json_object_get_array_member (other, "points_ledger");
  g_assert_cmpuint (json_array_get_length (ledger), ==, 2);
  /* Only this contact's rows; the analytics cache (contact_metrics), the
   * campaign outbox, the automations' firings, the A/B test's held-back
   * audience, the loyalty tables and the dashboard's summary of the
   * customer (contact_rollup, and rollup_dirty while it waits for a
   * refresh) and the products the contact bought (product_buyers) are
   * there too, empty where nothing happened. */
  g_assert_cmpuint (json_object_get_size (other), ==, 12);
  g_assert_true (json_object_has_member (other, "product_buyers"));
  g_assert_true (json_object_has_member (other, "contact_rollup"));
  g_assert_true (json_object_has_member (other, "rollup_dirty"));
  g_assert_true (json_object_has_member (other, "feedback"));
  g_assert_true (json_object_has_member (other, "tier_history"));
  g_assert_true (json_object_has_member (other, "contact_loyalty"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (other, "automation_firings")), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (other, "ab_holdout")), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (other, "contact_metrics")), ==, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (other, "outbox")), ==, 0);
}

static void
test_export (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(JsonNode) root = NULL;
  GError *error = NULL;

  root = ct_privacy_export_contact (f->db, f->wei, &error);
  g_assert_no_error (error);
  check_export (root, f->wei);

  g_assert_null (ct_privacy_export_contact (f->db, 4242, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (sqlite3_get_autocommit (ct_db_get_handle (f->db)));
}

static void
test_export_file (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "张伟.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *contents = NULL;
  GError *error = NULL;

  g_assert_true (ct_privacy_export_contact_to_file (f->db, f->wei, file, NULL, &error));
  g_assert_no_error (error);
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  /* Pretty, and readable UTF-8 rather than \u escapes. */
  g_assert_true (g_utf8_validate (contents, -1, NULL));
  g_assert_true (g_str_has_prefix (contents, "{\n  \""));
  g_assert_nonnull (strstr (contents, "\"first_name\" : \"伟\""));
  g_assert_true (g_str_has_suffix (contents, "}\n"));

  json_parser_load_from_data (parser, contents, -1, &error);
  g_assert_no_error (error);
  check_export (json_parser_get_root (parser), f->wei);

  /* No file for a contact that does not exist. */
  g_remove (path);
  g_assert_false (ct_privacy_export_contact_to_file (f->db, 4242, file, NULL, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* Every text value in every table of the database that contains @needle
 * (case-insensitive), as "table.column". */
static GPtrArray *
find_text (Fixture    *f,
           const char *needle)
{
  g_autoptr(sqlite3_stmt) tables = NULL;
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);
  GError *error = NULL;

  tables = ct_db_prepare (f->db,
                          "SELECT m.name, i.name FROM sqlite_schema m, pragma_table_info(m.name) i"
                          " WHERE m.type = 'table'",
                          &error);
  g_assert_no_error (error);
  while (sqlite3_step (tables) == SQLITE_ROW)
    {
      const char *table = (const char *) sqlite3_column_text (tables, 0);
      const char *column = (const char *) sqlite3_column_text (tables, 1);
      char *sql = sqlite3_mprintf ("SELECT count(*) FROM \"%w\" WHERE instr(lower(CAST(\"%w\" AS TEXT)), lower(?1))",
                                   table, column);
      g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (f->db, sql, &error);

      sqlite3_free (sql);
      g_assert_no_error (error);
      sqlite3_bind_text (stmt, 1, needle, -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      if (sqlite3_column_int (stmt, 0) > 0)
        g_ptr_array_add (found, g_strdup_printf ("%s.%s", table, column));
    }
  return found;
}

static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return FALSE;
  return memmem (contents, len, needle, strlen (needle)) != NULL;
}

static void
on_scrubbed (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_erase (Fixture       *f,
            gconstpointer  data)
{
  static const char * const traces[] = {
    "Zhang.Wei@Example.com", "13800138000", "张伟", "伟业文化", "朝阳区", "YZ-1001", "YZ-1003",
    "birthday bonus", "北京",
  };
  g_autoptr(GError) error = NULL;
  CtStats before, after;
  gboolean erased = FALSE;

  g_assert_true (ct_stats_load (f->db, &before, &error));
  g_assert_no_error (error);
  /* The data is there to start with, so the scan below can see it. */
  for (guint i = 0; i < G_N_ELEMENTS (traces); i++)
    {
      g_autoptr(GPtrArray) found = find_text (f, traces[i]);

      g_assert_cmpuint (found->len, >, 0);
    }

  if (data == NULL)
    g_assert_true (ct_privacy_erase_contact (f->db, f->wei, &error));
  else
    {
      /* The app's way: erased at once, the file rewritten in the
       * background; the checks below run once that is over. */
      g_autoptr(GAsyncResult) scrubbed = NULL;

      g_assert_true (ct_privacy_erase_contact_async (f->db, f->wei, NULL, on_scrubbed,
                                                     &scrubbed, &error));
      g_assert_null (ct_contact_load (f->db, f->wei, NULL));
      while (scrubbed == NULL)
        g_main_context_iteration (NULL, TRUE);
      g_assert_true (ct_privacy_scrub_finish (scrubbed, &error));
    }
  g_assert_no_error (error);
  g_assert_true (sqlite3_get_autocommit (ct_db_get_handle (f->db)));

  /* The revenue figures of the business do not change... */
  g_assert_true (ct_stats_load (f->db, &after, &error));
  g_assert_no_error (error);
  g_assert_cmpint (after.revenue, ==, before.revenue);
  g_assert_cmpint (after.purchases, ==, before.purchases);
  g_assert_cmpstr (after.currency, ==, before.currency);
  g_assert_cmpint (after.contacts, ==, before.contacts - 1);
  g_assert_cmpint (ct_db_query_int64 (f->db, "SELECT count(*) FROM purchases WHERE contact_id IS NULL"
                                      " AND external_ref IS NULL AND product_id = 1 AND channel_id = 1",
                                      NULL), ==, 3);
  g_assert_cmpint (ct_db_query_int64 (f->db, "SELECT sum(amount) FROM purchases WHERE contact_id IS NULL",
                                      NULL), ==, 19900 + 4900 + 9900);

  /* ...and the person is gone from every table. */
  for (guint i = 0; i < G_N_ELEMENTS (traces); i++)
    {
      g_autoptr(GPtrArray) found = find_text (f, traces[i]);

      if (found->len > 0)
        g_error ("“%s” is still in %s", traces[i], (char *) g_ptr_array_index (found, 0));
    }
  g_assert_cmpint (ct_db_query_int64 (f->db, "SELECT count(*) FROM later_notes", NULL), ==, 1);
  g_assert_cmpint (ct_db_query_int64 (f->db, "SELECT count(*) FROM points_ledger", NULL), ==, 1);

  /* The other contact keeps their tag, their purchase and their points;
   * the tag only the erased one had is gone. */
  {
    g_auto(GStrv) tags = ct_contact_get_tag_list (f->db, f->ada, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (g_strv_length (tags), ==, 1);
    g_assert_cmpstr (tags[0], ==, "vip");
    g_assert_cmpint (ct_db_query_int64 (f->db, "SELECT count(*) FROM tags", NULL), ==, 1);
    g_assert_cmpint (ct_db_query_int64 (f->db, "SELECT total_spent FROM contacts WHERE email = 'ada@example.com'",
                                        NULL), ==, 19900);
  }

  /* Only a hash of the email is kept, found whatever the case. */
  g_assert_cmpint (ct_db_query_int64 (f->db, "SELECT count(*) FROM erased_emails", NULL), ==, 1);
  g_assert_true (ct_privacy_is_erased (f->db, " zhang.wei@example.COM ", &erased, &error));
  g_assert_no_error (error);
  g_assert_true (erased);
  g_assert_true (ct_privacy_is_erased (f->db, "ada@example.com", &erased, &error));
  g_assert_false (erased);
  g_assert_true (ct_privacy_is_erased (f->db, NULL, &erased, &error));
  g_assert_false (erased);

  /* There is no undo: the contact cannot be loaded or exported. */
  g_assert_null (ct_contact_load (f->db, f->wei, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The lists were told. */
  g_assert_true (g_ptr_array_find_with_equal_func (f->changed, "contacts", g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (f->changed, "purchases", g_str_equal, NULL));

  /* Nor is anything left in the file's unused space or its log, for a
   * hex editor to find: the fixture's updates left stale copies of the
   * row in the page, which only rewriting the file removes. */
  g_clear_object (&f->db);
  {
    g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);

    for (guint i = 0; i < G_N_ELEMENTS (traces); i++)
      {
        g_assert_false (file_contains (f->path, traces[i]));
        g_assert_false (file_contains (wal, traces[i]));
      }
    /* The other contact's data is, which shows the scan reads the file. */
    g_assert_true (file_contains (f->path, "ada@example.com") || file_contains (wal, "ada@example.com"));
  }
}

static void
test_erase_missing (Fixture       *f,
                    gconstpointer  data)
{
  GError *error = NULL;
  gint64 n_contacts = ct_db_query_int64 (f->db, "SELECT count(*) FROM contacts", NULL);
  gint64 secure;

  secure = ct_db_query_int64 (f->db, "PRAGMA secure_delete", NULL);
  g_assert_false (ct_privacy_erase_contact (f->db, 4242, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (sqlite3_get_autocommit (ct_db_get_handle (f->db)));
  g_assert_cmpint (ct_db_query_int64 (f->db, "SELECT count(*) FROM contacts", NULL), ==, n_contacts);
  g_assert_cmpint (ct_db_query_int64 (f->db, "SELECT count(*) FROM erased_emails", NULL), ==, 0);
  /* The connection's setting is put back. */
  g_assert_cmpint (ct_db_query_int64 (f->db, "PRAGMA secure_delete", NULL), ==, secure);
  g_assert_cmpuint (f->changed->len, ==, 0);
}

/* A contact without an email (phone only) is erased too, and no hash is
 * kept for it. */
static void
test_erase_no_email (Fixture       *f,
                     gconstpointer  data)
{
  GError *error = NULL;
  gint64 id = add_contact (f, NULL, "", "", "13999999999", NULL);
  g_autoptr(GPtrArray) found = NULL;

  add_purchase (f, id, 100, 1704445530, "P-9", FALSE);
  g_assert_true (ct_privacy_erase_contact (f->db, id, &error));
  g_assert_no_error (error);
  found = find_text (f, "13999999999");
  g_assert_cmpuint (found->len, ==, 0);
  g_assert_cmpint (ct_db_query_int64 (f->db, "SELECT count(*) FROM erased_emails", NULL), ==, 0);
  g_assert_cmpint (ct_db_query_int64 (f->db, "SELECT count(*) FROM purchases WHERE amount = 100"
                                      " AND contact_id IS NULL", NULL), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/privacy/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("export", test_export);
  ADD ("export-file", test_export_file);
  ADD ("erase", test_erase);
  g_test_add ("/privacy/erase-async", Fixture, "async", fixture_set_up, test_erase, fixture_tear_down);
  ADD ("erase-missing", test_erase_missing);
  ADD ("erase-no-email", test_erase_no_email);

#undef ADD

  return g_test_run ();
}
