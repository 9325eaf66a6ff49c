//! Properties that hold for every valid invoice, not just the samples: it renders, qpdf accepts
//! the file, its text carries the invoice id and the grand total, and rendering is repeatable.

use paperflow_render::RenderOptions;
use paperflow_tests::{PdfFile, folded};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Names and descriptions in the scripts the bundled fonts cover, with spaces and punctuation.
fn text(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!(
        "[A-Za-z0-9À-ÿĀ-žΑ-ΡΣ-Ωα-ωА-Яа-я€&(),.'/ -]{{1,{max}}}"
    ))
    .expect("a valid pattern")
    .prop_filter("not blank", |text| !text.trim().is_empty())
}

fn line() -> impl Strategy<Value = Value> {
    (
        text(120),
        1_i64..5_000_000,
        0_i64..100_000_000,
        prop::sample::select(vec![0_u32, 500, 700, 1000, 1900, 2000, 2500]),
        prop::option::of("[a-z]{1,5}"),
    )
        .prop_map(|(description, quantity_milli, price, rate, unit)| {
            let mut line = json!({
                "description": description,
                "quantity": quantity_milli as f64 / 1000.0,
                "unit_price_minor": price,
                "tax_rate_bp": rate,
            });
            if let Some(unit) = unit {
                line["unit"] = json!(unit);
            }
            line
        })
}

fn party() -> impl Strategy<Value = Value> {
    (text(60), prop::collection::vec(text(60), 1..4))
        .prop_map(|(name, address)| json!({ "name": name, "address": address }))
}

fn invoice() -> impl Strategy<Value = Value> {
    (
        "[A-Z]{2,4}-[0-9]{1,10}",
        1_u32..5,
        prop::sample::select(vec!["EUR", "USD", "JPY", "KWD", "GBP", "CHF", "SEK"]),
        party(),
        party(),
        prop::collection::vec(line(), 1..60),
        prop::option::of(text(400)),
    )
        .prop_map(|(id, revision, currency, seller, buyer, lines, notes)| {
            let mut invoice = json!({
                "invoice_id": id,
                "revision": revision,
                "issue_date": "2026-11-26",
                "due_date": "2026-12-26",
                "currency": currency,
                "seller": seller,
                "buyer": buyer,
                "lines": lines,
            });
            if let Some(notes) = notes {
                invoice["notes"] = json!(notes);
            }
            invoice
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_valid_invoice_renders_to_a_sound_pdf_with_its_id_and_total(document in invoice()) {
        let invoice = paperflow_invoice::invoice_from_value(&document)
            .map_err(|violations| TestCaseError::fail(format!("generated an invalid invoice: {violations}")))?;
        let fonts = paperflow_bundled_fonts::font_set().expect("bundled fonts");
        let first = paperflow_render::render(&invoice, &fonts, &RenderOptions::default())
            .map_err(|error| TestCaseError::fail(error.to_string()))?;
        let second = paperflow_render::render(&invoice, &fonts, &RenderOptions::default())
            .map_err(|error| TestCaseError::fail(error.to_string()))?;
        prop_assert!(first.bytes == second.bytes, "two renderings differ");
        prop_assert!(first.missing_glyphs.is_empty(), "{:?}", first.missing_glyphs);

        let pdf = PdfFile::new(&first.bytes);
        if let Err(report) = pdf.qpdf_check() {
            return Err(TestCaseError::fail(format!("qpdf --check failed: {report}")));
        }
        prop_assert_eq!(pdf.pages(), first.pages);
        let text = folded(&pdf.text());
        let total = invoice.currency.format_with_code(invoice.totals.gross_minor);
        prop_assert!(text.contains(invoice.id.as_str()), "id missing from {}", text);
        prop_assert!(text.contains(&format!("Total due {total}")), "{} missing from {}", total, text);
    }
}
