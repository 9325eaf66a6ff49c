//! The SQS event source mapping: what Lambda does between a queue and a function, on one
//! machine.
//!
//! AWS documents the behaviour this module follows (Lambda developer guide):
//!
//! - "Using Lambda with Amazon SQS" (`with-sqs`): Lambda long-polls the queue, reads messages
//!   in batches and invokes the function synchronously once per batch; "when your function
//!   successfully processes a batch, Lambda deletes its messages from the queue". With a batch
//!   window, "Lambda continues to poll messages from the SQS standard queue until the batch
//!   window expires, the invocation payload size quota is reached, or the configured maximum
//!   batch size is reached"; "for a batch size over 10, you must also set the
//!   `MaximumBatchingWindowInSeconds` parameter to at least 1 second".
//! - "Handling errors for an SQS event source": when the function fails, "all messages in that
//!   batch become visible in the queue again" after the visibility timeout; the queue's own
//!   redrive policy moves them to its dead-letter queue after `maxReceiveCount` receives. That
//!   redrive is the emulator's (moto's), not ours: this module only ever deletes, never moves.
//! - "Reporting batch item failures": with `ReportBatchItemFailures`, the function's answer
//!   names the records that failed; [`batch_item_failures`] applies the documented success and
//!   failure conditions.
//!
//! Scaling: AWS starts with five concurrent batches and adds up to 60 pollers a minute, up to
//! 1,000 or the mapping's `ScalingConfig.MaximumConcurrency`. Locally that would be pointless
//! load on one laptop running every function under `cargo lambda watch`: the mapping runs
//! `min(MaximumConcurrency, SqsOptions::max_concurrency)` pollers, by default
//! [`LOCAL_MAX_CONCURRENCY`] = 2 — still more than one, so a handler that is not safe with two
//! batches in flight at once shows it here rather than first in AWS.

use crate::invoke::{Invoke, InvokeError};
use crate::progress::{Progress, Reporter};
use crate::spec::{FunctionSpec, QueueSpec, SqsSourceSpec};
use crate::work::Work;
use crate::{Shutdown, TriggerContext};
use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, DeleteMessageBatchRequestEntry, Message,
    MessageSystemAttributeName,
};
use base64::Engine;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How many pollers (concurrent batches) a mapping runs locally unless told otherwise.
pub const LOCAL_MAX_CONCURRENCY: u32 = 2;

/// SQS's longest long poll (`WaitTimeSeconds`), which Lambda's pollers use.
const LONG_POLL_S: u64 = 20;

/// SQS's most messages per `ReceiveMessage`, `DeleteMessageBatch` and
/// `ChangeMessageVisibilityBatch`.
const SQS_BATCH_LIMIT: usize = 10;

/// How long a poller pauses after the queue or the function could not be reached, so a stack
/// with a broken piece does not spin.
const PAUSE_AFTER_TROUBLE: Duration = Duration::from_secs(1);

/// Local settings of the SQS mappings.
#[derive(Clone, Debug)]
pub struct SqsOptions {
    /// The most pollers (concurrent batches) of one mapping; the mapping's own
    /// `MaximumConcurrency`, when lower, wins.
    pub max_concurrency: u32,
}

impl Default for SqsOptions {
    fn default() -> Self {
        SqsOptions {
            max_concurrency: LOCAL_MAX_CONCURRENCY,
        }
    }
}

/// The number of pollers of a mapping: `min(MaximumConcurrency, options.max_concurrency)`, at
/// least one.
pub fn poller_count(source: &SqsSourceSpec, options: &SqsOptions) -> u32 {
    let local = options.max_concurrency.max(1);
    source
        .maximum_concurrency
        .map_or(local, |maximum| maximum.clamp(1, local))
}

/// What one event source mapping connects: a queue (its URL in the emulator and its spec) and
/// the function its `source` event belongs to.
#[derive(Clone)]
pub struct SqsMapping {
    /// The SQS client of the emulator.
    pub sqs: aws_sdk_sqs::Client,
    /// The queue's URL in the emulator.
    pub queue_url: String,
    /// The queue as the template declares it.
    pub queue: QueueSpec,
    /// The function's SQS event.
    pub source: SqsSourceSpec,
    /// The function.
    pub function: FunctionSpec,
}

