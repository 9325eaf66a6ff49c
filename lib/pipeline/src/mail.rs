//! The pdf-mailer's work for one `invoice.pdf.ready.v1` notice: e-mail the PDF to the buyer,
//! once per notice, then announce `invoice.emailed.v1`.
//!
//! SNS delivers at least once, and a Lambda invocation can die anywhere (timeout, out of
//! memory, a lost host), after which Lambda invokes it again with the same notice. An e-mail
//! cannot be taken back, so the send is guarded by a record in the documents bucket,
//! `mail/{notice id}.json` ([`mail_record_key`]), written only with S3's conditional writes.
//!
//! # The protocol
//!
//! 1. **Read** the record.
//!    - `sent`: the e-mail went out before. Publish `invoice.emailed.v1` again, with the same
//!      id and the provider's message id from the record, and stop: nothing is sent twice.
//!    - `claimed` and not yet expired: another attempt is sending right now, or crashed a
//!      moment ago. Fail *transiently*, so that Lambda retries later; by then the record says
//!      `sent`, or the claim has expired.
//!    - `claimed` but expired, or `released`: the attempt that held it is over; take it over
//!      (step 3 with `If-Match` on the version just read).
//!    - none: claim it (step 3 with `If-None-Match: *`).
//! 2. **Prepare** the message (fetch the PDF, check its SHA-256 against the notice, build the
//!    MIME message) *before* claiming, so that a missing PDF or a slow read holds no claim.
//! 3. **Claim**: write `{state: claimed, claimed_until: now + ttl, token}` conditionally. When
//!    the condition fails, somebody else claimed first: fail transiently (the retry finds
//!    their `sent`). Read the claim back to learn its version tag and to be sure the token is
//!    ours.
//! 4. **Send** through the [`Mailer`] port (SES v2).
//!    - The provider refused (4xx: nothing was sent): write `released` with `If-Match` and
//!      fail transiently, so the retry need not wait for the claim to expire.
//!    - No answer, or a 5xx (the message may or may not have gone out): leave the claim as it
//!      is and fail transiently; after it expires a retry sends.
//! 5. **Mark sent**: write `{state: sent, message_id, sent_at}` with `If-Match` on the claim's
//!    version. A conflict means the claim expired during the send and another attempt took it
//!    over: that is the window below, logged as an error.
//! 6. **Announce** `invoice.emailed.v1`: id derived from the notice
//!    ([`paperflow_events::derived_event_id`]), correlation id copied, causation id the
//!    notice's id, `time` the moment of sending. A failure here is transient; the retry finds
//!    `sent` and only announces.
//!
//! # The one remaining window
//!
//! A crash (or a lost S3 write) *after SES accepted the message and before `sent` was
//! written* leaves a claim that nobody can tell apart from an attempt that never sent.
//! Once the claim expires, a retry sends the e-mail a **second** time. The window is the
//! length of one SES call plus one S3 write; closing it would take a provider that
//! deduplicates on a key of ours, which SES does not offer. The claim's lifetime is chosen so
//! that it outlives any attempt still running (the function passes its remaining time plus a
//! margin), which is what keeps two *live* attempts from both sending.
//!
//! This module must never send without holding a claim, and never write the record without a
//! condition.

use crate::failure::RecordFailure;
use crate::generate::{hex, pdf_key};
use crate::ports::{DependencyError, DocumentStore, EventPublisher, NewObject, PutOutcome};
use paperflow_events::{CloudEvent, DecodeError, EventType, PdfReady, TypeError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::future::Future;
use std::time::Duration;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tracing::Instrument;

pub use paperflow_events::Emailed;

/// The `source` of every event the pdf-mailer emits.
pub const SOURCE: &str = "paperflow/pdf-mailer";

/// SES v2's limit on one message, attachments included once encoded: 40 MB. A PDF whose
/// message would be larger is sent as a presigned link instead.
pub const SES_MAX_MESSAGE_BYTES: u64 = 40_000_000;

/// How long the presigned link of a PDF too large to attach stays valid. Short, as DESIGN.md
/// asks of every URL that leaves the system; note that a URL signed with temporary
/// credentials (a Lambda role's) stops working when those credentials expire, which may be
/// sooner.
pub const LINK_EXPIRY: Duration = Duration::from_secs(24 * 60 * 60);

/// What the message headers and the text part cost beyond the encoded PDF, at most.
const MESSAGE_OVERHEAD_BYTES: u64 = 16 * 1024;

/// The storage key of the send record of a notice: `mail/{notice id}.json`. An id that is not
/// a plain token (paperflow's ids are UUIDs) is replaced by its SHA-256, so that no notice can
/// choose a key outside `mail/`.
pub fn mail_record_key(notice_id: &str) -> String {
    let plain = !notice_id.is_empty()
        && notice_id.len() <= 128
        && notice_id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
    if plain {
        format!("mail/{notice_id}.json")
    } else {
        format!("mail/sha256-{}.json", hex(&Sha256::digest(notice_id)))
    }
}

/// An e-mail ready to hand to the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// The sender, as configured (`MAIL_FROM`): `billing@example.com` or
    /// `Billing <billing@example.com>`.
    pub from: String,
    /// The one recipient.
    pub to: String,
    /// The whole MIME message (RFC 5322), headers and parts.
    pub raw: Vec<u8>,
}

