//! The HTML back-office. Handlers are thin: extract, one `app` call, render.

use app::{AppError, CurrentUser, LinkOutcome};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use domain::{
    AccountId, AccountSettings, AccountStatus, ConnectionId, ConnectionMode, Environment, InvoiceSeries,
    InvoiceTrigger, VatRate,
};
use secrecy::SecretString;
use serde::Deserialize;

use crate::WebState;
use crate::auth::{ClientAddress, MaybeUser, PRE_CSRF_COOKIE, SESSION_COOKIE, UiUser, cookie, set_cookie};
use crate::error::page_error;
use crate::i18n::{LANG_COOKIE, Lang, Tr};

/// What every page's frame needs.
pub struct Chrome {
    /// Translations.
    pub t: Tr,
    /// The logged-in user's e-mail.
    pub email: Option<String>,
    /// The CSRF token for forms.
    pub csrf: String,
}

impl Chrome {
    pub(crate) fn for_user(t: &Tr, user: &CurrentUser) -> Self {
        Self {
            t: t.clone(),
            email: user.email.clone(),
            csrf: user.csrf_token.clone().unwrap_or_default(),
        }
    }
}

pub(crate) fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "rendering a template");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "simple.html")]
struct SimplePage<'a> {
    c: Chrome,
    title: &'a str,
    paragraphs: Vec<String>,
    kind: &'a str,
}

/// A page with a title and a message (errors, results).
pub fn simple_page(t: &Tr, title: &str, message: &str) -> String {
    let page = SimplePage {
        c: Chrome {
            t: t.clone(),
            email: None,
            csrf: String::new(),
        },
        title,
        paragraphs: vec![message.to_owned()],
        kind: "",
    };
    page.render().unwrap_or_else(|_| message.to_owned())
}

pub async fn index() -> Redirect {
    Redirect::to("/accounts")
}

pub async fn set_lang(State(state): State<WebState>, Path(code): Path<String>, headers: HeaderMap) -> Response {
    let lang = Lang::parse(&code).unwrap_or(Lang::Pl);
    // Back to where the switch was clicked, if that was one of our pages.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
        .map(|u| u.path().to_owned())
        .filter(|p| p.starts_with('/') && !p.starts_with("//") && !p.starts_with("/lang/"))
        .unwrap_or_else(|| "/accounts".into());
    with_cookie(
        Redirect::to(&back).into_response(),
        &set_cookie(&state, LANG_COOKIE, lang.code(), 365 * 86_400),
    )
}

