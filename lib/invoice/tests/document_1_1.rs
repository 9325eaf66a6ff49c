//! The invoice document 1.1: what a real business sends (EN 16931). Every
//! new field, its default, its rules and the totals they lead to.

use paperflow_invoice::{
    DocumentType, EInvoiceFormat, Invoice, TaxCategory, Violation, invoice_from_value,
};
use serde_json::{Value, json};

/// The example of DESIGN.md "The invoice document, 1.1", completed.
fn example() -> Value {
    json!({
      "invoice_id": "INV-2026-000123",
      "revision": 1,
      "issue_date": "2026-11-26",
      "due_date": "2026-12-26",
      "currency": "EUR",
      "document_type": "invoice",
      "language": "de",
      "theme": "northwind",
      "einvoice": "factur-x",
      "buyer_reference": "04011000-12345-34",
      "order_reference": "PO-7781",
      "preceding_invoice": { "id": "INV-2026-000100", "issue_date": "2026-11-01" },
      "delivery_date": "2026-11-20",
      "seller": {
        "name": "Northwind Components GmbH",
        "address": { "lines": ["Hafenstrasse 12"], "city": "Hamburg", "postal_code": "20457",
                     "country_code": "DE" },
        "vat_id": "DE811907980",
        "tax_number": "22/815/08154",
        "legal_id": "HRB 12345",
        "contact": { "name": "Accounts", "phone": "+49 40 123456",
                     "email": "billing@northwind.example" },
        "electronic_address": { "scheme": "EM", "value": "billing@northwind.example" },
        "email": "billing@northwind.example"
      },
      "buyer": {
        "name": "Contoso Facilities Ltd",
        "address": { "lines": ["Unit 4, Riverside Park"], "city": "Leeds", "postal_code": "LS1 4AP",
                     "subdivision": "West Yorkshire", "country_code": "GB" },
        "vat_id": "GB123456789",
        "electronic_address": { "scheme": "0088", "value": "5012345678900" },
        "email": "ap@contoso.example"
      },
      "payment": {
        "means_code": "58",
        "iban": "DE89370400440532013000",
        "bic": "COBADEFFXXX",
        "account_name": "Northwind Components GmbH",
        "remittance": "INV-2026-000123",
        "terms": "30 days net"
      },
      "lines": [
        { "id": "1", "description": "Insulated gasket set", "quantity": 24,
          "unit": "pcs", "unit_code": "C62", "unit_price_minor": 87827, "tax_rate_bp": 1900,
          "tax_category": "S", "seller_item_id": "GS-24", "gtin": "4012345678901" }
      ],
      "allowances": [ { "reason": "Loyalty discount", "reason_code": "95", "amount_minor": 5000,
                        "tax_rate_bp": 1900, "tax_category": "S" } ],
      "charges":    [ { "reason": "Freight", "reason_code": "FC", "amount_minor": 990,
                        "tax_rate_bp": 1900, "tax_category": "S" } ],
      "exemptions": { "AE": { "reason": "Reverse charge", "code": "VATEX-EU-AE" } },
      "prepaid_minor": 0
    })
}

/// The example of the first version: none of the 1.1 fields.
fn v1_example() -> Value {
    json!({
      "invoice_id": "INV-2026-000123",
      "issue_date": "2026-11-26",
      "due_date": "2026-12-26",
      "currency": "EUR",
      "seller": { "name": "Northwind Components GmbH", "address": ["Hafenstrasse 12", "20457 Hamburg", "Germany"] },
      "buyer":  { "name": "Contoso Facilities Ltd", "address": ["Unit 4, Riverside Park", "Leeds LS1 4AP"] },
      "lines": [
        { "description": "Insulated gasket set", "quantity": 24, "unit": "pcs",
          "unit_price_minor": 87827, "tax_rate_bp": 2000 },
        { "description": "Export documents", "quantity": 1, "unit_price_minor": 2500, "tax_rate_bp": 0 }
      ]
    })
}

fn with(doc: &Value, pointer: &str, value: Value) -> Value {
    let mut doc = doc.clone();
    set(&mut doc, pointer, value);
    doc
}

/// Sets the value at `pointer`, creating the last key of an object.
fn set(doc: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
    let parent = doc.pointer_mut(parent).expect("parent exists");
    match parent {
        Value::Object(map) => {
            map.insert(key.to_owned(), value);
        }
        Value::Array(items) => items[key.parse::<usize>().expect("index")] = value,
        _ => panic!("{pointer}: parent is neither object nor array"),
    }
}

fn without(doc: &Value, pointer: &str) -> Value {
    let mut doc = doc.clone();
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
    doc.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .expect("parent object")
        .remove(key)
        .expect("field exists");
    doc
}

#[track_caller]
fn valid(doc: &Value) -> Invoice {
    match invoice_from_value(doc) {
        Ok(invoice) => invoice,
        Err(violations) => panic!("expected a valid invoice, got:\n{violations}"),
    }
}

