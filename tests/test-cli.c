/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cli.c: the command line, run as the real binary */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ct-cli.h"
#include "ct-db.h"
#include "ct-money.h"
#include "ct-test-cli.h"

static char *
group (gint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GINT64_FORMAT, n);
  GString *out = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

/* The value printed after "@label:" on a line of @text, trimmed. */
static char *
value_of (const char *text,
          const char *label)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *prefix = g_strconcat (label, ":", NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strstrip (g_strdup (lines[i] + strlen (prefix)));
  return NULL;
}

static gint64
query (CtDb       *db,
       const char *sql)
{
  g_autoptr(GError) error = NULL;
  gint64 v = ct_db_query_int64 (db, sql, &error);

  g_assert_no_error (error);
  return v;
}

/* Checks the figures in @text against the database itself, computed from
 * the purchases rather than from the trigger-kept columns. */
static void
assert_stats (const char *text,
              const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtDb) db = ct_db_open (path, &error);
  struct { const char *label; const char *sql; } rows[] = {
    { "Contacts", "SELECT count(*) FROM contacts" },
    { "Customers", "SELECT count(DISTINCT contact_id) FROM purchases WHERE refunded = 0" },
    { "Purchases", "SELECT count(*) FROM purchases WHERE refunded = 0" },
    { "Products", "SELECT count(*) FROM products" },
  };
  g_autofree char *revenue = NULL;
  g_autofree char *shown = NULL;

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *expected = group (query (db, rows[i].sql));
      g_autofree char *value = value_of (text, rows[i].label);

      g_assert_nonnull (value);
      g_assert_cmpstr (value, ==, expected);
    }

  revenue = ct_money_format (query (db, "SELECT sum(amount) FROM purchases WHERE refunded = 0"), "CNY");
  shown = value_of (text, "Revenue");
  g_assert_cmpstr (shown, ==, revenue);
}

static void
test_demo_then_stats (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "business.db", NULL);
  g_autoptr(GError) error = NULL;
  g_auto(Result) demo = { 0 };
  g_auto(Result) stats = { 0 };
  g_autofree char *contacts = NULL;
  g_autofree char *purchases = NULL;
  g_autoptr(CtDb) db = NULL;
  gint64 n_purchases;

  g_assert_null (g_environ_getenv (f->envp, "DISPLAY"));
  g_assert_null (g_environ_getenv (f->envp, "WAYLAND_DISPLAY"));

  demo = run (f, "demo", "--db", path, "--contacts", "300", "--seed", "7", NULL);
  g_assert_cmpint (demo.status, ==, 0);
  g_assert_cmpstr (demo.err, ==, "");
  g_assert_nonnull (strstr (demo.out, "seed 7"));
  assert_stats (demo.out, path);

  stats = run (f, "stats", "--db", path, NULL);
  g_assert_cmpint (stats.status, ==, 0);
  g_assert_cmpstr (stats.err, ==, "");
  assert_stats (stats.out, path);

  contacts = value_of (stats.out, "Contacts");
  g_assert_cmpstr (contacts, ==, "300");

  /* about ten purchases a contact, so the count has a thousands comma */
  db = ct_db_open (path, &error);
  g_assert_no_error (error);
  n_purchases = query (db, "SELECT count(*) FROM purchases WHERE refunded = 0");
  g_assert_cmpint (n_purchases, >=, 1000);
  purchases = value_of (stats.out, "Purchases");
  g_assert_nonnull (strchr (purchases, ','));

  /* the same numbers as in demo's own summary */
  g_assert_cmpstr (strstr (demo.out, "Database:"), ==, stats.out);
}

static void
test_demo_default_path (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "data", "clientele", "clientele.db", NULL);
  g_auto(Result) demo = { 0 };
  g_auto(Result) stats = { 0 };
  g_autofree char *contacts = NULL;

  demo = run (f, "demo", "--contacts", "40", NULL);
  g_assert_cmpint (demo.status, ==, 0);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  stats = run (f, "stats", NULL);
  g_assert_cmpint (stats.status, ==, 0);
  contacts = value_of (stats.out, "Contacts");
  g_assert_cmpstr (contacts, ==, "40");
  assert_stats (stats.out, path);
}

