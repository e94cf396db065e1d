/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-db.c: tests for ct-db: creating, migrating and refusing files */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gstdio.h>

#include "ct-db.h"

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);

  if (dir != NULL)
    {
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      g_dir_close (dir);
    }
  g_remove (path);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  GError *error = NULL;

  fixture->dir = g_dir_make_tmp ("clientele-test-db-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "clientele.db", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static char *
file_checksum (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  GError *error = NULL;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
}

static goffset
file_size (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return -1;
  return st.st_size;
}

/* Nothing waits beside the main file that SQLite would fold into it on
 * the next open: no write-ahead log with content, no rollback journal. */
static void
assert_no_pending_writes (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *journal = g_strconcat (path, "-journal", NULL);

  g_assert_cmpint (file_size (wal), <=, 0);
  g_assert_cmpint (file_size (journal), <=, 0);
}

static sqlite3 *
raw_open (const char *path)
{
  sqlite3 *handle = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &handle,
                                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                   ==, SQLITE_OK);
  return handle;
}

static void
raw_exec (sqlite3    *handle,
          const char *sql)
{
  char *errmsg = NULL;

  if (sqlite3_exec (handle, sql, NULL, NULL, &errmsg) != SQLITE_OK)
    g_error ("%s: %s", sql, errmsg);
}