#[track_caller]
fn violations(doc: &Value) -> Vec<Violation> {
    match invoice_from_value(doc) {
        Ok(_) => panic!("expected violations"),
        Err(violations) => violations.into_vec(),
    }
}

/// Asserts that `doc` breaks exactly one rule, at `pointer`, whose text
/// contains `says`.
#[track_caller]
fn breaks(doc: &Value, pointer: &str, says: &str) {
    let found = violations(doc);
    assert_eq!(
        found.len(),
        1,
        "expected one violation at {pointer}, got {found:#?}"
    );
    assert_eq!(found[0].pointer, pointer, "{found:#?}");
    assert!(
        found[0].rule.contains(says),
        "rule {:?} should say {says:?}",
        found[0].rule
    );
}

/// A line of `net` minor units (quantity 1) at `bp` in `category`.
fn line(net: i64, bp: u32, category: &str) -> Value {
    json!({ "description": "x", "quantity": 1, "unit_price_minor": net, "tax_rate_bp": bp,
            "tax_category": category })
}

/// An allowance or charge of `amount` at `bp` in `category`.
fn adjustment(amount: i64, bp: u32, category: &str) -> Value {
    json!({ "reason": "r", "amount_minor": amount, "tax_rate_bp": bp, "tax_category": category })
}

// ---------------------------------------------------------------------------
// The whole document
// ---------------------------------------------------------------------------

#[test]
fn the_design_example_is_valid_with_every_field_read() {
    let invoice = valid(&example());
    assert_eq!(invoice.document_type, DocumentType::Invoice);
    assert_eq!(invoice.document_type.code(), "380");
    assert_eq!(invoice.language.tag(), "de");
    assert_eq!(
        invoice.theme.as_ref().map(|t| t.as_str()),
        Some("northwind")
    );
    assert_eq!(invoice.einvoice, Some(EInvoiceFormat::FacturX));
    assert_eq!(
        invoice.buyer_reference.as_deref(),
        Some("04011000-12345-34")
    );
    assert_eq!(invoice.order_reference.as_deref(), Some("PO-7781"));
    let preceding = invoice.preceding_invoice.as_ref().expect("preceding");
    assert_eq!(preceding.id, "INV-2026-000100");
    assert_eq!(
        preceding.issue_date.map(|d| d.to_string()).as_deref(),
        Some("2026-11-01")
    );
    assert_eq!(
        invoice.delivery_date.map(|d| d.to_string()).as_deref(),
        Some("2026-11-20")
    );

    let seller = &invoice.seller;
    assert_eq!(seller.address.lines, ["Hafenstrasse 12"]);
    assert_eq!(seller.address.city.as_deref(), Some("Hamburg"));
    assert_eq!(seller.address.country_code.as_deref(), Some("DE"));
    assert_eq!(seller.tax_number.as_deref(), Some("22/815/08154"));
    assert_eq!(seller.legal_id.as_deref(), Some("HRB 12345"));
    let contact = seller.contact.as_ref().expect("contact");
    assert_eq!(contact.phone.as_deref(), Some("+49 40 123456"));
    let electronic = seller
        .electronic_address
        .as_ref()
        .expect("electronic address");
    assert_eq!(
        (electronic.scheme.as_str(), electronic.value.as_str()),
        ("EM", "billing@northwind.example")
    );

    let payment = invoice.payment.as_ref().expect("payment");
    assert_eq!(payment.means_code, "58");
    assert_eq!(payment.iban.as_deref(), Some("DE89370400440532013000"));
    assert_eq!(payment.bic.as_deref(), Some("COBADEFFXXX"));
    assert_eq!(payment.terms.as_deref(), Some("30 days net"));

    let line = &invoice.lines[0];
    assert_eq!(line.id, "1");
    assert_eq!(line.unit_code.as_deref(), Some("C62"));
    assert_eq!(line.tax_category, TaxCategory::S);
    assert_eq!(line.seller_item_id.as_deref(), Some("GS-24"));
    assert_eq!(line.gtin.as_deref(), Some("4012345678901"));
    assert_eq!(invoice.allowances[0].reason_code.as_deref(), Some("95"));
    assert_eq!(invoice.charges[0].reason_code.as_deref(), Some("FC"));
    let exemption = &invoice.exemptions[&TaxCategory::AE];
    assert_eq!(exemption.code.as_deref(), Some("VATEX-EU-AE"));
}

