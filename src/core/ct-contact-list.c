/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-contact-list.c: the contacts list model: search and sort, paged
 *
 * Search matches a substring of contacts.search_text, which triggers keep
 * as the lower-cased name in both orders, email, phone, company and tags,
 * so one instr() per row answers it; a scan of 100,000 short strings is
 * far quicker than a person types. The names of the segments and stages
 * are translated, so they cannot be in search_text: the search text is
 * matched against them here, and the ids of those that match become an
 * IN list on the contact_metrics cache. Sorting always ends on the id so that
 * equal keys keep a stable order across refreshes, which keeps the
 * items-changed of a refresh small.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "ct-contact-list.h"
#include "ct-kpi.h"
#include "ct-rfm.h"
#include "ct-tier.h"

typedef struct
{
  char          *search;    /* stripped, never NULL; "" for all */
  CtContactSort  sort;
  gboolean       descending;
  CtContactFilter filter;
  gint64         filter_id;
} ContactListState;

static GQuark state_quark;

static void
state_free (gpointer data)
{
  ContactListState *state = data;

  g_free (state->search);
  g_free (state);
}

static ContactListState *
get_state (CtPagedList *list)
{
  return g_object_get_qdata (G_OBJECT (list), state_quark);
}

static GObject *
contact_from_row (sqlite3_stmt *stmt)
{
  return G_OBJECT (ct_contact_new_from_row (stmt));
}

/* Appends the ORDER BY keys for @sort. Rows without a value (no email, no
 * channel, never bought) go last whichever the direction, where people
 * expect them.
 *
 * With a search, the keys get a unary "+": then no index can give the
 * order, and SQLite scans for the few matching rows and sorts them
 * instead of walking a whole index in order and testing every row. */
static void
append_order (GString       *sql,
              CtContactSort  sort,
              gboolean       descending,
              gboolean       filtered)
{
  const char *dir = descending ? " DESC" : " ASC";
  const char *plus = filtered ? "+" : "";

  g_string_append (sql, " ORDER BY ");

  switch (sort)
    {
    case CT_CONTACT_SORT_EMAIL:
      g_string_append_printf (sql, "c.email IS NULL, (%sc.email) COLLATE NOCASE%s", plus, dir);
      break;
    case CT_CONTACT_SORT_PHONE:
      g_string_append_printf (sql, "c.phone = '', %sc.phone%s", plus, dir);
      break;
    case CT_CONTACT_SORT_CHANNEL:
      g_string_append_printf (sql, "ch.name IS NULL, (%sch.name) COLLATE NOCASE%s", plus, dir);
      break;
    case CT_CONTACT_SORT_STATUS:
      /* The order of CtContactStatus, not of the stored words. */
      g_string_append_printf (sql,
                              "CASE c.status WHEN 'subscribed' THEN 0"
                              " WHEN 'unsubscribed' THEN 1 WHEN 'bounced' THEN 2"
                              " ELSE 3 END%s", dir);
      break;
    case CT_CONTACT_SORT_CREATED:
      g_string_append_printf (sql, "%sc.created_at%s", plus, dir);
      break;
    case CT_CONTACT_SORT_PURCHASES:
      g_string_append_printf (sql, "%sc.purchase_count%s", plus, dir);
      break;
    case CT_CONTACT_SORT_TOTAL_SPENT:
      g_string_append_printf (sql, "%sc.total_spent%s", plus, dir);
      break;
    case CT_CONTACT_SORT_LAST_PURCHASE:
      g_string_append_printf (sql, "c.last_purchase_at IS NULL, %sc.last_purchase_at%s",
                              plus, dir);
      break;
    case CT_CONTACT_SORT_RFM_SEGMENT:
      g_string_append (sql, "m.rfm_segment IS NULL, CASE m.rfm_segment");
      for (guint i = 0; i < CT_RFM_N_SEGMENTS; i++)
        g_string_append_printf (sql, " WHEN '%s' THEN %u", ct_rfm_segment_to_id (i), i);
      g_string_append_printf (sql, " END%s", dir);
      break;
    case CT_CONTACT_SORT_LIFECYCLE:
      g_string_append (sql, "m.lifecycle IS NULL, CASE m.lifecycle");
      for (guint i = 0; i < CT_LIFECYCLE_N_STAGES; i++)
        g_string_append_printf (sql, " WHEN '%s' THEN %u", ct_lifecycle_stage_to_id (i), i);
      g_string_append_printf (sql, " END%s", dir);
      break;
    case CT_CONTACT_SORT_CLV_PREDICTIVE:
      g_string_append_printf (sql, "m.clv_predictive IS NULL, m.clv_predictive%s", dir);
      break;
    case CT_CONTACT_SORT_CHURN_RISK:
      /* Riskier first when descending: the reverse of P(alive). */
      g_string_append_printf (sql, "m.p_alive IS NULL, m.p_alive%s",
                              descending ? " ASC" : " DESC");
      break;
    case CT_CONTACT_SORT_CLUSTER:
      g_string_append_printf (sql, "m.cluster IS NULL, m.cluster%s", dir);
      break;
    case CT_CONTACT_SORT_NAME:
    default:
      /* Family name first: right for Chinese names as written, and the
       * usual order of an address book for Western ones. Nameless
       * contacts sort by what the list shows for them instead. An index
       * on exactly this expression (and id) spares sorting all contacts
       * when nothing is searched. */
      g_string_append_printf (sql,
                              "(%scoalesce(nullif(c.last_name || c.first_name, ''),"
                              " c.email, c.phone)) COLLATE NOCASE%s", plus, dir);
      break;
    }

  g_string_append_printf (sql, ", c.id%s", dir);
}

