/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-window.c: the main window: view switcher over the pages
 *
 * An empty database opens on a welcome page that offers demo data. The
 * demo is generated on a worker thread with its own connection to the file;
 * the main connection's lists only learn about it from CtDb::changed, which
 * is emitted here once the worker is done.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ct-window.h"
#include "ct-gui-format.h"
#include "ct-contacts-view.h"
#include "ct-import-window.h"
#include "ct-products-view.h"
#include "ct-purchases-view.h"
#include "ct-resources.h"

#define DEFAULT_DEMO_CONTACTS CT_DEMO_DEFAULT_CONTACTS

struct _CtWindow
{
  AdwApplicationWindow  parent_instance;

  CtContext            *context;
  guint                 demo_contacts;

  GCancellable         *demo_cancellable;

  /* template children */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *stack;
  AdwStatusPage        *welcome_page;
  GtkStack             *demo_stack;
  GtkButton            *demo_button;
  GtkButton            *empty_button;
  GtkButton            *import_button;
  GtkButton            *demo_cancel_button;
  GtkLabel             *demo_status_label;
  GtkProgressBar       *demo_progress;
  GtkLabel             *path_label;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewStack         *view_stack;

  CtContactsView       *contacts_view;
};

G_DEFINE_FINAL_TYPE (CtWindow, ct_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_CONTEXT,
  PROP_DEMO_CONTACTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_actions (CtWindow *self)
{
  gboolean on_main = g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "main") == 0;
  const char *names[] = { "search", "new-contact" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), names[i]);
      g_simple_action_set_enabled (G_SIMPLE_ACTION (action), on_main);
    }
}

static void
show_main (CtWindow   *self,
           const char *page)
{
  gtk_stack_set_visible_child_name (self->stack, "main");
  if (page != NULL)
    adw_view_stack_set_visible_child_name (self->view_stack, page);
  update_actions (self);
}

static void
on_demo_progress (double   fraction,
                  gpointer user_data)
{
  CtWindow *self = CT_WINDOW (user_data);

  /* Reports queued before the window went away may still arrive. */
  if (self->demo_progress != NULL)
    gtk_progress_bar_set_fraction (self->demo_progress, CLAMP (fraction, 0.0, 1.0));
}

static void
on_demo_finished (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CtWindow) self = CT_WINDOW (user_data);
  g_autoptr(GError) error = NULL;
  gboolean done;
  CtDb *db;

  done = ct_demo_generate_finish (result, &error);
  g_clear_object (&self->demo_cancellable);

  /* Closed while the worker ran: nothing left to update. */
  if (self->context == NULL)
    return;

  db = ct_context_get_db (self->context);
  gtk_widget_set_sensitive (GTK_WIDGET (self->demo_cancel_button), TRUE);

  if (!done)
    {
      gtk_stack_set_visible_child_name (self->demo_stack, "start");
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *escaped = g_markup_escape_text (error->message, -1);
          g_autofree char *title = g_strdup_printf (_("Could not create the demo data: %s"),
                                                    escaped);
          AdwToast *toast = adw_toast_new (title);

          adw_toast_set_timeout (toast, 0);
          ct_window_add_toast (self, toast);
        }
      return;
    }

  /* The worker wrote through its own connection: tell this one's lists. */
  ct_db_emit_changed (db, "contacts");
  ct_db_emit_changed (db, "purchases");
  ct_db_emit_changed (db, "products");

  gtk_stack_set_visible_child_name (self->demo_stack, "start");
  show_main (self, "contacts");
}

static void
on_demo_clicked (CtWindow *self)
{
  g_autofree char *count = NULL;
  g_autofree char *status = NULL;
  CtDemoOptions options = { 0, };

  if (self->demo_cancellable != NULL)
    return;

  options.n_contacts = self->demo_contacts;
  options.seed = (guint64) g_get_real_time ();
  options.now = 0;
  self->demo_cancellable = g_cancellable_new ();

  count = ct_format_count (self->demo_contacts);
  status = g_strdup_printf (ngettext ("Creating %s demo contact with purchases…",
                                      "Creating %s demo contacts with purchases…",
                                      self->demo_contacts),
                            count);
  gtk_label_set_text (self->demo_status_label, status);
  gtk_progress_bar_set_fraction (self->demo_progress, 0.0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->demo_cancel_button), TRUE);
  gtk_stack_set_visible_child_name (self->demo_stack, "progress");
  gtk_widget_grab_focus (GTK_WIDGET (self->demo_cancel_button));

  /* The worker opens its own connection to the file. */
  ct_demo_generate_async_full (ct_db_get_path (ct_context_get_db (self->context)),
                               &options,
                               on_demo_progress, g_object_ref (self), g_object_unref,
                               self->demo_cancellable,
                               on_demo_finished, g_object_ref (self));
}

