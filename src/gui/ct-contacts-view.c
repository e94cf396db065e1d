/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-contacts-view.c: the Contacts page: searchable list and detail pane
 *
 * The list is a CtPagedList straight from the core: search and sort run in
 * SQL, so nothing here may wrap it in a GtkSortListModel or a filter model
 * (either would pull every row). Column headers still look and behave
 * like GtkColumnView's own sorting; the click is translated into
 * ct_contact_list_set_sort.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ct-contacts-view.h"
#include "ct-gui-format.h"
#include "ct-contact-detail.h"
#include "ct-export-ui.h"
#include "ct-window.h"

typedef enum
{
  COLUMN_NAME,
  COLUMN_EMAIL,
  COLUMN_PHONE,
  COLUMN_CHANNEL,
  COLUMN_TAGS,
  COLUMN_STATUS,
  COLUMN_PURCHASES,
  COLUMN_TOTAL_SPENT,
  COLUMN_LAST_PURCHASE,
  COLUMN_ADDED,
  COLUMN_SEGMENT,
  COLUMN_LIFECYCLE,
  COLUMN_CLV,
  COLUMN_CHURN_RISK,
  COLUMN_CLUSTER,
  N_COLUMNS
} Column;

#define NO_SORT (-1)

static const struct
{
  const char *title;
  int         sort;
  int         width;
  gboolean    numeric;
} column_specs[N_COLUMNS] = {
  [COLUMN_NAME]          = { N_("Name"), CT_CONTACT_SORT_NAME, 170, FALSE },
  [COLUMN_EMAIL]         = { N_("Email"), CT_CONTACT_SORT_EMAIL, 220, FALSE },
  [COLUMN_PHONE]         = { N_("Phone"), CT_CONTACT_SORT_PHONE, 130, FALSE },
  [COLUMN_CHANNEL]       = { N_("Channel"), CT_CONTACT_SORT_CHANNEL, 110, FALSE },
  [COLUMN_TAGS]          = { N_("Tags"), NO_SORT, 150, FALSE },
  [COLUMN_STATUS]        = { N_("Status"), CT_CONTACT_SORT_STATUS, 110, FALSE },
  [COLUMN_PURCHASES]     = { N_("Purchases"), CT_CONTACT_SORT_PURCHASES, 90, TRUE },
  [COLUMN_TOTAL_SPENT]   = { N_("Total Spent"), CT_CONTACT_SORT_TOTAL_SPENT, 120, TRUE },
  [COLUMN_LAST_PURCHASE] = { N_("Last Purchase"), CT_CONTACT_SORT_LAST_PURCHASE, 120, TRUE },
  [COLUMN_ADDED]         = { N_("Added"), CT_CONTACT_SORT_CREATED, 110, TRUE },
  /* The scores of the background recompute; "—" until it has run. */
  [COLUMN_SEGMENT]       = { N_("RFM Segment"), CT_CONTACT_SORT_RFM_SEGMENT, 150, FALSE },
  [COLUMN_LIFECYCLE]     = { N_("Lifecycle"), CT_CONTACT_SORT_LIFECYCLE, 110, FALSE },
  [COLUMN_CLV]           = { N_("Predicted CLV"), CT_CONTACT_SORT_CLV_PREDICTIVE, 130, TRUE },
  [COLUMN_CHURN_RISK]    = { N_("Churn Risk"), CT_CONTACT_SORT_CHURN_RISK, 100, TRUE },
  [COLUMN_CLUSTER]       = { N_("Cluster"), CT_CONTACT_SORT_CLUSTER, 80, TRUE },
};

typedef struct
{
  CtContactsView *self;
  Column          column;
} ColumnData;

struct _CtContactsView
{
  AdwBin              parent_instance;

  CtContext          *context;
  CtPagedList        *list;
  GtkSingleSelection *selection;
  gint64              selected_id;

  ColumnData          columns[N_COLUMNS];
  GtkColumnViewColumn *view_columns[N_COLUMNS];

