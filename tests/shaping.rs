//! Arabic and Devanagari shaped as HarfBuzz shapes them, and drawn so that a reader gets the
//! typed text back: glyph ids and advances against `hb-shape` (Debian's libharfbuzz-bin) on
//! the same font files, then a whole invoice through pdftotext and pdffonts.

use paperflow_render::fonts::{ShapedGlyph, shape};
use paperflow_render::{FontSet, RenderOptions, font_files};
use paperflow_tests::{PdfFile, folded, sample};
use std::path::{Path, PathBuf};

/// The Noto faces `make tools` installs (Debian's fonts-noto-core).
fn noto(file: &str) -> PathBuf {
    let path = Path::new("/usr/share/fonts/truetype/noto").join(file);
    assert!(
        path.exists(),
        "{} is missing: run `make tools` (installs fonts-noto-core)",
        path.display()
    );
    path
}

const ARABIC: &str = "NotoSansArabic-Regular.ttf";
const DEVANAGARI: &str = "NotoSansDevanagari-Regular.ttf";

/// What `hb-shape --output-format=json` says: glyph id, cluster, offsets and advance.
fn hb_shape(font: &Path, text: &str) -> Vec<ShapedGlyph> {
    let output = std::process::Command::new("hb-shape")
        .args([
            "--output-format=json",
            "--no-glyph-names",
            "--utf8-clusters",
        ])
        .arg(font)
        .arg(text)
        .output()
        .expect("hb-shape runs (make tools installs libharfbuzz-bin)");
    assert!(output.status.success(), "hb-shape failed on {text:?}");
    let glyphs: Vec<serde_json::Value> =
        serde_json::from_slice(&output.stdout).expect("hb-shape prints JSON");
    let number = |glyph: &serde_json::Value, key: &str| {
        glyph[key]
            .as_i64()
            .unwrap_or_else(|| panic!("hb-shape gives {key}"))
    };
    glyphs
        .iter()
        .map(|glyph| ShapedGlyph {
            glyph_id: u16::try_from(number(glyph, "g")).expect("a 16-bit glyph id"),
            cluster: usize::try_from(number(glyph, "cl")).expect("a cluster offset"),
            x_advance: i32::try_from(number(glyph, "ax")).expect("an advance"),
            x_offset: i32::try_from(number(glyph, "dx")).expect("an offset"),
            y_offset: i32::try_from(number(glyph, "dy")).expect("an offset"),
        })
        .collect()
}

fn assert_shaped_as_harfbuzz_does(font: &Path, texts: &[&str]) {
    let bytes = std::fs::read(font).expect("the font is readable");
    for text in texts {
        let ours = shape(&bytes, text).expect("the font can be shaped with");
        assert_eq!(
            ours,
            hb_shape(font, text),
            "{text:?} with {}",
            font.display()
        );
    }
}

#[test]
fn arabic_joins_and_ligates_as_harfbuzz_does() {
    assert_shaped_as_harfbuzz_does(
        &noto(ARABIC),
        &[
            "لا",                 // lam-alef: one ligature glyph
            "السلام عليكم",       // initial, medial, final and isolated forms
            "شركة الأمل للتجارة", // lam-alef with hamza, lam-lam
            "لابتوب مع حقيبة",
            "فاتورة رقم ١٢٣", // with Arabic-Indic digits
            "مُحَمَّد",           // harakat placed over and under their letters
        ],
    );
}

#[test]
fn devanagari_forms_conjuncts_and_reorders_as_harfbuzz_does() {
    assert_shaped_as_harfbuzz_does(
        &noto(DEVANAGARI),
        &[
            "कि", // vowel sign i drawn before its consonant
            "हिंदी किताबें",
            "क्षत्रिय", // conjuncts kṣa and tra
            "प्राइवेट लिमिटेड",
            "धन्यवाद",
            "र्क", // reph above the following consonant
        ],
    );
}

#[test]
fn latin_shapes_to_the_glyphs_drawn_unshaped() {
    // Outside its f-ligatures (fi, ffi, …, which paperflow does not draw) DejaVu Sans only
    // kerns Latin: kerning moves glyphs but never replaces them, so drawing Latin one cmap
    // glyph per character (as paperflow does) draws HarfBuzz's glyphs.
    let font = PathBuf::from("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");
    assert_shaped_as_harfbuzz_does(&font, &["office affine"]);
    let texts = [
        "Invoice total 1,234.50 EUR",
        "Ærøskøbing Łódź",
        "Gasket set, DIN 2690",
    ];
    assert_shaped_as_harfbuzz_does(&font, &texts);
    let bytes = std::fs::read(&font).expect("DejaVu Sans is readable");
    let face = rustybuzz_face_glyphs(&bytes);
    for text in texts {
        let shaped: Vec<u16> = shape(&bytes, text)
            .expect("shaped")
            .iter()
            .map(|glyph| glyph.glyph_id)
            .collect();
        let per_character: Vec<u16> = text.chars().map(&face).collect();
        assert_eq!(shaped, per_character, "{text:?}");
    }
}

