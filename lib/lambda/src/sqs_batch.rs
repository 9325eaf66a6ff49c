//! One mechanism for every SQS-triggered function: a batch in, a partial-failure response out.
//!
//! Records are processed concurrently (at most `concurrency` at a time), each on its own task,
//! so that one slow, failing or even panicking record never takes its neighbours down with it.
//! Each outcome follows the failure policy:
//!
//! | outcome of `process` | what happens | in `batchItemFailures`? |
//! |---|---|---|
//! | success | the record is done | no |
//! | permanent failure | `reject` announces it (failed notice) | no, once announced |
//! | permanent failure, `reject` fails | left for redelivery | yes |
//! | transient failure or panic | left for redelivery | yes |
//!
//! The function must be configured with `ReportBatchItemFailures`, so that SQS deletes every
//! record not listed. A listed record comes back after its visibility timeout, and after
//! maxReceiveCount deliveries it moves to the dead-letter queue: nothing is lost.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use paperflow_pipeline::RecordFailure;
use std::future::Future;
use std::sync::Arc;
use tokio::sync::Semaphore;
use tracing::Instrument;

/// One record of a batch, as a processor sees it: the body and what SQS says about it, in
/// plain types, so that processors stay free of Lambda's event types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// The SQS message id: the same on every delivery of the message, so a processor can key
    /// idempotent writes on it.
    pub message_id: Option<&'a str>,
    /// The message body.
    pub body: &'a str,
    /// When the queue received the message (SQS `SentTimestamp`, milliseconds since the Unix
    /// epoch); also the same on every delivery.
    pub sent_timestamp_ms: Option<u64>,
}

/// What a function does with one record of a batch.
pub trait RecordProcessor: Send + Sync + 'static {
    /// Processes one record.
    fn process(
        &self,
        record: &Record<'_>,
    ) -> impl Future<Output = Result<(), RecordFailure>> + Send;

    /// Announces a permanent failure of `record`, so that the message can be acknowledged.
    /// An error here leaves the message for redelivery.
    fn reject(
        &self,
        record: &Record<'_>,
        failure: &RecordFailure,
    ) -> impl Future<Output = Result<(), RecordFailure>> + Send;
}

/// What became of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchOutcome {
    /// Processed.
    Succeeded,
    /// Permanently failed and announced; acknowledged.
    Rejected(RecordFailure),
    /// Left for redelivery.
    Retried(RecordFailure),
}

/// Processes the batch and answers which records SQS must deliver again.
///
/// A record without a message id cannot be named in the response; should such a record need
/// redelivery, the whole invocation fails instead (returns `Err`), so that SQS delivers the
/// whole batch again rather than losing it.
pub async fn process_batch<P: RecordProcessor>(
    processor: Arc<P>,
    event: SqsEvent,
    concurrency: usize,
) -> Result<(SqsBatchResponse, Vec<BatchOutcome>), String> {
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = Vec::with_capacity(event.records.len());
    for record in event.records {
        let processor = Arc::clone(&processor);
        let permits = Arc::clone(&permits);
        let message_id = record.message_id.clone();
        let task_message_id = record.message_id;
        let body = record.body.unwrap_or_default();
        let sent_timestamp_ms = record
            .attributes
            .get("SentTimestamp")
            .and_then(|millis| millis.parse().ok());
        let span = tracing::info_span!("record", message_id = message_id.as_deref().unwrap_or(""));
        let task = tokio::spawn(
            async move {
                let _permit = permits.acquire_owned().await;
                let record = Record {
                    message_id: task_message_id.as_deref(),
                    body: &body,
                    sent_timestamp_ms,
                };
                handle_record(processor.as_ref(), &record).await
            }
            .instrument(span),
        );
        tasks.push((message_id, task));
    }

    let mut response = SqsBatchResponse::default();
    let mut outcomes = Vec::with_capacity(tasks.len());
    for (message_id, task) in tasks {
        let outcome = task.await.unwrap_or_else(|panic| {
            tracing::error!(%panic, "a record's handler panicked: this is a bug");
            BatchOutcome::Retried(RecordFailure::transient(
                "handler_panicked",
                format!("the handler panicked: {panic}"),
            ))
        });
        if let BatchOutcome::Retried(failure) = &outcome {
            match &message_id {
                Some(id) => response.add_failure(id.clone()),
                None => {
                    return Err(format!(
                        "a record without a message id must be retried ({failure}): failing the whole batch"
                    ));
                }
            }
        }
        outcomes.push(outcome);
    }
    Ok((response, outcomes))
}

