//! Inbound mail in S3, where the SES receipt rule's S3 action stores each message whole
//! (so messages of any size reach the ingest function).

use crate::ports::blobs::{BlobError, BlobStore};
use async_trait::async_trait;
use aws_sdk_s3::Client;

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
                _ => BlobError::Unavailable(format!(
                    "{}",
                    aws_sdk_s3::error::DisplayErrorContext(&e)
                )),
            })?;
        let bytes = object
            .body
            .collect()
            .await
            .map_err(|e| BlobError::Unavailable(e.to_string()))?;
        Ok(bytes.into_bytes().to_vec())
    }
}
