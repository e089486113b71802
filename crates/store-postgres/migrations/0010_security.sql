-- API keys show when they were last used (a stolen key is noticed; an unused one revoked).
ALTER TABLE api_keys ADD COLUMN last_used_at_ms BIGINT;

-- Failed logins per account and per address, for growing delays and temporary locks.
-- Kept in the database so every server process sees the same count.
CREATE TABLE login_failures (
    throttle_key    TEXT PRIMARY KEY,
    failures        BIGINT NOT NULL,
    last_failure_ms BIGINT NOT NULL
);

-- The orders of an uploaded file, staged in short transactions once the whole file is
-- checked, then published in short transactions: a big file never holds the one SQLite
-- write lock for long. `imports.expected` is the file's order count, `fetched` how many
-- are staged; an import whose staging never finished is abandoned, one whose publishing
-- stopped is finished by the worker.
CREATE TABLE staged_orders (
    import_id          TEXT NOT NULL REFERENCES imports(id),
    seq                BIGINT NOT NULL,
    id                 TEXT NOT NULL,
    organisation_id    TEXT NOT NULL,
    account_id         TEXT NOT NULL,
    status             TEXT NOT NULL,
    fulfillment_status TEXT,
    marketplace        TEXT,
    buyer_login        TEXT NOT NULL,
    bought_at_ms       BIGINT NOT NULL,
    revision           TEXT,
    total_minor        BIGINT,
    currency           TEXT NOT NULL,
    data               TEXT NOT NULL,
    source             TEXT NOT NULL,
    invoice_required   BIGINT NOT NULL,
    PRIMARY KEY (import_id, seq)
);