fn with_cookie(mut response: Response, cookie: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

/// The CSRF token for a form shown before login, and the cookie to set if it is new.
fn pre_login_csrf(state: &WebState, headers: &HeaderMap) -> (String, Option<String>) {
    match cookie(headers, PRE_CSRF_COOKIE) {
        Some(v) if v.len() >= 32 => (v, None),
        _ => {
            let token = app::random_token(32);
            let c = set_cookie(state, PRE_CSRF_COOKIE, &token, 3600);
            (token, Some(c))
        }
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    failed: bool,
    /// "Zbyt wiele nieudanych prób…", when logins are locked.
    throttled: Option<String>,
    email: String,
}

pub async fn login_form(
    State(state): State<WebState>,
    tr: Tr,
    headers: HeaderMap,
    MaybeUser(user): MaybeUser,
) -> Response {
    if user.is_some() {
        return Redirect::to("/accounts").into_response();
    }
    if matches!(state.app.needs_setup().await, Ok(true)) {
        return Redirect::to("/setup").into_response();
    }
    let (csrf, set) = pre_login_csrf(&state, &headers);
    let page = render(&LoginPage {
        c: Chrome {
            t: tr,
            email: None,
            csrf,
        },
        failed: false,
        throttled: None,
        email: String::new(),
    });
    match set {
        Some(c) => with_cookie(page, &c),
        None => page,
    }
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
}

pub async fn login(
    State(state): State<WebState>,
    tr: Tr,
    headers: HeaderMap,
    ClientAddress(address): ClientAddress,
    Form(form): Form<LoginForm>,
) -> Response {
    match state
        .app
        .login_from(&form.email, SecretString::from(form.password), address)
        .await
    {
        Ok(session) => {
            use secrecy::ExposeSecret;
            let c = set_cookie(
                &state,
                SESSION_COOKIE,
                session.cookie.expose_secret(),
                session.max_age_s,
            );
            with_cookie(Redirect::to("/accounts").into_response(), &c)
        }
        Err(AppError::Unauthorized) => {
            let csrf = cookie(&headers, PRE_CSRF_COOKIE).unwrap_or_default();
            let mut r = render(&LoginPage {
                c: Chrome {
                    t: tr,
                    email: None,
                    csrf,
                },
                failed: true,
                throttled: None,
                email: form.email,
            });
            *r.status_mut() = StatusCode::UNAUTHORIZED;
            r
        }
        Err(AppError::Throttled { retry_after_s }) => {
            let csrf = cookie(&headers, PRE_CSRF_COOKIE).unwrap_or_default();
            let message = crate::error::throttled_message(&tr, retry_after_s);
            let mut r = render(&LoginPage {
                c: Chrome {
                    t: tr,
                    email: None,
                    csrf,
                },
                failed: true,
                throttled: Some(message),
                email: form.email,
            });
            *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            crate::error::retry_after(&mut r, retry_after_s);
            r
        }
        Err(e) => page_error(&tr, e),
    }
}

pub async fn logout(State(state): State<WebState>, headers: HeaderMap) -> Response {
    if let Some(c) = cookie(&headers, SESSION_COOKIE) {
        let _ = state.app.logout(&c).await;
    }
    with_cookie(
        Redirect::to("/login").into_response(),
        &set_cookie(&state, SESSION_COOKIE, "", 0),
    )
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    c: Chrome,
    error: Option<String>,
    organisation: String,
    email: String,
}

pub async fn setup_form(State(state): State<WebState>, tr: Tr, headers: HeaderMap) -> Response {
    if !matches!(state.app.needs_setup().await, Ok(true)) {
        return Redirect::to("/login").into_response();
    }
    let (csrf, set) = pre_login_csrf(&state, &headers);
    let page = render(&SetupPage {
        c: Chrome {
            t: tr,
            email: None,
            csrf,
        },
        error: None,
        organisation: String::new(),
        email: String::new(),
    });
    match set {
        Some(c) => with_cookie(page, &c),
        None => page,
    }
}

#[derive(Deserialize)]
pub struct SetupForm {
    organisation: String,
    email: String,
    password: String,
}

pub async fn setup(State(state): State<WebState>, tr: Tr, headers: HeaderMap, Form(form): Form<SetupForm>) -> Response {
    // Only while there is no user at all; afterwards users are added by the CLI.
    if !matches!(state.app.needs_setup().await, Ok(true)) {
        return Redirect::to("/login").into_response();
    }
    let password = SecretString::from(form.password.clone());
    match state
        .app
        .create_organisation(&form.organisation, &form.email, password)
        .await
    {
        Ok(_) => {
            login(
                State(state),
                tr,
                headers,
                ClientAddress(None),
                Form(LoginForm {
                    email: form.email,
                    password: form.password,
                }),
            )
            .await
        }
        Err(AppError::Validation { field, message }) => {
            let csrf = cookie(&headers, PRE_CSRF_COOKIE).unwrap_or_default();
            let error = Some(tr.args("error-field", &[("field", field), ("message", &message)]));
            let mut r = render(&SetupPage {
                c: Chrome {
                    t: tr,
                    email: None,
                    csrf,
                },
                error,
                organisation: form.organisation,
                email: form.email,
            });
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
        Err(e) => page_error(&tr, e),
    }
}

struct AccountRow {
    id: String,
    login: String,
    status: String,
    status_code: &'static str,
    reason: Option<String>,
    at_risk: bool,
    missing: Option<String>,
    last_sync: String,
}

struct ConnectOption {
    id: String,
    label: String,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    c: Chrome,
    rows: Vec<AccountRow>,
    any_needs_relogin: bool,
    connectable: Vec<ConnectOption>,
}

fn connection_label(t: &Tr, c: &store::Connection) -> String {
    let env = t.t(&format!("env-{}", c.environment.as_str()));
    let mode = t.t(&format!("mode-{}", c.mode.as_str()));
    match &c.client_id {
        Some(id) if c.mode == ConnectionMode::OwnApp => {
            format!("{mode} · {env} · {}…", id.chars().take(8).collect::<String>())
        }
        _ => format!("{mode} · {env}"),
    }
}

fn missing_scopes(t: &Tr, granted: &str) -> Option<String> {
    let missing: Vec<String> = app::scopes::REQUIRED_BY_BRIDGE
        .iter()
        .filter(|s| !granted.split_whitespace().any(|g| g == **s))
        .filter_map(|s| app::scopes::find(s))
        .map(|s| format!("{} ({})", s.group, s.name))
        .collect();
    (!missing.is_empty()).then(|| t.t1("missing-scopes", "scopes", &missing.join(", ")))
}

pub async fn accounts(State(state): State<WebState>, tr: Tr, UiUser(user): UiUser) -> Response {
    let result = async {
        let accounts = state.app.accounts(&user).await?;
        let connections = state.app.connections(&user.organisation_id).await?;
        Ok::<_, AppError>((accounts, connections))
    }
    .await;
    let (accounts, connections) = match result {
        Ok(v) => v,
        Err(e) => return page_error(&tr, e),
    };
    let rows = accounts
        .iter()
        .map(|a| AccountRow {
            id: a.id.to_string(),
            login: a.login.clone(),
            status: tr.t(&format!("status-{}", a.status.as_str())),
            status_code: a.status.as_str(),
            reason: a
                .status_reason
                .as_ref()
                .filter(|_| a.status == AccountStatus::NeedsRelogin)
                .map(|r| tr.t(&format!("reason-{r}"))),
            at_risk: state.app.at_risk(a),
            missing: (a.status == AccountStatus::Active)
                .then(|| missing_scopes(&tr, &a.scopes))
                .flatten(),
            last_sync: a.last_sync_at_ms.map_or_else(|| tr.t("never"), crate::format_time),
        })
        .collect();
    let mut connectable: Vec<ConnectOption> = connections
        .iter()
        .filter(|c| c.mode == ConnectionMode::ServiceApp || c.client_id.is_some())
        .map(|c| ConnectOption {
            id: c.id.to_string(),
            label: connection_label(&tr, c),
        })
        .collect();
    // With the operator's app configured, the button works before any connection exists.
    if state.app.config().service_app.is_some() && !connections.iter().any(|c| c.mode == ConnectionMode::ServiceApp) {
        connectable.insert(
            0,
            ConnectOption {
                id: "service".into(),
                label: tr.t("mode-service_app"),
            },
        );
    }
    render(&AccountsPage {
        c: Chrome::for_user(&tr, &user),
        any_needs_relogin: accounts.iter().any(|a| a.status == AccountStatus::NeedsRelogin),
        rows,
        connectable,
    })
}

struct ConnectionRow {
    id: String,
    label: String,
    state: String,
}

#[derive(Template)]
#[template(path = "connections.html")]
struct ConnectionsPage {
    c: Chrome,
    rows: Vec<ConnectionRow>,
    service_app: bool,
}

pub async fn connections(State(state): State<WebState>, tr: Tr, UiUser(user): UiUser) -> Response {
    let list = match state.app.connections(&user.organisation_id).await {
        Ok(l) => l,
        Err(e) => return page_error(&tr, e),
    };
    let rows = list
        .iter()
        .map(|c| ConnectionRow {
            id: c.id.to_string(),
            label: connection_label(&tr, c),
            state: if c.mode == ConnectionMode::ServiceApp || c.client_id.is_some() {
                tr.t("credentials-ok")
            } else {
                tr.t("credentials-missing")
            },
        })
        .collect();
    render(&ConnectionsPage {
        c: Chrome::for_user(&tr, &user),
        rows,
        service_app: state.app.config().service_app.is_some(),
    })
}

#[derive(Deserialize)]
pub struct NewConnectionForm {
    mode: String,
    environment: Option<String>,
    auth_url: Option<String>,
    api_url: Option<String>,
}

pub async fn create_connection(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Form(form): Form<NewConnectionForm>,
) -> Response {
    let result = async {
        let mode: ConnectionMode = form
            .mode
            .parse()
            .map_err(|e: domain::DomainError| app::invalid("mode", e.to_string()))?;
        let environment: Environment = form
            .environment
            .as_deref()
            .unwrap_or("production")
            .parse()
            .map_err(|e: domain::DomainError| app::invalid("environment", e.to_string()))?;
        let urls = match (
            form.auth_url.filter(|s| !s.trim().is_empty()),
            form.api_url.filter(|s| !s.trim().is_empty()),
        ) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => None,
        };
        state
            .app
            .create_connection(&user.organisation_id, mode, environment, urls)
            .await
    }
    .await;
    match result {
        Ok(c) if c.mode == ConnectionMode::ServiceApp => Redirect::to("/accounts").into_response(),
        Ok(c) => Redirect::to(&format!("/connections/{}", c.id)).into_response(),
        Err(e) => page_error(&tr, e),
    }
}

#[derive(Template)]
#[template(path = "connection.html")]
struct ConnectionPage {
    c: Chrome,
    id: String,
    label: String,
    own_app: bool,
    has_credentials: bool,
    redirect_uri: String,
    portal: String,
    app_name: String,
    client_id: String,
    scopes: Vec<(&'static str, &'static str, &'static str)>,
    saved: bool,
    error: Option<String>,
}

fn portal_url(c: &store::Connection) -> String {
    match c.environment {
        Environment::Production => "https://apps.developer.allegro.pl".into(),
        Environment::Sandbox => "https://apps.developer.allegro.pl.allegrosandbox.pl".into(),
        Environment::Custom => format!("{}/apps", c.auth_url.trim_end_matches('/')),
    }
}

fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

#[derive(Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

async fn connection_page(
    state: &WebState,
    tr: &Tr,
    user: &CurrentUser,
    id: &str,
    saved: bool,
    error: Option<String>,
) -> Response {
    let result = async {
        let id: ConnectionId = parse_id(id)?;
        state.app.connection(&user.organisation_id, &id).await
    }
    .await;
    let conn = match result {
        Ok(c) => c,
        Err(e) => return page_error(tr, e),
    };
    let scopes = app::scopes::REQUIRED_BY_BRIDGE
        .iter()
        .filter_map(|s| app::scopes::find(s))
        .map(|s| (s.group, s.description_pl, s.name))
        .collect();
    let mut response = render(&ConnectionPage {
        c: Chrome::for_user(tr, user),
        id: conn.id.to_string(),
        label: connection_label(tr, &conn),
        own_app: conn.mode == ConnectionMode::OwnApp,
        has_credentials: conn.client_id.is_some(),
        redirect_uri: state.app.redirect_uri(&conn),
        portal: portal_url(&conn),
        app_name: "allegro-bridge".into(),
        client_id: conn.client_id.clone().unwrap_or_default(),
        scopes,
        saved,
        error: error.clone(),
    });
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

pub async fn connection(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Response {
    connection_page(&state, &tr, &user, &id, q.saved.is_some(), None).await
}

#[derive(Deserialize)]
pub struct CredentialsForm {
    client_id: String,
    client_secret: String,
}

pub async fn save_credentials(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(id): Path<String>,
    Form(form): Form<CredentialsForm>,
) -> Response {
    let result = async {
        let cid: ConnectionId = parse_id(&id)?;
        state
            .app
            .set_credentials(
                &user.organisation_id,
                &cid,
                &form.client_id,
                &SecretString::from(form.client_secret),
            )
            .await
    }
    .await;
    match result {
        Ok(()) => Redirect::to(&format!("/connections/{id}?saved=1")).into_response(),
        Err(AppError::Validation { field, message }) => {
            let text = tr.args("error-field", &[("field", field), ("message", &message)]);
            connection_page(&state, &tr, &user, &id, false, Some(text)).await
        }
        Err(e) => page_error(&tr, e),
    }
}

pub async fn start_link(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        // "service": the operator's app, its connection created on first use.
        let cid: ConnectionId = if id == "service" {
            state.app.service_connection(&user.organisation_id).await?.id
        } else {
            parse_id(&id)?
        };
        state.app.start_link(&user, &cid, None).await
    }
    .await;
    match result {
        Ok(url) => Redirect::to(url.as_str()).into_response(),
        Err(e) => page_error(&tr, e),
    }
}

pub async fn relink(State(state): State<WebState>, tr: Tr, UiUser(user): UiUser, Path(id): Path<String>) -> Response {
    let result = async {
        let aid: AccountId = parse_id(&id)?;
        let account = state.app.account(&user, &aid).await?;
        state.app.start_link(&user, &account.connection_id, Some(&aid)).await
    }
    .await;
    match result {
        Ok(url) => Redirect::to(url.as_str()).into_response(),
        Err(e) => page_error(&tr, e),
    }
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
}

pub async fn callback(
    State(state): State<WebState>,
    tr: Tr,
    MaybeUser(user): MaybeUser,
    Path(id): Path<String>,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let result = async {
        // The operator's app has one redirect URI for everybody; its state names the connection.
        let cid: Option<ConnectionId> = if id == "service" { None } else { Some(parse_id(&id)?) };
        state
            .app
            .complete_link(
                user.as_ref(),
                cid.as_ref(),
                q.state.as_deref(),
                q.code.as_deref(),
                q.error.as_deref(),
            )
            .await
    }
    .await;
    let outcome = match result {
        Ok(o) => o,
        Err(e) => return page_error(&tr, e),
    };
    let (status, kind, paragraphs) = match &outcome {
        LinkOutcome::Linked {
            login,
            created,
            missing,
            ..
        } => {
            let mut p = vec![tr.t1(if *created { "link-ok" } else { "link-updated" }, "login", login)];
            if !missing.is_empty() {
                let list = missing
                    .iter()
                    .map(|(g, d, s)| format!("{g} – {d} ({s})"))
                    .collect::<Vec<_>>()
                    .join("; ");
                p.push(tr.t1("link-missing", "scopes", &list));
            }
            (StatusCode::OK, "ok", p)
        }
        LinkOutcome::Cancelled => (StatusCode::OK, "warn", vec![tr.t("link-cancelled")]),
        LinkOutcome::BadState(problem) => (
            StatusCode::BAD_REQUEST,
            "error",
            vec![tr.t(&format!("link-state-{problem:?}"))],
        ),
        LinkOutcome::CodeExpired => (StatusCode::BAD_REQUEST, "error", vec![tr.t("link-code-expired")]),
        LinkOutcome::WrongUser { expected, got } => (
            StatusCode::CONFLICT,
            "error",
            vec![tr.args("link-wrong-user", &[("expected", expected), ("got", got)])],
        ),
        LinkOutcome::AllegroFailed(code) => {
            let known = ["bad_client", "no_refresh_token", "user_mismatch"];
            let message = if known.contains(&code.as_str()) {
                tr.t(&format!("link-failed-{code}"))
            } else {
                code.clone()
            };
            (
                StatusCode::BAD_GATEWAY,
                "error",
                vec![tr.t1("link-failed", "message", &message)],
            )
        }
    };
    let title = tr.t("link-title");
    let c = match &user {
        Some(u) => Chrome::for_user(&tr, u),
        None => Chrome {
            t: tr.clone(),
            email: None,
            csrf: String::new(),
        },
    };
    let mut response = render(&SimplePage {
        c,
        title: &title,
        paragraphs,
        kind,
    });
    *response.status_mut() = status;
    response
}

#[derive(Template)]
#[template(path = "disconnect.html")]
struct DisconnectPage {
    c: Chrome,
    id: String,
    login: String,
}

pub async fn disconnect_form(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let aid: AccountId = parse_id(&id)?;
        state.app.account(&user, &aid).await
    }
    .await;
    match result {
        Ok(a) => render(&DisconnectPage {
            c: Chrome::for_user(&tr, &user),
            id: a.id.to_string(),
            login: a.login,
        }),
        Err(e) => page_error(&tr, e),
    }
}

pub async fn disconnect(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let aid: AccountId = parse_id(&id)?;
        state.app.disconnect(&user, &aid).await
    }
    .await;
    match result {
        Ok(()) => Redirect::to("/accounts").into_response(),
        Err(e) => page_error(&tr, e),
    }
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    c: Chrome,
    id: String,
    login: String,
    enabled: bool,
    every_order: bool,
    follows_goods: bool,
    sent_on_waybill: bool,
    series: String,
    goods_rates: Vec<(&'static str, bool)>,
    delivery_rates: Vec<(&'static str, bool)>,
    triggers: Vec<(&'static str, String, bool)>,
    saved: bool,
    error: Option<String>,
}

fn settings_page(
    tr: &Tr,
    user: &CurrentUser,
    account: &store::Account,
    s: &AccountSettings,
    series: String,
    saved: bool,
    error: Option<String>,
) -> Response {
    render(&SettingsPage {
        c: Chrome::for_user(tr, user),
        id: account.id.to_string(),
        login: account.login.clone(),
        enabled: s.enabled,
        every_order: s.invoice_every_order,
        follows_goods: s.delivery_follows_goods,
        sent_on_waybill: s.sent_on_waybill,
        series,
        goods_rates: VatRate::ALL.iter().map(|r| (r.as_str(), *r == s.vat_goods)).collect(),
        delivery_rates: VatRate::ALL
            .iter()
            .map(|r| (r.as_str(), *r == s.vat_delivery))
            .collect(),
        triggers: InvoiceTrigger::ALL
            .iter()
            .map(|t| {
                (
                    t.as_str(),
                    tr.t(&format!("trigger-{}", t.as_str())),
                    *t == s.invoice_trigger,
                )
            })
            .collect(),
        saved,
        error,
    })
}

pub async fn settings(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(id): Path<String>,
    Query(q): Query<SavedQuery>,
) -> Response {
    let result = async {
        let aid: AccountId = parse_id(&id)?;
        let account = state.app.account(&user, &aid).await?;
        let s = state.app.settings(&user, &aid).await?;
        Ok::<_, AppError>((account, s))
    }
    .await;
    match result {
        Ok((account, s)) => {
            let series = s.invoice_series.as_str().to_owned();
            settings_page(&tr, &user, &account, &s, series, q.saved.is_some(), None)
        }
        Err(e) => page_error(&tr, e),
    }
}

#[derive(Deserialize)]
pub struct SettingsForm {
    enabled: Option<String>,
    invoice_every_order: Option<String>,
    delivery_follows_goods: Option<String>,
    sent_on_waybill: Option<String>,
    vat_goods: String,
    vat_delivery: String,
    invoice_trigger: String,
    invoice_series: String,
}

/// Parses the settings form; the error names the field.
/// The yes/no choices of the settings form.
#[derive(Debug, Clone, Copy, Default)]
pub struct SettingsChoices {
    /// Invoice every order.
    pub every_order: bool,
    /// Delivery follows the goods' rate.
    pub delivery_follows_goods: bool,
    /// SENT on Allegro once a waybill is there.
    pub sent_on_waybill: bool,
}

pub fn parse_settings(
    enabled: bool,
    goods: &str,
    delivery: &str,
    trigger: &str,
    series: &str,
    choices: SettingsChoices,
) -> Result<AccountSettings, AppError> {
    Ok(AccountSettings {
        enabled,
        invoice_every_order: choices.every_order,
        delivery_follows_goods: choices.delivery_follows_goods,
        sent_on_waybill: choices.sent_on_waybill,
        vat_goods: goods
            .parse()
            .map_err(|e: domain::DomainError| app::invalid("vat_goods", e.to_string()))?,
        vat_delivery: delivery
            .parse()
            .map_err(|e: domain::DomainError| app::invalid("vat_delivery", e.to_string()))?,
        invoice_trigger: trigger
            .parse()
            .map_err(|e: domain::DomainError| app::invalid("invoice_trigger", e.to_string()))?,
        invoice_series: InvoiceSeries::parse(series).map_err(|e| app::invalid("invoice_series", e.to_string()))?,
    })
}

pub async fn save_settings(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(id): Path<String>,
    Form(form): Form<SettingsForm>,
) -> Response {
    let aid: AccountId = match parse_id(&id) {
        Ok(a) => a,
        Err(e) => return page_error(&tr, e),
    };
    let parsed = parse_settings(
        form.enabled.is_some(),
        &form.vat_goods,
        &form.vat_delivery,
        &form.invoice_trigger,
        &form.invoice_series,
        SettingsChoices {
            every_order: form.invoice_every_order.is_some(),
            delivery_follows_goods: form.delivery_follows_goods.is_some(),
            sent_on_waybill: form.sent_on_waybill.is_some(),
        },
    );
    match parsed {
        Ok(s) => match state.app.save_settings(&user, &aid, &s).await {
            Ok(()) => Redirect::to(&format!("/accounts/{id}/settings?saved=1")).into_response(),
            Err(e) => page_error(&tr, e),
        },
        Err(AppError::Validation { field, message }) => {
            let account = match state.app.account(&user, &aid).await {
                Ok(a) => a,
                Err(e) => return page_error(&tr, e),
            };
            let current = state.app.settings(&user, &aid).await.unwrap_or_default();
            let text = tr.args("error-field", &[("field", field), ("message", &message)]);
            let mut r = settings_page(&tr, &user, &account, &current, form.invoice_series, false, Some(text));
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
        Err(e) => page_error(&tr, e),
    }
}

pub async fn css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../assets/app.css"),
    )
        .into_response()
}

/// htmx 2.0.4 (BSD Zero Clause), vendored: the UI's live bits, never needed to use it.
pub async fn htmx() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        include_str!("../assets/htmx-2.0.4.min.js"),
    )
        .into_response()
}

pub async fn js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../assets/app.js"),
    )
        .into_response()
}

