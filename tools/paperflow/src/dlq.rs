//! `paperflow dlq`: the dead letters of a stack, for the operator who has to look at them at
//! 3 a.m. and put them back.
//!
//! - `list`: every queue of the stack where failed messages wait for a person (the queues no
//!   function consumes: the dead-letter queues and the on-failure destinations), with how many
//!   messages each holds, how old the oldest is, and where a redrive sends them.
//! - `show QUEUE`: each message decoded: its shape, the event's type, invoice id, revision and
//!   correlation id, and why it failed when the record says so.
//! - `redrive QUEUE [--to TARGET] [--dry-run]`: back where it came from. To a queue with SQS's
//!   StartMessageMoveTask where the service has it, else a receive-send-delete loop; to a
//!   function (the mailer's on-failure records) by invoking it again with the original event.
//!
//! What the stack is comes from its template (`infra/sam/template.yaml`: which queue is whose
//! dead-letter queue or on-failure destination) and from where it runs: the local stack's
//! `stack.json`, or, on AWS, the resources CloudFormation lists for the stack
//! (`aws cloudformation list-stack-resources`).
//!
//! Never lost: a message leaves a dead-letter queue only after its target took it (the send
//! succeeded, or the function answered without an error). A redrive interrupted between the two
//! leaves a copy in both places; the pipeline is idempotent (the same PDF is found, the same
//! notice id is published, the mailer sends once per notice), so the copy does no harm.

use aws_config::SdkConfig;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::InvocationType;
use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, DeleteMessageBatchRequestEntry, Message,
    MessageSystemAttributeName, QueueAttributeName, SendMessageBatchRequestEntry,
};
use paperflow_local::spec::{DestinationKind, StackContext, StackSpec};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;
use time::OffsetDateTime;

/// Seconds a message received by `show` or `list` stays hidden before it is handed back; it is
/// handed back at once when the command ends, this is only for a command that is killed.
const PEEK_HOLD_S: i32 = 30;

/// Seconds a message being redriven stays hidden: long enough for its send (or the function's
/// run, at most its 30 s timeout) and its delete.
const REDRIVE_HOLD_S: i32 = 120;

/// The most messages `list` reads to find the oldest; past it the age is of those read.
const LIST_SAMPLE: usize = 1000;

/// SQS's most messages per receive, send and delete batch.
const BATCH: i32 = 10;

/// How often a running StartMessageMoveTask is asked how far it got.
const MOVE_TASK_POLL: Duration = Duration::from_secs(1);

/// What `paperflow dlq` was asked, from the command line.
#[derive(clap::Args)]
pub struct DlqArgs {
    #[command(subcommand)]
    command: DlqCommand,
    #[command(flatten)]
    stack: StackArgs,
}

/// Where the stack is.
#[derive(clap::Args)]
struct StackArgs {
    /// The local stack's state file, written by `paperflow local`.
    #[arg(
        long,
        global = true,
        default_value = "target/paperflow-local/stack.json",
        conflicts_with = "stack_resources"
    )]
    state: PathBuf,
    /// On AWS: the stack's resources, the JSON of `aws cloudformation list-stack-resources
    /// --stack-name NAME`; the SDK's own configuration (region, credentials) reaches AWS.
    #[arg(long, global = true, value_name = "FILE")]
    stack_resources: Option<PathBuf>,
    /// The template the stack was deployed from: which queue is whose dead-letter queue or
    /// on-failure destination.
    #[arg(long, global = true, default_value = "infra/sam/template.yaml")]
    template: PathBuf,
    /// A template parameter of the deployed stack, Name=Value (repeatable; with
    /// --stack-resources; the local stack's come from its state file).
    #[arg(long = "parameter-override", global = true, value_name = "NAME=VALUE")]
    parameter_overrides: Vec<String>,
    /// One JSON object per line on stdout instead of text.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(clap::Subcommand)]
