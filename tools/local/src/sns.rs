//! The SNS trigger: a function subscribed to a topic, invoked asynchronously, with Lambda's
//! retries and on-failure destination.
//!
//! In AWS, SNS hands each notification to Lambda's asynchronous invocation queue and Lambda
//! invokes the function from there ("Using Lambda with Amazon SNS", "Asynchronous
//! invocation"). Locally, Lambda's queue is an SQS queue of the emulator: for each
//! [`SnsSourceSpec`] an internal queue `<binary>-<event id>-sns-local` is subscribed to the
//! topic with the source's filter policy and scope and *without* raw delivery, so the
//! emulator applies the filter policy and delivers SNS's notification document, the very
//! fields Lambda puts in the event. The message is deleted from that queue only when the
//! event's fate is settled (success, or the on-failure destination): if the stack stops in
//! the middle of the retries, the message comes back.
//!
//! The documented behaviour followed here (Lambda developer guide, "How Lambda handles errors
//! and retries with asynchronous invocation" and "Capturing records of Lambda asynchronous
//! invocations"):
//!
//! - "If the function returns an error, by default Lambda attempts to run it two more times,
//!   with a one-minute wait between the first two attempts, and two minutes between the second
//!   and third attempts. Function errors include errors returned by the function's code and
//!   errors returned by the function's runtime, such as timeouts." `MaximumRetryAttempts`
//!   (0 to 2) sets the number of retries; the waits are [`AsyncOptions::retry_delays`] (short
//!   locally, [`AsyncOptions::aws`] has AWS's).
//! - "When an invocation event exceeds the maximum age or fails all retry attempts, Lambda
//!   discards it", sending an invocation record to the on-failure destination when there is
//!   one: [`destination_record`], conditions `RetriesExhausted` and `EventAgeExceeded`.
//! - Throttling and system errors are not function errors: Lambda returns the event to its
//!   queue and tries again later. Locally that is [`InvokeError::Unavailable`] (the runtime
//!   itself is down): the message goes back to the internal queue for a later attempt and the
//!   attempt does not count.

use crate::invoke::{Invocation, Invoke, InvokeError};
use crate::progress::{Progress, Reporter};
use crate::spec::{Destination, DestinationKind, FunctionSpec, SnsSourceSpec};
use crate::sqs::{name_of, subjects};
use crate::work::Work;
use crate::{Shutdown, TriggerContext};
use aws_sdk_sqs::types::{Message, MessageSystemAttributeName, QueueAttributeName};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tokio::sync::Semaphore;

/// SQS's limit on a queue name.
const QUEUE_NAME_LIMIT: usize = 80;

/// The suffix of the internal queues.
const QUEUE_SUFFIX: &str = "-sns-local";

/// Seconds added to a function's timeout while its message is kept invisible.
const VISIBILITY_MARGIN_S: u64 = 30;

/// SQS's longest visibility timeout (12 hours).
const MAX_VISIBILITY_S: u64 = 43_200;

/// How long the poller pauses after the internal queue could not be read.
const PAUSE_AFTER_TROUBLE: Duration = Duration::from_secs(1);

/// Local settings of asynchronous invocation.
#[derive(Clone, Debug)]
pub struct AsyncOptions {
    /// The wait before each retry: the first entry before the first retry, and so on; the last
    /// entry is used again when there are more retries than entries. AWS waits one minute,
    /// then two ([`AsyncOptions::aws`]); the local default is 1 s, then 2 s.
    pub retry_delays: Vec<Duration>,
    /// Notifications processed at once (each through all its attempts).
    pub max_in_flight: usize,
    /// After [`InvokeError::Unavailable`], how long the message stays in the internal queue
    /// before it is tried again.
    pub unavailable_delay: Duration,
}

impl Default for AsyncOptions {
    fn default() -> Self {
        AsyncOptions {
            retry_delays: vec![Duration::from_secs(1), Duration::from_secs(2)],
            max_in_flight: 10,
            unavailable_delay: Duration::from_secs(5),
        }
    }
}

impl AsyncOptions {
    /// AWS's own waits: one minute before the first retry, two minutes before the second.
    pub fn aws() -> AsyncOptions {
        AsyncOptions {
            retry_delays: vec![Duration::from_secs(60), Duration::from_secs(120)],
            ..AsyncOptions::default()
        }
    }

