//! Text shaping as far as an invoice needs it: normalisation, line breaking by real glyph
//! widths, and right-to-left reordering.
//!
//! Lines break at spaces, between CJK ideographs (which need no spaces), and, for a word wider
//! than the whole column, between any two characters, so that no text ever runs past its
//! column. Right-to-left runs (Hebrew, Arabic) are reordered for display per line, after
//! breaking, as the Unicode bidirectional algorithm asks; an Arabic word among them is left in
//! logical order for the shaper (`fonts::shaping`), which joins its letters and orders its
//! glyphs for display.

use crate::fonts::{FontSet, Weight, reversed_right_to_left_words};
use unicode_bidi::BidiInfo;
use unicode_normalization::UnicodeNormalization;

/// The text as it should be drawn: NFC, so that "e" + combining acute draws as one "é".
pub(crate) fn normalized(text: &str) -> String {
    if text.is_ascii() {
        text.to_owned()
    } else {
        text.nfc().collect()
    }
}

/// Breaks `text` into lines no wider than `max_width` points. Line breaks in the text are
/// kept; an empty text gives no lines.
pub(crate) fn wrap(
    fonts: &FontSet,
    text: &str,
    weight: Weight,
    size: f32,
    max_width: f32,
) -> Vec<String> {
    let text = normalized(text);
    let space = fonts.measure(" ", weight, size);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let paragraph = paragraph.trim_end_matches('\r');
        let mut line = String::new();
        let mut line_width = 0.0;
        for (token, after_space) in tokens(paragraph) {
            let token_width = fonts.measure(token, weight, size);
            let gap = if after_space && !line.is_empty() {
                space
            } else {
                0.0
            };
            if line_width + gap + token_width <= max_width {
                if gap > 0.0 {
                    line.push(' ');
                }
                line.push_str(token);
                line_width += gap + token_width;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_width = 0.0;
            }
            if token_width <= max_width {
                line.push_str(token);
                line_width = token_width;
                continue;
            }
            // A word wider than the column: break it between characters.
            for ch in token.chars() {
                let width = fonts.measure(ch.encode_utf8(&mut [0; 4]), weight, size);
                if line_width + width > max_width && !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line_width = 0.0;
                }
                line.push(ch);
                line_width += width;
            }
        }
        lines.push(line);
    }
    if lines.iter().all(String::is_empty) {
        lines.clear();
    }
    lines
}

/// Words and single ideographs, each with whether a space came before it.
fn tokens(paragraph: &str) -> Vec<(&str, bool)> {
    let mut tokens = Vec::new();
    let mut start: Option<usize> = None;
    let mut after_space = false;
    for (index, ch) in paragraph.char_indices() {
        if ch.is_whitespace() {
            if let Some(from) = start.take() {
                tokens.push((&paragraph[from..index], after_space));
            }
            after_space = true;
        } else if breaks_anywhere(ch) {
            if let Some(from) = start.take() {
                tokens.push((&paragraph[from..index], after_space));
                after_space = false;
            }
            tokens.push((&paragraph[index..index + ch.len_utf8()], after_space));
            after_space = false;
        } else if start.is_none() {
            start = Some(index);
        }
    }
    if let Some(from) = start {
        tokens.push((&paragraph[from..], after_space));
    }
    tokens
}

/// Scripts written without spaces, where a line may break between any two characters.
fn breaks_anywhere(ch: char) -> bool {
    matches!(u32::from(ch),
        0x2E80..=0x9FFF      // CJK radicals, kana, ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0xFF00..=0xFFEF    // full-width forms
        | 0x1F000..=0x1FAFF  // emoji and pictographs
        | 0x20000..=0x3FFFF) // CJK extensions
}

/// The line in display order: right-to-left runs reversed, with their brackets mirrored (a
/// "(" inside Hebrew text is drawn as ")"), and everything else untouched.
pub(crate) fn visual_order(line: &str) -> String {
    if !line.chars().any(is_right_to_left) {
        return line.to_owned();
    }
    let bidi = BidiInfo::new(line, None);
    let mut visual = String::with_capacity(line.len());
    for paragraph in &bidi.paragraphs {
        let (levels, runs) = bidi.visual_runs(paragraph, paragraph.range.clone());
        for run in runs {
            let text = &line[run.clone()];
            if levels[run.start].is_rtl() {
                let reversed: String = text.chars().rev().map(mirrored).collect();
                // A word to be shaped stays in logical order: the shaper joins its letters
                // and lays their glyphs out right to left itself.
                visual.push_str(&reversed_right_to_left_words(&reversed));
            } else {
                visual.push_str(text);
            }
        }
    }
    visual
}

/// The mirror image of a bracket, as drawn in right-to-left text.
fn mirrored(ch: char) -> char {
    match ch {
        '(' => ')',
        ')' => '(',
        '[' => ']',
        ']' => '[',
        '{' => '}',
        '}' => '{',
        '<' => '>',
        '>' => '<',
        '«' => '»',
        '»' => '«',
        '‹' => '›',
        '›' => '‹',
        other => other,
    }
}

fn is_right_to_left(ch: char) -> bool {
    matches!(u32::from(ch), 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF)
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
    fn every_wrapped_line_fits_its_width() {
        let fonts = fonts();
        let text = "Insulated gasket set for high-temperature flanges, DIN 2690, \
                    PN 40, with installation guide and certificate of conformity";
        let lines = wrap(&fonts, text, Weight::Regular, 9.0, 120.0);
        assert!(lines.len() > 2);
        for line in &lines {
            assert!(fonts.measure(line, Weight::Regular, 9.0) <= 120.0, "{line}");
        }
        assert_eq!(
            lines.join(" "),
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }

    #[test]
    fn a_word_wider_than_the_column_breaks_between_characters() {
        let fonts = fonts();
        let word = "Donaudampfschifffahrtsgesellschaftskapitänsmütze";
        let lines = wrap(&fonts, word, Weight::Regular, 9.0, 60.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), word);
    }

    #[test]
    fn ideographs_break_without_spaces() {
        let fonts = fonts();
        let text = "東京都千代田区丸の内一丁目九番一号東京駅前ビル";
        let lines = wrap(&fonts, text, Weight::Regular, 9.0, 50.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), text);
    }

    #[test]
    fn line_breaks_in_the_text_are_kept() {
        let lines = wrap(
            &fonts(),
            "first\r\nsecond\n\nfourth",
            Weight::Regular,
            9.0,
            400.0,
        );
        assert_eq!(lines, vec!["first", "second", "", "fourth"]);
    }

    #[test]
    fn decomposed_accents_are_composed() {
        assert_eq!(normalized("Cafe\u{301}"), "Café");
    }

    #[test]
    fn hebrew_is_reversed_for_display_and_latin_is_not() {
        assert_eq!(visual_order("abc"), "abc");
        assert_eq!(visual_order("שלום"), "םולש");
    }

    #[test]
    fn brackets_inside_right_to_left_text_are_mirrored() {
        // Logical "שלום (עולם)": drawn left to right as "(םלוע) םולש".
        assert_eq!(visual_order("שלום (עולם)"), "(םלוע) םולש");
    }
}
