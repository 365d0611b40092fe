//! Backlink export throughput: a generated Ahrefs Site Explorer v3 backlinks export of a
//! million rows (the 30 columns of tests/fixtures/exports/ahrefs_backlinks_v3_utf16.csv),
//! written to a temporary file as Ahrefs writes it for Excel (UTF-16LE with its mark, tab,
//! every field quoted) and as its UTF-8 CSV, then read back streaming from the file, every row
//! normalised and folded into per-domain stats. Prints rows per second and the peak resident
//! memory of the read (VmHWM, reset after the file is written); figures go to
//! docs/benchmarks.md by hand.
//! Run: cargo bench -p backlinks-core --bench exports [-- ROWS]

use backlinks_core::domain::opportunities::exports::{DomainAggregate, ExportOptions, read_export};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

/// Referring domains the rows are spread over; the aggregate's size grows with these.
const DOMAINS: usize = 40_000;

const HEADER: [&str; 30] = [
    "Referring page title",
    "Referring page URL",
    "Language",
    "Platform",
    "Referring page HTTP code",
    "Domain rating",
    "Domain traffic",
    "Referring domains",
    "Linked domains",
    "External links",
    "Page traffic",
    "Keywords",
    "Target URL",
    "Left context",
    "Anchor",
    "Right context",
    "Type",
    "Content",
    "Nofollow",
    "UGC",
    "Sponsored",
    "Rendered",
    "Raw",
    "Lost status",
    "Drop reason",
    "Discovered status",
    "First seen",
    "Last seen",
    "Lost",
    "Links in group",
];

fn row(i: usize) -> [String; 30] {
    let domain = i % DOMAINS;
    let yes = |every: usize| {
        if i.is_multiple_of(every) {
            "true"
        } else {
            "false"
        }
        .to_string()
    };
    [
        format!("Garden tools we tested, part {}", i % 97),
        format!(
            "https://blog{}.site{domain}.com/reviews/{i}-garden-tools",
            i % 3
        ),
        "en".into(),
        "Blogs".into(),
        "200".into(),
        (domain % 101).to_string(),
        (domain * 37 % 250_000).to_string(),
        (domain % 5_000).to_string(),
        (i % 900).to_string(),
        (i % 120).to_string(),
        (i % 3_000).to_string(),
        (i % 400).to_string(),
        format!("https://rival-one.com/products/{}", i % 250),
        "Our favourite pair are the".into(),
        format!("Rival One shears {}", i % 50),
        "for dead-heading roses.".into(),
        "text".into(),
        yes(3),
        yes(5),
        yes(17),
        yes(29),
        "false".into(),
        "true".into(),
        if i.is_multiple_of(11) { "removed" } else { "" }.into(),
        String::new(),
        "linkfound".into(),
        format!("2023-{:02}-{:02} 06:15:42", i % 12 + 1, i % 28 + 1),
        "2024-05-02 11:20:00".into(),
        if i.is_multiple_of(11) {
            "2024-02-10 08:00:00"
        } else {
            ""
        }
        .into(),
        "1".into(),
    ]
}

fn write_export(path: &Path, rows: usize, utf16: bool) -> std::io::Result<u64> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let line = |cells: &[String]| -> String {
        let quoted: Vec<String> = cells.iter().map(|c| format!("\"{c}\"")).collect();
        if utf16 {
            quoted.join("\t") + "\r\n"
        } else {
            quoted.join(",") + "\n"
        }
    };
    let mut put = |text: &str| -> std::io::Result<()> {
        if utf16 {
            let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
            out.write_all(&bytes)
        } else {
            out.write_all(text.as_bytes())
        }
    };
    if utf16 {
        put("\u{feff}")?;
    }
    put(&line(&HEADER.map(String::from)))?;
    for i in 0..rows {
        put(&line(&row(i)))?;
    }
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(std::fs::metadata(path)?.len())
}

/// The process's peak resident memory in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    let rows: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (name, utf16) in [("UTF-16LE, tab", true), ("UTF-8, comma", false)] {
        let path = dir
            .path()
            .join(if utf16 { "utf16.csv" } else { "utf8.csv" });
        let bytes = write_export(&path, rows, utf16).expect("the export is written");
        // Writing "5" resets VmHWM (Linux 4.0+), so the peak is the read's alone.
        let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
        let options = ExportOptions {
            max_bytes: u64::MAX,
            ..ExportOptions::default()
        };
        let mut domains = DomainAggregate::new();
        let started = Instant::now();
        let file = File::open(&path).expect("the export opens");
        let summary = read_export(file, &options, |row| domains.add(&row)).expect("it reads");
        let elapsed = started.elapsed().as_secs_f64();
        println!(
            "{name}: {:.1} MiB, {} rows read ({} bad), {} referring domains, {:.2} s",
            bytes as f64 / 1_048_576.0,
            summary.rows,
            summary.bad_rows,
            domains.len(),
            elapsed
        );
        println!(
            "  {:.0} rows/s, {:.1} MiB/s, peak RSS {:.1} MiB{}",
            summary.rows as f64 / elapsed,
            bytes as f64 / 1_048_576.0 / elapsed,
            peak_rss_kib() as f64 / 1024.0,
            if reset {
                ""
            } else {
                " (whole process: VmHWM could not be reset)"
            }
        );
        std::fs::remove_file(&path).ok();
    }
}
