/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-gui-contacts.c: the Contacts page: list, search, sort, detail,
 * editing, validation, delete with Undo, new contacts, tags */
#include "config.h"

#include <string.h>

#include "ct-gui-test.h"
#include "ct-points.h"
#include "ct-referral.h"
#include "ct-contacts-view.h"
#include "ct-contact-detail.h"
#include "ct-purchase-dialog.h"

static CtApplication *app;

typedef struct
{
  char               *dir;
  CtDb               *db;
  CtWindow           *window;
  CtContactsView     *view;
  CtContactDetail    *detail;
  GtkColumnView      *column_view;
  GtkSingleSelection *selection;
  CtPagedList        *list;
  gint64              zhang, ada, grace, alan, li;
} Fixture;

#define N_CONTACTS 5

static gint64
add_contact (CtDb       *db,
             const char *first,
             const char *last,
             const char *email,
             const char *phone,
             const char *tags)
{
  g_autoptr(CtContact) contact = ct_contact_new ();
  g_autoptr(GError) error = NULL;

  ct_contact_set_first_name (contact, first);
  ct_contact_set_last_name (contact, last);
  ct_contact_set_email (contact, email);
  ct_contact_set_phone (contact, phone);
  g_assert_true (ct_contact_insert (db, contact, &error));
  g_assert_no_error (error);

  if (tags != NULL)
    {
      g_auto(GStrv) list = g_strsplit (tags, ",", -1);

      g_assert_true (ct_contact_set_tags (db, ct_contact_get_id (contact),
                                          (const char * const *) list, &error));
      g_assert_no_error (error);
    }
  return ct_contact_get_id (contact);
}

static void
add_purchase (CtDb   *db,
              gint64  contact_id,
              gint64  amount,
              int     days_ago)
{
  g_autoptr(CtPurchase) purchase = ct_purchase_new ();
  g_autoptr(GError) error = NULL;

  ct_purchase_set_contact_id (purchase, contact_id);
  ct_purchase_set_amount (purchase, amount);
  ct_purchase_set_currency (purchase, "CNY");
  ct_purchase_set_purchased_at (purchase, g_get_real_time () / G_USEC_PER_SEC - days_ago * 86400);
  g_assert_true (ct_purchase_insert (db, purchase, &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(CtContext) context = NULL;
  g_autoptr(GError) error = NULL;

  f->dir = ct_test_make_tmp ();
  path = g_build_filename (f->dir, "business.db", NULL);
  f->db = ct_db_open (path, &error);
  g_assert_no_error (error);

  f->zhang = add_contact (f->db, "伟", "张", "zhangwei@example.com", "13800138000", "vip,课程A");
  f->ada = add_contact (f->db, "Ada", "Lovelace", "ada@example.com", "", "vip");
  f->grace = add_contact (f->db, "Grace", "Hopper", "grace@example.com", "", NULL);
  f->alan = add_contact (f->db, "Alan", "Turing", "alan@example.com", "+44 20 7946 0000", NULL);
  f->li = add_contact (f->db, "娜", "李", "", "13900139000", NULL);
  add_purchase (f->db, f->zhang, 19900, 3);
  add_purchase (f->db, f->zhang, 29900, 40);
  add_purchase (f->db, f->ada, 5000, 10);

  context = ct_context_new (f->db, NULL);
  f->window = ct_window_new (GTK_APPLICATION (app), context);
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
  /* The window opens on the dashboard. */
  ct_window_show_page (f->window, "contacts");

  f->view = CT_CONTACTS_VIEW (adw_view_stack_get_child_by_name (
    ADW_VIEW_STACK (gtk_widget_get_template_child (GTK_WIDGET (f->window), CT_TYPE_WINDOW, "view_stack")),
    "contacts"));
  f->detail = CT_CONTACT_DETAIL (gtk_widget_get_template_child (GTK_WIDGET (f->view),
                                                                CT_TYPE_CONTACTS_VIEW, "detail"));
  f->column_view = GTK_COLUMN_VIEW (gtk_widget_get_template_child (GTK_WIDGET (f->view),
                                                                   CT_TYPE_CONTACTS_VIEW, "column_view"));
  f->selection = GTK_SINGLE_SELECTION (gtk_column_view_get_model (f->column_view));
  f->list = CT_PAGED_LIST (gtk_single_selection_get_model (f->selection));

  ct_test_show_window (GTK_WINDOW (f->window));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  ct_test_spin (20);
  g_clear_object (&f->db);
  ct_test_rm_tmp (f->dir);
  g_free (f->dir);
}

static GObject *
view_child (Fixture    *f,
            const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->view), CT_TYPE_CONTACTS_VIEW, name);

  g_assert_nonnull (object);
  return object;
}

static GObject *
detail_child (Fixture    *f,
              const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->detail), CT_TYPE_CONTACT_DETAIL, name);

  g_assert_nonnull (object);
  return object;
}

static guint
n_rows (Fixture *f)
{
  return g_list_model_get_n_items (G_LIST_MODEL (f->selection));
}

static const char *
count_text (Fixture *f)
{
  return gtk_label_get_text (GTK_LABEL (view_child (f, "count_label")));
}

static const char *
entry_text (Fixture    *f,
            const char *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (detail_child (f, row)));
}

static void
set_entry (Fixture    *f,
           const char *row,
           const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (detail_child (f, row)), text);
}

static gboolean
save_enabled (Fixture *f)
{
  return gtk_widget_get_sensitive (GTK_WIDGET (detail_child (f, "save_button")));
}

static void
select_contact (Fixture *f,
                gint64   id)
{
  int position = ct_paged_list_find (f->list, id);

  g_assert_cmpint (position, >=, 0);
  gtk_single_selection_set_selected (f->selection, position);
  g_assert_cmpint (ct_contact_detail_get_contact (f->detail), ==, id);
  ct_test_spin (20);
}

static gint64
row_id (Fixture *f,
        guint    position)
{
  g_autoptr(CtContact) contact = g_list_model_get_item (G_LIST_MODEL (f->selection), position);

  g_assert_nonnull (contact);
  return ct_contact_get_id (contact);
}

static CtContact *
load (Fixture *f,
      gint64   id)
{
  g_autoptr(GError) error = NULL;
  CtContact *contact = ct_contact_load (f->db, id, &error);

  g_assert_no_error (error);
  return contact;
}

