//! The warehouse (seed 000 admits it does not touch stock; we do): products read from the
//! seller's Allegro offers and matched by SKU (`external.id`), stock per warehouse that
//! changes only together with a movement, and a goods-issue document (WZ) per order —
//! issued once when the order reaches the organisation's chosen fulfilment status (or by
//! hand), its stock given back once if the order is cancelled.

use domain::{OrderId, ProductId, WarehouseId};
use store::{
    NewWz, OfferProduct, ProductStock, StockChange, StockMovement, WarehouseDocument, WarehouseSettings, WzLine,
};

use crate::{App, AppError, CurrentUser, Problem, invalid};

/// What reading products from Allegro did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ProductSync {
    /// Offers read.
    pub offers: usize,
    /// Products new to the warehouse.
    pub new_products: u64,
    /// Offers without a SKU (`external.id`), which no product can follow.
    pub without_sku: usize,
}

impl App {
    /// Reads every offer of the organisation's connected accounts (`GET /sale/offers`, by
    /// pages of 1 000) and keeps a product per SKU, each offer linked to its product.
    pub async fn sync_products(&self, user: &CurrentUser) -> Result<ProductSync, AppError> {
        let mut report = ProductSync::default();
        for account in self.store.accounts(&user.organisation_id).await? {
            if account.status != domain::AccountStatus::Active {
                continue;
            }
            let account_id = account.id.clone();
            let access = self.account_api(account).await?;
            let allegro = access.rest();
            let mut offset = 0;
            loop {
                let page = allegro
                    .offers(&[], offset, 1_000)
                    .await
                    .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("reading offers from Allegro")))?;
                let offers = page.offers.unwrap_or_default();
                let read = offers.len();
                report.offers += read;
                let mut products = Vec::with_capacity(read);
                for o in offers {
                    let sku = o
                        .external
                        .and_then(|e| e.id)
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty());
                    match (o.id, sku) {
                        (Some(offer_id), Some(sku)) => products.push(OfferProduct {
                            offer_id,
                            sku,
                            name: o.name.unwrap_or_default(),
                        }),
                        _ => report.without_sku += 1,
                    }
                }
                report.new_products += self
                    .store
                    .upsert_offer_products(&user.organisation_id, &account_id, &products, self.now_ms())
                    .await?;
                offset += read as u32;
                if read < 1_000 || page.total_count.is_some_and(|t| i64::from(offset) >= t) {
                    break;
                }
            }
        }
        Ok(report)
    }

    /// The organisation's products and their stock, by SKU.
    pub async fn products(&self, user: &CurrentUser) -> Result<Vec<ProductStock>, AppError> {
        Ok(self.store.products(&user.organisation_id).await?)
    }

    /// Marks a product as goods of annex 15 to the VAT Act (split payment) or not; `None`
    /// takes the answer back.
    pub async fn set_product_annex15(
        &self,
        user: &CurrentUser,
        product: &ProductId,
        annex15: Option<bool>,
    ) -> Result<(), AppError> {
        if !self
            .store
            .set_product_annex15(&user.organisation_id, product, annex15)
            .await?
        {
            return Err(AppError::NotFound);
        }
        // Invoices that waited for this answer try again now.
        self.store
            .retry_order_tasks(Some(&user.organisation_id), domain::OrderTask::Invoice, self.now_ms())
            .await?;
        Ok(())
    }

    /// The organisation's warehouses, oldest first (the first one made if it has none).
    pub async fn warehouses(&self, user: &CurrentUser) -> Result<Vec<store::Warehouse>, AppError> {
        self.store
            .default_warehouse(&user.organisation_id, self.now_ms())
            .await?;
        Ok(self.store.warehouses(&user.organisation_id).await?)
    }

    /// Adds a warehouse named `name` (1–60 characters, unique in the organisation).
    pub async fn add_warehouse(&self, user: &CurrentUser, name: &str) -> Result<store::Warehouse, AppError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(invalid("name", "problem-warehouse-name-length"));
        }
        self.store
            .default_warehouse(&user.organisation_id, self.now_ms())
            .await?;
        let warehouse = store::Warehouse {
            id: WarehouseId::from_stored(uuid::Uuid::new_v4().to_string()),
            organisation_id: user.organisation_id.clone(),
            name: name.to_owned(),
        };
        match self.store.create_warehouse(&warehouse, self.now_ms()).await {
            Err(store::StoreError::Conflict { field: Some("name") }) => Err(invalid(
                "name",
                Problem::new("problem-warehouse-name-taken").arg("name", name),
            )),
            other => {
                other?;
                Ok(warehouse)
            }
        }
    }

    /// The warehouse `id` (as the seller's form sent it) names, if it is one of the
    /// organisation's.
    async fn own_warehouse(&self, user: &CurrentUser, id: &str) -> Result<WarehouseId, AppError> {
        self.warehouses(user)
            .await?
            .into_iter()
            .find(|w| w.id.as_str() == id)
            .map(|w| w.id)
            .ok_or_else(|| invalid("warehouse_id", Problem::new("problem-warehouse-unknown").arg("id", id)))
    }

    /// The warehouse goods leave from: the one the settings name, else the default.
    async fn issuing_warehouse(&self, org: &domain::OrganisationId) -> Result<WarehouseId, AppError> {
        let settings = self.store.warehouse_settings(org).await?;
        Ok(match settings.warehouse_id {
            Some(id) => id,
            None => self.store.default_warehouse(org, self.now_ms()).await?.id,
        })
    }

    /// Receives goods into (positive) or counts them out of (negative) `warehouse` (default:
    /// the issuing one); returns the new stock there.
    pub async fn adjust_stock(
        &self,
        user: &CurrentUser,
        warehouse: Option<&str>,
        product_id: &ProductId,
        quantity: i64,
        note: Option<&str>,
    ) -> Result<i64, AppError> {
        if quantity == 0 || !(-1_000_000..=1_000_000).contains(&quantity) {
            return Err(invalid("quantity", "problem-stock-quantity"));
        }
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if note.is_some_and(|n| n.chars().count() > 200) {
            return Err(invalid("note", "problem-stock-note-length"));
        }
        let warehouse = match warehouse.map(str::trim).filter(|w| !w.is_empty()) {
            Some(id) => self.own_warehouse(user, id).await?,
            None => self.issuing_warehouse(&user.organisation_id).await?,
        };
        let change = StockChange {
            warehouse_id: &warehouse,
            product_id,
            delta: quantity,
            reason: if quantity > 0 {
                domain::MovementReason::Receipt
            } else {
                domain::MovementReason::Adjustment
            },
            document_id: None,
            note,
            at_ms: self.now_ms(),
        };
        Ok(self.store.adjust_stock(&user.organisation_id, &change).await?)
    }

    /// Issues the order's WZ (once: an order that has one gets it back with `false`): each
    /// line's product found by its offer or SKU, stock taken in the same transaction.
    #[tracing::instrument(name = "wz", skip_all, fields(organisation_id = %user.organisation_id, order_id))]
    pub async fn issue_wz(
        &self,
        user: &CurrentUser,
        order_id: &OrderId,
    ) -> Result<(WarehouseDocument, bool), AppError> {
        let order = self.order(user, order_id).await?;
        if let Some(found) = self.store.wz_for_order(&user.organisation_id, &order.id).await? {
            return Ok((found, false));
        }
        // No goods leave for a cancelled order.
        if order.status.is_cancelled() {
            return Err(crate::conflict(Problem::new("problem-order-cancelled-no-shipping")));
        }
        let form = crate::orders::checkout_form(&order)?;
        let mut lines = Vec::with_capacity(form.line_items.len());
        for li in &form.line_items {
            let sku = li.offer.external.as_ref().and_then(|e| e.id.as_deref());
            let Some(product) = self
                .store
                .product_for_offer(&user.organisation_id, &li.offer.id, sku)
                .await?
            else {
                return Err(invalid(
                    "products",
                    Problem::new("problem-wz-not-a-product")
                        .arg("name", &li.offer.name)
                        .arg("offer", &li.offer.id)
                        .arg("sku", sku.unwrap_or("—")),
                ));
            };
            lines.push(WzLine {
                product_id: product.id,
                sku: product.sku,
                name: product.name,
                quantity: li.quantity,
            });
        }
        let now = self.now_ms();
        // WZ numbers run per Polish calendar year.
        let year = domain::time::polish_day(now).year();
        let wz = NewWz {
            id: uuid::Uuid::new_v4().to_string(),
            organisation_id: user.organisation_id.clone(),
            order_id: order.id.clone(),
            warehouse_id: self.issuing_warehouse(&user.organisation_id).await?,
            lines,
            now_ms: now,
            year: i32::from(year),
        };
        let (doc, created) = self.store.issue_wz(&wz).await?;
        if created {
            metrics::counter!("allegro_bridge_wz_issued_total").increment(1);
        }
        Ok((doc, created))
    }

    /// The worker's pass: WZs for orders at their organisation's trigger, and stock given
    /// back for cancelled ones. Returns (issued, cancelled); an order whose products are
    /// unknown is logged and tried again next pass.
    pub async fn run_warehouse(&self, limit: i64) -> Result<(usize, usize), AppError> {
        let mut issued = 0;
        for (org, order) in self.store.orders_awaiting_wz(limit, self.now_ms()).await? {
            if self.is_stopping() {
                return Ok((issued, 0));
            }
            let user = CurrentUser::for_organisation(org.clone());
            match self.issue_wz(&user, &order).await {
                Ok((_, true)) => issued += 1,
                Ok(_) => {}
                // Reading products clears the wait.
                Err(e @ AppError::Validation { .. }) => {
                    self.postpone(&org, &order, domain::OrderTask::Wz, &e.to_stored_problem())
                        .await?;
                    tracing::info!(order_id = %order, error = %e, "no WZ yet");
                }
                Err(e) => return Err(e),
            }
        }
        let mut cancelled = 0;
        for (org, order) in self.store.orders_awaiting_wz_cancel(limit).await? {
            if self.store.cancel_wz(&org, &order, self.now_ms()).await?.is_some() {
                cancelled += 1;
            }
        }
        Ok((issued, cancelled))
    }

    /// The order's WZ as an A4 PDF (Polish): the seller from the invoicing details (or
    /// the account's login), the recipient from the delivery address, the lines as issued.
    pub async fn wz_pdf(&self, user: &CurrentUser, order_id: &OrderId) -> Result<(String, Vec<u8>), AppError> {
        let order = self.order(user, order_id).await?;
        let wz = self
            .store
            .wz_for_order(&user.organisation_id, &order.id)
            .await?
            .ok_or(AppError::NotFound)?;
        let form = crate::orders::checkout_form(&order)?;
        let issuer = match self.invoicing_profile(user).await? {
            Some(p) => {
                let mut lines = vec![p.seller.name, p.seller.address_line1, p.seller.address_line2];
                if let Some(nip) = p.seller.nip {
                    lines.push(format!("NIP: {}", nip.as_str()));
                }
                lines
            }
            None => {
                let account = self.store.account(&user.organisation_id, &order.account_id).await?;
                vec![account.map_or_else(String::new, |a| a.login)]
            }
        };
        let recipient = match form.delivery.as_ref().and_then(|d| d.address.as_ref()) {
            Some(a) => {
                let mut lines = vec![format!("{} {}", a.first_name, a.last_name)];
                if let Some(company) = a.company_name.as_ref().filter(|c| !c.is_empty()) {
                    lines.push(company.clone());
                }
                lines.push(a.street.clone());
                lines.push(format!("{} {}", a.zip_code, a.city));
                lines
            }
            None => vec![order.buyer_login.clone()],
        };
        let day = crate::invoices::day_of;
        let warehouse = self
            .store
            .default_warehouse(&user.organisation_id, self.now_ms())
            .await?;
        let view = invoice_pdf::GoodsIssue {
            number: wz.number.clone(),
            date: day(wz.issued_at_ms),
            issuer,
            recipient,
            warehouse: if warehouse.id == wz.warehouse_id {
                warehouse.name
            } else {
                wz.warehouse_id.to_string()
            },
            reference: format!("Zamówienie Allegro nr {} z dnia {}", order.id, day(order.bought_at_ms)),
            lines: wz
                .lines
                .iter()
                .map(|l| (l.sku.clone(), l.name.clone(), l.quantity))
                .collect(),
            cancelled: wz
                .cancelled_at_ms
                .map(|at| format!("ANULOWANY {}: towar wrócił na stan", day(at))),
        };
        let pdf = tokio::task::spawn_blocking(move || invoice_pdf::render_goods_issue(&view))
            .await
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("the PDF renderer stopped")))?
            .map_err(|e| AppError::Internal(anyhow::Error::new(e).context(format!("rendering {}", wz.number))))?;
        Ok((wz.number.replace('/', "_"), pdf))
    }

    /// The order's WZ, if issued.
    pub async fn order_wz(
        &self,
        user: &CurrentUser,
        order_id: &OrderId,
    ) -> Result<Option<WarehouseDocument>, AppError> {
        Ok(self.store.wz_for_order(&user.organisation_id, order_id).await?)
    }

    /// The organisation's warehouse documents, newest first.
    pub async fn warehouse_documents(&self, user: &CurrentUser) -> Result<Vec<WarehouseDocument>, AppError> {
        Ok(self.store.warehouse_documents(&user.organisation_id, 500).await?)
    }

    /// The organisation's latest stock movements.
    pub async fn stock_movements(&self, user: &CurrentUser) -> Result<Vec<StockMovement>, AppError> {
        Ok(self.store.stock_movements(&user.organisation_id, 500).await?)
    }

    /// The warehouse settings.
    pub async fn warehouse_settings(&self, user: &CurrentUser) -> Result<WarehouseSettings, AppError> {
        Ok(self.store.warehouse_settings(&user.organisation_id).await?)
    }

    /// Saves when WZs are issued (a status of [`domain::FulfillmentStatus::WZ_TRIGGERS`],
    /// or none: by hand only) and,
    /// when given, the warehouse they take goods from.
    pub async fn save_warehouse_settings(
        &self,
        user: &CurrentUser,
        wz_trigger: Option<&str>,
        warehouse: Option<&str>,
    ) -> Result<(), AppError> {
        let trigger = wz_trigger
            .map(|t| t.trim().to_ascii_uppercase())
            .filter(|t| !t.is_empty());
        let allowed = domain::FulfillmentStatus::WZ_TRIGGERS;
        if let Some(t) = &trigger
            && !t
                .parse::<domain::FulfillmentStatus>()
                .is_ok_and(|status| allowed.contains(&status))
        {
            return Err(invalid(
                "wz_trigger",
                Problem::not_one_of(t, &allowed.map(domain::FulfillmentStatus::as_str)),
            ));
        }
        let mut settings = self.store.warehouse_settings(&user.organisation_id).await?;
        settings.wz_trigger = trigger;
        if let Some(id) = warehouse.map(str::trim).filter(|w| !w.is_empty()) {
            settings.warehouse_id = Some(self.own_warehouse(user, id).await?);
        }
        Ok(self
            .store
            .save_warehouse_settings(&user.organisation_id, &settings)
            .await?)
    }
}
