/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cli-segment.c: "clientele segment", run as the real binary, in
 * the style of test-cli.c */
#include "config.h"

#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>

#include "ct-cli.h"
#include "ct-db.h"
#include "ct-export.h"
#include "ct-segment.h"
#include "ct-tier.h"
#include "ct-test-cli.h"

/* A demo business, analysed, and the path of a rule file in @f->dir. */
static char *
make_business (Fixture *f)
{
  char *path = g_build_filename (f->dir, "business.db", NULL);
  g_auto(Result) demo = { 0 };
  g_auto(Result) analyze = { 0 };

  demo = run (f, "demo", "--db", path, "--contacts", "300", "--seed", "3", NULL);
  g_assert_cmpint (demo.status, ==, 0);
  analyze = run (f, "analyze", "--db", path, NULL);
  g_assert_cmpint (analyze.status, ==, 0);
  return path;
}

static char *
write_rule (Fixture    *f,
            const char *name,
            const char *json)
{
  char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, json, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* Three conditions, a nested group, a tag and a purchase condition. */
#define TYPICAL_RULE \
  "{\"match\": \"all\", \"conditions\": [" \
  " {\"field\": \"status\", \"op\": \"=\", \"value\": \"subscribed\"}," \
  " {\"match\": \"any\", \"conditions\": [" \
  "   {\"field\": \"tag\", \"op\": \"has\", \"value\": \"VIP\"}," \
  "   {\"field\": \"total_spent\", \"op\": \">=\", \"value\": 2000}]}," \
  " {\"field\": \"last_purchase_at\", \"op\": \"within_days\", \"value\": 365}]}"

static gint64
count_in_process (const char *db_path,
                  const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtDb) db = ct_db_open (db_path, &error);
  g_autoptr(CtSegmentRule) rule = ct_segment_rule_parse (json, &error);
  gint64 count = -1;

  g_assert_no_error (error);
  g_assert_true (ct_segment_count (db, rule, 0, &count, &error));
  g_assert_no_error (error);
  return count;
}

static void
test_count_save_list (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *db = make_business (f);
  g_autofree char *rule = write_rule (f, "typical.json", TYPICAL_RULE);
  g_autofree char *vip = write_rule (f, "vip.json",
                                     "{\"match\": \"all\", \"conditions\": [{\"field\": \"tag\", \"op\": \"has\", \"value\": \"vip\"}]}");
  g_autofree char *expected = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *listed = NULL;
  g_auto(Result) count = { 0 };
  g_auto(Result) by_name = { 0 };
  g_auto(Result) save = { 0 };
  g_auto(Result) again = { 0 };
  g_auto(Result) replace = { 0 };
  g_auto(Result) list = { 0 };
  gint64 n = count_in_process (db, TYPICAL_RULE);
  gint64 n_vip = count_in_process (db, "{\"match\": \"all\", \"conditions\": [{\"field\": \"tag\", \"op\": \"has\", \"value\": \"vip\"}]}");

  g_assert_cmpint (n, >, 0);
  g_assert_cmpint (n, <, 300);
  expected = g_strdup_printf ("%lld\n", (long long) n);

  count = run (f, "segment", "count", rule, "--db", db, NULL);
  g_assert_cmpint (count.status, ==, 0);
  g_assert_cmpstr (count.out, ==, expected);
  g_assert_cmpstr (count.err, ==, "");

  save = run (f, "segment", "save", "Engaged 会员", rule, "--db", db, NULL);
  g_assert_cmpint (save.status, ==, 0);
  saved = g_strdup_printf ("saved segment Engaged 会员 (%lld contacts)\n", (long long) n);
  g_assert_cmpstr (save.out, ==, saved);

  /* The name is taken (ignoring case) until --replace. */
  again = run (f, "segment", "save", "engaged 会员", vip, "--db", db, NULL);
  g_assert_cmpint (again.status, ==, 1);
  g_assert_nonnull (strstr (again.err, "already a segment called"));
  g_assert_nonnull (strstr (again.err, "--replace"));
  replace = run (f, "segment", "save", "engaged 会员", vip, "--replace", "--db", db, NULL);
  g_assert_cmpint (replace.status, ==, 0);

  by_name = run (f, "segment", "count", "Engaged 会员", "--db", db, NULL);
  g_assert_cmpint (by_name.status, ==, 0);
  g_assert_cmpint (g_ascii_strtoll (by_name.out, NULL, 10), ==, n_vip);

  list = run (f, "segment", "list", "--db", db, NULL);
  g_assert_cmpint (list.status, ==, 0);
  listed = g_strdup_printf ("Engaged 会员\t%lld\n", (long long) n_vip);
  g_assert_cmpstr (list.out, ==, listed);
}

