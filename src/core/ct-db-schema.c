/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ct-db-schema.c: the versioned migrations of the Clientele database
 *
 * Each migration moves the schema from version - 1 to version and runs in
 * the same transaction as the others, so a database is never left half
 * migrated. Never edit a migration that has shipped: add a new one.
 */
#include "ct-db.h"

static const CtDbMigration migrations[] = {
  { 1,
    /* Channels a contact or purchase came from, and what each cost per
     * month (for acquisition cost). Money is integer minor units. */
    "CREATE TABLE channels ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),"
    "  created_at INTEGER NOT NULL DEFAULT (unixepoch())"
    ");"
    "CREATE TABLE channel_spend ("
    "  channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,"
    "  month TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'),"
    "  amount INTEGER NOT NULL CHECK (amount >= 0),"
    "  currency TEXT NOT NULL DEFAULT 'CNY',"
    "  PRIMARY KEY (channel_id, month)"
    ");"

    /* Contacts. Email is unique ignoring ASCII case, and may be missing
     * (phone-only contacts are common). search_text is kept by triggers:
     * lower-cased name, email, phone, company and tags, for search. The
     * purchase figures are kept by triggers on purchases so that lists
     * can sort by them without aggregating a million rows. */
    "CREATE TABLE contacts ("
    "  id INTEGER PRIMARY KEY,"
    "  email TEXT UNIQUE COLLATE NOCASE,"
    "  first_name TEXT NOT NULL DEFAULT '',"
    "  last_name TEXT NOT NULL DEFAULT '',"
    "  phone TEXT NOT NULL DEFAULT '',"
    "  company TEXT NOT NULL DEFAULT '',"
    "  channel_id INTEGER REFERENCES channels(id) ON DELETE SET NULL,"
    "  status TEXT NOT NULL DEFAULT 'subscribed'"
    "    CHECK (status IN ('subscribed','unsubscribed','bounced','complained')),"
    "  consent_at INTEGER,"
    "  consent_source TEXT NOT NULL DEFAULT '',"
    "  attributes TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes)),"
    "  notes TEXT NOT NULL DEFAULT '',"
    "  created_at INTEGER NOT NULL DEFAULT (unixepoch()),"
    "  updated_at INTEGER NOT NULL DEFAULT (unixepoch()),"
    "  purchase_count INTEGER NOT NULL DEFAULT 0,"
    "  total_spent INTEGER NOT NULL DEFAULT 0,"
    "  first_purchase_at INTEGER,"
    "  last_purchase_at INTEGER,"
    "  search_text TEXT NOT NULL DEFAULT ''"
    ");"
    "CREATE INDEX contacts_channel ON contacts(channel_id);"
    "CREATE INDEX contacts_created ON contacts(created_at);"
    /* The contacts list's default order, so that opening it on 100k
     * contacts reads an index instead of sorting. */
    "CREATE INDEX contacts_name_order ON contacts ("
    "  coalesce(nullif(last_name || first_name, ''), email, phone) COLLATE NOCASE, id);"

    "CREATE TABLE tags ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0)"
    ");"
    "CREATE TABLE contact_tags ("
    "  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
    "  tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,"
    "  PRIMARY KEY (contact_id, tag_id)"
    ") WITHOUT ROWID;"
    "CREATE INDEX contact_tags_tag ON contact_tags(tag_id);"

    "CREATE TABLE products ("
    "  id INTEGER PRIMARY KEY,"
    "  sku TEXT UNIQUE COLLATE NOCASE,"
    "  name TEXT NOT NULL CHECK (length(trim(name)) > 0),"
    "  kind TEXT NOT NULL DEFAULT 'other'"
    "    CHECK (kind IN ('course','ebook','membership','community','coaching','other')),"
    "  price INTEGER NOT NULL DEFAULT 0 CHECK (price >= 0),"
    "  currency TEXT NOT NULL DEFAULT 'CNY',"
    "  active INTEGER NOT NULL DEFAULT 1,"
    "  created_at INTEGER NOT NULL DEFAULT (unixepoch())"
    ");"

    /* Purchases. (source, external_ref) is unique so that importing the
     * same export twice adds nothing. contact_id is NULL only for the
     * purchases of an erased contact, kept anonymous for revenue totals. */
    "CREATE TABLE purchases ("
    "  id INTEGER PRIMARY KEY,"
    "  contact_id INTEGER REFERENCES contacts(id) ON DELETE CASCADE,"
    "  product_id INTEGER REFERENCES products(id) ON DELETE SET NULL,"
    "  amount INTEGER NOT NULL,"
    "  currency TEXT NOT NULL DEFAULT 'CNY',"
    "  purchased_at INTEGER NOT NULL,"
    "  channel_id INTEGER REFERENCES channels(id) ON DELETE SET NULL,"
    "  source TEXT NOT NULL DEFAULT 'manual',"
    "  external_ref TEXT,"
    "  refunded INTEGER NOT NULL DEFAULT 0 CHECK (refunded IN (0,1)),"
    "  created_at INTEGER NOT NULL DEFAULT (unixepoch()),"
    "  UNIQUE (source, external_ref)"
    ");"
    "CREATE INDEX purchases_contact ON purchases(contact_id, purchased_at);"
    "CREATE INDEX purchases_time ON purchases(purchased_at);"
    "CREATE INDEX purchases_product ON purchases(product_id, purchased_at);"
    "CREATE INDEX purchases_channel ON purchases(channel_id, purchased_at);"

    "CREATE TABLE settings ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ") WITHOUT ROWID;"

    /* search_text upkeep */
    "CREATE TRIGGER contacts_search_ins AFTER INSERT ON contacts BEGIN"
    "  UPDATE contacts SET search_text = lower("
    "    NEW.last_name || NEW.first_name || ' ' || NEW.first_name || ' ' || NEW.last_name"
    "    || ' ' || coalesce(NEW.email,'') || ' ' || NEW.phone || ' ' || NEW.company)"
    "  WHERE id = NEW.id;"
    "END;"
    "CREATE TRIGGER contacts_search_upd AFTER UPDATE OF first_name, last_name, email, phone, company ON contacts BEGIN"
    "  UPDATE contacts SET search_text = lower("
    "    NEW.last_name || NEW.first_name || ' ' || NEW.first_name || ' ' || NEW.last_name"
    "    || ' ' || coalesce(NEW.email,'') || ' ' || NEW.phone || ' ' || NEW.company"
    "    || coalesce((SELECT ' ' || group_concat(t.name, ' ') FROM contact_tags ct"
    "                 JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = NEW.id), ''))"
    "  WHERE id = NEW.id;"
    "END;"
    "CREATE TRIGGER contact_tags_search_ins AFTER INSERT ON contact_tags BEGIN"
    "  UPDATE contacts SET first_name = first_name WHERE id = NEW.contact_id;"
    "END;"
    "CREATE TRIGGER contact_tags_search_del AFTER DELETE ON contact_tags BEGIN"
    "  UPDATE contacts SET first_name = first_name WHERE id = OLD.contact_id;"
    "END;"
    "CREATE TRIGGER tags_search_upd AFTER UPDATE OF name ON tags BEGIN"
    "  UPDATE contacts SET first_name = first_name"
    "  WHERE id IN (SELECT contact_id FROM contact_tags WHERE tag_id = NEW.id);"
    "END;"

    /* purchase figures upkeep; refunded purchases do not count */
    "CREATE TRIGGER purchases_stats_ins AFTER INSERT ON purchases WHEN NEW.refunded = 0 BEGIN"
    "  UPDATE contacts SET purchase_count = purchase_count + 1,"
    "    total_spent = total_spent + NEW.amount,"
    "    first_purchase_at = min(coalesce(first_purchase_at, NEW.purchased_at), NEW.purchased_at),"
    "    last_purchase_at = max(coalesce(last_purchase_at, NEW.purchased_at), NEW.purchased_at)"
    "  WHERE id = NEW.contact_id;"
    "END;"
    "CREATE TRIGGER purchases_stats_del AFTER DELETE ON purchases BEGIN"
    "  UPDATE contacts SET"
    "    (purchase_count, total_spent, first_purchase_at, last_purchase_at) ="
    "    (SELECT count(*), coalesce(sum(amount), 0), min(purchased_at), max(purchased_at)"
    "     FROM purchases WHERE contact_id = OLD.contact_id AND refunded = 0)"
    "  WHERE id = OLD.contact_id;"
    "END;"
    "CREATE TRIGGER purchases_stats_upd AFTER UPDATE OF contact_id, amount, purchased_at, refunded ON purchases BEGIN"
    "  UPDATE contacts SET"
    "    (purchase_count, total_spent, first_purchase_at, last_purchase_at) ="
    "    (SELECT count(*), coalesce(sum(amount), 0), min(purchased_at), max(purchased_at)"
    "     FROM purchases WHERE contact_id = contacts.id AND refunded = 0)"
    "  WHERE id IN (OLD.contact_id, NEW.contact_id);"
    "END;"
  },
  { 2,
    /* Contacts erased on request (ct-privacy.c) leave only the SHA-256 of
     * their lower-cased email here, never the address: enough for an
     * import or a send to tell that this person asked to be forgotten
     * and must not come back from an old spreadsheet, and nothing that
     * says who they were to someone reading the file. */
    "CREATE TABLE erased_emails ("
    "  hash TEXT PRIMARY KEY CHECK (length(hash) = 64),"
    "  erased_at INTEGER NOT NULL DEFAULT (unixepoch())"
    ") WITHOUT ROWID;"
  },
  { 3,
    /* Each product's sales figures, kept by triggers like the contacts'
     * ones: the Products page, the purchase filters and the Add Purchase
     * window list the products on every start, and summing a million
     * purchases for that took seconds. Refunded purchases do not count;
     * revenue counts the purchases in the product's own currency. */
    "ALTER TABLE products ADD COLUMN sales_count INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE products ADD COLUMN revenue INTEGER NOT NULL DEFAULT 0;"
    "UPDATE products SET"
    "  sales_count = (SELECT count(*) FROM purchases s"
    "                 WHERE s.product_id = products.id AND s.refunded = 0),"
    "  revenue = (SELECT coalesce(sum(s.amount), 0) FROM purchases s"
    "             WHERE s.product_id = products.id AND s.refunded = 0"
    "             AND s.currency = products.currency);"
    "CREATE TRIGGER purchases_product_ins AFTER INSERT ON purchases"
    "  WHEN NEW.refunded = 0 AND NEW.product_id IS NOT NULL BEGIN"
    "  UPDATE products SET sales_count = sales_count + 1,"
    "    revenue = revenue + (CASE WHEN currency = NEW.currency THEN NEW.amount ELSE 0 END)"
    "  WHERE id = NEW.product_id;"
    "END;"
    "CREATE TRIGGER purchases_product_del AFTER DELETE ON purchases"
    "  WHEN OLD.refunded = 0 AND OLD.product_id IS NOT NULL BEGIN"
    "  UPDATE products SET sales_count = sales_count - 1,"
    "    revenue = revenue - (CASE WHEN currency = OLD.currency THEN OLD.amount ELSE 0 END)"
    "  WHERE id = OLD.product_id;"
    "END;"
    "CREATE TRIGGER purchases_product_upd"
    "  AFTER UPDATE OF product_id, amount, currency, refunded ON purchases BEGIN"
    "  UPDATE products SET sales_count = sales_count - 1,"
    "    revenue = revenue - (CASE WHEN currency = OLD.currency THEN OLD.amount ELSE 0 END)"
    "  WHERE id = OLD.product_id AND OLD.refunded = 0;"
    "  UPDATE products SET sales_count = sales_count + 1,"
    "    revenue = revenue + (CASE WHEN currency = NEW.currency THEN NEW.amount ELSE 0 END)"
    "  WHERE id = NEW.product_id AND NEW.refunded = 0;"
    "END;"
    "CREATE TRIGGER products_revenue_currency AFTER UPDATE OF currency ON products BEGIN"
    "  UPDATE products SET revenue ="
    "    (SELECT coalesce(sum(s.amount), 0) FROM purchases s"
    "     WHERE s.product_id = NEW.id AND s.refunded = 0 AND s.currency = NEW.currency)"
    "  WHERE id = NEW.id;"
    "END;"
  },
  { 4,
    /* The per-contact analytics cache (ct-analytics.c): one row per
     * contact as of the last stored run, replaced as a whole by each
     * run, so that the Contacts list can show and sort by segment,
     * lifecycle, lifetime value, churn risk and cluster without fitting
     * models. Money is minor units of `currency` (the main currency of
     * the run); a column is NULL where a model could not be fitted or
     * the contact has no purchase. rfm_segment and lifecycle hold the
     * stable ids of ct-rfm.h. */
    "CREATE TABLE contact_metrics ("
    "  contact_id INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,"
    "  as_of INTEGER NOT NULL,"
    "  recency_days INTEGER,"
    "  frequency INTEGER NOT NULL DEFAULT 0,"
    "  monetary INTEGER NOT NULL DEFAULT 0,"
    "  currency TEXT,"
    "  r_score INTEGER,"
    "  f_score INTEGER,"
    "  m_score INTEGER,"
    "  rfm_segment TEXT,"
    "  lifecycle TEXT NOT NULL,"
    "  clv_historical INTEGER NOT NULL DEFAULT 0,"
    "  clv_simple INTEGER,"
    "  clv_predictive INTEGER,"
    "  p_alive REAL,"
    "  expected_purchases REAL,"
    "  cluster INTEGER"
    ");"
    "CREATE INDEX contact_metrics_rfm_segment ON contact_metrics(rfm_segment);"
    "CREATE INDEX contact_metrics_lifecycle ON contact_metrics(lifecycle);"
    "CREATE INDEX contact_metrics_clv_predictive ON contact_metrics(clv_predictive);"
    "CREATE INDEX contact_metrics_p_alive ON contact_metrics(p_alive);"
    "CREATE INDEX contact_metrics_cluster ON contact_metrics(cluster);"
    /* Each stored run: its summary is the JSON `clientele analyze
     * --json` prints, for the Analytics page to show without
     * recomputing. */
    "CREATE TABLE analytics_runs ("
    "  id INTEGER PRIMARY KEY,"
    "  as_of INTEGER NOT NULL,"
    "  computed_at INTEGER NOT NULL,"
    "  summary TEXT NOT NULL"
    ");"
  },
  { 5,
    /* Saved segments (ct-segment.h): a name people pick them by, unique
     * ignoring case like tags and channels, and the rule as the JSON
     * ct_segment_rule_to_string() writes, validated again on every read
     * so that a rule saved by a newer version with a field this one
     * lacks is reported, not misread. */
    "CREATE TABLE segments ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),"
    "  rule TEXT NOT NULL CHECK (json_valid(rule)),"
    "  created_at INTEGER NOT NULL DEFAULT (unixepoch()),"
    "  updated_at INTEGER NOT NULL DEFAULT (unixepoch())"
    ");"
    /* Who bought a product, for the bought_product condition: without
     * it each purchase of the product is read from the table to see
     * whether it was refunded and who made it, seconds for a popular
     * product among a million purchases. Only purchases that count. */
    "CREATE INDEX purchases_product_buyer ON purchases(product_id, contact_id)"
    "  WHERE refunded = 0;"
  },
  { 6,
    /* Sending (ct-outbox.c). Suppressions: addresses no campaign may
     * mail, from the provider's unsubscribes, bounces and complaints or
     * added by hand; kept by address so that they hold for a contact
     * deleted and imported again. */
    "CREATE TABLE suppressions ("
    "  email TEXT PRIMARY KEY COLLATE NOCASE,"
    "  reason TEXT NOT NULL"
    "    CHECK (reason IN ('unsubscribed','bounced','complained','manual')),"
    "  source TEXT NOT NULL DEFAULT '',"
    "  created_at INTEGER NOT NULL DEFAULT (unixepoch())"
    ") WITHOUT ROWID;"
    /* Campaigns: subject and Markdown body with merge fields, the
     * audience as JSON ({"all":true}, {"tag":"name"}, later a segment),
     * and where the sending is. provider is the one that sent the first
     * batch: an idempotency key means nothing to another one. */
    "CREATE TABLE campaigns ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),"
    "  subject TEXT NOT NULL CHECK (length(trim(subject)) > 0),"
    "  body TEXT NOT NULL DEFAULT '',"
    "  from_address TEXT NOT NULL DEFAULT '',"
    "  audience TEXT NOT NULL DEFAULT '{\"all\":true}' CHECK (json_valid(audience)),"
    "  status TEXT NOT NULL DEFAULT 'draft'"
    "    CHECK (status IN ('draft','scheduled','sending','sent','cancelled')),"
    "  scheduled_at INTEGER,"
    "  launched_at INTEGER,"
    "  finished_at INTEGER,"
    "  provider TEXT,"
    "  created_at INTEGER NOT NULL DEFAULT (unixepoch()),"
    "  updated_at INTEGER NOT NULL DEFAULT (unixepoch())"
    ");"
    "CREATE INDEX campaigns_status ON campaigns(status, scheduled_at);"
    /* The outbox: one row per recipient of a launched campaign, written
     * in one transaction at launch. state moves queued -> in_flight
     * (committed before the request goes out) -> sent | rejected |
     * failed (gave up retrying; not sent) | unknown (may have been sent:
     * the user resends or drops it) | dropped. idempotency_key is the
     * row's own opaque token (also the unsubscribe token); batch_key is
     * the key of the request it is in while in flight, and merge the
     * merge values it was rendered with, so that the same request can be
     * repeated byte for byte. Rows go with their contact (erasure). */
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,"
    "  contact_id INTEGER REFERENCES contacts(id) ON DELETE CASCADE,"
    "  email TEXT NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'queued'"
    "    CHECK (state IN ('queued','in_flight','sent','rejected','failed','unknown','dropped')),"
    "  idempotency_key TEXT NOT NULL UNIQUE,"
    "  batch_key TEXT,"
    "  merge TEXT,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_at INTEGER NOT NULL DEFAULT 0,"
    "  claimed_at INTEGER,"
    "  sent_at INTEGER,"
    "  provider_message_id TEXT,"
    "  error TEXT,"
    "  UNIQUE (campaign_id, contact_id)"
    ");"
    /* The next batch: a campaign's queued rows in order, read off the
     * index without sorting. */
    "CREATE INDEX outbox_state ON outbox(campaign_id, state, id);"
    "CREATE INDEX outbox_message ON outbox(provider_message_id) WHERE provider_message_id IS NOT NULL;"
    /* What happened to each sent message, pulled from the provider; one
     * row per kind so that pulling twice counts once. */
    "CREATE TABLE mail_events ("
    "  outbox_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,"
    "  type TEXT NOT NULL"
    "    CHECK (type IN ('delivered','opened','clicked','bounced','complained','unsubscribed')),"
    "  at INTEGER NOT NULL,"
    "  PRIMARY KEY (outbox_id, type)"
    ") WITHOUT ROWID;"
  },
  { 7,
    /* The contacts table again, the same but for how its status is
     * checked: "status IN (...)" of four values makes SQLite build a
     * temporary table for every row it writes, a ninth of a big
     * import's time, while four comparisons joined by OR accept exactly
     * the same values and cost nothing. SQLite cannot change a CHECK in
     * place, so the table is rebuilt the way "Making Other Kinds Of Table
     * Schema Changes" in https://www.sqlite.org/lang_altertable.html
     * says. Foreign keys are off while migrations run (ct_db_open()
     * turns them on after the commit), so dropping the old table deletes
     * nothing from contact_tags, purchases or contact_metrics; the rows
     * keep their ids, which those tables point at by the name contacts.
     * Dropping the table drops its indexes and its own triggers, and
     * renaming one checks every trigger, where the others' UPDATE
     * contacts would name a missing table: so each trigger and index
     * that names contacts is dropped first and made again after, as
     * migration 1 made it.
     *
     * The guard refuses to run when contacts has a column, or the schema
     * a trigger, index or view naming contacts, that this migration does
     * not know (one a later migration added, when migrations are put in
     * another order): it would be lost silently otherwise; and when
     * foreign keys are on, when dropping the old table would delete
     * every purchase and tag link with it. */
    "CREATE TEMP TABLE contacts_rebuild_guard ("
    "  foreign_keys INTEGER CONSTRAINT contacts_rebuild_needs_foreign_keys_off CHECK (foreign_keys = 0),"
    "  n_columns INTEGER CONSTRAINT contacts_rebuild_knows_every_column CHECK (n_columns = 0),"
    "  n_objects INTEGER CONSTRAINT contacts_rebuild_knows_every_trigger_and_index CHECK (n_objects = 0)"
    ");"
    "INSERT INTO contacts_rebuild_guard SELECT"
    "  (SELECT foreign_keys FROM pragma_foreign_keys),"
    "  (SELECT count(*) FROM pragma_table_info('contacts')"
    "   WHERE name NOT IN ('id', 'email', 'first_name', 'last_name', 'phone', 'company',"
    "     'channel_id', 'status', 'consent_at', 'consent_source', 'attributes', 'notes',"
    "     'created_at', 'updated_at', 'purchase_count', 'total_spent', 'first_purchase_at',"
    "     'last_purchase_at', 'search_text')),"
    "  (SELECT count(*) FROM sqlite_schema"
    "   WHERE type IN ('trigger', 'index', 'view') AND sql IS NOT NULL"
    "   AND (tbl_name = 'contacts' OR sql LIKE '%contacts%')"
    "   AND name NOT IN ('contacts_channel', 'contacts_created', 'contacts_name_order',"
    "     'contacts_search_ins', 'contacts_search_upd', 'contact_tags_search_ins',"
    "     'contact_tags_search_del', 'tags_search_upd', 'purchases_stats_ins',"
    "     'purchases_stats_del', 'purchases_stats_upd'));"
    "DROP TABLE contacts_rebuild_guard;"

    "DROP TRIGGER contact_tags_search_ins;"
    "DROP TRIGGER contact_tags_search_del;"
    "DROP TRIGGER tags_search_upd;"
    "DROP TRIGGER purchases_stats_ins;"
    "DROP TRIGGER purchases_stats_del;"
    "DROP TRIGGER purchases_stats_upd;"

    "CREATE TABLE contacts_new ("
    "  id INTEGER PRIMARY KEY,"
    "  email TEXT UNIQUE COLLATE NOCASE,"
    "  first_name TEXT NOT NULL DEFAULT '',"
    "  last_name TEXT NOT NULL DEFAULT '',"
    "  phone TEXT NOT NULL DEFAULT '',"
    "  company TEXT NOT NULL DEFAULT '',"
    "  channel_id INTEGER REFERENCES channels(id) ON DELETE SET NULL,"
    "  status TEXT NOT NULL DEFAULT 'subscribed'"
    "    CHECK (status = 'subscribed' OR status = 'unsubscribed'"
    "           OR status = 'bounced' OR status = 'complained'),"
    "  consent_at INTEGER,"
    "  consent_source TEXT NOT NULL DEFAULT '',"
    "  attributes TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes)),"
    "  notes TEXT NOT NULL DEFAULT '',"
    "  created_at INTEGER NOT NULL DEFAULT (unixepoch()),"
    "  updated_at INTEGER NOT NULL DEFAULT (unixepoch()),"
    "  purchase_count INTEGER NOT NULL DEFAULT 0,"
    "  total_spent INTEGER NOT NULL DEFAULT 0,"
    "  first_purchase_at INTEGER,"
    "  last_purchase_at INTEGER,"
    "  search_text TEXT NOT NULL DEFAULT ''"
    ");"
    "INSERT INTO contacts_new (id, email, first_name, last_name, phone, company, channel_id,"
    "  status, consent_at, consent_source, attributes, notes, created_at, updated_at,"
    "  purchase_count, total_spent, first_purchase_at, last_purchase_at, search_text)"
    "  SELECT id, email, first_name, last_name, phone, company, channel_id,"
    "  status, consent_at, consent_source, attributes, notes, created_at, updated_at,"
    "  purchase_count, total_spent, first_purchase_at, last_purchase_at, search_text"
    "  FROM contacts ORDER BY id;"
    "DROP TABLE contacts;"
    "ALTER TABLE contacts_new RENAME TO contacts;"

    "CREATE INDEX contacts_channel ON contacts(channel_id);"
    "CREATE INDEX contacts_created ON contacts(created_at);"
    "CREATE INDEX contacts_name_order ON contacts ("
    "  coalesce(nullif(last_name || first_name, ''), email, phone) COLLATE NOCASE, id);"

    "CREATE TRIGGER contacts_search_ins AFTER INSERT ON contacts BEGIN"
    "  UPDATE contacts SET search_text = lower("
    "    NEW.last_name || NEW.first_name || ' ' || NEW.first_name || ' ' || NEW.last_name"
    "    || ' ' || coalesce(NEW.email,'') || ' ' || NEW.phone || ' ' || NEW.company)"
    "  WHERE id = NEW.id;"
    "END;"
    "CREATE TRIGGER contacts_search_upd AFTER UPDATE OF first_name, last_name, email, phone, company ON contacts BEGIN"
    "  UPDATE contacts SET search_text = lower("
    "    NEW.last_name || NEW.first_name || ' ' || NEW.first_name || ' ' || NEW.last_name"
    "    || ' ' || coalesce(NEW.email,'') || ' ' || NEW.phone || ' ' || NEW.company"
    "    || coalesce((SELECT ' ' || group_concat(t.name, ' ') FROM contact_tags ct"
    "                 JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = NEW.id), ''))"
    "  WHERE id = NEW.id;"
    "END;"
    "CREATE TRIGGER contact_tags_search_ins AFTER INSERT ON contact_tags BEGIN"
    "  UPDATE contacts SET first_name = first_name WHERE id = NEW.contact_id;"
    "END;"
    "CREATE TRIGGER contact_tags_search_del AFTER DELETE ON contact_tags BEGIN"
    "  UPDATE contacts SET first_name = first_name WHERE id = OLD.contact_id;"
    "END;"
    "CREATE TRIGGER tags_search_upd AFTER UPDATE OF name ON tags BEGIN"
    "  UPDATE contacts SET first_name = first_name"
    "  WHERE id IN (SELECT contact_id FROM contact_tags WHERE tag_id = NEW.id);"
    "END;"
    "CREATE TRIGGER purchases_stats_ins AFTER INSERT ON purchases WHEN NEW.refunded = 0 BEGIN"
    "  UPDATE contacts SET purchase_count = purchase_count + 1,"
    "    total_spent = total_spent + NEW.amount,"
    "    first_purchase_at = min(coalesce(first_purchase_at, NEW.purchased_at), NEW.purchased_at),"
    "    last_purchase_at = max(coalesce(last_purchase_at, NEW.purchased_at), NEW.purchased_at)"
    "  WHERE id = NEW.contact_id;"
    "END;"
    "CREATE TRIGGER purchases_stats_del AFTER DELETE ON purchases BEGIN"
    "  UPDATE contacts SET"
    "    (purchase_count, total_spent, first_purchase_at, last_purchase_at) ="
    "    (SELECT count(*), coalesce(sum(amount), 0), min(purchased_at), max(purchased_at)"
    "     FROM purchases WHERE contact_id = OLD.contact_id AND refunded = 0)"
    "  WHERE id = OLD.contact_id;"
    "END;"
    "CREATE TRIGGER purchases_stats_upd AFTER UPDATE OF contact_id, amount, purchased_at, refunded ON purchases BEGIN"
    "  UPDATE contacts SET"
    "    (purchase_count, total_spent, first_purchase_at, last_purchase_at) ="
    "    (SELECT count(*), coalesce(sum(amount), 0), min(purchased_at), max(purchased_at)"
    "     FROM purchases WHERE contact_id = contacts.id AND refunded = 0)"
    "  WHERE id IN (OLD.contact_id, NEW.contact_id);"
    "END;"
  },
  { 8,
    /* Loyalty (ct-tier.c, ct-points.c, ct-referral.c, ct-feedback.c).
     *
     * loyalty_settings: one row. Tier thresholds and points count
     * purchases in `currency` only (mixing ¥ and $ one for one would be
     * wrong); currency_scale is 10^decimals of it, so that the purchase
     * trigger below can turn minor units into whole units.
     * points_per_unit is in hundredths of a point per whole unit spent
     * (100: one point per ¥1); expiry_days 0 = points never expire. */
    "CREATE TABLE loyalty_settings ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  currency TEXT NOT NULL DEFAULT 'CNY' CHECK (length(currency) = 3),"
    "  currency_scale INTEGER NOT NULL DEFAULT 100 CHECK (currency_scale > 0),"
    "  grace_days INTEGER NOT NULL DEFAULT 30 CHECK (grace_days BETWEEN 0 AND 3650),"
    "  points_per_unit INTEGER NOT NULL DEFAULT 100 CHECK (points_per_unit BETWEEN 0 AND 10000),"
    "  expiry_days INTEGER NOT NULL DEFAULT 0 CHECK (expiry_days BETWEEN 0 AND 36500),"
    "  checkin_points INTEGER NOT NULL DEFAULT 5 CHECK (checkin_points >= 0),"
    "  referral_points INTEGER NOT NULL DEFAULT 100 CHECK (referral_points >= 0),"
    "  review_points INTEGER NOT NULL DEFAULT 20 CHECK (review_points >= 0),"
    "  survey_points INTEGER NOT NULL DEFAULT 20 CHECK (survey_points >= 0)"
    ");"
    "INSERT INTO loyalty_settings (id) VALUES (1);"

    /* Tiers, level 0 (everyone) up to at most level 4. builtin names a
     * default tier whose name the user has not changed, so that it is
     * shown in the language of the app ("Gold", 金卡); NULL once
     * renamed. min_spend: minor units spent in the trailing 12 months;
     * min_purchases: purchases in the same months, NULL for none.
     * points_multiplier in hundredths (150 = ×1.5). */
    "CREATE TABLE tiers ("
    "  level INTEGER PRIMARY KEY CHECK (level BETWEEN 0 AND 4),"
    "  name TEXT NOT NULL CHECK (length(trim(name)) > 0),"
    "  builtin TEXT,"
    "  min_spend INTEGER NOT NULL CHECK (min_spend >= 0),"
    "  min_purchases INTEGER CHECK (min_purchases IS NULL OR min_purchases > 0),"
    "  discount_percent REAL NOT NULL DEFAULT 0 CHECK (discount_percent BETWEEN 0 AND 100),"
    "  points_multiplier INTEGER NOT NULL DEFAULT 100 CHECK (points_multiplier BETWEEN 0 AND 10000),"
    "  perks TEXT NOT NULL DEFAULT ''"
    ");"
    "INSERT INTO tiers (level, name, builtin, min_spend, discount_percent, points_multiplier) VALUES"
    "  (0, 'Member', 'member', 0, 0, 100),"
    "  (1, 'Silver', 'silver', 100000, 5, 120),"
    "  (2, 'Gold', 'gold', 500000, 10, 150),"
    "  (3, 'Diamond', 'diamond', 2000000, 15, 200);"

    /* Each contact's place: tier_level NULL until the first placement;
     * below_since is when the contact was first seen below its tier's
     * thresholds, the start of the grace before a downgrade. points is
     * the balance, the sum of the contact's ledger, kept by triggers so
     * that lists, segments and merge fields read one row. */
    "CREATE TABLE contact_loyalty ("
    "  contact_id INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,"
    "  tier_level INTEGER,"
    "  tier_since INTEGER,"
    "  below_since INTEGER,"
    "  points INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX contact_loyalty_tier ON contact_loyalty(tier_level);"
    "CREATE INDEX contact_loyalty_points ON contact_loyalty(points);"

    /* Every placement and tier change, never rewritten: the tier
     * history, and the tier-change events automations read (by id,
     * which only grows). from_level NULL: the first placement. */
    "CREATE TABLE tier_history ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
    "  from_level INTEGER,"
    "  to_level INTEGER NOT NULL,"
    "  changed_at INTEGER NOT NULL,"
    "  reason TEXT NOT NULL CHECK (reason IN ('placed','upgrade','downgrade'))"
    ");"
    "CREATE INDEX tier_history_contact ON tier_history(contact_id, changed_at);"
    "CREATE INDEX tier_history_time ON tier_history(changed_at);"

    /* The points ledger: one row per change of a balance. Earnings may
     * carry expires_at; an 'expired' row writes off what was left of the
     * earning lot_id when it expired, and expiry_settled marks an
     * earning whose expiry has been written (or found used up). */
    "CREATE TABLE points_ledger ("
    "  id INTEGER PRIMARY KEY,"
    "  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
    "  points INTEGER NOT NULL CHECK (points <> 0),"
    "  kind TEXT NOT NULL CHECK (kind IN ('purchase','refund','manual','checkin',"
    "    'referral','review','survey','redeem','expired')),"
    "  reason TEXT NOT NULL DEFAULT '',"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER,"
    "  expiry_settled INTEGER NOT NULL DEFAULT 0,"
    "  purchase_id INTEGER REFERENCES purchases(id) ON DELETE CASCADE,"
    "  referred_id INTEGER REFERENCES contacts(id) ON DELETE SET NULL,"
    "  lot_id INTEGER REFERENCES points_ledger(id) ON DELETE CASCADE"
    ");"
    "CREATE INDEX points_ledger_contact ON points_ledger(contact_id, created_at);"
    "CREATE INDEX points_ledger_purchase ON points_ledger(purchase_id) WHERE purchase_id IS NOT NULL;"
    "CREATE INDEX points_ledger_referred ON points_ledger(referred_id) WHERE referred_id IS NOT NULL;"
    "CREATE INDEX points_ledger_lot ON points_ledger(lot_id) WHERE lot_id IS NOT NULL;"
    "CREATE INDEX points_ledger_expiring ON points_ledger(expires_at)"
    "  WHERE expires_at IS NOT NULL AND expiry_settled = 0;"

    /* balance upkeep */
    "CREATE TRIGGER points_ledger_ins AFTER INSERT ON points_ledger BEGIN"
    "  INSERT INTO contact_loyalty (contact_id, points) VALUES (NEW.contact_id, NEW.points)"
    "  ON CONFLICT (contact_id) DO UPDATE SET points = points + excluded.points;"
    "END;"
    "CREATE TRIGGER points_ledger_del AFTER DELETE ON points_ledger BEGIN"
    "  UPDATE contact_loyalty SET points = points - OLD.points WHERE contact_id = OLD.contact_id;"
    "END;"
    "CREATE TRIGGER points_ledger_move AFTER UPDATE OF contact_id, points ON points_ledger BEGIN"
    "  UPDATE contact_loyalty SET points = points - OLD.points WHERE contact_id = OLD.contact_id;"
    "  INSERT INTO contact_loyalty (contact_id, points) VALUES (NEW.contact_id, NEW.points)"
    "  ON CONFLICT (contact_id) DO UPDATE SET points = points + excluded.points;"
    "END;"

    /* Points earned on a purchase, in whatever way the purchase was
     * written (the app, an import, the demo): whole units of the
     * loyalty currency × the buyer's tier multiplier × points_per_unit,
     * rounded down, at the tier the buyer had when buying. A refund
     * takes back what the purchase earned; undoing the refund gives it
     * again. A deleted purchase takes its rows with it (ON DELETE
     * CASCADE). */
    "CREATE TRIGGER purchases_points_ins AFTER INSERT ON purchases"
    "  WHEN NEW.refunded = 0 AND NEW.contact_id IS NOT NULL AND NEW.amount > 0 BEGIN"
    "  INSERT INTO points_ledger (contact_id, points, kind, created_at, expires_at, purchase_id)"
    "  SELECT NEW.contact_id, e.pts, 'purchase', NEW.purchased_at,"
    "    CASE WHEN e.expiry_days > 0 THEN NEW.purchased_at + e.expiry_days * 86400 END, NEW.id"
    "  FROM (SELECT s.expiry_days,"
    "          NEW.amount * s.points_per_unit"
    "          * coalesce((SELECT t.points_multiplier FROM contact_loyalty l"
    "                      JOIN tiers t ON t.level = l.tier_level"
    "                      WHERE l.contact_id = NEW.contact_id),"
    "                     (SELECT t.points_multiplier FROM tiers t WHERE t.level = 0), 100)"
    "          / (10000 * s.currency_scale) AS pts"
    "        FROM loyalty_settings s WHERE s.currency = NEW.currency) e"
    "  WHERE e.pts > 0;"
    "END;"
    "CREATE TRIGGER purchases_points_refund AFTER UPDATE OF refunded ON purchases"
    "  WHEN NEW.refunded = 1 AND OLD.refunded = 0 BEGIN"
    "  INSERT INTO points_ledger (contact_id, points, kind, created_at, purchase_id)"
    "  SELECT contact_id, -sum(points), 'refund', unixepoch(), NEW.id"
    "  FROM points_ledger WHERE purchase_id = NEW.id AND kind IN ('purchase','refund')"
    "  GROUP BY contact_id HAVING sum(points) > 0;"
    "END;"
    "CREATE TRIGGER purchases_points_unrefund AFTER UPDATE OF refunded ON purchases"
    "  WHEN NEW.refunded = 0 AND OLD.refunded = 1 BEGIN"
    "  INSERT INTO points_ledger (contact_id, points, kind, created_at, purchase_id)"
    "  SELECT contact_id, -points, 'purchase', unixepoch(), NEW.id"
    "  FROM points_ledger WHERE purchase_id = NEW.id AND kind = 'refund'"
    "  ORDER BY id DESC LIMIT 1;"
    "END;"
    /* A purchase moved to another contact (merging two contacts) takes
     * its points along. */
    "CREATE TRIGGER purchases_points_move AFTER UPDATE OF contact_id ON purchases"
    "  WHEN NEW.contact_id IS NOT NULL AND NEW.contact_id IS NOT OLD.contact_id BEGIN"
    "  UPDATE points_ledger SET contact_id = NEW.contact_id WHERE purchase_id = NEW.id;"
    "END;"

    /* Who referred whom: one referrer per contact. */
    "CREATE TABLE referrals ("
    "  referred_id INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,"
    "  referrer_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
    "  source TEXT NOT NULL DEFAULT 'manual' CHECK (source IN ('manual','import')),"
    "  created_at INTEGER NOT NULL DEFAULT (unixepoch()),"
    "  CHECK (referrer_id <> referred_id)"
    ");"
    "CREATE INDEX referrals_referrer ON referrals(referrer_id);"

    /* Feedback: a 1-5 rating or a 0-10 NPS answer. */
    "CREATE TABLE feedback ("
    "  id INTEGER PRIMARY KEY,"
    "  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
    "  category TEXT NOT NULL CHECK (category IN ('product','service','emotional')),"
    "  scale TEXT NOT NULL CHECK (scale IN ('rating','nps')),"
    "  score INTEGER NOT NULL CHECK ((scale = 'rating' AND score BETWEEN 1 AND 5)"
    "                             OR (scale = 'nps' AND score BETWEEN 0 AND 10)),"
    "  text TEXT NOT NULL DEFAULT '',"
    "  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','resolved')),"
    "  created_at INTEGER NOT NULL,"
    "  resolved_at INTEGER"
    ");"
    "CREATE INDEX feedback_time ON feedback(created_at);"
    "CREATE INDEX feedback_contact ON feedback(contact_id, created_at);"
  },
  { 9,
    /* Automations (ct-automation.c): a trigger with its parameter
     * (product_id for purchase, days for no_purchase, threshold for
     * churn_risk), optional conditions as a segment rule, a delay and
     * the email. The enabled_* marks are what existed when it was
     * enabled, so that new-contact and purchase triggers never fire for
     * the base that was already there. */
    "CREATE TABLE automations ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),"
    "  trigger TEXT NOT NULL CHECK (trigger IN"
    "    ('new_contact','purchase','no_purchase','churn_risk','tier_change','birthday')),"
    "  product_id INTEGER REFERENCES products(id) ON DELETE CASCADE,"
    "  days INTEGER NOT NULL DEFAULT 0 CHECK (days >= 0),"
    "  threshold REAL NOT NULL DEFAULT 0 CHECK (threshold >= 0 AND threshold <= 1),"
    "  rule TEXT CHECK (rule IS NULL OR json_valid(rule)),"
    "  delay_hours INTEGER NOT NULL DEFAULT 0 CHECK (delay_hours >= 0),"
    "  subject TEXT NOT NULL CHECK (length(trim(subject)) > 0),"
    "  body TEXT NOT NULL DEFAULT '',"
    "  enabled INTEGER NOT NULL DEFAULT 0,"
    "  enabled_at INTEGER,"
    "  enabled_contact_id INTEGER NOT NULL DEFAULT 0,"
    "  enabled_purchase_id INTEGER NOT NULL DEFAULT 0,"
    "  enabled_tier_id INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL DEFAULT (unixepoch()),"
    "  updated_at INTEGER NOT NULL DEFAULT (unixepoch())"
    ");"
    /* What fired: one row per automation, contact and triggering event
     * (event_key: "new", "purchase:ID", "lapse:TIME", "churn:TIME",
     * "tier:ID", "birthday:YEAR"). The UNIQUE constraint is what makes an
     * automation fire once per contact and event across restarts and
     * concurrent runs. pending until due_at, then queued in the outbox
     * or skipped with the reason. */
    "CREATE TABLE automation_firings ("
    "  id INTEGER PRIMARY KEY,"
    "  automation_id INTEGER NOT NULL REFERENCES automations(id) ON DELETE CASCADE,"
    "  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
    "  event_key TEXT NOT NULL,"
    "  event_at INTEGER,"
    "  fired_at INTEGER NOT NULL DEFAULT (unixepoch()),"
    "  due_at INTEGER NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','queued','skipped')),"
    "  reason TEXT,"
    "  outbox_id INTEGER REFERENCES outbox(id) ON DELETE SET NULL,"
    "  UNIQUE (automation_id, contact_id, event_key)"
    ");"
    "CREATE INDEX automation_firings_due ON automation_firings(state, due_at);"
    "CREATE INDEX automation_firings_history ON automation_firings(automation_id, fired_at);"
    /* An automation's mail goes out through campaigns of its own (one
     * more each time a contact is mailed again by it, because the outbox
     * holds one row per campaign and contact); lists of campaigns leave
     * out those with an automation_id. */
    "ALTER TABLE campaigns ADD COLUMN automation_id INTEGER REFERENCES automations(id) ON DELETE CASCADE;"
    "CREATE INDEX campaigns_automation ON campaigns(automation_id) WHERE automation_id IS NOT NULL;"
    /* A/B tests of subject lines (ct-abtest.c): the campaign sends
     * subject A, variant_id subject B, each to share/2 of the audience;
     * the rest waits in ab_holdout until decide_at, then gets the
     * winner's subject. */
    "CREATE TABLE ab_tests ("
    "  campaign_id INTEGER PRIMARY KEY REFERENCES campaigns(id) ON DELETE CASCADE,"
    "  variant_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,"
    "  share REAL NOT NULL CHECK (share > 0 AND share <= 1),"
    "  metric TEXT NOT NULL CHECK (metric IN ('opens','clicks')),"
    "  wait_hours INTEGER NOT NULL CHECK (wait_hours >= 0),"
    "  state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft','testing','decided')),"
    "  decide_at INTEGER,"
    "  winner_id INTEGER REFERENCES campaigns(id) ON DELETE SET NULL,"
    "  a_rate REAL,"
    "  b_rate REAL"
    ");"
    "CREATE TABLE ab_holdout ("
    "  campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,"
    "  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
    "  PRIMARY KEY (campaign_id, contact_id)"
    ") WITHOUT ROWID;"
  },
  { 10,
    /* Pausing a campaign being sent (ct-campaign-results.c): the sender
     * skips a campaign with paused_at set; resuming clears it. Kept
     * apart from status so that a paused campaign is still "sending" to
     * everything that reads status. */
    "ALTER TABLE campaigns ADD COLUMN paused_at INTEGER;"
  },
  { 11,
    /* The preheader: the line of preview text inbox apps show after the
     * subject, put at the top of the HTML body in a hidden span. NULL or
     * empty: none. An automation's campaigns copy it from the
     * automation, as they copy its subject and body. */
    "ALTER TABLE campaigns ADD COLUMN preheader TEXT;"
    "ALTER TABLE automations ADD COLUMN preheader TEXT;"
  },
  { 12,
    /* The suppression list page (ct-suppression.c): addresses imported
     * from a file are told apart from those added one by one, and one
     * added by hand carries the owner's own words for why ("asked by
     * phone"). SQLite cannot change a CHECK in place, so the table is
     * made again and its rows copied; nothing else (no trigger, index
     * or view) names it. The index lists the newest first without
     * sorting every row. */
    "CREATE TABLE suppressions_new ("
    "  email TEXT PRIMARY KEY COLLATE NOCASE,"
    "  reason TEXT NOT NULL"
    "    CHECK (reason IN ('unsubscribed','bounced','complained','manual','imported')),"
    "  source TEXT NOT NULL DEFAULT '',"
    "  created_at INTEGER NOT NULL DEFAULT (unixepoch()),"
    "  note TEXT NOT NULL DEFAULT ''"
    ") WITHOUT ROWID;"
    "INSERT INTO suppressions_new (email, reason, source, created_at)"
    "  SELECT email, reason, source, created_at FROM suppressions;"
    "DROP TABLE suppressions;"
    "ALTER TABLE suppressions_new RENAME TO suppressions;"
    "CREATE INDEX suppressions_created ON suppressions(created_at DESC, email);"
  },
  { 13,
    /* Summaries for the dashboard and the report (ct-rollup.c), so that
     * they read a few thousand rows instead of a million purchases.
     *
     * Sales: orders and revenue of the purchases not refunded per UTC
     * hour and per UTC day (the Unix time of its start), currency and
     * product (0: none), kept by triggers like the products' figures.
     * A local day or month is put together from whole UTC days, the
     * hours at its edges and, for time zones a fraction of an hour off
     * UTC, the purchases of the minutes left. Rows whose orders went
     * back to 0 stay, and add nothing. */
    "CREATE TABLE sales_hours ("
    "  currency TEXT NOT NULL,"
    "  hour INTEGER NOT NULL,"
    "  product_id INTEGER NOT NULL,"
    "  orders INTEGER NOT NULL,"
    "  revenue INTEGER NOT NULL,"
    "  PRIMARY KEY (currency, hour, product_id)"
    ") WITHOUT ROWID;"
    "CREATE TABLE sales_days ("
    "  currency TEXT NOT NULL,"
    "  day INTEGER NOT NULL,"
    "  product_id INTEGER NOT NULL,"
    "  orders INTEGER NOT NULL,"
    "  revenue INTEGER NOT NULL,"
    "  PRIMARY KEY (currency, day, product_id)"
    ") WITHOUT ROWID;"
    "INSERT INTO sales_hours (currency, hour, product_id, orders, revenue)"
    "  SELECT currency, purchased_at - ((purchased_at % 3600) + 3600) % 3600,"
    "    coalesce(product_id, 0), count(*), sum(amount)"
    "  FROM purchases WHERE refunded = 0 GROUP BY 1, 2, 3;"
    "INSERT INTO sales_days (currency, day, product_id, orders, revenue)"
    "  SELECT currency, hour - ((hour % 86400) + 86400) % 86400, product_id, sum(orders), sum(revenue)"
    "  FROM sales_hours GROUP BY 1, 2, 3;"

    /* Customers: per contact with a purchase not refunded, the times of
     * its first, second and fifth (CT_FUNNEL_DEFAULT_LOYAL_PURCHASES)
     * such purchase, its channel, and its first-purchase month (cohort)
     * and the months it bought in, as JSON, both as year × 12 + month − 1
     * in the time zone named by the setting rollup.zone. cohort_buyers
     * adds those months up per cohort: the retention table.
     *
     * Working out months needs the time zone, which SQL does not have,
     * so these rows are written by ct_rollup_refresh() in C. A change
     * to a contact's purchases or channel only lists the contact in
     * rollup_dirty: its stored row (and its share of cohort_buyers) is
     * then out of date, and the readers take it out and work the listed
     * contacts out from their purchases until the next refresh replaces
     * it. Listing is all an import of a million purchases pays.
     *
     * The triggers check for a row before inserting rather than INSERT
     * OR IGNORE: the importer's INSERT OR ROLLBACK would replace their
     * IGNORE and fail on a customer listed already. */
    "CREATE TABLE contact_rollup ("
    "  contact_id INTEGER PRIMARY KEY,"
    "  channel_id INTEGER,"
    "  first_at INTEGER NOT NULL,"
    "  second_at INTEGER,"
    "  loyal_at INTEGER,"
    "  cohort INTEGER NOT NULL,"
    "  months TEXT NOT NULL CHECK (json_valid(months))"
    ");"
    "CREATE INDEX contact_rollup_first ON contact_rollup(first_at, channel_id);"
    "CREATE INDEX contact_rollup_second ON contact_rollup(second_at) WHERE second_at IS NOT NULL;"
    "CREATE INDEX contact_rollup_loyal ON contact_rollup(loyal_at) WHERE loyal_at IS NOT NULL;"
    "CREATE TABLE cohort_buyers ("
    "  cohort INTEGER NOT NULL,"
    "  month INTEGER NOT NULL,"
    "  buyers INTEGER NOT NULL,"
    "  PRIMARY KEY (cohort, month)"
    ") WITHOUT ROWID;"
    "CREATE TABLE rollup_dirty ("
    "  contact_id INTEGER PRIMARY KEY"
    ");"
    /* Every customer waits for its first refresh. */
    "INSERT INTO rollup_dirty (contact_id)"
    "  SELECT DISTINCT contact_id FROM purchases WHERE contact_id IS NOT NULL;"

    /* A row leaves with its share of the cohorts, whoever deletes it:
     * the refresh replacing it, or erasing the contact (ct-privacy.c
     * clears every table with a contact_id). */
    "CREATE TRIGGER contact_rollup_del AFTER DELETE ON contact_rollup BEGIN"
    "  UPDATE cohort_buyers SET buyers = buyers - 1"
    "  WHERE cohort = OLD.cohort AND month IN (SELECT value FROM json_each(OLD.months));"
    "END;"
    "CREATE TRIGGER contacts_rollup_channel AFTER UPDATE OF channel_id ON contacts"
    "  WHEN NEW.channel_id IS NOT OLD.channel_id BEGIN"
    "  INSERT INTO rollup_dirty (contact_id) SELECT NEW.id"
    "  WHERE NOT EXISTS (SELECT 1 FROM rollup_dirty WHERE contact_id = NEW.id);"
    "END;"

    /* The rest of what the dashboard reads, from indexes rather than
     * every row: the funnel's contacts a campaign can reach; the
     * analysis cache's revenue per RFM segment (replacing the index on
     * the segment alone, which SQLite would pick instead) and its sample
     * of customers for the clusters' chart (ct-dashboard.c). */
    "CREATE INDEX contacts_reachable ON contacts(status, email) WHERE email IS NOT NULL AND email != '';"
    "DROP INDEX contact_metrics_rfm_segment;"
    "CREATE INDEX contact_metrics_segment_value ON contact_metrics(rfm_segment, monetary);"
    "CREATE INDEX contact_metrics_cluster_points ON contact_metrics(contact_id, recency_days, monetary, cluster)"
    "  WHERE cluster IS NOT NULL AND recency_days IS NOT NULL;"

    "CREATE TRIGGER purchases_rollup_ins AFTER INSERT ON purchases WHEN NEW.refunded = 0 BEGIN"
    "  INSERT INTO sales_hours (currency, hour, product_id, orders, revenue)"
    "  VALUES (NEW.currency, NEW.purchased_at - ((NEW.purchased_at % 3600) + 3600) % 3600,"
    "    coalesce(NEW.product_id, 0), 1, NEW.amount)"
    "  ON CONFLICT DO UPDATE SET orders = orders + 1, revenue = revenue + excluded.revenue;"
    "  INSERT INTO sales_days (currency, day, product_id, orders, revenue)"
    "  VALUES (NEW.currency, NEW.purchased_at - ((NEW.purchased_at % 86400) + 86400) % 86400,"
    "    coalesce(NEW.product_id, 0), 1, NEW.amount)"
    "  ON CONFLICT DO UPDATE SET orders = orders + 1, revenue = revenue + excluded.revenue;"
    "  INSERT INTO rollup_dirty (contact_id) SELECT NEW.contact_id WHERE NEW.contact_id IS NOT NULL"
    "  AND NOT EXISTS (SELECT 1 FROM rollup_dirty WHERE contact_id = NEW.contact_id);"
    "END;"
    "CREATE TRIGGER purchases_rollup_del AFTER DELETE ON purchases WHEN OLD.refunded = 0 BEGIN"
    "  UPDATE sales_hours SET orders = orders - 1, revenue = revenue - OLD.amount"
    "  WHERE currency = OLD.currency"
    "  AND hour = OLD.purchased_at - ((OLD.purchased_at % 3600) + 3600) % 3600"
    "  AND product_id = coalesce(OLD.product_id, 0);"
    "  UPDATE sales_days SET orders = orders - 1, revenue = revenue - OLD.amount"
    "  WHERE currency = OLD.currency"
    "  AND day = OLD.purchased_at - ((OLD.purchased_at % 86400) + 86400) % 86400"
    "  AND product_id = coalesce(OLD.product_id, 0);"
    "  INSERT INTO rollup_dirty (contact_id) SELECT OLD.contact_id WHERE OLD.contact_id IS NOT NULL"
    "  AND NOT EXISTS (SELECT 1 FROM rollup_dirty WHERE contact_id = OLD.contact_id);"
    "END;"
    "CREATE TRIGGER purchases_rollup_upd"
    "  AFTER UPDATE OF contact_id, product_id, amount, currency, purchased_at, refunded ON purchases BEGIN"
    "  UPDATE sales_hours SET orders = orders - 1, revenue = revenue - OLD.amount"
    "  WHERE OLD.refunded = 0 AND currency = OLD.currency"
    "  AND hour = OLD.purchased_at - ((OLD.purchased_at % 3600) + 3600) % 3600"
    "  AND product_id = coalesce(OLD.product_id, 0);"
    "  UPDATE sales_days SET orders = orders - 1, revenue = revenue - OLD.amount"
    "  WHERE OLD.refunded = 0 AND currency = OLD.currency"
    "  AND day = OLD.purchased_at - ((OLD.purchased_at % 86400) + 86400) % 86400"
    "  AND product_id = coalesce(OLD.product_id, 0);"
    "  INSERT INTO sales_hours (currency, hour, product_id, orders, revenue)"
    "  SELECT NEW.currency, NEW.purchased_at - ((NEW.purchased_at % 3600) + 3600) % 3600,"
    "    coalesce(NEW.product_id, 0), 1, NEW.amount WHERE NEW.refunded = 0"
    "  ON CONFLICT DO UPDATE SET orders = orders + 1, revenue = revenue + excluded.revenue;"
    "  INSERT INTO sales_days (currency, day, product_id, orders, revenue)"
    "  SELECT NEW.currency, NEW.purchased_at - ((NEW.purchased_at % 86400) + 86400) % 86400,"
    "    coalesce(NEW.product_id, 0), 1, NEW.amount WHERE NEW.refunded = 0"
    "  ON CONFLICT DO UPDATE SET orders = orders + 1, revenue = revenue + excluded.revenue;"
    "  INSERT INTO rollup_dirty (contact_id) SELECT OLD.contact_id WHERE OLD.contact_id IS NOT NULL"
    "  AND NOT EXISTS (SELECT 1 FROM rollup_dirty WHERE contact_id = OLD.contact_id)"
    "  AND (OLD.contact_id IS NOT NEW.contact_id OR OLD.purchased_at != NEW.purchased_at"
    "       OR OLD.refunded != NEW.refunded);"
    "  INSERT INTO rollup_dirty (contact_id) SELECT NEW.contact_id WHERE NEW.contact_id IS NOT NULL"
    "  AND NOT EXISTS (SELECT 1 FROM rollup_dirty WHERE contact_id = NEW.contact_id)"
    "  AND (OLD.contact_id IS NOT NEW.contact_id OR OLD.purchased_at != NEW.purchased_at"
    "       OR OLD.refunded != NEW.refunded);"
    "END;"
  },
  { 14,
    /* Who bought which product, one row per product and buyer with the
     * number of their purchases of it that count (not refunded), for
     * the segments' bought_product condition. It replaces the partial
     * index purchases_product_buyer, which had a row per purchase: a
     * popular course's buyers are read in half the rows, and the live
     * count of a rule naming one spends most of its time putting them
     * in a list (ct-segment.c). Kept by triggers; an import puts the
     * insert trigger off and adds its purchases at the end
     * (ct_rollup_add_purchases()). A row goes when its count reaches 0,
     * so every row is a buyer. */
    "CREATE TABLE product_buyers ("
    "  product_id INTEGER NOT NULL,"
    "  contact_id INTEGER NOT NULL,"
    "  purchases INTEGER NOT NULL CHECK (purchases > 0),"
    "  PRIMARY KEY (product_id, contact_id)"
    ") WITHOUT ROWID;"
    "INSERT INTO product_buyers (product_id, contact_id, purchases)"
    "  SELECT product_id, contact_id, count(*) FROM purchases"
    "  WHERE refunded = 0 AND product_id IS NOT NULL AND contact_id IS NOT NULL"
    "  GROUP BY product_id, contact_id;"
    "DROP INDEX purchases_product_buyer;"
    "CREATE TRIGGER purchases_buyers_ins AFTER INSERT ON purchases"
    "  WHEN NEW.refunded = 0 AND NEW.product_id IS NOT NULL AND NEW.contact_id IS NOT NULL BEGIN"
    "  INSERT INTO product_buyers (product_id, contact_id, purchases)"
    "  VALUES (NEW.product_id, NEW.contact_id, 1)"
    "  ON CONFLICT DO UPDATE SET purchases = purchases + 1;"
    "END;"
    "CREATE TRIGGER purchases_buyers_del AFTER DELETE ON purchases"
    "  WHEN OLD.refunded = 0 AND OLD.product_id IS NOT NULL AND OLD.contact_id IS NOT NULL BEGIN"
    "  DELETE FROM product_buyers"
    "  WHERE product_id = OLD.product_id AND contact_id = OLD.contact_id AND purchases = 1;"
    "  UPDATE product_buyers SET purchases = purchases - 1"
    "  WHERE product_id = OLD.product_id AND contact_id = OLD.contact_id;"
    "END;"
    /* Erasing a contact or deleting a product sets the purchases'
     * column to NULL, which comes here too. */
    "CREATE TRIGGER purchases_buyers_upd AFTER UPDATE OF product_id, contact_id, refunded ON purchases"
    "  WHEN OLD.product_id IS NOT NEW.product_id OR OLD.contact_id IS NOT NEW.contact_id"
    "    OR OLD.refunded IS NOT NEW.refunded BEGIN"
    "  DELETE FROM product_buyers"
    "  WHERE OLD.refunded = 0 AND product_id = OLD.product_id AND contact_id = OLD.contact_id"
    "  AND purchases = 1;"
    "  UPDATE product_buyers SET purchases = purchases - 1"
    "  WHERE OLD.refunded = 0 AND product_id = OLD.product_id AND contact_id = OLD.contact_id;"
    "  INSERT INTO product_buyers (product_id, contact_id, purchases)"
    "  SELECT NEW.product_id, NEW.contact_id, 1"
    "  WHERE NEW.refunded = 0 AND NEW.product_id IS NOT NULL AND NEW.contact_id IS NOT NULL"
    "  ON CONFLICT DO UPDATE SET purchases = purchases + 1;"
    "END;"
  },
  { 15,
    /* The outbox again, for the speed of sending (ct-outbox.c): its
     * state CHECK said "state IN (seven names)", and SQLite checks an
     * IN list of more than two constants in a CHECK by building a
     * temporary table of the names for every row it writes, which was
     * a third of the work of claiming and recording a batch. The same
     * CHECK written as comparisons joined by OR accepts the same
     * states (contacts.status is written so since migration 7). SQLite
     * cannot change a CHECK in place, so the table is made again and
     * its rows copied with their ids, which mail_events and
     * automation_firings point at by the name outbox (foreign keys are
     * off while migrating: dropping the old table deletes nothing).
     *
     * Its index on (campaign_id, state, id) moved every row twice as it
     * went queued -> in_flight -> sent, two seeks each. Two partial
     * indexes take its place: the queued rows of a campaign in order
     * (the next batch) and the rows in flight (reconciled after a
     * kill); a row sent or given up leaves them and is in neither.
     * Counting a campaign's rows by state reads its rows through the
     * (campaign_id, contact_id) index instead.
     *
     * The guard refuses to run when outbox has a column, or the schema
     * a trigger, index or view naming it, that this migration does not
     * know (one a later migration added, when migrations are put in
     * another order): it would be lost silently otherwise. */
    "CREATE TEMP TABLE outbox_rebuild_guard ("
    "  foreign_keys INTEGER CONSTRAINT outbox_rebuild_needs_foreign_keys_off CHECK (foreign_keys = 0),"
    "  n_columns INTEGER CONSTRAINT outbox_rebuild_knows_every_column CHECK (n_columns = 0),"
    "  n_objects INTEGER CONSTRAINT outbox_rebuild_knows_every_trigger_and_index CHECK (n_objects = 0)"
    ");"
    "INSERT INTO outbox_rebuild_guard SELECT"
    "  (SELECT foreign_keys FROM pragma_foreign_keys),"
    "  (SELECT count(*) FROM pragma_table_info('outbox')"
    "   WHERE name NOT IN ('id', 'campaign_id', 'contact_id', 'email', 'state',"
    "     'idempotency_key', 'batch_key', 'merge', 'attempts', 'next_attempt_at',"
    "     'claimed_at', 'sent_at', 'provider_message_id', 'error')),"
    "  (SELECT count(*) FROM sqlite_schema"
    "   WHERE type IN ('trigger', 'index', 'view') AND sql IS NOT NULL"
    "   AND (tbl_name = 'outbox' OR sql LIKE '%outbox%')"
    "   AND name NOT IN ('outbox_state', 'outbox_message'));"
    "DROP TABLE outbox_rebuild_guard;"

    "CREATE TABLE outbox_new ("
    "  id INTEGER PRIMARY KEY,"
    "  campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,"
    "  contact_id INTEGER REFERENCES contacts(id) ON DELETE CASCADE,"
    "  email TEXT NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'queued'"
    "    CHECK (state = 'queued' OR state = 'in_flight' OR state = 'sent'"
    "           OR state = 'rejected' OR state = 'failed' OR state = 'unknown'"
    "           OR state = 'dropped'),"
    "  idempotency_key TEXT NOT NULL UNIQUE,"
    "  batch_key TEXT,"
    "  merge TEXT,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_at INTEGER NOT NULL DEFAULT 0,"
    "  claimed_at INTEGER,"
    "  sent_at INTEGER,"
    "  provider_message_id TEXT,"
    "  error TEXT,"
    "  UNIQUE (campaign_id, contact_id)"
    ");"
    "INSERT INTO outbox_new (id, campaign_id, contact_id, email, state, idempotency_key,"
    "  batch_key, merge, attempts, next_attempt_at, claimed_at, sent_at,"
    "  provider_message_id, error)"
    "  SELECT id, campaign_id, contact_id, email, state, idempotency_key,"
    "  batch_key, merge, attempts, next_attempt_at, claimed_at, sent_at,"
    "  provider_message_id, error"
    "  FROM outbox ORDER BY id;"
    "DROP TABLE outbox;"
    "ALTER TABLE outbox_new RENAME TO outbox;"
    "CREATE INDEX outbox_queued ON outbox(campaign_id, id) WHERE state = 'queued';"
    "CREATE INDEX outbox_in_flight ON outbox(campaign_id, id) WHERE state = 'in_flight';"
    "CREATE INDEX outbox_message ON outbox(provider_message_id) WHERE provider_message_id IS NOT NULL;"
  },
};

const CtDbMigration *
ct_db_schema_get_migrations (guint *n_migrations)
{
  *n_migrations = G_N_ELEMENTS (migrations);
  return migrations;
}