static void
test_list (Fixture       *f,
           gconstpointer  data)
{
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (
                     gtk_widget_get_template_child (GTK_WIDGET (f->window), CT_TYPE_WINDOW, "stack"))),
                   ==, "main");
  g_assert_cmpuint (n_rows (f), ==, N_CONTACTS);
  g_assert_cmpstr (count_text (f), ==, "5 contacts");

  /* The cells show the contacts, money and dates included. */
  g_assert_nonnull (ct_test_find_label (GTK_WIDGET (f->column_view), "zhangwei@example.com"));
  g_assert_nonnull (ct_test_find_label (GTK_WIDGET (f->column_view), "张伟"));
  g_assert_nonnull (ct_test_find_label (GTK_WIDGET (f->column_view), "Ada Lovelace"));
  g_assert_nonnull (ct_test_find_label (GTK_WIDGET (f->column_view), "¥498.00"));
  g_assert_nonnull (ct_test_find_label (GTK_WIDGET (f->column_view), "13900139000"));

  /* Nothing selected yet: the detail says so. */
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (detail_child (f, "stack"))), ==, "empty");
  g_assert_nonnull (ct_test_find_label (GTK_WIDGET (f->detail), "No Contact Selected"));

  /* A change made elsewhere shows up. */
  add_contact (f->db, "Katherine", "Johnson", "katherine@example.com", "", NULL);
  g_assert_cmpuint (n_rows (f), ==, N_CONTACTS + 1);
  g_assert_cmpstr (count_text (f), ==, "6 contacts");
}

static gboolean
has_n_rows (gpointer data)
{
  Fixture *f = data;
  return n_rows (f) == GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (f->view), "want"));
}

static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  GtkEditable *entry = GTK_EDITABLE (view_child (f, "search_entry"));

  /* Typed, through the entry's own delay. */
  gtk_editable_set_text (entry, "张");
  g_object_set_data (G_OBJECT (f->view), "want", GUINT_TO_POINTER (1));
  g_assert_true (ct_test_wait_until (has_n_rows, f, 5000));
  g_assert_cmpint (row_id (f, 0), ==, f->zhang);
  g_assert_cmpstr (count_text (f), ==, "1 contact found");

  /* Tags, Chinese tags, email, phone, case. */
  ct_contacts_view_search (f->view, "vip");
  g_assert_cmpuint (n_rows (f), ==, 2);
  g_assert_cmpstr (count_text (f), ==, "2 contacts found");
  ct_contacts_view_search (f->view, "课程a");
  g_assert_cmpuint (n_rows (f), ==, 1);
  g_assert_cmpint (row_id (f, 0), ==, f->zhang);
  ct_contacts_view_search (f->view, "GRACE@");
  g_assert_cmpuint (n_rows (f), ==, 1);
  g_assert_cmpint (row_id (f, 0), ==, f->grace);
  ct_contacts_view_search (f->view, "139001");
  g_assert_cmpuint (n_rows (f), ==, 1);
  g_assert_cmpint (row_id (f, 0), ==, f->li);
  ct_contacts_view_search (f->view, "张伟");
  g_assert_cmpuint (n_rows (f), ==, 1);

  /* No match: said over the list, with what was searched. */
  ct_contacts_view_search (f->view, "nobody-like-this");
  g_assert_cmpuint (n_rows (f), ==, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (view_child (f, "list_stack"))), ==, "empty");
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (view_child (f, "empty_page"))), ==,
                   "No Contacts Found");
  g_assert_nonnull (strstr (adw_status_page_get_description (ADW_STATUS_PAGE (view_child (f, "empty_page"))),
                            "nobody-like-this"));
  ct_test_screenshot (GTK_WIDGET (f->window), "contacts-no-match");

  ct_contacts_view_search (f->view, "");
  g_assert_cmpuint (n_rows (f), ==, N_CONTACTS);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (view_child (f, "list_stack"))), ==, "list");
  g_assert_cmpstr (count_text (f), ==, "5 contacts");
}

/* Where a chart of the dashboard leads: the contacts of a channel, a
 * step of the funnel or a tier, with a bar that says so and takes the
 * filter off; the search narrows further. */
static void
test_filter (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GtkRevealer *revealer = GTK_REVEALER (view_child (f, "filter_revealer"));
  GtkLabel *label = GTK_LABEL (view_child (f, "filter_label"));
  GtkWidget *dashboard = adw_view_stack_get_child_by_name (
    ADW_VIEW_STACK (gtk_widget_get_template_child (GTK_WIDGET (f->window), CT_TYPE_WINDOW, "view_stack")),
    "dashboard");
  g_autofree char *sql = NULL;
  gint64 wechat;

  ct_db_exec (f->db, "INSERT INTO channels (name) VALUES ('WeChat')", &error);
  g_assert_no_error (error);
  wechat = ct_db_query_int64 (f->db, "SELECT id FROM channels WHERE name = 'WeChat'", NULL);
  sql = g_strdup_printf ("UPDATE contacts SET channel_id = %" G_GINT64_FORMAT " WHERE id IN (%" G_GINT64_FORMAT
                         ", %" G_GINT64_FORMAT ")", wechat, f->ada, f->grace);
  ct_db_exec (f->db, sql, &error);
  g_assert_no_error (error);
  ct_db_emit_changed (f->db, "contacts");
  g_assert_false (gtk_revealer_get_reveal_child (revealer));

  /* From the dashboard, as a click on the channel's bar does. */
  ct_window_show_page (f->window, "dashboard");
  g_signal_emit_by_name (dashboard, "open-filtered-contacts", (guint) CT_CONTACT_FILTER_CHANNEL, wechat);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (
    ADW_VIEW_STACK (gtk_widget_get_template_child (GTK_WIDGET (f->window), CT_TYPE_WINDOW, "view_stack"))),
    ==, "contacts");
  g_assert_true (gtk_revealer_get_reveal_child (revealer));
  g_assert_cmpstr (gtk_label_get_text (label), ==, "Channel: WeChat");
  g_assert_cmpuint (n_rows (f), ==, 2);
  g_assert_cmpstr (count_text (f), ==, "2 contacts found");
  ct_test_spin (300);
  ct_test_screenshot (GTK_WIDGET (f->window), "contacts-filter");

  ct_contacts_view_search (f->view, "ada");
  g_assert_cmpuint (n_rows (f), ==, 1);
  g_assert_cmpint (row_id (f, 0), ==, f->ada);
  ct_contacts_view_search (f->view, "");

  /* Bought at least once, then twice. */
  ct_contacts_view_set_filter (f->view, CT_CONTACT_FILTER_FUNNEL_STAGE, 2);
  g_assert_cmpstr (gtk_label_get_text (label), ==, "Funnel: Converted");
  g_assert_cmpuint (n_rows (f), ==, 2);
  ct_contacts_view_set_filter (f->view, CT_CONTACT_FILTER_FUNNEL_STAGE, 3);
  g_assert_cmpuint (n_rows (f), ==, 1);
  g_assert_cmpint (row_id (f, 0), ==, f->zhang);
  /* Nobody is placed in a tier yet: all in the lowest. */
  ct_contacts_view_set_filter (f->view, CT_CONTACT_FILTER_TIER, 0);
  g_assert_cmpuint (n_rows (f), ==, N_CONTACTS);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (label), "Tier: "));
  ct_contacts_view_set_filter (f->view, CT_CONTACT_FILTER_TIER, 2);
  g_assert_cmpuint (n_rows (f), ==, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (view_child (f, "list_stack"))), ==, "empty");

  /* The chip's button shows everyone again. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->view), "contacts.clear-filter", NULL));
  g_assert_false (gtk_revealer_get_reveal_child (revealer));
  g_assert_cmpuint (n_rows (f), ==, N_CONTACTS);
  g_assert_cmpstr (count_text (f), ==, "5 contacts");
}

static GtkColumnViewColumn *
column (Fixture    *f,
        const char *title)
{
  GListModel *columns = gtk_column_view_get_columns (f->column_view);

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) c = g_list_model_get_item (columns, i);

      if (g_strcmp0 (gtk_column_view_column_get_title (c), title) == 0)
        return c;
    }
  g_assert_not_reached ();
}

static void
test_sort (Fixture       *f,
           gconstpointer  data)
{
  /* Header clicks, as the view's sorter sees them, sort in SQL. */
  gtk_column_view_sort_by_column (f->column_view, column (f, "Total Spent"), GTK_SORT_DESCENDING);
  g_assert_cmpuint (n_rows (f), ==, N_CONTACTS);
  g_assert_cmpint (row_id (f, 0), ==, f->zhang);
  g_assert_cmpint (row_id (f, 1), ==, f->ada);

  gtk_column_view_sort_by_column (f->column_view, column (f, "Total Spent"), GTK_SORT_ASCENDING);
  g_assert_cmpint (row_id (f, N_CONTACTS - 1), ==, f->zhang);
  g_assert_cmpint (row_id (f, N_CONTACTS - 2), ==, f->ada);

  gtk_column_view_sort_by_column (f->column_view, column (f, "Email"), GTK_SORT_ASCENDING);
  g_assert_cmpint (ct_paged_list_find (f->list, f->ada), <, ct_paged_list_find (f->list, f->alan));
  g_assert_cmpint (ct_paged_list_find (f->list, f->alan), <, ct_paged_list_find (f->list, f->grace));
  g_assert_cmpint (ct_paged_list_find (f->list, f->grace), <, ct_paged_list_find (f->list, f->zhang));
  gtk_column_view_sort_by_column (f->column_view, column (f, "Email"), GTK_SORT_DESCENDING);
  g_assert_cmpint (ct_paged_list_find (f->list, f->zhang), <, ct_paged_list_find (f->list, f->grace));
  g_assert_cmpint (ct_paged_list_find (f->list, f->alan), <, ct_paged_list_find (f->list, f->ada));

  gtk_column_view_sort_by_column (f->column_view, column (f, "Purchases"), GTK_SORT_DESCENDING);
  g_assert_cmpint (row_id (f, 0), ==, f->zhang);

  /* The selected contact stays selected when the order changes. */
  select_contact (f, f->grace);
  gtk_column_view_sort_by_column (f->column_view, column (f, "Name"), GTK_SORT_DESCENDING);
  g_assert_cmpint (row_id (f, gtk_single_selection_get_selected (f->selection)), ==, f->grace);
  gtk_column_view_sort_by_column (f->column_view, column (f, "Name"), GTK_SORT_ASCENDING);
  g_assert_cmpint (row_id (f, gtk_single_selection_get_selected (f->selection)), ==, f->grace);
  g_assert_cmpint (ct_contact_detail_get_contact (f->detail), ==, f->grace);
}

