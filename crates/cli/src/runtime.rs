//! Wiring: open the store, load the key ring, build the app, serve, run the worker.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};
use app::{App, AppConfig, AppError, Cipher, RefreshPolicy, ServiceApp};
use domain::{Environment, OrganisationId, SystemClock};
use secrecy::SecretString;

use crate::{ServerArgs, StoreArgs};

/// Opens the store named by `url` and brings its schema up to date.
pub async fn open_store(url: &str) -> anyhow::Result<store::Store> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(
            store_sqlite::SqliteStore::open(url)
                .await
                .with_context(|| format!("opening SQLite database {url}"))?,
        ))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        let shown = redact_url(url);
        Ok(Arc::new(
            store_postgres::PgStore::open(url)
                .await
                .with_context(|| format!("opening PostgreSQL database {shown}"))?,
        ))
    } else {
        bail!(
            "--database must start with sqlite: or postgres:// (got {:?})",
            redact_url(url)
        )
    }
}

/// The URL with any password replaced, for messages.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Creates a missing key file — only for a database that holds no sealed secrets yet, or
/// when the operator asked for a new key (`--new-key`).
async fn create_key_file_if_missing(store: &store::Store, args: &StoreArgs) -> anyhow::Result<()> {
    let path = &args.key_file;
    if path.exists() {
        return Ok(());
    }
    let sealed = store
        .stored_secrets()
        .await
        .context("reading which secrets the database holds")?;
    if !sealed.is_empty() && !args.new_key {
        let ids: std::collections::BTreeSet<u8> = sealed
            .iter()
            .filter_map(|s| app::crypto::sealed_key_id(&s.sealed))
            .collect();
        let ids: Vec<String> = ids.iter().map(u8::to_string).collect();
        bail!(
            "brak pliku klucza {}: baza zawiera {} zaszyfrowanych sekretów (klucz nr {}); przywróć plik klucza z kopii zapasowej. \
             Nowy klucz (--new-key) oznacza ponowne łączenie wszystkich kont Allegro.",
            path.display(),
            sealed.len(),
            ids.join(", ")
        );
    }
    let key = Cipher::generate_key_hex();
    write_private(path, &format!("1:{key}\n")).with_context(|| format!("creating the key file {}", path.display()))?;
    tracing::warn!(path = %path.display(), "created a new encryption key; back it up — without it stored tokens cannot be read");
    Ok(())
}

/// Reads the key ring from `path`. Each line is `hex` or `id:hex`; the first line's key
/// seals new values. A file other users may read is refused.
pub fn load_cipher(path: &Path) -> anyhow::Result<Cipher> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path)
            .with_context(|| format!("reading the key file {}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o007 != 0 {
            bail!(
                "plik klucza {} mogą czytać inni użytkownicy (tryb {:o}); ustaw: chmod 600 {}",
                path.display(),
                mode & 0o777,
                path.display()
            );
        }
        if mode & 0o070 != 0 {
            tracing::warn!(path = %path.display(), mode = format!("{:o}", mode & 0o777), "the key file is readable by its group; chmod 600 is safer");
        }
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("reading the key file {}", path.display()))?;
    let mut keys = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
    {
        let (id, hex) = match line.split_once(':') {
            Some((id, hex)) => (
                id.trim()
                    .parse::<u8>()
                    .with_context(|| format!("{}:{}: key id must be 0–255", path.display(), n + 1))?,
                hex,
            ),
            None => (1, line),
        };
        keys.push((id, SecretString::from(hex.trim().to_owned())));
    }
    let active = keys
        .first()
        .map(|(id, _)| *id)
        .ok_or_else(|| anyhow!("{}: no key in the file", path.display()))?;
    Cipher::new(active, &keys).with_context(|| format!("{}: a key is not 64 hex characters", path.display()))
}

fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path)?.write_all(content.as_bytes())
}

