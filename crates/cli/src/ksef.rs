//! `allegro-bridge ksef set-token|check|show`: the organisation's KSeF settings from a
//! terminal. The token is read from standard input, never from the command line (where
//! `ps` and the shell's history would keep it).

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
            let input = app::KsefSettingsInput {
                environment,
                token: Some(SecretString::from(token.trim().to_owned())),
                send_consumer,
                send_from: None,
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
