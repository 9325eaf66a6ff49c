//! The invoice API and its OpenAPI description agree: the built function, run by
//! `cargo lambda watch` on loopback against moto, is driven by schemathesis from
//! `infra/openapi.yaml`, bounded in examples and time, and must give no server error and only
//! answers the spec describes (status codes, content types, headers, bodies).
//!
//! schemathesis' settings are in `infra/schemathesis.toml` (which answers are documented
//! rejections of bodies the schema alone cannot judge). All four phases run (`examples`,
//! `coverage`, `fuzzing`, and `stateful`, which follows the links from `POST /v1/invoices` to
//! `GET /v1/invoices/{id}`), with data the schema accepts. Its negative mode is left to the
//! handler tests (`functions/invoice-api/tests/handler.rs`: arbitrary methods, paths, bodies,
//! content types and header values, never a 5xx), because it sends bodies that are not UTF-8,
//! which cargo-lambda's function URL emulation answers with its own 500 before the function
//! runs (API Gateway would base64-encode them; the handler tests cover that path too).

use paperflow_tests::moto::{Moto, http_request_with_timeout};
use paperflow_tests::repo_root;
use paperflow_tests::stack::{DOCUMENTS_BUCKET, TestStack};
use paperflow_tests::watch::Watch;
use std::process::Command;
use std::time::Duration;

const FUNCTION: &str = "invoice-api";

#[tokio::test(flavor = "multi_thread")]
async fn the_running_function_conforms_to_its_openapi_description() {
    let moto = Moto::start();
    let stack = TestStack::create(&moto.sdk_config().await).await;
    let watch = Watch::start(
        &moto,
        &[
            ("DOCUMENTS_BUCKET", DOCUMENTS_BUCKET),
            ("INVOICE_EVENTS_TOPIC_ARN", &stack.invoice_events_arn),
        ],
    );
    let status = tokio::task::block_in_place(|| watch.warm_up(FUNCTION, "/v1/invoices/INV-1"));
    assert_eq!(
        status,
        404,
        "an unknown invoice; watch log:\n{}",
        watch.log_tail()
    );

    // The PDF through the function URL: decoded from the base64 proxy answer, it is the PDF
    // `paperflow render` makes.
    let sample = paperflow_tests::sample("invoice-small.json");
    let reply = tokio::task::block_in_place(|| {
        http_request_with_timeout(
            "POST",
            &format!("{}/v1/invoices/pdf", watch.function_url(FUNCTION)),
            &[("Content-Type", "application/json")],
            &sample,
            Duration::from_secs(60),
        )
    })
    .expect("the function answers");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/pdf"));
    let invoice = paperflow_invoice::parse_invoice(&sample).expect("valid");
    let fonts = paperflow_render::FontSet::bundled().expect("fonts");
    let expected = paperflow_render::render(&invoice, &fonts, &Default::default()).expect("PDF");
    assert!(reply.body == expected.bytes, "the PDF travelled intact");

    // schemathesis keeps a cache folder where it runs: a scratch folder, not the repository.
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let root = repo_root();
    let output = tokio::task::block_in_place(|| {
        Command::new(root.join(".tools/venv/bin/schemathesis"))
            .current_dir(scratch.path())
            .arg("--config-file")
            .arg(root.join("infra/schemathesis.toml"))
            .arg("run")
            .arg(root.join("infra/openapi.yaml"))
            .args(["--url", &watch.function_url(FUNCTION)])
            .args(["--checks", "all"])
            .args(["--phases", "examples,coverage,fuzzing,stateful"])
            .args(["--mode", "positive"])
            .args(["--max-examples", "25", "--max-time", "120"])
            .args(["--workers", "2", "--seed", "20261201"])
            .args([
                "--generation-codec",
                "utf-8",
                "--generation-database",
                "none",
            ])
            .args(["--no-color"])
            .env("SCHEMATHESIS_TELEMETRY", "false")
            .output()
            .expect("schemathesis runs (make tools installs it)")
    });
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis found disagreements:\n{report}\n{}\nwatch log:\n{}",
        String::from_utf8_lossy(&output.stderr),
        watch.log_tail()
    );
    // It really tested all three operations.
    assert!(report.contains("Tested: 3"), "{report}");
}
