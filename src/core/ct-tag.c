/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-tag.c: tags */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "ct-channel.h"
#include "ct-tag.h"
#include "ct-text-private.h"

/**
 * ct_tag_ensure:
 * @name: the tag's name; white space around it is ignored
 *
 * Finds the tag called @name, ignoring case ("VIP" is "vip"), or adds it.
 * A blank name is refused with CT_DB_ERROR_INVALID. Emits
 * CtDb::changed("tags") when a tag was added.
 *
 * Returns: the tag's id, or 0 with @error set
 */
gint64
ct_tag_ensure (CtDb        *db,
               const char  *name,
               GError     **error)
{
  g_autofree char *clean = NULL;
  g_autoptr(sqlite3_stmt) find = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  gint64 id;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  clean = ct_text_strip_dup (name);
  if (*clean == '\0')
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("A tag needs a name."));
      return 0;
    }

  /* The column's NOCASE collation does the case folding. */
  find = ct_db_prepare (db, "SELECT id FROM tags WHERE name = ?", error);
  if (find == NULL)
    return 0;
  sqlite3_bind_text (find, 1, clean, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (find);
  if (rc == SQLITE_ROW)
    return sqlite3_column_int64 (find, 0);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc,
                       _("Could not look up the tag"));
      return 0;
    }

  insert = ct_db_prepare (db, "INSERT INTO tags (name) VALUES (?)", error);
  if (insert == NULL)
    return 0;
  sqlite3_bind_text (insert, 1, clean, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (insert);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc,
                       _("Could not add the tag"));
      return 0;
    }

  id = sqlite3_last_insert_rowid (ct_db_get_handle (db));
  ct_db_emit_changed (db, "tags");
  return id;
}

/**
 * ct_tag_list_all:
 *
 * Returns: (transfer full) (nullable): a GListStore of CtNamedItem, sorted
 * by name ignoring case; %NULL with @error set on failure
 */
GListModel *
ct_tag_list_all (CtDb    *db,
                 GError **error)
{
  g_autoptr(GListStore) store = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), NULL);

  stmt = ct_db_prepare (db,
                        "SELECT id, name FROM tags ORDER BY name COLLATE NOCASE, id",
                        error);
  if (stmt == NULL)
    return NULL;

  store = g_list_store_new (CT_TYPE_NAMED_ITEM);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(CtNamedItem) item =
        ct_named_item_new (sqlite3_column_int64 (stmt, 0),
                           (const char *) sqlite3_column_text (stmt, 1));

      g_list_store_append (store, item);
    }

  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc,
                       _("Could not read the tags"));
      return NULL;
    }

  return G_LIST_MODEL (g_steal_pointer (&store));
}
