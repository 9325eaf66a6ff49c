//! The SNS trigger against a real moto server: the filter policy applied by the emulator, the
//! event's shape, asynchronous retries, the on-failure destination, and an unavailable runtime.
//! The function is a test double of the user's Lambda function.

mod common;

use aws_sdk_sns::types::MessageAttributeValue;
use common::{Answer, TestFunction, depth, eventually, function_spec};
use paperflow_local::progress::Reporter;
use paperflow_local::sns::{AsyncOptions, SnsMapping};
use paperflow_local::spec::{
    AsyncInvokeSpec, Destination, DestinationKind, FunctionSpec, SnsSourceSpec,
};
use paperflow_local::{Shutdown, TriggerContext};
use paperflow_tests::moto::{ACCOUNT_ID, Moto, REGION};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A topic, a failure queue, and the function's spec.
struct Setup {
    _moto: Moto,
    sns: aws_sdk_sns::Client,
    sqs: aws_sdk_sqs::Client,
    topic_arn: String,
    failures_url: String,
    function: FunctionSpec,
    source: SnsSourceSpec,
}

async fn setup(maximum_retry_attempts: u32) -> Setup {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let sns = aws_sdk_sns::Client::new(&config);
    let sqs = aws_sdk_sqs::Client::new(&config);
    let topic_arn = sns
        .create_topic()
        .name("invoice-events")
        .send()
        .await
        .expect("a topic")
        .topic_arn()
        .expect("a topic ARN")
        .to_owned();
    let failures_url = sqs
        .create_queue()
        .queue_name("notifier-failures")
        .send()
        .await
        .expect("a queue")
        .queue_url()
        .expect("a URL")
        .to_owned();
    let function = FunctionSpec {
        async_invoke: AsyncInvokeSpec {
            maximum_retry_attempts,
            maximum_event_age_s: 21_600,
            on_failure: Some(Destination {
                kind: DestinationKind::Sqs,
                arn: format!("arn:aws:sqs:{REGION}:{ACCOUNT_ID}:notifier-failures"),
            }),
        },
        ..function_spec("Notifier", "notifier")
    };
    let source = SnsSourceSpec {
        event_id: "InvoiceEvents".to_owned(),
        topic_arn: topic_arn.clone(),
        filter_policy: Some(json!({"type": ["invoice.finalized.v1"]})),
        filter_policy_scope: None,
    };
    Setup {
        _moto: moto,
        sns,
        sqs,
        topic_arn,
        failures_url,
        function,
        source,
    }
}

fn options() -> AsyncOptions {
    AsyncOptions {
        retry_delays: vec![Duration::from_millis(200), Duration::from_millis(400)],
        max_in_flight: 10,
        unavailable_delay: Duration::from_secs(1),
    }
}

/// A running trigger and the means to stop it.
struct Running {
    trigger: paperflow_local::ShutdownTrigger,
    task: tokio::task::JoinHandle<()>,
    subscription_arn: String,
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
}

impl Running {
    /// Waits until the trigger's internal queue holds nothing, visible or in flight.
    async fn internal_queue_empties(&self) {
        eventually(
            "the internal queue is empty",
            Duration::from_secs(5),
            async || depth(&self.sqs, &self.queue_url).await == 0,
        )
        .await;
    }

    async fn stop(self) {
        self.trigger.trigger();
        tokio::time::timeout(Duration::from_secs(5), self.task)
            .await
            .expect("the trigger stops promptly after shutdown")
            .expect("the trigger task ends cleanly");
    }
}