/* A cache as the background recompute leaves it: 张伟 a champion with a
 * fitted model, Ada new without one (too few repeat buyers), Grace never
 * bought, Alan and 李娜 not computed yet. */
static void
add_fixture_metrics (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;

  sql = g_strdup_printf ("INSERT INTO contact_metrics (contact_id, as_of, recency_days,"
                         " frequency, monetary, currency, r_score, f_score, m_score,"
                         " rfm_segment, lifecycle, clv_historical, clv_simple,"
                         " clv_predictive, p_alive, expected_purchases, cluster) VALUES"
                         " (%" G_GINT64_FORMAT ", 1764590400, 3, 2, 49800, 'CNY', 5, 5, 5,"
                         "  'champions', 'active', 49800, 60000, 124000, 0.83, 3.2, 0),"
                         " (%" G_GINT64_FORMAT ", 1764590400, 10, 1, 5000, 'CNY', 5, 1, 1,"
                         "  'new', 'new', 5000, NULL, NULL, NULL, NULL, 1),"
                         " (%" G_GINT64_FORMAT ", 1764590400, NULL, 0, 0, 'CNY', NULL, NULL,"
                         "  NULL, NULL, 'potential', 0, NULL, NULL, NULL, NULL, NULL)",
                         f->zhang, f->ada, f->grace);
  g_assert_true (ct_db_exec (f->db, sql, &error));
  g_assert_no_error (error);
  ct_db_emit_changed (f->db, "contact_metrics");
}

