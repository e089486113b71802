//! What stands in front of every API call: the faults (unavailability, 5xx, latency), the
//! statistics, the bearer token, the authorization policy's addresses, the rate limits
//! and the permissions.

use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ksef_api_types::ReferenceNumber;

use crate::limits::Group;
use crate::respond::{self, Caller};
use crate::state::BearerKind;
use crate::{KsefEmulator, Profile};

/// Faults, latency, statistics and the test warning header, around each `/v2` call.
pub async fn around_api(State(emu): State<Arc<KsefEmulator>>, request: Request, next: Next) -> Response {
    let endpoint = format!(
        "{} {}",
        request.method(),
        request
            .extensions()
            .get::<MatchedPath>()
            .map_or_else(|| request.uri().path().to_owned(), |p| p.as_str().to_owned())
    );
    let warning = request
        .headers()
        .get("x-test-system-warning")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let faults = emu.faults.read().clone();
    let mut response = if faults.unavailable {
        respond::unavailable()
    } else {
        if faults.latency_ms > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(faults.latency_ms)).await;
        }
        if faults.error_share > 0.0 && rand::random::<f64>() < faults.error_share {
            (StatusCode::INTERNAL_SERVER_ERROR, "Wewnętrzny błąd serwera.").into_response()
        } else {
            next.run(request).await
        }
    };
    if let Some(w) = warning.filter(|_| emu.settings.read().profile == Profile::Test)
        && let Ok(v) = HeaderValue::from_str(&format!("[TEST]: {w}"))
    {
        response.headers_mut().insert("x-system-warning", v);
    }
    emu.stats.lock().count_request(&endpoint, response.status().as_u16());
    response
}

/// The caller's login as far as a protected call needs it.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The context NIP.
    pub nip: String,
    /// The login.
    pub login: ReferenceNumber,
    /// Permissions in the context.
    pub permissions: Vec<String>,
    /// The KSeF token used.
    pub token_reference: Option<ReferenceNumber>,
}

fn ip_allowed(allowed: &[String], ip: std::net::IpAddr) -> bool {
    if allowed.is_empty() {
        return true;
    }
    let std::net::IpAddr::V4(v4) = ip else { return false };
    let n = u32::from(v4);
    allowed.iter().any(|rule| {
        if let Some((a, b)) = rule.split_once('-') {
            let (Ok(a), Ok(b)) = (
                a.trim().parse::<std::net::Ipv4Addr>(),
                b.trim().parse::<std::net::Ipv4Addr>(),
            ) else {
                return false;
            };
            (u32::from(a)..=u32::from(b)).contains(&n)
        } else if let Some((a, bits)) = rule.split_once('/') {
            let (Ok(a), Ok(bits)) = (a.parse::<std::net::Ipv4Addr>(), bits.parse::<u32>()) else {
                return false;
            };
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits.min(32)) };
            u32::from(a) & mask == n & mask
        } else {
            rule.parse::<std::net::Ipv4Addr>().is_ok_and(|a| a == v4)
        }
    })
}

impl KsefEmulator {
    /// A public call: only the per-IP limit.
    pub(crate) fn public(&self, caller: &Caller) -> Result<(), Response> {
        let now = self.now_ms();
        self.limiter
            .lock()
            .check("", caller.ip, Group::Public, now)
            .map_err(|t| respond::too_many(caller, now, t.retry_after_s, t.detail))
    }

    /// A bearer token of `kind`, alive: its login's number, or the 401.
    pub(crate) fn bearer(&self, caller: &Caller, kind: BearerKind) -> Result<ReferenceNumber, Response> {
        let now = self.now_ms();
        let Some(token) = caller.bearer.as_deref() else {
            return Err(respond::unauthorized(caller, now, "Brak tokenu uwierzytelniającego."));
        };
        let state = self.state.lock();
        match state.bearers.get(token) {
            Some(b) if b.kind == kind && b.expires_ms > now => Ok(b.auth.clone()),
            Some(b) if b.kind == kind => Err(respond::unauthorized(caller, now, "Token wygasł.")),
            _ => Err(respond::unauthorized(
                caller,
                now,
                "Nieprawidłowy token uwierzytelniający.",
            )),
        }
    }

    /// A protected call: a live access token, an allowed address, room in `group`'s
    /// limits, and one of `any_of` permissions (none required when empty).
    pub(crate) fn access(&self, caller: &Caller, group: Group, any_of: &[&str]) -> Result<Ctx, Response> {
        let now = self.now_ms();
        let login = self.bearer(caller, BearerKind::Access)?;
        let ctx = {
            let state = self.state.lock();
            let Some(l) = state.logins.get(&login) else {
                return Err(respond::unauthorized(
                    caller,
                    now,
                    "Nieprawidłowy token uwierzytelniający.",
                ));
            };
            if !ip_allowed(&l.allowed_ips, caller.ip) {
                return Err(respond::forbidden(
                    caller,
                    now,
                    "ip-not-allowed",
                    "Żądanie pochodzi z adresu IP innego niż wskazany podczas uwierzytelnienia.",
                    Some(serde_json::json!({ "clientIp": caller.ip.to_string() })),
                ));
            }
            Ctx {
                nip: l.nip.clone(),
                login: login.clone(),
                permissions: l.permissions.clone(),
                token_reference: l.token_reference.clone(),
            }
        };
        self.limiter
            .lock()
            .check(&ctx.nip, caller.ip, group, now)
            .map_err(|t| respond::too_many(caller, now, t.retry_after_s, t.detail))?;
        if !any_of.is_empty() && !any_of.iter().any(|p| ctx.permissions.iter().any(|q| q == p)) {
            return Err(respond::forbidden(
                caller,
                now,
                "missing-permissions",
                "Brak wymaganych uprawnień do wykonania operacji w bieżącym kontekście.",
                Some(serde_json::json!({
                    "requiredAnyOfPermissions": any_of,
                    "presentPermissions": ctx.permissions,
                })),
            ));
        }
        Ok(ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_policy_addresses() {
        let ip = "10.1.2.3".parse().unwrap();
        assert!(ip_allowed(&[], ip));
        assert!(ip_allowed(&["10.1.2.3".into()], ip));
        assert!(ip_allowed(&["10.1.0.0/16".into()], ip));
        assert!(ip_allowed(&["10.1.2.0-10.1.2.9".into()], ip));
        assert!(!ip_allowed(&["127.0.0.1".into()], ip));
    }
}
