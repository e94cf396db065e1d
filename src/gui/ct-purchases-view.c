/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-purchases-view.c: the Purchases page: filters, list, add */
#include "config.h"

#include <glib/gi18n.h>

#include "ct-export-ui.h"
#include "ct-purchase-dialog.h"
#include "ct-purchases-view.h"
#include "ct-gui-format.h"

/* Positions in the period drop-down of ct-purchases-view.ui. */
typedef enum
{
  PERIOD_ALL_TIME,
  PERIOD_LAST_30_DAYS,
  PERIOD_LAST_90_DAYS,
  PERIOD_LAST_12_MONTHS,
  PERIOD_THIS_YEAR,
  PERIOD_CUSTOM,
} Period;

typedef enum
{
  COLUMN_DATE,
  COLUMN_CONTACT,
  COLUMN_EMAIL,
  COLUMN_PRODUCT,
  COLUMN_CHANNEL,
  COLUMN_AMOUNT,
  COLUMN_REFERENCE,
  COLUMN_REFUNDED,
  N_COLUMNS
} Column;

struct _CtPurchasesView
{
  AdwBin               parent_instance;

  CtContext           *context;
  CtPagedList         *purchases;
  /* Ids behind the rows of the product and channel drop-downs; row 0 is
   * "All …" with id 0. */
  GArray              *product_ids;
  GArray              *channel_ids;
  /* Set while the drop-downs are rebuilt, so that restoring their
   * selection does not run the query once per drop-down. */
  gboolean             rebuilding;
  /* The total is a query over every matching row: one per burst of
   * changes is enough. */
  guint                summary_idle_id;

  GtkDropDown         *period_dropdown;
  GtkRevealer         *range_revealer;
  GtkMenuButton       *from_button;
  GtkMenuButton       *to_button;
  GtkCalendar         *from_calendar;
  GtkCalendar         *to_calendar;
  GtkDropDown         *product_dropdown;
  GtkDropDown         *channel_dropdown;
  GtkButton           *add_button;
  GtkButton           *export_button;
  GtkStack            *stack;
  GtkColumnView       *column_view;
  GtkColumnViewColumn *columns[N_COLUMNS];
  AdwStatusPage       *empty_page;
  GtkStack            *empty_action_stack;
  GtkLabel            *summary_label;
};

G_DEFINE_FINAL_TYPE (CtPurchasesView, ct_purchases_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
show_error (CtPurchasesView *self,
            const GError    *error)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self),
                                                ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay),
                                 adw_toast_new (error->message));
  else
    g_warning ("%s", error->message);
}

static gint64
selected_id (GtkDropDown *dropdown,
             GArray      *ids)
{
  guint pos = gtk_drop_down_get_selected (dropdown);

  if (pos == GTK_INVALID_LIST_POSITION || pos >= ids->len)
    return 0;
  return g_array_index (ids, gint64, pos);
}

static GDateTime *
calendar_day_start (GtkCalendar *calendar)
{
  g_autoptr(GDateTime) date = gtk_calendar_get_date (calendar);

  return g_date_time_new_local (g_date_time_get_year (date),
                                g_date_time_get_month (date),
                                g_date_time_get_day_of_month (date),
                                0, 0, 0);
}

/* The period as [from, to) in Unix seconds, whole local days; 0 for no
 * bound. The "last N" periods end with today so that a purchase dated
 * tomorrow (a typo, a time zone) does not count as recent. */
static void
get_period_bounds (CtPurchasesView *self,
                   gint64          *from,
                   gint64          *to)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) today = NULL;
  g_autoptr(GDateTime) tomorrow = NULL;
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) end = NULL;

  today = g_date_time_new_local (g_date_time_get_year (now),
                                 g_date_time_get_month (now),
                                 g_date_time_get_day_of_month (now),
                                 0, 0, 0);
  tomorrow = g_date_time_add_days (today, 1);

  switch ((Period) gtk_drop_down_get_selected (self->period_dropdown))
    {
    case PERIOD_LAST_30_DAYS:
      start = g_date_time_add_days (tomorrow, -30);
      end = g_date_time_ref (tomorrow);
      break;
    case PERIOD_LAST_90_DAYS:
      start = g_date_time_add_days (tomorrow, -90);
      end = g_date_time_ref (tomorrow);
      break;
    case PERIOD_LAST_12_MONTHS:
      start = g_date_time_add_months (tomorrow, -12);
      end = g_date_time_ref (tomorrow);
      break;
    case PERIOD_THIS_YEAR:
      start = g_date_time_new_local (g_date_time_get_year (now), 1, 1, 0, 0, 0);
      end = g_date_time_add_years (start, 1);
      break;
    case PERIOD_CUSTOM:
      {
        g_autoptr(GDateTime) last = calendar_day_start (self->to_calendar);

        start = calendar_day_start (self->from_calendar);
        end = g_date_time_add_days (last, 1);
      }
      break;
    case PERIOD_ALL_TIME:
    default:
      break;
    }

  *from = start != NULL ? g_date_time_to_unix (start) : 0;
  *to = end != NULL ? g_date_time_to_unix (end) : 0;
}

