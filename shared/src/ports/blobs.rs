//! Raw objects kept outside the table: inbound mail as SES's receipt rule stores it in S3,
//! or as `.eml` files in local mode's inbox folder.

use async_trait::async_trait;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlobError {
    #[error("no object {0}")]
    NotFound(String),
    #[error("the object store is unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait BlobStore: Send + Sync {
    async fn get(&self, key: &str) -> Result<Vec<u8>, BlobError>;

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

/// The store of an application built without one.
pub struct NoBlobs;

#[async_trait]
impl BlobStore for NoBlobs {
    async fn get(&self, key: &str) -> Result<Vec<u8>, BlobError> {
        Err(BlobError::Unavailable(format!(
            "no object store is configured (INBOUND_BUCKET) to read {key}"
        )))
    }
}
