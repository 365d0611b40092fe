//! Typed configuration from the environment. A missing or malformed variable fails start-up
//! with a message naming it.

use crate::adapters::dataforseo;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {name} is required ({purpose})")]
    Missing { name: String, purpose: &'static str },
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: String, reason: String },
}

pub fn required(name: &str, purpose: &'static str) -> Result<String, ConfigError> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(value.trim().to_string()),
        _ => Err(ConfigError::Missing {
            name: name.to_string(),
            purpose,
        }),
    }
}

/// The bucket the SES receipt rule stores inbound mail in (the reply-ingest function only).
pub const INBOUND_BUCKET_VAR: &str = "INBOUND_BUCKET";
/// The bucket large exports are written to (the export function only).
pub const EXPORTS_BUCKET_VAR: &str = "EXPORTS_BUCKET";

pub fn optional(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// A comma-separated list; empty when unset.
pub fn list(name: &str) -> Vec<String> {
    optional(name)
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// How session tokens are verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthSettings {
    /// Expected `iss` claim.
    pub issuer: String,
    /// When not empty, the `azp` claim must be one of these origins.
    pub authorized_parties: Vec<String>,
    /// Allowed clock skew for `exp` and `nbf`.
    pub leeway_secs: u64,
}

impl AuthSettings {
    pub fn new(issuer: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            authorized_parties: vec![],
            leeway_secs: 30,
        }
    }
}

/// Outside providers, each used only when configured. Base URLs are configurable so tests
/// (and proxies) can stand in for the real services.
#[derive(Clone, Default)]
pub struct ProviderSettings {
    /// Exa: (base URL, API key).
    pub exa: Option<(String, String)>,
    /// DuckDuckGo's HTML results: the base URL, when enabled.
    pub duckduckgo: Option<String>,
    pub openai: Option<crate::adapters::openai::OpenAiConfig>,
    /// DataForSEO's SERP API, which answers whether a linking page is indexed.
    pub dataforseo: Option<dataforseo::DataForSeoConfig>,
}

/// Which providers are on, and where: never their keys, so the settings can be logged.
impl std::fmt::Debug for ProviderSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderSettings")
            .field("exa", &self.exa.as_ref().map(|(base, _)| base))
            .field("duckduckgo", &self.duckduckgo)
            .field("openai", &self.openai)
            .field("dataforseo", &self.dataforseo)
            .finish()
    }
}

fn price(name: &str, default: f64) -> Result<f64, ConfigError> {
    match optional(name) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| ConfigError::Invalid {
            name: name.into(),
            reason: "must be a number".into(),
        }),
    }
}

/// DataForSEO when `DATAFORSEO_LOGIN` and `DATAFORSEO_PASSWORD` are both set (one alone is
/// an error); `DATAFORSEO_BASE_URL`, `DATAFORSEO_LOCATION_CODE` (default 2840, the United
/// States) and `DATAFORSEO_LANGUAGE_CODE` (default `en`) are optional.
fn dataforseo_from_env() -> Result<Option<dataforseo::DataForSeoConfig>, ConfigError> {
    let (login, password) = match (
        optional("DATAFORSEO_LOGIN"),
        optional("DATAFORSEO_PASSWORD"),
    ) {
        (None, None) => return Ok(None),
        (Some(login), Some(password)) => (login, password),
        (login, _) => {
            let name = match login {
                Some(_) => "DATAFORSEO_PASSWORD",
                None => "DATAFORSEO_LOGIN",
            };
            return Err(ConfigError::Missing {
                name: name.into(),
                purpose: "DataForSEO needs both its API login and its API password",
            });
        }
    };
    let location_code = match optional("DATAFORSEO_LOCATION_CODE") {
        None => dataforseo::DEFAULT_LOCATION_CODE,
        Some(v) => v.parse().map_err(|_| ConfigError::Invalid {
            name: "DATAFORSEO_LOCATION_CODE".into(),
            reason: "must be a DataForSEO location code, a whole number such as 2840".into(),
        })?,
    };
    Ok(Some(dataforseo::DataForSeoConfig {
        base_url: optional("DATAFORSEO_BASE_URL")
            .unwrap_or_else(|| dataforseo::DEFAULT_BASE_URL.into()),
        login,
        password,
        location_code,
        language_code: optional("DATAFORSEO_LANGUAGE_CODE")
            .unwrap_or_else(|| dataforseo::DEFAULT_LANGUAGE_CODE.into()),
    }))
}

