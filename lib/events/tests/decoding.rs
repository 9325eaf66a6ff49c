//! What `decode_body` accepts and what it refuses, one test per rule.
//!
//! The fixtures under `tests/fixtures/` are bodies exactly as a queue
//! receives them: the raw event, the same event inside the SNS notification
//! wrapper (raw message delivery off), an unknown major version, and a newer
//! minor shape with extra attributes and data fields.

use paperflow_events::{
    CloudEvent, DecodeError, EventType, MAX_BODY_BYTES, PdfReady, TypeError, decode_body,
};
use serde_json::{Value, json};

const RAW: &str = include_str!("fixtures/invoice_finalized_v1.json");
const SNS_WRAPPED: &str = include_str!("fixtures/invoice_finalized_v1_sns.json");
const V2: &str = include_str!("fixtures/invoice_finalized_v2.json");
const NEWER_MINOR: &str = include_str!("fixtures/pdf_ready_v1_newer_minor.json");

/// The raw fixture as a JSON value, to break one attribute at a time.
fn raw_value() -> Value {
    serde_json::from_str(RAW).expect("the fixture is JSON")
}

/// `decode_body` of `value` serialized.
fn decode_value(value: &Value) -> Result<CloudEvent, DecodeError> {
    decode_body(&value.to_string())
}

/// The raw fixture with `attribute` set to `value` (`None` removes it).
fn with_attribute(attribute: &str, value: Option<Value>) -> Value {
    let mut event = raw_value();
    let map = event.as_object_mut().expect("the fixture is an object");
    match value {
        Some(value) => map.insert(attribute.to_owned(), value),
        None => map.remove(attribute),
    };
    event
}

fn not_an_event(result: Result<CloudEvent, DecodeError>) -> String {
    match result {
        Err(err @ DecodeError::NotAnEvent(_)) => {
            assert_eq!(err.code(), "not_a_cloudevent");
            err.to_string()
        }
        other => panic!("expected not_a_cloudevent, got {other:?}"),
    }
}

#[test]
fn raw_event_decodes_with_every_attribute() {
    let event = decode_body(RAW).expect("the raw fixture decodes");
    assert_eq!(event.specversion, "1.0");
    assert_eq!(event.id, "0193a5b0-7c1e-7d3a-9f10-2b8c4e5d6f70");
    assert_eq!(event.source, "erp/billing");
    assert_eq!(event.event_type, "invoice.finalized.v1");
    assert_eq!(event.kind(), Ok(EventType::InvoiceFinalized));
    assert_eq!(event.subject.as_deref(), Some("INV-2026-000123"));
    assert_eq!(event.time, "2026-11-26T14:05:41.123Z");
    assert_eq!(event.datacontenttype.as_deref(), Some("application/json"));
    assert_eq!(event.correlationid.as_deref(), Some("req-7f3c2a91"));
    assert_eq!(event.causationid, None);
    assert_eq!(event.data["invoice_id"], "INV-2026-000123");
    assert_eq!(event.data["lines"][0]["unit_price_minor"], 87827);
}

#[test]
fn sns_wrapped_body_is_unwrapped_to_the_same_event() {
    let wrapped = decode_body(SNS_WRAPPED).expect("the wrapped fixture decodes");
    let raw = decode_body(RAW).expect("the raw fixture decodes");
    assert_eq!(wrapped, raw);
}

#[test]
fn sns_lambda_record_message_decodes_as_raw() {
    let wrapper: Value = serde_json::from_str(SNS_WRAPPED).expect("the fixture is JSON");
    let message = wrapper["Message"].as_str().expect("Message is a string");
    let raw = decode_body(RAW).expect("the raw fixture decodes");
    assert_eq!(decode_body(message).expect("the Message decodes"), raw);
}

#[test]
fn leading_byte_order_mark_is_skipped() {
    let with_bom = format!("\u{feff}{RAW}");
    assert_eq!(decode_body(&with_bom), decode_body(RAW));
}

