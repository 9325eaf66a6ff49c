//! The event archive: every message of every topic, kept as JSON lines in the archive bucket,
//! and read back as the story of one flow (`paperflow trace`).
//!
//! # Layout
//!
//! One object per partition of an SQS batch: the batch's messages are split by the day the
//! archive queue received them and their event type, and each part is one JSON-lines object,
//! `events/date=YYYY-MM-DD/type=<event type>/<name>.jsonl` ([`crate::store::archive_batch_key`]).
//! A part of one message is named by its SQS message id (the layout of the archive's first
//! version, one object per message, which readers still find); a part of several by
//! `batch-<SHA-256 of their sorted message ids>`. Each line is one [`ArchivedLine`]: when the
//! archive queue received the message, its SQS message id, and the event (the CloudEvent as it
//! was published, every attribute kept) or, for a message that is no event this version
//! understands, the raw body under `type=unparseable` with the reason. The archive is where
//! lost things are looked for, so nothing is dropped.
//!
//! - `date=` and `type=` are Hive-style partitions: Athena or S3 Select can query the bucket
//!   as a table, and a lifecycle rule can expire old dates.
//! - One object per batch part instead of one per message: S3 PUTs were the largest item of
//!   the bill (`docs/CAPACITY.md`), and a batch of ten events of two or three types now costs
//!   two or three PUTs instead of ten.
//!
//! # Every event once
//!
//! The name comes from the messages' ids and the date from the queue's `SentTimestamp`, both
//! the same on every delivery, and the put is create-only: a batch delivered again as it was
//! (the function's answer was lost, or it timed out) finds its objects written and adds
//! nothing. A part whose put failed is delivered again, record by record, by the batch
//! mechanism, and nothing of it was written, so a new batch holding its messages (SQS puts
//! batches together anew) writes them once. One case writes a message twice: a put that
//! succeeded but whose answer was lost, its messages then coming back in a batch put together
//! differently. So the archive holds every message at least once, and a reader counts each
//! message once: [`trace`] keeps one line per event (by source and id, which a copy of the same
//! message shares), and a query by SQL keeps one row per `message_id`.
//!
//! [`EventArchiver`] writes; [`trace`] reads a flow back out of archived lines. Neither does
//! anything but JSON and keys: listing and reading the bucket is the adapter's job.

use crate::failure::RecordFailure;
use crate::ports::{DocumentStore, PutOutcome};
use crate::store::archive_batch_key;
use crate::store::layout::{EVENTS, hashed_token};
use crate::store::records::Records;
use paperflow_events::{CloudEvent, EventType};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

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

/// One message of a batch to archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message<'a> {
    /// The SQS message id, when SQS gave one.
    pub message_id: Option<&'a str>,
    /// The body, raw or SNS-wrapped.
    pub body: &'a str,
    /// When the archive queue received it (its `SentTimestamp`: the same on every delivery).
    pub received: OffsetDateTime,
}

impl Message<'_> {
    /// The message's identity in the archive ([`archive_id`]).
    pub fn archive_id(&self) -> String {
        archive_id(self.message_id, self.body)
    }

    /// Its partition (the day the queue received it, and its event type or
    /// [`UNPARSEABLE`]) and its line.
    fn archived(&self) -> ((Date, String), ArchivedLine) {
        let received = paperflow_events::now_rfc3339(self.received);
        let message_id = self.archive_id();
        let (event_type, line) = match paperflow_events::decode_body(self.body) {
            Ok(event) => (
                event.event_type.clone(),
                ArchivedLine {
                    received,
                    message_id,
                    event: Some(
                        published_event(self.body)
                            .unwrap_or_else(|| serde_json::to_value(&event).unwrap_or(Value::Null)),
                    ),
                    raw: None,
                    error: None,
                },
            ),
            Err(error) => (
                UNPARSEABLE.to_owned(),
                ArchivedLine {
                    received,
                    message_id,
                    event: None,
                    raw: Some(self.body.to_owned()),
                    error: Some(ArchiveError {
                        code: error.code().to_owned(),
                        message: error.to_string(),
                    }),
                },
            ),
        };
        ((self.received.date(), event_type), line)
    }
}

/// A message's identity in the archive: its SQS message id, or without one the hash of its
/// body, so that a redelivery maps to the same line and the same key.
pub fn archive_id(message_id: Option<&str>, body: &str) -> String {
    match message_id {
        Some(id) if !id.is_empty() => id.to_owned(),
        _ => hashed_token(body.as_bytes()),
    }
}

