//! Child processes of the stack (moto, `cargo lambda watch`, the functions), each in a process
//! group of its own so that stopping it stops everything it started, and nothing outlives the
//! stack.

use std::fs::OpenOptions;
use std::net::{Ipv4Addr, TcpListener};
use std::path::Path;
use std::process::Stdio;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How long a stopped group may take to exit after SIGTERM before it gets SIGKILL.
const GRACE: Duration = Duration::from_secs(5);

/// A child process leading its own process group.
pub struct ChildGroup {
    child: Mutex<tokio::process::Child>,
    pid: Option<u32>,
}

impl ChildGroup {
    /// Spawns `command` in a new process group, stdin closed, stdout and stderr appended to `log`.
    pub fn spawn(command: &mut tokio::process::Command, log: &Path) -> std::io::Result<ChildGroup> {
        let out = OpenOptions::new().create(true).append(true).open(log)?;
        let err = out.try_clone()?;
        ChildGroup::spawn_with(command, out, err)
    }

    /// Spawns `command` like [`ChildGroup::spawn`], its stdout written to the new file `stdout`
    /// and its stderr to the new file `stderr` (each replaced if it exists): output to read back
    /// once it has exited.
    pub fn spawn_capturing(
        command: &mut tokio::process::Command,
        stdout: &Path,
        stderr: &Path,
    ) -> std::io::Result<ChildGroup> {
        ChildGroup::spawn_with(
            command,
            std::fs::File::create(stdout)?,
            std::fs::File::create(stderr)?,
        )
    }

    fn spawn_with(
        command: &mut tokio::process::Command,
        out: std::fs::File,
        err: std::fs::File,
    ) -> std::io::Result<ChildGroup> {
        let child = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0)
            .kill_on_drop(true)
            .spawn()?;
        let pid = child.id();
        Ok(ChildGroup {
            child: Mutex::new(child),
            pid,
        })
    }

    /// The leader's process id (also the group id).
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// True once the leader has exited.
    pub fn has_exited(&self) -> bool {
        match self.child.lock() {
            Ok(mut child) => !matches!(child.try_wait(), Ok(None)),
            Err(_) => true,
        }
    }

    /// Waits until `ready()` holds (a port answers, say), checked every 100 ms; fails when the
    /// process exits first or `timeout` passes, saying what did not happen (`what`).
    pub async fn wait_until_ready(
        &self,
        what: &str,
        timeout: Duration,
        mut ready: impl AsyncFnMut() -> bool,
    ) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            if self.has_exited() {
                return Err("it exited".to_owned());
            }
            if ready().await {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("{what} within {timeout:?}"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the leader exits (checked every 100 ms, so the wait holds no lock) and gives
    /// its exit status. Dropping the wait leaves the group running; dropping the group stops it.
    pub async fn exit_status(&self) -> std::io::Result<std::process::ExitStatus> {
        loop {
            if let Ok(mut child) = self.child.lock()
                && let Some(status) = child.try_wait()?
            {
                return Ok(status);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Stops the whole group: SIGTERM, then SIGKILL after a grace period; waits for the leader.
    pub async fn stop(self) {
        let Some(pid) = self.pid else {
            return;
        };
        signal_group(pid, "-TERM").await;
        let deadline = Instant::now() + GRACE;
        while Instant::now() < deadline {
            if self.has_exited() {
                // The leader is gone; members it left behind get the same end.
                signal_group(pid, "-KILL").await;
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        signal_group(pid, "-KILL").await;
        let _ = self.exit_status().await;
    }
}

impl Drop for ChildGroup {
    /// A group dropped while its leader runs (a task cancelled mid-build, a panic) is killed
    /// whole: `kill_on_drop` alone would stop the leader and orphan its children (rustc under
    /// cargo, say).
    fn drop(&mut self) {
        if let Some(pid) = self.pid
            && !self.has_exited()
        {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// Sends `signal` to the process group `pid` with kill(1): the workspace forbids `unsafe`, and
/// with it a direct kill(2).
async fn signal_group(pid: u32, signal: &str) {
    let _ = tokio::process::Command::new("kill")
        .args([signal, "--", &format!("-{pid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await;
}

/// A TCP port of 127.0.0.1 that was free a moment ago.
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

/// The status code of a GET of `url` (`http://host:port/path`).
pub async fn http_status(url: &str) -> std::io::Result<u16> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not http://"))?;
    let (authority, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(a, p)| (a, format!("/{p}")));
    let mut stream = tokio::net::TcpStream::connect(authority).await?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).await?;
    std::str::from_utf8(&head[9..12])
        .ok()
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "not an HTTP answer"))
}