/// Server arguments for maintenance commands: the defaults, with what the environment's
/// `ALLEGRO_BRIDGE_*` variables set (e.g. the operator's rule for custom Allegro URLs).
pub fn no_server() -> ServerArgs {
    #[derive(clap::Parser)]
    struct OnlyServer {
        #[command(flatten)]
        server: ServerArgs,
    }
    <OnlyServer as clap::Parser>::try_parse_from(["allegro-bridge"])
        .map(|o| o.server)
        .unwrap_or_else(|e| e.exit())
}

/// Builds the application from the command line.
pub async fn build_app(store_args: &StoreArgs, server: &ServerArgs, listen: &str) -> anyhow::Result<App> {
    let store = open_store(&store_args.database).await?;
    create_key_file_if_missing(&store, store_args).await?;
    let cipher = load_cipher(&store_args.key_file)?;
    let service_app = match (&server.service_client_id, &server.service_client_secret) {
        (Some(id), Some(secret)) => {
            let environment: Environment = server.service_environment.parse().context("--service-environment")?;
            let (auth_url, api_url) = match environment {
                Environment::Production => ("https://allegro.pl".to_owned(), "https://api.allegro.pl".to_owned()),
                Environment::Sandbox => (
                    "https://allegro.pl.allegrosandbox.pl".to_owned(),
                    "https://api.allegro.pl.allegrosandbox.pl".to_owned(),
                ),
                Environment::Custom => (
                    server
                        .service_auth_url
                        .clone()
                        .context("--service-auth-url is needed for a custom environment")?,
                    server
                        .service_api_url
                        .clone()
                        .context("--service-api-url is needed for a custom environment")?,
                ),
            };
            Some(ServiceApp {
                environment,
                auth_url,
                api_url,
                client_id: id.clone(),
                client_secret: SecretString::from(secret.clone()),
            })
        }
        (None, None) => None,
        _ => bail!("give both --service-client-id and --service-client-secret, or neither"),
    };
    let config = AppConfig {
        public_url: server.public_url.clone().unwrap_or_else(|| format!("http://{listen}")),
        service_app,
        session_ttl_ms: 12 * 3_600_000,
        refresh: RefreshPolicy {
            lease_ms: server.refresh_lease_seconds.max(1) * 1000,
            ..RefreshPolicy::default()
        },
        custom_allegro_urls: app::CustomAllegroUrls {
            allowed: server.allow_custom_allegro_urls,
            private_addresses: server.allow_private_allegro_urls,
            hosts: server
                .allegro_url_hosts
                .iter()
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
        },
    };
    let app = App::new(store, cipher, Arc::new(SystemClock), config)
        .with_upload_lease(server.upload_lease_seconds * 1000)
        .with_ksef_upload_wait(server.ksef_upload_wait_seconds * 1000)
        .with_ksef_lease(server.ksef_lease_seconds * 1000)
        .with_ksef_offline_after(server.ksef_offline_after_seconds * 1000);
    if let Err(problem) = app.check_key_ring().await.map_err(app_error)? {
        if store_args.new_key {
            tracing::warn!(%problem, "started with --new-key: secrets sealed with the lost key stay unreadable");
        } else {
            bail!("{problem} (plik klucza: {})", store_args.key_file.display());
        }
    }
    Ok(match server.nbp_url.trim() {
        "" | "off" => app,
        url => app.with_nbp(url),
    })
}

/// The terminal's words: Polish, as the back-office's default.
pub fn words() -> web::i18n::Tr {
    web::i18n::Tr::new(web::i18n::Lang::Pl)
}

/// Maps an application error for the terminal, worded in Polish.
pub fn app_error(e: AppError) -> anyhow::Error {
    let tr = words();
    match e {
        AppError::Validation { field, problem } => anyhow!("{}", tr.invalid(field, &problem)),
        AppError::Conflict(problem) => anyhow!("{}", tr.problem(&problem)),
        AppError::Internal(e) => e,
        other => anyhow!("{other}"),
    }
}

