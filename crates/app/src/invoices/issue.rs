//! Invoicing: the seller's profile, and issuing an invoice for an order exactly once with
//! the next gap-free number of the account's series (`research/invoicing.md`). The
//! invoice is stored as its content; its FA(3) XML is rendered from it.

use allegro_client::types::CheckoutForm;
use domain::{
    DeliveryVat, GoodsLine, Invoice, InvoiceId, InvoiceKind, InvoicingProfile, Minor, OrderId, OrderTask, compute,
};
use store::{InvoiceRecord, Issued, NewInvoice};

use super::from_order::{Supply, buyer_of, supply_of, supply_rate};
use crate::{App, AppError, CurrentUser, Problem, invalid};

pub use invoice_pdf::Language as PdfLanguage;

/// What an invoice's PDF takes from its way to KSeF: the exact bytes sent (KOD I hashes
/// them), the KSeF number once given, and KOD II of an invoice issued offline.
#[derive(Debug, Clone, Default)]
pub(crate) struct PdfMarks {
    /// The FA(3) bytes sent; rendered anew when the invoice does not go to KSeF.
    pub xml: Option<Vec<u8>>,
    /// The KSeF number (`OFFLINE` is printed without one).
    pub ksef_number: Option<String>,
    /// KOD II (offline invoices, signed with the Offline certificate).
    pub certificate_link: Option<String>,
}

impl From<store::KsefSubmission> for PdfMarks {
    fn from(s: store::KsefSubmission) -> Self {
        Self {
            xml: s.xml,
            ksef_number: s.ksef_number,
            certificate_link: s.certificate_link,
        }
    }
}

/// Renders an invoice's PDF off the async threads (typst layout is CPU work, ~10 ms). For
/// an invoice on its way to KSeF, KOD I covers the exact bytes sent and the KSeF number
/// stands under it (`OFFLINE` without one); an offline invoice also carries KOD II.
pub(crate) async fn render_pdf(invoice: Invoice, marks: PdfMarks, language: PdfLanguage) -> Result<Vec<u8>, AppError> {
    tokio::task::spawn_blocking(move || {
        let xml = match marks.xml.map(String::from_utf8) {
            Some(Ok(sent)) => sent,
            _ => invoice_xml::fa3(&invoice)
                .map_err(|e| invalid("invoice", Problem::new("problem-invoice-invalid").arg("detail", e)))?,
        };
        let pdf_marks = invoice_pdf::KsefMarks {
            ksef_number: marks.ksef_number.as_deref(),
            certificate_link: marks.certificate_link.as_deref(),
        };
        invoice_pdf::render(&invoice, &xml, pdf_marks, language).map_err(|e| {
            AppError::Internal(anyhow::Error::new(e).context(format!("rendering invoice {}", invoice.number)))
        })
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("the PDF renderer stopped")))?
}

/// A sale already recorded on the seller's cash register: the invoice is one "to a
/// receipt" (`FP`, art. 109 ust. 3d).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiptGiven {
    /// The receipt shows the buyer's NIP (art. 106b ust. 5: without it, no invoice to a
    /// business may be issued for the sale).
    pub with_buyer_nip: bool,
}

/// What issuing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueOutcome {
    /// A new invoice.
    Issued(InvoiceRecord),
    /// The order already had its invoice; this is it.
    AlreadyIssued(InvoiceRecord),
}

fn minor(price: &allegro_client::types::Price, what: &'static str) -> Result<Minor, AppError> {
    domain::parse_decimal(&price.amount)
        .ok_or_else(|| invalid(what, Problem::new("problem-not-an-amount").arg("value", &price.amount)))
}

/// The Polish calendar day of an instant: every date on an invoice (issue, sale, payment,
/// due) and the series' period are days in Europe/Warsaw, not UTC.
pub(crate) fn day_of(ms: i64) -> String {
    domain::time::polish_day_text(ms)
}

