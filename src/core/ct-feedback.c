/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-feedback.c: customer feedback, NPS and average rating by month */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-contact.h"
#include "ct-feedback.h"

#define MAX_MONTHS 600

static const char * const category_ids[] = { "product", "service", "emotional" };

G_STATIC_ASSERT (G_N_ELEMENTS (category_ids) == CT_FEEDBACK_N_CATEGORIES);

const char *
ct_feedback_category_to_id (CtFeedbackCategory category)
{
  g_return_val_if_fail (category < CT_FEEDBACK_N_CATEGORIES, NULL);
  return category_ids[category];
}

gboolean
ct_feedback_category_from_id (const char         *id,
                              CtFeedbackCategory *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  for (guint c = 0; id != NULL && c < CT_FEEDBACK_N_CATEGORIES; c++)
    if (g_ascii_strcasecmp (id, category_ids[c]) == 0)
      {
        *out = c;
        return TRUE;
      }
  return FALSE;
}

const char *
ct_feedback_category_get_label (CtFeedbackCategory category)
{
  switch (category)
    {
    case CT_FEEDBACK_PRODUCT:
      return C_("feedback", "Product");
    case CT_FEEDBACK_SERVICE:
      return C_("feedback", "Service");
    case CT_FEEDBACK_EMOTIONAL:
      return C_("feedback", "Emotional");
    case CT_FEEDBACK_N_CATEGORIES:
    default:
      g_return_val_if_reached (NULL);
    }
}

static gint64
now_or (gint64 when)
{
  return when != 0 ? when : g_get_real_time () / G_USEC_PER_SEC;
}

gint64
ct_feedback_add (CtDb               *db,
                 gint64              contact_id,
                 CtFeedbackCategory  category,
                 CtFeedbackScale     scale,
                 int                 score,
                 const char         *text,
                 gint64              at,
                 GError            **error)
{
  g_autoptr(sqlite3_stmt) find = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *clean = NULL;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (category >= CT_FEEDBACK_N_CATEGORIES)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("Feedback is about a product, the service, or an emotional matter."));
      return 0;
    }
  if (scale == CT_FEEDBACK_RATING && (score < 1 || score > 5))
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   _("A rating is from 1 to 5, not %d."), score);
      return 0;
    }
  if (scale == CT_FEEDBACK_NPS && (score < 0 || score > 10))
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   _("A likelihood to recommend (NPS) is from 0 to 10, not %d."), score);
      return 0;
    }
  if (text != NULL && !g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("The feedback’s text is not valid UTF-8."));
      return 0;
    }

  find = ct_db_prepare (db, "SELECT 1 FROM contacts WHERE id = ?", error);
  if (find == NULL)
    return 0;
  sqlite3_bind_int64 (find, 1, contact_id);
  rc = sqlite3_step (find);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND,
                             _("The contact does not exist any more."));
      else
        ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not look up the contact"));
      return 0;
    }

  clean = g_strstrip (g_strdup (text != NULL ? text : ""));
  stmt = ct_db_prepare (db,
                        "INSERT INTO feedback (contact_id, category, scale, score, text, created_at)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int64 (stmt, 1, contact_id);
  sqlite3_bind_text (stmt, 2, category_ids[category], -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, scale == CT_FEEDBACK_NPS ? "nps" : "rating", -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 4, score);
  sqlite3_bind_text (stmt, 5, clean, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, now_or (at));
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not save the feedback"));
      return 0;
    }
  ct_db_emit_changed (db, "feedback");
  return sqlite3_last_insert_rowid (ct_db_get_handle (db));
}

static gboolean
change_one (CtDb        *db,
            sqlite3_stmt *stmt,
            GError     **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not save the feedback"));
      return FALSE;
    }
  if (sqlite3_changes (ct_db_get_handle (db)) == 0)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND,
                           _("The feedback does not exist any more."));
      return FALSE;
    }
  ct_db_emit_changed (db, "feedback");
  return TRUE;
}

gboolean
ct_feedback_set_resolved (CtDb      *db,
                          gint64     id,
                          gboolean   resolved,
                          gint64     at,
                          GError   **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);

  stmt = ct_db_prepare (db,
                        "UPDATE feedback SET status = ?2, resolved_at = ?3 WHERE id = ?1",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, resolved ? "resolved" : "open", -1, SQLITE_STATIC);
  if (resolved)
    sqlite3_bind_int64 (stmt, 3, now_or (at));
  else
    sqlite3_bind_null (stmt, 3);
  return change_one (db, stmt, error);
}

