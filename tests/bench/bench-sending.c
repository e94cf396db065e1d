/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-sending.c: a 10,000-recipient campaign against the emulator
 *
 * The emulator answers each request after 50 ms. The floor is what the
 * batch size, the concurrency and that latency allow:
 * requests × 50 ms ÷ concurrency; it is printed next to the time taken,
 * with a baseline measured in the same run: the same number of requests
 * with the same concurrency and no work around them (bare POSTs). The
 * resident memory is sampled during the run: it should stay flat.
 *
 * Output, one line per provider:
 *   PROVIDER batch B, N requests: T s; floor F s (ratio T/F), in rounds
 *   G s (ratio T/G), bare requests S s (ratio T/S); CPU C s (the
 *   process's, emulator included); memory R0 -> R1 MB
 *
 * "In rounds" is the floor when requests cannot be split: ceil(N ÷
 * concurrency) × 50 ms, which is what 5 requests of 2,000 (Brevo) need
 * at 4 at once, not the 62.5 ms of the formula.
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>
#include <sys/resource.h>

#include "../ct-mail-emulator.h"
#include "../ct-test-db.h"
#include "ct-outbox.h"

#define KEY "bench-key-0123456789"
#define RECIPIENTS 10000
#define LATENCY_MS 50
#define CONCURRENCY 4

typedef struct
{
  long rss_min;
  long rss_max;
  gint64 calls;
} Memory;

static long
rss_kb (void)
{
  long pages = 0, resident = 0;
  FILE *f = fopen ("/proc/self/statm", "r");

  if (f == NULL)
    return 0;
  if (fscanf (f, "%ld %ld", &pages, &resident) != 2)
    resident = 0;
  fclose (f);
  return resident * (sysconf (_SC_PAGESIZE) / 1024);
}

static void
progress (gint64   done,
          gint64   total,
          gpointer data)
{
  Memory *m = data;
  long now = rss_kb ();

  /* After the first requests: sessions and caches are set up by then. */
  if (++m->calls < 3)
    return;
  m->rss_min = m->rss_min == 0 ? now : MIN (m->rss_min, now);
  m->rss_max = MAX (m->rss_max, now);
}

typedef struct
{
  const char *url;
  GAsyncQueue *work;
} Bare;

static gpointer
bare_worker (gpointer data)
{
  Bare *bare = data;
  g_autoptr(SoupSession) session = soup_session_new ();

  while (GPOINTER_TO_INT (g_async_queue_try_pop (bare->work)) == 1)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("POST", bare->url);
      g_autoptr(GBytes) body = NULL;

      soup_message_set_request_body_from_bytes (msg, "application/json",
                                                g_bytes_new_static ("[]", 2));
      body = soup_session_send_and_read (session, msg, NULL, NULL);
    }
  return NULL;
}

/* @requests bare POSTs, CONCURRENCY at once. Seconds. */
static double
bare_requests (CtMailEmulator *emu,
               guint           requests)
{
  g_autofree char *url = g_strconcat (emu->base_url, "/bare", NULL);
  Bare bare = { url, g_async_queue_new () };
  GThread *threads[CONCURRENCY];
  gint64 start;

  for (guint i = 0; i < requests; i++)
    g_async_queue_push (bare.work, GINT_TO_POINTER (1));
  start = g_get_monotonic_time ();
  for (guint i = 0; i < CONCURRENCY; i++)
    threads[i] = g_thread_new ("bare", bare_worker, &bare);
  for (guint i = 0; i < CONCURRENCY; i++)
    g_thread_join (threads[i]);
  g_async_queue_unref (bare.work);
  return (g_get_monotonic_time () - start) / 1e6;
}

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6
         + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static void
