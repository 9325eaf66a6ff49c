//! The SQS event source mapping against a real moto server: batches, partial batch responses,
//! redrive to the dead-letter queue through the emulator, batch size and window, the event's
//! shape, and shutdown. The function is a test double of the user's Lambda function.

use aws_sdk_sqs::types::{MessageAttributeValue, QueueAttributeName};
use paperflow_local::Shutdown;
use paperflow_local::invoke::{Invocation, Invoke, InvokeError, InvokeFuture};
use paperflow_local::progress::Reporter;
use paperflow_local::spec::{AsyncInvokeSpec, FunctionSpec, QueueSpec, SqsSourceSpec};
use paperflow_local::sqs::{SqsOptions, run_sqs_mapping};
use paperflow_tests::moto::{ACCOUNT_ID, Moto, REGION};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the test function answers.
enum Answer {
    /// Returns this JSON.
    Ok(Value),
    /// Returns these raw bytes.
    Raw(&'static [u8]),
    /// Fails (`Unhandled`).
    Error,
}

type Rule = dyn Fn(&Value) -> Answer + Send + Sync;

/// The user's function, played by the test: records every event and answers per `rule`.
struct TestFunction {
    events: Mutex<Vec<Value>>,
    rule: Box<Rule>,
}

impl TestFunction {
    fn new(rule: impl Fn(&Value) -> Answer + Send + Sync + 'static) -> Arc<TestFunction> {
        Arc::new(TestFunction {
            events: Mutex::default(),
            rule: Box::new(rule),
        })
    }

    fn events(&self) -> Vec<Value> {
        self.events.lock().expect("the events").clone()
    }