struct OrderRow {
    href: String,
    bought: String,
    account: String,
    buyer: String,
    status: String,
    fulfillment: String,
    total: String,
    /// The buyer asked for an invoice.
    invoice: bool,
    /// Imported from a file (not yet seen on Allegro).
    from_file: bool,
}

#[derive(Template)]
#[template(path = "orders.html")]
struct OrdersPage {
    c: Chrome,
    rows: Vec<OrderRow>,
    /// (value, label, selected) per select.
    accounts: Vec<(String, String, bool)>,
    statuses: Vec<(String, String, bool)>,
    fulfillments: Vec<(String, String, bool)>,
    marketplaces: Vec<(String, String, bool)>,
    invoices: Vec<(String, String, bool)>,
    sorts: Vec<(String, String, bool)>,
    buyer: String,
    from: String,
    to: String,
    total_text: String,
    error: Option<String>,
    prev: Option<String>,
    next: Option<String>,
    /// This page's own URL, polled by htmx for live refresh.
    live_url: String,
}

fn options(values: &[&str], label: impl Fn(&str) -> String, chosen: Option<&str>) -> Vec<(String, String, bool)> {
    values
        .iter()
        .map(|v| ((*v).to_owned(), label(v), chosen == Some(*v)))
        .collect()
}

/// `1 299,00 PLN`: Polish grouping (a non-breaking space every three digits) and a
/// decimal comma.
pub(crate) fn money(minor: Option<i64>, currency: &str) -> String {
    minor.map_or_else(String::new, |m| {
        let sign = if m < 0 { "-" } else { "" };
        let m = m.unsigned_abs();
        let digits = (m / 100).to_string();
        let mut whole = String::new();
        for (i, d) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                whole.push('\u{a0}');
            }
            whole.push(d);
        }
        format!("{sign}{whole},{:02} {currency}", m % 100)
    })
}

