/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-db.c: the Clientele database file: open, refuse, migrate
 *
 * Opening is careful because the file is the user's whole business: a file
 * that is not ours, is damaged, is busy or comes from a newer Clientele is
 * refused before anything is written to it. Only then is WAL switched on and
 * are missing migrations applied, all in one transaction.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ct-db.h"

struct _CtDb
{
  GObject        parent_instance;

  sqlite3       *handle;
  char          *path;
  int            schema_version;
  CtDbOpenFlags  flags;
  gboolean       integrity_checked;
  char          *file_key;   /* in open_files while open */
};

G_DEFINE_FINAL_TYPE (CtDb, ct_db, G_TYPE_OBJECT)

/* The database files this process has open, by device and inode, with
 * how many connections each. POSIX locks belong to the process, and
 * closing any descriptor of a file drops every lock the process holds
 * on it: reading a file's header with fopen()/fclose() while a
 * connection of ours has it open would silently drop that connection's
 * locks, and another program (the send-due timer, a script) closing
 * its own connection would then take the file for its own, checkpoint
 * and delete the write-ahead log under our feet, and what we write next
 * goes to a deleted file. A file open here already was checked then, so
 * the header is not read again. See "How To Corrupt An SQLite Database
 * File", section 2.2. */
static GMutex open_files_lock;
static GHashTable *open_files;

static char *
file_key (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return NULL;
  return g_strdup_printf ("%llu:%llu", (unsigned long long) st.st_dev, (unsigned long long) st.st_ino);
}

/* Whether another connection of this process has @key open. */
static gboolean
file_is_open (const char *key)
{
  gboolean open;

  if (key == NULL)
    return FALSE;
  g_mutex_lock (&open_files_lock);
  open = open_files != NULL && g_hash_table_contains (open_files, key);
  g_mutex_unlock (&open_files_lock);
  return open;
}

static void
file_opened (CtDb *self)
{
  guint n;

  self->file_key = file_key (self->path);
  if (self->file_key == NULL)
    return;
  g_mutex_lock (&open_files_lock);
  if (open_files == NULL)
    open_files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (open_files, self->file_key));
  g_hash_table_replace (open_files, g_strdup (self->file_key), GUINT_TO_POINTER (n + 1));
  g_mutex_unlock (&open_files_lock);
}

static void
file_closed (CtDb *self)
{
  guint n;

  if (self->file_key == NULL)
    return;
  g_mutex_lock (&open_files_lock);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (open_files, self->file_key));
  if (n <= 1)
    g_hash_table_remove (open_files, self->file_key);
  else
    g_hash_table_replace (open_files, g_strdup (self->file_key), GUINT_TO_POINTER (n - 1));
  g_mutex_unlock (&open_files_lock);
  g_clear_pointer (&self->file_key, g_free);
}

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* How long to wait for another writer before calling the file locked. */
#define BUSY_TIMEOUT_MS 1500

G_DEFINE_QUARK (ct-db-error-quark, ct_db_error)

/* Clean closes
 *
 * When the app's connection closes, the file's size, times and inode are
 * written to a stamp in the user's cache folder; opening it again with
 * CT_DB_OPEN_TRUST_CLEAN_CLOSE skips the integrity check when they still
 * match. The stamp is removed as the file is opened, so a session that
 * ends in a crash leaves none. */

static char *
clean_close_stamp_path (const char *path)
{
  g_autofree char *canonical = g_canonicalize_filename (path, NULL);
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, canonical, -1);

  return g_build_filename (g_get_user_cache_dir (), "clientele", "clean-close", digest, NULL);
}

/* "size mtime-s mtime-ns ctime-s ctime-ns inode device", or NULL when the
 * file cannot be looked at or has a write-ahead log. */
static char *
file_identity (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  struct stat st;

  if (g_file_test (wal, G_FILE_TEST_EXISTS) || stat (path, &st) != 0)
    return NULL;
  return g_strdup_printf ("%jd %jd %ld %jd %ld %ju %ju", (intmax_t) st.st_size,
                          (intmax_t) st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                          (intmax_t) st.st_ctim.tv_sec, st.st_ctim.tv_nsec,
                          (uintmax_t) st.st_ino, (uintmax_t) st.st_dev);
}

