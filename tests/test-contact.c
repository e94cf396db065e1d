/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-contact.c: tests for ct-contact and ct-tag */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gstdio.h>

#include "ct-channel.h"
#include "ct-contact.h"
#include "ct-tag.h"

typedef struct
{
  char      *dir;
  char      *path;
  CtDb      *db;
  GPtrArray *changed;   /* table names, in order of emission */
} Fixture;

static void
on_changed (CtDb       *db,
            const char *table,
            gpointer    user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->changed, g_strdup (table));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  GError *error = NULL;

  fixture->dir = g_dir_make_tmp ("clientele-test-contact-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "clientele.db", NULL);
  fixture->db = ct_db_open (fixture->path, &error);
  g_assert_no_error (error);
  fixture->changed = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (fixture->db, "changed", G_CALLBACK (on_changed), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char * const suffixes[] = { "", "-wal", "-shm" };

  g_clear_object (&fixture->db);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (fixture->path, suffixes[i], NULL);
      g_remove (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
  g_ptr_array_unref (fixture->changed);
}

static guint
count_changed (Fixture    *fixture,
               const char *table)
{
  guint n = 0;

  for (guint i = 0; i < fixture->changed->len; i++)
    if (g_str_equal (g_ptr_array_index (fixture->changed, i), table))
      n++;
  return n;
}

static gint64
query_int (Fixture    *fixture,
           const char *sql,
           gint64      param)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *error = NULL;

  stmt = ct_db_prepare (fixture->db, sql, &error);
  g_assert_no_error (error);
  if (sqlite3_bind_parameter_count (stmt) > 0)
    sqlite3_bind_int64 (stmt, 1, param);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return sqlite3_column_int64 (stmt, 0);
}

/* NULL for an SQL NULL. */
static char *
query_text (Fixture    *fixture,
            const char *sql,
            gint64      param)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  GError *error = NULL;

  stmt = ct_db_prepare (fixture->db, sql, &error);
  g_assert_no_error (error);
  if (sqlite3_bind_parameter_count (stmt) > 0)
    sqlite3_bind_int64 (stmt, 1, param);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  return g_strdup ((const char *) sqlite3_column_text (stmt, 0));
}

/* Every column of every row a query returns, as one text, for comparing
 * whole rows before and after. */
static char *
dump (Fixture    *fixture,
      const char *sql,
      gint64      param)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  GError *error = NULL;
  int rc;

  stmt = ct_db_prepare (fixture->db, sql, &error);
  g_assert_no_error (error);
  if (sqlite3_bind_parameter_count (stmt) > 0)
    sqlite3_bind_int64 (stmt, 1, param);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        {
          const char *text = (const char *) sqlite3_column_text (stmt, i);

          g_string_append_printf (out, "%s=%s|", sqlite3_column_name (stmt, i),
                                  sqlite3_column_type (stmt, i) == SQLITE_NULL ? "NULL" : text);
        }
      g_string_append_c (out, '\n');
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);

  return g_strdup (out->str);
}

static CtContact *
make_contact (const char *email,
              const char *first_name,
              const char *last_name)
{
  CtContact *contact = ct_contact_new ();

  ct_contact_set_email (contact, email);
  ct_contact_set_first_name (contact, first_name);
  ct_contact_set_last_name (contact, last_name);
  return contact;
}

static gint64
insert (Fixture    *fixture,
        const char *email,
        const char *first_name,
        const char *last_name)
{
  g_autoptr(CtContact) contact = make_contact (email, first_name, last_name);
  GError *error = NULL;

  g_assert_true (ct_contact_insert (fixture->db, contact, &error));
  g_assert_no_error (error);
  return ct_contact_get_id (contact);
}

/* Status */

static void
test_status (void)
{
  static const struct {
    CtContactStatus status;
    const char *text;
    const char *label;
  } cases[] = {
    { CT_CONTACT_SUBSCRIBED, "subscribed", "Subscribed" },
    { CT_CONTACT_UNSUBSCRIBED, "unsubscribed", "Unsubscribed" },
    { CT_CONTACT_BOUNCED, "bounced", "Bounced" },
    { CT_CONTACT_COMPLAINED, "complained", "Complained" },
  };
  CtContactStatus status;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *upper = g_ascii_strup (cases[i].text, -1);

      g_assert_cmpstr (ct_contact_status_to_string (cases[i].status), ==, cases[i].text);
      g_assert_cmpstr (ct_contact_status_get_label (cases[i].status), ==, cases[i].label);

      status = 99;
      g_assert_true (ct_contact_status_from_string (cases[i].text, &status));
      g_assert_cmpint (status, ==, cases[i].status);
      g_assert_true (ct_contact_status_from_string (upper, &status));
      g_assert_cmpint (status, ==, cases[i].status);
    }

  status = CT_CONTACT_BOUNCED;
  g_assert_false (ct_contact_status_from_string ("spam", &status));
  g_assert_false (ct_contact_status_from_string ("", &status));
  g_assert_false (ct_contact_status_from_string (NULL, &status));
  g_assert_cmpint (status, ==, CT_CONTACT_BOUNCED);
  g_assert_true (ct_contact_status_from_string ("bounced", NULL));
}

/* Names */

static void
test_format_name (void)
{
  static const struct {
    const char *first;
    const char *last;
    const char *name;
  } cases[] = {
    { "Ada", "Lovelace", "Ada Lovelace" },
    { "Wei", "Zhang", "Wei Zhang" },
    { "伟", "张", "张伟" },
    { "小明", "欧阳", "欧阳小明" },
    { "민준", "김", "김민준" },
    { "太郎", "山田", "山田太郎" },
    { "ひろし", "Tanaka", "Tanakaひろし" },   /* kana in either part decides */
    { "Ada", "张", "张Ada" },
    { "José", "Álvarez", "José Álvarez" },
    { "Иван", "Петров", "Иван Петров" },
    { "", "张", "张" },
    { "伟", "", "伟" },
    { " Ada ", "", "Ada" },
    { "", " Lovelace", "Lovelace" },
    { " 伟 ", "\u3000张", "张伟" },
    { "", "", "" },
    { NULL, NULL, "" },
    { "Ada", NULL, "Ada" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = ct_contact_format_name (cases[i].first, cases[i].last);

      g_assert_cmpstr (name, ==, cases[i].name);
    }
}

/* The object */

typedef struct
{
  GHashTable *counts;   /* property name -> count */
} NotifyLog;

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  NotifyLog *log = user_data;
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (log->counts, pspec->name));

  g_hash_table_insert (log->counts, (gpointer) pspec->name, GUINT_TO_POINTER (n + 1));
}