static gboolean
sort_uses_metrics (CtContactSort sort)
{
  return sort >= CT_CONTACT_SORT_RFM_SEGMENT && sort <= CT_CONTACT_SORT_CLUSTER;
}

/* Appends ", 'id'" for each label containing @needle (casefolded), the
 * label given by @get_label and the id by @to_id for 0 .. @n - 1.
 * Returns whether any matched. */
static gboolean
append_matching_ids (GString     *list,
                     const char  *needle,
                     guint        n,
                     const char *(*get_label) (guint),
                     const char *(*to_id) (guint))
{
  gboolean any = FALSE;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *label = g_utf8_casefold (get_label (i), -1);

      if (strstr (label, needle) != NULL)
        {
          /* The ids are fixed lowercase words of the core; no quoting
           * issue, but they are checked to stay so. */
          g_assert (strchr (to_id (i), '\'') == NULL);
          g_string_append_printf (list, "%s'%s'", any ? ", " : "", to_id (i));
          any = TRUE;
        }
    }

  return any;
}

static const char *
segment_label (guint i)
{
  return ct_rfm_segment_get_label ((CtRfmSegment) i);
}

static const char *
segment_id (guint i)
{
  return ct_rfm_segment_to_id ((CtRfmSegment) i);
}

static const char *
stage_label (guint i)
{
  return ct_lifecycle_stage_get_label ((CtLifecycleStage) i);
}

static const char *
stage_id (guint i)
{
  return ct_lifecycle_stage_to_id ((CtLifecycleStage) i);
}

static gboolean
filter_uses_metrics (CtContactFilter filter)
{
  return filter == CT_CONTACT_FILTER_RFM_SEGMENT || filter == CT_CONTACT_FILTER_CLUSTER;
}

