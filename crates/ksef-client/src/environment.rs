use url::Url;

/// Where KSeF lives: the API base (`…/v2`) and the QR host of KOD I / KOD II.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// e.g. `https://api-test.ksef.mf.gov.pl/v2`.
    pub api_base: Url,
    /// e.g. `https://qr-test.ksef.mf.gov.pl`.
    pub qr_base: Url,
}

impl Environment {
    /// KSeF TEST (shared test data; self-signed certificates accepted).
    pub fn test() -> Self {
        Self::from_static("https://api-test.ksef.mf.gov.pl/v2", "https://qr-test.ksef.mf.gov.pl")
    }

    /// KSeF DEMO (pre-production).
    pub fn demo() -> Self {
        Self::from_static("https://api-demo.ksef.mf.gov.pl/v2", "https://qr-demo.ksef.mf.gov.pl")
    }

    /// KSeF production.
    pub fn production() -> Self {
        Self::from_static("https://api.ksef.mf.gov.pl/v2", "https://qr.ksef.mf.gov.pl")
    }

    /// Any base URL (e.g. the emulator's `http://host:port/v2`); `/v2` is appended when
    /// missing. The QR host defaults to the API's host without `/v2`, as the emulator
    /// serves both.
    pub fn custom(api_base: &str, qr_base: Option<&str>) -> Result<Self, url::ParseError> {
        let mut api = Url::parse(api_base.trim_end_matches('/'))?;
        if !api.path().ends_with("/v2") {
            let path = format!("{}/v2", api.path().trim_end_matches('/'));
            api.set_path(&path);
        }
        let qr = match qr_base {
            Some(q) => Url::parse(q.trim_end_matches('/'))?,
            None => {
                let mut q = api.clone();
                let path = api.path().trim_end_matches("/v2").to_owned();
                q.set_path(&path);
                q
            }
        };
        Ok(Self {
            api_base: api,
            qr_base: qr,
        })
    }

    fn from_static(api: &str, qr: &str) -> Self {
        Self::custom(api, Some(qr)).expect("static KSeF URLs parse")
    }

    /// `path` (starting with `/`) under the API base.
    pub(crate) fn api_url(&self, path_and_query: &str) -> Url {
        let (path, query) = path_and_query
            .split_once('?')
            .map_or((path_and_query, None), |(p, q)| (p, Some(q)));
        let mut url = self.api_base.clone();
        let prefix = self.api_base.path().trim_end_matches('/');
        url.set_path(&format!("{prefix}{path}"));
        url.set_query(query);
        url
    }

    /// The QR host without a trailing slash, e.g. `https://qr.ksef.mf.gov.pl`.
    pub fn qr_host(&self) -> String {
        self.qr_base.as_str().trim_end_matches('/').to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_base_urls_get_v2_and_a_qr_host() {
        let e = Environment::custom("http://ksef.local:8090", None).unwrap();
        assert_eq!(
            e.api_url("/auth/challenge").as_str(),
            "http://ksef.local:8090/v2/auth/challenge"
        );
        assert_eq!(e.qr_host(), "http://ksef.local:8090");
        assert_eq!(
            e.api_url("/sessions/x/invoices?pageSize=1000").as_str(),
            "http://ksef.local:8090/v2/sessions/x/invoices?pageSize=1000"
        );
        let p = Environment::production();
        assert_eq!(
            p.api_url("/sessions/online").as_str(),
            "https://api.ksef.mf.gov.pl/v2/sessions/online"
        );
        assert_eq!(p.qr_host(), "https://qr.ksef.mf.gov.pl");
    }
}
