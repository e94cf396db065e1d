/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-contact-list.c: the contacts list: search, sort, following changes */
#include "config.h"

#include <glib/gstdio.h>

#include "ct-channel.h"
#include "ct-contact-list.h"
#include "ct-money.h"
#include "ct-purchase.h"

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
  gint64       ids[6];   /* the sample contacts, 1-based like their ids */
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

static void
exec (Fixture    *fixture,
      const char *sql)
{
  g_autoptr(GError) error = NULL;

  ct_db_exec (fixture->db, sql, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-contact-list-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "test.db", NULL);
  fixture->db = ct_db_open (fixture->path, &error);
  g_assert_no_error (error);

  fixture->list = ct_contact_list_new (fixture->db);
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

/* Asserts the list shows the sample contacts numbered in @order (1-based,
 * 0-terminated), and that items and ids agree. */
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
      g_autoptr(CtContact) contact = g_list_model_get_item (model, i);

      g_assert_cmpint (ct_paged_list_get_id (fixture->list, i), ==, fixture->ids[order[i]]);
      g_assert_cmpint (ct_contact_get_id (contact), ==, fixture->ids[order[i]]);
    }
}

#define ASSERT_ORDER(fixture, ...) \
  G_STMT_START { \
    const int order_[] = { __VA_ARGS__, 0 }; \
    assert_order ((fixture), order_); \
  } G_STMT_END

static gint64
add_contact (Fixture    *fixture,
             const char *first_name,
             const char *last_name,
             const char *email,
             const char *phone,
             const char *company)
{
  g_autoptr(CtContact) contact = ct_contact_new ();
  g_autoptr(GError) error = NULL;

  ct_contact_set_first_name (contact, first_name);
  ct_contact_set_last_name (contact, last_name);
  ct_contact_set_email (contact, email);
  ct_contact_set_phone (contact, phone);
  ct_contact_set_company (contact, company);
  g_assert_true (ct_contact_insert (fixture->db, contact, &error));
  g_assert_no_error (error);

  return ct_contact_get_id (contact);
}

static gint64
add_purchase (Fixture  *fixture,
              gint64    contact_id,
              gint64    amount,
              gint64    when,
              gboolean  refunded)
{
  g_autoptr(CtPurchase) purchase = ct_purchase_new ();
  g_autoptr(GError) error = NULL;

  ct_purchase_set_contact_id (purchase, contact_id);
  ct_purchase_set_amount (purchase, amount);
  ct_purchase_set_purchased_at (purchase, when);
  ct_purchase_set_refunded (purchase, refunded);
  g_assert_true (ct_purchase_insert (fixture->db, purchase, &error));
  g_assert_no_error (error);

  return ct_purchase_get_id (purchase);
}

/* Five contacts whose name keys sort bob@example.com (3), HopperGrace (5),
 * LovelaceAda (1), TuringAlan (4), 张伟 (2). Each insert is checked to
 * arrive where it belongs, with one items-changed. */
static void
add_samples (Fixture *fixture)
{
  fixture->ids[1] = add_contact (fixture, "Ada", "Lovelace", "ada@example.com", "+44 1",
                                 "Analytical Engines");
  ASSERT_CHANGES (fixture, { 0, 0, 1 });
  fixture->ids[2] = add_contact (fixture, "伟", "张", "zhang.wei@example.cn", "13800000000",
                                 "知识星球");
  ASSERT_CHANGES (fixture, { 1, 0, 1 });
  fixture->ids[3] = add_contact (fixture, "", "", "bob@example.com", "", "");
  ASSERT_CHANGES (fixture, { 0, 0, 1 });
  fixture->ids[4] = add_contact (fixture, "Alan", "Turing", NULL, "+44 2", "");
  ASSERT_CHANGES (fixture, { 2, 0, 1 });
  fixture->ids[5] = add_contact (fixture, "Grace", "Hopper", "grace@example.com", "",
                                 "Navy");
  ASSERT_CHANGES (fixture, { 1, 0, 1 });

  ASSERT_ORDER (fixture, 3, 5, 1, 4, 2);
}

static void
search (Fixture    *fixture,
        const char *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ct_contact_list_set_search (fixture->list, text, &error));
  g_assert_no_error (error);
}

static void
sort (Fixture       *fixture,
      CtContactSort  by,
      gboolean       descending)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ct_contact_list_set_sort (fixture->list, by, descending, &error));
  g_assert_no_error (error);
}

