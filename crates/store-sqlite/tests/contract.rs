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
