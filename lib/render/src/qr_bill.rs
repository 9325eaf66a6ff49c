//! The Swiss QR-bill's payment part and receipt: an A6 landscape strip (210 × 105 mm) at the
//! foot of an A4 page, laid out as the SIX Implementation Guidelines QR-bill 2.x (section 3.5,
//! "Layout") prescribe.
//!
//! | part | where (mm from the strip's top left) | what |
//! |---|---|---|
//! | receipt | 0–62 | title 11 pt bold; labels 6 pt bold, values 8 pt; amount at 68; acceptance point at 82, right |
//! | payment part | 62–210 | title 11 pt bold at 67; the QR code 46 × 46 mm at (67, 17) with the Swiss cross 7 × 7 mm in its centre; amount at (67, 68); information from 118, labels 8 pt bold, values 10 pt |
//! | separation | the strip's top edge and x = 62 | dashed lines, "Separate before paying in" above the top one |
//!
//! The fixed texts come from the QR-bill catalogue of `paperflow_locale`, in the QR-bill's
//! language of the document (German, French, Italian or English). Everything here is drawn as
//! [`Item`]s; the module writes nothing itself.

use crate::fonts::{FontSet, Weight};
use crate::layout::Item;
use crate::payment_qr::{MM, symbol_items};
use crate::text::wrap;
use paperflow_locale::{Locale, QrBillText};
use paperflow_payment_qr::{QrSymbol, SwissAddress, SwissQrBill, SwissReference};

/// The strip's height: A6 landscape.
pub(crate) const STRIP_HEIGHT: f32 = 105.0 * MM;

const WIDTH: f32 = 210.0 * MM;
const RECEIPT_WIDTH: f32 = 62.0 * MM;
/// The white margin inside each part.
const PAD: f32 = 5.0 * MM;
const SYMBOL_SIDE: f32 = 46.0 * MM;
const CROSS_SIDE: f32 = 7.0 * MM;

const TITLE_SIZE: f32 = 11.0;

/// The type sizes of one part: the receipt's are smaller than the payment part's.
#[derive(Clone, Copy)]
struct Sizes {
    label: f32,
    value: f32,
    /// From one value line to the next.
    leading: f32,
}

const RECEIPT: Sizes = Sizes {
    label: 6.0,
    value: 8.0,
    leading: 9.0,
};

const PAYMENT_PART: Sizes = Sizes {
    label: 8.0,
    value: 10.0,
    leading: 11.0,
};

/// Draws the payment part and receipt of `bill` with the strip's top at `top`.
pub(crate) fn draw(
    fonts: &FontSet,
    locale: &Locale,
    bill: &SwissQrBill,
    symbol: &QrSymbol,
    top: f32,
) -> Vec<Item> {
    let mut strip = Strip {
        fonts,
        locale,
        items: Vec::new(),
    };
    strip.separation(top);
    strip.receipt(bill, top);
    strip.payment_part(bill, symbol, top);
    strip.items
}

struct Strip<'a> {
    fonts: &'a FontSet,
    locale: &'a Locale,
    items: Vec<Item>,
}

