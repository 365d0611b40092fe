//! The signature on every webhook request, in the manner of Stripe's:
//!
//! ```text
//! Backlinks-Signature: t=1780315200,v1=<64 lower-case hex digits>
//! ```
//!
//! `t` is when the request was signed, in Unix seconds; `v1` is the HMAC-SHA256, keyed with
//! the webhook's secret (the whole `whsec_…` text, as UTF-8 bytes), of `<t>.<body>`: the
//! decimal `t`, a full stop, and the request body byte for byte as sent. A receiver
//! recomputes it over the raw body (before any JSON parsing), compares it in constant time,
//! and rejects a `t` too far from its own clock (five minutes is usual): the body alone
//! cannot be replayed later under a fresh time, because the time is inside what is signed.
//! Each attempt is signed afresh, with its own `t`. `v1` names the scheme, so a later one can
//! be sent beside it while receivers move over.

use super::WebhookSecret;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::fmt::Write;

/// The request header that carries the signature.
pub const HEADER: &str = "Backlinks-Signature";

/// The value of the signature header for `body` signed at `t` (Unix seconds).
pub fn sign(secret: &WebhookSecret, t: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let digest = mac.finalize().into_bytes();
    let mut value = format!("t={t},v1=");
    for byte in digest {
        let _ = write!(value, "{byte:02x}");
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_the_time_and_the_body_with_the_whole_secret() {
        let secret = WebhookSecret::parse(&format!("whsec_{}", "A".repeat(43))).unwrap();
        // Computed apart from this code, as a receiver would (Python):
        // hmac.new(b"whsec_AAA…", b'1780315200.{"eventId":"e1"}', hashlib.sha256).hexdigest()
        assert_eq!(
            sign(&secret, 1_780_315_200, r#"{"eventId":"e1"}"#),
            "t=1780315200,v1=9aeeed21298145e0cf701cd8e681f9d475413560936015ff4e0caadb20be2c51"
        );
    }

    #[test]
    fn another_time_body_or_secret_signs_differently() {
        let secret = WebhookSecret::from_random([1; super::super::SECRET_BYTES]);
        let other = WebhookSecret::from_random([2; super::super::SECRET_BYTES]);
        let v1 = |h: String| h.split_once("v1=").unwrap().1.to_string();
        let base = v1(sign(&secret, 100, "{}"));
        assert_ne!(base, v1(sign(&secret, 101, "{}")));
        assert_ne!(base, v1(sign(&secret, 100, "{ }")));
        assert_ne!(base, v1(sign(&other, 100, "{}")));
    }
}
