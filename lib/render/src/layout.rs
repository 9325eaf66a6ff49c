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

use crate::PageSize;
use crate::fonts::{FontSet, Weight};
use crate::text::{visual_order, wrap};
use paperflow_invoice::{Invoice, Line};

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
}

/// The pages of a laid-out invoice.
pub(crate) type Pages = Vec<Vec<Item>>;

const MARGIN_X: f32 = 48.0;
const MARGIN_TOP: f32 = 48.0;
/// Room kept free at the bottom of every page for the footer.
const MARGIN_BOTTOM: f32 = 64.0;
const FOOTER_FROM_BOTTOM: f32 = 34.0;

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

/// Lays the invoice out on pages of `page_size`.
pub(crate) fn lay_out(invoice: &Invoice, fonts: &FontSet, page_size: PageSize) -> Pages {
    let (width, height) = page_size.points();
    let mut composer = Composer {
        fonts,
        invoice,
        width,
        height,
        pages: vec![Vec::new()],
        page: 0,
        y: MARGIN_TOP,
    };
    composer.header();
    composer.parties();
    composer.line_table();
    composer.totals();
    composer.notes();
    composer.footers();
    composer.pages
}

struct Composer<'a> {
    fonts: &'a FontSet,
    invoice: &'a Invoice,
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
        MARGIN_X
    }

    fn right(&self) -> f32 {
        self.width - MARGIN_X
    }

    fn content_width(&self) -> f32 {
        self.right() - self.left()
    }

    fn bottom(&self) -> f32 {
        self.height - MARGIN_BOTTOM
    }

    fn push(&mut self, item: Item) {
        if let Some(page) = self.pages.get_mut(self.page) {
            page.push(item);
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
        self.y = MARGIN_TOP;
        let caption = format!("Invoice {} (continued)", self.invoice.id);
        let (left, width) = (self.left(), self.content_width());
        self.text(
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
        self.text(
            "INVOICE",
            facts_x,
            facts_width,
            top + 18.0,
            TITLE,
            Weight::Bold,
            INK,
            Align::Right,
        );
        self.y = top + 28.0;
        let mut facts = vec![
            ("Invoice number", invoice.id.to_string()),
            ("Issue date", invoice.issue_date.to_string()),
            ("Due date", invoice.due_date.to_string()),
            ("Currency", invoice.currency.code().to_owned()),
        ];
        if invoice.revision > 1 {
            facts.insert(1, ("Revision", invoice.revision.to_string()));
        }
        let label_width = 78.0;
        for (label, value) in facts {
            let value_lines = wrap(
                self.fonts,
                &value,
                Weight::Regular,
                BODY,
                facts_width - label_width,
            );
            self.y += LEADING;
            let baseline = self.y - 3.0;
            self.text(
                label,
                facts_x,
                label_width,
                baseline,
                LABEL,
                Weight::Regular,
                MUTED,
                Align::Left,
            );
            for (index, line) in value_lines.iter().enumerate() {
                if index > 0 {
                    self.y += LEADING;
                }
                self.text(
                    line,
                    facts_x,
                    facts_width,
                    self.y - 3.0,
                    BODY,
                    Weight::Regular,
                    INK,
                    Align::Right,
                );
            }
        }
        let facts_bottom = self.y;

        self.y = top;
        self.party_block(&invoice.seller, left, seller_width, 12.5);
        self.y = self.y.max(facts_bottom) + 22.0;
        self.push(Item::Rule {
            x1: left,
            x2: right,
            y: self.y - 10.0,
            thickness: 0.6,
            gray: HAIRLINE,
        });
    }

    /// Name, address, VAT id and e-mail of a party, from the current position down.
    fn party_block(
        &mut self,
        party: &paperflow_invoice::Party,
        x: f32,
        width: f32,
        name_size: f32,
    ) {
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
        if let Some(vat_id) = &party.vat_id {
            self.paragraph(
                &format!("VAT ID {vat_id}"),
                x,
                width,
                BODY,
                Weight::Regular,
                MUTED,
            );
        }
        if let Some(email) = &party.email {
            self.paragraph(email, x, width, BODY, Weight::Regular, MUTED);
        }
    }

    fn parties(&mut self) {
        let (left, width) = (self.left(), self.content_width() / 2.0);
        self.y += 4.0;
        self.text(
            "BILL TO",
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
        let quantity = widest("Quantity", &mut lines.iter().map(quantity_text));
        let price = widest(
            "Unit price (XXX)",
            &mut lines
                .iter()
                .map(|line| currency.format_minor(line.unit_price_minor)),
        );
        let tax = widest(
            "Tax",
            &mut lines.iter().map(|line| line.tax_rate.to_string()),
        );
        let amount = widest(
            "Amount (XXX)",
            &mut lines
                .iter()
                .map(|line| currency.format_minor(line.net_minor)),
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
        vec![
            column("Description", description, Align::Left),
            column("Quantity", quantity * scale, Align::Right),
            column(
                &format!("Unit price ({})", currency.code()),
                price * scale,
                Align::Right,
            ),
            column("Tax", tax * scale, Align::Right),
            column(
                &format!("Amount ({})", currency.code()),
                amount * scale,
                Align::Right,
            ),
        ]
    }

    fn table_header(&mut self, columns: &[Column]) {
        let top = self.y;
        let (left, width) = (self.left(), self.content_width());
        self.push(Item::Band {
            x: left,
            top,
            width,
            height: 18.0,
            gray: HEADER_FILL,
        });
        for column in columns {
            self.text(
                &column.title,
                column.x + CELL_PAD,
                column.width - 2.0 * CELL_PAD,
                top + 12.0,
                LABEL,
                Weight::Bold,
                INK,
                column.align,
            );
        }
        self.y = top + 18.0;
    }

    fn line_table(&mut self) {
        let columns = self.columns();
        self.ensure_room(18.0 + 2.0 * LEADING);
        self.table_header(&columns);
        for line in &self.invoice.lines {
            let cells = self.cells(line, &columns);
            let rows = cells.iter().map(Vec::len).max().unwrap_or(1);
            // A row that fits on a page is kept together; only a taller one is split.
            let row_height = rows as f32 * LEADING + 7.0;
            if row_height <= self.bottom() - MARGIN_TOP - 40.0 && self.ensure_room(row_height) {
                self.table_header(&columns);
            }
            self.y += 3.0;
            for row in 0..rows {
                if self.ensure_room(LEADING + 4.0) {
                    self.table_header(&columns);
                    self.y += 3.0;
                }
                self.y += LEADING;
                for (column, cell) in columns.iter().zip(&cells) {
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
    }

    /// The text of each cell of a line, wrapped to its column.
    fn cells(&self, line: &Line, columns: &[Column]) -> Vec<Vec<String>> {
        let currency = self.invoice.currency;
        let values = [
            line.description.clone(),
            quantity_text(line),
            currency.format_minor(line.unit_price_minor),
            line.tax_rate.to_string(),
            currency.format_minor(line.net_minor),
        ];
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

    fn totals(&mut self) {
        let invoice = self.invoice;
        let currency = invoice.currency;
        let totals = &invoice.totals;
        let width = 290.0_f32.min(self.content_width());
        let x = self.right() - width;
        let amount_width = 120.0;
        let label_width = width - amount_width;

        let mut rows = vec![(
            String::from("Net total"),
            currency.format_minor(totals.net_minor),
        )];
        for group in &totals.tax_groups {
            rows.push((
                format!(
                    "Tax {} on {}",
                    group.rate,
                    currency.format_minor(group.net_minor)
                ),
                currency.format_minor(group.tax_minor),
            ));
        }
        self.y += 10.0;
        self.ensure_room(LEADING * 2.0 + 30.0);
        for (label, amount) in rows {
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
        self.y += 6.0;
        self.push(Item::Rule {
            x1: x,
            x2: x + width,
            y: self.y,
            thickness: 0.8,
            gray: INK,
        });
        self.y += 17.0;
        let grand_total = currency.format_with_code(totals.gross_minor);
        let size = 11.0;
        let label_room = width - self.fonts.measure(&grand_total, Weight::Bold, size) - 8.0;
        self.text(
            "Total due",
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

    fn notes(&mut self) {
        let Some(notes) = &self.invoice.notes else {
            return;
        };
        let (left, width) = (self.left(), self.content_width());
        self.ensure_room(3.0 * LEADING);
        self.y += LEADING;
        self.text(
            "NOTES",
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

    /// "Page N of M" and the seller on every page, now that M is known.
    fn footers(&mut self) {
        let count = self.pages.len();
        let seller = &self.invoice.seller;
        let mut identity = seller.name.clone();
        if let Some(vat_id) = &seller.vat_id {
            identity.push_str(" · VAT ID ");
            identity.push_str(vat_id);
        }
        let (left, right, width) = (self.left(), self.right(), self.content_width());
        let rule_y = self.height - FOOTER_FROM_BOTTOM - 12.0;
        let baseline = self.height - FOOTER_FROM_BOTTOM;
        let identity = truncate(self.fonts, &identity, SMALL, width - 90.0);
        for index in 0..count {
            self.page = index;
            self.push(Item::Rule {
                x1: left,
                x2: right,
                y: rule_y,
                thickness: 0.4,
                gray: HAIRLINE,
            });
            let page_number = format!("Page {} of {}", index + 1, count);
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

/// "24 pcs", "1.5 h", "3".
fn quantity_text(line: &Line) -> String {
    match &line.unit {
        Some(unit) => format!("{} {}", line.quantity, unit),
        None => line.quantity.to_string(),
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
