//! The resources a system test needs, created in moto through the real AWS SDK: a documents
//! bucket, the document-events topic, and a queue subscribed to it that plays the downstream
//! consumer, so a test can read every notice the functions announce.

use aws_config::SdkConfig;
use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::Value;
use std::time::{Duration, Instant};

/// The documents bucket's name in tests.
pub const DOCUMENTS_BUCKET: &str = "paperflow-documents";

/// A bucket, a topic and a listening queue in moto.
pub struct TestStack {
    /// Clients for S3.
    pub s3: aws_sdk_s3::Client,
    /// Clients for SNS.
    pub sns: aws_sdk_sns::Client,
    /// Clients for SQS.
    pub sqs: aws_sdk_sqs::Client,
    /// The document-events topic.
    pub document_events_arn: String,
    /// A queue subscribed to document-events with raw delivery: the notices arrive here.
    pub notices_url: String,
}

impl TestStack {
    /// Creates the resources (again: it is safe to call after moto restarted empty).
    pub async fn create(sdk: &SdkConfig) -> TestStack {
        let s3 = aws_sdk_s3::Client::new(sdk);
        let sns = aws_sdk_sns::Client::new(sdk);
        let sqs = aws_sdk_sqs::Client::new(sdk);
        s3.create_bucket()
            .bucket(DOCUMENTS_BUCKET)
            .send()
            .await
            .expect("the bucket is created");
        let topic = sns
            .create_topic()
            .name("paperflow-document-events")
            .send()
            .await
            .expect("the topic is created");
        let document_events_arn = topic.topic_arn().expect("a topic ARN").to_owned();
        let queue = sqs
            .create_queue()
            .queue_name("test-notices")
            .send()
            .await
            .expect("the queue is created");
        let notices_url = queue.queue_url().expect("a queue URL").to_owned();
        let attributes = sqs
            .get_queue_attributes()
            .queue_url(&notices_url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .expect("queue attributes");
        let queue_arn = attributes
            .attributes()
            .and_then(|map| map.get(&QueueAttributeName::QueueArn))
            .expect("a queue ARN")
            .clone();
        sns.subscribe()
            .topic_arn(&document_events_arn)
            .protocol("sqs")
            .endpoint(queue_arn)
            .attributes("RawMessageDelivery", "true")
            .send()
            .await
            .expect("the queue subscribes");
        TestStack {
            s3,
            sns,
            sqs,
            document_events_arn,
            notices_url,
        }
    }

    /// The notices received so far, waiting until there are `expected` (or `timeout` passed).
    pub async fn notices(&self, expected: usize, timeout: Duration) -> Vec<Value> {
        let deadline = Instant::now() + timeout;
        let mut notices = Vec::new();
        while notices.len() < expected && Instant::now() < deadline {
            let received = self
                .sqs
                .receive_message()
                .queue_url(&self.notices_url)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .send()
                .await
                .expect("messages are received");
            for message in received.messages() {
                let body = message.body().unwrap_or_default();
                notices.push(serde_json::from_str(body).expect("a notice is JSON"));
                if let Some(handle) = message.receipt_handle() {
                    self.sqs
                        .delete_message()
                        .queue_url(&self.notices_url)
                        .receipt_handle(handle)
                        .send()
                        .await
                        .expect("the message is deleted");
                }
            }
        }
        notices
    }

    /// The body of a stored object, or `None`.
    pub async fn object(&self, key: &str) -> Option<Vec<u8>> {
        let object = self
            .s3
            .get_object()
            .bucket(DOCUMENTS_BUCKET)
            .key(key)
            .send()
            .await
            .ok()?;
        Some(object.body.collect().await.ok()?.into_bytes().to_vec())
    }

    /// Every key in the documents bucket, sorted.
    pub async fn keys(&self) -> Vec<String> {
        let listed = self
            .s3
            .list_objects_v2()
            .bucket(DOCUMENTS_BUCKET)
            .send()
            .await
            .expect("the bucket is listed");
        let mut keys: Vec<String> = listed
            .contents()
            .iter()
            .filter_map(|object| object.key().map(str::to_owned))
            .collect();
        keys.sort();
        keys
    }
}

/// An SQS trigger event from `events/<name>` in the repository.
pub fn sqs_event(name: &str) -> aws_lambda_events::event::sqs::SqsEvent {
    let bytes =
        std::fs::read(crate::repo_root().join("events").join(name)).expect("the event file");
    serde_json::from_slice(&bytes).expect("an SQS event")
}

/// An SQS trigger event whose records carry `bodies`, with message ids `m0`, `m1`, …
pub fn sqs_batch(bodies: &[String]) -> aws_lambda_events::event::sqs::SqsEvent {
    let records: Vec<Value> = bodies
        .iter()
        .enumerate()
        .map(|(index, body)| {
            serde_json::json!({
                "messageId": format!("m{index}"),
                "receiptHandle": format!("handle-{index}"),
                "body": body,
                "attributes": {},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:paperflow-pdf-requests",
                "awsRegion": "us-east-1"
            })
        })
        .collect();
    serde_json::from_value(serde_json::json!({ "Records": records })).expect("an SQS event")
}

/// The body of an `invoice.finalized.v1` event from `source` carrying `data`, with the
/// correlation id `corr-<event_id>`, as a producer would publish it.
pub fn finalized_event(source: &str, event_id: &str, data: &Value) -> String {
    let subject = data["invoice_id"].as_str().unwrap_or_default().to_owned();
    let time = time::macros::datetime!(2026-11-26 14:05:41.123 UTC);
    let event = paperflow_events::CloudEvent::new(
        event_id,
        source,
        paperflow_events::EventType::InvoiceFinalized,
        subject,
        time,
        data,
    )
    .with_correlation(format!("corr-{event_id}"));
    serde_json::to_string(&event).expect("an event serialises")
}
