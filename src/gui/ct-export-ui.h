/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-export-ui.h: exporting a list from a view: where to save, then a
 * toast that says how many rows went where */
#pragma once

#include <adwaita.h>
#include "ct-db.h"
#include "ct-export.h"

G_BEGIN_DECLS

typedef enum
{
  CT_EXPORT_FORMAT_CSV,
  CT_EXPORT_FORMAT_VCARD,  /* contacts only */
} CtExportFormat;

/* Asks where to save with a file chooser over @widget's window (for CSV
 * with a choice to add a byte order mark for Excel), then exports like
 * ct_export_ui_to_file(). @ids (gint64, may be NULL for every row) is
 * copied. */
void ct_export_ui_choose_file (GtkWidget      *widget,
                               CtDb           *db,
                               CtExportKind    kind,
                               CtExportFormat  format,
                               GArray         *ids);

/* Exports the rows with @ids in that order (every row when NULL) to
 * @file in the background, on a connection of its own, and then shows a
 * toast over @widget's window: how many rows, the file, and a button to
 * open it; or what went wrong. */
void ct_export_ui_to_file     (GtkWidget      *widget,
                               CtDb           *db,
                               CtExportKind    kind,
                               CtExportFormat  format,
                               GArray         *ids,
                               GFile          *file,
                               gboolean        bom);

/* The ids of a GListModel of items with a gint64 "id" property, in the
 * model's order. Returns: (transfer full) */
GArray *ct_export_ui_collect_ids (GListModel *model);

/* Shows @toast over @widget's window (the nearest AdwToastOverlay), or
 * logs its title when there is none. Takes ownership of @toast. */
void ct_export_ui_add_toast   (GtkWidget      *widget,
                               AdwToast       *toast);

/* Opens @file with the desktop's default program; a failure is a toast
 * over @widget. */
void ct_export_ui_open_file   (GtkWidget      *widget,
                               GFile          *file);

G_END_DECLS
