//! Whatever arrives, validation answers with an invoice or with violations:
//! it never panics, and what it accepts round-trips. Documents of both
//! versions are mutated, and valid 1.1 documents with every new field are
//! generated.

use paperflow_invoice::{invoice_from_value, parse_invoice};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// The first version's example.
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

/// The 1.1 example: every new field set.
fn example_1_1() -> Value {
    json!({
      "invoice_id": "INV-2026-000124", "issue_date": "2026-11-26", "due_date": "2026-12-26",
      "currency": "EUR", "document_type": "credit_note", "language": "de-CH", "theme": "northwind",
      "einvoice": "xrechnung", "buyer_reference": "04011000-12345-34", "order_reference": "PO-7781",
      "preceding_invoice": { "id": "INV-2026-000100", "issue_date": "2026-11-01" },
      "delivery_date": "2026-11-20",
      "seller": { "name": "Northwind Components GmbH",
                  "address": { "lines": ["Hafenstrasse 12"], "city": "Hamburg", "postal_code": "20457",
                               "country_code": "DE" },
                  "vat_id": "DE811907980", "tax_number": "22/815/08154", "legal_id": "HRB 12345",
                  "contact": { "name": "Accounts", "phone": "+49 40 123456", "email": "billing@northwind.example" },
                  "electronic_address": { "scheme": "EM", "value": "billing@northwind.example" } },
      "buyer":  { "name": "Contoso Facilities Ltd", "address": ["Leeds LS1 4AP"], "vat_id": "GB123456789",
                  "electronic_address": { "scheme": "0088", "value": "5012345678900" } },
      "payment": { "means_code": "58", "iban": "DE89370400440532013000", "bic": "COBADEFFXXX",
                   "account_name": "Northwind", "remittance": "INV-2026-000124", "terms": "30 days net" },
      "lines": [
        { "id": "1", "description": "Insulated gasket set", "quantity": -24, "unit": "pcs", "unit_code": "C62",
          "unit_price_minor": 87827, "tax_rate_bp": 1900, "tax_category": "S",
          "seller_item_id": "GS-24", "gtin": "4012345678901" },
        { "description": "Reverse-charged service", "quantity": 1, "unit_price_minor": 10000,
          "tax_rate_bp": 0, "tax_category": "AE" }
      ],
      "allowances": [ { "reason": "Loyalty discount", "reason_code": "95", "amount_minor": 5000,
                        "tax_rate_bp": 1900, "tax_category": "S" } ],
      "charges": [ { "reason": "Freight", "reason_code": "FC", "amount_minor": 990,
                     "tax_rate_bp": 1900, "tax_category": "S" } ],
      "exemptions": { "AE": { "reason": "Reverse charge", "code": "VATEX-EU-AE" } },
      "prepaid_minor": 1000,
      "notes": "Thank you."
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

#[test]
fn both_examples_are_valid() {
    for doc in [example(), example_1_1()] {
        if let Err(violations) = invoice_from_value(&doc) {
            panic!("{violations}");
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
        version_1_1 in any::<bool>(),
    ) {
        let mut doc = if version_1_1 { example_1_1() } else { example() };
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

// ---------------------------------------------------------------------------
// Valid 1.1 documents, generated
// ---------------------------------------------------------------------------

/// A VAT category with a rate it allows (O is generated on its own, since it
/// rules out every other category and the VAT ids).
fn category_and_rate() -> impl Strategy<Value = (&'static str, u32)> {
    prop_oneof![
        (1u32..=10_000).prop_map(|bp| ("S", bp)),
        Just(("Z", 0)),
        Just(("E", 0)),
        Just(("AE", 0)),
        Just(("K", 0)),
        Just(("G", 0)),
        (0u32..=10_000).prop_map(|bp| ("L", bp)),
        (0u32..=10_000).prop_map(|bp| ("M", bp)),
    ]
}

/// A one-line text that is never blank.
fn words() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9 ./-]{0,30}"
}

fn address() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::collection::vec(words(), 1..4).prop_map(|lines| json!(lines)),
        (
            prop::collection::vec(words(), 1..3),
            prop::option::of(words()),
            prop::option::of("[0-9]{4,6}"),
            prop::option::of(words()),
            prop::option::of(prop::sample::select(vec![
                "DE", "FR", "GB", "CH", "JP", "US"
            ])),
        )
            .prop_map(|(lines, city, postal_code, subdivision, country_code)| {
                json!({ "lines": lines, "city": city, "postal_code": postal_code,
                        "subdivision": subdivision, "country_code": country_code })
            }),
    ]
}

fn payment() -> impl Strategy<Value = Value> {
    (
        prop::option::of(prop::sample::select(vec![
            "58", "59", "30", "48", "1", "ZZZ",
        ])),
        prop::option::of(prop::sample::select(vec![
            "DE89370400440532013000",
            "de89 3704 0044 0532 0130 00",
            "GB82WEST12345698765432",
            "FR1420041010050500013M02606",
            "NL91ABNA0417164300",
        ])),
        prop::option::of(prop::sample::select(vec![
            "COBADEFFXXX",
            "DEUTDEFF",
            "abnanl2a",
        ])),
        prop::option::of(words()),
        prop::option::of(words()),
        prop::option::of("[A-Za-z0-9][A-Za-z0-9 \n]{0,40}"),
    )
        .prop_map(|(means, iban, bic, account_name, remittance, terms)| {
            // A SEPA credit transfer needs an account (BR-61).
            let iban = match (means, iban) {
                (Some("58"), None) => Some("DE89370400440532013000"),
                (_, iban) => iban,
            };
            json!({ "means_code": means, "iban": iban, "bic": bic, "account_name": account_name,
                    "remittance": remittance, "terms": terms })
        })
}

fn generated_line() -> impl Strategy<Value = Value> {
    (
        prop_oneof![-1_000_000i64..=-1, 1i64..=1_000_000],
        0i64..=10_000_000,
        category_and_rate(),
        any::<bool>(),
        prop::option::of("[A-Z0-9]{2,3}"),
        prop::option::of(prop::sample::select(vec![
            "4012345678901",
            "96385074",
            "036000291452",
            "10012345678902",
        ])),
        prop::option::of(words()),
        prop::option::of(words()),
    )
        .prop_map(
            |(milli, price, (category, bp), name_category, unit_code, gtin, item_id, unit)| {
                // The default category (S, or Z at 0 %) may go unnamed.
                let default = if bp == 0 { "Z" } else { "S" };
                let category = (name_category || category != default).then_some(category);
                json!({ "description": "item", "quantity": milli as f64 / 1000.0,
                        "unit_price_minor": price, "tax_rate_bp": bp, "tax_category": category,
                        "unit_code": unit_code, "gtin": gtin, "seller_item_id": item_id,
                        "unit": unit.map(|u| u.chars().take(16).collect::<String>()) })
            },
        )
}

/// An allowance (`charge` false) or a charge.
fn adjustment(charge: bool) -> impl Strategy<Value = Value> {
    let codes = if charge {
        vec!["FC", "ABL", "ZZZ"]
    } else {
        vec!["95", "100", "41"]
    };
    (
        1i64..=1_000_000,
        category_and_rate(),
        prop::option::of(words()),
        prop::option::of(prop::sample::select(codes)),
    )
        .prop_map(|(amount, (category, bp), reason, code)| {
            // A reason or a code (BR-33, BR-38).
            let reason = match (reason, code) {
                (None, None) => Some("adjustment".to_owned()),
                (reason, _) => reason,
            };
            json!({ "amount_minor": amount, "tax_rate_bp": bp, "tax_category": category,
                    "reason": reason, "reason_code": code })
        })
}

/// The optional header fields of the 1.1 document.
fn header() -> impl Strategy<Value = Value> {
    (
        prop::option::of(prop::sample::select(vec!["invoice", "credit_note"])),
        prop::option::of(prop::sample::select(vec![
            "en", "de", "de-CH", "fr-BE", "es", "it", "nl", "pt-BR", "pl", "sv", "ja", "EN-gb",
        ])),
        prop::option::of("[a-z0-9][a-z0-9_.-]{0,20}"),
        prop::option::of(prop::sample::select(vec!["none", "factur-x", "xrechnung", "peppol"])),
        prop::option::of(words()),
        prop::option::of(words()),
        prop::option::of((
            words(),
            prop::option::of(prop::sample::select(vec!["2026-01-01", "2026-11-26"])),
        )),
        0i64..=1_000_000,
    )
        .prop_map(
            |(document_type, language, theme, einvoice, buyer_ref, order_ref, preceding, prepaid)| {
                json!({ "document_type": document_type, "language": language, "theme": theme,
                        "einvoice": einvoice, "buyer_reference": buyer_ref,
                        "order_reference": order_ref,
                        "preceding_invoice": preceding.map(|(id, date)| json!({ "id": id, "issue_date": date })),
                        "prepaid_minor": prepaid })
            },
        )
}

/// A valid 1.1 document: categories coherent with their rates and with the
/// parties' identifiers, exemptions where a category needs one.
fn valid_document() -> impl Strategy<Value = Value> {
    (
        header(),
        (address(), address(), prop::option::of(payment())),
        prop::collection::vec((generated_line(), any::<bool>()), 1..6),
        prop::collection::vec(adjustment(false), 0..3),
        prop::collection::vec(adjustment(true), 0..3),
        any::<bool>(),
    )
        .prop_map(
            |(header, (seller_address, buyer_address, payment), lines, allowances, charges, o_only)| {
                let mut doc = example();
                for (key, value) in header.as_object().expect("object") {
                    doc[key] = value.clone();
                }
                doc["delivery_date"] = json!("2026-11-20");
                doc["seller"]["address"] = seller_address;
                doc["seller"]["tax_number"] = json!("22/815/08154");
                doc["buyer"]["address"] = buyer_address;
                doc["payment"] = payment.unwrap_or(Value::Null);
                doc["lines"] = lines
                    .into_iter()
                    .enumerate()
                    .map(|(i, (mut line, named))| {
                        if named {
                            line["id"] = json!(format!("L-{i}"));
                        }
                        line
                    })
                    .collect();
                doc["allowances"] = json!(allowances);
                doc["charges"] = json!(charges);
                if o_only {
                    // Not subject to VAT: nothing else, and no VAT ids (BR-O-2, BR-O-12..14).
                    for key in ["lines", "allowances", "charges"] {
                        for item in doc[key].as_array_mut().expect("array") {
                            item["tax_rate_bp"] = json!(0);
                            item["tax_category"] = json!("O");
                        }
                    }
                    doc["seller"]["vat_id"] = Value::Null;
                    doc["buyer"]["vat_id"] = Value::Null;
                }
                let mut exemptions = Map::new();
                for key in ["lines", "allowances", "charges"] {
                    for item in doc[key].as_array().expect("array") {
                        if let Some(category @ ("E" | "AE" | "K" | "G" | "O")) =
                            item["tax_category"].as_str()
                        {
                            exemptions.insert(
                                category.to_owned(),
                                json!({ "reason": "exempt", "code": format!("VATEX-EU-{category}") }),
                            );
                        }
                    }
                }
                doc["exemptions"] = Value::Object(exemptions);
                doc
            },
        )
}

/// `net × bp / 10000`, rounded half away from zero, without the library.
fn reference_tax(net: i64, bp: u32) -> i64 {
    let product = i128::from(net) * i128::from(bp);
    let rounded = (product.abs() + 5_000) / 10_000 * product.signum();
    i64::try_from(rounded).expect("fits")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn valid_1_1_documents_round_trip_and_add_up(doc in valid_document()) {
        let invoice = match invoice_from_value(&doc) {
            Ok(invoice) => invoice,
            Err(violations) => panic!("{violations}\n{doc:#}"),
        };
        let again = invoice_from_value(&invoice.to_document()).expect("round trip");
        prop_assert_eq!(&again, &invoice);

        let t = &invoice.totals;
        prop_assert_eq!(t.net_minor, invoice.lines.iter().map(|l| l.net_minor).sum::<i64>());
        prop_assert_eq!(t.allowances_minor, invoice.allowances.iter().map(|a| a.amount_minor).sum::<i64>());
        prop_assert_eq!(t.charges_minor, invoice.charges.iter().map(|c| c.amount_minor).sum::<i64>());
        prop_assert_eq!(t.tax_exclusive_minor, t.net_minor - t.allowances_minor + t.charges_minor);
        prop_assert_eq!(t.tax_groups.iter().map(|g| g.net_minor).sum::<i64>(), t.tax_exclusive_minor);
        for pair in t.tax_groups.windows(2) {
            prop_assert!((pair[0].rate, pair[0].category) < (pair[1].rate, pair[1].category));
        }
        for group in &t.tax_groups {
            prop_assert_eq!(group.tax_minor, reference_tax(group.net_minor, group.rate.basis_points()));
        }
        prop_assert_eq!(t.tax_minor, t.tax_groups.iter().map(|g| g.tax_minor).sum::<i64>());
        prop_assert_eq!(t.gross_minor, t.tax_exclusive_minor + t.tax_minor);
        prop_assert_eq!(t.due_minor, t.gross_minor - t.prepaid_minor);
    }
}
