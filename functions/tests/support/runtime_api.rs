//! A fake Lambda Runtime API on loopback: it notes when a process first asks for an
//! invocation (`GET .../runtime/invocation/next`) and never answers, so what it measures
//! is the function's start and nothing after. Shared by the start-up test and the
//! cold-start benchmark.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// The path every function polls for work.
pub const NEXT_PATH: &str = "/2018-06-01/runtime/invocation/next";

pub struct RuntimeApi {
    /// `host:port`, what `AWS_LAMBDA_RUNTIME_API` holds.
    pub address: String,
    requests: Receiver<(Instant, String)>,
}

/// How one start ended.
#[derive(Debug)]
pub enum Start {
    /// The process asked for its first invocation after this long; its peak RSS (kB) then.
    Ready {
        init: Duration,
        peak_rss_kb: u64,
    },
    /// The process exited before asking, with this status and standard error.
    Exited {
        code: Option<i32>,
        stderr: String,
    },
    TimedOut,
}

impl RuntimeApi {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let address = listener.local_addr().expect("local address").to_string();
        let (tx, requests) = channel();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let tx = tx.clone();
                // Each connection is read on its own thread and kept open (never answered)
                // until the process under test is killed.
                std::thread::spawn(move || {
                    let mut line = String::new();
                    let mut reader = BufReader::new(stream);
                    if reader.read_line(&mut line).is_ok() {
                        let _ = tx.send((Instant::now(), line));
                        let mut rest = Vec::new();
                        let _ = std::io::Read::read_to_end(&mut reader, &mut rest);
                    }
                });
            }
        });
        Self { address, requests }
    }

    /// Starts `program` with exactly `env` (plus this API's address) and waits until it asks
    /// for its first invocation, exits, or `limit` passes. The process is killed afterwards.
    pub fn time_start(
        &self,
        program: &Path,
        env: &HashMap<String, String>,
        limit: Duration,
    ) -> Start {
        while self.requests.try_recv().is_ok() {}
        let mut command = Command::new(program);
        command
            .env_clear()
            .envs(env)
            .env("AWS_LAMBDA_RUNTIME_API", &self.address)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let started = Instant::now();
        let mut child = command.spawn().expect("start the function");
        let outcome = self.wait(&mut child, started, limit);
        let _ = child.kill();
        let _ = child.wait();
        outcome
    }

    fn wait(&self, child: &mut Child, started: Instant, limit: Duration) -> Start {
        loop {
            match self.requests.recv_timeout(Duration::from_millis(5)) {
                Ok((at, line)) if line.starts_with(&format!("GET {NEXT_PATH}")) => {
                    return Start::Ready {
                        init: at - started,
                        peak_rss_kb: peak_rss_kb(child.id()),
                    };
                }
                Ok(_) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Start::TimedOut,
            }
            if let Ok(Some(status)) = child.try_wait() {
                let mut stderr = String::new();
                if let Some(mut pipe) = child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut pipe, &mut stderr);
                }
                return Start::Exited {
                    code: status.code(),
                    stderr,
                };
            }
            if started.elapsed() > limit {
                return Start::TimedOut;
            }
        }
    }
}

/// The high-water mark of a process's resident memory (`VmHWM`), in kB; 0 if unreadable.
fn peak_rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