static guint
notified (NotifyLog  *log,
          const char *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (log->counts, name));
}

static void
notify_log_init (NotifyLog *log,
                 gpointer   object)
{
  log->counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_signal_connect (object, "notify", G_CALLBACK (on_notify), log);
}

static void
notify_log_reset (NotifyLog *log)
{
  g_hash_table_remove_all (log->counts);
}

static void
test_properties (void)
{
  static const struct {
    const char *name;
    GType type;
    gboolean writable;
  } props[] = {
    { "id", G_TYPE_INT64, FALSE },
    { "email", G_TYPE_STRING, TRUE },
    { "first-name", G_TYPE_STRING, TRUE },
    { "last-name", G_TYPE_STRING, TRUE },
    { "display-name", G_TYPE_STRING, FALSE },
    { "phone", G_TYPE_STRING, TRUE },
    { "company", G_TYPE_STRING, TRUE },
    { "channel-id", G_TYPE_INT64, TRUE },
    { "channel", G_TYPE_STRING, FALSE },
    { "status", G_TYPE_INT, TRUE },
    { "status-label", G_TYPE_STRING, FALSE },
    { "notes", G_TYPE_STRING, TRUE },
    { "tags", G_TYPE_STRING, FALSE },
    { "created-at", G_TYPE_INT64, FALSE },
    { "purchase-count", G_TYPE_INT, FALSE },
    { "total-spent", G_TYPE_INT64, FALSE },
    { "total-spent-label", G_TYPE_STRING, FALSE },
    { "last-purchase-at", G_TYPE_INT64, FALSE },
    { "currency", G_TYPE_STRING, TRUE },
  };
  g_autoptr(CtContact) contact = ct_contact_new ();
  GObjectClass *klass = G_OBJECT_GET_CLASS (contact);

  for (guint i = 0; i < G_N_ELEMENTS (props); i++)
    {
      GParamSpec *pspec = g_object_class_find_property (klass, props[i].name);
      GValue value = G_VALUE_INIT;

      if (pspec == NULL)
        g_error ("No property “%s”", props[i].name);
      g_assert_true (G_PARAM_SPEC_VALUE_TYPE (pspec) == props[i].type);
      g_assert_true (pspec->flags & G_PARAM_READABLE);
      g_assert_true (pspec->flags & G_PARAM_EXPLICIT_NOTIFY);
      g_assert_cmpint (!!(pspec->flags & G_PARAM_WRITABLE), ==, props[i].writable);

      /* Strings are never NULL. */
      g_value_init (&value, props[i].type);
      g_object_get_property (G_OBJECT (contact), props[i].name, &value);
      if (props[i].type == G_TYPE_STRING)
        g_assert_nonnull (g_value_get_string (&value));
      g_value_unset (&value);
    }

  g_assert_cmpint (ct_contact_get_id (contact), ==, 0);
  g_assert_cmpstr (ct_contact_get_email (contact), ==, "");
  g_assert_cmpstr (ct_contact_get_display_name (contact), ==, "");
  g_assert_cmpstr (ct_contact_get_channel (contact), ==, "");
  g_assert_cmpstr (ct_contact_get_tags (contact), ==, "");
  g_assert_cmpint (ct_contact_get_status (contact), ==, CT_CONTACT_SUBSCRIBED);
  g_assert_cmpstr (ct_contact_get_currency (contact), ==, "CNY");
}

static void
test_notify (void)
{
  g_autoptr(CtContact) contact = ct_contact_new ();
  g_autofree char *label = NULL;
  g_autofree char *display = NULL;
  NotifyLog log;
  int status = -1;

  notify_log_init (&log, contact);

  ct_contact_set_email (contact, "ada@example.com");
  g_assert_cmpuint (notified (&log, "email"), ==, 1);
  /* No name yet: the email stands in for it. */
  g_assert_cmpuint (notified (&log, "display-name"), ==, 1);
  g_assert_cmpstr (ct_contact_get_display_name (contact), ==, "ada@example.com");

  /* Setting the same value again is not a change. */
  ct_contact_set_email (contact, "ada@example.com");
  g_assert_cmpuint (notified (&log, "email"), ==, 1);
  g_assert_cmpuint (notified (&log, "display-name"), ==, 1);

  ct_contact_set_first_name (contact, "Ada");
  ct_contact_set_last_name (contact, "Lovelace");
  g_assert_cmpuint (notified (&log, "first-name"), ==, 1);
  g_assert_cmpuint (notified (&log, "last-name"), ==, 1);
  g_assert_cmpuint (notified (&log, "display-name"), ==, 3);
  g_assert_cmpstr (ct_contact_get_display_name (contact), ==, "Ada Lovelace");

  /* A change that leaves the display name as it was does not notify it. */
  ct_contact_set_email (contact, "ada@lovelace.org");
  g_assert_cmpuint (notified (&log, "email"), ==, 2);
  g_assert_cmpuint (notified (&log, "display-name"), ==, 3);

  ct_contact_set_status (contact, CT_CONTACT_UNSUBSCRIBED);
  ct_contact_set_status (contact, CT_CONTACT_UNSUBSCRIBED);
  g_assert_cmpuint (notified (&log, "status"), ==, 1);
  g_assert_cmpuint (notified (&log, "status-label"), ==, 1);
  g_object_get (contact, "status", &status, "status-label", &label, NULL);
  g_assert_cmpint (status, ==, CT_CONTACT_UNSUBSCRIBED);
  g_assert_cmpstr (label, ==, "Unsubscribed");

  ct_contact_set_phone (contact, "13800000000");
  ct_contact_set_company (contact, "Analytical Engines");
  ct_contact_set_notes (contact, "Met at the conference");
  ct_contact_set_channel_id (contact, 4);
  ct_contact_set_phone (contact, "13800000000");
  ct_contact_set_company (contact, "Analytical Engines");
  ct_contact_set_notes (contact, "Met at the conference");
  ct_contact_set_channel_id (contact, 4);
  g_assert_cmpuint (notified (&log, "phone"), ==, 1);
  g_assert_cmpuint (notified (&log, "company"), ==, 1);
  g_assert_cmpuint (notified (&log, "notes"), ==, 1);
  g_assert_cmpuint (notified (&log, "channel-id"), ==, 1);

  /* NULL is "" */
  ct_contact_set_company (contact, NULL);
  g_assert_cmpstr (ct_contact_get_company (contact), ==, "");
  g_assert_cmpuint (notified (&log, "company"), ==, 2);

  /* The label follows the currency. */
  ct_contact_set_currency (contact, "USD");
  ct_contact_set_currency (contact, "USD");
  g_assert_cmpuint (notified (&log, "currency"), ==, 1);
  g_assert_cmpuint (notified (&log, "total-spent-label"), ==, 1);
  g_clear_pointer (&label, g_free);
  g_object_get (contact, "total-spent-label", &label, NULL);
  g_assert_cmpstr (label, ==, "$0.00");
  ct_contact_set_currency (contact, NULL);
  g_assert_cmpstr (ct_contact_get_currency (contact), ==, "CNY");

  /* Through GObject properties, as bindings do. */
  notify_log_reset (&log);
  g_object_set (contact, "first-name", "伟", "last-name", "张", NULL);
  g_assert_cmpuint (notified (&log, "first-name"), ==, 1);
  g_assert_cmpuint (notified (&log, "display-name"), ==, 1);
  g_object_get (contact, "display-name", &display, NULL);
  g_assert_cmpstr (display, ==, "张伟");
  g_object_set (contact, "first-name", "伟", NULL);
  g_assert_cmpuint (notified (&log, "first-name"), ==, 1);

  g_hash_table_unref (log.counts);
}

