/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-feedback-view.h: the Feedback page: what customers said, with
 * filters, NPS and average rating by month, and a category-by-month
 * heatmap */
#pragma once

#include <adwaita.h>
#include "ct-context.h"

G_BEGIN_DECLS

#define CT_TYPE_FEEDBACK_VIEW (ct_feedback_view_get_type ())
G_DECLARE_FINAL_TYPE (CtFeedbackView, ct_feedback_view, CT, FEEDBACK_VIEW, AdwBin)

GtkWidget *ct_feedback_view_new (CtContext *context);

G_END_DECLS
