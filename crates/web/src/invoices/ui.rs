//! Invoices in the back-office: the seller's invoicing profile ("Dane do faktur"), the
//! invoices list with search by number, one invoice, its FA(3) XML, and "Wystaw fakturę"
//! on an order.

use app::{AppError, IssueOutcome};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::WebState;
use crate::auth::UiUser;
use crate::error::page_error;
use crate::i18n::Tr;
use crate::invoices::query::{InvoiceParams, UPLOAD_STATES};
use crate::views::{Chrome, render};

#[derive(Template)]
#[template(path = "invoicing_profile.html")]
struct ProfilePage {
    c: Chrome,
    f: ProfileForm,
    saved: bool,
    error: Option<String>,
}

/// The profile form's fields, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct ProfileForm {
    name: String,
    nip: String,
    address_line1: String,
    address_line2: String,
    #[serde(default)]
    bank_account: String,
    #[serde(default)]
    place_of_issue: String,
    #[serde(default)]
    payment_days: String,
    #[serde(default)]
    exemption_basis: String,
    #[serde(default)]
    krs: String,
    #[serde(default)]
    regon: String,
    #[serde(default)]
    bdo: String,
    #[serde(default)]
    intra_eu_supply: Option<String>,
    #[serde(default)]
    oss: Option<String>,
}

