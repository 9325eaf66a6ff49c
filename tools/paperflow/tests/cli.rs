//! The `paperflow` command as a user runs it: files in, PDFs out, problems on stderr, and exit
//! codes a script can rely on (0 fine, 2 invalid input, 1 I/O and other failures).

use paperflow_tests::{PdfFile, folded, repo_root};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn paperflow() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_paperflow"));
    command
        .current_dir(repo_root())
        .env_remove("PAPERFLOW_FALLBACK_FONTS")
        .env_remove("EINVOICE_FORMAT");
    command
}

fn sample(name: &str) -> PathBuf {
    repo_root().join("samples").join(name)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn run(command: &mut Command) -> Output {
    command.output().expect("paperflow runs")
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("the folder exists")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn render_writes_a_pdf_and_says_so() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = dir.path().join("invoice.pdf");
    let output = run(paperflow()
        .args(["render"])
        .arg(sample("invoice-small.json"))
        .arg("-o")
        .arg(&out));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("1 page"), "{}", stderr(&output));
    let text = folded(&PdfFile::new(&std::fs::read(&out).expect("the PDF exists")).text());
    assert!(text.contains("INV-2026-000123"));
    assert_eq!(
        files_in(dir.path()),
        ["invoice.pdf"],
        "no temporary file is left behind"
    );
}

#[test]
fn render_reads_stdin_and_writes_stdout() {
    let mut child = paperflow()
        .args(["render", "-", "-o", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("paperflow starts");
    let document = std::fs::read(sample("invoice-jpy.json")).expect("the sample");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&document)
        .expect("written");
    let output = child.wait_with_output().expect("paperflow ends");
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(output.stdout.starts_with(b"%PDF-"));
    assert!(folded(&PdfFile::new(&output.stdout).text()).contains("Total due JPY 284,781"));
}

#[test]
fn render_many_into_a_folder_names_each_pdf_after_its_input() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let output = run(paperflow()
        .arg("render")
        .arg(sample("invoice-small.json"))
        .arg(sample("invoice-jpy.json"))
        .arg(sample("invoice-600-lines.json"))
        .arg("--out-dir")
        .arg(dir.path()));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        files_in(dir.path()),
        [
            "invoice-600-lines.pdf",
            "invoice-jpy.pdf",
            "invoice-small.pdf"
        ]
    );
}

#[test]
fn an_invalid_invoice_exits_2_names_every_problem_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = dir.path().join("invalid.pdf");
    let output = run(paperflow()
        .arg("render")
        .arg(sample("invoice-invalid.json"))
        .arg("-o")
        .arg(&out));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let problems = stderr(&output);
    for expected in [
        "/invoice_id: must not contain \"..\"",
        "/currency: must be an ISO 4217 currency code",
        "/lines/0/quantity: must not be 0",
        "/lines/1/tax_rate_bp:",
    ] {
        assert!(
            problems.contains(expected),
            "{expected} missing from:\n{problems}"
        );
    }
    assert!(
        files_in(dir.path()).is_empty(),
        "nothing is written for an invalid invoice"
    );
}

#[test]
fn one_bad_input_does_not_stop_the_others() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let output = run(paperflow()
        .arg("render")
        .arg(sample("invoice-invalid.json"))
        .arg(sample("invoice-small.json"))
        .arg("--out-dir")
        .arg(dir.path()));
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(files_in(dir.path()), ["invoice-small.pdf"]);
}

#[test]
fn not_json_is_an_invalid_input_with_its_position() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let input = dir.path().join("broken.json");
    std::fs::write(&input, "{\"invoice_id\": ").expect("written");
    let output = run(paperflow().arg("validate").arg(&input));
    assert_eq!(output.status.code(), Some(2));
    let report = stdout(&output);
    assert!(report.contains("must be a JSON document"), "{report}");
    assert!(report.contains("line 1"), "{report}");
}

