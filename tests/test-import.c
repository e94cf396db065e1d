/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-import.c: importing contacts and purchases: detection, mapping,
 * row checks with line numbers, duplicates, idempotent re-import, the
 * rollback on cancel, dry runs, a 10 MB file and the command line */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "ct-contact.h"
#include "ct-export.h"
#include "ct-import.h"
#include "ct-privacy.h"

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

  f->dir = g_dir_make_tmp ("clientele-import-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "test.db", NULL);
  f->db = ct_db_open (f->path, &error);
  g_assert_no_error (error);
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
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

static char *
data_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "import", name, NULL);
}

static CtImporter *
load_fixture (CtImportKind  kind,
              const char   *name)
{
  g_autofree char *path = data_path (name);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  CtImporter *importer = ct_importer_new (kind);

  g_assert_true (ct_importer_load_file (importer, file, NULL, &error));
  g_assert_no_error (error);
  return importer;
}

static CtImporter *
load_text (CtImportKind  kind,
           const char   *text,
           const char   *name)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  CtImporter *importer = ct_importer_new (kind);

  g_assert_true (ct_importer_load_bytes (importer, bytes, name, &error));
  g_assert_no_error (error);
  return importer;
}

static CtImportResult *
run (CtImporter *importer,
     CtDb       *db,
     gboolean    dry_run)
{
  g_autoptr(GError) error = NULL;
  CtImportResult *result = ct_importer_run (importer, db, dry_run, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
  return result;
}

static void
assert_counts (CtImportResult *result,
               guint           imported,
               guint           updated,
               guint           skipped,
               guint           rejected)
{
  g_autofree char *text = ct_import_result_to_string (result);
  g_autofree char *expected = g_strdup_printf ("imported %u, updated %u, skipped %u, rejected %u",
                                               imported, updated, skipped, rejected);

  g_assert_cmpstr (text, ==, expected);
}

static gint64
count (CtDb       *db,
       const char *sql)
{
  g_autoptr(GError) error = NULL;
  gint64 n = ct_db_query_int64 (db, sql, &error);

  g_assert_no_error (error);
  return n;
}

static char *
query_text (CtDb       *db,
            const char *sql)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, sql, NULL);
  int rc;

  g_assert_nonnull (stmt);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

static char *
schema (CtDb *db)
{
  return query_text (db, "SELECT group_concat(type || ' ' || name || ': ' || coalesce(sql, ''), '\n')"
                         " FROM (SELECT * FROM sqlite_master ORDER BY type, name)");
}

/* Everything the import can touch, as one checksum. */
static char *
digest (CtDb *db)
{
  static const char *tables[] = {
    "SELECT * FROM contacts ORDER BY id",
    "SELECT * FROM purchases ORDER BY id",
    "SELECT * FROM products ORDER BY id",
    "SELECT * FROM channels ORDER BY id",
    "SELECT * FROM tags ORDER BY id",
    "SELECT * FROM contact_tags ORDER BY contact_id, tag_id",
  };
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, tables[t], NULL);

      g_assert_nonnull (stmt);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        for (int c = 0; c < sqlite3_column_count (stmt); c++)
          {
            const char *text = (const char *) sqlite3_column_text (stmt, c);

            g_checksum_update (sum, (const guchar *) (text != NULL ? text : "\\N"), -1);
            g_checksum_update (sum, (const guchar *) "\x1f", 1);
          }
      g_checksum_update (sum, (const guchar *) "\x1e", 1);
    }
  return g_strdup (g_checksum_get_string (sum));
}

static int
column_of (CtImporter    *importer,
           CtImportField  field)
{
  for (guint c = 0; c < ct_importer_get_n_columns (importer); c++)
    if (ct_importer_get_column_field (importer, c) == field)
      return c;
  return -1;
}

/* ------------------------------------------------------------------ */

static void
test_fields (void)
{
  CtImportField field;
  CtImportDuplicates policy;
  const CtImportField *fields;
  guint n;

  for (guint i = 0; i < CT_IMPORT_N_FIELDS; i++)
    {
      g_assert_true (ct_import_field_from_string (ct_import_field_to_string (i), &field));
      g_assert_cmpint (field, ==, i);
      g_assert_nonnull (ct_import_field_get_label (i));
    }

  g_assert_true (ct_import_field_from_string ("First Name", &field));
  g_assert_cmpint (field, ==, CT_IMPORT_FIELD_FIRST_NAME);
  g_assert_true (ct_import_field_from_string ("first-name", &field));
  g_assert_cmpint (field, ==, CT_IMPORT_FIELD_FIRST_NAME);
  g_assert_true (ct_import_field_from_string ("邮箱", &field));
  g_assert_cmpint (field, ==, CT_IMPORT_FIELD_EMAIL);
  g_assert_true (ct_import_field_from_string ("实付金额", &field));
  g_assert_cmpint (field, ==, CT_IMPORT_FIELD_AMOUNT);
  g_assert_true (ct_import_field_from_string ("PAID_AT", &field));
  g_assert_cmpint (field, ==, CT_IMPORT_FIELD_PAID_AT);
  g_assert_false (ct_import_field_from_string ("favourite colour", &field));

  fields = ct_import_kind_get_fields (CT_IMPORT_CONTACTS, &n);
  g_assert_cmpint (fields[0], ==, CT_IMPORT_FIELD_IGNORE);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (fields[i], !=, CT_IMPORT_FIELD_AMOUNT);
  fields = ct_import_kind_get_fields (CT_IMPORT_PURCHASES, &n);
  g_assert_cmpint (fields[0], ==, CT_IMPORT_FIELD_IGNORE);

  g_assert_true (ct_import_duplicates_from_string ("overwrite", &policy));
  g_assert_cmpint (policy, ==, CT_IMPORT_DUPLICATES_OVERWRITE);
  g_assert_true (ct_import_duplicates_from_string ("Update-Empty", &policy));
  g_assert_cmpint (policy, ==, CT_IMPORT_DUPLICATES_UPDATE_EMPTY);
  g_assert_cmpstr (ct_import_duplicates_to_string (CT_IMPORT_DUPLICATES_SKIP), ==, "skip");
  g_assert_false (ct_import_duplicates_from_string ("merge", &policy));
}

