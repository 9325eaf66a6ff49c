//! Building events: the envelope, the payloads, the ids and the SNS message
//! attributes.

use paperflow_events::{
    CloudEvent, Emailed, EventType, PdfFailed, PdfReady, derived_event_id, message_attributes,
    new_event_id, now_rfc3339,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use time::macros::datetime;
use uuid::{Uuid, Version};

fn pdf_ready() -> PdfReady {
    PdfReady {
        invoice_id: "INV-2026-000123".into(),
        revision: 2,
        bucket: "paperflow-pdfs".into(),
        key: "invoices/INV-2026-000123/r2.pdf".into(),
        size: 48_213,
        sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        pages: 2,
        buyer_email: Some("ap@contoso.example".into()),
        einvoice: None,
        xml_key: None,
        xml_sha256: None,
    }
}

fn finalized() -> CloudEvent {
    CloudEvent::new(
        "0193a5b0-7c1e-7d3a-9f10-2b8c4e5d6f70",
        "erp/billing",
        EventType::InvoiceFinalized,
        "INV-2026-000123",
        datetime!(2026-11-26 14:05:41.123 UTC),
        json!({ "invoice_id": "INV-2026-000123", "revision": 2 }),
    )
}

/// `value` serialized and deserialized again.
fn round_trip<T: Serialize + DeserializeOwned>(value: &T) -> T {
    let text = serde_json::to_string(value).expect("serializes");
    serde_json::from_str(&text).expect("deserializes")
}

// ---------------------------------------------------------------------------
// The envelope
// ---------------------------------------------------------------------------

#[test]
fn new_event_is_specversion_1_0_with_json_content_type() {
    let event = finalized();
    assert_eq!(
        serde_json::to_value(&event).expect("serializes"),
        json!({
            "specversion": "1.0",
            "id": "0193a5b0-7c1e-7d3a-9f10-2b8c4e5d6f70",
            "source": "erp/billing",
            "type": "invoice.finalized.v1",
            "subject": "INV-2026-000123",
            "time": "2026-11-26T14:05:41.123Z",
            "datacontenttype": "application/json",
            "data": { "invoice_id": "INV-2026-000123", "revision": 2 }
        })
    );
}

#[test]
fn serialized_attributes_follow_the_field_order() {
    let text = serde_json::to_string(&finalized()).expect("serializes");
    assert!(text.starts_with(r#"{"specversion":"1.0","id":"#), "{text}");
}

#[test]
fn empty_subject_is_left_out() {
    let event = CloudEvent::new(
        "1",
        "s",
        EventType::PdfFailed,
        "",
        datetime!(2026-11-26 0:00 UTC),
        (),
    );
    assert_eq!(event.subject, None);
}

#[test]
fn correlation_id_is_the_event_id_when_absent() {
    let event = finalized();
    assert_eq!(
        event.correlation_id(),
        "0193a5b0-7c1e-7d3a-9f10-2b8c4e5d6f70"
    );
    assert_eq!(event.with_correlation("req-1").correlation_id(), "req-1");
    assert_eq!(
        finalized().with_correlation("").correlation_id(),
        "0193a5b0-7c1e-7d3a-9f10-2b8c4e5d6f70"
    );
}

#[test]
fn caused_copies_correlation_and_sets_causation() {
    let input = finalized()
        .with_correlation("req-7f3c2a91")
        .with_causation("upstream");
    let ready = input.caused(
        "notice-1",
        "paperflow/pdf-generator",
        EventType::PdfReady,
        "INV-2026-000123",
        datetime!(2026-11-26 15:05:42.5 +01:00),
        pdf_ready(),
    );
    assert_eq!(ready.id, "notice-1");
    assert_eq!(ready.source, "paperflow/pdf-generator");
    assert_eq!(ready.event_type, "invoice.pdf.ready.v1");
    assert_eq!(ready.subject.as_deref(), Some("INV-2026-000123"));
    assert_eq!(ready.time, "2026-11-26T14:05:42.500Z");
    assert_eq!(ready.correlationid.as_deref(), Some("req-7f3c2a91"));
    assert_eq!(ready.causationid.as_deref(), Some(input.id.as_str()));
    assert_eq!(ready.data, pdf_ready());
}

#[test]
fn caused_by_an_uncorrelated_event_correlates_with_its_id() {
    let input = finalized();
    let failed = input.caused(
        "notice-2",
        "paperflow/pdf-generator",
        EventType::PdfFailed,
        "INV-2026-000123",
        datetime!(2026-11-26 14:05:42 UTC),
        json!({}),
    );
    assert_eq!(failed.correlationid.as_deref(), Some(input.id.as_str()));
    assert_eq!(failed.causationid.as_deref(), Some(input.id.as_str()));
}

#[test]
fn typed_event_round_trips_through_json() {
    let event = finalized().caused(
        "notice-1",
        "paperflow/pdf-generator",
        EventType::PdfReady,
        "INV-2026-000123",
        datetime!(2026-11-26 14:05:42 UTC),
        pdf_ready(),
    );
    assert_eq!(round_trip(&event), event);
    let untyped: CloudEvent = serde_json::from_value(serde_json::to_value(&event).expect("ser"))
        .expect("deserializes untyped");
    assert_eq!(untyped.into_typed::<PdfReady>().expect("typed"), event);
}

#[test]
fn into_typed_keeps_the_envelope() {
    let event = finalized().with_correlation("c").with_causation("d");
    let typed = event
        .clone()
        .into_typed::<Value>()
        .expect("any JSON is a Value");
    assert_eq!(typed, event);
}

// ---------------------------------------------------------------------------
// Payloads
// ---------------------------------------------------------------------------

#[test]
fn pdf_ready_round_trips() {
    assert_eq!(round_trip(&pdf_ready()), pdf_ready());
    let without_email = PdfReady {
        buyer_email: None,
        einvoice: None,
        xml_key: None,
        xml_sha256: None,
        ..pdf_ready()
    };
    assert_eq!(round_trip(&without_email), without_email);
    let json = serde_json::to_value(&without_email).expect("serializes");
    assert!(json.get("buyer_email").is_none(), "{json}");
}

#[test]
fn pdf_failed_round_trips_with_and_without_invoice() {
    let known = PdfFailed {
        invoice_id: Some("INV-2026-000123".into()),
        revision: Some(3),
        code: "invalid_invoice".into(),
        message: "/lines/0/quantity: must be greater than 0".into(),
        input: json!({ "invoice_id": "INV-2026-000123" }),
    };
    assert_eq!(round_trip(&known), known);

    let unknown = PdfFailed {
        invoice_id: None,
        revision: None,
        code: "not_json".into(),
        message: "the body is not JSON: expected value at line 1 column 1".into(),
        input: json!({ "truncated": false, "bytes": 5, "text": "hello" }),
    };
    assert_eq!(round_trip(&unknown), unknown);
    assert_eq!(
        serde_json::to_value(&unknown).expect("serializes"),
        json!({
            "code": "not_json",
            "message": "the body is not JSON: expected value at line 1 column 1",
            "input": { "truncated": false, "bytes": 5, "text": "hello" }
        })
    );
}

#[test]
fn emailed_round_trips() {
    let emailed = Emailed {
        invoice_id: "INV-2026-000123".into(),
        revision: 1,
        recipient: "ap@contoso.example".into(),
        message_id: "0102018c-provider-id".into(),
    };
    assert_eq!(round_trip(&emailed), emailed);
}

#[test]
fn payloads_accept_unknown_extra_fields() {
    let emailed: Emailed = serde_json::from_value(json!({
        "invoice_id": "INV-1", "revision": 1, "recipient": "a@b.example",
        "message_id": "m", "provider": "ses", "attempt": 2
    }))
    .expect("extra fields are ignored");
    assert_eq!(emailed.message_id, "m");
}

#[test]
fn payload_types_name_their_event_type() {
    assert_eq!(PdfReady::TYPE, EventType::PdfReady);
    assert_eq!(PdfFailed::TYPE, EventType::PdfFailed);
    assert_eq!(Emailed::TYPE, EventType::Emailed);
}

// ---------------------------------------------------------------------------
// Ids and times
// ---------------------------------------------------------------------------

#[test]
fn new_event_id_is_a_lowercase_uuid_version_7() {
    let id = new_event_id();
    let uuid = Uuid::parse_str(&id).expect("a UUID");
    assert_eq!(uuid.get_version(), Some(Version::SortRand));
    assert_eq!(id, id.to_lowercase());
    assert_eq!(id.len(), 36);
    assert_ne!(new_event_id(), id);
}

#[test]
fn derived_event_id_is_stable_and_differs_by_input_and_kind() {
    let id = derived_event_id("erp/billing", "evt-1", EventType::PdfReady);
    assert_eq!(
        id,
        derived_event_id("erp/billing", "evt-1", EventType::PdfReady)
    );
    let uuid = Uuid::parse_str(&id).expect("a UUID");
    assert_eq!(uuid.get_version(), Some(Version::Sha1));
    assert_eq!(id, id.to_lowercase());

    assert_ne!(
        id,
        derived_event_id("erp/billing", "evt-2", EventType::PdfReady)
    );
    assert_ne!(
        id,
        derived_event_id("erp/other", "evt-1", EventType::PdfReady)
    );
    assert_ne!(
        id,
        derived_event_id("erp/billing", "evt-1", EventType::PdfFailed)
    );
}

#[test]
fn derived_event_id_is_the_documented_uuidv5() {
    // Any language can recompute it: UUIDv5(namespace, "source\nid\nkind").
    let namespace = Uuid::parse_str("fa195980-2439-5108-a1a7-a4f8b3e471eb").expect("a UUID");
    let expected = Uuid::new_v5(&namespace, b"erp/billing\nevt-1\ninvoice.pdf.ready.v1");
    assert_eq!(
        derived_event_id("erp/billing", "evt-1", EventType::PdfReady),
        expected.to_string()
    );
}

#[test]
fn now_rfc3339_is_utc_with_milliseconds() {
    assert_eq!(
        now_rfc3339(datetime!(2026-11-26 14:05:41.123_456_789 UTC)),
        "2026-11-26T14:05:41.123Z"
    );
    assert_eq!(
        now_rfc3339(datetime!(2026-01-02 00:30:00 +02:00)),
        "2026-01-01T22:30:00.000Z"
    );
    assert_eq!(
        now_rfc3339(datetime!(2026-11-26 23:59:59.999_999 UTC)),
        "2026-11-26T23:59:59.999Z"
    );
}

#[test]
fn now_rfc3339_parses_back_as_rfc3339() {
    let text = now_rfc3339(datetime!(2026-11-26 14:05:41.007 UTC));
    let parsed = time::OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339)
        .expect("RFC 3339");
    assert_eq!(parsed, datetime!(2026-11-26 14:05:41.007 UTC));
}

// ---------------------------------------------------------------------------
// SNS message attributes
// ---------------------------------------------------------------------------

#[test]
fn message_attributes_mirror_type_subject_and_correlation() {
    let event = finalized().with_correlation("req-7f3c2a91");
    assert_eq!(
        message_attributes(&event),
        vec![
            ("type", "invoice.finalized.v1".to_owned()),
            ("subject", "INV-2026-000123".to_owned()),
            ("correlationid", "req-7f3c2a91".to_owned()),
        ]
    );
}

#[test]
fn message_attributes_fall_back_to_the_id_and_skip_a_missing_subject() {
    let event = CloudEvent::new(
        "evt-9",
        "s",
        EventType::PdfFailed,
        "",
        datetime!(2026-11-26 0:00 UTC),
        json!({}),
    );
    assert_eq!(
        message_attributes(&event),
        vec![
            ("type", "invoice.pdf.failed.v1".to_owned()),
            ("correlationid", "evt-9".to_owned()),
        ]
    );
}