/// A register entry as typed: blanks and spaces away, empty is none.
fn register(value: &str) -> Option<String> {
    Some(
        value
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>(),
    )
    .filter(|v| !v.is_empty())
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn profile(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Query(q): Query<SavedQuery>,
) -> Response {
    match state.app.invoicing_profile(&user).await {
        Ok(p) => {
            let f = p
                .map(|p| ProfileForm {
                    name: p.seller.name,
                    nip: p.seller.nip.map(|n| n.to_string()).unwrap_or_default(),
                    address_line1: p.seller.address_line1,
                    address_line2: p.seller.address_line2,
                    bank_account: p.bank_account.unwrap_or_default(),
                    place_of_issue: p.place_of_issue,
                    payment_days: p.payment_days.to_string(),
                    exemption_basis: p.exemption_basis.unwrap_or_default(),
                    krs: p.registers.krs.unwrap_or_default(),
                    regon: p.registers.regon.unwrap_or_default(),
                    bdo: p.registers.bdo.unwrap_or_default(),
                    intra_eu_supply: p.intra_eu_supply.then(|| "1".into()),
                    oss: p.oss.then(|| "1".into()),
                })
                .unwrap_or_else(|| ProfileForm {
                    payment_days: "14".into(),
                    ..ProfileForm::default()
                });
            render(&ProfilePage {
                c: Chrome::for_user(&tr, &user),
                f,
                saved: q.saved.is_some(),
                error: None,
            })
        }
        Err(e) => page_error(&tr, e),
    }
}

pub async fn save_profile(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Form(f): Form<ProfileForm>,
) -> Response {
    let parsed = (|| {
        let nip = f.nip.parse::<domain::Nip>().map_err(|e| app::invalid("nip", e))?;
        let payment_days = f
            .payment_days
            .trim()
            .parse::<u32>()
            .map_err(|_| app::invalid("payment_days", "a whole number of days"))?;
        Ok::<_, AppError>(domain::InvoicingProfile {
            seller: domain::Party {
                name: f.name.trim().to_owned(),
                nip: Some(nip),
                vat_eu: None,
                address_line1: f.address_line1.trim().to_owned(),
                address_line2: f.address_line2.trim().to_owned(),
                country: "PL".into(),
            },
            bank_account: Some(f.bank_account.trim().to_owned()).filter(|a| !a.is_empty()),
            place_of_issue: f.place_of_issue.trim().to_owned(),
            payment_days,
            exemption_basis: Some(f.exemption_basis.trim().to_owned()).filter(|e| !e.is_empty()),
            registers: domain::Registers {
                krs: register(&f.krs),
                regon: register(&f.regon),
                bdo: register(&f.bdo),
            },
            intra_eu_supply: f.intra_eu_supply.is_some(),
            oss: f.oss.is_some(),
        })
    })();
    let result = match parsed {
        Ok(p) => state.app.save_invoicing_profile(&user, &p).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Redirect::to("/invoicing-profile?saved=1").into_response(),
        Err(AppError::Validation { field, problem }) => {
            let mut r = render(&ProfilePage {
                c: Chrome::for_user(&tr, &user),
                f,
                saved: false,
                error: Some(tr.invalid(field, &problem)),
            });
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
        Err(e) => page_error(&tr, e),
    }
}

struct InvoiceRow {
    id: String,
    number: String,
    kind: String,
    issue_date: String,
    buyer: String,
    total: String,
    allegro: String,
    allegro_state: &'static str,
    /// The KSeF number, or where it stands; empty when it does not go to KSeF.
    ksef: String,
    ksef_state: &'static str,
    order_href: String,
    /// Issued after the legal deadline for its sale.
    late: bool,
}

#[derive(Template)]
#[template(path = "invoices.html")]
struct InvoicesPage {
    c: Chrome,
    rows: Vec<InvoiceRow>,
    q: InvoiceParams,
    kinds: Vec<(&'static str, String)>,
    upload_states: Vec<(&'static str, String)>,
    ksef_states: Vec<(&'static str, String)>,
    error: Option<String>,
    total_text: String,
}

impl InvoicesPage {
    /// A filter's value as typed (empty when not given).
    fn text<'a>(&self, v: &'a Option<String>) -> &'a str {
        v.as_deref().unwrap_or_default()
    }
}

fn money(minor: i64, currency: &str) -> String {
    crate::views::money(Some(minor), currency)
}

pub async fn invoices(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Query(q): Query<InvoiceParams>,
) -> Response {
    let mut page = InvoicesPage {
        c: Chrome::for_user(&tr, &user),
        rows: Vec::new(),
        kinds: domain::InvoiceKind::ALL
            .iter()
            .map(|k| (k.as_str(), tr.t(&format!("invoice-kind-{k}"))))
            .collect(),
        upload_states: UPLOAD_STATES
            .iter()
            .map(|s| (s.as_str(), tr.t(&format!("upload-{}", s.as_str()))))
            .collect(),
        ksef_states: store::KsefFilter::ALL
            .iter()
            .map(|s| (s.as_str(), tr.t(&format!("ksef-list-{}", s.as_str()))))
            .collect(),
        error: None,
        total_text: String::new(),
        q,
    };
    let filter = match page.q.filter() {
        Ok(f) => f,
        Err((field, problem)) => {
            page.error = Some(tr.invalid(field, &problem));
            let mut r = render(&page);
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return r;
        }
    };
    let found = async {
        let accounts = state.app.accounts(&user).await?;
        let (list, total) = state.app.invoices(&user, &filter, 0, 200).await?;
        let ids: Vec<domain::InvoiceId> = list.iter().map(|r| r.id.clone()).collect();
        let ksef = state.app.ksef_of_invoices(&user, &ids).await?;
        Ok::<_, AppError>((accounts, (list, total), ksef))
    }
    .await;
    match found {
        Ok((accounts, (list, total), ksef)) => {
            page.c = page.c.with_relogin(&accounts);
            page.rows = list
                .iter()
                .map(|i| InvoiceRow {
                    id: i.id.to_string(),
                    number: i.number.clone(),
                    kind: tr.t(&format!("invoice-kind-{}", i.kind)),
                    issue_date: i.issue_date.clone(),
                    buyer: i.buyer_name.clone(),
                    total: money(i.total_minor, &i.currency),
                    allegro: tr.t(&format!("upload-{}", i.upload.state.as_str())),
                    allegro_state: i.upload.state.as_str(),
                    ksef: ksef
                        .get(&i.id)
                        .map_or_else(String::new, |k| match (&k.number, k.offline_mode) {
                            (Some(number), _) => number.clone(),
                            (None, Some(_)) => format!(
                                "{} ({})",
                                tr.t("ksef-list-offline"),
                                crate::ksef::deadline_text(&tr, k.offline_mode, k.offline_deadline.as_deref())
                            ),
                            (None, None) => tr.t(&format!("ksef-list-{}", k.state.as_str())),
                        }),
                    ksef_state: ksef.get(&i.id).map_or("outside", |k| k.state.as_str()),
                    order_href: crate::views::order_href(&i.order_id),
                    late: app::issued_late(i),
                })
                .collect();
            page.total_text = tr.count("invoices-count", total);
            render(&page)
        }
        Err(e) => page_error(&tr, e),
    }
}

#[derive(Template)]
#[template(path = "invoice.html")]
struct InvoicePage {
    c: Chrome,
    id: String,
    number: String,
    issue_date: String,
    sale_date: String,
    late: bool,
    seller: domain::Party,
    buyer: domain::Party,
    lines: Vec<(String, i64, String, String, String)>,
    per_rate: Vec<(String, String, String, String)>,
    total: String,
    in_words: String,
    payment: String,
    order_href: String,
    upload: String,
    can_resend: bool,
    resent: bool,
    /// Where it stands with KSeF, in words; `None` when it does not go there.
    ksef: Option<String>,
    ksef_state: &'static str,
    ksef_upo: bool,
    /// Its way to KSeF, step by step.
    ksef_history: Vec<String>,
    /// What "Porównaj z KSeF" found: (same, words).
    compared: Option<(bool, String)>,
}

/// `?resent=1` after "Wyślij ponownie".
#[derive(Debug, Default, Deserialize)]
pub struct InvoicePageQuery {
    #[serde(default)]
    resent: Option<String>,
    /// `same` or `different` after "Porównaj z KSeF".
    #[serde(default)]
    compared: Option<String>,
}

fn upload_text(tr: &Tr, u: &store::InvoiceUpload) -> String {
    let when = |ms: i64| domain::time::polish_time_text(ms);
    match u.state {
        store::UploadState::Pending => match &u.error {
            Some(error) => tr.args(
                "invoice-upload-retry",
                &[
                    ("attempts", &u.attempts.to_string()),
                    ("error", &tr.stored(error)),
                    ("next", &when(u.next_at_ms)),
                ],
            ),
            None => tr.t("invoice-upload-pending"),
        },
        store::UploadState::Uploaded => tr.args(
            "invoice-upload-uploaded",
            &[("at", &u.uploaded_at_ms.map(when).unwrap_or_default())],
        ),
        store::UploadState::Refused => match u.error.as_deref() {
            Some(stored) if app::Problem::from_stored(stored).is_some() => tr.stored(stored),
            other => tr.args("invoice-upload-refused", &[("error", other.unwrap_or("—"))]),
        },
        store::UploadState::NotApplicable => tr.t("invoice-upload-not_applicable"),
    }
}

pub async fn invoice(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(id): Path<domain::InvoiceId>,
    Query(q): Query<InvoicePageQuery>,
) -> Response {
    let found = async {
        let (record, inv) = state.app.invoice(&user, &id).await?;
        let ksef = state.app.invoice_in_ksef(&user, &id).await?;
        Ok::<_, app::AppError>((record, inv, ksef))
    };
    let (record, inv, ksef) = match found.await {
        Ok(v) => v,
        Err(e) => return page_error(&tr, e),
    };
    let cur = inv.currency.clone();
    let rate = |r: domain::VatRate| r.label();
    render(&InvoicePage {
        c: Chrome::for_user(&tr, &user),
        id: record.id.to_string(),
        number: record.number.clone(),
        issue_date: inv.issue_date.clone(),
        sale_date: inv.sale_date.clone(),
        late: app::issued_late(&record),
        lines: inv
            .summary
            .lines
            .iter()
            .map(|l| {
                (
                    l.name.clone(),
                    l.quantity,
                    money(l.unit_gross, &cur),
                    rate(l.rate),
                    money(l.gross, &cur),
                )
            })
            .collect(),
        per_rate: inv
            .summary
            .per_rate
            .iter()
            .map(|t| {
                (
                    rate(t.rate),
                    money(t.net, &cur),
                    money(t.vat, &cur),
                    money(t.gross, &cur),
                )
            })
            .collect(),
        total: money(inv.summary.total_gross, &cur),
        in_words: domain::amount_in_words_pl(inv.summary.total_gross, &cur),
        payment: match &inv.payment {
            domain::Payment::Paid { date, description } => {
                format!("{} ({date})", tr.args("invoice-paid", &[("how", description)]))
            }
            domain::Payment::Transfer { due, account } => tr.args(
                "invoice-transfer",
                &[("due", due), ("account", account.as_deref().unwrap_or("—"))],
            ),
            domain::Payment::OnDelivery { description } => tr.t1("invoice-on-delivery", "how", description),
            domain::Payment::Settlement { description, .. } => description.clone(),
        },
        order_href: crate::views::order_href(&record.order_id),
        upload: upload_text(&tr, &record.upload),
        can_resend: record.upload.state == store::UploadState::Refused
            || (record.upload.state == store::UploadState::Pending && record.upload.error.is_some()),
        resent: q.resent.is_some(),
        ksef: ksef.as_ref().map(|k| crate::ksef::invoice_text(&tr, k)),
        ksef_state: ksef.as_ref().map_or("", |k| k.state.as_str()),
        ksef_upo: ksef.as_ref().is_some_and(|k| k.has_upo),
        ksef_history: ksef.as_ref().map(|k| crate::ksef::history(&tr, k)).unwrap_or_default(),
        compared: match q.compared.as_deref() {
            Some("same") => Some((true, tr.t("ksef-compared-same"))),
            Some("different") => Some((false, tr.t("ksef-compared-different"))),
            _ => None,
        },
        seller: inv.seller,
        buyer: inv.buyer,
    })
}

pub async fn invoice_xml(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(id): Path<domain::InvoiceId>,
) -> Response {
    match state.app.invoice_xml(&user, &id).await {
        Ok((record, xml)) => {
            let file = record.file_name("xml");
            (
                [
                    (header::CONTENT_TYPE, "application/xml; charset=utf-8".to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        crate::content_disposition("attachment", &file),
                    ),
                ],
                xml,
            )
                .into_response()
        }
        Err(e) => page_error(&tr, e),
    }
}

/// `?lang=en` for an English PDF; Polish otherwise.
#[derive(Debug, Default, Deserialize)]
pub struct PdfQuery {
    #[serde(default)]
    lang: String,
}

impl PdfQuery {
    /// The language asked for, or why it cannot be.
    pub fn language(&self) -> Result<app::PdfLanguage, app::AppError> {
        self.lang
            .parse()
            .map_err(|_: String| app::invalid("lang", app::Problem::not_one_of(&self.lang, &["pl", "en"])))
    }
}

/// The invoice as PDF (inline, so the browser shows it; the file name is its number).
pub fn pdf_response(file_name: &str, pdf: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                crate::content_disposition("inline", file_name),
            ),
        ],
        pdf,
    )
        .into_response()
}