#[test]
fn body_that_is_not_json_is_not_json() {
    for body in ["", "hello", "{\"specversion\":", "<xml/>"] {
        let err = decode_body(body).expect_err("not JSON");
        assert!(matches!(err, DecodeError::NotJson(_)), "{body:?}: {err:?}");
        assert_eq!(err.code(), "not_json");
        assert!(
            err.to_string().starts_with("the body is not JSON: "),
            "{err}"
        );
    }
}

#[test]
fn sns_wrapper_whose_message_is_not_json_is_not_json() {
    let mut wrapper: Value = serde_json::from_str(SNS_WRAPPED).expect("the fixture is JSON");
    wrapper["Message"] = json!("plain text published by mistake");
    let err = decode_value(&wrapper).expect_err("not JSON inside");
    assert_eq!(err.code(), "not_json");
    assert!(err.to_string().contains("Message"), "{err}");
}

#[test]
fn sns_wrapper_whose_message_is_not_a_string_is_not_an_event() {
    let mut wrapper: Value = serde_json::from_str(SNS_WRAPPED).expect("the fixture is JSON");
    wrapper["Message"] = raw_value();
    let message = not_an_event(decode_value(&wrapper));
    assert!(
        message.contains("\"Message\" must be a string"),
        "{message}"
    );
}

#[test]
fn json_that_is_not_an_object_is_not_an_event() {
    for body in ["[]", "42", "\"text\"", "null"] {
        let message = not_an_event(decode_body(body));
        assert!(message.contains("must be a JSON object"), "{message}");
    }
}

#[test]
fn missing_type_is_not_an_event_naming_type() {
    let message = not_an_event(decode_value(&with_attribute("type", None)));
    assert_eq!(
        message,
        r#"not a CloudEvents 1.0 event: attribute "type" is required"#
    );
}

#[test]
fn every_required_attribute_is_named_when_missing() {
    for attribute in ["specversion", "id", "source", "type", "time", "data"] {
        let message = not_an_event(decode_value(&with_attribute(attribute, None)));
        assert!(
            message.contains(&format!("attribute \"{attribute}\" is required")),
            "{attribute}: {message}"
        );
    }
}

#[test]
fn required_attribute_of_the_wrong_type_is_named() {
    for attribute in ["id", "source", "type", "time", "specversion"] {
        let message = not_an_event(decode_value(&with_attribute(attribute, Some(json!(7)))));
        assert!(
            message.contains(&format!("attribute \"{attribute}\" must be a string")),
            "{attribute}: {message}"
        );
    }
}

#[test]
fn empty_id_source_or_type_is_not_an_event() {
    for attribute in ["id", "source", "type"] {
        let message = not_an_event(decode_value(&with_attribute(attribute, Some(json!("")))));
        assert!(
            message.contains(&format!("attribute \"{attribute}\" must not be empty")),
            "{attribute}: {message}"
        );
    }
}

#[test]
fn optional_attribute_of_the_wrong_type_is_named() {
    for attribute in ["subject", "datacontenttype", "correlationid", "causationid"] {
        let message = not_an_event(decode_value(&with_attribute(
            attribute,
            Some(json!({"a": 1})),
        )));
        assert!(
            message.contains(&format!("attribute \"{attribute}\" must be a string")),
            "{attribute}: {message}"
        );
    }
}

#[test]
fn null_optional_attributes_count_as_absent() {
    let mut event = raw_value();
    for attribute in ["subject", "datacontenttype", "correlationid", "causationid"] {
        event[attribute] = Value::Null;
    }
    let decoded = decode_value(&event).expect("null optional attributes are accepted");
    assert_eq!(decoded.subject, None);
    assert_eq!(decoded.correlationid, None);
    assert_eq!(decoded.correlation_id(), decoded.id);
}

#[test]
fn non_json_datacontenttype_is_not_an_event() {
    let event = with_attribute("datacontenttype", Some(json!("text/plain")));
    let message = not_an_event(decode_value(&event));
    assert!(message.contains("datacontenttype"), "{message}");

    let event = with_attribute(
        "datacontenttype",
        Some(json!("application/json; charset=utf-8")),
    );
    decode_value(&event).expect("JSON with a charset is accepted");
}

