//! Decoding of an untrusted message body into a [`CloudEvent`].
//!
//! An SQS message body arrives in one of two shapes, depending on how the
//! queue is subscribed to its topic: the event itself (SNS raw message
//! delivery, or a producer that sends to the queue directly), or the SNS JSON
//! notification wrapper, whose `Message` is the event as a JSON *string*. An
//! SNS-triggered Lambda receives that same `Message` string in its record.
//! [`decode_body`] accepts all three and checks the rules of the envelope, so
//! that a consumer gets either an event it can act on or a [`DecodeError`]
//! with a stable [`code`](DecodeError::code) and a sentence naming the broken
//! rule.
//!
//! Every decode error is permanent: the same body fails the same way on every
//! delivery, so a consumer reports it (as `invoice.pdf.failed.v1`) and deletes
//! the message instead of letting it be retried forever. This module must
//! never panic, whatever the body, and must never accept an event whose major
//! version it does not understand.
//!
//! # Rules
//!
//! | attribute | rule |
//! |---|---|
//! | (body) | at most [`MAX_BODY_BYTES`]; JSON (a leading byte order mark is skipped); a JSON object |
//! | `specversion` | required, exactly `"1.0"` |
//! | `id`, `source`, `type` | required non-empty strings |
//! | `type` | a type [`EventType::parse`] accepts (known name, major 1) |
//! | `time` | required string |
//! | `subject`, `datacontenttype`, `correlationid`, `causationid` | optional strings (`null` counts as absent) |
//! | `datacontenttype` | when present, JSON: `application/json` or a `+json` type, parameters allowed |
//! | `data` | required (`data_base64` is not accepted: paperflow's data is JSON) |
//!
//! Attributes paperflow does not use are ignored, as are extra fields in the
//! data: they are how a newer minor version looks.

use std::fmt;

use serde_json::{Map, Value};

use crate::envelope::{CloudEvent, SPEC_VERSION};
use crate::types::{EventType, TypeError, shorten};

/// The largest body accepted: 256 KiB, the size limit of an SQS message and of
/// an SNS message.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Why a body is not an event this consumer can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The body (or the SNS wrapper's `Message`) is not JSON; holds serde's
    /// message, which names the line and column.
    NotJson(String),
    /// JSON, but not a CloudEvents event: holds which attribute is missing or
    /// wrong, e.g. `attribute "type" is required`.
    NotAnEvent(String),
    /// A `specversion` other than `"1.0"`; holds it.
    UnsupportedSpecVersion(String),
    /// A `type` this consumer does not understand.
    Type(TypeError),
    /// The data does not have the shape of its type; holds serde's message.
    InvalidData(String),
}

impl DecodeError {
    /// A stable machine code, for the `code` of a failed notice, metrics and
    /// alarms: `not_json`, `not_a_cloudevent`, `unsupported_specversion`,
    /// `unknown_event_type`, `unsupported_event_version` or `invalid_data`.
    pub fn code(&self) -> &'static str {
        match self {
            DecodeError::NotJson(_) => "not_json",
            DecodeError::NotAnEvent(_) => "not_a_cloudevent",
            DecodeError::UnsupportedSpecVersion(_) => "unsupported_specversion",
            DecodeError::Type(TypeError::Unknown(_)) => "unknown_event_type",
            DecodeError::Type(TypeError::UnsupportedVersion { .. }) => "unsupported_event_version",
            DecodeError::InvalidData(_) => "invalid_data",
        }
    }
}

impl fmt::Display for DecodeError {
    /// One sentence naming the broken rule, e.g. `not a CloudEvents 1.0 event:
    /// attribute "type" is required`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::NotJson(message) => write!(f, "the body is not JSON: {message}"),
            DecodeError::NotAnEvent(message) => {
                write!(f, "not a CloudEvents 1.0 event: {message}")
            }
            DecodeError::UnsupportedSpecVersion(version) => write!(
                f,
                "specversion {:?} is not supported (this consumer understands {SPEC_VERSION:?})",
                shorten(version)
            ),
            DecodeError::Type(err) => write!(f, "{err}"),
            DecodeError::InvalidData(message) => {
                write!(
                    f,
                    "the data does not have the shape its type requires: {message}"
                )
            }
        }
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DecodeError::Type(err) => Some(err),
            _ => None,
        }
    }
}

