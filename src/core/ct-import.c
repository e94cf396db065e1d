/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-import.c: importing contacts and purchases from CSV (and vCard)
 *
 * Loading reads the whole file into memory, decodes it to UTF-8 once and
 * keeps that text: every later step (a new delimiter, the preview, the
 * run) reads records from it with a CtCsvReader, so nothing is decoded
 * twice and the physical line of each record is always known.
 *
 * A run checks each row's cells first (the same check the preview shows),
 * then writes the valid rows in one transaction with statements prepared
 * once and small in-memory caches for the channels, products, tags and
 * contacts it has already seen. Nothing is committed before the last row,
 * so cancelling, a crash or a kill leaves the database as it was.
 *
 * Decisions the issue left open:
 *  - Contacts match an existing one by email (ASCII case ignored, as the
 *    column's NOCASE collation does), or by phone when the row has no
 *    email. A row with neither (a name alone) always adds a contact.
 *  - "update-empty" fills the empty fields of a matched contact and gives
 *    it tags only when it has none; "overwrite" lets the file's non-empty
 *    cells win, tags included. A status of unsubscribed, bounced or
 *    complained is applied under both, because ignoring an unsubscribe is
 *    worse than overwriting a field; only "overwrite" re-subscribes.
 *    A matched contact that nothing changes counts as skipped.
 *  - Purchases are unique by (source, order id). A row without an order
 *    id gets a reference made from its contact, time, amount and product
 *    ("auto:…"), so that re-importing a file without order ids adds
 *    nothing either.
 *  - A purchase for an unknown email or phone creates the contact (with
 *    the row's name, phone and channel, created at the time of its first
 *    purchase in the file). Contacts that already exist are not changed
 *    by a purchases import.
 *  - Products match by SKU or by name, ignoring ASCII case. An unknown
 *    one is created as kind "other", priced at the amount of the first
 *    purchase of it in the file, for the user to correct later.
 *  - Channels and tags match by name, ignoring ASCII case, and are
 *    created when unknown.
 *  - A row whose email belongs to a contact erased on request (the
 *    SHA-256 in erased_emails, see ct-privacy.h) is rejected with the date
 *    of the erasure, contacts and purchases alike: an old spreadsheet must
 *    not bring the person back, and a purchase imported without them
 *    (detached) would be a copy of one the erasure already kept
 *    anonymously, whose order id it removed. A row that has only a phone
 *    cannot be told apart: only emails are kept as hashes.
 */
#include "config.h"

#include <string.h>
#include <time.h>
#include <glib/gi18n-lib.h>

#include "ct-contact.h"
#include "ct-import.h"
#include "ct-points.h"
#include "ct-referral.h"
#include "ct-rollup.h"
#include "ct-progress.h"
#include "ct-parse.h"
#include "ct-vcard.h"

#define N_PREVIEW_ROWS 100
/* Rows read to guess whether days come first in dates. */
#define N_HINT_ROWS 1000
/* The run checks for cancellation every this many rows. */
#define CANCEL_CHECK_ROWS 256

/* CLIENTELE_IMPORT_PROFILE=1 prints to stderr where a run's time goes,
 * phase by phase (wall clock and the process's processor time). */
static gboolean
profiling (void)
{
  static int on = -1;

  if (on < 0)
    on = g_getenv ("CLIENTELE_IMPORT_PROFILE") != NULL;
  return on;
}

static double
profile_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

typedef struct
{
  double wall;
  double cpu;
} ProfileMark;

static void
profile_mark (ProfileMark *mark,
              const char  *what)
{
  double wall, cpu;

  if (!profiling ())
    return;
  wall = g_get_monotonic_time () / 1000.0;
  cpu = profile_cpu_ms ();
  if (what != NULL)
    g_printerr ("import profile: %-60.60s %9.1f ms wall %9.1f ms cpu\n", what,
                wall - mark->wall, cpu - mark->cpu);
  mark->wall = wall;
  mark->cpu = cpu;
}

G_DEFINE_QUARK (ct-import-error-quark, ct_import_error)

/* ------------------------------------------------------------------ */
/* Fields */

static const struct
{
  const char *id;
  const char *label;
} field_names[CT_IMPORT_N_FIELDS] = {
  [CT_IMPORT_FIELD_IGNORE] = { "ignore", N_("Do not import") },
  [CT_IMPORT_FIELD_EMAIL] = { "email", N_("Email") },
  [CT_IMPORT_FIELD_NAME] = { "name", N_("Full name") },
  [CT_IMPORT_FIELD_FIRST_NAME] = { "first_name", N_("First name") },
  [CT_IMPORT_FIELD_LAST_NAME] = { "last_name", N_("Last name") },
  [CT_IMPORT_FIELD_PHONE] = { "phone", N_("Phone") },
  [CT_IMPORT_FIELD_COMPANY] = { "company", N_("Company") },
  [CT_IMPORT_FIELD_CHANNEL] = { "channel", N_("Channel") },
  [CT_IMPORT_FIELD_TAGS] = { "tags", N_("Tags") },
  /* Translators: a contact's subscription status */
  [CT_IMPORT_FIELD_STATUS] = { "status", N_("Status") },
  [CT_IMPORT_FIELD_NOTES] = { "notes", N_("Notes") },
  [CT_IMPORT_FIELD_CREATED_AT] = { "created_at", N_("Added on") },
  [CT_IMPORT_FIELD_ORDER_ID] = { "order_id", N_("Order ID") },
  [CT_IMPORT_FIELD_PRODUCT] = { "product", N_("Product") },
  [CT_IMPORT_FIELD_AMOUNT] = { "amount", N_("Amount") },
  [CT_IMPORT_FIELD_CURRENCY] = { "currency", N_("Currency") },
  [CT_IMPORT_FIELD_PAID_AT] = { "paid_at", N_("Paid at") },
  [CT_IMPORT_FIELD_REFUNDED] = { "refunded", N_("Refunded") },
  /* Translators: where a purchase was made (a shop or platform), which
   * makes its order ID unique */
  [CT_IMPORT_FIELD_SOURCE] = { "source", N_("Order source") },
  [CT_IMPORT_FIELD_REFERRER] = { "referrer", N_("Referred by") },
};

static const CtImportField contact_fields[] = {
  CT_IMPORT_FIELD_IGNORE,
  CT_IMPORT_FIELD_EMAIL,
  CT_IMPORT_FIELD_NAME,
  CT_IMPORT_FIELD_FIRST_NAME,
  CT_IMPORT_FIELD_LAST_NAME,
  CT_IMPORT_FIELD_PHONE,
  CT_IMPORT_FIELD_COMPANY,
  CT_IMPORT_FIELD_CHANNEL,
  CT_IMPORT_FIELD_TAGS,
  CT_IMPORT_FIELD_STATUS,
  CT_IMPORT_FIELD_NOTES,
  CT_IMPORT_FIELD_CREATED_AT,
  CT_IMPORT_FIELD_REFERRER,
};

static const CtImportField purchase_fields[] = {
  CT_IMPORT_FIELD_IGNORE,
  CT_IMPORT_FIELD_EMAIL,
  CT_IMPORT_FIELD_NAME,
  CT_IMPORT_FIELD_FIRST_NAME,
  CT_IMPORT_FIELD_LAST_NAME,
  CT_IMPORT_FIELD_PHONE,
  CT_IMPORT_FIELD_CHANNEL,
  CT_IMPORT_FIELD_ORDER_ID,
  CT_IMPORT_FIELD_PRODUCT,
  CT_IMPORT_FIELD_AMOUNT,
  CT_IMPORT_FIELD_CURRENCY,
  CT_IMPORT_FIELD_PAID_AT,
  CT_IMPORT_FIELD_REFUNDED,
  CT_IMPORT_FIELD_SOURCE,
};

/* Header words, as ct_parse_normalise_header() leaves them (case folded,
 * no spaces or punctuation). KIND_BOTH entries also name the field in
 * --map; the others only guess for one kind of file, where the same word
 * means different things ("date" is when a contact was added, or when a
 * purchase was paid). */
#define KIND_CONTACTS (1 << CT_IMPORT_CONTACTS)
#define KIND_PURCHASES (1 << CT_IMPORT_PURCHASES)
#define KIND_BOTH (KIND_CONTACTS | KIND_PURCHASES)

static const struct
{
  const char    *word;
  CtImportField  field;
  guint          kinds;
} header_words[] = {
  { "email", CT_IMPORT_FIELD_EMAIL, KIND_BOTH },
  { "emailaddress", CT_IMPORT_FIELD_EMAIL, KIND_BOTH },
  { "mail", CT_IMPORT_FIELD_EMAIL, KIND_BOTH },
  { "邮箱", CT_IMPORT_FIELD_EMAIL, KIND_BOTH },
  { "电子邮件", CT_IMPORT_FIELD_EMAIL, KIND_BOTH },
  { "电子邮箱", CT_IMPORT_FIELD_EMAIL, KIND_BOTH },
  { "邮件", CT_IMPORT_FIELD_EMAIL, KIND_BOTH },
  { "邮箱地址", CT_IMPORT_FIELD_EMAIL, KIND_BOTH },
  { "郵箱", CT_IMPORT_FIELD_EMAIL, KIND_BOTH },
  { "電子郵件", CT_IMPORT_FIELD_EMAIL, KIND_BOTH },

  { "name", CT_IMPORT_FIELD_NAME, KIND_BOTH },
  { "fullname", CT_IMPORT_FIELD_NAME, KIND_BOTH },
  { "nickname", CT_IMPORT_FIELD_NAME, KIND_BOTH },
  { "customer", CT_IMPORT_FIELD_NAME, KIND_BOTH },
  { "customername", CT_IMPORT_FIELD_NAME, KIND_BOTH },
  { "contactname", CT_IMPORT_FIELD_NAME, KIND_BOTH },
  { "buyer", CT_IMPORT_FIELD_NAME, KIND_BOTH },
  { "buyername", CT_IMPORT_FIELD_NAME, KIND_BOTH },
  { "displayname", CT_IMPORT_FIELD_NAME, KIND_BOTH },
  { "姓名", CT_IMPORT_FIELD_NAME, KIND_BOTH },
  { "名字", CT_IMPORT_FIELD_NAME, KIND_BOTH },
  { "昵称", CT_IMPORT_FIELD_NAME, KIND_BOTH },
  { "用户昵称", CT_IMPORT_FIELD_NAME, KIND_BOTH },
  { "微信昵称", CT_IMPORT_FIELD_NAME, KIND_BOTH },
  { "用户名", CT_IMPORT_FIELD_NAME, KIND_BOTH },
  { "客户", CT_IMPORT_FIELD_NAME, KIND_BOTH },
  { "客户姓名", CT_IMPORT_FIELD_NAME, KIND_BOTH },
  { "客户名称", CT_IMPORT_FIELD_NAME, KIND_BOTH },
  { "买家", CT_IMPORT_FIELD_NAME, KIND_BOTH },
  { "买家昵称", CT_IMPORT_FIELD_NAME, KIND_BOTH },
  { "联系人", CT_IMPORT_FIELD_NAME, KIND_BOTH },
  { "收货人", CT_IMPORT_FIELD_NAME, KIND_BOTH },

  { "firstname", CT_IMPORT_FIELD_FIRST_NAME, KIND_BOTH },
  { "givenname", CT_IMPORT_FIELD_FIRST_NAME, KIND_BOTH },
  { "forename", CT_IMPORT_FIELD_FIRST_NAME, KIND_BOTH },
  { "first", CT_IMPORT_FIELD_FIRST_NAME, KIND_BOTH },
  { "名", CT_IMPORT_FIELD_FIRST_NAME, KIND_BOTH },
  { "lastname", CT_IMPORT_FIELD_LAST_NAME, KIND_BOTH },
  { "surname", CT_IMPORT_FIELD_LAST_NAME, KIND_BOTH },
  { "familyname", CT_IMPORT_FIELD_LAST_NAME, KIND_BOTH },
  { "last", CT_IMPORT_FIELD_LAST_NAME, KIND_BOTH },
  { "姓", CT_IMPORT_FIELD_LAST_NAME, KIND_BOTH },
  { "姓氏", CT_IMPORT_FIELD_LAST_NAME, KIND_BOTH },

  { "phone", CT_IMPORT_FIELD_PHONE, KIND_BOTH },
  { "phonenumber", CT_IMPORT_FIELD_PHONE, KIND_BOTH },
  { "mobile", CT_IMPORT_FIELD_PHONE, KIND_BOTH },
  { "mobilephone", CT_IMPORT_FIELD_PHONE, KIND_BOTH },
  { "cellphone", CT_IMPORT_FIELD_PHONE, KIND_BOTH },
  { "tel", CT_IMPORT_FIELD_PHONE, KIND_BOTH },
  { "telephone", CT_IMPORT_FIELD_PHONE, KIND_BOTH },
  { "手机", CT_IMPORT_FIELD_PHONE, KIND_BOTH },
  { "手机号", CT_IMPORT_FIELD_PHONE, KIND_BOTH },
  { "手机号码", CT_IMPORT_FIELD_PHONE, KIND_BOTH },
  { "电话", CT_IMPORT_FIELD_PHONE, KIND_BOTH },
  { "电话号码", CT_IMPORT_FIELD_PHONE, KIND_BOTH },
  { "联系电话", CT_IMPORT_FIELD_PHONE, KIND_BOTH },
  { "联系方式", CT_IMPORT_FIELD_PHONE, KIND_BOTH },
  { "手機", CT_IMPORT_FIELD_PHONE, KIND_BOTH },

  { "company", CT_IMPORT_FIELD_COMPANY, KIND_BOTH },
  { "organization", CT_IMPORT_FIELD_COMPANY, KIND_BOTH },
  { "organisation", CT_IMPORT_FIELD_COMPANY, KIND_BOTH },
  { "companyname", CT_IMPORT_FIELD_COMPANY, KIND_BOTH },
  { "公司", CT_IMPORT_FIELD_COMPANY, KIND_BOTH },
  { "公司名称", CT_IMPORT_FIELD_COMPANY, KIND_BOTH },
  { "单位", CT_IMPORT_FIELD_COMPANY, KIND_BOTH },
  { "企业", CT_IMPORT_FIELD_COMPANY, KIND_BOTH },

  { "channel", CT_IMPORT_FIELD_CHANNEL, KIND_BOTH },
  { "source", CT_IMPORT_FIELD_CHANNEL, KIND_BOTH },
  { "leadsource", CT_IMPORT_FIELD_CHANNEL, KIND_BOTH },
  { "utmsource", CT_IMPORT_FIELD_CHANNEL, KIND_BOTH },
  { "渠道", CT_IMPORT_FIELD_CHANNEL, KIND_BOTH },
  { "来源", CT_IMPORT_FIELD_CHANNEL, KIND_BOTH },
  { "来源渠道", CT_IMPORT_FIELD_CHANNEL, KIND_BOTH },
  { "推广渠道", CT_IMPORT_FIELD_CHANNEL, KIND_BOTH },

  /* Who referred the contact: an email or phone. ("referrer" in web
   * analytics is the site a visit came from, but a contacts file of a
   * referral programme means a person by it.) */
  { "referrer", CT_IMPORT_FIELD_REFERRER, KIND_CONTACTS },
  { "referredby", CT_IMPORT_FIELD_REFERRER, KIND_CONTACTS },
  { "referreremail", CT_IMPORT_FIELD_REFERRER, KIND_CONTACTS },
  { "invitedby", CT_IMPORT_FIELD_REFERRER, KIND_CONTACTS },
  { "推荐人", CT_IMPORT_FIELD_REFERRER, KIND_CONTACTS },
  { "推荐人邮箱", CT_IMPORT_FIELD_REFERRER, KIND_CONTACTS },
  { "推荐人手机", CT_IMPORT_FIELD_REFERRER, KIND_CONTACTS },
  { "介绍人", CT_IMPORT_FIELD_REFERRER, KIND_CONTACTS },
  { "邀请人", CT_IMPORT_FIELD_REFERRER, KIND_CONTACTS },
  { "推薦人", CT_IMPORT_FIELD_REFERRER, KIND_CONTACTS },

  { "tags", CT_IMPORT_FIELD_TAGS, KIND_BOTH },
  { "tag", CT_IMPORT_FIELD_TAGS, KIND_BOTH },
  { "labels", CT_IMPORT_FIELD_TAGS, KIND_BOTH },
  { "groups", CT_IMPORT_FIELD_TAGS, KIND_BOTH },
  { "标签", CT_IMPORT_FIELD_TAGS, KIND_BOTH },
  { "分组", CT_IMPORT_FIELD_TAGS, KIND_BOTH },

  { "status", CT_IMPORT_FIELD_STATUS, KIND_CONTACTS },
  { "subscription", CT_IMPORT_FIELD_STATUS, KIND_BOTH },
  { "subscriptionstatus", CT_IMPORT_FIELD_STATUS, KIND_BOTH },
  { "emailstatus", CT_IMPORT_FIELD_STATUS, KIND_BOTH },
  { "状态", CT_IMPORT_FIELD_STATUS, KIND_CONTACTS },
  { "订阅状态", CT_IMPORT_FIELD_STATUS, KIND_BOTH },

  { "notes", CT_IMPORT_FIELD_NOTES, KIND_BOTH },
  { "note", CT_IMPORT_FIELD_NOTES, KIND_BOTH },
  { "comment", CT_IMPORT_FIELD_NOTES, KIND_BOTH },
  { "comments", CT_IMPORT_FIELD_NOTES, KIND_BOTH },
  { "remark", CT_IMPORT_FIELD_NOTES, KIND_BOTH },
  { "remarks", CT_IMPORT_FIELD_NOTES, KIND_BOTH },
  { "memo", CT_IMPORT_FIELD_NOTES, KIND_BOTH },
  { "备注", CT_IMPORT_FIELD_NOTES, KIND_BOTH },
  { "留言", CT_IMPORT_FIELD_NOTES, KIND_BOTH },
  { "说明", CT_IMPORT_FIELD_NOTES, KIND_BOTH },

  { "created", CT_IMPORT_FIELD_CREATED_AT, KIND_CONTACTS },
  { "createdat", CT_IMPORT_FIELD_CREATED_AT, KIND_CONTACTS },
  { "createdon", CT_IMPORT_FIELD_CREATED_AT, KIND_CONTACTS },
  { "createdate", CT_IMPORT_FIELD_CREATED_AT, KIND_CONTACTS },
  { "date", CT_IMPORT_FIELD_CREATED_AT, KIND_CONTACTS },
  { "added", CT_IMPORT_FIELD_CREATED_AT, KIND_BOTH },
  { "addedon", CT_IMPORT_FIELD_CREATED_AT, KIND_BOTH },
  { "dateadded", CT_IMPORT_FIELD_CREATED_AT, KIND_BOTH },
  { "signup", CT_IMPORT_FIELD_CREATED_AT, KIND_BOTH },
  { "signupdate", CT_IMPORT_FIELD_CREATED_AT, KIND_BOTH },
  { "signedup", CT_IMPORT_FIELD_CREATED_AT, KIND_BOTH },
  { "registered", CT_IMPORT_FIELD_CREATED_AT, KIND_BOTH },
  { "joined", CT_IMPORT_FIELD_CREATED_AT, KIND_BOTH },
  { "subscribedat", CT_IMPORT_FIELD_CREATED_AT, KIND_BOTH },
  { "注册时间", CT_IMPORT_FIELD_CREATED_AT, KIND_BOTH },
  { "注册日期", CT_IMPORT_FIELD_CREATED_AT, KIND_BOTH },
  { "加入时间", CT_IMPORT_FIELD_CREATED_AT, KIND_BOTH },
  { "关注时间", CT_IMPORT_FIELD_CREATED_AT, KIND_BOTH },
  { "订阅时间", CT_IMPORT_FIELD_CREATED_AT, KIND_BOTH },
  { "创建时间", CT_IMPORT_FIELD_CREATED_AT, KIND_CONTACTS },
  { "日期", CT_IMPORT_FIELD_CREATED_AT, KIND_CONTACTS },

  { "orderid", CT_IMPORT_FIELD_ORDER_ID, KIND_BOTH },
  { "order", CT_IMPORT_FIELD_ORDER_ID, KIND_BOTH },
  { "ordernumber", CT_IMPORT_FIELD_ORDER_ID, KIND_BOTH },
  { "orderno", CT_IMPORT_FIELD_ORDER_ID, KIND_BOTH },
  { "orderref", CT_IMPORT_FIELD_ORDER_ID, KIND_BOTH },
  { "transactionid", CT_IMPORT_FIELD_ORDER_ID, KIND_BOTH },
  { "invoice", CT_IMPORT_FIELD_ORDER_ID, KIND_BOTH },
  { "invoicenumber", CT_IMPORT_FIELD_ORDER_ID, KIND_BOTH },
  { "reference", CT_IMPORT_FIELD_ORDER_ID, KIND_BOTH },
  { "id", CT_IMPORT_FIELD_ORDER_ID, KIND_PURCHASES },
  { "订单号", CT_IMPORT_FIELD_ORDER_ID, KIND_BOTH },
  { "订单编号", CT_IMPORT_FIELD_ORDER_ID, KIND_BOTH },
  { "订单id", CT_IMPORT_FIELD_ORDER_ID, KIND_BOTH },
  { "订单", CT_IMPORT_FIELD_ORDER_ID, KIND_BOTH },
  { "交易号", CT_IMPORT_FIELD_ORDER_ID, KIND_BOTH },
  { "交易单号", CT_IMPORT_FIELD_ORDER_ID, KIND_BOTH },
  { "流水号", CT_IMPORT_FIELD_ORDER_ID, KIND_BOTH },
  { "商户订单号", CT_IMPORT_FIELD_ORDER_ID, KIND_BOTH },

  { "product", CT_IMPORT_FIELD_PRODUCT, KIND_BOTH },
  { "productname", CT_IMPORT_FIELD_PRODUCT, KIND_BOTH },
  { "item", CT_IMPORT_FIELD_PRODUCT, KIND_BOTH },
  { "itemname", CT_IMPORT_FIELD_PRODUCT, KIND_BOTH },
  { "course", CT_IMPORT_FIELD_PRODUCT, KIND_BOTH },
  { "sku", CT_IMPORT_FIELD_PRODUCT, KIND_BOTH },
  { "商品", CT_IMPORT_FIELD_PRODUCT, KIND_BOTH },
  { "商品名称", CT_IMPORT_FIELD_PRODUCT, KIND_BOTH },
  { "商品名", CT_IMPORT_FIELD_PRODUCT, KIND_BOTH },
  { "课程", CT_IMPORT_FIELD_PRODUCT, KIND_BOTH },
  { "课程名称", CT_IMPORT_FIELD_PRODUCT, KIND_BOTH },
  { "产品", CT_IMPORT_FIELD_PRODUCT, KIND_BOTH },
  { "产品名称", CT_IMPORT_FIELD_PRODUCT, KIND_BOTH },

  { "amount", CT_IMPORT_FIELD_AMOUNT, KIND_BOTH },
  { "total", CT_IMPORT_FIELD_AMOUNT, KIND_BOTH },
  { "price", CT_IMPORT_FIELD_AMOUNT, KIND_BOTH },
  { "paid", CT_IMPORT_FIELD_AMOUNT, KIND_BOTH },
  { "amountpaid", CT_IMPORT_FIELD_AMOUNT, KIND_BOTH },
  { "revenue", CT_IMPORT_FIELD_AMOUNT, KIND_BOTH },
  { "金额", CT_IMPORT_FIELD_AMOUNT, KIND_BOTH },
  { "实付金额", CT_IMPORT_FIELD_AMOUNT, KIND_BOTH },
  { "支付金额", CT_IMPORT_FIELD_AMOUNT, KIND_BOTH },
  { "付款金额", CT_IMPORT_FIELD_AMOUNT, KIND_BOTH },
  { "实收金额", CT_IMPORT_FIELD_AMOUNT, KIND_BOTH },
  { "订单金额", CT_IMPORT_FIELD_AMOUNT, KIND_BOTH },
  { "成交金额", CT_IMPORT_FIELD_AMOUNT, KIND_BOTH },
  { "实付", CT_IMPORT_FIELD_AMOUNT, KIND_BOTH },
  { "价格", CT_IMPORT_FIELD_AMOUNT, KIND_BOTH },
  { "总价", CT_IMPORT_FIELD_AMOUNT, KIND_BOTH },

  { "currency", CT_IMPORT_FIELD_CURRENCY, KIND_BOTH },
  { "币种", CT_IMPORT_FIELD_CURRENCY, KIND_BOTH },
  { "货币", CT_IMPORT_FIELD_CURRENCY, KIND_BOTH },

  { "paidat", CT_IMPORT_FIELD_PAID_AT, KIND_BOTH },
  { "paidon", CT_IMPORT_FIELD_PAID_AT, KIND_BOTH },
  { "paymentdate", CT_IMPORT_FIELD_PAID_AT, KIND_BOTH },
  { "paymenttime", CT_IMPORT_FIELD_PAID_AT, KIND_BOTH },
  { "orderdate", CT_IMPORT_FIELD_PAID_AT, KIND_BOTH },
  { "purchasedate", CT_IMPORT_FIELD_PAID_AT, KIND_BOTH },
  { "purchasedat", CT_IMPORT_FIELD_PAID_AT, KIND_BOTH },
  { "date", CT_IMPORT_FIELD_PAID_AT, KIND_PURCHASES },
  { "time", CT_IMPORT_FIELD_PAID_AT, KIND_PURCHASES },
  { "created", CT_IMPORT_FIELD_PAID_AT, KIND_PURCHASES },
  { "createdat", CT_IMPORT_FIELD_PAID_AT, KIND_PURCHASES },
  { "支付时间", CT_IMPORT_FIELD_PAID_AT, KIND_BOTH },
  { "下单时间", CT_IMPORT_FIELD_PAID_AT, KIND_BOTH },
  { "付款时间", CT_IMPORT_FIELD_PAID_AT, KIND_BOTH },
  { "购买时间", CT_IMPORT_FIELD_PAID_AT, KIND_BOTH },
  { "交易时间", CT_IMPORT_FIELD_PAID_AT, KIND_BOTH },
  { "成交时间", CT_IMPORT_FIELD_PAID_AT, KIND_BOTH },
  { "订单时间", CT_IMPORT_FIELD_PAID_AT, KIND_BOTH },
  { "支付日期", CT_IMPORT_FIELD_PAID_AT, KIND_BOTH },
  { "创建时间", CT_IMPORT_FIELD_PAID_AT, KIND_PURCHASES },
  { "日期", CT_IMPORT_FIELD_PAID_AT, KIND_PURCHASES },
  { "时间", CT_IMPORT_FIELD_PAID_AT, KIND_PURCHASES },

  { "refunded", CT_IMPORT_FIELD_REFUNDED, KIND_BOTH },
  { "refund", CT_IMPORT_FIELD_REFUNDED, KIND_BOTH },
  { "isrefunded", CT_IMPORT_FIELD_REFUNDED, KIND_BOTH },
  { "退款", CT_IMPORT_FIELD_REFUNDED, KIND_BOTH },
  { "已退款", CT_IMPORT_FIELD_REFUNDED, KIND_BOTH },
  { "是否退款", CT_IMPORT_FIELD_REFUNDED, KIND_BOTH },
  { "退款状态", CT_IMPORT_FIELD_REFUNDED, KIND_BOTH },

  { "platform", CT_IMPORT_FIELD_SOURCE, KIND_BOTH },
  { "store", CT_IMPORT_FIELD_SOURCE, KIND_BOTH },
  { "shop", CT_IMPORT_FIELD_SOURCE, KIND_BOTH },
  { "ordersource", CT_IMPORT_FIELD_SOURCE, KIND_BOTH },
  { "平台", CT_IMPORT_FIELD_SOURCE, KIND_BOTH },
  { "店铺", CT_IMPORT_FIELD_SOURCE, KIND_BOTH },
  { "订单来源", CT_IMPORT_FIELD_SOURCE, KIND_BOTH },
};

const char *
ct_import_field_to_string (CtImportField field)
{
  g_return_val_if_fail ((guint) field < CT_IMPORT_N_FIELDS, NULL);
  return field_names[field].id;
}

const char *
ct_import_field_get_label (CtImportField field)
{
  g_return_val_if_fail ((guint) field < CT_IMPORT_N_FIELDS, NULL);
  return _(field_names[field].label);
}

/* Looks @key (a normalised header) up among the words for @kinds. */
static gboolean
lookup_header_word (const char    *key,
                    guint          kinds,
                    CtImportField *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (header_words); i++)
    if ((header_words[i].kinds & kinds) == kinds && strcmp (header_words[i].word, key) == 0)
      {
        *out = header_words[i].field;
        return TRUE;
      }
  return FALSE;
}

