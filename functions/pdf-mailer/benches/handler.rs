//! What the pdf-mailer's handler costs per notice in CPU, for the capacity model
//! (`docs/CAPACITY.md`, `scripts/capacity.py`): the time a Lambda invocation spends beyond
//! waiting on S3, SES and SNS.
//!
//! `mailer/ready_notice_attached_pdf`: one SNS event carrying an `invoice.pdf.ready.v1`
//! notice through [`pdf_mailer::handle`], on a current-thread tokio runtime, with in-memory
//! ports: it decodes the notice, claims it, reads the PDF and checks its SHA-256, builds the
//! MIME message (base64 of the PDF), hands it to the mailer, writes the send record and
//! announces `invoice.emailed.v1`. Every iteration starts from a snapshot of a store in which
//! the real pdf-generator stored the PDF, so every iteration really sends: no "already sent"
//! shortcut.
//!
//! The PDF is the sample invoice (`samples/invoice-small.json`) grown to 12 lines as
//! `lib/render/benches/render.rs` grows it, rendered by the real pdf-generator: one page, its
//! size printed with the figure.
//!
//! The SES port here accepts the message and answers an id, as SES does, after touching every
//! byte of it (so that building the message cannot be optimised away); the network time of
//! `SendEmail` is the model's assumed latency, not part of this figure.
//!
//! Run as `cargo bench -p pdf-mailer --bench handler > out/bench-mailer.stdout` (the function
//! prints one EMF line per notice on standard output; the figures are on standard error).

use criterion::{BatchSize, Criterion};
use paperflow_pipeline::mail::{MailSettings, Mailed, PdfMailer, Sender};
use paperflow_pipeline::memory::{MemoryPublisher, MemoryStore};
use paperflow_pipeline::{Mailer, OutgoingMail, PdfGenerator, SendError, pdf_key};
use paperflow_render::RenderOptions;
use paperflow_tests::consumers::{MAIL_FROM, sns_event};
use paperflow_tests::stack::{finalized_event, sqs_batch};
use pdf_generator::PdfRequests;
use serde_json::Value;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

const GROUP: &str = "mailer";
const NOTICE: &str = "ready_notice_attached_pdf";

/// As deployed: the invocation's remaining time plus the claim margin.
const CLAIM_TTL: Duration = Duration::from_secs(60);

/// SES as the mailer sees it when all is well: the message is accepted and given an id.
#[derive(Default)]
struct AcceptingSes {
    sent: AtomicUsize,
}

impl Mailer for &AcceptingSes {
    async fn send(&self, mail: &OutgoingMail) -> Result<String, SendError> {
        // What the SDK does with the message before it leaves: read every byte of it.
        let checksum = mail
            .raw
            .iter()
            .fold(0u8, |sum, byte| sum.wrapping_add(*byte));
        black_box(checksum);
        let number = self.sent.fetch_add(1, Ordering::Relaxed);
        Ok(format!("bench-ses-message-{number}"))
    }
}

/// Everything the measurement shares, built once.
struct Fixture {
    /// The documents bucket as the pdf-generator left it: the PDF, its pointer.
    stored: MemoryStore,
    /// The ready notice the generator published, as SNS delivers it to the mailer.
    notice: String,
    pdf_bytes: usize,
    ses: AcceptingSes,
    runtime: tokio::runtime::Runtime,
}

