//! The fonts a document is drawn with, and the chain that picks a face for each character.
//!
//! The primary faces, DejaVu Sans regular and bold ([`primary_faces`]), cover Latin with every
//! European accent, Greek and Cyrillic. The caller gives their bytes: the `paperflow` command and
//! the tests embed them (`paperflow-bundled-fonts`), the Lambda functions read them from the
//! fonts layer ([`crate::font_files`]), which keeps 1.2 MB of faces out of every deployment zip. Scripts it lacks (CJK, most emoji) are drawn with fallback faces
//! the caller supplies, tried in order; a character no face has is drawn as U+FFFD and
//! reported, never dropped silently. Characters that must be shaped (Arabic, Devanagari: see
//! [`shaping`]) try the fallbacks first, since the bundled faces carry no shaping tables, and
//! a run of them is drawn as the glyphs the shaper chose.
//!
//! Parsing a face costs far more than rendering a page, so a [`FontSet`] is built once per
//! process (per Lambda cold start) and shared by every render. A fallback given as a loader
//! ([`FontSet::with_lazy_fallback`]) is read and parsed the first time a character reaches it
//! in the chain, so a cold start pays nothing for fonts no document has needed yet. This module
//! reads no files: finding fallback fonts on disk is the caller's business.

mod primary_faces;
mod sfnt;
mod shaping;

pub use primary_faces::{DEJAVU_SANS, DEJAVU_SANS_BOLD, PRIMARY_FACES, PrimaryFace};
use printpdf::ParsedFont;
pub use shaping::{ShapedGlyph, shape};
pub(crate) use shaping::{is_shaped_right_to_left, needs_shaping, reversed_right_to_left_words};
use std::sync::OnceLock;

/// What is drawn in place of a character that no face can draw.
pub const REPLACEMENT_CHARACTER: char = '\u{FFFD}';

/// The weight of a piece of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Weight {
    /// Body text.
    Regular,
    /// Headings, labels and totals.
    Bold,
}

/// Which face draws a run of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum FaceKey {
    /// One of the two primary faces (DejaVu Sans).
    Primary(Weight),
    /// The fallback face at this position of the chain.
    Fallback(usize),
}

/// A font that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontError {
    /// Which font: a primary face's name ("DejaVu Sans") or the name the caller gave a fallback.
    pub font: String,
    /// What is wrong with it.
    pub reason: String,
}

impl std::fmt::Display for FontError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "font {}: {}", self.font, self.reason)
    }
}

impl std::error::Error for FontError {}

/// One parsed face and the metrics layout needs from it.
pub(crate) struct Face {
    pub(crate) parsed: ParsedFont,
    units_per_em: f32,
    /// The face as its file has it, layout tables included, for shaping; `None` for the
    /// primary faces, which are slimmed of them and draw every character unshaped.
    shaping_source: Option<Vec<u8>>,
}

impl Face {
    fn parse(name: &str, bytes: &[u8]) -> Result<Face, FontError> {
        // Every embedded subset copies the name table and parses the post table: slim ones keep
        // PDFs small and rendering fast.
        let slim = sfnt::slimmed(bytes);
        let mut face = Face::parse_slim(name, slim.as_deref().unwrap_or(bytes))?;
        // Slimming keeps every glyph id, so the shaper's ids index the slim face too.
        face.shaping_source = Some(bytes.to_vec());
        Ok(face)
    }

    /// [`Face::parse`] for a face that is slim already, such as the primary ones.
    fn parse_slim(name: &str, bytes: &[u8]) -> Result<Face, FontError> {
        let mut warnings = Vec::new();
        let parsed = ParsedFont::from_bytes(bytes, 0, &mut warnings).ok_or_else(|| FontError {
            font: name.to_owned(),
            reason: "is not a TrueType or OpenType font that can be parsed".to_owned(),
        })?;
        let units_per_em = f32::from(parsed.font_metrics.units_per_em);
        if units_per_em <= 0.0 {
            return Err(FontError {
                font: name.to_owned(),
                reason: "has no units per em in its head table".to_owned(),
            });
        }
        Ok(Face {
            parsed,
            units_per_em,
            shaping_source: None,
        })
    }