static void
write_clean_close_stamp (const char *path)
{
  g_autofree char *stamp = clean_close_stamp_path (path);
  g_autofree char *dir = g_path_get_dirname (stamp);
  g_autofree char *identity = file_identity (path);

  if (identity == NULL || g_mkdir_with_parents (dir, 0700) != 0)
    return;
  /* Nothing is lost without it: the next open checks the file. */
  g_file_set_contents (stamp, identity, -1, NULL);
}

/* Whether the file is as the app left it on its last clean close; the
 * stamp is used up either way. */
static gboolean
take_clean_close_stamp (const char *path)
{
  g_autofree char *stamp = clean_close_stamp_path (path);
  g_autofree char *saved = NULL;
  g_autofree char *identity = NULL;

  if (!g_file_get_contents (stamp, &saved, NULL, NULL))
    return FALSE;
  g_unlink (stamp);
  identity = file_identity (path);
  return identity != NULL && g_str_equal (identity, saved);
}

static void
ct_db_finalize (GObject *object)
{
  CtDb *self = CT_DB (object);

  if (self->handle != NULL && self->schema_version == 0)
    {
      g_autofree char *wal = g_strconcat (self->path, "-wal", NULL);
      GStatBuf st;

      /* A refused file: with nothing in its log, closing may tidy the
       * empty log away; a log with content must stay as it is. */
      if (g_stat (wal, &st) != 0 || st.st_size == 0)
        sqlite3_db_config (self->handle, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
    }

  file_closed (self);
  if (self->handle != NULL && sqlite3_close (self->handle) != SQLITE_OK)
    {
      /* Statements still open elsewhere: closed when they are. */
      sqlite3_close_v2 (self->handle);
    }
  else if (self->handle != NULL && self->schema_version > 0
           && (self->flags & CT_DB_OPEN_TRUST_CLEAN_CLOSE))
    write_clean_close_stamp (self->path);
  g_free (self->path);

  G_OBJECT_CLASS (ct_db_parent_class)->finalize (object);
}

static void
ct_db_class_init (CtDbClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ct_db_finalize;

  /**
   * CtDb::changed:
   * @table: the table whose rows changed ("contacts", "purchases", ...)
   *
   * Emitted on the thread that owns the database after a change through
   * one of the core's store functions, so that models can refresh. The
   * signal is detailed by the table name.
   */
  signals[CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
ct_db_init (CtDb *self)
{
}

/**
 * ct_db_default_path:
 *
 * Returns: (transfer full): $XDG_DATA_HOME/clientele/clientele.db
 */
char *
ct_db_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "clientele", "clientele.db", NULL);
}

/**
 * ct_db_set_error:
 *
 * Turns an SQLite result code into a CT_DB_ERROR with a message a person can
 * read. @what says what was being done ("Could not save the contact").
 */
void
ct_db_set_error (GError     **error,
                 sqlite3     *handle,
                 int          rc,
                 const char  *what)
{
  const char *detail = handle != NULL ? sqlite3_errmsg (handle) : sqlite3_errstr (rc);
  int code;

  switch (rc & 0xff)
    {
    case SQLITE_NOTADB:
      code = CT_DB_ERROR_NOT_DATABASE;
      break;
    case SQLITE_CORRUPT:
      code = CT_DB_ERROR_CORRUPT;
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = CT_DB_ERROR_LOCKED;
      break;
    case SQLITE_CONSTRAINT:
      code = CT_DB_ERROR_CONSTRAINT;
      break;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_FULL:
      code = CT_DB_ERROR_IO;
      break;
    default:
      code = CT_DB_ERROR_FAILED;
      break;
    }

  if (what != NULL)
    g_set_error (error, CT_DB_ERROR, code, "%s: %s", what, detail);
  else
    g_set_error_literal (error, CT_DB_ERROR, code, detail);
}

/* Reads the first bytes of @path without SQLite, so that a file that is not
 * a database is refused before SQLite ever opens it for writing. */
static gboolean
check_header (const char  *path,
              gboolean    *is_new,
              GError     **error)
{
  static const char magic[16] = "SQLite format 3";
  g_autofree char *display = g_filename_display_name (path);
  char header[16];
  FILE *fp;
  size_t n;

  fp = g_fopen (path, "rb");
  if (fp == NULL)
    {
      int saved = errno;

      if (saved == ENOENT)
        {
          *is_new = TRUE;
          return TRUE;
        }
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_IO,
                   _("Cannot read “%s”: %s"), display, g_strerror (saved));
      return FALSE;
    }

  n = fread (header, 1, sizeof header, fp);
  if (n == 0 && ferror (fp))
    {
      /* A folder, or a disk error: not an empty file to start afresh in. */
      int saved = errno;

      fclose (fp);
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_IO,
                   _("Cannot read “%s”: %s"), display, g_strerror (saved));
      return FALSE;
    }
  fclose (fp);

  if (n == 0)
    {
      /* An empty file is what some programs leave when asked to create a
       * database; it holds nothing to lose. */
      *is_new = TRUE;
      return TRUE;
    }

  *is_new = FALSE;
  if (n < sizeof header || memcmp (header, magic, sizeof header) != 0)
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_DATABASE,
                   _("“%s” is not a Clientele database (it is not an SQLite file). "
                     "It was left unchanged."), display);
      return FALSE;
    }

  return TRUE;
}

