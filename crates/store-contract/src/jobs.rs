//! The job queue and its leases.

use super::*;

/// Jobs: dedup while queued or running, leases, retries, death, reclaiming expired leases.
pub async fn jobs_with_leases(store: Store) {
    let job = |key: &str, run_at: i64| NewJob {
        kind: "refresh_token".into(),
        dedup_key: key.into(),
        payload: "{}".into(),
        run_at_ms: run_at,
        max_attempts: 2,
    };
    assert!(store.enqueue_job(&job("a", 100)).await.unwrap());
    assert!(
        !store.enqueue_job(&job("a", 100)).await.unwrap(),
        "deduplicated while queued"
    );
    assert!(store.enqueue_job(&job("b", 500)).await.unwrap());
    assert!(
        store.claim_job("w1", 50, 1_000).await.unwrap().is_none(),
        "nothing due yet"
    );
    let a = store.claim_job("w1", 100, 1_000).await.unwrap().unwrap();
    assert_eq!((a.dedup_key.as_str(), a.attempts), ("a", 1));
    assert!(
        !store.enqueue_job(&job("a", 100)).await.unwrap(),
        "deduplicated while running"
    );
    assert!(
        store.claim_job("w2", 200, 1_000).await.unwrap().is_none(),
        "a is leased, b not due"
    );
    assert!(
        !store.complete_job(a.id, "w2").await.unwrap(),
        "only the holder completes"
    );
    assert!(store.fail_job(a.id, "w1", "boom", 300).await.unwrap());
    let again = store.claim_job("w2", 300, 2_000).await.unwrap().unwrap();
    assert_eq!((again.id, again.attempts), (a.id, 2));
    assert!(store.fail_job(again.id, "w2", "boom again", 400).await.unwrap());
    // Dead after max_attempts: never claimed again, and a new one may be queued.
    let b = store.claim_job("w3", 10_000, 11_000).await.unwrap().unwrap();
    assert_eq!(b.dedup_key, "b");
    assert!(store.claim_job("w3", 10_000, 11_000).await.unwrap().is_none());
    assert!(store.enqueue_job(&job("a", 100)).await.unwrap());
    // A worker that died: its lease expires and another worker takes the job over.
    let reclaimed = store.claim_job("w4", 11_001, 12_000).await.unwrap().unwrap();
    assert_eq!(reclaimed.dedup_key, "a", "the new a is due first (run_at 100)");
    let b_again = store.claim_job("w4", 11_001, 12_000).await.unwrap().unwrap();
    assert_eq!((b_again.id, b_again.attempts), (b.id, 2), "b's lease expired at 11 000");
    assert!(store.complete_job(b_again.id, "w4").await.unwrap());
    assert!(!store.complete_job(b_again.id, "w4").await.unwrap(), "done once");
    assert!(store.complete_job(reclaimed.id, "w4").await.unwrap());
    // A stopping worker gives its job back: due at once, the attempt not counted; only
    // the holder can.
    assert!(store.enqueue_job(&job("c", 12_000)).await.unwrap());
    let c = store.claim_job("w5", 12_000, 20_000).await.unwrap().unwrap();
    assert!(!store.release_job(c.id, "w6", 12_500).await.unwrap(), "only the holder");
    assert!(store.release_job(c.id, "w5", 12_500).await.unwrap());
    let c_again = store.claim_job("w6", 12_500, 20_000).await.unwrap().unwrap();
    assert_eq!((c_again.id, c_again.attempts), (c.id, 1));
}

/// Many workers claiming at once never get the same job.
pub async fn concurrent_claims_never_overlap(store: Store) {
    for i in 0..60 {
        let job = NewJob {
            kind: "k".into(),
            dedup_key: i.to_string(),
            payload: "{}".into(),
            run_at_ms: 0,
            max_attempts: 3,
        };
        store.enqueue_job(&job).await.unwrap();
    }
    let mut tasks = Vec::new();
    for w in 0..6 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            while let Some(job) = store.claim_job(&format!("w{w}"), 1, 1_000_000).await.unwrap() {
                got.push(job.id);
                assert!(store.complete_job(job.id, &format!("w{w}")).await.unwrap());
            }
            got
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort_unstable();
    let before = all.len();
    all.dedup();
    assert_eq!(before, all.len(), "a job was claimed twice");
    assert_eq!(all.len(), 60);
}
