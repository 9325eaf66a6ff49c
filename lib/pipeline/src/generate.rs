//! The pdf-generator's work for one `invoice.finalized.v1` event:
//! decode → validate → render → store → move the latest pointer → announce.
//!
//! Every step is safe to repeat, because SQS delivers at least once and sometimes twice at
//! the same time:
//! - the PDF is stored with `If-None-Match: *` under `invoices/{id}/r{revision}.pdf`, its
//!   metadata naming the invoice document it was made from (`source-sha256`). When the object
//!   is already there, the document decides, not the rendering: the same document is a
//!   duplicate delivery, announced again with the stored object's digest and size (a theme
//!   edit or another paperflow version may render other bytes since); another document claims
//!   the same revision, a permanent `revision_conflict`. An object without `source-sha256`
//!   (stored by an earlier paperflow, or put there by another tool or a person) is compared by
//!   its bytes' SHA-256 instead (`PdfGenerator::check_existing`);
//! - the pointer `invoices/{id}/latest.json` only moves forward, by compare-and-swap, so
//!   revisions arriving 3, 1, 2 leave it at 3;
//! - the ready notice's id is derived from the input event's source and id, so every
//!   duplicate notice carries the same id and consumers can deduplicate;
//! - a crash between storing and announcing loses nothing: the redelivered message finds the
//!   object, checks it, and announces.
//!
//! E-invoices: the format is the document's `einvoice`, else the deployment's default
//! ([`PdfGenerator::with_default_einvoice`], `EINVOICE_FORMAT`). A document that cannot become
//! that format is a permanent `einvoice_impossible` listing every reason, and nothing is stored:
//! never a PDF without its XML. Factur-X is one PDF/A-3b with the XML inside; the XML of
//! XRechnung and Peppol is stored as `invoices/{id}/r{N}.xml` *before* the PDF, under the same
//! create-once and same-bytes rules, so that a stored PDF implies its stored XML.
//!
//! Themes: a document that names a `theme` is rendered with `themes/{name}/` of the documents
//! bucket ([`crate::themes`]); one that does not exist or is invalid is a permanent
//! `theme_missing` / `theme_invalid` naming it, and nothing is stored.

use crate::digest::{json_sha256, sha256_hex};
use crate::failure::RecordFailure;
use crate::ports::{DocumentStore, EventPublisher, NewObject, PutOutcome, ThemeSource};
use crate::status::FailedRevision;
use crate::store::metadata;
use crate::store::records::{Decision, Records};
use crate::store::{failed_key, latest_key, pdf_key, xml_key};
use crate::themes::ThemeCache;
use paperflow_events::{CloudEvent, EventType, PdfFailed, PdfReady};
use paperflow_invoice::Invoice;
use paperflow_render::{FacturX, FontSet, RenderOptions, RenderedPdf};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;
use tracing::Instrument;

pub use paperflow_einvoice::EInvoiceFormat;

/// The `source` of every event the pdf-generator emits.
pub const SOURCE: &str = "paperflow/pdf-generator";

/// How often the latest pointer is retried when other writers keep moving it.
const POINTER_ATTEMPTS: usize = 8;

/// The pointer to an invoice's newest stored revision (`invoices/{id}/latest.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatestRevision {
    /// The invoice.
    pub invoice_id: String,
    /// Its newest stored revision.
    pub revision: u32,
    /// Where that revision's PDF is.
    pub key: String,
    /// The PDF's SHA-256, hex.
    pub sha256: String,
    /// The PDF's size in bytes.
    pub size: u64,
    /// The PDF's page count.
    pub pages: u32,
}

/// What became of one event that was handled.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    /// The ready notice that was published.
    pub notice: CloudEvent<PdfReady>,
    /// Whether this delivery found the PDF already stored.
    pub duplicate: bool,
    /// How long rendering took, in milliseconds (0 for a duplicate found before rendering).
    pub render_ms: f64,
    /// Characters no font could draw; rendered as U+FFFD.
    pub missing_glyphs: Vec<char>,
}

/// Renders invoices from events into a document store and announces them.
pub struct PdfGenerator<S, P> {
    store: S,
    publisher: P,
    fonts: Arc<FontSet>,
    options: RenderOptions,
    default_einvoice: EInvoiceFormat,
    themes: ThemeCache,
}

