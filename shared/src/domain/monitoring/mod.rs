//! Link monitoring (issue 15): one check of a placement page judged the way a search engine
//! sees it, and a link's health over time.
//!
//! - [`page`]: the pure analysis of one fetch (status, redirects, firewalls, the link, its rel,
//!   anchor and visibility, indexability, canonical), reported as stable [`codes`];
//! - [`soft404`]: 2xx pages that are errors or the homepage in disguise;
//! - [`robots`]: robots.txt per RFC 9309, meta robots and `X-Robots-Tag` for Googlebot;
//! - [`health`]: confirmation before a status changes; [`impact`]: what a lost link costs.

pub mod codes;
pub mod health;
pub mod impact;
pub mod page;
pub mod replace;
pub mod robots;
pub mod soft404;
