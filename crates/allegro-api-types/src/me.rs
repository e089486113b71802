use serde::{Deserialize, Serialize};

/// `MeResponse`: `GET /me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeResponse {
    /// Allegro user id; equals the access token's `user_name` claim.
    pub id: Option<String>,
    /// Login shown on Allegro.
    pub login: Option<String>,
    /// First name.
    pub first_name: Option<String>,
    /// Last name.
    pub last_name: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// Marketplace the account was registered on.
    pub base_marketplace: Option<MarketplaceRef>,
    /// Company data, if the account is a company.
    pub company: Option<Company>,
    /// Account features such as `SUPER_SELLER`.
    pub features: Option<Vec<String>>,
}

/// An object holding just a marketplace id (`{"id": "allegro-pl"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketplaceRef {
    /// Marketplace id: `allegro-pl`, `allegro-cz`, `allegro-sk`, `allegro-hu`.
    pub id: Option<String>,
}

/// `Company`: company name and tax id of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Company {
    /// Company name.
    pub name: Option<String>,
    /// Tax id (NIP for Polish companies).
    pub tax_id: Option<String>,
}
