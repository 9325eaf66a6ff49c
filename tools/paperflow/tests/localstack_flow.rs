//! The same end-to-end flow as `local_stack.rs`, against a second emulator no one here wrote:
//! LocalStack community (from `.tools/localstack-venv`, which `make test-stack` installs with
//! scripts/install-localstack.sh), started on a free loopback port with a folder of its own,
//! and `paperflow local --endpoint` pointed at it.
//!
//! LocalStack's account is 000000000000 and it has no SES v2: the stack takes the account from
//! the emulator, says once that the mailer is unavailable, and runs the rest: invoices through
//! SNS to PDFs in S3 with ready notices, the event archive, and the HTTP API.

use paperflow_local::localstack::LocalStackServer;
use paperflow_local::process::{Signal, signal_group, signal_process};
use paperflow_tests::repo_root;
use serde_json::Value;
use std::collections::BTreeMap;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long the first start may take: it builds the functions.
const READY: Duration = Duration::from_secs(1200);

/// The account LocalStack answers STS GetCallerIdentity with for any non-numeric access key.
const LOCALSTACK_ACCOUNT: &str = "000000000000";

/// `paperflow local --endpoint <LocalStack>`, stopped with Ctrl-C (or killed on a failure).
struct PaperflowLocal {
    child: Option<Child>,
    dir: PathBuf,
    state: Value,
}

impl PaperflowLocal {
    fn start(endpoint: &str, dir: &Path) -> PaperflowLocal {
        let log = std::fs::File::create(dir.join("stack.log")).expect("a log file");
        let child = Command::new(env!("CARGO_BIN_EXE_paperflow"))
            .current_dir(repo_root())
            .args(["local", "--endpoint", endpoint, "--state-dir"])
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .process_group(0)
            .spawn()
            .expect("paperflow local starts");
        let mut stack = PaperflowLocal {
            child: Some(child),
            dir: dir.to_owned(),
            state: Value::Null,
        };
        let state_path = stack.state_path();
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
        stack.state = serde_json::from_slice(&std::fs::read(&state_path).expect("the state file"))
            .expect("the state file is JSON");
        stack
    }

    fn state_path(&self) -> PathBuf {
        self.dir.join("stack.json")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("stack.log")).unwrap_or_default()
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
            "local_producer.py {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stderr),
            self.log()
        );
        serde_json::from_slice(&output.stdout).expect("the producer answers JSON")
    }

    /// Ctrl-C; the command exits 0. Its log.
    fn stop(mut self) -> String {
        let mut child = self.child.take().expect("running");
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
        log
    }
}

impl Drop for PaperflowLocal {
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

fn notices_of_type<'a>(notices: &'a [Value], event_type: &str) -> BTreeMap<String, &'a Value> {
    notices
        .iter()
        .filter(|notice| notice["type"] == event_type)
        .map(|notice| {
            (
                notice["subject"].as_str().unwrap_or_default().to_owned(),
                notice,
            )
        })
        .collect()
}

