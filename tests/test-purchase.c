/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-purchase.c: purchases: properties, storing, refusing, and the
 * contact figures the database keeps from them */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "ct-channel.h"
#include "ct-contact.h"
#include "ct-money.h"
#include "ct-product.h"
#include "ct-purchase.h"

typedef struct
{
  char   *dir;
  char   *path;
  CtDb   *db;
  guint   n_changed;    /* CtDb::changed::purchases */
  gint64  zhang;        /* contacts */
  gint64  ada;
  gint64  course;       /* a product */
  gint64  wechat;       /* a channel */
} Fixture;

static void
on_purchases_changed (CtDb       *db,
                      const char *table,
                      Fixture    *fixture)
{
  g_assert_cmpstr (table, ==, "purchases");
  fixture->n_changed++;
}

static gint64
add_contact (Fixture    *fixture,
             const char *first_name,
             const char *last_name,
             const char *email)
{
  g_autoptr(CtContact) contact = ct_contact_new ();
  g_autoptr(GError) error = NULL;

  ct_contact_set_first_name (contact, first_name);
  ct_contact_set_last_name (contact, last_name);
  ct_contact_set_email (contact, email);
  g_assert_true (ct_contact_insert (fixture->db, contact, &error));
  g_assert_no_error (error);

  return ct_contact_get_id (contact);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtProduct) product = ct_product_new ();

  fixture->dir = g_dir_make_tmp ("test-purchase-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "test.db", NULL);
  fixture->db = ct_db_open (fixture->path, &error);
  g_assert_no_error (error);

  fixture->zhang = add_contact (fixture, "伟", "张", "zhang.wei@example.cn");
  fixture->ada = add_contact (fixture, "Ada", "Lovelace", "ada@example.com");

  ct_product_set_name (product, "写作课");
  ct_product_set_price (product, 29900);
  g_assert_true (ct_product_insert (fixture->db, product, &error));
  g_assert_no_error (error);
  fixture->course = ct_product_get_id (product);

  fixture->wechat = ct_channel_ensure (fixture->db, "WeChat", &error);
  g_assert_no_error (error);

  g_signal_connect (fixture->db, "changed::purchases", G_CALLBACK (on_purchases_changed),
                    fixture);
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
query (Fixture    *fixture,
       const char *sql)
{
  g_autoptr(GError) error = NULL;
  gint64 n = ct_db_query_int64 (fixture->db, sql, &error);

  g_assert_no_error (error);
  return n;
}

static CtPurchase *
make_purchase (gint64 contact_id,
               gint64 amount,
               gint64 when)
{
  CtPurchase *purchase = ct_purchase_new ();

  ct_purchase_set_contact_id (purchase, contact_id);
  ct_purchase_set_amount (purchase, amount);
  ct_purchase_set_purchased_at (purchase, when);
  return purchase;
}

static CtPurchase *
add_purchase (Fixture *fixture,
              gint64   contact_id,
              gint64   amount,
              gint64   when)
{
  g_autoptr(CtPurchase) purchase = make_purchase (contact_id, amount, when);
  g_autoptr(GError) error = NULL;

  g_assert_true (ct_purchase_insert (fixture->db, purchase, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ct_purchase_get_id (purchase), >, 0);

  return g_steal_pointer (&purchase);
}

static void
save (Fixture    *fixture,
      CtPurchase *purchase)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ct_purchase_update (fixture->db, purchase, &error));
  g_assert_no_error (error);
}

/* The figures the triggers keep on the contact row, checked against what
 * CtContact reads and against the purchases themselves. */
