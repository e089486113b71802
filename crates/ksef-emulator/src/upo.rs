//! UPO v4-3 (`upo-v4-3.xsd`): the official acknowledgement of an invoice, and of a
//! session in pages of at most 10 000 documents; the three UPO endpoints.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use ksef_api_types::ReferenceNumber;

use crate::clock::{iso_warsaw, yyyymmdd};
use crate::limits::Group;
use crate::respond::{Caller, bad_request, xml_with_hash};
use crate::sessions::session_status;
use crate::state::{Outcome, StoredInvoice};
use crate::{KsefEmulator, Profile};

/// Documents per page of a session UPO.
pub const PAGE: usize = 10_000;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn document(ksef: &ksef_api_types::KsefNumber, inv: &StoredInvoice) -> String {
    format!(
        "\t<Dokument>\n\t\t<NipSprzedawcy>{}</NipSprzedawcy>\n\t\t<NumerKSeFDokumentu>{}</NumerKSeFDokumentu>\n\t\t<NumerFaktury>{}</NumerFaktury>\n\t\t<DataWystawieniaFaktury>{}</DataWystawieniaFaktury>\n\t\t<DataPrzeslaniaDokumentu>{}</DataPrzeslaniaDokumentu>\n\t\t<DataNadaniaNumeruKSeF>{}</DataNadaniaNumeruKSeF>\n\t\t<SkrotDokumentu>{}</SkrotDokumentu>\n\t\t<TrybWysylki>{}</TrybWysylki>\n\t</Dokument>\n",
        inv.facts.seller_nip,
        ksef,
        escape(&inv.facts.number),
        inv.facts.issue_date,
        iso_warsaw(inv.invoicing_ms),
        iso_warsaw(inv.acquisition_ms),
        inv.hash,
        inv.mode,
    )
}

impl KsefEmulator {
    fn receiver_name(&self) -> &'static str {
        // TEST's UPOs carry their own name, which the XSD's fixed value refuses (research
        // §A(i)); by default the emulator writes the official one so that every UPO it
        // gives validates, and mimics TEST only when asked to.
        let settings = self.settings.read();
        match settings.profile {
            Profile::Test if settings.test_receiver_name_in_upo => "Ministerstwo Finansów - środowisko testowe (TE)",
            _ => "Ministerstwo Finansów",
        }
    }

    /// A UPO for `invoices` (all of one session); `page` = `(number, pages, from, to, total)`
    /// for a session UPO, `None` for one invoice's.
    pub(crate) fn upo_xml(
        &self,
        session_ref: &str,
        invoices: &[(&ksef_api_types::KsefNumber, &StoredInvoice)],
        page: Option<(usize, usize, usize, usize, usize)>,
    ) -> Vec<u8> {
        let Some((_, first)) = invoices.first() else {
            return Vec::new();
        };
        let mut out = String::with_capacity(1024 + invoices.len() * 700);
        out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        out.push_str("<Potwierdzenie xmlns=\"http://upo.schematy.mf.gov.pl/KSeF/v4-3\" wersjaSchemy=\"4-3\">\n");
        out.push_str(&format!(
            "\t<NazwaPodmiotuPrzyjmujacego>{}</NazwaPodmiotuPrzyjmujacego>\n",
            self.receiver_name()
        ));
        out.push_str(&format!(
            "\t<NumerReferencyjnySesji>{session_ref}</NumerReferencyjnySesji>\n"
        ));
        out.push_str("\t<Uwierzytelnienie>\n\t\t<IdKontekstu>\n");
        out.push_str(&format!("\t\t\t<Nip>{}</Nip>\n\t\t</IdKontekstu>\n", first.context_nip));
        match &first.token_reference {
            Some(r) => out.push_str(&format!(
                "\t\t<NumerReferencyjnyTokenaKSeF>{r}</NumerReferencyjnyTokenaKSeF>\n"
            )),
            None => out.push_str(&format!(
                "\t\t<SkrotDokumentuUwierzytelniajacego>{}</SkrotDokumentuUwierzytelniajacego>\n",
                crate::crypto::sha256_b64(first.context_nip.as_bytes())
            )),
        }
        out.push_str("\t</Uwierzytelnienie>\n");
        if let Some((number, pages, from, to, total)) = page {
            out.push_str(&format!(
                "\t<OpisPotwierdzenia>\n\t\t<Strona>{number}</Strona>\n\t\t<LiczbaStron>{pages}</LiczbaStron>\n\t\t<ZakresDokumentowOd>{from}</ZakresDokumentowOd>\n\t\t<ZakresDokumentowDo>{to}</ZakresDokumentowDo>\n\t\t<CalkowitaLiczbaDokumentow>{total}</CalkowitaLiczbaDokumentow>\n\t</OpisPotwierdzenia>\n"
            ));
        }
        out.push_str(&format!(
            "\t<NazwaStrukturyLogicznej>Schemat_{}_v{}.xsd</NazwaStrukturyLogicznej>\n\t<KodFormularza>{}</KodFormularza>\n",
            first.form.system_code.replace(' ', ""),
            first.form.schema_version,
            first.form.system_code
        ));
        for (ksef, inv) in invoices {
            out.push_str(&document(ksef, inv));
        }
        out.push_str("</Potwierdzenie>\n");
        out.into_bytes()
    }
}

