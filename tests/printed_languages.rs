//! The printed languages: one list of them, and the same invoice rendered in German, French
//! and Japanese with the catalogue's labels and the locale's number, currency and date formats,
//! read back from the PDF by poppler's `pdftotext`.

use paperflow_invoice::{SUPPORTED_LANGUAGES, invoice_from_value};
use paperflow_locale::{Language, Locale, Message};
use paperflow_render::RenderOptions;
use paperflow_tests::{PdfFile, cjk_fallback_font, folded};
use serde_json::{Value, json};

/// One line of EUR 1,234.56 without VAT, issued on 26 November 2026, in `language`.
fn invoice_in(language: &str) -> Value {
    json!({
      "invoice_id": "INV-2026-000123",
      "issue_date": "2026-11-26",
      "due_date": "2026-12-26",
      "currency": "EUR",
      "language": language,
      "seller": { "name": "Northwind Components GmbH",
                  "address": { "lines": ["Hafenstrasse 12"], "city": "Hamburg", "postal_code": "20457", "country_code": "DE" } },
      "buyer": { "name": "Contoso Facilities Ltd", "address": ["Unit 4, Riverside Park", "Leeds LS1 4AP"] },
      "lines": [ { "description": "Gasket set", "quantity": 1, "unit_price_minor": 123_456, "tax_rate_bp": 0 } ]
    })
}

fn rendered_text(language: &str) -> String {
    let invoice = invoice_from_value(&invoice_in(language)).expect("a valid invoice");
    // The CJK font the Lambda layer brings; the bundled fonts are Latin, Greek and Cyrillic.
    let cjk = std::fs::read(cjk_fallback_font()).expect("the fallback font is readable");
    let fonts = paperflow_bundled_fonts::font_set()
        .and_then(|fonts| fonts.with_fallback("DroidSansFallbackFull.ttf", &cjk))
        .expect("the fonts parse");
    let rendered =
        paperflow_render::render(&invoice, &fonts, &RenderOptions::default()).expect("it renders");
    PdfFile::new(&rendered.bytes).text()
}

#[test]
fn the_invoice_model_and_the_catalogues_support_the_same_languages() {
    let catalogues: Vec<&str> = Language::ALL
        .iter()
        .map(|language| language.code())
        .collect();
    assert_eq!(SUPPORTED_LANGUAGES.as_slice(), catalogues.as_slice());
}

#[test]
fn an_unknown_language_is_a_problem_that_lists_every_supported_one() {
    let violations = invoice_from_value(&invoice_in("tr")).expect_err("Turkish has no catalogue");
    let problem = violations.iter().next().expect("a problem");
    assert_eq!(problem.pointer, "/language");
    for language in Language::ALL {
        assert!(
            problem.rule.contains(language.code()),
            "{language} is missing from {:?}",
            problem.rule
        );
    }
}

#[test]
fn german_french_and_japanese_print_their_labels_and_their_formats() {
    // (language, the amount due with its currency, the issue date)
    let expected = [
        ("de", "1.234,56\u{a0}€", "26.11.2026"),
        // CLDR groups French thousands with a narrow no-break space (U+202F).
        ("fr", "1\u{202f}234,56\u{a0}€", "26/11/2026"),
        ("ja", "€1,234.56", "2026年11月26日"),
    ];
    for (language, amount, date) in expected {
        let text = folded(&rendered_text(language));
        let locale = Locale::for_tag(language).expect("a supported language");
        // The exact characters, spaces included, from the formatter the renderer calls; on the
        // page, where pdftotext turns every kind of space into a plain one, the same words.
        assert_eq!(locale.money(123_456, "EUR", 2), amount, "{language}");
        let amount = &folded(amount);
        for message in [
            Message::InvoiceTitle,
            Message::IssueDate,
            Message::DueDate,
            Message::AmountDue,
        ] {
            let label = locale.text(message);
            assert!(
                text.contains(&label),
                "{language}: the label {label:?} is missing from:\n{text}"
            );
        }
        assert!(
            text.contains(amount),
            "{language}: {amount:?} is missing from:\n{text}"
        );
        assert!(
            text.contains(date),
            "{language}: {date:?} is missing from:\n{text}"
        );
    }
}