#[test]
fn the_design_example_totals_follow_en_16931() {
    let totals = valid(&example()).totals;
    // BT-131: 24 × 878.27 = 21,078.48
    assert_eq!(totals.net_minor, 2_107_848); // BT-106
    assert_eq!(totals.allowances_minor, 5_000); // BT-107
    assert_eq!(totals.charges_minor, 990); // BT-108
    assert_eq!(totals.tax_exclusive_minor, 2_103_838); // BT-109 = 106 − 107 + 108
    assert_eq!(totals.tax_groups.len(), 1);
    let group = &totals.tax_groups[0];
    assert_eq!(group.category, TaxCategory::S);
    assert_eq!(group.rate.basis_points(), 1900);
    assert_eq!(group.net_minor, 2_103_838); // BT-116 = lines + charges − allowances
    assert_eq!(group.tax_minor, 399_729); // BT-117: 399,729.22 → 399,729
    assert_eq!(totals.tax_minor, 399_729); // BT-110
    assert_eq!(totals.gross_minor, 2_503_567); // BT-112
    assert_eq!(totals.prepaid_minor, 0); // BT-113
    assert_eq!(totals.due_minor, 2_503_567); // BT-115
}

#[test]
fn a_first_version_document_gets_every_default() {
    let invoice = valid(&v1_example());
    assert_eq!(invoice.document_type, DocumentType::Invoice);
    assert_eq!(invoice.language.tag(), "en");
    assert_eq!(invoice.language.primary(), "en");
    assert_eq!(invoice.theme, None);
    assert_eq!(invoice.einvoice, None);
    assert_eq!(invoice.payment, None);
    assert!(invoice.allowances.is_empty() && invoice.charges.is_empty());
    assert!(invoice.exemptions.is_empty());
    assert_eq!(
        invoice.seller.address.lines,
        ["Hafenstrasse 12", "20457 Hamburg", "Germany"]
    );
    assert!(invoice.seller.address.is_lines_only());
    assert_eq!(
        invoice.seller.address.printed_lines(),
        ["Hafenstrasse 12", "20457 Hamburg", "Germany"]
    );
    let ids: Vec<&str> = invoice.lines.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, ["1", "2"]);
    assert_eq!(invoice.lines[0].tax_category, TaxCategory::S);
    assert_eq!(invoice.lines[1].tax_category, TaxCategory::Z);
    let totals = &invoice.totals;
    assert_eq!(totals.allowances_minor, 0);
    assert_eq!(totals.charges_minor, 0);
    assert_eq!(totals.tax_exclusive_minor, totals.net_minor);
    assert_eq!(totals.due_minor, totals.gross_minor);
    // one group per rate, as the first version printed them
    let groups: Vec<(u32, TaxCategory)> = totals
        .tax_groups
        .iter()
        .map(|g| (g.rate.basis_points(), g.category))
        .collect();
    assert_eq!(groups, [(0, TaxCategory::Z), (2000, TaxCategory::S)]);
}

#[test]
fn a_first_version_invoice_goes_back_to_a_first_version_document() {
    let invoice = valid(&v1_example());
    let mut expected = v1_example();
    expected["revision"] = json!(1);
    assert_eq!(invoice.to_document(), expected);
}

#[test]
fn every_field_round_trips_through_to_document() {
    let mut doc = example();
    set(&mut doc, "/document_type", json!("credit_note"));
    set(&mut doc, "/language", json!("pt-br"));
    set(&mut doc, "/lines/0/quantity", json!(-2.125));
    set(&mut doc, "/lines/0/id", json!("A-7"));
    set(&mut doc, "/prepaid_minor", json!(1000));
    set(
        &mut doc,
        "/payment/iban",
        json!("de89 3704 0044 0532 0130 00"),
    );
    let invoice = valid(&doc);
    let again = valid(&invoice.to_document());
    assert_eq!(again, invoice);
    assert_eq!(invoice.to_document()["language"], json!("pt-BR"));
    assert_eq!(
        invoice.to_document()["payment"]["iban"],
        json!("DE89370400440532013000")
    );
}

// ---------------------------------------------------------------------------
// Document-level fields
// ---------------------------------------------------------------------------

#[test]
fn document_type_is_invoice_or_credit_note() {
    let credit = valid(&with(&example(), "/document_type", json!("credit_note")));
    assert_eq!(credit.document_type, DocumentType::CreditNote);
    assert_eq!(credit.document_type.code(), "381");
    breaks(
        &with(&example(), "/document_type", json!("debit_note")),
        "/document_type",
        "must be \"invoice\" or \"credit_note\"",
    );
    breaks(
        &with(&example(), "/document_type", json!(381)),
        "/document_type",
        "must be a string",
    );
}

#[test]
fn language_is_a_bcp_47_tag_of_a_supported_language() {
    let swiss = valid(&with(&example(), "/language", json!("de-CH")));
    assert_eq!(
        (swiss.language.tag(), swiss.language.primary()),
        ("de-CH", "de")
    );
    let canonical = valid(&with(&example(), "/language", json!("JA-jp")));
    assert_eq!(canonical.language.tag(), "ja-JP");
    for tag in ["en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "ja"] {
        valid(&with(&example(), "/language", json!(tag)));
    }
    breaks(
        &with(&example(), "/language", json!("tr")),
        "/language",
        "must be a language paperflow supports: en de fr es it nl pt pl sv ja (got \"tr\")",
    );
    breaks(
        &with(&example(), "/language", json!("german!")),
        "/language",
        "must be a BCP 47 language tag",
    );
    breaks(
        &with(&example(), "/language", json!("")),
        "/language",
        "must be a BCP 47",
    );
}

