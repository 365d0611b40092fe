//! Link-building plans (issue 14, seed 002): a tenant's sites and their pages, plans
//! generated from them for a market, and the plans' planned links. The rules live in
//! `domain::plans`; these use cases store and serve them.

pub mod edit;
pub mod generate;
pub mod imports;
pub mod keys;
pub mod links;
pub mod outreach;
pub mod pages;
pub mod read;
pub mod refine;
pub mod replacement;
pub mod scoring;
pub mod sites;
