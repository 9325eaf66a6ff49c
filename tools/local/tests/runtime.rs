//! The function runtime against a real `cargo build` and a real `cargo lambda watch`: a small
//! project of its own (a function on the Lambda runtime API with nothing but std, so it builds in
//! a second) is built, run with its template environment only, replaced after a timeout, and
//! rebuilt when its source changes, between invocations and never in the middle of one; and
//! killed mid-invocation by `--kill-rate`, as a crashed execution environment.

mod common;

use common::function_spec;
use paperflow_local::faults::{FaultLog, KillSwitch};
use paperflow_local::invoke::{Invoke, InvokeError};
use paperflow_local::progress::Reporter;
use paperflow_local::runtime::{FunctionRuntime, RuntimeOptions};
use paperflow_tests::watch::cargo_lambda;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

const BINARY: &str = "echo-fn";

/// A Lambda function in plain std: it answers each invocation with its version, the template's
/// `GREETING`, and whether it sees `HOME` (a variable of the shell that started the stack, which
/// Lambda does not give). A payload with `sleep` makes it take two seconds (and write the file
/// `SLEEP_STARTED_FILE` names as it starts), `hang` ten.
fn function_source(version: &str) -> String {
    r##"use std::io::{Read, Write};
use std::net::TcpStream;

const VERSION: &str = "@VERSION@";

fn call(host: &str, method: &str, path: &str, body: &[u8]) -> (String, Vec<u8>) {
    let mut stream = TcpStream::connect(host).expect("the runtime API");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("a request");
    stream.write_all(body).expect("a body");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("an answer");
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").expect("a head");
    (String::from_utf8_lossy(&answer[..split]).into_owned(), answer[split + 4..].to_vec())
}

fn main() {
    let api = std::env::var("AWS_LAMBDA_RUNTIME_API").expect("AWS_LAMBDA_RUNTIME_API");
    let api = api.trim_start_matches("http://");
    let (host, base) = match api.split_once('/') {
        Some((host, path)) => (host.to_owned(), format!("/{path}")),
        None => (api.to_owned(), String::new()),
    };
    loop {
        let next = format!("{base}/2018-06-01/runtime/invocation/next");
        let (head, payload) = call(&host, "GET", &next, b"");
        let id = head
            .lines()
            .filter_map(|line| line.split_once(':'))
            .find(|(name, _)| name.eq_ignore_ascii_case("lambda-runtime-aws-request-id"))
            .map(|(_, value)| value.trim().to_owned())
            .expect("a request id");
        let payload = String::from_utf8_lossy(&payload);
        if payload.contains("sleep") {
            // Tells the test that this invocation is under way.
            if let Ok(marker) = std::env::var("SLEEP_STARTED_FILE") {
                std::fs::write(marker, VERSION).expect("the marker");
            }
            std::thread::sleep(std::time::Duration::from_secs(2));
        }
        if payload.contains("hang") {
            std::thread::sleep(std::time::Duration::from_secs(10));
        }
        let greeting = std::env::var("GREETING").unwrap_or_default();
        let home = std::env::var_os("HOME").is_some();
        let answer = format!(r#"{{"version":"{VERSION}","greeting":"{greeting}","home":{home}}}"#);
        let response = format!("{base}/2018-06-01/runtime/invocation/{id}/response");
        call(&host, "POST", &response, answer.as_bytes());
    }
}
"##
    .replace("@VERSION@", version)
}

fn write_project(root: &Path, source: &str) {
    std::fs::create_dir_all(root.join("src")).expect("src");
    std::fs::write(
        root.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{BINARY}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n"
        ),
    )
    .expect("Cargo.toml");
    edit(root, source);
}

/// Writes main.rs with a modification time ahead of the last one: two edits within the
/// file system's clock resolution must still count as two.
fn edit(root: &Path, source: &str) {
    let main = root.join("src/main.rs");
    let previous = paperflow_local::sources::modified(&main);
    std::fs::write(&main, source).expect("main.rs");
    if let Some(previous) = previous {
        std::fs::File::options()
            .write(true)
            .open(&main)
            .and_then(|file| file.set_modified(previous + Duration::from_secs(1)))
            .expect("main.rs touched");
    }
}

async fn answer(runtime: &FunctionRuntime, payload: &str) -> Result<Value, InvokeError> {
    let invocation = runtime.invoke(BINARY, payload.as_bytes().to_vec()).await?;
    assert_eq!(invocation.function_error, None, "{invocation:?}");
    Ok(serde_json::from_slice(&invocation.payload).expect("a JSON answer"))
}