/// Subscribes the function's internal queue to the topic and runs the trigger with [`options`].
async fn start(setup: &Setup, function: &Arc<TestFunction>) -> Running {
    let mapping = SnsMapping::subscribe(
        setup.sns.clone(),
        setup.sqs.clone(),
        setup.source.clone(),
        setup.function.clone(),
    )
    .await
    .expect("the internal queue subscribes");
    assert_eq!(mapping.queue_name(), "notifier-InvoiceEvents-sns-local");
    let subscription_arn = mapping.subscription_arn().to_owned();
    let queue_url = mapping.queue_url().to_owned();
    let (trigger, shutdown) = Shutdown::new();
    let context = TriggerContext {
        invoker: function.clone(),
        reporter: Reporter::new(false),
        shutdown,
    };
    let task = tokio::spawn(mapping.run(context, options()));
    Running {
        trigger,
        task,
        subscription_arn,
        sqs: setup.sqs.clone(),
        queue_url,
    }
}

async fn publish(setup: &Setup, event_type: &str, subject: &str) {
    setup
        .sns
        .publish()
        .topic_arn(&setup.topic_arn)
        .subject("Greetings")
        .message(json!({"type": event_type, "subject": subject}).to_string())
        .message_attributes(
            "type",
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value(event_type)
                .build()
                .expect("an attribute"),
        )
        .send()
        .await
        .expect("a publication");
}

#[tokio::test]
async fn the_filter_policy_applies_and_the_event_has_lambdas_shape() {
    let setup = setup(2).await;
    let function = TestFunction::by_call("notifier", |_| Answer::Ok(Value::Null));
    let running = start(&setup, &function).await;
    publish(&setup, "invoice.voided.v1", "inv-filtered").await;
    publish(&setup, "invoice.finalized.v1", "inv-1").await;
    eventually(
        "the matching event arrives",
        Duration::from_secs(10),
        async || !function.events().is_empty(),
    )
    .await;
    // moto fans a publication out inside Publish: the filtered one was queued (or not) before
    // the matching one. The trigger deletes a message only once its invocation has ended, so an
    // empty internal queue means every delivered publication has been invoked: if the filter
    // had let the first one through, it would be among the events now.
    running.internal_queue_empties().await;
    let subscription_arn = running.subscription_arn.clone();
    let stopping = Instant::now();
    running.stop().await;
    assert!(
        stopping.elapsed() < Duration::from_secs(3),
        "shutdown ends the long poll"
    );

    let events = function.events();
    assert_eq!(
        events.len(),
        1,
        "the filtered publication never invoked: {events:?}"
    );
    let record = &events[0]["Records"][0];
    assert_eq!(record["EventSource"], "aws:sns");
    assert_eq!(record["EventVersion"], "1.0");
    assert_eq!(record["EventSubscriptionArn"], subscription_arn.as_str());
    let sns = &record["Sns"];
    assert_eq!(sns["Type"], "Notification");
    assert_eq!(sns["TopicArn"], setup.topic_arn.as_str());
    assert_eq!(sns["Subject"], "Greetings");
    assert_eq!(
        serde_json::from_str::<Value>(sns["Message"].as_str().unwrap_or_default())
            .expect("the published JSON"),
        json!({"type": "invoice.finalized.v1", "subject": "inv-1"})
    );
    assert_eq!(
        sns["MessageAttributes"],
        json!({"type": {"Type": "String", "Value": "invoice.finalized.v1"}})
    );
    for field in ["MessageId", "Timestamp", "SignatureVersion", "Signature"] {
        assert!(
            sns[field].as_str().is_some_and(|value| !value.is_empty()),
            "{field}: {sns}"
        );
    }
    assert!(
        sns["SigningCertUrl"]
            .as_str()
            .is_some_and(|url| url.starts_with("https://"))
    );
    assert!(
        sns["UnsubscribeUrl"]
            .as_str()
            .is_some_and(|url| url.starts_with("https://"))
    );
    assert!(sns.get("SigningCertURL").is_none() && sns.get("UnsubscribeURL").is_none());
    let parsed: aws_lambda_events::event::sns::SnsEvent =
        serde_json::from_value(events[0].clone()).expect("the events crate reads it");
    assert_eq!(parsed.records[0].sns.subject.as_deref(), Some("Greetings"));
}

