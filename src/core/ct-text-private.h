/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-text-private.h: small text helpers shared by the core's store modules */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Copies @text without leading and trailing white space. Unicode white space
 * counts too: Chinese input methods type U+3000 IDEOGRAPHIC SPACE, and text
 * pasted from web pages brings U+00A0. %NULL gives "".
 * Returns: (transfer full) */
static inline char *
ct_text_strip_dup (const char *text)
{
  const char *start;
  const char *end;

  if (text == NULL)
    return g_strdup ("");

  start = text;
  while (*start != '\0' && g_unichar_isspace (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);

  end = start + strlen (start);
  while (end > start)
    {
      const char *prev = g_utf8_find_prev_char (start, end);

      if (prev == NULL || !g_unichar_isspace (g_utf8_get_char (prev)))
        break;
      end = prev;
    }

  return g_strndup (start, end - start);
}

G_END_DECLS
