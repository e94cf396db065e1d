/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-product.c: products: kinds, properties, storing, refusing, figures */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "ct-money.h"
#include "ct-product.h"

typedef struct
{
  char *dir;
  char *path;
  CtDb *db;
  guint n_changed;   /* CtDb::changed::products */
} Fixture;

static void
on_products_changed (CtDb       *db,
                     const char *table,
                     Fixture    *fixture)
{
  g_assert_cmpstr (table, ==, "products");
  fixture->n_changed++;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-product-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "test.db", NULL);
  fixture->db = ct_db_open (fixture->path, &error);
  g_assert_no_error (error);
  g_signal_connect (fixture->db, "changed::products", G_CALLBACK (on_products_changed), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  g_assert_finalize_object (fixture->db);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);
      g_remove (file);
    }
  g_assert_cmpint (g_rmdir (fixture->dir), ==, 0);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static gint64
count (Fixture    *fixture,
       const char *sql)
{
  g_autoptr(GError) error = NULL;
  gint64 n = ct_db_query_int64 (fixture->db, sql, &error);

  g_assert_no_error (error);
  return n;
}

static void
exec (Fixture    *fixture,
      const char *sql)
{
  g_autoptr(GError) error = NULL;

  ct_db_exec (fixture->db, sql, &error);
  g_assert_no_error (error);
}

static CtProduct *
add_product (Fixture       *fixture,
             const char    *name,
             const char    *sku,
             CtProductKind  kind,
             gint64         price)
{
  g_autoptr(CtProduct) product = ct_product_new ();
  g_autoptr(GError) error = NULL;

  ct_product_set_name (product, name);
  ct_product_set_sku (product, sku);
  ct_product_set_kind (product, kind);
  ct_product_set_price (product, price);
  g_assert_true (ct_product_insert (fixture->db, product, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ct_product_get_id (product), >, 0);

  return g_steal_pointer (&product);
}

static void
test_kinds (void)
{
  static const char *words[] = { "course", "ebook", "membership", "community", "coaching", "other" };
  static const char *labels[] = { "Course", "Ebook", "Membership", "Community", "Coaching", "Other" };
  CtProductKind kind;

  G_STATIC_ASSERT (G_N_ELEMENTS (words) == CT_PRODUCT_N_KINDS);

  for (guint i = 0; i < CT_PRODUCT_N_KINDS; i++)
    {
      g_assert_cmpstr (ct_product_kind_to_string (i), ==, words[i]);
      g_assert_true (ct_product_kind_from_string (words[i], &kind));
      g_assert_cmpint (kind, ==, i);
      /* Untranslated under LC_ALL=C.UTF-8. */
      g_assert_cmpstr (ct_product_kind_get_label (i), ==, labels[i]);
    }

  g_assert_true (ct_product_kind_from_string ("EBOOK", &kind));
  g_assert_cmpint (kind, ==, CT_PRODUCT_EBOOK);
  kind = CT_PRODUCT_COURSE;
  g_assert_false (ct_product_kind_from_string ("webinar", &kind));
  g_assert_false (ct_product_kind_from_string ("", &kind));
  g_assert_false (ct_product_kind_from_string (NULL, &kind));
  g_assert_cmpint (kind, ==, CT_PRODUCT_COURSE);
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              GPtrArray  *names)
{
  g_ptr_array_add (names, g_strdup (pspec->name));
}

static gboolean
notified (GPtrArray  *names,
          const char *name)
{
  return g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL);
}