/// The cmap glyph of each character, as the unshaped path draws it: shaping the character
/// alone gives exactly its cmap glyph.
fn rustybuzz_face_glyphs(font: &[u8]) -> impl Fn(char) -> u16 + '_ {
    move |ch| {
        let glyphs = shape(font, ch.encode_utf8(&mut [0; 4])).expect("shaped");
        assert_eq!(glyphs.len(), 1, "{ch:?} is one glyph");
        glyphs[0].glyph_id
    }
}

/// A folder holding the Arabic and Devanagari faces, as a Lambda layer would.
fn fallback_folder() -> tempfile::TempDir {
    let folder = tempfile::tempdir().expect("a temporary folder");
    for file in [ARABIC, DEVANAGARI] {
        std::fs::copy(noto(file), folder.path().join(file)).expect("the font is copied");
    }
    folder
}

#[test]
fn an_arabic_and_devanagari_invoice_reads_back_as_typed() {
    let folder = fallback_folder();
    let pdf = rendered_with_every_glyph(
        "invoice-arabic-devanagari.json",
        &bundled_with_fallbacks(folder.path()),
    );
    let text = folded(&pdf.text());
    for typed in ["भारत इंजीनियरिंग प्राइवेट लिमिटेड", "हिंदी किताबें", "धन्यवाद"]
    {
        assert!(text.contains(typed), "{typed:?} not in {text}");
    }
    for typed in ["شركة", "الأمل", "للتجارة", "لابتوب", "حقيبة", "شكرا"]
    {
        assert!(text.contains(typed), "{typed:?} not in {text}");
    }
    assert!(!text.contains('\u{FFFD}'), "{text}");

    let fonts_listed = pdf.fonts();
    for face in ["NotoSansArabic", "NotoSansDevanagari"] {
        let line = fonts_listed
            .lines()
            .find(|line| line.contains(face))
            .unwrap_or_else(|| panic!("{face} not in {fonts_listed}"));
        // pdffonts: name, type, encoding, then emb sub uni as yes/no.
        assert!(line.contains("yes yes yes"), "{face} not embedded: {line}");
    }
    assert!(pdf.qpdf_check().is_ok(), "{:?}", pdf.qpdf_check());
}

#[test]
fn fallback_fonts_are_parsed_only_when_a_document_needs_them() {
    let folder = fallback_folder();
    let fonts = bundled_with_fallbacks(folder.path());
    assert_eq!(fonts.parsed_fallbacks(), 0, "nothing is parsed at start");

    let latin = paperflow_invoice::parse_invoice(&sample("invoice-small.json")).expect("valid");
    paperflow_render::render(&latin, &fonts, &RenderOptions::default()).expect("renders");
    assert_eq!(fonts.parsed_fallbacks(), 0, "a Latin invoice needs none");

    let arabic =
        paperflow_invoice::parse_invoice(&sample("invoice-arabic-devanagari.json")).expect("valid");
    paperflow_render::render(&arabic, &fonts, &RenderOptions::default()).expect("renders");
    assert_eq!(fonts.parsed_fallbacks(), 2);
}

/// The fallback fonts' layer as `make tools` builds it (scripts/build-fonts-layer.sh): the
/// folder the templates deploy at /opt/fonts and the local stack gives its functions.
fn layer_fonts() -> PathBuf {
    let folder = paperflow_tests::repo_root().join("target/fonts-layer/fonts");
    assert!(
        folder.is_dir(),
        "{} is missing: run `make tools` (scripts/build-fonts-layer.sh)",
        folder.display()
    );
    folder
}

#[test]
fn the_layer_draws_every_character_of_the_multilingual_sample() {
    let fonts = font_files::layer_font_set(&layer_fonts()).expect("the layer's fonts load");
    let pdf = rendered_with_every_glyph("invoice-multilingual.json", &fonts);
    let text = folded(&pdf.text());
    assert!(!text.contains('\u{FFFD}'), "{text}");
    for typed in ["東京支店向け工具セット", "ありがとうございます", "🎁"] {
        assert!(text.contains(typed), "{typed:?} not in {text}");
    }
    let fonts_listed = pdf.fonts();
    for face in ["DroidSansFallback", "Symbola"] {
        assert!(fonts_listed.contains(face), "{face} not in {fonts_listed}");
    }
}

/// The bundled faces followed by the fallback fonts of `folder`.
fn bundled_with_fallbacks(folder: &Path) -> FontSet {
    let bundled = paperflow_bundled_fonts::font_set().expect("bundled fonts");
    font_files::with_fallback_fonts(bundled, folder).expect("the folder has fonts")
}

/// The sample rendered with `fonts`, asserting that every character found a glyph.
fn rendered_with_every_glyph(sample_name: &str, fonts: &FontSet) -> PdfFile {
    let invoice =
        paperflow_invoice::parse_invoice(&sample(sample_name)).expect("the sample is valid");
    let rendered = paperflow_render::render(&invoice, fonts, &RenderOptions::default())
        .expect("the sample renders");
    assert!(
        rendered.missing_glyphs.is_empty(),
        "{sample_name}: {:?}",
        rendered.missing_glyphs
    );
    PdfFile::new(&rendered.bytes)
}