static void
assert_figures (Fixture *fixture,
                gint64   contact_id,
                int      count,
                gint64   total,
                gint64   first_at,
                gint64   last_at)
{
  g_autoptr(CtContact) contact = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;

  contact = ct_contact_load (fixture->db, contact_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ct_contact_get_purchase_count (contact), ==, count);
  g_assert_cmpint (ct_contact_get_total_spent (contact), ==, total);
  g_assert_cmpint (ct_contact_get_last_purchase_at (contact), ==, last_at);

  stmt = ct_db_prepare (fixture->db,
                        "SELECT coalesce(first_purchase_at, 0), coalesce(last_purchase_at, 0),"
                        " (SELECT count(*) FROM purchases WHERE contact_id = ?1 AND refunded = 0),"
                        " (SELECT coalesce(sum(amount), 0) FROM purchases"
                        "  WHERE contact_id = ?1 AND refunded = 0)"
                        " FROM contacts WHERE id = ?1", &error);
  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, contact_id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 0), ==, first_at);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 1), ==, last_at);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 2), ==, count);
  g_assert_cmpint (sqlite3_column_int64 (stmt, 3), ==, total);
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
  g_autoptr(CtPurchase) purchase = ct_purchase_new ();
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *amount_label = NULL;
  g_autofree char *date_label = NULL;
  g_autofree char *source = NULL;
  g_autofree char *ref = NULL;
  gint64 id, contact_id, product_id, channel_id;

  g_assert_cmpint (ct_purchase_get_id (purchase), ==, 0);
  g_assert_cmpstr (ct_purchase_get_currency (purchase), ==, "CNY");
  g_assert_cmpstr (ct_purchase_get_source (purchase), ==, "manual");
  g_assert_cmpstr (ct_purchase_get_external_ref (purchase), ==, "");
  g_assert_cmpstr (ct_purchase_get_product_name (purchase), ==, "");
  g_assert_cmpstr (ct_purchase_get_contact_name (purchase), ==, "");
  g_assert_false (ct_purchase_get_refunded (purchase));

  g_signal_connect (purchase, "notify", G_CALLBACK (count_notify), names);

  ct_purchase_set_amount (purchase, 123450);
  ct_purchase_set_amount (purchase, 123450);
  g_assert_cmpuint (names->len, ==, 2);
  g_assert_true (notified (names, "amount"));
  g_assert_true (notified (names, "amount-label"));

  g_ptr_array_set_size (names, 0);
  ct_purchase_set_purchased_at (purchase, 1700000000);
  ct_purchase_set_purchased_at (purchase, 1700000000);
  g_assert_cmpuint (names->len, ==, 2);
  g_assert_true (notified (names, "purchased-at"));
  g_assert_true (notified (names, "date-label"));

  g_ptr_array_set_size (names, 0);
  ct_purchase_set_currency (purchase, "USD");
  g_assert_cmpuint (names->len, ==, 2);
  g_assert_true (notified (names, "amount-label"));

  g_ptr_array_set_size (names, 0);
  g_object_set (purchase, "contact-id", (gint64) 7, "product-id", (gint64) 8,
                "channel-id", (gint64) 9, "source", "youzan", "external-ref", "E1",
                "refunded", TRUE, NULL);
  g_object_set (purchase, "contact-id", (gint64) 7, "product-id", (gint64) 8,
                "channel-id", (gint64) 9, "source", "youzan", "external-ref", "E1",
                "refunded", TRUE, NULL);
  g_assert_cmpuint (names->len, ==, 6);

  g_object_get (purchase, "id", &id, "contact-id", &contact_id, "product-id", &product_id,
                "channel-id", &channel_id, "source", &source, "external-ref", &ref,
                "amount-label", &amount_label, "date-label", &date_label, NULL);
  g_assert_cmpint (id, ==, 0);
  g_assert_cmpint (contact_id, ==, 7);
  g_assert_cmpint (product_id, ==, 8);
  g_assert_cmpint (channel_id, ==, 9);
  g_assert_cmpstr (source, ==, "youzan");
  g_assert_cmpstr (ref, ==, "E1");
  g_assert_cmpstr (amount_label, ==, "$1,234.50");
  /* TZ is Asia/Shanghai (main): 2023-11-14 22:13:20 UTC */
  g_assert_cmpstr (date_label, ==, "2023-11-15 06:13");

  g_clear_pointer (&date_label, g_free);
  ct_purchase_set_purchased_at (purchase, 0);
  g_object_get (purchase, "date-label", &date_label, NULL);
  g_assert_cmpstr (date_label, ==, "");
}

