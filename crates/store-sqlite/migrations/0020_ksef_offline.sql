-- Paired with the other backend's 0020_ksef_offline.sql; the same but for the byte type.

-- KSeF's offline modes (issue #16 item 4). The organisation may choose offline24 and keep
-- a KSeF Offline certificate with its key (sealed by the application, for KOD II; only its
-- serial and validity are shown); unreachable_since_ms marks since when KSeF has not
-- answered this organisation (the unavailability mode starts after a set time);
-- failure_since_ms since when a KSeF failure announced by the Ministry is declared.
ALTER TABLE ksef_settings ADD COLUMN offline24 BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE ksef_settings ADD COLUMN offline_certificate BLOB;
ALTER TABLE ksef_settings ADD COLUMN offline_certificate_hint TEXT;
ALTER TABLE ksef_settings ADD COLUMN unreachable_since_ms BIGINT;
ALTER TABLE ksef_settings ADD COLUMN failure_since_ms BIGINT;

-- An invoice issued offline: why (offline24 / unavailable / failure), the last day it may
-- reach KSeF (YYYY-MM-DD, Polish; unknown while an unavailability lasts), its KOD II link as
-- printed, and for a technical correction the hash of the refused offline bytes it replaces.
ALTER TABLE ksef_submissions ADD COLUMN offline_mode TEXT;
ALTER TABLE ksef_submissions ADD COLUMN offline_deadline TEXT;
ALTER TABLE ksef_submissions ADD COLUMN certificate_link TEXT;
ALTER TABLE ksef_submissions ADD COLUMN corrected_hash TEXT;
CREATE INDEX ksef_submissions_offline ON ksef_submissions (organisation_id, offline_mode, offline_deadline);
