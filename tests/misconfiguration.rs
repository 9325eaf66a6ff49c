//! A deployment that is wrong, against real parts (moto's S3, SNS and SQS): a bucket that does
//! not exist is a misconfiguration, and the record that met it goes to its queue's
//! dead-letter queue at the first receive, whole (body and attributes), instead of burning
//! maxReceiveCount redeliveries. When the dead-letter queue does not take it either, the record
//! is left for redelivery: nothing is lost.

use aws_lambda_events::event::sqs::SqsEvent;
use aws_sdk_sqs::types::MessageAttributeValue;
use event_archiver::ArchiveRecords;
use paperflow_aws::{S3DocumentStore, SnsEventPublisher, SqsDeadLetterQueue};
use paperflow_pipeline::PdfGenerator;
use paperflow_pipeline::archive::EventArchiver;
use paperflow_render::RenderOptions;
use paperflow_tests::moto::Moto;
use paperflow_tests::stack::{TestStack, create_queue, failed_ids, finalized_event};
use pdf_generator::PdfRequests;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

/// One message as it was received: body and text attributes.
#[derive(Debug, PartialEq, Eq)]
struct Message {
    body: String,
    attributes: BTreeMap<String, String>,
}

/// Receives up to `expected` messages of `queue_url` (the first receive of each), and the SQS
/// event Lambda's mapping would make of them, attributes and all.
async fn receive(
    sqs: &aws_sdk_sqs::Client,
    queue_url: &str,
    expected: usize,
) -> (Vec<Message>, SqsEvent) {
    let deadline = std::time::Instant::now() + WAIT;
    let (mut messages, mut records) = (Vec::new(), Vec::new());
    while messages.len() < expected && std::time::Instant::now() < deadline {
        let received = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .message_attribute_names("All")
            .wait_time_seconds(1)
            .visibility_timeout(300)
            .send()
            .await
            .expect("messages are received");
        for message in received.messages() {
            let attributes: BTreeMap<String, String> = message
                .message_attributes()
                .into_iter()
                .flatten()
                .filter_map(|(name, value)| Some((name.clone(), value.string_value()?.to_owned())))
                .collect();
            let lambda_attributes: Map<String, Value> = message
                .message_attributes()
                .into_iter()
                .flatten()
                .map(|(name, value)| {
                    (
                        name.clone(),
                        json!({
                            "dataType": value.data_type(),
                            "stringValue": value.string_value(),
                            "stringListValues": [],
                            "binaryListValues": [],
                        }),
                    )
                })
                .collect();
            records.push(json!({
                "messageId": message.message_id().unwrap_or_default(),
                "receiptHandle": message.receipt_handle().unwrap_or_default(),
                "body": message.body().unwrap_or_default(),
                "attributes": { "ApproximateReceiveCount": "1" },
                "messageAttributes": lambda_attributes,
                "eventSource": "aws:sqs",
            }));
            messages.push(Message {
                body: message.body().unwrap_or_default().to_owned(),
                attributes,
            });
        }
    }
    let event = serde_json::from_value(json!({ "Records": records })).expect("an SQS event");
    (messages, event)
}

/// Publishes an `invoice.finalized.v1` to invoice-events, which delivers it raw to the
/// pdf-requests queue with its `type`, `subject` and `correlationid` attributes.
async fn publish_finalized(stack: &TestStack) {
    let mut document: Value =
        serde_json::from_slice(&paperflow_tests::sample("invoice-small.json")).expect("JSON");
    document["invoice_id"] = json!("INV-MISCONF-1");
    let attribute = |value: &str| {
        aws_sdk_sns::types::MessageAttributeValue::builder()
            .data_type("String")
            .string_value(value)
            .build()
            .expect("an attribute")
    };
    stack
        .sns
        .publish()
        .topic_arn(&stack.invoice_events_arn)
        .message(finalized_event(
            "test/producer",
            "0193a5b0-0000-7000-8000-0000000c0f01",
            &document,
        ))
        .message_attributes("type", attribute("invoice.finalized.v1"))
        .message_attributes("subject", attribute("INV-MISCONF-1"))
        .message_attributes("correlationid", attribute("corr-misconf"))
        .send()
        .await
        .expect("published");
}

