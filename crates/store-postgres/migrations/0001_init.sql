-- allegro-bridge, PostgreSQL. Paired with store-sqlite/migrations/0001_init.sql: same
-- tables and columns; only the types differ (BLOB/BYTEA, INTEGER PRIMARY KEY/identity).
-- Times are epoch milliseconds (BIGINT, suffix _ms); the application passes "now" in.

CREATE TABLE organisations (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
);

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    email           TEXT NOT NULL UNIQUE,
    password_hash   TEXT NOT NULL,
    created_at_ms   BIGINT NOT NULL
);

-- The cookie holds a random token; only its SHA-256 is stored.
CREATE TABLE sessions (
    id_hash         TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id),
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    csrf_token      TEXT NOT NULL,
    expires_at_ms   BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    name            TEXT NOT NULL,
    key_hash        TEXT NOT NULL UNIQUE,
    prefix          TEXT NOT NULL,
    created_at_ms   BIGINT NOT NULL,
    revoked_at_ms   BIGINT
);

-- client_secret is sealed (XChaCha20-Poly1305) by the application.
CREATE TABLE connections (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    mode            TEXT NOT NULL,
    environment     TEXT NOT NULL,
    auth_url        TEXT NOT NULL,
    api_url         TEXT NOT NULL,
    client_id       TEXT,
    client_secret   BYTEA,
    created_at_ms   BIGINT NOT NULL,
    updated_at_ms   BIGINT NOT NULL
);
CREATE INDEX connections_by_org ON connections(organisation_id);

CREATE TABLE oauth_states (
    state_hash        TEXT PRIMARY KEY,
    organisation_id   TEXT NOT NULL REFERENCES organisations(id),
    connection_id     TEXT NOT NULL REFERENCES connections(id),
    session_hash      TEXT NOT NULL,
    pkce_verifier     BYTEA NOT NULL,
    relink_account_id TEXT,
    expires_at_ms     BIGINT NOT NULL,
    used_at_ms        BIGINT
);

-- Tokens are sealed. One account per (connection, Allegro user): linking the same user
-- again replaces its tokens instead of adding a second account.
CREATE TABLE accounts (
    id                    TEXT PRIMARY KEY,
    organisation_id       TEXT NOT NULL REFERENCES organisations(id),
    connection_id         TEXT NOT NULL REFERENCES connections(id),
    allegro_user_id       TEXT NOT NULL,
    login                 TEXT NOT NULL,
    status                TEXT NOT NULL,
    status_reason         TEXT,
    scopes                TEXT NOT NULL,
    access_token          BYTEA,
    refresh_token         BYTEA,
    access_expires_at_ms  BIGINT,
    refresh_expires_at_ms BIGINT,
    refresh_lock_owner    TEXT,
    refresh_lock_until_ms BIGINT,
    last_refresh_at_ms    BIGINT,
    last_sync_at_ms       BIGINT,
    created_at_ms         BIGINT NOT NULL,
    updated_at_ms         BIGINT NOT NULL,
    UNIQUE (connection_id, allegro_user_id)
);
CREATE INDEX accounts_by_org ON accounts(organisation_id);
CREATE INDEX accounts_due ON accounts(status, access_expires_at_ms);

CREATE TABLE account_settings (
    account_id      TEXT PRIMARY KEY REFERENCES accounts(id),
    enabled         BOOLEAN NOT NULL,
    vat_goods       TEXT NOT NULL,
    vat_delivery    TEXT NOT NULL,
    invoice_trigger TEXT NOT NULL,
    invoice_series  TEXT NOT NULL,
    updated_at_ms   BIGINT NOT NULL
);

-- Jobs with leases. A job is enqueued in the transaction of the change that needs it.
CREATE TABLE jobs (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind            TEXT NOT NULL,
    dedup_key       TEXT NOT NULL,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    max_attempts    INTEGER NOT NULL,
    run_at_ms       BIGINT NOT NULL,
    locked_by       TEXT,
    locked_until_ms BIGINT,
    last_error      TEXT
);
CREATE UNIQUE INDEX jobs_dedup ON jobs(kind, dedup_key) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_due ON jobs(state, run_at_ms);
