/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-vcard.c: tests for ct-vcard */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <glib/gstdio.h>

#include "ct-contact.h"
#include "ct-vcard.h"

static GPtrArray *
parse (const char *text)
{
  GError *error = NULL;
  GPtrArray *cards = ct_vcard_parse (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_nonnull (cards);
  return cards;
}

static CtVcardCard *
card_at (GPtrArray *cards,
         guint      i)
{
  g_assert_cmpuint (i, <, cards->len);
  return g_ptr_array_index (cards, i);
}

static void
test_parse_30 (void)
{
  /* As macOS Contacts writes it, with a folded note and a grouped
   * property. */
  const char *text =
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "N:Lovelace;Ada;Augusta;;\r\n"
    "FN:Ada Augusta Lovelace\r\n"
    "ORG:Analytical Engines\\, Ltd;Research\r\n"
    "EMAIL;type=INTERNET;type=HOME:ada@home.example\r\n"
    "EMAIL;type=INTERNET;type=WORK;type=pref:ada@work.example\r\n"
    "item1.TEL;type=CELL:+44 20 7946 0000\r\n"
    "NOTE:First line\\nsecond line\\, with a comma and a \\; and a backslash \\\\ an\r\n"
    " d a folded end\r\n"
    "CATEGORIES:vip,math\\,s,vip, \r\n"
    "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD\r\n"
    " /2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8Q\r\n"
    "END:VCARD\r\n";
  g_autoptr(GPtrArray) cards = parse (text);
  CtVcardCard *card;

  g_assert_cmpuint (cards->len, ==, 1);
  card = card_at (cards, 0);
  g_assert_cmpuint (card->line, ==, 1);
  g_assert_cmpstr (card->last_name, ==, "Lovelace");
  g_assert_cmpstr (card->first_name, ==, "Ada Augusta");
  g_assert_cmpstr (card->company, ==, "Analytical Engines, Ltd");
  /* The preferred address wins over the first. */
  g_assert_cmpstr (card->email, ==, "ada@work.example");
  g_assert_cmpstr (card->phone, ==, "+44 20 7946 0000");
  g_assert_cmpstr (card->notes, ==,
                   "First line\nsecond line, with a comma and a ; and a backslash \\ and a folded end");
  g_assert_nonnull (card->tags);
  g_assert_cmpuint (g_strv_length (card->tags), ==, 2);
  g_assert_cmpstr (card->tags[0], ==, "vip");
  g_assert_cmpstr (card->tags[1], ==, "math,s");
}

static void
test_parse_40 (void)
{
  /* 4.0: tel: URIs, PREF=, quoted parameter values, no N (the formatted
   * name is split), LF line ends, a Chinese name folded in the middle of
   * a character's bytes is not possible here, so across characters. */
  const char *text =
    "BEGIN:VCARD\n"
    "VERSION:4.0\n"
    "FN:欧阳娜\n"
    " 娜\n"
    "EMAIL;TYPE=work:nana@example.cn\n"
    "EMAIL;PREF=1:nana@pref.example.cn\n"
    "TEL;VALUE=uri;TYPE=\"voice,cell\";PREF=2:tel:+86-138-0013-8000;ext=12\n"
    "TEL;VALUE=uri;PREF=5:tel:+86-10-1234-5678\n"
    "CATEGORIES:读书会,年度会员\n"
    "END:VCARD\n"
    "\n"
    "BEGIN:VCARD\n"
    "VERSION:4.0\n"
    "FN:张伟\n"
    "N:张;伟;;;\n"
    "EMAIL:mailto:wei@example.com\n"
    "END:VCARD\n";
  g_autoptr(GPtrArray) cards = parse (text);
  CtVcardCard *card;

  g_assert_cmpuint (cards->len, ==, 2);
  card = card_at (cards, 0);
  g_assert_cmpstr (card->last_name, ==, "欧阳");
  g_assert_cmpstr (card->first_name, ==, "娜娜");
  g_assert_cmpstr (card->email, ==, "nana@pref.example.cn");
  g_assert_cmpstr (card->phone, ==, "+86-138-0013-8000");
  g_assert_null (card->company);
  g_assert_null (card->notes);
  g_assert_cmpuint (g_strv_length (card->tags), ==, 2);
  g_assert_cmpstr (card->tags[0], ==, "读书会");
  g_assert_cmpstr (card->tags[1], ==, "年度会员");

  card = card_at (cards, 1);
  g_assert_cmpuint (card->line, ==, 12);
  g_assert_cmpstr (card->last_name, ==, "张");
  g_assert_cmpstr (card->first_name, ==, "伟");
  g_assert_cmpstr (card->email, ==, "wei@example.com");
  g_assert_null (card->phone);
  g_assert_null (card->tags);
}

static void
test_parse_21 (void)
{
  /* vCard 2.1 as older Android phones export Chinese names:
   * quoted-printable UTF-8 with soft line breaks, and GB2312. */
  g_autofree char *gb_name = g_convert ("李雷", -1, "GB18030", "UTF-8", NULL, NULL, NULL);
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) cards = NULL;
  CtVcardCard *card;

  g_assert_nonnull (gb_name);
  text = g_strconcat (
    "BEGIN:VCARD\r\n"
    "VERSION:2.1\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E7=8E=8B;=E5=B0=8F=E6=98=8E;;;\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E7=8E=8B=E5=B0=8F=E6=98=8E\r\n"
    "TEL;CELL;PREF:13800138000\r\n"
    "TEL;HOME:010-12345678\r\n"
    "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:=E5=A4=87=E6=B3=A8=EF=BC=9A=E8=80=81=E5=\r\n"
    "=AE=A2=E6=88=B7 and 5=3D5\r\n"
    "EMAIL;INTERNET:xiaoming@example.com\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\n"
    "VERSION:2.1\r\n"
    "N;CHARSET=GB2312:", gb_name, ";;;;\r\n"
    "TEL;CELL:13900000000\r\n"
    "END:VCARD\r\n", NULL);

  cards = parse (text);
  g_assert_cmpuint (cards->len, ==, 2);
  card = card_at (cards, 0);
  g_assert_cmpstr (card->last_name, ==, "王");
  g_assert_cmpstr (card->first_name, ==, "小明");
  g_assert_cmpstr (card->phone, ==, "13800138000");
  g_assert_cmpstr (card->email, ==, "xiaoming@example.com");
  g_assert_cmpstr (card->notes, ==, "备注：老客户 and 5=5");

  card = card_at (cards, 1);
  g_assert_cmpuint (card->line, ==, 11);
  g_assert_cmpstr (card->last_name, ==, "李雷");
  g_assert_null (card->first_name);
  g_assert_cmpstr (card->phone, ==, "13900000000");
}

