/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-automations-view.h: the Automations page: the automations with
 * their switches, an editor, and what they did */
#pragma once

#include <adwaita.h>
#include "ct-context.h"

G_BEGIN_DECLS

#define CT_TYPE_AUTOMATIONS_VIEW (ct_automations_view_get_type ())
G_DECLARE_FINAL_TYPE (CtAutomationsView, ct_automations_view, CT, AUTOMATIONS_VIEW, AdwBin)

/* Property "context" (CtContext, construct-only). */
GtkWidget  *ct_automations_view_new         (CtContext         *context);
/* Opens the editor for a new automation (0) or automation @id.
 * Returns: (transfer none): the editor window */
GtkWindow  *ct_automations_view_edit        (CtAutomationsView *self,
                                             gint64             id);

G_END_DECLS
