//! `/auth/oauth/device`: the device flow's codes.

use super::*;

pub(super) async fn device(
    State(emu): State<Arc<Emulator>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let query = Params::parse(query.as_deref().unwrap_or_default());
    let form = Params::parse(&String::from_utf8_lossy(&body));
    let Some((id, secret)) = basic_credentials(&headers) else {
        return auth_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Full authentication is required to access this resource",
        );
    };
    // client_id stays a query parameter here even after the 2025 change (GH#11893); the
    // older body form is still accepted.
    let named = query.get("client_id").or_else(|| form.get("client_id"));
    if named.is_some_and(|n| n != id) {
        return unauthorized();
    }
    let now = emu.now_ms();
    let mut world = emu.world.write();
    let app = match world.apps.get(&id) {
        Some(app) if app.client_secret == secret => app.clone(),
        _ => return unauthorized(),
    };
    if app.kind != AppKind::DeviceCode {
        return auth_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized_client",
            "Client does not have the device_code grant.",
        );
    }
    let scopes = match query.get("scope").or_else(|| form.get("scope")) {
        Some(requested) if !requested.trim().is_empty() => {
            let wanted: Vec<&str> = requested.split([' ', '+']).collect();
            app.scopes
                .iter()
                .filter(|s| wanted.contains(&s.as_str()))
                .cloned()
                .collect()
        }
        _ => app.scopes.clone(),
    };
    let device_code = world.random_token(32);
    let user_code = world.random_string(9, b"abcdefghijkmnpqrstuvwxyz23456789");
    world.device_grants.insert(
        device_code.clone(),
        DeviceGrant {
            client_id: id,
            user_code: user_code.clone(),
            scopes,
            expires_at_ms: now + 3_600_000,
            state: DeviceState::Pending,
            last_poll_ms: None,
            interval_s: 5,
        },
    );
    let verification_uri = format!("{}/skojarz-aplikacje", base_url(&headers));
    json(
        StatusCode::OK,
        &DeviceCodeResponse {
            device_code,
            expires_in: 3600,
            verification_uri_complete: format!("{verification_uri}?code={user_code}"),
            user_code,
            interval: 5,
            verification_uri,
        },
    )
}

/// Finds a pending device grant by the code the user typed (spaces and case ignored).
pub fn device_grant_by_user_code<'w>(world: &'w mut World, typed: &str, now: i64) -> Option<&'w mut DeviceGrant> {
    let wanted: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    world
        .device_grants
        .values_mut()
        .find(|g| g.user_code == wanted && g.expires_at_ms >= now && g.state == DeviceState::Pending)
}
