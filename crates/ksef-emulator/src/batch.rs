//! Batch sessions (research §B): a ZIP of invoices split into parts of at most 100 MB,
//! each encrypted with the session key and PUT to a presigned link without the token;
//! on close, every invoice in the package is processed as an online one would be.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use ksef_api_types::{OpenBatchSessionRequest, OpenBatchSessionResponse, PartUploadRequest, ReferenceNumber};

use crate::clock::{iso, yyyymmdd};
use crate::limits::Group;
use crate::process::Arrival;
use crate::respond::{Caller, bad_request, json, validation};
use crate::sessions::{WRITE, closed_at, form_ok};
use crate::state::{Session, SessionKind};
use crate::{KsefEmulator, crypto};

/// Parts per package and bytes per part before encryption (KSeF's limits).
const MAX_PARTS: usize = 50;
const MAX_PART_BYTES: i64 = 100_000_000;

async fn open(
    State(emu): State<Arc<KsefEmulator>>,
    caller: Caller,
    body: Result<Json<OpenBatchSessionRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let ctx = or_respond!(emu.access(&caller, Group::BatchSession, &WRITE));
    let now = emu.now_ms();
    let Ok(Json(request)) = body else {
        return validation(
            &caller,
            now,
            "Treść żądania nie jest poprawnym OpenBatchSessionRequest.",
        );
    };
    let settings = emu.settings();
    if !form_ok(&request.form_code, settings.profile) {
        return validation(&caller, now, "formCode: nieobsługiwany kod formularza.");
    }
    let parts = &request.batch_file.file_parts;
    if parts.is_empty() || parts.len() > MAX_PARTS {
        return validation(&caller, now, format!("fileParts: od 1 do {MAX_PARTS} części."));
    }
    if parts
        .iter()
        .any(|p| p.file_size < 1 || p.file_size > MAX_PART_BYTES + 16)
    {
        return validation(&caller, now, "fileParts: część przekracza 100 MB.");
    }
    let mut ordinals: Vec<i32> = parts.iter().map(|p| p.ordinal_number).collect();
    ordinals.sort_unstable();
    if ordinals != (1..=parts.len() as i32).collect::<Vec<_>>() {
        return validation(&caller, now, "fileParts: numery części muszą być kolejne od 1.");
    }
    let (key, iv) = or_respond!(emu.session_key(&caller, &request.encryption));
    let reference = ReferenceNumber::generate(&yyyymmdd(now), "SB", rand::random());
    let mut sorted = parts.clone();
    sorted.sort_by_key(|p| p.ordinal_number);
    let uploads = sorted
        .iter()
        .map(|p| {
            let (url, _) = emu.presign(
                &caller.origin,
                &format!("/storage/batch/{reference}/{}", p.ordinal_number),
            );
            PartUploadRequest {
                ordinal_number: p.ordinal_number,
                method: "PUT".to_owned(),
                url,
                headers: BTreeMap::from([
                    ("Content-Type".to_owned(), Some("application/octet-stream".to_owned())),
                    ("x-ms-blob-type".to_owned(), Some("BlockBlob".to_owned())),
                ]),
            }
        })
        .collect();
    emu.state.lock().sessions.insert(
        reference.clone(),
        Session {
            kind: SessionKind::Batch,
            nip: ctx.nip,
            login: ctx.login,
            form: request.form_code,
            key,
            iv,
            created_ms: now,
            updated_ms: now,
            valid_until_ms: now + settings.session_ttl_seconds * 1000,
            closed_ms: None,
            invoices: Vec::new(),
            parts: sorted
                .iter()
                .map(|p| (p.file_size, p.file_hash.clone(), None))
                .collect(),
            package: Some((request.batch_file.file_size, request.batch_file.file_hash)),
            offline_mode: request.offline_mode,
        },
    );
    json(
        StatusCode::CREATED,
        &OpenBatchSessionResponse {
            reference_number: reference,
            part_upload_requests: uploads,
        },
    )
}

/// What a closing batch needs, copied out of the session under the lock.
struct Package {
    key: Option<[u8; 32]>,
    iv: [u8; 16],
    parts: Vec<(i64, String, Option<Vec<u8>>)>,
    declared: Option<(i64, String)>,
}

