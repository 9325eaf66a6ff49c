//! Where everything goes on the page: the invoice as a list of pages of positioned items.
//!
//! Layout measures every string with the glyph widths of the faces that will draw it, so text
//! that is right-aligned really ends at the column edge and wrapped text never crosses into the
//! next column. Coordinates here are points from the top-left corner of the page; the PDF
//! writer turns them into PDF's bottom-left system.
//!
//! The first page carries the seller, the invoice facts and the buyer; the line table follows
//! and continues over as many pages as it needs, repeating its header on each; then the totals
//! and the notes, which may also continue. Every page gets a footer with "Page N of M", which is
//! why the footer is drawn only once the number of pages is known.
//!
//! A theme changes the margins, puts its logo in a box at the top left of every page, colours the
//! headings, the rules and the table's header with its accent, sets headings in its face and
//! prints its footer text; without one, every item is exactly where and what it always was.

use crate::PageSize;
use crate::fonts::{FontSet, Weight};
use crate::labels::{Formats, Labels, fill};
use crate::payment_qr::{MM, PaymentCode, QUIET_ZONE_MODULES, symbol_items};
use crate::qr_bill::{self, STRIP_HEIGHT};
use crate::text::{visual_order, wrap};
use crate::theme::{Margins, Rgb, Theme};
use paperflow_invoice::{
    AllowanceCharge, DocumentType, Invoice, Line, Party, TaxCategory, TaxRate,
};
use paperflow_payment_qr::QrSymbol;

/// One thing drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    /// A single line of text; `x` is its left edge, `baseline` its baseline from the top.
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        weight: Weight,
        gray: f32,
        text: String,
    },
    /// A horizontal rule at `y` from the top.
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
        thickness: f32,
        gray: f32,
    },
    /// A filled rectangle, `top` from the top of the page.
    Band {
        x: f32,
        top: f32,
        width: f32,
        height: f32,
        gray: f32,
    },
    /// `item` drawn in a colour of the theme instead of its grey.
    Colored { rgb: Rgb, item: Box<Item> },
    /// The theme's logo, stretched to this box (whose sides keep the logo's aspect).
    Logo {
        x: f32,
        top: f32,
        width: f32,
        height: f32,
    },
}

/// The pages of a laid-out invoice.
pub(crate) type Pages = Vec<Vec<Item>>;

/// How far the footer's baseline sits above the edge of the bottom margin: with paperflow's
/// own 64 pt margin, 34 pt from the foot of the page.
const FOOTER_ABOVE_CONTENT: f32 = 30.0;

/// The box at the top left of every page that a theme's logo is fitted into, aspect kept.
const LOGO_BOX_WIDTH: f32 = 150.0;
const LOGO_BOX_HEIGHT: f32 = 42.0;
/// Space between the logo's box and what follows it.
const LOGO_GAP: f32 = 14.0;

const BODY: f32 = 9.0;
const SMALL: f32 = 7.5;
const LABEL: f32 = 8.0;
const LEADING: f32 = 12.0;
const TITLE: f32 = 22.0;

const INK: f32 = 0.0;
const MUTED: f32 = 0.38;
const HAIRLINE: f32 = 0.8;
const HEADER_FILL: f32 = 0.93;

/// Padding inside a table cell, left and right.
const CELL_PAD: f32 = 5.0;
/// The description column never gets narrower than this.
const MIN_DESCRIPTION_WIDTH: f32 = 140.0;
/// Widest a numeric column may grow before its values wrap.
const MAX_NUMBER_COLUMN: f32 = 118.0;

/// Lays the invoice out on pages of `page_size`, in the words of `labels`.
pub(crate) fn lay_out(
    invoice: &Invoice,
    fonts: &FontSet,
    page_size: PageSize,
    labels: &Labels,
    payment_code: Option<&PaymentCode>,
    theme: Option<&Theme>,
) -> Pages {
    let (width, height) = page_size.points();
    let margins = theme.map_or_else(Margins::default, |theme| theme.margins);
    let mut composer = Composer {
        fonts,
        invoice,
        labels,
        payment_code,
        theme,
        margins,
        qr_bill_page: None,
        first_version: is_first_version(invoice),
        width,
        height,
        pages: vec![Vec::new()],
        page: 0,
        y: margins.top,
    };
    composer.logo();
    composer.header();
    composer.parties();
    composer.line_table();
    composer.totals();
    composer.payment();
    composer.notes();
    composer.qr_bill();
    composer.footers();
    composer.pages
}

struct Composer<'a> {
    fonts: &'a FontSet,
    invoice: &'a Invoice,
    labels: &'a Labels,
    /// The EPC QR code or the Swiss QR-bill, when the invoice prints one.
    payment_code: Option<&'a PaymentCode>,
    /// The brand, when the invoice names one.
    theme: Option<&'a Theme>,
    /// The theme's margins, or paperflow's own.
    margins: Margins,
    /// The page whose foot holds the QR-bill: its footer moves up above the strip.
    qr_bill_page: Option<usize>,
    /// Whether the invoice uses nothing of the 1.1 document: it is then printed exactly as
    /// before 1.1, down to the names of its totals.
    first_version: bool,
    width: f32,
    height: f32,
    pages: Pages,
    /// The page being drawn on: the last one, except while footers are added to all.
    page: usize,
    /// Top of the free space on the current page.
    y: f32,
}