/* The filter's condition; a value it needs is bound as the last "?". */
static const char *
filter_condition (const ContactListState *state,
                  gboolean               *binds)
{
  *binds = FALSE;
  switch (state->filter)
    {
    case CT_CONTACT_FILTER_RFM_SEGMENT:
      *binds = TRUE;
      return "m.rfm_segment = ?";
    case CT_CONTACT_FILTER_FUNNEL_STAGE:
      /* As ct_funnel_load() counts its steps, today. */
      switch (state->filter_id)
        {
        case 0:
          return NULL;
        case 1:
          return "c.status = 'subscribed' AND c.email IS NOT NULL AND c.email != ''";
        case 2:
          return "c.purchase_count >= 1";
        case 3:
          return "c.purchase_count >= 2";
        default:
          G_STATIC_ASSERT (CT_FUNNEL_DEFAULT_LOYAL_PURCHASES == 5);
          return "c.purchase_count >= 5";
        }
    case CT_CONTACT_FILTER_CHANNEL:
      if (state->filter_id == 0)
        return "c.channel_id IS NULL";
      *binds = TRUE;
      return "c.channel_id = ?";
    case CT_CONTACT_FILTER_CLUSTER:
      *binds = TRUE;
      return "m.cluster = ?";
    case CT_CONTACT_FILTER_TIER:
      *binds = TRUE;
      return "coalesce((SELECT l.tier_level FROM contact_loyalty l WHERE l.contact_id = c.id), 0) = ?";
    case CT_CONTACT_FILTER_NONE:
    default:
      return NULL;
    }
}

static gboolean
apply_state (CtPagedList             *list,
             const ContactListState  *state,
             GError                 **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT c.id FROM contacts c");
  g_autoptr(GString) segments = g_string_new (NULL);
  g_autoptr(GString) stages = g_string_new (NULL);
  g_autoptr(GPtrArray) values = g_ptr_array_new ();
  gboolean any_segment = FALSE;
  gboolean any_stage = FALSE;
  gboolean binds = FALSE;
  const char *condition = filter_condition (state, &binds);
  GVariant *params = NULL;

  if (state->search[0] != '\0')
    {
      g_autofree char *needle = g_utf8_casefold (state->search, -1);

      any_segment = append_matching_ids (segments, needle, CT_RFM_N_SEGMENTS,
                                         segment_label, segment_id);
      any_stage = append_matching_ids (stages, needle, CT_LIFECYCLE_N_STAGES,
                                       stage_label, stage_id);
    }

  if (state->sort == CT_CONTACT_SORT_CHANNEL)
    g_string_append (sql, " LEFT JOIN channels ch ON ch.id = c.channel_id");
  if (sort_uses_metrics (state->sort) || any_segment || any_stage || filter_uses_metrics (state->filter))
    g_string_append (sql, " LEFT JOIN contact_metrics m ON m.contact_id = c.id");

  if (state->search[0] != '\0')
    {
      /* lower() on both sides: search_text is lowered by SQLite, which
       * folds ASCII only, so folding the needle the same way matches. */
      g_string_append (sql, " WHERE (instr(c.search_text, lower(?)) > 0");
      if (any_segment)
        g_string_append_printf (sql, " OR m.rfm_segment IN (%s)", segments->str);
      if (any_stage)
        g_string_append_printf (sql, " OR m.lifecycle IN (%s)", stages->str);
      g_string_append (sql, ")");
      g_ptr_array_add (values, g_variant_new_string (state->search));
    }
  if (condition != NULL)
    {
      g_string_append_printf (sql, " %s (%s)", values->len > 0 ? "AND" : "WHERE", condition);
      if (binds && state->filter == CT_CONTACT_FILTER_RFM_SEGMENT)
        g_ptr_array_add (values, g_variant_new_string (ct_rfm_segment_to_id ((CtRfmSegment) state->filter_id)));
      else if (binds)
        g_ptr_array_add (values, g_variant_new_int64 (state->filter_id));
    }
  if (values->len > 0)
    params = g_variant_new_tuple ((GVariant **) values->pdata, values->len);

  /* A filter narrows like a search: sorting the few rows beats walking
   * an index in order and testing each. */
  append_order (sql, state->sort, state->descending, params != NULL || condition != NULL);

  return ct_paged_list_set_query (list, sql->str, params, error);
}

/**
 * ct_contact_list_new:
 * @db: the database
 *
 * Returns: (transfer full): a CtPagedList of CtContact, all contacts by
 * name. It also follows changes of tags and channels, whose names it
 * shows, and of the scores cache.
 */