static void
on_demo_cancel_clicked (CtWindow *self)
{
  if (self->demo_cancellable != NULL)
    {
      g_cancellable_cancel (self->demo_cancellable);
      /* The worker stops at its next check and rolls back. */
      gtk_widget_set_sensitive (GTK_WIDGET (self->demo_cancel_button), FALSE);
    }
}

static void
on_start_empty_clicked (CtWindow *self)
{
  show_main (self, "contacts");
}

static void
search_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  CtWindow *self = CT_WINDOW (user_data);

  show_main (self, "contacts");
  ct_contacts_view_focus_search (self->contacts_view);
}

static void
new_contact_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  CtWindow *self = CT_WINDOW (user_data);

  show_main (self, "contacts");
  ct_contacts_view_new_contact (self->contacts_view);
}

static void
import_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  CtWindow *self = CT_WINDOW (user_data);
  gboolean purchases = g_str_equal (g_action_get_name (G_ACTION (action)), "import-purchases");
  CtImportWindow *window;

  /* The assistant shows this window's page of what it imported. */
  window = ct_import_window_new (GTK_WINDOW (self), self->context,
                                 purchases ? CT_IMPORT_PURCHASES : CT_IMPORT_CONTACTS);
  gtk_window_present (GTK_WINDOW (window));
  ct_import_window_choose_file (window);
}

static const GActionEntry win_actions[] = {
  { "search", search_action, NULL, NULL, NULL, { 0 } },
  { "new-contact", new_contact_action, NULL, NULL, NULL, { 0 } },
  { "import-contacts", import_action, NULL, NULL, NULL, { 0 } },
  { "import-purchases", import_action, NULL, NULL, NULL, { 0 } },
};

static void
restore_size (CtWindow *self)
{
  GSettings *settings = ct_context_get_settings (self->context);
  g_autoptr(GVariant) width = NULL;
  g_autoptr(GVariant) height = NULL;

  if (settings == NULL)
    return;

  /* The schema's defaults are for a smaller screen than the window's own
   * default; only what the user chose by resizing wins over it. */
  width = g_settings_get_user_value (settings, "window-width");
  height = g_settings_get_user_value (settings, "window-height");
  if (width != NULL && height != NULL)
    gtk_window_set_default_size (GTK_WINDOW (self),
                                 MAX (g_variant_get_int32 (width), 360),
                                 MAX (g_variant_get_int32 (height), 400));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static gboolean
ct_window_close_request (GtkWindow *window)
{
  CtWindow *self = CT_WINDOW (window);
  GSettings *settings = ct_context_get_settings (self->context);

  if (self->demo_cancellable != NULL)
    g_cancellable_cancel (self->demo_cancellable);

  if (settings != NULL)
    {
      gboolean maximized = gtk_window_is_maximized (window);
      int width, height;

      g_settings_delay (settings);
      g_settings_set_boolean (settings, "window-maximized", maximized);
      if (!maximized)
        {
          gtk_window_get_default_size (window, &width, &height);
          g_settings_set_int (settings, "window-width", width);
          g_settings_set_int (settings, "window-height", height);
        }
      g_settings_apply (settings);
    }

  return GTK_WINDOW_CLASS (ct_window_parent_class)->close_request (window);
}

static void
add_page (CtWindow   *self,
          GtkWidget  *child,
          const char *name,
          const char *title,
          const char *icon_name)
{
  AdwViewStackPage *page;

  page = adw_view_stack_add_titled (self->view_stack, child, name, title);
  adw_view_stack_page_set_icon_name (page, icon_name);
}

static void
ct_window_constructed (GObject *object)
{
  CtWindow *self = CT_WINDOW (object);
  CtDb *db;
  g_autofree char *display = NULL;
  g_autofree char *where = NULL;

  G_OBJECT_CLASS (ct_window_parent_class)->constructed (object);

  g_assert (CT_IS_CONTEXT (self->context));
  db = ct_context_get_db (self->context);

  self->contacts_view = CT_CONTACTS_VIEW (ct_contacts_view_new (self->context));
  add_page (self, GTK_WIDGET (self->contacts_view), "contacts",
            _("Contacts"), "system-users-symbolic");
  add_page (self, ct_purchases_view_new (self->context), "purchases",
            _("Purchases"), "emblem-documents-symbolic");
  add_page (self, ct_products_view_new (self->context), "products",
            _("Products"), "package-x-generic-symbolic");
  adw_view_stack_set_visible_child_name (self->view_stack, "contacts");

  display = g_filename_display_name (ct_db_get_path (db));
  where = g_strdup_printf (_("Database file: %s"), display);
  gtk_label_set_text (self->path_label, where);

  gtk_stack_set_visible_child_name (self->stack, ct_db_is_empty (db) ? "welcome" : "main");
  update_actions (self);

  restore_size (self);
}

static void
ct_window_dispose (GObject *object)
{
  CtWindow *self = CT_WINDOW (object);

  if (self->demo_cancellable != NULL)
    g_cancellable_cancel (self->demo_cancellable);
  g_clear_object (&self->demo_cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), CT_TYPE_WINDOW);

  G_OBJECT_CLASS (ct_window_parent_class)->dispose (object);

  g_clear_object (&self->context);
}

