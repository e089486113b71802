//! Allegro's OAuth scopes and how the developer portal groups and names them.

/// One OAuth scope with the permission group and wording of Allegro's developer portal
/// and consent page (seed 000, steps 6 and 11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    /// The scope string, e.g. `allegro:api:orders:read`.
    pub name: &'static str,
    /// The portal's permission group, e.g. "Zamówienia i obsługa posprzedażowa".
    pub group: &'static str,
    /// The consent page's line for it, e.g. "Odczyt informacji o zamówieniach".
    pub description_pl: &'static str,
}

/// `allegro:api:profile:read`.
pub const PROFILE_READ: &str = "allegro:api:profile:read";
/// `allegro:api:sale:offers:read`.
pub const SALE_OFFERS_READ: &str = "allegro:api:sale:offers:read";
/// `allegro:api:orders:read`.
pub const ORDERS_READ: &str = "allegro:api:orders:read";
/// `allegro:api:orders:write`.
pub const ORDERS_WRITE: &str = "allegro:api:orders:write";

/// The scopes allegro-bridge asks for (PRODUCT.md, step 2).
pub const REQUIRED_BY_BRIDGE: &[&str] = &[SALE_OFFERS_READ, ORDERS_READ, ORDERS_WRITE, PROFILE_READ];

/// Every scope Allegro documents (authentication tutorial's table) plus `allegro:api:ads`,
/// which real tokens carry.
pub const ALL: &[Scope] = &[
    s(
        "allegro:api:profile:read",
        "Dane osobowe",
        "Odczyt danych osobowych z konta",
    ),
    s(
        "allegro:api:profile:write",
        "Dane osobowe",
        "Zmiana danych osobowych konta",
    ),
    s(
        "allegro:api:sale:offers:read",
        "Zarządzanie ofertami",
        "Odczyt danych o ofertach",
    ),
    s(
        "allegro:api:sale:offers:write",
        "Zarządzanie ofertami",
        "Wystawianie i zmiana ofert",
    ),
    s(
        "allegro:api:sale:settings:read",
        "Zarządzanie ofertami",
        "Odczyt ustawień sprzedaży",
    ),
    s(
        "allegro:api:sale:settings:write",
        "Zarządzanie ofertami",
        "Zmiana ustawień sprzedaży",
    ),
    s(
        "allegro:api:orders:read",
        "Zamówienia i obsługa posprzedażowa",
        "Odczyt informacji o zamówieniach",
    ),
    s(
        "allegro:api:orders:write",
        "Zamówienia i obsługa posprzedażowa",
        "Zarządzanie zamówieniami (numery przesyłek, statusy, faktury)",
    ),
    s(
        "allegro:api:shipments:read",
        "Wysyłam z Allegro",
        "Odczyt danych o przesyłkach",
    ),
    s(
        "allegro:api:shipments:write",
        "Wysyłam z Allegro",
        "Tworzenie przesyłek",
    ),
    s("allegro:api:ratings", "Oceny", "Obsługa ocen"),
    s("allegro:api:disputes", "Dyskusje", "Obsługa dyskusji"),
    s("allegro:api:bids", "Licytacje", "Licytowanie"),
    s("allegro:api:messaging", "Centrum wiadomości", "Obsługa wiadomości"),
    s("allegro:api:billing:read", "Rozliczenia", "Odczyt rozliczeń"),
    s("allegro:api:payments:read", "Płatności", "Odczyt płatności"),
    s("allegro:api:payments:write", "Płatności", "Zwroty płatności"),
    s("allegro:api:campaigns", "Kampanie", "Udział w kampaniach"),
    s(
        "allegro:api:fulfillment:read",
        "One Fulfillment",
        "Odczyt danych magazynu Allegro",
    ),
    s(
        "allegro:api:fulfillment:write",
        "One Fulfillment",
        "Zarządzanie magazynem Allegro",
    ),
    s(
        "allegro:api:affiliate:read",
        "Program partnerski",
        "Odczyt danych programu partnerskiego",
    ),
    s(
        "allegro:api:affiliate:write",
        "Program partnerski",
        "Zarządzanie programem partnerskim",
    ),
    s("allegro:api:ads", "Reklamy", "Zarządzanie reklamami"),
];

const fn s(name: &'static str, group: &'static str, description_pl: &'static str) -> Scope {
    Scope {
        name,
        group,
        description_pl,
    }
}

/// The scope with this name, if Allegro documents it.
pub fn find(name: &str) -> Option<&'static Scope> {
    ALL.iter().find(|scope| scope.name == name)
}

/// The portal's groups in display order, each with its scopes.
pub fn groups() -> Vec<(&'static str, Vec<&'static Scope>)> {
    let mut out: Vec<(&'static str, Vec<&'static Scope>)> = Vec::new();
    for scope in ALL {
        match out.iter_mut().find(|(g, _)| *g == scope.group) {
            Some((_, list)) => list.push(scope),
            None => out.push((scope.group, vec![scope])),
        }
    }
    out
}
