//! The API of the invoicing profile, invoices and corrections.

use crate::WebState;
use crate::api::body;
use crate::auth::ApiUser;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, Query, State, rejection::JsonRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProfileBody {
    name: String,
    nip: String,
    address_line1: String,
    address_line2: String,
    #[serde(default = "default_country")]
    country: String,
    bank_account: Option<String>,
    #[serde(default)]
    place_of_issue: String,
    #[serde(default = "default_payment_days")]
    payment_days: u32,
    exemption_basis: Option<String>,
    krs: Option<String>,
    regon: Option<String>,
    bdo: Option<String>,
    #[serde(default)]
    intra_eu_supply: bool,
    #[serde(default)]
    oss: bool,
}

fn default_country() -> String {
    "PL".into()
}

fn default_payment_days() -> u32 {
    14
}

/// The invoicing profile as the API answers it (`components.schemas.InvoicingProfile`).
#[derive(Debug, Serialize)]
pub(crate) struct ProfileOut {
    name: String,
    nip: Option<String>,
    address_line1: String,
    address_line2: String,
    country: String,
    bank_account: Option<String>,
    place_of_issue: String,
    payment_days: u32,
    exemption_basis: Option<String>,
    krs: Option<String>,
    regon: Option<String>,
    bdo: Option<String>,
    intra_eu_supply: bool,
    oss: bool,
}

impl From<&domain::InvoicingProfile> for ProfileOut {
    fn from(p: &domain::InvoicingProfile) -> Self {
        Self {
            name: p.seller.name.clone(),
            nip: p.seller.nip.as_ref().map(|n| n.as_str().to_owned()),
            address_line1: p.seller.address_line1.clone(),
            address_line2: p.seller.address_line2.clone(),
            country: p.seller.country.clone(),
            bank_account: p.bank_account.clone(),
            place_of_issue: p.place_of_issue.clone(),
            payment_days: p.payment_days,
            exemption_basis: p.exemption_basis.clone(),
            krs: p.registers.krs.clone(),
            regon: p.registers.regon.clone(),
            bdo: p.registers.bdo.clone(),
            intra_eu_supply: p.intra_eu_supply,
            oss: p.oss,
        }
    }
}

pub(crate) async fn get_profile(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
) -> Result<Json<ProfileOut>, ApiError> {
    let profile = state
        .app
        .invoicing_profile(&user)
        .await?
        .ok_or(ApiError::App(app::AppError::NotFound))?;
    Ok(Json(ProfileOut::from(&profile)))
}