impl From<TypeError> for DecodeError {
    fn from(err: TypeError) -> Self {
        DecodeError::Type(err)
    }
}

/// Decodes an SQS message body that is either the CloudEvent itself (SNS raw
/// message delivery, or a direct send) or the SNS JSON notification wrapper
/// (`{"Type":"Notification","MessageId":..,"TopicArn":..,"Message":"<the
/// event as a JSON string>",...}`). Also accepts the SNS Lambda-trigger
/// record's `Message` string (same function, it is just raw).
///
/// The wrapper is recognized by `"Type": "Notification"` and the absence of
/// `specversion`; it is unwrapped once, never recursively.
///
/// # Errors
///
/// The first rule of the [module docs](self) that the body breaks, in the
/// order of that table.
pub fn decode_body(body: &str) -> Result<CloudEvent<Value>, DecodeError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(not_an_event("body is larger than 256 KiB"));
    }
    let Value::Object(attributes) = event_json(body)? else {
        return Err(not_an_event("the body must be a JSON object"));
    };
    check_envelope(&attributes)?;
    serde_json::from_value(Value::Object(attributes))
        .map_err(|err| DecodeError::NotAnEvent(err.to_string()))
}

/// The JSON of the event a body carries: the body itself, or the `Message` of SNS's JSON
/// notification wrapper, unwrapped once (never recursively). The one place that knows the
/// wrapper: consumers that only want to look into a body (the archive, a failure's hints, the
/// local stack's progress lines) read it through here, as [`decode_body`] does. A leading byte
/// order mark is skipped, in the body and in the `Message`.
///
/// The wrapper is recognized by `"Type": "Notification"` and the absence of `specversion`.
///
/// # Errors
///
/// [`DecodeError::NotJson`] when the body or the wrapped `Message` is not JSON, and
/// [`DecodeError::NotAnEvent`] when a wrapper's `Message` is missing or not a string.
pub fn event_json(body: &str) -> Result<Value, DecodeError> {
    let value = parse_json(body)?;
    match sns_message(&value)? {
        Some(message) => parse_json(message)
            .map_err(|err| DecodeError::NotJson(format!("the SNS notification's Message: {err}"))),
        None => Ok(value),
    }
}

fn not_an_event(message: &str) -> DecodeError {
    DecodeError::NotAnEvent(message.to_owned())
}

fn parse_json(text: &str) -> Result<Value, DecodeError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str(text).map_err(|err| DecodeError::NotJson(err.to_string()))
}

/// The wrapped event's text when `value` is an SNS notification wrapper.
fn sns_message(value: &Value) -> Result<Option<&str>, DecodeError> {
    let Value::Object(map) = value else {
        return Ok(None);
    };
    let is_notification = map.get("Type").and_then(Value::as_str) == Some("Notification");
    if !is_notification || map.contains_key("specversion") {
        return Ok(None);
    }
    match map.get("Message") {
        Some(Value::String(message)) => Ok(Some(message)),
        Some(_) => Err(not_an_event(
            "the SNS notification's \"Message\" must be a string",
        )),
        None => Err(not_an_event(
            "the SNS notification has no \"Message\" attribute",
        )),
    }
}

/// Checks the rules of the module docs on the attributes of an event.
fn check_envelope(attributes: &Map<String, Value>) -> Result<(), DecodeError> {
    let specversion = required_string(attributes, "specversion")?;
    if specversion != SPEC_VERSION {
        return Err(DecodeError::UnsupportedSpecVersion(specversion.to_owned()));
    }
    for name in ["id", "source", "type"] {
        if required_string(attributes, name)?.is_empty() {
            return Err(DecodeError::NotAnEvent(format!(
                "attribute {name:?} must not be empty"
            )));
        }
    }
    EventType::parse(required_string(attributes, "type")?)?;
    required_string(attributes, "time")?;
    for name in ["subject", "datacontenttype", "correlationid", "causationid"] {
        optional_string(attributes, name)?;
    }
    if let Some(content_type) = optional_string(attributes, "datacontenttype")?
        && !is_json_media_type(content_type)
    {
        return Err(DecodeError::NotAnEvent(format!(
            "attribute \"datacontenttype\" must be application/json, not {:?}",
            shorten(content_type)
        )));
    }
    if !attributes.contains_key("data") {
        return Err(not_an_event(if attributes.contains_key("data_base64") {
            "attribute \"data\" is required (data_base64 is not accepted: the data must be JSON)"
        } else {
            "attribute \"data\" is required"
        }));
    }
    Ok(())
}