/// Runs the event source `mapping` until the context's shutdown: polls the queue, invokes the
/// function through the context's invoker with SQS events, deletes what the function
/// processed, and reports every invocation to the context's reporter.
///
/// A disabled mapping (`Enabled: false`) does not poll at all: it reports so and returns.
/// On shutdown, every poller finishes the invocation in hand, makes the messages it gathered
/// but did not hand to the function visible again, and returns.
pub async fn run_sqs_mapping(mapping: SqsMapping, context: TriggerContext, options: SqsOptions) {
    let SqsMapping {
        sqs,
        queue_url,
        queue,
        source,
        function,
    } = mapping;
    let TriggerContext {
        invoker,
        reporter,
        shutdown,
    } = context;
    if !source.enabled {
        reporter.step(format!(
            "sqs {} → {}: the mapping is disabled (Enabled: false), not polling",
            queue.name, function.binary
        ));
        return;
    }
    let pollers = poller_count(&source, &options);
    let mapping = Arc::new(Mapping {
        sqs,
        queue_url,
        queue,
        source,
        function,
        invoker,
        reporter: reporter.clone(),
    });
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..pollers {
        let mapping = Arc::clone(&mapping);
        let shutdown = shutdown.clone();
        tasks.spawn(async move { mapping.poll(shutdown).await });
    }
    while let Some(joined) = tasks.join_next().await {
        if let Err(error) = joined {
            reporter.warn(format!(
                "sqs {} → {}: a poller stopped: {error}",
                mapping.queue.name, mapping.function.binary
            ));
        }
    }
}

/// One mapping, shared by its pollers.
struct Mapping {
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
    queue: QueueSpec,
    source: SqsSourceSpec,
    function: FunctionSpec,
    invoker: Arc<dyn Invoke>,
    reporter: Reporter,
}

/// Why gathering a batch ended without one.
enum Interrupted {
    /// Shutdown was asked for; these messages were received and not handed over.
    Shutdown(Vec<Message>),
    /// `ReceiveMessage` failed; these messages were received before.
    Failed(String, Vec<Message>),
}

impl Mapping {
    /// One poller: gather a batch, invoke, settle; until shutdown.
    async fn poll(&self, mut shutdown: Shutdown) {
        while !shutdown.is_requested() {
            match self.gather(&mut shutdown).await {
                Ok(batch) if batch.is_empty() => {}
                Ok(batch) => self.process(batch).await,
                Err(Interrupted::Shutdown(held)) => {
                    self.give_back(&held).await;
                    return;
                }
                Err(Interrupted::Failed(error, held)) => {
                    self.reporter.warn(format!(
                        "sqs {} → {}: ReceiveMessage failed: {error}",
                        self.queue.name, self.function.binary
                    ));
                    self.give_back(&held).await;
                    pause(&mut shutdown).await;
                }
            }
        }
    }