pub(crate) async fn put_profile(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    payload: Result<Json<ProfileBody>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let b = body(payload)?;
    let nip: domain::Nip = b
        .nip
        .parse()
        .map_err(|e: domain::NipError| ApiError::App(app::invalid("nip", e)))?;
    let profile = domain::InvoicingProfile {
        seller: domain::Party {
            name: b.name,
            nip: Some(nip),
            vat_eu: None,
            address_line1: b.address_line1,
            address_line2: b.address_line2,
            country: b.country.to_uppercase(),
        },
        bank_account: b.bank_account.filter(|a| !a.trim().is_empty()),
        place_of_issue: b.place_of_issue,
        payment_days: b.payment_days,
        exemption_basis: b.exemption_basis.filter(|e| !e.trim().is_empty()),
        registers: domain::Registers {
            krs: b.krs.filter(|v| !v.trim().is_empty()),
            regon: b.regon.filter(|v| !v.trim().is_empty()),
            bdo: b.bdo.filter(|v| !v.trim().is_empty()),
        },
        intra_eu_supply: b.intra_eu_supply,
        oss: b.oss,
    };
    state.app.save_invoicing_profile(&user, &profile).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An invoice as the API answers it (`components.schemas.Invoice`); one invoice's own
/// answer adds its lines, totals per rate and the amount in words
/// (`components.schemas.InvoiceDetail`).
#[derive(Debug, Serialize)]
pub(crate) struct InvoiceOut {
    id: String,
    number: String,
    kind: domain::InvoiceKind,
    order_id: String,
    account_id: domain::AccountId,
    /// A Polish calendar day.
    issue_date: String,
    buyer: String,
    total: String,
    currency: String,
    xml: String,
    pdf: String,
    allegro: UploadOut,
    /// Where it stands with KSeF, when looked up (the list, one invoice): null when it
    /// does not go to KSeF.
    #[serde(skip_serializing_if = "Option::is_none")]
    ksef: Option<Option<KsefOut>>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    detail: Option<InvoiceDetail>,
}

/// Where sending the PDF to the Allegro order stands.
#[derive(Debug, Serialize)]
pub(crate) struct UploadOut {
    state: &'static str,
    invoice_id: Option<String>,
    /// RFC 3339 with Poland's offset.
    uploaded_at: Option<String>,
    attempts: i64,
    error: Option<String>,
}

/// One invoice's lines, totals per rate and amount in words.
#[derive(Debug, Serialize)]
pub(crate) struct InvoiceDetail {
    per_rate: Vec<RateTotalOut>,
    lines: Vec<LineOut>,
    in_words: String,
}

impl KsefOut {
    fn of(id: &domain::InvoiceId, k: &app::InvoiceInKsef) -> Self {
        Self {
            state: k.state.as_str(),
            number: k.number.clone(),
            acquired_at: k.acquired_at.clone(),
            attempts: k.attempts,
            error: k.problem.as_ref().map(|p| crate::i18n::Tr::current().problem(p)),
            upo_url: k.has_upo.then(|| format!("/api/v1/invoices/{id}/upo")),
            invoicing_mode: k.invoicing_mode.clone(),
            offline: k.offline_mode.map(|mode| OfflineOut {
                mode: mode.as_str(),
                deadline: k.offline_deadline.clone(),
                certificate_code: k.has_certificate_code,
            }),
        }
    }
}

/// How an invoice issued offline stands (`components.schemas.KsefOffline`).
#[derive(Debug, Serialize)]
pub(crate) struct OfflineOut {
    /// `offline24`, `unavailable` or `failure`.
    mode: &'static str,
    /// The last day it may reach KSeF; `null` while KSeF's unavailability lasts.
    deadline: Option<String>,
    /// Its PDF carries KOD II.
    certificate_code: bool,
}

/// An invoice's way to KSeF.
#[derive(Debug, Serialize)]
pub(crate) struct KsefOut {
    state: &'static str,
    number: Option<String>,
    acquired_at: Option<String>,
    attempts: i64,
    error: Option<String>,
    upo_url: Option<String>,
    invoicing_mode: Option<String>,
    offline: Option<OfflineOut>,
}

/// Net, VAT and gross of one rate.
#[derive(Debug, Serialize)]
pub(crate) struct RateTotalOut {
    rate: String,
    net: String,
    vat: String,
    gross: String,
}

/// One line of an invoice.
#[derive(Debug, Serialize)]
pub(crate) struct LineOut {
    name: String,
    quantity: i64,
    unit_gross: String,
    gross: String,
    rate: String,
}

impl From<&store::InvoiceRecord> for InvoiceOut {
    fn from(r: &store::InvoiceRecord) -> Self {
        Self {
            id: r.id.to_string(),
            number: r.number.clone(),
            kind: r.kind,
            order_id: r.order_id.to_string(),
            account_id: r.account_id.clone(),
            issue_date: r.issue_date.clone(),
            buyer: r.buyer_name.clone(),
            total: domain::decimal_text(r.total_minor),
            currency: r.currency.clone(),
            xml: format!("/api/v1/invoices/{}/xml", r.id),
            pdf: format!("/api/v1/invoices/{}/pdf", r.id),
            allegro: UploadOut {
                state: r.upload.state.as_str(),
                invoice_id: r.upload.allegro_invoice_id.clone(),
                uploaded_at: r.upload.uploaded_at_ms.map(domain::time::rfc3339),
                attempts: r.upload.attempts,
                error: r.upload.error.as_deref().map(|e| crate::i18n::Tr::current().stored(e)),
            },
            ksef: None,
            detail: None,
        }
    }
}

/// A page of invoices (`components.schemas.InvoicePage`).
#[derive(Debug, Serialize)]
pub(crate) struct InvoicePage {
    invoices: Vec<InvoiceOut>,
    total: i64,
    offset: i64,
    limit: i64,
}

pub(crate) async fn resend_invoice(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<domain::InvoiceId>,
) -> Result<Response, ApiError> {
    state.app.resend_invoice(&user, &raw).await?;
    let (record, _) = state.app.invoice(&user, &raw).await?;
    Ok((StatusCode::ACCEPTED, Json(InvoiceOut::from(&record))).into_response())
}

pub(crate) async fn issue_correction(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(order): Path<domain::OrderId>,
) -> Result<Response, ApiError> {
    Ok(match state.app.issue_correction(&user, &order).await? {
        app::IssueOutcome::Issued(r) => (StatusCode::CREATED, Json(InvoiceOut::from(&r))).into_response(),
        app::IssueOutcome::AlreadyIssued(r) => (StatusCode::OK, Json(InvoiceOut::from(&r))).into_response(),
    })
}

/// What `POST /api/v1/orders/{id}/invoice` may say; no body issues a plain invoice.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IssueBody {
    #[serde(default)]
    to_receipt: bool,
    #[serde(default)]
    receipt_has_buyer_nip: bool,
}

