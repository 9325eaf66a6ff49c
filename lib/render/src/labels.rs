//! Every word the PDF prints that is not the invoice's own data: titles, column heads, the names
//! of totals, VAT categories and payment means.
//!
//! They live here, in one [`Labels`] value handed to the layout, so that a translated catalogue
//! can replace the English one without touching the layout. A label that carries values is a
//! template with named placeholders (`"Page {page} of {pages}"`): a translation may put them in
//! whatever order its grammar wants.

use paperflow_invoice::TaxCategory;
use std::collections::BTreeMap;

/// The printed words of an invoice PDF, in one language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    /// The big title of an invoice (BT-3 380).
    pub invoice_title: String,
    /// The big title of a credit note (BT-3 381).
    pub credit_note_title: String,
    /// The document's title in the PDF's document information; placeholder `{id}`.
    pub invoice_document: String,
    /// The same for a credit note; placeholder `{id}`.
    pub credit_note_document: String,
    /// The document's subject in the PDF's document information; placeholders `{document}`
    /// (its title) and `{buyer}`.
    pub document_subject: String,
    /// Caption atop a continued page; placeholder `{id}`.
    pub invoice_continued: String,
    /// Caption atop a continued page of a credit note; placeholder `{id}`.
    pub credit_note_continued: String,
    /// BT-1 of an invoice.
    pub invoice_number: String,
    /// BT-1 of a credit note.
    pub credit_note_number: String,
    /// The revision of the document (paperflow's, not EN 16931's).
    pub revision: String,
    /// BT-2.
    pub issue_date: String,
    /// BT-9.
    pub due_date: String,
    /// BT-5.
    pub currency: String,
    /// BT-72.
    pub delivery_date: String,
    /// BT-10.
    pub buyer_reference: String,
    /// BT-13.
    pub order_reference: String,
    /// BG-3: the invoice a credit note corrects.
    pub preceding_invoice: String,
    /// BG-3 with its date (BT-26); placeholders `{id}` and `{date}`.
    pub preceding_invoice_dated: String,
    /// Heading of the buyer's block.
    pub bill_to: String,
    /// BT-31 / BT-48; placeholder `{id}`.
    pub vat_id: String,
    /// BT-32; placeholder `{id}`.
    pub tax_number: String,
    /// BT-30 / BT-47; placeholder `{id}`.
    pub legal_id: String,
    /// BG-6 / BG-9, before the contact's name, phone and e-mail.
    pub contact: String,
    /// Line table: the description column.
    pub description: String,
    /// Line table: the quantity column.
    pub quantity: String,
    /// Line table: the unit price column; placeholder `{currency}`.
    pub unit_price: String,
    /// Line table: the tax rate column.
    pub tax: String,
    /// Line table: the net amount column; placeholder `{currency}`.
    pub amount: String,
    /// BG-20, one document-level allowance; placeholder `{reason}`.
    pub allowance: String,
    /// BG-20 without a reason.
    pub allowance_unnamed: String,
    /// BG-21, one document-level charge; placeholder `{reason}`.
    pub charge: String,
    /// BG-21 without a reason.
    pub charge_unnamed: String,
    /// The VAT an allowance or charge belongs to; placeholders `{category}` and `{rate}`.
    pub allowance_charge_vat: String,
    /// The first version's totals: the sum of the line nets.
    pub net_total: String,
    /// The first version's tax rows; placeholders `{rate}` and `{base}`.
    pub tax_on: String,
    /// The first version's grand total.
    pub total_due: String,
    /// BT-106.
    pub sum_of_lines: String,
    /// BT-107.
    pub allowances_total: String,
    /// BT-108.
    pub charges_total: String,
    /// BT-109.
    pub total_without_vat: String,
    /// BG-23, one row per category and rate; placeholders `{category}`, `{rate}` and `{base}`.
    pub vat_on: String,
    /// BT-120 / BT-121 under an exempt VAT row; placeholders `{category}` (its name) and
    /// `{reason}` (the reason and its code, as known).
    pub exemption: String,
    /// BT-112.
    pub total_with_vat: String,
    /// BT-113.
    pub prepaid: String,
    /// BT-115.
    pub amount_due: String,
    /// Heading of the payment instructions (BG-16).
    pub payment: String,
    /// BT-81.
    pub payment_means: String,
    /// BT-84.
    pub iban: String,
    /// BT-86.
    pub bic: String,
    /// BT-85.
    pub account_name: String,
    /// BT-83.
    pub remittance: String,
    /// BT-20.
    pub payment_terms: String,
    /// Heading of the notes (BT-22).
    pub notes: String,
    /// The footer's page counter; placeholders `{page}` and `{pages}`.
    pub page_of: String,
    /// The name of each VAT category (UNCL5305); a category missing here prints its code.
    pub tax_categories: BTreeMap<TaxCategory, String>,
    /// The name of each payment means code (UNTDID 4461); a code missing here prints as is.
    pub payment_means_names: BTreeMap<String, String>,
}

impl Default for Labels {
    fn default() -> Self {
        Labels::english()
    }
}

