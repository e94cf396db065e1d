/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-contact-list.c: the contacts list model: search and sort, paged
 *
 * Search matches a substring of contacts.search_text, which triggers keep
 * as the lower-cased name in both orders, email, phone, company and tags,
 * so one instr() per row answers it; a scan of 100,000 short strings is
 * far quicker than a person types. Sorting always ends on the id so that
 * equal keys keep a stable order across refreshes, which keeps the
 * items-changed of a refresh small.
 */
#include "config.h"

#include "ct-contact-list.h"

typedef struct
{
  char          *search;    /* stripped, never NULL; "" for all */
  CtContactSort  sort;
  gboolean       descending;
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
apply_state (CtPagedList             *list,
             const ContactListState  *state,
             GError                 **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT c.id FROM contacts c");
  GVariant *params = NULL;

  if (state->sort == CT_CONTACT_SORT_CHANNEL)
    g_string_append (sql, " LEFT JOIN channels ch ON ch.id = c.channel_id");

  if (state->search[0] != '\0')
    {
      /* lower() on both sides: search_text is lowered by SQLite, which
       * folds ASCII only, so folding the needle the same way matches. */
      g_string_append (sql, " WHERE instr(c.search_text, lower(?1)) > 0");
      params = g_variant_new ("(s)", state->search);
    }

  append_order (sql, state->sort, state->descending, params != NULL);

  return ct_paged_list_set_query (list, sql->str, params, error);
}

/**
 * ct_contact_list_new:
 * @db: the database
 *
 * Returns: (transfer full): a CtPagedList of CtContact, all contacts by
 * name. It also follows changes of tags and channels, whose names it shows.
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
  g_return_val_if_fail (sort <= CT_CONTACT_SORT_LAST_PURCHASE, FALSE);

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