    /// Every record of every event, in order.
    fn records(&self) -> Vec<Value> {
        self.events()
            .iter()
            .flat_map(|event| event["Records"].as_array().cloned().unwrap_or_default())
            .collect()
    }
}

impl Invoke for TestFunction {
    fn invoke<'a>(&'a self, function: &'a str, payload: Vec<u8>) -> InvokeFuture<'a> {
        Box::pin(async move {
            assert_eq!(function, "worker");
            let event: Value = serde_json::from_slice(&payload).expect("a JSON event");
            self.events.lock().expect("the events").push(event.clone());
            let (payload, function_error) = match (self.rule)(&event) {
                Answer::Ok(value) => (value.to_string().into_bytes(), None),
                Answer::Raw(bytes) => (bytes.to_vec(), None),
                Answer::Error => (
                    br#"{"errorType":"Error","errorMessage":"boom"}"#.to_vec(),
                    Some("Unhandled".to_owned()),
                ),
            };
            Ok::<_, InvokeError>(Invocation {
                payload,
                function_error,
                duration: Duration::from_millis(1),
            })
        })
    }
}

fn function() -> FunctionSpec {
    FunctionSpec {
        logical_id: "Worker".to_owned(),
        name: "paperflow-local-Worker".to_owned(),
        arn: format!("arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:paperflow-local-Worker"),
        binary: "worker".to_owned(),
        timeout_s: 3,
        memory_mb: 128,
        environment: Default::default(),
        sqs_sources: Vec::new(),
        sns_sources: Vec::new(),
        http_routes: Vec::new(),
        async_invoke: AsyncInvokeSpec::default(),
    }
}

fn queue_spec(name: &str, visibility_timeout_s: u32) -> QueueSpec {
    QueueSpec {
        logical_id: name.to_owned(),
        name: name.to_owned(),
        arn: format!("arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{name}"),
        visibility_timeout_s,
        message_retention_s: 345_600,
        redrive: None,
    }
}

fn source(queue: &QueueSpec, batch_size: u32, window_s: u32, report: bool) -> SqsSourceSpec {
    SqsSourceSpec {
        event_id: "Work".to_owned(),
        queue_arn: queue.arn.clone(),
        batch_size,
        batching_window_s: window_s,
        report_batch_item_failures: report,
        maximum_concurrency: None,
        enabled: true,
    }
}

async fn create_queue(sqs: &aws_sdk_sqs::Client, name: &str, visibility_s: u32) -> String {
    sqs.create_queue()
        .queue_name(name)
        .attributes(
            QueueAttributeName::VisibilityTimeout,
            visibility_s.to_string(),
        )
        .send()
        .await
        .expect("a queue")
        .queue_url()
        .expect("a queue URL")
        .to_owned()
}

async fn send_bodies(sqs: &aws_sdk_sqs::Client, url: &str, bodies: &[String]) {
    for body in bodies {
        sqs.send_message()
            .queue_url(url)
            .message_body(body)
            .send()
            .await
            .expect("a message is sent");
    }
}

fn invoice_bodies(count: usize) -> Vec<String> {
    (0..count)
        .map(|n| {
            json!({"type": "invoice.finalized.v1", "subject": format!("inv-{n}"), "correlationid": format!("corr-{n}")})
                .to_string()
        })
        .collect()
}

/// Visible plus in-flight messages of a queue.
async fn depth(sqs: &aws_sdk_sqs::Client, url: &str) -> u64 {
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .expect("queue attributes");
    let map = attributes.attributes().cloned().unwrap_or_default();
    [
        QueueAttributeName::ApproximateNumberOfMessages,
        QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
    ]
    .iter()
    .map(|name| {
        map.get(name)
            .and_then(|count| count.parse::<u64>().ok())
            .unwrap_or(0)
    })
    .sum()
}

async fn eventually(what: &str, timeout: Duration, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for: {what}");
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

fn start(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
    queue: &QueueSpec,
    source: SqsSourceSpec,
    function: Arc<TestFunction>,
    options: SqsOptions,
) -> Running {
    let (trigger, shutdown) = Shutdown::new();
    let task = tokio::spawn(run_sqs_mapping(
        sqs.clone(),
        url.to_owned(),
        queue.clone(),
        source,
        self::function(),
        function,
        Reporter::new(false),
        options,
        shutdown,
    ));
    Running { trigger, task }
}

#[tokio::test]
async fn a_reported_item_failure_leaves_only_that_message() {
    let moto = Moto::start();
    let sqs = aws_sdk_sqs::Client::new(&moto.sdk_config().await);
    let queue = queue_spec("partial", 1);
    let url = create_queue(&sqs, &queue.name, 1).await;
    send_bodies(&sqs, &url, &invoice_bodies(3)).await;
    // inv-1 fails on its first delivery, everything else succeeds.
    let function = TestFunction::new(|event| {
        let failures: Vec<Value> = event["Records"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|record| subject(record) == "inv-1" && receive_count(record) == "1")
            .map(|record| json!({"itemIdentifier": record["messageId"]}))
            .collect();
        Answer::Ok(json!({"batchItemFailures": failures}))
    });
    let running = start(
        &sqs,
        &url,
        &queue,
        source(&queue, 10, 0, true),
        Arc::clone(&function),
        SqsOptions::default(),
    );
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
        depth(&sqs, &url).await == 0
    })
    .await;
    running.stop().await;
    let mut seen: Vec<(String, String)> = function
        .records()
        .iter()
        .map(|record| (subject(record), receive_count(record).to_owned()))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
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
    let moto = Moto::start();
    let sqs = aws_sdk_sqs::Client::new(&moto.sdk_config().await);
    let queue = queue_spec("malformed", 1);
    let url = create_queue(&sqs, &queue.name, 1).await;
    send_bodies(&sqs, &url, &invoice_bodies(3)).await;
    // First deliveries get an answer that is not valid JSON; second deliveries succeed.
    let function = TestFunction::new(|event| {
        let first = event["Records"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|record| receive_count(record) == "1");
        if first {
            Answer::Raw(b"{\"batchItemFailures\": [")
        } else {
            Answer::Ok(json!({"batchItemFailures": []}))
        }
    });
    let running = start(
        &sqs,
        &url,
        &queue,
        source(&queue, 10, 0, true),
        Arc::clone(&function),
        SqsOptions::default(),
    );
    eventually(
        "every message is delivered twice",
        Duration::from_secs(15),
        async || function.records().len() >= 6 && depth(&sqs, &url).await == 0,
    )
    .await;
    running.stop().await;
    let mut seen: Vec<(String, String)> = function
        .records()
        .iter()
        .map(|record| (subject(record), receive_count(record).to_owned()))
        .collect();
    seen.sort();
    let expected: Vec<(String, String)> = (0..3)
        .flat_map(|n| {
            [
                (format!("inv-{n}"), "1".to_owned()),
                (format!("inv-{n}"), "2".to_owned()),
            ]
        })
        .collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn an_unknown_item_identifier_fails_the_whole_batch() {
    let moto = Moto::start();
    let sqs = aws_sdk_sqs::Client::new(&moto.sdk_config().await);
    let queue = queue_spec("unknown-id", 1);
    let url = create_queue(&sqs, &queue.name, 1).await;
    send_bodies(&sqs, &url, &invoice_bodies(2)).await;
    let function = TestFunction::new(|event| {
        let first = event["Records"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|record| receive_count(record) == "1");
        if first {
            Answer::Ok(json!({"batchItemFailures": [{"itemIdentifier": "not-in-this-batch"}]}))
        } else {
            Answer::Ok(Value::Null)
        }
    });
    let running = start(
        &sqs,
        &url,
        &queue,
        source(&queue, 10, 0, true),
        Arc::clone(&function),
        SqsOptions::default(),
    );
    eventually(
        "both messages are delivered twice",
        Duration::from_secs(15),
        async || function.records().len() >= 4 && depth(&sqs, &url).await == 0,
    )
    .await;
    running.stop().await;
    assert_eq!(function.records().len(), 4);
}

#[tokio::test]
async fn function_errors_keep_messages_until_the_queues_redrive_moves_them() {
    let moto = Moto::start();
    let sqs = aws_sdk_sqs::Client::new(&moto.sdk_config().await);
    let dlq_url = create_queue(&sqs, "work-dlq", 30).await;
    let dlq_arn = format!("arn:aws:sqs:{REGION}:{ACCOUNT_ID}:work-dlq");
    let queue = queue_spec("work", 1);
    let url = sqs
        .create_queue()
        .queue_name(&queue.name)
        .attributes(QueueAttributeName::VisibilityTimeout, "1")
        .attributes(
            QueueAttributeName::RedrivePolicy,
            json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}).to_string(),
        )
        .send()
        .await
        .expect("a queue with redrive")
        .queue_url()
        .expect("a URL")
        .to_owned();
    send_bodies(&sqs, &url, &invoice_bodies(3)).await;
    let function = TestFunction::new(|_| Answer::Error);
    let running = start(
        &sqs,
        &url,
        &queue,
        source(&queue, 10, 0, true),
        Arc::clone(&function),
        SqsOptions::default(),
    );
    eventually(
        "the messages reach the dead-letter queue",
        Duration::from_secs(20),
        async || depth(&sqs, &dlq_url).await == 3 && depth(&sqs, &url).await == 0,
    )
    .await;
    running.stop().await;
    let mut seen: Vec<(String, String)> = function
        .records()
        .iter()
        .map(|record| (subject(record), receive_count(record).to_owned()))
        .collect();
    seen.sort();
    let expected: Vec<(String, String)> = (0..3)
        .flat_map(|n| {
            [
                (format!("inv-{n}"), "1".to_owned()),
                (format!("inv-{n}"), "2".to_owned()),
            ]
        })
        .collect();
    assert_eq!(
        seen, expected,
        "each message was tried maxReceiveCount times"
    );
}

