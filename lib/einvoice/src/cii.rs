//! The UN/CEFACT Cross Industry Invoice (CII D16B) of an invoice: Factur-X's EN 16931 profile
//! (`factur-x.xml` inside the PDF) and XRechnung 3.0 (a file of its own).
//!
//! The two differ only in their specification identifier (BT-24) and in XRechnung's business
//! process (BT-23); the content is EN 16931's, element by element in the order of the CII
//! schema. [`write`] does not check the invoice: [`crate::to_xml`] runs
//! [`crate::requirements::check`] first, so an invoice that cannot be the format never becomes
//! an XML that claims it.

use crate::xml::{Element, date_102, decimal, percent, thousandths};
use paperflow_invoice::model::{
    AllowanceCharge, Invoice, Line, Party, Payment, TaxCategory, TaxGroup,
};

/// BT-24 of Factur-X 1.0's EN 16931 profile (the "comfort" level of ZUGFeRD 2.x).
pub const FACTUR_X_EN16931: &str = "urn:cen.eu:en16931:2017";
/// BT-24 of XRechnung 3.0.
pub const XRECHNUNG_3_0: &str =
    "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0";
/// BT-23 of XRechnung 3.0 (PEPPOL-EN16931-R001, which XRechnung adopted): billing.
pub const BILLING_PROCESS: &str = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0";

/// Which CII document to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CiiProfile {
    /// Factur-X / ZUGFeRD, EN 16931 profile.
    FacturX,
    /// XRechnung 3.0, CII syntax.
    XRechnung,
}

const RSM: &str = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100";
const RAM: &str =
    "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100";
const QDT: &str = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100";
const UDT: &str = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100";

/// The CII XML of `invoice`, UTF-8. Deterministic: the same invoice gives the same bytes.
pub fn write(invoice: &Invoice, profile: CiiProfile) -> Vec<u8> {
    Element::new("rsm:CrossIndustryInvoice")
        .attr("xmlns:rsm", RSM)
        .attr("xmlns:ram", RAM)
        .attr("xmlns:qdt", QDT)
        .attr("xmlns:udt", UDT)
        .child(context(profile))
        .child(document(invoice))
        .child(
            Element::new("rsm:SupplyChainTradeTransaction")
                .children(invoice.lines.iter().map(|line| line_item(invoice, line)))
                .child(agreement(invoice))
                .child(delivery(invoice))
                .child(settlement(invoice)),
        )
        .to_bytes()
}

fn context(profile: CiiProfile) -> Element {
    let (process, guideline) = match profile {
        CiiProfile::FacturX => (None, FACTUR_X_EN16931),
        CiiProfile::XRechnung => (Some(BILLING_PROCESS), XRECHNUNG_3_0),
    };
    Element::new("rsm:ExchangedDocumentContext")
        .child_opt(process.map(|id| {
            Element::new("ram:BusinessProcessSpecifiedDocumentContextParameter").leaf("ram:ID", id)
        }))
        .child(
            Element::new("ram:GuidelineSpecifiedDocumentContextParameter")
                .leaf("ram:ID", guideline),
        )
}

fn document(invoice: &Invoice) -> Element {
    Element::new("rsm:ExchangedDocument")
        .leaf("ram:ID", invoice.id.as_str())
        .leaf("ram:TypeCode", invoice.document_type.code())
        .child(date_time("ram:IssueDateTime", invoice.issue_date))
        .child_opt(
            invoice
                .notes
                .as_deref()
                .map(|notes| Element::new("ram:IncludedNote").leaf("ram:Content", notes)),
        )
}