static gboolean
filters_active (CtPurchasesView *self)
{
  return gtk_drop_down_get_selected (self->period_dropdown) != PERIOD_ALL_TIME
         || selected_id (self->product_dropdown, self->product_ids) != 0
         || selected_id (self->channel_dropdown, self->channel_ids) != 0;
}

static void
update_summary (CtPurchasesView *self)
{
  guint n_items;
  gint64 total;
  g_autofree char *count = NULL;
  g_autofree char *count_text = NULL;
  g_autofree char *total_text = NULL;
  g_autofree char *text = NULL;
  g_autofree char *currency = NULL;

  g_clear_handle_id (&self->summary_idle_id, g_source_remove);

  if (self->purchases == NULL)
    return;

  n_items = g_list_model_get_n_items (G_LIST_MODEL (self->purchases));
  total = ct_purchase_list_get_total_in (self->purchases, &currency);

  count = ct_format_count (n_items);
  count_text = g_strdup_printf (ngettext ("%s purchase", "%s purchases", n_items),
                                count);
  total_text = ct_money_format (total, currency);
  /* Translators: the Purchases footer: a count ("1,234 purchases") and the
   * total amount of the purchases listed ("¥123,456.00") */
  text = g_strdup_printf (_("%s · %s"), count_text, total_text);
  gtk_label_set_label (self->summary_label, text);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "purchases.export", n_items > 0);

  if (n_items > 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "list");
    }
  else if (filters_active (self))
    {
      adw_status_page_set_description (self->empty_page,
                                       _("No purchase matches these filters. "
                                         "Try another period, product or channel."));
      gtk_stack_set_visible_child_name (self->empty_action_stack, "clear");
      gtk_stack_set_visible_child_name (self->stack, "empty");
    }
  else
    {
      adw_status_page_set_description (self->empty_page,
                                       _("Purchases you add or import show up here."));
      gtk_stack_set_visible_child_name (self->empty_action_stack, "add");
      gtk_stack_set_visible_child_name (self->stack, "empty");
    }
}

static gboolean
update_summary_idle (gpointer user_data)
{
  CtPurchasesView *self = user_data;

  self->summary_idle_id = 0;
  update_summary (self);
  return G_SOURCE_REMOVE;
}

static void
queue_update_summary (CtPurchasesView *self)
{
  if (self->summary_idle_id == 0)
    self->summary_idle_id = g_idle_add (update_summary_idle, self);
}

static void
apply_filter (CtPurchasesView *self)
{
  CtPurchaseFilter filter = { 0 };
  g_autoptr(GError) error = NULL;

  if (self->purchases == NULL || self->rebuilding)
    return;

  get_period_bounds (self, &filter.from, &filter.to);
  filter.product_id = selected_id (self->product_dropdown, self->product_ids);
  filter.channel_id = selected_id (self->channel_dropdown, self->channel_ids);

  if (!ct_purchase_list_set_filter (self->purchases, &filter, &error))
    show_error (self, error);

  update_summary (self);
}

/* Replaces the rows of @dropdown by "All …" and @names, keeping the
 * selected id when it is still there. Returns TRUE when the selection had
 * to go back to "All …" because its item went away. Leaves the drop-down
 * alone when nothing changed, so that an open popup stays open. */
