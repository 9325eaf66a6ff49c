//! The event types paperflow knows, and the rule for their versions.
//!
//! A type is named `<domain>.<name>.v<major>`. A consumer understands exactly
//! the majors listed in [`EventType`] (all `v1` today): a newer *minor* shape
//! of the same major only adds fields and is accepted, while an unknown
//! *major* is a breaking change that this consumer cannot interpret. Parsing
//! tells the two failures apart ([`TypeError::UnsupportedVersion`] versus
//! [`TypeError::Unknown`]) so that both can be reported as permanent failures
//! with a message a producer can act on.
//!
//! This module must never guess: a type it does not know exactly is an error,
//! never mapped to the nearest known type.

use std::fmt;
use std::str::FromStr;

/// One of the event types of paperflow, at the major version this crate
/// understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// `invoice.finalized.v1`: an invoice is final and wants its PDF; the data
    /// is the invoice document itself.
    InvoiceFinalized,
    /// `invoice.pdf.ready.v1`: the PDF of an invoice revision is stored; the
    /// data is [`crate::PdfReady`].
    PdfReady,
    /// `invoice.pdf.failed.v1`: an input was rejected or the PDF could not be
    /// made; the data is [`crate::PdfFailed`].
    PdfFailed,
    /// `invoice.emailed.v1`: the PDF was handed to the mail provider; the data
    /// is [`crate::Emailed`].
    Emailed,
}

/// The major version of every type this crate understands.
pub const SUPPORTED_MAJOR: u32 = 1;

impl EventType {
    /// Every event type, in a fixed order.
    pub const ALL: [EventType; 4] = [
        EventType::InvoiceFinalized,
        EventType::PdfReady,
        EventType::PdfFailed,
        EventType::Emailed,
    ];

    /// The full type name, with its major version: `"invoice.pdf.ready.v1"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            EventType::InvoiceFinalized => "invoice.finalized.v1",
            EventType::PdfReady => "invoice.pdf.ready.v1",
            EventType::PdfFailed => "invoice.pdf.failed.v1",
            EventType::Emailed => "invoice.emailed.v1",
        }
    }

    /// The name without its version: `"invoice.pdf.ready"`.
    pub const fn name(self) -> &'static str {
        match self {
            EventType::InvoiceFinalized => "invoice.finalized",
            EventType::PdfReady => "invoice.pdf.ready",
            EventType::PdfFailed => "invoice.pdf.failed",
            EventType::Emailed => "invoice.emailed",
        }
    }

    /// Parses `"<domain>.<name>.v<major>"`.
    ///
    /// # Errors
    ///
    /// A known name with another major than 1 gives
    /// [`TypeError::UnsupportedVersion`]; anything else that is not exactly a
    /// known type (an unknown name, no `.v<major>` suffix, a major with a
    /// leading zero or a sign, different letter case) gives
    /// [`TypeError::Unknown`] with the whole type.
    pub fn parse(type_name: &str) -> Result<EventType, TypeError> {
        let unknown = || TypeError::Unknown(type_name.to_owned());
        let (name, major) = type_name.rsplit_once(".v").ok_or_else(unknown)?;
        let canonical = !major.is_empty()
            && major.len() <= 9
            && major.bytes().all(|b| b.is_ascii_digit())
            && (major == "0" || !major.starts_with('0'));
        if !canonical {
            return Err(unknown());
        }
        let Some(kind) = EventType::ALL.into_iter().find(|t| t.name() == name) else {
            return Err(unknown());
        };
        let major: u32 = major.parse().map_err(|_| unknown())?;
        if major == SUPPORTED_MAJOR {
            Ok(kind)
        } else {
            Err(TypeError::UnsupportedVersion {
                name: kind.name().to_owned(),
                major,
            })
        }
    }
}

impl fmt::Display for EventType {
    /// The full type name, as [`EventType::as_str`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventType {
    type Err = TypeError;

    /// As [`EventType::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EventType::parse(s)
    }
}

/// Why an event type is not one this consumer understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeError {
    /// Not a type paperflow knows, whatever its version; holds the whole type.
    Unknown(String),
    /// A known type at a major version this consumer does not understand.
    UnsupportedVersion {
        /// The type without its version, e.g. `invoice.finalized`.
        name: String,
        /// The major version the event carries.
        major: u32,
    },
}

impl fmt::Display for TypeError {
    /// `unknown event type "foo"`, or `event type invoice.finalized.v2: major
    /// version 2 is not supported (this consumer understands v1)`. A very long
    /// unknown type is shortened, so that the message stays loggable.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeError::Unknown(type_name) => {
                write!(f, "unknown event type {:?}", shorten(type_name))
            }
            TypeError::UnsupportedVersion { name, major } => write!(
                f,
                "event type {name}.v{major}: major version {major} is not supported \
                 (this consumer understands v{SUPPORTED_MAJOR})"
            ),
        }
    }
}

impl std::error::Error for TypeError {}

/// The longest untrusted text quoted whole in an error message, in bytes.
const QUOTE_MAX_BYTES: usize = 200;

/// `text`, or its first [`QUOTE_MAX_BYTES`] (cut at a character boundary)
/// followed by `…` when it is longer.
pub(crate) fn shorten(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= QUOTE_MAX_BYTES {
        return text.into();
    }
    let mut end = QUOTE_MAX_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end]).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_parses_back_from_its_name() {
        for kind in EventType::ALL {
            assert_eq!(EventType::parse(kind.as_str()), Ok(kind));
            assert_eq!(kind.to_string(), kind.as_str());
            assert_eq!(format!("{}.v1", kind.name()), kind.as_str());
        }
    }

    #[test]
    fn known_name_with_another_major_is_an_unsupported_version() {
        let err = EventType::parse("invoice.finalized.v2").expect_err("an error");
        assert_eq!(
            err,
            TypeError::UnsupportedVersion {
                name: "invoice.finalized".into(),
                major: 2
            }
        );
        assert_eq!(
            err.to_string(),
            "event type invoice.finalized.v2: major version 2 is not supported \
             (this consumer understands v1)"
        );
        assert!(matches!(
            EventType::parse("invoice.pdf.ready.v0"),
            Err(TypeError::UnsupportedVersion { major: 0, .. })
        ));
    }

    #[test]
    fn anything_not_exactly_a_known_type_is_unknown() {
        for bad in [
            "",
            "foo",
            "invoice.finalized",
            "invoice.finalized.v",
            "invoice.finalized.v01",
            "invoice.finalized.v+1",
            "invoice.finalized.v1.0",
            "invoice.finalized.v99999999999",
            "Invoice.Finalized.v1",
            "invoice.paid.v1",
            " invoice.finalized.v1",
        ] {
            assert_eq!(
                EventType::parse(bad),
                Err(TypeError::Unknown(bad.to_owned())),
                "{bad:?}"
            );
        }
        assert_eq!(
            EventType::parse("foo").expect_err("an error").to_string(),
            r#"unknown event type "foo""#
        );
    }

    #[test]
    fn a_huge_unknown_type_is_shortened_in_its_message() {
        let huge = "é".repeat(10_000);
        let message = EventType::parse(&huge).expect_err("an error").to_string();
        assert!(message.len() < 300, "{}", message.len());
        assert!(message.ends_with("…\""));
    }
}
