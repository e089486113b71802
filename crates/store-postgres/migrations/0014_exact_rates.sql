-- Paired with the other backend's 0014_exact_rates.sql; identical there.

-- NBP rates kept exactly as NBP publishes them: the digits and how many are decimals
-- (0.011625 → 11625, 6), never cut to four decimals (the forint lost a digit that way).
-- Rates stored before keep their four decimals.
ALTER TABLE exchange_rates ADD COLUMN rate_units BIGINT;
ALTER TABLE exchange_rates ADD COLUMN rate_scale BIGINT;
UPDATE exchange_rates SET rate_units = rate_e4, rate_scale = 4;
ALTER TABLE exchange_rates DROP COLUMN rate_e4;

-- Rates an organisation loaded itself (Faktury → Kursy NBP) when NBP could not be asked.
-- They serve that organisation's invoices only: one seller's file never changes another's
-- invoices. NBP's own table, and rates the operator loads, stay in exchange_rates.
CREATE TABLE organisation_rates (
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    currency        TEXT NOT NULL,
    effective_date  TEXT NOT NULL,
    rate_units      BIGINT NOT NULL,
    rate_scale      BIGINT NOT NULL,
    table_no        TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    loaded_at_ms    BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, currency, effective_date)
);
