/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-purchase-dialog.c: add a purchase (optionally for a given contact) */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ct-gui-format.h"
#include "ct-purchase-dialog.h"

/* How many matches the contact picker lists; the search narrows it. */
#define MAX_CONTACT_RESULTS 8
/* About four rows; the others scroll into view. */
#define MAX_RESULTS_HEIGHT 232

struct _CtPurchaseDialog
{
  AdwWindow       parent_instance;

  CtContext      *context;
  CtPagedList    *contacts;      /* for the picker; NULL with a fixed contact */
  gint64          contact_id;    /* the chosen contact, 0 for none yet */
  gboolean        contact_fixed;
  /* Parallel to the rows of product_row: row 0 is "None". */
  GArray         *product_ids;
  GPtrArray      *products;      /* CtProduct or NULL for "None" */
  GArray         *channel_ids;   /* parallel to channel_row, 0 for "None" */
  gboolean        amount_valid;

  GtkButton      *add_button;
  GtkStack       *contact_stack;
  GtkSearchEntry *contact_search;
  GtkWidget      *contact_results_scroller;
  GtkListBox     *contact_results;
  GtkLabel       *contact_hint;
  AdwActionRow   *contact_row;
  AdwAvatar      *contact_avatar;
  GtkButton      *change_contact_button;
  AdwComboRow    *product_row;
  AdwEntryRow    *amount_row;
  GtkDropDown    *currency_dropdown;
  GtkLabel       *amount_error;
  GtkMenuButton  *date_button;
  GtkCalendar    *date_calendar;
  GtkMenuButton  *time_button;
  GtkSpinButton  *hour_spin;
  GtkSpinButton  *minute_spin;
  AdwComboRow    *channel_row;
  AdwEntryRow    *reference_row;
  GtkLabel       *reference_error;
  GtkLabel       *error_label;
};

G_DEFINE_FINAL_TYPE (CtPurchaseDialog, ct_purchase_dialog, ADW_TYPE_WINDOW)

static void
show_message (GtkLabel   *label,
              const char *message)
{
  gtk_label_set_label (label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
}

static const char *
get_currency (CtPurchaseDialog *self)
{
  GtkStringObject *item = gtk_drop_down_get_selected_item (self->currency_dropdown);

  return item != NULL ? gtk_string_object_get_string (item) : "CNY";
}

static void
set_currency (CtPurchaseDialog *self,
              const char       *currency)
{
  GListModel *model = gtk_drop_down_get_model (self->currency_dropdown);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      const char *code = gtk_string_list_get_string (GTK_STRING_LIST (model), i);

      if (g_ascii_strcasecmp (code, currency) == 0)
        {
          gtk_drop_down_set_selected (self->currency_dropdown, i);
          return;
        }
    }

  /* A product priced in a currency the list lacks: offer it too. */
  gtk_string_list_append (GTK_STRING_LIST (model), currency);
  gtk_drop_down_set_selected (self->currency_dropdown, n);
}

static void
update_add_sensitive (CtPurchaseDialog *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button),
                            self->contact_id > 0 && self->amount_valid);
}

/* Contact */

static void
show_contact (CtPurchaseDialog *self,
              gint64            id,
              const char       *name,
              const char       *email)
{
  self->contact_id = id;

  /* Without a name, the address is the best title there is. */
  if (name != NULL && name[0] != '\0')
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->contact_row), name);
      adw_action_row_set_subtitle (self->contact_row, email != NULL ? email : "");
    }
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->contact_row),
                                     email != NULL ? email : "");
      adw_action_row_set_subtitle (self->contact_row, "");
    }
  adw_avatar_set_text (self->contact_avatar, name != NULL && name[0] != '\0' ? name : email);
  gtk_widget_set_visible (GTK_WIDGET (self->change_contact_button), !self->contact_fixed);
  gtk_stack_set_visible_child_name (self->contact_stack, "chosen");
  update_add_sensitive (self);
}

static void
clear_contact_results (CtPurchaseDialog *self)
{

  ct_list_box_remove_rows (self->contact_results);
}

