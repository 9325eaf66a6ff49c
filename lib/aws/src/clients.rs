//! The SDK configuration the adapters' clients are built from.

use aws_config::{BehaviorVersion, SdkConfig};

/// The SDK configuration from the environment, as the SDK defines it: region, credentials
/// (the Lambda role's in AWS), and `AWS_ENDPOINT_URL` when set (the emulator, locally).
///
/// Load it once per cold start and build every client from it.
pub async fn sdk_config() -> SdkConfig {
    aws_config::load_defaults(BehaviorVersion::latest()).await
}