#[test]
fn theme_is_a_safe_token() {
    valid(&with(&example(), "/theme", json!("northwind_2026.v2-dark")));
    breaks(
        &with(&example(), "/theme", json!("../other")),
        "/theme",
        "must contain only",
    );
    breaks(
        &with(&example(), "/theme", json!("a/b")),
        "/theme",
        "must contain only",
    );
    breaks(
        &with(&example(), "/theme", json!("..")),
        "/theme",
        "must not start with \".\"",
    );
    breaks(
        &with(&example(), "/theme", json!("")),
        "/theme",
        "must not be empty",
    );
    breaks(
        &with(&example(), "/theme", json!("x".repeat(65))),
        "/theme",
        "at most 64",
    );
}

#[test]
fn einvoice_names_a_format() {
    for (text, format) in [
        ("none", EInvoiceFormat::None),
        ("factur-x", EInvoiceFormat::FacturX),
        ("xrechnung", EInvoiceFormat::XRechnung),
        ("peppol", EInvoiceFormat::Peppol),
    ] {
        assert_eq!(
            valid(&with(&example(), "/einvoice", json!(text))).einvoice,
            Some(format)
        );
        assert_eq!(format.as_str(), text);
    }
    breaks(
        &with(&example(), "/einvoice", json!("zugferd")),
        "/einvoice",
        "must be \"none\", \"factur-x\", \"xrechnung\" or \"peppol\"",
    );
}

#[test]
fn references_are_texts_of_at_most_200_characters() {
    breaks(
        &with(&example(), "/buyer_reference", json!("")),
        "/buyer_reference",
        "must not be empty",
    );
    breaks(
        &with(&example(), "/order_reference", json!("x".repeat(201))),
        "/order_reference",
        "at most 200",
    );
}

#[test]
fn preceding_invoice_needs_an_id_and_comes_before() {
    breaks(
        &without(&example(), "/preceding_invoice/id"),
        "/preceding_invoice/id",
        "is required",
    );
    breaks(
        &with(
            &example(),
            "/preceding_invoice/issue_date",
            json!("2026-11-27"),
        ),
        "/preceding_invoice/issue_date",
        "must not be after the issue_date of this document (2026-11-26)",
    );
    breaks(
        &with(
            &example(),
            "/preceding_invoice/issue_date",
            json!("2026-02-30"),
        ),
        "/preceding_invoice/issue_date",
        "real calendar date",
    );
    let without_date = valid(&without(&example(), "/preceding_invoice/issue_date"));
    assert_eq!(
        without_date.preceding_invoice.and_then(|p| p.issue_date),
        None
    );
}

#[test]
fn delivery_date_is_a_date() {
    breaks(
        &with(&example(), "/delivery_date", json!("20.11.2026")),
        "/delivery_date",
        "YYYY-MM-DD",
    );
}

#[test]
fn prepaid_amount_is_deducted_from_the_amount_due() {
    let invoice = valid(&with(&example(), "/prepaid_minor", json!(500_000)));
    assert_eq!(invoice.totals.prepaid_minor, 500_000);
    assert_eq!(invoice.totals.due_minor, 2_503_567 - 500_000);
    // paid more than the total: the seller owes the rest back
    let overpaid = valid(&with(&example(), "/prepaid_minor", json!(3_000_000)));
    assert_eq!(overpaid.totals.due_minor, 2_503_567 - 3_000_000);
    breaks(
        &with(&example(), "/prepaid_minor", json!(-1)),
        "/prepaid_minor",
        "must not be negative",
    );
    breaks(
        &with(&example(), "/prepaid_minor", json!(1.5)),
        "/prepaid_minor",
        "whole number",
    );
}

// ---------------------------------------------------------------------------
// Parties
// ---------------------------------------------------------------------------

#[test]
fn a_structured_address_prints_street_place_subdivision_and_country() {
    let invoice = valid(&example());
    assert_eq!(
        invoice.buyer.address.printed_lines(),
        [
            "Unit 4, Riverside Park",
            "LS1 4AP Leeds",
            "West Yorkshire",
            "GB"
        ]
    );
    let city_only = valid(&with(
        &example(),
        "/seller/address",
        json!({ "city": "Hamburg" }),
    ));
    assert_eq!(city_only.seller.address.printed_lines(), ["Hamburg"]);
}

#[test]
fn a_structured_address_is_checked_field_by_field() {
    breaks(
        &with(&example(), "/seller/address/country_code", json!("de")),
        "/seller/address/country_code",
        "2 upper-case letters",
    );
    breaks(
        &with(&example(), "/seller/address/country_code", json!("QQ")),
        "/seller/address/country_code",
        "QQ is none",
    );
    breaks(
        &with(&example(), "/seller/address/lines", json!([])),
        "/seller/address/lines",
        "at least 1 line",
    );
    breaks(
        &with(
            &example(),
            "/seller/address/postal_code",
            json!("1".repeat(33)),
        ),
        "/seller/address/postal_code",
        "at most 32",
    );
    breaks(
        &with(&example(), "/seller/address", json!({})),
        "/seller/address",
        "must give at least one of lines, city, postal_code, subdivision and country_code",
    );
}