static void
test_follow_changes (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(CtContact) contact = NULL;
  g_autoptr(CtContactSnapshot) snapshot = NULL;
  g_autoptr(GError) error = NULL;
  const char *vip[] = { "VIP", NULL };

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 0);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (fixture->list)) == CT_TYPE_CONTACT);
  add_samples (fixture);

  /* Renaming moves the row: Hopper becomes Zuse, after Turing. */
  contact = ct_contact_load (fixture->db, fixture->ids[5], &error);
  g_assert_no_error (error);
  ct_contact_set_last_name (contact, "Zuse");
  g_assert_true (ct_contact_update (fixture->db, contact, &error));
  g_assert_no_error (error);
  ASSERT_CHANGES (fixture, { 1, 3, 3 });
  ASSERT_ORDER (fixture, 3, 1, 4, 5, 2);

  /* A change that keeps the place: the row a view shows is replaced. */
  ct_contact_set_company (contact, "Zuse KG");
  g_assert_true (ct_contact_update (fixture->db, contact, &error));
  g_assert_no_error (error);
  ASSERT_CHANGES (fixture, { 3, 1, 1 });
  {
    g_autoptr(CtContact) shown = g_list_model_get_item (G_LIST_MODEL (fixture->list), 3);
    g_assert_cmpstr (ct_contact_get_company (shown), ==, "Zuse KG");
  }

  /* Tags show in the row. */
  g_assert_true (ct_contact_set_tags (fixture->db, fixture->ids[4], vip, &error));
  g_assert_no_error (error);
  ASSERT_CHANGES (fixture, { 2, 1, 1 });
  {
    g_autoptr(CtContact) shown = g_list_model_get_item (G_LIST_MODEL (fixture->list), 2);
    g_assert_cmpstr (ct_contact_get_tags (shown), ==, "VIP");
  }

  /* A purchase changes the buyer's figures. */
  add_purchase (fixture, fixture->ids[1], 9900, 1700000000, FALSE);
  ASSERT_CHANGES (fixture, { 1, 1, 1 });
  {
    g_autoptr(CtContact) shown = g_list_model_get_item (G_LIST_MODEL (fixture->list), 1);
    g_assert_cmpint (ct_contact_get_purchase_count (shown), ==, 1);
    g_assert_cmpint (ct_contact_get_total_spent (shown), ==, 9900);
    g_assert_cmpint (ct_contact_get_last_purchase_at (shown), ==, 1700000000);
  }

  /* Deleting and putting back. */
  snapshot = ct_contact_delete (fixture->db, fixture->ids[4], &error);
  g_assert_no_error (error);
  g_assert_nonnull (snapshot);
  ASSERT_CHANGES (fixture, { 2, 1, 0 });
  ASSERT_ORDER (fixture, 3, 1, 5, 2);

  g_assert_true (ct_contact_restore (fixture->db, snapshot, &error));
  g_assert_no_error (error);
  ASSERT_CHANGES (fixture, { 2, 0, 1 });
  ASSERT_ORDER (fixture, 3, 1, 4, 5, 2);

  /* Signals of other tables leave the list alone. */
  ct_db_emit_changed (fixture->db, "settings");
  ASSERT_NO_CHANGES (fixture);
}

