//! Reads the SAM template (`infra/sam/template.yaml`) into a [`StackSpec`]: parameters with
//! their defaults and overrides, every `Ref`, `Fn::GetAtt` and `Fn::Sub` resolved to the plain
//! string AWS would put there, and every resource sorted into "created locally", "not emulated"
//! (said why) or refused.
//!
//! The reader is strict on purpose. The local stack claims to run *the same topology* that is
//! deployed; a property or intrinsic it silently skipped would make that claim false without
//! anyone noticing. So every resource type, property, event property and intrinsic is either
//! understood, explicitly listed as having no local effect (and reported), or an error that
//! names its place in the template, e.g.
//! `Resources.PdfGeneratorFunction.Properties.Events.PdfRequests.Properties.Queue: Fn::If is not
//! supported by the local stack`.
//!
//! SAM's `Globals` section is merged the way SAM merges it (`Globals.Function` into every
//! `AWS::Serverless::Function`, `Globals.HttpApi` into every `AWS::Serverless::HttpApi`: the
//! resource's own scalars win, maps are merged key by key, lists are concatenated).

use crate::spec::{
    AsyncInvokeSpec, BucketSpec, Destination, DestinationKind, FunctionSpec, HttpApiSpec,
    HttpRouteSpec, NoLocalEffect, NotEmulated, QueueSpec, Redrive, SnsSourceSpec, SqsSourceSpec,
    StackContext, StackSpec, SubscriptionSpec, TopicSpec,
};
use serde_json::Value as Json;
use serde_norway::{Mapping, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Why a template cannot be run locally. Every variant names the place in the template.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    /// The file could not be read.
    #[error("cannot read the template {path}: {source}")]
    Io {
        /// The path as given.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not YAML.
    #[error("the template is not valid YAML: {0}")]
    Yaml(String),
    /// Something in the template the local stack does not run, or a wrong value.
    #[error("{place}: {message}")]
    Invalid {
        /// Where: `Resources.<LogicalId>.Properties.<Path>`, `Parameters.<Name>`, …
        place: String,
        /// What is wrong.
        message: String,
    },
}

type Result<T> = std::result::Result<T, TemplateError>;

fn invalid(place: impl Into<String>, message: impl Into<String>) -> TemplateError {
    TemplateError::Invalid {
        place: place.into(),
        message: message.into(),
    }
}

/// The only transform the local stack understands: SAM's.
const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";

const BUCKET: &str = "AWS::S3::Bucket";
const TOPIC: &str = "AWS::SNS::Topic";
const QUEUE: &str = "AWS::SQS::Queue";
const SUBSCRIPTION: &str = "AWS::SNS::Subscription";
const FUNCTION: &str = "AWS::Serverless::Function";
const HTTP_API: &str = "AWS::Serverless::HttpApi";

/// SAM's implicit HTTP API: the one an `HttpApi` event without `ApiId` attaches to.
const IMPLICIT_HTTP_API: &str = "ServerlessHttpApi";

/// Resource types that exist in AWS but are not created locally, and why that is safe.
const NOT_EMULATED: &[(&str, &str)] = &[
    (
        "AWS::IAM::Role",
        "IAM is not enforced locally: the emulator accepts every call whatever a role allows",
    ),
    (
        "AWS::KMS::Key",
        "encryption at rest is not emulated: the emulator keeps data in memory",
    ),
    ("AWS::KMS::Alias", "names a KMS key, which is not emulated"),
    (
        "AWS::Logs::LogGroup",
        "functions log to the local stack's terminal, not to CloudWatch Logs",
    ),
    (
        "AWS::CloudWatch::Alarm",
        "no CloudWatch metrics exist locally; look at the queues directly",
    ),
    (
        "AWS::S3::BucketPolicy",
        "resource policies are not enforced by the emulator",
    ),
    (
        "AWS::SNS::TopicPolicy",
        "resource policies are not enforced by the emulator",
    ),
    (
        "AWS::SQS::QueuePolicy",
        "resource policies are not enforced by the emulator",
    ),
];

const ENCRYPTION: &str = "encryption at rest is not emulated";
const TAGS: &str = "tags change nothing locally";
const NO_IAM: &str = "IAM is not enforced locally";

/// Properties of each created type: the ones this module reads, and the ones accepted without
/// local effect (reported, with the reason). Anything else is refused.
struct PropertyRules {
    used: &'static [&'static str],
    no_effect: &'static [(&'static str, &'static str)],
}

const BUCKET_RULES: PropertyRules = PropertyRules {
    used: &["BucketName"],
    no_effect: &[
        ("BucketEncryption", ENCRYPTION),
        (
            "LifecycleConfiguration",
            "objects are not expired locally; the emulator's state ends with the stack",
        ),
        (
            "LoggingConfiguration",
            "server access logs are not written locally",
        ),
        (
            "VersioningConfiguration",
            "the pipeline never reads old versions; versioning only protects deployed data",
        ),
        (
            "OwnershipControls",
            "ACLs and object ownership are not enforced by the emulator",
        ),
        (
            "PublicAccessBlockConfiguration",
            "nothing local is public; the emulator listens on loopback",
        ),
        (
            "CorsConfiguration",
            "browsers do not reach the local buckets",
        ),
        (
            "IntelligentTieringConfigurations",
            "storage classes are not emulated",
        ),
        (
            "MetricsConfigurations",
            "no CloudWatch metrics exist locally",
        ),
        ("AnalyticsConfigurations", "no analytics exist locally"),
        (
            "InventoryConfigurations",
            "no inventory reports exist locally",
        ),
        (
            "ReplicationConfiguration",
            "there is no second region locally",
        ),
        ("Tags", TAGS),
    ],
};

const TOPIC_RULES: PropertyRules = PropertyRules {
    used: &["TopicName"],
    no_effect: &[
        ("KmsMasterKeyId", ENCRYPTION),
        ("DisplayName", "shown only in SMS and e-mail deliveries"),
        ("TracingConfig", "X-Ray is not emulated"),
        (
            "SignatureVersion",
            "raw SQS deliveries carry no signature; the consumers do not check it",
        ),
        (
            "DeliveryStatusLogging",
            "delivery logs go to CloudWatch Logs, which is not emulated",
        ),
        ("Tags", TAGS),
    ],
};

const QUEUE_RULES: PropertyRules = PropertyRules {
    used: &[
        "QueueName",
        "VisibilityTimeout",
        "MessageRetentionPeriod",
        "RedrivePolicy",
    ],
    no_effect: &[
        ("KmsMasterKeyId", ENCRYPTION),
        ("KmsDataKeyReusePeriodSeconds", ENCRYPTION),
        ("SqsManagedSseEnabled", ENCRYPTION),
        (
            "RedriveAllowPolicy",
            "only limits which queues may use this one as a DLQ; the template's own redrive is created",
        ),
        ("Tags", TAGS),
    ],
};

const SUBSCRIPTION_RULES: PropertyRules = PropertyRules {
    used: &[
        "TopicArn",
        "Protocol",
        "Endpoint",
        "RawMessageDelivery",
        "FilterPolicy",
        "FilterPolicyScope",
    ],
    no_effect: &[
        (
            "RedrivePolicy",
            "the emulator delivers to the queue at once; an undeliverable message does not happen locally",
        ),
        ("DeliveryPolicy", "applies to HTTP(S) endpoints only"),
    ],
};

const FUNCTION_RULES: PropertyRules = PropertyRules {
    used: &[
        "FunctionName",
        "CodeUri",
        "Timeout",
        "MemorySize",
        "Environment",
        "Events",
        "EventInvokeConfig",
    ],
    no_effect: &[
        (
            "Handler",
            "cargo lambda runs the crate's binary; the handler name is for provided runtimes' bootstrap",
        ),
        (
            "Runtime",
            "functions run as native processes under cargo lambda watch",
        ),
        (
            "Architectures",
            "functions are built for this machine's architecture",
        ),
        ("Role", NO_IAM),
        ("Policies", NO_IAM),
        ("PermissionsBoundary", NO_IAM),
        (
            "LoggingConfig",
            "functions log to the local stack's terminal, not to CloudWatch Logs",
        ),
        ("Tracing", "X-Ray is not emulated"),
        ("KmsKeyArn", ENCRYPTION),
        (
            "ReservedConcurrentExecutions",
            "there is no account concurrency pool locally",
        ),
        (
            "ProvisionedConcurrencyConfig",
            "local functions are started once and stay warm",
        ),
        ("AutoPublishAlias", "the local stack runs the working tree"),
        (
            "DeploymentPreference",
            "the local stack runs the working tree",
        ),
        ("VpcConfig", "there is no VPC locally"),
        (
            "EphemeralStorage",
            "local functions use the machine's temporary folder",
        ),
        ("RuntimeManagementConfig", "no managed runtime locally"),
        ("Description", "documentation only"),
        ("Tags", TAGS),
    ],
};

const HTTP_API_RULES: PropertyRules = PropertyRules {
    used: &["StageName"],
    no_effect: &[
        (
            "Auth",
            "authorization is not enforced locally; each route's authorizer is shown at start",
        ),
        (
            "AccessLogSettings",
            "access logs go to CloudWatch Logs, which is not emulated; requests are reported instead",
        ),
        ("DefaultRouteSettings", "throttling is not emulated"),
        ("RouteSettings", "throttling is not emulated"),
        (
            "CorsConfiguration",
            "the local front door does not answer CORS preflights",
        ),
        (
            "Domain",
            "the local API is served on a loopback port, not a custom domain",
        ),
        (
            "DisableExecuteApiEndpoint",
            "the local API is served on a loopback port",
        ),
        ("FailOnWarnings", "concerns the deployment of the API"),
        ("Description", "documentation only"),
        ("Tags", TAGS),
        ("PropagateTags", TAGS),
    ],
};