    /// The wait before retry number `retry` (1 for the first retry).
    pub fn delay_before_retry(&self, retry: u32) -> Duration {
        let index = (retry.max(1) - 1) as usize;
        self.retry_delays
            .get(index)
            .or(self.retry_delays.last())
            .copied()
            .unwrap_or(Duration::ZERO)
    }
}

/// Setting up the internal queue and its subscription failed.
#[derive(Debug, thiserror::Error)]
pub enum SnsError {
    /// `CreateQueue` or `GetQueueAttributes` of the internal queue failed.
    #[error("the internal queue {queue} could not be created: {message}")]
    Queue {
        /// The queue's name.
        queue: String,
        /// The SDK's error.
        message: String,
    },
    /// `Subscribe` failed.
    #[error("{queue} could not subscribe to {topic_arn}: {message}")]
    Subscribe {
        /// The internal queue's name.
        queue: String,
        /// The topic.
        topic_arn: String,
        /// The SDK's error.
        message: String,
    },
}

/// The name of the internal queue of `event_id` of the function `binary`:
/// `<binary>-<event id>-sns-local`, characters SQS does not allow replaced by `-`, shortened
/// with a stable hash when longer than SQS's 80 characters.
pub fn internal_queue_name(binary: &str, event_id: &str) -> String {
    let base: String = format!("{binary}-{event_id}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if base.len() + QUEUE_SUFFIX.len() <= QUEUE_NAME_LIMIT {
        return format!("{base}{QUEUE_SUFFIX}");
    }
    let hash = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, base.as_bytes()).simple();
    let hash = &hash.to_string()[..8];
    let keep = QUEUE_NAME_LIMIT - QUEUE_SUFFIX.len() - hash.len() - 1;
    format!("{}-{hash}{QUEUE_SUFFIX}", &base[..keep])
}

/// A function's subscription to a topic, through its internal queue.
pub struct SnsMapping {
    sns: aws_sdk_sns::Client,
    sqs: aws_sdk_sqs::Client,
    source: SnsSourceSpec,
    function: FunctionSpec,
    queue_name: String,
    queue_url: String,
    subscription_arn: String,
}

impl SnsMapping {
    /// Creates the internal queue (or finds it: the call is idempotent) and subscribes it to
    /// the topic with the source's `FilterPolicy` and `FilterPolicyScope` and
    /// `RawMessageDelivery` false. From then on, matching publications are kept in the queue
    /// until [`SnsMapping::run`] processes them.
    pub async fn subscribe(
        sns: aws_sdk_sns::Client,
        sqs: aws_sdk_sqs::Client,
        source: SnsSourceSpec,
        function: FunctionSpec,
    ) -> Result<SnsMapping, SnsError> {
        let queue_name = internal_queue_name(&function.binary, &source.event_id);
        let queue_error = |message: String| SnsError::Queue {
            queue: queue_name.clone(),
            message,
        };
        let visibility =
            (u64::from(function.timeout_s) + VISIBILITY_MARGIN_S).min(MAX_VISIBILITY_S);
        let created = sqs
            .create_queue()
            .queue_name(&queue_name)
            .attributes(
                QueueAttributeName::VisibilityTimeout,
                visibility.to_string(),
            )
            .send()
            .await
            .map_err(|error| {
                queue_error(aws_sdk_sqs::error::DisplayErrorContext(error).to_string())
            })?;
        let queue_url = created.queue_url().unwrap_or_default().to_owned();
        let attributes = sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .map_err(|error| {
                queue_error(aws_sdk_sqs::error::DisplayErrorContext(error).to_string())
            })?;
        let queue_arn = attributes
            .attributes()
            .and_then(|attributes| attributes.get(&QueueAttributeName::QueueArn))
            .cloned()
            .ok_or_else(|| queue_error("no QueueArn attribute".to_owned()))?;
        let mut subscribe = sns
            .subscribe()
            .topic_arn(&source.topic_arn)
            .protocol("sqs")
            .endpoint(&queue_arn)
            .attributes("RawMessageDelivery", "false")
            .return_subscription_arn(true);
        if let Some(policy) = &source.filter_policy {
            subscribe = subscribe.attributes("FilterPolicy", policy.to_string());
        }
        if let Some(scope) = &source.filter_policy_scope {
            subscribe = subscribe.attributes("FilterPolicyScope", scope);
        }
        let subscribed = subscribe
            .send()
            .await
            .map_err(|error| SnsError::Subscribe {
                queue: queue_name.clone(),
                topic_arn: source.topic_arn.clone(),
                message: aws_sdk_sns::error::DisplayErrorContext(error).to_string(),
            })?;
        let subscription_arn = subscribed.subscription_arn().unwrap_or_default().to_owned();
        Ok(SnsMapping {
            sns,
            sqs,
            source,
            function,
            queue_name,
            queue_url,
            subscription_arn,
        })
    }