impl Labels {
    /// paperflow's own English labels; those of a first-version document are unchanged since
    /// the first release, so its PDF stays byte for byte the same.
    pub fn english() -> Labels {
        let text = |value: &str| value.to_owned();
        Labels {
            invoice_title: text("INVOICE"),
            credit_note_title: text("CREDIT NOTE"),
            invoice_document: text("Invoice {id}"),
            credit_note_document: text("Credit note {id}"),
            document_subject: text("{document} to {buyer}"),
            invoice_continued: text("Invoice {id} (continued)"),
            credit_note_continued: text("Credit note {id} (continued)"),
            invoice_number: text("Invoice number"),
            credit_note_number: text("Credit note number"),
            revision: text("Revision"),
            issue_date: text("Issue date"),
            due_date: text("Due date"),
            currency: text("Currency"),
            delivery_date: text("Delivery date"),
            buyer_reference: text("Buyer reference"),
            order_reference: text("Order reference"),
            preceding_invoice: text("Corrects invoice"),
            preceding_invoice_dated: text("{id} of {date}"),
            bill_to: text("BILL TO"),
            vat_id: text("VAT ID {id}"),
            tax_number: text("Tax number {id}"),
            legal_id: text("Registration {id}"),
            contact: text("Contact"),
            description: text("Description"),
            quantity: text("Quantity"),
            unit_price: text("Unit price ({currency})"),
            tax: text("Tax"),
            amount: text("Amount ({currency})"),
            allowance: text("Allowance: {reason}"),
            allowance_unnamed: text("Allowance"),
            charge: text("Charge: {reason}"),
            charge_unnamed: text("Charge"),
            allowance_charge_vat: text("VAT {category} {rate}"),
            net_total: text("Net total"),
            tax_on: text("Tax {rate} on {base}"),
            total_due: text("Total due"),
            sum_of_lines: text("Sum of lines"),
            allowances_total: text("Allowances"),
            charges_total: text("Charges"),
            total_without_vat: text("Total without VAT"),
            vat_on: text("VAT {category} {rate} on {base}"),
            exemption: text("{category}: {reason}"),
            total_with_vat: text("Total with VAT"),
            prepaid: text("Paid in advance"),
            amount_due: text("Amount due"),
            payment: text("PAYMENT"),
            payment_means: text("Payment means"),
            iban: text("IBAN"),
            bic: text("BIC"),
            account_name: text("Account holder"),
            remittance: text("Reference"),
            payment_terms: text("Terms"),
            notes: text("NOTES"),
            page_of: text("Page {page} of {pages}"),
            tax_categories: [
                (TaxCategory::S, "Standard rate"),
                (TaxCategory::Z, "Zero rated"),
                (TaxCategory::E, "Exempt from VAT"),
                (TaxCategory::AE, "Reverse charge"),
                (TaxCategory::K, "Intra-community supply"),
                (TaxCategory::G, "Export outside the EU"),
                (TaxCategory::O, "Outside the scope of VAT"),
                (TaxCategory::L, "Canary Islands general indirect tax (IGIC)"),
                (TaxCategory::M, "Ceuta and Melilla tax (IPSI)"),
            ]
            .into_iter()
            .map(|(category, name)| (category, text(name)))
            .collect(),
            payment_means_names: [
                ("1", "Not defined"),
                ("10", "Cash"),
                ("20", "Cheque"),
                ("30", "Credit transfer"),
                ("31", "Debit transfer"),
                ("42", "Payment to bank account"),
                ("48", "Bank card"),
                ("49", "Direct debit"),
                ("57", "Standing agreement"),
                ("58", "SEPA credit transfer"),
                ("59", "SEPA direct debit"),
                ("97", "Clearing between partners"),
            ]
            .into_iter()
            .map(|(code, name)| (text(code), text(name)))
            .collect(),
        }
    }

    /// The name of a VAT category, as a reader understands it.
    pub fn tax_category(&self, category: TaxCategory) -> &str {
        self.tax_categories
            .get(&category)
            .map_or(category.code(), String::as_str)
    }

    /// The name of a payment means (BT-81), or its code when it has no name here.
    pub fn payment_means_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.payment_means_names
            .get(code)
            .map_or(code, String::as_str)
    }
}

/// `template` with each `{name}` replaced by its value. Placeholders are filled in one pass, so
/// a value that happens to contain `{page}` stays as it is.
pub(crate) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut filled = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        filled.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let replaced = after.find('}').and_then(|end| {
            let name = &after[..end];
            values
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value, &after[end + 1..]))
        });
        match replaced {
            Some((value, remainder)) => {
                filled.push_str(value);
                rest = remainder;
            }
            None => {
                filled.push('{');
                rest = after;
            }
        }
    }
    filled.push_str(rest);
    filled
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_once_in_any_order() {
        assert_eq!(
            fill("Page {page} of {pages}", &[("pages", "3"), ("page", "1")]),
            "Page 1 of 3"
        );
        assert_eq!(fill("{id} ({id})", &[("id", "{id}")]), "{id} ({id})");
        assert_eq!(fill("no {such} name", &[("id", "x")]), "no {such} name");
        assert_eq!(fill("unclosed {", &[]), "unclosed {");
    }
}
