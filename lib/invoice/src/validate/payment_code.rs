//! The payment codes an invoice prints and the rules their standards set on the invoice.
//!
//! What goes into a code is decided here, once, from the invoice: the renderer draws the codes
//! these functions build, and validation reports the problems the same codes would have, each
//! on the JSON pointer of the invoice's field that causes it. The rules themselves (lengths,
//! character sets, check digits, which reference an account takes, the payload's size) are
//! `paperflow_payment_qr`'s; this module only maps the invoice onto them.
//!
//! | code | when | what |
//! |---|---|---|
//! | Swiss QR-bill | an invoice with an amount due (up to 999,999,999.99), a Swiss or Liechtenstein IBAN, in CHF or EUR | the seller (or account holder) as the creditor, the buyer as the debtor, the remittance as the reference (or the message), else the invoice number as the message |
//! | EPC QR code | an invoice with an amount due (up to 999,999,999.99) and an IBAN, in EUR | the account holder (or seller), the remittance (or the invoice number) |
//!
//! The renderer prints the QR-bill on A4 pages only and the EPC code in its place on others;
//! validation does not know the page, so it checks both codes wherever either may be printed.

use std::fmt;

use paperflow_payment_qr::{
    CreditorReference, EPC_MAX_AMOUNT_CENTS, EpcTransfer, Iban, InvalidPayment, Problem,
    Remittance, SWISS_MAX_AMOUNT_MINOR, SwissAddress, SwissQrBill, SwissReference,
};

use super::{Path, Report};
use crate::model::{DocumentType, Invoice, Party};

/// The Swiss or Liechtenstein account a QR-bill of `invoice` pays into, when the invoice asks
/// for one: an invoice (not a credit note) with an amount due, in CHF or EUR.
pub fn qr_bill_account(invoice: &Invoice) -> Option<Iban> {
    let iban = payable_iban(invoice, SWISS_MAX_AMOUNT_MINOR)?;
    (iban.is_swiss() && matches!(invoice.currency.code(), "CHF" | "EUR")).then_some(iban)
}

/// The account an EPC code of `invoice` pays into: an invoice in EUR with an amount due.
pub fn epc_account(invoice: &Invoice) -> Option<Iban> {
    payable_iban(invoice, EPC_MAX_AMOUNT_CENTS).filter(|_| invoice.currency.code() == "EUR")
}

/// The IBAN of an invoice whose amount due a code can carry: more than nothing and no more than
/// `max_minor`. A larger amount is a valid invoice without a code, not an invalid one: the
/// code's field is what is too small.
fn payable_iban(invoice: &Invoice, max_minor: i64) -> Option<Iban> {
    if invoice.document_type == DocumentType::CreditNote
        || !(1..=max_minor).contains(&invoice.totals.due_minor)
    {
        return None;
    }
    let iban = invoice.payment.as_ref()?.iban.as_deref()?;
    Iban::parse(iban).ok()
}

/// The QR-bill of `invoice` paid into `account`: the amount due, the seller (or the account
/// holder) as the creditor, the buyer as the debtor, and the reference the account takes.
///
/// # Errors
///
/// A remittance the account cannot take as its reference (field `reference`).
pub fn swiss_qr_bill(invoice: &Invoice, account: Iban) -> Result<SwissQrBill, Problem> {
    let remittance = invoice
        .payment
        .as_ref()
        .and_then(|payment| payment.remittance.as_deref());
    let (reference, message) = SwissReference::for_account(&account, remittance)?;
    let mut creditor = swiss_address(&invoice.seller);
    creditor.name = beneficiary(invoice);
    Ok(SwissQrBill {
        account,
        creditor,
        amount_minor: Some(invoice.totals.due_minor),
        currency: invoice.currency.code().to_owned(),
        debtor: Some(swiss_address(&invoice.buyer)),
        reference,
        message: Some(message.unwrap_or_else(|| invoice.id.to_string())),
        billing_information: None,
    })
}

/// The SEPA credit transfer of an invoice in euros: the amount due to the account holder (or
/// the seller), quoting the remittance (or the invoice number), a Creditor Reference in the
/// structured line.
pub fn epc_transfer(invoice: &Invoice, iban: Iban) -> EpcTransfer {
    let payment = invoice.payment.as_ref();
    let remittance = payment
        .and_then(|payment| payment.remittance.clone())
        .unwrap_or_else(|| invoice.id.to_string());
    let remittance = match CreditorReference::parse(&remittance) {
        Ok(reference) => Remittance::Structured(reference),
        Err(_) => Remittance::Unstructured(remittance),
    };
    EpcTransfer {
        bic: payment.and_then(|payment| payment.bic.clone()),
        // The banks' own forms cut a longer name; the EPC code does the same.
        name: beneficiary(invoice).chars().take(70).collect(),
        iban,
        amount_cents: Some(invoice.totals.due_minor),
        purpose: None,
        remittance: Some(remittance),
        information: None,
    }
}

