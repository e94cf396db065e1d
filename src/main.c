/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c: sets up translations, then runs a command or the app */
#include "config.h"

#include <locale.h>
#include <glib/gi18n.h>

#include "ct-application.h"
#include "ct-cli.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CtApplication) app = NULL;
  /* `meson devenv` points this at the translations built in the build
   * tree, so the app can be tried in Chinese before it is installed. */
  const char *localedir = g_getenv ("CLIENTELE_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Commands such as "clientele demo" or "clientele stats" need no display. */
  if (ct_cli_is_command (argc, argv))
    return ct_cli_run (argc, argv);

  app = ct_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
