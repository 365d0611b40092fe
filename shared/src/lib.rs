//! Core of the backlink outreach engine.
//!
//! Dependencies point inward: `http`, `jobs` and `adapters` depend on `app`, which depends
//! on `ports` and `domain`; `domain` depends on nothing outside itself.

pub mod adapters;
pub mod app;
#[cfg(feature = "aws")]
pub mod cloud;
pub mod config;
pub mod domain;
pub mod http;
pub mod jobs;
#[cfg(feature = "local")]
pub mod local;
pub mod ports;
pub mod secrets;
pub mod telemetry;
pub mod tls;