/// Alignment of a text within its box.
#[derive(Clone, Copy)]
enum Align {
    Left,
    Right,
}

/// One column of the line table.
struct Column {
    title: String,
    /// Left edge.
    x: f32,
    width: f32,
    align: Align,
}

impl Composer<'_> {
    fn left(&self) -> f32 {
        self.margins.left
    }

    fn right(&self) -> f32 {
        self.width - self.margins.right
    }

    fn content_width(&self) -> f32 {
        self.right() - self.left()
    }

    fn bottom(&self) -> f32 {
        self.height - self.margins.bottom
    }

    fn push(&mut self, item: Item) {
        if let Some(page) = self.pages.get_mut(self.page) {
            page.push(item);
        }
    }

    /// How many items the current page has: what [`Composer::tint_since`] tints from.
    fn mark(&self) -> usize {
        self.pages.get(self.page).map_or(0, Vec::len)
    }

    /// Draws every item added to the current page since `mark` in `rgb`, when there is one.
    fn tint_since(&mut self, mark: usize, rgb: Option<Rgb>) {
        let (Some(rgb), Some(page)) = (rgb, self.pages.get_mut(self.page)) else {
            return;
        };
        let plain: Vec<Item> = page.drain(mark..).collect();
        page.extend(plain.into_iter().map(|item| Item::Colored {
            rgb,
            item: Box::new(item),
        }));
    }

    /// The theme's accent, if the invoice has a theme.
    fn accent(&self) -> Option<Rgb> {
        self.theme.map(|theme| theme.accent)
    }

    /// The weight of a heading: the theme's face, else `plain`.
    fn heading_weight(&self, plain: Weight) -> Weight {
        self.theme.map_or(plain, |theme| theme.heading_weight)
    }

    /// Draws a heading: in the theme's face and accent, or as `weight` in `gray` without one.
    #[allow(clippy::too_many_arguments)]
    fn heading(
        &mut self,
        text: &str,
        x: f32,
        width: f32,
        baseline: f32,
        size: f32,
        weight: Weight,
        gray: f32,
        align: Align,
    ) {
        let mark = self.mark();
        let weight = self.heading_weight(weight);
        self.text(text, x, width, baseline, size, weight, gray, align);
        self.tint_since(mark, self.accent());
    }

    /// A horizontal rule, in the theme's accent when there is one.
    fn accent_rule(&mut self, x1: f32, x2: f32, y: f32, thickness: f32, gray: f32) {
        let mark = self.mark();
        self.push(Item::Rule {
            x1,
            x2,
            y,
            thickness,
            gray,
        });
        self.tint_since(mark, self.accent());
    }

    /// The theme's logo at the top left of the current page, fitted into the logo box with its
    /// aspect kept. The top of the page's content is below it ([`Composer::logo_room`]).
    fn logo(&mut self) {
        let Some(logo) = self.theme.and_then(|theme| theme.logo.as_ref()) else {
            return;
        };
        let aspect = logo.width() as f32 / logo.height() as f32;
        let (width, height) = if aspect >= LOGO_BOX_WIDTH / LOGO_BOX_HEIGHT {
            (LOGO_BOX_WIDTH, LOGO_BOX_WIDTH / aspect)
        } else {
            (LOGO_BOX_HEIGHT * aspect, LOGO_BOX_HEIGHT)
        };
        self.push(Item::Logo {
            x: self.left(),
            top: self.margins.top,
            width,
            height,
        });
    }

    /// The height the logo's box takes at the top of every page: none without a logo.
    fn logo_room(&self) -> f32 {
        match self.theme.and_then(|theme| theme.logo.as_ref()) {
            Some(_) => LOGO_BOX_HEIGHT + LOGO_GAP,
            None => 0.0,
        }
    }

    /// Draws one line of text inside the box from `x` to `x + width`.
    #[allow(clippy::too_many_arguments)]
    fn text(
        &mut self,
        text: &str,
        x: f32,
        width: f32,
        baseline: f32,
        size: f32,
        weight: Weight,
        gray: f32,
        align: Align,
    ) {
        if text.is_empty() {
            return;
        }
        let text = visual_order(text);
        let x = match align {
            Align::Left => x,
            Align::Right => x + width - self.fonts.measure(&text, weight, size),
        };
        self.push(Item::Text {
            x,
            baseline,
            size,
            weight,
            gray,
            text,
        });
    }

    /// Draws `text` wrapped to `width` from the current position down, and moves below it.
    fn paragraph(&mut self, text: &str, x: f32, width: f32, size: f32, weight: Weight, gray: f32) {
        for line in wrap(self.fonts, text, weight, size, width) {
            self.y += LEADING;
            self.text(
                &line,
                x,
                width,
                self.y - 3.0,
                size,
                weight,
                gray,
                Align::Left,
            );
        }
    }

    /// Starts a new page if fewer than `needed` points are left on this one.
    fn ensure_room(&mut self, needed: f32) -> bool {
        if self.y + needed <= self.bottom() {
            return false;
        }
        self.pages.push(Vec::new());
        self.page = self.pages.len() - 1;
        self.logo();
        self.y = self.margins.top + self.logo_room();
        let template = match self.invoice.document_type {
            DocumentType::Invoice => &self.labels.invoice_continued,
            DocumentType::CreditNote => &self.labels.credit_note_continued,
        };
        let caption = fill(template, &[("id", self.invoice.id.as_str())]);
        let (left, width) = (self.left(), self.content_width());
        self.heading(
            &caption,
            left,
            width,
            self.y + 8.0,
            LABEL,
            Weight::Bold,
            MUTED,
            Align::Left,
        );
        self.y += 22.0;
        true
    }

    /// Seller on the left, the title and the invoice facts on the right.
    fn header(&mut self) {
        let invoice = self.invoice;
        let facts_width = 230.0;
        let facts_x = self.right() - facts_width;
        let seller_width = facts_x - self.left() - 24.0;
        let top = self.y;

        let (left, right) = (self.left(), self.right());
        let labels = self.labels;
        let (title, number) = match invoice.document_type {
            DocumentType::Invoice => (&labels.invoice_title, &labels.invoice_number),
            DocumentType::CreditNote => (&labels.credit_note_title, &labels.credit_note_number),
        };
        self.heading(
            title,
            facts_x,
            facts_width,
            top + 18.0,
            TITLE,
            Weight::Bold,
            INK,
            Align::Right,
        );
        self.y = top + 28.0;
        let facts = self.facts(number);
        // Wide enough for every label of the first version; a longer label widens it.
        let label_width = facts
            .iter()
            .map(|(label, _)| self.fonts.measure(label, Weight::Regular, LABEL) + 6.0)
            .fold(78.0, f32::max);
        for (label, value) in facts {
            let value_lines = wrap(
                self.fonts,
                &value,
                Weight::Regular,
                BODY,
                facts_width - label_width,
            );
            self.y += LEADING;
            self.labelled_lines(
                &label,
                (facts_x, label_width),
                &value_lines,
                (facts_x, facts_width),
                Align::Right,
            );
        }
        let facts_bottom = self.y;

        // The seller's name starts under the logo; the title stays level with the logo.
        self.y = top + self.logo_room();
        self.party_block(&invoice.seller, left, seller_width, 12.5);
        self.y = self.y.max(facts_bottom) + 22.0;
        self.accent_rule(left, right, self.y - 10.0, 0.6, HAIRLINE);
    }

    /// The facts beside the title: number, revision, dates, currency and references, each
    /// with its label; `number` labels the document's number.
    fn facts(&self, number: &str) -> Vec<(String, String)> {
        let invoice = self.invoice;
        let labels = self.labels;
        let mut facts = vec![(number.to_owned(), invoice.id.to_string())];
        if invoice.revision > 1 {
            facts.push((labels.revision.clone(), invoice.revision.to_string()));
        }
        let date = |date| labels.formats.date(date);
        facts.push((labels.issue_date.clone(), date(invoice.issue_date)));
        facts.push((labels.due_date.clone(), date(invoice.due_date)));
        if let Some(delivered) = invoice.delivery_date {
            facts.push((labels.delivery_date.clone(), date(delivered)));
        }
        facts.push((labels.currency.clone(), invoice.currency.code().to_owned()));
        if let Some(reference) = &invoice.buyer_reference {
            facts.push((labels.buyer_reference.clone(), reference.clone()));
        }
        if let Some(reference) = &invoice.order_reference {
            facts.push((labels.order_reference.clone(), reference.clone()));
        }
        if let Some(preceding) = &invoice.preceding_invoice {
            let value = match preceding.issue_date {
                Some(date) => fill(
                    &labels.preceding_invoice_dated,
                    &[("id", &preceding.id), ("date", &labels.formats.date(date))],
                ),
                None => preceding.id.clone(),
            };
            facts.push((labels.preceding_invoice.clone(), value));
        }
        facts
    }

    /// Name, address, tax identifiers, e-mail and contact of a party, from the current position
    /// down.
    fn party_block(&mut self, party: &Party, x: f32, width: f32, name_size: f32) {
        for line in wrap(self.fonts, &party.name, Weight::Bold, name_size, width) {
            self.y += name_size + 3.0;
            self.text(
                &line,
                x,
                width,
                self.y - 3.0,
                name_size,
                Weight::Bold,
                INK,
                Align::Left,
            );
        }
        self.y += 2.0;
        for line in &party.address.printed_lines() {
            self.paragraph(line, x, width, BODY, Weight::Regular, INK);
        }
        let labels = self.labels;
        let identifiers = [
            (&labels.vat_id, &party.vat_id),
            (&labels.tax_number, &party.tax_number),
            (&labels.legal_id, &party.legal_id),
        ];
        for (template, identifier) in identifiers {
            if let Some(identifier) = identifier {
                let line = fill(template, &[("id", identifier)]);
                self.paragraph(&line, x, width, BODY, Weight::Regular, MUTED);
            }
        }
        if let Some(email) = &party.email {
            self.paragraph(email, x, width, BODY, Weight::Regular, MUTED);
        }
        if let Some(contact) = &party.contact {
            let parts: Vec<&str> = [&contact.name, &contact.phone, &contact.email]
                .into_iter()
                .filter_map(|part| part.as_deref())
                .collect();
            if !parts.is_empty() {
                let line = format!("{}: {}", labels.contact, parts.join(" · "));
                self.paragraph(&line, x, width, BODY, Weight::Regular, MUTED);
            }
        }
    }

    fn parties(&mut self) {
        let (left, width) = (self.left(), self.content_width() / 2.0);
        self.y += 4.0;
        let labels = self.labels;
        self.heading(
            &labels.bill_to,
            left,
            width,
            self.y,
            LABEL,
            Weight::Bold,
            MUTED,
            Align::Left,
        );
        self.y += 2.0;
        self.party_block(&self.invoice.buyer, left, width, 10.5);
        self.y += 20.0;
    }

    fn columns(&self) -> Vec<Column> {
        let invoice = self.invoice;
        let labels = self.labels;
        let currency = invoice.currency;
        let measure = |text: &str| self.fonts.measure(text, Weight::Regular, BODY);
        let header = |text: &str| self.fonts.measure(text, Weight::Bold, LABEL);
        let widest = |title: &str, values: &mut dyn Iterator<Item = String>| {
            let content = values
                .map(|value| measure(&value))
                .fold(header(title), f32::max);
            (content + 2.0 * CELL_PAD).min(MAX_NUMBER_COLUMN)
        };
        let lines = &invoice.lines;
        let adjustments = || {
            self.adjustments()
                .map(|(_, adjustment, amount)| (adjustment, amount))
        };
        let formats = &labels.formats;
        let quantity = widest(
            &labels.quantity,
            &mut lines.iter().map(|line| quantity_text(formats, line)),
        );
        let price = widest(
            &fill(&labels.unit_price, &[("currency", "XXX")]),
            &mut lines
                .iter()
                .map(|line| formats.amount(currency, line.unit_price_minor)),
        );
        let tax = widest(
            &labels.tax,
            &mut lines
                .iter()
                .map(|line| tax_text(formats, line.tax_rate, line.tax_category))
                .chain(adjustments().map(|(adjustment, _)| {
                    tax_text(formats, adjustment.tax_rate, adjustment.tax_category)
                })),
        );
        let amount = widest(
            &fill(&labels.amount, &[("currency", "XXX")]),
            &mut lines
                .iter()
                .map(|line| line.net_minor)
                .chain(adjustments().map(|(_, amount)| amount))
                .map(|amount| formats.amount(currency, amount)),
        );
        let description =
            (self.content_width() - quantity - price - tax - amount).max(MIN_DESCRIPTION_WIDTH);
        // Should the numbers claim too much, they give way to the description.
        let scale = (self.content_width() - description) / (quantity + price + tax + amount);

        let mut x = self.left();
        let mut column = |title: &str, width: f32, align| {
            let column = Column {
                title: title.to_owned(),
                x,
                width,
                align,
            };
            x += width;
            column
        };
        let code = [("currency", currency.code())];
        vec![
            column(&labels.description, description, Align::Left),
            column(&labels.quantity, quantity * scale, Align::Right),
            column(
                &fill(&labels.unit_price, &code),
                price * scale,
                Align::Right,
            ),
            column(&labels.tax, tax * scale, Align::Right),
            column(&fill(&labels.amount, &code), amount * scale, Align::Right),
        ]
    }

    fn table_header(&mut self, columns: &[Column]) {
        let top = self.y;
        let (left, width) = (self.left(), self.content_width());
        let mark = self.mark();
        self.push(Item::Band {
            x: left,
            top,
            width,
            height: 18.0,
            gray: HEADER_FILL,
        });
        self.tint_since(mark, self.accent());
        // On the accent, the titles are white or black, whichever reads.
        let on_accent = self.accent().map(|accent| {
            if accent.wants_light_text() {
                Rgb(255, 255, 255)
            } else {
                Rgb(0, 0, 0)
            }
        });
        let weight = self.heading_weight(Weight::Bold);
        let mark = self.mark();
        for column in columns {
            self.text(
                &column.title,
                column.x + CELL_PAD,
                column.width - 2.0 * CELL_PAD,
                top + 12.0,
                LABEL,
                weight,
                INK,
                column.align,
            );
        }
        self.tint_since(mark, on_accent);
        self.y = top + 18.0;
    }

    fn line_table(&mut self) {
        let columns = self.columns();
        self.ensure_room(18.0 + 2.0 * LEADING);
        self.table_header(&columns);
        for line in &self.invoice.lines {
            let cells = self.cells(line, &columns);
            self.table_row(&columns, &cells);
        }
        // Document-level allowances and charges follow the lines they adjust, in the same
        // columns: an allowance lowers the total, so its amount prints negative.
        let formats = &self.labels.formats;
        let adjustments: Vec<[String; 5]> = self
            .adjustments()
            .map(|(label, adjustment, amount)| {
                [
                    label,
                    String::new(),
                    String::new(),
                    tax_text(formats, adjustment.tax_rate, adjustment.tax_category),
                    formats.amount(self.invoice.currency, amount),
                ]
            })
            .collect();
        for values in adjustments {
            let cells = self.wrap_cells(&values, &columns);
            self.table_row(&columns, &cells);
        }
    }

    /// Each document-level allowance and charge with its printed name and its signed amount.
    fn adjustments(&self) -> impl Iterator<Item = (String, &AllowanceCharge, i64)> + '_ {
        let labels = self.labels;
        let named =
            |named: &String, unnamed: &String, adjustment: &AllowanceCharge| match &adjustment
                .reason
            {
                Some(reason) => fill(named, &[("reason", reason)]),
                None => unnamed.clone(),
            };
        let allowances = self.invoice.allowances.iter().map(move |allowance| {
            (
                named(&labels.allowance, &labels.allowance_unnamed, allowance),
                allowance,
                -allowance.amount_minor,
            )
        });
        let charges = self.invoice.charges.iter().map(move |charge| {
            (
                named(&labels.charge, &labels.charge_unnamed, charge),
                charge,
                charge.amount_minor,
            )
        });
        allowances.chain(charges)
    }

    /// One row of the line table, kept on one page when it fits.
    fn table_row(&mut self, columns: &[Column], cells: &[Vec<String>]) {
        let rows = cells.iter().map(Vec::len).max().unwrap_or(1);
        // A row that fits on a page is kept together; only a taller one is split.
        let row_height = rows as f32 * LEADING + 7.0;
        let page_room = self.bottom() - self.margins.top - self.logo_room();
        if row_height <= page_room - 40.0 && self.ensure_room(row_height) {
            self.table_header(columns);
        }
        self.y += 3.0;
        for row in 0..rows {
            if self.ensure_room(LEADING + 4.0) {
                self.table_header(columns);
                self.y += 3.0;
            }
            self.y += LEADING;
            for (column, cell) in columns.iter().zip(cells) {
                if let Some(text) = cell.get(row) {
                    self.text(
                        text,
                        column.x + CELL_PAD,
                        column.width - 2.0 * CELL_PAD,
                        self.y - 3.0,
                        BODY,
                        Weight::Regular,
                        INK,
                        column.align,
                    );
                }
            }
        }
        self.y += 4.0;
        let (left, right) = (self.left(), self.right());
        self.push(Item::Rule {
            x1: left,
            x2: right,
            y: self.y,
            thickness: 0.4,
            gray: HAIRLINE,
        });
    }

    /// The text of each cell of a line, wrapped to its column.
    fn cells(&self, line: &Line, columns: &[Column]) -> Vec<Vec<String>> {
        let currency = self.invoice.currency;
        let formats = &self.labels.formats;
        let values = [
            line.description.clone(),
            quantity_text(formats, line),
            formats.amount(currency, line.unit_price_minor),
            tax_text(formats, line.tax_rate, line.tax_category),
            formats.amount(currency, line.net_minor),
        ];
        self.wrap_cells(&values, columns)
    }

    /// Each value wrapped to its column.
    fn wrap_cells(&self, values: &[String], columns: &[Column]) -> Vec<Vec<String>> {
        values
            .iter()
            .zip(columns)
            .map(|(value, column)| {
                wrap(
                    self.fonts,
                    value,
                    Weight::Regular,
                    BODY,
                    column.width - 2.0 * CELL_PAD,
                )
            })
            .collect()
    }

    /// The totals, right-aligned under the table: the first version's three names for a
    /// first-version invoice, else every total of EN 16931 that applies (BT-106 … BT-115), with
    /// the VAT breakdown per category and rate (BG-23) and the reason of each exemption.
    fn totals(&mut self) {
        let width = 290.0_f32.min(self.content_width());
        let x = self.right() - width;
        let amount_width = 120.0;
        let label_width = width - amount_width;

        let rows = if self.first_version {
            self.first_version_total_rows()
        } else {
            self.total_rows()
        };
        self.y += 10.0;
        self.ensure_room(LEADING * 2.0 + 30.0);
        for row in rows {
            match row {
                TotalRow::Amount(label, amount) => {
                    self.ensure_room(LEADING + 30.0);
                    self.y += LEADING + 1.0;
                    let baseline = self.y - 3.0;
                    self.text(
                        &label,
                        x,
                        label_width,
                        baseline,
                        BODY,
                        Weight::Regular,
                        MUTED,
                        Align::Left,
                    );
                    self.text(
                        &amount,
                        x + label_width,
                        amount_width,
                        baseline,
                        BODY,
                        Weight::Regular,
                        INK,
                        Align::Right,
                    );
                }
                TotalRow::Remark(remark) => {
                    for line in wrap(self.fonts, &remark, Weight::Regular, SMALL, width) {
                        self.ensure_room(LEADING + 30.0);
                        self.y += LEADING - 2.0;
                        self.text(
                            &line,
                            x,
                            width,
                            self.y - 3.0,
                            SMALL,
                            Weight::Regular,
                            MUTED,
                            Align::Left,
                        );
                    }
                }
            }
        }
        self.y += 6.0;
        self.accent_rule(x, x + width, self.y, 0.8, INK);
        self.y += 17.0;
        self.grand_total(x, width);
    }

    /// The bold last line of the totals: what the buyer pays.
    fn grand_total(&mut self, x: f32, width: f32) {
        let currency = self.invoice.currency;
        let totals = &self.invoice.totals;
        let (label, amount) = if self.first_version {
            (&self.labels.total_due, totals.gross_minor)
        } else {
            (&self.labels.amount_due, totals.due_minor)
        };
        let grand_total = self.labels.formats.money(currency, amount);
        let size = 11.0;
        let label_room = width - self.fonts.measure(&grand_total, Weight::Bold, size) - 8.0;
        self.text(
            label,
            x,
            label_room.max(0.0),
            self.y - 4.0,
            size,
            Weight::Bold,
            INK,
            Align::Left,
        );
        self.text(
            &grand_total,
            x,
            width,
            self.y - 4.0,
            size,
            Weight::Bold,
            INK,
            Align::Right,
        );
        self.y += 18.0;
    }

    /// The rows above the grand total of a first-version invoice, as they always were.
    fn first_version_total_rows(&self) -> Vec<TotalRow> {
        let currency = self.invoice.currency;
        let totals = &self.invoice.totals;
        let formats = &self.labels.formats;
        let mut rows = vec![TotalRow::Amount(
            self.labels.net_total.clone(),
            formats.amount(currency, totals.net_minor),
        )];
        for group in &totals.tax_groups {
            let label = fill(
                &self.labels.tax_on,
                &[
                    ("rate", &formats.rate(group.rate)),
                    ("base", &formats.amount(currency, group.net_minor)),
                ],
            );
            rows.push(TotalRow::Amount(
                label,
                formats.amount(currency, group.tax_minor),
            ));
        }
        rows
    }

    /// The rows above the amount due, named as EN 16931 names them; allowances, charges and
    /// prepaid amounts only when the invoice has them.
    fn total_rows(&self) -> Vec<TotalRow> {
        let invoice = self.invoice;
        let labels = self.labels;
        let currency = invoice.currency;
        let totals = &invoice.totals;
        let formats = &labels.formats;
        let amount = |label: &String, minor: i64| {
            TotalRow::Amount(label.clone(), formats.amount(currency, minor))
        };
        let mut rows = vec![amount(&labels.sum_of_lines, totals.net_minor)];
        if !invoice.allowances.is_empty() {
            rows.push(amount(&labels.allowances_total, -totals.allowances_minor));
        }
        if !invoice.charges.is_empty() {
            rows.push(amount(&labels.charges_total, totals.charges_minor));
        }
        if !invoice.allowances.is_empty() || !invoice.charges.is_empty() {
            rows.push(amount(
                &labels.total_without_vat,
                totals.tax_exclusive_minor,
            ));
        }
        for group in &totals.tax_groups {
            let label = fill(
                &labels.vat_on,
                &[
                    ("category", group.category.code()),
                    ("rate", &formats.rate(group.rate)),
                    ("base", &formats.amount(currency, group.net_minor)),
                ],
            );
            rows.push(TotalRow::Amount(
                label,
                formats.amount(currency, group.tax_minor),
            ));
            if let Some(remark) = self.exemption_remark(group.category) {
                rows.push(TotalRow::Remark(remark));
            }
        }
        rows.push(amount(&labels.total_with_vat, totals.gross_minor));
        if totals.prepaid_minor != 0 {
            // Printed as what it does to the total: it is taken off.
            rows.push(amount(&labels.prepaid, -totals.prepaid_minor));
        }
        rows
    }

    /// Under a VAT row whose category is not the standard rate: the category's name and the
    /// exemption reason (BT-120) and code (BT-121), as the invoice gives them.
    fn exemption_remark(&self, category: TaxCategory) -> Option<String> {
        if category == TaxCategory::S {
            return None;
        }
        let exemption = self.invoice.exemptions.get(&category);
        let reason: Vec<&str> = exemption
            .into_iter()
            .flat_map(|exemption| [&exemption.reason, &exemption.code])
            .filter_map(|part| part.as_deref())
            .collect();
        let name = self.labels.tax_category(category);
        Some(match reason.as_slice() {
            [] => name.to_owned(),
            [only] => fill(
                &self.labels.exemption,
                &[("category", name), ("reason", only)],
            ),
            [text, code, ..] => fill(
                &self.labels.exemption,
                &[("category", name), ("reason", &format!("{text} ({code})"))],
            ),
        })
    }

    /// The payment instructions (BG-16): means, account, reference and terms, each only when
    /// the invoice has it; the translated sentence that says what to pay by when; the EPC QR
    /// code on the right, when the invoice prints one.
    fn payment(&mut self) {
        let Some(payment) = &self.invoice.payment else {
            return;
        };
        let labels = self.labels;
        let mut rows = vec![(
            &labels.payment_means,
            labels.payment_means_name(&payment.means_code).to_owned(),
        )];
        let optional = [
            (&labels.iban, payment.iban.as_deref().map(grouped_in_fours)),
            (&labels.bic, payment.bic.clone()),
            (&labels.account_name, payment.account_name.clone()),
            (&labels.remittance, payment.remittance.clone()),
            (&labels.payment_terms, payment.terms.clone()),
        ];
        rows.extend(
            optional
                .into_iter()
                .filter_map(|(label, value)| value.map(|value| (label, value))),
        );
        let epc = match self.payment_code {
            Some(PaymentCode::Epc(symbol)) => Some(symbol),
            _ => None,
        };
        let code_room = epc.map_or(0.0, |symbol| epc_side(symbol) + 12.0);
        let (left, width) = (self.left(), self.content_width() - code_room);
        let label_width = rows
            .iter()
            .map(|(label, _)| self.fonts.measure(label, Weight::Regular, LABEL) + 10.0)
            .fold(90.0, f32::max);
        let code_height = epc.map_or(0.0, |symbol| epc_side(symbol) + LEADING);
        self.ensure_room((3.0 * LEADING).max(LEADING + code_height));
        self.y += LEADING;
        self.heading(
            &labels.payment,
            left,
            width,
            self.y - 3.0,
            LABEL,
            Weight::Bold,
            MUTED,
            Align::Left,
        );
        let code_bottom = epc.map(|symbol| self.epc_code(symbol));
        for (label, value) in rows {
            let lines = wrap(
                self.fonts,
                &value,
                Weight::Regular,
                BODY,
                width - label_width,
            );
            self.ensure_room(LEADING * lines.len() as f32);
            self.y += LEADING;
            self.labelled_lines(
                label,
                (left, label_width),
                &lines,
                (left + label_width, width - label_width),
                Align::Left,
            );
        }
        if let Some(instruction) = self.payment_instruction() {
            self.y += 4.0;
            self.paragraph(&instruction, left, width, BODY, Weight::Regular, INK);
        }
        if let Some(code_bottom) = code_bottom {
            self.y = self.y.max(code_bottom);
        }
        self.y += 6.0;
    }

    /// The sentence that tells the buyer what to pay by when, or what is credited, in the
    /// catalogue's words; `None` in paperflow's own English, which never printed one.
    fn payment_instruction(&self) -> Option<String> {
        let invoice = self.invoice;
        let labels = self.labels;
        let amount = labels
            .formats
            .money(invoice.currency, invoice.totals.due_minor);
        match invoice.document_type {
            DocumentType::Invoice => {
                let reference = invoice
                    .payment
                    .as_ref()
                    .and_then(|payment| payment.remittance.clone())
                    .unwrap_or_else(|| invoice.id.to_string());
                let template = labels.payment_instruction.as_ref()?;
                Some(fill(
                    template,
                    &[
                        ("amount", &amount),
                        ("date", &labels.formats.date(invoice.due_date)),
                        ("reference", &reference),
                    ],
                ))
            }
            DocumentType::CreditNote => {
                let template = labels.credit_note_instruction.as_ref()?;
                Some(fill(template, &[("amount", &amount)]))
            }
        }
    }

    /// The EPC QR code at the right edge, its top on the payment heading's line, with its
    /// caption under it; returns the `y` below the caption.
    fn epc_code(&mut self, symbol: &QrSymbol) -> f32 {
        let module = epc_module(symbol);
        let side = epc_side(symbol);
        let (x, top) = (self.right() - side, self.y - LABEL);
        let quiet_zone = QUIET_ZONE_MODULES as f32 * module;
        for item in symbol_items(symbol, x + quiet_zone, top + quiet_zone, module) {
            self.push(item);
        }
        let caption = self.labels.scan_to_pay.clone();
        self.text(
            &caption,
            x,
            side,
            top + side + 6.0,
            SMALL,
            Weight::Regular,
            MUTED,
            Align::Right,
        );
        top + side + 6.0 + LEADING
    }

    /// Draws the Swiss QR-bill's payment part and receipt at the foot of the last page, or of
    /// a page of its own when the rest of the last page is too short for it.
    fn qr_bill(&mut self) {
        let Some(PaymentCode::SwissQrBill {
            bill,
            symbol,
            texts,
        }) = self.payment_code
        else {
            return;
        };
        // The strip and, above it, the footer that makes way for it.
        self.ensure_room(STRIP_HEIGHT);
        for item in qr_bill::draw(self.fonts, texts, bill, symbol, self.height - STRIP_HEIGHT) {
            self.push(item);
        }
        self.qr_bill_page = Some(self.page);
    }

    /// A muted label on the current line and its value's wrapped `lines` beside it, one line
    /// below the other, each in the column `value` (x, width) with `align`: the facts beside
    /// the title and the payment block.
    fn labelled_lines(
        &mut self,
        label: &str,
        (label_x, label_width): (f32, f32),
        lines: &[String],
        (value_x, value_width): (f32, f32),
        align: Align,
    ) {
        self.text(
            label,
            label_x,
            label_width,
            self.y - 3.0,
            LABEL,
            Weight::Regular,
            MUTED,
            Align::Left,
        );
        for (index, line) in lines.iter().enumerate() {
            if index > 0 {
                self.y += LEADING;
            }
            self.text(
                line,
                value_x,
                value_width,
                self.y - 3.0,
                BODY,
                Weight::Regular,
                INK,
                align,
            );
        }
    }

    fn notes(&mut self) {
        let Some(notes) = &self.invoice.notes else {
            return;
        };
        let (left, width) = (self.left(), self.content_width());
        self.ensure_room(3.0 * LEADING);
        self.y += LEADING;
        let labels = self.labels;
        self.heading(
            &labels.notes,
            left,
            width,
            self.y - 3.0,
            LABEL,
            Weight::Bold,
            MUTED,
            Align::Left,
        );
        for line in wrap(self.fonts, notes, Weight::Regular, BODY, width) {
            self.ensure_room(LEADING);
            self.y += LEADING;
            self.text(
                &line,
                left,
                width,
                self.y - 3.0,
                BODY,
                Weight::Regular,
                INK,
                Align::Left,
            );
        }
    }

    /// "Page N of M" and the seller (or the theme's footer text) on every page, now that M is
    /// known.
    fn footers(&mut self) {
        let count = self.pages.len();
        let seller = &self.invoice.seller;
        let themed = self.theme.and_then(|theme| theme.footer.clone());
        let identity = themed.unwrap_or_else(|| {
            let mut identity = seller.name.clone();
            if let Some(vat_id) = &seller.vat_id {
                identity.push_str(" · ");
                identity.push_str(&fill(&self.labels.vat_id, &[("id", vat_id)]));
            }
            identity
        });
        let (left, right, width) = (self.left(), self.right(), self.content_width());
        let identity = truncate(self.fonts, &identity, SMALL, width - 90.0);
        for index in 0..count {
            self.page = index;
            // Nothing but the QR-bill may be in its strip: the footer goes above it.
            let lifted = if self.qr_bill_page == Some(index) {
                STRIP_HEIGHT
            } else {
                0.0
            };
            let from_bottom = self.margins.bottom - FOOTER_ABOVE_CONTENT;
            let rule_y = self.height - from_bottom - 12.0 - lifted;
            let baseline = self.height - from_bottom - lifted;
            self.push(Item::Rule {
                x1: left,
                x2: right,
                y: rule_y,
                thickness: 0.4,
                gray: HAIRLINE,
            });
            let page_number = fill(
                &self.labels.page_of,
                &[
                    ("page", &self.labels.formats.integer(index + 1)),
                    ("pages", &self.labels.formats.integer(count)),
                ],
            );
            for (text, align) in [
                (identity.as_str(), Align::Left),
                (&page_number, Align::Right),
            ] {
                self.text(
                    text,
                    left,
                    width,
                    baseline,
                    SMALL,
                    Weight::Regular,
                    MUTED,
                    align,
                );
            }
        }
    }
}

