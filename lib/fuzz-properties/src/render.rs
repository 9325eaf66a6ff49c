//! `render_valid`: the renderer, fed every document the validator accepts.

use paperflow_invoice::parse_invoice;
use paperflow_render::{FontSet, RenderOptions, render};
use std::sync::OnceLock;

/// The bundled fonts, parsed once per process (as a function does per cold start).
fn fonts() -> &'static FontSet {
    static FONTS: OnceLock<FontSet> = OnceLock::new();
    FONTS.get_or_init(|| paperflow_bundled_fonts::font_set().expect("the bundled fonts load"))
}

/// A document the validator accepts always renders (an error is a finding): a PDF file with at
/// least one page, and the same bytes when rendered again.
pub fn check(data: &[u8]) {
    let Ok(invoice) = parse_invoice(data) else {
        return;
    };
    let options = RenderOptions::default();
    let first = render(&invoice, fonts(), &options)
        .unwrap_or_else(|error| panic!("a valid invoice does not render: {error}"));
    assert!(first.bytes.starts_with(b"%PDF-"), "not a PDF file");
    assert!(first.pages >= 1, "a PDF without a page");
    let again = render(&invoice, fonts(), &options)
        .unwrap_or_else(|error| panic!("the second rendering failed: {error}"));
    assert!(
        again == first,
        "the same invoice rendered twice gave different PDFs"
    );
}