gboolean
ct_import_field_from_string (const char    *text,
                             CtImportField *out)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (out != NULL, FALSE);

  if (text == NULL)
    return FALSE;

  key = ct_parse_normalise_header (text);
  for (guint i = 0; i < CT_IMPORT_N_FIELDS; i++)
    {
      g_autofree char *id_key = ct_parse_normalise_header (field_names[i].id);

      if (strcmp (id_key, key) == 0)
        {
          *out = i;
          return TRUE;
        }
    }
  if (strcmp (key, "donotimport") == 0 || strcmp (key, "skip") == 0)
    {
      *out = CT_IMPORT_FIELD_IGNORE;
      return TRUE;
    }

  return lookup_header_word (key, KIND_BOTH, out)
         || lookup_header_word (key, KIND_CONTACTS, out)
         || lookup_header_word (key, KIND_PURCHASES, out);
}

const CtImportField *
ct_import_kind_get_fields (CtImportKind  kind,
                           guint        *n_fields)
{
  g_return_val_if_fail (kind == CT_IMPORT_CONTACTS || kind == CT_IMPORT_PURCHASES, NULL);
  g_return_val_if_fail (n_fields != NULL, NULL);

  if (kind == CT_IMPORT_CONTACTS)
    {
      *n_fields = G_N_ELEMENTS (contact_fields);
      return contact_fields;
    }
  *n_fields = G_N_ELEMENTS (purchase_fields);
  return purchase_fields;
}

static gboolean
kind_has_field (CtImportKind  kind,
                CtImportField field)
{
  const CtImportField *fields;
  guint n;

  fields = ct_import_kind_get_fields (kind, &n);
  for (guint i = 0; i < n; i++)
    if (fields[i] == field)
      return TRUE;
  return FALSE;
}

static const char *duplicates_names[] = { "update-empty", "overwrite", "skip" };

const char *
ct_import_duplicates_to_string (CtImportDuplicates policy)
{
  g_return_val_if_fail ((guint) policy < G_N_ELEMENTS (duplicates_names), NULL);
  return duplicates_names[policy];
}

gboolean
ct_import_duplicates_from_string (const char         *text,
                                  CtImportDuplicates *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (duplicates_names); i++)
    if (g_ascii_strcasecmp (text, duplicates_names[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  if (g_ascii_strcasecmp (text, "update_empty") == 0)
    {
      *out = CT_IMPORT_DUPLICATES_UPDATE_EMPTY;
      return TRUE;
    }
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Result */

struct _CtImportResult
{
  gatomicrefcount  ref_count;
  guint            imported;
  guint            updated;
  guint            skipped;
  guint            contacts_created;
  gboolean         committed;
  GStrv            header;      /* the file's header cells, or the column names */
  GArray          *rejects;     /* CtImportReject */
};

static void
reject_clear (gpointer data)
{
  CtImportReject *reject = data;

  g_free (reject->column);
  g_free (reject->reason);
  g_free (reject->message);
  g_strfreev (reject->fields);
}

static CtImportResult *
ct_import_result_new (void)
{
  CtImportResult *self = g_new0 (CtImportResult, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->rejects = g_array_new (FALSE, TRUE, sizeof (CtImportReject));
  g_array_set_clear_func (self->rejects, reject_clear);
  return self;
}

CtImportResult *
ct_import_result_ref (CtImportResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
ct_import_result_unref (CtImportResult *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_strfreev (self->header);
      g_array_unref (self->rejects);
      g_free (self);
    }
}

guint
ct_import_result_get_imported (CtImportResult *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->imported;
}

guint
ct_import_result_get_updated (CtImportResult *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->updated;
}

guint
ct_import_result_get_skipped (CtImportResult *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->skipped;
}

guint
ct_import_result_get_rejected (CtImportResult *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->rejects->len;
}

guint
ct_import_result_get_contacts_created (CtImportResult *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->contacts_created;
}

gboolean
ct_import_result_get_committed (CtImportResult *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->committed;
}

const CtImportReject *
ct_import_result_get_reject (CtImportResult *self,
                             guint           index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->rejects->len, NULL);
  return &g_array_index (self->rejects, CtImportReject, index);
}

char *
ct_import_result_to_string (CtImportResult *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_strdup_printf ("imported %u, updated %u, skipped %u, rejected %u",
                          self->imported, self->updated, self->skipped, self->rejects->len);
}

gboolean
ct_import_result_write_rejects (CtImportResult  *self,
                                GFile           *file,
                                GCancellable    *cancellable,
                                GError         **error)
{
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(CtCsvWriter) writer = NULL;
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();
  guint n_header;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, cancellable, error);
  if (stream == NULL)
    return FALSE;

  /* Cells are neutralised as in any export: the file is meant to be
   * opened in a spreadsheet, and the importer takes the quote off again. */
  writer = ct_csv_writer_new (G_OUTPUT_STREAM (stream), CT_CSV_WRITE_BOM);
  n_header = self->header != NULL ? g_strv_length (self->header) : 0;

  for (guint i = 0; i < n_header; i++)
    g_ptr_array_add (cells, self->header[i]);
  g_ptr_array_add (cells, (char *) "reason");
  if (!ct_csv_writer_add_row (writer, (const char * const *) cells->pdata, cells->len,
                              cancellable, error))
    return FALSE;

  for (guint r = 0; r < self->rejects->len; r++)
    {
      const CtImportReject *reject = &g_array_index (self->rejects, CtImportReject, r);
      guint n_fields = g_strv_length (reject->fields);

      g_ptr_array_set_size (cells, 0);
      for (guint i = 0; i < MAX (n_fields, n_header); i++)
        g_ptr_array_add (cells, i < n_fields ? reject->fields[i] : (char *) "");
      g_ptr_array_add (cells, reject->message);
      if (!ct_csv_writer_add_row (writer, (const char * const *) cells->pdata, cells->len,
                                  cancellable, error))
        return FALSE;
    }

  if (!ct_csv_writer_flush (writer, cancellable, error))
    return FALSE;
  return g_output_stream_close (G_OUTPUT_STREAM (stream), cancellable, error);
}

/* ------------------------------------------------------------------ */
/* Loading: the state read from a file, built off the main thread */

typedef struct
{
  guint  line;
  guint  end_line;
  gboolean unterminated;
  GStrv  cells;
  guint  n_cells;
} PreviewRow;

static void
preview_row_free (gpointer data)
{
  PreviewRow *row = data;

  g_strfreev (row->cells);
  g_free (row);
}

/* Everything that ::columns-changed announces, read from the text. */
typedef struct
{
  CtImportKind   kind;
  GBytes        *bytes;         /* as read; NULL for a vCard */
  char          *file_name;
  CtCsvEncoding  encoding;
  char          *text;          /* UTF-8 */
  gsize          len;
  char           delimiter;
  gboolean       has_header;
  guint          header_line;
  GPtrArray     *columns;       /* char *, the header cells or "Column 3" */
  GPtrArray     *header;        /* char *, the header cells as read; NULL without */
  GArray        *fields;        /* CtImportField per column */
  GPtrArray     *preview;       /* PreviewRow */
  gboolean       day_first_known;
  gboolean       day_first;
  GPtrArray     *vcard_rows;    /* PreviewRow, every card: a vCard is read whole */
} LoadState;

static void
load_state_free (LoadState *state)
{
  if (state == NULL)
    return;
  g_clear_pointer (&state->bytes, g_bytes_unref);
  g_free (state->file_name);
  g_free (state->text);
  g_clear_pointer (&state->columns, g_ptr_array_unref);
  g_clear_pointer (&state->header, g_ptr_array_unref);
  g_clear_pointer (&state->fields, g_array_unref);
  g_clear_pointer (&state->preview, g_ptr_array_unref);
  g_clear_pointer (&state->vcard_rows, g_ptr_array_unref);
  g_free (state);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LoadState, load_state_free)

/* The cells of a record, the quote of a neutralised cell taken off. */
static GStrv
copy_cells (const char * const *fields,
            guint               n_fields)
{
  GStrv cells = g_new (char *, n_fields + 1);

  for (guint i = 0; i < n_fields; i++)
    cells[i] = g_strdup (ct_csv_cell_unneutralise (fields[i]));
  cells[n_fields] = NULL;
  return cells;
}

/* Length of @text without surrounding white space, which may be Unicode
 * (U+3000 from Chinese input methods, U+00A0 from web pages). */
static const char *
strip_bounds (const char *text,
              gsize      *len_out)
{
  const char *start = text;
  const char *end = text + strlen (text);

  while (start < end)
    {
      if ((guchar) *start < 0x80)
        {
          if (!g_ascii_isspace (*start))
            break;
          start++;
        }
      else
        {
          gunichar c = g_utf8_get_char_validated (start, end - start);

          if (c == (gunichar) -1 || c == (gunichar) -2 || !g_unichar_isspace (c))
            break;
          start = g_utf8_next_char (start);
        }
    }
  while (end > start)
    {
      if ((guchar) end[-1] < 0x80)
        {
          if (!g_ascii_isspace (end[-1]))
            break;
          end--;
        }
      else
        {
          const char *prev = g_utf8_find_prev_char (start, end);

          if (prev == NULL || !g_unichar_isspace (g_utf8_get_char (prev)))
            break;
          end = prev;
        }
    }

  *len_out = end - start;
  return start;
}

/* A row of empty cells (",,,,", as spreadsheets leave below the data)
 * counts as a blank line: the reader skips those too. */
static gboolean
cells_are_blank (const char * const *cells,
                 guint               n_cells)
{
  for (guint i = 0; i < n_cells; i++)
    {
      gsize len;

      strip_bounds (cells[i], &len);
      if (len > 0)
        return FALSE;
    }
  return TRUE;
}

static char *
strip_dup (const char *text)
{
  gsize len;
  const char *start = strip_bounds (text, &len);

  return g_strndup (start, len);
}

/* The field @column's header names for @kind: an exact word first, then
 * a known word inside it, the one that ends it if any ("买家邮箱",
 * "Customer Email": the last word says what it is in both languages),
 * the longest of those. */
static CtImportField
guess_field (CtImportKind  kind,
             const char   *header)
{
  g_autofree char *key = ct_parse_normalise_header (header);
  guint kinds = 1 << kind;
  CtImportField field = CT_IMPORT_FIELD_IGNORE;
  gsize best_len = 0;
  gsize best_end = 0;

  if (key[0] == '\0')
    return CT_IMPORT_FIELD_IGNORE;

  for (guint i = 0; i < G_N_ELEMENTS (header_words); i++)
    if ((header_words[i].kinds & kinds) && strcmp (header_words[i].word, key) == 0)
      return header_words[i].field;

  for (guint i = 0; i < G_N_ELEMENTS (header_words); i++)
    {
      const char *word = header_words[i].word;
      gsize len = strlen (word);

      /* One-character words ("名", "姓") and short English ones ("tel",
       * "id") find too much inside other headers. */
      if (!(header_words[i].kinds & kinds) || g_utf8_strlen (word, -1) < 2
          || ((guchar) word[0] < 0x80 && len < 4))
        continue;
      for (const char *found = strstr (key, word); found != NULL; found = strstr (found + 1, word))
        {
          gsize end = (found - key) + len;

          if (end > best_end || (end == best_end && len > best_len))
            {
              best_end = end;
              best_len = len;
              field = header_words[i].field;
            }
        }
    }

  return field;
}

static gboolean
looks_like_data (const char *cell)
{
  g_autofree char *stripped = strip_dup (cell);
  gint64 value;
  gboolean day_first;

  if (stripped[0] == '\0')
    return FALSE;
  return ct_parse_email_valid (stripped)
         || ct_parse_amount (stripped, NULL, &value, NULL)
         || ct_parse_date_order_hint (stripped, &day_first)
         || ct_parse_date (stripped, FALSE, NULL, &value);
}

/* Whether the first record names the columns: it holds a header word, or
 * at least nothing that reads as data (an email, amount or date). */
static gboolean
guess_has_header (CtImportKind        kind,
                  const char * const *cells,
                  guint               n_cells)
{
  for (guint i = 0; i < n_cells; i++)
    if (guess_field (kind, cells[i]) != CT_IMPORT_FIELD_IGNORE)
      return TRUE;
  for (guint i = 0; i < n_cells; i++)
    if (looks_like_data (cells[i]))
      return FALSE;
  return TRUE;
}

/* The field of @kind whose own name (ct_import_field_to_string(), as
 * the export writes them and --map takes them) @header is, if any. */
static CtImportField
exact_field (CtImportKind  kind,
             const char   *header)
{
  g_autofree char *key = ct_parse_normalise_header (header);

  for (guint i = 1; i < CT_IMPORT_N_FIELDS; i++)
    {
      g_autofree char *id_key = ct_parse_normalise_header (field_names[i].id);

      if (strcmp (id_key, key) == 0 && kind_has_field (kind, i))
        return i;
    }
  return CT_IMPORT_FIELD_IGNORE;
}

/* Maps the columns: by header word, then a column of emails without a
 * known header, each field to one column at most.
 *
 * A header that is a field's own name takes that field before any
 * synonym does: "source" in a purchases file is the order source (which
 * with the order id makes re-importing add nothing), even though
 * "source" alone also reads as the channel, as it still does in a
 * contacts file, where there is no order source. So the purchases
 * export (order_id,source,...,channel,refunded) reads back as written,
 * and a shop export with a "Source" column keeps its orders apart by it.
 * Among synonyms the first column wins. */
static void
guess_fields (LoadState *state)
{
  gboolean taken[CT_IMPORT_N_FIELDS] = { FALSE, };

  g_array_set_size (state->fields, state->columns->len);
  for (guint c = 0; c < state->columns->len; c++)
    {
      CtImportField field = CT_IMPORT_FIELD_IGNORE;

      if (state->has_header)
        field = exact_field (state->kind, g_ptr_array_index (state->columns, c));
      if (taken[field])
        field = CT_IMPORT_FIELD_IGNORE;
      taken[field] = TRUE;
      g_array_index (state->fields, CtImportField, c) = field;
    }
  for (guint c = 0; c < state->columns->len; c++)
    {
      CtImportField field;

      if (!state->has_header || g_array_index (state->fields, CtImportField, c) != CT_IMPORT_FIELD_IGNORE)
        continue;
      field = guess_field (state->kind, g_ptr_array_index (state->columns, c));
      if (field != CT_IMPORT_FIELD_IGNORE && (taken[field] || !kind_has_field (state->kind, field)))
        field = CT_IMPORT_FIELD_IGNORE;
      taken[field] = TRUE;
      g_array_index (state->fields, CtImportField, c) = field;
    }

  /* A column of email addresses is one, whatever its header says. */
  if (!taken[CT_IMPORT_FIELD_EMAIL] && state->preview->len > 0)
    {
      for (guint c = 0; c < state->columns->len; c++)
        {
          guint n_emails = 0, n_filled = 0;

          if (g_array_index (state->fields, CtImportField, c) != CT_IMPORT_FIELD_IGNORE)
            continue;
          for (guint r = 0; r < state->preview->len; r++)
            {
              PreviewRow *row = g_ptr_array_index (state->preview, r);
              g_autofree char *cell = NULL;

              if (c >= row->n_cells)
                continue;
              cell = strip_dup (row->cells[c]);
              if (cell[0] == '\0')
                continue;
              n_filled++;
              if (ct_parse_email_valid (cell))
                n_emails++;
            }
          if (n_filled > 0 && n_emails * 10 >= n_filled * 8)
            {
              g_array_index (state->fields, CtImportField, c) = CT_IMPORT_FIELD_EMAIL;
              break;
            }
        }
    }
}

/* Whether the dates of the file put the day first: the rows that can
 * only be read one way vote. */
static void
guess_day_first (LoadState *state)
{
  g_autoptr(CtCsvReader) reader = NULL;
  guint votes_day = 0, votes_month = 0;
  guint n = 0;

  if (state->text == NULL)
    return;

  reader = ct_csv_reader_new (state->text, state->len, state->delimiter);
  while (n++ < N_HINT_ROWS && ct_csv_reader_next (reader))
    {
      guint n_fields;
      const char * const *fields = ct_csv_reader_get_fields (reader, &n_fields);

      for (guint i = 0; i < n_fields; i++)
        {
          gboolean day_first;

          if (ct_parse_date_order_hint (fields[i], &day_first))
            {
              if (day_first)
                votes_day++;
              else
                votes_month++;
            }
        }
    }

  if (votes_day + votes_month > 0)
    {
      state->day_first_known = TRUE;
      state->day_first = votes_day > votes_month;
    }
}

static char *
column_fallback_name (guint column)
{
  /* Translators: the name of a column of a file without a header row */
  return g_strdup_printf (_("Column %u"), column + 1);
}

/* Reads the columns and the preview from the decoded text with the
 * state's delimiter; @has_header_choice is -1 to guess. */
static gboolean
read_columns (LoadState  *state,
              int         has_header_choice,
              GError    **error)
{
  g_autoptr(CtCsvReader) reader = ct_csv_reader_new (state->text, state->len, state->delimiter);
  g_autofree char *display = g_strdup (state->file_name != NULL ? state->file_name : "");
  const char * const *fields;
  guint n_fields;
  guint n_columns;

  g_clear_pointer (&state->columns, g_ptr_array_unref);
  g_clear_pointer (&state->header, g_ptr_array_unref);
  g_clear_pointer (&state->preview, g_ptr_array_unref);
  state->columns = g_ptr_array_new_with_free_func (g_free);
  state->preview = g_ptr_array_new_with_free_func (preview_row_free);
  state->fields = state->fields != NULL ? state->fields : g_array_new (FALSE, TRUE, sizeof (CtImportField));

  if (!ct_csv_reader_next (reader))
    {
      g_set_error (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_EMPTY,
                   _("“%s” holds no rows."), display);
      return FALSE;
    }

  fields = ct_csv_reader_get_fields (reader, &n_fields);
  if (has_header_choice < 0)
    state->has_header = !ct_csv_reader_get_unterminated (reader)
                        && guess_has_header (state->kind, fields, n_fields);
  else
    state->has_header = has_header_choice;
  n_columns = n_fields;

  if (state->has_header)
    {
      state->header_line = ct_csv_reader_get_line (reader);
      state->header = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < n_fields; i++)
        {
          g_autofree char *name = strip_dup (ct_csv_cell_unneutralise (fields[i]));

          g_ptr_array_add (state->header, g_strdup (ct_csv_cell_unneutralise (fields[i])));
          g_ptr_array_add (state->columns, name[0] != '\0' ? g_steal_pointer (&name)
                                                           : column_fallback_name (i));
        }
      /* No trailing empty header cells: Excel leaves a delimiter at the
       * end of every line of some exports. */
      while (state->columns->len > 1
             && ((char *) g_ptr_array_index (state->header, state->header->len - 1))[0] == '\0')
        {
          g_ptr_array_set_size (state->header, state->header->len - 1);
          g_ptr_array_set_size (state->columns, state->columns->len - 1);
        }
      n_columns = state->columns->len;
    }

  do
    {
      PreviewRow *row;

      if (state->has_header && state->preview->len == 0
          && ct_csv_reader_get_line (reader) == state->header_line)
        continue;

      fields = ct_csv_reader_get_fields (reader, &n_fields);
      if (!ct_csv_reader_get_unterminated (reader) && cells_are_blank (fields, n_fields))
        continue;
      row = g_new0 (PreviewRow, 1);
      row->line = ct_csv_reader_get_line (reader);
      row->end_line = ct_csv_reader_get_end_line (reader);
      row->unterminated = ct_csv_reader_get_unterminated (reader);
      row->cells = copy_cells (fields, n_fields);
      row->n_cells = n_fields;
      g_ptr_array_add (state->preview, row);
      if (!state->has_header && !row->unterminated)
        n_columns = MAX (n_columns, n_fields);
    }
  while (state->preview->len < N_PREVIEW_ROWS && ct_csv_reader_next (reader));

  if (state->preview->len == 0)
    {
      g_set_error (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_EMPTY,
                   _("“%s” has a header row but no rows below it."), display);
      return FALSE;
    }

  if (!state->has_header)
    for (guint i = 0; i < n_columns; i++)
      g_ptr_array_add (state->columns, column_fallback_name (i));

  guess_fields (state);
  return TRUE;
}

/* Decodes @state->bytes as @encoding (detected when < 0). */
static gboolean
decode (LoadState  *state,
        int         encoding,
        GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  const guint8 *data;
  gsize size;
  CtCsvEncoding detected;
  const char *display = state->file_name != NULL ? state->file_name : "";
  char *text;
  gsize len;

  data = g_bytes_get_data (state->bytes, &size);

  if (encoding < 0)
    {
      if (!ct_csv_detect_encoding (data, size, &detected, &local_error))
        {
          if (g_error_matches (local_error, CT_CSV_ERROR, CT_CSV_ERROR_BINARY))
            g_set_error (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_BINARY,
                         _("“%s” is a spreadsheet workbook or another binary file, not CSV. "
                           "Save it as “CSV UTF-8” from the spreadsheet and import that."),
                         display);
          else
            g_set_error (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_ENCODING,
                         _("“%s” is not text in UTF-8, UTF-16 or Chinese GB18030: %s"),
                         display, local_error->message);
          return FALSE;
        }
      encoding = detected;
    }

  text = ct_csv_decode (data, size, encoding, &len, &local_error);
  if (text == NULL)
    {
      g_set_error (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_ENCODING,
                   /* Translators: "“a.csv” cannot be read as UTF-8: <why>" */
                   _("“%s” cannot be read as %s: %s"), display,
                   ct_csv_encoding_get_label (encoding), local_error->message);
      return FALSE;
    }

  g_free (state->text);
  state->text = text;
  state->len = len;
  state->encoding = encoding;
  return TRUE;
}

static gboolean
text_is_blank (const char *text,
               gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isspace (text[i]))
      return FALSE;
  return TRUE;
}

