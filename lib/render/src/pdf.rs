//! Turns laid-out pages into PDF bytes with printpdf, deterministically.
//!
//! printpdf names fonts and the document with ids from a process-wide counter, so the same
//! document rendered twice would differ. paperflow gives fonts stable resource names, derives
//! the document `/ID` from a hash of everything drawn, dates the document by its issue date,
//! and finishes the file itself (compression, serialisation) through lopdf. The same invoice
//! therefore always gives the same bytes, which idempotent storage relies on.
//!
//! A theme's logo is one image XObject in the document's shared resources, drawn by every page
//! that shows it: its bytes are in the file once however many pages there are.

use crate::fonts::{FaceKey, FontSet, PlacedGlyph};
use crate::layout::{Item, Pages};
use crate::theme::logo::{Channels, Encoding};
use crate::theme::{Logo, Rgb};
use crate::{PageSize, RenderError};
use printpdf::{
    Codepoint, Color, DictItem, ExternalStream, ExternalXObject, FontId, Greyscale, Line,
    LinePoint, Op, PaintMode, PdfDocument, PdfFont, PdfFontHandle, PdfPage, PdfSaveOptions, Point,
    Pt, Rect, TextItem, TextMatrix, XObject, XObjectId, XObjectTransform,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Facts written into the PDF's document information.
pub(crate) struct DocumentInfo {
    pub(crate) title: String,
    pub(crate) author: String,
    pub(crate) subject: String,
    /// Seconds since the Unix epoch, used for the creation and modification dates.
    pub(crate) date_unix: i64,
}

impl DocumentInfo {
    /// The creation and modification date.
    pub(crate) fn date(&self) -> Result<printpdf::OffsetDateTime, RenderError> {
        printpdf::OffsetDateTime::from_unix_timestamp(self.date_unix)
            .map_err(|error| RenderError(format!("document date: {error}")))
    }
}

/// The finished file, and the characters that no face could draw.
pub(crate) struct Written {
    pub(crate) bytes: Vec<u8>,
    pub(crate) missing: Vec<char>,
}

/// The program that wrote the file, as PDF readers show it.
pub(crate) const CREATOR: &str = concat!("paperflow ", env!("CARGO_PKG_VERSION"));

pub(crate) fn write(
    pages: &Pages,
    page_size: PageSize,
    fonts: &FontSet,
    info: &DocumentInfo,
    factur_x: Option<&[u8]>,
    logo: Option<&Logo>,
) -> Result<Written, RenderError> {
    let (width, height) = page_size.points();
    let mut font_ids: BTreeMap<FaceKey, FontId> = BTreeMap::new();
    let mut missing = Vec::new();
    let mut fingerprint = Sha256::new();
    fingerprint.update(info.title.as_bytes());
    fingerprint.update(info.author.as_bytes());

    let pdf_pages = pages
        .iter()
        .map(|items| {
            let ops = page_ops(
                items,
                height,
                fonts,
                &mut font_ids,
                &mut missing,
                &mut fingerprint,
            );
            let media_box = Rect::from_wh(Pt(width), Pt(height));
            PdfPage {
                media_box: media_box.clone(),
                trim_box: media_box.clone(),
                crop_box: media_box,
                ops,
            }
        })
        .collect();

    let mut document = PdfDocument::new(&info.title);
    let metadata = &mut document.metadata.info;
    metadata.author = info.author.clone();
    metadata.subject = info.subject.clone();
    metadata.creator = CREATOR.to_owned();
    metadata.producer = CREATOR.to_owned();
    let date = info.date()?;
    metadata.creation_date = date;
    metadata.modification_date = date;
    metadata.metadata_date = date;
    for (key, id) in &font_ids {
        let face = fonts.face(*key);
        document
            .resources
            .fonts
            .map
            .insert(id.clone(), PdfFont::new(face.parsed.clone()));
    }
    if let Some(logo) = logo {
        fingerprint.update(b"logo");
        fingerprint.update(logo.digest);
        document
            .resources
            .xobjects
            .map
            .insert(XObjectId(LOGO_RESOURCE.to_owned()), logo_xobject(logo));
    }
    document.with_pages(pdf_pages);

    let options = PdfSaveOptions {
        optimize: true,
        subset_fonts: true,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let mut pdf = document.to_lopdf_document(&options, &mut warnings);
    remove_false_conformance_claims(&mut pdf);
    if let Some(xml) = factur_x {
        fingerprint.update(b"factur-x");
        fingerprint.update(xml);
        crate::facturx::make_factur_x(&mut pdf, info, xml)?;
    }
    let id = fingerprint.finalize();
    let id = lopdf::Object::String(id[..16].to_vec(), lopdf::StringFormat::Hexadecimal);
    pdf.trailer
        .set("ID", lopdf::Object::Array(vec![id.clone(), id]));
    compress_streams(&mut pdf);
    let mut bytes = Vec::new();
    pdf.save_to(&mut bytes)
        .map_err(|error| RenderError(format!("writing the PDF: {error}")))?;

    missing.sort_unstable();
    missing.dedup();
    Ok(Written { bytes, missing })
}

/// Removes what printpdf writes into every document information dictionary whatever the
/// file is: `/GTS_PDFXVersion` (empty here) makes readers such as pdfinfo report the file as
/// PDF/X, a standard it does not meet, and `/Identifier` is empty and in no standard.
fn remove_false_conformance_claims(pdf: &mut lopdf::Document) {
    let Ok(info_id) = pdf
        .trailer
        .get(b"Info")
        .and_then(lopdf::Object::as_reference)
    else {
        return;
    };
    if let Ok(info) = pdf
        .get_object_mut(info_id)
        .and_then(lopdf::Object::as_dict_mut)
    {
        info.remove(b"GTS_PDFXVersion");
        info.remove(b"Identifier");
    }
}

/// How hard to deflate streams. lopdf's own `compress` uses level 9, which took half of the
/// time of a one-page render. Measured on the 12-line invoice (`make bench`): level 6 gives
/// 26.7 KB in 1.65 ms, level 3 27.0 KB in 1.56 ms, level 1 31.7 KB in 1.35 ms. Rendering speed
/// matters more here than 5 KB, and both stay within the 40 KB budget of a one-page PDF.
const COMPRESSION_LEVEL: u32 = 1;

/// Deflates every stream that is not encoded yet (content streams, subset fonts, ToUnicode maps),
/// except those that must stay readable as they are (PDF/A's XMP metadata).
fn compress_streams(pdf: &mut lopdf::Document) {
    use std::io::Write;
    for object in pdf.objects.values_mut() {
        let lopdf::Object::Stream(stream) = object else {
            continue;
        };
        if stream.dict.has(b"Filter") || !stream.allows_compression {
            continue;
        }
        let mut encoder = flate2::write::ZlibEncoder::new(
            Vec::with_capacity(stream.content.len() / 2),
            flate2::Compression::new(COMPRESSION_LEVEL),
        );
        let Ok(compressed) = encoder
            .write_all(&stream.content)
            .and_then(|()| encoder.finish())
        else {
            continue;
        };
        if compressed.len() < stream.content.len() {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(compressed);
        }
    }
}

/// The resource name of the `index`th font: printpdf writes its first six characters as the
/// subset tag (`PFAAAB+DejaVuSans`), which PDF requires to be six upper-case letters.
fn subset_tag(index: usize) -> String {
    let mut tag = *b"PFAAAA";
    let mut rest = index;
    for letter in tag[2..].iter_mut().rev() {
        *letter = b'A' + (rest % 26) as u8;
        rest /= 26;
    }
    String::from_utf8_lossy(&tag).into_owned()
}

/// The resource name of a theme's logo.
const LOGO_RESOURCE: &str = "Logo";

/// The logo as an image XObject: its pixels as the theme prepared them, with its alpha channel
/// as a soft mask. Without a `/Width` for printpdf, the placement is the page's own (`cm`).
fn logo_xobject(logo: &Logo) -> XObject {
    let name = |name: &str| DictItem::Name(name.as_bytes().to_vec());
    let image_dict = |color_space: &str| {
        BTreeMap::from([
            ("Type".to_owned(), name("XObject")),
            ("Subtype".to_owned(), name("Image")),
            ("Width".to_owned(), DictItem::Int(i64::from(logo.width()))),
            ("Height".to_owned(), DictItem::Int(i64::from(logo.height()))),
            ("ColorSpace".to_owned(), name(color_space)),
            ("BitsPerComponent".to_owned(), DictItem::Int(8)),
        ])
    };
    let color_space = match logo.channels {
        Channels::Gray => "DeviceGray",
        Channels::Rgb => "DeviceRGB",
    };
    let mut dict = image_dict(color_space);
    let filter = match logo.encoding {
        Encoding::Jpeg => "DCTDecode",
        Encoding::Deflated => "FlateDecode",
    };
    dict.insert("Filter".to_owned(), name(filter));
    if let Some(alpha) = &logo.alpha {
        let mut mask = image_dict("DeviceGray");
        mask.insert("Filter".to_owned(), name("FlateDecode"));
        dict.insert(
            "SMask".to_owned(),
            DictItem::Stream {
                stream: ExternalStream {
                    dict: mask,
                    content: alpha.clone(),
                    compress: false,
                },
            },
        );
    }
    XObject::External(ExternalXObject {
        stream: ExternalStream {
            dict,
            content: logo.data.clone(),
            compress: false,
        },
        width: None,
        height: None,
        dpi: None,
    })
}

/// The item itself, and the theme's colour it is drawn in instead of its grey, if any.
fn colored(item: &Item) -> (&Item, Option<Rgb>) {
    match item {
        Item::Colored { rgb, item } => (item, Some(*rgb)),
        plain => (plain, None),
    }
}

/// The fill or stroke colour of an item: the theme's colour, or the item's grey.
fn paint(rgb: Option<Rgb>, shade: f32) -> Color {
    match rgb {
        Some(Rgb(red, green, blue)) => Color::Rgb(printpdf::Rgb {
            r: f32::from(red) / 255.0,
            g: f32::from(green) / 255.0,
            b: f32::from(blue) / 255.0,
            icc_profile: None,
        }),
        None => gray(shade),
    }
}

fn gray(value: f32) -> Color {
    Color::Greyscale(Greyscale {
        percent: value,
        icc_profile: None,
    })
}

fn point(x: f32, y: f32) -> LinePoint {
    LinePoint {
        p: Point { x: Pt(x), y: Pt(y) },
        bezier: false,
    }
}

/// The operations of one page: shapes first, then all text in one text section.
fn page_ops(
    items: &[Item],
    height: f32,
    fonts: &FontSet,
    font_ids: &mut BTreeMap<FaceKey, FontId>,
    missing: &mut Vec<char>,
    fingerprint: &mut Sha256,
) -> Vec<Op> {
    let mut ops = Vec::new();
    for item in items {
        let (item, rgb) = colored(item);
        if let Some(Rgb(red, green, blue)) = rgb {
            fingerprint.update(format!("rgb {red} {green} {blue} "));
        }
        match *item {
            Item::Band {
                x,
                top,
                width,
                height: band_height,
                gray: shade,
            } => {
                fingerprint.update(format!("band {x} {top} {width} {band_height} {shade}"));
                ops.push(Op::SetFillColor {
                    col: paint(rgb, shade),
                });
                ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: Pt(x),
                        y: Pt(height - top - band_height),
                        width: Pt(width),
                        height: Pt(band_height),
                        mode: Some(PaintMode::Fill),
                        winding_order: None,
                    },
                });
            }
            Item::Rule {
                x1,
                x2,
                y,
                thickness,
                gray: shade,
            } => {
                fingerprint.update(format!("rule {x1} {x2} {y} {thickness} {shade}"));
                ops.push(Op::SetOutlineColor {
                    col: paint(rgb, shade),
                });
                ops.push(Op::SetOutlineThickness { pt: Pt(thickness) });
                ops.push(Op::DrawLine {
                    line: Line {
                        points: vec![point(x1, height - y), point(x2, height - y)],
                        is_closed: false,
                    },
                });
            }
            Item::Logo {
                x,
                top,
                width,
                height: logo_height,
            } => {
                fingerprint.update(format!("logo {x} {top} {width} {logo_height}"));
                // An image fills the unit square: scaled to the box, then moved to its place.
                ops.push(Op::UseXobject {
                    id: XObjectId(LOGO_RESOURCE.to_owned()),
                    transform: XObjectTransform {
                        translate_x: Some(Pt(x)),
                        translate_y: Some(Pt(height - top - logo_height)),
                        scale_x: Some(width),
                        scale_y: Some(logo_height),
                        ..XObjectTransform::default()
                    },
                });
            }
            Item::Text { .. } | Item::Colored { .. } => {}
        }
    }

    ops.push(Op::StartTextSection);
    let mut current_font: Option<(FaceKey, f32)> = None;
    let mut current_color: Option<Color> = None;
    for item in items {
        let (item, rgb) = colored(item);
        let Item::Text {
            x,
            baseline,
            size,
            weight,
            gray: shade,
            ref text,
        } = *item
        else {
            continue;
        };
        if let Some(Rgb(red, green, blue)) = rgb {
            fingerprint.update(format!("rgb {red} {green} {blue} "));
        }
        fingerprint.update(format!("text {x} {baseline} {size} {weight:?} {shade} "));
        fingerprint.update(text.as_bytes());
        let color = paint(rgb, shade);
        if current_color.as_ref() != Some(&color) {
            ops.push(Op::SetFillColor { col: color.clone() });
            current_color = Some(color);
        }
        let mut pen = x;
        for run in fonts.runs(text, weight, missing) {
            let next_id = FontId(subset_tag(font_ids.len()));
            let id = font_ids.entry(run.face).or_insert(next_id).clone();
            if current_font != Some((run.face, size)) {
                ops.push(Op::SetFont {
                    font: PdfFontHandle::External(id),
                    size: Pt(size),
                });
                current_font = Some((run.face, size));
            }
            let start = pen;
            pen += run.width_per_mille * size / 1000.0;
            if let Some(glyphs) = &run.glyphs {
                shaped_run_ops(&mut ops, &run.text, glyphs, start, height - baseline, size);
                continue;
            }
            ops.push(Op::SetTextMatrix {
                matrix: TextMatrix::Translate(Pt(start), Pt(height - baseline)),
            });
            ops.push(Op::ShowText {
                items: vec![TextItem::Text(run.text)],
            });
        }
    }
    ops.push(Op::EndTextSection);
    ops
}