async fn handle_record<P: RecordProcessor>(processor: &P, record: &Record<'_>) -> BatchOutcome {
    match processor.process(record).await {
        Ok(()) => BatchOutcome::Succeeded,
        Err(failure) if failure.is_transient() => {
            tracing::warn!(code = %failure.code, message = %failure.message, "record left for redelivery");
            BatchOutcome::Retried(failure)
        }
        Err(failure) => match processor.reject(record, &failure).await {
            Ok(()) => BatchOutcome::Rejected(failure),
            Err(announce) => {
                tracing::warn!(
                    code = %failure.code,
                    announce_error = %announce,
                    "a permanent failure could not be announced: record left for redelivery"
                );
                BatchOutcome::Retried(RecordFailure::transient(
                    "failure_notice_unpublished",
                    format!("{failure}; announcing it failed: {announce}"),
                ))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lambda_events::event::sqs::SqsMessage;
    use std::sync::Mutex;

    /// Processes bodies by their text: "ok", "transient", "permanent", "panic".
    #[derive(Default)]
    struct Scripted {
        rejected: Mutex<Vec<String>>,
        reject_fails: bool,
    }

    impl RecordProcessor for Scripted {
        async fn process(&self, record: &Record<'_>) -> Result<(), RecordFailure> {
            match record.body {
                "ok" => Ok(()),
                "transient" => Err(RecordFailure::transient("s3_unavailable", "down")),
                "panic" => panic!("a bug"),
                _ => Err(RecordFailure::permanent("invalid_invoice", "bad")),
            }
        }

        async fn reject(
            &self,
            record: &Record<'_>,
            _failure: &RecordFailure,
        ) -> Result<(), RecordFailure> {
            if self.reject_fails {
                return Err(RecordFailure::transient("sns_unavailable", "down"));
            }
            self.rejected
                .lock()
                .expect("not poisoned")
                .push(record.body.to_owned());
            Ok(())
        }
    }

    fn batch(bodies: &[&str]) -> SqsEvent {
        let mut event = SqsEvent::default();
        event.records = bodies
            .iter()
            .enumerate()
            .map(|(index, body)| {
                let mut message = SqsMessage::default();
                message.message_id = Some(format!("m{index}"));
                message.body = Some((*body).to_owned());
                message
            })
            .collect();
        event
    }

    fn failed_ids(response: &SqsBatchResponse) -> Vec<&str> {
        response
            .batch_item_failures
            .iter()
            .map(|failure| failure.item_identifier.as_str())
            .collect()
    }

    #[tokio::test]
    async fn only_transient_failures_are_reported_for_redelivery() {
        let processor = Arc::new(Scripted::default());
        let (response, outcomes) = process_batch(
            Arc::clone(&processor),
            batch(&["ok", "transient", "permanent", "ok"]),
            2,
        )
        .await
        .expect("the batch is answered");
        assert_eq!(failed_ids(&response), ["m1"]);
        assert!(matches!(outcomes[2], BatchOutcome::Rejected(_)));
        assert_eq!(
            *processor.rejected.lock().expect("not poisoned"),
            ["permanent"]
        );
    }

    #[tokio::test]
    async fn a_permanent_failure_that_cannot_be_announced_is_retried() {
        let processor = Arc::new(Scripted {
            reject_fails: true,
            ..Scripted::default()
        });
        let (response, _) = process_batch(processor, batch(&["permanent", "ok"]), 4)
            .await
            .expect("the batch is answered");
        assert_eq!(failed_ids(&response), ["m0"]);
    }

    #[tokio::test]
    async fn a_panicking_record_fails_alone() {
        let processor = Arc::new(Scripted::default());
        let (response, outcomes) = process_batch(processor, batch(&["ok", "panic", "ok"]), 3)
            .await
            .expect("the batch is answered");
        assert_eq!(failed_ids(&response), ["m1"]);
        assert_eq!(outcomes[0], BatchOutcome::Succeeded);
        assert_eq!(outcomes[2], BatchOutcome::Succeeded);
    }

    #[tokio::test]
    async fn a_retried_record_without_a_message_id_fails_the_whole_batch() {
        let mut event = batch(&["ok", "transient"]);
        event.records[1].message_id = None;
        let result = process_batch(Arc::new(Scripted::default()), event, 2).await;
        assert!(result.is_err());
    }

    /// A record as a processor saw it: message id, body, sent timestamp.
    type Seen = (Option<String>, String, Option<u64>);

    /// Remembers what each record looked like.
    #[derive(Default)]
    struct Recording {
        seen: Mutex<Vec<Seen>>,
    }

    impl RecordProcessor for Recording {
        async fn process(&self, record: &Record<'_>) -> Result<(), RecordFailure> {
            self.seen.lock().expect("not poisoned").push((
                record.message_id.map(str::to_owned),
                record.body.to_owned(),
                record.sent_timestamp_ms,
            ));
            Ok(())
        }

        async fn reject(&self, _: &Record<'_>, _: &RecordFailure) -> Result<(), RecordFailure> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_processor_sees_the_message_id_and_when_the_queue_received_it() {
        let mut event = batch(&["first", "second"]);
        event.records[0]
            .attributes
            .insert("SentTimestamp".into(), "1764165941123".into());
        event.records[1]
            .attributes
            .insert("SentTimestamp".into(), "not a number".into());
        let processor = Arc::new(Recording::default());
        process_batch(Arc::clone(&processor), event, 1)
            .await
            .expect("answered");
        let seen = processor.seen.lock().expect("not poisoned").clone();
        assert_eq!(
            seen,
            [
                (Some("m0".into()), "first".into(), Some(1_764_165_941_123)),
                (Some("m1".into()), "second".into(), None),
            ]
        );
    }

    #[tokio::test]
    async fn an_empty_batch_has_no_failures() {
        let (response, outcomes) =
            process_batch(Arc::new(Scripted::default()), SqsEvent::default(), 2)
                .await
                .expect("answered");
        assert!(response.batch_item_failures.is_empty() && outcomes.is_empty());
    }
}
