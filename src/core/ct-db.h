/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-db.h: the Clientele database file: open, refuse, migrate */
#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

G_BEGIN_DECLS

#define CT_DB_ERROR (ct_db_error_quark ())

typedef enum
{
  CT_DB_ERROR_NOT_DATABASE,   /* the file is not an SQLite database */
  CT_DB_ERROR_CORRUPT,        /* SQLite database, but damaged */
  CT_DB_ERROR_LOCKED,         /* another program is writing to it */
  CT_DB_ERROR_TOO_NEW,        /* made by a newer Clientele */
  CT_DB_ERROR_FOREIGN,        /* an SQLite database of another program */
  CT_DB_ERROR_IO,             /* cannot create, read or write the file */
  CT_DB_ERROR_CONSTRAINT,     /* a value breaks a rule (duplicate email...) */
  CT_DB_ERROR_NOT_FOUND,      /* the row asked for does not exist */
  CT_DB_ERROR_INVALID,        /* a value is not acceptable (empty name...) */
  CT_DB_ERROR_FAILED,         /* anything else SQLite reports */
} CtDbError;

/* The schema version this build writes; PRAGMA user_version. */
#define CT_DB_SCHEMA_VERSION 15
/* PRAGMA application_id of a Clientele database: "CtDB" */
#define CT_DB_APPLICATION_ID 0x43744442

#define CT_TYPE_DB (ct_db_get_type ())
G_DECLARE_FINAL_TYPE (CtDb, ct_db, CT, DB, GObject)

GQuark        ct_db_error_quark          (void);

char         *ct_db_default_path         (void);
CtDb         *ct_db_open                 (const char  *path,
                                          GError     **error);

typedef enum
{
  CT_DB_OPEN_DEFAULT = 0,
  /* The app's own connection: when the app closed the file cleanly last
   * time and nothing has touched it since (same size, times and inode,
   * no write-ahead log), the integrity check, which reads every page and
   * takes most of a second on a big file, is skipped. A crash, another
   * program or the command line writing it brings the check back. */
  CT_DB_OPEN_TRUST_CLEAN_CLOSE = 1 << 0,
  /* A second connection to a file this process holds open and has
   * checked already (a worker thread's). */
  CT_DB_OPEN_ALREADY_CHECKED = 1 << 1,
} CtDbOpenFlags;

CtDb         *ct_db_open_full            (const char     *path,
                                          CtDbOpenFlags   flags,
                                          GError        **error);
const char   *ct_db_get_path             (CtDb        *self);
/* Whether opening read every page to check the file's integrity, rather
 * than trusting it by CtDbOpenFlags. */
gboolean      ct_db_get_integrity_checked (CtDb       *self);
sqlite3      *ct_db_get_handle           (CtDb        *self);
int           ct_db_get_schema_version   (CtDb        *self);

gboolean      ct_db_exec                 (CtDb        *self,
                                          const char  *sql,
                                          GError     **error);
sqlite3_stmt *ct_db_prepare              (CtDb        *self,
                                          const char  *sql,
                                          GError     **error);
/* Steps @stmt once: TRUE when it ran (done, or a first row), FALSE with
 * @error saying @what could not be done otherwise. */
gboolean      ct_db_step_done            (CtDb          *self,
                                          sqlite3_stmt  *stmt,
                                          const char    *what,
                                          GError       **error);
gboolean      ct_db_begin                (CtDb        *self,
                                          GError     **error);
gboolean      ct_db_commit               (CtDb        *self,
                                          GError     **error);
void          ct_db_rollback             (CtDb        *self);

/* Bulk inserts into an empty or small table: an index built once at the
 * end sorts its rows once, where one kept up to date costs a random
 * insertion per row. Drops each named index that exists and returns the
 * statements that create them again, for ct_db_restore_indexes(). Both
 * belong inside the caller's transaction, so a rollback brings the
 * indexes back too. */
GPtrArray    *ct_db_drop_indexes         (CtDb               *self,
                                          const char * const *names,
                                          GError            **error);
gboolean      ct_db_restore_indexes      (CtDb        *self,
                                          GPtrArray   *statements,
                                          GError     **error);

/* While one connection writes many small transactions (a campaign being
 * sent), its write-ahead log is folded back into the file by another
 * thread on a connection of its own, instead of by the commit that
 * crosses SQLite's threshold, which then waits for the copy and its
 * fsync. Nothing to do (NULL) for a file not in WAL mode. Stopping
 * restores the connection's own checkpoints. */
typedef struct _CtDbCheckpointer CtDbCheckpointer;

CtDbCheckpointer *ct_db_checkpointer_start (CtDb             *self);
void              ct_db_checkpointer_stop  (CtDbCheckpointer *checkpointer);

gint64        ct_db_query_int64          (CtDb        *self,
                                          const char  *sql,
                                          GError     **error);
gboolean      ct_db_is_empty             (CtDb        *self);

void          ct_db_emit_changed         (CtDb        *self,
                                          const char  *table);

void          ct_db_set_error            (GError     **error,
                                          sqlite3     *handle,
                                          int          rc,
                                          const char  *what);

/* Migrations, in ct-db-schema.c. */
typedef struct
{
  int         version;
  const char *sql;
} CtDbMigration;

const CtDbMigration *ct_db_schema_get_migrations (guint *n_migrations);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtDbCheckpointer, ct_db_checkpointer_stop)

G_END_DECLS
