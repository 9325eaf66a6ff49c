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
//! The ports are in memory (`paperflow_pipeline::memory`); the direct route touches them only for
//! PDFs over 4.5 MB. Run as `cargo bench -p invoice-api --bench sync_route > out/bench-api.stdout`
//! (one EMF metrics line per request goes to standard output; the figures are printed on
//! standard error).

use criterion::Criterion;
use invoice_api::Api;
use lambda_http::request::LambdaRequest;
use lambda_http::{Adapter, Context, LambdaEvent, Request, Service, service_fn};
use paperflow_pipeline::DirectRenderer;
use paperflow_pipeline::memory::{MemoryPublisher, MemoryStore};
use paperflow_render::{FontSet, RenderOptions};
use serde_json::Value;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

const GROUP: &str = "invoice_api";
const TARGET_MS: f64 = 2.0;

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn main() {
    let started = SystemTime::now();
    let fonts = Arc::new(FontSet::bundled().expect("bundled fonts"));
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
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");

    let call = |text: &str| -> Value {
        let request: LambdaRequest = serde_json::from_str(text).expect("an API Gateway request");
        let api = Arc::clone(&api);
        let mut adapter = Adapter::from(service_fn(move |request: Request| {
            let api = Arc::clone(&api);
            async move { Ok::<_, lambda_http::Error>(invoice_api::handle(&api, request).await) }
        }));
        let response = runtime
            .block_on(adapter.call(LambdaEvent::new(request, Context::default())))
            .expect("an answer");
        serde_json::to_value(response).expect("serialisable")
    };
    let answer = call(&request_text);
    assert_eq!(answer["statusCode"], 200, "the route answers the PDF");
    assert_eq!(answer["isBase64Encoded"], true);

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
    group.finish();
    criterion.final_summary();

    if let (Some(render), Some(route)) = (
        median_ms("render_only", started),
        median_ms("post_pdf", started),
    ) {
        eprintln!(
            "POST /v1/invoices/pdf, one-page invoice: median {route:.3} ms (target ≤ {TARGET_MS} ms); \
             rendering alone {render:.3} ms, so the route adds {:.3} ms",
            route - render
        );
    }
}

/// Where criterion keeps its estimates.
fn criterion_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("criterion");
    }
    repo().join("target/criterion")
}

/// The median of `bench` in milliseconds, if this run measured it.
fn median_ms(bench: &str, started: SystemTime) -> Option<f64> {
    let path = criterion_home()
        .join(GROUP)
        .join(bench)
        .join("new/estimates.json");
    let modified = std::fs::metadata(&path)
        .and_then(|meta| meta.modified())
        .ok()?;
    if modified < started {
        return None;
    }
    let estimates: Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    Some(estimates["median"]["point_estimate"].as_f64()? / 1e6)
}
