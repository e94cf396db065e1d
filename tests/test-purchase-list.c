/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-purchase-list.c: the purchases list: newest first, filters, totals,
 * following changes */
#include "config.h"

#include <glib/gstdio.h>

#include "ct-channel.h"
#include "ct-contact.h"
#include "ct-product.h"
#include "ct-purchase-list.h"

typedef struct
{
  guint position;
  guint removed;
  guint added;
} Change;

typedef struct
{
  char        *dir;
  char        *path;
  CtDb        *db;
  CtPagedList *list;
  GArray      *changes;

  gint64       zhang, ada;        /* contacts */
  gint64       course, book;      /* products */
  gint64       wechat, bilibili;  /* channels */
  gint64       p[6];              /* the sample purchases p1..p5 */
} Fixture;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Fixture    *fixture)
{
  Change change = { position, removed, added };

  g_array_append_val (fixture->changes, change);
}

static gint64
add_contact (Fixture    *fixture,
             const char *first_name,
             const char *last_name)
{
  g_autoptr(CtContact) contact = ct_contact_new ();
  g_autoptr(GError) error = NULL;

  ct_contact_set_first_name (contact, first_name);
  ct_contact_set_last_name (contact, last_name);
  g_assert_true (ct_contact_insert (fixture->db, contact, &error));
  g_assert_no_error (error);

  return ct_contact_get_id (contact);
}

static gint64
add_product (Fixture    *fixture,
             const char *name)
{
  g_autoptr(CtProduct) product = ct_product_new ();
  g_autoptr(GError) error = NULL;

  ct_product_set_name (product, name);
  g_assert_true (ct_product_insert (fixture->db, product, &error));
  g_assert_no_error (error);

  return ct_product_get_id (product);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-purchase-list-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "test.db", NULL);
  fixture->db = ct_db_open (fixture->path, &error);
  g_assert_no_error (error);

  fixture->zhang = add_contact (fixture, "伟", "张");
  fixture->ada = add_contact (fixture, "Ada", "Lovelace");
  fixture->course = add_product (fixture, "Course");
  fixture->book = add_product (fixture, "Book");
  fixture->wechat = ct_channel_ensure (fixture->db, "WeChat", &error);
  g_assert_no_error (error);
  fixture->bilibili = ct_channel_ensure (fixture->db, "Bilibili", &error);
  g_assert_no_error (error);

  fixture->list = ct_purchase_list_new (fixture->db);
  g_assert_nonnull (fixture->list);
  fixture->changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_signal_connect (fixture->list, "items-changed", G_CALLBACK (on_items_changed), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  g_assert_finalize_object (fixture->list);
  g_assert_finalize_object (fixture->db);
  g_array_unref (fixture->changes);

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);
      g_remove (file);
    }
  g_assert_cmpint (g_rmdir (fixture->dir), ==, 0);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static void
exec (Fixture    *fixture,
      const char *sql)
{
  g_autoptr(GError) error = NULL;

  ct_db_exec (fixture->db, sql, &error);
  g_assert_no_error (error);
}

static void
assert_changes (Fixture      *fixture,
                const Change *expected,
                guint         n_expected)
{
  for (guint i = 0; i < fixture->changes->len; i++)
    {
      Change *change = &g_array_index (fixture->changes, Change, i);
      g_test_message ("items-changed (%u, %u, %u)", change->position, change->removed,
                      change->added);
    }

  g_assert_cmpuint (fixture->changes->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    {
      Change *change = &g_array_index (fixture->changes, Change, i);

      g_assert_cmpuint (change->position, ==, expected[i].position);
      g_assert_cmpuint (change->removed, ==, expected[i].removed);
      g_assert_cmpuint (change->added, ==, expected[i].added);
    }
  g_array_set_size (fixture->changes, 0);
}

#define ASSERT_CHANGES(fixture, ...) \
  G_STMT_START { \
    const Change expected_[] = { __VA_ARGS__ }; \
    assert_changes ((fixture), expected_, G_N_ELEMENTS (expected_)); \
  } G_STMT_END
#define ASSERT_NO_CHANGES(fixture) assert_changes ((fixture), NULL, 0)

/* Asserts the list shows the sample purchases numbered in @order
 * (0-terminated), loading each. */
static void
assert_order (Fixture   *fixture,
              const int *order)
{
  GListModel *model = G_LIST_MODEL (fixture->list);
  guint n = 0;

  while (order[n] != 0)
    n++;

  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CtPurchase) purchase = g_list_model_get_item (model, i);

      g_assert_cmpint (ct_purchase_get_id (purchase), ==, fixture->p[order[i]]);
    }
}

