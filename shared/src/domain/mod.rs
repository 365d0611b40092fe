//! Pure types and rules: no I/O, no AWS, no HTTP.

pub mod backlink;
pub mod bounce;
pub mod campaign;
pub mod contacts;
pub mod crawl;
pub mod email;
pub mod error;
pub mod html_text;
pub mod identity;
pub mod ids;
pub mod inbound;
pub mod job;
pub mod limits;
pub mod mail;
pub mod monitoring;
pub mod opportunities;
pub mod outreach;
pub mod plans;
pub mod qualify;
pub mod reply;
pub mod signals;
pub mod text;
pub mod time;
pub mod usage;
pub mod web;
pub mod webhooks;

pub use error::{FieldError, FieldErrors, in_range, nullable};