static void
test_guess_headers (void)
{
  static const struct
  {
    CtImportKind   kind;
    const char    *header;
    CtImportField  field;
  } cases[] = {
    { CT_IMPORT_PURCHASES, "邮箱", CT_IMPORT_FIELD_EMAIL },
    { CT_IMPORT_PURCHASES, "电子邮件", CT_IMPORT_FIELD_EMAIL },
    { CT_IMPORT_PURCHASES, "Customer Email", CT_IMPORT_FIELD_EMAIL },
    { CT_IMPORT_PURCHASES, "昵称", CT_IMPORT_FIELD_NAME },
    { CT_IMPORT_PURCHASES, "手机号", CT_IMPORT_FIELD_PHONE },
    { CT_IMPORT_PURCHASES, "金额(元)", CT_IMPORT_FIELD_AMOUNT },
    { CT_IMPORT_PURCHASES, "实付金额", CT_IMPORT_FIELD_AMOUNT },
    { CT_IMPORT_PURCHASES, "付款时间", CT_IMPORT_FIELD_PAID_AT },
    { CT_IMPORT_PURCHASES, "Paid at", CT_IMPORT_FIELD_PAID_AT },
    { CT_IMPORT_PURCHASES, "商品名称", CT_IMPORT_FIELD_PRODUCT },
    { CT_IMPORT_PURCHASES, "Order ID", CT_IMPORT_FIELD_ORDER_ID },
    { CT_IMPORT_PURCHASES, "订单编号", CT_IMPORT_FIELD_ORDER_ID },
    { CT_IMPORT_PURCHASES, "来源", CT_IMPORT_FIELD_CHANNEL },
    /* A field's own name wins over the synonym; contacts have no order
     * source, so there "source" is where the person came from. */
    { CT_IMPORT_PURCHASES, "source", CT_IMPORT_FIELD_SOURCE },
    { CT_IMPORT_PURCHASES, "Source", CT_IMPORT_FIELD_SOURCE },
    { CT_IMPORT_CONTACTS, "source", CT_IMPORT_FIELD_CHANNEL },
    { CT_IMPORT_PURCHASES, "paid_at", CT_IMPORT_FIELD_PAID_AT },
    { CT_IMPORT_PURCHASES, "币种", CT_IMPORT_FIELD_CURRENCY },
    { CT_IMPORT_PURCHASES, "退款", CT_IMPORT_FIELD_REFUNDED },
    { CT_IMPORT_PURCHASES, "日期", CT_IMPORT_FIELD_PAID_AT },
    { CT_IMPORT_CONTACTS, "日期", CT_IMPORT_FIELD_CREATED_AT },
    { CT_IMPORT_CONTACTS, "注册时间", CT_IMPORT_FIELD_CREATED_AT },
    { CT_IMPORT_CONTACTS, "标签", CT_IMPORT_FIELD_TAGS },
    { CT_IMPORT_CONTACTS, "Status", CT_IMPORT_FIELD_STATUS },
    { CT_IMPORT_CONTACTS, "备注", CT_IMPORT_FIELD_NOTES },
    { CT_IMPORT_CONTACTS, "公司", CT_IMPORT_FIELD_COMPANY },
    { CT_IMPORT_CONTACTS, "渠道", CT_IMPORT_FIELD_CHANNEL },
    { CT_IMPORT_CONTACTS, "First Name", CT_IMPORT_FIELD_FIRST_NAME },
    { CT_IMPORT_CONTACTS, "姓名", CT_IMPORT_FIELD_NAME },
    { CT_IMPORT_CONTACTS, "会员等级", CT_IMPORT_FIELD_IGNORE },
    /* A purchases word means nothing in a contacts file. */
    { CT_IMPORT_CONTACTS, "金额", CT_IMPORT_FIELD_IGNORE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("%s,other\nx,y\n", cases[i].header);
      g_autoptr(CtImporter) importer = load_text (cases[i].kind, text, "guess.csv");

      g_test_message ("%s", cases[i].header);
      g_assert_true (ct_importer_get_has_header (importer));
      g_assert_cmpuint (ct_importer_get_n_columns (importer), ==, 2);
      g_assert_cmpstr (ct_importer_get_column_name (importer, 0), ==, cases[i].header);
      g_assert_cmpint (ct_importer_get_column_field (importer, 0), ==, cases[i].field);
    }
}

/* A field's own name takes its field even after a synonym of it, and
 * leaves the synonym's other meaning to the next column. */
static void
test_guess_exact_names (void)
{
  static const struct
  {
    CtImportKind   kind;
    const char    *header;
    CtImportField  fields[4];
  } cases[] = {
    /* As the purchases export writes it (ct-export.h). */
    { CT_IMPORT_PURCHASES, "order_id,source,paid_at,email,phone,name,product,amount,currency,channel,refunded\n",
      { CT_IMPORT_FIELD_ORDER_ID, CT_IMPORT_FIELD_SOURCE, CT_IMPORT_FIELD_PAID_AT, CT_IMPORT_FIELD_EMAIL } },
    /* Without a channel column "source" is still the order source. */
    { CT_IMPORT_PURCHASES, "source,email,amount,paid_at\n",
      { CT_IMPORT_FIELD_SOURCE, CT_IMPORT_FIELD_EMAIL, CT_IMPORT_FIELD_AMOUNT, CT_IMPORT_FIELD_PAID_AT } },
    { CT_IMPORT_CONTACTS, "source,email,name,channel\n",
      { CT_IMPORT_FIELD_IGNORE, CT_IMPORT_FIELD_EMAIL, CT_IMPORT_FIELD_NAME, CT_IMPORT_FIELD_CHANNEL } },
    { CT_IMPORT_CONTACTS, "source,email,name,notes\n",
      { CT_IMPORT_FIELD_CHANNEL, CT_IMPORT_FIELD_EMAIL, CT_IMPORT_FIELD_NAME, CT_IMPORT_FIELD_NOTES } },
    /* The synonym came first; the exact name still takes the field. */
    { CT_IMPORT_CONTACTS, "mail,name,email,tags\n",
      { CT_IMPORT_FIELD_IGNORE, CT_IMPORT_FIELD_NAME, CT_IMPORT_FIELD_EMAIL, CT_IMPORT_FIELD_TAGS } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strconcat (cases[i].header, "x,y,z,w\n", NULL);
      g_autoptr(CtImporter) importer = load_text (cases[i].kind, text, "exact.csv");

      g_test_message ("%s", cases[i].header);
      for (guint c = 0; c < G_N_ELEMENTS (cases[i].fields); c++)
        g_assert_cmpint (ct_importer_get_column_field (importer, c), ==, cases[i].fields[c]);
    }
}

static void
test_guess_no_header (void)
{
  g_autoptr(CtImporter) importer =
    load_text (CT_IMPORT_CONTACTS,
               "张伟,zhang.wei@example.com,2024-01-05\n"
               "李娜,li.na@example.com,2024-01-06\n", "plain.csv");

  g_assert_false (ct_importer_get_has_header (importer));
  g_assert_cmpuint (ct_importer_get_n_columns (importer), ==, 3);
  g_assert_cmpstr (ct_importer_get_column_name (importer, 0), ==, "Column 1");
  /* The column of addresses is found from its cells. */
  g_assert_cmpint (ct_importer_get_column_field (importer, 1), ==, CT_IMPORT_FIELD_EMAIL);
  g_assert_cmpuint (ct_importer_get_n_preview_rows (importer), ==, 2);

  /* Taking the first row as a header leaves one row. */
  ct_importer_set_has_header (importer, TRUE);
  g_assert_true (ct_importer_get_has_header (importer));
  g_assert_cmpuint (ct_importer_get_n_preview_rows (importer), ==, 1);
  g_assert_cmpstr (ct_importer_get_column_name (importer, 0), ==, "张伟");
}

static void
test_gb18030 (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(CtImporter) importer = load_fixture (CT_IMPORT_CONTACTS, "contacts-gb18030.csv");
  g_autoptr(CtImportResult) result = NULL;
  g_autofree char *name = NULL;
  g_autofree char *tags = NULL;
  g_autofree char *notes = NULL;
  gint64 created;

  g_assert_cmpint (ct_importer_get_encoding (importer), ==, CT_CSV_ENCODING_GB18030);
  g_assert_cmpint (ct_importer_get_delimiter (importer), ==, ',');
  g_assert_cmpstr (ct_importer_get_file_name (importer), ==, "contacts-gb18030.csv");
  g_assert_cmpuint (ct_importer_get_n_columns (importer), ==, 6);
  g_assert_cmpstr (ct_importer_get_column_name (importer, 0), ==, "姓名");
  g_assert_cmpint (ct_importer_get_column_field (importer, 0), ==, CT_IMPORT_FIELD_NAME);
  g_assert_cmpint (ct_importer_get_column_field (importer, 1), ==, CT_IMPORT_FIELD_EMAIL);
  g_assert_cmpint (ct_importer_get_column_field (importer, 2), ==, CT_IMPORT_FIELD_PHONE);
  g_assert_cmpint (ct_importer_get_column_field (importer, 3), ==, CT_IMPORT_FIELD_TAGS);
  g_assert_cmpint (ct_importer_get_column_field (importer, 4), ==, CT_IMPORT_FIELD_CREATED_AT);
  g_assert_cmpint (ct_importer_get_column_field (importer, 5), ==, CT_IMPORT_FIELD_NOTES);
  g_assert_cmpuint (ct_importer_get_n_preview_rows (importer), ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_null (ct_importer_check_preview_row (importer, i));

  result = run (importer, f->db, FALSE);
  assert_counts (result, 3, 0, 0, 0);
  g_assert_true (ct_import_result_get_committed (result));

  /* 欧阳 is a two-character family name. */
  name = query_text (f->db, "SELECT last_name || '|' || first_name FROM contacts"
                            " WHERE email = 'nana.ouyang@example.cn'");
  g_assert_cmpstr (name, ==, "欧阳|娜娜");
  tags = query_text (f->db, "SELECT group_concat(t.name, ',') FROM (SELECT t.name FROM contact_tags x"
                            " JOIN tags t ON t.id = x.tag_id JOIN contacts c ON c.id = x.contact_id"
                            " WHERE c.email = 'zhangwei@example.com' ORDER BY t.name) t");
  g_assert_cmpstr (tags, ==, "会员,课程A");
  notes = query_text (f->db, "SELECT notes FROM contacts WHERE email = 'li.lei@example.com'");
  g_assert_cmpstr (notes, ==, "推荐人：韩梅梅");

  /* 2024年1月5日, midnight local time: the test runs in any zone, so
   * compare the date in that zone. */
  created = count (f->db, "SELECT created_at FROM contacts WHERE email = 'zhangwei@example.com'");
  {
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (created);

    g_assert_cmpint (g_date_time_get_year (dt), ==, 2024);
    g_assert_cmpint (g_date_time_get_month (dt), ==, 1);
    g_assert_cmpint (g_date_time_get_day_of_month (dt), ==, 5);
    g_assert_cmpint (g_date_time_get_hour (dt), ==, 0);
  }
}

static void
test_bom (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(CtImporter) importer = load_fixture (CT_IMPORT_CONTACTS, "contacts-bom.csv");
  g_autoptr(CtImportResult) result = NULL;
  g_autofree char *company = NULL;

  g_assert_cmpint (ct_importer_get_encoding (importer), ==, CT_CSV_ENCODING_UTF8_BOM);
  /* The BOM is not part of the first header. */
  g_assert_cmpstr (ct_importer_get_column_name (importer, 0), ==, "Email");
  g_assert_cmpint (ct_importer_get_column_field (importer, 0), ==, CT_IMPORT_FIELD_EMAIL);
  g_assert_cmpint (ct_importer_get_column_field (importer, 1), ==, CT_IMPORT_FIELD_FIRST_NAME);
  g_assert_cmpint (ct_importer_get_column_field (importer, 2), ==, CT_IMPORT_FIELD_LAST_NAME);
  g_assert_cmpint (ct_importer_get_column_field (importer, 3), ==, CT_IMPORT_FIELD_COMPANY);
  g_assert_cmpint (ct_importer_get_column_field (importer, 5), ==, CT_IMPORT_FIELD_STATUS);

  result = run (importer, f->db, FALSE);
  assert_counts (result, 2, 0, 0, 0);
  company = query_text (f->db, "SELECT company FROM contacts WHERE email = 'ada@example.org'");
  g_assert_cmpstr (company, ==, "Analytical Engines Ltd");
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM contact_tags"), ==, 2);
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM contacts WHERE email = 'grace@example.com'"
                                 " AND status = 'unsubscribed'"), ==, 1);
}

static void
test_semicolon (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CtImporter) importer = load_fixture (CT_IMPORT_PURCHASES, "purchases-semicolon.csv");
  g_autoptr(CtImportResult) result = NULL;

  g_assert_cmpint (ct_importer_get_delimiter (importer), ==, ';');
  g_assert_cmpuint (ct_importer_get_n_columns (importer), ==, 7);
  /* 31/01/2024 can only be day first. */
  g_assert_true (ct_importer_get_day_first (importer));
  g_assert_cmpstr (ct_importer_get_source (importer), ==, "purchases-semicolon");

  result = run (importer, f->db, FALSE);
  assert_counts (result, 3, 0, 0, 0);
  g_assert_cmpuint (ct_import_result_get_contacts_created (result), ==, 2);

  /* "1.234,56 €" and "€12,50" */
  g_assert_cmpint (count (f->db, "SELECT amount FROM purchases WHERE external_ref = 'DE-1001'"), ==, 123456);
  g_assert_cmpint (count (f->db, "SELECT amount FROM purchases WHERE external_ref = 'DE-1002'"), ==, 1250);
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM purchases WHERE currency = 'EUR'"), ==, 2);
  /* 99 without a sign is in the default currency. */
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM purchases WHERE amount = 9900 AND currency = 'CNY'"), ==, 1);
  /* 02/02/2024 day first is 2 February, the same as month first; 15/03 is March. */
  {
    gint64 at = count (f->db, "SELECT purchased_at FROM purchases WHERE external_ref = 'DE-1003'");
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (at);

    g_assert_cmpint (g_date_time_get_month (dt), ==, 3);
    g_assert_cmpint (g_date_time_get_day_of_month (dt), ==, 15);
  }
  /* Products and channels are created by name, once each. */
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM products"), ==, 2);
  g_assert_cmpint (count (f->db, "SELECT price FROM products WHERE name = 'Workshop'"), ==, 123456);
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM products WHERE kind = 'other'"), ==, 2);
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM channels"), ==, 2);
  g_assert_cmpint (count (f->db, "SELECT purchase_count FROM contacts WHERE email = 'hans@example.de'"), ==, 2);
  {
    g_autofree char *name = query_text (f->db, "SELECT first_name || ' ' || last_name FROM contacts"
                                               " WHERE email = 'hans@example.de'");
    g_assert_cmpstr (name, ==, "Hans Müller");
  }
}

