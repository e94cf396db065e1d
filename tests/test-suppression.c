/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-suppression.c: the suppression list: by hand, from a file, out to
 * CSV, what campaigns leave out, the migration that made room for
 * imports and notes, and `clientele suppression` */
#include "config.h"

#include <string.h>
#include <sqlite3.h>
#include <glib/gstdio.h>

#include "ct-campaign-results.h"
#include "ct-suppression.h"
#include "ct-test-cli.h"
#include "ct-test-db.h"

static void
count_changed (CtDb       *db,
               const char *table,
               guint      *n)
{
  (*n)++;
}

static gint64
audience_included (CtDb *db)
{
  g_autoptr(GError) error = NULL;
  gint64 in = -1, out = -1;

  g_assert_true (ct_campaign_count_audience (db, "{\"all\":true}", &in, &out, &error));
  g_assert_no_error (error);
  return in;
}

static void
test_reasons (void)
{
  CtSuppressionReason r;

  for (guint i = 0; i < CT_SUPPRESSION_N_REASONS; i++)
    {
      g_assert_true (ct_suppression_reason_from_string (ct_suppression_reason_to_string (i), &r));
      g_assert_cmpint (r, ==, i);
      g_assert_cmpstr (ct_suppression_reason_get_label (i), !=, "");
    }
  g_assert_true (ct_suppression_reason_from_string ("  Bounced ", &r));
  g_assert_cmpint (r, ==, CT_SUPPRESSION_BOUNCED);
  g_assert_true (ct_suppression_reason_from_string ("退订", &r));
  g_assert_cmpint (r, ==, CT_SUPPRESSION_UNSUBSCRIBED);
  g_assert_true (ct_suppression_reason_from_string ("spam", &r));
  g_assert_cmpint (r, ==, CT_SUPPRESSION_COMPLAINED);
  g_assert_true (ct_suppression_reason_from_string ("Added by hand", &r));
  g_assert_cmpint (r, ==, CT_SUPPRESSION_MANUAL);
  g_assert_true (ct_suppression_reason_from_string ("导入", &r));
  g_assert_cmpint (r, ==, CT_SUPPRESSION_IMPORTED);
  /* Subscribed is a status, never a reason to suppress. */
  g_assert_false (ct_suppression_reason_from_string ("subscribed", &r));
  g_assert_false (ct_suppression_reason_from_string ("maybe", &r));
  g_assert_false (ct_suppression_reason_from_string ("", &r));
}

