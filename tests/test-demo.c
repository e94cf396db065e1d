/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-demo.c: the demo business generator */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "ct-db.h"
#include "ct-demo.h"

/* 2025-01-01 00:00 UTC: the tests never depend on today's date. */
#define NOW G_GINT64_CONSTANT (1735689600)
#define DAY 86400

typedef struct
{
  char *dir;
  char *path;
  CtDb *db;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("clientele-demo-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "demo.db", NULL);
  f->db = ct_db_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->db);
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->db);
  remove_dir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static gint64
query (CtDb       *db,
       const char *sql)
{
  g_autoptr(GError) error = NULL;
  gint64 value = ct_db_query_int64 (db, sql, &error);

  g_assert_no_error (error);
  return value;
}

static double
query_double (CtDb       *db,
              const char *sql)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, sql, NULL);

  g_assert_nonnull (stmt);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_double (stmt, 0);
}

static void
generate (CtDb    *db,
          guint    n_contacts,
          guint64  seed)
{
  g_autoptr(GError) error = NULL;
  CtDemoOptions options = { n_contacts, seed, NOW };

  g_assert_true (ct_demo_generate (db, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* Every index and trigger, as sqlite_master keeps them. */
static char *
schema_objects (CtDb *db)
{
  g_autoptr(sqlite3_stmt) stmt =
    ct_db_prepare (db, "SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master"
                       " WHERE type IN ('index', 'trigger') ORDER BY type, name", NULL);
  g_autoptr(GString) objects = g_string_new (NULL);
  int rc;

  g_assert_nonnull (stmt);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_string_append_printf (objects, "%s\n", (const char *) sqlite3_column_text (stmt, 0));
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  return g_string_free (g_steal_pointer (&objects), FALSE);
}

/* SHA-256 over every row of every table, in key order, with column types,
 * so that any difference in content shows. */
static char *
content_checksum (CtDb *db)
{
  static const char * const tables[] = {
    "SELECT * FROM channels ORDER BY id",
    "SELECT * FROM channel_spend ORDER BY channel_id, month",
    "SELECT * FROM contacts ORDER BY id",
    "SELECT * FROM tags ORDER BY id",
    "SELECT * FROM contact_tags ORDER BY contact_id, tag_id",
    "SELECT * FROM products ORDER BY id",
    "SELECT * FROM purchases ORDER BY id",
    "SELECT * FROM settings ORDER BY key",
  };
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, tables[t], NULL);
      int rc;

      g_assert_nonnull (stmt);
      g_checksum_update (checksum, (const guchar *) tables[t], -1);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        for (int i = 0; i < sqlite3_column_count (stmt); i++)
          {
            guchar type = (guchar) sqlite3_column_type (stmt, i);
            const guchar *text = sqlite3_column_text (stmt, i);

            g_checksum_update (checksum, &type, 1);
            if (text != NULL)
              g_checksum_update (checksum, text, sqlite3_column_bytes (stmt, i) + 1);
          }
      g_assert_cmpint (rc, ==, SQLITE_DONE);
    }

  return g_strdup (g_checksum_get_string (checksum));
}

static void
test_deterministic (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *path2 = g_build_filename (f->dir, "again.db", NULL);
  g_autofree char *path3 = g_build_filename (f->dir, "other.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CtDb) db2 = NULL;
  g_autoptr(CtDb) db3 = NULL;
  g_autofree char *sum1 = NULL;
  g_autofree char *sum2 = NULL;
  g_autofree char *sum3 = NULL;

  db2 = ct_db_open (path2, &error);
  g_assert_no_error (error);
  db3 = ct_db_open (path3, &error);
  g_assert_no_error (error);

  generate (f->db, 300, 42);
  generate (db2, 300, 42);
  generate (db3, 300, 43);

  sum1 = content_checksum (f->db);
  sum2 = content_checksum (db2);
  sum3 = content_checksum (db3);

  g_assert_cmpstr (sum1, ==, sum2);
  g_assert_cmpstr (sum1, !=, sum3);
  g_assert_cmpint (query (f->db, "SELECT count(*) FROM purchases"), ==,
                   query (db2, "SELECT count(*) FROM purchases"));
}

/* The indexes the demo builds at the end come back exactly as they were,
 * with every trigger, whether it finishes or is cancelled. */
static void
test_schema_kept (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *before = schema_objects (f->db);
  g_autofree char *after = NULL;
  static const char * const deferred[] = {
    "purchases_time", "purchases_product", "purchases_channel",
    "contacts_created", "contacts_channel", "contacts_name_order",
  };

  for (guint i = 0; i < G_N_ELEMENTS (deferred); i++)
    {
      g_autofree char *line = g_strdup_printf ("index %s: CREATE INDEX", deferred[i]);

      g_assert_nonnull (strstr (before, line));
    }
  generate (f->db, 300, 7);
  after = schema_objects (f->db);
  g_assert_cmpstr (after, ==, before);
}

static void
test_shape (Fixture       *f,
            gconstpointer  data)
{
  CtDb *db = f->db;
  gint64 contacts, customers, purchases;

  generate (db, 2000, 1);

  contacts = query (db, "SELECT count(*) FROM contacts");
  customers = query (db, "SELECT count(*) FROM contacts WHERE purchase_count > 0");
  purchases = query (db, "SELECT count(*) FROM purchases");

  g_assert_cmpint (contacts, ==, 2000);
  g_assert_cmpint (customers, >=, contacts * 55 / 100);
  g_assert_cmpint (customers, <=, contacts * 78 / 100);
  /* about ten purchases a contact, buyers or not */
  g_assert_cmpint (purchases, >=, contacts * 7);
  g_assert_cmpint (purchases, <=, contacts * 13);

  g_assert_cmpint (query (db, "SELECT count(*) FROM products"), >=, 8);
  g_assert_cmpint (query (db, "SELECT count(*) FROM products"), <=, 15);
  g_assert_cmpint (query (db, "SELECT count(*) FROM products WHERE sku IS NULL OR price <= 0"), ==, 0);
  g_assert_cmpint (query (db, "SELECT count(DISTINCT kind) FROM products"), >=, 5);
  g_assert_cmpint (query (db, "SELECT count(*) FROM products WHERE kind = 'membership'"), >=, 1);
  /* every product sells */
  g_assert_cmpint (query (db, "SELECT count(*) FROM products p WHERE NOT EXISTS"
                              " (SELECT 1 FROM purchases WHERE product_id = p.id)"), ==, 0);

  /* purchases: CNY, demo, unique references, each with a channel, inside
   * the two years and after the buyer signed up */
  g_assert_cmpint (query (db, "SELECT count(*) FROM purchases WHERE currency != 'CNY'"
                              " OR source != 'demo' OR external_ref IS NULL"
                              " OR channel_id IS NULL OR product_id IS NULL OR amount <= 0"), ==, 0);
  g_assert_cmpint (query (db, "SELECT count(DISTINCT external_ref) FROM purchases"), ==, purchases);
  g_assert_cmpint (query (db, "SELECT min(purchased_at) FROM purchases"), >=, NOW - 730 * DAY);
  g_assert_cmpint (query (db, "SELECT max(purchased_at) FROM purchases"), <, NOW);
  g_assert_cmpint (query (db, "SELECT count(*) FROM purchases p JOIN contacts c ON c.id = p.contact_id"
                              " WHERE p.purchased_at < c.created_at"), ==, 0);
  /* purchases over the whole period, not bunched at one end */
  g_assert_cmpint (query (db, "SELECT count(DISTINCT strftime('%Y-%m', purchased_at, 'unixepoch'))"
                              " FROM purchases"), >=, 24);

  /* contacts signed up over the whole period */
  g_assert_cmpint (query (db, "SELECT min(created_at) FROM contacts"), >=, NOW - 730 * DAY);
  g_assert_cmpint (query (db, "SELECT max(created_at) FROM contacts"), <, NOW);
  g_assert_cmpint (query (db, "SELECT count(DISTINCT strftime('%Y-%m', created_at, 'unixepoch'))"
                              " FROM contacts"), >=, 24);

  /* the triggers kept the figures: they agree with the purchases */
  g_assert_cmpint (query (db, "SELECT count(*) FROM contacts c WHERE"
                              " (c.purchase_count, c.total_spent, coalesce(c.last_purchase_at, 0)) IS NOT"
                              " (SELECT count(*), coalesce(sum(amount), 0), coalesce(max(purchased_at), 0)"
                              "  FROM purchases WHERE contact_id = c.id AND refunded = 0)"), ==, 0);
  /* a few refunds, not many */
  g_assert_cmpint (query (db, "SELECT count(*) FROM purchases WHERE refunded"), >, 0);
  g_assert_cmpint (query (db, "SELECT count(*) FROM purchases WHERE refunded"), <, purchases / 50);
}

static void
test_people (Fixture       *f,
             gconstpointer  data)
{
  CtDb *db = f->db;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GRegex) email_re = NULL;
  g_autoptr(GRegex) cn_phone_re = NULL;
  guint n_cjk = 0, n_latin = 0, n_emails = 0, n_phones = 0, n_cn_phones = 0;
  guint n_pinyin = 0;
  int rc;

  generate (db, 2000, 3);

  email_re = g_regex_new ("^[a-z0-9][a-z0-9._]*@[a-z0-9-]+(\\.[a-z0-9-]+)*\\.[a-z]{2,}$", 0, 0, NULL);
  cn_phone_re = g_regex_new ("^(\\+86 )?1[3-9][0-9] [0-9]{4} [0-9]{4}$", 0, 0, NULL);

  stmt = ct_db_prepare (db, "SELECT first_name, last_name, email, phone FROM contacts", NULL);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *first = (const char *) sqlite3_column_text (stmt, 0);
      const char *last = (const char *) sqlite3_column_text (stmt, 1);
      const char *email = (const char *) sqlite3_column_text (stmt, 2);
      const char *phone = (const char *) sqlite3_column_text (stmt, 3);
      gunichar c = g_utf8_get_char (last);

      g_assert_true (g_utf8_validate (first, -1, NULL));
      g_assert_cmpstr (first, !=, "");
      g_assert_cmpstr (last, !=, "");

      if (c >= 0x4e00 && c <= 0x9fff)
        {
          n_cjk++;
          g_assert_cmpuint (g_utf8_get_char (first), >=, 0x4e00);
          if (phone[0] != '\0')
            {
              n_cn_phones++;
              g_assert_true (g_regex_match (cn_phone_re, phone, 0, NULL));
            }
          if (email != NULL && g_ascii_isalpha (email[0]))
            n_pinyin++;
        }
      else
        {
          g_assert_true (g_ascii_isupper (last[0]));
          n_latin++;
        }

      if (email != NULL)
        {
          n_emails++;
          if (!g_regex_match (email_re, email, 0, NULL))
            g_error ("invalid email “%s”", email);
        }
      if (phone[0] != '\0')
        n_phones++;
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);

  /* about 70% Chinese and 30% English names */
  g_assert_cmpuint (n_cjk, >=, 2000 * 60 / 100);
  g_assert_cmpuint (n_cjk, <=, 2000 * 80 / 100);
  g_assert_cmpuint (n_latin, >=, 2000 * 20 / 100);
  g_assert_cmpuint (n_pinyin, >, n_cjk / 3);
  g_assert_cmpuint (n_cn_phones, >, n_cjk / 2);
  /* nearly everyone has an email, many have phones */
  g_assert_cmpuint (n_emails, >=, 2000 * 95 / 100);
  g_assert_cmpuint (n_phones, >=, 2000 / 2);

  /* unique, the way the database compares them */
  g_assert_cmpint (query (db, "SELECT count(DISTINCT lower(email)) FROM contacts"), ==,
                   query (db, "SELECT count(email) FROM contacts"));

  /* a mix of mail providers */
  g_assert_cmpint (query (db, "SELECT count(*) FROM contacts WHERE email LIKE '%@qq.com'"), >, 100);
  g_assert_cmpint (query (db, "SELECT count(*) FROM contacts WHERE email LIKE '%@163.com'"), >, 50);
  g_assert_cmpint (query (db, "SELECT count(*) FROM contacts WHERE email LIKE '%@gmail.com'"), >, 50);
  g_assert_cmpint (query (db, "SELECT count(*) FROM contacts WHERE company != ''"), >, 50);

  /* a few left the list; bounced and complained ones all have an email */
  g_assert_cmpint (query (db, "SELECT count(*) FROM contacts WHERE status = 'unsubscribed'"), >, 10);
  g_assert_cmpint (query (db, "SELECT count(*) FROM contacts WHERE status = 'unsubscribed'"), <, 200);
  g_assert_cmpint (query (db, "SELECT count(*) FROM contacts WHERE status = 'bounced'"), >, 5);
  g_assert_cmpint (query (db, "SELECT count(*) FROM contacts WHERE status = 'bounced'"), <, 100);
  g_assert_cmpint (query (db, "SELECT count(*) FROM contacts WHERE status = 'complained'"), >=, 1);
  g_assert_cmpint (query (db, "SELECT count(*) FROM contacts WHERE status = 'complained'"), <=, 2);
  g_assert_cmpint (query (db, "SELECT count(*) FROM contacts WHERE status != 'subscribed'"
                              " AND email IS NULL"), ==, 0);

  /* tags in use, the search text includes them */
  g_assert_cmpint (query (db, "SELECT count(*) FROM tags WHERE name IN"
                              " ('VIP', '早鸟', '学员', 'webinar', '社群活跃')"), ==, 5);
  g_assert_cmpint (query (db, "SELECT count(*) FROM tags t WHERE NOT EXISTS"
                              " (SELECT 1 FROM contact_tags WHERE tag_id = t.id)"), ==, 0);
  g_assert_cmpint (query (db, "SELECT count(*) FROM contact_tags x JOIN tags t ON t.id = x.tag_id"
                              " WHERE t.name = 'VIP'"), >, 20);
  g_assert_cmpint (query (db, "SELECT count(*) FROM contacts c JOIN contact_tags x ON x.contact_id = c.id"
                              " JOIN tags t ON t.id = x.tag_id WHERE t.name = '学员'"
                              " AND instr(c.search_text, '学员') = 0"), ==, 0);
  g_assert_cmpint (query (db, "SELECT count(*) FROM contacts WHERE NOT json_valid(attributes)"), ==, 0);
  g_assert_cmpint (query (db, "SELECT count(*) FROM contacts WHERE json_extract(attributes, '$.city') IS NOT NULL"), >, 500);
}