/// Why the provider did not confirm a send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The provider answered with a refusal: nothing was sent.
    NotSent(DependencyError),
    /// No usable answer (timeout, lost connection, a server error): the message may have gone
    /// out.
    Unknown(DependencyError),
}

impl SendError {
    /// The underlying dependency error.
    pub fn dependency(&self) -> &DependencyError {
        match self {
            SendError::NotSent(error) | SendError::Unknown(error) => error,
        }
    }
}

/// Where e-mail goes out: SES v2 in production.
pub trait Mailer: Send + Sync {
    /// Sends `mail` and answers the provider's message id.
    fn send(&self, mail: &OutgoingMail) -> impl Future<Output = Result<String, SendError>> + Send;
}

/// The state of a send record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailState {
    /// An attempt is sending, until `claimed_until`.
    Claimed,
    /// An attempt gave up without sending; the next one may claim at once.
    Released,
    /// The e-mail went out.
    Sent,
}

/// The send record of one notice, `mail/{notice id}.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailRecord {
    /// The ready notice this record is about.
    pub notice_id: String,
    /// The invoice.
    pub invoice_id: String,
    /// Its revision.
    pub revision: u32,
    /// Where the e-mail goes.
    pub recipient: String,
    /// Claimed, released or sent.
    pub state: MailState,
    /// Which attempt wrote the record: 1 for the first claim, +1 per takeover.
    pub attempt: u32,
    /// Unique per claim, so that an attempt can tell its own claim from a successor's.
    pub token: String,
    /// Until when the claim holds (RFC 3339).
    pub claimed_until: String,
    /// The provider's message id, once sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// When the provider accepted the message (RFC 3339), once sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<String>,
    /// Whether the PDF was attached (otherwise linked), once sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attached: Option<bool>,
}

/// What the pdf-mailer is configured with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSettings {
    /// The sender.
    pub from: Sender,
    /// The largest message sent with the PDF attached; above it the PDF is linked.
    pub max_message_bytes: u64,
    /// How long a link to a PDF too large to attach stays valid.
    pub link_expiry: Duration,
}

impl MailSettings {
    /// SES v2's limits, from `from`.
    pub fn new(from: Sender) -> MailSettings {
        MailSettings {
            from,
            max_message_bytes: SES_MAX_MESSAGE_BYTES,
            link_expiry: LINK_EXPIRY,
        }
    }
}

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

/// A plausibility check of an e-mail address, not RFC 5321's whole grammar: one `@`, a local
/// part and a domain with a dot, no spaces, controls or characters that would change the
/// meaning of a header. The provider has the last word.
pub fn check_address(address: &str) -> Result<(), String> {
    if address.len() > 254 {
        return Err("an address has at most 254 characters".into());
    }
    if let Some(bad) = address
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\"\\".contains(*c))
    {
        return Err(format!("{bad:?} is not allowed in an address"));
    }
    let Some((local, domain)) = address.split_once('@') else {
        return Err("an address needs an @".into());
    };
    if local.is_empty() || local.len() > 64 {
        return Err("the part before the @ must have 1 to 64 characters".into());
    }
    if domain.contains('@') {
        return Err("an address has one @".into());
    }
    if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
        return Err(format!("{domain:?} is not a domain name"));
    }
    Ok(())
}