static char *
table_checksum (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtDb) db = ct_db_open (path, &error);
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_assert_no_error (error);
  stmt = ct_db_prepare (db,
                        "SELECT (SELECT count(*) || ':' || sum(id) || ':' || sum(length(email)) FROM contacts)"
                        " || '/' || (SELECT count(*) || ':' || sum(amount) FROM purchases)"
                        " || '/' || (SELECT count(*) FROM products)", NULL);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

static void
test_demo_refuses_non_empty (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "business.db", NULL);
  g_auto(Result) first = { 0 };
  g_auto(Result) second = { 0 };
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  first = run (f, "demo", "--db", path, "--contacts", "50", NULL);
  g_assert_cmpint (first.status, ==, 0);
  before = table_checksum (path);

  second = run (f, "demo", "--db", path, "--contacts", "50", "--seed", "2", NULL);
  g_assert_cmpint (second.status, ==, 1);
  g_assert_true (g_str_has_prefix (second.err, "clientele: "));
  g_assert_nonnull (strstr (second.err, "already holds contacts or products"));
  g_assert_cmpstr (second.out, ==, "");

  after = table_checksum (path);
  g_assert_cmpstr (before, ==, after);
}

static char *
read_file (const char *path,
           gsize      *length)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);
  return contents;
}

/* Runs "stats" (or @command) on @path and checks that it is refused with a
 * message containing @expected, and that the file and its folder are
 * exactly as before. */
