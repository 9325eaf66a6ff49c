//! The SDK configuration the adapters' clients are built from.

use aws_config::{BehaviorVersion, ConfigLoader, SdkConfig};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};

/// The SDK configuration from the environment, as the SDK defines it: region, credentials
/// (the Lambda role's in AWS), and `AWS_ENDPOINT_URL` when set (the emulator, locally).
///
/// Load it once per cold start and build every client from it: they all share its HTTP client
/// and with it the connection pool.
pub async fn sdk_config() -> SdkConfig {
    config_loader().load().await
}

/// The loader behind [`sdk_config`], for a configuration that sets more itself (the local
/// stack's own clients: the emulator's endpoint and test credentials). It reads the
/// environment for whatever the caller leaves unset.
pub fn config_loader() -> ConfigLoader {
    // The SDK's own hyper client (HTTPS, and plain HTTP for a local emulator), with rustls
    // over *ring* instead of the default client's aws-lc: the same cipher suites the SDK
    // restricts rustls to and the system's root certificates, for a fraction of the code
    // (the workspace leaves out the SDK's `default-https-client`; see Cargo.toml). Unlike the
    // default client it reads no HTTPS_PROXY: Lambda has none.
    let https = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https();
    aws_config::defaults(BehaviorVersion::latest()).http_client(https)
}
