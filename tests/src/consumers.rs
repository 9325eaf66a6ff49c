//! What the tests of the downstream consumers (pdf-mailer, event-archiver, `paperflow trace`)
//! share: a verified SES sender, the archive bucket and a queue subscribed like the deployed
//! archive queue, Lambda trigger events built the way Lambda builds them, and moto's own view
//! of the e-mails it accepted.

use crate::moto::{Moto, http_get};
use crate::stack::{create_queue, subscribe};
use aws_config::SdkConfig;
use aws_lambda_events::event::sns::SnsEvent;
use aws_lambda_events::event::sqs::SqsEvent;
use aws_sdk_sqs::types::MessageSystemAttributeName;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// The archive bucket's name in tests.
pub const ARCHIVE_BUCKET: &str = "paperflow-archive";

/// The sender address the tests verify in SES.
pub const SENDER_ADDRESS: &str = "billing@paperflow.example";

/// `MAIL_FROM` in tests: a display name and the verified address.
pub const MAIL_FROM: &str = "Paperflow Billing <billing@paperflow.example>";

/// Verifies `address` as an SES sender identity, as an operator does once per account (moto
/// refuses to send from an unverified address, like SES).
pub async fn verify_sender(sdk: &SdkConfig, address: &str) {
    aws_sdk_sesv2::Client::new(sdk)
        .create_email_identity()
        .email_identity(address)
        .send()
        .await
        .expect("the sender identity is created");
}

/// An e-mail as moto's SES accepted it.
#[derive(Debug, Clone)]
pub struct SentEmail {
    /// SES's message id.
    pub id: String,
    /// The sender as given to SendEmail.
    pub source: String,
    /// The recipients.
    pub destinations: Vec<String>,
    /// The MIME message.
    pub raw: String,
}

/// Every e-mail moto's SES accepted so far, read through moto's own inspection API
/// (`GET /moto-api/data.json`, the `RawMessage` models of its SES backend, which SES v2
/// shares).
pub fn sent_emails(moto: &Moto) -> Vec<SentEmail> {
    let reply =
        http_get(&format!("{}/moto-api/data.json", moto.endpoint())).expect("moto's data answers");
    assert_eq!(reply.status, 200, "GET /moto-api/data.json");
    let data: Value = serde_json::from_slice(&reply.body).expect("moto's data is JSON");
    data["ses"]["RawMessage"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|message| SentEmail {
            id: message["id"].as_str().unwrap_or_default().to_owned(),
            source: message["source"].as_str().unwrap_or_default().to_owned(),
            destinations: message["destinations"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|address| address.as_str().map(str::to_owned))
                .collect(),
            raw: message["raw_data"].as_str().unwrap_or_default().to_owned(),
        })
        .collect()
}

/// The SNS trigger event Lambda hands a function subscribed to a topic: one record whose
/// `Message` is `message`.
pub fn sns_event(message: &str, sns_message_id: &str) -> SnsEvent {
    serde_json::from_value(json!({
        "Records": [{
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": "arn:aws:sns:us-east-1:123456789012:paperflow-document-events:5f1c0a3e-0000-4000-8000-000000000001",
            "Sns": {
                "Type": "Notification",
                "MessageId": sns_message_id,
                "TopicArn": "arn:aws:sns:us-east-1:123456789012:paperflow-document-events",
                "Subject": null,
                "Message": message,
                "Timestamp": "2026-11-26T14:05:42.500Z",
                "SignatureVersion": "1",
                "Signature": "EXAMPLE",
                "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
                "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
                "MessageAttributes": {}
            }
        }]
    }))
    .expect("an SNS event")
}

/// The archive as deployed: a bucket, and a queue subscribed with raw delivery and no filter
/// to every topic given.
pub struct ArchiveStack {
    /// S3.
    pub s3: aws_sdk_s3::Client,
    /// SQS.
    pub sqs: aws_sdk_sqs::Client,
    /// The archive queue.
    pub queue_url: String,
}

impl ArchiveStack {
    /// Creates the bucket and the queue, and subscribes the queue to `topic_arns`.
    pub async fn create(sdk: &SdkConfig, topic_arns: &[&str]) -> ArchiveStack {
        let s3 = aws_sdk_s3::Client::new(sdk);
        let sqs = aws_sdk_sqs::Client::new(sdk);
        let sns = aws_sdk_sns::Client::new(sdk);
        s3.create_bucket()
            .bucket(ARCHIVE_BUCKET)
            .send()
            .await
            .expect("the archive bucket is created");
        let queue_url = create_queue(&sqs, "paperflow-archive").await;
        for topic_arn in topic_arns {
            subscribe(&sns, &sqs, topic_arn, &queue_url, None).await;
        }
        ArchiveStack { s3, sqs, queue_url }
    }

    /// The next `expected` messages of the archive queue (or as many as arrived within
    /// `timeout`) as the SQS batch Lambda's event source mapping would hand the archiver:
    /// real message ids, bodies and `SentTimestamp`s. The messages are not deleted: what
    /// the batch's answer does with them is the mapping's business, not this kit's.
    pub async fn receive_batch(&self, expected: usize, timeout: Duration) -> SqsEvent {
        let deadline = Instant::now() + timeout;
        let mut records = Vec::new();
        while records.len() < expected && Instant::now() < deadline {
            let received = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                // Hidden long enough that a test sees each message once.
                .visibility_timeout(300)
                .message_system_attribute_names(MessageSystemAttributeName::SentTimestamp)
                .send()
                .await
                .expect("messages are received");
            for message in received.messages() {
                let sent = message
                    .attributes()
                    .and_then(|map| map.get(&MessageSystemAttributeName::SentTimestamp))
                    .cloned()
                    .unwrap_or_default();
                records.push(json!({
                    "messageId": message.message_id().unwrap_or_default(),
                    "receiptHandle": message.receipt_handle().unwrap_or_default(),
                    "body": message.body().unwrap_or_default(),
                    "attributes": { "SentTimestamp": sent, "ApproximateReceiveCount": "1" },
                    "messageAttributes": {},
                    "eventSource": "aws:sqs",
                    "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:paperflow-archive",
                    "awsRegion": "us-east-1"
                }));
            }
        }
        serde_json::from_value(json!({ "Records": records })).expect("an SQS event")
    }

    /// Every object of the archive bucket: (key, body), in key order.
    pub async fn objects(&self) -> Vec<(String, String)> {
        let listed = self
            .s3
            .list_objects_v2()
            .bucket(ARCHIVE_BUCKET)
            .send()
            .await
            .expect("the archive is listed");
        let mut objects = Vec::new();
        for object in listed.contents() {
            let key = object.key().unwrap_or_default().to_owned();
            let body = self
                .s3
                .get_object()
                .bucket(ARCHIVE_BUCKET)
                .key(&key)
                .send()
                .await
                .expect("an archived object is read")
                .body
                .collect()
                .await
                .expect("its body")
                .into_bytes();
            objects.push((key, String::from_utf8_lossy(&body).into_owned()));
        }
        objects.sort();
        objects
    }
}
