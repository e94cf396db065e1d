/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-application.c: the Clientele application
 *
 * One window per database file. Which file: --db, else the one opened last
 * (when it still exists), else the default file in the user's data folder.
 * A file that ct_db_open refuses is never touched: the user is told why in
 * a dialog and the app quits when it is closed.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ct-application.h"
#include "ct-window.h"

struct _CtApplication
{
  AdwApplication  parent_instance;

  /* NULL when the schema is not installed (an uninstalled build). */
  GSettings      *settings;
};

G_DEFINE_FINAL_TYPE (CtApplication, ct_application, ADW_TYPE_APPLICATION)

#define SETTINGS_SCHEMA_ID "io.github.clientele.Clientele"
#define RESOURCE_BASE_PATH "/io/github/clientele/Clientele"

static void
ct_application_dispose (GObject *object)
{
  CtApplication *self = CT_APPLICATION (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ct_application_parent_class)->dispose (object);
}

static GSettings *
lookup_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, SETTINGS_SCHEMA_ID, TRUE);
  if (schema == NULL)
    {
      g_debug ("GSettings schema %s is not installed; window size and the "
               "last database are not remembered", SETTINGS_SCHEMA_ID);
      return NULL;
    }

  return g_settings_new_full (schema, NULL, NULL);
}

static void
on_quit_activated (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  GtkApplication *self = GTK_APPLICATION (user_data);
  GList *windows;

  /* Destroyed windows let go of their databases, which closes the files
   * cleanly, so that the next start need not check them page by page
   * (CT_DB_OPEN_TRUST_CLEAN_CLOSE). The app ends with its last window. */
  while ((windows = gtk_application_get_windows (self)) != NULL)
    gtk_window_destroy (windows->data);
  g_application_quit (G_APPLICATION (self));
}

static void
on_about_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  const char *developers[] = { _("The Clientele developers"), NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "modal", TRUE,
                        "application-name", _("Clientele"),
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "developer-name", _("The Clientele developers"),
                        "developers", developers,
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "copyright", _("© The Clientele developers"),
                        /* Translators: your name and email, one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static const GActionEntry app_actions[] = {
  { "quit", on_quit_activated, NULL, NULL, NULL, { 0 } },
  { "about", on_about_activated, NULL, NULL, NULL, { 0 } },
};

static void
ct_application_startup (GApplication *application)
{
  static const struct { const char *action; const char *accels[2]; } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "win.show-help-overlay", { "<Control>question", NULL } },
    { "win.search", { "<Control>f", NULL } },
    { "win.new-contact", { "<Control>n", NULL } },
    { "win.import-contacts", { "<Control>i", NULL } },
    { "win.preferences", { "<Control>comma", NULL } },
  };
  CtApplication *self = CT_APPLICATION (application);

  G_APPLICATION_CLASS (ct_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self),
                                           accels[i].action, accels[i].accels);

  /* Follow the desktop's light or dark preference. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
}

static void
ct_application_activate (GApplication *application)
{
  ct_application_open (CT_APPLICATION (application), NULL);
}

static int
ct_application_command_line (GApplication            *application,
                             GApplicationCommandLine *command_line)
{
  CtApplication *self = CT_APPLICATION (application);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  g_autofree char *path = NULL;
  const char *arg = NULL;

  if (g_variant_dict_lookup (options, "db", "^&ay", &arg) && arg != NULL && *arg != '\0')
    {
      /* Relative to where the command was typed, which is not our working
       * directory when another instance forwarded it. */
      g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (command_line, arg);
      path = g_file_get_path (file);
    }

  ct_application_open (self, path);
  return 0;
}

static void
ct_application_class_init (CtApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = ct_application_dispose;
  app_class->startup = ct_application_startup;
  app_class->activate = ct_application_activate;
  app_class->command_line = ct_application_command_line;
}

