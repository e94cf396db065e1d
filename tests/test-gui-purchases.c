/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-gui-purchases.c: the Purchases page and the Add Purchase window
 *
 * Runs under Xvfb (see meson.build). With CT_SCREENSHOT_DIR set, saves
 * PNGs of the page and the dialog there, light and dark, on demo data.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "ct-context.h"
#include "ct-purchase-dialog.h"
#include "ct-purchases-view.h"
#include "ct-gui-format.h"
#include "ct-resources.h"

#define DAY (24 * 60 * 60)

typedef struct
{
  char            *dir;
  CtDb            *db;
  CtContext       *context;
  GtkWidget       *window;
  CtPurchasesView *view;
  gint64           ada;        /* contacts */
  gint64           zhang;
  gint64           bob;
  gint64           course;     /* products */
  gint64           ebook;
  gint64           membership;
  gint64           wechat;     /* channels */
  gint64           xhs;
  gint64           now;
} Fixture;

/* Helpers */

static gboolean
timed_out (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until @check holds, failing after ten seconds rather
 * than hanging the suite. */
#define WAIT_FOR(check) \
  G_STMT_START { \
    gboolean _timeout = FALSE; \
    guint _id = g_timeout_add_seconds (10, timed_out, &_timeout); \
    while (!(check) && !_timeout) \
      g_main_context_iteration (NULL, TRUE); \
    if (!_timeout) \
      g_source_remove (_id); \
    if (!(check)) \
      g_error ("timed out waiting for %s", #check); \
  } G_STMT_END

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  const char *dir = g_getenv ("CT_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  GtkSnapshot *snapshot;
  GskRenderer *renderer;
  int width, height;

  if (dir == NULL || dir[0] == '\0')
    return;

  /* Let transitions (revealers, entry row titles) finish first. */
  {
    gboolean settled = FALSE;

    g_timeout_add (600, timed_out, &settled);
    while (!settled)
      g_main_context_iteration (NULL, TRUE);
  }
  gtk_test_widget_wait_for_draw (widget);

  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_mkdir_with_parents (dir, 0755);
  file = g_strconcat (name, ".png", NULL);
  path = g_build_filename (dir, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("saved %s", path);
}

static GtkWidget *
child (gpointer    widget,
       GType       type,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (object);
  return GTK_WIDGET (object);
}

static GtkWidget *
view_child (Fixture    *fixture,
            const char *name)
{
  return child (fixture->view, CT_TYPE_PURCHASES_VIEW, name);
}

static GListModel *
view_model (Fixture *fixture)
{
  GtkColumnView *column_view = GTK_COLUMN_VIEW (view_child (fixture, "column_view"));

  return G_LIST_MODEL (gtk_column_view_get_model (column_view));
}

static guint
n_rows (Fixture *fixture)
{
  return g_list_model_get_n_items (view_model (fixture));
}

static const char *
summary (Fixture *fixture)
{
  return gtk_label_get_label (GTK_LABEL (view_child (fixture, "summary_label")));
}

static char *
expected_summary (guint  n,
                  gint64 total)
{
  g_autofree char *money = ct_money_format (total, "CNY");

  g_autofree char *count = ct_format_count (n);

  return g_strdup_printf ("%s %s · %s", count, n == 1 ? "purchase" : "purchases", money);
}

static void
select_by_label (GtkDropDown *dropdown,
                 const char  *label)
{
  GListModel *model = gtk_drop_down_get_model (dropdown);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), i), label) == 0)
      {
        gtk_drop_down_set_selected (dropdown, i);
        return;
      }
  g_error ("no “%s” in the drop-down", label);
}

static gint64
count_purchases (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  gint64 n = ct_db_query_int64 (fixture->db, "SELECT count(*) FROM purchases", &error);

  g_assert_no_error (error);
  return n;
}

/* Collects the text of the labels under @widget in widget order, so that
 * what the user sees in the table can be checked. */