static void
test_store (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(CtPurchase) purchase = NULL;
  g_autoptr(CtPurchase) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;

  purchase = make_purchase (fixture->zhang, 29900, 1700000000);
  ct_purchase_set_product_id (purchase, fixture->course);
  ct_purchase_set_channel_id (purchase, fixture->wechat);
  ct_purchase_set_currency (purchase, "cny");
  ct_purchase_set_source (purchase, " youzan ");
  ct_purchase_set_external_ref (purchase, " E-1001 ");
  g_assert_true (ct_purchase_insert (fixture->db, purchase, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->n_changed, ==, 1);

  /* Saved as cleaned, with the names that go with the ids. */
  g_assert_cmpint (ct_purchase_get_id (purchase), >, 0);
  g_assert_cmpstr (ct_purchase_get_currency (purchase), ==, "CNY");
  g_assert_cmpstr (ct_purchase_get_source (purchase), ==, "youzan");
  g_assert_cmpstr (ct_purchase_get_external_ref (purchase), ==, "E-1001");
  g_assert_cmpstr (ct_purchase_get_contact_name (purchase), ==, "张伟");
  g_assert_cmpstr (ct_purchase_get_contact_email (purchase), ==, "zhang.wei@example.cn");
  g_assert_cmpstr (ct_purchase_get_product_name (purchase), ==, "写作课");
  g_assert_cmpstr (ct_purchase_get_channel (purchase), ==, "WeChat");

  loaded = ct_purchase_load (fixture->db, ct_purchase_get_id (purchase), &error);
  g_assert_no_error (error);
  g_assert_cmpint (ct_purchase_get_id (loaded), ==, ct_purchase_get_id (purchase));
  g_assert_cmpint (ct_purchase_get_contact_id (loaded), ==, fixture->zhang);
  g_assert_cmpint (ct_purchase_get_product_id (loaded), ==, fixture->course);
  g_assert_cmpint (ct_purchase_get_channel_id (loaded), ==, fixture->wechat);
  g_assert_cmpint (ct_purchase_get_amount (loaded), ==, 29900);
  g_assert_cmpint (ct_purchase_get_purchased_at (loaded), ==, 1700000000);
  g_assert_cmpstr (ct_purchase_get_currency (loaded), ==, "CNY");
  g_assert_cmpstr (ct_purchase_get_source (loaded), ==, "youzan");
  g_assert_cmpstr (ct_purchase_get_external_ref (loaded), ==, "E-1001");
  g_assert_false (ct_purchase_get_refunded (loaded));
  g_assert_cmpstr (ct_purchase_get_contact_name (loaded), ==, "张伟");
  g_assert_cmpstr (ct_purchase_get_product_name (loaded), ==, "写作课");
  g_object_get (loaded, "amount-label", &label, NULL);
  g_assert_cmpstr (label, ==, "¥299.00");

  /* Update: another buyer, no product, no channel, no reference. */
  ct_purchase_set_contact_id (loaded, fixture->ada);
  ct_purchase_set_product_id (loaded, 0);
  ct_purchase_set_channel_id (loaded, 0);
  ct_purchase_set_external_ref (loaded, "");
  ct_purchase_set_source (loaded, "");
  save (fixture, loaded);
  g_assert_cmpuint (fixture->n_changed, ==, 2);
  g_assert_cmpstr (ct_purchase_get_contact_name (loaded), ==, "Ada Lovelace");
  g_assert_cmpstr (ct_purchase_get_product_name (loaded), ==, "");
  g_assert_cmpstr (ct_purchase_get_channel (loaded), ==, "");
  g_assert_cmpstr (ct_purchase_get_source (loaded), ==, "manual");
  g_assert_cmpint (query (fixture, "SELECT count(*) FROM purchases WHERE external_ref IS NULL"
                                   " AND product_id IS NULL AND channel_id IS NULL"
                                   " AND source = 'manual'"), ==, 1);

  /* Deleting; what is gone cannot be saved, loaded or deleted. */
  g_assert_true (ct_purchase_delete (fixture->db, ct_purchase_get_id (loaded), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->n_changed, ==, 3);
  g_assert_cmpint (query (fixture, "SELECT count(*) FROM purchases"), ==, 0);

  g_assert_false (ct_purchase_delete (fixture->db, ct_purchase_get_id (loaded), &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (ct_purchase_update (fixture->db, loaded, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (ct_purchase_load (fixture->db, ct_purchase_get_id (loaded), &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (fixture->n_changed, ==, 3);
}

static void
assert_refused (Fixture    *fixture,
                CtPurchase *purchase,
                int         code,
                const char *in_message)
{
  g_autoptr(GError) error = NULL;
  guint n_changed = fixture->n_changed;
  gint64 n_purchases = query (fixture, "SELECT count(*) FROM purchases");

  if (ct_purchase_get_id (purchase) == 0)
    g_assert_false (ct_purchase_insert (fixture->db, purchase, &error));
  else
    g_assert_false (ct_purchase_update (fixture->db, purchase, &error));
  g_assert_error (error, CT_DB_ERROR, code);
  g_test_message ("refused: %s", error->message);
  if (in_message != NULL)
    g_assert_nonnull (strstr (error->message, in_message));

  g_assert_cmpint (query (fixture, "SELECT count(*) FROM purchases"), ==, n_purchases);
  g_assert_cmpuint (fixture->n_changed, ==, n_changed);
}

static void
test_invalid (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(CtPurchase) purchase = make_purchase (0, 100, 1700000000);
  g_autoptr(CtPurchase) first = NULL;
  g_autoptr(CtPurchase) again = NULL;
  g_autoptr(CtPurchase) elsewhere = NULL;
  g_autoptr(GError) error = NULL;

  assert_refused (fixture, purchase, CT_DB_ERROR_INVALID, NULL);
  ct_purchase_set_contact_id (purchase, 4242);
  assert_refused (fixture, purchase, CT_DB_ERROR_INVALID, NULL);

  ct_purchase_set_contact_id (purchase, fixture->ada);
  ct_purchase_set_product_id (purchase, 4242);
  assert_refused (fixture, purchase, CT_DB_ERROR_INVALID, NULL);
  ct_purchase_set_product_id (purchase, 0);
  ct_purchase_set_channel_id (purchase, 4242);
  assert_refused (fixture, purchase, CT_DB_ERROR_INVALID, NULL);
  ct_purchase_set_channel_id (purchase, 0);

  ct_purchase_set_amount (purchase, -1);
  assert_refused (fixture, purchase, CT_DB_ERROR_INVALID, NULL);
  ct_purchase_set_amount (purchase, 0);

  ct_purchase_set_currency (purchase, "yuan");
  assert_refused (fixture, purchase, CT_DB_ERROR_INVALID, "yuan");
  ct_purchase_set_currency (purchase, "C1Y");
  assert_refused (fixture, purchase, CT_DB_ERROR_INVALID, "C1Y");
  ct_purchase_set_currency (purchase, "");
  assert_refused (fixture, purchase, CT_DB_ERROR_INVALID, NULL);
  ct_purchase_set_currency (purchase, "usd");

  ct_purchase_set_purchased_at (purchase, 0);
  assert_refused (fixture, purchase, CT_DB_ERROR_INVALID, NULL);
  ct_purchase_set_purchased_at (purchase, -5);
  assert_refused (fixture, purchase, CT_DB_ERROR_INVALID, NULL);
  ct_purchase_set_purchased_at (purchase, 1700000000);

  /* A free purchase in dollars is fine. */
  g_assert_true (ct_purchase_insert (fixture->db, purchase, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (ct_purchase_get_currency (purchase), ==, "USD");

  /* The same order of the same shop only once; the message names it. */
  first = make_purchase (fixture->ada, 100, 1700000000);
  ct_purchase_set_source (first, "youzan");
  ct_purchase_set_external_ref (first, "E-77");
  g_assert_true (ct_purchase_insert (fixture->db, first, &error));
  g_assert_no_error (error);

  again = make_purchase (fixture->zhang, 500, 1700000500);
  ct_purchase_set_source (again, "youzan");
  ct_purchase_set_external_ref (again, "E-77 ");
  assert_refused (fixture, again, CT_DB_ERROR_CONSTRAINT, "E-77");

  /* The same reference from another shop is another order. */
  elsewhere = make_purchase (fixture->zhang, 500, 1700000500);
  ct_purchase_set_source (elsewhere, "xiaoe");
  ct_purchase_set_external_ref (elsewhere, "E-77");
  g_assert_true (ct_purchase_insert (fixture->db, elsewhere, &error));
  g_assert_no_error (error);

  /* Moving it onto the other shop's order is refused too; saving it
   * unchanged is not. */
  ct_purchase_set_source (elsewhere, "youzan");
  assert_refused (fixture, elsewhere, CT_DB_ERROR_CONSTRAINT, "E-77");
  ct_purchase_set_source (elsewhere, "xiaoe");
  save (fixture, elsewhere);

  /* Without reference, any number (stored as NULL, not ""). */
  {
    g_autoptr(CtPurchase) a = add_purchase (fixture, fixture->ada, 1, 1700000001);
    g_autoptr(CtPurchase) b = add_purchase (fixture, fixture->ada, 1, 1700000002);
    g_autoptr(CtPurchase) c = make_purchase (fixture->ada, 1, 1700000003);

    ct_purchase_set_external_ref (c, "   ");
    g_assert_true (ct_purchase_insert (fixture->db, c, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (ct_purchase_get_external_ref (c), ==, "");
  }
  g_assert_cmpint (query (fixture, "SELECT count(*) FROM purchases WHERE external_ref IS NULL"),
                   ==, 4);
  g_assert_cmpint (query (fixture, "SELECT count(*) FROM purchases WHERE external_ref = ''"),
                   ==, 0);

  /* Refused updates leave the row as it was. */
  ct_purchase_set_amount (first, -100);
  assert_refused (fixture, first, CT_DB_ERROR_INVALID, NULL);
  g_assert_cmpint (query (fixture, "SELECT amount FROM purchases WHERE external_ref = 'E-77'"
                                   " AND source = 'youzan'"), ==, 100);
}

static void
test_contact_figures (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(CtPurchase) p1 = NULL;
  g_autoptr(CtPurchase) p2 = NULL;
  g_autoptr(CtPurchase) p3 = NULL;
  g_autoptr(GError) error = NULL;

  assert_figures (fixture, fixture->zhang, 0, 0, 0, 0);

  p1 = add_purchase (fixture, fixture->zhang, 10000, 2000);
  assert_figures (fixture, fixture->zhang, 1, 10000, 2000, 2000);
  p2 = add_purchase (fixture, fixture->zhang, 5000, 1000);
  assert_figures (fixture, fixture->zhang, 2, 15000, 1000, 2000);
  p3 = add_purchase (fixture, fixture->zhang, 2500, 3000);
  assert_figures (fixture, fixture->zhang, 3, 17500, 1000, 3000);

  /* A refunded purchase stored as such does not count. */
  {
    g_autoptr(CtPurchase) refunded = make_purchase (fixture->zhang, 99900, 9000);

    ct_purchase_set_refunded (refunded, TRUE);
    g_assert_true (ct_purchase_insert (fixture->db, refunded, &error));
    g_assert_no_error (error);
    assert_figures (fixture, fixture->zhang, 3, 17500, 1000, 3000);
  }

  /* Changing the amount and the time. */
  ct_purchase_set_amount (p1, 12000);
  save (fixture, p1);
  assert_figures (fixture, fixture->zhang, 3, 19500, 1000, 3000);
  ct_purchase_set_purchased_at (p1, 4000);
  save (fixture, p1);
  assert_figures (fixture, fixture->zhang, 3, 19500, 1000, 4000);

  /* Refunding and taking the refund back. */
  ct_purchase_set_refunded (p1, TRUE);
  save (fixture, p1);
  assert_figures (fixture, fixture->zhang, 2, 7500, 1000, 3000);
  ct_purchase_set_refunded (p1, FALSE);
  save (fixture, p1);
  assert_figures (fixture, fixture->zhang, 3, 19500, 1000, 4000);

  /* Moving a purchase to another contact moves its figures. */
  ct_purchase_set_contact_id (p2, fixture->ada);
  save (fixture, p2);
  assert_figures (fixture, fixture->zhang, 2, 14500, 3000, 4000);
  assert_figures (fixture, fixture->ada, 1, 5000, 1000, 1000);

  /* Deleting. */
  g_assert_true (ct_purchase_delete (fixture->db, ct_purchase_get_id (p3), &error));
  g_assert_no_error (error);
  assert_figures (fixture, fixture->zhang, 1, 12000, 4000, 4000);
  g_assert_true (ct_purchase_delete (fixture->db, ct_purchase_get_id (p1), &error));
  g_assert_no_error (error);
  assert_figures (fixture, fixture->zhang, 0, 0, 0, 0);
  assert_figures (fixture, fixture->ada, 1, 5000, 1000, 1000);
}

static void
test_erased_contact (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(CtPurchase) purchase = add_purchase (fixture, fixture->ada, 8800, 1700000000);
  g_autoptr(CtPurchase) loaded = NULL;
  g_autoptr(CtPurchase) fresh = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;

  /* What erasing a contact leaves: the purchase, without its buyer. */
  sql = g_strdup_printf ("UPDATE purchases SET contact_id = NULL WHERE id = %" G_GINT64_FORMAT,
                         ct_purchase_get_id (purchase));
  ct_db_exec (fixture->db, sql, &error);
  g_assert_no_error (error);

  loaded = ct_purchase_load (fixture->db, ct_purchase_get_id (purchase), &error);
  g_assert_no_error (error);
  g_assert_cmpint (ct_purchase_get_contact_id (loaded), ==, 0);
  g_assert_cmpstr (ct_purchase_get_contact_name (loaded), ==, "");
  g_assert_cmpstr (ct_purchase_get_contact_email (loaded), ==, "");

  /* It can still be refunded... */
  ct_purchase_set_refunded (loaded, TRUE);
  save (fixture, loaded);
  g_assert_cmpint (query (fixture, "SELECT count(*) FROM purchases"
                                   " WHERE contact_id IS NULL AND refunded = 1"), ==, 1);

  /* ...but no new purchase goes without a buyer. */
  fresh = make_purchase (0, 100, 1700000000);
  assert_refused (fixture, fresh, CT_DB_ERROR_INVALID, NULL);
}

int
main (int   argc,
      char *argv[])
{
  /* Dates are shown in local time; pin it. */
  g_setenv ("TZ", "Asia/Shanghai", TRUE);

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/purchase/properties", test_properties);
  ADD ("/purchase/store", test_store);
  ADD ("/purchase/invalid", test_invalid);
  ADD ("/purchase/contact-figures", test_contact_figures);
  ADD ("/purchase/erased-contact", test_erased_contact);

#undef ADD

  return g_test_run ();
}
