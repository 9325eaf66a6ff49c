//! A branded invoice, read back with poppler (`pdfimages`, `pdftotext`): the sample theme's logo
//! is one image however many pages, its footer is on every page, and the same input gives the
//! same bytes.

use paperflow_render::{RenderOptions, Theme, ThemeFile, render};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The sample theme, read as `paperflow render --theme-dir samples/themes` reads it.
fn northwind() -> Theme {
    let folder = repo_root().join("samples/themes/northwind");
    let file = ThemeFile::parse(&read(&folder.join("theme.json"))).expect("valid theme");
    let logo = read(&folder.join(file.logo_file().expect("names a logo")));
    file.with_logo(Some(&logo)).expect("valid logo")
}

/// The branded German sample, with `extra_lines` more lines.
fn branded_invoice(extra_lines: usize) -> paperflow_invoice::Invoice {
    let path = repo_root().join("samples/invoice-de-branded.json");
    let mut document: serde_json::Value =
        serde_json::from_slice(&read(&path)).expect("sample is JSON");
    let lines = document["lines"].as_array_mut().expect("lines");
    for index in 0..extra_lines {
        lines.push(serde_json::json!({
            "description": format!("Ersatzteil Nr. {index}"), "quantity": 1,
            "unit_price_minor": 1000 + index, "tax_rate_bp": 1900
        }));
    }
    let bytes = serde_json::to_vec(&document).expect("serialises");
    paperflow_invoice::parse_invoice(&bytes).expect("valid invoice")
}

fn render_with(
    invoice: &paperflow_invoice::Invoice,
    theme: Theme,
) -> paperflow_render::RenderedPdf {
    let options = RenderOptions {
        theme: Some(Arc::new(theme)),
        ..RenderOptions::default()
    };
    render(
        invoice,
        &paperflow_bundled_fonts::font_set().expect("fonts"),
        &options,
    )
    .expect("renders")
}

/// Runs a poppler tool on `pdf` and returns its standard output.
fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("invoice.pdf");
    std::fs::write(&file, pdf).expect("write pdf");
    let output = Command::new(tool)
        .args(args)
        .arg(&file)
        .args(if tool == "pdftotext" {
            &["-"][..]
        } else {
            &[][..]
        })
        .output()
        .unwrap_or_else(|error| panic!("{tool} (make tools installs poppler-utils): {error}"));
    assert!(output.status.success(), "{tool}: {output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The rows of `pdfimages -list` after its two header lines: page, number, type, …, object id.
fn image_rows(pdf: &[u8]) -> Vec<Vec<String>> {
    poppler("pdfimages", &["-list"], pdf)
        .lines()
        .skip(2)
        .map(|row| row.split_whitespace().map(str::to_owned).collect())
        .collect()
}

#[test]
fn the_logo_is_embedded_once_and_drawn_on_every_page() {
    let pdf = render_with(&branded_invoice(120), northwind());
    assert!(pdf.pages >= 3, "{} pages", pdf.pages);
    let rows = image_rows(&pdf.bytes);
    let images: Vec<&Vec<String>> = rows.iter().filter(|row| row[2] == "image").collect();
    // Drawn once per page, all from one object.
    assert_eq!(images.len(), pdf.pages, "{rows:?}");
    let objects: std::collections::BTreeSet<&String> = images.iter().map(|row| &row[10]).collect();
    assert_eq!(objects.len(), 1, "one image object: {rows:?}");
    // The sample logo is 480 × 128, and its transparency is its soft mask.
    assert_eq!(
        (images[0][3].as_str(), images[0][4].as_str()),
        ("480", "128")
    );
    assert!(rows.iter().any(|row| row[2] == "smask"), "{rows:?}");
}

#[test]
fn the_themes_footer_is_printed_on_every_page() {
    let pdf = render_with(&branded_invoice(120), northwind());
    for page in 1..=pdf.pages {
        let number = page.to_string();
        let text = poppler(
            "pdftotext",
            &["-layout", "-f", &number, "-l", &number],
            &pdf.bytes,
        );
        assert!(
            text.contains("Northwind Components GmbH · Hafenstrasse 12 · 20457 Hamburg"),
            "page {page}: {text}"
        );
        assert!(
            text.contains(&format!("Seite {page} von {}", pdf.pages)),
            "{text}"
        );
    }
}

#[test]
fn a_branded_invoice_renders_to_the_same_bytes_every_time() {
    let invoice = branded_invoice(0);
    let first = render_with(&invoice, northwind());
    let second = render_with(&invoice, northwind());
    assert_eq!(first.bytes, second.bytes);
    let plain = render(
        &invoice,
        &paperflow_bundled_fonts::font_set().expect("fonts"),
        &RenderOptions::default(),
    )
    .expect("renders");
    assert_ne!(first.bytes, plain.bytes, "the theme changes the document");
}

#[test]
fn a_jpeg_logo_is_embedded_as_its_own_dct_bytes() {
    let file = ThemeFile::parse(br##"{"accent_color": "#0B5FFF", "logo": "logo.jpg"}"##)
        .expect("valid theme");
    let jpeg = read(&repo_root().join("lib/render/tests/fixtures/logo.jpg"));
    let theme = file.with_logo(Some(&jpeg)).expect("valid JPEG");
    let pdf = render_with(&branded_invoice(0), theme);
    let rows = image_rows(&pdf.bytes);
    assert_eq!(rows.len(), 1, "{rows:?}");
    // Columns: page num type width height color comp bpc enc …
    assert_eq!(
        rows[0][3..9],
        ["200", "60", "rgb", "3", "8", "jpeg"],
        "{rows:?}"
    );
}

#[test]
fn a_truncated_jpeg_logo_is_refused_naming_the_logo() {
    let file = ThemeFile::parse(br##"{"accent_color": "#0B5FFF", "logo": "logo.jpg"}"##)
        .expect("valid theme");
    let jpeg = read(&repo_root().join("lib/render/tests/fixtures/logo.jpg"));
    let error = file
        .with_logo(Some(&jpeg[..jpeg.len() / 2]))
        .expect_err("corrupt");
    assert_eq!(error.problems[0].field, "logo");
    assert!(
        error.to_string().contains("is not a readable JPEG image"),
        "{error}"
    );
}