pub async fn invoice_pdf(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(id): Path<domain::InvoiceId>,
    Query(q): Query<PdfQuery>,
) -> Response {
    let language = match q.language() {
        Ok(l) => l,
        Err(e) => return page_error(&tr, e),
    };
    match state.app.invoice_pdf(&user, &id, language).await {
        Ok((record, pdf)) => pdf_response(&record.file_name("pdf"), pdf),
        Err(e) => page_error(&tr, e),
    }
}

/// "Wyślij ponownie": the invoice goes to Allegro at the worker's next pass.
pub async fn resend(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(id): Path<domain::InvoiceId>,
) -> Response {
    match state.app.resend_invoice(&user, &id).await {
        Ok(()) => Redirect::to(&format!("/invoices/{id}?resent=1")).into_response(),
        Err(e) => page_error(&tr, e),
    }
}

/// "Wystaw korektę" on a cancelled or returned order: issues it, or opens the one it has.
pub async fn correct(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(order): Path<domain::OrderId>,
) -> Response {
    match state.app.issue_correction(&user, &order).await {
        Ok(IssueOutcome::Issued(r) | IssueOutcome::AlreadyIssued(r)) => {
            Redirect::to(&format!("/invoices/{}", r.id)).into_response()
        }
        Err(e) => page_error(&tr, e),
    }
}

/// The "Wystaw fakturę" form: whether the sale is already on a receipt.
#[derive(Deserialize, Default)]
pub struct IssueForm {
    #[serde(default)]
    to_receipt: Option<String>,
    #[serde(default)]
    receipt_has_buyer_nip: Option<String>,
}

/// "Wystaw fakturę" on an order: issues it, or opens the one it has.
pub async fn issue(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(order): Path<domain::OrderId>,
    Form(f): Form<IssueForm>,
) -> Response {
    let issued = match f.to_receipt {
        Some(_) => {
            let receipt = app::ReceiptGiven {
                with_buyer_nip: f.receipt_has_buyer_nip.is_some(),
            };
            state.app.issue_invoice_to_receipt(&user, &order, receipt).await
        }
        None => state.app.issue_invoice(&user, &order).await,
    };
    match issued {
        Ok(IssueOutcome::Issued(r) | IssueOutcome::AlreadyIssued(r)) => {
            Redirect::to(&format!("/invoices/{}", r.id)).into_response()
        }
        Err(e) => page_error(&tr, e),
    }
}