/// What became of one notice.
#[derive(Debug, Clone, PartialEq)]
pub enum Mailed {
    /// The e-mail went out now, and `notice` was announced.
    Sent {
        /// The emailed notice.
        notice: CloudEvent<Emailed>,
        /// Whether the PDF was attached (otherwise linked).
        attached: bool,
        /// Whether marking it sent found the claim taken over (the remaining window).
        claim_lost: bool,
    },
    /// It had gone out before; `notice` was announced again with the same id.
    AlreadySent {
        /// The emailed notice.
        notice: CloudEvent<Emailed>,
    },
    /// A ready notice without a buyer e-mail address: nothing to send.
    NoRecipient {
        /// The invoice.
        invoice_id: String,
        /// The correlation id of the notice.
        correlation_id: String,
    },
    /// Not an `invoice.pdf.ready.v1`: not the mailer's business.
    Ignored {
        /// The event's type.
        event_type: String,
    },
}

/// E-mails ready PDFs, once per notice.
pub struct PdfMailer<S, P, M> {
    store: S,
    publisher: P,
    mailer: M,
    settings: MailSettings,
}

impl<S: DocumentStore, P: EventPublisher, M: Mailer> PdfMailer<S, P, M> {
    /// A mailer reading PDFs and keeping send records in `store`, announcing on `publisher`,
    /// sending through `mailer`.
    pub fn new(store: S, publisher: P, mailer: M, settings: MailSettings) -> Self {
        PdfMailer {
            store,
            publisher,
            mailer,
            settings,
        }
    }

    /// Handles one notice body (raw, or SNS-wrapped). `claim_ttl` is how long a claim made now
    /// holds: longer than this attempt can possibly still run.
    ///
    /// # Errors
    ///
    /// Permanent: the body is no event this consumer understands, or a ready notice that can
    /// never be mailed (an implausible address, a PDF outside its invoice's place). Transient:
    /// everything that may pass (S3, SES or SNS failing, another attempt holding the claim).
    pub async fn mail(&self, body: &str, claim_ttl: Duration) -> Result<Mailed, RecordFailure> {
        let event = match paperflow_events::decode_body(body) {
            Ok(event) => event,
            // A type this version has never heard of is some other consumer's business (the
            // topic carries more than ready notices); a known type at an unknown major
            // version, or a broken body, is a permanent failure.
            Err(DecodeError::Type(TypeError::Unknown(event_type))) => {
                return Ok(Mailed::Ignored { event_type });
            }
            Err(error) => return Err(error.into()),
        };
        if event.event_type != EventType::PdfReady.as_str() {
            return Ok(Mailed::Ignored {
                event_type: event.event_type,
            });
        }
        let notice: CloudEvent<PdfReady> = event.into_typed()?;
        let data = &notice.data;
        let (id, revision) = (data.invoice_id.as_str(), data.revision);
        let recipient = data
            .buyer_email
            .as_deref()
            .map(str::trim)
            .filter(|address| !address.is_empty());
        let Some(recipient) = recipient else {
            return Ok(Mailed::NoRecipient {
                invoice_id: id.to_owned(),
                correlation_id: notice.correlation_id().to_owned(),
            });
        };
        check_address(recipient).map_err(|problem| {
            RecordFailure::permanent(
                "invalid_recipient",
                format!("buyer_email {recipient:?}: {problem}"),
            )
            .about(id, revision)
        })?;
        if data.bucket != self.store.bucket() || data.key != pdf_key(id, revision) {
            return Err(RecordFailure::permanent(
                "unexpected_pdf_location",
                format!(
                    "the notice names s3://{}/{}, but the PDF of {id} r{revision} is s3://{}/{}",
                    data.bucket,
                    data.key,
                    self.store.bucket(),
                    pdf_key(id, revision)
                ),
            )
            .about(id, revision));
        }
        let span = tracing::info_span!(
            "notice",
            correlation_id = notice.correlation_id(),
            invoice_id = id,
            revision,
            notice_id = notice.id.as_str()
        );
        self.deliver(&notice, recipient, claim_ttl)
            .instrument(span)
            .await
            .map_err(|failure| failure.about(id, revision))
    }

