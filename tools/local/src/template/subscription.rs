//! `AWS::SNS::Subscription`: a queue of the template subscribed to a topic of the template,
//! with its filter policy and raw delivery. E-mail subscriptions are named as not emulated
//! (see [`not_emulated_reason`]); other protocols are refused.

use super::convert::{as_bool, as_string, json_or_json_string};
use super::intrinsics::{Identity, Resolver};
use super::{Declared, Result, accepted_properties, invalid, template_queue, template_topic};
use crate::spec::{StackSpec, SubscriptionSpec};
use serde::Deserialize;
use serde_json::Value as Json;

/// The resource type.
pub(super) const TYPE: &str = "AWS::SNS::Subscription";

/// The properties the local stack reads; any other is refused unless it is in [`NO_EFFECT`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct Properties {
    topic_arn: Option<Json>,
    protocol: Option<Json>,
    endpoint: Option<Json>,
    raw_message_delivery: Option<Json>,
    filter_policy: Option<Json>,
    filter_policy_scope: Option<Json>,
}

/// Properties accepted without local effect, and why that is safe.
const NO_EFFECT: &[(&str, &str)] = &[
    (
        "RedrivePolicy",
        "the emulator delivers to the queue at once; an undeliverable message does not happen locally",
    ),
    ("DeliveryPolicy", "applies to HTTP(S) endpoints only"),
];

/// Protocols that exist in AWS but deliver nowhere locally, and why leaving them out is safe.
const NOT_EMULATED_PROTOCOLS: &[(&str, &str)] = &[
    (
        "email",
        "e-mail subscriptions are not emulated: there is no mail server locally; the emulator would accept the subscription but nothing local reads what it sends",
    ),
    (
        "email-json",
        "e-mail subscriptions are not emulated: there is no mail server locally; the emulator would accept the subscription but nothing local reads what it sends",
    ),
];

/// Why `resource` is not created locally, if its protocol is one of [`NOT_EMULATED_PROTOCOLS`].
pub(super) fn not_emulated_reason(
    resolver: &mut Resolver<'_>,
    resource: &Declared,
) -> Result<Option<&'static str>> {
    let Some(protocol) = resolver.property(resource, "Protocol")? else {
        return Ok(None);
    };
    let protocol = as_string(
        &protocol,
        &format!("{}.Protocol", resource.properties_place()),
    )?;
    Ok(NOT_EMULATED_PROTOCOLS
        .iter()
        .find(|(name, _)| *name == protocol)
        .map(|(_, reason)| *reason))
}

/// The subscription as the emulator creates it.
pub(super) fn build(
    resolver: &mut Resolver<'_>,
    resource: &Declared,
    spec: &mut StackSpec,
) -> Result<SubscriptionSpec> {
    let properties: Properties = accepted_properties(resolver, resource, NO_EFFECT, spec)?;
    let place = resource.properties_place();
    let required = |value: Option<Json>, key: &str| {
        value.ok_or_else(|| invalid(format!("{place}.{key}"), format!("{key} is required")))
    };
    let protocol = required(properties.protocol, "Protocol")?;
    let protocol = as_string(&protocol, &format!("{place}.Protocol"))?;
    if protocol != "sqs" {
        return Err(invalid(
            format!("{place}.Protocol"),
            format!(
                "protocol {protocol} is not supported by the local stack (only sqs; email and email-json are named as not emulated)"
            ),
        ));
    }
    let topic_arn = required(properties.topic_arn, "TopicArn")?;
    let topic_arn = template_topic(spec, &topic_arn, &format!("{place}.TopicArn"))?;
    let queue_arn = required(properties.endpoint, "Endpoint")?;
    let queue_arn = template_queue(spec, &queue_arn, &format!("{place}.Endpoint"))?;
    let raw_message_delivery = match properties.raw_message_delivery {
        Some(value) => as_bool(&value, &format!("{place}.RawMessageDelivery"))?,
        None => false,
    };
    let filter_policy = properties
        .filter_policy
        .map(|policy| json_or_json_string(policy, &format!("{place}.FilterPolicy")))
        .transpose()?;
    let filter_policy_scope = properties
        .filter_policy_scope
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

/// A subscription has no name; its ARN exists only once it is created.
pub(super) fn identity() -> Identity {
    Identity::unnamed("a subscription's ARN exists only once it is created")
}

/// `FilterPolicyScope`, of a subscription or of a function's SNS event.
pub(super) fn filter_policy_scope(scope: &Json, place: &str) -> Result<String> {
    let scope = as_string(scope, place)?;
    match scope.as_str() {
        "MessageAttributes" | "MessageBody" => Ok(scope),
        other => Err(invalid(
            place,
            format!("FilterPolicyScope {other} is neither MessageAttributes nor MessageBody"),
        )),
    }
}
