/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-segment.c: tests for ct-segment: every field and op on a small
 * database worked out by hand, the messages for bad rules, hostile
 * values, saved and ready-made segments, and a property test comparing
 * the SQL with a plain evaluator in C on random rules and contacts; the
 * same counted in parts and over ranges of contact ids */
#include "config.h"

#include <math.h>
#include <string.h>

#include "ct-points.h"
#include "ct-segment.h"
#include "ct-segment-private.h"
#include "ct-test-db.h"
#include "ct-tier.h"

#define DAY 86400
/* 2024-06-01T00:00:00Z */
#define NOW G_GINT64_CONSTANT (1717200000)

typedef CtTestDb Fixture;

static void
exec (Fixture    *f,
      const char *sql)
{
  ct_test_db_exec (f, sql);
}

static gint64
insert (Fixture    *f,
        const char *sql,
        ...)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *error = NULL;
  va_list args;
  int n;

  stmt = ct_db_prepare (f->db, sql, &error);
  g_assert_no_error (error);
  n = sqlite3_bind_parameter_count (stmt);
  va_start (args, sql);
  for (int i = 1; i <= n; i++)
    {
      /* 's' text (NULL for SQL NULL), 'i' gint64, 'n' NULL, 'd' double */
      int type = va_arg (args, int);

      if (type == 's')
        {
          const char *s = va_arg (args, const char *);
          if (s != NULL)
            sqlite3_bind_text (stmt, i, s, -1, SQLITE_TRANSIENT);
          else
            sqlite3_bind_null (stmt, i);
        }
      else if (type == 'i')
        sqlite3_bind_int64 (stmt, i, va_arg (args, gint64));
      else if (type == 'd')
        sqlite3_bind_double (stmt, i, va_arg (args, double));
      else if (type == 'N')   /* NULL instead of the gint64 that follows */
        {
          (void) va_arg (args, gint64);
          sqlite3_bind_null (stmt, i);
        }
      else if (type == 'D')   /* NULL instead of the double that follows */
        {
          (void) va_arg (args, double);
          sqlite3_bind_null (stmt, i);
        }
      else
        sqlite3_bind_null (stmt, i);
    }
  va_end (args);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  return sqlite3_last_insert_rowid (ct_db_get_handle (f->db));
}

/* Loyalty, by its own API: four tiers whose thresholds split the
 * contacts above (spend in the 12 months up to NOW), the top one
 * renamed by the seller; ct_tier_save_all() places everyone. 陈静 has
 * no purchase, so no points, and her row is then dropped: a contact the
 * app has not placed yet (a new one, before the next refresh), who
 * counts in the lowest tier with 0 points.
 *
 *   1 Ann   150.50 spent: Silver (level 1)
 *   2 Bob   10.00 (the refund does not count): Member (level 0)
 *   3 陈静   not placed: Member
 *   4 Dan   1000.00: Black Card (level 3)
 *
 * Points come from the purchases, by the purchases_points_ins trigger
 * (1 point per yuan, whole points; a refund takes them back). */
static void
place_in_tiers (Fixture *f)
{
  CtTier tiers[] = {
    { "Member", "member", 0, 0, 0.0, 100, "" },
    { "Silver", "silver", 10000, 0, 5.0, 100, "" },
    { "Gold", "gold", 50000, 0, 10.0, 100, "" },
    { "Black Card", NULL, 90000, 0, 15.0, 100, "" },
  };
  GError *error = NULL;

  g_assert_true (ct_tier_save_all (f->db, tiers, G_N_ELEMENTS (tiers), NOW, &error));
  g_assert_no_error (error);
  exec (f, "DELETE FROM contact_loyalty WHERE contact_id = 3;");
}

/* The hand-made business:
 *
 *   1 Ann Lee      ann@example.com, WeChat, subscribed, added 10 days ago,
 *                  tags VIP 学员, bought CRS-A 100.00 5 days ago and CRS-B
 *                  50.50 200 days ago; champions, active, clv 300.00,
 *                  p_alive 0.9, cluster 1
 *   2 Bob Smith    bob@example.org, Douyin, unsubscribed, added 400 days
 *                  ago, tag VIP, CRS-A 20.00 refunded and Ebook One (no
 *                  SKU) 10.00 100 days ago; at_risk, at_risk, no clv,
 *                  p_alive 0.2, cluster 2
 *   3 陈静          no email, no channel, bounced, added 40 days ago, no
 *                  tag, no purchase; potential, nothing else
 *   4 Dan O'Brien  an email trying SQL injection, first name "Dan%_",
 *                  WeChat, complained, added a day ago, tag a%b, CRS-B
 *                  1000.00 a day ago; no analysis row
 *
 * plus a purchase of CRS-A by an erased contact (no contact). */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  ct_test_db_set_up (f, "clientele-test-segment-XXXXXX");

  exec (f, "INSERT INTO channels (id, name) VALUES (1, 'WeChat'), (2, 'Douyin');"
           "INSERT INTO tags (id, name) VALUES (1, 'VIP'), (2, '学员'), (3, 'a%b');"
           "INSERT INTO products (id, sku, name, kind) VALUES"
           "  (1, 'CRS-A', 'Course A', 'course'), (2, 'CRS-B', 'Course B', 'course'),"
           "  (3, NULL, 'Ebook One', 'ebook');");
  insert (f, "INSERT INTO contacts (id, email, first_name, last_name, phone, channel_id, status, created_at)"
             " VALUES (1, ?, 'Ann', 'Lee', '+86 138 0000 0001', 1, 'subscribed', ?)",
          's', "ann@example.com", 'i', NOW - 10 * DAY);
  insert (f, "INSERT INTO contacts (id, email, first_name, last_name, phone, channel_id, status, created_at)"
             " VALUES (2, ?, 'Bob', 'Smith', '', 2, 'unsubscribed', ?)",
          's', "bob@example.org", 'i', NOW - 400 * DAY);
  insert (f, "INSERT INTO contacts (id, email, first_name, last_name, phone, channel_id, status, created_at)"
             " VALUES (3, NULL, '静', '陈', '13900000000', NULL, 'bounced', ?)",
          'i', NOW - 40 * DAY);
  insert (f, "INSERT INTO contacts (id, email, first_name, last_name, phone, channel_id, status, created_at)"
             " VALUES (4, ?, 'Dan%_', 'O''Brien', '', 1, 'complained', ?)",
          's', "dan'; DROP TABLE contacts;--@x.com", 'i', NOW - 1 * DAY);
  exec (f, "INSERT INTO contact_tags VALUES (1, 1), (1, 2), (2, 1), (4, 3);");

#define PURCHASE "INSERT INTO purchases (contact_id, product_id, amount, currency, purchased_at, refunded) VALUES (?, ?, ?, 'CNY', ?, ?)"
  insert (f, PURCHASE, 'i', (gint64) 1, 'i', (gint64) 1, 'i', (gint64) 10000, 'i', NOW - 5 * DAY, 'i', (gint64) 0);
  insert (f, PURCHASE, 'i', (gint64) 1, 'i', (gint64) 2, 'i', (gint64) 5050, 'i', NOW - 200 * DAY, 'i', (gint64) 0);
  insert (f, PURCHASE, 'i', (gint64) 2, 'i', (gint64) 1, 'i', (gint64) 2000, 'i', NOW - 100 * DAY, 'i', (gint64) 1);
  insert (f, PURCHASE, 'i', (gint64) 2, 'i', (gint64) 3, 'i', (gint64) 1000, 'i', NOW - 100 * DAY, 'i', (gint64) 0);
  insert (f, PURCHASE, 'i', (gint64) 4, 'i', (gint64) 2, 'i', (gint64) 100000, 'i', NOW - 1 * DAY, 'i', (gint64) 0);
  insert (f, PURCHASE, 'n', 'i', (gint64) 1, 'i', (gint64) 3000, 'i', NOW - 3 * DAY, 'i', (gint64) 0);

