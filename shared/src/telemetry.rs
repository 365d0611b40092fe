//! Tracing set-up: JSON lines in Lambda (CloudWatch), readable text locally.

use tracing_subscriber::EnvFilter;

/// `RUST_LOG` wins; otherwise events at `default_level` and above are written.
pub fn init(json: bool, default_level: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    // A second initialisation (tests, embedded servers) keeps the first subscriber.
    let _ = if json {
        builder.json().without_time().try_init()
    } else {
        builder.try_init()
    };
}