    async fn deliver(
        &self,
        notice: &CloudEvent<PdfReady>,
        recipient: &str,
        claim_ttl: Duration,
    ) -> Result<Mailed, RecordFailure> {
        let key = mail_record_key(&notice.id);
        // 1. Read.
        let (expected, attempt) = match self.store.get(&key).await? {
            None => (None, 1),
            Some((bytes, etag)) => {
                let record = read_record(&key, &bytes)?;
                match record.state {
                    MailState::Sent => {
                        let emailed = self.emailed(notice, &record)?;
                        self.publish(&emailed).await?;
                        tracing::info!("already e-mailed: announced again");
                        return Ok(Mailed::AlreadySent { notice: emailed });
                    }
                    MailState::Claimed if !expired(&record.claimed_until, now()) => {
                        return Err(RecordFailure::transient(
                            "mail_in_progress",
                            format!(
                                "attempt {} holds the claim on {key} until {}: retry later",
                                record.attempt, record.claimed_until
                            ),
                        ));
                    }
                    MailState::Claimed | MailState::Released => (Some(etag), record.attempt + 1),
                }
            }
        };

        // 2. Prepare, before claiming.
        let (mail, attached) = self.compose(notice, recipient).await?;

        // 3. Claim.
        let token = paperflow_events::new_event_id();
        let claim = MailRecord {
            notice_id: notice.id.clone(),
            invoice_id: notice.data.invoice_id.clone(),
            revision: notice.data.revision,
            recipient: recipient.to_owned(),
            state: MailState::Claimed,
            attempt,
            token: token.clone(),
            claimed_until: paperflow_events::now_rfc3339(now() + claim_ttl),
            message_id: None,
            sent_at: None,
            attached: None,
        };
        let claimed = match expected.as_deref() {
            None => self.store.put_new(record_object(&key, &claim)?).await? == PutOutcome::Created,
            Some(etag) => {
                self.store
                    .put_if_match(record_object(&key, &claim)?, Some(etag))
                    .await?
                    == crate::ports::SwapOutcome::Swapped
            }
        };
        if !claimed {
            return Err(RecordFailure::transient(
                "mail_in_progress",
                format!("another attempt claimed {key} first: retry later"),
            ));
        }
        let claim_etag = match self.store.get(&key).await? {
            Some((bytes, etag)) if read_record(&key, &bytes)?.token == token => etag,
            _ => {
                return Err(RecordFailure::transient(
                    "mail_claim_lost",
                    format!("the claim on {key} was taken over before sending: nothing was sent"),
                ));
            }
        };

        // 4. Send.
        let message_id = match self.mailer.send(&mail).await {
            Ok(message_id) => message_id,
            Err(SendError::NotSent(error)) => {
                let released = MailRecord {
                    state: MailState::Released,
                    ..claim
                };
                // Best effort: should the release fail, the claim simply expires.
                if let Err(release) = self
                    .store
                    .put_if_match(record_object(&key, &released)?, Some(&claim_etag))
                    .await
                {
                    tracing::warn!(%release, "the claim could not be released; it will expire");
                }
                return Err(RecordFailure::from(error));
            }
            Err(SendError::Unknown(error)) => {
                return Err(RecordFailure::transient(
                    "mail_outcome_unknown",
                    format!(
                        "{error}; the e-mail may have gone out: the claim holds until {}, then a \
                         retry sends it (again)",
                        claim.claimed_until
                    ),
                ));
            }
        };

        // 5. Mark sent.
        let sent_time = now();
        let sent = MailRecord {
            state: MailState::Sent,
            message_id: Some(message_id),
            sent_at: Some(paperflow_events::now_rfc3339(sent_time)),
            attached: Some(attached),
            ..claim
        };
        let swapped = self
            .store
            .put_if_match(record_object(&key, &sent)?, Some(&claim_etag))
            .await?;
        let claim_lost = swapped == crate::ports::SwapOutcome::Conflict;
        if claim_lost {
            tracing::error!(
                "the claim on {key} expired while sending and was taken over: the buyer may get \
                 this e-mail twice; make the claim outlive the function's timeout"
            );
        }

        // 6. Announce.
        let emailed = self.emailed(notice, &sent)?;
        self.publish(&emailed).await?;
        tracing::info!(attached, "invoice e-mailed");
        Ok(Mailed::Sent {
            notice: emailed,
            attached,
            claim_lost,
        })
    }

    /// The message: the PDF attached when the whole message fits the provider's limit,
    /// otherwise a presigned link to it.
    async fn compose(
        &self,
        notice: &CloudEvent<PdfReady>,
        recipient: &str,
    ) -> Result<(OutgoingMail, bool), RecordFailure> {
        let data = &notice.data;
        if encoded_message_len(data.size) <= self.settings.max_message_bytes {
            let (pdf, _) = self.store.get(&data.key).await?.ok_or_else(|| {
                // The notice says it is there: the store and the notice disagree, which an
                // operator must look at; failing keeps the notice for the on-failure
                // destination.
                RecordFailure::transient(
                    "pdf_missing",
                    format!("{} named by notice {} is not stored", data.key, notice.id),
                )
            })?;
            let sha256 = hex(&Sha256::digest(&pdf));
            if sha256 != data.sha256 {
                return Err(RecordFailure::transient(
                    "pdf_mismatch",
                    format!(
                        "{} has SHA-256 {sha256}, the notice says {}",
                        data.key, data.sha256
                    ),
                ));
            }
            let raw = self.message(notice, recipient, Body::Attached(&pdf))?;
            if raw.len() as u64 <= self.settings.max_message_bytes {
                return Ok((self.outgoing(recipient, raw), true));
            }
        }
        let link = self
            .store
            .presign_get(&data.key, self.settings.link_expiry)
            .await?;
        let raw = self.message(notice, recipient, Body::Linked(&link))?;
        Ok((self.outgoing(recipient, raw), false))
    }

