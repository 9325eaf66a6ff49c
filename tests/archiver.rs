//! The event-archiver against real parts: moto's server as SNS, SQS and S3, an archive queue
//! subscribed to the topic like the deployed one (raw delivery, no filter), and the function's
//! own handler fed the batches that queue really holds.

use event_archiver::ArchiveRecords;
use paperflow_aws::{S3DocumentStore, SnsEventPublisher};
use paperflow_events::{CloudEvent, Emailed, EventType};
use paperflow_pipeline::EventPublisher;
use paperflow_pipeline::archive::EventArchiver;
use paperflow_tests::consumers::{ARCHIVE_BUCKET, ArchiveStack};
use paperflow_tests::moto::Moto;
use paperflow_tests::stack::{TestStack, failed_ids, sqs_batch, sqs_event};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

const WAIT: Duration = Duration::from_secs(10);

fn records(sdk: &aws_config::SdkConfig) -> Arc<ArchiveRecords<S3DocumentStore>> {
    let store = S3DocumentStore::new(aws_sdk_s3::Client::new(sdk), ARCHIVE_BUCKET);
    Arc::new(ArchiveRecords::new(EventArchiver::new(store)))
}

fn emailed(id: &str, correlation: &str) -> CloudEvent {
    let event = CloudEvent::new(
        id,
        "paperflow/pdf-mailer",
        EventType::Emailed,
        "INV-ARCH-1",
        OffsetDateTime::now_utc(),
        Emailed {
            invoice_id: "INV-ARCH-1".into(),
            revision: 1,
            recipient: "ap@contoso.example".into(),
            message_id: "ses-1".into(),
        },
    )
    .with_correlation(correlation)
    .with_causation("ready-1");
    event.map_data(|data| serde_json::to_value(data).expect("JSON"))
}

#[tokio::test]
async fn each_event_is_archived_once_across_a_redelivered_batch_and_an_unparseable_one_is_kept() {
    let moto = Moto::start();
    let sdk = moto.sdk_config().await;
    let stack = TestStack::create(&sdk).await;
    let archive = ArchiveStack::create(&sdk, &[stack.document_events_arn.as_str()]).await;
    let publisher = SnsEventPublisher::new(
        aws_sdk_sns::Client::new(&sdk),
        stack.document_events_arn.as_str(),
    );
    let first = emailed("0193a5b0-0000-7000-8000-00000000a001", "corr-arch");
    let second = emailed("0193a5b0-0000-7000-8000-00000000a002", "corr-arch");
    publisher.publish(&first).await.expect("published");
    publisher.publish(&second).await.expect("published");
    stack
        .sns
        .publish()
        .topic_arn(&stack.document_events_arn)
        .message("this is not an event {")
        .send()
        .await
        .expect("published");

    let batch = archive.receive_batch(3, WAIT).await;
    assert_eq!(batch.records.len(), 3);
    let records = records(&sdk);
    // Delivered, then delivered again (a lost answer, a timeout): nothing is added.
    for _ in 0..2 {
        let response = event_archiver::handle(Arc::clone(&records), batch.clone())
            .await
            .expect("answered");
        assert!(response.batch_item_failures.is_empty());
    }

    let objects = archive.objects().await;
    assert_eq!(objects.len(), 3, "{objects:#?}");
    for record in &batch.records {
        let message_id = record.message_id.as_deref().expect("a message id");
        let sent_ms: i128 = record.attributes["SentTimestamp"]
            .parse()
            .expect("SentTimestamp");
        let date = OffsetDateTime::from_unix_timestamp_nanos(sent_ms * 1_000_000)
            .expect("a time")
            .date();
        let (key, body) = objects
            .iter()
            .find(|(key, _)| key.ends_with(&format!("/{message_id}.jsonl")))
            .unwrap_or_else(|| panic!("{message_id} is archived: {objects:#?}"));
        assert!(
            key.starts_with(&format!("events/date={date}/type=")),
            "partitioned by the day the queue received it: {key}"
        );
        assert_eq!(body.lines().count(), 1, "one JSON line: {body}");
        let line: Value = serde_json::from_str(body.trim_end()).expect("a JSON line");
        assert_eq!(line["message_id"], message_id);
        assert!(
            line["received"]
                .as_str()
                .is_some_and(|at| at.starts_with(&date.to_string()))
        );
        let body_text = record.body.as_deref().unwrap_or_default();
        if body_text.starts_with("this is not") {
            assert!(key.contains("/type=unparseable/"), "{key}");
            assert_eq!(line["raw"], "this is not an event {");
            assert_eq!(line["error"]["code"], "not_json");
        } else {
            assert!(key.contains("/type=invoice.emailed.v1/"), "{key}");
            let published: Value = serde_json::from_str(body_text).expect("raw delivery");
            assert_eq!(line["event"], published, "the event as published, whole");
            assert_eq!(line["event"]["correlationid"], "corr-arch");
        }
    }
}

#[tokio::test]
async fn an_sns_wrapped_delivery_is_archived_as_its_event() {
    let moto = Moto::start();
    let sdk = moto.sdk_config().await;
    let archive = ArchiveStack::create(&sdk, &[]).await;
    let batch = sqs_event("sqs-sns-wrapped-invoice-finalized.json");
    let response = event_archiver::handle(records(&sdk), batch)
        .await
        .expect("answered");
    assert!(response.batch_item_failures.is_empty());
    let objects = archive.objects().await;
    assert_eq!(objects.len(), 1);
    let (key, body) = &objects[0];
    assert!(key.contains("/type=invoice.finalized.v1/"), "{key}");
    let line: Value = serde_json::from_str(body.trim_end()).expect("JSON");
    assert_eq!(line["event"]["type"], "invoice.finalized.v1");
    assert_eq!(line["event"]["subject"], "INV-2026-000123");
    assert!(line.get("raw").is_none());
}

#[tokio::test]
async fn while_s3_is_down_every_record_is_left_for_redelivery() {
    let mut moto = Moto::start();
    let sdk = moto.sdk_config().await;
    let archive_records = records(&sdk);
    moto.stop();
    let event = emailed("0193a5b0-0000-7000-8000-00000000a003", "corr-down");
    let bodies = vec![
        serde_json::to_string(&event).expect("JSON"),
        "not an event".to_owned(),
    ];
    let response = event_archiver::handle(archive_records, sqs_batch(&bodies))
        .await
        .expect("answered");
    assert_eq!(failed_ids(&response), ["m0", "m1"]);
}
