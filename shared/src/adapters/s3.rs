//! Objects in S3: inbound mail, where the SES receipt rule's S3 action stores each message
//! whole (so messages of any size reach the ingest function), large exports, fetched
//! through presigned GET links, and uploads (backlink exports), sent through presigned PUTs.

use crate::ports::blobs::{BlobError, BlobStore};
use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::presigning::PresigningConfig;
use std::time::Duration;

pub struct S3Blobs {
    client: Client,
    bucket: String,
}

impl S3Blobs {
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
        }
    }
}

fn unavailable<E: std::error::Error + 'static>(e: &E) -> BlobError {
    BlobError::Unavailable(format!("{}", aws_sdk_s3::error::DisplayErrorContext(e)))
}

#[async_trait]
impl BlobStore for S3Blobs {
    async fn get(&self, key: &str) -> Result<Vec<u8>, BlobError> {
        let object = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| match e.as_service_error() {
                Some(s) if s.is_no_such_key() => BlobError::NotFound(key.into()),
                _ => unavailable(&e),
            })?;
        let bytes = object
            .body
            .collect()
            .await
            .map_err(|e| BlobError::Unavailable(e.to_string()))?;
        Ok(bytes.into_bytes().to_vec())
    }

    /// A ranged GET: the start of the object only.
    async fn head(&self, key: &str, bytes: usize) -> Result<Vec<u8>, BlobError> {
        let object = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .range(format!("bytes=0-{}", bytes.saturating_sub(1)))
            .send()
            .await
            .map_err(|e| match e.as_service_error() {
                Some(s) if s.is_no_such_key() => BlobError::NotFound(key.into()),
                _ => unavailable(&e),
            })?;
        let start = object
            .body
            .collect()
            .await
            .map_err(|e| BlobError::Unavailable(e.to_string()))?;
        Ok(start.into_bytes().to_vec())
    }

    async fn put(&self, key: &str, content_type: &str, body: Vec<u8>) -> Result<(), BlobError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(body.into())
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(())
    }

    /// A presigned GET, signed locally with the function's credentials (no request made).
    async fn link(&self, key: &str, valid_for: Duration) -> Result<String, BlobError> {
        let config = PresigningConfig::expires_in(valid_for)
            .map_err(|e| BlobError::Unavailable(e.to_string()))?;
        let file = key.rsplit('/').next().unwrap_or(key);
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .response_content_disposition(format!("attachment; filename=\"{file}\""))
            .presigned(config)
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(request.uri().to_string())
    }

    /// A presigned PUT: the client sends the file straight to S3, past the API's size limit.
    async fn upload_link(&self, key: &str, valid_for: Duration) -> Result<String, BlobError> {
        let config = PresigningConfig::expires_in(valid_for)
            .map_err(|e| BlobError::Unavailable(e.to_string()))?;
        let request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .presigned(config)
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(request.uri().to_string())
    }
}
