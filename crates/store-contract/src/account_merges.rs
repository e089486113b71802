//! One account per Allegro user and organisation: linking the same user through another
//! connection moves its account there, and the duplicates stored before that rule are
//! merged by migration 0013 (each backend's tests replay it on a database holding some).

use super::*;

async fn second_connection(store: &Store, t: &Tenant, n: u128) -> ConnectionId {
    let id = ConnectionId::from_stored(uuid(n + 3000));
    store
        .create_connection(&Connection {
            id: id.clone(),
            organisation_id: t.org.clone(),
            mode: ConnectionMode::ServiceApp,
            environment: Environment::Custom,
            auth_url: "http://127.0.0.1:1".into(),
            api_url: "http://127.0.0.1:1".into(),
            client_id: None,
            client_secret: None,
            created_at_ms: 20,
            updated_at_ms: 20,
        })
        .await
        .unwrap();
    id
}

/// Linking one Allegro user through a second connection moves its account (same id, new
/// tokens, the new connection); another organisation still gets an account of its own.
pub async fn one_account_per_allegro_user(store: Store) {
    let t = tenant(&store, 110).await;
    let second = second_connection(&store, &t, 110).await;
    let LinkResult::Created(id) = store.link_account(&link(&t, 1101, "555", 1, 1_000)).await.unwrap() else {
        panic!("a new account")
    };
    let through_second = NewLink {
        connection_id: second.clone(),
        ..link(&t, 1102, "555", 3, 2_000)
    };
    assert_eq!(
        store.link_account(&through_second).await.unwrap(),
        LinkResult::Moved {
            account: id.clone(),
            from: t.connection.clone()
        }
    );
    let accounts = store.accounts(&t.org).await.unwrap();
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    assert_eq!(accounts[0].connection_id, second);
    assert_eq!(accounts[0].tokens.as_ref().unwrap().access_token, Sealed(vec![3; 40]));
    assert_eq!(
        store.link_account(&through_second).await.unwrap(),
        LinkResult::Updated(id.clone()),
        "again through the same connection: new tokens only"
    );
    let other = tenant(&store, 120).await;
    assert!(matches!(
        store.link_account(&link(&other, 1201, "555", 1, 1_000)).await.unwrap(),
        LinkResult::Created(other_id) if other_id != id
    ));
}

/// Two accounts of one Allegro user in one organisation, as stored before migration
/// 0013: `stale` through the first connection (disconnected later), `working` through a
/// second one (active, with newer copies of some orders).
#[derive(Debug, Clone)]
pub struct DuplicateAccounts {
    /// The organisation.
    pub org: OrganisationId,
    /// The disconnected copy, which holds the invoice, the settings and the cursor.
    pub stale: AccountId,
    /// The working copy, which survives.
    pub working: AccountId,
    /// The working copy's connection.
    pub working_connection: ConnectionId,
    /// The first connection.
    pub first_connection: ConnectionId,
    /// The invoice issued on the stale copy.
    pub invoice: InvoiceId,
}

/// Stores the stale copy through the store (orders `d-1`..`d-3`, an invoice for `d-1`,
/// settings, a cursor); [`duplicate_accounts_sql`] then adds the working copy as the old
/// schema allowed.
pub async fn seed_duplicate_accounts(store: &Store) -> DuplicateAccounts {
    let t = tenant(store, 130).await;
    let working_connection = second_connection(store, &t, 130).await;
    let LinkResult::Created(stale) = store.link_account(&link(&t, 1301, "777", 1, 1_000)).await.unwrap() else {
        panic!("a new account")
    };
    let orders: Vec<_> = ["d-1", "d-2", "d-3"]
        .iter()
        .map(|o| order_of(&t, &stale, o, "{\"v\":1}", OrderSource::Allegro))
        .collect();
    store.save_orders(&stale, &orders, Some("100"), 10).await.unwrap();
    let invoice = new_invoice(&t, &stale, "d-1", "vat", 11);
    store.issue_invoice(&invoice).await.unwrap();
    let settings = AccountSettings {
        enabled: true,
        invoice_every_order: true,
        ..AccountSettings::default()
    };
    assert!(
        store
            .save_account_settings(&t.org, &stale, &settings, 12)
            .await
            .unwrap()
    );
    DuplicateAccounts {
        org: t.org,
        stale,
        working: uuid(1302),
        working_connection,
        first_connection: t.connection,
        invoice: invoice.id,
    }
}

