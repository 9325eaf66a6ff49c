//! paperflow's AWS adapters: the pipeline's ports ([`DocumentStore`], [`EventPublisher`]) over
//! S3 and SNS, and the resource names read from the environment.
//!
//! - [`config`]: `DOCUMENTS_BUCKET`, `ARCHIVE_BUCKET`, the topic ARNs and `MAIL_FROM`, with errors
//!   that name the missing variable;
//! - [`clients`]: the SDK configuration, loaded once per cold start;
//! - [`s3`]: [`S3DocumentStore`], conditional writes (`If-None-Match: *`, `If-Match`) and
//!   presigned downloads;
//! - [`sns`]: [`SnsEventPublisher`], CloudEvents as the message body, `type`, `subject` and
//!   `correlationid` as message attributes;
//! - [`ses`]: [`SesMailer`], the pdf-mailer's [`Mailer`] over SES v2 (raw MIME messages);
//! - [`sqs`]: [`SqsDeadLetterQueue`], where a queue consumer puts a message only a fix of the
//!   deployment can process;
//! - [`archive`]: [`S3Archive`], the event archive read back (listing and concurrent reads);
//! - [`errors`]: the one place that decides whether a failed AWS call is worth retrying.
//!
//! What this crate must never do:
//! - hold business rules: it translates between the pipeline's words and AWS calls, nothing
//!   more; what to store, when to announce and what a failure means are decided in
//!   `paperflow-pipeline`;
//! - special-case local runs: there is no "local mode". Local runs and tests point the very same
//!   code at the emulator through the SDK's standard `AWS_ENDPOINT_URL` (or an `SdkConfig` built
//!   with an endpoint URL); S3 picks path-style addressing for an IP endpoint by its own
//!   endpoint rules;
//! - set per-request encryption or ACLs: the buckets' defaults (private, SSE) are the
//!   infrastructure's job.
//!
//! [`DocumentStore`]: paperflow_pipeline::DocumentStore
//! [`EventPublisher`]: paperflow_pipeline::EventPublisher
//! [`Mailer`]: paperflow_pipeline::Mailer

pub mod archive;
pub mod clients;
pub mod config;
pub mod errors;
pub mod s3;
pub mod ses;
pub mod sns;
pub mod sqs;

pub use archive::S3Archive;
pub use clients::sdk_config;
pub use config::{Config, ConfigError};
pub use errors::{MISCONFIGURATIONS, classify};
pub use s3::S3DocumentStore;
pub use ses::SesMailer;
pub use sns::SnsEventPublisher;
pub use sqs::SqsDeadLetterQueue;
