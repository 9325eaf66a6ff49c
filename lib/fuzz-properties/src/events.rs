//! `events_decode`: the decoding of an untrusted SQS/SNS body into a CloudEvent.

use paperflow_events::{DecodeError, decode_body, event_json};
use serde_json::json;

/// Every code [`DecodeError::code`] may give: a failed notice's `code` is one of these.
const DECODE_CODES: &[&str] = &[
    "not_json",
    "not_a_cloudevent",
    "unsupported_specversion",
    "unknown_event_type",
    "unsupported_event_version",
    "invalid_data",
];

/// Decoding `data` (as text, as a queue hands it over) never panics; a refusal has a known code
/// and a sentence; an accepted event decodes to itself again when written back out, both raw and
/// inside SNS's notification wrapper, and [`event_json`] accepts what [`decode_body`] accepts.
pub fn check(data: &[u8]) {
    let body = String::from_utf8_lossy(data);
    let event = match decode_body(&body) {
        Ok(event) => event,
        Err(error) => return check_refusal(&error),
    };
    assert!(
        event_json(&body).is_ok(),
        "decode_body accepted a body event_json refuses"
    );
    let raw = serde_json::to_string(&event).expect("an event serialises");
    assert_eq!(
        decode_body(&raw).as_ref(),
        Ok(&event),
        "an accepted event, written back out, decodes to another: {raw}"
    );
    let wrapped = json!({
        "Type": "Notification",
        "MessageId": "9b6b8f4e-0000-4000-8000-000000000000",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:invoice-events",
        "Message": raw,
    })
    .to_string();
    assert_eq!(
        decode_body(&wrapped).as_ref(),
        Ok(&event),
        "an accepted event in SNS's wrapper decodes to another: {wrapped}"
    );
}

fn check_refusal(error: &DecodeError) {
    assert!(
        DECODE_CODES.contains(&error.code()),
        "unknown decode code {:?}",
        error.code()
    );
    assert!(
        !error.to_string().trim().is_empty(),
        "a refusal without a sentence"
    );
}
