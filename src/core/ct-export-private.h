/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-export-private.h: writing a whole file or none, shared by the CSV,
 * vCard and privacy exports */
#pragma once

#include <gio/gio.h>

#include "ct-db.h"

G_BEGIN_DECLS

typedef struct _CtExportFile CtExportFile;

/* Opens @file for replacing. The data goes to a temporary file next to
 * it, which takes the name only in ct_export_file_commit(); until then
 * any old file stays as it was. Returns: (transfer full) (nullable) */
CtExportFile  *ct_export_file_open    (GFile         *file,
                                       GCancellable  *cancellable,
                                       GError       **error);
/* Returns: (transfer none): where to write */
GOutputStream *ct_export_file_get_stream (CtExportFile *self);
/* Closes the stream and gives the file its name; frees @self. On
 * failure nothing of the new file is left. */
gboolean       ct_export_file_commit  (CtExportFile  *self,
                                       GCancellable  *cancellable,
                                       GError       **error);
/* Throws the new data away, leaving any old file as it was; frees @self. */
void           ct_export_file_abandon (CtExportFile  *self);

/* A read transaction on @db unless one is open already, so that what is
 * written is one consistent snapshot. *@own says whether to end it. */
gboolean       ct_export_begin_read   (CtDb          *db,
                                       gboolean      *own,
                                       GError       **error);
void           ct_export_end_read     (CtDb          *db,
                                       gboolean       own);

G_END_DECLS