impl<S: DocumentStore + ThemeSource, P: EventPublisher> PdfGenerator<S, P> {
    /// A generator writing to `store` and announcing on `publisher`, drawing with `fonts`. A
    /// document that names no e-invoice gets a plain PDF, unless
    /// [`PdfGenerator::with_default_einvoice`] says otherwise.
    pub fn new(store: S, publisher: P, fonts: Arc<FontSet>, options: RenderOptions) -> Self {
        PdfGenerator {
            store,
            publisher,
            fonts,
            options,
            default_einvoice: EInvoiceFormat::None,
            themes: ThemeCache::default(),
        }
    }

    /// The same generator, keeping themes in `themes` (tests revalidate on every use).
    pub fn with_theme_cache(mut self, themes: ThemeCache) -> Self {
        self.themes = themes;
        self
    }

    /// The same generator, making `format` of every document that names no `einvoice` of its
    /// own (the deployment's `EINVOICE_FORMAT`).
    pub fn with_default_einvoice(mut self, format: EInvoiceFormat) -> Self {
        self.default_einvoice = format;
        self
    }

    /// Handles one message body (raw or SNS-wrapped `invoice.finalized.v1`).
    pub async fn generate(&self, body: &str) -> Result<Generated, RecordFailure> {
        let event = paperflow_events::decode_body(body)?;
        if event.event_type != EventType::InvoiceFinalized.as_str() {
            return Err(RecordFailure::permanent(
                "unexpected_event_type",
                format!(
                    "the pdf-generator renders {} events, not {}",
                    EventType::InvoiceFinalized,
                    event.event_type
                ),
            ));
        }
        let invoice = paperflow_invoice::invoice_from_value(&event.data).map_err(|violations| {
            let failure = RecordFailure::permanent(
                "invalid_invoice",
                format!(
                    "the invoice is invalid: {}",
                    violations
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            );
            match identify(&event.data) {
                Some((id, revision)) => failure.about(&id, revision),
                None => failure,
            }
        })?;
        let span = tracing::info_span!(
            "invoice",
            correlation_id = event.correlation_id(),
            invoice_id = invoice.id.as_str(),
            revision = invoice.revision
        );
        self.store_and_announce(&event, &invoice)
            .instrument(span)
            .await
    }

    async fn store_and_announce(
        &self,
        event: &CloudEvent,
        invoice: &Invoice,
    ) -> Result<Generated, RecordFailure> {
        let id = invoice.id.as_str();
        let revision = invoice.revision;
        let format = invoice.einvoice.unwrap_or(self.default_einvoice);
        let options = self
            .options_for(invoice)
            .await
            .map_err(|failure| failure.about(id, revision))?;
        let started = Instant::now();
        let made = make_documents(invoice, format, &self.fonts, &options)
            .map_err(|failure| failure.about(id, revision))?;
        let render_ms = started.elapsed().as_secs_f64() * 1000.0;
        let pdf = made.pdf;
        let key = pdf_key(id, revision);
        let rendered_pages = u32::try_from(pdf.pages).unwrap_or(u32::MAX);
        // What identifies this revision: the document, not its rendering (docs/DECISIONS.md).
        let source_sha256 = json_sha256(&event.data);
        let metadata_for = |sha256: &str| {
            BTreeMap::from([
                (metadata::SHA256.to_owned(), sha256.to_owned()),
                (metadata::SOURCE_SHA256.to_owned(), source_sha256.clone()),
                (metadata::REVISION.to_owned(), revision.to_string()),
                (
                    metadata::CORRELATION_ID.to_owned(),
                    event.correlation_id().to_owned(),
                ),
            ])
        };

        // The XML before the PDF: a stored PDF implies its stored XML (docs/DECISIONS.md).
        let separate_xml = match made.separate_xml {
            Some(xml) => {
                let xml_key = xml_key(id, revision);
                let mut xml_metadata = metadata_for(&sha256_hex(&xml));
                xml_metadata.insert(metadata::EINVOICE.to_owned(), format.to_string());
                let stored_xml = self
                    .store_once(NewObject {
                        key: xml_key.clone(),
                        body: xml,
                        content_type: "application/xml".to_owned(),
                        metadata: xml_metadata,
                    })
                    .await
                    .map_err(|failure| failure.about(id, revision))?;
                Some((xml_key, stored_xml.sha256))
            }
            None => None,
        };

        let mut pdf_metadata = metadata_for(&sha256_hex(&pdf.bytes));
        pdf_metadata.insert(metadata::PAGES.to_owned(), rendered_pages.to_string());
        // From here on, everything describes the PDF that is in the store, which is this
        // rendering unless an earlier delivery stored the revision first.
        let StoredObject {
            duplicate,
            sha256,
            size,
            pages,
        } = self
            .store_once(NewObject {
                key: key.clone(),
                body: pdf.bytes,
                content_type: "application/pdf".to_owned(),
                metadata: pdf_metadata,
            })
            .await
            .map_err(|failure| failure.about(id, revision))?;
        let pages = pages.unwrap_or(rendered_pages);

        let latest = LatestRevision {
            invoice_id: id.to_owned(),
            revision,
            key: key.clone(),
            sha256: sha256.clone(),
            size,
            pages,
        };
        self.advance_latest(&latest)
            .await
            .map_err(|failure| failure.about(id, revision))?;

        let notice = event.caused(
            paperflow_events::derived_event_id(&event.source, &event.id, EventType::PdfReady),
            SOURCE,
            EventType::PdfReady,
            id,
            time::OffsetDateTime::now_utc(),
            PdfReady {
                invoice_id: id.to_owned(),
                revision,
                bucket: self.store.bucket().to_owned(),
                key,
                size,
                sha256,
                pages,
                buyer_email: invoice.buyer_email().map(str::to_owned),
                einvoice: (format != EInvoiceFormat::None).then(|| format.to_string()),
                xml_sha256: separate_xml.as_ref().map(|(_, sha256)| sha256.clone()),
                xml_key: separate_xml.map(|(key, _)| key),
            },
        );
        self.publish(&notice)
            .await
            .map_err(|failure| failure.about(id, revision))?;
        tracing::info!(duplicate, render_ms, size, pages, "invoice PDF ready");
        Ok(Generated {
            notice,
            duplicate,
            render_ms,
            missing_glyphs: pdf.missing_glyphs,
        })
    }

    /// The renderer's options with the theme the invoice names, read from the store.
    async fn options_for(&self, invoice: &Invoice) -> Result<RenderOptions, RecordFailure> {
        let Some(name) = &invoice.theme else {
            return Ok(self.options.clone());
        };
        let loaded = self.themes.theme(&self.store, name).await?;
        Ok(RenderOptions {
            theme: Some(loaded.theme),
            ..self.options.clone()
        })
    }

    /// Announces a permanent failure of the message `body` as `invoice.pdf.failed.v1`, with the
    /// reason and the (bounded) input. Failing to announce it is itself a transient failure.
    pub async fn reject(
        &self,
        body: &str,
        failure: &RecordFailure,
    ) -> Result<CloudEvent<PdfFailed>, RecordFailure> {
        let decoded = paperflow_events::decode_body(body).ok();
        // An event that failed to decode may still name itself (an unknown major version, a
        // wrong attribute): its id, source and correlation id keep the failure in its flow.
        let hints = match &decoded {
            Some(event) => EnvelopeHints {
                id: Some(event.id.clone()),
                source: Some(event.source.clone()),
                correlationid: Some(event.correlation_id().to_owned()),
                subject: event.subject.clone(),
            },
            None => EnvelopeHints::read(body),
        };
        let (input_source, input_id) = match (&hints.source, &hints.id) {
            (Some(source), Some(id)) => (source.clone(), id.clone()),
            // Not an event at all: the body itself is what identifies the input.
            _ => ("paperflow/unidentified".to_owned(), sha256_hex(body)),
        };
        let input = match &decoded {
            Some(event) => paperflow_events::bounded_input(
                &serde_json::to_string(&event.data).unwrap_or_default(),
                paperflow_events::FAILED_INPUT_MAX_BYTES,
            ),
            None => paperflow_events::bounded_input(body, paperflow_events::FAILED_INPUT_MAX_BYTES),
        };
        let data = PdfFailed {
            invoice_id: failure.invoice_id.clone(),
            revision: failure.revision,
            code: failure.code.clone(),
            message: failure.message.clone(),
            input,
        };
        let id = paperflow_events::derived_event_id(&input_source, &input_id, EventType::PdfFailed);
        let subject = failure
            .invoice_id
            .clone()
            .or(hints.subject)
            .unwrap_or_else(|| "unknown".to_owned());
        let now = time::OffsetDateTime::now_utc();
        let mut notice =
            CloudEvent::new(id.clone(), SOURCE, EventType::PdfFailed, subject, now, data)
                .with_correlation(hints.correlationid.unwrap_or(id));
        if let Some(cause) = hints.id {
            notice = notice.with_causation(cause);
        }
        self.record_failure(&notice).await?;
        self.publish(&notice).await?;
        tracing::warn!(
            correlation_id = notice.correlation_id(),
            invoice_id = failure.invoice_id.as_deref().unwrap_or(""),
            code = %failure.code,
            message = %failure.message,
            "invoice rejected"
        );
        Ok(notice)
    }

    /// Keeps `invoices/{id}/r{N}.failed.json` so that the status of the revision says why it
    /// failed (see [`crate::status`]). Written before the notice is published, so a notice never
    /// announces a failure the status does not show. Only for a valid invoice id and revision: an
    /// id that breaks the rules must not become a storage key. The first failure of a revision
    /// stays; a redelivery finds it and moves on.
    async fn record_failure(&self, notice: &CloudEvent<PdfFailed>) -> Result<(), RecordFailure> {
        let (Some(invoice_id), Some(revision)) = (&notice.data.invoice_id, notice.data.revision)
        else {
            return Ok(());
        };
        if revision == 0 || paperflow_invoice::parse_invoice_id(invoice_id, "").is_err() {
            return Ok(());
        }
        let record = FailedRevision {
            invoice_id: invoice_id.clone(),
            revision,
            code: notice.data.code.clone(),
            message: notice.data.message.clone(),
            notice_id: notice.id.clone(),
            correlation_id: notice.correlation_id().to_owned(),
            failed_at: notice.time.clone(),
        };
        Records::new(&self.store)
            .create(&failed_key(invoice_id, revision), &record)
            .await?;
        Ok(())
    }

    /// Stores `object` unless its key already holds something, and answers what the key holds
    /// now: this object, or (a duplicate delivery) the one an earlier delivery of the same
    /// document stored. Anything else under the key is a permanent `revision_conflict`, and
    /// stays as it is.
    async fn store_once(&self, object: NewObject) -> Result<StoredObject, RecordFailure> {
        let key = object.key.clone();
        let ours = StoredObject::described_by(&object.metadata, object.body.len() as u64);
        let source_sha256 = object.metadata.get(metadata::SOURCE_SHA256).cloned();
        match self.store.put_new(object).await? {
            PutOutcome::Created => Ok(ours),
            PutOutcome::AlreadyExists => {
                self.check_existing(&key, &ours, source_sha256.as_deref())
                    .await
            }
        }
    }

    /// Something is already stored under `key`; it is this revision when it was made from the
    /// same invoice document (`source_sha256`), whatever bytes rendering makes of it today.
    /// Objects without `source-sha256` are compared by their bytes, as before it existed: by
    /// the `sha256` of an earlier paperflow's metadata, or by reading and hashing an object
    /// paperflow did not write. Only an object that vanished between the put and the read is
    /// worth another try.
    async fn check_existing(
        &self,
        key: &str,
        ours: &StoredObject,
        source_sha256: Option<&str>,
    ) -> Result<StoredObject, RecordFailure> {
        let vanished = || {
            RecordFailure::transient(
                "s3_inconsistent",
                format!("{key} was reported as existing but could not be read back"),
            )
        };
        let conflict = |theirs: String| {
            RecordFailure::permanent(
                "revision_conflict",
                format!(
                    "{key} already holds a different document ({theirs}): a changed invoice \
                     needs a new revision"
                ),
            )
        };
        let stored = self.store.head(key).await?.ok_or_else(vanished)?;
        let existing = StoredObject::described_by(&stored.metadata, stored.size).found_stored();
        match (
            stored.metadata.get(metadata::SOURCE_SHA256),
            stored.metadata.contains_key(metadata::SHA256),
        ) {
            (Some(theirs), true) => match source_sha256 {
                Some(source_sha256) if theirs == source_sha256 => Ok(existing),
                _ => Err(conflict(format!(
                    "made from the invoice with source-sha256 {theirs}, this one {}",
                    source_sha256.unwrap_or("unknown")
                ))),
            },
            (None, true) if existing.sha256 == ours.sha256 => Ok(existing),
            (None, true) => Err(conflict(format!(
                "sha256 {}, this one {}; stored before source-sha256 existed",
                existing.sha256, ours.sha256
            ))),
            (_, false) => {
                let (bytes, _) = self.store.get(key).await?.ok_or_else(vanished)?;
                let theirs = sha256_hex(&bytes);
                if theirs == ours.sha256 {
                    Ok(ours.clone().found_stored())
                } else {
                    Err(conflict(format!(
                        "no paperflow metadata; sha256 of its bytes {theirs}, this one {}",
                        ours.sha256
                    )))
                }
            }
        }
    }

    /// Moves `latest.json` to `latest` unless it already names the same or a newer revision.
    /// The pointer only repeats what the PDFs say, so one this version cannot read is replaced.
    async fn advance_latest(&self, latest: &LatestRevision) -> Result<(), RecordFailure> {
        Records::new(&self.store)
            .update_replacing_unreadable(
                &latest_key(&latest.invoice_id),
                POINTER_ATTEMPTS,
                |stored: Option<LatestRevision>| match stored {
                    Some(stored) if stored.revision >= latest.revision => Decision::Keep(()),
                    _ => Decision::Write(latest.clone(), ()),
                },
            )
            .await
            .map_err(|error| error.failure("latest_pointer"))
    }

    async fn publish<T: Serialize + Clone>(
        &self,
        notice: &CloudEvent<T>,
    ) -> Result<(), RecordFailure> {
        let data = serde_json::to_value(&notice.data).map_err(|error| {
            RecordFailure::permanent("internal", format!("serialising a notice: {error}"))
        })?;
        let event = notice.clone().map_data(|_| data);
        self.publisher.publish(&event).await?;
        Ok(())
    }
}

/// The object a key holds, as a notice describes it.
#[derive(Debug, Clone, PartialEq)]
struct StoredObject {
    /// Whether an earlier delivery stored it (this delivery is a duplicate).
    duplicate: bool,
    /// The SHA-256 of its bytes.
    sha256: String,
    /// Its size in bytes.
    size: u64,
    /// Its page count, when its metadata says it (PDFs paperflow stored).
    pages: Option<u32>,
}

impl StoredObject {
    /// The object of `size` bytes that paperflow's `metadata` describes (as this delivery
    /// writes it, or as an earlier delivery wrote it: then a duplicate).
    fn described_by(object_metadata: &BTreeMap<String, String>, size: u64) -> StoredObject {
        StoredObject {
            duplicate: false,
            sha256: metadata::sha256_of(object_metadata),
            size,
            pages: metadata::pages_of(object_metadata),
        }
    }