static gboolean
query_int (sqlite3     *handle,
           const char  *sql,
           int         *out,
           int         *rc_out)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (handle, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *out = sqlite3_column_int (stmt, 0);
          rc = SQLITE_OK;
        }
    }
  sqlite3_finalize (stmt);
  *rc_out = rc;
  return rc == SQLITE_OK;
}

/* Explains a failure met while inspecting an existing file. */
static void
set_open_error (GError     **error,
                sqlite3     *handle,
                int          rc,
                const char  *path)
{
  g_autofree char *display = g_filename_display_name (path);

  switch (rc & 0xff)
    {
    case SQLITE_NOTADB:
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_DATABASE,
                   _("“%s” is not a Clientele database (SQLite cannot read it as a "
                     "database). It was left unchanged."), display);
      break;
    case SQLITE_CORRUPT:
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_CORRUPT,
                   _("“%s” is damaged and cannot be opened safely. It was left "
                     "unchanged; restore it from a backup."), display);
      break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_LOCKED,
                   _("“%s” is being changed by another program. Close the other "
                     "program, or the other Clientele window, and try again."), display);
      break;
    default:
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_IO,
                   _("Cannot open “%s”: %s"), display,
                   handle != NULL ? sqlite3_errmsg (handle) : sqlite3_errstr (rc));
      break;
    }
}

static gboolean
migrate (CtDb    *self,
         int      from,
         GError **error)
{
  const CtDbMigration *migrations;
  guint n_migrations;
  char *errmsg = NULL;
  int rc;

  migrations = ct_db_schema_get_migrations (&n_migrations);

  for (guint i = 0; i < n_migrations; i++)
    {
      g_autofree char *pragma = NULL;

      if (migrations[i].version <= from)
        continue;

      rc = sqlite3_exec (self->handle, migrations[i].sql, NULL, NULL, &errmsg);
      if (rc != SQLITE_OK)
        {
          g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_FAILED,
                       _("Could not update the database to version %d: %s"),
                       migrations[i].version, errmsg ? errmsg : sqlite3_errstr (rc));
          sqlite3_free (errmsg);
          return FALSE;
        }

      pragma = g_strdup_printf ("PRAGMA user_version = %d", migrations[i].version);
      if (!ct_db_exec (self, pragma, error))
        return FALSE;
    }

  return TRUE;
}

/**
 * ct_db_open:
 * @path: the database file; created with its folder when missing
 *
 * Opens a Clientele database, creating and migrating it as needed. A file
 * that is not an SQLite database, is corrupt, belongs to another program, is
 * being written by another program, or has a newer schema than this build
 * is refused with a CT_DB_ERROR and is not modified.
 *
 * Returns: (transfer full) (nullable): the database, or %NULL with @error set
 */
