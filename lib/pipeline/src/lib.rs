//! What paperflow does with events, independent of where it runs.
//!
//! - [`ports`]: what the pipeline needs from outside (a document store, an event publisher, a
//!   mailer, a clock), as traits that adapters implement;
//! - [`store`]: the one owner of the buckets: every key, who may touch it (the source of
//!   `infra/bucket-layout.json`), and typed records with one compare-and-swap loop;
//! - [`digest`]: SHA-256 in hex, the one way bytes are named;
//! - [`failure`]: transient, permanent and misconfigured failures, what the failure policy does
//!   with each, and the dead-letter queue a misconfigured message goes to;
//! - [`generate`]: the pdf-generator's work for one `invoice.finalized.v1` event;
//! - [`submit`]: the producer way in (the invoice API's `POST /v1/invoices`), at most once per
//!   idempotency key;
//! - [`status`]: what became of a revision (pending, ready, failed), read from the store;
//! - [`direct`]: the direct way (`POST /v1/invoices/pdf`): render now, answer inline or stored;
//! - [`mail`]: the pdf-mailer's work for one `invoice.pdf.ready.v1` notice: one e-mail per
//!   notice, guarded by a claim ([`mail::claim`]), the message built by [`mail::message`];
//! - [`archive`]: the event archive's layout, the event-archiver's writes, and the trace of a
//!   flow read back from it;
//! - [`themes`]: the brands a document names, read once per container and revalidated by ETag;
//! - [`memory`]: the ports in memory, for benchmarks and unit tests of the rules.
//!
//! This crate knows nothing of AWS or Lambda: no SDK types, no trigger events. Adapters live in
//! `paperflow-aws`, Lambda glue in `paperflow-lambda`, and the functions wire them together.

pub mod archive;
pub mod digest;
pub mod direct;
pub mod failure;
pub mod generate;
pub mod mail;
pub mod memory;
pub mod ports;
pub mod status;
pub mod store;
pub mod submit;
pub mod themes;

pub use direct::{DirectError, DirectPdf, DirectRenderer};
pub use failure::{
    DeadLetter, DeadLetterQueue, FailureKind, MessageAttribute, NoDeadLetterQueue, RecordFailure,
};
pub use generate::{Generated, LatestRevision, PdfGenerator};
pub use ports::{
    Clock, ConditionalRead, DependencyError, DocumentStore, EventPublisher, Mailer, NewObject,
    ObjectInfo, OutgoingMail, PutOutcome, SendError, SwapOutcome, SystemClock, ThemeSource,
};
pub use status::{
    FailedRevision, ReadyRevision, RevisionStatus, SubmittedRevision, revision_status,
};
pub use store::{failed_key, latest_key, pdf_key, submitted_key};
pub use submit::{Accepted, Submission, SubmitError, Submitter};
pub use themes::{Freshness, LoadedTheme, ThemeCache, ThemeFailure};