static char *
cell_text_of (Fixture    *f,
              gint64      id,
              const char *title)
{
  GtkColumnViewColumn *wanted = column (f, title);
  GListModel *columns = gtk_column_view_get_columns (f->column_view);
  guint index = 0;
  int position = ct_paged_list_find (f->list, id);
  g_autoptr(CtContact) contact = NULL;
  GtkWidget *row;

  g_assert_cmpint (position, >=, 0);
  contact = g_list_model_get_item (G_LIST_MODEL (f->list), position);
  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) c = g_list_model_get_item (columns, i);
      if (c == wanted)
        index = i;
    }

  /* The row widgets of the list view inside the column view, each with
   * one cell per column; the cell's label is what the user reads. Rows
   * are found by the contact's display name in the first column. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (f->column_view));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      if (!GTK_IS_LIST_VIEW (child))
        continue;
      for (row = gtk_widget_get_first_child (child); row != NULL;
           row = gtk_widget_get_next_sibling (row))
        {
          GtkWidget *cell = gtk_widget_get_first_child (row);
          GtkWidget *name = cell != NULL ? ct_test_find_widget (cell, ct_test_match_label_text,
                                                               (gpointer) ct_contact_get_display_name (contact))
                                         : NULL;
          if (name == NULL)
            continue;
          for (guint i = 0; i < index && cell != NULL; i++)
            cell = gtk_widget_get_next_sibling (cell);
          g_assert_nonnull (cell);
          for (GtkWidget *w = cell; w != NULL; w = gtk_widget_get_first_child (w))
            if (GTK_IS_LABEL (w))
              return g_strdup (gtk_label_get_text (GTK_LABEL (w)));
        }
    }
  g_assert_not_reached ();
}

#define ASSERT_CELL(f, id, title, text) \
  G_STMT_START { \
    g_autofree char *cell_ = cell_text_of ((f), (id), (title)); \
    g_assert_cmpstr (cell_, ==, (text)); \
  } G_STMT_END

static void
test_score_columns (Fixture       *f,
                    gconstpointer  data)
{
  /* Before any recompute every score reads "—", never a 0. */
  ASSERT_CELL (f, f->zhang, "RFM Segment", "—");
  ASSERT_CELL (f, f->zhang, "Lifecycle", "—");
  ASSERT_CELL (f, f->zhang, "Predicted CLV", "—");
  ASSERT_CELL (f, f->zhang, "Churn Risk", "—");
  ASSERT_CELL (f, f->zhang, "Cluster", "—");

  /* The recompute's changed::contact_metrics reaches the cells. */
  add_fixture_metrics (f);
  ct_test_spin (50);
  ASSERT_CELL (f, f->zhang, "RFM Segment", "Champions");
  ASSERT_CELL (f, f->zhang, "Lifecycle", "Active");
  ASSERT_CELL (f, f->zhang, "Predicted CLV", "¥1,240.00");
  ASSERT_CELL (f, f->zhang, "Churn Risk", "17%");
  ASSERT_CELL (f, f->zhang, "Cluster", "1");
  /* No model for Ada: her segment and stage, but no prediction. */
  ASSERT_CELL (f, f->ada, "RFM Segment", "New");
  ASSERT_CELL (f, f->ada, "Lifecycle", "New");
  ASSERT_CELL (f, f->ada, "Predicted CLV", "—");
  ASSERT_CELL (f, f->ada, "Churn Risk", "—");
  ASSERT_CELL (f, f->ada, "Cluster", "2");
  ASSERT_CELL (f, f->grace, "RFM Segment", "—");
  ASSERT_CELL (f, f->grace, "Lifecycle", "Potential");
  ASSERT_CELL (f, f->alan, "Lifecycle", "—");
  {
    /* The score columns are the last ones: scrolled to, for a look. */
    GtkWidget *scrolled = gtk_widget_get_ancestor (GTK_WIDGET (f->column_view),
                                                   GTK_TYPE_SCROLLED_WINDOW);
    GtkAdjustment *h = gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (scrolled));

    gtk_adjustment_set_value (h, gtk_adjustment_get_upper (h));
    ct_test_screenshot (GTK_WIDGET (f->window), "contacts-scores");
  }

  /* Sortable by header like the other columns; not computed goes last. */
  gtk_column_view_sort_by_column (f->column_view, column (f, "Churn Risk"), GTK_SORT_DESCENDING);
  g_assert_cmpint (row_id (f, 0), ==, f->zhang);
  gtk_column_view_sort_by_column (f->column_view, column (f, "Lifecycle"), GTK_SORT_ASCENDING);
  /* In the order of the stages: potential, new, active. */
  g_assert_cmpint (row_id (f, 0), ==, f->grace);
  g_assert_cmpint (row_id (f, 1), ==, f->ada);
  g_assert_cmpint (row_id (f, 2), ==, f->zhang);
  gtk_column_view_sort_by_column (f->column_view, column (f, "RFM Segment"), GTK_SORT_ASCENDING);
  g_assert_cmpint (row_id (f, 0), ==, f->zhang);
  g_assert_cmpint (row_id (f, 1), ==, f->ada);
  gtk_column_view_sort_by_column (f->column_view, column (f, "Predicted CLV"), GTK_SORT_DESCENDING);
  g_assert_cmpint (row_id (f, 0), ==, f->zhang);
  gtk_column_view_sort_by_column (f->column_view, column (f, "Cluster"), GTK_SORT_DESCENDING);
  g_assert_cmpint (row_id (f, 0), ==, f->ada);
  g_assert_cmpint (row_id (f, 1), ==, f->zhang);

  /* Searchable by the names shown. */
  ct_contacts_view_search (f->view, "champ");
  g_assert_cmpuint (n_rows (f), ==, 1);
  g_assert_cmpint (row_id (f, 0), ==, f->zhang);
  ct_contacts_view_search (f->view, "potential");
  g_assert_cmpuint (n_rows (f), ==, 1);
  g_assert_cmpint (row_id (f, 0), ==, f->grace);
  ct_contacts_view_search (f->view, "");
  g_assert_cmpuint (n_rows (f), ==, N_CONTACTS);
}

static void
test_detail (Fixture       *f,
             gconstpointer  data)
{
  GtkWidget *purchases;
  guint n_tags = 0;

  select_contact (f, f->zhang);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (detail_child (f, "stack"))), ==, "contact");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (detail_child (f, "title_label"))), ==, "张伟");
  g_assert_cmpstr (adw_avatar_get_text (ADW_AVATAR (detail_child (f, "avatar"))), ==, "张伟");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (detail_child (f, "subtitle_label"))), ==,
                   "zhangwei@example.com");
  g_assert_cmpstr (entry_text (f, "first_name_row"), ==, "伟");
  g_assert_cmpstr (entry_text (f, "last_name_row"), ==, "张");
  g_assert_cmpstr (entry_text (f, "email_row"), ==, "zhangwei@example.com");
  g_assert_cmpstr (entry_text (f, "phone_row"), ==, "13800138000");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (detail_child (f, "channel_row"))), ==, 0);
  g_assert_false (save_enabled (f));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (detail_child (f, "delete_button"))));

  /* Tags as pills, purchases newest first with a summary. */
  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (detail_child (f, "tags_box")));
       c != NULL; c = gtk_widget_get_next_sibling (c))
    n_tags++;
  g_assert_cmpuint (n_tags, ==, 2);
  g_assert_nonnull (ct_test_find_label (GTK_WIDGET (f->detail), "vip"));
  g_assert_nonnull (ct_test_find_label (GTK_WIDGET (f->detail), "课程A"));

  purchases = GTK_WIDGET (detail_child (f, "purchases_listbox"));
  g_assert_nonnull (gtk_list_box_get_row_at_index (GTK_LIST_BOX (purchases), 0));
  g_assert_nonnull (gtk_list_box_get_row_at_index (GTK_LIST_BOX (purchases), 1));
  g_assert_null (gtk_list_box_get_row_at_index (GTK_LIST_BOX (purchases), 2));
  g_assert_nonnull (ct_test_find_label (purchases, "¥199.00"));
  g_assert_cmpstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (detail_child (f, "purchases_group"))),
                   ==, "2 purchases · ¥498.00 in total · last 3 days ago");
  ct_test_screenshot (GTK_WIDGET (f->window), "contact-detail");

  /* Another contact, without purchases. */
  select_contact (f, f->grace);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (detail_child (f, "title_label"))), ==, "Grace Hopper");
  g_assert_cmpstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (detail_child (f, "purchases_group"))),
                   ==, "No purchases yet.");
  g_assert_null (gtk_list_box_get_row_at_index (GTK_LIST_BOX (purchases), 0));
}

static const char *
row_title (Fixture    *f,
           const char *row)
{
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (detail_child (f, row)));
}

static const char *
row_subtitle (Fixture    *f,
              const char *row)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (detail_child (f, row)));
}

