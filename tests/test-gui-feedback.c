/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-gui-feedback.c: the Feedback page: list, filters, resolving, the
 * NPS summary and the charts */
#include "config.h"

#include <string.h>

#include "ct-gui-test.h"
#include "ct-feedback.h"
#include "ct-feedback-view.h"
#include "ct-resources.h"
#include "ct-window.h"

typedef struct
{
  char      *dir;
  CtDb      *db;
  GtkWidget *window;
  CtFeedbackView *view;
} Fixture;

static CtApplication *app;

static gint64
months_ago (int n)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) then = g_date_time_add_months (now, -n);

  return g_date_time_to_unix (then) - 3600;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autoptr(CtContext) context = NULL;
  g_autoptr(GError) error = NULL;
  static const struct { CtFeedbackCategory c; CtFeedbackScale s; int score; int months; const char *text; } rows[] = {
    { CT_FEEDBACK_PRODUCT, CT_FEEDBACK_NPS, 10, 0, "课程内容很扎实，案例也很实用。" },
    { CT_FEEDBACK_PRODUCT, CT_FEEDBACK_NPS, 9, 0, "The templates alone were worth the price." },
    { CT_FEEDBACK_SERVICE, CT_FEEDBACK_NPS, 4, 1, "开发票等了一周，有点慢。" },
    { CT_FEEDBACK_SERVICE, CT_FEEDBACK_RATING, 5, 1, "助教回复很及时，赞！" },
    { CT_FEEDBACK_EMOTIONAL, CT_FEEDBACK_RATING, 4, 2, "加入社群后感觉不再孤单，谢谢老师。" },
    { CT_FEEDBACK_PRODUCT, CT_FEEDBACK_RATING, 3, 4, "Module 4 needs more examples." },
    { CT_FEEDBACK_PRODUCT, CT_FEEDBACK_NPS, 8, 6, "" },
  };
  gint64 contact;

  f->dir = ct_test_make_tmp ();
  path = g_build_filename (f->dir, "business.db", NULL);
  f->db = ct_db_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (ct_db_exec (f->db, "INSERT INTO contacts (email, first_name, last_name)"
                                    " VALUES ('zhangwei@example.com', '伟', '张')", &error));
  contact = sqlite3_last_insert_rowid (ct_db_get_handle (f->db));
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      ct_feedback_add (f->db, contact, rows[i].c, rows[i].s, rows[i].score, rows[i].text,
                       months_ago (rows[i].months), &error);
      g_assert_no_error (error);
    }

  context = ct_context_new (f->db, NULL);
  f->window = GTK_WIDGET (ct_window_new (GTK_APPLICATION (app), context));
  g_object_add_weak_pointer (G_OBJECT (f->window), (gpointer *) &f->window);
  {
    AdwViewStack *stack = ADW_VIEW_STACK (gtk_widget_get_template_child (f->window, CT_TYPE_WINDOW, "view_stack"));

    f->view = CT_FEEDBACK_VIEW (adw_view_stack_get_child_by_name (stack, "feedback"));
    adw_view_stack_set_visible_child_name (stack, "feedback");
  }
  ct_test_show_window (GTK_WINDOW (f->window));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  ct_test_spin (20);
  g_clear_object (&f->db);
  ct_test_rm_tmp (f->dir);
  g_free (f->dir);
}

static GObject *
child (Fixture    *f,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->view), CT_TYPE_FEEDBACK_VIEW, name);

  g_assert_nonnull (object);
  return object;
}

static guint
n_rows (Fixture *f)
{
  guint n = 0;

  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (child (f, "feedback_list")));
       c != NULL; c = gtk_widget_get_next_sibling (c))
    n++;
  return n;
}

static void
test_view (Fixture       *f,
           gconstpointer  data)
{
  GtkWidget *resolve;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (f->view);
  g_assert_cmpuint (n_rows (f), ==, 7);
  /* 4 NPS answers: 10 and 9 promote, 4 detracts, 8 is passive: +25. The
   * ratings 5, 4 and 3 average 4.0. */
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (child (f, "summary_label"))), ==,
                   "NPS +25 · Average rating 4.0");
  ct_test_screenshot (f->window, "feedback");

  /* Only service */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (child (f, "category_dropdown")), 1 + CT_FEEDBACK_SERVICE);
  g_assert_cmpuint (n_rows (f), ==, 2);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (child (f, "summary_label"))), ==,
                   "NPS -100 · Average rating 5.0");

  /* Resolving one leaves one open. */
  resolve = ct_test_find_button (GTK_WIDGET (child (f, "feedback_list")), "Resolve");
  g_assert_nonnull (resolve);
  g_signal_emit_by_name (resolve, "clicked");
  ct_test_spin (20);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (child (f, "status_dropdown")), 1);
  g_assert_cmpuint (n_rows (f), ==, 1);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (child (f, "status_dropdown")), 2);
  g_assert_cmpuint (n_rows (f), ==, 1);
  g_assert_nonnull (ct_test_find_button (GTK_WIDGET (child (f, "feedback_list")), "Reopen"));

  /* New feedback shows without a restart. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (child (f, "category_dropdown")), 0);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (child (f, "status_dropdown")), 0);
  ct_feedback_add (f->db, 1, CT_FEEDBACK_EMOTIONAL, CT_FEEDBACK_RATING, 1, "Lost", 0, &error);
  g_assert_no_error (error);
  ct_test_spin (20);
  g_assert_cmpuint (n_rows (f), ==, 8);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_assert_nonnull (ct_get_resource ());
  app = ct_test_application_new ();

  g_test_add ("/gui/feedback/view", Fixture, NULL, fixture_set_up, test_view, fixture_tear_down);

  return g_test_run ();
}
