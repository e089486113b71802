-- Paired with the other backend's 0009_wz_failures.sql; identical here.

-- Orders whose WZ could not be issued automatically (a line whose offer is not a product
-- yet): left out of the worker's list until next_at_ms, with the reason for the order page.
-- Reading products from Allegro clears them, so they are tried again at once.
CREATE TABLE wz_failures (
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    order_id TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_at_ms BIGINT NOT NULL,
    error TEXT NOT NULL,
    PRIMARY KEY (organisation_id, order_id)
);
