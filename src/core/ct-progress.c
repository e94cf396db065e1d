/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-progress.c: progress from a worker thread, told on the caller's thread
 *
 * Long work (demo data, analytics) runs in a GTask thread; its progress is
 * for a progress bar, which lives on the caller's thread. Reports go
 * through an idle source attached to the caller's context rather than
 * g_main_context_invoke(), which would call right there on the worker
 * when nobody owns the context yet.
 */
#include "config.h"

#include "ct-progress.h"

struct _CtProgressRelay
{
  CtProgressFunc  func;
  gpointer        user_data;
  GDestroyNotify  destroy;
  GMainContext   *context;
  GThread        *caller;
  int             last_percent;  /* the worker's */
};

typedef struct
{
  CtProgressRelay *relay;
  double           fraction;
} Report;

typedef struct
{
  GDestroyNotify destroy;
  gpointer       data;
} Destroy;

static gboolean
call_destroy (gpointer user_data)
{
  Destroy *call = user_data;

  call->destroy (call->data);
  g_free (call);
  return G_SOURCE_REMOVE;
}

static void
relay_clear (gpointer data)
{
  CtProgressRelay *self = data;

  /* The data belongs to the caller's thread; a worker (or a GTask
   * finalized there) may drop the last reference. */
  if (self->destroy != NULL && g_thread_self () == self->caller)
    self->destroy (self->user_data);
  else if (self->destroy != NULL)
    {
      Destroy *call = g_new (Destroy, 1);
      GSource *source = g_idle_source_new ();

      call->destroy = self->destroy;
      call->data = self->user_data;
      g_source_set_callback (source, call_destroy, call, NULL);
      g_source_set_static_name (source, "[clientele] progress data");
      g_source_attach (source, self->context);
      g_source_unref (source);
    }
  g_main_context_unref (self->context);
}

CtProgressRelay *
ct_progress_relay_new (CtProgressFunc func,
                       gpointer       user_data,
                       GDestroyNotify destroy)
{
  CtProgressRelay *self;

  if (func == NULL)
    {
      if (destroy != NULL)
        destroy (user_data);
      return NULL;
    }

  self = g_atomic_rc_box_new0 (CtProgressRelay);
  self->func = func;
  self->user_data = user_data;
  self->destroy = destroy;
  self->context = g_main_context_ref_thread_default ();
  self->caller = g_thread_self ();
  self->last_percent = -1;
  return self;
}

CtProgressRelay *
ct_progress_relay_ref (CtProgressRelay *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_atomic_rc_box_acquire (self);
}

void
ct_progress_relay_unref (CtProgressRelay *self)
{
  if (self != NULL)
    g_atomic_rc_box_release_full (self, relay_clear);
}

static gboolean
deliver (gpointer data)
{
  Report *report = data;

  report->relay->func (report->fraction, report->relay->user_data);
  return G_SOURCE_REMOVE;
}

static void
report_free (gpointer data)
{
  Report *report = data;

  ct_progress_relay_unref (report->relay);
  g_free (report);
}

void
ct_progress_relay_report (double   fraction,
                          gpointer relay)
{
  CtProgressRelay *self = relay;
  int percent = (int) (CLAMP (fraction, 0.0, 1.0) * 100.0);
  Report *report;
  GSource *source;

  g_return_if_fail (self != NULL);

  if (percent == self->last_percent)
    return;
  self->last_percent = percent;

  report = g_new0 (Report, 1);
  report->relay = ct_progress_relay_ref (self);
  report->fraction = fraction;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, deliver, report, report_free);
  g_source_set_static_name (source, "[clientele] progress");
  g_source_attach (source, self->context);
  g_source_unref (source);
}
