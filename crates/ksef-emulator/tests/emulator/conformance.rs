//! Every emulated answer, success and error, validated against the schemas of KSeF's own
//! OpenAPI document (`shared/ksef/api/open-api.json`): the status must be documented for
//! the operation, and the body must match the schema documented for that status and
//! content type (legacy `ExceptionResponse` or problem details, as asked).

use std::collections::BTreeSet;

use ksef_emulator::Settings;
use openapi_schemas::{Nulls, Schemas};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Api, manifest_dir};

struct Checker<'a> {
    api: &'a Api,
    schemas: Schemas,
    failures: Vec<String>,
    covered: BTreeSet<(String, String)>,
}

impl<'a> Checker<'a> {
    fn new(api: &'a Api) -> Self {
        let path = openapi_schemas::shared_dir(&manifest_dir()).join("ksef/api/open-api.json");
        Self {
            api,
            schemas: Schemas::from_file(&path, Nulls::AsDocumented),
            failures: Vec::new(),
            covered: BTreeSet::new(),
        }
    }

    /// Makes the call and checks the answer against the operation `template`.
    async fn check(
        &mut self,
        method: Method,
        template: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
        problem: bool,
    ) -> (u16, Value) {
        let mut r = self.api.http.request(method.clone(), self.api.url(path));
        if let Some(b) = bearer {
            r = r.bearer_auth(b);
        }
        if let Some(b) = &body {
            r = r.json(b);
        }
        if problem {
            r = r.header("x-error-format", "problem-details");
        }
        let response = r.send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .to_owned();
        let bytes = response.bytes().await.unwrap();
        let what = format!("{method} {template} → {status}");
        let op = self.schemas.spec()["paths"][template][method.as_str().to_lowercase()].clone();
        if !op.is_object() {
            self.failures.push(format!("{what}: not in the document"));
            return (status, Value::Null);
        }
        let documented = &op["responses"][status.to_string()];
        if documented.is_null() {
            self.failures.push(format!("{what}: status not documented"));
            return (status, Value::Null);
        }
        self.covered.insert((method.to_string(), template.to_owned()));
        let content = &documented["content"];
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if content.is_null() {
            if !bytes.is_empty() && status == 204 {
                self.failures.push(format!("{what}: a body on 204"));
            }
            return (status, value);
        }
        let Some(media) = content.get(&content_type) else {
            self.failures.push(format!(
                "{what}: content type {content_type} not documented ({content})"
            ));
            return (status, value);
        };
        if let Some(schema) = media["schema"]["$ref"].as_str()
            && content_type.ends_with("json")
            && let Err(e) = self.schemas.validate(schema, &value)
        {
            self.failures.push(format!("{what}: {e}"));
        }
        (status, value)
    }
}

