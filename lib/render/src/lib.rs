//! The invoice PDF: a validated [`Invoice`] in, the bytes of a PDF out.
//!
//! - [`fonts`] parses the faces once and picks one for every character;
//! - `text` breaks lines by real glyph widths and orders right-to-left text for display;
//! - `layout` places every item on its page;
//! - `pdf` writes the pages with printpdf, with subset fonts and deterministic bytes.
//!
//! This crate does no I/O and knows nothing of AWS or Lambda: fonts arrive as bytes, the PDF
//! leaves as bytes. The same invoice with the same fonts always gives the same bytes.

pub mod font_files;
pub mod fonts;
mod layout;
mod pdf;
mod text;

pub use fonts::{FontError, FontSet, Weight};
use paperflow_invoice::Invoice;

/// The paper a document is laid out for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PageSize {
    /// ISO A4, 210 × 297 mm: the default.
    #[default]
    A4,
    /// US Letter, 8.5 × 11 in.
    Letter,
}

impl PageSize {
    /// Width and height in points (1/72 in).
    pub fn points(self) -> (f32, f32) {
        match self {
            PageSize::A4 => (595.28, 841.89),
            PageSize::Letter => (612.0, 792.0),
        }
    }
}

impl std::str::FromStr for PageSize {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name.to_ascii_lowercase().as_str() {
            "a4" => Ok(PageSize::A4),
            "letter" => Ok(PageSize::Letter),
            other => Err(format!("unknown page size {other:?}: use a4 or letter")),
        }
    }
}

/// How to render.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// The paper size; A4 unless asked otherwise.
    pub page_size: PageSize,
}

/// A rendered invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedPdf {
    /// The PDF file.
    pub bytes: Vec<u8>,
    /// How many pages it has.
    pub pages: usize,
    /// Characters that no available face could draw, drawn as U+FFFD instead; sorted, unique.
    pub missing_glyphs: Vec<char>,
}

impl RenderedPdf {
    /// Human-readable warnings about the rendering; empty when all went as asked.
    pub fn warnings(&self) -> Vec<String> {
        if self.missing_glyphs.is_empty() {
            return Vec::new();
        }
        let listed: Vec<String> = self
            .missing_glyphs
            .iter()
            .map(|ch| format!("{ch} (U+{:04X})", u32::from(*ch)))
            .collect();
        vec![format!(
            "{} character(s) have no glyph in the available fonts and were drawn as \u{FFFD}: {} \
             (configure a fallback font that covers them)",
            listed.len(),
            listed.join(", ")
        )]
    }
}

/// The PDF could not be written. Not expected with a valid invoice; reported, never a panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError(pub String);

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "rendering failed: {}", self.0)
    }
}

impl std::error::Error for RenderError {}

/// Renders `invoice` as a PDF with `fonts`.
pub fn render(
    invoice: &Invoice,
    fonts: &FontSet,
    options: &RenderOptions,
) -> Result<RenderedPdf, RenderError> {
    let pages = layout::lay_out(invoice, fonts, options.page_size);
    let info = pdf::DocumentInfo {
        title: format!("Invoice {}", invoice.id),
        author: invoice.seller.name.clone(),
        subject: format!("Invoice {} to {}", invoice.id, invoice.buyer.name),
        date_unix: invoice.issue_date.midnight().assume_utc().unix_timestamp(),
    };
    let written = pdf::write(&pages, options.page_size, fonts, &info)?;
    Ok(RenderedPdf {
        bytes: written.bytes,
        pages: pages.len(),
        missing_glyphs: written.missing,
    })
}
