//! The use cases against the Allegro emulator, one test binary (one link instead of seven).

mod abroad;
mod accounts;
mod earlier_orders;
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

/// Runs the KSeF worker's rounds (up to `rounds`, 100 ms apart) until `expected` invoices
/// got their KSeF numbers; how many did.
async fn send_to_ksef_until(app: &app::App, expected: usize, rounds: usize) -> usize {
    let mut accepted = 0;
    for _ in 0..rounds {
        accepted += app.send_due_to_ksef(100).await.unwrap().accepted;
        if accepted >= expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    accepted
}
