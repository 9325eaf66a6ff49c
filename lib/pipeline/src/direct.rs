//! The direct way: one invoice in, its PDF out, now.
//!
//! A PDF small enough travels in the answer itself. Lambda caps a synchronous answer at 6 MB
//! (6,291,456 bytes) of JSON, and API Gateway's binary answers travel base64-encoded, which
//! grows them by a third: [`INLINE_LIMIT`] keeps the encoded PDF and its headers under that
//! cap. A larger PDF is stored under `api/{sha256}.pdf` (content-addressed, so a repeated
//! request stores nothing new) and answered with a presigned URL that expires after
//! [`URL_LIFETIME`].
//!
//! # E-invoices
//!
//! One answer is one file, so the direct way answers the formats that are one PDF
//! ([`AnswerFormat`]): `none`, the PDF alone, and `factur-x`, a PDF/A-3b with its CII XML inside.
//! The request's choice wins over the document's own `einvoice` field; the deployment's default
//! (`EINVOICE_FORMAT`) is the event flow's and plays no part here, so that the same request gets
//! the same kind of answer from every deployment. XRechnung and Peppol are an XML *beside* the
//! PDF: they go through the event flow (`POST /v1/invoices`), which stores both. A document that
//! cannot become the e-invoice asked for is refused whole, with every missing business term:
//! never a PDF without its XML.

use crate::digest::sha256_hex;
use crate::ports::{DependencyError, DocumentStore, NewObject, ThemeSource};
use crate::store::{direct_pdf_key, metadata};
use crate::themes::{ThemeCache, ThemeFailure};
use paperflow_einvoice::{EInvoiceFormat, Violation};
use paperflow_invoice::Invoice;
use paperflow_render::{FacturX, FontSet, RenderOptions};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// The largest PDF answered inline, in bytes: base64 of it is 6,000,000 bytes, which leaves
/// room under Lambda's 6 MB answer for the JSON envelope and the headers.
pub const INLINE_LIMIT: usize = 4_500_000;

/// How long a presigned URL the API hands out stays valid: at most 15 minutes, as promised.
pub const URL_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// What a request may ask the direct way to answer: a format that is one PDF file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerFormat {
    /// `none`: the PDF alone.
    Pdf,
    /// `factur-x`: one PDF/A-3b with its CII XML inside.
    FacturX,
}

/// The rule a request's format keeps: what it may ask, and where the other formats go.
pub const ANSWER_FORMAT_RULE: &str = "must be \"none\" (the PDF alone) or \"factur-x\" (one \
     PDF/A-3b with its XML inside); \"xrechnung\" and \"peppol\" are an XML beside the PDF, \
     which one answer cannot carry: submit those through POST /v1/invoices, which stores both";

impl AnswerFormat {
    /// The format named `text` (the document's spelling), or the rule it breaks: an unknown
    /// name and a format that is not one PDF alike.
    ///
    /// # Errors
    ///
    /// [`ANSWER_FORMAT_RULE`].
    pub fn parse(text: &str) -> Result<AnswerFormat, &'static str> {
        let format: EInvoiceFormat = text.parse().map_err(|_| ANSWER_FORMAT_RULE)?;
        AnswerFormat::try_from(format).map_err(|_| ANSWER_FORMAT_RULE)
    }

    /// The e-invoice format it is.
    pub fn einvoice(self) -> EInvoiceFormat {
        match self {
            AnswerFormat::Pdf => EInvoiceFormat::None,
            AnswerFormat::FacturX => EInvoiceFormat::FacturX,
        }
    }
}

impl TryFrom<EInvoiceFormat> for AnswerFormat {
    /// The format given back: an XML beside the PDF.
    type Error = EInvoiceFormat;

    fn try_from(format: EInvoiceFormat) -> Result<AnswerFormat, EInvoiceFormat> {
        match format {
            EInvoiceFormat::None => Ok(AnswerFormat::Pdf),
            EInvoiceFormat::FacturX => Ok(AnswerFormat::FacturX),
            EInvoiceFormat::XRechnung | EInvoiceFormat::Peppol => Err(format),
        }
    }
}

