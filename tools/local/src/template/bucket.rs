//! `AWS::S3::Bucket`: created in the emulator under its `BucketName`, or the name
//! CloudFormation would generate (stable locally).

use super::intrinsics::{Identity, Resolver};
use super::{Declared, ENCRYPTION, Result, TAGS, accepted_properties};
use crate::spec::{BucketSpec, StackSpec};
use serde::Deserialize;
use serde_json::Value as Json;

/// The resource type.
pub(super) const TYPE: &str = "AWS::S3::Bucket";

/// The properties the local stack reads; any other is refused unless it is in [`NO_EFFECT`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Properties {
    /// Read by [`identity`], through the resolver.
    #[serde(rename = "BucketName")]
    _bucket_name: Option<Json>,
}

/// Properties accepted without local effect, and why that is safe.
const NO_EFFECT: &[(&str, &str)] = &[
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
];

/// The bucket as the emulator creates it.
pub(super) fn build(
    resolver: &mut Resolver<'_>,
    resource: &Declared,
    spec: &mut StackSpec,
) -> Result<BucketSpec> {
    let _: Properties = accepted_properties(resolver, resource, NO_EFFECT, spec)?;
    let identity = resolver.identity(&resource.logical_id)?;
    Ok(BucketSpec {
        logical_id: resource.logical_id.clone(),
        name: identity.name,
    })
}

/// `Ref` gives the name; `Fn::GetAtt` gives `Arn` and `DomainName`.
pub(super) fn identity(resolver: &mut Resolver<'_>, resource: &Declared) -> Result<Identity> {
    let name = match resolver.name_property(resource, "BucketName")? {
        Some(name) => name,
        // CloudFormation: stack name, logical id and a random suffix, lowercased and at most 63
        // characters; locally the name stays stable.
        None => {
            let stack = &resolver.context.stack_name;
            let mut name = format!("{stack}-{}", resource.logical_id).to_ascii_lowercase();
            // At most 63 bytes, cut at a character's boundary: a logical id may be non-ASCII
            // (found by fuzzing; `truncate` in a character panicked).
            let mut end = name.len().min(63);
            while !name.is_char_boundary(end) {
                end -= 1;
            }
            name.truncate(end);
            name.trim_end_matches('-').to_owned()
        }
    };
    let arn = format!("arn:aws:s3:::{name}");
    Ok(Identity::named(
        name.clone(),
        arn.clone(),
        name.clone(),
        &[
            ("Arn", arn),
            ("DomainName", format!("{name}.s3.amazonaws.com")),
        ],
    ))
}
