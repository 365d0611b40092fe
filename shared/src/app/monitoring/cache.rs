//! What link checks ask again and again, kept an hour per process: a host's robots.txt, and
//! where a target page now redirects (a client's pages are the targets of many links, and
//! fetching each for every check would queue them all behind one host's politeness).

use crate::app::tenant_cache::TtlCache;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

const FRESH_FOR: Duration = Duration::from_secs(3_600);

pub struct CheckCache {
    /// By origin: the robots.txt text, or `None` when there is none to obey.
    pub robots: TtlCache<String, Option<Arc<str>>>,
    /// By target URL: where it now redirects, or `None` when it stands.
    pub targets: TtlCache<String, Option<Url>>,
}

impl Default for CheckCache {
    fn default() -> Self {
        Self {
            robots: TtlCache::new(FRESH_FOR),
            targets: TtlCache::new(FRESH_FOR),
        }
    }
}