#[tokio::test]
async fn every_answer_matches_the_official_document() {
    let api = Api::new(Settings::default()).await;
    let mut c = Checker::new(&api);
    // Public calls.
    c.check(
        Method::GET,
        "/security/public-key-certificates",
        "/security/public-key-certificates",
        None,
        None,
        false,
    )
    .await;
    c.check(Method::POST, "/auth/challenge", "/auth/challenge", None, None, false)
        .await;
    c.check(
        Method::POST,
        "/auth/ksef-token",
        "/auth/ksef-token",
        None,
        Some(json!({"challenge": "x"})),
        false,
    )
    .await;
    c.check(
        Method::POST,
        "/auth/ksef-token",
        "/auth/ksef-token",
        None,
        Some(json!({"challenge": "x"})),
        true,
    )
    .await;
    let (token, token_ref) = api.token(common_nip(), &["InvoiceWrite", "InvoiceRead", "CredentialsManage"]);
    let (login, auth) = api.start_login(common_nip(), &token, None).await;
    c.check(
        Method::GET,
        "/auth/{referenceNumber}",
        &format!("/auth/{login}"),
        Some(&auth),
        None,
        false,
    )
    .await;
    c.check(
        Method::GET,
        "/auth/{referenceNumber}",
        &format!("/auth/{login}"),
        None,
        None,
        false,
    )
    .await;
    let (_, tokens) = c
        .check(
            Method::POST,
            "/auth/token/redeem",
            "/auth/token/redeem",
            Some(&auth),
            None,
            false,
        )
        .await;
    c.check(
        Method::POST,
        "/auth/token/redeem",
        "/auth/token/redeem",
        Some(&auth),
        None,
        false,
    )
    .await;
    let access = tokens["accessToken"]["token"].as_str().unwrap().to_owned();
    let refresh = tokens["refreshToken"]["token"].as_str().unwrap().to_owned();
    c.check(
        Method::POST,
        "/auth/token/refresh",
        "/auth/token/refresh",
        Some(&refresh),
        None,
        false,
    )
    .await;
    c.check(
        Method::GET,
        "/auth/sessions",
        "/auth/sessions",
        Some(&access),
        None,
        false,
    )
    .await;
    // Sessions and invoices.
    let s = api.open(&access).await;
    let xml = api.invoice("FV/K/1");
    c.check(
        Method::POST,
        "/sessions/online",
        "/sessions/online",
        Some(&access),
        Some(json!({})),
        false,
    )
    .await;
    c.check(
        Method::POST,
        "/sessions/online",
        "/sessions/online",
        Some(&access),
        Some(json!({})),
        true,
    )
    .await;
    let send = format!("/sessions/online/{}/invoices", s.reference);
    let (_, sent) = c
        .check(
            Method::POST,
            "/sessions/online/{referenceNumber}/invoices",
            &send,
            Some(&access),
            Some(api.send_body(&s, &xml)),
            false,
        )
        .await;
    let inv = sent["referenceNumber"].as_str().unwrap().to_owned();
    c.check(
        Method::POST,
        "/sessions/online/{referenceNumber}/invoices",
        &send,
        Some(&access),
        Some(json!({"invoiceHash": "x"})),
        false,
    )
    .await;
    let (_, st) = c
        .check(
            Method::GET,
            "/sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}",
            &format!("/sessions/{}/invoices/{inv}", s.reference),
            Some(&access),
            None,
            false,
        )
        .await;
    let ksef = st["ksefNumber"].as_str().unwrap().to_owned();
    // A duplicate (440 with extensions) and a schema failure (430 with details).
    let (_, dup) = c
        .check(
            Method::POST,
            "/sessions/online/{referenceNumber}/invoices",
            &send,
            Some(&access),
            Some(api.send_body(&s, &xml)),
            false,
        )
        .await;
    c.check(
        Method::GET,
        "/sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}",
        &format!(
            "/sessions/{}/invoices/{}",
            s.reference,
            dup["referenceNumber"].as_str().unwrap()
        ),
        Some(&access),
        None,
        false,
    )
    .await;
    api.send(&access, &s, api.send_body(&s, b"<Faktura/>")).await;
    c.check(
        Method::GET,
        "/sessions/{referenceNumber}/invoices",
        &format!("/sessions/{}/invoices?pageSize=10", s.reference),
        Some(&access),
        None,
        false,
    )
    .await;
    c.check(
        Method::GET,
        "/sessions/{referenceNumber}/invoices/failed",
        &format!("/sessions/{}/invoices/failed", s.reference),
        Some(&access),
        None,
        false,
    )
    .await;
    c.check(
        Method::GET,
        "/sessions/{referenceNumber}/invoices/{invoiceReferenceNumber}/upo",
        &format!("/sessions/{}/invoices/{inv}/upo", s.reference),
        Some(&access),
        None,
        false,
    )
    .await;
    c.check(
        Method::GET,
        "/sessions/{referenceNumber}/invoices/ksef/{ksefNumber}/upo",
        &format!("/sessions/{}/invoices/ksef/{ksef}/upo", s.reference),
        Some(&access),
        None,
        false,
    )
    .await;
    c.check(
        Method::GET,
        "/sessions/{referenceNumber}/invoices/ksef/{ksefNumber}/upo",
        &format!(
            "/sessions/{}/invoices/ksef/5265877635-20260101-000000000000-00/upo",
            s.reference
        ),
        Some(&access),
        None,
        true,
    )
    .await;
    c.check(
        Method::GET,
        "/sessions/{referenceNumber}",
        &format!("/sessions/{}", s.reference),
        Some(&access),
        None,
        false,
    )
    .await;
    c.check(
        Method::POST,
        "/sessions/online/{referenceNumber}/close",
        &format!("/sessions/online/{}/close", s.reference),
        Some(&access),
        None,
        false,
    )
    .await;
    c.check(
        Method::POST,
        "/sessions/online/{referenceNumber}/close",
        &format!("/sessions/online/{}/close", s.reference),
        Some(&access),
        None,
        false,
    )
    .await;
    let (_, closed) = c
        .check(
            Method::GET,
            "/sessions/{referenceNumber}",
            &format!("/sessions/{}", s.reference),
            Some(&access),
            None,
            false,
        )
        .await;
    let upo_ref = closed["upo"]["pages"][0]["referenceNumber"]
        .as_str()
        .unwrap()
        .to_owned();
    c.check(
        Method::GET,
        "/sessions/{referenceNumber}/upo/{upoReferenceNumber}",
        &format!("/sessions/{}/upo/{upo_ref}", s.reference),
        Some(&access),
        None,
        false,
    )
    .await;
    c.check(
        Method::GET,
        "/sessions/{referenceNumber}",
        "/sessions/20261130-SO-0000000000-0000000000-00",
        Some(&access),
        None,
        false,
    )
    .await;
    // Batch: open (201 with the part links), a close before the parts came (400).
    let (batch_status, batch) = c
        .check(
            Method::POST,
            "/sessions/batch",
            "/sessions/batch",
            Some(&access),
            Some(batch_request(&api).await),
            false,
        )
        .await;
    assert_eq!(batch_status, 201, "{batch}");
    c.check(
        Method::POST,
        "/sessions/batch/{referenceNumber}/close",
        &format!("/sessions/batch/{}/close", batch["referenceNumber"].as_str().unwrap()),
        Some(&access),
        None,
        false,
    )
    .await;
    // Reading back.
    c.check(
        Method::GET,
        "/invoices/ksef/{ksefNumber}",
        &format!("/invoices/ksef/{ksef}"),
        Some(&access),
        None,
        false,
    )
    .await;
    c.check(
        Method::GET,
        "/invoices/ksef/{ksefNumber}",
        "/invoices/ksef/5265877635-20260101-000000000000-00",
        Some(&access),
        None,
        false,
    )
    .await;
    let from = jiff::Timestamp::from_millisecond(api.handle.emulator.now_ms() - 3_600_000)
        .unwrap()
        .to_string();
    c.check(
        Method::POST,
        "/invoices/query/metadata",
        "/invoices/query/metadata",
        Some(&access),
        Some(json!({"subjectType": "Subject1", "dateRange": {"dateType": "PermanentStorage", "from": from}})),
        false,
    )
    .await;
    c.check(
        Method::POST,
        "/invoices/query/metadata",
        "/invoices/query/metadata",
        Some(&access),
        Some(json!({"subjectType": "Subject1", "dateRange": {"dateType": "Issue", "from": "2025-01-01T00:00:00"}})),
        false,
    )
    .await;
    // Tokens, limits, test data.
    c.check(Method::GET, "/tokens", "/tokens", Some(&access), None, false)
        .await;
    c.check(
        Method::POST,
        "/tokens",
        "/tokens",
        Some(&access),
        Some(json!({"permissions": ["InvoiceRead"], "description": "Odczyt faktur"})),
        false,
    )
    .await;
    c.check(
        Method::GET,
        "/tokens/{referenceNumber}",
        &format!("/tokens/{token_ref}"),
        Some(&access),
        None,
        false,
    )
    .await;
    c.check(Method::GET, "/rate-limits", "/rate-limits", Some(&access), None, false)
        .await;
    c.check(
        Method::GET,
        "/limits/context",
        "/limits/context",
        Some(&access),
        None,
        false,
    )
    .await;
    c.check(
        Method::POST,
        "/testdata/subject",
        "/testdata/subject",
        None,
        Some(json!({"subjectNip": "7010000002", "subjectType": "VatGroup", "description": "Grupa"})),
        false,
    )
    .await;
    c.check(
        Method::POST,
        "/testdata/subject",
        "/testdata/subject",
        None,
        Some(json!({"subjectNip": "7010000002", "subjectType": "VatGroup", "description": "Grupa"})),
        false,
    )
    .await;
    c.check(
        Method::POST,
        "/testdata/person",
        "/testdata/person",
        None,
        Some(json!({"nip": "7010000003", "pesel": "90010112345", "isBailiff": false, "description": "Osoba"})),
        false,
    )
    .await;
    c.check(
        Method::POST,
        "/testdata/context/block",
        "/testdata/context/block",
        None,
        Some(json!({"contextIdentifier": {"type": "Nip", "value": "7010000004"}})),
        false,
    )
    .await;
    c.check(
        Method::POST,
        "/testdata/context/unblock",
        "/testdata/context/unblock",
        None,
        Some(json!({"contextIdentifier": {"type": "Nip", "value": "7010000004"}})),
        false,
    )
    .await;
    c.check(
        Method::DELETE,
        "/tokens/{referenceNumber}",
        &format!("/tokens/{token_ref}"),
        Some(&access),
        None,
        false,
    )
    .await;
    c.check(
        Method::DELETE,
        "/auth/sessions/current",
        "/auth/sessions/current",
        Some(&access),
        None,
        false,
    )
    .await;
    // 403, 429 in both shapes, 410.
    let (read_only, _) = api.login(&["InvoiceRead"]).await;
    c.check(
        Method::POST,
        "/sessions/online",
        "/sessions/online",
        Some(&read_only),
        Some(json!({})),
        false,
    )
    .await;
    api.handle.emulator.set_rate_limits(true);
    let (limited, _) = api.login(&["InvoiceWrite"]).await;
    let mut saw = 0;
    for i in 0..12 {
        let (status, _) = c
            .check(
                Method::GET,
                "/sessions/{referenceNumber}",
                "/sessions/20261130-SO-0000000000-0000000000-00",
                Some(&limited),
                None,
                i % 2 == 0,
            )
            .await;
        saw += usize::from(status == 429);
    }
    assert!(saw >= 2, "both 429 shapes were produced");
    api.handle.emulator.advance_clock(8 * 86_400);
    c.check(
        Method::GET,
        "/auth/{referenceNumber}",
        &format!("/auth/{login}"),
        Some(&auth),
        None,
        false,
    )
    .await;

    assert!(
        c.failures.is_empty(),
        "{} failures:\n{}",
        c.failures.len(),
        c.failures.join("\n")
    );
    // Every operation the emulator serves for this product was exercised.
    assert_eq!(c.covered.len(), 32, "{:?}", c.covered);
}

