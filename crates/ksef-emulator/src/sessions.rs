//! Online sessions (research §A(b)): open with an encrypted AES key, send encrypted
//! invoices, close; and what both kinds of session answer afterwards — status, invoice
//! statuses and lists with continuation tokens, UPOs by invoice, by KSeF number and by page.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use ksef_api_types::{
    FormCode, InvoiceStatusInfo, OpenOnlineSessionRequest, OpenOnlineSessionResponse, PublicKeyCertificateUsage,
    ReferenceNumber, ReferenceResponse, SendInvoiceRequest, SessionInvoiceStatusResponse, SessionInvoicesResponse,
    SessionStatusResponse, StatusInfo, UpoPageResponse, UpoResponse,
};
use serde::Deserialize;

use crate::clock::{iso, yyyymmdd};
use crate::guard::Ctx;
use crate::limits::Group;
use crate::process::{Arrival, description};
use crate::respond::{Caller, bad_request, json, validation};
use crate::state::{Outcome, Session, SessionInvoice, SessionKind};
use crate::upo::PAGE;
use crate::{KsefEmulator, Profile, crypto};

/// Permissions that allow sending invoices.
pub const WRITE: [&str; 3] = ["InvoiceWrite", "PefInvoiceWrite", "EnforcementOperations"];

/// Checks the form code for the profile; 21405 otherwise.
pub(crate) fn form_ok(form: &FormCode, profile: Profile) -> bool {
    let fa = form.value == "FA" && form.schema_version == "1-0E";
    (fa && form.system_code == "FA (3)") || (fa && form.system_code == "FA (2)" && profile == Profile::Test)
}

impl KsefEmulator {
    /// Decrypts a session key sent with `encryption`: `Ok(None)` when it is not a 32-byte
    /// key (the session then fails with 415), `Err` for an unknown `publicKeyId` (21470).
    pub(crate) fn session_key(
        &self,
        caller: &Caller,
        encryption: &ksef_api_types::EncryptionInfo,
    ) -> Result<(Option<[u8; 32]>, [u8; 16]), Response> {
        let now = self.now_ms();
        let iv: [u8; 16] = crypto::b64(&encryption.initialization_vector)
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| validation(caller, now, "initializationVector: wymagane 16 bajtów w Base64."))?;
        let keys = self.keys.read();
        let key = match encryption.public_key_id.as_deref() {
            Some(id) => keys
                .by_id(id, PublicKeyCertificateUsage::SymmetricKeyEncryption)
                .ok_or_else(|| {
                    bad_request(
                        caller,
                        now,
                        21470,
                        "Identyfikator klucza publicznego jest nieznany lub wycofany.",
                        vec![format!("publicKeyId {id}")],
                    )
                })?,
            None => keys
                .current(PublicKeyCertificateUsage::SymmetricKeyEncryption)
                .ok_or_else(crate::respond::unavailable)?,
        };
        let aes = crypto::b64(&encryption.encrypted_symmetric_key)
            .and_then(|ct| crypto::oaep_decrypt(&key.private, &ct))
            .and_then(|k| <[u8; 32]>::try_from(k).ok());
        Ok((aes, iv))
    }

    /// The session `reference` of the caller's context, or 21173.
    pub(crate) fn with_session<T>(
        &self,
        caller: &Caller,
        ctx: &Ctx,
        reference: &str,
        f: impl FnOnce(&mut crate::state::State, &ReferenceNumber) -> Result<T, Response>,
    ) -> Result<T, Response> {
        let now = self.now_ms();
        let missing = || {
            bad_request(
                caller,
                now,
                21173,
                "Brak sesji o wskazanym numerze referencyjnym.",
                vec![format!("Sesja {reference} nie istnieje.")],
            )
        };
        let reference: ReferenceNumber = reference.parse().map_err(|_| missing())?;
        let mut state = self.state.lock();
        match state.sessions.get(&reference) {
            Some(s) if s.nip == ctx.nip => f(&mut state, &reference),
            _ => Err(missing()),
        }
    }
}