  /* Sorting probe: see on_sorter_changed(). */
  GObject            *probe_a;
  GObject            *probe_b;
  int                 probe_sort;
  gboolean            probe_found;

  /* template children */
  GtkSearchEntry     *search_entry;
  GtkButton          *new_button;
  GtkMenuButton      *export_button;
  GtkButton          *import_button;
  GtkStack           *list_stack;
  GtkColumnView      *column_view;
  AdwStatusPage      *empty_page;
  GtkLabel           *count_label;
  CtContactDetail    *detail;
  GtkRevealer        *filter_revealer;
  GtkLabel           *filter_label;
};

G_DEFINE_FINAL_TYPE (CtContactsView, ct_contacts_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* "—" for a score not computed (yet): never an empty cell that looks
 * like a zero or a missing row. */
static char *
text_or_dash (const char *text)
{
  return g_strdup (text != NULL && *text != '\0' ? text : "—");
}

static char *
cell_text (CtContact *contact,
           Column     column)
{
  switch (column)
    {
    case COLUMN_NAME:
      return g_strdup (ct_contact_get_display_name (contact));
    case COLUMN_EMAIL:
      return g_strdup (ct_contact_get_email (contact));
    case COLUMN_PHONE:
      return g_strdup (ct_contact_get_phone (contact));
    case COLUMN_CHANNEL:
      return g_strdup (ct_contact_get_channel (contact));
    case COLUMN_TAGS:
      return g_strdup (ct_contact_get_tags (contact));
    case COLUMN_STATUS:
      return g_strdup (ct_contact_status_get_label (ct_contact_get_status (contact)));
    case COLUMN_PURCHASES:
      return ct_format_count ((guint64) MAX (ct_contact_get_purchase_count (contact), 0));
    case COLUMN_TOTAL_SPENT:
      {
        char *label = NULL;

        g_object_get (contact, "total-spent-label", &label, NULL);
        return label;
      }
    case COLUMN_LAST_PURCHASE:
      return ct_format_date (ct_contact_get_last_purchase_at (contact));
    case COLUMN_ADDED:
      return ct_format_date (ct_contact_get_created_at (contact));
    case COLUMN_SEGMENT:
      return text_or_dash (ct_contact_get_rfm_segment_label (contact));
    case COLUMN_LIFECYCLE:
      return text_or_dash (ct_contact_get_lifecycle_label (contact));
    case COLUMN_CLV:
      return text_or_dash (ct_contact_get_clv_predictive_label (contact));
    case COLUMN_CHURN_RISK:
      {
        double risk = ct_contact_get_churn_risk (contact);

        /* One-time buyers: see the contact detail's "too early to tell". */
        if (risk < 0.0 || ct_contact_get_frequency (contact) <= 1)
          return g_strdup ("—");
        /* Translators: a churn risk in the Contacts list, "17%"; %d is
         * the percentage. */
        return g_strdup_printf (C_("churn risk", "%d%%"), (int) (risk * 100.0 + 0.5));
      }
    case COLUMN_CLUSTER:
      {
        int cluster = ct_contact_get_cluster (contact);

        /* Counted from 1 for people; the cache numbers them from 0. */
        return cluster >= 0 ? g_strdup_printf ("%d", cluster + 1) : g_strdup ("—");
      }
    case N_COLUMNS:
    default:
      g_assert_not_reached ();
    }
}

static void
update_cell (GtkLabel  *label,
             CtContact *contact,
             Column     column)
{
  g_autofree char *text = cell_text (contact, column);

  gtk_label_set_text (label, text);
}

static void
on_cell_item_notify (CtContact  *contact,
                     GParamSpec *pspec,
                     GtkLabel   *label)
{
  ColumnData *data = g_object_get_data (G_OBJECT (label), "ct-column");

  update_cell (label, contact, data->column);
}

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            ColumnData               *data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), column_specs[data->column].numeric ? 1.0 : 0.0);
  if (column_specs[data->column].numeric)
    gtk_widget_add_css_class (label, "numeric");
  /* Full text on hover when the column is too narrow for it. */
  ct_label_set_tooltip_when_ellipsized (GTK_LABEL (label));
  g_object_set_data (G_OBJECT (label), "ct-column", data);
  gtk_list_item_set_child (item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           ColumnData               *data)
{
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  CtContact *contact = gtk_list_item_get_item (item);
  gulong handler;

  update_cell (label, contact, data->column);
  handler = g_signal_connect_object (contact, "notify",
                                     G_CALLBACK (on_cell_item_notify), label, 0);
  g_object_set_data (G_OBJECT (label), "ct-notify", GSIZE_TO_POINTER (handler));
}

