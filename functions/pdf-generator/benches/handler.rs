//! What the pdf-generator's handler costs per record beyond rendering and I/O.
//!
//! Target on the project's 2-core machine: at most 0.2 ms per record. Three measurements, fonts
//! already parsed (a warm Lambda):
//!
//! - `handler/render_one_page_12_lines`: `paperflow_render::render` alone, for the 12-line
//!   one-page invoice (built as `lib/render/benches/render.rs` builds it);
//! - `handler/sqs_batch_10_records`: a whole SQS batch of 10 such invoices, each wrapped in an
//!   `invoice.finalized.v1` CloudEvent, through [`pdf_generator::handle`] on a current-thread
//!   tokio runtime, with in-memory ports instead of S3 and SNS. Every iteration gets a fresh
//!   store, so every record really renders, stores, moves its pointer and announces: no
//!   duplicate shortcut;
//! - `handler/sqs_batch_10_records_json_logs`: the same with the tracing subscriber Lambda runs
//!   under (`AWS_LAMBDA_LOG_FORMAT=JSON`, level INFO), so the per-record log line counts too.
//!
//! Per-record overhead = batch / 10 − render, printed at the end (on standard error) twice:
//! from criterion's medians, and as the median of paired rounds (10 renders, then one batch,
//! back to back), which a busy or throttled machine skews less, since both halves of each
//! round see the same conditions.
//!
//! The function prints one EMF metrics line per record on standard output (and, under the
//! Lambda subscriber, one log line); that is part of its real cost and stays in. Lambda reads
//! standard output through a pipe, so run it as
//!
//! ```text
//! cargo bench -p pdf-generator --bench handler | grep --line-buffered -v '^{'
//! ```
//!
//! or with standard output sent to a file (the figures above are on standard error). Written to
//! a terminal instead, the lines flood it and cost more than they do in Lambda.

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use criterion::{BatchSize, Criterion};
use tracing::{Dispatch, dispatcher};
// In-memory ports take S3 and SNS (and the signing, serialisation and HTTP of the SDK
// adapters) out of the measurement while keeping the ports' semantics (create-only puts,
// compare-and-swap), so the pipeline takes exactly the path it takes against S3.
use paperflow_pipeline::PdfGenerator;
use paperflow_pipeline::memory::{MemoryPublisher, MemoryStore};
use paperflow_render::{FontSet, RenderOptions};
use paperflow_tests::stack::finalized_event;
use pdf_generator::PdfRequests;
use serde_json::{Value, json};
use std::hint::black_box;
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

/// Records per SQS batch: Lambda's default batch size for SQS.
const RECORDS: usize = 10;

const GROUP: &str = "handler";
const RENDER: &str = "render_one_page_12_lines";
const BATCH: &str = "sqs_batch_10_records";
const BATCH_LOGGED: &str = "sqs_batch_10_records_json_logs";

/// The per-record overhead the handler may add to rendering, in milliseconds.
const TARGET_MS: f64 = 0.2;

/// Rounds of the paired measurement printed at the end.
const PAIRED_ROUNDS: usize = 200;

type Requests = PdfRequests<MemoryStore, MemoryPublisher>;

// --- inputs -----------------------------------------------------------------------------------

/// The small sample grown to 12 lines: still one page (as in `lib/render/benches/render.rs`).
fn twelve_lines() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples/invoice-small.json");
    let bytes = std::fs::read(&path).expect("the sample exists");
    let mut document: Value = serde_json::from_slice(&bytes).expect("the sample is JSON");
    let lines = document["lines"].as_array().cloned().unwrap_or_default();
    document["lines"] = lines.iter().cycle().take(12).cloned().collect();
    document
}

/// A batch of [`RECORDS`] different invoices (ids as long as the sample's, so each renders
/// exactly like it), one per record.
fn batch(document: &Value) -> SqsEvent {
    let mut event = SqsEvent::default();
    event.records = (0..RECORDS)
        .map(|index| {
            let mut data = document.clone();
            data["invoice_id"] = json!(format!("INV-2026-0001{index:02}"));
            let mut message = SqsMessage::default();
            message.message_id = Some(format!("bench-message-{index}"));
            message.body = Some(finalized_event(
                "bench/producer",
                &format!("bench-event-{index}"),
                &data,
            ));
            message
        })
        .collect();
    event
}

/// A handler over `store` and `publisher`.
fn requests(fonts: &Arc<FontSet>, store: MemoryStore, publisher: MemoryPublisher) -> Arc<Requests> {
    let generator = PdfGenerator::new(
        store,
        publisher,
        Arc::clone(fonts),
        RenderOptions::default(),
    );
    Arc::new(PdfRequests::new(generator))
}

// --- the measurements -------------------------------------------------------------------------

/// Everything the measurements share, built once.
struct Fixture {
    fonts: Arc<FontSet>,
    options: RenderOptions,
    invoice: paperflow_invoice::Invoice,
    template: SqsEvent,
    runtime: tokio::runtime::Runtime,
    /// The subscriber `paperflow_lambda::logging::init` installs in Lambda with
    /// `AWS_LAMBDA_LOG_FORMAT=JSON` and the default level (INFO), to be scoped to one
    /// measurement (the runtime is current-thread, so the scope covers every task).
    json_logs: Dispatch,
}

impl Fixture {
    fn new() -> Fixture {
        let fonts = Arc::new(paperflow_bundled_fonts::font_set().expect("bundled fonts"));
        let options = RenderOptions::default();
        let document = twelve_lines();
        let invoice = paperflow_invoice::invoice_from_value(&document).expect("a valid invoice");
        let pdf = paperflow_render::render(&invoice, &fonts, &options).expect("renders");
        assert_eq!(pdf.pages, 1, "the 12-line invoice must stay on one page");
        let runtime = paperflow_tests::bench::current_thread_runtime();
        let json_logs = paperflow_lambda::logging::subscriber(
            true,
            paperflow_lambda::logging::filter(None, None),
            std::io::stdout,
        );
        Fixture {
            fonts,
            options,
            invoice,
            template: batch(&document),
            runtime,
            json_logs,
        }
    }

