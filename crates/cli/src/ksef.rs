//! `allegro-bridge ksef set-token|set-offline-certificate|check`: the organisation's KSeF
//! settings from a terminal. The token is read from standard input, never from the command
//! line (where `ps` and the shell's history would keep it); the Offline certificate's key
//! from a file.

use std::io::Read as _;

use anyhow::Context as _;
use clap::Subcommand;
use secrecy::SecretString;

use crate::{ServerArgs, StoreArgs, runtime};

/// What to do with the KSeF settings.
#[derive(Debug, Subcommand)]
pub enum KsefCommand {
    /// Save the organisation's KSeF token, read from standard input (`--token-stdin`), and
    /// the environment; then check the connection.
    SetToken {
        /// Read the token from standard input (required: a token is never an argument).
        #[arg(long, required = true)]
        token_stdin: bool,
        /// test, demo, production or custom.
        #[arg(long, default_value = "test")]
        environment: String,
        /// The API's base URL of a custom environment.
        #[arg(long)]
        api_url: Option<String>,
        /// Send consumer invoices too.
        #[arg(long)]
        send_consumer: bool,
        /// Do not check the connection after saving.
        #[arg(long)]
        no_check: bool,
        /// Organisation id; default: the only organisation.
        #[arg(long)]
        organisation: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
        #[command(flatten)]
        server: Box<ServerArgs>,
    },
    /// Save the KSeF Offline certificate and its private key (PEM files) for KOD II on
    /// invoices issued offline; the key is sealed and never shown again.
    SetOfflineCertificate {
        /// The certificate (PEM).
        #[arg(long)]
        certificate: std::path::PathBuf,
        /// Its private key (PKCS#8 PEM).
        #[arg(long)]
        key: std::path::PathBuf,
        /// Organisation id; default: the only organisation.
        #[arg(long)]
        organisation: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Log into KSeF with the saved token: the context NIP and the token's permissions.
    Check {
        /// Organisation id; default: the only organisation.
        #[arg(long)]
        organisation: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
}

fn print_check(check: &app::KsefCheck) {
    println!(
        "KSeF: connected as NIP {}; the token's permissions: {}",
        check.nip,
        check.permissions.join(", ")
    );
}

/// Runs a `ksef` command.
pub async fn run(command: KsefCommand) -> anyhow::Result<()> {
    match command {
        KsefCommand::SetToken {
            token_stdin: _,
            environment,
            api_url,
            send_consumer,
            no_check,
            organisation,
            store,
            server,
        } => {
            let mut token = String::new();
            std::io::stdin()
                .read_to_string(&mut token)
                .context("reading the KSeF token from standard input")?;
            let app = runtime::build_app(&store, &server, "127.0.0.1:8080").await?;
            let org = runtime::pick_organisation(&app, organisation.as_deref()).await?;
            let user = app::CurrentUser::for_organisation(org.clone());
            let environment = match environment.as_str() {
                "test" => app::KsefEnvironment::Test,
                "demo" => app::KsefEnvironment::Demo,
                "production" => app::KsefEnvironment::Production,
                "custom" => app::KsefEnvironment::Custom(api_url.context("--environment custom needs --api-url")?),
                other => anyhow::bail!("--environment {other}: expected test, demo, production or custom"),
            };
            let before = app.ksef_settings(&user).await.map_err(runtime::app_error)?;
            let input = app::KsefSettingsInput {
                environment,
                token: Some(SecretString::from(token.trim().to_owned())),
                send_consumer,
                send_from: before.send_from,
                offline24: before.offline24,
                failure_announced: before.failure_since_ms.is_some(),
            };
            let saved = app.save_ksef_settings(&user, input).await.map_err(runtime::app_error)?;
            println!(
                "KSeF token saved for organisation {org} ({}): {}",
                saved.environment.code(),
                saved.token_hint.unwrap_or_default()
            );
            if !no_check {
                let check = app.check_ksef_connection(&user).await.map_err(runtime::app_error)?;
                print_check(&check);
            }
        }
        KsefCommand::SetOfflineCertificate {
            certificate,
            key,
            organisation,
            store,
        } => {
            let pem = std::fs::read_to_string(&certificate)
                .with_context(|| format!("nie można odczytać certyfikatu {}", certificate.display()))?;
            let private_key = SecretString::from(
                std::fs::read_to_string(&key)
                    .with_context(|| format!("nie można odczytać klucza {}", key.display()))?,
            );
            let app = runtime::build_app(&store, &runtime::no_server(), "127.0.0.1:8080").await?;
            let org = runtime::pick_organisation(&app, organisation.as_deref()).await?;
            let user = app::CurrentUser::for_organisation(org.clone());
            let saved = app
                .save_ksef_offline_certificate(&user, &pem, &private_key)
                .await
                .map_err(runtime::app_error)?;
            let info = saved.offline_certificate.context("the certificate was not kept")?;
            println!(
                "KSeF Offline certificate {} saved for organisation {org} (valid until {})",
                info.serial, info.valid_until
            );
        }
        KsefCommand::Check { organisation, store } => {
            let app = runtime::build_app(&store, &runtime::no_server(), "127.0.0.1:8080").await?;
            let org = runtime::pick_organisation(&app, organisation.as_deref()).await?;
            let user = app::CurrentUser::for_organisation(org);
            let check = app.check_ksef_connection(&user).await.map_err(runtime::app_error)?;
            print_check(&check);
        }
    }
    Ok(())
}
