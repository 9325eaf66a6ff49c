//! Fonts from disk: the fonts layer's folder (a Lambda layer mounts it at /opt), or a fallback
//! font file or folder given to the `paperflow` command.
//!
//! The one module of the renderer that touches the file system, used once per process by the
//! `paperflow` command and by the functions; layout and PDF writing never call it.
//!
//! The functions carry no font of their own: the layer's folder holds the primary faces
//! ([`PRIMARY_FACES`], DejaVu Sans, written by `paperflow fonts export`) beside the fallbacks.
//! A primary face that is missing, or whose bytes are not the pinned ones, stops the function
//! at start: rendering with another face would change every stored PDF's bytes.

use crate::FontSet;
use crate::fonts::{PRIMARY_FACES, PrimaryFace};
use std::path::{Path, PathBuf};

/// The environment variable naming the fonts layer's folder (the functions), or a fallback
/// font file or folder (the `paperflow` command).
pub const ENV_VAR: &str = "PAPERFLOW_FALLBACK_FONTS";

/// The fonts of the layer's `folder`: its primary faces (DejaVu Sans, checked against their
/// pinned SHA-256), then every other font of the folder as a fallback, in name order.
///
/// The primary faces are read and parsed now. Of each fallback only the first four bytes are
/// read, to turn a file that is no font into a clear error at start-up; a fallback face is read
/// and parsed the first time a document needs one of its characters, so a cold start pays
/// nothing for fonts its documents never use.
pub fn layer_font_set(folder: &Path) -> Result<FontSet, String> {
    let [regular, bold] = PRIMARY_FACES.map(|face| read_primary_face(folder, face));
    let fonts = FontSet::new(&regular?, &bold?)
        .map_err(|error| format!("{error} (in {}, set by {ENV_VAR})", folder.display()))?;
    with_fallback_fonts(fonts, folder)
}

/// Reads one primary face from the layer's folder and checks its digest.
fn read_primary_face(folder: &Path, face: PrimaryFace) -> Result<Vec<u8>, String> {
    let file = folder.join(face.file);
    let bytes = std::fs::read(&file).map_err(|error| {
        format!(
            "{ENV_VAR}={}: cannot read {} ({error}): the functions draw their text with the \
             fonts layer's {}; build the layer with scripts/build-fonts-layer.sh, which writes \
             it with `paperflow fonts export`",
            folder.display(),
            file.display(),
            face.name
        )
    })?;
    face.check(&bytes).map_err(|digest| {
        format!(
            "{ENV_VAR}={}: {} is not paperflow's {}: its SHA-256 is {digest}, expected {} \
             (write the layer's faces with `paperflow fonts export`; another copy of the font \
             would change every PDF's bytes)",
            folder.display(),
            file.display(),
            face.name,
            face.sha256
        )
    })?;
    Ok(bytes)
}

/// `fonts`, followed by every font found at `path` as a fallback: the file itself, or the
/// `.ttf`, `.otf` and `.ttc` files of the folder in name order, except a folder's primary face
/// files (a fonts layer's folder given to the `paperflow` command draws as in the functions).
///
/// Only the first four bytes of each file are read now (see [`layer_font_set`]).
pub fn with_fallback_fonts(mut fonts: FontSet, path: &Path) -> Result<FontSet, String> {
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

fn is_primary_face_file(file: &Path) -> bool {
    file.file_name()
        .is_some_and(|name| PRIMARY_FACES.iter().any(|face| name == face.file))
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
        .filter(|file| !is_primary_face_file(file))
        .collect();
    files.sort();
    if files.is_empty()
        && !PRIMARY_FACES
            .iter()
            .any(|face| path.join(face.file).is_file())
    {
        return Err(format!(
            "{name} holds no .ttf, .otf or .ttc font (set by {ENV_VAR})"
        ));
    }
    Ok(files)
}

/// The functions' fonts: [`layer_font_set`] of the folder [`ENV_VAR`] names. Unset, the
/// function has no font to draw with, which is a deployment error.
pub fn font_set_from_env() -> Result<FontSet, String> {
    let folder = std::env::var_os(ENV_VAR)
        .filter(|value| !value.is_empty())
        .ok_or_else(|| {
            format!(
                "{ENV_VAR} is not set: it names the fonts layer's folder (/opt/fonts in AWS, \
                 target/fonts-layer/fonts on this machine), where the functions read {} and {}",
                PRIMARY_FACES[0].file, PRIMARY_FACES[1].file
            )
        })?;
    layer_font_set(Path::new(&folder))
}
