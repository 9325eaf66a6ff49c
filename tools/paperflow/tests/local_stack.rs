//! End to end through `paperflow local`: the real command brings up moto, the four functions
//! under cargo lambda watch and the triggers between them from infra/sam/template.yaml; a
//! producer that is not Rust (scripts/local_producer.py, boto3) publishes events and calls the
//! HTTP API; the test checks every outcome a user relies on, and that Ctrl-C leaves no process.
//!
//! The first start builds the functions (minutes on a cold machine); the tests take turns, one
//! stack at a time.

use paperflow_local::process::{Signal, signal_group, signal_process};
use paperflow_tests::moto::{Moto, http_get};
use paperflow_tests::repo_root;
use serde_json::Value;
use std::collections::BTreeMap;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One stack at a time: two would fight over two cores and the build.
static ONE_STACK: Mutex<()> = Mutex::new(());

/// How long the first start may take: it builds the functions.
const READY: Duration = Duration::from_secs(1200);

/// A `paperflow local` of this test's own.
struct LocalStack {
    child: Option<Child>,
    dir: tempfile::TempDir,
    state: Value,
}

impl LocalStack {
    fn start() -> LocalStack {
        LocalStack::start_with(&[])
    }

    /// `paperflow local` with these extra arguments.
    fn start_with(args: &[&str]) -> LocalStack {
        let dir = tempfile::tempdir().expect("a state folder");
        let log = std::fs::File::create(dir.path().join("stack.log")).expect("a log file");
        let child = Command::new(env!("CARGO_BIN_EXE_paperflow"))
            .current_dir(repo_root())
            .args(["local", "--state-dir"])
            .arg(dir.path())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            // Its own group: if the test fails badly, the group is killed whole (Drop).
            .process_group(0)
            .spawn()
            .expect("paperflow local starts");
        let mut stack = LocalStack {
            child: Some(child),
            dir,
            state: Value::Null,
        };
        let state_path = stack.dir.path().join("stack.json");
        let deadline = Instant::now() + READY;
        while !state_path.exists() {
            let exited = stack
                .child
                .as_mut()
                .and_then(|child| child.try_wait().ok().flatten());
            assert!(
                exited.is_none(),
                "paperflow local stopped before it was ready:\n{}",
                stack.log()
            );
            assert!(
                Instant::now() < deadline,
                "not ready in {READY:?}:\n{}",
                stack.log()
            );
            std::thread::sleep(Duration::from_millis(500));
        }
        // The stack renames the whole file into place: it is never read half-written.
        stack.state = serde_json::from_slice(&std::fs::read(&state_path).expect("the state file"))
            .expect("the state file is JSON");
        stack
    }

    fn state_path(&self) -> PathBuf {
        self.dir.path().join("stack.json")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("stack.log")).unwrap_or_default()
    }

    fn output(&self, name: &str) -> String {
        self.state["outputs"][name]
            .as_str()
            .unwrap_or_else(|| panic!("output {name} in the state file"))
            .to_owned()
    }

    /// Runs scripts/local_producer.py with `args`; its JSON answer.
    fn producer(&self, args: &[&str]) -> Value {
        let root = repo_root();
        let output = Command::new(root.join(".tools/venv/bin/python"))
            .current_dir(&root)
            .arg("scripts/local_producer.py")
            .arg(args[0])
            .arg("--state")
            .arg(self.state_path())
            .args(&args[1..])
            .output()
            .expect("the producer runs (make tools installs boto3)");
        assert!(
            output.status.success(),
            "local_producer.py {args:?} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("the producer answers JSON")
    }

    /// Ctrl-C, then: the command exits 0, and no process it started is left.
    fn stop(mut self) -> String {
        let mut child = self.child.take().expect("running");
        let pids: Vec<u32> = self.state["pids"]
            .as_array()
            .expect("pids in the state file")
            .iter()
            .filter_map(Value::as_u64)
            .map(|pid| pid as u32)
            .collect();
        assert!(
            pids.len() >= 6,
            "moto, the watch, four functions and the command: {pids:?}"
        );
        signal_process(child.id(), Signal::INT);
        let deadline = Instant::now() + Duration::from_secs(90);
        let status = loop {
            if let Some(status) = child.try_wait().expect("waitable") {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "no exit 90 s after Ctrl-C:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(200));
        };
        let log = self.log();
        assert!(
            status.success(),
            "paperflow local exited with {status}:\n{log}"
        );
        for pid in pids {
            assert!(
                paperflow_tests::process_is_gone(pid),
                "process {pid} outlived the stack"
            );
        }
        assert!(
            !self.state_path().exists(),
            "the state file is removed at the end"
        );
        log
    }
}

impl Drop for LocalStack {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            signal_process(child.id(), Signal::INT);
            let deadline = Instant::now() + Duration::from_secs(10);
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(200));
            }
            signal_group(child.id(), Signal::KILL);
            let _ = child.wait();
        }
    }
}