fn generator_without_its_bucket(
    sdk: &aws_config::SdkConfig,
    stack: &TestStack,
    dead_letter_queue_url: &str,
) -> Arc<PdfRequests<S3DocumentStore, SnsEventPublisher, SqsDeadLetterQueue>> {
    let store = S3DocumentStore::new(aws_sdk_s3::Client::new(sdk), "no-such-bucket");
    let publisher = SnsEventPublisher::new(
        aws_sdk_sns::Client::new(sdk),
        stack.document_events_arn.as_str(),
    );
    let fonts = Arc::new(paperflow_bundled_fonts::font_set().expect("bundled fonts"));
    let generator = PdfGenerator::new(store, publisher, fonts, RenderOptions::default());
    Arc::new(
        PdfRequests::new(generator)
            .with_dead_letter_queue(SqsDeadLetterQueue::from_conf(sdk, dead_letter_queue_url)),
    )
}

#[tokio::test]
async fn a_missing_bucket_sends_the_request_to_the_dlq_at_its_first_receive_whole() {
    let moto = Moto::start();
    let sdk = moto.sdk_config().await;
    let stack = TestStack::create(&sdk).await;
    let dlq_url = create_queue(&stack.sqs, "paperflow-pdf-requests-dlq").await;
    publish_finalized(&stack).await;
    let (delivered, batch) = receive(&stack.sqs, &stack.requests_url, 1).await;
    assert_eq!(delivered.len(), 1);

    let requests = generator_without_its_bucket(&sdk, &stack, &dlq_url);
    let response = pdf_generator::handle(requests, batch)
        .await
        .expect("the batch is answered");
    assert!(
        response.batch_item_failures.is_empty(),
        "acknowledged: it is in the DLQ, not coming back {} more times",
        5
    );

    let (dead, _) = receive(&stack.sqs, &dlq_url, 1).await;
    assert_eq!(dead.len(), 1, "the record is in the DLQ");
    assert_eq!(dead[0].body, delivered[0].body, "byte for byte");
    let mut expected = delivered[0].attributes.clone();
    expected.insert("paperflow-failure".into(), "s3_misconfigured".into());
    assert_eq!(dead[0].attributes, expected);
    assert_eq!(
        expected.get("type").map(String::as_str),
        Some("invoice.finalized.v1")
    );
}

#[tokio::test]
async fn a_dlq_that_does_not_take_the_record_leaves_it_for_redelivery() {
    let moto = Moto::start();
    let sdk = moto.sdk_config().await;
    let stack = TestStack::create(&sdk).await;
    publish_finalized(&stack).await;
    let (_, batch) = receive(&stack.sqs, &stack.requests_url, 1).await;
    let message_id = batch.records[0].message_id.clone().expect("a message id");
    let missing_dlq = format!("{}-dlq-that-is-not-there", stack.requests_url);
    let requests = generator_without_its_bucket(&sdk, &stack, &missing_dlq);
    let response = pdf_generator::handle(requests, batch)
        .await
        .expect("the batch is answered");
    assert_eq!(failed_ids(&response), [message_id]);
}

#[tokio::test]
async fn a_missing_archive_bucket_sends_the_event_to_the_archive_dlq() {
    let moto = Moto::start();
    let sdk = moto.sdk_config().await;
    let stack = TestStack::create(&sdk).await;
    let dlq_url = create_queue(&stack.sqs, "paperflow-archive-dlq").await;
    stack
        .sqs
        .send_message()
        .queue_url(&stack.requests_url)
        .message_body("an event the archive cannot keep")
        .message_attributes(
            "type",
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value("invoice.emailed.v1")
                .build()
                .expect("an attribute"),
        )
        .send()
        .await
        .expect("sent");
    let (delivered, batch) = receive(&stack.sqs, &stack.requests_url, 1).await;
    let store = S3DocumentStore::new(aws_sdk_s3::Client::new(&sdk), "no-such-archive");
    let records = Arc::new(
        ArchiveRecords::new(EventArchiver::new(store))
            .with_dead_letter_queue(SqsDeadLetterQueue::from_conf(&sdk, &dlq_url)),
    );
    let response = event_archiver::handle(records, batch)
        .await
        .expect("answered");
    assert!(response.batch_item_failures.is_empty());
    let (dead, _) = receive(&stack.sqs, &dlq_url, 1).await;
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].body, delivered[0].body);
    assert_eq!(
        dead[0]
            .attributes
            .get("paperflow-failure")
            .map(String::as_str),
        Some("s3_misconfigured")
    );
}
