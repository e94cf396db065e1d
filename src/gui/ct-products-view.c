/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-products-view.c: the Products page: list, add, edit
 *
 * The product editor is a small window private to this page, built in
 * code: nothing else opens it. Its widgets carry names ("name-row",
 * "save-button"...) so that tests can find them.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ct-export-ui.h"
#include "ct-products-view.h"
#include "ct-gui-format.h"

typedef enum
{
  COLUMN_NAME,
  COLUMN_KIND,
  COLUMN_SKU,
  COLUMN_PRICE,
  COLUMN_SALES,
  COLUMN_REVENUE,
  COLUMN_ACTIVE,
  COLUMN_EDIT,
  N_COLUMNS
} Column;

struct _CtProductsView
{
  AdwBin               parent_instance;

  CtContext           *context;
  GListStore          *products;
  /* The last deleted product, kept for Undo while its toast shows. */
  CtProduct           *deleted;
  AdwToast            *undo_toast;

  GtkStack            *stack;
  AdwStatusPage       *empty_page;
  GtkLabel            *summary_label;
  GtkColumnView       *column_view;
  GtkColumnViewColumn *columns[N_COLUMNS];
};

G_DEFINE_FINAL_TYPE (CtProductsView, ct_products_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void offer_undo (CtProductsView *self,
                        CtProduct      *deleted);

static void
add_toast (GtkWidget *widget,
           AdwToast  *toast)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  else
    g_object_unref (toast);
}

static void
show_error (CtProductsView *self,
            const GError   *error)
{
  if (gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY) == NULL)
    g_warning ("%s", error->message);
  add_toast (GTK_WIDGET (self), adw_toast_new (error->message));
}

/* The amount as a person types it, without symbol or grouping. */
static char *
format_plain_amount (gint64      minor,
                     const char *currency)
{
  guint decimals = ct_money_decimals (currency);
  gint64 scale = 1;

  for (guint i = 0; i < decimals; i++)
    scale *= 10;

  if (decimals == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT, minor);
  return g_strdup_printf ("%" G_GINT64_FORMAT ".%0*" G_GINT64_FORMAT,
                          minor / scale, (int) decimals, minor % scale);
}

/* The editor */

#define CT_TYPE_PRODUCT_EDITOR (ct_product_editor_get_type ())
G_DECLARE_FINAL_TYPE (CtProductEditor, ct_product_editor, CT, PRODUCT_EDITOR, AdwWindow)

struct _CtProductEditor
{
  AdwWindow       parent_instance;

  CtContext      *context;
  CtProductsView *view;       /* weak */
  CtProduct      *product;    /* a copy of its own; id 0 for a new one */

  AdwEntryRow    *name_row;
  AdwEntryRow    *sku_row;
  AdwComboRow    *kind_row;
  AdwEntryRow    *price_row;
  GtkLabel       *currency_label;
  GtkSwitch      *active_switch;
  GtkLabel       *price_error;
  GtkLabel       *error_label;
  GtkWidget      *save_button;
  GtkWidget      *delete_button;
};

G_DEFINE_FINAL_TYPE (CtProductEditor, ct_product_editor, ADW_TYPE_WINDOW)

static void
show_message (GtkLabel   *label,
              const char *message)
{
  GtkWidget *window = GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (label)));
  int natural, width, height;

  gtk_label_set_label (label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);

  /* A window keeps its size once shown: grow it so that the message does
   * not end up below the fold. */
  if (message != NULL && GTK_IS_WINDOW (window) && gtk_widget_get_mapped (window))
    {
      gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
      if (width <= 0 || height <= 0)
        {
          width = gtk_widget_get_width (window);
          height = gtk_widget_get_height (window);
        }
      gtk_widget_measure (window, GTK_ORIENTATION_VERTICAL, width, NULL, &natural, NULL, NULL);
      if (natural > height)
        gtk_window_set_default_size (GTK_WINDOW (window), width, natural);
    }
}

static void
clear_errors (CtProductEditor *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->sku_row), "error");
  show_message (self->error_label, NULL);
}