CtDb *
ct_db_open (const char  *path,
            GError     **error)
{
  return ct_db_open_full (path, CT_DB_OPEN_DEFAULT, error);
}

/**
 * ct_db_open_full:
 * @path: the database file; created with its folder when missing
 * @flags: when the integrity check may be skipped
 *
 * ct_db_open() with a choice about the integrity check; see CtDbOpenFlags.
 *
 * Returns: (transfer full) (nullable): the database, or %NULL with @error set
 */
CtDb *
ct_db_open_full (const char     *path,
                 CtDbOpenFlags   flags,
                 GError        **error)
{
  g_autoptr(CtDb) self = NULL;
  gboolean trusted = FALSE;
  g_autofree char *display = NULL;
  g_autofree char *dir = NULL;
  gboolean is_new = FALSE;
  int version = 0;
  int app_id = 0;
  int n_tables = 0;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  display = g_filename_display_name (path);

  {
    g_autofree char *key = file_key (path);

    if (!file_is_open (key) && !check_header (path, &is_new, error))
      return NULL;
  }

  if (is_new)
    {
      dir = g_path_get_dirname (path);
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int saved = errno;
          g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_IO,
                       _("Cannot create the folder for “%s”: %s"),
                       display, g_strerror (saved));
          return NULL;
        }
    }

  if (flags & CT_DB_OPEN_TRUST_CLEAN_CLOSE)
    trusted = take_clean_close_stamp (path);
  if (flags & CT_DB_OPEN_ALREADY_CHECKED)
    trusted = TRUE;

  self = g_object_new (CT_TYPE_DB, NULL);
  self->path = g_strdup (path);
  self->flags = flags;

  rc = sqlite3_open_v2 (path, &self->handle,
                        SQLITE_OPEN_READWRITE
                        | (is_new ? SQLITE_OPEN_CREATE : 0)
                        | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      set_open_error (error, self->handle, rc, path);
      return NULL;
    }
  file_opened (self);

  sqlite3_extended_result_codes (self->handle, 1);
  sqlite3_busy_timeout (self->handle, BUSY_TIMEOUT_MS);
  /* Closing the last connection folds the write-ahead log into the file.
   * A file we refuse must keep its log as it is, so that is only allowed
   * once the file has been accepted. */
  sqlite3_db_config (self->handle, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);

  if (!is_new)
    {
      /* Everything here only reads. */
      if (!query_int (self->handle, "PRAGMA user_version", &version, &rc) ||
          !query_int (self->handle, "PRAGMA application_id", &app_id, &rc) ||
          !query_int (self->handle, "SELECT count(*) FROM sqlite_schema", &n_tables, &rc))
        {
          set_open_error (error, self->handle, rc, path);
          return NULL;
        }

      if (app_id != CT_DB_APPLICATION_ID && n_tables > 0)
        {
          g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_FOREIGN,
                       _("“%s” is a database of another program, not of Clientele. "
                         "It was left unchanged."), display);
          return NULL;
        }

      if (version > CT_DB_SCHEMA_VERSION)
        {
          g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_TOO_NEW,
                       _("“%s” was saved by a newer version of Clientele (database "
                         "version %d; this version reads up to %d). Update Clientele "
                         "to open it. The file was left unchanged."),
                       display, version, CT_DB_SCHEMA_VERSION);
          return NULL;
        }

      if (n_tables > 0 && !trusted)
        {
          sqlite3_stmt *stmt = NULL;
          const char *result = NULL;

          /* quick_check reads every page, so damage anywhere is found
           * before we write anything. */
          rc = sqlite3_prepare_v2 (self->handle, "PRAGMA quick_check(1)", -1, &stmt, NULL);
          if (rc == SQLITE_OK)
            rc = sqlite3_step (stmt);
          if (rc == SQLITE_ROW)
            result = (const char *) sqlite3_column_text (stmt, 0);
          if (rc != SQLITE_ROW || g_strcmp0 (result, "ok") != 0)
            {
              if (rc == SQLITE_ROW || rc == SQLITE_DONE)
                rc = SQLITE_CORRUPT;
              sqlite3_finalize (stmt);
              set_open_error (error, self->handle, rc, path);
              return NULL;
            }
          sqlite3_finalize (stmt);
          self->integrity_checked = TRUE;
        }
    }

  /* Take the write lock now: if another program holds it we refuse rather
   * than fail later in the middle of the user's work. */
  rc = sqlite3_exec (self->handle, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      set_open_error (error, self->handle, rc, path);
      return NULL;
    }

  if (version < CT_DB_SCHEMA_VERSION)
    {
      g_autofree char *pragma = g_strdup_printf ("PRAGMA application_id = %d",
                                                 CT_DB_APPLICATION_ID);

      if (!ct_db_exec (self, pragma, error) || !migrate (self, version, error))
        {
          sqlite3_exec (self->handle, "ROLLBACK", NULL, NULL, NULL);
          return NULL;
        }
    }

  rc = sqlite3_exec (self->handle, "COMMIT", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      set_open_error (error, self->handle, rc, path);
      sqlite3_exec (self->handle, "ROLLBACK", NULL, NULL, NULL);
      return NULL;
    }

  if (!ct_db_exec (self, "PRAGMA journal_mode = WAL", error) ||
      !ct_db_exec (self, "PRAGMA foreign_keys = ON", error) ||
      !ct_db_exec (self, "PRAGMA synchronous = NORMAL", error))
    return NULL;

  sqlite3_db_config (self->handle, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
  self->schema_version = CT_DB_SCHEMA_VERSION;

  return g_steal_pointer (&self);
}