impl App {
    /// The organisation's invoicing profile, if saved.
    pub async fn invoicing_profile(&self, user: &CurrentUser) -> Result<Option<InvoicingProfile>, AppError> {
        let Some(raw) = self.store.invoicing_profile(&user.organisation_id).await? else {
            return Ok(None);
        };
        serde_json::from_str(&raw)
            .map(Some)
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("reading the invoicing profile")))
    }

    /// Saves the invoicing profile after checking it (the NIP's check digit is checked
    /// when it is parsed).
    pub async fn save_invoicing_profile(&self, user: &CurrentUser, profile: &InvoicingProfile) -> Result<(), AppError> {
        let s = &profile.seller;
        if s.name.trim().is_empty() {
            return Err(invalid("name", "problem-profile-name-required"));
        }
        if s.nip.is_none() {
            return Err(invalid("nip", "problem-profile-nip-required"));
        }
        if s.address_line1.trim().is_empty() || s.address_line2.trim().is_empty() {
            return Err(invalid("address", "problem-profile-address-required"));
        }
        if s.country.len() != 2 {
            return Err(invalid("country", "problem-country-code"));
        }
        if let Some(account) = &profile.bank_account {
            let digits: String = account.chars().filter(|c| !c.is_whitespace()).collect();
            let nrb = digits.strip_prefix("PL").unwrap_or(&digits);
            if nrb.len() != 26 || !nrb.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid("bank_account", "problem-bank-account"));
            }
            if !domain::nrb_is_valid(nrb) {
                return Err(invalid("bank_account", "problem-bank-account-checksum"));
            }
        }
        if let Some((field, value)) = profile.registers.malformed() {
            return Err(invalid(
                field,
                Problem::new(match field {
                    "krs" => "problem-krs",
                    "regon" => "problem-regon",
                    _ => "problem-bdo",
                })
                .arg("value", value),
            ));
        }
        if profile.payment_days > 365 {
            return Err(invalid("payment_days", "problem-payment-days"));
        }
        let data = serde_json::to_string(profile)
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("writing the invoicing profile")))?;
        Ok(self
            .store
            .save_invoicing_profile(&user.organisation_id, &data, self.now_ms())
            .await?)
    }

    /// Issues the VAT invoice of an order, or returns the one it already has. Needs the
    /// organisation's invoicing profile; foreign-currency orders wait for the NBP rate.
    pub async fn issue_invoice(&self, user: &CurrentUser, order_id: &OrderId) -> Result<IssueOutcome, AppError> {
        self.issue_invoice_with(user, order_id, None).await
    }

    /// Issues the invoice of an order whose sale the seller already recorded on a cash
    /// register: marked `FP`. To a business only when the receipt shows its NIP (art. 106b
    /// ust. 5 — otherwise the invoice would cost an extra 100 % of its VAT, ust. 6).
    pub async fn issue_invoice_to_receipt(
        &self,
        user: &CurrentUser,
        order_id: &OrderId,
        receipt: ReceiptGiven,
    ) -> Result<IssueOutcome, AppError> {
        self.issue_invoice_with(user, order_id, Some(receipt)).await
    }

    #[tracing::instrument(name = "invoice", skip_all, fields(organisation_id = %user.organisation_id, order_id = %order_id))]
    async fn issue_invoice_with(
        &self,
        user: &CurrentUser,
        order_id: &OrderId,
        receipt: Option<ReceiptGiven>,
    ) -> Result<IssueOutcome, AppError> {
        let order = self.order(user, order_id).await?;
        // A cancelled sale has nothing to invoice (its invoice, if any, is corrected); a
        // buyer on allegro.cz/.sk/.hu may still cancel, so the invoice waits out the window.
        // Either refusal stands only while the order has no invoice (asked once).
        let cancel_window =
            domain::marketplace::buyer_may_cancel_until(order.marketplace.as_deref(), order.bought_at_ms)
                .filter(|until| self.now_ms() < *until);
        if (order.status.is_cancelled() || cancel_window.is_some())
            && self
                .store
                .invoice_for_order(&user.organisation_id, order_id, InvoiceKind::Vat)
                .await?
                .is_none()
        {
            return Err(AppError::Conflict(
                match cancel_window.filter(|_| !order.status.is_cancelled()) {
                    Some(until) => {
                        Problem::new("problem-buyer-may-cancel").arg("until", domain::time::polish_time_text(until))
                    }
                    None => Problem::new("problem-order-cancelled-no-invoice"),
                },
            ));
        }
        let profile = self
            .invoicing_profile(user)
            .await?
            .ok_or_else(|| invalid("profile", "problem-profile-missing"))?;
        let settings = self.settings(user, &order.account_id).await?;
        let form = crate::orders::checkout_form(&order)?;
        let delivery = self.delivery_of(&user.organisation_id, &order, &form).await?;
        let terms = super::terms::sale_terms(
            &form,
            &order,
            delivery,
            settings.cod_sale_when_sent,
            &profile,
            self.now_ms(),
        );
        let supply = supply_of(&form, &buyer_of(&form), &profile);
        let currency = form.summary.total_to_pay.currency.clone();
        // Art. 31a: the rate of the last business day before the tax point — the sale, but
        // for an intra-Community supply the invoice's issue (art. 20 ust. 1: the invoice,
        // at the latest the 15th of the next month). OSS tax is the consumer state's and is
        // not converted on the invoice.
        let tax_point_ms = match supply {
            Supply::IntraEu => {
                let deadline = domain::calendar::invoice_deadline(domain::time::polish_day(terms.sale_at_ms));
                self.now_ms().min(domain::time::polish_day_start_ms(deadline))
            }
            _ => terms.sale_at_ms,
        };
        let exchange = if currency.eq_ignore_ascii_case("PLN") || matches!(supply, Supply::Oss(_)) {
            None
        } else {
            Some(
                self.exchange_rate(&user.organisation_id, &currency, &day_of(tax_point_ms))
                    .await?,
            )
        };
        let mut invoice = self.invoice_for(&form, &profile, &settings, &order, terms, &supply)?;
        invoice.exchange = exchange;
        if let Some(receipt) = receipt {
            if invoice.buyer.nip.is_some() && !receipt.with_buyer_nip {
                return Err(invalid("receipt", "problem-receipt-without-nip"));
            }
            invoice.to_receipt = true;
        }
        invoice.split_payment = self.split_payment_of(user, &form, &invoice).await?;
        self.store_invoice(user, &order, InvoiceKind::Vat, &settings.invoice_series, &invoice)
            .await
    }

    /// Whether the invoice must carry the split payment marking (art. 108a ust. 1a): to a
    /// business, above 15 000 zł gross, with annex-15 goods — read from how the seller
    /// marked the products the order's offers sell. When it depends on a product the seller
    /// has not marked, the invoice waits with the question instead of guessing.
    async fn split_payment_of(
        &self,
        user: &CurrentUser,
        form: &CheckoutForm,
        invoice: &Invoice,
    ) -> Result<bool, AppError> {
        let gross_pln = match &invoice.exchange {
            Some(x) => x.rate.to_pln(invoice.summary.total_gross),
            None => invoice.summary.total_gross,
        };
        let business = invoice.buyer.nip.is_some();
        if !business || gross_pln <= domain::SPLIT_PAYMENT_THRESHOLD {
            return Ok(false);
        }
        let mut marks = Vec::with_capacity(form.line_items.len());
        for li in &form.line_items {
            let sku = li.offer.external.as_ref().and_then(|e| e.id.as_deref());
            let product = self
                .store
                .product_for_offer(&user.organisation_id, &li.offer.id, sku)
                .await?;
            marks.push(product.and_then(|p| p.annex15));
        }
        domain::split_payment(business, gross_pln, &marks).map_err(|unknown| {
            let names: Vec<&str> = unknown
                .iter()
                .map(|i| form.line_items[*i].offer.name.as_str())
                .collect();
            AppError::Conflict(
                Problem::new("problem-split-payment-unknown")
                    .arg("amount", format!("{} zł", domain::grouped(gross_pln, '\u{a0}', ',')))
                    .arg("products", names.join(", ")),
            )
        })
    }

    /// Stores `invoice` for `order` as `kind` with the next number of `series` for this
    /// month: exactly once per order and kind.
    async fn store_invoice(
        &self,
        user: &CurrentUser,
        order: &store::OrderRecord,
        kind: InvoiceKind,
        series: &domain::InvoiceSeries,
        invoice: &Invoice,
    ) -> Result<IssueOutcome, AppError> {
        // The series' period is the Polish month of issue: an invoice issued at 00:30 on
        // 1 December in Warsaw (23:30 UTC the day before) is numbered in December's series.
        let now = self.now_ms();
        let today = domain::time::polish_day(now);
        let settings = self.store.ksef_settings(&user.organisation_id).await?;
        let ksef = crate::ksef::goes_to_ksef(invoice, settings.as_ref())
            .then(|| crate::ksef::queue_for(settings.as_ref(), &invoice.issue_date, now, self.ksef_offline_after_ms));
        let new = NewInvoice {
            id: InvoiceId::from_stored(uuid::Uuid::new_v4().to_string()),
            organisation_id: user.organisation_id.clone(),
            account_id: order.account_id.clone(),
            order_id: order.id.clone(),
            kind,
            series: series.clone(),
            year: i32::from(today.year()),
            month: today.month() as u8,
            issue_date: invoice.issue_date.clone(),
            currency: invoice.currency.clone(),
            total_minor: invoice.summary.total_gross,
            buyer_name: invoice.buyer.name.clone(),
            document: serde_json::to_string(invoice)
                .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("writing an invoice")))?,
            // Orders from files have no Allegro order to attach the PDF to.
            upload: order.source == store::OrderSource::Allegro,
            ksef,
            now_ms: now,
        };
        Ok(match self.store.issue_invoice(&new).await? {
            Issued::New(r) => {
                metrics::counter!("allegro_bridge_invoices_issued_total", "kind" => kind.as_str()).increment(1);
                IssueOutcome::Issued(r)
            }
            Issued::Existing(r) => IssueOutcome::AlreadyIssued(r),
        })
    }

    fn invoice_for(
        &self,
        form: &CheckoutForm,
        profile: &InvoicingProfile,
        settings: &domain::AccountSettings,
        order: &store::OrderRecord,
        terms: super::terms::SaleTerms,
        supply: &Supply,
    ) -> Result<Invoice, AppError> {
        let currency = form.summary.total_to_pay.currency.clone();
        let mut goods = Vec::new();
        for li in &form.line_items {
            goods.push(GoodsLine {
                // FA(3)'s P_7 holds 512 characters; Allegro's titles are far shorter, but a
                // longer name must not make the whole invoice fail the schema.
                name: domain::text::shorten(&li.offer.name, 512).into_owned(),
                quantity: li.quantity,
                unit_gross: minor(&li.price, "price")?,
                discount_gross: 0,
                rate: supply_rate(supply, li.tax.as_ref(), settings.vat_goods, &li.offer.name)?,
            });
        }
        let delivery = form
            .delivery
            .as_ref()
            .and_then(|d| d.cost.as_ref())
            .map(|c| minor(c, "delivery cost"))
            .transpose()?
            .unwrap_or(0);
        // Delivery is part of the supply (art. 29a ust. 6 pkt 2): in WDT and OSS it takes the
        // goods' rate, the account's delivery rate being a Polish one.
        let delivery_vat = match supply {
            Supply::IntraEu => DeliveryVat::Fixed(domain::VatRate::IntraEuSupply),
            Supply::Oss(_) => DeliveryVat::FollowGoods,
            Supply::Domestic if settings.delivery_follows_goods => DeliveryVat::FollowGoods,
            Supply::Domestic => DeliveryVat::Fixed(settings.vat_delivery),
        };
        let summary = compute(&goods, delivery, delivery_vat, "Koszt dostawy");
        let paid_total = minor(&form.summary.total_to_pay, "total")?;
        if summary.total_gross != paid_total {
            return Err(invalid(
                "total",
                Problem::new("problem-order-total-mismatch")
                    .arg("lines", summary.total_gross)
                    .arg("paid", paid_total),
            ));
        }
        let now = self.now_ms();
        let bought_at_ms = order.bought_at_ms;
        let payment = terms.payment;
        Ok(Invoice {
            number: String::new(),
            issue_date: day_of(now),
            place_of_issue: Some(profile.place_of_issue.clone()).filter(|p| !p.trim().is_empty()),
            sale_date: day_of(terms.sale_at_ms),
            seller: profile.seller.clone(),
            buyer: buyer_of(form),
            currency,
            summary,
            // Set by the caller, which knows the tax point.
            exchange: None,
            payment,
            order_id: form.id.clone(),
            order_date: day_of(bought_at_ms),
            exemption_basis: profile.exemption_basis.clone(),
            correction_of: None,
            // Decided once the products are looked up (`split_payment_of`).
            split_payment: false,
            to_receipt: false,
            seller_registers: profile.registers.clone(),
            created_at: jiff::Timestamp::from_millisecond(now)
                .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
                .unwrap_or_default(),
        })
    }

    /// Issues the invoices that are due (seed 000: "automatycznie wygenerowane po zmianie
    /// statusu zamówienia na ten, który wybrałeś"), up to `limit`. Safe to run in any
    /// number of processes at once: each order gets one invoice and numbers stay gap-free.
    pub async fn issue_due_invoices(
        &self,
        limit: i64,
    ) -> Result<Vec<(OrderId, Result<IssueOutcome, String>)>, AppError> {
        let mut out = Vec::new();
        for (org, order) in self.store.orders_awaiting_invoice(limit, self.now_ms()).await? {
            if self.is_stopping() {
                return Ok(out);
            }
            let user = CurrentUser::for_organisation(org.clone());
            let result = self.issue_invoice(&user, &order).await;
            if let Err(e) = &result {
                self.postpone(&org, &order, OrderTask::Invoice, &e.to_stored_problem())
                    .await?;
            }
            out.push((order, result.map_err(|e| format!("{e:#}"))));
        }
        // A cancelled order with an invoice gets its correction.
        for (org, order) in self.store.orders_awaiting_correction(limit).await? {
            let user = CurrentUser::for_organisation(org);
            let result = self.issue_correction(&user, &order).await.map_err(|e| format!("{e:#}"));
            out.push((order, result));
        }
        Ok(out)
    }

    /// Issues the correction (KOR) that takes back a cancelled order's invoice, or returns
    /// the one it has; numbered in the series' correction series.
    #[tracing::instrument(name = "correction", skip_all, fields(organisation_id = %user.organisation_id, order_id))]
    pub async fn issue_correction(&self, user: &CurrentUser, order_id: &OrderId) -> Result<IssueOutcome, AppError> {
        let order = self.order(user, order_id).await?;
        // Allegro sets fulfilment RETURNED only when every item came back and was refunded
        // (openapi: CheckoutFormFulfillment.status), so both cases take the whole invoice back.
        let reason = if order.status.is_cancelled() {
            "Anulowanie zamówienia"
        } else if order.fulfillment_status.as_deref() == Some("RETURNED") {
            "Zwrot towaru"
        } else {
            return Err(invalid("order", "problem-correction-not-cancelled"));
        };
        let found = self.invoice_of_order(user, order_id, InvoiceKind::Vat).await?;
        let Some((record, content)) = found else {
            return Err(invalid("order", "problem-correction-no-invoice"));
        };
        let settings = self.settings(user, &order.account_id).await?;
        let now = self.now_ms();
        let correction = Invoice {
            number: String::new(),
            issue_date: day_of(now),
            summary: content.summary.reversed(),
            // Not "zapłacono" again: the money goes back, or the claim falls away.
            payment: content.payment.settled_by_correction(),
            correction_of: Some(domain::CorrectionOf {
                number: record.number.clone(),
                issue_date: record.issue_date.clone(),
                ksef_number: None,
                reason: reason.to_owned(),
            }),
            created_at: jiff::Timestamp::from_millisecond(now)
                .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
                .unwrap_or_default(),
            ..content
        };
        self.store_invoice(
            user,
            &order,
            InvoiceKind::Correction,
            &settings.invoice_series.corrections(),
            &correction,
        )
        .await
    }

    /// The order's invoices (VAT, then correction), for its page.
    pub async fn order_invoices(&self, user: &CurrentUser, order_id: &OrderId) -> Result<Vec<InvoiceRecord>, AppError> {
        let mut out = Vec::new();
        for kind in [InvoiceKind::Vat, InvoiceKind::Correction] {
            if let Some(r) = self
                .store
                .invoice_for_order(&user.organisation_id, order_id, kind)
                .await?
            {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// The order's invoice of `kind` with its content, if it has one.
    async fn invoice_of_order(
        &self,
        user: &CurrentUser,
        order_id: &OrderId,
        kind: InvoiceKind,
    ) -> Result<Option<(InvoiceRecord, Invoice)>, AppError> {
        let Some(record) = self
            .store
            .invoice_for_order(&user.organisation_id, order_id, kind)
            .await?
        else {
            return Ok(None);
        };
        let (record, content) = self.invoice(user, &record.id).await?;
        Ok(Some((record, content)))
    }

    /// The organisation's invoices whose number contains `number`: a page and the total.
    pub async fn invoices(
        &self,
        user: &CurrentUser,
        filter: &store::InvoiceFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<InvoiceRecord>, i64), AppError> {
        if !(1..=200).contains(&limit) || offset < 0 {
            return Err(invalid("limit", "problem-page-limit"));
        }
        Ok(self
            .store
            .invoices(&user.organisation_id, filter, offset, limit)
            .await?)
    }

    /// One invoice of the organisation with its content.
    pub async fn invoice(&self, user: &CurrentUser, id: &InvoiceId) -> Result<(InvoiceRecord, Invoice), AppError> {
        let record = self
            .store
            .invoice(&user.organisation_id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut invoice: Invoice = serde_json::from_str(&record.document)
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("reading an invoice")))?;
        invoice.number = record.number.clone();
        Ok((record, invoice))
    }

    /// An invoice as PDF in `language` (Polish by default, English for buyers abroad).
    pub async fn invoice_pdf(
        &self,
        user: &CurrentUser,
        id: &InvoiceId,
        language: PdfLanguage,
    ) -> Result<(InvoiceRecord, Vec<u8>), AppError> {
        let (record, invoice) = self.invoice(user, id).await?;
        let sent = self.store.ksef_submission(&user.organisation_id, id).await?;
        let marks = sent.map(PdfMarks::from).unwrap_or_default();
        Ok((record, render_pdf(invoice, marks, language).await?))
    }

    /// An invoice as FA(3) XML.
    /// Once the invoice is on its way to KSeF: the exact bytes sent.
    pub async fn invoice_xml(&self, user: &CurrentUser, id: &InvoiceId) -> Result<(InvoiceRecord, String), AppError> {
        let (record, invoice) = self.invoice(user, id).await?;
        let sent = self.store.ksef_submission(&user.organisation_id, id).await?;
        if let Some(Ok(xml)) = sent.and_then(|s| s.xml).map(String::from_utf8) {
            return Ok((record, xml));
        }
        let xml = invoice_xml::fa3(&invoice)
            .map_err(|e| invalid("invoice", Problem::new("problem-invoice-invalid").arg("detail", e)))?;
        Ok((record, xml))
    }
}
