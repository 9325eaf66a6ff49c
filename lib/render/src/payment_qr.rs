//! Which payment code an invoice prints, and the code's symbol as vector rectangles.
//!
//! - The Swiss QR-bill ([`SwissQrBill`]) for an invoice in CHF or EUR paid to a Swiss or
//!   Liechtenstein IBAN, on A4 only: SIX lays the payment part out for an A4 sheet (an A6
//!   landscape strip at its foot), and a Letter page has no such strip.
//! - Else the EPC QR code ([`EpcTransfer`], "GiroCode") for an invoice in EUR with an IBAN.
//! - Nothing for a credit note (the buyer does not pay it) or an invoice with nothing due.
//!
//! The payloads come from `paperflow_payment_qr`; what goes in them is decided here, from the
//! invoice: the amount due, the account holder (or the seller), the remittance. Validation
//! (`paperflow_invoice`) already refused the combinations the codes cannot carry (a QR-IBAN
//! without a QR reference, a QR-bill without the seller's structured address).

use crate::labels::Formats;
use crate::layout::Item;
use crate::{PageSize, RenderError};
use paperflow_invoice::{DocumentType, Invoice, Party};
use paperflow_locale::{LanguageTag, Locale};
use paperflow_payment_qr::{
    CreditorReference, EpcTransfer, Iban, InvalidPayment, QrReference, QrSymbol, Remittance,
    SwissAddress, SwissQrBill, SwissReference,
};
use std::sync::Arc;

/// One millimetre in points.
pub(crate) const MM: f32 = 72.0 / 25.4;

/// The light modules around a symbol that a scanner needs to find it (ISO/IEC 18004).
pub(crate) const QUIET_ZONE_MODULES: usize = 4;

/// The payment code an invoice prints.
pub(crate) enum PaymentCode {
    /// The EPC QR code beside the payment instructions.
    Epc(QrSymbol),
    /// The Swiss QR-bill's payment part and receipt at the foot of the last page, with its
    /// fixed texts in the document's QR-bill language.
    SwissQrBill {
        bill: Box<SwissQrBill>,
        symbol: QrSymbol,
        texts: Arc<Locale>,
    },
}

/// The payment code `invoice` prints on `page_size`, if any.
///
/// # Errors
///
/// A payload the standard refuses although validation passed (a name or remittance whose
/// UTF-8 bytes overflow the symbol), naming the field and the rule.
pub(crate) fn payment_code(
    invoice: &Invoice,
    page_size: PageSize,
    formats: &Formats,
) -> Result<Option<PaymentCode>, RenderError> {
    let Some(payment) = &invoice.payment else {
        return Ok(None);
    };
    let Some(iban) = payment.iban.as_deref() else {
        return Ok(None);
    };
    let due = invoice.totals.due_minor;
    if invoice.document_type == DocumentType::CreditNote || due <= 0 {
        return Ok(None);
    }
    let iban = Iban::parse(iban).map_err(|error| refused("payment/iban", &error.to_string()))?;
    let currency = invoice.currency.code();
    if iban.is_swiss() && matches!(currency, "CHF" | "EUR") && page_size == PageSize::A4 {
        let bill = swiss_qr_bill(invoice, iban, due)?;
        let (_, symbol) = bill.symbol().map_err(|error| invalid(&error))?;
        let texts = match formats {
            Formats::Locale(locale) => Arc::clone(locale),
            Formats::Paperflow => Locale::get(&LanguageTag::default())
                .map_err(|error| RenderError(format!("the QR-bill's texts: {error}")))?,
        };
        return Ok(Some(PaymentCode::SwissQrBill {
            bill: Box::new(bill),
            symbol,
            texts,
        }));
    }
    if currency != "EUR" {
        return Ok(None);
    }
    let (_, symbol) = epc_transfer(invoice, iban, due)
        .symbol()
        .map_err(|error| invalid(&error))?;
    Ok(Some(PaymentCode::Epc(symbol)))
}

/// The SEPA credit transfer of an invoice in euros: the amount due to the account holder (or
/// the seller), quoting the remittance (or the invoice number).
pub(crate) fn epc_transfer(invoice: &Invoice, iban: Iban, due_cents: i64) -> EpcTransfer {
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
        name: first_chars(&beneficiary(invoice), 70),
        iban,
        amount_cents: Some(due_cents),
        purpose: None,
        remittance: Some(remittance),
        information: None,
    }
}

