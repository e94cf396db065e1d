/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-application.h: the Clientele application */
#pragma once

#include <adwaita.h>
#include "ct-core.h"

G_BEGIN_DECLS

#define CT_TYPE_APPLICATION (ct_application_get_type ())
G_DECLARE_FINAL_TYPE (CtApplication, ct_application, CT, APPLICATION, AdwApplication)

CtApplication *ct_application_new               (void);

/* The file a start without --db opens: the last database when it still
 * exists, else ct_db_default_path (). Returns: (transfer full) */
char          *ct_application_get_default_database (CtApplication *self);

/* Opens the database at @path and, on success, remembers it as the last
 * database. Nothing is shown and a refused file is not touched.
 * Returns: (transfer full) (nullable): the database, NULL with @error set */
CtDb          *ct_application_open_database     (CtApplication *self,
                                                 const char    *path,
                                                 GError       **error);

/* Opens @path (NULL: the default database) in a new window, or presents
 * the window that already has it open. When the file is refused, presents
 * an AdwMessageDialog saying why, which quits the app when closed if no
 * other window is open. The application must be registered.
 * Returns: (transfer none): the CtWindow, or the refusal dialog */
GtkWindow     *ct_application_open              (CtApplication *self,
                                                 const char    *path);

G_END_DECLS