static void
test_parse_odd (void)
{
  GError *error = NULL;
  GPtrArray *none;
  g_autoptr(GPtrArray) cards = NULL;
  /* A BOM, lower-case keywords, an AGENT card nested inside, and a last
   * card cut off before END. */
  const char *text =
    "\xEF\xBB\xBF" "begin:vcard\r\n"
    "version:3.0\r\n"
    "fn:Outer Person\r\n"
    "AGENT:\r\n"
    "BEGIN:VCARD\r\n"
    "FN:Inner Agent\r\n"
    "EMAIL:agent@example.com\r\n"
    "END:VCARD\r\n"
    "email:outer@example.com\r\n"
    "end:vcard\r\n"
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "FN:Cut Off\r\n"
    "EMAIL:cut@example.com\r\n";

  cards = parse (text);
  g_assert_cmpuint (cards->len, ==, 2);
  g_assert_cmpstr (card_at (cards, 0)->email, ==, "outer@example.com");
  g_assert_cmpstr (card_at (cards, 0)->first_name, ==, "Outer");
  g_assert_cmpstr (card_at (cards, 0)->last_name, ==, "Person");
  g_assert_cmpstr (card_at (cards, 1)->email, ==, "cut@example.com");
  g_assert_cmpuint (card_at (cards, 1)->line, ==, 11);

  /* Not a vCard at all. */
  none = ct_vcard_parse ("email,name\na@b.c,A\n", 18, &error);
  g_assert_null (none);
  g_assert_error (error, CT_VCARD_ERROR, CT_VCARD_ERROR_NO_CARD);
  g_clear_error (&error);
  none = ct_vcard_parse ("", 0, &error);
  g_assert_null (none);
  g_assert_error (error, CT_VCARD_ERROR, CT_VCARD_ERROR_NO_CARD);
  g_clear_error (&error);

  /* Bytes that are text in no charset named. */
  none = ct_vcard_parse ("BEGIN:VCARD\nN;CHARSET=UTF-16:\xff\nEND:VCARD\n", 37, &error);
  g_assert_null (none);
  g_assert_error (error, CT_VCARD_ERROR, CT_VCARD_ERROR_ENCODING);
  g_assert_nonnull (strstr (error->message, "Line 2"));
  g_clear_error (&error);
}