/// The format of the answer: the request's choice (`asked`), else the document's own `einvoice`,
/// else the PDF alone.
///
/// # Errors
///
/// The document's own format is not one PDF: one violation at `/einvoice`.
pub fn answer_format(
    asked: Option<AnswerFormat>,
    invoice: &Invoice,
) -> Result<AnswerFormat, Violation> {
    if let Some(asked) = asked {
        return Ok(asked);
    }
    let own = invoice.einvoice.unwrap_or(EInvoiceFormat::None);
    AnswerFormat::try_from(own).map_err(|format| {
        Violation::new(
            "/einvoice",
            format!(
                "is \"{format}\", an XML beside the PDF, which one answer cannot carry: ask \
                 ?einvoice=none or ?einvoice=factur-x, or submit the invoice through \
                 POST /v1/invoices, which stores both"
            ),
        )
    })
}

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
    /// The invoice cannot be answered as the e-invoice asked for: every reason, each with the
    /// document's JSON pointer and, for a missing field, its business term (BT-n). A document
    /// whose own `einvoice` names a format the direct way cannot answer is one reason at
    /// `/einvoice`.
    EInvoiceImpossible(Vec<Violation>),
    /// The renderer refused the invoice (a bug or a limit the validation does not know).
    Render(String),
    /// The theme the document names does not exist ([`ThemeFailure::MISSING`]) or is invalid
    /// ([`ThemeFailure::INVALID`]): the code, and the message naming the theme and the rule.
    Theme {
        /// `theme_missing` or `theme_invalid`.
        code: &'static str,
        /// What is wrong, naming the theme.
        message: String,
    },
    /// Storing or presigning a large PDF failed.
    Dependency(DependencyError),
}

/// Renders invoices for the synchronous route.
pub struct DirectRenderer<S> {
    store: S,
    fonts: Arc<FontSet>,
    options: RenderOptions,
    inline_limit: usize,
    themes: ThemeCache,
}

impl<S: DocumentStore + ThemeSource> DirectRenderer<S> {
    /// A renderer drawing with `fonts`, keeping large PDFs in `store`.
    pub fn new(store: S, fonts: Arc<FontSet>, options: RenderOptions) -> Self {
        DirectRenderer {
            store,
            fonts,
            options,
            inline_limit: INLINE_LIMIT,
            themes: ThemeCache::default(),
        }
    }

    /// The same renderer answering inline only up to `bytes` (tests use a small limit to
    /// exercise the stored path without a 4.5 MB invoice).
    pub fn with_inline_limit(mut self, bytes: usize) -> Self {
        self.inline_limit = bytes;
        self
    }