static gboolean
starts_like_vcard (const char *text,
                   gsize       len)
{
  gsize i = 0;

  while (i < len && g_ascii_isspace (text[i]))
    i++;
  return len - i >= 11 && g_ascii_strncasecmp (text + i, "BEGIN:VCARD", 11) == 0;
}

static gboolean load_state_read_vcard (LoadState *state, GError **error);

/* A state for @bytes, decoded (from @encoding, or a detected one when
 * -1) but not read into rows yet. Thread-safe: touches no importer. */
static LoadState *
load_state_decode (CtImportKind   kind,
                   GBytes        *bytes,
                   const char    *file_name,
                   int            encoding,
                   GError       **error)
{
  g_autoptr(LoadState) state = g_new0 (LoadState, 1);

  state->kind = kind;
  state->bytes = g_bytes_ref (bytes);
  state->file_name = g_strdup (file_name);

  if (g_bytes_get_size (bytes) == 0)
    {
      g_set_error (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_EMPTY,
                   _("“%s” is empty."), file_name != NULL ? file_name : "");
      return NULL;
    }

  if (!decode (state, encoding, error))
    return NULL;
  return g_steal_pointer (&state);
}

/* Reads decoded text as CSV: delimiter, header and columns, each
 * detected. A new file and a file read again in another encoding both
 * come here, so that they are detected the same way. */
static gboolean
load_state_read_csv (LoadState  *state,
                     GError    **error)
{
  if (text_is_blank (state->text, state->len))
    {
      g_set_error (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_EMPTY,
                   _("“%s” holds no rows."), state->file_name != NULL ? state->file_name : "");
      return FALSE;
    }

  state->delimiter = ct_csv_detect_delimiter (state->text, state->len);
  if (!read_columns (state, -1, error))
    return FALSE;
  guess_day_first (state);
  return TRUE;
}

/* Reads bytes as a whole: encoding, delimiter, header, columns and
 * preview, each detected. Thread-safe: touches no importer. */
static LoadState *
load_state_new (CtImportKind   kind,
                GBytes        *bytes,
                const char    *file_name,
                int            encoding,
                GError       **error)
{
  g_autoptr(LoadState) state = NULL;

  state = load_state_decode (kind, bytes, file_name, encoding, error);
  if (state == NULL)
    return NULL;

  /* Blank text never starts like a vCard: it goes on to be refused as
   * holding no rows. */
  if (kind == CT_IMPORT_CONTACTS && starts_like_vcard (state->text, state->len))
    {
      if (!load_state_read_vcard (state, error))
        return NULL;
    }
  else if (!load_state_read_csv (state, error))
    return NULL;

  return g_steal_pointer (&state);
}

/* vCards: every card becomes a row of the same seven columns. */
static const CtImportField vcard_fields[] = {
  CT_IMPORT_FIELD_EMAIL,
  CT_IMPORT_FIELD_FIRST_NAME,
  CT_IMPORT_FIELD_LAST_NAME,
  CT_IMPORT_FIELD_PHONE,
  CT_IMPORT_FIELD_COMPANY,
  CT_IMPORT_FIELD_TAGS,
  CT_IMPORT_FIELD_NOTES,
};

static gboolean
load_state_read_vcard (LoadState  *state,
                       GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) cards = NULL;
  const char *display = state->file_name != NULL ? state->file_name : "";

  cards = ct_vcard_parse (state->text, state->len, &local_error);
  if (cards == NULL)
    {
      if (g_error_matches (local_error, CT_VCARD_ERROR, CT_VCARD_ERROR_NO_CARD))
        g_set_error (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_EMPTY,
                     _("“%s” holds no contact cards: %s"), display, local_error->message);
      else
        g_set_error (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_ENCODING,
                     _("“%s” cannot be read as vCard: %s"), display, local_error->message);
      return FALSE;
    }
  if (cards->len == 0)
    {
      g_set_error (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_EMPTY,
                   _("“%s” holds no contact cards."), display);
      return FALSE;
    }

  state->has_header = TRUE;
  state->delimiter = ',';
  state->columns = g_ptr_array_new_with_free_func (g_free);
  state->header = g_ptr_array_new_with_free_func (g_free);
  state->fields = g_array_new (FALSE, TRUE, sizeof (CtImportField));
  state->preview = g_ptr_array_new_with_free_func (preview_row_free);
  state->vcard_rows = g_ptr_array_new_with_free_func (preview_row_free);

  for (guint i = 0; i < G_N_ELEMENTS (vcard_fields); i++)
    {
      const char *id = ct_import_field_to_string (vcard_fields[i]);

      g_ptr_array_add (state->columns, g_strdup (id));
      g_ptr_array_add (state->header, g_strdup (id));
      g_array_append_val (state->fields, vcard_fields[i]);
    }

  for (guint i = 0; i < cards->len; i++)
    {
      CtVcardCard *card = g_ptr_array_index (cards, i);
      g_autofree char *tags = card->tags != NULL ? g_strjoinv (", ", card->tags) : NULL;
      const char *cells[] = {
        card->email, card->first_name, card->last_name, card->phone,
        card->company, tags, card->notes,
      };
      PreviewRow *row = g_new0 (PreviewRow, 1);

      G_STATIC_ASSERT (G_N_ELEMENTS (cells) == G_N_ELEMENTS (vcard_fields));
      row->line = row->end_line = card->line;
      row->n_cells = G_N_ELEMENTS (cells);
      row->cells = g_new0 (char *, row->n_cells + 1);
      for (guint c = 0; c < row->n_cells; c++)
        row->cells[c] = g_strdup (cells[c] != NULL ? cells[c] : "");
      g_ptr_array_add (state->vcard_rows, row);

      if (state->preview->len < N_PREVIEW_ROWS)
        {
          PreviewRow *copy = g_new0 (PreviewRow, 1);

          copy->line = copy->end_line = row->line;
          copy->n_cells = row->n_cells;
          copy->cells = g_strdupv (row->cells);
          g_ptr_array_add (state->preview, copy);
        }
    }

  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Importer */

struct _CtImporter
{
  GObject             parent_instance;

  CtImportKind        kind;
  LoadState          *state;       /* NULL before loading */
  GBytes             *pending;     /* a file no encoding read, for set_encoding() */
  char               *pending_name;
  gboolean            day_first;
  CtImportDuplicates  on_duplicate;
  char               *source;      /* NULL: from the file name */
  char               *default_source;
  char               *default_currency;
  gboolean            all_or_nothing;
  gboolean            running;
};

