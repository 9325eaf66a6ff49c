//! The one way paperflow names bytes: their SHA-256 in lower-case hex. PDFs are checked by it,
//! large direct PDFs and idempotency keys are stored under it, and keys a caller could choose
//! are replaced by it ([`crate::store::layout::safe_token`]). JSON documents are named by the
//! digest of their canonical text ([`json_sha256`]).

use sha2::{Digest, Sha256};

/// The SHA-256 of `bytes`, lower-case hex (64 characters).
pub fn sha256_hex(bytes: impl AsRef<[u8]>) -> String {
    Sha256::digest(bytes.as_ref())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The SHA-256 of a JSON value's canonical text: compact, object keys in sorted order, numbers
/// and strings as `serde_json` writes them. Two documents that differ only in key order,
/// whitespace or the spelling of a number (`1.50` and `1.5`) have the same digest. Names an
/// idempotent request and the invoice document a stored revision was made from.
pub fn json_sha256(value: &serde_json::Value) -> String {
    // serde_json's map is a BTreeMap (its `preserve_order` feature is off in this workspace),
    // so `to_string` already sorts the keys; the tests below fail if a dependency turns the
    // feature on.
    sha256_hex(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_documents_differing_only_in_key_order_spacing_or_number_spelling_have_one_digest() {
        let written: serde_json::Value = serde_json::from_str(
            r#"{ "revision": 2, "lines": [ { "unit_price": 1.50, "quantity": 2 } ], "invoice_id": "A" }"#,
        )
        .expect("JSON");
        let reordered = json!({"invoice_id": "A", "lines": [{"quantity": 2, "unit_price": 1.5}], "revision": 2});
        assert_eq!(json_sha256(&written), json_sha256(&reordered));
        assert_eq!(
            json_sha256(&reordered),
            sha256_hex(
                r#"{"invoice_id":"A","lines":[{"quantity":2,"unit_price":1.5}],"revision":2}"#
            )
        );
    }

    #[test]
    fn json_documents_differing_in_a_value_or_in_array_order_have_other_digests() {
        let document = json!({"invoice_id": "A", "lines": [1, 2]});
        assert_ne!(
            json_sha256(&document),
            json_sha256(&json!({"invoice_id": "B", "lines": [1, 2]}))
        );
        assert_ne!(
            json_sha256(&document),
            json_sha256(&json!({"invoice_id": "A", "lines": [2, 1]}))
        );
    }

    #[test]
    fn the_digest_of_nothing_is_the_well_known_one() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