pub(crate) async fn issue_invoice(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(order): Path<domain::OrderId>,
    raw: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let b: IssueBody = if raw.iter().all(u8::is_ascii_whitespace) {
        IssueBody::default()
    } else {
        serde_json::from_slice(&raw).map_err(|e| ApiError::BadRequest(format!("Invalid JSON body: {e}")))?
    };
    let issued = if b.to_receipt {
        let receipt = app::ReceiptGiven {
            with_buyer_nip: b.receipt_has_buyer_nip,
        };
        state.app.issue_invoice_to_receipt(&user, &order, receipt).await?
    } else {
        state.app.issue_invoice(&user, &order).await?
    };
    Ok(match issued {
        app::IssueOutcome::Issued(r) => (StatusCode::CREATED, Json(InvoiceOut::from(&r))).into_response(),
        app::IssueOutcome::AlreadyIssued(r) => (StatusCode::OK, Json(InvoiceOut::from(&r))).into_response(),
    })
}

fn default_page() -> i64 {
    50
}

pub(crate) async fn list_invoices(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    query: Result<
        axum::extract::Query<crate::invoices::query::InvoiceParams>,
        axum::extract::rejection::QueryRejection,
    >,
) -> Result<Json<InvoicePage>, ApiError> {
    let q = query
        .map(|axum::extract::Query(q)| q)
        .map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let filter = q
        .filter()
        .map_err(|(field, problem)| ApiError::App(app::invalid(field, problem)))?;
    let (offset, limit) = (q.offset.unwrap_or(0), q.limit.unwrap_or_else(default_page));
    let (list, total) = state.app.invoices(&user, &filter, offset, limit).await?;
    let ids: Vec<domain::InvoiceId> = list.iter().map(|r| r.id.clone()).collect();
    let ksef = state.app.ksef_of_invoices(&user, &ids).await?;
    Ok(Json(InvoicePage {
        invoices: list
            .iter()
            .map(|r| InvoiceOut {
                ksef: Some(ksef.get(&r.id).map(|k| KsefOut::of(&r.id, k))),
                ..InvoiceOut::from(r)
            })
            .collect(),
        total,
        offset,
        limit,
    }))
}

pub(crate) async fn get_invoice(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<domain::InvoiceId>,
) -> Result<Json<InvoiceOut>, ApiError> {
    let (record, invoice) = state.app.invoice(&user, &raw).await?;
    let ksef = state.app.invoice_in_ksef(&user, &raw).await?;
    let mut out = InvoiceOut::from(&record);
    out.detail = Some(InvoiceDetail {
        per_rate: invoice
            .summary
            .per_rate
            .iter()
            .map(|t| RateTotalOut {
                rate: t.rate.to_string(),
                net: domain::decimal_text(t.net),
                vat: domain::decimal_text(t.vat),
                gross: domain::decimal_text(t.gross),
            })
            .collect(),
        lines: invoice
            .summary
            .lines
            .iter()
            .map(|l| LineOut {
                name: l.name.clone(),
                quantity: l.quantity,
                unit_gross: domain::decimal_text(l.unit_gross),
                gross: domain::decimal_text(l.gross),
                rate: l.rate.to_string(),
            })
            .collect(),
        in_words: domain::amount_in_words_pl(record.total_minor, &record.currency),
    });
    out.ksef = Some(ksef.as_ref().map(|k| KsefOut::of(&record.id, k)));
    Ok(Json(out))
}

pub(crate) async fn invoice_xml(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<domain::InvoiceId>,
) -> Result<Response, ApiError> {
    let (record, xml) = state.app.invoice_xml(&user, &raw).await?;
    let file = record.file_name("xml");
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/xml; charset=utf-8".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                crate::content_disposition("attachment", &file),
            ),
        ],
        xml,
    )
        .into_response())
}

pub(crate) async fn invoice_pdf(
    State(state): State<WebState>,
    ApiUser(user): ApiUser,
    Path(raw): Path<domain::InvoiceId>,
    Query(q): Query<crate::invoices::PdfQuery>,
) -> Result<Response, ApiError> {
    let (record, pdf) = state.app.invoice_pdf(&user, &raw, q.language()?).await?;
    Ok(crate::invoices::pdf_response(&record.file_name("pdf"), pdf))
}