    /// The internal queue's URL.
    pub fn queue_url(&self) -> &str {
        &self.queue_url
    }

    /// The internal queue's name.
    pub fn queue_name(&self) -> &str {
        &self.queue_name
    }

    /// The subscription's ARN: the events' `EventSubscriptionArn`.
    pub fn subscription_arn(&self) -> &str {
        &self.subscription_arn
    }

    /// Processes notifications until `shutdown`, up to `options.max_in_flight` at once. On
    /// shutdown, invocations in hand finish, notifications waiting for a retry go back to the
    /// internal queue, and the function returns when every notification is settled or given
    /// back.
    pub async fn run(self, context: TriggerContext, options: AsyncOptions) {
        let TriggerContext {
            invoker,
            reporter,
            mut shutdown,
        } = context;
        let max_in_flight = options.max_in_flight.max(1);
        let trigger = Arc::new(Trigger {
            mapping: self,
            invoker,
            reporter,
            options,
            pending: Mutex::default(),
        });
        let permits = Arc::new(Semaphore::new(max_in_flight));
        let mut tasks = tokio::task::JoinSet::new();
        loop {
            while let Some(joined) = tasks.try_join_next() {
                trigger.warn_if_panicked(joined);
            }
            let first = tokio::select! {
                _ = shutdown.requested() => break,
                permit = Arc::clone(&permits).acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => break,
                },
            };
            let mut held = vec![first];
            while held.len() < 10 {
                match Arc::clone(&permits).try_acquire_owned() {
                    Ok(permit) => held.push(permit),
                    Err(_) => break,
                }
            }
            let receive = trigger
                .mapping
                .sqs
                .receive_message()
                .queue_url(&trigger.mapping.queue_url)
                .max_number_of_messages(held.len() as i32)
                .wait_time_seconds(20)
                .message_system_attribute_names(MessageSystemAttributeName::All)
                .send();
            let received = tokio::select! {
                _ = shutdown.requested() => break,
                received = receive => received,
            };
            let messages = match received {
                Ok(output) => output.messages.unwrap_or_default(),
                Err(error) => {
                    trigger.reporter.warn(format!(
                        "sns {} → {}: ReceiveMessage on {} failed: {}",
                        name_of(&trigger.mapping.source.topic_arn),
                        trigger.mapping.function.binary,
                        trigger.mapping.queue_name,
                        aws_sdk_sqs::error::DisplayErrorContext(error)
                    ));
                    drop(held);
                    tokio::select! {
                        _ = shutdown.requested() => break,
                        _ = tokio::time::sleep(PAUSE_AFTER_TROUBLE) => continue,
                    }
                }
            };
            for message in messages {
                let Some(permit) = held.pop() else { break };
                let trigger = Arc::clone(&trigger);
                let shutdown = shutdown.clone();
                tasks.spawn(async move {
                    trigger.handle(message, shutdown).await;
                    drop(permit);
                });
            }
        }
        while let Some(joined) = tasks.join_next().await {
            trigger.warn_if_panicked(joined);
        }
    }
}

/// Attempts already made for a notification that went back to the queue mid-way (the runtime
/// was unavailable): they still count when it comes back.
#[derive(Clone, Debug, Default)]
struct Pending {
    attempts: u32,
    last: Option<LastFailure>,
}

/// A running trigger, shared by the tasks of its notifications.
struct Trigger {
    mapping: SnsMapping,
    invoker: Arc<dyn Invoke>,
    reporter: Reporter,
    options: AsyncOptions,
    pending: Mutex<HashMap<String, Pending>>,
}

/// How the handling of one notification ended.
enum Settled {
    /// Done (success or destination): delete the message.
    Done,
    /// Not done: make the message visible again after this long.
    GiveBack(Duration),
}

