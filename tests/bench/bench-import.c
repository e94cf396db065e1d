/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-import.c: importing 100,000 contacts and 1,000,000 purchases
 *
 * Run with `meson test --benchmark -C build -v` (or run the executable;
 * CLIENTELE_BENCH_SCALE=0.1 makes both files ten times smaller). It
 * writes two realistic CSV files (Chinese and English headers, names,
 * products and channels, ¥ amounts, several date forms), then times
 * importing each into an empty Clientele database (ct_importer_load_file
 * and ct_importer_run: reading, detection, every row checked, contacts,
 * products and channels matched or created, one transaction) next to the
 * baseline, measured in the same run on the same file: the sqlite3
 * command line's own `.import --csv FILE t` into a new, bare table.
 * Nothing here fails on a threshold: it reports.
 *
 * Output format, one measurement a line:
 *
 *   <what, padded to 46 columns> <milliseconds, "%10.1f ms"> [ <ratio>x <baseline>]
 *
 * where the ratio is the measurement divided by the baseline named after
 * it: "sqlite3 .import" of the same file. Lines starting with "#" are
 * context (sizes, rows a second, counts, and the same ratio in CPU time,
 * which a busy machine disturbs less than the wall clock).
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <glib/gstdio.h>

#include "ct-db.h"
#include "ct-import.h"

#define SQLITE3 "/usr/bin/sqlite3"

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* CPU time (user + system) of this process or of its waited-for
 * children, in ms: on a busy machine it shows what the wall clock hides. */
static double
cpu_ms (int who)
{
  struct rusage usage;

  getrusage (who, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0
         + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
}

static void
report (const char *what,
        double      ms,
        const char *baseline_name,
        double      baseline_ms)
{
  if (baseline_name != NULL && baseline_ms > 0.0)
    g_print ("%-46s %10.1f ms  %8.1fx %s\n", what, ms, ms / baseline_ms, baseline_name);
  else
    g_print ("%-46s %10.1f ms\n", what, ms);
}

/* A small deterministic generator, so that every run imports the same
 * files. */
static guint64 rng_state = 0x9e3779b97f4a7c15;

static guint32
next (void)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (guint32) (rng_state >> 11);
}