#[test]
fn party_identifiers_and_contact_are_checked() {
    breaks(
        &with(&example(), "/seller/tax_number", json!(" ")),
        "/seller/tax_number",
        "blank",
    );
    breaks(
        &with(&example(), "/seller/legal_id", json!(12345)),
        "/seller/legal_id",
        "must be a string",
    );
    breaks(
        &with(&example(), "/seller/contact/email", json!("accounts")),
        "/seller/contact/email",
        "e-mail address",
    );
    breaks(
        &with(&example(), "/seller/contact", json!({})),
        "/seller/contact",
        "must give at least one of name, phone and email",
    );
}

#[test]
fn an_electronic_address_has_an_eas_scheme_and_a_value() {
    breaks(
        &with(&example(), "/buyer/electronic_address/scheme", json!("GLN")),
        "/buyer/electronic_address/scheme",
        "Electronic Address Scheme",
    );
    breaks(
        &without(&example(), "/buyer/electronic_address/value"),
        "/buyer/electronic_address/value",
        "is required",
    );
    // the e-mail scheme takes an e-mail address
    breaks(
        &with(
            &example(),
            "/seller/electronic_address/value",
            json!("billing"),
        ),
        "/seller/electronic_address/value",
        "e-mail address",
    );
}

// ---------------------------------------------------------------------------
// Payment
// ---------------------------------------------------------------------------

#[test]
fn an_iban_is_normalised_and_checked_by_mod_97() {
    let spaced = valid(&with(
        &example(),
        "/payment/iban",
        json!("de89 3704 0044 0532 0130 00"),
    ));
    assert_eq!(
        spaced.payment.and_then(|p| p.iban).as_deref(),
        Some("DE89370400440532013000")
    );
    breaks(
        &with(&example(), "/payment/iban", json!("DE89370400440532013001")),
        "/payment/iban",
        "check digits",
    );
    breaks(
        &with(&example(), "/payment/iban", json!("IBAN DE89")),
        "/payment/iban",
        "must be an IBAN",
    );
}

#[test]
fn a_bic_has_8_or_11_characters() {
    let short = valid(&with(&example(), "/payment/bic", json!("cobadeff")));
    assert_eq!(
        short.payment.and_then(|p| p.bic).as_deref(),
        Some("COBADEFF")
    );
    breaks(
        &with(&example(), "/payment/bic", json!("COBADEFFX")),
        "/payment/bic",
        "8 or 11",
    );
}

#[test]
fn payment_means_default_to_sepa_transfer_with_an_iban_else_not_defined() {
    let with_iban = valid(&without(&example(), "/payment/means_code"));
    assert_eq!(
        with_iban.payment.map(|p| p.means_code).as_deref(),
        Some("58")
    );
    let doc = without(&without(&example(), "/payment/means_code"), "/payment/iban");
    assert_eq!(
        valid(&doc).payment.map(|p| p.means_code).as_deref(),
        Some("1")
    );
    let card = with(
        &without(&example(), "/payment/iban"),
        "/payment/means_code",
        json!("48"),
    );
    assert_eq!(
        valid(&card).payment.map(|p| p.means_code).as_deref(),
        Some("48")
    );
}

#[test]
fn payment_means_come_from_untdid_4461() {
    breaks(
        &with(&example(), "/payment/means_code", json!("SEPA")),
        "/payment/means_code",
        "UNTDID 4461",
    );
    breaks(
        &with(&example(), "/payment/means_code", json!(58)),
        "/payment/means_code",
        "must be a string",
    );
}

#[test]
fn a_sepa_credit_transfer_needs_an_iban() {
    breaks(
        &without(&example(), "/payment/iban"),
        "/payment/iban",
        "is required for payment means 58, SEPA credit transfer (BT-84; BR-61)",
    );
}

// ---------------------------------------------------------------------------
// Lines
// ---------------------------------------------------------------------------

#[test]
fn line_ids_default_to_the_position_and_must_be_unique() {
    let mut doc = v1_example();
    set(&mut doc, "/lines/1/id", json!("1"));
    breaks(
        &doc,
        "/lines/1/id",
        "must be unique: /lines/0 has the id \"1\" too",
    );
    set(&mut doc, "/lines/1/id", json!("X-9"));
    let ids: Vec<String> = valid(&doc).lines.into_iter().map(|l| l.id).collect();
    assert_eq!(ids, ["1", "X-9"]);
    breaks(
        &with(&doc, "/lines/0/id", json!("")),
        "/lines/0/id",
        "must not be empty",
    );
}

