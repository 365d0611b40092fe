//! The environment a function gets in Lambda, as template.yaml gives it, with every
//! endpoint on loopback (port 9, where nothing answers) so that nothing can reach the
//! internet: a start that made a network call would stall or fail, not pass.

use std::collections::HashMap;

pub fn for_function(name: &str) -> HashMap<String, String> {
    let unused = "http://127.0.0.1:9";
    let queue = |q: &str| format!("{unused}/123456789012/{q}");
    let mut env: HashMap<String, String> = [
        // What the Lambda runtime sets.
        ("PATH", "/usr/local/bin:/usr/bin:/bin"),
        ("AWS_REGION", "eu-west-1"),
        ("AWS_DEFAULT_REGION", "eu-west-1"),
        ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLEEXAMPLE00"),
        (
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ),
        ("AWS_SESSION_TOKEN", "IQoJb3JpZ2luX2VjEXAMPLE"),
        ("AWS_LAMBDA_FUNCTION_NAME", name),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/backlinks"),
        (
            "AWS_LAMBDA_LOG_STREAM_NAME",
            "2026/01/01/[$LATEST]0123456789abcdef",
        ),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"),
        ("LAMBDA_TASK_ROOT", "/var/task"),
        ("_HANDLER", "bootstrap"),
        ("TZ", ":UTC"),
        // What template.yaml's Globals set.
        ("TABLE_NAME", "backlinks"),
        ("EVENT_BUS_NAME", "backlinks-events"),
        ("JWT_ISSUER", "https://clerk.example.test"),
        ("JWT_AUTHORIZED_PARTIES", "https://app.example.test"),
        (
            "BACKLINKS_SECRET_KEY",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        ),
        ("PUBLIC_BASE_URL", "https://api.example.test"),
        ("REPLY_DOMAIN", "reply.example.test"),
        ("SES_CONFIGURATION_SET", "backlinks"),
        ("PLATFORM_DOMAIN_DAILY_CAP", "50"),
        ("EXA_API_KEY", "exa-test-key"),
        ("DUCKDUCKGO_ENABLED", "1"),
        ("OPENAI_API_KEY", "sk-test"),
        ("RUST_LOG", "info"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    env.insert("AWS_ENDPOINT_URL".into(), unused.into());
    env.insert("JWKS_URL".into(), format!("{unused}/.well-known/jwks.json"));
    env.insert("EXA_BASE_URL".into(), unused.into());
    env.insert("DUCKDUCKGO_BASE_URL".into(), unused.into());
    env.insert("OPENAI_BASE_URL".into(), format!("{unused}/v1"));
    for q in backlinks_core::jobs::queue_names() {
        env.insert(backlinks_core::config::queue_url_var(q), queue(q));
        env.insert(
            backlinks_core::config::dead_letter_url_var(q),
            queue(&format!("{q}-dlq")),
        );
    }
    if name == "reply-ingest" {
        env.insert("INBOUND_BUCKET".into(), "backlinks-inbound".into());
        env.insert("INBOUND_PREFIX".into(), "inbound/".into());
    }
    env
}