#[test]
fn a_missing_file_is_an_io_failure_exit_1() {
    let output = run(paperflow().args(["render", "no/such/invoice.json", "-o", "x.pdf"]));
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("cannot read no/such/invoice.json"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn validate_reports_valid_and_invalid_documents() {
    let output = run(paperflow()
        .arg("validate")
        .arg(sample("invoice-small.json"))
        .arg(sample("invoice-invalid.json")));
    assert_eq!(output.status.code(), Some(2));
    let report = stdout(&output);
    assert!(
        report.contains("invoice-small.json: valid: invoice INV-2026-000123"),
        "{report}"
    );
    assert!(report.contains("total EUR 26,681.01"), "{report}");
    assert!(
        report.contains("invoice-invalid.json: invalid, 10 problem(s)"),
        "{report}"
    );
    assert!(
        report.contains("  /due_date: must not be before issue_date (2026-11-26)"),
        "{report}"
    );
}

#[test]
fn two_processes_render_byte_identical_pdfs() {
    let render = || {
        let output = run(paperflow()
            .arg("render")
            .arg(sample("invoice-multilingual.json"))
            .args(["-o", "-"]));
        assert!(output.status.success());
        output.stdout
    };
    assert!(render() == render());
}

#[test]
fn missing_glyphs_are_a_warning_not_an_error() {
    let output = run(paperflow()
        .arg("render")
        .arg(sample("invoice-multilingual.json"))
        .args(["-o", "-"]));
    assert!(output.status.success());
    let warning = stderr(&output);
    assert!(
        warning.contains("warning:") && warning.contains("東 (U+6771)"),
        "{warning}"
    );
}

#[test]
fn the_fallback_font_folder_comes_from_the_environment() {
    let font = paperflow_tests::cjk_fallback_font();
    let folder = font.parent().expect("the font is in a folder");
    let output = run(paperflow()
        .env("PAPERFLOW_FALLBACK_FONTS", folder)
        .arg("render")
        .arg(sample("invoice-multilingual.json"))
        .args(["-o", "-"]));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!stderr(&output).contains("東"), "{}", stderr(&output));
    assert!(folded(&PdfFile::new(&output.stdout).text()).contains("東京支店向け工具セット"));
}

#[test]
fn an_unusable_fallback_font_is_a_clear_failure() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let bogus = dir.path().join("bogus.ttf");
    std::fs::write(&bogus, "not a font").expect("written");
    let output = run(paperflow()
        .env("PAPERFLOW_FALLBACK_FONTS", &bogus)
        .arg("render")
        .arg(sample("invoice-small.json"))
        .args(["-o", "-"]));
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("bogus.ttf"), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
}

#[test]
fn letter_paper_on_request() {
    let output = run(paperflow()
        .arg("render")
        .arg(sample("invoice-small.json"))
        .args(["-o", "-", "--page-size", "letter"]));
    assert!(output.status.success());
    assert!(
        PdfFile::new(&output.stdout)
            .info("Page size")
            .contains("letter")
    );
}

#[test]
fn help_shows_examples() {
    let output = run(paperflow().arg("--help"));
    assert!(output.status.success());
    let help = stdout(&output);
    assert!(
        help.contains("Examples:") && help.contains("paperflow render"),
        "{help}"
    );
}

/// A sample with its own `einvoice` field taken out, so that the command's flag decides.
fn without_own_format(dir: &Path, name: &str) -> PathBuf {
    let mut document: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sample(name)).expect("the sample")).expect("JSON");
    document
        .as_object_mut()
        .expect("an object")
        .remove("einvoice");
    let path = dir.join(name);
    std::fs::write(&path, document.to_string()).expect("written");
    path
}

/// The names of the files embedded in a PDF, as poppler's pdfdetach lists them.
fn embedded_files(pdf: &Path) -> String {
    let output = Command::new("pdfdetach")
        .arg("-list")
        .arg(pdf)
        .output()
        .expect("pdfdetach runs (poppler-utils)");
    stdout(&output)
}

#[test]
fn an_xrechnung_is_the_pdf_and_its_xml_beside_it() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out = dir.path().join("r1.pdf");
    let output = run(paperflow()
        .arg("render")
        .arg(sample("einvoice-xrechnung.json"))
        .arg("-o")
        .arg(&out));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(files_in(dir.path()), ["r1.pdf", "r1.xml"]);
    let xml = std::fs::read_to_string(dir.path().join("r1.xml")).expect("the XML");
    assert!(
        xml.contains("urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"),
        "{xml}"
    );
    assert!(
        stderr(&output).contains("r1.xml (xrechnung"),
        "{}",
        stderr(&output)
    );
    assert!(
        !embedded_files(&out).contains("factur-x.xml"),
        "the XML is beside the PDF, not in it"
    );
}

#[test]
fn the_flag_makes_a_factur_x_of_a_document_that_names_no_format() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let input = without_own_format(dir.path(), "einvoice-peppol.json");
    let out = dir.path().join("out.pdf");
    let output = run(paperflow()
        .arg("render")
        .arg(&input)
        .args(["--einvoice", "factur-x", "-o"])
        .arg(&out));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(embedded_files(&out).contains("factur-x.xml"));
    assert_eq!(
        files_in(dir.path()),
        ["einvoice-peppol.json", "out.pdf"],
        "no XML beside a Factur-X"
    );
}

