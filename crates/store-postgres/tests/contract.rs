//! The store contract on PostgreSQL (a new database per test). `TEST_PG_URL` points at
//! the server; `scripts/test` starts one and sets it.

use std::sync::Arc;

async fn fresh() -> store::Store {
    let base = std::env::var("TEST_PG_URL")
        .expect("TEST_PG_URL must name a PostgreSQL server, e.g. postgres://postgres:postgres@127.0.0.1:5432/postgres (scripts/test starts one)");
    let name = format!("ab_test_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&base).await.expect("connecting to TEST_PG_URL");
    // The name is generated here, never user input.
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let (server, _) = base.rsplit_once('/').expect("TEST_PG_URL ends with /database");
    Arc::new(
        store_postgres::PgStore::open(&format!("{server}/{name}"))
            .await
            .unwrap(),
    )
}

store::contract_tests!(fresh);