    fn outgoing(&self, recipient: &str, raw: Vec<u8>) -> OutgoingMail {
        OutgoingMail {
            from: self.settings.from.configured.clone(),
            to: recipient.to_owned(),
            raw,
        }
    }

    fn message(
        &self,
        notice: &CloudEvent<PdfReady>,
        recipient: &str,
        body: Body<'_>,
    ) -> Result<Vec<u8>, RecordFailure> {
        let data = &notice.data;
        let subject = match data.revision {
            1 => format!("Invoice {}", data.invoice_id),
            revision => format!("Invoice {} (revision {revision})", data.invoice_id),
        };
        let from = &self.settings.from;
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
        let builder = match body {
            Body::Attached(pdf) => builder
                .text_body(format!(
                    "Hello,\r\n\r\nplease find attached invoice {} (revision {}).\r\n",
                    data.invoice_id, data.revision
                ))
                .attachment(
                    "application/pdf",
                    attachment_name(&data.invoice_id, data.revision),
                    pdf,
                ),
            Body::Linked(link) => builder.text_body(format!(
                "Hello,\r\n\r\ninvoice {} (revision {}) is too large to attach.\r\n\
                 Download it within {} hours here:\r\n\r\n{link}\r\n",
                data.invoice_id,
                data.revision,
                self.settings.link_expiry.as_secs() / 3600
            )),
        };
        builder.write_to_vec().map_err(|error| {
            RecordFailure::permanent("internal", format!("building the message: {error}"))
        })
    }

    fn emailed(
        &self,
        notice: &CloudEvent<PdfReady>,
        record: &MailRecord,
    ) -> Result<CloudEvent<Emailed>, RecordFailure> {
        let sent_at = record
            .sent_at
            .as_deref()
            .and_then(|at| OffsetDateTime::parse(at, &Rfc3339).ok())
            .unwrap_or_else(now);
        let message_id = record.message_id.clone().ok_or_else(|| {
            RecordFailure::transient(
                "mail_record_unreadable",
                format!(
                    "the send record of {} says sent but has no message id",
                    notice.id
                ),
            )
        })?;
        Ok(notice.caused(
            paperflow_events::derived_event_id(&notice.source, &notice.id, EventType::Emailed),
            SOURCE,
            EventType::Emailed,
            notice.data.invoice_id.as_str(),
            sent_at,
            Emailed {
                invoice_id: notice.data.invoice_id.clone(),
                revision: notice.data.revision,
                recipient: record.recipient.clone(),
                message_id,
            },
        ))
    }

    async fn publish(&self, notice: &CloudEvent<Emailed>) -> Result<(), RecordFailure> {
        let data = serde_json::to_value(&notice.data).map_err(|error| {
            RecordFailure::permanent("internal", format!("serialising a notice: {error}"))
        })?;
        self.publisher
            .publish(&notice.clone().map_data(|_| data))
            .await?;
        Ok(())
    }
}