/// BG-25: one line.
fn line_item(invoice: &Invoice, line: &Line) -> Element {
    let exponent = invoice.currency.exponent();
    let product = Element::new("ram:SpecifiedTradeProduct")
        .child_opt(
            line.gtin
                .as_deref()
                .map(|gtin| Element::text("ram:GlobalID", gtin).attr("schemeID", GTIN_SCHEME)),
        )
        .leaf_opt("ram:SellerAssignedID", line.seller_item_id.as_deref())
        .leaf("ram:Name", &line.description);
    let price = Element::new("ram:NetPriceProductTradePrice")
        .leaf("ram:ChargeAmount", decimal(line.unit_price_minor, exponent));
    Element::new("ram:IncludedSupplyChainTradeLineItem")
        .child(Element::new("ram:AssociatedDocumentLineDocument").leaf("ram:LineID", &line.id))
        .child(product)
        .child(Element::new("ram:SpecifiedLineTradeAgreement").child(price))
        .child(
            Element::new("ram:SpecifiedLineTradeDelivery").child(
                Element::text("ram:BilledQuantity", thousandths(line.quantity.milli()))
                    .attr("unitCode", unit_code(line)),
            ),
        )
        .child(
            Element::new("ram:SpecifiedLineTradeSettlement")
                .child(item_tax(
                    "ram:ApplicableTradeTax",
                    line.tax_category,
                    line.tax_rate.basis_points(),
                ))
                .child(
                    Element::new("ram:SpecifiedTradeSettlementLineMonetarySummation")
                        .leaf("ram:LineTotalAmount", decimal(line.net_minor, exponent)),
                ),
        )
}

/// The VAT of a line, an allowance or a charge: type, category and, except for O, the rate.
fn item_tax(name: &'static str, category: TaxCategory, basis_points: u32) -> Element {
    let rate = (category != TaxCategory::O).then(|| percent(basis_points));
    Element::new(name)
        .leaf("ram:TypeCode", "VAT")
        .leaf("ram:CategoryCode", category.code())
        .leaf_opt("ram:RateApplicablePercent", rate.as_deref())
}

fn agreement(invoice: &Invoice) -> Element {
    Element::new("ram:ApplicableHeaderTradeAgreement")
        .leaf_opt("ram:BuyerReference", invoice.buyer_reference.as_deref())
        .child(party("ram:SellerTradeParty", &invoice.seller, true))
        .child(party("ram:BuyerTradeParty", &invoice.buyer, false))
        .child_opt(invoice.order_reference.as_deref().map(|order| {
            Element::new("ram:BuyerOrderReferencedDocument").leaf("ram:IssuerAssignedID", order)
        }))
}

/// BG-4 or BG-7.
fn party(name: &'static str, party: &Party, is_seller: bool) -> Element {
    let legal = party
        .legal_id
        .as_deref()
        .map(|id| Element::new("ram:SpecifiedLegalOrganization").leaf("ram:ID", id));
    let contact = party.contact.as_ref().map(|contact| {
        Element::new("ram:DefinedTradeContact")
            .leaf_opt("ram:PersonName", contact.name.as_deref())
            .child_opt(contact.phone.as_deref().map(|phone| {
                Element::new("ram:TelephoneUniversalCommunication")
                    .leaf("ram:CompleteNumber", phone)
            }))
            .child_opt(contact.email.as_deref().map(|email| {
                Element::new("ram:EmailURIUniversalCommunication").leaf("ram:URIID", email)
            }))
    });
    let electronic = party.electronic_address.as_ref().map(|address| {
        Element::new("ram:URIUniversalCommunication")
            .child(Element::text("ram:URIID", &address.value).attr("schemeID", &address.scheme))
    });
    let vat = party.vat_id.as_deref().map(|id| tax_registration(id, "VA"));
    // BT-32 exists for the seller only; the buyer's tax number has no place in EN 16931.
    let tax_number = if is_seller {
        party
            .tax_number
            .as_deref()
            .map(|id| tax_registration(id, "FC"))
    } else {
        None
    };
    Element::new(name)
        .leaf("ram:Name", &party.name)
        .child_opt(legal)
        .child_opt(contact)
        .child(postal_address(party))
        .child_opt(electronic)
        .child_opt(vat)
        .child_opt(tax_number)
}

fn tax_registration(id: &str, scheme: &'static str) -> Element {
    Element::new("ram:SpecifiedTaxRegistration")
        .child(Element::text("ram:ID", id).attr("schemeID", scheme))
}

