-- Paired with the other backend's 0007_warehouse.sql; identical here.

-- The warehouse: products (one per seller SKU, Allegro's offer external.id), the offers
-- that sell them, stock per warehouse, goods-issue documents (WZ) and every stock
-- movement. Stock only ever changes in the transaction that writes its movement, so the
-- sum of a product's movements in a warehouse is its stock.
CREATE TABLE warehouses (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    UNIQUE (organisation_id, name)
);
CREATE TABLE products (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    sku TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    UNIQUE (organisation_id, sku)
);
CREATE TABLE product_offers (
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    offer_id TEXT NOT NULL,
    product_id TEXT NOT NULL REFERENCES products(id),
    account_id TEXT NOT NULL REFERENCES accounts(id),
    PRIMARY KEY (organisation_id, offer_id)
);
CREATE TABLE stock_levels (
    warehouse_id TEXT NOT NULL REFERENCES warehouses(id),
    product_id TEXT NOT NULL REFERENCES products(id),
    quantity BIGINT NOT NULL,
    PRIMARY KEY (warehouse_id, product_id)
);
-- One WZ per order: issued (stock taken) or cancelled (stock given back), each once.
CREATE TABLE warehouse_documents (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    kind TEXT NOT NULL,
    number TEXT NOT NULL,
    order_id TEXT NOT NULL,
    warehouse_id TEXT NOT NULL REFERENCES warehouses(id),
    state TEXT NOT NULL,
    lines TEXT NOT NULL,
    issued_at_ms BIGINT NOT NULL,
    cancelled_at_ms BIGINT,
    UNIQUE (organisation_id, kind, order_id),
    UNIQUE (organisation_id, number)
);
CREATE TABLE stock_movements (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    warehouse_id TEXT NOT NULL REFERENCES warehouses(id),
    product_id TEXT NOT NULL REFERENCES products(id),
    delta BIGINT NOT NULL,
    reason TEXT NOT NULL,
    document_id TEXT,
    note TEXT,
    at_ms BIGINT NOT NULL
);
CREATE INDEX stock_movements_by_time ON stock_movements(organisation_id, at_ms);
CREATE INDEX stock_movements_by_product ON stock_movements(product_id, warehouse_id);
-- When a WZ is issued: the fulfilment status that triggers it (NULL: never by itself), and
-- the warehouse goods leave from.
CREATE TABLE warehouse_settings (
    organisation_id TEXT PRIMARY KEY REFERENCES organisations(id),
    wz_trigger TEXT,
    warehouse_id TEXT REFERENCES warehouses(id)
);