impl Trigger {
    fn warn_if_panicked(&self, joined: Result<(), tokio::task::JoinError>) {
        if let Err(error) = joined {
            self.reporter.warn(format!(
                "sns {} → {}: a notification's task stopped: {error}",
                name_of(&self.mapping.source.topic_arn),
                self.mapping.function.binary
            ));
        }
    }

    /// One notification through all its attempts, then delete or give back its message.
    async fn handle(&self, message: Message, shutdown: Shutdown) {
        let receipt = message.receipt_handle().unwrap_or_default().to_owned();
        let event = match sns_event(
            message.body().unwrap_or_default(),
            &self.mapping.subscription_arn,
        ) {
            Ok(event) => event,
            Err(reason) => {
                self.reporter.warn(format!(
                    "sns {}: dropped a message of {} that is not an SNS notification ({reason})",
                    name_of(&self.mapping.source.topic_arn),
                    self.mapping.queue_name
                ));
                self.delete(&receipt).await;
                return;
            }
        };
        let queued_at = message
            .attributes()
            .and_then(|attributes| attributes.get(&MessageSystemAttributeName::SentTimestamp))
            .and_then(|millis| millis.parse::<i128>().ok())
            .and_then(|millis| OffsetDateTime::from_unix_timestamp_nanos(millis * 1_000_000).ok())
            .unwrap_or_else(OffsetDateTime::now_utc);
        match self.attempts(&event, &receipt, queued_at, shutdown).await {
            Settled::Done => self.delete(&receipt).await,
            Settled::GiveBack(after) => self.set_visibility(&receipt, after).await,
        }
    }