/* The members file has exactly the columns and cells of "export
 * contacts", for exactly the members. */
static void
test_members_csv (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *db = make_business (f);
  g_autofree char *rule = write_rule (f, "typical.json", TYPICAL_RULE);
  g_autofree char *members_csv = g_build_filename (f->dir, "members.csv", NULL);
  g_autofree char *all_csv = g_build_filename (f->dir, "all.csv", NULL);
  g_autofree char *members_text = NULL;
  g_autofree char *all_text = NULL;
  g_autofree char *printed = NULL;
  g_auto(GStrv) member_lines = NULL;
  g_auto(GStrv) all_lines = NULL;
  g_auto(Result) members = { 0 };
  g_auto(Result) to_stdout = { 0 };
  g_auto(Result) export = { 0 };
  g_autoptr(GHashTable) all_rows = g_hash_table_new (g_str_hash, g_str_equal);
  gint64 n = count_in_process (db, TYPICAL_RULE);
  guint n_lines;

  members = run (f, "segment", "members", rule, "--csv", members_csv, "--db", db, NULL);
  g_assert_cmpint (members.status, ==, 0);
  printed = g_strdup_printf ("exported %lld rows to %s\n", (long long) n, members_csv);
  g_assert_cmpstr (members.out, ==, printed);

  export = run (f, "export", "contacts", all_csv, "--db", db, NULL);
  g_assert_cmpint (export.status, ==, 0);

  g_assert_true (g_file_get_contents (members_csv, &members_text, NULL, NULL));
  g_assert_true (g_file_get_contents (all_csv, &all_text, NULL, NULL));
  member_lines = g_strsplit (members_text, "\r\n", -1);
  all_lines = g_strsplit (all_text, "\r\n", -1);
  if (g_strv_length (member_lines) == 1)
    {
      g_strfreev (member_lines);
      g_strfreev (all_lines);
      member_lines = g_strsplit (members_text, "\n", -1);
      all_lines = g_strsplit (all_text, "\n", -1);
    }

  g_assert_cmpstr (member_lines[0], ==, all_lines[0]);
  g_assert_true (g_str_has_prefix (member_lines[0], "email,first_name,last_name,phone,tags,channel,status"));
  for (guint i = 1; all_lines[i] != NULL; i++)
    g_hash_table_add (all_rows, all_lines[i]);
  n_lines = 0;
  for (guint i = 1; member_lines[i] != NULL; i++)
    if (member_lines[i][0] != '\0')
      {
        g_assert_true (g_hash_table_contains (all_rows, member_lines[i]));
        g_assert_nonnull (strstr (member_lines[i], ",subscribed,"));
        n_lines++;
      }
  g_assert_cmpint (n_lines, ==, n);

  /* Without --csv the same file goes to stdout. */
  to_stdout = run (f, "segment", "members", rule, "--db", db, NULL);
  g_assert_cmpint (to_stdout.status, ==, 0);
  g_assert_cmpstr (to_stdout.out, ==, members_text);
}

/* Tiers and points of the demo business (which places everyone): the
 * members of each tier add up to the contacts, as the tiers' own counts
 * say, and a points rule counts as in-process. */
