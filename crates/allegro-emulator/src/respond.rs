//! Response shapes: Allegro's error envelope, the OAuth error body, JSON and HTML.

use allegro_api_types::{ApiError, AuthError, ErrorsHolder, MEDIA_TYPE_V1};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A JSON body with Allegro's versioned media type.
pub fn vnd_json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (status, [(header::CONTENT_TYPE, MEDIA_TYPE_V1)], bytes).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "serialising a response");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// An `{"errors": [...]}` response with one error.
pub fn api_error(
    status: StatusCode,
    code: &str,
    message: impl Into<String>,
    path: Option<&str>,
    lang: Lang,
) -> Response {
    let message = message.into();
    let user_message = lang
        .user_message(code)
        .map(str::to_owned)
        .unwrap_or_else(|| message.clone());
    let body = ErrorsHolder {
        errors: vec![ApiError {
            code: code.to_owned(),
            message,
            details: None,
            path: path.map(str::to_owned),
            user_message: Some(user_message),
            metadata: Some(Default::default()),
        }],
    };
    vnd_json(status, &body)
}

/// The OAuth-style body; on 401 with the `WWW-Authenticate` header Spring's resource server
/// sends (GH#2569).
pub fn auth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = AuthError {
        error: error.to_owned(),
        error_description: Some(description.to_owned()),
    };
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    // Lets the emulator's statistics count token-endpoint outcomes by OAuth error code.
    if let Ok(v) = HeaderValue::from_str(error) {
        headers.insert("x-emulator-oauth-error", v);
    }
    if status == StatusCode::UNAUTHORIZED {
        let value = format!(
            "Bearer realm=\"oauth2-resource\", error=\"{error}\", error_description=\"{}\"",
            description.replace('"', "'")
        );
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(header::WWW_AUTHENTICATE, v);
        }
    }
    (status, headers, bytes).into_response()
}

/// A plain JSON body (`application/json`), as the token endpoint and control API send.
pub fn json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    (status, axum::Json(body)).into_response()
}

/// The control API's error body `{"error": "..."}`.
pub fn control_error(status: StatusCode, message: impl Into<String>) -> Response {
    json(status, &serde_json::json!({ "error": message.into() }))
}

/// An HTML page.
pub fn html(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

/// The language of `userMessage`, from `Accept-Language` (English by default, as Allegro).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// en-US.
    #[default]
    En,
    /// pl-PL.
    Pl,
}

impl Lang {
    /// Reads `Accept-Language`.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        match headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()) {
            Some(v) if v.trim_start().to_ascii_lowercase().starts_with("pl") => Lang::Pl,
            _ => Lang::En,
        }
    }

    fn user_message(self, code: &str) -> Option<&'static str> {
        match (self, code) {
            (Lang::Pl, "NotFoundException" | "CheckoutFormNotFoundException" | "OfferNotFoundException") => {
                Some("Nie znaleziono zasobu.")
            }
            (Lang::Pl, "AccessDenied") => Some("Brak dostępu do wskazanego zasobu."),
            (Lang::Pl, "VALIDATION_ERROR") => Some("Nieprawidłowe parametry zapytania."),
            (Lang::Pl, "TooManyRequests") => Some("Zbyt wiele zapytań. Spróbuj ponownie za chwilę."),
            (Lang::Pl, "NotAcceptableException") => Some("Funkcja niedostępna. Skontaktuj się z autorem aplikacji."),
            (Lang::En, "AccessDenied") => Some("No access to the specified resource."),
            _ => None,
        }
    }
}

/// A fresh `trace-id` value (Allegro sends one with every response).
pub fn trace_id() -> HeaderValue {
    let id: u128 = rand::random();
    HeaderValue::from_str(&format!("{id:032x}")).unwrap_or_else(|_| HeaderValue::from_static("0"))
}

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    html_escape::encode_safe(s).into_owned()
}
