//! What every paperflow Lambda function shares, so that no function repeats it:
//!
//! - [`sqs_batch`]: one mechanism for SQS batches with partial failures;
//! - [`metrics`]: CloudWatch metrics as Embedded Metric Format log lines;
//! - [`logging`]: JSON log lines when Lambda asks for them.
//!
//! Business rules live in `paperflow-pipeline`; this crate only translates between Lambda's
//! world (trigger events, batch responses, log formats) and the pipeline's.

pub mod logging;
pub mod metrics;
pub mod sqs_batch;

pub use sqs_batch::{
    BatchOutcome, BatchSettings, Record, RecordProcessor, process_batch, send_to_dead_letter_queue,
};
