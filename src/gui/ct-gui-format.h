/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-gui-format.h: small text helpers shared by the views */
#pragma once

#include <string.h>
#include <gtk/gtk.h>

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

static inline gboolean
ct_label_query_tooltip (GtkWidget  *widget,
                        int         x,
                        int         y,
                        gboolean    keyboard_mode,
                        GtkTooltip *tooltip,
                        gpointer    user_data)
{
  GtkLabel *label = GTK_LABEL (widget);
  const char *text = gtk_label_get_text (label);

  if (*text == '\0' || !pango_layout_is_ellipsized (gtk_label_get_layout (label)))
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* Shows a list cell's whole text in a tooltip when it is cut short. Call
 * it once, when the cell is set up: setting a tooltip on every bind costs
 * GTK 4.8 a round trip to the display server per cell, which made
 * searching and scrolling 100,000 contacts stall for seconds. */
static inline void
ct_label_set_tooltip_when_ellipsized (GtkLabel *label)
{
  gtk_widget_set_has_tooltip (GTK_WIDGET (label), TRUE);
  g_signal_connect (label, "query-tooltip", G_CALLBACK (ct_label_query_tooltip), NULL);
}

/* Removes every row of @box but not its placeholder: the placeholder is
 * a child of the list box too, and GTK 4.8 drops it when it is passed to
 * gtk_list_box_remove(), leaving an empty list with nothing to say so. */
static inline void
ct_list_box_remove_rows (GtkListBox *box)
{
  GtkListBoxRow *row;

  while ((row = gtk_list_box_get_row_at_index (box, 0)) != NULL)
    gtk_list_box_remove (box, GTK_WIDGET (row));
}

G_END_DECLS