static void
ct_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CtWindow *self = CT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;
    case PROP_DEMO_CONTACTS:
      g_value_set_uint (value, self->demo_contacts);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  CtWindow *self = CT_WINDOW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      self->context = g_value_dup_object (value);
      break;
    case PROP_DEMO_CONTACTS:
      if (self->demo_contacts != g_value_get_uint (value))
        {
          self->demo_contacts = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_window_class_init (CtWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = ct_window_constructed;
  object_class->dispose = ct_window_dispose;
  object_class->get_property = ct_window_get_property;
  object_class->set_property = ct_window_set_property;
  window_class->close_request = ct_window_close_request;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL, CT_TYPE_CONTEXT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEMO_CONTACTS] =
    g_param_spec_uint ("demo-contacts", NULL, NULL, 1, CT_DEMO_MAX_CONTACTS, DEFAULT_DEMO_CONTACTS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The resources are registered by a constructor in an object file of
   * the static library that nothing else refers to; referring to it here
   * makes sure the linker keeps it, in the app and in the tests. */
  (void) ct_get_resource ();

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/clientele/Clientele/ct-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CtWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CtWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, CtWindow, welcome_page);
  gtk_widget_class_bind_template_child (widget_class, CtWindow, demo_stack);
  gtk_widget_class_bind_template_child (widget_class, CtWindow, demo_button);
  gtk_widget_class_bind_template_child (widget_class, CtWindow, empty_button);
  gtk_widget_class_bind_template_child (widget_class, CtWindow, import_button);
  gtk_widget_class_bind_template_child (widget_class, CtWindow, demo_cancel_button);
  gtk_widget_class_bind_template_child (widget_class, CtWindow, demo_status_label);
  gtk_widget_class_bind_template_child (widget_class, CtWindow, demo_progress);
  gtk_widget_class_bind_template_child (widget_class, CtWindow, path_label);
  gtk_widget_class_bind_template_child (widget_class, CtWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, CtWindow, view_stack);
  gtk_widget_class_bind_template_callback (widget_class, on_demo_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_demo_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_start_empty_clicked);
}

static void
ct_window_init (CtWindow *self)
{
  self->demo_contacts = DEFAULT_DEMO_CONTACTS;

  gtk_widget_init_template (GTK_WIDGET (self));

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions,
                                   G_N_ELEMENTS (win_actions), self);

  adw_status_page_set_icon_name (self->welcome_page, BASE_ID);

  if (g_strcmp0 (PROFILE, "development") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
}

CtWindow *
ct_window_new (GtkApplication *application,
               CtContext      *context)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (CT_IS_CONTEXT (context), NULL);

  return g_object_new (CT_TYPE_WINDOW,
                       "application", application,
                       "context", context,
                       NULL);
}

CtContext *
ct_window_get_context (CtWindow *self)
{
  g_return_val_if_fail (CT_IS_WINDOW (self), NULL);
  return self->context;
}

void
ct_window_add_toast (CtWindow *self,
                     AdwToast *toast)
{
  g_return_if_fail (CT_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
ct_window_show_page (CtWindow   *self,
                     const char *name)
{
  g_return_if_fail (CT_IS_WINDOW (self));
  g_return_if_fail (name != NULL);

  if (adw_view_stack_get_child_by_name (self->view_stack, name) == NULL)
    {
      g_warning ("No page called “%s” in the window", name);
      return;
    }
  show_main (self, name);
}