static void
test_display_name_fallback (void)
{
  g_autoptr(CtContact) contact = ct_contact_new ();

  ct_contact_set_phone (contact, "+86 138 0000 0000");
  g_assert_cmpstr (ct_contact_get_display_name (contact), ==, "+86 138 0000 0000");
  ct_contact_set_email (contact, "wei@example.com");
  g_assert_cmpstr (ct_contact_get_display_name (contact), ==, "wei@example.com");
  ct_contact_set_last_name (contact, "张");
  g_assert_cmpstr (ct_contact_get_display_name (contact), ==, "张");
  ct_contact_set_first_name (contact, "伟");
  g_assert_cmpstr (ct_contact_get_display_name (contact), ==, "张伟");
  ct_contact_set_first_name (contact, "");
  ct_contact_set_last_name (contact, "  ");
  g_assert_cmpstr (ct_contact_get_display_name (contact), ==, "wei@example.com");
  ct_contact_set_email (contact, "");
  g_assert_cmpstr (ct_contact_get_display_name (contact), ==, "+86 138 0000 0000");
}

/* Validation */

static void
test_validate (void)
{
  static const char * const good[] = {
    "ada@example.com", "  ada@example.com  ", "a+tag@sub.example.co.uk",
    "张伟@例子.中国", "first.last@example.museum", "x@y.z",
  };
  static const struct {
    const char *email;
    const char *reason;
  } bad[] = {
    { "ada lovelace@example.com", "space" },
    { "ada@exam ple.com", "space" },
    { "ada@example.com\u3000x", "space" },
    { "ada.example.com", "exactly one" },
    { "ada@@example.com", "exactly one" },
    { "a@b@example.com", "exactly one" },
    { "@example.com", "nothing before" },
    { "ada@", "domain" },
    { "ada@localhost", "domain" },
    { "ada@.com", "domain" },
    { "ada@example.", "domain" },
    { "ada@example..com", "domain" },
  };
  GError *error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(CtContact) contact = make_contact (good[i], NULL, NULL);

      g_assert_true (ct_contact_validate (contact, &error));
      g_assert_no_error (error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(CtContact) contact = make_contact (bad[i].email, "Ada", NULL);

      g_assert_false (ct_contact_validate (contact, &error));
      g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
      /* The message names the field and says what is wrong. */
      g_assert_nonnull (strstr (error->message, "email address"));
      if (strstr (error->message, bad[i].reason) == NULL)
        g_error ("“%s”: “%s” does not say “%s”", bad[i].email, error->message, bad[i].reason);
      g_clear_error (&error);
    }

  /* Something to know the contact by. */
  {
    g_autoptr(CtContact) empty = ct_contact_new ();
    g_autoptr(CtContact) blank = make_contact ("  ", " ", "\u3000");
    g_autoptr(CtContact) company_only = ct_contact_new ();
    g_autoptr(CtContact) phone_only = ct_contact_new ();
    g_autoptr(CtContact) name_only = make_contact (NULL, NULL, "张");

    g_assert_false (ct_contact_validate (empty, &error));
    g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
    g_assert_cmpstr (error->message, ==,
                     "A contact needs an email address, a name or a phone number.");
    g_clear_error (&error);

    g_assert_false (ct_contact_validate (blank, &error));
    g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
    g_clear_error (&error);

    ct_contact_set_company (company_only, "ACME");
    g_assert_false (ct_contact_validate (company_only, &error));
    g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
    g_clear_error (&error);

    ct_contact_set_phone (phone_only, "13800000000");
    g_assert_true (ct_contact_validate (phone_only, &error));
    g_assert_true (ct_contact_validate (name_only, &error));
    g_assert_no_error (error);
  }
}

/* Storing */

