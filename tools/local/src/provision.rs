//! Creates the resources of a [`StackSpec`] in the emulator: buckets, topics, queues (dead-letter
//! targets first, with their redrive policies), the template's SNS → SQS subscriptions (raw
//! delivery, filter policies) and the SES identities the mailer sends as.
//!
//! Safe to run again against the same emulator: a bucket this account already owns, or an SES
//! identity that already exists, counts as created; topics, queues and subscriptions are
//! idempotent in SNS and SQS themselves when their attributes are the same.
//!
//! The functions' environment holds the ARNs the template resolved to (see [`crate::template`]),
//! not the emulator's answers, so every ARN the emulator hands back is compared with the spec's.
//! The stack resolves the template in the account the emulator itself reports (STS
//! GetCallerIdentity), so the two agree; a difference (an emulator whose ARNs disagree with its
//! own identity, or a spec resolved for another account) would make every function talk to a
//! topic or queue that does not exist, and is refused here, where it can be explained.

use crate::progress::{Progress, Reporter};
use crate::spec::{BucketSpec, QueueSpec, StackSpec, SubscriptionSpec};
use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use aws_sdk_sqs::types::QueueAttributeName;
use std::collections::BTreeMap;

/// What was created, with the emulator's own identifiers.
#[derive(Clone, Debug, Default)]
pub struct Provisioned {
    /// Queue ARN → the queue's URL in the emulator (what the SQS API wants).
    pub queue_urls: BTreeMap<String, String>,
    /// Topic logical id → the topic's ARN.
    pub topic_arns: BTreeMap<String, String>,
    /// Subscription logical id → the subscription's ARN.
    pub subscription_arns: BTreeMap<String, String>,
    /// Bucket logical id → the bucket's name.
    pub buckets: BTreeMap<String, String>,
    /// SES email identities that exist (verified: moto verifies at once).
    pub ses_identities: Vec<String>,
}

/// Why provisioning stopped. Each names the resource; emulator errors carry its message.
#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    /// The emulator refused a call.
    #[error("creating {resource_type} {logical_id}: {message}")]
    Emulator {
        /// `AWS::SQS::Queue`, …
        resource_type: String,
        /// Logical id (or the identity, for SES).
        logical_id: String,
        /// The emulator's message, with its error chain.
        message: String,
    },
    /// The emulator created the resource under another ARN than the template resolved to.
    #[error(
        "{resource_type} {logical_id}: the emulator named it {actual}, but the functions were given {expected}; \
         the template must be resolved in the account and region the emulator reports (STS GetCallerIdentity)"
    )]
    Mismatch {
        /// `AWS::SQS::Queue` or `AWS::SNS::Topic`.
        resource_type: String,
        /// Logical id.
        logical_id: String,
        /// The spec's ARN.
        expected: String,
        /// The emulator's ARN.
        actual: String,
    },
    /// Queues redrive to each other in a cycle, so none can be created first.
    #[error("the dead-letter queues of {0} form a cycle")]
    RedriveCycle(String),
}

const BUCKET: &str = "AWS::S3::Bucket";
const TOPIC: &str = "AWS::SNS::Topic";
const QUEUE: &str = "AWS::SQS::Queue";
const SUBSCRIPTION: &str = "AWS::SNS::Subscription";
const SES_IDENTITY: &str = "AWS::SES::EmailIdentity";

fn emulator_error<E>(resource_type: &str, logical_id: &str, error: E) -> ProvisionError
where
    E: std::error::Error,
{
    ProvisionError::Emulator {
        resource_type: resource_type.to_owned(),
        logical_id: logical_id.to_owned(),
        message: DisplayErrorContext(error).to_string(),
    }
}