bench (CtMailProviderKind kind)
{
  CtTestDb t;
  g_autoptr(GError) error = NULL;
  g_autoptr(CtMailEmulator) emu = ct_mail_emulator_new (kind, KEY);
  g_autoptr(CtMailProvider) provider = NULL;
  CtMailSettings settings = { 0 };
  CtOutboxOptions options;
  CtOutboxReport report;
  Memory memory = { 0 };
  gint64 campaign, start;
  guint requests;
  double elapsed, floor_s, rounds_s, bare_s, cpu;

  ct_test_db_set_up (&t, "clientele-bench-sending-XXXXXX");
  {
    g_autofree char *sql = g_strdup_printf (
      "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < %d)"
      " INSERT INTO contacts (email, first_name, last_name)"
      " SELECT 'reader' || i || '@example.com', '读者' || i, '王' FROM n", RECIPIENTS);
    ct_test_db_exec (&t, sql);
  }

  settings.configured = TRUE;
  settings.kind = kind;
  settings.base_url = emu->base_url;
  settings.domain = (char *) "mg.example.com";
  settings.from = (char *) "知识小店 <news@shop.example>";
  settings.postal_address = (char *) "上海市徐汇区 1 号";
  settings.concurrency = CONCURRENCY;
  settings.timeout = 30;
  provider = ct_mail_settings_new_provider (&settings, KEY);
  ct_outbox_options_init (&options, &settings, provider);
  /* The floor counts latency and concurrency only, not a rate limit. */
  options.rate = 100000;
  options.progress = progress;
  options.progress_data = &memory;

  campaign = ct_campaign_create (t.db, "Bench", "{{name|读者}}，本周新课",
                                 "# 本周新课\n\n亲爱的 **{{first_name|读者}}**：\n\n"
                                 "我们的新课程《写作的节奏》上线了。{{last_product|}}\n\n"
                                 "- 十二节视频课\n- 每周一次答疑\n- 会员八折\n",
                                 NULL, "{\"all\":true}", &error);
  g_assert_no_error (error);
  g_assert_true (ct_outbox_launch (t.db, campaign, NULL, NULL, &error));

  emu->latency_ms = LATENCY_MS;
  emu->light = TRUE;
  start = g_get_monotonic_time ();
  cpu = cpu_seconds ();
  g_assert_true (ct_outbox_send (t.db, provider, &settings, &options, campaign, &report, NULL, &error));
  elapsed = (g_get_monotonic_time () - start) / 1e6;
  cpu = cpu_seconds () - cpu;
  g_assert_no_error (error);
  g_assert_cmpint (report.sent, ==, RECIPIENTS);
  g_assert_cmpuint (emu->light_messages, ==, RECIPIENTS);

  requests = emu->send_requests;
  floor_s = requests * (LATENCY_MS / 1000.0) / CONCURRENCY;
  rounds_s = ((requests + CONCURRENCY - 1) / CONCURRENCY) * (LATENCY_MS / 1000.0);
  bare_s = bare_requests (emu, requests);

  g_print ("%-9s batch %4u, %3u requests: %.3f s; floor %.3f s (ratio %.2f), in rounds %.3f s (ratio %.2f), "
           "bare requests %.3f s (ratio %.2f); CPU %.3f s; memory %.1f -> %.1f MB\n",
           ct_mail_provider_kind_to_name (kind), emu->max_batch_seen, requests, elapsed,
           floor_s, elapsed / floor_s, rounds_s, elapsed / rounds_s, bare_s, elapsed / bare_s, cpu,
           memory.rss_min / 1024.0, memory.rss_max / 1024.0);
  ct_test_db_tear_down (&t);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/clientele-bench-bus", TRUE);
  g_print ("%d recipients, %d ms per request, %d requests at once\n",
           RECIPIENTS, LATENCY_MS, CONCURRENCY);
  /* Optionally only the providers named on the command line. */
  for (guint k = 0; k < CT_MAIL_N_PROVIDERS; k++)
    {
      gboolean wanted = argc <= 1;

      for (int i = 1; i < argc; i++)
        wanted |= g_str_equal (argv[i], ct_mail_provider_kind_to_name (k));
      if (wanted)
        bench (k);
    }
  return 0;
}
