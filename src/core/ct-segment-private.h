/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-segment-private.h: internals of ct-segment.c, for its tests and
 * benchmarks only */
#pragma once

#include "ct-segment.h"

G_BEGIN_DECLS

/* How ct_segment_count() splits a count: into @parts (0: one per
 * processor, at most 4; 1: never; more than 16 counts as 16) once the
 * contact ids span at least @min_contacts (-1: the default, 20,000).
 * For the whole process; (0, -1) goes back to the defaults. */
void                 ct_segment_set_count_parts         (guint           parts,
                                                         gint            min_contacts);
/* The extra connections ct_segment_count() keeps on @db. */
guint                ct_segment_count_get_n_connections (CtDb           *db);
/* "table.column" of each subquery of a ranged query that keeps to the
 * range too; NULL-terminated. Returns: (transfer none) */
const char * const  *ct_segment_query_get_range_keys    (CtSegmentQuery *query);

G_END_DECLS
