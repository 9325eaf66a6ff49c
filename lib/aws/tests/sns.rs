//! `SnsEventPublisher` against a real moto server: SNS → SQS with raw delivery and a filter.

use std::collections::HashMap;

use paperflow_aws::SnsEventPublisher;
use paperflow_events::CloudEvent;
use paperflow_pipeline::EventPublisher;
use paperflow_tests::moto::Moto;
use paperflow_tests::stack::{create_queue, create_topic, subscribe};

fn event(id: &str, event_type: &str) -> CloudEvent {
    CloudEvent {
        specversion: "1.0".to_owned(),
        id: id.to_owned(),
        source: "paperflow/pdf-generator".to_owned(),
        event_type: event_type.to_owned(),
        subject: Some("INV-2026-000123".to_owned()),
        time: "2026-11-26T14:05:42.500Z".to_owned(),
        datacontenttype: Some("application/json".to_owned()),
        correlationid: Some("req-42".to_owned()),
        causationid: Some("0193a5b0-7c1e-7d3a-9f10-2b8c4e5d6f70".to_owned()),
        data: serde_json::json!({
            "invoice_id": "INV-2026-000123",
            "revision": 1,
            "bucket": "paperflow-documents",
            "key": "invoices/INV-2026-000123/r1.pdf",
        }),
    }
}

/// A topic, and a queue subscribed to it with raw delivery and a filter on `type`.
async fn topic_and_queue(moto: &Moto, only_type: &str) -> (String, aws_sdk_sqs::Client, String) {
    let config = moto.sdk_config().await;
    let sns = aws_sdk_sns::Client::new(&config);
    let sqs = aws_sdk_sqs::Client::new(&config);
    let topic_arn = create_topic(&sns, "document-events").await;
    let queue_url = create_queue(&sqs, "mailer").await;
    let filter = serde_json::json!({ "type": [only_type] }).to_string();
    subscribe(&sns, &sqs, &topic_arn, &queue_url, Some(&filter)).await;
    (topic_arn, sqs, queue_url)
}

/// Every message waiting in the queue: (body, attributes).
async fn drain(
    sqs: &aws_sdk_sqs::Client,
    queue_url: &str,
) -> Vec<(String, HashMap<String, String>)> {
    let mut messages = Vec::new();
    loop {
        let output = sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .message_attribute_names("All")
            .wait_time_seconds(1)
            .send()
            .await
            .expect("receive works");
        let batch = output.messages();
        if batch.is_empty() {
            return messages;
        }
        for message in batch {
            let attributes = message
                .message_attributes()
                .map(|attributes| {
                    attributes
                        .iter()
                        .map(|(name, value)| {
                            assert_eq!(value.data_type(), "String", "attribute {name}");
                            (
                                name.clone(),
                                value.string_value().unwrap_or_default().to_owned(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            messages.push((message.body().unwrap_or_default().to_owned(), attributes));
            sqs.delete_message()
                .queue_url(queue_url)
                .receipt_handle(message.receipt_handle().unwrap_or_default())
                .send()
                .await
                .expect("delete works");
        }
    }
}

#[tokio::test]
async fn a_published_event_arrives_raw_with_its_attributes_and_the_filter_holds() {
    let moto = Moto::start();
    let (topic_arn, sqs, queue_url) = topic_and_queue(&moto, "invoice.pdf.ready.v1").await;
    let publisher = SnsEventPublisher::from_conf(&moto.sdk_config().await, &topic_arn);
    assert_eq!(publisher.topic_arn(), topic_arn);

    let ready = event(
        "0193a5b0-0000-7000-8000-000000000001",
        "invoice.pdf.ready.v1",
    );
    let failed = event(
        "0193a5b0-0000-7000-8000-000000000002",
        "invoice.pdf.failed.v1",
    );
    publisher
        .publish(&failed)
        .await
        .expect("failed is published");
    publisher.publish(&ready).await.expect("ready is published");

    let messages = drain(&sqs, &queue_url).await;
    assert_eq!(
        messages.len(),
        1,
        "only the ready event passes the filter: {messages:?}"
    );
    let (body, attributes) = &messages[0];
    let received: CloudEvent = serde_json::from_str(body).expect("the body is the event's JSON");
    assert_eq!(received, ready);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(body).expect("JSON"),
        serde_json::to_value(&ready).expect("JSON")
    );
    assert_eq!(
        attributes.get("type").map(String::as_str),
        Some("invoice.pdf.ready.v1")
    );
    assert_eq!(
        attributes.get("subject").map(String::as_str),
        Some("INV-2026-000123")
    );
    assert_eq!(
        attributes.get("correlationid").map(String::as_str),
        Some("req-42")
    );
}

#[tokio::test]
async fn publishing_to_a_missing_topic_is_a_permanent_error() {
    let moto = Moto::start();
    let publisher =
        SnsEventPublisher::from_conf(&moto.sdk_config().await, moto.topic_arn("no-such-topic"));
    let error = publisher
        .publish(&event("e1", "invoice.pdf.ready.v1"))
        .await
        .expect_err("no topic");
    assert_eq!(error.service, "sns");
    assert!(!error.retryable, "{error}");
    assert!(
        error.message.contains("NotFound") && error.message.contains("(misconfigured: the topic"),
        "{error}"
    );
    let failure = paperflow_pipeline::RecordFailure::from(error);
    assert_eq!(failure.kind, paperflow_pipeline::FailureKind::Misconfigured);
}