/// What `paperflow render` makes of `sample` (no fallback fonts: the function has none).
/// `paperflow render` of `sample` with the fonts the stack's functions have: the fallback-font
/// layer's folder, which the local stack gives them for the template's `/opt/fonts`.
fn rendered(sample: &Path, dir: &Path) -> Vec<u8> {
    let out = dir.join(format!(
        "{}.expected.pdf",
        sample.file_stem().and_then(|s| s.to_str()).unwrap_or("x")
    ));
    let layer_fonts = repo_root()
        .join(paperflow_local::runtime::LOCAL_LAYER)
        .join("fonts");
    let status = Command::new(env!("CARGO_BIN_EXE_paperflow"))
        .args(["render"])
        .arg(sample)
        .arg("-o")
        .arg(&out)
        .env("PAPERFLOW_FALLBACK_FONTS", layer_fonts)
        .status()
        .expect("paperflow render runs");
    assert!(status.success(), "paperflow render {}", sample.display());
    std::fs::read(out).expect("the rendered PDF")
}

fn by_type(notices: &[Value], event_type: &str) -> BTreeMap<String, Value> {
    notices
        .iter()
        .filter(|notice| notice["type"] == event_type)
        .map(|notice| {
            (
                notice["subject"].as_str().unwrap_or_default().to_owned(),
                notice.clone(),
            )
        })
        .collect()
}