static void
test_search (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *vip[] = { "VIP", "课程A", NULL };

  add_samples (fixture);

  search (fixture, "example.com");
  ASSERT_CHANGES (fixture, { 3, 2, 0 });
  ASSERT_ORDER (fixture, 3, 5, 1);

  search (fixture, "love");
  ASSERT_CHANGES (fixture, { 0, 2, 0 });
  ASSERT_ORDER (fixture, 1);

  /* The same search again changes nothing. */
  search (fixture, "love");
  ASSERT_NO_CHANGES (fixture);

  search (fixture, "");
  ASSERT_CHANGES (fixture, { 0, 1, 5 });
  ASSERT_ORDER (fixture, 3, 5, 1, 4, 2);

  /* Case, spaces around, either name order, email, phone, company. */
  search (fixture, "  LoVe  ");
  ASSERT_ORDER (fixture, 1);
  search (fixture, "ada lovelace");
  ASSERT_ORDER (fixture, 1);
  search (fixture, "lovelaceada");
  ASSERT_ORDER (fixture, 1);
  search (fixture, "张伟");
  ASSERT_ORDER (fixture, 2);
  search (fixture, "伟");
  ASSERT_ORDER (fixture, 2);
  search (fixture, "知识");
  ASSERT_ORDER (fixture, 2);
  search (fixture, "+44");
  ASSERT_ORDER (fixture, 1, 4);
  search (fixture, "1380000");
  ASSERT_ORDER (fixture, 2);
  search (fixture, "NAVY");
  ASSERT_ORDER (fixture, 5);
  search (fixture, "BOB@");
  ASSERT_ORDER (fixture, 3);

  /* Nothing is a pattern: % and _ are themselves. */
  search (fixture, "%");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 0);
  search (fixture, "a_a");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 0);
  search (fixture, "'; DROP TABLE contacts; --");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 0);
  g_array_set_size (fixture->changes, 0);

  /* Tags, as they change; the search stays while contacts change. */
  search (fixture, "vip");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 0);
  g_assert_true (ct_contact_set_tags (fixture->db, fixture->ids[4], vip, &error));
  g_assert_no_error (error);
  ASSERT_CHANGES (fixture, { 0, 0, 1 });
  ASSERT_ORDER (fixture, 4);
  g_assert_true (ct_contact_set_tags (fixture->db, fixture->ids[2], vip, &error));
  g_assert_no_error (error);
  ASSERT_CHANGES (fixture, { 1, 0, 1 });
  ASSERT_ORDER (fixture, 4, 2);
  search (fixture, "课程a");
  ASSERT_ORDER (fixture, 4, 2);

  /* A new contact that does not match does not show. */
  add_contact (fixture, "Hedy", "Lamarr", "hedy@example.com", "", "");
  ASSERT_NO_CHANGES (fixture);

  /* NULL is everything. */
  search (fixture, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fixture->list)), ==, 6);
}

static void
set_sample_details (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  gint64 wechat, bilibili;
  struct {
    int             sample;
    CtContactStatus status;
    const char     *channel;
    gint64          created_at;
  } details[] = {
    { 1, CT_CONTACT_SUBSCRIBED, "Bilibili", 500 },
    { 2, CT_CONTACT_SUBSCRIBED, "WeChat", 100 },
    { 3, CT_CONTACT_UNSUBSCRIBED, NULL, 300 },
    { 4, CT_CONTACT_BOUNCED, NULL, 200 },
    { 5, CT_CONTACT_COMPLAINED, "WeChat", 400 },
  };

  wechat = ct_channel_ensure (fixture->db, "WeChat", &error);
  g_assert_no_error (error);
  bilibili = ct_channel_ensure (fixture->db, "Bilibili", &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (details); i++)
    {
      g_autoptr(CtContact) contact = ct_contact_load (fixture->db, fixture->ids[details[i].sample],
                                                      &error);
      g_autoptr(sqlite3_stmt) stmt = NULL;

      g_assert_no_error (error);
      ct_contact_set_status (contact, details[i].status);
      if (details[i].channel != NULL)
        ct_contact_set_channel_id (contact, g_str_equal (details[i].channel, "WeChat")
                                            ? wechat : bilibili);
      g_assert_true (ct_contact_update (fixture->db, contact, &error));
      g_assert_no_error (error);

      stmt = ct_db_prepare (fixture->db, "UPDATE contacts SET created_at = ?1 WHERE id = ?2",
                            &error);
      g_assert_no_error (error);
      sqlite3_bind_int64 (stmt, 1, details[i].created_at);
      sqlite3_bind_int64 (stmt, 2, fixture->ids[details[i].sample]);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
    }
  ct_db_emit_changed (fixture->db, "contacts");

  /* counts 1:2 2:3 3:0 4:0 5:1; totals 1:50 2:300 5:1000;
   * last 1:2000 2:1700 5:3000, none for 3 (refunded only) and 4. */
  add_purchase (fixture, fixture->ids[1], 20, 1000, FALSE);
  add_purchase (fixture, fixture->ids[1], 30, 2000, FALSE);
  add_purchase (fixture, fixture->ids[2], 100, 1500, FALSE);
  add_purchase (fixture, fixture->ids[2], 100, 1600, FALSE);
  add_purchase (fixture, fixture->ids[2], 100, 1700, FALSE);
  add_purchase (fixture, fixture->ids[3], 5000, 5000, TRUE);
  add_purchase (fixture, fixture->ids[5], 1000, 3000, FALSE);
  g_array_set_size (fixture->changes, 0);
}

