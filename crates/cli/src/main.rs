//! `allegro-bridge`: the one binary. Subcommands grow with the product; today it runs the
//! offline Allegro emulator and the demo built on it.
#![forbid(unsafe_code)]

use anyhow::Context as _;
use clap::{Parser, Subcommand};

mod bench;
mod demo;

/// allegro-bridge: Allegro orders, invoices and shipping for Polish sellers.
#[derive(Debug, Parser)]
#[command(name = "allegro-bridge", version, about)]
struct Cli {
    /// Log as JSON lines instead of text.
    #[arg(long, global = true, env = "ALLEGRO_BRIDGE_LOG_JSON")]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the offline Allegro emulator (auth host, API host, developer portal, control API).
    Emulator {
        /// Address to listen on (auth and API paths).
        #[arg(long, default_value = "127.0.0.1:8090")]
        listen: String,
        /// A second address, e.g. to give the auth host its own port as allegro.pl has.
        #[arg(long)]
        auth_listen: Option<String>,
        /// Seed of every random choice.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Also create a demo seller with offers and orders.
        #[arg(long)]
        with_demo_data: bool,
    },
    /// Benchmarks (figures go to docs/BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        target: BenchTarget,
    },
    /// Run the demo: the emulator with a demo seller, a registered app and orders.
    Demo {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8090")]
        listen: String,
        /// Data folder (used from the back-office issue on; created if missing).
        #[arg(long, default_value = "allegro-bridge-demo")]
        data: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum BenchTarget {
    /// Emulator requests/s on loopback (`/me`, full order pages) and memory with orders loaded.
    Emulator {
        /// Orders to load.
        #[arg(long, default_value_t = 100_000)]
        orders: usize,
        /// Seconds per measurement.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Concurrent connections.
        #[arg(long, default_value_t = 32)]
        connections: usize,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logging(cli.log_json);
    match cli.command {
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
                demo::seed(&handle)?.print();
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
        Command::Demo { listen, data } => {
            std::fs::create_dir_all(&data).with_context(|| format!("creating the data folder {}", data.display()))?;
            let handle = allegro_emulator::spawn(&listen, allegro_emulator::EmulatorConfig { seed: 2026 })
                .await
                .context("starting the demo emulator")?;
            println!("allegro-bridge demo on {}", handle.base_url);
            demo::seed(&handle)?.print();
            shutdown_signal().await;
        }
    }
    Ok(())
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
    println!("stopping");
}
