//! The real `allegro-bridge` binary, run as an operator runs it, one test binary.

mod commands;
mod invoices;
mod ksef;
mod orders;
mod shipments;
mod workers;
