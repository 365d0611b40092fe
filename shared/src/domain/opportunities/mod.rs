//! Opportunities beyond outreach (issue 16): the platform's directory catalogue and which of
//! its directories fit a business.

pub mod directory;
pub mod export_import;
pub mod exports;
pub mod gap;
pub mod matching;
