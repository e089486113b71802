//! `/auth/oauth/authorize`: the request checked against the app, the consent page's answer.

use super::*;

/// What an `/authorize` request asks for, once validated against the app.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    pub client_id: String,
    pub app_name: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub scopes: Vec<String>,
    pub code_challenge: Option<String>,
}

impl AuthorizeRequest {
    /// The query string that reproduces this request on `/authorize`.
    pub fn to_query(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("response_type", "code");
        q.append_pair("client_id", &self.client_id);
        q.append_pair("redirect_uri", &self.redirect_uri);
        if let Some(s) = &self.state {
            q.append_pair("state", s);
        }
        q.append_pair("scope", &self.scopes.join(" "));
        if let Some(c) = &self.code_challenge {
            q.append_pair("code_challenge", c);
            q.append_pair("code_challenge_method", "S256");
        }
        q.finish()
    }
}

/// Either a validated request or the response to send instead: an error page when the
/// client or redirect URI is wrong (never redirect to an unverified URI), or a redirect
/// carrying `error` once the redirect URI is trusted.
pub(super) fn validate_authorize(world: &World, params: &Params) -> Result<AuthorizeRequest, Response> {
    let client_id = params.get("client_id").unwrap_or_default();
    let Some(app) = world.apps.get(client_id) else {
        return Err(pages::error_page(
            StatusCode::BAD_REQUEST,
            "Nieznana aplikacja (client_id).",
            4011,
        ));
    };
    let redirect_uri = params.get("redirect_uri").unwrap_or_default();
    if !app.redirect_uris.iter().any(|u| u == redirect_uri) {
        return Err(pages::error_page(
            StatusCode::BAD_REQUEST,
            "Adres przekierowania (redirect_uri) nie zgadza się z adresem zarejestrowanym dla aplikacji.",
            4012,
        ));
    }
    let state = params.get("state").map(str::to_owned);
    let fail = |error: &str| {
        Err(Redirect::to(&redirect_with(redirect_uri, &[("error", error)], state.as_deref())).into_response())
    };
    if params.get("response_type") != Some("code") {
        return fail("unsupported_response_type");
    }
    if app.kind != AppKind::AuthorizationCode {
        return fail("unauthorized_client");
    }
    let challenge = params.get("code_challenge").filter(|c| !c.is_empty());
    match params.get("code_challenge_method") {
        None if challenge.is_none() => {}
        Some("S256") if challenge.is_some() => {}
        _ => return fail("invalid_request"),
    }
    let scopes = match params.get("scope").map(str::trim).filter(|s| !s.is_empty()) {
        // No scope: everything the app declared. A narrower set narrows; extra scopes are
        // dropped (AUTH-TUT, scope negotiation).
        None => app.scopes.clone(),
        Some(requested) => {
            let wanted: Vec<&str> = requested.split([' ', '+', ',']).filter(|s| !s.is_empty()).collect();
            let granted: Vec<String> = app
                .scopes
                .iter()
                .filter(|s| wanted.contains(&s.as_str()))
                .cloned()
                .collect();
            if granted.is_empty() {
                return fail("invalid_scope");
            }
            granted
        }
    };
    Ok(AuthorizeRequest {
        client_id: client_id.to_owned(),
        app_name: app.name.clone(),
        redirect_uri: redirect_uri.to_owned(),
        state,
        scopes,
        code_challenge: challenge.map(str::to_owned),
    })
}

/// `redirect_uri` with extra query pairs and `state` appended.
pub fn redirect_with(redirect_uri: &str, pairs: &[(&str, &str)], state: Option<&str>) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        q.append_pair(k, v);
    }
    if let Some(s) = state {
        q.append_pair("state", s);
    }
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    format!("{redirect_uri}{sep}{}", q.finish())
}

pub(super) async fn authorize(
    State(emu): State<Arc<Emulator>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let raw = raw.unwrap_or_default();
    let params = Params::parse(&raw);
    let world = emu.world.read();
    let request = or_respond!(validate_authorize(&world, &params));
    let this_page = format!("/auth/oauth/authorize?{}", request.to_query());
    let Some(seller) = pages::session_seller(&world, &headers) else {
        return Redirect::to(&pages::login_url(&this_page)).into_response();
    };
    let login = world.sellers[seller].login.clone();
    // Seed 004: a remembered browser first asks "Kontynuuj" or "Zmień konto"; right after
    // logging in (or after "Kontynuuj") the consent page follows.
    if params.get("emu_continue") == Some("1") {
        pages::consent_page(&request, &login)
    } else {
        pages::continue_page(&format!("{this_page}&emu_continue=1"), &this_page, &login)
    }
}

pub(super) async fn authorize_decision(State(emu): State<Arc<Emulator>>, headers: HeaderMap, body: Bytes) -> Response {
    let params = Params::parse(&String::from_utf8_lossy(&body));
    let now = emu.now_ms();
    let mut world = emu.world.write();
    let request = or_respond!(validate_authorize(&world, &params));
    let Some(seller) = pages::session_seller(&world, &headers) else {
        return Redirect::to(&pages::login_url(&format!(
            "/auth/oauth/authorize?{}",
            request.to_query()
        )))
        .into_response();
    };
    let target = decide(
        &mut world,
        &request,
        seller,
        params.get("decision") == Some("approve"),
        now,
    );
    Redirect::to(&target).into_response()
}

/// The seller's answer on the consent page: a code (single use, 10 s) or `access_denied`;
/// returns where the browser goes next.
pub(super) fn decide(world: &mut World, request: &AuthorizeRequest, seller: usize, approve: bool, now: i64) -> String {
    if !approve {
        return redirect_with(
            &request.redirect_uri,
            &[("error", "access_denied")],
            request.state.as_deref(),
        );
    }
    let code = world.random_token(32);
    world.auth_codes.insert(
        code.clone(),
        AuthCode {
            client_id: request.client_id.clone(),
            seller,
            redirect_uri: request.redirect_uri.clone(),
            scopes: request.scopes.clone(),
            code_challenge: request.code_challenge.clone(),
            // Single use and valid for 10 seconds (AUTH-TUT).
            expires_at_ms: now + 10_000,
        },
    );
    redirect_with(&request.redirect_uri, &[("code", &code)], request.state.as_deref())
}

impl Emulator {
    /// Answers the consent page for `login` without a browser: validates the
    /// authorization URL as `/authorize` does and returns the redirect (with `code` or
    /// `error=access_denied`). For tests and tools; the pages do the same for people.
    pub fn consent(&self, authorization_url: &str, login: &str, approve: bool) -> Result<String, String> {
        let query = authorization_url.split_once('?').map_or("", |(_, q)| q);
        let params = Params::parse(query);
        let now = self.now_ms();
        let mut world = self.world.write();
        let request = validate_authorize(&world, &params)
            .map_err(|r| format!("the authorization URL is refused ({})", r.status()))?;
        let seller = *world
            .seller_by_login
            .get(&login.trim().to_lowercase())
            .ok_or_else(|| format!("no seller {login}"))?;
        Ok(decide(&mut world, &request, seller, approve, now))
    }
}