static void
test_load_errors (void)
{
  static const struct
  {
    const char   *bytes;
    gsize         len;
    CtImportError code;
  } cases[] = {
    { "", 0, CT_IMPORT_ERROR_EMPTY },
    { "\n\r\n  \n", 6, CT_IMPORT_ERROR_EMPTY },
    { "email,name\n", 11, CT_IMPORT_ERROR_EMPTY },
    { "PK\003\004\024\000\006\000\010\000\000\000!\000", 14, CT_IMPORT_ERROR_BINARY },
    { "\320\317\021\340\241\261\032\341\000\000\000\000", 12, CT_IMPORT_ERROR_BINARY },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CtImporter) importer = ct_importer_new (CT_IMPORT_CONTACTS);
      g_autoptr(GBytes) bytes = g_bytes_new (cases[i].bytes, cases[i].len);
      g_autoptr(GError) error = NULL;

      g_test_message ("case %u", i);
      g_assert_false (ct_importer_load_bytes (importer, bytes, "bad.csv", &error));
      g_assert_error (error, CT_IMPORT_ERROR, (int) cases[i].code);
      g_assert_nonnull (strstr (error->message, "bad.csv"));
    }

  /* A missing file names itself. */
  {
    g_autoptr(CtImporter) importer = ct_importer_new (CT_IMPORT_CONTACTS);
    g_autoptr(GFile) file = g_file_new_for_path ("/nonexistent/clientele/missing.csv");
    g_autoptr(GError) error = NULL;

    g_assert_false (ct_importer_load_file (importer, file, NULL, &error));
    g_assert_error (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_READ);
    g_assert_nonnull (strstr (error->message, "missing.csv"));
  }
}

static void
on_columns_changed (CtImporter *importer,
                    guint      *n_changed)
{
  (*n_changed)++;
}

static void
test_set_encoding (void)
{
  g_autofree char *path = data_path ("contacts-gb18030.csv");
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(CtImporter) importer = ct_importer_new (CT_IMPORT_CONTACTS);
  g_autoptr(GError) error = NULL;
  guint n_changed = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  bytes = g_bytes_new (contents, len);
  g_signal_connect (importer, "columns-changed", G_CALLBACK (on_columns_changed), &n_changed);

  g_assert_true (ct_importer_load_bytes (importer, bytes, "gb.csv", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_changed, ==, 1);

  /* Read as Windows-1252 the header is mojibake, and back again. */
  g_assert_true (ct_importer_set_encoding (importer, CT_CSV_ENCODING_WINDOWS_1252, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_changed, ==, 2);
  g_assert_cmpstr (ct_importer_get_column_name (importer, 0), !=, "姓名");
  g_assert_true (ct_importer_set_encoding (importer, CT_CSV_ENCODING_GB18030, &error));
  g_assert_cmpstr (ct_importer_get_column_name (importer, 0), ==, "姓名");
  g_assert_cmpint (ct_importer_get_column_field (importer, 1), ==, CT_IMPORT_FIELD_EMAIL);

  /* GB18030 bytes are not UTF-8: refused, and the state is kept. */
  g_assert_false (ct_importer_set_encoding (importer, CT_CSV_ENCODING_UTF8, &error));
  g_assert_error (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_ENCODING);
  g_assert_cmpint (ct_importer_get_encoding (importer), ==, CT_CSV_ENCODING_GB18030);
  g_assert_cmpstr (ct_importer_get_column_name (importer, 0), ==, "姓名");
}

static void
test_multiline (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CtImporter) importer = load_fixture (CT_IMPORT_CONTACTS, "contacts-multiline.csv");
  g_autoptr(CtImportResult) result = NULL;
  g_autofree char *notes = NULL;
  const CtImportReject *reject;
  guint line;

  g_assert_cmpuint (ct_importer_get_n_preview_rows (importer), ==, 4);
  ct_importer_get_preview_row (importer, 1, NULL, &line);
  g_assert_cmpuint (line, ==, 5);
  ct_importer_get_preview_row (importer, 2, NULL, &line);
  g_assert_cmpuint (line, ==, 6);

  result = run (importer, f->db, FALSE);
  assert_counts (result, 3, 0, 0, 1);

  notes = query_text (f->db, "SELECT notes FROM contacts WHERE email = 'amy@example.com'");
  g_assert_cmpstr (notes, ==, "Met at the fair.\nAsked about the \"Advanced\" course, then said:\n"
                              "call me in spring, please");
  g_clear_pointer (&notes, g_free);
  notes = query_text (f->db, "SELECT notes FROM contacts WHERE email = 'river@example.com'");
  g_assert_cmpstr (notes, ==, "Commas, quotes \" and\nthree\nlines");

  /* The physical line where the rejected row starts, after two rows
   * spanning several lines. */
  reject = ct_import_result_get_reject (result, 0);
  g_assert_cmpuint (reject->line, ==, 6);
  g_assert_cmpstr (reject->column, ==, "email");
  g_assert_cmpstr (reject->message, ==, "Line 6: “not-an-email” in email is not an email address.");
  g_assert_cmpstr (reject->fields[2], ==, "Line two\nof a note");
}

/* Line, column and the start of the reason of each row of
 * purchases-malformed.csv that must be rejected. */
static const struct
{
  guint       line;
  const char *column;
  const char *reason;
} malformed[] = {
  { 3, "邮箱", "“bad-email@” in 邮箱 is not an email address." },
  { 4, "下单时间", "“2024-13-45” in 下单时间 is not a date." },
  { 5, "支付金额", "“八十八” in 支付金额 is not an amount." },
  { 6, NULL, "The row has no email or phone number to tell who made the purchase." },
  { 7, "支付金额", "支付金额 is empty: a purchase needs the amount paid." },
  { 8, "支付金额", "“88.123” in 支付金额 has more decimals than the currency has." },
  { 9, "币种", "“XYZ1” in 币种 is not a currency." },
  { 10, NULL, "The row has 8 cells where there are 7 columns" },
  { 11, NULL, "The row has 4 cells where there are 7 columns" },
  { 12, "支付金额", "“-5” in 支付金额 is negative" },
  { 13, "支付金额", "“$12” in 支付金额 is in USD, but 币种 says CNY." },
  { 15, NULL, "A quoted cell that starts on this line is never closed" },
};

static void
assert_malformed_rejects (CtImportResult *result)
{
  g_assert_cmpuint (ct_import_result_get_rejected (result), ==, G_N_ELEMENTS (malformed));
  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      const CtImportReject *reject = ct_import_result_get_reject (result, i);
      g_autofree char *prefix = g_strdup_printf ("Line %u: %s", malformed[i].line, malformed[i].reason);

      g_test_message ("%s", reject->message);
      g_assert_cmpuint (reject->line, ==, malformed[i].line);
      g_assert_cmpstr (reject->column, ==, malformed[i].column);
      g_assert_true (g_str_has_prefix (reject->reason, malformed[i].reason));
      g_assert_true (g_str_has_prefix (reject->message, prefix));
      g_assert_nonnull (reject->fields);
    }
}