static void
test_detail_scores (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (detail_child (f, "scores_group"));
  g_autofree char *sql = NULL;

  /* Before any run: said so, and no empty rows. */
  select_contact (f, f->zhang);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (group)));
  g_assert_cmpstr (row_title (f, "segment_row"), ==, "Not computed yet");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (detail_child (f, "alive_row"))));

  /* A run arrives while the contact is shown. Its summary gives the
   * reasons for the models that could not be fitted. */
  g_assert_true (ct_db_exec (f->db,
                             "INSERT INTO analytics_runs (as_of, computed_at, summary) VALUES"
                             " (1764590400, 1764590400, '{\"bgnbd\": {\"error\": \"Too few"
                             " repeat buyers.\"}, \"gamma_gamma\": {\"error\": \"No"
                             " variance in spend.\"}, \"clv\": {\"horizon_months\": 12},"
                             " \"k\": 2, \"clusters_error\": \"Too few customers to"
                             " group.\"}')",
                             &error));
  g_assert_no_error (error);
  add_fixture_metrics (f);
  ct_test_spin (20);

  g_assert_cmpstr (adw_preferences_group_get_description (group), ==,
                   "From the purchases up to 2025-12-01.");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (detail_child (f, "alive_row"))));
  g_assert_cmpstr (row_title (f, "segment_row"), ==, "Bought 2 times, last 3 days ago: Champions");
  g_assert_cmpstr (row_subtitle (f, "segment_row"), ==,
                   "Bought the most recently and the most often. "
                   "Recency 5, frequency 5, spend 5 out of 5.");
  g_assert_cmpstr (row_title (f, "lifecycle_row"), ==, "Lifecycle stage: Active");
  g_assert_cmpstr (row_subtitle (f, "lifecycle_row"), ==, "Last bought within the last 90 days.");
  g_assert_cmpstr (row_title (f, "alive_row"), ==, "83% likely still a customer");
  g_assert_true (g_str_has_prefix (row_subtitle (f, "alive_row"), "Churn risk 17%, "));
  g_assert_cmpstr (row_title (f, "value_row"), ==, "Expected to spend ¥1,240.00 in the next year");
  g_assert_cmpstr (row_subtitle (f, "value_row"), ==,
                   "About 3.2 purchases in that time. Spent so far: ¥498.00. "
                   "Simple estimate over a customer’s lifetime: ¥600.00.");
  g_assert_cmpstr (row_title (f, "cluster_row"), ==, "Cluster 1 of 2");
  ct_test_screenshot (GTK_WIDGET (f->window), "contact-scores");

  /* No model for Ada: why, in the run's words. */
  select_contact (f, f->ada);
  g_assert_cmpstr (row_title (f, "segment_row"), ==, "Bought 1 time, last 10 days ago: New");
  g_assert_cmpstr (row_title (f, "lifecycle_row"), ==, "Lifecycle stage: New");
  g_assert_cmpstr (row_subtitle (f, "lifecycle_row"), ==, "First bought within the last 30 days.");
  g_assert_cmpstr (row_title (f, "alive_row"), ==, "Chance of still being a customer: not computed");
  g_assert_cmpstr (row_subtitle (f, "alive_row"), ==, "Too few repeat buyers.");
  g_assert_cmpstr (row_title (f, "value_row"), ==, "Predicted lifetime value: not computed");
  g_assert_cmpstr (row_subtitle (f, "value_row"), ==, "No variance in spend. Spent so far: ¥50.00.");
  g_assert_cmpstr (row_title (f, "cluster_row"), ==, "Cluster 2 of 2");

  /* With a model: a one-time buyer is "certainly alive" to BG/NBD, which
   * is no news; the detail says it is too early to tell instead. */
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("UPDATE contact_metrics SET p_alive = 1.0 WHERE contact_id = %"
                         G_GINT64_FORMAT, f->ada);
  g_assert_true (ct_db_exec (f->db, sql, &error));
  g_assert_no_error (error);
  ct_db_emit_changed (f->db, "contact_metrics");
  select_contact (f, f->ada);
  g_assert_cmpstr (row_title (f, "alive_row"), ==, "Too early to tell whether still a customer");

  /* Never bought: the scores say what it takes. */
  select_contact (f, f->grace);
  g_assert_cmpstr (row_title (f, "segment_row"), ==, "No RFM segment");
  g_assert_cmpstr (row_title (f, "lifecycle_row"), ==, "Lifecycle stage: Potential");
  g_assert_cmpstr (row_subtitle (f, "lifecycle_row"), ==, "Has not bought anything yet.");
  g_assert_cmpstr (row_subtitle (f, "alive_row"), ==, "Needs at least one purchase.");
  /* Without "Spent so far: ¥0.00". */
  g_assert_cmpstr (row_subtitle (f, "value_row"), ==, "Needs at least one purchase.");
  g_assert_cmpstr (row_title (f, "cluster_row"), ==, "Cluster: none");
  g_assert_cmpstr (row_subtitle (f, "cluster_row"), ==, "Needs at least one purchase.");

  /* A buyer left out of the clusters: the run's reason. */
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("UPDATE contact_metrics SET cluster = NULL WHERE contact_id = %"
                         G_GINT64_FORMAT, f->ada);
  g_assert_true (ct_db_exec (f->db, sql, &error));
  g_assert_no_error (error);
  ct_db_emit_changed (f->db, "contact_metrics");
  select_contact (f, f->ada);
  g_assert_cmpstr (row_title (f, "cluster_row"), ==, "Cluster: none");
  g_assert_cmpstr (row_subtitle (f, "cluster_row"), ==, "Too few customers to group.");

  /* Added after the run: not computed yet, until the next one. */
  select_contact (f, f->alan);
  g_assert_cmpstr (row_title (f, "segment_row"), ==, "Not computed yet");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (detail_child (f, "cluster_row"))));
  g_clear_pointer (&sql, g_free);
  sql = g_strdup_printf ("INSERT INTO contact_metrics (contact_id, as_of, frequency, monetary,"
                         " lifecycle, clv_historical) VALUES (%" G_GINT64_FORMAT ","
                         " 1764590400, 0, 0, 'potential', 0)", f->alan);
  g_assert_true (ct_db_exec (f->db, sql, &error));
  g_assert_no_error (error);
  ct_db_emit_changed (f->db, "contact_metrics");
  g_assert_cmpstr (row_title (f, "lifecycle_row"), ==, "Lifecycle stage: Potential");

  /* A new contact has no scores to show. */
  ct_contacts_view_new_contact (f->view);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (group)));
}

static gint64
count_rows (Fixture    *f,
            const char *table)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (f->db, sql, &error);

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

typedef struct
{
  Fixture  *f;
  guint     started;
  gboolean  status_shown;
} RunWatch;

static gboolean
is_spinner (GtkWidget     *widget,
            gconstpointer  data)
{
  return GTK_IS_SPINNER (widget);
}