static void
unbind_cell (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             ColumnData               *data)
{
  GtkWidget *label = gtk_list_item_get_child (item);
  CtContact *contact = gtk_list_item_get_item (item);
  gulong handler = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (label), "ct-notify"));

  if (handler != 0 && contact != NULL)
    g_signal_handler_disconnect (contact, handler);
  g_object_set_data (G_OBJECT (label), "ct-notify", NULL);
}

/* Records which column the view's sorter asks first; see on_sorter_changed. */
static int
probe_compare (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  ColumnData *data = user_data;
  CtContactsView *self = data->self;

  if (!self->probe_found)
    {
      self->probe_found = TRUE;
      self->probe_sort = column_specs[data->column].sort;
    }
  return GTK_ORDERING_SMALLER;
}

static void
show_error (CtContactsView *self,
            const char     *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (CT_IS_WINDOW (root))
    ct_window_add_toast (CT_WINDOW (root), adw_toast_new (message));
  else
    g_warning ("%s", message);
}

/* GTK 4.8 cannot say which column the header clicks sort by
 * (gtk_column_view_sorter_get_primary_sort_column is 4.10), so ask the
 * sorter to compare two probes: the first column sorter it calls is the
 * primary column, and since every column sorter answers "smaller", a
 * "larger" result means that column is inverted, i.e. descending. */
static void
on_sorter_changed (GtkSorter       *sorter,
                   GtkSorterChange  change,
                   CtContactsView  *self)
{
  g_autoptr(GError) error = NULL;
  CtContactSort sort = CT_CONTACT_SORT_NAME;
  gboolean descending = FALSE;
  GtkOrdering order;

  if (self->list == NULL)
    return;

  self->probe_found = FALSE;
  order = gtk_sorter_compare (sorter, self->probe_a, self->probe_b);
  if (self->probe_found && self->probe_sort != NO_SORT)
    {
      sort = self->probe_sort;
      descending = order == GTK_ORDERING_LARGER;
    }

  if (!ct_contact_list_set_sort (self->list, sort, descending, &error))
    show_error (self, error->message);
}

static void
update_status (CtContactsView *self)
{
  const char *search = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  guint n = self->list != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->list)) : 0;
  g_autofree char *count = ct_format_count (n);
  g_autofree char *text = NULL;

  gboolean filtered = self->list != NULL
                      && ct_contact_list_get_filter (self->list, NULL) != CT_CONTACT_FILTER_NONE;

  if (*search == '\0' && !filtered)
    text = g_strdup_printf (ngettext ("%s contact", "%s contacts", n), count);
  else
    text = g_strdup_printf (ngettext ("%s contact found", "%s contacts found", n), count);
  gtk_label_set_text (self->count_label, text);

  /* An empty list has nothing to export. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.export-csv", n > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.export-vcard", n > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->import_button), *search == '\0' && !filtered);

  if (n > 0)
    {
      gtk_stack_set_visible_child_name (self->list_stack, "list");
      return;
    }

  if (filtered && *search == '\0')
    {
      adw_status_page_set_icon_name (self->empty_page, "system-search-symbolic");
      adw_status_page_set_title (self->empty_page, _("No Contacts Found"));
      adw_status_page_set_description (self->empty_page,
                                       _("No contact matches the filter above. "
                                         "Remove it to see all contacts."));
    }
  else if (*search == '\0')
    {
      adw_status_page_set_icon_name (self->empty_page, "avatar-default-symbolic");
      adw_status_page_set_title (self->empty_page, _("No Contacts Yet"));
      adw_status_page_set_description (self->empty_page,
                                       _("Add your first contact with the + button above, "
                                         "or import the ones you have in a spreadsheet."));
    }
  else
    {
      g_autofree char *description = NULL;

      description = g_markup_printf_escaped (_("No name, email, phone, tag, segment or "
                                               "lifecycle stage contains “%s”."),
                                             search);
      adw_status_page_set_icon_name (self->empty_page, "system-search-symbolic");
      adw_status_page_set_title (self->empty_page, _("No Contacts Found"));
      adw_status_page_set_description (self->empty_page, description);
    }
  gtk_stack_set_visible_child_name (self->list_stack, "empty");
}

/* GTK 4.8 has no gtk_column_view_scroll_to; the list view inside the
 * column view has had a "list.scroll-to-item" action since 4.0. */
