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
//! | misconfiguration | `dead_letter` sends it to the queue's DLQ at once; a `Misconfigurations` metric | no, once in the DLQ |
//! | misconfiguration, `dead_letter` fails | left for redelivery | yes |
//! | transient failure or panic | left for redelivery | yes |
//!
//! The function must be configured with `ReportBatchItemFailures`, so that SQS deletes every
//! record not listed. A listed record comes back after its visibility timeout, and after
//! maxReceiveCount deliveries it moves to the dead-letter queue: nothing is lost. A record is
//! left out of the list only once it has a result: processed, announced as failed, or a copy
//! of it (body and attributes) accepted by the dead-letter queue.
//!
//! Why a misconfigured record skips the redeliveries: every one would be refused the same way
//! until the deployment is fixed, each burning one receive of maxReceiveCount and a Lambda
//! invocation, and the failure would reach the DLQ (and its alarm) only after
//! maxReceiveCount × the visibility timeout. In the DLQ it waits for the fix and a redrive.

use crate::metrics::{Unit, emit_with};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessageAttribute};
use paperflow_pipeline::{DeadLetter, DeadLetterQueue, MessageAttribute, RecordFailure};
use std::collections::{BTreeMap, HashMap};
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
    /// The message attributes with a text value (String and Number types: every attribute
    /// SNS delivers raw). Binary attributes are not carried; paperflow sends none.
    pub attributes: &'a BTreeMap<String, MessageAttribute>,
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

    /// Hands a record that only a fix of the deployment can process to the queue's
    /// dead-letter queue (see [`send_to_dead_letter_queue`]), so that the message can be
    /// acknowledged. An error here leaves the message for redelivery.
    fn dead_letter(
        &self,
        letter: &DeadLetter<'_>,
    ) -> impl Future<Output = Result<(), RecordFailure>> + Send;
}

/// What a processor's [`RecordProcessor::dead_letter`] does: sends `letter` to `queue`; any
/// failure of the queue leaves the record for redelivery.
pub async fn send_to_dead_letter_queue<Q: DeadLetterQueue>(
    queue: &Q,
    letter: &DeadLetter<'_>,
) -> Result<(), RecordFailure> {
    queue
        .send(letter)
        .await
        .map_err(|error| RecordFailure::transient("dead_letter_unsent", error.to_string()))
}

/// How a function runs its batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchSettings {
    /// The function's name, the dimension of its metrics.
    pub function: &'static str,
    /// Records processed at the same time.
    pub concurrency: usize,
}

