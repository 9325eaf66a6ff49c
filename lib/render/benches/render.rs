//! How long rendering takes, fonts already parsed (as in a warm Lambda or a long CLI run).
//!
//! `make bench` runs these. Targets on the project's 2-core machine: a one-page invoice of
//! 12 lines at most 1.5 ms median, the 600-line invoice at most 20 ms, and a one-page Factur-X
//! invoice at most twice the time of the plain PDF of the same invoice, and a branded one-page
//! German invoice with an EPC QR code at most 2 ms, reported beside the same invoice plain.

use criterion::{Criterion, criterion_group, criterion_main};
use paperflow_einvoice::EInvoiceFormat;
use paperflow_render::{FacturX, RenderOptions, ThemeFile};
use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;

fn sample(name: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../samples")
        .join(name);
    let bytes = std::fs::read(&path).expect("the sample exists");
    serde_json::from_slice(&bytes).expect("the sample is JSON")
}

/// The small sample grown to 12 lines: still one page.
fn twelve_lines() -> paperflow_invoice::Invoice {
    let mut document = sample("invoice-small.json");
    let lines = document["lines"].as_array().cloned().unwrap_or_default();
    document["lines"] = lines.iter().cycle().take(12).cloned().collect();
    paperflow_invoice::invoice_from_value(&document).expect("a valid invoice")
}

fn render(c: &mut Criterion) {
    let fonts = paperflow_bundled_fonts::font_set().expect("bundled fonts");
    let options = RenderOptions::default();
    let one_page = twelve_lines();
    let long = paperflow_invoice::invoice_from_value(&sample("invoice-600-lines.json"))
        .expect("a valid invoice");

    let pdf = paperflow_render::render(&one_page, &fonts, &options).expect("renders");
    assert_eq!(pdf.pages, 1, "the 12-line invoice must stay on one page");
    println!("one-page invoice, 12 lines: {} bytes", pdf.bytes.len());

    let mut group = c.benchmark_group("render");
    group.bench_function("one_page_12_lines", |b| {
        b.iter(|| paperflow_render::render(black_box(&one_page), &fonts, &options))
    });
    group.sample_size(30);
    group.bench_function("600_lines", |b| {
        b.iter(|| paperflow_render::render(black_box(&long), &fonts, &options))
    });
    group.finish();

    // The same one-page invoice, plain and as Factur-X (its XML built once, outside the loop,
    // as a caller would hand it over).
    let e_invoice = paperflow_invoice::invoice_from_value(&sample("einvoice-fr-discount.json"))
        .expect("a valid invoice");
    let xml = paperflow_einvoice::to_xml(&e_invoice, EInvoiceFormat::FacturX)
        .expect("the sample can be a Factur-X");
    let factur_x = RenderOptions {
        factur_x: Some(FacturX { xml }),
        ..RenderOptions::default()
    };
    let plain = paperflow_render::render(&e_invoice, &fonts, &options).expect("renders");
    let hybrid = paperflow_render::render(&e_invoice, &fonts, &factur_x).expect("renders");
    assert_eq!(hybrid.pages, 1, "the Factur-X sample must stay on one page");
    println!(
        "one-page e-invoice: plain {} bytes, Factur-X {} bytes",
        plain.bytes.len(),
        hybrid.bytes.len()
    );
    let mut group = c.benchmark_group("einvoice");
    group.bench_function("one_page_plain", |b| {
        b.iter(|| paperflow_render::render(black_box(&e_invoice), &fonts, &options))
    });
    group.bench_function("one_page_factur_x", |b| {
        b.iter(|| paperflow_render::render(black_box(&e_invoice), &fonts, &factur_x))
    });
    // What a caller with only the invoice pays (the pdf-generator, the direct route): the XML
    // written, then the PDF/A-3b rendered around it.
    group.bench_function("one_page_factur_x_with_its_xml", |b| {
        b.iter(|| {
            let xml = paperflow_einvoice::to_xml(black_box(&e_invoice), EInvoiceFormat::FacturX)
                .expect("the sample can be a Factur-X");
            let options = RenderOptions {
                factur_x: Some(FacturX { xml }),
                ..RenderOptions::default()
            };
            paperflow_render::render(&e_invoice, &fonts, &options)
        })
    });
    group.finish();

    // The branded German invoice with its EPC QR code, plain and with the sample theme (read
    // and checked once, outside the loop, as the functions' cache holds it).
    let themes = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/themes/northwind");
    let theme_file = ThemeFile::parse(&std::fs::read(themes.join("theme.json")).expect("theme"))
        .expect("a valid theme");
    let logo = std::fs::read(themes.join(theme_file.logo_file().expect("a logo"))).expect("logo");
    let branded = RenderOptions {
        theme: Some(Arc::new(
            theme_file.with_logo(Some(&logo)).expect("a valid logo"),
        )),
        ..RenderOptions::default()
    };
    let german = paperflow_invoice::invoice_from_value(&sample("invoice-de-branded.json"))
        .expect("a valid invoice");
    let pdf = paperflow_render::render(&german, &fonts, &branded).expect("renders");
    assert_eq!(pdf.pages, 1, "the branded sample must stay on one page");
    println!(
        "branded German invoice with EPC QR: {} bytes",
        pdf.bytes.len()
    );
    let mut group = c.benchmark_group("brand");
    group.bench_function("german_epc_plain", |b| {
        b.iter(|| paperflow_render::render(black_box(&german), &fonts, &options))
    });
    group.bench_function("german_epc_branded", |b| {
        b.iter(|| paperflow_render::render(black_box(&german), &fonts, &branded))
    });
    group.finish();

    c.bench_function("fonts/parse_bundled", |b| {
        b.iter(paperflow_bundled_fonts::font_set)
    });
}

criterion_group!(benches, render);
criterion_main!(benches);
