//! Fallback fonts from disk: a file, or a folder of them (a Lambda layer mounts one at /opt).
//!
//! The one module of the renderer that touches the file system, used once per process by the
//! `paperflow` command and by the functions; layout and PDF writing never call it.

use crate::FontSet;
use std::path::{Path, PathBuf};

/// The environment variable naming the fallback font file or folder.
pub const ENV_VAR: &str = "PAPERFLOW_FALLBACK_FONTS";

/// The bundled fonts, followed by every font found at `path`: the file itself, or the
/// `.ttf`, `.otf` and `.ttc` files of the folder in name order.
///
/// Only the first four bytes of each file are read now, to turn a file that is no font into
/// a clear error at start-up; a face is read and parsed the first time a document needs one of
/// its characters, so a cold start pays nothing for fonts its documents never use.
pub fn font_set(path: Option<&Path>) -> Result<FontSet, String> {
    let mut fonts = FontSet::bundled().map_err(|error| error.to_string())?;
    let Some(path) = path else {
        return Ok(fonts);
    };
    for file in font_files(path)? {
        check_font_signature(&file)?;
        let name = file.display().to_string();
        let loader = move || {
            std::fs::read(&file)
                .map_err(|error| format!("cannot read fallback font {}: {error}", file.display()))
        };
        fonts = fonts.with_lazy_fallback(&name, Box::new(loader));
    }
    Ok(fonts)
}

/// The signatures an OpenType font file starts with: TrueType outlines (1.0 and Apple's
/// `true`), CFF outlines (`OTTO`), and a collection (`ttcf`).
const FONT_SIGNATURES: [[u8; 4]; 4] = [[0, 1, 0, 0], *b"true", *b"OTTO", *b"ttcf"];

fn check_font_signature(file: &Path) -> Result<(), String> {
    use std::io::Read;
    let mut signature = [0u8; 4];
    std::fs::File::open(file)
        .and_then(|mut opened| opened.read_exact(&mut signature))
        .map_err(|error| format!("cannot read fallback font {}: {error}", file.display()))?;
    if FONT_SIGNATURES.contains(&signature) {
        Ok(())
    } else {
        Err(format!(
            "font {}: is not a TrueType or OpenType font (it does not start with an sfnt \
             signature) (from {ENV_VAR})",
            file.display()
        ))
    }
}

fn font_files(path: &Path) -> Result<Vec<PathBuf>, String> {
    let name = path.display();
    let metadata = std::fs::metadata(path)
        .map_err(|error| format!("fallback fonts {name}: {error} (set by {ENV_VAR})"))?;
    if metadata.is_file() {
        return Ok(vec![path.to_owned()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|error| format!("cannot list fallback fonts in {name}: {error}"))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|file| {
            file.extension()
                .and_then(|extension| extension.to_str())
                .is_some_and(|extension| {
                    matches!(
                        extension.to_ascii_lowercase().as_str(),
                        "ttf" | "otf" | "ttc"
                    )
                })
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!(
            "{name} holds no .ttf, .otf or .ttc font (set by {ENV_VAR})"
        ));
    }
    Ok(files)
}

/// [`font_set`] with the path named by [`ENV_VAR`], if any.
pub fn font_set_from_env() -> Result<FontSet, String> {
    let path = std::env::var_os(ENV_VAR).filter(|value| !value.is_empty());
    font_set(path.as_deref().map(Path::new))
}
