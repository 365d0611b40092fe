//! Token verification against a JWKS served by a fake identity provider (wiremock).

use backlinks_core::adapters::jwks::HttpJwks;
use backlinks_core::config::AuthSettings;
use backlinks_core::domain::identity::Role;
use backlinks_core::http::auth::{AuthError, Verifier};
use backlinks_core::local::dev_keys::DevKeys;
use base64::Engine;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ISSUER: &str = "https://clerk.example";
const APP: &str = "https://app.example";

struct Provider {
    server: MockServer,
    keys: DevKeys,
    _dir: tempfile::TempDir,
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn keys() -> (DevKeys, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    (DevKeys::load_or_create(dir.path()).unwrap(), dir)
}

impl Provider {
    async fn start() -> Provider {
        let server = MockServer::start().await;
        let (keys, dir) = keys();
        let provider = Provider {
            server,
            keys,
            _dir: dir,
        };
        provider.publish(&[&provider.keys]).await;
        provider
    }

    async fn publish(&self, sets: &[&DevKeys]) {
        self.server.reset().await;
        let keys: Vec<Value> = sets
            .iter()
            .map(|k| serde_json::to_value(&k.jwks().keys[0]).unwrap())
            .collect();
        Mock::given(method("GET"))
            .and(path("/.well-known/jwks.json"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "keys": keys })))
            .mount(&self.server)
            .await;
    }

    fn verifier(&self, min_refresh: Duration) -> Verifier {
        let jwks = HttpJwks::with_intervals(
            reqwest::Client::new(),
            format!("{}/.well-known/jwks.json", self.server.uri()),
            min_refresh,
            Duration::from_secs(3600),
        );
        let mut settings = AuthSettings::new(ISSUER);
        settings.authorized_parties = vec![APP.into()];
        Verifier::new(Arc::new(jwks), settings)
    }

    async fn fetches(&self) -> usize {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .len()
    }
}

fn claims(extra: Value) -> Value {
    let mut base =
        json!({"iss": ISSUER, "sub": "user_1", "azp": APP, "iat": now(), "exp": now() + 300});
    base.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    base
}

#[tokio::test]
async fn valid_tokens_give_tenant_user_and_role() {
    let p = Provider::start().await;
    let v = p.verifier(Duration::from_secs(300));
    let org = p
        .keys
        .sign(&claims(json!({"org_id": "org_9", "org_role": "org:admin"})))
        .unwrap();
    let id = v.verify(&org).await.unwrap();
    assert_eq!(
        (id.tenant.as_str(), id.user.as_str(), id.role),
        ("org_9", "user_1", Role::Admin)
    );
    let personal = p.keys.sign(&claims(json!({}))).unwrap();
    let id = v.verify(&personal).await.unwrap();
    assert_eq!((id.tenant.as_str(), id.role), ("user_1", Role::Member));
    let v2 = p
        .keys
        .sign(&claims(json!({"o": {"id": "org_7", "rol": "member"}})))
        .unwrap();
    assert_eq!(v2_tenant(&v, &v2).await, "org_7");
    // Within the leeway an expired token still passes; beyond it, not.
    let late = p.keys.sign(&claims(json!({"exp": now() - 10}))).unwrap();
    assert!(v.verify(&late).await.is_ok());
    assert_eq!(
        p.fetches().await,
        1,
        "the key set is fetched once and cached"
    );
}

async fn v2_tenant(v: &Verifier, token: &str) -> String {
    v.verify(token).await.unwrap().tenant.as_str().to_string()
}

#[tokio::test]
async fn invalid_tokens_are_refused() {
    let p = Provider::start().await;
    let v = p.verifier(Duration::from_secs(300));
    let cases = [
        (json!({"iss": "https://evil.example"}), "issuer"),
        (json!({"exp": now() - 120}), "expired"),
        (json!({"nbf": now() + 300}), "not yet valid"),
    ];
    for (extra, why) in cases {
        let token = p.keys.sign(&claims(extra)).unwrap();
        assert!(
            matches!(v.verify(&token).await, Err(AuthError::Invalid(_))),
            "{why}"
        );
    }
    let other_party = p
        .keys
        .sign(&claims(json!({"azp": "https://evil.example"})))
        .unwrap();
    assert_eq!(v.verify(&other_party).await, Err(AuthError::Party));
    let mut no_party = claims(json!({}));
    no_party.as_object_mut().unwrap().remove("azp");
    assert_eq!(
        v.verify(&p.keys.sign(&no_party).unwrap()).await,
        Err(AuthError::Party)
    );

    let hs = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims(json!({})),
        &jsonwebtoken::EncodingKey::from_secret(b"guessable"),
    )
    .unwrap();
    assert_eq!(v.verify(&hs).await, Err(AuthError::Algorithm));

    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&claims(json!({})))
    );
    assert_eq!(v.verify(&none).await, Err(AuthError::Malformed));

    // A valid signature over claims, then the claims swapped: the signature no longer fits.
    let good = p.keys.sign(&claims(json!({"org_id": "org_a"}))).unwrap();
    let parts: Vec<&str> = good.split('.').collect();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        b64(&claims(json!({"org_id": "org_b"}))),
        parts[2]
    );
    assert!(matches!(
        v.verify(&forged).await,
        Err(AuthError::Invalid(_))
    ));

    assert_eq!(Verifier::bearer(Some("Basic abc")), Err(AuthError::Missing));
    assert_eq!(Verifier::bearer(None), Err(AuthError::Missing));
    assert_eq!(Verifier::bearer(Some("bearer tok")), Ok("tok"));
}

#[tokio::test]
async fn unknown_kids_refresh_the_keys_at_most_once_per_interval() {
    let p = Provider::start().await;
    let (stranger, _dir) = keys();
    let slow = p.verifier(Duration::from_secs(300));
    let own = p.keys.sign(&claims(json!({}))).unwrap();
    slow.verify(&own).await.unwrap();
    let foreign = stranger.sign(&claims(json!({}))).unwrap();
    for _ in 0..5 {
        assert_eq!(slow.verify(&foreign).await, Err(AuthError::UnknownKey));
    }
    assert_eq!(
        p.fetches().await,
        1,
        "forged kids must not hammer the provider"
    );

    // Key rotation: the provider publishes a new key; an unknown kid refetches.
    let fast = p.verifier(Duration::ZERO);
    fast.verify(&own).await.unwrap();
    p.publish(&[&p.keys, &stranger]).await;
    assert!(fast.verify(&foreign).await.is_ok());
}

#[tokio::test]
async fn an_unreachable_provider_is_reported_as_unavailable() {
    let p = Provider::start().await;
    let v = p.verifier(Duration::from_secs(300));
    p.server.reset().await;
    let token = p.keys.sign(&claims(json!({}))).unwrap();
    assert_eq!(v.verify(&token).await, Err(AuthError::KeysUnavailable));
}
