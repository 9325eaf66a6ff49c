//! Small conversions every part of the reader shares: YAML keys and scalars to text, and
//! CloudFormation's loose scalars (numbers and booleans written as strings) to Rust values,
//! each error naming its place.

use super::{Result, invalid};
use serde_json::Value as Json;
use serde_norway::Value;

pub(super) fn key_string(key: &Value, place: &str) -> Result<String> {
    scalar_string(key).ok_or_else(|| invalid(place, format!("{} is not a valid key", show(key))))
}

pub(super) fn scalar_string(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

pub(super) fn show(value: &Value) -> String {
    serde_norway::to_string(value)
        .map(|text| text.trim().to_owned())
        .unwrap_or_else(|_| "(a value)".to_owned())
}

/// A scalar as CloudFormation stringifies it (numbers and booleans become their text).
pub(super) fn as_string(value: &Json, place: &str) -> Result<String> {
    match value {
        Json::String(text) => Ok(text.clone()),
        Json::Number(number) => Ok(number.to_string()),
        Json::Bool(flag) => Ok(flag.to_string()),
        other => Err(invalid(place, format!("expected a string, found {other}"))),
    }
}

/// A whole number in `min..=max`; CloudFormation accepts numbers written as strings too (and a
/// `Ref` to a Number parameter is a string).
pub(super) fn as_u32_in(value: &Json, place: &str, min: u32, max: u32) -> Result<u32> {
    let number = match value {
        Json::Number(number) => number.as_u64(),
        Json::String(text) => text.trim().parse::<u64>().ok(),
        _ => None,
    }
    .and_then(|number| u32::try_from(number).ok())
    .ok_or_else(|| invalid(place, format!("expected a whole number, found {value}")))?;
    if !(min..=max).contains(&number) {
        return Err(invalid(place, format!("{number} is outside {min}..={max}")));
    }
    Ok(number)
}

pub(super) fn as_bool(value: &Json, place: &str) -> Result<bool> {
    match value {
        Json::Bool(flag) => Ok(*flag),
        Json::String(text) if text.eq_ignore_ascii_case("true") => Ok(true),
        Json::String(text) if text.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(invalid(
            place,
            format!("expected true or false, found {other}"),
        )),
    }
}

/// Policies (redrive, filter) may be written as YAML or as a JSON string.
pub(super) fn json_or_json_string(value: Json, place: &str) -> Result<Json> {
    match value {
        Json::String(text) => serde_json::from_str(&text)
            .map_err(|error| invalid(place, format!("not a JSON document: {error}"))),
        other => Ok(other),
    }
}