/// A refused file for the terminal: the headline, then every problem with its place.
pub fn file_refusal(errors: &app::order_files::FileErrors) -> anyhow::Error {
    let tr = words();
    let total = (errors.errors.len() + errors.more).to_string();
    let mut text = tr.args("import-file-refused", &[("file", &errors.file), ("count", &total)]);
    for e in &errors.errors {
        text.push_str("\n  ");
        text.push_str(&tr.file_error(&errors.file, e));
    }
    if errors.more > 0 {
        text.push_str("\n  ");
        text.push_str(&tr.args("import-more-problems", &[("count", &errors.more.to_string())]));
    }
    anyhow!(text)
}

/// `--encoding`.
pub fn encoding(raw: &str) -> anyhow::Result<app::order_files::Encoding> {
    raw.parse()
        .map_err(|p: app::Problem| anyhow!("--encoding: {}", words().problem(&p)))
}

/// The organisation given, or the only one.
pub async fn pick_organisation(app: &App, given: Option<&str>) -> anyhow::Result<OrganisationId> {
    if let Some(raw) = given {
        return raw
            .parse()
            .map_err(|e: domain::DomainError| anyhow!("--organisation: {e}"));
    }
    let orgs = app.organisations().await.map_err(app_error)?;
    match orgs.as_slice() {
        [one] => Ok(one.id.clone()),
        [] => bail!(
            "no organisation yet: create one with `allegro-bridge users create --organisation-name NAME --email …` or the setup page"
        ),
        many => bail!(
            "{} organisations: choose one with --organisation ({})",
            many.len(),
            many.iter()
                .map(|o| format!("{} = {}", o.id, o.name))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Runs the back-office (`http`) and/or the worker until Ctrl+C or SIGTERM, then stops
/// them: the listener stops accepting and answers the requests in flight, the worker
/// stops claiming and finishes or gives back what it holds (within
/// [`app::worker::STOP_LIMIT`]). A second signal, or a stop that overruns the limit,
/// exits at once — every piece of work is safe to take over after its lease.
pub async fn run_until_stopped(
    app: App,
    worker: Option<(u64, domain::PollPolicy)>,
    http: Option<(&str, &ServerArgs)>,
) -> anyhow::Result<()> {
    let signals = app.clone();
    tokio::spawn(async move {
        crate::shutdown_signal().await;
        signals.shutdown();
        tokio::select! {
            () = crate::shutdown_signal() => {}
            () = tokio::time::sleep(app::worker::STOP_LIMIT + Duration::from_secs(10)) => {}
        }
        eprintln!("stopping took too long; exiting now");
        std::process::exit(1);
    });
    let worker = worker.map(|(interval, policy)| tokio::spawn(app::worker::run(app.clone(), interval, policy)));
    let served = match http {
        Some((listen, server)) => serve(app.clone(), listen, server).await,
        None => {
            app.stopping().await;
            Ok(())
        }
    };
    if let Some(worker) = worker {
        worker.await.context("the worker stopped abnormally")?;
    }
    served
}

/// Serves the back-office on `listen` until the app stops.
async fn serve(app: App, listen: &str, server: &ServerArgs) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    tracing::info!(address = %listener.local_addr()?, store = app.store().backend(), "back-office listening");
    if let Some(code) = app.setup_code().await.map_err(app_error)? {
        // Printed, not only logged: the person installing reads it off the terminal.
        println!(
            "Pierwsze uruchomienie: otwórz http://{}/setup i wpisz kod {code}",
            listener.local_addr()?
        );
        tracing::info!("first-run setup waits for the code printed on the terminal");
    }
    let stopping = app.clone();
    let router = web::router(web::WebState {
        app,
        secure_cookies: server.secure_cookies,
        max_upload_bytes: server.max_upload_mb.max(1) * 1024 * 1024,
    });
    // The peer's address throttles failed logins per address.
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move { stopping.stopping().await })
    .await
    .context("serving HTTP")
}

/// Serves `/metrics` on a separate admin listener, so metrics are never exposed on the
/// public port by accident.
pub async fn serve_metrics(listen: &str) -> anyhow::Result<()> {
    let handle = metrics_exporter_prometheus::PrometheusBuilder::new()
        .install_recorder()
        .context("installing the metrics recorder")?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding the admin listener {listen}"))?;
    let router = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || std::future::ready(handle.render())),
    );
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::error!(error = %e, "metrics listener stopped");
        }
    });
    Ok(())
}

