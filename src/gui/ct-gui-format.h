/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-gui-format.h: small text helpers shared by the views */
#pragma once

#include <string.h>
#include <glib.h>

G_BEGIN_DECLS

/* "2,000": counts grouped by thousands, as both English and Chinese
 * interfaces write them (the C locale the tests run in groups nothing).
 * Returns: (transfer full) */
static inline char *
ct_format_count (guint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  GString *out = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }

  return g_string_free (out, FALSE);
}

/* A local calendar date, "2025-03-14"; "—" for 0 (never).
 * Returns: (transfer full) */
static inline char *
ct_format_date (gint64 unix_seconds)
{
  g_autoptr(GDateTime) dt = NULL;

  if (unix_seconds <= 0)
    return g_strdup ("—");
  dt = g_date_time_new_from_unix_local (unix_seconds);
  if (dt == NULL)
    return g_strdup ("—");
  return g_date_time_format (dt, "%Y-%m-%d");
}

G_END_DECLS
