//! Raw HTTP against the emulator, the crypto done by hand as an independent client would.

use aes::cipher::{BlockEncryptMut, KeyIvInit, block_padding::Pkcs7};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ksef_emulator::{Handle, NewToken, Settings};
use reqwest::{Method, Response};
use rsa::pkcs8::DecodePublicKey;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use x509_cert::der::{Decode, Encode};

pub const NIP: &str = "5265877635";

/// The first exception code of a legacy 400 body (-1 if none).
pub fn code(body: &Value) -> i64 {
    body["exception"]["exceptionDetailList"][0]["exceptionCode"]
        .as_i64()
        .unwrap_or(-1)
}

pub struct Api {
    pub http: reqwest::Client,
    pub handle: Handle,
}

pub fn b64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

pub fn sha(bytes: &[u8]) -> String {
    b64(&Sha256::digest(bytes))
}

pub fn aes(key: &[u8; 32], iv: &[u8; 16], plain: &[u8]) -> Vec<u8> {
    cbc::Encryptor::<aes::Aes256>::new(key.into(), iv.into()).encrypt_padded_vec_mut::<Pkcs7>(plain)
}

pub fn rsa_key(cert_b64: &str) -> rsa::RsaPublicKey {
    let cert = x509_cert::Certificate::from_der(&STANDARD.decode(cert_b64).unwrap()).unwrap();
    let spki = cert.tbs_certificate.subject_public_key_info.to_der().unwrap();
    rsa::RsaPublicKey::from_public_key_der(&spki).unwrap()
}

pub fn oaep(key: &rsa::RsaPublicKey, plain: &[u8]) -> String {
    b64(&key
        .encrypt(&mut rand_core::OsRng, rsa::Oaep::new::<Sha256>(), plain)
        .unwrap())
}

pub struct Session {
    pub reference: String,
    pub key: [u8; 32],
    pub iv: [u8; 16],
}

impl Api {
    /// An emulator with its rate limits off (tests of limits turn them on).
    pub async fn new(settings: Settings) -> Self {
        let handle = ksef_emulator::spawn("127.0.0.1:0", settings).await.unwrap();
        handle.emulator.set_rate_limits(false);
        Self {
            http: reqwest::Client::new(),
            handle,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.handle.api_url)
    }

    pub async fn call(&self, method: Method, path: &str, bearer: Option<&str>, body: Option<Value>) -> Response {
        let mut r = self.http.request(method, self.url(path));
        if let Some(b) = bearer {
            r = r.bearer_auth(b);
        }
        if let Some(body) = body {
            r = r.json(&body);
        }
        r.send().await.unwrap()
    }

    pub async fn json(&self, method: Method, path: &str, bearer: Option<&str>, body: Option<Value>) -> (u16, Value) {
        let r = self.call(method, path, bearer, body).await;
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub fn token(&self, nip: &str, permissions: &[&str]) -> (String, String) {
        self.handle
            .emulator
            .create_token(NewToken {
                nip: nip.into(),
                permissions: permissions.iter().map(|p| (*p).to_owned()).collect(),
                description: None,
            })
            .unwrap()
    }

    pub async fn key(&self, usage: &str) -> (rsa::RsaPublicKey, String) {
        let (_, keys) = self
            .json(Method::GET, "/security/public-key-certificates", None, None)
            .await;
        let k = keys
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|k| k["usage"][0] == usage)
            .unwrap();
        (
            rsa_key(k["certificate"].as_str().unwrap()),
            k["publicKeyId"].as_str().unwrap().to_owned(),
        )
    }

    /// `(reference, authenticationToken)` of a login started with `token`.
    pub async fn start_login(&self, nip: &str, token: &str, policy: Option<Value>) -> (String, String) {
        let (key, id) = self.key("KsefTokenEncryption").await;
        let (_, ch) = self.json(Method::POST, "/auth/challenge", None, None).await;
        let plain = format!("{token}|{}", ch["timestampMs"]);
        let mut body = json!({
            "challenge": ch["challenge"],
            "contextIdentifier": {"type": "Nip", "value": nip},
            "encryptedToken": oaep(&key, plain.as_bytes()),
            "publicKeyId": id,
        });
        if let Some(p) = policy {
            body["authorizationPolicy"] = p;
        }
        let (status, init) = self.json(Method::POST, "/auth/ksef-token", None, Some(body)).await;
        assert_eq!(status, 202, "{init}");
        (
            init["referenceNumber"].as_str().unwrap().to_owned(),
            init["authenticationToken"]["token"].as_str().unwrap().to_owned(),
        )
    }

    /// `(accessToken, refreshToken)` for a token with these permissions.
    pub async fn login(&self, permissions: &[&str]) -> (String, String) {
        let (token, _) = self.token(NIP, permissions);
        let (reference, auth) = self.start_login(NIP, &token, None).await;
        let (_, status) = self
            .json(Method::GET, &format!("/auth/{reference}"), Some(&auth), None)
            .await;
        assert_eq!(status["status"]["code"], 200, "{status}");
        let (_, tokens) = self.json(Method::POST, "/auth/token/redeem", Some(&auth), None).await;
        (
            tokens["accessToken"]["token"].as_str().unwrap().to_owned(),
            tokens["refreshToken"]["token"].as_str().unwrap().to_owned(),
        )
    }

    pub async fn open(&self, access: &str) -> Session {
        let (key_rsa, id) = self.key("SymmetricKeyEncryption").await;
        let key: [u8; 32] = rand::random();
        let iv: [u8; 16] = rand::random();
        let (status, body) = self
            .json(
                Method::POST,
                "/sessions/online",
                Some(access),
                Some(json!({
                    "formCode": {"systemCode": "FA (3)", "schemaVersion": "1-0E", "value": "FA"},
                    "encryption": {"encryptedSymmetricKey": oaep(&key_rsa, &key), "initializationVector": b64(&iv), "publicKeyId": id},
                })),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        Session {
            reference: body["referenceNumber"].as_str().unwrap().to_owned(),
            key,
            iv,
        }
    }

    pub fn send_body(&self, s: &Session, xml: &[u8]) -> Value {
        let ct = aes(&s.key, &s.iv, xml);
        json!({
            "invoiceHash": sha(xml), "invoiceSize": xml.len(),
            "encryptedInvoiceHash": sha(&ct), "encryptedInvoiceSize": ct.len(),
            "encryptedInvoiceContent": b64(&ct), "offlineMode": false,
        })
    }

    /// Sends and waits for the final status; the status body.
    pub async fn send(&self, access: &str, s: &Session, body: Value) -> Value {
        let (status, sent) = self
            .json(
                Method::POST,
                &format!("/sessions/online/{}/invoices", s.reference),
                Some(access),
                Some(body),
            )
            .await;
        assert_eq!(status, 202, "{sent}");
        let r = sent["referenceNumber"].as_str().unwrap();
        loop {
            let (_, st) = self
                .json(
                    Method::GET,
                    &format!("/sessions/{}/invoices/{r}", s.reference),
                    Some(access),
                    None,
                )
                .await;
            if st["status"]["code"] != 150 && st["status"]["code"] != 100 {
                return st;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    pub fn today(&self) -> String {
        ksef_emulator::fixtures::today(&self.handle.emulator)
    }

    pub fn invoice(&self, number: &str) -> Vec<u8> {
        ksef_emulator::fixtures::invoice(NIP, number, &self.today())
    }
}

/// The crate's folder at run time: a build folder shared between clones may hold a binary
/// compiled in another clone, so the compile-time path can be stale.
pub fn manifest_dir() -> String {
    std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned())
}
