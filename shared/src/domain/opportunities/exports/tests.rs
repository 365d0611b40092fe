//! The fixtures of tests/fixtures/exports: one file per format and header variant, headers
//! as the tools document them and rows made up (see the README there).

use super::*;
use AuthorityMetric::*;

macro_rules! fixture {
    ($name:literal) => {
        (
            $name,
            include_bytes!(concat!("../../../../../tests/fixtures/exports/", $name)) as &[u8],
        )
    };
}

const FIXTURES: [(&str, &[u8]); 16] = [
    fixture!("ahrefs_backlinks_v3_utf16.csv"),
    fixture!("ahrefs_backlinks_v3_utf8.csv"),
    fixture!("ahrefs_backlinks_legacy.csv"),
    fixture!("ahrefs_referring_domains.csv"),
    fixture!("ahrefs_link_intersect.csv"),
    fixture!("semrush_backlinks.csv"),
    fixture!("semrush_backlinks_legacy.csv"),
    fixture!("semrush_backlink_gap.csv"),
    fixture!("moz_inbound_links.csv"),
    fixture!("majestic_backlinks.csv"),
    fixture!("gsc_top_linking_sites.csv"),
    fixture!("gsc_latest_links.csv"),
    fixture!("url_list.txt"),
    fixture!("url_list_with_header.csv"),
    fixture!("bad_rows.csv"),
    fixture!("unknown_format.csv"),
];

fn file(name: &str) -> &'static [u8] {
    FIXTURES.iter().find(|(n, _)| *n == name).expect(name).1
}

fn read(name: &str) -> (ExportSummary, Vec<ExportRow>) {
    let mut rows = Vec::new();
    let summary = read_export(file(name), &ExportOptions::default(), |r| rows.push(r))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    (summary, rows)
}

fn day(text: &str) -> Option<NaiveDate> {
    Some(text.parse().unwrap())
}

fn score(metric: AuthorityMetric, score: u8) -> Option<Authority> {
    Some(Authority { metric, score })
}

const FOLLOW: Option<Rel> = Some(Rel {
    nofollow: false,
    ugc: false,
    sponsored: false,
});

/// Rel attributes with `nofollow` and the other two as given.
fn nofollow(ugc: bool, sponsored: bool) -> Option<Rel> {
    Some(Rel {
        nofollow: true,
        ugc,
        sponsored,
    })
}

fn target(url: &str, domain: &str) -> (Option<String>, Option<String>) {
    (Some(url.into()), Some(domain.into()))
}

#[test]
fn every_fixture_is_told_apart_by_its_bytes_and_header() {
    use ExportFormat::*;
    let expected = [
        ("ahrefs_backlinks_v3_utf16.csv", AhrefsBacklinks, "v3", 3),
        ("ahrefs_backlinks_v3_utf8.csv", AhrefsBacklinks, "v3", 2),
        ("ahrefs_backlinks_legacy.csv", AhrefsBacklinks, "legacy", 2),
        (
            "ahrefs_referring_domains.csv",
            AhrefsReferringDomains,
            "v3",
            3,
        ),
        ("ahrefs_link_intersect.csv", AhrefsLinkIntersect, "v3", 3),
        (
            "semrush_backlinks.csv",
            SemrushBacklinks,
            "Authority Score",
            2,
        ),
        (
            "semrush_backlinks_legacy.csv",
            SemrushBacklinks,
            "legacy",
            1,
        ),
        ("semrush_backlink_gap.csv", SemrushBacklinkGap, "Gap", 6),
        ("moz_inbound_links.csv", MozLinks, "Open Site Explorer", 2),
        ("majestic_backlinks.csv", MajesticBacklinks, "Majestic", 2),
        (
            "gsc_top_linking_sites.csv",
            SearchConsoleTopLinkingSites,
            "top",
            3,
        ),
        (
            "gsc_latest_links.csv",
            SearchConsoleLatestLinks,
            "latest",
            2,
        ),
        ("url_list.txt", UrlList, "plain list", 3),
        ("url_list_with_header.csv", UrlList, "column", 2),
        ("bad_rows.csv", SemrushBacklinks, "Authority Score", 2),
    ];
    for (name, format, layout, rows) in expected {
        let (summary, read) = read(name);
        assert_eq!(summary.format, format, "{name}");
        assert!(
            summary.layout.contains(layout),
            "{name}: {}",
            summary.layout
        );
        assert_eq!((summary.rows, read.len() as u64), (rows, rows), "{name}");
    }
    assert_eq!(
        expected.len() + 1,
        FIXTURES.len(),
        "the unknown format is tested apart"
    );
}

