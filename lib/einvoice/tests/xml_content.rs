//! What the XML says, where the official validators would not notice a mistake: the
//! specification identifiers, the document kind, the escaping and the amounts' digits.

use paperflow_einvoice::{EInvoiceFormat, to_xml};
use std::path::Path;

fn xml(sample: &str, format: EInvoiceFormat) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../samples")
        .join(sample);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let invoice = paperflow_invoice::parse_invoice(&bytes).expect("a valid sample");
    let xml = to_xml(&invoice, format).unwrap_or_else(|v| panic!("{sample}: {v:#?}"));
    String::from_utf8(xml).expect("UTF-8")
}

#[test]
fn factur_x_and_xrechnung_name_their_specification() {
    let factur_x = xml("einvoice-xrechnung.json", EInvoiceFormat::FacturX);
    assert!(
        factur_x.contains("<ram:ID>urn:cen.eu:en16931:2017</ram:ID>"),
        "{factur_x}"
    );
    assert!(!factur_x.contains("BusinessProcessSpecifiedDocumentContextParameter"));

    let xrechnung = xml("einvoice-xrechnung.json", EInvoiceFormat::XRechnung);
    assert!(xrechnung.contains(
        "<ram:ID>urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0</ram:ID>"
    ));
    assert!(xrechnung.contains("<ram:ID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</ram:ID>"));
    assert!(xrechnung.contains("<ram:BuyerReference>04011000-1234512345-06</ram:BuyerReference>"));
}

#[test]
fn a_credit_note_is_a_ubl_credit_note() {
    let credit_note = xml("einvoice-credit-note.json", EInvoiceFormat::Peppol);
    assert!(credit_note.contains(
        "<CreditNote xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2\""
    ));
    assert!(credit_note.contains("<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>"));
    assert!(
        credit_note.contains("<cbc:CreditedQuantity unitCode=\"C62\">4</cbc:CreditedQuantity>")
    );
    assert!(credit_note.contains("<cbc:PaymentDueDate>2026-12-16</cbc:PaymentDueDate>"));
    assert!(!credit_note.contains("<cbc:DueDate>"));
    assert!(credit_note.contains("<cbc:ID>INV-2026-000123</cbc:ID>"));

    let cii = xml("einvoice-credit-note.json", EInvoiceFormat::FacturX);
    assert!(cii.contains("<ram:TypeCode>381</ram:TypeCode>"));
    assert!(cii.contains("<ram:IssuerAssignedID>INV-2026-000123</ram:IssuerAssignedID>"));
}

#[test]
fn text_is_escaped_and_amounts_have_two_decimals() {
    let cii = xml("einvoice-fr-discount.json", EInvoiceFormat::FacturX);
    assert!(
        cii.contains("<ram:Name>Boulangerie Dupont &amp; Fils SAS</ram:Name>"),
        "{cii}"
    );
    // 4 × 189.90 + 3.5 × 55.00 − 2 × 15.00 + 2 × 32.90 = 987.90; the discount is 50.00.
    assert!(
        cii.contains("<ram:LineTotalAmount>987.90</ram:LineTotalAmount>"),
        "{cii}"
    );
    assert!(cii.contains("<ram:AllowanceTotalAmount>50.00</ram:AllowanceTotalAmount>"));
    assert!(cii.contains("<ram:BilledQuantity unitCode=\"H87\">-2</ram:BilledQuantity>"));
    assert!(cii.contains("<ram:RateApplicablePercent>5.5</ram:RateApplicablePercent>"));
    assert!(cii.contains("<ram:TotalPrepaidAmount>200.00</ram:TotalPrepaidAmount>"));
}

#[test]
fn exemptions_travel_with_their_category() {
    let ubl = xml("einvoice-peppol.json", EInvoiceFormat::Peppol);
    assert!(
        ubl.contains("<cbc:TaxExemptionReasonCode>VATEX-EU-132-1I</cbc:TaxExemptionReasonCode>")
    );
    assert!(ubl.contains("<cbc:EndpointID schemeID=\"0208\">0123456749</cbc:EndpointID>"));
    let cii = xml("einvoice-de-reverse-charge.json", EInvoiceFormat::FacturX);
    assert!(cii.contains("<ram:ExemptionReasonCode>VATEX-EU-AE</ram:ExemptionReasonCode>"));
}
