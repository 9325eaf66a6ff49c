//! The template's `Parameters`: their types, defaults and the values given for them, held to
//! CloudFormation's constraints (`AllowedValues`, `AllowedPattern`, `MinLength`/`MaxLength`,
//! `MinValue`/`MaxValue`), each broken rule named with the parameter.

use super::convert::{key_string, scalar_string};
use super::{Result, invalid};
use serde_norway::{Mapping, Value};
use std::collections::BTreeMap;

/// The parameter types the local stack reads.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum ParameterKind {
    String,
    Number,
    List,
}

/// A parameter's type and its value: the override, else the default.
pub(super) struct Parameter {
    pub(super) kind: ParameterKind,
    pub(super) value: String,
}

/// The template's parameters with `overrides` applied, each held to its constraints. A value
/// for a name that is not a parameter is refused.
pub(super) fn parameters(
    root: &Mapping,
    overrides: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, Parameter>> {
    let mut parameters = BTreeMap::new();
    let declared = match root.get("Parameters") {
        None | Some(Value::Null) => Mapping::new(),
        Some(Value::Mapping(declared)) => declared.clone(),
        Some(_) => return Err(invalid("Parameters", "must be a mapping")),
    };
    for (name, declaration) in &declared {
        let name = key_string(name, "Parameters")?;
        let place = format!("Parameters.{name}");
        let Value::Mapping(declaration) = declaration else {
            return Err(invalid(place, "must be a mapping"));
        };
        for (key, _) in declaration {
            let key = key_string(key, &place)?;
            if !matches!(
                key.as_str(),
                "Type"
                    | "Default"
                    | "AllowedPattern"
                    | "AllowedValues"
                    | "MinValue"
                    | "MaxValue"
                    | "MinLength"
                    | "MaxLength"
                    | "Description"
                    | "ConstraintDescription"
                    | "NoEcho"
            ) {
                return Err(invalid(
                    format!("{place}.{key}"),
                    "unknown attribute of a parameter",
                ));
            }
        }
        let kind = match declaration.get("Type").and_then(Value::as_str) {
            Some("String") => ParameterKind::String,
            Some("Number") => ParameterKind::Number,
            Some("CommaDelimitedList") => ParameterKind::List,
            Some(other) => {
                return Err(invalid(
                    format!("{place}.Type"),
                    format!(
                        "parameter type {other} is not supported by the local stack (String, Number, CommaDelimitedList)"
                    ),
                ));
            }
            None => return Err(invalid(format!("{place}.Type"), "a parameter needs a Type")),
        };
        let value = match (overrides.get(&name), declaration.get("Default")) {
            (Some(value), _) => value.clone(),
            (None, Some(default)) => scalar_string(default).ok_or_else(|| {
                invalid(format!("{place}.Default"), "the default must be a scalar")
            })?,
            (None, None) => {
                return Err(invalid(
                    place,
                    format!("parameter {name} has no Default and no value was given for it"),
                ));
            }
        };
        check_parameter(&name, kind, &value, declaration)?;
        parameters.insert(name, Parameter { kind, value });
    }
    for name in overrides.keys() {
        if !parameters.contains_key(name) {
            let known: Vec<&str> = parameters.keys().map(String::as_str).collect();
            return Err(invalid(
                "Parameters",
                format!(
                    "a value was given for {name}, which is not a parameter of the template (its parameters: {})",
                    known.join(", ")
                ),
            ));
        }
    }
    Ok(parameters)
}

/// CloudFormation's parameter constraints, each error naming the parameter and the rule.
fn check_parameter(
    name: &str,
    kind: ParameterKind,
    value: &str,
    declaration: &Mapping,
) -> Result<()> {
    let place = format!("Parameters.{name}");
    let fail = |rule: &str, detail: String| {
        invalid(
            format!("{place}.{rule}"),
            format!("value {value:?} of parameter {name} breaks {rule}: {detail}"),
        )
    };
    if kind == ParameterKind::Number {
        let number: f64 = value.trim().parse().map_err(|_| {
            invalid(
                place.as_str(),
                format!("value {value:?} of parameter {name} is not a number"),
            )
        })?;
        if let Some(min) = declaration.get("MinValue").and_then(number_of)
            && number < min
        {
            return Err(fail("MinValue", format!("must be at least {min}")));
        }
        if let Some(max) = declaration.get("MaxValue").and_then(number_of)
            && number > max
        {
            return Err(fail("MaxValue", format!("must be at most {max}")));
        }
    }
    let length = value.chars().count() as f64;
    if let Some(min) = declaration.get("MinLength").and_then(number_of)
        && length < min
    {
        return Err(fail(
            "MinLength",
            format!("must be at least {min} characters"),
        ));
    }
    if let Some(max) = declaration.get("MaxLength").and_then(number_of)
        && length > max
    {
        return Err(fail(
            "MaxLength",
            format!("must be at most {max} characters"),
        ));
    }
    if let Some(allowed) = declaration.get("AllowedValues") {
        let Value::Sequence(allowed) = allowed else {
            return Err(invalid(format!("{place}.AllowedValues"), "must be a list"));
        };
        let allowed: Vec<String> = allowed.iter().filter_map(scalar_string).collect();
        if !allowed.iter().any(|candidate| candidate == value) {
            return Err(fail(
                "AllowedValues",
                format!("must be one of {}", allowed.join(", ")),
            ));
        }
    }
    if let Some(pattern) = declaration.get("AllowedPattern") {
        let Some(pattern) = pattern.as_str() else {
            return Err(invalid(
                format!("{place}.AllowedPattern"),
                "must be a string",
            ));
        };
        let matched = pattern::full_match(pattern, value).map_err(|problem| {
            invalid(
                format!("{place}.AllowedPattern"),
                format!("the pattern {pattern:?} cannot be checked locally: {problem}"),
            )
        })?;
        if !matched {
            return Err(fail("AllowedPattern", format!("must match {pattern}")));
        }
    }
    Ok(())
}

fn number_of(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// `AllowedPattern`, matched against the whole value as CloudFormation does (anchors or not).
/// A pattern regex-lite cannot compile (lookaround, possessive repeats) is reported, never
/// silently passed.
mod pattern {
    /// Whether `pattern` matches all of `text`; `Err` says why the pattern cannot be checked.
    pub(super) fn full_match(pattern: &str, text: &str) -> Result<bool, String> {
        let whole = regex_lite::Regex::new(&format!("^(?:{pattern})$"))
            .map_err(|error| error.to_string())?;
        Ok(whole.is_match(text))
    }

    #[cfg(test)]
    mod tests {
        use super::full_match;

        #[test]
        fn the_templates_patterns() {
            let stage = "^[a-z][a-z0-9-]{0,15}$";
            assert_eq!(full_match(stage, "dev"), Ok(true));
            assert_eq!(full_match(stage, "prod-2"), Ok(true));
            assert_eq!(full_match(stage, "Prod"), Ok(false));
            assert_eq!(full_match(stage, "a234567890123456"), Ok(true));
            assert_eq!(full_match(stage, "a2345678901234567"), Ok(false));
            assert_eq!(full_match(stage, ""), Ok(false));
            let mail = "^[^@\\s]+@[^@\\s]+$";
            assert_eq!(full_match(mail, "invoices@example.com"), Ok(true));
            assert_eq!(full_match(mail, "no at sign"), Ok(false));
            assert_eq!(full_match(mail, "a b@c"), Ok(false));
        }

        #[test]
        fn groups_alternation_and_whole_match() {
            assert_eq!(full_match("(dev|prod)(-[0-9]+)?", "prod-12"), Ok(true));
            assert_eq!(full_match("(dev|prod)(-[0-9]+)?", "staging"), Ok(false));
            // CloudFormation matches the whole value, anchors or not.
            assert_eq!(full_match("[a-z]+", "abc1"), Ok(false));
            assert_eq!(full_match("(a*)*b", "aaab"), Ok(true));
            assert!(full_match("(?=a)", "a").is_err());
        }
    }
}
