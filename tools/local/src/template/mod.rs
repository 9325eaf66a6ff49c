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
//! `Conditions` are evaluated (module `conditions`) and a resource whose `Condition` is false is
//! left out, as CloudFormation leaves it out; `Fn::FindInMap` reads the template's `Mappings`.
//!
//! SAM's `Globals` section is merged the way SAM merges it (`Globals.Function` into every
//! `AWS::Serverless::Function`, `Globals.HttpApi` into every `AWS::Serverless::HttpApi`: the
//! resource's own scalars win, maps are merged key by key, lists are concatenated).

mod bucket;
mod conditions;
mod convert;
mod function;
mod globals;
mod http_api;
mod intrinsics;
mod not_emulated;
mod parameters;
mod queue;
mod subscription;
mod topic;

use crate::spec::{NoLocalEffect, StackContext, StackSpec};
use convert::{as_string, key_string, scalar_string, show};
use intrinsics::Resolver;
use serde::de::DeserializeOwned;
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

/// Reasons shared by the property tables of several types.
const ENCRYPTION: &str = "encryption at rest is not emulated";
const TAGS: &str = "tags change nothing locally";
const NO_IAM: &str = "IAM is not enforced locally";

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
    globals::apply_globals(&mut root)?;

    let parameters = parameters::parameters(&root, overrides)?;
    let declared = declared_resources(&root)?;
    let empty = Mapping::new();
    let mappings = mappings(&root, &empty)?;
    let no_skipped = BTreeMap::new();
    let conditions = conditions::evaluate(
        &root,
        &mut Resolver {
            context,
            parameters: &parameters,
            resources: &declared,
            mappings,
            skipped: &no_skipped,
            identities: BTreeMap::new(),
            resolving: Vec::new(),
        },
    )?;
    let (resources, skipped) = apply_conditions(declared, &conditions)?;
    let mut resolver = Resolver {
        context,
        parameters: &parameters,
        resources: &resources,
        mappings,
        skipped: &skipped,
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
    spec.outputs = outputs(&root, &mut resolver, &conditions)?;
    Ok(spec)
}

/// The template's `Mappings` (or `empty`), each map a mapping; `Fn::FindInMap` reads them.
fn mappings<'a>(root: &'a Mapping, empty: &'a Mapping) -> Result<&'a Mapping> {
    match root.get("Mappings") {
        None => Ok(empty),
        Some(Value::Mapping(mappings)) => Ok(mappings),
        Some(_) => Err(invalid("Mappings", "must be a mapping")),
    }
}

/// The resources whose `Condition` is true or absent, and those left out (logical id →
/// condition). A `Condition` that names no condition of the template is refused.
fn apply_conditions(
    declared: Vec<Declared>,
    conditions: &BTreeMap<String, bool>,
) -> Result<(Vec<Declared>, BTreeMap<String, String>)> {
    let mut kept = Vec::new();
    let mut skipped = BTreeMap::new();
    for resource in declared {
        let Some(condition) = &resource.condition else {
            kept.push(resource);
            continue;
        };
        match conditions.get(condition) {
            Some(true) => kept.push(resource),
            Some(false) => {
                skipped.insert(resource.logical_id.clone(), condition.clone());
            }
            None => {
                return Err(invalid(
                    format!("Resources.{}.Condition", resource.logical_id),
                    format!("{condition} is not a condition of the template's Conditions"),
                ));
            }
        }
    }
    Ok((kept, skipped))
}