#[test]
fn a_documents_own_format_wins_over_the_flag() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let output = run(paperflow()
        .arg("render")
        .arg(sample("einvoice-peppol.json"))
        .args(["--einvoice", "none", "--out-dir"])
        .arg(dir.path()));
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        files_in(dir.path()),
        ["einvoice-peppol.pdf", "einvoice-peppol.xml"]
    );
    let xml = std::fs::read_to_string(dir.path().join("einvoice-peppol.xml")).expect("the XML");
    assert!(
        xml.contains("urn:fdc:peppol.eu:2017:poacc:billing:3.0"),
        "{xml}"
    );
}

#[test]
fn a_document_that_cannot_become_its_einvoice_is_refused_with_every_reason() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let output = run(paperflow()
        .arg("render")
        .arg(sample("invoice-small.json"))
        .args(["--einvoice", "xrechnung", "-o"])
        .arg(dir.path().join("small.pdf")));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let problems = stderr(&output);
    assert!(
        problems.contains("cannot become an e-invoice as xrechnung, nothing written"),
        "{problems}"
    );
    for term in ["(BT-10", "(BT-40)", "(BT-55)"] {
        assert!(problems.contains(term), "{term} missing from:\n{problems}");
    }
    assert!(
        files_in(dir.path()).is_empty(),
        "no PDF without its XML, and no XML either"
    );
}

#[test]
fn an_xml_format_is_not_written_to_standard_output() {
    let output = run(paperflow()
        .arg("render")
        .arg(sample("einvoice-xrechnung.json"))
        .args(["-o", "-"]));
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(output.stdout.is_empty(), "nothing half-written");
    assert!(
        stderr(&output).contains("use -o FILE or --out-dir DIR"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn validate_says_whether_each_document_can_become_the_einvoice() {
    let output = run(paperflow()
        .args(["validate", "--einvoice", "xrechnung"])
        .arg(sample("invoice-small.json"))
        .arg(sample("einvoice-xrechnung.json")));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let report = stdout(&output);
    assert!(
        report.contains("invoice-small.json: valid: invoice INV-2026-000123"),
        "{report}"
    );
    assert!(
        report.contains("invoice-small.json: cannot become an e-invoice as xrechnung"),
        "{report}"
    );
    assert!(report.contains("  /buyer_reference: "), "{report}");
    assert!(report.contains("(BT-10"), "{report}");
    assert!(
        report.contains("einvoice-xrechnung.json: can become an e-invoice as xrechnung"),
        "{report}"
    );

    let fine = run(paperflow()
        .args(["validate", "--einvoice", "factur-x"])
        .arg(sample("einvoice-fr-discount.json")));
    assert!(fine.status.success(), "{}", stdout(&fine));
}

#[test]
fn exported_fonts_draw_every_pdf_byte_for_byte_as_the_bundled_ones() {
    let layer = tempfile::tempdir().expect("a temporary folder");
    let output = run(paperflow()
        .args(["fonts", "export"])
        .arg(layer.path().join("fonts")));
    assert!(output.status.success(), "{}", stderr(&output));
    let folder = layer.path().join("fonts");
    assert_eq!(
        files_in(&folder),
        ["DejaVuSans-Bold.ttf", "DejaVuSans.ttf", "dejavu.copyright"]
    );
    assert!(
        stdout(&output).contains("DejaVuSans.ttf"),
        "{}",
        stdout(&output)
    );

    // What the functions draw with (the layer's faces, checked by digest) against what the
    // command and the tests draw with (the embedded faces): the same PDF, byte for byte.
    let from_layer = paperflow_render::font_files::layer_font_set(&folder).expect("loads");
    let bundled = paperflow_bundled_fonts::font_set().expect("bundled fonts");
    for name in [
        "invoice-small.json",
        "invoice-multilingual.json",
        "invoice-de-branded.json",
    ] {
        let bytes = std::fs::read(sample(name)).expect("the sample exists");
        let invoice = paperflow_invoice::parse_invoice(&bytes).expect("the sample is valid");
        let options = paperflow_render::RenderOptions::default();
        let expected = paperflow_render::render(&invoice, &bundled, &options).expect("renders");
        let actual = paperflow_render::render(&invoice, &from_layer, &options).expect("renders");
        assert!(expected.bytes == actual.bytes, "{name}: the PDFs differ");
    }
}

#[test]
fn exporting_the_fonts_again_replaces_them() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(folder.path().join("DejaVuSans.ttf"), "an older file").expect("written");
    for _ in 0..2 {
        let output = run(paperflow().args(["fonts", "export"]).arg(folder.path()));
        assert!(output.status.success(), "{}", stderr(&output));
    }
    paperflow_render::font_files::layer_font_set(folder.path())
        .expect("the faces are paperflow's own again");
}