    /// The same object, found already stored by an earlier delivery.
    fn found_stored(self) -> StoredObject {
        StoredObject {
            duplicate: true,
            ..self
        }
    }
}

/// What one invoice becomes: its PDF, and the e-invoice XML stored beside it (XRechnung,
/// Peppol). A Factur-X PDF carries its XML inside.
struct Documents {
    pdf: RenderedPdf,
    separate_xml: Option<Vec<u8>>,
}

/// Makes `invoice` into the documents `format` asks for, or says every reason it cannot be
/// that e-invoice (permanent `einvoice_impossible`): nothing is made by halves.
fn make_documents(
    invoice: &Invoice,
    format: EInvoiceFormat,
    fonts: &FontSet,
    options: &RenderOptions,
) -> Result<Documents, RecordFailure> {
    let xml = match format {
        EInvoiceFormat::None => None,
        _ => Some(
            paperflow_einvoice::to_xml(invoice, format).map_err(|violations| {
                RecordFailure::permanent(
                    "einvoice_impossible",
                    format!(
                        "the invoice cannot become an e-invoice as {format}, {} problem(s): {}",
                        violations.len(),
                        violations
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                )
            })?,
        ),
    };
    let (options, separate_xml) = match (format, xml) {
        (EInvoiceFormat::FacturX, Some(xml)) => (
            RenderOptions {
                factur_x: Some(FacturX { xml }),
                ..options.clone()
            },
            None,
        ),
        (_, xml) => (options.clone(), xml),
    };
    let pdf = paperflow_render::render(invoice, fonts, &options)
        .map_err(|error| RecordFailure::permanent("render_failed", error.to_string()))?;
    Ok(Documents { pdf, separate_xml })
}

/// What a message that is not a decodable event still says about itself.
#[derive(Debug, Default)]
struct EnvelopeHints {
    id: Option<String>,
    source: Option<String>,
    correlationid: Option<String>,
    subject: Option<String>,
}

impl EnvelopeHints {
    /// Reads the envelope's attributes from a JSON body, inside SNS's wrapper or not; any
    /// attribute that is missing or not a string stays `None`.
    fn read(body: &str) -> EnvelopeHints {
        let Ok(value) = paperflow_events::event_json(body) else {
            return EnvelopeHints::default();
        };
        let text = |name: &str| {
            value
                .get(name)
                .and_then(serde_json::Value::as_str)
                .filter(|text| !text.is_empty())
                .map(|text| text.chars().take(200).collect::<String>())
        };
        EnvelopeHints {
            id: text("id"),
            source: text("source"),
            correlationid: text("correlationid"),
            subject: text("subject"),
        }
    }
}

/// The invoice id and revision of a document too broken to validate, when they can be read.
fn identify(data: &serde_json::Value) -> Option<(String, u32)> {
    let id = data.get("invoice_id")?.as_str()?;
    let revision = data
        .get("revision")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(1);
    Some((
        id.chars().take(64).collect(),
        u32::try_from(revision).unwrap_or(0),
    ))
}