/// The sections of the template: the known ones, the SAM transform only, and no rules.
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
            // Read through Fn::FindInMap and the module conditions.
            "Mappings" | "Conditions" => {}
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
            "Rules" => {
                return Err(invalid(
                    key,
                    "rules (parameter assertions) are not supported by the local stack",
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
/// A resource as declared: its type and its (raw) properties.
struct Declared {
    logical_id: String,
    kind: String,
    properties: Mapping,
    metadata: Option<Value>,
    attributes: Vec<String>,
    /// The name of its `Condition`, if it has one: it is created only if that is true.
    condition: Option<String>,
}

impl Declared {
    /// `Resources.<LogicalId>.Properties`: where its properties' errors are.
    fn properties_place(&self) -> String {
        format!("Resources.{}.Properties", self.logical_id)
    }
}

/// Every resource of the template with its attributes checked and its type known (created,
/// or not emulated); its properties are read later, by its type's module.
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
        let mut condition = None;
        for (key, value) in resource {
            let key = key_string(key, &place)?;
            match key.as_str() {
                "Type" => kind = value.as_str().map(str::to_owned),
                "Properties" => match value {
                    Value::Mapping(value) => properties = value.clone(),
                    Value::Null => {}
                    _ => return Err(invalid(format!("{place}.Properties"), "must be a mapping")),
                },
                "Condition" => match value.as_str() {
                    Some(name) => condition = Some(name.to_owned()),
                    None => {
                        return Err(invalid(
                            format!("{place}.Condition"),
                            "must be the name of a condition of the template's Conditions",
                        ));
                    }
                },
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
        let known = [
            bucket::TYPE,
            topic::TYPE,
            queue::TYPE,
            subscription::TYPE,
            function::TYPE,
            http_api::TYPE,
        ]
        .contains(&kind.as_str())
            || not_emulated::reason(&kind).is_some();
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
            condition,
        });
    }
    Ok(declared)
}

/// Builds every resource, type by type in the order their references need: topics and queues
/// before the subscriptions and functions that name them.
fn build(resolver: &mut Resolver<'_>, spec: &mut StackSpec) -> Result<()> {
    let resources = resolver.resources;
    let of_type = |kind: &'static str| resources.iter().filter(move |r| r.kind == kind);
    for resource in of_type(bucket::TYPE) {
        let bucket = bucket::build(resolver, resource, spec)?;
        spec.buckets.push(bucket);
    }
    for resource in of_type(topic::TYPE) {
        let topic = topic::build(resolver, resource, spec)?;
        spec.topics.push(topic);
    }
    for resource in of_type(queue::TYPE) {
        let queue = queue::build(resolver, resource, spec)?;
        spec.queues.push(queue);
    }
    queue::check_dead_letter_targets(spec, &of_type(queue::TYPE).collect::<Vec<_>>())?;
    for resource in of_type(subscription::TYPE) {
        if let Some(reason) = subscription::not_emulated_reason(resolver, resource)? {
            let not_emulated = not_emulated::build(resolver, resource, reason)?;
            spec.not_emulated.push(not_emulated);
            continue;
        }
        let subscription = subscription::build(resolver, resource, spec)?;
        spec.subscriptions.push(subscription);
    }
    for resource in of_type(http_api::TYPE) {
        let api = http_api::build(resolver, resource, spec)?;
        spec.http_apis.push(api);
    }
    for resource in of_type(function::TYPE) {
        let function = function::build(resolver, resource, spec)?;
        spec.functions.push(function);
    }
    for resource in resources {
        if let Some(reason) = not_emulated::reason(&resource.kind) {
            let not_emulated = not_emulated::build(resolver, resource, reason)?;
            spec.not_emulated.push(not_emulated);
        }
    }
    Ok(())
}

/// The properties of a created resource, resolved and deserialized into its type's `T`, which
/// refuses unknown ones. Those in `no_effect` are taken out first and reported with their
/// reason (resolved all the same, so that their intrinsics are held to the same rules), and so
/// are the resource's attributes without local effect.
fn accepted_properties<T: DeserializeOwned>(
    resolver: &mut Resolver<'_>,
    resource: &Declared,
    no_effect: &[(&str, &str)],
    spec: &mut StackSpec,
) -> Result<T> {
    let mut report = |property: &str, reason: &str| {
        spec.no_local_effect.push(NoLocalEffect {
            logical_id: resource.logical_id.clone(),
            property: property.to_owned(),
            reason: reason.to_owned(),
        })
    };
    for attribute in &resource.attributes {
        if let Some((_, reason)) = ATTRIBUTES_NO_EFFECT
            .iter()
            .find(|(name, _)| name == attribute)
        {
            report(attribute, reason);
        }
    }
    let place = resource.properties_place();
    let mut used = serde_json::Map::new();
    for (key, value) in &resource.properties {
        let key = key_string(key, &place)?;
        let resolved = resolver.resolve(value, &format!("{place}.{key}"))?;
        match no_effect.iter().find(|(name, _)| *name == key) {
            Some((_, reason)) => report(&key, reason),
            None => {
                used.insert(key, resolved);
            }
        }
    }
    let accepted: Vec<&str> = no_effect.iter().map(|(name, _)| *name).collect();
    deserialize(Json::Object(used), &place, |key, expected| {
        (
            format!("{place}.{key}"),
            format!(
                "property {key} of {} {} is not supported by the local stack (used: {expected}; accepted without local effect: {})",
                resource.kind,
                resource.logical_id,
                accepted.join(", ")
            ),
        )
    })
}

/// `value` deserialized into `T`, a struct that refuses unknown keys (`deny_unknown_fields`).
/// An unknown key is reported where `unknown(key, expected keys)` says (place and message);
/// any other mismatch at `place`.
fn deserialize<T: DeserializeOwned>(
    value: Json,
    place: &str,
    unknown: impl FnOnce(&str, &str) -> (String, String),
) -> Result<T> {
    serde_json::from_value(value).map_err(|error| {
        let message = error.to_string();
        match unknown_field(&message) {
            Some((key, expected)) => {
                let (place, message) = unknown(key, &expected);
                invalid(place, message)
            }
            None => invalid(place, message),
        }
    })
}

/// The key and the expected keys of serde's `deny_unknown_fields` error, which reads
/// "unknown field `Key`, expected one of `A`, `B`" (or "expected `A` or `B`", or "there are no
/// fields"); the expected keys without their backticks.
fn unknown_field(message: &str) -> Option<(&str, String)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (key, rest) = rest.split_once('`')?;
    let expected = rest
        .strip_prefix(", expected ")
        .map(|expected| expected.strip_prefix("one of ").unwrap_or(expected))
        .unwrap_or("none")
        .replace('`', "");
    Some((key, expected))
}

/// The ARN `value` names, if it is a topic of the template (the local stack has no other).
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

/// The ARN `value` names, if it is a queue of the template (the local stack has no other).
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

/// The template's `Outputs`, resolved: what the state file gives producers.
/// An output whose `Condition` is false is left out, as CloudFormation leaves it out.
fn outputs(
    root: &Mapping,
    resolver: &mut Resolver<'_>,
    conditions: &BTreeMap<String, bool>,
) -> Result<BTreeMap<String, String>> {
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
        if let Some(condition) = output.get("Condition") {
            let at = format!("{place}.Condition");
            let name = condition
                .as_str()
                .ok_or_else(|| invalid(&at, "must be the name of a condition"))?;
            match conditions.get(name) {
                Some(true) => {}
                Some(false) => continue,
                None => {
                    return Err(invalid(
                        at,
                        format!("{name} is not a condition of the template's Conditions"),
                    ));
                }
            }
        }
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
                // Decided above.
                "Condition" => {}
                _ => return Err(invalid(place, "unknown attribute of an output")),
            }
        }
        let value = value.ok_or_else(|| invalid(place.as_str(), "an output needs a Value"))?;
        outputs.insert(name, value);
    }
    Ok(outputs)
}
