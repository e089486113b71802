//! The HTTP layer: one request with KSeF's headers, both error shapes parsed into
//! [`KsefError`], retries with backoff on 5xx and timeouts, `Retry-After` on 429, and the
//! client-side rate limits before every call.

use std::sync::Arc;
use std::time::Duration;

use ksef_api_types::{ExceptionResponse, ProblemDetails};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use crate::limiter::{Group, RateLimits};
use crate::{Environment, KsefError};

/// How hard to try before giving up.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts per call (first included).
    pub max_attempts: u32,
    /// First backoff; doubles each time, with jitter.
    pub base_delay: Duration,
    /// Longest backoff.
    pub max_delay: Duration,
    /// A 429 asking for a longer wait than this is returned instead of waited out.
    pub max_retry_after: Duration,
    /// Per request.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(120),
            timeout: Duration::from_secs(30),
        }
    }
}

pub(crate) struct Inner {
    pub http: reqwest::Client,
    pub env: Environment,
    pub limits: RateLimits,
    pub retry: RetryPolicy,
    pub problem_details: bool,
    pub keys: parking_lot::Mutex<Option<Vec<ksef_api_types::PublicKeyCertificate>>>,
}

/// A KSeF client for one environment; cheap to clone (clones share limits and keys).
#[derive(Clone)]
pub struct KsefClient(pub(crate) Arc<Inner>);

impl std::fmt::Debug for KsefClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KsefClient")
            .field("env", &self.0.env)
            .finish_non_exhaustive()
    }
}

/// Builds a [`KsefClient`].
#[derive(Debug)]
pub struct KsefClientBuilder {
    env: Environment,
    limits: RateLimits,
    retry: RetryPolicy,
    problem_details: bool,
}

impl KsefClientBuilder {
    /// Client-side rate limits (default: production's).
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Retry policy.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Ask for problem-details errors (`X-Error-Format: problem-details`).
    pub fn problem_details(mut self, on: bool) -> Self {
        self.problem_details = on;
        self
    }

    /// The client.
    pub fn build(self) -> Result<KsefClient, KsefError> {
        let http = reqwest::Client::builder()
            .timeout(self.retry.timeout)
            .user_agent(concat!("allegro-bridge-ksef-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| KsefError::Invalid(format!("klient HTTP: {e}")))?;
        Ok(KsefClient(Arc::new(Inner {
            http,
            env: self.env,
            limits: self.limits,
            retry: self.retry,
            problem_details: self.problem_details,
            keys: parking_lot::Mutex::new(None),
        })))
    }
}

/// One call.
pub(crate) struct Call {
    pub method: Method,
    pub path: String,
    pub group: Group,
    /// The context (NIP) whose limits it counts against.
    pub context: String,
    pub bearer: Option<String>,
    pub json: Option<serde_json::Value>,
    /// Safe to repeat after a timeout (the request may have reached KSeF).
    pub idempotent: bool,
    /// Extra headers (`x-continuation-token`).
    pub headers: Vec<(&'static str, String)>,
}

impl Call {
    pub fn get(path: impl Into<String>, group: Group, context: &str, bearer: Option<&str>) -> Self {
        Self {
            method: Method::GET,
            path: path.into(),
            group,
            context: context.to_owned(),
            bearer: bearer.map(str::to_owned),
            json: None,
            idempotent: true,
            headers: Vec::new(),
        }
    }

    pub fn post(path: impl Into<String>, group: Group, context: &str, bearer: Option<&str>) -> Self {
        Self {
            method: Method::POST,
            idempotent: false,
            ..Self::get(path, group, context, bearer)
        }
    }

    pub fn body(mut self, body: &impl serde::Serialize) -> Self {
        self.json = serde_json::to_value(body).ok();
        self
    }

    pub fn header(mut self, name: &'static str, value: Option<String>) -> Self {
        if let Some(v) = value {
            self.headers.push((name, v));
        }
        self
    }

    pub fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }
}

fn jittered(base: Duration, attempt: u32, max: Duration) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.min(10)).min(max);
    exp.mul_f64(0.5 + rand::random::<f64>() * 0.5)
}