static void
collect_labels (GtkWidget *widget,
                GString   *out)
{
  if (!gtk_widget_get_mapped (widget))
    return;
  if (GTK_IS_LABEL (widget))
    {
      g_string_append (out, gtk_label_get_label (GTK_LABEL (widget)));
      g_string_append_c (out, '|');
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    collect_labels (c, out);
}

static gint64
add_contact (CtDb       *db,
             const char *first,
             const char *last,
             const char *email)
{
  g_autoptr(CtContact) contact = ct_contact_new ();
  g_autoptr(GError) error = NULL;

  ct_contact_set_first_name (contact, first);
  ct_contact_set_last_name (contact, last);
  ct_contact_set_email (contact, email);
  g_assert_true (ct_contact_insert (db, contact, &error));
  g_assert_no_error (error);
  return ct_contact_get_id (contact);
}

static gint64
add_product (CtDb          *db,
             const char    *name,
             CtProductKind  kind,
             gint64         price)
{
  g_autoptr(CtProduct) product = ct_product_new ();
  g_autoptr(GError) error = NULL;

  ct_product_set_name (product, name);
  ct_product_set_kind (product, kind);
  ct_product_set_price (product, price);
  g_assert_true (ct_product_insert (db, product, &error));
  g_assert_no_error (error);
  return ct_product_get_id (product);
}

static void
add_purchase (CtDb       *db,
              gint64      contact,
              gint64      product,
              gint64      amount,
              gint64      at,
              gint64      channel,
              const char *ref,
              gboolean    refunded)
{
  g_autoptr(CtPurchase) purchase = ct_purchase_new ();
  g_autoptr(GError) error = NULL;

  ct_purchase_set_contact_id (purchase, contact);
  ct_purchase_set_product_id (purchase, product);
  ct_purchase_set_amount (purchase, amount);
  ct_purchase_set_purchased_at (purchase, at);
  ct_purchase_set_channel_id (purchase, channel);
  ct_purchase_set_external_ref (purchase, ref);
  ct_purchase_set_refunded (purchase, refunded);
  g_assert_true (ct_purchase_insert (db, purchase, &error));
  g_assert_no_error (error);
}

static void
show_window (Fixture *fixture)
{
  GtkWidget *overlay = adw_toast_overlay_new ();

  fixture->view = CT_PURCHASES_VIEW (ct_purchases_view_new (fixture->context));
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), GTK_WIDGET (fixture->view));

  fixture->window = adw_window_new ();
  gtk_window_set_title (GTK_WINDOW (fixture->window), "Purchases");
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1200, 760);
  adw_window_set_content (ADW_WINDOW (fixture->window), overlay);
  gtk_window_present (GTK_WINDOW (fixture->window));

  WAIT_FOR (gtk_widget_get_mapped (fixture->window));
  gtk_test_widget_wait_for_draw (fixture->window);
}

/* The small business of the tests: five purchases, newest first:
 *   2 days ago    Ada   Course      199.00  WeChat        A-1
 *   10 days ago   张伟  Course      150.00  Xiaohongshu
 *   45 days ago   张伟  Ebook        49.00  Xiaohongshu   A-2
 *   200 days ago  Ada   Membership  999.00  WeChat
 *   400 days ago  Bob   Course      199.00  (none)        refunded
 */
