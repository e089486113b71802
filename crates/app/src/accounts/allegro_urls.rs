//! Where a connection may point: Allegro's production and sandbox for every seller; a
//! custom environment (an emulator, a proxy) only where the operator allowed it.
//!
//! A custom environment makes the server send the connection's Client Secret and tokens to
//! the URLs a seller typed; left open, any seller could aim it at the cloud's metadata
//! service, the admin port or the private network (server-side request forgery).

use std::net::IpAddr;

use crate::{AppError, Problem, invalid};

/// The operator's rule for custom Allegro environments.
#[derive(Debug, Clone, Default)]
pub struct CustomAllegroUrls {
    /// Custom environments are allowed for hosts on the public internet
    /// (`--allow-custom-allegro-urls`).
    pub allowed: bool,
    /// Loopback, link-local and private addresses are allowed too (the demo, tests, an
    /// emulator on the same machine: `--allow-private-allegro-urls`).
    pub private_addresses: bool,
    /// Hosts the operator named (`--allegro-url-hosts`): allowed whatever they resolve to,
    /// even when custom environments are otherwise off.
    pub hosts: Vec<String>,
}

impl CustomAllegroUrls {
    /// Everything allowed: the demo and tests, whose emulators listen on loopback.
    pub fn any() -> Self {
        Self {
            allowed: true,
            private_addresses: true,
            hosts: Vec::new(),
        }
    }

    /// Whether sellers may create custom environments at all.
    pub fn enabled(&self) -> bool {
        self.allowed || !self.hosts.is_empty()
    }

    fn named(&self, host: &str) -> bool {
        self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
    }

    /// Checks a URL a seller typed, resolving its host: the normalised URL, or why not.
    pub(crate) async fn check(&self, field: &'static str, raw: &str) -> Result<String, AppError> {
        let (url, host) = self.check_offline(field, raw)?;
        if self.named(&host) || self.private_addresses {
            return Ok(url);
        }
        let port = url::Url::parse(&url)
            .ok()
            .and_then(|u| u.port_or_known_default())
            .unwrap_or(443);
        let addresses: Vec<IpAddr> = tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|_| invalid(field, Problem::new("problem-host-unknown").arg("host", &host)))?
            .map(|a| a.ip())
            .collect();
        if addresses.is_empty() {
            return Err(invalid(field, Problem::new("problem-host-unknown").arg("host", &host)));
        }
        if let Some(ip) = addresses.iter().find(|ip| !is_public(ip)) {
            return Err(invalid(
                field,
                Problem::new("problem-host-internal-address")
                    .arg("host", &host)
                    .arg("ip", ip),
            ));
        }
        Ok(url)
    }

    /// Checks a URL without resolving it (also applied to stored connections before every
    /// call, so a rule tightened later holds for old connections too): the URL and its host.
    pub(crate) fn check_offline(&self, field: &'static str, raw: &str) -> Result<(String, String), AppError> {
        let parsed = url::Url::parse(raw.trim()).map_err(|_| invalid(field, "problem-not-a-url"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(invalid(field, "problem-url-scheme"));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(invalid(field, "problem-url-credentials"));
        }
        let host = match parsed.host() {
            // `localhost.` is `localhost`: the trailing dot must not slip past the name check.
            Some(url::Host::Domain(d)) => d.trim_end_matches('.').to_ascii_lowercase(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            None => return Err(invalid(field, "problem-url-scheme")),
        };
        if !self.named(&host) {
            if !self.allowed {
                return Err(invalid(field, "problem-custom-urls-off"));
            }
            let literal = host.trim_matches(['[', ']']).parse::<IpAddr>().ok();
            let local_name = host == "localhost" || host.ends_with(".localhost") || host.ends_with(".internal");
            if !self.private_addresses && (local_name || literal.is_some_and(|ip| !is_public(&ip))) {
                return Err(invalid(field, Problem::new("problem-host-internal").arg("host", &host)));
            }
        }
        Ok((parsed.as_str().trim_end_matches('/').to_owned(), host))
    }
}

/// Whether an address is on the public internet (not loopback, private, link-local,
/// shared, documentation, multicast or unspecified; IPv4-mapped IPv6 judged as IPv4).
pub fn is_public(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || a == 0
                // 100.64.0.0/10: carrier-grade NAT, often the cloud's internal network.
                || (a == 100 && (64..128).contains(&b))
                // 198.18.0.0/15: benchmarking networks.
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(&IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // fc00::/7 unique local, fe80::/10 link-local.
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.100.100.200",
            "0.0.0.0",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(&ip.parse().unwrap()), "{ip}");
        }
        for ip in ["91.207.14.1", "8.8.8.8", "2a00:1450:4001::1"] {
            assert!(is_public(&ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn custom_urls_follow_the_operators_rule() {
        let off = CustomAllegroUrls::default();
        assert!(off.check_offline("api_url", "https://api.example.com").is_err());
        let public = CustomAllegroUrls {
            allowed: true,
            ..Default::default()
        };
        for url in [
            "http://127.0.0.1:8080",
            "http://169.254.169.254/latest",
            "http://[::1]:9000",
            "http://localhost:9000",
            "http://LOCALHOST.:9000",
            "http://api.localhost",
            "http://metadata.google.internal",
            "http://user:pass@api.example.com",
            "file:///etc/passwd",
        ] {
            assert!(public.check_offline("api_url", url).is_err(), "{url}");
        }
        assert!(public.check_offline("api_url", "https://api.example.com/").is_ok());
        let named = CustomAllegroUrls {
            hosts: vec!["emulator.local".into()],
            ..Default::default()
        };
        assert!(named.check_offline("api_url", "http://emulator.local:8090").is_ok());
        assert!(named.check_offline("api_url", "http://other.example.com").is_err());
        assert!(
            CustomAllegroUrls::any()
                .check_offline("api_url", "http://127.0.0.1:1")
                .is_ok()
        );
    }
}