static gint64
raw_query_int (sqlite3    *handle,
               const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (handle, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static char *
query_text (CtDb       *db,
            const char *sql)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *error = NULL;

  stmt = ct_db_prepare (db, sql, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

/* A real Clientele database with enough rows to fill a good many pages. */
static void
make_clientele_db (const char *path,
                   guint       n_contacts)
{
  g_autoptr(CtDb) db = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *notes = g_strnfill (300, 'n');
  GError *error = NULL;

  db = ct_db_open (path, &error);
  g_assert_no_error (error);

  g_assert_true (ct_db_begin (db, &error));
  g_assert_no_error (error);
  stmt = ct_db_prepare (db,
                        "INSERT INTO contacts (email, first_name, notes) VALUES (?, ?, ?)",
                        &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n_contacts; i++)
    {
      g_autofree char *email = g_strdup_printf ("person%u@example.com", i);

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, email, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, "Person", -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, notes, -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
    }
  g_assert_true (ct_db_commit (db, &error));
  g_assert_no_error (error);
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_clear_object (&db);

  /* Closing the last connection folds the log into the file. */
  assert_no_pending_writes (path);
}

/* A checksum of @path and of its write-ahead log, which SQLite treats as
 * part of the database: "" for a log that is missing. */
static char *
database_checksum (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *main_sum = file_checksum (path);
  g_autofree char *wal_sum = file_size (wal) >= 0 ? file_checksum (wal) : g_strdup ("");

  return g_strconcat (main_sum, "+", wal_sum, NULL);
}

static void
assert_refused_full (const char *path,
                     int         code,
                     gboolean    has_wal)
{
  g_autofree char *before = database_checksum (path);
  g_autofree char *after = NULL;
  g_autofree char *display = g_filename_display_name (path);
  g_autoptr(CtDb) db = NULL;
  GError *error = NULL;

  db = ct_db_open (path, &error);
  g_assert_error (error, CT_DB_ERROR, code);
  g_assert_null (db);
  /* The message names the file, for the person who has to act on it. */
  g_assert_nonnull (strstr (error->message, display));
  g_clear_error (&error);

  after = database_checksum (path);
  g_assert_cmpstr (before, ==, after);
  if (!has_wal)
    assert_no_pending_writes (path);

  /* Refusing again is just as harmless. */
  db = ct_db_open (path, &error);
  g_assert_error (error, CT_DB_ERROR, code);
  g_clear_error (&error);
  g_clear_pointer (&after, g_free);
  after = database_checksum (path);
  g_assert_cmpstr (before, ==, after);
}

static void
assert_refused (const char *path,
                int         code)
{
  assert_refused_full (path, code, FALSE);
}

/* Leaves the changes of @sql in the write-ahead log beside @path, as a
 * program that crashed, or one that keeps its log, would. */
static void
write_to_wal_only (const char *path,
                   const char *sql)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  sqlite3 *other = raw_open (path);
  int off = -1;

  g_assert_cmpint (sqlite3_db_config (other, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, &off),
                   ==, SQLITE_OK);
  g_assert_cmpint (off, ==, 1);
  raw_exec (other, "PRAGMA journal_mode = WAL");
  raw_exec (other, sql);
  sqlite3_close (other);

  g_assert_cmpint (file_size (wal), >, 0);
}

static void
test_create (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "new", "folder", "my.db", NULL);
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *mode = NULL;
  g_autoptr(CtDb) db = NULL;
  GError *error = NULL;
  GStatBuf st;

  g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));

  db = ct_db_open (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (db);

  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  /* The folder holds a business's customers: only its owner reads it. */
  g_assert_cmpint (g_stat (folder, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  g_assert_cmpstr (ct_db_get_path (db), ==, path);
  g_assert_nonnull (ct_db_get_handle (db));
  g_assert_cmpint (ct_db_get_schema_version (db), ==, CT_DB_SCHEMA_VERSION);

  mode = query_text (db, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  g_assert_cmpint (ct_db_query_int64 (db, "PRAGMA foreign_keys", &error), ==, 1);
  g_assert_cmpint (ct_db_query_int64 (db, "PRAGMA user_version", &error), ==,
                   CT_DB_SCHEMA_VERSION);
  g_assert_cmpint (ct_db_query_int64 (db, "PRAGMA application_id", &error), ==,
                   CT_DB_APPLICATION_ID);
  g_assert_no_error (error);

  /* The schema is there and the file is not in a transaction. */
  for (guint i = 0; i < 8; i++)
    {
      static const char * const tables[] = {
        "channels", "channel_spend", "contacts", "tags", "contact_tags",
        "products", "purchases", "settings",
      };
      g_autoptr(sqlite3_stmt) stmt = NULL;

      stmt = ct_db_prepare (db, "SELECT count(*) FROM sqlite_schema"
                                " WHERE type = 'table' AND name = ?", &error);
      g_assert_no_error (error);
      sqlite3_bind_text (stmt, 1, tables[i], -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1);
    }
  g_assert_true (sqlite3_get_autocommit (ct_db_get_handle (db)));
  g_assert_true (ct_db_is_empty (db));

  /* Foreign keys are enforced. */
  g_assert_false (ct_db_exec (db, "INSERT INTO contact_tags VALUES (1, 1)", &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  g_clear_error (&error);
}

static void
test_reopen (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(CtDb) db = NULL;
  GError *error = NULL;
  gint64 n_objects;
  char header[20];
  FILE *fp;

  db = ct_db_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_true (ct_db_exec (db, "INSERT INTO contacts (email) VALUES ('ada@example.com')",
                             &error));
  g_assert_no_error (error);
  g_assert_false (ct_db_is_empty (db));
  n_objects = ct_db_query_int64 (db, "SELECT count(*) FROM sqlite_schema", &error);
  g_assert_cmpint (n_objects, >, 10);
  g_clear_object (&db);

  /* WAL is recorded in the file itself (bytes 18 and 19 are 2). */
  fp = g_fopen (fixture->path, "rb");
  g_assert_nonnull (fp);
  g_assert_cmpuint (fread (header, 1, sizeof header, fp), ==, sizeof header);
  fclose (fp);
  g_assert_cmpint (header[18], ==, 2);
  g_assert_cmpint (header[19], ==, 2);

  for (int round = 0; round < 2; round++)
    {
      db = ct_db_open (fixture->path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (ct_db_get_schema_version (db), ==, CT_DB_SCHEMA_VERSION);
      g_assert_cmpint (ct_db_query_int64 (db, "PRAGMA user_version", NULL), ==,
                       CT_DB_SCHEMA_VERSION);
      g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM sqlite_schema", NULL),
                       ==, n_objects);
      g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM contacts"
                                              " WHERE email = 'ada@example.com'", NULL),
                       ==, 1);
      g_assert_cmpint (ct_db_query_int64 (db, "PRAGMA foreign_keys", NULL), ==, 1);
      g_clear_object (&db);
    }
}

static void
test_two_connections (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(CtDb) first = NULL;
  g_autoptr(CtDb) second = NULL;
  GError *error = NULL;

  /* A worker thread opens its own connection while the window has one. */
  first = ct_db_open (fixture->path, &error);
  g_assert_no_error (error);
  second = ct_db_open (fixture->path, &error);
  g_assert_no_error (error);

  g_assert_true (ct_db_exec (first, "INSERT INTO tags (name) VALUES ('vip')", &error));
  g_assert_no_error (error);
  g_assert_cmpint (ct_db_query_int64 (second, "SELECT count(*) FROM tags", NULL), ==, 1);
}

static void
test_empty_file (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(CtDb) db = NULL;
  GError *error = NULL;

  g_file_set_contents (fixture->path, "", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (file_size (fixture->path), ==, 0);

  db = ct_db_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (db);
  g_assert_cmpint (ct_db_query_int64 (db, "PRAGMA user_version", NULL), ==,
                   CT_DB_SCHEMA_VERSION);
  g_assert_cmpint (ct_db_query_int64 (db, "PRAGMA application_id", NULL), ==,
                   CT_DB_APPLICATION_ID);
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM contacts", &error), ==, 0);
  g_assert_no_error (error);
}

static void
test_not_database (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *text = "name,email\nAda,ada@example.com\n张伟,zhang@example.com\n";
  GError *error = NULL;

  g_file_set_contents (fixture->path, text, -1, &error);
  g_assert_no_error (error);
  assert_refused (fixture->path, CT_DB_ERROR_NOT_DATABASE);

  /* Shorter than the SQLite header, and a file that only starts like it. */
  g_file_set_contents (fixture->path, "SQLite", -1, &error);
  g_assert_no_error (error);
  assert_refused (fixture->path, CT_DB_ERROR_NOT_DATABASE);
}

static void
test_not_database_header (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *contents = NULL;
  GError *error = NULL;

  /* The SQLite magic followed by garbage instead of a database header. */
  contents = g_malloc0 (4096);
  memcpy (contents, "SQLite format 3", 16);
  memset (contents + 16, 0xee, 4096 - 16);
  g_file_set_contents (fixture->path, contents, 4096, &error);
  g_assert_no_error (error);

  assert_refused (fixture->path, CT_DB_ERROR_NOT_DATABASE);
}

/* Garbage over the first page of the contacts table, which holds rows
 * (and, with 400 contacts, points at the pages that hold the rest): the
 * integrity check reads it whatever else the schema has. A page picked
 * by its place in the file may be an empty index of a table the test
 * never fills, where the bytes hit would be unused space the check does
 * not read. The contacts are never on page 1, the header that tells
 * SQLite what the file is. */
static void
damage_middle (const char *path)
{
  guint8 garbage[512];
  sqlite3 *handle = raw_open (path);
  gint64 root = raw_query_int (handle, "SELECT rootpage FROM sqlite_schema WHERE name = 'contacts'");
  gint64 page_size = raw_query_int (handle, "PRAGMA page_size");
  FILE *fp;

  sqlite3_close (handle);
  g_assert_cmpint (root, >, 1);
  for (guint i = 0; i < sizeof garbage; i++)
    garbage[i] = (guint8) (i * 37 + 11);
  fp = g_fopen (path, "r+b");
  g_assert_nonnull (fp);
  g_assert_cmpint (fseek (fp, (root - 1) * page_size, SEEK_SET), ==, 0);
  g_assert_cmpuint (fwrite (garbage, 1, sizeof garbage, fp), ==, sizeof garbage);
  fclose (fp);
}

static void
test_corrupt (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(CtDb) db = NULL;
  GError *error = NULL;

  make_clientele_db (fixture->path, 400);
  g_assert_cmpint (file_size (fixture->path), >, 40 * 4096);

  /* Damage pages half-way through the file, far from the file header
   * that tells SQLite what the file is. */
  damage_middle (fixture->path);

  assert_refused (fixture->path, CT_DB_ERROR_CORRUPT);

  db = ct_db_open (fixture->path, &error);
  g_assert_nonnull (strstr (error->message, "damaged"));
  g_clear_error (&error);
}

static CtDb *
open_trusting (const char *path)
{
  GError *error = NULL;
  CtDb *db = ct_db_open_full (path, CT_DB_OPEN_TRUST_CLEAN_CLOSE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (db);
  return db;
}

static void
test_clean_close (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(CtDb) db = NULL;
  g_autoptr(CtDb) second = NULL;
  GError *error = NULL;

  make_clientele_db (fixture->path, 400);

  /* Not closed by the app yet: checked. */
  db = open_trusting (fixture->path);
  g_assert_true (ct_db_get_integrity_checked (db));
  g_clear_object (&db);

  /* Closed cleanly by the app and untouched since: trusted. */
  db = open_trusting (fixture->path);
  g_assert_false (ct_db_get_integrity_checked (db));

  /* The stamp went as the file was opened: had the app crashed now, the
   * next start would check. */
  second = open_trusting (fixture->path);
  g_assert_true (ct_db_get_integrity_checked (second));
  g_clear_object (&second);
  g_clear_object (&db);

  /* Written by the command line (or anything but the app) after a clean
   * close: checked again. */
  db = open_trusting (fixture->path);
  g_clear_object (&db);
  db = ct_db_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_true (ct_db_get_integrity_checked (db));
  ct_db_exec (db, "INSERT INTO settings (key, value) VALUES ('x', 'y')", &error);
  g_assert_no_error (error);
  g_clear_object (&db);
  db = open_trusting (fixture->path);
  g_assert_true (ct_db_get_integrity_checked (db));
  g_clear_object (&db);

  /* Damaged after a clean close: the change is seen, and refused. */
  damage_middle (fixture->path);
  db = ct_db_open_full (fixture->path, CT_DB_OPEN_TRUST_CLEAN_CLOSE, &error);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CORRUPT);
  g_assert_null (db);
  g_clear_error (&error);

  /* A worker's second connection to a file the process checked. */
  g_assert_cmpint (g_remove (fixture->path), ==, 0);
  make_clientele_db (fixture->path, 10);
  db = ct_db_open (fixture->path, &error);
  g_assert_no_error (error);
  second = ct_db_open_full (fixture->path, CT_DB_OPEN_ALREADY_CHECKED, &error);
  g_assert_no_error (error);
  g_assert_true (ct_db_get_integrity_checked (db));
  g_assert_false (ct_db_get_integrity_checked (second));
}

static void
test_corrupt_schema (Fixture       *fixture,
                     gconstpointer  data)
{
  guint8 garbage[1024];
  FILE *fp;

  make_clientele_db (fixture->path, 50);

  /* The end of page 1, where the cells of the schema table start. */
  memset (garbage, 0xa5, sizeof garbage);
  fp = g_fopen (fixture->path, "r+b");
  g_assert_nonnull (fp);
  g_assert_cmpint (fseek (fp, 4096 - sizeof garbage, SEEK_SET), ==, 0);
  g_assert_cmpuint (fwrite (garbage, 1, sizeof garbage, fp), ==, sizeof garbage);
  fclose (fp);

  assert_refused (fixture->path, CT_DB_ERROR_CORRUPT);
}

static void
test_foreign (Fixture       *fixture,
              gconstpointer  data)
{
  sqlite3 *other = raw_open (fixture->path);

  raw_exec (other, "CREATE TABLE recipes (id INTEGER PRIMARY KEY, title TEXT);"
                   "INSERT INTO recipes (title) VALUES ('Mapo tofu');");
  g_assert_cmpint (raw_query_int (other, "PRAGMA application_id"), ==, 0);
  sqlite3_close (other);

  assert_refused (fixture->path, CT_DB_ERROR_FOREIGN);
}

static void
test_foreign_versioned (Fixture       *fixture,
                        gconstpointer  data)
{
  sqlite3 *other = raw_open (fixture->path);

  /* Another program's own schema version is not ours to compare with. */
  raw_exec (other, "PRAGMA journal_mode = WAL;"
                   "CREATE TABLE t (x);"
                   "PRAGMA user_version = 7;"
                   "PRAGMA application_id = 1234;");
  sqlite3_close (other);

  assert_refused (fixture->path, CT_DB_ERROR_FOREIGN);
}

static void
test_too_new (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(CtDb) db = NULL;
  sqlite3 *other;
  GError *error = NULL;

  make_clientele_db (fixture->path, 20);

  other = raw_open (fixture->path);
  raw_exec (other, "PRAGMA user_version = 99;"
                   "CREATE TABLE from_the_future (x);"
                   "INSERT INTO from_the_future VALUES (1);");
  sqlite3_close (other);
  assert_no_pending_writes (fixture->path);

  assert_refused (fixture->path, CT_DB_ERROR_TOO_NEW);

  /* The message says which versions are involved. */
  db = ct_db_open (fixture->path, &error);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_TOO_NEW);
  g_assert_nonnull (strstr (error->message, "99"));
  g_clear_error (&error);

  /* Nothing of the newer schema was lost. */
  other = raw_open (fixture->path);
  g_assert_cmpint (raw_query_int (other, "PRAGMA user_version"), ==, 99);
  g_assert_cmpint (raw_query_int (other, "SELECT x FROM from_the_future"), ==, 1);
  g_assert_cmpint (raw_query_int (other, "SELECT count(*) FROM contacts"), ==, 20);
  sqlite3_close (other);
}

static void
test_too_new_in_wal (Fixture       *fixture,
                     gconstpointer  data)
{
  sqlite3 *other;

  make_clientele_db (fixture->path, 20);
  /* The newer version is only in the log: reading the version means
   * reading the log, and closing must not fold it into the file. */
  write_to_wal_only (fixture->path,
                     "PRAGMA user_version = 99;"
                     "CREATE TABLE from_the_future (x);"
                     "INSERT INTO from_the_future VALUES (1);");

  assert_refused_full (fixture->path, CT_DB_ERROR_TOO_NEW, TRUE);

  other = raw_open (fixture->path);
  g_assert_cmpint (raw_query_int (other, "PRAGMA user_version"), ==, 99);
  g_assert_cmpint (raw_query_int (other, "SELECT x FROM from_the_future"), ==, 1);
  sqlite3_close (other);
}

static void
test_foreign_in_wal (Fixture       *fixture,
                     gconstpointer  data)
{
  sqlite3 *other = raw_open (fixture->path);

  raw_exec (other, "PRAGMA journal_mode = WAL; CREATE TABLE t (x);");
  sqlite3_close (other);
  write_to_wal_only (fixture->path, "INSERT INTO t VALUES (1);");

  assert_refused_full (fixture->path, CT_DB_ERROR_FOREIGN, TRUE);
}

static void
test_locked (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(CtDb) db = NULL;
  sqlite3 *other;
  GError *error = NULL;
  gint64 start;

  make_clientele_db (fixture->path, 10);

  /* Another program is in the middle of writing. */
  other = raw_open (fixture->path);
  raw_exec (other, "BEGIN IMMEDIATE;"
                   "INSERT INTO settings (key, value) VALUES ('other', 'pending');");

  start = g_get_monotonic_time ();
  db = ct_db_open (fixture->path, &error);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_LOCKED);
  g_assert_null (db);
  g_clear_error (&error);
  /* It waited a little for the other writer, but not for ever. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);

  /* The other program's write goes through untouched. */
  raw_exec (other, "COMMIT;");
  sqlite3_close (other);

  db = ct_db_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM settings"
                                          " WHERE key = 'other' AND value = 'pending'", NULL),
                   ==, 1);
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM contacts", NULL), ==, 10);
}

