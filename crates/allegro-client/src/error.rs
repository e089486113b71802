use allegro_api_types::ApiError;

/// An error from Allegro's REST API.
#[derive(Debug, thiserror::Error)]
pub enum AllegroError {
    /// 401 with the OAuth-style body: expired, superseded or revoked token.
    #[error("Allegro refused the access token ({error}): {description}")]
    Unauthorized {
        /// e.g. `invalid_token`.
        error: String,
        /// Allegro's description (may quote the token; never logged by this crate).
        description: String,
    },
    /// 429 after the retries allowed.
    #[error("Allegro's rate limit was hit on {endpoint} (trace-id {trace_id:?})")]
    RateLimited {
        /// `METHOD path`.
        endpoint: String,
        /// `trace-id` header.
        trace_id: Option<String>,
    },
    /// Any other error status with the `{"errors": [...]}` envelope.
    #[error("Allegro answered {status} on {endpoint}: {}", summary(errors))]
    Api {
        /// HTTP status.
        status: u16,
        /// `METHOD path`.
        endpoint: String,
        /// The errors Allegro listed.
        errors: Vec<ApiError>,
        /// `trace-id` header, to quote to Allegro's support.
        trace_id: Option<String>,
    },
    /// Connection failure or timeout after the retries allowed.
    #[error("could not reach Allegro for {endpoint}")]
    Transport {
        /// `METHOD path`.
        endpoint: String,
        /// The cause.
        #[source]
        source: reqwest::Error,
    },
    /// A success response whose body did not match the spec's schema.
    #[error("unexpected response body from {endpoint}: {message}")]
    Decode {
        /// `METHOD path`.
        endpoint: String,
        /// What did not match.
        message: String,
    },
    /// The request cannot be made as asked (e.g. more than 10 000 orders share one instant).
    #[error("{0}")]
    InvalidRequest(String),
}

impl AllegroError {
    /// HTTP status, if Allegro answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            AllegroError::Unauthorized { .. } => Some(401),
            AllegroError::RateLimited { .. } => Some(429),
            AllegroError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The first error code Allegro gave, e.g. `VALIDATION_ERROR`.
    pub fn code(&self) -> Option<&str> {
        match self {
            AllegroError::Api { errors, .. } => errors.first().map(|e| e.code.as_str()),
            AllegroError::Unauthorized { error, .. } => Some(error),
            _ => None,
        }
    }
}

fn summary(errors: &[ApiError]) -> String {
    errors
        .iter()
        .map(|e| format!("{} ({})", e.message, e.code))
        .collect::<Vec<_>>()
        .join("; ")
}

/// An error from the OAuth endpoints.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    /// `invalid_grant`: code expired or reused, refresh token reused or expired, redirect
    /// URI mismatch. The account must be linked again (unless a retry is in its grace).
    #[error("Allegro rejected the grant: {description}")]
    InvalidGrant {
        /// Allegro's description, with any token in it cut off.
        description: String,
    },
    /// 401 `Unauthorized`: wrong Client ID/Secret, or the user revoked access (password
    /// change, "log out of all devices", sales block).
    #[error("Allegro refused the client or the user's consent is gone ({error})")]
    Unauthorized {
        /// The error code.
        error: String,
    },
    /// Too many tokens for this user in a short time.
    #[error("Allegro's token rate limit was hit")]
    RateLimited,
    /// Any other OAuth error.
    #[error("OAuth error {status} {error}: {description}")]
    Other {
        /// HTTP status.
        status: u16,
        /// OAuth error code.
        error: String,
        /// Description.
        description: String,
    },
    /// Could not reach the auth host.
    #[error("could not reach Allegro's auth host")]
    Transport(#[source] reqwest::Error),
    /// The body did not match the token response.
    #[error("unexpected token response: {0}")]
    Decode(String),
}

/// Replaces anything that looks like a token (a JWT, or a long unbroken string) with
/// `[redacted]`: Allegro echoes tokens in error descriptions, which must never reach a log.
pub(crate) fn redact(description: &str) -> String {
    description
        .split(' ')
        .map(|word| {
            if word.starts_with("eyJ") || word.len() >= 32 {
                "[redacted]"
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
