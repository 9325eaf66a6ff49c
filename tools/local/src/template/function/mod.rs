//! `AWS::Serverless::Function`: built with cargo and run under `cargo lambda watch` with the
//! environment the template gives it, its `Timeout` and `MemorySize`, its asynchronous
//! invocation settings (`EventInvokeConfig`) and its [`events`] (SQS, SNS, HttpApi).

mod events;

use super::convert::{as_string, as_u32_in, scalar_string};
use super::intrinsics::{Identity, Resolver, intrinsic};
use super::{
    Declared, ENCRYPTION, NO_IAM, Result, TAGS, accepted_properties, deserialize, invalid,
    template_queue, template_topic,
};
use crate::spec::{AsyncInvokeSpec, Destination, DestinationKind, FunctionSpec, StackSpec};
use serde::Deserialize;
use serde_json::Value as Json;
use serde_norway::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The resource type.
pub(super) const TYPE: &str = "AWS::Serverless::Function";

/// The properties the local stack reads; any other is refused unless it is in [`NO_EFFECT`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct Properties {
    /// Read by [`identity`], through the resolver.
    #[serde(rename = "FunctionName")]
    _function_name: Option<Json>,
    code_uri: Option<Json>,
    timeout: Option<Json>,
    memory_size: Option<Json>,
    environment: Option<Json>,
    events: Option<Json>,
    event_invoke_config: Option<Json>,
}

/// Properties accepted without local effect, and why that is safe.
const NO_EFFECT: &[(&str, &str)] = &[
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
        "the local runtime runs one instance per function; there is no account concurrency pool to reserve from",
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
    (
        "Layers",
        "a variable naming a path under /opt, where Lambda mounts layers, names the local layer folder instead",
    ),
];

/// `Environment`: only `Variables`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct Environment {
    variables: Option<Json>,
}

/// `EventInvokeConfig`: retries, event age and the on-failure destination.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct EventInvokeConfig {
    maximum_retry_attempts: Option<Json>,
    maximum_event_age_in_seconds: Option<Json>,
    destination_config: Option<Json>,
}

/// `EventInvokeConfig.DestinationConfig`: `OnSuccess` is refused by its builder.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct DestinationConfig {
    on_failure: Option<Json>,
    on_success: Option<Json>,
}

/// One destination: an SQS queue or SNS topic of the template.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct DestinationProperties {
    #[serde(rename = "Type")]
    kind: Option<Json>,
    destination: Option<Json>,
}

/// The function as the runtime runs it, with its event sources.
pub(super) fn build(
    resolver: &mut Resolver<'_>,
    resource: &Declared,
    spec: &mut StackSpec,
) -> Result<FunctionSpec> {
    let properties: Properties = accepted_properties(resolver, resource, NO_EFFECT, spec)?;
    let place = resource.properties_place();
    let identity = resolver.identity(&resource.logical_id)?;
    let binary = match build_binary(resource)? {
        Some(binary) => binary,
        None => binary_of_code_uri(properties.code_uri.as_ref(), &place)?,
    };
    let async_invoke = match properties.event_invoke_config {
        Some(config) => event_invoke_config(config, &format!("{place}.EventInvokeConfig"), spec)?,
        None => AsyncInvokeSpec::default(),
    };
    let mut function = FunctionSpec {
        logical_id: resource.logical_id.clone(),
        name: identity.name,
        arn: identity.arn,
        binary,
        timeout_s: match properties.timeout {
            Some(value) => as_u32_in(&value, &format!("{place}.Timeout"), 1, 900)?,
            None => 3,
        },
        memory_mb: match properties.memory_size {
            Some(value) => as_u32_in(&value, &format!("{place}.MemorySize"), 128, 10_240)?,
            None => 128,
        },
        environment: environment(properties.environment, &format!("{place}.Environment"))?,
        sqs_sources: Vec::new(),
        sns_sources: Vec::new(),
        http_routes: Vec::new(),
        async_invoke,
    };
    spec.services_called.insert(
        resource.logical_id.clone(),
        services_called(resolver.resources, resource),
    );
    match properties.events {
        None | Some(Json::Null) => {}
        Some(Json::Object(mut events)) => {
            // In the template's order (a JSON object sorts its keys): the routes and sources
            // keep the order the template declares them in.
            for event_id in declared_event_ids(resource) {
                if let Some(event) = events.remove(&event_id) {
                    events::add(resolver, resource, &mut function, &event_id, event, spec)?;
                }
            }
        }
        Some(_) => return Err(invalid(format!("{place}.Events"), "must be a mapping")),
    }
    Ok(function)
}