static void
test_malformed (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CtImporter) importer = load_fixture (CT_IMPORT_PURCHASES, "purchases-malformed.csv");
  g_autoptr(CtImportResult) result = NULL;
  g_autoptr(CtImportResult) again = NULL;
  g_autoptr(GFile) rejects = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *rejects_path = g_build_filename (f->dir, "rejects.csv", NULL);
  g_autofree char *contents = NULL;
  gsize len;

  /* The preview marks the same rows with the same words. */
  g_assert_cmpuint (ct_importer_get_n_preview_rows (importer), ==, 14);
  g_assert_null (ct_importer_check_preview_row (importer, 0));
  {
    g_autofree char *problem = ct_importer_check_preview_row (importer, 2);
    g_assert_cmpstr (problem, ==, "Line 4: “2024-13-45” in 下单时间 is not a date.");
  }

  result = run (importer, f->db, FALSE);
  assert_counts (result, 2, 0, 0, G_N_ELEMENTS (malformed));
  assert_malformed_rejects (result);
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM purchases"), ==, 2);
  g_assert_cmpint (count (f->db, "SELECT amount FROM purchases WHERE external_ref = 'M014'"), ==, 128800);

  /* The rejects file: BOM, the header and "reason", one row each. */
  rejects = g_file_new_for_path (rejects_path);
  g_assert_true (ct_import_result_write_rejects (result, rejects, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (rejects_path, &contents, &len, NULL));
  g_assert_true (g_str_has_prefix (contents, "\xef\xbb\xbf" "订单编号,邮箱,姓名,课程,支付金额,下单时间,币种,reason\n"));
  g_assert_nonnull (strstr (contents, "M003,date@example.com,坏日期,课程A,88,2024-13-45,CNY,"
                                      "Line 4: “2024-13-45” in 下单时间 is not a date.\n"));

  /* It imports again as it is, its "reason" column ignored, and the
   * same rows are refused, on their lines in that file. */
  {
    g_autoptr(CtImporter) fixed = ct_importer_new (CT_IMPORT_PURCHASES);

    g_assert_true (ct_importer_load_file (fixed, rejects, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (ct_importer_get_n_columns (fixed), ==, 8);
    g_assert_cmpint (ct_importer_get_column_field (fixed, 7), ==, CT_IMPORT_FIELD_IGNORE);
    ct_importer_set_source (fixed, "purchases-malformed");
    again = run (fixed, f->db, FALSE);
    g_assert_cmpuint (ct_import_result_get_imported (again), ==, 0);
    g_assert_cmpuint (ct_import_result_get_rejected (again), ==, G_N_ELEMENTS (malformed));
    g_assert_cmpuint (ct_import_result_get_reject (again, 0)->line, ==, 2);
  }
}

static void
test_idempotent (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(CtImporter) importer = load_fixture (CT_IMPORT_PURCHASES, "purchases-malformed.csv");
  g_autoptr(CtImporter) contacts = load_fixture (CT_IMPORT_CONTACTS, "contacts-gb18030.csv");
  g_autoptr(CtImportResult) first = NULL;
  g_autoptr(CtImportResult) second = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  first = run (importer, f->db, FALSE);
  assert_counts (first, 2, 0, 0, G_N_ELEMENTS (malformed));
  before = digest (f->db);

  second = run (importer, f->db, FALSE);
  assert_counts (second, 0, 0, 2, G_N_ELEMENTS (malformed));
  g_assert_true (ct_import_result_get_committed (second));
  after = digest (f->db);
  g_assert_cmpstr (before, ==, after);

  /* Contacts too: nothing to fill, nothing changes. */
  g_clear_object (&importer);
  g_clear_pointer (&first, ct_import_result_unref);
  g_clear_pointer (&second, ct_import_result_unref);
  first = run (contacts, f->db, FALSE);
  assert_counts (first, 3, 0, 0, 0);
  g_free (before);
  before = digest (f->db);
  second = run (contacts, f->db, FALSE);
  assert_counts (second, 0, 0, 3, 0);
  g_free (after);
  after = digest (f->db);
  g_assert_cmpstr (before, ==, after);
}

static void
test_auto_reference (Fixture       *f,
                     gconstpointer  data)
{
  const char *text =
    "email,amount,paid at,product\n"
    "a@example.com,10,2024-01-01 10:00,Ebook\n"
    "a@example.com,10,2024-01-02 10:00,Ebook\n"
    "b@example.com,20,2024-01-01 10:00,Ebook\n";
  g_autoptr(CtImporter) importer = load_text (CT_IMPORT_PURCHASES, text, "no-ids.csv");
  g_autoptr(CtImportResult) first = NULL;
  g_autoptr(CtImportResult) second = NULL;

  g_assert_cmpint (column_of (importer, CT_IMPORT_FIELD_ORDER_ID), ==, -1);
  first = run (importer, f->db, FALSE);
  assert_counts (first, 3, 0, 0, 0);
  second = run (importer, f->db, FALSE);
  assert_counts (second, 0, 0, 3, 0);
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM purchases WHERE external_ref LIKE 'auto:%'"), ==, 3);
  g_assert_cmpint (count (f->db, "SELECT count(DISTINCT external_ref) FROM purchases"), ==, 3);
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM purchases WHERE source = 'no-ids'"), ==, 3);
}

/* An order id seen again, in the same file or a later one, adds nothing:
 * not the purchase, and not the contact or product of a row that only
 * repeats it. */
static void
test_repeated_order (Fixture       *f,
                     gconstpointer  data)
{
  const char *text =
    "order id,email,amount,paid at,product,channel\n"
    "A1,a@example.com,10,2024-01-01,Ebook,Blog\n"
    "A1,a@example.com,10,2024-01-01,Ebook,Blog\n"
    "A1,new@example.com,10,2024-01-01,Course,Podcast\n"
    "A2,A@example.com,5,2024-01-02,Ebook,Blog\n";
  g_autoptr(CtImporter) importer = load_text (CT_IMPORT_PURCHASES, text, "orders.csv");
  g_autoptr(CtImportResult) first = NULL;
  g_autoptr(CtImportResult) second = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  first = run (importer, f->db, FALSE);
  assert_counts (first, 2, 0, 2, 0);
  g_assert_cmpuint (ct_import_result_get_contacts_created (first), ==, 1);
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM contacts"), ==, 1);
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM products"), ==, 1);
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM channels"), ==, 1);
  g_assert_cmpint (count (f->db, "SELECT purchase_count FROM contacts"), ==, 2);
  g_assert_cmpint (count (f->db, "SELECT total_spent FROM contacts"), ==, 1500);
  g_assert_cmpint (count (f->db, "SELECT sales_count FROM products"), ==, 2);

  before = digest (f->db);
  second = run (importer, f->db, FALSE);
  assert_counts (second, 0, 0, 4, 0);
  g_assert_cmpuint (ct_import_result_get_contacts_created (second), ==, 0);
  after = digest (f->db);
  g_assert_cmpstr (before, ==, after);
}

static const char *existing_contacts =
  "email,first name,last name,phone,company,notes,tags,status\n"
  "Ada@Example.org,Ada,,,,first note,old,subscribed\n"
  "grace@example.com,Grace,Hopper,,,,,unsubscribed\n";

static const char *duplicate_contacts =
  "email,first name,last name,phone,company,notes,tags,status\n"
  "ada@example.org,Augusta,Lovelace,+44 20 7946 0000,,second note,new,unsubscribed\n"
  "GRACE@example.com,Grace,Hopper,,,,,subscribed\n"
  "new@example.com,New,Person,,,,,\n";

static void
set_up_duplicates (Fixture    *f,
                   CtImporter **importer_out)
{
  g_autoptr(CtImporter) first = load_text (CT_IMPORT_CONTACTS, existing_contacts, "old.csv");
  g_autoptr(CtImportResult) result = run (first, f->db, FALSE);

  assert_counts (result, 2, 0, 0, 0);
  *importer_out = load_text (CT_IMPORT_CONTACTS, duplicate_contacts, "new.csv");
}

static char *
contact_row (Fixture    *f,
             const char *email)
{
  g_autofree char *sql =
    g_strdup_printf ("SELECT first_name || '|' || last_name || '|' || phone || '|' || notes || '|' ||"
                     " status || '|' || coalesce((SELECT group_concat(name, ',') FROM (SELECT t.name"
                     " FROM contact_tags x JOIN tags t ON t.id = x.tag_id"
                     " WHERE x.contact_id = c.id ORDER BY t.name)), '')"
                     " FROM contacts c WHERE email = '%s'", email);
  return query_text (f->db, sql);
}

static void
test_duplicates_update_empty (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(CtImporter) importer = NULL;
  g_autoptr(CtImportResult) result = NULL;
  g_autofree char *ada = NULL;
  g_autofree char *grace = NULL;

  set_up_duplicates (f, &importer);
  g_assert_cmpint (ct_importer_get_on_duplicate (importer), ==, CT_IMPORT_DUPLICATES_UPDATE_EMPTY);
  result = run (importer, f->db, FALSE);
  /* Ada gains a last name and a phone; her first name, notes and tags
   * stay; the unsubscribe counts. Grace is not subscribed again. */
  assert_counts (result, 1, 1, 1, 0);
  ada = contact_row (f, "ada@example.org");
  g_assert_cmpstr (ada, ==, "Ada|Lovelace|+44 20 7946 0000|first note|unsubscribed|old");
  grace = contact_row (f, "grace@example.com");
  g_assert_cmpstr (grace, ==, "Grace|Hopper|||unsubscribed|");
  /* Matched ignoring case: no second Ada. */
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM contacts"), ==, 3);
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM contacts WHERE email = 'Ada@Example.org'"), ==, 1);
}

static void
test_duplicates_overwrite (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(CtImporter) importer = NULL;
  g_autoptr(CtImportResult) result = NULL;
  g_autofree char *ada = NULL;
  g_autofree char *grace = NULL;

  set_up_duplicates (f, &importer);
  ct_importer_set_on_duplicate (importer, CT_IMPORT_DUPLICATES_OVERWRITE);
  result = run (importer, f->db, FALSE);
  assert_counts (result, 1, 2, 0, 0);
  ada = contact_row (f, "ada@example.org");
  g_assert_cmpstr (ada, ==, "Augusta|Lovelace|+44 20 7946 0000|second note|unsubscribed|new");
  grace = contact_row (f, "grace@example.com");
  g_assert_cmpstr (grace, ==, "Grace|Hopper|||subscribed|");
}

static void
test_duplicates_skip (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CtImporter) importer = NULL;
  g_autoptr(CtImportResult) result = NULL;
  g_autofree char *before = NULL;
  g_autofree char *ada = NULL;

  set_up_duplicates (f, &importer);
  ct_importer_set_on_duplicate (importer, CT_IMPORT_DUPLICATES_SKIP);
  before = contact_row (f, "ada@example.org");
  result = run (importer, f->db, FALSE);
  assert_counts (result, 1, 0, 2, 0);
  ada = contact_row (f, "ada@example.org");
  g_assert_cmpstr (ada, ==, before);
}

/* Into an empty database the run looks no email up (nothing could
 * match but what it added itself): a person named twice in one file,
 * in another case the second time, is still one contact. */
static void
test_duplicates_in_empty_database (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(CtImporter) purchases =
    load_text (CT_IMPORT_PURCHASES,
               "订单号,邮箱,商品,金额,支付时间\n"
               "P1,Ann@Example.com,课程A,100,2024-03-01 10:00\n"
               "P2,ann@example.COM,课程A,200,2024-03-05 10:00\n",
               "shop.csv");
  g_autoptr(CtImporter) contacts =
    load_text (CT_IMPORT_CONTACTS,
               "email,name,phone\n"
               "Bob@Example.com,Bob,\n"
               "bob@example.com,,+44 20 7946 0001\n",
               "people.csv");
  g_autoptr(CtImportResult) result = NULL;

  g_assert_cmpint (count (f->db, "SELECT count(*) FROM contacts"), ==, 0);
  result = run (purchases, f->db, FALSE);
  assert_counts (result, 2, 0, 0, 0);
  g_assert_cmpuint (ct_import_result_get_contacts_created (result), ==, 1);
  g_assert_cmpint (count (f->db, "SELECT purchase_count FROM contacts WHERE email = 'ann@example.com'"), ==, 2);
  g_clear_pointer (&result, ct_import_result_unref);

  g_assert_true (ct_db_exec (f->db, "DELETE FROM purchases; DELETE FROM contacts", NULL));
  result = run (contacts, f->db, FALSE);
  assert_counts (result, 1, 1, 0, 0);
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM contacts"), ==, 1);
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM contacts WHERE first_name = 'Bob'"
                                 " AND phone = '+44 20 7946 0001'"), ==, 1);
}

static void
test_unknown_email (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CtImporter) contacts = load_text (CT_IMPORT_CONTACTS,
                                              "email,name\nknown@example.com,Known Person\n", "c.csv");
  g_autoptr(CtImporter) purchases =
    load_text (CT_IMPORT_PURCHASES,
               "订单号,邮箱,姓名,手机,商品,金额,支付时间,渠道\n"
               "P1,KNOWN@example.com,Someone Else,,课程A,100,2024-03-01 10:00,抖音\n"
               "P2,stranger@example.com,王芳,,课程A,200,2024-03-05 10:00,抖音\n"
               "P3,stranger@example.com,王芳,,课程B,300,2024-02-01 10:00,抖音\n"
               "P4,,赵六,138-0013-8000,课程B,50,2024-04-01 10:00,\n"
               "P5,,赵六,13800138000,课程B,50,2024-04-02 10:00,\n",
               "shop.csv");
  g_autoptr(CtImportResult) first = run (contacts, f->db, FALSE);
  g_autoptr(CtImportResult) result = NULL;
  g_autofree char *name = NULL;
  g_autofree char *channel = NULL;

  assert_counts (first, 1, 0, 0, 0);
  result = run (purchases, f->db, FALSE);
  assert_counts (result, 5, 0, 0, 0);
  /* The stranger and the phone-only buyer; the phone matched across
   * its spellings. */
  g_assert_cmpuint (ct_import_result_get_contacts_created (result), ==, 2);
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM contacts"), ==, 3);

  /* A known contact is not renamed by a purchases file. */
  name = query_text (f->db, "SELECT first_name || ' ' || last_name FROM contacts WHERE email = 'known@example.com'");
  g_assert_cmpstr (name, ==, "Known Person");
  g_assert_cmpint (count (f->db, "SELECT purchase_count FROM contacts WHERE email = 'known@example.com'"), ==, 1);

  /* The new contact: named from the file, from the channel, created at
   * the earliest of its purchases (P3, before P2). */
  g_clear_pointer (&name, g_free);
  name = query_text (f->db, "SELECT last_name || first_name FROM contacts WHERE email = 'stranger@example.com'");
  g_assert_cmpstr (name, ==, "王芳");
  channel = query_text (f->db, "SELECT ch.name FROM contacts c JOIN channels ch ON ch.id = c.channel_id"
                               " WHERE c.email = 'stranger@example.com'");
  g_assert_cmpstr (channel, ==, "抖音");
  g_assert_cmpint (count (f->db, "SELECT created_at FROM contacts WHERE email = 'stranger@example.com'"), ==,
                   count (f->db, "SELECT purchased_at FROM purchases WHERE external_ref = 'P3'"));
  g_assert_cmpint (count (f->db, "SELECT total_spent FROM contacts WHERE email = 'stranger@example.com'"), ==, 50000);
  g_assert_cmpint (count (f->db, "SELECT purchase_count FROM contacts WHERE phone = '138-0013-8000'"), ==, 2);
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM channels"), ==, 1);
}