async fn version(runtime: &FunctionRuntime) -> String {
    answer(runtime, "{}").await.expect("an answer")["version"]
        .as_str()
        .expect("a version")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn functions_get_their_template_environment_and_a_source_change_rebuilds_them_between_invocations()
 {
    let project = tempfile::tempdir().expect("a project folder");
    let root = project.path();
    write_project(root, &function_source("v1"));
    let mut spec = function_spec("Echo", BINARY);
    spec.timeout_s = 3;
    spec.environment.insert("GREETING".into(), "hello".into());
    let sleep_started = root.join("sleep-started");
    spec.environment.insert(
        "SLEEP_STARTED_FILE".into(),
        sleep_started.display().to_string(),
    );
    let options = RuntimeOptions {
        project: root.to_owned(),
        cargo_lambda: cargo_lambda(),
        release: false,
        log_dir: root.join("logs"),
        kills: None,
    };
    let runtime = FunctionRuntime::start(&[spec], &[], &options, &Reporter::new(false))
        .await
        .expect("the runtime starts");

    // Exactly the template's environment: its variable, none of the shell's.
    let first = answer(&runtime, "{}").await.expect("an answer");
    assert_eq!(first["greeting"], "hello", "{first}");
    assert_eq!(first["home"], false, "HOME leaked in: {first}");
    assert!(
        runtime.watched_sources().await >= 3,
        "main.rs, Cargo.toml and Cargo.lock are watched"
    );

    // Nothing changed: nothing is rebuilt, the same instance answers.
    runtime.reload_if_changed().await;
    assert_eq!(version(&runtime).await, "v1");

    // An edit while an invocation runs: that invocation ends on the old build, the next one
    // runs the new build.
    let (slow, ()) = tokio::join!(answer(&runtime, r#"{"do":"sleep"}"#), async {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while !sleep_started.exists() {
            assert!(
                std::time::Instant::now() < deadline,
                "the slow invocation did not start"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        edit(root, &function_source("v2"));
        runtime.reload_if_changed().await;
    });
    assert_eq!(slow.expect("the slow invocation ends")["version"], "v1");
    assert_eq!(version(&runtime).await, "v2");

    // A build that fails leaves the last good one running; the fix is picked up.
    edit(root, "fn main() { this is not rust }");
    runtime.reload_if_changed().await;
    assert_eq!(version(&runtime).await, "v2");
    edit(root, &function_source("v3"));
    runtime.reload_if_changed().await;
    assert_eq!(version(&runtime).await, "v3");

    // Past its timeout an invocation fails and the instance is replaced, as Lambda does.
    match answer(&runtime, r#"{"do":"hang"}"#).await {
        Err(InvokeError::Timeout(limit)) => assert_eq!(limit, Duration::from_secs(3)),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert_eq!(version(&runtime).await, "v3");

    let pids = runtime.pids().await;
    runtime.stop().await;
    for pid in pids {
        assert!(
            paperflow_tests::process_is_gone(pid),
            "process {pid} outlived the runtime"
        );
    }
}

/// A seed whose kill switch at `rate` kills the first invocation and spares the second: found
/// by asking a probe switch, so that the test does not depend on the generator's numbers.
fn seed_killing_first_only(rate: f64, log: &std::sync::Arc<FaultLog>) -> u64 {
    (0..1000)
        .find(|seed| {
            let probe = KillSwitch::new(rate, *seed, log.clone()).expect("a rate");
            probe.plan(BINARY).is_some() && probe.plan(BINARY).is_none()
        })
        .expect("a seed among the first thousand")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_invocation_fails_as_a_crash_and_a_fresh_process_serves_the_next() {
    let project = tempfile::tempdir().expect("a project folder");
    let root = project.path();
    write_project(root, &function_source("v1"));
    let mut spec = function_spec("Echo", BINARY);
    spec.timeout_s = 30;
    let log_path = root.join("faults.jsonl");
    let log = std::sync::Arc::new(FaultLog::create(&log_path).expect("the fault log"));
    let seed = seed_killing_first_only(0.5, &log);
    let kills = KillSwitch::new(0.5, seed, log.clone()).expect("a rate");
    let options = RuntimeOptions {
        project: root.to_owned(),
        cargo_lambda: cargo_lambda(),
        release: false,
        log_dir: root.join("logs"),
        kills: Some(std::sync::Arc::new(kills)),
    };
    let runtime = FunctionRuntime::start(&[spec], &[], &options, &Reporter::new(false))
        .await
        .expect("the runtime starts");
    let before = runtime.pids().await;

    // The hanging invocation runs ten seconds: its kill point (within the first 300 ms) comes
    // first.
    let killed = runtime
        .invoke(BINARY, br#"{"do":"hang"}"#.to_vec())
        .await
        .expect("an answer for the trigger");
    assert_eq!(killed.function_error.as_deref(), Some("Unhandled"));
    assert!(
        String::from_utf8_lossy(&killed.payload).contains("Runtime.ExitError"),
        "{killed:?}"
    );
    let lines = std::fs::read_to_string(&log_path).expect("the fault log");
    let kill: Value = serde_json::from_str(lines.lines().next().expect("one kill")).expect("JSON");
    assert_eq!(kill["kind"], "kill");
    assert_eq!(kill["resource"], BINARY);
    let killed_pid = kill["pid"]
        .as_u64()
        .and_then(|pid| u32::try_from(pid).ok())
        .expect("a pid");
    assert!(before.contains(&killed_pid), "{before:?} {kill}");
    assert!(paperflow_tests::process_is_gone(killed_pid));

    // The next invocation is spared and answered by the fresh process.
    assert_eq!(version(&runtime).await, "v1");
    assert!(!runtime.pids().await.contains(&killed_pid));
    assert_eq!(log.counts().get("echo-fn kill"), Some(&1));
    runtime.stop().await;
}
