//! The e-mail itself: the sender's and the recipient's addresses, and the MIME message
//! (RFC 5322) that carries a ready PDF and its separate e-invoice XML (XRechnung, Peppol),
//! attached, or links to them when they are too large.
//!
//! Nothing here does I/O or knows the claim protocol: [`super`] fetches the PDF, decides
//! between attaching and linking, and guards the send.

use crate::failure::RecordFailure;
use paperflow_events::{CloudEvent, PdfReady};
use std::time::Duration;

/// What the message headers, the text part and the attachments' part headers cost beyond the
/// encoded attachments, at most.
pub(super) const MESSAGE_OVERHEAD_BYTES: u64 = 16 * 1024;

/// The sender of the e-mails, checked once at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// As configured: what the provider is told.
    pub configured: String,
    /// The display name, if any.
    pub name: Option<String>,
    /// The address.
    pub address: String,
}

impl Sender {
    /// Reads `billing@example.com` or `Billing <billing@example.com>`.
    ///
    /// # Errors
    ///
    /// A sentence naming what is wrong, when the text is not one plausible address.
    pub fn parse(text: &str) -> Result<Sender, String> {
        let text = text.trim();
        let (name, address) = match text.strip_suffix('>').and_then(|t| t.rsplit_once('<')) {
            Some((name, address)) => {
                let name = name.trim().trim_matches('"').trim();
                ((!name.is_empty()).then(|| name.to_owned()), address.trim())
            }
            None => (None, text),
        };
        check_address(address).map_err(|problem| format!("MAIL_FROM {text:?}: {problem}"))?;
        Ok(Sender {
            configured: text.to_owned(),
            name,
            address: address.to_owned(),
        })
    }
}

/// The invoice validation's e-mail rule (`paperflow_invoice::codes::email_address`), so that an
/// address the API accepted is one the mailer sends to. The provider has the last word.
pub fn check_address(address: &str) -> Result<(), String> {
    paperflow_invoice::codes::email_address(address).map_err(str::to_owned)
}

/// What the message carries: the PDF and its XML (when the notice has one) themselves, or
/// links to them. Both travel the same way, so that a PDF never arrives without its XML.
pub(super) enum Body<'a> {
    /// The PDF and the XML, attached.
    Attached {
        /// The PDF.
        pdf: &'a [u8],
        /// The separate e-invoice XML.
        xml: Option<&'a [u8]>,
    },
    /// Presigned links to the PDF and the XML.
    Linked {
        /// The PDF's link.
        pdf: &'a str,
        /// The XML's link.
        xml: Option<&'a str>,
    },
}

/// The size of a message carrying attachments of `attachment_bytes` each, at most: base64 (4
/// bytes per 3, a line break per 76 characters) of each, plus headers and text.
pub fn encoded_message_len(attachment_bytes: &[u64]) -> u64 {
    attachment_bytes
        .iter()
        .map(|bytes| {
            let encoded = bytes.div_ceil(3).saturating_mul(4);
            encoded.saturating_add(encoded.div_ceil(76).saturating_mul(2))
        })
        .fold(MESSAGE_OVERHEAD_BYTES, u64::saturating_add)
}

/// `INV-2026-000123.pdf`, or `…-r2.pdf` for later revisions (`extension` `xml` for the
/// e-invoice); characters a file name should not carry become `_`.
fn attachment_name(invoice_id: &str, revision: u32, extension: &str) -> String {
    let safe: String = invoice_id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    match revision {
        1 => format!("{safe}.{extension}"),
        revision => format!("{safe}-r{revision}.{extension}"),
    }
}