/// The account of the organisation with this Allegro login.
pub async fn account_by_login(app: &App, org: &OrganisationId, login: &str) -> anyhow::Result<store::Account> {
    let accounts = app.store().accounts(org).await.context("reading linked accounts")?;
    accounts
        .iter()
        .find(|a| a.login.eq_ignore_ascii_case(login.trim()))
        .cloned()
        .ok_or_else(|| {
            anyhow!(
                "no linked Allegro account with the login {login:?}; linked: {}",
                if accounts.is_empty() {
                    "none".to_owned()
                } else {
                    accounts.iter().map(|a| a.login.as_str()).collect::<Vec<_>>().join(", ")
                }
            )
        })
}

/// `orders import`: an import by purchase date run here with a progress bar; an
/// unfinished import of the same range (a crash, Ctrl+C) is resumed.
pub async fn import_orders(app: &App, org: &OrganisationId, login: &str, from: &str, to: &str) -> anyhow::Result<()> {
    let account = account_by_login(app, org, login).await?;
    let range = app::DateRange::parse(from, to, app.now_ms()).map_err(app_error)?;
    let import = app
        .create_import(org, &account.id, range, false)
        .await
        .map_err(app_error)?;
    if import.fetched > 0 {
        println!("resuming import {} ({} orders already read)", import.id, import.fetched);
    } else {
        println!(
            "import {} of {}'s orders bought {from} – {to}",
            import.id, account.login
        );
    }
    let bar = indicatif::ProgressBar::new(import.expected.unwrap_or(0).max(0) as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} orders ({per_sec}, {eta} left) {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_position(import.fetched.max(0) as u64);
    let done = app
        .run_import(&import.id, |i| {
            if let Some(e) = i.expected {
                bar.set_length(e.max(0) as u64);
            }
            bar.set_position(i.fetched.max(0) as u64);
            bar.set_message(format!("{} new, {} updated", i.counts.new, i.counts.updated));
            true
        })
        .await
        .map_err(app_error);
    bar.finish_and_clear();
    let done = done?;
    println!(
        "done: {} orders read — {} new, {} updated, {} unchanged ({} Allegro requests)",
        done.fetched, done.counts.new, done.counts.updated, done.counts.unchanged, done.api_calls
    );
    Ok(())
}

/// `invoices export`: every invoice issued in the range as a PDF and a FA(3) XML file.
pub async fn export_invoices(
    app: &App,
    org: &OrganisationId,
    from: &str,
    to: &str,
    out: &Path,
    language: app::PdfLanguage,
) -> anyhow::Result<()> {
    let day = |field: &str, raw: &str| -> anyhow::Result<String> {
        let d: jiff::civil::Date = raw
            .trim()
            .parse()
            .map_err(|_| anyhow!("--{field}: {raw:?} is not a date YYYY-MM-DD"))?;
        Ok(d.to_string())
    };
    let (from, to) = (day("from", from)?, day("to", to)?);
    anyhow::ensure!(from <= to, "--to is before --from");
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let user = app::CurrentUser::for_organisation(org.clone());
    let mut offset = 0;
    let mut written = 0;
    let mut upos = 0;
    loop {
        let range = store::InvoiceFilter {
            from: Some(from.clone()),
            to: Some(to.clone()),
            ..Default::default()
        };
        let (page, total) = app.invoices(&user, &range, offset, 200).await.map_err(app_error)?;
        for inv in &page {
            let (_, xml) = app.invoice_xml(&user, &inv.id).await.map_err(app_error)?;
            let file = out.join(inv.file_name("xml"));
            std::fs::write(&file, xml).with_context(|| format!("writing {}", file.display()))?;
            let (_, pdf) = app.invoice_pdf(&user, &inv.id, language).await.map_err(app_error)?;
            let file = out.join(inv.file_name("pdf"));
            std::fs::write(&file, pdf).with_context(|| format!("writing {}", file.display()))?;
            // KSeF's receipt beside an invoice in KSeF, named like its files.
            match app.invoice_upo(&user, &inv.id).await {
                Ok((_, upo)) => {
                    let file = out.join(inv.file_name("upo.xml"));
                    std::fs::write(&file, upo).with_context(|| format!("writing {}", file.display()))?;
                    upos += 1;
                }
                Err(app::AppError::NotFound) => {}
                Err(e) => return Err(app_error(e)),
            }
            written += 1;
        }
        offset += 200;
        if offset >= total {
            break;
        }
    }
    println!(
        "{written} invoices written to {} ({upos} with KSeF's UPO)",
        out.display()
    );
    Ok(())
}

/// `orders import-file`: a CSV or XML file into one account; every problem printed.
pub async fn import_file(
    app: &App,
    org: &OrganisationId,
    login: &str,
    path: &Path,
    encoding: &str,
) -> anyhow::Result<()> {
    let account = account_by_login(app, org, login).await?;
    let encoding = self::encoding(encoding)?;
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let name = path.display().to_string();
    let user = app::CurrentUser::for_organisation(org.clone());
    match app
        .import_file(&user, &account.id, &name, bytes.into(), None, encoding)
        .await
    {
        Ok(import) => {
            println!(
                "{name}: {} orders — {} new, {} updated, {} unchanged (already held, e.g. from Allegro)",
                import.fetched, import.counts.new, import.counts.updated, import.counts.unchanged
            );
            Ok(())
        }
        Err(app::ImportError::File(errors)) => Err(file_refusal(&errors)),
        Err(app::ImportError::App(e)) => Err(app_error(e)),
    }
}

/// The device flow in a terminal, with a spinner while waiting.
pub async fn link_with_device(app: &App, org: &OrganisationId, connection: &str) -> anyhow::Result<()> {
    let connection: domain::ConnectionId = connection
        .parse()
        .map_err(|e: domain::DomainError| anyhow!("--connection: {e}"))?;
    let auth = app.start_device_link(org, &connection).await.map_err(app_error)?;
    println!(
        "Open {} and enter the code {}",
        auth.verification_uri,
        auth.display_code()
    );
    println!("(or open {})", auth.verification_uri_complete);
    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.set_message("waiting for \"Tak, powiąż\" on Allegro…");
    spinner.enable_steady_tick(Duration::from_millis(120));
    let outcome = app.finish_device_link(org, &connection, &auth).await;
    spinner.finish_and_clear();
    match outcome.map_err(app_error)? {
        app::LinkOutcome::Linked {
            login,
            created,
            missing,
            account,
            moved_from,
        } => {
            println!(
                "{} {login} (account {account})",
                if created { "Linked" } else { "Linked again" }
            );
            if let Some(from) = moved_from {
                println!(
                    "moved here from connection {}: its orders, invoices and settings stay with it",
                    from.id
                );
            }
            for (group, description, scope) in missing {
                println!(
                    "missing permission: {group} – {description} ({scope}); tick it in Allegro's developer portal"
                );
            }
            Ok(())
        }
        app::LinkOutcome::Cancelled => bail!("the link was refused on Allegro's page (\"Nie, anuluj\")"),
        app::LinkOutcome::CodeExpired => bail!("the code expired before it was entered; run the command again"),
        other => bail!("linking failed: {other:?}"),
    }
}