/// One row of the totals.
enum TotalRow {
    /// A named amount.
    Amount(String, String),
    /// A remark under the row before it, across the whole width of the totals.
    Remark(String),
}

/// Whether the invoice uses none of the 1.1 document's fields that the PDF shows: such an
/// invoice prints exactly as it did before 1.1, so that its stored PDF keeps its bytes.
fn is_first_version(invoice: &Invoice) -> bool {
    let plain_party = |party: &Party| {
        party.address.is_lines_only()
            && party.tax_number.is_none()
            && party.legal_id.is_none()
            && party.contact.is_none()
    };
    invoice.document_type == DocumentType::Invoice
        && invoice.buyer_reference.is_none()
        && invoice.order_reference.is_none()
        && invoice.preceding_invoice.is_none()
        && invoice.delivery_date.is_none()
        && invoice.payment.is_none()
        && invoice.allowances.is_empty()
        && invoice.charges.is_empty()
        && invoice.exemptions.is_empty()
        && invoice.totals.prepaid_minor == 0
        && invoice
            .lines
            .iter()
            .all(|line| line.tax_category == TaxCategory::default_for(line.tax_rate))
        && plain_party(&invoice.seller)
        && plain_party(&invoice.buyer)
}

/// The tax column of a row: the rate, and the category when it is not the one the rate
/// implies (`AE 0%` for a reverse charge, but `19%` and `0%` for standard and zero rated).
fn tax_text(formats: &Formats, rate: TaxRate, category: TaxCategory) -> String {
    if category == TaxCategory::default_for(rate) {
        formats.rate(rate)
    } else {
        format!("{} {}", category.code(), formats.rate(rate))
    }
}

