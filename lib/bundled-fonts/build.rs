//! Slims the bundled DejaVu Sans faces once, at build time, with the very code that slims
//! fallback faces at run time (`lib/render/src/fonts/sfnt.rs`), and refuses to embed a slim
//! face whose SHA-256 is not the one the renderer pins (`primary_faces.rs`): the fonts layer is
//! written from these bytes and checked against those digests, so they must agree.

#[path = "../render/src/fonts/sfnt.rs"]
mod sfnt;

// Only the file names and digests are read here.
#[allow(dead_code)]
#[path = "../render/src/fonts/primary_faces.rs"]
mod primary_faces;

use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=../render/src/fonts/sfnt.rs");
    println!("cargo::rerun-if-changed=../render/src/fonts/primary_faces.rs");
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for (pinned, face) in [
        (primary_faces::DEJAVU_SANS, dejavu::sans::regular()),
        (primary_faces::DEJAVU_SANS_BOLD, dejavu::sans::bold()),
    ] {
        let slim = sfnt::slimmed(face).expect("the bundled DejaVu Sans face can be slimmed");
        if let Err(digest) = pinned.check(&slim) {
            panic!(
                "the slim {} ({}) has SHA-256 {digest}, but lib/render/src/fonts/primary_faces.rs \
                 pins {}: every PDF's bytes change with it; update the pin only on purpose",
                pinned.name, pinned.file, pinned.sha256
            );
        }
        std::fs::write(out_dir.join(pinned.file), slim).expect("OUT_DIR is writable");
    }
}
