//! A theme's logo: a PNG or JPEG file checked whole and turned, once, into the pixels of one PDF
//! image, so that rendering only places it.
//!
//! A JPEG is decoded once to prove it is whole, then embedded as its own DCT bytes (PDF readers
//! decode JPEG themselves: no quality is lost, nothing grows). A PNG is decoded to 8-bit grey or
//! RGB, deflated, and its alpha channel, if it uses one, becomes the image's soft mask.

use flate2::Compression;
use flate2::write::ZlibEncoder;
use sha2::{Digest, Sha256};
use std::io::Write;

/// The largest logo file, in bytes.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;

/// The widest and tallest logo, in pixels: a header box a few centimetres wide needs no more.
pub const MAX_LOGO_SIDE: u32 = 4096;

/// The most pixels a logo may have: bounds the memory a small file may decompress into.
pub const MAX_LOGO_PIXELS: u64 = 4_000_000;

/// The colour space of a logo's pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Channels {
    Gray,
    Rgb,
}

/// How a logo's pixel data is encoded in the PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    /// The JPEG file's own bytes (`/DCTDecode`).
    Jpeg,
    /// Raw samples, zlib-deflated (`/FlateDecode`).
    Deflated,
}

/// A decoded, checked logo, ready to embed.
#[derive(Clone, PartialEq)]
pub struct Logo {
    width: u32,
    height: u32,
    pub(crate) channels: Channels,
    pub(crate) encoding: Encoding,
    /// The image's stream content, encoded as `encoding` says.
    pub(crate) data: Vec<u8>,
    /// The PNG's alpha channel, deflated 8-bit grey, when some pixel is not opaque.
    pub(crate) alpha: Option<Vec<u8>>,
    /// SHA-256 of the file, for the document's `/ID`.
    pub(crate) digest: [u8; 32],
}

impl std::fmt::Debug for Logo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Logo")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("channels", &self.channels)
            .field("encoding", &self.encoding)
            .field("bytes", &self.data.len())
            .field("alpha", &self.alpha.is_some())
            .finish()
    }
}

impl Logo {
    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Decodes and checks a logo file: PNG or JPEG (told by its signature, not its name), at
    /// most [`MAX_LOGO_BYTES`], [`MAX_LOGO_SIDE`] pixels a side and [`MAX_LOGO_PIXELS`] in all,
    /// whole. The error is the rule the file breaks.
    pub fn decode(file: &[u8]) -> Result<Logo, String> {
        if file.len() > MAX_LOGO_BYTES {
            return Err(format!(
                "must be at most {MAX_LOGO_BYTES} bytes (512 KB) (is {} bytes)",
                file.len()
            ));
        }
        let digest = Sha256::digest(file).into();
        if file.starts_with(b"\x89PNG\r\n\x1a\n") {
            decode_png(file, digest)
        } else if file.starts_with(&[0xFF, 0xD8, 0xFF]) {
            decode_jpeg(file, digest)
        } else {
            Err("must be a PNG or JPEG image (the file starts with neither signature)".into())
        }
    }
}

/// The logo's name in `theme.json`: a file beside it, named `*.png`, `*.jpg` or `*.jpeg`.
pub(super) fn check_file_name(name: &str) -> Result<(), String> {
    let rule = || {
        format!(
            "must be the name of a .png, .jpg or .jpeg file in the theme's folder (is {name:?})"
        )
    };
    if name.contains(['/', '\\']) || name.starts_with('.') || name.chars().any(char::is_control) {
        return Err(rule());
    }
    let extension = name
        .rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase());
    match extension.as_deref() {
        Some("png" | "jpg" | "jpeg") => Ok(()),
        _ => Err(rule()),
    }
}

fn check_size(width: u32, height: u32) -> Result<(), String> {
    if width == 0 || height == 0 {
        return Err(format!("has no pixels ({width} × {height})"));
    }
    if width > MAX_LOGO_SIDE || height > MAX_LOGO_SIDE {
        return Err(format!(
            "must be at most {MAX_LOGO_SIDE} pixels wide and high (is {width} × {height})"
        ));
    }
    if u64::from(width) * u64::from(height) > MAX_LOGO_PIXELS {
        return Err(format!(
            "must have at most {MAX_LOGO_PIXELS} pixels (is {width} × {height})"
        ));
    }
    Ok(())
}

fn decode_png(file: &[u8], digest: [u8; 32]) -> Result<Logo, String> {
    let corrupt = |error: png::DecodingError| format!("is not a readable PNG image: {error}");
    let mut decoder = png::Decoder::new(std::io::Cursor::new(file));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(corrupt)?;
    let (width, height) = (reader.info().width, reader.info().height);
    check_size(width, height)?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| format!("is too large to decode ({width} × {height})"))?;
    let mut pixels = vec![0; size];
    let frame = reader.next_frame(&mut pixels).map_err(corrupt)?;
    pixels.truncate(frame.buffer_size());
    let (channels, alpha_samples) = match frame.color_type {
        png::ColorType::Grayscale => (Channels::Gray, None),
        png::ColorType::Rgb => (Channels::Rgb, None),
        png::ColorType::GrayscaleAlpha => (Channels::Gray, Some(2)),
        png::ColorType::Rgba => (Channels::Rgb, Some(4)),
        png::ColorType::Indexed => {
            return Err("is a PNG whose palette could not be expanded".into());
        }
    };
    let (color, alpha) = match alpha_samples {
        None => (pixels, None),
        Some(stride) => {
            let mut color = Vec::with_capacity(pixels.len() / stride * (stride - 1));
            let mut alpha = Vec::with_capacity(pixels.len() / stride);
            for pixel in pixels.chunks_exact(stride) {
                color.extend_from_slice(&pixel[..stride - 1]);
                alpha.push(pixel[stride - 1]);
            }
            // An alpha channel that is opaque everywhere needs no mask.
            let used = alpha.iter().any(|&value| value != u8::MAX);
            (color, used.then_some(alpha))
        }
    };
    Ok(Logo {
        width,
        height,
        channels,
        encoding: Encoding::Deflated,
        data: deflate(&color),
        alpha: alpha.as_deref().map(deflate),
        digest,
    })
}

