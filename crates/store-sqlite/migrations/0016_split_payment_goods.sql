-- Paired with the other backend's 0016_split_payment_goods.sql; identical there.

-- Whether a product is goods of annex 15 to the VAT Act (electronics, fuel, steel…), for
-- the split payment mechanism (art. 108a ust. 1a): TRUE, FALSE, or NULL while the seller
-- has not said — then an invoice that would depend on it waits for the answer.
ALTER TABLE products ADD COLUMN annex15 BOOLEAN;