/// Resource attributes (siblings of `Type`) accepted without local effect.
const ATTRIBUTES_NO_EFFECT: &[(&str, &str)] = &[
    (
        "DeletionPolicy",
        "the local stack is thrown away with the emulator",
    ),
    (
        "UpdateReplacePolicy",
        "the local stack is never updated in place",
    ),
    (
        "Metadata",
        "build settings and linter notes; only BuildProperties.Binary of functions is read",
    ),
    ("UpdatePolicy", "the local stack is never updated in place"),
    (
        "CreationPolicy",
        "the local stack does not wait for signals",
    ),
];

/// Reads the template at `path`; see [`parse`].
pub fn load(
    path: &Path,
    context: &StackContext,
    overrides: &BTreeMap<String, String>,
) -> Result<StackSpec> {
    let yaml = std::fs::read_to_string(path).map_err(|source| TemplateError::Io {
        path: path.display().to_string(),
        source,
    })?;
    parse(&yaml, context, overrides)
}

/// Resolves a SAM template (YAML text) for the stack `context`, with parameter `overrides`
/// (name → value) applied over the parameters' defaults.
pub fn parse(
    yaml: &str,
    context: &StackContext,
    overrides: &BTreeMap<String, String>,
) -> Result<StackSpec> {
    let mut document: Value =
        serde_norway::from_str(yaml).map_err(|error| TemplateError::Yaml(error.to_string()))?;
    // YAML merge keys (`<<: *anchor`); plain anchors and aliases are expanded by the parser.
    document
        .apply_merge()
        .map_err(|error| TemplateError::Yaml(error.to_string()))?;
    let Value::Mapping(mut root) = document else {
        return Err(invalid("(template)", "the template is not a mapping"));
    };
    check_top_level(&root)?;
    apply_globals(&mut root)?;

    let parameters = parameters(&root, overrides)?;
    let resources = declared_resources(&root)?;
    let mut resolver = Resolver {
        context,
        parameters: &parameters,
        resources: &resources,
        identities: BTreeMap::new(),
        resolving: Vec::new(),
    };
    let mut spec = StackSpec {
        parameters: parameters
            .iter()
            .map(|(name, parameter)| (name.clone(), parameter.value.clone()))
            .collect(),
        ..StackSpec::default()
    };
    build(&mut resolver, &mut spec)?;
    spec.outputs = outputs(&root, &mut resolver)?;
    Ok(spec)
}

// --- the document's top level ------------------------------------------------------------------

fn check_top_level(root: &Mapping) -> Result<()> {
    for (key, value) in root {
        let key = key_string(key, "(template)")?;
        match key.as_str() {
            "AWSTemplateFormatVersion"
            | "Description"
            | "Metadata"
            | "Parameters"
            | "Resources"
            | "Outputs"
            | "Globals" => {}
            // Only read through Fn::FindInMap, which is refused where it is used.
            "Mappings" => {}
            "Transform" => {
                let transforms: Vec<&Value> = match value {
                    Value::Sequence(list) => list.iter().collect(),
                    other => vec![other],
                };
                for transform in transforms {
                    if transform.as_str() != Some(SAM_TRANSFORM) {
                        return Err(invalid(
                            "Transform",
                            format!(
                                "only {SAM_TRANSFORM} is supported by the local stack, not {}",
                                show(transform)
                            ),
                        ));
                    }
                }
            }
            "Conditions" | "Rules" => {
                return Err(invalid(
                    key,
                    "conditions and rules are not supported by the local stack",
                ));
            }
            other => {
                return Err(invalid(
                    other,
                    "unknown top-level section of a CloudFormation template",
                ));
            }
        }
    }
    if !matches!(root.get("Resources"), Some(Value::Mapping(_))) {
        return Err(invalid(
            "Resources",
            "the template has no Resources mapping",
        ));
    }
    Ok(())
}

/// SAM's `Globals`: merged into the resources they apply to, before anything else reads them.
fn apply_globals(root: &mut Mapping) -> Result<()> {
    let Some(globals) = root.remove("Globals") else {
        return Ok(());
    };
    let Value::Mapping(globals) = globals else {
        return Err(invalid("Globals", "must be a mapping"));
    };
    for (section, values) in globals {
        let section = key_string(&section, "Globals")?;
        let target = match section.as_str() {
            "Function" => FUNCTION,
            "HttpApi" => HTTP_API,
            other => {
                return Err(invalid(
                    format!("Globals.{other}"),
                    "only Globals.Function and Globals.HttpApi are supported by the local stack",
                ));
            }
        };
        if !matches!(values, Value::Mapping(_)) {
            return Err(invalid(format!("Globals.{section}"), "must be a mapping"));
        }
        let Some(Value::Mapping(resources)) = root.get_mut("Resources") else {
            return Ok(());
        };
        for (_, resource) in resources.iter_mut() {
            let Value::Mapping(resource) = resource else {
                continue;
            };
            if resource.get("Type").and_then(Value::as_str) != Some(target) {
                continue;
            }
            let own = resource
                .remove("Properties")
                .unwrap_or(Value::Mapping(Mapping::new()));
            resource.insert(
                Value::String("Properties".to_owned()),
                merge_globals(values.clone(), own),
            );
        }
    }
    Ok(())
}

/// SAM's merge: the resource's own scalars win, maps merge key by key, lists concatenate. An
/// intrinsic is a scalar here: it replaces, it is never merged into.
fn merge_globals(global: Value, own: Value) -> Value {
    match (global, own) {
        (Value::Mapping(mut global), Value::Mapping(own))
            if intrinsic_of_mapping(&global).is_none() && intrinsic_of_mapping(&own).is_none() =>
        {
            for (key, value) in own {
                let merged = match global.remove(&key) {
                    Some(base) => merge_globals(base, value),
                    None => value,
                };
                global.insert(key, merged);
            }
            Value::Mapping(global)
        }
        (Value::Sequence(mut global), Value::Sequence(own)) => {
            global.extend(own);
            Value::Sequence(global)
        }
        (_, own) => own,
    }
}

// --- parameters --------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum ParameterKind {
    String,
    Number,
    List,
}

struct Parameter {
    kind: ParameterKind,
    value: String,
}

