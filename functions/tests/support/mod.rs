//! What the start-up test and the cold-start benchmark share.
#![allow(dead_code)]

pub mod lambda_env;
pub mod runtime_api;
