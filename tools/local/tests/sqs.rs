//! The SQS event source mapping against a real moto server: batches, partial batch responses,
//! redrive to the dead-letter queue through the emulator, batch size and window, the event's
//! shape, and shutdown. The function is a test double of the user's Lambda function.

mod common;

use aws_sdk_sqs::types::{MessageAttributeValue, QueueAttributeName};
use common::{Answer, TestFunction, depth, eventually, function_spec};
use paperflow_local::invoke::Invoke;
use paperflow_local::progress::Reporter;
use paperflow_local::spec::{QueueSpec, SqsSourceSpec};
use paperflow_local::sqs::{SqsMapping, SqsOptions, run_sqs_mapping};
use paperflow_local::{Shutdown, TriggerContext};
use paperflow_tests::moto::{ACCOUNT_ID, Moto, REGION};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A moto server with the queue under test.
struct Setup {
    _moto: Moto,
    sqs: aws_sdk_sqs::Client,
    queue: QueueSpec,
    url: String,
}

impl Setup {
    /// Starts moto and creates queue `name` with this visibility timeout.
    async fn new(name: &str, visibility_timeout_s: u32) -> Setup {
        let moto = Moto::start();
        let sqs = aws_sdk_sqs::Client::new(&moto.sdk_config().await);
        let url = create_queue(&sqs, name, visibility_timeout_s, None).await;
        Setup::with(moto, sqs, name, visibility_timeout_s, url)
    }

    /// Like [`Setup::new`], but the queue's redrive policy moves a message to a new queue
    /// `dead_letter` once it has been received `max_receive_count` times; also gives the
    /// dead-letter queue's URL.
    async fn with_redrive(
        name: &str,
        visibility_timeout_s: u32,
        dead_letter: &str,
        max_receive_count: u32,
    ) -> (Setup, String) {
        let moto = Moto::start();
        let sqs = aws_sdk_sqs::Client::new(&moto.sdk_config().await);
        let dlq_url = create_queue(&sqs, dead_letter, 30, None).await;
        let redrive = json!({
            "deadLetterTargetArn": queue_arn(dead_letter),
            "maxReceiveCount": max_receive_count,
        });
        let url = create_queue(&sqs, name, visibility_timeout_s, Some(redrive)).await;
        let setup = Setup::with(moto, sqs, name, visibility_timeout_s, url);
        (setup, dlq_url)
    }

    fn with(
        moto: Moto,
        sqs: aws_sdk_sqs::Client,
        name: &str,
        visibility_timeout_s: u32,
        url: String,
    ) -> Setup {
        let queue = QueueSpec {
            logical_id: name.to_owned(),
            name: name.to_owned(),
            arn: queue_arn(name),
            visibility_timeout_s,
            message_retention_s: 345_600,
            redrive: None,
        };
        Setup {
            _moto: moto,
            sqs,
            queue,
            url,
        }
    }

    /// The mapping's source on the queue.
    fn source(&self, batch_size: u32, window_s: u32, report: bool) -> SqsSourceSpec {
        SqsSourceSpec {
            event_id: "Work".to_owned(),
            queue_arn: self.queue.arn.clone(),
            batch_size,
            batching_window_s: window_s,
            report_batch_item_failures: report,
            maximum_concurrency: None,
            enabled: true,
        }
    }

    /// Sends `count` invoice events, subjects `inv-0`, `inv-1`, ….
    async fn send_invoices(&self, count: usize) {
        for n in 0..count {
            let body = json!({"type": "invoice.finalized.v1", "subject": format!("inv-{n}"), "correlationid": format!("corr-{n}")});
            self.sqs
                .send_message()
                .queue_url(&self.url)
                .message_body(body.to_string())
                .send()
                .await
                .expect("a message is sent");
        }
    }

    /// Visible plus in-flight messages of the queue.
    async fn depth(&self) -> u64 {
        depth(&self.sqs, &self.url).await
    }

    /// The mapping of `source` from the queue to the worker function.
    fn mapping(&self, source: SqsSourceSpec) -> SqsMapping {
        SqsMapping {
            sqs: self.sqs.clone(),
            queue_url: self.url.clone(),
            queue: self.queue.clone(),
            source,
            function: worker(),
        }
    }