fn parameters(
    root: &Mapping,
    overrides: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, Parameter>> {
    let mut parameters = BTreeMap::new();
    let declared = match root.get("Parameters") {
        None | Some(Value::Null) => Mapping::new(),
        Some(Value::Mapping(declared)) => declared.clone(),
        Some(_) => return Err(invalid("Parameters", "must be a mapping")),
    };
    for (name, declaration) in &declared {
        let name = key_string(name, "Parameters")?;
        let place = format!("Parameters.{name}");
        let Value::Mapping(declaration) = declaration else {
            return Err(invalid(place, "must be a mapping"));
        };
        for (key, _) in declaration {
            let key = key_string(key, &place)?;
            if !matches!(
                key.as_str(),
                "Type"
                    | "Default"
                    | "AllowedPattern"
                    | "AllowedValues"
                    | "MinValue"
                    | "MaxValue"
                    | "MinLength"
                    | "MaxLength"
                    | "Description"
                    | "ConstraintDescription"
                    | "NoEcho"
            ) {
                return Err(invalid(
                    format!("{place}.{key}"),
                    "unknown attribute of a parameter",
                ));
            }
        }
        let kind = match declaration.get("Type").and_then(Value::as_str) {
            Some("String") => ParameterKind::String,
            Some("Number") => ParameterKind::Number,
            Some("CommaDelimitedList") => ParameterKind::List,
            Some(other) => {
                return Err(invalid(
                    format!("{place}.Type"),
                    format!(
                        "parameter type {other} is not supported by the local stack (String, Number, CommaDelimitedList)"
                    ),
                ));
            }
            None => return Err(invalid(format!("{place}.Type"), "a parameter needs a Type")),
        };
        let value = match (overrides.get(&name), declaration.get("Default")) {
            (Some(value), _) => value.clone(),
            (None, Some(default)) => scalar_string(default).ok_or_else(|| {
                invalid(format!("{place}.Default"), "the default must be a scalar")
            })?,
            (None, None) => {
                return Err(invalid(
                    place,
                    format!("parameter {name} has no Default and no value was given for it"),
                ));
            }
        };
        check_parameter(&name, kind, &value, declaration)?;
        parameters.insert(name, Parameter { kind, value });
    }
    for name in overrides.keys() {
        if !parameters.contains_key(name) {
            let known: Vec<&str> = parameters.keys().map(String::as_str).collect();
            return Err(invalid(
                "Parameters",
                format!(
                    "a value was given for {name}, which is not a parameter of the template (its parameters: {})",
                    known.join(", ")
                ),
            ));
        }
    }
    Ok(parameters)
}

/// CloudFormation's parameter constraints, each error naming the parameter and the rule.
fn check_parameter(
    name: &str,
    kind: ParameterKind,
    value: &str,
    declaration: &Mapping,
) -> Result<()> {
    let place = format!("Parameters.{name}");
    let fail = |rule: &str, detail: String| {
        invalid(
            format!("{place}.{rule}"),
            format!("value {value:?} of parameter {name} breaks {rule}: {detail}"),
        )
    };
    if kind == ParameterKind::Number {
        let number: f64 = value.trim().parse().map_err(|_| {
            invalid(
                place.as_str(),
                format!("value {value:?} of parameter {name} is not a number"),
            )
        })?;
        if let Some(min) = declaration.get("MinValue").and_then(number_of)
            && number < min
        {
            return Err(fail("MinValue", format!("must be at least {min}")));
        }
        if let Some(max) = declaration.get("MaxValue").and_then(number_of)
            && number > max
        {
            return Err(fail("MaxValue", format!("must be at most {max}")));
        }
    }
    let length = value.chars().count() as f64;
    if let Some(min) = declaration.get("MinLength").and_then(number_of)
        && length < min
    {
        return Err(fail(
            "MinLength",
            format!("must be at least {min} characters"),
        ));
    }
    if let Some(max) = declaration.get("MaxLength").and_then(number_of)
        && length > max
    {
        return Err(fail(
            "MaxLength",
            format!("must be at most {max} characters"),
        ));
    }
    if let Some(allowed) = declaration.get("AllowedValues") {
        let Value::Sequence(allowed) = allowed else {
            return Err(invalid(format!("{place}.AllowedValues"), "must be a list"));
        };
        let allowed: Vec<String> = allowed.iter().filter_map(scalar_string).collect();
        if !allowed.iter().any(|candidate| candidate == value) {
            return Err(fail(
                "AllowedValues",
                format!("must be one of {}", allowed.join(", ")),
            ));
        }
    }
    if let Some(pattern) = declaration.get("AllowedPattern") {
        let Some(pattern) = pattern.as_str() else {
            return Err(invalid(
                format!("{place}.AllowedPattern"),
                "must be a string",
            ));
        };
        let matched = pattern::full_match(pattern, value).map_err(|problem| {
            invalid(
                format!("{place}.AllowedPattern"),
                format!("the pattern {pattern:?} cannot be checked locally: {problem}"),
            )
        })?;
        if !matched {
            return Err(fail("AllowedPattern", format!("must match {pattern}")));
        }
    }
    Ok(())
}

fn number_of(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

// --- resources ---------------------------------------------------------------------------------

/// A resource as declared: its type and its (raw) properties.
struct Declared {
    logical_id: String,
    kind: String,
    properties: Mapping,
    metadata: Option<Value>,
    attributes: Vec<String>,
}

fn declared_resources(root: &Mapping) -> Result<Vec<Declared>> {
    let Some(Value::Mapping(resources)) = root.get("Resources") else {
        return Err(invalid(
            "Resources",
            "the template has no Resources mapping",
        ));
    };
    let ids: BTreeSet<String> = resources.keys().filter_map(scalar_string).collect();
    let mut declared = Vec::new();
    for (logical_id, resource) in resources {
        let logical_id = key_string(logical_id, "Resources")?;
        let place = format!("Resources.{logical_id}");
        let Value::Mapping(resource) = resource else {
            return Err(invalid(place, "a resource must be a mapping"));
        };
        let mut kind = None;
        let mut properties = Mapping::new();
        let mut metadata = None;
        let mut attributes = Vec::new();
        for (key, value) in resource {
            let key = key_string(key, &place)?;
            match key.as_str() {
                "Type" => kind = value.as_str().map(str::to_owned),
                "Properties" => match value {
                    Value::Mapping(value) => properties = value.clone(),
                    Value::Null => {}
                    _ => return Err(invalid(format!("{place}.Properties"), "must be a mapping")),
                },
                "Condition" => {
                    return Err(invalid(
                        format!("{place}.Condition"),
                        "conditions on resources are not supported by the local stack",
                    ));
                }
                "DependsOn" => {
                    let names: Vec<&Value> = match value {
                        Value::Sequence(list) => list.iter().collect(),
                        other => vec![other],
                    };
                    for name in names {
                        match name.as_str() {
                            Some(name) if ids.contains(name) => {}
                            _ => {
                                return Err(invalid(
                                    format!("{place}.DependsOn"),
                                    format!("{} is not a resource of the template", show(name)),
                                ));
                            }
                        }
                    }
                }
                "Metadata" => {
                    metadata = Some(value.clone());
                    attributes.push(key);
                }
                other if ATTRIBUTES_NO_EFFECT.iter().any(|(name, _)| *name == other) => {
                    attributes.push(key)
                }
                other => {
                    return Err(invalid(
                        format!("{place}.{other}"),
                        "unknown attribute of a resource",
                    ));
                }
            }
        }
        let Some(kind) = kind else {
            return Err(invalid(format!("{place}.Type"), "a resource needs a Type"));
        };
        let known = [BUCKET, TOPIC, QUEUE, SUBSCRIPTION, FUNCTION, HTTP_API]
            .contains(&kind.as_str())
            || NOT_EMULATED.iter().any(|(name, _)| *name == kind);
        if !known {
            return Err(invalid(
                format!("{place}.Type"),
                format!("type {kind} of resource {logical_id} is not supported by the local stack"),
            ));
        }
        declared.push(Declared {
            logical_id,
            kind,
            properties,
            metadata,
            attributes,
        });
    }
    Ok(declared)
}

fn build(resolver: &mut Resolver<'_>, spec: &mut StackSpec) -> Result<()> {
    let resources = resolver.resources;
    for resource in resources.iter().filter(|r| r.kind == BUCKET) {
        accept_properties(resolver, resource, &BUCKET_RULES, spec)?;
        let identity = resolver.identity(&resource.logical_id)?;
        spec.buckets.push(BucketSpec {
            logical_id: resource.logical_id.clone(),
            name: identity.name,
        });
    }
    for resource in resources.iter().filter(|r| r.kind == TOPIC) {
        accept_properties(resolver, resource, &TOPIC_RULES, spec)?;
        let identity = resolver.identity(&resource.logical_id)?;
        spec.topics.push(TopicSpec {
            logical_id: resource.logical_id.clone(),
            name: identity.name,
            arn: identity.arn,
        });
    }
    for resource in resources.iter().filter(|r| r.kind == QUEUE) {
        accept_properties(resolver, resource, &QUEUE_RULES, spec)?;
        spec.queues.push(queue(resolver, resource)?);
    }
    // Dead-letter targets may come later in the template than the queues that name them.
    for (queue, resource) in spec
        .queues
        .iter()
        .zip(resources.iter().filter(|r| r.kind == QUEUE))
    {
        if let Some(redrive) = &queue.redrive
            && spec.queue_by_arn(&redrive.dead_letter_arn).is_none()
        {
            return Err(invalid(
                format!(
                    "{}.RedrivePolicy.deadLetterTargetArn",
                    properties_place(resource)
                ),
                format!(
                    "{} is not a queue of this template",
                    redrive.dead_letter_arn
                ),
            ));
        }
    }
    for resource in resources.iter().filter(|r| r.kind == SUBSCRIPTION) {
        accept_properties(resolver, resource, &SUBSCRIPTION_RULES, spec)?;
        let subscription = subscription(resolver, resource, spec)?;
        spec.subscriptions.push(subscription);
    }
    for resource in resources.iter().filter(|r| r.kind == HTTP_API) {
        accept_properties(resolver, resource, &HTTP_API_RULES, spec)?;
        let stage = match resolver.property(resource, "StageName")? {
            Some(stage) => as_string(&stage, &format!("{}.StageName", properties_place(resource)))?,
            None => "$default".to_owned(),
        };
        spec.http_apis.push(HttpApiSpec {
            logical_id: resource.logical_id.clone(),
            stage,
        });
    }
    for resource in resources.iter().filter(|r| r.kind == FUNCTION) {
        accept_properties(resolver, resource, &FUNCTION_RULES, spec)?;
        let function = function(resolver, resource, spec)?;
        spec.functions.push(function);
    }
    for resource in resources.iter() {
        if let Some((_, reason)) = NOT_EMULATED.iter().find(|(kind, _)| *kind == resource.kind) {
            // Resolved only to hold them to the same rules: an unsupported intrinsic or a Ref
            // to nothing is a broken template, emulated or not.
            for (key, value) in &resource.properties {
                let key = key_string(key, &properties_place(resource))?;
                resolver.resolve(value, &format!("{}.{key}", properties_place(resource)))?;
            }
            spec.not_emulated.push(NotEmulated {
                logical_id: resource.logical_id.clone(),
                resource_type: resource.kind.clone(),
                reason: (*reason).to_owned(),
            });
        }
    }
    Ok(())
}

fn properties_place(resource: &Declared) -> String {
    format!("Resources.{}.Properties", resource.logical_id)
}

/// Sorts the properties of a created resource into used, no local effect (reported and still
/// resolved, so that their intrinsics are held to the same rules) and refused.
fn accept_properties(
    resolver: &mut Resolver<'_>,
    resource: &Declared,
    rules: &PropertyRules,
    spec: &mut StackSpec,
) -> Result<()> {
    for attribute in &resource.attributes {
        if let Some((_, reason)) = ATTRIBUTES_NO_EFFECT
            .iter()
            .find(|(name, _)| name == attribute)
        {
            spec.no_local_effect.push(NoLocalEffect {
                logical_id: resource.logical_id.clone(),
                property: attribute.clone(),
                reason: (*reason).to_owned(),
            });
        }
    }
    let place = properties_place(resource);
    for (key, value) in &resource.properties {
        let key = key_string(key, &place)?;
        if rules.used.contains(&key.as_str()) {
            continue;
        }
        if let Some((_, reason)) = rules.no_effect.iter().find(|(name, _)| *name == key) {
            resolver.resolve(value, &format!("{place}.{key}"))?;
            spec.no_local_effect.push(NoLocalEffect {
                logical_id: resource.logical_id.clone(),
                property: key,
                reason: (*reason).to_owned(),
            });
            continue;
        }
        let accepted: Vec<&str> = rules.no_effect.iter().map(|(name, _)| *name).collect();
        return Err(invalid(
            format!("{place}.{key}"),
            format!(
                "property {key} of {} {} is not supported by the local stack (used: {}; accepted without local effect: {})",
                resource.kind,
                resource.logical_id,
                rules.used.join(", "),
                accepted.join(", ")
            ),
        ));
    }
    Ok(())
}

fn queue(resolver: &mut Resolver<'_>, resource: &Declared) -> Result<QueueSpec> {
    let place = properties_place(resource);
    let identity = resolver.identity(&resource.logical_id)?;
    let visibility_timeout_s = match resolver.property(resource, "VisibilityTimeout")? {
        Some(value) => as_u32_in(&value, &format!("{place}.VisibilityTimeout"), 0, 43_200)?,
        None => 30,
    };
    let message_retention_s = match resolver.property(resource, "MessageRetentionPeriod")? {
        Some(value) => as_u32_in(
            &value,
            &format!("{place}.MessageRetentionPeriod"),
            60,
            1_209_600,
        )?,
        None => 345_600,
    };
    let redrive = match resolver.property(resource, "RedrivePolicy")? {
        None => None,
        Some(policy) => {
            let place = format!("{place}.RedrivePolicy");
            let policy = json_or_json_string(policy, &place)?;
            let Json::Object(policy) = policy else {
                return Err(invalid(place, "must be a mapping"));
            };
            let mut dead_letter_arn = None;
            let mut max_receive_count = None;
            for (key, value) in &policy {
                let place = format!("{place}.{key}");
                match key.as_str() {
                    "deadLetterTargetArn" => dead_letter_arn = Some(as_string(value, &place)?),
                    "maxReceiveCount" => {
                        max_receive_count = Some(as_u32_in(value, &place, 1, 1000)?)
                    }
                    _ => return Err(invalid(place, "unknown key of a redrive policy")),
                }
            }
            Some(Redrive {
                dead_letter_arn: dead_letter_arn.ok_or_else(|| {
                    invalid(place.as_str(), "a redrive policy needs deadLetterTargetArn")
                })?,
                max_receive_count: max_receive_count.ok_or_else(|| {
                    invalid(place.as_str(), "a redrive policy needs maxReceiveCount")
                })?,
            })
        }
    };
    Ok(QueueSpec {
        logical_id: resource.logical_id.clone(),
        name: identity.name,
        arn: identity.arn,
        visibility_timeout_s,
        message_retention_s,
        redrive,
    })
}

fn subscription(
    resolver: &mut Resolver<'_>,
    resource: &Declared,
    spec: &StackSpec,
) -> Result<SubscriptionSpec> {
    let place = properties_place(resource);
    let required = |value: Option<Json>, key: &str| {
        value.ok_or_else(|| invalid(format!("{place}.{key}"), format!("{key} is required")))
    };
    let protocol = required(resolver.property(resource, "Protocol")?, "Protocol")?;
    let protocol = as_string(&protocol, &format!("{place}.Protocol"))?;
    if protocol != "sqs" {
        return Err(invalid(
            format!("{place}.Protocol"),
            format!("protocol {protocol} is not supported by the local stack (only sqs)"),
        ));
    }
    let topic_arn = required(resolver.property(resource, "TopicArn")?, "TopicArn")?;
    let topic_arn = template_topic(spec, &topic_arn, &format!("{place}.TopicArn"))?;
    let queue_arn = required(resolver.property(resource, "Endpoint")?, "Endpoint")?;
    let queue_arn = template_queue(spec, &queue_arn, &format!("{place}.Endpoint"))?;
    let raw_message_delivery = match resolver.property(resource, "RawMessageDelivery")? {
        Some(value) => as_bool(&value, &format!("{place}.RawMessageDelivery"))?,
        None => false,
    };
    let filter_policy = resolver
        .property(resource, "FilterPolicy")?
        .map(|policy| json_or_json_string(policy, &format!("{place}.FilterPolicy")))
        .transpose()?;
    let filter_policy_scope = resolver
        .property(resource, "FilterPolicyScope")?
        .map(|scope| filter_policy_scope(&scope, &format!("{place}.FilterPolicyScope")))
        .transpose()?;
    Ok(SubscriptionSpec {
        logical_id: resource.logical_id.clone(),
        topic_arn,
        queue_arn,
        raw_message_delivery,
        filter_policy,
        filter_policy_scope,
    })
}

fn filter_policy_scope(scope: &Json, place: &str) -> Result<String> {
    let scope = as_string(scope, place)?;
    match scope.as_str() {
        "MessageAttributes" | "MessageBody" => Ok(scope),
        other => Err(invalid(
            place,
            format!("FilterPolicyScope {other} is neither MessageAttributes nor MessageBody"),
        )),
    }
}

fn template_topic(spec: &StackSpec, value: &Json, place: &str) -> Result<String> {
    let arn = as_string(value, place)?;
    if spec.topic_by_arn(&arn).is_none() {
        return Err(invalid(
            place,
            format!("{arn} is not a topic of this template; the local stack has no other topics"),
        ));
    }
    Ok(arn)
}

fn template_queue(spec: &StackSpec, value: &Json, place: &str) -> Result<String> {
    let arn = as_string(value, place)?;
    if spec.queue_by_arn(&arn).is_none() {
        return Err(invalid(
            place,
            format!("{arn} is not a queue of this template; the local stack has no other queues"),
        ));
    }
    Ok(arn)
}

fn function(
    resolver: &mut Resolver<'_>,
    resource: &Declared,
    spec: &mut StackSpec,
) -> Result<FunctionSpec> {
    let place = properties_place(resource);
    let identity = resolver.identity(&resource.logical_id)?;
    let binary = match build_binary(resource)? {
        Some(binary) => binary,
        None => {
            let code_uri = resolver.property(resource, "CodeUri")?;
            let code_uri = code_uri.as_ref().and_then(Json::as_str).ok_or_else(|| {
                invalid(
                    format!("{place}.CodeUri"),
                    "without Metadata.BuildProperties.Binary the binary is named after CodeUri, which must be a path",
                )
            })?;
            code_uri
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .filter(|name| !name.is_empty() && *name != "." && *name != "..")
                .ok_or_else(|| {
                    invalid(
                        format!("{place}.CodeUri"),
                        "names no folder to take the binary's name from",
                    )
                })?
                .to_owned()
        }
    };
    let timeout_s = match resolver.property(resource, "Timeout")? {
        Some(value) => as_u32_in(&value, &format!("{place}.Timeout"), 1, 900)?,
        None => 3,
    };
    let memory_mb = match resolver.property(resource, "MemorySize")? {
        Some(value) => as_u32_in(&value, &format!("{place}.MemorySize"), 128, 10_240)?,
        None => 128,
    };
    let environment = environment(resolver, resource)?;
    let async_invoke = match resource.properties.get("EventInvokeConfig") {
        Some(config) => event_invoke_config(
            resolver,
            config,
            &format!("{place}.EventInvokeConfig"),
            spec,
        )?,
        None => AsyncInvokeSpec::default(),
    };
    let mut function = FunctionSpec {
        logical_id: resource.logical_id.clone(),
        name: identity.name,
        arn: identity.arn,
        binary,
        timeout_s,
        memory_mb,
        environment,
        sqs_sources: Vec::new(),
        sns_sources: Vec::new(),
        http_routes: Vec::new(),
        async_invoke,
    };
    match resource.properties.get("Events") {
        None | Some(Value::Null) => {}
        Some(Value::Mapping(events)) => {
            for (event_id, event) in events {
                let event_id = key_string(event_id, &format!("{place}.Events"))?;
                add_event(resolver, &mut function, &event_id, event, spec, &place)?;
            }
        }
        Some(_) => return Err(invalid(format!("{place}.Events"), "must be a mapping")),
    }
    Ok(function)
}

/// `Metadata.BuildProperties.Binary`: read as written (metadata holds no intrinsics).
fn build_binary(resource: &Declared) -> Result<Option<String>> {
    let Some(binary) = resource
        .metadata
        .as_ref()
        .and_then(|metadata| metadata.get("BuildProperties"))
        .and_then(|properties| properties.get("Binary"))
    else {
        return Ok(None);
    };
    match binary.as_str() {
        Some(binary) if !binary.is_empty() => Ok(Some(binary.to_owned())),
        _ => Err(invalid(
            format!(
                "Resources.{}.Metadata.BuildProperties.Binary",
                resource.logical_id
            ),
            "must be a binary's name",
        )),
    }
}

fn environment(
    resolver: &mut Resolver<'_>,
    resource: &Declared,
) -> Result<BTreeMap<String, String>> {
    let place = format!("{}.Environment", properties_place(resource));
    let Some(environment) = resource.properties.get("Environment") else {
        return Ok(BTreeMap::new());
    };
    let Value::Mapping(environment) = environment else {
        return Err(invalid(place, "must be a mapping"));
    };
    let mut variables = BTreeMap::new();
    for (key, value) in environment {
        let key = key_string(key, &place)?;
        if key != "Variables" {
            return Err(invalid(
                format!("{place}.{key}"),
                "only Variables is supported",
            ));
        }
        let place = format!("{place}.Variables");
        let Json::Object(values) = resolver.resolve(value, &place)? else {
            return Err(invalid(place, "must be a mapping"));
        };
        for (name, value) in values {
            let value = as_string(&value, &format!("{place}.{name}"))?;
            variables.insert(name, value);
        }
    }
    Ok(variables)
}

fn event_invoke_config(
    resolver: &mut Resolver<'_>,
    config: &Value,
    place: &str,
    spec: &StackSpec,
) -> Result<AsyncInvokeSpec> {
    let Value::Mapping(config) = config else {
        return Err(invalid(place, "must be a mapping"));
    };
    let mut spec_out = AsyncInvokeSpec::default();
    for (key, value) in config {
        let key = key_string(key, place)?;
        let place = format!("{place}.{key}");
        match key.as_str() {
            "MaximumRetryAttempts" => {
                spec_out.maximum_retry_attempts =
                    as_u32_in(&resolver.resolve(value, &place)?, &place, 0, 2)?
            }
            "MaximumEventAgeInSeconds" => {
                spec_out.maximum_event_age_s =
                    as_u32_in(&resolver.resolve(value, &place)?, &place, 60, 21_600)?
            }
            "DestinationConfig" => {
                let Value::Mapping(destinations) = value else {
                    return Err(invalid(place, "must be a mapping"));
                };
                for (which, destination) in destinations {
                    let which = key_string(which, &place)?;
                    let place = format!("{place}.{which}");
                    match which.as_str() {
                        "OnFailure" => {
                            spec_out.on_failure =
                                Some(destination_of(resolver, destination, &place, spec)?)
                        }
                        "OnSuccess" => {
                            return Err(invalid(
                                place,
                                "OnSuccess destinations are not supported by the local stack",
                            ));
                        }
                        _ => return Err(invalid(place, "unknown destination")),
                    }
                }
            }
            _ => return Err(invalid(place, "unknown property of EventInvokeConfig")),
        }
    }
    Ok(spec_out)
}

fn destination_of(
    resolver: &mut Resolver<'_>,
    destination: &Value,
    place: &str,
    spec: &StackSpec,
) -> Result<Destination> {
    let Json::Object(destination) = resolver.resolve(destination, place)? else {
        return Err(invalid(place, "must be a mapping"));
    };
    for key in destination.keys() {
        if key != "Type" && key != "Destination" {
            return Err(invalid(
                format!("{place}.{key}"),
                "unknown property of a destination",
            ));
        }
    }
    let kind = destination
        .get("Type")
        .ok_or_else(|| invalid(format!("{place}.Type"), "a destination needs a Type"))?;
    let kind = as_string(kind, &format!("{place}.Type"))?;
    let arn = destination.get("Destination").ok_or_else(|| {
        invalid(
            format!("{place}.Destination"),
            "a destination needs the ARN of a queue or topic of the template",
        )
    })?;
    let arn_place = format!("{place}.Destination");
    match kind.as_str() {
        "SQS" => Ok(Destination {
            kind: DestinationKind::Sqs,
            arn: template_queue(spec, arn, &arn_place)?,
        }),
        "SNS" => Ok(Destination {
            kind: DestinationKind::Sns,
            arn: template_topic(spec, arn, &arn_place)?,
        }),
        other => Err(invalid(
            format!("{place}.Type"),
            format!("{other} destinations are not supported by the local stack (SQS and SNS are)"),
        )),
    }
}

fn add_event(
    resolver: &mut Resolver<'_>,
    function: &mut FunctionSpec,
    event_id: &str,
    event: &Value,
    spec: &mut StackSpec,
    properties_place: &str,
) -> Result<()> {
    let place = format!("{properties_place}.Events.{event_id}");
    let Value::Mapping(event) = event else {
        return Err(invalid(place, "an event must be a mapping"));
    };
    let mut kind = None;
    let mut properties = Mapping::new();
    for (key, value) in event {
        let key = key_string(key, &place)?;
        match key.as_str() {
            "Type" => kind = value.as_str(),
            "Properties" => match value {
                Value::Mapping(value) => properties = value.clone(),
                _ => return Err(invalid(format!("{place}.Properties"), "must be a mapping")),
            },
            _ => {
                return Err(invalid(
                    format!("{place}.{key}"),
                    "unknown attribute of an event",
                ));
            }
        }
    }
    let Some(kind) = kind else {
        return Err(invalid(format!("{place}.Type"), "an event needs a Type"));
    };
    let allowed: &[&str] = match kind {
        "SQS" => &[
            "Queue",
            "BatchSize",
            "MaximumBatchingWindowInSeconds",
            "FunctionResponseTypes",
            "ScalingConfig",
            "Enabled",
        ],
        "SNS" => &["Topic", "FilterPolicy", "FilterPolicyScope"],
        "HttpApi" => &["ApiId", "Method", "Path", "PayloadFormatVersion", "Auth"],
        other => {
            return Err(invalid(
                format!("{place}.Type"),
                format!(
                    "event type {other} is not supported by the local stack (SQS, SNS, HttpApi)"
                ),
            ));
        }
    };
    let place = format!("{place}.Properties");
    let mut values = BTreeMap::new();
    for (key, value) in &properties {
        let key = key_string(key, &place)?;
        if !allowed.contains(&key.as_str()) {
            return Err(invalid(
                format!("{place}.{key}"),
                format!(
                    "property {key} of a {kind} event is not supported by the local stack (supported: {})",
                    allowed.join(", ")
                ),
            ));
        }
        // ApiId is read as written: the route needs the API's logical id, not its resolved id.
        if key != "ApiId" {
            let resolved = resolver.resolve(value, &format!("{place}.{key}"))?;
            values.insert(key, resolved);
        }
    }
    let at = |key: &str| format!("{place}.{key}");
    match kind {
        "SQS" => {
            let queue = values
                .get("Queue")
                .ok_or_else(|| invalid(at("Queue"), "Queue is required"))?;
            let queue_arn = template_queue(spec, queue, &at("Queue"))?;
            let report_batch_item_failures = match values.get("FunctionResponseTypes") {
                None => false,
                Some(Json::Array(types)) => {
                    for kind in types {
                        if kind.as_str() != Some("ReportBatchItemFailures") {
                            return Err(invalid(
                                at("FunctionResponseTypes"),
                                format!(
                                    "{kind} is not a function response type (ReportBatchItemFailures)"
                                ),
                            ));
                        }
                    }
                    !types.is_empty()
                }
                Some(_) => return Err(invalid(at("FunctionResponseTypes"), "must be a list")),
            };
            let maximum_concurrency = match values.get("ScalingConfig") {
                None => None,
                Some(Json::Object(config)) => {
                    let mut maximum = None;
                    for (key, value) in config {
                        let place = format!("{}.{key}", at("ScalingConfig"));
                        if key != "MaximumConcurrency" {
                            return Err(invalid(place, "unknown property of ScalingConfig"));
                        }
                        maximum = Some(as_u32_in(value, &place, 2, 1000)?);
                    }
                    maximum
                }
                Some(_) => return Err(invalid(at("ScalingConfig"), "must be a mapping")),
            };
            function.sqs_sources.push(SqsSourceSpec {
                event_id: event_id.to_owned(),
                queue_arn,
                batch_size: match values.get("BatchSize") {
                    Some(value) => as_u32_in(value, &at("BatchSize"), 1, 10_000)?,
                    None => 10,
                },
                batching_window_s: match values.get("MaximumBatchingWindowInSeconds") {
                    Some(value) => as_u32_in(value, &at("MaximumBatchingWindowInSeconds"), 0, 300)?,
                    None => 0,
                },
                report_batch_item_failures,
                maximum_concurrency,
                enabled: match values.get("Enabled") {
                    Some(value) => as_bool(value, &at("Enabled"))?,
                    None => true,
                },
            });
        }
        "SNS" => {
            let topic = values
                .get("Topic")
                .ok_or_else(|| invalid(at("Topic"), "Topic is required"))?;
            function.sns_sources.push(SnsSourceSpec {
                event_id: event_id.to_owned(),
                topic_arn: template_topic(spec, topic, &at("Topic"))?,
                filter_policy: values
                    .remove("FilterPolicy")
                    .map(|policy| json_or_json_string(policy, &at("FilterPolicy")))
                    .transpose()?,
                filter_policy_scope: values
                    .get("FilterPolicyScope")
                    .map(|scope| filter_policy_scope(scope, &at("FilterPolicyScope")))
                    .transpose()?,
            });
        }
        _ => {
            let api_logical_id = match properties.get("ApiId") {
                Some(api) => {
                    let target = ref_target(api).ok_or_else(|| {
                        invalid(
                            at("ApiId"),
                            "must be a Ref to an AWS::Serverless::HttpApi of the template",
                        )
                    })?;
                    match resolver.resources.iter().find(|r| r.logical_id == target) {
                        Some(resource) if resource.kind == HTTP_API => target.to_owned(),
                        _ => {
                            return Err(invalid(
                                at("ApiId"),
                                format!(
                                    "{target} is not an AWS::Serverless::HttpApi of the template"
                                ),
                            ));
                        }
                    }
                }
                None => {
                    if !spec
                        .http_apis
                        .iter()
                        .any(|api| api.logical_id == IMPLICIT_HTTP_API)
                    {
                        spec.http_apis.push(HttpApiSpec {
                            logical_id: IMPLICIT_HTTP_API.to_owned(),
                            stage: "$default".to_owned(),
                        });
                    }
                    IMPLICIT_HTTP_API.to_owned()
                }
            };
            let method = values
                .get("Method")
                .ok_or_else(|| invalid(at("Method"), "Method is required"))?;
            let method = as_string(method, &at("Method"))?.to_ascii_uppercase();
            let path = values
                .get("Path")
                .ok_or_else(|| invalid(at("Path"), "Path is required"))?;
            let path = as_string(path, &at("Path"))?;
            if !path.starts_with('/') {
                return Err(invalid(at("Path"), "a route's path starts with /"));
            }
            let payload_format_version = match values.get("PayloadFormatVersion") {
                Some(version) => as_string(version, &at("PayloadFormatVersion"))?,
                None => "2.0".to_owned(),
            };
            if payload_format_version != "2.0" {
                return Err(invalid(
                    at("PayloadFormatVersion"),
                    format!(
                        "payload format {payload_format_version} is not supported by the local stack (only 2.0)"
                    ),
                ));
            }
            let authorizer = match values.get("Auth") {
                Some(Json::Object(auth)) => {
                    for key in auth.keys() {
                        if key != "Authorizer" && key != "AuthorizationScopes" {
                            return Err(invalid(
                                format!("{}.{key}", at("Auth")),
                                "unknown property of a route's Auth",
                            ));
                        }
                    }
                    match auth.get("Authorizer") {
                        Some(name) => Some(as_string(name, &format!("{}.Authorizer", at("Auth")))?),
                        None => default_authorizer(resolver, &api_logical_id),
                    }
                }
                Some(_) => return Err(invalid(at("Auth"), "must be a mapping")),
                // SAM: a route without its own authorizer gets the API's default one.
                None => default_authorizer(resolver, &api_logical_id),
            };
            function.http_routes.push(HttpRouteSpec {
                event_id: event_id.to_owned(),
                api_logical_id,
                method,
                path,
                payload_format_version,
                authorizer: authorizer.filter(|name| name != "NONE"),
            });
        }
    }
    Ok(())
}

fn default_authorizer(resolver: &Resolver<'_>, api_logical_id: &str) -> Option<String> {
    let api = resolver
        .resources
        .iter()
        .find(|resource| resource.logical_id == api_logical_id)?;
    api.properties
        .get("Auth")?
        .get("DefaultAuthorizer")?
        .as_str()
        .map(str::to_owned)
}

fn outputs(root: &Mapping, resolver: &mut Resolver<'_>) -> Result<BTreeMap<String, String>> {
    let mut outputs = BTreeMap::new();
    let Some(declared) = root.get("Outputs") else {
        return Ok(outputs);
    };
    let Value::Mapping(declared) = declared else {
        return Err(invalid("Outputs", "must be a mapping"));
    };
    for (name, output) in declared {
        let name = key_string(name, "Outputs")?;
        let place = format!("Outputs.{name}");
        let Value::Mapping(output) = output else {
            return Err(invalid(place, "an output must be a mapping"));
        };
        let mut value = None;
        for (key, item) in output {
            let key = key_string(key, &place)?;
            let place = format!("{place}.{key}");
            match key.as_str() {
                "Value" => value = Some(as_string(&resolver.resolve(item, &place)?, &place)?),
                "Description" => {}
                // Resolved for the same rules; there is no other stack locally to import it.
                "Export" => {
                    resolver.resolve(item, &place)?;
                }
                "Condition" => {
                    return Err(invalid(
                        place,
                        "conditions are not supported by the local stack",
                    ));
                }
                _ => return Err(invalid(place, "unknown attribute of an output")),
            }
        }
        let value = value.ok_or_else(|| invalid(place.as_str(), "an output needs a Value"))?;
        outputs.insert(name, value);
    }
    Ok(outputs)
}

// --- intrinsics --------------------------------------------------------------------------------

/// What `Ref` and `Fn::GetAtt` of one resource give.
#[derive(Clone)]
struct Identity {
    /// Name (or id) of the resource; empty for types that have none locally.
    name: String,
    /// Its ARN; empty for types that have none locally.
    arn: String,
    /// What `Ref` gives, or why it gives nothing locally.
    reference: std::result::Result<String, &'static str>,
    /// What `Fn::GetAtt` gives, by attribute.
    attributes: BTreeMap<&'static str, String>,
}

struct Resolver<'a> {
    context: &'a StackContext,
    parameters: &'a BTreeMap<String, Parameter>,
    resources: &'a [Declared],
    identities: BTreeMap<String, Identity>,
    /// Resources whose identity is being computed: a name that refers to itself is a cycle.
    resolving: Vec<String>,
}

/// The name of an intrinsic function, and its argument: `!Ref X` / `{Ref: X}`,
/// `!GetAtt A.B` / `{"Fn::GetAtt": [A, B]}`, …
fn intrinsic(value: &Value) -> Option<(String, &Value)> {
    match value {
        Value::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let tag = tag.trim_start_matches('!');
            let name = match tag {
                "Ref" | "Condition" => tag.to_owned(),
                other => format!("Fn::{other}"),
            };
            Some((name, &tagged.value))
        }
        Value::Mapping(mapping) => intrinsic_of_mapping(mapping),
        _ => None,
    }
}

