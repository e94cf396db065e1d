/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-export.c: tests for ct-export */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "ct-contact.h"
#include "ct-csv.h"
#include "ct-export.h"
#include "ct-import.h"
#include "ct-parse.h"

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
  GError *error = NULL;

  f->dir = g_dir_make_tmp ("clientele-test-export-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "clientele.db", NULL);
  f->db = ct_db_open (f->path, &error);
  g_assert_no_error (error);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR))
          remove_tree (child);
        else
          g_remove (child);
      }
  g_chmod (path, 0700);
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->db);
  remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static void
exec_on (CtDb       *db,
         const char *sql)
{
  GError *error = NULL;

  ct_db_exec (db, sql, &error);
  g_assert_no_error (error);
}

static void
exec (Fixture    *f,
      const char *sql)
{
  GError *error = NULL;

  ct_db_exec (f->db, sql, &error);
  g_assert_no_error (error);
}

static gint64
add_contact (Fixture            *f,
             const char         *email,
             const char         *first,
             const char         *last,
             const char         *phone,
             const char * const *tags)
{
  g_autoptr(CtContact) contact = ct_contact_new ();
  GError *error = NULL;

  ct_contact_set_email (contact, email);
  ct_contact_set_first_name (contact, first);
  ct_contact_set_last_name (contact, last);
  ct_contact_set_phone (contact, phone);
  ct_contact_insert (f->db, contact, &error);
  g_assert_no_error (error);
  if (tags != NULL)
    {
      ct_contact_set_tags (f->db, ct_contact_get_id (contact), tags, &error);
      g_assert_no_error (error);
    }
  return ct_contact_get_id (contact);
}

static gint64
add_purchase (Fixture    *f,
              gint64      contact_id,
              gint64      product_id,
              gint64      amount,
              const char *currency,
              gint64      at,
              const char *ref,
              gboolean    refunded)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *error = NULL;

  stmt = ct_db_prepare (f->db,
                        "INSERT INTO purchases (contact_id, product_id, amount, currency,"
                        " purchased_at, source, external_ref, refunded)"
                        " VALUES (?1, nullif(?2, 0), ?3, ?4, ?5, 'shop', ?6, ?7)",
                        &error);
  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, contact_id);
  sqlite3_bind_int64 (stmt, 2, product_id);
  sqlite3_bind_int64 (stmt, 3, amount);
  sqlite3_bind_text (stmt, 4, currency, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, at);
  sqlite3_bind_text (stmt, 6, ref, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 7, refunded);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  return sqlite3_last_insert_rowid (ct_db_get_handle (f->db));
}

/* Exports @kind into memory. */
static char *
export_text (Fixture         *f,
             CtExportKind     kind,
             GArray          *ids,
             CtCsvWriteFlags  flags,
             guint           *n_rows,
             gsize           *len)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  GError *error = NULL;
  char nul = '\0';

  g_assert_true (ct_export_write (f->db, kind, ids, flags, out, n_rows, NULL, &error));
  g_assert_no_error (error);
  if (len != NULL)
    *len = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out));
  g_output_stream_write_all (out, &nul, 1, NULL, NULL, NULL);
  g_output_stream_close (out, NULL, NULL);
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

/* The records of @text, each a GStrv of its cells as the reader gives
 * them. */
static GPtrArray *
read_records (const char *text)
{
  g_autoptr(CtCsvReader) reader = NULL;
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  if (g_str_has_prefix (text, "\xEF\xBB\xBF"))
    text += 3;
  reader = ct_csv_reader_new (text, strlen (text), ',');
  while (ct_csv_reader_next (reader))
    {
      guint n;
      const char * const *fields = ct_csv_reader_get_fields (reader, &n);
      GStrv record = g_new0 (char *, n + 1);

      for (guint i = 0; i < n; i++)
        record[i] = g_strdup (fields[i]);
      g_ptr_array_add (records, record);
    }
  return records;
}

static const char *
cell (GPtrArray  *records,
      guint       row,
      const char *column)
{
  GStrv header = g_ptr_array_index (records, 0);
  GStrv record = g_ptr_array_index (records, row);

  for (guint i = 0; header[i] != NULL; i++)
    if (g_str_equal (header[i], column))
      {
        g_assert_cmpuint (i, <, g_strv_length (record));
        return record[i];
      }
  g_assert_not_reached ();
}

static void
test_kinds (void)
{
  CtExportKind kind = CT_EXPORT_PRODUCTS;

  g_assert_true (ct_export_kind_from_string ("contacts", &kind));
  g_assert_cmpint (kind, ==, CT_EXPORT_CONTACTS);
  g_assert_true (ct_export_kind_from_string ("Purchases", &kind));
  g_assert_cmpint (kind, ==, CT_EXPORT_PURCHASES);
  g_assert_true (ct_export_kind_from_string ("products", &kind));
  g_assert_cmpint (kind, ==, CT_EXPORT_PRODUCTS);
  g_assert_false (ct_export_kind_from_string ("contact", &kind));
  g_assert_false (ct_export_kind_from_string ("", &kind));
  g_assert_false (ct_export_kind_from_string (NULL, &kind));
  g_assert_cmpint (kind, ==, CT_EXPORT_PRODUCTS);
  g_assert_cmpstr (ct_export_kind_to_string (CT_EXPORT_PURCHASES), ==, "purchases");
}

