/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-loyalty-page.c: the Loyalty page of Preferences
 *
 * The rows depend on how many tiers there are (3 to 5), so the page is
 * built in code rather than from a template. Nothing is saved until
 * Save: thresholds have to agree with each other (ct_tier_validate()),
 * which half-typed values seldom do.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "ct-loyalty-page.h"
#include "ct-money.h"
#include "ct-tier.h"

typedef struct
{
  char          *builtin;
  AdwExpanderRow *expander;
  AdwEntryRow   *name;
  AdwEntryRow   *spend;
  GtkSpinButton *purchases;
  GtkSpinButton *discount;
  GtkSpinButton *multiplier;
  AdwEntryRow   *perks;
} TierRows;

struct _CtLoyaltyPage
{
  AdwPreferencesPage   parent_instance;

  CtContext           *context;
  char                 currency[4];
  GArray              *rows;          /* TierRows */

  AdwPreferencesGroup *tiers_group;
  GtkButton           *add_button;
  GtkButton           *remove_button;
  GtkLabel            *tiers_error;
  GtkSpinButton       *grace;
  GtkSpinButton       *per_unit;
  GtkSpinButton       *expiry;
  GtkSpinButton       *task[4];
  GtkLabel            *settings_error;
};

G_DEFINE_FINAL_TYPE (CtLoyaltyPage, ct_loyalty_page, ADW_TYPE_PREFERENCES_PAGE)

static CtDb *
get_db (CtLoyaltyPage *self)
{
  return ct_context_get_db (self->context);
}

static GtkSpinButton *
add_spin_row (AdwPreferencesGroup *group,
              AdwExpanderRow      *expander,
              const char          *title,
              const char          *subtitle,
              double               lower,
              double               upper,
              double               step,
              guint                digits,
              double               value)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (lower, upper, step);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), digits);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), spin);
  if (expander != NULL)
    adw_expander_row_add_row (expander, row);
  else
    adw_preferences_group_add (group, row);
  return GTK_SPIN_BUTTON (spin);
}

static AdwEntryRow *
add_entry_row (AdwExpanderRow *expander,
               const char     *title,
               const char     *text)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
  adw_expander_row_add_row (expander, row);
  return ADW_ENTRY_ROW (row);
}

static void
tier_rows_clear (gpointer data)
{
  TierRows *rows = data;

  g_clear_pointer (&rows->builtin, g_free);
}

static void
add_tier_rows (CtLoyaltyPage *self,
               const CtTier  *tier,
               gint64         members)
{
  TierRows rows = { 0 };
  g_autofree char *spend = NULL;
  g_autofree char *spend_title = NULL;
  guint level = self->rows->len;
  g_autofree char *title = NULL;

  if (members >= 0)
    /* Translators: "Tier 3 · 81 members" under a tier's name */
    title = g_strdup_printf (ngettext ("Tier %u · %lld member", "Tier %u · %lld members",
                                       (unsigned long) (members % 1000000)),
                             level + 1, (long long) members);
  else
    title = g_strdup_printf (_("Tier %u"), level + 1);

  rows.builtin = g_strdup (tier->builtin);
  rows.expander = ADW_EXPANDER_ROW (adw_expander_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (rows.expander), tier->name);
  adw_expander_row_set_subtitle (rows.expander, title);
  adw_preferences_group_add (self->tiers_group, GTK_WIDGET (rows.expander));

  rows.name = add_entry_row (rows.expander, _("Name"), tier->name);
  {
    double scale = 1.0;

    for (guint i = 0; i < ct_money_decimals (self->currency); i++)
      scale *= 10.0;
    spend = g_strdup_printf ("%.*f", (int) ct_money_decimals (self->currency), tier->min_spend / scale);
  }
  /* Translators: %s is a currency code such as CNY */
  spend_title = g_strdup_printf (_("Spent in the last 12 months, from (%s)"), self->currency);
  rows.spend = add_entry_row (rows.expander, spend_title, spend);
  rows.purchases = add_spin_row (NULL, rows.expander, _("Purchases in the last 12 months, at least"),
                                 _("0 for no such threshold"), 0, 10000, 1, 0, (double) tier->min_purchases);
  rows.discount = add_spin_row (NULL, rows.expander, _("Discount (%)"), NULL, 0, 100, 1, 1,
                                tier->discount_percent);
  rows.multiplier = add_spin_row (NULL, rows.expander, _("Points multiplier"), _("×1.5 earns half as many points again"),
                                  0, 100, 0.1, 2, tier->points_multiplier / 100.0);
  rows.perks = add_entry_row (rows.expander, _("Other perks"), tier->perks);
  if (level == 0)
    {
      gtk_widget_set_sensitive (GTK_WIDGET (rows.spend), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (rows.purchases), FALSE);
    }
  g_array_append_val (self->rows, rows);
}

