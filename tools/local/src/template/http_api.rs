//! `AWS::Serverless::HttpApi`: the API the local front door plays, on a loopback port; its
//! routes come from the functions' `HttpApi` events. Without one, SAM's implicit
//! `ServerlessHttpApi` is what such an event attaches to.

use super::convert::as_string;
use super::intrinsics::{Identity, Resolver, stable_uuid};
use super::{Declared, Result, TAGS, accepted_properties};
use crate::spec::{HttpApiSpec, StackContext, StackSpec};
use serde::Deserialize;
use serde_json::Value as Json;

/// The resource type.
pub(super) const TYPE: &str = "AWS::Serverless::HttpApi";

/// SAM's implicit HTTP API: the one an `HttpApi` event without `ApiId` attaches to.
pub(super) const IMPLICIT: &str = "ServerlessHttpApi";

/// The properties the local stack reads; any other is refused unless it is in [`NO_EFFECT`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct Properties {
    stage_name: Option<Json>,
}

/// Properties accepted without local effect, and why that is safe.
const NO_EFFECT: &[(&str, &str)] = &[
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
];

/// The API as the front door plays it.
pub(super) fn build(
    resolver: &mut Resolver<'_>,
    resource: &Declared,
    spec: &mut StackSpec,
) -> Result<HttpApiSpec> {
    let properties: Properties = accepted_properties(resolver, resource, NO_EFFECT, spec)?;
    let stage = match properties.stage_name {
        Some(stage) => as_string(
            &stage,
            &format!("{}.StageName", resource.properties_place()),
        )?,
        None => "$default".to_owned(),
    };
    Ok(HttpApiSpec {
        logical_id: resource.logical_id.clone(),
        stage,
    })
}

/// The API of an `HttpApi` event without `ApiId`: SAM's implicit one, added to `spec` on first
/// use.
pub(super) fn implicit(spec: &mut StackSpec) -> String {
    if !spec.http_apis.iter().any(|api| api.logical_id == IMPLICIT) {
        spec.http_apis.push(HttpApiSpec {
            logical_id: IMPLICIT.to_owned(),
            stage: "$default".to_owned(),
        });
    }
    IMPLICIT.to_owned()
}

/// The authorizer SAM gives a route of `api` without its own: the API's `DefaultAuthorizer`.
pub(super) fn default_authorizer(resolver: &Resolver<'_>, api_logical_id: &str) -> Option<String> {
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

/// `Ref` gives the API's id (stable locally); `Fn::GetAtt` gives `ApiEndpoint`.
pub(super) fn identity(context: &StackContext, resource: &Declared) -> Identity {
    let stack = &context.stack_name;
    let id = stable_uuid(stack, &resource.logical_id)
        .simple()
        .to_string()[..10]
        .to_owned();
    let endpoint = format!("https://{id}.execute-api.{}.amazonaws.com", context.region);
    Identity::named(id.clone(), String::new(), id, &[("ApiEndpoint", endpoint)])
}
