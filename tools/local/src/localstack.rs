//! The launcher of LocalStack (community, no Docker), the second emulator the local stack is
//! tested against: installed by `scripts/install-localstack.sh` into `.tools/localstack-venv`,
//! started as `python -m localstack.runtime.main` on a free port of 127.0.0.1 with a data folder
//! of its own, and stopped by its process group when its owner is done (dropping a
//! [`LocalStackServer`] stops it, also when a test panics).
//!
//! [`SETTINGS`] is every variable it is started with, each one's reason beside it: it listens on
//! loopback only and reaches nothing outside the machine that it can do without.

use crate::http_client::blocking_request;
use crate::process::{free_port, stop_server_group};
use std::fs::OpenOptions;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long LocalStack may take to answer after it was started (it takes a few seconds).
const START_TIMEOUT: Duration = Duration::from_secs(90);

/// How long a stopped server may take to exit after SIGTERM before it gets SIGKILL.
const GRACE: Duration = Duration::from_secs(10);

/// How often a starting or stopping server is looked at.
const POLL: Duration = Duration::from_millis(100);

/// The services paperflow uses; SES v2 is not among LocalStack community's (probed, not assumed).
pub const SERVICES: &str = "s3,sns,sqs,ses,sts";

/// What LocalStack is started with besides `GATEWAY_LISTEN`, `LOCALSTACK_HOST` and its folders,
/// and why.
pub const SETTINGS: &[(&str, &str, &str)] = &[
    ("SERVICES", SERVICES, "only what paperflow uses is loaded"),
    (
        "GATEWAY_SERVER",
        "hypercorn",
        "the default server (twisted) binds 0.0.0.0 whatever GATEWAY_LISTEN says; hypercorn binds the address given",
    ),
    (
        "DNS_ADDRESS",
        "0",
        "no DNS server (it would listen on 0.0.0.0:53 and forward to upstream resolvers)",
    ),
    (
        "SQS_ENDPOINT_STRATEGY",
        "path",
        "queue URLs on the endpoint itself (http://127.0.0.1:PORT/queue/…), not under a public DNS name",
    ),
    (
        "DISABLE_EVENTS",
        "1",
        "no analytics events sent to LocalStack's servers",
    ),
    (
        "SKIP_SSL_CERT_DOWNLOAD",
        "1",
        "no download of LocalStack's signed TLS certificate at start",
    ),
];

/// Why LocalStack did not start.
#[derive(Debug, thiserror::Error)]
pub enum LocalStackError {
    /// The venv's Python is not installed where it was looked for.
    #[error(
        "{0} is missing: run scripts/install-localstack.sh (installs LocalStack into .tools/localstack-venv)"
    )]
    Missing(PathBuf),
    /// The process could not be started, or its log or folder not made.
    #[error("cannot start {what}: {source}")]
    Spawn {
        /// The program, the log file or the data folder.
        what: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The server exited before it answered (another process took its port, say).
    #[error("LocalStack on port {port} exited at start; its log: {log}")]
    Exited {
        /// The port it was given.
        port: u16,
        /// Its log.
        log: PathBuf,
    },
    /// The server runs but did not answer in time.
    #[error("LocalStack on port {port} did not answer within {START_TIMEOUT:?}; its log: {log}")]
    Timeout {
        /// The port it was given.
        port: u16,
        /// Its log.
        log: PathBuf,
    },
}

/// A running LocalStack of its owner's own, on `127.0.0.1:<port>`.
pub struct LocalStackServer {
    port: u16,
    child: Option<Child>,
}

impl LocalStackServer {
    /// Starts LocalStack with `python` (the venv's) on a free port, its files under `folder`
    /// (made if missing) and its output appended to `log`, and waits until it answers. One that
    /// exits at once (its port was taken between the probe and its bind) is started again on
    /// another port, three times at most.
    pub fn start(
        python: &Path,
        folder: &Path,
        log: &Path,
    ) -> Result<LocalStackServer, LocalStackError> {
        if !python.is_file() {
            return Err(LocalStackError::Missing(python.to_owned()));
        }
        std::fs::create_dir_all(folder).map_err(|source| LocalStackError::Spawn {
            what: folder.display().to_string(),
            source,
        })?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let port = free_port().map_err(|source| LocalStackError::Spawn {
                what: "a free port of 127.0.0.1".to_owned(),
                source,
            })?;
            match LocalStackServer::spawn(python, folder, log, port) {
                Err(LocalStackError::Exited { .. }) if attempt < 3 => continue,
                result => return result,
            }
        }
    }

    /// Starts the project's own LocalStack (scripts/install-localstack.sh) with its files in
    /// `scratch/localstack` and its output in `scratch/localstack.log`: what a test run needs.
    pub fn start_for_project(
        project: &Path,
        scratch: &Path,
    ) -> Result<LocalStackServer, LocalStackError> {
        LocalStackServer::start(
            &project_localstack_python(project),
            &scratch.join("localstack"),
            &scratch.join("localstack.log"),
        )
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The server's process id (also its process group's), while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Stops the server's whole process group (SIGTERM, then SIGKILL after a grace period) and
    /// reaps it.
    pub fn stop(&mut self) {
        if let Some(child) = self.child.take() {
            stop_server_group(child, GRACE, POLL);
        }
    }

    fn spawn(
        python: &Path,
        folder: &Path,
        log: &Path,
        port: u16,
    ) -> Result<LocalStackServer, LocalStackError> {
        let log_error = |source| LocalStackError::Spawn {
            what: format!("its log {}", log.display()),
            source,
        };
        let out = OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .map_err(log_error)?;
        let err = out.try_clone().map_err(log_error)?;
        let address = format!("127.0.0.1:{port}");
        let mut command = Command::new(python);
        // A clean environment: nothing of the caller's (an AWS_ENDPOINT_URL, a DEBUG, a proxy)
        // changes what it does; HOME is its own folder, so whatever it caches stays there.
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", folder)
            .env("FILESYSTEM_ROOT", folder.join("filesystem"))
            .env("GATEWAY_LISTEN", &address)
            .env("LOCALSTACK_HOST", &address);
        for (name, value, _) in SETTINGS {
            command.env(name, value);
        }
        let child = command
            .args(["-m", "localstack.runtime.main"])
            .current_dir(folder)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0)
            .spawn()
            .map_err(|source| LocalStackError::Spawn {
                what: python.display().to_string(),
                source,
            })?;
        let mut server = LocalStackServer {
            port,
            child: Some(child),
        };
        server.wait_until_answering(log)?;
        Ok(server)
    }

    fn wait_until_answering(&mut self, log: &Path) -> Result<(), LocalStackError> {
        let url = format!("{}/_localstack/health", self.endpoint());
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let running = self
                .child
                .as_mut()
                .is_some_and(|child| matches!(child.try_wait(), Ok(None)));
            if !running {
                self.stop();
                return Err(LocalStackError::Exited {
                    port: self.port,
                    log: log.to_owned(),
                });
            }
            let answer = blocking_request("GET", &url, &[], b"", Duration::from_secs(2));
            if matches!(answer, Ok(reply) if reply.status == 200) {
                return Ok(());
            }
            if Instant::now() > deadline {
                self.stop();
                return Err(LocalStackError::Timeout {
                    port: self.port,
                    log: log.to_owned(),
                });
            }
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for LocalStackServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The Python of the project's LocalStack venv: `.tools/localstack-venv/bin/python` under
/// `project`.
pub fn project_localstack_python(project: &Path) -> PathBuf {
    project.join(".tools/localstack-venv/bin/python")
}