    /// Receives until the batch holds `BatchSize` records or the batching window (counted from
    /// the first record) has passed. Without a window, one receive of up to 10 messages is the
    /// batch. An empty result means a long poll found nothing.
    async fn gather(&self, shutdown: &mut Shutdown) -> Result<Vec<Message>, Interrupted> {
        let target = (self.source.batch_size.max(1)) as usize;
        let window = Duration::from_secs(self.source.batching_window_s.into());
        let mut batch: Vec<Message> = Vec::new();
        let mut deadline: Option<Instant> = None;
        loop {
            let wait_s = match deadline {
                None => LONG_POLL_S,
                Some(deadline) => deadline
                    .saturating_duration_since(Instant::now())
                    .as_secs()
                    .min(LONG_POLL_S),
            };
            let wanted = (target - batch.len()).min(SQS_BATCH_LIMIT);
            let receive = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(wanted as i32)
                .wait_time_seconds(wait_s as i32)
                .set_visibility_timeout(effective_visibility_timeout(
                    &self.source,
                    &self.queue,
                    &self.function,
                ))
                .message_system_attribute_names(MessageSystemAttributeName::All)
                .message_attribute_names("All")
                .send();
            let received = tokio::select! {
                _ = shutdown.requested() => return Err(Interrupted::Shutdown(batch)),
                received = receive => received,
            };
            match received {
                Ok(output) => batch.extend(output.messages.unwrap_or_default()),
                Err(error) => {
                    let error = aws_sdk_sqs::error::DisplayErrorContext(error).to_string();
                    return Err(Interrupted::Failed(error, batch));
                }
            }
            if batch.is_empty() || batch.len() >= target || window.is_zero() {
                return Ok(batch);
            }
            let deadline = *deadline.get_or_insert_with(|| Instant::now() + window);
            if Instant::now() >= deadline {
                return Ok(batch);
            }
        }
    }

    /// Invokes the function with one batch and settles it by the documented rules.
    async fn process(&self, batch: Vec<Message>) {
        let records: Vec<Value> = batch
            .iter()
            .map(|message| sqs_record(message, &self.queue.arn))
            .collect();
        let subjects = subjects(records.iter().filter_map(|record| record["body"].as_str()));
        let ids: Vec<&str> = batch
            .iter()
            .map(|message| message.message_id().unwrap_or_default())
            .collect();
        let payload = json!({ "Records": records }).to_string().into_bytes();
        let work = Work::of(&payload);
        let started = Instant::now();
        let answer = self.invoker.invoke(&self.function.binary, payload).await;
        let all: Vec<String> = ids.iter().map(|id| (*id).to_owned()).collect();
        let (outcome, failed, duration) = match answer {
            Err(InvokeError::Unavailable(reason)) => {
                // The function was never reached: nothing to report as an invocation. The batch
                // stays in flight and comes back after the visibility timeout, as a throttled
                // batch does in AWS.
                self.reporter.warn(format!(
                    "sqs {} → {}: {} record(s) not delivered, the function is unavailable ({reason}); they return after the queue's visibility timeout",
                    self.queue.name,
                    self.function.binary,
                    batch.len()
                ));
                tokio::time::sleep(PAUSE_AFTER_TROUBLE).await;
                return;
            }
            Err(InvokeError::Timeout(after)) => ("timeout", all, after),
            Ok(invocation) if !invocation.succeeded() => ("error", all, invocation.duration),
            Ok(invocation) if self.source.report_batch_item_failures => {
                match batch_item_failures(&invocation.payload, &ids) {
                    Ok(failed) if failed.is_empty() => ("ok", failed, invocation.duration),
                    Ok(failed) => ("partial", failed, invocation.duration),
                    Err(error) => {
                        self.reporter.warn(format!(
                            "sqs {} → {}: the whole batch failed: {error}",
                            self.queue.name, self.function.binary
                        ));
                        ("error", all, invocation.duration)
                    }
                }
            }
            Ok(invocation) => ("ok", Vec::new(), invocation.duration),
        };
        let duration = if duration.is_zero() {
            started.elapsed()
        } else {
            duration
        };
        self.reporter.report(Progress::Invoked {
            trigger: "sqs".to_owned(),
            source: self.queue.name.clone(),
            function: self.function.binary.clone(),
            records: batch.len(),
            failed: failed.len(),
            outcome: outcome.to_owned(),
            subjects,
            work: if matches!(outcome, "error" | "timeout") {
                work.ids
            } else {
                Vec::new()
            },
            duration_ms: duration.as_millis() as u64,
        });
        let processed: Vec<&Message> = batch
            .iter()
            .filter(|message| {
                !failed
                    .iter()
                    .any(|id| Some(id.as_str()) == message.message_id())
            })
            .collect();
        self.delete(&processed).await;
    }

