/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-progress.h: progress from a worker thread, told on the caller's thread */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Called with the share of the work done, 0 to 1. */
typedef void (*CtProgressFunc) (double   fraction,
                                gpointer user_data);

typedef struct _CtProgressRelay CtProgressRelay;

/* Made on the caller's thread: @func will run on that thread's
 * thread-default main context. @destroy frees @user_data with the relay.
 * Returns: (transfer full): the relay, or %NULL when @func is %NULL */
CtProgressRelay *ct_progress_relay_new    (CtProgressFunc   func,
                                           gpointer         user_data,
                                           GDestroyNotify   destroy);
CtProgressRelay *ct_progress_relay_ref    (CtProgressRelay *self);
void             ct_progress_relay_unref  (CtProgressRelay *self);

/* A CtProgressFunc for the worker (one thread) with the relay as its
 * data: at most one report per whole percent reaches @func, always
 * through an idle source, never on the worker itself, not even before the
 * caller runs its main loop. */
void             ct_progress_relay_report (double           fraction,
                                           gpointer         relay);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CtProgressRelay, ct_progress_relay_unref)

G_END_DECLS
