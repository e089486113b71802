-- Paired with the other backend's 0017_cod_sale.sql; identical there.

-- When a cash-on-delivery sale happens for the invoice (art. 19a): when the buyer picks the
-- parcel up and pays (FALSE, the default), or when it is sent (TRUE), as the seller decides
-- with their accountant. Automatic invoices of such orders wait for that moment.
ALTER TABLE account_settings ADD COLUMN cod_sale_when_sent BOOLEAN NOT NULL DEFAULT FALSE;
