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
        .env_remove("PAPERFLOW_FALLBACK_FONTS");
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
