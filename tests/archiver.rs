//! The event-archiver against real parts: moto's server as SNS, SQS and S3, an archive queue
//! subscribed to the topic like the deployed one (raw delivery, no filter), and the function's
//! own handler fed the batches that queue really holds.

use aws_lambda_events::event::sqs::SqsMessage;
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

    // One object per day and type the batch holds (the two events, the unparseable body),
    // each message once in it.
    let objects = archive.objects().await;
    let mut partitions: Vec<String> = batch.records.iter().map(partition_of).collect();
    partitions.sort();
    partitions.dedup();
    assert_eq!(objects.len(), partitions.len(), "{objects:#?}");
    for record in &batch.records {
        let message_id = record.message_id.as_deref().expect("a message id");
        let found = lines_of(&objects, message_id);
        assert_eq!(
            found.len(),
            1,
            "{message_id} is archived once: {objects:#?}"
        );
        let (key, line) = &found[0];
        assert!(
            key.starts_with(&format!("events/{}", partition_of(record))),
            "partitioned by the day the queue received it and the type: {key}"
        );
        let date = received_date(record);
        assert!(
            line["received"]
                .as_str()
                .is_some_and(|at| at.starts_with(&date.to_string()))
        );
        let body_text = record.body.as_deref().unwrap_or_default();
        if body_text.starts_with("this is not") {
            assert_eq!(line["raw"], "this is not an event {");
            assert_eq!(line["error"]["code"], "not_json");
        } else {
            let published: Value = serde_json::from_str(body_text).expect("raw delivery");
            assert_eq!(line["event"], published, "the event as published, whole");
            assert_eq!(line["event"]["correlationid"], "corr-arch");
        }
    }
}

/// The day the archive queue received `record` (its `SentTimestamp`).
fn received_date(record: &SqsMessage) -> time::Date {
    let sent_ms: i128 = record.attributes["SentTimestamp"]
        .parse()
        .expect("SentTimestamp");
    OffsetDateTime::from_unix_timestamp_nanos(sent_ms * 1_000_000)
        .expect("a time")
        .date()
}

/// `date=…/type=…/`, the partition `record` belongs in.
fn partition_of(record: &SqsMessage) -> String {
    let body = record.body.as_deref().unwrap_or_default();
    let kind = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|event| event["type"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "unparseable".to_owned());
    format!("date={}/type={kind}/", received_date(record))
}

/// The archived lines of `message_id`, with the key of the object each is in.
fn lines_of(objects: &[(String, String)], message_id: &str) -> Vec<(String, Value)> {
    objects
        .iter()
        .flat_map(|(key, body)| {
            body.lines().map(|line| {
                (
                    key.clone(),
                    serde_json::from_str::<Value>(line).expect("a JSON line"),
                )
            })
        })
        .filter(|(_, line)| line["message_id"] == message_id)
        .collect()
}

#[tokio::test]
async fn records_retried_after_a_refused_write_are_archived_once_in_the_batches_sqs_makes_of_them()
{
    let moto = Moto::start();
    let sdk = moto.sdk_config().await;
    let stack = TestStack::create(&sdk).await;
    let archive = ArchiveStack::create(&sdk, &[stack.document_events_arn.as_str()]).await;
    let publisher = SnsEventPublisher::new(
        aws_sdk_sns::Client::new(&sdk),
        stack.document_events_arn.as_str(),
    );
    for n in 1..=3 {
        let event = emailed(
            &format!("0193a5b0-0000-7000-8000-00000000b00{n}"),
            "corr-again",
        );
        publisher.publish(&event).await.expect("published");
    }
    let batch = archive.receive_batch(3, WAIT).await;
    assert_eq!(batch.records.len(), 3);

    // The first delivery meets a bucket that refuses (deleted, or a wrong name): every record
    // is left for redelivery, and nothing is written.
    let refused = Arc::new(ArchiveRecords::new(EventArchiver::new(
        S3DocumentStore::new(aws_sdk_s3::Client::new(&sdk), "paperflow-archive-gone"),
    )));
    let response = event_archiver::handle(refused, batch.clone())
        .await
        .expect("answered");
    let mut ids: Vec<String> = batch
        .records
        .iter()
        .filter_map(|record| record.message_id.clone())
        .collect();
    ids.sort();
    assert_eq!(failed_ids(&response), ids);
    assert!(archive.objects().await.is_empty());

    // SQS delivers the retried records again, in batches put together anew.
    let records = records(&sdk);
    let regrouped = [vec![2, 0], vec![1], vec![0, 2]];
    for indexes in regrouped {
        let mut again = batch.clone();
        again.records = indexes
            .iter()
            .map(|&index| batch.records[index].clone())
            .collect();
        let response = event_archiver::handle(Arc::clone(&records), again)
            .await
            .expect("answered");
        assert!(response.batch_item_failures.is_empty());
    }
    let objects = archive.objects().await;
    for id in &ids {
        assert_eq!(lines_of(&objects, id).len(), 1, "{id} once: {objects:#?}");
    }
    assert_eq!(objects.len(), 2, "[2, 0] written once, [1]: {objects:#?}");
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
