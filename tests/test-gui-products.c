/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-gui-products.c: the Products page and its editor
 *
 * Runs under Xvfb (see meson.build). With CT_SCREENSHOT_DIR set, saves
 * PNGs of the page and the editor there, light and dark, on demo data.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "ct-context.h"
#include "ct-products-view.h"
#include "ct-resources.h"

typedef struct
{
  char           *dir;
  CtDb           *db;
  CtContext      *context;
  GtkWidget      *window;
  CtProductsView *view;
  gint64          contact;
  gint64          course;      /* sold twice */
  gint64          ebook;       /* never sold */
  gint64          retired;     /* inactive, never sold */
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
  gboolean settled = FALSE;
  GtkSnapshot *snapshot;
  GskRenderer *renderer;
  int width, height;

  if (dir == NULL || dir[0] == '\0')
    return;

  /* Let transitions (stack pages, entry row titles) finish first. */
  g_timeout_add (600, timed_out, &settled);
  while (!settled)
    g_main_context_iteration (NULL, TRUE);
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
view_child (Fixture    *fixture,
            const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (fixture->view),
                                                   CT_TYPE_PRODUCTS_VIEW, name);

  g_assert_nonnull (object);
  return GTK_WIDGET (object);
}

/* The editor is built in code; its widgets carry names. */
static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_named (c, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
editor_child (GtkWindow  *editor,
              const char *name)
{
  GtkWidget *widget = find_named (GTK_WIDGET (editor), name);

  g_assert_nonnull (widget);
  return widget;
}

static void
set_text (GtkWindow  *editor,
          const char *name,
          const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (editor_child (editor, name)), text);
}

static void
click (GtkWindow  *editor,
       const char *name)
{
  g_signal_emit_by_name (editor_child (editor, name), "clicked");
  drain ();
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

static CtProduct *
row_named (Fixture    *fixture,
           const char *name)
{
  GListModel *model = view_model (fixture);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CtProduct) product = g_list_model_get_item (model, i);

      if (g_str_equal (ct_product_get_name (product), name))
        return product;   /* the list holds it */
    }
  return NULL;
}

static gint64
count_products (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  gint64 n = ct_db_query_int64 (fixture->db, "SELECT count(*) FROM products", &error);

  g_assert_no_error (error);
  return n;
}

static GtkWindow *
find_editor (Fixture *fixture)
{
  GtkWindow *editor = NULL;
  GList *toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (l->data != fixture->window
        && gtk_window_get_transient_for (l->data) == GTK_WINDOW (fixture->window))
      editor = l->data;
  g_list_free (toplevels);
  return editor;
}

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
add_product (CtDb          *db,
             const char    *name,
             const char    *sku,
             CtProductKind  kind,
             gint64         price,
             gboolean       active)
{
  g_autoptr(CtProduct) product = ct_product_new ();
  g_autoptr(GError) error = NULL;

  ct_product_set_name (product, name);
  ct_product_set_sku (product, sku);
  ct_product_set_kind (product, kind);
  ct_product_set_price (product, price);
  ct_product_set_active (product, active);
  g_assert_true (ct_product_insert (db, product, &error));
  g_assert_no_error (error);
  return ct_product_get_id (product);
}

static void
add_purchase (Fixture *fixture,
              gint64   product,
              gint64   amount)
{
  g_autoptr(CtPurchase) purchase = ct_purchase_new ();
  g_autoptr(GError) error = NULL;

  ct_purchase_set_contact_id (purchase, fixture->contact);
  ct_purchase_set_product_id (purchase, product);
  ct_purchase_set_amount (purchase, amount);
  ct_purchase_set_purchased_at (purchase, g_get_real_time () / G_USEC_PER_SEC - 3600);
  g_assert_true (ct_purchase_insert (fixture->db, purchase, &error));
  g_assert_no_error (error);
}

static void
open_db (Fixture    *fixture,
         const char *file)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fixture->dir = g_dir_make_tmp ("clientele-gui-products-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, file, NULL);
  fixture->db = ct_db_open (path, &error);
  g_assert_no_error (error);
  fixture->context = ct_context_new (fixture->db, NULL);
}

