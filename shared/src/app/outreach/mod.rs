//! Outreach: sender settings, templates, drafting and review, policy-gated sending,
//! unsubscribe, follow-ups, analytics and exports.

pub mod analytics;
pub mod emails;
pub mod export;
pub mod follow_up_drafts;
pub mod followups;
pub mod keys;
pub mod policy;
pub mod sender;
pub mod sending;
pub mod settle;
pub mod templates;
pub mod unsubscribe;

use crate::secrets::Secrets;

/// What outreach needs from the deployment.
pub struct OutreachEnv {
    pub secrets: Secrets,
    /// Where the public unsubscribe route is reached, e.g. https://api.example.com.
    pub public_base_url: String,
    /// Reply-To and unsubscribe mail domain when the tenant has none.
    pub default_reply_domain: String,
    /// Emails per day to one recipient domain across every tenant.
    pub platform_domain_daily_cap: u32,
}

impl OutreachEnv {
    /// Settings for a process without real configuration (tests, tools): a random key,
    /// loopback links.
    pub fn ephemeral() -> Self {
        Self {
            // No configuration to fall back on: a failed random source stops the process.
            secrets: Secrets::generate()
                .and_then(|key| Secrets::from_base64(&key))
                .expect("the system random source failed"),
            public_base_url: "http://127.0.0.1:3000".into(),
            default_reply_domain: "replies.localhost.localdomain".into(),
            platform_domain_daily_cap: 50,
        }
    }
}
