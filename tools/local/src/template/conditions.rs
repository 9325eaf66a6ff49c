//! The template's `Conditions`: each named condition evaluated to true or false, as
//! CloudFormation evaluates it, from `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or` and references
//! to other conditions (`Condition: Name`). Their values may use the other intrinsics (a `Ref`
//! to a parameter or a pseudo parameter, `Fn::FindInMap`, `Fn::Sub`), but never a resource:
//! CloudFormation decides conditions before it creates anything.
//!
//! A resource whose `Condition` is false is left out of the stack entirely (see the module
//! `template`), as CloudFormation leaves it out.

use super::convert::{as_string, key_string, show};
use super::intrinsics::{Resolver, intrinsic};
use super::{Result, invalid};
use serde_json::Value as Json;
use serde_norway::{Mapping, Value};
use std::collections::BTreeMap;

/// CloudFormation's limit on the conditions of one `Fn::And` or `Fn::Or`.
const MOST_OPERANDS: usize = 10;

/// Every condition of the `Conditions` section (a missing section has none), by name.
pub(super) fn evaluate(
    root: &Mapping,
    resolver: &mut Resolver<'_>,
) -> Result<BTreeMap<String, bool>> {
    let declared = match root.get("Conditions") {
        None => return Ok(BTreeMap::new()),
        Some(Value::Mapping(declared)) => declared,
        Some(_) => return Err(invalid("Conditions", "must be a mapping")),
    };
    let mut evaluation = Evaluation {
        declared,
        values: BTreeMap::new(),
        evaluating: Vec::new(),
    };
    for name in declared.keys() {
        let name = key_string(name, "Conditions")?;
        evaluation.condition(&name, "Conditions", resolver)?;
    }
    Ok(evaluation.values)
}

/// The conditions evaluated so far, and those being evaluated (a condition that needs itself
/// is a cycle).
struct Evaluation<'a> {
    declared: &'a Mapping,
    values: BTreeMap<String, bool>,
    evaluating: Vec<String>,
}

impl Evaluation<'_> {
    /// The value of the condition `name`, referred to at `place`.
    fn condition(&mut self, name: &str, place: &str, resolver: &mut Resolver<'_>) -> Result<bool> {
        if let Some(value) = self.values.get(name) {
            return Ok(*value);
        }
        let declared = self.declared;
        let Some(body) = declared.get(name) else {
            return Err(invalid(
                place,
                format!("{name} is not a condition of the template's Conditions"),
            ));
        };
        if self.evaluating.iter().any(|other| other == name) {
            return Err(invalid(
                format!("Conditions.{name}"),
                format!(
                    "circular condition: {} → {name}",
                    self.evaluating.join(" → ")
                ),
            ));
        }
        self.evaluating.push(name.to_owned());
        let value = self.function(body, &format!("Conditions.{name}"), resolver);
        self.evaluating.pop();
        let value = value?;
        self.values.insert(name.to_owned(), value);
        Ok(value)
    }

    /// A condition function, or a reference to another condition.
    fn function(&mut self, body: &Value, place: &str, resolver: &mut Resolver<'_>) -> Result<bool> {
        let Some((function, argument)) = condition_function(body) else {
            return Err(invalid(
                place,
                format!(
                    "a condition must be Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition, not {}",
                    show(body)
                ),
            ));
        };
        let place = format!("{place}.{function}");
        match function.as_str() {
            "Condition" => {
                let name = argument
                    .as_str()
                    .ok_or_else(|| invalid(&place, "Condition takes the name of a condition"))?;
                self.condition(name, &place, resolver)
            }
            "Fn::Equals" => {
                let [left, right] = operands(argument, &place, 2..=2, "a list of two values")?[..]
                else {
                    unreachable!("operands holds the count to 2");
                };
                let left = comparable(left, &format!("{place}[0]"), resolver)?;
                let right = comparable(right, &format!("{place}[1]"), resolver)?;
                Ok(left == right)
            }
            "Fn::Not" => {
                let [operand] = operands(argument, &place, 1..=1, "a list of one condition")?[..]
                else {
                    unreachable!("operands holds the count to 1");
                };
                Ok(!self.function(operand, &format!("{place}[0]"), resolver)?)
            }
            "Fn::And" | "Fn::Or" => {
                let mut values = Vec::new();
                for (index, operand) in operands(
                    argument,
                    &place,
                    2..=MOST_OPERANDS,
                    "a list of 2 to 10 conditions",
                )?
                .into_iter()
                .enumerate()
                {
                    values.push(self.function(operand, &format!("{place}[{index}]"), resolver)?);
                }
                Ok(if function == "Fn::And" {
                    values.iter().all(|value| *value)
                } else {
                    values.iter().any(|value| *value)
                })
            }
            other => Err(invalid(
                place.clone(),
                format!(
                    "{other} is not a condition function (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition)"
                ),
            )),
        }
    }
}

/// The function of a condition: an intrinsic (`!Not`, `{"Fn::Not": …}`) or a reference to a
/// condition (`!Condition Name`, `{Condition: Name}`).
fn condition_function(body: &Value) -> Option<(String, &Value)> {
    if let Value::Mapping(mapping) = body
        && mapping.len() == 1
        && let Some(argument) = mapping.get("Condition")
    {
        return Some(("Condition".to_owned(), argument));
    }
    intrinsic(body)
}

/// The operands of a condition function, a list of `count` items; otherwise an error saying
/// the function takes `expected`.
fn operands<'v>(
    argument: &'v Value,
    place: &str,
    count: std::ops::RangeInclusive<usize>,
    expected: &str,
) -> Result<Vec<&'v Value>> {
    match argument {
        Value::Sequence(items) if count.contains(&items.len()) => Ok(items.iter().collect()),
        _ => Err(invalid(place, format!("takes {expected}"))),
    }
}

/// A value of `Fn::Equals`, resolved and as CloudFormation compares it: scalars as their text
/// (the parameter `20` equals the string `"20"`), lists item by item.
fn comparable(value: &Value, place: &str, resolver: &mut Resolver<'_>) -> Result<Json> {
    refuse_resource_refs(value, place, resolver)?;
    let resolved = resolver.resolve(value, place)?;
    Ok(match resolved {
        Json::Array(items) => Json::Array(
            items
                .iter()
                .map(|item| as_string(item, place).map(Json::String))
                .collect::<Result<_>>()?,
        ),
        Json::Null => Json::String(String::new()),
        scalar => Json::String(as_string(&scalar, place)?),
    })
}

/// Conditions are decided before any resource exists: a `Ref` to a resource is refused.
fn refuse_resource_refs(value: &Value, place: &str, resolver: &Resolver<'_>) -> Result<()> {
    if let Some((function, argument)) = intrinsic(value) {
        if function == "Fn::GetAtt" {
            return Err(invalid(
                place,
                "a condition may refer only to parameters and pseudo parameters, not Fn::GetAtt of a resource",
            ));
        }
        if function == "Ref"
            && let Some(target) = argument.as_str()
            && resolver.resources.iter().any(|r| r.logical_id == target)
        {
            return Err(invalid(
                place,
                format!(
                    "a condition may refer only to parameters and pseudo parameters, not to resource {target}"
                ),
            ));
        }
        return refuse_resource_refs(argument, place, resolver);
    }
    match value {
        Value::Sequence(items) => items
            .iter()
            .try_for_each(|item| refuse_resource_refs(item, place, resolver)),
        Value::Mapping(mapping) => mapping
            .values()
            .try_for_each(|item| refuse_resource_refs(item, place, resolver)),
        _ => Ok(()),
    }
}
