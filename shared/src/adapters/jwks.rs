//! Verification keys from a JWKS document: fetched over HTTPS and cached (production), or
//! fixed in memory (local mode's dev key). Both feed the same token verifier.

use crate::ports::keys::{KeySource, KeysUnavailable};
use async_trait::async_trait;
use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet, KeyAlgorithm, PublicKeyUse};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// The RS256 signing keys of a set, by `kid`. Other key types and uses are ignored.
fn rs256_keys(set: &JwkSet) -> HashMap<String, DecodingKey> {
    set.keys
        .iter()
        .filter(|jwk| matches!(jwk.algorithm, AlgorithmParameters::RSA(_)))
        .filter(|jwk| matches!(jwk.common.key_algorithm, None | Some(KeyAlgorithm::RS256)))
        .filter(|jwk| {
            matches!(
                jwk.common.public_key_use,
                None | Some(PublicKeyUse::Signature)
            )
        })
        .filter_map(|jwk| {
            let kid = jwk.common.key_id.clone()?;
            DecodingKey::from_jwk(jwk).ok().map(|key| (kid, key))
        })
        .collect()
}

/// A fixed key set, for local mode.
pub struct StaticJwks(HashMap<String, DecodingKey>);

impl StaticJwks {
    pub fn new(set: &JwkSet) -> Self {
        Self(rs256_keys(set))
    }
}

#[async_trait]
impl KeySource for StaticJwks {
    async fn key(&self, kid: &str) -> Result<Option<DecodingKey>, KeysUnavailable> {
        Ok(self.0.get(kid).cloned())
    }
}

struct Cache {
    keys: HashMap<String, DecodingKey>,
    fetched_at: Option<Instant>,
}

/// A JWKS URL, cached. An unknown `kid` triggers a refetch at most once per
/// `min_refresh`, so forged kids cannot make us hammer the provider; keys older than
/// `max_age` are refreshed, and kept if the refresh fails.
pub struct HttpJwks {
    client: reqwest::Client,
    url: String,
    min_refresh: Duration,
    max_age: Duration,
    cache: Mutex<Cache>,
}

impl HttpJwks {
    pub fn new(client: reqwest::Client, url: impl Into<String>) -> Self {
        Self::with_intervals(
            client,
            url,
            Duration::from_secs(300),
            Duration::from_secs(3600),
        )
    }

    pub fn with_intervals(
        client: reqwest::Client,
        url: impl Into<String>,
        min_refresh: Duration,
        max_age: Duration,
    ) -> Self {
        Self {
            client,
            url: url.into(),
            min_refresh,
            max_age,
            cache: Mutex::new(Cache {
                keys: HashMap::new(),
                fetched_at: None,
            }),
        }
    }

    async fn fetch(&self) -> Result<HashMap<String, DecodingKey>, KeysUnavailable> {
        let fail = |e: reqwest::Error| KeysUnavailable(format!("fetching {}: {e}", self.url));
        let set: JwkSet = self
            .client
            .get(&self.url)
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .map_err(fail)?
            .error_for_status()
            .map_err(fail)?
            .json()
            .await
            .map_err(fail)?;
        Ok(rs256_keys(&set))
    }
}

#[async_trait]
impl KeySource for HttpJwks {
    async fn key(&self, kid: &str) -> Result<Option<DecodingKey>, KeysUnavailable> {
        let mut cache = self.cache.lock().await;
        let age = cache.fetched_at.map(|at| at.elapsed());
        let known = cache.keys.contains_key(kid);
        let refresh = match age {
            None => true,
            Some(age) if known => age >= self.max_age,
            Some(age) => age >= self.min_refresh,
        };
        if refresh {
            match self.fetch().await {
                Ok(keys) => {
                    cache.keys = keys;
                    cache.fetched_at = Some(Instant::now());
                }
                // A stale key is better than no key when the provider blips.
                Err(e) if cache.keys.is_empty() => return Err(e),
                Err(e) => {
                    tracing::warn!(error = %e, "keeping cached signing keys");
                    cache.fetched_at = Some(Instant::now());
                }
            }
        }
        Ok(cache.keys.get(kid).cloned())
    }
}