/// One story from start to end, in the order a person would watch it (publish, render, mail,
/// archive, trace, Ctrl-C): longer than 100 lines because its steps share one running stack and
/// each step's assertions read the state the previous one left.
#[test]
fn a_python_producer_drives_the_whole_flow_and_ctrl_c_leaves_nothing() {
    let _turn = ONE_STACK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let root = repo_root();
    let stack = LocalStack::start();
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let poison = scratch.path().join("poison.txt");
    std::fs::write(&poison, "this is not an event {").expect("poison");

    let observer = stack.producer(&["observe"])["queue_url"]
        .as_str()
        .expect("an observer queue")
        .to_owned();
    let samples = [
        "invoice-small.json",
        "invoice-jpy.json",
        "invoice-multilingual.json",
    ];
    let mut args = vec!["publish".to_owned()];
    args.extend(samples.iter().map(|s| format!("samples/{s}")));
    args.push("samples/invoice-invalid.json".to_owned());
    args.push(poison.display().to_string());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let published = stack.producer(&args);
    assert_eq!(published["published"].as_array().map(Vec::len), Some(5));

    // The direct way: one HTTP call, the PDF in the answer, identical to `paperflow render`.
    let api_pdf = scratch.path().join("api.pdf");
    let answer = stack.producer(&[
        "render",
        "samples/invoice-small.json",
        "-o",
        api_pdf.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(answer["status"], 200, "{answer}");
    assert_eq!(answer["content_type"], "application/pdf");
    assert!(
        std::fs::read(&api_pdf).expect("the API's PDF")
            == rendered(&root.join("samples/invoice-small.json"), scratch.path()),
        "the API's PDF equals paperflow render's"
    );

    // Three ready, three e-mailed, two failed (the invalid invoice and the poison).
    let collected = stack.producer(&[
        "collect",
        "--queue",
        &observer,
        "--expect",
        "8",
        "--timeout",
        "300",
    ]);
    let notices = collected["notices"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        collected["complete"],
        true,
        "notices: {notices:#?}\n{}",
        stack.log()
    );
    let ready = by_type(&notices, "invoice.pdf.ready.v1");
    let emailed = by_type(&notices, "invoice.emailed.v1");
    let failed: Vec<&Value> = notices
        .iter()
        .filter(|n| n["type"] == "invoice.pdf.failed.v1")
        .collect();
    assert_eq!(ready.len(), 3, "{notices:#?}");
    assert_eq!(emailed.len(), 3, "{notices:#?}");
    assert_eq!(failed.len(), 2, "{notices:#?}");
    assert!(
        failed.iter().any(|n| n["data"]["input"]
            .to_string()
            .contains("this is not an event")),
        "the poison message is accounted for with its input: {failed:#?}"
    );
    assert!(
        failed.iter().any(|n| n["subject"] == "../etc/passwd"
            || n["data"]["message"].to_string().contains("currency")),
        "the invalid invoice's failure says why: {failed:#?}"
    );

    // Every PDF in S3, byte-identical to `paperflow render`.
    for sample in samples {
        let document: Value =
            serde_json::from_slice(&paperflow_tests::sample(sample)).expect("a sample");
        let id = document["invoice_id"].as_str().expect("an id");
        let notice = ready
            .get(id)
            .unwrap_or_else(|| panic!("a ready notice for {id}"));
        let stored = scratch.path().join(format!("{}.stored.pdf", sample));
        stack.producer(&[
            "get",
            "--bucket",
            notice["data"]["bucket"].as_str().expect("bucket"),
            "--key",
            notice["data"]["key"].as_str().expect("key"),
            "-o",
            stored.to_str().expect("utf-8"),
        ]);
        let stored = std::fs::read(&stored).expect("stored");
        assert!(
            stored == rendered(&root.join("samples").join(sample), scratch.path()),
            "{id}: the stored PDF equals paperflow render's"
        );
        // The functions draw with the fallback-font layer (Japanese, emoji): no character of
        // any sample, the multilingual one included, comes out as the replacement character.
        let text = paperflow_tests::PdfFile::new(&stored).text();
        assert!(
            !text.contains('\u{FFFD}'),
            "{id}: a character without a glyph in the stored PDF:\n{text}"
        );
        assert_eq!(
            notice["correlationid"],
            published["published"]
                .as_array()
                .expect("sent")
                .iter()
                .find(|p| p["invoice_id"] == id)
                .expect("sent")["correlation_id"]
        );
    }

    // The status of an id with a slash through the gateway: encoded as the API documents it,
    // and unencoded (the route is greedy, so a client or proxy that decodes %2F still arrives).
    let api_url = stack.state["api_url"].as_str().expect("api_url").to_owned();
    for path in ["JP-2026%2F0042", "JP-2026/0042"] {
        let reply = paperflow_tests::moto::http_get(&format!("{api_url}/v1/invoices/{path}"))
            .expect("the HTTP API answers");
        let status: Value = serde_json::from_slice(&reply.body).expect("a JSON status");
        assert_eq!(reply.status, 200, "{path}: {status}");
        assert_eq!(status["invoice_id"], "JP-2026/0042", "{path}: {status}");
        assert_eq!(status["status"], "ready", "{path}: {status}");
    }

    // Exactly one e-mail per invoice, captured by the emulator.
    let endpoint = stack.state["endpoint"]
        .as_str()
        .expect("endpoint")
        .to_owned();
    let data: Value = serde_json::from_slice(
        &http_get(&format!("{endpoint}/moto-api/data.json"))
            .expect("moto data")
            .body,
    )
    .expect("JSON");
    let sent = data["ses"]["RawMessage"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(sent.len(), 3, "one e-mail per invoice: {sent:#?}");
    for recipient in [
        "ap@contoso.example",
        "ap@northwind.example",
        "buh@severny.example",
    ] {
        let count = sent
            .iter()
            .filter(|m| m["destinations"].to_string().contains(recipient))
            .count();
        assert_eq!(count, 1, "e-mails to {recipient}");
    }

    // The archive holds the whole flow of an invoice: `paperflow trace` reads it back.
    let small_correlation = published["published"][0]["correlation_id"]
        .as_str()
        .expect("corr")
        .to_owned();
    let deadline = Instant::now() + Duration::from_secs(60);
    let trace = loop {
        let output = Command::new(env!("CARGO_BIN_EXE_paperflow"))
            .args([
                "trace",
                &small_correlation,
                "--json",
                "--archive-bucket",
                &stack.output("ArchiveBucketName"),
            ])
            .env("AWS_ENDPOINT_URL", &endpoint)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .output()
            .expect("paperflow trace runs");
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        if text.contains("invoice.emailed.v1") || Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(Duration::from_secs(2));
    };
    for step in [
        "invoice.finalized.v1",
        "invoice.pdf.ready.v1",
        "invoice.emailed.v1",
    ] {
        assert!(trace.contains(step), "the trace holds {step}:\n{trace}");
    }

    let log = stack.stop();
    assert!(
        log.contains("→ pdf-generator"),
        "the log shows the flow:\n{log}"
    );
    assert!(log.contains("summary"), "a final summary:\n{log}");
}

#[test]
fn five_hundred_events_through_the_local_stack_lose_none() {
    let _turn = ONE_STACK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let stack = LocalStack::start();
    let observer = stack.producer(&["observe", "--type", "invoice.pdf.ready.v1"])["queue_url"]
        .as_str()
        .expect("an observer queue")
        .to_owned();
    let started = Instant::now();
    let published = stack.producer(&["publish", "--copies", "500", "samples/invoice-small.json"]);
    assert_eq!(published["published"].as_array().map(Vec::len), Some(500));
    let collected = stack.producer(&[
        "collect",
        "--queue",
        &observer,
        "--expect",
        "500",
        "--timeout",
        "900",
    ]);
    let elapsed = started.elapsed();
    let notices = collected["notices"].as_array().cloned().unwrap_or_default();
    let ids: std::collections::BTreeSet<&str> = notices
        .iter()
        .filter_map(|n| n["subject"].as_str())
        .collect();
    assert_eq!(
        ids.len(),
        500,
        "500 distinct invoices ready, none lost:\n{}",
        stack.log()
    );
    eprintln!(
        "local stack throughput: 500 invoice.finalized.v1 → 500 PDFs stored and announced in {:.1} s = {:.1} invoices/s (publishing took {} s)",
        elapsed.as_secs_f64(),
        500.0 / elapsed.as_secs_f64(),
        published["seconds"]
    );
    stack.stop();
}

/// The invoice API and `infra/openapi.yaml` agree, through API Gateway's front as deployed:
/// schemathesis in both modes (schema-valid requests, and requests that break the schema:
/// wrong types, missing fields, bodies that are not UTF-8, odd headers), all four phases
/// (`stateful` follows the link from `POST /v1/invoices` to `GET /v1/invoices/{id}`), bounded in
/// examples and time. No server error, and only answers the spec describes. Its settings (which
/// answers are documented rejections the schema alone cannot judge) are in
/// `infra/schemathesis.toml`.
#[test]
fn the_api_keeps_its_openapi_contract_through_the_gateway_in_both_modes() {
    let _turn = ONE_STACK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let stack = LocalStack::start();
    let api = stack.state["api_url"]
        .as_str()
        .expect("the API's URL")
        .to_owned();
    // schemathesis keeps a cache folder where it runs: a scratch folder, not the repository.
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let root = repo_root();
    let output = Command::new(root.join(".tools/venv/bin/schemathesis"))
        .current_dir(scratch.path())
        .arg("--config-file")
        .arg(root.join("infra/schemathesis.toml"))
        .arg("run")
        .arg(root.join("infra/openapi.yaml"))
        .args(["--url", &api])
        .args(["--checks", "all"])
        .args(["--phases", "examples,coverage,fuzzing,stateful"])
        .args(["--mode", "all"])
        .args(["--max-examples", "25", "--max-time", "120"])
        .args(["--workers", "2", "--seed", "20261201"])
        .args(["--generation-database", "none"])
        .args(["--no-color"])
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .output()
        .expect("schemathesis runs (make tools installs it)");
    let report = String::from_utf8_lossy(&output.stdout).into_owned();
    let log = stack.stop();
    assert!(
        output.status.success(),
        "schemathesis found disagreements:\n{report}\n{}\nstack log:\n{log}",
        String::from_utf8_lossy(&output.stderr)
    );
    // It really tested all three operations.
    assert!(report.contains("Tested: 3"), "{report}");
}

/// With `--endpoint`, the stack uses the emulator the user runs, creates its resources there,
/// and leaves it running when it stops.
#[test]
fn a_running_emulator_is_used_and_left_running() {
    let _turn = ONE_STACK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let moto = Moto::start();
    let stack = LocalStack::start_with(&["--endpoint", moto.endpoint()]);
    assert_eq!(stack.state["endpoint"], moto.endpoint());
    // moto's own view of its state: the template's topics are there.
    let data = http_get(&format!("{}/moto-api/data.json", moto.endpoint())).expect("moto answers");
    assert!(
        String::from_utf8_lossy(&data.body).contains("paperflow-dev-invoice-events"),
        "the template's topics are in the user's emulator"
    );
    stack.stop();
    let after = http_get(&format!("{}/moto-api/", moto.endpoint())).expect("still running");
    assert_eq!(after.status, 200, "the user's emulator is not stopped");
}

/// A template the local stack cannot run is refused before anything starts, with the place
/// and the reason.
#[test]
fn an_unsupported_template_is_refused_with_its_place() {
    let dir = tempfile::tempdir().expect("a folder");
    let template = dir.path().join("template.yaml");
    std::fs::write(
        &template,
        "Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n    Properties: {}\n",
    )
    .expect("a template");
    let output = Command::new(env!("CARGO_BIN_EXE_paperflow"))
        .current_dir(repo_root())
        .args(["local", "--template"])
        .arg(&template)
        .arg("--state-dir")
        .arg(dir.path())
        .output()
        .expect("paperflow local runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("Table"), "names the resource: {stderr}");
    assert!(
        stderr.contains("AWS::DynamoDB::Table"),
        "names the type: {stderr}"
    );
    assert!(!dir.path().join("stack.json").exists(), "nothing started");
}
