//! Objects as files under one folder (local mode's inbox: drop `.eml` files in it). Keys
//! are plain file names, so no key can reach outside the folder; handled files move to
//! `processed/` or `failed/` beside them.

use crate::ports::blobs::{BlobError, BlobStore};
use async_trait::async_trait;
use std::path::PathBuf;

pub struct DirBlobs {
    root: PathBuf,
}

impl DirBlobs {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }
}

fn safe(key: &str) -> bool {
    !key.is_empty() && !key.contains(['/', '\\']) && !key.starts_with('.')
}

#[async_trait]
impl BlobStore for DirBlobs {
    async fn get(&self, key: &str) -> Result<Vec<u8>, BlobError> {
        if !safe(key) {
            return Err(BlobError::NotFound(key.into()));
        }
        match tokio::fs::read(self.root.join(key)).await {
            Ok(bytes) => Ok(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(BlobError::NotFound(key.into()))
            }
            Err(e) => Err(BlobError::Unavailable(e.to_string())),
        }
    }

    async fn waiting(&self) -> Result<Vec<String>, BlobError> {
        let mut entries = match tokio::fs::read_dir(&self.root).await {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
            Err(e) => return Err(BlobError::Unavailable(e.to_string())),
        };
        let mut found = Vec::new();
        while let Some(entry) = entries
            .next_entry()
            .await
            .map_err(|e| BlobError::Unavailable(e.to_string()))?
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            let modified = entry.metadata().await.and_then(|m| m.modified()).ok();
            if safe(&name) && name.ends_with(".eml") && entry.path().is_file() {
                found.push((modified, name));
            }
        }
        found.sort();
        Ok(found.into_iter().map(|(_, name)| name).collect())
    }

    async fn settle(&self, key: &str, ok: bool) -> Result<(), BlobError> {
        if !safe(key) {
            return Err(BlobError::NotFound(key.into()));
        }
        let folder = self.root.join(if ok { "processed" } else { "failed" });
        tokio::fs::create_dir_all(&folder)
            .await
            .map_err(|e| BlobError::Unavailable(e.to_string()))?;
        tokio::fs::rename(self.root.join(key), folder.join(key))
            .await
            .map_err(|e| BlobError::Unavailable(e.to_string()))
    }
}