/// An accepted invoice's acquisition and storage times and mode.
pub(crate) type Stored = Option<(i64, i64, &'static str)>;

/// A session invoice with what the store knows of it.
pub(crate) fn with_stored(state: &crate::state::State, inv: &SessionInvoice) -> (SessionInvoice, Stored) {
    let stored = match &inv.outcome {
        Outcome::Accepted { ksef } => state
            .invoices
            .get(ksef)
            .map(|i| (i.acquisition_ms, i.storage_ms, i.mode)),
        Outcome::Rejected { .. } => None,
    };
    (inv.clone(), stored)
}

/// When the session stopped taking invoices (closed by hand or by its 12 hours).
pub(crate) fn closed_at(s: &Session, now: i64) -> Option<i64> {
    s.closed_ms.or((now >= s.valid_until_ms).then_some(s.valid_until_ms))
}

fn status(code: i32, description: &str, details: Option<Vec<String>>) -> StatusInfo {
    StatusInfo {
        code,
        description: description.to_owned(),
        details,
    }
}

/// A session's status (research §A(b) codes).
pub(crate) fn session_status(s: &Session, now: i64, close_delay_ms: i64) -> StatusInfo {
    if s.key.is_none() {
        return status(415, "Błąd odszyfrowania dostarczonego klucza", None);
    }
    let Some(closed) = closed_at(s, now) else {
        return match s.kind {
            SessionKind::Online => status(100, "Sesja interaktywna otwarta", None),
            SessionKind::Batch => status(100, "Sesja wsadowa rozpoczęta", None),
        };
    };
    if now < closed + close_delay_ms || s.invoices.iter().any(|i| i.ready_ms > now) {
        return match s.kind {
            SessionKind::Online => status(170, "Sesja interaktywna zamknięta", None),
            SessionKind::Batch => status(150, "Trwa przetwarzanie", None),
        };
    }
    if s.invoices.is_empty() {
        return status(440, "Sesja anulowana", Some(vec!["Nie przesłano faktur".to_owned()]));
    }
    if s.invoices.iter().all(|i| matches!(i.outcome, Outcome::Rejected { .. })) {
        return status(445, "Błąd weryfikacji, brak poprawnych faktur", None);
    }
    status(200, "Sesja interaktywna przetworzona pomyślnie", None)
}

impl KsefEmulator {
    /// One invoice's status as KSeF answers it; presigned UPO links are made anew.
    pub(crate) fn invoice_status(
        &self,
        origin: &str,
        session: &ReferenceNumber,
        (inv, stored): &(SessionInvoice, Stored),
    ) -> SessionInvoiceStatusResponse {
        let now = self.now_ms();
        let mut response = SessionInvoiceStatusResponse {
            ordinal_number: inv.ordinal,
            invoice_number: None,
            ksef_number: None,
            reference_number: inv.reference.clone(),
            invoice_hash: inv.hash.clone(),
            invoice_file_name: inv.file_name.clone(),
            acquisition_date: None,
            invoicing_date: iso(inv.invoicing_ms),
            permanent_storage_date: None,
            upo_download_url: None,
            upo_download_url_expiration_date: None,
            invoicing_mode: None,
            status: InvoiceStatusInfo {
                code: 150,
                description: description(150).to_owned(),
                details: None,
                extensions: None,
            },
        };
        if now < inv.ready_ms {
            return response;
        }
        response.invoice_number = inv.number.clone();
        match &inv.outcome {
            Outcome::Accepted { ksef } => {
                if let Some((acquisition, storage, mode)) = stored {
                    let (url, expires) = self.presign(origin, &format!("/storage/upo/{session}/invoice/{ksef}"));
                    response.ksef_number = Some(ksef.clone());
                    response.acquisition_date = Some(iso(*acquisition));
                    response.permanent_storage_date = (now >= *storage).then(|| iso(*storage));
                    response.upo_download_url = Some(url);
                    response.upo_download_url_expiration_date = Some(expires);
                    response.invoicing_mode = Some((*mode).to_owned());
                }
                response.status = InvoiceStatusInfo {
                    code: 200,
                    description: description(200).to_owned(),
                    details: None,
                    extensions: None,
                };
            }
            Outcome::Rejected {
                code,
                details,
                extensions,
            } => {
                response.status = InvoiceStatusInfo {
                    code: *code,
                    description: description(*code).to_owned(),
                    details: (!details.is_empty()).then(|| details.clone()),
                    extensions: extensions.clone(),
                };
            }
        }
        response
    }
}

async fn open(
    State(emu): State<Arc<KsefEmulator>>,
    caller: Caller,
    body: Result<Json<OpenOnlineSessionRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let ctx = or_respond!(emu.access(&caller, Group::OnlineSession, &WRITE));
    let now = emu.now_ms();
    let Ok(Json(request)) = body else {
        return validation(
            &caller,
            now,
            "Treść żądania nie jest poprawnym OpenOnlineSessionRequest.",
        );
    };
    let settings = emu.settings();
    if !form_ok(&request.form_code, settings.profile) {
        return validation(
            &caller,
            now,
            format!(
                "formCode: nieobsługiwany kod formularza {} {} {}.",
                request.form_code.system_code, request.form_code.schema_version, request.form_code.value
            ),
        );
    }
    let (key, iv) = or_respond!(emu.session_key(&caller, &request.encryption));
    let reference = ReferenceNumber::generate(&yyyymmdd(now), "SO", rand::random());
    let valid_until_ms = now + settings.session_ttl_seconds * 1000;
    emu.state.lock().sessions.insert(
        reference.clone(),
        Session {
            kind: SessionKind::Online,
            nip: ctx.nip,
            login: ctx.login,
            form: request.form_code,
            key,
            iv,
            created_ms: now,
            updated_ms: now,
            valid_until_ms,
            closed_ms: None,
            invoices: Vec::new(),
            parts: Vec::new(),
            package: None,
            offline_mode: false,
        },
    );
    json(
        StatusCode::CREATED,
        &OpenOnlineSessionResponse {
            reference_number: reference,
            valid_until: iso(valid_until_ms),
        },
    )
}

async fn send(
    State(emu): State<Arc<KsefEmulator>>,
    caller: Caller,
    Path(reference): Path<String>,
    body: Result<Json<SendInvoiceRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let ctx = or_respond!(emu.access(&caller, Group::InvoiceSend, &WRITE));
    let now = emu.now_ms();
    let settings = emu.settings();
    let max = settings.max_invoices_per_session;
    let refuse =
        |code: i32, description: &str, detail: String| bad_request(&caller, now, code, description, vec![detail]);
    let closed = |r: &ReferenceNumber| {
        refuse(
            21180,
            "Status sesji nie pozwala na wykonanie operacji.",
            format!("Sesja {r} jest zamknięta."),
        )
    };
    let full = || {
        refuse(
            21155,
            "Przekroczono dozwoloną liczbę faktur w sesji.",
            format!("Limit: {max}."),
        )
    };
    // 1. Under the lock: the session is open and has room; its key.
    let session = emu.with_session(&caller, &ctx, &reference, |state, r| {
        let s = state.sessions.get(r).expect("with_session found it");
        if s.kind != SessionKind::Online || closed_at(s, now).is_some() {
            return Err(closed(r));
        }
        if s.invoices.len() >= max {
            return Err(full());
        }
        Ok((r.clone(), s.key, s.iv))
    });
    let (session_ref, key, iv) = or_respond!(session);
    // 2. Without it: the body, the hashes and sizes, decryption and every document check,
    //    so invoices of many sessions are validated in parallel.
    let Ok(Json(request)) = body else {
        return validation(&caller, now, "Treść żądania nie jest poprawnym SendInvoiceRequest.");
    };
    let Some(ciphertext) = crypto::b64(&request.encrypted_invoice_content) else {
        return validation(&caller, now, "encryptedInvoiceContent: nieprawidłowe Base64.");
    };
    if request.encrypted_invoice_size != ciphertext.len() as i64 {
        return refuse(21402, "Nieprawidłowy rozmiar pliku.", "encryptedInvoiceSize".to_owned());
    }
    if request.encrypted_invoice_hash != crypto::sha256_b64(&ciphertext) {
        return refuse(21403, "Nieprawidłowy skrót pliku.", "encryptedInvoiceHash".to_owned());
    }
    let plaintext = key.and_then(|k| crypto::aes_cbc_decrypt(&k, &iv, &ciphertext));
    if let Some(p) = &plaintext {
        if request.invoice_size != p.len() as i64 {
            return refuse(21402, "Nieprawidłowy rozmiar pliku.", "invoiceSize".to_owned());
        }
        if request.invoice_hash != crypto::sha256_b64(p) {
            return refuse(21403, "Nieprawidłowy skrót pliku.", "invoiceHash".to_owned());
        }
    }
    let inspection = crate::process::inspect(
        plaintext,
        request.offline_mode,
        &ctx.nip,
        settings.profile,
        now,
        &settings,
    );
    // 3. Under the lock again: still open, technical-correction rules, then recorded.
    let recorded = emu.with_session(&caller, &ctx, &reference, |state, r| {
        let s = state.sessions.get(r).expect("with_session found it");
        if closed_at(s, now).is_some() {
            return Err(closed(r));
        }
        if s.invoices.len() >= max {
            return Err(full());
        }
        if let Some(h) = &request.hash_of_corrected_invoice {
            if state.rejected_offline.get(h) == Some(&true) {
                return Err(refuse(
                    21166,
                    "Korekta techniczna niedostępna.",
                    "Faktura została już poprawnie skorygowana.".to_owned(),
                ));
            }
            // Only a rejected offline invoice may be corrected technically.
            if state.accepted_hashes.contains(h) || !state.rejected_offline.contains_key(h) {
                return Err(refuse(
                    21167,
                    "Status faktury nie pozwala na korektę techniczną.",
                    format!("hashOfCorrectedInvoice {h}"),
                ));
            }
        }
        Ok(emu.process(
            state,
            Arrival {
                inspection,
                hash: request.invoice_hash.clone(),
                offline_mode: request.offline_mode,
                hash_of_corrected: request.hash_of_corrected_invoice.clone(),
                file_name: None,
                session_ref: &session_ref,
                batch: false,
            },
        ))
    });
    let invoice_ref = or_respond!(recorded);
    json(
        StatusCode::ACCEPTED,
        &ReferenceResponse {
            reference_number: invoice_ref,
        },
    )
}

async fn close(State(emu): State<Arc<KsefEmulator>>, caller: Caller, Path(reference): Path<String>) -> Response {
    let ctx = or_respond!(emu.access(&caller, Group::OnlineSession, &WRITE));
    let now = emu.now_ms();
    let result = emu.with_session(&caller, &ctx, &reference, |state, r| {
        let s = state.sessions.get_mut(r).expect("with_session found it");
        if s.kind != SessionKind::Online || closed_at(s, now).is_some() {
            return Err(bad_request(
                &caller,
                now,
                21180,
                "Status sesji nie pozwala na wykonanie operacji.",
                vec![format!("Sesja {r} jest już zamknięta.")],
            ));
        }
        s.closed_ms = Some(now);
        s.updated_ms = now;
        Ok(())
    });
    or_respond!(result);
    StatusCode::NO_CONTENT.into_response()
}

async fn session(State(emu): State<Arc<KsefEmulator>>, caller: Caller, Path(reference): Path<String>) -> Response {
    let ctx = or_respond!(emu.access(&caller, Group::SessionMisc, &[]));
    let now = emu.now_ms();
    let delay = emu.settings().close_delay_ms;
    let result = emu.with_session(&caller, &ctx, &reference, |state, r| {
        let s = state.sessions.get(r).expect("with_session found it");
        let status = session_status(s, now, delay);
        let accepted = s
            .invoices
            .iter()
            .filter(|i| matches!(i.outcome, Outcome::Accepted { .. }))
            .count();
        Ok((
            status,
            s.created_ms,
            s.updated_ms,
            s.valid_until_ms,
            s.invoices.len(),
            accepted,
        ))
    });
    let (status, created, updated, valid_until, count, accepted) = or_respond!(result);
    let upo = (status.code == 200).then(|| UpoResponse {
        pages: (1..=accepted.div_ceil(PAGE))
            .map(|page| {
                let (download_url, download_url_expiration_date) =
                    emu.presign(&caller.origin, &format!("/storage/upo/{reference}/page/{page}"));
                UpoPageResponse {
                    reference_number: ReferenceNumber::generate(
                        &yyyymmdd(created),
                        "EU",
                        (page as u128) << 40 | created as u128,
                    ),
                    download_url,
                    download_url_expiration_date,
                }
            })
            .collect(),
    });
    let processed = status.code != 100;
    json(
        StatusCode::OK,
        &SessionStatusResponse {
            status,
            date_created: iso(created),
            date_updated: iso(updated),
            valid_until: Some(iso(valid_until)),
            upo,
            invoice_count: Some(count as i32),
            successful_invoice_count: processed.then_some(accepted as i32),
            failed_invoice_count: processed.then_some((count - accepted) as i32),
        },
    )
}

async fn invoice(
    State(emu): State<Arc<KsefEmulator>>,
    caller: Caller,
    Path((reference, invoice_ref)): Path<(String, String)>,
) -> Response {
    let ctx = or_respond!(emu.access(&caller, Group::InvoiceStatus, &[]));
    let now = emu.now_ms();
    let found = emu.with_session(&caller, &ctx, &reference, |state, r| {
        let s = state.sessions.get(r).expect("with_session found it");
        Ok((
            r.clone(),
            s.invoices
                .iter()
                .find(|i| i.reference.as_str() == invoice_ref)
                .map(|i| with_stored(state, i)),
        ))
    });
    let (session_ref, inv) = or_respond!(found);
    match inv {
        Some(inv) => json(StatusCode::OK, &emu.invoice_status(&caller.origin, &session_ref, &inv)),
        None => validation(
            &caller,
            now,
            format!("Faktura {invoice_ref} nie istnieje w sesji {reference}."),
        ),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageQuery {
    page_size: Option<usize>,
}

fn list(
    emu: &KsefEmulator,
    caller: &Caller,
    reference: &str,
    headers: &HeaderMap,
    page_size: Option<usize>,
    failed: bool,
) -> Response {
    let ctx = or_respond!(emu.access(caller, Group::SessionInvoiceList, &[]));
    let now = emu.now_ms();
    let size = page_size.unwrap_or(10);
    if !(10..=1000).contains(&size) {
        return validation(caller, now, "pageSize: dozwolone wartości 10–1000.");
    }
    let start = match headers.get("x-continuation-token").and_then(|v| v.to_str().ok()) {
        None => 0,
        Some(t) => match t.strip_prefix("ct-").and_then(|n| n.parse::<usize>().ok()) {
            Some(n) => n,
            None => return validation(caller, now, "x-continuation-token: nieprawidłowy token kontynuacji."),
        },
    };
    let found = emu.with_session(caller, &ctx, reference, |state, r| {
        let s = state.sessions.get(r).expect("with_session found it");
        let all: Vec<(SessionInvoice, Stored)> = s
            .invoices
            .iter()
            .filter(|i| !failed || (i.ready_ms <= now && matches!(i.outcome, Outcome::Rejected { .. })))
            .map(|i| with_stored(state, i))
            .collect();
        Ok((r.clone(), all))
    });
    let (session_ref, all) = or_respond!(found);
    let page: Vec<_> = all
        .iter()
        .skip(start)
        .take(size)
        .map(|i| emu.invoice_status(&caller.origin, &session_ref, i))
        .collect();
    let next = start + page.len();
    json(
        StatusCode::OK,
        &SessionInvoicesResponse {
            continuation_token: (next < all.len()).then(|| format!("ct-{next}")),
            invoices: page,
        },
    )
}

async fn invoices(
    State(emu): State<Arc<KsefEmulator>>,
    caller: Caller,
    Path(reference): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    list(&emu, &caller, &reference, &headers, q.page_size, false)
}

async fn failed(
    State(emu): State<Arc<KsefEmulator>>,
    caller: Caller,
    Path(reference): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    list(&emu, &caller, &reference, &headers, q.page_size, true)
}

pub(crate) fn router() -> Router<Arc<KsefEmulator>> {
    Router::new()
        .route("/sessions/online", post(open))
        .route("/sessions/online/{reference}/invoices", post(send))
        .route("/sessions/online/{reference}/close", post(close))
        .route("/sessions/{reference}", get(session))
        .route("/sessions/{reference}/invoices", get(invoices))
        .route("/sessions/{reference}/invoices/failed", get(failed))
        .route("/sessions/{reference}/invoices/{invoice}", get(invoice))
}
