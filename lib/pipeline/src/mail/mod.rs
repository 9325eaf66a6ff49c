//! The pdf-mailer's work for one `invoice.pdf.ready.v1` notice: e-mail the PDF to the buyer,
//! with its e-invoice XML when the notice names one (`xml_key`: XRechnung, Peppol), once per
//! notice, then announce `invoice.emailed.v1`.
//!
//! SNS delivers at least once, and a Lambda invocation can die anywhere (timeout, out of
//! memory, a lost host), after which Lambda invokes it again with the same notice. An e-mail
//! cannot be taken back, so the send is guarded by a record in the documents bucket,
//! `mail/{notice id}.json` ([`crate::store::mail_claim_key`]), written only with S3's
//! conditional writes ([`claim`]). The message itself (addresses, MIME) is [`message`]'s.
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
//! 2. **Prepare** the message (fetch the PDF and the XML, check their SHA-256 against the
//!    notice, build the MIME message) *before* claiming, so that a missing PDF or a slow read holds no claim.
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
//! Time is read from a [`Clock`] (the system's, unless [`PdfMailer::with_clock`] gives
//! another), so that a claim's expiry can be tested without waiting for it.
//!
//! This module must never send without holding a claim, and never write the record without a
//! condition.

pub mod claim;
pub mod message;

use crate::digest::sha256_hex;
use crate::failure::RecordFailure;
use crate::ports::{
    Clock, DocumentStore, EventPublisher, Mailer, OutgoingMail, SendError, SystemClock,
};
use crate::store::{pdf_key, xml_key};
use claim::{Claim, Found};
use message::{Body, encoded_message_len};
use paperflow_events::{CloudEvent, DecodeError, EventType, PdfReady, TypeError};
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tracing::Instrument;

pub use claim::{MailRecord, MailState};
pub use message::{Sender, check_address};
pub use paperflow_events::Emailed;

/// The `source` of every event the pdf-mailer emits.
pub const SOURCE: &str = "paperflow/pdf-mailer";

/// SES v2's limit on one message, attachments included once encoded: 40 MB. A PDF (and its
/// XML) whose message would be larger is sent as presigned links instead.
pub const SES_MAX_MESSAGE_BYTES: u64 = 40_000_000;