fn decode_jpeg(file: &[u8], digest: [u8; 32]) -> Result<Logo, String> {
    use zune_jpeg::zune_core::bytestream::ZCursor;
    use zune_jpeg::zune_core::colorspace::ColorSpace;
    use zune_jpeg::zune_core::options::DecoderOptions;

    let corrupt =
        |error: zune_jpeg::errors::DecodeErrors| format!("is not a readable JPEG image: {error}");
    let side = MAX_LOGO_SIDE as usize;
    let options = DecoderOptions::default()
        .set_max_width(side)
        .set_max_height(side)
        .set_strict_mode(true);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(file), options);
    decoder.decode_headers().map_err(corrupt)?;
    let info = decoder
        .info()
        .ok_or_else(|| "is not a readable JPEG image: no frame header".to_owned())?;
    check_size(u32::from(info.width), u32::from(info.height))?;
    let channels = match decoder.input_colorspace() {
        Some(ColorSpace::Luma) => Channels::Gray,
        Some(ColorSpace::YCbCr | ColorSpace::RGB) => Channels::Rgb,
        other => {
            return Err(format!(
                "must be a greyscale or colour (YCbCr) JPEG (is {})",
                other.map_or("unknown".to_owned(), |space| format!("{space:?}"))
            ));
        }
    };
    // Decoding every pixel is the only proof that the scan data is whole; the pixels themselves
    // are not needed, the PDF reader decodes the file's own bytes.
    decoder.decode().map_err(corrupt)?;
    Ok(Logo {
        width: u32::from(info.width),
        height: u32::from(info.height),
        channels,
        encoding: Encoding::Jpeg,
        data: file.to_vec(),
        alpha: None,
        digest,
    })
}

/// Deflated once when the theme is read, at the default level: every PDF then copies the bytes.
fn deflate(samples: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(samples);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A PNG of `width` × `height` pixels in `color`, with the alpha channel `alpha` when given.
    pub(crate) fn png(width: u32, height: u32, alpha: Option<u8>) -> Vec<u8> {
        let mut file = Vec::new();
        let mut encoder = png::Encoder::new(&mut file, width, height);
        let (color_type, pixel): (_, &[u8]) = match alpha {
            Some(alpha) => (png::ColorType::Rgba, &[11, 95, 255, alpha][..]),
            None => (png::ColorType::Rgb, &[11, 95, 255][..]),
        };
        encoder.set_color(color_type);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("header");
        let data: Vec<u8> = pixel
            .iter()
            .copied()
            .cycle()
            .take(pixel.len() * (width * height) as usize)
            .collect();
        writer.write_image_data(&data).expect("data");
        writer.finish().expect("finish");
        file
    }

    #[test]
    fn a_png_is_decoded_to_deflated_rgb() {
        let logo = Logo::decode(&png(40, 10, None)).expect("valid");
        assert_eq!((logo.width(), logo.height()), (40, 10));
        assert_eq!(logo.channels, Channels::Rgb);
        assert_eq!(logo.encoding, Encoding::Deflated);
        assert!(logo.alpha.is_none());
    }

    #[test]
    fn a_png_with_transparency_gets_a_mask_and_an_opaque_one_none() {
        assert!(
            Logo::decode(&png(4, 4, Some(128)))
                .expect("valid")
                .alpha
                .is_some()
        );
        assert!(
            Logo::decode(&png(4, 4, Some(255)))
                .expect("valid")
                .alpha
                .is_none()
        );
    }

    #[test]
    fn a_truncated_png_is_refused_as_corrupt() {
        let file = png(40, 10, None);
        let error = Logo::decode(&file[..file.len() - 20]).expect_err("corrupt");
        assert!(error.starts_with("is not a readable PNG image"), "{error}");
    }

    #[test]
    fn a_file_over_512_kb_is_refused() {
        let mut file = png(1, 1, None);
        file.resize(MAX_LOGO_BYTES + 1, 0);
        let error = Logo::decode(&file).expect_err("too large");
        assert!(error.contains("at most 524288 bytes"), "{error}");
    }

    #[test]
    fn a_logo_over_the_pixel_bounds_is_refused() {
        let error = Logo::decode(&png(MAX_LOGO_SIDE + 1, 1, None)).expect_err("too wide");
        assert!(error.contains("at most 4096 pixels"), "{error}");
        let error = Logo::decode(&png(2001, 2000, None)).expect_err("too many pixels");
        assert!(error.contains("at most 4000000 pixels"), "{error}");
    }

    #[test]
    fn neither_png_nor_jpeg_is_refused() {
        let error = Logo::decode(b"GIF89a....").expect_err("gif");
        assert!(error.contains("PNG or JPEG"), "{error}");
    }

    #[test]
    fn a_jpeg_without_its_scan_is_refused_as_corrupt() {
        // Start of image, then the file ends: headers missing.
        let error = Logo::decode(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 16]).expect_err("corrupt");
        assert!(error.starts_with("is not a readable JPEG image"), "{error}");
    }
}
