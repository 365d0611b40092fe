//! `backlinks`: the whole product on one machine. See `backlinks --help`.

#[tokio::main]
async fn main() {
    std::process::exit(backlinks_core::local::cli::main().await);
}
