/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-mail-render.c: the request bodies of every provider, byte for byte
 *
 * The providers write their request bodies straight from the compiled
 * templates; a faster way of writing them must not change one byte. A
 * local server records each request body as sent, and its SHA-256 is
 * compared with the one the straightforward renderer (render each
 * message to a string, then quote it for JSON) produced for the same
 * batch: merge fields with and without defaults, missing and empty
 * values, HTML-special characters, Chinese, control characters, the
 * preheader and the unsubscribe link.
 *
 * CT_TEST_PRINT_BODIES=1 prints each body and its checksum.
 */
#include "config.h"

#include <string.h>
#include <libsoup/soup.h>

#include "ct-mail-provider.h"
#include "ct-mail-template.h"
#include "ct-outbox.h"

#define KEY "render-key-0123456789"

typedef struct
{
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  SoupServer *server;
  char *base_url;
  GMutex lock;
  GCond ready;
  gboolean started;
  GPtrArray *bodies;          /* of char *, under lock */
} Recorder;

/* The multipart boundary of a form body is random: put a fixed word in
 * its place so that the checksum covers everything else. */
static char *
normalise (const char *body,
           gsize       length,
           const char *content_type)
{
  g_autofree char *text = g_strndup (body, length);
  const char *b = content_type != NULL ? strstr (content_type, "boundary=") : NULL;
  g_autofree char *boundary = NULL;
  g_auto(GStrv) pieces = NULL;

  if (b == NULL)
    return g_steal_pointer (&text);
  boundary = g_strdup (b + strlen ("boundary="));
  if (boundary[0] == '"')
    {
      memmove (boundary, boundary + 1, strlen (boundary));
      boundary[strcspn (boundary, "\"")] = '\0';
    }
  pieces = g_strsplit (text, boundary, -1);
  return g_strjoinv ("BOUNDARY", pieces);
}

static void
handle (SoupServer        *server,
        SoupServerMessage *msg,
        const char        *path,
        GHashTable        *query,
        gpointer           data)
{
  Recorder *rec = data;
  SoupMessageBody *request = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) flat = soup_message_body_flatten (request);
  const char *type = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                   "Content-Type");
  char *text = normalise (g_bytes_get_data (flat, NULL), g_bytes_get_size (flat), type);

  g_mutex_lock (&rec->lock);
  g_ptr_array_add (rec->bodies, text);
  g_mutex_unlock (&rec->lock);
  /* The answer does not matter here: "bad request" ends the send. */
  soup_server_message_set_status (msg, 422, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, "{}", 2);
}