static void
update_buttons (CtLoyaltyPage *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_button), self->rows->len < CT_TIER_MAX_COUNT);
  gtk_widget_set_sensitive (GTK_WIDGET (self->remove_button), self->rows->len > CT_TIER_MIN_COUNT);
}

static void
load (CtLoyaltyPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) tiers = NULL;
  g_autoptr(GArray) members = NULL;
  CtLoyaltySettings s;

  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (self->tiers_group,
                                  GTK_WIDGET (g_array_index (self->rows, TierRows, i).expander));
  g_array_set_size (self->rows, 0);

  if (!ct_loyalty_settings_load (get_db (self), &s, &error)
      || (tiers = ct_tier_list (get_db (self), &error)) == NULL)
    {
      gtk_label_set_text (self->tiers_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->tiers_error), TRUE);
      return;
    }
  g_strlcpy (self->currency, s.currency, sizeof self->currency);
  members = ct_tier_count_members (get_db (self), NULL);
  for (guint i = 0; i < tiers->len; i++)
    add_tier_rows (self, &g_array_index (tiers, CtTier, i),
                   members != NULL && i < members->len ? g_array_index (members, gint64, i) : -1);
  update_buttons (self);

  /* The distribution is in the rows; the upgrade rate of the last 12
   * months goes with the group. */
  {
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
    g_autoptr(GDateTime) year_ago = g_date_time_add_years (now, -1);
    CtTierUpgradeRate rate;
    g_autofree char *description = NULL;

    if (ct_tier_upgrade_rate (get_db (self), g_date_time_to_unix (year_ago), g_date_time_to_unix (now),
                              &rate, NULL)
        && rate.total_base > 0)
      /* Translators: "… 12.5% moved up in the last 12 months (25 of 200)" */
      description = g_strdup_printf (_("Contacts are in the highest tier they qualify for. "
                                       "%.1f%% moved up in the last 12 months (%lld of %lld)."),
                                     100.0 * (double) rate.total_upgraded / (double) rate.total_base,
                                     (long long) rate.total_upgraded, (long long) rate.total_base);
    adw_preferences_group_set_description (self->tiers_group,
                                           description != NULL ? description
                                           : _("Contacts are in the highest tier they qualify for."));
  }

  gtk_spin_button_set_value (self->grace, s.grace_days);
  gtk_spin_button_set_value (self->per_unit, s.points_per_unit / 100.0);
  gtk_spin_button_set_value (self->expiry, s.expiry_days);
  gtk_spin_button_set_value (self->task[0], (double) s.checkin_points);
  gtk_spin_button_set_value (self->task[1], (double) s.referral_points);
  gtk_spin_button_set_value (self->task[2], (double) s.review_points);
  gtk_spin_button_set_value (self->task[3], (double) s.survey_points);
}

static void
on_add_clicked (CtLoyaltyPage *self)
{
  CtTier tier = { 0 };
  const TierRows *top = &g_array_index (self->rows, TierRows, self->rows->len - 1);
  gint64 below = 0;

  ct_money_parse (gtk_editable_get_text (GTK_EDITABLE (top->spend)), self->currency, &below);
  tier.name = _("New tier");
  tier.perks = (char *) "";
  tier.min_spend = below * 2 + 100;
  tier.points_multiplier = 100;
  add_tier_rows (self, &tier, -1);
  update_buttons (self);
}

