//! The store contract on PostgreSQL (a new database per test). `TEST_PG_URL` points at
//! the server; `scripts/test` starts one and sets it.

async fn fresh() -> store::Store {
    testkit::open_store(&testkit::postgres_url().await).await
}

store_contract::contract_tests!(fresh);