static void
test_channels (Fixture       *f,
               gconstpointer  data)
{
  static const char * const names[] = {
    "WeChat", "Xiaohongshu", "Douyin", "Bilibili", "Zhihu", "Newsletter", "Referral",
  };
  CtDb *db = f->db;
  g_autoptr(sqlite3_stmt) stmt = NULL;

  generate (db, 500, 5);

  g_assert_cmpint (query (db, "SELECT count(*) FROM channels"), ==, G_N_ELEMENTS (names));
  stmt = ct_db_prepare (db, "SELECT count(*), count(DISTINCT month), min(month), max(month),"
                            " min(amount), sum(currency != 'CNY')"
                            " FROM channel_spend s JOIN channels c ON c.id = s.channel_id"
                            " WHERE c.name = ?", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      sqlite3_bind_text (stmt, 1, names[i], -1, SQLITE_STATIC);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      /* the history is 2023-01-02 to 2024-12-31: each of its 24 months */
      g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 24);
      g_assert_cmpint (sqlite3_column_int (stmt, 1), ==, 24);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 2), ==, "2023-01");
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 3), ==, "2024-12");
      g_assert_cmpint (sqlite3_column_int64 (stmt, 4), >, 0);
      g_assert_cmpint (sqlite3_column_int (stmt, 5), ==, 0);
      sqlite3_reset (stmt);
    }

  /* contacts and purchases come from all of them */
  g_assert_cmpint (query (db, "SELECT count(DISTINCT channel_id) FROM contacts"), ==, G_N_ELEMENTS (names));
  g_assert_cmpint (query (db, "SELECT count(DISTINCT channel_id) FROM purchases"), ==, G_N_ELEMENTS (names));
  /* some spend more than others */
  g_assert_cmpint (query (db, "SELECT max(t) > 5 * min(t) FROM"
                              " (SELECT sum(amount) AS t FROM channel_spend GROUP BY channel_id)"), ==, 1);
}