static void
on_analyzing (CtWindow   *window,
              GParamSpec *pspec,
              RunWatch   *watch)
{
  gboolean analyzing;

  g_object_get (window, "analyzing", &analyzing, NULL);
  if (analyzing)
    {
      GtkWidget *spinner = ct_test_find_widget (GTK_WIDGET (window), is_spinner, NULL);

      watch->started++;
      /* Said in the header bar while it runs. */
      watch->status_shown = spinner != NULL && gtk_widget_get_visible (gtk_widget_get_parent (spinner)) &&
                            gtk_spinner_get_spinning (GTK_SPINNER (spinner));
    }
}

static gboolean
run_done (gpointer data)
{
  RunWatch *watch = data;
  gboolean analyzing;

  g_object_get (watch->f->window, "analyzing", &analyzing, NULL);
  return watch->started > 0 && !analyzing;
}

static void
test_background_analysis (Fixture       *f,
                          gconstpointer  data)
{
  RunWatch watch = { f, 0, FALSE };
  gboolean analyzing;

  g_signal_connect (f->window, "notify::analyzing", G_CALLBACK (on_analyzing), &watch);

  /* No scores yet: turning it on (as the application does) starts a run
   * by itself, and the list shows its results without being asked. */
  g_object_set (f->window, "analyze-delay", 10, "auto-analyze", TRUE, NULL);
  g_assert_true (ct_test_wait_until (run_done, &watch, 20000));
  g_assert_cmpuint (watch.started, ==, 1);
  g_assert_true (watch.status_shown);
  g_assert_cmpint (count_rows (f, "analytics_runs"), ==, 1);
  g_assert_cmpint (count_rows (f, "contact_metrics"), ==, N_CONTACTS);
  ct_test_spin (20);
  ASSERT_CELL (f, f->zhang, "Lifecycle", "Active");
  ASSERT_CELL (f, f->ada, "Lifecycle", "New");
  ASSERT_CELL (f, f->alan, "Lifecycle", "Potential");
  /* Over: the status went away again. */
  g_assert_false (gtk_widget_get_visible (gtk_widget_get_parent (
    ct_test_find_widget (GTK_WIDGET (f->window), is_spinner, NULL))));

  /* A purchase: one more run, after the delay. */
  watch.started = 0;
  add_purchase (f->db, f->alan, 8800, 1);
  g_assert_true (ct_test_wait_until (run_done, &watch, 20000));
  g_assert_cmpuint (watch.started, ==, 1);
  g_assert_cmpint (count_rows (f, "analytics_runs"), ==, 2);
  ct_test_spin (20);
  ASSERT_CELL (f, f->alan, "Lifecycle", "New");

  /* Editing a contact changes no score: no run. A new contact has no
   * scores yet: a run. */
  watch.started = 0;
  {
    g_autoptr(CtContact) grace = load (f, f->grace);
    g_autoptr(GError) error = NULL;

    ct_contact_set_company (grace, "US Navy");
    g_assert_true (ct_contact_update (f->db, grace, &error));
    g_assert_no_error (error);
  }
  ct_test_spin (200);
  g_assert_cmpuint (watch.started, ==, 0);
  add_contact (f->db, "Katherine", "Johnson", "katherine@example.com", "", NULL);
  g_assert_true (ct_test_wait_until (run_done, &watch, 20000));
  g_assert_cmpint (count_rows (f, "analytics_runs"), ==, 3);
  g_assert_cmpint (count_rows (f, "contact_metrics"), ==, N_CONTACTS + 1);

  /* A burst of changes costs one run. */
  watch.started = 0;
  g_object_set (f->window, "analyze-delay", 300, NULL);
  add_purchase (f->db, f->li, 1000, 2);
  add_purchase (f->db, f->li, 2000, 1);
  add_purchase (f->db, f->grace, 3000, 1);
  g_assert_true (ct_test_wait_until (run_done, &watch, 20000));
  g_assert_cmpuint (watch.started, ==, 1);
  g_assert_cmpint (count_rows (f, "analytics_runs"), ==, 4);

  /* Stopped before it starts: no run, and the cache stays as it was. */
  watch.started = 0;
  g_object_set (f->window, "analyze-delay", 200, NULL);
  add_purchase (f->db, f->grace, 3000, 0);
  ct_window_cancel_analysis (f->window);
  ct_test_spin (400);
  g_assert_cmpuint (watch.started, ==, 0);
  g_assert_cmpint (count_rows (f, "analytics_runs"), ==, 4);

  /* Turned on again (as a new window would be), it runs for the
   * purchase the last run did not see, and after that not again: the
   * cache is of today and knows every contact and purchase. A purchase
   * stored in the same second as a run counts as unseen, so the run
   * here starts a second after the purchase. */
  ct_test_spin (1100);
  g_object_set (f->window, "analyze-delay", 10, NULL);
  g_object_set (f->window, "auto-analyze", FALSE, NULL);
  g_object_set (f->window, "auto-analyze", TRUE, NULL);
  g_assert_true (ct_test_wait_until (run_done, &watch, 20000));
  g_assert_cmpint (count_rows (f, "analytics_runs"), ==, 5);
  watch.started = 0;
  g_object_set (f->window, "auto-analyze", FALSE, NULL);
  g_object_set (f->window, "auto-analyze", TRUE, NULL);
  ct_test_spin (200);
  g_object_get (f->window, "analyzing", &analyzing, NULL);
  g_assert_false (analyzing);
  g_assert_cmpuint (watch.started, ==, 0);
  g_assert_cmpint (count_rows (f, "analytics_runs"), ==, 5);

  g_signal_handlers_disconnect_by_data (f->window, &watch);
}

/* The Loyalty group: tier, points balance, referrer set by typing an
 * email, and the figures following changes made elsewhere. */
static void
test_detail_loyalty (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 referrer = 0;

  select_contact (f, f->zhang);
  g_assert_cmpstr (row_title (f, "tier_row"), ==, "Member");
  g_assert_cmpstr (row_title (f, "points_row"), ==, "498 points");

  /* ¥1,000 more today: Silver at once, and 1,000 points more. */
  add_purchase (f->db, f->zhang, 100000, 0);
  ct_db_emit_changed (f->db, "purchases");
  ct_test_spin (20);
  g_assert_cmpstr (row_title (f, "tier_row"), ==, "Silver");
  g_assert_cmpstr (row_title (f, "points_row"), ==, "1,498 points");

  ct_points_award (f->db, f->zhang, 2, CT_POINTS_CHECKIN, NULL, 0, &error);
  g_assert_no_error (error);
  ct_test_spin (20);
  g_assert_cmpstr (row_title (f, "points_row"), ==, "1,500 points");

  set_entry (f, "referrer_row", "ADA@example.com");
  g_signal_emit_by_name (detail_child (f, "referrer_row"), "apply");
  ct_test_spin (20);
  g_assert_true (ct_referral_get_referrer (f->db, f->zhang, &referrer, &error));
  g_assert_cmpint (referrer, ==, f->ada);
  ct_test_screenshot (GTK_WIDGET (f->window), "contact-loyalty");

  /* A referrer who is nobody is refused, and nothing changes. */
  set_entry (f, "referrer_row", "nobody@example.com");
  g_signal_emit_by_name (detail_child (f, "referrer_row"), "apply");
  g_assert_true (ct_referral_get_referrer (f->db, f->zhang, &referrer, &error));
  g_assert_cmpint (referrer, ==, f->ada);

  /* Record feedback through the dialog, as a person would. */
  g_assert_cmpstr (row_title (f, "feedback_row"), ==, "No feedback yet");
  gtk_widget_activate_action (GTK_WIDGET (f->detail), "contact.record-feedback", NULL);
  ct_test_spin (20);
  {
    g_autoptr(GList) windows = gtk_window_list_toplevels ();
    AdwMessageDialog *dialog = NULL;

    for (GList *l = windows; l != NULL; l = l->next)
      if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
        dialog = l->data;
    g_assert_nonnull (dialog);
    ct_test_screenshot (GTK_WIDGET (dialog), "contact-record-feedback");
    adw_message_dialog_response (dialog, "record");
  }
  ct_test_spin (20);
  g_assert_cmpstr (row_title (f, "feedback_row"), ==, "1 piece of feedback");

  select_contact (f, f->ada);
  g_assert_cmpstr (row_title (f, "referrals_row"), ==, "Referred 1 contact");
  g_assert_cmpstr (row_subtitle (f, "referrals_row"), ==, "Earning 100 points");
}

