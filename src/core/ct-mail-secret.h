/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-mail-secret.h: the mail provider's API key, in the Secret Service */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The environment variable a script can give the key in instead. */
#define CT_MAIL_KEY_ENV "CLIENTELE_PROVIDER_KEY"

/* Stores @key for @provider ("postmark"...) and the database at
 * @db_path (two businesses keep two keys) in the Secret Service. Where
 * there is none (no keyring, no session bus), the key is kept in this
 * process's memory for the session only: *@out_session_only says so,
 * for the caller to tell the user, and @error is not set. */
gboolean  ct_mail_secret_store   (const char  *provider,
                                  const char  *db_path,
                                  const char  *key,
                                  gboolean    *out_session_only,
                                  GError     **error);

/* The key from CLIENTELE_PROVIDER_KEY, the session store or the Secret
 * Service, in that order. NULL without @error when none is stored.
 * Returns: (transfer full) (nullable) */
char     *ct_mail_secret_lookup  (const char  *provider,
                                  const char  *db_path,
                                  GError     **error);

/* Forgets the key, in both places. */
gboolean  ct_mail_secret_clear   (const char  *provider,
                                  const char  *db_path,
                                  GError     **error);

/* Frees a key, zeroing it first. */
void      ct_mail_secret_free    (char        *key);

G_END_DECLS
