//! What each format refuses, and how it says so: every problem names the document's JSON
//! pointer, the rule and its business term, and `to_xml` writes no XML for such an invoice.

use paperflow_einvoice::{EInvoiceFormat, Violation, check, to_xml};
use paperflow_invoice::model::Invoice;
use serde_json::{Value, json};
use std::path::Path;

const FORMATS: [EInvoiceFormat; 3] = [
    EInvoiceFormat::FacturX,
    EInvoiceFormat::XRechnung,
    EInvoiceFormat::Peppol,
];

/// The sample that qualifies for `format`, as a JSON document to edit.
fn document_for(format: EInvoiceFormat) -> Value {
    let name = match format {
        EInvoiceFormat::XRechnung => "einvoice-xrechnung.json",
        EInvoiceFormat::Peppol => "einvoice-peppol.json",
        _ => "einvoice-de-reverse-charge.json",
    };
    document(name)
}

fn document(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../samples")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("the sample is JSON")
}

fn invoice(document: &Value) -> Invoice {
    let bytes = serde_json::to_vec(document).expect("JSON");
    paperflow_invoice::parse_invoice(&bytes).unwrap_or_else(|violations| {
        let list: Vec<String> = violations.iter().map(ToString::to_string).collect();
        panic!("not a valid invoice:\n{}", list.join("\n"))
    })
}

/// The violations `check` finds in a document; panics when there are none.
fn refused(document: &Value, format: EInvoiceFormat) -> Vec<Violation> {
    refused_invoice(&invoice(document), format)
}

/// The violations `check` finds in an invoice value; panics when there are none.
///
/// The model's own validation already refuses a document that breaks EN 16931's VAT category
/// rules (a reverse-charge line without the buyer's VAT id, an exempt line without a reason…),
/// so those rows of the table are tested on an `Invoice` changed in code, which nothing stops
/// a caller from building.
fn refused_invoice(invoice: &Invoice, format: EInvoiceFormat) -> Vec<Violation> {
    let violations = check(invoice, format).expect_err("the format must refuse the invoice");
    assert_eq!(
        to_xml(invoice, format).expect_err("no XML for a refused invoice"),
        violations,
        "to_xml reports what check reports"
    );
    violations
}

/// Asserts that `violations` hold one at `pointer` whose rule names `term`.
fn assert_names(violations: &[Violation], pointer: &str, term: &str) {
    assert!(
        violations
            .iter()
            .any(|v| v.pointer == pointer && v.rule.contains(term)),
        "expected {pointer} with {term}, got {violations:#?}"
    );
}

#[test]
fn every_sample_qualifies_for_its_own_format() {
    for format in FORMATS {
        let invoice = invoice(&document_for(format));
        assert_eq!(check(&invoice, format), Ok(()), "{format:?}");
    }
}

#[test]
fn a_missing_buyer_country_is_refused_by_every_format_with_bt_55() {
    for format in FORMATS {
        let mut doc = document_for(format);
        doc["buyer"]["address"]
            .as_object_mut()
            .expect("a structured address")
            .remove("country_code");
        let violations = refused(&doc, format);
        assert_names(&violations, "/buyer/address/country_code", "BT-55");
    }
}

#[test]
fn a_missing_seller_country_reads_as_the_design_says() {
    let mut doc = document_for(EInvoiceFormat::FacturX);
    doc["seller"]["address"]
        .as_object_mut()
        .expect("a structured address")
        .remove("country_code");
    let violations = refused(&doc, EInvoiceFormat::FacturX);
    let texts: Vec<String> = violations.iter().map(ToString::to_string).collect();
    assert!(
        texts.contains(
            &"/seller/address/country_code: required for an e-invoice (BT-40)".to_string()
        ),
        "{texts:#?}"
    );
}

#[test]
fn a_v1_address_without_country_cannot_become_an_e_invoice() {
    let mut doc = document_for(EInvoiceFormat::FacturX);
    doc["seller"]["address"] = json!(["Hafenstrasse 12", "20457 Hamburg", "Germany"]);
    let violations = refused(&doc, EInvoiceFormat::FacturX);
    assert_names(&violations, "/seller/address/country_code", "BT-40");
}