/// What became of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchOutcome {
    /// Processed.
    Succeeded,
    /// Permanently failed and announced; acknowledged.
    Rejected(RecordFailure),
    /// Misconfigured, and sent to the dead-letter queue; acknowledged.
    DeadLettered(RecordFailure),
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
    settings: BatchSettings,
) -> Result<(SqsBatchResponse, Vec<BatchOutcome>), String> {
    let permits = Arc::new(Semaphore::new(settings.concurrency.max(1)));
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
        let attributes = text_attributes(&record.message_attributes);
        let span = tracing::info_span!("record", message_id = message_id.as_deref().unwrap_or(""));
        let task = tokio::spawn(
            async move {
                let _permit = permits.acquire_owned().await;
                let record = Record {
                    message_id: task_message_id.as_deref(),
                    body: &body,
                    sent_timestamp_ms,
                    attributes: &attributes,
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
        if let BatchOutcome::DeadLettered(failure) | BatchOutcome::Retried(failure) = &outcome
            && failure.is_misconfigured()
        {
            emit_with(
                settings.function,
                &[("Misconfigurations", 1.0, Unit::Count)],
                &[("code", failure.code.as_str())],
            );
        }
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

/// The attributes of a message that have a text value, in the pipeline's words.
fn text_attributes(
    attributes: &HashMap<String, SqsMessageAttribute>,
) -> BTreeMap<String, MessageAttribute> {
    attributes
        .iter()
        .filter_map(|(name, attribute)| {
            Some((
                name.clone(),
                MessageAttribute {
                    data_type: attribute.data_type.clone()?,
                    value: attribute.string_value.clone()?,
                },
            ))
        })
        .collect()
}

async fn handle_record<P: RecordProcessor>(processor: &P, record: &Record<'_>) -> BatchOutcome {
    match processor.process(record).await {
        Ok(()) => BatchOutcome::Succeeded,
        Err(failure) if failure.is_transient() => {
            tracing::warn!(code = %failure.code, message = %failure.message, "record left for redelivery");
            BatchOutcome::Retried(failure)
        }
        Err(failure) if failure.is_misconfigured() => {
            let letter = DeadLetter {
                body: record.body,
                attributes: record.attributes,
                failure: &failure,
            };
            match processor.dead_letter(&letter).await {
                Ok(()) => {
                    tracing::error!(
                        code = %failure.code,
                        message = %failure.message,
                        "the deployment is misconfigured: record sent to the dead-letter queue; fix, then redrive"
                    );
                    BatchOutcome::DeadLettered(failure)
                }
                Err(unsent) => {
                    tracing::error!(
                        code = %failure.code,
                        message = %failure.message,
                        dead_letter_error = %unsent,
                        "the deployment is misconfigured and the dead-letter queue did not take the record: left for redelivery"
                    );
                    BatchOutcome::Retried(RecordFailure {
                        message: format!(
                            "{}; the dead-letter queue did not take it: {unsent}",
                            failure.message
                        ),
                        ..failure
                    })
                }
            }
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

    const SETTINGS: BatchSettings = BatchSettings {
        function: "test",
        concurrency: 2,
    };

    /// What a dead-letter queue took: body, attributes, failure code.
    type Letter = (String, BTreeMap<String, MessageAttribute>, String);

    /// Processes bodies by their text: "ok", "transient", "permanent", "misconfigured",
    /// "panic".
    #[derive(Default)]
    struct Scripted {
        rejected: Mutex<Vec<String>>,
        reject_fails: bool,
        dead_letters: Mutex<Vec<Letter>>,
        dead_letter_fails: bool,
    }

    impl RecordProcessor for Scripted {
        async fn process(&self, record: &Record<'_>) -> Result<(), RecordFailure> {
            match record.body {
                "ok" => Ok(()),
                "transient" => Err(RecordFailure::transient("s3_unavailable", "down")),
                "misconfigured" => Err(RecordFailure::misconfigured(
                    "s3_misconfigured",
                    "HTTP 404 NoSuchBucket",
                )),
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

        async fn dead_letter(&self, letter: &DeadLetter<'_>) -> Result<(), RecordFailure> {
            if self.dead_letter_fails {
                return Err(RecordFailure::misconfigured(
                    "sqs_misconfigured",
                    "no queue",
                ));
            }
            self.dead_letters.lock().expect("not poisoned").push((
                letter.body.to_owned(),
                letter.attributes.clone(),
                letter.failure.code.clone(),
            ));
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
            SETTINGS,
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
        let (response, _) = process_batch(processor, batch(&["permanent", "ok"]), SETTINGS)
            .await
            .expect("the batch is answered");
        assert_eq!(failed_ids(&response), ["m0"]);
    }

    #[tokio::test]
    async fn a_panicking_record_fails_alone() {
        let processor = Arc::new(Scripted::default());
        let (response, outcomes) =
            process_batch(processor, batch(&["ok", "panic", "ok"]), SETTINGS)
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
        let result = process_batch(Arc::new(Scripted::default()), event, SETTINGS).await;
        assert!(result.is_err());
    }

    fn with_type_attribute(mut event: SqsEvent, index: usize, value: &str) -> SqsEvent {
        let mut attribute = SqsMessageAttribute::default();
        attribute.data_type = Some("String".into());
        attribute.string_value = Some(value.into());
        event.records[index]
            .message_attributes
            .insert("type".into(), attribute);
        event
    }

    #[tokio::test]
    async fn a_misconfigured_record_goes_to_the_dead_letter_queue_whole_and_is_acknowledged() {
        let processor = Arc::new(Scripted::default());
        let event = with_type_attribute(
            batch(&["ok", "misconfigured", "transient"]),
            1,
            "invoice.finalized.v1",
        );
        let (response, outcomes) = process_batch(Arc::clone(&processor), event, SETTINGS)
            .await
            .expect("answered");
        assert_eq!(
            failed_ids(&response),
            ["m2"],
            "only the transient one comes back"
        );
        assert!(
            matches!(&outcomes[1], BatchOutcome::DeadLettered(failure) if failure.code == "s3_misconfigured")
        );
        let letters = processor.dead_letters.lock().expect("not poisoned").clone();
        assert_eq!(letters.len(), 1);
        let (body, attributes, code) = &letters[0];
        assert_eq!(body, "misconfigured");
        assert_eq!(
            attributes.get("type"),
            Some(&MessageAttribute {
                data_type: "String".into(),
                value: "invoice.finalized.v1".into()
            })
        );
        assert_eq!(code, "s3_misconfigured");
    }

    #[tokio::test]
    async fn a_misconfigured_record_the_dead_letter_queue_refuses_is_left_for_redelivery() {
        let processor = Arc::new(Scripted {
            dead_letter_fails: true,
            ..Scripted::default()
        });
        let (response, outcomes) =
            process_batch(processor, batch(&["misconfigured", "ok"]), SETTINGS)
                .await
                .expect("answered");
        assert_eq!(failed_ids(&response), ["m0"]);
        assert!(
            matches!(&outcomes[0], BatchOutcome::Retried(failure) if failure.message.contains("no queue"))
        );
    }

    #[tokio::test]
    async fn without_a_dead_letter_queue_a_misconfigured_record_is_left_for_redelivery() {
        struct NoQueue;
        impl RecordProcessor for NoQueue {
            async fn process(&self, _: &Record<'_>) -> Result<(), RecordFailure> {
                Err(RecordFailure::misconfigured("s3_misconfigured", "denied"))
            }
            async fn reject(&self, _: &Record<'_>, _: &RecordFailure) -> Result<(), RecordFailure> {
                Ok(())
            }
            async fn dead_letter(&self, letter: &DeadLetter<'_>) -> Result<(), RecordFailure> {
                send_to_dead_letter_queue(&paperflow_pipeline::NoDeadLetterQueue, letter).await
            }
        }
        let (response, _) = process_batch(Arc::new(NoQueue), batch(&["x"]), SETTINGS)
            .await
            .expect("answered");
        assert_eq!(failed_ids(&response), ["m0"]);
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

        async fn dead_letter(&self, _: &DeadLetter<'_>) -> Result<(), RecordFailure> {
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
        process_batch(Arc::clone(&processor), event, SETTINGS)
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
            process_batch(Arc::new(Scripted::default()), SqsEvent::default(), SETTINGS)
                .await
                .expect("answered");
        assert!(response.batch_item_failures.is_empty() && outcomes.is_empty());
    }
}
