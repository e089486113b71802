-- Paired with the other backend's 0004_invoices.sql; identical here.

-- The seller's invoicing profile (domain::InvoicingProfile as JSON), one per organisation.
CREATE TABLE invoicing_profiles (
    organisation_id TEXT PRIMARY KEY REFERENCES organisations(id),
    data            TEXT NOT NULL,
    updated_at_ms   BIGINT NOT NULL
);

-- Gap-free numbering: one counter per series and period (month or year), incremented in
-- the transaction that stores the invoice; a rolled-back issue gives its number back.
CREATE TABLE invoice_counters (
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    series          TEXT NOT NULL,
    period          TEXT NOT NULL,
    last_number     BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, series, period)
);

-- Issued invoices: exactly one per order and kind; numbers unique per organisation.
CREATE TABLE invoices (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    account_id      TEXT NOT NULL REFERENCES accounts(id),
    order_id        TEXT NOT NULL,
    kind            TEXT NOT NULL,
    series          TEXT NOT NULL,
    period          TEXT NOT NULL,
    seq             BIGINT NOT NULL,
    number          TEXT NOT NULL,
    issue_date      TEXT NOT NULL,
    currency        TEXT NOT NULL,
    total_minor     BIGINT NOT NULL,
    buyer_name      TEXT NOT NULL,
    document        TEXT NOT NULL,
    created_at_ms   BIGINT NOT NULL,
    UNIQUE (organisation_id, order_id, kind),
    UNIQUE (organisation_id, number),
    UNIQUE (organisation_id, series, period, seq)
);
CREATE INDEX invoices_by_org ON invoices(organisation_id, issue_date);

-- Which orders get an invoice, and how delivery is taxed (account settings).
ALTER TABLE account_settings ADD COLUMN invoice_every_order BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE account_settings ADD COLUMN delivery_follows_goods BOOLEAN NOT NULL DEFAULT FALSE;

-- NBP table-A mid rates (from api.nbp.pl or loaded from a file), PLN per unit × 10 000.
CREATE TABLE exchange_rates (
    currency       TEXT NOT NULL,
    effective_date TEXT NOT NULL,
    rate_e4        BIGINT NOT NULL,
    table_no       TEXT NOT NULL,
    PRIMARY KEY (currency, effective_date)
);

-- Automatic issuing that failed for an order (e.g. its lines do not add up to what was
-- paid): when to try again, so one bad order is neither retried every second nor blocks others.
CREATE TABLE invoice_attempts (
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    order_id        TEXT NOT NULL,
    attempts        BIGINT NOT NULL,
    next_at_ms      BIGINT NOT NULL,
    last_error      TEXT NOT NULL,
    PRIMARY KEY (organisation_id, order_id)
);
