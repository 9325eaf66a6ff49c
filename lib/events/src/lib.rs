//! The events of paperflow: the CloudEvents 1.0 envelope every message on
//! every topic and queue travels in, the event types and their version rule,
//! the typed payloads, and the decoding of SQS and SNS bodies. No I/O, no AWS
//! SDK, no Lambda types, and no panics on any input.
//!
//! # Layout
//!
//! - [`envelope`]: [`CloudEvent`], built with [`CloudEvent::new`] and
//!   [`CloudEvent::caused`] (which carries the correlation id along a flow and
//!   records the causation), and turned typed with [`CloudEvent::into_typed`].
//! - [`types`]: [`EventType`] and the rule `<domain>.<name>.v<major>`: a known
//!   name at major 1 is understood, another major is
//!   [`TypeError::UnsupportedVersion`], anything else [`TypeError::Unknown`].
//! - [`payloads`]: the data of each notice: [`PdfReady`], [`PdfFailed`],
//!   [`Emailed`]; `invoice.finalized.v1`'s data is the invoice document,
//!   [`InvoiceFinalized`] (plain JSON, validated by `paperflow-invoice`).
//! - [`decode`]: [`decode_body`], for an SQS body that is the event itself
//!   or the SNS notification wrapper, and [`DecodeError`] with its stable
//!   [`code`](DecodeError::code). Its module docs list the rules.
//!   [`event_json`] is the one unwrapping of SNS's wrapper, for consumers
//!   that only look into a body.
//! - [`ids`]: [`new_event_id`] (UUIDv7), [`derived_event_id`] (UUIDv5, stable
//!   under redelivery) and [`now_rfc3339`].
//! - [`bounded`]: [`bounded_input`], the offending input of a failed notice
//!   cut to [`FAILED_INPUT_MAX_BYTES`].
//! - [`attributes`]: [`message_attributes`], the SNS message attributes that
//!   mirror the envelope for subscription filter policies.
//!
//! # Why our own type instead of the `cloudevents-sdk` crate
//!
//! The CloudEvents SDK for Rust pulls in many dependencies, and with them
//! integrations for HTTP clients, servers and message transports, and it
//! models the data as an untyped enum (JSON, string or binary) behind
//! accessors. paperflow needs far less: structured-mode JSON only, two
//! extension attributes (`correlationid`, `causationid`), typed payloads, and
//! strict version rules (an unknown major version is a permanent failure, a
//! newer minor shape is accepted). A small serde type says exactly that, is
//! read at a glance, and is cheaper in a Lambda's cold start and zip size:
//! this crate needs only serde and serde_json (which every function links
//! anyway), time and uuid.
//!
//! # Example
//!
//! ```
//! use paperflow_events::{CloudEvent, EventType, PdfReady, decode_body, derived_event_id};
//! use time::macros::datetime;
//!
//! // A consumer receives an invoice.finalized.v1, raw or wrapped by SNS.
//! let body = r#"{"specversion":"1.0","id":"0193a5b0-7c1e-7d3a-9f10-2b8c4e5d6f70",
//!   "source":"erp/billing","type":"invoice.finalized.v1","subject":"INV-2026-000123",
//!   "time":"2026-11-26T14:05:41.123Z","datacontenttype":"application/json",
//!   "correlationid":"req-42","data":{"invoice_id":"INV-2026-000123","revision":1}}"#;
//! let input = decode_body(body).expect("an event");
//! assert_eq!(input.kind(), Ok(EventType::InvoiceFinalized));
//!
//! // It answers with a notice whose id is the same on every redelivery.
//! let id = derived_event_id(&input.source, &input.id, EventType::PdfReady);
//! let ready = input.caused(
//!     id,
//!     "paperflow/pdf-generator",
//!     EventType::PdfReady,
//!     "INV-2026-000123",
//!     datetime!(2026-11-26 14:05:42.5 UTC),
//!     PdfReady {
//!         invoice_id: "INV-2026-000123".into(),
//!         revision: 1,
//!         bucket: "paperflow-pdfs".into(),
//!         key: "invoices/INV-2026-000123/r1.pdf".into(),
//!         size: 48_213,
//!         sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
//!         pages: 2,
//!         buyer_email: Some("ap@contoso.example".into()),
//!         einvoice: None,
//!         xml_key: None,
//!         xml_sha256: None,
//!     },
//! );
//! assert_eq!(ready.correlation_id(), "req-42");
//! assert_eq!(ready.causationid.as_deref(), Some(input.id.as_str()));
//! assert_eq!(ready.time, "2026-11-26T14:05:42.500Z");
//!
//! let err = decode_body(r#"{"specversion":"1.0","id":"1","source":"x"}"#).expect_err("no type");
//! assert_eq!(err.code(), "not_a_cloudevent");
//! assert_eq!(err.to_string(), r#"not a CloudEvents 1.0 event: attribute "type" is required"#);
//! ```

#![forbid(unsafe_code)]

pub mod attributes;
pub mod bounded;
pub mod decode;
pub mod envelope;
pub mod ids;
pub mod payloads;
pub mod types;

pub use attributes::message_attributes;
pub use bounded::{FAILED_INPUT_MAX_BYTES, bounded_input};
pub use decode::{DecodeError, MAX_BODY_BYTES, decode_body, event_json};
pub use envelope::{CloudEvent, JSON_CONTENT_TYPE, SPEC_VERSION};
pub use ids::{derived_event_id, new_event_id, now_rfc3339};
pub use payloads::{Emailed, InvoiceFinalized, PdfFailed, PdfReady};
pub use types::{EventType, SUPPORTED_MAJOR, TypeError};
