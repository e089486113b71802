//! Invoices on an order: the list, adding one and uploading its file.

use super::*;

fn invoice_view(inv: &InvoiceRecord, now: i64) -> CheckoutFormsOrderInvoice {
    CheckoutFormsOrderInvoice {
        id: Some(inv.id.clone()),
        invoice_number: inv.number.clone(),
        created_at: Some(Instant::from_millis(inv.created_at_ms)),
        file: inv.file.map(|(uploaded, _)| {
            let scanned = now - uploaded >= INVOICE_SCAN_MS;
            CheckoutFormsOrderInvoiceFile {
                name: Some(inv.file_name.clone()),
                uploaded_at: Some(Instant::from_millis(uploaded)),
                security_verification: Some(InvoiceSecurityVerification {
                    status: Some(if scanned { "ACCEPTED" } else { "WAITING" }.into()),
                    verified_at: scanned.then(|| Instant::from_millis(uploaded + INVOICE_SCAN_MS)),
                }),
                verification: Some(InvoiceVerification {
                    status: Some("NOT_APPLICABLE".into()),
                    details: Some(Vec::new()),
                }),
            }
        }),
    }
}

pub(super) async fn invoices(
    State(emu): State<Arc<Emulator>>,
    Extension(caller): Extension<Caller>,
    Extension(lang): Extension<Lang>,
    Path(id): Path<String>,
) -> Response {
    let now = emu.now_ms();
    let world = emu.world.read();
    let path = format!("/order/checkout-forms/{id}/invoices");
    let idx = or_respond!(find_order(&world, &caller, &id, lang, &path));
    vnd_json(
        StatusCode::OK,
        &CheckoutFormsOrderInvoices {
            order_mode: Some("REGULAR".into()),
            invoices: Some(
                world.orders[idx]
                    .invoices
                    .iter()
                    .map(|i| invoice_view(i, now))
                    .collect(),
            ),
            links: Some(Vec::new()),
            has_external_invoices: Some(false),
        },
    )
}

pub(super) async fn add_invoice(
    State(emu): State<Arc<Emulator>>,
    Extension(caller): Extension<Caller>,
    Extension(lang): Extension<Lang>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = format!("/order/checkout-forms/{id}/invoices");
    let now = emu.now_ms();
    let mut world = emu.world.write();
    let idx = or_respond!(find_order(&world, &caller, &id, lang, &path));
    let request: CheckFormsNewOrderInvoice = or_respond!(json_body(&headers, &body, lang, &path));
    if request.file.name.trim().is_empty() {
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_ERROR",
            "File name must not be empty",
            Some("file.name"),
            lang,
        );
    }
    let order = &world.orders[idx];
    if order.key.status != Some(CheckoutFormStatus::ReadyForProcessing) {
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVOICE_NOT_ALLOWED",
            "Order does not allow adding an invoice (not paid or cancelled)",
            Some(&path),
            lang,
        );
    }
    if order
        .invoices
        .iter()
        .any(|i| i.file.is_some_and(|(up, _)| now - up < INVOICE_SCAN_MS))
    {
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "FILE_BEING_SCANNED",
            "A previously uploaded file is still being scanned",
            Some(&path),
            lang,
        );
    }
    if let Some(number) = &request.invoice_number
        && order.invoices.iter().any(|i| i.number.as_ref() == Some(number))
    {
        return api_error(
            StatusCode::CONFLICT,
            "CONFLICT",
            "Order with given id already has seller invoice",
            Some(&path),
            lang,
        );
    }
    if order
        .invoices
        .iter()
        .any(|i| i.file.is_none() && now - i.created_at_ms < 3_000)
    {
        return api_error(
            StatusCode::TOO_MANY_REQUESTS,
            "TOO_MANY_REQUESTS",
            "You're trying to add another metadata too fast. Upload a file to previously added metadata or wait a few seconds",
            Some(&path),
            lang,
        );
    }
    let invoice_id = world.uuid();
    world.orders[idx].invoices.push(InvoiceRecord {
        id: invoice_id.clone(),
        number: request.invoice_number,
        file_name: request.file.name,
        created_at_ms: now,
        file: None,
    });
    vnd_json(
        StatusCode::CREATED,
        &CheckFormsNewOrderInvoiceId { id: Some(invoice_id) },
    )
}

pub(super) async fn upload_invoice_file(
    State(emu): State<Arc<Emulator>>,
    Extension(caller): Extension<Caller>,
    Extension(lang): Extension<Lang>,
    Path((id, invoice_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let path = format!("/order/checkout-forms/{id}/invoices/{invoice_id}/file");
    let bytes = match axum::body::to_bytes(body, MAX_INVOICE_BYTES + 1).await {
        Ok(b) if b.len() <= MAX_INVOICE_BYTES => b,
        _ => {
            return api_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                "File is too large (max 3 MB)",
                Some(&path),
                lang,
            );
        }
    };
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let now = emu.now_ms();
    let mut world = emu.world.write();
    let idx = or_respond!(find_order(&world, &caller, &id, lang, &path));
    let Some(inv) = world.orders[idx].invoices.iter_mut().find(|i| i.id == invoice_id) else {
        return api_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            format!("Invoice {invoice_id} not found"),
            Some(&path),
            lang,
        );
    };
    if inv.file.is_some() {
        return api_error(
            StatusCode::CONFLICT,
            "CONFLICT",
            "Invoice already has a file",
            Some(&path),
            lang,
        );
    }
    if bytes.is_empty() {
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "EMPTY-ATTACHMENT",
            format!("Attachment for given order [{id}] and invoice [{invoice_id}] must not be empty"),
            Some(&path),
            lang,
        );
    }
    if !ct.starts_with("application/pdf") || !bytes.starts_with(b"%PDF-") {
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "FILE-CONTENT-INVALID",
            format!("File for given order [{id}] and invoice [{invoice_id}] must have a PDF content"),
            Some(&path),
            lang,
        );
    }
    inv.file = Some((now, bytes.len()));
    let mut response = StatusCode::OK.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    response
}