const char *
ct_db_get_path (CtDb *self)
{
  g_return_val_if_fail (CT_IS_DB (self), NULL);
  return self->path;
}

/**
 * ct_db_get_handle:
 *
 * Returns: (transfer none): the SQLite connection. It belongs to the thread
 * that opened the database; a worker thread opens its own CtDb.
 */
gboolean
ct_db_get_integrity_checked (CtDb *self)
{
  g_return_val_if_fail (CT_IS_DB (self), FALSE);

  return self->integrity_checked;
}

sqlite3 *
ct_db_get_handle (CtDb *self)
{
  g_return_val_if_fail (CT_IS_DB (self), NULL);
  return self->handle;
}

int
ct_db_get_schema_version (CtDb *self)
{
  g_return_val_if_fail (CT_IS_DB (self), 0);
  return self->schema_version;
}

gboolean
ct_db_exec (CtDb        *self,
            const char  *sql,
            GError     **error)
{
  char *errmsg = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (self), FALSE);

  rc = sqlite3_exec (self->handle, sql, NULL, NULL, &errmsg);
  if (rc != SQLITE_OK)
    {
      ct_db_set_error (error, self->handle, rc, NULL);
      sqlite3_free (errmsg);
      return FALSE;
    }
  return TRUE;
}

gboolean
ct_db_step_done (CtDb          *self,
                 sqlite3_stmt  *stmt,
                 const char    *what,
                 GError       **error)
{
  int rc;

  g_return_val_if_fail (CT_IS_DB (self), FALSE);
  g_return_val_if_fail (stmt != NULL, FALSE);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      ct_db_set_error (error, self->handle, rc, what);
      return FALSE;
    }
  return TRUE;
}

/**
 * ct_db_drop_indexes:
 *
 * Returns: (transfer full) (element-type utf8): the CREATE INDEX
 *   statements of the indexes dropped, or %NULL with @error set
 */
GPtrArray *
ct_db_drop_indexes (CtDb               *self,
                    const char * const *names,
                    GError            **error)
{
  g_autoptr(GPtrArray) statements = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(sqlite3_stmt) lookup = NULL;

  g_return_val_if_fail (CT_IS_DB (self), NULL);
  g_return_val_if_fail (names != NULL, NULL);

  lookup = ct_db_prepare (self, "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1"
                                " AND sql IS NOT NULL", error);
  if (lookup == NULL)
    return NULL;

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *create = NULL;
      char *drop;
      gboolean ok;
      int rc;

      sqlite3_reset (lookup);
      sqlite3_bind_text (lookup, 1, names[i], -1, SQLITE_STATIC);
      rc = sqlite3_step (lookup);
      if (rc == SQLITE_DONE)
        continue;
      if (rc != SQLITE_ROW)
        {
          ct_db_set_error (error, self->handle, rc, NULL);
          return NULL;
        }
      create = g_strdup ((const char *) sqlite3_column_text (lookup, 0));
      sqlite3_reset (lookup);

      drop = sqlite3_mprintf ("DROP INDEX \"%w\"", names[i]);
      ok = ct_db_exec (self, drop, error);
      sqlite3_free (drop);
      if (!ok)
        return NULL;
      g_ptr_array_add (statements, g_steal_pointer (&create));
    }
  return g_steal_pointer (&statements);
}