/// The statements that make `case` what the old schema allowed: the working copy of the
/// account through the second connection, with its own copies of `d-2` (older) and `d-3`
/// (newer, now sent) and an order `d-4` only it has; the stale copy disconnected. Plain
/// SQL both backends run; the unique index of 0013 is dropped first.
pub fn duplicate_accounts_sql(case: &DuplicateAccounts) -> Vec<String> {
    let (stale, working, conn) = (
        case.stale.as_str(),
        case.working.as_str(),
        case.working_connection.as_str(),
    );
    vec![
        "DROP INDEX accounts_one_per_allegro_user".into(),
        format!("CREATE TABLE copy_accounts AS SELECT * FROM accounts WHERE id = '{stale}'"),
        format!(
            "UPDATE copy_accounts SET id = '{working}', connection_id = '{conn}', status = 'active', \
             updated_at_ms = updated_at_ms + 5000"
        ),
        "INSERT INTO accounts SELECT * FROM copy_accounts".into(),
        "DROP TABLE copy_accounts".into(),
        format!("CREATE TABLE copy_orders AS SELECT * FROM orders WHERE account_id = '{stale}'"),
        format!("UPDATE copy_orders SET account_id = '{working}'"),
        "UPDATE copy_orders SET synced_at_ms = 5, status = 'OLDER' WHERE id = 'd-2'".into(),
        "UPDATE copy_orders SET synced_at_ms = 20, status = 'SENT' WHERE id = 'd-3'".into(),
        "UPDATE copy_orders SET id = 'd-4' WHERE id = 'd-1'".into(),
        "INSERT INTO orders SELECT * FROM copy_orders".into(),
        "DROP TABLE copy_orders".into(),
        format!(
            "UPDATE accounts SET status = 'disconnected', access_token = NULL, refresh_token = NULL WHERE id = '{stale}'"
        ),
    ]
}

/// After migration 0013: one account (the working copy, through its connection), every
/// order once with the newest copy kept, the invoice, settings and cursor moved to it, and
/// the rule in force (linking through the first connection moves it).
pub async fn duplicate_accounts_are_merged(store: &Store, case: &DuplicateAccounts) {
    let accounts = store.accounts(&case.org).await.unwrap();
    assert_eq!(
        accounts
            .iter()
            .map(|a| (&a.id, &a.connection_id, a.status))
            .collect::<Vec<_>>(),
        [(&case.working, &case.working_connection, AccountStatus::Active)]
    );
    let orders = store.account_orders(&case.working).await.unwrap();
    let mut seen: Vec<_> = orders.iter().map(|o| (o.id.as_str(), o.status.as_str())).collect();
    seen.sort_unstable();
    assert_eq!(
        seen,
        [
            ("d-1", "READY_FOR_PROCESSING"),
            ("d-2", "READY_FOR_PROCESSING"),
            ("d-3", "SENT"),
            ("d-4", "READY_FOR_PROCESSING")
        ],
        "each order once, its newest copy"
    );
    assert!(store.account_orders(&case.stale).await.unwrap().is_empty());
    let invoice = store
        .invoice(&case.org, &case.invoice)
        .await
        .unwrap()
        .expect("the invoice stays");
    assert_eq!(invoice.account_id, case.working);
    let settings = store.account_settings(&case.org, &case.working).await.unwrap().unwrap();
    assert!(settings.enabled && settings.invoice_every_order, "{settings:?}");
    assert_eq!(store.sync_cursor(&case.working).await.unwrap().as_deref(), Some("100"));
    let again = NewLink {
        account_id: uuid(1303),
        organisation_id: case.org.clone(),
        connection_id: case.first_connection.clone(),
        ..link(
            &Tenant {
                org: case.org.clone(),
                connection: case.first_connection.clone(),
            },
            1303,
            "777",
            7,
            9_000,
        )
    };
    assert_eq!(
        store.link_account(&again).await.unwrap(),
        LinkResult::Moved {
            account: case.working.clone(),
            from: case.working_connection.clone()
        }
    );
}