/// BG-5 or BG-8: up to three street lines (BT-35, BT-36, BT-162); more are joined into the
/// third, so nothing printed is lost.
fn postal_address(party: &Party) -> Element {
    let address = &party.address;
    let [one, two, three] = street_lines(&address.lines);
    Element::new("ram:PostalTradeAddress")
        .leaf_opt("ram:PostcodeCode", address.postal_code.as_deref())
        .leaf_opt("ram:LineOne", one.as_deref())
        .leaf_opt("ram:LineTwo", two.as_deref())
        .leaf_opt("ram:LineThree", three.as_deref())
        .leaf_opt("ram:CityName", address.city.as_deref())
        .leaf_opt("ram:CountryID", address.country_code.as_deref())
        .leaf_opt("ram:CountrySubDivisionName", address.subdivision.as_deref())
}

/// The street lines as EN 16931's three address lines.
pub(crate) fn street_lines(lines: &[String]) -> [Option<String>; 3] {
    match lines {
        [] => [None, None, None],
        [one] => [Some(one.clone()), None, None],
        [one, two] => [Some(one.clone()), Some(two.clone()), None],
        [one, two, rest @ ..] => [Some(one.clone()), Some(two.clone()), Some(rest.join(", "))],
    }
}

fn delivery(invoice: &Invoice) -> Element {
    Element::new("ram:ApplicableHeaderTradeDelivery")
        .child_opt(ship_to(invoice))
        .child_opt(invoice.delivery_date.map(|date| {
            Element::new("ram:ActualDeliverySupplyChainEvent")
                .child(date_time("ram:OccurrenceDateTime", date))
        }))
}

/// BG-15 for an intra-community supply: BR-IC-12 asks for the country the goods went to, and
/// paperflow's model has no delivery address of its own, so it is the buyer's country.
fn ship_to(invoice: &Invoice) -> Option<Element> {
    if !crate::requirements::categories(invoice).contains(&TaxCategory::K) {
        return None;
    }
    let country = invoice.buyer.address.country_code.as_deref()?;
    Some(
        Element::new("ram:ShipToTradeParty")
            .child(Element::new("ram:PostalTradeAddress").leaf("ram:CountryID", country)),
    )
}

fn settlement(invoice: &Invoice) -> Element {
    let payment = invoice.payment.as_ref();
    Element::new("ram:ApplicableHeaderTradeSettlement")
        .leaf_opt(
            "ram:PaymentReference",
            payment.and_then(|p| p.remittance.as_deref()),
        )
        .leaf("ram:InvoiceCurrencyCode", invoice.currency.code())
        .child_opt(payment.map(payment_means))
        .children(
            invoice
                .totals
                .tax_groups
                .iter()
                .map(|group| tax_breakdown(invoice, group)),
        )
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
        .child(payment_terms(invoice))
        .child(summation(invoice))
        .child_opt(invoice.preceding_invoice.as_ref().map(|preceding| {
            Element::new("ram:InvoiceReferencedDocument")
                .leaf("ram:IssuerAssignedID", &preceding.id)
                .child_opt(preceding.issue_date.map(|date| {
                    Element::new("ram:FormattedIssueDateTime").child(
                        Element::text("qdt:DateTimeString", date_102(date)).attr("format", "102"),
                    )
                }))
        }))
}

/// BG-16: the means (BT-81) and, for a transfer, the account (BG-17).
fn payment_means(payment: &Payment) -> Element {
    let account = (payment.iban.is_some() || payment.account_name.is_some()).then(|| {
        Element::new("ram:PayeePartyCreditorFinancialAccount")
            .leaf_opt("ram:IBANID", payment.iban.as_deref())
            .leaf_opt("ram:AccountName", payment.account_name.as_deref())
    });
    let institution = payment.bic.as_deref().map(|bic| {
        Element::new("ram:PayeeSpecifiedCreditorFinancialInstitution").leaf("ram:BICID", bic)
    });
    Element::new("ram:SpecifiedTradeSettlementPaymentMeans")
        .leaf("ram:TypeCode", &payment.means_code)
        .child_opt(account)
        .child_opt(institution)
}

