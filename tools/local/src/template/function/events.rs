//! A function's `Events`: the triggers the local stack runs for it. `SQS` (an event source
//! mapping of a queue of the template), `SNS` (an asynchronous invocation from a topic of the
//! template) and `HttpApi` (a route of the front door); any other type is refused.

use super::super::convert::{as_bool, as_string, as_u32_in, json_or_json_string};
use super::super::intrinsics::{Resolver, ref_target};
use super::super::subscription::filter_policy_scope;
use super::super::{
    Declared, Result, deserialize, http_api, invalid, template_queue, template_topic,
};
use crate::spec::{
    FunctionSpec, HttpRouteSpec, NoLocalEffect, SnsSourceSpec, SqsSourceSpec, StackSpec,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;

/// One event: its type and its properties.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Event {
    #[serde(rename = "Type")]
    kind: Option<Json>,
    #[serde(rename = "Properties", default)]
    properties: Option<Json>,
}

/// An `SQS` event: the event source mapping's settings.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct SqsEvent {
    queue: Option<Json>,
    batch_size: Option<Json>,
    maximum_batching_window_in_seconds: Option<Json>,
    function_response_types: Option<Json>,
    scaling_config: Option<Json>,
    enabled: Option<Json>,
}

/// An `SNS` event: the topic and the subscription's filter.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct SnsEvent {
    topic: Option<Json>,
    filter_policy: Option<Json>,
    filter_policy_scope: Option<Json>,
    redrive_policy: Option<Json>,
}

/// Why an SNS event's `RedrivePolicy` changes nothing locally.
const SNS_REDRIVE_NO_EFFECT: &str = "the local SNS trigger hands each message to the function at once, through an internal queue with no dead-letter queue for SNS deliveries; a message SNS cannot deliver does not happen locally (the function's own failures still go to its EventInvokeConfig destination)";

/// An `HttpApi` event: a route.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct HttpApiEvent {
    /// Read as written (see [`api_of`]): the route needs the API's logical id, not its id.
    #[serde(rename = "ApiId")]
    _api_id: Option<Json>,
    method: Option<Json>,
    path: Option<Json>,
    payload_format_version: Option<Json>,
    auth: Option<Json>,
}

/// A route's `Auth`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct RouteAuth {
    authorizer: Option<Json>,
    #[serde(rename = "AuthorizationScopes")]
    _authorization_scopes: Option<Json>,
}

/// Adds the event `event_id` (resolved) of `resource` to `function`.
pub(super) fn add(
    resolver: &Resolver<'_>,
    resource: &Declared,
    function: &mut FunctionSpec,
    event_id: &str,
    event: Json,
    spec: &mut StackSpec,
) -> Result<()> {
    let place = format!("{}.Events.{event_id}", resource.properties_place());
    if !event.is_object() {
        return Err(invalid(place, "an event must be a mapping"));
    }
    let event: Event = deserialize(event, &place, |key, _| {
        (
            format!("{place}.{key}"),
            "unknown attribute of an event".to_owned(),
        )
    })?;
    let Some(kind) = event.kind.as_ref().and_then(Json::as_str) else {
        return Err(invalid(format!("{place}.Type"), "an event needs a Type"));
    };
    let properties = match event.properties {
        None => Json::Object(serde_json::Map::new()),
        Some(properties) if properties.is_object() => properties,
        Some(_) => return Err(invalid(format!("{place}.Properties"), "must be a mapping")),
    };
    let at = format!("{place}.Properties");
    match kind {
        "SQS" => {
            let event = properties_of(properties, &at, "SQS")?;
            function.sqs_sources.push(sqs(event_id, event, &at, spec)?);
        }
        "SNS" => {
            let event = properties_of(properties, &at, "SNS")?;
            let source = sns(event_id, event, &at, spec)?;
            function.sns_sources.push(source);
        }
        "HttpApi" => {
            let event = properties_of(properties, &at, "HttpApi")?;
            let route = http(resolver, resource, event_id, event, &at, spec)?;
            function.http_routes.push(route);
        }
        other => {
            return Err(invalid(
                format!("{place}.Type"),
                format!(
                    "event type {other} is not supported by the local stack (SQS, SNS, HttpApi)"
                ),
            ));
        }
    }
    Ok(())
}