static void
show_window (Fixture *fixture)
{
  GtkWidget *overlay = adw_toast_overlay_new ();

  fixture->view = CT_PRODUCTS_VIEW (ct_products_view_new (fixture->context));
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), GTK_WIDGET (fixture->view));

  fixture->window = adw_window_new ();
  gtk_window_set_title (GTK_WINDOW (fixture->window), "Products");
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 1200, 760);
  adw_window_set_content (ADW_WINDOW (fixture->window), overlay);
  gtk_window_present (GTK_WINDOW (fixture->window));

  WAIT_FOR (gtk_widget_get_mapped (fixture->window));
  gtk_test_widget_wait_for_draw (fixture->window);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(CtContact) contact = ct_contact_new ();
  g_autoptr(GError) error = NULL;

  open_db (fixture, "test.db");

  ct_contact_set_first_name (contact, "Ada");
  ct_contact_set_last_name (contact, "Lovelace");
  ct_contact_set_email (contact, "ada@example.com");
  g_assert_true (ct_contact_insert (fixture->db, contact, &error));
  g_assert_no_error (error);
  fixture->contact = ct_contact_get_id (contact);

  fixture->course = add_product (fixture->db, "Python Course", "PY-101", CT_PRODUCT_COURSE, 39900, TRUE);
  fixture->ebook = add_product (fixture->db, "Notion Ebook", "NB-1", CT_PRODUCT_EBOOK, 4900, TRUE);
  fixture->retired = add_product (fixture->db, "Old Workshop", NULL, CT_PRODUCT_COACHING, 120000, FALSE);
  add_purchase (fixture, fixture->course, 39900);
  add_purchase (fixture, fixture->course, 29900);

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

static GtkWindow *
open_editor (Fixture *fixture,
             gint64   id)
{
  GtkWindow *editor = ct_products_view_edit_product (fixture->view, id);

  g_assert_nonnull (editor);
  gtk_window_present (editor);
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (editor)));
  return editor;
}

/* Tests */

static void
test_lists_products (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GString) seen = g_string_new (NULL);
  CtProduct *course;
  int sales;
  gint64 revenue;

  g_assert_cmpuint (n_rows (fixture), ==, 3);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (view_child (fixture, "stack"))),
                   ==, "list");
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (view_child (fixture, "summary_label"))),
                   ==, "3 products · 1 no longer on sale");

  course = row_named (fixture, "Python Course");
  g_assert_nonnull (course);
  g_object_get (course, "sales-count", &sales, "revenue", &revenue, NULL);
  g_assert_cmpint (sales, ==, 2);
  g_assert_cmpint (revenue, ==, 39900 + 29900);

  /* What the table shows. */
  collect_labels (view_child (fixture, "column_view"), seen);
  g_test_message ("table: %s", seen->str);
  for (const char * const *s = (const char * const[]) { "Name|", "Kind|", "SKU|", "Price|",
                                                         "Sales|", "Revenue|", "Active|",
                                                         "Python Course|", "PY-101|",
                                                         "Notion Ebook|", "Old Workshop|",
                                                         NULL };
       *s != NULL; s++)
    if (strstr (seen->str, *s) == NULL)
      g_error ("the table lacks %s", *s);
  {
    g_autofree char *price = ct_money_format (39900, "CNY");
    g_autofree char *total = ct_money_format (39900 + 29900, "CNY");
    g_autofree char *cell = g_strconcat (price, "|2|", total, "|Yes|", NULL);

    g_assert_nonnull (strstr (seen->str, cell));
  }
  g_assert_nonnull (strstr (seen->str, "|No|"));
}

static void
test_new_product (Fixture       *fixture,
                  gconstpointer  data)
{
  GtkWindow *editor;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtProduct) stored = NULL;
  gint64 id;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view), "products.new", NULL));
  editor = find_editor (fixture);
  g_assert_nonnull (editor);
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (editor)));
  g_assert_cmpstr (gtk_window_get_title (editor), ==, "New Product");
  g_assert_true (gtk_window_get_modal (editor));
  g_assert_false (gtk_widget_get_visible (editor_child (editor, "delete-button")));
  /* Nothing to save without a name. */
  g_assert_false (gtk_widget_get_sensitive (editor_child (editor, "save-button")));

  set_text (editor, "name-row", "Growth Community");
  set_text (editor, "sku-row", "GC-2025");
  set_text (editor, "price-row", "1,299");
  adw_combo_row_set_selected (ADW_COMBO_ROW (editor_child (editor, "kind-row")),
                              CT_PRODUCT_COMMUNITY);
  g_assert_true (gtk_widget_get_sensitive (editor_child (editor, "save-button")));
  save_screenshot (GTK_WIDGET (editor), "product-editor-new");

  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  click (editor, "save-button");
  g_assert_null (editor);

  g_assert_cmpint (count_products (fixture), ==, 4);
  g_assert_cmpuint (n_rows (fixture), ==, 4);
  id = ct_db_query_int64 (fixture->db, "SELECT id FROM products WHERE sku = 'GC-2025'", &error);
  g_assert_no_error (error);
  stored = ct_product_load (fixture->db, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ct_product_get_name (stored), ==, "Growth Community");
  g_assert_cmpint (ct_product_get_kind (stored), ==, CT_PRODUCT_COMMUNITY);
  g_assert_cmpint (ct_product_get_price (stored), ==, 129900);
  g_assert_true (ct_product_get_active (stored));
  g_assert_nonnull (row_named (fixture, "Growth Community"));
}