impl Strip<'_> {
    fn text(&mut self, text: &str, x: f32, baseline: f32, size: f32, weight: Weight) {
        self.items.push(Item::Text {
            x,
            baseline,
            size,
            weight,
            gray: 0.0,
            text: text.to_owned(),
        });
    }

    /// The dashed lines where the receipt and the payment part are cut off, with the note that
    /// says so above the top one (SIX IG 3.7: no perforation on a PDF).
    fn separation(&mut self, top: f32) {
        let note = self.locale.qr_bill_text(QrBillText::SeparateBeforePayingIn);
        let size = 7.0;
        let note_width = self.fonts.measure(&note, Weight::Regular, size);
        self.text(
            &note,
            (WIDTH - note_width) / 2.0,
            top - 3.0,
            size,
            Weight::Regular,
        );
        let dash = 2.0;
        let mut x = 0.0;
        while x < WIDTH {
            self.items.push(Item::Rule {
                x1: x,
                x2: (x + dash).min(WIDTH),
                y: top,
                thickness: 0.5,
                gray: 0.0,
            });
            x += 2.0 * dash;
        }
        let mut y = top;
        while y < top + STRIP_HEIGHT {
            self.items.push(Item::Band {
                x: RECEIPT_WIDTH - 0.25,
                top: y,
                width: 0.5,
                height: dash.min(top + STRIP_HEIGHT - y),
                gray: 0.0,
            });
            y += 2.0 * dash;
        }
    }

    /// The left part, which the payer keeps.
    fn receipt(&mut self, bill: &SwissQrBill, top: f32) {
        let x = PAD;
        let width = RECEIPT_WIDTH - 2.0 * PAD;
        let title = self.locale.qr_bill_text(QrBillText::Receipt);
        self.text(&title, x, top + PAD + 8.0, TITLE_SIZE, Weight::Bold);
        let mut y = top + 12.0 * MM;
        for (label, lines) in self.information(bill, false) {
            y = self.labelled(&label, &lines, x, width, y, RECEIPT);
        }
        self.amount(bill, x, top + 68.0 * MM, 12.0 * MM, RECEIPT);
        let acceptance = self.locale.qr_bill_text(QrBillText::AcceptancePoint);
        let acceptance_width = self.fonts.measure(&acceptance, Weight::Bold, RECEIPT.label);
        self.text(
            &acceptance,
            RECEIPT_WIDTH - PAD - acceptance_width,
            top + 82.0 * MM + RECEIPT.label,
            RECEIPT.label,
            Weight::Bold,
        );
    }

    /// The right part, which the payer's bank reads.
    fn payment_part(&mut self, bill: &SwissQrBill, symbol: &QrSymbol, top: f32) {
        let x = RECEIPT_WIDTH + PAD;
        let title = self.locale.qr_bill_text(QrBillText::PaymentPart);
        self.text(&title, x, top + PAD + 8.0, TITLE_SIZE, Weight::Bold);
        self.symbol(symbol, x, top + 17.0 * MM);
        self.amount(bill, x, top + 68.0 * MM, 22.0 * MM, PAYMENT_PART);
        let info_x = x + SYMBOL_SIDE + PAD;
        let width = WIDTH - PAD - info_x;
        let mut y = top + PAD;
        for (label, lines) in self.information(bill, true) {
            y = self.labelled(&label, &lines, info_x, width, y, PAYMENT_PART);
        }
    }

    /// The QR code, 46 × 46 mm whatever its version, with the Swiss cross over its centre.
    fn symbol(&mut self, symbol: &QrSymbol, x: f32, top: f32) {
        let module = SYMBOL_SIDE / symbol.size() as f32;
        self.items.extend(symbol_items(symbol, x, top, module));
        // The cross (SIX IG 3.5.3): a white square, a black one inside it, a white cross on it.
        let centre_x = x + SYMBOL_SIDE / 2.0;
        let centre_y = top + SYMBOL_SIDE / 2.0;
        let square = |side: f32, gray: f32| Item::Band {
            x: centre_x - side / 2.0,
            top: centre_y - side / 2.0,
            width: side,
            height: side,
            gray,
        };
        let black = CROSS_SIDE - 2.0 * 0.5 * MM;
        // The Swiss flag's proportions: arms 1/6 longer than they are wide.
        let arm_width = black * 6.0 / 32.0;
        let span = black * 20.0 / 32.0;
        self.items.push(square(CROSS_SIDE, 1.0));
        self.items.push(square(black, 0.0));
        for (width, height) in [(arm_width, span), (span, arm_width)] {
            self.items.push(Item::Band {
                x: centre_x - width / 2.0,
                top: centre_y - height / 2.0,
                width,
                height,
                gray: 1.0,
            });
        }
    }

    /// "Currency" and "Amount" with their values, the amount `gap` to the right.
    fn amount(&mut self, bill: &SwissQrBill, x: f32, top: f32, gap: f32, sizes: Sizes) {
        let currency = self.locale.qr_bill_text(QrBillText::Currency);
        let amount = self.locale.qr_bill_text(QrBillText::Amount);
        let label_baseline = top + sizes.label;
        let value_baseline = label_baseline + sizes.leading;
        self.text(&currency, x, label_baseline, sizes.label, Weight::Bold);
        self.text(&amount, x + gap, label_baseline, sizes.label, Weight::Bold);
        self.text(
            &bill.currency,
            x,
            value_baseline,
            sizes.value,
            Weight::Regular,
        );
        if let Some(minor) = bill.amount_minor {
            self.text(
                &qr_bill_amount(minor),
                x + gap,
                value_baseline,
                sizes.value,
                Weight::Regular,
            );
        }
    }

    /// A label and its value's lines, each wrapped to `width`, from `y` down; returns the `y`
    /// below them, with the gap that separates two headings.
    fn labelled(
        &mut self,
        label: &str,
        lines: &[String],
        x: f32,
        width: f32,
        mut y: f32,
        sizes: Sizes,
    ) -> f32 {
        y += sizes.label;
        self.text(label, x, y, sizes.label, Weight::Bold);
        for line in lines {
            for wrapped in wrap(self.fonts, line, Weight::Regular, sizes.value, width) {
                y += sizes.leading;
                self.text(&wrapped, x, y, sizes.value, Weight::Regular);
            }
        }
        y + sizes.leading
    }

    /// The headings of the information section and their lines: account and creditor,
    /// reference, the message (payment part only) and the debtor.
    fn information(&self, bill: &SwissQrBill, payment_part: bool) -> Vec<(String, Vec<String>)> {
        let text = |text: QrBillText| self.locale.qr_bill_text(text);
        let mut account = vec![bill.account.print_form()];
        account.extend(address_lines(&bill.creditor));
        let mut sections = vec![(text(QrBillText::AccountPayableTo), account)];
        let reference = match &bill.reference {
            SwissReference::Qr(reference) => Some(reference.print_form()),
            SwissReference::Creditor(reference) => Some(reference.print_form()),
            SwissReference::None => None,
        };
        if let Some(reference) = reference {
            sections.push((text(QrBillText::Reference), vec![reference]));
        }
        if payment_part && let Some(message) = &bill.message {
            sections.push((
                text(QrBillText::AdditionalInformation),
                vec![message.clone()],
            ));
        }
        if let Some(debtor) = &bill.debtor {
            sections.push((text(QrBillText::PayableBy), address_lines(debtor)));
        }
        sections
    }
}

