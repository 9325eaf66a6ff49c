//! What paperflow does with events, independent of where it runs.
//!
//! - [`ports`]: what the pipeline needs from outside (a document store, an event publisher),
//!   as traits that adapters implement;
//! - [`failure`]: transient and permanent failures, and what the failure policy does with each;
//! - [`generate`]: the pdf-generator's work for one `invoice.finalized.v1` event.
//!
//! This crate knows nothing of AWS or Lambda: no SDK types, no trigger events. Adapters live in
//! `paperflow-aws`, Lambda glue in `paperflow-lambda`, and the functions wire them together.

pub mod failure;
pub mod generate;
pub mod mail;
pub mod ports;

pub use failure::{FailureKind, RecordFailure};
pub use generate::{Generated, LatestRevision, PdfGenerator, latest_key, pdf_key};
pub use ports::{
    DependencyError, DocumentStore, EventPublisher, NewObject, ObjectInfo, PutOutcome, SwapOutcome,
};
