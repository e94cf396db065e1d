/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-progress.c: CtProgressRelay tells a worker's progress on the caller's thread */
#include "config.h"

#include <glib.h>

#include "ct-progress.h"

typedef struct
{
  GThread *caller;
  guint    calls;
  guint    off_thread;
  double   last;
  gboolean destroyed;
  gboolean destroyed_off_thread;
} Seen;

static void
on_progress (double   fraction,
             gpointer user_data)
{
  Seen *seen = user_data;

  seen->calls++;
  if (g_thread_self () != seen->caller)
    seen->off_thread++;
  seen->last = fraction;
}

static void
on_destroy (gpointer user_data)
{
  Seen *seen = user_data;

  seen->destroyed = TRUE;
  seen->destroyed_off_thread = g_thread_self () != seen->caller;
}

static gpointer
drop_last (gpointer relay)
{
  ct_progress_relay_unref (relay);
  return NULL;
}

static void
test_destroy_on_caller (void)
{
  Seen seen = { g_thread_self (), 0, 0, -1.0, FALSE, FALSE };
  CtProgressRelay *relay = ct_progress_relay_new (on_progress, &seen, on_destroy);
  GThread *thread;

  /* The worker lets go last (as a GTask finalized on it would): the data
   * is still freed on the caller's thread. */
  thread = g_thread_new ("worker", drop_last, ct_progress_relay_ref (relay));
  ct_progress_relay_unref (relay);
  g_thread_join (thread);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_true (seen.destroyed);
  g_assert_false (seen.destroyed_off_thread);
}

static gpointer
worker (gpointer relay)
{
  /* A thousand reports make a hundred and one percents, 0 to 100. */
  for (guint i = 0; i <= 1000; i++)
    ct_progress_relay_report (i / 1000.0, relay);
  return NULL;
}

static void
test_relay (void)
{
  Seen seen = { g_thread_self (), 0, 0, -1.0, FALSE, FALSE };
  CtProgressRelay *relay = ct_progress_relay_new (on_progress, &seen, on_destroy);
  GThread *thread;

  /* The worker reports before the caller runs its loop: nothing may run
   * on the worker meanwhile. */
  thread = g_thread_new ("worker", worker, relay);
  g_thread_join (thread);
  g_assert_cmpuint (seen.calls, ==, 0);

  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (seen.calls, ==, 101);
  g_assert_cmpuint (seen.off_thread, ==, 0);
  g_assert_cmpfloat (seen.last, ==, 1.0);

  g_assert_false (seen.destroyed);
  ct_progress_relay_unref (relay);
  g_assert_true (seen.destroyed);
}

static void
test_pending_report_keeps_relay (void)
{
  Seen seen = { g_thread_self (), 0, 0, -1.0, FALSE, FALSE };
  CtProgressRelay *relay = ct_progress_relay_new (on_progress, &seen, on_destroy);

  ct_progress_relay_report (0.5, relay);
  ct_progress_relay_unref (relay);
  /* A report still on its way holds the data. */
  g_assert_false (seen.destroyed);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (seen.calls, ==, 1);
  g_assert_true (seen.destroyed);
}

static void
test_no_func (void)
{
  Seen seen = { g_thread_self (), 0, 0, -1.0, FALSE, FALSE };

  /* No callback: no relay, and the data is freed at once. */
  g_assert_null (ct_progress_relay_new (NULL, &seen, on_destroy));
  g_assert_true (seen.destroyed);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/progress/relay", test_relay);
  g_test_add_func ("/progress/pending-report-keeps-relay", test_pending_report_keeps_relay);
  g_test_add_func ("/progress/no-func", test_no_func);
  g_test_add_func ("/progress/destroy-on-caller", test_destroy_on_caller);

  return g_test_run ();
}
