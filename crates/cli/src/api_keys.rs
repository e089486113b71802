//! `allegro-bridge api-keys create|list|revoke`: the organisation's keys for `/api/v1`.

use clap::Subcommand;

use crate::{StoreArgs, runtime};

/// What to do with API keys.
#[derive(Debug, Subcommand)]
pub enum ApiKeysCommand {
    /// Create an API key; prints it alone on the last line (it is not stored in clear).
    Create {
        /// A name to recognise the key by.
        #[arg(long, default_value = "api")]
        name: String,
        /// Organisation id; default: the only organisation.
        #[arg(long)]
        organisation: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List the organisation's working keys: id, name, first characters, created, last used.
    List {
        /// Organisation id; default: the only organisation.
        #[arg(long)]
        organisation: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Revoke a key (by the id `list` shows): requests with it are refused at once.
    Revoke {
        /// The key's id.
        id: String,
        /// Organisation id; default: the only organisation.
        #[arg(long)]
        organisation: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// Runs an `api-keys` command.
pub async fn run(command: ApiKeysCommand) -> anyhow::Result<()> {
    match command {
        ApiKeysCommand::Create {
            name,
            organisation,
            store,
        } => {
            let app = runtime::build_app(&store, &runtime::no_server(), "127.0.0.1:8080").await?;
            let org = runtime::pick_organisation(&app, organisation.as_deref()).await?;
            let key = app.create_api_key(&org, &name).await.map_err(runtime::app_error)?;
            use secrecy::ExposeSecret;
            println!("API key \"{name}\" for organisation {org} (shown once; send it as Authorization: Bearer …):");
            println!("{}", key.expose_secret());
        }
        ApiKeysCommand::List { organisation, store } => {
            let app = runtime::build_app(&store, &runtime::no_server(), "127.0.0.1:8080").await?;
            let org = runtime::pick_organisation(&app, organisation.as_deref()).await?;
            let keys = app.api_keys(&org).await.map_err(runtime::app_error)?;
            if keys.is_empty() {
                println!("no API keys in organisation {org}");
            }
            for k in keys {
                let last = k
                    .last_used_at_ms
                    .map_or_else(|| "never used".to_owned(), domain::time::polish_time_text);
                println!(
                    "{}\t{}\t{}…\tcreated {}\tlast used {}",
                    k.id,
                    k.name,
                    k.prefix,
                    domain::time::polish_time_text(k.created_at_ms),
                    last
                );
            }
        }
        ApiKeysCommand::Revoke {
            id,
            organisation,
            store,
        } => {
            let app = runtime::build_app(&store, &runtime::no_server(), "127.0.0.1:8080").await?;
            let org = runtime::pick_organisation(&app, organisation.as_deref()).await?;
            app.revoke_api_key(&org, &id).await.map_err(|e| match e {
                app::AppError::NotFound => anyhow::anyhow!("nie ma aktywnego klucza API {id} w organizacji {org}"),
                other => runtime::app_error(other),
            })?;
            println!("revoked API key {id}; requests with it are refused from now on");
        }
    }
    Ok(())
}