static void
test_edit (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(CtContact) stored = NULL;
  GtkTextBuffer *notes;

  select_contact (f, f->ada);
  set_entry (f, "first_name_row", "Augusta Ada");
  g_assert_true (save_enabled (f));
  /* The header follows the typing. */
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (detail_child (f, "title_label"))), ==,
                   "Augusta Ada Lovelace");
  set_entry (f, "company_row", "Analytical Engines Ltd");
  notes = gtk_text_view_get_buffer (GTK_TEXT_VIEW (detail_child (f, "notes_view")));
  gtk_text_buffer_set_text (notes, "Prefers email.\n喜欢邮件。", -1);
  adw_combo_row_set_selected (ADW_COMBO_ROW (detail_child (f, "status_row")), 1);

  /* Typing it back is not a change. */
  set_entry (f, "company_row", "");
  set_entry (f, "company_row", "Analytical Engines Ltd");
  g_assert_true (save_enabled (f));

  gtk_widget_activate_action (GTK_WIDGET (f->detail), "contact.save", NULL);
  g_assert_false (save_enabled (f));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (detail_child (f, "error_label"))));

  stored = load (f, f->ada);
  g_assert_cmpstr (ct_contact_get_first_name (stored), ==, "Augusta Ada");
  g_assert_cmpstr (ct_contact_get_company (stored), ==, "Analytical Engines Ltd");
  g_assert_cmpstr (ct_contact_get_notes (stored), ==, "Prefers email.\n喜欢邮件。");
  g_assert_cmpint (ct_contact_get_status (stored), ==, CT_CONTACT_UNSUBSCRIBED);
  g_assert_cmpstr (ct_contact_get_email (stored), ==, "ada@example.com");

  /* The list shows the new name, and the contact stays selected. */
  ct_test_spin (50);
  g_assert_cmpint (row_id (f, gtk_single_selection_get_selected (f->selection)), ==, f->ada);
  g_assert_nonnull (ct_test_find_label (GTK_WIDGET (f->column_view), "Augusta Ada Lovelace"));

  /* With nothing changed there is nothing to save. */
  g_assert_false (save_enabled (f));
  g_assert_false (ct_contact_detail_has_unsaved_changes (f->detail));
}

static void
test_invalid (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(CtContact) stored = NULL;
  GtkWidget *error_label = GTK_WIDGET (detail_child (f, "error_label"));

  select_contact (f, f->grace);
  set_entry (f, "email_row", "grace@@example");
  set_entry (f, "company_row", "US Navy");
  g_assert_true (save_enabled (f));
  g_assert_false (ct_contact_detail_save (f->detail));

  /* Said where the user looks, and nothing typed is lost or stored. */
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_true (gtk_widget_get_mapped (error_label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), !=, "");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (detail_child (f, "email_row")), "error"));
  g_assert_cmpstr (entry_text (f, "email_row"), ==, "grace@@example");
  g_assert_cmpstr (entry_text (f, "company_row"), ==, "US Navy");
  g_assert_true (save_enabled (f));
  stored = load (f, f->grace);
  g_assert_cmpstr (ct_contact_get_email (stored), ==, "grace@example.com");
  g_assert_cmpstr (ct_contact_get_company (stored), ==, "");
  ct_test_screenshot (GTK_WIDGET (f->window), "contact-invalid-email");

  /* Another contact's email: refused by name. */
  set_entry (f, "email_row", "ADA@example.com");
  g_assert_false (gtk_widget_get_visible (error_label));
  g_assert_false (ct_contact_detail_save (f->detail));
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "ADA@example.com"));
  g_clear_object (&stored);
  stored = load (f, f->grace);
  g_assert_cmpstr (ct_contact_get_email (stored), ==, "grace@example.com");

  /* Fixed, it saves. */
  set_entry (f, "email_row", "grace.hopper@example.com");
  g_assert_true (ct_contact_detail_save (f->detail));
  g_assert_false (gtk_widget_get_visible (error_label));
  g_clear_object (&stored);
  stored = load (f, f->grace);
  g_assert_cmpstr (ct_contact_get_email (stored), ==, "grace.hopper@example.com");
  g_assert_cmpstr (ct_contact_get_company (stored), ==, "US Navy");
}

static void
test_delete_undo (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtContact) gone = NULL;
  g_autoptr(CtContact) back = NULL;
  g_auto(GStrv) tags = NULL;
  GtkWidget *undo;

  select_contact (f, f->zhang);
  gtk_widget_activate_action (GTK_WIDGET (f->detail), "contact.delete", NULL);

  gone = ct_contact_load (f->db, f->zhang, &error);
  g_assert_null (gone);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (n_rows (f), ==, N_CONTACTS - 1);
  g_assert_cmpint (ct_paged_list_find (f->list, f->zhang), ==, -1);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (detail_child (f, "stack"))), ==, "empty");

  /* The toast names the contact and offers Undo. */
  ct_test_spin (100);
  g_assert_nonnull (ct_test_find_label (GTK_WIDGET (f->window), "“张伟” deleted"));
  ct_test_screenshot (GTK_WIDGET (f->window), "contact-deleted");
  undo = ct_test_find_button (GTK_WIDGET (f->window), "Undo");
  g_assert_nonnull (undo);
  g_signal_emit_by_name (undo, "clicked");
  ct_test_spin (50);

  /* Back with the same id, tags and purchases, and shown again. */
  back = load (f, f->zhang);
  g_assert_cmpint (ct_contact_get_purchase_count (back), ==, 2);
  g_assert_cmpint (ct_contact_get_total_spent (back), ==, 49800);
  tags = ct_contact_get_tag_list (f->db, f->zhang, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (tags), ==, 2);
  g_assert_cmpuint (n_rows (f), ==, N_CONTACTS);
  g_assert_cmpint (ct_contact_detail_get_contact (f->detail), ==, f->zhang);
  g_assert_cmpint (row_id (f, gtk_single_selection_get_selected (f->selection)), ==, f->zhang);
}

