//! The operator's night, end to end through `paperflow local`: a deployment with a wrong
//! environment value sends 50 invoices to the dead-letter queue; `paperflow dlq` lists and shows
//! them; the fixed deployment takes them back with `redrive`; a mailer with a wrong topic fills
//! its on-failure destination, and `redrive` invokes it again once fixed. At the end every PDF
//! is in S3 once, every e-mail in moto's outbox once, and no dead letter is left.
//!
//! One moto server of the test's own outlives three starts of the stack (`--endpoint`): the
//! broken one, one with only the mailer broken, and the fixed one. Each start reads a copy of
//! infra/sam/template.yaml in which only what the test says differs (see [`template`]).

use paperflow_local::process::{Signal, signal_group, signal_process};
use paperflow_tests::moto::{Moto, http_get};
use paperflow_tests::repo_root;
use serde_json::Value;
use std::collections::BTreeSet;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// How long the first start may take: it builds the functions.
const READY: Duration = Duration::from_secs(1200);

/// How long the pipeline may take to bring 50 messages to where the test waits for them.
const SETTLE: Duration = Duration::from_secs(300);

const INVOICES: usize = 50;

/// A bucket that does not exist: the wrong environment value.
const WRONG_BUCKET: &str = "paperflow-dlq-test-no-such-bucket";

/// A topic that does not exist: the mailer's wrong value. It sends the e-mail, then cannot
/// announce it, and fails; Lambda retries it (the claim says "sent": no second e-mail) and
/// gives up into mailer-failures. A wrong bucket would not do: the mailer rejects a notice
/// whose PDF is not in its own bucket for good, and nothing is left to redrive.
const WRONG_TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:paperflow-dlq-test-no-such-topic";

/// Which functions a template copy breaks.
#[derive(Clone, Copy)]
struct Broken {
    generator: bool,
    mailer: bool,
}

/// infra/sam/template.yaml with the pdf-generator given [`WRONG_BUCKET`] as `DOCUMENTS_BUCKET`
/// and the mailer [`WRONG_TOPIC`] as `DOCUMENT_EVENTS_TOPIC_ARN` when `broken` says so, and the
/// pdf-requests queue made quick to give up (visibility 2 s, maxReceiveCount 2, no batching
/// window) so that the dead-letter queue fills in seconds instead of 5 × 210 s. The same quick
/// queue in every copy: SQS refuses to create a queue again with other attributes.
fn template(dir: &Path, name: &str, broken: Broken) -> PathBuf {
    let mut text =
        std::fs::read_to_string(repo_root().join("infra/sam/template.yaml")).expect("template");
    let replace_after = |text: &mut String, anchor: &str, from: &str, to: &str| {
        let start = text
            .find(anchor)
            .unwrap_or_else(|| panic!("{anchor:?} in the template"));
        let offset = text[start..]
            .find(from)
            .unwrap_or_else(|| panic!("{from:?} after {anchor:?} in the template"));
        text.replace_range(start + offset..start + offset + from.len(), to);
    };
    let queue = "  PdfRequestsQueue:\n";
    replace_after(
        &mut text,
        queue,
        "VisibilityTimeout: !Ref QueueVisibilityTimeout",
        "VisibilityTimeout: 2",
    );
    replace_after(&mut text, queue, "maxReceiveCount: 5", "maxReceiveCount: 2");
    replace_after(
        &mut text,
        "Binary: pdf-generator",
        "MaximumBatchingWindowInSeconds: 1",
        "MaximumBatchingWindowInSeconds: 0",
    );
    if broken.generator {
        replace_after(
            &mut text,
            "Binary: pdf-generator",
            "DOCUMENTS_BUCKET: !Ref DocumentsBucket",
            &format!("DOCUMENTS_BUCKET: {WRONG_BUCKET}"),
        );
    }
    if broken.mailer {
        replace_after(
            &mut text,
            "Binary: pdf-mailer",
            "DOCUMENT_EVENTS_TOPIC_ARN: !Ref DocumentEventsTopic",
            &format!("DOCUMENT_EVENTS_TOPIC_ARN: {WRONG_TOPIC}"),
        );
    }
    let path = dir.join(name);
    std::fs::write(&path, text).expect("a template copy");
    path
}

/// A `paperflow local` on the test's moto.
struct LocalStack {
    child: Option<Child>,
    dir: tempfile::TempDir,
}