static void
update_contact_results (CtPurchaseDialog *self)
{
  GListModel *model = G_LIST_MODEL (self->contacts);
  guint n_items = g_list_model_get_n_items (model);
  guint shown = MIN (n_items, MAX_CONTACT_RESULTS);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->contact_search));

  clear_contact_results (self);

  for (guint i = 0; i < shown; i++)
    {
      g_autoptr(CtContact) contact = g_list_model_get_item (model, i);
      const char *name = ct_contact_get_display_name (contact);
      const char *email = ct_contact_get_email (contact);
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      /* The display name falls back to the email; do not say it twice. */
      if (g_strcmp0 (name, email) != 0)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), email);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "contact-id",
                              g_memdup2 (&(gint64) { ct_contact_get_id (contact) },
                                         sizeof (gint64)),
                              g_free);
      gtk_list_box_append (self->contact_results, row);
    }

  gtk_widget_set_visible (self->contact_results_scroller, shown > 0);
  /* The dialog scrolls as a whole and would squeeze an inner scroller to
   * nothing: ask for the rows' height, up to a few rows. */
  if (shown > 0)
    {
      int natural;

      gtk_widget_measure (GTK_WIDGET (self->contact_results), GTK_ORIENTATION_VERTICAL, -1,
                          NULL, &natural, NULL, NULL);
      gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (self->contact_results_scroller),
                                                  MIN (natural + 2, MAX_RESULTS_HEIGHT));
    }

  if (n_items == 0 && text[0] != '\0')
    {
      g_autofree char *hint = g_strdup_printf (_("No contact matches “%s”."), text);

      show_message (self->contact_hint, hint);
    }
  else if (n_items == 0)
    {
      show_message (self->contact_hint,
                    _("There are no contacts yet. Add the buyer on the Contacts page first."));
    }
  else if (n_items > shown)
    {
      g_autofree char *hint = NULL;

      hint = g_strdup_printf (ngettext ("%u more contact matches; type more of the name or email to find it.",
                                        "%u more contacts match; type more of the name or email to narrow them down.",
                                        n_items - shown),
                              n_items - shown);
      show_message (self->contact_hint, hint);
    }
  else
    {
      show_message (self->contact_hint, NULL);
    }
}

static void
on_contacts_changed (CtPurchaseDialog *self,
                     guint             position,
                     guint             removed,
                     guint             added,
                     GListModel       *model)
{
  update_contact_results (self);
}

static void
on_contact_search_changed (CtPurchaseDialog *self)
{
  g_autoptr(GError) error = NULL;

  if (!ct_contact_list_set_search (self->contacts,
                                   gtk_editable_get_text (GTK_EDITABLE (self->contact_search)),
                                   &error))
    show_message (self->error_label, error->message);
  /* items-changed updates the rows, unless nothing changed at all. */
  update_contact_results (self);
}

static void
choose_row (CtPurchaseDialog *self,
            GtkListBoxRow    *row)
{
  const gint64 *id = g_object_get_data (G_OBJECT (row), "contact-id");
  const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
  const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));

  if (id == NULL)
    return;

  if (subtitle != NULL && subtitle[0] != '\0')
    show_contact (self, *id, title, subtitle);
  else
    show_contact (self, *id, NULL, title);

  gtk_widget_grab_focus (GTK_WIDGET (self->amount_row));
}

static void
on_contact_result_activated (CtPurchaseDialog *self,
                             GtkListBoxRow    *row)
{
  choose_row (self, row);
}

static void
on_contact_search_activate (CtPurchaseDialog *self)
{
  GtkListBoxRow *first = gtk_list_box_get_row_at_index (self->contact_results, 0);

  /* Enter picks the match when the search leaves exactly one. */
  if (first != NULL && gtk_list_box_get_row_at_index (self->contact_results, 1) == NULL)
    choose_row (self, first);
}

static void
on_change_contact_clicked (CtPurchaseDialog *self)
{
  self->contact_id = 0;
  gtk_stack_set_visible_child_name (self->contact_stack, "search");
  gtk_widget_grab_focus (GTK_WIDGET (self->contact_search));
  update_add_sensitive (self);
}

/* Amount */

/* The amount as a person types it, without symbol or grouping, so that
 * editing it is easy: "199.00", "88". */
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

