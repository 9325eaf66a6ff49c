//! Slimming a TrueType/OpenType font before it is embedded.
//!
//! The font subsetter copies a face's `name` table whole into every embedded subset. DejaVu
//! Sans carries its full licence text there: 15.6 KB, more than half of a one-page invoice's
//! subset font, deflated again on every render. PDF readers never read that table. The slim
//! copy keeps the names that identify the font and its copyright notice (name ids 0 to 6:
//! copyright, family, subfamily, unique id, full name, version, PostScript name) and drops the
//! rest.
//!
//! The subsetter also parses the `post` table on every render; DejaVu's holds 62 KB of glyph
//! names that PDF text extraction does not use (it reads the ToUnicode map). The slim copy is a
//! format 3 `post` table: the same metrics, no names.
//!
//! The layout tables for shaping and kerning (`GSUB`, `GPOS`, `GDEF`, `kern`, `MATH`) are
//! dropped: a PDF reader draws the glyph ids it is given, the shaper (`shaping`) reads them from
//! the original file, and every parsed face is copied into each document it draws, so 60 KB of
//! unused tables cost time on every render.
//! All other tables are copied unchanged, and the checksums are recomputed.
//!
//! Anything this code does not understand (a collection, a malformed table directory) leaves
//! the font as it was: slimming is an optimisation, never a reason to fail.

const NAME: [u8; 4] = *b"name";
const HEAD: [u8; 4] = *b"head";
const POST: [u8; 4] = *b"post";
/// Tables no reader of the embedded font needs, and paperflow's layout does not use.
const DROPPED: [[u8; 4]; 6] = [*b"GSUB", *b"GPOS", *b"GDEF", *b"kern", *b"MATH", *b"FFTM"];
/// The fixed header of a `post` table, which is all of a format 3 table.
const POST_HEADER_LENGTH: usize = 32;
/// The name ids kept: copyright notice up to and including the PostScript name.
const KEPT_NAME_IDS: std::ops::RangeInclusive<u16> = 0..=6;
/// What the whole font's checksum must add up to, per the OpenType `head` table.
const CHECKSUM_MAGIC: u32 = 0xB1B0_AFBA;

struct Table<'a> {
    tag: [u8; 4],
    data: std::borrow::Cow<'a, [u8]>,
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// The font with slim `name` and `post` tables, or `None` when it cannot be slimmed.
pub(crate) fn slimmed(font: &[u8]) -> Option<Vec<u8>> {
    let version = u32_at(font, 0)?;
    if version != 0x0001_0000 && &font[..4] != b"OTTO" && &font[..4] != b"true" {
        return None;
    }
    let count = usize::from(u16_at(font, 4)?);
    let mut tables = Vec::with_capacity(count);
    for index in 0..count {
        let record = 12 + 16 * index;
        let tag: [u8; 4] = font.get(record..record + 4)?.try_into().ok()?;
        let offset = usize::try_from(u32_at(font, record + 8)?).ok()?;
        let length = usize::try_from(u32_at(font, record + 12)?).ok()?;
        let data = font.get(offset..offset.checked_add(length)?)?;
        if DROPPED.contains(&tag) {
            continue;
        }
        let data = match tag {
            NAME => std::borrow::Cow::Owned(slim_name_table(data)?),
            POST => std::borrow::Cow::Owned(post_without_glyph_names(data)?),
            _ => std::borrow::Cow::Borrowed(data),
        };
        tables.push(Table { tag, data });
    }
    Some(assemble(&font[..4], &mut tables))
}

/// A format 0 `name` table holding only the records of [`KEPT_NAME_IDS`].
fn slim_name_table(table: &[u8]) -> Option<Vec<u8>> {
    let count = usize::from(u16_at(table, 2)?);
    let storage = usize::from(u16_at(table, 4)?);
    let mut kept = Vec::new();
    for index in 0..count {
        let record = 6 + 12 * index;
        let language = u16_at(table, record + 4)?;
        let name_id = u16_at(table, record + 6)?;
        // Language ids from 0x8000 point into a format 1 language-tag list, which is dropped.
        if !KEPT_NAME_IDS.contains(&name_id) || language >= 0x8000 {
            continue;
        }
        let length = usize::from(u16_at(table, record + 8)?);
        let offset = storage + usize::from(u16_at(table, record + 10)?);
        let text = table.get(offset..offset + length)?;
        kept.push((table.get(record..record + 8)?, text));
    }
    let header = 6 + 12 * kept.len();
    let mut slim = Vec::new();
    slim.extend_from_slice(&0_u16.to_be_bytes());
    slim.extend_from_slice(&u16::try_from(kept.len()).ok()?.to_be_bytes());
    slim.extend_from_slice(&u16::try_from(header).ok()?.to_be_bytes());
    let mut strings = Vec::new();
    for (record, text) in &kept {
        slim.extend_from_slice(record);
        slim.extend_from_slice(&u16::try_from(text.len()).ok()?.to_be_bytes());
        slim.extend_from_slice(&u16::try_from(strings.len()).ok()?.to_be_bytes());
        strings.extend_from_slice(text);
    }
    slim.extend_from_slice(&strings);
    Some(slim)
}