impl LocalStack {
    fn start(template: &Path, moto: &Moto) -> LocalStack {
        let dir = tempfile::tempdir().expect("a state folder");
        let log = std::fs::File::create(dir.path().join("stack.log")).expect("a log file");
        let child = Command::new(env!("CARGO_BIN_EXE_paperflow"))
            .current_dir(repo_root())
            .args([
                "local",
                "--no-reload",
                "--retry-delays",
                "0,0",
                "--template",
            ])
            .arg(template)
            .args(["--endpoint", moto.endpoint(), "--state-dir"])
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .process_group(0)
            .spawn()
            .expect("paperflow local starts");
        let mut stack = LocalStack {
            child: Some(child),
            dir,
        };
        let deadline = Instant::now() + READY;
        while !stack.state_path().exists() {
            let exited = stack
                .child
                .as_mut()
                .and_then(|child| child.try_wait().ok().flatten());
            assert!(
                exited.is_none(),
                "paperflow local stopped:\n{}",
                stack.log()
            );
            assert!(Instant::now() < deadline, "not ready:\n{}", stack.log());
            std::thread::sleep(Duration::from_millis(500));
        }
        stack
    }

    fn state_path(&self) -> PathBuf {
        self.dir.path().join("stack.json")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("stack.log")).unwrap_or_default()
    }

    /// `paperflow dlq ARGS --json` on this stack; its lines.
    fn dlq(&self, args: &[&str]) -> Vec<Value> {
        let output = self.dlq_output(args);
        assert!(
            output.status.success(),
            "paperflow dlq {args:?}: {}\n{}",
            String::from_utf8_lossy(&output.stderr),
            String::from_utf8_lossy(&output.stdout)
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|line| serde_json::from_str(line).expect("JSON lines"))
            .collect()
    }

    fn dlq_output(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_paperflow"))
            .current_dir(repo_root())
            .arg("dlq")
            .args(args)
            .arg("--json")
            .arg("--state")
            .arg(self.state_path())
            .output()
            .expect("paperflow dlq runs")
    }

    /// How many messages `paperflow dlq list` counts in the queue `logical_id`.
    fn count(&self, logical_id: &str) -> u64 {
        self.dlq(&["list"])
            .iter()
            .find(|row| row["logical_id"] == logical_id)
            .and_then(|row| row["messages"].as_u64())
            .unwrap_or_else(|| panic!("{logical_id} in paperflow dlq list"))
    }

    /// Waits until the queue holds `expected` messages, asking again after each answer.
    fn wait_for(&self, logical_id: &str, expected: u64) {
        let deadline = Instant::now() + SETTLE;
        loop {
            let count = self.count(logical_id);
            if count == expected {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{logical_id} holds {count}, not {expected}:\n{}",
                self.log()
            );
        }
    }

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
            .expect("the producer runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("JSON")
    }

    /// Ctrl-C, and the command exits 0.
    fn stop(mut self) {
        let mut child = self.child.take().expect("running");
        signal_process(child.id(), Signal::INT);
        let deadline = Instant::now() + Duration::from_secs(90);
        let status = loop {
            if let Some(status) = child.try_wait().expect("waitable") {
                break status;
            }
            assert!(Instant::now() < deadline, "no exit:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(200));
        };
        assert!(status.success(), "{status}:\n{}", self.log());
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

/// moto's view of its state.
fn moto_data(moto: &Moto) -> Value {
    serde_json::from_slice(
        &http_get(&format!("{}/moto-api/data.json", moto.endpoint()))
            .expect("moto answers")
            .body,
    )
    .expect("JSON")
}

/// The keys of every PDF in the bucket.
fn pdf_keys(moto: &Moto, bucket: &str) -> BTreeSet<String> {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let s3 = aws_sdk_s3::Client::new(&moto.sdk_config().await);
        let mut keys = BTreeSet::new();
        let mut pages = s3
            .list_objects_v2()
            .bucket(bucket)
            .prefix("invoices/")
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.expect("the bucket lists");
            keys.extend(
                page.contents()
                    .iter()
                    .filter_map(|object| object.key())
                    .filter(|key| key.ends_with(".pdf"))
                    .map(str::to_owned),
            );
        }
        keys
    })
}

