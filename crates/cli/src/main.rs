//! `allegro-bridge`: the one binary — the back-office server, workers, maintenance
//! commands, the offline Allegro emulator, and the demo that runs both.
#![forbid(unsafe_code)]

use anyhow::Context as _;
use clap::Parser as _;
use secrecy::SecretString;

mod api_keys;
mod args;
mod bench;
mod bench_invoices;
mod bench_ksef;
mod bench_ksef_send;
mod bench_orders;
mod bench_shipments;
mod bench_upload;
mod demo;
mod ksef;
mod runtime;

pub(crate) use args::*;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logging(cli.log_json);
    match cli.command {
        Command::Serve {
            listen,
            admin_listen,
            no_worker,
            store,
            server,
        } => {
            let app = runtime::build_app(&store, &server, &listen).await?;
            if let Some(admin) = admin_listen {
                runtime::serve_metrics(&admin).await?;
            }
            let worker = (!no_worker).then(|| (server.worker_interval_seconds, server.poll_policy()));
            runtime::run_until_stopped(app, worker, Some((&listen, &server))).await?;
        }
        Command::Worker {
            admin_listen,
            store,
            server,
        } => {
            let app = runtime::build_app(&store, &server, "127.0.0.1:8080").await?;
            if let Some(admin) = admin_listen {
                runtime::serve_metrics(&admin).await?;
            }
            println!("worker running against {} (Ctrl+C stops it)", app.store().backend());
            let worker = Some((server.worker_interval_seconds, server.poll_policy()));
            runtime::run_until_stopped(app, worker, None).await?;
        }
        Command::Migrate { store } => {
            let s = runtime::open_store(&store.database).await?;
            println!("database is up to date ({})", s.backend());
        }
        Command::Users {
            command:
                UsersCommand::Create {
                    email,
                    organisation,
                    organisation_name,
                    password_stdin,
                    store,
                },
        } => {
            let password = read_password(password_stdin)?;
            let app = runtime::build_app(&store, &runtime::no_server(), "127.0.0.1:8080").await?;
            match organisation_name {
                Some(name) => {
                    let (org, _) = app
                        .create_organisation(&name, &email, password)
                        .await
                        .map_err(runtime::app_error)?;
                    println!("created organisation {org} and user {email}");
                }
                None => {
                    let org = runtime::pick_organisation(&app, organisation.as_deref()).await?;
                    app.create_user(&org, &email, password)
                        .await
                        .map_err(runtime::app_error)?;
                    println!("created user {email} in organisation {org}");
                }
            }
        }
        Command::Accounts {
            command:
                AccountsCommand::Link {
                    device,
                    connection,
                    organisation,
                    store,
                },
        } => {
            anyhow::ensure!(
                device,
                "only --device linking runs in a terminal; link in the browser with \"Połącz konto Allegro\""
            );
            let app = runtime::build_app(&store, &runtime::no_server(), "127.0.0.1:8080").await?;
            let org = runtime::pick_organisation(&app, organisation.as_deref()).await?;
            runtime::link_with_device(&app, &org, &connection).await?;
        }
        Command::Orders {
            command:
                OrdersCommand::Import {
                    account,
                    from,
                    to,
                    organisation,
                    store,
                },
        } => {
            let app = runtime::build_app(&store, &runtime::no_server(), "127.0.0.1:8080").await?;
            let org = runtime::pick_organisation(&app, organisation.as_deref()).await?;
            runtime::import_orders(&app, &org, &account, &from, &to).await?;
        }
        Command::Orders {
            command:
                OrdersCommand::ImportFile {
                    path,
                    account,
                    encoding,
                    organisation,
                    store,
                },
        } => {
            let app = runtime::build_app(&store, &runtime::no_server(), "127.0.0.1:8080").await?;
            let org = runtime::pick_organisation(&app, organisation.as_deref()).await?;
            runtime::import_file(&app, &org, &account, &path, &encoding).await?;
        }
        Command::Rates {
            command: RatesCommand::Load { path, store },
        } => {
            let app = runtime::build_app(&store, &runtime::no_server(), "127.0.0.1:8080").await?;
            let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            let n = app
                .load_rates(&path.display().to_string(), &text)
                .await
                .map_err(runtime::app_error)?;
            println!("{n} rates stored");
        }
        Command::Invoices {
            command:
                InvoicesCommand::Export {
                    from,
                    to,
                    out,
                    lang,
                    organisation,
                    store,
                },
        } => {
            let language: app::PdfLanguage = lang.parse().map_err(|e: String| anyhow::anyhow!("--lang: {e}"))?;
            let app = runtime::build_app(&store, &runtime::no_server(), "127.0.0.1:8080").await?;
            let org = runtime::pick_organisation(&app, organisation.as_deref()).await?;
            runtime::export_invoices(&app, &org, &from, &to, &out, language).await?;
        }
        Command::Shipments {
            command:
                ShipmentsCommand::Add {
                    order,
                    carrier,
                    waybill,
                    carrier_name,
                    line_items,
                    organisation,
                    store,
                },
        } => {
            let waybill =
                domain::NewWaybill::parse(&carrier, carrier_name.as_deref(), &waybill, line_items).map_err(|e| {
                    anyhow::anyhow!(
                        "--{}: {}",
                        e.field.replace('_', "-"),
                        runtime::words().problem(&e.problem)
                    )
                })?;
            let app = runtime::build_app(&store, &runtime::no_server(), "127.0.0.1:8080").await?;
            let org = runtime::pick_organisation(&app, organisation.as_deref()).await?;
            let user = app::CurrentUser::for_organisation(org);
            // No order has an id that does not parse: said as "not found", like any other.
            let order: domain::OrderId = order.parse().map_err(|_| runtime::app_error(app::AppError::NotFound))?;
            let (record, created) = app
                .add_waybill(&user, &order, waybill)
                .await
                .map_err(runtime::app_error)?;
            println!(
                "{} {} {} on order {} ({})",
                if created { "added" } else { "already there:" },
                record.carrier_id,
                record.waybill,
                record.order_id,
                match record.push.state {
                    domain::PushState::NotApplicable => "an order from a file: not sent to Allegro",
                    domain::PushState::Pushed => "on Allegro",
                    _ => "the worker sends it to Allegro",
                }
            );
        }
        Command::Shipments {
            command:
                ShipmentsCommand::Import {
                    path,
                    encoding,
                    organisation,
                    store,
                },
        } => {
            let encoding = runtime::encoding(&encoding)?;
            let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            let app = runtime::build_app(&store, &runtime::no_server(), "127.0.0.1:8080").await?;
            let org = runtime::pick_organisation(&app, organisation.as_deref()).await?;
            let user = app::CurrentUser::for_organisation(org);
            let name = path.display().to_string();
            match app.import_waybills(&user, &name, &bytes, encoding).await {
                Ok(r) => println!(
                    "{name}: {} waybills added (the worker sends them to Allegro), {} already there",
                    r.added, r.already
                ),
                Err(app::ImportError::File(errors)) => return Err(runtime::file_refusal(&errors)),
                Err(app::ImportError::App(e)) => return Err(runtime::app_error(e)),
            }
        }
        Command::ApiKeys { command } => api_keys::run(command).await?,
        Command::Ksef { command } => ksef::run(command).await?,
        Command::Emulator {
            listen,
            auth_listen,
            seed,
            with_demo_data,
        } => {
            let config = allegro_emulator::EmulatorConfig { seed };
            let handle = allegro_emulator::spawn_on(&listen, auth_listen.as_deref(), config)
                .await
                .context("starting the emulator")?;
            println!("Allegro emulator listening on {}", handle.base_url);
            println!("  API host:    {}/me, /order/…, /sale/…", handle.base_url);
            println!(
                "  auth host:   {}/auth/oauth/authorize, /token, /device",
                handle.auth_base_url
            );
            println!("  portal:      {}/apps", handle.auth_base_url);
            println!(
                "  control API: {}/__emulator/ (see crates/allegro-emulator/README.md)",
                handle.base_url
            );
            if with_demo_data {
                demo::seed_emulator(&handle)?.print();
            }
            shutdown_signal().await;
        }
        Command::Bench {
            target:
                BenchTarget::Emulator {
                    orders,
                    seconds,
                    connections,
                },
        } => {
            bench::EmulatorBench {
                orders,
                seconds,
                connections,
            }
            .run()
            .await?;
        }
        Command::KsefEmulator {
            listen,
            profile,
            token_for_nip,
        } => {
            let profile = match profile.as_str() {
                "test" => ksef_emulator::Profile::Test,
                "prod" => ksef_emulator::Profile::Prod,
                other => anyhow::bail!("nieznany profil {other}: test albo prod"),
            };
            let settings = ksef_emulator::Settings {
                profile,
                ..ksef_emulator::Settings::default()
            };
            let handle = ksef_emulator::spawn(&listen, settings)
                .await
                .context("starting the KSeF emulator")?;
            println!("KSeF emulator listening on {}", handle.base_url);
            println!("  API:         {}", handle.api_url);
            println!("  QR host:     {}/invoice/…, /certificate/…", handle.base_url);
            println!(
                "  control API: {}/__ksef/ (see crates/ksef-emulator/README.md)",
                handle.base_url
            );
            if let Some(nip) = token_for_nip {
                let (token, _) = handle
                    .emulator
                    .create_token(ksef_emulator::NewToken {
                        nip: nip.clone(),
                        permissions: vec!["InvoiceWrite".into(), "InvoiceRead".into()],
                        description: Some("allegro-bridge".into()),
                    })
                    .map_err(|e| anyhow::anyhow!("creating a KSeF token: {e}"))?;
                println!("  KSeF token for NIP {nip}: {token}");
            }
            shutdown_signal().await;
        }
        Command::Bench {
            target:
                BenchTarget::Ksef {
                    count,
                    minutes,
                    latency_ms,
                },
        } => {
            bench_ksef::KsefBench {
                count,
                minutes,
                latency_ms,
            }
            .run()
            .await?;
        }
        Command::Bench {
            target: BenchTarget::KsefSend { count, latency_ms },
        } => {
            bench_ksef_send::KsefSendBench { count, latency_ms }.run().await?;
        }
        Command::Bench {
            target: BenchTarget::Invoices { count },
        } => {
            bench_invoices::InvoiceBench { count }.run().await?;
        }
        Command::Bench {
            target: BenchTarget::Shipments { count },
        } => {
            bench_shipments::ShipmentBench { count }.run().await?;
        }
        Command::Bench {
            target: BenchTarget::Upload { megabytes },
        } => {
            bench_upload::UploadBench { megabytes }.run().await?;
        }
        Command::Bench {
            target: BenchTarget::Import { orders },
        } => {
            bench_orders::ImportBench { orders }.run().await?;
        }
        Command::Bench {
            target:
                BenchTarget::Sync {
                    accounts,
                    minutes,
                    real_accounts,
                },
        } => {
            bench_orders::SyncBench {
                accounts,
                minutes,
                real_accounts,
            }
            .run()
            .await?;
        }
        Command::Bench {
            target: BenchTarget::Refresh { accounts },
        } => {
            bench::RefreshBench { accounts }.run().await?;
        }
        Command::Demo {
            listen,
            emulator_listen,
            ksef_listen,
            data,
        } => {
            demo::run(&listen, &emulator_listen, &ksef_listen, &data).await?;
        }
    }
    Ok(())
}

fn read_password(from_stdin: bool) -> anyhow::Result<SecretString> {
    let raw = if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .read_line(&mut line)
            .context("reading the password from standard input")?;
        line.trim_end_matches(['\n', '\r']).to_owned()
    } else {
        std::env::var("ALLEGRO_BRIDGE_PASSWORD")
            .context("give the password on standard input (--password-stdin) or in ALLEGRO_BRIDGE_PASSWORD")?
    };
    Ok(SecretString::from(raw))
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Resolves on Ctrl+C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    println!("stopping");
}