#[test]
fn an_unknown_format_lists_the_formats_known() {
    let error = ExportReader::new(file("unknown_format.csv")).err().unwrap();
    let ExportError::UnknownFormat { known } = &error else {
        panic!("{error}");
    };
    assert_eq!(known.len(), ExportFormat::ALL.len());
    let message = error.to_string();
    for label in [
        "Ahrefs backlinks",
        "Semrush Backlink Gap",
        "Moz",
        "Majestic",
        "Search Console",
    ] {
        assert!(message.contains(label), "{message}");
    }
}

#[test]
fn ahrefs_v3_utf16_rows_in_the_common_schema() {
    let (summary, rows) = read("ahrefs_backlinks_v3_utf16.csv");
    let (target_url, target_domain) = target("https://rival-one.com/shears", "rival-one.com");
    let first = ExportRow {
        target_url,
        target_domain,
        anchor: Some("Rival One shears".into()),
        authority: score(AhrefsDomainRating, 67),
        traffic: Some(15_400),
        dofollow_links: Some(1),
        rel: FOLLOW,
        placement: Some(Placement::Content),
        first_seen: day("2023-07-14"),
        last_seen: day("2024-05-02"),
        ..ExportRow::bare(
            2,
            Some("https://blog.gardenweekly.com/tools/best-2024"),
            "gardenweekly.com",
        )
    };
    let (target_url, target_domain) = target("https://rival-one.com/", "rival-one.com");
    let forum = ExportRow {
        target_url,
        target_domain,
        anchor: Some("https://rival-one.com/".into()),
        authority: score(AhrefsDomainRating, 41),
        traffic: Some(2_100),
        dofollow_links: Some(0),
        rel: nofollow(true, false),
        placement: Some(Placement::Other),
        first_seen: day("2022-11-03"),
        last_seen: day("2024-04-28"),
        ..ExportRow::bare(
            3,
            Some("https://forum.growers.org.uk/t/secateurs/8812"),
            "growers.org.uk",
        )
    };
    assert_eq!(rows[..2], [first, forum]);
    let lost = &rows[2];
    assert_eq!(lost.referring_domain, "shopping-digest.com");
    assert_eq!(
        lost.target_url.as_deref(),
        Some("https://rival-one.com/sale?ref=sd")
    );
    assert_eq!((lost.lost, lost.lost_on), (true, day("2024-02-10")));
    assert_eq!(lost.rel.map(|r| r.sponsored), Some(true));
    let fed = |field| {
        summary
            .mapping
            .iter()
            .find(|u| u.field == field)
            .map(|u| &u.column[..])
    };
    assert_eq!(fed(Field::ReferringUrl), Some("Referring page URL"));
    assert_eq!(fed(Field::Authority), Some("Domain rating"));
    assert_eq!(fed(Field::Traffic), Some("Domain traffic"));
    assert_eq!(fed(Field::LostOn), Some("Lost"));
    assert_eq!(fed(Field::Sitewide), None);
}

#[test]
fn ahrefs_utf8_and_legacy_rows() {
    let (_, rows) = read("ahrefs_backlinks_v3_utf8.csv");
    assert_eq!(
        rows[0].referring_url.as_deref(),
        Some("https://www.soilmatters.net/compost")
    );
    assert_eq!(rows[0].anchor.as_deref(), Some("the full guide"));
    assert_eq!(
        rows[0].traffic,
        Some(9_800),
        "domain traffic before page traffic"
    );
    assert_eq!(
        (rows[1].referring_domain.as_str(), rows[1].line),
        ("127.0.0.1", 3)
    );
    let (_, rows) = read("ahrefs_backlinks_legacy.csv");
    let (target_url, target_domain) = target("https://rival-one.com/", "rival-one.com");
    let expected = ExportRow {
        target_url,
        target_domain,
        anchor: Some("rival-one.com".into()),
        authority: score(AhrefsDomainRating, 12),
        traffic: Some(0),
        dofollow_links: Some(0),
        rel: nofollow(false, true),
        first_seen: day("2019-02-02"),
        last_seen: day("2021-01-15"),
        lost: true,
        lost_on: day("2021-01-20"),
        ..ExportRow::bare(
            3,
            Some("http://linkfarm.directory-hub.info/garden?page=3"),
            "directory-hub.info",
        )
    };
    assert_eq!(rows[1], expected);
    assert_eq!(rows[0].rel, FOLLOW);
}

