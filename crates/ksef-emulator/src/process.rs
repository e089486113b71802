//! What happens to one invoice after it arrives (online or in a batch): decryption,
//! the document and schema checks, the KSeF rules (seller = context, `P_1` not in the
//! future, NIP checksums in production, attachments, duplicates), then a KSeF number.

use std::collections::BTreeMap;
use std::sync::Arc;

use ksef_api_types::{KsefNumber, ReferenceNumber};

use crate::clock::{warsaw_date, yyyymmdd};
use crate::facts::{InvoiceFacts, nip_checksum_ok};
use crate::state::{Outcome, Session, SessionInvoice, State, StoredInvoice};
use crate::{KsefEmulator, Profile, crypto};

/// The description KSeF gives each invoice status.
pub fn description(code: i32) -> &'static str {
    match code {
        100 => "Faktura przyjęta do dalszego przetwarzania",
        150 => "Trwa przetwarzanie",
        200 => "Sukces",
        405 => "Przetwarzanie anulowane z powodu błędu sesji",
        410 => "Nieprawidłowy zakres uprawnień",
        415 => "Brak możliwości wysyłania faktury z załącznikiem",
        430 => "Błąd weryfikacji pliku faktury",
        435 => "Błąd odszyfrowania pliku",
        440 => "Duplikat faktury",
        450 => "Błąd weryfikacji semantyki dokumentu faktury",
        550 => "Operacja została anulowana przez system",
        _ => "Nieznany błąd",
    }
}

/// One invoice as it reaches processing.
pub struct Arrival<'a> {
    /// What [`inspect`] found, done before the state is locked.
    pub inspection: Inspection,
    /// `invoiceHash` as declared.
    pub hash: String,
    /// Declared offline.
    pub offline_mode: bool,
    /// Technical correction of.
    pub hash_of_corrected: Option<String>,
    /// Name in a batch package.
    pub file_name: Option<String>,
    /// The session.
    pub session_ref: &'a ReferenceNumber,
    /// It came in a batch package.
    pub batch: bool,
}

fn rejected(code: i32, details: Vec<String>) -> Outcome {
    Outcome::Rejected {
        code,
        details,
        extensions: None,
    }
}

impl KsefEmulator {
    /// Processes an arrival into the session; returns its `EE` number.
    pub(crate) fn process(&self, state: &mut State, arrival: Arrival<'_>) -> ReferenceNumber {
        let now = self.now_ms();
        let settings = self.settings.read().clone();
        let delay = self.faults.read().processing_delay_ms;
        let reference = ReferenceNumber::generate(&yyyymmdd(now), "EE", rand::random());
        let session = state
            .sessions
            .get(arrival.session_ref)
            .expect("caller checked the session");
        let ordinal = session.invoices.len() as i32 + 1;
        let context_nip = session.nip.clone();
        let form = session.form.clone();
        let login = session.login.clone();
        let token_reference = state.logins.get(&login).and_then(|l| l.token_reference.clone());
        let mut number = None;
        let outcome = if let Some(code) = (!state.reject_next.is_empty()).then(|| state.reject_next.remove(0)) {
            rejected(
                code,
                vec!["Odrzucenie wymuszone przez emulator (reject_next).".to_owned()],
            )
        } else {
            match arrival
                .inspection
                .clone()
                .and_then(|ok| attachments_allowed(state, &arrival, &context_nip, ok))
            {
                Err(outcome) => outcome,
                Ok((facts, bytes, mode)) => {
                    number = Some(facts.number.clone());
                    let duplicate_key = (facts.seller_nip.clone(), facts.kind.clone(), facts.number.clone());
                    if let Some(original) = state.duplicates.get(&duplicate_key) {
                        let original_session = state.invoices.get(original).map(|i| i.session.to_string());
                        Outcome::Rejected {
                            code: 440,
                            details: vec![format!(
                                "Duplikat faktury. Faktura o numerze KSeF: {original} została już prawidłowo przesłana do systemu w sesji: {}",
                                original_session.clone().unwrap_or_default()
                            )],
                            extensions: Some(BTreeMap::from([
                                ("originalSessionReferenceNumber".to_owned(), original_session),
                                ("originalKsefNumber".to_owned(), Some(original.to_string())),
                            ])),
                        }
                    } else {
                        let technical: String = format!("{:012X}", rand::random::<u64>() & 0xFFFF_FFFF_FFFF);
                        let ksef = KsefNumber::from_parts(&facts.seller_nip, &yyyymmdd(now), &technical)
                            .expect("a schema-valid NIP and today's date make a valid number");
                        let acquisition_ms = now + delay.max(0);
                        if let Some(h) = &arrival.hash_of_corrected {
                            state.rejected_offline.insert(h.clone(), true);
                        }
                        state.duplicates.insert(duplicate_key, ksef.clone());
                        state
                            .by_hash
                            .insert((facts.seller_nip.clone(), crypto::sha256_b64url(&bytes)), ksef.clone());
                        state.accepted_hashes.insert(arrival.hash.clone());
                        state.invoices.insert(
                            ksef.clone(),
                            StoredInvoice {
                                bytes: Arc::new(bytes),
                                hash: arrival.hash.clone(),
                                facts,
                                session: arrival.session_ref.clone(),
                                invoicing_ms: now,
                                acquisition_ms,
                                storage_ms: acquisition_ms + settings.storage_delay_ms.max(1),
                                mode,
                                hash_of_corrected: arrival.hash_of_corrected.clone(),
                                form,
                                context_nip,
                                token_reference,
                            },
                        );
                        Outcome::Accepted { ksef }
                    }
                }
            }
        };
        if let Outcome::Rejected { .. } = &outcome
            && arrival.offline_mode
            && arrival.hash_of_corrected.is_none()
        {
            state.rejected_offline.entry(arrival.hash.clone()).or_insert(false);
        }
        self.stats.lock().count_invoice(match &outcome {
            Outcome::Accepted { .. } => 200,
            Outcome::Rejected { code, .. } => *code,
        });
        let session: &mut Session = state.sessions.get_mut(arrival.session_ref).expect("checked above");
        session.updated_ms = now;
        session.invoices.push(SessionInvoice {
            ordinal,
            reference: reference.clone(),
            hash: arrival.hash,
            invoicing_ms: now,
            ready_ms: now + delay.max(0),
            number,
            file_name: arrival.file_name,
            outcome,
        });
        reference
    }
}

