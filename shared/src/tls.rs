//! One TLS client configuration for the whole process: Mozilla's root certificates compiled
//! in (webpki-roots), so nothing is read from disk at start, assembled once on first use
//! and shared by every HTTP client (the fetcher's, the providers', and through
//! [`crate::adapters::aws_http`] the AWS SDK's). docs/decisions.md has the trade-off
//! against the system store.

use std::sync::{Arc, LazyLock};

static CONFIG: LazyLock<rustls::ClientConfig> = LazyLock::new(|| {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let crypto = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    rustls::ClientConfig::builder_with_provider(crypto)
        .with_safe_default_protocol_versions()
        .expect("aws-lc-rs supports rustls' default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
});

/// The process's TLS client configuration. Clones share one root store and verifier.
pub fn client_config() -> rustls::ClientConfig {
    CONFIG.clone()
}

/// A reqwest builder that uses the process's TLS configuration.
pub fn reqwest_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder().tls_backend_preconfigured(client_config())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_compiled_in_roots_are_there() {
        assert!(webpki_roots::TLS_SERVER_ROOTS.len() > 100);
        assert!(super::reqwest_builder().build().is_ok());
    }
}