#[test]
fn ahrefs_domain_reports_and_link_intersect() {
    let (_, rows) = read("ahrefs_referring_domains.csv");
    let growers = ExportRow {
        authority: score(AhrefsDomainRating, 41),
        traffic: Some(2_100),
        links: 12,
        dofollow_links: Some(0),
        first_seen: day("2022-11-03"),
        ..ExportRow::bare(3, None, "growers.org.uk")
    };
    assert_eq!(rows[1], growers);
    assert_eq!((rows[2].lost, rows[2].lost_on), (true, day("2024-02-10")));

    let (summary, rows) = read("ahrefs_link_intersect.csv");
    let targets: Vec<_> = summary
        .mapping
        .iter()
        .filter(|u| u.field == Field::Target)
        .collect();
    assert_eq!(targets.len(), 2);
    let linked: Vec<(u64, &str, Option<&str>, u32)> = rows
        .iter()
        .map(|r| {
            (
                r.line,
                &r.referring_domain[..],
                r.target_domain.as_deref(),
                r.links,
            )
        })
        .collect();
    assert_eq!(
        linked,
        [
            (2, "gardenweekly.com", Some("rival-one.com"), 2),
            (2, "gardenweekly.com", Some("rival-two.com"), 1),
            (3, "allotment-news.co.uk", Some("rival-two.com"), 1),
        ]
    );
    assert_eq!(rows[2].authority, score(AhrefsDomainRating, 48));
    assert_eq!(rows[2].traffic, Some(5_200));
}

#[test]
fn semrush_rows_current_legacy_and_gap() {
    let (_, rows) = read("semrush_backlinks.csv");
    let (target_url, target_domain) = target("https://rival-two.com/pruning", "rival-two.com");
    let sitewide = ExportRow {
        target_url,
        target_domain,
        anchor: Some("pruning tips".into()),
        authority: score(SemrushAuthorityScore, 9),
        dofollow_links: Some(0),
        rel: nofollow(false, false),
        placement: Some(Placement::Sitewide),
        first_seen: day("2022-01-19"),
        last_seen: day("2024-04-11"),
        lost: true,
        ..ExportRow::bare(
            3,
            Some("https://links.hobbyring.net/garden"),
            "hobbyring.net",
        )
    };
    assert_eq!(rows[1], sitewide);
    assert_eq!(
        rows[0].placement, None,
        "not sitewide says nothing of where"
    );

    let (_, rows) = read("semrush_backlinks_legacy.csv");
    assert_eq!(rows[0].authority, score(SemrushPageScore, 7));
    assert_eq!(rows[0].rel, FOLLOW);
    assert_eq!(rows[0].first_seen, day("2018-03-01"));

    let (_, rows) = read("semrush_backlink_gap.csv");
    let linked: Vec<(&str, &str, u32)> = rows
        .iter()
        .map(|r| {
            (
                &r.referring_domain[..],
                r.target_domain.as_deref().unwrap(),
                r.links,
            )
        })
        .collect();
    assert_eq!(
        linked,
        [
            ("gardenweekly.com", "rival-one.com", 3),
            ("gardenweekly.com", "rival-two.com", 1),
            ("growers.org.uk", "rival-one.com", 12),
            ("soilmatters.net", "mysite.com", 2),
            ("soilmatters.net", "rival-one.com", 1),
            ("soilmatters.net", "rival-two.com", 4),
        ]
    );
    assert_eq!(rows[0].authority, score(SemrushAuthorityScore, 58));
}

#[test]
fn moz_after_its_preamble_and_majestic() {
    let (_, rows) = read("moz_inbound_links.csv");
    let (target_url, target_domain) = target("https://rival-one.com/", "rival-one.com");
    let forum = ExportRow {
        target_url,
        target_domain,
        anchor: Some("here".into()),
        authority: score(MozDomainAuthority, 41),
        dofollow_links: Some(0),
        rel: nofollow(false, false),
        ..ExportRow::bare(
            8,
            Some("http://forum.growers.org.uk/t/trowels/771"),
            "growers.org.uk",
        )
    };
    assert_eq!(
        rows[1], forum,
        "line 8: five preamble lines and the header before it"
    );
    assert_eq!((rows[0].line, rows[0].rel), (7, FOLLOW));

    let (_, rows) = read("majestic_backlinks.csv");
    let (target_url, target_domain) = target("https://rival-two.com/", "rival-two.com");
    let flagged = ExportRow {
        target_url,
        target_domain,
        anchor: Some("Rival Two".into()),
        authority: score(MajesticTrustFlow, 4),
        dofollow_links: Some(0),
        rel: nofollow(false, false),
        first_seen: day("2022-01-19"),
        last_seen: day("2024-04-11"),
        ..ExportRow::bare(
            3,
            Some("http://links.hobbyring.net/garden"),
            "hobbyring.net",
        )
    };
    assert_eq!(rows[1], flagged);
    assert_eq!(rows[0].rel, FOLLOW);
}

