//! The findings a link check reports (issue 15), each a stable code, and what each means for
//! the link: it kills it, it takes value from it, it is worth telling, or it says nothing
//! about the link at all.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FindingCode {
    /// The placement page answers 404 or 410.
    PageGone,
    /// The placement page now redirects to another page or site.
    RedirectedAway,
    /// A 200 that is an error page or a homepage in disguise.
    #[serde(rename = "soft_404")]
    Soft404,
    /// Network errors, timeouts, 5xx, 429 or a WAF challenge after retries: says nothing
    /// about the link by itself.
    Unreachable,
    /// No link to the target (nor to where the target now redirects).
    LinkRemoved,
    /// The link points at the target's old address, which redirects to it.
    WrongTarget,
    /// The anchor text differs from the planned or recorded one.
    AnchorChanged,
    Nofollow,
    Ugc,
    Sponsored,
    /// The link or an ancestor is styled invisible, or sits in `<noscript>`.
    Hidden,
    /// The page asks not to be indexed (meta robots, googlebot meta or X-Robots-Tag).
    Noindex,
    /// The page's canonical is another URL.
    CanonicalElsewhere,
    /// robots.txt disallows Googlebot on the page.
    RobotsDisallowed,
}

/// What a finding does to a link's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// The link is gone: dead once confirmed.
    Fatal,
    /// The link is there but passes little or no value: degraded once confirmed.
    Degrading,
    /// Worth telling, and the link still counts.
    Notice,
    /// The page could not be judged.
    Unknown,
}

impl FindingCode {
    pub fn weight(self) -> Weight {
        use FindingCode::*;
        match self {
            PageGone | RedirectedAway | Soft404 | LinkRemoved => Weight::Fatal,
            Nofollow | Ugc | Sponsored | Hidden | Noindex | CanonicalElsewhere
            | RobotsDisallowed => Weight::Degrading,
            WrongTarget | AnchorChanged => Weight::Notice,
            Unreachable => Weight::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        use FindingCode::*;
        match self {
            PageGone => "page_gone",
            RedirectedAway => "redirected_away",
            Soft404 => "soft_404",
            Unreachable => "unreachable",
            LinkRemoved => "link_removed",
            WrongTarget => "wrong_target",
            AnchorChanged => "anchor_changed",
            Nofollow => "nofollow",
            Ugc => "ugc",
            Sponsored => "sponsored",
            Hidden => "hidden",
            Noindex => "noindex",
            CanonicalElsewhere => "canonical_elsewhere",
            RobotsDisallowed => "robots_disallowed",
        }
    }
}
