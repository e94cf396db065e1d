/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-send-due-timer.c: "Send while Clientele is closed"
 *
 * Automations and scheduled campaigns run while the window is open
 * (ct-window.c); for the rest of the time a systemd user timer runs
 * `clientele send-due` every ten minutes. The button writes the two
 * units into ~/.config/systemd/user with GIO (the program's own path, and
 * --db when this is not the default database), then runs `systemctl
 * --user daemon-reload` and `systemctl --user enable --now
 * clientele-send-due.timer` with GSubprocess, without blocking the
 * window. What went wrong is said in words under the row: no systemd,
 * a file that could not be written, systemctl's own message.
 */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ct-send-due-timer.h"
#include "ct-automation.h"

#define SERVICE_NAME "clientele-send-due.service"
#define TIMER_NAME "clientele-send-due.timer"

struct _CtSendDueTimer
{
  AdwPreferencesGroup  parent_instance;

  CtContext           *context;
  AdwActionRow        *row;
  GtkButton           *button;
  GtkLabel            *status_label;
  GCancellable        *cancellable;
};

G_DEFINE_FINAL_TYPE (CtSendDueTimer, ct_send_due_timer, ADW_TYPE_PREFERENCES_GROUP)

static char *
unit_dir (void)
{
  return g_build_filename (g_get_user_config_dir (), "systemd", "user", NULL);
}

gboolean
ct_send_due_timer_is_enabled (void)
{
  g_autofree char *dir = unit_dir ();
  g_autofree char *link = g_build_filename (dir, "timers.target.wants", TIMER_NAME, NULL);

  return g_file_test (link, G_FILE_TEST_EXISTS);
}

static void
show_status (CtSendDueTimer *self,
             const char     *text,
             gboolean        is_error)
{
  gtk_label_set_text (self->status_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), text != NULL && *text != '\0');
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
}

static void
update (CtSendDueTimer *self)
{
  gboolean enabled = ct_send_due_timer_is_enabled ();

  gtk_button_set_label (self->button, enabled ? _("Enable Again") : _("Enable"));
  adw_action_row_set_subtitle (self->row,
                               enabled ? _("On: every ten minutes, even when Clientele is closed.")
                                       : _("Off: automations and scheduled mail go out only while Clientele is open."));
}

static void run_systemctl (CtSendDueTimer *self,
                           const char     *first,
                           ...) G_GNUC_NULL_TERMINATED;

static void
on_enable_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CtSendDueTimer) self = user_data;
  GSubprocess *process = G_SUBPROCESS (source);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  gboolean reload = GPOINTER_TO_INT (g_object_get_data (source, "ct-reload"));

  if (!g_subprocess_communicate_utf8_finish (process, result, &out, &err, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      show_status (self, error->message, TRUE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->button), TRUE);
      return;
    }
  if (!g_subprocess_get_successful (process))
    {
      g_autofree char *message = NULL;

      g_strstrip (err);
      /* Translators: %s is systemctl's own message */
      message = g_strdup_printf (_("systemctl could not switch the timer on: %s"),
                                 err != NULL && *err != '\0' ? err : _("it gave no reason"));
      show_status (self, message, TRUE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->button), TRUE);
      update (self);
      return;
    }
  if (reload)
    {
      run_systemctl (self, "enable", "--now", TIMER_NAME, NULL);
      return;
    }
  show_status (self, _("The timer is on. “systemctl --user disable --now clientele-send-due.timer” switches it off."), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->button), TRUE);
  update (self);
}

static void
run_systemctl (CtSendDueTimer *self,
               const char     *first,
               ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  va_list args;

  g_ptr_array_add (argv, (gpointer) "systemctl");
  g_ptr_array_add (argv, (gpointer) "--user");
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  if (process == NULL)
    {
      if (g_error_matches (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT))
        show_status (self, _("This system has no systemd (systemctl was not found). Run “clientele send-due” every ten minutes another way, for example from cron."), TRUE);
      else
        show_status (self, error->message, TRUE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->button), TRUE);
      return;
    }
  g_object_set_data (G_OBJECT (process), "ct-reload", GINT_TO_POINTER (g_str_equal (first, "daemon-reload")));
  g_subprocess_communicate_utf8_async (process, NULL, self->cancellable, on_enable_done, g_object_ref (self));
}