static gboolean
parse_amount (CtPurchaseDialog  *self,
              gint64            *amount,
              char             **message)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->amount_row));
  const char *currency = get_currency (self);
  g_autofree char *trimmed = g_strstrip (g_strdup (text));

  *message = NULL;

  if (trimmed[0] == '\0')
    return FALSE;

  if (!ct_money_parse (trimmed, currency, amount))
    {
      if (ct_money_decimals (currency) == 0 && (strchr (trimmed, '.') != NULL || strstr (trimmed, "．") != NULL))
        /* Translators: %s is a currency code such as JPY */
        *message = g_strdup_printf (_("%s amounts have no decimals. Type a whole number such as 1200."),
                                    currency);
      else
        *message = g_strdup_printf (_("“%s” is not an amount. Type a number such as 88 or 1,234.50."),
                                    trimmed);
      return FALSE;
    }

  if (*amount < 0)
    {
      *message = g_strdup (_("The amount cannot be negative. To record a refund, mark the purchase as refunded."));
      return FALSE;
    }

  return TRUE;
}

static void
on_amount_changed (CtPurchaseDialog *self)
{
  g_autofree char *message = NULL;
  gint64 amount;

  self->amount_valid = parse_amount (self, &amount, &message);

  if (message != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->amount_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->amount_row), "error");
  show_message (self->amount_error, message);
  show_message (self->error_label, NULL);
  update_add_sensitive (self);
}

static void
on_product_selected (CtPurchaseDialog *self)
{
  guint position = adw_combo_row_get_selected (self->product_row);
  CtProduct *product;
  g_autofree char *text = NULL;

  if (position == GTK_INVALID_LIST_POSITION || position >= self->products->len)
    return;
  product = g_ptr_array_index (self->products, position);
  if (product == NULL)
    return;

  /* Choosing a product fills in its price; the user can still change it
   * (a discount, a coupon). */
  set_currency (self, ct_product_get_currency (product));
  text = format_plain_amount (ct_product_get_price (product), ct_product_get_currency (product));
  gtk_editable_set_text (GTK_EDITABLE (self->amount_row), text);
}

/* Date and time */

static gboolean
on_time_output (GtkSpinButton *spin,
                gpointer       user_data)
{
  g_autofree char *text = g_strdup_printf ("%02d", gtk_spin_button_get_value_as_int (spin));

  if (g_strcmp0 (text, gtk_editable_get_text (GTK_EDITABLE (spin))) != 0)
    gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

static void
on_time_changed (CtPurchaseDialog *self)
{
  g_autofree char *text = g_strdup_printf ("%02d:%02d",
                                           gtk_spin_button_get_value_as_int (self->hour_spin),
                                           gtk_spin_button_get_value_as_int (self->minute_spin));

  gtk_menu_button_set_label (self->time_button, text);
}

static void
on_day_selected (CtPurchaseDialog *self)
{
  g_autoptr(GDateTime) date = gtk_calendar_get_date (self->date_calendar);
  g_autofree char *text = g_date_time_format (date, "%Y-%m-%d");

  gtk_menu_button_set_label (self->date_button, text);
  gtk_menu_button_popdown (self->date_button);
}

static gint64
get_purchased_at (CtPurchaseDialog *self)
{
  g_autoptr(GDateTime) date = gtk_calendar_get_date (self->date_calendar);
  g_autoptr(GDateTime) local = NULL;

  local = g_date_time_new_local (g_date_time_get_year (date),
                                 g_date_time_get_month (date),
                                 g_date_time_get_day_of_month (date),
                                 gtk_spin_button_get_value_as_int (self->hour_spin),
                                 gtk_spin_button_get_value_as_int (self->minute_spin),
                                 0);
  return g_date_time_to_unix (local);
}

/* Saving */

static void
on_reference_changed (CtPurchaseDialog *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->reference_row), "error");
  show_message (self->reference_error, NULL);
  show_message (self->error_label, NULL);
}