static void
test_sort (Fixture       *fixture,
           gconstpointer  data)
{
  add_samples (fixture);
  set_sample_details (fixture);
  ASSERT_ORDER (fixture, 3, 5, 1, 4, 2);

  sort (fixture, CT_CONTACT_SORT_NAME, TRUE);
  ASSERT_ORDER (fixture, 2, 4, 1, 5, 3);
  ASSERT_CHANGES (fixture, { 0, 5, 5 });

  /* Missing values last, whichever the direction. */
  sort (fixture, CT_CONTACT_SORT_EMAIL, FALSE);
  ASSERT_ORDER (fixture, 1, 3, 5, 2, 4);
  sort (fixture, CT_CONTACT_SORT_EMAIL, TRUE);
  ASSERT_ORDER (fixture, 2, 5, 3, 1, 4);

  sort (fixture, CT_CONTACT_SORT_PHONE, FALSE);
  ASSERT_ORDER (fixture, 1, 4, 2, 3, 5);
  sort (fixture, CT_CONTACT_SORT_PHONE, TRUE);
  ASSERT_ORDER (fixture, 2, 4, 1, 5, 3);

  sort (fixture, CT_CONTACT_SORT_CHANNEL, FALSE);
  ASSERT_ORDER (fixture, 1, 2, 5, 3, 4);
  sort (fixture, CT_CONTACT_SORT_CHANNEL, TRUE);
  ASSERT_ORDER (fixture, 5, 2, 1, 4, 3);

  sort (fixture, CT_CONTACT_SORT_STATUS, FALSE);
  ASSERT_ORDER (fixture, 1, 2, 3, 4, 5);
  sort (fixture, CT_CONTACT_SORT_STATUS, TRUE);
  ASSERT_ORDER (fixture, 5, 4, 3, 2, 1);

  sort (fixture, CT_CONTACT_SORT_CREATED, FALSE);
  ASSERT_ORDER (fixture, 2, 4, 3, 5, 1);
  sort (fixture, CT_CONTACT_SORT_CREATED, TRUE);
  ASSERT_ORDER (fixture, 1, 5, 3, 4, 2);

  sort (fixture, CT_CONTACT_SORT_PURCHASES, FALSE);
  ASSERT_ORDER (fixture, 3, 4, 5, 1, 2);
  sort (fixture, CT_CONTACT_SORT_PURCHASES, TRUE);
  ASSERT_ORDER (fixture, 2, 1, 5, 4, 3);

  sort (fixture, CT_CONTACT_SORT_TOTAL_SPENT, TRUE);
  ASSERT_ORDER (fixture, 5, 2, 1, 4, 3);
  sort (fixture, CT_CONTACT_SORT_LAST_PURCHASE, FALSE);
  ASSERT_ORDER (fixture, 2, 1, 5, 3, 4);
  sort (fixture, CT_CONTACT_SORT_LAST_PURCHASE, TRUE);
  ASSERT_ORDER (fixture, 5, 1, 2, 4, 3);

  /* Sorting by total spent, a purchase moves its buyer: one change from
   * where the row was to where it goes. */
  sort (fixture, CT_CONTACT_SORT_TOTAL_SPENT, FALSE);
  ASSERT_ORDER (fixture, 3, 4, 1, 2, 5);
  g_array_set_size (fixture->changes, 0);
  add_purchase (fixture, fixture->ids[4], 100, 4000, FALSE);
  ASSERT_CHANGES (fixture, { 1, 2, 2 });
  ASSERT_ORDER (fixture, 3, 1, 4, 2, 5);

  /* Search and sort together. */
  search (fixture, "example.com");
  ASSERT_ORDER (fixture, 3, 1, 5);
  sort (fixture, CT_CONTACT_SORT_NAME, FALSE);
  ASSERT_ORDER (fixture, 3, 5, 1);
}

/* Scores as the background recompute leaves them (ct-analytics.c): Ada a
 * champion, 张伟 at risk, bob lost without a fitted model, Grace never
 * bought, Alan not in the cache at all (added after the last run). */