static void
test_heterogeneous (Fixture       *f,
                    gconstpointer  data)
{
  CtDb *db = f->db;
  gint64 customers, stopped, frequent, once;
  double spread;

  generate (db, 3000, 11);

  customers = query (db, "SELECT count(*) FROM contacts WHERE purchase_count > 0");

  /* bought again and again, then nothing for the last six months */
  stopped = query (db, "SELECT count(*) FROM contacts WHERE purchase_count >= 3"
                       " AND last_purchase_at < 1735689600 - 183 * 86400");
  /* buy often and still do */
  frequent = query (db, "SELECT count(*) FROM contacts WHERE purchase_count >= 30"
                        " AND last_purchase_at >= 1735689600 - 30 * 86400");
  once = query (db, "SELECT count(*) FROM contacts WHERE purchase_count = 1");

  g_test_message ("%" G_GINT64_FORMAT " customers: %" G_GINT64_FORMAT " stopped, %"
                  G_GINT64_FORMAT " frequent, %" G_GINT64_FORMAT " bought once",
                  customers, stopped, frequent, once);
  g_assert_cmpint (stopped, >=, customers / 20);
  g_assert_cmpint (frequent, >=, customers / 50);
  g_assert_cmpint (once, >=, customers / 20);

  /* rates differ a lot between customers: the top decile of purchase counts
   * is far above the median */
  spread = query_double (db,
                         "WITH r AS (SELECT purchase_count AS n, ntile(10) OVER (ORDER BY purchase_count) AS d"
                         "           FROM contacts WHERE purchase_count > 0)"
                         " SELECT (SELECT min(n) FROM r WHERE d = 10) * 1.0"
                         "      / (SELECT max(n) FROM r WHERE d = 5)");
  g_assert_cmpfloat (spread, >=, 3.0);
}