/* UTF-16 with a BOM, as some Windows address books save. */
static void
test_parse_utf16 (void)
{
  const char *utf8 = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:张;伟;;;\r\nEND:VCARD\r\n";
  gsize len = 0;
  g_autofree char *utf16 = g_convert (utf8, -1, "UTF-16LE", "UTF-8", NULL, &len, NULL);
  g_autofree char *with_bom = g_malloc (len + 2);
  g_autoptr(GPtrArray) cards = NULL;
  GError *error = NULL;

  with_bom[0] = (char) 0xFF;
  with_bom[1] = (char) 0xFE;
  memcpy (with_bom + 2, utf16, len);
  cards = ct_vcard_parse (with_bom, len + 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cards->len, ==, 1);
  g_assert_cmpstr (card_at (cards, 0)->last_name, ==, "张");
}

static void
check_folding (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\r\n", -1);

  /* CRLF everywhere, no bare LF, and no line over 75 octets. */
  for (const char *p = text; *p != '\0'; p++)
    if (*p == '\n')
      g_assert_true (p > text && p[-1] == '\r');
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_assert_cmpuint (strlen (lines[i]), <=, 75);
      g_assert_true (g_utf8_validate (lines[i], -1, NULL));
    }
}

static void
test_write (void)
{
  const char *tags[] = { "vip", "a,b;c", NULL };
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *long_note = NULL;
  g_autoptr(GPtrArray) cards = NULL;
  GString *note = g_string_new (NULL);
  CtVcardCard *card;

  for (guint i = 0; i < 40; i++)
    g_string_append (note, "很长的备注，");
  g_string_append (note, "\nline two; with \\ backslash");
  long_note = g_string_free (note, FALSE);

  ct_vcard_append_card (out, CT_VCARD_3_0, "wei@example.com", "伟", "张", "138 0013 8000",
                        "公司", long_note, tags);
  g_assert_true (g_str_has_prefix (out->str, "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:张伟\r\nN:张;伟;;;\r\n"));
  g_assert_nonnull (strstr (out->str, "EMAIL;TYPE=INTERNET:wei@example.com\r\n"));
  g_assert_nonnull (strstr (out->str, "CATEGORIES:vip,a\\,b\\;c\r\n"));
  g_assert_true (g_str_has_suffix (out->str, "END:VCARD\r\n"));
  check_folding (out->str);

  /* A contact with nothing but a phone is still a valid card. */
  ct_vcard_append_card (out, CT_VCARD_4_0, NULL, "", NULL, "+1 555 0100", NULL, NULL, NULL);
  g_assert_nonnull (strstr (out->str, "VERSION:4.0\r\nFN:+1 555 0100\r\nN:;;;;\r\nTEL;VALUE=text:+1 555 0100\r\n"));
  check_folding (out->str);

  cards = parse (out->str);
  g_assert_cmpuint (cards->len, ==, 2);
  card = card_at (cards, 0);
  g_assert_cmpstr (card->email, ==, "wei@example.com");
  g_assert_cmpstr (card->first_name, ==, "伟");
  g_assert_cmpstr (card->last_name, ==, "张");
  g_assert_cmpstr (card->phone, ==, "138 0013 8000");
  g_assert_cmpstr (card->company, ==, "公司");
  g_assert_cmpstr (card->notes, ==, long_note);
  g_assert_cmpuint (g_strv_length (card->tags), ==, 2);
  g_assert_cmpstr (card->tags[1], ==, "a,b;c");
  card = card_at (cards, 1);
  g_assert_null (card->email);
  g_assert_null (card->first_name);
  g_assert_null (card->last_name);
  g_assert_cmpstr (card->phone, ==, "+1 555 0100");
}