/// SAM's policy templates (`- SESCrudPolicy: {…}`) by the start of their name, and the service
/// each one grants actions of.
const SAM_POLICY_TEMPLATES: &[(&str, &str)] =
    &[("SES", "ses"), ("S3", "s3"), ("SQS", "sqs"), ("SNS", "sns")];

/// The services the function may call: the prefixes of the actions in its own `Policies` and
/// in the policies of the `AWS::IAM::Role` its `Role` names (`!GetAtt Role.Arn`), read as
/// written (an action is never an intrinsic).
fn services_called(resources: &[Declared], resource: &Declared) -> BTreeSet<String> {
    let mut actions = Vec::new();
    if let Some(policies) = resource.properties.get("Policies") {
        collect_actions(policies, &mut actions);
    }
    let role = resource
        .properties
        .get("Role")
        .and_then(role_logical_id)
        .and_then(|role| {
            resources
                .iter()
                .find(|declared| declared.logical_id == role)
        });
    if let Some(policies) = role.and_then(|role| role.properties.get("Policies")) {
        collect_actions(policies, &mut actions);
    }
    actions
        .iter()
        .filter_map(|action| action.split_once(':'))
        .map(|(service, _)| service.to_ascii_lowercase())
        .collect()
}

/// The logical id of the role that `!GetAtt X.Arn`, `!GetAtt [X, Arn]` or `!Ref X` names.
fn role_logical_id(role: &Value) -> Option<&str> {
    let (function, argument) = intrinsic(role)?;
    match (function.as_str(), argument) {
        ("Ref", Value::String(id)) => Some(id),
        ("Fn::GetAtt", Value::String(path)) => path.split_once('.').map(|(id, _)| id),
        ("Fn::GetAtt", Value::Sequence(parts)) => parts.first().and_then(Value::as_str),
        _ => None,
    }
}

/// Every `Action` (a string or a list of them) under `value`, and a `<service>:*` for each SAM
/// policy template named there.
fn collect_actions(value: &Value, actions: &mut Vec<String>) {
    match value {
        Value::Mapping(mapping) => {
            for (key, value) in mapping {
                let key = key.as_str().unwrap_or_default();
                if key == "Action" {
                    match value {
                        Value::String(action) => actions.push(action.clone()),
                        Value::Sequence(list) => {
                            actions.extend(list.iter().filter_map(Value::as_str).map(str::to_owned))
                        }
                        _ => {}
                    }
                } else if key.ends_with("Policy")
                    && let Some((_, service)) = SAM_POLICY_TEMPLATES
                        .iter()
                        .find(|(start, _)| key.starts_with(start))
                {
                    actions.push(format!("{service}:*"));
                } else {
                    collect_actions(value, actions);
                }
            }
        }
        Value::Sequence(list) => list.iter().for_each(|item| collect_actions(item, actions)),
        Value::Tagged(tagged) => collect_actions(&tagged.value, actions),
        _ => {}
    }
}

/// The ids of the function's events, in the template's order.
fn declared_event_ids(resource: &Declared) -> Vec<String> {
    match resource.properties.get("Events") {
        Some(serde_norway::Value::Mapping(events)) => {
            events.keys().filter_map(scalar_string).collect()
        }
        _ => Vec::new(),
    }
}