#[test]
fn unit_code_seller_item_id_and_gtin_are_checked() {
    breaks(
        &with(&example(), "/lines/0/unit_code", json!("pcs")),
        "/lines/0/unit_code",
        "Recommendation 20",
    );
    breaks(
        &with(
            &example(),
            "/lines/0/seller_item_id",
            json!("x".repeat(101)),
        ),
        "/lines/0/seller_item_id",
        "at most 100",
    );
    breaks(
        &with(&example(), "/lines/0/gtin", json!("4012345678902")),
        "/lines/0/gtin",
        "check digit (1, not 2)",
    );
    breaks(
        &with(&example(), "/lines/0/gtin", json!("40123")),
        "/lines/0/gtin",
        "8, 12, 13 or 14 digits",
    );
}

#[test]
fn tax_category_defaults_to_s_or_z_at_0_percent() {
    let mut doc = v1_example();
    set(&mut doc, "/lines/0/tax_category", json!("S"));
    set(&mut doc, "/lines/1/tax_category", json!("Z"));
    assert_eq!(valid(&doc), valid(&v1_example()));
    breaks(
        &with(&example(), "/lines/0/tax_category", json!("X")),
        "/lines/0/tax_category",
        "must be a tax category of UNCL5305: S Z E AE K G O L M",
    );
}

#[test]
fn a_category_allows_only_its_rates() {
    let mut doc = example();
    doc["exemptions"] = json!({ "AE": { "reason": "Reverse charge" } });
    breaks(
        &with(&doc, "/lines/0/tax_category", json!("AE")),
        "/lines/0/tax_rate_bp",
        "must be 0 for tax category AE (BR-AE-5)",
    );
    breaks(
        &with(&example(), "/lines/0/tax_rate_bp", json!(0)),
        "/lines/0/tax_rate_bp",
        "must be greater than 0 for tax category S (BR-S-5)",
    );
    breaks(
        &with(&example(), "/allowances/0/tax_rate_bp", json!(0)),
        "/allowances/0/tax_rate_bp",
        "must be greater than 0 for tax category S (BR-S-6)",
    );
    breaks(
        &with(&example(), "/charges/0/tax_category", json!("Z")),
        "/charges/0/tax_rate_bp",
        "must be 0 for tax category Z (BR-Z-7)",
    );
    // IGIC (L) and IPSI (M) have rates of their own, 0 included
    let mut canary = example();
    canary["lines"] = json!([
        line(10_000, 700, "L"),
        line(10_000, 0, "L"),
        line(10_000, 400, "M")
    ]);
    canary["allowances"] = json!([]);
    canary["charges"] = json!([]);
    let invoice = valid(&canary);
    assert_eq!(invoice.totals.tax_minor, 700 + 400);
}

// ---------------------------------------------------------------------------
// Allowances and charges
// ---------------------------------------------------------------------------

#[test]
fn an_allowance_or_charge_needs_a_reason_or_a_reason_code() {
    let mut doc = without(&example(), "/allowances/0/reason");
    let coded = valid(&doc);
    assert_eq!(coded.allowances[0].reason, None);
    doc = without(&doc, "/allowances/0/reason_code");
    breaks(
        &doc,
        "/allowances/0",
        "must give a reason or a reason_code or both (BT-97, BT-98; BR-33)",
    );
    let charge = without(
        &without(&example(), "/charges/0/reason"),
        "/charges/0/reason_code",
    );
    breaks(&charge, "/charges/0", "(BT-104, BT-105; BR-38)");
}

#[test]
fn reason_codes_come_from_their_lists() {
    breaks(
        &with(&example(), "/allowances/0/reason_code", json!("FC")),
        "/allowances/0/reason_code",
        "UNTDID 5189: 41 42 60",
    );
    breaks(
        &with(&example(), "/charges/0/reason_code", json!("95")),
        "/charges/0/reason_code",
        "UNTDID 7161",
    );
}

#[test]
fn allowance_and_charge_amounts_are_positive() {
    breaks(
        &with(&example(), "/allowances/0/amount_minor", json!(0)),
        "/allowances/0/amount_minor",
        "at least 1",
    );
    breaks(
        &with(&example(), "/charges/0/amount_minor", json!(-990)),
        "/charges/0/amount_minor",
        "at least 1",
    );
    breaks(
        &without(&example(), "/charges/0/tax_rate_bp"),
        "/charges/0/tax_rate_bp",
        "is required",
    );
    breaks(
        &with(&example(), "/allowances", json!({})),
        "/allowances",
        "must be an array",
    );
    let mut many = example();
    many["charges"] = Value::Array(vec![adjustment(1, 1900, "S"); 101]);
    breaks(&many, "/charges", "at most 100 entries (has 101)");
}

// ---------------------------------------------------------------------------
// Totals (BG-22, BG-23)
// ---------------------------------------------------------------------------