static void
on_remove_clicked (CtLoyaltyPage *self)
{
  TierRows *top = &g_array_index (self->rows, TierRows, self->rows->len - 1);

  adw_preferences_group_remove (self->tiers_group, GTK_WIDGET (top->expander));
  g_array_set_size (self->rows, self->rows->len - 1);
  update_buttons (self);
}

static void
on_save_tiers_clicked (CtLoyaltyPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) tiers = g_array_new (FALSE, TRUE, sizeof (CtTier));

  g_array_set_clear_func (tiers, (GDestroyNotify) ct_tier_clear);
  for (guint i = 0; i < self->rows->len; i++)
    {
      const TierRows *rows = &g_array_index (self->rows, TierRows, i);
      const char *spend = gtk_editable_get_text (GTK_EDITABLE (rows->spend));
      CtTier tier = { 0 };

      tier.name = g_strdup (gtk_editable_get_text (GTK_EDITABLE (rows->name)));
      tier.builtin = g_strdup (rows->builtin);
      tier.perks = g_strdup (gtk_editable_get_text (GTK_EDITABLE (rows->perks)));
      tier.min_purchases = i == 0 ? 0 : gtk_spin_button_get_value_as_int (rows->purchases);
      tier.discount_percent = gtk_spin_button_get_value (rows->discount);
      tier.points_multiplier = (guint) (gtk_spin_button_get_value (rows->multiplier) * 100.0 + 0.5);
      g_array_append_val (tiers, tier);
      if (i > 0 && !ct_money_parse (spend, self->currency, &g_array_index (tiers, CtTier, i).min_spend))
        {
          g_autofree char *message = g_strdup_printf (_("“%s” is not an amount; the tier “%s” needs one, like 1000."),
                                                      spend, tier.name);

          gtk_label_set_text (self->tiers_error, message);
          gtk_widget_set_visible (GTK_WIDGET (self->tiers_error), TRUE);
          return;
        }
    }

  if (!ct_tier_save_all (get_db (self), (CtTier *) (gpointer) tiers->data, tiers->len, 0, &error))
    {
      gtk_label_set_text (self->tiers_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->tiers_error), TRUE);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->tiers_error), FALSE);
  load (self);
}

static void
on_save_settings_clicked (CtLoyaltyPage *self)
{
  g_autoptr(GError) error = NULL;
  CtLoyaltySettings s;

  if (!ct_loyalty_settings_load (get_db (self), &s, &error))
    goto fail;
  s.grace_days = (guint) gtk_spin_button_get_value_as_int (self->grace);
  s.points_per_unit = (guint) (gtk_spin_button_get_value (self->per_unit) * 100.0 + 0.5);
  s.expiry_days = (guint) gtk_spin_button_get_value_as_int (self->expiry);
  s.checkin_points = gtk_spin_button_get_value_as_int (self->task[0]);
  s.referral_points = gtk_spin_button_get_value_as_int (self->task[1]);
  s.review_points = gtk_spin_button_get_value_as_int (self->task[2]);
  s.survey_points = gtk_spin_button_get_value_as_int (self->task[3]);
  if (!ct_loyalty_settings_save (get_db (self), &s, &error))
    goto fail;
  gtk_widget_set_visible (GTK_WIDGET (self->settings_error), FALSE);
  return;

fail:
  gtk_label_set_text (self->settings_error, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->settings_error), TRUE);
}

static GtkLabel *
error_label (void)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_add_css_class (label, "error");
  gtk_widget_set_visible (label, FALSE);
  return GTK_LABEL (label);
}

static GtkButton *
suffix_button (AdwPreferencesGroup *group,
               GtkBox              *box,
               const char          *label,
               gboolean             suggested)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  if (suggested)
    gtk_widget_add_css_class (button, "suggested-action");
  gtk_box_append (box, button);
  return GTK_BUTTON (button);
}

static void
ct_loyalty_page_finalize (GObject *object)
{
  CtLoyaltyPage *self = CT_LOYALTY_PAGE (object);

  g_clear_pointer (&self->rows, g_array_unref);

  G_OBJECT_CLASS (ct_loyalty_page_parent_class)->finalize (object);
}

