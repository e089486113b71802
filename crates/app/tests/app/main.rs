//! The use cases against the Allegro emulator, one test binary (one link instead of seven).

mod abroad;
mod accounts;
mod imports;
mod invoices;
mod ksef_offline;
mod ksef_sending;
mod ksef_settings;
mod rates;
mod receipts;
mod shipments;
mod split_payment;
mod sync;
mod uploads;
mod warehouse;
