/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-suppression-window.h: the suppression list, opened from the
 * Campaigns page: who no campaign mails and why, searchable; add one by
 * hand, remove one (with Undo), import a file, export to CSV */
#pragma once

#include <adwaita.h>
#include "ct-context.h"

G_BEGIN_DECLS

#define CT_TYPE_SUPPRESSION_WINDOW (ct_suppression_window_get_type ())
G_DECLARE_FINAL_TYPE (CtSuppressionWindow, ct_suppression_window, CT, SUPPRESSION_WINDOW, AdwWindow)

/* @parent: (nullable) the window it is transient for. */
GtkWidget *ct_suppression_window_new (CtContext *context,
                                      GtkWindow *parent);

/* Opens the dialog that adds an address by hand, or the one that asks
 * before removing @email. Returns: (transfer none) the dialog */
AdwMessageDialog *ct_suppression_window_open_add_dialog (CtSuppressionWindow *self);
AdwMessageDialog *ct_suppression_window_confirm_remove  (CtSuppressionWindow *self,
                                                         const char          *email);
/* Imports @file on a worker thread; the list reloads and a report shows
 * when it is done. */
void              ct_suppression_window_import_file     (CtSuppressionWindow *self,
                                                         GFile               *file);

/* For tests: how many addresses match the search, and the rows shown. */
gint64     ct_suppression_window_get_n_matching (CtSuppressionWindow *self);
guint      ct_suppression_window_get_n_shown    (CtSuppressionWindow *self);

G_END_DECLS