static void
assert_refused (Fixture    *f,
                const char *command,
                const char *path,
                const char *expected)
{
  g_auto(Result) r = { 0 };
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autofree char *journal = g_strconcat (path, "-journal", NULL);
  gsize len_before, len_after;

  before = read_file (path, &len_before);

  r = run (f, command, "--db", path, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_true (g_str_has_prefix (r.err, "clientele: "));
  if (strstr (r.err, expected) == NULL)
    g_error ("expected “%s” in: %s", expected, r.err);
  g_assert_cmpstr (r.out, ==, "");

  after = read_file (path, &len_after);
  g_assert_cmpmem (before, len_before, after, len_after);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (shm, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
}

static void
test_stats_text_file (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "notes.txt", NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, "客户名单\nAda, ada@example.com\n", -1, &error);
  g_assert_no_error (error);

  assert_refused (f, "stats", path, "is not a Clientele database");
  assert_refused (f, "demo", path, "is not a Clientele database");
}

static void
test_stats_foreign (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "other.sqlite", NULL);
  sqlite3 *handle = NULL;

  g_assert_cmpint (sqlite3_open (path, &handle), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (handle, "CREATE TABLE notes (body TEXT);"
                                         "INSERT INTO notes VALUES ('hello')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (handle);

  assert_refused (f, "stats", path, "database of another program");
  assert_refused (f, "demo", path, "database of another program");
}

static void
test_stats_too_new (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "future.db", NULL);
  g_autofree char *sql = NULL;
  sqlite3 *handle = NULL;

  sql = g_strdup_printf ("PRAGMA application_id = %d; PRAGMA user_version = %d;"
                         "CREATE TABLE contacts (id INTEGER PRIMARY KEY)",
                         CT_DB_APPLICATION_ID, CT_DB_SCHEMA_VERSION + 5);
  g_assert_cmpint (sqlite3_open (path, &handle), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (handle, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (handle);

  assert_refused (f, "stats", path, "newer version of Clientele");
}

static void
test_stats_corrupt (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "damaged.db", NULL);
  g_autoptr(GError) error = NULL;
  g_auto(Result) demo = { 0 };
  g_autofree char *contents = NULL;
  gsize length;

  demo = run (f, "demo", "--db", path, "--contacts", "200", NULL);
  g_assert_cmpint (demo.status, ==, 0);

  /* Scribble over a page in the middle, past the header and schema. */
  contents = read_file (path, &length);
  g_assert_cmpuint (length, >, 16 * 4096);
  memset (contents + 8 * 4096, 0x5a, 4096);
  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);

  assert_refused (f, "stats", path, "damaged");
}

static void
test_stats_locked (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "busy.db", NULL);
  g_auto(Result) demo = { 0 };
  g_auto(Result) r = { 0 };
  sqlite3 *handle = NULL;

  demo = run (f, "demo", "--db", path, "--contacts", "20", NULL);
  g_assert_cmpint (demo.status, ==, 0);

  /* Another program is in the middle of writing. */
  g_assert_cmpint (sqlite3_open (path, &handle), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (handle, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);

  r = run (f, "stats", "--db", path, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_true (g_str_has_prefix (r.err, "clientele: "));
  g_assert_nonnull (strstr (r.err, "being changed by another program"));
  g_assert_cmpstr (r.out, ==, "");

  sqlite3_exec (handle, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (handle);
}

static void
test_stats_missing (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "nowhere", "none.db", NULL);
  g_autofree char *empty = g_build_filename (f->dir, "empty.db", NULL);
  g_autoptr(GError) error = NULL;
  g_auto(Result) r = { 0 };
  g_auto(Result) r2 = { 0 };
  g_auto(Result) r3 = { 0 };

  r = run (f, "stats", "--db", path, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "There is no database"));
  /* looking never creates anything */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  g_file_set_contents (empty, "", 0, &error);
  g_assert_no_error (error);
  r2 = run (f, "stats", "--db", empty, NULL);
  g_assert_cmpint (r2.status, ==, 1);
  g_assert_nonnull (strstr (r2.err, "is empty"));

  r3 = run (f, "stats", "--db", f->dir, NULL);
  g_assert_cmpint (r3.status, ==, 1);
  g_assert_nonnull (strstr (r3.err, "is a folder"));
}

static void
test_usage_errors (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "x.db", NULL);
  const char *bad[][4] = {
    { "demo", "--contacts", "abc", NULL },
    { "demo", "--contacts", "0", NULL },
    { "demo", "--contacts", "2000000", NULL },
    { "demo", "--seed", "-3", NULL },
    { "demo", "--frobnicate", NULL, NULL },
    { "stats", "surplus", NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_auto(Result) r = run (f, bad[i][0], "--db", path, bad[i][1], bad[i][2], NULL);

      g_assert_cmpint (r.status, ==, 2);
      g_assert_true (g_str_has_prefix (r.err, "clientele: "));
      g_assert_cmpstr (r.out, ==, "");
      /* a mistake on the command line creates nothing */
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }
}

static void
test_help (Fixture       *f,
           gconstpointer  data)
{
  g_auto(Result) list = run (f, "help", NULL);
  g_auto(Result) demo = run (f, "help", "demo", NULL);
  g_auto(Result) stats = run (f, "stats", "--help", NULL);
  g_auto(Result) nope = run (f, "help", "frobnicate", NULL);

  g_assert_cmpint (list.status, ==, 0);
  g_assert_nonnull (strstr (list.out, "\n  demo "));
  g_assert_nonnull (strstr (list.out, "\n  stats "));
  g_assert_nonnull (strstr (list.out, "\n  help "));

  g_assert_cmpint (demo.status, ==, 0);
  g_assert_nonnull (strstr (demo.out, "clientele demo"));
  g_assert_nonnull (strstr (demo.out, "--contacts"));
  g_assert_nonnull (strstr (demo.out, "--seed"));
  g_assert_nonnull (strstr (demo.out, "--db"));

  g_assert_cmpint (stats.status, ==, 0);
  g_assert_nonnull (strstr (stats.out, "clientele stats"));
  g_assert_nonnull (strstr (stats.out, "--db"));

  g_assert_cmpint (nope.status, ==, 2);
  g_assert_nonnull (strstr (nope.err, "frobnicate"));
}

static void
test_is_command (void)
{
  const char *demo[] = { "clientele", "demo", "--db", "x", NULL };
  const char *stats[] = { "clientele", "stats", NULL };
  const char *help[] = { "clientele", "help", NULL };
  const char *dash_help[] = { "clientele", "--help", NULL };
  const char *db[] = { "clientele", "--db", "x.db", NULL };
  const char *bare[] = { "clientele", NULL };
  const char *unknown[] = { "clientele", "frobnicate", NULL };

  g_assert_true (ct_cli_is_command (4, (char **) demo));
  g_assert_true (ct_cli_is_command (2, (char **) stats));
  g_assert_true (ct_cli_is_command (2, (char **) help));
  g_assert_false (ct_cli_is_command (2, (char **) dash_help));
  g_assert_false (ct_cli_is_command (3, (char **) db));
  g_assert_false (ct_cli_is_command (1, (char **) bare));
  /* A mistyped command is refused on the command line, not taken for
   * the app (which would need a display). */
  g_assert_true (ct_cli_is_command (2, (char **) unknown));
  g_assert_cmpint (ct_cli_run (2, (char **) unknown), ==, 2);
}

/* A database with three contacts: ann spent ¥5,000 in the last days
 * (Gold), bob ¥999.99 (Member), cat nothing. */
static char *
make_loyalty_db (Fixture *f)
{
  char *path = g_build_filename (f->dir, "loyalty.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CtDb) db = ct_db_open (path, &error);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *sql = NULL;

  g_assert_no_error (error);
  sql = g_strdup_printf ("INSERT INTO contacts (id, email) VALUES (1, 'ann@example.com'),"
                         " (2, 'bob@example.com'), (3, 'cat@example.com');"
                         "INSERT INTO purchases (contact_id, amount, purchased_at) VALUES"
                         " (1, 500000, %" G_GINT64_FORMAT "), (2, 99999, %" G_GINT64_FORMAT ");",
                         now - 86400, now - 86400);
  ct_db_exec (db, sql, &error);
  g_assert_no_error (error);
  return path;
}

static void
test_tiers (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *path = make_loyalty_db (f);
  g_auto(Result) text = { 0 };
  g_auto(Result) json = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *tiers;

  text = run (f, "tiers", "--db", path, NULL);
  g_assert_cmpint (text.status, ==, 0);
  g_assert_nonnull (strstr (text.out, "Gold"));
  g_assert_nonnull (strstr (text.out, "¥5,000.00"));

  json = run (f, "tiers", "--db", path, "--json", NULL);
  g_assert_cmpint (json.status, ==, 0);
  json_parser_load_from_data (parser, json.out, -1, &error);
  g_assert_no_error (error);
  tiers = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "tiers");
  g_assert_cmpuint (json_array_get_length (tiers), ==, 4);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (tiers, 0), "members"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (tiers, 1), "members"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (tiers, 2), "members"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (tiers, 2), "name"), ==, "Gold");
  g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (tiers, 2), "min_spend"), ==, 5000.0);
  g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (tiers, 2), "points_multiplier"), ==, 1.5);
  g_assert_true (json_object_get_null_member (json_array_get_object_element (tiers, 2), "min_purchases"));
}

