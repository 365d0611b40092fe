//! The AWS SDK's HTTP client, on reqwest with the process's one TLS configuration
//! ([`crate::tls`]), so the Lambda functions carry one HTTP stack and one root store
//! instead of the SDK's own hyper client with the system store read from disk. The
//! reqwest client is built on the first request, not at start.

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The SDK's default connect timeout; its read timeout is unset by default, and operation
/// timeouts are the SDK's own.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);

#[derive(Debug, Default)]
struct Reqwest {
    client: OnceLock<Result<reqwest::Client, String>>,
}

impl Reqwest {
    fn client(&self) -> Result<reqwest::Client, ConnectorError> {
        self.client
            .get_or_init(|| {
                crate::tls::reqwest_builder()
                    .connect_timeout(CONNECT_TIMEOUT)
                    // The SDK checks response checksums over the body as sent.
                    .no_gzip()
                    .no_brotli()
                    .no_deflate()
                    .no_proxy()
                    .build()
                    .map_err(|e| e.to_string())
            })
            .clone()
            .map_err(|e| ConnectorError::other(e.into(), None))
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, ConnectorError> {
        let client = self.client()?;
        // The body is handed over as a stream, not copied out: the SDK's stalled-stream
        // protection watches it being read, and a body never read counts as a stalled upload.
        let request = request
            .try_into_http1x()
            .map_err(|e| ConnectorError::user(e.into()))?
            .map(reqwest::Body::wrap);
        let request =
            reqwest::Request::try_from(request).map_err(|e| ConnectorError::user(e.into()))?;
        let response = client.execute(request).await.map_err(classify)?;
        let response: http::Response<reqwest::Body> = response.into();
        HttpResponse::try_from(response.map(SdkBody::from_body_1_x))
            .map_err(|e| ConnectorError::other(e.into(), None))
    }
}

/// Timeouts and connection failures are what the SDK's retry policy retries.
fn classify(e: reqwest::Error) -> ConnectorError {
    if e.is_timeout() {
        ConnectorError::timeout(e.into())
    } else if e.is_connect() || e.is_request() {
        ConnectorError::io(e.into())
    } else {
        ConnectorError::other(e.into(), None)
    }
}

#[derive(Debug, Clone, Default)]
struct Connector(Arc<Reqwest>);

impl HttpConnector for Connector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.0.clone();
        HttpConnectorFuture::new(async move { inner.send(request).await })
    }
}

impl HttpClient for Connector {
    fn http_connector(
        &self,
        _settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

/// One HTTP client for every AWS service client of the process.
pub fn http_client() -> SharedHttpClient {
    SharedHttpClient::new(Connector::default())
}
