//! Imports in a real browser: by purchase dates, and from files.

use super::*;

/// Picks the first account on the import page and uploads `file` ("Wczytaj plik").
async fn upload(d: &WebDriver, base: &str, file: &std::path::Path) {
    d.goto(format!("{base}/imports")).await.unwrap();
    d.query(By::Css("#file-account option[value]:not([value=''])"))
        .first()
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    d.find(By::Id("file"))
        .await
        .unwrap()
        .send_keys(file.display().to_string())
        .await
        .unwrap();
    click_nav(d, "#file-start").await;
}

/// "Import Allegro" by login and purchase dates, then a CSV upload and a broken one, in a
/// real browser; the import's page updates itself (htmx) while the worker runs it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_in_a_real_browser() {
    let h = spawn_app().await;
    let (_driver_process, port) = chromedriver().await;
    let (org, user) = testkit::owner(&h.app, "Sklep", "anna@sklep.pl").await;
    let conn = testkit::own_app_connection(&h.app, &org, &h.emu, None).await;
    let app::LinkOutcome::Linked { account, .. } = testkit::link(&h.app, &user, &conn, &h.emu, "sklep-a", None).await
    else {
        panic!("linked")
    };
    let seller = h.app.account(&user, &account).await.unwrap().allegro_user_id;
    let n = h
        .emu
        .emulator
        .generate_orders(
            &seller,
            allegro_emulator::OrderPlan {
                count: 60,
                seed: 6,
                days: 3,
                pending_share: 0.0,
                pay_within_seconds: 60,
            },
        )
        .unwrap();
    let d = browser(port).await;
    // Polish, whatever headless Chromium sends as Accept-Language.
    log_in(&d, &h.base).await;
    d.goto(format!("{}/imports", h.base)).await.unwrap();
    d.query(By::Css("#import-account option[value]:not([value=''])"))
        .first()
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let week_ago = domain::time::polish_day_text(h.app.now_ms() - 7 * 86_400_000);
    d.execute(
        "document.getElementById('import-from').value = arguments[0];",
        vec![serde_json::json!(week_ago)],
    )
    .await
    .unwrap();
    click_nav(&d, "#import-start").await;
    assert_eq!(text_of(&d, "#import-state").await, "w kolejce");
    // Mark this page: if the result shows up with the mark still there, htmx swapped it in.
    d.execute("window.__same_page = true;", vec![]).await.unwrap();
    assert_eq!(h.app.run_due_jobs(60_000).await.unwrap(), 1);
    let mut done = false;
    for _ in 0..60 {
        if text_of(&d, "#import-state").await == "zakończony" {
            done = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(done, "the page never showed the finished import");
    assert_eq!(
        d.execute("return window.__same_page === true;", vec![])
            .await
            .unwrap()
            .json(),
        &serde_json::json!(true),
        "updated in place, not reloaded"
    );
    assert_eq!(text_of(&d, "#import-new").await, n.to_string());

    // A CSV from Polish Excel (Windows-1250, semicolons, decimal commas).
    // Chromedriver wants a canonical path; the manifest dir is read at run time (the
    // shared target dir may hold a binary built in another clone).
    let corpus = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap())
        .join("../order-files/tests/corpus")
        .canonicalize()
        .unwrap();
    upload(&d, &h.base, &corpus.join("good-excel-1250.csv")).await;
    assert_eq!(text_of(&d, "#import-new").await, "2");
    // A broken one: every problem listed where it is, nothing stored.
    upload(&d, &h.base, &corpus.join("broken-bad-date.csv")).await;
    let problem = text_of(&d, "#file-error").await;
    assert!(
        problem.contains("broken-bad-date.csv, wiersz 3, kolumna 2 (bought_at): „"),
        "{problem}"
    );
    let address = d.current_url().await.unwrap();
    assert!(
        !address.as_str().contains("_csrf"),
        "the upload's CSRF token is not left in the address: {address}"
    );
    screenshot(&d, "backoffice-imports.png").await;
    assert_eq!(h.app.store().account_orders(&account).await.unwrap().len(), n + 2);
    // The imported orders in the list; the file's marked.
    d.goto(format!("{}/orders?buyer=firma_lodz", h.base)).await.unwrap();
    assert!(text_of(&d, "#orders tbody").await.contains("z pliku"));
    if let Ok(dir) = std::env::var("ALLEGRO_BRIDGE_SCREENSHOTS") {
        d.goto(format!("{}/orders?sort=total_desc", h.base)).await.unwrap();
        d.screenshot(&std::path::PathBuf::from(dir).join("backoffice-orders.png"))
            .await
            .unwrap();
    }
    d.quit().await.unwrap();
}