    /// Invokes, retries and finally sends to the destination, per the function's
    /// `EventInvokeConfig`. One loop on purpose (about 100 lines): the attempt count, the last
    /// failure and the message's visibility are the state of one event through its retries.
    async fn attempts(
        &self,
        event: &Value,
        receipt: &str,
        queued_at: OffsetDateTime,
        mut shutdown: Shutdown,
    ) -> Settled {
        let function = &self.mapping.function;
        let sns = &event["Records"][0]["Sns"];
        let message_id = sns["MessageId"].as_str().unwrap_or_default().to_owned();
        // One request id per event, through its retries (and the same when the message comes
        // back), as Lambda keeps one per asynchronous event.
        let request_id = uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_OID,
            format!("{}/{message_id}", function.arn).as_bytes(),
        )
        .to_string();
        let subjects = subjects(sns["Message"].as_str());
        let payload = event.to_string().into_bytes();
        let work = Work::of(&payload).ids;
        let max_attempts = 1 + function.async_invoke.maximum_retry_attempts;
        let max_age = Duration::from_secs(function.async_invoke.maximum_event_age_s.into());
        let timeout = Duration::from_secs(function.timeout_s.into());
        let Pending {
            mut attempts,
            mut last,
        } = self.take_pending(&message_id);
        loop {
            let age = OffsetDateTime::now_utc() - queued_at;
            if age > max_age {
                self.discard(
                    Condition::EventAgeExceeded,
                    attempts,
                    last.as_ref(),
                    &request_id,
                    event,
                )
                .await;
                return Settled::Done;
            }
            self.set_visibility(receipt, timeout + Duration::from_secs(VISIBILITY_MARGIN_S))
                .await;
            let started = Instant::now();
            let answer = self.invoker.invoke(&function.binary, payload.clone()).await;
            let (outcome, reason, duration) = match answer {
                Err(InvokeError::Unavailable(reason)) => {
                    self.reporter.warn(format!(
                        "sns {} → {}: the function is unavailable ({reason}); the event is tried again in {:?}",
                        name_of(&self.mapping.source.topic_arn),
                        function.binary,
                        self.options.unavailable_delay
                    ));
                    self.keep_pending(&message_id, Pending { attempts, last });
                    return Settled::GiveBack(self.options.unavailable_delay);
                }
                Ok(invocation) if invocation.succeeded() => {
                    self.report(&subjects, &[], "ok", invocation.duration, started);
                    return Settled::Done;
                }
                Ok(invocation) => {
                    let failure = LastFailure::from_invocation(&invocation);
                    let reason = failure.reason();
                    last = Some(failure);
                    ("error", reason, invocation.duration)
                }
                Err(InvokeError::Timeout(after)) => {
                    last = Some(LastFailure::timeout(&request_id, after));
                    ("timeout", format!("timed out after {after:?}"), after)
                }
            };
            attempts += 1;
            self.report(&subjects, &work, outcome, duration, started);
            if attempts >= max_attempts {
                self.discard(
                    Condition::RetriesExhausted,
                    attempts,
                    last.as_ref(),
                    &request_id,
                    event,
                )
                .await;
                return Settled::Done;
            }
            let delay = self.options.delay_before_retry(attempts);
            self.reporter.report(Progress::Retry {
                function: function.binary.clone(),
                attempt: attempts + 1,
                reason,
            });
            self.set_visibility(
                receipt,
                delay + timeout + Duration::from_secs(VISIBILITY_MARGIN_S),
            )
            .await;
            tokio::select! {
                _ = shutdown.requested() => {
                    self.keep_pending(&message_id, Pending { attempts, last });
                    return Settled::GiveBack(Duration::ZERO);
                }
                _ = tokio::time::sleep(delay) => {}
            }
        }
    }

    /// Reports one invocation; `work` names what a failed one was handling (empty for `ok`).
    fn report(
        &self,
        subjects: &[String],
        work: &[String],
        outcome: &str,
        duration: Duration,
        started: Instant,
    ) {
        let duration = if duration.is_zero() {
            started.elapsed()
        } else {
            duration
        };
        self.reporter.report(Progress::Invoked {
            trigger: "sns".to_owned(),
            source: name_of(&self.mapping.source.topic_arn).to_owned(),
            function: self.mapping.function.binary.clone(),
            records: 1,
            failed: usize::from(outcome != "ok"),
            outcome: outcome.to_owned(),
            subjects: subjects.to_vec(),
            work: work.to_vec(),
            duration_ms: duration.as_millis() as u64,
        });
    }

    /// Sends the invocation record to the on-failure destination, or says that the event is
    /// discarded when the function has none.
    async fn discard(
        &self,
        condition: Condition,
        attempts: u32,
        last: Option<&LastFailure>,
        request_id: &str,
        event: &Value,
    ) {
        let function = &self.mapping.function;
        let Some(destination) = &function.async_invoke.on_failure else {
            self.reporter.warn(format!(
                "{}: event discarded after {attempts} attempt(s) ({}); the function has no on-failure destination",
                function.binary,
                condition.as_str()
            ));
            return;
        };
        let record = destination_record(
            OffsetDateTime::now_utc(),
            request_id,
            &format!("{}:$LATEST", function.arn),
            condition,
            attempts,
            event,
            last,
        );
        match self.send(destination, record.to_string()).await {
            Ok(()) => self.reporter.report(Progress::Destination {
                function: function.binary.clone(),
                destination: destination.arn.clone(),
            }),
            // As in AWS (the `DestinationDeliveryFailures` metric), the record is lost: retrying
            // the event would invoke the function again, which Lambda does not do.
            Err(error) => self.reporter.warn(format!(
                "{}: the invocation record ({}) could not be sent to {}: {error}",
                function.binary,
                condition.as_str(),
                destination.arn
            )),
        }
    }

    /// Sends `record` as the message of an SQS queue or SNS topic ("For Amazon SQS and Amazon
    /// SNS, the invocation record is passed as the `Message` to the destination").
    async fn send(&self, destination: &Destination, record: String) -> Result<(), String> {
        match destination.kind {
            DestinationKind::Sqs => {
                let mut fields = destination.arn.split(':');
                let account = fields.nth(4).unwrap_or_default();
                let url = self
                    .mapping
                    .sqs
                    .get_queue_url()
                    .queue_name(name_of(&destination.arn))
                    .queue_owner_aws_account_id(account)
                    .send()
                    .await
                    .map_err(|error| aws_sdk_sqs::error::DisplayErrorContext(error).to_string())?;
                self.mapping
                    .sqs
                    .send_message()
                    .queue_url(url.queue_url().unwrap_or_default())
                    .message_body(record)
                    .send()
                    .await
                    .map_err(|error| aws_sdk_sqs::error::DisplayErrorContext(error).to_string())?;
            }
            DestinationKind::Sns => {
                self.mapping
                    .sns
                    .publish()
                    .topic_arn(&destination.arn)
                    .message(record)
                    .send()
                    .await
                    .map_err(|error| aws_sdk_sns::error::DisplayErrorContext(error).to_string())?;
            }
        }
        Ok(())
    }

    fn take_pending(&self, message_id: &str) -> Pending {
        self.pending
            .lock()
            .ok()
            .and_then(|mut pending| pending.remove(message_id))
            .unwrap_or_default()
    }

    fn keep_pending(&self, message_id: &str, state: Pending) {
        if let Ok(mut pending) = self.pending.lock() {
            pending.insert(message_id.to_owned(), state);
        }
    }

    async fn set_visibility(&self, receipt: &str, after: Duration) {
        let seconds = after.as_secs().min(MAX_VISIBILITY_S) as i32;
        if let Err(error) = self
            .mapping
            .sqs
            .change_message_visibility()
            .queue_url(&self.mapping.queue_url)
            .receipt_handle(receipt)
            .visibility_timeout(seconds)
            .send()
            .await
        {
            self.reporter.warn(format!(
                "{}: could not change a message's visibility: {}",
                self.mapping.queue_name,
                aws_sdk_sqs::error::DisplayErrorContext(error)
            ));
        }
    }

    async fn delete(&self, receipt: &str) {
        if let Err(error) = self
            .mapping
            .sqs
            .delete_message()
            .queue_url(&self.mapping.queue_url)
            .receipt_handle(receipt)
            .send()
            .await
        {
            self.reporter.warn(format!(
                "{}: a settled notification could not be deleted and will be processed again: {}",
                self.mapping.queue_name,
                aws_sdk_sqs::error::DisplayErrorContext(error)
            ));
        }
    }
}