fn required_string<'a>(
    attributes: &'a Map<String, Value>,
    name: &str,
) -> Result<&'a str, DecodeError> {
    match attributes.get(name) {
        None | Some(Value::Null) => Err(DecodeError::NotAnEvent(format!(
            "attribute {name:?} is required"
        ))),
        Some(Value::String(value)) => Ok(value),
        Some(_) => Err(DecodeError::NotAnEvent(format!(
            "attribute {name:?} must be a string"
        ))),
    }
}

fn optional_string<'a>(
    attributes: &'a Map<String, Value>,
    name: &str,
) -> Result<Option<&'a str>, DecodeError> {
    match attributes.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(value)) => Ok(Some(value)),
        Some(_) => Err(DecodeError::NotAnEvent(format!(
            "attribute {name:?} must be a string"
        ))),
    }
}

/// `application/json`, or any `type/subtype+json`, ignoring case and
/// parameters (`; charset=utf-8`).
fn is_json_media_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence
            .split_once('/')
            .is_some_and(|(kind, subtype)| !kind.is_empty() && subtype.ends_with("+json"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_media_types_are_recognized() {
        for yes in [
            "application/json",
            "Application/JSON",
            "application/json; charset=utf-8",
            "application/cloudevents+json",
        ] {
            assert!(is_json_media_type(yes), "{yes}");
        }
        for no in [
            "",
            "text/plain",
            "application/octet-stream",
            "json",
            "/+json",
        ] {
            assert!(!is_json_media_type(no), "{no}");
        }
    }

    #[test]
    fn the_sns_wrapper_is_unwrapped_once_and_a_raw_event_is_kept() {
        let event = r#"{"specversion":"1.0","id":"e1"}"#;
        let wrapped = serde_json::json!({ "Type": "Notification", "Message": event }).to_string();
        assert_eq!(event_json(&wrapped).expect("unwrapped")["id"], "e1");
        assert_eq!(event_json(event).expect("raw")["id"], "e1");
        assert_eq!(
            event_json(&format!("\u{feff}{event}")).expect("BOM")["id"],
            "e1"
        );
        let twice = serde_json::json!({ "Type": "Notification", "Message": wrapped }).to_string();
        assert_eq!(
            event_json(&twice).expect("once")["Type"],
            "Notification",
            "a wrapper inside a wrapper is not opened"
        );
        let not_json = serde_json::json!({ "Type": "Notification", "Message": "{" }).to_string();
        assert_eq!(event_json(&not_json).map_err(|e| e.code()), Err("not_json"));
        let no_message = r#"{"Type":"Notification"}"#;
        assert_eq!(
            event_json(no_message).map_err(|e| e.code()),
            Err("not_a_cloudevent")
        );
    }

    #[test]
    fn every_error_has_its_stable_code() {
        let cases = [
            (DecodeError::NotJson(String::new()), "not_json"),
            (DecodeError::NotAnEvent(String::new()), "not_a_cloudevent"),
            (
                DecodeError::UnsupportedSpecVersion(String::new()),
                "unsupported_specversion",
            ),
            (
                DecodeError::Type(TypeError::Unknown(String::new())),
                "unknown_event_type",
            ),
            (
                DecodeError::Type(TypeError::UnsupportedVersion {
                    name: String::new(),
                    major: 2,
                }),
                "unsupported_event_version",
            ),
            (DecodeError::InvalidData(String::new()), "invalid_data"),
        ];
        for (err, code) in cases {
            assert_eq!(err.code(), code);
        }
    }
}
