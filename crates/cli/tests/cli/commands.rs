//! The binary's commands as an operator runs them: users and API keys, the device flow in
//! a terminal, and metrics on the admin port.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use allegro_emulator::EmulatorConfig;
use app::App;
use secrecy::{ExposeSecret as _, SecretString};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_allegro-bridge"));
    c.env("ALLEGRO_BRIDGE_ALLOW_CUSTOM_ALLEGRO_URLS", "true")
        .env("ALLEGRO_BRIDGE_ALLOW_PRIVATE_ALLEGRO_URLS", "true")
        .env("RUST_LOG", "warn")
        .env("ALLEGRO_BRIDGE_NBP_URL", "off");
    c
}

struct Files {
    db: String,
    key: std::path::PathBuf,
}

fn files() -> Files {
    Files {
        db: testkit::sqlite_url(),
        key: testkit::key_file(),
    }
}

async fn app_on(f: &Files) -> App {
    testkit::app(
        testkit::open_store(&f.db).await,
        Arc::new(domain::SystemClock),
        "http://bridge.test",
        None,
    )
}

#[tokio::test]
async fn users_and_api_keys_from_the_command_line() {
    let f = files();
    let mut child = bin()
        .args([
            "users",
            "create",
            "--organisation-name",
            "Sklep CLI",
            "--email",
            "ola@cli.pl",
            "--password-stdin",
            "--database",
            &f.db,
            "--key-file",
        ])
        .arg(&f.key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"haslo-z-wiersza-polecen\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    // A too-short password is refused with the field named, non-zero exit.
    let bad = bin()
        .args([
            "users",
            "create",
            "--email",
            "jan@cli.pl",
            "--database",
            &f.db,
            "--key-file",
        ])
        .arg(&f.key)
        .env("ALLEGRO_BRIDGE_PASSWORD", "krotkie")
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("password"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );

    let out = bin()
        .args(["api-keys", "create", "--name", "ERP", "--database", &f.db, "--key-file"])
        .arg(&f.key)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let key = stdout.lines().last().unwrap();
    assert!(
        key.starts_with("abk_") && !key.contains(' '),
        "the key alone on the last line: {stdout}"
    );
    let app = app_on(&f).await;
    assert!(app.user_for_api_key(key).await.unwrap().is_some());
    assert!(
        app.login("ola@cli.pl", SecretString::from("haslo-z-wiersza-polecen"))
            .await
            .is_ok()
    );
    let bad_db = bin().args(["migrate", "--database", "mysql://nope"]).output().unwrap();
    assert!(!bad_db.status.success());
    assert!(String::from_utf8_lossy(&bad_db.stderr).contains("sqlite: or postgres:"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_flow_links_an_account_from_a_terminal() {
    let f = files();
    let emu = allegro_emulator::spawn("127.0.0.1:0", EmulatorConfig { seed: 12 })
        .await
        .unwrap();
    emu.emulator.create_seller("sklep-terminal", "haslo-t").unwrap();
    let app = app_on(&f).await;
    let (org, _) = testkit::owner(&app, "Sklep", "anna@sklep.pl").await;
    let conn = testkit::own_app_connection(&app, &org, &emu, Some("device_code")).await;

    let mut child = bin()
        .args([
            "accounts",
            "link",
            "--device",
            "--connection",
            conn.as_str(),
            "--database",
            &f.db,
            "--key-file",
        ])
        .arg(&f.key)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(
        first.starts_with(&format!("Open {}/skojarz-aplikacje and enter the code ", emu.base_url)),
        "{first}"
    );
    let code = first.rsplit("the code ").next().unwrap().to_owned();
    assert_eq!(code.len(), 11, "shown as XXX XXX XXX: {code}");
    // The seller opens the page, logs in and presses "Tak, powiąż".
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let logged = http
        .post(format!("{}/login", emu.base_url))
        .form(&[
            ("login", "sklep-terminal"),
            ("password", "haslo-t"),
            ("return", "/skojarz-aplikacje"),
        ])
        .send()
        .await
        .unwrap();
    let cookie = logged.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let done = http
        .post(format!("{}/skojarz-aplikacje", emu.base_url))
        .header("cookie", cookie)
        .form(&[("code", code.as_str()), ("decision", "approve")])
        .send()
        .await
        .unwrap();
    assert!(done.text().await.unwrap().contains("Gotowe"));
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "the command did not finish");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(status.success(), "{rest:?}");
    assert!(rest.iter().any(|l| l.starts_with("Linked sklep-terminal")), "{rest:?}");
    let accounts = app.store().accounts(&org).await.unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].login, "sklep-terminal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_on_the_admin_port_and_a_clean_stop_on_sigterm() {
    let f = files();
    let app = app_on(&f).await;
    app.create_organisation("Sklep", "anna@sklep.pl", SecretString::from("bardzo-tajne-haslo"))
        .await
        .unwrap();
    drop(app);
    let port = |_: ()| {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let (web, admin) = (port(()), port(()));
    let mut child = bin()
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{web}"),
            "--admin-listen",
            &format!("127.0.0.1:{admin}"),
        ])
        .args(["--database", &f.db, "--key-file"])
        .arg(&f.key)
        .args(["--worker-interval-seconds", "1"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let body = loop {
        if let Ok(r) = reqwest::get(format!("http://127.0.0.1:{admin}/metrics")).await {
            let text = r.text().await.unwrap();
            if text.contains("allegro_bridge_accounts{status=") {
                break text;
            }
        }
        assert!(Instant::now() < deadline, "no metrics");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(body.contains("allegro_bridge_accounts{status=\"active\"} 0"), "{body}");
    assert!(body.contains("allegro_bridge_accounts_at_risk 0"), "{body}");
    assert!(body.contains("allegro_bridge_ksef_invoices_waiting 0"), "{body}");
    // The public port serves the back-office, not metrics.
    let public = reqwest::get(format!("http://127.0.0.1:{web}/metrics")).await.unwrap();
    assert_ne!(public.status(), 200);
    let login = reqwest::get(format!("http://127.0.0.1:{web}/login")).await.unwrap();
    assert!(login.text().await.unwrap().contains("Zaloguj się"));
    // SIGTERM (as systemd or `docker stop` sends it; sh's kill, no unsafe code here): the
    // server and its worker stop cleanly, well within the stop limit, and the port closes.
    let pid = child.id();
    assert!(
        Command::new("sh")
            .args(["-c", &format!("kill -TERM {pid}")])
            .status()
            .unwrap()
            .success()
    );
    let asked = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if asked.elapsed() > app::worker::STOP_LIMIT + Duration::from_secs(5) {
            child.kill().unwrap();
            panic!("serve did not stop after SIGTERM");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(status.success(), "a clean exit: {status:?}");
    assert!(
        reqwest::get(format!("http://127.0.0.1:{web}/login")).await.is_err(),
        "the port is closed"
    );
}

/// `allegro-bridge demo`, the README's first command: it prints a login that works, and
/// the back-office offers "Połącz konto Allegro" on the built-in emulator.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_prints_a_login_that_works() {
    let port = |_: ()| {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let (web, emulator, ksef) = (port(()), port(()), port(()));
    let data = std::env::temp_dir().join(format!("ab-demo-{}", uuid::Uuid::new_v4()));
    let mut child = bin()
        .args([
            "demo",
            "--listen",
            &format!("127.0.0.1:{web}"),
            "--emulator-listen",
            &format!("127.0.0.1:{emulator}"),
            "--ksef-listen",
            &format!("127.0.0.1:{ksef}"),
        ])
        .arg("--data")
        .arg(&data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let (ksef_tx, ksef_rx) = std::sync::mpsc::channel();
    // Read to the end (closing the pipe early would break the demo's later prints).
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.trim().strip_prefix("login:")
                && let Some((e, p)) = rest.trim().split_once(" / ")
            {
                let _ = tx.send((e.to_owned(), p.to_owned()));
            }
            if line.contains("the demo shop's token") {
                let _ = ksef_tx.send(line.clone());
            }
        }
    });
    let (email, password) = tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(30)))
        .await
        .unwrap()
        .expect("the demo printed a login");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let base = format!("http://127.0.0.1:{web}");
    let deadline = Instant::now() + Duration::from_secs(20);
    let login_page = loop {
        if let Ok(r) = http.get(format!("{base}/login")).send().await {
            break r;
        }
        assert!(Instant::now() < deadline, "the demo's back-office never answered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let cookie = login_page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let page = login_page.text().await.unwrap();
    let csrf = page
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let logged_in = http
        .post(format!("{base}/login"))
        .header("cookie", &cookie)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("email", email.as_str()),
            ("password", password.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(logged_in.status(), 303);
    let session = logged_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let accounts = http
        .get(format!("{base}/accounts"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(accounts.contains("Połącz konto Allegro"), "{accounts}");
    let imports = http
        .get(format!("{base}/imports"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(imports.status(), 200);
    // The demo's KSeF emulator with the demo shop's token set and checked, never printed.
    let said = tokio::task::spawn_blocking(move || ksef_rx.recv_timeout(Duration::from_secs(10)))
        .await
        .unwrap()
        .expect("the demo said its KSeF token is set");
    assert!(said.contains("5265877635") && !said.contains('|'), "{said}");
    let page = http
        .get(format!("{base}/invoices/ksef"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("id=\"ksef-checked\"") && page.contains(&format!("127.0.0.1:{ksef}")),
        "{page}"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    std::fs::remove_dir_all(&data).ok();
}

#[tokio::test]
async fn api_keys_are_listed_and_revoked_from_the_command_line() {
    let f = files();
    let app = app_on(&f).await;
    let (org, _) = testkit::owner(&app, "Sklep", "anna@sklep.pl").await;
    let key = app.create_api_key(&org, "Magazyn").await.unwrap();
    let run = |args: &[&str]| {
        bin()
            .args(args)
            .args(["--database", &f.db, "--key-file"])
            .arg(&f.key)
            .output()
            .unwrap()
    };
    let list = run(&["api-keys", "list"]);
    assert!(list.status.success(), "{}", String::from_utf8_lossy(&list.stderr));
    let listed = String::from_utf8(list.stdout).unwrap();
    assert!(listed.contains("Magazyn") && listed.contains("never used"), "{listed}");
    assert!(!listed.contains(key.expose_secret()), "never the key itself");
    let id = listed.split('\t').next().unwrap().trim().to_owned();
    app.user_for_api_key(key.expose_secret()).await.unwrap().unwrap();
    let listed = String::from_utf8(run(&["api-keys", "list"]).stdout).unwrap();
    assert!(listed.contains("last used 20"), "last use shown: {listed}");

    let revoked = run(&["api-keys", "revoke", &id]);
    assert!(revoked.status.success(), "{}", String::from_utf8_lossy(&revoked.stderr));
    assert_eq!(
        app.user_for_api_key(key.expose_secret()).await.unwrap(),
        None,
        "refused at once"
    );
    let again = run(&["api-keys", "revoke", &id]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("nie ma aktywnego klucza API"));
    let listed = String::from_utf8(run(&["api-keys", "list"]).stdout).unwrap();
    assert!(listed.contains("no API keys"), "{listed}");
}

/// Finding 8 of the security probe: a lost, wrong or exposed key file stops the program
/// with the key named, instead of a new key that leaves every account failing.
#[tokio::test]
async fn a_lost_or_wrong_key_file_is_refused_naming_the_key() {
    let f = files();
    let emu = allegro_emulator::spawn("127.0.0.1:0", EmulatorConfig { seed: 13 })
        .await
        .unwrap();
    let app = app_on(&f).await;
    let (org, _) = testkit::owner(&app, "Sklep", "anna@sklep.pl").await;
    // A Client Secret sealed with key 1.
    testkit::own_app_connection(&app, &org, &emu, None).await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let db = f.db.trim_start_matches("sqlite:");
        let mode = std::fs::metadata(db).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the database is readable by its owner only ({mode:o})");
    }
    let run = || {
        bin()
            .args(["api-keys", "list", "--database", &f.db, "--key-file"])
            .arg(&f.key)
            .output()
            .unwrap()
    };
    assert!(run().status.success());
    let private = |text: &str| {
        std::fs::write(&f.key, text).unwrap();
        #[cfg(unix)]
        std::fs::set_permissions(&f.key, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    };

    std::fs::remove_file(&f.key).unwrap();
    let lost = run();
    assert!(!lost.status.success());
    let said = String::from_utf8_lossy(&lost.stderr);
    assert!(
        said.contains("brak pliku klucza") && said.contains("klucz nr 1"),
        "{said}"
    );
    assert!(!f.key.exists(), "no new key is made for a database that holds secrets");

    private(&format!("1:{}\n", "ab".repeat(32)));
    let said = String::from_utf8_lossy(&run().stderr).into_owned();
    assert!(said.contains("klucz 1 w pliku klucza nie otwiera"), "{said}");

    private(&format!("2:{}\n", testkit::KEY_HEX));
    let said = String::from_utf8_lossy(&run().stderr).into_owned();
    assert!(said.contains("kluczem 1, którego nie ma w pliku"), "{said}");

    private(&format!("1:{}\n", testkit::KEY_HEX));
    assert!(run().status.success(), "the right key again");
    #[cfg(unix)]
    {
        std::fs::set_permissions(&f.key, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
        let said = String::from_utf8_lossy(&run().stderr).into_owned();
        assert!(
            said.contains("mogą czytać inni użytkownicy") && said.contains("chmod 600"),
            "{said}"
        );
    }

    // The operator may start over with a new key, knowingly.
    std::fs::remove_file(&f.key).unwrap();
    let fresh = bin()
        .args(["api-keys", "list", "--new-key", "--database", &f.db, "--key-file"])
        .arg(&f.key)
        .output()
        .unwrap();
    assert!(fresh.status.success(), "{}", String::from_utf8_lossy(&fresh.stderr));
    assert!(f.key.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ksef_token_is_set_from_standard_input_and_checked() {
    let f = files();
    let app = app_on(&f).await;
    let (org, user) = testkit::owner(&app, "Sklep", "anna@sklep.pl").await;
    app.save_invoicing_profile(&user, &testkit::invoicing_profile("Sklep"))
        .await
        .unwrap();
    let ksef = ksef_emulator::spawn("127.0.0.1:0", ksef_emulator::Settings::default())
        .await
        .unwrap();
    let token = testkit::ksef_token(&ksef, "5260250995", &["InvoiceWrite"]);
    // Run off the async threads: the emulator answers on this runtime.
    let set_token = token.clone();
    let (db, key, api_url) = (f.db.clone(), f.key.clone(), ksef.api_url.clone());
    let run = move |t: String| {
        let mut child = bin()
            .args([
                "ksef",
                "set-token",
                "--token-stdin",
                "--environment",
                "custom",
                "--api-url",
                &api_url,
            ])
            .args(["--database", &db, "--key-file"])
            .arg(&key)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(t.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let ok = tokio::task::spawn_blocking({
        let run = run.clone();
        move || run(format!("{set_token}\n"))
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let secret = token.rsplit('|').next().unwrap();
    assert!(
        stdout.contains("connected as NIP 5260250995") && !stdout.contains(secret),
        "{stdout}"
    );
    assert_eq!(
        app.ksef_settings(&app::CurrentUser::for_organisation(org))
            .await
            .unwrap()
            .checked
            .map(|c| c.nip),
        Some("5260250995".to_owned())
    );
    // A token for another NIP: refused in Polish, naming both.
    let bad =
        tokio::task::spawn_blocking(move || run("20261201-EC-0000000000-0000000000-00|nip-5265877635|abc".into()))
            .await
            .unwrap();
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("5265877635") && stderr.contains("5260250995"),
        "{stderr}"
    );
}