/// Why a message of the internal queue is not an SNS notification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnsEventError {
    /// The body is not a JSON object.
    #[error("the body is not a JSON object")]
    NotJson,
    /// The document's `Type` is not `Notification`.
    #[error("the document's Type is {0:?}, not Notification")]
    NotANotification(String),
}

/// The event Lambda receives for one SNS notification: one record with `EventSource`
/// `aws:sns`, `EventVersion` 1.0, `EventSubscriptionArn`, and under `Sns` the notification's
/// fields (`Type`, `MessageId`, `TopicArn`, `Subject` (null when none), `Message`,
/// `Timestamp`, `SignatureVersion`, `Signature`, `SigningCertUrl`, `UnsubscribeUrl`,
/// `MessageAttributes` as `{name: {Type, Value}}`, `{}` when none).
///
/// The notification delivered to a queue spells `SigningCertURL` and `UnsubscribeURL`; the
/// Lambda event spells `SigningCertUrl` and `UnsubscribeUrl` (the example event of "Using
/// Lambda with Amazon SNS", and `aws_lambda_events`' `SnsMessage`, which serialises so).
pub fn sns_event(notification: &str, subscription_arn: &str) -> Result<Value, SnsEventError> {
    let notification: Map<String, Value> =
        serde_json::from_str(notification).map_err(|_| SnsEventError::NotJson)?;
    let kind = notification
        .get("Type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if kind != "Notification" {
        return Err(SnsEventError::NotANotification(kind.to_owned()));
    }
    let field = |names: &[&str]| {
        names
            .iter()
            .find_map(|name| notification.get(*name))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let attributes = match notification.get("MessageAttributes") {
        Some(Value::Object(attributes)) => Value::Object(attributes.clone()),
        _ => json!({}),
    };
    Ok(json!({
        "Records": [{
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": subscription_arn,
            "Sns": {
                "Type": "Notification",
                "MessageId": field(&["MessageId"]),
                "TopicArn": field(&["TopicArn"]),
                "Subject": field(&["Subject"]),
                "Message": field(&["Message"]),
                "Timestamp": field(&["Timestamp"]),
                "SignatureVersion": field(&["SignatureVersion"]),
                "Signature": field(&["Signature"]),
                "SigningCertUrl": field(&["SigningCertUrl", "SigningCertURL"]),
                "UnsubscribeUrl": field(&["UnsubscribeUrl", "UnsubscribeURL"]),
                "MessageAttributes": attributes
            }
        }]
    }))
}

/// Why an event went to the on-failure destination (`requestContext.condition`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    /// Every attempt failed.
    RetriesExhausted,
    /// The event grew older than `MaximumEventAgeInSeconds`.
    EventAgeExceeded,
}

impl Condition {
    /// The name in the invocation record.
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::RetriesExhausted => "RetriesExhausted",
            Condition::EventAgeExceeded => "EventAgeExceeded",
        }
    }
}