/// BG-23: one VAT category and rate, with the exemption reason where EN 16931 asks for one.
fn tax_breakdown(invoice: &Invoice, group: &TaxGroup) -> Element {
    let exponent = invoice.currency.exponent();
    let exemption = exemption_of(invoice, group.category);
    Element::new("ram:ApplicableTradeTax")
        .leaf("ram:CalculatedAmount", decimal(group.tax_minor, exponent))
        .leaf("ram:TypeCode", "VAT")
        .leaf_opt(
            "ram:ExemptionReason",
            exemption.and_then(|e| e.reason.as_deref()),
        )
        .leaf("ram:BasisAmount", decimal(group.net_minor, exponent))
        .leaf("ram:CategoryCode", group.category.code())
        .leaf_opt(
            "ram:ExemptionReasonCode",
            exemption.and_then(|e| e.code.as_deref()),
        )
        // Also for O, whose lines carry no rate: XRechnung requires BT-119 (BR-DE-14).
        .leaf(
            "ram:RateApplicablePercent",
            percent(group.rate.basis_points()),
        )
}

/// The exemption of a category that may carry one (BR-S-10, BR-Z-10, BR-AF-10 and BR-AG-10
/// forbid it for S, Z, L and M).
pub(crate) fn exemption_of(
    invoice: &Invoice,
    category: TaxCategory,
) -> Option<&paperflow_invoice::model::Exemption> {
    let exempt = matches!(
        category,
        TaxCategory::E | TaxCategory::AE | TaxCategory::K | TaxCategory::G | TaxCategory::O
    );
    exempt.then(|| invoice.exemptions.get(&category)).flatten()
}

/// BG-20 or BG-21.
fn allowance_charge(invoice: &Invoice, item: &AllowanceCharge, is_charge: bool) -> Element {
    Element::new("ram:SpecifiedTradeAllowanceCharge")
        .child(
            Element::new("ram:ChargeIndicator")
                .leaf("udt:Indicator", if is_charge { "true" } else { "false" }),
        )
        .leaf(
            "ram:ActualAmount",
            decimal(item.amount_minor, invoice.currency.exponent()),
        )
        .leaf_opt("ram:ReasonCode", item.reason_code.as_deref())
        .leaf_opt("ram:Reason", item.reason.as_deref())
        .child(item_tax(
            "ram:CategoryTradeTax",
            item.tax_category,
            item.tax_rate.basis_points(),
        ))
}

/// BT-20 and BT-9.
fn payment_terms(invoice: &Invoice) -> Element {
    Element::new("ram:SpecifiedTradePaymentTerms")
        .leaf_opt(
            "ram:Description",
            invoice.payment.as_ref().and_then(|p| p.terms.as_deref()),
        )
        .child(date_time("ram:DueDateDateTime", invoice.due_date))
}

/// BG-22: BT-106 … BT-115.
fn summation(invoice: &Invoice) -> Element {
    let totals = &invoice.totals;
    let amount = |minor: i64| decimal(minor, invoice.currency.exponent());
    Element::new("ram:SpecifiedTradeSettlementHeaderMonetarySummation")
        .leaf("ram:LineTotalAmount", amount(totals.net_minor))
        .leaf("ram:ChargeTotalAmount", amount(totals.charges_minor))
        .leaf("ram:AllowanceTotalAmount", amount(totals.allowances_minor))
        .leaf(
            "ram:TaxBasisTotalAmount",
            amount(totals.tax_exclusive_minor),
        )
        .child(
            Element::text("ram:TaxTotalAmount", amount(totals.tax_minor))
                .attr("currencyID", invoice.currency.code()),
        )
        .leaf("ram:GrandTotalAmount", amount(totals.gross_minor))
        .leaf("ram:TotalPrepaidAmount", amount(totals.prepaid_minor))
        .leaf("ram:DuePayableAmount", amount(totals.due_minor))
}

fn date_time(name: &'static str, date: time::Date) -> Element {
    Element::new(name)
        .child(Element::text("udt:DateTimeString", date_102(date)).attr("format", "102"))
}

/// ISO 6523 ICD 0160: GS1's GTIN (BT-157's scheme).
pub(crate) const GTIN_SCHEME: &str = "0160";

/// BT-130: the line's UN/ECE Rec 20 code, `C62` ("one") when the document has none.
pub(crate) fn unit_code(line: &Line) -> &str {
    line.unit_code.as_deref().unwrap_or("C62")
}