typedef struct
{
  GCancellable *cancellable;
  double        cancel_at;
  guint         n_calls;
  double        last;
} Progress;

static void
on_progress (double   fraction,
             gpointer user_data)
{
  Progress *progress = user_data;

  g_assert_cmpfloat (fraction, >=, progress->last);
  g_assert_cmpfloat (fraction, <=, 1.0);
  progress->last = fraction;
  progress->n_calls++;
  if (progress->cancellable != NULL && fraction >= progress->cancel_at)
    g_cancellable_cancel (progress->cancellable);
}

/* A purchases file of @n_rows rows, in Chinese and English, with a
 * broken row every @bad_every rows (0: none). */
static void
add_purchase_rows (GString *text,
                   guint    first,
                   guint    end,
                   guint    bad_every)
{
  static const char *products[] = { "Python 入门课", "写作训练营", "Photography Basics", "理财 101", "Ebook: Habits" };
  static const char *channels[] = { "微信", "小红书", "Newsletter", "抖音", "Podcast" };
  static const char *names[] = { "张伟", "王芳", "Ada Lovelace", "李娜", "Grace Hopper", "欧阳娜娜" };

  for (guint i = first; i < end; i++)
    {
      if (bad_every > 0 && i % bad_every == bad_every - 1)
        {
          g_string_append_printf (text, "ORD%07u,buyer%u@example.com,%s,%s,¥%u.%02u,2024-02-30 10:00,%s,否\n",
                                  i, i % 5000, names[i % 6], products[i % 5], 10 + i % 990, i % 100,
                                  channels[i % 5]);
          continue;
        }
      g_string_append_printf (text, "ORD%07u,buyer%u@example.com,%s,%s,¥%u.%02u,2024-%02u-%02u %02u:%02u,%s,%s\n",
                              i, i % 5000, names[i % 6], products[i % 5], 10 + i % 990, i % 100,
                              1 + i % 12, 1 + i % 28, i % 24, i % 60, channels[i % 5],
                              i % 50 == 0 ? "是" : "否");
    }
}

static GString *
make_purchases (guint n_rows,
                guint bad_every)
{
  GString *text = g_string_new ("订单号,邮箱,姓名,商品名称,实付金额,支付时间,渠道,退款\n");

  add_purchase_rows (text, 0, n_rows, bad_every);
  return text;
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(CtImporter) before_import = load_fixture (CT_IMPORT_PURCHASES, "purchases-semicolon.csv");
  g_autoptr(CtImportResult) before_result = run (before_import, f->db, FALSE);
  g_autoptr(GString) text = make_purchases (20000, 0);
  g_autoptr(CtImporter) importer = load_text (CT_IMPORT_PURCHASES, text->str, "big.csv");
  g_autoptr(CtImportResult) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *before = digest (f->db);
  g_autofree char *after = NULL;
  g_autofree char *schema_before = schema (f->db);
  g_autofree char *schema_after = NULL;
  Progress progress = { cancellable, 0.5, 0, 0.0 };

  result = ct_importer_run (importer, f->db, FALSE, on_progress, &progress, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (result);
  g_assert_cmpuint (progress.n_calls, >, 1);
  g_assert_cmpfloat (progress.last, <, 1.0);

  after = digest (f->db);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM purchases"), ==, 3);
  g_assert_cmpstr (schema_before, ==, (schema_after = schema (f->db)));

  /* The connection is usable and the importer too: a new run goes in. */
  g_clear_error (&error);
  progress.cancellable = NULL;
  progress.last = 0.0;
  result = ct_importer_run (importer, f->db, FALSE, on_progress, &progress, NULL, &error);
  g_assert_no_error (error);
  assert_counts (result, 20000, 0, 0, 0);
  g_assert_cmpfloat (progress.last, ==, 1.0);
}

static void
test_cancel_on_another_connection (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(GString) text = make_purchases (5000, 0);
  g_autoptr(CtImporter) importer = load_text (CT_IMPORT_PURCHASES, text->str, "big.csv");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CtDb) other = NULL;
  g_autofree char *before = digest (f->db);
  g_autofree char *after = NULL;
  Progress progress = { cancellable, 0.3, 0, 0.0 };

  /* What another connection sees: nothing before the commit, nothing
   * after the cancel. */
  other = ct_db_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_null (ct_importer_run (importer, other, FALSE, on_progress, &progress, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&other);

  after = digest (f->db);
  g_assert_cmpstr (before, ==, after);
}

static void
test_dry_run (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(CtImporter) importer = load_fixture (CT_IMPORT_PURCHASES, "purchases-malformed.csv");
  g_autoptr(CtImportResult) dry = NULL;
  g_autoptr(CtImportResult) real = NULL;
  g_autofree char *before = digest (f->db);
  g_autofree char *after = NULL;

  dry = run (importer, f->db, TRUE);
  assert_counts (dry, 2, 0, 0, G_N_ELEMENTS (malformed));
  g_assert_cmpuint (ct_import_result_get_contacts_created (dry), ==, 2);
  g_assert_false (ct_import_result_get_committed (dry));
  assert_malformed_rejects (dry);
  after = digest (f->db);
  g_assert_cmpstr (before, ==, after);

  /* The real run gives the same counts. */
  real = run (importer, f->db, FALSE);
  assert_counts (real, 2, 0, 0, G_N_ELEMENTS (malformed));
  g_assert_true (ct_import_result_get_committed (real));
}

static void
test_all_or_nothing (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CtImporter) importer = load_fixture (CT_IMPORT_PURCHASES, "purchases-malformed.csv");
  g_autoptr(CtImporter) clean = load_fixture (CT_IMPORT_PURCHASES, "purchases-semicolon.csv");
  g_autoptr(CtImportResult) result = NULL;
  g_autofree char *before = digest (f->db);
  g_autofree char *after = NULL;

  ct_importer_set_all_or_nothing (importer, TRUE);
  result = run (importer, f->db, FALSE);
  g_assert_false (ct_import_result_get_committed (result));
  g_assert_cmpuint (ct_import_result_get_rejected (result), ==, G_N_ELEMENTS (malformed));
  after = digest (f->db);
  g_assert_cmpstr (before, ==, after);

  /* Without a rejected row it commits. */
  ct_importer_set_all_or_nothing (clean, TRUE);
  g_clear_pointer (&result, ct_import_result_unref);
  result = run (clean, f->db, FALSE);
  g_assert_true (ct_import_result_get_committed (result));
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM purchases"), ==, 3);
}