static gboolean
parse_price (CtProductEditor  *self,
             gint64           *price,
             char            **message)
{
  const char *currency = ct_product_get_currency (self->product);
  g_autofree char *text = NULL;

  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->price_row))));
  *message = NULL;

  /* An empty price is a free product (a lead magnet), not an error. */
  if (text[0] == '\0')
    {
      *price = 0;
      return TRUE;
    }
  if (!ct_money_parse (text, currency, price))
    {
      *message = g_strdup_printf (_("“%s” is not a price. Type a number such as 199 or 1,299.00."),
                                  text);
      return FALSE;
    }
  if (*price < 0)
    {
      *message = g_strdup (_("A price cannot be negative."));
      return FALSE;
    }
  return TRUE;
}

static void
update_save_sensitive (CtProductEditor *self)
{
  g_autofree char *message = NULL;
  g_autofree char *name = NULL;
  gint64 price;
  gboolean price_ok;

  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  price_ok = parse_price (self, &price, &message);

  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->price_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->price_row), "error");
  show_message (self->price_error, message);

  gtk_widget_set_sensitive (self->save_button, name[0] != '\0' && price_ok);
}

static void
on_editor_changed (CtProductEditor *self)
{
  clear_errors (self);
  update_save_sensitive (self);
}

static void
on_save_clicked (CtProductEditor *self)
{
  CtDb *db = ct_context_get_db (self->context);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *name = NULL;
  g_autofree char *sku = NULL;
  gint64 price;
  gboolean ok;

  if (!parse_price (self, &price, &message))
    return;

  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  sku = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->sku_row))));

  ct_product_set_name (self->product, name);
  /* No SKU is NULL, so that products without one do not collide. */
  ct_product_set_sku (self->product, sku[0] != '\0' ? sku : NULL);
  ct_product_set_kind (self->product, adw_combo_row_get_selected (self->kind_row));
  ct_product_set_price (self->product, price);
  ct_product_set_active (self->product, gtk_switch_get_active (self->active_switch));

  if (ct_product_get_id (self->product) == 0)
    ok = ct_product_insert (db, self->product, &error);
  else
    ok = ct_product_update (db, self->product, &error);

  if (!ok)
    {
      /* Point at the field the message is about; keep what was typed. */
      if (g_error_matches (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT))
        gtk_widget_add_css_class (GTK_WIDGET (self->sku_row), "error");
      else if (g_error_matches (error, CT_DB_ERROR, CT_DB_ERROR_INVALID))
        gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
      show_message (self->error_label, error->message);
      return;
    }

  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_delete_clicked (CtProductEditor *self)
{
  CtDb *db = ct_context_get_db (self->context);
  gint64 id = ct_product_get_id (self->product);
  g_autoptr(GError) error = NULL;
  g_autoptr(CtProduct) stored = NULL;

  /* Undo puts back what was stored, not what was typed since. */
  stored = ct_product_load (db, id, &error);
  if (stored == NULL || !ct_product_delete (db, id, &error))
    {
      show_message (self->error_label, error->message);
      return;
    }

  if (self->view != NULL)
    offer_undo (self->view, stored);
  gtk_window_destroy (GTK_WINDOW (self));
}

static GtkWidget *
make_error_label (void)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "error");
  gtk_widget_set_visible (label, FALSE);
  return label;
}

static void
ct_product_editor_dispose (GObject *object)
{
  CtProductEditor *self = CT_PRODUCT_EDITOR (object);

  if (self->view != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->view), (gpointer *) &self->view);
  self->view = NULL;
  g_clear_object (&self->product);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (ct_product_editor_parent_class)->dispose (object);
}