impl KsefClient {
    /// A client for `env` with production limits and the default retry policy.
    pub fn new(env: Environment) -> Result<Self, KsefError> {
        Self::builder(env).build()
    }

    /// A builder.
    pub fn builder(env: Environment) -> KsefClientBuilder {
        KsefClientBuilder {
            env,
            limits: RateLimits::default(),
            retry: RetryPolicy::default(),
            problem_details: false,
        }
    }

    /// The client-side limits its calls keep to (what room is left, per context).
    pub fn rate_limits(&self) -> &RateLimits {
        &self.0.limits
    }

    /// The environment.
    pub fn environment(&self) -> &Environment {
        &self.0.env
    }

    /// Makes a call; the successful response, or the error after the retries allowed.
    pub(crate) async fn call(&self, call: Call) -> Result<reqwest::Response, KsefError> {
        let endpoint = format!("{} {}", call.method, call.path);
        let retry = &self.0.retry;
        let mut attempt = 0;
        loop {
            self.0.limits.acquire(&call.context, call.group).await;
            let mut request = self.0.http.request(call.method.clone(), self.0.env.api_url(&call.path));
            if let Some(t) = &call.bearer {
                request = request.bearer_auth(t);
            }
            if self.0.problem_details {
                request = request.header(ksef_api_types::ERROR_FORMAT_HEADER, ksef_api_types::PROBLEM_DETAILS);
            }
            for (name, value) in &call.headers {
                request = request.header(*name, value);
            }
            if let Some(body) = &call.json {
                request = request.json(body);
            }
            attempt += 1;
            let last = attempt >= retry.max_attempts;
            let response = match request.send().await {
                Ok(r) => r,
                Err(e) => {
                    // A request that never connected can be repeated; one that timed out
                    // may have reached KSeF, so only idempotent calls are repeated.
                    let repeatable = e.is_connect() || (call.idempotent && e.is_timeout());
                    if repeatable && !last {
                        tokio::time::sleep(jittered(retry.base_delay, attempt, retry.max_delay)).await;
                        continue;
                    }
                    return Err(KsefError::Transport { endpoint, source: e });
                }
            };
            let status = response.status();
            if status.is_success() {
                return Ok(response);
            }
            if status == StatusCode::TOO_MANY_REQUESTS {
                let wait = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .unwrap_or(1);
                tracing::warn!(%endpoint, retry_after_s = wait, "KSeF answered 429");
                if last || Duration::from_secs(wait) > retry.max_retry_after {
                    return Err(KsefError::RateLimited {
                        endpoint,
                        retry_after_s: wait,
                    });
                }
                tokio::time::sleep(Duration::from_secs(wait)).await;
                continue;
            }
            if status.is_server_error() {
                if !last {
                    tokio::time::sleep(jittered(retry.base_delay, attempt, retry.max_delay)).await;
                    continue;
                }
                return Err(KsefError::Unavailable {
                    endpoint,
                    status: status.as_u16(),
                });
            }
            return Err(error_from(endpoint, status, response).await);
        }
    }

    /// A call whose success body is JSON.
    pub(crate) async fn json<T: DeserializeOwned>(&self, call: Call) -> Result<T, KsefError> {
        let endpoint = format!("{} {}", call.method, call.path);
        let response = self.call(call).await?;
        let bytes = response.bytes().await.map_err(|e| KsefError::Transport {
            endpoint: endpoint.clone(),
            source: e,
        })?;
        serde_json::from_slice(&bytes).map_err(|e| KsefError::Decode {
            endpoint,
            message: e.to_string(),
        })
    }

    /// A call whose success body is bytes (XML), checked against `x-ms-meta-hash`.
    pub(crate) async fn bytes(&self, call: Call) -> Result<Vec<u8>, KsefError> {
        let endpoint = format!("{} {}", call.method, call.path);
        let response = self.call(call).await?;
        read_checked(endpoint, response).await
    }

