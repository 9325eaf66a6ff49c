//! What paperflow's tests share: the sample documents and the real tools that check PDFs.
//!
//! The PDF checks run poppler's `pdftotext`, `pdfinfo` and `pdffonts` and `qpdf`, installed by
//! `make tools`. A missing tool fails the test with a message that says how to install it; it
//! never skips silently.

pub mod api_gateway;
pub mod bench;
pub mod consumers;
pub mod moto;
pub mod stack;
pub mod watch;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository's root folder.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// True when process `pid` no longer runs: it is gone, or only a zombie is left of it (exited,
/// not yet reaped by a parent that is itself on its way out).
pub fn process_is_gone(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| {
            stat.split(") ")
                .nth(1)
                .is_some_and(|rest| rest.starts_with('Z'))
        })
        .unwrap_or(true)
}

/// The bytes of a sample document from `samples/`.
pub fn sample(name: &str) -> Vec<u8> {
    let path = repo_root().join("samples").join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("sample {}: {error}", path.display()))
}

/// The fallback font installed by `make tools` (Debian's fonts-droid-fallback), which covers CJK.
pub fn cjk_fallback_font() -> PathBuf {
    let path = PathBuf::from("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf");
    assert!(
        path.exists(),
        "{} is missing: run `make tools` (installs fonts-droid-fallback)",
        path.display()
    );
    path
}

/// A PDF written to a temporary file, so that command-line tools can read it.
pub struct PdfFile {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl PdfFile {
    /// Writes `bytes` to a fresh temporary file.
    pub fn new(bytes: &[u8]) -> PdfFile {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("document.pdf");
        std::fs::write(&path, bytes).expect("the PDF is written");
        PdfFile { _dir: dir, path }
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The text of every page, as `pdftotext -layout` extracts it (pages end with a form feed).
    pub fn text(&self) -> String {
        self.text_args(&[])
    }

    /// The text of page `page` (1-based).
    pub fn page_text(&self, page: usize) -> String {
        let page = page.to_string();
        self.text_args(&["-f", &page, "-l", &page])
    }

    fn text_args(&self, args: &[&str]) -> String {
        let path = self.path.to_string_lossy().into_owned();
        let mut all = vec!["-layout", "-enc", "UTF-8"];
        all.extend_from_slice(args);
        all.extend_from_slice(&[&path, "-"]);
        run_tool("pdftotext", &all)
    }

    /// `pdfinfo`'s fields, such as `Pages`, `Title` and `Page size`.
    pub fn info(&self, field: &str) -> String {
        let output = run_tool("pdfinfo", &[&self.path.to_string_lossy()]);
        output
            .lines()
            .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
            .map(|value| value.trim().to_owned())
            .unwrap_or_else(|| panic!("pdfinfo shows no {field}:\n{output}"))
    }

    /// The number of pages, as `pdfinfo` counts them.
    pub fn pages(&self) -> usize {
        self.info("Pages")
            .parse()
            .expect("pdfinfo prints a page count")
    }

    /// `pdffonts`' table: one row per font, with its embedded and subset flags.
    pub fn fonts(&self) -> String {
        run_tool("pdffonts", &[&self.path.to_string_lossy()])
    }

    /// `qpdf --check`: `Ok` with its report when the file's structure is sound.
    pub fn qpdf_check(&self) -> Result<String, String> {
        let output = tool("qpdf")
            .arg("--check")
            .arg(&self.path)
            .output()
            .expect("qpdf runs");
        let report = String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr);
        if output.status.success() {
            Ok(report)
        } else {
            Err(report)
        }
    }
}

fn tool(name: &str) -> Command {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()));
    assert!(
        found,
        "`{name}` is not installed: run `make tools` (poppler-utils, qpdf)"
    );
    Command::new(name)
}

fn run_tool(name: &str, args: &[&str]) -> String {
    let output = tool(name).args(args).output().expect("the tool runs");
    assert!(
        output.status.success(),
        "{name} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("the tool prints UTF-8")
}

/// Text with its runs of white space folded to one space, for comparing extracted text.
pub fn folded(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Runs `scripts/{script}` with the project's virtualenv Python (`make tools` installs pikepdf,
/// factur-x, saxonche and lxml there) and answers its report, stdout then stderr; a script that
/// fails panics with its report. The outside checkers (`check_pdfa.py`, `check_einvoice.py`)
/// are run this way by every test that judges an e-invoice.
pub fn run_project_script(script: &str, args: &[&Path]) -> String {
    let python = repo_root().join(".tools/venv/bin/python");
    assert!(
        python.is_file(),
        "{} is missing: run `make tools` (pikepdf, factur-x, saxonche, lxml into .tools/venv)",
        python.display()
    );
    let output = Command::new(python)
        .arg(repo_root().join("scripts").join(script))
        .args(args)
        .output()
        .expect("python runs");
    let report = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{script} {args:?} failed:\n{report}"
    );
    report
}
