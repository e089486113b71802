//! How a request goes: the URL, the token and headers, the Client-ID budget, retries with
//! backoff, and Allegro's errors read from both of their shapes.

use super::*;

impl Account<'_> {
    pub(super) async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, AllegroError> {
        self.send(Method::GET, path, query, Body::None).await
    }

    pub(super) async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Body,
    ) -> Result<T, AllegroError> {
        let endpoint = format!("{method} {path}");
        let bytes = self.execute(method, path, query, body).await?;
        serde_json::from_slice(&bytes).map_err(|e| AllegroError::Decode {
            endpoint,
            message: e.to_string(),
        })
    }

    pub(super) async fn send_empty(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Body,
    ) -> Result<(), AllegroError> {
        self.execute(method, path, query, body).await.map(drop)
    }

    fn request(&self, method: &Method, path: &str, query: &[(&str, String)], body: &Body) -> RequestBuilder {
        let mut r = self
            .api
            .http
            .request(method.clone(), self.api.env.api_url(path))
            .query(query)
            .bearer_auth(self.token.expose_secret())
            .header(header::ACCEPT, MEDIA_TYPE_V1);
        if let Some(lang) = &self.api.language {
            r = r.header(header::ACCEPT_LANGUAGE, lang);
        }
        match body {
            Body::None => r,
            Body::Json(s) => r.header(header::CONTENT_TYPE, MEDIA_TYPE_V1).body(s.clone()),
            Body::Pdf(b) => r.header(header::CONTENT_TYPE, "application/pdf").body(b.clone()),
        }
    }

    async fn execute(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Body,
    ) -> Result<bytes::Bytes, AllegroError> {
        let endpoint = format!("{method} {path}");
        let idempotent = method != Method::POST;
        let policy = self.api.retry;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt >= policy.max_attempts;
            // Allegro counts per Client ID within one environment: the same ID on another
            // API host (sandbox, a custom one) is another budget.
            let budget_key = format!("{}#{}", self.api.env.api_base, self.client_id);
            if let Some(resource) = crate::budget::Resource::of(path) {
                self.api.budgets.acquire_resource(&budget_key, resource).await;
            }
            self.api.budgets.acquire(&budget_key).await;
            let sent = self.request(&method, path, query, &body).send().await;
            let response = match sent {
                Ok(r) => r,
                Err(e) => {
                    let may_retry = idempotent || e.is_connect();
                    if last || !may_retry {
                        return Err(AllegroError::Transport { endpoint, source: e });
                    }
                    tracing::debug!(%endpoint, attempt, error = %e, "retrying after a transport error");
                    tokio::time::sleep(backoff(&policy, attempt, None)).await;
                    continue;
                }
            };
            let status = response.status();
            let trace_id = response
                .headers()
                .get("trace-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let retry_after = retry_after(response.headers());
            let bytes = response.bytes().await.map_err(|e| AllegroError::Transport {
                endpoint: endpoint.clone(),
                source: e,
            })?;
            if status.is_success() {
                return Ok(bytes);
            }
            let retryable = status == StatusCode::TOO_MANY_REQUESTS || (idempotent && status.is_server_error());
            if retryable && !last {
                tracing::debug!(%endpoint, attempt, status = status.as_u16(), ?trace_id, "retrying");
                tokio::time::sleep(backoff(&policy, attempt, retry_after)).await;
                continue;
            }
            if status == StatusCode::UNAUTHORIZED
                && let Some(flag) = self.refused
            {
                flag.store(true, Ordering::Relaxed);
            }
            return Err(error_from(status, &endpoint, &bytes, trace_id));
        }
    }
}

pub(super) enum Body {
    None,
    Json(String),
    Pdf(Vec<u8>),
}

/// A path segment, percent-encoded (ids come from Allegro, but never trust them in a URL).
pub(super) fn seg(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn retry_after(headers: &header::HeaderMap) -> Option<Duration> {
    let v = headers.get(header::RETRY_AFTER)?.to_str().ok()?;
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Exponential backoff with full jitter, or `Retry-After` when the server sent one.
fn backoff(policy: &RetryPolicy, attempt: u32, retry_after: Option<Duration>) -> Duration {
    if let Some(wait) = retry_after {
        return wait.min(Duration::from_secs(120));
    }
    let exp = policy
        .base_delay
        .saturating_mul(1 << attempt.min(16).saturating_sub(1))
        .min(policy.max_delay);
    let jitter = rand::rng().random_range(0..=exp.as_millis() as u64);
    Duration::from_millis(jitter.max(1))
}

fn error_from(status: StatusCode, endpoint: &str, body: &[u8], trace_id: Option<String>) -> AllegroError {
    if status == StatusCode::UNAUTHORIZED
        && let Ok(auth) = serde_json::from_slice::<AuthError>(body)
    {
        return AllegroError::Unauthorized {
            error: auth.error,
            description: redact(&auth.error_description.unwrap_or_default()),
        };
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        return AllegroError::RateLimited {
            endpoint: endpoint.to_owned(),
            trace_id,
        };
    }
    let errors = serde_json::from_slice::<ErrorsHolder>(body)
        .map(|h| h.errors)
        .unwrap_or_else(|_| {
            vec![ApiError {
                code: format!("HTTP_{}", status.as_u16()),
                message: String::from_utf8_lossy(body).chars().take(300).collect(),
                details: None,
                path: None,
                user_message: None,
                metadata: None,
            }]
        });
    AllegroError::Api {
        status: status.as_u16(),
        endpoint: endpoint.to_owned(),
        errors,
        trace_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_stays_capped_and_honours_retry_after() {
        let p = RetryPolicy::default();
        for attempt in 1..10 {
            let d = backoff(&p, attempt, None);
            assert!(d <= p.max_delay, "{d:?}");
        }
        assert_eq!(backoff(&p, 1, Some(Duration::from_secs(7))), Duration::from_secs(7));
    }

    #[test]
    fn errors_from_both_shapes() {
        let e = error_from(
            StatusCode::UNAUTHORIZED,
            "GET /me",
            br#"{"error":"invalid_token","error_description":"Access token expired: eyJabc"}"#,
            None,
        );
        assert!(
            matches!(&e, AllegroError::Unauthorized { error, description } if error == "invalid_token" && !description.contains("eyJabc"))
        );
        let e = error_from(
            StatusCode::UNPROCESSABLE_ENTITY,
            "GET /order/checkout-forms",
            br#"{"errors":[{"code":"VALIDATION_ERROR","message":"Offset and limit parameters exceed maximal result size of 10000 items","details":null,"path":"/order/checkout-forms","userMessage":null}]}"#,
            Some("t1".into()),
        );
        assert_eq!(e.status(), Some(422));
        assert_eq!(e.code(), Some("VALIDATION_ERROR"));
    }
}
