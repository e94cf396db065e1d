/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-e2e-emulator.c: the provider emulator of the outbox tests as a
 * process of its own, for the end-to-end test to point the app at
 *
 *   ct-e2e-emulator PROVIDER KEY
 *
 * prints "URL http://127.0.0.1:PORT" once listening, then answers
 * commands read from standard input, one a line:
 *
 *   count            "COUNT MESSAGES ADDRESSES": what it delivered
 *   has EMAIL        "HAS N": messages delivered to EMAIL
 *   subject EMAIL    "SUBJECT TEXT": the subject of the last one
 *   open-all         marks every address delivered to as having opened
 *                    its mail, so that the next pull of events reports
 *                    each as delivered and opened; "OPENED N"
 *   violations       "VIOLATIONS N", then one line each: requests that
 *                    broke the provider's contract
 *
 * and stops at the end of its input.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "../ct-mail-emulator.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CtMailEmulator) emu = NULL;
  CtMailProviderKind kind;
  char line[1024];

  if (argc != 3 || !ct_mail_provider_kind_from_name (argv[1], &kind))
    {
      fprintf (stderr, "usage: %s postmark|sendgrid|mailgun|brevo|resend KEY\n", argv[0]);
      return 2;
    }
  emu = ct_mail_emulator_new (kind, argv[2]);
  g_mutex_lock (&emu->lock);
  emu->keep_messages = TRUE;
  g_mutex_unlock (&emu->lock);
  printf ("URL %s\n", emu->base_url);
  fflush (stdout);

  while (fgets (line, sizeof line, stdin) != NULL)
    {
      g_strstrip (line);
      g_mutex_lock (&emu->lock);
      if (g_str_equal (line, "count"))
        {
          GHashTableIter iter;
          gpointer value;
          guint messages = 0;

          g_hash_table_iter_init (&iter, emu->delivered);
          while (g_hash_table_iter_next (&iter, NULL, &value))
            messages += GPOINTER_TO_UINT (value);
          printf ("COUNT %u %u\n", messages, g_hash_table_size (emu->delivered));
        }
      else if (g_str_has_prefix (line, "has "))
        {
          g_autofree char *lower = g_ascii_strdown (line + 4, -1);

          printf ("HAS %u\n", GPOINTER_TO_UINT (g_hash_table_lookup (emu->delivered, lower)));
        }
      else if (g_str_has_prefix (line, "subject "))
        {
          g_autofree char *lower = g_ascii_strdown (line + 8, -1);
          CtEmuMessage *m = g_hash_table_lookup (emu->messages, lower);

          printf ("SUBJECT %s\n", m != NULL && m->subject != NULL ? m->subject : "");
        }
      else if (g_str_equal (line, "open-all"))
        {
          GHashTableIter iter;
          gpointer key;
          guint n = 0;

          g_hash_table_iter_init (&iter, emu->delivered);
          while (g_hash_table_iter_next (&iter, &key, NULL))
            {
              g_ptr_array_add (emu->events, g_strdup_printf ("opened\t%s", (const char *) key));
              n++;
            }
          printf ("OPENED %u\n", n);
        }
      else if (g_str_equal (line, "violations"))
        {
          printf ("VIOLATIONS %u\n", emu->violations->len);
          for (guint i = 0; i < emu->violations->len; i++)
            printf ("%s\n", (const char *) g_ptr_array_index (emu->violations, i));
        }
      else
        printf ("UNKNOWN %s\n", line);
      g_mutex_unlock (&emu->lock);
      fflush (stdout);
    }
  return 0;
}