fn intrinsic_of_mapping(mapping: &Mapping) -> Option<(String, &Value)> {
    if mapping.len() != 1 {
        return None;
    }
    let (key, value) = mapping.iter().next()?;
    let key = key.as_str()?;
    (key == "Ref" || key.starts_with("Fn::")).then(|| (key.to_owned(), value))
}

/// The logical id a `Ref` names, if `value` is one.
fn ref_target(value: &Value) -> Option<&str> {
    match intrinsic(value) {
        Some((name, target)) if name == "Ref" => target.as_str(),
        _ => None,
    }
}

impl Resolver<'_> {
    /// The resolved value of a created resource's property, if it is set.
    fn property(&mut self, resource: &Declared, key: &str) -> Result<Option<Json>> {
        match resource.properties.get(key) {
            None => Ok(None),
            Some(value) => self
                .resolve(value, &format!("{}.{key}", properties_place(resource)))
                .map(Some),
        }
    }

    /// `value` with every intrinsic resolved.
    fn resolve(&mut self, value: &Value, place: &str) -> Result<Json> {
        if let Some((name, argument)) = intrinsic(value) {
            return match name.as_str() {
                "Ref" => {
                    let target = argument.as_str().ok_or_else(|| {
                        invalid(place, "Ref takes the name of a parameter or resource")
                    })?;
                    self.reference(target, place)
                }
                "Fn::GetAtt" => {
                    let (logical_id, attribute) = get_att_argument(argument, place)?;
                    self.attribute(&logical_id, &attribute, place)
                        .map(Json::String)
                }
                "Fn::Sub" => self.sub(argument, place).map(Json::String),
                other => Err(invalid(
                    place,
                    format!("{other} is not supported by the local stack"),
                )),
            };
        }
        Ok(match value {
            Value::Null => Json::Null,
            Value::Bool(flag) => Json::Bool(*flag),
            Value::Number(number) => {
                if let Some(integer) = number.as_i64() {
                    Json::from(integer)
                } else if let Some(integer) = number.as_u64() {
                    Json::from(integer)
                } else {
                    number
                        .as_f64()
                        .and_then(serde_json::Number::from_f64)
                        .map(Json::Number)
                        .ok_or_else(|| invalid(place, format!("{number} is not a JSON number")))?
                }
            }
            Value::String(text) => Json::String(text.clone()),
            Value::Sequence(items) => Json::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(index, item)| self.resolve(item, &format!("{place}[{index}]")))
                    .collect::<Result<_>>()?,
            ),
            Value::Mapping(mapping) => {
                let mut object = serde_json::Map::new();
                for (key, item) in mapping {
                    let key = key_string(key, place)?;
                    let item = self.resolve(item, &format!("{place}.{key}"))?;
                    object.insert(key, item);
                }
                Json::Object(object)
            }
            // `intrinsic` takes every tagged value.
            Value::Tagged(_) => return Err(invalid(place, "unexpected YAML tag")),
        })
    }

    /// `Ref`: a pseudo parameter, a parameter or a resource.
    fn reference(&mut self, target: &str, place: &str) -> Result<Json> {
        let context = self.context;
        let pseudo = match target {
            "AWS::Region" => Some(context.region.clone()),
            "AWS::AccountId" => Some(context.account_id.clone()),
            "AWS::Partition" => Some("aws".to_owned()),
            "AWS::URLSuffix" => Some("amazonaws.com".to_owned()),
            "AWS::StackName" => Some(context.stack_name.clone()),
            "AWS::StackId" => Some(format!(
                "arn:aws:cloudformation:{}:{}:stack/{}/{}",
                context.region,
                context.account_id,
                context.stack_name,
                stable_uuid(&context.stack_name, "AWS::StackId")
            )),
            other if other.starts_with("AWS::") => {
                return Err(invalid(
                    place,
                    format!("pseudo parameter {other} is not supported by the local stack"),
                ));
            }
            _ => None,
        };
        if let Some(pseudo) = pseudo {
            return Ok(Json::String(pseudo));
        }
        if let Some(parameter) = self.parameters.get(target) {
            return Ok(match parameter.kind {
                ParameterKind::List => Json::Array(
                    parameter
                        .value
                        .split(',')
                        .map(|item| Json::String(item.trim().to_owned()))
                        .collect(),
                ),
                ParameterKind::String | ParameterKind::Number => {
                    Json::String(parameter.value.clone())
                }
            });
        }
        let identity = self.identity_at(target, place)?;
        identity.reference.map(Json::String).map_err(|reason| {
            invalid(
                place,
                format!("Ref of {target} is not resolved locally: {reason}"),
            )
        })
    }

    /// `Fn::GetAtt`.
    fn attribute(&mut self, logical_id: &str, attribute: &str, place: &str) -> Result<String> {
        let identity = self.identity_at(logical_id, place)?;
        identity.attributes.get(attribute).cloned().ok_or_else(|| {
            let kind = self
                .resources
                .iter()
                .find(|r| r.logical_id == logical_id)
                .map(|r| r.kind.as_str())
                .unwrap_or("?");
            let known: Vec<&str> = identity.attributes.keys().copied().collect();
            invalid(
                place,
                format!(
                    "Fn::GetAtt {logical_id}.{attribute}: attribute {attribute} of {kind} is not supported by the local stack (supported: {})",
                    if known.is_empty() { "none".to_owned() } else { known.join(", ") }
                ),
            )
        })
    }

    /// `Fn::Sub`, in both forms: `"text ${Name} ${Res.Attr} ${!Literal}"` and
    /// `[text, {Name: value}]`.
    fn sub(&mut self, argument: &Value, place: &str) -> Result<String> {
        let (text, variables) = match argument {
            Value::String(text) => (text.as_str(), None),
            Value::Sequence(items) if items.len() == 2 => {
                let text = items[0]
                    .as_str()
                    .ok_or_else(|| invalid(place, "Fn::Sub: the first item must be a string"))?;
                let Value::Mapping(variables) = &items[1] else {
                    return Err(invalid(place, "Fn::Sub: the second item must be a mapping"));
                };
                (text, Some(variables))
            }
            _ => {
                return Err(invalid(
                    place,
                    "Fn::Sub takes a string or a list of a string and a mapping",
                ));
            }
        };
        let mut values = BTreeMap::new();
        if let Some(variables) = variables {
            for (name, value) in variables {
                let name = key_string(name, place)?;
                let resolved = self.resolve(value, &format!("{place}.{name}"))?;
                values.insert(
                    name.clone(),
                    as_string(&resolved, &format!("{place}.{name}"))?,
                );
            }
        }
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| invalid(place, format!("Fn::Sub: unclosed ${{ in {text:?}")))?;
            let name = &after[..end];
            rest = &after[end + 1..];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
                continue;
            }
            let name = name.trim();
            let value = if let Some(value) = values.get(name) {
                value.clone()
            } else if self.parameters.contains_key(name)
                || name.starts_with("AWS::")
                || self.resources.iter().any(|r| r.logical_id == name)
            {
                as_string(&self.reference(name, place)?, place)?
            } else if let Some((logical_id, attribute)) = name.split_once('.') {
                self.attribute(logical_id, attribute, place)?
            } else {
                return Err(invalid(
                    place,
                    format!("Fn::Sub: ${{{name}}} names no variable, parameter or resource"),
                ));
            };
            out.push_str(&value);
        }
        out.push_str(rest);
        Ok(out)
    }

    fn identity_at(&mut self, logical_id: &str, place: &str) -> Result<Identity> {
        if !self.resources.iter().any(|r| r.logical_id == logical_id) {
            return Err(invalid(
                place,
                format!("{logical_id} is neither a parameter nor a resource of the template"),
            ));
        }
        self.identity(logical_id)
    }

    /// Name, ARN, `Ref` and attributes of a resource, computed once. Names may themselves be
    /// `Fn::Sub`s of other resources, so this recurses (and refuses cycles).
    fn identity(&mut self, logical_id: &str) -> Result<Identity> {
        if let Some(identity) = self.identities.get(logical_id) {
            return Ok(identity.clone());
        }
        let resources = self.resources;
        let Some(resource) = resources.iter().find(|r| r.logical_id == logical_id) else {
            return Err(invalid(
                format!("Resources.{logical_id}"),
                "no such resource",
            ));
        };
        if self.resolving.iter().any(|id| id == logical_id) {
            return Err(invalid(
                format!("Resources.{logical_id}"),
                format!(
                    "circular reference: {} → {logical_id}",
                    self.resolving.join(" → ")
                ),
            ));
        }
        self.resolving.push(logical_id.to_owned());
        let identity = self.compute_identity(resource);
        self.resolving.pop();
        let identity = identity?;
        self.identities
            .insert(logical_id.to_owned(), identity.clone());
        Ok(identity)
    }

    fn compute_identity(&mut self, resource: &Declared) -> Result<Identity> {
        let context = self.context;
        let (region, account, stack) = (&context.region, &context.account_id, &context.stack_name);
        let logical_id = resource.logical_id.as_str();
        let generated = format!("{stack}-{logical_id}");
        let name_from = |key: &str, resolver: &mut Self| -> Result<Option<String>> {
            match resolver.property(resource, key)? {
                Some(value) => Ok(Some(as_string(
                    &value,
                    &format!("{}.{key}", properties_place(resource)),
                )?)),
                None => Ok(None),
            }
        };
        let mut identity = Identity {
            name: String::new(),
            arn: String::new(),
            reference: Err("this resource type has no value for Ref locally"),
            attributes: BTreeMap::new(),
        };
        match resource.kind.as_str() {
            BUCKET => {
                let name = match name_from("BucketName", self)? {
                    Some(name) => name,
                    // CloudFormation: stack name, logical id and a random suffix, lowercased and
                    // at most 63 characters; locally the name stays stable.
                    None => {
                        let mut name = format!("{stack}-{}", logical_id.to_ascii_lowercase())
                            .to_ascii_lowercase();
                        name.truncate(63);
                        name.trim_end_matches('-').to_owned()
                    }
                };
                identity.arn = format!("arn:aws:s3:::{name}");
                identity.attributes.insert("Arn", identity.arn.clone());
                identity
                    .attributes
                    .insert("DomainName", format!("{name}.s3.amazonaws.com"));
                identity.reference = Ok(name.clone());
                identity.name = name;
            }
            TOPIC => {
                let name = name_from("TopicName", self)?.unwrap_or(generated);
                identity.arn = format!("arn:aws:sns:{region}:{account}:{name}");
                identity.attributes.insert("TopicArn", identity.arn.clone());
                identity.attributes.insert("TopicName", name.clone());
                identity.reference = Ok(identity.arn.clone());
                identity.name = name;
            }
            QUEUE => {
                let name = name_from("QueueName", self)?.unwrap_or(generated);
                identity.arn = format!("arn:aws:sqs:{region}:{account}:{name}");
                let url = format!("https://sqs.{region}.amazonaws.com/{account}/{name}");
                identity.attributes.insert("Arn", identity.arn.clone());
                identity.attributes.insert("QueueName", name.clone());
                identity.attributes.insert("QueueUrl", url.clone());
                identity.reference = Ok(url);
                identity.name = name;
            }
            FUNCTION => {
                let name = name_from("FunctionName", self)?.unwrap_or(generated);
                identity.arn = format!("arn:aws:lambda:{region}:{account}:function:{name}");
                identity.attributes.insert("Arn", identity.arn.clone());
                identity.reference = Ok(name.clone());
                identity.name = name;
            }
            HTTP_API => {
                let id = stable_uuid(stack, logical_id).simple().to_string()[..10].to_owned();
                identity.attributes.insert(
                    "ApiEndpoint",
                    format!("https://{id}.execute-api.{region}.amazonaws.com"),
                );
                identity.reference = Ok(id.clone());
                identity.name = id;
            }
            "AWS::IAM::Role" => {
                let name = name_from("RoleName", self)?.unwrap_or(generated);
                identity.arn = format!("arn:aws:iam::{account}:role/{name}");
                identity.attributes.insert("Arn", identity.arn.clone());
                identity.reference = Ok(name.clone());
                identity.name = name;
            }
            "AWS::KMS::Key" => {
                let id = stable_uuid(stack, logical_id).hyphenated().to_string();
                identity.arn = format!("arn:aws:kms:{region}:{account}:key/{id}");
                identity.attributes.insert("Arn", identity.arn.clone());
                identity.attributes.insert("KeyId", id.clone());
                identity.reference = Ok(id.clone());
                identity.name = id;
            }
            "AWS::KMS::Alias" => {
                let name = name_from("AliasName", self)?.unwrap_or(format!("alias/{generated}"));
                identity.arn = format!("arn:aws:kms:{region}:{account}:{name}");
                identity.reference = Ok(name.clone());
                identity.name = name;
            }
            "AWS::Logs::LogGroup" => {
                let name = name_from("LogGroupName", self)?.unwrap_or(generated);
                // CloudFormation's LogGroup Arn ends in ":*".
                identity.arn = format!("arn:aws:logs:{region}:{account}:log-group:{name}:*");
                identity.attributes.insert("Arn", identity.arn.clone());
                identity.reference = Ok(name.clone());
                identity.name = name;
            }
            "AWS::CloudWatch::Alarm" => {
                let name = name_from("AlarmName", self)?.unwrap_or(generated);
                identity.arn = format!("arn:aws:cloudwatch:{region}:{account}:alarm:{name}");
                identity.attributes.insert("Arn", identity.arn.clone());
                identity.reference = Ok(name.clone());
                identity.name = name;
            }
            SUBSCRIPTION => {
                identity.reference = Err("a subscription's ARN exists only once it is created");
            }
            _ => {
                identity.reference = Err("a policy has no name or ARN to refer to");
            }
        }
        Ok(identity)
    }
}

