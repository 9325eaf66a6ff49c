//! The event archive: every message of every topic, kept as JSON lines in the archive bucket,
//! and read back as the story of one flow (`paperflow trace`).
//!
//! # Layout
//!
//! One object per message, `events/date=YYYY-MM-DD/type=<event type>/<message id>.jsonl`
//! ([`crate::store::archive_key`]), holding one [`ArchivedLine`]: when the archive queue received the
//! message, its SQS message id, and the event (the CloudEvent as it was published, every
//! attribute kept) or, for a message that is no event this version understands, the raw body
//! under `type=unparseable` with the reason. The archive is where lost things are looked for,
//! so nothing is dropped.
//!
//! - The key comes from the SQS message id, and the date from the queue's `SentTimestamp`:
//!   both are the same on every delivery, so a redelivered batch finds its objects already
//!   written (create-only puts) instead of adding duplicates.
//! - `date=` and `type=` are Hive-style partitions: Athena or S3 Select can query the bucket
//!   as a table, and a lifecycle rule can expire old dates.
//!
//! [`EventArchiver`] writes; [`trace`] reads a flow back out of archived lines. Neither does
//! anything but JSON and keys: listing and reading the bucket is the adapter's job.

use crate::failure::RecordFailure;
use crate::ports::{DocumentStore, PutOutcome};
use crate::store::archive_key;
use crate::store::layout::{EVENTS, hashed_token};
use crate::store::records::Records;
use paperflow_events::{CloudEvent, EventType};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashSet;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Where the archive's objects start.
pub const ARCHIVE_PREFIX: &str = EVENTS;

/// The `type=` partition of messages that are no event this version understands.
pub const UNPARSEABLE: &str = "unparseable";

/// One archived message: one line of an archive object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArchivedLine {
    /// When the archive queue received the message (RFC 3339).
    pub received: String,
    /// The SQS message id (or `sha256-<body hash>` when the record had none).
    pub message_id: String,
    /// The event as published: the CloudEvent's JSON with every attribute, unwrapped from
    /// SNS's notification when it came wrapped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<Value>,
    /// The raw body, when it is no event this version understands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    /// Why the body is no event (a decode error's code and sentence), when it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ArchiveError>,
}

/// Why a message was archived as unparseable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveError {
    /// The decode error's stable code, e.g. `not_json`.
    pub code: String,
    /// Its sentence.
    pub message: String,
}

/// What became of one archived message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Archived {
    /// Where it is.
    pub key: String,
    /// Whether an earlier delivery had archived it already.
    pub duplicate: bool,
    /// Whether it is an event (otherwise archived as unparseable).
    pub parsed: bool,
}

/// Writes messages to the archive.
pub struct EventArchiver<S> {
    store: S,
}

impl<S: DocumentStore> EventArchiver<S> {
    /// An archiver writing to `store`, the archive bucket.
    pub fn new(store: S) -> Self {
        EventArchiver { store }
    }

    /// Archives one message body (raw or SNS-wrapped), received by the queue at `received`.
    ///
    /// # Errors
    ///
    /// Only transient ones: the store failed. A body that is no event is archived, not
    /// refused.
    pub async fn archive(
        &self,
        message_id: Option<&str>,
        body: &str,
        received: OffsetDateTime,
    ) -> Result<Archived, RecordFailure> {
        let message_id = match message_id {
            Some(id) if !id.is_empty() => id.to_owned(),
            // Without an id the body is the identity: a redelivery maps to the same key.
            _ => hashed_token(body.as_bytes()),
        };
        let received_text = paperflow_events::now_rfc3339(received);
        let (event_type, line) = match paperflow_events::decode_body(body) {
            Ok(event) => (
                event.event_type.clone(),
                ArchivedLine {
                    received: received_text,
                    message_id: message_id.clone(),
                    event: Some(
                        published_event(body)
                            .unwrap_or_else(|| serde_json::to_value(&event).unwrap_or(Value::Null)),
                    ),
                    raw: None,
                    error: None,
                },
            ),
            Err(error) => (
                UNPARSEABLE.to_owned(),
                ArchivedLine {
                    received: received_text,
                    message_id: message_id.clone(),
                    event: None,
                    raw: Some(body.to_owned()),
                    error: Some(ArchiveError {
                        code: error.code().to_owned(),
                        message: error.to_string(),
                    }),
                },
            ),
        };
        let key = archive_key(received, &event_type, &message_id);
        let outcome = Records::new(&self.store).create_line(&key, &line).await?;
        Ok(Archived {
            key,
            duplicate: outcome == PutOutcome::AlreadyExists,
            parsed: line.event.is_some(),
        })
    }
}