/// What the last failed attempt answered.
#[derive(Clone, Debug, PartialEq)]
pub struct LastFailure {
    /// `X-Amz-Function-Error` (`Unhandled`).
    pub function_error: String,
    /// The error document, as JSON (a string when the function did not answer JSON).
    pub payload: Value,
}

impl LastFailure {
    /// The failure of an invocation that answered with a function error.
    pub fn from_invocation(invocation: &Invocation) -> LastFailure {
        let payload = serde_json::from_slice(&invocation.payload).unwrap_or_else(|_| {
            Value::from(String::from_utf8_lossy(&invocation.payload).into_owned())
        });
        LastFailure {
            function_error: invocation
                .function_error
                .clone()
                .unwrap_or_else(|| "Unhandled".to_owned()),
            payload,
        }
    }

    /// A timeout, which Lambda reports as an unhandled function error with the runtime's
    /// "Task timed out" message.
    pub fn timeout(request_id: &str, after: Duration) -> LastFailure {
        LastFailure {
            function_error: "Unhandled".to_owned(),
            payload: json!({
                "errorMessage": format!(
                    "{} {request_id} Task timed out after {:.2} seconds",
                    timestamp(OffsetDateTime::now_utc()),
                    after.as_secs_f64()
                )
            }),
        }
    }

    /// A short reason for the progress line.
    fn reason(&self) -> String {
        let message = self
            .payload
            .get("errorMessage")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| self.payload.to_string());
        let mut reason: String = message.chars().take(120).collect();
        if reason.len() < message.len() {
            reason.push('…');
        }
        format!("{}: {reason}", self.function_error)
    }
}

/// The invocation record Lambda sends to a destination ("Capturing records of Lambda
/// asynchronous invocations", example invocation record): `version` 1.0, `timestamp`,
/// `requestContext` (`requestId`, `functionArn` with its `$LATEST` qualifier, `condition`,
/// `approximateInvokeCount`), `requestPayload` (the event), and, when the function was invoked
/// at all, `responseContext` (`statusCode` 200, `executedVersion` `$LATEST`, `functionError`)
/// and `responsePayload` (the error document of the last attempt).
pub fn destination_record(
    at: OffsetDateTime,
    request_id: &str,
    function_arn: &str,
    condition: Condition,
    invoke_count: u32,
    request_payload: &Value,
    last: Option<&LastFailure>,
) -> Value {
    let mut record = json!({
        "version": "1.0",
        "timestamp": timestamp(at),
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": condition.as_str(),
            "approximateInvokeCount": invoke_count
        },
        "requestPayload": request_payload
    });
    if let (Some(last), Some(fields)) = (last, record.as_object_mut()) {
        fields.insert(
            "responseContext".to_owned(),
            json!({
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": last.function_error
            }),
        );
        fields.insert("responsePayload".to_owned(), last.payload.clone());
    }
    record
}