    /// GET of a presigned link: no token, no limits (KSeF does not count them).
    pub(crate) async fn presigned(&self, url: &str) -> Result<Vec<u8>, KsefError> {
        let endpoint = "GET (presigned)".to_owned();
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.0.http.get(url).send().await {
                Ok(r) if r.status().is_success() => return read_checked(endpoint, r).await,
                Ok(r) if r.status().is_server_error() && attempt < self.0.retry.max_attempts => {}
                Ok(r) => {
                    return Err(KsefError::Decode {
                        endpoint,
                        message: format!("link wygasł lub jest nieprawidłowy ({})", r.status()),
                    });
                }
                Err(e) if attempt < self.0.retry.max_attempts => tracing::debug!(error = %e, "presigned GET failed"),
                Err(e) => return Err(KsefError::Transport { endpoint, source: e }),
            }
            tokio::time::sleep(jittered(self.0.retry.base_delay, attempt, self.0.retry.max_delay)).await;
        }
    }

    /// PUT of a batch part to a presigned link (no token).
    pub(crate) async fn put_presigned(
        &self,
        url: &str,
        headers: &std::collections::BTreeMap<String, Option<String>>,
        body: Vec<u8>,
    ) -> Result<(), KsefError> {
        let endpoint = "PUT (presigned)".to_owned();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = self.0.http.put(url).body(body.clone());
            for (k, v) in headers {
                if let Some(v) = v {
                    request = request.header(k, v);
                }
            }
            match request.send().await {
                Ok(r) if r.status().is_success() => return Ok(()),
                Ok(r) if r.status().is_server_error() && attempt < self.0.retry.max_attempts => {}
                Ok(r) => {
                    return Err(KsefError::Decode {
                        endpoint,
                        message: format!("wysyłka części paczki odrzucona ({})", r.status()),
                    });
                }
                Err(e) if attempt < self.0.retry.max_attempts => tracing::debug!(error = %e, "part upload failed"),
                Err(e) => return Err(KsefError::Transport { endpoint, source: e }),
            }
            tokio::time::sleep(jittered(self.0.retry.base_delay, attempt, self.0.retry.max_delay)).await;
        }
    }
}

async fn read_checked(endpoint: String, response: reqwest::Response) -> Result<Vec<u8>, KsefError> {
    let hash = response
        .headers()
        .get("x-ms-meta-hash")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = response.bytes().await.map_err(|e| KsefError::Transport {
        endpoint: endpoint.clone(),
        source: e,
    })?;
    if let Some(hash) = hash
        && hash != crate::crypto::sha256_b64(&bytes)
    {
        return Err(KsefError::Decode {
            endpoint,
            message: "skrót pobranego pliku nie zgadza się z nagłówkiem x-ms-meta-hash".to_owned(),
        });
    }
    Ok(bytes.to_vec())
}

async fn error_from(endpoint: String, status: StatusCode, response: reqwest::Response) -> KsefError {
    let bytes = response.bytes().await.unwrap_or_default();
    if status == StatusCode::BAD_REQUEST {
        if let Ok(legacy) = serde_json::from_slice::<ExceptionResponse>(&bytes)
            && let Some(list) = legacy.exception.and_then(|e| e.exception_detail_list)
        {
            let errors = list
                .into_iter()
                .map(|d| ksef_api_types::ApiError {
                    code: d.exception_code,
                    description: d.exception_description.unwrap_or_default(),
                    details: d.details,
                })
                .collect();
            return KsefError::Api { endpoint, errors };
        }
        if let Ok(problem) = serde_json::from_slice::<ProblemDetails>(&bytes)
            && let Some(errors) = problem.errors
        {
            return KsefError::Api { endpoint, errors };
        }
    }
    let problem = serde_json::from_slice::<ProblemDetails>(&bytes).unwrap_or_default();
    match status {
        StatusCode::UNAUTHORIZED => KsefError::Unauthorized {
            endpoint,
            detail: problem.detail,
        },
        StatusCode::FORBIDDEN => KsefError::Forbidden {
            endpoint,
            reason_code: problem.reason_code.unwrap_or_default(),
            detail: problem.detail,
            security: problem.security.map(Box::new),
        },
        StatusCode::GONE => KsefError::Gone {
            endpoint,
            detail: problem.detail,
        },
        other => KsefError::Decode {
            endpoint,
            message: format!("status {other}"),
        },
    }
}