static void
scroll_to (CtContactsView *self,
           guint           position)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LIST_VIEW (child))
        {
          gtk_widget_activate_action (child, "list.scroll-to-item", "u", position);
          return;
        }
    }
}

static void
select_id (CtContactsView *self,
           gint64          id,
           gboolean        scroll)
{
  int position;

  if (self->list == NULL || id <= 0)
    return;

  position = ct_paged_list_find (self->list, id);
  if (position < 0)
    return;

  if (gtk_single_selection_get_selected (self->selection) != (guint) position)
    gtk_single_selection_set_selected (self->selection, position);
  if (scroll)
    scroll_to (self, position);
}

static void
on_list_items_changed (GListModel     *model,
                       guint           position,
                       guint           removed,
                       guint           added,
                       CtContactsView *self)
{
  update_status (self);

  /* A refresh or a new sort order may move the contact being looked at,
   * or drop it and bring it back: keep it selected. */
  if (self->selected_id > 0)
    select_id (self, self->selected_id, FALSE);
}

static void
on_selection_changed (GtkSingleSelection *selection,
                      GParamSpec         *pspec,
                      CtContactsView     *self)
{
  CtContact *contact = gtk_single_selection_get_selected_item (selection);

  /* Losing the selection to a search or refresh keeps the detail as it
   * is: the user may be in the middle of editing it. */
  if (contact == NULL)
    return;

  self->selected_id = ct_contact_get_id (contact);
  if (ct_contact_detail_get_contact (self->detail) != self->selected_id)
    ct_contact_detail_set_contact (self->detail, self->selected_id);
}

static void
on_detail_contact_changed (CtContactsView *self)
{
  gint64 id = ct_contact_detail_get_contact (self->detail);

  self->selected_id = id;
  if (id > 0)
    select_id (self, id, TRUE);
  else
    gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
}

static void
on_search_changed (CtContactsView *self)
{
  g_autoptr(GError) error = NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  if (self->list == NULL)
    return;

  if (!ct_contact_list_set_search (self->list, text, &error))
    show_error (self, error->message);
  update_status (self);
}

static void
on_stop_search (CtContactsView *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static void
clear_filter_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ct_contacts_view_set_filter (CT_CONTACTS_VIEW (widget), CT_CONTACT_FILTER_NONE, 0);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CtContactsView *self = CT_CONTACTS_VIEW (widget);
  g_autoptr(GArray) ids = NULL;

  if (self->list == NULL)
    return;

  /* The contacts as listed: searched and sorted as the user sees them. */
  ids = ct_export_ui_collect_ids (G_LIST_MODEL (self->list));
  ct_export_ui_choose_file (widget, ct_context_get_db (self->context), CT_EXPORT_CONTACTS,
                            g_str_equal (action_name, "contacts.export-vcard")
                            ? CT_EXPORT_FORMAT_VCARD : CT_EXPORT_FORMAT_CSV,
                            ids);
}