/// The package's invoices as `(file name, bytes)`, or why the package is unusable.
fn unpack(package: &Package) -> Result<Vec<(String, Vec<u8>)>, String> {
    let key = package.key.ok_or("Nie udało się odszyfrować klucza sesji.")?;
    let mut zip_bytes = Vec::new();
    for (i, (size, hash, bytes)) in package.parts.iter().enumerate() {
        let bytes = bytes
            .as_ref()
            .ok_or_else(|| format!("Część {} nie została przesłana.", i + 1))?;
        if bytes.len() as i64 != *size || crypto::sha256_b64(bytes) != *hash {
            return Err(format!(
                "Część {}: rozmiar lub skrót nie zgadza się z deklaracją.",
                i + 1
            ));
        }
        let plain = crypto::aes_cbc_decrypt(&key, &package.iv, bytes)
            .ok_or_else(|| format!("Część {}: nie udało się odszyfrować.", i + 1))?;
        zip_bytes.extend_from_slice(&plain);
    }
    if let Some((size, hash)) = &package.declared
        && (zip_bytes.len() as i64 != *size || crypto::sha256_b64(&zip_bytes) != *hash)
    {
        return Err("Paczka: rozmiar lub skrót nie zgadza się z deklaracją.".to_owned());
    }
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes))
        .map_err(|e| format!("Paczka nie jest archiwum ZIP: {e}"))?;
    let mut out = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).map_err(|e| format!("Paczka: {e}"))?;
        if file.is_dir() {
            continue;
        }
        let name = file.name().to_owned();
        let mut bytes = Vec::with_capacity(file.size().min(4_000_000) as usize);
        // Bounded: a single invoice is at most 3 MB, so a "ZIP bomb" entry stops here.
        (&mut file)
            .take(4_000_000)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("Paczka: {name}: {e}"))?;
        out.push((name, bytes));
    }
    Ok(out)
}

async fn close(State(emu): State<Arc<KsefEmulator>>, caller: Caller, Path(reference): Path<String>) -> Response {
    let ctx = or_respond!(emu.access(&caller, Group::BatchSession, &WRITE));
    let now = emu.now_ms();
    let settings = emu.settings();
    let max = settings.max_invoices_per_session;
    let closed = |r: &ReferenceNumber| {
        bad_request(
            &caller,
            now,
            21180,
            "Status sesji nie pozwala na wykonanie operacji.",
            vec![format!("Sesja {r} jest już zamknięta.")],
        )
    };
    let taken = emu.with_session(&caller, &ctx, &reference, |state, r| {
        let s = state.sessions.get(r).expect("with_session found it");
        if s.kind != SessionKind::Batch || closed_at(s, now).is_some() {
            return Err(closed(r));
        }
        if let Some(missing) = s.parts.iter().position(|p| p.2.is_none()) {
            return Err(validation(
                &caller,
                now,
                format!("Część {} paczki nie została przesłana.", missing + 1),
            ));
        }
        Ok((
            r.clone(),
            s.offline_mode,
            Package {
                key: s.key,
                iv: s.iv,
                parts: s.parts.clone(),
                declared: s.package.clone(),
            },
        ))
    });
    let (session_ref, offline, package) = or_respond!(taken);
    // Decryption, unpacking and every invoice's checks run without the lock.
    let files = or_respond!(unpack(&package).map_err(|e| validation(&caller, now, e)));
    if files.len() > max {
        return bad_request(
            &caller,
            now,
            21155,
            "Przekroczono dozwoloną liczbę faktur w sesji.",
            vec![format!("Limit: {max}.")],
        );
    }
    let inspected: Vec<_> = files
        .into_iter()
        .map(|(name, bytes)| {
            let hash = crypto::sha256_b64(&bytes);
            let inspection = crate::process::inspect(Some(bytes), offline, &ctx.nip, settings.profile, now, &settings);
            (name, hash, inspection)
        })
        .collect();
    let result = emu.with_session(&caller, &ctx, &reference, |state, r| {
        if closed_at(state.sessions.get(r).expect("with_session found it"), now).is_some() {
            return Err(closed(r));
        }
        for (name, hash, inspection) in inspected {
            emu.process(
                state,
                Arrival {
                    inspection,
                    hash,
                    offline_mode: offline,
                    hash_of_corrected: None,
                    file_name: Some(name),
                    session_ref: &session_ref,
                    batch: true,
                },
            );
        }
        let s = state.sessions.get_mut(r).expect("still there");
        s.closed_ms = Some(now);
        s.updated_ms = now;
        // The parts are not needed any more; drop them to keep memory bounded.
        for p in &mut s.parts {
            p.2 = None;
        }
        Ok(())
    });
    or_respond!(result);
    tracing::debug!(session = %reference, at = %iso(now), "batch session closed");
    StatusCode::NO_CONTENT.into_response()
}

pub(crate) fn router() -> Router<Arc<KsefEmulator>> {
    Router::new()
        .route("/sessions/batch", post(open))
        .route("/sessions/batch/{reference}/close", post(close))
}
