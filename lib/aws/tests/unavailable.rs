//! When AWS cannot be reached, the adapters say "transient": the message is retried later.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_config::SdkConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use paperflow_aws::{S3DocumentStore, SnsEventPublisher};
use paperflow_events::CloudEvent;
use paperflow_pipeline::{DocumentStore, EventPublisher, NewObject, PutOutcome};
use paperflow_tests::moto::Moto;

const BUCKET: &str = "paperflow-documents";

/// The test's SDK configuration: few attempts and short timeouts, so that "down" is quick.
async fn impatient(moto: &Moto) -> SdkConfig {
    moto.config_loader()
        .retry_config(RetryConfig::standard().with_max_attempts(2))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(2))
                .operation_timeout(Duration::from_secs(10))
                .build(),
        )
        .load()
        .await
}

fn object() -> NewObject {
    NewObject {
        key: "invoices/INV-1/r1.pdf".to_owned(),
        body: b"%PDF".to_vec(),
        content_type: "application/pdf".to_owned(),
        metadata: BTreeMap::new(),
    }
}

fn event() -> CloudEvent {
    CloudEvent {
        specversion: "1.0".to_owned(),
        id: "0193a5b0-0000-7000-8000-000000000001".to_owned(),
        source: "paperflow/pdf-generator".to_owned(),
        event_type: "invoice.pdf.ready.v1".to_owned(),
        subject: Some("INV-1".to_owned()),
        time: "2026-11-26T14:05:42.500Z".to_owned(),
        datacontenttype: Some("application/json".to_owned()),
        correlationid: None,
        causationid: None,
        data: serde_json::json!({ "invoice_id": "INV-1" }),
    }
}

#[tokio::test]
async fn s3_down_is_transient_and_recovers_after_restart() {
    let mut moto = Moto::start();
    let config = impatient(&moto).await;
    let store = S3DocumentStore::from_conf(&config, BUCKET);
    store
        .client()
        .create_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .expect("a bucket");

    moto.stop();
    let error = store.put_new(object()).await.expect_err("S3 is down");
    assert_eq!(error.service, "s3");
    assert!(error.retryable, "{error}");
    let error = store
        .head("invoices/INV-1/r1.pdf")
        .await
        .expect_err("S3 is down");
    assert!(error.retryable, "{error}");

    // moto comes back empty: the bucket is made again, and the same client works.
    moto.restart();
    store
        .client()
        .create_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .expect("a bucket again");
    assert_eq!(store.put_new(object()).await, Ok(PutOutcome::Created));
}

#[tokio::test]
async fn sns_down_is_transient() {
    let mut moto = Moto::start();
    let config = impatient(&moto).await;
    let sns = aws_sdk_sns::Client::new(&config);
    let topic_arn = sns
        .create_topic()
        .name("document-events")
        .send()
        .await
        .expect("a topic")
        .topic_arn()
        .expect("its ARN")
        .to_owned();
    let publisher = SnsEventPublisher::new(sns, topic_arn);
    publisher.publish(&event()).await.expect("SNS is up");

    moto.stop();
    let error = publisher.publish(&event()).await.expect_err("SNS is down");
    assert_eq!(error.service, "sns");
    assert!(error.retryable, "{error}");
}