/// The printed width of one module of an EPC QR code: the symbol with its quiet zone about
/// 3 cm wide, as EPC069-12 advises, and never a module under 0.5 mm, which phone cameras need.
fn epc_module(symbol: &QrSymbol) -> f32 {
    let modules = symbol.size() + 2 * QUIET_ZONE_MODULES;
    (30.0 * MM / modules as f32).max(0.5 * MM)
}

/// The side of an EPC QR code with its quiet zone.
fn epc_side(symbol: &QrSymbol) -> f32 {
    (symbol.size() + 2 * QUIET_ZONE_MODULES) as f32 * epc_module(symbol)
}

/// An IBAN as people write it: in groups of four characters.
fn grouped_in_fours(iban: &str) -> String {
    let characters: Vec<char> = iban.chars().collect();
    characters
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// "24 pcs", "1.5 h", "3".
fn quantity_text(formats: &Formats, line: &Line) -> String {
    let quantity = formats.quantity(line.quantity);
    match &line.unit {
        Some(unit) => format!("{quantity} {unit}"),
        None => quantity,
    }
}

/// The first line of `text` that fits `width`, with an ellipsis when something was cut.
fn truncate(fonts: &FontSet, text: &str, size: f32, width: f32) -> String {
    if fonts.measure(text, Weight::Regular, size) <= width {
        return text.to_owned();
    }
    let mut cut = String::new();
    for ch in text.chars() {
        cut.push(ch);
        if fonts.measure(&cut, Weight::Regular, size) + fonts.measure("…", Weight::Regular, size)
            > width
        {
            cut.pop();
            break;
        }
    }
    cut.push('…');
    cut
}