#[tokio::test]
async fn batch_size_and_window_are_respected() {
    let moto = Moto::start();
    let sqs = aws_sdk_sqs::Client::new(&moto.sdk_config().await);
    let queue = queue_spec("bulk", 30);
    let url = create_queue(&sqs, &queue.name, 30).await;
    send_bodies(&sqs, &url, &invoice_bodies(25)).await;
    let function = TestFunction::new(|_| Answer::Ok(Value::Null));
    let running = start(
        &sqs,
        &url,
        &queue,
        source(&queue, 10, 1, false),
        Arc::clone(&function),
        SqsOptions::default(),
    );
    eventually(
        "every message is processed",
        Duration::from_secs(15),
        async || function.records().len() >= 25 && depth(&sqs, &url).await == 0,
    )
    .await;
    running.stop().await;
    let sizes: Vec<usize> = function
        .events()
        .iter()
        .map(|event| event["Records"].as_array().map_or(0, Vec::len))
        .collect();
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
    let moto = Moto::start();
    let sqs = aws_sdk_sqs::Client::new(&moto.sdk_config().await);
    let queue = queue_spec("large", 30);
    let url = create_queue(&sqs, &queue.name, 30).await;
    send_bodies(&sqs, &url, &invoice_bodies(25)).await;
    let function = TestFunction::new(|_| Answer::Ok(Value::Null));
    let running = start(
        &sqs,
        &url,
        &queue,
        source(&queue, 20, 2, false),
        Arc::clone(&function),
        SqsOptions { max_concurrency: 1 },
    );
    eventually(
        "every message is processed",
        Duration::from_secs(15),
        async || function.records().len() >= 25 && depth(&sqs, &url).await == 0,
    )
    .await;
    running.stop().await;
    let sizes: Vec<usize> = function
        .events()
        .iter()
        .map(|event| event["Records"].as_array().map_or(0, Vec::len))
        .collect();
    assert_eq!(sizes, [20, 5]);
}

