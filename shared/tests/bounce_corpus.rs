//! The bounce parser over real mail nobody here wrote, against expectations worked out from
//! each message and RFCs 3461-3464 (see tests/fixtures/bounces/README.md):
//!
//! - sisimai's set-of-emails, read from `../shared/corpora/bounces-sisimai/` beside the
//!   project (never copied into it), against tests/fixtures/bounces/expected.tsv;
//! - the real bounces of other projects' test suites kept with their licences in
//!   tests/fixtures/bounces/<source>/, against tests/fixtures/bounces/expected-others.tsv
//!   (file names there are relative to tests/fixtures/bounces/).
//!
//! Each set is scored on its own: every failed recipient found (and none that did not
//! fail) and the right hard/soft verdict (or none, for a message that is no bounce).

use backlinks_core::domain::bounce::{Bounce, parse_bounce_raw};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    // The project's root is this crate's parent; the corpus sits beside the project.
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn sisimai() -> PathBuf {
    root().join("../shared/corpora/bounces-sisimai")
}

fn fixtures() -> PathBuf {
    root().join("tests/fixtures/bounces")
}

struct Expected {
    file: String,
    recipients: BTreeSet<String>,
    /// `hard`, `soft` or `none` (not a bounce).
    verdict: String,
}

fn expected(table: &str) -> Vec<Expected> {
    let path = fixtures().join(table);
    let table = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
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

/// The rows read right and the misses, each as a line to print. `BOUNCE_DUMP=path`
/// writes how every recipient was read.
fn score(dir: &Path, rows: &[Expected], dump_suffix: &str) -> (usize, Vec<String>) {
    let mut misses = Vec::new();
    let mut dump = String::new();
    for e in rows {
        let raw = std::fs::read(dir.join(&e.file)).expect(&e.file);
        let b = parse_bounce_raw(&raw);
        let got: BTreeSet<String> = b
            .iter()
            .flat_map(|b| b.recipients.iter().cloned())
            .collect();
        let v = verdict(&b);
        match &b {
            Some(b) => {
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
            }
            None => dump.push_str(&format!("{}\t-\n", e.file)),
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
        std::fs::write(format!("{path}{dump_suffix}"), dump).unwrap();
    }
    (rows.len() - misses.len(), misses)
}

fn report(name: &str, right: usize, total: usize, misses: &[String]) -> f64 {
    let share = right as f64 / total as f64;
    println!("{name}: {right}/{total} right ({:.1}%)", share * 100.0);
    for m in misses {
        println!("  miss {m}");
    }
    share
}

#[test]
fn at_least_95_percent_of_real_bounces_have_every_recipient_and_the_right_verdict() {
    let dir = sisimai();
    assert!(dir.is_dir(), "the corpus is missing at {}", dir.display());
    let expected = expected("expected.tsv");
    assert!(expected.len() >= 390, "{} rows", expected.len());
    let (right, misses) = score(&dir, &expected, "");
    let share = report("bounce corpus (sisimai)", right, expected.len(), &misses);
    assert!(share >= 0.95, "{:.1}% right", share * 100.0);
}

/// The other projects' real bounces: scored per source and on their own (never mixed into
/// sisimai's figure), then with sisimai's for the bar (95% of all the real mail).
/// On their own they hold a floor at today's 92%: the misses left are listed with their
/// reasons in docs/decisions.md ("Bounces: ... known misses").
#[test]
fn other_projects_real_bounces_are_read_right_and_all_real_mail_clears_95_percent() {
    let expected = expected("expected-others.tsv");
    assert!(expected.len() >= 160, "{} rows", expected.len());
    let mut sources: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let (right, misses) = score(&fixtures(), &expected, ".others");
    for e in &expected {
        let source = e.file.split('/').next().unwrap_or_default();
        let entry = sources.entry(source).or_default();
        entry.1 += 1;
        if !misses
            .iter()
            .any(|m| m.starts_with(&format!("{}:", e.file)))
        {
            entry.0 += 1;
        }
    }
    for (source, (r, t)) in &sources {
        println!("  {source}: {r}/{t}");
    }
    let share = report("bounce corpus (others)", right, expected.len(), &misses);
    assert!(share >= 0.92, "{:.1}% right", share * 100.0);
    let sisimai_rows = self::expected("expected.tsv");
    let (sisimai_right, _) = score(&sisimai(), &sisimai_rows, ".sisimai");
    let all = (right + sisimai_right) as f64 / (expected.len() + sisimai_rows.len()) as f64;
    println!("all real mail: {:.1}% right", all * 100.0);
    assert!(all >= 0.95, "{:.1}% of all real mail right", all * 100.0);
}

/// `BOUNCE_FILE=lhost-postfix-01.eml cargo test --test bounce_corpus show -- --nocapture`
/// prints how one message is read (a name with a `/` is under tests/fixtures/bounces/).
#[test]
fn show() {
    let Ok(file) = std::env::var("BOUNCE_FILE") else {
        return;
    };
    for file in file.split(',') {
        let dir = if file.contains('/') {
            fixtures()
        } else {
            sisimai()
        };
        let raw = std::fs::read(dir.join(file)).expect(file);
        let mail = backlinks_core::domain::inbound::parse(&raw);
        println!("==== {file}\n{mail:#?}");
        println!("{:#?}", parse_bounce_raw(&raw));
    }
}

/// Every message file of a folder, sorted.
fn messages(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml" || x == "txt"))
        .collect();
    files.sort();
    files
}

/// The parser never panics: every corpus message, cut and with bytes flipped, inserted
/// and duplicated by a seeded generator, for a bounded time (about 10 seconds).
#[test]
fn mutated_corpus_messages_never_panic() {
    let dir = sisimai();
    if !dir.is_dir() {
        panic!("the corpus is missing at {}", dir.display());
    }
    let mut files = messages(&dir);
    for source in ["flufl-bounce", "bounce-email", "baunsu"] {
        files.extend(messages(&fixtures().join(source)));
    }
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
