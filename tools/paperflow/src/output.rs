//! Reading inputs and writing PDFs so that a failure never leaves half a file behind.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Larger inputs are refused before parsing: the biggest valid invoice is far smaller.
pub const MAX_INPUT_BYTES: u64 = 32 * 1024 * 1024;

/// Reads a file, or standard input for `-`, refusing anything over [`MAX_INPUT_BYTES`].
pub fn read_input(path: &Path) -> Result<Vec<u8>, String> {
    let name = path.display();
    let reader: Box<dyn Read> = if path == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(path).map_err(|error| format!("cannot read {name}: {error}"))?)
    };
    let mut bytes = Vec::new();
    reader
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| format!("cannot read {name}: {error}"))?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!(
            "{name} is larger than {} MiB, the most an invoice document may be",
            MAX_INPUT_BYTES / 1024 / 1024
        ));
    }
    Ok(bytes)
}

/// Writes `bytes` to `path` (or standard output for `-`): first to a temporary file beside it,
/// then renamed into place, so readers see the whole PDF or none.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let name = path.display();
    if path == Path::new("-") {
        let mut stdout = std::io::stdout().lock();
        return stdout
            .write_all(bytes)
            .and_then(|()| stdout.flush())
            .map_err(|error| format!("cannot write to standard output: {error}"));
    }
    let file_name = path
        .file_name()
        .ok_or_else(|| format!("{name} is not a file name"))?;
    let mut temporary_name = std::ffi::OsString::from(".");
    temporary_name.push(file_name);
    temporary_name.push(format!(".{}.partial", std::process::id()));
    let temporary = path.with_file_name(temporary_name);
    let written =
        std::fs::write(&temporary, bytes).and_then(|()| std::fs::rename(&temporary, path));
    written.map_err(|error| {
        let _ = std::fs::remove_file(&temporary);
        format!("cannot write {name}: {error}")
    })
}

/// Output paths in `dir` for `inputs`: each input's file stem with `.pdf`. Two inputs with the
/// same stem would overwrite each other, so that is refused up front.
pub fn names_in(dir: &Path, inputs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut seen = HashSet::new();
    inputs
        .iter()
        .map(|input| {
            if input == Path::new("-") {
                return Err("standard input has no name to give its PDF: use -o".to_owned());
            }
            let stem = input
                .file_stem()
                .ok_or_else(|| format!("{} has no file name", input.display()))?;
            if !seen.insert(stem.to_owned()) {
                return Err(format!(
                    "two inputs are named {}: their PDFs would overwrite each other",
                    stem.to_string_lossy()
                ));
            }
            let mut file_name = stem.to_owned();
            file_name.push(".pdf");
            Ok(dir.join(file_name))
        })
        .collect()
}
