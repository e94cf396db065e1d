/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-demo.h: a believable demo knowledge business, generated */
#pragma once

#include "ct-db.h"

G_BEGIN_DECLS

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

G_END_DECLS