static void
test_insert_load (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(CtContact) contact = ct_contact_new ();
  g_autoptr(CtContact) loaded = NULL;
  g_autofree char *email = NULL;
  GError *error = NULL;
  gint64 channel_id;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  NotifyLog log;

  channel_id = ct_channel_ensure (fixture->db, "WeChat", &error);
  g_assert_no_error (error);
  g_ptr_array_set_size (fixture->changed, 0);

  ct_contact_set_email (contact, "  Ada@Example.com ");
  ct_contact_set_first_name (contact, " Ada");
  ct_contact_set_last_name (contact, "Lovelace ");
  ct_contact_set_phone (contact, "+44 20 0000 0000");
  ct_contact_set_company (contact, "Analytical Engines");
  ct_contact_set_channel_id (contact, channel_id);
  ct_contact_set_status (contact, CT_CONTACT_BOUNCED);
  ct_contact_set_notes (contact, "  Notes keep their own space.\n");

  notify_log_init (&log, contact);
  g_assert_true (ct_contact_insert (fixture->db, contact, &error));
  g_assert_no_error (error);

  g_assert_cmpint (ct_contact_get_id (contact), >, 0);
  g_assert_cmpuint (notified (&log, "id"), ==, 1);
  g_assert_cmpint (ct_contact_get_created_at (contact), >=, now - 5);
  g_assert_cmpint (ct_contact_get_created_at (contact), <=, now + 5);
  /* What is stored is trimmed, and the object shows what is stored. */
  g_assert_cmpstr (ct_contact_get_email (contact), ==, "Ada@Example.com");
  g_assert_cmpstr (ct_contact_get_first_name (contact), ==, "Ada");
  g_assert_cmpstr (ct_contact_get_last_name (contact), ==, "Lovelace");
  g_assert_cmpstr (ct_contact_get_notes (contact), ==, "  Notes keep their own space.\n");
  g_assert_cmpstr (ct_contact_get_channel (contact), ==, "WeChat");
  g_assert_cmpuint (notified (&log, "channel"), ==, 1);
  g_hash_table_unref (log.counts);

  g_assert_cmpuint (count_changed (fixture, "contacts"), ==, 1);
  g_assert_cmpuint (fixture->changed->len, ==, 1);

  loaded = ct_contact_load (fixture->db, ct_contact_get_id (contact), &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  g_assert_cmpint (ct_contact_get_id (loaded), ==, ct_contact_get_id (contact));
  g_assert_cmpstr (ct_contact_get_email (loaded), ==, "Ada@Example.com");
  g_assert_cmpstr (ct_contact_get_first_name (loaded), ==, "Ada");
  g_assert_cmpstr (ct_contact_get_last_name (loaded), ==, "Lovelace");
  g_assert_cmpstr (ct_contact_get_display_name (loaded), ==, "Ada Lovelace");
  g_assert_cmpstr (ct_contact_get_phone (loaded), ==, "+44 20 0000 0000");
  g_assert_cmpstr (ct_contact_get_company (loaded), ==, "Analytical Engines");
  g_assert_cmpint (ct_contact_get_channel_id (loaded), ==, channel_id);
  g_assert_cmpstr (ct_contact_get_channel (loaded), ==, "WeChat");
  g_assert_cmpint (ct_contact_get_status (loaded), ==, CT_CONTACT_BOUNCED);
  g_assert_cmpstr (ct_contact_get_notes (loaded), ==, "  Notes keep their own space.\n");
  g_assert_cmpstr (ct_contact_get_tags (loaded), ==, "");
  g_assert_cmpint (ct_contact_get_created_at (loaded), ==, ct_contact_get_created_at (contact));
  g_assert_cmpint (ct_contact_get_purchase_count (loaded), ==, 0);
  g_assert_cmpint (ct_contact_get_total_spent (loaded), ==, 0);
  g_assert_cmpint (ct_contact_get_last_purchase_at (loaded), ==, 0);

  email = query_text (fixture, "SELECT status FROM contacts WHERE id = ?",
                      ct_contact_get_id (contact));
  g_assert_cmpstr (email, ==, "bounced");
}

static void
test_load_missing (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(CtContact) contact = NULL;
  GError *error = NULL;

  contact = ct_contact_load (fixture->db, 12345, &error);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_assert_null (contact);
  g_clear_error (&error);
}

static void
test_insert_invalid (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(CtContact) contact = make_contact ("not an email", "Ada", NULL);
  GError *error = NULL;

  g_assert_false (ct_contact_insert (fixture->db, contact, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_cmpint (ct_contact_get_id (contact), ==, 0);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM contacts", 0), ==, 0);
  g_assert_cmpuint (fixture->changed->len, ==, 0);

  /* A channel that is not there. */
  ct_contact_set_email (contact, "ada@example.com");
  ct_contact_set_channel_id (contact, 999);
  g_assert_false (ct_contact_insert (fixture->db, contact, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  g_assert_nonnull (strstr (error->message, "channel"));
  g_clear_error (&error);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM contacts", 0), ==, 0);
}

static void
test_no_email (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(CtContact) first = ct_contact_new ();
  g_autoptr(CtContact) second = ct_contact_new ();
  g_autoptr(CtContact) third = make_contact ("   ", "伟", "张");
  GError *error = NULL;

  ct_contact_set_phone (first, "13800000001");
  ct_contact_set_phone (second, "13800000002");

  /* Many contacts can go without an email: it is stored as NULL. */
  g_assert_true (ct_contact_insert (fixture->db, first, &error));
  g_assert_true (ct_contact_insert (fixture->db, second, &error));
  g_assert_true (ct_contact_insert (fixture->db, third, &error));
  g_assert_no_error (error);

  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM contacts WHERE email IS NULL", 0),
                   ==, 3);
  g_assert_cmpstr (ct_contact_get_email (third), ==, "");
  g_assert_cmpstr (ct_contact_get_display_name (first), ==, "13800000001");
  g_assert_cmpstr (ct_contact_get_display_name (third), ==, "张伟");
}

static void
test_duplicate_email (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(CtContact) twin = make_contact ("ADA@example.COM", "Ada", "Twin");
  g_autoptr(CtContact) other = make_contact ("other@example.com", "Other", NULL);
  GError *error = NULL;
  gint64 ada;

  ada = insert (fixture, "ada@example.com", "Ada", "Lovelace");
  g_ptr_array_set_size (fixture->changed, 0);

  /* Case does not make another address. */
  g_assert_false (ct_contact_insert (fixture->db, twin, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  g_assert_cmpstr (error->message, ==,
                   "Another contact already has the email “ADA@example.COM”.");
  g_clear_error (&error);
  g_assert_cmpint (ct_contact_get_id (twin), ==, 0);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM contacts", 0), ==, 1);
  g_assert_cmpuint (fixture->changed->len, ==, 0);

  /* Nor does space around it. */
  ct_contact_set_email (twin, " ada@example.com ");
  g_assert_false (ct_contact_insert (fixture->db, twin, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  g_assert_cmpstr (error->message, ==,
                   "Another contact already has the email “ada@example.com”.");
  g_clear_error (&error);

  /* Changing another contact's email to it is refused too. */
  g_assert_true (ct_contact_insert (fixture->db, other, &error));
  g_assert_no_error (error);
  ct_contact_set_email (other, "Ada@Example.com");
  g_assert_false (ct_contact_update (fixture->db, other, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  g_assert_cmpstr (error->message, ==,
                   "Another contact already has the email “Ada@Example.com”.");
  g_clear_error (&error);
  {
    g_autofree char *stored = query_text (fixture, "SELECT email FROM contacts WHERE id = ?",
                                          ct_contact_get_id (other));
    g_assert_cmpstr (stored, ==, "other@example.com");
  }

  /* A contact may keep its own email in another case. */
  {
    g_autoptr(CtContact) self = ct_contact_load (fixture->db, ada, &error);
    g_assert_no_error (error);
    ct_contact_set_email (self, "ADA@EXAMPLE.COM");
    g_assert_true (ct_contact_update (fixture->db, self, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (ct_contact_get_email (self), ==, "ADA@EXAMPLE.COM");
  }
}

static void
test_update (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(CtContact) contact = NULL;
  g_autoptr(CtContact) loaded = NULL;
  GError *error = NULL;
  gint64 id, created_at, channel_id;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  id = insert (fixture, "wei@example.com", "Wei", "Zhang");
  channel_id = ct_channel_ensure (fixture->db, "抖音", &error);
  g_assert_no_error (error);

  /* An old row, so that the new update time shows. */
  g_assert_true (ct_db_exec (fixture->db, "UPDATE contacts SET updated_at = 1000, created_at = 2000",
                             &error));
  contact = ct_contact_load (fixture->db, id, &error);
  g_assert_no_error (error);
  created_at = ct_contact_get_created_at (contact);
  g_assert_cmpint (created_at, ==, 2000);
  g_ptr_array_set_size (fixture->changed, 0);

  ct_contact_set_first_name (contact, "伟");
  ct_contact_set_last_name (contact, "张");
  ct_contact_set_email (contact, "");
  ct_contact_set_phone (contact, "13800000000");
  ct_contact_set_channel_id (contact, channel_id);
  ct_contact_set_status (contact, CT_CONTACT_COMPLAINED);
  g_assert_true (ct_contact_update (fixture->db, contact, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_changed (fixture, "contacts"), ==, 1);
  g_assert_cmpstr (ct_contact_get_channel (contact), ==, "抖音");

  g_assert_cmpint (query_int (fixture, "SELECT updated_at FROM contacts WHERE id = ?", id),
                   >=, now - 5);
  g_assert_cmpint (query_int (fixture, "SELECT email IS NULL FROM contacts WHERE id = ?", id),
                   ==, 1);

  loaded = ct_contact_load (fixture->db, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ct_contact_get_display_name (loaded), ==, "张伟");
  g_assert_cmpstr (ct_contact_get_email (loaded), ==, "");
  g_assert_cmpint (ct_contact_get_status (loaded), ==, CT_CONTACT_COMPLAINED);
  g_assert_cmpint (ct_contact_get_channel_id (loaded), ==, channel_id);
  g_assert_cmpint (ct_contact_get_created_at (loaded), ==, created_at);

  /* Back to no channel. */
  ct_contact_set_channel_id (contact, 0);
  g_assert_true (ct_contact_update (fixture->db, contact, &error));
  g_assert_cmpstr (ct_contact_get_channel (contact), ==, "");
  g_assert_cmpint (query_int (fixture, "SELECT channel_id IS NULL FROM contacts WHERE id = ?", id),
                   ==, 1);

  /* Invalid edits are not written. */
  ct_contact_set_first_name (contact, "");
  ct_contact_set_last_name (contact, "");
  ct_contact_set_phone (contact, "");
  g_assert_false (ct_contact_update (fixture->db, contact, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM contacts WHERE phone = '13800000000'", 0),
                   ==, 1);
}

static void
test_update_deleted (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(CtContact) contact = NULL;
  g_autoptr(CtContactSnapshot) snapshot = NULL;
  GError *error = NULL;
  gint64 id;

  id = insert (fixture, "wei@example.com", "Wei", "Zhang");
  contact = ct_contact_load (fixture->db, id, &error);
  snapshot = ct_contact_delete (fixture->db, id, &error);
  g_assert_no_error (error);
  g_ptr_array_set_size (fixture->changed, 0);

  ct_contact_set_notes (contact, "edited after the delete");
  g_assert_false (ct_contact_update (fixture->db, contact, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM contacts", 0), ==, 0);
  g_assert_cmpuint (fixture->changed->len, ==, 0);
}

static void
test_new_from_row (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(CtContact) contact = NULL;
  const char * const tags[] = { "vip", "课程A", NULL };
  GError *error = NULL;
  gint64 id;

  id = insert (fixture, "kim@example.com", "민준", "김");
  g_assert_true (ct_contact_set_tags (fixture->db, id, tags, &error));
  g_assert_no_error (error);
  stmt = ct_db_prepare (fixture->db,
                        "INSERT INTO purchases (contact_id, amount, purchased_at)"
                        " VALUES (?1, 123450, 1700000000), (?1, 100, 1700000500)",
                        &error);
  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = ct_db_prepare (fixture->db, CT_CONTACT_SELECT_SQL " ORDER BY c.id", &error);
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);

  contact = ct_contact_new_from_row (stmt);
  g_assert_cmpint (ct_contact_get_id (contact), ==, id);
  g_assert_cmpstr (ct_contact_get_display_name (contact), ==, "김민준");
  g_assert_cmpint (ct_contact_get_purchase_count (contact), ==, 2);
  g_assert_cmpint (ct_contact_get_total_spent (contact), ==, 123550);
  g_assert_cmpint (ct_contact_get_last_purchase_at (contact), ==, 1700000500);
  {
    g_autofree char *label = NULL;

    g_object_get (contact, "total-spent-label", &label, NULL);
    g_assert_cmpstr (label, ==, "¥1,235.50");
  }
  /* group_concat order is the table's; both tags are there. */
  g_assert_true (g_str_equal (ct_contact_get_tags (contact), "vip, 课程A") ||
                 g_str_equal (ct_contact_get_tags (contact), "课程A, vip"));
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
}

/* Tags */

static void
test_tag_ensure (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GListModel) list = NULL;
  GError *error = NULL;
  gint64 vip, again, course;

  vip = ct_tag_ensure (fixture->db, "VIP", &error);
  g_assert_no_error (error);
  g_assert_cmpint (vip, >, 0);
  again = ct_tag_ensure (fixture->db, "  vip\u3000", &error);
  g_assert_no_error (error);
  g_assert_cmpint (again, ==, vip);
  course = ct_tag_ensure (fixture->db, "课程A", &error);
  g_assert_cmpint (course, !=, vip);
  g_assert_cmpuint (count_changed (fixture, "tags"), ==, 2);

  g_assert_cmpint (ct_tag_ensure (fixture->db, "   ", &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "A tag needs a name.");
  g_clear_error (&error);
  g_assert_cmpint (ct_tag_ensure (fixture->db, NULL, &error), ==, 0);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID);
  g_clear_error (&error);

  ct_tag_ensure (fixture->db, "alpha", &error);
  list = ct_tag_list_all (fixture->db, &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_LIST_STORE (list));
  g_assert_true (g_list_model_get_item_type (list) == CT_TYPE_NAMED_ITEM);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 3);
  {
    g_autoptr(CtNamedItem) a = g_list_model_get_item (list, 0);
    g_autoptr(CtNamedItem) b = g_list_model_get_item (list, 1);
    g_autoptr(CtNamedItem) c = g_list_model_get_item (list, 2);

    g_assert_cmpstr (ct_named_item_get_name (a), ==, "alpha");
    g_assert_cmpstr (ct_named_item_get_name (b), ==, "VIP");
    g_assert_cmpint (ct_named_item_get_id (b), ==, vip);
    g_assert_cmpstr (ct_named_item_get_name (c), ==, "课程A");
    g_assert_cmpint (ct_named_item_get_id (c), ==, course);
  }
}

static void
test_tags (Fixture       *fixture,
           gconstpointer  data)
{
  const char * const tags[] = { "VIP", "课程A", " vip ", "", "  ", "Early Bird", NULL };
  const char * const other_tags[] = { "Renewed", NULL };
  g_auto(GStrv) list = NULL;
  g_autofree char *search = NULL;
  g_autoptr(CtContact) contact = NULL;
  GError *error = NULL;
  gint64 id, other;

  id = insert (fixture, "ada@example.com", "Ada", "Lovelace");
  other = insert (fixture, "wei@example.com", "Wei", "Zhang");
  g_assert_true (ct_db_exec (fixture->db, "UPDATE contacts SET updated_at = 1000", &error));
  g_ptr_array_set_size (fixture->changed, 0);

  g_assert_true (ct_contact_set_tags (fixture->db, id, tags, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_changed (fixture, "contacts"), ==, 1);

  /* Blanks skipped, case and space variants one tag, sorted. */
  list = ct_contact_get_tag_list (fixture->db, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (list), ==, 3);
  g_assert_cmpstr (list[0], ==, "Early Bird");
  g_assert_cmpstr (list[1], ==, "VIP");
  g_assert_cmpstr (list[2], ==, "课程A");
  g_clear_pointer (&list, g_strfreev);

  /* Search finds a contact by its tags, and the change is a change. */
  search = query_text (fixture, "SELECT search_text FROM contacts WHERE id = ?", id);
  g_assert_nonnull (strstr (search, "vip"));
  g_assert_nonnull (strstr (search, "课程a"));
  g_assert_nonnull (strstr (search, "early bird"));
  g_assert_nonnull (strstr (search, "ada@example.com"));
  g_assert_nonnull (strstr (search, "ada lovelace"));
  g_clear_pointer (&search, g_free);
  g_assert_cmpint (query_int (fixture, "SELECT updated_at FROM contacts WHERE id = ?", id),
                   >, 1000);

  /* The object reads them as one text. */
  contact = ct_contact_load (fixture->db, id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (ct_contact_get_tags (contact), "VIP"));
  g_assert_nonnull (strstr (ct_contact_get_tags (contact), "课程A"));
  g_assert_nonnull (strstr (ct_contact_get_tags (contact), ", "));

  /* Another contact's tags are its own. */
  g_assert_true (ct_contact_set_tags (fixture->db, other, other_tags, &error));
  list = ct_contact_get_tag_list (fixture->db, other, &error);
  g_assert_cmpuint (g_strv_length (list), ==, 1);
  g_clear_pointer (&list, g_strfreev);

  /* Replacing drops what is not named again, in search too. */
  g_assert_true (ct_contact_set_tags (fixture->db, id, other_tags, &error));
  g_assert_no_error (error);
  list = ct_contact_get_tag_list (fixture->db, id, &error);
  g_assert_cmpuint (g_strv_length (list), ==, 1);
  g_assert_cmpstr (list[0], ==, "Renewed");
  g_clear_pointer (&list, g_strfreev);
  search = query_text (fixture, "SELECT search_text FROM contacts WHERE id = ?", id);
  g_assert_null (strstr (search, "vip"));
  g_assert_nonnull (strstr (search, "renewed"));
  g_clear_pointer (&search, g_free);
  /* One "Renewed" tag for both contacts. */
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM tags WHERE name = 'renewed'", 0),
                   ==, 1);

  /* None at all. */
  g_assert_true (ct_contact_set_tags (fixture->db, id, NULL, &error));
  list = ct_contact_get_tag_list (fixture->db, id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (list);
  g_assert_cmpuint (g_strv_length (list), ==, 0);
  search = query_text (fixture, "SELECT search_text FROM contacts WHERE id = ?", id);
  g_assert_null (strstr (search, "renewed"));
  /* The tags themselves stay for other contacts and pickers. */
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM tags", 0), ==, 4);
}

static void
test_tags_missing_contact (Fixture       *fixture,
                           gconstpointer  data)
{
  const char * const tags[] = { "ghost", NULL };
  g_auto(GStrv) list = NULL;
  GError *error = NULL;

  g_assert_false (ct_contact_set_tags (fixture->db, 4242, tags, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM tags", 0), ==, 0);
  g_assert_cmpuint (count_changed (fixture, "contacts"), ==, 0);
  g_assert_true (sqlite3_get_autocommit (ct_db_get_handle (fixture->db)));

  list = ct_contact_get_tag_list (fixture->db, 4242, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (list), ==, 0);
}

static void
test_tags_in_transaction (Fixture       *fixture,
                          gconstpointer  data)
{
  const char * const tags[] = { "imported", NULL };
  g_auto(GStrv) list = NULL;
  GError *error = NULL;
  gint64 id;

  id = insert (fixture, "ada@example.com", "Ada", NULL);

  /* An import holds a transaction and rolls it all back. */
  g_assert_true (ct_db_begin (fixture->db, &error));
  g_assert_true (ct_contact_set_tags (fixture->db, id, tags, &error));
  g_assert_no_error (error);
  g_assert_false (sqlite3_get_autocommit (ct_db_get_handle (fixture->db)));
  ct_db_rollback (fixture->db);

  list = ct_contact_get_tag_list (fixture->db, id, &error);
  g_assert_cmpuint (g_strv_length (list), ==, 0);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM tags", 0), ==, 0);
}

/* Deleting and restoring */

typedef struct
{
  gint64 id;
  gint64 channel_id;
  gint64 product_id;
  char  *contact_row;
  char  *purchase_rows;
  char  *tags;
} Sample;

static void
sample_clear (Sample *sample)
{
  g_free (sample->contact_row);
  g_free (sample->purchase_rows);
  g_free (sample->tags);
}

/* A contact with everything: channel, tags, custom attributes, consent,
 * and purchases, one refunded and one with an external reference. */
static void
make_sample (Fixture *fixture,
             Sample  *sample)
{
  g_autoptr(CtContact) contact = make_contact ("ada@example.com", "Ada", "Lovelace");
  g_autoptr(sqlite3_stmt) stmt = NULL;
  const char * const tags[] = { "vip", "课程A", NULL };
  GError *error = NULL;

  sample->channel_id = ct_channel_ensure (fixture->db, "WeChat", &error);
  g_assert_no_error (error);
  g_assert_true (ct_db_exec (fixture->db,
                             "INSERT INTO products (name, kind, price) VALUES ('Course', 'course', 19900)",
                             &error));
  sample->product_id = sqlite3_last_insert_rowid (ct_db_get_handle (fixture->db));

  /* Someone before, so that the id is not 1 and not reused. */
  insert (fixture, "first@example.com", "First", NULL);

  ct_contact_set_phone (contact, "13800000000");
  ct_contact_set_company (contact, "Engines");
  ct_contact_set_channel_id (contact, sample->channel_id);
  ct_contact_set_status (contact, CT_CONTACT_UNSUBSCRIBED);
  ct_contact_set_notes (contact, "Prefers email");
  g_assert_true (ct_contact_insert (fixture->db, contact, &error));
  g_assert_no_error (error);
  sample->id = ct_contact_get_id (contact);

  /* And someone after. */
  insert (fixture, "last@example.com", "Last", NULL);

  g_assert_true (ct_contact_set_tags (fixture->db, sample->id, tags, &error));
  g_assert_no_error (error);

  stmt = ct_db_prepare (fixture->db,
                        "UPDATE contacts SET consent_at = 1600000000, consent_source = 'form',"
                        " attributes = '{\"city\":\"上海\",\"level\":3}',"
                        " created_at = 1500000000, updated_at = 1650000000"
                        " WHERE id = ?",
                        &error);
  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, sample->id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = ct_db_prepare (fixture->db,
                        "INSERT INTO purchases (contact_id, product_id, amount, currency,"
                        " purchased_at, channel_id, source, external_ref, refunded, created_at)"
                        " VALUES (?1, ?2, 19900, 'CNY', 1700000000, ?3, 'xiaoe', 'ORD-1', 0, 1700000001),"
                        " (?1, NULL, 4900, 'CNY', 1690000000, NULL, 'manual', NULL, 0, 1690000001),"
                        " (?1, ?2, 8800, 'CNY', 1710000000, ?3, 'xiaoe', 'ORD-2', 1, 1710000001)",
                        &error);
  g_assert_no_error (error);
  sqlite3_bind_int64 (stmt, 1, sample->id);
  sqlite3_bind_int64 (stmt, 2, sample->product_id);
  sqlite3_bind_int64 (stmt, 3, sample->channel_id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);

  /* The triggers did their sums: the refund does not count. */
  g_assert_cmpint (query_int (fixture, "SELECT purchase_count FROM contacts WHERE id = ?",
                              sample->id), ==, 2);
  g_assert_cmpint (query_int (fixture, "SELECT total_spent FROM contacts WHERE id = ?",
                              sample->id), ==, 24800);

  sample->contact_row = dump (fixture, "SELECT * FROM contacts WHERE id = ?", sample->id);
  sample->purchase_rows = dump (fixture, "SELECT * FROM purchases WHERE contact_id = ? ORDER BY id",
                                sample->id);
  sample->tags = dump (fixture, "SELECT tag_id FROM contact_tags WHERE contact_id = ? ORDER BY tag_id",
                       sample->id);
  g_ptr_array_set_size (fixture->changed, 0);
}

static void
assert_sample_back (Fixture *fixture,
                    Sample  *sample)
{
  g_autofree char *contact_row = dump (fixture, "SELECT * FROM contacts WHERE id = ?", sample->id);
  g_autofree char *purchase_rows = dump (fixture, "SELECT * FROM purchases WHERE contact_id = ?"
                                                  " ORDER BY id", sample->id);
  g_autofree char *tags = dump (fixture, "SELECT tag_id FROM contact_tags WHERE contact_id = ?"
                                         " ORDER BY tag_id", sample->id);

  /* Every column, figures and search text included, as it was. */
  g_assert_cmpstr (contact_row, ==, sample->contact_row);
  g_assert_cmpstr (purchase_rows, ==, sample->purchase_rows);
  g_assert_cmpstr (tags, ==, sample->tags);
}

static void
test_delete_restore (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(CtContactSnapshot) snapshot = NULL;
  g_autoptr(CtContact) contact = NULL;
  g_autofree char *name = NULL;
  g_autofree char *others_before = NULL;
  g_autofree char *others_after = NULL;
  GError *error = NULL;
  Sample sample = { 0 };

  make_sample (fixture, &sample);
  others_before = dump (fixture, "SELECT * FROM contacts WHERE id != ? ORDER BY id", sample.id);

  snapshot = ct_contact_delete (fixture->db, sample.id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (snapshot);
  g_assert_cmpint (ct_contact_snapshot_get_id (snapshot), ==, sample.id);
  name = ct_contact_snapshot_dup_display_name (snapshot);
  g_assert_cmpstr (name, ==, "Ada Lovelace");

  /* Gone with its tags and purchases; the tags themselves stay. */
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM contacts WHERE id = ?", sample.id),
                   ==, 0);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM purchases", 0), ==, 0);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM contact_tags", 0), ==, 0);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM tags", 0), ==, 2);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM contacts", 0), ==, 2);
  contact = ct_contact_load (fixture->db, sample.id, &error);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (contact);

  g_assert_cmpuint (count_changed (fixture, "contacts"), ==, 1);
  g_assert_cmpuint (count_changed (fixture, "purchases"), ==, 1);
  g_assert_true (sqlite3_get_autocommit (ct_db_get_handle (fixture->db)));

  g_ptr_array_set_size (fixture->changed, 0);
  g_assert_true (ct_contact_restore (fixture->db, snapshot, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_changed (fixture, "contacts"), ==, 1);
  g_assert_cmpuint (count_changed (fixture, "purchases"), ==, 1);

  assert_sample_back (fixture, &sample);

  contact = ct_contact_load (fixture->db, sample.id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ct_contact_get_display_name (contact), ==, "Ada Lovelace");
  g_assert_cmpstr (ct_contact_get_channel (contact), ==, "WeChat");
  g_assert_cmpint (ct_contact_get_purchase_count (contact), ==, 2);
  g_assert_cmpint (ct_contact_get_total_spent (contact), ==, 24800);
  g_assert_cmpint (ct_contact_get_last_purchase_at (contact), ==, 1700000000);
  g_assert_cmpint (query_int (fixture, "SELECT first_purchase_at FROM contacts WHERE id = ?",
                              sample.id), ==, 1690000000);

  /* Nobody else was touched. */
  others_after = dump (fixture, "SELECT * FROM contacts WHERE id != ? ORDER BY id", sample.id);
  g_assert_cmpstr (others_after, ==, others_before);

  /* Deleted and restored again: still the same. */
  g_clear_pointer (&snapshot, ct_contact_snapshot_free);
  snapshot = ct_contact_delete (fixture->db, sample.id, &error);
  g_assert_no_error (error);
  g_assert_true (ct_contact_restore (fixture->db, snapshot, &error));
  g_assert_no_error (error);
  assert_sample_back (fixture, &sample);

  /* Restoring twice is refused, and changes nothing. */
  g_assert_false (ct_contact_restore (fixture->db, snapshot, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  g_clear_error (&error);
  assert_sample_back (fixture, &sample);
  g_assert_true (sqlite3_get_autocommit (ct_db_get_handle (fixture->db)));

  sample_clear (&sample);
}

static void
test_delete_missing (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(CtContactSnapshot) snapshot = NULL;
  GError *error = NULL;

  snapshot = ct_contact_delete (fixture->db, 777, &error);
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_assert_null (snapshot);
  g_clear_error (&error);
  g_assert_cmpuint (fixture->changed->len, ==, 0);
  g_assert_true (sqlite3_get_autocommit (ct_db_get_handle (fixture->db)));
}

static void
test_restore_email_taken (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(CtContactSnapshot) snapshot = NULL;
  GError *error = NULL;
  Sample sample = { 0 };
  gint64 newcomer;

  make_sample (fixture, &sample);
  snapshot = ct_contact_delete (fixture->db, sample.id, &error);
  g_assert_no_error (error);

  /* Someone else took the address meanwhile. */
  newcomer = insert (fixture, "ADA@example.com", "Another", "Ada");
  g_ptr_array_set_size (fixture->changed, 0);

  g_assert_false (ct_contact_restore (fixture->db, snapshot, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_CONSTRAINT);
  g_assert_cmpstr (error->message, ==, "Another contact already has the email “ada@example.com”.");
  g_clear_error (&error);

  /* Nothing half restored. */
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM contacts WHERE id = ?", sample.id),
                   ==, 0);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM purchases", 0), ==, 0);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM contact_tags", 0), ==, 0);
  g_assert_cmpuint (fixture->changed->len, ==, 0);
  g_assert_true (sqlite3_get_autocommit (ct_db_get_handle (fixture->db)));

  /* Once the address is free again, the snapshot still works. */
  {
    g_autoptr(CtContactSnapshot) other = ct_contact_delete (fixture->db, newcomer, &error);
    g_assert_no_error (error);
  }
  g_assert_true (ct_contact_restore (fixture->db, snapshot, &error));
  g_assert_no_error (error);
  assert_sample_back (fixture, &sample);

  sample_clear (&sample);
}

static void
test_restore_after_removals (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(CtContactSnapshot) snapshot = NULL;
  g_auto(GStrv) tags = NULL;
  g_autoptr(CtContact) contact = NULL;
  GError *error = NULL;
  Sample sample = { 0 };

  make_sample (fixture, &sample);
  snapshot = ct_contact_delete (fixture->db, sample.id, &error);
  g_assert_no_error (error);

  /* The product, the channel and a tag went away meanwhile. */
  g_assert_true (ct_db_exec (fixture->db,
                             "DELETE FROM products; DELETE FROM channels;"
                             " DELETE FROM tags WHERE name = 'vip'",
                             &error));
  g_assert_no_error (error);

  g_assert_true (ct_contact_restore (fixture->db, snapshot, &error));
  g_assert_no_error (error);

  /* What pointed at them is empty, as if it had been there when they went. */
  contact = ct_contact_load (fixture->db, sample.id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ct_contact_get_channel_id (contact), ==, 0);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM purchases WHERE product_id IS NOT NULL"
                                       " OR channel_id IS NOT NULL", 0), ==, 0);
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM purchases", 0), ==, 3);
  g_assert_cmpint (ct_contact_get_total_spent (contact), ==, 24800);

  /* The removed tag is made again. */
  tags = ct_contact_get_tag_list (fixture->db, sample.id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (tags), ==, 2);
  g_assert_cmpstr (tags[0], ==, "vip");
  g_assert_cmpstr (tags[1], ==, "课程A");

  sample_clear (&sample);
}

static void
test_delete_in_transaction (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(CtContactSnapshot) snapshot = NULL;
  GError *error = NULL;
  Sample sample = { 0 };

  make_sample (fixture, &sample);

  /* Inside a caller's transaction the delete is part of it. */
  g_assert_true (ct_db_begin (fixture->db, &error));
  snapshot = ct_contact_delete (fixture->db, sample.id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (snapshot);
  g_assert_false (sqlite3_get_autocommit (ct_db_get_handle (fixture->db)));
  g_assert_cmpint (query_int (fixture, "SELECT count(*) FROM contacts WHERE id = ?", sample.id),
                   ==, 0);
  ct_db_rollback (fixture->db);

  assert_sample_back (fixture, &sample);
  sample_clear (&sample);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/contact/status", test_status);
  g_test_add_func ("/contact/format-name", test_format_name);
  g_test_add_func ("/contact/properties", test_properties);
  g_test_add_func ("/contact/notify", test_notify);
  g_test_add_func ("/contact/display-name-fallback", test_display_name_fallback);
  g_test_add_func ("/contact/validate", test_validate);
  ADD ("/contact/insert-load", test_insert_load);
  ADD ("/contact/load-missing", test_load_missing);
  ADD ("/contact/insert-invalid", test_insert_invalid);
  ADD ("/contact/no-email", test_no_email);
  ADD ("/contact/duplicate-email", test_duplicate_email);
  ADD ("/contact/update", test_update);
  ADD ("/contact/update-deleted", test_update_deleted);
  ADD ("/contact/new-from-row", test_new_from_row);
  ADD ("/contact/tags/ensure", test_tag_ensure);
  ADD ("/contact/tags/set-get", test_tags);
  ADD ("/contact/tags/missing-contact", test_tags_missing_contact);
  ADD ("/contact/tags/in-transaction", test_tags_in_transaction);
  ADD ("/contact/delete/restore", test_delete_restore);
  ADD ("/contact/delete/missing", test_delete_missing);
  ADD ("/contact/delete/restore-email-taken", test_restore_email_taken);
  ADD ("/contact/delete/restore-after-removals", test_restore_after_removals);
  ADD ("/contact/delete/in-transaction", test_delete_in_transaction);

  return g_test_run ();
}
