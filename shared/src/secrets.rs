//! The platform's secret key and what it protects: signed tokens (unsubscribe links, reply
//! addresses) and sealed values (SMTP passwords at rest). Two subkeys are derived from one
//! 32-byte key, so one secret is configured.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::hmac;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

pub const KEY_LEN: usize = 32;

pub struct Secrets {
    mac: hmac::Key,
    seal: LessSafeKey,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("the secret key must be {KEY_LEN} bytes, base64-encoded")]
    BadKey,
    #[error("the token or sealed value is not ours or was altered")]
    Invalid,
    /// The system's random source failed: no key or nonce is made rather than a predictable one.
    #[error("the system random source failed")]
    Random,
    #[error("the value could not be sealed")]
    Seal,
}

fn derive(key: &[u8], label: &str) -> hmac::Tag {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), label.as_bytes())
}

impl Secrets {
    pub fn new(key: &[u8]) -> Result<Self, SecretError> {
        if key.len() != KEY_LEN {
            return Err(SecretError::BadKey);
        }
        let mac = hmac::Key::new(hmac::HMAC_SHA256, derive(key, "backlinks/tokens").as_ref());
        let seal_key = UnboundKey::new(&AES_256_GCM, derive(key, "backlinks/seal").as_ref())
            .map_err(|_| SecretError::BadKey)?;
        Ok(Self {
            mac,
            seal: LessSafeKey::new(seal_key),
        })
    }

    /// From the base64 text of a key (standard or URL-safe alphabet).
    pub fn from_base64(text: &str) -> Result<Self, SecretError> {
        let text = text.trim();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .or_else(|_| URL_SAFE_NO_PAD.decode(text))
            .map_err(|_| SecretError::BadKey)?;
        Self::new(&bytes)
    }

    /// A fresh random key, base64-encoded.
    pub fn generate() -> Result<String, SecretError> {
        let mut key = [0u8; KEY_LEN];
        SystemRandom::new()
            .fill(&mut key)
            .map_err(|_| SecretError::Random)?;
        Ok(base64::engine::general_purpose::STANDARD.encode(key))
    }

    /// `payload.mac`, both base64url: readable by us, unforgeable by anyone else.
    pub fn sign(&self, payload: &str) -> String {
        let tag = hmac::sign(&self.mac, payload.as_bytes());
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(&tag.as_ref()[..16])
        )
    }

    pub fn verify(&self, token: &str) -> Result<String, SecretError> {
        let (payload, mac) = token.split_once('.').ok_or(SecretError::Invalid)?;
        let payload = String::from_utf8(
            URL_SAFE_NO_PAD
                .decode(payload)
                .map_err(|_| SecretError::Invalid)?,
        )
        .map_err(|_| SecretError::Invalid)?;
        let mac = URL_SAFE_NO_PAD
            .decode(mac)
            .map_err(|_| SecretError::Invalid)?;
        let expected = hmac::sign(&self.mac, payload.as_bytes());
        aws_lc_rs::constant_time::verify_slices_are_equal(&mac, &expected.as_ref()[..16])
            .map_err(|_| SecretError::Invalid)?;
        Ok(payload)
    }

    /// Encrypts a value for storage (AES-256-GCM, random nonce).
    pub fn seal(&self, plaintext: &str) -> Result<String, SecretError> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| SecretError::Random)?;
        let mut data = plaintext.as_bytes().to_vec();
        self.seal
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut data)
            .map_err(|_| SecretError::Seal)?;
        let mut out = nonce.to_vec();
        out.extend(data);
        Ok(URL_SAFE_NO_PAD.encode(out))
    }

    pub fn open(&self, sealed: &str) -> Result<String, SecretError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(sealed)
            .map_err(|_| SecretError::Invalid)?;
        if bytes.len() < NONCE_LEN {
            return Err(SecretError::Invalid);
        }
        let (nonce, rest) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SecretError::Invalid)?;
        let mut data = rest.to_vec();
        let plain = self
            .seal
            .open_in_place(nonce, Aad::empty(), &mut data)
            .map_err(|_| SecretError::Invalid)?;
        String::from_utf8(plain.to_vec()).map_err(|_| SecretError::Invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_and_forgeries_do_not() {
        let s = Secrets::from_base64(&Secrets::generate().unwrap()).unwrap();
        let token = s.sign("acme|ed@blog.org|em_1#0");
        assert_eq!(s.verify(&token).unwrap(), "acme|ed@blog.org|em_1#0");
        let (_, mac) = token.split_once('.').unwrap();
        let forged = format!(
            "{}.{mac}",
            URL_SAFE_NO_PAD.encode("other|ed@blog.org|em_1#0")
        );
        assert_eq!(s.verify(&forged), Err(SecretError::Invalid));
        let other = Secrets::from_base64(&Secrets::generate().unwrap()).unwrap();
        assert_eq!(other.verify(&token), Err(SecretError::Invalid));
        assert!(s.verify("garbage").is_err());
        let short = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode("x"),
            URL_SAFE_NO_PAD.encode([0u8; 4])
        );
        assert_eq!(s.verify(&short), Err(SecretError::Invalid), "a short mac");
    }

    #[test]
    fn sealed_values_open_only_with_the_key() {
        let s = Secrets::from_base64(&Secrets::generate().unwrap()).unwrap();
        let sealed = s.seal("hunter2").unwrap();
        assert_ne!(sealed, s.seal("hunter2").unwrap(), "random nonce");
        assert_eq!(s.open(&sealed).unwrap(), "hunter2");
        let other = Secrets::from_base64(&Secrets::generate().unwrap()).unwrap();
        assert!(other.open(&sealed).is_err());
        let nonce_only = URL_SAFE_NO_PAD.encode([0u8; NONCE_LEN]);
        assert!(
            s.open(&nonce_only).is_err(),
            "a value with no ciphertext or tag"
        );
        assert!(Secrets::from_base64("c2hvcnQ=").is_err());
    }
}
