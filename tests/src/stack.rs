//! The resources a system test needs, created in moto through the real AWS SDK: a documents
//! bucket, the document-events topic with a queue subscribed to it that plays the downstream
//! consumer (so a test can read every notice the functions announce), and the invoice-events
//! topic with the pdf-requests queue subscribed as in the deployed stack.

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
    /// The invoice-events topic (where producers and the invoice API publish).
    pub invoice_events_arn: String,
    /// The pdf-requests queue: subscribed to invoice-events with raw delivery and the filter
    /// policy of the deployed stack (`type` = `invoice.finalized.v1`).
    pub requests_url: String,
}

/// One message received from a queue: its body and its message attributes.
#[derive(Debug, Clone)]
pub struct Received {
    /// The body.
    pub body: String,
    /// The message attributes (string values), by name.
    pub attributes: std::collections::BTreeMap<String, String>,
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
        let document_events_arn = create_topic(&sns, "paperflow-document-events").await;
        let notices_url = create_queue(&sqs, "test-notices").await;
        subscribe(&sns, &sqs, &document_events_arn, &notices_url, None).await;
        let invoice_events_arn = create_topic(&sns, "paperflow-invoice-events").await;
        let requests_url = create_queue(&sqs, "paperflow-pdf-requests").await;
        subscribe(
            &sns,
            &sqs,
            &invoice_events_arn,
            &requests_url,
            Some(r#"{"type": ["invoice.finalized.v1"]}"#),
        )
        .await;
        TestStack {
            s3,
            sns,
            sqs,
            document_events_arn,
            notices_url,
            invoice_events_arn,
            requests_url,
        }
    }

    /// The messages of the pdf-requests queue so far, waiting until there are `expected` (or
    /// `timeout` passed); they are deleted as they are read.
    pub async fn requests(&self, expected: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        let mut messages = Vec::new();
        while messages.len() < expected && Instant::now() < deadline {
            let received = self
                .sqs
                .receive_message()
                .queue_url(&self.requests_url)
                .max_number_of_messages(10)
                .message_attribute_names("All")
                .wait_time_seconds(1)
                .send()
                .await
                .expect("messages are received");
            for message in received.messages() {
                let attributes = message
                    .message_attributes()
                    .map(|map| {
                        map.iter()
                            .filter_map(|(name, value)| {
                                Some((name.clone(), value.string_value()?.to_owned()))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                messages.push(Received {
                    body: message.body().unwrap_or_default().to_owned(),
                    attributes,
                });
                if let Some(handle) = message.receipt_handle() {
                    self.sqs
                        .delete_message()
                        .queue_url(&self.requests_url)
                        .receipt_handle(handle)
                        .send()
                        .await
                        .expect("the message is deleted");
                }
            }
        }
        messages
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

/// Creates the topic `name` and gives its ARN.
pub async fn create_topic(sns: &aws_sdk_sns::Client, name: &str) -> String {
    let topic = sns
        .create_topic()
        .name(name)
        .send()
        .await
        .expect("the topic is created");
    topic.topic_arn().expect("a topic ARN").to_owned()
}

/// Creates the queue `name` and gives its URL.
pub async fn create_queue(sqs: &aws_sdk_sqs::Client, name: &str) -> String {
    let queue = sqs
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .expect("the queue is created");
    queue.queue_url().expect("a queue URL").to_owned()
}

/// Subscribes the queue to the topic with raw delivery, and the filter policy if any.
pub async fn subscribe(
    sns: &aws_sdk_sns::Client,
    sqs: &aws_sdk_sqs::Client,
    topic_arn: &str,
    queue_url: &str,
    filter_policy: Option<&str>,
) {
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(queue_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("queue attributes");
    let queue_arn = attributes
        .attributes()
        .and_then(|map| map.get(&QueueAttributeName::QueueArn))
        .expect("a queue ARN")
        .clone();
    let mut request = sns
        .subscribe()
        .topic_arn(topic_arn)
        .protocol("sqs")
        .endpoint(queue_arn)
        .attributes("RawMessageDelivery", "true");
    if let Some(policy) = filter_policy {
        request = request.attributes("FilterPolicy", policy);
    }
    request.send().await.expect("the queue subscribes");
}

/// The message ids a batch response asks SQS to deliver again, sorted.
pub fn failed_ids(response: &aws_lambda_events::event::sqs::SqsBatchResponse) -> Vec<String> {
    let mut ids: Vec<String> = response
        .batch_item_failures
        .iter()
        .map(|failure| failure.item_identifier.clone())
        .collect();
    ids.sort();
    ids
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
