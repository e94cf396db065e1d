/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-stats.h: headline counts of a database */
#pragma once

#include "ct-db.h"

G_BEGIN_DECLS

typedef struct
{
  gint64 contacts;
  gint64 customers;     /* contacts with at least one purchase not refunded */
  gint64 purchases;     /* not refunded */
  gint64 products;
  gint64 revenue;       /* minor units, main currency, not refunded */
  char   currency[4];   /* the main currency: the one most purchases use */
} CtStats;

gboolean ct_stats_load (CtDb     *db,
                        CtStats  *stats,
                        GError  **error);

G_END_DECLS
