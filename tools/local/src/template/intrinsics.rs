//! CloudFormation's intrinsic functions, resolved to the plain values AWS would put there:
//! `Ref` (pseudo parameters, parameters, resources), `Fn::GetAtt`, `Fn::Sub` and
//! `Fn::FindInMap` (from the template's `Mappings`). Any other intrinsic is refused where it is
//! used, with its place. The condition functions live in the `conditions` module.
//!
//! What a resource gives to `Ref` and `Fn::GetAtt` is its [`Identity`], computed by the module
//! of its type, once.

use super::convert::{as_string, key_string, scalar_string};
use super::parameters::{Parameter, ParameterKind};
use super::{
    Declared, Result, bucket, function, http_api, invalid, not_emulated, queue, subscription, topic,
};
use crate::spec::StackContext;
use serde_json::Value as Json;
use serde_norway::{Mapping, Value};
use std::collections::BTreeMap;

/// What `Ref` and `Fn::GetAtt` of one resource give.
#[derive(Clone)]
pub(super) struct Identity {
    /// Name (or id) of the resource; empty for types that have none locally.
    pub(super) name: String,
    /// Its ARN; empty for types that have none locally.
    pub(super) arn: String,
    /// What `Ref` gives, or why it gives nothing locally.
    pub(super) reference: std::result::Result<String, &'static str>,
    /// What `Fn::GetAtt` gives, by attribute.
    pub(super) attributes: BTreeMap<&'static str, String>,
}

impl Identity {
    /// A resource that `Ref` cannot name locally, for `reason`.
    pub(super) fn unnamed(reason: &'static str) -> Identity {
        Identity {
            name: String::new(),
            arn: String::new(),
            reference: Err(reason),
            attributes: BTreeMap::new(),
        }
    }