static void
test_mapping (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(CtImporter) importer =
    load_text (CT_IMPORT_PURCHASES, "客户,联系,钱,什么时候\n张伟,zw@example.com,88,2024-05-01\n", "odd.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(CtImportResult) result = NULL;

  /* 联系 holds emails: found by its cells. */
  g_assert_cmpint (ct_importer_get_column_field (importer, 1), ==, CT_IMPORT_FIELD_EMAIL);
  g_assert_false (ct_importer_check_mapping (importer, &error));
  g_assert_error (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_MAPPING);
  g_clear_error (&error);
  g_assert_null (ct_importer_run (importer, f->db, FALSE, NULL, NULL, NULL, &error));
  g_assert_error (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_MAPPING);
  g_clear_error (&error);

  g_assert_true (ct_importer_map_column (importer, "钱", "amount", &error));
  g_assert_no_error (error);
  g_assert_true (ct_importer_map_column (importer, "4", "支付时间", &error));
  g_assert_no_error (error);
  g_assert_cmpint (ct_importer_get_column_field (importer, 3), ==, CT_IMPORT_FIELD_PAID_AT);

  /* A field belongs to one column: mapping it again takes it away. */
  ct_importer_set_column_field (importer, 2, CT_IMPORT_FIELD_PAID_AT);
  g_assert_cmpint (ct_importer_get_column_field (importer, 3), ==, CT_IMPORT_FIELD_IGNORE);
  g_assert_cmpint (ct_importer_get_column_field (importer, 2), ==, CT_IMPORT_FIELD_PAID_AT);
  g_assert_true (ct_importer_map_column (importer, "钱", "amount", &error));
  g_assert_true (ct_importer_map_column (importer, "什么时候", "paid_at", &error));

  g_assert_false (ct_importer_map_column (importer, "nope", "email", &error));
  g_assert_error (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_MAPPING);
  g_assert_nonnull (strstr (error->message, "nope"));
  g_clear_error (&error);
  g_assert_false (ct_importer_map_column (importer, "钱", "status", &error));
  g_assert_error (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_MAPPING);
  g_clear_error (&error);
  g_assert_false (ct_importer_map_column (importer, "9", "email", &error));
  g_assert_error (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_MAPPING);
  g_clear_error (&error);

  g_assert_true (ct_importer_check_mapping (importer, &error));
  result = run (importer, f->db, FALSE);
  assert_counts (result, 1, 0, 0, 0);
  g_assert_cmpint (count (f->db, "SELECT amount FROM purchases"), ==, 8800);
}

static void
test_large (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GString) text = NULL;
  g_autofree char *path = g_build_filename (f->dir, "large.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(CtImporter) importer = ct_importer_new (CT_IMPORT_PURCHASES);
  g_autoptr(CtImportResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *schema_before = schema (f->db);
  const guint bad_every = 10000;
  guint n_rows = 0;
  guint n_bad;

  /* Rows until the file passes 10 MB. */
  text = make_purchases (0, 0);
  while (text->len < 10 * 1024 * 1024)
    {
      add_purchase_rows (text, n_rows, n_rows + 1000, bad_every);
      n_rows += 1000;
    }
  n_bad = n_rows / bad_every;
  g_assert_true (g_file_set_contents (path, text->str, text->len, &error));
  g_assert_no_error (error);
  g_test_message ("%u rows, %" G_GSIZE_FORMAT " bytes", n_rows, text->len);

  g_assert_true (ct_importer_load_file (importer, file, NULL, &error));
  g_assert_no_error (error);
  result = run (importer, f->db, FALSE);
  assert_counts (result, n_rows - n_bad, 0, 0, n_bad);
  for (guint i = 0; i < n_bad; i++)
    {
      const CtImportReject *reject = ct_import_result_get_reject (result, i);

      /* Row r (0-based) is on line r + 2. */
      g_assert_cmpuint (reject->line, ==, (i + 1) * bad_every - 1 + 2);
      g_assert_cmpstr (reject->column, ==, "支付时间");
    }
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM purchases"), ==, n_rows - n_bad);
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM contacts"), ==, 5000);
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM products"), ==, 5);
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM purchases WHERE refunded = 1"), ==,
                   count (f->db, "SELECT count(*) FROM purchases WHERE CAST(substr(external_ref, 4) AS INTEGER) % 50 = 0"));
  /* The contacts' figures, kept by triggers, add up. */
  g_assert_cmpint (count (f->db, "SELECT sum(total_spent) FROM contacts"), ==,
                   count (f->db, "SELECT sum(amount) FROM purchases WHERE refunded = 0"));
  /* The contacts were created with their indexes and search text put
   * off to the end (few contacts before a big import): letting the
   * triggers recompute everything changes nothing, and the schema is as
   * it was. */
  {
    g_autofree char *search = query_text (f->db, "SELECT search_text FROM contacts ORDER BY id LIMIT 1");
    g_autofree char *imported = digest (f->db);
    g_autofree char *recomputed = NULL;
    g_autofree char *schema_after = schema (f->db);

    g_assert_cmpstr (schema_before, ==, schema_after);
    g_assert_nonnull (search);
    g_assert_cmpstr (search, !=, "");
    g_assert_true (ct_db_exec (f->db, "UPDATE contacts SET first_name = first_name", NULL));
    g_assert_true (ct_db_exec (f->db, "UPDATE purchases SET refunded = refunded", NULL));
    g_assert_true (ct_db_exec (f->db, "UPDATE products SET currency = currency", NULL));
    recomputed = digest (f->db);
    g_assert_cmpstr (imported, ==, recomputed);
  }

  /* Importing it again adds nothing. */
  g_clear_pointer (&result, ct_import_result_unref);
  result = run (importer, f->db, FALSE);
  assert_counts (result, 0, 0, n_rows - n_bad, n_bad);
}

/* Big imports drop the triggers and plain indexes and put them back at
 * the end; what the triggers keep must come out as if they had run for
 * every row, and the schema exactly as it was. */
static void
test_deferred_upkeep (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GString) contacts = g_string_new ("email,name,tags,channel\n");
  g_autoptr(GString) purchases = make_purchases (12000, 0);
  g_autoptr(CtImporter) contact_importer = NULL;
  g_autoptr(CtImporter) purchase_importer = NULL;
  g_autoptr(CtImportResult) result = NULL;
  g_autofree char *schema_before = schema (f->db);
  g_autofree char *schema_after = NULL;
  g_autofree char *imported = NULL;
  g_autofree char *recomputed = NULL;
  g_autofree char *search = NULL;

  for (guint i = 0; i < 8000; i++)
    g_string_append_printf (contacts, "buyer%u@example.com,王伟%u,\"VIP,学员%u\",微信\n", i, i, i % 7);
  contact_importer = load_text (CT_IMPORT_CONTACTS, contacts->str, "many.csv");
  result = run (contact_importer, f->db, FALSE);
  assert_counts (result, 8000, 0, 0, 0);
  g_clear_pointer (&result, ct_import_result_unref);

  purchase_importer = load_text (CT_IMPORT_PURCHASES, purchases->str, "many-orders.csv");
  result = run (purchase_importer, f->db, FALSE);
  assert_counts (result, 12000, 0, 0, 0);

  schema_after = schema (f->db);
  g_assert_cmpstr (schema_before, ==, schema_after);

  search = query_text (f->db, "SELECT search_text FROM contacts WHERE email = 'buyer3@example.com'");
  g_assert_nonnull (strstr (search, "vip"));
  g_assert_nonnull (strstr (search, "学员3"));
  g_assert_nonnull (strstr (search, "王伟3"));
  /* 5,000 buyers, of whom the 100 whose orders all fall on every 50th
   * row (refunded) count no purchase. */
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM contacts WHERE purchase_count > 0"), ==, 4900);

  /* The products' figures, kept by triggers too. */
  g_assert_cmpint (count (f->db, "SELECT sum(sales_count) FROM products"), ==,
                   count (f->db, "SELECT count(*) FROM purchases WHERE refunded = 0"));
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM products p WHERE sales_count !="
                                 " (SELECT count(*) FROM purchases s WHERE s.product_id = p.id AND s.refunded = 0)"
                                 " OR revenue != (SELECT coalesce(sum(s.amount), 0) FROM purchases s"
                                 " WHERE s.product_id = p.id AND s.refunded = 0 AND s.currency = p.currency)"), ==, 0);

  /* The points the purchases earned, given at the end in one statement:
   * what the row-by-row trigger gives (whole yuan, rounded down, ×1 at
   * the Member tier), and a balance equal to the ledger. */
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM points_ledger"), ==,
                   count (f->db, "SELECT count(*) FROM purchases WHERE refunded = 0"
                                 " AND currency = 'CNY' AND amount >= 100"));
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM points_ledger l JOIN purchases p ON p.id = l.purchase_id"
                                 " WHERE l.points != p.amount / 100 OR l.created_at != p.purchased_at"), ==, 0);
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM contact_loyalty lo WHERE lo.points !="
                                 " (SELECT coalesce(sum(points), 0) FROM points_ledger l"
                                 "  WHERE l.contact_id = lo.contact_id)"), ==, 0);

  /* Let the triggers recompute everything: nothing may change. */
  imported = digest (f->db);
  g_assert_true (ct_db_exec (f->db, "UPDATE contacts SET first_name = first_name", NULL));
  g_assert_true (ct_db_exec (f->db, "UPDATE purchases SET refunded = refunded", NULL));
  recomputed = digest (f->db);
  g_assert_cmpstr (imported, ==, recomputed);
}

/* A big contacts import writes each new contact's search text with it,
 * tags included, instead of leaving it to the triggers: it must be what
 * the triggers give, for tags spelled in another case than the stored
 * ones, named twice, listed out of the order of their ids, for contacts
 * without an email, and for a contact that a later row of the same file
 * changes. */
static void
test_deferred_search_text (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GString) contacts = g_string_new ("email,name,phone,company,tags\n");
  g_autoptr(CtImporter) importer = NULL;
  g_autoptr(CtImportResult) result = NULL;
  g_autofree char *imported = NULL;
  g_autofree char *recomputed = NULL;
  g_autofree char *search = NULL;
  const guint n = 6000;

  /* Tags and a contact from before: "vip" has the lowest id. */
  g_assert_true (ct_db_exec (f->db,
    "INSERT INTO tags (id, name) VALUES (1, 'vip'), (2, 'Zeta');"
    "INSERT INTO contacts (email, first_name, phone) VALUES ('old@example.com', 'Old', '1');"
    "INSERT INTO contact_tags (contact_id, tag_id) SELECT id, 2 FROM contacts;", NULL));

  for (guint i = 0; i < n; i++)
    {
      if (i % 10 == 9)
        /* No email: matched by phone, or added. */
        g_string_append_printf (contacts, ",李娜%u,139 0000 %04u,,\"学员%u,VIP\"\n", i, i, i % 5);
      else
        g_string_append_printf (contacts, "p%u@Example.com,Ada Lovelace%u,,Acme %u,\"学员%u，VIP；vip,zeta\"\n",
                                i, i, i % 3, i % 5);
    }
  /* Rows for contacts the file added earlier, and for the old one. */
  g_string_append (contacts, "p3@example.com,Ada Byron,,,\"new tag,ZETA\"\n");
  g_string_append (contacts, ",李娜19,139 0000 0019,Initech,\n");
  g_string_append (contacts, "OLD@example.com,Old Timer,,,VIP\n");

  importer = load_text (CT_IMPORT_CONTACTS, contacts->str, "search.csv");
  ct_importer_set_on_duplicate (importer, CT_IMPORT_DUPLICATES_OVERWRITE);
  result = run (importer, f->db, FALSE);
  assert_counts (result, n, 3, 0, 0);

  search = query_text (f->db, "SELECT search_text FROM contacts WHERE email = 'p4@example.com'");
  g_assert_cmpstr (search, ==, "lovelace4ada ada lovelace4 p4@example.com  acme 1 vip zeta 学员4");
  g_clear_pointer (&search, g_free);
  search = query_text (f->db, "SELECT search_text FROM contacts WHERE email = 'p3@example.com'");
  g_assert_nonnull (strstr (search, "new tag"));
  g_assert_null (strstr (search, "学员"));

  /* Let the triggers recompute every search text: nothing may change. */
  imported = digest (f->db);
  g_assert_true (ct_db_exec (f->db, "UPDATE contacts SET first_name = first_name", NULL));
  recomputed = digest (f->db);
  g_assert_cmpstr (imported, ==, recomputed);
}