static void
test_edit_price (Fixture       *fixture,
                 gconstpointer  data)
{
  GtkColumnView *column_view = GTK_COLUMN_VIEW (view_child (fixture, "column_view"));
  GtkWindow *editor = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtProduct) stored = NULL;
  GListModel *model = view_model (fixture);
  guint position = G_MAXUINT;

  /* Activating the row opens the editor on it. */
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CtProduct) product = g_list_model_get_item (model, i);

      if (ct_product_get_id (product) == fixture->ebook)
        position = i;
    }
  g_assert_cmpuint (position, !=, G_MAXUINT);
  g_signal_emit_by_name (column_view, "activate", position);
  editor = find_editor (fixture);
  g_assert_nonnull (editor);
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (editor)));
  g_assert_cmpstr (gtk_window_get_title (editor), ==, "Edit Product");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (editor_child (editor, "name-row"))),
                   ==, "Notion Ebook");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (editor_child (editor, "price-row"))),
                   ==, "49.00");
  g_assert_true (gtk_widget_get_visible (editor_child (editor, "delete-button")));
  save_screenshot (GTK_WIDGET (editor), "product-editor-edit");

  /* A bad price is explained inline and blocks Save. */
  set_text (editor, "price-row", "forty");
  g_assert_false (gtk_widget_get_sensitive (editor_child (editor, "save-button")));
  g_assert_true (gtk_widget_get_visible (editor_child (editor, "price-error")));
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (editor_child (editor, "price-error"))),
                            "“forty” is not a price"));
  save_screenshot (GTK_WIDGET (editor), "product-editor-invalid-price");

  set_text (editor, "price-row", "59.50");
  g_assert_false (gtk_widget_get_visible (editor_child (editor, "price-error")));
  gtk_switch_set_active (GTK_SWITCH (editor_child (editor, "active-switch")), FALSE);
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  click (editor, "save-button");
  g_assert_null (editor);

  stored = ct_product_load (fixture->db, fixture->ebook, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ct_product_get_price (stored), ==, 5950);
  g_assert_false (ct_product_get_active (stored));
  g_assert_cmpstr (ct_product_get_name (stored), ==, "Notion Ebook");
  g_assert_cmpstr (ct_product_get_sku (stored), ==, "NB-1");
  g_assert_cmpint (ct_product_get_price (row_named (fixture, "Notion Ebook")), ==, 5950);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (view_child (fixture, "summary_label"))),
                   ==, "3 products · 2 no longer on sale");
}

static void
test_duplicate_sku (Fixture       *fixture,
                    gconstpointer  data)
{
  GtkWindow *editor = open_editor (fixture, fixture->ebook);
  GtkLabel *error_label = GTK_LABEL (editor_child (editor, "error-label"));
  g_autoptr(GError) error = NULL;
  g_autoptr(CtProduct) stored = NULL;

  set_text (editor, "sku-row", "py-101");
  click (editor, "save-button");
  g_assert_true (find_editor (fixture) == editor);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error_label)));
  g_assert_nonnull (strstr (gtk_label_get_label (error_label), "already has the SKU"));
  g_assert_true (gtk_widget_has_css_class (editor_child (editor, "sku-row"), "error"));
  /* What was typed stays. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (editor_child (editor, "sku-row"))),
                   ==, "py-101");

  stored = ct_product_load (fixture->db, fixture->ebook, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ct_product_get_sku (stored), ==, "NB-1");

  /* Typing again clears the message. */
  set_text (editor, "sku-row", "NB-2");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (error_label)));
}

