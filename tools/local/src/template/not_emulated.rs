//! Resource types that exist in AWS but are not created locally (IAM, KMS, logs, alarms,
//! resource policies), each with the reason that is safe. Their properties are still resolved,
//! so that an unsupported intrinsic or a `Ref` to nothing is refused, emulated or not; and they
//! have names and ARNs for the `Ref`s and `Fn::GetAtt`s of the resources that are.
//! E-mail subscriptions (`AWS::SNS::Subscription` with protocol `email`) are listed here too,
//! through [`build`], with the reason the module `subscription` gives.

use super::convert::key_string;
use super::intrinsics::{Identity, Resolver, stable_uuid};
use super::{Declared, Result};
use crate::spec::NotEmulated;

/// The types, and why not creating them is safe.
const TYPES: &[(&str, &str)] = &[
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
    (
        "AWS::Serverless::LayerVersion",
        "a layer is files Lambda mounts at /opt; local functions get its folder there instead (runtime::LOCAL_LAYER)",
    ),
];

/// Why `kind` is not created locally, if it is one of these types.
pub(super) fn reason(kind: &str) -> Option<&'static str> {
    TYPES
        .iter()
        .find(|(name, _)| *name == kind)
        .map(|(_, reason)| *reason)
}

/// Resolves the properties of `resource` (a type of [`TYPES`]) to hold them to the same rules
/// as the rest, and names it as not emulated.
pub(super) fn build(
    resolver: &mut Resolver<'_>,
    resource: &Declared,
    reason: &str,
) -> Result<NotEmulated> {
    let place = resource.properties_place();
    for (key, value) in &resource.properties {
        let key = key_string(key, &place)?;
        resolver.resolve(value, &format!("{place}.{key}"))?;
    }
    Ok(NotEmulated {
        logical_id: resource.logical_id.clone(),
        resource_type: resource.kind.clone(),
        reason: reason.to_owned(),
    })
}

/// What `Ref` and `Fn::GetAtt` give for these types, as CloudFormation names them.
pub(super) fn identity(resolver: &mut Resolver<'_>, resource: &Declared) -> Result<Identity> {
    let context = resolver.context;
    let (region, account) = (context.region.clone(), context.account_id.clone());
    let generated = format!("{}-{}", context.stack_name, resource.logical_id);
    let mut name_or = |key: &str, default: String| -> Result<String> {
        Ok(resolver.name_property(resource, key)?.unwrap_or(default))
    };
    let named = |name: String, arn: String| {
        Identity::named(name.clone(), arn.clone(), name, &[("Arn", arn)])
    };
    Ok(match resource.kind.as_str() {
        "AWS::IAM::Role" => {
            let name = name_or("RoleName", generated)?;
            named(name.clone(), format!("arn:aws:iam::{account}:role/{name}"))
        }
        "AWS::KMS::Key" => {
            let id = stable_uuid(&context.stack_name, &resource.logical_id)
                .hyphenated()
                .to_string();
            let arn = format!("arn:aws:kms:{region}:{account}:key/{id}");
            Identity::named(
                id.clone(),
                arn.clone(),
                id.clone(),
                &[("Arn", arn), ("KeyId", id)],
            )
        }
        "AWS::KMS::Alias" => {
            let name = name_or("AliasName", format!("alias/{generated}"))?;
            let arn = format!("arn:aws:kms:{region}:{account}:{name}");
            Identity::named(name.clone(), arn, name, &[])
        }
        "AWS::Logs::LogGroup" => {
            let name = name_or("LogGroupName", generated)?;
            // CloudFormation's LogGroup Arn ends in ":*".
            named(
                name.clone(),
                format!("arn:aws:logs:{region}:{account}:log-group:{name}:*"),
            )
        }
        "AWS::CloudWatch::Alarm" => {
            let name = name_or("AlarmName", generated)?;
            named(
                name.clone(),
                format!("arn:aws:cloudwatch:{region}:{account}:alarm:{name}"),
            )
        }
        "AWS::Serverless::LayerVersion" => {
            let name = name_or("LayerName", generated)?;
            named(
                name.clone(),
                format!("arn:aws:lambda:{region}:{account}:layer:{name}:1"),
            )
        }
        _ => Identity::unnamed("a policy has no name or ARN to refer to"),
    })
}