/// Creates every resource of `spec` (and the SES identities) in the emulator `config` points
/// at, reporting each one, and each resource or property that is not emulated.
pub async fn provision(
    spec: &StackSpec,
    config: &aws_config::SdkConfig,
    ses_identities: &[String],
    reporter: &Reporter,
) -> Result<Provisioned, ProvisionError> {
    let mut provisioned = Provisioned::default();
    report_not_emulated(spec, reporter);

    let s3 = aws_sdk_s3::Client::new(config);
    let region = config
        .region()
        .map(|region| region.as_ref().to_owned())
        .unwrap_or_else(|| "us-east-1".to_owned());
    for bucket in &spec.buckets {
        create_bucket(&s3, bucket, &region).await?;
        created(reporter, BUCKET, &bucket.logical_id, &bucket.name);
        provisioned
            .buckets
            .insert(bucket.logical_id.clone(), bucket.name.clone());
    }

    let sns = aws_sdk_sns::Client::new(config);
    for topic in &spec.topics {
        let answer = sns
            .create_topic()
            .name(&topic.name)
            .send()
            .await
            .map_err(|error| emulator_error(TOPIC, &topic.logical_id, error))?;
        let arn = answer.topic_arn().unwrap_or_default().to_owned();
        same_arn(TOPIC, &topic.logical_id, &topic.arn, &arn)?;
        created(reporter, TOPIC, &topic.logical_id, &arn);
        provisioned.topic_arns.insert(topic.logical_id.clone(), arn);
    }

    let sqs = aws_sdk_sqs::Client::new(config);
    for queue in queues_in_creation_order(spec)? {
        let url = create_queue(&sqs, queue).await?;
        created(reporter, QUEUE, &queue.logical_id, &url);
        provisioned.queue_urls.insert(queue.arn.clone(), url);
    }

    for subscription in &spec.subscriptions {
        let arn = subscribe(&sns, subscription).await?;
        created(reporter, SUBSCRIPTION, &subscription.logical_id, &arn);
        provisioned
            .subscription_arns
            .insert(subscription.logical_id.clone(), arn);
    }

    let ses = aws_sdk_sesv2::Client::new(config);
    for identity in ses_identities {
        match ses
            .create_email_identity()
            .email_identity(identity)
            .send()
            .await
        {
            Ok(_) => {}
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_already_exists_exception()) => {}
            Err(error) => return Err(emulator_error(SES_IDENTITY, identity, error)),
        }
        created(reporter, SES_IDENTITY, identity, identity);
        provisioned.ses_identities.push(identity.clone());
    }
    Ok(provisioned)
}

/// Creates `bucket` in `region` (an existing one of ours is fine: the call is idempotent).
async fn create_bucket(
    s3: &aws_sdk_s3::Client,
    bucket: &BucketSpec,
    region: &str,
) -> Result<(), ProvisionError> {
    let mut request = s3.create_bucket().bucket(&bucket.name);
    // us-east-1 is S3's default location and refuses to be named as a constraint.
    if region != "us-east-1" {
        request = request.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build(),
        );
    }
    match request.send().await {
        Ok(_) => Ok(()),
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|e| e.is_bucket_already_owned_by_you()) =>
        {
            Ok(())
        }
        Err(error) => Err(emulator_error(BUCKET, &bucket.logical_id, error)),
    }
}

/// Subscribes the queue of `subscription` to its topic; the subscription's ARN.
async fn subscribe(
    sns: &aws_sdk_sns::Client,
    subscription: &SubscriptionSpec,
) -> Result<String, ProvisionError> {
    let mut request = sns
        .subscribe()
        .topic_arn(&subscription.topic_arn)
        .protocol("sqs")
        .endpoint(&subscription.queue_arn)
        .return_subscription_arn(true);
    // Only the attributes the template sets: SNS answers an existing subscription's ARN only
    // when the attributes are the same as before.
    if subscription.raw_message_delivery {
        request = request.attributes("RawMessageDelivery", "true");
    }
    if let Some(policy) = &subscription.filter_policy {
        request = request.attributes("FilterPolicy", policy.to_string());
    }
    if let Some(scope) = &subscription.filter_policy_scope {
        request = request.attributes("FilterPolicyScope", scope);
    }
    let answer = request
        .send()
        .await
        .map_err(|error| emulator_error(SUBSCRIPTION, &subscription.logical_id, error))?;
    Ok(answer.subscription_arn().unwrap_or_default().to_owned())
}