impl ProviderSettings {
    pub fn from_env() -> Result<Self, ConfigError> {
        use crate::adapters::{duckduckgo, exa, openai};
        let exa = optional("EXA_API_KEY").map(|key| {
            (
                optional("EXA_BASE_URL").unwrap_or_else(|| exa::DEFAULT_BASE_URL.into()),
                key,
            )
        });
        let duckduckgo = (optional("DUCKDUCKGO_ENABLED").as_deref() == Some("1")).then(|| {
            optional("DUCKDUCKGO_BASE_URL").unwrap_or_else(|| duckduckgo::DEFAULT_BASE_URL.into())
        });
        let openai = match optional("OPENAI_API_KEY") {
            None => None,
            Some(api_key) => Some(openai::OpenAiConfig {
                base_url: optional("OPENAI_BASE_URL")
                    .unwrap_or_else(|| openai::DEFAULT_BASE_URL.into()),
                api_key,
                default_model: optional("OPENAI_MODEL").unwrap_or_else(|| "gpt-4o-mini".into()),
                input_price_per_million: price("OPENAI_INPUT_PRICE_PER_MTOK", 0.15)?,
                output_price_per_million: price("OPENAI_OUTPUT_PRICE_PER_MTOK", 0.60)?,
            }),
        };
        Ok(Self {
            exa,
            duckduckgo,
            openai,
            dataforseo: dataforseo_from_env()?,
        })
    }
}

/// Outreach settings of the deployment.
#[derive(Debug, Clone)]
pub struct OutreachSettings {
    /// Base64 of 32 random bytes: signs unsubscribe links, seals SMTP passwords.
    pub secret_key: String,
    /// Public base URL of the API (unsubscribe links point there).
    pub public_base_url: String,
    /// Reply-To and unsubscribe mail domain for tenants without their own.
    pub reply_domain: String,
    pub platform_domain_daily_cap: u32,
}

impl OutreachSettings {
    pub fn from_env() -> Result<Self, ConfigError> {
        let cap = match optional("PLATFORM_DOMAIN_DAILY_CAP") {
            None => 50,
            Some(v) => v.parse().map_err(|_| ConfigError::Invalid {
                name: "PLATFORM_DOMAIN_DAILY_CAP".into(),
                reason: "must be a whole number".into(),
            })?,
        };
        Ok(Self {
            secret_key: required(
                "BACKLINKS_SECRET_KEY",
                "base64 of 32 random bytes for tokens and sealed secrets",
            )?,
            public_base_url: required(
                "PUBLIC_BASE_URL",
                "the API's public URL, for unsubscribe links",
            )?,
            reply_domain: required("REPLY_DOMAIN", "the domain SES receives replies on")?,
            platform_domain_daily_cap: cap,
        })
    }
}

/// Settings of the Lambda functions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudSettings {
    pub table_name: String,
    pub jwks_url: String,
    pub auth: AuthSettings,
    /// Logical queue name to SQS URL.
    pub queue_urls: HashMap<String, String>,
    /// Logical queue name to the SQS URL of its dead-letter queue.
    pub dead_letter_urls: HashMap<String, String>,
}

/// The environment variable that holds a queue's URL: `QUEUE_URL_` and the name in
/// upper case with `-` as `_`.
pub fn queue_url_var(queue: &str) -> String {
    format!("QUEUE_URL_{}", queue.to_ascii_uppercase().replace('-', "_"))
}

/// The environment variable that holds the URL of a queue's dead-letter queue.
pub fn dead_letter_url_var(queue: &str) -> String {
    format!("DLQ_URL_{}", queue.to_ascii_uppercase().replace('-', "_"))
}

