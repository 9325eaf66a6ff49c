//! The project's functions as built Lambda functions: `cargo lambda watch` runs them on loopback
//! against moto, exactly as a developer would by hand; `cargo lambda invoke` sends them trigger
//! events, and each function's URL (`/lambda-url/<function>/…`) takes HTTP requests in API
//! Gateway's payload format 2.0.
//!
//! `cargo lambda watch` builds a function on its first invoke, which takes minutes on a busy
//! machine; the waits below allow for that and fail with the watch's log.

use crate::moto::{Moto, free_port};
use crate::repo_root;
use paperflow_local::process::{Signal, signal_group};
use serde_json::Value;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a first invoke may take, build included.
const FIRST_INVOKE: Duration = Duration::from_secs(300);

/// The project's cargo-lambda (installed by `make tools`).
pub fn cargo_lambda() -> PathBuf {
    let path = repo_root().join(".tools/venv/bin/cargo-lambda");
    assert!(
        path.exists(),
        "{} is missing: run `make tools`",
        path.display()
    );
    path
}

/// A running `cargo lambda watch`, stopped (with everything it started) when dropped.
pub struct Watch {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Watch {
    /// Starts `cargo lambda watch` on a free loopback port, every function seeing `env` and
    /// moto's endpoint and credentials. Code changes are not reloaded: the tests run what they
    /// built.
    pub fn start(moto: &Moto, env: &[(&str, &str)]) -> Watch {
        let port = free_port();
        let log_path = std::env::temp_dir().join(format!("cargo-lambda-watch-{port}.log"));
        let log = std::fs::File::create(&log_path).expect("a log file");
        let mut command = Command::new(cargo_lambda());
        command
            .current_dir(repo_root())
            // `-A 127.0.0.1`: its default binds every interface. Not `--only-lambda-apis`:
            // with it, the function is never started.
            .args(["lambda", "watch", "--ignore-changes", "-A", "127.0.0.1"])
            .args(["-P", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("a log handle"))
            .stderr(log)
            // Its own process group, so that dropping the watch stops the functions too.
            .process_group(0);
        for (name, value) in env {
            command.args(["--env-var", &format!("{name}={value}")]);
        }
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
                "cargo lambda watch did not listen on {port}:\n{}",
                watch.log_tail()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        watch
    }

    /// The loopback port the watch listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The base URL of `function`'s function URL: `http://127.0.0.1:<port>/lambda-url/<function>`.
    pub fn function_url(&self, function: &str) -> String {
        format!("http://127.0.0.1:{}/lambda-url/{function}", self.port)
    }

    /// Sends `events/<event_file>` to `function` with `cargo lambda invoke`; its JSON answer.
    pub fn invoke(&self, function: &str, event_file: &str) -> Value {
        let mut child = Command::new(cargo_lambda())
            .current_dir(repo_root())
            .args(["lambda", "invoke", function, "-A", "127.0.0.1"])
            .args(["-P", &self.port.to_string()])
            .args(["--data-file", &format!("events/{event_file}")])
            .args(["--output-format", "json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cargo lambda invoke runs");
        let deadline = Instant::now() + FIRST_INVOKE;
        while child
            .try_wait()
            .expect("the invoke can be waited for")
            .is_none()
        {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!(
                    "invoke {function} {event_file} took over {FIRST_INVOKE:?}; watch log:\n{}",
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let output = child.wait_with_output().expect("the invoke's output");
        assert!(
            output.status.success(),
            "invoke {function} {event_file} failed: {}\n{}\nwatch log:\n{}",
            String::from_utf8_lossy(&output.stderr),
            String::from_utf8_lossy(&output.stdout),
            self.log_tail()
        );
        serde_json::from_slice(&output.stdout).expect("the response is JSON")
    }

    /// Waits until `function` answers an HTTP GET of `path` on its function URL (it is built on
    /// the first request), and returns that answer's status.
    pub fn warm_up(&self, function: &str, path: &str) -> u16 {
        let url = format!("{}{path}", self.function_url(function));
        let deadline = Instant::now() + FIRST_INVOKE;
        loop {
            if let Ok(reply) = crate::moto::http_get_with_timeout(&url, FIRST_INVOKE) {
                return reply.status;
            }
            assert!(
                Instant::now() < deadline,
                "{function} did not answer within {FIRST_INVOKE:?}; watch log:\n{}",
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }

    /// The last lines of the watch's log.
    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let group = self.child.id();
        signal_group(group, Signal::TERM);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        signal_group(group, Signal::KILL);
        let _ = self.child.wait();
    }
}