static void
test_new_contact (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CtContact) stored = NULL;
  gint64 id;

  select_contact (f, f->ada);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-contact", NULL);

  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (detail_child (f, "stack"))), ==, "contact");
  g_assert_cmpint (ct_contact_detail_get_contact (f->detail), ==, 0);
  g_assert_cmpuint (gtk_single_selection_get_selected (f->selection), ==, GTK_INVALID_LIST_POSITION);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (detail_child (f, "title_label"))), ==, "New Contact");
  g_assert_cmpstr (entry_text (f, "first_name_row"), ==, "");
  g_assert_false (save_enabled (f));
  /* Tags and purchases wait until the contact exists. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (detail_child (f, "tags_group"))));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (detail_child (f, "purchases_group"))));

  set_entry (f, "first_name_row", "敏");
  set_entry (f, "last_name_row", "王");
  set_entry (f, "email_row", "wangmin@example.com");
  g_assert_true (save_enabled (f));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (detail_child (f, "title_label"))), ==, "王敏");
  ct_test_screenshot (GTK_WIDGET (f->window), "contact-new");

  gtk_widget_activate_action (GTK_WIDGET (f->detail), "contact.save", NULL);
  id = ct_contact_detail_get_contact (f->detail);
  g_assert_cmpint (id, >, 0);
  stored = load (f, id);
  g_assert_cmpstr (ct_contact_get_display_name (stored), ==, "王敏");
  g_assert_cmpstr (ct_contact_get_email (stored), ==, "wangmin@example.com");

  g_assert_cmpuint (n_rows (f), ==, N_CONTACTS + 1);
  g_assert_cmpint (row_id (f, gtk_single_selection_get_selected (f->selection)), ==, id);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (detail_child (f, "tags_group"))));
  g_assert_false (save_enabled (f));

  /* A blank new contact is refused with a reason, nothing stored. */
  ct_contacts_view_new_contact (f->view);
  set_entry (f, "company_row", "Nobody Inc");
  g_assert_false (ct_contact_detail_save (f->detail));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (detail_child (f, "error_label"))));
  g_assert_cmpuint (n_rows (f), ==, N_CONTACTS + 1);
  g_assert_cmpstr (entry_text (f, "company_row"), ==, "Nobody Inc");
}

static gboolean
is_button (GtkWidget     *widget,
           gconstpointer  data)
{
  return GTK_IS_BUTTON (widget);
}

static void
test_tags (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) tags = NULL;
  GtkWidget *remove;

  select_contact (f, f->grace);
  set_entry (f, "tag_row", " newsletter ");
  g_signal_emit_by_name (detail_child (f, "tag_row"), "apply");
  g_assert_cmpstr (entry_text (f, "tag_row"), ==, "");

  tags = ct_contact_get_tag_list (f->db, f->grace, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (tags), ==, 1);
  g_assert_cmpstr (tags[0], ==, "newsletter");
  ct_test_spin (20);
  g_assert_nonnull (ct_test_find_label (GTK_WIDGET (f->detail), "newsletter"));

  /* The same tag again, in other case, adds nothing. */
  set_entry (f, "tag_row", "NEWSLETTER");
  g_signal_emit_by_name (detail_child (f, "tag_row"), "apply");
  g_clear_pointer (&tags, g_strfreev);
  tags = ct_contact_get_tag_list (f->db, f->grace, &error);
  g_assert_cmpuint (g_strv_length (tags), ==, 1);

  /* Searchable at once. */
  ct_contacts_view_search (f->view, "newsletter");
  g_assert_cmpuint (n_rows (f), ==, 1);
  g_assert_cmpint (row_id (f, 0), ==, f->grace);
  ct_contacts_view_search (f->view, "");

  /* Removed with the pill's button. */
  remove = ct_test_find_widget (GTK_WIDGET (detail_child (f, "tags_box")), is_button, NULL);
  g_assert_nonnull (remove);
  g_signal_emit_by_name (remove, "clicked");
  g_clear_pointer (&tags, g_strfreev);
  tags = ct_contact_get_tag_list (f->db, f->grace, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (tags), ==, 0);
}

static GtkWindow *
find_purchase_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (CT_IS_PURCHASE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return GTK_WINDOW (window);
    }
  return NULL;
}

static gboolean
purchase_dialog_open (gpointer data)
{
  return find_purchase_dialog () != NULL;
}

static void
test_add_purchase (Fixture       *f,
                   gconstpointer  data)
{
  /* Only a stored contact can have purchases. */
  ct_contacts_view_new_contact (f->view);
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (detail_child (f, "add_purchase_button"))));

  select_contact (f, f->alan);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (detail_child (f, "add_purchase_button"))));
  gtk_widget_activate_action (GTK_WIDGET (f->detail), "contact.add-purchase", NULL);
  g_assert_true (ct_test_wait_until (purchase_dialog_open, NULL, 5000));
  g_assert_true (gtk_window_get_transient_for (find_purchase_dialog ()) == GTK_WINDOW (f->window));
  gtk_window_destroy (find_purchase_dialog ());

  /* A purchase stored anywhere updates the timeline and its summary. */
  add_purchase (f->db, f->alan, 8800, 0);
  ct_test_spin (20);
  g_assert_nonnull (gtk_list_box_get_row_at_index (GTK_LIST_BOX (detail_child (f, "purchases_listbox")), 0));
  g_assert_cmpstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (detail_child (f, "purchases_group"))),
                   ==, "1 purchase · ¥88.00 in total · last today");
}

int
main (int   argc,
      char *argv[])
{
  int result;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  ct_test_add_icons ();
  app = ct_test_application_new ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/contacts/list", test_list);
  ADD ("/contacts/search", test_search);
  ADD ("/contacts/filter", test_filter);
  ADD ("/contacts/sort", test_sort);
  ADD ("/contacts/score-columns", test_score_columns);
  ADD ("/contacts/detail", test_detail);
  ADD ("/contacts/detail-scores", test_detail_scores);
  ADD ("/contacts/background-analysis", test_background_analysis);
  ADD ("/contacts/edit", test_edit);
  ADD ("/contacts/invalid", test_invalid);
  ADD ("/contacts/delete-undo", test_delete_undo);
  ADD ("/contacts/new", test_new_contact);
  ADD ("/contacts/tags", test_tags);
  ADD ("/contacts/add-purchase", test_add_purchase);
  ADD ("/contacts/detail-loyalty", test_detail_loyalty);
#undef ADD

  result = g_test_run ();
  g_object_unref (app);
  return result;
}
