//! The payment codes' rules as validation problems of the invoice: each names the invoice's
//! field (its JSON pointer) and the rule of the Swiss QR-bill or the EPC QR code it breaks.

use paperflow_invoice::{Violation, invoice_from_value};
use serde_json::{Value, json};

/// A Swiss invoice paid to a QR-IBAN with a QR reference: valid.
fn swiss() -> Value {
    json!({
      "invoice_id": "RS-2026-0917",
      "issue_date": "2026-11-26",
      "due_date": "2026-12-26",
      "currency": "CHF",
      "language": "de-CH",
      "seller": { "name": "Robert Schneider AG",
                  "address": { "lines": ["Rue du Lac 1268"], "city": "Biel", "postal_code": "2501", "country_code": "CH" } },
      "buyer": { "name": "Pia-Maria Rutschmann-Schnyder",
                 "address": { "lines": ["Grosse Marktgasse 28"], "city": "Rorschach", "postal_code": "9400", "country_code": "CH" } },
      "payment": { "iban": "CH44 3199 9123 0008 8901 2", "remittance": "21 00000 00003 13947 14300 09017" },
      "lines": [ { "description": "Gartenpflege", "quantity": 1, "unit_price_minor": 9500, "tax_rate_bp": 810 } ]
    })
}

/// The problems of `document`, none when it is valid.
fn problems(document: &Value) -> Vec<Violation> {
    match invoice_from_value(document) {
        Ok(_) => Vec::new(),
        Err(violations) => violations.iter().cloned().collect(),
    }
}

fn the_only_problem(document: &Value) -> Violation {
    let mut problems = problems(document);
    assert_eq!(problems.len(), 1, "{problems:?}");
    problems.remove(0)
}

#[test]
fn a_qr_iban_with_a_qr_reference_and_a_plain_iban_with_a_creditor_reference_are_valid() {
    assert_eq!(problems(&swiss()), []);
    let mut plain = swiss();
    plain["payment"] =
        json!({ "iban": "CH93 0076 2011 6238 5295 7", "remittance": "RF18 5390 0754 7034" });
    assert_eq!(problems(&plain), []);
    plain["payment"]["remittance"] = json!("Rechnung RS-2026-0917");
    assert_eq!(problems(&plain), [], "a plain IBAN takes a message");
    plain["payment"]
        .as_object_mut()
        .expect("payment")
        .remove("remittance");
    assert_eq!(problems(&plain), [], "or nothing");
}

#[test]
fn a_qr_iban_requires_a_qr_reference_with_its_mod_10_check_digit() {
    let mut document = swiss();
    document["payment"]["remittance"] = json!("21 00000 00003 13947 14300 09018");
    let problem = the_only_problem(&document);
    assert_eq!(problem.pointer, "/payment/remittance");
    assert!(problem.rule.contains("modulo 10 recursive"), "{problem:?}");
    assert!(problem.rule.contains("Swiss QR-bill"), "{problem:?}");

    document["payment"]["remittance"] = json!("RF18 5390 0754 7034");
    let problem = the_only_problem(&document);
    assert_eq!(problem.pointer, "/payment/remittance");
    assert!(
        problem.rule.contains("QR reference: 27 digits"),
        "{problem:?}"
    );

    document["payment"]
        .as_object_mut()
        .expect("payment")
        .remove("remittance");
    let problem = the_only_problem(&document);
    assert_eq!(problem.pointer, "/payment/remittance");
    assert!(
        problem.rule.contains("required with a QR-IBAN"),
        "{problem:?}"
    );
}

#[test]
fn a_plain_swiss_iban_refuses_a_qr_reference_and_a_mistyped_creditor_reference() {
    let mut document = swiss();
    document["payment"]["iban"] = json!("CH93 0076 2011 6238 5295 7");
    let problem = the_only_problem(&document);
    assert_eq!(problem.pointer, "/payment/remittance");
    assert!(problem.rule.contains("needs a QR-IBAN"), "{problem:?}");

    document["payment"]["remittance"] = json!("RF19 5390 0754 7034");
    let problem = the_only_problem(&document);
    assert_eq!(problem.pointer, "/payment/remittance");
    assert!(problem.rule.contains("ISO 11649"), "{problem:?}");
}

#[test]
fn the_qr_bill_limits_each_address_field_and_names_the_invoice_field() {
    let cases = [
        ("/seller/name", "x".repeat(71), "at most 70 characters"),
        (
            "/buyer/address/lines/0",
            "y".repeat(71),
            "at most 70 characters",
        ),
        (
            "/buyer/address/postal_code",
            "9".repeat(17),
            "at most 16 characters",
        ),
        (
            "/seller/address/city",
            "z".repeat(36),
            "at most 35 characters",
        ),
    ];
    for (pointer, value, rule) in cases {
        let mut document = swiss();
        *document.pointer_mut(pointer).expect("in the document") = json!(value);
        let problem = the_only_problem(&document);
        assert_eq!(problem.pointer, pointer);
        assert!(problem.rule.contains(rule), "{pointer}: {problem:?}");
    }
}

#[test]
fn the_qr_bill_needs_a_structured_address_in_its_character_set() {
    let mut document = swiss();
    document["buyer"]["name"] = json!("Rutschmann – Schnyder");
    let problem = the_only_problem(&document);
    assert_eq!(problem.pointer, "/buyer/name");
    assert!(
        problem
            .rule
            .contains("outside the QR-bill's Latin character set"),
        "{problem:?}"
    );

    let mut document = swiss();
    document["seller"]["address"] = json!(["Rue du Lac 1268", "2501 Biel"]);
    let pointers: Vec<String> = problems(&document).into_iter().map(|p| p.pointer).collect();
    assert_eq!(
        pointers,
        [
            "/seller/address/postal_code",
            "/seller/address/city",
            "/seller/address/country_code"
        ]
    );
}

#[test]
fn the_rules_apply_only_where_a_qr_bill_is_printed() {
    let mut in_dollars = swiss();
    in_dollars["currency"] = json!("USD");
    in_dollars["buyer"]["name"] = json!("x".repeat(100));
    assert_eq!(problems(&in_dollars), [], "no code in USD");
    let mut credit_note = swiss();
    credit_note["document_type"] = json!("credit_note");
    credit_note["preceding_invoice"] = json!({ "id": "RS-2026-0900", "issue_date": "2026-11-01" });
    credit_note["payment"]["remittance"] = json!("not a reference");
    assert_eq!(problems(&credit_note), [], "a credit note prints no code");
}

#[test]
fn an_epc_payload_over_331_bytes_is_a_problem_of_the_invoice() {
    let document = json!({
      "invoice_id": "INV-2026-000123",
      "issue_date": "2026-11-26",
      "due_date": "2026-12-26",
      "currency": "EUR",
      "seller": { "name": "Northwind Components GmbH", "address": ["Hafenstrasse 12", "20457 Hamburg"] },
      "buyer": { "name": "Contoso Facilities Ltd", "address": ["Leeds LS1 4AP"] },
      // Four bytes a character: 70 characters of name and 140 of remittance pass 331 bytes.
      "payment": { "iban": "DE89 3704 0044 0532 0130 00", "account_name": "𝔑".repeat(70),
                   "remittance": "𝔯".repeat(140) },
      "lines": [ { "description": "Gasket", "quantity": 1, "unit_price_minor": 100, "tax_rate_bp": 1900 } ]
    });
    let problem = the_only_problem(&document);
    assert_eq!(problem.pointer, "/payment");
    assert!(problem.rule.contains("at most 331 bytes"), "{problem:?}");
    assert!(problem.rule.contains("EPC QR code"), "{problem:?}");
}