static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fixture->dir = g_dir_make_tmp ("clientele-gui-purchases-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, "test.db", NULL);
  fixture->db = ct_db_open (path, &error);
  g_assert_no_error (error);
  fixture->context = ct_context_new (fixture->db, NULL);
  fixture->now = g_get_real_time () / G_USEC_PER_SEC;

  fixture->ada = add_contact (fixture->db, "Ada", "Lovelace", "ada@example.com");
  fixture->zhang = add_contact (fixture->db, "伟", "张", "zhangwei@example.cn");
  fixture->bob = add_contact (fixture->db, "Bob", "Stone", "bob@example.org");

  fixture->course = add_product (fixture->db, "Course", CT_PRODUCT_COURSE, 19900);
  fixture->ebook = add_product (fixture->db, "Ebook", CT_PRODUCT_EBOOK, 4900);
  fixture->membership = add_product (fixture->db, "Membership", CT_PRODUCT_MEMBERSHIP, 99900);

  fixture->wechat = ct_channel_ensure (fixture->db, "WeChat", &error);
  g_assert_no_error (error);
  fixture->xhs = ct_channel_ensure (fixture->db, "Xiaohongshu", &error);
  g_assert_no_error (error);

  add_purchase (fixture->db, fixture->ada, fixture->course, 19900,
                fixture->now - 2 * DAY, fixture->wechat, "A-1", FALSE);
  add_purchase (fixture->db, fixture->zhang, fixture->course, 15000,
                fixture->now - 10 * DAY, fixture->xhs, NULL, FALSE);
  add_purchase (fixture->db, fixture->zhang, fixture->ebook, 4900,
                fixture->now - 45 * DAY, fixture->xhs, "A-2", FALSE);
  add_purchase (fixture->db, fixture->ada, fixture->membership, 99900,
                fixture->now - 200 * DAY, fixture->wechat, NULL, FALSE);
  add_purchase (fixture->db, fixture->bob, fixture->course, 19900,
                fixture->now - 400 * DAY, 0, NULL, TRUE);

  show_window (fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;
  GList *toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free (toplevels);
  drain ();

  g_clear_object (&fixture->context);
  g_clear_object (&fixture->db);

  dir = g_dir_open (fixture->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

static CtPurchaseDialog *
find_dialog (void)
{
  CtPurchaseDialog *dialog = NULL;
  GList *toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (CT_IS_PURCHASE_DIALOG (l->data))
      dialog = l->data;
  g_list_free (toplevels);
  return dialog;
}

static CtPurchaseDialog *
open_dialog (Fixture *fixture,
             gint64   contact_id)
{
  CtPurchaseDialog *dialog;

  dialog = ct_purchase_dialog_new (GTK_WINDOW (fixture->window), fixture->context, contact_id);
  gtk_window_present (GTK_WINDOW (dialog));
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
  return dialog;
}

static GtkWidget *
dialog_child (CtPurchaseDialog *dialog,
              const char       *name)
{
  return child (dialog, CT_TYPE_PURCHASE_DIALOG, name);
}

/* Tests */

static void
test_lists_newest_first (Fixture       *fixture,
                         gconstpointer  data)
{
  GListModel *model = view_model (fixture);
  g_autofree char *expected = expected_summary (5, 19900 + 15000 + 4900 + 99900);
  g_autoptr(GString) seen = g_string_new (NULL);
  gint64 last = G_MAXINT64;
  const char *ada, *zhang;

  g_assert_cmpuint (n_rows (fixture), ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(CtPurchase) purchase = g_list_model_get_item (model, i);

      g_assert_cmpint (ct_purchase_get_purchased_at (purchase), <=, last);
      last = ct_purchase_get_purchased_at (purchase);
    }

  /* The refund does not count in the total. */
  g_assert_cmpstr (summary (fixture), ==, expected);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (view_child (fixture, "stack"))),
                   ==, "list");

  /* What the table shows: the headers, then Ada's course before 张伟's. */
  collect_labels (view_child (fixture, "column_view"), seen);
  g_test_message ("table: %s", seen->str);
  g_assert_nonnull (strstr (seen->str, "Date|"));
  g_assert_nonnull (strstr (seen->str, "Amount|"));
  g_assert_nonnull (strstr (seen->str, "Order Reference|"));
  ada = strstr (seen->str, "ada@example.com|");
  zhang = strstr (seen->str, "zhangwei@example.cn|");
  g_assert_nonnull (ada);
  g_assert_nonnull (zhang);
  g_assert_true (ada < zhang);
  g_assert_nonnull (strstr (seen->str, "张伟|"));
  g_assert_nonnull (strstr (seen->str, "A-1|"));
  g_assert_nonnull (strstr (seen->str, "WeChat|"));
}

static void
test_product_filter (Fixture       *fixture,
                     gconstpointer  data)
{
  GtkDropDown *products = GTK_DROP_DOWN (view_child (fixture, "product_dropdown"));
  g_autofree char *course = expected_summary (3, 19900 + 15000);
  g_autofree char *all = expected_summary (5, 19900 + 15000 + 4900 + 99900);

  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (gtk_drop_down_get_model (products)), 0),
                   ==, "All Products");
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (products)), ==, 4);

  select_by_label (products, "Course");
  g_assert_cmpuint (n_rows (fixture), ==, 3);
  g_assert_cmpstr (summary (fixture), ==, course);

  select_by_label (products, "Ebook");
  g_assert_cmpuint (n_rows (fixture), ==, 1);

  gtk_drop_down_set_selected (products, 0);
  g_assert_cmpuint (n_rows (fixture), ==, 5);
  g_assert_cmpstr (summary (fixture), ==, all);
}

static void
test_channel_filter (Fixture       *fixture,
                     gconstpointer  data)
{
  GtkDropDown *channels = GTK_DROP_DOWN (view_child (fixture, "channel_dropdown"));
  GtkDropDown *products = GTK_DROP_DOWN (view_child (fixture, "product_dropdown"));
  g_autofree char *wechat = expected_summary (2, 19900 + 99900);
  g_autofree char *both = expected_summary (1, 19900);

  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (gtk_drop_down_get_model (channels)), 0),
                   ==, "All Channels");

  select_by_label (channels, "WeChat");
  g_assert_cmpuint (n_rows (fixture), ==, 2);
  g_assert_cmpstr (summary (fixture), ==, wechat);

  /* Filters combine. */
  select_by_label (products, "Course");
  g_assert_cmpuint (n_rows (fixture), ==, 1);
  g_assert_cmpstr (summary (fixture), ==, both);

  select_by_label (channels, "Xiaohongshu");
  g_assert_cmpuint (n_rows (fixture), ==, 1);
  {
    g_autoptr(CtPurchase) purchase = g_list_model_get_item (view_model (fixture), 0);
    g_assert_cmpint (ct_purchase_get_amount (purchase), ==, 15000);
  }
}