/// An order's page path; ids from files may hold `/` and other characters.
pub(crate) fn order_href(id: &str) -> String {
    format!(
        "/orders/{}",
        percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC)
    )
}

const ORDERS_PAGE: i64 = 50;

/// The seller's word for a fulfillment status; an unknown code is shown as Allegro sent it.
fn fulfillment_name(tr: &Tr, code: Option<&str>) -> String {
    match code {
        None => String::new(),
        Some(c) => {
            let key = format!("fulfillment-{c}");
            let text = tr.t(&key);
            if text == key { c.to_owned() } else { text }
        }
    }
}

pub async fn orders(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Query(q): Query<crate::order_query::OrderParams>,
) -> Response {
    use crate::order_query::{FULFILLMENT_STATUSES, MARKETPLACES, STATUSES};
    let page = q.page.unwrap_or(0).max(0);
    let (filter, error) = match q.filter() {
        Ok(f) => (f, None),
        Err((field, message)) => (
            store::OrderFilter::default(),
            Some(tr.args("error-field", &[("field", field), ("message", &message)])),
        ),
    };
    let result = async {
        let (list, total) = state
            .app
            .orders(&user, &filter, page * ORDERS_PAGE, ORDERS_PAGE)
            .await?;
        let accounts = state.app.accounts(&user).await?;
        Ok::<_, AppError>((list, total, accounts))
    }
    .await;
    let (list, total, accounts) = match result {
        Ok(v) => v,
        Err(e) => return page_error(&tr, e),
    };
    let login_of = |id: &AccountId| {
        accounts
            .iter()
            .find(|a| &a.id == id)
            .map(|a| a.login.clone())
            .unwrap_or_default()
    };
    let rows = list
        .iter()
        .map(|o| OrderRow {
            href: order_href(&o.id),
            bought: crate::format_time(o.bought_at_ms),
            account: login_of(&o.account_id),
            buyer: o.buyer_login.clone(),
            status: tr.t(&format!("order-status-{}", o.status)),
            fulfillment: fulfillment_name(&tr, o.fulfillment_status.as_deref()),
            total: money(o.total_minor, &o.currency),
            invoice: o.invoice_required,
            from_file: o.source == store::OrderSource::File,
        })
        .collect();
    let chosen = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let account_ids: Vec<String> = accounts.iter().map(|a| a.id.to_string()).collect();
    let account_refs: Vec<&str> = account_ids.iter().map(String::as_str).collect();
    let sort_words: Vec<&str> = store::OrderSort::ALL.iter().map(|(_, w)| *w).collect();
    render(&OrdersPage {
        c: Chrome::for_user(&tr, &user),
        rows,
        accounts: options(
            &account_refs,
            |id| {
                accounts
                    .iter()
                    .find(|a| a.id.as_str() == id)
                    .map(|a| a.login.clone())
                    .unwrap_or_default()
            },
            chosen(&q.account).as_deref(),
        ),
        statuses: options(
            &STATUSES,
            |s| tr.t(&format!("order-status-{s}")),
            chosen(&q.status).as_deref(),
        ),
        fulfillments: options(
            &FULFILLMENT_STATUSES,
            |s| fulfillment_name(&tr, Some(s)),
            chosen(&q.fulfillment_status).as_deref(),
        ),
        marketplaces: options(&MARKETPLACES, str::to_owned, chosen(&q.marketplace).as_deref()),
        invoices: options(
            &["yes", "no"],
            |v| tr.t(&format!("orders-invoice-{v}")),
            chosen(&q.invoice).as_deref(),
        ),
        sorts: options(
            &sort_words,
            |w| tr.t(&format!("orders-sort-{w}")),
            chosen(&q.sort).as_deref(),
        ),
        buyer: chosen(&q.buyer).unwrap_or_default(),
        from: chosen(&q.from).unwrap_or_default(),
        to: chosen(&q.to).unwrap_or_default(),
        total_text: tr.count("orders-count", total),
        error,
        prev: (page > 0).then(|| format!("/orders?{}", q.query_string(Some(page - 1)))),
        next: ((page + 1) * ORDERS_PAGE < total).then(|| format!("/orders?{}", q.query_string(Some(page + 1)))),
        live_url: format!("/orders?{}", q.query_string(Some(page))),
    })
}

