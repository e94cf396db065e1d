/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-gui-test.h: helpers for the GUI tests: waiting, finding widgets,
 * screenshots
 *
 * Header-only so that each tests/test-gui-*.c stays one file in meson.
 */
#pragma once

#include <glib/gstdio.h>
#include <adwaita.h>

#include "ct-application.h"
#include "ct-window.h"

/* Runs the main context until @done says so or @timeout_ms passed. */
static inline gboolean
ct_test_wait_until (gboolean (*done) (gpointer data),
                    gpointer  data,
                    guint     timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!done (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

/* Lets pending work (redraws, idles, typing delays) run for @ms. */
static inline void
ct_test_spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (2000);
    }
}

static inline gboolean
ct_test_is_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (GTK_WIDGET (widget));
}

/* Presents @window and waits until it is on screen and drawn. */
static inline void
ct_test_show_window (GtkWindow *window)
{
  gtk_window_present (window);
  g_assert_true (ct_test_wait_until (ct_test_is_mapped, window, 10000));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));
  ct_test_spin (50);
}

/* The application the tests' windows belong to: registered, so windows can
 * be added, but never run, and not unique so tests do not meet each other
 * on the bus. */
static inline CtApplication *
ct_test_application_new (void)
{
  g_autoptr(GError) error = NULL;
  CtApplication *app = ct_application_new ();

  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  return app;
}

/* The uninstalled app icon, so that screenshots show it. */
static inline void
ct_test_add_icons (void)
{
  g_autofree char *icons = g_test_build_filename (G_TEST_DIST, "..", "icons", NULL);

  gtk_icon_theme_add_search_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                  icons);
}

/* Depth-first search of @root's widget tree. */
static inline GtkWidget *
ct_test_find_widget (GtkWidget *root,
                     gboolean (*match) (GtkWidget *widget, gconstpointer data),
                     gconstpointer data)
{
  if (root == NULL)
    return NULL;
  if (match (root, data))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = ct_test_find_widget (child, match, data);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static inline gboolean
ct_test_match_label_text (GtkWidget     *widget,
                          gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

/* A mapped GtkLabel showing exactly @text, under @root. */
static inline GtkWidget *
ct_test_find_label (GtkWidget  *root,
                    const char *text)
{
  return ct_test_find_widget (root, ct_test_match_label_text, text);
}

static inline gboolean
ct_test_match_button_label (GtkWidget     *widget,
                            gconstpointer  text)
{
  const char *label;

  if (!GTK_IS_BUTTON (widget) || !gtk_widget_get_mapped (widget))
    return FALSE;
  label = gtk_button_get_label (GTK_BUTTON (widget));
  if (label == NULL)
    return FALSE;
  if (g_strcmp0 (label, text) == 0)
    return TRUE;
  /* "_Undo" is "Undo" to a user. */
  {
    g_autoptr(GString) plain = g_string_new (label);
    g_string_replace (plain, "_", "", 0);
    return g_strcmp0 (plain->str, text) == 0;
  }
}

/* A mapped GtkButton labelled @text (mnemonic underscores ignored). */
static inline GtkWidget *
ct_test_find_button (GtkWidget  *root,
                     const char *text)
{
  return ct_test_find_widget (root, ct_test_match_button_label, text);
}

/* Saves a PNG of @widget as $CT_SCREENSHOT_DIR/<name>-<language>.png when
 * that variable is set; how a person checks what the tests see. */
static inline void
ct_test_screenshot (GtkWidget  *widget,
                    const char *name)
{
  const char *dir = g_getenv ("CT_SCREENSHOT_DIR");
  const char *language = g_get_language_names ()[0];
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  GskRenderer *renderer;
  int width, height;

  if (dir == NULL || *dir == '\0')
    return;

  gtk_test_widget_wait_for_draw (widget);
  ct_test_spin (100);

  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));

  g_mkdir_with_parents (dir, 0755);
  file = g_strdup_printf ("%s-%s.png", name, language);
  path = g_build_filename (dir, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* A fresh temporary folder, removed with its files by ct_test_rm_tmp. */
static inline char *
ct_test_make_tmp (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("clientele-gui-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static inline void
ct_test_rm_tmp (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}
