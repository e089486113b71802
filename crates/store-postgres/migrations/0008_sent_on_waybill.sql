-- Paired with the other backend's 0008_sent_on_waybill.sql; identical here.

-- "Ustaw status Wysłane po dodaniu numeru przesyłki": once a waybill is on the Allegro
-- order, its fulfilment status is set to SENT (if it is not there yet).
ALTER TABLE account_settings ADD COLUMN sent_on_waybill BOOLEAN NOT NULL DEFAULT FALSE;
