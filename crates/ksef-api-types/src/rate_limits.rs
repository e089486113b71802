//! KSeF's rate limits per endpoint group.

use serde::{Deserialize, Serialize};

/// One group's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimitValues {
    /// Per second.
    pub per_second: u32,
    /// Per minute.
    pub per_minute: u32,
    /// Per hour.
    pub per_hour: u32,
}

const fn limits(per_second: u32, per_minute: u32, per_hour: u32) -> RateLimitValues {
    RateLimitValues {
        per_second,
        per_minute,
        per_hour,
    }
}

/// KSeF's production rate limits per endpoint group, by the group names of
/// `GET /rate-limits` (the OpenAPI document's `x-rate-limits`; research §A(d)); `public`
/// stands for the unauthenticated calls' 60 requests a second per IP.
pub const PRODUCTION_RATE_LIMITS: [(&str, RateLimitValues); 13] = [
    ("onlineSession", limits(10, 30, 120)),
    ("batchSession", limits(10, 20, 60)),
    ("invoiceSend", limits(10, 30, 180)),
    ("invoiceStatus", limits(30, 120, 1200)),
    ("sessionList", limits(5, 10, 60)),
    ("sessionInvoiceList", limits(10, 20, 200)),
    ("sessionMisc", limits(10, 120, 1200)),
    ("invoiceMetadata", limits(8, 16, 20)),
    ("invoiceExport", limits(8, 16, 20)),
    ("invoiceExportStatus", limits(10, 60, 600)),
    ("invoiceDownload", limits(8, 16, 64)),
    ("other", limits(10, 30, 120)),
    ("public", limits(60, 3600, 216_000)),
];