static void
test_locked_new (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(CtDb) db = NULL;
  sqlite3 *other;
  GError *error = NULL;

  /* An empty database another program is creating right now. */
  other = raw_open (fixture->path);
  raw_exec (other, "BEGIN IMMEDIATE; CREATE TABLE t (x);");

  db = ct_db_open (fixture->path, &error);
  g_assert_nonnull (error);
  g_assert_true (error->domain == CT_DB_ERROR);
  g_assert_true (error->code == CT_DB_ERROR_LOCKED || error->code == CT_DB_ERROR_NOT_DATABASE);
  g_assert_null (db);
  g_clear_error (&error);

  raw_exec (other, "COMMIT;");
  g_assert_cmpint (raw_query_int (other, "SELECT count(*) FROM t"), ==, 0);
  sqlite3_close (other);
}

static void
test_unwritable_folder (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *blocker = g_build_filename (fixture->dir, "a-file", NULL);
  g_autofree char *path = g_build_filename (blocker, "sub", "clientele.db", NULL);
  g_autoptr(CtDb) db = NULL;
  GError *error = NULL;

  /* The folder cannot be made where a file already is. */
  g_file_set_contents (blocker, "x", -1, &error);
  g_assert_no_error (error);

  db = ct_db_open (path, &error);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_IO);
  g_assert_null (db);
  g_clear_error (&error);
}