    /// Deletes processed messages, ten per `DeleteMessageBatch`; failures are warnings (the
    /// message comes back and is processed again, as it would in AWS).
    async fn delete(&self, messages: &[&Message]) {
        for chunk in messages.chunks(SQS_BATCH_LIMIT) {
            let entries: Vec<DeleteMessageBatchRequestEntry> = chunk
                .iter()
                .enumerate()
                .filter_map(|(index, message)| {
                    DeleteMessageBatchRequestEntry::builder()
                        .id(index.to_string())
                        .receipt_handle(message.receipt_handle().unwrap_or_default())
                        .build()
                        .ok()
                })
                .collect();
            if entries.is_empty() {
                continue;
            }
            let result = self
                .sqs
                .delete_message_batch()
                .queue_url(&self.queue_url)
                .set_entries(Some(entries))
                .send()
                .await;
            match result {
                Ok(output) => {
                    for failure in output.failed() {
                        let message_id = failure
                            .id()
                            .parse::<usize>()
                            .ok()
                            .and_then(|index| chunk.get(index))
                            .and_then(|message| message.message_id())
                            .unwrap_or("?");
                        self.reporter.warn(format!(
                            "sqs {}: message {message_id} was processed but could not be deleted ({}: {}); it will be delivered again",
                            self.queue.name,
                            failure.code(),
                            failure.message().unwrap_or_default()
                        ));
                    }
                }
                Err(error) => self.reporter.warn(format!(
                    "sqs {}: {} processed message(s) could not be deleted ({}); they will be delivered again",
                    self.queue.name,
                    chunk.len(),
                    aws_sdk_sqs::error::DisplayErrorContext(error)
                )),
            }
        }
    }

    /// Makes messages that were received but never handed to the function visible again at
    /// once, instead of after the visibility timeout.
    async fn give_back(&self, messages: &[Message]) {
        give_back(&self.sqs, &self.queue_url, messages, &self.reporter).await;
    }
}

/// Sets the visibility timeout of `messages` to 0 so another receive gets them now.
pub(crate) async fn give_back(
    sqs: &aws_sdk_sqs::Client,
    queue_url: &str,
    messages: &[Message],
    reporter: &Reporter,
) {
    for chunk in messages.chunks(SQS_BATCH_LIMIT) {
        let entries: Vec<ChangeMessageVisibilityBatchRequestEntry> = chunk
            .iter()
            .enumerate()
            .filter_map(|(index, message)| {
                ChangeMessageVisibilityBatchRequestEntry::builder()
                    .id(index.to_string())
                    .receipt_handle(message.receipt_handle().unwrap_or_default())
                    .visibility_timeout(0)
                    .build()
                    .ok()
            })
            .collect();
        if entries.is_empty() {
            continue;
        }
        if let Err(error) = sqs
            .change_message_visibility_batch()
            .queue_url(queue_url)
            .set_entries(Some(entries))
            .send()
            .await
        {
            reporter.warn(format!(
                "{queue_url}: {} unprocessed message(s) stay invisible until their visibility timeout ({})",
                chunk.len(),
                aws_sdk_sqs::error::DisplayErrorContext(error)
            ));
        }
    }
}

/// Waits a moment, or less if shutdown comes first.
async fn pause(shutdown: &mut Shutdown) {
    tokio::select! {
        _ = shutdown.requested() => {}
        _ = tokio::time::sleep(PAUSE_AFTER_TROUBLE) => {}
    }
}

/// The visibility timeout a mapping asks for when it receives, if not the queue's own: "If
/// your batch window is greater than 0, and `(batch window) + (function timeout) > (queue
/// visibility timeout)`, then your effective queue visibility timeout is `(batch window) +
/// (function timeout) + 30s`" ("Using Lambda with Amazon SQS", batch window).
pub fn effective_visibility_timeout(
    source: &SqsSourceSpec,
    queue: &QueueSpec,
    function: &FunctionSpec,
) -> Option<i32> {
    let window = source.batching_window_s;
    let needed = window.saturating_add(function.timeout_s);
    (window > 0 && needed > queue.visibility_timeout_s)
        .then(|| needed.saturating_add(30).min(43_200) as i32)
}

