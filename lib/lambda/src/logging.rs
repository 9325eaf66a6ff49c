//! Logging for a Lambda function.

/// Installs the tracing subscriber once per cold start: JSON lines when
/// `AWS_LAMBDA_LOG_FORMAT=JSON` (Lambda's advanced logging controls), plain text otherwise,
/// at the level of `AWS_LAMBDA_LOG_LEVEL` or `RUST_LOG` (INFO by default). Spans carry the
/// correlation id and the invoice id, so every line of one flow can be found together.
pub fn init() {
    lambda_runtime::tracing::init_default_subscriber();
}
