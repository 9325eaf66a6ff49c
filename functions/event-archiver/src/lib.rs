//! event-archiver: an SQS-triggered Lambda function (ReportBatchItemFailures).
//!
//! The archive queue is subscribed to every topic without a filter, with raw delivery; each
//! record is one event, or something that was meant to be one. Every record is kept in the
//! archive bucket as `paperflow_pipeline::archive` lays it out, keyed by its SQS message id so
//! that a redelivered batch adds nothing. A body that is no event is kept too, as
//! unparseable: nothing is rejected, so the only failures are the bucket's, and those records
//! alone are delivered again. This crate only wires that to the shared batch mechanism, and
//! `main.rs` only builds the client.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use paperflow_lambda::metrics::{Unit, emit};
use paperflow_lambda::{BatchSettings, Record, RecordProcessor, send_to_dead_letter_queue};
use paperflow_pipeline::archive::EventArchiver;
use paperflow_pipeline::{
    DeadLetter, DeadLetterQueue, DocumentStore, NoDeadLetterQueue, RecordFailure,
};
use std::sync::Arc;
use time::OffsetDateTime;

const FUNCTION: &str = "event-archiver";

/// Records written at the same time within one batch: S3 puts, I/O bound.
pub const CONCURRENCY: usize = 10;

/// Archives each record of the archive queue.
pub struct ArchiveRecords<S, D = NoDeadLetterQueue> {
    archiver: EventArchiver<S>,
    dead_letters: D,
}

impl<S> ArchiveRecords<S> {
    /// Archives records with `archiver`; without a dead-letter queue, a misconfigured record
    /// is left for redelivery.
    pub fn new(archiver: EventArchiver<S>) -> Self {
        ArchiveRecords {
            archiver,
            dead_letters: NoDeadLetterQueue,
        }
    }
}

impl<S, D> ArchiveRecords<S, D> {
    /// The same, handing misconfigured records to `dead_letters` (archive-dlq).
    pub fn with_dead_letter_queue<Q>(self, dead_letters: Q) -> ArchiveRecords<S, Q> {
        ArchiveRecords {
            archiver: self.archiver,
            dead_letters,
        }
    }
}

/// When the queue received the record: its `SentTimestamp`, the same on every delivery, or
/// now when SQS gave none.
fn received_at(record: &Record<'_>) -> OffsetDateTime {
    record
        .sent_timestamp_ms
        .and_then(|millis| {
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000).ok()
        })
        .unwrap_or_else(OffsetDateTime::now_utc)
}

impl<S, D> RecordProcessor for ArchiveRecords<S, D>
where
    S: DocumentStore + 'static,
    D: DeadLetterQueue + 'static,
{
    async fn process(&self, record: &Record<'_>) -> Result<(), RecordFailure> {
        let archived = self
            .archiver
            .archive(record.message_id, record.body, received_at(record))
            .await?;
        if !archived.parsed {
            tracing::warn!(
                key = archived.key.as_str(),
                "archived a message that is no event"
            );
        }
        emit(
            FUNCTION,
            &[
                (
                    "archived",
                    f64::from(u8::from(!archived.duplicate)),
                    Unit::Count,
                ),
                (
                    "duplicate",
                    f64::from(u8::from(archived.duplicate)),
                    Unit::Count,
                ),
                (
                    "unparseable",
                    f64::from(u8::from(!archived.parsed)),
                    Unit::Count,
                ),
            ],
        );
        Ok(())
    }

    async fn reject(&self, _: &Record<'_>, failure: &RecordFailure) -> Result<(), RecordFailure> {
        // The archiver refuses nothing; should a permanent failure ever appear, the record is
        // left for redelivery and the DLQ rather than dropped from the archive.
        Err(failure.clone())
    }

    async fn dead_letter(&self, letter: &DeadLetter<'_>) -> Result<(), RecordFailure> {
        send_to_dead_letter_queue(&self.dead_letters, letter).await
    }
}

/// The Lambda handler: one SQS batch in, the records to deliver again out.
pub async fn handle<S, D>(
    records: Arc<ArchiveRecords<S, D>>,
    batch: SqsEvent,
) -> Result<SqsBatchResponse, lambda_runtime::Error>
where
    S: DocumentStore + 'static,
    D: DeadLetterQueue + 'static,
{
    let settings = BatchSettings {
        function: FUNCTION,
        concurrency: CONCURRENCY,
    };
    let (response, _) = paperflow_lambda::process_batch(records, batch, settings).await?;
    Ok(response)
}
