/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-paged-list.h: a GListModel over an SQL query that loads rows in pages
 *
 * The model runs the "ids" query once (ids in display order, a few bytes a
 * row) and loads full rows a page at a time, by id, when a view asks for
 * them, keeping a bounded number of pages. A refresh after a change diffs
 * the old and new id lists so that items-changed names exactly the rows
 * inserted or removed.
 *
 * Rows that stayed but whose contents changed (a contact's total after a
 * new purchase) and that a view has already fetched are reloaded during
 * the refresh and reported as items-changed (position, 1, 1), after the
 * one items-changed for the rows that appeared or went away, so views
 * never keep showing a stale item.
 */
#pragma once

#include "ct-db.h"

G_BEGIN_DECLS

#define CT_PAGED_LIST_PAGE_SIZE 100

/* Makes the item for the current row of @stmt, a statement built from
 * @row_sql. Returns: (transfer full) */
typedef GObject *(*CtPagedListRowFunc) (sqlite3_stmt *stmt);

#define CT_TYPE_PAGED_LIST (ct_paged_list_get_type ())
G_DECLARE_FINAL_TYPE (CtPagedList, ct_paged_list, CT, PAGED_LIST, GObject)

/* @row_sql: a SELECT whose first column is the row id and that ends so that
 * " WHERE <alias>.id IN (…)" can be appended, e.g. CT_CONTACT_SELECT_SQL
 * with @id_column "c.id". */
CtPagedList *ct_paged_list_new          (CtDb               *db,
                                         GType               item_type,
                                         const char         *row_sql,
                                         const char         *id_column,
                                         CtPagedListRowFunc  row_func);

/* Sets the query giving ids in display order, with its parameters bound as
 * text or integers from @params (a GVariant tuple, may be NULL: e.g.
 * g_variant_new ("(sx)", "%zhang%", (gint64) 3)). Reloads the ids and
 * emits one items-changed for the difference. */
gboolean     ct_paged_list_set_query    (CtPagedList        *self,
                                         const char         *ids_sql,
                                         GVariant           *params,
                                         GError            **error);
/* Runs the ids query again (after the data changed) and emits
 * items-changed for the rows that appeared or went away; rows that stayed
 * are reloaded from the database on next access. */
gboolean     ct_paged_list_refresh      (CtPagedList        *self,
                                         GError            **error);
/* Position of the row with @id, or -1. */
gint         ct_paged_list_find         (CtPagedList        *self,
                                         gint64              id);
gint64       ct_paged_list_get_id       (CtPagedList        *self,
                                         guint               position);

/* Additions (A2). */

/* Refreshes the list by itself whenever @db emits changed::@table, until
 * the list is disposed. Errors of such a refresh are logged. */
void         ct_paged_list_watch        (CtPagedList        *self,
                                         const char         *table);
/* Returns: (transfer none): the database the list reads */
CtDb        *ct_paged_list_get_db       (CtPagedList        *self);

G_END_DECLS