/// One record of an SQS event, as Lambda builds it from a received message (the shape of the
/// "Example Amazon SQS message event" in the Lambda developer guide and of
/// `aws_lambda_events`' `example-sqs-event.json`): `messageId`, `receiptHandle`, `body`,
/// `attributes` (every system attribute SQS returned, `ApproximateReceiveCount`,
/// `SentTimestamp`, `SenderId`, `ApproximateFirstReceiveTimestamp`, …), `messageAttributes`
/// (`stringValue`, `binaryValue` in base64, `stringListValues`, `binaryListValues`,
/// `dataType`), `md5OfBody` (and `md5OfMessageAttributes` when there are some), `eventSource`,
/// `eventSourceARN` and `awsRegion` (the queue's, from its ARN).
pub fn sqs_record(message: &Message, queue_arn: &str) -> Value {
    let base64 = base64::engine::general_purpose::STANDARD;
    let attributes: Map<String, Value> = message
        .attributes()
        .into_iter()
        .flatten()
        .map(|(name, value)| (name.as_str().to_owned(), Value::from(value.as_str())))
        .collect();
    let message_attributes: Map<String, Value> = message
        .message_attributes()
        .into_iter()
        .flatten()
        .map(|(name, value)| {
            let mut attribute = Map::new();
            if let Some(string) = value.string_value() {
                attribute.insert("stringValue".to_owned(), Value::from(string));
            }
            if let Some(binary) = value.binary_value() {
                attribute.insert(
                    "binaryValue".to_owned(),
                    Value::from(base64.encode(binary.as_ref())),
                );
            }
            attribute.insert(
                "stringListValues".to_owned(),
                Value::from(value.string_list_values().to_vec()),
            );
            attribute.insert(
                "binaryListValues".to_owned(),
                value
                    .binary_list_values()
                    .iter()
                    .map(|binary| Value::from(base64.encode(binary.as_ref())))
                    .collect(),
            );
            attribute.insert("dataType".to_owned(), Value::from(value.data_type()));
            (name.clone(), Value::Object(attribute))
        })
        .collect();
    let mut record = Map::new();
    record.insert(
        "messageId".to_owned(),
        Value::from(message.message_id().unwrap_or_default()),
    );
    record.insert(
        "receiptHandle".to_owned(),
        Value::from(message.receipt_handle().unwrap_or_default()),
    );
    record.insert(
        "body".to_owned(),
        Value::from(message.body().unwrap_or_default()),
    );
    record.insert("attributes".to_owned(), Value::Object(attributes));
    record.insert(
        "messageAttributes".to_owned(),
        Value::Object(message_attributes),
    );
    record.insert(
        "md5OfBody".to_owned(),
        Value::from(message.md5_of_body().unwrap_or_default()),
    );
    if let Some(md5) = message.md5_of_message_attributes() {
        record.insert("md5OfMessageAttributes".to_owned(), Value::from(md5));
    }
    record.insert("eventSource".to_owned(), Value::from("aws:sqs"));
    record.insert("eventSourceARN".to_owned(), Value::from(queue_arn));
    record.insert("awsRegion".to_owned(), Value::from(region_of(queue_arn)));
    Value::Object(record)
}

/// The region field of an ARN (`arn:aws:sqs:<region>:<account>:<name>`), empty if absent.
pub(crate) fn region_of(arn: &str) -> &str {
    arn.split(':').nth(3).unwrap_or_default()
}