static gboolean
set_dropdown_items (CtPurchasesView *self,
                    GtkDropDown     *dropdown,
                    GArray          *ids,
                    const char      *all_label,
                    GArray          *new_ids,
                    GPtrArray       *new_names)
{
  GListModel *old_model = gtk_drop_down_get_model (dropdown);
  gint64 keep = selected_id (dropdown, ids);
  g_autoptr(GtkStringList) model = NULL;
  guint position = 0;
  gboolean same;

  same = old_model != NULL
         && ids->len == new_ids->len + 1
         && g_list_model_get_n_items (old_model) == new_ids->len + 1;
  for (guint i = 0; same && i < new_ids->len; i++)
    {
      const char *old_name =
        gtk_string_list_get_string (GTK_STRING_LIST (old_model), i + 1);

      same = g_array_index (ids, gint64, i + 1) == g_array_index (new_ids, gint64, i)
             && g_strcmp0 (old_name, g_ptr_array_index (new_names, i)) == 0;
    }
  if (same)
    return FALSE;

  model = gtk_string_list_new (NULL);
  gtk_string_list_append (model, all_label);
  g_array_set_size (ids, 0);
  g_array_append_val (ids, (gint64) { 0 });
  for (guint i = 0; i < new_ids->len; i++)
    {
      gint64 id = g_array_index (new_ids, gint64, i);

      gtk_string_list_append (model, g_ptr_array_index (new_names, i));
      g_array_append_val (ids, id);
      if (id == keep)
        position = i + 1;
    }

  self->rebuilding = TRUE;
  gtk_drop_down_set_model (dropdown, G_LIST_MODEL (model));
  gtk_drop_down_set_selected (dropdown, position);
  self->rebuilding = FALSE;

  return keep != 0 && position == 0;
}

static gboolean
reload_products (CtPurchasesView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) products = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  guint n;

  products = ct_product_list_all (ct_context_get_db (self->context), &error);
  if (products == NULL)
    {
      show_error (self, error);
      return FALSE;
    }

  n = g_list_model_get_n_items (products);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CtProduct) product = g_list_model_get_item (products, i);
      gint64 id = ct_product_get_id (product);

      g_array_append_val (ids, id);
      g_ptr_array_add (names, g_strdup (ct_product_get_name (product)));
    }

  return set_dropdown_items (self, self->product_dropdown, self->product_ids,
                             _("All Products"), ids, names);
}

static gboolean
reload_channels (CtPurchasesView *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) channels = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  guint n;

  channels = ct_channel_list_all (ct_context_get_db (self->context), &error);
  if (channels == NULL)
    {
      show_error (self, error);
      return FALSE;
    }

  n = g_list_model_get_n_items (channels);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CtNamedItem) channel = g_list_model_get_item (channels, i);
      gint64 id = ct_named_item_get_id (channel);

      g_array_append_val (ids, id);
      g_ptr_array_add (names, g_strdup (ct_named_item_get_name (channel)));
    }

  return set_dropdown_items (self, self->channel_dropdown, self->channel_ids,
                             _("All Channels"), ids, names);
}

static void
on_db_changed (CtPurchasesView *self,
               const char      *table,
               CtDb            *db)
{
  gboolean lost_selection = FALSE;

  /* The list refreshes itself; the drop-downs and the total are ours. A
   * purchase can bring a new channel along, so channels follow purchases
   * too (there are only a handful). */
  if (g_str_equal (table, "products"))
    lost_selection = reload_products (self);
  else if (g_str_equal (table, "channels") || g_str_equal (table, "purchases"))
    lost_selection = reload_channels (self);

  if (lost_selection)
    apply_filter (self);
  else if (g_str_equal (table, "purchases") || g_str_equal (table, "contacts"))
    queue_update_summary (self);  /* an amount can change without a row coming or going */
}

static void
on_items_changed (CtPurchasesView *self,
                  guint            position,
                  guint            removed,
                  guint            added,
                  GListModel      *model)
{
  queue_update_summary (self);
}

static void
update_range_buttons (CtPurchasesView *self)
{
  g_autoptr(GDateTime) from = gtk_calendar_get_date (self->from_calendar);
  g_autoptr(GDateTime) to = gtk_calendar_get_date (self->to_calendar);
  g_autofree char *from_text = g_date_time_format (from, "%Y-%m-%d");
  g_autofree char *to_text = g_date_time_format (to, "%Y-%m-%d");

  gtk_menu_button_set_label (self->from_button, from_text);
  gtk_menu_button_set_label (self->to_button, to_text);
}

static void
on_period_selected (CtPurchasesView *self)
{
  gtk_revealer_set_reveal_child (self->range_revealer,
                                 gtk_drop_down_get_selected (self->period_dropdown)
                                 == PERIOD_CUSTOM);
  apply_filter (self);
}