#define ASSERT_ORDER(fixture, ...) \
  G_STMT_START { \
    const int order_[] = { __VA_ARGS__, 0 }; \
    assert_order ((fixture), order_); \
  } G_STMT_END

static gint64
add_purchase (Fixture    *fixture,
              gint64      contact_id,
              gint64      product_id,
              gint64      channel_id,
              gint64      amount,
              const char *currency,
              gint64      when,
              gboolean    refunded)
{
  g_autoptr(CtPurchase) purchase = ct_purchase_new ();
  g_autoptr(GError) error = NULL;

  ct_purchase_set_contact_id (purchase, contact_id);
  ct_purchase_set_product_id (purchase, product_id);
  ct_purchase_set_channel_id (purchase, channel_id);
  ct_purchase_set_amount (purchase, amount);
  ct_purchase_set_currency (purchase, currency);
  ct_purchase_set_purchased_at (purchase, when);
  ct_purchase_set_refunded (purchase, refunded);
  g_assert_true (ct_purchase_insert (fixture->db, purchase, &error));
  g_assert_no_error (error);

  return ct_purchase_get_id (purchase);
}

/* Shows as p2 (3000), p4 (2000, later id), p3 (2000), p1 (1000), p5 (500,
 * refunded). Each insert arrives where it belongs. */
static void
add_samples (Fixture *fixture)
{
  fixture->p[1] = add_purchase (fixture, fixture->zhang, fixture->course, fixture->wechat,
                                100, "CNY", 1000, FALSE);
  ASSERT_CHANGES (fixture, { 0, 0, 1 });
  fixture->p[2] = add_purchase (fixture, fixture->ada, fixture->book, fixture->bilibili,
                                200, "CNY", 3000, FALSE);
  ASSERT_CHANGES (fixture, { 0, 0, 1 });
  fixture->p[3] = add_purchase (fixture, fixture->zhang, fixture->book, 0,
                                300, "CNY", 2000, FALSE);
  ASSERT_CHANGES (fixture, { 1, 0, 1 });
  fixture->p[4] = add_purchase (fixture, fixture->ada, fixture->course, fixture->wechat,
                                400, "USD", 2000, FALSE);
  ASSERT_CHANGES (fixture, { 1, 0, 1 });
  fixture->p[5] = add_purchase (fixture, fixture->zhang, fixture->course, fixture->wechat,
                                500, "CNY", 500, TRUE);
  ASSERT_CHANGES (fixture, { 4, 0, 1 });

  ASSERT_ORDER (fixture, 2, 4, 3, 1, 5);
}

static void
filter (Fixture          *fixture,
        CtPurchaseFilter  f)
{
  g_autoptr(GError) error = NULL;
  CtPurchaseFilter now;

  g_assert_true (ct_purchase_list_set_filter (fixture->list, &f, &error));
  g_assert_no_error (error);
  ct_purchase_list_get_filter (fixture->list, &now);
  g_assert_cmpmem (&now, sizeof now, &f, sizeof f);
}

static void
assert_total (Fixture    *fixture,
              gint64      total,
              const char *currency)
{
  g_autofree char *in = NULL;

  g_assert_cmpint (ct_purchase_list_get_total (fixture->list), ==, total);
  g_assert_cmpint (ct_purchase_list_get_total_in (fixture->list, &in), ==, total);
  g_assert_cmpstr (in, ==, currency);
}