/// A structured address as the QR-bill prints it: name, street, and `CH-8000 Zürich` style
/// postal code and town (the country code only outside Switzerland, SIX IG 3.5.4).
fn address_lines(address: &SwissAddress) -> Vec<String> {
    let mut lines = vec![address.name.clone()];
    let street: Vec<&str> = [
        address.street.as_deref(),
        address.building_number.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !street.is_empty() {
        lines.push(street.join(" "));
    }
    let place = format!("{} {}", address.postal_code, address.town);
    if address.country == "CH" {
        lines.push(place);
    } else {
        lines.push(format!("{}-{place}", address.country));
    }
    lines
}

/// An amount as the QR-bill prints it: a space between thousands, a point and two decimals
/// (`1 949.75`), in every language (SIX IG 3.5.4).
fn qr_bill_amount(minor: i64) -> String {
    let whole = (minor / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index).is_multiple_of(3) {
            grouped.push(' ');
        }
        grouped.push(digit);
    }
    format!("{grouped}.{:02}", minor % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_grouped_by_spaces_with_two_decimals() {
        assert_eq!(qr_bill_amount(194_975), "1 949.75");
        assert_eq!(qr_bill_amount(5), "0.05");
        assert_eq!(qr_bill_amount(99_999_999_999), "999 999 999.99");
    }

    #[test]
    fn an_address_outside_switzerland_prefixes_its_country() {
        let mut address = SwissAddress {
            name: "Pia Rutschmann".into(),
            street: Some("Marktgasse 28".into()),
            building_number: None,
            postal_code: "9490".into(),
            town: "Vaduz".into(),
            country: "LI".into(),
        };
        assert_eq!(
            address_lines(&address),
            ["Pia Rutschmann", "Marktgasse 28", "LI-9490 Vaduz"]
        );
        address.country = "CH".into();
        assert_eq!(address_lines(&address)[2], "9490 Vaduz");
    }
}
