//! The QR symbol of a payload: the grid of dark and light modules a renderer draws.
//!
//! Both payment codes use error correction level M and byte mode (their payloads are UTF-8
//! text with lower-case letters and line breaks); the level is never raised, even where the
//! same symbol version could carry more correction, because EPC069-12 and the SIX guidelines
//! name M. The largest version is the standard's: 13 for EPC (331 bytes), 25 for the Swiss
//! QR-bill (997 characters). The symbol itself comes from the `qrcodegen` crate.
//!
//! The Swiss QR-bill's smallest version is 14, not 1. From version 7 to 13 (and again from 21)
//! an alignment pattern sits at the symbol's very centre, under the Swiss cross; from 7 to 13 a
//! decoder that looks for that pattern near its expected place (zbar does, within two modules)
//! finds a false one in the cross's corners, bends its sampling grid to it and misreads the
//! symbol. From 21 the modules are small enough that no part of the cross resembles the
//! pattern, and versions 14 to 20 have no pattern at the centre at all. A QR-bill's payload
//! never fits the versions below 7 (106 bytes) anyway, so the smallest version the Swiss cross
//! leaves readable is 14; the standard sets no smallest version, only the 46 mm side.
//!
//! Printing is the renderer's job: a quiet zone of at least four modules around the grid, the
//! EPC code at least 2 cm wide (EPC069-12 advises 2–3 cm for phones), and the Swiss QR-bill's
//! symbol at exactly 46 × 46 mm with the Swiss cross (7 × 7 mm: a white cross on a black square
//! with a white border) over its centre, which level M's redundancy makes up for.

use std::ops::RangeInclusive;

use qrcodegen::{QrCode, QrCodeEcc, QrSegment, Version};

/// A QR symbol: `size × size` modules, without the quiet zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrSymbol {
    size: usize,
    /// Row by row from the top left: `true` is a dark module.
    modules: Vec<bool>,
    version: u8,
}

/// A payload too long for the symbol its standard allows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "payload of {bytes} bytes does not fit a QR symbol of version {max_version} at error correction M"
)]
pub struct SymbolTooLarge {
    /// The payload's length in bytes.
    pub bytes: usize,
    /// The largest version the standard allows.
    pub max_version: u8,
}

/// The symbol versions of the EPC QR code: up to 13 (EPC069-12).
pub const EPC_VERSIONS: RangeInclusive<u8> = 1..=13;

/// The symbol versions of the Swiss QR-bill: up to 25 (SIX IG QR-bill 2.x, 5.1), and from 14
/// so that no alignment pattern hides under the Swiss cross (see the module's docs).
pub const SWISS_VERSIONS: RangeInclusive<u8> = 14..=25;

impl QrSymbol {
    /// The symbol of `payload` in byte mode at error correction level M, in the smallest
    /// version of `versions` ([`EPC_VERSIONS`], [`SWISS_VERSIONS`]) that holds it.
    ///
    /// # Errors
    ///
    /// [`SymbolTooLarge`] when the payload does not fit the largest version.
    pub fn encode(payload: &str, versions: RangeInclusive<u8>) -> Result<QrSymbol, SymbolTooLarge> {
        let too_large = || SymbolTooLarge {
            bytes: payload.len(),
            max_version: *versions.end(),
        };
        let version =
            |number: u8| Version::new(number.clamp(Version::MIN.value(), Version::MAX.value()));
        let segments = [QrSegment::make_bytes(payload.as_bytes())];
        let code = QrCode::encode_segments_advanced(
            &segments,
            QrCodeEcc::Medium,
            version(*versions.start()),
            version(*versions.end()),
            None,
            false,
        )
        .map_err(|_| too_large())?;
        let size = usize::try_from(code.size()).map_err(|_| too_large())?;
        let mut modules = Vec::with_capacity(size * size);
        for y in 0..code.size() {
            for x in 0..code.size() {
                modules.push(code.get_module(x, y));
            }
        }
        Ok(QrSymbol {
            size,
            modules,
            version: code.version().value(),
        })
    }

    /// Modules per side (21 for version 1, 4 more per version).
    pub fn size(&self) -> usize {
        self.size
    }

    /// The symbol version, 1 to 40.
    pub fn version(&self) -> u8 {
        self.version
    }

    /// Whether the module in column `x` and row `y` (from the top left) is dark; outside the
    /// grid is the light quiet zone.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.size && y < self.size && self.modules[y * self.size + x]
    }

    /// The modules row by row from the top left, `size × size` of them; `true` is dark.
    pub fn modules(&self) -> &[bool] {
        &self.modules
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_symbol_grows_with_the_payload_and_stops_at_the_standards_version() {
        let small = QrSymbol::encode("BCD", EPC_VERSIONS).expect("fits");
        assert_eq!(small.version(), 1);
        assert_eq!(small.size(), 21);
        assert_eq!(small.modules().len(), 21 * 21);
        // Version 13 at level M holds 331 bytes and not one more: EPC069-12's limit.
        let largest = QrSymbol::encode(&"x".repeat(331), EPC_VERSIONS).expect("fits");
        assert_eq!(largest.version(), 13);
        assert_eq!(largest.size(), 69);
        assert_eq!(
            QrSymbol::encode(&"x".repeat(332), EPC_VERSIONS),
            Err(SymbolTooLarge {
                bytes: 332,
                max_version: 13
            })
        );
        // Version 25 at level M holds 997 bytes: the Swiss QR-bill's limit.
        let swiss = QrSymbol::encode(&"x".repeat(997), SWISS_VERSIONS).expect("fits");
        assert_eq!(swiss.version(), 25);
        assert!(QrSymbol::encode(&"x".repeat(998), SWISS_VERSIONS).is_err());
    }

    #[test]
    fn the_finder_patterns_are_in_three_corners() {
        let symbol = QrSymbol::encode("SPC", SWISS_VERSIONS).expect("fits");
        // Even the shortest payload: version 14, no alignment pattern under the Swiss cross.
        assert_eq!((symbol.version(), symbol.size()), (14, 73));
        let last = symbol.size() - 1;
        for (x, y) in [(0, 0), (last, 0), (0, last)] {
            assert!(symbol.is_dark(x, y), "({x}, {y})");
        }
        assert!(!symbol.is_dark(last + 4, 0), "the quiet zone is light");
    }
}