fn get_att_argument(argument: &Value, place: &str) -> Result<(String, String)> {
    let malformed = || {
        invalid(
            place,
            "Fn::GetAtt takes \"Resource.Attribute\" or [Resource, Attribute]",
        )
    };
    match argument {
        Value::String(text) => text
            .split_once('.')
            .map(|(id, attribute)| (id.to_owned(), attribute.to_owned()))
            .ok_or_else(malformed),
        Value::Sequence(items) if items.len() == 2 => {
            match (items[0].as_str(), items[1].as_str()) {
                (Some(id), Some(attribute)) => Ok((id.to_owned(), attribute.to_owned())),
                _ => Err(malformed()),
            }
        }
        _ => Err(malformed()),
    }
}

/// A stable id for a generated value (KMS key id, HTTP API id): the same for the same stack
/// and logical id on every run, so that names in the environment do not change between runs.
fn stable_uuid(stack: &str, logical_id: &str) -> uuid::Uuid {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        format!("paperflow-local:{stack}:{logical_id}").as_bytes(),
    )
}

// --- small conversions -------------------------------------------------------------------------

fn key_string(key: &Value, place: &str) -> Result<String> {
    scalar_string(key).ok_or_else(|| invalid(place, format!("{} is not a valid key", show(key))))
}