gboolean
ct_feedback_delete (CtDb    *db,
                    gint64   id,
                    GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);

  stmt = ct_db_prepare (db, "DELETE FROM feedback WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  return change_one (db, stmt, error);
}

void
ct_feedback_filter_init (CtFeedbackFilter *filter)
{
  g_return_if_fail (filter != NULL);

  memset (filter, 0, sizeof *filter);
  filter->category = -1;
  filter->scale = -1;
  filter->resolved = -1;
}

#define FILTER_SQL \
  " WHERE (?1 = '' OR f.category = ?1) AND (?2 = '' OR f.scale = ?2)" \
  " AND (?3 = '' OR f.status = ?3) AND (?4 = 0 OR f.contact_id = ?4)" \
  " AND (?5 = 0 OR f.created_at >= ?5) AND (?6 = 0 OR f.created_at < ?6)"

static void
bind_filter (sqlite3_stmt           *stmt,
             const CtFeedbackFilter *f)
{
  sqlite3_bind_text (stmt, 1, f->category >= 0 && f->category < CT_FEEDBACK_N_CATEGORIES
                              ? category_ids[f->category] : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, f->scale == CT_FEEDBACK_NPS ? "nps"
                              : f->scale == CT_FEEDBACK_RATING ? "rating" : "", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, f->resolved == 1 ? "resolved" : f->resolved == 0 ? "open" : "",
                     -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, f->contact_id);
  sqlite3_bind_int64 (stmt, 5, f->from);
  sqlite3_bind_int64 (stmt, 6, f->to);
}

static void
feedback_clear (gpointer data)
{
  CtFeedback *f = data;

  g_clear_pointer (&f->contact_name, g_free);
  g_clear_pointer (&f->text, g_free);
}

GArray *
ct_feedback_list (CtDb                    *db,
                  const CtFeedbackFilter  *filter,
                  GError                 **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) list = NULL;
  CtFeedbackFilter any;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), NULL);

  if (filter == NULL)
    {
      ct_feedback_filter_init (&any);
      filter = &any;
    }

  stmt = ct_db_prepare (db,
                        "SELECT f.id, f.contact_id, c.first_name, c.last_name, c.email, c.phone,"
                        " f.category, f.scale, f.score, f.text, f.status, f.created_at, f.resolved_at"
                        " FROM feedback f JOIN contacts c ON c.id = f.contact_id"
                        FILTER_SQL
                        " ORDER BY f.created_at DESC, f.id DESC",
                        error);
  if (stmt == NULL)
    return NULL;
  bind_filter (stmt, filter);

  list = g_array_new (FALSE, TRUE, sizeof (CtFeedback));
  g_array_set_clear_func (list, feedback_clear);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CtFeedback f = { 0 };
      g_autofree char *name = ct_contact_format_name ((const char *) sqlite3_column_text (stmt, 2),
                                                      (const char *) sqlite3_column_text (stmt, 3));
      const char *email = (const char *) sqlite3_column_text (stmt, 4);

      f.id = sqlite3_column_int64 (stmt, 0);
      f.contact_id = sqlite3_column_int64 (stmt, 1);
      if (*name != '\0')
        f.contact_name = g_steal_pointer (&name);
      else if (email != NULL && *email != '\0')
        f.contact_name = g_strdup (email);
      else
        f.contact_name = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      if (!ct_feedback_category_from_id ((const char *) sqlite3_column_text (stmt, 6), &f.category))
        f.category = CT_FEEDBACK_PRODUCT;
      f.scale = g_str_equal ((const char *) sqlite3_column_text (stmt, 7), "nps")
                  ? CT_FEEDBACK_NPS : CT_FEEDBACK_RATING;
      f.score = sqlite3_column_int (stmt, 8);
      f.text = g_strdup ((const char *) sqlite3_column_text (stmt, 9));
      f.resolved = g_str_equal ((const char *) sqlite3_column_text (stmt, 10), "resolved");
      f.created_at = sqlite3_column_int64 (stmt, 11);
      f.resolved_at = sqlite3_column_int64 (stmt, 12);
      g_array_append_val (list, f);
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the feedback"));
      return NULL;
    }
  return g_steal_pointer (&list);
}