/// The last field of an ARN: a queue's or topic's name.
pub(crate) fn name_of(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

/// Why a batch response counts as a complete failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchResponseError {
    /// "An invalid JSON response".
    #[error("the function's response is not valid JSON: {0}")]
    InvalidJson(String),
    /// A JSON value that is not a batch response object (nor null).
    #[error("the function's response is not a batch response object")]
    NotAnObject,
    /// `batchItemFailures` is neither a list nor null.
    #[error("batchItemFailures is not a list")]
    NotAList,
    /// "An itemIdentifier with a bad key name" (or an entry that is not an object).
    #[error("a batchItemFailures entry has no itemIdentifier")]
    MissingIdentifier,
    /// "A null itemIdentifier" (or one that is not a string).
    #[error("a batchItemFailures entry has a null (or non-string) itemIdentifier")]
    NullIdentifier,
    /// "An empty string itemIdentifier".
    #[error("a batchItemFailures entry has an empty itemIdentifier")]
    EmptyIdentifier,
    /// "An itemIdentifier value with a message ID that doesn't exist" (in this batch).
    #[error("itemIdentifier {0:?} is not a message of this batch")]
    UnknownIdentifier(String),
}

/// Reads a `ReportBatchItemFailures` answer: the ids of the batch's records that failed (in
/// batch order, each once), or an error when the answer makes the whole batch a failure.
///
/// The rules are those of "Reporting batch item failures" (section "Success and failure
/// conditions"): the batch is a complete success for an empty or null `batchItemFailures`
/// list and for an empty or null response; it is a complete failure for invalid JSON, an empty
/// or null `itemIdentifier`, an entry without the `itemIdentifier` key ("bad key name"), or an
/// identifier that is not a message of the batch. A JSON value that is not an object at all
/// (a string, a number, a list) is not a batch response and counts as invalid.
pub fn batch_item_failures(
    payload: &[u8],
    batch_ids: &[&str],
) -> Result<Vec<String>, BatchResponseError> {
    if payload.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    let response: Value = serde_json::from_slice(payload)
        .map_err(|error| BatchResponseError::InvalidJson(error.to_string()))?;
    let failures = match &response {
        Value::Null => return Ok(Vec::new()),
        Value::Object(response) => match response.get("batchItemFailures") {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(failures)) => failures,
            Some(_) => return Err(BatchResponseError::NotAList),
        },
        _ => return Err(BatchResponseError::NotAnObject),
    };
    let mut failed = BTreeSet::new();
    for failure in failures {
        let identifier = failure
            .as_object()
            .and_then(|entry| entry.get("itemIdentifier"))
            .ok_or(BatchResponseError::MissingIdentifier)?;
        let identifier = identifier
            .as_str()
            .ok_or(BatchResponseError::NullIdentifier)?;
        if identifier.is_empty() {
            return Err(BatchResponseError::EmptyIdentifier);
        }
        if !batch_ids.contains(&identifier) {
            return Err(BatchResponseError::UnknownIdentifier(identifier.to_owned()));
        }
        failed.insert(identifier);
    }
    Ok(batch_ids
        .iter()
        .filter(|id| failed.contains(*id))
        .map(|id| (*id).to_owned())
        .collect())
}

/// The flow's hints for progress: per record body, the CloudEvents `subject` (paperflow's
/// invoice id) or else its `correlationid`, each once, all of them (the summary follows every
/// subject's path; the text line shortens the list itself). A body that is an SNS notification
/// (a subscription without raw delivery) is looked into. Bodies that are not JSON give nothing.
pub(crate) fn subjects<'a>(bodies: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut subjects: Vec<String> = Vec::new();
    for subject in bodies.into_iter().filter_map(subject_of) {
        if !subjects.contains(&subject) {
            subjects.push(subject);
        }
    }
    subjects
}