static void
add_sample_metrics (Fixture *fixture)
{
  g_autofree char *sql = NULL;

  /* Created by migration 4; kept here as well so the test says what
   * it relies on. */
  exec (fixture, "CREATE TABLE IF NOT EXISTS contact_metrics ("
                 " contact_id INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,"
                 " as_of INTEGER NOT NULL, recency_days INTEGER, frequency INTEGER,"
                 " monetary INTEGER, currency TEXT, r_score INTEGER, f_score INTEGER,"
                 " m_score INTEGER, rfm_segment TEXT, lifecycle TEXT, clv_historical INTEGER,"
                 " clv_simple INTEGER, clv_predictive INTEGER, p_alive REAL,"
                 " expected_purchases REAL, cluster INTEGER)");
  sql = g_strdup_printf ("INSERT INTO contact_metrics VALUES"
                         " (%" G_GINT64_FORMAT ", 1700000000, 12, 7, 324000, 'CNY', 5, 5, 4,"
                         "  'champions', 'active', 324000, 400000, 124000, 0.83, 3.25, 1),"
                         " (%" G_GINT64_FORMAT ", 1700000000, 200, 3, 9000, 'CNY', 2, 3, 2,"
                         "  'at_risk', 'at_risk', 9000, 12000, 1000, 0.2, 0.1, 0),"
                         " (%" G_GINT64_FORMAT ", 1700000000, 400, 1, 100, 'CNY', 1, 1, 1,"
                         "  'lost', 'churned', 100, NULL, NULL, NULL, NULL, 2),"
                         " (%" G_GINT64_FORMAT ", 1700000000, NULL, 0, 0, 'CNY', NULL, NULL, NULL,"
                         "  NULL, 'potential', 0, NULL, NULL, NULL, NULL, NULL)",
                         fixture->ids[1], fixture->ids[2], fixture->ids[3], fixture->ids[5]);
  exec (fixture, sql);
  ct_db_emit_changed (fixture->db, "contact_metrics");
}

static CtContact *
item_with_id (Fixture *fixture,
              gint64   id)
{
  int position = ct_paged_list_find (fixture->list, id);

  g_assert_cmpint (position, >=, 0);
  return g_list_model_get_item (G_LIST_MODEL (fixture->list), position);
}