static void
ct_product_editor_class_init (CtProductEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ct_product_editor_dispose;

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ct_product_editor_init (CtProductEditor *self)
{
  g_autoptr(GtkStringList) kinds = gtk_string_list_new (NULL);
  GtkWidget *box, *header, *cancel, *scroller, *clamp, *content, *group;
  GtkWidget *price_box, *active_row;

  for (int kind = 0; kind < CT_PRODUCT_N_KINDS; kind++)
    gtk_string_list_append (kinds, ct_product_kind_get_label (kind));

  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (self), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (self), 460, -1);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  adw_window_set_content (ADW_WINDOW (self), box);

  header = adw_header_bar_new ();
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  gtk_box_append (GTK_BOX (box), header);

  cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (cancel), "window.close");
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);

  self->save_button = gtk_button_new_with_mnemonic (_("_Save"));
  gtk_widget_set_name (self->save_button, "save-button");
  gtk_widget_add_css_class (self->save_button, "suggested-action");
  g_signal_connect_swapped (self->save_button, "clicked", G_CALLBACK (on_save_clicked), self);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->save_button);
  gtk_window_set_default_widget (GTK_WINDOW (self), self->save_button);

  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller),
                                  GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (box), scroller);

  clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 520);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), clamp);

  content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_margin_start (content, 12);
  gtk_widget_set_margin_end (content, 12);
  gtk_widget_set_margin_top (content, 18);
  gtk_widget_set_margin_bottom (content, 24);
  adw_clamp_set_child (ADW_CLAMP (clamp), content);

  group = adw_preferences_group_new ();
  gtk_box_append (GTK_BOX (content), group);

  self->name_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  gtk_widget_set_name (GTK_WIDGET (self->name_row), "name-row");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->name_row), _("Name"));
  adw_entry_row_set_activates_default (self->name_row, TRUE);
  g_signal_connect_swapped (self->name_row, "changed", G_CALLBACK (on_editor_changed), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->name_row));

  self->kind_row = ADW_COMBO_ROW (adw_combo_row_new ());
  gtk_widget_set_name (GTK_WIDGET (self->kind_row), "kind-row");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->kind_row),
                                 C_("product kind", "Kind"));
  adw_combo_row_set_expression (self->kind_row,
                                gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string"));
  adw_combo_row_set_model (self->kind_row, G_LIST_MODEL (kinds));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->kind_row));

  self->price_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  gtk_widget_set_name (GTK_WIDGET (self->price_row), "price-row");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->price_row), _("Price"));
  adw_entry_row_set_activates_default (self->price_row, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->price_row), "numeric");
  g_signal_connect_swapped (self->price_row, "changed", G_CALLBACK (on_editor_changed), self);
  self->currency_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->currency_label), "dim-label");
  adw_entry_row_add_suffix (self->price_row, GTK_WIDGET (self->currency_label));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->price_row));

  self->sku_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  gtk_widget_set_name (GTK_WIDGET (self->sku_row), "sku-row");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->sku_row), _("SKU (Optional)"));
  adw_entry_row_set_activates_default (self->sku_row, TRUE);
  g_signal_connect_swapped (self->sku_row, "changed", G_CALLBACK (on_editor_changed), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (self->sku_row));

  active_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (active_row),
                                 C_("product on sale", "Active"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (active_row),
                               _("Still on sale: offered when adding a purchase"));
  self->active_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_widget_set_name (GTK_WIDGET (self->active_switch), "active-switch");
  gtk_widget_set_valign (GTK_WIDGET (self->active_switch), GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->active_switch),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  C_("product on sale", "Active"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (active_row), GTK_WIDGET (self->active_switch));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (active_row),
                                         GTK_WIDGET (self->active_switch));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), active_row);

  price_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_box_append (GTK_BOX (content), price_box);
  self->price_error = GTK_LABEL (make_error_label ());
  gtk_widget_set_name (GTK_WIDGET (self->price_error), "price-error");
  gtk_widget_add_css_class (GTK_WIDGET (self->price_error), "caption");
  gtk_box_append (GTK_BOX (price_box), GTK_WIDGET (self->price_error));
  self->error_label = GTK_LABEL (make_error_label ());
  gtk_widget_set_name (GTK_WIDGET (self->error_label), "error-label");
  gtk_box_append (GTK_BOX (price_box), GTK_WIDGET (self->error_label));

  self->delete_button = gtk_button_new_with_mnemonic (_("_Delete Product"));
  gtk_widget_set_name (self->delete_button, "delete-button");
  gtk_widget_set_halign (self->delete_button, GTK_ALIGN_CENTER);
  gtk_widget_set_margin_top (self->delete_button, 12);
  gtk_widget_add_css_class (self->delete_button, "destructive-action");
  gtk_widget_add_css_class (self->delete_button, "pill");
  g_signal_connect_swapped (self->delete_button, "clicked", G_CALLBACK (on_delete_clicked), self);
  gtk_box_append (GTK_BOX (content), self->delete_button);
}

