/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-privacy.h: everything held about one person, out or erased */
#pragma once

#include <json-glib/json-glib.h>

#include "ct-db.h"

G_BEGIN_DECLS

/* Everything the database holds about the contact: profile, tags,
 * purchases, channel, status and consent, notes, and the rows of later
 * tables that refer to the contact. Fails with CT_DB_ERROR_NOT_FOUND.
 * Returns: (transfer full): a JSON object */
JsonNode     *ct_privacy_export_contact         (CtDb          *db,
                                                 gint64         contact_id,
                                                 GError       **error);

/* The same as pretty-printed UTF-8 JSON, written through
 * g_file_replace(). */
gboolean      ct_privacy_export_contact_to_file (CtDb          *db,
                                                 gint64         contact_id,
                                                 GFile         *file,
                                                 GCancellable  *cancellable,
                                                 GError       **error);

/* Erases the contact in one transaction: the contact row, its tag links
 * and every row that cascades from it go; the purchases stay for the
 * revenue totals but are detached (contact_id NULL) and stripped of
 * anything personal. A SHA-256 hash of the lower-cased email is kept
 * (table erased_emails) so that a later import or sending can tell that
 * the person asked to be forgotten (ct_privacy_is_erased()), without
 * keeping the address itself. Not undoable. Emits "changed" for
 * "contacts" and "purchases".
 *
 * After the transaction the database file is rewritten (VACUUM on a
 * connection of its own) so that no stale copy of the rows is left in
 * unused space: about a second per 40 MB of database, so a window shows
 * a busy state meanwhile. */
gboolean      ct_privacy_erase_contact          (CtDb          *db,
                                                 gint64         contact_id,
                                                 GError       **error);

/* The same, for the app: the erase commits at once and the rewrite of the
 * file runs on a worker thread afterwards, so the window does not freeze
 * for the seconds a big database takes. @callback (nullable) is called on
 * the caller's thread-default main context when the rewrite is over;
 * ct_privacy_scrub_finish() says whether it could be done. */
gboolean      ct_privacy_erase_contact_async    (CtDb                *db,
                                                 gint64               contact_id,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data,
                                                 GError             **error);
gboolean      ct_privacy_scrub_finish           (GAsyncResult        *result,
                                                 GError             **error);

/* Whether a contact with @email (any case) was erased.
 * Returns FALSE on error with @error set. */
gboolean      ct_privacy_is_erased              (CtDb          *db,
                                                 const char    *email,
                                                 gboolean      *out_erased,
                                                 GError       **error);

G_END_DECLS
