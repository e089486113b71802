use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use allegro_api_types::*;
use futures_core::Stream;
use rand::Rng;
use reqwest::{Method, RequestBuilder, StatusCode, header};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

use crate::error::redact;
use crate::{AllegroError, Environment, RateBudgets};

mod orders_query;
mod transport;

pub use orders_query::{CheckoutFormsQuery, OrderSort};
use transport::{Body, seg};

/// How failed requests are retried: 429, 5xx and transport errors, with exponential
/// backoff and full jitter; a `Retry-After` header, when sent, sets the wait instead.
/// POSTs (not idempotent) are retried only on 429 and on connection failures, never on
/// 5xx or a timeout, where Allegro may have acted.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// First backoff.
    pub base_delay: Duration,
    /// Longest backoff.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
        }
    }
}

/// The REST client. Cheap to clone; share one per process so Client-ID budgets are shared.
#[derive(Clone, Debug)]
pub struct Allegro {
    http: reqwest::Client,
    env: Environment,
    budgets: RateBudgets,
    retry: RetryPolicy,
    language: Option<String>,
}

/// Builds an [`Allegro`].
#[derive(Debug)]
pub struct AllegroBuilder {
    env: Environment,
    budgets: RateBudgets,
    retry: RetryPolicy,
    language: Option<String>,
    timeout: Duration,
}

impl AllegroBuilder {
    /// Budgets shared with other clients (defaults to 9 000/min per Client ID).
    pub fn budgets(mut self, budgets: RateBudgets) -> Self {
        self.budgets = budgets;
        self
    }

    /// Retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// `Accept-Language` for `userMessage` (e.g. `pl-PL`).
    pub fn language(mut self, language: &str) -> Self {
        self.language = Some(language.to_owned());
        self
    }

    /// Per-request timeout (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The client.
    pub fn build(self) -> Allegro {
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .pool_max_idle_per_host(64)
            .build()
            .expect("a reqwest client with default TLS builds");
        Allegro {
            http,
            env: self.env,
            budgets: self.budgets,
            retry: self.retry,
            language: self.language,
        }
    }
}

impl Allegro {
    /// A builder for `env`.
    pub fn builder(env: Environment) -> AllegroBuilder {
        AllegroBuilder {
            env,
            budgets: RateBudgets::default(),
            retry: RetryPolicy::default(),
            language: Some("pl-PL".into()),
            timeout: Duration::from_secs(30),
        }
    }

    /// Calls on behalf of one account: its app's Client ID (for the shared budget) and its
    /// access token.
    pub fn account<'a>(&'a self, client_id: &'a str, token: &'a SecretString) -> Account<'a> {
        Account {
            api: self,
            client_id,
            token,
            refused: None,
        }
    }
}

/// The REST endpoints, called with one account's token.
pub struct Account<'a> {
    api: &'a Allegro,
    client_id: &'a str,
    token: &'a SecretString,
    refused: Option<&'a AtomicBool>,
}

impl<'a> Account<'a> {
    /// Sets `flag` when Allegro answers 401: the token is dead (expired early, superseded,
    /// or revoked by a password change or "log out everywhere"), so the caller can refresh
    /// the account at once instead of at its next scheduled refresh.
    pub fn noting_refusal(mut self, flag: &'a AtomicBool) -> Self {
        self.refused = Some(flag);
        self
    }
}

/// Allegro serves at most offset + limit = 10 000 orders of one query (§8.3).
pub const MAX_RESULT_WINDOW: u32 = 10_000;
const PAGE: u32 = 100;
/// Orders are kept for 365 days.
pub const ORDER_RETENTION_MS: i64 = 365 * 86_400_000;