    /// Runs the mapping from the queue to `function` until [`Running::stop`].
    fn start(
        &self,
        function: &Arc<TestFunction>,
        source: SqsSourceSpec,
        options: SqsOptions,
    ) -> Running {
        let (trigger, shutdown) = Shutdown::new();
        let task = tokio::spawn(run_sqs_mapping(
            self.mapping(source),
            context(function, shutdown),
            options,
        ));
        Running { trigger, task }
    }
}

/// What the stack hands a trigger: here the test's function, a quiet reporter, `shutdown`.
fn context(function: &Arc<TestFunction>, shutdown: Shutdown) -> TriggerContext {
    TriggerContext {
        invoker: Arc::clone(function) as Arc<dyn Invoke>,
        reporter: Reporter::new(false),
        shutdown,
    }
}

fn queue_arn(name: &str) -> String {
    format!("arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{name}")
}

async fn create_queue(
    sqs: &aws_sdk_sqs::Client,
    name: &str,
    visibility_s: u32,
    redrive: Option<Value>,
) -> String {
    let mut create = sqs.create_queue().queue_name(name).attributes(
        QueueAttributeName::VisibilityTimeout,
        visibility_s.to_string(),
    );
    if let Some(policy) = redrive {
        create = create.attributes(QueueAttributeName::RedrivePolicy, policy.to_string());
    }
    create
        .send()
        .await
        .expect("a queue")
        .queue_url()
        .expect("a queue URL")
        .to_owned()
}

/// The function's spec: binary `worker`.
fn worker() -> paperflow_local::spec::FunctionSpec {
    function_spec("Worker", "worker")
}

fn subject(record: &Value) -> String {
    let body: Value =
        serde_json::from_str(record["body"].as_str().unwrap_or_default()).expect("a JSON body");
    body["subject"].as_str().unwrap_or_default().to_owned()
}

fn receive_count(record: &Value) -> &str {
    record["attributes"]["ApproximateReceiveCount"]
        .as_str()
        .unwrap_or_default()
}

/// Every delivery the function got, as (subject, receive count), sorted.
fn deliveries(function: &TestFunction) -> Vec<(String, String)> {
    let mut seen: Vec<(String, String)> = function
        .records()
        .iter()
        .map(|record| (subject(record), receive_count(record).to_owned()))
        .collect();
    seen.sort();
    seen
}

/// What [`deliveries`] is when each of `count` invoices was delivered twice.
fn each_delivered_twice(count: usize) -> Vec<(String, String)> {
    (0..count)
        .flat_map(|n| {
            [
                (format!("inv-{n}"), "1".to_owned()),
                (format!("inv-{n}"), "2".to_owned()),
            ]
        })
        .collect()
}

/// Whether any record of `event` is on its first delivery.
fn first_delivery(event: &Value) -> bool {
    event["Records"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|record| receive_count(record) == "1")
}

/// A running mapping and the means to stop it.
struct Running {
    trigger: paperflow_local::ShutdownTrigger,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    async fn stop(self) {
        self.trigger.trigger();
        tokio::time::timeout(Duration::from_secs(5), self.task)
            .await
            .expect("the mapping stops promptly after shutdown")
            .expect("the mapping task ends cleanly");
    }
}

#[tokio::test]
async fn a_reported_item_failure_leaves_only_that_message() {
    let setup = Setup::new("partial", 1).await;
    setup.send_invoices(3).await;
    // inv-1 fails on its first delivery, everything else succeeds.
    let function = TestFunction::new("worker", |event| {
        let failures: Vec<Value> = event["Records"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|record| subject(record) == "inv-1" && receive_count(record) == "1")
            .map(|record| json!({"itemIdentifier": record["messageId"]}))
            .collect();
        Answer::Ok(json!({"batchItemFailures": failures}))
    });
    let running = setup.start(&function, setup.source(10, 0, true), SqsOptions::default());
    eventually(
        "inv-1 is delivered again",
        Duration::from_secs(15),
        async || {
            function
                .records()
                .iter()
                .any(|record| subject(record) == "inv-1" && receive_count(record) == "2")
        },
    )
    .await;
    eventually("the queue is empty", Duration::from_secs(10), async || {
        setup.depth().await == 0
    })
    .await;
    running.stop().await;
    assert_eq!(
        deliveries(&function),
        [
            ("inv-0", "1"),
            ("inv-1", "1"),
            ("inv-1", "2"),
            ("inv-2", "1")
        ]
        .map(|(subject, count)| (subject.to_owned(), count.to_owned())),
        "only the reported message came back"
    );
}