static void
test_refuses_non_empty (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  CtDemoOptions options = { 50, 1, NOW };

  generate (f->db, 50, 9);
  before = content_checksum (f->db);

  g_assert_false (ct_demo_generate (f->db, &options, NULL, NULL, NULL, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "demo.db"));
  g_clear_error (&error);

  after = content_checksum (f->db);
  g_assert_cmpstr (before, ==, after);
}

static void
test_refuses_one_product (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CtDemoOptions options = { 50, 1, NOW };

  g_assert_true (ct_db_exec (f->db, "INSERT INTO products (name) VALUES ('我的课程')", &error));
  g_assert_false (ct_demo_generate (f->db, &options, NULL, NULL, NULL, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_assert_cmpint (query (f->db, "SELECT count(*) FROM contacts"), ==, 0);
  g_assert_cmpint (query (f->db, "SELECT count(*) FROM products"), ==, 1);
}

static void
test_keeps_existing_channel (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  /* a user who only set up a channel and its spend still gets demo data,
   * and keeps what they entered */
  g_assert_true (ct_db_exec (f->db,
                             "INSERT INTO channels (id, name) VALUES (77, 'wechat');"
                             "INSERT INTO channel_spend VALUES (77, '2024-05', 123, 'CNY');",
                             &error));
  generate (f->db, 100, 2);
  g_assert_cmpint (query (f->db, "SELECT count(*) FROM channels"), ==, 7);
  g_assert_cmpint (query (f->db, "SELECT amount FROM channel_spend WHERE channel_id = 77"
                                 " AND month = '2024-05'"), ==, 123);
  g_assert_cmpint (query (f->db, "SELECT count(*) FROM contacts WHERE channel_id = 77"), >, 0);
}

typedef struct
{
  GCancellable *cancellable;
  double        cancel_at;
  guint         calls;
  double        last;
  gboolean      monotonic;
} Progress;

static void
on_progress (double   fraction,
             gpointer user_data)
{
  Progress *p = user_data;

  p->calls++;
  if (fraction < p->last || fraction > 1.0)
    p->monotonic = FALSE;
  p->last = fraction;
  if (p->cancellable != NULL && fraction >= p->cancel_at)
    g_cancellable_cancel (p->cancellable);
}

static void
test_progress (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  Progress p = { NULL, 0, 0, 0.0, TRUE };
  CtDemoOptions options = { 1000, 4, NOW };

  g_assert_true (ct_demo_generate (f->db, &options, on_progress, &p, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (p.monotonic);
  g_assert_cmpfloat (p.last, ==, 1.0);
  g_assert_cmpuint (p.calls, >=, 90);
  g_assert_cmpuint (p.calls, <=, 110);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Progress p = { cancellable, 0.3, 0, 0.0, TRUE };
  CtDemoOptions options = { 1000, 4, NOW };
  g_autofree char *before = schema_objects (f->db);
  g_autofree char *after = NULL;

  g_assert_false (ct_demo_generate (f->db, &options, on_progress, &p, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpfloat (p.last, <, 0.5);

  g_assert_cmpint (query (f->db, "SELECT count(*) FROM contacts"), ==, 0);
  g_assert_cmpint (query (f->db, "SELECT count(*) FROM purchases"), ==, 0);
  g_assert_cmpint (query (f->db, "SELECT count(*) FROM products"), ==, 0);
  g_assert_cmpint (query (f->db, "SELECT count(*) FROM channels"), ==, 0);
  g_assert_cmpint (query (f->db, "SELECT count(*) FROM tags"), ==, 0);
  g_assert_cmpint (query (f->db, "SELECT count(*) FROM settings"), ==, 0);
  g_assert_true (ct_db_is_empty (f->db));
  g_assert_true (sqlite3_get_autocommit (ct_db_get_handle (f->db)));
  after = schema_objects (f->db);
  g_assert_cmpstr (after, ==, before);

  /* the connection is usable afterwards, and the settings were restored */
  g_assert_cmpint (query (f->db, "PRAGMA temp_store"), ==, 0);
  generate (f->db, 100, 4);
  g_assert_cmpint (query (f->db, "SELECT count(*) FROM contacts"), ==, 100);
}

static void
test_too_many (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CtDemoOptions options = { CT_DEMO_MAX_CONTACTS + 1, 4, NOW };

  g_assert_false (ct_demo_generate (f->db, &options, NULL, NULL, NULL, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_assert_true (ct_db_is_empty (f->db));
}

static void
test_default_now (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CtDemoOptions options = { 0, 4, 0 };
  gint64 today = g_get_real_time () / G_USEC_PER_SEC / DAY * DAY;

  g_assert_true (ct_demo_generate (f->db, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query (f->db, "SELECT count(*) FROM contacts"), ==, CT_DEMO_DEFAULT_CONTACTS);
  /* history ends at the start of today, UTC (or yesterday's, at midnight) */
  g_assert_cmpint (query (f->db, "SELECT max(purchased_at) FROM purchases"), <, today + DAY);
  g_assert_cmpint (query (f->db, "SELECT max(purchased_at) FROM purchases"), >=, today - 3 * DAY);
}

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
  guint         progress_calls;
  double        last;
  GThread      *thread;
  gboolean      on_caller_thread;
  gboolean      destroyed;
} AsyncState;

static void
on_async_progress (double   fraction,
                   gpointer user_data)
{
  AsyncState *s = user_data;

  s->progress_calls++;
  s->last = fraction;
  if (g_thread_self () != s->thread)
    s->on_caller_thread = FALSE;
}

static void
on_progress_destroy (gpointer user_data)
{
  AsyncState *s = user_data;

  s->destroyed = TRUE;
}

static void
on_generated (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  AsyncState *s = user_data;

  s->result = g_object_ref (result);
  g_main_loop_quit (s->loop);
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "async.db", NULL);
  g_autoptr(CtDb) db = NULL;
  AsyncState s = { 0 };
  CtDemoOptions options = { 400, 8, NOW };

  s.loop = g_main_loop_new (NULL, FALSE);
  s.thread = g_thread_self ();
  s.on_caller_thread = TRUE;

  /* the file does not exist yet: the worker creates it */
  ct_demo_generate_async_full (path, &options, on_async_progress, &s, on_progress_destroy,
                               NULL, on_generated, &s);
  g_main_loop_run (s.loop);

  g_assert_true (ct_demo_generate_finish (s.result, &error));
  g_assert_no_error (error);
  g_clear_object (&s.result);
  g_assert_true (s.on_caller_thread);
  g_assert_cmpuint (s.progress_calls, >=, 90);
  g_assert_cmpfloat (s.last, ==, 1.0);

  db = ct_db_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (query (db, "SELECT count(*) FROM contacts"), ==, 400);

  /* a second run is refused, through the same path */
  ct_demo_generate_async (path, &options, NULL, on_generated, &s);
  g_main_loop_run (s.loop);
  g_assert_false (ct_demo_generate_finish (s.result, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_clear_object (&s.result);

  g_main_loop_unref (s.loop);
  g_assert_true (s.destroyed);
}

static void
test_async_not_database (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "notes.txt", NULL);
  g_autofree char *contents = NULL;
  AsyncState s = { 0 };
  CtDemoOptions options = { 10, 8, NOW };

  g_assert_true (g_file_set_contents (path, "not a database, just notes\n", -1, &error));
  s.loop = g_main_loop_new (NULL, FALSE);

  ct_demo_generate_async (path, &options, NULL, on_generated, &s);
  g_main_loop_run (s.loop);
  g_assert_false (ct_demo_generate_finish (s.result, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_DATABASE);
  g_clear_object (&s.result);
  g_main_loop_unref (s.loop);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "not a database, just notes\n");
}

static void
count_changed (CtDb       *db,
               const char *table,
               gpointer    user_data)
{
  GHashTable *seen = user_data;

  g_hash_table_add (seen, g_strdup (table));
}

static void
test_changed_signal (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  CtDemoOptions options = { 50, 1, NOW };

  g_signal_connect (f->db, "changed", G_CALLBACK (count_changed), seen);

  /* a refusal changes nothing, so says nothing */
  g_assert_true (ct_db_exec (f->db, "INSERT INTO products (name) VALUES ('x')", &error));
  g_assert_false (ct_demo_generate (f->db, &options, NULL, NULL, NULL, &error));
  g_clear_error (&error);
  g_assert_cmpuint (g_hash_table_size (seen), ==, 0);

  g_assert_true (ct_db_exec (f->db, "DELETE FROM products", &error));
  generate (f->db, 50, 1);
  g_assert_true (g_hash_table_contains (seen, "contacts"));
  g_assert_true (g_hash_table_contains (seen, "purchases"));
  g_assert_true (g_hash_table_contains (seen, "products"));
  g_assert_true (g_hash_table_contains (seen, "channels"));
  g_assert_true (g_hash_table_contains (seen, "tags"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/demo/deterministic", test_deterministic);
  ADD ("/demo/schema-kept", test_schema_kept);
  ADD ("/demo/shape", test_shape);
  ADD ("/demo/people", test_people);
  ADD ("/demo/channels", test_channels);
  ADD ("/demo/heterogeneous", test_heterogeneous);
  ADD ("/demo/refuses-non-empty", test_refuses_non_empty);
  ADD ("/demo/refuses-one-product", test_refuses_one_product);
  ADD ("/demo/keeps-existing-channel", test_keeps_existing_channel);
  ADD ("/demo/progress", test_progress);
  ADD ("/demo/cancel", test_cancel);
  ADD ("/demo/too-many", test_too_many);
  ADD ("/demo/default-now", test_default_now);
  ADD ("/demo/async", test_async);
  ADD ("/demo/async-not-database", test_async_not_database);
  ADD ("/demo/changed-signal", test_changed_signal);

  return g_test_run ();
}