impl Fixture {
    fn new() -> Fixture {
        let runtime = paperflow_tests::bench::current_thread_runtime();
        let mut document: Value =
            serde_json::from_slice(&paperflow_tests::sample("invoice-small.json")).expect("JSON");
        let invoice_id = document["invoice_id"]
            .as_str()
            .expect("an invoice id")
            .to_owned();
        assert!(
            document["buyer"]["email"].is_string(),
            "the sample must have a buyer e-mail address, or nothing is sent"
        );
        document["lines"] = document["lines"]
            .as_array()
            .map(|lines| lines.iter().cycle().take(12).cloned().collect())
            .unwrap_or_default();
        let (stored, published) = (MemoryStore::new(), MemoryPublisher::new());
        let fonts = Arc::new(paperflow_bundled_fonts::font_set().expect("bundled fonts"));
        let generator = PdfGenerator::new(
            stored.clone(),
            published.clone(),
            fonts,
            RenderOptions::default(),
        );
        let body = finalized_event("bench/producer", "bench-finalized-1", &document);
        let response = runtime
            .block_on(pdf_generator::handle(
                Arc::new(PdfRequests::new(generator)),
                sqs_batch(&[body]),
            ))
            .expect("the batch is answered");
        assert!(response.batch_item_failures.is_empty(), "{response:?}");
        let events = published.events();
        assert_eq!(events.len(), 1, "one ready notice: {events:?}");
        let notice = serde_json::to_string(&events[0]).expect("the notice is JSON");
        let pdf_bytes = stored
            .body(&pdf_key(&invoice_id, 1))
            .expect("the PDF is stored")
            .len();
        Fixture {
            stored,
            notice,
            pdf_bytes,
            ses: AcceptingSes::default(),
            runtime,
        }
    }

    /// The untimed part: a mailer over a fresh copy of the stored state.
    fn fresh(
        &self,
    ) -> (
        PdfMailer<MemoryStore, MemoryPublisher, &AcceptingSes>,
        MemoryPublisher,
    ) {
        let publisher = MemoryPublisher::new();
        let settings = MailSettings::new(Sender::parse(MAIL_FROM).expect("a sender"));
        let mailer = PdfMailer::new(
            self.stored.snapshot(),
            publisher.clone(),
            &self.ses,
            settings,
        );
        (mailer, publisher)
    }

    /// The timed part: one SNS event through the handler.
    fn run(&self, mailer: &PdfMailer<MemoryStore, MemoryPublisher, &AcceptingSes>) {
        self.runtime
            .block_on(pdf_mailer::handle(
                mailer,
                sns_event(black_box(&self.notice), "bench-sns-message-1"),
                CLAIM_TTL,
            ))
            .expect("the notice is mailed");
    }

    /// Once before measuring: the notice really sends one e-mail with the PDF attached, and
    /// announces it.
    fn check(&self) {
        let (mailer, publisher) = self.fresh();
        let mailed = self
            .runtime
            .block_on(mailer.mail(&self.notice, CLAIM_TTL))
            .expect("the notice is mailed");
        assert!(
            matches!(mailed, Mailed::Sent { attached: true, .. }),
            "{mailed:?}"
        );
        assert_eq!(publisher.count(), 1, "one emailed notice");
        assert_eq!(self.ses.sent.load(Ordering::Relaxed), 1, "one e-mail");
    }
}

fn main() {
    let fixture = Fixture::new();
    fixture.check();
    let started = SystemTime::now();
    let runs = AtomicUsize::new(0);
    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group(GROUP);
    group.bench_function(NOTICE, |b| {
        b.iter_batched(
            || fixture.fresh(),
            |(mailer, publisher)| {
                fixture.run(&mailer);
                runs.fetch_add(1, Ordering::Relaxed);
                (mailer, publisher)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
    criterion.final_summary();
    // Every timed run sent its e-mail (the check's one is the first): none took a shortcut.
    assert_eq!(
        fixture.ses.sent.load(Ordering::Relaxed),
        runs.load(Ordering::Relaxed) + 1,
        "every run sends one e-mail"
    );
    match paperflow_tests::bench::median_ms(GROUP, NOTICE, started) {
        Some(median) => eprintln!(
            "\npdf-mailer CPU per notice (PDF of {} bytes attached): median {median:.3} ms",
            fixture.pdf_bytes
        ),
        None => eprintln!("\npdf-mailer: {GROUP}/{NOTICE} was not measured in this run"),
    }
}