static void
test_directory (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(CtDb) db = NULL;
  GError *error = NULL;

  /* A folder where the file should be is refused, not taken as new. */
  db = ct_db_open (fixture->dir, &error);
  g_assert_nonnull (error);
  g_assert_true (error->domain == CT_DB_ERROR);
  g_assert_cmpint (error->code, ==, CT_DB_ERROR_IO);
  g_assert_null (db);
  g_assert_true (g_file_test (fixture->dir, G_FILE_TEST_IS_DIR));
  g_clear_error (&error);
}

static void
on_changed (CtDb       *db,
            const char *table,
            gpointer    user_data)
{
  GPtrArray *seen = user_data;

  g_ptr_array_add (seen, g_strdup (table));
}

/* The rows of a query as one checksum. */
static char *
rows_digest (sqlite3    *handle,
             const char *sql)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_assert_cmpint (sqlite3_prepare_v2 (handle, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    for (int c = 0; c < sqlite3_column_count (stmt); c++)
      {
        const char *text = (const char *) sqlite3_column_text (stmt, c);

        g_checksum_update (sum, (const guchar *) (text != NULL ? text : "\\N"), -1);
        g_checksum_update (sum, (const guchar *) "\x1f", 1);
      }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  return g_strdup (g_checksum_get_string (sum));
}

static const char * const kept_rows[] = {
  "SELECT * FROM contacts ORDER BY id",
  "SELECT * FROM contact_tags ORDER BY contact_id, tag_id",
  "SELECT * FROM purchases ORDER BY id",
  "SELECT * FROM products ORDER BY id",
  "SELECT * FROM contact_metrics ORDER BY contact_id",
  "SELECT * FROM channels ORDER BY id",
};

#define SCHEMA_SQL "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name"
/* All but the table itself: every index and trigger made again as it was. */
#define SCHEMA_BUT_CONTACTS_SQL \
  "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name != 'contacts' ORDER BY type, name"

/* The migration that rebuilds contacts to check the status with OR
 * terms, from a file of the version before it holding data: every row
 * of every table stays as it was (nothing cascades from dropping the old
 * table), the schema ends exactly as a new file's, and the checks,
 * triggers and foreign keys work on the new table. */
static void
test_migrate_contacts_rebuild (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *fresh_path = g_build_filename (fixture->dir, "fresh.db", NULL);
  const CtDbMigration *migrations;
  guint n_migrations;
  int rebuild = 0;
  sqlite3 *old;
  g_autoptr(CtDb) db = NULL;
  g_autoptr(CtDb) fresh = NULL;
  g_auto(GStrv) before = g_new0 (char *, G_N_ELEMENTS (kept_rows) + 1);
  g_autofree char *old_schema = NULL;
  g_autofree char *new_schema = NULL;
  g_autofree char *schema = NULL;
  g_autofree char *fresh_schema = NULL;
  static const char * const statuses[] = { "subscribed", "unsubscribed", "bounced", "complained" };
  GError *error = NULL;

  migrations = ct_db_schema_get_migrations (&n_migrations);
  for (guint i = 0; i < n_migrations; i++)
    if (strstr (migrations[i].sql, "CREATE TABLE contacts_new") != NULL)
      rebuild = migrations[i].version;
  g_assert_cmpint (rebuild, >, 1);

  /* A file as the version before left it, with data in every table that
   * points at contacts. */
  old = raw_open (fixture->path);
  raw_exec (old, "BEGIN");
  for (guint i = 0; i < n_migrations && migrations[i].version < rebuild; i++)
    raw_exec (old, migrations[i].sql);
  {
    g_autofree char *pragmas = g_strdup_printf ("PRAGMA user_version = %d; PRAGMA application_id = %d",
                                                rebuild - 1, CT_DB_APPLICATION_ID);
    raw_exec (old, pragmas);
  }
  raw_exec (old,
    "INSERT INTO channels (id, name) VALUES (1, '小红书'), (2, 'Newsletter');"
    "INSERT INTO tags (id, name) VALUES (1, 'VIP'), (2, '学员');"
    "INSERT INTO products (id, name, price) VALUES (1, '写作课', 19900);"
    "INSERT INTO contacts (id, email, first_name, last_name, phone, company, channel_id, status,"
    "                      consent_at, consent_source, attributes, notes, created_at, updated_at) VALUES"
    "  (1, 'wei@example.com', '伟', '张', '13800138000', '', 1, 'subscribed', 1700000000, 'form',"
    "   '{\"city\":\"上海\"}', '老学员', 1690000000, 1700000000),"
    "  (2, 'ada@example.com', 'Ada', 'Lovelace', '', 'Acme', 2, 'unsubscribed', NULL, '', '{}', '',"
    "   1690000001, 1690000001),"
    "  (5, NULL, '娜', '李', '+86 139 0000 0000', '', NULL, 'bounced', NULL, '', '{}', '', 1690000002,"
    "   1690000002),"
    "  (9, 'c@example.com', '', '', '', '', NULL, 'complained', NULL, '', '{}', '', 1690000003,"
    "   1690000003);"
    "INSERT INTO contact_tags (contact_id, tag_id) VALUES (1, 1), (1, 2), (2, 1), (9, 2);"
    "INSERT INTO purchases (contact_id, product_id, amount, purchased_at, channel_id, source,"
    "                       external_ref, refunded) VALUES"
    "  (1, 1, 19900, 1700000100, 1, 'youzan', 'A-1', 0),"
    "  (1, 1, 19900, 1700000200, 1, 'youzan', 'A-2', 1),"
    "  (2, NULL, 990, 1700000300, 2, 'gumroad', 'G-1', 0),"
    "  (NULL, 1, 500, 1700000400, NULL, 'erased', NULL, 0);"
    "INSERT INTO contact_metrics (contact_id, as_of, frequency, monetary, lifecycle)"
    "  VALUES (1, 1700000500, 1, 19900, 'active'), (2, 1700000500, 1, 990, 'new');");
  raw_exec (old, "COMMIT");
  for (guint t = 0; t < G_N_ELEMENTS (kept_rows); t++)
    before[t] = rows_digest (old, kept_rows[t]);
  old_schema = rows_digest (old, SCHEMA_BUT_CONTACTS_SQL);
  g_assert_cmpint (raw_query_int (old, "SELECT purchase_count FROM contacts WHERE id = 1"), ==, 1);
  sqlite3_close (old);

  /* The rebuild alone, on a copy: later migrations change the schema too
   * (a column added to a table of their own), which is not this test's
   * business. */
  {
    g_autofree char *copy_path = g_build_filename (fixture->dir, "rebuilt.db", NULL);
    g_autofree char *contents = NULL;
    gsize length;
    sqlite3 *copy;

    g_assert_true (g_file_get_contents (fixture->path, &contents, &length, NULL));
    g_assert_true (g_file_set_contents (copy_path, contents, length, NULL));
    copy = raw_open (copy_path);
    raw_exec (copy, "BEGIN");
    for (guint i = 0; i < n_migrations; i++)
      if (migrations[i].version == rebuild)
        raw_exec (copy, migrations[i].sql);
    raw_exec (copy, "COMMIT");
    new_schema = rows_digest (copy, SCHEMA_BUT_CONTACTS_SQL);
    sqlite3_close (copy);
  }

  db = ct_db_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ct_db_query_int64 (db, "PRAGMA user_version", NULL), ==, CT_DB_SCHEMA_VERSION);

  for (guint t = 0; t < G_N_ELEMENTS (kept_rows); t++)
    {
      g_autofree char *after = rows_digest (ct_db_get_handle (db), kept_rows[t]);

      g_test_message ("%s", kept_rows[t]);
      g_assert_cmpstr (after, ==, before[t]);
    }
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM pragma_foreign_key_check", NULL), ==, 0);
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM pragma_integrity_check"
                                          " WHERE integrity_check != 'ok'", NULL), ==, 0);
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM sqlite_schema WHERE name LIKE '%contacts_new%'"
                                          " OR sql LIKE '%contacts_new%'", NULL), ==, 0);
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM sqlite_temp_schema", NULL), ==, 0);

  /* The indexes and triggers are back as they were, and the schema is
   * the one a new file gets. */
  g_assert_cmpstr (new_schema, ==, old_schema);
  fresh = ct_db_open (fresh_path, &error);
  g_assert_no_error (error);
  schema = rows_digest (ct_db_get_handle (db), SCHEMA_SQL);
  fresh_schema = rows_digest (ct_db_get_handle (fresh), SCHEMA_SQL);
  g_assert_cmpstr (schema, ==, fresh_schema);

  /* The status check takes the four statuses and nothing else. */
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_autofree char *sql = g_strdup_printf ("UPDATE contacts SET status = '%s' WHERE id = 2", statuses[i]);

      g_assert_true (ct_db_exec (db, sql, &error));
      g_assert_no_error (error);
    }
  g_assert_false (ct_db_exec (db, "UPDATE contacts SET status = 'Subscribed' WHERE id = 2", &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_false (ct_db_exec (db, "INSERT INTO contacts (email, status) VALUES ('x@example.com', '')", &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_false (ct_db_exec (db, "INSERT INTO contacts (email, attributes) VALUES ('x@example.com', '{')", &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  g_clear_error (&error);
  /* The email is still unique ignoring case. */
  g_assert_false (ct_db_exec (db, "INSERT INTO contacts (email) VALUES ('WEI@example.com')", &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  g_clear_error (&error);

  /* The triggers that keep the search text and the figures work. */
  g_assert_true (ct_db_exec (db, "INSERT INTO contacts (id, email, first_name) VALUES (20, 'new@example.com', 'Grace');"
                                 "INSERT INTO contact_tags VALUES (20, 1);"
                                 "INSERT INTO purchases (contact_id, amount, purchased_at) VALUES (20, 700, 1700000600);"
                                 "UPDATE tags SET name = 'VVIP' WHERE id = 1;", &error));
  g_assert_no_error (error);
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM contacts WHERE id = 20"
                                          " AND search_text = 'grace grace  new@example.com   vvip'"
                                          " AND purchase_count = 1 AND total_spent = 700", NULL), ==, 1);
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM contacts WHERE id = 1"
                                          " AND search_text LIKE '%vvip 学员'", NULL), ==, 1);
  g_assert_true (ct_db_exec (db, "DELETE FROM purchases WHERE contact_id = 1 AND refunded = 0", &error));
  g_assert_no_error (error);
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT purchase_count FROM contacts WHERE id = 1", NULL), ==, 0);

  /* Foreign keys to the new table hold. */
  g_assert_false (ct_db_exec (db, "INSERT INTO contact_tags VALUES (999, 1)", &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_true (ct_db_exec (db, "DELETE FROM contacts WHERE id = 2", &error));
  g_assert_no_error (error);
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM contact_tags WHERE contact_id = 2", NULL), ==, 0);
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM contact_metrics WHERE contact_id = 2", NULL), ==, 0);
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM purchases WHERE contact_id = 2", NULL), ==, 0);
}

/* The rebuild refuses to run rather than lose a trigger or index on
 * contacts, or a column of it, that it does not know, such as one a
 * migration merged before it would add; the file is left as it was. */
static void
test_migrate_contacts_rebuild_guard (Fixture       *fixture,
                                     gconstpointer  data)
{
  static const struct
  {
    const char *sql;
    const char *constraint;
  } unknown[] = {
    { "CREATE INDEX contacts_by_phone ON contacts(phone)",
      "contacts_rebuild_knows_every_trigger_and_index" },
    { "CREATE TRIGGER contacts_stamp AFTER UPDATE OF notes ON contacts BEGIN"
      "  UPDATE contacts SET updated_at = unixepoch() WHERE id = NEW.id; END",
      "contacts_rebuild_knows_every_trigger_and_index" },
    { "ALTER TABLE contacts ADD COLUMN points INTEGER NOT NULL DEFAULT 0",
      "contacts_rebuild_knows_every_column" },
  };

  for (guint u = 0; u < G_N_ELEMENTS (unknown); u++)
    {
      const CtDbMigration *migrations;
      guint n_migrations;
      int rebuild = 0;
      sqlite3 *old;
      g_autoptr(CtDb) db = NULL;
      g_autofree char *checksum = NULL;
      g_autofree char *checksum_after = NULL;
      g_autofree char *pragmas = NULL;
      GError *error = NULL;

      migrations = ct_db_schema_get_migrations (&n_migrations);
      for (guint i = 0; i < n_migrations; i++)
        if (strstr (migrations[i].sql, "CREATE TABLE contacts_new") != NULL)
          rebuild = migrations[i].version;
      g_assert_cmpint (rebuild, >, 1);

      /* A new file each time, without the log of the last one. */
      for (guint i = 0; i < 3; i++)
        {
          g_autofree char *file = g_strconcat (fixture->path, (const char *[]) { "", "-wal", "-shm" }[i], NULL);

          g_remove (file);
        }
      old = raw_open (fixture->path);
      raw_exec (old, "PRAGMA journal_mode = WAL");
      for (guint i = 0; i < n_migrations && migrations[i].version < rebuild; i++)
        raw_exec (old, migrations[i].sql);
      pragmas = g_strdup_printf ("PRAGMA user_version = %d; PRAGMA application_id = %d",
                                 rebuild - 1, CT_DB_APPLICATION_ID);
      raw_exec (old, pragmas);
      raw_exec (old, unknown[u].sql);
      raw_exec (old, "INSERT INTO contacts (email) VALUES ('ada@example.com');"
                     "PRAGMA wal_checkpoint(TRUNCATE)");
      sqlite3_close (old);
      checksum = file_checksum (fixture->path);

      db = ct_db_open (fixture->path, &error);
      g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_FAILED);
      g_test_message ("%s: %s", unknown[u].sql, error->message);
      g_assert_nonnull (strstr (error->message, unknown[u].constraint));
      g_assert_null (db);
      g_clear_error (&error);
      checksum_after = file_checksum (fixture->path);
      g_assert_cmpstr (checksum_after, ==, checksum);
    }
}

/* With foreign keys on, dropping the old table would delete every
 * purchase and tag link: the rebuild refuses to run. */
static void
test_migrate_contacts_rebuild_foreign_keys (Fixture       *fixture,
                                            gconstpointer  data)
{
  const CtDbMigration *migrations;
  guint n_migrations;
  const char *rebuild_sql = NULL;
  char *errmsg = NULL;
  sqlite3 *old;

  migrations = ct_db_schema_get_migrations (&n_migrations);
  old = raw_open (fixture->path);
  raw_exec (old, "PRAGMA foreign_keys = ON");
  for (guint i = 0; i < n_migrations && rebuild_sql == NULL; i++)
    if (strstr (migrations[i].sql, "CREATE TABLE contacts_new") != NULL)
      rebuild_sql = migrations[i].sql;
    else
      raw_exec (old, migrations[i].sql);
  g_assert_nonnull (rebuild_sql);
  raw_exec (old, "INSERT INTO contacts (id, email) VALUES (1, 'ada@example.com');"
                 "INSERT INTO purchases (contact_id, amount, purchased_at) VALUES (1, 100, 1700000000)");

  raw_exec (old, "BEGIN");
  g_assert_cmpint (sqlite3_exec (old, rebuild_sql, NULL, NULL, &errmsg), ==, SQLITE_CONSTRAINT);
  g_assert_nonnull (strstr (errmsg, "contacts_rebuild_needs_foreign_keys_off"));
  sqlite3_free (errmsg);
  raw_exec (old, "ROLLBACK");
  g_assert_cmpint (raw_query_int (old, "SELECT count(*) FROM purchases"), ==, 1);
  sqlite3_close (old);
}

/* The migration that rebuilds the outbox to check the state with OR
 * terms, from a file of the version before it with rows in every state
 * and rows of other tables pointing at them: every row stays as it was
 * with its id (nothing cascades from dropping the old table), the
 * schema ends as a new file's, and the check and the foreign keys work
 * on the new table. */
static void
test_migrate_outbox_rebuild (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *fresh_path = g_build_filename (fixture->dir, "fresh.db", NULL);
  static const char * const outbox_rows[] = {
    "SELECT * FROM outbox ORDER BY id",
    "SELECT * FROM mail_events ORDER BY outbox_id, type",
    "SELECT * FROM automation_firings ORDER BY id",
    "SELECT * FROM campaigns ORDER BY id",
  };
  static const char * const states[] = {
    "queued", "in_flight", "sent", "rejected", "failed", "unknown", "dropped",
  };
  const CtDbMigration *migrations;
  guint n_migrations;
  int rebuild = 0;
  sqlite3 *old;
  g_autoptr(CtDb) db = NULL;
  g_autoptr(CtDb) fresh = NULL;
  g_auto(GStrv) before = g_new0 (char *, G_N_ELEMENTS (outbox_rows) + 1);
  g_autofree char *schema = NULL;
  g_autofree char *fresh_schema = NULL;
  GError *error = NULL;

  migrations = ct_db_schema_get_migrations (&n_migrations);
  for (guint i = 0; i < n_migrations; i++)
    if (strstr (migrations[i].sql, "CREATE TABLE outbox_new") != NULL)
      rebuild = migrations[i].version;
  g_assert_cmpint (rebuild, >, 1);

  old = raw_open (fixture->path);
  raw_exec (old, "BEGIN");
  for (guint i = 0; i < n_migrations && migrations[i].version < rebuild; i++)
    raw_exec (old, migrations[i].sql);
  {
    g_autofree char *pragmas = g_strdup_printf ("PRAGMA user_version = %d; PRAGMA application_id = %d",
                                                rebuild - 1, CT_DB_APPLICATION_ID);
    raw_exec (old, pragmas);
  }
  raw_exec (old,
    "INSERT INTO contacts (id, email, first_name) VALUES"
    "  (1, 'wei@example.com', '伟'), (2, 'ada@example.com', 'Ada'), (3, 'na@example.com', '娜');"
    "INSERT INTO campaigns (id, name, subject, status) VALUES (1, '新课', '本周新课', 'sending');"
    "INSERT INTO outbox (id, campaign_id, contact_id, email, state, idempotency_key, batch_key,"
    "                    merge, attempts, next_attempt_at, claimed_at, sent_at,"
    "                    provider_message_id, error) VALUES"
    "  (4, 1, 1, 'wei@example.com', 'sent', 'k4', NULL, NULL, 1, 0, 1700000000, 1700000001, 'm-4', NULL),"
    "  (7, 1, 2, 'ada@example.com', 'in_flight', 'k7', 'ct-1-b', '{\"first_name\":\"Ada\"}', 1, 0,"
    "   1700000000, NULL, NULL, NULL),"
    "  (9, 1, 3, 'na@example.com', 'queued', 'k9', NULL, NULL, 2, 1700000500, NULL, NULL, NULL, 'HTTP 500'),"
    "  (12, 1, NULL, 'gone@example.com', 'unknown', 'k12', NULL, NULL, 1, 0, 1700000000, NULL, NULL, 'cut');"
    "INSERT INTO mail_events (outbox_id, type, at) VALUES (4, 'delivered', 1700000100), (4, 'opened', 1700000200);"
    "INSERT INTO automations (id, name, trigger, subject) VALUES (1, '欢迎', 'new_contact', '欢迎');"
    "INSERT INTO automation_firings (id, automation_id, contact_id, event_key, due_at, state, outbox_id)"
    "  VALUES (1, 1, 1, 'c1', 1700000000, 'queued', 4), (2, 1, 2, 'c2', 1700000000, 'pending', NULL);");
  raw_exec (old, "COMMIT");
  for (guint t = 0; t < G_N_ELEMENTS (outbox_rows); t++)
    before[t] = rows_digest (old, outbox_rows[t]);
  sqlite3_close (old);

  db = ct_db_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ct_db_query_int64 (db, "PRAGMA user_version", NULL), ==, CT_DB_SCHEMA_VERSION);
  for (guint t = 0; t < G_N_ELEMENTS (outbox_rows); t++)
    {
      g_autofree char *after = rows_digest (ct_db_get_handle (db), outbox_rows[t]);

      g_test_message ("%s", outbox_rows[t]);
      g_assert_cmpstr (after, ==, before[t]);
    }
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM pragma_foreign_key_check", NULL), ==, 0);
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM pragma_integrity_check"
                                          " WHERE integrity_check != 'ok'", NULL), ==, 0);
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM sqlite_schema WHERE name LIKE '%outbox_new%'"
                                          " OR sql LIKE '%outbox_new%'", NULL), ==, 0);
  fresh = ct_db_open (fresh_path, &error);
  g_assert_no_error (error);
  schema = rows_digest (ct_db_get_handle (db), SCHEMA_SQL);
  fresh_schema = rows_digest (ct_db_get_handle (fresh), SCHEMA_SQL);
  g_assert_cmpstr (schema, ==, fresh_schema);

  /* The state check takes the seven states and nothing else. */
  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      g_autofree char *sql = g_strdup_printf ("UPDATE outbox SET state = '%s' WHERE id = 9", states[i]);

      g_assert_true (ct_db_exec (db, sql, &error));
      g_assert_no_error (error);
    }
  g_assert_false (ct_db_exec (db, "UPDATE outbox SET state = 'Sent' WHERE id = 9", &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_false (ct_db_exec (db, "UPDATE outbox SET state = NULL WHERE id = 9", &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  g_clear_error (&error);
  /* Still one row per contact and campaign, and one per token. */
  g_assert_false (ct_db_exec (db, "INSERT INTO outbox (campaign_id, contact_id, email, idempotency_key)"
                                  " VALUES (1, 1, 'wei@example.com', 'k99')", &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_false (ct_db_exec (db, "INSERT INTO outbox (campaign_id, email, idempotency_key)"
                                  " VALUES (1, 'x@example.com', 'k4')", &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  g_clear_error (&error);

  /* Foreign keys from and to the new table hold. */
  g_assert_false (ct_db_exec (db, "INSERT INTO mail_events (outbox_id, type, at) VALUES (999, 'opened', 1)", &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_true (ct_db_exec (db, "DELETE FROM contacts WHERE id = 1", &error));
  g_assert_no_error (error);
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM outbox WHERE id = 4", NULL), ==, 0);
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM mail_events", NULL), ==, 0);
  g_assert_true (ct_db_exec (db, "DELETE FROM campaigns WHERE id = 1", &error));
  g_assert_no_error (error);
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM outbox", NULL), ==, 0);
}

/* The outbox rebuild refuses to run rather than lose a column, index or
 * trigger it does not know; the file is left as it was. */
static void
test_migrate_outbox_rebuild_guard (Fixture       *fixture,
                                   gconstpointer  data)
{
  static const struct
  {
    const char *sql;
    const char *constraint;
  } unknown[] = {
    { "CREATE INDEX outbox_by_email ON outbox(email)",
      "outbox_rebuild_knows_every_trigger_and_index" },
    { "ALTER TABLE outbox ADD COLUMN opened_at INTEGER",
      "outbox_rebuild_knows_every_column" },
  };

  for (guint u = 0; u < G_N_ELEMENTS (unknown); u++)
    {
      const CtDbMigration *migrations;
      guint n_migrations;
      int rebuild = 0;
      sqlite3 *old;
      g_autoptr(CtDb) db = NULL;
      g_autofree char *checksum = NULL;
      g_autofree char *checksum_after = NULL;
      g_autofree char *pragmas = NULL;
      GError *error = NULL;

      migrations = ct_db_schema_get_migrations (&n_migrations);
      for (guint i = 0; i < n_migrations; i++)
        if (strstr (migrations[i].sql, "CREATE TABLE outbox_new") != NULL)
          rebuild = migrations[i].version;
      g_assert_cmpint (rebuild, >, 1);

      for (guint i = 0; i < 3; i++)
        {
          g_autofree char *file = g_strconcat (fixture->path, (const char *[]) { "", "-wal", "-shm" }[i], NULL);

          g_remove (file);
        }
      old = raw_open (fixture->path);
      raw_exec (old, "PRAGMA journal_mode = WAL");
      for (guint i = 0; i < n_migrations && migrations[i].version < rebuild; i++)
        raw_exec (old, migrations[i].sql);
      pragmas = g_strdup_printf ("PRAGMA user_version = %d; PRAGMA application_id = %d",
                                 rebuild - 1, CT_DB_APPLICATION_ID);
      raw_exec (old, pragmas);
      raw_exec (old, unknown[u].sql);
      raw_exec (old, "PRAGMA wal_checkpoint(TRUNCATE)");
      sqlite3_close (old);
      checksum = file_checksum (fixture->path);

      db = ct_db_open (fixture->path, &error);
      g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_FAILED);
      g_test_message ("%s: %s", unknown[u].sql, error->message);
      g_assert_nonnull (strstr (error->message, unknown[u].constraint));
      g_assert_null (db);
      g_clear_error (&error);
      checksum_after = file_checksum (fixture->path);
      g_assert_cmpstr (checksum_after, ==, checksum);
    }
}

static void
test_helpers (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(CtDb) db = NULL;
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) contacts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *error = NULL;

  db = ct_db_open (fixture->path, &error);
  g_assert_no_error (error);

  /* Query helpers */
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT 6 * 7", &error), ==, 42);
  g_assert_no_error (error);
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT NULL", &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT 1 WHERE 0", &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT nonsense FROM nowhere", &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_FAILED);
  g_clear_error (&error);

  stmt = ct_db_prepare (db, "SELEKT", &error);
  g_assert_null (stmt);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_FAILED);
  g_clear_error (&error);

  /* Transactions */
  g_assert_true (ct_db_begin (db, &error));
  g_assert_true (ct_db_exec (db, "INSERT INTO tags (name) VALUES ('a')", &error));
  ct_db_rollback (db);
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM tags", NULL), ==, 0);
  ct_db_rollback (db);     /* harmless outside a transaction */
  g_assert_true (ct_db_begin (db, &error));
  g_assert_true (ct_db_exec (db, "INSERT INTO tags (name) VALUES ('a')", &error));
  g_assert_true (ct_db_commit (db, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM tags", NULL), ==, 1);

  /* Constraint failures have their own code. */
  g_assert_false (ct_db_exec (db, "INSERT INTO tags (name) VALUES ('A')", &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  g_clear_error (&error);

  /* The changed signal is detailed by table. */
  g_signal_connect (db, "changed", G_CALLBACK (on_changed), all);
  g_signal_connect (db, "changed::contacts", G_CALLBACK (on_changed), contacts);
  ct_db_emit_changed (db, "contacts");
  ct_db_emit_changed (db, "purchases");
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (all, 0), ==, "contacts");
  g_assert_cmpstr (g_ptr_array_index (all, 1), ==, "purchases");
  g_assert_cmpuint (contacts->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (contacts, 0), ==, "contacts");
}

static void
test_set_error (void)
{
  static const struct {
    int rc;
    int code;
  } cases[] = {
    { SQLITE_NOTADB, CT_DB_ERROR_NOT_DATABASE },
    { SQLITE_CORRUPT, CT_DB_ERROR_CORRUPT },
    { SQLITE_BUSY, CT_DB_ERROR_LOCKED },
    { SQLITE_BUSY_SNAPSHOT, CT_DB_ERROR_LOCKED },
    { SQLITE_LOCKED, CT_DB_ERROR_LOCKED },
    { SQLITE_CONSTRAINT_UNIQUE, CT_DB_ERROR_CONSTRAINT },
    { SQLITE_IOERR_WRITE, CT_DB_ERROR_IO },
    { SQLITE_FULL, CT_DB_ERROR_IO },
    { SQLITE_READONLY, CT_DB_ERROR_IO },
    { SQLITE_ERROR, CT_DB_ERROR_FAILED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;

      ct_db_set_error (&error, NULL, cases[i].rc, "Could not save");
      g_assert_error (error, CT_DB_ERROR, cases[i].code);
      g_assert_true (g_str_has_prefix (error->message, "Could not save: "));
      g_clear_error (&error);
    }
}

static void
test_default_path (void)
{
  g_autofree char *path = ct_db_default_path ();
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (),
                                                "clientele", "clientele.db", NULL);

  g_assert_cmpstr (path, ==, expected);
}

/* Reads @path with the sqlite3 program: another process, whose closing
 * connection checkpoints and deletes the write-ahead log whenever it can
 * lock the file for itself. Returns: (transfer full) what it printed */
static char *
external_query (const char *sqlite3_program,
                const char *path,
                const char *sql)
{
  const char *argv[] = { sqlite3_program, path, sql, NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_strstrip (out);
}

/* A second connection of the process (a worker thread's) opened and
 * closed while the first stays open must not drop the first one's
 * locks: another program closing its connection would otherwise delete
 * the write-ahead log under it, and what it writes next is lost. */
static void
test_second_open_keeps_locks (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *sqlite3_program = g_find_program_in_path ("sqlite3");
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  g_autofree char *count = NULL;
  g_autoptr(CtDb) db = NULL;
  GError *error = NULL;

  if (sqlite3_program == NULL)
    {
      g_test_skip ("the sqlite3 program is not installed");
      return;
    }
  db = ct_db_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_true (ct_db_exec (db, "INSERT INTO contacts (email) VALUES ('one@example.com')", &error));
  g_assert_no_error (error);

  {
    g_autoptr(CtDb) worker = ct_db_open (fixture->path, &error);

    g_assert_no_error (error);
    g_assert_cmpint (ct_db_query_int64 (worker, "SELECT count(*) FROM contacts", &error), ==, 1);
  }

  g_free (external_query (sqlite3_program, fixture->path, "SELECT count(*) FROM contacts"));
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_true (ct_db_exec (db, "INSERT INTO contacts (email) VALUES ('two@example.com')", &error));
  g_assert_no_error (error);
  count = external_query (sqlite3_program, fixture->path, "SELECT count(*) FROM contacts");
  g_assert_cmpstr (count, ==, "2");
}

/* The log is folded back into the file by the checkpointer's thread while
 * the writer only commits; after stop, the writer's commits do it again. */
static void
test_checkpointer (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtDb) db = ct_db_open (fixture->path, &error);
  CtDbCheckpointer *checkpointer;
  goffset before;
  gint64 deadline;

  g_assert_no_error (error);
  g_assert_true (ct_db_exec (db, "PRAGMA wal_autocheckpoint = 16;"
                                 " CREATE TABLE filler (x BLOB);"
                                 " PRAGMA wal_checkpoint(TRUNCATE)", &error));
  g_assert_no_error (error);
  before = file_size (fixture->path);

  checkpointer = ct_db_checkpointer_start (db);
  g_assert_nonnull (checkpointer);
  /* 64 commits of 8 KB: 128 pages or more, 8 times the threshold. */
  for (guint i = 0; i < 64; i++)
    {
      g_assert_true (ct_db_exec (db, "INSERT INTO filler VALUES (zeroblob(8192))", &error));
      g_assert_no_error (error);
    }
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (file_size (fixture->path) < before + 64 * 8192 && g_get_monotonic_time () < deadline)
    g_usleep (10000);
  g_assert_cmpint (file_size (fixture->path), >=, before + 64 * 8192);
  ct_db_checkpointer_stop (checkpointer);

  /* The connection's own threshold is back, and its commits checkpoint
   * (once the thread's last checkpoint, which may still hold the lock
   * for a moment, is over). */
  g_assert_cmpint (ct_db_query_int64 (db, "PRAGMA wal_autocheckpoint", &error), ==, 16);
  before = file_size (fixture->path);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  for (guint i = 0; file_size (fixture->path) < before + 16 * 8192; i++)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_assert_true (ct_db_exec (db, "INSERT INTO filler VALUES (zeroblob(8192))", &error));
      g_assert_no_error (error);
      if (i >= 32)
        g_usleep (10000);
    }
  g_assert_cmpint (ct_db_query_int64 (db, "SELECT count(*) FROM filler", &error), >=, 64 + 16);

  /* Nothing to do without a write-ahead log. */
  g_assert_true (ct_db_exec (db, "PRAGMA journal_mode = DELETE", &error));
  g_assert_no_error (error);
  g_assert_null (ct_db_checkpointer_start (db));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  /* Own cache folder per test, for the clean-close stamps. */
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/db/create", test_create);
  ADD ("/db/reopen", test_reopen);
  ADD ("/db/two-connections", test_two_connections);
  ADD ("/db/second-open-keeps-locks", test_second_open_keeps_locks);
  ADD ("/db/empty-file", test_empty_file);
  ADD ("/db/refuse/not-database", test_not_database);
  ADD ("/db/refuse/not-database-header", test_not_database_header);
  ADD ("/db/refuse/corrupt", test_corrupt);
  ADD ("/db/refuse/corrupt-schema", test_corrupt_schema);
  ADD ("/db/clean-close", test_clean_close);
  ADD ("/db/refuse/foreign", test_foreign);
  ADD ("/db/refuse/foreign-versioned", test_foreign_versioned);
  ADD ("/db/refuse/too-new", test_too_new);
  ADD ("/db/refuse/too-new-in-wal", test_too_new_in_wal);
  ADD ("/db/refuse/foreign-in-wal", test_foreign_in_wal);
  ADD ("/db/refuse/locked", test_locked);
  ADD ("/db/refuse/locked-new", test_locked_new);
  ADD ("/db/refuse/unwritable-folder", test_unwritable_folder);
  ADD ("/db/refuse/directory", test_directory);
  ADD ("/db/helpers", test_helpers);
  ADD ("/db/migrate/contacts-rebuild", test_migrate_contacts_rebuild);
  ADD ("/db/migrate/contacts-rebuild-guard", test_migrate_contacts_rebuild_guard);
  ADD ("/db/migrate/contacts-rebuild-foreign-keys", test_migrate_contacts_rebuild_foreign_keys);
  ADD ("/db/migrate/outbox-rebuild", test_migrate_outbox_rebuild);
  ADD ("/db/migrate/outbox-rebuild-guard", test_migrate_outbox_rebuild_guard);
  ADD ("/db/checkpointer", test_checkpointer);
  g_test_add_func ("/db/set-error", test_set_error);
  g_test_add_func ("/db/default-path", test_default_path);

  return g_test_run ();
}
