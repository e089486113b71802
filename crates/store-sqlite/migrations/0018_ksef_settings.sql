-- Paired with the other backend's 0018_ksef_settings.sql; the same but for the token's type.

-- An organisation's way into KSeF (issue #16): the environment, its KSeF token (sealed by
-- the application; only a masked hint is ever shown), what it sends, and what the last
-- connection check found.
CREATE TABLE ksef_settings (
    organisation_id       TEXT PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
    environment           TEXT NOT NULL,
    api_url               TEXT,
    token                 BLOB,
    token_hint            TEXT,
    send_consumer         BOOLEAN NOT NULL DEFAULT FALSE,
    send_from             TEXT,
    checked_nip           TEXT,
    checked_permissions   TEXT,
    checked_at_ms         BIGINT,
    token_problem         TEXT,
    updated_at_ms         BIGINT NOT NULL
);
