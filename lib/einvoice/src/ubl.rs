//! The Peppol BIS Billing 3.0 document of an invoice: an OASIS UBL 2.1 `Invoice`, or a
//! `CreditNote` for a credit note (BT-3 381).
//!
//! The same EN 16931 content as [`crate::cii`], in UBL's element names and order. The two
//! document types differ in a few places UBL fixes: the type code's element, the line's element
//! and quantity, and where the due date goes (a credit note has no `cbc:DueDate`; BT-9 is the
//! payment means' `cbc:PaymentDueDate`). Like the CII writer, [`write`] does not check the
//! invoice; [`crate::to_xml`] does.

use crate::cii::{GTIN_SCHEME, exemption_of, street_lines, unit_code};
use crate::xml::{Element, date_iso, decimal, percent, thousandths};
use paperflow_invoice::model::{
    AllowanceCharge, DocumentType, Invoice, Line, Party, Payment, TaxCategory, TaxGroup,
};

/// BT-24 of Peppol BIS Billing 3.0.
pub const PEPPOL_BIS_3: &str =
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0";
/// BT-23 of Peppol BIS Billing 3.0.
pub const PEPPOL_BILLING_PROCESS: &str = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";

const INVOICE_NS: &str = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2";
const CREDIT_NOTE_NS: &str = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2";
const CAC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
const CBC: &str = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";

/// The element names that differ between a UBL Invoice and a CreditNote.
struct Kind {
    root: &'static str,
    namespace: &'static str,
    type_code: &'static str,
    line: &'static str,
    quantity: &'static str,
    is_credit_note: bool,
}

const INVOICE: Kind = Kind {
    root: "Invoice",
    namespace: INVOICE_NS,
    type_code: "cbc:InvoiceTypeCode",
    line: "cac:InvoiceLine",
    quantity: "cbc:InvoicedQuantity",
    is_credit_note: false,
};

const CREDIT_NOTE: Kind = Kind {
    root: "CreditNote",
    namespace: CREDIT_NOTE_NS,
    type_code: "cbc:CreditNoteTypeCode",
    line: "cac:CreditNoteLine",
    quantity: "cbc:CreditedQuantity",
    is_credit_note: true,
};

/// The UBL XML of `invoice`, UTF-8. Deterministic: the same invoice gives the same bytes.
pub fn write(invoice: &Invoice) -> Vec<u8> {
    let kind = match invoice.document_type {
        DocumentType::CreditNote => &CREDIT_NOTE,
        _ => &INVOICE,
    };
    let currency = invoice.currency.code();
    Element::new(kind.root)
        .attr("xmlns", kind.namespace)
        .attr("xmlns:cac", CAC)
        .attr("xmlns:cbc", CBC)
        .leaf("cbc:CustomizationID", PEPPOL_BIS_3)
        .leaf("cbc:ProfileID", PEPPOL_BILLING_PROCESS)
        .leaf("cbc:ID", invoice.id.as_str())
        .leaf("cbc:IssueDate", date_iso(invoice.issue_date))
        .child_opt(
            (!kind.is_credit_note)
                .then(|| Element::text("cbc:DueDate", date_iso(invoice.due_date))),
        )
        .leaf(kind.type_code, invoice.document_type.code())
        .leaf_opt("cbc:Note", invoice.notes.as_deref())
        .leaf("cbc:DocumentCurrencyCode", currency)
        .leaf_opt("cbc:BuyerReference", invoice.buyer_reference.as_deref())
        .child_opt(
            invoice
                .order_reference
                .as_deref()
                .map(|order| Element::new("cac:OrderReference").leaf("cbc:ID", order)),
        )
        .child_opt(invoice.preceding_invoice.as_ref().map(|preceding| {
            Element::new("cac:BillingReference").child(
                Element::new("cac:InvoiceDocumentReference")
                    .leaf("cbc:ID", &preceding.id)
                    .child_opt(
                        preceding
                            .issue_date
                            .map(|d| Element::text("cbc:IssueDate", date_iso(d))),
                    ),
            )
        }))
        .child(Element::new("cac:AccountingSupplierParty").child(party(&invoice.seller, true)))
        .child(Element::new("cac:AccountingCustomerParty").child(party(&invoice.buyer, false)))
        .child_opt(delivery(invoice))
        .child_opt(
            invoice
                .payment
                .as_ref()
                .map(|p| payment_means(invoice, p, kind)),
        )
        .child_opt(payment_terms(invoice))
        .children(
            invoice
                .allowances
                .iter()
                .map(|a| allowance_charge(invoice, a, false)),
        )
        .children(
            invoice
                .charges
                .iter()
                .map(|c| allowance_charge(invoice, c, true)),
        )
        .child(tax_total(invoice))
        .child(monetary_total(invoice))
        .children(
            invoice
                .lines
                .iter()
                .map(|line| line_element(invoice, line, kind)),
        )
        .to_bytes()
}