#[derive(Template)]
#[template(path = "order.html")]
struct OrderPage {
    c: Chrome,
    id: String,
    bought: String,
    status: String,
    fulfillment: String,
    buyer: String,
    delivery: String,
    total: String,
    lines: Vec<(String, i64, String, String)>,
    /// Payment: type, provider, paid amount, when.
    payment: Option<String>,
    /// The buyer's invoice request, in words.
    invoice: String,
    /// Imported from a file.
    from_file: bool,
    /// (seen at, status, fulfillment) oldest first.
    history: Vec<(String, String, String)>,
    /// Where "Wystaw fakturę" posts.
    invoice_action: String,
    /// The order's invoices: (id, number, kind).
    invoices: Vec<(String, String, String)>,
    /// Where "Wystaw korektę" posts, when the order is cancelled or returned and its
    /// invoice has no correction yet.
    correction_action: Option<String>,
    /// Why automatic invoicing failed, in words.
    invoice_failure: Option<String>,
    /// The order's waybills.
    shipments: Vec<ShipmentRow>,
    /// Where "Dodaj numer przesyłki" posts.
    waybill_action: String,
    /// Allegro's carriers (id, name); empty when none could be read (a text field then).
    carriers: Vec<(String, String)>,
    /// The line items a parcel may carry: (id, name).
    line_items: Vec<(String, String)>,
    /// What the seller typed, when the form comes back with an error.
    form: WaybillForm,
    /// Where "Zmień status" posts, for orders from Allegro; and the statuses to choose.
    fulfillment_action: Option<String>,
    fulfillment_choices: Vec<(String, String)>,
    /// The stored status word (the one selected).
    fulfillment_now: String,
    /// Why the last change was refused.
    fulfillment_error: Option<String>,
    /// The order's WZ: (number, state in words).
    wz: Option<(String, String)>,
    /// Where "Wystaw WZ" posts.
    wz_action: String,
    /// Why the automatic WZ failed, in words.
    wz_failure: Option<String>,
}