static void
add_columns (CtContactsView *self)
{
  for (guint i = 0; i < N_COLUMNS; i++)
    {
      g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
      GtkColumnViewColumn *column;

      self->columns[i].self = self;
      self->columns[i].column = i;

      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), &self->columns[i]);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), &self->columns[i]);
      g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell), &self->columns[i]);

      column = gtk_column_view_column_new (_(column_specs[i].title), g_steal_pointer (&factory));
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_column_set_fixed_width (column, column_specs[i].width);
      if (column_specs[i].sort != NO_SORT)
        {
          g_autoptr(GtkSorter) sorter = NULL;

          sorter = GTK_SORTER (gtk_custom_sorter_new (probe_compare, &self->columns[i], NULL));
          gtk_column_view_column_set_sorter (column, sorter);
        }
      gtk_column_view_append_column (self->column_view, column);
      self->view_columns[i] = column;
      g_object_unref (column);
    }
}

static void
ct_contacts_view_dispose (GObject *object)
{
  CtContactsView *self = CT_CONTACTS_VIEW (object);

  if (self->list != NULL)
    g_signal_handlers_disconnect_by_data (self->list, self);
  if (self->column_view != NULL)
    {
      g_signal_handlers_disconnect_by_data (gtk_column_view_get_sorter (self->column_view), self);
      gtk_column_view_set_model (self->column_view, NULL);
    }

  /* Unparent the template's root through AdwBin, which keeps a pointer
   * to it that gtk_widget_dispose_template() would leave dangling. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CT_TYPE_CONTACTS_VIEW);

  g_clear_object (&self->selection);
  g_clear_object (&self->list);
  g_clear_object (&self->context);
  g_clear_object (&self->probe_a);
  g_clear_object (&self->probe_b);

  G_OBJECT_CLASS (ct_contacts_view_parent_class)->dispose (object);
}

static void
ct_contacts_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CtContactsView *self = CT_CONTACTS_VIEW (object);

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
ct_contacts_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CtContactsView *self = CT_CONTACTS_VIEW (object);

  switch (prop_id)
    {
    case PROP_CONTEXT:
      if (g_value_get_object (value) != NULL)
        ct_contacts_view_set_context (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_contacts_view_class_init (CtContactsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ct_contacts_view_dispose;
  object_class->get_property = ct_contacts_view_get_property;
  object_class->set_property = ct_contacts_view_set_property;

  properties[PROP_CONTEXT] =
    g_param_spec_object ("context", NULL, NULL, CT_TYPE_CONTEXT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CT_TYPE_CONTACT_DETAIL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/clientele/Clientele/ct-contacts-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CtContactsView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CtContactsView, new_button);
  gtk_widget_class_bind_template_child (widget_class, CtContactsView, export_button);
  gtk_widget_class_bind_template_child (widget_class, CtContactsView, import_button);
  gtk_widget_class_bind_template_child (widget_class, CtContactsView, list_stack);
  gtk_widget_class_bind_template_child (widget_class, CtContactsView, column_view);
  gtk_widget_class_bind_template_child (widget_class, CtContactsView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CtContactsView, count_label);
  gtk_widget_class_bind_template_child (widget_class, CtContactsView, detail);
  gtk_widget_class_bind_template_child (widget_class, CtContactsView, filter_revealer);
  gtk_widget_class_bind_template_child (widget_class, CtContactsView, filter_label);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);
  gtk_widget_class_bind_template_callback (widget_class, on_detail_contact_changed);

  gtk_widget_class_install_action (widget_class, "contacts.export-csv", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "contacts.export-vcard", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "contacts.clear-filter", NULL, clear_filter_action);
}

static void
ct_contacts_view_init (CtContactsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->probe_a = g_object_new (G_TYPE_OBJECT, NULL);
  self->probe_b = g_object_new (G_TYPE_OBJECT, NULL);

  add_columns (self);
  g_signal_connect (gtk_column_view_get_sorter (self->column_view), "changed",
                    G_CALLBACK (on_sorter_changed), self);

  /* Typing in the list goes to the search. */
  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self->column_view));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.clear-filter", FALSE);

  update_status (self);
}