#[tokio::test]
async fn the_event_has_the_shape_lambda_sends() {
    let moto = Moto::start();
    let sqs = aws_sdk_sqs::Client::new(&moto.sdk_config().await);
    let queue = queue_spec("shape", 30);
    let url = create_queue(&sqs, &queue.name, 30).await;
    sqs.send_message()
        .queue_url(&url)
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
    let function = TestFunction::new(|_| Answer::Ok(Value::Null));
    let running = start(
        &sqs,
        &url,
        &queue,
        source(&queue, 10, 0, false),
        Arc::clone(&function),
        SqsOptions::default(),
    );
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
    assert_eq!(record["eventSourceARN"], queue.arn.as_str());
    assert_eq!(record["awsRegion"], REGION);
    let event: aws_lambda_events::event::sqs::SqsEvent =
        serde_json::from_value(events[0].clone()).expect("the events crate reads it");
    assert_eq!(event.records[0].body.as_deref(), Some("plain body"));
}

#[tokio::test]
async fn shutdown_stops_the_pollers_and_disabled_mappings_do_not_poll() {
    let moto = Moto::start();
    let sqs = aws_sdk_sqs::Client::new(&moto.sdk_config().await);
    let queue = queue_spec("idle", 30);
    let url = create_queue(&sqs, &queue.name, 30).await;
    let function = TestFunction::new(|_| Answer::Ok(Value::Null));
    let running = start(
        &sqs,
        &url,
        &queue,
        source(&queue, 10, 0, false),
        Arc::clone(&function),
        SqsOptions::default(),
    );
    // The pollers are in a 20 s long poll by now; shutdown does not wait for it.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stopping = Instant::now();
    running.stop().await;
    assert!(stopping.elapsed() < Duration::from_secs(3));

    send_bodies(&sqs, &url, &invoice_bodies(1)).await;
    let mut disabled = source(&queue, 10, 0, false);
    disabled.enabled = false;
    let (_trigger, shutdown) = Shutdown::new();
    tokio::time::timeout(
        Duration::from_secs(2),
        run_sqs_mapping(
            sqs.clone(),
            url.clone(),
            queue.clone(),
            disabled,
            self::function(),
            Arc::clone(&function) as Arc<dyn Invoke>,
            Reporter::new(false),
            SqsOptions::default(),
            shutdown,
        ),
    )
    .await
    .expect("a disabled mapping returns at once");
    assert!(function.events().is_empty());
    assert_eq!(depth(&sqs, &url).await, 1, "the message was not touched");
}