impl CloudSettings {
    pub fn from_env(queues: &[&str]) -> Result<Self, ConfigError> {
        let (mut queue_urls, mut dead_letter_urls) = (HashMap::new(), HashMap::new());
        for queue in queues {
            queue_urls.insert(
                queue.to_string(),
                required(&queue_url_var(queue), "the SQS URL of that queue")?,
            );
            dead_letter_urls.insert(
                queue.to_string(),
                required(
                    &dead_letter_url_var(queue),
                    "the SQS URL of that queue's dead-letter queue",
                )?,
            );
        }
        let jwks_url = required("JWKS_URL", "where the identity provider publishes its keys")?;
        if !jwks_url.starts_with("https://") && !jwks_url.starts_with("http://") {
            return Err(ConfigError::Invalid {
                name: "JWKS_URL".into(),
                reason: "must be an http(s) URL".into(),
            });
        }
        let mut auth = AuthSettings::new(required("JWT_ISSUER", "the expected token issuer")?);
        auth.authorized_parties = list("JWT_AUTHORIZED_PARTIES");
        Ok(Self {
            table_name: required("TABLE_NAME", "the DynamoDB table")?,
            jwks_url,
            auth,
            queue_urls,
            dead_letter_urls,
        })
    }
}

/// The soft-bounce limit: `SOFT_BOUNCE_LIMIT` (default 3) soft bounces of one address, each
/// within `SOFT_BOUNCE_WINDOW_DAYS` (default 30) of the one before.
/// How long link monitoring waits before a loss counts (`LINK_CONFIRM_AFTER_HOURS`, default
/// 6) and before an unreachable page kills its link (`LINK_UNREACHABLE_AFTER_DAYS`, 14).
pub mod link_health {
    use super::{ConfigError, optional};
    use crate::domain::monitoring::health::HealthPolicy;

    pub fn from_env() -> Result<HealthPolicy, ConfigError> {
        parse(
            optional("LINK_CONFIRM_AFTER_HOURS").as_deref(),
            optional("LINK_UNREACHABLE_AFTER_DAYS").as_deref(),
        )
    }

    pub fn parse(hours: Option<&str>, days: Option<&str>) -> Result<HealthPolicy, ConfigError> {
        let number =
            |name: &str, text: Option<&str>, max: i64| -> Result<Option<i64>, ConfigError> {
                text.map(|t| {
                    t.parse::<i64>()
                        .ok()
                        .filter(|n| (1..=max).contains(n))
                        .ok_or_else(|| ConfigError::Invalid {
                            name: name.into(),
                            reason: format!("must be a whole number from 1 to {max}"),
                        })
                })
                .transpose()
            };
        let mut policy = HealthPolicy::default();
        if let Some(h) = number("LINK_CONFIRM_AFTER_HOURS", hours, 24 * 7)? {
            policy.confirm_after_secs = h * 3_600;
        }
        if let Some(d) = number("LINK_UNREACHABLE_AFTER_DAYS", days, 90)? {
            policy.unreachable_after_secs = d * 86_400;
        }
        Ok(policy)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn settings_override_the_defaults_within_bounds() {
            let p = parse(Some("12"), None).unwrap();
            assert_eq!(p.confirm_after_secs, 12 * 3_600);
            assert_eq!(p.unreachable_after_secs, 14 * 86_400);
            assert!(parse(Some("0"), None).is_err());
            assert!(parse(None, Some("many")).is_err());
        }
    }
}

pub mod bounces {
    use super::{ConfigError, optional};
    use crate::domain::bounce::policy::BouncePolicy;

    pub fn from_env() -> Result<BouncePolicy, ConfigError> {
        parse(
            optional("SOFT_BOUNCE_LIMIT").as_deref(),
            optional("SOFT_BOUNCE_WINDOW_DAYS").as_deref(),
        )
    }