/// The event object of a body that decoded: the body itself, or the `Message` of SNS's
/// notification wrapper. Kept as JSON so that attributes paperflow does not model survive.
fn published_event(body: &str) -> Option<Value> {
    paperflow_events::event_json(body).ok()
}

/// The archived lines of one archive object; lines that are not archive lines are counted
/// in the second value, not fatal: one damaged object must not hide the rest of a flow.
pub fn parse_archive_object(bytes: &[u8]) -> (Vec<ArchivedLine>, usize) {
    let mut lines = Vec::new();
    let mut damaged = 0;
    for line in bytes.split(|byte| *byte == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice(line) {
            Ok(archived) => lines.push(archived),
            Err(_) => damaged += 1,
        }
    }
    (lines, damaged)
}

/// One event of a traced flow, as `paperflow trace` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraceEntry {
    /// The event's `time` (for an unparseable message: when it was received).
    pub time: String,
    /// The emitting component.
    pub source: String,
    /// The event type, or `unparseable`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The invoice id.
    pub subject: String,
    /// The event id.
    pub id: String,
    /// The flow's correlation id.
    pub correlationid: String,
    /// The id of the event that caused this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub causationid: Option<String>,
    /// What happened, in a few words: `finalized r1`, `pdf ready …`, `failed: invalid_invoice`.
    pub outcome: String,
    /// For failures, why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When the archive received it.
    pub received: String,
}

/// The events of the flow `query` names, a correlation id or an invoice id (subject, or
/// `data.invoice_id`), each once (deduplicated by source and id, as consumers do), in time
/// order. Unparseable messages are included when what can be read of them matches.
pub fn trace(lines: impl IntoIterator<Item = ArchivedLine>, query: &str) -> Vec<TraceEntry> {
    let mut seen = HashSet::new();
    let mut entries: Vec<(Option<OffsetDateTime>, TraceEntry)> = Vec::new();
    let mut lines: Vec<ArchivedLine> = lines.into_iter().collect();
    // The first delivery wins when the same event was archived twice.
    lines.sort_by(|a, b| a.received.cmp(&b.received));
    for line in lines {
        let Some(entry) = entry_of(&line) else {
            continue;
        };
        let invoice_id = line
            .event
            .as_ref()
            .and_then(|event| event.pointer("/data/invoice_id"))
            .and_then(Value::as_str);
        let matches =
            entry.correlationid == query || entry.subject == query || invoice_id == Some(query);
        if !matches || !seen.insert((entry.source.clone(), entry.id.clone())) {
            continue;
        }
        let at = OffsetDateTime::parse(&entry.time, &Rfc3339).ok();
        entries.push((at, entry));
    }
    entries.sort_by(|(a_at, a), (b_at, b)| {
        a_at.cmp(b_at)
            .then_with(|| a.received.cmp(&b.received))
            .then_with(|| stage(&a.event_type).cmp(&stage(&b.event_type)))
    });
    entries.into_iter().map(|(_, entry)| entry).collect()
}

/// Causal order of the types, to break ties of equal times.
fn stage(event_type: &str) -> usize {
    EventType::ALL
        .iter()
        .position(|kind| kind.as_str() == event_type)
        .unwrap_or(EventType::ALL.len())
}