#[tokio::test]
async fn two_failures_then_success_is_three_attempts_and_no_destination() {
    let setup = setup(2).await;
    let function = TestFunction::by_call("notifier", |call| {
        if call < 3 {
            Answer::Error
        } else {
            Answer::Ok(Value::Null)
        }
    });
    let running = start(&setup, &function).await;
    publish(&setup, "invoice.finalized.v1", "inv-2").await;
    eventually("the third attempt", Duration::from_secs(10), async || {
        function.events().len() >= 3
    })
    .await;
    // The message leaves the internal queue once its handling is settled: no attempt and no
    // destination record can follow.
    running.internal_queue_empties().await;
    running.stop().await;
    let events = function.events();
    assert_eq!(events.len(), 3);
    assert!(
        events.iter().all(|event| *event == events[0]),
        "the same event each time"
    );
    assert_eq!(
        depth(&setup.sqs, &setup.failures_url).await,
        0,
        "no destination record"
    );
}

#[tokio::test]
async fn exhausted_retries_send_one_record_to_the_failure_destination() {
    let setup = setup(2).await;
    let function = TestFunction::by_call("notifier", |call| {
        if call == 2 {
            Answer::Timeout(Duration::from_secs(3))
        } else {
            Answer::Error
        }
    });
    let running = start(&setup, &function).await;
    publish(&setup, "invoice.finalized.v1", "inv-3").await;
    eventually(
        "a destination record",
        Duration::from_secs(10),
        async || depth(&setup.sqs, &setup.failures_url).await >= 1,
    )
    .await;
    // The destination record is sent before the message leaves the internal queue: once it
    // is empty, the handling is settled and no further attempt or record can follow.
    running.internal_queue_empties().await;
    running.stop().await;
    let events = function.events();
    assert_eq!(events.len(), 3, "1 attempt + 2 retries");
    let received = setup
        .sqs
        .receive_message()
        .queue_url(&setup.failures_url)
        .max_number_of_messages(10)
        .send()
        .await
        .expect("the failure queue");
    let messages = received.messages();
    assert_eq!(messages.len(), 1, "exactly one destination record");
    let record: Value =
        serde_json::from_str(messages[0].body().unwrap_or_default()).expect("a JSON record");
    assert_eq!(record["version"], "1.0");
    assert!(
        record["timestamp"]
            .as_str()
            .is_some_and(|at| at.ends_with('Z'))
    );
    assert_eq!(record["requestContext"]["condition"], "RetriesExhausted");
    assert_eq!(record["requestContext"]["approximateInvokeCount"], 3);
    assert_eq!(
        record["requestContext"]["functionArn"],
        format!("{}:$LATEST", setup.function.arn).as_str()
    );
    assert!(
        record["requestContext"]["requestId"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    assert_eq!(record["requestPayload"], events[0], "the original event");
    assert_eq!(
        record["responseContext"],
        json!({"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"})
    );
    assert_eq!(
        record["responsePayload"],
        json!({"errorType": "Error", "errorMessage": "boom"}),
        "the last attempt's error document"
    );
}

#[tokio::test]
async fn an_unavailable_runtime_is_not_an_attempt() {
    // No retries at all: if the unavailable call counted, the event would go to the destination.
    let setup = setup(0).await;
    let function = TestFunction::by_call("notifier", |call| {
        if call == 1 {
            Answer::Unavailable
        } else {
            Answer::Ok(Value::Null)
        }
    });
    let running = start(&setup, &function).await;
    publish(&setup, "invoice.finalized.v1", "inv-4").await;
    eventually(
        "the event is tried again",
        Duration::from_secs(10),
        async || function.events().len() >= 2,
    )
    .await;
    running.internal_queue_empties().await;
    running.stop().await;
    assert_eq!(function.events().len(), 2);
    assert_eq!(depth(&setup.sqs, &setup.failures_url).await, 0);
}
