//! KSeF's two error shapes: the legacy `{"exception": {...}}` body (the default for 400)
//! and RFC 7807 problem details (always for 401/403/410; for 400/429 when the request
//! carries `X-Error-Format: problem-details`).

use serde::{Deserialize, Serialize};

/// The header that asks for problem details on 400 and 429.
pub const ERROR_FORMAT_HEADER: &str = "x-error-format";

/// Its value.
pub const PROBLEM_DETAILS: &str = "problem-details";

/// One listed error (legacy shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExceptionDetails {
    /// e.g. 21405.
    pub exception_code: i32,
    /// KSeF's Polish description.
    #[serde(default)]
    pub exception_description: Option<String>,
    /// More words.
    #[serde(default)]
    pub details: Option<Vec<String>>,
}

/// The legacy body's inner object.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExceptionInfo {
    /// The errors.
    #[serde(default)]
    pub exception_detail_list: Option<Vec<ExceptionDetails>>,
    /// KSeF's reference of the failed call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_number: Option<String>,
    /// Service code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_code: Option<String>,
    /// Service context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_ctx: Option<String>,
    /// Service name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_name: Option<String>,
    /// When.
    #[serde(default)]
    pub timestamp: Option<String>,
}

/// `{"exception": {...}}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExceptionResponse {
    /// The error.
    #[serde(default)]
    pub exception: Option<ExceptionInfo>,
}

/// One error of a problem-details 400.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// e.g. 21405.
    pub code: i32,
    /// KSeF's description.
    pub description: String,
    /// More words.
    #[serde(default)]
    pub details: Option<Vec<String>>,
}

/// Any problem-details body (the fields of 400, 401, 403, 410 and 429 together).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProblemDetails {
    /// e.g. `Forbidden`.
    #[serde(default)]
    pub title: String,
    /// HTTP status.
    #[serde(default)]
    pub status: u16,
    /// What went wrong.
    #[serde(default)]
    pub detail: String,
    /// The path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// 400: the errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ApiError>>,
    /// 403: `missing-permissions`, `ip-not-allowed`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    /// 403: what was required and what the caller had.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security: Option<serde_json::Value>,
    /// Trace id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// When (UTC).
    #[serde(default)]
    pub timestamp: String,
}

/// Legacy 429 body: `{"status": {code, description, details}}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TooManyRequestsResponse {
    /// Always code 429.
    pub status: crate::StatusInfo,
}