static void
ct_loyalty_page_dispose (GObject *object)
{
  CtLoyaltyPage *self = CT_LOYALTY_PAGE (object);

  g_clear_object (&self->context);

  G_OBJECT_CLASS (ct_loyalty_page_parent_class)->dispose (object);
}

static void
ct_loyalty_page_class_init (CtLoyaltyPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ct_loyalty_page_dispose;
  object_class->finalize = ct_loyalty_page_finalize;
}

static void
ct_loyalty_page_init (CtLoyaltyPage *self)
{
  AdwPreferencesGroup *points;
  GtkWidget *box;
  GtkButton *save;
  static const char *task_titles[] = {
    N_("Points for a check-in"), N_("Points for a referral"),
    N_("Points for a review"), N_("Points for a survey"),
  };

  self->rows = g_array_new (FALSE, TRUE, sizeof (TierRows));
  g_array_set_clear_func (self->rows, tier_rows_clear);

  adw_preferences_page_set_title (ADW_PREFERENCES_PAGE (self), _("Loyalty"));
  adw_preferences_page_set_icon_name (ADW_PREFERENCES_PAGE (self), "starred-symbolic");

  self->tiers_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->tiers_group, _("Membership Tiers"));
  adw_preferences_group_set_description (self->tiers_group,
                                         _("Contacts are in the highest tier they qualify for."));
  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->remove_button = suffix_button (self->tiers_group, GTK_BOX (box), _("_Remove Top Tier"), FALSE);
  self->add_button = suffix_button (self->tiers_group, GTK_BOX (box), _("Add _Tier"), FALSE);
  save = suffix_button (self->tiers_group, GTK_BOX (box), _("_Save Tiers"), TRUE);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), self->tiers_group);
  self->tiers_error = error_label ();
  g_signal_connect_swapped (self->add_button, "clicked", G_CALLBACK (on_add_clicked), self);
  g_signal_connect_swapped (self->remove_button, "clicked", G_CALLBACK (on_remove_clicked), self);
  g_signal_connect_swapped (save, "clicked", G_CALLBACK (on_save_tiers_clicked), self);

  /* Below the tiers, whose rows are made again on each load: the
   * buttons and what went wrong saving. */
  {
    AdwPreferencesGroup *below = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());

    gtk_widget_set_halign (box, GTK_ALIGN_END);
    adw_preferences_group_add (below, box);
    adw_preferences_group_add (below, GTK_WIDGET (self->tiers_error));
    adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), below);
  }

  points = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (points, _("Downgrades and Points"));
  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  save = suffix_button (points, GTK_BOX (box), _("Sa_ve"), TRUE);
  gtk_widget_set_valign (box, GTK_ALIGN_END);
  adw_preferences_group_set_header_suffix (points, box);
  g_signal_connect_swapped (save, "clicked", G_CALLBACK (on_save_settings_clicked), self);
  self->grace = add_spin_row (points, NULL, _("Grace before a downgrade (days)"),
                              _("How long a contact keeps its tier after falling below it"),
                              0, 3650, 1, 0, 30);
  self->per_unit = add_spin_row (points, NULL, _("Points per unit spent"),
                                 _("Before the tier’s multiplier; 0.1 gives one point per 10 spent"),
                                 0, 100, 0.1, 2, 1);
  self->expiry = add_spin_row (points, NULL, _("Points expire after (days)"), _("0: never"),
                               0, 36500, 1, 0, 0);
  for (guint i = 0; i < G_N_ELEMENTS (self->task); i++)
    self->task[i] = add_spin_row (points, NULL, _(task_titles[i]), NULL, 0, 1000000, 1, 0, 0);
  self->settings_error = error_label ();
  adw_preferences_group_add (points, GTK_WIDGET (self->settings_error));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), points);
}

GtkWidget *
ct_loyalty_page_new (CtContext *context)
{
  CtLoyaltyPage *self = g_object_new (CT_TYPE_LOYALTY_PAGE, NULL);

  g_return_val_if_fail (CT_IS_CONTEXT (context), NULL);

  self->context = g_object_ref (context);
  load (self);
  return GTK_WIDGET (self);
}