static char *
export_purchases (CtDb *db)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_true (ct_export_write (db, CT_EXPORT_PURCHASES, NULL, 0, out, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (out, NULL, &error));
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

/* What `clientele export purchases` writes reads back with no mapping
 * given: every column guessed as what it is, the same rows, and a second
 * import adds nothing. */
static void
test_export_round_trip (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *path2 = g_build_filename (f->dir, "second.db", NULL);
  g_autoptr(CtDb) db2 = NULL;
  g_autoptr(CtImporter) importer = NULL;
  g_autoptr(CtImportResult) result = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *exported = NULL;
  g_autofree char *again = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_true (ct_db_exec (f->db,
    "INSERT INTO channels (id, name) VALUES (3, '公众号'), (4, 'Newsletter');"
    "INSERT INTO products (id, name, sku, price) VALUES (1, '写作课', 'W-1', 19900), (2, 'Ebook', NULL, 990);"
    "INSERT INTO contacts (id, email, first_name, last_name, phone) VALUES"
    "  (1, 'wei@example.com', '伟', '张', '13800138000'),"
    "  (2, 'ada@example.com', 'Ada', 'Lovelace', ''),"
    "  (3, NULL, '娜', '李', '+86 139 0000 0000');"
    "INSERT INTO purchases (contact_id, product_id, amount, currency, purchased_at, channel_id,"
    "                       source, external_ref, refunded) VALUES"
    "  (1, 1, 19900, 'CNY', 1704445530, 3, 'youzan', 'ORD-1', 0),"
    "  (1, 1, 19900, 'CNY', 1706745600, 3, 'youzan', 'ORD-2', 1),"
    "  (2, 2, 2550, 'USD', 1709251200, 4, 'gumroad', 'ORD-1', 0),"
    "  (3, NULL, 500, 'CNY', 1709337600, NULL, 'wechat', 'W-77', 0);", &error));
  g_assert_no_error (error);

  exported = export_purchases (f->db);
  g_assert_true (g_str_has_prefix (exported, "order_id,source,paid_at,email,phone,name,product,"
                                             "amount,currency,channel,refunded\n"));

  db2 = ct_db_open (path2, &error);
  g_assert_no_error (error);
  bytes = g_bytes_new (exported, strlen (exported));
  importer = ct_importer_new (CT_IMPORT_PURCHASES);
  g_assert_true (ct_importer_load_bytes (importer, bytes, "purchases.csv", &error));
  g_assert_no_error (error);
  g_assert_cmpint (column_of (importer, CT_IMPORT_FIELD_ORDER_ID), ==, 0);
  g_assert_cmpint (column_of (importer, CT_IMPORT_FIELD_SOURCE), ==, 1);
  g_assert_cmpint (column_of (importer, CT_IMPORT_FIELD_PAID_AT), ==, 2);
  g_assert_cmpint (column_of (importer, CT_IMPORT_FIELD_EMAIL), ==, 3);
  g_assert_cmpint (column_of (importer, CT_IMPORT_FIELD_PHONE), ==, 4);
  g_assert_cmpint (column_of (importer, CT_IMPORT_FIELD_NAME), ==, 5);
  g_assert_cmpint (column_of (importer, CT_IMPORT_FIELD_PRODUCT), ==, 6);
  g_assert_cmpint (column_of (importer, CT_IMPORT_FIELD_AMOUNT), ==, 7);
  g_assert_cmpint (column_of (importer, CT_IMPORT_FIELD_CURRENCY), ==, 8);
  g_assert_cmpint (column_of (importer, CT_IMPORT_FIELD_CHANNEL), ==, 9);
  g_assert_cmpint (column_of (importer, CT_IMPORT_FIELD_REFUNDED), ==, 10);

  result = run (importer, db2, FALSE);
  assert_counts (result, 4, 0, 0, 0);
  g_clear_pointer (&result, ct_import_result_unref);
  again = export_purchases (db2);
  g_assert_cmpstr (again, ==, exported);
  /* The same order id from two shops is two purchases. */
  g_assert_cmpint (count (db2, "SELECT count(*) FROM purchases WHERE external_ref = 'ORD-1'"), ==, 2);

  before = digest (db2);
  result = run (importer, db2, FALSE);
  assert_counts (result, 0, 0, 4, 0);
  after = digest (db2);
  g_assert_cmpstr (before, ==, after);
}

/* A person erased on request does not come back from an old spreadsheet,
 * neither as a contact nor through a purchase. */
static void
test_erased (Fixture       *f,
             gconstpointer  data)
{
  const char *contacts =
    "email,name\n"
    "ada@example.org,Ada Lovelace\n"
    "Grace@Example.com,Grace Hopper\n";
  const char *purchases =
    "order id,email,amount,paid at\n"
    "A1, GRACE@example.com ,10,2024-01-01\n"
    "A2,ada@example.org,5,2024-01-02\n"
    "A3,grace@example.COM,7,2024-01-03\n";
  g_autoptr(CtImporter) contact_importer = load_text (CT_IMPORT_CONTACTS, contacts, "old.csv");
  g_autoptr(CtImporter) purchase_importer = load_text (CT_IMPORT_PURCHASES, purchases, "orders.csv");
  g_autoptr(CtImportResult) result = NULL;
  g_autoptr(GDateTime) when = g_date_time_new_local (2026, 11, 30, 12, 0, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  const CtImportReject *reject;
  gint64 grace;

  result = run (contact_importer, f->db, FALSE);
  assert_counts (result, 2, 0, 0, 0);
  g_clear_pointer (&result, ct_import_result_unref);

  grace = count (f->db, "SELECT id FROM contacts WHERE email = 'grace@example.com'");
  g_assert_true (ct_privacy_erase_contact (f->db, grace, &error));
  g_assert_no_error (error);
  sql = g_strdup_printf ("UPDATE erased_emails SET erased_at = %" G_GINT64_FORMAT,
                         g_date_time_to_unix (when));
  g_assert_true (ct_db_exec (f->db, sql, NULL));

  /* The same spreadsheet again: Ada is known, Grace is refused. */
  result = run (contact_importer, f->db, FALSE);
  assert_counts (result, 0, 0, 1, 1);
  reject = ct_import_result_get_reject (result, 0);
  g_assert_cmpuint (reject->line, ==, 3);
  g_assert_cmpstr (reject->column, ==, "email");
  g_assert_cmpstr (reject->message, ==,
                   "Line 3: This person asked to be erased on 2026-11-30; not imported.");
  g_assert_cmpstr (reject->fields[0], ==, "Grace@Example.com");
  g_assert_true (ct_import_result_get_committed (result));
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM contacts"), ==, 1);
  g_clear_pointer (&result, ct_import_result_unref);

  /* Her purchases neither create her again nor go in without her. */
  result = run (purchase_importer, f->db, FALSE);
  assert_counts (result, 1, 0, 0, 2);
  g_assert_cmpuint (ct_import_result_get_reject (result, 0)->line, ==, 2);
  g_assert_cmpuint (ct_import_result_get_reject (result, 1)->line, ==, 4);
  g_assert_cmpstr (ct_import_result_get_reject (result, 1)->reason, ==,
                   "This person asked to be erased on 2026-11-30; not imported.");
  g_assert_cmpuint (ct_import_result_get_contacts_created (result), ==, 0);
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM contacts"), ==, 1);
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM purchases"), ==, 1);
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM purchases p JOIN contacts c"
                                 " ON c.id = p.contact_id WHERE c.email = 'ada@example.org'"), ==, 1);
}

typedef struct
{
  GMainLoop      *loop;
  CtImportResult *result;
  GError         *error;
  GThread        *main_thread;
  guint           n_progress;
  gboolean        destroyed;
} AsyncRun;

static void
on_async_progress (double   fraction,
                   gpointer user_data)
{
  AsyncRun *state = user_data;

  g_assert_true (g_thread_self () == state->main_thread);
  state->n_progress++;
}

static void
on_async_destroy (gpointer user_data)
{
  AsyncRun *state = user_data;

  g_assert_true (g_thread_self () == state->main_thread);
  state->destroyed = TRUE;
}

static void
on_async_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  AsyncRun *state = user_data;

  state->result = ct_importer_run_finish (CT_IMPORTER (source), result, &state->error);
  g_main_loop_quit (state->loop);
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GString) text = make_purchases (3000, 1000);
  g_autoptr(CtImporter) importer = load_text (CT_IMPORT_PURCHASES, text->str, "async.csv");
  AsyncRun state = { 0 };

  state.loop = g_main_loop_new (NULL, FALSE);
  state.main_thread = g_thread_self ();
  ct_importer_run_async (importer, f->db, FALSE, on_async_progress, &state, on_async_destroy,
                         NULL, on_async_done, &state);
  g_main_loop_run (state.loop);
  /* The destroy notify may come in an idle after the callback. */
  while (!state.destroyed)
    g_main_context_iteration (NULL, TRUE);

  g_assert_no_error (state.error);
  g_assert_nonnull (state.result);
  assert_counts (state.result, 2997, 0, 0, 3);
  g_assert_true (ct_import_result_get_committed (state.result));
  g_assert_cmpuint (state.n_progress, >, 0);
  /* Written on the worker's connection, seen on this one. */
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM purchases"), ==, 2997);

  ct_import_result_unref (state.result);
  g_main_loop_unref (state.loop);
}

static void
test_vcard (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *path = data_path ("contacts.vcf");
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(CtImporter) importer = ct_importer_new (CT_IMPORT_CONTACTS);
  g_autoptr(CtImporter) sniffed = NULL;
  g_autoptr(CtImportResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ada = NULL;
  const CtImportReject *reject;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  bytes = g_bytes_new (contents, len);
  g_assert_true (ct_importer_load_vcard (importer, bytes, "contacts.vcf", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ct_importer_get_n_columns (importer), ==, 7);
  g_assert_cmpint (ct_importer_get_column_field (importer, 0), ==, CT_IMPORT_FIELD_EMAIL);
  g_assert_cmpint (ct_importer_get_column_field (importer, 5), ==, CT_IMPORT_FIELD_TAGS);
  g_assert_cmpuint (ct_importer_get_n_preview_rows (importer), ==, 3);

  result = run (importer, f->db, FALSE);
  assert_counts (result, 2, 0, 0, 1);
  reject = ct_import_result_get_reject (result, 0);
  g_assert_cmpuint (reject->line, ==, 17);
  ada = contact_row (f, "ada@example.org");
  g_assert_cmpstr (ada, ==, "Ada|Lovelace|+44 20 7946 0000|Met at the, fair|subscribed|newsletter,vip");

  /* load_bytes recognises a vCard too. */
  sniffed = load_text (CT_IMPORT_CONTACTS, contents, "cards.txt");
  g_assert_cmpuint (ct_importer_get_n_columns (sniffed), ==, 7);
  g_assert_cmpuint (ct_importer_get_n_preview_rows (sniffed), ==, 3);
}

/* ------------------------------------------------------------------ */
/* The command line */

typedef struct
{
  int   status;
  char *out;
  char *err;
} CliResult;

static void
cli_result_clear (CliResult *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliResult, cli_result_clear)

static void
cli (Fixture            *f,
     CliResult          *r,
     const char * const *args)
{
  const char *bin = g_getenv ("CLIENTELE_BIN");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = g_build_filename (f->dir, "data", NULL);
  int wait_status;

  if (bin == NULL)
    g_error ("CLIENTELE_BIN is not set; run through meson test");

  envp = g_environ_unsetenv (envp, "DISPLAY");
  envp = g_environ_unsetenv (envp, "WAYLAND_DISPLAY");
  envp = g_environ_setenv (envp, "XDG_DATA_HOME", data_home, TRUE);
  envp = g_environ_setenv (envp, "LC_ALL", "C.UTF-8", TRUE);
  envp = g_environ_setenv (envp, "LANGUAGE", "en", TRUE);

  g_ptr_array_add (argv, (char *) bin);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                               &r->out, &r->err, &wait_status, &error));
  g_assert_no_error (error);
  r->status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
  g_test_message ("stdout: %s\nstderr: %s", r->out, r->err);
}

