//! Shared page furniture: the chrome (menu, language, banners) every page wears, rendering, the simple message page, and how money and order links are written.

use crate::i18n::Tr;
use app::{AppError, CurrentUser};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// What every page's frame needs.
pub struct Chrome {
    /// Translations.
    pub t: Tr,
    /// The logged-in user's e-mail.
    pub email: Option<String>,
    /// The CSRF token for forms.
    pub csrf: String,
    /// Some linked account needs a new login: pages whose work depends on the accounts
    /// (orders, imports, invoices) say so above their content (seed 004's banner).
    pub relogin: bool,
}

impl Chrome {
    pub(crate) fn for_user(t: &Tr, user: &CurrentUser) -> Self {
        Self {
            t: t.clone(),
            email: user.email.clone(),
            csrf: user.csrf_token.clone().unwrap_or_default(),
            relogin: false,
        }
    }

    /// With the re-login banner when one of `accounts` needs a new login.
    pub(crate) fn with_relogin(mut self, accounts: &[store::Account]) -> Self {
        self.relogin = accounts.iter().any(|a| a.status == domain::AccountStatus::NeedsRelogin);
        self
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
pub(crate) struct SimplePage<'a> {
    pub(crate) c: Chrome,
    pub(crate) title: &'a str,
    pub(crate) paragraphs: Vec<String>,
    pub(crate) kind: &'a str,
}

/// A page with a title and a message (results).
pub fn simple_page(t: &Tr, title: &str, message: &str) -> String {
    message_page(t, title, message, "")
}

/// An error page: the message as an alert and a way back to the start page.
pub fn error_page(t: &Tr, title: &str, message: &str) -> String {
    message_page(t, title, message, "error")
}

fn message_page(t: &Tr, title: &str, message: &str, kind: &str) -> String {
    let page = SimplePage {
        c: Chrome {
            t: t.clone(),
            email: None,
            csrf: String::new(),
            relogin: false,
        },
        title,
        paragraphs: vec![message.to_owned()],
        kind,
    };
    page.render().unwrap_or_else(|_| message.to_owned())
}

pub(crate) fn parse_id<T: std::str::FromStr>(raw: &str) -> Result<T, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

pub(crate) fn options(
    values: &[&str],
    label: impl Fn(&str) -> String,
    chosen: Option<&str>,
) -> Vec<(String, String, bool)> {
    values
        .iter()
        .map(|v| ((*v).to_owned(), label(v), chosen == Some(*v)))
        .collect()
}

/// `1 299,00 PLN`: Polish grouping (a non-breaking space every three digits) and a
/// decimal comma.
pub(crate) fn money(minor: Option<i64>, currency: &str) -> String {
    minor.map_or_else(String::new, |m| match currency.parse() {
        Ok(currency) => domain::Money::new(m, currency).to_string(),
        Err(_) => format!("{} {currency}", domain::grouped(m, '\u{a0}', ',')),
    })
}

/// An order's page path; ids from files may hold `/` and other characters.
pub(crate) fn order_href(id: &domain::OrderId) -> String {
    format!(
        "/orders/{}",
        percent_encoding::utf8_percent_encode(id.as_str(), percent_encoding::NON_ALPHANUMERIC)
    )
}
// touched for the warm-build measurement
