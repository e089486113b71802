-- Paired with the other backend's 0003_imports.sql; identical here.

-- Where an order came from: 'allegro' (sync, reconciliation, import by date) or 'file'
-- (CSV/XML import). Allegro's copy always wins; a file never overwrites it.
ALTER TABLE orders ADD COLUMN source TEXT NOT NULL DEFAULT 'allegro';
-- 1 when the buyer asked for an invoice (checkout form `invoice.required`); the
-- "needs invoice" filter reads it.
ALTER TABLE orders ADD COLUMN invoice_required BIGINT NOT NULL DEFAULT 0;
CREATE INDEX orders_by_org_status ON orders(organisation_id, status, bought_at_ms);
-- Upserts and the order page look an order up by id within the organisation.
CREATE INDEX orders_by_org_id ON orders(organisation_id, id);

-- Adaptive polling: when each account's journal is read next, how many polls in a row
-- found nothing or failed, and a lease so two processes never sync one account at once.
ALTER TABLE accounts ADD COLUMN next_sync_at_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN quiet_polls BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN sync_failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN sync_owner TEXT;
ALTER TABLE accounts ADD COLUMN sync_lease_until_ms BIGINT;

-- Imports: by account and purchase-date range from Allegro, or from a CSV/XML file.
-- An Allegro import keeps its checkpoint here (the range still to do, the window being
-- paged and the offset in it), committed with each page of orders, so a crash resumes
-- where it stopped and the counts equal an uninterrupted run's.
CREATE TABLE imports (
    id               TEXT PRIMARY KEY,
    organisation_id  TEXT NOT NULL REFERENCES organisations(id),
    account_id       TEXT NOT NULL REFERENCES accounts(id),
    kind             TEXT NOT NULL,
    file_name        TEXT,
    from_ms          BIGINT,
    to_ms            BIGINT,
    state            TEXT NOT NULL,
    next_to_ms       BIGINT,
    window_from_ms   BIGINT,
    window_offset    BIGINT NOT NULL DEFAULT 0,
    expected         BIGINT,
    fetched          BIGINT NOT NULL DEFAULT 0,
    new_count        BIGINT NOT NULL DEFAULT 0,
    updated_count    BIGINT NOT NULL DEFAULT 0,
    unchanged_count  BIGINT NOT NULL DEFAULT 0,
    api_calls        BIGINT NOT NULL DEFAULT 0,
    error            TEXT,
    created_at_ms    BIGINT NOT NULL,
    updated_at_ms    BIGINT NOT NULL
);
CREATE INDEX imports_by_org ON imports(organisation_id, created_at_ms);

-- Every status an order was seen in, when we first saw it (the order page's history).
CREATE TABLE order_history (
    organisation_id    TEXT NOT NULL REFERENCES organisations(id),
    account_id         TEXT NOT NULL REFERENCES accounts(id),
    order_id           TEXT NOT NULL,
    seen_at_ms         BIGINT NOT NULL,
    status             TEXT NOT NULL,
    fulfillment_status TEXT,
    source             TEXT NOT NULL
);
CREATE INDEX order_history_by_order ON order_history(organisation_id, order_id, seen_at_ms);