static gboolean
write_unit (GFile       *dir,
            const char  *name,
            const char  *text,
            GError     **error)
{
  g_autoptr(GFile) file = g_file_get_child (dir, name);

  return g_file_replace_contents (file, text, strlen (text), NULL, FALSE, G_FILE_CREATE_NONE,
                                  NULL, NULL, error);
}

static void
on_enable_clicked (CtSendDueTimer *self)
{
  g_autofree char *path = unit_dir ();
  g_autoptr(GFile) dir = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *default_db = ct_db_default_path ();
  const char *db_path = ct_db_get_path (ct_context_get_db (self->context));
  g_autofree char *service = NULL;
  g_autofree char *timer = ct_send_due_timer_unit ();

  if (exe == NULL)
    exe = g_find_program_in_path ("clientele");
  if (exe == NULL)
    {
      show_status (self, _("Could not tell where the clientele program is installed."), TRUE);
      return;
    }
  service = ct_send_due_service_unit (exe, g_strcmp0 (db_path, default_db) != 0 ? db_path : NULL);

  if ((!g_file_make_directory_with_parents (dir, NULL, &error)
       && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS)))
    goto failed;
  g_clear_error (&error);
  if (!write_unit (dir, SERVICE_NAME, service, &error)
      || !write_unit (dir, TIMER_NAME, timer, &error))
    goto failed;

  gtk_widget_set_sensitive (GTK_WIDGET (self->button), FALSE);
  show_status (self, _("Switching the timer on…"), FALSE);
  run_systemctl (self, "daemon-reload", NULL);
  return;

failed:
  {
    g_autofree char *message = g_strdup_printf (_("Could not write the timer into %s: %s"), path, error->message);
    show_status (self, message, TRUE);
  }
}

static void
ct_send_due_timer_dispose (GObject *object)
{
  CtSendDueTimer *self = CT_SEND_DUE_TIMER (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->context);
  G_OBJECT_CLASS (ct_send_due_timer_parent_class)->dispose (object);
}

static void
ct_send_due_timer_class_init (CtSendDueTimerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ct_send_due_timer_dispose;
}

static void
ct_send_due_timer_init (CtSendDueTimer *self)
{
  self->cancellable = g_cancellable_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self), _("Send While Clientele Is Closed"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self),
    _("A systemd timer of your user account runs the automations and sends scheduled campaigns every ten minutes."));

  self->row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->row), _("Background Sending"));
  self->button = GTK_BUTTON (gtk_button_new_with_label (_("Enable")));
  gtk_widget_set_valign (GTK_WIDGET (self->button), GTK_ALIGN_CENTER);
  gtk_widget_set_name (GTK_WIDGET (self->button), "send-due-enable");
  g_signal_connect_swapped (self->button, "clicked", G_CALLBACK (on_enable_clicked), self);
  adw_action_row_add_suffix (self->row, GTK_WIDGET (self->button));
  adw_action_row_set_activatable_widget (self->row, GTK_WIDGET (self->button));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (self->row));

  self->status_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->status_label, TRUE);
  gtk_label_set_xalign (self->status_label, 0);
  gtk_label_set_selectable (self->status_label, TRUE);
  gtk_widget_set_margin_top (GTK_WIDGET (self->status_label), 12);
  gtk_widget_set_name (GTK_WIDGET (self->status_label), "send-due-status");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (self->status_label));
  update (self);
}

GtkWidget *
ct_send_due_timer_new (CtContext *context)
{
  CtSendDueTimer *self = g_object_new (CT_TYPE_SEND_DUE_TIMER, NULL);

  self->context = g_object_ref (context);
  return GTK_WIDGET (self);
}