    /// The policy from the two settings' text; a missing one keeps its default.
    pub fn parse(limit: Option<&str>, days: Option<&str>) -> Result<BouncePolicy, ConfigError> {
        let number = |name: &str, text: Option<&str>, default: u32, max: u32| match text {
            None => Ok(default),
            Some(t) => t
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| ConfigError::Invalid {
                    name: name.into(),
                    reason: format!("must be a whole number from 1 to {max}"),
                }),
        };
        let default = BouncePolicy::default();
        Ok(BouncePolicy {
            soft_limit: number("SOFT_BOUNCE_LIMIT", limit, default.soft_limit, 100)?,
            soft_window_days: number(
                "SOFT_BOUNCE_WINDOW_DAYS",
                days,
                default.soft_window_days,
                365,
            )?,
        })
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn the_soft_bounce_limit_is_configurable_and_validated() {
            let default = parse(None, None).unwrap();
            assert_eq!(default, BouncePolicy::default());
            assert!(!default.reached(2) && default.reached(3));
            let one = parse(Some("1"), Some("7")).unwrap();
            assert!(one.reached(1));
            assert_eq!(one.window_secs(), 7 * 86_400);
            for bad in ["0", "101", "three", "-1"] {
                assert!(parse(Some(bad), None).is_err(), "{bad}");
            }
            assert!(parse(None, Some("366")).is_err());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_settings_never_print_their_keys() {
        let settings = ProviderSettings {
            exa: Some(("https://exa.test".into(), "exa-secret".into())),
            openai: Some(crate::adapters::openai::OpenAiConfig {
                base_url: "https://llm.test/v1".into(),
                api_key: "sk-secret".into(),
                default_model: "m".into(),
                input_price_per_million: 1.0,
                output_price_per_million: 2.0,
            }),
            ..ProviderSettings::default()
        };
        let printed = format!("{settings:?}");
        assert!(!printed.contains("secret"), "{printed}");
        assert!(printed.contains("https://exa.test") && printed.contains("https://llm.test/v1"));
    }

    #[test]
    fn queue_variables_are_derived_from_names() {
        assert_eq!(queue_url_var("link-check"), "QUEUE_URL_LINK_CHECK");
        assert_eq!(dead_letter_url_var("link-check"), "DLQ_URL_LINK_CHECK");
    }

    #[test]
    fn missing_variables_are_named() {
        let err = required("BACKLINKS_SURELY_UNSET_VARIABLE", "a test").unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable BACKLINKS_SURELY_UNSET_VARIABLE is required (a test)"
        );
    }
}

/// The rate limits of tenants no operator has set limits for: `RATE_LIMIT_STANDARD` and
/// `RATE_LIMIT_EXPENSIVE`, each `CALLS_PER_MINUTE/BURST` (defaults in `TenantLimits`).
pub mod rate_limits {
    use super::{ConfigError, optional};
    use crate::domain::limits::{RateLimit, TenantLimits};

    pub fn from_env() -> Result<TenantLimits, ConfigError> {
        parse(
            optional("RATE_LIMIT_STANDARD").as_deref(),
            optional("RATE_LIMIT_EXPENSIVE").as_deref(),
        )
    }

    pub fn parse(
        standard: Option<&str>,
        expensive: Option<&str>,
    ) -> Result<TenantLimits, ConfigError> {
        let defaults = TenantLimits::DEFAULT;
        let limits = TenantLimits {
            standard: one("RATE_LIMIT_STANDARD", standard, defaults.standard)?,
            expensive: one("RATE_LIMIT_EXPENSIVE", expensive, defaults.expensive)?,
        };
        limits.validate().map_err(|errors| ConfigError::Invalid {
            name: "RATE_LIMIT_STANDARD or RATE_LIMIT_EXPENSIVE".into(),
            reason: errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        })?;
        Ok(limits)
    }

    fn one(name: &str, text: Option<&str>, default: RateLimit) -> Result<RateLimit, ConfigError> {
        let Some(text) = text else {
            return Ok(default);
        };
        let invalid = || ConfigError::Invalid {
            name: name.into(),
            reason: "must be CALLS_PER_MINUTE/BURST, two whole numbers (e.g. 1200/300)".into(),
        };
        let (per_minute, burst) = text.split_once('/').ok_or_else(invalid)?;
        Ok(RateLimit {
            per_minute: per_minute.trim().parse().map_err(|_| invalid())?,
            burst: burst.trim().parse().map_err(|_| invalid())?,
        })
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn default_limits_are_configurable_and_validated() {
            assert_eq!(parse(None, None).unwrap(), TenantLimits::DEFAULT);
            let set = parse(Some("600/50"), None).unwrap();
            assert_eq!((set.standard.per_minute, set.standard.burst), (600, 50));
            for bad in ["600", "a/b", "0/10", "10/0", "-1/5"] {
                assert!(parse(None, Some(bad)).is_err(), "{bad}");
            }
        }
    }
}