/// A format 3 `post` table: the header's metrics, no glyph names.
fn post_without_glyph_names(table: &[u8]) -> Option<Vec<u8>> {
    let mut post = table.get(..POST_HEADER_LENGTH)?.to_vec();
    post[..4].copy_from_slice(&0x0003_0000_u32.to_be_bytes());
    Some(post)
}

fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0_u32, |sum, chunk| {
        let mut word = [0_u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

/// Lays the tables out again, 4-byte aligned, with a fresh directory and checksums.
fn assemble(version: &[u8], tables: &mut [Table<'_>]) -> Vec<u8> {
    let count = tables.len();
    let mut power = 1_usize;
    let mut log2 = 0_u16;
    while power * 2 <= count {
        power *= 2;
        log2 += 1;
    }
    let search_range = (power * 16) as u16;
    let mut font = Vec::new();
    font.extend_from_slice(version);
    font.extend_from_slice(&(count as u16).to_be_bytes());
    font.extend_from_slice(&search_range.to_be_bytes());
    font.extend_from_slice(&log2.to_be_bytes());
    font.extend_from_slice(&((count * 16) as u16 - search_range).to_be_bytes());

    // The whole-font checksum is computed with head's checkSumAdjustment at zero.
    for table in tables.iter_mut() {
        if table.tag == HEAD && table.data.len() >= 12 {
            table.data.to_mut()[8..12].copy_from_slice(&[0; 4]);
        }
    }
    let mut offset = 12 + 16 * count;
    let mut head_at = None;
    for table in tables.iter() {
        font.extend_from_slice(&table.tag);
        font.extend_from_slice(&checksum(&table.data).to_be_bytes());
        font.extend_from_slice(&(offset as u32).to_be_bytes());
        font.extend_from_slice(&(table.data.len() as u32).to_be_bytes());
        if table.tag == HEAD {
            head_at = Some(offset);
        }
        offset += table.data.len().next_multiple_of(4);
    }
    for table in tables.iter() {
        font.extend_from_slice(&table.data);
        font.resize(font.len().next_multiple_of(4), 0);
    }
    if let Some(head) = head_at {
        let adjustment = CHECKSUM_MAGIC.wrapping_sub(checksum(&font));
        font[head + 8..head + 12].copy_from_slice(&adjustment.to_be_bytes());
    }
    font
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(font: &[u8]) -> Vec<([u8; 4], usize)> {
        let count = usize::from(u16_at(font, 4).expect("a table count"));
        (0..count)
            .map(|index| {
                let record = 12 + 16 * index;
                let tag = font[record..record + 4].try_into().expect("a tag");
                let length = u32_at(font, record + 12).expect("a length") as usize;
                (tag, length)
            })
            .collect()
    }

    #[test]
    fn name_and_post_shrink_layout_tables_go_and_the_rest_stays() {
        let original = dejavu::sans::regular();
        let slim = slimmed(original).expect("DejaVu Sans can be slimmed");
        let kept: Vec<_> = tables(original)
            .into_iter()
            .filter(|(tag, _)| !DROPPED.contains(tag))
            .collect();
        assert!(
            kept.len() < tables(original).len(),
            "DejaVu Sans has GPOS and GSUB"
        );
        assert_eq!(kept.len(), tables(&slim).len());
        for ((tag, before), (slim_tag, after)) in kept.into_iter().zip(tables(&slim)) {
            assert_eq!(tag, slim_tag);
            if tag == NAME || tag == POST {
                assert!(after * 5 < before, "{tag:?} table {before} → {after} bytes");
            } else {
                assert_eq!(before, after, "{}", String::from_utf8_lossy(&tag));
            }
        }
    }

    #[test]
    fn the_copyright_notice_and_the_font_names_stay() {
        let slim = slimmed(dejavu::sans::bold()).expect("slimmed");
        let text = String::from_utf8_lossy(&slim);
        assert!(
            text.contains("Copyright (c) 2003 by Bitstream"),
            "copyright kept"
        );
        assert!(text.contains("DejaVuSans-Bold"), "PostScript name kept");
        assert!(
            !text.contains("Permission is hereby granted"),
            "licence text dropped"
        );
    }

    #[test]
    fn the_whole_font_checksum_adds_up() {
        let slim = slimmed(dejavu::sans::regular()).expect("slimmed");
        assert_eq!(checksum(&slim), CHECKSUM_MAGIC);
    }

    #[test]
    fn the_bundled_faces_are_what_run_time_slimming_makes() {
        // paperflow-bundled-fonts' build.rs slims them with this module; a face slimmed twice
        // must not change either, or a fallback that is slim already would be drawn differently.
        for (bundled, original) in [
            (paperflow_bundled_fonts::REGULAR, dejavu::sans::regular()),
            (paperflow_bundled_fonts::BOLD, dejavu::sans::bold()),
        ] {
            assert_eq!(slimmed(original).as_deref(), Some(bundled));
            assert_eq!(slimmed(bundled).as_deref(), Some(bundled));
        }
    }

    #[test]
    fn what_is_not_a_font_is_left_alone() {
        assert_eq!(slimmed(b"not a font at all"), None);
        assert_eq!(slimmed(b""), None);
    }
}
