//! Cold start of every function binary: exec to its first `GET .../invocation/next`
//! against a fake Runtime API on loopback, beside a floor process (a shell script that
//! only makes that GET with curl) measured in the same run, interleaved so drift hits
//! both alike. Prints a Markdown table for docs/benchmarks.md.
//!
//! `cargo bench -p backlinks-functions --bench cold_start -- [--runs N] [NAME...]`, or
//! infra/bench-cold-start.sh, which also builds the arm64 zips whose sizes it reports.

#[path = "../tests/support/lambda_env.rs"]
mod lambda_env;
#[path = "../tests/support/runtime_api.rs"]
mod runtime_api;

use runtime_api::{RuntimeApi, Start};
use std::path::{Path, PathBuf};
use std::time::Duration;

struct Sample {
    init: Vec<Duration>,
    peak_rss_kb: u64,
}

impl Sample {
    fn median(&self) -> Duration {
        let mut sorted = self.init.clone();
        sorted.sort();
        sorted[sorted.len() / 2]
    }
    fn min(&self) -> Duration {
        self.init.iter().copied().min().unwrap_or_default()
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn function_names() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/bin");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("functions/src/bin")
        .flatten()
        .filter_map(|e| Some(e.path().file_stem()?.to_str()?.to_string()))
        .collect();
    names.sort();
    names
}

/// The floor: a shell script that execs curl for the one GET every function makes.
fn floor_script(dir: &Path) -> PathBuf {
    let path = dir.join("floor.sh");
    let script = format!(
        "#!/bin/sh\nexec curl -s \"http://$AWS_LAMBDA_RUNTIME_API{}\"\n",
        runtime_api::NEXT_PATH
    );
    std::fs::write(&path, script).expect("write the floor script");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    path
}

fn zip_kib(target: &Path, name: &str) -> Option<u64> {
    let zip = target.join("lambda").join(name).join("bootstrap.zip");
    Some(std::fs::metadata(zip).ok()?.len() / 1024)
}

fn main() {
    let mut runs = 15;
    let mut wanted = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).expect("--runs N"),
            "--bench" => {} // cargo bench passes this to every bench target
            name => wanted.push(name.to_string()),
        }
    }
    let exe = std::env::current_exe().expect("own path");
    // target/<profile>/deps/cold_start-<hash>: the binaries sit in target/<profile>.
    let bin_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("profile dir")
        .to_path_buf();
    let target = bin_dir.parent().expect("target dir").to_path_buf();
    let names: Vec<String> = function_names()
        .into_iter()
        .filter(|n| wanted.is_empty() || wanted.contains(n))
        .collect();
    let scratch = std::env::temp_dir().join(format!("cold-start-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    let floor = floor_script(&scratch);

    let api = RuntimeApi::start();
    let limit = Duration::from_secs(10);
    let measure =
        |program: &Path, env, sample: &mut Sample| match api.time_start(program, env, limit) {
            Start::Ready { init, peak_rss_kb } => {
                sample.init.push(init);
                sample.peak_rss_kb = sample.peak_rss_kb.max(peak_rss_kb);
            }
            Start::Exited { code, stderr } => {
                panic!(
                    "{} exited ({code:?}) before /next: {stderr}",
                    program.display()
                )
            }
            Start::TimedOut => panic!("{} did not reach /next in time", program.display()),
        };
    let new_sample = || Sample {
        init: vec![],
        peak_rss_kb: 0,
    };
    let mut floor_sample = new_sample();
    let mut samples: Vec<Sample> = names.iter().map(|_| new_sample()).collect();
    let envs: Vec<_> = names.iter().map(|n| lambda_env::for_function(n)).collect();
    let floor_env = lambda_env::for_function("floor");
    for _ in 0..runs {
        measure(&floor, &floor_env, &mut floor_sample);
        for (i, name) in names.iter().enumerate() {
            measure(&bin_dir.join(name), &envs[i], &mut samples[i]);
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);

    let floor_median = floor_sample.median();
    println!(
        "{runs} runs each, interleaved, binaries from {}\n",
        bin_dir.display()
    );
    println!("| process | median ms | min ms | median / floor | peak RSS MiB | arm64 zip KiB |");
    println!("|---|---:|---:|---:|---:|---:|");
    println!(
        "| floor (sh + curl) | {:.1} | {:.1} | 1.00 | {:.1} | |",
        ms(floor_median),
        ms(floor_sample.min()),
        floor_sample.peak_rss_kb as f64 / 1024.0
    );
    let mut rows: Vec<(&String, &Sample)> = names.iter().zip(&samples).collect();
    rows.sort_by_key(|(_, s)| std::cmp::Reverse(s.median()));
    for (name, s) in &rows {
        println!(
            "| `{name}` | {:.1} | {:.1} | {:.2} | {:.1} | {} |",
            ms(s.median()),
            ms(s.min()),
            ms(s.median()) / ms(floor_median),
            s.peak_rss_kb as f64 / 1024.0,
            zip_kib(&target, name).map_or("-".into(), |k| k.to_string())
        );
    }
    let within = rows
        .iter()
        .filter(|(_, s)| s.median() <= floor_median * 2)
        .count();
    let heaviest = rows
        .first()
        .map_or(0.0, |(_, s)| ms(s.median()) / ms(floor_median));
    let max_rss = rows.iter().map(|(_, s)| s.peak_rss_kb).max().unwrap_or(0);
    println!(
        "\n{within} of {} functions within 2x the floor; heaviest {heaviest:.2}x; highest peak RSS {:.1} MiB",
        rows.len(),
        max_rss as f64 / 1024.0
    );
}