    /// A resource called `name` with `arn`, whose `Ref` gives `reference`; `Fn::GetAtt` gives
    /// the `attributes`.
    pub(super) fn named(
        name: String,
        arn: String,
        reference: String,
        attributes: &[(&'static str, String)],
    ) -> Identity {
        Identity {
            name,
            arn,
            reference: Ok(reference),
            attributes: attributes.iter().cloned().collect(),
        }
    }
}

/// Resolves intrinsics against the stack's context, its parameters and its resources, and
/// knows each resource's [`Identity`] (computed once, on first use).
pub(super) struct Resolver<'a> {
    pub(super) context: &'a StackContext,
    pub(super) parameters: &'a BTreeMap<String, Parameter>,
    pub(super) resources: &'a [Declared],
    /// The template's `Mappings` section (empty if it has none), read by `Fn::FindInMap`.
    pub(super) mappings: &'a Mapping,
    /// Resources left out because their `Condition` is false (logical id → condition): a
    /// reference to one is refused with that reason, as CloudFormation refuses it.
    pub(super) skipped: &'a BTreeMap<String, String>,
    pub(super) identities: BTreeMap<String, Identity>,
    /// Resources whose identity is being computed: a name that refers to itself is a cycle.
    pub(super) resolving: Vec<String>,
}

/// The name of an intrinsic function, and its argument: `!Ref X` / `{Ref: X}`,
/// `!GetAtt A.B` / `{"Fn::GetAtt": [A, B]}`, …
pub(super) fn intrinsic(value: &Value) -> Option<(String, &Value)> {
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

pub(super) fn intrinsic_of_mapping(mapping: &Mapping) -> Option<(String, &Value)> {
    if mapping.len() != 1 {
        return None;
    }
    let (key, value) = mapping.iter().next()?;
    let key = key.as_str()?;
    (key == "Ref" || key.starts_with("Fn::")).then(|| (key.to_owned(), value))
}

/// The logical id a `Ref` names, if `value` is one.
pub(super) fn ref_target(value: &Value) -> Option<&str> {
    match intrinsic(value) {
        Some((name, target)) if name == "Ref" => target.as_str(),
        _ => None,
    }
}

impl Resolver<'_> {
    /// The resolved value of a created resource's property, if it is set.
    pub(super) fn property(&mut self, resource: &Declared, key: &str) -> Result<Option<Json>> {
        match resource.properties.get(key) {
            None => Ok(None),
            Some(value) => self
                .resolve(value, &format!("{}.{key}", resource.properties_place()))
                .map(Some),
        }
    }

    /// `value` with every intrinsic resolved.
    pub(super) fn resolve(&mut self, value: &Value, place: &str) -> Result<Json> {
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
                "Fn::FindInMap" => self.find_in_map(argument, place),
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
                || self.skipped.contains_key(name)
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

    /// `Fn::FindInMap: [MapName, TopLevelKey, SecondLevelKey]`, each item possibly an intrinsic
    /// itself (a `Ref` to a parameter, typically). A missing map or key is named with the
    /// place of the `Fn::FindInMap` and the path in `Mappings` that has no such key.
    fn find_in_map(&mut self, argument: &Value, place: &str) -> Result<Json> {
        let items = match argument {
            Value::Sequence(items) if items.len() == 3 => items,
            _ => {
                return Err(invalid(
                    place,
                    "Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]",
                ));
            }
        };
        let mut keys = Vec::with_capacity(3);
        for (index, item) in items.iter().enumerate() {
            let at = format!("{place}[{index}]");
            let key = self.resolve(item, &at)?;
            keys.push(as_string(&key, &at)?);
        }
        let mut path = "Mappings".to_owned();
        let mut level = self.mappings;
        let mut value = None;
        for (key, what) in keys
            .iter()
            .zip(["map", "top-level key", "second-level key"])
        {
            let found = level
                .iter()
                .find(|(name, _)| scalar_string(name).as_deref() == Some(key.as_str()))
                .map(|(_, found)| found)
                .ok_or_else(|| {
                    invalid(
                        place,
                        format!("Fn::FindInMap: {path} has no {what} {key:?}"),
                    )
                })?;
            path.push('.');
            path.push_str(key);
            // The map and the top-level key name mappings; the second-level key, the value.
            if what == "second-level key" {
                value = Some(found);
            } else if let Value::Mapping(next) = found {
                level = next;
            } else {
                return Err(invalid(path, "must be a mapping (read by Fn::FindInMap)"));
            }
        }
        let Some(value) = value else {
            return Err(invalid(place, "Fn::FindInMap found no value"));
        };
        self.resolve(value, &path)
    }

    fn identity_at(&mut self, logical_id: &str, place: &str) -> Result<Identity> {
        if let Some(condition) = self.skipped.get(logical_id) {
            return Err(invalid(
                place,
                format!(
                    "{logical_id} is not created: its condition {condition} is false (CloudFormation refuses this reference too)"
                ),
            ));
        }
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
    pub(super) fn identity(&mut self, logical_id: &str) -> Result<Identity> {
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

    /// The resolved name property `key` of `resource`, if it is set: a name may be a `Ref` or
    /// `Fn::Sub` of other resources' names.
    pub(super) fn name_property(
        &mut self,
        resource: &Declared,
        key: &str,
    ) -> Result<Option<String>> {
        match self.property(resource, key)? {
            Some(value) => Ok(Some(as_string(
                &value,
                &format!("{}.{key}", resource.properties_place()),
            )?)),
            None => Ok(None),
        }
    }

    /// The identity of `resource`, as its type's module computes it.
    fn compute_identity(&mut self, resource: &Declared) -> Result<Identity> {
        match resource.kind.as_str() {
            bucket::TYPE => bucket::identity(self, resource),
            topic::TYPE => topic::identity(self, resource),
            queue::TYPE => queue::identity(self, resource),
            subscription::TYPE => Ok(subscription::identity()),
            function::TYPE => function::identity(self, resource),
            http_api::TYPE => Ok(http_api::identity(self.context, resource)),
            _ => not_emulated::identity(self, resource),
        }
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
pub(super) fn stable_uuid(stack: &str, logical_id: &str) -> uuid::Uuid {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        format!("paperflow-local:{stack}:{logical_id}").as_bytes(),
    )
}
