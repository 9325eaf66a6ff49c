//! The two faces every document is drawn with, pinned by their SHA-256.
//!
//! DejaVu Sans regular and bold, slimmed by `sfnt::slimmed`: the bytes that
//! `paperflow-bundled-fonts` embeds and that the fonts layer holds. Stored PDFs are compared by
//! their digest, so a face with other bytes (another DejaVu release, Debian's unslimmed files)
//! must never draw a document: the layer's files are checked against these digests at start,
//! and the bundled crate's build script refuses to embed faces that do not match them.
//!
//! This file is also compiled into that build script (`#[path]`), so it uses nothing but core,
//! alloc and `sha2` (a dependency of both): the one place a face's bytes are held to its pin.

/// One primary face: where the fonts layer keeps it, and the digest of its exact bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrimaryFace {
    /// The face's name in errors and in a theme's `heading_font`.
    pub name: &'static str,
    /// The file name in the fonts layer's folder (and in the bundled crate's build output).
    pub file: &'static str,
    /// SHA-256 of the slim face, lower-case hex.
    pub sha256: &'static str,
}

impl PrimaryFace {
    /// Whether `bytes` are exactly this face: `Err` carries their SHA-256 (lower-case hex), for
    /// an error that shows both digests.
    pub fn check(&self, bytes: &[u8]) -> Result<(), String> {
        use sha2::{Digest, Sha256};
        let digest: String = Sha256::digest(bytes)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        if digest == self.sha256 {
            Ok(())
        } else {
            Err(digest)
        }
    }
}

/// DejaVu Sans, the body text's face.
pub const DEJAVU_SANS: PrimaryFace = PrimaryFace {
    name: "DejaVu Sans",
    file: "DejaVuSans.ttf",
    sha256: "8deace707dbcc070501c921c75a9bb0e3bde374611323b948983a50f11a08369",
};

/// DejaVu Sans Bold: headings, labels and totals.
pub const DEJAVU_SANS_BOLD: PrimaryFace = PrimaryFace {
    name: "DejaVu Sans Bold",
    file: "DejaVuSans-Bold.ttf",
    sha256: "616bf4dea6335525a077071c2c693eca4d4042a735e7ec5e9196c1c4793df81b",
};

/// Both primary faces, regular first.
pub const PRIMARY_FACES: [PrimaryFace; 2] = [DEJAVU_SANS, DEJAVU_SANS_BOLD];
