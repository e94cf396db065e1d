/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-segments-view.h: the Segments page: saved and ready-made segments,
 * a builder with a live member count, and the members */
#pragma once

#include <adwaita.h>
#include "ct-context.h"

G_BEGIN_DECLS

#define CT_TYPE_SEGMENTS_VIEW (ct_segments_view_get_type ())
G_DECLARE_FINAL_TYPE (CtSegmentsView, ct_segments_view, CT, SEGMENTS_VIEW, AdwBin)

/* Property "context" (CtContext, construct-only). Signal
 * "send-campaign" (gint64 segment_id): "Send a campaign to this
 * segment" was clicked for the saved segment shown. */
GtkWidget  *ct_segments_view_new            (CtContext      *context);

/* Shows @rule_json (a rule, see ct-segment.h) in the builder, as an
 * unsaved segment. %FALSE when it is not a valid rule. */
gboolean    ct_segments_view_set_rule       (CtSegmentsView *self,
                                             const char     *rule_json);
/* Returns: (transfer full): the builder's rule as JSON */
char       *ct_segments_view_get_rule       (CtSegmentsView *self);
/* Opens the saved segment @id in the builder. */
gboolean    ct_segments_view_open_segment   (CtSegmentsView *self,
                                             gint64          id);
/* The member count last shown, -1 while counting or when the rule is
 * not usable; and whether a count is pending. */
gint64      ct_segments_view_get_count      (CtSegmentsView *self);
gboolean    ct_segments_view_is_counting    (CtSegmentsView *self);
/* The saved segment shown, 0 for an unsaved one. */
gint64      ct_segments_view_get_segment_id (CtSegmentsView *self);

G_END_DECLS