static void
on_range_day_selected (CtPurchasesView *self,
                       GtkCalendar     *calendar)
{
  g_autoptr(GDateTime) from = gtk_calendar_get_date (self->from_calendar);
  g_autoptr(GDateTime) to = gtk_calendar_get_date (self->to_calendar);

  /* A range that ends before it starts would list nothing, and the user
   * meant the day they just picked: move the other end to it. */
  if (g_date_time_compare (from, to) > 0)
    {
      if (calendar == self->from_calendar)
        gtk_calendar_select_day (self->to_calendar, from);
      else
        gtk_calendar_select_day (self->from_calendar, to);
      return; /* the day-selected of the other calendar gets here again */
    }

  update_range_buttons (self);
  gtk_popover_popdown (gtk_menu_button_get_popover (calendar == self->from_calendar
                                                    ? self->from_button
                                                    : self->to_button));
  if (gtk_drop_down_get_selected (self->period_dropdown) == PERIOD_CUSTOM)
    apply_filter (self);
}

static void
on_filter_selected (CtPurchasesView *self)
{
  apply_filter (self);
}

static void
add_purchase (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  CtPurchasesView *self = CT_PURCHASES_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  CtPurchaseDialog *dialog;

  if (self->context == NULL)
    return;

  dialog = ct_purchase_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   self->context, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
export_purchases (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CtPurchasesView *self = CT_PURCHASES_VIEW (widget);
  g_autoptr(GArray) ids = NULL;

  if (self->purchases == NULL)
    return;

  /* The purchases as listed, filters and all. */
  ids = ct_export_ui_collect_ids (G_LIST_MODEL (self->purchases));
  ct_export_ui_choose_file (widget, ct_context_get_db (self->context), CT_EXPORT_PURCHASES,
                            CT_EXPORT_FORMAT_CSV, ids);
}

static void
clear_filters (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CtPurchasesView *self = CT_PURCHASES_VIEW (widget);

  self->rebuilding = TRUE;
  gtk_drop_down_set_selected (self->period_dropdown, PERIOD_ALL_TIME);
  gtk_drop_down_set_selected (self->product_dropdown, 0);
  gtk_drop_down_set_selected (self->channel_dropdown, 0);
  self->rebuilding = FALSE;
  apply_filter (self);
}

/* Cells */

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), column == COLUMN_AMOUNT ? 1.0f : 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (column == COLUMN_AMOUNT || column == COLUMN_DATE)
    gtk_widget_add_css_class (label, "numeric");
  /* Long names and addresses get ellipsized; the tooltip has them whole. */
  ct_label_set_tooltip_when_ellipsized (GTK_LABEL (label));
  gtk_list_item_set_child (item, label);
}

