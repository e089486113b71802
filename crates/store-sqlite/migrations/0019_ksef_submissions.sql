-- Paired with the other backend's 0019_ksef_submissions.sql; the same but for the byte type.

-- An invoice on its way to KSeF (issue #16 item 2), queued in the transaction that issues
-- it: one row per invoice, so it is sent at most once. The exact XML bytes are stored before
-- the first send and every later send repeats them (what KOD I's hash covers). A claim moves
-- next_at_ms to the lease's end; updated_at_ms fences a holder whose lease ran out.
CREATE TABLE ksef_submissions (
    invoice_id      TEXT PRIMARY KEY REFERENCES invoices(id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    state           TEXT NOT NULL,
    xml             BLOB,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_at_ms      BIGINT NOT NULL,
    session_ref     TEXT,
    invoice_ref     TEXT,
    ksef_number     TEXT,
    acquired_at     TEXT,
    invoicing_mode  TEXT,
    upo             BLOB,
    error           TEXT,
    queued_at_ms    BIGINT NOT NULL,
    updated_at_ms   BIGINT NOT NULL
);
CREATE INDEX ksef_submissions_due ON ksef_submissions (state, next_at_ms);
CREATE INDEX ksef_submissions_org ON ksef_submissions (organisation_id, state);
-- A KSeF number belongs to one invoice.
CREATE UNIQUE INDEX ksef_submissions_number ON ksef_submissions (ksef_number);