G_DEFINE_FINAL_TYPE (CtImporter, ct_importer, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KIND,
  PROP_FILE_NAME,
  PROP_ENCODING,
  PROP_DELIMITER,
  PROP_HAS_HEADER,
  PROP_N_COLUMNS,
  PROP_DAY_FIRST,
  PROP_ON_DUPLICATE,
  PROP_SOURCE,
  PROP_DEFAULT_CURRENCY,
  PROP_ALL_OR_NOTHING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  COLUMNS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ct_importer_finalize (GObject *object)
{
  CtImporter *self = CT_IMPORTER (object);

  load_state_free (self->state);
  g_clear_pointer (&self->pending, g_bytes_unref);
  g_free (self->pending_name);
  g_free (self->source);
  g_free (self->default_source);
  g_free (self->default_currency);

  G_OBJECT_CLASS (ct_importer_parent_class)->finalize (object);
}

static void
ct_importer_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CtImporter *self = CT_IMPORTER (object);

  switch (prop_id)
    {
    case PROP_KIND:
      g_value_set_int (value, self->kind);
      break;
    case PROP_FILE_NAME:
      g_value_set_string (value, ct_importer_get_file_name (self));
      break;
    case PROP_ENCODING:
      g_value_set_int (value, ct_importer_get_encoding (self));
      break;
    case PROP_DELIMITER:
      g_value_set_uint (value, (guchar) ct_importer_get_delimiter (self));
      break;
    case PROP_HAS_HEADER:
      g_value_set_boolean (value, ct_importer_get_has_header (self));
      break;
    case PROP_N_COLUMNS:
      g_value_set_uint (value, ct_importer_get_n_columns (self));
      break;
    case PROP_DAY_FIRST:
      g_value_set_boolean (value, self->day_first);
      break;
    case PROP_ON_DUPLICATE:
      g_value_set_int (value, self->on_duplicate);
      break;
    case PROP_SOURCE:
      g_value_set_string (value, ct_importer_get_source (self));
      break;
    case PROP_DEFAULT_CURRENCY:
      g_value_set_string (value, self->default_currency);
      break;
    case PROP_ALL_OR_NOTHING:
      g_value_set_boolean (value, self->all_or_nothing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_importer_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  CtImporter *self = CT_IMPORTER (object);

  switch (prop_id)
    {
    case PROP_KIND:
      self->kind = g_value_get_int (value);
      break;
    case PROP_ENCODING:
      ct_importer_set_encoding (self, g_value_get_int (value), NULL);
      break;
    case PROP_DELIMITER:
      ct_importer_set_delimiter (self, (char) g_value_get_uint (value));
      break;
    case PROP_HAS_HEADER:
      ct_importer_set_has_header (self, g_value_get_boolean (value));
      break;
    case PROP_DAY_FIRST:
      ct_importer_set_day_first (self, g_value_get_boolean (value));
      break;
    case PROP_ON_DUPLICATE:
      ct_importer_set_on_duplicate (self, g_value_get_int (value));
      break;
    case PROP_SOURCE:
      ct_importer_set_source (self, g_value_get_string (value));
      break;
    case PROP_DEFAULT_CURRENCY:
      ct_importer_set_default_currency (self, g_value_get_string (value));
      break;
    case PROP_ALL_OR_NOTHING:
      ct_importer_set_all_or_nothing (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ct_importer_class_init (CtImporterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ct_importer_finalize;
  object_class->get_property = ct_importer_get_property;
  object_class->set_property = ct_importer_set_property;

  properties[PROP_KIND] =
    g_param_spec_int ("kind", NULL, NULL, CT_IMPORT_CONTACTS, CT_IMPORT_PURCHASES,
                      CT_IMPORT_CONTACTS,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FILE_NAME] =
    g_param_spec_string ("file-name", NULL, NULL, NULL, ro);
  properties[PROP_ENCODING] =
    g_param_spec_int ("encoding", NULL, NULL, 0, CT_CSV_N_ENCODINGS - 1,
                      CT_CSV_ENCODING_UTF8, rw);
  properties[PROP_DELIMITER] =
    g_param_spec_uint ("delimiter", NULL, NULL, 1, 127, ',', rw);
  properties[PROP_HAS_HEADER] =
    g_param_spec_boolean ("has-header", NULL, NULL, TRUE, rw);
  properties[PROP_N_COLUMNS] =
    g_param_spec_uint ("n-columns", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_DAY_FIRST] =
    g_param_spec_boolean ("day-first", NULL, NULL, FALSE, rw);
  properties[PROP_ON_DUPLICATE] =
    g_param_spec_int ("on-duplicate", NULL, NULL, CT_IMPORT_DUPLICATES_UPDATE_EMPTY,
                      CT_IMPORT_DUPLICATES_SKIP, CT_IMPORT_DUPLICATES_UPDATE_EMPTY, rw);
  properties[PROP_SOURCE] =
    g_param_spec_string ("source", NULL, NULL, NULL, rw);
  properties[PROP_DEFAULT_CURRENCY] =
    g_param_spec_string ("default-currency", NULL, NULL, "CNY", rw);
  properties[PROP_ALL_OR_NOTHING] =
    g_param_spec_boolean ("all-or-nothing", NULL, NULL, FALSE, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CtImporter::columns-changed:
   *
   * The columns, their mapping and the preview were read again.
   */
  signals[COLUMNS_CHANGED] =
    g_signal_new ("columns-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
ct_importer_init (CtImporter *self)
{
  self->default_currency = g_strdup ("CNY");
  self->default_source = g_strdup ("import");
}

/**
 * ct_importer_new:
 *
 * Returns: (transfer full): an importer of contacts or purchases, with
 * no file yet
 */
CtImporter *
ct_importer_new (CtImportKind kind)
{
  g_return_val_if_fail (kind == CT_IMPORT_CONTACTS || kind == CT_IMPORT_PURCHASES, NULL);
  return g_object_new (CT_TYPE_IMPORTER, "kind", kind, NULL);
}

CtImportKind
ct_importer_get_kind (CtImporter *self)
{
  g_return_val_if_fail (CT_IS_IMPORTER (self), CT_IMPORT_CONTACTS);
  return self->kind;
}

/* "orders-2024.csv" gives "orders-2024": with the order id, what makes
 * re-importing the same export add nothing. */
static char *
source_from_file_name (const char *file_name)
{
  g_autofree char *base = NULL;
  char *dot;

  if (file_name == NULL || file_name[0] == '\0')
    return g_strdup ("import");
  base = g_path_get_basename (file_name);
  dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    *dot = '\0';
  g_strstrip (base);
  if (base[0] == '\0')
    return g_strdup ("import");
  return g_steal_pointer (&base);
}

/* Takes a newly read state, notifies what changed and emits
 * ::columns-changed. */
static void
apply_state (CtImporter *self,
             LoadState  *state)
{
  LoadState *old = self->state;
  gboolean file_changed = old == NULL || g_strcmp0 (old->file_name, state->file_name) != 0;
  gboolean encoding_changed = old == NULL || old->encoding != state->encoding;
  gboolean delimiter_changed = old == NULL || old->delimiter != state->delimiter;
  gboolean header_changed = old == NULL || old->has_header != state->has_header;
  gboolean n_columns_changed = old == NULL || old->columns->len != state->columns->len;

  g_object_freeze_notify (G_OBJECT (self));

  self->state = state;
  load_state_free (old);

  if (file_changed)
    {
      g_autofree char *source = source_from_file_name (state->file_name);

      if (g_strcmp0 (self->default_source, source) != 0)
        {
          g_free (self->default_source);
          self->default_source = g_steal_pointer (&source);
          if (self->source == NULL)
            g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
        }
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILE_NAME]);
    }
  if (encoding_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENCODING]);
  if (delimiter_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DELIMITER]);
  if (header_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_HEADER]);
  if (n_columns_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_COLUMNS]);
  if (state->day_first_known)
    ct_importer_set_day_first (self, state->day_first);

  g_object_thaw_notify (G_OBJECT (self));

  g_signal_emit (self, signals[COLUMNS_CHANGED], 0);
}

/* Keeps the bytes of a load that failed on the encoding, so that
 * ct_importer_set_encoding() can try another; any other outcome forgets
 * them. */
static void
keep_pending (CtImporter    *self,
              GBytes        *bytes,
              const char    *file_name,
              GError       **error)
{
  g_clear_pointer (&self->pending, g_bytes_unref);
  g_clear_pointer (&self->pending_name, g_free);
  if (bytes != NULL && error != NULL && *error != NULL
      && g_error_matches (*error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_ENCODING))
    {
      self->pending = g_bytes_ref (bytes);
      self->pending_name = g_strdup (file_name);
    }
}

gboolean
ct_importer_load_bytes (CtImporter  *self,
                        GBytes      *bytes,
                        const char  *file_name,
                        GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  LoadState *state;

  g_return_val_if_fail (CT_IS_IMPORTER (self), FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);
  g_return_val_if_fail (!self->running, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* The error is looked at here whether or not the caller wants it, so
   * that bytes in an unknown encoding are kept for set_encoding(). */
  state = load_state_new (self->kind, bytes, file_name, -1, &local_error);
  keep_pending (self, state == NULL ? bytes : NULL, file_name, &local_error);
  if (state == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  apply_state (self, state);
  return TRUE;
}

gboolean
ct_importer_load_vcard (CtImporter  *self,
                        GBytes      *bytes,
                        const char  *file_name,
                        GError     **error)
{
  g_autoptr(LoadState) state = NULL;

  g_return_val_if_fail (CT_IS_IMPORTER (self), FALSE);
  g_return_val_if_fail (self->kind == CT_IMPORT_CONTACTS, FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);
  g_return_val_if_fail (!self->running, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  state = load_state_decode (self->kind, bytes, file_name, -1, error);
  if (state == NULL || !load_state_read_vcard (state, error))
    return FALSE;

  apply_state (self, g_steal_pointer (&state));
  return TRUE;
}

static char *
file_display_name (GFile *file)
{
  g_autofree char *path = g_file_get_path (file);

  if (path != NULL)
    return g_filename_display_basename (path);
  return g_file_get_parse_name (file);
}

static GBytes *
read_file (GFile         *file,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *display = file_display_name (file);
  char *contents = NULL;
  gsize length = 0;

  if (!g_file_load_contents (file, cancellable, &contents, &length, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY))
        g_set_error (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_READ,
                     _("“%s” is a folder, not a file."), display);
      else
        g_set_error (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_READ,
                     _("Could not read “%s”: %s"), display, local_error->message);
      return NULL;
    }
  return g_bytes_new_take (contents, length);
}

/* @bytes_out: what was read, when it was */
static LoadState *
load_state_from_file (CtImportKind   kind,
                      GFile         *file,
                      GBytes       **bytes_out,
                      char         **name_out,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GBytes) bytes = read_file (file, cancellable, error);
  g_autofree char *display = NULL;
  LoadState *state;

  if (bytes == NULL)
    return NULL;
  display = file_display_name (file);
  state = load_state_new (kind, bytes, display, -1, error);
  *bytes_out = g_steal_pointer (&bytes);
  *name_out = g_steal_pointer (&display);
  return state;
}

gboolean
ct_importer_load_file (CtImporter    *self,
                       GFile         *file,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *name = NULL;
  LoadState *state;

  g_return_val_if_fail (CT_IS_IMPORTER (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (!self->running, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* As in ct_importer_load_bytes(): the bytes are kept for another
   * encoding whether or not the caller wants the error. */
  state = load_state_from_file (self->kind, file, &bytes, &name, cancellable, &local_error);
  keep_pending (self, state == NULL ? bytes : NULL, name, &local_error);
  if (state == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  apply_state (self, state);
  return TRUE;
}

typedef struct
{
  CtImportKind  kind;
  GFile        *file;
  GBytes       *bytes;   /* set by the thread */
  char         *name;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_object_unref (data->file);
  g_clear_pointer (&data->bytes, g_bytes_unref);
  g_free (data->name);
  g_free (data);
}

static void
load_file_in_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  LoadData *data = task_data;
  GError *error = NULL;
  LoadState *state;

  state = load_state_from_file (data->kind, data->file, &data->bytes, &data->name,
                                cancellable, &error);
  if (state == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, state, (GDestroyNotify) load_state_free);
}

void
ct_importer_load_file_async (CtImporter          *self,
                             GFile               *file,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;

  g_return_if_fail (CT_IS_IMPORTER (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (!self->running);

  data = g_new0 (LoadData, 1);
  data->kind = self->kind;
  data->file = g_object_ref (file);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ct_importer_load_file_async);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (task, load_file_in_thread);
}

gboolean
ct_importer_load_file_finish (CtImporter    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  GError *local_error = NULL;
  LoadState *state;
  LoadData *data;

  g_return_val_if_fail (CT_IS_IMPORTER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  data = g_task_get_task_data (G_TASK (result));
  state = g_task_propagate_pointer (G_TASK (result), &local_error);
  keep_pending (self, state == NULL ? data->bytes : NULL, data->name, &local_error);
  if (state == NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  apply_state (self, state);
  return TRUE;
}

const char *
ct_importer_get_file_name (CtImporter *self)
{
  g_return_val_if_fail (CT_IS_IMPORTER (self), NULL);
  return self->state != NULL ? self->state->file_name : NULL;
}

CtCsvEncoding
ct_importer_get_encoding (CtImporter *self)
{
  g_return_val_if_fail (CT_IS_IMPORTER (self), CT_CSV_ENCODING_UTF8);
  return self->state != NULL ? self->state->encoding : CT_CSV_ENCODING_UTF8;
}

/* A copy of the loaded state's file, to read again with other choices. */
static LoadState *
load_state_copy_source (LoadState *state)
{
  LoadState *copy = g_new0 (LoadState, 1);

  copy->kind = state->kind;
  copy->bytes = g_bytes_ref (state->bytes);
  copy->file_name = g_strdup (state->file_name);
  copy->encoding = state->encoding;
  copy->text = g_strndup (state->text, state->len);
  copy->len = state->len;
  copy->delimiter = state->delimiter;
  copy->has_header = state->has_header;
  return copy;
}

gboolean
ct_importer_set_encoding (CtImporter     *self,
                          CtCsvEncoding   encoding,
                          GError        **error)
{
  g_autoptr(LoadState) state = NULL;

  g_return_val_if_fail (CT_IS_IMPORTER (self), FALSE);
  g_return_val_if_fail ((guint) encoding < CT_CSV_N_ENCODINGS, FALSE);
  g_return_val_if_fail (!self->running, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->pending != NULL)
    {
      /* The last file no encoding read: try this one. */
      state = load_state_new (self->kind, self->pending, self->pending_name, encoding, error);
      if (state == NULL)
        return FALSE;
      g_clear_pointer (&self->pending, g_bytes_unref);
      g_clear_pointer (&self->pending_name, g_free);
      apply_state (self, g_steal_pointer (&state));
      return TRUE;
    }

  if (self->state == NULL || self->state->vcard_rows != NULL)
    return TRUE;
  if (self->state->encoding == encoding)
    return TRUE;

  /* Text read in the wrong encoding may have hidden the delimiter and the
   * header, so both are detected again. */
  state = load_state_copy_source (self->state);
  if (!decode (state, encoding, error) || !load_state_read_csv (state, error))
    return FALSE;

  apply_state (self, g_steal_pointer (&state));
  return TRUE;
}

char
ct_importer_get_delimiter (CtImporter *self)
{
  g_return_val_if_fail (CT_IS_IMPORTER (self), ',');
  return self->state != NULL ? self->state->delimiter : ',';
}

void
ct_importer_set_delimiter (CtImporter *self,
                           char        delimiter)
{
  g_autoptr(LoadState) state = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CT_IS_IMPORTER (self));
  g_return_if_fail (delimiter != '"' && delimiter != '\n' && delimiter != '\r' && delimiter != '\0');
  g_return_if_fail (!self->running);

  if (self->state == NULL || self->state->vcard_rows != NULL || self->state->delimiter == delimiter)
    return;

  state = load_state_copy_source (self->state);
  state->delimiter = delimiter;
  /* The text was read before, so it has rows; the header is kept as the
   * user saw it. */
  if (!read_columns (state, self->state->has_header, &error))
    {
      g_warning ("Could not read the columns again: %s", error->message);
      return;
    }
  guess_day_first (state);
  apply_state (self, g_steal_pointer (&state));
}

gboolean
ct_importer_get_has_header (CtImporter *self)
{
  g_return_val_if_fail (CT_IS_IMPORTER (self), TRUE);
  return self->state != NULL ? self->state->has_header : TRUE;
}

void
ct_importer_set_has_header (CtImporter *self,
                            gboolean    has_header)
{
  g_autoptr(LoadState) state = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CT_IS_IMPORTER (self));
  g_return_if_fail (!self->running);

  has_header = !!has_header;
  if (self->state == NULL || self->state->vcard_rows != NULL || self->state->has_header == has_header)
    return;

  state = load_state_copy_source (self->state);
  if (!read_columns (state, has_header, &error))
    {
      /* A single row taken as the header leaves nothing to import; the
       * preview then shows no rows rather than keeping a stale one. */
      g_clear_error (&error);
      state->has_header = has_header;
      if (state->columns->len == 0)
        for (guint i = 0; i < (self->state->columns->len); i++)
          g_ptr_array_add (state->columns, g_strdup (g_ptr_array_index (self->state->columns, i)));
      guess_fields (state);
    }
  apply_state (self, g_steal_pointer (&state));
}

guint
ct_importer_get_n_columns (CtImporter *self)
{
  g_return_val_if_fail (CT_IS_IMPORTER (self), 0);
  return self->state != NULL ? self->state->columns->len : 0;
}

const char *
ct_importer_get_column_name (CtImporter *self,
                             guint       column)
{
  g_return_val_if_fail (CT_IS_IMPORTER (self), NULL);
  g_return_val_if_fail (column < ct_importer_get_n_columns (self), NULL);
  return g_ptr_array_index (self->state->columns, column);
}

CtImportField
ct_importer_get_column_field (CtImporter *self,
                              guint       column)
{
  g_return_val_if_fail (CT_IS_IMPORTER (self), CT_IMPORT_FIELD_IGNORE);
  g_return_val_if_fail (column < ct_importer_get_n_columns (self), CT_IMPORT_FIELD_IGNORE);
  return g_array_index (self->state->fields, CtImportField, column);
}

void
ct_importer_set_column_field (CtImporter    *self,
                              guint          column,
                              CtImportField  field)
{
  g_return_if_fail (CT_IS_IMPORTER (self));
  g_return_if_fail (column < ct_importer_get_n_columns (self));
  g_return_if_fail ((guint) field < CT_IMPORT_N_FIELDS);
  g_return_if_fail (!self->running);

  if (field != CT_IMPORT_FIELD_IGNORE)
    for (guint c = 0; c < self->state->fields->len; c++)
      if (c != column && g_array_index (self->state->fields, CtImportField, c) == field)
        g_array_index (self->state->fields, CtImportField, c) = CT_IMPORT_FIELD_IGNORE;
  g_array_index (self->state->fields, CtImportField, column) = field;
}

gboolean
ct_importer_map_column (CtImporter  *self,
                        const char  *column,
                        const char  *field,
                        GError     **error)
{
  g_autofree char *key = NULL;
  CtImportField target;
  guint64 number;
  int found = -1;

  g_return_val_if_fail (CT_IS_IMPORTER (self), FALSE);
  g_return_val_if_fail (column != NULL && field != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!ct_import_field_from_string (field, &target) || !kind_has_field (self->kind, target))
    {
      g_autoptr(GString) names = g_string_new (NULL);
      const CtImportField *fields;
      guint n;

      fields = ct_import_kind_get_fields (self->kind, &n);
      for (guint i = 0; i < n; i++)
        g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", ct_import_field_to_string (fields[i]));
      g_set_error (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_MAPPING,
                   /* Translators: the second %s lists field names: "ignore, email, name…" */
                   _("“%s” is not a field to import into; use one of %s."), field, names->str);
      return FALSE;
    }

  key = ct_parse_normalise_header (column);
  for (guint c = 0; c < ct_importer_get_n_columns (self) && found < 0; c++)
    if (g_strcmp0 (g_ptr_array_index (self->state->columns, c), column) == 0)
      found = c;
  for (guint c = 0; c < ct_importer_get_n_columns (self) && found < 0; c++)
    {
      g_autofree char *name_key = ct_parse_normalise_header (g_ptr_array_index (self->state->columns, c));

      if (key[0] != '\0' && strcmp (name_key, key) == 0)
        found = c;
    }
  if (found < 0 && g_ascii_string_to_unsigned (column, 10, 1, ct_importer_get_n_columns (self),
                                               &number, NULL))
    found = (int) number - 1;

  if (found < 0)
    {
      g_set_error (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_MAPPING,
                   _("The file has no column “%s”; give a header as it is written or a column number from 1 to %u."),
                   column, ct_importer_get_n_columns (self));
      return FALSE;
    }

  ct_importer_set_column_field (self, found, target);
  return TRUE;
}

static int
find_field (CtImporter    *self,
            CtImportField  field)
{
  for (guint c = 0; c < ct_importer_get_n_columns (self); c++)
    if (g_array_index (self->state->fields, CtImportField, c) == field)
      return c;
  return -1;
}

gboolean
ct_importer_check_mapping (CtImporter  *self,
                           GError     **error)
{
  g_return_val_if_fail (CT_IS_IMPORTER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->state == NULL)
    {
      g_set_error_literal (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_MAPPING,
                           _("Choose a file to import first."));
      return FALSE;
    }

  if (self->kind == CT_IMPORT_CONTACTS)
    {
      if (find_field (self, CT_IMPORT_FIELD_EMAIL) < 0 && find_field (self, CT_IMPORT_FIELD_NAME) < 0
          && find_field (self, CT_IMPORT_FIELD_FIRST_NAME) < 0
          && find_field (self, CT_IMPORT_FIELD_LAST_NAME) < 0
          && find_field (self, CT_IMPORT_FIELD_PHONE) < 0)
        {
          g_set_error_literal (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_MAPPING,
                               _("Choose the column that holds the email, the name or the phone number."));
          return FALSE;
        }
      return TRUE;
    }

  if (find_field (self, CT_IMPORT_FIELD_AMOUNT) < 0)
    {
      g_set_error_literal (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_MAPPING,
                           _("Choose the column that holds the amount paid."));
      return FALSE;
    }
  if (find_field (self, CT_IMPORT_FIELD_PAID_AT) < 0)
    {
      g_set_error_literal (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_MAPPING,
                           _("Choose the column that holds when each purchase was paid."));
      return FALSE;
    }
  if (find_field (self, CT_IMPORT_FIELD_EMAIL) < 0 && find_field (self, CT_IMPORT_FIELD_PHONE) < 0)
    {
      g_set_error_literal (error, CT_IMPORT_ERROR, CT_IMPORT_ERROR_MAPPING,
                           _("Choose the column that holds the buyer’s email or phone number."));
      return FALSE;
    }
  return TRUE;
}

gboolean
ct_importer_get_day_first (CtImporter *self)
{
  g_return_val_if_fail (CT_IS_IMPORTER (self), FALSE);
  return self->day_first;
}

void
ct_importer_set_day_first (CtImporter *self,
                           gboolean    day_first)
{
  g_return_if_fail (CT_IS_IMPORTER (self));
  g_return_if_fail (!self->running);

  day_first = !!day_first;
  if (self->day_first == day_first)
    return;
  self->day_first = day_first;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DAY_FIRST]);
}

CtImportDuplicates
ct_importer_get_on_duplicate (CtImporter *self)
{
  g_return_val_if_fail (CT_IS_IMPORTER (self), CT_IMPORT_DUPLICATES_UPDATE_EMPTY);
  return self->on_duplicate;
}

void
ct_importer_set_on_duplicate (CtImporter         *self,
                              CtImportDuplicates  policy)
{
  g_return_if_fail (CT_IS_IMPORTER (self));
  g_return_if_fail ((guint) policy <= CT_IMPORT_DUPLICATES_SKIP);
  g_return_if_fail (!self->running);

  if (self->on_duplicate == policy)
    return;
  self->on_duplicate = policy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ON_DUPLICATE]);
}

const char *
ct_importer_get_source (CtImporter *self)
{
  g_return_val_if_fail (CT_IS_IMPORTER (self), NULL);
  return self->source != NULL ? self->source : self->default_source;
}

/* @source NULL or blank goes back to the one from the file name. */
void
ct_importer_set_source (CtImporter *self,
                        const char *source)
{
  g_autofree char *stripped = NULL;

  g_return_if_fail (CT_IS_IMPORTER (self));
  g_return_if_fail (!self->running);

  if (source != NULL)
    {
      stripped = strip_dup (source);
      if (stripped[0] == '\0')
        g_clear_pointer (&stripped, g_free);
    }
  if (g_strcmp0 (self->source, stripped) == 0)
    return;
  g_free (self->source);
  self->source = g_steal_pointer (&stripped);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOURCE]);
}

const char *
ct_importer_get_default_currency (CtImporter *self)
{
  g_return_val_if_fail (CT_IS_IMPORTER (self), NULL);
  return self->default_currency;
}

void
ct_importer_set_default_currency (CtImporter *self,
                                  const char *currency)
{
  char code[4];

  g_return_if_fail (CT_IS_IMPORTER (self));
  g_return_if_fail (!self->running);

  if (currency == NULL || !ct_parse_currency (currency, NULL, code))
    {
      g_return_if_fail (currency == NULL);
      g_strlcpy (code, "CNY", sizeof code);
    }
  if (g_strcmp0 (self->default_currency, code) == 0)
    return;
  g_free (self->default_currency);
  self->default_currency = g_strdup (code);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEFAULT_CURRENCY]);
}

gboolean
ct_importer_get_all_or_nothing (CtImporter *self)
{
  g_return_val_if_fail (CT_IS_IMPORTER (self), FALSE);
  return self->all_or_nothing;
}

void
ct_importer_set_all_or_nothing (CtImporter *self,
                                gboolean    all_or_nothing)
{
  g_return_if_fail (CT_IS_IMPORTER (self));
  g_return_if_fail (!self->running);

  all_or_nothing = !!all_or_nothing;
  if (self->all_or_nothing == all_or_nothing)
    return;
  self->all_or_nothing = all_or_nothing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALL_OR_NOTHING]);
}

guint
ct_importer_get_n_preview_rows (CtImporter *self)
{
  g_return_val_if_fail (CT_IS_IMPORTER (self), 0);
  return self->state != NULL ? self->state->preview->len : 0;
}

const char * const *
ct_importer_get_preview_row (CtImporter *self,
                             guint       row,
                             guint      *n_fields,
                             guint      *line)
{
  PreviewRow *preview;

  g_return_val_if_fail (CT_IS_IMPORTER (self), NULL);
  g_return_val_if_fail (row < ct_importer_get_n_preview_rows (self), NULL);

  preview = g_ptr_array_index (self->state->preview, row);
  if (n_fields != NULL)
    *n_fields = preview->n_cells;
  if (line != NULL)
    *line = preview->line;
  return (const char * const *) preview->cells;
}

/* ------------------------------------------------------------------ */
/* Checking a row's cells */

typedef struct
{
  CtImportKind  kind;
  int           col[CT_IMPORT_N_FIELDS];  /* the column of each field, -1 */
  GPtrArray    *names;                    /* column names, for messages */
  guint         n_columns;
  gboolean      day_first;
  const char   *default_currency;
  GTimeZone    *tz;
} Mapping;

static void
mapping_init (Mapping    *map,
              CtImporter *self)
{
  map->kind = self->kind;
  for (guint f = 0; f < CT_IMPORT_N_FIELDS; f++)
    map->col[f] = -1;
  for (guint c = 0; c < self->state->fields->len; c++)
    {
      CtImportField field = g_array_index (self->state->fields, CtImportField, c);

      if (field != CT_IMPORT_FIELD_IGNORE && kind_has_field (self->kind, field))
        map->col[field] = c;
    }
  map->names = self->state->columns;
  map->n_columns = self->state->columns->len;
  map->day_first = self->day_first;
  map->default_currency = self->default_currency;
  map->tz = g_time_zone_new_local ();
}

static void
mapping_clear (Mapping *map)
{
  g_clear_pointer (&map->tz, g_time_zone_unref);
}

/* One row's values, checked. Strings point into @scratch or are owned
 * (email, first_name, last_name). */
typedef struct
{
  GString    *scratch;
  gsize       offset[CT_IMPORT_N_FIELDS];
  const char *text[CT_IMPORT_N_FIELDS];   /* stripped cells, "" when empty or unmapped */
  char       *email;                      /* normalised, NULL when none */
  char       *first_name;
  char       *last_name;
  gboolean    has_status;
  CtContactStatus status;
  gboolean    has_created_at;
  gint64      created_at;
  gint64      amount;
  char        currency[4];
  gint64      paid_at;
  gboolean    refunded;
} Row;

