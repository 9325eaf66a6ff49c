//! What the local stack runs: the resources of the SAM template, with every intrinsic already
//! resolved to a plain value. `template` reads the file into a [`StackSpec`]; `provision`
//! creates its resources in the emulator; the mappings and the HTTP front read it to know what
//! to connect. Nothing here does I/O.

use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The account and region the template's ARNs are built with. `paperflow local` takes the
/// account from the emulator itself (STS GetCallerIdentity: moto answers 123456789012,
/// LocalStack 000000000000), so that the ARNs the emulator hands out and the ones the template
/// resolves to are the same strings. The default is moto's account, for reading a template
/// without an emulator (tests, `paperflow dlq`).
#[derive(Clone, Debug, Serialize)]
pub struct StackContext {
    /// The stack's name (`AWS::StackName`); generated resource names start with it.
    pub stack_name: String,
    /// `AWS::Region`.
    pub region: String,
    /// `AWS::AccountId`.
    pub account_id: String,
}

impl Default for StackContext {
    fn default() -> Self {
        StackContext {
            stack_name: "paperflow-local".to_owned(),
            region: "us-east-1".to_owned(),
            account_id: "123456789012".to_owned(),
        }
    }
}

/// Every resource of the template the local stack runs, resolved.
#[derive(Clone, Debug, Default, Serialize)]
pub struct StackSpec {
    /// Parameter values after defaults and overrides.
    pub parameters: BTreeMap<String, String>,
    /// S3 buckets.
    pub buckets: Vec<BucketSpec>,
    /// SNS topics.
    pub topics: Vec<TopicSpec>,
    /// SQS queues (dead-letter queues included).
    pub queues: Vec<QueueSpec>,
    /// SNS → SQS subscriptions (`AWS::SNS::Subscription` resources).
    pub subscriptions: Vec<SubscriptionSpec>,
    /// Lambda functions with their triggers.
    pub functions: Vec<FunctionSpec>,
    /// HTTP APIs (`AWS::Serverless::HttpApi`).
    pub http_apis: Vec<HttpApiSpec>,
    /// The template's outputs, resolved.
    pub outputs: BTreeMap<String, String>,
    /// Resources that exist in AWS but have nothing to do locally (IAM roles, KMS keys, log
    /// groups, alarms, policies), each with the reason: said out loud, never silently dropped.
    pub not_emulated: Vec<NotEmulated>,
    /// Properties of created resources that change nothing locally (encryption, lifecycle
    /// rules, logging, …), each with the reason.
    pub no_local_effect: Vec<NoLocalEffect>,
    /// Per function (logical id): the AWS services its IAM permissions let it call, as the
    /// prefixes of their actions (`s3`, `ses`, …). A function that calls a service the emulator
    /// lacks cannot run locally.
    pub services_called: BTreeMap<String, BTreeSet<String>>,
}

impl StackSpec {
    /// The queue with this ARN.
    pub fn queue_by_arn(&self, arn: &str) -> Option<&QueueSpec> {
        self.queues.iter().find(|queue| queue.arn == arn)
    }

    /// The topic with this ARN.
    pub fn topic_by_arn(&self, arn: &str) -> Option<&TopicSpec> {
        self.topics.iter().find(|topic| topic.arn == arn)
    }

    /// The functions whose permissions include actions of `service` (an IAM prefix: `ses`).
    pub fn functions_calling(&self, service: &str) -> Vec<&FunctionSpec> {
        self.functions
            .iter()
            .filter(|function| {
                self.services_called
                    .get(&function.logical_id)
                    .is_some_and(|services| services.contains(service))
            })
            .collect()
    }

    /// The same stack without the functions named (by logical id): what runs when they cannot.
    /// Their triggers and routes go with them; the resources stay.
    pub fn without_functions(&self, logical_ids: &BTreeSet<String>) -> StackSpec {
        let mut spec = self.clone();
        spec.functions
            .retain(|function| !logical_ids.contains(&function.logical_id));
        spec
    }
}

/// An `AWS::S3::Bucket`.
#[derive(Clone, Debug, Serialize)]
pub struct BucketSpec {
    /// Logical id in the template.
    pub logical_id: String,
    /// Bucket name: `BucketName`, or generated from the stack name and logical id.
    pub name: String,
}

/// An `AWS::SNS::Topic`.
#[derive(Clone, Debug, Serialize)]
pub struct TopicSpec {
    /// Logical id in the template.
    pub logical_id: String,
    /// Topic name.
    pub name: String,
    /// `arn:aws:sns:<region>:<account>:<name>`.
    pub arn: String,
}

/// An `AWS::SQS::Queue`.
#[derive(Clone, Debug, Serialize)]
pub struct QueueSpec {
    /// Logical id in the template.
    pub logical_id: String,
    /// Queue name.
    pub name: String,
    /// `arn:aws:sqs:<region>:<account>:<name>`.
    pub arn: String,
    /// Seconds a received message stays invisible (SQS default 30).
    pub visibility_timeout_s: u32,
    /// Seconds a message is kept (SQS default 345600, four days).
    pub message_retention_s: u32,
    /// Where messages go after too many receives.
    pub redrive: Option<Redrive>,
}

/// A queue's redrive policy.
#[derive(Clone, Debug, Serialize)]
pub struct Redrive {
    /// The dead-letter queue's ARN.
    pub dead_letter_arn: String,
    /// Receives before a message moves there.
    pub max_receive_count: u32,
}