/// A waybill on the order page.
struct ShipmentRow {
    id: String,
    carrier: String,
    waybill: String,
    /// "all" or the offers it carries.
    items: String,
    /// Where its push to Allegro stands, in words.
    allegro: String,
    /// The push failed for good or for now.
    problem: bool,
    /// "Wyślij ponownie" posts here.
    resend: Option<String>,
}

/// The waybill form as the seller filled it, and what was wrong.
#[derive(Debug, Default)]
pub struct WaybillForm {
    carrier_id: String,
    carrier_name: String,
    waybill: String,
    line_items: Vec<String>,
    error: Option<String>,
    fulfillment_error: Option<String>,
}

/// "Zmień status realizacji": sets it on Allegro and shows the order as Allegro has it.
pub async fn set_fulfillment(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<std::collections::HashMap<String, String>>,
) -> Response {
    let status = form.get("status").map(String::as_str).unwrap_or_default();
    match state.app.set_fulfillment(&user, &id, status).await {
        Ok(_) => Redirect::to(&order_href(&id)).into_response(),
        Err(AppError::Conflict(message) | AppError::Validation { message, .. }) => {
            let entered = WaybillForm {
                fulfillment_error: Some(message),
                ..WaybillForm::default()
            };
            let mut page = order_page(&state, &tr, &user, &id, entered).await;
            *page.status_mut() = axum::http::StatusCode::CONFLICT;
            page
        }
        Err(e) => page_error(&tr, e),
    }
}