static void
row_init (Row *row)
{
  memset (row, 0, sizeof *row);
  row->scratch = g_string_sized_new (1024);
}

static void
row_reset (Row *row)
{
  g_string_truncate (row->scratch, 0);
  g_clear_pointer (&row->email, g_free);
  g_clear_pointer (&row->first_name, g_free);
  g_clear_pointer (&row->last_name, g_free);
  row->has_status = FALSE;
  row->has_created_at = FALSE;
  row->refunded = FALSE;
  row->amount = 0;
  row->paid_at = 0;
  row->currency[0] = '\0';
}

static void
row_clear (Row *row)
{
  if (row->scratch == NULL)
    return;
  row_reset (row);
  g_string_free (row->scratch, TRUE);
  row->scratch = NULL;
}

/* A cell as a message quotes it: long ones cut short. */
static char *
quote_cell (const char *text)
{
  if (g_utf8_strlen (text, 41) > 40)
    {
      g_autofree char *start = g_utf8_substring (text, 0, 37);

      return g_strconcat (start, "…", NULL);
    }
  return g_strdup (text);
}

typedef struct
{
  int   column;   /* -1 for the row as a whole */
  char *reason;
} Problem;

G_GNUC_PRINTF (3, 4)
static gboolean
problem (Problem    *out,
         int         column,
         const char *format,
         ...)
{
  va_list args;

  out->column = column;
  va_start (args, format);
  out->reason = g_strdup_vprintf (format, args);
  va_end (args);
  return FALSE;
}

/* "“2024-13-45” in 支付时间 is not a date." and the like. */
static gboolean
cell_problem (Problem       *out,
              const Mapping *map,
              CtImportField  field,
              const char    *reason_format,
              const char    *value)
{
  g_autofree char *quoted = quote_cell (value);
  const char *column = g_ptr_array_index (map->names, map->col[field]);

  out->column = map->col[field];
  out->reason = g_strdup_printf (reason_format, quoted, column);
  return FALSE;
}

static gboolean
has_digit (const char *text)
{
  for (; *text != '\0'; text++)
    if (g_ascii_isdigit (*text))
      return TRUE;
  return FALSE;
}

/* Reads and checks a record's cells under @map. On a problem returns
 * FALSE with @out set (reason translated, without the line). */
static gboolean
check_row (const Mapping      *map,
           Row                *row,
           const char * const *fields,
           guint               n_fields,
           guint               line,
           guint               end_line,
           gboolean            unterminated,
           Problem            *out)
{
  CtAmountStatus amount_status;
  char amount_currency[4];
  gboolean has_currency = FALSE;

  row_reset (row);

  if (unterminated)
    return problem (out, -1, "%s",
                    _("A quoted cell that starts on this line is never closed: a \" is missing."));

  /* A row over several lines with the wrong number of cells: most
   * likely a quote left open that the next row's quote closed. */
  if (end_line > line && n_fields != map->n_columns
      && (n_fields < map->n_columns || !cells_are_blank (fields + map->n_columns,
                                                         n_fields - map->n_columns)))
    return problem (out, -1,
                    _("A quote seems to be missing: the row runs on to line %u and has %u cells where there are %u columns."),
                    end_line, n_fields, map->n_columns);

  if (n_fields < map->n_columns)
    return problem (out, -1,
                    ngettext ("The row has %u cell where there are %u columns; a delimiter or a quote may be missing.",
                              "The row has %u cells where there are %u columns; a delimiter or a quote may be missing.",
                              n_fields),
                    n_fields, map->n_columns);
  for (guint i = map->n_columns; i < n_fields; i++)
    {
      gsize len;

      strip_bounds (fields[i], &len);
      if (len > 0)
        return problem (out, -1,
                        ngettext ("The row has %u cells where there is %u column; a quote may be misplaced or a delimiter too many.",
                                  "The row has %u cells where there are %u columns; a quote may be misplaced or a delimiter too many.",
                                  map->n_columns),
                        n_fields, map->n_columns);
    }

  /* The stripped cells, copied into one buffer. */
  for (guint f = 0; f < CT_IMPORT_N_FIELDS; f++)
    {
      if (map->col[f] >= 0)
        {
          const char *cell = ct_csv_cell_unneutralise (fields[map->col[f]]);
          gsize len;
          const char *start = strip_bounds (cell, &len);

          row->offset[f] = row->scratch->len;
          g_string_append_len (row->scratch, start, len);
          g_string_append_c (row->scratch, '\0');
        }
      else
        row->offset[f] = G_MAXSIZE;
    }
  for (guint f = 0; f < CT_IMPORT_N_FIELDS; f++)
    row->text[f] = row->offset[f] != G_MAXSIZE ? row->scratch->str + row->offset[f] : "";

#define TEXT(f) (row->text[CT_IMPORT_FIELD_##f])
#define FILLED(f) (TEXT (f)[0] != '\0')

  if (FILLED (EMAIL))
    {
      row->email = ct_parse_email_normalise (TEXT (EMAIL));
      if (!ct_parse_email_valid (row->email))
        return cell_problem (out, map, CT_IMPORT_FIELD_EMAIL,
                             /* Translators: “bob@” in 邮箱 is not an email address. */
                             _("“%s” in %s is not an email address."), TEXT (EMAIL));
    }

  if (FILLED (NAME))
    ct_parse_split_name (TEXT (NAME), &row->first_name, &row->last_name);
  if (FILLED (FIRST_NAME))
    {
      g_free (row->first_name);
      row->first_name = g_strdup (TEXT (FIRST_NAME));
    }
  if (FILLED (LAST_NAME))
    {
      g_free (row->last_name);
      row->last_name = g_strdup (TEXT (LAST_NAME));
    }
  if (row->first_name == NULL)
    row->first_name = g_strdup ("");
  if (row->last_name == NULL)
    row->last_name = g_strdup ("");

  if (FILLED (PHONE) && !has_digit (TEXT (PHONE)))
    return cell_problem (out, map, CT_IMPORT_FIELD_PHONE,
                         _("“%s” in %s is not a phone number."), TEXT (PHONE));

  if (map->kind == CT_IMPORT_CONTACTS)
    {
      if (FILLED (STATUS))
        {
          if (!ct_parse_status (TEXT (STATUS), &row->status))
            return cell_problem (out, map, CT_IMPORT_FIELD_STATUS,
                                 _("“%s” in %s is not a subscription status (subscribed, unsubscribed, bounced or complained)."),
                                 TEXT (STATUS));
          row->has_status = TRUE;
        }
      if (FILLED (CREATED_AT))
        {
          if (!ct_parse_date (TEXT (CREATED_AT), map->day_first, map->tz, &row->created_at))
            return cell_problem (out, map, CT_IMPORT_FIELD_CREATED_AT,
                                 /* Translators: “2024-13-45” in 注册时间 is not a date. */
                                 _("“%s” in %s is not a date."), TEXT (CREATED_AT));
          row->has_created_at = TRUE;
        }
      if (row->email == NULL && row->first_name[0] == '\0' && row->last_name[0] == '\0'
          && !FILLED (PHONE))
        return problem (out, -1, "%s", _("The row has no email, name or phone number."));
      return TRUE;
    }

  /* Purchases */
  g_strlcpy (row->currency, map->default_currency, sizeof row->currency);
  if (FILLED (CURRENCY))
    {
      if (!ct_parse_currency (TEXT (CURRENCY), map->default_currency, row->currency))
        return cell_problem (out, map, CT_IMPORT_FIELD_CURRENCY,
                             _("“%s” in %s is not a currency."), TEXT (CURRENCY));
      has_currency = TRUE;
    }

  if (!FILLED (AMOUNT))
    return problem (out, map->col[CT_IMPORT_FIELD_AMOUNT],
                    /* Translators: %s is a column name */
                    _("%s is empty: a purchase needs the amount paid."),
                    (const char *) g_ptr_array_index (map->names, map->col[CT_IMPORT_FIELD_AMOUNT]));
  amount_status = ct_parse_amount_full (TEXT (AMOUNT), row->currency, &row->amount, amount_currency);
  switch (amount_status)
    {
    case CT_AMOUNT_OK:
      break;
    case CT_AMOUNT_TOO_PRECISE:
      return cell_problem (out, map, CT_IMPORT_FIELD_AMOUNT,
                           _("“%s” in %s has more decimals than the currency has."), TEXT (AMOUNT));
    case CT_AMOUNT_TOO_LARGE:
      return cell_problem (out, map, CT_IMPORT_FIELD_AMOUNT,
                           _("“%s” in %s is too large an amount."), TEXT (AMOUNT));
    case CT_AMOUNT_INVALID:
    default:
      return cell_problem (out, map, CT_IMPORT_FIELD_AMOUNT,
                           _("“%s” in %s is not an amount."), TEXT (AMOUNT));
    }
  if (has_currency && strcmp (amount_currency, row->currency) != 0)
    {
      g_autofree char *quoted = quote_cell (TEXT (AMOUNT));

      return problem (out, map->col[CT_IMPORT_FIELD_AMOUNT],
                      /* Translators: “$12” in 金额 is in USD, but 币种 says CNY. */
                      _("“%s” in %s is in %s, but %s says %s."), quoted,
                      (const char *) g_ptr_array_index (map->names, map->col[CT_IMPORT_FIELD_AMOUNT]),
                      amount_currency,
                      (const char *) g_ptr_array_index (map->names, map->col[CT_IMPORT_FIELD_CURRENCY]),
                      row->currency);
    }
  g_strlcpy (row->currency, amount_currency, sizeof row->currency);
  if (row->amount < 0)
    return cell_problem (out, map, CT_IMPORT_FIELD_AMOUNT,
                         _("“%s” in %s is negative; mark refunds in a refunded column instead."),
                         TEXT (AMOUNT));

  if (!FILLED (PAID_AT))
    return problem (out, map->col[CT_IMPORT_FIELD_PAID_AT],
                    /* Translators: %s is a column name */
                    _("%s is empty: a purchase needs the date it was paid."),
                    (const char *) g_ptr_array_index (map->names, map->col[CT_IMPORT_FIELD_PAID_AT]));
  if (!ct_parse_date (TEXT (PAID_AT), map->day_first, map->tz, &row->paid_at))
    return cell_problem (out, map, CT_IMPORT_FIELD_PAID_AT,
                         _("“%s” in %s is not a date."), TEXT (PAID_AT));

  if (FILLED (REFUNDED) && !ct_parse_bool (TEXT (REFUNDED), &row->refunded))
    return cell_problem (out, map, CT_IMPORT_FIELD_REFUNDED,
                         _("“%s” in %s is neither yes nor no."), TEXT (REFUNDED));

  if (row->email == NULL && !FILLED (PHONE))
    return problem (out, -1, "%s",
                    _("The row has no email or phone number to tell who made the purchase."));

#undef TEXT
#undef FILLED

  return TRUE;
}

static char *
line_message (guint       line,
              const char *reason)
{
  /* Translators: "Line 14: “2024-13-45” in 支付时间 is not a date." */
  return g_strdup_printf (_("Line %u: %s"), line, reason);
}

char *
ct_importer_check_preview_row (CtImporter *self,
                               guint       row_index)
{
  PreviewRow *preview;
  Mapping map;
  Row row;
  Problem found = { -1, NULL };
  char *message = NULL;

  g_return_val_if_fail (CT_IS_IMPORTER (self), NULL);
  g_return_val_if_fail (row_index < ct_importer_get_n_preview_rows (self), NULL);

  preview = g_ptr_array_index (self->state->preview, row_index);
  mapping_init (&map, self);
  row_init (&row);

  if (!check_row (&map, &row, (const char * const *) preview->cells, preview->n_cells,
                  preview->line, preview->end_line, preview->unterminated, &found))
    message = line_message (preview->line, found.reason);

  g_free (found.reason);
  row_clear (&row);
  mapping_clear (&map);
  return message;
}

/* ------------------------------------------------------------------ */
/* Running */

/* The records to import, from the CSV text or the cards of a vCard. */
typedef struct
{
  LoadState          *state;
  CtCsvReader        *reader;
  guint               index;
  const char * const *fields;
  guint               n_fields;
  guint               line;
  guint               end_line;
  gboolean            unterminated;
} Records;

static void
records_init (Records   *records,
              LoadState *state)
{
  memset (records, 0, sizeof *records);
  records->state = state;
  if (state->vcard_rows == NULL)
    {
      records->reader = ct_csv_reader_new (state->text, state->len, state->delimiter);
      if (state->has_header)
        ct_csv_reader_next (records->reader);
    }
}

static gboolean
records_next (Records *records)
{
  if (records->reader != NULL)
    {
      if (!ct_csv_reader_next (records->reader))
        return FALSE;
      records->fields = ct_csv_reader_get_fields (records->reader, &records->n_fields);
      records->line = ct_csv_reader_get_line (records->reader);
      records->end_line = ct_csv_reader_get_end_line (records->reader);
      records->unterminated = ct_csv_reader_get_unterminated (records->reader);
      return TRUE;
    }

  if (records->index >= records->state->vcard_rows->len)
    return FALSE;
  {
    PreviewRow *row = g_ptr_array_index (records->state->vcard_rows, records->index++);

    records->fields = (const char * const *) row->cells;
    records->n_fields = row->n_cells;
    records->line = row->line;
    records->end_line = row->end_line;
    records->unterminated = FALSE;
  }
  return TRUE;
}

static double
records_fraction (Records *records)
{
  if (records->reader != NULL)
    return records->state->len > 0
           ? (double) ct_csv_reader_get_offset (records->reader) / records->state->len : 1.0;
  return records->state->vcard_rows->len > 0
         ? (double) records->index / records->state->vcard_rows->len : 1.0;
}

static void
records_clear (Records *records)
{
  g_clear_pointer (&records->reader, ct_csv_reader_free);
}

/* A contact as stored, for the duplicate policies. */
typedef struct
{
  gint64          id;
  char           *values[5];   /* first_name, last_name, phone, company, notes */
  gint64          channel_id;
  CtContactStatus status;
  gint64          created_at;
} Existing;

enum { V_FIRST, V_LAST, V_PHONE, V_COMPANY, V_NOTES };

static void
existing_clear (Existing *existing)
{
  for (guint i = 0; i < G_N_ELEMENTS (existing->values); i++)
    g_clear_pointer (&existing->values[i], g_free);
}


/* The work of the triggers a big import puts off (see defer_upkeep()). */
typedef enum
{
  DEFERRED_SEARCH = 1 << 0,
  DEFERRED_CONTACT_FIGURES = 1 << 1,
  DEFERRED_PRODUCT_FIGURES = 1 << 2,
  DEFERRED_POINTS = 1 << 3,
  DEFERRED_ROLLUPS = 1 << 4,
} DeferredWork;

/* What the purchases inserted add to a contact's figures. */
typedef struct
{
  gint64 count;
  gint64 total;
  gint64 first_at;
  gint64 last_at;
} ContactFigures;

/* A contact who made purchases in the file, looked up once per row. */
typedef struct
{
  gint64         id;
  /* Created by this import: when its first purchase in the file was,
   * which becomes its created_at. */
  gboolean       created;
  gint64         inserted_at;
  gint64         first_at;
  ContactFigures figures;     /* with DEFERRED_CONTACT_FIGURES */
} Buyer;

/* And to a product's, per currency of the purchases. */
typedef struct
{
  gint64 product_id;
  char   currency[4];
  gint64 count;
  gint64 amount;
} ProductFigures;

/* One of a row's tags, with the id it has or was given. */
typedef struct
{
  gint64      id;
  const char *name;
} RowTag;

typedef struct
{
  CtImporter     *self;
  Mapping         map;
  Row             row;
  CtDb           *db;
  sqlite3        *handle;
  CtImportResult *result;
  const char     *source;

  GHashTable     *buyers;     /* contact id → Buyer (purchases) */
  GHashTable     *emails;     /* ASCII-lower email → Buyer (purchases) */
  GHashTable     *phones;     /* phone digits → contact id, loaded when first needed */
  GHashTable     *channels;   /* ASCII-lower name → id */
  GHashTable     *tags;
  GHashTable     *products;   /* ASCII-lower name and SKU → id */
  GHashTable     *erased;     /* ASCII-lower email → erased_at, 0 when not erased;
                               * NULL when nobody was ever erased */
  /* When the run started without any contact, the emails of those it
   * added are all there is to match: a new email needs no lookup. */
  gboolean        contacts_were_empty;
  GHashTable     *added_emails; /* ASCII-lower emails added (contacts) */

  sqlite3_stmt   *find_contact_by_email;
  sqlite3_stmt   *find_contact_by_id;
  sqlite3_stmt   *insert_contact;
  sqlite3_stmt   *update_contact;
  sqlite3_stmt   *contact_tags;
  sqlite3_stmt   *clear_tags;
  sqlite3_stmt   *link_tag;
  sqlite3_stmt   *find_tag;
  sqlite3_stmt   *insert_tag;
  sqlite3_stmt   *find_channel;
  sqlite3_stmt   *insert_channel;
  sqlite3_stmt   *insert_product;
  sqlite3_stmt   *find_purchase;
  sqlite3_stmt   *insert_purchase;
  sqlite3_stmt   *insert_new_purchase;
  sqlite3_stmt   *set_created_at;
  sqlite3_stmt   *find_erased;
  GString        *key;

  /* Big imports put off the upkeep of indexes and triggers to the end. */
  GPtrArray      *deferred_sql;    /* CREATE statements to run again, triggers first;
                                    * NULL when not deferring */
  DeferredWork    deferred_work;
  CtPointsEarner *earner;          /* the points of the purchases inserted,
                                    * with DEFERRED_POINTS */
  CtRollupBatch  *rollups;         /* their sales, with DEFERRED_ROLLUPS */
  GHashTable     *touched;         /* ids of updated contacts whose search text
                                    * needs upkeep, with DEFERRED_SEARCH */
  GArray         *row_tags;        /* RowTag: the row's tags, resolved */
  GString        *search_text;     /* the search text of a contact to insert */
  GArray         *product_figures; /* ProductFigures to add */

  /* The row being imported, for what is checked after the last one. */
  guint           line;
  const char * const *fields;
  guint           n_fields;
  GArray         *referrals;       /* PendingReferral, set once every row is in */
} Run;

/* A contacts row's referrer, looked up after the last row so that it may
 * be a contact further down the file. */
typedef struct
{
  gint64  contact_id;
  char   *referrer;
  guint   line;
  GStrv   fields;
  guint   n_fields;
} PendingReferral;

static void
pending_referral_clear (gpointer data)
{
  PendingReferral *p = data;

  g_clear_pointer (&p->referrer, g_free);
  g_clear_pointer (&p->fields, g_strfreev);
}

#define ID_TO_POINTER(id) GSIZE_TO_POINTER ((gsize) (id))
#define POINTER_TO_ID(p) ((gint64) GPOINTER_TO_SIZE (p))

static void
run_clear (Run *run)
{
  sqlite3_stmt **stmts[] = {
    &run->find_contact_by_email, &run->find_contact_by_id, &run->insert_contact,
    &run->update_contact, &run->contact_tags, &run->clear_tags, &run->link_tag,
    &run->find_tag, &run->insert_tag, &run->find_channel, &run->insert_channel,
    &run->insert_product, &run->find_purchase, &run->insert_purchase,
    &run->insert_new_purchase, &run->set_created_at,
    &run->find_erased,
  };

  for (guint i = 0; i < G_N_ELEMENTS (stmts); i++)
    g_clear_pointer (stmts[i], sqlite3_finalize);
  g_clear_pointer (&run->emails, g_hash_table_unref);
  g_clear_pointer (&run->buyers, g_hash_table_unref);
  g_clear_pointer (&run->phones, g_hash_table_unref);
  g_clear_pointer (&run->channels, g_hash_table_unref);
  g_clear_pointer (&run->tags, g_hash_table_unref);
  g_clear_pointer (&run->products, g_hash_table_unref);
  g_clear_pointer (&run->erased, g_hash_table_unref);
  g_clear_pointer (&run->added_emails, g_hash_table_unref);
  g_clear_pointer (&run->deferred_sql, g_ptr_array_unref);
  g_clear_pointer (&run->touched, g_hash_table_unref);
  g_clear_pointer (&run->product_figures, g_array_unref);
  g_clear_pointer (&run->earner, ct_points_earner_free);
  g_clear_pointer (&run->rollups, ct_rollup_batch_free);
  g_clear_pointer (&run->row_tags, g_array_unref);
  if (run->search_text != NULL)
    g_string_free (run->search_text, TRUE);
  run->search_text = NULL;
  g_clear_pointer (&run->referrals, g_array_unref);
  if (run->key != NULL)
    g_string_free (run->key, TRUE);
  run->key = NULL;
  row_clear (&run->row);
  mapping_clear (&run->map);
}

static gboolean
db_failed (Run     *run,
           int      rc,
           GError **error)
{
  ct_db_set_error (error, run->handle, rc, _("Could not import"));
  return FALSE;
}

/* Steps a statement that returns no row, then resets it. */
static gboolean
step_done (Run          *run,
           sqlite3_stmt *stmt,
           GError      **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return db_failed (run, rc, error);
  return TRUE;
}

