use super::*;
use crate::domain::plans::PageType;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("../../../../../../tests/fixtures/imports/", $name))
    };
}

fn urls(outcome: &ImportOutcome) -> Vec<&str> {
    outcome.pages.iter().map(|p| p.url.as_str()).collect()
}

fn where_(outcome: &ImportOutcome) -> Vec<(Option<usize>, Option<&str>)> {
    outcome
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_deref()))
        .collect()
}

fn keywords(page: &PageInput) -> Vec<(&str, u32, Option<u8>)> {
    page.keywords
        .iter()
        .map(|k| (k.keyword.as_str(), k.volume, k.difficulty))
        .collect()
}

#[test]
fn our_pages_csv_keeps_good_rows_and_names_the_column_of_each_bad_one() {
    let outcome = parse_pages_csv(fixture!("pages.csv")).unwrap();
    assert_eq!(outcome.format, ImportFormat::PagesCsv);
    assert_eq!(
        urls(&outcome),
        [
            "https://www.example.com/",
            "https://www.example.com/running-shoes/",
            "https://www.example.com/blog/how-to-lace-running-shoes",
        ]
    );
    let guide = &outcome.pages[2];
    assert_eq!(guide.page_type, Some(PageType::Guide));
    assert_eq!(
        guide.hub.as_deref(),
        Some("https://www.example.com/running-shoes/")
    );
    assert_eq!(guide.word_count, Some(3_400));
    assert_eq!(guide.commercial_value, None);
    assert_eq!(
        keywords(guide),
        [
            ("how to lace running shoes", 2_900, None),
            ("lacing techniques", 0, None)
        ]
    );
    assert_eq!(
        where_(&outcome),
        [
            (Some(5), Some("pageType")),
            (Some(6), Some("url")),
            (Some(7), Some("url")),
            (Some(8), Some("keywords")),
        ]
    );
    assert!(
        outcome.errors[0].message.contains("blog_article"),
        "{}",
        outcome.errors[0]
    );
    assert!(
        outcome.errors[2].message.contains("row 3"),
        "{}",
        outcome.errors[2]
    );
}

#[test]
fn a_semrush_positions_export_becomes_one_page_per_url() {
    let outcome = parse_pages_csv(fixture!("semrush_organic_positions.csv")).unwrap();
    assert_eq!(outcome.format, ImportFormat::SemrushOrganicKeywords);
    assert_eq!(
        urls(&outcome),
        [
            "https://www.example.com/running-shoes/",
            "https://www.example.com/blog/best-running-shoes",
            "https://www.example.com/blog/how-to-lace-running-shoes",
            "https://www.example.com/",
        ]
    );
    assert_eq!(
        keywords(&outcome.pages[0]),
        [
            ("running shoes", 49_500, Some(67)),
            ("trail running shoes", 12_100, Some(45))
        ]
    );
    assert_eq!(where_(&outcome), [(Some(7), Some("Search Volume"))]);
}

#[test]
fn an_ahrefs_utf16_tab_export_is_read_and_lost_keywords_are_skipped() {
    let outcome = parse_pages_csv(fixture!("ahrefs_organic_keywords.csv")).unwrap();
    assert_eq!(outcome.format, ImportFormat::AhrefsOrganicKeywords);
    assert_eq!(
        urls(&outcome),
        [
            "https://www.example.com/running-shoes/",
            "https://www.example.com/blog/best-running-shoes",
            "https://www.example.com/glossary/heel-drop",
        ]
    );
    assert_eq!(
        keywords(&outcome.pages[0]),
        [
            ("running shoes", 49_500, Some(67)),
            ("trail running shoes", 12_100, Some(45))
        ]
    );
    assert_eq!(keywords(&outcome.pages[2]), [("heel drop", 880, None)]);
    assert_eq!(where_(&outcome), [(Some(5), Some("KD"))]);
}

#[test]
fn a_search_console_pages_export_sets_performance_and_merges_jump_links() {
    let outcome = parse_pages_csv(fixture!("search_console_pages.csv")).unwrap();
    assert_eq!(outcome.format, ImportFormat::SearchConsolePages);
    assert_eq!(outcome.pages.len(), 4);
    let lace = &outcome.pages[2];
    assert_eq!(
        lace.url,
        "https://www.example.com/blog/how-to-lace-running-shoes"
    );
    assert_eq!(
        lace.performance,
        Some(SearchPerformance {
            clicks: 59,
            impressions: 6_083,
            position: Some(16.92),
        })
    );
    assert_eq!(where_(&outcome), [(Some(7), Some("Top pages"))]);
}

#[test]
fn older_ahrefs_headers_bom_semicolons_and_separators_are_accepted() {
    let legacy =
        "\u{feff}Keyword;Position;Volume;KD;URL\nboots;3;\"1,300\";;https://example.com/boots\n";
    let outcome = parse_pages_csv(legacy.as_bytes()).unwrap();
    assert_eq!(outcome.format, ImportFormat::AhrefsOrganicKeywords);
    assert_eq!(keywords(&outcome.pages[0]), [("boots", 1_300, None)]);
    assert!(outcome.errors.is_empty());
}

#[test]
fn a_page_keeps_its_highest_volume_keywords_up_to_the_bound() {
    let mut file = String::from("Keyword,Search Volume,URL\n");
    for i in 0..MAX_KEYWORDS_PER_PAGE + 10 {
        file.push_str(&format!("kw {i},{i},https://example.com/a\n"));
    }
    file.push_str("KW 5,999,https://example.com/a\n");
    let outcome = parse_pages_csv(file.as_bytes()).unwrap();
    let page = &outcome.pages[0];
    assert_eq!(page.keywords.len(), MAX_KEYWORDS_PER_PAGE);
    assert_eq!(
        (page.keywords[0].keyword.as_str(), page.keywords[0].volume),
        ("kw 5", 999)
    );
    assert!(
        page.keywords
            .iter()
            .all(|k| k.volume >= 10 || k.keyword == "kw 5")
    );
}

#[test]
fn an_unknown_file_says_what_is_recognised_and_limits_are_errors() {
    let e = parse_pages_csv(b"Address,Status Code\nhttps://example.com/,200\n").unwrap_err();
    assert_eq!(e.row, Some(1));
    for needed in [
        "Current URL",
        "Search Volume",
        "Top pages",
        "commercialValue",
    ] {
        assert!(e.message.contains(needed), "{e}");
    }
    let e = parse_pages_csv(b"url,notes\nhttps://example.com/,x\n").unwrap_err();
    assert_eq!(e.column.as_deref(), Some("notes"));
    assert!(parse_pages_csv(b"").is_err());
    let e = parse_pages_csv(b"url\nhttps://example.com/\n\xff\xfe\n").unwrap_err();
    assert_eq!(e.row, Some(3));
    let big = vec![b' '; MAX_IMPORT_BYTES + 1];
    assert!(
        parse_pages_csv(&big)
            .unwrap_err()
            .message
            .contains("50 MiB")
    );
    let many = format!("url\n{}", "\"\"\n".repeat(MAX_IMPORT_ROWS + 1));
    let e = parse_pages_csv(many.as_bytes()).unwrap_err();
    assert!(e.message.contains("1000000 rows"), "{e}");
}
