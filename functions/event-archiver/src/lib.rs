//! event-archiver: an SQS-triggered Lambda function (ReportBatchItemFailures).
//!
//! The archive queue is subscribed to every topic without a filter, with raw delivery; each
//! record is one event, or something that was meant to be one. The batch is written to the
//! archive bucket first, one object per day and event type
//! (`paperflow_pipeline::archive` lays it out and says why every event is kept once); then the
//! shared batch mechanism answers for each record from what became of its object. A body that
//! is no event is kept too, as unparseable: nothing is rejected, so the only failures are the
//! bucket's, and the records of an object that was not written alone are delivered again (or,
//! when the bucket refuses for good, sent to archive-dlq). This crate only wires that, and
//! `main.rs` only builds the client.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use paperflow_lambda::metrics::{Unit, emit};
use paperflow_lambda::{BatchSettings, Record, RecordProcessor, send_to_dead_letter_queue};
use paperflow_pipeline::archive::{Archived, EventArchiver, Message, archive_id};
use paperflow_pipeline::{
    DeadLetter, DeadLetterQueue, DocumentStore, NoDeadLetterQueue, RecordFailure,
};
use std::collections::HashMap;
use std::sync::Arc;
use time::OffsetDateTime;

const FUNCTION: &str = "event-archiver";

/// Records answered at the same time within one batch: their objects are already written,
/// so this only bounds the dead-letter sends of a misconfigured bucket.
pub const CONCURRENCY: usize = 10;

/// Archives the batches of the archive queue.
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

/// One batch, written: what became of each record's object, by the record's archive id.
struct WrittenBatch<S, D> {
    records: Arc<ArchiveRecords<S, D>>,
    outcomes: HashMap<String, Result<Archived, RecordFailure>>,
}

/// When the queue received the record: its `SentTimestamp`, the same on every delivery, or
/// now when SQS gave none.
fn received_at(record: &SqsMessage) -> OffsetDateTime {
    record
        .attributes
        .get("SentTimestamp")
        .and_then(|millis| millis.parse::<i64>().ok())
        .and_then(|millis| {
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000).ok()
        })
        .unwrap_or_else(OffsetDateTime::now_utc)
}

fn message_of(record: &SqsMessage) -> Message<'_> {
    Message {
        message_id: record.message_id.as_deref(),
        body: record.body.as_deref().unwrap_or_default(),
        received: received_at(record),
    }
}

impl<S, D> RecordProcessor for WrittenBatch<S, D>
where
    S: DocumentStore + 'static,
    D: DeadLetterQueue + 'static,
{
    async fn process(&self, record: &Record<'_>) -> Result<(), RecordFailure> {
        let id = archive_id(record.message_id, record.body);
        let archived = self.outcomes.get(&id).cloned().unwrap_or_else(|| {
            Err(RecordFailure::transient(
                "not_archived",
                format!("record {id} was not in the batch written"),
            ))
        })?;
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
        send_to_dead_letter_queue(&self.records.dead_letters, letter).await
    }
}

/// The Lambda handler: one SQS batch in, written to the archive, and the records to deliver
/// again out.
pub async fn handle<S, D>(
    records: Arc<ArchiveRecords<S, D>>,
    batch: SqsEvent,
) -> Result<SqsBatchResponse, lambda_runtime::Error>
where
    S: DocumentStore + 'static,
    D: DeadLetterQueue + 'static,
{
    let messages: Vec<Message<'_>> = batch.records.iter().map(message_of).collect();
    let outcomes = records.archiver.archive_batch(&messages).await;
    let outcomes = messages
        .iter()
        .map(Message::archive_id)
        .zip(outcomes)
        .collect();
    let written = Arc::new(WrittenBatch { records, outcomes });
    let settings = BatchSettings {
        function: FUNCTION,
        concurrency: CONCURRENCY,
    };
    let (response, _) = paperflow_lambda::process_batch(written, batch, settings).await?;
    Ok(response)
}
