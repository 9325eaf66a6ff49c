//! What `POST /v1/invoices/pdf` costs for the one-page sample invoice, in-process.
//!
//! Target on the project's 2-core machine: a median of at most 2 ms. Two measurements, fonts
//! already parsed (a warm Lambda):
//!
//! - `invoice_api/render_only`: `paperflow_render::render` of the invoice, for comparison;
//! - `invoice_api/post_pdf`: the API Gateway v2 event `events/apigw-v2-render-pdf.json`, as
//!   Lambda hands it over (JSON text), deserialised, routed, validated, rendered, hashed and
//!   turned into the proxy answer API Gateway receives (the PDF base64-encoded), serialised to
//!   JSON again — everything the function does per request except the runtime's HTTP calls.
//!
//! - `invoice_api/submit_202`: the API Gateway v2 event `events/apigw-v2-submit-invoice.json`
//!   (`POST /v1/invoices`, the event path), deserialised, routed, validated, its submission
//!   recorded create-only, its `invoice.finalized.v1` published and the 202 answer serialised:
//!   the CPU one invoice costs the API in the capacity model (`scripts/capacity.py`). Each
//!   iteration gets empty ports, so every request is a new submission, not a replay.
//!
//! The ports are in memory (`paperflow_pipeline::memory`); the direct route touches them only for
//! PDFs over 4.5 MB. Run as `cargo bench -p invoice-api --bench sync_route > out/bench-api.stdout`
//! (one EMF metrics line per request goes to standard output; the figures are printed on
//! standard error).

use criterion::{BatchSize, Criterion};
use invoice_api::Api;
use paperflow_pipeline::DirectRenderer;
use paperflow_pipeline::memory::{MemoryPublisher, MemoryStore};
use paperflow_render::RenderOptions;
use paperflow_tests::api_gateway::proxy_answer;
use serde_json::Value;
use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

const GROUP: &str = "invoice_api";
const TARGET_MS: f64 = 2.0;

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn main() {
    let started = SystemTime::now();
    let fonts = Arc::new(paperflow_bundled_fonts::font_set().expect("bundled fonts"));
    let request_text = std::fs::read_to_string(repo().join("events/apigw-v2-render-pdf.json"))
        .expect("the sample request exists");
    let document: Value = serde_json::from_slice(
        &std::fs::read(repo().join("samples/invoice-small.json")).expect("the sample exists"),
    )
    .expect("JSON");
    let invoice = paperflow_invoice::invoice_from_value(&document).expect("valid");

    let store = MemoryStore::new();
    let direct = DirectRenderer::new(store.clone(), Arc::clone(&fonts), RenderOptions::default());
    let api = Arc::new(Api::new(direct, store, MemoryPublisher::new()));
    let runtime = paperflow_tests::bench::current_thread_runtime();

    // As Lambda hands it over: JSON text, parsed per request.
    let call = |text: &str| -> Value {
        let request: Value = serde_json::from_str(text).expect("an API Gateway request");
        runtime.block_on(proxy_answer(
            |request| invoice_api::handle(&api, request),
            request,
        ))
    };
    let answer = call(&request_text);
    assert_eq!(answer["statusCode"], 200, "the route answers the PDF");
    assert_eq!(answer["isBase64Encoded"], true);

    let submit_text = std::fs::read_to_string(repo().join("events/apigw-v2-submit-invoice.json"))
        .expect("the sample submission exists");
    // A fresh API over empty ports: a submission, not a replay of the last one.
    let fresh_api = || {
        let store = MemoryStore::new();
        let direct =
            DirectRenderer::new(store.clone(), Arc::clone(&fonts), RenderOptions::default());
        Arc::new(Api::new(direct, store, MemoryPublisher::new()))
    };
    let submit = |api: Arc<Api<MemoryStore, MemoryPublisher>>, text: &str| -> Value {
        let request: Value = serde_json::from_str(text).expect("an API Gateway request");
        runtime.block_on(proxy_answer(
            |request| invoice_api::handle(&api, request),
            request,
        ))
    };
    let answer = submit(fresh_api(), &submit_text);
    assert_eq!(
        answer["statusCode"], 202,
        "the submission is accepted: {answer}"
    );

    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group(GROUP);
    group.bench_function("render_only", |b| {
        b.iter(|| {
            paperflow_render::render(black_box(&invoice), &fonts, &RenderOptions::default())
                .expect("renders")
        })
    });
    group.bench_function("post_pdf", |b| {
        b.iter(|| serde_json::to_vec(&call(black_box(&request_text))).expect("JSON"))
    });
    group.bench_function("submit_202", |b| {
        b.iter_batched(
            fresh_api,
            |api| serde_json::to_vec(&submit(api, black_box(&submit_text))).expect("JSON"),
            BatchSize::PerIteration,
        )
    });
    group.finish();
    criterion.final_summary();

    if let (Some(render), Some(route)) = (
        paperflow_tests::bench::median_ms(GROUP, "render_only", started),
        paperflow_tests::bench::median_ms(GROUP, "post_pdf", started),
    ) {
        eprintln!(
            "POST /v1/invoices/pdf, one-page invoice: median {route:.3} ms (target ≤ {TARGET_MS} ms); \
             rendering alone {render:.3} ms, so the route adds {:.3} ms",
            route - render
        );
    }
    if let Some(submitted) = paperflow_tests::bench::median_ms(GROUP, "submit_202", started) {
        eprintln!("POST /v1/invoices (202), one-page invoice: median {submitted:.3} ms");
    }
}
