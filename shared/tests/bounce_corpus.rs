//! The bounce parser over real mail nobody here wrote: sisimai's set-of-emails, read from
//! `../shared/corpora/bounces-sisimai/` beside the project (never copied into it), against
//! the expectations in tests/fixtures/bounces/expected.tsv (worked out from each message
//! and RFCs 3461-3464; see that folder's README).

use backlinks_core::domain::bounce::{Bounce, parse_bounce_raw};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn root() -> PathBuf {
    // The project's root is this crate's parent; the corpus sits beside the project.
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn corpus() -> PathBuf {
    root().join("../shared/corpora/bounces-sisimai")
}

struct Expected {
    file: String,
    recipients: BTreeSet<String>,
    /// `hard`, `soft` or `none` (not a bounce).
    verdict: String,
}

fn expected() -> Vec<Expected> {
    let table = std::fs::read_to_string(root().join("tests/fixtures/bounces/expected.tsv"))
        .expect("tests/fixtures/bounces/expected.tsv");
    table
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            Expected {
                file: cols[0].to_string(),
                recipients: cols[1]
                    .split(',')
                    .map(|a| a.trim().to_ascii_lowercase())
                    .filter(|a| !a.is_empty())
                    .collect(),
                verdict: cols[2].to_string(),
            }
        })
        .collect()
}

fn verdict(b: &Option<Bounce>) -> &'static str {
    match b {
        None => "none",
        Some(b) if b.permanent => "hard",
        Some(_) => "soft",
    }
}

#[test]
fn at_least_95_percent_of_real_bounces_have_every_recipient_and_the_right_verdict() {
    let dir = corpus();
    assert!(dir.is_dir(), "the corpus is missing at {}", dir.display());
    let expected = expected();
    assert!(expected.len() >= 390, "{} rows", expected.len());
    let mut misses = Vec::new();
    let mut dump = String::new();
    for e in &expected {
        let raw = std::fs::read(dir.join(&e.file)).expect(&e.file);
        let b = parse_bounce_raw(&raw);
        let got: BTreeSet<String> = b
            .iter()
            .flat_map(|b| b.recipients.iter().cloned())
            .collect();
        let v = verdict(&b);
        if let Some(b) = &b {
            for f in &b.failures {
                dump.push_str(&format!(
                    "{}\t{}\t{:?}\t{}\t{:?}\t{:?}\t{:?}\n",
                    e.file,
                    f.address,
                    f.action,
                    if f.hard { "hard" } else { "soft" },
                    f.status,
                    f.reason,
                    f.rule
                ));
            }
        } else {
            dump.push_str(&format!("{}\t-\n", e.file));
        }
        // Every failed recipient must be found, and none that did not fail.
        if got != e.recipients || v != e.verdict {
            misses.push(format!(
                "{}: expected {:?} {}, got {:?} {}",
                e.file, e.recipients, e.verdict, got, v
            ));
        }
    }
    if let Ok(path) = std::env::var("BOUNCE_DUMP") {
        std::fs::write(path, dump).unwrap();
    }
    let total = expected.len();
    let right = total - misses.len();
    let share = right as f64 / total as f64;
    println!(
        "bounce corpus: {right}/{total} right ({:.1}%)",
        share * 100.0
    );
    for m in &misses {
        println!("  miss {m}");
    }
    assert!(share >= 0.95, "{:.1}% right", share * 100.0);
}

/// `BOUNCE_FILE=lhost-postfix-01.eml cargo test --test bounce_corpus show -- --nocapture`
/// prints how one message is read.
#[test]
fn show() {
    let Ok(file) = std::env::var("BOUNCE_FILE") else {
        return;
    };
    for file in file.split(',') {
        let raw = std::fs::read(corpus().join(file)).expect(file);
        let mail = backlinks_core::domain::inbound::parse(&raw);
        println!("==== {file}\n{mail:#?}");
        println!("{:#?}", parse_bounce_raw(&raw));
    }
}

/// The parser never panics: every corpus message, cut and with bytes flipped, inserted
/// and duplicated by a seeded generator, for a bounded time (about 10 seconds).
#[test]
fn mutated_corpus_messages_never_panic() {
    let dir = corpus();
    if !dir.is_dir() {
        panic!("the corpus is missing at {}", dir.display());
    }
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let started = std::time::Instant::now();
    let mut runs = 0;
    'outer: for round in 0..50 {
        for path in &files {
            if started.elapsed() > std::time::Duration::from_secs(10) {
                break 'outer;
            }
            let mut raw = std::fs::read(path).unwrap();
            for _ in 0..=round % 8 {
                if raw.is_empty() {
                    break;
                }
                let at = (next() as usize) % raw.len();
                match next() % 5 {
                    0 => raw[at] ^= (next() % 255 + 1) as u8,
                    1 => raw.truncate(at),
                    2 => raw.insert(at, [b'\n', b':', b'<', b'@', 0xff][(next() % 5) as usize]),
                    3 => {
                        let end = (at + (next() as usize % 200)).min(raw.len());
                        let piece = raw[at..end].to_vec();
                        raw.splice(at..at, piece);
                    }
                    _ => raw[at] = b'-',
                }
            }
            let _ = parse_bounce_raw(&raw);
            runs += 1;
        }
    }
    println!("{runs} mutated messages parsed without a panic");
    assert!(runs > 100);
}