/// `2019-11-14T18:16:05.568Z`: UTC with milliseconds, as in Lambda's records.
fn timestamp(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUBSCRIPTION: &str =
        "arn:aws:sns:us-east-1:123456789012:invoice-events:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55";

    fn notification() -> Value {
        json!({
            "Type": "Notification",
            "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:invoice-events",
            "Message": "{\"subject\":\"inv-1\"}",
            "Timestamp": "2019-01-02T12:45:07.000Z",
            "SignatureVersion": "1",
            "Signature": "c2lnbmF0dXJl",
            "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem",
            "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
            "MessageAttributes": {"type": {"Type": "String", "Value": "invoice.finalized.v1"}}
        })
    }

    #[test]
    fn event_has_lambdas_shape_and_casing() {
        let event = sns_event(&notification().to_string(), SUBSCRIPTION).expect("an event");
        assert_eq!(
            event,
            json!({
                "Records": [{
                    "EventSource": "aws:sns",
                    "EventVersion": "1.0",
                    "EventSubscriptionArn": SUBSCRIPTION,
                    "Sns": {
                        "Type": "Notification",
                        "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
                        "TopicArn": "arn:aws:sns:us-east-1:123456789012:invoice-events",
                        "Subject": null,
                        "Message": "{\"subject\":\"inv-1\"}",
                        "Timestamp": "2019-01-02T12:45:07.000Z",
                        "SignatureVersion": "1",
                        "Signature": "c2lnbmF0dXJl",
                        "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-x.pem",
                        "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
                        "MessageAttributes": {"type": {"Type": "String", "Value": "invoice.finalized.v1"}}
                    }
                }]
            })
        );
        // The functions read it with the events crate.
        let parsed: aws_lambda_events::event::sns::SnsEvent =
            serde_json::from_value(event).expect("an SNS event");
        assert_eq!(
            parsed.records[0].sns.message_attributes["type"].value,
            "invoice.finalized.v1"
        );
    }

    #[test]
    fn event_defaults_and_refusals() {
        let mut bare = notification();
        if let Some(fields) = bare.as_object_mut() {
            fields.remove("MessageAttributes");
            fields.insert("Subject".to_owned(), json!("Greetings"));
        }
        let event = sns_event(&bare.to_string(), SUBSCRIPTION).expect("an event");
        assert_eq!(event["Records"][0]["Sns"]["MessageAttributes"], json!({}));
        assert_eq!(event["Records"][0]["Sns"]["Subject"], json!("Greetings"));
        assert_eq!(
            sns_event("plain text", SUBSCRIPTION),
            Err(SnsEventError::NotJson)
        );
        assert_eq!(
            sns_event(r#"{"Type":"SubscriptionConfirmation"}"#, SUBSCRIPTION),
            Err(SnsEventError::NotANotification(
                "SubscriptionConfirmation".to_owned()
            ))
        );
    }

    #[test]
    fn destination_record_follows_the_documented_example() {
        let at = time::macros::datetime!(2019-11-14 18:16:05.568 UTC);
        let event = json!({"Records": []});
        let last = LastFailure::from_invocation(&Invocation {
            payload: br#"{"errorMessage":"boom","errorType":"Error"}"#.to_vec(),
            function_error: Some("Unhandled".to_owned()),
            duration: Duration::from_millis(5),
        });
        let record = destination_record(
            at,
            "e4b46cbf-b738-4880-a18c-df61200e0000",
            "arn:aws:lambda:us-east-1:123456789012:function:mailer:$LATEST",
            Condition::RetriesExhausted,
            3,
            &event,
            Some(&last),
        );
        assert_eq!(
            record,
            json!({
                "version": "1.0",
                "timestamp": "2019-11-14T18:16:05.568Z",
                "requestContext": {
                    "requestId": "e4b46cbf-b738-4880-a18c-df61200e0000",
                    "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:mailer:$LATEST",
                    "condition": "RetriesExhausted",
                    "approximateInvokeCount": 3
                },
                "requestPayload": {"Records": []},
                "responseContext": {
                    "statusCode": 200,
                    "executedVersion": "$LATEST",
                    "functionError": "Unhandled"
                },
                "responsePayload": {"errorMessage": "boom", "errorType": "Error"}
            })
        );
        let aged = destination_record(at, "r", "f", Condition::EventAgeExceeded, 0, &event, None);
        assert_eq!(aged["requestContext"]["condition"], "EventAgeExceeded");
        assert!(aged.get("responseContext").is_none());
        let text = LastFailure::from_invocation(&Invocation {
            payload: b"not json".to_vec(),
            function_error: None,
            duration: Duration::ZERO,
        });
        assert_eq!(text.payload, json!("not json"));
        assert_eq!(text.function_error, "Unhandled");
    }

    #[test]
    fn queue_names_fit_sqs() {
        assert_eq!(
            internal_queue_name("pdf-mailer", "DocumentEvents"),
            "pdf-mailer-DocumentEvents-sns-local"
        );
        let long = internal_queue_name(&"f".repeat(60), &"E".repeat(40));
        assert_eq!(long.len(), 80);
        assert!(long.ends_with("-sns-local"));
        assert_eq!(long, internal_queue_name(&"f".repeat(60), &"E".repeat(40)));
        assert_ne!(long, internal_queue_name(&"f".repeat(60), &"F".repeat(40)));
        assert_eq!(internal_queue_name("a.b", "c d"), "a-b-c-d-sns-local");
    }

    #[test]
    fn retry_delays() {
        let options = AsyncOptions::default();
        assert_eq!(options.delay_before_retry(1), Duration::from_secs(1));
        assert_eq!(options.delay_before_retry(2), Duration::from_secs(2));
        assert_eq!(options.delay_before_retry(3), Duration::from_secs(2));
        let aws = AsyncOptions::aws();
        assert_eq!(aws.delay_before_retry(1), Duration::from_secs(60));
        assert_eq!(aws.delay_before_retry(2), Duration::from_secs(120));
    }
}