static void
test_points (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *path = make_loyalty_db (f);
  g_auto(Result) award = { 0 };
  g_auto(Result) task = { 0 };
  g_auto(Result) redeem = { 0 };
  g_auto(Result) too_many = { 0 };
  g_auto(Result) not_number = { 0 };
  g_auto(Result) no_reason = { 0 };
  g_auto(Result) nobody = { 0 };
  g_auto(Result) bad_task = { 0 };

  award = run (f, "points", "award", "CAT@example.com", "120", "Welcome", "gift", "--db", path, NULL);
  g_assert_cmpint (award.status, ==, 0);
  g_assert_nonnull (strstr (award.out, "120 points"));
  task = run (f, "points", "award", "cat@example.com", "30", "Review of course 2", "--task", "review", "--db", path, NULL);
  g_assert_cmpint (task.status, ==, 0);
  g_assert_nonnull (strstr (task.out, "150 points"));

  redeem = run (f, "points", "redeem", "cat@example.com", "50", "--db", path, NULL);
  g_assert_cmpint (redeem.status, ==, 0);
  g_assert_nonnull (strstr (redeem.out, "100 points"));

  too_many = run (f, "points", "redeem", "cat@example.com", "101", "--db", path, NULL);
  g_assert_cmpint (too_many.status, ==, 1);
  g_assert_nonnull (strstr (too_many.err, "only 100 points"));

  not_number = run (f, "points", "award", "cat@example.com", "ten", "x", "--db", path, NULL);
  g_assert_cmpint (not_number.status, ==, 2);
  g_assert_nonnull (strstr (not_number.err, "“ten”"));
  no_reason = run (f, "points", "award", "cat@example.com", "10", "--db", path, NULL);
  g_assert_cmpint (no_reason.status, ==, 2);
  nobody = run (f, "points", "award", "dan@example.com", "10", "x", "--db", path, NULL);
  g_assert_cmpint (nobody.status, ==, 1);
  g_assert_nonnull (strstr (nobody.err, "dan@example.com"));
  bad_task = run (f, "points", "award", "cat@example.com", "10", "x", "--task", "bonus", "--db", path, NULL);
  g_assert_cmpint (bad_task.status, ==, 2);
}