#[tokio::test]
async fn a_malformed_batch_response_keeps_the_whole_batch() {
    let setup = Setup::new("malformed", 1).await;
    setup.send_invoices(3).await;
    // First deliveries get an answer that is not valid JSON; second deliveries succeed.
    let function = TestFunction::new("worker", |event| {
        if first_delivery(event) {
            Answer::Raw(b"{\"batchItemFailures\": [")
        } else {
            Answer::Ok(json!({"batchItemFailures": []}))
        }
    });
    let running = setup.start(&function, setup.source(10, 0, true), SqsOptions::default());
    eventually(
        "every message is delivered twice",
        Duration::from_secs(15),
        async || function.records().len() >= 6 && setup.depth().await == 0,
    )
    .await;
    running.stop().await;
    assert_eq!(deliveries(&function), each_delivered_twice(3));
}

#[tokio::test]
async fn an_unknown_item_identifier_fails_the_whole_batch() {
    let setup = Setup::new("unknown-id", 1).await;
    setup.send_invoices(2).await;
    let function = TestFunction::new("worker", |event| {
        if first_delivery(event) {
            Answer::Ok(json!({"batchItemFailures": [{"itemIdentifier": "not-in-this-batch"}]}))
        } else {
            Answer::Ok(Value::Null)
        }
    });
    let running = setup.start(&function, setup.source(10, 0, true), SqsOptions::default());
    eventually(
        "both messages are delivered twice",
        Duration::from_secs(15),
        async || function.records().len() >= 4 && setup.depth().await == 0,
    )
    .await;
    running.stop().await;
    assert_eq!(function.records().len(), 4);
}

#[tokio::test]
async fn function_errors_keep_messages_until_the_queues_redrive_moves_them() {
    let (setup, dlq_url) = Setup::with_redrive("work", 1, "work-dlq", 2).await;
    setup.send_invoices(3).await;
    let function = TestFunction::new("worker", |_| Answer::Error);
    // One poller: with two and a 1 s visibility timeout, a loaded machine lets the second
    // poller take a message while the first is still invoking with it, which tests timing, not
    // the redrive.
    let running = setup.start(
        &function,
        setup.source(10, 0, true),
        SqsOptions { max_concurrency: 1 },
    );
    eventually(
        "the messages reach the dead-letter queue",
        Duration::from_secs(20),
        async || depth(&setup.sqs, &dlq_url).await == 3 && setup.depth().await == 0,
    )
    .await;
    running.stop().await;
    assert_eq!(
        deliveries(&function),
        each_delivered_twice(3),
        "each message was tried maxReceiveCount times"
    );
}

/// Sends 25 invoices through a mapping with this batch size and window to a function that always
/// succeeds, and gives the number of records in each event it got, in order.
async fn batches_of_25(
    queue: &str,
    batch_size: u32,
    window_s: u32,
    options: SqsOptions,
) -> Vec<usize> {
    let setup = Setup::new(queue, 30).await;
    setup.send_invoices(25).await;
    let function = TestFunction::new("worker", |_| Answer::Ok(Value::Null));
    let running = setup.start(
        &function,
        setup.source(batch_size, window_s, false),
        options,
    );
    eventually(
        "every message is processed",
        Duration::from_secs(15),
        async || function.records().len() >= 25 && setup.depth().await == 0,
    )
    .await;
    running.stop().await;
    function
        .events()
        .iter()
        .map(|event| event["Records"].as_array().map_or(0, Vec::len))
        .collect()
}

#[tokio::test]
async fn batch_size_and_window_are_respected() {
    let sizes = batches_of_25("bulk", 10, 1, SqsOptions::default()).await;
    assert!(
        sizes.iter().all(|size| *size <= 10),
        "batches of at most 10: {sizes:?}"
    );
    assert_eq!(sizes.iter().sum::<usize>(), 25);
    assert!(
        sizes.len() <= 4,
        "the window gathers full batches: {sizes:?}"
    );
}