GtkWidget *
ct_contacts_view_new (CtContext *context)
{
  return g_object_new (CT_TYPE_CONTACTS_VIEW, "context", context, NULL);
}

void
ct_contacts_view_set_context (CtContactsView *self,
                              CtContext      *context)
{
  g_return_if_fail (CT_IS_CONTACTS_VIEW (self));
  g_return_if_fail (CT_IS_CONTEXT (context));

  if (self->context == context)
    return;
  g_return_if_fail (self->context == NULL);

  self->context = g_object_ref (context);
  self->list = ct_contact_list_new (ct_context_get_db (context));
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->list)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);

  /* After the selection model's own handler, so re-selecting wins. */
  g_signal_connect (self->list, "items-changed", G_CALLBACK (on_list_items_changed), self);
  g_signal_connect (self->selection, "notify::selected", G_CALLBACK (on_selection_changed), self);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  ct_contact_detail_set_context (self->detail, context);

  gtk_column_view_sort_by_column (self->column_view, self->view_columns[COLUMN_NAME],
                                  GTK_SORT_ASCENDING);
  update_status (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONTEXT]);
}

void
ct_contacts_view_search (CtContactsView *self,
                         const char     *text)
{
  g_return_if_fail (CT_IS_CONTACTS_VIEW (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  /* Not waiting for the entry's typing delay: the caller wants results. */
  on_search_changed (self);
}

void
ct_contacts_view_focus_search (CtContactsView *self)
{
  g_return_if_fail (CT_IS_CONTACTS_VIEW (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

void
ct_contacts_view_new_contact (CtContactsView *self)
{
  g_return_if_fail (CT_IS_CONTACTS_VIEW (self));

  self->selected_id = 0;
  if (self->selection != NULL)
    gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  ct_contact_detail_new_contact (self->detail);
}

gboolean
ct_contacts_view_select (CtContactsView *self,
                         gint64          id)
{
  g_return_val_if_fail (CT_IS_CONTACTS_VIEW (self), FALSE);

  if (self->list == NULL || ct_paged_list_find (self->list, id) < 0)
    return FALSE;

  self->selected_id = id;
  select_id (self, id, TRUE);
  return TRUE;
}

void
ct_contacts_view_export (CtContactsView *self,
                         CtExportFormat  format,
                         GFile          *file,
                         gboolean        bom)
{
  g_autoptr(GArray) ids = NULL;

  g_return_if_fail (CT_IS_CONTACTS_VIEW (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (self->list != NULL);

  ids = ct_export_ui_collect_ids (G_LIST_MODEL (self->list));
  ct_export_ui_to_file (GTK_WIDGET (self), ct_context_get_db (self->context), CT_EXPORT_CONTACTS,
                        format, ids, file, bom);
}

/**
 * ct_contacts_view_set_filter:
 *
 * Narrows the list to the contacts of a segment, funnel step, channel,
 * cluster or tier (CT_CONTACT_FILTER_NONE: all), and says so in the bar
 * above the list, whose button takes the filter off. The search stays.
 */
void
ct_contacts_view_set_filter (CtContactsView  *self,
                             CtContactFilter  filter,
                             gint64           id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (CT_IS_CONTACTS_VIEW (self));

  if (self->list == NULL)
    return;
  if (!ct_contact_list_set_filter (self->list, filter, id, &error))
    {
      show_error (self, error->message);
      return;
    }
  filter = ct_contact_list_get_filter (self->list, &id);
  text = ct_contact_filter_describe (ct_context_get_db (self->context), filter, id);
  if (text != NULL)
    gtk_label_set_text (self->filter_label, text);
  gtk_revealer_set_reveal_child (self->filter_revealer, text != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "contacts.clear-filter", text != NULL);
  update_status (self);
  /* A new set of contacts starts at its top, not where the last one
   * was scrolled to. */
  if (g_list_model_get_n_items (G_LIST_MODEL (self->list)) > 0)
    scroll_to (self, 0);
}
