/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-demo.h: a believable demo knowledge business, generated */
#pragma once

#include "ct-db.h"

G_BEGIN_DECLS

/* n_contacts 0 means this many. */
#define CT_DEMO_DEFAULT_CONTACTS 2000u
/* More is refused with CT_DB_ERROR_INVALID. */
#define CT_DEMO_MAX_CONTACTS 1000000u

typedef struct
{
  guint   n_contacts;   /* default 2000 */
  guint64 seed;         /* same seed, same data */
  gint64  now;          /* Unix seconds the history ends at; 0 for today */
} CtDemoOptions;

typedef void (*CtDemoProgress) (double fraction, gpointer user_data);

/* Fills an empty database in one transaction. Refused with
 * CT_DB_ERROR_INVALID when it already holds contacts or products.
 * @progress may be NULL and is called on the calling thread. */
gboolean ct_demo_generate       (CtDb                *db,
                                 const CtDemoOptions *options,
                                 CtDemoProgress       progress,
                                 gpointer             user_data,
                                 GCancellable        *cancellable,
                                 GError             **error);

/* The same, on a worker thread with its own connection to the file. */
void     ct_demo_generate_async  (const char          *db_path,
                                  const CtDemoOptions *options,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
gboolean ct_demo_generate_finish (GAsyncResult        *result,
                                  GError             **error);

/* The async form with progress, delivered on the caller's
 * thread-default main context; @progress_destroy frees @progress_data when
 * the task is done. Finish with ct_demo_generate_finish(). */
void     ct_demo_generate_async_full (const char          *db_path,
                                      const CtDemoOptions *options,
                                      CtDemoProgress       progress,
                                      gpointer             progress_data,
                                      GDestroyNotify       progress_destroy,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);

G_END_DECLS