    fn glyph(&self, ch: char) -> Option<u16> {
        self.parsed
            .lookup_glyph_index(u32::from(ch))
            .filter(|&gid| gid != 0)
    }

    /// Advance of `ch` in thousandths of the font size.
    fn advance_per_mille(&self, gid: u16) -> f32 {
        f32::from(self.parsed.get_horizontal_advance(gid)) * 1000.0 / self.units_per_em
    }

    /// Replaces `run`'s width and glyphs with what the shaper makes of its text. A font the
    /// shaper cannot read leaves the run unshaped, as it was drawn before shaping existed.
    fn shape_run(&self, source: &[u8], run: &mut Run) {
        let Some(face) = rustybuzz::Face::from_slice(source, 0) else {
            return;
        };
        let shaped = shaping::shape_with(&face, &run.text);
        let texts = shaping::cluster_texts(&run.text, &shaped);
        let per_mille = 1000.0 / self.units_per_em;
        let mut pen = 0;
        let mut glyphs = Vec::with_capacity(shaped.len());
        for (glyph, text) in shaped.iter().zip(texts) {
            glyphs.push(PlacedGlyph {
                glyph_id: glyph.glyph_id,
                x_per_mille: (pen + glyph.x_offset) as f32 * per_mille,
                y_per_mille: glyph.y_offset as f32 * per_mille,
                text,
            });
            pen += glyph.x_advance;
        }
        run.width_per_mille = pen as f32 * per_mille;
        run.glyphs = Some(glyphs);
    }
}

/// Reads a fallback font's bytes when it is first needed; the error says why it could not.
pub type FontLoader = Box<dyn Fn() -> Result<Vec<u8>, String> + Send + Sync>;

/// A face of the fallback chain, parsed now or at its first use.
struct Fallback {
    name: String,
    loader: Option<FontLoader>,
    face: OnceLock<Result<Face, FontError>>,
}

impl Fallback {
    /// The parsed face, loading it on first use; `None` when it cannot be loaded, and then it
    /// draws nothing (the characters it would have drawn are reported as missing).
    fn face(&self) -> Option<&Face> {
        self.face
            .get_or_init(|| {
                let loader = self.loader.as_ref().ok_or_else(|| FontError {
                    font: self.name.clone(),
                    reason: "has neither bytes nor a loader".to_owned(),
                })?;
                let bytes = loader().map_err(|reason| FontError {
                    font: self.name.clone(),
                    reason,
                })?;
                Face::parse(&self.name, &bytes)
            })
            .as_ref()
            .ok()
    }
}

/// The faces a document may use: the primary faces (DejaVu Sans regular and bold), then the
/// fallback chain.
pub struct FontSet {
    regular: Face,
    bold: Face,
    fallbacks: Vec<Fallback>,
}

/// A stretch of text drawn with one face.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Run {
    pub(crate) face: FaceKey,
    /// The characters drawn, in logical order for a shaped run.
    pub(crate) text: String,
    /// Width in thousandths of the font size.
    pub(crate) width_per_mille: f32,
    /// `Some` for a shaped run: its glyphs, placed by the shaper. `None`: the text is drawn one
    /// glyph per character, each after the other.
    pub(crate) glyphs: Option<Vec<PlacedGlyph>>,
}

/// A glyph of a shaped run, placed relative to the run's start.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PlacedGlyph {
    pub(crate) glyph_id: u16,
    /// Position in thousandths of the font size, right and up from the run's start.
    pub(crate) x_per_mille: f32,
    pub(crate) y_per_mille: f32,
    /// The characters this glyph stands for, for text extraction; `None` when an earlier glyph
    /// of the same cluster stands for them.
    pub(crate) text: Option<String>,
}

impl FontSet {
    /// The primary faces, regular and bold, without fallbacks. They are used as given, never
    /// slimmed here: paperflow's own are slim already ([`PRIMARY_FACES`] pins their bytes).
    pub fn new(regular: &[u8], bold: &[u8]) -> Result<FontSet, FontError> {
        Ok(FontSet {
            regular: Face::parse_slim(DEJAVU_SANS.name, regular)?,
            bold: Face::parse_slim(DEJAVU_SANS_BOLD.name, bold)?,
            fallbacks: Vec::new(),
        })
    }