/// One story against one LocalStack: its account in every ARN, the mailer named unavailable
/// once, invoices through SNS to PDFs and ready notices, one through the API, the archive
/// traced, then Ctrl-C and LocalStack stopped by its PID.
#[test]
fn localstack_runs_the_flow_without_ses_v2_and_in_its_own_account() {
    let root = repo_root();
    let scratch = tempfile::tempdir().expect("a scratch folder");
    // Its error names scripts/install-localstack.sh when LocalStack is not installed.
    let localstack = LocalStackServer::start_for_project(&root, scratch.path())
        .unwrap_or_else(|error| panic!("LocalStack starts: {error}"));
    let localstack_pid = localstack.pid().expect("LocalStack runs");
    let endpoint = localstack.endpoint();
    let state_dir = scratch.path().join("state");
    std::fs::create_dir_all(&state_dir).expect("a state folder");
    let stack = PaperflowLocal::start(&endpoint, &state_dir);

    // The account is LocalStack's own, in the state file and in every ARN the template built.
    assert_eq!(
        stack.state["account"], LOCALSTACK_ACCOUNT,
        "{}",
        stack.state
    );
    let invoice_topic = stack.state["outputs"]["InvoiceEventsTopicArn"]
        .as_str()
        .expect("the invoice topic's ARN");
    assert_eq!(
        invoice_topic,
        format!("arn:aws:sns:us-east-1:{LOCALSTACK_ACCOUNT}:paperflow-dev-invoice-events")
    );
    // SES v2 is missing: the mailer is unavailable, said once, and the others run.
    assert!(
        stack.state["unavailable"]["pdf-mailer"]
            .as_str()
            .is_some_and(|why| why.contains("SES v2")),
        "{}",
        stack.state
    );
    let functions = stack.state["functions"].as_object().expect("functions");
    for running in ["pdf-generator", "event-archiver", "invoice-api"] {
        assert!(
            functions.contains_key(running),
            "{running} runs: {functions:?}"
        );
    }
    assert!(!functions.contains_key("pdf-mailer"), "{functions:?}");
    let said =
        format!("LocalStack at {endpoint} has no SES v2: pdf-mailer is unavailable; the rest runs");
    assert_eq!(stack.log().matches(&said).count(), 1, "{}", stack.log());

    // Invoices through SNS: two valid, one invalid.
    let observer = stack.producer(&["observe"])["queue_url"]
        .as_str()
        .expect("an observer queue")
        .to_owned();
    let published = stack.producer(&[
        "publish",
        "samples/invoice-small.json",
        "samples/invoice-jpy.json",
        "samples/invoice-invalid.json",
    ]);
    assert_eq!(published["published"].as_array().map(Vec::len), Some(3));

    // The direct way through the HTTP API.
    let api_pdf = scratch.path().join("api.pdf");
    let answer = stack.producer(&[
        "render",
        "samples/invoice-small.json",
        "-o",
        api_pdf.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(answer["status"], 200, "{answer}");
    assert_eq!(answer["content_type"], "application/pdf");

    let collected = stack.producer(&[
        "collect",
        "--queue",
        &observer,
        "--expect",
        "3",
        "--timeout",
        "300",
    ]);
    let notices = collected["notices"].as_array().cloned().unwrap_or_default();
    assert_eq!(collected["complete"], true, "{notices:#?}\n{}", stack.log());
    let ready = notices_of_type(&notices, "invoice.pdf.ready.v1");
    let failed = notices_of_type(&notices, "invoice.pdf.failed.v1");
    assert_eq!(ready.len(), 2, "{notices:#?}");
    assert_eq!(failed.len(), 1, "{notices:#?}");
    assert!(
        notices_of_type(&notices, "invoice.emailed.v1").is_empty(),
        "no mailer, no e-mail: {notices:#?}"
    );

    // Each ready notice names a stored PDF whose bytes it describes; the small invoice's is the
    // API's PDF byte for byte (one renderer, the same input).
    for (id, notice) in &ready {
        let stored = scratch.path().join(format!("{}.pdf", id.replace('/', "_")));
        stack.producer(&[
            "get",
            "--bucket",
            notice["data"]["bucket"].as_str().expect("bucket"),
            "--key",
            notice["data"]["key"].as_str().expect("key"),
            "-o",
            stored.to_str().expect("utf-8"),
        ]);
        let bytes = std::fs::read(&stored).expect("the stored PDF");
        assert_eq!(
            notice["data"]["size"].as_u64(),
            Some(bytes.len() as u64),
            "{id}"
        );
        assert!(bytes.starts_with(b"%PDF-"), "{id}: a PDF");
        if id == "INV-2026-000123" {
            assert!(
                bytes == std::fs::read(&api_pdf).expect("the API's PDF"),
                "{id}: the stored PDF equals the API's"
            );
        }
    }

    // The archive holds the flow: `paperflow trace` reads it back from LocalStack's S3.
    let correlation = published["published"][0]["correlation_id"]
        .as_str()
        .expect("a correlation id")
        .to_owned();
    let archive = stack.state["outputs"]["ArchiveBucketName"]
        .as_str()
        .expect("the archive bucket")
        .to_owned();
    let deadline = Instant::now() + Duration::from_secs(60);
    let trace = loop {
        let output = Command::new(env!("CARGO_BIN_EXE_paperflow"))
            .args([
                "trace",
                &correlation,
                "--json",
                "--archive-bucket",
                &archive,
            ])
            .env("AWS_ENDPOINT_URL", &endpoint)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .output()
            .expect("paperflow trace runs");
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        // The archiver batches for a second: poll the archive until the ready notice is in it.
        if text.contains("invoice.pdf.ready.v1") || Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(Duration::from_secs(2));
    };
    for step in ["invoice.finalized.v1", "invoice.pdf.ready.v1"] {
        assert!(trace.contains(step), "the trace holds {step}:\n{trace}");
    }

    let log = stack.stop();
    assert!(log.contains("→ pdf-generator"), "the flow ran:\n{log}");
    // The user's emulator is left running by the stack; the test's guard stops it by its PID.
    assert!(!paperflow_tests::process_is_gone(localstack_pid));
    drop(localstack);
    assert!(
        paperflow_tests::process_is_gone(localstack_pid),
        "LocalStack is stopped by its PID"
    );
}
