//! The shell in a real browser: the start page, every page on a phone.

use super::*;

/// The start page ("Pulpit") says what needs the seller, each item linking to where it is
/// fixed: the first-run steps still to do, the paid orders to send, an account that needs a
/// new login once Allegro refused it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_start_page_says_what_needs_doing() {
    let h = spawn_app().await;
    let (_driver_process, port) = chromedriver().await;
    let account = shop_with_orders(&h, 10, 41).await;
    let d = browser(port).await;
    log_in(&d, &h.base).await;
    d.goto(format!("{}/", h.base)).await.unwrap();
    assert_eq!(text_of(&d, "h1").await, "Pulpit");
    let class = |id: &'static str| {
        let d = d.clone();
        async move {
            d.find(By::Id(id))
                .await
                .unwrap()
                .attr("class")
                .await
                .unwrap()
                .unwrap_or_default()
        }
    };
    assert_eq!(class("step-profile").await, "todo", "no invoicing details yet");
    assert_eq!(class("step-account").await, "done", "an account is linked");
    assert_eq!(class("step-invoicing").await, "todo");
    let todo = text_of(&d, "#todo").await;
    assert!(
        todo.contains("czeka na wysyłkę") || todo.contains("czekają na wysyłkę"),
        "{todo}"
    );
    // Allegro refuses the account (a password change): the next call flags it, and the
    // start page leads to the accounts.
    let org = h
        .app
        .store()
        .user_by_email("anna@sklep.pl")
        .await
        .unwrap()
        .unwrap()
        .organisation_id;
    let seller = h.app.store().accounts(&org).await.unwrap()[0].allegro_user_id.clone();
    change_password_on_allegro(&h, &seller).await;
    assert!(h.app.sync_account(&account).await.is_err());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        d.goto(format!("{}/", h.base)).await.unwrap();
        if text_of(&d, "#todo")
            .await
            .contains("Konto sklep-a wymaga ponownego logowania")
        {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the start page names the account");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    click_nav(&d, "#todo li.error a[href=\"/accounts\"]").await;
    assert!(text_of(&d, "h1").await.starts_with("Konta Allegro"));
    if let Ok(dir) = std::env::var("ALLEGRO_BRIDGE_SCREENSHOTS") {
        d.goto(format!("{}/", h.base)).await.unwrap();
        d.screenshot(&std::path::PathBuf::from(dir).join("backoffice-start.png"))
            .await
            .unwrap();
    }
    d.quit().await.unwrap();
}

/// Every page of the back-office on a phone (390 px): nothing makes the page wider than the
/// screen (wide tables scroll in their own box), "Wyloguj" is on the screen, and the menu,
/// collapsed behind "Menu", opens and leads on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_fits_a_phone() {
    let h = spawn_app().await;
    let (_driver_process, port) = chromedriver().await;
    let pages = shop_with_every_page(&h).await;
    let d = browser(port).await;
    log_in(&d, &h.base).await;
    d.set_window_rect(0, 0, 390, 844).await.unwrap();
    for page in &pages {
        d.goto(format!("{}{page}", h.base)).await.unwrap();
        let widths: Vec<f64> = d
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth, \
                 document.querySelector('form.logout button').getBoundingClientRect().right];",
                vec![],
            )
            .await
            .unwrap()
            .convert()
            .unwrap();
        assert!(
            widths[0] <= widths[1] && widths[2] <= widths[1],
            "{page}: page {} px and Wyloguj at {} px on a {} px screen",
            widths[0],
            widths[2],
            widths[1]
        );
    }
    d.goto(format!("{}/orders", h.base)).await.unwrap();
    let nav = d.find(By::Css("header nav")).await.unwrap();
    assert!(!nav.is_displayed().await.unwrap(), "the menu is collapsed");
    d.find(By::Id("menu-button")).await.unwrap().click().await.unwrap();
    assert!(nav.is_displayed().await.unwrap(), "Menu opens it");
    click_nav(&d, "header nav a[href=\"/invoices\"]").await;
    assert!(text_of(&d, "h1").await.starts_with("Faktury"));
    screenshot(&d, "backoffice-phone-invoices.png").await;
    d.quit().await.unwrap();
}