static void
test_add_remove_restore (void)
{
  CtTestDb t;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtSuppression) removed = NULL;
  g_autoptr(CtSuppression) found = NULL;
  g_autoptr(GPtrArray) list = NULL;
  guint changed = 0;

  ct_test_db_set_up (&t, "clientele-test-suppression-XXXXXX");
  g_signal_connect (t.db, "changed::suppressions", G_CALLBACK (count_changed), &changed);
  ct_test_db_exec (&t, "INSERT INTO contacts (email) VALUES ('ann@example.com'), ('bob@example.com'),"
                       " ('cy@example.com')");
  g_assert_cmpint (audience_included (t.db), ==, 3);

  /* Full-width forms typed with a Chinese input method are tidied. */
  g_assert_true (ct_suppression_add (t.db, " ａｎｎ＠ｅｘａｍｐｌｅ．ｃｏｍ ", CT_SUPPRESSION_MANUAL,
                                     "  asked by phone  ", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpint (audience_included (t.db), ==, 2);

  found = ct_suppression_lookup (t.db, "ANN@example.com", &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_cmpstr (found->email, ==, "ann@example.com");
  g_assert_cmpint (found->reason, ==, CT_SUPPRESSION_MANUAL);
  g_assert_cmpstr (found->note, ==, "asked by phone");
  g_assert_cmpstr (found->source, ==, "");
  g_assert_cmpint (ABS (found->created_at - g_get_real_time () / G_USEC_PER_SEC), <, 5);

  /* Twice, in another case: refused, saying since when and why. */
  g_assert_false (ct_suppression_add (t.db, "Ann@Example.com", CT_SUPPRESSION_MANUAL, NULL, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, "Added by hand"));
  g_clear_error (&error);
  g_assert_cmpuint (changed, ==, 1);

  g_assert_false (ct_suppression_add (t.db, "bob@", CT_SUPPRESSION_MANUAL, NULL, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "bob@"));
  g_clear_error (&error);
  g_assert_false (ct_suppression_add (t.db, "   ", CT_SUPPRESSION_MANUAL, NULL, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (ct_suppression_count (t.db, NULL, &error), ==, 1);

  /* Remove, then Undo: the row comes back as it was, time included. */
  ct_test_db_exec (&t, "UPDATE suppressions SET created_at = 1700000000");
  g_assert_true (ct_suppression_remove (t.db, "ANN@EXAMPLE.COM", &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 2);
  g_assert_cmpint (ct_suppression_count (t.db, NULL, &error), ==, 0);
  g_assert_cmpint (audience_included (t.db), ==, 3);
  g_assert_nonnull (removed);
  g_assert_cmpstr (removed->note, ==, "asked by phone");

  g_assert_false (ct_suppression_remove (t.db, "ann@example.com", NULL, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (ct_suppression_restore (t.db, removed, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (changed, ==, 3);
  list = ct_suppression_list (t.db, NULL, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  {
    CtSuppression *s = g_ptr_array_index (list, 0);

    g_assert_cmpstr (s->email, ==, "ann@example.com");
    g_assert_cmpint (s->created_at, ==, 1700000000);
    g_assert_cmpint (s->reason, ==, CT_SUPPRESSION_MANUAL);
    g_assert_cmpstr (s->note, ==, "asked by phone");
  }
  g_assert_cmpint (audience_included (t.db), ==, 2);

  ct_test_db_tear_down (&t);
}

static void
test_list_search (void)
{
  CtTestDb t;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GPtrArray) found = NULL;

  ct_test_db_set_up (&t, "clientele-test-suppression-XXXXXX");
  ct_test_db_exec (&t,
    "INSERT INTO suppressions (email, reason, source, note, created_at) VALUES"
    " ('old@example.com', 'bounced', 'postmark', '', 100),"
    " ('mid@example.com', 'unsubscribed', 'sendgrid', '', 200),"
    " ('new@example.com', 'manual', '', 'asked 100% sure', 300),"
    " ('under_score@example.com', 'imported', 'old-list.csv', '', 250)");

  all = ct_suppression_list (t.db, "", 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 4);
  /* Newest first. */
  g_assert_cmpstr (((CtSuppression *) all->pdata[0])->email, ==, "new@example.com");
  g_assert_cmpstr (((CtSuppression *) all->pdata[1])->email, ==, "under_score@example.com");
  g_assert_cmpstr (((CtSuppression *) all->pdata[3])->email, ==, "old@example.com");
  g_assert_cmpint (((CtSuppression *) all->pdata[3])->reason, ==, CT_SUPPRESSION_BOUNCED);
  g_assert_cmpstr (((CtSuppression *) all->pdata[3])->source, ==, "postmark");

  page = ct_suppression_list (t.db, NULL, 1, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 2);
  g_assert_cmpstr (((CtSuppression *) page->pdata[0])->email, ==, "under_score@example.com");
  g_assert_cmpstr (((CtSuppression *) page->pdata[1])->email, ==, "mid@example.com");

  /* By address ignoring case, by source and by note; % and _ literal. */
  g_assert_cmpint (ct_suppression_count (t.db, "MID@", &error), ==, 1);
  g_assert_cmpint (ct_suppression_count (t.db, "sendgrid", &error), ==, 1);
  g_assert_cmpint (ct_suppression_count (t.db, "old", &error), ==, 2);
  g_assert_cmpint (ct_suppression_count (t.db, "100%", &error), ==, 1);
  g_assert_cmpint (ct_suppression_count (t.db, "%", &error), ==, 1);
  g_assert_cmpint (ct_suppression_count (t.db, "_", &error), ==, 1);
  g_assert_cmpint (ct_suppression_count (t.db, "nobody", &error), ==, 0);
  g_assert_no_error (error);
  found = ct_suppression_list (t.db, "csv", 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  g_assert_cmpstr (((CtSuppression *) found->pdata[0])->email, ==, "under_score@example.com");

  ct_test_db_tear_down (&t);
}

static CtSuppressionProblem *
problem (CtSuppressionImport *report,
         guint                i)
{
  g_assert_cmpuint (i, <, report->problems->len);
  return g_ptr_array_index (report->problems, i);
}

static void
test_import_plain (void)
{
  CtTestDb t;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtSuppressionImport) report = NULL;
  g_autoptr(CtSuppression) s = NULL;
  const char *text =
    "one@example.com\n"
    "not-an-address\n"
    "\n"
    "Two@Example.com\r\n"
    "two@example.com\n"
    "bob@\n"
    "three@example.com\n";

  ct_test_db_set_up (&t, "clientele-test-suppression-XXXXXX");
  ct_test_db_exec (&t, "INSERT INTO suppressions (email, reason) VALUES ('three@example.com', 'bounced')");

  report = ct_suppression_import_text (t.db, text, -1, "list.txt", &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);
  g_assert_cmpuint (report->n_lines, ==, 6);
  g_assert_cmpuint (report->n_added, ==, 2);
  g_assert_cmpuint (report->n_already, ==, 2);   /* two@ twice, three@ listed */
  g_assert_cmpuint (report->problems->len, ==, 2);
  g_assert_cmpuint (problem (report, 0)->line, ==, 2);
  g_assert_cmpstr (problem (report, 0)->text, ==, "not-an-address");
  g_assert_nonnull (strstr (problem (report, 0)->message, "not an email address"));
  g_assert_cmpuint (problem (report, 1)->line, ==, 6);
  g_assert_cmpstr (problem (report, 1)->text, ==, "bob@");

  s = ct_suppression_lookup (t.db, "two@example.com", &error);
  g_assert_nonnull (s);
  g_assert_cmpint (s->reason, ==, CT_SUPPRESSION_IMPORTED);
  g_assert_cmpstr (s->source, ==, "list.txt");
  g_clear_pointer (&s, ct_suppression_free);
  /* Already listed: left as it was. */
  s = ct_suppression_lookup (t.db, "three@example.com", &error);
  g_assert_cmpint (s->reason, ==, CT_SUPPRESSION_BOUNCED);
  g_assert_cmpint (ct_suppression_count (t.db, NULL, &error), ==, 3);

  ct_test_db_tear_down (&t);
}

static void
test_import_csv (void)
{
  CtTestDb t;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtSuppressionImport) report = NULL;
  g_autoptr(CtSuppression) s = NULL;
  /* A header naming the columns in another order, in Chinese. */
  const char *text =
    "姓名;备注;邮箱;原因\n"
    "张伟;电话里要求的;zhang@example.com;退订\n"
    "李娜;;li@example.com;\n"
    "王芳;;wang@example.com;maybe\n"
    "赵;;;bounced\n"
    "孙;\"unclosed;sun@example.com;spam\n";

  ct_test_db_set_up (&t, "clientele-test-suppression-XXXXXX");
  report = ct_suppression_import_text (t.db, text, -1, "名单.csv", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->n_added, ==, 2);
  g_assert_cmpuint (report->problems->len, ==, 3);
  g_assert_cmpuint (problem (report, 0)->line, ==, 4);
  g_assert_nonnull (strstr (problem (report, 0)->message, "maybe"));
  g_assert_cmpuint (problem (report, 1)->line, ==, 5);
  g_assert_nonnull (strstr (problem (report, 1)->message, "no email address"));
  g_assert_cmpuint (problem (report, 2)->line, ==, 6);

  s = ct_suppression_lookup (t.db, "zhang@example.com", &error);
  g_assert_cmpint (s->reason, ==, CT_SUPPRESSION_UNSUBSCRIBED);
  g_assert_cmpstr (s->note, ==, "电话里要求的");
  g_assert_cmpstr (s->source, ==, "名单.csv");
  g_clear_pointer (&s, ct_suppression_free);
  s = ct_suppression_lookup (t.db, "li@example.com", &error);
  g_assert_cmpint (s->reason, ==, CT_SUPPRESSION_IMPORTED);
  g_assert_null (ct_suppression_lookup (t.db, "wang@example.com", &error));
  g_assert_no_error (error);

  ct_test_db_tear_down (&t);
}

/* A file in GB18030 as a Chinese spreadsheet saves it, exported to CSV
 * and read back into another database unchanged. */
static void
test_file_export_round_trip (void)
{
  CtTestDb t, u;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtSuppressionImport) report = NULL;
  g_autoptr(CtSuppressionImport) again = NULL;
  g_autoptr(GFile) in = NULL;
  g_autoptr(GFile) out = NULL;
  g_autoptr(GPtrArray) a = NULL;
  g_autoptr(GPtrArray) b = NULL;
  g_autofree char *in_path = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *gb = NULL;
  g_autofree char *csv = NULL;
  gsize gb_len = 0;
  guint n = 0;

  ct_test_db_set_up (&t, "clientele-test-suppression-XXXXXX");
  ct_test_db_set_up (&u, "clientele-test-suppression-XXXXXX");

  gb = g_convert ("邮箱,备注\nfan@example.com,客户说不要再发了\n=cmd@example.com,\"a, b\"\n", -1,
                  "GB18030", "UTF-8", NULL, &gb_len, &error);
  g_assert_no_error (error);
  in_path = g_build_filename (t.dir, "list.csv", NULL);
  g_assert_true (g_file_set_contents (in_path, gb, (gssize) gb_len, &error));
  in = g_file_new_for_path (in_path);
  report = ct_suppression_import_file (t.db, in, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report->n_added, ==, 2);
  g_assert_cmpuint (report->problems->len, ==, 0);
  ct_test_db_exec (&t, "INSERT INTO suppressions (email, reason, source, created_at)"
                       " VALUES ('gone@example.com', 'bounced', 'postmark', 1764496800)");

  out_path = g_build_filename (t.dir, "out.csv", NULL);
  out = g_file_new_for_path (out_path);
  g_assert_true (ct_suppression_export_to_file (t.db, NULL, CT_CSV_WRITE_BOM, out, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3);
  g_assert_true (g_file_get_contents (out_path, &csv, NULL, &error));
  g_assert_true (g_str_has_prefix (csv, "\xEF\xBB\xBF" "email,reason,source,note,created_at\n"));
  g_assert_nonnull (strstr (csv, "gone@example.com,bounced,postmark,,2025-11-30T10:00:00Z\n"));
  /* A cell a spreadsheet would run is neutralised. */
  g_assert_nonnull (strstr (csv, "'=cmd@example.com"));

  again = ct_suppression_import_file (u.db, out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->n_added, ==, 3);
  g_assert_cmpuint (again->problems->len, ==, 0);
  a = ct_suppression_list (t.db, NULL, 0, 0, &error);
  b = ct_suppression_list (u.db, NULL, 0, 0, &error);
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      CtSuppression *x = a->pdata[i], *y = b->pdata[i];

      g_assert_cmpstr (x->email, ==, y->email);
      g_assert_cmpint (x->reason, ==, y->reason);
      g_assert_cmpstr (x->source, ==, y->source);
      g_assert_cmpstr (x->note, ==, y->note);
      g_assert_cmpint (x->created_at, ==, y->created_at);
    }

  /* Only what the search finds. */
  g_assert_true (ct_suppression_export_to_file (t.db, "postmark", CT_CSV_WRITE_NONE, out, &n, NULL, &error));
  g_assert_cmpuint (n, ==, 1);

  /* A workbook is refused, nothing added. */
  {
    static const char workbook[] = "PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00";

    g_assert_true (g_file_set_contents (in_path, workbook, sizeof workbook - 1, &error));
  }
  g_clear_pointer (&report, ct_suppression_import_free);
  report = ct_suppression_import_file (u.db, in, NULL, &error);
  g_assert_null (report);
  g_assert_error (error, CT_CSV_ERROR, CT_CSV_ERROR_BINARY);
  g_clear_error (&error);

  g_unlink (in_path);
  g_unlink (out_path);
  ct_test_db_tear_down (&u);
  ct_test_db_tear_down (&t);
}

/* A database of the version before this list had notes and imports
 * keeps its suppressions through the migration. */
static void
test_migration (void)
{
  g_autofree char *dir = g_dir_make_tmp ("clientele-test-suppression-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "old.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CtDb) db = NULL;
  g_autoptr(CtSuppression) s = NULL;
  const CtDbMigration *migrations;
  guint n = 0;
  sqlite3 *raw = NULL;
  int previous = -1;

  /* The version just before the one that rebuilds the table, wherever
   * later migrations put it. */
  migrations = ct_db_schema_get_migrations (&n);
  for (guint i = 0; i < n && previous < 0; i++)
    if (strstr (migrations[i].sql, "CREATE TABLE suppressions_new") != NULL)
      previous = migrations[i].version - 1;
  g_assert_cmpint (previous, >, 0);
  g_assert_cmpint (sqlite3_open (path, &raw), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (raw, "BEGIN", NULL, NULL, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < n && migrations[i].version <= previous; i++)
    g_assert_cmpint (sqlite3_exec (raw, migrations[i].sql, NULL, NULL, NULL), ==, SQLITE_OK);
  {
    g_autofree char *pragma = g_strdup_printf ("PRAGMA user_version = %d; PRAGMA application_id = %d;",
                                               previous, CT_DB_APPLICATION_ID);
    g_assert_cmpint (sqlite3_exec (raw, pragma, NULL, NULL, NULL), ==, SQLITE_OK);
  }
  g_assert_cmpint (sqlite3_exec (raw,
                                 "INSERT INTO suppressions (email, reason, source, created_at)"
                                 " VALUES ('kept@example.com', 'complained', 'brevo', 1234);"
                                 "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (raw);

  db = ct_db_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ct_db_get_schema_version (db), ==, CT_DB_SCHEMA_VERSION);
  s = ct_suppression_lookup (db, "KEPT@example.com", &error);
  g_assert_no_error (error);
  g_assert_nonnull (s);
  g_assert_cmpint (s->reason, ==, CT_SUPPRESSION_COMPLAINED);
  g_assert_cmpstr (s->source, ==, "brevo");
  g_assert_cmpstr (s->note, ==, "");
  g_assert_cmpint (s->created_at, ==, 1234);
  g_assert_true (ct_suppression_add (db, "new@example.com", CT_SUPPRESSION_IMPORTED, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&db);

  remove_tree (dir);
}

static void
test_cli (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *db = g_build_filename (f->dir, "cli.db", NULL);
  g_autofree char *list = g_build_filename (f->dir, "list.txt", NULL);
  g_autofree char *out = g_build_filename (f->dir, "out.csv", NULL);
  g_autofree char *csv = NULL;

  {
    g_auto(Result) r = run (f, "suppression", "list", "--db", db, NULL);
    /* Never creates a database. */
    g_assert_cmpint (r.status, ==, 1);
    g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
  }
  {
    g_auto(Result) r = run (f, "demo", "--db", db, "--contacts", "20", NULL);
    g_assert_cmpint (r.status, ==, 0);
  }
  {
    g_auto(Result) r = run (f, "suppression", "add", "Pat@Example.com", "--reason", "asked by phone", "--db", db, NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "Pat@Example.com"));
  }
  {
    g_auto(Result) r = run (f, "suppression", "add", "pat@example.com", "--db", db, NULL);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "already"));
  }
  {
    g_auto(Result) r = run (f, "suppression", "add", "nobody", "--db", db, NULL);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "not an email address"));
  }
  g_assert_true (g_file_set_contents (list, "a@example.com\nb@example\nc@example.com\n", -1, NULL));
  {
    g_auto(Result) r = run (f, "suppression", "import", list, "--db", db, NULL);
    g_assert_cmpint (r.status, ==, 3);
    g_assert_nonnull (strstr (r.err, "line 2: “b@example” is not an email address."));
    g_assert_nonnull (strstr (r.out, "2 added, 0 on the list already, 1 rejected."));
  }
  {
    g_auto(Result) r = run (f, "suppression", "list", "--db", db, NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "Pat@Example.com\tAdded by hand\t"));
    g_assert_nonnull (strstr (r.out, "\tasked by phone\n"));
    g_assert_nonnull (strstr (r.out, "a@example.com\tImported\t"));
    g_assert_nonnull (strstr (r.err, "3 addresses suppressed."));
  }
  {
    g_auto(Result) r = run (f, "suppression", "list", "--search", "PAT", "--db", db, NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.err, "1 address suppressed."));
  }
  {
    g_auto(Result) r = run (f, "suppression", "remove", "PAT@example.com", "--db", db, NULL);
    g_assert_cmpint (r.status, ==, 0);
  }
  {
    g_auto(Result) r = run (f, "suppression", "remove", "pat@example.com", "--db", db, NULL);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "not on the suppression list"));
  }
  {
    g_auto(Result) r = run (f, "suppression", "export", out, "--db", db, NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_true (g_file_get_contents (out, &csv, NULL, NULL));
    g_assert_true (g_str_has_prefix (csv, "email,reason,source,note,created_at\n"));
    g_assert_nonnull (strstr (csv, "c@example.com,imported,list.txt,,"));
  }
  {
    g_auto(Result) r = run (f, "suppression", "drop", "x@example.com", "--db", db, NULL);
    g_assert_cmpint (r.status, ==, 2);
  }
  {
    g_auto(Result) r = run (f, "suppression", "add", "--db", db, NULL);
    g_assert_cmpint (r.status, ==, 2);
  }
  {
    g_auto(Result) r = run (f, "suppression", "remove", "a@example.com", "--reason", "x", "--db", db, NULL);
    g_assert_cmpint (r.status, ==, 2);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/suppression/reasons", test_reasons);
  g_test_add_func ("/suppression/add-remove-restore", test_add_remove_restore);
  g_test_add_func ("/suppression/list-search", test_list_search);
  g_test_add_func ("/suppression/import-plain", test_import_plain);
  g_test_add_func ("/suppression/import-csv", test_import_csv);
  g_test_add_func ("/suppression/file-export-round-trip", test_file_export_round_trip);
  g_test_add_func ("/suppression/migration", test_migration);
  g_test_add ("/suppression/cli", Fixture, NULL, fixture_set_up, test_cli, fixture_tear_down);

  return g_test_run ();
}
