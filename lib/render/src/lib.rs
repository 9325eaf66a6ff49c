//! The invoice PDF: a validated [`Invoice`] in, the bytes of a PDF out.
//!
//! - [`fonts`] parses the faces once and picks one for every character;
//! - `text` breaks lines by real glyph widths and orders right-to-left text for display;
//! - `layout` places every item on its page;
//! - `pdf` writes the pages with printpdf, with subset fonts and deterministic bytes;
//! - `facturx` makes that file a Factur-X PDF/A-3b with the invoice's XML embedded, when asked;
//! - [`labels`] holds every printed word, so that a translation replaces them in one place;
//! - [`theme`] checks a brand (accent colour, heading font, footer, margins, logo) once.
//!
//! This crate does no I/O and knows nothing of AWS or Lambda: fonts arrive as bytes, the PDF
//! leaves as bytes. The same invoice with the same fonts always gives the same bytes.

mod facturx;
pub mod font_files;
pub mod fonts;
pub mod labels;
mod layout;
mod payment_qr;
mod pdf;
mod qr_bill;
mod text;
pub mod theme;

pub use facturx::FACTUR_X_FILE_NAME;
pub use fonts::{FontError, FontSet, Weight};
pub use labels::{Formats, Labels};
use paperflow_invoice::{DocumentType, Invoice};
pub use theme::{Theme, ThemeError, ThemeFile};

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
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// The paper size; A4 unless asked otherwise.
    pub page_size: PageSize,
    /// The printed words of a document in English (`language` `en`, the default): paperflow's
    /// own unless others are given. A document in another language prints with its locale's
    /// ([`Labels::for_language`]).
    pub labels: Labels,
    /// `Some`: write a Factur-X file, a PDF/A-3b with this XML embedded. `None`: a plain PDF.
    pub factur_x: Option<FacturX>,
    /// The brand to render with: the invoice's `theme`, read by the caller. `None`: paperflow's
    /// own look, byte for byte as without themes.
    pub theme: Option<std::sync::Arc<Theme>>,
}

/// What makes a PDF a Factur-X invoice: the CII XML of the EN 16931 profile, embedded as
/// [`FACTUR_X_FILE_NAME`]. The renderer embeds it as given; `paperflow_einvoice::to_xml`
/// writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacturX {
    /// The XML, byte for byte as it is embedded.
    pub xml: Vec<u8>,
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

/// Renders `invoice` as a PDF with `fonts`; with [`RenderOptions::factur_x`], as a Factur-X
/// PDF/A-3b file.
pub fn render(
    invoice: &Invoice,
    fonts: &FontSet,
    options: &RenderOptions,
) -> Result<RenderedPdf, RenderError> {
    // A document in English prints with the caller's labels, paperflow's own unless a caller
    // brings others; any other language with its catalogue and CLDR's formats.
    let translated;
    let labels = if invoice.language.tag() == "en" {
        &options.labels
    } else {
        translated = Labels::for_language(invoice.language.tag())
            .map_err(|error| RenderError(format!("language: {error}")))?;
        &translated
    };
    let payment_code = payment_qr::payment_code(invoice, options.page_size, &labels.formats)?;
    let pages = layout::lay_out(
        invoice,
        fonts,
        options.page_size,
        labels,
        payment_code.as_ref(),
        options.theme.as_deref(),
    );
    let title_template = match invoice.document_type {
        DocumentType::Invoice => &labels.invoice_document,
        DocumentType::CreditNote => &labels.credit_note_document,
    };
    let title = labels::fill(title_template, &[("id", invoice.id.as_str())]);
    let subject = labels::fill(
        &labels.document_subject,
        &[("document", &title), ("buyer", &invoice.buyer.name)],
    );
    let info = pdf::DocumentInfo {
        title,
        author: invoice.seller.name.clone(),
        subject,
        date_unix: invoice.issue_date.midnight().assume_utc().unix_timestamp(),
    };
    let factur_x = options
        .factur_x
        .as_ref()
        .map(|factur_x| factur_x.xml.as_slice());
    let logo = options.theme.as_ref().and_then(|theme| theme.logo.as_ref());
    let written = pdf::write(&pages, options.page_size, fonts, &info, factur_x, logo)?;
    Ok(RenderedPdf {
        bytes: written.bytes,
        pages: pages.len(),
        missing_glyphs: written.missing,
    })
}