/// A shaped run: each glyph where the shaper placed it (printpdf joins glyphs on one baseline
/// into one `TJ`), inside a span whose `/ActualText` is the run's text in logical order, so that
/// copying and searching give the characters typed, not the glyphs drawn (a Devanagari vowel
/// sign drawn before its consonant, a lam-alef ligature).
///
/// A right-to-left run (Arabic) has no span: pdftotext reverses right-to-left text character by
/// character, `/ActualText` included, so the glyphs' own ToUnicode entries (a ligature's
/// characters stored reversed) are what give back the typed order.
fn shaped_run_ops(
    ops: &mut Vec<Op>,
    text: &str,
    glyphs: &[PlacedGlyph],
    x: f32,
    baseline: f32,
    size: f32,
) {
    let with_actual_text = !text.chars().any(crate::fonts::is_shaped_right_to_left);
    if with_actual_text {
        let mut actual_text = vec![0xFE, 0xFF];
        actual_text.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        ops.push(Op::BeginMarkedContentWithProperties {
            tag: "Span".to_owned(),
            properties: DictItem::Dict {
                map: BTreeMap::from([(
                    "ActualText".to_owned(),
                    DictItem::String {
                        data: actual_text,
                        literal: false,
                    },
                )]),
            },
        });
    }
    for glyph in glyphs {
        ops.push(Op::SetTextMatrix {
            matrix: TextMatrix::Translate(
                Pt(x + glyph.x_per_mille * size / 1000.0),
                Pt(baseline + glyph.y_per_mille * size / 1000.0),
            ),
        });
        ops.push(Op::ShowText {
            items: vec![TextItem::GlyphIds(vec![Codepoint {
                gid: glyph.glyph_id,
                offset: 0.0,
                cid: glyph.text.clone(),
            }])],
        });
    }
    if with_actual_text {
        ops.push(Op::EndMarkedContentWithProperties);
    }
}