/// An invoice's facts, its bytes and its invoicing mode — or why KSeF refuses it.
pub type Inspection = Result<(InvoiceFacts, Vec<u8>, &'static str), Outcome>;

/// Every check that needs nothing but the document and the session's context (decryption
/// result, size, document rules, the FA(3) schema, seller, `P_1`, NIP checksums); done
/// before the state is locked, so invoices are validated in parallel.
/// Every check; the facts, the bytes and the invoicing mode, or the rejection.
pub fn inspect(
    xml: Option<Vec<u8>>,
    offline_mode: bool,
    context_nip: &str,
    profile: Profile,
    now: i64,
    settings: &crate::Settings,
) -> Inspection {
    let Some(bytes) = xml else {
        return Err(rejected(
            435,
            vec!["Nie udało się odszyfrować pliku kluczem sesji.".to_owned()],
        ));
    };
    if bytes.len() > settings.max_invoice_bytes_with_attachments {
        return Err(rejected(
            430,
            vec![format!(
                "Rozmiar faktury {} B przekracza limit {} B.",
                bytes.len(),
                settings.max_invoice_bytes_with_attachments
            )],
        ));
    }
    let text = crate::validate::document(&bytes).map_err(|e| rejected(430, vec![e]))?;
    crate::validate::against_fa3(&bytes).map_err(|errors| rejected(430, errors))?;
    let facts = InvoiceFacts::read(text).map_err(|e| rejected(450, vec![e]))?;
    let limit = if facts.has_attachment {
        settings.max_invoice_bytes_with_attachments
    } else {
        settings.max_invoice_bytes
    };
    if bytes.len() > limit {
        return Err(rejected(
            430,
            vec![format!("Rozmiar faktury {} B przekracza limit {limit} B.", bytes.len())],
        ));
    }
    if facts.seller_nip != context_nip {
        return Err(rejected(
            410,
            vec![format!(
                "NIP sprzedawcy {} nie odpowiada kontekstowi {context_nip}.",
                facts.seller_nip
            )],
        ));
    }
    let today = warsaw_date(now);
    let Ok(issue_date) = facts.issue_date.parse::<jiff::civil::Date>() else {
        return Err(rejected(
            450,
            vec![format!("Nieprawidłowa data P_1: {}.", facts.issue_date)],
        ));
    };
    if issue_date > today {
        return Err(rejected(
            450,
            vec![format!(
                "Data wystawienia P_1 ({issue_date}) jest późniejsza niż data przyjęcia faktury ({today})."
            )],
        ));
    }
    if profile == Profile::Prod {
        let mut nips = vec![facts.seller_nip.clone()];
        if facts.buyer_id.0 == "Nip" {
            nips.push(facts.buyer_id.1.clone());
        }
        nips.extend(facts.third_nips.iter().cloned());
        if let Some(bad) = nips.iter().find(|n| !nip_checksum_ok(n)) {
            return Err(rejected(450, vec![format!("Nieprawidłowa suma kontrolna NIP {bad}.")]));
        }
    }
    // KSeF marks an invoice Offline when declared so, or when P_1 is an earlier day
    // than the day KSeF took it (research §A(b), automatic offline mode).
    let mode = if offline_mode || issue_date < today {
        "Offline"
    } else {
        "Online"
    };
    Ok((facts, bytes, mode))
}

/// Attachments: only in a technical correction or a batch, after the subject's opt-in.
fn attachments_allowed(
    state: &State,
    arrival: &Arrival<'_>,
    context_nip: &str,
    inspected: (InvoiceFacts, Vec<u8>, &'static str),
) -> Inspection {
    if inspected.0.has_attachment {
        let technical = arrival.hash_of_corrected.is_some();
        if !((arrival.batch || technical) && state.attachments_allowed.contains(context_nip)) {
            return Err(rejected(
                415,
                vec![
                    "Faktura z załącznikiem wymaga zgody na załączniki i sesji wsadowej (lub korekty technicznej)."
                        .to_owned(),
                ],
            ));
        }
    }
    Ok(inspected)
}