#[test]
fn search_console_and_plain_lists() {
    let (_, rows) = read("gsc_top_linking_sites.csv");
    let sites: Vec<(&str, u32)> = rows
        .iter()
        .map(|r| (&r.referring_domain[..], r.links))
        .collect();
    assert_eq!(
        sites,
        [
            ("gardenweekly.com", 14),
            ("growers.org.uk", 2),
            ("192.0.2.44", 1)
        ]
    );
    let (_, rows) = read("gsc_latest_links.csv");
    let latest = ExportRow {
        last_seen: day("2024-05-21"),
        ..ExportRow::bare(
            3,
            Some("https://forum.growers.org.uk/t/secateurs/8812"),
            "growers.org.uk",
        )
    };
    assert_eq!(rows[1], latest);

    let (_, rows) = read("url_list.txt");
    let listed: Vec<(u64, Option<&str>, &str)> = rows
        .iter()
        .map(|r| (r.line, r.referring_url.as_deref(), &r.referring_domain[..]))
        .collect();
    assert_eq!(
        listed,
        [
            (
                1,
                Some("https://blog.gardenweekly.com/tools/best-2024"),
                "gardenweekly.com"
            ),
            (2, None, "growers.org.uk"),
            (4, None, "soilmatters.net"),
        ]
    );
    let (summary, rows) = read("url_list_with_header.csv");
    assert_eq!(summary.mapping[0].column, "Website");
    assert_eq!(rows[1].referring_domain, "growers.org.uk");
}

#[test]
fn bad_rows_are_reported_by_line_and_the_rest_go_on() {
    let (summary, rows) = read("bad_rows.csv");
    assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 7]);
    let errors: Vec<(u64, Option<&str>)> = summary
        .errors
        .iter()
        .map(|e| (e.line, e.column.as_deref()))
        .collect();
    assert_eq!(
        errors,
        [
            (3, Some("Source url")),
            (4, Some("Page ascore")),
            (5, Some("First seen")),
            (6, Some("Source url")),
        ]
    );
    assert_eq!(summary.bad_rows, 4);
    assert!(
        summary.errors[1].reason.contains("\"high\""),
        "{}",
        summary.errors[1]
    );
    assert_eq!(
        summary.errors[2].to_string(),
        "line 5, First seen: \"yesterday\" is not a date"
    );

    let options = ExportOptions {
        max_reported_errors: 1,
        ..ExportOptions::default()
    };
    let summary = read_export(file("bad_rows.csv"), &options, |_| {}).unwrap();
    assert_eq!(
        (summary.errors.len(), summary.bad_rows, summary.rows),
        (1, 4, 2)
    );
}

#[test]
fn whole_file_failures_stop_the_import() {
    let options = ExportOptions {
        max_bytes: 100,
        ..ExportOptions::default()
    };
    let result = read_export(file("ahrefs_backlinks_v3_utf16.csv"), &options, |_| {});
    assert_eq!(result, Err(ExportError::TooLarge { limit: 100 }));
    let xlsx = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00";
    assert_eq!(
        ExportReader::new(&xlsx[..]).err(),
        Some(ExportError::NotText)
    );
    assert_eq!(ExportReader::new(&b""[..]).err(), Some(ExportError::Empty));
}

#[test]
fn the_aggregate_of_an_intersect_report_names_the_targets_per_domain() {
    let mut aggregate = DomainAggregate::new();
    read_export(
        file("semrush_backlink_gap.csv"),
        &ExportOptions::default(),
        |r| aggregate.add(&r),
    )
    .unwrap();
    assert_eq!(aggregate.len(), 3);
    let soil = aggregate.get("soilmatters.net").unwrap();
    assert_eq!(soil.links, 7);
    assert_eq!(
        aggregate.targets_of(soil),
        ["rival-one.com", "rival-two.com", "mysite.com"]
    );
}

#[test]
fn lines_count_blank_lines_quoted_newlines_and_rows_that_are_not_utf8() {
    let mut text = b"url,notes\r\nhttps://a.example.org/,\"two\r\nlines\"\r\n\r\n".to_vec();
    // Past the bytes the encoding is told from, so the file is UTF-8 with one bad row.
    for i in 0..400 {
        text.extend(format!("r{i}.example.org,filler\r\n").bytes());
    }
    text.extend(b"https://c.example.org/\xff,bad\r\nd.example.org,last");
    let mut lines = Vec::new();
    let summary =
        read_export(&text[..], &ExportOptions::default(), |r| lines.push(r.line)).unwrap();
    assert_eq!((lines.len(), &lines[..3]), (402, &[2, 5, 6][..]));
    assert_eq!(lines.last(), Some(&406));
    assert_eq!(
        summary.errors.iter().map(|e| e.line).collect::<Vec<_>>(),
        [405]
    );
    assert!(summary.errors[0].reason.contains("UTF-8"));
}