#[test]
fn a_reverse_charge_line_without_the_buyers_vat_id_is_refused_with_bt_48() {
    let mut doc = document("einvoice-de-reverse-charge.json");
    let mut invoice = invoice(&doc);
    invoice.buyer.vat_id = None;
    for format in FORMATS {
        let violations = refused_invoice(&invoice, format);
        assert_names(&violations, "/buyer/vat_id", "BT-48, BR-AE-02");
    }
    // A document like it does not even parse: the model refuses it for every use.
    doc["buyer"]
        .as_object_mut()
        .expect("buyer")
        .remove("vat_id");
    let bytes = serde_json::to_vec(&doc).expect("JSON");
    let errors = paperflow_invoice::parse_invoice(&bytes).expect_err("refused");
    assert!(
        errors
            .iter()
            .any(|v| v.pointer == "/buyer/vat_id" && v.rule.contains("BT-48"))
    );
}

#[test]
fn a_kwd_invoice_is_refused_by_every_format_because_of_its_three_decimals() {
    for format in FORMATS {
        let mut doc = document_for(format);
        doc["currency"] = json!("KWD");
        let violations = refused(&doc, format);
        assert_names(&violations, "/currency", "BR-DEC");
        assert!(
            violations[0].rule.contains("more than 2 decimals"),
            "{violations:#?}"
        );
    }
}

#[test]
fn an_xrechnung_without_leitweg_id_is_refused_with_bt_10() {
    let mut doc = document_for(EInvoiceFormat::XRechnung);
    doc.as_object_mut()
        .expect("object")
        .remove("buyer_reference");
    let violations = refused(&doc, EInvoiceFormat::XRechnung);
    assert_names(&violations, "/buyer_reference", "BT-10, BR-DE-15");
    // Factur-X does not need it.
    assert_eq!(check(&invoice(&doc), EInvoiceFormat::FacturX), Ok(()));
}

#[test]
fn xrechnung_needs_the_sellers_contact_and_full_addresses() {
    let mut doc = document_for(EInvoiceFormat::XRechnung);
    doc["seller"]
        .as_object_mut()
        .expect("seller")
        .remove("contact");
    doc["buyer"]["address"]
        .as_object_mut()
        .expect("address")
        .remove("postal_code");
    doc.as_object_mut().expect("object").remove("payment");
    let violations = refused(&doc, EInvoiceFormat::XRechnung);
    assert_names(&violations, "/seller/contact", "BG-6, BR-DE-2");
    assert_names(&violations, "/buyer/address/postal_code", "BT-53, BR-DE-9");
    assert_names(&violations, "/payment", "BG-16, BR-DE-1");

    let mut doc = document_for(EInvoiceFormat::XRechnung);
    doc["seller"]["contact"]
        .as_object_mut()
        .expect("contact")
        .remove("phone");
    let violations = refused(&doc, EInvoiceFormat::XRechnung);
    assert_names(&violations, "/seller/contact/phone", "BT-42, BR-DE-6");
}

#[test]
fn peppol_needs_both_electronic_addresses_and_a_reference() {
    let mut doc = document_for(EInvoiceFormat::Peppol);
    doc["seller"]
        .as_object_mut()
        .expect("seller")
        .remove("electronic_address");
    doc["buyer"]
        .as_object_mut()
        .expect("buyer")
        .remove("electronic_address");
    doc.as_object_mut()
        .expect("object")
        .remove("order_reference");
    let violations = refused(&doc, EInvoiceFormat::Peppol);
    assert_names(&violations, "/seller/electronic_address", "BT-34");
    assert_names(&violations, "/buyer/electronic_address", "BT-49");
    assert_names(&violations, "/buyer_reference", "PEPPOL-EN16931-R003");
    // EN 16931 itself (Factur-X) requires none of them.
    assert_eq!(check(&invoice(&doc), EInvoiceFormat::FacturX), Ok(()));
}

#[test]
fn an_exempt_line_needs_its_exemption_reason() {
    let mut invoice = invoice(&document_for(EInvoiceFormat::Peppol));
    invoice.exemptions.clear();
    let violations = refused_invoice(&invoice, EInvoiceFormat::Peppol);
    assert_names(&violations, "/exemptions/E", "BT-120/BT-121");
}