/// `Ref` gives the name; `Fn::GetAtt` gives `Arn`.
pub(super) fn identity(resolver: &mut Resolver<'_>, resource: &Declared) -> Result<Identity> {
    let context = resolver.context;
    let name = resolver
        .name_property(resource, "FunctionName")?
        .unwrap_or_else(|| format!("{}-{}", context.stack_name, resource.logical_id));
    let arn = format!(
        "arn:aws:lambda:{}:{}:function:{name}",
        context.region, context.account_id
    );
    Ok(Identity::named(
        name.clone(),
        arn.clone(),
        name,
        &[("Arn", arn)],
    ))
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

/// Without `Metadata.BuildProperties.Binary`, the binary is named after the last folder of
/// `CodeUri`.
fn binary_of_code_uri(code_uri: Option<&Json>, place: &str) -> Result<String> {
    let code_uri = code_uri.and_then(Json::as_str).ok_or_else(|| {
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
        .map(str::to_owned)
        .ok_or_else(|| {
            invalid(
                format!("{place}.CodeUri"),
                "names no folder to take the binary's name from",
            )
        })
}

fn environment(environment: Option<Json>, place: &str) -> Result<BTreeMap<String, String>> {
    let Some(environment) = environment else {
        return Ok(BTreeMap::new());
    };
    if !environment.is_object() {
        return Err(invalid(place, "must be a mapping"));
    }
    let environment: Environment = deserialize(environment, place, |key, _| {
        (
            format!("{place}.{key}"),
            "only Variables is supported".to_owned(),
        )
    })?;
    let mut variables = BTreeMap::new();
    let place = format!("{place}.Variables");
    match environment.variables {
        None => {}
        Some(Json::Object(values)) => {
            for (name, value) in values {
                let value = as_string(&value, &format!("{place}.{name}"))?;
                variables.insert(name, value);
            }
        }
        Some(_) => return Err(invalid(place, "must be a mapping")),
    }
    Ok(variables)
}

fn event_invoke_config(config: Json, place: &str, spec: &StackSpec) -> Result<AsyncInvokeSpec> {
    if !config.is_object() {
        return Err(invalid(place, "must be a mapping"));
    }
    let destinations_place = format!("{place}.DestinationConfig");
    let config: EventInvokeConfig = deserialize(config, place, |key, _| {
        (
            format!("{place}.{key}"),
            "unknown property of EventInvokeConfig".to_owned(),
        )
    })?;
    let mut settings = AsyncInvokeSpec::default();
    if let Some(value) = config.maximum_retry_attempts {
        let place = format!("{place}.MaximumRetryAttempts");
        settings.maximum_retry_attempts = as_u32_in(&value, &place, 0, 2)?;
    }
    if let Some(value) = config.maximum_event_age_in_seconds {
        let place = format!("{place}.MaximumEventAgeInSeconds");
        settings.maximum_event_age_s = as_u32_in(&value, &place, 60, 21_600)?;
    }
    if let Some(destinations) = config.destination_config {
        if !destinations.is_object() {
            return Err(invalid(destinations_place, "must be a mapping"));
        }
        let destinations: DestinationConfig =
            deserialize(destinations, &destinations_place, |key, _| {
                (
                    format!("{destinations_place}.{key}"),
                    "unknown destination".to_owned(),
                )
            })?;
        if destinations.on_success.is_some() {
            return Err(invalid(
                format!("{destinations_place}.OnSuccess"),
                "OnSuccess destinations are not supported by the local stack",
            ));
        }
        if let Some(on_failure) = destinations.on_failure {
            let place = format!("{destinations_place}.OnFailure");
            settings.on_failure = Some(destination(on_failure, &place, spec)?);
        }
    }
    Ok(settings)
}

fn destination(destination: Json, place: &str, spec: &StackSpec) -> Result<Destination> {
    if !destination.is_object() {
        return Err(invalid(place, "must be a mapping"));
    }
    let destination: DestinationProperties = deserialize(destination, place, |key, _| {
        (
            format!("{place}.{key}"),
            "unknown property of a destination".to_owned(),
        )
    })?;
    let kind = destination
        .kind
        .ok_or_else(|| invalid(format!("{place}.Type"), "a destination needs a Type"))?;
    let kind = as_string(&kind, &format!("{place}.Type"))?;
    let arn = destination.destination.ok_or_else(|| {
        invalid(
            format!("{place}.Destination"),
            "a destination needs the ARN of a queue or topic of the template",
        )
    })?;
    let arn_place = format!("{place}.Destination");
    match kind.as_str() {
        "SQS" => Ok(Destination {
            kind: DestinationKind::Sqs,
            arn: template_queue(spec, &arn, &arn_place)?,
        }),
        "SNS" => Ok(Destination {
            kind: DestinationKind::Sns,
            arn: template_topic(spec, &arn, &arn_place)?,
        }),
        other => Err(invalid(
            format!("{place}.Type"),
            format!("{other} destinations are not supported by the local stack (SQS and SNS are)"),
        )),
    }
}