static void
test_export_tier_points (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *path = make_loyalty_db (f);
  g_autofree char *csv = g_build_filename (f->dir, "contacts.csv", NULL);
  g_autofree char *contents = NULL;
  g_auto(Result) tiers = { 0 };
  g_auto(Result) export = { 0 };
  g_autoptr(GError) error = NULL;

  tiers = run (f, "tiers", "--db", path, NULL);
  g_assert_cmpint (tiers.status, ==, 0);
  export = run (f, "export", "contacts", csv, "--db", path, NULL);
  g_assert_cmpint (export.status, ==, 0);
  g_file_get_contents (csv, &contents, NULL, &error);
  g_assert_no_error (error);
  /* ..., lifecycle, tier, points, clv, ... : ann's ¥5,000 earned 5,000 points */
  g_assert_nonnull (strstr (contents, ",tier,points,"));
  g_assert_nonnull (strstr (contents, ",Gold,5000,"));
  g_assert_nonnull (strstr (contents, ",Member,999,"));
}

static void
test_analyze_tiers (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *path = make_loyalty_db (f);
  g_auto(Result) analyze = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *tiers;

  analyze = run (f, "analyze", "--db", path, "--json", NULL);
  g_assert_cmpint (analyze.status, ==, 0);
  json_parser_load_from_data (parser, analyze.out, -1, &error);
  g_assert_no_error (error);
  tiers = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "tiers");
  g_assert_nonnull (tiers);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (json_object_get_array_member (tiers, "tiers"), 2), "members"), ==, 1);
  g_assert_true (json_object_has_member (tiers, "upgrade_rate"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (tiers, "monthly")), ==, 12);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/cli/is-command", test_is_command);
  ADD ("/cli/demo-then-stats-without-display", test_demo_then_stats);
  ADD ("/cli/demo-default-path", test_demo_default_path);
  ADD ("/cli/demo-refuses-non-empty", test_demo_refuses_non_empty);
  ADD ("/cli/stats-text-file", test_stats_text_file);
  ADD ("/cli/stats-foreign", test_stats_foreign);
  ADD ("/cli/stats-too-new", test_stats_too_new);
  ADD ("/cli/stats-corrupt", test_stats_corrupt);
  ADD ("/cli/stats-locked", test_stats_locked);
  ADD ("/cli/stats-missing", test_stats_missing);
  ADD ("/cli/usage-errors", test_usage_errors);
  ADD ("/cli/help", test_help);
  ADD ("/cli/tiers", test_tiers);
  ADD ("/cli/points", test_points);
  ADD ("/cli/export-tier-points", test_export_tier_points);
  ADD ("/cli/analyze-tiers", test_analyze_tiers);

  return g_test_run ();
}
