//! The `backlinks` command: demo, serve, dev-token, run-job.

use super::runtime::{self, LocalOptions};
use super::{server, workers};
use crate::domain::identity::Role;
use crate::jobs::{self, Run};
use clap::{Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "backlinks",
    version,
    about = "Backlink outreach engine, run locally"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Member,
    Admin,
    Superadmin,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole outreach loop on this machine against fixture sites, and print a
    /// summary.
    Demo {
        /// An empty or new folder (default: a new folder under the system's temp folder).
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Serve every route, the scheduler and the queue workers on this machine.
    Serve {
        #[arg(long, default_value = "127.0.0.1:3000")]
        addr: SocketAddr,
        #[arg(long, default_value = ".data", env = "BACKLINKS_DATA_DIR")]
        data_dir: PathBuf,
    },
    /// Print a signed token that `serve` accepts.
    DevToken {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        user: String,
        #[arg(long, value_enum, default_value = "member")]
        role: RoleArg,
        /// Lifetime in minutes.
        #[arg(long, default_value_t = 720)]
        ttl_minutes: i64,
        #[arg(long, default_value = ".data", env = "BACKLINKS_DATA_DIR")]
        data_dir: PathBuf,
    },
    /// Run one job now (a queue job handles the messages waiting in its queue).
    RunJob {
        name: String,
        #[arg(long, default_value = ".data", env = "BACKLINKS_DATA_DIR")]
        data_dir: PathBuf,
    },
}

/// Runs the command line; returns the process exit code.
pub async fn main() -> i32 {
    let cli = Cli::parse();
    // The demo prints its own progress; only warnings and errors join it.
    let level = match cli.command {
        Command::Demo { .. } => "warn",
        _ => "info",
    };
    crate::telemetry::init(false, level);
    match run(cli).await {
        Ok(()) => 0,
        Err(message) => {
            eprintln!("error: {message}");
            1
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Demo { data_dir } => {
            let dir = data_dir.unwrap_or_else(|| {
                std::env::temp_dir().join(format!(
                    "backlinks-demo-{}",
                    chrono::Utc::now().format("%Y%m%d-%H%M%S")
                ))
            });
            let mut step = 0;
            let summary = super::demo::run(&dir, &mut |line| {
                if line.starts_with(' ') {
                    println!("{line}");
                } else {
                    step += 1;
                    println!("[{step}] {line}");
                }
            })
            .await?;
            print!("{}", super::demo::report(&summary));
            Ok(())
        }
        Command::Serve { addr, data_dir } => serve(addr, data_dir).await,
        Command::DevToken {
            tenant,
            user,
            role,
            ttl_minutes,
            data_dir,
        } => {
            let keys =
                super::dev_keys::DevKeys::load_or_create(&data_dir).map_err(|e| e.to_string())?;
            let role = match role {
                RoleArg::Member => Role::Member,
                RoleArg::Admin => Role::Admin,
                RoleArg::Superadmin => Role::Superadmin,
            };
            let now = chrono::Utc::now().timestamp();
            let token = keys
                .mint(&tenant, &user, role, now, ttl_minutes * 60)
                .map_err(|e| e.to_string())?;
            println!("{token}");
            Ok(())
        }
        Command::RunJob { name, data_dir } => {
            let job = jobs::by_name(&name).ok_or_else(|| {
                let names: Vec<_> = jobs::registry().iter().map(|j| j.name).collect();
                format!("no job named {name}; jobs: {}", names.join(", "))
            })?;
            let local = runtime::build(LocalOptions::new(data_dir))
                .await
                .map_err(|e| e.to_string())?;
            let summary = match job.run {
                Run::Scheduled(_) => jobs::run_scheduled(local.app, &job)
                    .await
                    .map(|r| r.summary),
                Run::Message(_) => workers::drain_once(local.app, &job)
                    .await
                    .map(|n| format!("handled {n} messages")),
            }
            .map_err(|e| e.to_string())?;
            println!("{name}: {summary}");
            Ok(())
        }
    }
}

async fn serve(addr: SocketAddr, data_dir: PathBuf) -> Result<(), String> {
    let local = runtime::build(LocalOptions::new(&data_dir))
        .await
        .map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let tasks = workers::spawn(local.app.clone(), stop_rx);
    println!(
        "backlinks serving on http://{addr} (data in {})",
        data_dir.display()
    );
    println!(
        "  token:   backlinks dev-token --tenant acme --user alice --data-dir {}",
        data_dir.display()
    );
    println!("  openapi: http://{addr}/v1/openapi.json");
    if local.options.allow_private_network {
        println!(
            "  note: {} is set; private addresses may be fetched",
            runtime::ALLOW_PRIVATE_ENV
        );
    }
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let served = server::serve(local.api, listener, shutdown).await;
    let _ = stop_tx.send(true);
    for task in tasks {
        let _ = task.await;
    }
    served.map_err(|e| e.to_string())
}
