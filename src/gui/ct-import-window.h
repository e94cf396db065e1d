/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-import-window.h: the import assistant for contacts and purchases */
#pragma once

#include <adwaita.h>
#include "ct-context.h"
#include "ct-import.h"

G_BEGIN_DECLS

#define CT_TYPE_IMPORT_WINDOW (ct_import_window_get_type ())
G_DECLARE_FINAL_TYPE (CtImportWindow, ct_import_window, CT, IMPORT_WINDOW, AdwWindow)

/* Properties: "context" (CtContext, construct-only), "kind"
 * (CtImportKind as int, construct-only), "page" (string, read-only):
 * the step shown, one of "start", "loading", "file", "columns",
 * "preview", "progress", "cancelled", "done".
 *
 * Actions (group "import"): choose-file, back, next (file → columns →
 * preview → run the import; closes on "done"), cancel, save-rejects.
 *
 * After a run that changed the database the window emits
 * CtDb::changed on the context's database, and when it is transient for
 * a CtWindow, shows that window's contacts or purchases page. */
CtImportWindow *ct_import_window_new           (GtkWindow      *parent,
                                                CtContext      *context,
                                                CtImportKind    kind);
/* Opens the file chooser; the chosen file is read as by _load_file(). */
void            ct_import_window_choose_file   (CtImportWindow *self);
/* Reads @file (CSV, TXT, or a vCard for contacts) and shows the first
 * step, or the reason it cannot be read. */
void            ct_import_window_load_file     (CtImportWindow *self,
                                                GFile          *file);
const char     *ct_import_window_get_page      (CtImportWindow *self);
/* Returns: (transfer none) (nullable): the importer of the file being
 * read, NULL before a file was chosen */
CtImporter     *ct_import_window_get_importer  (CtImportWindow *self);
/* Returns: (transfer none) (nullable): the result of the last run */
CtImportResult *ct_import_window_get_result    (CtImportWindow *self);
/* What "Save Rejected Rows…" does with the file chosen. */
gboolean        ct_import_window_save_rejects  (CtImportWindow *self,
                                                GFile          *file,
                                                GError        **error);

G_END_DECLS
