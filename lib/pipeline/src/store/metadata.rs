//! The names of the user metadata paperflow writes on the objects it stores (S3's
//! `x-amz-meta-*`), in one place: the pdf-generator and the API's large direct PDFs write them,
//! the status route reads them, and a redelivery decides by them whether a stored revision is
//! its own.

use std::collections::BTreeMap;

/// The SHA-256 of the object's bytes, lower-case hex.
pub const SHA256: &str = "sha256";

/// The SHA-256 of the invoice document the object was made from
/// ([`crate::digest::json_sha256`] of the event's `data`). What identifies a revision: a
/// redelivery of the same document is a duplicate even when a theme edit or another paperflow
/// version renders other bytes. Objects stored before it existed have only [`SHA256`].
pub const SOURCE_SHA256: &str = "source-sha256";

/// A PDF's page count.
pub const PAGES: &str = "pages";

/// The [`SHA256`] an object's metadata records; empty for an object paperflow did not store.
pub fn sha256_of(metadata: &BTreeMap<String, String>) -> String {
    metadata.get(SHA256).cloned().unwrap_or_default()
}

/// The [`PAGES`] an object's metadata records, if it records a number.
pub fn pages_of(metadata: &BTreeMap<String, String>) -> Option<u32> {
    metadata.get(PAGES).and_then(|pages| pages.parse().ok())
}

/// The invoice the object belongs to (the API's large direct PDFs).
pub const INVOICE_ID: &str = "invoice-id";

/// The invoice revision the object belongs to.
pub const REVISION: &str = "revision";

/// The correlation id of the flow that stored the object.
pub const CORRELATION_ID: &str = "correlation-id";

/// The e-invoice format of a separate XML (`xrechnung`, `peppol`) or of a direct PDF.
pub const EINVOICE: &str = "einvoice";