/* ASCII lower case, as the NOCASE columns compare. */
static const char *
make_key (Run        *run,
          const char *text)
{
  gsize len = strlen (text);

  g_string_set_size (run->key, len);
  for (gsize i = 0; i < len; i++)
    run->key->str[i] = g_ascii_tolower (text[i]);
  return run->key->str;
}

/* Digits of a phone number (and a leading +), so that "138 0013 8000"
 * and "138-0013-8000" are one. */
static char *
phone_key (const char *phone)
{
  GString *key = g_string_new (NULL);

  for (const char *p = phone; *p != '\0'; p++)
    if (g_ascii_isdigit (*p) || (*p == '+' && key->len == 0))
      g_string_append_c (key, *p);
  return g_string_free (key, FALSE);
}

static gboolean
prepare (Run           *run,
         sqlite3_stmt **stmt,
         const char    *sql,
         GError       **error)
{
  *stmt = ct_db_prepare (run->db, sql, error);
  return *stmt != NULL;
}

static gboolean
load_names (Run         *run,
            GHashTable  *table,
            const char  *sql,
            GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (run->db, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      for (int c = 1; c < sqlite3_column_count (stmt); c++)
        {
          const char *name = (const char *) sqlite3_column_text (stmt, c);

          if (name != NULL && name[0] != '\0' && !g_hash_table_contains (table, make_key (run, name)))
            g_hash_table_insert (table, g_strdup (run->key->str), ID_TO_POINTER (id));
        }
    }
  if (rc != SQLITE_DONE)
    return db_failed (run, rc, error);
  return TRUE;
}