fn entry_of(line: &ArchivedLine) -> Option<TraceEntry> {
    if let Some(event) = &line.event {
        let event: CloudEvent<Value> = serde_json::from_value(event.clone()).ok()?;
        let (outcome, reason) = outcome(&event);
        return Some(TraceEntry {
            time: event.time.clone(),
            source: event.source.clone(),
            event_type: event.event_type.clone(),
            subject: event.subject.clone().unwrap_or_default(),
            correlationid: event.correlation_id().to_owned(),
            causationid: event.causationid.clone(),
            id: event.id,
            outcome,
            reason,
            received: line.received.clone(),
        });
    }
    // Unparseable: whatever the raw body still says about itself.
    let hints = line
        .raw
        .as_deref()
        .and_then(published_event)
        .unwrap_or(Value::Null);
    let text = |name: &str| {
        hints
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let error = line.error.clone().unwrap_or(ArchiveError {
        code: "unknown".into(),
        message: String::new(),
    });
    Some(TraceEntry {
        time: line.received.clone(),
        source: text("source"),
        event_type: UNPARSEABLE.to_owned(),
        subject: text("subject"),
        id: match text("id") {
            id if id.is_empty() => line.message_id.clone(),
            id => id,
        },
        correlationid: text("correlationid"),
        causationid: None,
        outcome: format!("unparseable: {}", error.code),
        reason: Some(error.message),
        received: line.received.clone(),
    })
}

/// The few words of the outcome column, and the reason of a failure.
fn outcome(event: &CloudEvent<Value>) -> (String, Option<String>) {
    let data = &event.data;
    let text = |name: &str| data.get(name).and_then(Value::as_str).unwrap_or("?");
    let number = |name: &str| data.get(name).and_then(Value::as_u64).unwrap_or(0);
    match event.kind() {
        Ok(EventType::InvoiceFinalized) => (
            format!(
                "finalized r{}",
                data.get("revision").and_then(Value::as_u64).unwrap_or(1)
            ),
            None,
        ),
        Ok(EventType::PdfReady) => (
            format!(
                "pdf ready r{}: {} ({} bytes, {} page{})",
                number("revision"),
                text("key"),
                number("size"),
                number("pages"),
                if number("pages") == 1 { "" } else { "s" }
            ),
            None,
        ),
        Ok(EventType::PdfFailed) => (
            format!("failed: {}", text("code")),
            Some(text("message").to_owned()),
        ),
        Ok(EventType::Emailed) => (format!("emailed to {}", text("recipient")), None),
        Err(_) => (event.event_type.clone(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::MemoryStore;
    use serde_json::json;
    use time::macros::datetime;

    fn event(id: &str, source: &str, kind: &str, time: &str, data: Value) -> String {
        json!({
            "specversion": "1.0", "id": id, "source": source, "type": kind,
            "subject": "INV-1", "time": time, "correlationid": "corr-1", "data": data
        })
        .to_string()
    }

    fn lines_of(store: &MemoryStore) -> Vec<ArchivedLine> {
        store
            .keys()
            .iter()
            .flat_map(|key| parse_archive_object(&store.body(key).expect("a body")).0)
            .collect()
    }

    #[test]
    fn keys_are_partitioned_by_day_and_type_and_stay_inside_them() {
        let at = datetime!(2026-11-26 23:59:59.999 UTC);
        assert_eq!(
            archive_key(at, "invoice.pdf.ready.v1", "5f1c0a3e-aaaa"),
            "events/date=2026-11-26/type=invoice.pdf.ready.v1/5f1c0a3e-aaaa.jsonl"
        );
        let odd = archive_key(at, UNPARSEABLE, "../../x");
        assert!(
            odd.starts_with("events/date=2026-11-26/type=unparseable/sha256-"),
            "{odd}"
        );
    }

    #[tokio::test]
    async fn an_event_is_kept_whole_and_once_and_anything_else_as_its_raw_body() {
        let store = MemoryStore::new();
        let archiver = EventArchiver::new(store.clone());
        let at = datetime!(2026-11-26 14:05:42.5 UTC);
        let body = event(
            "e1",
            "erp/billing",
            "invoice.finalized.v1",
            "2026-11-26T14:05:41.123Z",
            json!({ "invoice_id": "INV-1" }),
        )
        .replace("\"data\"", "\"traceparent\":\"00-abc\",\"data\"");
        let first = archiver.archive(Some("m1"), &body, at).await.expect("kept");
        let again = archiver.archive(Some("m1"), &body, at).await.expect("kept");
        assert!(!first.duplicate && again.duplicate && first.parsed);
        let junk = archiver.archive(None, "junk", at).await.expect("kept");
        assert!(!junk.parsed && junk.key.contains("/type=unparseable/sha256-"));
        assert_eq!(store.keys().len(), 2);
        let lines = lines_of(&store);
        let kept = lines
            .iter()
            .find(|line| line.event.is_some())
            .expect("the event");
        assert_eq!(kept.event.as_ref().expect("event")["traceparent"], "00-abc");
        assert_eq!(kept.received, "2026-11-26T14:05:42.500Z");
        let raw = lines
            .iter()
            .find(|line| line.raw.is_some())
            .expect("the junk");
        assert_eq!(raw.raw.as_deref(), Some("junk"));
        assert_eq!(
            raw.error.as_ref().map(|error| error.code.as_str()),
            Some("not_json")
        );
    }

    #[tokio::test]
    async fn a_trace_is_the_flow_once_in_time_order_with_its_failures_reasons() {
        let store = MemoryStore::new();
        let archiver = EventArchiver::new(store.clone());
        let at = datetime!(2026-11-26 14:06:00 UTC);
        let ready = event(
            "r1",
            "paperflow/pdf-generator",
            "invoice.pdf.ready.v1",
            "2026-11-26T14:05:42.000Z",
            json!({ "invoice_id": "INV-1", "revision": 1, "key": "invoices/INV-1/r1.pdf",
                    "size": 10, "pages": 1 }),
        );
        let finalized = event(
            "f1",
            "erp/billing",
            "invoice.finalized.v1",
            "2026-11-26T14:05:41.000Z",
            json!({ "invoice_id": "INV-1", "revision": 1 }),
        );
        let failed = event(
            "x1",
            "paperflow/pdf-generator",
            "invoice.pdf.failed.v1",
            "2026-11-26T14:05:43.000Z",
            json!({ "invoice_id": "INV-1", "code": "invalid_invoice",
                    "message": "/currency: unknown", "input": null }),
        );
        let other = event(
            "o1",
            "erp/billing",
            "invoice.finalized.v1",
            "2026-11-26T14:00:00.000Z",
            json!({ "invoice_id": "INV-2" }),
        )
        .replace("corr-1", "corr-2")
        .replace("\"subject\":\"INV-1\"", "\"subject\":\"INV-2\"");
        let newer = event(
            "n1",
            "erp/billing",
            "invoice.finalized.v9",
            "2026-11-26T14:05:44.000Z",
            json!({}),
        );
        // The ready notice arrives twice, under two message ids (SNS delivered twice).
        for (message_id, body) in [
            ("m1", &ready),
            ("m2", &finalized),
            ("m3", &ready),
            ("m4", &failed),
            ("m5", &other),
            ("m6", &newer),
        ] {
            archiver
                .archive(Some(message_id), body, at)
                .await
                .expect("kept");
        }
        let entries = trace(lines_of(&store), "corr-1");
        let summary: Vec<(&str, &str)> = entries
            .iter()
            .map(|entry| (entry.event_type.as_str(), entry.outcome.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                ("invoice.finalized.v1", "finalized r1"),
                (
                    "invoice.pdf.ready.v1",
                    "pdf ready r1: invoices/INV-1/r1.pdf (10 bytes, 1 page)"
                ),
                ("invoice.pdf.failed.v1", "failed: invalid_invoice"),
                ("unparseable", "unparseable: unsupported_event_version"),
            ]
        );
        assert_eq!(entries[2].reason.as_deref(), Some("/currency: unknown"));
        assert_eq!(
            trace(lines_of(&store), "INV-1").len(),
            4,
            "by invoice id too"
        );
        assert_eq!(trace(lines_of(&store), "INV-2").len(), 1);
        assert!(trace(lines_of(&store), "nobody").is_empty());
    }

    #[tokio::test]
    async fn a_bucket_that_refuses_for_good_is_a_misconfiguration_and_one_that_is_down_transient() {
        let store = MemoryStore::new();
        let archiver = EventArchiver::new(store.clone());
        let at = datetime!(2026-11-26 14:05:42 UTC);
        for (retryable, kind, code) in [
            (false, crate::FailureKind::Misconfigured, "s3_misconfigured"),
            (true, crate::FailureKind::Transient, "s3_unavailable"),
        ] {
            store.fail_with(Some(crate::DependencyError {
                service: "s3",
                retryable,
                message: "HTTP 404 NoSuchBucket".into(),
            }));
            let failure = archiver
                .archive(Some("m1"), "junk", at)
                .await
                .expect_err("the bucket refuses");
            assert_eq!((failure.kind, failure.code.as_str()), (kind, code));
        }
    }

    #[test]
    fn a_damaged_line_is_counted_not_fatal() {
        let good = json!({ "received": "2026-11-26T00:00:00.000Z", "message_id": "m",
                           "raw": "x" });
        let bytes = format!("{good}\nnot json\n\n{good}\n");
        let (lines, damaged) = parse_archive_object(bytes.as_bytes());
        assert_eq!((lines.len(), damaged), (2, 1));
    }
}