double
ct_feedback_nps (const int *scores,
                 guint      n_scores)
{
  gint64 promoters = 0, detractors = 0;

  g_return_val_if_fail (n_scores == 0 || scores != NULL, NAN);

  if (n_scores == 0)
    return NAN;
  for (guint i = 0; i < n_scores; i++)
    {
      g_return_val_if_fail (scores[i] >= 0 && scores[i] <= 10, NAN);
      if (scores[i] >= 9)
        promoters++;
      else if (scores[i] <= 6)
        detractors++;
    }
  return 100.0 * (double) (promoters - detractors) / (double) n_scores;
}

static int
month_index (GDateTime *dt)
{
  return g_date_time_get_year (dt) * 12 + g_date_time_get_month (dt) - 1;
}

GArray *
ct_feedback_monthly (CtDb                    *db,
                     const CtFeedbackFilter  *filter,
                     gint64                   from,
                     gint64                   to,
                     GTimeZone               *tz,
                     GError                 **error)
{
  g_autoptr(GTimeZone) local = NULL;
  g_autoptr(GDateTime) first = NULL;
  g_autoptr(GDateTime) last = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) months = NULL;
  g_autofree gint64 *rating_sums = NULL;
  CtFeedbackFilter f;
  int first_index, n_months;
  int rc;

  g_return_val_if_fail (CT_IS_DB (db), NULL);

  if (tz == NULL)
    tz = local = g_time_zone_new_local ();
  if (from > to)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("The start of the period comes after its end."));
      return NULL;
    }
  first = g_date_time_new_from_unix_utc (from);
  last = g_date_time_new_from_unix_utc (to);
  if (first == NULL || last == NULL)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                           _("The period is outside the dates Clientele can show."));
      return NULL;
    }
  {
    g_autoptr(GDateTime) a = g_date_time_to_timezone (first, tz);
    g_autoptr(GDateTime) b = g_date_time_to_timezone (last, tz);

    first_index = month_index (a);
    n_months = month_index (b) - first_index + 1;
  }
  if (n_months > MAX_MONTHS)
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   _("A period of at most %d months can be shown by month."), MAX_MONTHS);
      return NULL;
    }

  months = g_array_sized_new (FALSE, TRUE, sizeof (CtFeedbackMonth), n_months);
  g_array_set_size (months, n_months);
  rating_sums = g_new0 (gint64, n_months);
  for (int m = 0; m < n_months; m++)
    {
      CtFeedbackMonth *month = &g_array_index (months, CtFeedbackMonth, m);
      int index = first_index + m;

      g_snprintf (month->month, sizeof month->month, "%04d-%02d", index / 12, index % 12 + 1);
    }

  if (filter != NULL)
    f = *filter;
  else
    ct_feedback_filter_init (&f);
  f.from = from;
  f.to = to + 1;   /* the filter's end is exclusive, @to is not */

  stmt = ct_db_prepare (db,
                        "SELECT f.created_at, f.category, f.scale, f.score FROM feedback f"
                        FILTER_SQL,
                        error);
  if (stmt == NULL)
    return NULL;
  bind_filter (stmt, &f);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (sqlite3_column_int64 (stmt, 0));
      g_autoptr(GDateTime) dt = g_date_time_to_timezone (utc, tz);
      int m = month_index (dt) - first_index;
      CtFeedbackMonth *month;
      CtFeedbackCategory category;
      int score = sqlite3_column_int (stmt, 3);

      if (m < 0 || m >= n_months)
        continue;
      month = &g_array_index (months, CtFeedbackMonth, m);
      if (ct_feedback_category_from_id ((const char *) sqlite3_column_text (stmt, 1), &category))
        month->by_category[category]++;
      if (g_str_equal ((const char *) sqlite3_column_text (stmt, 2), "nps"))
        {
          if (score >= 9)
            month->promoters++;
          else if (score >= 7)
            month->passives++;
          else
            month->detractors++;
        }
      else
        {
          month->ratings++;
          rating_sums[m] += score;
        }
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, ct_db_get_handle (db), rc, _("Could not read the feedback"));
      return NULL;
    }

  for (int m = 0; m < n_months; m++)
    {
      CtFeedbackMonth *month = &g_array_index (months, CtFeedbackMonth, m);
      gint64 answers = month->promoters + month->passives + month->detractors;

      month->nps = answers > 0
                     ? 100.0 * (double) (month->promoters - month->detractors) / (double) answers
                     : NAN;
      month->average_rating = month->ratings > 0 ? (double) rating_sums[m] / (double) month->ratings : NAN;
    }
  return g_steal_pointer (&months);
}
