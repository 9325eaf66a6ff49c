//! The PDFs paperflow renders, checked with the tools a reader of them would trust:
//! poppler's pdftotext, pdfinfo and pdffonts, and qpdf.

use paperflow_render::{FontSet, PageSize, RenderOptions, RenderedPdf};
use paperflow_tests::{PdfFile, cjk_fallback_font, folded, sample};

fn render_with(name: &str, fonts: &FontSet, options: RenderOptions) -> RenderedPdf {
    let invoice = paperflow_invoice::parse_invoice(&sample(name)).expect("the sample is valid");
    paperflow_render::render(&invoice, fonts, &options).expect("the sample renders")
}

fn render(name: &str) -> RenderedPdf {
    let fonts = paperflow_bundled_fonts::font_set().expect("bundled fonts");
    render_with(name, &fonts, RenderOptions::default())
}

fn with_cjk_fallback() -> FontSet {
    let path = cjk_fallback_font();
    let bytes = std::fs::read(&path).expect("the fallback font is readable");
    paperflow_bundled_fonts::font_set()
        .and_then(|fonts| fonts.with_fallback("DroidSansFallbackFull.ttf", &bytes))
        .expect("the fallback font parses")
}

/// The words `pdftotext -bbox` finds, with the right edge of each.
fn word_right_edges(pdf: &PdfFile) -> Vec<(String, f32)> {
    let output = std::process::Command::new("pdftotext")
        .args(["-bbox", &pdf.path().to_string_lossy(), "-"])
        .output()
        .expect("pdftotext runs");
    let html = String::from_utf8_lossy(&output.stdout);
    html.lines()
        .filter_map(|line| {
            let line = line.trim();
            let x_max = line
                .split("xMax=\"")
                .nth(1)?
                .split('"')
                .next()?
                .parse()
                .ok()?;
            let word = line.split('>').nth(1)?.split('<').next()?.to_owned();
            Some((word, x_max))
        })
        .collect()
}

#[test]
fn small_invoice_is_a_sound_pdf_that_reads_back_its_facts() {
    let pdf = PdfFile::new(&render("invoice-small.json").bytes);
    pdf.qpdf_check().expect("qpdf accepts the file");
    let text = folded(&pdf.text());
    for expected in [
        "INVOICE",
        "INV-2026-000123",
        "2026-11-26",
        "2026-12-26",
        "Northwind Components GmbH",
        "Hafenstrasse 12",
        "VAT ID DE811907980",
        "Contoso Facilities Ltd",
        "Leeds LS1 4AP",
        "Insulated gasket set",
        // Wrapped to its column: the first line of the description stands whole.
        "Stainless steel flange bolts M16 × 70, DIN 931, box of",
        "Freight, Hamburg → Leeds",
        "24 pcs",
        "878.27",
        "21,078.48",
        "Page 1 of 1",
        "Payment within 30 days",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} is missing from:\n{text}"
        );
    }
}

#[test]
fn totals_are_grouped_by_tax_rate_and_summed() {
    // 20 %: 21,078.48 + 263.40 + 712.50 = 22,054.38, tax 4,410.876 → 4,410.88
    // 7 %: 25.00, tax 1.75; 0 %: 189.00, tax 0.00
    let text = folded(&PdfFile::new(&render("invoice-small.json").bytes).text());
    for expected in [
        "Net total 22,268.38",
        "Tax 0% on 189.00 0.00",
        "Tax 7% on 25.00 1.75",
        "Tax 20% on 22,054.38 4,410.88",
        "Total due EUR 26,681.01",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} is missing from:\n{text}"
        );
    }
}

#[test]
fn amounts_are_right_aligned_by_their_glyph_widths() {
    let pdf = PdfFile::new(&render("invoice-small.json").bytes);
    let words = word_right_edges(&pdf);
    let edge = |amount: &str| {
        words
            .iter()
            .find(|(word, _)| word == amount)
            .map(|(_, x_max)| *x_max)
            .unwrap_or_else(|| panic!("{amount} is not on the page"))
    };
    // Line amounts of different widths end at the same x.
    let edges = ["21,078.48", "263.40", "712.50", "25.00"].map(edge);
    for right in edges {
        assert!(
            (right - edges[0]).abs() < 0.5,
            "amount column edges differ: {edges:?}"
        );
    }
    // Unit prices too, in their own column left of the amounts.
    let prices = ["878.27", "43.90", "95.00", "12.50"].map(edge);
    for right in prices {
        assert!(
            (right - prices[0]).abs() < 0.5,
            "unit price edges differ: {prices:?}"
        );
    }
    assert!(prices[0] < edges[0] - 30.0);
}

#[test]
fn six_hundred_lines_continue_over_pages_with_header_and_page_numbers() {
    let rendered = render("invoice-600-lines.json");
    let pdf = PdfFile::new(&rendered.bytes);
    pdf.qpdf_check().expect("qpdf accepts the file");
    let pages = pdf.pages();
    assert_eq!(pages, rendered.pages);
    assert!(pages >= 10, "600 lines fit on {pages} pages?");
    for page in 1..=pages {
        let text = folded(&pdf.page_text(page));
        assert!(
            text.contains(&format!("Page {page} of {pages}")),
            "page {page}:\n{text}"
        );
        if page > 1 {
            assert!(
                text.contains("Invoice INV-2026-000600 (continued)"),
                "page {page}:\n{text}"
            );
        }
        if page < pages {
            // Every page that carries lines repeats the table header.
            assert!(
                text.contains("Description Quantity Unit price (EUR) Tax Amount (EUR)"),
                "page {page} has no table header:\n{text}"
            );
        }
    }
    let all = folded(&pdf.text());
    // Each line's description ends in "position NNN" (which may wrap after "position").
    assert_eq!(all.matches("position").count(), 600);
    assert!(all.contains("Total due EUR"));
}