/// The whole MIME message of `notice`, from `from` to `recipient`, carrying `body`; a linked
/// PDF's text says how long the link (`link_expiry`) stays valid.
pub(super) fn build(
    notice: &CloudEvent<PdfReady>,
    from: &Sender,
    recipient: &str,
    body: Body<'_>,
    link_expiry: Duration,
) -> Result<Vec<u8>, RecordFailure> {
    let data = &notice.data;
    let subject = match data.revision {
        1 => format!("Invoice {}", data.invoice_id),
        revision => format!("Invoice {} (revision {revision})", data.invoice_id),
    };
    let sender = match &from.name {
        Some(name) => mail_builder::headers::address::Address::new_address(
            Some(name.as_str()),
            from.address.as_str(),
        ),
        None => mail_builder::headers::address::Address::new_address(
            None::<&str>,
            from.address.as_str(),
        ),
    };
    let builder = mail_builder::MessageBuilder::new()
        .from(sender)
        .to(recipient)
        .subject(subject)
        // SES gives the message its own Message-ID; this one only has to be unique.
        .message_id(format!("{}@paperflow.invalid", notice.id))
        .header(
            "X-Paperflow-Notice-Id",
            mail_builder::headers::raw::Raw::new(notice.id.clone()),
        )
        .header(
            "X-Paperflow-Correlation-Id",
            mail_builder::headers::raw::Raw::new(notice.correlation_id().to_owned()),
        );
    let (invoice_id, revision) = (data.invoice_id.as_str(), data.revision);
    let builder = match body {
        Body::Attached { pdf, xml } => {
            let builder = builder
                .text_body(match xml {
                    None => format!(
                        "Hello,\r\n\r\nplease find attached invoice {invoice_id} (revision \
                         {revision}).\r\n"
                    ),
                    Some(_) => format!(
                        "Hello,\r\n\r\nplease find attached invoice {invoice_id} (revision \
                         {revision}) and its e-invoice XML.\r\n"
                    ),
                })
                .attachment(
                    "application/pdf",
                    attachment_name(invoice_id, revision, "pdf"),
                    pdf,
                );
            match xml {
                Some(xml) => builder.attachment(
                    "application/xml",
                    attachment_name(invoice_id, revision, "xml"),
                    xml,
                ),
                None => builder,
            }
        }
        Body::Linked { pdf, xml } => {
            let hours = link_expiry.as_secs() / 3600;
            builder.text_body(match xml {
                None => format!(
                    "Hello,\r\n\r\ninvoice {invoice_id} (revision {revision}) is too large to \
                     attach.\r\nDownload it within {hours} hours here:\r\n\r\n{pdf}\r\n"
                ),
                Some(xml) => format!(
                    "Hello,\r\n\r\ninvoice {invoice_id} (revision {revision}) is too large to \
                     attach.\r\nDownload it and its e-invoice XML within {hours} hours \
                     here:\r\n\r\nPDF: {pdf}\r\n\r\nXML: {xml}\r\n"
                ),
            })
        }
    };
    builder.write_to_vec().map_err(|error| {
        RecordFailure::permanent("internal", format!("building the message: {error}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn senders_and_addresses_are_checked() {
        let sender = Sender::parse(" \"Billing\" <billing@paperflow.example> ").expect("valid");
        assert_eq!(sender.name.as_deref(), Some("Billing"));
        assert_eq!(sender.address, "billing@paperflow.example");
        assert_eq!(
            Sender::parse("billing@paperflow.example")
                .expect("valid")
                .name,
            None
        );
        for bad in [
            "", "billing", "a@b", "a@@b.c", "a b@c.d", "<a@b.c", "@b.c", "a@.b",
        ] {
            assert!(Sender::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_size_estimate_covers_base64_and_line_breaks() {
        assert_eq!(encoded_message_len(&[0]), MESSAGE_OVERHEAD_BYTES);
        // 57 bytes are one full 76-character line plus CRLF.
        assert_eq!(encoded_message_len(&[57]), 76 + 2 + MESSAGE_OVERHEAD_BYTES);
        // Each attachment is encoded on its own: a PDF and its XML.
        assert_eq!(
            encoded_message_len(&[57, 57]),
            2 * (76 + 2) + MESSAGE_OVERHEAD_BYTES
        );
    }

    #[test]
    fn attachments_are_named_after_the_invoice_and_its_revision() {
        assert_eq!(attachment_name("INV/2026 1", 1, "pdf"), "INV_2026_1.pdf");
        assert_eq!(attachment_name("INV-1", 2, "xml"), "INV-1-r2.xml");
    }
}