#[tokio::test]
async fn a_batch_larger_than_ten_is_gathered_over_the_window() {
    let sizes = batches_of_25("large", 20, 2, SqsOptions { max_concurrency: 1 }).await;
    assert_eq!(sizes, [20, 5]);
}

#[tokio::test]
async fn the_event_has_the_shape_lambda_sends() {
    let setup = Setup::new("shape", 30).await;
    setup
        .sqs
        .send_message()
        .queue_url(&setup.url)
        .message_body("plain body")
        .message_attributes(
            "kind",
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value("invoice")
                .build()
                .expect("an attribute"),
        )
        .message_attributes(
            "blob",
            MessageAttributeValue::builder()
                .data_type("Binary")
                .binary_value(aws_sdk_sqs::primitives::Blob::new(b"1100".to_vec()))
                .build()
                .expect("an attribute"),
        )
        .send()
        .await
        .expect("a message");
    let function = TestFunction::new("worker", |_| Answer::Ok(Value::Null));
    let running = setup.start(&function, setup.source(10, 0, false), SqsOptions::default());
    eventually(
        "the message is processed",
        Duration::from_secs(10),
        async || !function.records().is_empty(),
    )
    .await;
    running.stop().await;
    let events = function.events();
    let record = &events[0]["Records"][0];
    assert!(
        record["messageId"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    assert!(
        record["receiptHandle"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    assert_eq!(record["body"], "plain body");
    for attribute in [
        "ApproximateReceiveCount",
        "SentTimestamp",
        "SenderId",
        "ApproximateFirstReceiveTimestamp",
    ] {
        assert!(
            record["attributes"][attribute].is_string(),
            "{attribute}: {record}"
        );
    }
    assert_eq!(record["attributes"]["ApproximateReceiveCount"], "1");
    assert_eq!(
        record["messageAttributes"]["kind"],
        json!({"stringValue": "invoice", "stringListValues": [], "binaryListValues": [], "dataType": "String"})
    );
    assert_eq!(
        record["messageAttributes"]["blob"],
        json!({"binaryValue": "MTEwMA==", "stringListValues": [], "binaryListValues": [], "dataType": "Binary"})
    );
    assert!(
        record["md5OfBody"]
            .as_str()
            .is_some_and(|md5| md5.len() == 32 && md5.chars().all(|c| c.is_ascii_hexdigit())),
        "md5OfBody: {record}"
    );
    assert_eq!(record["eventSource"], "aws:sqs");
    assert_eq!(record["eventSourceARN"], setup.queue.arn.as_str());
    assert_eq!(record["awsRegion"], REGION);
    let event: aws_lambda_events::event::sqs::SqsEvent =
        serde_json::from_value(events[0].clone()).expect("the events crate reads it");
    assert_eq!(event.records[0].body.as_deref(), Some("plain body"));
}

#[tokio::test]
async fn shutdown_stops_the_pollers_and_disabled_mappings_do_not_poll() {
    let setup = Setup::new("idle", 30).await;
    let function = TestFunction::new("worker", |_| Answer::Ok(Value::Null));
    let polled = TestFunction::new("worker", |_| Answer::Ok(Value::Null));
    let running = setup.start(&polled, setup.source(10, 0, false), SqsOptions::default());
    // One message through, deleted: from then on the pollers are back in a 20 s long poll of
    // an empty queue, and shutdown does not wait for it.
    setup.send_invoices(1).await;
    eventually(
        "the message is processed and deleted",
        Duration::from_secs(10),
        async || !polled.events().is_empty() && setup.depth().await == 0,
    )
    .await;
    let stopping = Instant::now();
    running.stop().await;
    assert!(stopping.elapsed() < Duration::from_secs(3));

    setup.send_invoices(1).await;
    let mut disabled = setup.source(10, 0, false);
    disabled.enabled = false;
    let (_trigger, shutdown) = Shutdown::new();
    tokio::time::timeout(
        Duration::from_secs(2),
        run_sqs_mapping(
            setup.mapping(disabled),
            context(&function, shutdown),
            SqsOptions::default(),
        ),
    )
    .await
    .expect("a disabled mapping returns at once");
    assert!(function.events().is_empty());
    assert_eq!(setup.depth().await, 1, "the message was not touched");
}
