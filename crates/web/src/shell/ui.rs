//! Login, first-run setup, logout and the language switch.

use crate::WebState;
use crate::auth::{ClientAddress, MaybeUser, PRE_CSRF_COOKIE, SESSION_COOKIE, UiUser, cookie, set_cookie};
use crate::error::page_error;
use crate::i18n::{LANG_COOKIE, Lang, Tr};
use crate::views::Chrome;
use crate::views::render;
use app::AppError;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use secrecy::SecretString;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    c: Chrome,
    d: app::Dashboard,
    /// What waits: (where it is fixed, what, its class).
    items: Vec<(String, String, &'static str)>,
}

/// The start page ("Pulpit"): what needs the seller, each item linking to where it is fixed.
pub async fn index(State(state): State<WebState>, tr: Tr, UiUser(user): UiUser) -> Response {
    let d = match state.app.dashboard(&user).await {
        Ok(d) => d,
        Err(e) => return page_error(&tr, e),
    };
    let mut items: Vec<(String, String, &'static str)> = d
        .relogin
        .iter()
        .map(|login| {
            (
                "/accounts".to_owned(),
                tr.args("dashboard-relogin", &[("login", login)]),
                "error",
            )
        })
        .collect();
    items.extend(d.rates_missing.iter().map(|(currency, day, n)| {
        (
            "/invoices/rates".to_owned(),
            tr.count_args("dashboard-rates-missing", *n, &[("currency", currency), ("day", day)]),
            "error",
        )
    }));
    if let Some(p) = &d.ksef_token_problem {
        items.push(("/invoices/ksef".to_owned(), tr.problem(p), "error"));
    }
    if let (Some(alert), Some(deadline)) = (d.ksef_deadline_alert, d.ksef_offline_deadline.as_deref()) {
        let (key, level) = match alert {
            app::DeadlineAlert::Passed => ("dashboard-ksef-deadline-passed", "error"),
            app::DeadlineAlert::Near => ("dashboard-ksef-deadline-near", "warn"),
        };
        items.push(("/invoices/ksef".to_owned(), tr.t1(key, "deadline", deadline), level));
    }
    if d.ksef_offline > 0 {
        let deadline = crate::ksef::deadline_text(&tr, None, d.ksef_offline_deadline.as_deref());
        items.push((
            "/invoices?ksef=offline".to_owned(),
            tr.count_args("dashboard-ksef-offline", d.ksef_offline, &[("deadline", &deadline)]),
            "warn",
        ));
    }
    let counted = [
        (
            d.ksef_rejected,
            "/invoices?ksef=rejected",
            "dashboard-ksef-rejected",
            "error",
        ),
        (
            d.ksef_waiting,
            "/invoices?ksef=waiting",
            "dashboard-ksef-waiting",
            "warn",
        ),
        (
            d.invoices_failed,
            "/orders?invoice=yes",
            "dashboard-invoices-failed",
            "error",
        ),
        (
            d.uploads_refused,
            "/invoices?allegro=refused",
            "dashboard-uploads-refused",
            "error",
        ),
        (
            d.uploads_waiting,
            "/invoices?allegro=pending",
            "dashboard-uploads-waiting",
            "warn",
        ),
        (
            d.orders_to_ship,
            "/orders?status=READY_FOR_PROCESSING",
            "dashboard-orders-to-ship",
            "warn",
        ),
    ];
    items.extend(
        counted
            .into_iter()
            .filter(|(n, ..)| *n > 0)
            .map(|(n, href, key, class)| (href.to_owned(), tr.count(key, n), class)),
    );
    render(&DashboardPage {
        c: Chrome::for_user(&tr, &user),
        d,
        items,
    })
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
            relogin: false,
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
                    relogin: false,
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
                    relogin: false,
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
            relogin: false,
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
    #[serde(default)]
    code: String,
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
        .set_up(&form.code, &form.organisation, &form.email, password)
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
        Err(AppError::Validation { field, problem }) => {
            let csrf = cookie(&headers, PRE_CSRF_COOKIE).unwrap_or_default();
            let error = Some(tr.invalid(field, &problem));
            let mut r = render(&SetupPage {
                c: Chrome {
                    t: tr,
                    email: None,
                    csrf,
                    relogin: false,
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