    /// Appends a fallback face (a `.ttf` or `.otf`, or the first face of a collection),
    /// tried after the primary faces and after the fallbacks added before it.
    pub fn with_fallback(mut self, name: &str, bytes: &[u8]) -> Result<FontSet, FontError> {
        self.fallbacks.push(Fallback {
            name: name.to_owned(),
            loader: None,
            face: OnceLock::from(Ok(Face::parse(name, bytes)?)),
        });
        Ok(self)
    }

    /// Appends a fallback face that `loader` reads only when a character first reaches it in
    /// the chain. A face that then cannot be loaded or parsed draws nothing: the characters
    /// that needed it are reported as missing, as when no fallback covers them.
    pub fn with_lazy_fallback(mut self, name: &str, loader: FontLoader) -> FontSet {
        self.fallbacks.push(Fallback {
            name: name.to_owned(),
            loader: Some(loader),
            face: OnceLock::new(),
        });
        self
    }

    /// Names of the fallback faces, in the order they are tried.
    pub fn fallback_names(&self) -> impl Iterator<Item = &str> {
        self.fallbacks.iter().map(|fallback| fallback.name.as_str())
    }

    /// How many fallback faces have been parsed so far (a lazy one is parsed at first use).
    pub fn parsed_fallbacks(&self) -> usize {
        self.fallbacks
            .iter()
            .filter(|fallback| fallback.face.get().is_some())
            .count()
    }

    pub(crate) fn face(&self, key: FaceKey) -> &Face {
        match key {
            FaceKey::Primary(Weight::Regular) => &self.regular,
            FaceKey::Primary(Weight::Bold) => &self.bold,
            FaceKey::Fallback(index) => self
                .fallbacks
                .get(index)
                .and_then(Fallback::face)
                .unwrap_or(&self.regular),
        }
    }

    /// The first fallback face that has `ch`, loading faces on the way as needed.
    fn resolve_in_fallbacks(&self, ch: char) -> Option<(FaceKey, u16)> {
        self.fallbacks
            .iter()
            .enumerate()
            .find_map(|(index, fallback)| {
                let gid = fallback.face()?.glyph(ch)?;
                Some((FaceKey::Fallback(index), gid))
            })
    }

