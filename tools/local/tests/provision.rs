//! `provision` against a real moto: the real template's resources exist afterwards and behave
//! as wired (filter policies, raw delivery, redrive), and provisioning twice is harmless.

use aws_sdk_sns::types::MessageAttributeValue;
use aws_sdk_sqs::types::QueueAttributeName;
use paperflow_local::progress::Reporter;
use paperflow_local::provision::{self, Provisioned};
use paperflow_local::spec::{StackContext, StackSpec};
use paperflow_local::template;
use paperflow_tests::moto::Moto;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn spec() -> StackSpec {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../infra/sam/template.yaml");
    template::load(&path, &StackContext::default(), &BTreeMap::new())
        .expect("the real template resolves")
}

fn sender() -> Vec<String> {
    vec!["invoices@example.com".to_owned()]
}

async fn provisioned(spec: &StackSpec, config: &aws_config::SdkConfig) -> Provisioned {
    provision::provision(spec, config, &sender(), &Reporter::new(false))
        .await
        .expect("the template is provisioned")
}

fn queue_url(spec: &StackSpec, provisioned: &Provisioned, logical_id: &str) -> String {
    let queue = spec
        .queues
        .iter()
        .find(|queue| queue.logical_id == logical_id)
        .expect("the queue");
    provisioned
        .queue_urls
        .get(&queue.arn)
        .cloned()
        .expect("the queue's URL")
}

/// Every message body waiting in the queue (moto delivers on publish, so one short wait is
/// enough).
async fn drain(sqs: &aws_sdk_sqs::Client, url: &str) -> Vec<String> {
    let mut bodies = Vec::new();
    loop {
        let answer = sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .expect("receive");
        let messages = answer.messages();
        if messages.is_empty() {
            return bodies;
        }
        for message in messages {
            bodies.push(message.body().unwrap_or_default().to_owned());
            sqs.delete_message()
                .queue_url(url)
                .receipt_handle(message.receipt_handle().unwrap_or_default())
                .send()
                .await
                .expect("delete");
        }
    }
}

async fn publish(sns: &aws_sdk_sns::Client, topic_arn: &str, kind: &str, body: &str) {
    sns.publish()
        .topic_arn(topic_arn)
        .message(body)
        .message_attributes(
            "type",
            MessageAttributeValue::builder()
                .data_type("String")
                .string_value(kind)
                .build()
                .expect("an attribute"),
        )
        .send()
        .await
        .expect("publish");
}

#[tokio::test]
async fn invoice_events_reach_pdf_requests_raw_and_the_archive_by_type() {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let spec = spec();
    let provisioned = provisioned(&spec, &config).await;
    let sns = aws_sdk_sns::Client::new(&config);
    let sqs = aws_sdk_sqs::Client::new(&config);
    let invoice_events = &spec.topics[0];
    assert_eq!(invoice_events.logical_id, "InvoiceEventsTopic");
    assert_eq!(
        provisioned.topic_arns.get("InvoiceEventsTopic"),
        Some(&invoice_events.arn)
    );
    let pdf_requests = queue_url(&spec, &provisioned, "PdfRequestsQueue");
    let archive = queue_url(&spec, &provisioned, "ArchiveQueue");

    let finalized = r#"{"specversion":"1.0","type":"invoice.finalized.v1","id":"1"}"#;
    publish(&sns, &invoice_events.arn, "invoice.finalized.v1", finalized).await;
    // Raw delivery: the body is the message itself, not the SNS JSON wrapper.
    assert_eq!(drain(&sqs, &pdf_requests).await, [finalized]);
    assert_eq!(drain(&sqs, &archive).await, [finalized]);

    let other = r#"{"specversion":"1.0","type":"invoice.voided.v1","id":"2"}"#;
    publish(&sns, &invoice_events.arn, "invoice.voided.v1", other).await;
    assert!(
        drain(&sqs, &pdf_requests).await.is_empty(),
        "the filter policy keeps other types out of pdf-requests"
    );
    assert_eq!(drain(&sqs, &archive).await, [other]);
}

#[tokio::test]
async fn document_events_reach_the_archive() {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let spec = spec();
    let provisioned = provisioned(&spec, &config).await;
    let sns = aws_sdk_sns::Client::new(&config);
    let sqs = aws_sdk_sqs::Client::new(&config);
    let document_events = spec
        .topics
        .iter()
        .find(|topic| topic.logical_id == "DocumentEventsTopic")
        .expect("the topic");
    let ready = r#"{"type":"invoice.pdf.ready.v1"}"#;
    publish(&sns, &document_events.arn, "invoice.pdf.ready.v1", ready).await;
    let archive = queue_url(&spec, &provisioned, "ArchiveQueue");
    assert_eq!(drain(&sqs, &archive).await, [ready]);
    let pdf_requests = queue_url(&spec, &provisioned, "PdfRequestsQueue");
    assert!(drain(&sqs, &pdf_requests).await.is_empty());
}