#[test]
fn tax_groups_are_per_category_and_rate_in_order_of_rate_then_category() {
    let mut doc = example();
    doc["lines"] = json!([
        line(10_000, 1900, "S"),
        line(20_000, 0, "E"),
        line(5_000, 700, "S"),
        line(3_000, 0, "Z"),
    ]);
    doc["allowances"] = json!([adjustment(1_000, 1900, "S"), adjustment(500, 0, "E")]);
    doc["charges"] = json!([adjustment(990, 700, "S")]);
    doc["exemptions"] =
        json!({ "E": { "reason": "Exempt medical services", "code": "VATEX-EU-132-1B" } });
    let totals = valid(&doc).totals;
    let groups: Vec<(TaxCategory, u32, i64, i64)> = totals
        .tax_groups
        .iter()
        .map(|g| (g.category, g.rate.basis_points(), g.net_minor, g.tax_minor))
        .collect();
    assert_eq!(
        groups,
        [
            (TaxCategory::Z, 0, 3_000, 0),
            (TaxCategory::E, 0, 19_500, 0),
            // 5,000 + 990 = 5,990 at 7 % = 419.30
            (TaxCategory::S, 700, 5_990, 419),
            // 10,000 − 1,000 = 9,000 at 19 % = 1,710
            (TaxCategory::S, 1900, 9_000, 1_710),
        ]
    );
    assert_eq!(totals.net_minor, 38_000);
    assert_eq!(totals.allowances_minor, 1_500);
    assert_eq!(totals.charges_minor, 990);
    assert_eq!(totals.tax_exclusive_minor, 37_490);
    assert_eq!(totals.tax_minor, 2_129);
    assert_eq!(totals.gross_minor, 39_619);
    let basis: i64 = totals.tax_groups.iter().map(|g| g.net_minor).sum();
    assert_eq!(basis, totals.tax_exclusive_minor);
}

#[test]
fn group_tax_is_rounded_once_after_allowances_and_charges() {
    // Lines of 0.25 at 10 %, minus an allowance of 0.10, plus a charge of
    // 0.20: basis 0.85, tax 0.085 → 0.09 (half away from zero), once.
    let mut doc = example();
    doc["lines"] = json!([
        line(25, 1000, "S"),
        line(25, 1000, "S"),
        line(25, 1000, "S")
    ]);
    doc["allowances"] = json!([adjustment(10, 1000, "S")]);
    doc["charges"] = json!([adjustment(20, 1000, "S")]);
    let totals = valid(&doc).totals;
    assert_eq!(totals.tax_groups[0].net_minor, 85);
    assert_eq!(totals.tax_minor, 9);
    assert_eq!(totals.gross_minor, 94);
}

#[test]
fn a_credit_note_may_have_negative_lines_and_totals() {
    let mut doc = with(&example(), "/document_type", json!("credit_note"));
    doc["lines"] = json!([
        { "description": "Returned gasket set", "quantity": -3, "unit_price_minor": 87827,
          "tax_rate_bp": 1900 }
    ]);
    doc.as_object_mut().expect("object").remove("allowances");
    doc.as_object_mut().expect("object").remove("charges");
    let totals = valid(&doc).totals;
    // −3 × 878.27 = −2,634.81; 19 % of it = −500.6139 → −500.61
    assert_eq!(totals.net_minor, -263_481);
    assert_eq!(totals.tax_minor, -50_061);
    assert_eq!(totals.due_minor, -313_542);
}

#[test]
fn totals_with_allowances_and_charges_stay_within_the_limit() {
    let limit = 1_000_000_000_000_000_i64;
    let mut doc = example();
    doc["lines"] = json!([line(limit, 0, "Z")]);
    doc["allowances"] = json!([]);
    doc["charges"] = json!([adjustment(1, 0, "Z")]);
    let found = violations(&doc);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].pointer, "");
    assert!(
        found[0].rule.contains("exceeds the limit"),
        "{}",
        found[0].rule
    );
    doc["allowances"] = json!([adjustment(1, 0, "Z")]);
    assert_eq!(valid(&doc).totals.gross_minor, limit);
}

// ---------------------------------------------------------------------------
// Categories and the parties (EN 16931 BR-x-2..4, BR-O-12..14, BR-IC-11)
// ---------------------------------------------------------------------------

#[test]
fn reverse_charge_needs_both_vat_ids_and_an_exemption_reason() {
    let mut doc = example();
    doc["lines"] = json!([line(10_000, 0, "AE")]);
    valid(&doc);
    let no_buyer_id = without(&doc, "/buyer/vat_id");
    breaks(
        &no_buyer_id,
        "/buyer/vat_id",
        "is required for tax category AE, unless /buyer/legal_id is given (BT-48, BT-47; BR-AE-2)",
    );
    valid(&with(
        &no_buyer_id,
        "/buyer/legal_id",
        json!("Companies House 01234567"),
    ));
    let no_seller_ids = without(&without(&doc, "/seller/vat_id"), "/seller/tax_number");
    breaks(
        &no_seller_ids,
        "/seller/vat_id",
        "tax category AE, unless /seller/tax_number",
    );
    breaks(
        &without(&doc, "/exemptions"),
        "/exemptions",
        "must give a reason or a code for tax category AE (BT-120, BT-121; BR-AE-10)",
    );
}

