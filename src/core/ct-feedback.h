/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-feedback.h: what customers said: category, a 1-5 rating or a 0-10
 * NPS answer, text, open or resolved; NPS and average rating by month
 *
 * Table feedback (migration 5). NPS over a set of 0-10 answers is the
 * usual one: 100 × (promoters, 9-10, − detractors, 0-6) ÷ answers, from
 * −100 to 100. The average rating is over the 1-5 ratings.
 */
#pragma once

#include "ct-db.h"

G_BEGIN_DECLS

typedef enum
{
  CT_FEEDBACK_PRODUCT,
  CT_FEEDBACK_SERVICE,
  CT_FEEDBACK_EMOTIONAL,
  CT_FEEDBACK_N_CATEGORIES
} CtFeedbackCategory;

typedef enum
{
  CT_FEEDBACK_RATING,   /* 1 to 5 */
  CT_FEEDBACK_NPS,      /* 0 to 10 */
} CtFeedbackScale;

/* "product", "service", "emotional" */
const char *ct_feedback_category_to_id     (CtFeedbackCategory  category);
gboolean    ct_feedback_category_from_id   (const char         *id,
                                            CtFeedbackCategory *out);
/* Translated */
const char *ct_feedback_category_get_label (CtFeedbackCategory  category);

/* Records feedback from @contact_id at @at (0: now), open. @text may be
 * NULL. CT_DB_ERROR_INVALID for a score outside its scale,
 * CT_DB_ERROR_NOT_FOUND for a contact that does not exist. Returns the
 * id, 0 with @error set. Emits CtDb::changed ("feedback"). */
gint64      ct_feedback_add                (CtDb               *db,
                                            gint64              contact_id,
                                            CtFeedbackCategory  category,
                                            CtFeedbackScale     scale,
                                            int                 score,
                                            const char         *text,
                                            gint64              at,
                                            GError            **error);
/* Marks feedback @id resolved (at @at, 0: now) or open again. */
gboolean    ct_feedback_set_resolved       (CtDb               *db,
                                            gint64              id,
                                            gboolean            resolved,
                                            gint64              at,
                                            GError            **error);
gboolean    ct_feedback_delete             (CtDb               *db,
                                            gint64              id,
                                            GError            **error);

typedef struct
{
  int    category;      /* a CtFeedbackCategory, or -1 for any */
  int    scale;         /* a CtFeedbackScale, or -1 for any */
  int    resolved;      /* 0 open, 1 resolved, -1 either */
  gint64 contact_id;    /* 0: anyone */
  gint64 from;          /* created at or after; 0: no bound */
  gint64 to;            /* created before; 0: no bound */
} CtFeedbackFilter;

void        ct_feedback_filter_init        (CtFeedbackFilter   *filter);

typedef struct
{
  gint64              id;
  gint64              contact_id;
  char               *contact_name;   /* name, email or phone */
  CtFeedbackCategory  category;
  CtFeedbackScale     scale;
  int                 score;
  char               *text;
  gboolean            resolved;
  gint64              created_at;
  gint64              resolved_at;    /* 0 while open */
} CtFeedback;

/* Newest first. Returns: (transfer full): a GArray of CtFeedback that
 * frees its strings with it. */
GArray     *ct_feedback_list               (CtDb                    *db,
                                            const CtFeedbackFilter  *filter,
                                            GError                 **error);

/* NPS of @n_scores answers 0-10: NAN for none; answers outside 0-10 are
 * a programming error. */
double      ct_feedback_nps                (const int          *scores,
                                            guint               n_scores);

typedef struct
{
  char   month[8];                               /* "2025-03" */
  gint64 promoters, passives, detractors;        /* NPS answers */
  double nps;                                    /* NAN without answers */
  gint64 ratings;                                /* 1-5 ratings */
  double average_rating;                         /* NAN without ratings */
  gint64 by_category[CT_FEEDBACK_N_CATEGORIES];  /* all feedback of the month */
} CtFeedbackMonth;

/* Every month from the month of @from to the month of @to (both Unix
 * times, in @tz: %NULL for local time), empty months included, oldest
 * first, counting the feedback matching @filter (nullable; its from and
 * to are replaced by @from and @to). At most 600 months.
 * Returns: (transfer full): a GArray of CtFeedbackMonth */
GArray     *ct_feedback_monthly            (CtDb                    *db,
                                            const CtFeedbackFilter  *filter,
                                            gint64                   from,
                                            gint64                   to,
                                            GTimeZone               *tz,
                                            GError                 **error);

G_END_DECLS