enum DlqCommand {
    /// Every dead-letter queue and on-failure destination of the stack: messages, the age of
    /// the oldest, and where a redrive sends them.
    List,
    /// The messages of QUEUE, decoded: event type, invoice id, revision, correlation id, and
    /// the failure's reason when the record carries one.
    Show {
        /// The queue: its logical id, its name (or the part after the stack's prefix, such as
        /// pdf-requests-dlq) or its URL.
        queue: String,
        /// Show at most this many messages.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// Sends QUEUE's messages back: to the queue whose redrive policy names QUEUE, or to the
    /// function whose on-failure destination QUEUE is, invoked again with the original event.
    Redrive {
        /// The queue: its logical id, its name (or the part after the stack's prefix) or URL.
        queue: String,
        /// Where to: a queue of the stack, or a function (logical id, binary or name).
        #[arg(long, value_name = "TARGET")]
        to: Option<String>,
        /// Say what would be sent where, and change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Runs `paperflow dlq`; `Err` holds what to tell the user.
pub fn run(args: DlqArgs) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start the async runtime: {error}"))?;
    runtime.block_on(async {
        let stack = Stack::open(&args.stack).await?;
        let printer = Printer {
            json: args.stack.json,
        };
        match args.command {
            DlqCommand::List => list(&stack, &printer).await,
            DlqCommand::Show { queue, limit } => show(&stack, &printer, &queue, limit).await,
            DlqCommand::Redrive { queue, to, dry_run } => {
                redrive(&stack, &printer, &queue, to.as_deref(), dry_run).await
            }
        }
    })
}

// --- the stack --------------------------------------------------------------------------------

/// The stack as `dlq` sees it: the template's resources, where each queue lives, how each
/// function is invoked, and the clients that reach them.
struct Stack {
    spec: StackSpec,
    /// Queue URLs by logical id.
    queue_urls: BTreeMap<String, String>,
    /// Functions by logical id.
    functions: BTreeMap<String, DeployedFunction>,
    sqs: aws_sdk_sqs::Client,
    lambda: aws_sdk_lambda::Client,
}

/// A function of the stack as deployed.
#[derive(Clone, Debug)]
struct DeployedFunction {
    /// Its name where it runs (CloudFormation's physical name on AWS).
    name: String,
    /// The name the Invoke API knows it by: the name on AWS, the binary under
    /// `cargo lambda watch`.
    invoke_as: String,
}

impl Stack {
    async fn open(args: &StackArgs) -> Result<Stack, String> {
        let mut overrides = BTreeMap::new();
        for pair in &args.parameter_overrides {
            let (name, value) = pair
                .split_once('=')
                .ok_or_else(|| format!("--parameter-override {pair:?}: expected Name=Value"))?;
            overrides.insert(name.to_owned(), value.to_owned());
        }
        match &args.stack_resources {
            Some(file) => Stack::on_aws(file, &args.template, &overrides).await,
            None => Stack::local(&args.state, &args.template, &overrides).await,
        }
    }

    /// The local stack, from the state file `paperflow local` writes while it runs.
    async fn local(
        state_path: &Path,
        template: &Path,
        overrides: &BTreeMap<String, String>,
    ) -> Result<Stack, String> {
        let text = std::fs::read(state_path).map_err(|error| {
            format!(
                "{}: {error} (is `paperflow local` running? on AWS, pass --stack-resources)",
                state_path.display()
            )
        })?;
        let state = LocalState::parse(&text)
            .map_err(|message| format!("{}: {message}", state_path.display()))?;
        let mut parameters = state.parameters.clone();
        parameters.extend(overrides.clone());
        let spec = load_template(template, &parameters)?;
        let emulator =
            paperflow_local::emulator::Emulator::existing(&state.endpoint, &state.region).await?;
        let config = emulator.sdk_config().await;
        let lambda = aws_sdk_lambda::Client::from_conf(
            aws_sdk_lambda::config::Builder::from(&config)
                .endpoint_url(&state.invoke_endpoint)
                .build(),
        );
        let functions = spec
            .functions
            .iter()
            .filter_map(|function| {
                let name = state.functions.get(&function.binary)?;
                Some((
                    function.logical_id.clone(),
                    DeployedFunction {
                        name: name.clone(),
                        invoke_as: function.binary.clone(),
                    },
                ))
            })
            .collect();
        Ok(Stack {
            queue_urls: state.queues,
            functions,
            sqs: aws_sdk_sqs::Client::new(&config),
            lambda,
            spec,
        })
    }

    /// A deployed stack, from its CloudFormation resources.
    async fn on_aws(
        resources_path: &Path,
        template: &Path,
        overrides: &BTreeMap<String, String>,
    ) -> Result<Stack, String> {
        let text = std::fs::read(resources_path)
            .map_err(|error| format!("{}: {error}", resources_path.display()))?;
        let resources = StackResources::parse(&text)
            .map_err(|message| format!("{}: {message}", resources_path.display()))?;
        let spec = load_template(template, overrides)?;
        let config: SdkConfig = paperflow_aws::sdk_config().await;
        let functions = resources
            .functions
            .into_iter()
            .map(|(logical_id, name)| {
                let deployed = DeployedFunction {
                    invoke_as: name.clone(),
                    name,
                };
                (logical_id, deployed)
            })
            .collect();
        Ok(Stack {
            queue_urls: resources.queues,
            functions,
            sqs: aws_sdk_sqs::Client::new(&config),
            lambda: aws_sdk_lambda::Client::new(&config),
            spec,
        })
    }

    /// The queue `reference` names: a logical id, a name, the end of a name after a `-`
    /// (`pdf-requests-dlq`), or a URL.
    fn queue(&self, reference: &str) -> Result<QueueRef, String> {
        let found: Vec<QueueRef> = self
            .queue_urls
            .iter()
            .filter(|(logical_id, url)| {
                let name = queue_name_of(url);
                *logical_id == reference
                    || *url == reference
                    || name == reference
                    || name.ends_with(&format!("-{reference}"))
            })
            .map(|(logical_id, url)| QueueRef {
                logical_id: logical_id.clone(),
                url: url.clone(),
            })
            .collect();
        match found.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(format!(
                "no queue {reference:?} in the stack; its queues: {}",
                self.queue_urls
                    .values()
                    .map(|url| queue_name_of(url))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            many => Err(format!(
                "{reference:?} names {} queues ({}): give the whole name",
                many.len(),
                many.iter()
                    .map(|queue| queue.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    /// The function `reference` names: a logical id, a binary or its deployed name.
    fn function(&self, reference: &str) -> Option<(String, DeployedFunction)> {
        self.spec
            .functions
            .iter()
            .find(|function| {
                function.logical_id == reference
                    || function.binary == reference
                    || self
                        .functions
                        .get(&function.logical_id)
                        .is_some_and(|deployed| deployed.name == reference)
            })
            .and_then(|function| {
                let deployed = self.functions.get(&function.logical_id)?;
                Some((function.logical_id.clone(), deployed.clone()))
            })
    }

    /// Where a redrive of `queue` goes: `--to`, else what the template says.
    fn target(&self, queue: &QueueRef, to: Option<&str>) -> Result<Target, String> {
        let Some(to) = to else {
            return match redrive_target(&self.spec, &queue.logical_id) {
                RedriveTarget::Queue(logical_id) => {
                    let url = self.queue_urls.get(&logical_id).ok_or_else(|| {
                        format!(
                            "the stack has no URL for {logical_id}, the source of {}",
                            queue.name()
                        )
                    })?;
                    Ok(Target::Queue(QueueRef {
                        logical_id,
                        url: url.clone(),
                    }))
                }
                RedriveTarget::Function(logical_id) => self
                    .function(&logical_id)
                    .map(|(logical_id, deployed)| Target::Function(logical_id, deployed))
                    .ok_or_else(|| format!("the stack runs no function {logical_id}")),
                RedriveTarget::Ambiguous(sources) => Err(format!(
                    "{} is the dead-letter queue of {}: say which with --to",
                    queue.name(),
                    sources.join(" and ")
                )),
                RedriveTarget::None => Err(format!(
                    "no queue's redrive policy and no function's on-failure destination names {}: say where its messages go with --to QUEUE or --to FUNCTION",
                    queue.name()
                )),
            };
        };
        if let Some((logical_id, deployed)) = self.function(to) {
            return Ok(Target::Function(logical_id, deployed));
        }
        let target = self
            .queue(to)
            .map_err(|_| format!("--to {to:?}: neither a queue nor a function of the stack"))?;
        if target.url == queue.url {
            return Err(format!("--to {to:?} is the queue being redriven"));
        }
        Ok(Target::Queue(target))
    }
}

impl Stack {
    /// Where a redrive of the queue goes by default, said for `list`: from the template, so
    /// that it is said even when the function does not run.
    fn default_target_text(&self, logical_id: &str) -> String {
        match redrive_target(&self.spec, logical_id) {
            RedriveTarget::Queue(source) => format!(
                "queue {}",
                self.queue_urls
                    .get(&source)
                    .map_or(source.as_str(), |url| queue_name_of(url))
            ),
            RedriveTarget::Function(function) => format!(
                "function {} (invoked again)",
                self.functions
                    .get(&function)
                    .map_or(function.as_str(), |deployed| deployed.name.as_str())
            ),
            RedriveTarget::Ambiguous(sources) => format!("--to one of {}", sources.join(", ")),
            RedriveTarget::None => "nowhere by default (--to)".to_owned(),
        }
    }
}

/// A queue of the stack.
#[derive(Clone, Debug)]
struct QueueRef {
    logical_id: String,
    url: String,
}

impl QueueRef {
    fn name(&self) -> &str {
        queue_name_of(&self.url)
    }
}

/// Where a redrive sends messages.
enum Target {
    Queue(QueueRef),
    Function(String, DeployedFunction),
}

/// The last segment of a queue URL, the queue's name.
fn queue_name_of(url: &str) -> &str {
    url.trim_end_matches('/').rsplit('/').next().unwrap_or(url)
}

fn load_template(path: &Path, parameters: &BTreeMap<String, String>) -> Result<StackSpec, String> {
    paperflow_local::template::load(path, &StackContext::default(), parameters)
        .map_err(|error| format!("{}: {error}", path.display()))
}

/// What `dlq` reads from the local stack's `stack.json`.
#[derive(Debug)]
struct LocalState {
    endpoint: String,
    region: String,
    invoke_endpoint: String,
    parameters: BTreeMap<String, String>,
    queues: BTreeMap<String, String>,
    functions: BTreeMap<String, String>,
}

impl LocalState {
    fn parse(bytes: &[u8]) -> Result<LocalState, String> {
        let state: Value =
            serde_json::from_slice(bytes).map_err(|error| format!("not JSON: {error}"))?;
        let text = |field: &str| {
            state[field].as_str().map(str::to_owned).ok_or_else(|| {
                format!("no {field:?} (a state file of an older paperflow local? restart it)")
            })
        };
        let map = |field: &str| -> Result<BTreeMap<String, String>, String> {
            serde_json::from_value(state[field].clone())
                .map_err(|_| format!("{field:?} is not an object of names to strings"))
        };
        Ok(LocalState {
            endpoint: text("endpoint")?,
            region: text("region")?,
            invoke_endpoint: text("invoke_endpoint")?,
            parameters: map("parameters")?,
            queues: map("queues")?,
            functions: map("functions")?,
        })
    }
}

/// What `dlq` reads from `aws cloudformation list-stack-resources` (or
/// `describe-stack-resources`): queue URLs and function names by logical id.
#[derive(Debug, Default)]
struct StackResources {
    queues: BTreeMap<String, String>,
    functions: BTreeMap<String, String>,
}

impl StackResources {
    fn parse(bytes: &[u8]) -> Result<StackResources, String> {
        let document: Value =
            serde_json::from_slice(bytes).map_err(|error| format!("not JSON: {error}"))?;
        let entries = document["StackResourceSummaries"]
            .as_array()
            .or_else(|| document["StackResources"].as_array())
            .ok_or("expected the JSON of `aws cloudformation list-stack-resources` (StackResourceSummaries)")?;
        let mut resources = StackResources::default();
        for entry in entries {
            let (Some(logical_id), Some(physical_id), Some(kind)) = (
                entry["LogicalResourceId"].as_str(),
                entry["PhysicalResourceId"].as_str(),
                entry["ResourceType"].as_str(),
            ) else {
                continue;
            };
            match kind {
                "AWS::SQS::Queue" => {
                    resources
                        .queues
                        .insert(logical_id.to_owned(), physical_id.to_owned());
                }
                "AWS::Lambda::Function" => {
                    resources
                        .functions
                        .insert(logical_id.to_owned(), physical_id.to_owned());
                }
                _ => {}
            }
        }
        if resources.queues.is_empty() {
            return Err("no AWS::SQS::Queue among the stack's resources".to_owned());
        }
        Ok(resources)
    }
}

// --- which queues hold dead letters, and where they go (from the template; no I/O) ------------

/// Where the template says a queue's messages came from.
#[derive(Debug, PartialEq, Eq)]
enum RedriveTarget {
    /// The queue whose redrive policy names it (logical id).
    Queue(String),
    /// The function whose on-failure destination it is (logical id).
    Function(String),
    /// More than one source: the operator must choose.
    Ambiguous(Vec<String>),
    /// No redrive policy or destination names it (the alarm e-mails' dead-letter queue).
    None,
}

/// The queues where failed messages wait for a person: every queue of the template that no
/// function consumes (dead-letter queues, on-failure destinations), by logical id.
fn dead_letter_queues(spec: &StackSpec) -> Vec<String> {
    let consumed: HashSet<&str> = spec
        .functions
        .iter()
        .flat_map(|function| &function.sqs_sources)
        .map(|source| source.queue_arn.as_str())
        .collect();
    spec.queues
        .iter()
        .filter(|queue| !consumed.contains(queue.arn.as_str()))
        .map(|queue| queue.logical_id.clone())
        .collect()
}

/// Where a redrive of the queue `logical_id` goes by default.
fn redrive_target(spec: &StackSpec, logical_id: &str) -> RedriveTarget {
    let Some(queue) = spec
        .queues
        .iter()
        .find(|queue| queue.logical_id == logical_id)
    else {
        return RedriveTarget::None;
    };
    let mut sources: Vec<String> = spec
        .queues
        .iter()
        .filter(|source| {
            source
                .redrive
                .as_ref()
                .is_some_and(|redrive| redrive.dead_letter_arn == queue.arn)
        })
        .map(|source| source.logical_id.clone())
        .collect();
    sources.extend(
        spec.functions
            .iter()
            .filter(|function| {
                function
                    .async_invoke
                    .on_failure
                    .as_ref()
                    .is_some_and(|destination| {
                        destination.kind == DestinationKind::Sqs && destination.arn == queue.arn
                    })
            })
            .map(|function| format!("function {}", function.logical_id)),
    );
    match sources.as_slice() {
        [] => RedriveTarget::None,
        [one] => match one.strip_prefix("function ") {
            Some(function) => RedriveTarget::Function(function.to_owned()),
            None => RedriveTarget::Queue(one.clone()),
        },
        _ => RedriveTarget::Ambiguous(sources),
    }
}

// --- what a dead letter is (no I/O) -----------------------------------------------------------

/// The shapes a message in a dead-letter queue or destination comes in.
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    /// A Lambda asynchronous invocation record (`requestContext`, `requestPayload`, …): the
    /// event is the request payload, the reason the response payload.
    DestinationRecord {
        /// The function that failed.
        function_arn: String,
        /// `RetriesExhausted` or `EventAgeExceeded`.
        condition: String,
        /// The original event (an SNS event for the mailer).
        request_payload: Value,
    },
    /// An SNS notification document (a subscription's redrive, or a delivery without raw
    /// message delivery): the event is its `Message`.
    SnsNotification(Value),
    /// The event itself (a raw delivery, SQS's redrive from a source queue).
    Event,
    /// None of these.
    Unreadable(String),
}

/// One dead letter, decoded for a person.
#[derive(Debug, Clone, PartialEq)]
struct DeadLetter {
    shape: Shape,
    event_type: Option<String>,
    invoice_id: Option<String>,
    revision: Option<u64>,
    correlation_id: Option<String>,
    event_id: Option<String>,
    /// Why it failed, as far as anything recorded it.
    reason: String,
}

impl DeadLetter {
    /// Decodes `body`; `receive_count` is SQS's `ApproximateReceiveCount`, kept across a
    /// move to the dead-letter queue.
    fn decode(body: &str, receive_count: Option<u32>) -> DeadLetter {
        let parsed: Option<Value> = serde_json::from_str(body).ok();
        let (shape, event, reason) = match parsed {
            Some(record)
                if record.get("requestContext").is_some()
                    && record.get("requestPayload").is_some() =>
            {
                let context = &record["requestContext"];
                let condition = context["condition"]
                    .as_str()
                    .unwrap_or("unknown")
                    .to_owned();
                let attempts = context["approximateInvokeCount"].as_u64().unwrap_or(0);
                let response = &record["responsePayload"];
                let error = match (
                    response["errorType"].as_str(),
                    response["errorMessage"].as_str(),
                ) {
                    (Some(kind), Some(message)) => format!("{kind}: {message}"),
                    (None, Some(message)) => message.to_owned(),
                    _ => "the function returned no error message".to_owned(),
                };
                let reason = format!("{condition} after {attempts} invocation(s): {error}");
                let event = sns_message_of_event(&record["requestPayload"]);
                (
                    Shape::DestinationRecord {
                        function_arn: context["functionArn"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                        condition,
                        request_payload: record["requestPayload"].clone(),
                    },
                    event,
                    reason,
                )
            }
            Some(notification)
                if notification["Type"] == "Notification"
                    && notification.get("TopicArn").is_some() =>
            {
                let event = notification["Message"]
                    .as_str()
                    .and_then(|message| serde_json::from_str(message).ok());
                (
                    Shape::SnsNotification(notification),
                    event,
                    "no reason recorded: SNS could not deliver it to its subscriber (the subscription's redrive policy)".to_owned(),
                )
            }
            // An event, raw or in SNS's wrapper: shown even when its version is one the
            // consumers refuse (that may be why it is here); anything else is unreadable, with
            // the rule decoding says it breaks.
            _ => match paperflow_events::event_json(body) {
                Ok(event) if event["specversion"].is_string() && event["type"].is_string() => {
                    (Shape::Event, Some(event), exhausted(receive_count))
                }
                _ => {
                    let why = paperflow_events::decode_body(body)
                        .err()
                        .map(|error| error.to_string())
                        .unwrap_or_else(|| "not an event".to_owned());
                    (Shape::Unreadable(why), None, exhausted(receive_count))
                }
            },
        };
        let field = |value: &Value| value.as_str().map(str::to_owned);
        let event = event.unwrap_or(Value::Null);
        DeadLetter {
            shape,
            event_type: field(&event["type"]),
            invoice_id: field(&event["data"]["invoice_id"]).or_else(|| field(&event["subject"])),
            revision: event["data"]["revision"].as_u64(),
            correlation_id: field(&event["correlationid"]),
            event_id: field(&event["id"]),
            reason,
        }
    }

    /// The event to invoke a function with again: the destination record's request payload,
    /// or an SNS event around a notification, as Lambda builds it for an SNS trigger.
    fn invocation_payload(&self, subscription_arn: &str) -> Option<Value> {
        match &self.shape {
            Shape::DestinationRecord {
                request_payload, ..
            } => Some(request_payload.clone()),
            Shape::SnsNotification(notification) => Some(sns_event(notification, subscription_arn)),
            Shape::Event | Shape::Unreadable(_) => None,
        }
    }

    fn shape_name(&self) -> &'static str {
        match self.shape {
            Shape::DestinationRecord { .. } => "lambda-destination-record",
            Shape::SnsNotification(_) => "sns-notification",
            Shape::Event => "event",
            Shape::Unreadable(_) => "unreadable",
        }
    }
}

/// The reason of an SQS dead letter: SQS records none, only how often it was received.
fn exhausted(receive_count: Option<u32>) -> String {
    let received = receive_count
        .map(|count| format!(" after {count} receive(s)"))
        .unwrap_or_default();
    format!(
        "no reason recorded: its consumer gave up{received} (transient failures or a misconfiguration exhausted maxReceiveCount); the function's log lines with its correlation id say why"
    )
}

/// The CloudEvent inside an SNS event (`Records[0].Sns.Message`), as JSON.
fn sns_message_of_event(event: &Value) -> Option<Value> {
    let message = event["Records"][0]["Sns"]["Message"].as_str()?;
    paperflow_events::event_json(message).ok()
}

/// The SNS event Lambda hands a subscribed function, around one SNS notification document
/// (the same fields, `Records[].Sns`).
fn sns_event(notification: &Value, subscription_arn: &str) -> Value {
    let mut sns = serde_json::Map::new();
    for field in [
        "Type",
        "MessageId",
        "TopicArn",
        "Subject",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
        "UnsubscribeURL",
        "MessageAttributes",
    ] {
        if let Some(value) = notification.get(field) {
            // Lambda's event spells the two URLs SigningCertUrl and UnsubscribeUrl.
            let name = match field {
                "SigningCertURL" => "SigningCertUrl",
                "UnsubscribeURL" => "UnsubscribeUrl",
                other => other,
            };
            sns.insert(name.to_owned(), value.clone());
        }
    }
    if !sns.contains_key("MessageAttributes") {
        sns.insert("MessageAttributes".to_owned(), json!({}));
    }
    json!({
        "Records": [{
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": subscription_arn,
            "Sns": sns,
        }]
    })
}

/// A duration as a person reads it: `45s`, `12m05s`, `3h02m`, `2d04h`.
fn age_text(seconds: i64) -> String {
    let seconds = seconds.max(0);
    match seconds {
        0..60 => format!("{seconds}s"),
        60..3600 => format!("{}m{:02}s", seconds / 60, seconds % 60),
        3600..86_400 => format!("{}h{:02}m", seconds / 3600, seconds % 3600 / 60),
        _ => format!("{}d{:02}h", seconds / 86_400, seconds % 86_400 / 3600),
    }
}

// --- output -----------------------------------------------------------------------------------

/// Text for people on stdout, or one JSON object per line.
struct Printer {
    json: bool,
}

impl Printer {
    fn line(&self, text: impl FnOnce() -> String, object: impl FnOnce() -> Value) {
        if self.json {
            println!("{}", object());
        } else {
            println!("{}", text());
        }
    }
}

// --- SQS --------------------------------------------------------------------------------------

fn sqs_error<E>(what: &str, error: aws_sdk_sqs::error::SdkError<E>) -> String
where
    E: std::error::Error + 'static,
{
    format!("{what}: {}", aws_sdk_sqs::error::DisplayErrorContext(error))
}

/// A received message, with what `dlq` needs of it.
struct Received {
    message: Message,
    sent: Option<OffsetDateTime>,
    receive_count: Option<u32>,
}

impl Received {
    fn new(message: Message) -> Received {
        let attribute = |name: MessageSystemAttributeName| {
            message
                .attributes()
                .and_then(|attributes| attributes.get(&name))
                .cloned()
        };
        let sent = attribute(MessageSystemAttributeName::SentTimestamp)
            .and_then(|millis| millis.parse::<i128>().ok())
            .and_then(|millis| OffsetDateTime::from_unix_timestamp_nanos(millis * 1_000_000).ok());
        let receive_count = attribute(MessageSystemAttributeName::ApproximateReceiveCount)
            .and_then(|count| count.parse().ok());
        Received {
            message,
            sent,
            receive_count,
        }
    }

    fn body(&self) -> &str {
        self.message.body().unwrap_or_default()
    }

    fn id(&self) -> &str {
        self.message.message_id().unwrap_or_default()
    }

    fn decoded(&self) -> DeadLetter {
        DeadLetter::decode(self.body(), self.receive_count)
    }
}

/// Receives up to `wanted` messages, each hidden for `hold` seconds. Long polling of one
/// second: a short poll samples only some of SQS's servers and may answer nothing.
async fn receive(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
    wanted: usize,
    hold: i32,
) -> Result<Vec<Received>, String> {
    let answer = sqs
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(wanted.clamp(1, BATCH as usize) as i32)
        .visibility_timeout(hold)
        .wait_time_seconds(1)
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .message_attribute_names("All")
        .send()
        .await
        .map_err(|error| sqs_error(&format!("receiving from {}", queue_name_of(url)), error))?;
    Ok(answer
        .messages()
        .iter()
        .cloned()
        .map(Received::new)
        .collect())
}

/// Reads up to `limit` messages of a queue without taking them: each is received and handed
/// back (visible again) before this returns.
async fn peek(sqs: &aws_sdk_sqs::Client, url: &str, limit: usize) -> Result<Vec<Received>, String> {
    let mut seen = Vec::new();
    let mut ids = HashSet::new();
    while seen.len() < limit {
        let batch = receive(sqs, url, limit - seen.len(), PEEK_HOLD_S).await?;
        let fresh: Vec<Received> = batch
            .into_iter()
            .filter(|received| ids.insert(received.id().to_owned()))
            .collect();
        if fresh.is_empty() {
            break;
        }
        seen.extend(fresh);
    }
    let handles: Vec<&str> = seen
        .iter()
        .filter_map(|received| received.message.receipt_handle())
        .collect();
    hand_back(sqs, url, &handles).await?;
    Ok(seen)
}

/// Makes received messages visible again at once.
async fn hand_back(sqs: &aws_sdk_sqs::Client, url: &str, handles: &[&str]) -> Result<(), String> {
    for chunk in handles.chunks(BATCH as usize) {
        let entries = chunk
            .iter()
            .enumerate()
            .map(|(index, handle)| {
                ChangeMessageVisibilityBatchRequestEntry::builder()
                    .id(index.to_string())
                    .receipt_handle(*handle)
                    .visibility_timeout(0)
                    .build()
                    .map_err(|error| error.to_string())
            })
            .collect::<Result<Vec<_>, _>>()?;
        sqs.change_message_visibility_batch()
            .queue_url(url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|error| sqs_error("handing messages back", error))?;
    }
    Ok(())
}

/// The queue's attributes `dlq` reads.
struct QueueCounts {
    arn: String,
    visible: u64,
    in_flight: u64,
}

async fn counts(sqs: &aws_sdk_sqs::Client, url: &str) -> Result<QueueCounts, String> {
    let answer = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .map_err(|error| sqs_error(&format!("reading {}", queue_name_of(url)), error))?;
    let attribute = |name: QueueAttributeName| {
        answer
            .attributes()
            .and_then(|attributes| attributes.get(&name))
            .cloned()
            .unwrap_or_default()
    };
    Ok(QueueCounts {
        arn: attribute(QueueAttributeName::QueueArn),
        visible: attribute(QueueAttributeName::ApproximateNumberOfMessages)
            .parse()
            .unwrap_or(0),
        in_flight: attribute(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .parse()
            .unwrap_or(0),
    })
}

// --- list and show ----------------------------------------------------------------------------

async fn list(stack: &Stack, printer: &Printer) -> Result<(), String> {
    let now = OffsetDateTime::now_utc();
    if !printer.json {
        println!(
            "{:<40} {:>8} {:>9} {:>8}  REDRIVE TO",
            "QUEUE", "MESSAGES", "IN FLIGHT", "OLDEST"
        );
    }
    for logical_id in dead_letter_queues(&stack.spec) {
        let Some(url) = stack.queue_urls.get(&logical_id) else {
            continue;
        };
        let queue = QueueRef {
            logical_id: logical_id.clone(),
            url: url.clone(),
        };
        let counts = counts(&stack.sqs, url).await?;
        let oldest = if counts.visible > 0 {
            peek(&stack.sqs, url, LIST_SAMPLE)
                .await?
                .iter()
                .filter_map(|received| received.sent)
                .min()
        } else {
            None
        };
        let age = oldest.map(|sent| (now - sent).whole_seconds());
        let target = stack.default_target_text(&logical_id);
        printer.line(
            || {
                format!(
                    "{:<40} {:>8} {:>9} {:>8}  {target}",
                    queue.name(),
                    counts.visible,
                    counts.in_flight,
                    age.map(age_text).unwrap_or_else(|| "-".to_owned()),
                )
            },
            || {
                json!({
                    "queue": queue.name(),
                    "logical_id": logical_id,
                    "url": url,
                    "messages": counts.visible,
                    "in_flight": counts.in_flight,
                    "oldest_age_s": age,
                    "oldest_sent": oldest.map(rfc3339),
                    "redrive_to": target,
                })
            },
        );
    }
    Ok(())
}

fn rfc3339(time: OffsetDateTime) -> String {
    time.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

async fn show(
    stack: &Stack,
    printer: &Printer,
    reference: &str,
    limit: usize,
) -> Result<(), String> {
    let queue = stack.queue(reference)?;
    let messages = peek(&stack.sqs, &queue.url, limit).await?;
    for received in &messages {
        let letter = received.decoded();
        printer.line(
            || letter_text(received, &letter),
            || letter_json(&queue, received, &letter),
        );
    }
    if !printer.json {
        println!("{} message(s) in {}", messages.len(), queue.name());
    }
    Ok(())
}

fn letter_text(received: &Received, letter: &DeadLetter) -> String {
    let missing = || "?".to_owned();
    let mut text = format!(
        "{}  {}  sent {}\n  {} invoice {} r{} correlation {}\n  reason: {}",
        received.id(),
        letter.shape_name(),
        received.sent.map(rfc3339).unwrap_or_else(missing),
        letter.event_type.clone().unwrap_or_else(missing),
        letter.invoice_id.clone().unwrap_or_else(missing),
        letter
            .revision
            .map(|r| r.to_string())
            .unwrap_or_else(missing),
        letter.correlation_id.clone().unwrap_or_else(missing),
        letter.reason,
    );
    if let Shape::Unreadable(why) = &letter.shape {
        let start: String = received.body().chars().take(120).collect();
        text.push_str(&format!("\n  unreadable: {why}; body starts {start:?}"));
    }
    text
}

fn letter_json(queue: &QueueRef, received: &Received, letter: &DeadLetter) -> Value {
    json!({
        "queue": queue.name(),
        "message_id": received.id(),
        "sent": received.sent.map(rfc3339),
        "receive_count": received.receive_count,
        "shape": letter.shape_name(),
        "type": letter.event_type,
        "invoice_id": letter.invoice_id,
        "revision": letter.revision,
        "correlation_id": letter.correlation_id,
        "event_id": letter.event_id,
        "reason": letter.reason,
    })
}

// --- redrive ----------------------------------------------------------------------------------

/// How a redrive ended.
#[derive(Debug, Default)]
struct RedriveReport {
    moved: usize,
    /// Messages that stay in the dead-letter queue, each with why.
    left: Vec<(String, String)>,
    /// Messages the target took but that could not be deleted: they will come once more.
    not_deleted: Vec<(String, String)>,
}

async fn redrive(
    stack: &Stack,
    printer: &Printer,
    reference: &str,
    to: Option<&str>,
    dry_run: bool,
) -> Result<(), String> {
    let queue = stack.queue(reference)?;
    let target = stack.target(&queue, to)?;
    let target_name = match &target {
        Target::Queue(target) => format!("queue {}", target.name()),
        Target::Function(_, function) => format!("function {}", function.name),
    };
    if dry_run {
        let messages = peek(&stack.sqs, &queue.url, usize::MAX).await?;
        for received in &messages {
            let letter = received.decoded();
            let sendable = match &target {
                Target::Queue(_) => true,
                Target::Function(..) => letter.invocation_payload("").is_some(),
            };
            printer.line(
                || {
                    format!(
                        "would {} {} ({} invoice {})",
                        if sendable { "redrive" } else { "leave" },
                        received.id(),
                        letter.event_type.as_deref().unwrap_or("?"),
                        letter.invoice_id.as_deref().unwrap_or("?")
                    )
                },
                || {
                    let mut object = letter_json(&queue, received, &letter);
                    object["dry_run"] = json!(if sendable { "redrive" } else { "leave" });
                    object["to"] = json!(target_name);
                    object
                },
            );
        }
        if !printer.json {
            println!(
                "dry run: {} message(s) of {} would go to {target_name}; nothing changed",
                messages.len(),
                queue.name()
            );
        }
        return Ok(());
    }
    let report = match &target {
        Target::Queue(target) => match move_task(&stack.sqs, &queue, target).await {
            Ok(moved) => RedriveReport {
                moved,
                ..RedriveReport::default()
            },
            Err(why) => {
                if !printer.json {
                    eprintln!(
                        "StartMessageMoveTask is not available here ({why}); moving with receive, send, delete"
                    );
                }
                move_loop(
                    &stack.sqs,
                    &queue.url,
                    &Destination::Queue {
                        sqs: &stack.sqs,
                        url: &target.url,
                    },
                )
                .await?
            }
        },
        Target::Function(logical_id, function) => {
            let subscription = subscription_arn(&stack.spec, logical_id);
            move_loop(
                &stack.sqs,
                &queue.url,
                &Destination::Function {
                    lambda: &stack.lambda,
                    function,
                    subscription_arn: &subscription,
                },
            )
            .await?
        }
    };
    for (id, why) in &report.left {
        printer.line(
            || format!("left {id} in {}: {why}", queue.name()),
            || json!({"queue": queue.name(), "message_id": id, "left": why}),
        );
    }
    for (id, why) in &report.not_deleted {
        printer.line(
            || format!("sent {id} but could not delete it from {} ({why}): it will be redriven twice; the pipeline's idempotency absorbs the copy", queue.name()),
            || json!({"queue": queue.name(), "message_id": id, "not_deleted": why}),
        );
    }
    printer.line(
        || {
            format!(
                "redrove {} message(s) of {} to {target_name}; {} left",
                report.moved,
                queue.name(),
                report.left.len()
            )
        },
        || {
            json!({
                "queue": queue.name(),
                "to": target_name,
                "moved": report.moved,
                "left": report.left.len(),
                "not_deleted": report.not_deleted.len(),
            })
        },
    );
    if report.left.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} message(s) could not be redriven and stay in {}",
            report.left.len(),
            queue.name()
        ))
    }
}

/// The ARN of the function's SNS subscription, for the SNS event rebuilt from a notification
/// (Lambda puts it in `EventSubscriptionArn`; paperflow's functions do not read it).
fn subscription_arn(spec: &StackSpec, function_logical_id: &str) -> String {
    spec.functions
        .iter()
        .find(|function| function.logical_id == function_logical_id)
        .and_then(|function| function.sns_sources.first())
        .map(|source| format!("{}:paperflow-dlq-redrive", source.topic_arn))
        .unwrap_or_default()
}

/// SQS's own redrive: StartMessageMoveTask, waited for. `Err` says why it could not run (moto
/// has no such operation), and the caller moves the messages itself.
async fn move_task(
    sqs: &aws_sdk_sqs::Client,
    queue: &QueueRef,
    target: &QueueRef,
) -> Result<usize, String> {
    let source_arn = counts(sqs, &queue.url).await?.arn;
    let target_arn = counts(sqs, &target.url).await?.arn;
    let started = sqs
        .start_message_move_task()
        .source_arn(&source_arn)
        .destination_arn(&target_arn)
        .send()
        .await
        .map_err(|error| {
            use aws_sdk_sqs::error::ProvideErrorMetadata;
            error
                .code()
                .map(str::to_owned)
                .unwrap_or_else(|| sqs_error("StartMessageMoveTask", error))
        })?;
    let handle = started.task_handle().unwrap_or_default().to_owned();
    loop {
        let tasks = sqs
            .list_message_move_tasks()
            .source_arn(&source_arn)
            .send()
            .await
            .map_err(|error| sqs_error("ListMessageMoveTasks", error))?;
        // The most recent task of the source comes first; SQS gives a task handle only while
        // the task runs, so a finished one is recognised by being the latest.
        let task = tasks
            .results()
            .first()
            .filter(|task| task.task_handle().is_none_or(|running| running == handle));
        match task.and_then(|task| task.status().map(|status| (task, status))) {
            Some((task, "COMPLETED")) => {
                return Ok(task.approximate_number_of_messages_moved() as usize);
            }
            Some((task, status @ ("FAILED" | "CANCELLED"))) => {
                return Err(format!(
                    "the move task {status}: {}",
                    task.failure_reason().unwrap_or("no reason given")
                ));
            }
            _ => tokio::time::sleep(MOVE_TASK_POLL).await,
        }
    }
}

/// Where the loop sends what it receives.
enum Destination<'a> {
    /// Another queue: the same body and message attributes.
    Queue {
        sqs: &'a aws_sdk_sqs::Client,
        url: &'a str,
    },
    /// A function, invoked again with the original event.
    Function {
        lambda: &'a aws_sdk_lambda::Client,
        function: &'a DeployedFunction,
        subscription_arn: &'a str,
    },
}

/// Receive, send, delete: a message is deleted from the dead-letter queue only after its
/// target took it. A message that could not be sent stays (handed back visible at the end);
/// one that was sent but not deleted comes once more, which the pipeline's idempotency absorbs.
/// Each message is tried once per run: the run ends when a receive brings only messages it
/// already tried, or none.
async fn move_loop(
    sqs: &aws_sdk_sqs::Client,
    dlq_url: &str,
    destination: &Destination<'_>,
) -> Result<RedriveReport, String> {
    let mut report = RedriveReport::default();
    let mut tried = HashSet::new();
    let mut kept_handles: Vec<String> = Vec::new();
    loop {
        let batch = receive(sqs, dlq_url, BATCH as usize, REDRIVE_HOLD_S).await?;
        let (fresh, again): (Vec<Received>, Vec<Received>) = batch
            .into_iter()
            .partition(|received| tried.insert(received.id().to_owned()));
        kept_handles.extend(
            again
                .iter()
                .filter_map(|received| received.message.receipt_handle().map(str::to_owned)),
        );
        if fresh.is_empty() {
            break;
        }
        let outcomes = deliver(destination, &fresh).await?;
        let mut delivered = Vec::new();
        for (received, outcome) in fresh.iter().zip(outcomes) {
            match outcome {
                Ok(()) => delivered.push(received),
                Err(why) => {
                    report.left.push((received.id().to_owned(), why));
                    kept_handles.extend(received.message.receipt_handle().map(str::to_owned));
                }
            }
        }
        report.moved += delivered.len();
        report
            .not_deleted
            .extend(delete(sqs, dlq_url, &delivered).await);
    }
    let handles: Vec<&str> = kept_handles.iter().map(String::as_str).collect();
    hand_back(sqs, dlq_url, &handles).await?;
    Ok(report)
}

/// Hands each message to the destination; one outcome per message, in order.
async fn deliver(
    destination: &Destination<'_>,
    messages: &[Received],
) -> Result<Vec<Result<(), String>>, String> {
    match destination {
        Destination::Queue { sqs, url } => send_batch(sqs, url, messages).await,
        Destination::Function {
            lambda,
            function,
            subscription_arn,
        } => {
            let mut outcomes = Vec::new();
            for received in messages {
                let letter = received.decoded();
                outcomes.push(match letter.invocation_payload(subscription_arn) {
                    Some(payload) => invoke(lambda, function, &payload).await,
                    None => Err(format!(
                        "a {} cannot be given to a function again: neither a Lambda destination record nor an SNS notification",
                        letter.shape_name()
                    )),
                });
            }
            Ok(outcomes)
        }
    }
}

/// Sends messages to a queue with their bodies and message attributes, in one batch.
async fn send_batch(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
    messages: &[Received],
) -> Result<Vec<Result<(), String>>, String> {
    let entries = messages
        .iter()
        .enumerate()
        .map(|(index, received)| {
            SendMessageBatchRequestEntry::builder()
                .id(index.to_string())
                .message_body(received.body())
                .set_message_attributes(received.message.message_attributes().cloned())
                .build()
                .map_err(|error| error.to_string())
        })
        .collect::<Result<Vec<_>, _>>()?;
    let answer = sqs
        .send_message_batch()
        .queue_url(url)
        .set_entries(Some(entries))
        .send()
        .await;
    let answer = match answer {
        Ok(answer) => answer,
        // The whole batch was refused: one message may spoil a batch (some services check
        // each entry against the queue's limits before any is sent), so each is sent alone and
        // one bad message never holds back its neighbours.
        Err(_) => {
            let mut outcomes = Vec::new();
            for received in messages {
                let sent = sqs
                    .send_message()
                    .queue_url(url)
                    .message_body(received.body())
                    .set_message_attributes(received.message.message_attributes().cloned())
                    .send()
                    .await;
                outcomes.push(sent.map(|_| ()).map_err(|error| {
                    sqs_error(&format!("sending to {}", queue_name_of(url)), error)
                }));
            }
            return Ok(outcomes);
        }
    };
    let mut outcomes: Vec<Result<(), String>> = messages
        .iter()
        .map(|_| Err("SQS answered nothing about it".to_owned()))
        .collect();
    for sent in answer.successful() {
        if let Some(outcome) = sent
            .id()
            .parse::<usize>()
            .ok()
            .and_then(|i| outcomes.get_mut(i))
        {
            *outcome = Ok(());
        }
    }
    for failed in answer.failed() {
        if let Some(outcome) = failed
            .id()
            .parse::<usize>()
            .ok()
            .and_then(|i| outcomes.get_mut(i))
        {
            *outcome = Err(format!(
                "sending to {}: {} {}",
                queue_name_of(url),
                failed.code(),
                failed.message().unwrap_or_default()
            ));
        }
    }
    Ok(outcomes)
}

/// Invokes the function with `payload` and waits for its answer: a message is deleted only
/// when the function ran without an error (see docs/DECISIONS.md, dlq: re-invoking).
async fn invoke(
    lambda: &aws_sdk_lambda::Client,
    function: &DeployedFunction,
    payload: &Value,
) -> Result<(), String> {
    let answer = lambda
        .invoke()
        .function_name(&function.invoke_as)
        .invocation_type(InvocationType::RequestResponse)
        .payload(Blob::new(payload.to_string()))
        .send()
        .await
        .map_err(|error| {
            format!(
                "invoking {}: {}",
                function.name,
                aws_sdk_lambda::error::DisplayErrorContext(error)
            )
        })?;
    match answer.function_error() {
        None => Ok(()),
        Some(kind) => {
            let body: Value = answer
                .payload()
                .and_then(|payload| serde_json::from_slice(payload.as_ref()).ok())
                .unwrap_or(Value::Null);
            Err(format!(
                "{} failed again ({kind}): {}",
                function.name,
                body["errorMessage"].as_str().unwrap_or("no error message")
            ))
        }
    }
}

/// Deletes messages the target took; the ones that could not be deleted, with why.
async fn delete(
    sqs: &aws_sdk_sqs::Client,
    url: &str,
    messages: &[&Received],
) -> Vec<(String, String)> {
    if messages.is_empty() {
        return Vec::new();
    }
    let entries: Vec<DeleteMessageBatchRequestEntry> = messages
        .iter()
        .enumerate()
        .filter_map(|(index, received)| {
            DeleteMessageBatchRequestEntry::builder()
                .id(index.to_string())
                .receipt_handle(received.message.receipt_handle().unwrap_or_default())
                .build()
                .ok()
        })
        .collect();
    match sqs
        .delete_message_batch()
        .queue_url(url)
        .set_entries(Some(entries))
        .send()
        .await
    {
        Ok(answer) => answer
            .failed()
            .iter()
            .filter_map(|failed| {
                let received = messages.get(failed.id().parse::<usize>().ok()?)?;
                Some((
                    received.id().to_owned(),
                    format!("{} {}", failed.code(), failed.message().unwrap_or_default()),
                ))
            })
            .collect(),
        Err(error) => {
            let why = sqs_error("deleting", error);
            messages
                .iter()
                .map(|received| (received.id().to_owned(), why.clone()))
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FINALIZED: &str = r#"{"specversion":"1.0","id":"e-1","source":"erp","type":"invoice.finalized.v1","subject":"INV-7","time":"2026-12-05T01:00:00Z","correlationid":"corr-7","data":{"invoice_id":"INV-7","revision":3}}"#;

    fn notification(message: &str) -> Value {
        json!({
            "Type": "Notification",
            "MessageId": "m-1",
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:paperflow-dev-document-events",
            "Message": message,
            "Timestamp": "2026-12-05T01:00:00.000Z",
            "SignatureVersion": "1",
            "Signature": "c2ln",
            "SigningCertURL": "https://sns.example/cert.pem",
            "UnsubscribeURL": "https://sns.example/unsubscribe",
            "MessageAttributes": {"type": {"Type": "String", "Value": "invoice.pdf.ready.v1"}}
        })
    }

    #[test]
    fn a_raw_event_in_a_dead_letter_queue_shows_its_invoice_and_that_no_reason_was_recorded() {
        let letter = DeadLetter::decode(FINALIZED, Some(5));
        assert_eq!(letter.shape, Shape::Event);
        assert_eq!(letter.event_type.as_deref(), Some("invoice.finalized.v1"));
        assert_eq!(letter.invoice_id.as_deref(), Some("INV-7"));
        assert_eq!(letter.revision, Some(3));
        assert_eq!(letter.correlation_id.as_deref(), Some("corr-7"));
        assert!(
            letter.reason.starts_with("no reason recorded"),
            "{}",
            letter.reason
        );
        assert!(
            letter.reason.contains("after 5 receive(s)"),
            "{}",
            letter.reason
        );
        assert_eq!(
            letter.invocation_payload("arn"),
            None,
            "an SQS dead letter goes to a queue"
        );
    }

    #[test]
    fn a_destination_record_gives_the_functions_error_and_its_original_sns_event() {
        let event = sns_event(&notification(FINALIZED), "arn:sub");
        let record = json!({
            "version": "1.0",
            "timestamp": "2026-12-05T01:00:03.000Z",
            "requestContext": {
                "requestId": "r-1",
                "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:mailer:$LATEST",
                "condition": "RetriesExhausted",
                "approximateInvokeCount": 3
            },
            "requestPayload": event,
            "responseContext": {"statusCode": 200, "functionError": "Unhandled"},
            "responsePayload": {"errorMessage": "s3 (permanent): NoSuchBucket", "errorType": "Error"}
        });
        let letter = DeadLetter::decode(&record.to_string(), Some(1));
        assert_eq!(letter.shape_name(), "lambda-destination-record");
        assert_eq!(letter.invoice_id.as_deref(), Some("INV-7"));
        assert_eq!(letter.correlation_id.as_deref(), Some("corr-7"));
        assert_eq!(
            letter.reason,
            "RetriesExhausted after 3 invocation(s): Error: s3 (permanent): NoSuchBucket"
        );
        assert_eq!(letter.invocation_payload("ignored"), Some(event));
    }

    #[test]
    fn an_sns_notification_becomes_the_sns_event_lambda_would_have_given_the_function() {
        let letter = DeadLetter::decode(&notification(FINALIZED).to_string(), None);
        assert_eq!(letter.shape_name(), "sns-notification");
        assert_eq!(letter.invoice_id.as_deref(), Some("INV-7"));
        let event = letter.invocation_payload("arn:sub").expect("an SNS event");
        let record = &event["Records"][0];
        assert_eq!(record["EventSource"], "aws:sns");
        assert_eq!(record["EventSubscriptionArn"], "arn:sub");
        assert_eq!(record["Sns"]["Message"], FINALIZED);
        assert_eq!(
            record["Sns"]["SigningCertUrl"],
            "https://sns.example/cert.pem"
        );
        assert_eq!(
            record["Sns"]["MessageAttributes"]["type"]["Value"],
            "invoice.pdf.ready.v1"
        );
        // The function reads it back the way it reads any SNS event.
        let decoded =
            paperflow_events::decode_body(record["Sns"]["Message"].as_str().unwrap_or_default());
        assert_eq!(decoded.map(|event| event.id).ok().as_deref(), Some("e-1"));
    }

    #[test]
    fn a_body_that_is_not_an_event_is_shown_as_unreadable_with_the_rule_it_breaks() {
        let letter = DeadLetter::decode("this is not an event {", Some(2));
        assert!(
            matches!(&letter.shape, Shape::Unreadable(why) if why.contains("JSON")),
            "{letter:?}"
        );
        assert_eq!(letter.invoice_id, None);
        let letter = DeadLetter::decode(r#"{"hello":"world"}"#, Some(2));
        assert!(matches!(&letter.shape, Shape::Unreadable(_)), "{letter:?}");
    }

    fn template_spec() -> StackSpec {
        let template = concat!(env!("CARGO_MANIFEST_DIR"), "/../../infra/sam/template.yaml");
        load_template(Path::new(template), &BTreeMap::new()).expect("the project's template")
    }

    #[test]
    fn the_templates_dead_letter_queues_and_where_each_redrives() {
        let spec = template_spec();
        let mut queues = dead_letter_queues(&spec);
        queues.sort();
        assert_eq!(
            queues,
            [
                "AlarmDeliveriesDeadLetterQueue",
                "ArchiveDeadLetterQueue",
                "MailerFailuresQueue",
                "PdfRequestsDeadLetterQueue"
            ]
        );
        assert_eq!(
            redrive_target(&spec, "PdfRequestsDeadLetterQueue"),
            RedriveTarget::Queue("PdfRequestsQueue".to_owned())
        );
        assert_eq!(
            redrive_target(&spec, "ArchiveDeadLetterQueue"),
            RedriveTarget::Queue("ArchiveQueue".to_owned())
        );
        assert_eq!(
            redrive_target(&spec, "MailerFailuresQueue"),
            RedriveTarget::Function("PdfMailerFunction".to_owned())
        );
        assert_eq!(
            redrive_target(&spec, "AlarmDeliveriesDeadLetterQueue"),
            RedriveTarget::None
        );
    }

    #[test]
    fn cloudformations_resource_list_gives_queue_urls_and_function_names() {
        let listed = json!({"StackResourceSummaries": [
            {"LogicalResourceId": "MailerFailuresQueue", "PhysicalResourceId": "https://sqs.eu-west-1.amazonaws.com/1/paperflow-prod-mailer-failures", "ResourceType": "AWS::SQS::Queue"},
            {"LogicalResourceId": "PdfMailerFunction", "PhysicalResourceId": "paperflow-PdfMailerFunction-AbC", "ResourceType": "AWS::Lambda::Function"},
            {"LogicalResourceId": "DataKey", "PhysicalResourceId": "k", "ResourceType": "AWS::KMS::Key"}
        ]});
        let resources = StackResources::parse(listed.to_string().as_bytes()).expect("parsed");
        assert_eq!(resources.queues.len(), 1);
        assert_eq!(
            resources.functions["PdfMailerFunction"],
            "paperflow-PdfMailerFunction-AbC"
        );
        let error = StackResources::parse(b"{\"Stacks\": []}").expect_err("not a resource list");
        assert!(error.contains("list-stack-resources"), "{error}");
    }

    #[test]
    fn ages_read_as_a_person_says_them() {
        assert_eq!(age_text(45), "45s");
        assert_eq!(age_text(725), "12m05s");
        assert_eq!(age_text(3 * 3600 + 120), "3h02m");
        assert_eq!(age_text(2 * 86_400 + 4 * 3600), "2d04h");
    }
}
