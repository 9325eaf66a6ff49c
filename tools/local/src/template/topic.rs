//! `AWS::SNS::Topic`: created in the emulator under its `TopicName`, or
//! `<stack>-<logical id>`.

use super::intrinsics::{Identity, Resolver};
use super::{Declared, ENCRYPTION, Result, TAGS, accepted_properties};
use crate::spec::{StackSpec, TopicSpec};
use serde::Deserialize;
use serde_json::Value as Json;

/// The resource type.
pub(super) const TYPE: &str = "AWS::SNS::Topic";

/// The properties the local stack reads; any other is refused unless it is in [`NO_EFFECT`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Properties {
    /// Read by [`identity`], through the resolver.
    #[serde(rename = "TopicName")]
    _topic_name: Option<Json>,
}

/// Properties accepted without local effect, and why that is safe.
const NO_EFFECT: &[(&str, &str)] = &[
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
];

/// The topic as the emulator creates it.
pub(super) fn build(
    resolver: &mut Resolver<'_>,
    resource: &Declared,
    spec: &mut StackSpec,
) -> Result<TopicSpec> {
    let _: Properties = accepted_properties(resolver, resource, NO_EFFECT, spec)?;
    let identity = resolver.identity(&resource.logical_id)?;
    Ok(TopicSpec {
        logical_id: resource.logical_id.clone(),
        name: identity.name,
        arn: identity.arn,
    })
}

/// `Ref` gives the ARN; `Fn::GetAtt` gives `TopicArn` and `TopicName`.
pub(super) fn identity(resolver: &mut Resolver<'_>, resource: &Declared) -> Result<Identity> {
    let context = resolver.context;
    let name = resolver
        .name_property(resource, "TopicName")?
        .unwrap_or_else(|| format!("{}-{}", context.stack_name, resource.logical_id));
    let arn = format!(
        "arn:aws:sns:{}:{}:{name}",
        context.region, context.account_id
    );
    Ok(Identity::named(
        name.clone(),
        arn.clone(),
        arn.clone(),
        &[("TopicArn", arn), ("TopicName", name)],
    ))
}