CtPagedList *
ct_contact_list_new (CtDb *db)
{
  g_autoptr(CtPagedList) list = NULL;
  g_autoptr(GError) error = NULL;
  ContactListState *state;

  g_return_val_if_fail (CT_IS_DB (db), NULL);

  if (state_quark == 0)
    state_quark = g_quark_from_static_string ("ct-contact-list-state");

  list = ct_paged_list_new (db, CT_TYPE_CONTACT, CT_CONTACT_SELECT_SQL, "c.id",
                            contact_from_row);

  state = g_new0 (ContactListState, 1);
  state->search = g_strdup ("");
  state->sort = CT_CONTACT_SORT_NAME;
  g_object_set_qdata_full (G_OBJECT (list), state_quark, state, state_free);

  ct_paged_list_watch (list, "contacts");
  ct_paged_list_watch (list, "purchases");
  ct_paged_list_watch (list, "tags");
  ct_paged_list_watch (list, "channels");
  /* The background recompute of the scores (ct-analytics.h). */
  ct_paged_list_watch (list, "contact_metrics");
  /* Tiers, for the tier filter. */
  ct_paged_list_watch (list, "contact_loyalty");

  /* Only a broken database fails here; the list then stays empty and the
   * next change or search tries again. */
  if (!apply_state (list, state, &error))
    g_warning ("Could not list the contacts: %s", error->message);

  return g_steal_pointer (&list);
}

/**
 * ct_contact_list_set_search:
 * @list: a list from ct_contact_list_new()
 * @text: (nullable): what to look for; surrounding spaces are ignored
 *
 * Returns: %FALSE with @error set when the query fails; the list then
 * keeps its previous search.
 */
gboolean
ct_contact_list_set_search (CtPagedList  *list,
                            const char   *text,
                            GError      **error)
{
  ContactListState *state;
  g_autofree char *search = NULL;
  g_autofree char *previous = NULL;

  g_return_val_if_fail (CT_IS_PAGED_LIST (list), FALSE);
  state = get_state (list);
  g_return_val_if_fail (state != NULL, FALSE);
  g_return_val_if_fail (text == NULL || g_utf8_validate (text, -1, NULL), FALSE);

  search = g_strstrip (g_strdup (text != NULL ? text : ""));
  if (g_strcmp0 (search, state->search) == 0)
    return TRUE;

  /* The new state is in place while items-changed runs, in case a
   * handler looks at it. */
  previous = g_steal_pointer (&state->search);
  state->search = g_steal_pointer (&search);
  if (!apply_state (list, state, error))
    {
      g_free (state->search);
      state->search = g_steal_pointer (&previous);
      return FALSE;
    }

  return TRUE;
}

/**
 * ct_contact_list_set_sort:
 * @list: a list from ct_contact_list_new()
 *
 * Returns: %FALSE with @error set when the query fails; the list then
 * keeps its previous order.
 */
gboolean
ct_contact_list_set_sort (CtPagedList    *list,
                          CtContactSort   sort,
                          gboolean        descending,
                          GError        **error)
{
  ContactListState *state;
  ContactListState previous;

  g_return_val_if_fail (CT_IS_PAGED_LIST (list), FALSE);
  state = get_state (list);
  g_return_val_if_fail (state != NULL, FALSE);
  g_return_val_if_fail (sort <= CT_CONTACT_SORT_CLUSTER, FALSE);

  descending = !!descending;
  if (state->sort == sort && state->descending == descending)
    return TRUE;

  previous = *state;
  state->sort = sort;
  state->descending = descending;
  if (!apply_state (list, state, error))
    {
      state->sort = previous.sort;
      state->descending = previous.descending;
      return FALSE;
    }

  return TRUE;
}

/**
 * ct_contact_list_set_filter:
 * @list: a list from ct_contact_list_new()
 */