static void
on_add_clicked (CtPurchaseDialog *self)
{
  g_autoptr(CtPurchase) purchase = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *reference = NULL;
  guint position;
  gint64 amount;

  if (self->contact_id <= 0 || !parse_amount (self, &amount, &message))
    return;

  reference = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->reference_row))));

  purchase = ct_purchase_new ();
  ct_purchase_set_contact_id (purchase, self->contact_id);
  position = adw_combo_row_get_selected (self->product_row);
  if (position != GTK_INVALID_LIST_POSITION && position < self->product_ids->len)
    ct_purchase_set_product_id (purchase, g_array_index (self->product_ids, gint64, position));
  ct_purchase_set_amount (purchase, amount);
  ct_purchase_set_currency (purchase, get_currency (self));
  ct_purchase_set_purchased_at (purchase, get_purchased_at (self));
  position = adw_combo_row_get_selected (self->channel_row);
  if (position != GTK_INVALID_LIST_POSITION && position < self->channel_ids->len)
    ct_purchase_set_channel_id (purchase, g_array_index (self->channel_ids, gint64, position));
  ct_purchase_set_source (purchase, "manual");
  ct_purchase_set_external_ref (purchase, reference[0] != '\0' ? reference : NULL);

  if (!ct_purchase_insert (ct_context_get_db (self->context), purchase, &error))
    {
      /* Keep everything the user typed; say what to change, next to it. */
      if (g_error_matches (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT) && reference[0] != '\0')
        {
          gtk_widget_add_css_class (GTK_WIDGET (self->reference_row), "error");
          show_message (self->reference_error, error->message);
          gtk_widget_grab_focus (GTK_WIDGET (self->reference_row));
        }
      else
        {
          show_message (self->error_label, error->message);
        }
      return;
    }

  gtk_window_destroy (GTK_WINDOW (self));
}

/* Setup */

static void
load_products (CtPurchaseDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) products = NULL;
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  guint n;

  /* Translators: the Product choice of a purchase without a product */
  gtk_string_list_append (names, C_("product", "None"));
  g_array_append_val (self->product_ids, (gint64) { 0 });
  g_ptr_array_add (self->products, NULL);

  products = ct_product_list_all (ct_context_get_db (self->context), &error);
  if (products == NULL)
    {
      show_message (self->error_label, error->message);
      n = 0;
    }
  else
    {
      n = g_list_model_get_n_items (products);
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CtProduct) product = g_list_model_get_item (products, i);
      gint64 id = ct_product_get_id (product);

      /* Retired products are not sold any more. */
      if (!ct_product_get_active (product))
        continue;
      gtk_string_list_append (names, ct_product_get_name (product));
      g_array_append_val (self->product_ids, id);
      g_ptr_array_add (self->products, g_steal_pointer (&product));
    }

  adw_combo_row_set_model (self->product_row, G_LIST_MODEL (names));
  adw_combo_row_set_selected (self->product_row, 0);
}

static void
load_channels (CtPurchaseDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) channels = NULL;
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  guint n;

  /* Translators: the Channel choice of a purchase without a channel */
  gtk_string_list_append (names, C_("channel", "None"));
  g_array_append_val (self->channel_ids, (gint64) { 0 });

  channels = ct_channel_list_all (ct_context_get_db (self->context), &error);
  if (channels == NULL)
    {
      show_message (self->error_label, error->message);
      n = 0;
    }
  else
    {
      n = g_list_model_get_n_items (channels);
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CtNamedItem) channel = g_list_model_get_item (channels, i);
      gint64 id = ct_named_item_get_id (channel);

      gtk_string_list_append (names, ct_named_item_get_name (channel));
      g_array_append_val (self->channel_ids, id);
    }

  adw_combo_row_set_model (self->channel_row, G_LIST_MODEL (names));
  adw_combo_row_set_selected (self->channel_row, 0);
}

static void
set_fixed_contact (CtPurchaseDialog *self,
                   gint64            contact_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CtContact) contact = NULL;
  g_autofree char *name = NULL;

  contact = ct_contact_load (ct_context_get_db (self->context), contact_id, &error);
  if (contact == NULL)
    {
      /* The contact went away meanwhile: say so and let the user pick. */
      show_message (self->error_label, error->message);
      return;
    }

  name = ct_contact_format_name (ct_contact_get_first_name (contact),
                                 ct_contact_get_last_name (contact));
  self->contact_fixed = TRUE;
  show_contact (self, contact_id, name, ct_contact_get_email (contact));
}

/* "None" is a NULL product, which g_object_unref refuses. */
static void
unref_nullable (gpointer object)
{
  if (object != NULL)
    g_object_unref (object);
}

static void
ct_purchase_dialog_dispose (GObject *object)
{
  CtPurchaseDialog *self = CT_PURCHASE_DIALOG (object);

  if (self->contacts != NULL)
    g_signal_handlers_disconnect_by_data (self->contacts, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), CT_TYPE_PURCHASE_DIALOG);

  g_clear_object (&self->contacts);
  g_clear_object (&self->context);
  g_clear_pointer (&self->products, g_ptr_array_unref);

  G_OBJECT_CLASS (ct_purchase_dialog_parent_class)->dispose (object);
}