/// Who receives the money: the account holder when given (BT-85), else the seller.
fn beneficiary(invoice: &Invoice) -> String {
    invoice
        .payment
        .as_ref()
        .and_then(|payment| payment.account_name.clone())
        .unwrap_or_else(|| invoice.seller.name.clone())
}

/// A party's structured address as the QR-bill wants it (type S): the first street line as the
/// street (with its number, which the model does not keep apart).
fn swiss_address(party: &Party) -> SwissAddress {
    let address = &party.address;
    SwissAddress {
        name: party.name.clone(),
        street: address.lines.first().cloned(),
        building_number: None,
        postal_code: address.postal_code.clone().unwrap_or_default(),
        town: address.city.clone().unwrap_or_default(),
        country: address.country_code.clone().unwrap_or_default(),
    }
}

/// Reports the problems of the payment codes `invoice` may print, each on its field.
pub(super) fn check(report: &mut Report, invoice: &Invoice) {
    if let Some(account) = qr_bill_account(invoice) {
        let problems = match swiss_qr_bill(invoice, account) {
            Ok(bill) => bill.symbol().err().map(|error| error.problems),
            Err(problem) => Some(vec![problem]),
        };
        for problem in problems.unwrap_or_default() {
            let pointer = swiss_pointer(invoice, problem.field);
            add(
                report,
                &pointer,
                format_args!("{} (Swiss QR-bill)", problem.rule),
            );
        }
    }
    if let Some(iban) = epc_account(invoice)
        && let Err(InvalidPayment { problems }) = epc_transfer(invoice, iban).symbol()
    {
        for problem in problems {
            let pointer = epc_pointer(invoice, problem.field);
            add(
                report,
                &pointer,
                format_args!("{} (EPC QR code)", problem.rule),
            );
        }
    }
}

/// The invoice field behind a field of the QR-bill.
fn swiss_pointer(invoice: &Invoice, field: &str) -> Vec<&'static str> {
    let has_account_name = invoice
        .payment
        .as_ref()
        .is_some_and(|payment| payment.account_name.is_some());
    let has_remittance = invoice
        .payment
        .as_ref()
        .is_some_and(|payment| payment.remittance.is_some());
    let (party, part) = field.split_once('.').unwrap_or((field, ""));
    let party = match party {
        "creditor" => "seller",
        "debtor" => "buyer",
        "account" => return vec!["payment", "iban"],
        "reference" => return vec!["payment", "remittance"],
        "message" if has_remittance => return vec!["payment", "remittance"],
        "message" => return vec!["invoice_id"],
        "currency" => return vec!["currency"],
        _ => return vec!["payment"],
    };
    match part {
        "name" if party == "seller" && has_account_name => vec!["payment", "account_name"],
        "name" => vec![party, "name"],
        "street" | "building_number" => vec![party, "address", "lines", "0"],
        "postal_code" => vec![party, "address", "postal_code"],
        "town" => vec![party, "address", "city"],
        _ => vec![party, "address", "country_code"],
    }
}

/// The invoice field behind a field of the EPC code.
fn epc_pointer(invoice: &Invoice, field: &str) -> Vec<&'static str> {
    let has_account_name = invoice
        .payment
        .as_ref()
        .is_some_and(|payment| payment.account_name.is_some());
    match field {
        "bic" => vec!["payment", "bic"],
        "name" if has_account_name => vec!["payment", "account_name"],
        "name" => vec!["seller", "name"],
        "remittance" => vec!["payment", "remittance"],
        _ => vec!["payment"],
    }
}

/// Reports `rule` at the pointer of `segments` (a segment of digits is an array index).
fn add(report: &mut Report, segments: &[&str], rule: fmt::Arguments<'_>) {
    fn at(report: &mut Report, path: &Path<'_>, segments: &[&str], rule: fmt::Arguments<'_>) {
        match segments.split_first() {
            None => report.add(path, rule),
            Some((segment, rest)) => match segment.parse::<usize>() {
                Ok(index) => at(report, &path.index(index), rest, rule),
                Err(_) => at(report, &path.key(segment), rest, rule),
            },
        }
    }
    at(report, &Path::ROOT, segments, rule);
}