#[test]
fn intra_community_supply_needs_vat_ids_and_a_delivery_date() {
    let mut doc = example();
    doc["lines"] = json!([line(10_000, 0, "K")]);
    doc["exemptions"] = json!({ "K": { "code": "VATEX-EU-IC" } });
    valid(&doc);
    breaks(
        &without(&doc, "/delivery_date"),
        "/delivery_date",
        "is required for tax category K (BR-IC-11)",
    );
    breaks(
        &without(&doc, "/buyer/vat_id"),
        "/buyer/vat_id",
        "(BT-48; BR-IC-2)",
    );
}

#[test]
fn the_rule_named_is_that_of_the_first_item_of_the_category() {
    // E first appears on a line (BR-E-2), K on an allowance (BR-IC-3).
    let mut doc = example();
    doc["lines"] = json!([line(10_000, 0, "E")]);
    doc["allowances"] = json!([adjustment(100, 0, "K")]);
    doc["charges"] = json!([]);
    doc["exemptions"] = json!({ "E": { "reason": "Exempt" }, "K": { "code": "VATEX-EU-IC" } });
    valid(&doc);
    let doc = without(&without(&doc, "/seller/vat_id"), "/seller/tax_number");
    let rules: Vec<String> = violations(&doc).iter().map(|v| v.to_string()).collect();
    assert_eq!(
        rules,
        [
            "/seller/vat_id: is required for tax category E, unless /seller/tax_number is given \
             (BT-31, BT-32; BR-E-2)",
            "/seller/vat_id: is required for tax category K (BT-31; BR-IC-3)",
        ]
    );
}

#[test]
fn not_subject_to_vat_has_no_vat_ids_and_no_other_category() {
    let mut doc = example();
    doc["lines"] = json!([line(10_000, 0, "O")]);
    doc["allowances"] = json!([]);
    doc["charges"] = json!([]);
    doc["exemptions"] = json!({ "O": { "reason": "Not subject to VAT" } });
    let found = violations(&doc);
    let rules: Vec<String> = found.iter().map(|v| v.to_string()).collect();
    assert_eq!(
        rules,
        [
            "/seller/vat_id: must be absent for tax category O, not subject to VAT (BR-O-2)",
            "/buyer/vat_id: must be absent for tax category O, not subject to VAT (BR-O-2)",
        ]
        .map(String::from)
        .to_vec()
    );
    let mut doc = without(&without(&doc, "/seller/vat_id"), "/buyer/vat_id");
    valid(&doc);
    doc["charges"] = json!([adjustment(990, 1900, "S")]);
    breaks(
        &doc,
        "/charges/0/tax_category",
        "must be O like the rest of the invoice, not S: an invoice with an item not subject to \
         VAT has no other category (BR-O-14)",
    );
}

#[test]
fn export_and_exemption_rules() {
    let mut doc = example();
    doc["lines"] = json!([line(10_000, 0, "G")]);
    doc["exemptions"] = json!({ "G": { "code": "VATEX-EU-G" } });
    valid(&doc);
    breaks(
        &without(&doc, "/seller/vat_id"),
        "/seller/vat_id",
        "is required for tax category G (BT-31; BR-G-2)",
    );
    breaks(
        &with(&doc, "/exemptions/G", json!({})),
        "/exemptions/G",
        "must give a reason, a code or both (BT-120, BT-121)",
    );
    breaks(
        &with(&doc, "/exemptions/G/code", json!("EU-G")),
        "/exemptions/G/code",
        "VATEX",
    );
    breaks(
        &with(&doc, "/exemptions/XX", json!({ "reason": "x" })),
        "/exemptions/XX",
        "is not a tax category",
    );
    // a standard-rated group never has an exemption reason
    breaks(
        &with(&example(), "/exemptions/S", json!({ "reason": "x" })),
        "/exemptions/S",
        "must be absent: tax category S is not exempt (BR-S-10)",
    );
}

#[test]
fn every_problem_of_the_new_fields_is_reported_at_once() {
    let mut doc = example();
    set(&mut doc, "/language", json!("tr"));
    set(&mut doc, "/seller/address/country_code", json!("XX"));
    set(&mut doc, "/payment/iban", json!("DE00370400440532013000"));
    set(&mut doc, "/lines/0/gtin", json!("4012345678902"));
    set(&mut doc, "/allowances/0/amount_minor", json!(0));
    let pointers: Vec<String> = violations(&doc).into_iter().map(|v| v.pointer).collect();
    assert_eq!(
        pointers,
        [
            "/language",
            "/seller/address/country_code",
            "/payment/iban",
            "/lines/0/gtin",
            "/allowances/0/amount_minor"
        ]
    );
}