#[test]
fn an_intra_community_supply_needs_the_buyers_vat_id_and_the_delivery_date() {
    let mut doc = document("einvoice-de-reverse-charge.json");
    for line in doc["lines"].as_array_mut().expect("lines") {
        line["tax_category"] = json!("K");
    }
    doc["exemptions"] =
        json!({ "K": { "reason": "Intra-community supply", "code": "VATEX-EU-IC" } });
    let mut invoice = invoice(&doc);
    assert_eq!(check(&invoice, EInvoiceFormat::FacturX), Ok(()));

    invoice.buyer.vat_id = None;
    invoice.delivery_date = None;
    let violations = refused_invoice(&invoice, EInvoiceFormat::FacturX);
    assert_names(&violations, "/buyer/vat_id", "BT-48, BR-IC-02");
    assert_names(&violations, "/delivery_date", "BT-72, BR-IC-11");
}

#[test]
fn a_credit_transfer_needs_an_iban() {
    let mut invoice = invoice(&document_for(EInvoiceFormat::FacturX));
    invoice.payment.as_mut().expect("payment").iban = None;
    let violations = refused_invoice(&invoice, EInvoiceFormat::FacturX);
    assert_names(&violations, "/payment/iban", "BT-84, BR-61");
}

#[test]
fn a_standard_rated_line_at_zero_percent_is_refused() {
    let mut invoice = invoice(&document("einvoice-fr-discount.json"));
    invoice.lines[1].tax_rate = paperflow_invoice::TaxRate::from_basis_points(0);
    let violations = refused_invoice(&invoice, EInvoiceFormat::FacturX);
    assert_names(&violations, "/lines/1/tax_rate_bp", "BR-S-05");
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut doc = document_for(EInvoiceFormat::XRechnung);
    doc["currency"] = json!("KWD");
    doc.as_object_mut()
        .expect("object")
        .remove("buyer_reference");
    doc["buyer"]["address"]
        .as_object_mut()
        .expect("address")
        .remove("country_code");
    let violations = refused(&doc, EInvoiceFormat::XRechnung);
    assert_eq!(violations.len(), 3, "{violations:#?}");
}

#[test]
fn no_format_asks_nothing() {
    let mut doc = document_for(EInvoiceFormat::FacturX);
    doc["currency"] = json!("KWD");
    let invoice = invoice(&doc);
    assert_eq!(check(&invoice, EInvoiceFormat::None), Ok(()));
    let violations = to_xml(&invoice, EInvoiceFormat::None).expect_err("no XML for none");
    assert_eq!(violations[0].pointer, "/einvoice");
}

#[test]
fn a_peppol_credit_note_needs_payment_means_for_its_due_date() {
    let mut doc = document("einvoice-credit-note.json");
    doc.as_object_mut().expect("object").remove("payment");
    let violations = refused(&doc, EInvoiceFormat::Peppol);
    assert_names(&violations, "/payment", "BT-9, BR-CO-25");
    // CII has a due date of its own.
    assert_eq!(check(&invoice(&doc), EInvoiceFormat::FacturX), Ok(()));
}

#[test]
fn peppol_checks_a_belgian_enterprise_number() {
    let mut doc = document_for(EInvoiceFormat::Peppol);
    doc["buyer"]["electronic_address"]["value"] = json!("0987654321");
    let violations = refused(&doc, EInvoiceFormat::Peppol);
    assert_names(
        &violations,
        "/buyer/electronic_address/value",
        "PEPPOL-COMMON-R043",
    );
}

#[test]
fn a_taxed_e_invoice_needs_the_sellers_vat_id_or_tax_number() {
    // A v1 document may leave the seller's identifiers out; an e-invoice may not.
    let mut doc = document("einvoice-fr-discount.json");
    let seller = doc["seller"].as_object_mut().expect("seller");
    seller.remove("vat_id");
    seller.remove("legal_id");
    let violations = refused(&doc, EInvoiceFormat::FacturX);
    assert_names(&violations, "/seller/vat_id", "BR-CO-26");
    assert_names(&violations, "/seller/vat_id", "BR-S-02");

    // A tax number (BT-32) and a legal registration (BT-30) are enough.
    doc["seller"]["tax_number"] = json!("12 345 678 901");
    doc["seller"]["legal_id"] = json!("303265045");
    assert_eq!(check(&invoice(&doc), EInvoiceFormat::FacturX), Ok(()));
}
