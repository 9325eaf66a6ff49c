//! What the event-archiver's handler costs per record in CPU, for the capacity model
//! (`docs/CAPACITY.md`, `scripts/capacity.py`): the time a Lambda invocation spends beyond
//! waiting on S3.
//!
//! `archiver/sqs_batch_10_records`: one SQS batch of 10 records, as the archive queue delivers
//! them (raw delivery, the template's `BatchSize: 10`), through [`event_archiver::handle`] on a
//! current-thread tokio runtime, with an in-memory store: it decodes each body, partitions the
//! batch by day and event type, serialises each part as JSON lines, writes it create-only and
//! answers each record. The batch is what one invoice flow puts on the topics: five
//! `invoice.finalized.v1` events from a producer and the five `invoice.pdf.ready.v1` notices
//! the real pdf-generator published for them, so two objects per batch. Every iteration starts
//! from an empty archive, so every part is really written: no duplicate shortcut.
//!
//! Run as `cargo bench -p event-archiver --bench handler > out/bench-archiver.stdout` (the
//! function prints one EMF line per record on standard output; the figures are on standard
//! error).

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use criterion::{BatchSize, Criterion};
use event_archiver::ArchiveRecords;
use paperflow_pipeline::PdfGenerator;
use paperflow_pipeline::archive::EventArchiver;
use paperflow_pipeline::memory::{MemoryPublisher, MemoryStore};
use paperflow_render::RenderOptions;
use paperflow_tests::stack::{finalized_event, sqs_batch};
use pdf_generator::PdfRequests;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::SystemTime;

const GROUP: &str = "archiver";
const BATCH: &str = "sqs_batch_10_records";

/// Invoices per batch; each gives two records (its finalized event and its ready notice).
const INVOICES: usize = 5;
const RECORDS: usize = 2 * INVOICES;

/// When the archive queue received the records (`SentTimestamp`, milliseconds).
const SENT_TIMESTAMP: &str = "1796461378587";

/// Everything the measurement shares, built once.
struct Fixture {
    batch: SqsEvent,
    runtime: tokio::runtime::Runtime,
}

impl Fixture {
    fn new() -> Fixture {
        let runtime = paperflow_tests::bench::current_thread_runtime();
        let sample: Value =
            serde_json::from_slice(&paperflow_tests::sample("invoice-small.json")).expect("JSON");
        let finalized: Vec<String> = (0..INVOICES)
            .map(|index| {
                let mut document = sample.clone();
                document["invoice_id"] = json!(format!("INV-2026-0002{index:02}"));
                finalized_event(
                    "bench/producer",
                    &format!("bench-finalized-{index}"),
                    &document,
                )
            })
            .collect();
        // The ready notices as the pdf-generator really publishes them.
        let published = MemoryPublisher::new();
        let fonts = Arc::new(paperflow_bundled_fonts::font_set().expect("bundled fonts"));
        let generator = PdfGenerator::new(
            MemoryStore::new(),
            published.clone(),
            fonts,
            RenderOptions::default(),
        );
        let response = runtime
            .block_on(pdf_generator::handle(
                Arc::new(PdfRequests::new(generator)),
                sqs_batch(&finalized),
            ))
            .expect("the batch is answered");
        assert!(response.batch_item_failures.is_empty(), "{response:?}");
        let notices: Vec<String> = published
            .events()
            .iter()
            .map(|event| serde_json::to_string(event).expect("an event is JSON"))
            .collect();
        assert_eq!(notices.len(), INVOICES);
        let mut batch = SqsEvent::default();
        batch.records = finalized
            .into_iter()
            .chain(notices)
            .enumerate()
            .map(|(index, body)| {
                let mut message = SqsMessage::default();
                message.message_id = Some(format!("bench-archive-message-{index}"));
                message.body = Some(body);
                message.attributes =
                    HashMap::from([("SentTimestamp".to_owned(), SENT_TIMESTAMP.to_owned())]);
                message
            })
            .collect();
        Fixture { batch, runtime }
    }

    /// The untimed part: a handler over an empty archive, and the batch to give it.
    fn fresh(&self) -> (Arc<ArchiveRecords<MemoryStore>>, MemoryStore, SqsEvent) {
        let archive = MemoryStore::new();
        let records = Arc::new(ArchiveRecords::new(EventArchiver::new(archive.clone())));
        (records, archive, self.batch.clone())
    }

    /// The timed part: one batch through the handler.
    fn run(&self, records: Arc<ArchiveRecords<MemoryStore>>, batch: SqsEvent) {
        let response = self
            .runtime
            .block_on(event_archiver::handle(records, black_box(batch)))
            .expect("the batch is answered");
        black_box(response);
    }

    /// Once before measuring: every record is archived, in one object per event type.
    fn check(&self) {
        let (records, archive, batch) = self.fresh();
        let response = self
            .runtime
            .block_on(event_archiver::handle(records, batch))
            .expect("the batch is answered");
        assert!(response.batch_item_failures.is_empty(), "{response:?}");
        let objects = archive.keys();
        assert_eq!(objects.len(), 2, "one object per event type: {objects:?}");
        let lines: usize = objects
            .iter()
            .filter_map(|key| archive.body(key))
            .map(|body| {
                body.split(|byte| *byte == b'\n')
                    .filter(|line| !line.is_empty())
                    .count()
            })
            .sum();
        assert_eq!(lines, RECORDS, "every record archived once");
    }
}

fn main() {
    let fixture = Fixture::new();
    fixture.check();
    let started = SystemTime::now();
    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group(GROUP);
    group.bench_function(BATCH, |b| {
        b.iter_batched(
            || fixture.fresh(),
            |(records, archive, batch)| {
                fixture.run(records, batch);
                archive
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
    criterion.final_summary();
    match paperflow_tests::bench::median_ms(GROUP, BATCH, started) {
        Some(median) => eprintln!(
            "\nevent-archiver CPU per record: median {:.3} ms ({median:.3} ms per batch of {RECORDS})",
            median / RECORDS as f64
        ),
        None => eprintln!("\nevent-archiver: {GROUP}/{BATCH} was not measured in this run"),
    }
}