static void
test_delete_refused (Fixture       *fixture,
                     gconstpointer  data)
{
  GtkWindow *editor = open_editor (fixture, fixture->course);
  GtkLabel *error_label = GTK_LABEL (editor_child (editor, "error-label"));
  g_autoptr(GError) error = NULL;

  click (editor, "delete-button");
  g_assert_true (find_editor (fixture) == editor);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (error_label)));
  g_assert_nonnull (strstr (gtk_label_get_label (error_label), "“Python Course” has purchases"));
  save_screenshot (GTK_WIDGET (editor), "product-editor-delete-refused");

  g_assert_cmpint (count_products (fixture), ==, 3);
  g_assert_cmpint (ct_db_query_int64 (fixture->db, "SELECT count(*) FROM purchases", &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpuint (n_rows (fixture), ==, 3);
  /* Nothing was deleted, so there is nothing to undo. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "products.undo-delete", NULL);
  g_assert_cmpint (count_products (fixture), ==, 3);
}

static void
test_delete_and_undo (Fixture       *fixture,
                      gconstpointer  data)
{
  GtkWindow *editor = open_editor (fixture, fixture->ebook);
  g_autoptr(GError) error = NULL;
  g_autoptr(CtProduct) back = NULL;
  gint64 id;

  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  click (editor, "delete-button");
  g_assert_null (editor);

  g_assert_cmpint (count_products (fixture), ==, 2);
  g_assert_cmpuint (n_rows (fixture), ==, 2);
  g_assert_null (row_named (fixture, "Notion Ebook"));
  save_screenshot (fixture->window, "products-deleted-toast");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->view),
                                             "products.undo-delete", NULL));
  g_assert_cmpint (count_products (fixture), ==, 3);
  g_assert_cmpuint (n_rows (fixture), ==, 3);

  id = ct_db_query_int64 (fixture->db, "SELECT id FROM products WHERE name = 'Notion Ebook'", &error);
  g_assert_no_error (error);
  back = ct_product_load (fixture->db, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ct_product_get_sku (back), ==, "NB-1");
  g_assert_cmpint (ct_product_get_kind (back), ==, CT_PRODUCT_EBOOK);
  g_assert_cmpint (ct_product_get_price (back), ==, 4900);
  g_assert_cmpstr (ct_product_get_currency (back), ==, "CNY");
  g_assert_true (ct_product_get_active (back));

  /* Undo works once. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->view), "products.undo-delete", NULL);
  g_assert_cmpint (count_products (fixture), ==, 3);
}

static void
test_follows_purchases (Fixture       *fixture,
                        gconstpointer  data)
{
  int sales;

  add_purchase (fixture, fixture->ebook, 4900);
  g_object_get (row_named (fixture, "Notion Ebook"), "sales-count", &sales, NULL);
  g_assert_cmpint (sales, ==, 1);

  /* A product added elsewhere shows up too. */
  add_product (fixture->db, "Coaching Call", NULL, CT_PRODUCT_COACHING, 80000, TRUE);
  g_assert_nonnull (row_named (fixture, "Coaching Call"));
  g_assert_cmpuint (n_rows (fixture), ==, 4);
}

static void
test_empty_state (void)
{
  Fixture fixture = { 0 };
  AdwStatusPage *empty;
  GtkWindow *editor;

  open_db (&fixture, "empty.db");
  show_window (&fixture);

  empty = ADW_STATUS_PAGE (view_child (&fixture, "empty_page"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (view_child (&fixture, "stack"))),
                   ==, "empty");
  g_assert_cmpstr (adw_status_page_get_title (empty), ==, "No Products");
  save_screenshot (fixture.window, "products-empty");

  /* The status page's button is the same action. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture.view), "products.new", NULL));
  editor = find_editor (&fixture);
  g_assert_nonnull (editor);
  set_text (editor, "name-row", "第一门课");
  click (editor, "save-button");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (view_child (&fixture, "stack"))),
                   ==, "list");
  g_assert_nonnull (row_named (&fixture, "第一门课"));
  g_assert_cmpint (ct_product_get_price (row_named (&fixture, "第一门课")), ==, 0);

  fixture_tear_down (&fixture, NULL);
}

static void
test_demo_data (void)
{
  Fixture fixture = { 0 };
  g_autoptr(GError) error = NULL;
  CtDemoOptions options = { .n_contacts = 300, .seed = 7, .now = 0 };
  GtkWindow *editor;
  gint64 n, first;

  open_db (&fixture, "demo.db");
  g_assert_true (ct_demo_generate (fixture.db, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  show_window (&fixture);

  n = count_products (&fixture);
  g_assert_cmpint (n, >, 0);
  g_assert_cmpuint (n_rows (&fixture), ==, n);
  save_screenshot (fixture.window, "products");

  first = ct_db_query_int64 (fixture.db, "SELECT min(id) FROM products", &error);
  g_assert_no_error (error);
  editor = open_editor (&fixture, first);
  save_screenshot (GTK_WIDGET (editor), "product-editor");
  gtk_window_destroy (editor);

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  save_screenshot (fixture.window, "products-dark");
  editor = open_editor (&fixture, first);
  save_screenshot (GTK_WIDGET (editor), "product-editor-dark");
  gtk_window_destroy (editor);
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
  g_test_add ("/gui/products/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("lists-products", test_lists_products);
  ADD ("new-product", test_new_product);
  ADD ("edit-price", test_edit_price);
  ADD ("duplicate-sku", test_duplicate_sku);
  ADD ("delete-refused", test_delete_refused);
  ADD ("delete-and-undo", test_delete_and_undo);
  ADD ("follows-purchases", test_follows_purchases);
  g_test_add_func ("/gui/products/empty-state", test_empty_state);
  g_test_add_func ("/gui/products/demo-data", test_demo_data);

  return g_test_run ();
}
