/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-demo.c: a believable demo knowledge business, generated
 *
 * The demo has to carry real signal for the analytics built on it, so
 * purchases follow the BG/NBD story: each customer buys at their own rate
 * (gamma distributed across customers) and after every purchase may leave
 * for good (a per-customer dropout probability, beta distributed). Some
 * therefore buy every week for two years, others buy once, and others buy
 * a lot and then stop.
 *
 * Everything comes from our own PRNG seeded by the options, never from
 * g_random or the clock (when options->now is given), so the same seed
 * always gives byte-for-byte the same database content.
 *
 * Speed: a million purchases must go in well under a minute with the
 * purchase triggers kept authoritative. The work happens in one
 * transaction with statements prepared once, each contact's purchases
 * inserted right after it (the trigger's UPDATE then always finds the
 * contact's page in the cache) and a larger page cache for the duration.
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "ct-demo.h"
#include "ct-feedback.h"
#include "ct-points.h"
#include "ct-progress.h"
#include "ct-referral.h"
#include "ct-rollup.h"
#include "ct-tier.h"

#define DAY 86400
#define HISTORY_DAYS 730

/* ------------------------------------------------------------------ */
/* Random numbers: xoshiro256** seeded by splitmix64 */

typedef struct
{
  guint64 s[4];
} Rng;

static guint64
splitmix64 (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static void
rng_init (Rng     *rng,
          guint64  seed)
{
  guint64 state = seed;

  for (guint i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&state);
}

static inline guint64
rotl (guint64 x,
      int     k)
{
  return (x << k) | (x >> (64 - k));
}

static guint64
rng_next (Rng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);

  return result;
}

/* Uniform in [0, 1). */
static double
rng_double (Rng *rng)
{
  return (double) (rng_next (rng) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, n). The modulo bias is far below anything visible. */
static guint
rng_range (Rng   *rng,
           guint  n)
{
  return n > 0 ? (guint) (rng_next (rng) % n) : 0;
}

static gboolean
rng_chance (Rng    *rng,
            double  p)
{
  return rng_double (rng) < p;
}

static double
rng_exponential (Rng    *rng,
                 double  mean)
{
  return -mean * log (1.0 - rng_double (rng));
}

static double
rng_normal (Rng *rng)
{
  double u = 1.0 - rng_double (rng);
  double v = rng_double (rng);

  return sqrt (-2.0 * log (u)) * cos (2.0 * G_PI * v);
}

/* Marsaglia and Tsang's method; shape < 1 boosted by U^(1/shape). */
static double
rng_gamma (Rng    *rng,
           double  shape,
           double  scale)
{
  double d, c;

  if (shape < 1.0)
    {
      double u = rng_double (rng);
      return rng_gamma (rng, shape + 1.0, scale) * pow (u, 1.0 / shape);
    }

  d = shape - 1.0 / 3.0;
  c = 1.0 / sqrt (9.0 * d);

  for (;;)
    {
      double x, v, u;

      do
        {
          x = rng_normal (rng);
          v = 1.0 + c * x;
        }
      while (v <= 0.0);

      v = v * v * v;
      u = rng_double (rng);
      if (u < 1.0 - 0.0331 * x * x * x * x ||
          log (u) < 0.5 * x * x + d * (1.0 - v + log (v)))
        return d * v * scale;
    }
}

static double
rng_beta (Rng    *rng,
          double  a,
          double  b)
{
  double x = rng_gamma (rng, a, 1.0);
  double y = rng_gamma (rng, b, 1.0);

  return x / (x + y);
}

/* Index into @weights (n entries, not all zero) with probability
 * proportional to the weight. */
static guint
rng_weighted (Rng          *rng,
              const double *weights,
              guint         n)
{
  double total = 0.0;
  double r;

  for (guint i = 0; i < n; i++)
    total += weights[i];

  r = rng_double (rng) * total;
  for (guint i = 0; i < n; i++)
    {
      if (r < weights[i])
        return i;
      r -= weights[i];
    }
  return n - 1;
}

/* ------------------------------------------------------------------ */
/* Calendar arithmetic on day numbers (days since 1970-01-01), after
 * Howard Hinnant's public-domain algorithms; no time zone involved. */

static gint64
days_from_civil (gint64 y,
                 guint  m,
                 guint  d)
{
  gint64 era;
  guint yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = (guint) (y - era * 400);
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (gint64) doe - 719468;
}

static void
civil_from_days (gint64  z,
                 int    *year,
                 guint  *month,
                 guint  *day)
{
  gint64 era;
  guint doe, yoe, doy, mp;
  gint64 y;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = (guint) (z - era * 146097);
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = (gint64) yoe + era * 400;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *day = doy - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = (int) (y + (*month <= 2));
}

static gint64
floor_div (gint64 a,
           gint64 b)
{
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

/* ------------------------------------------------------------------ */
/* What the demo business is made of */

typedef struct
{
  const char *hanzi;
  const char *pinyin;
  double      weight;   /* rough share of the population, in percent */
} Surname;

static const Surname surnames[] = {
  { "王", "wang", 7.1 }, { "李", "li", 7.0 }, { "张", "zhang", 6.7 },
  { "刘", "liu", 5.4 }, { "陈", "chen", 4.5 }, { "杨", "yang", 3.1 },
  { "黄", "huang", 2.2 }, { "赵", "zhao", 2.1 }, { "吴", "wu", 2.0 },
  { "周", "zhou", 1.9 }, { "徐", "xu", 1.5 }, { "孙", "sun", 1.5 },
  { "马", "ma", 1.4 }, { "朱", "zhu", 1.3 }, { "胡", "hu", 1.3 },
  { "郭", "guo", 1.2 }, { "何", "he", 1.2 }, { "高", "gao", 1.1 },
  { "林", "lin", 1.1 }, { "罗", "luo", 1.0 }, { "郑", "zheng", 1.0 },
  { "梁", "liang", 0.9 }, { "谢", "xie", 0.8 }, { "宋", "song", 0.8 },
  { "唐", "tang", 0.8 }, { "许", "xu", 0.7 }, { "韩", "han", 0.7 },
  { "冯", "feng", 0.7 }, { "邓", "deng", 0.7 }, { "曹", "cao", 0.7 },
  { "彭", "peng", 0.6 }, { "曾", "zeng", 0.6 }, { "肖", "xiao", 0.6 },
  { "田", "tian", 0.6 }, { "董", "dong", 0.5 }, { "袁", "yuan", 0.5 },
  { "潘", "pan", 0.5 }, { "于", "yu", 0.5 }, { "蒋", "jiang", 0.5 },
  { "蔡", "cai", 0.5 }, { "余", "yu", 0.5 }, { "杜", "du", 0.5 },
  { "叶", "ye", 0.5 }, { "程", "cheng", 0.5 }, { "苏", "su", 0.4 },
  { "魏", "wei", 0.4 }, { "吕", "lv", 0.4 }, { "丁", "ding", 0.4 },
  { "任", "ren", 0.4 }, { "沈", "shen", 0.4 }, { "姚", "yao", 0.4 },
  { "卢", "lu", 0.4 }, { "姜", "jiang", 0.4 }, { "崔", "cui", 0.4 },
  { "钟", "zhong", 0.4 }, { "谭", "tan", 0.3 }, { "陆", "lu", 0.3 },
  { "汪", "wang", 0.3 }, { "范", "fan", 0.3 }, { "金", "jin", 0.3 },
  { "石", "shi", 0.3 }, { "廖", "liao", 0.3 }, { "贾", "jia", 0.3 },
  { "夏", "xia", 0.3 }, { "韦", "wei", 0.3 }, { "方", "fang", 0.3 },
  { "白", "bai", 0.3 }, { "邹", "zou", 0.3 }, { "孟", "meng", 0.3 },
  { "熊", "xiong", 0.3 }, { "秦", "qin", 0.3 }, { "邱", "qiu", 0.3 },
  { "江", "jiang", 0.3 }, { "尹", "yin", 0.2 }, { "薛", "xue", 0.2 },
  { "段", "duan", 0.2 }, { "雷", "lei", 0.2 }, { "侯", "hou", 0.2 },
  { "龙", "long", 0.2 }, { "史", "shi", 0.2 }, { "陶", "tao", 0.2 },
  { "黎", "li", 0.2 }, { "贺", "he", 0.2 }, { "顾", "gu", 0.2 },
  { "毛", "mao", 0.2 }, { "郝", "hao", 0.2 }, { "龚", "gong", 0.2 },
  { "邵", "shao", 0.2 }, { "万", "wan", 0.2 }, { "钱", "qian", 0.2 },
  { "严", "yan", 0.2 }, { "欧阳", "ouyang", 0.1 }, { "上官", "shangguan", 0.03 },
};

typedef struct
{
  const char *hanzi;
  const char *pinyin;
} Syllable;

static const Syllable given_chars[] = {
  { "伟", "wei" }, { "芳", "fang" }, { "娜", "na" }, { "敏", "min" },
  { "静", "jing" }, { "丽", "li" }, { "强", "qiang" }, { "磊", "lei" },
  { "军", "jun" }, { "洋", "yang" }, { "勇", "yong" }, { "艳", "yan" },
  { "杰", "jie" }, { "娟", "juan" }, { "涛", "tao" }, { "明", "ming" },
  { "超", "chao" }, { "秀", "xiu" }, { "霞", "xia" }, { "平", "ping" },
  { "刚", "gang" }, { "英", "ying" }, { "华", "hua" }, { "玉", "yu" },
  { "文", "wen" }, { "辉", "hui" }, { "婷", "ting" }, { "鑫", "xin" },
  { "宇", "yu" }, { "浩", "hao" }, { "欣", "xin" }, { "怡", "yi" },
  { "子", "zi" }, { "涵", "han" }, { "梓", "zi" }, { "轩", "xuan" },
  { "雨", "yu" }, { "佳", "jia" }, { "思", "si" }, { "晨", "chen" },
  { "博", "bo" }, { "一", "yi" }, { "诺", "nuo" }, { "睿", "rui" },
  { "嘉", "jia" }, { "俊", "jun" }, { "凯", "kai" }, { "琳", "lin" },
  { "悦", "yue" }, { "晓", "xiao" }, { "雪", "xue" }, { "颖", "ying" },
  { "倩", "qian" }, { "萌", "meng" }, { "志", "zhi" }, { "建", "jian" },
  { "国", "guo" }, { "海", "hai" }, { "斌", "bin" }, { "鹏", "peng" },
  { "飞", "fei" }, { "彤", "tong" }, { "瑶", "yao" }, { "晶", "jing" },
  { "露", "lu" }, { "慧", "hui" }, { "昊", "hao" }, { "然", "ran" },
  { "泽", "ze" }, { "宁", "ning" }, { "安", "an" }, { "可", "ke" },
  { "心", "xin" }, { "逸", "yi" }, { "航", "hang" }, { "阳", "yang" },
  { "帆", "fan" }, { "菲", "fei" }, { "蕾", "lei" }, { "楠", "nan" },
  { "璇", "xuan" }, { "琪", "qi" }, { "翔", "xiang" }, { "梅", "mei" },
  { "兰", "lan" }, { "丹", "dan" }, { "红", "hong" }, { "亮", "liang" },
  { "成", "cheng" }, { "峰", "feng" }, { "晴", "qing" }, { "远", "yuan" },
  { "诗", "shi" }, { "语", "yu" }, { "天", "tian" }, { "乐", "le" },
};

static const char * const english_first[] = {
  "Emma", "Olivia", "Ava", "Sophia", "Mia", "Charlotte", "Amelia", "Harper",
  "Emily", "Grace", "Chloe", "Lucy", "Hannah", "Zoe", "Nora", "Ella",
  "Isabel", "Claire", "Laura", "Rachel", "Sarah", "Anna", "Megan", "Julia",
  "Liam", "Noah", "Oliver", "James", "Lucas", "Henry", "Ethan", "Daniel",
  "Michael", "Samuel", "David", "Jack", "Leo", "Owen", "Ryan", "Nathan",
  "Adam", "Thomas", "Andrew", "Ben", "Chris", "Mark", "Peter", "Kevin",
  "Jason", "Eric", "Tom", "Alex", "Sam", "Jordan",
};

static const char * const english_last[] = {
  "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis",
  "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Jackson",
  "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker",
  "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams",
  "Nelson", "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips",
  "Evans", "Turner", "Parker", "Collins", "Edwards", "Stewart", "Morris",
  "Murphy", "Cook", "Rogers", "Morgan", "Cooper", "Bell", "Ward", "Hughes",
  "Foster", "Bennett", "Gray", "Reed", "Kelly", "Price", "Wood", "Barnes",
  "Fisher", "Hayes", "Ellis", "Palmer", "Wallace", "Lin", "Chen", "Wong",
  "Nguyen", "Patel", "Kim",
};

typedef struct
{
  const char *name;
  const char *domain;
  gboolean    chinese;
} Company;

/* Made-up businesses; their domains name them in work emails. */
static const Company companies[] = {
  { "杭州星河教育科技有限公司", "xinghe-edu.cn", TRUE },
  { "上海云帆咨询有限公司", "yunfan-consult.com", TRUE },
  { "深圳青禾文化传媒", "qinghe-media.cn", TRUE },
  { "北京知行学堂", "zhixing-xuetang.com", TRUE },
  { "成都木子设计工作室", "muzi-design.cn", TRUE },
  { "南京拾光数据科技", "shiguang-data.com", TRUE },
  { "广州晨曦电商", "chenxi-ec.cn", TRUE },
  { "苏州一木家居", "yimu-home.cn", TRUE },
  { "Brightpath Learning", "brightpath-learning.com", FALSE },
  { "Northwind Studio", "northwind-studio.io", FALSE },
  { "Maple & Pine Consulting", "maplepine.co", FALSE },
  { "Bluefin Analytics", "bluefin-analytics.com", FALSE },
  { "Lumen Coaching", "lumencoaching.co", FALSE },
};

typedef struct
{
  const char *domain;
  double      weight;
} Domain;

static const Domain chinese_domains[] = {
  { "qq.com", 36 }, { "163.com", 20 }, { "126.com", 8 }, { "foxmail.com", 8 },
  { "gmail.com", 7 }, { "outlook.com", 7 }, { "sina.com", 3 }, { "139.com", 2 },
  { NULL, 9 },  /* a work address at a company domain */
};

static const Domain english_domains[] = {
  { "gmail.com", 45 }, { "outlook.com", 17 }, { "icloud.com", 8 },
  { "yahoo.com", 5 }, { "hotmail.com", 5 }, { "proton.me", 3 },
  { NULL, 17 },
};

static const char * const chinese_cities[] = {
  "北京", "上海", "广州", "深圳", "杭州", "成都", "南京", "武汉", "西安",
  "苏州", "重庆", "天津", "长沙", "厦门", "青岛", "郑州",
};

static const char * const english_cities[] = {
  "London", "New York", "San Francisco", "Singapore", "Toronto", "Sydney",
  "Berlin", "Hong Kong", "Vancouver", "Melbourne", "Seattle",
};

static const char * const notes[] = {
  "想了解企业内训的报价",
  "Asked about a team licence for five people",
  "直播课常客，提问很有深度",
  "Prefers English materials",
  "需要开增值税发票",
  "推荐了三位朋友来上课",
  "Met at the Shanghai creator meetup",
  "希望有课程回放的下载版",
};

static const char * const cn_mobile_prefixes[] = {
  "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
  "150", "151", "152", "153", "155", "156", "157", "158", "159", "166",
  "173", "175", "176", "177", "178", "180", "181", "182", "183", "185",
  "186", "187", "188", "189", "191", "195", "198", "199",
};

static const char * const us_area_codes[] = {
  "212", "415", "646", "312", "206", "512", "617", "310",
};

enum {
  CH_WECHAT,
  CH_XIAOHONGSHU,
  CH_DOUYIN,
  CH_BILIBILI,
  CH_ZHIHU,
  CH_NEWSLETTER,
  CH_REFERRAL,
  N_CHANNELS
};

typedef struct
{
  const char *name;
  double      chinese_weight;   /* share of Chinese-speaking signups */
  double      english_weight;
  double      conversion;       /* chance a signup ever buys */
  double      monthly_spend;    /* yuan per month at 2,000 contacts */
  double      repeat_weight;    /* share of repeat purchases it brings */
  const char *consent_source;
} Channel;

static const Channel channels[N_CHANNELS] = {
  { "WeChat", 26, 8, 0.72, 6000, 30, "公众号关注表单" },
  { "Xiaohongshu", 19, 3, 0.60, 4500, 8, "小红书主页链接" },
  { "Douyin", 16, 2, 0.50, 8000, 6, "抖音直播间" },
  { "Bilibili", 10, 4, 0.62, 3000, 6, "B站视频简介链接" },
  { "Zhihu", 10, 3, 0.68, 2000, 6, "知乎专栏" },
  { "Newsletter", 10, 48, 0.76, 300, 34, "Newsletter signup form" },
  { "Referral", 9, 32, 0.86, 1500, 10, "Referred by a friend" },
};

typedef struct
{
  const char *sku;
  const char *name;
  const char *kind;
  gint64      price;          /* fen */
  double      first_weight;   /* chance of being someone's first purchase */
  double      repeat_weight;
  int         launch_day;     /* days after the history starts it went on sale */
  int         retired_day;    /* days before the end it stopped selling; 0 none */
  gboolean    yearly;         /* bought at most about once a year */
} Product;

static const Product products[] = {
  { "CRS-PY-DATA", "Python 数据分析实战课", "course", 39900, 6, 4, 0, 0, FALSE },
  { "CRS-XHS-101", "小红书运营从 0 到 1", "course", 29900, 6, 4, 0, 0, FALSE },
  { "CRS-EXCEL-30", "Excel 高效办公 30 讲", "course", 19900, 8, 4, 0, 75, FALSE },
  { "CRS-AI-WRITE", "AI 写作工作坊 (AI Writing Workshop)", "course", 59900, 3, 5, 420, 0, FALSE },
  { "LIVE-WEEKLY", "每周直播课 (Weekly Live Class)", "course", 1990, 8, 30, 0, 0, FALSE },
  { "EBK-NOTION", "Notion 效率手册 (ebook)", "ebook", 4900, 14, 5, 0, 0, FALSE },
  { "EBK-BRAND", "个人品牌写作指南 (ebook)", "ebook", 3900, 10, 5, 0, 0, FALSE },
  { "EBK-PROMPT", "Prompt 模板合集 (Prompt Pack, ebook)", "ebook", 2990, 10, 6, 300, 0, FALSE },
  { "MBR-ANNUAL", "年度会员 (Annual Membership)", "membership", 69900, 2, 3, 0, 0, TRUE },
  { "COM-CREATOR", "创作者社群 (Creator Community)", "community", 36500, 3, 3, 0, 0, TRUE },
  { "BOOK-CLUB", "读书会单期 (Book Club Session)", "other", 2990, 3, 18, 0, 0, FALSE },
  { "COACH-1ON1", "1 对 1 咨询 60 分钟 (1:1 Coaching)", "coaching", 120000, 0.5, 1.5, 0, 0, FALSE },
  { "COACH-CV", "简历精修 (Resume Review)", "coaching", 29900, 1, 1.5, 0, 0, FALSE },
};

#define N_PRODUCTS G_N_ELEMENTS (products)

enum {
  TAG_VIP,
  TAG_EARLY_BIRD,
  TAG_STUDENT,
  TAG_WEBINAR,
  TAG_COMMUNITY,
  TAG_CORPORATE,
  TAG_NEWSLETTER,
  N_TAGS
};

static const char * const tag_names[N_TAGS] = {
  "VIP", "早鸟", "学员", "webinar", "社群活跃", "企业客户", "newsletter",
};

/* A contact who has spent this much (fen) is a VIP. */
#define VIP_SPEND 500000

/* Purchase behaviour, tuned so that about two thirds of contacts buy and a
 * contact averages about ten purchases over the two years. */
#define RATE_SHAPE 0.85         /* gamma shape of purchases per day */
#define RATE_MEAN 0.09          /* mean purchases per day while active */
#define RATE_MAX 0.5
#define DROPOUT_A 0.9           /* beta(a, b) of the chance to leave after a purchase */
#define DROPOUT_B 20.0
#define MAX_PURCHASES 400

/* ------------------------------------------------------------------ */

typedef struct
{
  gint64   at;
  guint    product;
  guint    channel;
  gint64   amount;
  gboolean refunded;
  gboolean early_bird;
} DemoPurchase;

typedef struct
{
  CtDb          *db;
  sqlite3       *handle;
  Rng            rng;
  gint64         now;
  gint64         start;
  guint          n_contacts;

  sqlite3_stmt  *insert_contact;
  sqlite3_stmt  *insert_purchase;
  sqlite3_stmt  *insert_tag;

  gint64         channel_ids[N_CHANNELS];
  gint64         product_ids[N_PRODUCTS];
  gint64         tag_ids[N_TAGS];

  GHashTable    *emails;
  guint8        *statuses;
  gint64         promo_days[8];
  guint          n_promo_days;
  guint64        order_number;
  GArray        *purchases;   /* of DemoPurchase, one contact's */
  GString       *scratch;

  double         surname_weights[G_N_ELEMENTS (surnames)];
  double         cn_domain_weights[G_N_ELEMENTS (chinese_domains)];
  double         en_domain_weights[G_N_ELEMENTS (english_domains)];
  double         cn_channel_weights[N_CHANNELS];
  double         en_channel_weights[N_CHANNELS];
  double         repeat_channel_weights[N_CHANNELS];
} Demo;

static void
demo_init_weights (Demo *demo)
{
  for (guint i = 0; i < G_N_ELEMENTS (surnames); i++)
    demo->surname_weights[i] = surnames[i].weight;
  for (guint i = 0; i < G_N_ELEMENTS (chinese_domains); i++)
    demo->cn_domain_weights[i] = chinese_domains[i].weight;
  for (guint i = 0; i < G_N_ELEMENTS (english_domains); i++)
    demo->en_domain_weights[i] = english_domains[i].weight;
  for (guint c = 0; c < N_CHANNELS; c++)
    {
      demo->cn_channel_weights[c] = channels[c].chinese_weight;
      demo->en_channel_weights[c] = channels[c].english_weight;
      demo->repeat_channel_weights[c] = channels[c].repeat_weight;
    }
}

enum {
  STATUS_SUBSCRIBED,
  STATUS_UNSUBSCRIBED,
  STATUS_BOUNCED,
  STATUS_COMPLAINED,
};

static const char * const status_names[] = {
  "subscribed", "unsubscribed", "bounced", "complained",
};

static void
demo_clear (Demo *demo)
{
  g_clear_pointer (&demo->insert_contact, sqlite3_finalize);
  g_clear_pointer (&demo->insert_purchase, sqlite3_finalize);
  g_clear_pointer (&demo->insert_tag, sqlite3_finalize);
  g_clear_pointer (&demo->emails, g_hash_table_unref);
  g_clear_pointer (&demo->statuses, g_free);
  g_clear_pointer (&demo->purchases, g_array_unref);
  if (demo->scratch != NULL)
    g_string_free (demo->scratch, TRUE);
  demo->scratch = NULL;
}

static gboolean
step_done (Demo          *demo,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, demo->handle, rc, _("Could not write the demo data"));
      return FALSE;
    }
  return TRUE;
}

static gint64
ensure_named (Demo        *demo,
              const char  *insert_sql,
              const char  *select_sql,
              const char  *name,
              gint64       created_at,
              GError     **error)
{
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(sqlite3_stmt) select = NULL;

  insert = ct_db_prepare (demo->db, insert_sql, error);
  if (insert == NULL)
    return 0;
  sqlite3_bind_text (insert, 1, name, -1, SQLITE_STATIC);
  if (created_at != 0)
    sqlite3_bind_int64 (insert, 2, created_at);
  if (!step_done (demo, insert, error))
    return 0;

  select = ct_db_prepare (demo->db, select_sql, error);
  if (select == NULL)
    return 0;
  sqlite3_bind_text (select, 1, name, -1, SQLITE_STATIC);
  if (sqlite3_step (select) != SQLITE_ROW)
    {
      ct_db_set_error (error, demo->handle, sqlite3_errcode (demo->handle),
                       _("Could not write the demo data"));
      return 0;
    }
  return sqlite3_column_int64 (select, 0);
}

/* Channels, with what each cost per month; a channel the user already has
 * is reused and spend they already entered is kept. */
static gboolean
insert_channels (Demo    *demo,
                 GError **error)
{
  g_autoptr(sqlite3_stmt) spend = NULL;
  double scale = demo->n_contacts / 2000.0;
  gint64 first_day = floor_div (demo->start, DAY);
  gint64 last_day = floor_div (demo->now - 1, DAY);
  int y0, y1;
  guint m0, m1, d;
  guint n_months;

  spend = ct_db_prepare (demo->db,
                         "INSERT OR IGNORE INTO channel_spend (channel_id, month, amount, currency)"
                         " VALUES (?, ?, ?, 'CNY')", error);
  if (spend == NULL)
    return FALSE;

  civil_from_days (first_day, &y0, &m0, &d);
  civil_from_days (last_day, &y1, &m1, &d);
  n_months = (guint) ((y1 - y0) * 12 + (int) m1 - (int) m0 + 1);

  for (guint c = 0; c < N_CHANNELS; c++)
    {
      demo->channel_ids[c] =
        ensure_named (demo,
                      "INSERT OR IGNORE INTO channels (name, created_at) VALUES (?, ?)",
                      "SELECT id FROM channels WHERE name = ?",
                      channels[c].name, demo->start, error);
      if (demo->channel_ids[c] == 0)
        return FALSE;

      for (guint i = 0; i < n_months; i++)
        {
          char month[8];
          guint m = (m0 - 1 + i) % 12 + 1;
          int y = y0 + (int) ((m0 - 1 + i) / 12);
          /* The business grows over the two years, with a push before
           * the 618 and Double 11 sales. */
          double growth = 0.6 + 0.8 * (double) i / MAX (n_months - 1, 1);
          double season = (m == 6 || m == 11) ? 1.35 : (m == 2 ? 0.7 : 1.0);
          double noise = 0.8 + 0.4 * rng_double (&demo->rng);
          gint64 yuan = (gint64) (channels[c].monthly_spend * scale * growth * season * noise);

          g_snprintf (month, sizeof month, "%04d-%02u", y, m);
          sqlite3_bind_int64 (spend, 1, demo->channel_ids[c]);
          sqlite3_bind_text (spend, 2, month, -1, SQLITE_TRANSIENT);
          sqlite3_bind_int64 (spend, 3, yuan * 100);
          if (!step_done (demo, spend, error))
            return FALSE;
        }
    }

  return TRUE;
}

static gboolean
insert_products (Demo    *demo,
                 GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;

  stmt = ct_db_prepare (demo->db,
                        "INSERT INTO products (sku, name, kind, price, currency, active, created_at)"
                        " VALUES (?, ?, ?, ?, 'CNY', ?, ?)", error);
  if (stmt == NULL)
    return FALSE;

  for (guint i = 0; i < N_PRODUCTS; i++)
    {
      const Product *p = &products[i];

      sqlite3_bind_text (stmt, 1, p->sku, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, p->name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, p->kind, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 4, p->price);
      sqlite3_bind_int (stmt, 5, p->retired_day == 0);
      sqlite3_bind_int64 (stmt, 6, demo->start + (gint64) p->launch_day * DAY - 7 * DAY);
      if (!step_done (demo, stmt, error))
        return FALSE;
      demo->product_ids[i] = sqlite3_last_insert_rowid (demo->handle);
    }

  return TRUE;
}

static gboolean
insert_tags (Demo    *demo,
             GError **error)
{
  for (guint i = 0; i < N_TAGS; i++)
    {
      demo->tag_ids[i] = ensure_named (demo,
                                       "INSERT OR IGNORE INTO tags (name) VALUES (?)",
                                       "SELECT id FROM tags WHERE name = ?",
                                       tag_names[i], 0, error);
      if (demo->tag_ids[i] == 0)
        return FALSE;
    }
  return TRUE;
}

/* Chooses which contacts unsubscribed, bounced or complained: a few, and at
 * least one of each once there are enough contacts to hide them among. */
static void
choose_statuses (Demo *demo)
{
  guint n = demo->n_contacts;
  guint n_unsubscribed, n_bounced, n_complained;

  demo->statuses = g_new0 (guint8, n);
  if (n < 20)
    return;

  n_unsubscribed = MAX (1, n * 3 / 100);
  n_bounced = MAX (1, n * 12 / 1000);
  n_complained = n >= 1000 ? 2 : 1;

  for (guint s = STATUS_UNSUBSCRIBED; s <= STATUS_COMPLAINED; s++)
    {
      guint count = s == STATUS_UNSUBSCRIBED ? n_unsubscribed
                  : s == STATUS_BOUNCED ? n_bounced : n_complained;

      while (count > 0)
        {
          guint i = rng_range (&demo->rng, n);

          if (demo->statuses[i] != STATUS_SUBSCRIBED)
            continue;
          demo->statuses[i] = s;
          count--;
        }
    }
}

/* The 618 and Double 11 sale days inside the history. */
static void
find_promo_days (Demo *demo)
{
  int y0, y1;
  guint m, d;

  civil_from_days (floor_div (demo->start, DAY), &y0, &m, &d);
  civil_from_days (floor_div (demo->now, DAY), &y1, &m, &d);

  demo->n_promo_days = 0;
  for (int y = y0; y <= y1; y++)
    {
      gint64 days[2] = { days_from_civil (y, 6, 18), days_from_civil (y, 11, 11) };

      for (guint i = 0; i < 2; i++)
        if (days[i] * DAY >= demo->start && days[i] * DAY < demo->now &&
            demo->n_promo_days < G_N_ELEMENTS (demo->promo_days))
          demo->promo_days[demo->n_promo_days++] = days[i];
    }
}

static void
append_digits (GString *s,
               Rng     *rng,
               guint    n)
{
  for (guint i = 0; i < n; i++)
    g_string_append_c (s, (char) ('0' + rng_range (rng, 10)));
}

static void
append_lower (GString    *s,
              const char *ascii)
{
  for (const char *p = ascii; *p != '\0'; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (s, g_ascii_tolower (*p));
}

typedef struct
{
  gboolean     chinese;
  char         last[16];
  char         first[16];
  GString     *given_pinyin;
  const char  *surname_pinyin;
  const char  *english_first;
  const char  *english_last;
  char         initials[8];
  int          birth_year;
} Person;

static void
make_person (Demo   *demo,
             Person *person)
{
  Rng *rng = &demo->rng;

  person->birth_year = 1975 + (int) rng_range (rng, 30);

  if (person->chinese)
    {
      const Surname *surname;
      guint n_given = rng_chance (rng, 0.35) ? 1 : 2;
      char *f = person->first;
      guint k = 0;

      surname = &surnames[rng_weighted (rng, demo->surname_weights, G_N_ELEMENTS (surnames))];
      g_strlcpy (person->last, surname->hanzi, sizeof person->last);
      person->surname_pinyin = surname->pinyin;
      person->initials[k++] = surname->pinyin[0];

      g_string_truncate (person->given_pinyin, 0);
      f[0] = '\0';
      for (guint i = 0; i < n_given; i++)
        {
          const Syllable *syl = &given_chars[rng_range (rng, G_N_ELEMENTS (given_chars))];

          g_strlcat (f, syl->hanzi, sizeof person->first);
          g_string_append (person->given_pinyin, syl->pinyin);
          person->initials[k++] = syl->pinyin[0];
        }
      person->initials[k] = '\0';
    }
  else
    {
      person->english_first = english_first[rng_range (rng, G_N_ELEMENTS (english_first))];
      person->english_last = english_last[rng_range (rng, G_N_ELEMENTS (english_last))];
      g_strlcpy (person->first, person->english_first, sizeof person->first);
      g_strlcpy (person->last, person->english_last, sizeof person->last);
      person->initials[0] = g_ascii_tolower (person->english_first[0]);
      person->initials[1] = g_ascii_tolower (person->english_last[0]);
      person->initials[2] = '\0';
    }
}

/* A local part such as "zhangwei", "wei.zhang88", "zw1993", a QQ number, or
 * "emma.smith". Written into demo->scratch. */
static void
make_local_part (Demo         *demo,
                 const Person *person,
                 gboolean      qq)
{
  Rng *rng = &demo->rng;
  GString *s = demo->scratch;
  const char *given;
  const char *family;

  g_string_truncate (s, 0);

  if (qq && rng_chance (rng, 0.65))
    {
      /* QQ numbers: 5 to 10 digits, never starting with 0. */
      g_string_append_c (s, (char) ('1' + rng_range (rng, 9)));
      append_digits (s, rng, 4 + rng_range (rng, 6));
      return;
    }

  if (person->chinese)
    {
      given = person->given_pinyin->str;
      family = person->surname_pinyin;
    }
  else
    {
      given = person->english_first;
      family = person->english_last;
    }

  switch (rng_range (rng, 8))
    {
    case 0:
    case 1:
      append_lower (s, family);
      append_lower (s, given);
      break;
    case 2:
      append_lower (s, given);
      g_string_append_c (s, '.');
      append_lower (s, family);
      break;
    case 3:
      append_lower (s, family);
      g_string_append_c (s, rng_chance (rng, 0.5) ? '.' : '_');
      append_lower (s, given);
      break;
    case 4:
      append_lower (s, family);
      append_lower (s, given);
      g_string_append_printf (s, "%d", person->birth_year);
      break;
    case 5:
      g_string_append (s, person->initials);
      g_string_append_printf (s, "%d", person->birth_year);
      break;
    case 6:
      append_lower (s, given);
      append_lower (s, family);
      append_digits (s, rng, 2 + rng_range (rng, 2));
      break;
    default:
      g_string_append_c (s, g_ascii_tolower (given[0]));
      append_lower (s, family);
      if (rng_chance (rng, 0.5))
        append_digits (s, rng, 2);
      break;
    }
}

/* Returns: (transfer full): a unique email, or NULL for a phone-only
 * contact. Sets *company when it is a work address. */
static char *
make_email (Demo           *demo,
            const Person   *person,
            gboolean        allow_none,
            const Company **company)
{
  Rng *rng = &demo->rng;
  const Domain *domain;
  const char *domain_name;
  char *email;

  *company = NULL;

  /* Some people are only ever reached on WeChat or by phone. */
  if (allow_none && person->chinese && rng_chance (rng, 0.03))
    return NULL;

  if (person->chinese)
    domain = &chinese_domains[rng_weighted (rng, demo->cn_domain_weights, G_N_ELEMENTS (chinese_domains))];
  else
    domain = &english_domains[rng_weighted (rng, demo->en_domain_weights, G_N_ELEMENTS (english_domains))];

  domain_name = domain->domain;
  if (domain_name == NULL)
    {
      do
        *company = &companies[rng_range (rng, G_N_ELEMENTS (companies))];
      while ((*company)->chinese != person->chinese);
      domain_name = (*company)->domain;
    }

  make_local_part (demo, person, g_str_equal (domain_name, "qq.com"));

  /* Common names collide; people then add digits, as they do. */
  for (;;)
    {
      email = g_strdup_printf ("%s@%s", demo->scratch->str, domain_name);
      if (!g_hash_table_contains (demo->emails, email))
        break;
      g_free (email);
      append_digits (demo->scratch, rng, 1);
    }

  g_hash_table_add (demo->emails, email);
  return g_strdup (email);
}

static char *
make_phone (Demo         *demo,
            const Person *person)
{
  Rng *rng = &demo->rng;

  if (person->chinese)
    {
      const char *prefix = cn_mobile_prefixes[rng_range (rng, G_N_ELEMENTS (cn_mobile_prefixes))];
      guint a = rng_range (rng, 10000);
      guint b = rng_range (rng, 10000);
      double r = rng_double (rng);

      if (r < 0.15)
        return g_strdup ("");
      if (r < 0.70)
        return g_strdup_printf ("%s %04u %04u", prefix, a, b);
      return g_strdup_printf ("+86 %s %04u %04u", prefix, a, b);
    }
  else
    {
      double r = rng_double (rng);

      /* 555-0100 to 0199 and 020 7946 0xxx are reserved for fiction. */
      if (r < 0.5)
        return g_strdup_printf ("+1 (%s) 555-01%02u",
                                us_area_codes[rng_range (rng, G_N_ELEMENTS (us_area_codes))],
                                rng_range (rng, 100));
      if (r < 0.65)
        return g_strdup_printf ("+44 20 7946 0%03u", rng_range (rng, 1000));
      return g_strdup ("");
    }
}

/* Signups grow over the two years: the density rises linearly from 0.6 to
 * 1.4 times the average. */
static gint64
make_created_at (Demo *demo)
{
  double u = rng_double (&demo->rng);
  double x = (-0.6 + sqrt (0.36 + 1.6 * u)) / 0.8;
  gint64 span = demo->now - demo->start;

  return demo->start + CLAMP ((gint64) (x * span), 0, span - 1);
}

/* A time of day people buy at: lunch and evenings, local time. */
static gint64
local_seconds (Rng *rng)
{
  static const double hour_weights[24] = {
    1.0, 0.5, 0.2, 0.1, 0.1, 0.1, 0.3, 1.0, 2.0, 2.5, 3.0, 3.0,
    4.0, 3.5, 2.5, 2.5, 2.5, 2.5, 3.0, 4.0, 5.0, 5.5, 5.0, 3.0,
  };
  guint hour = rng_weighted (rng, hour_weights, 24);

  return hour * 3600 + rng_range (rng, 3600);
}

static gint64
purchase_time (Demo   *demo,
               gint64  t,
               gint64  utc_offset)
{
  gint64 day = floor_div (t + utc_offset, DAY);

  /* Sales pull purchases forward to the sale day. */
  for (guint i = 0; i < demo->n_promo_days; i++)
    if (demo->promo_days[i] >= day && demo->promo_days[i] - day <= 10 &&
        rng_chance (&demo->rng, 0.3))
      {
        day = demo->promo_days[i];
        break;
      }

  return day * DAY + local_seconds (&demo->rng) - utc_offset;
}

static guint
choose_product (Demo   *demo,
                gint64  at,
                gboolean first,
                gint64  *last_yearly)
{
  double weights[N_PRODUCTS];
  gint64 day = (at - demo->start) / DAY;
  gint64 days_left = (demo->now - at) / DAY;
  gboolean any = FALSE;

  for (guint i = 0; i < N_PRODUCTS; i++)
    {
      const Product *p = &products[i];
      double w = first ? p->first_weight : p->repeat_weight;

      if (day < p->launch_day || (p->retired_day > 0 && days_left < p->retired_day))
        w = 0.0;
      if (p->yearly && last_yearly[i] != 0 && at - last_yearly[i] < 330 * DAY)
        w = 0.0;
      weights[i] = w;
      any = any || w > 0.0;
    }

  if (!any)
    return 4;  /* the weekly live class is always on sale */
  return rng_weighted (&demo->rng, weights, N_PRODUCTS);
}

static int
compare_purchases (gconstpointer a,
                   gconstpointer b)
{
  const DemoPurchase *pa = a;
  const DemoPurchase *pb = b;

  return (pa->at > pb->at) - (pa->at < pb->at);
}

/* Simulates one customer's purchases into demo->purchases. */
static void
simulate_purchases (Demo   *demo,
                    guint   channel,
                    gint64  created_at,
                    gint64  utc_offset)
{
  Rng *rng = &demo->rng;
  gint64 last_yearly[N_PRODUCTS] = { 0 };
  double delay_days;
  double rate, dropout;
  double t;

  g_array_set_size (demo->purchases, 0);

  if (!rng_chance (rng, channels[channel].conversion))
    return;

  /* Many buy during the visit that made them sign up; the others take a
   * few weeks to decide. */
  delay_days = rng_chance (rng, 0.35) ? rng_double (rng) * 0.1 : rng_exponential (rng, 25.0);
  t = (double) created_at + delay_days * DAY;

  rate = MIN (rng_gamma (rng, RATE_SHAPE, RATE_MEAN / RATE_SHAPE), RATE_MAX);
  dropout = rng_beta (rng, DROPOUT_A, DROPOUT_B);

  while (t < (double) demo->now && demo->purchases->len < MAX_PURCHASES)
    {
      DemoPurchase p = { 0 };
      const Product *product;
      gboolean first = demo->purchases->len == 0;

      if (first && delay_days < 0.1)
        p.at = (gint64) t;
      else
        p.at = purchase_time (demo, (gint64) t, utc_offset);
      p.at = CLAMP (p.at, created_at + 60, demo->now - 1);
      if (p.at < created_at)
        break;

      p.product = choose_product (demo, p.at, first, last_yearly);
      product = &products[p.product];
      if (product->yearly)
        last_yearly[p.product] = p.at;

      p.channel = first || rng_chance (rng, 0.6)
                  ? channel
                  : rng_weighted (rng, demo->repeat_channel_weights, N_CHANNELS);

      p.amount = product->price;
      if (g_str_equal (product->kind, "course") && product->price >= 10000 &&
          rng_chance (rng, 0.12))
        {
          /* early bird: 20% off */
          p.amount = product->price * 8 / 10;
          p.early_bird = TRUE;
        }
      else if (product->price >= 10000 && rng_chance (rng, 0.06))
        {
          p.amount = product->price - (rng_chance (rng, 0.5) ? 2000 : 5000);
        }

      p.refunded = product->price >= 10000 && rng_chance (rng, 0.015);
      g_array_append_val (demo->purchases, p);

      if (rng_chance (rng, dropout))
        break;
      t += rng_exponential (rng, 1.0 / rate) * DAY;
    }

  g_array_sort (demo->purchases, compare_purchases);
}

static gboolean
add_tag (Demo    *demo,
         gint64   contact_id,
         guint    tag,
         GError **error)
{
  sqlite3_bind_int64 (demo->insert_tag, 1, contact_id);
  sqlite3_bind_int64 (demo->insert_tag, 2, demo->tag_ids[tag]);
  return step_done (demo, demo->insert_tag, error);
}

static gboolean
generate_contact (Demo     *demo,
                  guint     index,
                  Person   *person,
                  GError  **error)
{
  Rng *rng = &demo->rng;
  sqlite3_stmt *stmt = demo->insert_contact;
  g_autofree char *email = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *attributes = NULL;
  const Company *company = NULL;
  guint8 status = demo->statuses[index];
  gboolean has_channel;
  guint channel;
  gint64 created_at, updated_at, utc_offset;
  gint64 contact_id;
  gint64 total = 0;
  gboolean tags[N_TAGS] = { FALSE };
  const char *city = NULL;

  person->chinese = rng_chance (rng, 0.7);
  make_person (demo, person);
  email = make_email (demo, person, status == STATUS_SUBSCRIBED, &company);
  phone = make_phone (demo, person);

  if (company == NULL && rng_chance (rng, 0.08))
    {
      do
        company = &companies[rng_range (rng, G_N_ELEMENTS (companies))];
      while (company->chinese != person->chinese);
    }

  channel = rng_weighted (rng, person->chinese ? demo->cn_channel_weights : demo->en_channel_weights,
                          N_CHANNELS);
  has_channel = !rng_chance (rng, 0.03);
  created_at = make_created_at (demo);
  utc_offset = person->chinese ? 8 * 3600 : -5 * 3600;

  if (rng_chance (rng, 0.6))
    city = person->chinese
           ? chinese_cities[rng_range (rng, G_N_ELEMENTS (chinese_cities))]
           : english_cities[rng_range (rng, G_N_ELEMENTS (english_cities))];
  attributes = city != NULL ? g_strdup_printf ("{\"city\":\"%s\"}", city) : g_strdup ("{}");

  simulate_purchases (demo, channel, created_at, utc_offset);

  updated_at = created_at;
  if (status != STATUS_SUBSCRIBED)
    {
      gint64 span = demo->now - created_at;
      updated_at = created_at + (gint64) (rng_double (rng) * span);
    }

  sqlite3_bind_text (stmt, 1, email, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, person->first, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, person->last, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, phone, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, company != NULL ? company->name : "", -1, SQLITE_STATIC);
  if (has_channel)
    sqlite3_bind_int64 (stmt, 6, demo->channel_ids[channel]);
  sqlite3_bind_text (stmt, 7, status_names[status], -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 8, created_at);
  sqlite3_bind_text (stmt, 9, channels[channel].consent_source, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 10, attributes, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 11, rng_chance (rng, 0.04)
                                 ? notes[rng_range (rng, G_N_ELEMENTS (notes))] : "",
                     -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 12, created_at);
  sqlite3_bind_int64 (stmt, 13, updated_at);
  if (!step_done (demo, stmt, error))
    return FALSE;
  contact_id = sqlite3_last_insert_rowid (demo->handle);

  stmt = demo->insert_purchase;
  for (guint i = 0; i < demo->purchases->len; i++)
    {
      const DemoPurchase *p = &g_array_index (demo->purchases, DemoPurchase, i);
      char ref[32];

      /* Increasing order numbers go in at the end of the unique index
       * instead of all over it. */
      g_snprintf (ref, sizeof ref, "DEMO-%08" G_GUINT64_FORMAT, ++demo->order_number);

      sqlite3_bind_int64 (stmt, 1, contact_id);
      sqlite3_bind_int64 (stmt, 2, demo->product_ids[p->product]);
      sqlite3_bind_int64 (stmt, 3, p->amount);
      sqlite3_bind_int64 (stmt, 4, p->at);
      sqlite3_bind_int64 (stmt, 5, demo->channel_ids[p->channel]);
      sqlite3_bind_text (stmt, 6, ref, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 7, p->refunded);
      if (!step_done (demo, stmt, error))
        return FALSE;

      if (!p->refunded)
        total += p->amount;
      if (p->early_bird)
        tags[TAG_EARLY_BIRD] = TRUE;
      if (g_str_equal (products[p->product].kind, "course"))
        tags[TAG_STUDENT] = TRUE;
      if (g_str_equal (products[p->product].kind, "community"))
        tags[TAG_COMMUNITY] = TRUE;
    }

  tags[TAG_VIP] = total >= VIP_SPEND;
  tags[TAG_COMMUNITY] = tags[TAG_COMMUNITY] && rng_chance (rng, 0.6);
  tags[TAG_WEBINAR] = rng_chance (rng, 0.15);
  tags[TAG_CORPORATE] = company != NULL && rng_chance (rng, 0.6);
  tags[TAG_NEWSLETTER] = has_channel && channel == CH_NEWSLETTER && rng_chance (rng, 0.5);

  for (guint t = 0; t < N_TAGS; t++)
    if (tags[t] && !add_tag (demo, contact_id, t, error))
      return FALSE;

  return TRUE;
}

static gboolean
write_settings (Demo                *demo,
                const CtDemoOptions *options,
                GError             **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *value = NULL;

  /* Marks the file as demo data, so that mail features can warn before
   * anything is sent to these made-up addresses. */
  value = g_strdup_printf ("{\"seed\":%" G_GUINT64_FORMAT ",\"contacts\":%u,\"now\":%" G_GINT64_FORMAT "}",
                           options->seed, demo->n_contacts, demo->now);
  stmt = ct_db_prepare (demo->db,
                        "INSERT OR REPLACE INTO settings (key, value) VALUES ('demo.generated', ?)",
                        error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, value, -1, SQLITE_STATIC);
  return step_done (demo, stmt, error);
}


/* ------------------------------------------------------------------ */
/* Loyalty: tier history, referrals and feedback
 *
 * From an RNG of their own, so that the contacts and purchases stay the
 * same for a seed as they were before the loyalty data existed. */

static const struct
{
  CtFeedbackCategory  category;
  gboolean            chinese;
  const char         *text;
} feedback_texts[] = {
  { CT_FEEDBACK_PRODUCT, TRUE, "课程内容很扎实，案例也很实用。" },
  { CT_FEEDBACK_PRODUCT, TRUE, "第三章讲得有点快，希望能补充练习。" },
  { CT_FEEDBACK_PRODUCT, TRUE, "电子书排版不错，但部分图片看不清。" },
  { CT_FEEDBACK_SERVICE, TRUE, "助教回复很及时，赞！" },
  { CT_FEEDBACK_SERVICE, TRUE, "开发票等了一周，有点慢。" },
  { CT_FEEDBACK_EMOTIONAL, TRUE, "加入社群后感觉不再孤单，谢谢老师。" },
  { CT_FEEDBACK_EMOTIONAL, TRUE, "最近有点跟不上进度，有些焦虑。" },
  { CT_FEEDBACK_PRODUCT, FALSE, "The templates alone were worth the price." },
  { CT_FEEDBACK_PRODUCT, FALSE, "Module 4 needs more examples." },
  { CT_FEEDBACK_SERVICE, FALSE, "Quick, friendly answer to my refund question." },
  { CT_FEEDBACK_SERVICE, FALSE, "I could not find the download link after paying." },
  { CT_FEEDBACK_EMOTIONAL, FALSE, "This course got me through a hard month." },
};

static gboolean
insert_loyalty (Demo    *demo,
                guint64  seed,
                GError **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) created = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) chinese = g_array_new (FALSE, FALSE, sizeof (gboolean));
  Rng rng;
  int rc;

  rng_init (&rng, seed ^ G_GUINT64_CONSTANT (0x6c6f79616c747921));

  /* The tiers as the app would have kept them, looked at each quarter of
   * the last year, so that the history and the upgrade rate have
   * something to show. */
  for (int quarter = 4; quarter >= 0; quarter--)
    {
      /* The first look a little over a year ago, so that the upgrade
       * rate over the last 12 months has contacts to count from. */
      gint64 days = quarter == 4 ? 366 : (gint64) quarter * 91;

      if (!ct_tier_update (demo->db, demo->now - days * DAY, 0, NULL, error))
        return FALSE;
    }

  stmt = ct_db_prepare (demo->db,
                        "SELECT id, created_at, first_name GLOB '*[^ -~]*' FROM contacts ORDER BY id",
                        error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      gint64 at = sqlite3_column_int64 (stmt, 1);
      gboolean cn = sqlite3_column_int (stmt, 2) != 0;

      g_array_append_val (ids, id);
      g_array_append_val (created, at);
      g_array_append_val (chinese, cn);
    }
  if (rc != SQLITE_DONE)
    {
      ct_db_set_error (error, demo->handle, rc, _("Could not write the demo data"));
      return FALSE;
    }

  for (guint i = 1; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      gint64 at = g_array_index (created, gint64, i);
      gboolean cn = g_array_index (chinese, gboolean, i);

      /* One contact in 25 came by a referral from someone already there. */
      if (rng_chance (&rng, 0.04)
          && !ct_referral_set (demo->db, id, g_array_index (ids, gint64, rng_range (&rng, i)),
                               CT_REFERRAL_MANUAL, at, error))
        return FALSE;

      /* One in 15 said something, on a 1-5 rating or the 0-10 question. */
      if (rng_chance (&rng, 1.0 / 15.0))
        {
          guint pick;
          gboolean nps = rng_chance (&rng, 0.4);
          double drawn;
          int score;
          gint64 when = at + (gint64) (rng_double (&rng) * (double) MAX (demo->now - at, 1));
          gint64 feedback_id;

          do
            pick = rng_range (&rng, G_N_ELEMENTS (feedback_texts));
          while (feedback_texts[pick].chinese != cn);
          /* Mostly happy, as buyers who bother to answer tend to be.
           * (CLAMP would draw the number more than once.) */
          drawn = (nps ? 10.5 : 5.5) - rng_exponential (&rng, nps ? 2.5 : 1.2);
          score = nps ? (int) CLAMP (drawn, 0.0, 10.0) : (int) CLAMP (drawn, 1.0, 5.0);
          feedback_id = ct_feedback_add (demo->db, id, feedback_texts[pick].category,
                                         nps ? CT_FEEDBACK_NPS : CT_FEEDBACK_RATING, score,
                                         feedback_texts[pick].text, when, error);
          if (feedback_id == 0)
            return FALSE;
          if (demo->now - when > 14 * DAY && rng_chance (&rng, 0.7)
              && !ct_feedback_set_resolved (demo->db, feedback_id, TRUE,
                                            when + (gint64) rng_range (&rng, 10 * DAY), error))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
prepare_statements (Demo    *demo,
                    GError **error)
{
  demo->insert_contact =
    ct_db_prepare (demo->db,
                   "INSERT INTO contacts (email, first_name, last_name, phone, company,"
                   " channel_id, status, consent_at, consent_source, attributes, notes,"
                   " created_at, updated_at)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", error);
  if (demo->insert_contact == NULL)
    return FALSE;

  demo->insert_purchase =
    ct_db_prepare (demo->db,
                   "INSERT INTO purchases (contact_id, product_id, amount, currency,"
                   " purchased_at, channel_id, source, external_ref, refunded, created_at)"
                   " VALUES (?1, ?2, ?3, 'CNY', ?4, ?5, 'demo', ?6, ?7, ?4)", error);
  if (demo->insert_purchase == NULL)
    return FALSE;

  demo->insert_tag = ct_db_prepare (demo->db,
                                    "INSERT OR IGNORE INTO contact_tags (contact_id, tag_id)"
                                    " VALUES (?, ?)", error);
  return demo->insert_tag != NULL;
}

static gint64
start_of_today_utc (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return floor_div (g_date_time_to_unix (now), DAY) * DAY;
}

static gboolean
check_empty (Demo    *demo,
             GError **error)
{
  g_autoptr(GError) local_error = NULL;
  gint64 used;

  used = ct_db_query_int64 (demo->db,
                            "SELECT EXISTS (SELECT 1 FROM contacts)"
                            " OR EXISTS (SELECT 1 FROM products)"
                            " OR EXISTS (SELECT 1 FROM purchases)",
                            &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (used != 0)
    {
      g_autofree char *display = g_filename_display_name (ct_db_get_path (demo->db));

      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   _("“%s” already holds contacts or products. Demo data only goes "
                     "into a new, empty database; nothing was changed."), display);
      return FALSE;
    }

  return TRUE;
}

/* Drops the trigger @name, if there is one, and gives its CREATE
 * statement in @create (%NULL when there was none) to run again later. */
static gboolean
set_aside_trigger (CtDb        *db,
                   const char  *name,
                   char       **create,
                   GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = ct_db_prepare (db, "SELECT sql FROM sqlite_master WHERE type = 'trigger'"
                                                    " AND name = ?1", error);
  g_autofree char *drop = NULL;

  *create = NULL;
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return TRUE;
  *create = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  drop = g_strdup_printf ("DROP TRIGGER \"%s\"", name);
  return ct_db_exec (db, drop, error);
}

/**
 * ct_demo_generate:
 * @db: an open database with no contacts, products or purchases
 * @options: how much to generate, the seed and the end of the history
 * @progress: (nullable): called about a hundred times, with a fraction
 * @cancellable: (nullable): cancelling rolls everything back
 *
 * Fills @db with a demo business in one transaction: contacts, products,
 * channels with monthly spend, tags and about two years of purchases ending
 * at @options->now (today, UTC, when 0). @options->n_contacts 0 means
 * %CT_DEMO_DEFAULT_CONTACTS. On failure or cancellation the database is
 * left as it was.
 *
 * Returns: %TRUE on success; %FALSE with @error set, CT_DB_ERROR_INVALID
 * when @db is not empty, G_IO_ERROR_CANCELLED when cancelled
 */
/* Not the ones the demo looks rows up by (unique emails, names, order
 * ids), nor purchases_contact, which fills in order as the purchases
 * come contact by contact. */
static const char * const deferred_indexes[] = {
  "purchases_time", "purchases_product", "purchases_channel",
  "contacts_created", "contacts_channel", "contacts_name_order",
  NULL
};

gboolean
ct_demo_generate (CtDb                *db,
                  const CtDemoOptions *options,
                  CtDemoProgress       progress,
                  gpointer             user_data,
                  GCancellable        *cancellable,
                  GError             **error)
{
  Demo demo = { 0 };
  Person person = { 0 };
  g_autoptr(GString) given_pinyin = g_string_new (NULL);
  gint64 old_cache_size;
  gint64 old_temp_store;
  g_autofree char *pragma = NULL;
  g_autofree char *points_trigger = NULL;
  g_autoptr(GPtrArray) set_aside = NULL;
  g_autofree char *rollup_trigger = NULL;
  g_autofree char *buyers_trigger = NULL;
  guint last_percent = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (CT_IS_DB (db), FALSE);
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  demo.n_contacts = options->n_contacts != 0 ? options->n_contacts : CT_DEMO_DEFAULT_CONTACTS;
  if (demo.n_contacts > CT_DEMO_MAX_CONTACTS)
    {
      g_set_error (error, CT_DB_ERROR, CT_DB_ERROR_INVALID,
                   _("Demo data can have at most %u contacts."), CT_DEMO_MAX_CONTACTS);
      return FALSE;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  demo.db = db;
  demo.handle = ct_db_get_handle (db);
  demo.now = options->now != 0 ? options->now : start_of_today_utc ();
  demo.start = demo.now - (gint64) HISTORY_DAYS * DAY;
  rng_init (&demo.rng, options->seed);
  demo_init_weights (&demo);

  /* A million purchases touch the contacts, purchases and five indexes at
   * once; keep their pages in memory for the one transaction. Each purchase
   * insert (row, indexes, trigger) also changes about 17 pages, more than
   * SQLite keeps of a statement journal in memory by default: with the
   * journal in a temporary file every insert costs a dozen write() calls
   * and 100,000 contacts take minutes instead of seconds. */
  old_cache_size = ct_db_query_int64 (db, "PRAGMA cache_size", NULL);
  old_temp_store = ct_db_query_int64 (db, "PRAGMA temp_store", NULL);
  if (!ct_db_exec (db, "PRAGMA cache_size = -131072", error) ||
      !ct_db_exec (db, "PRAGMA temp_store = MEMORY", error))
    goto out_cache;

  if (!ct_db_begin (db, error))
    goto out_cache;

  if (!check_empty (&demo, error))
    goto out;

  /* The purchases come contact by contact, so the indexes by time,
   * product and channel, and the contacts' own, would each take a random
   * insertion per row: building them at the end is faster (about 60 s
   * down to 45 s of processor time for 100,000 contacts). */
  set_aside = ct_db_drop_indexes (db, deferred_indexes, error);
  if (set_aside == NULL)
    goto out;

  /* Points are given for all the purchases at the end in one statement
   * rather than by a trigger per purchase (a third of the time). */
  if (!set_aside_trigger (db, "purchases_points_ins", &points_trigger, error))
    goto out;
  if (points_trigger == NULL)
    {
      g_set_error_literal (error, CT_DB_ERROR, CT_DB_ERROR_FAILED,
                           _("The database lacks the trigger that gives points for purchases."));
      goto out;
    }
  /* The same for the dashboard's sales summaries and the product buyers
   * (ct-rollup.h). */
  if (!set_aside_trigger (db, "purchases_rollup_ins", &rollup_trigger, error) ||
      !set_aside_trigger (db, "purchases_buyers_ins", &buyers_trigger, error))
    goto out;

  demo.emails = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  demo.purchases = g_array_new (FALSE, FALSE, sizeof (DemoPurchase));
  demo.scratch = g_string_new (NULL);
  person.given_pinyin = given_pinyin;

  choose_statuses (&demo);
  find_promo_days (&demo);

  if (!prepare_statements (&demo, error) ||
      !insert_channels (&demo, error) ||
      !insert_products (&demo, error) ||
      !insert_tags (&demo, error))
    goto out;

  for (guint i = 0; i < demo.n_contacts; i++)
    {
      guint percent;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;

      if (!generate_contact (&demo, i, &person, error))
        goto out;

      percent = (guint) (((guint64) i + 1) * 99 / demo.n_contacts);
      if (percent != last_percent)
        {
          last_percent = percent;
          if (progress != NULL)
            progress (percent / 100.0, user_data);
        }
    }

  if (!ct_db_restore_indexes (db, set_aside, error) ||
      !ct_db_exec (db, points_trigger, error) ||
      !ct_points_earn_for_purchases (db, 0, error) ||
      (rollup_trigger != NULL && !ct_db_exec (db, rollup_trigger, error)) ||
      (buyers_trigger != NULL && !ct_db_exec (db, buyers_trigger, error)) ||
      !ct_rollup_add_purchases (db, 0, error) ||
      !insert_loyalty (&demo, options->seed, error))
    goto out;

  if (!write_settings (&demo, options, error))
    goto out;
  /* The dashboard's summaries of the customers, once for them all. */
  if (!ct_rollup_refresh (db, NULL, error))
    goto out;

  /* A last chance: cancelling while the final rows went in still leaves
   * the database untouched. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto out;

  demo_clear (&demo);
  if (!ct_db_commit (db, error))
    goto out;

  ok = TRUE;

out:
  demo_clear (&demo);
  if (!ok)
    ct_db_rollback (db);

out_cache:
  pragma = g_strdup_printf ("PRAGMA cache_size = %" G_GINT64_FORMAT "; PRAGMA temp_store = %" G_GINT64_FORMAT,
                            old_cache_size, old_temp_store);
  ct_db_exec (db, pragma, NULL);

  if (ok)
    {
      if (progress != NULL)
        progress (1.0, user_data);
      ct_db_emit_changed (db, "channels");
      ct_db_emit_changed (db, "products");
      ct_db_emit_changed (db, "tags");
      ct_db_emit_changed (db, "contacts");
      ct_db_emit_changed (db, "purchases");
    }

  return ok;
}

/* ------------------------------------------------------------------ */

typedef struct
{
  char            *path;
  CtDemoOptions    options;
  CtProgressRelay *progress;  /* nullable */
} AsyncData;

static void
async_data_free (AsyncData *data)
{
  ct_progress_relay_unref (data->progress);
  g_free (data->path);
  g_free (data);
}

static void
generate_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  AsyncData *data = task_data;
  g_autoptr(CtDb) db = NULL;
  GError *error = NULL;

  db = ct_db_open (data->path, &error);
  if (db == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (!ct_demo_generate (db, &data->options,
                         data->progress != NULL ? ct_progress_relay_report : NULL,
                         data->progress, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

/**
 * ct_demo_generate_async_full:
 * @db_path: the database file; opened (and created when missing) on a
 *   worker thread with its own connection
 * @progress: (nullable): called on the thread-default main context of the
 *   caller, about a hundred times
 * @progress_data: data for @progress
 * @progress_destroy: (nullable): frees @progress_data once the task is done
 *
 * Like ct_demo_generate(), on a worker thread. Other connections to the
 * file do not hear about the new rows by themselves: after finishing,
 * call ct_db_emit_changed() on them.
 */
void
ct_demo_generate_async_full (const char          *db_path,
                             const CtDemoOptions *options,
                             CtDemoProgress       progress,
                             gpointer             progress_data,
                             GDestroyNotify       progress_destroy,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  AsyncData *data;

  g_return_if_fail (db_path != NULL);
  g_return_if_fail (options != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (AsyncData, 1);
  data->path = g_strdup (db_path);
  data->options = *options;
  data->progress = ct_progress_relay_new (progress, progress_data, progress_destroy);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ct_demo_generate_async_full);
  g_task_set_name (task, "[clientele] demo data");
  g_task_set_task_data (task, data, (GDestroyNotify) async_data_free);
  g_task_run_in_thread (task, generate_thread);
}

/**
 * ct_demo_generate_async:
 *
 * ct_demo_generate_async_full() without progress reports.
 */
void
ct_demo_generate_async (const char          *db_path,
                        const CtDemoOptions *options,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  ct_demo_generate_async_full (db_path, options, NULL, NULL, NULL,
                               cancellable, callback, user_data);
}

gboolean
ct_demo_generate_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