fn scalar_string(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

fn show(value: &Value) -> String {
    serde_norway::to_string(value)
        .map(|text| text.trim().to_owned())
        .unwrap_or_else(|_| "(a value)".to_owned())
}

/// A scalar as CloudFormation stringifies it (numbers and booleans become their text).
fn as_string(value: &Json, place: &str) -> Result<String> {
    match value {
        Json::String(text) => Ok(text.clone()),
        Json::Number(number) => Ok(number.to_string()),
        Json::Bool(flag) => Ok(flag.to_string()),
        other => Err(invalid(place, format!("expected a string, found {other}"))),
    }
}

/// A whole number in `min..=max`; CloudFormation accepts numbers written as strings too (and a
/// `Ref` to a Number parameter is a string).
fn as_u32_in(value: &Json, place: &str, min: u32, max: u32) -> Result<u32> {
    let number = match value {
        Json::Number(number) => number.as_u64(),
        Json::String(text) => text.trim().parse::<u64>().ok(),
        _ => None,
    }
    .and_then(|number| u32::try_from(number).ok())
    .ok_or_else(|| invalid(place, format!("expected a whole number, found {value}")))?;
    if !(min..=max).contains(&number) {
        return Err(invalid(place, format!("{number} is outside {min}..={max}")));
    }
    Ok(number)
}

fn as_bool(value: &Json, place: &str) -> Result<bool> {
    match value {
        Json::Bool(flag) => Ok(*flag),
        Json::String(text) if text.eq_ignore_ascii_case("true") => Ok(true),
        Json::String(text) if text.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(invalid(
            place,
            format!("expected true or false, found {other}"),
        )),
    }
}

/// Policies (redrive, filter) may be written as YAML or as a JSON string.
fn json_or_json_string(value: Json, place: &str) -> Result<Json> {
    match value {
        Json::String(text) => serde_json::from_str(&text)
            .map_err(|error| invalid(place, format!("not a JSON document: {error}"))),
        other => Ok(other),
    }
}

/// `AllowedPattern`: the subset of Java regular expressions that parameter patterns use
/// (classes, ranges, `\s \d \w`, groups, alternation, `* + ? {m,n}`), matched against the whole
/// value as CloudFormation does. The crate has no regex dependency for this one check; a
/// pattern outside the subset is reported, never silently passed.
mod pattern {
    enum Node {
        Literal(char),
        Any,
        Class(Class),
        Group(Vec<Vec<Node>>),
        Repeat(Box<Node>, usize, Option<usize>),
        Start,
        End,
    }

    struct Class {
        negated: bool,
        ranges: Vec<(char, char)>,
        shorthands: Vec<char>,
    }

    impl Class {
        fn matches(&self, c: char) -> bool {
            let hit = self
                .ranges
                .iter()
                .any(|(low, high)| (*low..=*high).contains(&c))
                || self.shorthands.iter().any(|s| shorthand(*s, c));
            hit != self.negated
        }
    }

    fn shorthand(kind: char, c: char) -> bool {
        let positive = match kind.to_ascii_lowercase() {
            'd' => c.is_ascii_digit(),
            'w' => c.is_ascii_alphanumeric() || c == '_',
            _ => matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c'),
        };
        positive != kind.is_ascii_uppercase()
    }

    struct Parser {
        chars: Vec<char>,
        at: usize,
    }

    impl Parser {
        fn peek(&self) -> Option<char> {
            self.chars.get(self.at).copied()
        }

        fn next(&mut self) -> Option<char> {
            let c = self.peek();
            self.at += 1;
            c
        }

        fn alternatives(&mut self) -> Result<Vec<Vec<Node>>, String> {
            let mut alternatives = vec![self.sequence()?];
            while self.peek() == Some('|') {
                self.at += 1;
                alternatives.push(self.sequence()?);
            }
            Ok(alternatives)
        }

        fn sequence(&mut self) -> Result<Vec<Node>, String> {
            let mut nodes = Vec::new();
            while let Some(c) = self.peek() {
                if c == '|' || c == ')' {
                    break;
                }
                let atom = self.atom()?;
                nodes.push(self.quantified(atom)?);
            }
            Ok(nodes)
        }

        fn atom(&mut self) -> Result<Node, String> {
            match self.next() {
                Some('(') => {
                    if self.peek() == Some('?') {
                        self.at += 1;
                        if self.next() != Some(':') {
                            return Err("lookarounds and group flags are not supported".into());
                        }
                    }
                    let alternatives = self.alternatives()?;
                    if self.next() != Some(')') {
                        return Err("unclosed group".into());
                    }
                    Ok(Node::Group(alternatives))
                }
                Some('[') => self.class(),
                Some('.') => Ok(Node::Any),
                Some('^') => Ok(Node::Start),
                Some('$') => Ok(Node::End),
                Some('\\') => self.escape().map(|escaped| match escaped {
                    Ok(c) => Node::Literal(c),
                    Err(kind) => Node::Class(Class {
                        negated: false,
                        ranges: Vec::new(),
                        shorthands: vec![kind],
                    }),
                }),
                Some(c @ ('*' | '+' | '?' | '{')) => Err(format!("nothing to repeat before {c}")),
                Some(c) => Ok(Node::Literal(c)),
                None => Err("unexpected end".into()),
            }
        }

        /// `Ok(literal)` or `Err(shorthand class letter)`.
        fn escape(&mut self) -> Result<Result<char, char>, String> {
            match self.next() {
                Some(c @ ('d' | 'D' | 'w' | 'W' | 's' | 'S')) => Ok(Err(c)),
                Some('n') => Ok(Ok('\n')),
                Some('t') => Ok(Ok('\t')),
                Some('r') => Ok(Ok('\r')),
                Some(c) if !c.is_ascii_alphanumeric() => Ok(Ok(c)),
                Some(c) => Err(format!("the escape \\{c} is not supported")),
                None => Err("a pattern cannot end in \\".into()),
            }
        }

        fn class(&mut self) -> Result<Node, String> {
            let mut class = Class {
                negated: false,
                ranges: Vec::new(),
                shorthands: Vec::new(),
            };
            if self.peek() == Some('^') {
                self.at += 1;
                class.negated = true;
            }
            let mut first = true;
            loop {
                let c = self.next().ok_or("unclosed character class")?;
                if c == ']' && !first {
                    break;
                }
                first = false;
                let low = match c {
                    '\\' => match self.escape()? {
                        Ok(c) => c,
                        Err(kind) => {
                            class.shorthands.push(kind);
                            continue;
                        }
                    },
                    '[' => return Err("nested classes are not supported".into()),
                    c => c,
                };
                if self.peek() == Some('-') && self.chars.get(self.at + 1) != Some(&']') {
                    self.at += 1;
                    let high = match self.next().ok_or("unclosed character class")? {
                        '\\' => self
                            .escape()?
                            .map_err(|_| "a range cannot end in a class")?,
                        c => c,
                    };
                    if high < low {
                        return Err(format!("the range {low}-{high} is reversed"));
                    }
                    class.ranges.push((low, high));
                } else {
                    class.ranges.push((low, low));
                }
            }
            Ok(Node::Class(class))
        }

        fn quantified(&mut self, atom: Node) -> Result<Node, String> {
            let (min, max) = match self.peek() {
                Some('*') => (0, None),
                Some('+') => (1, None),
                Some('?') => (0, Some(1)),
                Some('{') => {
                    let close = self.chars[self.at..]
                        .iter()
                        .position(|c| *c == '}')
                        .ok_or("unclosed {")?;
                    let inside: String = self.chars[self.at + 1..self.at + close].iter().collect();
                    self.at += close;
                    let number = |text: &str| {
                        text.trim()
                            .parse::<usize>()
                            .map_err(|_| format!("bad repetition {{{inside}}}"))
                    };
                    match inside.split_once(',') {
                        None => {
                            let count = number(&inside)?;
                            (count, Some(count))
                        }
                        Some((min, "")) => (number(min)?, None),
                        Some((min, max)) => (number(min)?, Some(number(max)?)),
                    }
                }
                _ => return Ok(atom),
            };
            self.at += 1;
            // Lazy and possessive forms match the same whole strings.
            if matches!(self.peek(), Some('?' | '+')) {
                self.at += 1;
            }
            Ok(Node::Repeat(Box::new(atom), min, max))
        }
    }

    /// Whether `pattern` matches all of `text`; `Err` when the pattern is outside the subset.
    pub(super) fn full_match(pattern: &str, text: &str) -> Result<bool, String> {
        let mut parser = Parser {
            chars: pattern.chars().collect(),
            at: 0,
        };
        let alternatives = parser.alternatives()?;
        if parser.at < parser.chars.len() {
            return Err("unbalanced )".into());
        }
        let text: Vec<char> = text.chars().collect();
        let root = [Node::Group(alternatives)];
        Ok(matches(&root, &text, 0, &mut |end| end == text.len()))
    }

    fn matches(
        nodes: &[Node],
        text: &[char],
        at: usize,
        then: &mut dyn FnMut(usize) -> bool,
    ) -> bool {
        let Some((first, rest)) = nodes.split_first() else {
            return then(at);
        };
        one(first, text, at, &mut |next| matches(rest, text, next, then))
    }

    fn one(node: &Node, text: &[char], at: usize, then: &mut dyn FnMut(usize) -> bool) -> bool {
        let here = text.get(at).copied();
        match node {
            Node::Literal(c) => here == Some(*c) && then(at + 1),
            Node::Any => here.is_some_and(|c| c != '\n') && then(at + 1),
            Node::Class(class) => here.is_some_and(|c| class.matches(c)) && then(at + 1),
            Node::Start => at == 0 && then(at),
            Node::End => at == text.len() && then(at),
            Node::Group(alternatives) => alternatives
                .iter()
                .any(|alternative| matches(alternative, text, at, then)),
            Node::Repeat(node, min, max) => repeat(node, *min, *max, text, at, then),
        }
    }

    /// Greedy repetition with backtracking; an iteration that consumes nothing ends it (else
    /// `(a*)*` would loop forever).
    fn repeat(
        node: &Node,
        min: usize,
        max: Option<usize>,
        text: &[char],
        at: usize,
        then: &mut dyn FnMut(usize) -> bool,
    ) -> bool {
        if max != Some(0) {
            let more = one(node, text, at, &mut |next| {
                if next == at && min == 0 {
                    return false;
                }
                repeat(
                    node,
                    min.saturating_sub(1),
                    max.map(|max| max - 1),
                    text,
                    next,
                    then,
                )
            });
            if more {
                return true;
            }
        }
        min == 0 && then(at)
    }

    #[cfg(test)]
    mod tests {
        use super::full_match;

        #[test]
        fn the_templates_patterns() {
            let stage = "^[a-z][a-z0-9-]{0,15}$";
            assert_eq!(full_match(stage, "dev"), Ok(true));
            assert_eq!(full_match(stage, "prod-2"), Ok(true));
            assert_eq!(full_match(stage, "Prod"), Ok(false));
            assert_eq!(full_match(stage, "a234567890123456"), Ok(true));
            assert_eq!(full_match(stage, "a2345678901234567"), Ok(false));
            assert_eq!(full_match(stage, ""), Ok(false));
            let mail = "^[^@\\s]+@[^@\\s]+$";
            assert_eq!(full_match(mail, "invoices@example.com"), Ok(true));
            assert_eq!(full_match(mail, "no at sign"), Ok(false));
            assert_eq!(full_match(mail, "a b@c"), Ok(false));
        }

        #[test]
        fn groups_alternation_and_whole_match() {
            assert_eq!(full_match("(dev|prod)(-[0-9]+)?", "prod-12"), Ok(true));
            assert_eq!(full_match("(dev|prod)(-[0-9]+)?", "staging"), Ok(false));
            // CloudFormation matches the whole value, anchors or not.
            assert_eq!(full_match("[a-z]+", "abc1"), Ok(false));
            assert_eq!(full_match("(a*)*b", "aaab"), Ok(true));
            assert!(full_match("(?=a)", "a").is_err());
        }
    }
}
