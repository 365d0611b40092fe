//! The AWS SDK configuration of a Lambda function, from exactly what the Lambda runtime
//! puts in the environment: its region and its role's credentials. No profile files, no
//! credential chain, no instance metadata: nothing to look up, so nothing to wait for.

use crate::config::{ConfigError, optional, required};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_runtime_api::client::behavior_version::BehaviorVersion;
use aws_types::SdkConfig;
use aws_types::region::Region;

/// The SDK configuration every service client of the process is built from. Missing
/// variables fail here, at start, by name.
pub fn sdk_config() -> Result<SdkConfig, ConfigError> {
    let lambda = "set by the Lambda runtime";
    let credentials = Credentials::new(
        required("AWS_ACCESS_KEY_ID", lambda)?,
        required("AWS_SECRET_ACCESS_KEY", lambda)?,
        optional("AWS_SESSION_TOKEN"),
        None,
        "lambda-environment",
    );
    let mut builder = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(required("AWS_REGION", lambda)?))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .http_client(crate::adapters::aws_http::http_client());
    // A local emulator in tests; unset in the cloud.
    if let Some(url) = optional("AWS_ENDPOINT_URL") {
        builder = builder.endpoint_url(url);
    }
    Ok(builder.build())
}