typedef struct
{
  char *dir;
  char *path;
  CtDb *db;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  GError *error = NULL;

  f->dir = g_dir_make_tmp ("clientele-test-vcard-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "clientele.db", NULL);
  f->db = ct_db_open (f->path, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_object (&f->db);
  dir = g_dir_open (f->dir, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (f->dir, name, NULL);
      g_remove (child);
    }
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static gint64
add_contact (Fixture            *f,
             const char         *email,
             const char         *first,
             const char         *last,
             const char         *phone,
             const char         *notes,
             const char * const *tags)
{
  g_autoptr(CtContact) contact = ct_contact_new ();
  GError *error = NULL;

  ct_contact_set_email (contact, email);
  ct_contact_set_first_name (contact, first);
  ct_contact_set_last_name (contact, last);
  ct_contact_set_phone (contact, phone);
  ct_contact_set_notes (contact, notes);
  ct_contact_set_company (contact, "Acme; Ltd");
  ct_contact_insert (f->db, contact, &error);
  g_assert_no_error (error);
  if (tags != NULL)
    {
      ct_contact_set_tags (f->db, ct_contact_get_id (contact), tags, &error);
      g_assert_no_error (error);
    }
  return ct_contact_get_id (contact);
}

static void
export_and_check (Fixture        *f,
                  CtVcardVersion  version)
{
  const char *tags[] = { "课程A", "vip", NULL };
  g_autofree char *path = g_build_filename (f->dir, "contacts.vcf", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GPtrArray) cards = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *contents = NULL;
  gsize len = 0;
  GError *error = NULL;
  guint n = 0;
  gint64 wei, ada, missing = 12345;

  wei = add_contact (f, "wei@example.com", "伟", "张", "13800138000", "老客户\n第二行", tags);
  ada = add_contact (f, "ada@example.com", "Ada", "Lovelace", "", "", NULL);

  g_assert_true (ct_vcard_export_to_file (f->db, NULL, version, file, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  check_folding (contents);
  g_assert_true (g_str_has_prefix (contents, version == CT_VCARD_4_0
                                   ? "BEGIN:VCARD\r\nVERSION:4.0\r\n"
                                   : "BEGIN:VCARD\r\nVERSION:3.0\r\n"));
  cards = parse (contents);
  g_assert_cmpuint (cards->len, ==, 2);
  /* By name: "LovelaceAda" before "张伟". */
  g_assert_cmpstr (card_at (cards, 0)->email, ==, "ada@example.com");
  g_assert_null (card_at (cards, 0)->notes);
  g_assert_null (card_at (cards, 0)->tags);
  g_assert_cmpstr (card_at (cards, 1)->email, ==, "wei@example.com");
  g_assert_cmpstr (card_at (cards, 1)->first_name, ==, "伟");
  g_assert_cmpstr (card_at (cards, 1)->last_name, ==, "张");
  g_assert_cmpstr (card_at (cards, 1)->phone, ==, "13800138000");
  g_assert_cmpstr (card_at (cards, 1)->company, ==, "Acme; Ltd");
  g_assert_cmpstr (card_at (cards, 1)->notes, ==, "老客户\n第二行");
  g_assert_cmpuint (g_strv_length (card_at (cards, 1)->tags), ==, 2);
  g_assert_cmpstr (card_at (cards, 1)->tags[0], ==, "vip");
  g_assert_cmpstr (card_at (cards, 1)->tags[1], ==, "课程A");

  /* The given ids, in their order. */
  g_array_append_val (ids, wei);
  g_assert_true (ct_vcard_export_to_file (f->db, ids, version, file, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  g_clear_pointer (&contents, g_free);
  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (contents, "wei@example.com"));
  g_assert_null (strstr (contents, "ada@example.com"));

  /* A missing id fails and leaves the last good file. */
  g_array_append_val (ids, missing);
  g_array_append_val (ids, ada);
  g_assert_false (ct_vcard_export_to_file (f->db, ids, version, file, &n, NULL, &error));
  g_assert_error (error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND);
  g_clear_error (&error);
  {
    g_autofree char *again = NULL;

    g_file_get_contents (path, &again, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (again, ==, contents);
  }
  g_assert_true (sqlite3_get_autocommit (ct_db_get_handle (f->db)));
}

static void
test_export_30 (Fixture       *f,
                gconstpointer  data)
{
  export_and_check (f, CT_VCARD_3_0);
}

static void
test_export_40 (Fixture       *f,
                gconstpointer  data)
{
  export_and_check (f, CT_VCARD_4_0);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/vcard/parse-3.0", test_parse_30);
  g_test_add_func ("/vcard/parse-4.0", test_parse_40);
  g_test_add_func ("/vcard/parse-2.1", test_parse_21);
  g_test_add_func ("/vcard/parse-odd", test_parse_odd);
  g_test_add_func ("/vcard/parse-utf16", test_parse_utf16);
  g_test_add_func ("/vcard/write", test_write);
  g_test_add ("/vcard/export-3.0", Fixture, NULL, fixture_set_up, test_export_30, fixture_tear_down);
  g_test_add ("/vcard/export-4.0", Fixture, NULL, fixture_set_up, test_export_40, fixture_tear_down);

  return g_test_run ();
}
