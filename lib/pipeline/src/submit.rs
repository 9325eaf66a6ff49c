//! The producer way in: accept a validated invoice and announce it as `invoice.finalized.v1`,
//! at most once per idempotency key.
//!
//! # The idempotency protocol
//!
//! A caller that may retry (a timeout, a lost answer) sends an idempotency key. The key's
//! record `idempotency/{sha256 of the key}.json` holds the SHA-256 of the request, and the event
//! id and correlation id chosen the first time:
//!
//! 1. create the record with `If-None-Match: *` (`published: false`), or read the one there
//!    (both one [`Records::update`]);
//! 2. a record for a different request is a conflict: the key was reused for another body;
//! 3. a record marked `published` is answered as it is: nothing is published again;
//! 4. otherwise write the submission record, publish the event with the record's ids, and mark
//!    the record `published` by compare-and-swap (a second [`Records::update`], which finds it
//!    marked already when a concurrent request with the same key got there first).
//!
//! A crash or a failed publish between 1 and 4 leaves an unpublished record; the caller's retry
//! publishes the *same* event id, so downstream deduplication (by `source` + `id`) sees one
//! event. Two identical requests racing through step 4 may both publish it, with that same id:
//! the one remaining window, closed by the consumers' deduplication rather than here. The
//! key is hashed so that any text the caller picks is a safe storage key; records should
//! expire with a lifecycle rule on `idempotency/` (the infrastructure sets one day).
//!
//! The request is identified by the JSON value of the document (object keys in order), so a
//! retry that only changes whitespace is the same request.

use crate::digest::json_sha256;
use crate::ports::{DependencyError, DocumentStore, EventPublisher};
use crate::status::SubmittedRevision;
use crate::store::records::{Decision, Records, StoreError};
use crate::store::{idempotency_record_key, submitted_key};
use paperflow_events::{CloudEvent, EventType};
use paperflow_invoice::Invoice;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

/// The `source` of the events the invoice API publishes.
pub const SOURCE: &str = "paperflow/invoice-api";

/// How often the record is re-read when a concurrent request changed it in between.
const ATTEMPTS: usize = 4;

/// An accepted submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    /// The invoice.
    pub invoice_id: String,
    /// Its revision.
    pub revision: u32,
    /// The id of the `invoice.finalized.v1` event.
    pub event_id: String,
    /// The flow the event starts or continues.
    pub correlation_id: String,
}

/// The record an idempotency key leaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct KeyRecord {
    /// SHA-256 of the request it was first used for.
    request_sha256: String,
    /// What that request was answered.
    submission: Submission,
    /// Whether the event was published.
    published: bool,
}

/// Why a submission was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitError {
    /// The document names an e-invoice (`einvoice`) it cannot become: every reason, with its
    /// pointer and business term. Refused now rather than failed by the pdf-generator later.
    EInvoiceImpossible(Vec<paperflow_einvoice::Violation>),
    /// The idempotency key was first used for a different request.
    KeyReused,
    /// The store or the topic failed; the caller may retry (with the same key).
    Dependency(DependencyError),
}

impl From<DependencyError> for SubmitError {
    fn from(error: DependencyError) -> Self {
        SubmitError::Dependency(error)
    }
}

impl From<StoreError> for SubmitError {
    fn from(error: StoreError) -> Self {
        SubmitError::Dependency(error.into())
    }
}

/// What was accepted, and whether it was answered from an earlier request with the same key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The submission.
    pub submission: Submission,
    /// `true` when an earlier request with the same key had already published it.
    pub replayed: bool,
}

/// Announces invoices on the invoice-events topic.
pub struct Submitter<S, P> {
    store: S,
    publisher: P,
}

impl<S: DocumentStore, P: EventPublisher> Submitter<S, P> {
    /// A submitter keeping its records in `store` and publishing on `publisher`.
    pub fn new(store: S, publisher: P) -> Self {
        Submitter { store, publisher }
    }

    /// Accepts `invoice` (validated from `document`) in the flow `correlation_id`, at most once
    /// per `idempotency_key`.
    ///
    /// # Errors
    ///
    /// [`SubmitError::EInvoiceImpossible`] for a document whose own `einvoice` it cannot become
    /// (nothing is recorded or published); [`SubmitError::KeyReused`] for a key first used with
    /// another document;
    /// [`SubmitError::Dependency`] when the store or the topic failed.
    pub async fn submit(
        &self,
        invoice: &Invoice,
        document: &Value,
        correlation_id: &str,
        idempotency_key: Option<&str>,
    ) -> Result<Accepted, SubmitError> {
        // The deployment's default format is the pdf-generator's to apply; a format the document
        // names itself is checked here, so the producer hears of a missing BT now.
        if let Some(format) = invoice.einvoice {
            paperflow_einvoice::check(invoice, format).map_err(SubmitError::EInvoiceImpossible)?;
        }
        let submission = Submission {
            invoice_id: invoice.id.as_str().to_owned(),
            revision: invoice.revision,
            event_id: paperflow_events::new_event_id(),
            correlation_id: correlation_id.to_owned(),
        };
        let Some(key) = idempotency_key else {
            self.announce(&submission, document).await?;
            return Ok(Accepted {
                submission,
                replayed: false,
            });
        };
        let record_key = idempotency_record_key(key);
        let fresh = KeyRecord {
            request_sha256: json_sha256(document),
            submission,
            published: false,
        };
        let records = Records::new(&self.store);
        let record = records
            .update(
                &record_key,
                ATTEMPTS,
                |stored: Option<KeyRecord>| match stored {
                    Some(stored) => Decision::Keep(stored),
                    None => Decision::Write(fresh.clone(), fresh.clone()),
                },
            )
            .await?;
        if record.request_sha256 != fresh.request_sha256 {
            return Err(SubmitError::KeyReused);
        }
        if record.published {
            return Ok(Accepted {
                submission: record.submission,
                replayed: true,
            });
        }
        self.announce(&record.submission, document).await?;
        records
            .update(
                &record_key,
                ATTEMPTS,
                |stored: Option<KeyRecord>| match stored {
                    Some(stored) if !stored.published => Decision::Write(
                        KeyRecord {
                            published: true,
                            ..stored
                        },
                        (),
                    ),
                    // Marked already by a concurrent request with the same key (or expired).
                    _ => Decision::Keep(()),
                },
            )
            .await?;
        Ok(Accepted {
            submission: record.submission,
            replayed: false,
        })
    }

    /// Writes the submission record (so the status reads "pending" from now on), then publishes
    /// the event.
    async fn announce(&self, submission: &Submission, document: &Value) -> Result<(), SubmitError> {
        let now = OffsetDateTime::now_utc();
        let event = CloudEvent::new(
            submission.event_id.clone(),
            SOURCE,
            EventType::InvoiceFinalized,
            submission.invoice_id.clone(),
            now,
            document.clone(),
        )
        .with_correlation(submission.correlation_id.clone());
        let record = SubmittedRevision {
            invoice_id: submission.invoice_id.clone(),
            revision: submission.revision,
            event_id: submission.event_id.clone(),
            correlation_id: submission.correlation_id.clone(),
            submitted_at: event.time.clone(),
        };
        let key = submitted_key(&submission.invoice_id, submission.revision);
        // The newest submission of a revision wins the record: what was there (readable or
        // not) is written over.
        Records::new(&self.store)
            .update_replacing_unreadable(&key, ATTEMPTS, |_: Option<SubmittedRevision>| {
                Decision::Write(record.clone(), ())
            })
            .await?;
        self.publisher.publish(&event).await?;
        Ok(())
    }
}