/// Dead-letter queues before the queues that redrive to them (SQS checks that the target
/// exists). A target outside the spec was refused by `template`; one is treated as present.
fn queues_in_creation_order(spec: &StackSpec) -> Result<Vec<&QueueSpec>, ProvisionError> {
    let mut ordered: Vec<&QueueSpec> = Vec::with_capacity(spec.queues.len());
    let mut waiting: Vec<&QueueSpec> = spec.queues.iter().collect();
    while !waiting.is_empty() {
        let before = waiting.len();
        let mut still = Vec::new();
        for queue in waiting {
            let ready = match &queue.redrive {
                None => true,
                Some(redrive) => {
                    ordered
                        .iter()
                        .any(|done| done.arn == redrive.dead_letter_arn)
                        || spec.queue_by_arn(&redrive.dead_letter_arn).is_none()
                }
            };
            if ready {
                ordered.push(queue);
            } else {
                still.push(queue);
            }
        }
        if still.len() == before {
            let names: Vec<&str> = still.iter().map(|q| q.logical_id.as_str()).collect();
            return Err(ProvisionError::RedriveCycle(names.join(", ")));
        }
        waiting = still;
    }
    Ok(ordered)
}

async fn create_queue(
    sqs: &aws_sdk_sqs::Client,
    queue: &QueueSpec,
) -> Result<String, ProvisionError> {
    let mut request = sqs
        .create_queue()
        .queue_name(&queue.name)
        .attributes(
            QueueAttributeName::VisibilityTimeout,
            queue.visibility_timeout_s.to_string(),
        )
        .attributes(
            QueueAttributeName::MessageRetentionPeriod,
            queue.message_retention_s.to_string(),
        );
    if let Some(redrive) = &queue.redrive {
        let policy = serde_json::json!({
            "deadLetterTargetArn": redrive.dead_letter_arn,
            "maxReceiveCount": redrive.max_receive_count,
        });
        request = request.attributes(QueueAttributeName::RedrivePolicy, policy.to_string());
    }
    let answer = request
        .send()
        .await
        .map_err(|error| emulator_error(QUEUE, &queue.logical_id, error))?;
    let url = answer.queue_url().unwrap_or_default().to_owned();
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|error| emulator_error(QUEUE, &queue.logical_id, error))?;
    let arn = attributes
        .attributes()
        .and_then(|attributes| attributes.get(&QueueAttributeName::QueueArn))
        .cloned()
        .unwrap_or_default();
    same_arn(QUEUE, &queue.logical_id, &queue.arn, &arn)?;
    Ok(url)
}

fn same_arn(
    resource_type: &str,
    logical_id: &str,
    expected: &str,
    actual: &str,
) -> Result<(), ProvisionError> {
    if expected == actual {
        return Ok(());
    }
    Err(ProvisionError::Mismatch {
        resource_type: resource_type.to_owned(),
        logical_id: logical_id.to_owned(),
        expected: expected.to_owned(),
        actual: actual.to_owned(),
    })
}

fn created(reporter: &Reporter, resource_type: &str, logical_id: &str, physical_id: &str) {
    reporter.report(Progress::Created {
        resource_type: resource_type.to_owned(),
        logical_id: logical_id.to_owned(),
        physical_id: physical_id.to_owned(),
    });
}

/// Says out loud what is not created, and which properties of created resources do nothing
/// locally (as `<Type>.<Property>`, e.g. `AWS::S3::Bucket.LifecycleConfiguration`).
fn report_not_emulated(spec: &StackSpec, reporter: &Reporter) {
    for entry in &spec.not_emulated {
        reporter.report(Progress::NotEmulated {
            logical_id: entry.logical_id.clone(),
            resource_type: entry.resource_type.clone(),
            reason: entry.reason.clone(),
        });
    }
    for entry in &spec.no_local_effect {
        reporter.report(Progress::NotEmulated {
            logical_id: entry.logical_id.clone(),
            resource_type: format!(
                "{}.{}",
                resource_type_of(spec, &entry.logical_id),
                entry.property
            ),
            reason: entry.reason.clone(),
        });
    }
}

fn resource_type_of(spec: &StackSpec, logical_id: &str) -> &'static str {
    let is = |id: &String| id == logical_id;
    if spec.buckets.iter().any(|b| is(&b.logical_id)) {
        BUCKET
    } else if spec.topics.iter().any(|t| is(&t.logical_id)) {
        TOPIC
    } else if spec.queues.iter().any(|q| is(&q.logical_id)) {
        QUEUE
    } else if spec.subscriptions.iter().any(|s| is(&s.logical_id)) {
        SUBSCRIPTION
    } else if spec.functions.iter().any(|f| is(&f.logical_id)) {
        "AWS::Serverless::Function"
    } else if spec.http_apis.iter().any(|a| is(&a.logical_id)) {
        "AWS::Serverless::HttpApi"
    } else {
        "(resource)"
    }
}
