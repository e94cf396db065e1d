/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-mail-secret.c: the mail provider's API key, in the Secret Service
 *
 * The key opens the owner's sending account: it is never written to the
 * database, a log or a message. It lives in the Secret Service (GNOME
 * Keyring, KWallet) under the app's schema, one per provider and
 * database file. A desktop without one (a minimal window manager, a
 * server over SSH) gets the key kept in memory for the session, and
 * the caller says so; scripts can give it in CLIENTELE_PROVIDER_KEY.
 */
#include "config.h"

#include <string.h>
#include <libsecret/secret.h>
#include <glib/gi18n-lib.h>

#include "ct-mail-secret.h"

static const SecretSchema *
key_schema (void)
{
  static const SecretSchema schema = {
    BASE_ID ".ProviderKey", SECRET_SCHEMA_NONE,
    {
      { "provider", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "database", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };
  return &schema;
}

static GMutex session_lock;
static GHashTable *session_keys;   /* "provider\ndatabase" -> key */

static char *
session_id (const char *provider,
            const char *db_path)
{
  return g_strconcat (provider, "\n", db_path, NULL);
}

void
ct_mail_secret_free (char *key)
{
  if (key == NULL)
    return;
  explicit_bzero (key, strlen (key));
  g_free (key);
}

gboolean
ct_mail_secret_store (const char  *provider,
                      const char  *db_path,
                      const char  *key,
                      gboolean    *out_session_only,
                      GError     **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *label = g_strdup_printf (_("Clientele mail provider key (%s)"), provider);

  *out_session_only = FALSE;
  if (key == NULL || *key == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("The API key is empty"));
      return FALSE;
    }

  if (secret_password_store_sync (key_schema (), SECRET_COLLECTION_DEFAULT, label, key,
                                  NULL, &local,
                                  "provider", provider, "database", db_path, NULL))
    {
      g_mutex_lock (&session_lock);
      if (session_keys != NULL)
        {
          g_autofree char *id = session_id (provider, db_path);
          g_hash_table_remove (session_keys, id);
        }
      g_mutex_unlock (&session_lock);
      return TRUE;
    }

  /* No Secret Service: the session keeps it. The reason (no bus, no
   * keyring) is for a debug log only; it never holds the key. */
  g_debug ("No Secret Service to keep the provider key in: %s", local->message);
  g_mutex_lock (&session_lock);
  if (session_keys == NULL)
    session_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) ct_mail_secret_free);
  g_hash_table_replace (session_keys, session_id (provider, db_path), g_strdup (key));
  g_mutex_unlock (&session_lock);
  *out_session_only = TRUE;
  return TRUE;
}

char *
ct_mail_secret_lookup (const char  *provider,
                       const char  *db_path,
                       GError     **error)
{
  const char *env = g_getenv (CT_MAIL_KEY_ENV);
  g_autoptr(GError) local = NULL;
  char *secret = NULL;
  char *key = NULL;

  if (env != NULL && *env != '\0')
    return g_strdup (env);

  g_mutex_lock (&session_lock);
  if (session_keys != NULL)
    {
      g_autofree char *id = session_id (provider, db_path);
      key = g_strdup (g_hash_table_lookup (session_keys, id));
    }
  g_mutex_unlock (&session_lock);
  if (key != NULL)
    return key;

  secret = secret_password_lookup_sync (key_schema (), NULL, &local,
                                        "provider", provider, "database", db_path, NULL);
  if (secret != NULL)
    {
      key = g_strdup (secret);
      secret_password_free (secret);
      return key;
    }
  if (local != NULL)
    g_debug ("No Secret Service to read the provider key from: %s", local->message);
  return NULL;
}

gboolean
ct_mail_secret_clear (const char  *provider,
                      const char  *db_path,
                      GError     **error)
{
  g_autoptr(GError) local = NULL;

  g_mutex_lock (&session_lock);
  if (session_keys != NULL)
    {
      g_autofree char *id = session_id (provider, db_path);
      g_hash_table_remove (session_keys, id);
    }
  g_mutex_unlock (&session_lock);
  if (!secret_password_clear_sync (key_schema (), NULL, &local,
                                   "provider", provider, "database", db_path, NULL)
      && local != NULL)
    g_debug ("No Secret Service to forget the provider key in: %s", local->message);
  return TRUE;
}