/// How long the presigned link of a PDF too large to attach stays valid. Short, as DESIGN.md
/// asks of every URL that leaves the system; note that a URL signed with temporary
/// credentials (a Lambda role's) stops working when those credentials expire, which may be
/// sooner.
pub const LINK_EXPIRY: Duration = Duration::from_secs(24 * 60 * 60);

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
    clock: Arc<dyn Clock>,
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
            clock: Arc::new(SystemClock),
        }
    }

    /// The same mailer reading the time from `clock`: when claims expire, when a message was
    /// sent.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
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
        let expected_xml = xml_key(id, revision);
        match (&data.xml_key, &data.xml_sha256) {
            (None, None) => {}
            (Some(key), Some(_)) if *key == expected_xml => {}
            (key, sha256) => {
                return Err(RecordFailure::permanent(
                    "unexpected_xml_location",
                    format!(
                        "the notice names the XML {key:?} with sha256 {sha256:?}, but the XML of \
                         {id} r{revision} is s3://{}/{expected_xml} and needs both",
                        self.store.bucket()
                    ),
                )
                .about(id, revision));
            }
        }
        let span = tracing::info_span!(
            "notice",
            correlation_id = notice.correlation_id(),
            invoice_id = id,
            revision,
            notice_id = notice.id.as_str()
        );
        // Boxed: the claim protocol over the SDK's calls nests futures deeper than rustc's
        // layout depth limit allows in a Lambda's `main`; one allocation per notice.
        Box::pin(self.deliver(&notice, recipient, claim_ttl))
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
        let record = Claim::of(&self.store, &notice.id);
        // 1. Read.
        let (expected, attempt) = match record.find(self.clock.now()).await? {
            Found::Free { expected, attempt } => (expected, attempt),
            Found::Sent(sent) => {
                let emailed = self.emailed(notice, &sent)?;
                self.publish(&emailed).await?;
                tracing::info!("already e-mailed: announced again");
                return Ok(Mailed::AlreadySent { notice: emailed });
            }
            Found::Held(held) => {
                return Err(RecordFailure::transient(
                    "mail_in_progress",
                    format!(
                        "attempt {} holds the claim on {} until {}: retry later",
                        held.attempt,
                        crate::store::mail_claim_key(&notice.id),
                        held.claimed_until
                    ),
                ));
            }
        };

        // 2. Prepare, before claiming.
        let (mail, attached) = self.compose(notice, recipient).await?;

        // 3. Claim.
        let claim = MailRecord {
            notice_id: notice.id.clone(),
            invoice_id: notice.data.invoice_id.clone(),
            revision: notice.data.revision,
            recipient: recipient.to_owned(),
            state: MailState::Claimed,
            attempt,
            token: paperflow_events::new_event_id(),
            claimed_until: paperflow_events::now_rfc3339(self.clock.now() + claim_ttl),
            message_id: None,
            sent_at: None,
            attached: None,
        };
        let claim_version = record.take(&claim, expected.as_deref()).await?;

        // 4. Send.
        let message_id = match self.mailer.send(&mail).await {
            Ok(message_id) => message_id,
            Err(SendError::NotSent(error)) => {
                record.release(&claim, &claim_version).await;
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
        let sent = MailRecord {
            state: MailState::Sent,
            message_id: Some(message_id),
            sent_at: Some(paperflow_events::now_rfc3339(self.clock.now())),
            attached: Some(attached),
            ..claim
        };
        let claim_lost = record.mark_sent(&sent, &claim_version).await?;

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

    /// The message: the PDF and its XML attached when the whole message fits the provider's
    /// limit, otherwise presigned links to both.
    async fn compose(
        &self,
        notice: &CloudEvent<PdfReady>,
        recipient: &str,
    ) -> Result<(OutgoingMail, bool), RecordFailure> {
        let data = &notice.data;
        // The XML is small beside its PDF, and its size is not in the notice: read it first.
        let xml = match (&data.xml_key, &data.xml_sha256) {
            (Some(key), Some(sha256)) => Some(self.fetch(notice, "xml", key, sha256).await?),
            _ => None,
        };
        let mut sizes = vec![data.size];
        sizes.extend(xml.as_ref().map(|xml| xml.len() as u64));
        if encoded_message_len(&sizes) <= self.settings.max_message_bytes {
            let pdf = self.fetch(notice, "pdf", &data.key, &data.sha256).await?;
            let body = Body::Attached {
                pdf: &pdf,
                xml: xml.as_deref(),
            };
            let raw = self.message(notice, recipient, body)?;
            if raw.len() as u64 <= self.settings.max_message_bytes {
                return Ok((self.outgoing(recipient, raw), true));
            }
        }
        let expiry = self.settings.link_expiry;
        let pdf_link = self.store.presign_get(&data.key, expiry).await?;
        let xml_link = match &data.xml_key {
            Some(key) => Some(self.store.presign_get(key, expiry).await?),
            None => None,
        };
        let body = Body::Linked {
            pdf: &pdf_link,
            xml: xml_link.as_deref(),
        };
        let raw = self.message(notice, recipient, body)?;
        Ok((self.outgoing(recipient, raw), false))
    }

    /// The bytes stored under `key` (the notice's `what`: `pdf` or `xml`), checked against the
    /// notice's `sha256`.
    async fn fetch(
        &self,
        notice: &CloudEvent<PdfReady>,
        what: &str,
        key: &str,
        sha256: &str,
    ) -> Result<Vec<u8>, RecordFailure> {
        let (bytes, _) = self.store.get(key).await?.ok_or_else(|| {
            // The notice says it is there: the store and the notice disagree, which an
            // operator must look at; failing keeps the notice for the on-failure destination.
            RecordFailure::transient(
                format!("{what}_missing"),
                format!("{key} named by notice {} is not stored", notice.id),
            )
        })?;
        let stored = sha256_hex(&bytes);
        if stored != sha256 {
            return Err(RecordFailure::transient(
                format!("{what}_mismatch"),
                format!("{key} has SHA-256 {stored}, the notice says {sha256}"),
            ));
        }
        Ok(bytes)
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
        message::build(
            notice,
            &self.settings.from,
            recipient,
            body,
            self.settings.link_expiry,
        )
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
            .unwrap_or_else(|| self.clock.now());
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

#[cfg(test)]
mod tests {
    //! The protocol's rules, against the ports in memory. The real thing (S3's conditional
    //! writes, SES, SNS) is tested against moto in `tests/mailer.rs`.

    use super::*;
    use crate::DependencyError;
    use crate::memory::{MemoryPublisher, MemoryStore};
    use crate::ports::NewObject;
    use crate::store::mail_claim_key;
    use crate::store::records::Records;
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

    fn now() -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
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
            "sha256": sha256_hex(PDF), "pages": 1,
            "buyer_email": "ap@contoso.example"
        }))
    }

    fn record_key() -> String {
        mail_claim_key("0193a5b0-0000-7000-8000-000000000001")
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
        Records::new(store)
            .create(&record_key(), record)
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
    async fn a_claim_left_behind_expires_by_the_mailer_s_clock() {
        let (store, publisher) = setup().await;
        let ses = ScriptedMailer::failing_with(SendError::Unknown(down()));
        let clock =
            crate::memory::ManualClock::starting_at(time::macros::datetime!(2026-11-26 14:05 UTC));
        let mailer = mailer(&store, &publisher, &ses).with_clock(Arc::new(clock.clone()));
        mailer.mail(&notice(), TTL).await.expect_err("unknown");
        clock.advance(TTL - Duration::from_secs(1));
        let held = mailer.mail(&notice(), TTL).await.expect_err("still held");
        assert_eq!(held.code, "mail_in_progress");
        clock.advance(Duration::from_secs(1));
        mailer
            .mail(&notice(), TTL)
            .await
            .expect("taken over and sent");
        let record = record(&store);
        assert_eq!((record.state, record.attempt), (MailState::Sent, 2));
        let sent_at = OffsetDateTime::parse(record.sent_at.as_deref().expect("sent"), &Rfc3339);
        assert_eq!(
            sent_at.expect("RFC 3339"),
            clock.now(),
            "the time of the clock"
        );
        assert_eq!(ses.sent(), 2);
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
            "sha256": sha256_hex(PDF), "pages": 1
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

    const XML: &[u8] = b"<?xml version=\"1.0\"?><rsm:CrossIndustryInvoice/>";

    /// A ready notice of `INV-1` r1 whose XRechnung XML is stored beside the PDF.
    async fn notice_with_xml(store: &MemoryStore) -> String {
        store
            .put_new(NewObject {
                key: xml_key("INV-1", 1),
                body: XML.to_vec(),
                content_type: "application/xml".into(),
                metadata: BTreeMap::new(),
            })
            .await
            .expect("stored");
        notice_with(serde_json::json!({
            "invoice_id": "INV-1", "revision": 1, "bucket": "memory",
            "key": "invoices/INV-1/r1.pdf", "size": PDF.len(),
            "sha256": sha256_hex(PDF), "pages": 1,
            "buyer_email": "ap@contoso.example", "einvoice": "xrechnung",
            "xml_key": "invoices/INV-1/r1.xml", "xml_sha256": sha256_hex(XML)
        }))
    }

    fn sent_text(ses: &ScriptedMailer) -> String {
        let sent = ses.sent.lock().expect("not poisoned")[0].clone();
        String::from_utf8(sent.raw)
            .expect("ASCII")
            .replace("=\r\n", "")
            .replace("=3D", "=")
    }

    #[tokio::test]
    async fn a_notice_with_an_xml_sends_it_beside_the_pdf() {
        let (store, publisher) = setup().await;
        let body = notice_with_xml(&store).await;
        let ses = ScriptedMailer::default();
        let mailed = mailer(&store, &publisher, &ses)
            .mail(&body, TTL)
            .await
            .expect("sent");
        assert!(matches!(mailed, Mailed::Sent { attached: true, .. }));
        let text = sent_text(&ses);
        assert!(text.contains("application/xml"), "{text}");
        assert!(text.contains("INV-1.xml"), "{text}");
        assert!(text.contains("INV-1.pdf"), "{text}");
    }

    #[tokio::test]
    async fn too_large_a_pdf_and_xml_are_both_linked() {
        let (store, publisher) = setup().await;
        let body = notice_with_xml(&store).await;
        let ses = ScriptedMailer::default();
        let mut mailer = mailer(&store, &publisher, &ses);
        mailer.settings.max_message_bytes = 1024;
        mailer.mail(&body, TTL).await.expect("sent");
        let text = sent_text(&ses);
        assert!(
            text.contains("memory://invoices/INV-1/r1.pdf?expires=86400"),
            "{text}"
        );
        assert!(
            text.contains("memory://invoices/INV-1/r1.xml?expires=86400"),
            "{text}"
        );
        assert!(!text.contains("application/xml") && !text.contains("application/pdf"));
    }

    #[tokio::test]
    async fn an_xml_that_differs_from_its_notice_sends_nothing_and_holds_no_claim() {
        let (store, publisher) = setup().await;
        let body = notice_with_xml(&store)
            .await
            .replace(&sha256_hex(XML), &sha256_hex(b"other"));
        let ses = ScriptedMailer::default();
        let failure = mailer(&store, &publisher, &ses)
            .mail(&body, TTL)
            .await
            .expect_err("a mismatch");
        assert_eq!(
            (failure.code.as_str(), failure.is_transient()),
            ("xml_mismatch", true)
        );
        assert!(store.body(&record_key()).is_none());
        assert_eq!(ses.sent(), 0);
    }

    #[tokio::test]
    async fn an_xml_outside_its_invoice_s_place_is_a_permanent_failure() {
        let (store, publisher) = setup().await;
        let body = notice_with_xml(&store)
            .await
            .replace("invoices/INV-1/r1.xml", "mail/secret.json");
        let ses = ScriptedMailer::default();
        let failure = mailer(&store, &publisher, &ses)
            .mail(&body, TTL)
            .await
            .expect_err("elsewhere");
        assert_eq!(
            (failure.code.as_str(), failure.is_transient()),
            ("unexpected_xml_location", false)
        );
        assert_eq!(ses.sent(), 0);
    }
}
