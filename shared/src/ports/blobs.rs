//! Raw objects kept outside the table: inbound mail as SES's receipt rule stores it in S3
//! (or as `.eml` files in local mode's inbox folder), and exports too large to answer
//! inline, fetched through a short-lived link.

use async_trait::async_trait;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlobError {
    #[error("no object {0}")]
    NotFound(String),
    #[error("the object store is unavailable: {0}")]
    Unavailable(String),
    /// No store is configured for this use; names the variable that would configure one.
    #[error("no object store is configured: set {0}")]
    NotConfigured(&'static str),
}

#[async_trait]
pub trait BlobStore: Send + Sync {
    async fn get(&self, key: &str) -> Result<Vec<u8>, BlobError>;

    /// The object's first `bytes` bytes (all of it when shorter): enough to tell a file's
    /// kind without reading the whole of a large one.
    async fn head(&self, key: &str, bytes: usize) -> Result<Vec<u8>, BlobError> {
        let mut whole = self.get(key).await?;
        whole.truncate(bytes);
        Ok(whole)
    }

    /// Stores an object whole, replacing one of the same key.
    async fn put(&self, key: &str, content_type: &str, body: Vec<u8>) -> Result<(), BlobError>;

    /// A link that fetches the object without credentials until `valid_for` has passed.
    async fn link(&self, key: &str, valid_for: Duration) -> Result<String, BlobError>;

    /// A link that stores the object with an HTTP `PUT` of its bytes, without credentials,
    /// until `valid_for` has passed: how files too large for an API call come in.
    async fn upload_link(&self, key: &str, valid_for: Duration) -> Result<String, BlobError>;

    /// Objects waiting that nothing announces (local mode's inbox folder, oldest first).
    /// In the cloud the receipt rule announces each object, so there is nothing to list.
    async fn waiting(&self) -> Result<Vec<String>, BlobError> {
        Ok(vec![])
    }

    /// Files a handled object away: kept as processed, or set aside as failed.
    async fn settle(&self, _key: &str, _ok: bool) -> Result<(), BlobError> {
        Ok(())
    }
}

/// The store of an application built without one; names the variable that configures it.
pub struct NoBlobs(pub &'static str);

#[async_trait]
impl BlobStore for NoBlobs {
    async fn get(&self, _: &str) -> Result<Vec<u8>, BlobError> {
        Err(BlobError::NotConfigured(self.0))
    }

    async fn put(&self, _: &str, _: &str, _: Vec<u8>) -> Result<(), BlobError> {
        Err(BlobError::NotConfigured(self.0))
    }

    async fn link(&self, _: &str, _: Duration) -> Result<String, BlobError> {
        Err(BlobError::NotConfigured(self.0))
    }

    async fn upload_link(&self, _: &str, _: Duration) -> Result<String, BlobError> {
        Err(BlobError::NotConfigured(self.0))
    }
}