static void
test_period_filter (Fixture       *fixture,
                    gconstpointer  data)
{
  GtkDropDown *period = GTK_DROP_DOWN (view_child (fixture, "period_dropdown"));
  GtkRevealer *revealer = GTK_REVEALER (view_child (fixture, "range_revealer"));
  GtkCalendar *from = GTK_CALENDAR (view_child (fixture, "from_calendar"));
  GtkCalendar *to = GTK_CALENDAR (view_child (fixture, "to_calendar"));
  g_autofree char *last30 = expected_summary (2, 19900 + 15000);
  g_autofree char *last90 = expected_summary (3, 19900 + 15000 + 4900);
  g_autofree char *last12 = expected_summary (4, 19900 + 15000 + 4900 + 99900);
  g_autofree char *custom = expected_summary (1, 4900);
  g_autoptr(GDateTime) day_from = g_date_time_new_from_unix_local (fixture->now - 50 * DAY);
  g_autoptr(GDateTime) day_to = g_date_time_new_from_unix_local (fixture->now - 40 * DAY);
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_local (fixture->now);
  g_autoptr(GDateTime) jan1 = g_date_time_new_local (g_date_time_get_year (now), 1, 1, 0, 0, 0);
  guint this_year = 0;
  const gint64 ages[] = { 2, 10, 45, 200, 400 };

  g_assert_false (gtk_revealer_get_reveal_child (revealer));

  gtk_drop_down_set_selected (period, 1);  /* Last 30 Days */
  g_assert_cmpuint (n_rows (fixture), ==, 2);
  g_assert_cmpstr (summary (fixture), ==, last30);

  gtk_drop_down_set_selected (period, 2);  /* Last 90 Days */
  g_assert_cmpuint (n_rows (fixture), ==, 3);
  g_assert_cmpstr (summary (fixture), ==, last90);

  gtk_drop_down_set_selected (period, 3);  /* Last 12 Months */
  g_assert_cmpuint (n_rows (fixture), ==, 4);
  g_assert_cmpstr (summary (fixture), ==, last12);

  gtk_drop_down_set_selected (period, 4);  /* This Year: depends on today */
  for (guint i = 0; i < G_N_ELEMENTS (ages); i++)
    if (fixture->now - ages[i] * DAY >= g_date_time_to_unix (jan1))
      this_year++;
  g_assert_cmpuint (n_rows (fixture), ==, this_year);

  /* A custom range shows the day buttons and lists whole days. */
  gtk_drop_down_set_selected (period, 5);
  g_assert_true (gtk_revealer_get_reveal_child (revealer));
  gtk_calendar_select_day (from, day_from);
  gtk_calendar_select_day (to, day_to);
  g_assert_cmpuint (n_rows (fixture), ==, 1);
  g_assert_cmpstr (summary (fixture), ==, custom);
  {
    g_autofree char *label = g_date_time_format (day_from, "%Y-%m-%d");

    g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (view_child (fixture, "from_button"))),
                     ==, label);
  }

  /* A start after the end moves the end along instead of listing nothing. */
  gtk_calendar_select_day (from, now);
  {
    g_autoptr(GDateTime) end = gtk_calendar_get_date (to);

    g_assert_cmpint (g_date_time_get_day_of_year (end), ==, g_date_time_get_day_of_year (now));
  }
  g_assert_cmpuint (n_rows (fixture), ==, 0);

  gtk_drop_down_set_selected (period, 0);
  g_assert_false (gtk_revealer_get_reveal_child (revealer));
  g_assert_cmpuint (n_rows (fixture), ==, 5);
}

static void
test_empty_states (Fixture       *fixture,
                   gconstpointer  data)
{
  GtkStack *stack = GTK_STACK (view_child (fixture, "stack"));
  AdwStatusPage *empty = ADW_STATUS_PAGE (view_child (fixture, "empty_page"));
  GtkDropDown *products = GTK_DROP_DOWN (view_child (fixture, "product_dropdown"));
  GtkDropDown *period = GTK_DROP_DOWN (view_child (fixture, "period_dropdown"));
  g_autoptr(GError) error = NULL;
  g_autofree char *zero = expected_summary (0, 0);

  /* No membership sold in the last 30 days. */
  select_by_label (products, "Membership");
  gtk_drop_down_set_selected (period, 1);
  g_assert_cmpuint (n_rows (fixture), ==, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "empty");
  g_assert_cmpstr (adw_status_page_get_title (empty), ==, "No Purchases");
  g_assert_nonnull (strstr (adw_status_page_get_description (empty), "filters"));
  g_assert_cmpstr (summary (fixture), ==, zero);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view),
                                             "purchases.clear-filters", NULL));
  g_assert_cmpuint (gtk_drop_down_get_selected (products), ==, 0);
  g_assert_cmpuint (gtk_drop_down_get_selected (period), ==, 0);
  g_assert_cmpuint (n_rows (fixture), ==, 5);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "list");

  /* With no purchases at all, the page says where they come from. */
  g_assert_true (ct_db_exec (fixture->db, "DELETE FROM purchases", &error));
  g_assert_no_error (error);
  ct_db_emit_changed (fixture->db, "purchases");
  g_assert_cmpuint (n_rows (fixture), ==, 0);
  drain ();
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "empty");
  g_assert_cmpstr (summary (fixture), ==, zero);
  g_assert_null (strstr (adw_status_page_get_description (empty), "filters"));
}

