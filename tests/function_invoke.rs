//! The pdf-generator as a built Lambda function: `cargo lambda watch` runs it (on loopback,
//! against moto), and `cargo lambda invoke` sends it each trigger event of `events/`, exactly
//! as a developer would by hand.

use paperflow_tests::moto::{Moto, free_port};
use paperflow_tests::repo_root;
use paperflow_tests::stack::{DOCUMENTS_BUCKET, TestStack};
use serde_json::Value;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn cargo_lambda() -> PathBuf {
    let path = repo_root().join(".tools/venv/bin/cargo-lambda");
    assert!(
        path.exists(),
        "{} is missing: run `make tools`",
        path.display()
    );
    path
}

/// `cargo lambda watch`, in its own process group so that it and the function it runs stop
/// together.
struct Watch {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Watch {
    fn start(moto: &Moto, topic_arn: &str) -> Watch {
        let port = free_port();
        let log_path = std::env::temp_dir().join(format!("cargo-lambda-watch-{port}.log"));
        let log = std::fs::File::create(&log_path).expect("a log file");
        let mut command = Command::new(cargo_lambda());
        command
            .current_dir(repo_root())
            .args([
                "lambda",
                "watch",
                "-A",
                "127.0.0.1",
                "-P",
                &port.to_string(),
            ])
            .args(["--env-var", &format!("DOCUMENTS_BUCKET={DOCUMENTS_BUCKET}")])
            .args([
                "--env-var",
                &format!("DOCUMENT_EVENTS_TOPIC_ARN={topic_arn}"),
            ])
            .args(["--env-var", "AWS_LAMBDA_LOG_FORMAT=JSON"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("a log handle"))
            .stderr(log)
            .process_group(0);
        for (name, value) in moto.env_for() {
            command.args(["--env-var", &format!("{name}={value}")]);
            command.env(name, value);
        }
        let child = command.spawn().expect("cargo lambda watch starts");
        let watch = Watch {
            child,
            port,
            log: log_path,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "cargo lambda watch did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        watch
    }

    /// Invokes the function with an event file and answers its JSON response. The first
    /// invocation waits for `cargo lambda watch` to build the function.
    fn invoke(&self, event_file: &str) -> Value {
        let mut child = Command::new(cargo_lambda())
            .current_dir(repo_root())
            .args([
                "lambda",
                "invoke",
                "pdf-generator",
                "-A",
                "127.0.0.1",
                "-P",
                &self.port.to_string(),
            ])
            .args([
                "--data-file",
                &format!("events/{event_file}"),
                "--output-format",
                "json",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cargo lambda invoke runs");
        let deadline = Instant::now() + Duration::from_secs(300);
        while child
            .try_wait()
            .expect("the invoke can be waited for")
            .is_none()
        {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!(
                    "invoke {event_file} took over 5 minutes; watch log:\n{}",
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let output = child.wait_with_output().expect("the invoke's output");
        assert!(
            output.status.success(),
            "invoke {event_file} failed: {}\n{}\nwatch log:\n{}",
            String::from_utf8_lossy(&output.stderr),
            String::from_utf8_lossy(&output.stdout),
            self.log_tail()
        );
        serde_json::from_slice(&output.stdout).expect("the response is JSON")
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        // The whole group: cargo lambda watch, cargo, and the function's process.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_built_function_answers_every_sample_event() {
    let moto = Moto::start();
    let stack = TestStack::create(&moto.sdk_config().await).await;
    let watch = Watch::start(&moto, &stack.document_events_arn);

    for file in [
        "sqs-raw-invoice-finalized.json",
        "sqs-sns-wrapped-invoice-finalized.json",
        "sqs-mixed-batch.json",
    ] {
        let response = tokio::task::block_in_place(|| watch.invoke(file));
        assert_eq!(
            response["batchItemFailures"],
            serde_json::json!([]),
            "{file}: only transient failures are listed, and there are none: {response}"
        );
    }
    let keys = stack.keys().await;
    assert!(
        keys.contains(&"invoices/INV-2026-000123/r1.pdf".to_owned()),
        "{keys:?}"
    );
    assert!(
        keys.contains(&"invoices/INV-2026-000125/r1.pdf".to_owned()),
        "{keys:?}"
    );
    // Raw and wrapped deliveries of one event, then the mixed batch: 2 ready (one repeated),
    // 1 ready and 3 failed.
    let notices = stack.notices(6, Duration::from_secs(10)).await;
    let count = |kind: &str| {
        notices
            .iter()
            .filter(|notice| notice["type"] == kind)
            .count()
    };
    assert_eq!(count("invoice.pdf.ready.v1"), 3, "{notices:?}");
    assert_eq!(count("invoice.pdf.failed.v1"), 3, "{notices:?}");
}
