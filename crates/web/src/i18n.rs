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

tokio::task_local! {
    static REQUEST_LANGUAGE: Tr;
}

/// Runs `f` (a request's handling) in the language `tr`; see [`Tr::current`].
pub async fn in_language<F: std::future::Future>(tr: Tr, f: F) -> F::Output {
    REQUEST_LANGUAGE.scope(tr, f).await
}

/// Translations for one request.
#[derive(Debug, Clone)]
pub struct Tr {
    lang: Lang,
    id: LanguageIdentifier,
}

/// Text arguments as Fluent takes them.
fn text_args(args: &[(&'static str, &str)]) -> HashMap<Cow<'static, str>, FluentValue<'static>> {
    args.iter()
        .map(|(k, v)| (Cow::Borrowed(*k), FluentValue::from(v.to_string())))
        .collect()
}

impl Tr {
    /// Translations in `lang`.
    pub fn new(lang: Lang) -> Self {
        Self { lang, id: lang.id() }
    }

    /// The language of the request being answered (the language cookie, else
    /// `Accept-Language`), Polish outside a request.
    pub fn current() -> Self {
        REQUEST_LANGUAGE
            .try_with(Clone::clone)
            .unwrap_or_else(|_| Tr::new(Lang::Pl))
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

    /// The text of `key` with a number `count` (its plural form) and other arguments.
    pub fn count_args(&self, key: &str, count: i64, args: &[(&'static str, &str)]) -> String {
        let mut map = text_args(args);
        map.insert(Cow::Borrowed("count"), FluentValue::from(count));
        LOCALES.lookup_with_args(&self.id, key, &map)
    }

    /// The text of `key` with arguments.
    pub fn args(&self, key: &str, args: &[(&'static str, &str)]) -> String {
        LOCALES.lookup_with_args(&self.id, key, &text_args(args))
    }

    /// A refusal from the rules or the use cases, worded in this language.
    pub fn problem(&self, problem: &app::Problem) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue> = problem
            .args
            .iter()
            .map(|(k, v)| (Cow::Owned(k.clone()), FluentValue::from(v.clone())))
            .collect();
        LOCALES.lookup_with_args(&self.id, &problem.key, &map)
    }

    /// "field: what is wrong", for a form's error line.
    pub fn invalid(&self, field: &str, problem: &app::Problem) -> String {
        self.args("error-field", &[("field", field), ("message", &self.problem(problem))])
    }

    /// A reason kept on a row (why an order's invoice waits, why an import stopped):
    /// worded when it is a stored [`app::Problem`], else shown as it is (Allegro's own
    /// words, or a row older than problems).
    pub fn stored(&self, text: &str) -> String {
        app::Problem::from_stored(text).map_or_else(|| text.to_owned(), |p| self.problem(&p))
    }

    /// "plik.csv, wiersz 3, kolumna 2 (unit_price): „abc” nie jest kwotą".
    pub fn file_error(&self, file: &str, e: &app::order_files::FileError) -> String {
        let mut place = self.args("file-at-line", &[("file", file), ("line", &e.line.to_string())]);
        if let Some(c) = e.column {
            place.push_str(&self.args("file-at-column", &[("column", &c.to_string())]));
        }
        if let Some(f) = &e.field {
            place.push_str(&format!(" ({f})"));
        }
        format!("{place}: {}", self.problem(&e.problem))
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

    /// Every message of both languages parses and formats: a message with a syntax error
    /// (a bare `{YYYY}`, which Fluent reads as a placeable) would show as "Unknown
    /// localization key" to the seller.
    #[test]
    fn every_message_parses_in_both_languages() {
        for (lang, file) in [(Lang::Pl, "pl/main.ftl"), (Lang::En, "en/main.ftl")] {
            let tr = Tr::new(lang);
            let text = std::fs::read_to_string(format!("{}/locales/{file}", manifest_dir())).unwrap();
            // Each message with the variables it names, given as numbers (plural
            // selectors need one) — a message's text runs until the next unindented line.
            let mut messages: Vec<(String, BTreeSet<String>)> = Vec::new();
            for line in text.lines() {
                if !line.starts_with(['#', ' ']) && line.contains(" = ") {
                    messages.push((line.split(" = ").next().unwrap().trim().to_owned(), BTreeSet::new()));
                }
                if let Some((_, vars)) = messages.last_mut() {
                    for part in line.split('$').skip(1) {
                        let name: String = part
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                            .collect();
                        vars.insert(name);
                    }
                }
            }
            let broken: Vec<&String> = messages
                .iter()
                .filter(|(key, vars)| {
                    let map: HashMap<Cow<'static, str>, FluentValue> = vars
                        .iter()
                        .map(|v| (Cow::Owned(v.clone()), FluentValue::from(2)))
                        .collect();
                    LOCALES
                        .lookup_with_args(&tr.id, key, &map)
                        .starts_with("Unknown localization key")
                })
                .map(|(key, _)| key)
                .collect();
            assert!(messages.len() > 300 && broken.is_empty(), "{file}: {broken:?}");
        }
    }

    /// Every `"problem-…"` key written in the sources of the crates that refuse things has
    /// its words (and, by the test above, in both languages): a typo would show the key.
    #[test]
    fn every_problem_key_in_the_code_is_worded() {
        let pl = keys("pl/main.ftl");
        let crates = std::path::PathBuf::from(manifest_dir()).join("..");
        let mut used = BTreeSet::new();
        // The crates whose refusals reach a seller.
        let mut stack: Vec<_> = ["domain", "order-files", "app", "web", "cli"]
            .iter()
            .map(|c| crates.join(c))
            .collect();
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    for (i, _) in text.match_indices("\"problem-") {
                        let key: String = text[i + 1..]
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                            .collect();
                        // A prefix check (`starts_with("problem-")`) is not a key.
                        if key.len() > "problem-".len() {
                            used.insert((key, path.display().to_string()));
                        }
                    }
                }
            }
        }
        assert!(used.len() > 80, "{} keys found", used.len());
        let missing: Vec<_> = used.iter().filter(|(k, _)| !pl.contains(k)).collect();
        assert!(missing.is_empty(), "keys without words: {missing:?}");
        // And the words come out, arguments filled in, in both languages.
        let p = app::Problem::new("problem-order-total-mismatch")
            .arg("lines", "10,00")
            .arg("paid", "12,00");
        assert_eq!(
            Tr::new(Lang::Pl).problem(&p),
            "Pozycje i dostawa dają razem 10,00 zł, a kupujący zapłacił 12,00 zł; faktura nie zgadzałaby się z zapłatą."
        );
        assert!(
            Tr::new(Lang::En)
                .problem(&p)
                .starts_with("The lines and delivery add up to 10,00")
        );
        assert_eq!(Tr::new(Lang::Pl).stored(&p.to_stored()), Tr::new(Lang::Pl).problem(&p));
        assert_eq!(
            Tr::new(Lang::Pl).stored("Allegro: 422"),
            "Allegro: 422",
            "other text as it is"
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
