//! Opportunities beyond outreach (issue 16): the platform's directory catalogue
//! (`directories`, `directory_csv`, the shipped `starter` file), tenants' business
//! profiles and the matcher that turns fitting directories into `directory_opportunity`
//! backlinks.

pub mod competitor_gap;
pub mod directories;
pub mod directory_csv;
pub mod export_imports;
pub mod keys;
pub mod matcher;
pub mod profile;
pub mod starter;