static CtProductEditor *
ct_product_editor_new (CtProductsView  *view,
                       CtContext       *context,
                       CtProduct       *product,
                       GtkWindow       *parent)
{
  CtProductEditor *self = g_object_new (CT_TYPE_PRODUCT_EDITOR,
                                        "transient-for", parent,
                                        NULL);
  gboolean is_new = ct_product_get_id (product) == 0;
  g_autofree char *price = NULL;

  self->context = g_object_ref (context);
  self->product = g_object_ref (product);
  self->view = view;
  g_object_add_weak_pointer (G_OBJECT (view), (gpointer *) &self->view);

  gtk_window_set_title (GTK_WINDOW (self), is_new ? _("New Product") : _("Edit Product"));
  gtk_button_set_label (GTK_BUTTON (self->save_button),
                        is_new ? C_("verb: add the product", "_Add") : _("_Save"));
  gtk_widget_set_visible (self->delete_button, !is_new);

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), ct_product_get_name (product));
  gtk_editable_set_text (GTK_EDITABLE (self->sku_row), ct_product_get_sku (product));
  adw_combo_row_set_selected (self->kind_row, ct_product_get_kind (product));
  if (!is_new || ct_product_get_price (product) != 0)
    {
      price = format_plain_amount (ct_product_get_price (product),
                                   ct_product_get_currency (product));
      gtk_editable_set_text (GTK_EDITABLE (self->price_row), price);
    }
  gtk_label_set_label (self->currency_label, ct_product_get_currency (product));
  gtk_switch_set_active (self->active_switch, ct_product_get_active (product));

  clear_errors (self);
  update_save_sensitive (self);
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->name_row));

  return self;
}

/* The list */

static void
update_state (CtProductsView *self)
{
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->products));
  guint n_inactive = 0;
  g_autofree char *text = NULL;

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(CtProduct) product = g_list_model_get_item (G_LIST_MODEL (self->products), i);

      if (!ct_product_get_active (product))
        n_inactive++;
    }

  if (n_inactive > 0)
    {
      g_autofree char *count = g_strdup_printf (ngettext ("%u product", "%u products", n_items),
                                                n_items);

      /* Translators: "6 products · 2 no longer on sale" */
      text = g_strdup_printf (ngettext ("%s · %u no longer on sale",
                                        "%s · %u no longer on sale", n_inactive),
                              count, n_inactive);
    }
  else
    {
      text = g_strdup_printf (ngettext ("%u product", "%u products", n_items), n_items);
    }
  gtk_label_set_label (self->summary_label, text);

  gtk_stack_set_visible_child_name (self->stack, n_items > 0 ? "list" : "empty");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "products.export", n_items > 0);
}

static void
export_products (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CtProductsView *self = CT_PRODUCTS_VIEW (widget);
  g_autoptr(GArray) ids = NULL;

  if (self->context == NULL)
    return;

  ids = ct_export_ui_collect_ids (G_LIST_MODEL (self->products));
  ct_export_ui_choose_file (widget, ct_context_get_db (self->context), CT_EXPORT_PRODUCTS,
                            CT_EXPORT_FORMAT_CSV, ids);
}

static void
reload (CtProductsView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) products = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  guint n;

  if (self->context == NULL)
    return;

  products = ct_product_list_all (ct_context_get_db (self->context), &error);
  if (products == NULL)
    {
      show_error (self, error);
      return;
    }

  n = g_list_model_get_n_items (products);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, g_list_model_get_item (products, i));

  /* Splicing into the same store keeps the view's scroll position. */
  g_list_store_splice (self->products, 0,
                       g_list_model_get_n_items (G_LIST_MODEL (self->products)),
                       items->pdata, items->len);
  update_state (self);
}

static void
on_db_changed (CtProductsView *self,
               const char     *table,
               CtDb           *db)
{
  /* Sales and revenue follow the purchases, and erasing a contact can
   * take purchases with it. */
  if (g_str_equal (table, "products") || g_str_equal (table, "purchases")
      || g_str_equal (table, "contacts"))
    reload (self);
}

