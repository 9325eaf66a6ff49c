//! Every word the PDF prints that is not the invoice's own data: titles, column heads, the names
//! of totals, VAT categories and payment means; and how it writes numbers, amounts and dates.
//!
//! They live here, in one [`Labels`] value handed to the layout, so that a translated catalogue
//! replaces the English one without touching the layout. A label that carries values is a
//! template with named placeholders (`"Page {page} of {pages}"`): a translation may put them in
//! whatever order its grammar wants.
//!
//! [`Labels::english`] is paperflow's own English with its own number formats (`EUR 1,234.56`,
//! `2026-11-26`), which every document in `en` prints with, so that a stored PDF keeps its bytes.
//! [`Labels::for_locale`] takes the texts of a `paperflow_locale` catalogue and CLDR's formats
//! (`1.234,56 €`, `26.11.2026`, `2026年11月26日`).

use paperflow_invoice::{Currency, Quantity, TaxCategory, TaxRate};
use paperflow_locale::{Locale, LocaleError, Message};
use std::collections::BTreeMap;
use std::sync::Arc;

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
    /// A sentence under the payment block of an invoice; placeholders `{amount}`, `{date}` and
    /// `{reference}`. `None` prints none (paperflow's English never did).
    pub payment_instruction: Option<String>,
    /// The same for a credit note; placeholder `{amount}`.
    pub credit_note_instruction: Option<String>,
    /// The caption under the EPC QR code.
    pub scan_to_pay: String,
    /// How numbers, amounts and dates are written.
    pub formats: Formats,
}

/// How the PDF writes numbers, amounts, rates and dates.
#[derive(Debug, Clone, Default)]
pub enum Formats {
    /// paperflow's own, unchanged since the first release: `1,234.56`, `EUR 1,234.56`, `19%`,
    /// `2026-11-26`.
    #[default]
    Paperflow,
    /// CLDR's formats of the locale: `1.234,56`, `1.234,56 €`, `19 %`, `26.11.2026`.
    Locale(Arc<Locale>),
}

impl PartialEq for Formats {
    fn eq(&self, other: &Formats) -> bool {
        match (self, other) {
            (Formats::Paperflow, Formats::Paperflow) => true,
            (Formats::Locale(a), Formats::Locale(b)) => a.tag() == b.tag(),
            _ => false,
        }
    }
}

impl Eq for Formats {}

impl Formats {
    /// An amount without its currency, for a column whose heading names it: `1,234.56`.
    pub fn amount(&self, currency: Currency, minor: i64) -> String {
        match self {
            Formats::Paperflow => currency.format_minor(minor),
            Formats::Locale(locale) => locale.amount(minor, currency.exponent()),
        }
    }

    /// An amount with its currency, as the grand total prints it: `EUR 1,234.56`, `1.234,56 €`.
    pub fn money(&self, currency: Currency, minor: i64) -> String {
        match self {
            Formats::Paperflow => currency.format_with_code(minor),
            Formats::Locale(locale) => locale.money(minor, currency.code(), currency.exponent()),
        }
    }

    /// A tax rate: `19%`, `19 %`.
    pub fn rate(&self, rate: TaxRate) -> String {
        match self {
            Formats::Paperflow => rate.to_string(),
            Formats::Locale(locale) => locale.percent(rate.basis_points()),
        }
    }

    /// A quantity with the decimals it needs: `1.5`, `1,5`.
    pub fn quantity(&self, quantity: Quantity) -> String {
        match self {
            Formats::Paperflow => quantity.to_string(),
            Formats::Locale(locale) => locale.quantity(quantity.milli()),
        }
    }

    /// A whole number, such as a page number.
    pub fn integer(&self, value: usize) -> String {
        match (self, i64::try_from(value)) {
            (Formats::Locale(locale), Ok(value)) => locale.integer(value),
            _ => value.to_string(),
        }
    }

