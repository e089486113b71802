-- Paired with the other backend's 0005_invoice_uploads.sql; identical here.

-- Sending each invoice's PDF to its Allegro order (POST …/invoices, then PUT …/file):
-- pending → uploaded, or refused when Allegro will not take it (e.g. a cancelled order);
-- not_applicable for orders from files. allegro_invoice_id is kept as soon as the metadata
-- exists, so a retry after a crash uploads the file to it instead of adding another.
-- upload_next_at_ms doubles as the lease: a claim moves it past the upload's time limit.
ALTER TABLE invoices ADD COLUMN upload_state TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE invoices ADD COLUMN allegro_invoice_id TEXT;
ALTER TABLE invoices ADD COLUMN upload_attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN upload_next_at_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN upload_error TEXT;
ALTER TABLE invoices ADD COLUMN uploaded_at_ms BIGINT;
CREATE INDEX invoices_upload_due ON invoices(upload_state, upload_next_at_ms);