static void
test_properties (void)
{
  g_autoptr(CtProduct) product = ct_product_new ();
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *sku = NULL;
  g_autofree char *kind_label = NULL;
  g_autofree char *price_label = NULL;
  g_autofree char *revenue_label = NULL;
  g_autofree char *expected = NULL;
  gint64 price, revenue, id;
  int kind, sales;
  gboolean active;

  /* Defaults: nothing NULL, active, other, CNY. */
  g_assert_cmpint (ct_product_get_id (product), ==, 0);
  g_assert_cmpstr (ct_product_get_name (product), ==, "");
  g_assert_cmpstr (ct_product_get_sku (product), ==, "");
  g_assert_cmpint (ct_product_get_kind (product), ==, CT_PRODUCT_OTHER);
  g_assert_cmpstr (ct_product_get_currency (product), ==, "CNY");
  g_assert_true (ct_product_get_active (product));

  g_signal_connect (product, "notify", G_CALLBACK (count_notify), names);

  ct_product_set_price (product, 19900);
  g_assert_cmpuint (names->len, ==, 2);
  g_assert_true (notified (names, "price"));
  g_assert_true (notified (names, "price-label"));
  ct_product_set_price (product, 19900);
  g_assert_cmpuint (names->len, ==, 2);

  g_ptr_array_set_size (names, 0);
  ct_product_set_kind (product, CT_PRODUCT_COURSE);
  ct_product_set_kind (product, CT_PRODUCT_COURSE);
  g_assert_cmpuint (names->len, ==, 2);
  g_assert_true (notified (names, "kind"));
  g_assert_true (notified (names, "kind-label"));

  g_ptr_array_set_size (names, 0);
  ct_product_set_currency (product, "USD");
  ct_product_set_currency (product, "USD");
  g_assert_cmpuint (names->len, ==, 3);
  g_assert_true (notified (names, "currency"));
  g_assert_true (notified (names, "price-label"));
  g_assert_true (notified (names, "revenue-label"));

  g_ptr_array_set_size (names, 0);
  g_object_set (product, "name", "Writing", "sku", "W-1", "active", FALSE, NULL);
  g_object_set (product, "name", "Writing", "sku", "W-1", "active", FALSE, NULL);
  g_assert_cmpuint (names->len, ==, 3);
  ct_product_set_sku (product, NULL);
  g_assert_cmpstr (ct_product_get_sku (product), ==, "");

  g_object_get (product,
                "id", &id, "sku", &sku, "kind", &kind, "kind-label", &kind_label,
                "price", &price, "price-label", &price_label, "active", &active,
                "sales-count", &sales, "revenue", &revenue, "revenue-label", &revenue_label,
                NULL);
  g_assert_cmpint (id, ==, 0);
  g_assert_cmpstr (sku, ==, "");
  g_assert_cmpint (kind, ==, CT_PRODUCT_COURSE);
  g_assert_cmpstr (kind_label, ==, "Course");
  g_assert_cmpint (price, ==, 19900);
  expected = ct_money_format (19900, "USD");
  g_assert_cmpstr (price_label, ==, expected);
  g_assert_cmpstr (price_label, ==, "$199.00");
  g_assert_false (active);
  g_assert_cmpint (sales, ==, 0);
  g_assert_cmpint (revenue, ==, 0);
  g_assert_cmpstr (revenue_label, ==, "$0.00");
}