static void
test_lists_follow_changes (Fixture       *fixture,
                           gconstpointer  data)
{
  GtkDropDown *products = GTK_DROP_DOWN (view_child (fixture, "product_dropdown"));
  GtkDropDown *channels = GTK_DROP_DOWN (view_child (fixture, "channel_dropdown"));
  g_autoptr(GError) error = NULL;
  gint64 workshop, douyin;

  /* A product added elsewhere shows up in the filter, and the current
   * choice stays chosen. */
  select_by_label (products, "Ebook");
  g_assert_cmpuint (n_rows (fixture), ==, 1);
  workshop = add_product (fixture->db, "A Workshop", CT_PRODUCT_COACHING, 50000);
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (products)), ==, 5);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (gtk_drop_down_get_model (products)),
                                               gtk_drop_down_get_selected (products)),
                   ==, "Ebook");
  g_assert_cmpuint (n_rows (fixture), ==, 1);

  /* A purchase with a new channel brings the channel along. */
  douyin = ct_channel_ensure (fixture->db, "Douyin", &error);
  g_assert_no_error (error);
  add_purchase (fixture->db, fixture->bob, workshop, 50000, fixture->now - 60, douyin, NULL, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (channels)), ==, 4);
  g_assert_cmpuint (n_rows (fixture), ==, 1);   /* still only the ebook */

  gtk_drop_down_set_selected (products, 0);
  g_assert_cmpuint (n_rows (fixture), ==, 6);
  {
    g_autoptr(CtPurchase) newest = g_list_model_get_item (view_model (fixture), 0);
    g_autofree char *before = expected_summary (6, 19900 + 15000 + 4900 + 99900 + 50000);
    g_autofree char *after = expected_summary (6, 19900 + 15000 + 4900 + 99900);

    g_assert_cmpint (ct_purchase_get_product_id (newest), ==, workshop);
    g_assert_cmpstr (summary (fixture), ==, before);

    /* A refund changes the total without adding or removing a row. */
    ct_purchase_set_refunded (newest, TRUE);
    g_assert_true (ct_purchase_update (fixture->db, newest, &error));
    g_assert_no_error (error);
    drain ();
    g_assert_cmpuint (n_rows (fixture), ==, 6);
    g_assert_cmpstr (summary (fixture), ==, after);
  }
}

static void
test_add_button_opens_dialog (Fixture       *fixture,
                              gconstpointer  data)
{
  GtkWidget *button = view_child (fixture, "add_button");
  CtPurchaseDialog *dialog;

  g_assert_null (find_dialog ());
  g_signal_emit_by_name (button, "clicked");
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, "Add Purchase");
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (fixture->window));
  /* No contact yet: nothing to add. */
  g_assert_false (gtk_widget_get_sensitive (dialog_child (dialog, "add_button")));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (dialog_child (dialog, "contact_stack"))),
                   ==, "search");

  gtk_widget_activate_action (GTK_WIDGET (dialog), "window.close", NULL);
  drain ();
  g_assert_null (find_dialog ());
  g_assert_cmpint (count_purchases (fixture), ==, 5);
}