static void
test_filters (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (fixture->list)) == CT_TYPE_PURCHASE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 0);
  assert_total (fixture, 0, "CNY");

  add_samples (fixture);
  /* Refunds left out; the currency most purchases use. */
  assert_total (fixture, 600, "CNY");

  filter (fixture, (CtPurchaseFilter) { .contact_id = fixture->zhang });
  ASSERT_CHANGES (fixture, { 0, 2, 0 });
  ASSERT_ORDER (fixture, 3, 1, 5);
  assert_total (fixture, 400, "CNY");

  filter (fixture, (CtPurchaseFilter) { .contact_id = fixture->zhang,
                                        .product_id = fixture->course });
  ASSERT_CHANGES (fixture, { 0, 1, 0 });
  ASSERT_ORDER (fixture, 1, 5);
  assert_total (fixture, 100, "CNY");

  filter (fixture, (CtPurchaseFilter) { .product_id = fixture->course });
  ASSERT_CHANGES (fixture, { 0, 0, 1 });
  ASSERT_ORDER (fixture, 4, 1, 5);

  /* Another filter with the same rows: nothing to tell. */
  filter (fixture, (CtPurchaseFilter) { .channel_id = fixture->wechat });
  ASSERT_NO_CHANGES (fixture);
  ASSERT_ORDER (fixture, 4, 1, 5);
  /* One purchase in each currency: the total says which it counts. */
  assert_total (fixture, 100, "CNY");

  filter (fixture, (CtPurchaseFilter) { .channel_id = fixture->bilibili });
  ASSERT_ORDER (fixture, 2);
  g_array_set_size (fixture->changes, 0);

  /* Time: from inclusive, to exclusive. */
  filter (fixture, (CtPurchaseFilter) { .from = 1000, .to = 3000 });
  ASSERT_CHANGES (fixture, { 0, 1, 3 });
  ASSERT_ORDER (fixture, 4, 3, 1);
  assert_total (fixture, 400, "CNY");

  filter (fixture, (CtPurchaseFilter) { .to = 2000 });
  ASSERT_CHANGES (fixture, { 0, 3, 2 });
  ASSERT_ORDER (fixture, 1, 5);

  filter (fixture, (CtPurchaseFilter) { .from = 2000 });
  ASSERT_ORDER (fixture, 2, 4, 3);
  assert_total (fixture, 500, "CNY");

  filter (fixture, (CtPurchaseFilter) { .from = 3001 });
  ASSERT_ORDER (fixture, 0);
  assert_total (fixture, 0, "CNY");

  /* Only dollars. */
  filter (fixture, (CtPurchaseFilter) { .from = 2000, .to = 3000, .contact_id = fixture->ada });
  ASSERT_ORDER (fixture, 4);
  assert_total (fixture, 400, "USD");
  g_array_set_size (fixture->changes, 0);

  /* NULL is everything. */
  g_assert_true (ct_purchase_list_set_filter (fixture->list, NULL, &error));
  g_assert_no_error (error);
  ASSERT_CHANGES (fixture, { 0, 1, 5 });
  ASSERT_ORDER (fixture, 2, 4, 3, 1, 5);

  /* A filter stays while purchases come and go. */
  filter (fixture, (CtPurchaseFilter) { .contact_id = fixture->ada });
  g_array_set_size (fixture->changes, 0);
  add_purchase (fixture, fixture->zhang, 0, 0, 1, "CNY", 9000, FALSE);
  ASSERT_NO_CHANGES (fixture);
  add_purchase (fixture, fixture->ada, 0, 0, 1, "CNY", 9000, FALSE);
  ASSERT_CHANGES (fixture, { 0, 0, 1 });
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 3);
}