static gboolean
run_prepare (Run     *run,
             GError **error)
{
  gint64 erased_any;

  run->channels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run->tags = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run->products = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run->emails = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run->buyers = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  run->added_emails = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run->key = g_string_sized_new (64);
  run->row_tags = g_array_new (FALSE, FALSE, sizeof (RowTag));
  run->search_text = g_string_sized_new (256);

  if (!load_names (run, run->channels, "SELECT id, name FROM channels ORDER BY id", error) ||
      !load_names (run, run->tags, "SELECT id, name FROM tags ORDER BY id", error))
    return FALSE;

  run->contacts_were_empty = !ct_db_query_int64 (run->db, "SELECT EXISTS (SELECT 1 FROM contacts)", error);
  if (error != NULL && *error != NULL)
    return FALSE;

  /* Most databases never erased anyone: then no email is hashed. */
  erased_any = ct_db_query_int64 (run->db, "SELECT EXISTS (SELECT 1 FROM erased_emails)", error);
  if (error != NULL && *error != NULL)
    return FALSE;
  if (erased_any)
    {
      run->erased = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      if (!prepare (run, &run->find_erased, "SELECT erased_at FROM erased_emails WHERE hash = ?1",
                    error))
        return FALSE;
    }

  if (!prepare (run, &run->find_channel, "SELECT id FROM channels WHERE name = ?1", error) ||
      !prepare (run, &run->insert_channel, "INSERT INTO channels (name) VALUES (?1)", error) ||
      !prepare (run, &run->find_tag, "SELECT id FROM tags WHERE name = ?1", error) ||
      !prepare (run, &run->insert_tag, "INSERT INTO tags (name) VALUES (?1)", error) ||
      !prepare (run, &run->link_tag,
                "INSERT OR IGNORE INTO contact_tags (contact_id, tag_id) VALUES (?1, ?2)", error) ||
      !prepare (run, &run->find_contact_by_email,
                "SELECT id, first_name, last_name, phone, company, notes, channel_id, status,"
                " created_at FROM contacts WHERE email = ?1", error) ||
      !prepare (run, &run->find_contact_by_id,
                "SELECT id, first_name, last_name, phone, company, notes, channel_id, status,"
                " created_at FROM contacts WHERE id = ?1", error) ||
      !prepare (run, &run->insert_contact,
                "INSERT OR ROLLBACK INTO contacts (email, first_name, last_name, phone, company, channel_id,"
                " status, notes, created_at, updated_at, search_text)"
                " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, coalesce (?9, unixepoch ()), unixepoch (),"
                " lower (?10))",
                error))
    return FALSE;

  if (run->map.kind == CT_IMPORT_CONTACTS)
    return prepare (run, &run->update_contact,
                    "UPDATE OR ROLLBACK contacts SET first_name = ?2, last_name = ?3, phone = ?4, company = ?5,"
                    " notes = ?6, channel_id = ?7, status = ?8, created_at = ?9,"
                    " updated_at = unixepoch () WHERE id = ?1", error) &&
           prepare (run, &run->contact_tags,
                    "SELECT t.name FROM contact_tags x JOIN tags t ON t.id = x.tag_id"
                    " WHERE x.contact_id = ?1", error) &&
           prepare (run, &run->clear_tags, "DELETE FROM contact_tags WHERE contact_id = ?1", error);

  return load_names (run, run->products, "SELECT id, name, sku FROM products ORDER BY id", error) &&
         prepare (run, &run->insert_product,
                  "INSERT INTO products (name, kind, price, currency) VALUES (?1, 'other', ?2, ?3)",
                  error) &&
         prepare (run, &run->find_purchase,
                  "SELECT 1 FROM purchases WHERE source = ?1 AND external_ref = ?2", error) &&
         prepare (run, &run->insert_purchase,
                  "INSERT OR ROLLBACK INTO purchases (contact_id, product_id, amount, currency, purchased_at,"
                  " channel_id, source, external_ref, refunded)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", error) &&
         prepare (run, &run->insert_new_purchase,
                  "INSERT INTO purchases (contact_id, product_id, amount, currency, purchased_at,"
                  " channel_id, source, external_ref, refunded)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                  " ON CONFLICT (source, external_ref) DO NOTHING", error) &&
         prepare (run, &run->set_created_at,
                  "UPDATE contacts SET created_at = ?2 WHERE id = ?1", error);
}

/* The id of the channel or tag called @name, created when missing. */
static gint64
ensure_named (Run           *run,
              GHashTable    *cache,
              sqlite3_stmt  *find,
              sqlite3_stmt  *insert,
              const char    *name,
              GError       **error)
{
  gpointer value;
  gint64 id = 0;
  int rc;

  if (g_hash_table_lookup_extended (cache, make_key (run, name), NULL, &value))
    return POINTER_TO_ID (value);

  /* Another program's row may differ beyond ASCII case only. */
  sqlite3_bind_text (find, 1, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (find);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (find, 0);
  sqlite3_reset (find);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      db_failed (run, rc, error);
      return 0;
    }

  if (id == 0)
    {
      sqlite3_bind_text (insert, 1, name, -1, SQLITE_STATIC);
      if (!step_done (run, insert, error))
        return 0;
      id = sqlite3_last_insert_rowid (run->handle);
    }

  g_hash_table_insert (cache, g_strdup (make_key (run, name)), ID_TO_POINTER (id));
  return id;
}

static int
compare_row_tags (gconstpointer a,
                  gconstpointer b)
{
  gint64 x = ((const RowTag *) a)->id, y = ((const RowTag *) b)->id;

  return x < y ? -1 : x > y;
}

/* Finds or creates the tags named @tags into run->row_tags, in the order
 * of their ids, each id once: the order in which the search text trigger
 * (contacts_search_upd) lists a contact's tags, reading contact_tags by
 * its primary key. Two names that differ in ASCII case only are one tag. */
static gboolean
resolve_tags (Run                *run,
              const char * const *tags,
              GError            **error)
{
  guint kept = 0;

  g_array_set_size (run->row_tags, 0);
  for (guint i = 0; tags[i] != NULL; i++)
    {
      RowTag tag = { 0, tags[i] };

      tag.id = ensure_named (run, run->tags, run->find_tag, run->insert_tag, tags[i], error);
      if (tag.id == 0)
        return FALSE;
      g_array_append_val (run->row_tags, tag);
    }

  g_array_sort (run->row_tags, compare_row_tags);
  for (guint i = 0; i < run->row_tags->len; i++)
    if (kept == 0 || g_array_index (run->row_tags, RowTag, i).id
                     != g_array_index (run->row_tags, RowTag, kept - 1).id)
      g_array_index (run->row_tags, RowTag, kept++) = g_array_index (run->row_tags, RowTag, i);
  g_array_set_size (run->row_tags, kept);
  return TRUE;
}

/* Links the contact to the tags resolve_tags() found. */
static gboolean
link_tags (Run     *run,
           gint64   contact_id,
           GError **error)
{
  for (guint i = 0; i < run->row_tags->len; i++)
    {
      sqlite3_bind_int64 (run->link_tag, 1, contact_id);
      sqlite3_bind_int64 (run->link_tag, 2, g_array_index (run->row_tags, RowTag, i).id);
      if (!step_done (run, run->link_tag, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
add_tags (Run                *run,
          gint64              contact_id,
          const char * const *tags,
          GError            **error)
{
  return resolve_tags (run, tags, error) && link_tags (run, contact_id, error);
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           index,
                   const char   *text)
{
  if (text == NULL || text[0] == '\0')
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_STATIC);
}

static void
bind_id_or_null (sqlite3_stmt *stmt,
                 int           index,
                 gint64        id)
{
  if (id > 0)
    sqlite3_bind_int64 (stmt, index, id);
  else
    sqlite3_bind_null (stmt, index);
}

/* The contact whose phone is @key; the map is read when first needed. */
static gboolean
find_by_phone (Run         *run,
               const char  *key,
               gint64      *id_out,
               GError     **error)
{
  *id_out = 0;
  if (key[0] == '\0')
    return TRUE;

  if (run->phones == NULL)
    {
      g_autoptr(sqlite3_stmt) stmt = NULL;
      int rc;

      run->phones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      stmt = ct_db_prepare (run->db, "SELECT id, phone FROM contacts WHERE phone != '' ORDER BY id",
                            error);
      if (stmt == NULL)
        return FALSE;
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          char *phone = phone_key ((const char *) sqlite3_column_text (stmt, 1));

          if (phone[0] != '\0' && !g_hash_table_contains (run->phones, phone))
            g_hash_table_insert (run->phones, phone, ID_TO_POINTER (sqlite3_column_int64 (stmt, 0)));
          else
            g_free (phone);
        }
      if (rc != SQLITE_DONE)
        return db_failed (run, rc, error);
    }

  *id_out = POINTER_TO_ID (g_hash_table_lookup (run->phones, key));
  return TRUE;
}

static void
remember_phone (Run        *run,
                const char *key,
                gint64      id)
{
  if (run->phones != NULL && key[0] != '\0' && !g_hash_table_contains (run->phones, key))
    g_hash_table_insert (run->phones, g_strdup (key), ID_TO_POINTER (id));
}

/* Notes that the search text of a contact that was updated needs its
 * upkeep at the end of a deferred run: its tags may have changed while
 * contact_tags_search_ins was put off. */
static inline void
touch (Run    *run,
       gint64  contact_id)
{
  if (run->touched != NULL)
    g_hash_table_add (run->touched, ID_TO_POINTER (contact_id));
}

/* What purchases_stats_ins and purchases_product_ins would have done for
 * a purchase that was inserted. */
static void
add_figures (Run        *run,
             Buyer      *buyer,
             gint64      product_id)
{
  Row *row = &run->row;

  if (row->refunded)
    return;

  if (run->deferred_work & DEFERRED_CONTACT_FIGURES)
    {
      ContactFigures *figures = &buyer->figures;

      if (figures->count == 0)
        figures->first_at = figures->last_at = row->paid_at;
      figures->count++;
      figures->total += row->amount;
      figures->first_at = MIN (figures->first_at, row->paid_at);
      figures->last_at = MAX (figures->last_at, row->paid_at);
    }

  if (run->product_figures != NULL && product_id > 0)
    {
      ProductFigures *figures = NULL;

      /* Few products and currencies: a short array beats hashing. */
      for (guint i = 0; i < run->product_figures->len; i++)
        {
          ProductFigures *p = &g_array_index (run->product_figures, ProductFigures, i);

          if (p->product_id == product_id && strcmp (p->currency, row->currency) == 0)
            {
              figures = p;
              break;
            }
        }
      if (figures == NULL)
        {
          ProductFigures p = { product_id, { 0 }, 0, 0 };

          g_strlcpy (p.currency, row->currency, sizeof p.currency);
          g_array_append_val (run->product_figures, p);
          figures = &g_array_index (run->product_figures, ProductFigures, run->product_figures->len - 1);
        }
      figures->count++;
      figures->amount += row->amount;
    }
}

/* Reads the contact found by @stmt (bound), if any. */
static gboolean
read_existing (Run           *run,
               sqlite3_stmt  *stmt,
               Existing      *existing,
               GError       **error)
{
  int rc = sqlite3_step (stmt);

  existing->id = 0;
  if (rc == SQLITE_ROW)
    {
      existing->id = sqlite3_column_int64 (stmt, 0);
      for (guint i = 0; i < G_N_ELEMENTS (existing->values); i++)
        existing->values[i] = g_strdup ((const char *) sqlite3_column_text (stmt, 1 + i));
      existing->channel_id = sqlite3_column_int64 (stmt, 6);
      existing->status = CT_CONTACT_SUBSCRIBED;
      ct_contact_status_from_string ((const char *) sqlite3_column_text (stmt, 7), &existing->status);
      existing->created_at = sqlite3_column_int64 (stmt, 8);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return db_failed (run, rc, error);
  return TRUE;
}

static gint64
row_channel (Run     *run,
             GError **error)
{
  const char *name = run->row.text[CT_IMPORT_FIELD_CHANNEL];

  if (name[0] == '\0')
    return -1;
  return ensure_named (run, run->channels, run->find_channel, run->insert_channel, name, error);
}

/* The search text of the contact insert_contact() adds, with the tags
 * in run->row_tags (none when @with_tags is FALSE): what
 * contacts_search_upd computes once the tags are linked, before SQL's
 * lower() (the insert statement applies it), so that a big import
 * writes each contact once instead of again from a trigger. */
static const char *
row_search_text (Run      *run,
                 gboolean  with_tags)
{
  Row *row = &run->row;
  GString *text = run->search_text;

  g_string_truncate (text, 0);
  g_string_append (text, row->last_name);
  g_string_append (text, row->first_name);
  g_string_append_c (text, ' ');
  g_string_append (text, row->first_name);
  g_string_append_c (text, ' ');
  g_string_append (text, row->last_name);
  g_string_append_c (text, ' ');
  if (row->email != NULL)
    g_string_append (text, row->email);
  g_string_append_c (text, ' ');
  g_string_append (text, row->text[CT_IMPORT_FIELD_PHONE]);
  g_string_append_c (text, ' ');
  g_string_append (text, row->text[CT_IMPORT_FIELD_COMPANY]);
  if (with_tags)
    for (guint i = 0; i < run->row_tags->len; i++)
      {
        g_string_append_c (text, ' ');
        g_string_append (text, g_array_index (run->row_tags, RowTag, i).name);
      }
  return text->str;
}

/* Adds the row's contact, with its search text already made: with the
 * tags in run->row_tags when @with_tags, which the caller then links. */
static gboolean
insert_contact (Run         *run,
                gint64       channel_id,
                gint64       created_at,
                gboolean     with_tags,
                gint64      *id_out,
                GError     **error)
{
  Row *row = &run->row;
  sqlite3_stmt *stmt = run->insert_contact;

  bind_text_or_null (stmt, 1, row->email);
  sqlite3_bind_text (stmt, 2, row->first_name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, row->last_name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, row->text[CT_IMPORT_FIELD_PHONE], -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, row->text[CT_IMPORT_FIELD_COMPANY], -1, SQLITE_STATIC);
  bind_id_or_null (stmt, 6, channel_id);
  sqlite3_bind_text (stmt, 7,
                     ct_contact_status_to_string (row->has_status ? row->status : CT_CONTACT_SUBSCRIBED),
                     -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, row->text[CT_IMPORT_FIELD_NOTES], -1, SQLITE_STATIC);
  if (created_at != 0)
    sqlite3_bind_int64 (stmt, 9, created_at);
  else
    sqlite3_bind_null (stmt, 9);
  sqlite3_bind_text (stmt, 10, row_search_text (run, with_tags), -1, SQLITE_STATIC);
  if (!step_done (run, stmt, error))
    return FALSE;
  *id_out = sqlite3_last_insert_rowid (run->handle);
  return TRUE;
}

/* Whether the contact's tags as a set differ from @tags. */
static gboolean
tags_differ (Run                *run,
             gint64              contact_id,
             const char * const *tags,
             gboolean           *differ_out,
             GError            **error)
{
  g_autoptr(GHashTable) have = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n_wanted = 0;
  int rc;

  sqlite3_bind_int64 (run->contact_tags, 1, contact_id);
  while ((rc = sqlite3_step (run->contact_tags)) == SQLITE_ROW)
    g_hash_table_add (have, g_strdup (make_key (run, (const char *) sqlite3_column_text (run->contact_tags, 0))));
  sqlite3_reset (run->contact_tags);
  if (rc != SQLITE_DONE)
    return db_failed (run, rc, error);

  *differ_out = FALSE;
  for (guint i = 0; tags[i] != NULL; i++, n_wanted++)
    if (!g_hash_table_contains (have, make_key (run, tags[i])))
      *differ_out = TRUE;
  if (g_hash_table_size (have) != n_wanted)
    *differ_out = TRUE;
  return TRUE;
}

static GStrv copy_cells (const char * const *fields, guint n_fields);

static void
note_referral (Run    *run,
               gint64  contact_id)
{
  const char *referrer = run->row.text[CT_IMPORT_FIELD_REFERRER];
  PendingReferral p = { 0 };

  if (referrer[0] == '\0')
    return;
  if (run->referrals == NULL)
    {
      run->referrals = g_array_new (FALSE, TRUE, sizeof (PendingReferral));
      g_array_set_clear_func (run->referrals, pending_referral_clear);
    }
  p.contact_id = contact_id;
  p.referrer = g_strdup (referrer);
  p.line = run->line;
  p.fields = copy_cells (run->fields, run->n_fields);
  p.n_fields = run->n_fields;
  g_array_append_val (run->referrals, p);
}

/* A contacts row: add, or apply the duplicate policy to the match. */
static gboolean
import_contact (Run     *run,
                GError **error)
{
  Row *row = &run->row;
  CtImportDuplicates policy = run->self->on_duplicate;
  g_auto(GStrv) tags = NULL;
  g_autofree char *phone = phone_key (row->text[CT_IMPORT_FIELD_PHONE]);
  Existing existing = { 0 };
  const char *wanted[5];
  gboolean changed = FALSE;
  gint64 channel_id;
  gint64 id;
  gboolean ok = FALSE;

  if (row->email != NULL)
    {
      /* Into an empty table, only a row for a contact this run added
       * can match. */
      if (!run->contacts_were_empty || g_hash_table_contains (run->added_emails, make_key (run, row->email)))
        {
          sqlite3_bind_text (run->find_contact_by_email, 1, row->email, -1, SQLITE_STATIC);
          if (!read_existing (run, run->find_contact_by_email, &existing, error))
            return FALSE;
        }
    }
  else
    {
      if (!find_by_phone (run, phone, &id, error))
        return FALSE;
      if (id > 0)
        {
          sqlite3_bind_int64 (run->find_contact_by_id, 1, id);
          if (!read_existing (run, run->find_contact_by_id, &existing, error))
            return FALSE;
        }
    }

  if (existing.id != 0 && policy == CT_IMPORT_DUPLICATES_SKIP)
    {
      run->result->skipped++;
      existing_clear (&existing);
      return TRUE;
    }

  channel_id = row_channel (run, error);
  if (channel_id == 0)
    goto out;
  tags = ct_parse_split_tags (row->text[CT_IMPORT_FIELD_TAGS]);

  if (existing.id == 0)
    {
      if (!resolve_tags (run, (const char * const *) tags, error) ||
          !insert_contact (run, channel_id, row->has_created_at ? row->created_at : 0, TRUE, &id, error) ||
          !link_tags (run, id, error))
        goto out;
      remember_phone (run, phone, id);
      if (run->contacts_were_empty && row->email != NULL)
        g_hash_table_add (run->added_emails, g_strdup (make_key (run, row->email)));
      note_referral (run, id);
      run->result->imported++;
      ok = TRUE;
      goto out;
    }

  /* A duplicate: update-empty or overwrite. */
  wanted[V_FIRST] = row->first_name;
  wanted[V_LAST] = row->last_name;
  wanted[V_PHONE] = row->text[CT_IMPORT_FIELD_PHONE];
  wanted[V_COMPANY] = row->text[CT_IMPORT_FIELD_COMPANY];
  wanted[V_NOTES] = row->text[CT_IMPORT_FIELD_NOTES];
  for (guint i = 0; i < G_N_ELEMENTS (wanted); i++)
    {
      if (wanted[i][0] == '\0' || strcmp (wanted[i], existing.values[i]) == 0)
        continue;
      if (policy == CT_IMPORT_DUPLICATES_OVERWRITE || existing.values[i][0] == '\0')
        {
          g_free (existing.values[i]);
          existing.values[i] = g_strdup (wanted[i]);
          changed = TRUE;
        }
    }
  if (channel_id > 0 && channel_id != existing.channel_id
      && (policy == CT_IMPORT_DUPLICATES_OVERWRITE || existing.channel_id <= 0))
    {
      existing.channel_id = channel_id;
      changed = TRUE;
    }
  /* Unsubscribes always count; only overwrite subscribes again. */
  if (row->has_status && row->status != existing.status
      && (policy == CT_IMPORT_DUPLICATES_OVERWRITE || row->status != CT_CONTACT_SUBSCRIBED))
    {
      existing.status = row->status;
      changed = TRUE;
    }
  if (row->has_created_at && row->created_at != existing.created_at
      && policy == CT_IMPORT_DUPLICATES_OVERWRITE)
    {
      existing.created_at = row->created_at;
      changed = TRUE;
    }

  if (tags[0] != NULL)
    {
      gboolean differ;

      if (!tags_differ (run, existing.id, (const char * const *) tags, &differ, error))
        goto out;
      if (differ)
        {
          g_autoptr(GHashTable) none = NULL;
          gboolean has_none;
          int rc;

          /* Whether the contact has any tag at all, for update-empty. */
          sqlite3_bind_int64 (run->contact_tags, 1, existing.id);
          rc = sqlite3_step (run->contact_tags);
          has_none = rc == SQLITE_DONE;
          sqlite3_reset (run->contact_tags);
          if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            {
              db_failed (run, rc, error);
              goto out;
            }

          if (policy == CT_IMPORT_DUPLICATES_OVERWRITE || has_none)
            {
              sqlite3_bind_int64 (run->clear_tags, 1, existing.id);
              if (!step_done (run, run->clear_tags, error) ||
                  !add_tags (run, existing.id, (const char * const *) tags, error))
                goto out;
              changed = TRUE;
            }
        }
    }

  if (changed)
    {
      sqlite3_stmt *stmt = run->update_contact;

      sqlite3_bind_int64 (stmt, 1, existing.id);
      for (guint i = 0; i < G_N_ELEMENTS (existing.values); i++)
        sqlite3_bind_text (stmt, 2 + i, existing.values[i], -1, SQLITE_STATIC);
      bind_id_or_null (stmt, 7, existing.channel_id);
      sqlite3_bind_text (stmt, 8, ct_contact_status_to_string (existing.status), -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 9, existing.created_at);
      if (!step_done (run, stmt, error))
        goto out;
      touch (run, existing.id);
      run->result->updated++;
    }
  else
    run->result->skipped++;
  note_referral (run, existing.id);
  ok = TRUE;

out:
  existing_clear (&existing);
  return ok;
}

static Buyer *
buyer_for_id (Run    *run,
              gint64  id)
{
  Buyer *buyer = g_hash_table_lookup (run->buyers, ID_TO_POINTER (id));

  if (buyer == NULL)
    {
      buyer = g_new0 (Buyer, 1);
      buyer->id = id;
      g_hash_table_insert (run->buyers, ID_TO_POINTER (id), buyer);
    }
  return buyer;
}

/* The contact who made a purchase: found by email or phone, or created.
 * A known email costs one hash lookup. Returns NULL on error. */
static Buyer *
purchase_contact (Run     *run,
                  gint64   channel_id,
                  GError **error)
{
  Row *row = &run->row;
  g_autofree char *phone = NULL;
  Buyer *buyer = NULL;
  gint64 id = 0;

  if (row->email != NULL)
    {
      buyer = g_hash_table_lookup (run->emails, make_key (run, row->email));
      /* Every contact with an email the run added is in run->emails: into
       * an empty table, no other can match. */
      if (buyer == NULL && !run->contacts_were_empty)
        {
          int rc;

          sqlite3_bind_text (run->find_contact_by_email, 1, row->email, -1, SQLITE_STATIC);
          rc = sqlite3_step (run->find_contact_by_email);
          if (rc == SQLITE_ROW)
            id = sqlite3_column_int64 (run->find_contact_by_email, 0);
          sqlite3_reset (run->find_contact_by_email);
          if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            {
              db_failed (run, rc, error);
              return NULL;
            }
          if (id > 0)
            {
              buyer = buyer_for_id (run, id);
              g_hash_table_insert (run->emails, g_strdup (run->key->str), buyer);
            }
        }
    }
  else
    {
      phone = phone_key (row->text[CT_IMPORT_FIELD_PHONE]);
      if (!find_by_phone (run, phone, &id, error))
        return NULL;
      if (id > 0)
        buyer = buyer_for_id (run, id);
    }

  if (buyer != NULL)
    {
      if (buyer->created)
        buyer->first_at = MIN (buyer->first_at, row->paid_at);
      return buyer;
    }

  if (!insert_contact (run, channel_id, row->paid_at, FALSE, &id, error))
    return NULL;
  buyer = buyer_for_id (run, id);
  buyer->created = TRUE;
  buyer->inserted_at = buyer->first_at = row->paid_at;
  if (row->email != NULL)
    g_hash_table_insert (run->emails, g_strdup (make_key (run, row->email)), buyer);
  if (phone == NULL)
    phone = phone_key (row->text[CT_IMPORT_FIELD_PHONE]);
  remember_phone (run, phone, id);
  run->result->contacts_created++;
  return buyer;
}

static gint64
purchase_product (Run     *run,
                  GError **error)
{
  Row *row = &run->row;
  const char *name = row->text[CT_IMPORT_FIELD_PRODUCT];
  gpointer value;
  gint64 id;

  if (name[0] == '\0')
    return -1;
  if (g_hash_table_lookup_extended (run->products, make_key (run, name), NULL, &value))
    return POINTER_TO_ID (value);

  sqlite3_bind_text (run->insert_product, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (run->insert_product, 2, row->amount);
  sqlite3_bind_text (run->insert_product, 3, row->currency, -1, SQLITE_STATIC);
  if (!step_done (run, run->insert_product, error))
    return 0;
  id = sqlite3_last_insert_rowid (run->handle);
  g_hash_table_insert (run->products, g_strdup (make_key (run, name)), ID_TO_POINTER (id));
  return id;
}

/* A reference for a row without an order id: the same purchase read
 * again gives the same one. */
static char *
auto_reference (Row *row)
{
  g_autofree char *email = row->email != NULL ? g_ascii_strdown (row->email, -1) : g_strdup ("");
  g_autofree char *phone = phone_key (row->text[CT_IMPORT_FIELD_PHONE]);
  g_autofree char *text = g_strdup_printf ("%s\n%s\n%" G_GINT64_FORMAT "\n%" G_GINT64_FORMAT "\n%s\n%s",
                                           email, phone, row->paid_at, row->amount,
                                           row->currency, row->text[CT_IMPORT_FIELD_PRODUCT]);
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA1, text, -1);

  sum[16] = '\0';
  return g_strconcat ("auto:", sum, NULL);
}

/* The buyer, channel and product of the row when all three were seen
 * before in this run, so that nothing has to be looked up in the
 * database or created. */
static gboolean
peek_known (Run     *run,
            Buyer  **buyer_out,
            gint64  *channel_out,
            gint64  *product_out)
{
  Row *row = &run->row;
  const char *channel = row->text[CT_IMPORT_FIELD_CHANNEL];
  const char *product = row->text[CT_IMPORT_FIELD_PRODUCT];
  gpointer value;

  if (row->email == NULL)
    return FALSE;
  if (channel[0] == '\0')
    *channel_out = -1;
  else if (g_hash_table_lookup_extended (run->channels, make_key (run, channel), NULL, &value))
    *channel_out = POINTER_TO_ID (value);
  else
    return FALSE;
  if (product[0] == '\0')
    *product_out = -1;
  else if (g_hash_table_lookup_extended (run->products, make_key (run, product), NULL, &value))
    *product_out = POINTER_TO_ID (value);
  else
    return FALSE;
  *buyer_out = g_hash_table_lookup (run->emails, make_key (run, row->email));
  return *buyer_out != NULL;
}

static void
bind_purchase (Run          *run,
               sqlite3_stmt *stmt,
               Buyer        *buyer,
               gint64        product_id,
               gint64        channel_id,
               const char   *source,
               const char   *ref)
{
  Row *row = &run->row;

  sqlite3_bind_int64 (stmt, 1, buyer->id);
  bind_id_or_null (stmt, 2, product_id);
  sqlite3_bind_int64 (stmt, 3, row->amount);
  sqlite3_bind_text (stmt, 4, row->currency, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, row->paid_at);
  bind_id_or_null (stmt, 6, channel_id);
  sqlite3_bind_text (stmt, 7, source, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 8, ref, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 9, row->refunded ? 1 : 0);
}

/* The points and the sales of the purchase just inserted, when their
 * triggers are put off. */
static inline void
add_deferred (Run    *run,
              Buyer  *buyer,
              gint64  product_id)
{
  Row *row = &run->row;

  if (run->earner != NULL)
    ct_points_earner_add (run->earner, sqlite3_last_insert_rowid (run->handle), buyer->id, row->amount,
                          row->currency, row->paid_at, row->refunded);
  if (run->rollups != NULL && !row->refunded)
    ct_rollup_batch_add (run->rollups, row->currency, row->paid_at, MAX (product_id, 0), row->amount,
                         buyer->id);
}

static gboolean
import_purchase (Run     *run,
                 GError **error)
{
  Row *row = &run->row;
  const char *source = row->text[CT_IMPORT_FIELD_SOURCE][0] != '\0'
                       ? row->text[CT_IMPORT_FIELD_SOURCE] : run->source;
  g_autofree char *auto_ref = NULL;
  const char *ref = row->text[CT_IMPORT_FIELD_ORDER_ID];
  gint64 product_id, channel_id;
  Buyer *buyer;
  int rc;

  if (ref[0] == '\0')
    ref = auto_ref = auto_reference (row);

  /* Most rows of a big file are by people, of products and from channels
   * already seen: then the insert itself tells a purchase imported before
   * (ON CONFLICT DO NOTHING changes nothing), without a lookup first. */
  if (peek_known (run, &buyer, &channel_id, &product_id))
    {
      bind_purchase (run, run->insert_new_purchase, buyer, product_id, channel_id, source, ref);
      if (!step_done (run, run->insert_new_purchase, error))
        return FALSE;
      if (sqlite3_changes (run->handle) == 0)
        {
          run->result->skipped++;
          return TRUE;
        }
      if (buyer->created)
        buyer->first_at = MIN (buyer->first_at, row->paid_at);
      add_figures (run, buyer, product_id);
      add_deferred (run, buyer, product_id);
      run->result->imported++;
      return TRUE;
    }

  /* Otherwise a purchase imported before must not create its contact,
   * channel or product again: look first. */
  sqlite3_bind_text (run->find_purchase, 1, source, -1, SQLITE_STATIC);
  sqlite3_bind_text (run->find_purchase, 2, ref, -1, SQLITE_STATIC);
  rc = sqlite3_step (run->find_purchase);
  sqlite3_reset (run->find_purchase);
  if (rc == SQLITE_ROW)
    {
      run->result->skipped++;
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    return db_failed (run, rc, error);

  channel_id = row_channel (run, error);
  if (channel_id == 0)
    return FALSE;
  buyer = purchase_contact (run, channel_id, error);
  if (buyer == NULL)
    return FALSE;
  product_id = purchase_product (run, error);
  if (product_id == 0)
    return FALSE;

  bind_purchase (run, run->insert_purchase, buyer, product_id, channel_id, source, ref);
  if (!step_done (run, run->insert_purchase, error))
    return FALSE;

  add_figures (run, buyer, product_id);
  add_deferred (run, buyer, product_id);
  run->result->imported++;
  return TRUE;
}

/* Contacts created from purchases date from their first purchase. */
static gboolean
fix_created_at (Run     *run,
                GError **error)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, run->buyers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Buyer *buyer = value;

      if (!buyer->created || buyer->first_at >= buyer->inserted_at)
        continue;
      sqlite3_bind_int64 (run->set_created_at, 1, buyer->id);
      sqlite3_bind_int64 (run->set_created_at, 2, buyer->first_at);
      if (!step_done (run, run->set_created_at, error))
        return FALSE;
    }
  return TRUE;
}

/* Rows from which deferring pays: below it the indexes and triggers cost
 * little, and rebuilding them would cost more. */
#define DEFER_MIN_ROWS 5000

static guint
estimate_rows (LoadState *state)
{
  guint n = 0;

  if (state->vcard_rows != NULL)
    return state->vcard_rows->len;
  for (const char *p = state->text, *end = state->text + state->len;
       (p = memchr (p, '\n', end - p)) != NULL; p++)
    n++;
  return n;
}

/* A big import into a table of about its size or smaller: every row
 * would fire the triggers that keep the search text and the purchase
 * figures (each an UPDATE with its own statement journal) and update
 * every index in random order. Instead those triggers and the target
 * table's plain indexes (and the contacts' ones, when a purchases import
 * will create most of them, and the points ledger's, when it gets more
 * rows from the import than it had) are dropped, inside the transaction, and put
 * back from their own SQL at the end, where the indexes are built sorted
 * and the triggers' work is done once (see restore_upkeep()). The UNIQUE
 * indexes stay: they are the lookups and the duplicate checks. Rolling
 * back puts everything back as it was.
 *
 * Only the triggers named here are put off, because restore_upkeep()
 * knows how to do their work; any other trigger keeps firing row by row,
 * correct if slower. */
static const struct
{
  const char   *name;
  guint         kinds;
  DeferredWork  work;
} deferred_triggers[] = {
  /* Search text: the contacts added are inserted with theirs, tags
   * included; the contacts' UPDATE trigger recomputes it for the ones
   * updated. */
  { "contacts_search_ins", KIND_BOTH, DEFERRED_SEARCH },
  { "contact_tags_search_ins", KIND_CONTACTS, DEFERRED_SEARCH },
  /* Purchase figures: added up in memory as the rows go in. */
  { "purchases_stats_ins", KIND_PURCHASES, DEFERRED_CONTACT_FIGURES },
  { "purchases_product_ins", KIND_PURCHASES, DEFERRED_PRODUCT_FIGURES },
  /* Points earned: one INSERT … SELECT over the purchases added. */
  { "purchases_points_ins", KIND_PURCHASES, DEFERRED_POINTS },
  /* The dashboard's summaries: the sales of the purchases added grouped
   * at once, their buyers listed for ct_rollup_refresh(). */
  { "purchases_rollup_ins", KIND_PURCHASES, DEFERRED_ROLLUPS },
  /* Who bought which product: grouped at once with the sales. */
  { "purchases_buyers_ins", KIND_PURCHASES, DEFERRED_ROLLUPS },
};

static gboolean
defer_upkeep (Run          *run,
              CtImportKind  kind,
              guint         n_rows,
              GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  const char *table = kind == CT_IMPORT_CONTACTS ? "contacts" : "purchases";
  g_autofree char *count_sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  g_autofree char *select_sql = NULL;
  g_autoptr(GPtrArray) drops = g_ptr_array_new_with_free_func (sqlite3_free);
  g_autoptr(GString) names = g_string_new (NULL);
  const char *contacts_too = NULL;
  gboolean rollups_only = FALSE;
  const char *ledger_too = NULL;
  gint64 existing;
  int rc;

  if (n_rows < DEFER_MIN_ROWS)
    rollups_only = TRUE;
  else
    {
      existing = ct_db_query_int64 (run->db, count_sql, error);
      if (error != NULL && *error != NULL)
        return FALSE;
      rollups_only = (gint64) n_rows * 2 < existing;
    }
  /* Whatever its size, a purchases import puts off the dashboard's sales
   * summaries (ct-rollup.h): two upserts a purchase made an import into
   * a big database half as slow again, adding the purchases up at the
   * end costs next to nothing. */
  if (rollups_only && kind != CT_IMPORT_PURCHASES)
    return TRUE;

  /* The purchases of a first big import create most of their contacts,
   * each an insert in random order into the contacts' indexes that cost
   * several times a purchase's; when there are few contacts yet, building
   * those indexes again at the end costs less. */
  if (kind == CT_IMPORT_PURCHASES && !rollups_only)
    {
      existing = ct_db_query_int64 (run->db, "SELECT count(*) FROM contacts", error);
      if (error != NULL && *error != NULL)
        return FALSE;
      if (existing <= n_rows / 4)
        contacts_too = "contacts";

      /* Their points go into the ledger at the end, in one INSERT …
       * SELECT (see restore_upkeep()): when it holds fewer rows than are
       * coming, its indexes, the one by contact written in random
       * order, cost more kept up row by row than built again after.
       * Nothing reads the ledger while the rows go in. */
      existing = ct_db_query_int64 (run->db, "SELECT count(*) FROM points_ledger", error);
      if (error != NULL && *error != NULL)
        return FALSE;
      if (existing <= n_rows)
        ledger_too = "points_ledger";
    }

  for (guint i = 0; i < G_N_ELEMENTS (deferred_triggers); i++)
    if ((deferred_triggers[i].kinds & (1 << kind))
        && (!rollups_only || deferred_triggers[i].work == DEFERRED_ROLLUPS))
      {
        char *quoted = sqlite3_mprintf ("%s%Q", names->len > 0 ? "," : "", deferred_triggers[i].name);

        g_string_append (names, quoted);
        sqlite3_free (quoted);
      }
  select_sql = g_strdup_printf ("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND"
                                " ((type = 'trigger' AND name IN (%s))"
                                "  OR (type = 'index' AND tbl_name IN (?1, ?2, ?3) AND sql NOT LIKE 'CREATE UNIQUE%%'"
                                "      AND NOT ?4))"
                                " ORDER BY type DESC, name", names->str);
  stmt = ct_db_prepare (run->db, select_sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, contacts_too, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, ledger_too, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 4, rollups_only);

  /* Triggers first, so that restore_upkeep() puts them back and does
   * their work before it builds the indexes. */
  run->deferred_sql = g_ptr_array_new_with_free_func (g_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *type = (const char *) sqlite3_column_text (stmt, 0);
      const char *name = (const char *) sqlite3_column_text (stmt, 1);
      gboolean is_index = g_str_equal (type, "index");

      g_ptr_array_add (drops, sqlite3_mprintf ("DROP %s \"%w\"", is_index ? "INDEX" : "TRIGGER", name));
      g_ptr_array_add (run->deferred_sql, g_strdup ((const char *) sqlite3_column_text (stmt, 2)));
      if (!is_index)
        for (guint i = 0; i < G_N_ELEMENTS (deferred_triggers); i++)
          if (g_str_equal (deferred_triggers[i].name, name))
            run->deferred_work |= deferred_triggers[i].work;
    }
  if (rc != SQLITE_DONE)
    return db_failed (run, rc, error);

  /* Contacts added get their whole search text as they are inserted
   * (see row_search_text()); only the ones updated are done at the end. */
  if (run->deferred_work & DEFERRED_SEARCH)
    run->touched = g_hash_table_new (NULL, NULL);
  if (run->deferred_work & DEFERRED_PRODUCT_FIGURES)
    run->product_figures = g_array_new (FALSE, FALSE, sizeof (ProductFigures));
  /* Points and sales are worked out from each purchase as it goes in,
   * rather than read back from the table after the last one. */
  if (run->deferred_work & DEFERRED_POINTS)
    {
      run->earner = ct_points_earner_new (run->db, error);
      if (run->earner == NULL)
        return FALSE;
    }
  if (run->deferred_work & DEFERRED_ROLLUPS)
    run->rollups = ct_rollup_batch_new ();

  for (guint i = 0; i < drops->len; i++)
    if (!ct_db_exec (run->db, g_ptr_array_index (drops, i), error))
      return FALSE;
  return TRUE;
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* Puts the triggers back and does their work, then builds the indexes.
 * The search text: setting a column to itself fires the UPDATE trigger
 * that recomputes it (with the tags) for each contact updated (those
 * added have theirs from insert_contact()). The
 * purchase figures: added to the stored ones the way the INSERT triggers
 * add each purchase. */
static gboolean
restore_upkeep (Run           *run,
                GError       **error)
{
  guint n_triggers = 0;
  ProfileMark mark;

  if (run->deferred_sql == NULL)
    return TRUE;
  profile_mark (&mark, NULL);

  for (guint i = 0; i < run->deferred_sql->len; i++)
    {
      const char *sql = g_ptr_array_index (run->deferred_sql, i);

      if (g_ascii_strncasecmp (sql, "CREATE TRIGGER", 14) != 0)
        break;
      if (!ct_db_exec (run->db, sql, error))
        return FALSE;
      n_triggers++;
    }
  profile_mark (&mark, "triggers back");

  if (run->touched != NULL && g_hash_table_size (run->touched) > 0)
    {
      g_autoptr(sqlite3_stmt) stmt = NULL;
      g_autoptr(GArray) ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64),
                                                 g_hash_table_size (run->touched));
      GHashTableIter iter;
      gpointer key;

      /* In id order, page after page of the table. */
      g_hash_table_iter_init (&iter, run->touched);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          gint64 id = POINTER_TO_ID (key);

          g_array_append_val (ids, id);
        }
      g_array_sort (ids, compare_ids);
      stmt = ct_db_prepare (run->db, "UPDATE contacts SET first_name = first_name WHERE id = ?1", error);
      if (stmt == NULL)
        return FALSE;
      for (guint i = 0; i < ids->len; i++)
        {
          sqlite3_bind_int64 (stmt, 1, g_array_index (ids, gint64, i));
          if (!step_done (run, stmt, error))
            return FALSE;
        }
    }
  profile_mark (&mark, "search text of updated contacts");

  if ((run->deferred_work & DEFERRED_CONTACT_FIGURES) && g_hash_table_size (run->buyers) > 0)
    {
      g_autoptr(sqlite3_stmt) stmt = NULL;
      GHashTableIter iter;
      gpointer value;

      stmt = ct_db_prepare (run->db,
                            "UPDATE contacts SET purchase_count = purchase_count + ?2,"
                            " total_spent = total_spent + ?3,"
                            " first_purchase_at = min(coalesce(first_purchase_at, ?4), ?4),"
                            " last_purchase_at = max(coalesce(last_purchase_at, ?5), ?5)"
                            " WHERE id = ?1", error);
      if (stmt == NULL)
        return FALSE;
      g_hash_table_iter_init (&iter, run->buyers);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Buyer *buyer = value;
          ContactFigures *figures = &buyer->figures;

          if (figures->count == 0)
            continue;
          sqlite3_bind_int64 (stmt, 1, buyer->id);
          sqlite3_bind_int64 (stmt, 2, figures->count);
          sqlite3_bind_int64 (stmt, 3, figures->total);
          sqlite3_bind_int64 (stmt, 4, figures->first_at);
          sqlite3_bind_int64 (stmt, 5, figures->last_at);
          if (!step_done (run, stmt, error))
            return FALSE;
        }
    }

  profile_mark (&mark, "contact figures");
  if (run->product_figures != NULL && run->product_figures->len > 0)
    {
      g_autoptr(sqlite3_stmt) stmt = NULL;

      /* Revenue counts the purchases in the product's own currency. */
      stmt = ct_db_prepare (run->db,
                            "UPDATE products SET sales_count = sales_count + ?2,"
                            " revenue = revenue + (CASE WHEN currency = ?3 THEN ?4 ELSE 0 END)"
                            " WHERE id = ?1", error);
      if (stmt == NULL)
        return FALSE;
      for (guint i = 0; i < run->product_figures->len; i++)
        {
          ProductFigures *figures = &g_array_index (run->product_figures, ProductFigures, i);

          sqlite3_bind_int64 (stmt, 1, figures->product_id);
          sqlite3_bind_int64 (stmt, 2, figures->count);
          sqlite3_bind_text (stmt, 3, figures->currency, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (stmt, 4, figures->amount);
          if (!step_done (run, stmt, error))
            return FALSE;
        }
    }

  profile_mark (&mark, "product figures");
  if (run->deferred_work & DEFERRED_POINTS)
    {
      /* What the purchases_points_ins trigger gives each purchase,
       * for all the purchases added at once. */
      if (!ct_points_earner_store (run->earner, run->db, error))
        return FALSE;
    }

  profile_mark (&mark, "points ledger");
  if ((run->deferred_work & DEFERRED_ROLLUPS)
      && !ct_rollup_batch_store (run->rollups, run->db, error))
    return FALSE;
  profile_mark (&mark, "rollups");

  /* SQLite sorts the keys of an index it builds in one list when they
   * fit in the page cache's size, and with temporary storage in memory
   * always: a merge of a million scattered records, waiting on memory
   * at every step. In runs of a few megabytes, sorted while they are in
   * the processor's cache (on a second thread when there is one) and
   * merged from temporary files, the same index is built in about half
   * the time. The pages changed so far go to the write-ahead log a bit
   * earlier than the commit would have written them. Best effort: a
   * setting refused leaves the build as it was. */
  if (run->deferred_sql->len > n_triggers)
    ct_db_exec (run->db, "PRAGMA temp_store = FILE; PRAGMA threads = 2; PRAGMA cache_size = -8192", NULL);

  for (guint i = n_triggers; i < run->deferred_sql->len; i++)
    {
      if (!ct_db_exec (run->db, g_ptr_array_index (run->deferred_sql, i), error))
        return FALSE;
      profile_mark (&mark, g_ptr_array_index (run->deferred_sql, i));
    }
  return TRUE;
}

/* When the contact with the row's email was erased on request, the
 * time of it (Unix seconds), else 0. Each distinct email is hashed and
 * looked up once. */
static gboolean
row_erased_at (Run     *run,
               gint64  *erased_at_out,
               GError **error)
{
  const char *key;
  gpointer value;
  g_autofree char *hash = NULL;
  gint64 erased_at = 0;
  int rc;

  *erased_at_out = 0;
  if (run->erased == NULL || run->row.email == NULL)
    return TRUE;

  /* The key is the address as ct_privacy_erase_contact() hashes it:
   * stripped (as the row's email already is) and ASCII lower-cased. */
  key = make_key (run, run->row.email);
  if (g_hash_table_lookup_extended (run->erased, key, NULL, &value))
    {
      *erased_at_out = POINTER_TO_ID (value);
      return TRUE;
    }

  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  sqlite3_bind_text (run->find_erased, 1, hash, -1, SQLITE_STATIC);
  rc = sqlite3_step (run->find_erased);
  if (rc == SQLITE_ROW)
    /* An erasure is never at the epoch; 1 keeps it apart from "not erased". */
    erased_at = MAX (sqlite3_column_int64 (run->find_erased, 0), 1);
  sqlite3_reset (run->find_erased);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return db_failed (run, rc, error);

  g_hash_table_insert (run->erased, g_strdup (key), ID_TO_POINTER (erased_at));
  *erased_at_out = erased_at;
  return TRUE;
}

/* The reason a row of an erased person is rejected. */
static void
erased_problem (Run     *run,
                gint64   erased_at,
                Problem *out)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (erased_at);
  g_autofree char *date = when != NULL ? g_date_time_format (when, "%Y-%m-%d") : g_strdup ("?");

  problem (out, run->map.col[CT_IMPORT_FIELD_EMAIL],
           /* Translators: %s is a date, 2026-11-30. The person's contact was
            * erased at their request (privacy law), so a row with their
            * email is left out. */
           _("This person asked to be erased on %s; not imported."), date);
}