static void
ct_application_init (CtApplication *self)
{
  /* Translated here: GApplication's option group has no domain of ours. */
  const GOptionEntry options[] = {
    { "db", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, NULL,
      _("Open the database file PATH instead of the usual one"), _("PATH") },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Customers and purchases of a knowledge business, in one local file."));

  self->settings = lookup_settings ();
}

CtApplication *
ct_application_new (void)
{
  return g_object_new (CT_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       /* The same resources for the .Devel id. */
                       "resource-base-path", RESOURCE_BASE_PATH,
                       NULL);
}

char *
ct_application_get_default_database (CtApplication *self)
{
  g_return_val_if_fail (CT_IS_APPLICATION (self), NULL);

  if (self->settings != NULL)
    {
      g_autofree char *last = g_settings_get_string (self->settings, "last-database");

      if (last != NULL && *last != '\0' && g_file_test (last, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&last);
    }

  return ct_db_default_path ();
}

CtDb *
ct_application_open_database (CtApplication *self,
                              const char    *path,
                              GError       **error)
{
  g_autoptr(CtDb) db = NULL;

  g_return_val_if_fail (CT_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  db = ct_db_open_full (path, CT_DB_OPEN_TRUST_CLEAN_CLOSE, error);
  if (db == NULL)
    return NULL;

  if (self->settings != NULL)
    {
      g_autofree char *last = g_settings_get_string (self->settings, "last-database");

      if (g_strcmp0 (last, path) != 0)
        g_settings_set_string (self->settings, "last-database", path);
    }

  return g_steal_pointer (&db);
}

static CtWindow *
find_window_for (CtApplication *self,
                 const char    *path)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      CtWindow *window;
      CtDb *db;

      if (!CT_IS_WINDOW (l->data))
        continue;
      window = CT_WINDOW (l->data);
      db = ct_context_get_db (ct_window_get_context (window));
      if (g_strcmp0 (ct_db_get_path (db), path) == 0)
        return window;
    }

  return NULL;
}

static gboolean
has_main_window (CtApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (CT_IS_WINDOW (l->data))
      return TRUE;
  return FALSE;
}

static void
on_refusal_response (AdwMessageDialog *dialog,
                     const char       *response,
                     CtApplication    *self)
{
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* A second instance asking for a broken file must not close the
   * windows the user already works in. */
  if (!has_main_window (self))
    g_application_quit (G_APPLICATION (self));
}

GtkWindow *
ct_application_open (CtApplication *self,
                     const char    *path)
{
  g_autofree char *resolved = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtDb) db = NULL;
  g_autoptr(CtContext) context = NULL;
  CtWindow *window;

  g_return_val_if_fail (CT_IS_APPLICATION (self), NULL);

  resolved = path != NULL ? g_strdup (path) : ct_application_get_default_database (self);

  window = find_window_for (self, resolved);
  if (window != NULL)
    {
      gtk_window_present (GTK_WINDOW (window));
      return GTK_WINDOW (window);
    }

  db = ct_application_open_database (self, resolved, &error);
  if (db == NULL)
    {
      GtkWidget *dialog;

      dialog = adw_message_dialog_new (gtk_application_get_active_window (GTK_APPLICATION (self)),
                                       _("Cannot Open the Database"),
                                       error->message);
      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "quit", _("_Quit"));
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "quit");
      adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "quit");
      gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
      g_signal_connect_object (dialog, "response",
                               G_CALLBACK (on_refusal_response), self, 0);
      gtk_window_present (GTK_WINDOW (dialog));
      return GTK_WINDOW (dialog);
    }

  context = ct_context_new (db, self->settings);
  window = ct_window_new (GTK_APPLICATION (self), context);
  /* Only the app's own windows keep the scores up to date: views made
   * for tests run no workers behind their backs. */
  g_object_set (window, "auto-analyze", TRUE, NULL);
  gtk_window_present (GTK_WINDOW (window));
  return GTK_WINDOW (window);
}
