//! The one way paperflow names bytes: their SHA-256 in lower-case hex. PDFs are checked by it,
//! large direct PDFs and idempotency keys are stored under it, and keys a caller could choose
//! are replaced by it ([`crate::store::layout::safe_token`]).

use sha2::{Digest, Sha256};

/// The SHA-256 of `bytes`, lower-case hex (64 characters).
pub fn sha256_hex(bytes: impl AsRef<[u8]>) -> String {
    Sha256::digest(bytes.as_ref())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_of_nothing_is_the_well_known_one() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