/// The statuses a seller sets, in their usual order.
const SELLER_FULFILLMENT: [&str; 8] = [
    "NEW",
    "PROCESSING",
    "READY_FOR_SHIPMENT",
    "READY_FOR_PICKUP",
    "SENT",
    "PICKED_UP",
    "CANCELLED",
    "SUSPENDED",
];

pub async fn order(State(state): State<WebState>, tr: Tr, UiUser(user): UiUser, Path(id): Path<String>) -> Response {
    order_page(&state, &tr, &user, &id, WaybillForm::default()).await
}

/// "Dodaj numer przesyłki": adds the waybill and shows the order again, or the form with
/// what is wrong.
pub async fn add_waybill(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let mut form = WaybillForm::default();
    for (key, value) in url::form_urlencoded::parse(&body) {
        match key.as_ref() {
            "carrier_id" => form.carrier_id = value.into_owned(),
            "carrier_name" => form.carrier_name = value.into_owned(),
            "waybill" => form.waybill = value.into_owned(),
            "line_item" => form.line_items.push(value.into_owned()),
            _ => {}
        }
    }
    let parsed = domain::NewWaybill::parse(
        &form.carrier_id,
        Some(&form.carrier_name),
        &form.waybill,
        form.line_items.clone(),
    );
    let result = match parsed {
        Ok(w) => state.app.add_waybill(&user, &id, w).await,
        Err(e) => Err(app::invalid(e.field, e.message)),
    };
    match result {
        Ok(_) => Redirect::to(&format!("{}?waybill=added#shipments", order_href(&id))).into_response(),
        Err(AppError::Validation { field, message }) => {
            form.error = Some(tr.args(
                "waybill-invalid",
                &[("field", &tr.t(&format!("waybill-field-{field}"))), ("error", &message)],
            ));
            let mut page = order_page(&state, &tr, &user, &id, form).await;
            *page.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            page
        }
        Err(e) => page_error(&tr, e),
    }
}

/// "Wyślij ponownie" on a refused waybill.
pub async fn resend_waybill(
    State(state): State<WebState>,
    tr: Tr,
    UiUser(user): UiUser,
    Path((order, id)): Path<(String, String)>,
) -> Response {
    match state.app.resend_waybill(&user, &id).await {
        Ok(()) => Redirect::to(&format!("{}#shipments", order_href(&order))).into_response(),
        Err(e) => page_error(&tr, e),
    }
}

/// A waybill's push to Allegro in the seller's words.
fn carrier_name(carriers: &Option<std::sync::Arc<Vec<app::Carrier>>>, id: &str) -> String {
    carriers
        .as_deref()
        .and_then(|list| list.iter().find(|c| c.id == id))
        .and_then(|c| c.name.clone())
        .unwrap_or_else(|| id.to_owned())
}

fn push_words(tr: &Tr, s: &store::ShipmentRecord) -> (String, bool) {
    use domain::PushState;
    let reason = |error: &Option<String>| {
        let e = error.as_deref().unwrap_or_default();
        let key = app::push_error_key(e);
        let detail = e.split_once(": ").map_or("", |(_, d)| d);
        let plain = tr.t(&format!("waybill-error-{key}"));
        if detail.is_empty() {
            plain
        } else {
            format!("{plain} (Allegro: {detail})")
        }
    };
    match s.push.state {
        PushState::Pushed => (
            tr.args(
                "waybill-pushed",
                &[("at", &crate::format_time(s.push.pushed_at_ms.unwrap_or_default()))],
            ),
            false,
        ),
        PushState::Pending if s.push.error.is_some() => (
            tr.args(
                "waybill-retry",
                &[
                    ("error", &reason(&s.push.error)),
                    ("next", &crate::format_time(s.push.next_at_ms)),
                ],
            ),
            true,
        ),
        PushState::Pending => (tr.t("waybill-pending"), false),
        PushState::Refused => (tr.args("waybill-refused", &[("error", &reason(&s.push.error))]), true),
        PushState::NotApplicable => (tr.t("waybill-not-applicable"), false),
    }
}

