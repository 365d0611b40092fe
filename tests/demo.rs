//! `backlinks demo` runs the whole loop: fixture sites, discovery, crawl, qualification,
//! drafts, review, sending, replies through the inbox, and its summary.

use backlinks_core::local::demo;

#[tokio::test]
async fn the_demo_runs_the_whole_outreach_loop() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let mut steps = Vec::new();
    let summary = demo::run(&data, &mut |line| steps.push(line.to_string()))
        .await
        .unwrap();
    assert!(steps.len() >= 7, "{steps:?}");
    assert_eq!(summary.prospects_found, 5);
    assert_eq!(summary.emails_sent, 5);
    for class in [
        "interested",
        "agreed",
        "out_of_office",
        "bounce_hard",
        "unsubscribe_request",
    ] {
        assert_eq!(
            summary.replies_by_class.get(class),
            Some(&1),
            "{class}: {summary:?}"
        );
    }
    assert_eq!(summary.links_won, 1);
    assert!(
        summary.plan.starts_with("UK, 33 links over 14 months"),
        "{}",
        summary.plan
    );
    assert_eq!(
        summary.plan_links_live, 1,
        "the won link is live in the plan"
    );
    assert_eq!(summary.backlinks_by_status.get("published"), Some(&1));
    assert_eq!(summary.backlinks_by_status.get("responded"), Some(&1));
    assert_eq!(summary.suppressed, 1);
    assert_eq!(summary.replies.len(), 5);
    assert_eq!(
        std::fs::read_dir(data.join("inbox/processed"))
            .unwrap()
            .count(),
        5
    );
    let report = demo::report(&summary);
    assert!(report.contains("links won:           1"), "{report}");

    // A folder that already holds data is refused, not mixed into.
    let again = demo::run(&data, &mut |_| {}).await;
    assert!(again.unwrap_err().contains("not empty"));
}
