//! The store contract on PostgreSQL (a new database per test). `TEST_PG_URL` points at
//! the server; `scripts/test` starts one and sets it.

async fn fresh() -> store::Store {
    testkit::open_store(&testkit::postgres_url().await).await
}

store_contract::contract_tests!(fresh);

/// Migration 0013 on a database that holds one Allegro user twice (linked through two
/// connections before the rule): merged into the working copy, nothing issued lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn duplicate_accounts_are_merged_by_migration() {
    let url = testkit::postgres_url().await;
    let first = testkit::open_store(&url).await;
    let case = store_contract::seed_duplicate_accounts(&first).await;
    drop(first);
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
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
    let merged = testkit::open_store(&url).await;
    store_contract::duplicate_accounts_are_merged(&merged, &case).await;
}