static void
test_follow_changes (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(CtContact) zhang = NULL;
  g_autoptr(CtProduct) course = NULL;
  g_autoptr(CtPurchase) p3 = NULL;
  g_autoptr(CtContactSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;

  add_samples (fixture);

  /* The buyer's new name shows in each of their rows (2, 3, 4). */
  zhang = ct_contact_load (fixture->db, fixture->zhang, &error);
  g_assert_no_error (error);
  ct_contact_set_first_name (zhang, "磊");
  g_assert_true (ct_contact_update (fixture->db, zhang, &error));
  g_assert_no_error (error);
  ASSERT_CHANGES (fixture, { 2, 3, 3 });
  {
    g_autoptr(CtPurchase) shown = g_list_model_get_item (G_LIST_MODEL (fixture->list), 3);
    g_assert_cmpstr (ct_purchase_get_contact_name (shown), ==, "张磊");
  }

  /* The product's new name likewise, in rows 1, 3 and 4. */
  course = ct_product_load (fixture->db, fixture->course, &error);
  g_assert_no_error (error);
  ct_product_set_name (course, "Course, second edition");
  g_assert_true (ct_product_update (fixture->db, course, &error));
  g_assert_no_error (error);
  ASSERT_CHANGES (fixture, { 1, 1, 1 }, { 3, 2, 2 });
  {
    g_autoptr(CtPurchase) shown = g_list_model_get_item (G_LIST_MODEL (fixture->list), 1);
    g_assert_cmpstr (ct_purchase_get_product_name (shown), ==, "Course, second edition");
  }

  /* A purchase moved in time moves in the list. */
  p3 = ct_purchase_load (fixture->db, fixture->p[3], &error);
  g_assert_no_error (error);
  ct_purchase_set_purchased_at (p3, 4000);
  g_assert_true (ct_purchase_update (fixture->db, p3, &error));
  g_assert_no_error (error);
  ASSERT_CHANGES (fixture, { 0, 3, 3 });
  ASSERT_ORDER (fixture, 3, 2, 4, 1, 5);

  /* Refunding changes the row and the total. */
  assert_total (fixture, 600, "CNY");
  ct_purchase_set_refunded (p3, TRUE);
  g_assert_true (ct_purchase_update (fixture->db, p3, &error));
  g_assert_no_error (error);
  ASSERT_CHANGES (fixture, { 0, 1, 1 });
  assert_total (fixture, 300, "CNY");

  g_assert_true (ct_purchase_delete (fixture->db, fixture->p[4], &error));
  g_assert_no_error (error);
  ASSERT_CHANGES (fixture, { 2, 1, 0 });
  ASSERT_ORDER (fixture, 3, 2, 1, 5);

  /* Deleting a buyer takes their purchases (0, 2, 3) with them: one
   * change over the rows from the first to the last, and back. */
  snapshot = ct_contact_delete (fixture->db, fixture->zhang, &error);
  g_assert_no_error (error);
  ASSERT_CHANGES (fixture, { 0, 4, 1 });
  ASSERT_ORDER (fixture, 2);
  g_assert_true (ct_contact_restore (fixture->db, snapshot, &error));
  g_assert_no_error (error);
  ASSERT_CHANGES (fixture, { 0, 1, 4 });
  ASSERT_ORDER (fixture, 3, 2, 1, 5);

  /* An erased buyer's purchases stay, without a name. */
  exec (fixture, "UPDATE purchases SET contact_id = NULL WHERE amount = 200");
  ct_db_emit_changed (fixture->db, "purchases");
  ASSERT_CHANGES (fixture, { 1, 1, 1 });
  {
    g_autoptr(CtPurchase) shown = g_list_model_get_item (G_LIST_MODEL (fixture->list), 1);
    g_assert_cmpint (ct_purchase_get_contact_id (shown), ==, 0);
    g_assert_cmpstr (ct_purchase_get_contact_name (shown), ==, "");
  }
}

static void
test_pages (Fixture       *fixture,
            gconstpointer  data)
{
  GListModel *model = G_LIST_MODEL (fixture->list);
  g_autofree char *sql = NULL;

  /* 250 purchases, one a day, as an import would add them. */
  sql = g_strdup_printf ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                         " WHERE i < 250)"
                         " INSERT INTO purchases (contact_id, amount, purchased_at, external_ref)"
                         " SELECT %" G_GINT64_FORMAT ", i * 100, 1700000000 + i * 86400,"
                         " printf('E%%03d', i) FROM n",
                         fixture->ada);
  exec (fixture, sql);
  ct_db_emit_changed (fixture->db, "purchases");
  ASSERT_CHANGES (fixture, { 0, 0, 250 });

  for (guint i = 0; i < 250; i++)
    {
      g_autoptr(CtPurchase) purchase = g_list_model_get_item (model, i);
      g_autofree char *ref = g_strdup_printf ("E%03u", 250 - i);

      g_assert_cmpstr (ct_purchase_get_external_ref (purchase), ==, ref);
      g_assert_cmpint (ct_purchase_get_amount (purchase), ==, (250 - i) * 100);
      g_assert_cmpstr (ct_purchase_get_contact_name (purchase), ==, "Ada Lovelace");
    }
  g_assert_null (g_list_model_get_item (model, 250));
  /* 100 * (1 + ... + 250) */
  assert_total (fixture, 3137500, "CNY");

  /* Days 101 to 200; one change for everything, as neither end stays. */
  filter (fixture, (CtPurchaseFilter) { .from = 1700000000 + 101 * 86400,
                                        .to = 1700000000 + 201 * 86400 });
  ASSERT_CHANGES (fixture, { 0, 250, 100 });
  {
    g_autoptr(CtPurchase) first = g_list_model_get_item (model, 0);
    g_autoptr(CtPurchase) last = g_list_model_get_item (model, 99);
    g_assert_cmpstr (ct_purchase_get_external_ref (first), ==, "E200");
    g_assert_cmpstr (ct_purchase_get_external_ref (last), ==, "E101");
  }
  /* 100 * (101 + ... + 200) */
  assert_total (fixture, 1505000, "CNY");

  /* Lifting the upper bound adds the newer days in front. */
  filter (fixture, (CtPurchaseFilter) { .from = 1700000000 + 101 * 86400 });
  ASSERT_CHANGES (fixture, { 0, 0, 50 });
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 150);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/purchase-list/filters", test_filters);
  ADD ("/purchase-list/follow-changes", test_follow_changes);
  ADD ("/purchase-list/pages", test_pages);

#undef ADD

  return g_test_run ();
}