#define METRICS "INSERT INTO contact_metrics (contact_id, as_of, currency, rfm_segment, lifecycle, clv_predictive, p_alive, cluster) VALUES (?, ?, 'CNY', ?, ?, ?, ?, ?)"
  insert (f, METRICS, 'i', (gint64) 1, 'i', NOW, 's', "champions", 's', "active", 'i', (gint64) 30000, 'd', 0.9, 'i', (gint64) 0);
  insert (f, METRICS, 'i', (gint64) 2, 'i', NOW, 's', "at_risk", 's', "at_risk", 'n', 'd', 0.2, 'i', (gint64) 1);
  insert (f, METRICS, 'i', (gint64) 3, 'i', NOW, 's', NULL, 's', "potential", 'n', 'n', 'n');

  place_in_tiers (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  ct_test_db_tear_down (f);
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* "1 4": the members' ids in ascending order, checked against the count. */
static char *
members (Fixture    *f,
         const char *json)
{
  g_autoptr(CtSegmentRule) rule = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  GString *out = g_string_new (NULL);
  gint64 count = -1;

  rule = ct_segment_rule_parse (json, &error);
  g_assert_no_error (error);
  ids = ct_segment_members (f->db, rule, NOW, &error);
  g_assert_no_error (error);
  g_assert_true (ct_segment_count (f->db, rule, NOW, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count, ==, ids->len);

  g_array_sort (ids, compare_ids);
  for (guint i = 0; i < ids->len; i++)
    g_string_append_printf (out, "%s%lld", i > 0 ? " " : "", (long long) g_array_index (ids, gint64, i));
  return g_string_free (out, FALSE);
}

/* How many members of @rule have an id from @lo to @hi, by a query
 * compiled for that range. */
static gint64
count_range (Fixture             *f,
             const CtSegmentRule *rule,
             gint64               lo,
             gint64               hi)
{
  g_autoptr(CtSegmentQuery) query = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;

  query = ct_segment_compile_range (f->db, rule, NOW, lo, hi, &error);
  g_assert_no_error (error);
  stmt = ct_segment_query_prepare (query, f->db, "SELECT count(*) FROM contacts c", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

static char *
one (const char *field,
     const char *op,
     const char *value)
{
  if (value == NULL)
    return g_strdup_printf ("{\"match\": \"all\", \"conditions\": [{\"field\": \"%s\", \"op\": \"%s\"}]}",
                            field, op);
  return g_strdup_printf ("{\"match\": \"all\", \"conditions\": [{\"field\": \"%s\", \"op\": \"%s\", \"value\": %s}]}",
                          field, op, value);
}

typedef struct
{
  const char *field;
  const char *op;
  const char *value;     /* JSON; NULL for none */
  const char *expected;  /* member ids */
} Case;

static const Case cases[] = {
  { "email", "=", "\"ANN@example.com\"", "1" },
  /* Tiers by name as shown, in any case, or by level; 陈静, not placed
   * yet, is in the lowest tier. */
  { "tier", "=", "\"silver\"", "1" },
  { "tier", "=", "\"MEMBER\"", "2 3" },
  { "tier", "=", "\"black card\"", "4" },
  { "tier", "=", "3", "4" },
  { "tier", "=", "\"Gold\"", "" },
  { "tier", "!=", "\"Member\"", "1 4" },
  { "tier", "!=", "0", "1 4" },
  { "tier", "in", "[\"Silver\", 3]", "1 4" },
  { "tier", "in", "[\"Gold\", \"member\"]", "2 3" },
  { "tier", "not_in", "[\"Silver\", \"Gold\"]", "2 3 4" },
  { "tier", "not_in", "[0]", "1 4" },
  /* Points: Ann 150, Bob 10, 陈静 none (0), Dan 1000. */
  { "points", "=", "0", "3" },
  { "points", "!=", "0", "1 2 4" },
  { "points", "<", "10", "3" },
  { "points", "<=", "10", "2 3" },
  { "points", ">", "150", "4" },
  { "points", ">=", "150", "1 4" },
  { "points", ">", "-1", "1 2 3 4" },
  { "points", "in", "[0, 1000]", "3 4" },
  { "points", "not_in", "[0, 1000]", "1 2" },
  { "email", "!=", "\"ann@example.com\"", "2 3 4" },
  { "email", "contains", "\"EXAMPLE\"", "1 2" },
  { "email", "contains", "\"'\"", "4" },
  { "email", "contains", "\"%\"", "" },
  { "email", "starts_with", "\"bob\"", "2" },
  { "email", "in", "[\"bob@example.org\", \"nobody@x\", \"ANN@EXAMPLE.COM\"]", "1 2" },
  { "email", "not_in", "[\"bob@example.org\"]", "1 3 4" },
  { "email", "in", "[]", "" },
  { "email", "not_in", "[]", "1 2 3 4" },
  { "email", "is_set", NULL, "1 2 4" },
  { "email", "is_not_set", NULL, "3" },
  { "first_name", "=", "\"ann\"", "1" },
  { "first_name", "contains", "\"%_\"", "4" },
  { "first_name", "contains", "\"_\"", "4" },
  { "first_name", "starts_with", "\"静\"", "3" },
  { "first_name", "!=", "\"静\"", "1 2 4" },
  { "first_name", "is_set", NULL, "1 2 3 4" },
  { "first_name", "in", "[\"ANN\", \"bob\"]", "1 2" },
  { "first_name", "not_in", "[\"Ann\"]", "2 3 4" },
  { "first_name", "is_not_set", NULL, "" },
  { "last_name", "!=", "\"Lee\"", "2 3 4" },
  { "last_name", "contains", "\"MIT\"", "2" },
  { "last_name", "not_in", "[\"lee\", \"陈\"]", "2 4" },
  { "last_name", "is_set", NULL, "1 2 3 4" },
  { "phone", "!=", "\"\"", "1 3" },
  { "phone", "in", "[\"13900000000\"]", "3" },
  { "phone", "not_in", "[\"13900000000\"]", "1 2 4" },
  { "first_purchase_at", "after", "\"2024-05-30\"", "4" },
  { "first_purchase_at", "not_within_days", "150", "1 3" },
  { "first_purchase_at", "is_set", NULL, "1 2 4" },
  { "lifecycle", "!=", "\"potential\"", "1 2 4" },
  { "lifecycle", "not_in", "[\"active\"]", "2 3 4" },
  { "lifecycle", "is_set", NULL, "1 2 3" },
  { "last_name", "=", "\"o'brien\"", "4" },
  { "last_name", "starts_with", "\"陈\"", "3" },
  { "last_name", "in", "[\"Lee\", \"Smith\"]", "1 2" },
  { "last_name", "is_not_set", NULL, "" },
  { "phone", "is_set", NULL, "1 3" },
  { "phone", "is_not_set", NULL, "2 4" },
  { "phone", "starts_with", "\"139\"", "3" },
  { "phone", "contains", "\"0000\"", "1 3" },
  { "phone", "=", "\"\"", "2 4" },
  { "channel", "=", "\"wechat\"", "1 4" },
  { "channel", "!=", "\"WeChat\"", "2 3" },
  { "channel", "contains", "\"CHAT\"", "1 4" },
  { "channel", "starts_with", "\"dou\"", "2" },
  { "channel", "in", "[\"Douyin\", \"Nope\"]", "2" },
  { "channel", "not_in", "[\"Douyin\"]", "1 3 4" },
  { "channel", "is_set", NULL, "1 2 4" },
  { "channel", "is_not_set", NULL, "3" },
  { "status", "=", "\"bounced\"", "3" },
  { "status", "!=", "\"subscribed\"", "2 3 4" },
  { "status", "in", "[\"subscribed\", \"complained\"]", "1 4" },
  { "status", "not_in", "[\"subscribed\", \"complained\"]", "2 3" },
  { "status", "is_set", NULL, "1 2 3 4" },
  { "status", "is_not_set", NULL, "" },
  { "created_at", "within_days", "30", "1 4" },
  { "created_at", "not_within_days", "30", "2 3" },
  { "created_at", "within_days", "0", "" },
  { "created_at", "before", "\"2024-05-01\"", "2 3" },
  { "created_at", "after", "\"2024-05-22\"", "4" },
  { "created_at", "after", "\"2024-05-21T23:00:00Z\"", "1 4" },
  { "created_at", "after", "\"2024-05-22T08:00:00+08:00\"", "4" },
  { "created_at", "before", "\"2024-05-22T00:00:01\"", "1 2 3" },
  { "created_at", "is_set", NULL, "1 2 3 4" },
  { "created_at", "is_not_set", NULL, "" },
  { "tag", "has", "\"vip\"", "1 2" },
  { "tag", "has_not", "\"VIP\"", "3 4" },
  { "tag", "has", "\"a%b\"", "4" },
  { "tag", "has", "\"a\"", "" },
  { "tag", "has", "\"学员\"", "1" },
  { "tag", "has_not", "\"no such tag\"", "1 2 3 4" },
  { "total_spent", ">", "100", "1 4" },
  { "total_spent", "=", "150.5", "1" },
  { "total_spent", "!=", "0", "1 2 4" },
  { "total_spent", ">=", "10", "1 2 4" },
  { "total_spent", "<", "10", "3" },
  { "total_spent", "<=", "10.00", "2 3" },
  { "total_spent", ">", "-10000000000000", "1 2 3 4" },
  { "purchases", "=", "1", "2 4" },
  { "purchases", "!=", "1", "1 3" },
  { "purchases", ">", "1", "1" },
  { "purchases", ">=", "1", "1 2 4" },
  { "purchases", "<", "1", "3" },
  { "purchases", "<=", "1", "2 3 4" },
  { "purchases", "in", "[0, 2]", "1 3" },
  { "purchases", "not_in", "[1]", "1 3" },
  { "purchases", "<", "9223372036854775807", "1 2 3 4" },
  { "purchases", "=", "2.0", "1" },
  { "first_purchase_at", "before", "\"2024-01-01\"", "1" },
  { "first_purchase_at", "within_days", "150", "2 4" },
  { "first_purchase_at", "is_not_set", NULL, "3" },
  { "last_purchase_at", "within_days", "30", "1 4" },
  { "last_purchase_at", "not_within_days", "30", "2 3" },
  { "last_purchase_at", "is_set", NULL, "1 2 4" },
  { "last_purchase_at", "is_not_set", NULL, "3" },
  { "last_purchase_at", "before", "\"2024-03-01\"", "2" },
  { "last_purchase_at", "after", "\"2024-05-30\"", "4" },
  { "bought_product", "has", "\"CRS-A\"", "1" },
  { "bought_product", "has", "\"course a\"", "1" },
  { "bought_product", "has", "\"crs-b\"", "1 4" },
  { "bought_product", "has", "\"Ebook One\"", "2" },
  { "bought_product", "has_not", "\"CRS-A\"", "2 3 4" },
  { "bought_product", "has_not", "\"CRS-B\"", "2 3" },
  { "rfm_segment", "=", "\"champions\"", "1" },
  { "rfm_segment", "!=", "\"champions\"", "2 3 4" },
  { "rfm_segment", "in", "[\"at_risk\", \"lost\"]", "2" },
  { "rfm_segment", "not_in", "[\"at_risk\"]", "1 3 4" },
  { "rfm_segment", "is_set", NULL, "1 2" },
  { "rfm_segment", "is_not_set", NULL, "3 4" },
  { "lifecycle", "=", "\"potential\"", "3" },
  { "lifecycle", "in", "[\"active\", \"at_risk\"]", "1 2" },
  { "lifecycle", "is_not_set", NULL, "4" },
  { "clv", ">", "100", "1" },
  { "clv", "<=", "300", "1" },
  { "clv", "<", "300", "" },
  { "clv", "=", "300", "1" },
  { "clv", "!=", "300", "2 3 4" },
  { "clv", ">=", "0", "1" },
  { "clv", "is_set", NULL, "1" },
  { "clv", "is_not_set", NULL, "2 3 4" },
  { "p_alive", "<", "0.5", "2" },
  { "p_alive", ">=", "0.2", "1 2" },
  { "p_alive", ">", "0.2", "1" },
  { "p_alive", "<=", "0.9", "1 2" },
  { "p_alive", "=", "0.9", "1" },
  { "p_alive", "!=", "0.9", "2 3 4" },
  { "p_alive", "is_set", NULL, "1 2" },
  { "p_alive", "is_not_set", NULL, "3 4" },
  { "cluster", "=", "1", "1" },
  { "cluster", "=", "2", "2" },
  { "cluster", "!=", "1", "2 3 4" },
  { "cluster", ">", "1", "2" },
  { "cluster", ">=", "1", "1 2" },
  { "cluster", "<", "2", "1" },
  { "cluster", "<=", "2", "1 2" },
  { "cluster", "in", "[1, 2]", "1 2" },
  { "cluster", "not_in", "[1]", "2 3 4" },
  { "cluster", "is_set", NULL, "1 2" },
  { "cluster", "is_not_set", NULL, "3 4" },
  /* saved in test_fields_and_ops: "VIPs" = tag has VIP, "Recent" =
   * last_purchase_at within_days 30 */
  { "segment", "=", "\"vips\"", "1 2" },
  { "segment", "!=", "\"VIPs\"", "3 4" },
  /* 3 has never bought: not in Recent, though the date it lacks makes
   * Recent's comparison NULL rather than false. */
  { "segment", "!=", "\"Recent\"", "2 3" },
};

static void
test_fields_and_ops (Fixture       *f,
                     gconstpointer  data)
{
  gboolean covered[CT_SEGMENT_N_OPS] = { 0 };
  const char * const *fields = ct_segment_get_fields ();
  guint missing = 0;
  g_autoptr(CtSegmentRule) vip = ct_segment_rule_parse (
    "{\"match\": \"all\", \"conditions\": [{\"field\": \"tag\", \"op\": \"has\", \"value\": \"VIP\"}]}", NULL);

  g_autoptr(CtSegmentRule) recent = ct_segment_rule_parse (
    "{\"match\": \"all\", \"conditions\": [{\"field\": \"last_purchase_at\", \"op\": \"within_days\", \"value\": 30}]}", NULL);

  g_assert_cmpint (ct_segment_save (f->db, "VIPs", vip, NULL), >, 0);
  g_assert_cmpint (ct_segment_save (f->db, "Recent", recent, NULL), >, 0);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = one (cases[i].field, cases[i].op, cases[i].value);
      g_autofree char *got = members (f, json);
      CtSegmentOp op;

      if (g_strcmp0 (got, cases[i].expected) != 0)
        g_error ("%s: got “%s”, expected “%s”", json, got, cases[i].expected);
      g_assert_true (ct_segment_op_from_string (cases[i].op, &op));
      covered[op] = TRUE;
    }

  /* Every op is tried at least once, and every op each field takes with
   * at least one field of its kind. */
  for (guint op = 0; op < CT_SEGMENT_N_OPS; op++)
    if (!covered[op])
      g_error ("op %s is not tested", ct_segment_op_to_string (op));

  for (guint i = 0; fields[i] != NULL; i++)
    for (guint op = 0; op < CT_SEGMENT_N_OPS; op++)
      {
        gboolean found = FALSE;

        if (!ct_segment_field_has_op (fields[i], op))
          continue;
        for (guint k = 0; k < G_N_ELEMENTS (cases) && !found; k++)
          found = g_str_equal (cases[k].field, fields[i])
                  && g_str_equal (cases[k].op, ct_segment_op_to_string (op));
        if (!found)
          g_test_message ("MISSING %s %s", fields[i], ct_segment_op_to_string (op));
        missing += !found;
      }
  g_assert_cmpuint (missing, ==, 0);
}

static void
test_groups (Fixture       *f,
             gconstpointer  data)
{
  static const struct
  {
    const char *json;
    const char *expected;
  } groups[] = {
    { "{\"match\": \"all\", \"conditions\": []}", "1 2 3 4" },
    { "{\"match\": \"any\", \"conditions\": []}", "" },
    { "{\"match\": \"all\", \"conditions\": [{\"match\": \"any\", \"conditions\": []}]}", "" },
    { "{\"match\": \"any\", \"conditions\": [{\"match\": \"all\", \"conditions\": []}]}", "1 2 3 4" },
    { "{\"match\": \"any\", \"conditions\": ["
      " {\"field\": \"status\", \"op\": \"=\", \"value\": \"bounced\"},"
      " {\"field\": \"tag\", \"op\": \"has\", \"value\": \"a%b\"}]}", "3 4" },
    /* (VIP or WeChat) and not two purchases */
    { "{\"match\": \"all\", \"conditions\": ["
      " {\"match\": \"any\", \"conditions\": ["
      "   {\"field\": \"tag\", \"op\": \"has\", \"value\": \"VIP\"},"
      "   {\"field\": \"channel\", \"op\": \"=\", \"value\": \"WeChat\"}]},"
      " {\"field\": \"purchases\", \"op\": \"!=\", \"value\": 2}]}", "2 4" },
    /* three levels */
    { "{\"match\": \"any\", \"conditions\": ["
      " {\"match\": \"all\", \"conditions\": ["
      "   {\"field\": \"email\", \"op\": \"is_set\"},"
      "   {\"match\": \"any\", \"conditions\": ["
      "     {\"field\": \"clv\", \"op\": \">\", \"value\": 1000},"
      "     {\"field\": \"p_alive\", \"op\": \"<\", \"value\": 0.5}]}]},"
      " {\"field\": \"lifecycle\", \"op\": \"=\", \"value\": \"potential\"}]}", "2 3" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    {
      g_autofree char *got = members (f, groups[i].json);

      if (g_strcmp0 (got, groups[i].expected) != 0)
        g_error ("%s: got “%s”, expected “%s”", groups[i].json, got, groups[i].expected);
    }
}

/* The same, with every count in parts on several connections. On the
 * four contacts (ids 1 to 4), three parts hold ids 1-2, 3-4 and none,
 * four parts one id each: every boundary falls on a member, and the
 * members() helper checks each count against the members. */
static void
test_fields_and_ops_in_parts (Fixture       *f,
                              gconstpointer  data)
{
  guint parts = GPOINTER_TO_UINT (data);

  ct_segment_set_count_parts (parts, 0);
  test_fields_and_ops (f, data);
  test_groups (f, data);
  g_assert_cmpuint (ct_segment_count_get_n_connections (f->db), ==, parts - 1);
  ct_segment_set_count_parts (0, -1);
}

/* Every case compiled for every range of ids around the four contacts
 * counts the members in that range: has_not, not_in and the other
 * negative ops under a range, ranges that start or end on a member,
 * ranges with nobody. */
static void
test_ranges (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(CtSegmentRule) vip = ct_segment_rule_parse (
    "{\"match\": \"all\", \"conditions\": [{\"field\": \"tag\", \"op\": \"has\", \"value\": \"VIP\"}]}", NULL);
  g_autoptr(CtSegmentRule) recent = ct_segment_rule_parse (
    "{\"match\": \"all\", \"conditions\": [{\"field\": \"last_purchase_at\", \"op\": \"within_days\", \"value\": 30}]}", NULL);
  guint n_negative = 0;

  g_assert_cmpint (ct_segment_save (f->db, "VIPs", vip, NULL), >, 0);
  g_assert_cmpint (ct_segment_save (f->db, "Recent", recent, NULL), >, 0);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = one (cases[i].field, cases[i].op, cases[i].value);
      g_autoptr(CtSegmentRule) rule = ct_segment_rule_parse (json, NULL);
      g_autoptr(GArray) ids = ct_segment_members (f->db, rule, NOW, NULL);

      g_assert_nonnull (ids);
      n_negative += g_str_equal (cases[i].op, "has_not") || g_str_equal (cases[i].op, "not_in");
      for (gint64 lo = 0; lo <= 5; lo++)
        for (gint64 hi = lo - 1; hi <= 5; hi++)
          {
            gint64 expected = 0;
            gint64 got = count_range (f, rule, lo, hi);

            for (guint k = 0; k < ids->len; k++)
              expected += g_array_index (ids, gint64, k) >= lo && g_array_index (ids, gint64, k) <= hi;
            if (got != expected)
              g_error ("%s from %lld to %lld: counted %lld, expected %lld", json,
                       (long long) lo, (long long) hi, (long long) got, (long long) expected);
          }
    }
  g_assert_cmpuint (n_negative, >=, 4);
}

/* The range goes into a subquery only on a contact column that cannot be
 * NULL: a NULL in the list of a NOT IN (has_not, not_in, a zero default)
 * makes it false for everyone, and the range would drop it and change
 * the answer. This reads each column it went into from the schema, so
 * that a field added on a column that may be NULL, or a migration that
 * lets one be NULL, fails here. It also checks that the range does go
 * into the lists that are worth it. */
static void
test_range_keys (Fixture       *f,
                 gconstpointer  data)
{
  static const char * const expected[] = {
    "contact_tags.contact_id", "product_buyers.contact_id",
    "contact_metrics.contact_id", "contact_loyalty.contact_id",
  };
  g_autoptr(CtSegmentRule) vip = ct_segment_rule_parse (
    "{\"match\": \"all\", \"conditions\": [{\"field\": \"tag\", \"op\": \"has_not\", \"value\": \"VIP\"}]}", NULL);
  g_autoptr(CtSegmentRule) rule = NULL;
  g_autoptr(CtSegmentQuery) query = NULL;
  g_autoptr(GError) error = NULL;
  const char * const *keys;
  g_autoptr(GString) json = g_string_new ("{\"match\": \"any\", \"conditions\": [");
  const char * const *fields = ct_segment_get_fields ();
  guint n_keys;

  g_assert_cmpint (ct_segment_save (f->db, "Not VIP", vip, NULL), >, 0);
  /* Every field, with a negative op where it has one. */
  for (guint i = 0; fields[i] != NULL; i++)
    {
      static const char * const ops[] = { "has_not", "not_in", "!=", "is_not_set", ">=" };
      static const char * const values[] = { "\"x\"", "[1, 2]", "1", NULL, "0" };
      CtSegmentKind kind;

      ct_segment_field_get_kind (fields[i], &kind);
      for (guint k = 0; k < G_N_ELEMENTS (ops); k++)
        {
          CtSegmentOp op;
          const char *value = values[k];
          g_autofree char *condition = NULL;
          g_autofree char *chosen = NULL;

          ct_segment_op_from_string (ops[k], &op);
          if (!ct_segment_field_has_op (fields[i], op))
            continue;
          if (kind == CT_SEGMENT_KIND_SEGMENT)
            value = "\"Not VIP\"";
          else if (g_str_equal (fields[i], "tier") && g_str_equal (ops[k], "not_in"))
            value = "[0]";
          else if (g_str_equal (fields[i], "tier"))
            value = "0";
          else if (kind == CT_SEGMENT_KIND_CHOICE)
            {
              const char *choice = ct_segment_field_get_choices (fields[i])[0];

              value = chosen = g_str_equal (ops[k], "not_in") ? g_strdup_printf ("[\"%s\"]", choice)
                                                              : g_strdup_printf ("\"%s\"", choice);
            }
          else if ((kind == CT_SEGMENT_KIND_TEXT || kind == CT_SEGMENT_KIND_CHANNEL) && g_str_equal (ops[k], "not_in"))
            value = "[\"x\"]";
          condition = value != NULL
            ? g_strdup_printf ("{\"field\": \"%s\", \"op\": \"%s\", \"value\": %s}", fields[i], ops[k], value)
            : g_strdup_printf ("{\"field\": \"%s\", \"op\": \"%s\"}", fields[i], ops[k]);
          g_string_append_printf (json, "%s%s", json->str[json->len - 1] == '[' ? "" : ", ", condition);
          break;
        }
    }
  g_string_append (json, "]}");
  rule = ct_segment_rule_parse (json->str, &error);
  g_assert_no_error (error);
  query = ct_segment_compile_range (f->db, rule, NOW, 1, 2, &error);
  g_assert_no_error (error);

  keys = ct_segment_query_get_range_keys (query);
  n_keys = g_strv_length ((char **) keys);
  g_assert_cmpuint (n_keys, >, 0);
  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (keys[i], ".", 2);
      g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (f->db, "SELECT \"notnull\", pk, upper(type),"
                                                           " (SELECT count(*) FROM pragma_table_info(?1) WHERE pk > 0)"
                                                           " FROM pragma_table_info(?1) WHERE name = ?2", &error);
      gboolean not_null;

      g_assert_no_error (error);
      g_assert_nonnull (parts[1]);
      sqlite3_bind_text (stmt, 1, parts[0], -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, parts[1], -1, SQLITE_TRANSIENT);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      /* NOT NULL, or the table's INTEGER PRIMARY KEY, its rowid. */
      not_null = sqlite3_column_int (stmt, 0) != 0
                 || (sqlite3_column_int (stmt, 1) == 1 && sqlite3_column_int (stmt, 3) == 1
                     && g_str_equal ((const char *) sqlite3_column_text (stmt, 2), "INTEGER"));
      if (!not_null)
        g_error ("the range is put into a list of %s, which may be NULL", keys[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    if (!g_strv_contains (keys, expected[i]))
      g_error ("the range does not go into the list of %s", expected[i]);

  /* And the query it is in gives the right answer over the range. */
  {
    g_autoptr(GArray) ids = ct_segment_members (f->db, rule, NOW, &error);
    gint64 in_range = 0;

    g_assert_no_error (error);
    for (guint k = 0; k < ids->len; k++)
      in_range += g_array_index (ids, gint64, k) <= 2;
    g_assert_cmpint (count_range (f, rule, 1, 2), ==, in_range);
  }
}

/* In a transaction the count is one query on the caller's connection,
 * which sees what the transaction has not committed yet; outside, the
 * kept connections see each commit of the caller's. */
static void
test_count_in_parts_and_transactions (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(CtSegmentRule) vip = ct_segment_rule_parse (
    "{\"match\": \"all\", \"conditions\": [{\"field\": \"tag\", \"op\": \"has\", \"value\": \"VIP\"}]}", NULL);
  g_autoptr(CtSegmentRule) not_vip = ct_segment_rule_parse (
    "{\"match\": \"all\", \"conditions\": [{\"field\": \"tag\", \"op\": \"has_not\", \"value\": \"VIP\"}]}", NULL);
  g_autoptr(GError) error = NULL;
  gint64 count = -1;

  ct_segment_set_count_parts (4, 0);

  /* A rule on the contacts' own columns reads no list to share out:
   * one query, no extra connection. */
  {
    g_autoptr(CtSegmentRule) own = ct_segment_rule_parse (
      "{\"match\": \"all\", \"conditions\": [{\"field\": \"email\", \"op\": \"contains\", \"value\": \"example\"}]}", NULL);

    g_assert_true (ct_segment_count (f->db, own, NOW, &count, &error));
    g_assert_no_error (error);
    g_assert_cmpint (count, ==, 2);
    g_assert_cmpuint (ct_segment_count_get_n_connections (f->db), ==, 0);
  }

  g_assert_true (ct_db_begin (f->db, &error));
  g_assert_no_error (error);
  exec (f, "INSERT INTO contacts (id, email, status, created_at) VALUES (5, 'eve@example.com', 'subscribed', 0);"
           "INSERT INTO contact_tags VALUES (5, 1);");
  g_assert_true (ct_segment_count (f->db, vip, NOW, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count, ==, 3);
  g_assert_cmpuint (ct_segment_count_get_n_connections (f->db), ==, 0);
  ct_db_rollback (f->db);

  g_assert_true (ct_segment_count (f->db, vip, NOW, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count, ==, 2);
  g_assert_cmpuint (ct_segment_count_get_n_connections (f->db), ==, 3);

  /* Committed by the caller: the kept connections hold no old state. A
   * contact far away leaves the middle parts (ids 251 to 750) empty. */
  exec (f, "INSERT INTO contacts (id, email, status, created_at) VALUES (1000, 'zoe@example.com', 'subscribed', 0);"
           "INSERT INTO contact_tags VALUES (1000, 1);"
           "PRAGMA cache_size = -4096;");
  g_assert_true (ct_segment_count (f->db, vip, NOW, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count, ==, 3);
  g_assert_true (ct_segment_count (f->db, not_vip, NOW, &count, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count, ==, 2);
  g_assert_cmpuint (ct_segment_count_get_n_connections (f->db), ==, 3);

  /* Below the size that pays for parts, one query as before. */
  ct_segment_set_count_parts (4, 2000);
  g_assert_true (ct_segment_count (f->db, vip, NOW, &count, &error));
  g_assert_cmpint (count, ==, 3);
  ct_segment_set_count_parts (0, -1);
}

/* Members come in the Contacts list's order: by family name then given
 * name, people without a name by email. */
static void
test_members_order (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CtSegmentRule) rule = ct_segment_rule_parse ("{\"match\": \"all\", \"conditions\": []}", NULL);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;

  ids = ct_segment_members (f->db, rule, NOW, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 4);
  g_assert_cmpint (g_array_index (ids, gint64, 0), ==, 1);   /* LeeAnn */
  g_assert_cmpint (g_array_index (ids, gint64, 1), ==, 4);   /* O'BrienDan */
  g_assert_cmpint (g_array_index (ids, gint64, 2), ==, 2);   /* SmithBob */
  g_assert_cmpint (g_array_index (ids, gint64, 3), ==, 3);   /* 陈静 */
}

typedef struct
{
  const char *json;
  int         code;
  const char *words;   /* in the message */
} BadRule;

static const BadRule bad_rules[] = {
  { "not json", CT_SEGMENT_ERROR_SYNTAX, "JSON" },
  { "[]", CT_SEGMENT_ERROR_SYNTAX, "a list" },
  { "{\"match\": \"some\", \"conditions\": []}", CT_SEGMENT_ERROR_SYNTAX, "“match”" },
  { "{\"match\": \"all\"}", CT_SEGMENT_ERROR_SYNTAX, "“conditions”" },
  { "{\"match\": \"all\", \"conditions\": {}}", CT_SEGMENT_ERROR_SYNTAX, "“conditions”" },
  { "{\"field\": \"email\", \"op\": \"is_set\"}", CT_SEGMENT_ERROR_SYNTAX, "starts with a group" },
  { "{\"match\": \"all\", \"conditions\": [{\"feild\": \"email\", \"op\": \"is_set\"}]}", CT_SEGMENT_ERROR_SYNTAX, "“feild”" },
  { "{\"match\": \"all\", \"conditions\": [42]}", CT_SEGMENT_ERROR_SYNTAX, "condition 1" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"nope\", \"op\": \"=\", \"value\": 1}]}", CT_SEGMENT_ERROR_UNKNOWN_FIELD, "“nope”" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": 7, \"op\": \"=\", \"value\": 1}]}", CT_SEGMENT_ERROR_SYNTAX, "“field”" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"email\", \"op\": \"~\", \"value\": \"a\"}]}", CT_SEGMENT_ERROR_UNKNOWN_OP, "“~”" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"total_spent\", \"op\": \"contains\", \"value\": \"1\"}]}", CT_SEGMENT_ERROR_OP_MISMATCH, "“contains” does not fit the field “total_spent”" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"tag\", \"op\": \"=\", \"value\": \"VIP\"}]}", CT_SEGMENT_ERROR_OP_MISMATCH, "has has_not" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"created_at\", \"op\": \">\", \"value\": \"2024-01-01\"}]}", CT_SEGMENT_ERROR_OP_MISMATCH, "“created_at”" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"email\", \"op\": \"has\", \"value\": \"a\"}]}", CT_SEGMENT_ERROR_OP_MISMATCH, "“email”" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"email\", \"op\": \"=\", \"value\": 5}]}", CT_SEGMENT_ERROR_BAD_VALUE, "“email” must be text, not a number" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"email\", \"op\": \"=\", \"value\": null}]}", CT_SEGMENT_ERROR_BAD_VALUE, "not null" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"email\", \"op\": \"=\"}]}", CT_SEGMENT_ERROR_BAD_VALUE, "needs a “value”" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"email\", \"op\": \"contains\", \"value\": \"\"}]}", CT_SEGMENT_ERROR_BAD_VALUE, "empty" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"total_spent\", \"op\": \">\", \"value\": \"100\"}]}", CT_SEGMENT_ERROR_BAD_VALUE, "must be a number, not text" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"total_spent\", \"op\": \">\", \"value\": true}]}", CT_SEGMENT_ERROR_BAD_VALUE, "true or false" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"total_spent\", \"op\": \">\", \"value\": 1e300}]}", CT_SEGMENT_ERROR_BAD_VALUE, "too large" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"purchases\", \"op\": \">\", \"value\": 1.5}]}", CT_SEGMENT_ERROR_BAD_VALUE, "whole number, not a fraction" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"purchases\", \"op\": \">\", \"value\": 1e20}]}", CT_SEGMENT_ERROR_BAD_VALUE, "whole number" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"purchases\", \"op\": \"in\", \"value\": 1}]}", CT_SEGMENT_ERROR_BAD_VALUE, "list" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"purchases\", \"op\": \"in\", \"value\": [1, \"2\"]}]}", CT_SEGMENT_ERROR_BAD_VALUE, "whole number, not text" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"status\", \"op\": \"=\", \"value\": \"gold\"}]}", CT_SEGMENT_ERROR_BAD_VALUE, "“gold” is not a value of “status”" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"rfm_segment\", \"op\": \"in\", \"value\": [\"champion\"]}]}", CT_SEGMENT_ERROR_BAD_VALUE, "champions" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"lifecycle\", \"op\": \"=\", \"value\": \"asleep\"}]}", CT_SEGMENT_ERROR_BAD_VALUE, "“asleep”" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"created_at\", \"op\": \"before\", \"value\": \"yesterday\"}]}", CT_SEGMENT_ERROR_BAD_VALUE, "“yesterday” is not a date" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"created_at\", \"op\": \"before\", \"value\": \"2024-02-30\"}]}", CT_SEGMENT_ERROR_BAD_VALUE, "“2024-02-30”" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"created_at\", \"op\": \"after\", \"value\": 20240101}]}", CT_SEGMENT_ERROR_BAD_VALUE, "date" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"created_at\", \"op\": \"within_days\", \"value\": -1}]}", CT_SEGMENT_ERROR_BAD_VALUE, "whole number of days" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"created_at\", \"op\": \"within_days\", \"value\": \"30\"}]}", CT_SEGMENT_ERROR_BAD_VALUE, "days" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"email\", \"op\": \"is_set\", \"value\": true}]}", CT_SEGMENT_ERROR_BAD_VALUE, "takes no value" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"p_alive\", \"op\": \">\", \"value\": 1.5}]}", CT_SEGMENT_ERROR_BAD_VALUE, "0 to 1" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"cluster\", \"op\": \"=\", \"value\": 0}]}", CT_SEGMENT_ERROR_BAD_VALUE, "from 1" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"cluster\", \"op\": \"=\", \"value\": -9223372036854775808}]}", CT_SEGMENT_ERROR_BAD_VALUE, "from 1" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"tag\", \"op\": \"has\", \"value\": [\"VIP\"]}]}", CT_SEGMENT_ERROR_BAD_VALUE, "not a list" },
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"bought_product\", \"op\": \"has\", \"value\": \"\"}]}", CT_SEGMENT_ERROR_BAD_VALUE, "empty" },
  /* The path names the nested condition. */
  { "{\"match\": \"all\", \"conditions\": [{\"field\": \"email\", \"op\": \"is_set\"},"
    " {\"match\": \"any\", \"conditions\": [{\"field\": \"status\", \"op\": \"=\", \"value\": \"x\"}]}]}",
    CT_SEGMENT_ERROR_BAD_VALUE, "In condition 2.1:" },
};

static void
test_bad_rules (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_rules); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CtSegmentRule) rule = ct_segment_rule_parse (bad_rules[i].json, &error);

      if (rule != NULL)
        g_error ("accepted: %s", bad_rules[i].json);
      g_assert_error (error, CT_SEGMENT_ERROR, bad_rules[i].code);
      if (strstr (error->message, bad_rules[i].words) == NULL)
        g_error ("%s: message “%s” lacks “%s”", bad_rules[i].json, error->message, bad_rules[i].words);
    }
}

static void
test_limits (void)
{
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GString) wide = g_string_new ("{\"match\": \"any\", \"conditions\": [");
  g_autoptr(GError) error = NULL;
  g_autoptr(CtSegmentRule) rule = NULL;

  for (int i = 0; i < CT_SEGMENT_MAX_DEPTH + 2; i++)
    g_string_append (deep, "{\"match\": \"all\", \"conditions\": [");
  for (int i = 0; i < CT_SEGMENT_MAX_DEPTH + 2; i++)
    g_string_append (deep, "]}");
  rule = ct_segment_rule_parse (deep->str, &error);
  g_assert_null (rule);
  g_assert_error (error, CT_SEGMENT_ERROR, CT_SEGMENT_ERROR_TOO_LARGE);
  g_clear_error (&error);

  for (int i = 0; i <= CT_SEGMENT_MAX_CONDITIONS; i++)
    g_string_append_printf (wide, "%s{\"field\": \"purchases\", \"op\": \"=\", \"value\": %d}", i > 0 ? "," : "", i);
  g_string_append (wide, "]}");
  rule = ct_segment_rule_parse (wide->str, &error);
  g_assert_null (rule);
  g_assert_error (error, CT_SEGMENT_ERROR, CT_SEGMENT_ERROR_TOO_LARGE);
}

/* Values that try SQL injection, odd Unicode and huge numbers are only
 * ever bound: the SQL text holds none of them, and nothing is harmed. */
static void
test_hostile_values (Fixture       *f,
                     gconstpointer  data)
{
  static const char * const values[] = {
    "x' OR 1=1 --", "'; DROP TABLE contacts; --", "\\\"); DELETE FROM tags; --",
    "%", "_", "\\\\", "?1", ":name", "@y", "$1", "\\u0000", "a\\u0000b", "😀👩‍👩‍👧", "e\\u0301",
    "\\u202eRTL", "\\ufeffBOM", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\\ud800", "ǅ", "ß", "İ", "\\t\\n\\r",
  };
  static const char * const text_ops[] = { "=", "!=", "contains", "starts_with" };
  g_autofree char *injection = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    for (guint k = 0; k < G_N_ELEMENTS (text_ops) + 2; k++)
      {
        g_autofree char *value = g_strdup_printf ("\"%s\"", values[i]);
        g_autofree char *json = k < G_N_ELEMENTS (text_ops)
                                ? one ("email", text_ops[k], value)
                                : one (k == G_N_ELEMENTS (text_ops) ? "tag" : "bought_product", "has", value);
        g_autoptr(GError) error = NULL;
        g_autoptr(CtSegmentRule) rule = ct_segment_rule_parse (json, &error);
        g_autoptr(CtSegmentQuery) query = NULL;
        gint64 count = -1;

        /* A lone surrogate may be refused as JSON, and a value cut
         * short by its NUL as empty; either way with a message. */
        if (rule == NULL)
          {
            g_assert_true (g_error_matches (error, CT_SEGMENT_ERROR, CT_SEGMENT_ERROR_SYNTAX)
                           || g_error_matches (error, CT_SEGMENT_ERROR, CT_SEGMENT_ERROR_BAD_VALUE));
            g_assert_true (strstr (values[i], "\\u") != NULL);
            continue;
          }
        query = ct_segment_compile (f->db, rule, NOW, &error);
        g_assert_no_error (error);
        g_assert_null (strstr (ct_segment_query_get_where (query), "DROP"));
        g_assert_null (strstr (ct_segment_query_get_where (query), "'"));
        g_assert_true (ct_segment_count (f->db, rule, NOW, &count, &error));
        g_assert_no_error (error);
        if (k == 1)
          g_assert_cmpint (count, ==, 4);   /* nobody has such an email */
        else if (count != 0)
          g_error ("%s matched %lld", json, (long long) count);
        else
          g_assert_cmpint (count, ==, 0);
      }

  /* The injection-shaped email is found exactly, and the tables are all there. */
  injection = members (f, "{\"match\": \"all\", \"conditions\": [{\"field\": \"email\", \"op\": \"=\","
                          " \"value\": \"dan'; DROP TABLE contacts;--@x.com\"}]}");
  g_assert_cmpstr (injection, ==, "4");
  g_assert_cmpint (ct_db_query_int64 (f->db, "SELECT count(*) FROM contacts", NULL), ==, 4);
  g_assert_cmpint (ct_db_query_int64 (f->db, "SELECT count(*) FROM tags", NULL), ==, 3);
}

static void
test_round_trip (void)
{
  const char *json = "{\"match\":\"any\",\"conditions\":[{\"field\":\"email\",\"op\":\"is_set\"},"
                     "{\"match\":\"all\",\"conditions\":[{\"field\":\"total_spent\",\"op\":\">=\",\"value\":12.5},"
                     "{\"field\":\"tag\",\"op\":\"has_not\",\"value\":\"学员\"},"
                     "{\"field\":\"cluster\",\"op\":\"in\",\"value\":[1,3]}]}]}";
  g_autoptr(GError) error = NULL;
  g_autoptr(CtSegmentRule) rule = ct_segment_rule_parse (json, &error);
  g_autoptr(CtSegmentRule) copy = NULL;
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;

  g_assert_no_error (error);
  text = ct_segment_rule_to_string (rule);
  g_assert_cmpstr (text, ==, json);
  copy = ct_segment_rule_copy (rule);
  again = ct_segment_rule_to_string (copy);
  g_assert_cmpstr (again, ==, json);
  g_assert_true (ct_segment_rule_uses_field (rule, "cluster"));
  g_assert_false (ct_segment_rule_uses_field (rule, "phone"));
}

static void
test_amount_decimals (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CtSegmentRule) rule = ct_segment_rule_parse (
    "{\"match\": \"all\", \"conditions\": [{\"field\": \"total_spent\", \"op\": \">\", \"value\": 1.005}]}", NULL);
  g_autoptr(GError) error = NULL;
  gint64 count;

  g_assert_nonnull (rule);
  g_assert_false (ct_segment_count (f->db, rule, NOW, &count, &error));
  g_assert_error (error, CT_SEGMENT_ERROR, CT_SEGMENT_ERROR_BAD_VALUE);
  g_assert_nonnull (strstr (error->message, "more than 2 decimals"));
}

/* A segment can use saved segments, which are compiled into the same
 * query; a loop, a missing one and a broken one are refused by name. */
static void
test_segment_references (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(CtSegmentRule) wechat = ct_segment_rule_parse (
    "{\"match\": \"all\", \"conditions\": [{\"field\": \"channel\", \"op\": \"=\", \"value\": \"WeChat\"}]}", NULL);
  g_autoptr(CtSegmentRule) vip_wechat = ct_segment_rule_parse (
    "{\"match\": \"all\", \"conditions\": [{\"field\": \"segment\", \"op\": \"=\", \"value\": \"WeChat\"},"
    " {\"field\": \"tag\", \"op\": \"has\", \"value\": \"VIP\"}]}", NULL);
  g_autoptr(CtSegmentRule) loop = ct_segment_rule_parse (
    "{\"match\": \"any\", \"conditions\": [{\"field\": \"segment\", \"op\": \"!=\", \"value\": \"VIP WeChat\"}]}", NULL);
  g_autoptr(CtSegmentRule) rule = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *got = NULL;
  g_autofree char *not_got = NULL;
  g_auto(GStrv) names = NULL;
  gint64 wechat_id, count;

  wechat_id = ct_segment_save (f->db, "WeChat", wechat, &error);
  g_assert_no_error (error);
  ct_segment_save (f->db, "VIP WeChat", vip_wechat, &error);
  g_assert_no_error (error);

  got = members (f, "{\"match\": \"all\", \"conditions\": [{\"field\": \"segment\", \"op\": \"=\", \"value\": \"VIP WeChat\"}]}");
  g_assert_cmpstr (got, ==, "1");
  not_got = members (f, "{\"match\": \"all\", \"conditions\": [{\"field\": \"segment\", \"op\": \"!=\", \"value\": \"vip wechat\"}]}");
  g_assert_cmpstr (not_got, ==, "2 3 4");

  names = ct_segment_field_list_values (f->db, "segment", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (names), ==, 2);

  /* WeChat now uses VIP WeChat, which uses WeChat. */
  g_assert_true (ct_segment_update_rule (f->db, wechat_id, loop, &error));
  rule = ct_segment_rule_parse ("{\"match\": \"all\", \"conditions\": [{\"field\": \"segment\", \"op\": \"=\", \"value\": \"WeChat\"}]}", NULL);
  g_assert_false (ct_segment_count (f->db, rule, NOW, &count, &error));
  g_assert_error (error, CT_SEGMENT_ERROR, CT_SEGMENT_ERROR_BAD_VALUE);
  g_assert_nonnull (strstr (error->message, "refers to itself"));
  g_clear_error (&error);
  g_clear_pointer (&rule, ct_segment_rule_free);

  rule = ct_segment_rule_parse ("{\"match\": \"all\", \"conditions\": [{\"field\": \"segment\", \"op\": \"=\", \"value\": \"Nobody\"}]}", NULL);
  g_assert_false (ct_segment_count (f->db, rule, NOW, &count, &error));
  g_assert_error (error, CT_SEGMENT_ERROR, CT_SEGMENT_ERROR_BAD_VALUE);
  g_assert_nonnull (strstr (error->message, "no saved segment called “Nobody”"));
}

/* Amounts are in the main currency of the last stored analysis. */
static void
test_analysis_currency (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *json = one ("total_spent", ">=", "1000");
  g_autofree char *in_cny = members (f, json);
  g_autofree char *in_jpy = NULL;

  g_assert_cmpstr (in_cny, ==, "4");
  exec (f, "INSERT INTO analytics_runs (as_of, computed_at, summary)"
           " VALUES (1, 1, '{\"currency\": \"JPY\"}')");
  in_jpy = members (f, json);
  g_assert_cmpstr (in_jpy, ==, "1 2 4");
}

/* Compiles @json and returns the message it is refused with. */
static char *
compile_error (Fixture    *f,
               const char *json)
{
  g_autoptr(CtSegmentRule) rule = NULL;
  g_autoptr(GError) error = NULL;
  gint64 count = -1;

  rule = ct_segment_rule_parse (json, &error);
  g_assert_no_error (error);
  g_assert_false (ct_segment_count (f->db, rule, NOW, &count, &error));
  g_assert_error (error, CT_SEGMENT_ERROR, CT_SEGMENT_ERROR_BAD_VALUE);
  return g_strdup (error->message);
}

/* tier and points read the loyalty tables: the points are the ledger's
 * balance, the tiers are matched in the tiers table when the rule is
 * compiled, and only their levels reach the query. */
static void
test_loyalty_fields (Fixture       *f,
                     gconstpointer  data)
{
  static const struct { gint64 id, points; } balances[] = {
    { 1, 150 }, { 2, 10 }, { 3, 0 }, { 4, 1000 },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(CtSegmentRule) rule = NULL;
  g_autoptr(CtSegmentQuery) query = NULL;
  g_autofree char *unknown = NULL;
  g_autofree char *level = NULL;
  g_autofree char *renamed = NULL;
  g_autofree char *silver = NULL;
  g_autofree char *by_new_name = NULL;
  g_autofree char *json = NULL;
  g_auto(GStrv) tiers = NULL;
  int placed = 0;
  gint64 since = 0, below = 0;

  g_assert_true (ct_segment_field_is_available (f->db, "tier"));
  g_assert_true (ct_segment_field_is_available (f->db, "points"));

  /* The fixture is what the cases expect. */
  for (guint i = 0; i < G_N_ELEMENTS (balances); i++)
    {
      gint64 balance = -1;

      g_assert_true (ct_points_get_balance (f->db, balances[i].id, &balance, &error));
      g_assert_no_error (error);
      g_assert_cmpint (balance, ==, balances[i].points);
    }
  g_assert_true (ct_tier_get_contact (f->db, 3, &placed, &since, &below, &error));
  g_assert_cmpint (placed, ==, -1);
  g_assert_true (ct_tier_get_contact (f->db, 4, &placed, &since, &below, &error));
  g_assert_cmpint (placed, ==, 3);

  /* The picker offers the tiers from the lowest up, as shown. */
  tiers = ct_segment_field_list_values (f->db, "tier", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (tiers), ==, 4);
  g_assert_cmpstr (tiers[0], ==, "Member");
  g_assert_cmpstr (tiers[1], ==, "Silver");
  g_assert_cmpstr (tiers[3], ==, "Black Card");

  /* Values are bound: no tier's name in the SQL, the level as a
   * parameter. */
  json = one ("tier", "in", "[\"Black Card\", \"silver\"]");
  rule = ct_segment_rule_parse (json, &error);
  g_assert_no_error (error);
  query = ct_segment_compile (f->db, rule, NOW, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (ct_segment_query_get_where (query), "Black"));
  g_assert_null (strstr (ct_segment_query_get_where (query), "ilver"));
  g_assert_cmpuint (ct_segment_query_get_n_params (query), ==, 2);

  /* An unknown tier names the tiers there are; so does a level past the
   * top (the levels that can exist at all are checked when parsing). */
  unknown = compile_error (f, "{\"match\": \"any\", \"conditions\": ["
                              "{\"field\": \"tier\", \"op\": \"=\", \"value\": \"Silver\"},"
                              "{\"field\": \"tier\", \"op\": \"not_in\", \"value\": [\"Platinum\"]}]}");
  g_assert_cmpstr (unknown, ==, "In condition 2: there is no tier “Platinum”: "
                                "the tiers are Member, Silver, Gold, Black Card.");
  level = compile_error (f, "{\"match\": \"all\", \"conditions\": [{\"field\": \"tier\", \"op\": \"=\", \"value\": 4}]}");
  g_assert_cmpstr (level, ==, "In condition 1: there is no tier at level 4: the levels go from 0 to 3.");

  /* Renamed by the seller, a tier is found by its new name only. */
  {
    CtTier again[] = {
      { "Member", "member", 0, 0, 0.0, 100, "" },
      { "白银会员", NULL, 10000, 0, 5.0, 100, "" },
      { "Gold", "gold", 50000, 0, 10.0, 100, "" },
      { "Black Card", NULL, 90000, 0, 15.0, 100, "" },
    };

    g_assert_true (ct_tier_save_all (f->db, again, G_N_ELEMENTS (again), NOW, &error));
    g_assert_no_error (error);
  }
  silver = one ("tier", "=", "\"Silver\"");
  renamed = compile_error (f, silver);
  g_assert_nonnull (strstr (renamed, "the tiers are Member, 白银会员, Gold, Black Card."));
  g_clear_pointer (&json, g_free);
  json = one ("tier", "=", "\"白银会员\"");
  by_new_name = members (f, json);
  /* Saving the tiers placed 陈静 too, in the lowest tier. */
  g_assert_cmpstr (by_new_name, ==, "1");
}

static void
test_picker_values (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) tags = ct_segment_field_list_values (f->db, "tag", &error);
  g_auto(GStrv) products = ct_segment_field_list_values (f->db, "bought_product", &error);
  g_auto(GStrv) channels = ct_segment_field_list_values (f->db, "channel", &error);
  g_auto(GStrv) status = ct_segment_field_list_values (f->db, "status", &error);
  g_auto(GStrv) email = ct_segment_field_list_values (f->db, "email", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (tags), ==, 3);
  g_assert_cmpstr (products[0], ==, "Course A");
  g_assert_cmpuint (g_strv_length (products), ==, 3);
  g_assert_cmpstr (channels[0], ==, "Douyin");
  g_assert_cmpuint (g_strv_length (status), ==, 4);
  g_assert_cmpuint (g_strv_length (email), ==, 0);
  g_assert_cmpstr (ct_segment_field_get_label ("last_purchase_at"), ==, "Last purchase");
  g_assert_null (ct_segment_field_get_label ("nope"));
}

/* Saved segments */

static guint changed_count;

static void
on_changed (CtDb       *db,
            const char *table,
            gpointer    user_data)
{
  if (g_strcmp0 (table, "segments") == 0)
    changed_count++;
}

static void
test_saved (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(CtSegmentRule) vip = ct_segment_rule_parse (
    "{\"match\": \"all\", \"conditions\": [{\"field\": \"tag\", \"op\": \"has\", \"value\": \"VIP\"}]}", NULL);
  g_autoptr(CtSegmentRule) wechat = ct_segment_rule_parse (
    "{\"match\": \"all\", \"conditions\": [{\"field\": \"channel\", \"op\": \"=\", \"value\": \"WeChat\"}]}", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(CtSegment) found = NULL;
  g_autoptr(CtSegment) deleted = NULL;
  g_autofree char *rule_text = NULL;
  gint64 id, copy_id, copy2_id;

  changed_count = 0;
  g_signal_connect (f->db, "changed", G_CALLBACK (on_changed), NULL);

  id = ct_segment_save (f->db, "  VIPs  ", vip, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpuint (changed_count, ==, 1);

  /* Names are trimmed, unique ignoring case, never blank. */
  g_assert_cmpint (ct_segment_save (f->db, "vips", wechat, &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, "“vips”"));
  g_clear_error (&error);
  g_assert_cmpint (ct_segment_save (f->db, " \t", wechat, &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);

  found = ct_segment_lookup_by_name (f->db, "VIPS", &error);
  g_assert_no_error (error);
  g_assert_cmpint (found->id, ==, id);
  g_assert_cmpstr (found->name, ==, "VIPs");
  g_assert_nonnull (found->rule);
  rule_text = ct_segment_rule_to_string (vip);
  g_assert_cmpstr (found->rule_json, ==, rule_text);
  g_clear_pointer (&found, ct_segment_free);

  copy_id = ct_segment_duplicate (f->db, id, &error);
  g_assert_no_error (error);
  copy2_id = ct_segment_duplicate (f->db, id, &error);
  g_assert_no_error (error);
  found = ct_segment_lookup (f->db, copy2_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found->name, ==, "VIPs (copy 2)");
  g_clear_pointer (&found, ct_segment_free);

  g_assert_true (ct_segment_rename (f->db, copy_id, "WeChat people", &error));
  g_assert_no_error (error);
  g_assert_true (ct_segment_update_rule (f->db, copy_id, wechat, &error));
  g_assert_no_error (error);
  g_assert_false (ct_segment_rename (f->db, copy2_id, "wechat PEOPLE", &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  g_clear_error (&error);
  g_assert_false (ct_segment_rename (f->db, 999, "Other", &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);

  list = ct_segment_list (f->db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
  g_assert_cmpstr (((CtSegment *) list->pdata[0])->name, ==, "VIPs");
  g_assert_cmpstr (((CtSegment *) list->pdata[1])->name, ==, "VIPs (copy 2)");
  g_assert_cmpstr (((CtSegment *) list->pdata[2])->name, ==, "WeChat people");
  g_clear_pointer (&list, g_ptr_array_unref);

  /* Delete gives back what Undo needs; restoring brings the same id,
   * name, rule and times. */
  deleted = ct_segment_delete (f->db, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (deleted->id, ==, id);
  found = ct_segment_lookup (f->db, id, &error);
  g_assert_null (found);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (ct_segment_restore (f->db, deleted, &error));
  g_assert_no_error (error);
  found = ct_segment_lookup (f->db, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found->name, ==, "VIPs");
  g_assert_cmpstr (found->rule_json, ==, deleted->rule_json);
  g_assert_cmpint (found->created_at, ==, deleted->created_at);
  g_clear_pointer (&found, ct_segment_free);

  /* Restoring over a name taken meanwhile says so. */
  g_clear_pointer (&deleted, ct_segment_free);
  deleted = ct_segment_delete (f->db, id, &error);
  g_assert_no_error (error);
  g_assert_true (ct_segment_rename (f->db, copy2_id, "vips", &error));
  g_assert_false (ct_segment_restore (f->db, deleted, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  g_clear_error (&error);

  /* A stored rule this version cannot read is reported, not dropped. */
  exec (f, "UPDATE segments SET rule = '{\"match\":\"all\",\"conditions\":"
           "[{\"field\":\"future_field\",\"op\":\"=\",\"value\":1}]}' WHERE name = 'vips'");
  found = ct_segment_lookup_by_name (f->db, "vips", &error);
  g_assert_no_error (error);
  g_assert_null (found->rule);
  g_assert_nonnull (strstr (found->rule_error, "future_field"));

  g_assert_cmpuint (changed_count, >=, 8);
}

static void
test_ready_made (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  gboolean seen_template = FALSE, seen_90 = FALSE, seen_champions = FALSE;
  guint n_tiers = 0;

  list = ct_segment_get_ready_made (f->db, &error);
  g_assert_no_error (error);
  /* 11 RFM segments, 6 stages, the 4 tiers, no purchase in 90 days,
   * the template */
  g_assert_cmpuint (list->len, ==, 11 + 6 + 4 + 1 + 1);

  for (guint i = 0; i < list->len; i++)
    {
      CtSegmentReadyMade *r = g_ptr_array_index (list, i);
      g_autofree char *json = ct_segment_rule_to_string (r->rule);
      g_autofree char *got = members (f, json);

      g_assert_true (r->name[0] != '\0' && r->description[0] != '\0');
      if (g_str_equal (r->id, "rfm-champions"))
        {
          g_assert_cmpstr (got, ==, "1");
          seen_champions = TRUE;
        }
      else if (g_str_equal (r->id, "no-purchase-90-days"))
        {
          /* Bob bought 100 days ago; 陈静 never did, so is no customer */
          g_assert_cmpstr (got, ==, "2");
          seen_90 = TRUE;
        }
      else if (g_str_equal (r->id, "bought-x-not-y"))
        {
          /* Both sold twice (Bob's refund does not count, the erased
           * contact's purchase does): the tie goes by name. Ann has
           * both. */
          g_assert_cmpstr (r->name, ==, "Bought “CRS-A” but not “CRS-B”");
          g_assert_cmpstr (got, ==, "");
          seen_template = TRUE;
        }
      else if (g_str_equal (r->id, "lifecycle-potential"))
        g_assert_cmpstr (got, ==, "3");
      else if (g_str_equal (r->id, "tier-Member"))
        {
          g_assert_cmpstr (r->name, ==, "Tier: Member");
          g_assert_cmpstr (got, ==, "2 3");
          n_tiers++;
        }
      else if (g_str_equal (r->id, "tier-Silver"))
        {
          g_assert_cmpstr (got, ==, "1");
          n_tiers++;
        }
      else if (g_str_equal (r->id, "tier-Gold"))
        {
          g_assert_cmpstr (got, ==, "");
          n_tiers++;
        }
      else if (g_str_equal (r->id, "tier-Black Card"))
        {
          g_assert_cmpstr (r->name, ==, "Tier: Black Card");
          g_assert_cmpstr (got, ==, "4");
          n_tiers++;
        }
    }
  g_assert_true (seen_template && seen_90 && seen_champions);
  g_assert_cmpuint (n_tiers, ==, 4);

  {
    g_autoptr(CtSegmentRule) b_not_a = ct_segment_rule_new_bought_but_not ("Course B", "crs-a");
    g_autofree char *json = ct_segment_rule_to_string (b_not_a);
    g_autofree char *got = members (f, json);

    g_assert_cmpstr (got, ==, "4");
  }

  /* One per tier, whatever their number. */
  {
    CtTier five[] = {
      { "Member", "member", 0, 0, 0.0, 100, "" },
      { "Silver", "silver", 10000, 0, 5.0, 100, "" },
      { "Gold", "gold", 50000, 0, 10.0, 100, "" },
      { "Diamond", "diamond", 90000, 0, 15.0, 100, "" },
      { "Black Card", NULL, 200000, 0, 20.0, 100, "" },
    };

    g_assert_true (ct_tier_save_all (f->db, five, G_N_ELEMENTS (five), NOW, &error));
    g_assert_no_error (error);
  }
  g_clear_pointer (&list, g_ptr_array_unref);
  list = ct_segment_get_ready_made (f->db, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 11 + 6 + 5 + 1 + 1);
}

/* ------------------------------------------------------------------ */
/* Property test: random contacts, random rules, SQL against a plain
 * evaluator that reads the same rows and never builds SQL. */

typedef struct
{
  gint64     id;
  char      *email;        /* nullable */
  char      *first_name;
  char      *last_name;
  char      *phone;
  char      *channel;      /* nullable */
  char      *status;
  gint64     created_at;
  gint64     total_spent;
  gint64     purchases;
  gboolean   has_first, has_last;
  gint64     first_at, last_at;
  GPtrArray *tags;
  GPtrArray *bought;       /* product names and SKUs, purchases not refunded */
  char      *rfm;          /* nullable, like the rest of the analysis */
  char      *lifecycle;
  gboolean   has_clv, has_p_alive, has_cluster;
  gint64     clv;
  double     p_alive;
  gint64     cluster;
  gboolean   placed;       /* tier_level not NULL */
  gint64     tier_level;
  gint64     points;       /* 0 without a row */
} Person;

static void
person_free (Person *p)
{
  g_free (p->email);
  g_free (p->first_name);
  g_free (p->last_name);
  g_free (p->phone);
  g_free (p->channel);
  g_free (p->status);
  g_ptr_array_unref (p->tags);
  g_ptr_array_unref (p->bought);
  g_free (p->rfm);
  g_free (p->lifecycle);
  g_free (p);
}

static const char * const name_pool[] = { "Anna", "anna", "ANNE", "Bob", "李雷", "", "Zoë", "o'neil", "%x_" };
static const char * const tag_pool[] = { "VIP", "学员", "a%b", "x_y", "早鸟" };
static const char * const channel_pool[] = { "WeChat", "Douyin", "zhihu" };
static const char * const product_pool[][2] = {
  { "CRS-1", "Python 课" }, { "CRS-2", "Excel" }, { NULL, "Ebook" }, { "crs-x", "python 课" },
};
static const char * const status_pool[] = { "subscribed", "unsubscribed", "bounced", "complained" };
static const char * const rfm_pool[] = { "champions", "loyal", "at_risk", "lost" };
static const char * const stage_pool[] = { "potential", "new", "active", "churned" };
/* The tiers from level 0 up; a random business keeps the first 3 to 5. */
static const char * const tier_pool[] = { "Member", "Silver", "金卡", "VIP Plus", "Black Card" };
static const char * const tier_builtin[] = { "member", "silver", NULL, NULL, NULL };
static const gint64 points_pool[] = { 0, 5, 10, 100, 250, -5 };
static guint n_random_tiers;

static const char *
pick (GRand              *rand,
      const char * const *pool,
      guint               n)
{
  return pool[g_rand_int_range (rand, 0, (gint32) n)];
}

#define PICK(rand, pool) pick ((rand), (pool), G_N_ELEMENTS (pool))

static void
make_random_business (Fixture *f,
                      GRand   *rand,
                      guint    n_contacts)
{
  CtTier tiers[G_N_ELEMENTS (tier_pool)];
  GError *error = NULL;

  exec (f, "DELETE FROM contact_metrics; DELETE FROM purchases; DELETE FROM contact_tags;"
           "DELETE FROM contacts; DELETE FROM tags; DELETE FROM products; DELETE FROM channels;");

  n_random_tiers = (guint) g_rand_int_range (rand, CT_TIER_MIN_COUNT, CT_TIER_MAX_COUNT + 1);
  for (guint i = 0; i < n_random_tiers; i++)
    tiers[i] = (CtTier) { (char *) tier_pool[i], (char *) tier_builtin[i], (gint64) i * 10000,
                          0, 0.0, 100, (char *) "" };
  g_assert_true (ct_tier_save_all (f->db, tiers, n_random_tiers, NOW, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (channel_pool); i++)
    insert (f, "INSERT INTO channels (id, name) VALUES (?, ?)", 'i', (gint64) i + 1, 's', channel_pool[i]);
  for (guint i = 0; i < G_N_ELEMENTS (tag_pool); i++)
    insert (f, "INSERT INTO tags (id, name) VALUES (?, ?)", 'i', (gint64) i + 1, 's', tag_pool[i]);
  for (guint i = 0; i < G_N_ELEMENTS (product_pool); i++)
    insert (f, "INSERT INTO products (id, sku, name) VALUES (?, ?, ?)",
            'i', (gint64) i + 1, 's', product_pool[i][0], 's', product_pool[i][1]);

  for (guint c = 1; c <= n_contacts; c++)
    {
      g_autofree char *email = g_strdup_printf ("%s%u@%s", PICK (rand, name_pool), c,
                                                g_rand_boolean (rand) ? "example.com" : "qq.com");
      g_autofree char *phone = g_rand_boolean (rand) ? g_strdup_printf ("13%09u", g_rand_int_range (rand, 0, 999999999)) : g_strdup ("");
      guint n_purchases = (guint) g_rand_int_range (rand, 0, 5);

      insert (f, "INSERT INTO contacts (id, email, first_name, last_name, phone, channel_id, status, created_at)"
                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
              'i', (gint64) c, 's', g_rand_int_range (rand, 0, 5) == 0 ? NULL : email,
              's', PICK (rand, name_pool), 's', PICK (rand, name_pool), 's', phone,
              g_rand_int_range (rand, 0, 4) == 0 ? 'N' : 'i', (gint64) g_rand_int_range (rand, 1, 4),
              's', PICK (rand, status_pool),
              'i', NOW - (gint64) g_rand_int_range (rand, 0, 400) * DAY - g_rand_int_range (rand, 0, DAY));

      for (guint t = 0; t < G_N_ELEMENTS (tag_pool); t++)
        if (g_rand_int_range (rand, 0, 3) == 0)
          insert (f, "INSERT INTO contact_tags VALUES (?, ?)", 'i', (gint64) c, 'i', (gint64) t + 1);

      for (guint p = 0; p < n_purchases; p++)
        insert (f, PURCHASE, 'i', (gint64) c, 'i', (gint64) g_rand_int_range (rand, 1, 5),
                'i', (gint64) g_rand_int_range (rand, 0, 40) * 500,
                'i', NOW - (gint64) g_rand_int_range (rand, 0, 300) * DAY,
                'i', (gint64) (g_rand_int_range (rand, 0, 6) == 0));

      if (g_rand_int_range (rand, 0, 5) > 0)
        insert (f, METRICS, 'i', (gint64) c, 'i', NOW,
                's', g_rand_boolean (rand) ? PICK (rand, rfm_pool) : NULL,
                's', PICK (rand, stage_pool),
                g_rand_boolean (rand) ? 'i' : 'N', (gint64) g_rand_int_range (rand, 0, 20) * 1000,
                g_rand_boolean (rand) ? 'd' : 'D', g_rand_int_range (rand, 0, 11) / 10.0,
                g_rand_boolean (rand) ? 'i' : 'N', (gint64) g_rand_int_range (rand, 0, 4));

      /* Loyalty: no row at all, a row not placed yet (points earned
       * before the first placement), or a tier; balances from a small
       * pool so that = and in find people, a few below zero. */
      switch (g_rand_int_range (rand, 0, 4))
        {
        case 0:
          insert (f, "DELETE FROM contact_loyalty WHERE contact_id = ?", 'i', (gint64) c);
          break;
        case 1:
          insert (f, "INSERT OR REPLACE INTO contact_loyalty (contact_id, tier_level, points) VALUES (?, NULL, ?)",
                  'i', (gint64) c, 'i', points_pool[g_rand_int_range (rand, 0, G_N_ELEMENTS (points_pool))]);
          break;
        default:
          insert (f, "INSERT OR REPLACE INTO contact_loyalty (contact_id, tier_level, points) VALUES (?, ?, ?)",
                  'i', (gint64) c, 'i', (gint64) g_rand_int_range (rand, 0, (gint32) n_random_tiers),
                  'i', points_pool[g_rand_int_range (rand, 0, G_N_ELEMENTS (points_pool))]);
          break;
        }
    }
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* Reads every contact with plain queries, one list per thing. */
static GPtrArray *
load_people (Fixture *f)
{
  GPtrArray *people = g_ptr_array_new_with_free_func ((GDestroyNotify) person_free);
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *error = NULL;

  stmt = ct_db_prepare (f->db,
                        "SELECT c.id, c.email, c.first_name, c.last_name, c.phone, ch.name, c.status,"
                        " c.created_at, c.total_spent, c.purchase_count, c.first_purchase_at,"
                        " c.last_purchase_at, m.rfm_segment, m.lifecycle, m.clv_predictive, m.p_alive,"
                        " m.cluster, l.tier_level, l.points"
                        " FROM contacts c LEFT JOIN channels ch ON ch.id = c.channel_id"
                        " LEFT JOIN contact_metrics m ON m.contact_id = c.id"
                        " LEFT JOIN contact_loyalty l ON l.contact_id = c.id", &error);
  g_assert_no_error (error);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      Person *p = g_new0 (Person, 1);

      p->id = sqlite3_column_int64 (stmt, 0);
      p->email = column_dup (stmt, 1);
      p->first_name = column_dup (stmt, 2);
      p->last_name = column_dup (stmt, 3);
      p->phone = column_dup (stmt, 4);
      p->channel = column_dup (stmt, 5);
      p->status = column_dup (stmt, 6);
      p->created_at = sqlite3_column_int64 (stmt, 7);
      p->total_spent = sqlite3_column_int64 (stmt, 8);
      p->purchases = sqlite3_column_int64 (stmt, 9);
      p->has_first = sqlite3_column_type (stmt, 10) != SQLITE_NULL;
      p->first_at = sqlite3_column_int64 (stmt, 10);
      p->has_last = sqlite3_column_type (stmt, 11) != SQLITE_NULL;
      p->last_at = sqlite3_column_int64 (stmt, 11);
      p->rfm = column_dup (stmt, 12);
      p->lifecycle = column_dup (stmt, 13);
      p->has_clv = sqlite3_column_type (stmt, 14) != SQLITE_NULL;
      p->clv = sqlite3_column_int64 (stmt, 14);
      p->has_p_alive = sqlite3_column_type (stmt, 15) != SQLITE_NULL;
      p->p_alive = sqlite3_column_double (stmt, 15);
      p->has_cluster = sqlite3_column_type (stmt, 16) != SQLITE_NULL;
      p->cluster = sqlite3_column_int64 (stmt, 16);
      p->placed = sqlite3_column_type (stmt, 17) != SQLITE_NULL;
      p->tier_level = sqlite3_column_int64 (stmt, 17);
      p->points = sqlite3_column_int64 (stmt, 18);   /* NULL, no row: 0 */
      p->tags = g_ptr_array_new_with_free_func (g_free);
      p->bought = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (people, p);
      g_hash_table_insert (by_id, &p->id, p);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = ct_db_prepare (f->db, "SELECT x.contact_id, t.name FROM contact_tags x JOIN tags t ON t.id = x.tag_id", &error);
  g_assert_no_error (error);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      Person *p = g_hash_table_lookup (by_id, &id);
      g_ptr_array_add (p->tags, column_dup (stmt, 1));
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = ct_db_prepare (f->db, "SELECT s.contact_id, p.sku, p.name FROM purchases s"
                               " JOIN products p ON p.id = s.product_id"
                               " WHERE s.refunded = 0 AND s.contact_id IS NOT NULL", &error);
  g_assert_no_error (error);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      Person *p = g_hash_table_lookup (by_id, &id);
      if (sqlite3_column_type (stmt, 1) != SQLITE_NULL)
        g_ptr_array_add (p->bought, column_dup (stmt, 1));
      g_ptr_array_add (p->bought, column_dup (stmt, 2));
    }
  return people;
}

static gboolean
text_equal (const char *a,
            const char *b)
{
  return a != NULL && g_ascii_strcasecmp (a, b) == 0;
}

static gboolean
text_test (const char *have,
           const char *op,
           JsonNode   *value)
{
  if (g_str_equal (op, "is_set"))
    return have != NULL && have[0] != '\0';
  if (g_str_equal (op, "is_not_set"))
    return !text_test (have, "is_set", value);
  if (g_str_equal (op, "="))
    return text_equal (have, json_node_get_string (value));
  if (g_str_equal (op, "!="))
    return !text_test (have, "=", value);
  if (g_str_equal (op, "in") || g_str_equal (op, "not_in"))
    {
      JsonArray *array = json_node_get_array (value);
      gboolean found = FALSE;

      for (guint i = 0; i < json_array_get_length (array); i++)
        found |= text_equal (have, json_array_get_string_element (array, i));
      return g_str_equal (op, "in") ? found : !found;
    }
  if (have == NULL)
    return FALSE;
  {
    g_autofree char *h = g_ascii_strdown (have, -1);
    g_autofree char *v = g_ascii_strdown (json_node_get_string (value), -1);

    if (g_str_equal (op, "contains"))
      return strstr (h, v) != NULL;
    if (g_str_equal (op, "starts_with"))
      return g_str_has_prefix (h, v);
  }
  g_assert_not_reached ();
}

static gboolean
number_test (gboolean    set,
             double      have,
             const char *op,
             JsonNode   *value,
             double      scale,
             double      shift)
{
  double v;

  if (g_str_equal (op, "is_set"))
    return set;
  if (g_str_equal (op, "is_not_set"))
    return !set;
  if (g_str_equal (op, "!="))
    return !number_test (set, have, "=", value, scale, shift);
  if (g_str_equal (op, "in") || g_str_equal (op, "not_in"))
    {
      JsonArray *array = json_node_get_array (value);
      gboolean found = FALSE;

      for (guint i = 0; i < json_array_get_length (array); i++)
        found |= set && have == json_array_get_int_element (array, i) * scale + shift;
      return g_str_equal (op, "in") ? found : !found;
    }
  if (!set)
    return FALSE;
  v = json_node_get_double (value) * scale + shift;
  v = scale != 1.0 ? round (v) : v;
  if (g_str_equal (op, "="))
    return have == v;
  if (g_str_equal (op, "<"))
    return have < v;
  if (g_str_equal (op, "<="))
    return have <= v;
  if (g_str_equal (op, ">"))
    return have > v;
  if (g_str_equal (op, ">="))
    return have >= v;
  g_assert_not_reached ();
}

static gboolean
date_test (gboolean    set,
           gint64      have,
           const char *op,
           JsonNode   *value)
{
  if (g_str_equal (op, "is_set"))
    return set;
  if (g_str_equal (op, "is_not_set"))
    return !set;
  if (g_str_equal (op, "not_within_days"))
    return !date_test (set, have, "within_days", value);
  if (!set)
    return FALSE;
  if (g_str_equal (op, "within_days"))
    return have >= NOW - json_node_get_int (value) * DAY;
  {
    const char *text = json_node_get_string (value);
    g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
    g_autofree char *full = strlen (text) == 10 ? g_strconcat (text, "T00:00:00Z", NULL) : g_strdup (text);
    g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (full, utc);
    gint64 t = g_date_time_to_unix (dt);

    if (g_str_equal (op, "before"))
      return have < t;
    if (g_str_equal (op, "after"))
      return strlen (text) == 10 ? have >= t + DAY : have > t;
  }
  g_assert_not_reached ();
}

/* The level a tier value names: a number is the level, a name is
 * looked up in the tiers ignoring case (the pool's names are ASCII or
 * have no case). */
static gint64
tier_of (JsonNode *value)
{
  if (json_node_get_value_type (value) == G_TYPE_INT64)
    return json_node_get_int (value);
  for (guint i = 0; i < n_random_tiers; i++)
    if (g_ascii_strcasecmp (tier_pool[i], json_node_get_string (value)) == 0)
      return i;
  g_assert_not_reached ();
}

/* A contact not placed yet is in the lowest tier. */
static gboolean
tier_test (const Person *p,
           const char   *op,
           JsonNode     *value)
{
  gint64 have = p->placed ? p->tier_level : 0;

  if (g_str_equal (op, "="))
    return have == tier_of (value);
  if (g_str_equal (op, "!="))
    return have != tier_of (value);
  if (g_str_equal (op, "in") || g_str_equal (op, "not_in"))
    {
      JsonArray *array = json_node_get_array (value);
      gboolean found = FALSE;

      for (guint i = 0; i < json_array_get_length (array); i++)
        found |= have == tier_of (json_array_get_element (array, i));
      return g_str_equal (op, "in") ? found : !found;
    }
  g_assert_not_reached ();
}

static gboolean
list_has (GPtrArray  *list,
          const char *name)
{
  for (guint i = 0; i < list->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (list, i), name) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
evaluate (JsonNode *node,
          Person   *p)
{
  JsonObject *o = json_node_get_object (node);

  if (json_object_has_member (o, "match"))
    {
      gboolean any = g_str_equal (json_object_get_string_member (o, "match"), "any");
      JsonArray *conditions = json_object_get_array_member (o, "conditions");

      for (guint i = 0; i < json_array_get_length (conditions); i++)
        if (evaluate (json_array_get_element (conditions, i), p) == any)
          return any;
      return !any;
    }
  else
    {
      const char *field = json_object_get_string_member (o, "field");
      const char *op = json_object_get_string_member (o, "op");
      JsonNode *value = json_object_get_member (o, "value");

      if (g_str_equal (field, "email"))
        return text_test (p->email, op, value);
      if (g_str_equal (field, "first_name"))
        return text_test (p->first_name, op, value);
      if (g_str_equal (field, "last_name"))
        return text_test (p->last_name, op, value);
      if (g_str_equal (field, "phone"))
        return text_test (p->phone, op, value);
      if (g_str_equal (field, "channel"))
        return text_test (p->channel, op, value);
      if (g_str_equal (field, "status"))
        return text_test (p->status, op, value);
      if (g_str_equal (field, "rfm_segment"))
        return text_test (p->rfm, op, value);
      if (g_str_equal (field, "lifecycle"))
        return text_test (p->lifecycle, op, value);
      if (g_str_equal (field, "created_at"))
        return date_test (TRUE, p->created_at, op, value);
      if (g_str_equal (field, "first_purchase_at"))
        return date_test (p->has_first, p->first_at, op, value);
      if (g_str_equal (field, "last_purchase_at"))
        return date_test (p->has_last, p->last_at, op, value);
      if (g_str_equal (field, "total_spent"))
        return number_test (TRUE, (double) p->total_spent, op, value, 100.0, 0.0);
      if (g_str_equal (field, "clv"))
        return number_test (p->has_clv, (double) p->clv, op, value, 100.0, 0.0);
      if (g_str_equal (field, "purchases"))
        return number_test (TRUE, (double) p->purchases, op, value, 1.0, 0.0);
      if (g_str_equal (field, "cluster"))
        return number_test (p->has_cluster, (double) p->cluster, op, value, 1.0, -1.0);
      if (g_str_equal (field, "p_alive"))
        return number_test (p->has_p_alive, p->p_alive, op, value, 1.0, 0.0);
      if (g_str_equal (field, "points"))
        return number_test (TRUE, (double) p->points, op, value, 1.0, 0.0);
      if (g_str_equal (field, "tier"))
        return tier_test (p, op, value);
      if (g_str_equal (field, "tag"))
        return list_has (p->tags, json_node_get_string (value)) == g_str_equal (op, "has");
      if (g_str_equal (field, "bought_product"))
        return list_has (p->bought, json_node_get_string (value)) == g_str_equal (op, "has");
    }
  g_assert_not_reached ();
}

/* A random value for @field and @op, as JSON text. */
static char *
random_value (GRand      *rand,
              const char *field,
              CtSegmentOp op)
{
  CtSegmentKind kind;

  ct_segment_field_get_kind (field, &kind);

  if (op == CT_SEGMENT_OP_IS_SET || op == CT_SEGMENT_OP_IS_NOT_SET)
    return NULL;
  if (op == CT_SEGMENT_OP_WITHIN_DAYS || op == CT_SEGMENT_OP_NOT_WITHIN_DAYS)
    return g_strdup_printf ("%d", g_rand_int_range (rand, 0, 400));
  if (op == CT_SEGMENT_OP_BEFORE || op == CT_SEGMENT_OP_AFTER)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (NOW - g_rand_int_range (rand, 0, 400) * (gint64) DAY
                                                               - g_rand_int_range (rand, 0, DAY));
      return g_date_time_format (dt, g_rand_boolean (rand) ? "\"%Y-%m-%d\"" : "\"%Y-%m-%dT%H:%M:%SZ\"");
    }
  if (op == CT_SEGMENT_OP_IN || op == CT_SEGMENT_OP_NOT_IN)
    {
      GString *list = g_string_new ("[");
      int n = g_rand_int_range (rand, 0, 4);

      for (int i = 0; i < n; i++)
        {
          g_autofree char *v = random_value (rand, field, CT_SEGMENT_OP_EQ);
          g_string_append_printf (list, "%s%s", i > 0 ? ", " : "", v);
        }
      g_string_append_c (list, ']');
      return g_string_free (list, FALSE);
    }

  switch (kind)
    {
    case CT_SEGMENT_KIND_TEXT:
      if (op == CT_SEGMENT_OP_CONTAINS || op == CT_SEGMENT_OP_STARTS_WITH)
        {
          static const char * const parts[] = { "an", "AN", "o", "%", "_", "李", "@qq", "13", "'", "ë" };
          return g_strdup_printf ("\"%s\"", PICK (rand, parts));
        }
      if (g_str_equal (field, "email"))
        return g_strdup_printf ("\"%s%d@example.com\"", PICK (rand, name_pool), g_rand_int_range (rand, 1, 60));
      return g_strdup_printf ("\"%s\"", PICK (rand, name_pool));
    case CT_SEGMENT_KIND_CHANNEL:
      if (op == CT_SEGMENT_OP_CONTAINS || op == CT_SEGMENT_OP_STARTS_WITH)
        return g_strdup (g_rand_boolean (rand) ? "\"CH\"" : "\"zh\"");
      return g_strdup_printf ("\"%s\"", g_rand_int_range (rand, 0, 5) == 0 ? "wechat" : PICK (rand, channel_pool));
    case CT_SEGMENT_KIND_CHOICE:
      if (g_str_equal (field, "tier"))
        {
          guint level = (guint) g_rand_int_range (rand, 0, (gint32) n_random_tiers);

          switch (g_rand_int_range (rand, 0, 3))
            {
            case 0:
              return g_strdup_printf ("%u", level);
            case 1:
              return g_strdup_printf ("\"%s\"", tier_pool[level]);
            default:
              {
                g_autofree char *down = g_ascii_strdown (tier_pool[level], -1);
                return g_strdup_printf ("\"%s\"", down);
              }
            }
        }
      if (g_str_equal (field, "status"))
        return g_strdup_printf ("\"%s\"", PICK (rand, status_pool));
      if (g_str_equal (field, "rfm_segment"))
        return g_strdup_printf ("\"%s\"", PICK (rand, rfm_pool));
      return g_strdup_printf ("\"%s\"", PICK (rand, stage_pool));
    case CT_SEGMENT_KIND_AMOUNT:
      return g_strdup_printf ("%d.%s", g_rand_int_range (rand, 0, 200), g_rand_boolean (rand) ? "5" : "0");
    case CT_SEGMENT_KIND_COUNT:
      /* Points: a balance of the pool or one off it. */
      if (g_str_equal (field, "points"))
        return g_strdup_printf ("%lld", (long long) (points_pool[g_rand_int_range (rand, 0, G_N_ELEMENTS (points_pool))]
                                                     + g_rand_int_range (rand, -1, 2)));
      return g_strdup_printf ("%d", g_rand_int_range (rand, g_str_equal (field, "cluster") ? 1 : 0, 6));
    case CT_SEGMENT_KIND_NUMBER:
      {
        int tenths = g_rand_int_range (rand, 0, 11);
        return g_strdup_printf ("%d.%d", tenths / 10, tenths % 10);
      }
    case CT_SEGMENT_KIND_TAG:
      return g_strdup_printf ("\"%s\"", g_rand_int_range (rand, 0, 6) == 0 ? "vip" : PICK (rand, tag_pool));
    case CT_SEGMENT_KIND_PRODUCT:
      {
        guint k = (guint) g_rand_int_range (rand, 0, G_N_ELEMENTS (product_pool));
        const char *v = product_pool[k][0] != NULL && g_rand_boolean (rand) ? product_pool[k][0] : product_pool[k][1];
        return g_strdup_printf ("\"%s\"", v);
      }
    case CT_SEGMENT_KIND_DATE:
    default:
      g_assert_not_reached ();
    }
}

static void
random_rule (GRand   *rand,
             GString *out,
             guint    depth)
{
  const char * const *fields = ct_segment_get_fields ();
  guint n_fields = g_strv_length ((char **) fields);

  if (depth == 0 || (depth < 4 && g_rand_int_range (rand, 0, 3) == 0))
    {
      int n = g_rand_int_range (rand, 0, 5);

      g_string_append_printf (out, "{\"match\": \"%s\", \"conditions\": [", g_rand_boolean (rand) ? "all" : "any");
      for (int i = 0; i < n; i++)
        {
          if (i > 0)
            g_string_append (out, ", ");
          random_rule (rand, out, depth + 1);
        }
      g_string_append (out, "]}");
      return;
    }

  for (;;)
    {
      const char *field = fields[g_rand_int_range (rand, 0, (gint32) n_fields)];
      CtSegmentOp op = (CtSegmentOp) g_rand_int_range (rand, 0, CT_SEGMENT_N_OPS);
      g_autofree char *value = NULL;

      if (g_str_equal (field, "segment") || !ct_segment_field_has_op (field, op))
        continue;
      value = random_value (rand, field, op);
      g_string_append_printf (out, "{\"field\": \"%s\", \"op\": \"%s\"", field, ct_segment_op_to_string (op));
      if (value != NULL)
        g_string_append_printf (out, ", \"value\": %s", value);
      g_string_append_c (out, '}');
      return;
    }
}

static void
test_random_rules (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261201);
  g_autoptr(GPtrArray) people = NULL;
  guint n_rules = g_test_slow () ? 3000 : 600;
  guint n_nonempty = 0, n_partial = 0;

  make_random_business (f, rand, 250);
  people = load_people (f);

  for (guint r = 0; r < n_rules; r++)
    {
      g_autoptr(GString) json = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(CtSegmentRule) rule = NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GArray) ids = NULL;
      g_autoptr(GHashTable) got = g_hash_table_new (g_int64_hash, g_int64_equal);
      guint expected = 0;

      random_rule (rand, json, 0);
      rule = ct_segment_rule_parse (json->str, &error);
      if (error != NULL)
        g_error ("%s: %s", json->str, error->message);
      ids = ct_segment_members (f->db, rule, NOW, &error);
      if (error != NULL)
        g_error ("%s: %s", json->str, error->message);
      for (guint i = 0; i < ids->len; i++)
        g_hash_table_add (got, &g_array_index (ids, gint64, i));

      node = json_from_string (json->str, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < people->len; i++)
        {
          Person *p = g_ptr_array_index (people, i);
          gboolean want = evaluate (node, p);

          if (want != g_hash_table_contains (got, &p->id))
            g_error ("rule %u %s: contact %lld is %s by SQL but %s by the evaluator",
                     r, json->str, (long long) p->id,
                     want ? "left out" : "taken", want ? "taken" : "left out");
          expected += want;
        }
      g_assert_cmpuint (expected, ==, ids->len);

      /* Counted in 2 to 5 parts on as many connections, and over a
       * random range of ids, which may hold nobody. */
      {
        gint64 count = -1, lo, hi, in_range = 0;

        ct_segment_set_count_parts (2 + r % 4, 0);
        g_assert_true (ct_segment_count (f->db, rule, NOW, &count, &error));
        ct_segment_set_count_parts (0, -1);
        g_assert_no_error (error);
        if (count != (gint64) expected)
          g_error ("rule %u %s: %lld in parts, %u by the evaluator", r, json->str, (long long) count, expected);

        lo = g_rand_int_range (rand, -5, 260);
        hi = lo + g_rand_int_range (rand, -2, 130);
        for (guint i = 0; i < people->len; i++)
          {
            Person *p = g_ptr_array_index (people, i);
            in_range += p->id >= lo && p->id <= hi && g_hash_table_contains (got, &p->id);
          }
        count = count_range (f, rule, lo, hi);
        if (count != in_range)
          g_error ("rule %u %s: %lld from %lld to %lld, %lld by the evaluator", r, json->str,
                   (long long) count, (long long) lo, (long long) hi, (long long) in_range);
      }
      n_nonempty += ids->len > 0;
      n_partial += ids->len > 0 && ids->len < people->len;
    }

  /* The rules must be telling: most pick some people and leave others. */
  g_assert_cmpuint (n_partial, >, n_rules / 3);
  g_test_message ("%u rules, %u with members, %u partial", n_rules, n_nonempty, n_partial);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/segment/fields-and-ops", test_fields_and_ops);
  ADD ("/segment/groups", test_groups);
  g_test_add ("/segment/fields-and-ops/3-parts", Fixture, GUINT_TO_POINTER (3), fixture_set_up,
              test_fields_and_ops_in_parts, fixture_tear_down);
  g_test_add ("/segment/fields-and-ops/4-parts", Fixture, GUINT_TO_POINTER (4), fixture_set_up,
              test_fields_and_ops_in_parts, fixture_tear_down);
  ADD ("/segment/ranges", test_ranges);
  ADD ("/segment/range-keys", test_range_keys);
  ADD ("/segment/count-in-parts", test_count_in_parts_and_transactions);
  ADD ("/segment/members-order", test_members_order);
  g_test_add_func ("/segment/bad-rules", test_bad_rules);
  g_test_add_func ("/segment/limits", test_limits);
  ADD ("/segment/hostile-values", test_hostile_values);
  g_test_add_func ("/segment/round-trip", test_round_trip);
  ADD ("/segment/amount-decimals", test_amount_decimals);
  ADD ("/segment/segment-references", test_segment_references);
  ADD ("/segment/analysis-currency", test_analysis_currency);
  ADD ("/segment/loyalty-fields", test_loyalty_fields);
  ADD ("/segment/picker-values", test_picker_values);
  ADD ("/segment/saved", test_saved);
  ADD ("/segment/ready-made", test_ready_made);
  ADD ("/segment/random-rules", test_random_rules);

  return g_test_run ();
}