#[test]
fn data_base64_instead_of_data_is_not_an_event() {
    let mut event = with_attribute("data", None);
    event["data_base64"] = json!("eyJhIjoxfQ==");
    let message = not_an_event(decode_value(&event));
    assert!(message.contains("data_base64"), "{message}");
}

#[test]
fn specversion_0_3_is_unsupported() {
    let err = decode_value(&with_attribute("specversion", Some(json!("0.3"))))
        .expect_err("0.3 is refused");
    assert_eq!(err, DecodeError::UnsupportedSpecVersion("0.3".into()));
    assert_eq!(err.code(), "unsupported_specversion");
    assert_eq!(
        err.to_string(),
        r#"specversion "0.3" is not supported (this consumer understands "1.0")"#
    );
}

#[test]
fn unknown_major_version_is_unsupported_event_version() {
    let err = decode_body(V2).expect_err("v2 is refused");
    assert_eq!(
        err,
        DecodeError::Type(TypeError::UnsupportedVersion {
            name: "invoice.finalized".into(),
            major: 2
        })
    );
    assert_eq!(err.code(), "unsupported_event_version");
    assert_eq!(
        err.to_string(),
        "event type invoice.finalized.v2: major version 2 is not supported \
         (this consumer understands v1)"
    );
}

#[test]
fn unknown_type_is_unknown_event_type() {
    let err = decode_value(&with_attribute("type", Some(json!("invoice.paid.v1"))))
        .expect_err("unknown type");
    assert_eq!(err.code(), "unknown_event_type");
    assert_eq!(err.to_string(), r#"unknown event type "invoice.paid.v1""#);
}

#[test]
fn newer_minor_shape_with_extra_fields_is_accepted() {
    let event = decode_body(NEWER_MINOR).expect("extra attributes are accepted");
    assert_eq!(event.kind(), Ok(EventType::PdfReady));
    assert_eq!(
        event.causationid.as_deref(),
        Some("0193a5b0-7c1e-7d3a-9f10-2b8c4e5d6f70")
    );
    let typed = event
        .into_typed::<PdfReady>()
        .expect("extra data fields are accepted");
    assert_eq!(typed.data.key, "invoices/INV-2026-000123/r1.pdf");
    assert_eq!(typed.data.size, 48_213);
    assert_eq!(
        typed.data.buyer_email.as_deref(),
        Some("ap@contoso.example")
    );
}

#[test]
fn data_of_the_wrong_shape_is_invalid_data_naming_the_field() {
    let mut event: Value = serde_json::from_str(NEWER_MINOR).expect("the fixture is JSON");
    event["data"]
        .as_object_mut()
        .expect("data is an object")
        .remove("bucket");
    let err = decode_value(&event)
        .expect("the envelope is fine")
        .into_typed::<PdfReady>()
        .expect_err("bucket is required");
    assert_eq!(err.code(), "invalid_data");
    assert!(err.to_string().contains("bucket"), "{err}");

    event["data"]["bucket"] = json!("b");
    event["data"]["pages"] = json!("two");
    let err = decode_value(&event)
        .expect("the envelope is fine")
        .into_typed::<PdfReady>()
        .expect_err("pages must be a number");
    assert!(matches!(err, DecodeError::InvalidData(_)), "{err:?}");
}

#[test]
fn body_larger_than_256_kib_is_not_an_event() {
    let mut event = raw_value();
    event["data"]["notes"] = json!("x".repeat(MAX_BODY_BYTES));
    let message = not_an_event(decode_value(&event));
    assert_eq!(
        message,
        "not a CloudEvents 1.0 event: body is larger than 256 KiB"
    );
}

#[test]
fn garbage_never_panics() {
    let bodies = [
        "{".repeat(10_000),
        "[".repeat(10_000),
        "\u{0}".to_owned(),
        r#"{"Type":"Notification","Message":"{\"Type\":\"Notification\",\"Message\":\"{}\"}"}"#
            .to_owned(),
        r#"{"specversion":"1.0","id":"1","source":"s","type":"invoice.finalized.v1","time":"t","data":null}"#
            .to_owned(),
    ];
    for body in &bodies {
        let _ = decode_body(body);
    }
}
