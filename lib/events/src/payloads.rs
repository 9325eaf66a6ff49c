//! The data of paperflow's notices, one struct per event type.
//!
//! Each struct is the `data` of one [`EventType`], as documented in DESIGN.md
//! ("Events"). Deserializing accepts unknown extra fields, because a newer
//! *minor* shape of the same type only adds fields; it refuses a missing
//! required field or a field of the wrong type (as
//! [`crate::DecodeError::InvalidData`] through
//! [`crate::CloudEvent::into_typed`]). Optional fields are left out when
//! serialized rather than written as `null`.
//!
//! `invoice.finalized.v1` has no struct here: its data is the invoice document
//! itself, which `paperflow-invoice` validates and reports on violation by
//! violation. It travels as [`InvoiceFinalized`], a plain JSON value.
//!
//! This module must never check business rules (is the key a valid S3 key, is
//! the e-mail address plausible): it only fixes the shape.

use serde::{Deserialize, Serialize};

use crate::types::EventType;

/// The data of `invoice.finalized.v1`: the invoice document of DESIGN.md, as
/// JSON, to be validated with `paperflow_invoice::invoice_from_value`.
pub type InvoiceFinalized = serde_json::Value;

/// The data of `invoice.pdf.ready.v1`: the PDF of an invoice revision is
/// stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PdfReady {
    /// The invoice the PDF is of.
    pub invoice_id: String,
    /// The revision of the invoice that was rendered.
    pub revision: u32,
    /// The S3 bucket holding the PDF.
    pub bucket: String,
    /// The S3 key of the PDF.
    pub key: String,
    /// The size of the PDF in bytes.
    pub size: u64,
    /// The SHA-256 of the PDF, lowercase hex.
    pub sha256: String,
    /// How many pages the PDF has.
    pub pages: u32,
    /// The buyer's e-mail address, when the invoice has one, so that a mailer
    /// needs no second read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_email: Option<String>,
    /// 1.1: the e-invoice format made with the PDF (`factur-x`, `xrechnung`, `peppol`); absent
    /// for a plain PDF, so that a v1 notice keeps its bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub einvoice: Option<String>,
    /// 1.1: the S3 key of the separate e-invoice XML (`xrechnung`, `peppol`), in the same bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xml_key: Option<String>,
    /// 1.1: the SHA-256 of that XML, lowercase hex; present exactly when `xml_key` is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xml_sha256: Option<String>,
}

impl PdfReady {
    /// The event type whose data this is.
    pub const TYPE: EventType = EventType::PdfReady;
}

/// The data of `invoice.pdf.failed.v1`: an input was rejected or its PDF could
/// not be made. It carries the offending input, bounded, so that a rejected
/// event is never lost silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PdfFailed {
    /// The invoice concerned, when the input got far enough to name one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_id: Option<String>,
    /// The revision concerned, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<u32>,
    /// A stable machine code, e.g. a [`crate::DecodeError::code`] or
    /// `invalid_invoice`.
    pub code: String,
    /// What went wrong, in words a producer can act on.
    pub message: String,
    /// The offending input, at most [`crate::FAILED_INPUT_MAX_BYTES`] of JSON;
    /// see [`crate::bounded_input`].
    pub input: serde_json::Value,
}

impl PdfFailed {
    /// The event type whose data this is.
    pub const TYPE: EventType = EventType::PdfFailed;
}

/// The data of `invoice.emailed.v1`: the PDF was handed to the mail provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Emailed {
    /// The invoice that was sent.
    pub invoice_id: String,
    /// The revision that was sent.
    pub revision: u32,
    /// The address it was sent to.
    pub recipient: String,
    /// The mail provider's id of the message.
    pub message_id: String,
}

impl Emailed {
    /// The event type whose data this is.
    pub const TYPE: EventType = EventType::Emailed;
}