static void
test_dialog_fixed_contact_adds (Fixture       *fixture,
                                gconstpointer  data)
{
  CtPurchaseDialog *dialog = open_dialog (fixture, fixture->bob);
  GtkWidget *add = dialog_child (dialog, "add_button");
  AdwActionRow *contact_row = ADW_ACTION_ROW (dialog_child (dialog, "contact_row"));
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = expected_summary (6, 19900 + 15000 + 4900 + 99900 + 8850);

  save_screenshot (GTK_WIDGET (dialog), "add-purchase-dialog-fixed");

  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (dialog_child (dialog, "contact_stack"))),
                   ==, "chosen");
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (contact_row)), ==, "Bob Stone");
  g_assert_cmpstr (adw_action_row_get_subtitle (contact_row), ==, "bob@example.org");
  g_assert_false (gtk_widget_get_visible (dialog_child (dialog, "change_contact_button")));
  g_assert_false (gtk_widget_get_sensitive (add));   /* no amount yet */

  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "amount_row")), "88.50");
  g_assert_true (gtk_widget_get_sensitive (add));
  select_by_label (GTK_DROP_DOWN (view_child (fixture, "period_dropdown")), "Last 30 Days");
  g_assert_cmpuint (n_rows (fixture), ==, 2);

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_signal_emit_by_name (add, "clicked");
  drain ();
  g_assert_null (dialog);

  g_assert_cmpint (count_purchases (fixture), ==, 6);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT amount FROM purchases WHERE contact_id = %"
                                            G_GINT64_FORMAT " AND source = 'manual'"
                                            " AND refunded = 0", fixture->bob);

    /* Bob had only the refunded course before. */
    g_assert_cmpint (ct_db_query_int64 (fixture->db, sql, &error), ==, 8850);
    g_assert_no_error (error);
  }

  /* The list (filtered to the last 30 days) grows by one, at the top. */
  g_assert_cmpuint (n_rows (fixture), ==, 3);
  {
    g_autoptr(CtPurchase) newest = g_list_model_get_item (view_model (fixture), 0);

    g_assert_cmpint (ct_purchase_get_contact_id (newest), ==, fixture->bob);
    g_assert_cmpint (ct_purchase_get_amount (newest), ==, 8850);
    g_assert_cmpstr (ct_purchase_get_currency (newest), ==, "CNY");
    g_assert_cmpstr (ct_purchase_get_source (newest), ==, "manual");
    g_assert_cmpint (ABS (ct_purchase_get_purchased_at (newest) - fixture->now), <, 120);
  }
  gtk_drop_down_set_selected (GTK_DROP_DOWN (view_child (fixture, "period_dropdown")), 0);
  g_assert_cmpstr (summary (fixture), ==, expected);
}

static void
test_dialog_invalid_amount (Fixture       *fixture,
                            gconstpointer  data)
{
  CtPurchaseDialog *dialog = open_dialog (fixture, fixture->ada);
  GtkWidget *add = dialog_child (dialog, "add_button");
  GtkWidget *amount = dialog_child (dialog, "amount_row");
  GtkLabel *error_label = GTK_LABEL (dialog_child (dialog, "amount_error"));

  gtk_editable_set_text (GTK_EDITABLE (amount), "12abc");
  g_assert_false (gtk_widget_get_sensitive (add));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error_label)));
  g_assert_nonnull (strstr (gtk_label_get_label (error_label), "“12abc” is not an amount"));
  g_assert_true (gtk_widget_has_css_class (amount, "error"));
  save_screenshot (GTK_WIDGET (dialog), "add-purchase-dialog-invalid");

  /* Even if Add is forced, nothing is stored and the text stays. */
  g_signal_emit_by_name (add, "clicked");
  drain ();
  g_assert_true (find_dialog () == dialog);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (amount)), ==, "12abc");
  g_assert_cmpint (count_purchases (fixture), ==, 5);

  gtk_editable_set_text (GTK_EDITABLE (amount), "-3");
  g_assert_false (gtk_widget_get_sensitive (add));
  g_assert_nonnull (strstr (gtk_label_get_label (error_label), "negative"));

  /* JPY has no decimals; the reason says so. */
  {
    GtkDropDown *currency = GTK_DROP_DOWN (dialog_child (dialog, "currency_dropdown"));
    GListModel *model = gtk_drop_down_get_model (currency);

    g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model),
                                                 gtk_drop_down_get_selected (currency)),
                     ==, "CNY");
    select_by_label (currency, "JPY");
  }
  gtk_editable_set_text (GTK_EDITABLE (amount), "88.5");
  g_assert_false (gtk_widget_get_sensitive (add));
  g_assert_nonnull (strstr (gtk_label_get_label (error_label), "JPY amounts have no decimals"));
  gtk_editable_set_text (GTK_EDITABLE (amount), "880");
  g_assert_true (gtk_widget_get_sensitive (add));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (error_label)));
  g_assert_false (gtk_widget_has_css_class (amount, "error"));
}