    fn render(&self) -> paperflow_render::RenderedPdf {
        paperflow_render::render(black_box(&self.invoice), &self.fonts, &self.options)
            .expect("renders")
    }

    /// A handler with empty ports, and the batch to give it (the untimed part).
    fn fresh(&self) -> (Arc<Requests>, SqsEvent) {
        let store = MemoryStore::default();
        (
            requests(&self.fonts, store, MemoryPublisher::default()),
            self.template.clone(),
        )
    }

    /// The timed part: one batch through the handler. The handler drops its handle; the one
    /// returned keeps the stored PDFs alive until the caller drops it, outside the timing.
    fn run(&self, (requests, event): (Arc<Requests>, SqsEvent)) -> impl Sized {
        let response = self
            .runtime
            .block_on(pdf_generator::handle(Arc::clone(&requests), event))
            .expect("the batch is answered");
        (response, requests)
    }

    /// Once before measuring: every record succeeds and really stores (no duplicate).
    fn check(&self) {
        let (store, publisher) = (MemoryStore::default(), MemoryPublisher::default());
        let checked = requests(&self.fonts, store.clone(), publisher.clone());
        let response = self
            .runtime
            .block_on(pdf_generator::handle(checked, self.template.clone()))
            .expect("the batch is answered");
        assert!(response.batch_item_failures.is_empty(), "{response:?}");
        // Each record creates its PDF, sets its latest pointer, and announces once.
        assert_eq!(
            store
                .keys()
                .iter()
                .filter(|key| key.ends_with(".pdf"))
                .count(),
            RECORDS
        );
        assert_eq!(store.keys().len(), 2 * RECORDS);
        assert_eq!(publisher.count(), RECORDS);
    }

    /// Paired rounds: `RECORDS` renders alone, then one batch, back to back, so that both see
    /// the same machine; the per-record overhead of each round, in milliseconds.
    fn paired(&self, rounds: usize) -> Vec<f64> {
        (0..rounds)
            .map(|_| {
                let started = Instant::now();
                for _ in 0..RECORDS {
                    black_box(self.render());
                }
                let rendering = started.elapsed();
                let input = self.fresh();
                let started = Instant::now();
                let output = self.run(input);
                let batch = started.elapsed();
                drop(output);
                (batch.as_secs_f64() - rendering.as_secs_f64()) * 1000.0 / RECORDS as f64
            })
            .collect()
    }
}

fn handler(c: &mut Criterion, fixture: &Fixture) {
    let run_batch = |b: &mut criterion::Bencher<'_>| {
        b.iter_batched(
            || fixture.fresh(),
            |input| fixture.run(input),
            BatchSize::PerIteration,
        )
    };
    let mut group = c.benchmark_group(GROUP);
    group.bench_function(RENDER, |b| b.iter(|| fixture.render()));
    group.sample_size(50);
    group.bench_function(BATCH, run_batch);
    dispatcher::with_default(&fixture.json_logs, || {
        group.bench_function(BATCH_LOGGED, run_batch);
    });
    group.finish();
}

// --- the derived figures ----------------------------------------------------------------------

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn verdict(overhead_ms: f64) -> &'static str {
    if overhead_ms <= TARGET_MS {
        "ok"
    } else {
        "OVER"
    }
}

/// Prints the overhead from criterion's medians, then from paired rounds.
fn report(fixture: &Fixture, started: SystemTime) {
    let medians = [RENDER, BATCH, BATCH_LOGGED]
        .map(|bench| paperflow_tests::bench::median_ms(GROUP, bench, started));
    let [Some(render), Some(batch), Some(logged)] = medians else {
        eprintln!("\nhandler overhead: not all of {GROUP}/* were measured in this run, no figure");
        return;
    };
    let per_record = |batch: f64| batch / RECORDS as f64;
    eprintln!(
        "\nhandler overhead per record = batch / {RECORDS} − render (target ≤ {TARGET_MS} ms)"
    );
    eprintln!("from criterion's medians: render alone {render:.3} ms");
    for (label, batch) in [("no log subscriber", batch), ("Lambda JSON logs ", logged)] {
        let overhead = per_record(batch) - render;
        eprintln!(
            "  batch, {label}: {batch:.3} ms = {:.3} ms/record → overhead {overhead:.3} ms \
             ({})",
            per_record(batch),
            verdict(overhead)
        );
    }
    let plain = median(fixture.paired(PAIRED_ROUNDS));
    let logged =
        dispatcher::with_default(&fixture.json_logs, || median(fixture.paired(PAIRED_ROUNDS)));
    eprintln!("median of {PAIRED_ROUNDS} paired rounds (10 renders, then a batch, back to back):");
    eprintln!(
        "  no log subscriber: overhead {plain:.3} ms ({})",
        verdict(plain)
    );
    eprintln!(
        "  Lambda JSON logs : overhead {logged:.3} ms ({})",
        verdict(logged)
    );
}

fn main() {
    if std::io::stdout().is_terminal() {
        eprintln!(
            "note: standard output is a terminal: the EMF and log lines will flood it, and a \
             terminal is slower than Lambda's log pipe. Pipe through `grep -v '^{{'`."
        );
    }
    let fixture = Fixture::new();
    fixture.check();
    let started = SystemTime::now();
    let mut criterion = Criterion::default().configure_from_args();
    handler(&mut criterion, &fixture);
    criterion.final_summary();
    report(&fixture, started);
}