async fn order_page(state: &WebState, tr: &Tr, user: &app::CurrentUser, id: &str, entered: WaybillForm) -> Response {
    let found = async {
        let o = state.app.order(user, id).await?;
        let history = state.app.order_history(user, id).await?;
        let invoices = state.app.order_invoices(user, id).await?;
        let failure = state.app.invoice_failure(user, id).await?;
        let shipments = state.app.order_shipments(user, id).await?;
        let carriers = state.app.carriers(user).await?;
        let wz = state.app.order_wz(user, id).await?;
        let wz_failure = state.app.wz_failure(user, id).await?;
        let account = state.app.account(user, &o.account_id).await?;
        Ok::<_, AppError>((
            o,
            history,
            invoices,
            failure,
            shipments,
            carriers,
            (wz, wz_failure),
            account,
        ))
    }
    .await;
    let (o, history, invoices, failure, shipments, carriers, (wz, wz_failure), account) = match found {
        Ok(v) => v,
        Err(e) => return page_error(tr, e),
    };
    let form: serde_json::Value = serde_json::from_str(&o.data).unwrap_or_default();
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    let d = &form["delivery"];
    let mut delivery = text(&d["method"]["name"]);
    if let Some(point) = d["pickupPoint"]["id"].as_str() {
        delivery.push_str(&format!(" · {point}"));
    }
    let city = text(&d["address"]["city"]);
    if !city.is_empty() {
        delivery.push_str(&format!(" · {city}"));
    }
    let buyer = format!(
        "{} {} ({})",
        text(&form["buyer"]["firstName"]),
        text(&form["buyer"]["lastName"]),
        o.buyer_login
    );
    let form_line_items: Vec<(String, String)> = form["lineItems"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|li| (text(&li["id"]), text(&li["offer"]["name"])))
                .collect()
        })
        .unwrap_or_default();
    let lines = form["lineItems"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|li| {
                    (
                        text(&li["offer"]["name"]),
                        li["quantity"].as_i64().unwrap_or(0),
                        format!(
                            "{} {}",
                            text(&li["price"]["amount"]).replace('.', ","),
                            text(&li["price"]["currency"])
                        ),
                        li["tax"]["rate"]
                            .as_str()
                            .map(|r| format!("{}%", r.trim_end_matches(".00")))
                            .unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    render(&OrderPage {
        c: Chrome::for_user(tr, user),
        id: o.id.clone(),
        bought: crate::format_time(o.bought_at_ms),
        status: tr.t(&format!("order-status-{}", o.status)),
        fulfillment: fulfillment_name(tr, o.fulfillment_status.as_deref()),
        buyer,
        delivery,
        total: money(o.total_minor, &o.currency),
        lines,
        payment: form["payment"].as_object().map(|_| {
            let p = &form["payment"];
            let mut parts = vec![text(&p["type"]), text(&p["provider"])];
            if let Some(amount) = p["paidAmount"]["amount"].as_str() {
                parts.push(format!(
                    "{} {}",
                    amount.replace('.', ","),
                    text(&p["paidAmount"]["currency"])
                ));
            }
            parts.push(text(&p["finishedAt"]).replace('T', " ").chars().take(16).collect());
            parts.retain(|s| !s.is_empty());
            parts.join(" · ")
        }),
        invoice: if o.invoice_required {
            let nip = form["invoice"]["address"]["company"]["ids"][0]["value"]
                .as_str()
                .unwrap_or_default();
            if nip.is_empty() {
                tr.t("orders-invoice-yes")
            } else {
                format!("{} (NIP {nip})", tr.t("orders-invoice-yes"))
            }
        } else {
            tr.t("orders-invoice-no")
        },
        from_file: o.source == store::OrderSource::File,
        invoice_action: format!("{}/invoice", order_href(&o.id)),
        correction_action: (o.status == "CANCELLED" || o.fulfillment_status.as_deref() == Some("RETURNED"))
            .then_some(())
            .filter(|()| invoices.iter().any(|i| i.kind == "vat") && !invoices.iter().any(|i| i.kind == "correction"))
            .map(|()| format!("{}/correction", order_href(&o.id))),
        invoice_failure: failure
            .filter(|_| invoices.is_empty())
            .map(|(n, e)| tr.args("order-invoice-failed", &[("attempts", &n.to_string()), ("error", &e)])),
        invoices: invoices
            .iter()
            .map(|i| (i.id.clone(), i.number.clone(), i.kind.clone()))
            .collect(),
        history: history
            .iter()
            .map(|h| {
                (
                    crate::format_time(h.seen_at_ms),
                    tr.t(&format!("order-status-{}", h.status)),
                    fulfillment_name(tr, h.fulfillment_status.as_deref()),
                )
            })
            .collect(),
        shipments: shipments
            .iter()
            .map(|s| {
                let (mut allegro, mut problem) = push_words(tr, s);
                // Said at once, not only after the worker's first try.
                if s.push.state == domain::PushState::Pending
                    && s.push.error.is_none()
                    && account.status != domain::AccountStatus::Active
                {
                    allegro = format!(
                        "{} {}",
                        tr.t("waybill-pending"),
                        tr.t("waybill-error-account_not_connected")
                    );
                    problem = true;
                }
                let names: Vec<String> = s
                    .line_items
                    .iter()
                    .map(|li| {
                        form_line_items
                            .iter()
                            .find(|(id, _)| id == li)
                            .map_or_else(|| li.clone(), |(_, name)| name.clone())
                    })
                    .collect();
                ShipmentRow {
                    id: s.id.clone(),
                    carrier: s
                        .carrier_name
                        .clone()
                        .unwrap_or_else(|| carrier_name(&carriers, &s.carrier_id)),
                    waybill: s.waybill.clone(),
                    items: if names.is_empty() {
                        tr.t("waybill-all-items")
                    } else {
                        names.join(", ")
                    },
                    allegro,
                    problem,
                    resend: (s.push.state == domain::PushState::Refused
                        || (s.push.state == domain::PushState::Pending && s.push.error.is_some()))
                    .then(|| format!("{}/shipments/{}/resend", order_href(&o.id), s.id)),
                }
            })
            .collect(),
        waybill_action: format!("{}/shipments", order_href(&o.id)),
        carriers: carriers
            .as_deref()
            .map(|list| {
                list.iter()
                    .map(|c| {
                        (
                            c.id.clone(),
                            c.name.clone().unwrap_or_else(|| tr.t("waybill-other-carrier")),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        line_items: form_line_items,
        fulfillment_action: (o.source == store::OrderSource::Allegro)
            .then(|| format!("{}/fulfillment", order_href(&o.id))),
        fulfillment_choices: SELLER_FULFILLMENT
            .iter()
            .map(|s| ((*s).to_owned(), fulfillment_name(tr, Some(s))))
            .collect(),
        fulfillment_now: o.fulfillment_status.clone().unwrap_or_default(),
        fulfillment_error: entered.fulfillment_error.clone(),
        wz: wz
            .as_ref()
            .map(|d| (d.number.clone(), tr.t(&format!("wz-state-{}", d.state)))),
        wz_failure: wz_failure
            .filter(|_| wz.is_none())
            .map(|(n, e)| tr.args("order-wz-failed", &[("attempts", &n.to_string()), ("error", &e)])),
        wz_action: format!("{}/wz", order_href(&o.id)),
        form: entered,
    })
}
