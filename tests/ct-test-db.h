/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-test-db.h: a fresh database in a temporary folder, for core tests
 *
 * Header-only so that each tests/test-*.c stays one file in meson.
 */
#pragma once

#include <glib/gstdio.h>

#include "ct-db.h"

typedef struct
{
  char *dir;
  char *path;
  CtDb *db;
} CtTestDb;

/* @template is a g_dir_make_tmp() template, "clientele-test-kpi-XXXXXX". */
static inline void
ct_test_db_set_up (CtTestDb   *t,
                   const char *template)
{
  GError *error = NULL;

  t->dir = g_dir_make_tmp (template, &error);
  g_assert_no_error (error);
  t->path = g_build_filename (t->dir, "clientele.db", NULL);
  t->db = ct_db_open (t->path, &error);
  g_assert_no_error (error);
}

static inline void
ct_test_db_tear_down (CtTestDb *t)
{
  static const char * const suffixes[] = { "", "-wal", "-shm" };

  g_clear_object (&t->db);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (t->path, suffixes[i], NULL);
      g_remove (file);
    }
  g_rmdir (t->dir);
  g_free (t->path);
  g_free (t->dir);
}

static inline void
ct_test_db_exec (CtTestDb   *t,
                 const char *sql)
{
  GError *error = NULL;

  ct_db_exec (t->db, sql, &error);
  g_assert_no_error (error);
}