static void
set_cell (GtkLabel   *label,
          const char *text,
          gboolean    dim)
{
  gtk_label_set_label (label, text);
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
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  CtPurchase *purchase = gtk_list_item_get_item (item);
  g_autofree char *text = NULL;

  if (!CT_IS_PURCHASE (purchase))
    {
      set_cell (label, "", FALSE);
      return;
    }

  switch (column)
    {
    case COLUMN_DATE:
      g_object_get (purchase, "date-label", &text, NULL);
      set_cell (label, text, FALSE);
      break;
    case COLUMN_CONTACT:
      if (ct_purchase_get_contact_id (purchase) == 0)
        {
          /* Translators: in the Contact column, for the purchases kept
           * (anonymously) from a contact whose data was erased */
          set_cell (label, _("Erased contact"), TRUE);
          break;
        }
      {
        const char *name = ct_purchase_get_contact_name (purchase);

        /* The core falls back to the email, which has its own column. */
        if (name[0] == '\0' || g_strcmp0 (name, ct_purchase_get_contact_email (purchase)) == 0)
          set_cell (label, "—", TRUE);
        else
          set_cell (label, name, FALSE);
      }
      break;
    case COLUMN_EMAIL:
      set_cell (label, ct_purchase_get_contact_email (purchase), FALSE);
      break;
    case COLUMN_PRODUCT:
      if (ct_purchase_get_product_id (purchase) == 0)
        set_cell (label, "—", TRUE);
      else
        set_cell (label, ct_purchase_get_product_name (purchase), FALSE);
      break;
    case COLUMN_CHANNEL:
      if (ct_purchase_get_channel (purchase)[0] == '\0')
        set_cell (label, "—", TRUE);
      else
        set_cell (label, ct_purchase_get_channel (purchase), FALSE);
      break;
    case COLUMN_AMOUNT:
      g_object_get (purchase, "amount-label", &text, NULL);
      /* A refunded amount does not count in the total: show it dimmed. */
      set_cell (label, text != NULL ? text : "", ct_purchase_get_refunded (purchase));
      break;
    case COLUMN_REFERENCE:
      {
        const char *ref = ct_purchase_get_external_ref (purchase);

        set_cell (label, ref != NULL ? ref : "", FALSE);
      }
      break;
    case COLUMN_REFUNDED:
      if (ct_purchase_get_refunded (purchase))
        /* Translators: in the Refunded column of a refunded purchase */
        set_cell (label, C_("purchase refunded", "Yes"), FALSE);
      else
        set_cell (label, "", FALSE);
      break;
    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
}

static void
setup_columns (CtPurchasesView *self)
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
ct_purchases_view_dispose (GObject *object)
{
  CtPurchasesView *self = CT_PURCHASES_VIEW (object);

  if (self->context != NULL)
    g_signal_handlers_disconnect_by_data (ct_context_get_db (self->context), self);
  if (self->purchases != NULL)
    g_signal_handlers_disconnect_by_data (self->purchases, self);
  g_clear_handle_id (&self->summary_idle_id, g_source_remove);

  /* AdwBin would unparent its child a second time after the template
   * let go of it. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CT_TYPE_PURCHASES_VIEW);

  g_clear_object (&self->purchases);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (ct_purchases_view_parent_class)->dispose (object);
}

static void
ct_purchases_view_finalize (GObject *object)
{
  CtPurchasesView *self = CT_PURCHASES_VIEW (object);

  g_array_unref (self->product_ids);
  g_array_unref (self->channel_ids);

  G_OBJECT_CLASS (ct_purchases_view_parent_class)->finalize (object);
}

static void
ct_purchases_view_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CtPurchasesView *self = CT_PURCHASES_VIEW (object);

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
ct_purchases_view_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  CtPurchasesView *self = CT_PURCHASES_VIEW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      if (g_value_get_object (value) != NULL)
        ct_purchases_view_set_context (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_purchases_view_class_init (CtPurchasesViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ct_purchases_view_dispose;
  object_class->finalize = ct_purchases_view_finalize;
  object_class->get_property = ct_purchases_view_get_property;
  object_class->set_property = ct_purchases_view_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL, CT_TYPE_CONTEXT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/clientele/Clientele/ct-purchases-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CtPurchasesView, period_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CtPurchasesView, range_revealer);
  gtk_widget_class_bind_template_child (widget_class, CtPurchasesView, from_button);
  gtk_widget_class_bind_template_child (widget_class, CtPurchasesView, to_button);
  gtk_widget_class_bind_template_child (widget_class, CtPurchasesView, from_calendar);
  gtk_widget_class_bind_template_child (widget_class, CtPurchasesView, to_calendar);
  gtk_widget_class_bind_template_child (widget_class, CtPurchasesView, product_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CtPurchasesView, channel_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CtPurchasesView, add_button);
  gtk_widget_class_bind_template_child (widget_class, CtPurchasesView, export_button);
  gtk_widget_class_bind_template_child (widget_class, CtPurchasesView, stack);
  gtk_widget_class_bind_template_child (widget_class, CtPurchasesView, column_view);
  gtk_widget_class_bind_template_child_full (widget_class, "date_column", FALSE,
                                             G_STRUCT_OFFSET (CtPurchasesView, columns[COLUMN_DATE]));
  gtk_widget_class_bind_template_child_full (widget_class, "contact_column", FALSE,
                                             G_STRUCT_OFFSET (CtPurchasesView, columns[COLUMN_CONTACT]));
  gtk_widget_class_bind_template_child_full (widget_class, "email_column", FALSE,
                                             G_STRUCT_OFFSET (CtPurchasesView, columns[COLUMN_EMAIL]));
  gtk_widget_class_bind_template_child_full (widget_class, "product_column", FALSE,
                                             G_STRUCT_OFFSET (CtPurchasesView, columns[COLUMN_PRODUCT]));
  gtk_widget_class_bind_template_child_full (widget_class, "channel_column", FALSE,
                                             G_STRUCT_OFFSET (CtPurchasesView, columns[COLUMN_CHANNEL]));
  gtk_widget_class_bind_template_child_full (widget_class, "amount_column", FALSE,
                                             G_STRUCT_OFFSET (CtPurchasesView, columns[COLUMN_AMOUNT]));
  gtk_widget_class_bind_template_child_full (widget_class, "reference_column", FALSE,
                                             G_STRUCT_OFFSET (CtPurchasesView, columns[COLUMN_REFERENCE]));
  gtk_widget_class_bind_template_child_full (widget_class, "refunded_column", FALSE,
                                             G_STRUCT_OFFSET (CtPurchasesView, columns[COLUMN_REFUNDED]));
  gtk_widget_class_bind_template_child (widget_class, CtPurchasesView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CtPurchasesView, empty_action_stack);
  gtk_widget_class_bind_template_child (widget_class, CtPurchasesView, summary_label);
  gtk_widget_class_bind_template_callback (widget_class, on_period_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_range_day_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_selected);

  gtk_widget_class_install_action (widget_class, "purchases.add", NULL, add_purchase);
  gtk_widget_class_install_action (widget_class, "purchases.clear-filters", NULL,
                                   clear_filters);
  gtk_widget_class_install_action (widget_class, "purchases.export", NULL, export_purchases);
}

static void
ct_purchases_view_init (CtPurchasesView *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) month_ago = g_date_time_add_days (now, -29);

  self->product_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->channel_ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  /* The template's notify::selected handlers must not query before a
   * context is set; purchases is still NULL, which apply_filter checks. */
  gtk_widget_init_template (GTK_WIDGET (self));

  setup_columns (self);

  /* A custom range starts as the last 30 days, which is what most people
   * narrow down from. */
  gtk_calendar_select_day (self->from_calendar, month_ago);
  gtk_calendar_select_day (self->to_calendar, now);
  update_range_buttons (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "purchases.add", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "purchases.export", FALSE);
}

GtkWidget *
ct_purchases_view_new (CtContext *context)
{
  g_return_val_if_fail (context == NULL || CT_IS_CONTEXT (context), NULL);

  return g_object_new (CT_TYPE_PURCHASES_VIEW, "context", context, NULL);
}

/* Lists the purchases: on the first map, or at once when the page is
 * already shown. */
static void
load (CtPurchasesView *self)
{
  CtDb *db = ct_context_get_db (self->context);
  g_autoptr(GtkSingleSelection) selection = NULL;

  g_signal_handlers_disconnect_by_func (self, load, NULL);
  if (self->purchases != NULL)
    return;

  self->purchases = ct_purchase_list_new (db);
  /* Connected after the list's own handler, so the count is current. */
  g_signal_connect_object (db, "changed", G_CALLBACK (on_db_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->purchases, "items-changed",
                           G_CALLBACK (on_items_changed), self, G_CONNECT_SWAPPED);

  selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->purchases)));
  gtk_single_selection_set_autoselect (selection, FALSE);
  gtk_single_selection_set_can_unselect (selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));

  reload_products (self);
  reload_channels (self);
  apply_filter (self);
}

void
ct_purchases_view_set_context (CtPurchasesView *self,
                               CtContext       *context)
{
  g_return_if_fail (CT_IS_PURCHASES_VIEW (self));
  g_return_if_fail (CT_IS_CONTEXT (context));

  if (self->context == context)
    return;
  /* The list and the signal handlers belong to one database. */
  g_return_if_fail (self->context == NULL);

  self->context = g_object_ref (context);

  /* A million purchases take a while to list and total: do it when the
   * page is first shown, not while the window opens on Contacts. */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    load (self);
  else
    g_signal_connect (self, "map", G_CALLBACK (load), NULL);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "purchases.add", TRUE);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTEXT]);
}

void
ct_purchases_view_export (CtPurchasesView *self,
                          GFile           *file,
                          gboolean         bom)
{
  g_autoptr(GArray) ids = NULL;

  g_return_if_fail (CT_IS_PURCHASES_VIEW (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (self->context != NULL);

  load (self);

  ids = ct_export_ui_collect_ids (G_LIST_MODEL (self->purchases));
  ct_export_ui_to_file (GTK_WIDGET (self), ct_context_get_db (self->context), CT_EXPORT_PURCHASES,
                        CT_EXPORT_FORMAT_CSV, ids, file, bom);
}
