//! Bounce parsing throughput: every message of sisimai's real bounces (read from
//! `../shared/corpora/bounces-sisimai/` beside the project) parsed in process, over and over,
//! for a few seconds. Prints messages per second; figures go to docs/benchmarks.md by hand.
//! Run: cargo bench -p backlinks-core --bench bounces [-- SECONDS]

use backlinks_core::domain::bounce::parse_bounce_raw;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() {
    let seconds: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5);
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora/bounces-sisimai");
    let mut messages: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the corpus at {}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    messages.sort();
    let bytes: usize = messages.iter().map(Vec::len).sum();
    let (mut parsed, mut bounces) = (0u64, 0u64);
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(seconds) {
        for raw in &messages {
            bounces += u64::from(std::hint::black_box(parse_bounce_raw(raw)).is_some());
            parsed += 1;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{} messages ({:.1} MiB), {parsed} parsed in {elapsed:.2} s ({} read as bounces)",
        messages.len(),
        bytes as f64 / 1_048_576.0,
        bounces
    );
    println!(
        "{:.0} messages/s, {:.1} MiB/s, {:.1} µs per message",
        parsed as f64 / elapsed,
        (bytes as f64 * parsed as f64 / messages.len() as f64) / 1_048_576.0 / elapsed,
        elapsed * 1e6 / parsed as f64
    );
}