GtkWindow *
ct_products_view_edit_product (CtProductsView *self,
                               gint64          id)
{
  g_autoptr(CtProduct) product = NULL;
  g_autoptr(GError) error = NULL;
  GtkRoot *root;

  g_return_val_if_fail (CT_IS_PRODUCTS_VIEW (self), NULL);
  g_return_val_if_fail (self->context != NULL, NULL);

  if (id == 0)
    {
      product = ct_product_new ();
      ct_product_set_kind (product, CT_PRODUCT_COURSE);
      ct_product_set_active (product, TRUE);
    }
  else
    {
      /* The editor works on a copy of its own: the list's items stay as
       * stored until Save. */
      product = ct_product_load (ct_context_get_db (self->context), id, &error);
      if (product == NULL)
        {
          show_error (self, error);
          return NULL;
        }
    }

  root = gtk_widget_get_root (GTK_WIDGET (self));
  return GTK_WINDOW (ct_product_editor_new (self, self->context, product,
                                            GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL));
}

static void
on_row_activated (CtProductsView *self,
                  guint           position)
{
  g_autoptr(CtProduct) product = NULL;
  GtkWindow *editor;

  product = g_list_model_get_item (G_LIST_MODEL (self->products), position);
  if (product == NULL)
    return;

  editor = ct_products_view_edit_product (self, ct_product_get_id (product));
  if (editor != NULL)
    gtk_window_present (editor);
}

static void
new_product (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  GtkWindow *editor = ct_products_view_edit_product (CT_PRODUCTS_VIEW (widget), 0);

  if (editor != NULL)
    gtk_window_present (editor);
}

/* Undo */

static void
clear_undo (CtProductsView *self)
{
  if (self->undo_toast != NULL)
    g_signal_handlers_disconnect_by_data (self->undo_toast, self);
  g_clear_object (&self->undo_toast);
  g_clear_object (&self->deleted);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "products.undo-delete", FALSE);
}

static void
on_undo_toast_dismissed (CtProductsView *self,
                         AdwToast       *toast)
{
  if (toast == self->undo_toast)
    clear_undo (self);
}

static void
undo_delete (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CtProductsView *self = CT_PRODUCTS_VIEW (widget);
  g_autoptr(CtProduct) product = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(AdwToast) toast = NULL;

  if (self->deleted == NULL)
    return;

  product = ct_product_new ();
  ct_product_set_name (product, ct_product_get_name (self->deleted));
  ct_product_set_sku (product, ct_product_get_sku (self->deleted));
  ct_product_set_kind (product, ct_product_get_kind (self->deleted));
  ct_product_set_price (product, ct_product_get_price (self->deleted));
  ct_product_set_currency (product, ct_product_get_currency (self->deleted));
  ct_product_set_active (product, ct_product_get_active (self->deleted));

  toast = self->undo_toast != NULL ? g_object_ref (self->undo_toast) : NULL;
  clear_undo (self);
  if (toast != NULL)
    adw_toast_dismiss (toast);

  if (!ct_product_insert (ct_context_get_db (self->context), product, &error))
    show_error (self, error);
}

static void
on_undo_clicked (CtProductsView *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "products.undo-delete", NULL);
}

static void
offer_undo (CtProductsView *self,
            CtProduct      *deleted)
{
  AdwToast *toast;
  g_autofree char *escaped = NULL;

  if (self->undo_toast != NULL)
    {
      g_autoptr(AdwToast) old = g_object_ref (self->undo_toast);

      clear_undo (self);
      adw_toast_dismiss (old);
    }

  self->deleted = g_object_ref (deleted);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "products.undo-delete", TRUE);

  /* Toast titles are markup. */
  escaped = g_markup_escape_text (ct_product_get_name (deleted), -1);
  toast = adw_toast_new_format (_("“%s” deleted"), escaped);
  adw_toast_set_button_label (toast, _("_Undo"));
  self->undo_toast = toast;
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_undo_clicked),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (on_undo_toast_dismissed),
                           self, G_CONNECT_SWAPPED);
  add_toast (GTK_WIDGET (self), g_object_ref (toast));
}

/* Cells */