/// One story, three deployments: longer than 100 lines because each step reads the state the
/// previous one left in the one emulator.
#[test]
fn fifty_dead_letters_are_redriven_after_the_fix_and_every_pdf_and_email_appears_once() {
    let moto = Moto::start();
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let broken = template(
        scratch.path(),
        "broken.yaml",
        Broken {
            generator: true,
            mailer: true,
        },
    );
    let mailer_broken = template(
        scratch.path(),
        "mailer-broken.yaml",
        Broken {
            generator: false,
            mailer: true,
        },
    );
    let fixed = template(
        scratch.path(),
        "fixed.yaml",
        Broken {
            generator: false,
            mailer: false,
        },
    );

    // 1. Broken: every invoice ends in the pdf-requests DLQ.
    let stack = LocalStack::start(&broken, &moto);
    let copies = INVOICES.to_string();
    let published = stack.producer(&["publish", "--copies", &copies, "samples/invoice-small.json"]);
    let sent: BTreeSet<(String, String)> = published["published"]
        .as_array()
        .expect("published")
        .iter()
        .map(|p| {
            (
                p["invoice_id"].as_str().expect("id").to_owned(),
                p["correlation_id"]
                    .as_str()
                    .expect("correlation")
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(sent.len(), INVOICES);
    stack.wait_for("PdfRequestsDeadLetterQueue", INVOICES as u64);
    let listed = stack.dlq(&["list"]);
    let row = listed
        .iter()
        .find(|row| row["logical_id"] == "PdfRequestsDeadLetterQueue")
        .expect("the DLQ is listed");
    assert!(row["oldest_age_s"].as_i64().is_some(), "an age: {row}");
    assert_eq!(row["redrive_to"], "queue paperflow-dev-pdf-requests");
    let shown = stack.dlq(&["show", "pdf-requests-dlq"]);
    let decoded: BTreeSet<(String, String)> = shown
        .iter()
        .map(|letter| {
            assert_eq!(letter["type"], "invoice.finalized.v1", "{letter}");
            assert!(
                letter["reason"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("no reason recorded"),
                "{letter}"
            );
            (
                letter["invoice_id"].as_str().unwrap_or_default().to_owned(),
                letter["correlation_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(decoded, sent, "show decodes every dead letter");
    stack.stop();

    // 2. The generator fixed, the mailer still broken: the redrive makes every PDF, and the
    // mailer's failures land in its on-failure destination with the reason.
    let stack = LocalStack::start(&mailer_broken, &moto);
    let redriven = stack.dlq(&["redrive", "pdf-requests-dlq"]);
    let summary = redriven.last().expect("a summary");
    assert_eq!(summary["moved"], INVOICES, "{redriven:#?}");
    assert_eq!(summary["left"], 0);
    stack.wait_for("MailerFailuresQueue", INVOICES as u64);
    assert_eq!(stack.count("PdfRequestsDeadLetterQueue"), 0);
    let failures = stack.dlq(&["show", "mailer-failures"]);
    assert_eq!(failures.len(), INVOICES, "{failures:#?}");
    for failure in &failures {
        assert_eq!(failure["shape"], "lambda-destination-record", "{failure}");
        assert_eq!(failure["type"], "invoice.pdf.ready.v1", "{failure}");
        let reason = failure["reason"].as_str().unwrap_or_default();
        assert!(
            reason.starts_with("RetriesExhausted after 3 invocation(s)"),
            "{failure}"
        );
    }
    let mailed: BTreeSet<&str> = failures
        .iter()
        .filter_map(|failure| failure["invoice_id"].as_str())
        .collect();
    assert_eq!(mailed.len(), INVOICES, "one failure per invoice");
    let dry = stack.dlq(&["redrive", "mailer-failures", "--dry-run"]);
    assert!(
        dry.iter().all(|line| line["dry_run"] == "redrive"),
        "{dry:#?}"
    );
    stack.stop();

    // 3. Fixed: the mailer is invoked again with each original event.
    let stack = LocalStack::start(&fixed, &moto);
    let redriven = stack.dlq(&["redrive", "mailer-failures"]);
    let summary = redriven.last().expect("a summary");
    assert_eq!(summary["moved"], INVOICES, "{redriven:#?}");
    assert_eq!(summary["to"], "function paperflow-local-PdfMailerFunction");
    for row in stack.dlq(&["list"]) {
        assert_eq!(row["messages"], 0, "no dead letter is left: {row}");
    }
    let data = moto_data(&moto);
    let state: Value =
        serde_json::from_slice(&std::fs::read(stack.state_path()).expect("state")).expect("JSON");
    let bucket = state["outputs"]["DocumentsBucketName"]
        .as_str()
        .expect("the documents bucket")
        .to_owned();
    stack.stop();

    // Every PDF once: one r1.pdf per invoice, and nothing else rendered.
    let pdfs = pdf_keys(&moto, &bucket);
    let expected: BTreeSet<String> = sent
        .iter()
        .map(|(id, _)| format!("invoices/{id}/r1.pdf"))
        .collect();
    assert_eq!(pdfs, expected, "one PDF per invoice");
    // Every e-mail once.
    let outbox = data["ses"]["RawMessage"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(outbox.len(), INVOICES, "one e-mail per invoice");
    for (id, _) in &sent {
        let count = outbox
            .iter()
            .filter(|message| message.to_string().contains(id.as_str()))
            .count();
        assert_eq!(count, 1, "e-mails about {id}");
    }
}