fn upo_not_found(caller: &Caller, now: i64, what: &str) -> Response {
    bad_request(caller, now, 21178, "Nie znaleziono UPO.", vec![what.to_owned()])
}

async fn upo_by_invoice(
    State(emu): State<Arc<KsefEmulator>>,
    caller: Caller,
    Path((reference, invoice_ref)): Path<(String, String)>,
) -> Response {
    let ctx = or_respond!(emu.access(&caller, Group::SessionMisc, &[]));
    let now = emu.now_ms();
    let found = emu.with_session(&caller, &ctx, &reference, |state, r| {
        let s = state.sessions.get(r).expect("with_session found it");
        Ok(s.invoices
            .iter()
            .find(|i| i.reference.as_str() == invoice_ref && i.ready_ms <= now)
            .and_then(|i| match &i.outcome {
                Outcome::Accepted { ksef } => state
                    .invoices
                    .get(ksef)
                    .map(|inv| emu.upo_xml(&reference, &[(ksef, inv)], None)),
                Outcome::Rejected { .. } => None,
            }))
    });
    match or_respond!(found) {
        Some(bytes) => xml_with_hash(bytes),
        None => upo_not_found(&caller, now, &format!("Faktura {invoice_ref} nie ma UPO.")),
    }
}

async fn upo_by_ksef(
    State(emu): State<Arc<KsefEmulator>>,
    caller: Caller,
    Path((reference, ksef_number)): Path<(String, String)>,
) -> Response {
    let ctx = or_respond!(emu.access(&caller, Group::SessionMisc, &[]));
    let now = emu.now_ms();
    let found = emu.with_session(&caller, &ctx, &reference, |state, r| {
        let number = ksef_number.parse().ok();
        Ok(number.and_then(|n| {
            state
                .invoices
                .get(&n)
                .filter(|inv| &inv.session == r && inv.acquisition_ms <= now)
                .map(|inv| emu.upo_xml(&reference, &[(&n, inv)], None))
        }))
    });
    match or_respond!(found) {
        Some(bytes) => xml_with_hash(bytes),
        None => upo_not_found(&caller, now, &format!("Brak UPO dla numeru KSeF {ksef_number}.")),
    }
}

async fn upo_page(
    State(emu): State<Arc<KsefEmulator>>,
    caller: Caller,
    Path((reference, upo_ref)): Path<(String, String)>,
) -> Response {
    let ctx = or_respond!(emu.access(&caller, Group::SessionMisc, &[]));
    let now = emu.now_ms();
    let delay = emu.settings().close_delay_ms;
    let found = emu.with_session(&caller, &ctx, &reference, |state, r| {
        let s = state.sessions.get(r).expect("with_session found it");
        Ok((session_status(s, now, delay).code, s.created_ms))
    });
    let (code, created) = or_respond!(found);
    let page = (1..=200).find(|p| {
        ReferenceNumber::generate(&yyyymmdd(created), "EU", (*p as u128) << 40 | created as u128).as_str() == upo_ref
    });
    match page
        .filter(|_| code == 200)
        .and_then(|p| emu.session_upo_page(&reference, p))
    {
        Some(bytes) => xml_with_hash(bytes),
        None => upo_not_found(&caller, now, &format!("Strona UPO {upo_ref} nie istnieje.")),
    }
}

pub(crate) fn router() -> Router<Arc<KsefEmulator>> {
    Router::new()
        .route("/sessions/{reference}/invoices/{invoice}/upo", get(upo_by_invoice))
        .route("/sessions/{reference}/invoices/ksef/{ksef}/upo", get(upo_by_ksef))
        .route("/sessions/{reference}/upo/{upo}", get(upo_page))
}
