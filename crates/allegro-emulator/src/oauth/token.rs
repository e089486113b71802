//! `/auth/oauth/token`: every grant (code, refresh, client credentials, device) and issuing tokens.

use super::*;

pub(super) async fn token(
    State(emu): State<Arc<Emulator>>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let faults = emu.faults.read().clone();
    if faults.token_rate_5xx > 0.0 && rand::rng().random_bool(faults.token_rate_5xx.min(1.0)) {
        return json(
            StatusCode::SERVICE_UNAVAILABLE,
            &serde_json::json!({"error": "temporarily_unavailable"}),
        );
    }
    let response = token_inner(&emu, &method, &headers, query.as_deref(), &body);
    let outcome = if response.status().is_success() {
        "ok".to_owned()
    } else {
        oauth_error_code(&response)
    };
    emu.traffic.lock().count_oauth("POST /auth/oauth/token", &outcome);
    if faults.token_latency_ms > 0 {
        // The grant is already processed (a refresh token already rotated) when the slow
        // answer leaves: a client killed meanwhile must rely on the 60 s grace period.
        tokio::time::sleep(std::time::Duration::from_millis(faults.token_latency_ms)).await;
    }
    response
}

fn token_inner(emu: &Emulator, method: &Method, headers: &HeaderMap, query: Option<&str>, body: &[u8]) -> Response {
    // Since 23 Sep 2025 only POST with the parameters in the form body (GH#11867, GH#12028).
    if method != Method::POST {
        return auth_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "Request method 'GET' is not supported",
        );
    }
    if query.is_some_and(|q| !q.is_empty()) {
        return bad(
            "invalid_request",
            "Parameters must be sent in the request body, not in the query string",
        );
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return bad(
            "invalid_request",
            "Content-Type must be application/x-www-form-urlencoded",
        );
    }
    let form = Params::parse(&String::from_utf8_lossy(body));
    let grant = form.get("grant_type").unwrap_or_default().to_owned();
    let basic = basic_credentials(headers);
    let now = emu.now_ms();
    let settings = emu.settings.read().clone();
    let mut world = emu.world.write();

    let client_id = match &basic {
        Some((id, secret)) => {
            match world.apps.get(id) {
                Some(app) if &app.client_secret == secret => {}
                _ => return unauthorized(),
            }
            id.clone()
        }
        // Only the PKCE code exchange may go without Basic auth (AUTH-TUT).
        None if grant == "authorization_code" && form.get("code_verifier").is_some() => match form.get("client_id") {
            Some(id) if world.apps.contains_key(id) => id.to_owned(),
            _ => return unauthorized(),
        },
        None => {
            return auth_error(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Full authentication is required to access this resource",
            );
        }
    };
    let app_kind = world.apps[&client_id].kind;

    match grant.as_str() {
        "authorization_code" => {
            if app_kind != AppKind::AuthorizationCode {
                return auth_error(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized_client",
                    "Client does not have the authorization_code grant.",
                );
            }
            let Some(code) = form.get("code").filter(|c| !c.is_empty()) else {
                return bad("invalid_request", "An authorization code must be supplied.");
            };
            let invalid = || bad("invalid_grant", &format!("Invalid authorization code: {code}"));
            // Single use: removed on the first attempt, whatever its outcome.
            let Some(grant) = world.auth_codes.remove(code) else {
                return invalid();
            };
            if grant.expires_at_ms < now || grant.client_id != client_id {
                return invalid();
            }
            if form.get("redirect_uri") != Some(grant.redirect_uri.as_str()) {
                return bad("invalid_grant", "Redirect URI mismatch.");
            }
            match (&grant.code_challenge, form.get("code_verifier")) {
                (Some(challenge), Some(verifier)) => {
                    let ok_len = (43..=128).contains(&verifier.len());
                    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
                    if !ok_len || &computed != challenge {
                        return bad("invalid_grant", "Invalid code verifier.");
                    }
                }
                (Some(_), None) => return bad("invalid_request", "Code verifier required."),
                (None, Some(_)) if basic.is_none() => return unauthorized(),
                _ => {}
            }
            issue(
                emu,
                &mut world,
                &settings,
                &client_id,
                Some(grant.seller),
                grant.scopes,
                now,
                true,
            )
        }
        "refresh_token" => {
            let Some(presented) = form.get("refresh_token").filter(|t| !t.is_empty()) else {
                return bad("invalid_request", "Missing refresh token");
            };
            let invalid = || bad("invalid_grant", &format!("Invalid refresh token: {presented}"));
            let Some(jti) = jwt_claims(presented).map(|c| c.jti) else {
                return invalid();
            };
            let Some(record) = world.refresh_tokens.get(&jti).cloned() else {
                return invalid();
            };
            if record.token != presented || record.client_id != client_id {
                return invalid();
            }
            if record.epoch != world.sellers[record.seller].token_epoch {
                // Consent lost (password change, logout everywhere, sales block): GH#10958.
                return unauthorized();
            }
            if record.expires_at_ms < now {
                return invalid();
            }
            // Single use, with 60 s of grace after the first use (AUTH-TUT).
            match record.used_at_ms {
                Some(first) if now - first > settings.refresh_grace_seconds * 1000 => return invalid(),
                Some(_) => {}
                None => {
                    if let Some(r) = world.refresh_tokens.get_mut(&jti) {
                        r.used_at_ms = Some(now);
                    }
                    // Refreshing invalidates the access token issued with it (GH#10619).
                    if let Some(at) = world.access_tokens.get_mut(&record.ati) {
                        at.revoked = true;
                    }
                }
            }
            issue(
                emu,
                &mut world,
                &settings,
                &client_id,
                Some(record.seller),
                record.scopes,
                now,
                true,
            )
        }
        "urn:ietf:params:oauth:grant-type:device_code" => {
            if app_kind != AppKind::DeviceCode {
                return auth_error(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized_client",
                    "Client does not have the device_code grant.",
                );
            }
            let device_code = form.get("device_code").unwrap_or_default().to_owned();
            let Some(grant) = world.device_grants.get_mut(&device_code) else {
                return bad("invalid_request", "Invalid device code");
            };
            if grant.client_id != client_id || grant.state == DeviceState::Used {
                return bad("invalid_request", "Invalid device code");
            }
            if grant.expires_at_ms < now {
                return bad("expired_token", "Device code expired");
            }
            let too_fast = grant
                .last_poll_ms
                .is_some_and(|last| now - last < grant.interval_s * 1000);
            grant.last_poll_ms = Some(now);
            if too_fast {
                grant.interval_s += 5;
                return json(StatusCode::BAD_REQUEST, &serde_json::json!({"error": "slow_down"}));
            }
            match grant.state.clone() {
                DeviceState::Pending => bad("authorization_pending", "User has not authorized the device code yet."),
                DeviceState::Denied => json(StatusCode::BAD_REQUEST, &serde_json::json!({"error": "access_denied"})),
                DeviceState::Used => bad("invalid_request", "Invalid device code"),
                DeviceState::Approved(seller) => {
                    grant.state = DeviceState::Used;
                    let scopes = grant.scopes.clone();
                    issue(emu, &mut world, &settings, &client_id, Some(seller), scopes, now, true)
                }
            }
        }
        "client_credentials" => {
            let scopes = world.apps[&client_id].scopes.clone();
            issue(emu, &mut world, &settings, &client_id, None, scopes, now, false)
        }
        "" => bad("invalid_request", "Missing grant type"),
        other => bad("unsupported_grant_type", &format!("Unsupported grant type: {other}")),
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn issue(
    emu: &Emulator,
    world: &mut World,
    settings: &crate::Settings,
    client_id: &str,
    seller: Option<usize>,
    scopes: Vec<String>,
    now: i64,
    with_refresh: bool,
) -> Response {
    if let Some(s) = seller {
        // Allegro limits how many tokens one user may be issued (AUTH-TUT, GH#5117).
        let issues = &mut world.sellers[s].token_issues;
        while issues.front().is_some_and(|t| now - t > 3_600_000) {
            issues.pop_front();
        }
        if issues.len() as u32 >= settings.tokens_per_user_per_hour {
            return auth_error(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "Too many tokens generated for this user",
            );
        }
        issues.push_back(now);
    }
    let iss = "https://allegro.pl".to_owned();
    let user_name = seller.map(|s| world.sellers[s].id.clone());
    let epoch = seller.map_or(0, |s| world.sellers[s].token_epoch);
    let access_jti = world.uuid();
    let access_exp = now + settings.access_token_ttl_seconds * 1000;
    let access = emu.signer.sign(&TokenClaims {
        iss: Some(iss.clone()),
        user_name: user_name.clone(),
        scope: scopes.clone(),
        allegro_api: true,
        exp: access_exp / 1000,
        client_id: client_id.to_owned(),
        jti: access_jti.clone(),
        ati: None,
    });
    world.access_tokens.insert(
        access_jti.clone(),
        AccessRecord {
            token: access.clone(),
            seller,
            client_id: client_id.to_owned(),
            scopes: scopes.clone(),
            expires_at_ms: access_exp,
            epoch,
            revoked: false,
        },
    );
    let refresh = match (with_refresh, seller) {
        (true, Some(s)) => {
            let jti = world.uuid();
            let exp = now + settings.refresh_token_ttl_seconds * 1000;
            let token = emu.signer.sign(&TokenClaims {
                iss: Some(iss.clone()),
                user_name,
                scope: scopes.clone(),
                allegro_api: true,
                exp: exp / 1000,
                client_id: client_id.to_owned(),
                jti: jti.clone(),
                ati: Some(access_jti.clone()),
            });
            world.refresh_tokens.insert(
                jti,
                RefreshRecord {
                    token: token.clone(),
                    seller: s,
                    client_id: client_id.to_owned(),
                    scopes: scopes.clone(),
                    expires_at_ms: exp,
                    epoch,
                    used_at_ms: None,
                    ati: access_jti.clone(),
                },
            );
            Some(token)
        }
        _ => None,
    };
    json(
        StatusCode::OK,
        &TokenResponse {
            access_token: access,
            token_type: "bearer".into(),
            refresh_token: refresh,
            expires_in: settings.access_token_ttl_seconds,
            scope: scopes.join(" "),
            allegro_api: Some(true),
            iss: Some(format!("{iss}/")),
            jti: Some(access_jti),
        },
    )
}