static void
test_loyalty (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *db = make_business (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) members = NULL;
  gint64 total = 0;

  {
    g_autoptr(CtDb) handle = ct_db_open (db, &error);

    g_assert_no_error (error);
    members = ct_tier_count_members (handle, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpuint (members->len, ==, 4);

  for (guint level = 0; level < members->len; level++)
    {
      static const char * const names[] = { "member", "SILVER", "Gold", "diamond" };
      g_autofree char *json = g_strdup_printf ("{\"match\": \"all\", \"conditions\": "
                                               "[{\"field\": \"tier\", \"op\": \"=\", \"value\": \"%s\"}]}",
                                               names[level]);
      g_autofree char *file = g_strdup_printf ("tier%u.json", level);
      g_autofree char *path = write_rule (f, file, json);
      g_autofree char *expected = g_strdup_printf ("%lld\n", (long long) g_array_index (members, gint64, level));
      g_auto(Result) count = run (f, "segment", "count", path, "--db", db, NULL);

      g_assert_cmpint (count.status, ==, 0);
      g_assert_cmpstr (count.out, ==, expected);
      total += g_array_index (members, gint64, level);
    }
  g_assert_cmpint (total, ==, 300);
  /* The demo's buyers earn points; not everyone is a buyer. */
  {
    const char *json = "{\"match\": \"all\", \"conditions\": [{\"field\": \"points\", \"op\": \">\", \"value\": 0}]}";
    g_autofree char *path = write_rule (f, "points.json", json);
    g_auto(Result) count = run (f, "segment", "count", path, "--db", db, NULL);
    g_autofree char *expected = g_strdup_printf ("%lld\n", (long long) count_in_process (db, json));

    g_assert_cmpint (count.status, ==, 0);
    g_assert_cmpstr (count.out, ==, expected);
    g_assert_cmpstr (count.out, !=, "0\n");
    g_assert_cmpstr (count.out, !=, "300\n");
  }
}

static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *db = make_business (f);
  g_autofree char *bad_field = write_rule (f, "bad.json",
    "{\"match\": \"all\", \"conditions\": [{\"field\": \"spent\", \"op\": \">\", \"value\": 1}]}");
  g_autofree char *bad_op = write_rule (f, "op.json",
    "{\"match\": \"all\", \"conditions\": [{\"field\": \"email\", \"op\": \">\", \"value\": \"a\"}]}");
  g_autofree char *tier = write_rule (f, "tier.json",
    "{\"match\": \"all\", \"conditions\": [{\"field\": \"tier\", \"op\": \"=\", \"value\": \"Platinum\"}]}");
  g_autofree char *not_json = write_rule (f, "broken.json", "{\"match\": ");
  g_autofree char *missing_db = g_build_filename (f->dir, "none.db", NULL);
  g_autofree char *missing_file = g_build_filename (f->dir, "none.json", NULL);
  g_autofree char *csv = g_build_filename (f->dir, "out.csv", NULL);
  struct
  {
    const char *args[6];
    int         status;
    const char *words;
  } cases[] = {
    { { "segment", NULL }, 2, "count, save, list or members" },
    { { "segment", "remove", NULL }, 2, "“segment remove”" },
    { { "segment", "count", NULL }, 2, "NAME|RULE.json" },
    { { "segment", "save", "x", NULL }, 2, "save NAME RULE.json" },
    { { "segment", "list", "extra", NULL }, 2, "Unexpected argument “extra”" },
    { { "segment", "count", bad_field, NULL }, 2, "there is no field “spent”" },
    { { "segment", "count", bad_op, NULL }, 2, "the op “>” does not fit the field “email”" },
    { { "segment", "members", not_json, NULL }, 2, "not valid JSON" },
    { { "segment", "count", missing_file, NULL }, 2, "none.json" },
    { { "segment", "count", tier, NULL }, 1, "there is no tier “Platinum”: the tiers are Member, Silver, Gold, Diamond." },
    { { "segment", "save", "Platinum", tier, NULL }, 1, "there is no tier “Platinum”" },
    { { "segment", "count", "No such segment", NULL }, 1, "no segment called “No such segment”" },
    { { "segment", "count", bad_field, "--csv", csv, NULL }, 2, "--csv" },
    { { "segment", "list", "--replace", NULL }, 2, "--replace" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int wait_status = 0;
      int status;

      g_ptr_array_add (argv, (char *) binary ());
      for (guint k = 0; cases[i].args[k] != NULL; k++)
        g_ptr_array_add (argv, (char *) cases[i].args[k]);
      g_ptr_array_add (argv, (char *) "--db");
      g_ptr_array_add (argv, db);
      g_ptr_array_add (argv, NULL);
      g_spawn_sync (f->dir, (char **) argv->pdata, f->envp, G_SPAWN_DEFAULT, NULL, NULL,
                    &out, &err, &wait_status, &error);
      g_assert_no_error (error);
      status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
      g_test_message ("%s %s: exit %d: %s", cases[i].args[0], cases[i].args[1], status, err);
      g_assert_cmpint (status, ==, cases[i].status);
      g_assert_cmpstr (out, ==, "");
      if (strstr (err, cases[i].words) == NULL)
        g_error ("case %u: “%s” lacks “%s”", i, err, cases[i].words);
    }
  g_assert_false (g_file_test (csv, G_FILE_TEST_EXISTS));

  {
    g_auto(Result) r = run (f, "segment", "list", "--db", missing_db, NULL);

    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "no database"));
    g_assert_false (g_file_test (missing_db, G_FILE_TEST_EXISTS));
  }
  {
    g_auto(Result) r = run (f, "help", "segment", NULL);

    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "members NAME|RULE.json"));
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/cli/segment/count-save-list", test_count_save_list);
  ADD ("/cli/segment/members-csv", test_members_csv);
  ADD ("/cli/segment/errors", test_errors);
  ADD ("/cli/segment/loyalty", test_loyalty);

  return g_test_run ();
}