    /// The face that draws `ch` and its glyph, or `None` when no face has it.
    fn resolve(&self, ch: char, weight: Weight) -> Option<(FaceKey, u16)> {
        // DejaVu has Arabic letters but no tables to join them: a fallback that can is better.
        if needs_shaping(ch)
            && let Some(found) = self.resolve_in_fallbacks(ch)
        {
            return Some(found);
        }
        let primary = match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        };
        if let Some(gid) = primary.glyph(ch) {
            return Some((FaceKey::Primary(weight), gid));
        }
        // A bold heading with a Greek letter only the regular face has still renders.
        if weight == Weight::Bold
            && let Some(gid) = self.regular.glyph(ch)
        {
            return Some((FaceKey::Primary(Weight::Regular), gid));
        }
        self.resolve_in_fallbacks(ch)
    }

    /// Splits `text` into runs of one face each. Characters no face can draw become
    /// [`REPLACEMENT_CHARACTER`] and are pushed to `missing`.
    ///
    /// A run of characters that need shaping, drawn by a face that can shape them, is shaped
    /// as a whole; [`crate::text::visual_order`] hands it over in logical order.
    pub(crate) fn runs(&self, text: &str, weight: Weight, missing: &mut Vec<char>) -> Vec<Run> {
        let mut runs = self.unshaped_runs(text, weight, missing);
        for run in &mut runs {
            let face = self.face(run.face);
            match &face.shaping_source {
                Some(source) if run.text.chars().any(needs_shaping) => face.shape_run(source, run),
                // Arabic without a face to join it: its letters drawn isolated, right to left.
                _ if run.text.chars().any(is_shaped_right_to_left) => {
                    run.text = shaping::reversed_right_to_left_words(&run.text);
                }
                _ => {}
            }
        }
        runs
    }

    /// [`FontSet::runs`] before shaping: a run ends where the face changes, or where text that
    /// needs shaping meets text that does not.
    fn unshaped_runs(&self, text: &str, weight: Weight, missing: &mut Vec<char>) -> Vec<Run> {
        let mut runs: Vec<Run> = Vec::new();
        let mut last_shaped = false;
        for ch in text.chars() {
            let (face, drawn, gid) = match self.resolve(ch, weight) {
                Some((face, gid)) => (face, ch, gid),
                None => {
                    if !ch.is_whitespace() {
                        missing.push(ch);
                    }
                    let replacement = if ch.is_whitespace() {
                        ' '
                    } else {
                        REPLACEMENT_CHARACTER
                    };
                    match self.resolve(replacement, Weight::Regular) {
                        Some((face, gid)) => (face, replacement, gid),
                        None => continue,
                    }
                }
            };
            let advance = self.face(face).advance_per_mille(gid);
            let shaped = needs_shaping(drawn) && self.face(face).shaping_source.is_some();
            match runs.last_mut() {
                Some(run) if run.face == face && shaped == last_shaped => {
                    run.text.push(drawn);
                    run.width_per_mille += advance;
                }
                _ => runs.push(Run {
                    face,
                    text: drawn.to_string(),
                    width_per_mille: advance,
                    glyphs: None,
                }),
            }
            last_shaped = shaped;
        }
        runs
    }

    /// Width of `text` in points at `size`, as it will be drawn.
    pub fn measure(&self, text: &str, weight: Weight, size: f32) -> f32 {
        if text.chars().any(needs_shaping) {
            let widths = self.runs(text, weight, &mut Vec::new());
            return widths.iter().map(|run| run.width_per_mille).sum::<f32>() * size / 1000.0;
        }
        let mut advance = 0.0;
        for ch in text.chars() {
            let glyph = self
                .resolve(ch, weight)
                .or_else(|| self.resolve(REPLACEMENT_CHARACTER, Weight::Regular));
            if let Some((face, gid)) = glyph {
                advance += self.face(face).advance_per_mille(gid);
            }
        }
        advance * size / 1000.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> FontSet {
        FontSet::new(
            paperflow_bundled_fonts::REGULAR,
            paperflow_bundled_fonts::BOLD,
        )
        .expect("bundled fonts parse")
    }

    #[test]
    fn wider_text_measures_wider() {
        let fonts = fonts();
        let narrow = fonts.measure("iiii", Weight::Regular, 10.0);
        let wide = fonts.measure("WWWW", Weight::Regular, 10.0);
        assert!(narrow > 0.0 && wide > 2.0 * narrow, "{narrow} vs {wide}");
    }

    #[test]
    fn bold_text_is_wider_than_regular() {
        let fonts = fonts();
        let regular = fonts.measure("Total due", Weight::Regular, 10.0);
        let bold = fonts.measure("Total due", Weight::Bold, 10.0);
        assert!(bold > regular);
    }

    #[test]
    fn measure_scales_with_size() {
        let fonts = fonts();
        let ten = fonts.measure("Rechnung", Weight::Regular, 10.0);
        let twenty = fonts.measure("Rechnung", Weight::Regular, 20.0);
        assert!((twenty - 2.0 * ten).abs() < 1e-3);
    }

    #[test]
    fn greek_and_cyrillic_need_no_fallback() {
        let mut missing = Vec::new();
        let runs = fonts().runs("Ωμέγα Привет Øresund Łódź", Weight::Regular, &mut missing);
        assert!(missing.is_empty(), "{missing:?}");
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].face, FaceKey::Primary(Weight::Regular));
    }

    #[test]
    fn characters_without_a_face_become_replacements_and_are_reported() {
        let mut missing = Vec::new();
        let runs = fonts().runs("Tokyo 東京", Weight::Regular, &mut missing);
        assert_eq!(missing, vec!['東', '京']);
        let drawn: String = runs.iter().map(|run| run.text.as_str()).collect();
        assert_eq!(drawn, "Tokyo \u{FFFD}\u{FFFD}");
    }

    #[test]
    fn an_unparseable_fallback_is_a_clear_error() {
        let error = fonts()
            .with_fallback("broken.ttf", b"not a font")
            .err()
            .expect("garbage is rejected");
        assert_eq!(error.font, "broken.ttf");
        assert!(error.to_string().contains("cannot") || error.to_string().contains("parsed"));
    }
}
