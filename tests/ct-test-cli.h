/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-test-cli.h: run the real clientele binary from a test, in a
 * temporary home with its own data directory, and keep what it printed
 * and how it exited */
#pragma once

#include <string.h>
#include <sys/wait.h>
#include <glib.h>
#include <glib/gstdio.h>

typedef struct
{
  char  *dir;
  char **envp;
} Fixture;

typedef struct
{
  int   status;       /* exit status, or -1 when killed by a signal */
  char *out;
  char *err;
} Result;

static inline void
result_clear (Result *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

static inline const char *
binary (void)
{
  const char *bin = g_getenv ("CLIENTELE_BIN");

  if (bin == NULL)
    g_error ("CLIENTELE_BIN is not set; run through meson test");
  return bin;
}

static inline void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = NULL;

  f->dir = g_dir_make_tmp ("clientele-cli-XXXXXX", &error);
  g_assert_no_error (error);

  /* No display at all, and a data folder of our own so that the default
   * database path never points at the user's real file. */
  data_home = g_build_filename (f->dir, "data", NULL);
  f->envp = g_get_environ ();
  f->envp = g_environ_unsetenv (f->envp, "DISPLAY");
  f->envp = g_environ_unsetenv (f->envp, "WAYLAND_DISPLAY");
  f->envp = g_environ_unsetenv (f->envp, "DBUS_SESSION_BUS_ADDRESS");
  f->envp = g_environ_setenv (f->envp, "XDG_DATA_HOME", data_home, TRUE);
  f->envp = g_environ_setenv (f->envp, "LC_ALL", "C.UTF-8", TRUE);
  f->envp = g_environ_setenv (f->envp, "LANGUAGE", "en", TRUE);
}

static inline void
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

static inline void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  remove_tree (f->dir);
  g_free (f->dir);
  g_strfreev (f->envp);
}

/* Runs clientele with the arguments after @first (NULL-terminated). */
G_GNUC_NULL_TERMINATED
static inline Result
run (Fixture    *f,
     const char *first,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  Result r = { 0 };
  int wait_status = 0;
  va_list args;

  g_ptr_array_add (argv, (char *) binary ());
  va_start (args, first);
  for (const char *a = first; a != NULL; a = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (f->dir, (char **) argv->pdata, f->envp, G_SPAWN_DEFAULT, NULL, NULL,
                &r.out, &r.err, &wait_status, &error);
  g_assert_no_error (error);

  if (g_spawn_check_wait_status (wait_status, &error))
    r.status = 0;
  else if (g_error_matches (error, G_SPAWN_EXIT_ERROR, error->code))
    r.status = error->code;
  else
    r.status = -1;

  g_test_message ("exit %d\nstdout:\n%s\nstderr:\n%s", r.status, r.out, r.err);
  return r;
}