/// The QR-bill of an invoice paid to a Swiss or Liechtenstein account: a QR reference with a
/// QR-IBAN, a Creditor Reference (`RF…`) or no reference with an ordinary one, in which case
/// the remittance (or the invoice number) is the message.
pub(crate) fn swiss_qr_bill(
    invoice: &Invoice,
    account: Iban,
    due_minor: i64,
) -> Result<SwissQrBill, RenderError> {
    let remittance = invoice
        .payment
        .as_ref()
        .and_then(|payment| payment.remittance.clone());
    let (reference, message) = match remittance {
        Some(text) if account.is_qr_iban() => {
            let reference = QrReference::parse(&text)
                .map_err(|error| refused("payment/remittance", &error.to_string()))?;
            (SwissReference::Qr(reference), Some(invoice.id.to_string()))
        }
        Some(text) => match CreditorReference::parse(&text) {
            Ok(reference) => (
                SwissReference::Creditor(reference),
                Some(invoice.id.to_string()),
            ),
            Err(_) => (SwissReference::None, Some(text)),
        },
        None => (SwissReference::None, Some(invoice.id.to_string())),
    };
    let mut creditor = swiss_address(&invoice.seller);
    creditor.name = first_chars(&beneficiary(invoice), 70);
    Ok(SwissQrBill {
        account,
        creditor,
        amount_minor: Some(due_minor),
        currency: invoice.currency.code().to_owned(),
        debtor: Some(swiss_address(&invoice.buyer)),
        reference,
        message,
        billing_information: None,
    })
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
        name: first_chars(&party.name, 70),
        street: address.lines.first().cloned(),
        building_number: None,
        postal_code: address.postal_code.clone().unwrap_or_default(),
        town: address.city.clone().unwrap_or_default(),
        country: address.country_code.clone().unwrap_or_default(),
    }
}

/// The first `max` characters of `text`: a name longer than a code's field is cut, as the
/// banks' own forms cut it.
fn first_chars(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

fn refused(field: &str, rule: &str) -> RenderError {
    RenderError(format!("{field}: {rule}"))
}

fn invalid(error: &InvalidPayment) -> RenderError {
    RenderError(format!("the payment code cannot be made: {error}"))
}

/// The dark modules of `symbol`, drawn `module` points wide with the top left of the symbol
/// (inside its quiet zone) at (`x`, `top`): one rectangle per run of dark modules in a row, so
/// that a scanner sees no seams and the page stays small.
pub(crate) fn symbol_items(symbol: &QrSymbol, x: f32, top: f32, module: f32) -> Vec<Item> {
    let size = symbol.size();
    let mut items = Vec::new();
    for row in 0..size {
        let mut column = 0;
        while column < size {
            if !symbol.is_dark(column, row) {
                column += 1;
                continue;
            }
            let start = column;
            while column < size && symbol.is_dark(column, row) {
                column += 1;
            }
            items.push(Item::Band {
                x: x + start as f32 * module,
                top: top + row as f32 * module,
                width: (column - start) as f32 * module,
                height: module,
                gray: 0.0,
            });
        }
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_run_of_dark_modules_is_one_rectangle() {
        let symbol = QrSymbol::encode("BCD", paperflow_payment_qr::EPC_VERSIONS).expect("fits");
        let items = symbol_items(&symbol, 10.0, 20.0, 2.0);
        let dark_area: f32 = items
            .iter()
            .map(|item| match item {
                Item::Band { width, height, .. } => width * height,
                _ => 0.0,
            })
            .sum();
        let dark_modules = symbol.modules().iter().filter(|dark| **dark).count();
        assert!((dark_area - dark_modules as f32 * 4.0).abs() < 0.01);
        // The finder pattern's top row is seven dark modules: one rectangle from the corner.
        assert_eq!(
            items[0],
            Item::Band {
                x: 10.0,
                top: 20.0,
                width: 14.0,
                height: 2.0,
                gray: 0.0
            }
        );
    }
}
