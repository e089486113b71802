//! The store contract on SQLite (a new database file per test).

use std::sync::Arc;

async fn fresh() -> store::Store {
    let path = std::env::temp_dir().join(format!("allegro-bridge-contract-{}.db", uuid::Uuid::new_v4()));
    Arc::new(
        store_sqlite::SqliteStore::open(&format!("sqlite:{}", path.display()))
            .await
            .unwrap(),
    )
}

store_contract::contract_tests!(fresh);

/// Invoices stored before the buyer search key existed (migration 0012) get theirs when the
/// store opens, so an older database finds "Świątek" as "swiatek" too.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn buyer_keys_of_older_invoices_are_filled_when_the_store_opens() {
    let path = std::env::temp_dir().join(format!("allegro-bridge-keys-{}.db", uuid::Uuid::new_v4()));
    let url = format!("sqlite:{}", path.display());
    let first: store::Store = Arc::new(store_sqlite::SqliteStore::open(&url).await.unwrap());
    store_contract::buyer_search_ignores_case_and_polish_letters(Arc::clone(&first)).await;
    drop(first);
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query("UPDATE invoices SET buyer_key = NULL")
        .execute(&pool)
        .await
        .unwrap();
    let org: String = sqlx::query_scalar("SELECT organisation_id FROM invoices LIMIT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    let reopened = store_sqlite::SqliteStore::open(&url).await.unwrap();
    let filter = store::InvoiceFilter {
        buyer: "swiatek".into(),
        ..store::InvoiceFilter::default()
    };
    let org = store::domain::OrganisationId::from_stored(org);
    let (found, _) = store::InvoiceStore::invoices(&reopened, &org, &filter, 0, 10)
        .await
        .unwrap();
    assert_eq!(
        found.iter().map(|i| i.buyer_name.as_str()).collect::<Vec<_>>(),
        ["Iga Świątek"]
    );
    let _ = std::fs::remove_file(&path);
}

/// Migration 0013 on a database that holds one Allegro user twice (linked through two
/// connections before the rule): merged into the working copy, nothing issued lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn duplicate_accounts_are_merged_by_migration() {
    let path = std::env::temp_dir().join(format!("allegro-bridge-merge-{}.db", uuid::Uuid::new_v4()));
    let url = format!("sqlite:{}", path.display());
    let first: store::Store = Arc::new(store_sqlite::SqliteStore::open(&url).await.unwrap());
    let case = store_contract::seed_duplicate_accounts(&first).await;
    drop(first);
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    for statement in store_contract::duplicate_accounts_sql(&case) {
        sqlx::query(sqlx::AssertSqlSafe(statement))
            .execute(&pool)
            .await
            .unwrap();
    }
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 13")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let merged: store::Store = Arc::new(store_sqlite::SqliteStore::open(&url).await.unwrap());
    store_contract::duplicate_accounts_are_merged(&merged, &case).await;
    let _ = std::fs::remove_file(&path);
}
