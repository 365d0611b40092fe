//! The header tables: which columns name each export, and which column feeds which field.
//! Names are compared trimmed, in any case, and without spaces or punctuation, so
//! `Referring page URL`, `referring_page_url` and `"Ref. page URL "` are told by letters and
//! digits alone. The sources of every header are listed in tests/fixtures/exports/README.md.

use super::{AuthorityMetric, ColumnUse, ExportFormat, cells};
use serde::Serialize;

/// A field of `ExportRow` a column can feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    ReferringUrl,
    /// A domain or a URL (lists, Search Console sites, domain-level reports).
    ReferringSite,
    TargetUrl,
    Anchor,
    Authority,
    /// The referring domain's traffic.
    Traffic,
    /// The referring page's traffic, when there is no domain figure.
    PageTraffic,
    Links,
    DofollowLinks,
    Nofollow,
    /// The inverse of `Nofollow` (Open Site Explorer's "Followable").
    Follow,
    Ugc,
    Sponsored,
    /// One cell with the rel words (Ahrefs' legacy "Type").
    RelWords,
    Content,
    Sitewide,
    FirstSeen,
    LastSeen,
    LostOn,
    LostStatus,
    LostFlag,
    /// A column per linked site in Link Intersect and Backlink Gap reports.
    Target,
}

const FIELDS: usize = Field::Target as usize;