static void
on_edit_clicked (GtkButton   *button,
                 GtkListItem *item)
{
  GtkWidget *view = gtk_widget_get_ancestor (GTK_WIDGET (button), CT_TYPE_PRODUCTS_VIEW);
  CtProduct *product = gtk_list_item_get_item (item);
  GtkWindow *editor;

  if (view == NULL || product == NULL)
    return;

  editor = ct_products_view_edit_product (CT_PRODUCTS_VIEW (view), ct_product_get_id (product));
  if (editor != NULL)
    gtk_window_present (editor);
}

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  GtkWidget *child;

  if (column == COLUMN_EDIT)
    {
      child = gtk_button_new_from_icon_name ("document-edit-symbolic");
      gtk_widget_set_halign (child, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (child, _("Edit Product"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Edit Product"),
                                      -1);
      gtk_widget_add_css_class (child, "flat");
      g_signal_connect (child, "clicked", G_CALLBACK (on_edit_clicked), item);
      gtk_list_item_set_child (item, child);
      return;
    }

  child = gtk_label_new (NULL);
  gtk_label_set_ellipsize (GTK_LABEL (child), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (child), TRUE);
  switch (column)
    {
    case COLUMN_PRICE:
    case COLUMN_SALES:
    case COLUMN_REVENUE:
      gtk_label_set_xalign (GTK_LABEL (child), 1.0f);
      gtk_widget_add_css_class (child, "numeric");
      break;
    case COLUMN_NAME:
    case COLUMN_KIND:
    case COLUMN_SKU:
    case COLUMN_ACTIVE:
    case COLUMN_EDIT:
    case N_COLUMNS:
    default:
      gtk_label_set_xalign (GTK_LABEL (child), 0.0f);
      break;
    }
  ct_label_set_tooltip_when_ellipsized (GTK_LABEL (child));
  gtk_list_item_set_child (item, child);
}

static void
set_cell (GtkLabel   *label,
          const char *text,
          gboolean    dim)
{
  gtk_label_set_label (label, text != NULL ? text : "");
  if (dim)
    gtk_widget_add_css_class (GTK_WIDGET (label), "dim-label");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "dim-label");
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  CtProduct *product = gtk_list_item_get_item (item);
  GtkWidget *child = gtk_list_item_get_child (item);
  GtkLabel *label = GTK_IS_LABEL (child) ? GTK_LABEL (child) : NULL;
  gboolean inactive = !ct_product_get_active (product);
  g_autofree char *text = NULL;

  switch (column)
    {
    case COLUMN_NAME:
      set_cell (label, ct_product_get_name (product), inactive);
      break;
    case COLUMN_KIND:
      g_object_get (product, "kind-label", &text, NULL);
      set_cell (label, text, inactive);
      break;
    case COLUMN_SKU:
      set_cell (label, ct_product_get_sku (product), TRUE);
      break;
    case COLUMN_PRICE:
      g_object_get (product, "price-label", &text, NULL);
      set_cell (label, text, inactive);
      break;
    case COLUMN_SALES:
      {
        int sales = 0;

        g_object_get (product, "sales-count", &sales, NULL);
        text = ct_format_count ((guint64) MAX (sales, 0));
        set_cell (label, text, inactive || sales == 0);
      }
      break;
    case COLUMN_REVENUE:
      g_object_get (product, "revenue-label", &text, NULL);
      set_cell (label, text, inactive);
      break;
    case COLUMN_ACTIVE:
      if (inactive)
        /* Translators: in the Active column of a product no longer sold */
        set_cell (label, C_("product on sale", "No"), TRUE);
      else
        /* Translators: in the Active column of a product on sale */
        set_cell (label, C_("product on sale", "Yes"), FALSE);
      break;
    case COLUMN_EDIT:
      break;
    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
}

static void
setup_columns (CtProductsView *self)
{
  for (guint i = 0; i < N_COLUMNS; i++)
    {
      g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GINT_TO_POINTER (i));
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GINT_TO_POINTER (i));
      gtk_column_view_column_set_factory (self->columns[i], factory);
    }
}

/* GObject */