/// The properties of a `kind` event, an unknown one named with what is supported.
fn properties_of<T: DeserializeOwned>(properties: Json, place: &str, kind: &str) -> Result<T> {
    deserialize(properties, place, |key, supported| {
        (
            format!("{place}.{key}"),
            format!(
                "property {key} of a {kind} event is not supported by the local stack (supported: {supported})"
            ),
        )
    })
}

fn sqs(event_id: &str, event: SqsEvent, place: &str, spec: &StackSpec) -> Result<SqsSourceSpec> {
    let at = |key: &str| format!("{place}.{key}");
    let queue = event
        .queue
        .ok_or_else(|| invalid(at("Queue"), "Queue is required"))?;
    let report_batch_item_failures = match event.function_response_types {
        None => false,
        Some(Json::Array(types)) => {
            for kind in &types {
                if kind.as_str() != Some("ReportBatchItemFailures") {
                    return Err(invalid(
                        at("FunctionResponseTypes"),
                        format!("{kind} is not a function response type (ReportBatchItemFailures)"),
                    ));
                }
            }
            !types.is_empty()
        }
        Some(_) => return Err(invalid(at("FunctionResponseTypes"), "must be a list")),
    };
    let maximum_concurrency = match event.scaling_config {
        None => None,
        Some(Json::Object(config)) => {
            let mut maximum = None;
            for (key, value) in config {
                let place = format!("{}.{key}", at("ScalingConfig"));
                if key != "MaximumConcurrency" {
                    return Err(invalid(place, "unknown property of ScalingConfig"));
                }
                maximum = Some(as_u32_in(&value, &place, 2, 1000)?);
            }
            maximum
        }
        Some(_) => return Err(invalid(at("ScalingConfig"), "must be a mapping")),
    };
    Ok(SqsSourceSpec {
        event_id: event_id.to_owned(),
        queue_arn: template_queue(spec, &queue, &at("Queue"))?,
        batch_size: match event.batch_size {
            Some(value) => as_u32_in(&value, &at("BatchSize"), 1, 10_000)?,
            None => 10,
        },
        batching_window_s: match event.maximum_batching_window_in_seconds {
            Some(value) => as_u32_in(&value, &at("MaximumBatchingWindowInSeconds"), 0, 300)?,
            None => 0,
        },
        report_batch_item_failures,
        maximum_concurrency,
        enabled: match event.enabled {
            Some(value) => as_bool(&value, &at("Enabled"))?,
            None => true,
        },
    })
}

fn sns(
    event_id: &str,
    event: SnsEvent,
    place: &str,
    spec: &mut StackSpec,
) -> Result<SnsSourceSpec> {
    let at = |key: &str| format!("{place}.{key}");
    let topic = event
        .topic
        .ok_or_else(|| invalid(at("Topic"), "Topic is required"))?;
    if let Some(redrive) = &event.redrive_policy {
        redrive_target(redrive, &at("RedrivePolicy"), spec)?;
        let logical_id = place
            .strip_prefix("Resources.")
            .and_then(|rest| rest.split_once('.'))
            .map(|(logical_id, _)| logical_id.to_owned())
            .unwrap_or_default();
        spec.no_local_effect.push(NoLocalEffect {
            logical_id,
            property: format!("Events.{event_id}.Properties.RedrivePolicy"),
            reason: SNS_REDRIVE_NO_EFFECT.to_owned(),
        });
    }
    Ok(SnsSourceSpec {
        event_id: event_id.to_owned(),
        topic_arn: template_topic(spec, &topic, &at("Topic"))?,
        filter_policy: event
            .filter_policy
            .map(|policy| json_or_json_string(policy, &at("FilterPolicy")))
            .transpose()?,
        filter_policy_scope: event
            .filter_policy_scope
            .map(|scope| filter_policy_scope(&scope, &at("FilterPolicyScope")))
            .transpose()?,
    })
}

