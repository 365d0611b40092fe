//! The local signing key: an RSA key made on first use and kept in the data folder, its
//! public half served to the verifier as a JWKS, and `dev-token` minting tokens with it.

use crate::domain::identity::{PLATFORM_OPERATOR, Role};
use base64::Engine;
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The `iss` of locally minted tokens.
pub const LOCAL_ISSUER: &str = "backlinks-local";

pub struct DevKeys {
    key: EncodingKey,
    jwk: Jwk,
}

#[derive(Debug, thiserror::Error)]
pub enum DevKeyError {
    #[error("cannot use the key file {path}: {reason}")]
    File { path: PathBuf, reason: String },
    #[error("cannot make or read the signing key: {0}")]
    Key(String),
}

#[derive(Serialize)]
struct DevClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    org_id: &'a str,
    role: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    platform_role: Option<&'a str>,
    azp: &'a str,
    iat: i64,
    nbf: i64,
    exp: i64,
}

fn pem_of(der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    )
}

fn generate_pem() -> Result<String, DevKeyError> {
    use aws_lc_rs::encoding::AsDer;
    let pair = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
        .map_err(|e| DevKeyError::Key(e.to_string()))?;
    let der = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&pair)
        .map_err(|e| DevKeyError::Key(e.to_string()))?;
    Ok(pem_of(der.as_ref()))
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

impl DevKeys {
    /// Loads `<data-dir>/dev-keys/signing-key.pem`, making it on first use.
    pub fn load_or_create(data_dir: &Path) -> Result<Self, DevKeyError> {
        let dir = data_dir.join("dev-keys");
        let path = dir.join("signing-key.pem");
        let file_err = |e: std::io::Error| DevKeyError::File {
            path: path.clone(),
            reason: e.to_string(),
        };
        std::fs::create_dir_all(&dir).map_err(file_err)?;
        if !path.exists() {
            match write_private(&path, &generate_pem()?) {
                // Another process made it first; use theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                other => other.map_err(file_err)?,
            }
        }
        let pem = std::fs::read(&path).map_err(file_err)?;
        let key = EncodingKey::from_rsa_pem(&pem).map_err(|e| DevKeyError::Key(e.to_string()))?;
        let mut jwk = Jwk::from_encoding_key(&key, Algorithm::RS256)
            .map_err(|e| DevKeyError::Key(e.to_string()))?;
        let kid = jwk
            .thumbprint(ThumbprintHash::SHA256)
            .map_err(|e| DevKeyError::Key(e.to_string()))?;
        jwk.common.key_id = Some(kid);
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        Ok(Self { key, jwk })
    }

    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: vec![self.jwk.clone()],
        }
    }

    /// A token for `tenant`/`user` valid for `ttl_secs`.
    pub fn mint(
        &self,
        tenant: &str,
        user: &str,
        role: Role,
        now: i64,
        ttl_secs: i64,
    ) -> Result<String, DevKeyError> {
        // A platform operator is also its own tenant's admin; the operator role travels in
        // the platform's claim, as in production.
        let (role, platform_role) = match role {
            Role::Member => ("member", None),
            Role::Admin => ("admin", None),
            Role::Superadmin => ("admin", Some(PLATFORM_OPERATOR)),
        };
        let claims = DevClaims {
            iss: LOCAL_ISSUER,
            sub: user,
            org_id: tenant,
            role,
            platform_role,
            azp: "http://localhost",
            iat: now,
            nbf: now,
            exp: now + ttl_secs,
        };
        self.sign(&claims)
    }

    /// Signs any claims with the local key (RS256, with its `kid`).
    pub fn sign<T: Serialize>(&self, claims: &T) -> Result<String, DevKeyError> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = self.jwk.common.key_id.clone();
        jsonwebtoken::encode(&header, claims, &self.key)
            .map_err(|e| DevKeyError::Key(e.to_string()))
    }
}
