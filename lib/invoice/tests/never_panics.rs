//! Whatever arrives, validation answers with an invoice or with violations:
//! it never panics, and what it accepts round-trips.

use paperflow_invoice::{invoice_from_value, parse_invoice};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn example() -> Value {
    json!({
      "invoice_id": "INV-2026-000123",
      "revision": 1,
      "issue_date": "2026-11-26",
      "due_date": "2026-12-26",
      "currency": "EUR",
      "seller": { "name": "Northwind Components GmbH", "address": ["Hafenstrasse 12", "20457 Hamburg", "Germany"],
                  "vat_id": "DE811907980", "email": "billing@northwind.example" },
      "buyer":  { "name": "Contoso Facilities Ltd", "address": ["Unit 4, Riverside Park", "Leeds LS1 4AP"],
                  "vat_id": "GB123456789", "email": "ap@contoso.example" },
      "lines": [
        { "description": "Insulated gasket set", "quantity": 24, "unit": "pcs",
          "unit_price_minor": 87827, "tax_rate_bp": 2000 }
      ],
      "notes": "Payment within 30 days."
    })
}

/// Every pointer of a value, the root included.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                pointers(v, format!("{at}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                pointers(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from), // NaN and infinities become null
        (-2_000i64..2_000_000).prop_map(|m| Value::from(m as f64 / 1000.0)),
        Just(json!(0)),
        Just(json!(-0.0)),
        Just(json!(1e300)),
        Just(json!(1_000_000_000_000_000_i64)),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[A-Za-z0-9./_ @-]{0,70}",
        Just("../..".to_owned()),
        Just("2026-02-30".to_owned()),
        Just("HRK".to_owned()),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((text(), inner), 0..8)
                .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Validation either fails with a bounded, non-empty report or succeeds with
/// an invoice that round-trips through its document.
fn check(value: &Value) {
    match invoice_from_value(value) {
        Ok(invoice) => {
            let again = invoice_from_value(&invoice.to_document()).expect("round trip");
            assert_eq!(again, invoice);
        }
        Err(violations) => {
            assert!(!violations.is_empty());
            assert!(violations.len() <= 101);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_invoice(&bytes);
    }

    #[test]
    fn arbitrary_json_values_never_panic(value in json_value()) {
        check(&value);
        let bytes = serde_json::to_vec(&value).expect("serialize");
        let _ = parse_invoice(&bytes);
    }

    #[test]
    fn the_example_with_any_value_replaced_never_panics(
        index in any::<prop::sample::Index>(),
        value in json_value(),
    ) {
        let mut doc = example();
        let mut all = Vec::new();
        pointers(&doc, String::new(), &mut all);
        let pointer = index.get(&all).clone();
        if pointer.is_empty() {
            doc = value;
        } else if let Some(slot) = doc.pointer_mut(&pointer) {
            *slot = value;
        }
        check(&doc);
    }

    #[test]
    fn valid_lines_have_exact_totals(
        lines in prop::collection::vec((1i64..=1_000_000_000, 0i64..=10_000_000, 0u32..=10_000), 1..20),
    ) {
        let mut doc = example();
        doc["lines"] = lines
            .iter()
            .map(|&(milli, price, bp)| {
                json!({ "description": "x", "quantity": milli as f64 / 1000.0,
                        "unit_price_minor": price, "tax_rate_bp": bp })
            })
            .collect();
        let invoice = invoice_from_value(&doc).expect("valid");
        let mut net: i128 = 0;
        for (line, &(milli, price, bp)) in invoice.lines.iter().zip(&lines) {
            prop_assert_eq!(line.quantity.milli(), milli);
            prop_assert_eq!(line.tax_rate.basis_points(), bp);
            // half away from zero, checked against a float-free reference
            let exact = i128::from(milli) * i128::from(price);
            let expected = (exact + 500) / 1000;
            prop_assert_eq!(i128::from(line.net_minor), expected);
            net += expected;
        }
        prop_assert_eq!(i128::from(invoice.totals.net_minor), net);
        let tax: i64 = invoice.totals.tax_groups.iter().map(|g| g.tax_minor).sum();
        prop_assert_eq!(invoice.totals.tax_minor, tax);
        prop_assert_eq!(invoice.totals.gross_minor, invoice.totals.net_minor + tax);
        check(&doc);
    }
}
