//! OpenType shaping for the scripts that cannot be drawn one character per glyph.
//!
//! Arabic letters join (each takes an initial, medial, final or isolated form, and lam followed
//! by alef becomes one lam-alef ligature); Devanagari and its sister scripts form conjuncts and
//! draw some vowel signs before the consonant they follow in the text. rustybuzz, HarfBuzz's
//! shaping algorithm ported to Rust, turns such a run into the glyphs the font's `GSUB` and
//! `GPOS` tables ask for; its output is checked against HarfBuzz's own `hb-shape`
//! (`tests/shaping.rs`).
//!
//! Every other script is drawn as before, one glyph per character from the `cmap` with the
//! advance from `hmtx`: shaping Latin with DejaVu Sans gives the same glyphs (only kerning would
//! move them), and drawing it unshaped keeps the PDFs of every Latin invoice byte-identical.

use super::FontError;

/// One glyph as shaping placed it, in the font's units; glyphs come in visual order (left to
/// right), so a right-to-left run comes out reversed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShapedGlyph {
    /// The glyph id in the font.
    pub glyph_id: u16,
    /// The byte offset in the text of the first character this glyph draws (HarfBuzz's cluster).
    pub cluster: usize,
    /// How far the pen moves after this glyph.
    pub x_advance: i32,
    /// Horizontal shift of this glyph from the pen (a mark placed over its base).
    pub x_offset: i32,
    /// Vertical shift of this glyph from the baseline.
    pub y_offset: i32,
}

/// Shapes `text` with the font `font` (a `.ttf` or `.otf`, or the first face of a collection)
/// with its default features, direction and script guessed from the text, as `hb-shape` does.
pub fn shape(font: &[u8], text: &str) -> Result<Vec<ShapedGlyph>, FontError> {
    let face = rustybuzz::Face::from_slice(font, 0).ok_or_else(|| FontError {
        font: "shaping font".to_owned(),
        reason: "is not a TrueType or OpenType font that can be parsed".to_owned(),
    })?;
    Ok(shape_with(&face, text))
}

pub(super) fn shape_with(face: &rustybuzz::Face<'_>, text: &str) -> Vec<ShapedGlyph> {
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.guess_segment_properties();
    let shaped = rustybuzz::shape(face, &[], buffer);
    shaped
        .glyph_infos()
        .iter()
        .zip(shaped.glyph_positions())
        .map(|(info, position)| ShapedGlyph {
            // A glyph id is 16 bits in OpenType; rustybuzz widens it to u32.
            glyph_id: u16::try_from(info.glyph_id).unwrap_or(0),
            cluster: info.cluster as usize,
            x_advance: position.x_advance,
            x_offset: position.x_offset,
            y_offset: position.y_offset,
        })
        .collect()
}

/// Characters whose glyphs depend on their neighbours: Arabic (and the scripts written with
/// it), Devanagari and the other Brahmic scripts of India, and the joiners that steer them.
/// Arabic-Indic digits are left out: they are written left to right and need no joining.
pub(crate) fn needs_shaping(ch: char) -> bool {
    matches!(u32::from(ch),
        0x0600..=0x065F | 0x066A..=0x06EF | 0x06FA..=0x06FF  // Arabic, without its digits
        | 0x0750..=0x077F                                  // Arabic supplement
        | 0x08A0..=0x08FF                                  // Arabic extended-A
        | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF                // Arabic presentation forms
        | 0x0900..=0x0DFF                                  // Devanagari … Sinhala
        | 0xA8E0..=0xA8FF                                  // Devanagari extended
        | 0x200C | 0x200D) // zero-width non-joiner and joiner
}

/// Shaped characters written right to left: the Arabic ones. [`crate::text::visual_order`]
/// leaves a word of them in logical order, for the shaper reverses it as it joins its letters.
pub(crate) fn is_shaped_right_to_left(ch: char) -> bool {
    needs_shaping(ch)
        && !matches!(u32::from(ch), 0x0900..=0x0DFF | 0xA8E0..=0xA8FF | 0x200C | 0x200D)
}

