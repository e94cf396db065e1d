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
    /* Pausing a campaign being sent (ct-campaign-results.c): the sender
     * skips a campaign with paused_at set; resuming clears it. Kept
     * apart from status so that a paused campaign is still "sending" to
     * everything that reads status. */
    "ALTER TABLE campaigns ADD COLUMN paused_at INTEGER;"
  },
};

const CtDbMigration *
ct_db_schema_get_migrations (guint *n_migrations)
{
  *n_migrations = G_N_ELEMENTS (migrations);
  return migrations;
}
