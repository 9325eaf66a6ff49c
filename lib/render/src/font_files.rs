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
pub fn font_set(path: Option<&Path>) -> Result<FontSet, String> {
    let mut fonts = FontSet::bundled().map_err(|error| error.to_string())?;
    let Some(path) = path else {
        return Ok(fonts);
    };
    for file in font_files(path)? {
        let bytes = std::fs::read(&file)
            .map_err(|error| format!("cannot read fallback font {}: {error}", file.display()))?;
        fonts = fonts
            .with_fallback(&file.display().to_string(), &bytes)
            .map_err(|error| format!("{error} (from {ENV_VAR})"))?;
    }
    Ok(fonts)
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