static void
test_metrics (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(CtContact) ada = NULL;
  g_autoptr(CtContact) bob = NULL;
  g_autoptr(CtContact) alan = NULL;
  g_autoptr(CtContact) grace = NULL;
  g_autoptr(CtContact) again = NULL;
  g_autofree char *money = ct_money_format (124000, "CNY");
  g_autofree char *label = NULL;
  g_autofree char *segment = NULL;
  guint r, f, m;
  double churn;
  int cluster;

  add_samples (fixture);
  ada = item_with_id (fixture, fixture->ids[1]);
  g_assert_cmpint (ct_contact_get_metrics_as_of (ada), ==, 0);
  g_assert_cmpstr (ct_contact_get_rfm_segment (ada), ==, "");

  /* A new run reaches items already handed out. */
  add_sample_metrics (fixture);
  g_clear_object (&ada);
  ada = item_with_id (fixture, fixture->ids[1]);
  g_assert_cmpint (ct_contact_get_metrics_as_of (ada), ==, 1700000000);
  g_assert_cmpint (ct_contact_get_recency_days (ada), ==, 12);
  g_assert_cmpint (ct_contact_get_frequency (ada), ==, 7);
  g_assert_cmpint (ct_contact_get_monetary (ada), ==, 324000);
  g_assert_cmpstr (ct_contact_get_metrics_currency (ada), ==, "CNY");
  ct_contact_get_rfm_scores (ada, &r, &f, &m);
  g_assert_cmpuint (r, ==, 5);
  g_assert_cmpuint (f, ==, 5);
  g_assert_cmpuint (m, ==, 4);
  g_assert_cmpstr (ct_contact_get_rfm_segment (ada), ==, "champions");
  g_assert_cmpstr (ct_contact_get_rfm_segment_label (ada), ==, "Champions");
  g_assert_cmpstr (ct_contact_get_lifecycle (ada), ==, "active");
  g_assert_cmpstr (ct_contact_get_lifecycle_label (ada), ==, "Active");
  g_assert_cmpint (ct_contact_get_clv_historical (ada), ==, 324000);
  g_assert_cmpint (ct_contact_get_clv_simple (ada), ==, 400000);
  g_assert_cmpint (ct_contact_get_clv_predictive (ada), ==, 124000);
  g_assert_cmpstr (ct_contact_get_clv_predictive_label (ada), ==, money);
  g_assert_cmpfloat_with_epsilon (ct_contact_get_p_alive (ada), 0.83, 1e-12);
  g_assert_cmpfloat_with_epsilon (ct_contact_get_churn_risk (ada), 0.17, 1e-12);
  g_assert_cmpfloat_with_epsilon (ct_contact_get_expected_purchases (ada), 3.25, 1e-12);
  g_assert_cmpint (ct_contact_get_cluster (ada), ==, 1);
  /* The same through the properties a view binds. */
  g_object_get (ada, "rfm-segment-label", &segment, "churn-risk", &churn,
                "cluster", &cluster, "clv-predictive-label", &label, NULL);
  g_assert_cmpstr (segment, ==, "Champions");
  g_assert_cmpfloat_with_epsilon (churn, 0.17, 1e-12);
  g_assert_cmpint (cluster, ==, 1);
  g_assert_cmpstr (label, ==, money);

  /* Not fitted: NULL columns read as "not computed", not as 0. */
  bob = item_with_id (fixture, fixture->ids[3]);
  g_assert_cmpstr (ct_contact_get_rfm_segment (bob), ==, "lost");
  g_assert_cmpint (ct_contact_get_clv_predictive (bob), ==, -1);
  g_assert_cmpstr (ct_contact_get_clv_predictive_label (bob), ==, "");
  g_assert_cmpfloat (ct_contact_get_p_alive (bob), ==, -1.0);
  g_assert_cmpfloat (ct_contact_get_churn_risk (bob), ==, -1.0);
  g_assert_cmpfloat (ct_contact_get_expected_purchases (bob), ==, -1.0);
  g_assert_cmpint (ct_contact_get_clv_simple (bob), ==, -1);

  grace = item_with_id (fixture, fixture->ids[5]);
  g_assert_cmpint (ct_contact_get_metrics_as_of (grace), ==, 1700000000);
  g_assert_cmpstr (ct_contact_get_rfm_segment (grace), ==, "");
  g_assert_cmpstr (ct_contact_get_rfm_segment_label (grace), ==, "");
  g_assert_cmpstr (ct_contact_get_lifecycle_label (grace), ==, "Potential");
  g_assert_cmpint (ct_contact_get_recency_days (grace), ==, -1);
  ct_contact_get_rfm_scores (grace, &r, &f, &m);
  g_assert_cmpuint (r + f + m, ==, 0);
  g_assert_cmpint (ct_contact_get_cluster (grace), ==, -1);

  alan = item_with_id (fixture, fixture->ids[4]);
  g_assert_cmpint (ct_contact_get_metrics_as_of (alan), ==, 0);
  g_assert_cmpstr (ct_contact_get_lifecycle (alan), ==, "");
  g_assert_cmpint (ct_contact_get_cluster (alan), ==, -1);

  /* ct_contact_load() reads the same. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(CtContact) loaded = ct_contact_load (fixture->db, fixture->ids[2], &error);

    g_assert_no_error (error);
    g_assert_cmpstr (ct_contact_get_rfm_segment_label (loaded), ==, "At Risk");
    g_assert_cmpfloat_with_epsilon (ct_contact_get_churn_risk (loaded), 0.8, 1e-12);
  }

  /* Values a model must never give, and ids this version does not know,
   * show as not computed rather than as nonsense. */
  exec (fixture, "UPDATE contact_metrics SET p_alive = 1.5, rfm_segment = 'bogus',"
                 " lifecycle = 'zombie', r_score = 9 WHERE rfm_segment = 'champions'");
  ct_db_emit_changed (fixture->db, "contact_metrics");
  again = item_with_id (fixture, fixture->ids[1]);
  g_assert_cmpfloat (ct_contact_get_p_alive (again), ==, -1.0);
  g_assert_cmpstr (ct_contact_get_rfm_segment (again), ==, "");
  g_assert_cmpstr (ct_contact_get_lifecycle_label (again), ==, "");
  ct_contact_get_rfm_scores (again, &r, NULL, NULL);
  g_assert_cmpuint (r, ==, 0);
  g_clear_object (&again);

  /* A cache emptied (or a contact left out of it) takes the scores away. */
  exec (fixture, "DELETE FROM contact_metrics");
  ct_db_emit_changed (fixture->db, "contact_metrics");
  again = item_with_id (fixture, fixture->ids[2]);
  g_assert_cmpint (ct_contact_get_metrics_as_of (again), ==, 0);
  g_assert_cmpstr (ct_contact_get_rfm_segment (again), ==, "");
  g_assert_cmpfloat (ct_contact_get_churn_risk (again), ==, -1.0);
  g_array_set_size (fixture->changes, 0);
}

