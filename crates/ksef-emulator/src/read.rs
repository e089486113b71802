//! Reading invoices back (research §A(c)): the exact bytes by KSeF number, and metadata
//! queries by seller or buyer over at most three months.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use ksef_api_types::{
    BuyerIdentifier, InvoiceMetadata, InvoiceMetadataBuyer, InvoiceMetadataSeller, InvoiceQueryFilters,
    QueryInvoicesMetadataResponse,
};
use serde::Deserialize;

use crate::KsefEmulator;
use crate::clock::{DAY_MS, iso, parse_instant};
use crate::limits::Group;
use crate::respond::{Caller, bad_request, json, validation, xml_with_hash};

const READ: [&str; 1] = ["InvoiceRead"];

async fn invoice(State(emu): State<Arc<KsefEmulator>>, caller: Caller, Path(number): Path<String>) -> Response {
    let ctx = or_respond!(emu.access(&caller, Group::InvoiceDownload, &READ));
    let now = emu.now_ms();
    let not_found = || {
        bad_request(
            &caller,
            now,
            21164,
            "Faktura o podanym identyfikatorze nie istnieje.",
            vec![number.clone()],
        )
    };
    let Ok(ksef) = number.parse() else { return not_found() };
    let state = emu.state.lock();
    let Some(inv) = state.invoices.get(&ksef) else {
        return not_found();
    };
    // Seller, buyer and third parties may read it; nobody else learns it exists.
    let party =
        inv.facts.seller_nip == ctx.nip || inv.facts.buyer_id.1 == ctx.nip || inv.facts.third_nips.contains(&ctx.nip);
    if !party {
        return not_found();
    }
    if now < inv.storage_ms {
        return bad_request(
            &caller,
            now,
            21165,
            "Faktura o podanym identyfikatorze jest przetwarzana i nie jest jeszcze dostępna. Spróbuj ponownie później.",
            vec![number.clone()],
        );
    }
    xml_with_hash(inv.bytes.to_vec())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryParams {
    sort_order: Option<String>,
    page_offset: Option<usize>,
    page_size: Option<usize>,
}

/// A result set stops here (`isTruncated`).
const MAX_RESULTS: usize = 10_000;

async fn metadata(
    State(emu): State<Arc<KsefEmulator>>,
    caller: Caller,
    Query(params): Query<QueryParams>,
    body: Result<Json<InvoiceQueryFilters>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let ctx = or_respond!(emu.access(&caller, Group::InvoiceMetadata, &READ));
    let now = emu.now_ms();
    let Ok(Json(filters)) = body else {
        return validation(&caller, now, "Treść żądania nie jest poprawnym InvoiceQueryFilters.");
    };
    let size = params.page_size.unwrap_or(10);
    if !(10..=250).contains(&size) {
        return validation(&caller, now, "pageSize: dozwolone wartości 10–250.");
    }
    let Some(from) = parse_instant(&filters.date_range.from) else {
        return validation(&caller, now, "dateRange.from: nieprawidłowa data.");
    };
    let to = match filters.date_range.to.as_deref().map(parse_instant) {
        None => now,
        Some(Some(t)) => t,
        Some(None) => return validation(&caller, now, "dateRange.to: nieprawidłowa data."),
    };
    // Three calendar months at most; 92 days covers the longest three.
    if to - from > 92 * DAY_MS || to < from {
        return validation(&caller, now, "dateRange: zakres dat nie może przekraczać 3 miesięcy.");
    }
    let date_type = filters.date_range.date_type.as_str();
    if !["Issue", "Invoicing", "PermanentStorage"].contains(&date_type) {
        return validation(
            &caller,
            now,
            "dateRange.dateType: Issue, Invoicing lub PermanentStorage.",
        );
    }
    let state = emu.state.lock();
    let mut found: Vec<_> = state
        .invoices
        .iter()
        .filter(|(_, inv)| match filters.subject_type.as_str() {
            "Subject1" => inv.facts.seller_nip == ctx.nip,
            "Subject2" => inv.facts.buyer_id.1 == ctx.nip,
            "Subject3" => inv.facts.third_nips.contains(&ctx.nip),
            _ => false,
        })
        .filter(|(_, inv)| {
            let at = match date_type {
                "Issue" => parse_instant(&format!("{}T00:00:00", inv.facts.issue_date)).unwrap_or(0),
                "Invoicing" => inv.invoicing_ms,
                _ => inv.storage_ms,
            };
            at >= from && at <= to && (date_type != "PermanentStorage" || inv.storage_ms <= now)
        })
        .filter(|(k, _)| filters.ksef_number.as_deref().is_none_or(|n| k.as_str() == n))
        .filter(|(_, inv)| filters.invoice_number.as_deref().is_none_or(|n| inv.facts.number == n))
        .collect();
    found.sort_by_key(|(_, inv)| (inv.storage_ms, inv.invoicing_ms));
    if params.sort_order.as_deref() == Some("Desc") {
        found.reverse();
    }
    let truncated = found.len() > MAX_RESULTS;
    found.truncate(MAX_RESULTS);
    let offset = params.page_offset.unwrap_or(0) * size;
    let invoices: Vec<_> = found
        .iter()
        .skip(offset)
        .take(size)
        .map(|(ksef, inv)| InvoiceMetadata {
            ksef_number: (*ksef).clone(),
            invoice_number: inv.facts.number.clone(),
            issue_date: inv.facts.issue_date.clone(),
            invoicing_date: iso(inv.invoicing_ms),
            acquisition_date: iso(inv.acquisition_ms),
            permanent_storage_date: iso(inv.storage_ms),
            seller: InvoiceMetadataSeller {
                nip: inv.facts.seller_nip.clone(),
                name: inv.facts.seller_name.clone(),
            },
            buyer: InvoiceMetadataBuyer {
                identifier: BuyerIdentifier {
                    kind: inv.facts.buyer_id.0.clone(),
                    value: (!inv.facts.buyer_id.1.is_empty()).then(|| inv.facts.buyer_id.1.clone()),
                },
                name: inv.facts.buyer_name.clone(),
            },
            net_amount: inv.facts.net,
            gross_amount: inv.facts.gross,
            vat_amount: inv.facts.vat,
            currency: inv.facts.currency.clone(),
            invoicing_mode: inv.mode.to_owned(),
            invoice_type: inv.facts.invoice_type(),
            form_code: inv.form.clone(),
            is_self_invoicing: false,
            has_attachment: inv.facts.has_attachment,
            invoice_hash: inv.hash.clone(),
            hash_of_corrected_invoice: inv.hash_of_corrected.clone(),
        })
        .collect();
    let hwm = state
        .invoices
        .values()
        .filter(|i| i.storage_ms <= now)
        .map(|i| i.storage_ms)
        .max();
    json(
        StatusCode::OK,
        &QueryInvoicesMetadataResponse {
            has_more: offset + invoices.len() < found.len(),
            is_truncated: truncated,
            permanent_storage_hwm_date: (date_type == "PermanentStorage").then(|| iso(hwm.unwrap_or(now))),
            invoices,
        },
    )
}

pub(crate) fn router() -> Router<Arc<KsefEmulator>> {
    Router::new()
        .route("/invoices/ksef/{number}", get(invoice))
        .route("/invoices/query/metadata", post(metadata))
}