gboolean
ct_contact_list_set_filter (CtPagedList      *list,
                            CtContactFilter   filter,
                            gint64            id,
                            GError          **error)
{
  ContactListState *state;
  ContactListState previous;

  g_return_val_if_fail (CT_IS_PAGED_LIST (list), FALSE);
  state = get_state (list);
  g_return_val_if_fail (state != NULL, FALSE);
  g_return_val_if_fail (filter <= CT_CONTACT_FILTER_TIER, FALSE);

  if ((filter == CT_CONTACT_FILTER_RFM_SEGMENT && (id < 0 || id >= CT_RFM_N_SEGMENTS))
      || (filter == CT_CONTACT_FILTER_FUNNEL_STAGE && (id < 0 || id > 4))
      || (filter != CT_CONTACT_FILTER_NONE && id < 0))
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   _("There is no such segment, stage, channel, cluster or tier to show the contacts of (%lld)."),
                   (long long) id);
      return FALSE;
    }
  if (filter == CT_CONTACT_FILTER_NONE)
    id = 0;
  if (state->filter == filter && state->filter_id == id)
    return TRUE;

  previous = *state;
  state->filter = filter;
  state->filter_id = id;
  if (!apply_state (list, state, error))
    {
      state->filter = previous.filter;
      state->filter_id = previous.filter_id;
      return FALSE;
    }
  return TRUE;
}

/**
 * ct_contact_list_get_filter:
 * @id: (out) (optional)
 */
CtContactFilter
ct_contact_list_get_filter (CtPagedList *list,
                            gint64      *id)
{
  ContactListState *state;

  g_return_val_if_fail (CT_IS_PAGED_LIST (list), CT_CONTACT_FILTER_NONE);
  state = get_state (list);
  g_return_val_if_fail (state != NULL, CT_CONTACT_FILTER_NONE);

  if (id != NULL)
    *id = state->filter_id;
  return state->filter;
}

static char *
channel_name (CtDb   *db,
              gint64  id)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, "SELECT name FROM channels WHERE id = ?", NULL);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

/**
 * ct_contact_filter_describe:
 *
 * Returns: (transfer full) (nullable): the filter in words
 */
char *
ct_contact_filter_describe (CtDb            *db,
                            CtContactFilter  filter,
                            gint64           id)
{
  g_return_val_if_fail (CT_IS_DB (db), NULL);

  switch (filter)
    {
    case CT_CONTACT_FILTER_RFM_SEGMENT:
      if (id < 0 || id >= CT_RFM_N_SEGMENTS)
        return NULL;
      /* Translators: the filter of the contacts list, %s an RFM segment ("Champions") */
      return g_strdup_printf (_("Segment: %s"), ct_rfm_segment_get_label ((CtRfmSegment) id));
    case CT_CONTACT_FILTER_FUNNEL_STAGE:
      /* Translators: the filter of the contacts list, %s a step of the
       * funnel ("Retained") */
      return g_strdup_printf (_("Funnel: %s"), ct_funnel_stage_get_label ((guint) CLAMP (id, 0, 4)));
    case CT_CONTACT_FILTER_CHANNEL:
      {
        g_autofree char *name = id != 0 ? channel_name (db, id) : NULL;

        if (id == 0)
          return g_strdup (_("No channel"));
        /* Translators: the filter of the contacts list, %s a channel's name ("WeChat") */
        return g_strdup_printf (_("Channel: %s"), name != NULL ? name : "?");
      }
    case CT_CONTACT_FILTER_CLUSTER:
      /* Translators: the filter of the contacts list; clusters are numbered from 1 as the chart shows them */
      return g_strdup_printf (_("Cluster %lld"), (long long) id + 1);
    case CT_CONTACT_FILTER_TIER:
      {
        g_autofree char *name = ct_tier_get_name (db, (guint) CLAMP (id, 0, G_MAXINT), NULL);

        /* Translators: the filter of the contacts list, %s a membership tier ("Gold") */
        return g_strdup_printf (_("Tier: %s"), name != NULL && *name != '\0' ? name : "?");
      }
    case CT_CONTACT_FILTER_NONE:
    default:
      return NULL;
    }
}