/// One report's header: the names that must be there, and each field's column names in the
/// order tried.
struct Spec {
    format: ExportFormat,
    layout: &'static str,
    /// Every group must have one of its names in the header.
    requires: &'static [&'static [&'static str]],
    metric: Option<AuthorityMetric>,
    columns: &'static [(Field, &'static [&'static str])],
    /// Other columns named like a site are linked targets.
    targets: bool,
}

use Field::*;

const AHREFS_DR: Option<AuthorityMetric> = Some(AuthorityMetric::AhrefsDomainRating);

/// Tried in order: the more specific headers first (Link Intersect has a referring page URL
/// too; Majestic's "Source URL" and "Target URL" are Semrush's names as well).
const SPECS: [Spec; 12] = [
    Spec {
        format: ExportFormat::AhrefsLinkIntersect,
        layout: "Ahrefs Link Intersect, Site Explorer v3",
        requires: &[
            &["intersect"],
            &["referringpageurl", "domain", "referringdomain"],
        ],
        metric: AHREFS_DR,
        columns: &[
            (ReferringUrl, &["referringpageurl"]),
            (ReferringSite, &["domain", "referringdomain"]),
            (Authority, &["domainrating", "dr"]),
            (Traffic, &["domaintraffic", "traffic"]),
            (PageTraffic, &["pagetraffic"]),
        ],
        targets: true,
    },
    Spec {
        format: ExportFormat::AhrefsBacklinks,
        layout: "Ahrefs backlinks, Site Explorer v3 (2022-)",
        requires: &[&["referringpageurl"], &["targeturl"], &["anchor"]],
        metric: AHREFS_DR,
        columns: &[
            (ReferringUrl, &["referringpageurl"]),
            (TargetUrl, &["targeturl"]),
            (Anchor, &["anchor"]),
            (Authority, &["domainrating", "dr"]),
            (Traffic, &["domaintraffic"]),
            (PageTraffic, &["pagetraffic"]),
            (Nofollow, &["nofollow"]),
            (Ugc, &["ugc"]),
            (Sponsored, &["sponsored"]),
            (Content, &["content"]),
            (FirstSeen, &["firstseen"]),
            (LastSeen, &["lastseen"]),
            (LostOn, &["lost"]),
            (LostStatus, &["loststatus"]),
        ],
        targets: false,
    },
    Spec {
        format: ExportFormat::AhrefsBacklinks,
        layout: "Ahrefs backlinks, legacy Site Explorer (before 2022)",
        requires: &[&["referringpageurl"], &["linkurl"]],
        metric: AHREFS_DR,
        columns: &[
            (ReferringUrl, &["referringpageurl"]),
            (TargetUrl, &["linkurl"]),
            (Anchor, &["linkanchor", "anchor"]),
            (Authority, &["domainrating"]),
            (PageTraffic, &["pagetraffic"]),
            (RelWords, &["type"]),
            (FirstSeen, &["firstseen"]),
            (LastSeen, &["lastcheck", "lastseen"]),
            (LostOn, &["daylost", "lost"]),
        ],
        targets: false,
    },
    Spec {
        format: ExportFormat::AhrefsReferringDomains,
        layout: "Ahrefs referring domains, Site Explorer v3",
        requires: &[&["domain", "referringdomain"], &["linkstotarget"]],
        metric: AHREFS_DR,
        columns: &[
            (ReferringSite, &["domain", "referringdomain"]),
            (Authority, &["dr", "domainrating"]),
            (Traffic, &["traffic", "domaintraffic"]),
            (Links, &["linkstotarget"]),
            (DofollowLinks, &["dofollowlinks"]),
            (FirstSeen, &["firstseen"]),
            (LostOn, &["lost"]),
        ],
        targets: false,
    },
    Spec {
        format: ExportFormat::MajesticBacklinks,
        layout: "Majestic backlinks (Site Explorer download)",
        requires: &[
            &["sourceurl"],
            &["targeturl"],
            &["flagnofollow", "sourcetrustflow"],
        ],
        metric: Some(AuthorityMetric::MajesticTrustFlow),
        columns: &[
            (ReferringUrl, &["sourceurl"]),
            (TargetUrl, &["targeturl"]),
            (Anchor, &["anchortext"]),
            (Authority, &["sourcetrustflow"]),
            (Nofollow, &["flagnofollow"]),
            (FirstSeen, &["sourcefirstfounddate", "firstindexeddate"]),
            (LastSeen, &["sourcecrawldate", "lastseendate"]),
            (LostOn, &["datelost"]),
        ],
        targets: false,
    },
    Spec {
        format: ExportFormat::SemrushBacklinks,
        layout: "Semrush backlinks (Authority Score, 2020-)",
        requires: &[&["sourceurl"], &["targeturl"], &["pageascore"]],
        metric: Some(AuthorityMetric::SemrushAuthorityScore),
        columns: SEMRUSH_BACKLINKS,
        targets: false,
    },
    Spec {
        format: ExportFormat::SemrushBacklinks,
        layout: "Semrush backlinks, legacy (Page Score and Trust Score)",
        requires: &[&["sourceurl"], &["targeturl"], &["pagescore"]],
        metric: Some(AuthorityMetric::SemrushPageScore),
        columns: SEMRUSH_BACKLINKS,
        targets: false,
    },
    Spec {
        format: ExportFormat::SemrushBacklinkGap,
        layout: "Semrush Backlink Gap, referring domains",
        requires: &[&["domain"], &["matches"]],
        metric: Some(AuthorityMetric::SemrushAuthorityScore),
        columns: &[
            (ReferringSite, &["domain"]),
            (
                Authority,
                &["domainascore", "authorityscore", "ascore", "as"],
            ),
        ],
        targets: true,
    },
    Spec {
        format: ExportFormat::MozLinks,
        layout: "Moz Link Explorer / Open Site Explorer inbound links",
        requires: &[&["url"], &["targeturl"], &["domainauthority"]],
        metric: Some(AuthorityMetric::MozDomainAuthority),
        columns: &[
            (ReferringUrl, &["url"]),
            (TargetUrl, &["targeturl"]),
            (Anchor, &["anchortext"]),
            (Authority, &["domainauthority"]),
            (Nofollow, &["onlyrelnofollow"]),
            (Follow, &["followable"]),
        ],
        targets: false,
    },
    Spec {
        format: ExportFormat::SearchConsoleTopLinkingSites,
        layout: "Search Console Links, top linking sites",
        requires: &[&["site"], &["linkingpages"]],
        metric: None,
        columns: &[(ReferringSite, &["site"]), (Links, &["linkingpages"])],
        targets: false,
    },
    Spec {
        format: ExportFormat::SearchConsoleLatestLinks,
        layout: "Search Console Links, latest links (or sample links)",
        requires: &[&["linkingpage"]],
        metric: None,
        columns: &[
            (ReferringUrl, &["linkingpage"]),
            (LastSeen, &["lastcrawled"]),
        ],
        targets: false,
    },
    Spec {
        format: ExportFormat::UrlList,
        layout: "CSV with a URL or domain column",
        requires: &[LIST_COLUMNS],
        metric: None,
        columns: &[(ReferringSite, LIST_COLUMNS)],
        targets: false,
    },
];

/// Both Semrush backlinks headers: the legacy one lacks the ugc, sponsored and lost columns
/// and scores pages by Page Score.
const SEMRUSH_BACKLINKS: &[(Field, &[&str])] = &[
    (ReferringUrl, &["sourceurl"]),
    (TargetUrl, &["targeturl"]),
    (Anchor, &["anchor"]),
    (Authority, &["pageascore", "pagescore"]),
    (Nofollow, &["nofollow"]),
    (Ugc, &["ugc"]),
    (Sponsored, &["sponsored"]),
    (Sitewide, &["sitewide"]),
    (FirstSeen, &["firstseen"]),
    (LastSeen, &["lastseen"]),
    (LostFlag, &["lostlink"]),
];

/// The columns a plain list may be read by, URL-like names first.
const LIST_COLUMNS: &[&str] = &[
    "url",
    "urls",
    "referringpage",
    "referringurl",
    "sourceurl",
    "backlink",
    "link",
    "page",
    "pageurl",
    "domain",
    "domains",
    "referringdomain",
    "website",
    "site",
    "host",
    "hostname",
];

/// A header matched to one report.
#[derive(Debug, Clone)]
pub(super) struct Layout {
    pub(super) format: ExportFormat,
    pub(super) name: &'static str,
    pub(super) metric: Option<AuthorityMetric>,
    /// The header as written, trimmed (for errors and the mapping).
    pub(super) names: Vec<String>,
    columns: [Option<usize>; FIELDS],
    /// The fields the header has, in the report's order.
    fields: Vec<Field>,
    /// Target columns and the registrable domain each names.
    pub(super) targets: Vec<(usize, String)>,
}

impl Layout {
    pub(super) fn column(&self, field: Field) -> Option<usize> {
        self.columns.get(field as usize).copied().flatten()
    }

    /// A headerless list of URLs or domains.
    pub(super) fn bare_list() -> Self {
        let mut columns = [None; FIELDS];
        columns[ReferringSite as usize] = Some(0);
        Self {
            format: ExportFormat::UrlList,
            name: "plain list of URLs or domains",
            metric: None,
            names: vec!["(first column)".into()],
            columns,
            fields: vec![ReferringSite],
            targets: Vec::new(),
        }
    }

    pub(super) fn mapping(&self) -> Vec<ColumnUse> {
        let used = self.fields.iter().filter_map(|&field| {
            let column = self.names.get(self.column(field)?)?.clone();
            Some(ColumnUse { field, column })
        });
        let targets = self.targets.iter().map(|(i, _)| ColumnUse {
            field: Target,
            column: self.names[*i].clone(),
        });
        used.chain(targets).collect()
    }
}

/// Letters and digits, lower case: how header names are compared.
fn compact(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The report a header row belongs to. `lists` says whether a plain list is an answer:
/// preamble lines are searched for the tools' headers first.
pub(super) fn detect(header: &[String], lists: bool) -> Option<Layout> {
    let names: Vec<String> = header.iter().map(|h| compact(h)).collect();
    let find = |name: &str| names.iter().position(|n| n == name);
    let spec = SPECS.iter().find(|spec| {
        (lists || spec.format != ExportFormat::UrlList)
            && spec
                .requires
                .iter()
                .all(|group| group.iter().any(|name| find(name).is_some()))
    })?;
    let mut columns = [None; FIELDS];
    let mut fields = Vec::new();
    for &(field, aliases) in spec.columns {
        columns[field as usize] = aliases.iter().find_map(|alias| find(alias));
        if columns[field as usize].is_some() {
            fields.push(field);
        }
    }
    let targets = if spec.targets {
        header
            .iter()
            .enumerate()
            .filter(|(i, name)| {
                !columns.contains(&Some(*i)) && name.contains('.') && !name.contains(' ')
            })
            .filter_map(|(i, name)| Some((i, cells::site(name).ok()?.1)))
            .collect()
    } else {
        Vec::new()
    };
    Some(Layout {
        format: spec.format,
        name: spec.layout,
        metric: spec.metric,
        names: header.to_vec(),
        columns,
        fields,
        targets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &str) -> Vec<String> {
        names.split(',').map(str::to_string).collect()
    }

    #[test]
    fn names_compare_without_case_spaces_or_punctuation() {
        let layout = detect(
            &header("REFERRING_PAGE_URL,Target url ,anchor,Domain Rating"),
            false,
        )
        .unwrap();
        assert_eq!(layout.format, ExportFormat::AhrefsBacklinks);
        assert_eq!(layout.column(Authority), Some(3));
        assert_eq!(layout.column(Nofollow), None);
    }

    #[test]
    fn site_named_columns_are_targets_only_in_intersect_reports() {
        let gap = detect(
            &header("Domain,Domain ascore,Matches,mysite.com,rival.co.uk,Notes"),
            false,
        )
        .unwrap();
        assert_eq!(gap.format, ExportFormat::SemrushBacklinkGap);
        assert_eq!(
            gap.targets,
            [(3, "mysite.com".into()), (4, "rival.co.uk".into())]
        );
        let plain = detect(&header("url,example.com"), true).unwrap();
        assert!(plain.targets.is_empty());
    }

    #[test]
    fn plain_lists_only_when_asked_and_nothing_else_matches() {
        assert!(detect(&header("Website,Notes"), false).is_none());
        let list = detect(&header("Notes,Website"), true).unwrap();
        assert_eq!(list.format, ExportFormat::UrlList);
        assert_eq!(list.column(ReferringSite), Some(1));
        assert!(detect(&header("Keyword,Volume"), true).is_none());
    }
}
