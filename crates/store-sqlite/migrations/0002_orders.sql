-- Paired with the other backend's 0002_orders.sql; identical here.
-- Orders as Allegro returns them (data = the checkout form's JSON), with the columns the
-- back-office filters on. One row per (account, checkout form): upserts never duplicate an order.
CREATE TABLE orders (
    id                 TEXT NOT NULL,
    organisation_id    TEXT NOT NULL REFERENCES organisations(id),
    account_id         TEXT NOT NULL REFERENCES accounts(id),
    status             TEXT NOT NULL,
    fulfillment_status TEXT,
    marketplace        TEXT,
    buyer_login        TEXT NOT NULL,
    bought_at_ms       BIGINT NOT NULL,
    revision           TEXT,
    total_minor        BIGINT,
    currency           TEXT NOT NULL,
    data               TEXT NOT NULL,
    first_seen_at_ms   BIGINT NOT NULL,
    synced_at_ms       BIGINT NOT NULL,
    PRIMARY KEY (account_id, id)
);
CREATE INDEX orders_by_account ON orders(account_id, bought_at_ms);
CREATE INDEX orders_by_org ON orders(organisation_id, bought_at_ms);

-- Where the order journal (/order/events) of each account was read up to.
CREATE TABLE sync_cursors (
    account_id    TEXT PRIMARY KEY REFERENCES accounts(id),
    last_event_id TEXT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);