static void
test_cli (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *gb = data_path ("contacts-gb18030.csv");
  g_autofree char *malformed_csv = data_path ("purchases-malformed.csv");
  g_autofree char *semicolon = data_path ("purchases-semicolon.csv");
  g_autofree char *vcf = data_path ("contacts.vcf");
  g_autofree char *db = g_build_filename (f->dir, "cli.db", NULL);
  g_autofree char *rejects = g_build_filename (f->dir, "cli-rejects.csv", NULL);
  g_autofree char *empty = g_build_filename (f->dir, "empty.csv", NULL);
  g_autofree char *workbook = g_build_filename (f->dir, "orders.xlsx", NULL);
  g_autofree char *rejects_text = NULL;

  /* 0: every row in */
  {
    g_auto(CliResult) r = { 0 };
    const char *args[] = { "import", "contacts", gb, "--db", db, NULL };

    cli (f, &r, args);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpstr (r.out, ==, "imported 3, updated 0, skipped 0, rejected 0\n");
  }
  /* again: nothing new */
  {
    g_auto(CliResult) r = { 0 };
    const char *args[] = { "import", "contacts", gb, "--db", db, "--on-duplicate", "skip", NULL };

    cli (f, &r, args);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpstr (r.out, ==, "imported 0, updated 0, skipped 3, rejected 0\n");
  }
  /* 3: some rows rejected, listed with their lines, saved */
  {
    g_auto(CliResult) r = { 0 };
    const char *args[] = { "import", "purchases", malformed_csv, "--db", db, "--rejects", rejects, NULL };

    cli (f, &r, args);
    g_assert_cmpint (r.status, ==, 3);
    g_assert_cmpstr (r.out, ==, "imported 2, updated 0, skipped 0, rejected 12\n");
    g_assert_nonnull (strstr (r.err, "clientele: Line 4: “2024-13-45” in 下单时间 is not a date.\n"));
    g_assert_true (g_file_get_contents (rejects, &rejects_text, NULL, NULL));
    g_assert_true (g_str_has_prefix (rejects_text, "\xef\xbb\xbf订单编号"));
  }
  /* --dry-run changes nothing and says so */
  {
    g_auto(CliResult) r = { 0 };
    const char *args[] = { "import", "purchases", semicolon, "--db", db, "--dry-run", NULL };
    g_autoptr(CtDb) check = NULL;

    cli (f, &r, args);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpstr (r.out, ==, "imported 3, updated 0, skipped 0, rejected 0\n");
    g_assert_nonnull (strstr (r.err, "Dry run"));
    /* the buyers it would create are not said to have been added */
    g_assert_nonnull (strstr (r.err, "would be added for buyers not known before."));
    g_assert_null (strstr (r.err, "were added"));
    check = ct_db_open (db, NULL);
    g_assert_cmpint (count (check, "SELECT count(*) FROM purchases"), ==, 2);
  }
  /* --map, --source, --currency, --delimiter, --day-first */
  {
    g_auto(CliResult) r = { 0 };
    const char *args[] = { "import", "purchases", semicolon, "--db", db, "--map", "Name=ignore",
                           "--source", "shop-de", "--currency", "eur", "--delimiter", ";",
                           "--day-first", NULL };
    g_autoptr(CtDb) check = NULL;

    cli (f, &r, args);
    g_assert_cmpint (r.status, ==, 0);
    check = ct_db_open (db, NULL);
    g_assert_cmpint (count (check, "SELECT count(*) FROM purchases WHERE source = 'shop-de'"), ==, 3);
    g_assert_cmpint (count (check, "SELECT count(*) FROM purchases WHERE source = 'shop-de' AND currency = 'EUR'"), ==, 3);
    g_assert_cmpint (count (check, "SELECT count(*) FROM contacts WHERE email = 'marie@example.fr' AND first_name = ''"), ==, 1);
  }
  /* a vCard file */
  {
    g_auto(CliResult) r = { 0 };
    const char *args[] = { "import", "contacts", vcf, "--db", db, NULL };

    cli (f, &r, args);
    g_assert_cmpint (r.status, ==, 3);
    /* 张伟 came in with the GB18030 file, with nothing more here. */
    g_assert_cmpstr (r.out, ==, "imported 1, updated 0, skipped 1, rejected 1\n");
  }
  /* 2: an unusable file, with a specific message */
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  g_assert_true (g_file_set_contents (workbook, "PK\003\004\024\000\006\000\010\000\000\000!\000", 14, NULL));
  {
    g_auto(CliResult) r = { 0 };
    const char *args[] = { "import", "contacts", empty, "--db", db, NULL };

    cli (f, &r, args);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_cmpstr (r.out, ==, "");
    g_assert_nonnull (strstr (r.err, "empty.csv"));
  }
  {
    g_auto(CliResult) r = { 0 };
    const char *args[] = { "import", "purchases", workbook, "--db", db, NULL };

    cli (f, &r, args);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "workbook"));
  }
  /* 2: a contacts file as purchases has no amount column */
  {
    g_auto(CliResult) r = { 0 };
    const char *args[] = { "import", "purchases", gb, "--db", db, NULL };

    cli (f, &r, args);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "amount"));
    g_assert_nonnull (strstr (r.err, "姓名"));
  }
  /* 2: mistakes on the command line */
  {
    const char *bad[][8] = {
      { "import", "orders", gb, "--db", db, NULL },
      { "import", "contacts", NULL },
      { "import", "contacts", gb, "--db", db, "--on-duplicate", "merge", NULL },
      { "import", "contacts", gb, "--db", db, "--map", "nothing", NULL },
      { "import", "contacts", gb, "--db", db, "--map", "电话=email", NULL },
      { "import", "contacts", gb, "--db", db, "--encoding", "ebcdic", NULL },
      { "import", "contacts", gb, "extra", "--db", db, NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_auto(CliResult) r = { 0 };

        cli (f, &r, bad[i]);
        g_assert_cmpint (r.status, ==, 2);
        g_assert_cmpstr (r.out, ==, "");
        g_assert_true (g_str_has_prefix (r.err, "clientele: "));
      }
  }
  /* --help lists the options */
  {
    g_auto(CliResult) r = { 0 };
    const char *args[] = { "help", "import", NULL };

    cli (f, &r, args);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "--on-duplicate"));
    g_assert_nonnull (strstr (r.out, "contacts|purchases FILE"));
  }
}

static void
test_unknown_encoding_kept (void)
{
  /* 0xFF is neither UTF-8 nor GB18030. */
  static const char text[] = "name,email\nJos\xff,jose@example.com\n";
  g_autoptr(GBytes) bytes = g_bytes_new_static (text, sizeof text - 1);
  g_autoptr(CtImporter) importer = ct_importer_new (CT_IMPORT_CONTACTS);
  g_autoptr(GError) error = NULL;

  /* A caller that does not ask why can still pick the encoding after. */
  g_assert_false (ct_importer_load_bytes (importer, bytes, "people.csv", NULL));
  g_assert_true (ct_importer_set_encoding (importer, CT_CSV_ENCODING_WINDOWS_1252, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ct_importer_get_n_columns (importer), ==, 2);
  g_assert_cmpint (ct_importer_get_column_field (importer, 1), ==, CT_IMPORT_FIELD_EMAIL);
}

/* A referrer column, guessed from its Chinese header: the referrer may
 * be further down the file; one who is no contact is reported by line,
 * and the contact is kept. */
static void
test_referrers (Fixture       *f,
                gconstpointer  data)
{
  static const char text[] =
    "邮箱,姓名,推荐人\n"
    "ann@example.com,Ann,BOB@example.com\n"
    "bob@example.com,Bob,\n"
    "cat@example.com,Cat,nobody@example.com\n"
    "dan@example.com,Dan,dan@example.com\n";
  g_autoptr(CtImporter) importer = load_text (CT_IMPORT_CONTACTS, text, "referrals.csv");
  g_autoptr(CtImportResult) result = NULL;
  const CtImportReject *reject;

  g_assert_cmpint (ct_importer_get_column_field (importer, 2), ==, CT_IMPORT_FIELD_REFERRER);

  result = run (importer, f->db, FALSE);
  g_assert_cmpuint (ct_import_result_get_imported (result), ==, 4);
  g_assert_cmpuint (ct_import_result_get_rejected (result), ==, 2);
  reject = ct_import_result_get_reject (result, 0);
  g_assert_cmpuint (reject->line, ==, 4);
  g_assert_cmpstr (reject->column, ==, "推荐人");
  g_assert_nonnull (strstr (reject->reason, "nobody@example.com"));
  reject = ct_import_result_get_reject (result, 1);
  g_assert_cmpuint (reject->line, ==, 5);

  g_assert_cmpint (count (f->db, "SELECT count(*) FROM referrals r"
                                 " JOIN contacts a ON a.id = r.referred_id AND a.email = 'ann@example.com'"
                                 " JOIN contacts b ON b.id = r.referrer_id AND b.email = 'bob@example.com'"
                                 " WHERE r.source = 'import'"), ==, 1);
  g_assert_cmpint (count (f->db, "SELECT count(*) FROM referrals"), ==, 1);
  /* Bob earned the referral's points. */
  g_assert_cmpint (count (f->db, "SELECT l.points FROM contact_loyalty l JOIN contacts c ON c.id = l.contact_id"
                                 " WHERE c.email = 'bob@example.com'"), ==, 100);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/import/fields", test_fields);
  g_test_add_func ("/import/guess/headers", test_guess_headers);
  g_test_add_func ("/import/guess/no-header", test_guess_no_header);
  g_test_add_func ("/import/guess/exact-names", test_guess_exact_names);
  g_test_add_func ("/import/load/errors", test_load_errors);
  g_test_add_func ("/import/load/set-encoding", test_set_encoding);
  g_test_add_func ("/import/load/unknown-encoding-kept", test_unknown_encoding_kept);
  ADD ("/import/load/gb18030", test_gb18030);
  ADD ("/import/load/bom", test_bom);
  ADD ("/import/load/semicolon", test_semicolon);
  ADD ("/import/rows/multiline", test_multiline);
  ADD ("/import/rows/malformed", test_malformed);
  ADD ("/import/mapping", test_mapping);
  ADD ("/import/run/idempotent", test_idempotent);
  ADD ("/import/run/auto-reference", test_auto_reference);
  ADD ("/import/run/repeated-order", test_repeated_order);
  ADD ("/import/run/unknown-email", test_unknown_email);
  ADD ("/import/duplicates/update-empty", test_duplicates_update_empty);
  ADD ("/import/duplicates/overwrite", test_duplicates_overwrite);
  ADD ("/import/duplicates/skip", test_duplicates_skip);
  ADD ("/import/run/cancel", test_cancel);
  ADD ("/import/run/cancel-other-connection", test_cancel_on_another_connection);
  ADD ("/import/run/dry-run", test_dry_run);
  ADD ("/import/run/all-or-nothing", test_all_or_nothing);
  ADD ("/import/run/async", test_async);
  ADD ("/import/run/large", test_large);
  ADD ("/import/run/deferred-upkeep", test_deferred_upkeep);
  ADD ("/import/run/deferred-search-text", test_deferred_search_text);
  ADD ("/import/run/duplicates-in-empty-database", test_duplicates_in_empty_database);
  ADD ("/import/run/erased", test_erased);
  ADD ("/import/run/export-round-trip", test_export_round_trip);
  ADD ("/import/vcard", test_vcard);
  ADD ("/import/run/referrers", test_referrers);
  ADD ("/import/cli", test_cli);

  return g_test_run ();
}