    /// A calendar day: `2026-11-26`, `26.11.2026`, `2026年11月26日`.
    pub fn date(&self, date: time::Date) -> String {
        match self {
            Formats::Paperflow => date.to_string(),
            Formats::Locale(locale) => locale.date(date),
        }
    }
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
            payment_instruction: None,
            credit_note_instruction: None,
            scan_to_pay: text("Scan to pay"),
            formats: Formats::Paperflow,
        }
    }

    /// The labels a document in `language` (its BCP 47 tag) prints with: paperflow's own
    /// English for `en`, else the locale's catalogue and CLDR formats ([`Labels::for_locale`]).
    ///
    /// # Errors
    ///
    /// A tag `paperflow_locale` cannot print in, naming the supported languages (validation
    /// refuses such a document first).
    pub fn for_language(language: &str) -> Result<Labels, LocaleError> {
        if language == "en" {
            return Ok(Labels::english());
        }
        Ok(Labels::for_locale(Locale::for_tag(language)?))
    }

    /// The texts of `locale`'s catalogue, and its formats.
    ///
    /// Each template is the catalogue's message formatted with the placeholders as arguments
    /// (`"USt. {rate} auf {base}"`), so that the layout fills both kinds alike.
    pub fn for_locale(locale: Arc<Locale>) -> Labels {
        let text = |message: Message| locale.text(message);
        let template = |message: Message, args: &[(&str, &str)]| locale.message(message, args);
        let id = [("id", "{id}")];
        let named = |name: Message| format!("{}: {{reason}}", locale.text(name));
        Labels {
            invoice_title: text(Message::InvoiceTitle),
            credit_note_title: text(Message::CreditNoteTitle),
            invoice_document: template(Message::DocumentInvoice, &id),
            credit_note_document: template(Message::DocumentCreditNote, &id),
            document_subject: template(
                Message::DocumentSubject,
                &[("document", "{document}"), ("buyer", "{buyer}")],
            ),
            invoice_continued: template(Message::InvoiceContinued, &id),
            credit_note_continued: template(Message::CreditNoteContinued, &id),
            invoice_number: text(Message::InvoiceNumber),
            credit_note_number: text(Message::CreditNoteNumber),
            revision: text(Message::Revision),
            issue_date: text(Message::IssueDate),
            due_date: text(Message::DueDate),
            currency: text(Message::Currency),
            delivery_date: text(Message::DeliveryDate),
            buyer_reference: text(Message::BuyerReference),
            order_reference: text(Message::OrderReference),
            preceding_invoice: text(Message::PrecedingInvoice),
            preceding_invoice_dated: template(
                Message::PrecedingInvoiceOf,
                &[("id", "{id}"), ("date", "{date}")],
            ),
            bill_to: text(Message::BillTo),
            vat_id: template(Message::VatId, &id),
            tax_number: template(Message::TaxNumber, &[("number", "{id}")]),
            legal_id: template(Message::LegalId, &id),
            contact: text(Message::Contact),
            description: text(Message::ColumnDescription),
            quantity: text(Message::ColumnQuantity),
            unit_price: template(Message::ColumnUnitPrice, &[("currency", "{currency}")]),
            tax: text(Message::ColumnTax),
            amount: template(Message::ColumnAmount, &[("currency", "{currency}")]),
            allowance: named(Message::Allowance),
            allowance_unnamed: text(Message::Allowance),
            charge: named(Message::Charge),
            charge_unnamed: text(Message::Charge),
            allowance_charge_vat: format!("{} {{category}} {{rate}}", text(Message::ColumnTax)),
            net_total: text(Message::NetTotal),
            tax_on: template(Message::TaxLine, &[("rate", "{rate}"), ("base", "{base}")]),
            total_due: text(Message::TotalDue),
            sum_of_lines: text(Message::NetTotal),
            allowances_total: text(Message::AllowancesTotal),
            charges_total: text(Message::ChargesTotal),
            total_without_vat: text(Message::TaxExclusiveTotal),
            // The category's code before the rate: "USt. S 19 % auf 1.000,00".
            vat_on: template(
                Message::TaxLine,
                &[("rate", "{category} {rate}"), ("base", "{base}")],
            ),
            exemption: template(
                Message::ExemptionReason,
                &[("category", "{category}"), ("reason", "{reason}")],
            ),
            total_with_vat: text(Message::GrossTotal),
            prepaid: text(Message::Prepaid),
            amount_due: text(Message::AmountDue),
            payment: text(Message::Payment).to_uppercase(),
            payment_means: text(Message::PaymentMeans),
            iban: text(Message::PaymentIban),
            bic: text(Message::PaymentBic),
            account_name: text(Message::PaymentAccountName),
            remittance: text(Message::PaymentReference),
            payment_terms: text(Message::PaymentTerms),
            notes: text(Message::Notes),
            page_of: template(Message::PageOf, &[("page", "{page}"), ("pages", "{pages}")]),
            tax_categories: TaxCategory::ALL
                .into_iter()
                .filter_map(|category| {
                    Message::tax_category(category.code()).map(|name| (category, text(name)))
                })
                .collect(),
            payment_means_names: PAYMENT_MEANS_CODES
                .into_iter()
                .filter_map(|code| {
                    Message::payment_means(code).map(|name| (code.to_owned(), text(name)))
                })
                .collect(),
            payment_instruction: Some(template(
                Message::PaymentInstruction,
                &[
                    ("amount", "{amount}"),
                    ("date", "{date}"),
                    ("reference", "{reference}"),
                ],
            )),
            credit_note_instruction: Some(template(
                Message::CreditNoteInstruction,
                &[("amount", "{amount}")],
            )),
            scan_to_pay: text(Message::ScanToPay),
            formats: Formats::Locale(locale),
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

/// The payment means (UNTDID 4461) whose names the catalogues translate.
const PAYMENT_MEANS_CODES: [&str; 12] = [
    "1", "10", "20", "30", "31", "42", "48", "49", "57", "58", "59", "97",
];

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
