//! The contract every `Storage` implementation keeps. Each backend's tests call
//! [`contract_tests!`](crate::contract_tests) with a function that returns a fresh store,
//! so SQLite and PostgreSQL run the same checks. A dev-only crate: the production `store`
//! crate carries none of it.
#![forbid(unsafe_code)]

use std::sync::Arc;

use domain::{
    AccountId, AccountSettings, AccountStatus, ConnectionId, ConnectionMode, Environment, InvoiceId, InvoiceSeries,
    InvoiceTrigger, OrderTask, OrganisationId, ProductId, ShipmentId, UserId, VatRate, WarehouseId,
};

use store::*;

mod account_merges;
mod accounts;
mod invoices;
mod jobs;
mod ksef;
mod orders;
mod shell;
mod shipments;
mod warehouse;

pub use account_merges::*;
pub use accounts::*;
pub use invoices::*;
pub use jobs::*;
pub use ksef::*;
pub use orders::*;
pub use shell::*;
pub use shipments::*;
pub use warehouse::*;

/// A stable UUID for `n`, as text or as any id type.
pub(crate) fn uuid<T: std::str::FromStr<Err: std::fmt::Debug>>(n: u128) -> T {
    let h = format!("{n:032x}");
    id(&format!(
        "{}-{}-4{}-8{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    ))
}

/// `text` as an id (or any value parsed from text); the test's own ids are well formed.
pub(crate) fn id<T: std::str::FromStr<Err: std::fmt::Debug>>(text: &str) -> T {
    text.parse().expect("a well-formed id")
}

pub(crate) struct Tenant {
    pub(crate) org: OrganisationId,
    pub(crate) connection: ConnectionId,
}

pub(crate) async fn tenant(store: &Store, n: u128) -> Tenant {
    let org = OrganisationId::from_stored(uuid(n));
    let user = User {
        id: UserId::from_stored(uuid(n + 1000)),
        organisation_id: org.clone(),
        email: format!("Owner{n}@Sklep.pl"),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        created_at_ms: 1,
    };
    store
        .create_organisation(
            &Organisation {
                id: org.clone(),
                name: format!("Sklep {n}"),
                created_at_ms: 1,
            },
            &user,
        )
        .await
        .unwrap();
    let connection = ConnectionId::from_stored(uuid(n + 2000));
    store
        .create_connection(&Connection {
            id: connection.clone(),
            organisation_id: org.clone(),
            mode: ConnectionMode::OwnApp,
            environment: Environment::Custom,
            auth_url: "http://127.0.0.1:1".into(),
            api_url: "http://127.0.0.1:1".into(),
            client_id: None,
            client_secret: None,
            created_at_ms: 10,
            updated_at_ms: 10,
        })
        .await
        .unwrap();
    Tenant { org, connection }
}

pub(crate) fn tokens(tag: u8, now: i64) -> TokenPair {
    TokenPair {
        access_token: Sealed(vec![tag; 40]),
        refresh_token: Sealed(vec![tag + 1; 40]),
        access_expires_at_ms: now + 43_199_000,
        refresh_expires_at_ms: now + 90 * 86_400_000,
    }
}

pub(crate) fn link(t: &Tenant, account: u128, allegro_user: &str, tag: u8, now: i64) -> NewLink {
    NewLink {
        account_id: AccountId::from_stored(uuid(account)),
        organisation_id: t.org.clone(),
        connection_id: t.connection.clone(),
        allegro_user_id: allegro_user.into(),
        login: format!("login-{allegro_user}"),
        scopes: "allegro:api:orders:read allegro:api:profile:read".into(),
        tokens: tokens(tag, now),
        now_ms: now,
    }
}

pub(crate) fn order_of(t: &Tenant, account: &AccountId, id: &str, data: &str, source: OrderSource) -> OrderRecord {
    OrderRecord {
        id: self::id(id),
        organisation_id: t.org.clone(),
        account_id: account.clone(),
        status: "READY_FOR_PROCESSING".into(),
        fulfillment_status: None,
        marketplace: Some("allegro-pl".into()),
        buyer_login: format!("buyer-{id}"),
        bought_at_ms: 1_000 + data.len() as i64,
        revision: None,
        total_minor: Some(100 * data.len() as i64),
        currency: "PLN".into(),
        data: data.into(),
        source,
        invoice_required: id.starts_with('f'),
    }
}

pub(crate) async fn linked(store: &Store, t: &Tenant, n: u128) -> AccountId {
    match store.link_account(&link(t, n, &n.to_string(), 1, 1_000)).await.unwrap() {
        LinkResult::Created(a) => a,
        other => panic!("{other:?}"),
    }
}

pub(crate) fn file_import(t: &Tenant, account: &AccountId, id: &str) -> Import {
    Import {
        id: self::id(id),
        organisation_id: t.org.clone(),
        account_id: account.clone(),
        kind: ImportKind::Csv,
        file_name: Some("zamowienia.csv".into()),
        from_ms: None,
        to_ms: None,
        state: ImportState::Running,
        progress: ImportProgress::default(),
        expected: None,
        fetched: 0,
        counts: UpsertCounts::default(),
        api_calls: 0,
        error: None,
        created_at_ms: 50,
        updated_at_ms: 50,
    }
}

pub(crate) fn new_invoice(t: &Tenant, account: &AccountId, order: &str, kind: &str, month: u8) -> NewInvoice {
    NewInvoice {
        // A stable id per (order, kind, month).
        id: uuid(
            order.bytes().fold(7u128, |h, b| (h * 31 + u128::from(b)) % (1 << 64)) * 100
                + u128::from(month) * 2
                + u128::from(kind == "vat"),
        ),
        organisation_id: t.org.clone(),
        account_id: account.clone(),
        order_id: id(order),
        kind: kind.parse().expect("an invoice kind"),
        series: domain::InvoiceSeries::parse("FV/{n}/{MM}/{YYYY}").unwrap(),
        year: 2026,
        month,
        issue_date: format!("2026-{month:02}-15"),
        currency: "PLN".into(),
        total_minor: 12_345,
        buyer_name: "Jan Kowalski".into(),
        document: "{}".into(),
        upload: true,
        ksef: None,
        now_ms: 100,
    }
}

pub(crate) fn by_number(number: &str) -> InvoiceFilter {
    InvoiceFilter {
        number: number.into(),
        ..InvoiceFilter::default()
    }
}

/// Generates one `#[tokio::test]` per contract check; `$fresh` is an async fn returning a
/// new, empty `Store`.
#[macro_export]
macro_rules! contract_tests {
    ($fresh:path) => {
        $crate::contract_tests!(@each $fresh, users_sessions_and_keys, connections_and_states, accounts_link_relink_disconnect,
            refresh_lease_and_fencing, account_settings, orders_upsert_and_cursor, jobs_with_leases, concurrent_claims_never_overlap,
            files_never_override_allegro, import_pages_commit_with_their_checkpoint, sync_claims_never_overlap, order_sorts_and_invoice_filter,
            invoices_once_per_order_and_gap_free, concurrent_issuing_has_no_gaps, due_invoices_and_failed_attempts,
            uploads_are_claimed_once_and_finish, shipments_once_and_pushed_once, stock_moves_once_per_document,
            buyer_search_ignores_case_and_polish_letters, invoice_numbers_of_a_page_of_orders, one_account_per_allegro_user,
            invoicing_starts_when_switched_on, ksef_settings_round_trip,
            ksef_submissions_are_queued_claimed_once_and_fenced,
            ksef_offline_invoices_keep_their_mode_and_deadline);
    };
    (@each $fresh:path, $($name:ident),+) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                $crate::$name($fresh().await).await;
            }
        )+
    };
}