    /// The PDF of `invoice`, inline or stored, as the format `asked` (the request's choice;
    /// `None` leaves it to the document, see [`answer_format`]).
    ///
    /// # Errors
    ///
    /// The invoice cannot become that e-invoice, or names one that is not one PDF
    /// ([`DirectError::EInvoiceImpossible`]); the renderer refused; the store failed for a large
    /// PDF.
    pub async fn render(
        &self,
        invoice: &Invoice,
        asked: Option<AnswerFormat>,
    ) -> Result<DirectPdf, DirectError> {
        let format = answer_format(asked, invoice)
            .map_err(|violation| DirectError::EInvoiceImpossible(vec![violation]))?;
        let mut options = self.options_for(invoice, format)?;
        if let Some(name) = &invoice.theme {
            let loaded =
                self.themes
                    .theme(&self.store, name)
                    .await
                    .map_err(|failure| match failure {
                        ThemeFailure::Missing(message) => DirectError::Theme {
                            code: ThemeFailure::MISSING,
                            message,
                        },
                        ThemeFailure::Invalid(message) => DirectError::Theme {
                            code: ThemeFailure::INVALID,
                            message,
                        },
                        ThemeFailure::Dependency(error) => DirectError::Dependency(error),
                    })?;
            options.theme = Some(loaded.theme);
        }
        let pdf = paperflow_render::render(invoice, &self.fonts, &options)
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
        let mut object_metadata = BTreeMap::new();
        object_metadata.insert(metadata::SHA256.to_owned(), sha256.clone());
        object_metadata.insert(metadata::PAGES.to_owned(), pdf.pages.to_string());
        object_metadata.insert(
            metadata::INVOICE_ID.to_owned(),
            invoice.id.as_str().to_owned(),
        );
        object_metadata.insert(
            metadata::EINVOICE.to_owned(),
            format.einvoice().as_str().to_owned(),
        );
        // Already there means the same bytes (the key is their hash): nothing to do.
        self.store
            .put_new(NewObject {
                key: key.clone(),
                body: pdf.bytes,
                content_type: "application/pdf".to_owned(),
                metadata: object_metadata,
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

    /// The render options for `format`: the renderer's own, with the Factur-X XML for
    /// `factur-x`.
    fn options_for(
        &self,
        invoice: &Invoice,
        format: AnswerFormat,
    ) -> Result<RenderOptions, DirectError> {
        match format {
            AnswerFormat::Pdf => Ok(self.options.clone()),
            AnswerFormat::FacturX => {
                let xml = paperflow_einvoice::to_xml(invoice, EInvoiceFormat::FacturX)
                    .map_err(DirectError::EInvoiceImpossible)?;
                Ok(RenderOptions {
                    factur_x: Some(FacturX { xml }),
                    ..self.options.clone()
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invoice_asking(einvoice: Option<EInvoiceFormat>) -> Invoice {
        let document = serde_json::json!({
            "invoice_id": "INV-1", "issue_date": "2026-11-26", "due_date": "2026-12-26",
            "currency": "EUR",
            "seller": { "name": "Seller", "address": ["Street 1"] },
            "buyer": { "name": "Buyer", "address": ["Street 2"] },
            "lines": [ { "description": "Item", "quantity": 1, "unit_price_minor": 100,
                         "tax_rate_bp": 2000 } ]
        });
        let mut invoice = paperflow_invoice::invoice_from_value(&document).expect("valid");
        invoice.einvoice = einvoice;
        invoice
    }

    #[test]
    fn the_request_wins_over_the_document_which_wins_over_the_plain_pdf() {
        let factur_x = invoice_asking(Some(EInvoiceFormat::FacturX));
        assert_eq!(
            answer_format(Some(AnswerFormat::Pdf), &factur_x),
            Ok(AnswerFormat::Pdf)
        );
        assert_eq!(answer_format(None, &factur_x), Ok(AnswerFormat::FacturX));
        assert_eq!(
            answer_format(None, &invoice_asking(None)),
            Ok(AnswerFormat::Pdf)
        );
        // A document asking for an XML beside the PDF gets its plain PDF when the request says so.
        let xrechnung = invoice_asking(Some(EInvoiceFormat::XRechnung));
        assert_eq!(
            answer_format(Some(AnswerFormat::Pdf), &xrechnung),
            Ok(AnswerFormat::Pdf)
        );
    }

    #[test]
    fn a_document_asking_for_an_xml_beside_the_pdf_is_refused_at_its_field() {
        for format in [EInvoiceFormat::XRechnung, EInvoiceFormat::Peppol] {
            let refused =
                answer_format(None, &invoice_asking(Some(format))).expect_err("not one PDF");
            assert_eq!(refused.pointer, "/einvoice");
            assert!(refused.rule.contains(format.as_str()), "{}", refused.rule);
            assert!(
                refused.rule.contains("POST /v1/invoices"),
                "{}",
                refused.rule
            );
        }
    }

    #[test]
    fn a_request_may_name_only_the_formats_that_are_one_pdf() {
        assert_eq!(AnswerFormat::parse("none"), Ok(AnswerFormat::Pdf));
        assert_eq!(AnswerFormat::parse("factur-x"), Ok(AnswerFormat::FacturX));
        for refused in ["xrechnung", "peppol", "zugferd", "Factur-X", ""] {
            assert_eq!(
                AnswerFormat::parse(refused),
                Err(ANSWER_FORMAT_RULE),
                "{refused:?}"
            );
        }
    }
}