static void
test_dialog_duplicate_reference (Fixture       *fixture,
                                 gconstpointer  data)
{
  CtPurchaseDialog *dialog = open_dialog (fixture, fixture->zhang);
  GtkWidget *add = dialog_child (dialog, "add_button");
  GtkWidget *reference = dialog_child (dialog, "reference_row");
  GtkLabel *reference_error = GTK_LABEL (dialog_child (dialog, "reference_error"));

  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "amount_row")), "199");
  gtk_editable_set_text (GTK_EDITABLE (reference), "A-1");
  g_assert_true (gtk_widget_get_sensitive (add));
  g_signal_emit_by_name (add, "clicked");
  drain ();

  g_assert_true (find_dialog () == dialog);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (reference_error)));
  g_assert_nonnull (strstr (gtk_label_get_label (reference_error), "A-1"));
  g_assert_nonnull (strstr (gtk_label_get_label (reference_error), "already recorded"));
  g_assert_true (gtk_widget_has_css_class (reference, "error"));
  g_assert_cmpint (count_purchases (fixture), ==, 5);
  save_screenshot (GTK_WIDGET (dialog), "add-purchase-dialog-duplicate");

  /* Changing the reference clears the message, and then it goes in. */
  gtk_editable_set_text (GTK_EDITABLE (reference), "A-3");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (reference_error)));
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_signal_emit_by_name (add, "clicked");
  drain ();
  g_assert_null (dialog);
  g_assert_cmpint (count_purchases (fixture), ==, 6);
}

static void
test_dialog_pick_contact_and_product (Fixture       *fixture,
                                      gconstpointer  data)
{
  CtPurchaseDialog *dialog = open_dialog (fixture, 0);
  GtkWidget *add = dialog_child (dialog, "add_button");
  GtkListBox *results = GTK_LIST_BOX (dialog_child (dialog, "contact_results"));
  GtkWidget *amount = dialog_child (dialog, "amount_row");
  AdwComboRow *product_row = ADW_COMBO_ROW (dialog_child (dialog, "product_row"));
  AdwComboRow *channel_row = ADW_COMBO_ROW (dialog_child (dialog, "channel_row"));
  GtkListBoxRow *row;
  GListModel *model;
  guint n;
  g_autoptr(GError) error = NULL;

  /* All three contacts are offered before anything is typed. */
  g_assert_nonnull (gtk_list_box_get_row_at_index (results, 2));
  save_screenshot (GTK_WIDGET (dialog), "add-purchase-dialog-search");

  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "contact_search")), "zhangwei");
  WAIT_FOR (gtk_list_box_get_row_at_index (results, 1) == NULL
            && gtk_list_box_get_row_at_index (results, 0) != NULL);
  row = gtk_list_box_get_row_at_index (results, 0);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "张伟");
  g_signal_emit_by_name (results, "row-activated", row);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (dialog_child (dialog, "contact_stack"))),
                   ==, "chosen");
  g_assert_true (gtk_widget_get_visible (dialog_child (dialog, "change_contact_button")));
  g_assert_false (gtk_widget_get_sensitive (add));

  /* A search that finds nobody says so. */
  g_signal_emit_by_name (dialog_child (dialog, "change_contact_button"), "clicked");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (dialog_child (dialog, "contact_stack"))),
                   ==, "search");
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "contact_search")), "nobody-here");
  WAIT_FOR (gtk_widget_get_visible (dialog_child (dialog, "contact_hint")));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (dialog_child (dialog, "contact_hint"))),
                            "nobody-here"));
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "contact_search")), "Lovelace");
  WAIT_FOR (gtk_list_box_get_row_at_index (results, 0) != NULL
            && gtk_list_box_get_row_at_index (results, 1) == NULL);
  g_signal_emit_by_name (results, "row-activated", gtk_list_box_get_row_at_index (results, 0));

  /* Choosing a product fills in its price. */
  model = adw_combo_row_get_model (product_row);
  n = g_list_model_get_n_items (model);
  g_assert_cmpuint (n, ==, 4);   /* None and the three products */
  for (guint i = 0; i < n; i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (model), i), "Membership"))
      adw_combo_row_set_selected (product_row, i);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (amount)), ==, "999.00");
  g_assert_true (gtk_widget_get_sensitive (add));
  gtk_editable_set_text (GTK_EDITABLE (amount), "¥899");   /* a discount */

  model = adw_combo_row_get_model (channel_row);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (model), i), "Xiaohongshu"))
      adw_combo_row_set_selected (channel_row, i);

  /* Yesterday at 09:05. */
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_local ();
    g_autoptr(GDateTime) yesterday = g_date_time_add_days (now, -1);
    g_autoptr(GDateTime) expected = NULL;
    g_autoptr(CtPurchase) stored = NULL;
    gint64 id;

    gtk_calendar_select_day (GTK_CALENDAR (dialog_child (dialog, "date_calendar")), yesterday);
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (dialog_child (dialog, "hour_spin")), 9);
    gtk_spin_button_set_value (GTK_SPIN_BUTTON (dialog_child (dialog, "minute_spin")), 5);
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (dialog_child (dialog, "minute_spin"))),
                     ==, "05");
    g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (dialog_child (dialog, "time_button"))),
                     ==, "09:05");
    expected = g_date_time_new_local (g_date_time_get_year (yesterday),
                                      g_date_time_get_month (yesterday),
                                      g_date_time_get_day_of_month (yesterday), 9, 5, 0);

    save_screenshot (GTK_WIDGET (dialog), "add-purchase-dialog-filled");
    g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
    g_signal_emit_by_name (add, "clicked");
    drain ();
    g_assert_null (dialog);

    id = ct_db_query_int64 (fixture->db, "SELECT max(id) FROM purchases", &error);
    g_assert_no_error (error);
    stored = ct_purchase_load (fixture->db, id, &error);
    g_assert_no_error (error);
    g_assert_cmpint (ct_purchase_get_contact_id (stored), ==, fixture->ada);
    g_assert_cmpint (ct_purchase_get_product_id (stored), ==, fixture->membership);
    g_assert_cmpint (ct_purchase_get_channel_id (stored), ==, fixture->xhs);
    g_assert_cmpint (ct_purchase_get_amount (stored), ==, 89900);
    g_assert_cmpint (ct_purchase_get_purchased_at (stored), ==, g_date_time_to_unix (expected));
    g_assert_cmpstr (ct_purchase_get_source (stored), ==, "manual");
  }
}