impl Account<'_> {
    /// `GET /me`.
    pub async fn me(&self) -> Result<MeResponse, AllegroError> {
        self.get("/me", &[]).await
    }

    /// `GET /order/events`: events after `from` (exclusive), oldest first.
    pub async fn order_events(
        &self,
        from: Option<&str>,
        types: &[OrderEventType],
        limit: u32,
    ) -> Result<OrderEventsList, AllegroError> {
        let mut q: Vec<(&str, String)> = Vec::new();
        if let Some(f) = from {
            q.push(("from", f.to_owned()));
        }
        for t in types {
            q.push(("type", t.as_str().to_owned()));
        }
        q.push(("limit", limit.clamp(1, 1000).to_string()));
        self.get("/order/events", &q).await
    }

    /// `GET /order/event-stats`.
    pub async fn order_event_stats(&self) -> Result<OrderEventStats, AllegroError> {
        self.get("/order/event-stats", &[]).await
    }

    /// One page of `GET /order/checkout-forms`.
    pub async fn checkout_forms(&self, query: &CheckoutFormsQuery) -> Result<CheckoutForms, AllegroError> {
        if query.offset + query.limit.clamp(1, 100) > MAX_RESULT_WINDOW {
            return Err(AllegroError::InvalidRequest(format!(
                "offset {} + limit {} exceeds Allegro's 10 000-order window; narrow the purchase-date range",
                query.offset, query.limit
            )));
        }
        self.get("/order/checkout-forms", &query.pairs()).await
    }

    /// Every order matching `query` (its offset, limit and sort are ignored), newest
    /// purchase first. Never asks past offset + limit = 10 000: a purchase-date window
    /// holding more is split in halves until each half fits. Without a date range the
    /// last 365 days (all Allegro keeps) are read, up to `now_ms`.
    pub fn checkout_forms_all(
        &self,
        query: CheckoutFormsQuery,
        now_ms: i64,
    ) -> impl Stream<Item = Result<CheckoutForm, AllegroError>> + '_ {
        async_stream::try_stream! {
            let to = query.bought_at_lte.map_or(now_ms, Instant::as_millis);
            let from = query.bought_at_gte.map_or(now_ms - ORDER_RETENTION_MS, Instant::as_millis);
            // Newest window first: a stack of [from, to] ranges in milliseconds.
            let mut windows = vec![(from, to)];
            let mut seen = HashSet::new();
            while let Some((lo, hi)) = windows.pop() {
                let mut q = query.clone();
                q.bought_at_gte = Some(Instant::from_millis(lo));
                q.bought_at_lte = Some(Instant::from_millis(hi));
                q.sort = OrderSort::BoughtAtDesc;
                q.limit = PAGE;
                q.offset = 0;
                let first = self.checkout_forms(&q).await?;
                if first.total_count > i64::from(MAX_RESULT_WINDOW) {
                    if hi - lo < 1 {
                        Err(AllegroError::InvalidRequest(format!(
                            "more than 10 000 orders were bought at one instant ({}); Allegro cannot page them",
                            Instant::from_millis(lo)
                        )))?;
                    }
                    let mid = lo + (hi - lo) / 2;
                    windows.push((lo, mid));
                    windows.push((mid + 1, hi));
                    continue;
                }
                let total = first.total_count.max(0) as u32;
                for form in first.checkout_forms {
                    if seen.insert(form.id.clone()) {
                        yield form;
                    }
                }
                let mut offset = PAGE;
                while offset < total && offset + PAGE <= MAX_RESULT_WINDOW {
                    q.offset = offset;
                    let page = self.checkout_forms(&q).await?;
                    let empty = page.checkout_forms.is_empty();
                    for form in page.checkout_forms {
                        if seen.insert(form.id.clone()) {
                            yield form;
                        }
                    }
                    if empty {
                        break;
                    }
                    offset += PAGE;
                }
            }
        }
    }

    /// `GET /order/checkout-forms/{id}`.
    pub async fn checkout_form(&self, id: &str) -> Result<CheckoutForm, AllegroError> {
        self.get(&format!("/order/checkout-forms/{}", seg(id)), &[]).await
    }

    /// `PUT /order/checkout-forms/{id}/fulfillment`, optionally only if the order is still
    /// at `revision` (409 otherwise).
    pub async fn set_fulfillment(
        &self,
        id: &str,
        status: FulfillmentStatus,
        revision: Option<&str>,
    ) -> Result<(), AllegroError> {
        let mut q = Vec::new();
        if let Some(r) = revision {
            q.push(("checkoutForm.revision", r.to_owned()));
        }
        let body = serde_json::json!({ "status": status });
        self.send_empty(
            Method::PUT,
            &format!("/order/checkout-forms/{}/fulfillment", seg(id)),
            &q,
            Body::Json(body.to_string()),
        )
        .await
    }

    /// `GET /order/checkout-forms/{id}/shipments`.
    pub async fn shipments(&self, id: &str) -> Result<CheckoutFormOrderWaybillResponse, AllegroError> {
        self.get(&format!("/order/checkout-forms/{}/shipments", seg(id)), &[])
            .await
    }

    /// `POST /order/checkout-forms/{id}/shipments`: adds a tracking number. Not retried on
    /// 5xx: Allegro stores duplicates, so check [`Self::shipments`] before trying again.
    pub async fn add_shipment(
        &self,
        id: &str,
        request: &CheckoutFormAddWaybillRequest,
    ) -> Result<CheckoutFormAddWaybillCreated, AllegroError> {
        let body = serde_json::to_string(request).map_err(|e| AllegroError::InvalidRequest(e.to_string()))?;
        self.send(
            Method::POST,
            &format!("/order/checkout-forms/{}/shipments", seg(id)),
            &[],
            Body::Json(body),
        )
        .await
    }

    /// `GET /order/carriers`.
    pub async fn carriers(&self) -> Result<OrdersShippingCarriersResponse, AllegroError> {
        self.get("/order/carriers", &[]).await
    }

    /// `POST /order/checkout-forms/{id}/invoices`: invoice metadata (step 1 of 2).
    pub async fn add_invoice(
        &self,
        id: &str,
        file_name: &str,
        invoice_number: Option<&str>,
    ) -> Result<CheckFormsNewOrderInvoiceId, AllegroError> {
        let body = CheckFormsNewOrderInvoice {
            file: CheckFormsNewOrderInvoiceFile {
                name: file_name.to_owned(),
            },
            invoice_number: invoice_number.map(str::to_owned),
        };
        let body = serde_json::to_string(&body).map_err(|e| AllegroError::InvalidRequest(e.to_string()))?;
        self.send(
            Method::POST,
            &format!("/order/checkout-forms/{}/invoices", seg(id)),
            &[],
            Body::Json(body),
        )
        .await
    }

    /// `PUT /order/checkout-forms/{id}/invoices/{invoiceId}/file`: the PDF (step 2 of 2).
    pub async fn upload_invoice_file(&self, id: &str, invoice_id: &str, pdf: Vec<u8>) -> Result<(), AllegroError> {
        let path = format!("/order/checkout-forms/{}/invoices/{}/file", seg(id), seg(invoice_id));
        self.send_empty(Method::PUT, &path, &[], Body::Pdf(pdf)).await
    }

    /// `GET /order/checkout-forms/{id}/invoices`.
    pub async fn invoices(&self, id: &str) -> Result<CheckoutFormsOrderInvoices, AllegroError> {
        self.get(&format!("/order/checkout-forms/{}/invoices", seg(id)), &[])
            .await
    }

    /// `GET /sale/offers` with raw query pairs (e.g. `("external.id", "SKU-1")`, repeated
    /// keys allowed), plus offset and limit (1–1000).
    pub async fn offers(
        &self,
        filters: &[(&str, &str)],
        offset: u32,
        limit: u32,
    ) -> Result<OffersSearchResult, AllegroError> {
        let mut q: Vec<(&str, String)> = filters.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        q.push(("offset", offset.to_string()));
        q.push(("limit", limit.clamp(1, 1000).to_string()));
        self.get("/sale/offers", &q).await
    }

    /// `GET /sale/product-offers/{offerId}`.
    pub async fn product_offer(&self, offer_id: &str) -> Result<SaleProductOffer, AllegroError> {
        self.get(&format!("/sale/product-offers/{}", seg(offer_id)), &[]).await
    }
}
