-- Paired with the other backend's 0012_buyer_key.sql; identical there.

-- The invoices list's buyer search reads a key made in Rust (domain::text::search_key:
-- lower case, no diacritics), so "Łukasz", "ŁUKASZ" and "lukasz" find the same buyer on
-- both databases. NULL until filled: invoices stored before this column get theirs when
-- the store opens.
ALTER TABLE invoices ADD COLUMN buyer_key TEXT;
CREATE INDEX invoices_buyer_key ON invoices (organisation_id, buyer_key);