static void
add_reject (Run                *run,
            guint               line,
            const Problem      *found,
            const char * const *fields,
            guint               n_fields)
{
  CtImportReject reject = { 0 };

  reject.line = line;
  reject.column = found->column >= 0 ? g_strdup (g_ptr_array_index (run->map.names, found->column)) : NULL;
  reject.reason = g_strdup (found->reason);
  reject.message = line_message (line, found->reason);
  reject.fields = copy_cells (fields, n_fields);
  g_array_append_val (run->result->rejects, reject);
}

/* The referrers of the rows, now that every row is in: a referrer who
 * is not a contact (or the contact itself) rejects the referral with its
 * line; the contact stays imported. update-empty keeps a referrer
 * already recorded, overwrite replaces it. */
static gboolean
apply_referrals (Run     *run,
                 GError **error)
{
  if (run->referrals == NULL)
    return TRUE;

  for (guint i = 0; i < run->referrals->len; i++)
    {
      PendingReferral *p = &g_array_index (run->referrals, PendingReferral, i);
      g_autoptr(GError) local_error = NULL;
      g_autofree char *quoted = quote_cell (p->referrer);
      Problem found = { run->map.col[CT_IMPORT_FIELD_REFERRER], NULL };
      gint64 referrer, previous = 0;

      referrer = ct_referral_find_contact (run->db, p->referrer, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (referrer == 0)
        found.reason = g_strdup_printf (_("The referrer “%s” is not a contact, neither in the file nor before; "
                                          "the contact was imported without a referrer."), quoted);
      else if (referrer == p->contact_id)
        found.reason = g_strdup_printf (_("“%s” is the contact itself, who cannot be its own referrer; "
                                          "the contact was imported without a referrer."), quoted);
      else
        {
          if (!ct_referral_get_referrer (run->db, p->contact_id, &previous, error))
            return FALSE;
          if (previous != 0 && run->self->on_duplicate != CT_IMPORT_DUPLICATES_OVERWRITE)
            continue;
          if (!ct_referral_set (run->db, p->contact_id, referrer, CT_REFERRAL_IMPORT, 0, &local_error))
            {
              if (!g_error_matches (local_error, CT_DB_ERROR, CT_DB_ERROR_INVALID)
                  && !g_error_matches (local_error, CT_DB_ERROR, CT_DB_ERROR_NOT_FOUND))
                {
                  g_propagate_error (error, g_steal_pointer (&local_error));
                  return FALSE;
                }
              found.reason = g_strdup (local_error->message);
            }
        }
      if (found.reason != NULL)
        {
          add_reject (run, p->line, &found, (const char * const *) p->fields, p->n_fields);
          g_free (found.reason);
        }
    }
  return TRUE;
}

static GStrv
header_strv (LoadState *state)
{
  GPtrArray *source = state->header != NULL ? state->header : state->columns;
  GStrv header = g_new0 (char *, source->len + 1);

  for (guint i = 0; i < source->len; i++)
    header[i] = g_strdup (g_ptr_array_index (source, i));
  return header;
}

/* ------------------------------------------------------------------ */
/* Reading and checking on a second thread */

/* A run reads and checks the rows on a thread of its own while the
 * calling thread writes the ones checked before: the reading and the
 * checking are a third of a big import's work on the rows, and the
 * database takes one writer only. The rows go across in batches, a few
 * at a time, so that neither side waits on the other for long and
 * memory stays flat however big the file. */
#define BATCH_ROWS CANCEL_CHECK_ROWS
#define N_BATCHES 4

/* A record read and checked. */
typedef struct
{
  gboolean  blank;
  gboolean  ok;
  Row       row;        /* when ok */
  Problem   found;      /* when not ok: the reason, owned */
  guint     line;
  /* The record's cells (for a reject, an erased person's row or a
   * referral), copied out of the reader's buffer. */
  GString  *cells;
  GArray   *offsets;    /* gsize */
  GPtrArray *fields;    /* into cells->str */
} Checked;

typedef struct
{
  Checked  rows[BATCH_ROWS];
  guint    n;
  double   fraction;    /* of the file read once the batch was full */
  gboolean last;        /* nothing comes after it */
} Batch;

typedef struct
{
  const Mapping *map;
  Records       *records;
  GAsyncQueue   *free;      /* Batch: to fill */
  GAsyncQueue   *filled;    /* Batch: to write, in the file's order */
  gint           stop;      /* atomic: the writer gave up */
  gboolean       done;      /* the writer has the last batch */
  GThread       *thread;
  Batch         *batches[N_BATCHES];
} Checker;

static void
checked_keep_cells (Checked            *checked,
                    const char * const *fields,
                    guint               n_fields)
{
  g_string_truncate (checked->cells, 0);
  g_array_set_size (checked->offsets, n_fields);
  for (guint i = 0; i < n_fields; i++)
    {
      g_array_index (checked->offsets, gsize, i) = checked->cells->len;
      g_string_append (checked->cells, fields[i]);
      g_string_append_c (checked->cells, '\0');
    }
  /* Pointers only now that the buffer has stopped moving. */
  g_ptr_array_set_size (checked->fields, n_fields);
  for (guint i = 0; i < n_fields; i++)
    checked->fields->pdata[i] = checked->cells->str + g_array_index (checked->offsets, gsize, i);
}

static gpointer
checker_thread (gpointer data)
{
  Checker *checker = data;
  Records *records = checker->records;
  gboolean more = TRUE;

  while (more)
    {
      Batch *batch = g_async_queue_pop (checker->free);

      batch->n = 0;
      while (batch->n < BATCH_ROWS)
        {
          Checked *checked;

          if (g_atomic_int_get (&checker->stop) || !records_next (records))
            {
              more = FALSE;
              break;
            }
          checked = &batch->rows[batch->n++];
          checked->line = records->line;
          checked->blank = !records->unterminated && cells_are_blank (records->fields, records->n_fields);
          if (checked->blank)
            continue;
          checked_keep_cells (checked, records->fields, records->n_fields);
          checked->ok = check_row (checker->map, &checked->row, records->fields, records->n_fields,
                                   records->line, records->end_line, records->unterminated, &checked->found);
        }
      batch->fraction = records_fraction (records);
      batch->last = !more;
      g_async_queue_push (checker->filled, batch);
    }
  return NULL;
}

static gboolean
checker_start (Checker       *checker,
               const Mapping *map,
               Records       *records,
               GError       **error)
{
  memset (checker, 0, sizeof *checker);
  checker->map = map;
  checker->records = records;
  checker->free = g_async_queue_new ();
  checker->filled = g_async_queue_new ();
  for (guint b = 0; b < N_BATCHES; b++)
    {
      Batch *batch = g_new0 (Batch, 1);

      for (guint i = 0; i < BATCH_ROWS; i++)
        {
          row_init (&batch->rows[i].row);
          batch->rows[i].cells = g_string_sized_new (256);
          batch->rows[i].offsets = g_array_new (FALSE, FALSE, sizeof (gsize));
          batch->rows[i].fields = g_ptr_array_new ();
        }
      checker->batches[b] = batch;
      g_async_queue_push (checker->free, batch);
    }
  checker->thread = g_thread_try_new ("ct-import-check", checker_thread, checker, error);
  return checker->thread != NULL;
}

/* Takes the next batch, in the file's order; NULL after the last. */
static Batch *
checker_next (Checker *checker)
{
  Batch *batch;

  if (checker->done)
    return NULL;
  batch = g_async_queue_pop (checker->filled);
  checker->done = batch->last;
  return batch;
}

static void
checker_give_back (Checker *checker,
                   Batch   *batch)
{
  g_async_queue_push (checker->free, batch);
}

/* Stops the thread (when the writer gave up before the end) and frees
 * everything. */
static void
checker_clear (Checker *checker)
{
  if (checker->thread != NULL)
    {
      g_atomic_int_set (&checker->stop, 1);
      while (!checker->done)
        checker_give_back (checker, checker_next (checker));
      g_thread_join (checker->thread);
      checker->thread = NULL;
    }
  for (guint b = 0; b < N_BATCHES; b++)
    {
      Batch *batch = checker->batches[b];

      if (batch == NULL)
        continue;
      for (guint i = 0; i < BATCH_ROWS; i++)
        {
          row_clear (&batch->rows[i].row);
          g_clear_pointer (&batch->rows[i].found.reason, g_free);
          g_string_free (batch->rows[i].cells, TRUE);
          g_array_unref (batch->rows[i].offsets);
          g_ptr_array_unref (batch->rows[i].fields);
        }
      g_free (batch);
      checker->batches[b] = NULL;
    }
  g_clear_pointer (&checker->free, g_async_queue_unref);
  g_clear_pointer (&checker->filled, g_async_queue_unref);
}

CtImportResult *
ct_importer_run (CtImporter        *self,
                 CtDb              *db,
                 gboolean           dry_run,
                 CtImportProgress   progress,
                 gpointer           progress_data,
                 GCancellable      *cancellable,
                 GError           **error)
{
  g_autoptr(CtImportResult) result = NULL;
  Run run = { 0 };
  Records records;
  Problem found = { -1, NULL };
  gint64 old_cache_size, old_temp_store, old_foreign_keys, old_threads;
  g_autofree char *pragma = NULL;
  double last_fraction = 0.0;
  gint64 erased_at;
  gboolean ok = FALSE;
  ProfileMark mark;
  Checker checker = { 0 };
  Batch *batch = NULL;

  g_return_val_if_fail (CT_IS_IMPORTER (self), NULL);
  g_return_val_if_fail (CT_IS_DB (db), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ct_importer_check_mapping (self, error))
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  result = ct_import_result_new ();
  result->header = header_strv (self->state);

  run.self = self;
  run.db = db;
  run.handle = ct_db_get_handle (db);
  run.result = result;
  run.source = ct_importer_get_source (self);
  mapping_init (&run.map, self);
  row_init (&run.row);
  records_init (&records, self->state);

  /* As for the demo data: a million purchases touch the contacts, the
   * purchases and their indexes; keep their pages in memory for the one
   * transaction, and the statement journal out of a temporary file. */
  profile_mark (&mark, NULL);
  old_cache_size = ct_db_query_int64 (db, "PRAGMA cache_size", NULL);
  old_temp_store = ct_db_query_int64 (db, "PRAGMA temp_store", NULL);
  old_foreign_keys = ct_db_query_int64 (db, "PRAGMA foreign_keys", NULL);
  old_threads = ct_db_query_int64 (db, "PRAGMA threads", NULL);
  if (!ct_db_exec (db, "PRAGMA cache_size = -131072", error) ||
      !ct_db_exec (db, "PRAGMA temp_store = MEMORY", error) ||
      !ct_db_exec (db, "PRAGMA foreign_keys = OFF", error))
    goto out_pragmas;

  if (!ct_db_begin (db, error))
    goto out_pragmas;

  if (!defer_upkeep (&run, self->kind, estimate_rows (self->state), error) ||
      !run_prepare (&run, error))
    goto out;
  profile_mark (&mark, "begin, drop indexes and triggers, prepare");

  if (!checker_start (&checker, &run.map, &records, error))
    goto out;
  while ((batch = checker_next (&checker)) != NULL)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      if (progress != NULL && batch->fraction - last_fraction >= 0.005)
        {
          last_fraction = batch->fraction;
          progress (batch->fraction, progress_data);
        }

      for (guint i = 0; i < batch->n; i++)
        {
          Checked *checked = &batch->rows[i];
          const char * const *fields = (const char * const *) checked->fields->pdata;
          guint n_fields = checked->fields->len;

          if (checked->blank)
            continue;
          if (!checked->ok)
            {
              add_reject (&run, checked->line, &checked->found, fields, n_fields);
              g_clear_pointer (&checked->found.reason, g_free);
              continue;
            }

          /* The row checked becomes the run's; the run's old one goes
           * back to be checked into. */
          {
            Row row = run.row;

            run.row = checked->row;
            checked->row = row;
          }

          if (!row_erased_at (&run, &erased_at, error))
            goto out;
          if (erased_at != 0)
            {
              erased_problem (&run, erased_at, &found);
              add_reject (&run, checked->line, &found, fields, n_fields);
              g_clear_pointer (&found.reason, g_free);
              continue;
            }

          run.line = checked->line;
          run.fields = fields;
          run.n_fields = n_fields;
          if (self->kind == CT_IMPORT_CONTACTS ? !import_contact (&run, error)
                                               : !import_purchase (&run, error))
            goto out;
        }
      checker_give_back (&checker, g_steal_pointer (&batch));
    }
  checker_clear (&checker);
  profile_mark (&mark, "rows");

  if (!apply_referrals (&run, error))
    goto out;

  if (self->kind == CT_IMPORT_PURCHASES && !fix_created_at (&run, error))
    goto out;
  profile_mark (&mark, "referrals, created_at");
  if (!restore_upkeep (&run, error))
    goto out;
  profile_mark (&mark, NULL);

  /* Cancelling while the last rows went in still changes nothing. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto out;

  run_clear (&run);
  if (dry_run || (self->all_or_nothing && result->rejects->len > 0))
    ct_db_rollback (db);
  else
    {
      if (!ct_db_commit (db, error))
        goto out;
      result->committed = TRUE;
      profile_mark (&mark, "commit");
    }
  ok = TRUE;

out:
  if (batch != NULL)
    checker_give_back (&checker, g_steal_pointer (&batch));
  checker_clear (&checker);
  run_clear (&run);
  records_clear (&records);
  if (!ok)
    ct_db_rollback (db);

out_pragmas:
  pragma = g_strdup_printf ("PRAGMA cache_size = %" G_GINT64_FORMAT "; PRAGMA temp_store = %" G_GINT64_FORMAT
                            "; PRAGMA foreign_keys = %" G_GINT64_FORMAT "; PRAGMA threads = %" G_GINT64_FORMAT,
                            old_cache_size, old_temp_store, old_foreign_keys, old_threads);
  ct_db_exec (db, pragma, NULL);

  if (!ok)
    return NULL;
  if (progress != NULL)
    progress (1.0, progress_data);
  return g_steal_pointer (&result);
}

/* ------------------------------------------------------------------ */
/* Running on a worker thread */

typedef struct
{
  CtProgressRelay *progress;  /* nullable */
  char            *db_path;
  gboolean         dry_run;
} RunData;

static void
run_data_free (RunData *data)
{
  ct_progress_relay_unref (data->progress);
  g_free (data->db_path);
  g_free (data);
}

static void
run_in_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CtImporter *self = source_object;
  RunData *data = task_data;
  g_autoptr(CtDb) db = NULL;
  GError *error = NULL;
  CtImportResult *result;

  db = ct_db_open_full (data->db_path, CT_DB_OPEN_ALREADY_CHECKED, &error);
  if (db == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  result = ct_importer_run (self, db, data->dry_run,
                            data->progress != NULL ? ct_progress_relay_report : NULL,
                            data->progress, cancellable, &error);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) ct_import_result_unref);
}

void
ct_importer_run_async (CtImporter          *self,
                       CtDb                *db,
                       gboolean             dry_run,
                       CtImportProgress     progress,
                       gpointer             progress_data,
                       GDestroyNotify       progress_destroy,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  RunData *data;

  g_return_if_fail (CT_IS_IMPORTER (self));
  g_return_if_fail (CT_IS_DB (db));
  g_return_if_fail (!self->running);

  data = g_new0 (RunData, 1);
  data->progress = ct_progress_relay_new (progress, progress_data, progress_destroy);
  data->db_path = g_strdup (ct_db_get_path (db));
  data->dry_run = dry_run;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ct_importer_run_async);
  g_task_set_task_data (task, data, (GDestroyNotify) run_data_free);

  /* Refused before the thread starts, so the caller hears at once. */
  if (!ct_importer_check_mapping (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  self->running = TRUE;
  g_task_run_in_thread (task, run_in_thread);
}

CtImportResult *
ct_importer_run_finish (CtImporter    *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (CT_IS_IMPORTER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  /* The worker no longer reads the importer once its result is here. */
  self->running = FALSE;
  return g_task_propagate_pointer (G_TASK (result), error);
}
