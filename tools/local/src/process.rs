//! Child processes of the stack (moto, `cargo lambda watch`, the functions), each in a process
//! group of its own so that stopping it stops everything it started, and nothing outlives the
//! stack.

use rustix::process::Pid;
pub use rustix::process::Signal;
use std::fs::OpenOptions;
use std::net::{Ipv4Addr, TcpListener};
use std::path::Path;
use std::process::Stdio;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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
        signal_group(pid, Signal::TERM);
        let deadline = Instant::now() + GRACE;
        while Instant::now() < deadline {
            if self.has_exited() {
                // The leader is gone; members it left behind get the same end.
                signal_group(pid, Signal::KILL);
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        signal_group(pid, Signal::KILL);
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
            signal_group(pid, Signal::KILL);
        }
    }
}

/// Stops a blocking server process started as the leader of its own process group (moto,
/// LocalStack): SIGTERM to the group, up to `grace` for the leader to exit (looked at every
/// `poll`), then SIGKILL for whatever is left in the group, and reaps the leader.
pub fn stop_server_group(mut child: std::process::Child, grace: Duration, poll: Duration) {
    signal_group(child.id(), Signal::TERM);
    let deadline = Instant::now() + grace;
    while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
        std::thread::sleep(poll);
    }
    // Whatever the leader left behind in its group gets the same end.
    signal_group(child.id(), Signal::KILL);
    let _ = child.wait();
}

/// Sends `signal` to the process group led by `pid`. A group that is already gone is no
/// error: stopping what has stopped is done.
pub fn signal_group(pid: u32, signal: Signal) {
    if let Some(group) = i32::try_from(pid).ok().and_then(Pid::from_raw) {
        let _ = rustix::process::kill_process_group(group, signal);
    }
}

/// Sends `signal` to the one process `pid` (Ctrl-C to a command is `Signal::INT`). A process
/// that is already gone is no error.
pub fn signal_process(pid: u32, signal: Signal) {
    if let Some(process) = i32::try_from(pid).ok().and_then(Pid::from_raw) {
        let _ = rustix::process::kill_process(process, signal);
    }
}

/// A TCP port of 127.0.0.1 that was free a moment ago.
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

/// The status code of a GET of `url` (`http://127.0.0.1:port/path`), answered within 2 s.
pub async fn http_status(url: &str) -> std::io::Result<u16> {
    let reply = crate::http_client::request("GET", url, &[], b"", Duration::from_secs(2)).await?;
    Ok(reply.status)
}