/// The dead-letter queue of an SNS `RedrivePolicy`, held to the template's queues even though
/// nothing is delivered there locally: a wrong target is as wrong here as in AWS.
fn redrive_target(redrive: &Json, place: &str, spec: &StackSpec) -> Result<String> {
    let redrive = json_or_json_string(redrive.clone(), place)?;
    let Some(object) = redrive.as_object() else {
        return Err(invalid(place, "must be a mapping"));
    };
    if let Some(key) = object.keys().find(|key| *key != "deadLetterTargetArn") {
        return Err(invalid(
            format!("{place}.{key}"),
            "unknown key of a RedrivePolicy (only deadLetterTargetArn)",
        ));
    }
    let target = object.get("deadLetterTargetArn").ok_or_else(|| {
        invalid(
            format!("{place}.deadLetterTargetArn"),
            "deadLetterTargetArn is required",
        )
    })?;
    template_queue(spec, target, &format!("{place}.deadLetterTargetArn"))
}

fn http(
    resolver: &Resolver<'_>,
    resource: &Declared,
    event_id: &str,
    event: HttpApiEvent,
    place: &str,
    spec: &mut StackSpec,
) -> Result<HttpRouteSpec> {
    let at = |key: &str| format!("{place}.{key}");
    let api_logical_id = match api_of(resolver, resource, event_id, &at("ApiId"))? {
        Some(api) => api,
        None => http_api::implicit(spec),
    };
    let method = event
        .method
        .ok_or_else(|| invalid(at("Method"), "Method is required"))?;
    let method = as_string(&method, &at("Method"))?.to_ascii_uppercase();
    let path = event
        .path
        .ok_or_else(|| invalid(at("Path"), "Path is required"))?;
    let path = as_string(&path, &at("Path"))?;
    if !path.starts_with('/') {
        return Err(invalid(at("Path"), "a route's path starts with /"));
    }
    let payload_format_version = match event.payload_format_version {
        Some(version) => as_string(&version, &at("PayloadFormatVersion"))?,
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
    let authorizer = match event.auth {
        Some(auth) if auth.is_object() => {
            let auth_place = at("Auth");
            let auth: RouteAuth = deserialize(auth, &auth_place, |key, _| {
                (
                    format!("{auth_place}.{key}"),
                    "unknown property of a route's Auth".to_owned(),
                )
            })?;
            match auth.authorizer {
                Some(name) => Some(as_string(&name, &format!("{auth_place}.Authorizer"))?),
                None => http_api::default_authorizer(resolver, &api_logical_id),
            }
        }
        Some(_) => return Err(invalid(at("Auth"), "must be a mapping")),
        // SAM: a route without its own authorizer gets the API's default one.
        None => http_api::default_authorizer(resolver, &api_logical_id),
    };
    Ok(HttpRouteSpec {
        event_id: event_id.to_owned(),
        api_logical_id,
        method,
        path,
        payload_format_version,
        authorizer: authorizer.filter(|name| name != "NONE"),
    })
}

/// The logical id of the API an `HttpApi` event names in `ApiId`, read as written in the
/// template (its resolved value is the API's id, not its logical id); `None` without `ApiId`.
fn api_of(
    resolver: &Resolver<'_>,
    resource: &Declared,
    event_id: &str,
    place: &str,
) -> Result<Option<String>> {
    let Some(api) = resource
        .properties
        .get("Events")
        .and_then(|events| events.get(event_id))
        .and_then(|event| event.get("Properties"))
        .and_then(|properties| properties.get("ApiId"))
    else {
        return Ok(None);
    };
    let target = ref_target(api).ok_or_else(|| {
        invalid(
            place,
            "must be a Ref to an AWS::Serverless::HttpApi of the template",
        )
    })?;
    match resolver.resources.iter().find(|r| r.logical_id == target) {
        Some(api) if api.kind == http_api::TYPE => Ok(Some(target.to_owned())),
        _ => Err(invalid(
            place,
            format!("{target} is not an AWS::Serverless::HttpApi of the template"),
        )),
    }
}