static void
test_format (void)
{
  static const struct { gint64 minor; const char *currency; const char *text; } amounts[] = {
    { 123450, "CNY", "1234.50" },
    { 5, "CNY", "0.05" },
    { 0, "USD", "0.00" },
    { -1999, "EUR", "-19.99" },
    { 500, "JPY", "500" },
    { G_MININT64, "CNY", "-92233720368547758.08" },
  };
  static const struct { gint64 t; const char *text; } times[] = {
    { 1704445530, "2024-01-05T09:05:30Z" },
    { 0, "1970-01-01T00:00:00Z" },
    { 4102444799, "2099-12-31T23:59:59Z" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (amounts); i++)
    {
      g_autofree char *text = ct_export_format_amount (amounts[i].minor, amounts[i].currency);
      gint64 back = 0;

      g_assert_cmpstr (text, ==, amounts[i].text);
      /* What the importer reads back is the same amount. */
      if (amounts[i].minor != G_MININT64)
        {
          g_assert_true (ct_parse_amount (text, amounts[i].currency, &back, NULL));
          g_assert_cmpint (back, ==, amounts[i].minor);
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      g_autofree char *text = ct_export_format_time (times[i].t);
      gint64 back = -1;

      g_assert_cmpstr (text, ==, times[i].text);
      g_assert_true (ct_parse_date (text, FALSE, NULL, &back));
      g_assert_cmpint (back, ==, times[i].t);
    }
}

static void
test_columns (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *contacts = export_text (f, CT_EXPORT_CONTACTS, NULL, 0, NULL, NULL);
  g_autofree char *purchases = export_text (f, CT_EXPORT_PURCHASES, NULL, 0, NULL, NULL);
  g_autofree char *products = export_text (f, CT_EXPORT_PRODUCTS, NULL, 0, NULL, NULL);

  /* Exactly these, in this order: scripts rely on them. */
  g_assert_cmpstr (contacts, ==,
                   "email,first_name,last_name,phone,tags,channel,status,created_at,"
                   "purchases,total_spent,last_purchase_at,rfm_segment,lifecycle,tier,"
                   "points,clv,p_alive,cluster\n");
  g_assert_cmpstr (purchases, ==,
                   "order_id,source,paid_at,email,phone,name,product,amount,currency,"
                   "channel,refunded\n");
  g_assert_cmpstr (products, ==, "name,sku,kind,price,currency,active,sales,revenue\n");
}

static void
test_bom (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *with = NULL;
  g_autofree char *without = NULL;
  gsize len_with, len_without;

  add_contact (f, "wei@example.com", "伟", "张", "", NULL);
  with = export_text (f, CT_EXPORT_CONTACTS, NULL, CT_CSV_WRITE_BOM, NULL, &len_with);
  without = export_text (f, CT_EXPORT_CONTACTS, NULL, CT_CSV_WRITE_NONE, NULL, &len_without);

  g_assert_true (g_str_has_prefix (with, "\xEF\xBB\xBF" "email,"));
  g_assert_true (g_str_has_prefix (without, "email,"));
  g_assert_cmpuint (len_with, ==, len_without + 3);
  g_assert_cmpstr (with + 3, ==, without);
  /* Only at the start of the file. */
  g_assert_null (strstr (with + 3, "\xEF\xBB\xBF"));
}

static void
test_contacts (Fixture       *f,
               gconstpointer  data)
{
  const char *tags_wei[] = { "课程A", "vip", NULL };
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *text = NULL;
  gint64 wei, ada, phone_only;
  guint n_rows = 0;

  exec (f, "INSERT INTO channels (id, name) VALUES (7, '小红书')");
  wei = add_contact (f, "wei@example.com", "伟", "张", "13800138000", tags_wei);
  ada = add_contact (f, "Ada@Example.com", "Ada", "Lovelace", "+44 20 7946 0000", NULL);
  phone_only = add_contact (f, NULL, "", "", "13900000000", NULL);
  exec (f, "UPDATE contacts SET channel_id = 7, status = 'unsubscribed', created_at = 1704445530");

  add_purchase (f, wei, 0, 19900, "CNY", 1704445530, "A1", FALSE);
  add_purchase (f, wei, 0, 4950, "CNY", 1706745600, "A2", FALSE);
  add_purchase (f, wei, 0, 8800, "CNY", 1709251200, "A3", TRUE);   /* refunded */
  add_purchase (f, ada, 0, 1000, "CNY", 1704067200, "B1", FALSE);
  (void) phone_only;

  text = export_text (f, CT_EXPORT_CONTACTS, NULL, 0, &n_rows, NULL);
  g_assert_cmpuint (n_rows, ==, 3);
  records = read_records (text);
  g_assert_cmpuint (records->len, ==, 4);
  for (guint i = 0; i < records->len; i++)
    g_assert_cmpuint (g_strv_length (g_ptr_array_index (records, i)), ==, 18);

  /* By name as the contacts list sorts: "13900000000" (no name, by
   * phone), "LovelaceAda", "张伟". */
  g_assert_cmpstr (cell (records, 1, "phone"), ==, "13900000000");
  g_assert_cmpstr (cell (records, 1, "email"), ==, "");
  g_assert_cmpstr (cell (records, 1, "total_spent"), ==, "0.00");
  g_assert_cmpstr (cell (records, 1, "last_purchase_at"), ==, "");
  g_assert_cmpstr (cell (records, 1, "purchases"), ==, "0");

  g_assert_cmpstr (cell (records, 2, "email"), ==, "Ada@Example.com");
  g_assert_cmpstr (cell (records, 2, "first_name"), ==, "Ada");
  /* A phone number starting with + is neutralised, and the importer
   * takes the quote off again. */
  g_assert_cmpstr (cell (records, 2, "phone"), ==, "'+44 20 7946 0000");
  g_assert_cmpstr (ct_csv_cell_unneutralise (cell (records, 2, "phone")), ==, "+44 20 7946 0000");
  g_assert_cmpstr (cell (records, 2, "total_spent"), ==, "10.00");

  g_assert_cmpstr (cell (records, 3, "email"), ==, "wei@example.com");
  g_assert_cmpstr (cell (records, 3, "first_name"), ==, "伟");
  g_assert_cmpstr (cell (records, 3, "last_name"), ==, "张");
  g_assert_cmpstr (cell (records, 3, "phone"), ==, "13800138000");
  g_assert_cmpstr (cell (records, 3, "channel"), ==, "小红书");
  g_assert_cmpstr (cell (records, 3, "status"), ==, "unsubscribed");
  g_assert_cmpstr (cell (records, 3, "created_at"), ==, "2024-01-05T09:05:30Z");
  g_assert_cmpstr (cell (records, 3, "purchases"), ==, "2");
  g_assert_cmpstr (cell (records, 3, "total_spent"), ==, "248.50");
  g_assert_cmpstr (cell (records, 3, "last_purchase_at"), ==, "2024-02-01T00:00:00Z");
  /* The points the purchases earned (one per ¥1, rounded down). */
  g_assert_cmpstr (cell (records, 3, "points"), ==, "248");
  g_assert_cmpstr (cell (records, 2, "points"), ==, "10");
  /* No analysis stored yet (test-analytics checks the filled columns),
   * and no one placed in a tier yet (test-cli checks a placed one): left
   * empty rather than made up. */
  {
    static const char * const later[] = {
      "rfm_segment", "lifecycle", "tier", "clv", "p_alive", "cluster",
    };

    for (guint i = 0; i < G_N_ELEMENTS (later); i++)
      for (guint row = 1; row < records->len; row++)
        g_assert_cmpstr (cell (records, row, later[i]), ==, "");
  }

  /* The tags split back into the same tags, and the status reads back. */
  {
    g_auto(GStrv) tags = ct_parse_split_tags (cell (records, 3, "tags"));
    CtContactStatus status = CT_CONTACT_SUBSCRIBED;

    g_assert_cmpuint (g_strv_length (tags), ==, 2);
    g_assert_true (g_strv_contains ((const char * const *) tags, "vip"));
    g_assert_true (g_strv_contains ((const char * const *) tags, "课程A"));
    g_assert_true (ct_parse_status (cell (records, 3, "status"), &status));
    g_assert_cmpint (status, ==, CT_CONTACT_UNSUBSCRIBED);
  }
}

/* total_spent is in the main currency only, not a sum of yuan and
 * dollars. */
static void
test_contacts_mixed_currencies (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *text = NULL;
  gint64 a, b;

  a = add_contact (f, "a@example.com", "A", "", "", NULL);
  b = add_contact (f, "b@example.com", "B", "", "", NULL);
  add_purchase (f, a, 0, 10000, "CNY", 1704067200, "1", FALSE);
  add_purchase (f, a, 0, 2000, "USD", 1704067200, "2", FALSE);
  add_purchase (f, b, 0, 3000, "CNY", 1704067200, "3", FALSE);
  add_purchase (f, b, 0, 3000, "CNY", 1704067200, "4", TRUE);

  text = export_text (f, CT_EXPORT_CONTACTS, NULL, 0, NULL, NULL);
  records = read_records (text);
  g_assert_cmpstr (cell (records, 1, "email"), ==, "a@example.com");
  g_assert_cmpstr (cell (records, 1, "total_spent"), ==, "100.00");
  g_assert_cmpstr (cell (records, 1, "purchases"), ==, "2");
  g_assert_cmpstr (cell (records, 2, "total_spent"), ==, "30.00");
}

static void
test_neutralise (Fixture       *f,
                 gconstpointer  data)
{
  const char *tags[] = { "@admin", NULL };
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *text = NULL;
  g_autofree char *raw = NULL;

  exec (f, "INSERT INTO channels (id, name) VALUES (1, '\tHYPERLINK')");
  add_contact (f, "x@example.com", "=1+2", "-SUM(A1)", "+1 (555) 0100", tags);
  /* A plain number stays a number: it cannot run. */
  add_contact (f, "y@example.com", "Y", "", "+8613800138000", NULL);
  exec (f, "UPDATE contacts SET channel_id = 1");

  text = export_text (f, CT_EXPORT_CONTACTS, NULL, 0, NULL, NULL);
  records = read_records (text);
  g_assert_cmpstr (cell (records, 1, "first_name"), ==, "'=1+2");
  g_assert_cmpstr (cell (records, 1, "last_name"), ==, "'-SUM(A1)");
  g_assert_cmpstr (cell (records, 1, "phone"), ==, "'+1 (555) 0100");
  g_assert_cmpstr (cell (records, 2, "phone"), ==, "+8613800138000");
  g_assert_cmpstr (cell (records, 1, "tags"), ==, "'@admin");
  g_assert_cmpstr (cell (records, 1, "channel"), ==, "'\tHYPERLINK");
  /* No line of the file starts a cell with a formula character. */
  g_assert_null (strstr (text, ",=1"));
  g_assert_null (strstr (text, ",-SUM"));

  /* Asked not to, the cells are as stored. */
  raw = export_text (f, CT_EXPORT_CONTACTS, NULL, CT_CSV_WRITE_NO_NEUTRALISE, NULL, NULL);
  g_clear_pointer (&records, g_ptr_array_unref);
  records = read_records (raw);
  g_assert_cmpstr (cell (records, 1, "first_name"), ==, "=1+2");
  g_assert_cmpstr (cell (records, 1, "tags"), ==, "@admin");
}

static void
test_chinese_and_quoting (Fixture       *f,
                          gconstpointer  data)
{
  const char *tags[] = { "读书会", "年度会员", NULL };
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *text = NULL;

  add_contact (f, "娜娜@例子.中国", "娜娜", "欧阳", "", tags);
  add_contact (f, "q@example.com", "Say \"hi\", then", "O'Brien\nline two", "", NULL);

  text = export_text (f, CT_EXPORT_CONTACTS, NULL, CT_CSV_WRITE_BOM, NULL, NULL);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  records = read_records (text);
  g_assert_cmpuint (records->len, ==, 3);
  /* "OBrien…" sorts before "欧阳娜娜". */
  g_assert_cmpstr (cell (records, 1, "first_name"), ==, "Say \"hi\", then");
  g_assert_cmpstr (cell (records, 1, "last_name"), ==, "O'Brien\nline two");
  g_assert_cmpstr (cell (records, 2, "email"), ==, "娜娜@例子.中国");
  g_assert_cmpstr (cell (records, 2, "first_name"), ==, "娜娜");
  g_assert_cmpstr (cell (records, 2, "last_name"), ==, "欧阳");
  g_assert_cmpstr (cell (records, 2, "tags"), ==, "年度会员, 读书会");
}

static void
test_purchases_and_products (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *text = NULL;
  gint64 wei, course, book;
  guint n_rows = 0;

  exec (f, "INSERT INTO channels (id, name) VALUES (3, '公众号')");
  exec (f, "INSERT INTO products (id, name, sku, kind, price, currency, active) VALUES"
           " (1, '写作课', 'W-1', 'course', 19900, 'CNY', 1),"
           " (2, 'Ebook', NULL, 'ebook', 500, 'JPY', 0)");
  course = 1;
  book = 2;
  wei = add_contact (f, "wei@example.com", "伟", "张", "13800138000", NULL);
  add_purchase (f, wei, course, 19900, "CNY", 1709251200, "ORD-2", FALSE);
  add_purchase (f, wei, book, 500, "JPY", 1704445530, "ORD-1", FALSE);
  add_purchase (f, wei, course, 19900, "CNY", 1706745600, NULL, TRUE);
  exec (f, "UPDATE purchases SET channel_id = 3 WHERE external_ref = 'ORD-2'");

  text = export_text (f, CT_EXPORT_PURCHASES, NULL, 0, &n_rows, NULL);
  g_assert_cmpuint (n_rows, ==, 3);
  records = read_records (text);
  /* By time paid. */
  g_assert_cmpstr (cell (records, 1, "order_id"), ==, "ORD-1");
  g_assert_cmpstr (cell (records, 1, "paid_at"), ==, "2024-01-05T09:05:30Z");
  g_assert_cmpstr (cell (records, 1, "amount"), ==, "500");
  g_assert_cmpstr (cell (records, 1, "currency"), ==, "JPY");
  g_assert_cmpstr (cell (records, 1, "product"), ==, "Ebook");
  g_assert_cmpstr (cell (records, 1, "refunded"), ==, "no");
  g_assert_cmpstr (cell (records, 2, "order_id"), ==, "");
  g_assert_cmpstr (cell (records, 2, "refunded"), ==, "yes");
  g_assert_cmpstr (cell (records, 3, "order_id"), ==, "ORD-2");
  g_assert_cmpstr (cell (records, 3, "source"), ==, "shop");
  g_assert_cmpstr (cell (records, 3, "email"), ==, "wei@example.com");
  g_assert_cmpstr (cell (records, 3, "phone"), ==, "13800138000");
  g_assert_cmpstr (cell (records, 3, "name"), ==, "张伟");
  g_assert_cmpstr (cell (records, 3, "product"), ==, "写作课");
  g_assert_cmpstr (cell (records, 3, "amount"), ==, "199.00");
  g_assert_cmpstr (cell (records, 3, "channel"), ==, "公众号");

  {
    gboolean refunded = FALSE;

    g_assert_true (ct_parse_bool (cell (records, 2, "refunded"), &refunded));
    g_assert_true (refunded);
    g_assert_true (ct_parse_bool (cell (records, 1, "refunded"), &refunded));
    g_assert_false (refunded);
  }

  g_clear_pointer (&text, g_free);
  g_clear_pointer (&records, g_ptr_array_unref);
  text = export_text (f, CT_EXPORT_PRODUCTS, NULL, 0, &n_rows, NULL);
  g_assert_cmpuint (n_rows, ==, 2);
  records = read_records (text);
  g_assert_cmpstr (cell (records, 1, "name"), ==, "Ebook");
  g_assert_cmpstr (cell (records, 1, "sku"), ==, "");
  g_assert_cmpstr (cell (records, 1, "kind"), ==, "ebook");
  g_assert_cmpstr (cell (records, 1, "price"), ==, "500");
  g_assert_cmpstr (cell (records, 1, "active"), ==, "no");
  g_assert_cmpstr (cell (records, 1, "sales"), ==, "1");
  g_assert_cmpstr (cell (records, 1, "revenue"), ==, "500");
  g_assert_cmpstr (cell (records, 2, "name"), ==, "写作课");
  g_assert_cmpstr (cell (records, 2, "sku"), ==, "W-1");
  g_assert_cmpstr (cell (records, 2, "price"), ==, "199.00");
  g_assert_cmpstr (cell (records, 2, "active"), ==, "yes");
  /* The refund does not count. */
  g_assert_cmpstr (cell (records, 2, "sales"), ==, "1");
  g_assert_cmpstr (cell (records, 2, "revenue"), ==, "199.00");
}

static void
test_ids (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *text = NULL;
  GError *error = NULL;
  gint64 a, b, c, missing = 999;
  guint n_rows = 0;

  a = add_contact (f, "a@example.com", "A", "", "", NULL);
  b = add_contact (f, "b@example.com", "B", "", "", NULL);
  c = add_contact (f, "c@example.com", "C", "", "", NULL);

  /* In the order given, not by name. */
  g_array_append_val (ids, c);
  g_array_append_val (ids, a);
  text = export_text (f, CT_EXPORT_CONTACTS, ids, 0, &n_rows, NULL);
  g_assert_cmpuint (n_rows, ==, 2);
  records = read_records (text);
  g_assert_cmpuint (records->len, ==, 3);
  g_assert_cmpstr (cell (records, 1, "email"), ==, "c@example.com");
  g_assert_cmpstr (cell (records, 2, "email"), ==, "a@example.com");
  (void) b;

  /* An empty selection is the header alone. */
  g_array_set_size (ids, 0);
  g_clear_pointer (&text, g_free);
  text = export_text (f, CT_EXPORT_CONTACTS, ids, 0, &n_rows, NULL);
  g_assert_cmpuint (n_rows, ==, 0);
  g_assert_true (g_str_has_prefix (text, "email,"));
  g_assert_cmpstr (strchr (text, '\n'), ==, "\n");

  /* A missing id is an error, not a silently shorter file. */
  g_array_append_val (ids, a);
  g_array_append_val (ids, missing);
  g_assert_false (ct_export_write (f->db, CT_EXPORT_CONTACTS, ids, 0, out, &n_rows, NULL, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "999"));
  g_assert_cmpuint (n_rows, ==, 0);
  g_clear_error (&error);
  /* No transaction is left open. */
  g_assert_true (sqlite3_get_autocommit (ct_db_get_handle (f->db)));
}

static char *
read_file (const char *path)
{
  char *contents = NULL;
  GError *error = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static char *
read_file_in (Fixture    *f,
              const char *name)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);

  return read_file (path);
}

static void
test_file (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "联系人.csv", NULL);
  g_autofree char *missing_dir = g_build_filename (f->dir, "no", "such", "dir.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) bad = g_file_new_for_path (missing_dir);
  g_autoptr(GFile) folder = g_file_new_for_path (f->dir);
  g_autoptr(GCancellable) cancelled = g_cancellable_new ();
  g_autofree char *contents = NULL;
  GError *error = NULL;
  guint n_rows = 42;

  add_contact (f, "wei@example.com", "伟", "张", "", NULL);

  /* Cancelled before a new file is written: no file at all. */
  g_cancellable_cancel (cancelled);
  g_assert_false (ct_export_to_file (f->db, CT_EXPORT_CONTACTS, NULL, 0, file, &n_rows,
                                     cancelled, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  g_assert_true (ct_export_to_file (f->db, CT_EXPORT_CONTACTS, NULL, CT_CSV_WRITE_BOM, file,
                                    &n_rows, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_rows, ==, 1);
  contents = read_file (path);
  g_assert_true (g_str_has_prefix (contents, "\xEF\xBB\xBF" "email,first_name"));
  g_assert_nonnull (strstr (contents, "\nwei@example.com,伟,张,"));

  /* A failure on an existing file leaves it as it was. */
  add_contact (f, "ada@example.com", "Ada", "Lovelace", "", NULL);
  g_assert_false (ct_export_to_file (f->db, CT_EXPORT_CONTACTS, NULL, 0, file, NULL,
                                     cancelled, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  {
    g_autofree char *again = read_file (path);

    g_assert_cmpstr (again, ==, contents);
  }

  /* Nowhere to write. */
  g_assert_false (ct_export_to_file (f->db, CT_EXPORT_CONTACTS, NULL, 0, bad, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (ct_export_to_file (f->db, CT_EXPORT_CONTACTS, NULL, 0, folder, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* Nothing but the database and the export is left in the folder. */
  {
    g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (dir)) != NULL)
      g_assert_true (g_str_equal (name, "联系人.csv") || g_str_has_prefix (name, "clientele.db"));
  }
}

static void
on_exported (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "purchases.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *contents = NULL;
  GError *error = NULL;
  guint n_rows = 0;
  gint64 wei, p1, p2;

  wei = add_contact (f, "wei@example.com", "伟", "张", "", NULL);
  p1 = add_purchase (f, wei, 0, 100, "CNY", 1704067200, "1", FALSE);
  p2 = add_purchase (f, wei, 0, 200, "CNY", 1704067300, "2", FALSE);
  g_array_append_val (ids, p2);
  g_array_append_val (ids, p1);

  ct_export_to_file_async (f->db, CT_EXPORT_PURCHASES, ids, 0, file, NULL, on_exported, &result);
  /* The ids were copied. */
  g_array_set_size (ids, 0);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_true (ct_export_to_file_finish (result, &n_rows, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_rows, ==, 2);
  contents = read_file (path);
  g_assert_true (g_str_has_prefix (contents, "order_id,"));
  g_assert_nonnull (strstr (contents, "\n2,shop,2024-01-01T00:01:40Z,wei@example.com,,张伟,,2.00,CNY,,no\n"
                                      "1,shop,2024-01-01T00:00:00Z,"));
}


/* Export, then import into a new database: the same contacts. */
static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  const char *tags[] = { "vip", "课程A", NULL };
  g_autofree char *path = g_build_filename (f->dir, "out.csv", NULL);
  g_autofree char *path2 = g_build_filename (f->dir, "again.csv", NULL);
  g_autofree char *db2_path = g_build_filename (f->dir, "copy.db", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) file2 = g_file_new_for_path (path2);
  g_autoptr(CtDb) db2 = NULL;
  g_autoptr(CtImporter) importer = NULL;
  g_autoptr(CtImportResult) result = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  GError *error = NULL;

  add_contact (f, "wei@example.com", "伟", "张", "13800138000", tags);
  add_contact (f, "ada@example.com", "=cmd", "Lovelace", "+44 1", NULL);
  add_contact (f, NULL, "", "", "13900000000", NULL);
  exec (f, "UPDATE contacts SET status = 'bounced', created_at = 1704445530");

  g_assert_true (ct_export_to_file (f->db, CT_EXPORT_CONTACTS, NULL, CT_CSV_WRITE_BOM, file,
                                    NULL, NULL, &error));
  g_assert_no_error (error);

  db2 = ct_db_open (db2_path, &error);
  g_assert_no_error (error);
  importer = ct_importer_new (CT_IMPORT_CONTACTS);
  g_assert_true (ct_importer_load_file (importer, file, NULL, &error));
  g_assert_no_error (error);
  result = ct_importer_run (importer, db2, FALSE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_assert_cmpuint (ct_import_result_get_rejected (result), ==, 0);
  g_assert_cmpuint (ct_import_result_get_imported (result), ==, 3);

  /* The second database exports the same file, byte for byte. */
  g_assert_true (ct_export_to_file (db2, CT_EXPORT_CONTACTS, NULL, CT_CSV_WRITE_BOM, file2,
                                    NULL, NULL, &error));
  g_assert_no_error (error);
  first = read_file (path);
  second = read_file (path2);
  g_assert_cmpstr (first, ==, second);
}

/* The same for purchases, imported twice: the second import adds
 * nothing (order ids per source). */
static void
test_round_trip_purchases (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "p.csv", NULL);
  g_autofree char *path2 = g_build_filename (f->dir, "p2.csv", NULL);
  g_autofree char *db2_path = g_build_filename (f->dir, "copy.db", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) file2 = g_file_new_for_path (path2);
  g_autoptr(CtDb) db2 = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  GError *error = NULL;
  gint64 wei, ada;

  exec (f, "INSERT INTO channels (id, name) VALUES (3, '公众号')");
  exec (f, "INSERT INTO products (id, name, sku, price) VALUES (1, '写作课', 'W-1', 19900)");
  wei = add_contact (f, "wei@example.com", "伟", "张", "13800138000", NULL);
  ada = add_contact (f, "ada@example.com", "Ada", "Lovelace", "", NULL);
  add_purchase (f, wei, 1, 19900, "CNY", 1704445530, "ORD-1", FALSE);
  add_purchase (f, wei, 1, 19900, "CNY", 1706745600, "ORD-2", TRUE);
  add_purchase (f, ada, 1, 2550, "USD", 1709251200, "ORD-3", FALSE);
  exec (f, "UPDATE purchases SET channel_id = 3");

  g_assert_true (ct_export_to_file (f->db, CT_EXPORT_PURCHASES, NULL, 0, file, NULL, NULL, &error));
  g_assert_no_error (error);

  db2 = ct_db_open (db2_path, &error);
  g_assert_no_error (error);
  exec_on (db2, "INSERT INTO products (id, name, sku, price) VALUES (1, '写作课', 'W-1', 19900)");
  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(CtImporter) importer = ct_importer_new (CT_IMPORT_PURCHASES);
      g_autoptr(CtImportResult) result = NULL;

      g_assert_true (ct_importer_load_file (importer, file, NULL, &error));
      g_assert_no_error (error);
      /* No mapping given: the exported header reads back as it is. */
      g_assert_cmpint (ct_importer_get_column_field (importer, 1), ==, CT_IMPORT_FIELD_SOURCE);
      result = ct_importer_run (importer, db2, FALSE, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (ct_import_result_get_rejected (result), ==, 0);
      g_assert_cmpuint (ct_import_result_get_imported (result), ==, round == 0 ? 3 : 0);
    }

  g_assert_true (ct_export_to_file (db2, CT_EXPORT_PURCHASES, NULL, 0, file2, NULL, NULL, &error));
  g_assert_no_error (error);
  first = read_file (path);
  second = read_file (path2);
  g_assert_cmpstr (first, ==, second);
}

/* The command line, run as a separate process. */

typedef struct
{
  int   status;
  char *out;
  char *err;
} CliResult;

static void
cli_result_clear (CliResult *r)
{
  g_free (r->out);
  g_free (r->err);
}

G_GNUC_NULL_TERMINATED
static CliResult
run_cli (Fixture    *f,
         const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_get_environ ();
  g_autofree char *data_home = g_build_filename (f->dir, "data", NULL);
  const char *bin = g_getenv ("CLIENTELE_BIN");
  GError *error = NULL;
  CliResult r = { 0 };
  int wait_status = 0;
  va_list args;

  if (bin == NULL)
    g_error ("CLIENTELE_BIN is not set; run through meson test");

  /* No display, English messages, and a data folder of our own so the
   * default database is never the user's. */
  envp = g_environ_unsetenv (envp, "DISPLAY");
  envp = g_environ_unsetenv (envp, "WAYLAND_DISPLAY");
  envp = g_environ_setenv (envp, "XDG_DATA_HOME", data_home, TRUE);
  envp = g_environ_setenv (envp, "LC_ALL", "C.UTF-8", TRUE);
  envp = g_environ_setenv (envp, "LANGUAGE", "en", TRUE);

  g_ptr_array_add (argv, (char *) bin);
  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (f->dir, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                &r.out, &r.err, &wait_status, &error);
  g_assert_no_error (error);
  if (WIFEXITED (wait_status))
    r.status = WEXITSTATUS (wait_status);
  else
    r.status = -1;
  return r;
}

static void
assert_cli (CliResult  *r,
            int         status,
            const char *out,
            const char *err_part)
{
  if (r->status != status)
    g_error ("exit status %d, not %d; stderr: %s", r->status, status, r->err);
  if (out != NULL)
    g_assert_cmpstr (r->out, ==, out);
  if (err_part != NULL && strstr (r->err, err_part) == NULL)
    g_error ("stderr “%s” does not say “%s”", r->err, err_part);
}

static void
test_cli (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *contents = NULL;
  g_autofree char *folder = g_build_filename (f->dir, "sub", NULL);
  CliResult r;

  add_contact (f, "wei@example.com", "伟", "张", "13800138000", NULL);
  add_contact (f, "ada@example.com", "Ada", "Lovelace", "", NULL);
  /* The command reads the file from another process. */
  exec (f, "PRAGMA wal_checkpoint(TRUNCATE)");

  r = run_cli (f, "export", "contacts", "out.csv", "--db", f->path, "--bom", NULL);
  assert_cli (&r, 0, "exported 2 rows to out.csv\n", NULL);
  cli_result_clear (&r);
  contents = read_file_in (f, "out.csv");
  g_assert_true (g_str_has_prefix (contents, "\xEF\xBB\xBF" "email,first_name,last_name,phone,tags,"));
  g_clear_pointer (&contents, g_free);

  r = run_cli (f, "export", "purchases", "p.csv", "--db", f->path, NULL);
  assert_cli (&r, 0, "exported 0 rows to p.csv\n", NULL);
  cli_result_clear (&r);
  contents = read_file_in (f, "p.csv");
  g_assert_cmpstr (contents, ==, "order_id,source,paid_at,email,phone,name,product,amount,currency,channel,refunded\n");
  g_clear_pointer (&contents, g_free);

  r = run_cli (f, "export", "products", "pr.csv", "--db", f->path, NULL);
  assert_cli (&r, 0, "exported 0 rows to pr.csv\n", NULL);
  cli_result_clear (&r);

  /* .vcf means vCard. */
  r = run_cli (f, "export", "contacts", "all.vcf", "--db", f->path, NULL);
  assert_cli (&r, 0, "exported 2 cards to all.vcf\n", NULL);
  cli_result_clear (&r);
  contents = read_file_in (f, "all.vcf");
  g_assert_true (g_str_has_prefix (contents, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\n"));
  g_clear_pointer (&contents, g_free);
  r = run_cli (f, "export", "contacts", "all4.txt", "--format", "vcard", "--vcard-version", "4.0",
               "--db", f->path, NULL);
  assert_cli (&r, 0, "exported 2 cards to all4.txt\n", NULL);
  cli_result_clear (&r);
  contents = read_file_in (f, "all4.txt");
  g_assert_true (g_str_has_prefix (contents, "BEGIN:VCARD\r\nVERSION:4.0\r\n"));
  g_clear_pointer (&contents, g_free);

  /* One contact's data, found by email in any case. */
  r = run_cli (f, "export", "contact", "WEI@example.com", "wei.json", "--db", f->path, NULL);
  assert_cli (&r, 0, "exported contact WEI@example.com to wei.json\n", NULL);
  cli_result_clear (&r);
  contents = read_file_in (f, "wei.json");
  g_assert_nonnull (strstr (contents, "\"last_name\" : \"张\""));
  g_clear_pointer (&contents, g_free);

  /* Mistakes on the command line: 2. */
  r = run_cli (f, "export", "customers", "x.csv", "--db", f->path, NULL);
  assert_cli (&r, 2, "", "There is no list “customers” to export");
  cli_result_clear (&r);
  r = run_cli (f, "export", "contacts", "--db", f->path, NULL);
  assert_cli (&r, 2, "", "Give the file to write the contacts to.");
  cli_result_clear (&r);
  r = run_cli (f, "export", NULL);
  assert_cli (&r, 2, "", "Say what to export");
  cli_result_clear (&r);
  r = run_cli (f, "export", "contacts", "x.csv", "extra", "--db", f->path, NULL);
  assert_cli (&r, 2, "", "Unexpected argument “extra”");
  cli_result_clear (&r);
  r = run_cli (f, "export", "contacts", "x.csv", "--format", "xlsx", "--db", f->path, NULL);
  assert_cli (&r, 2, "", "There is no format “xlsx”");
  cli_result_clear (&r);
  r = run_cli (f, "export", "purchases", "x.vcf", "--format", "vcard", "--db", f->path, NULL);
  assert_cli (&r, 2, "", "Only contacts can be exported as vCard.");
  cli_result_clear (&r);
  r = run_cli (f, "export", "contacts", "x.vcf", "--bom", "--db", f->path, NULL);
  assert_cli (&r, 2, "", "--bom and --no-neutralise are for CSV files");
  cli_result_clear (&r);
  r = run_cli (f, "export", "contact", "wei@example.com", "--db", f->path, NULL);
  assert_cli (&r, 2, "", "Give the contact’s email and the file to write");
  cli_result_clear (&r);
  r = run_cli (f, "export", "contacts", "x.csv", "--bogus", NULL);
  assert_cli (&r, 2, "", "--bogus");
  cli_result_clear (&r);
  g_assert_false (g_file_test (folder, G_FILE_TEST_EXISTS));

  /* Failures: 1, and no file. */
  r = run_cli (f, "export", "contacts", "x.csv", "--db", "missing.db", NULL);
  assert_cli (&r, 1, "", "There is no database at “missing.db”.");
  cli_result_clear (&r);
  r = run_cli (f, "export", "contacts", "sub/x.csv", "--db", f->path, NULL);
  assert_cli (&r, 1, "", "sub/x.csv");
  cli_result_clear (&r);
  r = run_cli (f, "export", "contact", "nobody@example.com", "n.json", "--db", f->path, NULL);
  assert_cli (&r, 1, "", "There is no contact with the email “nobody@example.com”.");
  cli_result_clear (&r);
  {
    g_autofree char *not_db = g_build_filename (f->dir, "notes.txt", NULL);

    g_file_set_contents (not_db, "hello, this is not a database\n", -1, NULL);
    r = run_cli (f, "export", "contacts", "x.csv", "--db", "notes.txt", NULL);
    assert_cli (&r, 1, "", NULL);
    g_assert_cmpstr (r.err, !=, "");
    cli_result_clear (&r);
  }
  for (const char *const *name = (const char *const[]) { "x.csv", "x.vcf", "n.json", NULL }; *name != NULL; name++)
    {
      g_autofree char *path = g_build_filename (f->dir, *name, NULL);

      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }

  /* Listed in help. */
  r = run_cli (f, "help", NULL);
  assert_cli (&r, 0, NULL, NULL);
  g_assert_nonnull (strstr (r.out, "  export "));
  cli_result_clear (&r);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/export/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/export/kinds", test_kinds);
  g_test_add_func ("/export/format", test_format);
  ADD ("columns", test_columns);
  ADD ("bom", test_bom);
  ADD ("contacts", test_contacts);
  ADD ("contacts-mixed-currencies", test_contacts_mixed_currencies);
  ADD ("neutralise", test_neutralise);
  ADD ("chinese-and-quoting", test_chinese_and_quoting);
  ADD ("purchases-and-products", test_purchases_and_products);
  ADD ("ids", test_ids);
  ADD ("file", test_file);
  ADD ("async", test_async);
  ADD ("cli", test_cli);
  ADD ("round-trip", test_round_trip);
  ADD ("round-trip-purchases", test_round_trip_purchases);

#undef ADD

  return g_test_run ();
}
