-- Paired with the other backend's 0015_no_backdated_invoices.sql; identical there.

-- Automatic invoices only for orders that reach their trigger after invoicing was switched
-- on: switching it on used to invoice every earlier paid order at once, dated today, and
-- upload them to buyers. Earlier orders are invoiced only by the seller's explicit action.
ALTER TABLE account_settings ADD COLUMN invoicing_since_ms BIGINT;
UPDATE account_settings SET invoicing_since_ms = updated_at_ms WHERE enabled = TRUE;

-- Orders first stored by an import (Allegro by purchase dates, or a file) are history:
-- never invoiced automatically, only by the explicit action.
ALTER TABLE orders ADD COLUMN imported BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE orders SET imported = TRUE WHERE source = 'file';
