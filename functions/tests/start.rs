//! Function binaries start against a fake Lambda Runtime API on loopback, with the
//! environment template.yaml gives them, and reach their first `GET .../invocation/next`;
//! a missing variable fails the start by name. Not timed: the cold-start benchmark
//! (benches/cold_start.rs) measures.

mod support;

use std::path::Path;
use std::time::Duration;
use support::lambda_env;
use support::runtime_api::{RuntimeApi, Start};

/// Generous: debug binaries on a loaded CI machine.
const LIMIT: Duration = Duration::from_secs(30);

fn start(program: &str, name: &str, unset: Option<&str>) -> Start {
    let mut env = lambda_env::for_function(name);
    if let Some(var) = unset {
        env.remove(var);
    }
    RuntimeApi::start().time_start(Path::new(program), &env, LIMIT)
}

fn assert_ready(program: &str, name: &str) {
    match start(program, name, None) {
        Start::Ready { .. } => {}
        other => panic!("{name} did not reach /next: {other:?}"),
    }
}

#[test]
fn an_http_route_reaches_next() {
    assert_ready(env!("CARGO_BIN_EXE_list-campaigns"), "list-campaigns");
}

#[test]
fn a_queue_worker_reaches_next() {
    assert_ready(env!("CARGO_BIN_EXE_send"), "send");
}

#[test]
fn a_scheduled_sweep_reaches_next() {
    assert_ready(env!("CARGO_BIN_EXE_link-health-sweep"), "link-health-sweep");
}

#[test]
fn reply_ingest_reaches_next() {
    assert_ready(env!("CARGO_BIN_EXE_reply-ingest"), "reply-ingest");
}

#[test]
fn a_missing_variable_fails_the_start_by_name() {
    for var in ["TABLE_NAME", "AWS_REGION", "EVENT_BUS_NAME"] {
        match start(env!("CARGO_BIN_EXE_crawl"), "crawl", Some(var)) {
            Start::Exited { code, stderr } => {
                assert_ne!(code, Some(0), "{var}: {stderr}");
                assert!(stderr.contains(var), "{var} is not named: {stderr}");
            }
            other => panic!("crawl started without {var}: {other:?}"),
        }
    }
}
