//! `events_decode`: the decoding of an untrusted SQS/SNS body into a CloudEvent.

use paperflow_events::{CloudEvent, DecodeError, decode_body, event_json};
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
/// and a sentence; an accepted event has a type (and major version) paperflow knows, and decodes to itself again when written back out, both raw and
/// inside SNS's notification wrapper, and [`event_json`] accepts what [`decode_body`] accepts.
pub fn check(data: &[u8]) {
    let body = String::from_utf8_lossy(data);
    let event = match decode_body(&body) {
        Ok(event) => event,
        Err(error) => return check_refusal(&error),
    };
    assert!(
        event.kind().is_ok(),
        "accepted an event of a type it does not understand: {:?}",
        event.event_type
    );
    assert!(
        event_json(&body).is_ok(),
        "decode_body accepted a body event_json refuses"
    );
    let raw = serde_json::to_string(&event).expect("an event serialises");
    assert_same_event(decode_body(&raw), &event, &raw);
    let wrapped = json!({
        "Type": "Notification",
        "MessageId": "9b6b8f4e-0000-4000-8000-000000000000",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:invoice-events",
        "Message": raw,
    })
    .to_string();
    assert_same_event(decode_body(&wrapped), &event, &wrapped);
}

/// `again`, decoded from `written`, is `event`, data and attributes. A number in the data comes
/// back the same too: the workspace's serde_json reads numbers with `float_roundtrip` (without
/// it, a 71-digit integer came back one unit in the last place off: fuzz/regressions/events_decode/).
fn assert_same_event(again: Result<CloudEvent, DecodeError>, event: &CloudEvent, written: &str) {
    let again = again.unwrap_or_else(|error| {
        panic!("an accepted event, written back out, is refused: {error}: {written}")
    });
    assert_eq!(
        &again, event,
        "an accepted event, written back out, is another event: {written}"
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
