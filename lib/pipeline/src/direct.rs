//! The direct way: one invoice in, its PDF out, now.
//!
//! A PDF small enough travels in the answer itself. Lambda caps a synchronous answer at 6 MB
//! (6,291,456 bytes) of JSON, and API Gateway's binary answers travel base64-encoded, which
//! grows them by a third: [`INLINE_LIMIT`] keeps the encoded PDF and its headers under that
//! cap. A larger PDF is stored under `api/{sha256}.pdf` (content-addressed, so a repeated
//! request stores nothing new) and answered with a presigned URL that expires after
//! [`URL_LIFETIME`].

use crate::digest::sha256_hex;
use crate::ports::{DependencyError, DocumentStore, NewObject};
use crate::store::direct_pdf_key;
use paperflow_invoice::Invoice;
use paperflow_render::{FontSet, RenderOptions};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// The largest PDF answered inline, in bytes: base64 of it is 6,000,000 bytes, which leaves
/// room under Lambda's 6 MB answer for the JSON envelope and the headers.
pub const INLINE_LIMIT: usize = 4_500_000;

/// How long a presigned URL the API hands out stays valid: at most 15 minutes, as promised.
pub const URL_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// A rendered PDF, ready to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectPdf {
    /// Small enough to travel in the answer.
    Inline {
        /// The PDF.
        bytes: Vec<u8>,
        /// Its SHA-256, hex.
        sha256: String,
        /// Its page count.
        pages: usize,
    },
    /// Too large: stored, and downloadable from `url` for [`URL_LIFETIME`].
    Stored {
        /// The presigned download URL.
        url: String,
        /// Its SHA-256, hex.
        sha256: String,
        /// Its size in bytes.
        size: usize,
    },
}

/// Why no PDF could be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectError {
    /// The renderer refused the invoice (a bug or a limit the validation does not know).
    Render(String),
    /// Storing or presigning a large PDF failed.
    Dependency(DependencyError),
}

/// Renders invoices for the synchronous route.
pub struct DirectRenderer<S> {
    store: S,
    fonts: Arc<FontSet>,
    options: RenderOptions,
    inline_limit: usize,
}

impl<S: DocumentStore> DirectRenderer<S> {
    /// A renderer drawing with `fonts`, keeping large PDFs in `store`.
    pub fn new(store: S, fonts: Arc<FontSet>, options: RenderOptions) -> Self {
        DirectRenderer {
            store,
            fonts,
            options,
            inline_limit: INLINE_LIMIT,
        }
    }

    /// The same renderer answering inline only up to `bytes` (tests use a small limit to
    /// exercise the stored path without a 4.5 MB invoice).
    pub fn with_inline_limit(mut self, bytes: usize) -> Self {
        self.inline_limit = bytes;
        self
    }

    /// The PDF of `invoice`, inline or stored.
    ///
    /// # Errors
    ///
    /// The renderer refused, or the store failed for a large PDF.
    pub async fn render(&self, invoice: &Invoice) -> Result<DirectPdf, DirectError> {
        let pdf = paperflow_render::render(invoice, &self.fonts, &self.options)
            .map_err(|error| DirectError::Render(error.to_string()))?;
        let sha256 = sha256_hex(&pdf.bytes);
        if pdf.bytes.len() <= self.inline_limit {
            return Ok(DirectPdf::Inline {
                bytes: pdf.bytes,
                sha256,
                pages: pdf.pages,
            });
        }
        let key = direct_pdf_key(&sha256);
        let size = pdf.bytes.len();
        let mut metadata = BTreeMap::new();
        metadata.insert("sha256".to_owned(), sha256.clone());
        metadata.insert("pages".to_owned(), pdf.pages.to_string());
        metadata.insert("invoice-id".to_owned(), invoice.id.as_str().to_owned());
        // Already there means the same bytes (the key is their hash): nothing to do.
        self.store
            .put_new(NewObject {
                key: key.clone(),
                body: pdf.bytes,
                content_type: "application/pdf".to_owned(),
                metadata,
            })
            .await
            .map_err(DirectError::Dependency)?;
        let url = self
            .store
            .presign_get(&key, URL_LIFETIME)
            .await
            .map_err(DirectError::Dependency)?;
        Ok(DirectPdf::Stored { url, sha256, size })
    }
}