/// The subject hint of one body, read through the events crate's one unwrapping of SNS's
/// wrapper.
fn subject_of(body: &str) -> Option<String> {
    let event = paperflow_events::event_json(body).ok()?;
    ["subject", "correlationid"]
        .iter()
        .find_map(|key| event.get(*key).and_then(Value::as_str))
        .filter(|subject| !subject.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_sqs::primitives::Blob;
    use aws_sdk_sqs::types::MessageAttributeValue;

    const IDS: [&str; 3] = ["a", "b", "c"];

    fn failures(payload: &str) -> Result<Vec<String>, BatchResponseError> {
        batch_item_failures(payload.as_bytes(), &IDS)
    }

    #[test]
    fn complete_success_conditions() {
        for payload in [
            "",
            "  ",
            "null",
            "{}",
            r#"{"batchItemFailures": []}"#,
            r#"{"batchItemFailures": null}"#,
        ] {
            assert_eq!(failures(payload), Ok(Vec::new()), "{payload:?}");
        }
    }

    #[test]
    fn partial_failures_in_batch_order_once() {
        let payload = r#"{"batchItemFailures": [{"itemIdentifier": "c"}, {"itemIdentifier": "a"}, {"itemIdentifier": "c"}]}"#;
        assert_eq!(failures(payload), Ok(vec!["a".to_owned(), "c".to_owned()]));
    }

    #[test]
    fn complete_failure_conditions() {
        assert!(matches!(
            failures("{not json"),
            Err(BatchResponseError::InvalidJson(_))
        ));
        assert_eq!(failures(r#""ok""#), Err(BatchResponseError::NotAnObject));
        assert_eq!(
            failures(r#"{"batchItemFailures": "a"}"#),
            Err(BatchResponseError::NotAList)
        );
        assert_eq!(
            failures(r#"{"batchItemFailures": [{"itemId": "a"}]}"#),
            Err(BatchResponseError::MissingIdentifier)
        );
        assert_eq!(
            failures(r#"{"batchItemFailures": ["a"]}"#),
            Err(BatchResponseError::MissingIdentifier)
        );
        assert_eq!(
            failures(r#"{"batchItemFailures": [{"itemIdentifier": null}]}"#),
            Err(BatchResponseError::NullIdentifier)
        );
        assert_eq!(
            failures(r#"{"batchItemFailures": [{"itemIdentifier": ""}]}"#),
            Err(BatchResponseError::EmptyIdentifier)
        );
        assert_eq!(
            failures(
                r#"{"batchItemFailures": [{"itemIdentifier": "a"}, {"itemIdentifier": "z"}]}"#
            ),
            Err(BatchResponseError::UnknownIdentifier("z".to_owned()))
        );
    }

    #[test]
    fn record_has_the_shape_lambda_sends() {
        let message = Message::builder()
            .message_id("m-1")
            .receipt_handle("handle-1")
            .body("hello")
            .md5_of_body("5d41402abc4b2a76b9719d911017c592")
            .md5_of_message_attributes("0123")
            .attributes(MessageSystemAttributeName::ApproximateReceiveCount, "1")
            .attributes(MessageSystemAttributeName::SentTimestamp, "1545082649183")
            .attributes(MessageSystemAttributeName::SenderId, "AIDAEXAMPLE")
            .attributes(
                MessageSystemAttributeName::ApproximateFirstReceiveTimestamp,
                "1545082649185",
            )
            .message_attributes(
                "type",
                MessageAttributeValue::builder()
                    .data_type("String")
                    .string_value("invoice.finalized.v1")
                    .build()
                    .expect("a string attribute"),
            )
            .message_attributes(
                "raw",
                MessageAttributeValue::builder()
                    .data_type("Binary")
                    .binary_value(Blob::new(b"1100".to_vec()))
                    .build()
                    .expect("a binary attribute"),
            )
            .build();
        let record = sqs_record(&message, "arn:aws:sqs:eu-west-1:123456789012:requests");
        assert_eq!(
            record,
            json!({
                "messageId": "m-1",
                "receiptHandle": "handle-1",
                "body": "hello",
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1545082649183",
                    "SenderId": "AIDAEXAMPLE",
                    "ApproximateFirstReceiveTimestamp": "1545082649185"
                },
                "messageAttributes": {
                    "type": {
                        "stringValue": "invoice.finalized.v1",
                        "stringListValues": [],
                        "binaryListValues": [],
                        "dataType": "String"
                    },
                    "raw": {
                        "binaryValue": "MTEwMA==",
                        "stringListValues": [],
                        "binaryListValues": [],
                        "dataType": "Binary"
                    }
                },
                "md5OfBody": "5d41402abc4b2a76b9719d911017c592",
                "md5OfMessageAttributes": "0123",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:requests",
                "awsRegion": "eu-west-1"
            })
        );
        // The record reads back as the events crate's type, as the functions read it.
        let event: aws_lambda_events::event::sqs::SqsEvent =
            serde_json::from_value(json!({ "Records": [record] })).expect("an SQS event");
        assert_eq!(event.records[0].message_id.as_deref(), Some("m-1"));
    }

    #[test]
    fn subjects_are_unique_and_complete() {
        let bodies: Vec<String> = (0..8)
            .map(|n| format!(r#"{{"type":"invoice.finalized.v1","subject":"inv-{n}","correlationid":"c-{n}"}}"#))
            .chain([
                r#"{"correlationid":"corr-only"}"#.to_owned(),
                "not json".to_owned(),
            ])
            .collect();
        let found = subjects(bodies.iter().map(String::as_str));
        let mut expected: Vec<String> = (0..8).map(|n| format!("inv-{n}")).collect();
        expected.push("corr-only".to_owned());
        assert_eq!(found, expected);
        let few = [
            r#"{"correlationid":"corr-only"}"#,
            r#"{"subject":"inv-1"}"#,
            r#"{"subject":"inv-1"}"#,
            "plain",
        ];
        assert_eq!(subjects(few), ["corr-only", "inv-1"].map(str::to_owned));
        let notification = json!({
            "Type": "Notification",
            "Message": r#"{"subject":"inv-9"}"#
        })
        .to_string();
        assert_eq!(subjects([notification.as_str()]), ["inv-9".to_owned()]);
    }

    #[test]
    fn batch_window_extends_a_short_visibility_timeout() {
        let queue = QueueSpec {
            logical_id: "Q".to_owned(),
            name: "q".to_owned(),
            arn: "arn:aws:sqs:us-east-1:123456789012:q".to_owned(),
            visibility_timeout_s: 30,
            message_retention_s: 345_600,
            redrive: None,
        };
        let function = FunctionSpec {
            logical_id: "F".to_owned(),
            name: "f".to_owned(),
            arn: "arn:aws:lambda:us-east-1:123456789012:function:f".to_owned(),
            binary: "f".to_owned(),
            timeout_s: 25,
            memory_mb: 128,
            environment: Default::default(),
            sqs_sources: Vec::new(),
            sns_sources: Vec::new(),
            http_routes: Vec::new(),
            async_invoke: Default::default(),
        };
        let mut source = SqsSourceSpec {
            event_id: "E".to_owned(),
            queue_arn: queue.arn.clone(),
            batch_size: 10,
            batching_window_s: 0,
            report_batch_item_failures: false,
            maximum_concurrency: None,
            enabled: true,
        };
        assert_eq!(
            effective_visibility_timeout(&source, &queue, &function),
            None
        );
        source.batching_window_s = 5;
        assert_eq!(
            effective_visibility_timeout(&source, &queue, &function),
            None
        );
        source.batching_window_s = 10;
        assert_eq!(
            effective_visibility_timeout(&source, &queue, &function),
            Some(10 + 25 + 30)
        );
    }

    #[test]
    fn pollers_are_the_lower_of_the_two_limits() {
        let mut source = SqsSourceSpec {
            event_id: "Requests".to_owned(),
            queue_arn: "arn:aws:sqs:us-east-1:123456789012:q".to_owned(),
            batch_size: 10,
            batching_window_s: 0,
            report_batch_item_failures: false,
            maximum_concurrency: None,
            enabled: true,
        };
        let options = SqsOptions::default();
        assert_eq!(poller_count(&source, &options), LOCAL_MAX_CONCURRENCY);
        source.maximum_concurrency = Some(1000);
        assert_eq!(poller_count(&source, &options), LOCAL_MAX_CONCURRENCY);
        source.maximum_concurrency = Some(2);
        assert_eq!(poller_count(&source, &SqsOptions { max_concurrency: 8 }), 2);
    }
}