enum Body<'a> {
    Attached(&'a [u8]),
    Linked(&'a str),
}

/// The size of a message carrying a PDF of `pdf_bytes`, at most: base64 (4 bytes per 3, a
/// line break per 76 characters) plus headers and text.
pub fn encoded_message_len(pdf_bytes: u64) -> u64 {
    let encoded = pdf_bytes.div_ceil(3).saturating_mul(4);
    encoded
        .saturating_add(encoded.div_ceil(76).saturating_mul(2))
        .saturating_add(MESSAGE_OVERHEAD_BYTES)
}

/// `INV-2026-000123.pdf`, or `…-r2.pdf` for later revisions; characters a file name should not
/// carry become `_`.
fn attachment_name(invoice_id: &str, revision: u32) -> String {
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
        1 => format!("{safe}.pdf"),
        revision => format!("{safe}-r{revision}.pdf"),
    }
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// Whether a claim until `until` is over at `now`. An unreadable time counts as over: a
/// record nobody can interpret must not block the notice forever.
fn expired(until: &str, now: OffsetDateTime) -> bool {
    OffsetDateTime::parse(until, &Rfc3339).map_or(true, |until| until <= now)
}

fn read_record(key: &str, bytes: &[u8]) -> Result<MailRecord, RecordFailure> {
    serde_json::from_slice(bytes).map_err(|error| {
        // Only this module writes these records; an unreadable one needs an operator, and
        // failing keeps the notice until one has looked.
        RecordFailure::transient(
            "mail_record_unreadable",
            format!("{key} is not a send record: {error}"),
        )
    })
}

fn record_object(key: &str, record: &MailRecord) -> Result<NewObject, RecordFailure> {
    NewObject::json(key, record).map_err(|error| {
        RecordFailure::permanent("internal", format!("serialising a send record: {error}"))
    })
}

#[cfg(test)]
mod tests {
    //! The protocol's rules, against the ports in memory. The real thing (S3's conditional
    //! writes, SES, SNS) is tested against moto in `tests/mailer.rs`.

    use super::*;
    use crate::memory::{MemoryPublisher, MemoryStore};
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    /// Answers each send with the next scripted result (success once the script is empty),
    /// and remembers what it was asked to send.
    #[derive(Default)]
    struct ScriptedMailer {
        script: Mutex<Vec<Result<String, SendError>>>,
        sent: Mutex<Vec<OutgoingMail>>,
    }

    impl ScriptedMailer {
        fn failing_with(error: SendError) -> ScriptedMailer {
            ScriptedMailer {
                script: Mutex::new(vec![Err(error)]),
                ..ScriptedMailer::default()
            }
        }

        fn sent(&self) -> usize {
            self.sent.lock().expect("not poisoned").len()
        }
    }

    impl Mailer for &ScriptedMailer {
        async fn send(&self, mail: &OutgoingMail) -> Result<String, SendError> {
            self.sent.lock().expect("not poisoned").push(mail.clone());
            let mut script = self.script.lock().expect("not poisoned");
            if script.is_empty() {
                Ok(format!("ses-{}", self.sent()))
            } else {
                script.remove(0)
            }
        }
    }

    const PDF: &[u8] = b"%PDF-1.7 a tiny stand-in";
    const TTL: Duration = Duration::from_secs(60);

    fn down() -> DependencyError {
        DependencyError {
            service: "ses",
            retryable: true,
            message: "throttled".into(),
        }
    }

    async fn setup() -> (MemoryStore, MemoryPublisher) {
        let store = MemoryStore::new();
        store
            .put_new(NewObject {
                key: pdf_key("INV-1", 1),
                body: PDF.to_vec(),
                content_type: "application/pdf".into(),
                metadata: BTreeMap::new(),
            })
            .await
            .expect("stored");
        (store, MemoryPublisher::new())
    }

    fn notice_with(data: serde_json::Value) -> String {
        let ready = serde_json::json!({
            "specversion": "1.0", "id": "0193a5b0-0000-7000-8000-000000000001",
            "source": "paperflow/pdf-generator", "type": "invoice.pdf.ready.v1",
            "subject": "INV-1", "time": "2026-11-26T14:05:42.500Z",
            "correlationid": "corr-1", "causationid": "ev-1", "data": data
        });
        ready.to_string()
    }

    fn notice() -> String {
        notice_with(serde_json::json!({
            "invoice_id": "INV-1", "revision": 1, "bucket": "memory",
            "key": "invoices/INV-1/r1.pdf", "size": PDF.len(),
            "sha256": hex(&Sha256::digest(PDF)), "pages": 1,
            "buyer_email": "ap@contoso.example"
        }))
    }

    fn record_key() -> String {
        mail_record_key("0193a5b0-0000-7000-8000-000000000001")
    }

    fn record(store: &MemoryStore) -> MailRecord {
        serde_json::from_slice(&store.body(&record_key()).expect("a record")).expect("JSON")
    }

    fn mailer<'a>(
        store: &MemoryStore,
        publisher: &MemoryPublisher,
        ses: &'a ScriptedMailer,
    ) -> PdfMailer<MemoryStore, MemoryPublisher, &'a ScriptedMailer> {
        let sender = Sender::parse("Billing <billing@paperflow.example>").expect("a sender");
        PdfMailer::new(
            store.clone(),
            publisher.clone(),
            ses,
            MailSettings::new(sender),
        )
    }

    async fn put_record(store: &MemoryStore, record: &MailRecord) {
        store
            .put_new(record_object(&record_key(), record).expect("an object"))
            .await
            .expect("stored");
    }

    fn claim(until: OffsetDateTime, state: MailState) -> MailRecord {
        MailRecord {
            notice_id: "0193a5b0-0000-7000-8000-000000000001".into(),
            invoice_id: "INV-1".into(),
            revision: 1,
            recipient: "ap@contoso.example".into(),
            state,
            attempt: 1,
            token: "someone-else".into(),
            claimed_until: paperflow_events::now_rfc3339(until),
            message_id: None,
            sent_at: None,
            attached: None,
        }
    }

    #[tokio::test]
    async fn a_notice_is_sent_once_and_a_duplicate_only_announced_again() {
        let (store, publisher) = setup().await;
        let ses = ScriptedMailer::default();
        let mailer = mailer(&store, &publisher, &ses);
        let first = mailer.mail(&notice(), TTL).await.expect("sent");
        assert!(matches!(
            first,
            Mailed::Sent {
                attached: true,
                claim_lost: false,
                ..
            }
        ));
        let again = mailer.mail(&notice(), TTL).await.expect("a duplicate");
        assert!(matches!(again, Mailed::AlreadySent { .. }));
        assert_eq!(ses.sent(), 1);
        let events = publisher.events();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0], events[1], "the same notice, id and time");
        assert_eq!(events[0].data["message_id"], "ses-1");
        assert_eq!(record(&store).state, MailState::Sent);
    }

    #[tokio::test]
    async fn a_claim_that_still_holds_is_a_transient_failure_and_sends_nothing() {
        let (store, publisher) = setup().await;
        put_record(&store, &claim(now() + TTL, MailState::Claimed)).await;
        let ses = ScriptedMailer::default();
        let failure = mailer(&store, &publisher, &ses)
            .mail(&notice(), TTL)
            .await
            .expect_err("in progress");
        assert!(failure.is_transient());
        assert_eq!(failure.code, "mail_in_progress");
        assert_eq!(ses.sent(), 0);
        assert_eq!(publisher.count(), 0);
    }

    #[tokio::test]
    async fn an_expired_claim_is_taken_over() {
        let (store, publisher) = setup().await;
        put_record(
            &store,
            &claim(now() - Duration::from_secs(1), MailState::Claimed),
        )
        .await;
        let ses = ScriptedMailer::default();
        mailer(&store, &publisher, &ses)
            .mail(&notice(), TTL)
            .await
            .expect("sent");
        assert_eq!(ses.sent(), 1);
        let record = record(&store);
        assert_eq!((record.state, record.attempt), (MailState::Sent, 2));
    }

    #[tokio::test]
    async fn a_refused_send_releases_the_claim_so_the_retry_need_not_wait() {
        let (store, publisher) = setup().await;
        let ses = ScriptedMailer::failing_with(SendError::NotSent(down()));
        let mailer = mailer(&store, &publisher, &ses);
        let failure = mailer.mail(&notice(), TTL).await.expect_err("throttled");
        assert!(failure.is_transient());
        assert_eq!(record(&store).state, MailState::Released);
        mailer.mail(&notice(), TTL).await.expect("the retry sends");
        assert_eq!(ses.sent(), 2, "one refused, one sent");
        assert_eq!(record(&store).attempt, 2);
    }

    #[tokio::test]
    async fn an_unknown_outcome_keeps_the_claim_until_it_expires() {
        let (store, publisher) = setup().await;
        let ses = ScriptedMailer::failing_with(SendError::Unknown(down()));
        let mailer = mailer(&store, &publisher, &ses);
        let failure = mailer.mail(&notice(), TTL).await.expect_err("unknown");
        assert_eq!(failure.code, "mail_outcome_unknown");
        assert_eq!(record(&store).state, MailState::Claimed);
        let retry = mailer
            .mail(&notice(), TTL)
            .await
            .expect_err("still claimed");
        assert_eq!(retry.code, "mail_in_progress");
        assert_eq!(ses.sent(), 1);
    }

    #[tokio::test]
    async fn a_pdf_that_differs_from_its_notice_is_not_sent_and_holds_no_claim() {
        let (store, publisher) = setup().await;
        let body = notice_with(serde_json::json!({
            "invoice_id": "INV-1", "revision": 1, "bucket": "memory",
            "key": "invoices/INV-1/r1.pdf", "size": PDF.len(), "sha256": "00", "pages": 1,
            "buyer_email": "ap@contoso.example"
        }));
        let ses = ScriptedMailer::default();
        let failure = mailer(&store, &publisher, &ses)
            .mail(&body, TTL)
            .await
            .expect_err("a mismatch");
        assert_eq!(failure.code, "pdf_mismatch");
        assert!(store.body(&record_key()).is_none());
        assert_eq!(ses.sent(), 0);
    }

    #[tokio::test]
    async fn notices_that_can_never_be_mailed_are_permanent_failures_or_skipped() {
        let (store, publisher) = setup().await;
        let ses = ScriptedMailer::default();
        let mailer = mailer(&store, &publisher, &ses);
        let base = serde_json::json!({
            "invoice_id": "INV-1", "revision": 1, "bucket": "memory",
            "key": "invoices/INV-1/r1.pdf", "size": PDF.len(),
            "sha256": hex(&Sha256::digest(PDF)), "pages": 1
        });
        let mut no_email = base.clone();
        no_email["buyer_email"] = serde_json::json!("  ");
        assert!(matches!(
            mailer.mail(&notice_with(no_email), TTL).await,
            Ok(Mailed::NoRecipient { .. })
        ));
        let mut bad_email = base.clone();
        bad_email["buyer_email"] = serde_json::json!("ap@contoso.example\r\nBcc: x@y.z");
        let failure = mailer
            .mail(&notice_with(bad_email), TTL)
            .await
            .expect_err("bad address");
        assert_eq!(
            (failure.code.as_str(), failure.is_transient()),
            ("invalid_recipient", false)
        );
        let mut elsewhere = base;
        elsewhere["buyer_email"] = serde_json::json!("ap@contoso.example");
        elsewhere["key"] = serde_json::json!("mail/secret.json");
        let failure = mailer
            .mail(&notice_with(elsewhere), TTL)
            .await
            .expect_err("not the invoice's PDF");
        assert_eq!(failure.code, "unexpected_pdf_location");
        let newer = notice().replace("invoice.pdf.ready.v1", "invoice.pdf.ready.v2");
        let failure = mailer
            .mail(&newer, TTL)
            .await
            .expect_err("an unknown major");
        assert_eq!(failure.code, "unsupported_event_version");
        let other = notice().replace("invoice.pdf.ready.v1", "invoice.paid.v1");
        assert!(matches!(
            mailer.mail(&other, TTL).await,
            Ok(Mailed::Ignored { event_type }) if event_type == "invoice.paid.v1"
        ));
        let failure = mailer.mail("{", TTL).await.expect_err("not JSON");
        assert_eq!(
            (failure.code.as_str(), failure.is_transient()),
            ("not_json", false)
        );
        assert_eq!(ses.sent(), 0);
    }

    #[tokio::test]
    async fn a_message_too_large_for_ses_links_the_pdf_instead() {
        let (store, publisher) = setup().await;
        let ses = ScriptedMailer::default();
        let mut mailer = mailer(&store, &publisher, &ses);
        mailer.settings.max_message_bytes = 1024;
        let mailed = mailer.mail(&notice(), TTL).await.expect("sent");
        assert!(matches!(
            mailed,
            Mailed::Sent {
                attached: false,
                ..
            }
        ));
        let sent = ses.sent.lock().expect("not poisoned")[0].clone();
        // Quoted-printable, as mail-builder chose for the long line of a real presigned URL.
        let text = String::from_utf8(sent.raw)
            .expect("ASCII")
            .replace("=\r\n", "")
            .replace("=3D", "=");
        assert!(
            text.contains("memory://invoices/INV-1/r1.pdf?expires=86400"),
            "{text}"
        );
        assert!(!text.contains("application/pdf"));
    }

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
    fn record_keys_stay_inside_mail() {
        assert_eq!(mail_record_key("abc-123"), "mail/abc-123.json");
        let odd = mail_record_key("../invoices/x");
        assert!(
            odd.starts_with("mail/sha256-") && !odd.contains(".."),
            "{odd}"
        );
    }

    #[test]
    fn the_size_estimate_covers_base64_and_line_breaks() {
        assert_eq!(encoded_message_len(0), MESSAGE_OVERHEAD_BYTES);
        // 57 bytes are one full 76-character line plus CRLF.
        assert_eq!(encoded_message_len(57), 76 + 2 + MESSAGE_OVERHEAD_BYTES);
    }
}