static const char *surnames[] = { "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "欧阳", "司马" };
static const char *given[] = { "伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超" };
static const char *english_first[] = { "Ada", "Grace", "Alan", "Linus", "Margaret", "Ken", "Barbara", "Dennis" };
static const char *english_last[] = { "Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Thompson", "Liskov" };
static const char *domains[] = { "qq.com", "163.com", "gmail.com", "outlook.com", "126.com", "example.org" };
static const char *channels[] = { "微信公众号", "小红书", "抖音", "Newsletter", "知乎", "B站", "Podcast", "朋友推荐" };
static const char *tags[] = { "VIP", "学员", "潜在客户", "newsletter", "课程A", "老客户", "early-bird" };
static const char *products[] = {
  "Python 数据分析入门", "写作训练营 第3期", "Photography Basics", "个人理财 101", "Ebook: Deep Work Notes",
  "英语口语私教课", "知识星球年费", "Notion 效率手册", "一对一咨询 60 分钟", "UX Design Course",
};

static void
append_email (GString *out,
              guint    person)
{
  g_string_append_printf (out, "user%u.%u@%s", person, person * 7919 % 1000,
                          domains[person % G_N_ELEMENTS (domains)]);
}

static void
append_name (GString *out,
             guint    person)
{
  if (person % 4 == 3)
    g_string_append_printf (out, "%s %s", english_first[person % G_N_ELEMENTS (english_first)],
                            english_last[person / 7 % G_N_ELEMENTS (english_last)]);
  else
    g_string_append_printf (out, "%s%s", surnames[person % G_N_ELEMENTS (surnames)],
                            given[person / 3 % G_N_ELEMENTS (given)]);
}

static void
write_contacts (const char *path,
                guint       n)
{
  g_autoptr(GString) out = g_string_sized_new (n * 120);
  g_autoptr(GError) error = NULL;

  g_string_append (out, "邮箱,姓名,手机号,渠道,标签,注册时间,备注\n");
  for (guint i = 0; i < n; i++)
    {
      guint day = next () % 730;

      append_email (out, i);
      g_string_append_c (out, ',');
      append_name (out, i);
      g_string_append_printf (out, ",1%02u%08u,%s,", 30 + next () % 70, next () % 100000000,
                              channels[next () % G_N_ELEMENTS (channels)]);
      if (i % 3 == 0)
        g_string_append_printf (out, "\"%s,%s\"", tags[next () % G_N_ELEMENTS (tags)],
                                tags[next () % G_N_ELEMENTS (tags)]);
      else if (i % 3 == 1)
        g_string_append (out, tags[next () % G_N_ELEMENTS (tags)]);
      /* Half ISO with a time, half 2023/5/7 as Excel writes it. */
      if (i % 2 == 0)
        g_string_append_printf (out, ",2023-%02u-%02u %02u:%02u:%02u,", 1 + day / 61 % 12, 1 + day % 28,
                                next () % 24, next () % 60, next () % 60);
      else
        g_string_append_printf (out, ",2023/%u/%u,", 1 + day / 61 % 12, 1 + day % 28);
      if (i % 10 == 0)
        g_string_append (out, "\"来自线下活动, 对进阶课感兴趣\"");
      g_string_append_c (out, '\n');
    }

  g_assert_true (g_file_set_contents (path, out->str, out->len, &error));
  g_assert_no_error (error);
}

static void
write_purchases (const char *path,
                 guint       n,
                 guint       n_people)
{
  g_autoptr(GString) out = g_string_sized_new ((gsize) n * 110);
  g_autoptr(GError) error = NULL;

  g_string_append (out, "订单编号,买家邮箱,买家昵称,商品名称,实付金额,支付时间,渠道,退款状态\n");
  for (guint i = 0; i < n; i++)
    {
      /* Some people buy much more than others. */
      guint person = (guint) ((guint64) next () % n_people * (next () % n_people) / n_people);
      guint product = next () % G_N_ELEMENTS (products);
      guint day = next () % 730;

      g_string_append_printf (out, "E%010u,", 1000000000u + i);
      append_email (out, person);
      g_string_append_c (out, ',');
      append_name (out, person);
      g_string_append_printf (out, ",%s,", products[product]);
      if (i % 5 == 0)
        g_string_append_printf (out, "\"¥%u,%03u.00\"", 1 + product, next () % 1000);
      else
        g_string_append_printf (out, "%u.%02u", 9 + next () % 990, next () % 100);
      g_string_append_printf (out, ",%u-%02u-%02u %02u:%02u:%02u,%s,%s\n",
                              2023 + day / 365, 1 + day / 31 % 12, 1 + day % 28,
                              next () % 24, next () % 60, next () % 60,
                              channels[next () % G_N_ELEMENTS (channels)],
                              next () % 40 == 0 ? "已退款" : "");
    }

  g_assert_true (g_file_set_contents (path, out->str, out->len, &error));
  g_assert_no_error (error);
}

/* The baseline: the sqlite3 shell importing the same file into a table
 * it creates from the header. */
static double
time_sqlite3_import (const char *dir,
                     const char *csv,
                     const char *name,
                     double     *cpu_out)
{
  g_autofree char *db = g_strdup_printf ("%s/%s-bare.db", dir, name);
  g_autofree char *command = g_strdup_printf (".import --csv %s t", csv);
  const char *argv[] = { SQLITE3, db, command, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int wait_status;
  double t0, ms, cpu0;

  cpu0 = cpu_ms (RUSAGE_CHILDREN);
  t0 = now_ms ();
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, &err, &wait_status, &error));
  ms = now_ms () - t0;
  *cpu_out = cpu_ms (RUSAGE_CHILDREN) - cpu0;
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (wait_status, NULL));
  g_unlink (db);
  return ms;
}