/* On a demo business: the footer agrees with SQL, and screenshots. */
static void
test_demo_data (void)
{
  Fixture fixture = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *expected = NULL;
  CtDemoOptions options = { .n_contacts = 300, .seed = 7, .now = 0 };
  gint64 count, total;
  CtPurchaseDialog *dialog;

  fixture.dir = g_dir_make_tmp ("clientele-gui-purchases-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture.dir, "demo.db", NULL);
  fixture.db = ct_db_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (ct_demo_generate (fixture.db, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  fixture.context = ct_context_new (fixture.db, NULL);
  show_window (&fixture);

  count = ct_db_query_int64 (fixture.db, "SELECT count(*) FROM purchases", &error);
  g_assert_no_error (error);
  g_assert_cmpint (count, >, 0);
  g_assert_cmpuint (n_rows (&fixture), ==, count);
  total = ct_db_query_int64 (fixture.db,
                             "SELECT coalesce(sum(amount), 0) FROM purchases"
                             " WHERE refunded = 0 AND currency = 'CNY'", &error);
  g_assert_no_error (error);
  {
    g_autofree char *money = ct_money_format (total, "CNY");
    g_autofree char *grouped = ct_format_count (count);

    /* Thousands grouped, as the Contacts footer does. */
    g_assert_cmpint (count, >=, 1000);
    expected = g_strdup_printf ("%s purchases · %s", grouped, money);
  }
  g_assert_cmpstr (summary (&fixture), ==, expected);

  save_screenshot (fixture.window, "purchases");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (view_child (&fixture, "period_dropdown")), 5);
  save_screenshot (fixture.window, "purchases-custom-range");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (view_child (&fixture, "period_dropdown")), 0);

  dialog = open_dialog (&fixture, 0);
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "contact_search")), "li");
  WAIT_FOR (gtk_widget_get_visible (dialog_child (dialog, "contact_hint"))
            && strstr (gtk_label_get_label (GTK_LABEL (dialog_child (dialog, "contact_hint"))),
                       "292") == NULL);
  save_screenshot (GTK_WIDGET (dialog), "add-purchase-dialog");
  gtk_window_destroy (GTK_WINDOW (dialog));

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  drain ();
  save_screenshot (fixture.window, "purchases-dark");
  dialog = open_dialog (&fixture, 1);
  save_screenshot (GTK_WIDGET (dialog), "add-purchase-dialog-dark");
  gtk_window_destroy (GTK_WINDOW (dialog));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);

  fixture_tear_down (&fixture, NULL);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* Referencing the resource bundle links it in from the static library;
   * its constructor registers the templates. */
  g_assert_nonnull (ct_get_resource ());

#define ADD(path, func) \
  g_test_add ("/gui/purchases/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("lists-newest-first", test_lists_newest_first);
  ADD ("product-filter", test_product_filter);
  ADD ("channel-filter", test_channel_filter);
  ADD ("period-filter", test_period_filter);
  ADD ("empty-states", test_empty_states);
  ADD ("follows-changes", test_lists_follow_changes);
  ADD ("add-button-opens-dialog", test_add_button_opens_dialog);
  ADD ("dialog/fixed-contact-adds", test_dialog_fixed_contact_adds);
  ADD ("dialog/invalid-amount", test_dialog_invalid_amount);
  ADD ("dialog/duplicate-reference", test_dialog_duplicate_reference);
  ADD ("dialog/pick-contact-and-product", test_dialog_pick_contact_and_product);
  g_test_add_func ("/gui/purchases/demo-data", test_demo_data);

  return g_test_run ();
}
