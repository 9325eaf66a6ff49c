//! The QR symbol of a payload: the grid of dark and light modules a renderer draws.
//!
//! Both payment codes use error correction level M and byte mode (their payloads are UTF-8
//! text with lower-case letters and line breaks); the level is never raised, even where the
//! same symbol version could carry more correction, because EPC069-12 and the SIX guidelines
//! name M. The largest version is the standard's: 13 for EPC (331 bytes), 25 for the Swiss
//! QR-bill (997 characters). The symbol itself comes from the `qrcodegen` crate.
//!
//! Printing is the renderer's job: a quiet zone of at least four modules around the grid, the
//! EPC code at least 2 cm wide (EPC069-12 advises 2–3 cm for phones), and the Swiss QR-bill's
//! symbol at exactly 46 × 46 mm with the Swiss cross (7 × 7 mm: a white cross on a black square
//! with a white border) over its centre, which level M's redundancy makes up for.

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

/// The largest symbol version of the EPC QR code (EPC069-12).
pub const EPC_MAX_VERSION: u8 = 13;

/// The largest symbol version of the Swiss QR-bill (SIX IG QR-bill 2.x, 5.1).
pub const SWISS_MAX_VERSION: u8 = 25;

impl QrSymbol {
    /// The symbol of `payload` in byte mode at error correction level M, no larger than
    /// version `max_version` ([`EPC_MAX_VERSION`], [`SWISS_MAX_VERSION`]).
    ///
    /// # Errors
    ///
    /// [`SymbolTooLarge`] when the payload does not fit.
    pub fn encode(payload: &str, max_version: u8) -> Result<QrSymbol, SymbolTooLarge> {
        let too_large = || SymbolTooLarge {
            bytes: payload.len(),
            max_version,
        };
        let max = max_version.clamp(Version::MIN.value(), Version::MAX.value());
        let segments = [QrSegment::make_bytes(payload.as_bytes())];
        let code = QrCode::encode_segments_advanced(
            &segments,
            QrCodeEcc::Medium,
            Version::MIN,
            Version::new(max),
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
        let small = QrSymbol::encode("BCD", EPC_MAX_VERSION).expect("fits");
        assert_eq!(small.version(), 1);
        assert_eq!(small.size(), 21);
        assert_eq!(small.modules().len(), 21 * 21);
        // Version 13 at level M holds 331 bytes and not one more: EPC069-12's limit.
        let largest = QrSymbol::encode(&"x".repeat(331), EPC_MAX_VERSION).expect("fits");
        assert_eq!(largest.version(), 13);
        assert_eq!(largest.size(), 69);
        assert_eq!(
            QrSymbol::encode(&"x".repeat(332), EPC_MAX_VERSION),
            Err(SymbolTooLarge {
                bytes: 332,
                max_version: 13
            })
        );
        // Version 25 at level M holds 997 bytes: the Swiss QR-bill's limit.
        let swiss = QrSymbol::encode(&"x".repeat(997), SWISS_MAX_VERSION).expect("fits");
        assert_eq!(swiss.version(), 25);
        assert!(QrSymbol::encode(&"x".repeat(998), SWISS_MAX_VERSION).is_err());
    }

    #[test]
    fn the_finder_patterns_are_in_three_corners() {
        let symbol = QrSymbol::encode("SPC", SWISS_MAX_VERSION).expect("fits");
        let last = symbol.size() - 1;
        for (x, y) in [(0, 0), (last, 0), (0, last)] {
            assert!(symbol.is_dark(x, y), "({x}, {y})");
        }
        assert!(!symbol.is_dark(last + 4, 0), "the quiet zone is light");
    }
}
