//! The input of a failed notice never exceeds its bound, and stays JSON when
//! it can.

use paperflow_events::{FAILED_INPUT_MAX_BYTES, bounded_input};
use proptest::prelude::*;
use serde_json::{Value, json};

fn serialized_len(value: &Value) -> usize {
    serde_json::to_string(value).expect("serializes").len()
}

#[test]
fn small_json_is_kept_as_json() {
    let raw = r#"{ "invoice_id": "INV-1", "lines": [ { "quantity": 0 } ] }"#;
    assert_eq!(
        bounded_input(raw, FAILED_INPUT_MAX_BYTES),
        json!({ "invoice_id": "INV-1", "lines": [ { "quantity": 0 } ] })
    );
    assert_eq!(bounded_input("42", 10), json!(42));
}

#[test]
fn small_text_that_is_not_json_is_kept_whole_and_not_marked_truncated() {
    assert_eq!(
        bounded_input("hello", FAILED_INPUT_MAX_BYTES),
        json!({ "truncated": false, "bytes": 5, "text": "hello" })
    );
}

#[test]
fn json_larger_than_the_bound_becomes_its_truncated_text() {
    let raw = json!({ "notes": "x".repeat(1_000) }).to_string();
    let value = bounded_input(&raw, 200);
    assert_eq!(value["truncated"], true);
    assert_eq!(value["bytes"], raw.len());
    let text = value["text"].as_str().expect("text");
    assert!(raw.starts_with(text));
    assert!(text.len() > 100, "the budget is used: {}", text.len());
    assert!(serialized_len(&value) <= 200);
}

#[test]
fn multibyte_text_is_cut_at_a_char_boundary_within_the_bound() {
    let raw = "€😀é\"\\\n\u{1}".repeat(5_000);
    for max in [64, 65, 66, 67, 100, 1_000, 4_096, FAILED_INPUT_MAX_BYTES] {
        let value = bounded_input(&raw, max);
        assert!(serialized_len(&value) <= max, "{max}");
        let text = value["text"].as_str().expect("text");
        assert!(raw.starts_with(text), "{max}");
        assert_eq!(value["bytes"], raw.len());
        assert_eq!(value["truncated"], true);
    }
}

#[test]
fn huge_input_stays_within_the_default_bound() {
    let raw = "a".repeat(10 * 1024 * 1024);
    let value = bounded_input(&raw, FAILED_INPUT_MAX_BYTES);
    let len = serialized_len(&value);
    assert!(len <= FAILED_INPUT_MAX_BYTES, "{len}");
    assert!(
        len > FAILED_INPUT_MAX_BYTES - 100,
        "the budget is used: {len}"
    );
    assert_eq!(value["bytes"], raw.len());
}

#[test]
fn a_bound_too_small_for_any_text_still_holds() {
    let raw = "x".repeat(1_000);
    for max in 4..60 {
        let value = bounded_input(&raw, max);
        assert!(serialized_len(&value) <= max, "{max}: {value}");
    }
    assert_eq!(bounded_input(&raw, 18), json!({ "truncated": true }));
    assert_eq!(bounded_input(&raw, 17), Value::Null);
}

fn raw_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\PC\"\\\\\n\t\u{0}-\u{1f}€😀]{0,400}",
        any::<Vec<u32>>().prop_map(|numbers| serde_json::to_string(&numbers).unwrap_or_default()),
        (any::<String>(), any::<i64>())
            .prop_map(|(s, n)| json!({ "text": s, "n": n, "list": [s, n] }).to_string()),
    ]
}

proptest! {
    #[test]
    fn bounded_input_never_exceeds_the_bound(raw in raw_text(), max in 4usize..600) {
        let value = bounded_input(&raw, max);
        prop_assert!(serialized_len(&value) <= max);
        if let Some(text) = value.get("text").and_then(Value::as_str)
            && value.get("bytes").and_then(Value::as_u64) == Some(raw.len() as u64)
        {
            prop_assert!(raw.starts_with(text));
        }
    }

    #[test]
    fn fitting_json_is_returned_as_parsed(raw in raw_text()) {
        if let Ok(parsed) = serde_json::from_str::<Value>(&raw) {
            prop_assert_eq!(bounded_input(&raw, 1 << 20), parsed);
        }
    }
}