/// BG-4 or BG-7 as a `cac:Party`.
fn party(party: &Party, is_seller: bool) -> Element {
    let endpoint = party.electronic_address.as_ref().map(|address| {
        Element::text("cbc:EndpointID", &address.value).attr("schemeID", &address.scheme)
    });
    let vat = party
        .vat_id
        .as_deref()
        .map(|id| party_tax_scheme(id, "VAT"));
    // BT-32: Peppol's scheme for a tax registration that is not a VAT number is anything but
    // "VAT"; "TAX" is the one its examples use. The buyer has no tax number in EN 16931.
    let tax_number = is_seller
        .then(|| {
            party
                .tax_number
                .as_deref()
                .map(|id| party_tax_scheme(id, "TAX"))
        })
        .flatten();
    let contact = party.contact.as_ref().map(|contact| {
        Element::new("cac:Contact")
            .leaf_opt("cbc:Name", contact.name.as_deref())
            .leaf_opt("cbc:Telephone", contact.phone.as_deref())
            .leaf_opt("cbc:ElectronicMail", contact.email.as_deref())
    });
    Element::new("cac:Party")
        .child_opt(endpoint)
        .child(postal_address(party))
        .child_opt(vat)
        .child_opt(tax_number)
        .child(
            Element::new("cac:PartyLegalEntity")
                .leaf("cbc:RegistrationName", &party.name)
                .leaf_opt("cbc:CompanyID", party.legal_id.as_deref()),
        )
        .child_opt(contact)
}

fn party_tax_scheme(id: &str, scheme: &'static str) -> Element {
    Element::new("cac:PartyTaxScheme")
        .leaf("cbc:CompanyID", id)
        .child(Element::new("cac:TaxScheme").leaf("cbc:ID", scheme))
}

/// BG-5 or BG-8.
fn postal_address(party: &Party) -> Element {
    let address = &party.address;
    let [one, two, three] = street_lines(&address.lines);
    Element::new("cac:PostalAddress")
        .leaf_opt("cbc:StreetName", one.as_deref())
        .leaf_opt("cbc:AdditionalStreetName", two.as_deref())
        .leaf_opt("cbc:CityName", address.city.as_deref())
        .leaf_opt("cbc:PostalZone", address.postal_code.as_deref())
        .leaf_opt("cbc:CountrySubentity", address.subdivision.as_deref())
        .child_opt(three.map(|line| Element::new("cac:AddressLine").leaf("cbc:Line", line)))
        .child_opt(
            address
                .country_code
                .as_deref()
                .map(|country| Element::new("cac:Country").leaf("cbc:IdentificationCode", country)),
        )
}

/// BT-72 and, for an intra-community supply, the buyer's country as the deliver-to country
/// (BR-IC-12; see [`crate::cii`]).
fn delivery(invoice: &Invoice) -> Option<Element> {
    let intra_community = crate::requirements::categories(invoice).contains(&TaxCategory::K);
    let country = intra_community
        .then_some(invoice.buyer.address.country_code.as_deref())
        .flatten();
    if invoice.delivery_date.is_none() && country.is_none() {
        return None;
    }
    Some(
        Element::new("cac:Delivery")
            .child_opt(
                invoice
                    .delivery_date
                    .map(|d| Element::text("cbc:ActualDeliveryDate", date_iso(d))),
            )
            .child_opt(country.map(|country| {
                Element::new("cac:DeliveryLocation").child(
                    Element::new("cac:Address")
                        .child(Element::new("cac:Country").leaf("cbc:IdentificationCode", country)),
                )
            })),
    )
}

/// BG-16; a credit note's due date (BT-9) lives here.
fn payment_means(invoice: &Invoice, payment: &Payment, kind: &Kind) -> Element {
    let account = payment.iban.as_deref().map(|iban| {
        Element::new("cac:PayeeFinancialAccount")
            .leaf("cbc:ID", iban)
            .leaf_opt("cbc:Name", payment.account_name.as_deref())
            .child_opt(
                payment
                    .bic
                    .as_deref()
                    .map(|bic| Element::new("cac:FinancialInstitutionBranch").leaf("cbc:ID", bic)),
            )
    });
    Element::new("cac:PaymentMeans")
        .leaf("cbc:PaymentMeansCode", &payment.means_code)
        .child_opt(
            kind.is_credit_note
                .then(|| Element::text("cbc:PaymentDueDate", date_iso(invoice.due_date))),
        )
        .leaf_opt("cbc:PaymentID", payment.remittance.as_deref())
        .child_opt(account)
}

/// BT-20.
fn payment_terms(invoice: &Invoice) -> Option<Element> {
    let terms = invoice.payment.as_ref()?.terms.as_deref()?;
    Some(Element::new("cac:PaymentTerms").leaf("cbc:Note", terms))
}

