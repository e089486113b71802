use ksef_api_types::ApiError;

/// Why a login did not succeed: KSeF's final status of the authentication operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthFailure {
    /// 415 no permissions, 425 revoked, 450 bad token, 460 certificate, 470 deceased,
    /// 480 blocked, 500 unknown, 550 cancelled.
    pub code: i32,
    /// KSeF's description.
    pub description: String,
    /// e.g. "Token unieważniony".
    pub details: Vec<String>,
}

impl AuthFailure {
    /// The reason in a seller's words (Polish), for logs and the UI.
    pub fn reason(&self) -> String {
        let what = match self.code {
            415 => "token nie ma uprawnień w tym kontekście",
            425 => "uwierzytelnienie unieważnione przez użytkownika",
            450 => "token KSeF jest nieprawidłowy, unieważniony lub nieaktywny",
            460 => "błąd certyfikatu",
            470 => "dane uwierzytelniające osoby zmarłej",
            480 => "uwierzytelnianie zablokowane przez KSeF (incydent bezpieczeństwa)",
            550 => "operacja anulowana przez KSeF",
            _ => "nieznany błąd uwierzytelnienia",
        };
        if self.details.is_empty() {
            format!("{what} ({})", self.code)
        } else {
            format!("{what} ({}: {})", self.code, self.details.join("; "))
        }
    }
}

/// An error from KSeF or on the way to it. Never carries a token.
#[derive(Debug, thiserror::Error)]
pub enum KsefError {
    /// 400 with KSeF's exception codes (either shape).
    #[error("KSeF odrzucił {endpoint}: {}", summary(errors))]
    Api {
        /// `METHOD path`.
        endpoint: String,
        /// The codes, e.g. 21405, with their descriptions and details.
        errors: Vec<ApiError>,
    },
    /// 401: no, expired or unknown bearer token.
    #[error("KSeF nie przyjął tokenu dostępu na {endpoint}: {detail}")]
    Unauthorized {
        /// `METHOD path`.
        endpoint: String,
        /// KSeF's words.
        detail: String,
    },
    /// 403 with its `reasonCode` (`missing-permissions`, `ip-not-allowed`, …).
    #[error("KSeF odmówił dostępu do {endpoint} ({reason_code}): {detail}")]
    Forbidden {
        /// `METHOD path`.
        endpoint: String,
        /// KSeF's reason code.
        reason_code: String,
        /// KSeF's words.
        detail: String,
        /// e.g. `{requiredAnyOfPermissions, presentPermissions}`.
        security: Option<Box<serde_json::Value>>,
    },
    /// 410: the operation is past KSeF's retention.
    #[error("KSeF nie przechowuje już {endpoint}: {detail}")]
    Gone {
        /// `METHOD path`.
        endpoint: String,
        /// KSeF's words.
        detail: String,
    },
    /// 429 after the retries allowed.
    #[error("przekroczono limit KSeF na {endpoint}; spróbuj po {retry_after_s} s")]
    RateLimited {
        /// `METHOD path`.
        endpoint: String,
        /// `Retry-After`.
        retry_after_s: u64,
    },
    /// 5xx after the retries allowed (KSeF unavailable).
    #[error("KSeF jest niedostępny ({status}) na {endpoint}")]
    Unavailable {
        /// `METHOD path`.
        endpoint: String,
        /// HTTP status.
        status: u16,
    },
    /// Connection failure or timeout after the retries allowed.
    #[error("brak połączenia z KSeF ({endpoint})")]
    Transport {
        /// `METHOD path`.
        endpoint: String,
        /// The cause.
        #[source]
        source: reqwest::Error,
    },
    /// A response that does not match the OpenAPI document.
    #[error("nieoczekiwana odpowiedź KSeF na {endpoint}: {message}")]
    Decode {
        /// `METHOD path`.
        endpoint: String,
        /// What did not match.
        message: String,
    },
    /// The login ended with a failure status.
    #[error("logowanie do KSeF nie powiodło się: {}", .0.reason())]
    Auth(AuthFailure),
    /// The login did not reach a final status in time.
    #[error("KSeF nie zakończył uwierzytelniania w wyznaczonym czasie")]
    AuthTimeout,
    /// Local crypto or input problem (a bad certificate from KSeF, an invalid key file…).
    #[error("{0}")]
    Invalid(String),
}

impl KsefError {
    /// The first KSeF exception code, e.g. 21405.
    pub fn code(&self) -> Option<i32> {
        match self {
            KsefError::Api { errors, .. } => errors.first().map(|e| e.code),
            _ => None,
        }
    }

    /// Whether trying again later may work (limits, outages, timeouts).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            KsefError::RateLimited { .. }
                | KsefError::Unavailable { .. }
                | KsefError::Transport { .. }
                | KsefError::AuthTimeout
        )
    }
}

fn summary(errors: &[ApiError]) -> String {
    errors
        .iter()
        .map(|e| {
            let details = e.details.as_deref().unwrap_or_default().join("; ");
            if details.is_empty() {
                format!("{} ({})", e.description, e.code)
            } else {
                format!("{} ({}): {details}", e.description, e.code)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}
