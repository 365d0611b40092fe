//! Public keys that verify session tokens (a JWKS from the identity provider).

use async_trait::async_trait;
use jsonwebtoken::DecodingKey;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("signing keys are unavailable: {0}")]
pub struct KeysUnavailable(pub String);

#[async_trait]
pub trait KeySource: Send + Sync {
    /// The RS256 verification key with this `kid`, or None when the source does not have it.
    async fn key(&self, kid: &str) -> Result<Option<DecodingKey>, KeysUnavailable>;
}
