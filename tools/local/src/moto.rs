//! The one launcher of moto's standalone server, shared by the local stack ([`crate::emulator`],
//! async, started once and stopped with the stack) and the test kit (`paperflow_tests::moto`,
//! synchronous, stopped and restarted mid-test to play "S3 is down").
//!
//! The server runs on a free port of 127.0.0.1, in a process group of its own, its output
//! appended to a log file. [`MotoServer::start`] returns once `GET /moto-api/` answers 200;
//! dropping a [`MotoServer`] stops its group, so no server outlives its owner, also when a test
//! panics.

use crate::http_client::blocking_request;
use crate::process::{Signal, free_port, signal_group, stop_server_group};
use std::fs::OpenOptions;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long moto may take to answer after it was started.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a stopped server may take to exit after SIGTERM before it gets SIGKILL.
const GRACE: Duration = Duration::from_secs(5);

/// How often a starting or stopping server is looked at.
const POLL: Duration = Duration::from_millis(50);

/// Why moto did not start.
#[derive(Debug, thiserror::Error)]
pub enum MotoError {
    /// `moto_server` is not installed where it was looked for.
    #[error("{0} is missing: run `make tools` (installs moto into .tools/venv)")]
    Missing(PathBuf),
    /// The process could not be started, or its log not opened.
    #[error("cannot start {what}: {source}")]
    Spawn {
        /// The program or the log file.
        what: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The server exited before it answered (another process took its port, say).
    #[error("the server on port {0} exited at start")]
    Exited(u16),
    /// The server runs but did not answer in time.
    #[error("the server on port {0} did not answer within {START_TIMEOUT:?}")]
    Timeout(u16),
}

/// A running moto server of its owner's own, on `127.0.0.1:<port>`.
pub struct MotoServer {
    program: PathBuf,
    log: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl MotoServer {
    /// Starts `moto_server` (the project's, `.tools/venv/bin/moto_server`) on a free port, its
    /// output appended to `log`, and waits until it answers. A server that exits at once
    /// (another process took the port between the probe and moto's bind) is started again on
    /// another port, three times at most.
    pub fn start(program: &Path, log: &Path) -> Result<MotoServer, MotoError> {
        if !program.is_file() {
            return Err(MotoError::Missing(program.to_owned()));
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let port = free_port().map_err(|source| MotoError::Spawn {
                what: "a free port of 127.0.0.1".to_owned(),
                source,
            })?;
            let mut server = MotoServer {
                program: program.to_owned(),
                log: log.to_owned(),
                port,
                child: None,
            };
            match server.spawn() {
                Err(MotoError::Exited(_)) if attempt < 3 => continue,
                Err(error) => return Err(error),
                Ok(()) => return Ok(server),
            }
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The port the server listens on (the same after a [`MotoServer::restart`]).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Where the server's output goes.
    pub fn log(&self) -> &Path {
        &self.log
    }

    /// The server's process id (also its process group's), while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Whether the server process is running.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }

    /// Stops the server's whole process group (SIGTERM, then SIGKILL after a grace period) and
    /// reaps it: from now on its port refuses connections, as a service that is down.
    pub fn stop(&mut self) {
        if let Some(child) = self.child.take() {
            stop_server_group(child, GRACE, POLL);
        }
    }

    /// Starts the server again on the same port, stopping it first if it runs. moto keeps its
    /// state in memory only: after a restart it is empty.
    pub fn restart(&mut self) -> Result<(), MotoError> {
        self.stop();
        self.spawn()
    }

    fn spawn(&mut self) -> Result<(), MotoError> {
        let log_error = |source| MotoError::Spawn {
            what: format!("its log {}", self.log.display()),
            source,
        };
        let out = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .map_err(log_error)?;
        let err = out.try_clone().map_err(log_error)?;
        let child = Command::new(&self.program)
            .args(["-H", "127.0.0.1", "-p", &self.port.to_string()])
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0)
            .spawn()
            .map_err(|source| MotoError::Spawn {
                what: self.program.display().to_string(),
                source,
            })?;
        self.child = Some(child);
        let ready = self.wait_until_answering();
        if ready.is_err() {
            self.stop();
        }
        ready
    }

    fn wait_until_answering(&mut self) -> Result<(), MotoError> {
        let url = format!("{}/moto-api/", self.endpoint());
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if !self.is_running() {
                return Err(MotoError::Exited(self.port));
            }
            let answer = blocking_request("GET", &url, &[], b"", Duration::from_secs(2));
            if matches!(answer, Ok(reply) if reply.status == 200) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(MotoError::Timeout(self.port));
            }
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        if let Some(child) = &self.child {
            signal_group(child.id(), Signal::KILL);
        }
        if let Some(mut child) = self.child.take() {
            let _ = child.wait();
        }
    }
}

impl std::fmt::Debug for MotoServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MotoServer")
            .field("endpoint", &self.endpoint())
            .field("log", &self.log)
            .finish()
    }
}