gboolean
ct_db_restore_indexes (CtDb       *self,
                       GPtrArray  *statements,
                       GError    **error)
{
  g_return_val_if_fail (CT_IS_DB (self), FALSE);
  g_return_val_if_fail (statements != NULL, FALSE);

  for (guint i = 0; i < statements->len; i++)
    if (!ct_db_exec (self, g_ptr_array_index (statements, i), error))
      return FALSE;
  return TRUE;
}

/**
 * ct_db_prepare:
 *
 * Returns: (transfer full) (nullable): a statement to sqlite3_finalize()
 */
sqlite3_stmt *
ct_db_prepare (CtDb        *self,
               const char  *sql,
               GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (self), NULL);

  rc = sqlite3_prepare_v2 (self->handle, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      ct_db_set_error (error, self->handle, rc, NULL);
      return NULL;
    }
  return stmt;
}

gboolean
ct_db_begin (CtDb    *self,
             GError **error)
{
  return ct_db_exec (self, "BEGIN IMMEDIATE", error);
}

gboolean
ct_db_commit (CtDb    *self,
              GError **error)
{
  return ct_db_exec (self, "COMMIT", error);
}

void
ct_db_rollback (CtDb *self)
{
  g_return_if_fail (CT_IS_DB (self));
  if (!sqlite3_get_autocommit (self->handle))
    sqlite3_exec (self->handle, "ROLLBACK", NULL, NULL, NULL);
}

/* ---- checkpoints on a thread of their own ------------------------------ */

struct _CtDbCheckpointer
{
  sqlite3 *writer;
  char    *path;
  int      threshold;   /* log pages that call for a checkpoint */
  GMutex   lock;
  GCond    cond;
  gboolean wanted;      /* under lock */
  gboolean stopping;    /* under lock */
};

/* Called by SQLite on the writer's thread after each commit, with the
 * size of the log: asks for a checkpoint and returns at once. */
static int
on_wal_commit (void       *data,
               sqlite3    *handle,
               const char *schema,
               int         pages)
{
  CtDbCheckpointer *self = data;

  if (pages >= self->threshold)
    {
      g_mutex_lock (&self->lock);
      self->wanted = TRUE;
      g_cond_signal (&self->cond);
      g_mutex_unlock (&self->lock);
    }
  return SQLITE_OK;
}