static void
test_sort_metrics (Fixture       *fixture,
                   gconstpointer  data)
{
  add_samples (fixture);
  add_sample_metrics (fixture);
  g_array_set_size (fixture->changes, 0);

  /* In the order of the segments, Champions first; contacts without a
   * segment (4 not computed, 5 never bought) last either way. */
  sort (fixture, CT_CONTACT_SORT_RFM_SEGMENT, FALSE);
  ASSERT_ORDER (fixture, 1, 2, 3, 4, 5);
  ASSERT_CHANGES (fixture, { 0, 5, 5 });
  sort (fixture, CT_CONTACT_SORT_RFM_SEGMENT, TRUE);
  ASSERT_ORDER (fixture, 3, 2, 1, 5, 4);

  sort (fixture, CT_CONTACT_SORT_LIFECYCLE, FALSE);
  ASSERT_ORDER (fixture, 5, 1, 2, 3, 4);
  sort (fixture, CT_CONTACT_SORT_LIFECYCLE, TRUE);
  ASSERT_ORDER (fixture, 3, 2, 1, 5, 4);

  sort (fixture, CT_CONTACT_SORT_CLV_PREDICTIVE, FALSE);
  ASSERT_ORDER (fixture, 2, 1, 3, 4, 5);
  sort (fixture, CT_CONTACT_SORT_CLV_PREDICTIVE, TRUE);
  ASSERT_ORDER (fixture, 1, 2, 5, 4, 3);

  /* Churn risk is 1 − P(alive): the least likely to stay come first
   * when descending. */
  sort (fixture, CT_CONTACT_SORT_CHURN_RISK, FALSE);
  ASSERT_ORDER (fixture, 1, 2, 3, 4, 5);
  sort (fixture, CT_CONTACT_SORT_CHURN_RISK, TRUE);
  ASSERT_ORDER (fixture, 2, 1, 5, 4, 3);

  sort (fixture, CT_CONTACT_SORT_CLUSTER, FALSE);
  ASSERT_ORDER (fixture, 2, 1, 3, 4, 5);
  sort (fixture, CT_CONTACT_SORT_CLUSTER, TRUE);
  ASSERT_ORDER (fixture, 3, 1, 2, 5, 4);

  /* A new run moves the rows to their new places. */
  exec (fixture, "UPDATE contact_metrics SET cluster = 5 WHERE cluster = 0");
  g_array_set_size (fixture->changes, 0);
  ct_db_emit_changed (fixture->db, "contact_metrics");
  ASSERT_ORDER (fixture, 2, 3, 1, 5, 4);
  g_assert_cmpuint (fixture->changes->len, >, 0);
  g_array_set_size (fixture->changes, 0);

  /* Sorted by a score while searching. */
  search (fixture, "example.com");
  ASSERT_ORDER (fixture, 3, 1, 5);
}

static void
test_search_metrics (Fixture       *fixture,
                     gconstpointer  data)
{
  add_samples (fixture);
  add_sample_metrics (fixture);

  /* The names of segments and stages, any case, any part. */
  search (fixture, "champ");
  ASSERT_ORDER (fixture, 1);
  search (fixture, "AT RISK");
  ASSERT_ORDER (fixture, 2);
  search (fixture, "churned");
  ASSERT_ORDER (fixture, 3);
  /* The stage "Potential" (Grace), and no one is a Potential Loyalist. */
  search (fixture, "potential");
  ASSERT_ORDER (fixture, 5);
  /* Names and labels together: "lo" is in Lovelace and in Lost. */
  search (fixture, "lo");
  ASSERT_ORDER (fixture, 3, 1);
  /* Ids are not labels: nothing is called "at_risk". */
  search (fixture, "at_risk");
  assert_order (fixture, (const int[]) { 0 });

  /* The labels searched are the ones shown, even after a new run. */
  exec (fixture, "UPDATE contact_metrics SET rfm_segment = 'champions'"
                 " WHERE rfm_segment = 'lost'");
  ct_db_emit_changed (fixture->db, "contact_metrics");
  search (fixture, "champions");
  ASSERT_ORDER (fixture, 3, 1);
  g_array_set_size (fixture->changes, 0);
}

