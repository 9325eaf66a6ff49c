//! DejaVu Sans regular and bold, slimmed at build time and embedded: the primary faces of
//! everything that runs outside Lambda (the `paperflow` command, the tests, the benches, the
//! fuzz targets).
//!
//! The Lambda functions never depend on this crate: 1.2 MB of faces would be most of their
//! deployment zip's growth. They read the same bytes from the fonts layer
//! (`paperflow_render::font_files::font_set_from_env`), which `paperflow fonts export` writes
//! from this crate ([`export`]), so a document renders to the same bytes either way.

use paperflow_render::fonts::{DEJAVU_SANS, DEJAVU_SANS_BOLD, PrimaryFace};
use paperflow_render::{FontError, FontSet};
use std::path::{Path, PathBuf};

/// DejaVu Sans regular, slimmed by `build.rs`; its SHA-256 is the one [`DEJAVU_SANS`] pins.
pub const REGULAR: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/DejaVuSans.ttf"));

/// DejaVu Sans bold, slimmed the same way; its SHA-256 is the one [`DEJAVU_SANS_BOLD`] pins.
pub const BOLD: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/DejaVuSans-Bold.ttf"));

/// DejaVu's licence (Bitstream Vera's, with the DejaVu changes in the public domain): it
/// travels with the faces wherever they are written.
pub const LICENSE: &str = include_str!("../LICENSE-DejaVu");

/// The file the licence is written to beside the faces, named like the layer's other
/// fonts' copyright files.
pub const LICENSE_FILE: &str = "dejavu.copyright";

/// The primary faces with their bytes, regular first.
pub fn faces() -> [(PrimaryFace, &'static [u8]); 2] {
    [(DEJAVU_SANS, REGULAR), (DEJAVU_SANS_BOLD, BOLD)]
}

/// The bundled faces, without fallbacks.
pub fn font_set() -> Result<FontSet, FontError> {
    FontSet::new(REGULAR, BOLD)
}

/// Writes the two faces, under the file names the fonts layer uses, and the licence into
/// `folder` (created if missing; files already there are replaced). Returns the paths written.
pub fn export(folder: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(folder)?;
    let mut written = Vec::new();
    for (face, bytes) in faces() {
        let path = folder.join(face.file);
        std::fs::write(&path, bytes)?;
        written.push(path);
    }
    let license = folder.join(LICENSE_FILE);
    std::fs::write(&license, LICENSE)?;
    written.push(license);
    Ok(written)
}
