//! `AWS::SQS::Queue`: created in the emulator with its visibility timeout, retention and
//! redrive policy (the dead-letter queue must be a queue of the template).

use super::convert::{as_string, as_u32_in, json_or_json_string};
use super::intrinsics::{Identity, Resolver};
use super::{Declared, ENCRYPTION, Result, TAGS, accepted_properties, invalid};
use crate::spec::{QueueSpec, Redrive, StackSpec};
use serde::Deserialize;
use serde_json::Value as Json;

/// The resource type.
pub(super) const TYPE: &str = "AWS::SQS::Queue";

/// The properties the local stack reads; any other is refused unless it is in [`NO_EFFECT`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct Properties {
    /// Read by [`identity`], through the resolver.
    #[serde(rename = "QueueName")]
    _queue_name: Option<Json>,
    visibility_timeout: Option<Json>,
    message_retention_period: Option<Json>,
    redrive_policy: Option<Json>,
}

/// Properties accepted without local effect, and why that is safe.
const NO_EFFECT: &[(&str, &str)] = &[
    ("KmsMasterKeyId", ENCRYPTION),
    ("KmsDataKeyReusePeriodSeconds", ENCRYPTION),
    ("SqsManagedSseEnabled", ENCRYPTION),
    (
        "RedriveAllowPolicy",
        "only limits which queues may use this one as a DLQ; the template's own redrive is created",
    ),
    ("Tags", TAGS),
];

/// The redrive policy, written as YAML or as a JSON string.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RedrivePolicy {
    dead_letter_target_arn: Option<Json>,
    max_receive_count: Option<Json>,
}

/// The queue as the emulator creates it. Its dead-letter target is checked by
/// [`check_dead_letter_targets`] once every queue is known.
pub(super) fn build(
    resolver: &mut Resolver<'_>,
    resource: &Declared,
    spec: &mut StackSpec,
) -> Result<QueueSpec> {
    let properties: Properties = accepted_properties(resolver, resource, NO_EFFECT, spec)?;
    let place = resource.properties_place();
    let identity = resolver.identity(&resource.logical_id)?;
    let visibility_timeout_s = match properties.visibility_timeout {
        Some(value) => as_u32_in(&value, &format!("{place}.VisibilityTimeout"), 0, 43_200)?,
        None => 30,
    };
    let message_retention_s = match properties.message_retention_period {
        Some(value) => as_u32_in(
            &value,
            &format!("{place}.MessageRetentionPeriod"),
            60,
            1_209_600,
        )?,
        None => 345_600,
    };
    let redrive = properties
        .redrive_policy
        .map(|policy| redrive(policy, &format!("{place}.RedrivePolicy")))
        .transpose()?;
    Ok(QueueSpec {
        logical_id: resource.logical_id.clone(),
        name: identity.name,
        arn: identity.arn,
        visibility_timeout_s,
        message_retention_s,
        redrive,
    })
}

fn redrive(policy: Json, place: &str) -> Result<Redrive> {
    let policy = json_or_json_string(policy, place)?;
    if !policy.is_object() {
        return Err(invalid(place, "must be a mapping"));
    }
    let policy: RedrivePolicy = super::deserialize(policy, place, |key, _| {
        (
            format!("{place}.{key}"),
            "unknown key of a redrive policy".to_owned(),
        )
    })?;
    let dead_letter_arn = policy
        .dead_letter_target_arn
        .ok_or_else(|| invalid(place, "a redrive policy needs deadLetterTargetArn"))?;
    let max_receive_count = policy
        .max_receive_count
        .ok_or_else(|| invalid(place, "a redrive policy needs maxReceiveCount"))?;
    Ok(Redrive {
        dead_letter_arn: as_string(&dead_letter_arn, &format!("{place}.deadLetterTargetArn"))?,
        max_receive_count: as_u32_in(
            &max_receive_count,
            &format!("{place}.maxReceiveCount"),
            1,
            1000,
        )?,
    })
}

/// Dead-letter targets may come later in the template than the queues that name them: checked
/// once every queue is built. `resources` are the queues' declarations, in `spec.queues`' order.
pub(super) fn check_dead_letter_targets(spec: &StackSpec, resources: &[&Declared]) -> Result<()> {
    for (queue, resource) in spec.queues.iter().zip(resources) {
        if let Some(redrive) = &queue.redrive
            && spec.queue_by_arn(&redrive.dead_letter_arn).is_none()
        {
            return Err(invalid(
                format!(
                    "{}.RedrivePolicy.deadLetterTargetArn",
                    resource.properties_place()
                ),
                format!(
                    "{} is not a queue of this template",
                    redrive.dead_letter_arn
                ),
            ));
        }
    }
    Ok(())
}

/// `Ref` gives the URL; `Fn::GetAtt` gives `Arn`, `QueueName` and `QueueUrl`.
pub(super) fn identity(resolver: &mut Resolver<'_>, resource: &Declared) -> Result<Identity> {
    let context = resolver.context;
    let (region, account) = (&context.region, &context.account_id);
    let name = resolver
        .name_property(resource, "QueueName")?
        .unwrap_or_else(|| format!("{}-{}", context.stack_name, resource.logical_id));
    let arn = format!("arn:aws:sqs:{region}:{account}:{name}");
    let url = format!("https://sqs.{region}.amazonaws.com/{account}/{name}");
    Ok(Identity::named(
        name.clone(),
        arn.clone(),
        url.clone(),
        &[("Arn", arn), ("QueueName", name), ("QueueUrl", url)],
    ))
}
