//! Objects as files under one folder: local mode's inbox (drop `.eml` files in it; handled
//! files move to `processed/` or `failed/` beside them) and its exports (linked through the
//! local server's download route with a signed, expiring token). Keys are plain file names,
//! so no key can reach outside the folder.

use crate::ports::Clock;
use crate::ports::blobs::{BlobError, BlobStore};
use crate::secrets::Secrets;
use async_trait::async_trait;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub struct DirBlobs {
    root: PathBuf,
    links: Option<Links>,
}

/// What a link needs: where the local server is reached, the key that signs its tokens and
/// the clock that dates them.
pub struct Links {
    pub base_url: String,
    pub secrets: Arc<Secrets>,
    pub clock: Arc<dyn Clock>,
}

impl DirBlobs {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            links: None,
        }
    }

    pub fn with_links(mut self, links: Links) -> Self {
        self.links = Some(links);
        self
    }

    /// A link to the local server's `route` with a token for `key`.
    fn signed(
        &self,
        route: &str,
        key: &str,
        valid_for: Duration,
        token: fn(&Secrets, &str, i64) -> String,
    ) -> Result<String, BlobError> {
        let links = self.links.as_ref().ok_or_else(|| {
            BlobError::Unavailable("this folder's objects are not served by link".into())
        })?;
        let expires = links.clock.now().epoch_seconds() + valid_for.as_secs() as i64;
        Ok(format!(
            "{}{}",
            links.base_url.trim_end_matches('/'),
            route.replace("{token}", &token(&links.secrets, key, expires))
        ))
    }
}

/// The local server's download route (local mode only).
pub const DOWNLOAD_ROUTE: &str = "/v1/downloads/{token}";
/// The local server's upload route (local mode only), where S3 takes a presigned PUT.
pub const UPLOAD_ROUTE: &str = "/v1/uploads/{token}";
/// Marks a signed payload as a download or an upload, so no other token of ours (an
/// unsubscribe link, the other kind) opens a file.
const DOWNLOAD_TAG: &str = "download";
const UPLOAD_TAG: &str = "upload";

/// Why a download token opens nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Not signed by us, altered, or not a download token.
    Forged,
    Expired,
}

/// A token naming `key` until `expires` (epoch seconds).
pub fn download_token(secrets: &Secrets, key: &str, expires: i64) -> String {
    secrets.sign(&format!("{DOWNLOAD_TAG}|{expires}|{key}"))
}

/// The key a download token names, if it is ours and `now` (epoch seconds) is before its
/// expiry.
pub fn open_download(secrets: &Secrets, token: &str, now: i64) -> Result<String, Refused> {
    open(secrets, DOWNLOAD_TAG, token, now)
}

/// A token letting one upload store `key` until `expires` (epoch seconds).
pub fn upload_token(secrets: &Secrets, key: &str, expires: i64) -> String {
    secrets.sign(&format!("{UPLOAD_TAG}|{expires}|{key}"))
}

pub fn open_upload(secrets: &Secrets, token: &str, now: i64) -> Result<String, Refused> {
    open(secrets, UPLOAD_TAG, token, now)
}

fn open(secrets: &Secrets, tag: &str, token: &str, now: i64) -> Result<String, Refused> {
    let payload = secrets.verify(token).map_err(|_| Refused::Forged)?;
    let mut parts = payload.splitn(3, '|');
    let (Some(kind), Some(expires), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(Refused::Forged);
    };
    if kind != tag {
        return Err(Refused::Forged);
    }
    let expires: i64 = expires.parse().map_err(|_| Refused::Forged)?;
    if now >= expires {
        return Err(Refused::Expired);
    }
    Ok(key.to_string())
}

fn safe(key: &str) -> bool {
    !key.is_empty() && !key.contains(['/', '\\']) && !key.starts_with('.')
}

fn io(e: std::io::Error) -> BlobError {
    BlobError::Unavailable(e.to_string())
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

    /// Written beside its final name and renamed, so a reader never sees half a file.
    async fn put(&self, key: &str, _: &str, body: Vec<u8>) -> Result<(), BlobError> {
        if !safe(key) {
            return Err(BlobError::Unavailable(format!(
                "{key} is not a plain file name"
            )));
        }
        tokio::fs::create_dir_all(&self.root).await.map_err(io)?;
        let partial = self.root.join(format!(".{key}.partial"));
        tokio::fs::write(&partial, body).await.map_err(io)?;
        tokio::fs::rename(&partial, self.root.join(key))
            .await
            .map_err(io)
    }

    async fn link(&self, key: &str, valid_for: Duration) -> Result<String, BlobError> {
        self.signed(DOWNLOAD_ROUTE, key, valid_for, download_token)
    }

    async fn upload_link(&self, key: &str, valid_for: Duration) -> Result<String, BlobError> {
        self.signed(UPLOAD_ROUTE, key, valid_for, upload_token)
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