/// An `AWS::SNS::Subscription` with protocol `sqs`.
#[derive(Clone, Debug, Serialize)]
pub struct SubscriptionSpec {
    /// Logical id in the template.
    pub logical_id: String,
    /// The topic's ARN.
    pub topic_arn: String,
    /// The queue's ARN.
    pub queue_arn: String,
    /// `RawMessageDelivery`.
    pub raw_message_delivery: bool,
    /// `FilterPolicy`, as JSON.
    pub filter_policy: Option<Value>,
    /// `FilterPolicyScope` (`MessageAttributes`, the default, or `MessageBody`).
    pub filter_policy_scope: Option<String>,
}

/// An `AWS::Serverless::Function` (or `AWS::Lambda::Function`).
#[derive(Clone, Debug, Serialize)]
pub struct FunctionSpec {
    /// Logical id in the template.
    pub logical_id: String,
    /// Function name: `FunctionName`, or `<stack>-<LogicalId>` (CloudFormation adds a random
    /// suffix; locally the name stays stable).
    pub name: String,
    /// `arn:aws:lambda:<region>:<account>:function:<name>`.
    pub arn: String,
    /// The cargo binary (`Metadata.BuildProperties.Binary`, else the package folder's name).
    pub binary: String,
    /// `Timeout` in seconds (Lambda's default 3).
    pub timeout_s: u32,
    /// `MemorySize` in MB (Lambda's default 128).
    pub memory_mb: u32,
    /// `Environment.Variables`, resolved.
    pub environment: BTreeMap<String, String>,
    /// SQS event sources.
    pub sqs_sources: Vec<SqsSourceSpec>,
    /// SNS event sources.
    pub sns_sources: Vec<SnsSourceSpec>,
    /// HTTP API routes.
    pub http_routes: Vec<HttpRouteSpec>,
    /// How asynchronous invocations (SNS) are retried and where failures go.
    pub async_invoke: AsyncInvokeSpec,
}

/// An SQS event source mapping.
#[derive(Clone, Debug, Serialize)]
pub struct SqsSourceSpec {
    /// The event's name under `Events`.
    pub event_id: String,
    /// The queue's ARN.
    pub queue_arn: String,
    /// `BatchSize` (default 10).
    pub batch_size: u32,
    /// `MaximumBatchingWindowInSeconds` (default 0).
    pub batching_window_s: u32,
    /// `FunctionResponseTypes` contains `ReportBatchItemFailures`.
    pub report_batch_item_failures: bool,
    /// `ScalingConfig.MaximumConcurrency` (AWS: 2 to 1000; unset means up to 1000).
    pub maximum_concurrency: Option<u32>,
    /// `Enabled` (default true).
    pub enabled: bool,
}

/// An SNS subscription of a function.
#[derive(Clone, Debug, Serialize)]
pub struct SnsSourceSpec {
    /// The event's name under `Events`.
    pub event_id: String,
    /// The topic's ARN.
    pub topic_arn: String,
    /// `FilterPolicy`, as JSON.
    pub filter_policy: Option<Value>,
    /// `FilterPolicyScope`.
    pub filter_policy_scope: Option<String>,
}

/// A route of an HTTP API to a function (an `HttpApi` event).
#[derive(Clone, Debug, Serialize)]
pub struct HttpRouteSpec {
    /// The event's name under `Events`.
    pub event_id: String,
    /// The HTTP API's logical id (`ApiId: !Ref X`; SAM's implicit API when absent).
    pub api_logical_id: String,
    /// `GET`, `POST`, …, or `ANY`.
    pub method: String,
    /// `/v1/invoices/{id}`, `/{proxy+}`, …
    pub path: String,
    /// `PayloadFormatVersion`: only "2.0" is run locally.
    pub payload_format_version: String,
    /// `Auth.Authorizer` (e.g. `AWS_IAM`); not enforced locally, shown at start.
    pub authorizer: Option<String>,
}

/// An `AWS::Serverless::HttpApi`.
#[derive(Clone, Debug, Serialize)]
pub struct HttpApiSpec {
    /// Logical id in the template.
    pub logical_id: String,
    /// `StageName` (`$default` unless set).
    pub stage: String,
}

/// `EventInvokeConfig` of a function: asynchronous invocations.
#[derive(Clone, Debug, Serialize)]
pub struct AsyncInvokeSpec {
    /// `MaximumRetryAttempts` (Lambda's default 2).
    pub maximum_retry_attempts: u32,
    /// `MaximumEventAgeInSeconds` (Lambda's default 21600).
    pub maximum_event_age_s: u32,
    /// `DestinationConfig.OnFailure`.
    pub on_failure: Option<Destination>,
}

impl Default for AsyncInvokeSpec {
    fn default() -> Self {
        AsyncInvokeSpec {
            maximum_retry_attempts: 2,
            maximum_event_age_s: 21_600,
            on_failure: None,
        }
    }
}

/// An asynchronous invocation's destination.
#[derive(Clone, Debug, Serialize)]
pub struct Destination {
    /// `SQS` or `SNS` (the others, Lambda and EventBridge, are refused by `template`).
    pub kind: DestinationKind,
    /// The queue's or topic's ARN.
    pub arn: String,
}

/// Where an asynchronous invocation record goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum DestinationKind {
    /// An SQS queue.
    Sqs,
    /// An SNS topic.
    Sns,
}

/// A resource the local stack does not create, and why that is safe.
#[derive(Clone, Debug, Serialize)]
pub struct NotEmulated {
    /// Logical id in the template.
    pub logical_id: String,
    /// Its type, e.g. `AWS::IAM::Role`.
    pub resource_type: String,
    /// Why it has no local effect.
    pub reason: String,
}

/// A property of a created resource that the emulator does not act on.
#[derive(Clone, Debug, Serialize)]
pub struct NoLocalEffect {
    /// Logical id of the resource.
    pub logical_id: String,
    /// The property, e.g. `LifecycleConfiguration`.
    pub property: String,
    /// Why it changes nothing locally.
    pub reason: String,
}
