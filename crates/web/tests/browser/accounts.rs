//! Accounts in a real browser: linking, a password changed on Allegro, re-login, API keys.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_relogin_and_refuse_another_user_in_a_real_browser() {
    let h = spawn_app().await;
    let (_driver_process, port) = chromedriver().await;
    let d = browser(port).await;

    // Headless Chromium asks for English; the seller's Polish is one switch away.
    d.goto(format!("{}/lang/pl", h.base)).await.unwrap();
    // First run: the setup page creates the organisation and logs in.
    d.goto(format!("{}/", h.base)).await.unwrap();
    assert!(d.current_url().await.unwrap().path().ends_with("/setup"));
    // Whoever comes first without the code `serve` printed takes nothing over.
    fill(&d, "code", "ABCD-0000").await;
    fill(&d, "organisation", "Sklep Testowy").await;
    fill(&d, "email", "anna@sklep.pl").await;
    fill(&d, "password", "bardzo-tajne-haslo").await;
    click_nav(&d, "form button[type=submit]").await;
    assert!(
        text_of(&d, "p.error")
            .await
            .contains("To nie jest kod z dziennika serwera")
    );
    assert!(h.app.needs_setup().await.unwrap(), "nothing created");
    let code = h
        .app
        .setup_code()
        .await
        .unwrap()
        .expect("a code while setup is to be done");
    fill(&d, "code", &code.to_lowercase()).await;
    fill(&d, "password", "bardzo-tajne-haslo").await;
    click_nav(&d, "form button[type=submit]").await;
    assert_eq!(h.app.setup_code().await.unwrap(), None, "gone once set up");
    let page = d.source().await.unwrap();
    assert!(page.contains("Konta Allegro"), "{page}");

    // Own app, in seed 000's order: the connection's redirect URI first…
    d.goto(format!("{}/connections", h.base)).await.unwrap();
    click(&d, "env-custom").await;
    fill(&d, "auth_url", &h.emu.base_url).await;
    fill(&d, "api_url", &h.emu.base_url).await;
    click_nav(&d, "#create-connection").await;
    let redirect = d
        .find(By::Id("redirect-uri"))
        .await
        .unwrap()
        .value()
        .await
        .unwrap()
        .unwrap();
    assert!(
        redirect.starts_with(&format!("{}/allegro/install/", h.base)),
        "{redirect}"
    );
    screenshot(&d, "backoffice-connections.png").await;
    let guide = d.source().await.unwrap();
    assert!(guide.contains("dwustopniowe logowanie") && guide.contains("allegro:api:orders:write"));
    let portal = d
        .find(By::Id("portal"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(portal.starts_with("http"), "the developer portal is a link: {portal}");
    // "Kopiuj" says it copied.
    let copy = d.find(By::Css("button.copy")).await.unwrap();
    copy.click().await.unwrap();
    assert_eq!(copy.text().await.unwrap(), "Skopiowano ✓");
    // …registered in Allegro's portal with the permissions ticked…
    let (client_id, secret) = h
        .emu
        .emulator
        .register_app(NewApp {
            name: "Sklep Testowy".into(),
            description: None,
            redirect_uris: vec![redirect],
            app_type: None,
            scopes: None,
        })
        .unwrap();
    // …then Client ID and Secret pasted (the secret masked, with show/hide).
    fill(&d, "client_id", &client_id).await;
    fill(&d, "client_secret", &secret).await;
    assert_eq!(
        d.find(By::Id("client_secret"))
            .await
            .unwrap()
            .attr("type")
            .await
            .unwrap()
            .as_deref(),
        Some("password")
    );
    click(&d, "show-secret").await;
    assert_eq!(
        d.find(By::Id("client_secret"))
            .await
            .unwrap()
            .attr("type")
            .await
            .unwrap()
            .as_deref(),
        Some("text")
    );
    click_nav(&d, "#save-credentials").await;
    assert!(
        text_of(&d, "#credentials-state")
            .await
            .contains("Dane aplikacji zapisane")
    );
    assert!(text_of(&d, "#saved").await.contains("Client Secret zapisane"));
    assert!(
        !d.source().await.unwrap().contains(&secret),
        "the secret is never sent back to the browser"
    );

    // "Połącz konto Allegro" → Allegro's login → "Tak, powiąż".
    click_nav(&d, "#connect").await;
    emulator_login(&d, "sklep-a", "haslo-a").await;
    click_nav(&d, "#approve").await;
    assert!(
        text_of(&d, "#message")
            .await
            .contains("Konto sklep-a zostało powiązane")
    );
    assert_eq!(account_status(&d, &h.base).await, ("sklep-a".into(), "Aktywne".into()));

    // Allegro: the seller changes the password; our next refresh notices.
    let user = h.app.store().user_by_email("anna@sklep.pl").await.unwrap().unwrap();
    let accounts = h.app.store().accounts(&user.organisation_id).await.unwrap();
    let seller_id = accounts[0].allegro_user_id.clone();
    // An import queued before the password change (no worker runs it here).
    let owner = app::CurrentUser::for_organisation(user.organisation_id.clone());
    let today = domain::time::polish_day(h.app.now_ms());
    let queued = h
        .app
        .start_import(
            &owner,
            &accounts[0].id,
            &today.yesterday().unwrap().to_string(),
            &today.to_string(),
        )
        .await
        .unwrap();
    change_password_on_allegro(&h, &seller_id).await;
    // The next call Allegro refuses (here a sync) refreshes the account at once; the
    // refused refresh flags it, with the reason, on every page that depends on it.
    assert!(h.app.sync_account(&accounts[0].id).await.is_err());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while h.app.store().accounts(&user.organisation_id).await.unwrap()[0].status == domain::AccountStatus::Active {
        assert!(
            std::time::Instant::now() < deadline,
            "flagged soon after the refused call"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, status) = account_status(&d, &h.base).await;
    assert!(status.starts_with("Wymaga ponownego logowania"), "{status}");
    assert!(
        d.source().await.unwrap().contains("zmiana hasła"),
        "the reason is given"
    );
    assert!(
        text_of(&d, "#relogin-banner")
            .await
            .contains("Jedno z Twoich kont wymaga ponownego logowania")
    );
    for page in ["/orders", "/imports", "/invoices"] {
        d.goto(&format!("{}{page}", h.base)).await.unwrap();
        assert!(
            text_of(&d, "#relogin-banner")
                .await
                .contains("Jedno z Twoich kont wymaga ponownego logowania"),
            "the banner on {page}"
        );
    }
    d.goto(format!("{}/imports", h.base)).await.unwrap();
    assert!(
        d.source()
            .await
            .unwrap()
            .contains("Konto sklep-a wymaga ponownego połączenia"),
        "the queued import {} says why it waits",
        queued.id
    );
    d.goto(format!("{}/accounts", h.base)).await.unwrap();

    // The key button: log in again as the same user.
    click_nav(&d, "button.key").await;
    emulator_login(&d, "sklep-a", "haslo-a").await;
    click_nav(&d, "#approve").await;
    assert!(text_of(&d, "#message").await.contains("sklep-a"));
    assert_eq!(account_status(&d, &h.base).await, ("sklep-a".into(), "Aktywne".into()));
    assert!(d.find(By::Id("relogin-banner")).await.is_err());

    // Another password change, then a re-link attempt as a different Allegro user.
    reqwest::Client::new()
        .post(format!("{}/__emulator/sellers/{seller_id}/revoke", h.emu.base_url))
        .json(&serde_json::json!({"reason": "logout_all"}))
        .send()
        .await
        .unwrap();
    h.app.refresh_account(&accounts[0].id).await.unwrap();
    d.goto(format!("{}/accounts", h.base)).await.unwrap();
    click_nav(&d, "button.key").await;
    emulator_login(&d, "sklep-b", "haslo-b").await;
    click_nav(&d, "#approve").await;
    let refused = text_of(&d, "#message").await;
    assert!(
        refused.contains("sklep-b") && refused.contains("sklep-a") && refused.contains("Nic nie zostało zmienione"),
        "{refused}"
    );
    let (login, status) = account_status(&d, &h.base).await;
    assert_eq!(login, "sklep-a");
    assert!(status.starts_with("Wymaga ponownego logowania"), "{status}");
    assert_eq!(h.app.store().accounts(&user.organisation_id).await.unwrap().len(), 1);

    // English by a switch.
    click_nav(&d, "#lang-switch").await;
    assert!(d.source().await.unwrap().contains("Needs a new login"));
    d.quit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_keys_in_a_real_browser_at_desktop_and_phone_width() {
    let h = spawn_app().await;
    let (_driver_process, port) = chromedriver().await;
    shop_with_orders(&h, 1, 43).await;
    let d = browser(port).await;
    log_in(&d, &h.base).await;
    click_nav(&d, "nav a[href=\"/api-keys\"]").await;
    assert!(text_of(&d, "#no-keys").await.contains("Nie ma jeszcze"));
    fill(&d, "key-name", "Magazyn ERP").await;
    click_nav(&d, "#create-key").await;
    let key = d
        .query(By::Id("new-key-value"))
        .first()
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    assert!(key.starts_with("abk_"), "{key}");
    assert!(text_of(&d, "#api-keys").await.contains("Magazyn ERP"));
    assert!(h.app.user_for_api_key(&key).await.unwrap().is_some());

    // At 390 px the list and its buttons fit the screen.
    d.set_window_rect(0, 0, 390, 844).await.unwrap();
    d.goto(format!("{}/api-keys", h.base)).await.unwrap();
    let widths: Vec<f64> = d
        .execute(
            "const m = document.querySelector('main'); const t = document.querySelector('#api-keys'); \
             const b = document.querySelector('#api-keys button').getBoundingClientRect(); \
             return [m.scrollWidth, t.getBoundingClientRect().right, b.right, window.innerWidth];",
            vec![],
        )
        .await
        .unwrap()
        .convert()
        .unwrap();
    let viewport = widths[3];
    assert!(
        widths[..3].iter().all(|w| *w <= viewport),
        "main, the list and Unieważnij within {viewport} px: {widths:?}"
    );
    click_nav(&d, "#api-keys button.danger").await;
    assert!(text_of(&d, "#no-keys").await.contains("Nie ma jeszcze"));
    assert!(h.app.user_for_api_key(&key).await.unwrap().is_none(), "revoked at once");
    d.quit().await.unwrap();
}

/// One Allegro login linked through a second connection (seed 004: the operator's app
/// beside the seller's own) is one account: the link page says it moved, the accounts
/// page lists it once with the connection it now works through, and every order is
/// listed once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_allegro_login_linked_twice_is_one_account_in_a_real_browser() {
    let h = spawn_app().await;
    let account = shop_with_orders(&h, 4, 61).await;
    let user = h.app.store().user_by_email("anna@sklep.pl").await.unwrap().unwrap();
    let org = user.organisation_id.clone();
    let second = testkit::own_app_connection(&h.app, &org, &h.emu, None).await;
    let (_driver_process, port) = chromedriver().await;
    let d = browser(port).await;
    log_in(&d, &h.base).await;

    d.goto(format!("{}/accounts", h.base)).await.unwrap();
    // Connections are listed oldest first: the second button is the new connection.
    click_nav(&d, "#connect-2").await;
    emulator_login(&d, "sklep-a", "haslo-a").await;
    click_nav(&d, "#approve").await;
    let message = text_of(&d, "#message").await;
    assert!(
        message.contains("było dotąd połączone przez") && message.contains("nie powstała jego kopia"),
        "{message}"
    );
    let accounts = h.app.store().accounts(&org).await.unwrap();
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    assert_eq!((&accounts[0].id, &accounts[0].connection_id), (&account, &second));

    d.goto(format!("{}/accounts", h.base)).await.unwrap();
    let rows = d.find_all(By::Css("#accounts tbody tr")).await.unwrap();
    assert_eq!(rows.len(), 1);
    let via = text_of(&d, "#accounts tbody tr td.login .via").await;
    let second_client = h.app.connection(&org, &second).await.unwrap().client_id.unwrap();
    assert!(via.starts_with("przez:") && via.contains(&second_client[..8]), "{via}");
    screenshot(&d, "backoffice-accounts.png").await;

    // Orders come in through the new connection, each listed once.
    h.app.sync_account(&account).await.unwrap();
    d.goto(format!("{}/orders", h.base)).await.unwrap();
    let listed = d.find_all(By::Css("#orders tbody tr")).await.unwrap().len();
    assert_eq!(listed, 4);
    d.quit().await.unwrap();
}

/// An account's settings form that comes back with an error keeps what the seller chose
/// beside the wrong field (rates, trigger, choices); once the field is right it saves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_keep_the_sellers_choices_after_an_error() {
    let h = spawn_app().await;
    let account = shop_with_orders(&h, 1, 45).await;
    let (_driver_process, port) = chromedriver().await;
    let d = browser(port).await;
    log_in(&d, &h.base).await;
    d.goto(format!("{}/accounts/{account}/settings", h.base)).await.unwrap();
    d.find(By::Css("#vat_goods option[value='8']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    d.find(By::Css("#invoice_trigger option[value='SENT']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    click(&d, "invoice_every_order").await;
    fill(&d, "invoice_series", "FV").await;
    click_nav(&d, "#save-settings").await;
    assert!(text_of(&d, "p.error").await.contains("{n}"), "the series is named");
    let value = |id: &'static str| {
        let d = d.clone();
        async move { d.find(By::Id(id)).await.unwrap().prop("value").await.unwrap().unwrap() }
    };
    assert_eq!(value("vat_goods").await, "8");
    assert_eq!(value("invoice_trigger").await, "SENT");
    assert_eq!(value("invoice_series").await, "FV");
    screenshot(&d, "backoffice-settings.png").await;
    assert!(
        d.find(By::Id("invoice_every_order"))
            .await
            .unwrap()
            .is_selected()
            .await
            .unwrap()
    );
    fill(&d, "invoice_series", "FV/{n}/{MM}/{YYYY}").await;
    click_nav(&d, "#save-settings").await;
    assert!(text_of(&d, "#saved").await.contains("Zapisano"));
    let owner = app::CurrentUser::for_organisation(
        h.app
            .store()
            .user_by_email("anna@sklep.pl")
            .await
            .unwrap()
            .unwrap()
            .organisation_id,
    );
    let saved = h.app.settings(&owner, &account).await.unwrap();
    assert_eq!(
        (saved.vat_goods, saved.invoice_trigger, saved.invoice_every_order),
        (domain::VatRate::Reduced8, domain::InvoiceTrigger::Sent, true)
    );
    d.quit().await.unwrap();
}