static gpointer
checkpoint_thread (gpointer data)
{
  CtDbCheckpointer *self = data;
  sqlite3 *handle = NULL;

  /* A bare connection: it only checkpoints, which needs no schema and
   * takes no lock a writer waits for (PASSIVE copies what no reader
   * still needs and gives up on the rest until next time). */
  if (sqlite3_open_v2 (self->path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      g_warning ("Cannot open %s to fold its log back: %s", self->path, sqlite3_errmsg (handle));
      sqlite3_close (handle);
      handle = NULL;
    }
  else
    {
      sqlite3_db_config (handle, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
      /* A connection finds the log on its first read; until then it
       * has nothing to checkpoint. */
      sqlite3_exec (handle, "PRAGMA schema_version", NULL, NULL, NULL);
    }

  g_mutex_lock (&self->lock);
  for (;;)
    {
      while (!self->wanted && !self->stopping)
        g_cond_wait (&self->cond, &self->lock);
      if (self->stopping)
        break;
      self->wanted = FALSE;
      g_mutex_unlock (&self->lock);
      if (handle != NULL)
        sqlite3_wal_checkpoint_v2 (handle, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
      g_mutex_lock (&self->lock);
    }
  g_mutex_unlock (&self->lock);
  sqlite3_close (handle);
  /* Stopped: the writer no longer calls us, and nobody waits for us. */
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self->path);
  g_free (self);
  return NULL;
}

/**
 * ct_db_checkpointer_start:
 *
 * Returns: (transfer full) (nullable): a checkpointer to stop with
 *   ct_db_checkpointer_stop() on the thread that uses @self, or %NULL
 *   when @self is not a file in WAL mode
 */
CtDbCheckpointer *
ct_db_checkpointer_start (CtDb *self)
{
  CtDbCheckpointer *checkpointer;
  const char *filename;
  gint64 threshold;
  g_autoptr(GError) error = NULL;
  g_autofree char *mode = NULL;

  g_return_val_if_fail (CT_IS_DB (self), NULL);

  filename = sqlite3_db_filename (self->handle, "main");
  if (filename == NULL || *filename == '\0')
    return NULL;
  {
    g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (self, "PRAGMA journal_mode", NULL);

    if (stmt == NULL || sqlite3_step (stmt) != SQLITE_ROW)
      return NULL;
    mode = g_ascii_strdown ((const char *) sqlite3_column_text (stmt, 0), -1);
  }
  if (g_strcmp0 (mode, "wal") != 0)
    return NULL;
  /* The connection's own threshold (0: it never checkpoints by itself,
   * nor should we). */
  threshold = ct_db_query_int64 (self, "PRAGMA wal_autocheckpoint", &error);
  if (error != NULL || threshold <= 0)
    return NULL;

  checkpointer = g_new0 (CtDbCheckpointer, 1);
  checkpointer->writer = self->handle;
  checkpointer->path = g_strdup (filename);
  checkpointer->threshold = (int) MIN (threshold, G_MAXINT);
  g_mutex_init (&checkpointer->lock);
  g_cond_init (&checkpointer->cond);
  /* Not joined: a checkpoint under way when the writer is done finishes
   * on its own rather than holding the writer up. */
  g_thread_unref (g_thread_new ("ct-checkpoint", checkpoint_thread, checkpointer));
  /* Replaces SQLite's own checkpoint on commit. */
  sqlite3_wal_hook (self->handle, on_wal_commit, checkpointer);
  return checkpointer;
}

/* On the writer's thread, before its CtDb goes. */
void
ct_db_checkpointer_stop (CtDbCheckpointer *checkpointer)
{
  if (checkpointer == NULL)
    return;
  /* Back to checkpoints on commit, at the same threshold; this replaces
   * our hook, so nothing calls the thread any more. */
  sqlite3_wal_autocheckpoint (checkpointer->writer, checkpointer->threshold);
  g_mutex_lock (&checkpointer->lock);
  checkpointer->stopping = TRUE;
  g_cond_signal (&checkpointer->cond);
  g_mutex_unlock (&checkpointer->lock);
}

/**
 * ct_db_query_int64:
 *
 * Runs a query that returns one integer. Returns 0 with @error set on
 * failure, and 0 for NULL or no row.
 */
gint64
ct_db_query_int64 (CtDb        *self,
                   const char  *sql,
                   GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = ct_db_prepare (self, sql, error);
  if (stmt == NULL)
    return 0;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return sqlite3_column_int64 (stmt, 0);
  if (rc != SQLITE_DONE)
    ct_db_set_error (error, self->handle, rc, NULL);
  return 0;
}

/**
 * ct_db_is_empty:
 *
 * Whether the database holds no contacts and no products: a first start,
 * when the app offers demo data and import.
 */
gboolean
ct_db_is_empty (CtDb *self)
{
  return ct_db_query_int64 (self,
                            "SELECT NOT EXISTS (SELECT 1 FROM contacts)"
                            " AND NOT EXISTS (SELECT 1 FROM products)",
                            NULL) != 0;
}

void
ct_db_emit_changed (CtDb       *self,
                    const char *table)
{
  g_return_if_fail (CT_IS_DB (self));
  g_return_if_fail (table != NULL);

  g_signal_emit (self, signals[CHANGED], g_quark_from_string (table), table);
}