#[tokio::test]
async fn queues_have_the_templates_attributes_and_redrive() {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let spec = spec();
    let provisioned = provisioned(&spec, &config).await;
    assert_eq!(provisioned.queue_urls.len(), 6);
    let sqs = aws_sdk_sqs::Client::new(&config);
    // The alarm topic's dead-letter queue and the alarm topic itself come up too.
    let alarm_deliveries = queue_url(&spec, &provisioned, "AlarmDeliveriesDeadLetterQueue");
    assert!(
        alarm_deliveries.ends_with("/paperflow-dev-alarm-deliveries-dlq"),
        "{alarm_deliveries}"
    );
    let sns = aws_sdk_sns::Client::new(&config);
    let alarm_topic = provisioned
        .topic_arns
        .get("AlarmTopic")
        .expect("the alarm topic is provisioned");
    sns.get_topic_attributes()
        .topic_arn(alarm_topic)
        .send()
        .await
        .expect("the alarm topic exists in the emulator");
    let url = queue_url(&spec, &provisioned, "PdfRequestsQueue");
    let answer = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .expect("attributes");
    let attributes = answer.attributes().expect("attributes");
    assert_eq!(
        attributes
            .get(&QueueAttributeName::VisibilityTimeout)
            .map(String::as_str),
        Some("210")
    );
    assert_eq!(
        attributes
            .get(&QueueAttributeName::MessageRetentionPeriod)
            .map(String::as_str),
        Some("345600")
    );
    let redrive: serde_json::Value = serde_json::from_str(
        attributes
            .get(&QueueAttributeName::RedrivePolicy)
            .expect("a redrive policy"),
    )
    .expect("JSON");
    assert_eq!(
        redrive["deadLetterTargetArn"],
        "arn:aws:sqs:us-east-1:123456789012:paperflow-dev-pdf-requests-dlq"
    );
    // SQS answers the count as a number; some emulators as a string.
    let count = &redrive["maxReceiveCount"];
    assert!(count == 5 || count == "5", "{redrive}");
}

#[tokio::test]
async fn buckets_and_the_ses_identity_exist() {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let spec = spec();
    let provisioned = provisioned(&spec, &config).await;
    assert_eq!(provisioned.buckets.len(), 3);
    let s3 = aws_sdk_s3::Client::new(&config);
    let listed = s3.list_buckets().send().await.expect("buckets");
    let mut names: Vec<&str> = listed.buckets().iter().filter_map(|b| b.name()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "paperflow-local-accesslogsbucket",
            "paperflow-local-archivebucket",
            "paperflow-local-documentsbucket"
        ]
    );
    // GetEmailIdentity, not ListEmailIdentities: this SDK lists with GET /v2/email/identities,
    // which moto (following a newer botocore model) no longer routes and answers 404.
    let ses = aws_sdk_sesv2::Client::new(&config);
    let identity = ses
        .get_email_identity()
        .email_identity("invoices@example.com")
        .send()
        .await
        .expect("the identity exists");
    // moto answers VerifiedForSendingStatus false but accepts mail from the identity at once.
    assert_eq!(
        identity.identity_type(),
        Some(&aws_sdk_sesv2::types::IdentityType::EmailAddress)
    );
    assert_eq!(provisioned.ses_identities, sender());
}

#[tokio::test]
async fn provisioning_twice_succeeds_and_changes_nothing() {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let spec = spec();
    let first = provisioned(&spec, &config).await;
    let second = provisioned(&spec, &config).await;
    assert_eq!(first.queue_urls, second.queue_urls);
    assert_eq!(first.topic_arns, second.topic_arns);
    assert_eq!(first.subscription_arns, second.subscription_arns);

    // Still exactly one delivery per subscription, not two.
    let sns = aws_sdk_sns::Client::new(&config);
    let sqs = aws_sdk_sqs::Client::new(&config);
    let topic = &spec.topics[0].arn;
    let subscriptions = sns
        .list_subscriptions_by_topic()
        .topic_arn(topic)
        .send()
        .await
        .expect("subscriptions");
    assert_eq!(subscriptions.subscriptions().len(), 2);
    publish(&sns, topic, "invoice.finalized.v1", "{}").await;
    let pdf_requests = queue_url(&spec, &second, "PdfRequestsQueue");
    assert_eq!(drain(&sqs, &pdf_requests).await.len(), 1);
}

#[tokio::test]
async fn a_foreign_account_is_refused_with_both_arns() {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let context = StackContext {
        account_id: "000000000000".to_owned(),
        ..StackContext::default()
    };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../infra/sam/template.yaml");
    let spec = template::load(&path, &context, &BTreeMap::new()).expect("a spec");
    let error = provision::provision(&spec, &config, &[], &Reporter::new(false))
        .await
        .expect_err("another account's ARNs");
    let message = error.to_string();
    assert!(message.contains("InvoiceEventsTopic"), "{message}");
    assert!(message.contains("000000000000"), "{message}");
    assert!(message.contains("123456789012"), "{message}");
}