fn common_nip() -> &'static str {
    crate::common::NIP
}

async fn batch_request(api: &Api) -> Value {
    let (key, id) = api.key("SymmetricKeyEncryption").await;
    let aes: [u8; 32] = rand::random();
    json!({
        "formCode": {"systemCode": "FA (3)", "schemaVersion": "1-0E", "value": "FA"},
        "batchFile": {"fileSize": 100, "fileHash": crate::common::sha(b"zip"),
            "fileParts": [{"ordinalNumber": 1, "fileSize": 112, "fileHash": crate::common::sha(b"part")}]},
        "encryption": {"encryptedSymmetricKey": crate::common::oaep(&key, &aes), "initializationVector": crate::common::b64(&[1; 16]), "publicKeyId": id},
    })
}

#[test]
fn the_converter_rejects_what_the_document_forbids() {
    let path = openapi_schemas::shared_dir(&manifest_dir()).join("ksef/api/open-api.json");
    let mut s = Schemas::from_file(&path, Nulls::AsDocumented);
    let ok = json!({"referenceNumber": "20250625-SO-2C3E6C8000-B675CF5D68-07", "validUntil": "2025-07-11T12:23:56.0154302+00:00"});
    s.validate("OpenOnlineSessionResponse", &ok).unwrap();
    assert!(
        s.validate("OpenOnlineSessionResponse", &json!({"referenceNumber": "x"}))
            .is_err(),
        "required"
    );
    let mut typo = ok.clone();
    typo["validUnitl"] = json!("x");
    assert!(s.validate("OpenOnlineSessionResponse", &typo).is_err(), "unknown field");
    assert!(
        s.validate("PublicKeyCertificateUsage", &json!("Other")).is_err(),
        "enum"
    );
}