/// BG-20 or BG-21.
fn allowance_charge(invoice: &Invoice, item: &AllowanceCharge, is_charge: bool) -> Element {
    Element::new("cac:AllowanceCharge")
        .leaf(
            "cbc:ChargeIndicator",
            if is_charge { "true" } else { "false" },
        )
        .leaf_opt("cbc:AllowanceChargeReasonCode", item.reason_code.as_deref())
        .leaf_opt("cbc:AllowanceChargeReason", item.reason.as_deref())
        .child(amount(invoice, "cbc:Amount", item.amount_minor))
        .child(tax_category(
            "cac:TaxCategory",
            item.tax_category,
            item.tax_rate.basis_points(),
            None,
        ))
}

/// The VAT category of a line, an allowance, a charge or a breakdown: the rate except for O,
/// and the exemption where there is one.
fn tax_category(
    name: &'static str,
    category: TaxCategory,
    basis_points: u32,
    exemption: Option<&paperflow_invoice::model::Exemption>,
) -> Element {
    let rate = (category != TaxCategory::O).then(|| percent(basis_points));
    Element::new(name)
        .leaf("cbc:ID", category.code())
        .leaf_opt("cbc:Percent", rate.as_deref())
        .leaf_opt(
            "cbc:TaxExemptionReasonCode",
            exemption.and_then(|e| e.code.as_deref()),
        )
        .leaf_opt(
            "cbc:TaxExemptionReason",
            exemption.and_then(|e| e.reason.as_deref()),
        )
        .child(Element::new("cac:TaxScheme").leaf("cbc:ID", "VAT"))
}

/// BT-110 and BG-23.
fn tax_total(invoice: &Invoice) -> Element {
    Element::new("cac:TaxTotal")
        .child(amount(invoice, "cbc:TaxAmount", invoice.totals.tax_minor))
        .children(
            invoice
                .totals
                .tax_groups
                .iter()
                .map(|group| tax_subtotal(invoice, group)),
        )
}

fn tax_subtotal(invoice: &Invoice, group: &TaxGroup) -> Element {
    Element::new("cac:TaxSubtotal")
        .child(amount(invoice, "cbc:TaxableAmount", group.net_minor))
        .child(amount(invoice, "cbc:TaxAmount", group.tax_minor))
        .child(tax_category(
            "cac:TaxCategory",
            group.category,
            group.rate.basis_points(),
            exemption_of(invoice, group.category),
        ))
}

/// BG-22: BT-106 … BT-115.
fn monetary_total(invoice: &Invoice) -> Element {
    let totals = &invoice.totals;
    Element::new("cac:LegalMonetaryTotal")
        .child(amount(invoice, "cbc:LineExtensionAmount", totals.net_minor))
        .child(amount(
            invoice,
            "cbc:TaxExclusiveAmount",
            totals.tax_exclusive_minor,
        ))
        .child(amount(
            invoice,
            "cbc:TaxInclusiveAmount",
            totals.gross_minor,
        ))
        .child(amount(
            invoice,
            "cbc:AllowanceTotalAmount",
            totals.allowances_minor,
        ))
        .child(amount(
            invoice,
            "cbc:ChargeTotalAmount",
            totals.charges_minor,
        ))
        .child(amount(invoice, "cbc:PrepaidAmount", totals.prepaid_minor))
        .child(amount(invoice, "cbc:PayableAmount", totals.due_minor))
}

/// BG-25.
fn line_element(invoice: &Invoice, line: &Line, kind: &Kind) -> Element {
    let item = Element::new("cac:Item")
        .leaf("cbc:Name", &line.description)
        .child_opt(
            line.seller_item_id
                .as_deref()
                .map(|id| Element::new("cac:SellersItemIdentification").leaf("cbc:ID", id)),
        )
        .child_opt(line.gtin.as_deref().map(|gtin| {
            Element::new("cac:StandardItemIdentification")
                .child(Element::text("cbc:ID", gtin).attr("schemeID", GTIN_SCHEME))
        }))
        .child(tax_category(
            "cac:ClassifiedTaxCategory",
            line.tax_category,
            line.tax_rate.basis_points(),
            None,
        ));
    Element::new(kind.line)
        .leaf("cbc:ID", &line.id)
        .child(
            Element::text(kind.quantity, thousandths(line.quantity.milli()))
                .attr("unitCode", unit_code(line)),
        )
        .child(amount(invoice, "cbc:LineExtensionAmount", line.net_minor))
        .child(item)
        .child(Element::new("cac:Price").child(amount(
            invoice,
            "cbc:PriceAmount",
            line.unit_price_minor,
        )))
}

/// An amount element with its currency, as UBL requires on every amount.
fn amount(invoice: &Invoice, name: &'static str, minor: i64) -> Element {
    Element::text(name, decimal(minor, invoice.currency.exponent()))
        .attr("currencyID", invoice.currency.code())
}