/// What became of one archived message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Archived {
    /// The object it is in.
    pub key: String,
    /// Whether an earlier delivery of the same messages had written that object already.
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

    /// Archives a batch of messages, one object per partition (see the module's layout), and
    /// answers for each message, in the order given, where it is or why it is not.
    ///
    /// A body that is no event is archived, not refused: the only failures are the store's
    /// (transient, or a misconfiguration when the bucket refuses for good), and they are the
    /// failures of every message of that object.
    pub async fn archive_batch(
        &self,
        messages: &[Message<'_>],
    ) -> Vec<Result<Archived, RecordFailure>> {
        let mut parts: BTreeMap<(Date, String), Vec<(usize, ArchivedLine)>> = BTreeMap::new();
        for (index, message) in messages.iter().enumerate() {
            let (partition, line) = message.archived();
            parts.entry(partition).or_default().push((index, line));
        }
        let mut outcomes = vec![None; messages.len()];
        for ((date, event_type), members) in parts {
            let lines: Vec<&ArchivedLine> = members.iter().map(|(_, line)| line).collect();
            let written = self.write_part(date, &event_type, lines).await;
            for (index, line) in &members {
                outcomes[*index] = Some(written.clone().map(|(key, duplicate)| Archived {
                    key,
                    duplicate,
                    parsed: line.event.is_some(),
                }));
            }
        }
        outcomes.into_iter().flatten().collect()
    }

    /// Writes one part's lines (in the order received, each message once) under the key its
    /// messages name; answers the key and whether an earlier delivery had written it.
    async fn write_part(
        &self,
        date: Date,
        event_type: &str,
        mut lines: Vec<&ArchivedLine>,
    ) -> Result<(String, bool), RecordFailure> {
        lines.sort_by(|a, b| {
            (a.received.as_str(), a.message_id.as_str())
                .cmp(&(b.received.as_str(), b.message_id.as_str()))
        });
        lines.dedup_by(|a, b| a.message_id == b.message_id);
        let ids: Vec<&str> = lines.iter().map(|line| line.message_id.as_str()).collect();
        let key = archive_batch_key(date, event_type, &ids);
        let outcome = Records::new(&self.store).create_lines(&key, &lines).await?;
        Ok((key, outcome == PutOutcome::AlreadyExists))
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
    use crate::store::archive_key;
    use serde_json::json;
    use time::macros::datetime;

    fn event(id: &str, source: &str, kind: &str, time: &str, data: Value) -> String {
        json!({
            "specversion": "1.0", "id": id, "source": source, "type": kind,
            "subject": "INV-1", "time": time, "correlationid": "corr-1", "data": data
        })
        .to_string()
    }

    /// Archives one batch of `(message id, body)` received at `at`.
    async fn archive(
        archiver: &EventArchiver<MemoryStore>,
        batch: &[(Option<&str>, &str)],
        at: OffsetDateTime,
    ) -> Vec<Result<Archived, RecordFailure>> {
        let messages: Vec<Message<'_>> = batch
            .iter()
            .map(|(message_id, body)| Message {
                message_id: *message_id,
                body,
                received: at,
            })
            .collect();
        archiver.archive_batch(&messages).await
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

    fn finalized(id: &str) -> String {
        event(
            id,
            "erp/billing",
            "invoice.finalized.v1",
            "2026-11-26T14:05:41.000Z",
            json!({ "invoice_id": "INV-1", "revision": 1 }),
        )
    }

    fn ready(id: &str) -> String {
        event(
            id,
            "paperflow/pdf-generator",
            "invoice.pdf.ready.v1",
            "2026-11-26T14:05:42.000Z",
            json!({ "invoice_id": "INV-1", "revision": 1 }),
        )
    }

    fn message_ids(lines: &[ArchivedLine]) -> Vec<&str> {
        lines.iter().map(|line| line.message_id.as_str()).collect()
    }

    #[tokio::test]
    async fn a_batch_is_one_object_per_day_and_type_its_lines_in_the_order_received() {
        let store = MemoryStore::new();
        let archiver = EventArchiver::new(store.clone());
        let (t0, t1) = (
            datetime!(2026-11-26 23:59:58 UTC),
            datetime!(2026-11-26 23:59:59 UTC),
        );
        let next_day = datetime!(2026-11-27 00:00:01 UTC);
        let bodies = [
            finalized("e1"),
            ready("e2"),
            finalized("e3"),
            finalized("e4"),
        ];
        let messages = [
            Message {
                message_id: Some("m1"),
                body: &bodies[0],
                received: t1,
            },
            Message {
                message_id: Some("m2"),
                body: &bodies[1],
                received: t1,
            },
            Message {
                message_id: Some("m3"),
                body: &bodies[2],
                received: t0,
            },
            Message {
                message_id: Some("m4"),
                body: &bodies[3],
                received: next_day,
            },
        ];
        let keys: Vec<String> = archiver
            .archive_batch(&messages)
            .await
            .into_iter()
            .map(|outcome| outcome.expect("kept").key)
            .collect();
        let together = archive_batch_key(t0.date(), "invoice.finalized.v1", &["m1", "m3"]);
        assert_eq!(
            keys,
            [
                together.clone(),
                archive_key(t1, "invoice.pdf.ready.v1", "m2"),
                together.clone(),
                archive_key(next_day, "invoice.finalized.v1", "m4"),
            ]
        );
        assert_eq!(store.keys().len(), 3, "{:?}", store.keys());
        let (lines, damaged) = parse_archive_object(&store.body(&together).expect("stored"));
        assert_eq!((message_ids(&lines), damaged), (vec!["m3", "m1"], 0));
    }

    #[tokio::test]
    async fn redelivered_or_recomposed_batches_leave_every_message_in_the_archive_once() {
        let store = MemoryStore::new();
        let archiver = EventArchiver::new(store.clone());
        let at = datetime!(2026-11-26 14:06:00 UTC);
        let bodies: Vec<String> = (1..=6).map(|n| finalized(&format!("e{n}"))).collect();
        let message = |n: usize| {
            (
                Some(["m1", "m2", "m3", "m4", "m5", "m6"][n - 1]),
                bodies[n - 1].as_str(),
            )
        };

        // Delivered, then delivered again in another order (a lost answer): nothing is added.
        for outcome in archive(&archiver, &[message(1), message(2)], at).await {
            assert!(!outcome.expect("kept").duplicate);
        }
        for outcome in archive(&archiver, &[message(2), message(1)], at).await {
            assert!(outcome.expect("kept").duplicate);
        }
        assert_eq!(store.keys().len(), 1);

        // The bucket is down: the whole part fails, and nothing of it is written...
        store.fail_with(Some(crate::DependencyError {
            service: "s3",
            retryable: true,
            message: "HTTP 503 SlowDown".into(),
        }));
        for outcome in archive(&archiver, &[message(3), message(4)], at).await {
            assert_eq!(
                outcome.expect_err("failed").kind,
                crate::FailureKind::Transient
            );
        }
        store.fail_with(None);
        assert_eq!(store.keys().len(), 1);
        // ...so SQS's new batches of the retried records write each of them once.
        for batch in [vec![message(4), message(5)], vec![message(3)]] {
            for outcome in archive(&archiver, &batch, at).await {
                assert!(!outcome.expect("kept").duplicate);
            }
        }
        let mut stored = lines_of(&store);
        stored.sort_by(|a, b| a.message_id.cmp(&b.message_id));
        assert_eq!(message_ids(&stored), ["m1", "m2", "m3", "m4", "m5"]);

        // A put that succeeded but whose answer was lost, its message back in another batch:
        // stored twice, read once.
        archive(&archiver, &[message(5), message(6)], at).await;
        assert_eq!(lines_of(&store).len(), 7);
        let flow = trace(lines_of(&store), "corr-1");
        let mut ids: Vec<&str> = flow.iter().map(|entry| entry.id.as_str()).collect();
        ids.sort_unstable();
        assert_eq!(ids, ["e1", "e2", "e3", "e4", "e5", "e6"]);
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
        let first = archive(&archiver, &[(Some("m1"), &body)], at).await;
        let again = archive(&archiver, &[(Some("m1"), &body)], at).await;
        let (first, again) = (
            first[0].clone().expect("kept"),
            again[0].clone().expect("kept"),
        );
        assert!(!first.duplicate && again.duplicate && first.parsed);
        let junk = archive(&archiver, &[(None, "junk")], at).await[0]
            .clone()
            .expect("kept");
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
        let batch = [
            (Some("m1"), ready.as_str()),
            (Some("m2"), &finalized),
            (Some("m3"), &ready),
            (Some("m4"), &failed),
            (Some("m5"), &other),
            (Some("m6"), &newer),
        ];
        for outcome in archive(&archiver, &batch, at).await {
            outcome.expect("kept");
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
            let failure = archive(&archiver, &[(Some("m1"), "junk")], at).await[0]
                .clone()
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