#[test]
fn greek_cyrillic_and_accented_latin_come_back_out_unchanged() {
    let text = folded(&PdfFile::new(&render("invoice-multilingual.json").bytes).text());
    for expected in [
        "Ελληνικά Εργαλεία Α.Ε.",
        "Οδός Ερμού 25",
        "Σετ κατσαβιδιών ακριβείας — 24 τεμάχια",
        "ООО «Северный Ветер»",
        "Набор гаечных ключей, хромированный",
        "Ærøskøbing, Škoda, Łódź, Šiauliai, Győr, Ñandú, Œuvre,",
        "Ğ, İstanbul, Þórshöfn",
        "Спасибо за заказ!",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} is missing from:\n{text}"
        );
    }
}

#[test]
fn characters_no_font_has_are_drawn_as_replacements_and_reported() {
    let rendered = render("invoice-multilingual.json");
    for ch in ['東', '京', '🎁', 'あ'] {
        assert!(rendered.missing_glyphs.contains(&ch), "{ch} not reported");
    }
    let warning = rendered.warnings().join("\n");
    assert!(warning.contains("東 (U+6771)"), "{warning}");
    assert!(warning.contains("fallback font"), "{warning}");
    let text = PdfFile::new(&rendered.bytes).text();
    assert!(
        text.contains("\u{FFFD}\u{FFFD}"),
        "no visible replacement in:\n{text}"
    );
    assert!(text.contains("Tokyo branch tool kit"));
}

#[test]
fn a_configured_fallback_font_draws_cjk() {
    let fonts = with_cjk_fallback();
    let rendered = render_with(
        "invoice-multilingual.json",
        &fonts,
        RenderOptions::default(),
    );
    for ch in ['東', '京', 'あ'] {
        assert!(!rendered.missing_glyphs.contains(&ch), "{ch} still missing");
    }
    // Droid Sans Fallback has no emoji: those are still reported, never dropped.
    assert!(rendered.missing_glyphs.contains(&'🎁'));
    let pdf = PdfFile::new(&rendered.bytes);
    pdf.qpdf_check().expect("qpdf accepts the file");
    let text = folded(&pdf.text());
    assert!(text.contains("東京支店向け工具セット"), "{text}");
    assert!(text.contains("ありがとうございます。"), "{text}");
    assert!(text.contains("Ελληνικά Εργαλεία"), "{text}");
}

#[test]
fn the_same_invoice_always_gives_the_same_bytes() {
    let fonts = with_cjk_fallback();
    for name in [
        "invoice-small.json",
        "invoice-multilingual.json",
        "invoice-jpy.json",
    ] {
        let first = render_with(name, &fonts, RenderOptions::default());
        let second = render_with(name, &fonts, RenderOptions::default());
        assert!(
            first.bytes == second.bytes,
            "{name} rendered differently twice"
        );
    }
}

#[test]
fn metadata_names_the_invoice_the_seller_and_paperflow() {
    let pdf = PdfFile::new(&render("invoice-small.json").bytes);
    assert_eq!(pdf.info("Title"), "Invoice INV-2026-000123");
    assert_eq!(pdf.info("Author"), "Northwind Components GmbH");
    assert!(pdf.info("Creator").starts_with("paperflow "));
    assert!(
        pdf.info("CreationDate").contains("2026"),
        "dated by its issue date"
    );
}

#[test]
fn pages_are_a4_by_default_and_letter_on_request() {
    let a4 = PdfFile::new(&render("invoice-small.json").bytes);
    assert!(
        a4.info("Page size").contains("(A4)"),
        "{}",
        a4.info("Page size")
    );
    let fonts = paperflow_bundled_fonts::font_set().expect("bundled fonts");
    let letter = render_with(
        "invoice-small.json",
        &fonts,
        RenderOptions {
            page_size: PageSize::Letter,
            ..RenderOptions::default()
        },
    );
    let letter = PdfFile::new(&letter.bytes);
    assert!(
        letter.info("Page size").contains("(letter)"),
        "{}",
        letter.info("Page size")
    );
}

#[test]
fn fonts_are_embedded_as_subsets_so_a_page_stays_small() {
    let rendered = render("invoice-small.json");
    assert!(
        rendered.bytes.len() <= 40 * 1024,
        "{} bytes",
        rendered.bytes.len()
    );
    let fonts = PdfFile::new(&rendered.bytes).fonts();
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    for row in rows {
        let columns: Vec<&str> = row.split_whitespace().collect();
        // name type encoding emb sub uni object-id generation
        let flags = &columns[columns.len() - 5..columns.len() - 2];
        assert_eq!(
            flags,
            ["yes", "yes", "yes"],
            "not an embedded subset with a ToUnicode map: {row}"
        );
    }
}

#[test]
fn yen_amounts_have_no_decimals() {
    // 40 × 3,850 + 3 × 28,600 + 1.25 × 12,001 (15,001.25 → 15,001) = 254,801 at 10 %: tax 25,480.1 → 25,480
    let text = folded(&PdfFile::new(&render("invoice-jpy.json").bytes).text());
    for expected in [
        "154,000",
        "15,001",
        "Tax 10% on 254,801 25,480",
        "Total due JPY 284,781",
        "Revision 2",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} is missing from:\n{text}"
        );
    }
}