static void
test_pages (Fixture       *fixture,
            gconstpointer  data)
{
  GListModel *model = G_LIST_MODEL (fixture->list);

  /* 250 contacts "Test 001".."Test 250" in one go, as an import would. */
  exec (fixture,
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250)"
        " INSERT INTO contacts (first_name, last_name, email)"
        " SELECT printf('%03d', i), 'Test', printf('t%03d@example.com', i) FROM n");
  ASSERT_NO_CHANGES (fixture);
  ct_db_emit_changed (fixture->db, "contacts");
  ASSERT_CHANGES (fixture, { 0, 0, 250 });

  for (guint i = 0; i < 250; i += 1)
    {
      g_autoptr(CtContact) contact = g_list_model_get_item (model, i);
      g_autofree char *first = g_strdup_printf ("%03u", i + 1);

      g_assert_nonnull (contact);
      g_assert_cmpstr (ct_contact_get_first_name (contact), ==, first);
    }
  g_assert_null (g_list_model_get_item (model, 250));

  /* Descending: the first page is the last contacts. A replacement this
   * large is told as two signals (see CtPagedList). */
  sort (fixture, CT_CONTACT_SORT_NAME, TRUE);
  ASSERT_CHANGES (fixture, { 0, 250, 0 }, { 0, 0, 250 });
  {
    g_autoptr(CtContact) first = g_list_model_get_item (model, 0);
    g_autoptr(CtContact) hundredth = g_list_model_get_item (model, 100);
    g_assert_cmpstr (ct_contact_get_email (first), ==, "t250@example.com");
    g_assert_cmpstr (ct_contact_get_email (hundredth), ==, "t150@example.com");
  }

  search (fixture, "t1");
  /* t1 matches "test 1xx" names and t1xx@ emails: 100..199 */
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 100);
  {
    g_autoptr(CtContact) first = g_list_model_get_item (model, 0);
    g_assert_cmpstr (ct_contact_get_email (first), ==, "t199@example.com");
  }
}

/* Searching many contacts: the answer, not the time (timings vary by
 * machine; tests/bench measures them). */
static void
test_many (Fixture       *fixture,
           gconstpointer  data)
{
  GListModel *model = G_LIST_MODEL (fixture->list);
  g_autoptr(GTimer) timer = g_timer_new ();
  g_autoptr(GError) error = NULL;
  gint64 expected;

  exec (fixture,
        "BEGIN;"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)"
        " INSERT INTO contacts (first_name, last_name, email, phone)"
        " SELECT CASE i % 3 WHEN 0 THEN '伟' WHEN 1 THEN 'Ada' ELSE 'Li' END,"
        "        CASE i % 5 WHEN 0 THEN '张' WHEN 1 THEN 'Lovelace' ELSE 'Wang' END,"
        "        printf('user%d@example.com', i), printf('138%08d', i) FROM n;"
        "COMMIT");
  g_test_message ("100,000 contacts created in %.0f ms", g_timer_elapsed (timer, NULL) * 1000);

  g_timer_start (timer);
  ct_db_emit_changed (fixture->db, "contacts");
  g_test_message ("listed in %.0f ms", g_timer_elapsed (timer, NULL) * 1000);
  ASSERT_CHANGES (fixture, { 0, 0, 100000 });

  g_timer_start (timer);
  search (fixture, "user4242");
  g_test_message ("searched in %.0f ms", g_timer_elapsed (timer, NULL) * 1000);
  /* user4242, user42420..user42429 */
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 11);

  g_timer_start (timer);
  search (fixture, "张");
  g_test_message ("searched in %.0f ms", g_timer_elapsed (timer, NULL) * 1000);
  expected = ct_db_query_int64 (fixture->db,
                                "SELECT count(*) FROM contacts WHERE last_name = '张'", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, expected);
  g_assert_cmpint (expected, ==, 20000);

  g_timer_start (timer);
  search (fixture, "");
  g_test_message ("all again in %.0f ms", g_timer_elapsed (timer, NULL) * 1000);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 100000);
  {
    /* Name order, family name first: Lovelace, Wang, then 张. */
    g_autoptr(CtContact) first = g_list_model_get_item (model, 0);
    g_autoptr(CtContact) last = g_list_model_get_item (model, 99999);
    g_assert_cmpstr (ct_contact_get_last_name (first), ==, "Lovelace");
    g_assert_cmpstr (ct_contact_get_first_name (first), ==, "Ada");
    g_assert_cmpstr (ct_contact_get_last_name (last), ==, "张");
  }
  g_array_set_size (fixture->changes, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/contact-list/follow-changes", test_follow_changes);
  ADD ("/contact-list/search", test_search);
  ADD ("/contact-list/sort", test_sort);
  ADD ("/contact-list/metrics", test_metrics);
  ADD ("/contact-list/sort-metrics", test_sort_metrics);
  ADD ("/contact-list/search-metrics", test_search_metrics);
  ADD ("/contact-list/pages", test_pages);
  ADD ("/contact-list/many", test_many);

#undef ADD

  return g_test_run ();
}
