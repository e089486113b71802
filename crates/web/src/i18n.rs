//! Every user-visible string goes through Fluent (`locales/{pl,en}/main.ftl`); Polish is
//! the default, English a switch away. Fluent's plural rules cover Polish one/few/many.

use std::borrow::Cow;
use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "pl",
        // Bidi isolation marks would end up inside HTML attributes and tests.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The cookie that remembers the language switch.
pub const LANG_COOKIE: &str = "ab_lang";

/// A language of the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Polski (default).
    Pl,
    /// English.
    En,
}

impl Lang {
    /// `pl` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Pl => "pl",
            Lang::En => "en",
        }
    }

    /// Parses `pl` / `en`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pl" => Some(Lang::Pl),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    fn id(self) -> LanguageIdentifier {
        match self {
            Lang::Pl => langid!("pl"),
            Lang::En => langid!("en"),
        }
    }
}

/// Translations for one request.
#[derive(Debug, Clone)]
pub struct Tr {
    lang: Lang,
    id: LanguageIdentifier,
}

impl Tr {
    /// Translations in `lang`.
    pub fn new(lang: Lang) -> Self {
        Self { lang, id: lang.id() }
    }

    /// The language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The text of `key`.
    pub fn t(&self, key: &str) -> String {
        LOCALES.lookup(&self.id, key)
    }

    /// The text of `key` with one argument.
    pub fn t1(&self, key: &str, name: &'static str, value: &str) -> String {
        self.args(key, &[(name, value)])
    }

    /// The text of `key` with a number `count` (Fluent picks the plural form: Polish
    /// one / few / many).
    pub fn count(&self, key: &str, count: i64) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue> = [(Cow::Borrowed("count"), FluentValue::from(count))]
            .into_iter()
            .collect();
        LOCALES.lookup_with_args(&self.id, key, &map)
    }

    /// The text of `key` with arguments.
    pub fn args(&self, key: &str, args: &[(&'static str, &str)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue> = args
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.to_string())))
            .collect();
        LOCALES.lookup_with_args(&self.id, key, &map)
    }
}

impl Tr {
    /// The language a request asks for: the language cookie, else `Accept-Language`
    /// starting with `en`, else Polish.
    pub fn for_headers(headers: &axum::http::HeaderMap) -> Self {
        let from_cookie = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(k, _)| *k == LANG_COOKIE)
            .and_then(|(_, v)| Lang::parse(v));
        let from_header = || {
            let accept = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
            accept
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("en")
                .then_some(Lang::En)
        };
        Tr::new(from_cookie.or_else(from_header).unwrap_or(Lang::Pl))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Tr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Tr::for_headers(&parts.headers))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The crate's folder at run time: a build folder shared between clones may hold a binary
    /// compiled in another clone, so the compile-time path can be stale.
    fn manifest_dir() -> String {
        std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_owned())
    }

    fn keys(path: &str) -> BTreeSet<String> {
        let text = std::fs::read_to_string(format!("{}/locales/{path}", manifest_dir())).unwrap();
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with(' ') && l.contains(" = "))
            .map(|l| l.split(" = ").next().unwrap().trim().to_owned())
            .collect()
    }

    #[test]
    fn polish_and_english_have_the_same_keys() {
        let pl = keys("pl/main.ftl");
        let en = keys("en/main.ftl");
        assert!(pl.len() > 50);
        assert_eq!(
            pl.difference(&en).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "missing in en"
        );
        assert_eq!(
            en.difference(&pl).collect::<Vec<_>>(),
            Vec::<&String>::new(),
            "missing in pl"
        );
    }

    #[test]
    fn lookups_and_arguments() {
        let pl = Tr::new(Lang::Pl);
        assert_eq!(pl.t("connect-allegro"), "Połącz konto Allegro");
        assert_eq!(pl.t1("link-ok", "login", "sklep"), "Konto sklep zostało powiązane.");
        assert_eq!(Tr::new(Lang::En).t("status-active"), "Active");
        assert_eq!(pl.count("orders-count", 1), "1 zamówienie");
        assert_eq!(pl.count("orders-count", 3), "3 zamówienia");
        assert_eq!(pl.count("orders-count", 25), "25 zamówień");
        assert_eq!(Tr::new(Lang::En).count("orders-count", 2), "2 orders");
    }
}