static gpointer
recorder_thread (gpointer data)
{
  Recorder *rec = data;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (rec->context);
  rec->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (rec->server, NULL, handle, rec, NULL);
  g_assert_true (soup_server_listen_local (rec->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (rec->server);
  g_mutex_lock (&rec->lock);
  rec->base_url = g_uri_to_string (uris->data);
  if (g_str_has_suffix (rec->base_url, "/"))
    rec->base_url[strlen (rec->base_url) - 1] = '\0';
  rec->started = TRUE;
  g_cond_signal (&rec->ready);
  g_mutex_unlock (&rec->lock);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_main_loop_run (rec->loop);
  g_clear_object (&rec->server);
  g_main_context_pop_thread_default (rec->context);
  return NULL;
}

static Recorder *
recorder_new (void)
{
  Recorder *rec = g_new0 (Recorder, 1);

  g_mutex_init (&rec->lock);
  g_cond_init (&rec->ready);
  rec->bodies = g_ptr_array_new_with_free_func (g_free);
  rec->context = g_main_context_new ();
  rec->loop = g_main_loop_new (rec->context, FALSE);
  rec->thread = g_thread_new ("recorder", recorder_thread, rec);
  g_mutex_lock (&rec->lock);
  while (!rec->started)
    g_cond_wait (&rec->ready, &rec->lock);
  g_mutex_unlock (&rec->lock);
  return rec;
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
recorder_free (Recorder *rec)
{
  g_main_context_invoke (rec->context, quit_loop, rec->loop);
  g_thread_join (rec->thread);
  g_main_loop_unref (rec->loop);
  g_main_context_unref (rec->context);
  g_ptr_array_unref (rec->bodies);
  g_free (rec->base_url);
  g_mutex_clear (&rec->lock);
  g_cond_clear (&rec->ready);
  g_free (rec);
}

static CtMailRecipient *
recipient (gint64      id,
           const char *email,
           const char *name,
           const char *first_name,
           const char *company,
           const char *last_product,
           const char *one_click)
{
  CtMailRecipient *r = ct_mail_recipient_new ();

  r->outbox_id = 1000 + id;
  r->contact_id = id;
  r->email = g_strdup (email);
  r->name = g_strdup (name);
  r->values[CT_MAIL_FIELD_FIRST_NAME] = g_strdup (first_name);
  r->values[CT_MAIL_FIELD_NAME] = g_strdup (name);
  r->values[CT_MAIL_FIELD_EMAIL] = g_strdup (email);
  r->values[CT_MAIL_FIELD_COMPANY] = g_strdup (company);
  r->values[CT_MAIL_FIELD_TIER] = g_strdup (id % 2 == 0 ? "金卡" : "");
  r->values[CT_MAIL_FIELD_POINTS] = g_strdup_printf ("%d", (int) (id * 37));
  r->values[CT_MAIL_FIELD_LAST_PRODUCT] = g_strdup (last_product);
  if (one_click != NULL)
    {
      r->one_click_url = g_strdup (one_click);
      r->values[CT_MAIL_FIELD_UNSUBSCRIBE_URL] = g_strdup (one_click);
    }
  return r;
}

static CtMailBatch *
make_batch (const CtMailContent *content)
{
  CtMailBatch *batch = ct_mail_batch_new ();

  batch->campaign_id = 42;
  batch->content = content;
  batch->from = g_strdup ("知识小店 \"Shop\" <news@shop.example>");
  batch->reply_to = g_strdup ("help@shop.example");
  batch->idempotency_key = g_strdup ("campaign-42-batch-7");
  g_ptr_array_add (batch->recipients,
                   recipient (1, "ann@example.com", "Ann <b>Lee</b>", "Ann & \"Bo\"",
                              "O'Brien & Sons", "《写作的节奏》<课>",
                              "https://shop.example/u?t=a1&x=<1>"));
  g_ptr_array_add (batch->recipients,
                   recipient (2, "wang@example.cn", "王小明", "小明", NULL, "",
                              NULL));
  g_ptr_array_add (batch->recipients,
                   recipient (3, "ctl@example.com", NULL, "Tab\there\nline\x01\x7f\xc2\x85 end\\",
                              "", NULL, "https://shop.example/u?t=c3"));
  g_ptr_array_add (batch->recipients,
                   recipient (4, "none@example.com", "", "", "", NULL, NULL));
  return batch;
}

typedef struct
{
  CtMailProviderKind kind;
  const char *stream;       /* Postmark */
  const char *checksum;     /* SHA-256 of the body */
} Expected;

static const Expected expected[] = {
  { CT_MAIL_PROVIDER_POSTMARK, "broadcast",
    "d40921d7d64f9e8b9de5265e0f80a0e3db15a2386b0d322dc53f63167f990b18" },
  { CT_MAIL_PROVIDER_POSTMARK, "outbound",
    "620a185a3470399aee19191c9eb9ee782d22b96019e5de4b2f9d8792af2d886f" },
  { CT_MAIL_PROVIDER_SENDGRID, NULL,
    "382daaa07dc06e466a1d4c0624a1516aeef16d3e2dd78c825eb4452c691d4854" },
  { CT_MAIL_PROVIDER_MAILGUN, NULL,
    "20cbbb2cd18360d6d30aca81403728d7cc7d308e83d0ef7ba6e6112ba3737c58" },
  { CT_MAIL_PROVIDER_BREVO, NULL,
    "924c2bf8688a5cd002218e2a68e4b09e9a66ed6538d1c9a48759eed0bae3847c" },
  { CT_MAIL_PROVIDER_RESEND, NULL,
    "7769e15ac5baaf0d3ddd433ff283295a546f490e26a1cb24256f75bfb15eedcb" },
};

static void
test_bodies (void)
{
  Recorder *rec = recorder_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CtMailContent) content = NULL;
  gboolean print = g_getenv ("CT_TEST_PRINT_BODIES") != NULL;

  content = ct_mail_content_new_full ("{{first_name|朋友}}，{{company}} 本周 <新课> & \"more\"",
                                      "Hi {{first_name|there}} & {{tier|会员}} <预告>",
                                      "# 本周新课 & <b>\"引号\"</b>\n\n"
                                      "亲爱的 **{{first_name|读者 & 朋友}}**：\n\n"
                                      "你有 {{points|0}} 积分，等级 {{tier|普通}}。"
                                      "上次购买：{{last_product|}}\n\n"
                                      "- 十二节视频课\n- 每周一次答疑\n- 会员八折 \\ \"quote\"\n\n"
                                      "Tab:\there. {{email}} / {{company|个人}} / {{last_name|}}\n\n"
                                      "[退订]({{unsubscribe_url}})\n",
                                      "上海市徐汇区 1 号\nRoom <5> & \"B\"",
                                      "退订 & unsubscribe", &error);
  g_assert_no_error (error);

  for (guint e = 0; e < G_N_ELEMENTS (expected); e++)
    {
      CtMailSettings settings = { 0 };
      g_autoptr(CtMailProvider) provider = NULL;
      g_autoptr(SoupSession) session = NULL;
      CtMailBatch *batch = make_batch (content);
      CtMailResult results[8] = { 0 };
      g_autoptr(GError) send_error = NULL;
      const char *body;
      g_autofree char *sum = NULL;

      settings.configured = TRUE;
      settings.kind = expected[e].kind;
      settings.base_url = rec->base_url;
      settings.domain = (char *) "mg.example.com";
      settings.stream = (char *) expected[e].stream;
      settings.from = batch->from;
      settings.postal_address = (char *) "上海市徐汇区 1 号";
      settings.concurrency = 1;
      settings.timeout = 10;
      provider = ct_mail_settings_new_provider (&settings, KEY);
      session = ct_mail_provider_new_session (provider);
      /* A 422 is a refusal of the whole request or a per-recipient
       * failure depending on the provider; only the body matters. */
      ct_mail_provider_send_batch (provider, session, batch, results, NULL, &send_error);
      for (guint i = 0; i < G_N_ELEMENTS (results); i++)
        ct_mail_result_clear (&results[i]);

      g_mutex_lock (&rec->lock);
      g_assert_cmpuint (rec->bodies->len, ==, e + 1);
      body = g_ptr_array_index (rec->bodies, e);
      g_mutex_unlock (&rec->lock);
      sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, body, -1);
      if (print)
        g_printerr ("%s %s: %s\n%s\n\n", ct_mail_provider_kind_to_name (expected[e].kind),
                    expected[e].stream != NULL ? expected[e].stream : "", sum, body);
      /* The body must carry the recipients' values, escaped. */
      g_assert_nonnull (strstr (body, "wang@example.cn"));
      if (!print)
        g_assert_cmpstr (sum, ==, expected[e].checksum);
      ct_mail_batch_free (batch);
    }
  recorder_free (rec);
}

/* The JSON-ready rendering is the plain rendering quoted for JSON. */
static void
test_json_rendering (void)
{
  static const char * const sources[] = {
    "",
    "plain",
    "{{first_name}}",
    "a \"{{first_name|x\\y}}\"\n\t{{company}}<{{last_product|}}>",
    "前 {{name|朋友}} 后\r\n\x01",
  };
  const char *values[CT_MAIL_N_FIELDS] = {
    "Ann & \"Bo\"\n", NULL, "王 <小明>", NULL, "", "\x02\\", "12", "<i>'x'</i>", "https://a/?b=1&c=2",
  };

  for (guint s = 0; s < G_N_ELEMENTS (sources); s++)
    for (guint kind = CT_MAIL_TEMPLATE_TEXT; kind <= CT_MAIL_TEMPLATE_HTML; kind++)
      for (guint with_values = 0; with_values < 2; with_values++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(CtMailTemplate) t = ct_mail_template_new (sources[s], kind, &error);
          const char * const *v = with_values ? values : NULL;
          g_autofree char *plain = NULL;
          g_autoptr(GString) want = g_string_new (NULL);
          g_autoptr(GString) got = g_string_new ("prefix");

          g_assert_no_error (error);
          plain = ct_mail_template_render (t, v);
          ct_mail_json_escape_append (want, plain, -1);
          g_string_prepend (want, "prefix");
          ct_mail_template_render_json (t, v, got);
          g_assert_cmpstr (got->str, ==, want->str);
        }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/clientele-test-bus", TRUE);
  g_test_add_func ("/mail-render/bodies", test_bodies);
  g_test_add_func ("/mail-render/json-rendering", test_json_rendering);
  return g_test_run ();
}