/// `text` with each word of [`is_shaped_right_to_left`] characters reversed, and all else as
/// it was: turns such words from logical into display order and back.
pub(crate) fn reversed_right_to_left_words(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let mut start = 0;
    while start < chars.len() {
        if !is_shaped_right_to_left(chars[start]) {
            start += 1;
            continue;
        }
        let end = chars[start..]
            .iter()
            .position(|&ch| !is_shaped_right_to_left(ch))
            .map_or(chars.len(), |length| start + length);
        chars[start..end].reverse();
        start = end;
    }
    chars.into_iter().collect()
}

/// The text each glyph stands for, for the PDF's ToUnicode map: the first glyph of a cluster
/// carries the whole cluster (a lam-alef ligature stands for both letters, a Devanagari
/// conjunct for its consonants and virama), the other glyphs of the cluster nothing.
///
/// A right-to-left cluster's text is given in display order: readers (poppler's pdftotext
/// among them) turn a right-to-left line back into logical order by reversing its characters,
/// a ligature's included, so "لا" is written as "ال" to be read back as "لا".
pub(crate) fn cluster_texts(text: &str, glyphs: &[ShapedGlyph]) -> Vec<Option<String>> {
    let right_to_left = text.chars().any(is_shaped_right_to_left);
    let mut texts = logical_cluster_texts(text, glyphs);
    if right_to_left {
        for cluster in texts.iter_mut().flatten() {
            *cluster = cluster.chars().rev().collect();
        }
    }
    texts
}

fn logical_cluster_texts(text: &str, glyphs: &[ShapedGlyph]) -> Vec<Option<String>> {
    let mut starts: Vec<usize> = glyphs.iter().map(|glyph| glyph.cluster).collect();
    starts.sort_unstable();
    starts.dedup();
    let end_of = |start: usize| {
        starts
            .iter()
            .copied()
            .find(|&other| other > start)
            .unwrap_or(text.len())
    };
    let mut seen = std::collections::BTreeSet::new();
    glyphs
        .iter()
        .map(|glyph| {
            seen.insert(glyph.cluster)
                .then(|| text.get(glyph.cluster..end_of(glyph.cluster)))
                .flatten()
                .map(str::to_owned)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_and_devanagari_need_shaping_and_latin_does_not() {
        assert!("لا".chars().all(needs_shaping));
        assert!("कि".chars().all(needs_shaping));
        assert!(!"Invoice Ωμέγα שלום".chars().any(needs_shaping));
        assert!(!"٠١٢".chars().any(needs_shaping));
    }

    #[test]
    fn only_arabic_of_the_shaped_scripts_is_right_to_left() {
        assert!(is_shaped_right_to_left('ل'));
        assert!(!is_shaped_right_to_left('क'));
        assert!(!is_shaped_right_to_left('ש'));
    }

    #[test]
    fn a_cluster_of_several_glyphs_is_told_once() {
        let glyph = |cluster| ShapedGlyph {
            glyph_id: 1,
            cluster,
            x_advance: 0,
            x_offset: 0,
            y_offset: 0,
        };
        // "कि": the vowel sign is drawn first, but both glyphs are the one cluster at 0.
        let texts = cluster_texts("कि", &[glyph(0), glyph(0)]);
        assert_eq!(texts, vec![Some("कि".to_owned()), None]);
    }

    #[test]
    fn a_right_to_left_ligature_is_told_in_display_order() {
        let lam_alef = ShapedGlyph {
            glyph_id: 1,
            cluster: 0,
            x_advance: 0,
            x_offset: 0,
            y_offset: 0,
        };
        assert_eq!(cluster_texts("لا", &[lam_alef]), vec![Some("ال".to_owned())]);
    }

    #[test]
    fn garbage_is_not_a_font_to_shape_with() {
        assert!(shape(b"not a font", "abc").is_err());
    }
}
