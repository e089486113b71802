//! A real FA(3) invoice (the Ministry's sample 1) with the seller, number and issue date
//! of your choice: what the demo, the tests and the benchmarks send.

/// The Ministry's `FA_3_Przykład_1.xml`.
pub const SAMPLE: &str = include_str!("../tests/data/fa3-sample.xml");

/// The sample with seller NIP `nip`, number `number` (`P_2`) and issue date `issue_date`
/// (`P_1`, `YYYY-MM-DD`).
pub fn invoice(nip: &str, number: &str, issue_date: &str) -> Vec<u8> {
    SAMPLE
        .replacen("<NIP>9999999999</NIP>", &format!("<NIP>{nip}</NIP>"), 1)
        .replace("<P_2>FV2026/02/150</P_2>", &format!("<P_2>{}</P_2>", escape(number)))
        .replace("<P_1>2026-02-15</P_1>", &format!("<P_1>{issue_date}</P_1>"))
        .replace("<P_6>2026-01-27</P_6>", &format!("<P_6>{issue_date}</P_6>"))
        .into_bytes()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Today's date in Poland as `YYYY-MM-DD` by the emulator's clock.
pub fn today(emulator: &crate::KsefEmulator) -> String {
    crate::clock::warsaw_date(emulator.now_ms()).to_string()
}