static void
ct_products_view_dispose (GObject *object)
{
  CtProductsView *self = CT_PRODUCTS_VIEW (object);

  if (self->context != NULL)
    g_signal_handlers_disconnect_by_data (ct_context_get_db (self->context), self);
  if (self->undo_toast != NULL)
    g_signal_handlers_disconnect_by_data (self->undo_toast, self);

  /* AdwBin would unparent its child a second time after the template
   * let go of it. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CT_TYPE_PRODUCTS_VIEW);

  g_clear_object (&self->undo_toast);
  g_clear_object (&self->deleted);
  g_clear_object (&self->products);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (ct_products_view_parent_class)->dispose (object);
}

static void
ct_products_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CtProductsView *self = CT_PRODUCTS_VIEW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      g_value_set_object (value, self->context);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_products_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CtProductsView *self = CT_PRODUCTS_VIEW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      if (g_value_get_object (value) != NULL)
        ct_products_view_set_context (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_products_view_class_init (CtProductsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ct_products_view_dispose;
  object_class->get_property = ct_products_view_get_property;
  object_class->set_property = ct_products_view_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL, CT_TYPE_CONTEXT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/clientele/Clientele/ct-products-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CtProductsView, stack);
  gtk_widget_class_bind_template_child (widget_class, CtProductsView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CtProductsView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, CtProductsView, column_view);
  gtk_widget_class_bind_template_child_full (widget_class, "name_column", FALSE,
                                             G_STRUCT_OFFSET (CtProductsView, columns[COLUMN_NAME]));
  gtk_widget_class_bind_template_child_full (widget_class, "kind_column", FALSE,
                                             G_STRUCT_OFFSET (CtProductsView, columns[COLUMN_KIND]));
  gtk_widget_class_bind_template_child_full (widget_class, "sku_column", FALSE,
                                             G_STRUCT_OFFSET (CtProductsView, columns[COLUMN_SKU]));
  gtk_widget_class_bind_template_child_full (widget_class, "price_column", FALSE,
                                             G_STRUCT_OFFSET (CtProductsView, columns[COLUMN_PRICE]));
  gtk_widget_class_bind_template_child_full (widget_class, "sales_column", FALSE,
                                             G_STRUCT_OFFSET (CtProductsView, columns[COLUMN_SALES]));
  gtk_widget_class_bind_template_child_full (widget_class, "revenue_column", FALSE,
                                             G_STRUCT_OFFSET (CtProductsView, columns[COLUMN_REVENUE]));
  gtk_widget_class_bind_template_child_full (widget_class, "active_column", FALSE,
                                             G_STRUCT_OFFSET (CtProductsView, columns[COLUMN_ACTIVE]));
  gtk_widget_class_bind_template_child_full (widget_class, "edit_column", FALSE,
                                             G_STRUCT_OFFSET (CtProductsView, columns[COLUMN_EDIT]));
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);

  gtk_widget_class_install_action (widget_class, "products.new", NULL, new_product);
  gtk_widget_class_install_action (widget_class, "products.undo-delete", NULL, undo_delete);
  gtk_widget_class_install_action (widget_class, "products.export", NULL, export_products);
}

static void
ct_products_view_init (CtProductsView *self)
{
  g_autoptr(GtkSingleSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->products = g_list_store_new (CT_TYPE_PRODUCT);
  selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->products)));
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  setup_columns (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "products.new", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "products.undo-delete", FALSE);
  update_state (self);
}

GtkWidget *
ct_products_view_new (CtContext *context)
{
  g_return_val_if_fail (context == NULL || CT_IS_CONTEXT (context), NULL);

  return g_object_new (CT_TYPE_PRODUCTS_VIEW, "context", context, NULL);
}

void
ct_products_view_set_context (CtProductsView *self,
                              CtContext      *context)
{
  g_return_if_fail (CT_IS_PRODUCTS_VIEW (self));
  g_return_if_fail (CT_IS_CONTEXT (context));

  if (self->context == context)
    return;
  /* The list and the signal handlers belong to one database. */
  g_return_if_fail (self->context == NULL);

  self->context = g_object_ref (context);
  g_signal_connect_object (ct_context_get_db (context), "changed",
                           G_CALLBACK (on_db_changed), self, G_CONNECT_SWAPPED);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "products.new", TRUE);
  reload (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTEXT]);
}

void
ct_products_view_export (CtProductsView *self,
                         GFile          *file,
                         gboolean        bom)
{
  g_autoptr(GArray) ids = NULL;

  g_return_if_fail (CT_IS_PRODUCTS_VIEW (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (self->context != NULL);

  ids = ct_export_ui_collect_ids (G_LIST_MODEL (self->products));
  ct_export_ui_to_file (GTK_WIDGET (self), ct_context_get_db (self->context), CT_EXPORT_PRODUCTS,
                        CT_EXPORT_FORMAT_CSV, ids, file, bom);
}
