use url::Url;

/// Where Allegro lives: the auth host (authorize, token, device) and the API host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// e.g. `https://allegro.pl`.
    pub auth_base: Url,
    /// e.g. `https://api.allegro.pl`.
    pub api_base: Url,
}

impl Environment {
    /// allegro.pl production.
    pub fn production() -> Self {
        Self::from_static("https://allegro.pl", "https://api.allegro.pl")
    }

    /// Allegro's sandbox.
    pub fn sandbox() -> Self {
        Self::from_static(
            "https://allegro.pl.allegrosandbox.pl",
            "https://api.allegro.pl.allegrosandbox.pl",
        )
    }

    /// Any pair of base URLs, e.g. the emulator's (one address serves both).
    pub fn custom(auth_base: &str, api_base: &str) -> Result<Self, url::ParseError> {
        Ok(Self {
            auth_base: Url::parse(auth_base)?,
            api_base: Url::parse(api_base)?,
        })
    }

    fn from_static(auth: &str, api: &str) -> Self {
        Self::custom(auth, api).expect("static Allegro URLs parse")
    }

    /// `path` on the auth host.
    pub(crate) fn auth_url(&self, path: &str) -> Url {
        join(&self.auth_base, path)
    }

    /// `path` on the API host.
    pub(crate) fn api_url(&self, path: &str) -> Url {
        join(&self.api_base, path)
    }
}

fn join(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let prefix = base.path().trim_end_matches('/');
    url.set_path(&format!("{prefix}{path}"));
    url
}
