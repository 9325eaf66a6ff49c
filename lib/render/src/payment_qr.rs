//! Which payment code an invoice prints, and the code's symbol as vector rectangles.
//!
//! - The Swiss QR-bill ([`SwissQrBill`]) for an invoice in CHF or EUR paid to a Swiss or
//!   Liechtenstein IBAN, on A4 only: SIX lays the payment part out for an A4 sheet (an A6
//!   landscape strip at its foot), and a Letter page has no such strip.
//! - Else the EPC QR code ([`EpcTransfer`], "GiroCode") for an invoice in EUR with an IBAN.
//! - Nothing for a credit note (the buyer does not pay it) or an invoice with nothing due.
//!
//! What goes in the codes is decided by `paperflow_invoice::validate::payment_code`, whose
//! validation already refused what the codes cannot carry (a QR-IBAN without a QR reference, a
//! QR-bill without the seller's structured address, an EPC payload over 331 bytes); the
//! payloads and their rules are `paperflow_payment_qr`'s.

use crate::labels::Formats;
use crate::layout::Item;
use crate::{PageSize, RenderError};
use paperflow_invoice::Invoice;
use paperflow_invoice::validate::payment_code;
use paperflow_locale::{LanguageTag, Locale};
use paperflow_payment_qr::{InvalidPayment, QrSymbol, SwissQrBill};
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
/// A payload the standard refuses although validation passed (an invoice changed after it was
/// validated), naming the field and the rule.
pub(crate) fn payment_code(
    invoice: &Invoice,
    page_size: PageSize,
    formats: &Formats,
) -> Result<Option<PaymentCode>, RenderError> {
    if page_size == PageSize::A4
        && let Some(account) = payment_code::qr_bill_account(invoice)
    {
        let bill = payment_code::swiss_qr_bill(invoice, account)
            .map_err(|problem| RenderError(format!("payment/remittance: {problem}")))?;
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
    let Some(iban) = payment_code::epc_account(invoice) else {
        return Ok(None);
    };
    let (_, symbol) = payment_code::epc_transfer(invoice, iban)
        .symbol()
        .map_err(|error| invalid(&error))?;
    Ok(Some(PaymentCode::Epc(symbol)))
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