static void
test_store (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(CtProduct) course = NULL;
  g_autoptr(CtProduct) loaded = NULL;
  g_autoptr(CtProduct) other = NULL;
  g_autoptr(GError) error = NULL;

  course = ct_product_new ();
  ct_product_set_name (course, "  写作课  ");
  ct_product_set_sku (course, " WRITE-101 ");
  ct_product_set_kind (course, CT_PRODUCT_COURSE);
  ct_product_set_price (course, 29900);
  ct_product_set_currency (course, "cny");
  g_assert_true (ct_product_insert (fixture->db, course, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->n_changed, ==, 1);

  /* Stored as cleaned, and the object says so. */
  g_assert_cmpint (ct_product_get_id (course), >, 0);
  g_assert_cmpstr (ct_product_get_name (course), ==, "写作课");
  g_assert_cmpstr (ct_product_get_sku (course), ==, "WRITE-101");
  g_assert_cmpstr (ct_product_get_currency (course), ==, "CNY");

  loaded = ct_product_load (fixture->db, ct_product_get_id (course), &error);
  g_assert_no_error (error);
  g_assert_cmpint (ct_product_get_id (loaded), ==, ct_product_get_id (course));
  g_assert_cmpstr (ct_product_get_name (loaded), ==, "写作课");
  g_assert_cmpstr (ct_product_get_sku (loaded), ==, "WRITE-101");
  g_assert_cmpint (ct_product_get_kind (loaded), ==, CT_PRODUCT_COURSE);
  g_assert_cmpint (ct_product_get_price (loaded), ==, 29900);
  g_assert_cmpstr (ct_product_get_currency (loaded), ==, "CNY");
  g_assert_true (ct_product_get_active (loaded));
  g_assert_cmpint (count (fixture, "SELECT count(*) FROM products WHERE kind = 'course'"), ==, 1);

  /* Update. */
  ct_product_set_name (loaded, "写作课（第二期）");
  ct_product_set_kind (loaded, CT_PRODUCT_COACHING);
  ct_product_set_price (loaded, 39900);
  ct_product_set_active (loaded, FALSE);
  ct_product_set_sku (loaded, "");
  g_assert_true (ct_product_update (fixture->db, loaded, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->n_changed, ==, 2);
  g_clear_object (&loaded);

  loaded = ct_product_load (fixture->db, ct_product_get_id (course), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ct_product_get_name (loaded), ==, "写作课（第二期）");
  g_assert_cmpint (ct_product_get_kind (loaded), ==, CT_PRODUCT_COACHING);
  g_assert_cmpint (ct_product_get_price (loaded), ==, 39900);
  g_assert_false (ct_product_get_active (loaded));
  g_assert_cmpstr (ct_product_get_sku (loaded), ==, "");
  /* No SKU is NULL, so that many products can have none. */
  g_assert_cmpint (count (fixture, "SELECT count(*) FROM products WHERE sku IS NULL"), ==, 1);
  other = add_product (fixture, "Ebook", "", CT_PRODUCT_EBOOK, 0);
  g_assert_cmpint (count (fixture, "SELECT count(*) FROM products WHERE sku IS NULL"), ==, 2);

  /* Missing rows. */
  g_assert_null (ct_product_load (fixture->db, 9999, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (ct_product_delete (fixture->db, ct_product_get_id (other), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->n_changed, ==, 4);
  g_assert_false (ct_product_update (fixture->db, other, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (ct_product_delete (fixture->db, ct_product_get_id (other), &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (fixture->n_changed, ==, 4);
}

static void
assert_refused (Fixture    *fixture,
                CtProduct  *product,
                int         code,
                const char *in_message)
{
  g_autoptr(GError) error = NULL;
  guint n_changed = fixture->n_changed;
  gint64 n_products = count (fixture, "SELECT count(*) FROM products");

  if (ct_product_get_id (product) == 0)
    g_assert_false (ct_product_insert (fixture->db, product, &error));
  else
    g_assert_false (ct_product_update (fixture->db, product, &error));
  g_assert_error (error, CT_DB_ERROR, code);
  g_test_message ("refused: %s", error->message);
  if (in_message != NULL)
    g_assert_nonnull (strstr (error->message, in_message));

  g_assert_cmpint (count (fixture, "SELECT count(*) FROM products"), ==, n_products);
  g_assert_cmpuint (fixture->n_changed, ==, n_changed);
}

static void
test_invalid (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(CtProduct) first = add_product (fixture, "First", "SKU-1", CT_PRODUCT_EBOOK, 100);
  g_autoptr(CtProduct) second = add_product (fixture, "Second", "SKU-2", CT_PRODUCT_EBOOK, 100);
  g_autoptr(CtProduct) product = ct_product_new ();
  g_autoptr(CtProduct) reloaded = NULL;
  g_autoptr(GError) error = NULL;

  assert_refused (fixture, product, CT_DB_ERROR_INVALID, NULL);
  ct_product_set_name (product, "   ");
  assert_refused (fixture, product, CT_DB_ERROR_INVALID, NULL);

  ct_product_set_name (product, "Third");
  ct_product_set_price (product, -1);
  assert_refused (fixture, product, CT_DB_ERROR_INVALID, NULL);

  ct_product_set_price (product, 100);
  ct_product_set_currency (product, "RMB1");
  assert_refused (fixture, product, CT_DB_ERROR_INVALID, "RMB1");
  ct_product_set_currency (product, "¥");
  assert_refused (fixture, product, CT_DB_ERROR_INVALID, "¥");
  ct_product_set_currency (product, "");
  assert_refused (fixture, product, CT_DB_ERROR_INVALID, NULL);

  /* SKUs are unique ignoring case, and the message names the SKU. */
  ct_product_set_currency (product, "CNY");
  ct_product_set_sku (product, "sku-1");
  assert_refused (fixture, product, CT_DB_ERROR_CONSTRAINT, "sku-1");

  /* Also on update; its own SKU is no conflict. */
  ct_product_set_sku (second, "SKU-1");
  assert_refused (fixture, second, CT_DB_ERROR_CONSTRAINT, "SKU-1");
  ct_product_set_sku (second, "SKU-2");
  ct_product_set_name (second, "   ");
  assert_refused (fixture, second, CT_DB_ERROR_INVALID, NULL);
  ct_product_set_name (second, "Second edition");
  g_assert_true (ct_product_update (fixture->db, second, &error));
  g_assert_no_error (error);

  /* Nothing refused was written. */
  reloaded = ct_product_load (fixture->db, ct_product_get_id (first), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ct_product_get_sku (reloaded), ==, "SKU-1");
  g_assert_cmpint (count (fixture, "SELECT count(*) FROM products"), ==, 2);
  g_assert_cmpint (count (fixture, "SELECT count(*) FROM products WHERE name = 'Second edition'"),
                   ==, 1);
}

static void
test_figures_and_delete (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(CtProduct) course = add_product (fixture, "course b", "C", CT_PRODUCT_COURSE, 9900);
  g_autoptr(CtProduct) book = add_product (fixture, "Book", "B", CT_PRODUCT_EBOOK, 1990);
  g_autoptr(CtProduct) club = add_product (fixture, "Club", NULL, CT_PRODUCT_COMMUNITY, 0);
  g_autoptr(CtProduct) loaded = NULL;
  g_autoptr(GListModel) all = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *revenue_label = NULL;
  g_autofree char *sql = NULL;
  gint64 course_id = ct_product_get_id (course);

  exec (fixture, "INSERT INTO contacts (id, email) VALUES (1, 'a@example.com')");
  sql = g_strdup_printf ("INSERT INTO purchases (contact_id, product_id, amount, currency,"
                         " purchased_at, refunded) VALUES"
                         " (1, %1$" G_GINT64_FORMAT ", 9900, 'CNY', 1000, 0),"
                         " (1, %1$" G_GINT64_FORMAT ", 8900, 'CNY', 2000, 0),"
                         " (1, %1$" G_GINT64_FORMAT ", 9900, 'CNY', 3000, 1),"
                         " (1, %1$" G_GINT64_FORMAT ", 1500, 'USD', 4000, 0)",
                         course_id);
  exec (fixture, sql);

  /* Sales count every purchase kept; revenue those in the product's
   * currency. */
  loaded = ct_product_load (fixture->db, course_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ct_product_get_price (loaded), ==, 9900);
  g_object_get (loaded, "revenue-label", &revenue_label, NULL);
  g_assert_cmpstr (revenue_label, ==, "¥188.00");
  {
    int sales;
    gint64 revenue;

    g_object_get (loaded, "sales-count", &sales, "revenue", &revenue, NULL);
    g_assert_cmpint (sales, ==, 3);
    g_assert_cmpint (revenue, ==, 18800);
  }

  /* All, by name ignoring case, with figures. */
  all = ct_product_list_all (fixture->db, &error);
  g_assert_no_error (error);
  g_assert_true (g_list_model_get_item_type (all) == CT_TYPE_PRODUCT);
  g_assert_cmpuint (g_list_model_get_n_items (all), ==, 3);
  {
    g_autoptr(CtProduct) p0 = g_list_model_get_item (all, 0);
    g_autoptr(CtProduct) p1 = g_list_model_get_item (all, 1);
    g_autoptr(CtProduct) p2 = g_list_model_get_item (all, 2);
    int sales;

    g_assert_cmpstr (ct_product_get_name (p0), ==, "Book");
    g_assert_cmpstr (ct_product_get_name (p1), ==, "Club");
    g_assert_cmpstr (ct_product_get_name (p2), ==, "course b");
    g_object_get (p0, "sales-count", &sales, NULL);
    g_assert_cmpint (sales, ==, 0);
    g_object_get (p2, "sales-count", &sales, NULL);
    g_assert_cmpint (sales, ==, 3);
  }

  /* A product that sold is kept. */
  g_assert_false (ct_product_delete (fixture->db, course_id, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  message = g_strdup_printf ("“%s” has purchases; deactivate it instead of deleting it.",
                             "course b");
  g_assert_cmpstr (error->message, ==, message);
  g_clear_error (&error);
  g_assert_cmpint (count (fixture, "SELECT count(*) FROM products"), ==, 3);
  g_assert_cmpint (count (fixture, "SELECT count(*) FROM purchases WHERE product_id IS NOT NULL"),
                   ==, 4);
  g_assert_cmpuint (fixture->n_changed, ==, 3);

  /* Even with refunded purchases only. */
  exec (fixture, "UPDATE purchases SET refunded = 1");
  g_assert_false (ct_product_delete (fixture->db, course_id, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  g_clear_error (&error);

  /* Deactivating is the way. */
  ct_product_set_active (loaded, FALSE);
  g_assert_true (ct_product_update (fixture->db, loaded, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (fixture, "SELECT active FROM products WHERE name = 'course b'"), ==, 0);

  /* One that never sold goes. */
  g_assert_true (ct_product_delete (fixture->db, ct_product_get_id (club), &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (fixture, "SELECT count(*) FROM products"), ==, 2);
}

/* The figures are kept by triggers (migration 3); after every kind of
 * change they must equal a count made from scratch. */
static void
assert_figures_recount (Fixture *fixture)
{
  g_assert_cmpint (count (fixture,
                          "SELECT count(*) FROM products p WHERE"
                          " p.sales_count IS NOT (SELECT count(*) FROM purchases s"
                          "   WHERE s.product_id = p.id AND s.refunded = 0)"
                          " OR p.revenue IS NOT (SELECT coalesce(sum(s.amount), 0) FROM purchases s"
                          "   WHERE s.product_id = p.id AND s.refunded = 0"
                          "   AND s.currency = p.currency)"), ==, 0);
}

static void
test_figures_follow_changes (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(CtProduct) course = add_product (fixture, "Course", "C", CT_PRODUCT_COURSE, 9900);
  g_autoptr(CtProduct) book = add_product (fixture, "Book", "B", CT_PRODUCT_EBOOK, 1990);
  g_autofree char *sql = NULL;

  exec (fixture, "INSERT INTO contacts (id, email) VALUES (1, 'a@example.com')");
  sql = g_strdup_printf ("INSERT INTO purchases (id, contact_id, product_id, amount, currency,"
                         " purchased_at, refunded) VALUES"
                         " (1, 1, %1$" G_GINT64_FORMAT ", 9900, 'CNY', 1000, 0),"
                         " (2, 1, %1$" G_GINT64_FORMAT ", 8900, 'CNY', 2000, 1),"
                         " (3, 1, %1$" G_GINT64_FORMAT ", 1500, 'USD', 3000, 0),"
                         " (4, 1, %2$" G_GINT64_FORMAT ", 1990, 'CNY', 4000, 0),"
                         " (5, 1, NULL, 500, 'CNY', 5000, 0)",
                         ct_product_get_id (course), ct_product_get_id (book));
  exec (fixture, sql);
  assert_figures_recount (fixture);
  g_assert_cmpint (count (fixture, "SELECT sales_count FROM products WHERE name = 'Course'"), ==, 2);
  g_assert_cmpint (count (fixture, "SELECT revenue FROM products WHERE name = 'Course'"), ==, 9900);

  exec (fixture, "UPDATE purchases SET refunded = 0 WHERE id = 2");
  assert_figures_recount (fixture);
  exec (fixture, "UPDATE purchases SET refunded = 1 WHERE id = 1");
  assert_figures_recount (fixture);
  exec (fixture, "UPDATE purchases SET amount = 7700 WHERE id = 2");
  assert_figures_recount (fixture);
  exec (fixture, "UPDATE purchases SET currency = 'CNY' WHERE id = 3");
  assert_figures_recount (fixture);
  exec (fixture, "UPDATE purchases SET product_id = (SELECT id FROM products WHERE name = 'Book')"
                 " WHERE id = 3");
  assert_figures_recount (fixture);
  exec (fixture, "UPDATE purchases SET product_id = (SELECT id FROM products WHERE name = 'Course')"
                 " WHERE id = 5");
  assert_figures_recount (fixture);
  exec (fixture, "UPDATE purchases SET product_id = NULL WHERE id = 4");
  assert_figures_recount (fixture);
  exec (fixture, "UPDATE products SET currency = 'USD' WHERE name = 'Book'");
  assert_figures_recount (fixture);
  exec (fixture, "DELETE FROM purchases WHERE id IN (2, 3)");
  assert_figures_recount (fixture);
  exec (fixture, "DELETE FROM contacts WHERE id = 1");
  assert_figures_recount (fixture);
  g_assert_cmpint (count (fixture, "SELECT sum(sales_count) + sum(revenue) FROM products"), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/product/kinds", test_kinds);
  g_test_add_func ("/product/properties", test_properties);
  ADD ("/product/store", test_store);
  ADD ("/product/invalid", test_invalid);
  ADD ("/product/figures-and-delete", test_figures_and_delete);
  ADD ("/product/figures-follow-changes", test_figures_follow_changes);

#undef ADD

  return g_test_run ();
}
