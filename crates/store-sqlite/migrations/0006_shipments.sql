-- Paired with the other backend's 0006_shipments.sql; identical here.

-- Waybills (tracking numbers) added to orders, each pushed to its Allegro order with
-- POST …/shipments: pending → pushed, or refused when Allegro will not take it;
-- not_applicable for orders from files. One row per (order, carrier, waybill): adding the
-- same number again is the same waybill. push_attempts counts claims (a claim moves
-- push_next_at_ms past the push's time limit, so it doubles as the lease): above one, an
-- earlier attempt may have landed, and the order's shipments are read before posting.
CREATE TABLE shipments (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    order_id TEXT NOT NULL,
    carrier_id TEXT NOT NULL,
    carrier_name TEXT,
    waybill TEXT NOT NULL,
    line_items TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    push_state TEXT NOT NULL,
    push_attempts BIGINT NOT NULL DEFAULT 0,
    push_next_at_ms BIGINT NOT NULL DEFAULT 0,
    push_error TEXT,
    allegro_shipment_id TEXT,
    pushed_at_ms BIGINT,
    UNIQUE (organisation_id, order_id, carrier_id, waybill)
);
CREATE INDEX shipments_push_due ON shipments(push_state, push_next_at_ms);
CREATE INDEX shipments_of_order ON shipments(organisation_id, order_id, created_at_ms);