static void
bench_import (const char   *dir,
              const char   *csv,
              const char   *name,
              CtImportKind  kind,
              guint         n_rows)
{
  g_autofree char *db_path = g_strdup_printf ("%s/%s.db", dir, name);
  g_autofree char *what = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (csv);
  g_autoptr(CtImporter) importer = ct_importer_new (kind);
  g_autoptr(CtImportResult) result = NULL;
  g_autoptr(CtDb) db = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *counts = NULL;
  double baseline, baseline_cpu, t0, cpu0, load_ms, run_ms, cpu;
  GStatBuf st;

  g_assert_cmpint (g_stat (csv, &st), ==, 0);
  g_print ("# %s: %u rows, %.1f MiB\n", name, n_rows, st.st_size / 1048576.0);

  baseline = time_sqlite3_import (dir, csv, name, &baseline_cpu);
  what = g_strdup_printf ("baseline: sqlite3 .import %s", name);
  report (what, baseline, NULL, 0);
  g_free (what);

  db = ct_db_open (db_path, &error);
  g_assert_no_error (error);

  cpu0 = cpu_ms (RUSAGE_SELF);
  t0 = now_ms ();
  g_assert_true (ct_importer_load_file (importer, file, NULL, &error));
  g_assert_no_error (error);
  load_ms = now_ms () - t0;

  t0 = now_ms ();
  result = ct_importer_run (importer, db, FALSE, NULL, NULL, NULL, &error);
  run_ms = now_ms () - t0;
  cpu = cpu_ms (RUSAGE_SELF) - cpu0;
  g_assert_no_error (error);
  g_assert_nonnull (result);

  what = g_strdup_printf ("import %s: load (read, detect, preview)", name);
  report (what, load_ms, "sqlite3 .import", baseline);
  g_free (what);
  what = g_strdup_printf ("import %s: run (check, write, commit)", name);
  report (what, run_ms, "sqlite3 .import", baseline);
  g_free (what);
  what = g_strdup_printf ("import %s: total", name);
  report (what, load_ms + run_ms, "sqlite3 .import", baseline);

  g_print ("#   CPU time: %.1f ms, sqlite3 .import %.1f ms: %.1fx\n",
           cpu, baseline_cpu, baseline_cpu > 0 ? cpu / baseline_cpu : 0.0);
  counts = ct_import_result_to_string (result);
  g_print ("#   %s; %u contacts created\n", counts, ct_import_result_get_contacts_created (result));
  g_print ("#   %.0f rows/s\n", n_rows / ((load_ms + run_ms) / 1000.0));
  g_assert_cmpuint (ct_import_result_get_rejected (result), ==, 0);
  g_assert_cmpuint (ct_import_result_get_imported (result) + ct_import_result_get_updated (result)
                    + ct_import_result_get_skipped (result), ==, n_rows);
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

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *contacts = NULL;
  g_autofree char *purchases = NULL;
  const char *scale_text = g_getenv ("CLIENTELE_BENCH_SCALE");
  double scale = scale_text != NULL ? g_ascii_strtod (scale_text, NULL) : 1.0;
  guint n_contacts, n_purchases;

  setlocale (LC_ALL, "");

  if (!g_file_test (SQLITE3, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_print ("# %s is missing: no baseline, nothing measured\n", SQLITE3);
      return 77;
    }

  if (scale <= 0.0)
    scale = 1.0;
  n_contacts = (guint) (100000 * scale);
  n_purchases = (guint) (1000000 * scale);

  dir = g_dir_make_tmp ("clientele-bench-import-XXXXXX", &error);
  g_assert_no_error (error);
  contacts = g_build_filename (dir, "contacts.csv", NULL);
  purchases = g_build_filename (dir, "purchases.csv", NULL);

  g_print ("# Clientele import benchmark, files in %s\n", dir);
  write_contacts (contacts, n_contacts);
  write_purchases (purchases, n_purchases, n_contacts);

  bench_import (dir, contacts, "contacts", CT_IMPORT_CONTACTS, n_contacts);
  bench_import (dir, purchases, "purchases", CT_IMPORT_PURCHASES, n_purchases);

  /* CLIENTELE_BENCH_KEEP=1 keeps the files and databases, to look into. */
  if (g_getenv ("CLIENTELE_BENCH_KEEP") == NULL)
    remove_dir (dir);
  return 0;
}