static void
ct_purchase_dialog_finalize (GObject *object)
{
  CtPurchaseDialog *self = CT_PURCHASE_DIALOG (object);

  g_array_unref (self->product_ids);
  g_array_unref (self->channel_ids);

  G_OBJECT_CLASS (ct_purchase_dialog_parent_class)->finalize (object);
}

static void
ct_purchase_dialog_class_init (CtPurchaseDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ct_purchase_dialog_dispose;
  object_class->finalize = ct_purchase_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/clientele/Clientele/ct-purchase-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CtPurchaseDialog, add_button);
  gtk_widget_class_bind_template_child (widget_class, CtPurchaseDialog, contact_stack);
  gtk_widget_class_bind_template_child (widget_class, CtPurchaseDialog, contact_search);
  gtk_widget_class_bind_template_child (widget_class, CtPurchaseDialog, contact_results_scroller);
  gtk_widget_class_bind_template_child (widget_class, CtPurchaseDialog, contact_results);
  gtk_widget_class_bind_template_child (widget_class, CtPurchaseDialog, contact_hint);
  gtk_widget_class_bind_template_child (widget_class, CtPurchaseDialog, contact_row);
  gtk_widget_class_bind_template_child (widget_class, CtPurchaseDialog, contact_avatar);
  gtk_widget_class_bind_template_child (widget_class, CtPurchaseDialog, change_contact_button);
  gtk_widget_class_bind_template_child (widget_class, CtPurchaseDialog, product_row);
  gtk_widget_class_bind_template_child (widget_class, CtPurchaseDialog, amount_row);
  gtk_widget_class_bind_template_child (widget_class, CtPurchaseDialog, currency_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CtPurchaseDialog, amount_error);
  gtk_widget_class_bind_template_child (widget_class, CtPurchaseDialog, date_button);
  gtk_widget_class_bind_template_child (widget_class, CtPurchaseDialog, date_calendar);
  gtk_widget_class_bind_template_child (widget_class, CtPurchaseDialog, time_button);
  gtk_widget_class_bind_template_child (widget_class, CtPurchaseDialog, hour_spin);
  gtk_widget_class_bind_template_child (widget_class, CtPurchaseDialog, minute_spin);
  gtk_widget_class_bind_template_child (widget_class, CtPurchaseDialog, channel_row);
  gtk_widget_class_bind_template_child (widget_class, CtPurchaseDialog, reference_row);
  gtk_widget_class_bind_template_child (widget_class, CtPurchaseDialog, reference_error);
  gtk_widget_class_bind_template_child (widget_class, CtPurchaseDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, on_add_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_contact_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_contact_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_contact_result_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_change_contact_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_product_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_amount_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_time_output);
  gtk_widget_class_bind_template_callback (widget_class, on_day_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_time_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_reference_changed);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ct_purchase_dialog_init (CtPurchaseDialog *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  self->product_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->channel_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->products = g_ptr_array_new_with_free_func (unref_nullable);

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_calendar_select_day (self->date_calendar, now);
  on_day_selected (self);
  gtk_spin_button_set_value (self->hour_spin, g_date_time_get_hour (now));
  gtk_spin_button_set_value (self->minute_spin, g_date_time_get_minute (now));
  on_time_changed (self);
}

CtPurchaseDialog *
ct_purchase_dialog_new (GtkWindow *parent,
                        CtContext *context,
                        gint64     contact_id)
{
  CtPurchaseDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CT_IS_CONTEXT (context), NULL);

  self = g_object_new (CT_TYPE_PURCHASE_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->context = g_object_ref (context);

  load_products (self);
  load_channels (self);

  if (contact_id > 0)
    set_fixed_contact (self, contact_id);

  if (!self->contact_fixed)
    {
      self->contacts = ct_contact_list_new (ct_context_get_db (context));
      g_signal_connect_object (self->contacts, "items-changed",
                               G_CALLBACK (on_contacts_changed), self, G_CONNECT_SWAPPED);
      update_contact_results (self);
      gtk_stack_set_visible_child_name (self->contact_stack, "search");
      gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->contact_search));
    }
  else
    {
      gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->amount_row));
    }

  return self;
}
