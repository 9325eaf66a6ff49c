//! `paperflow local`: the whole topology of infra/sam/template.yaml on this machine (see the
//! `paperflow-local` crate), until Ctrl-C.

use paperflow_local::progress::Reporter;
use paperflow_local::stack::{self, StackOptions};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// What `paperflow local` was asked, from the command line.
pub struct LocalRequest {
    /// The SAM template.
    pub template: PathBuf,
    /// `Name=Value` pairs.
    pub parameter_overrides: Vec<String>,
    /// An emulator the user runs.
    pub endpoint: Option<String>,
    /// The HTTP API's port.
    pub api_port: Option<u16>,
    /// Release build of the functions.
    pub release: bool,
    /// State file and logs.
    pub state_dir: PathBuf,
    /// Seconds between asynchronous retries.
    pub retry_delays: Vec<f64>,
    /// JSON lines instead of text.
    pub json: bool,
}

/// Runs the stack until Ctrl-C or SIGTERM; `Err` holds what to tell the user.
pub fn run(request: LocalRequest) -> Result<(), String> {
    let mut overrides = BTreeMap::new();
    for pair in &request.parameter_overrides {
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("--parameter-override {pair:?}: expected Name=Value"))?;
        overrides.insert(name.to_owned(), value.to_owned());
    }
    if let Some(bad) = request
        .retry_delays
        .iter()
        .find(|delay| !(0.0..=3600.0).contains(*delay))
    {
        return Err(format!(
            "--retry-delays {bad}: expected seconds between 0 and 3600"
        ));
    }
    let project = std::env::current_dir().map_err(|error| format!("current folder: {error}"))?;
    let options = StackOptions {
        project,
        template: request.template,
        parameter_overrides: overrides,
        endpoint: request.endpoint,
        api_port: request.api_port,
        release: request.release,
        state_dir: request.state_dir,
        retry_delays: request
            .retry_delays
            .iter()
            .map(|s| Duration::from_secs_f64(*s))
            .collect(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start the async runtime: {error}"))?;
    runtime.block_on(stack::run(
        options,
        Reporter::new(request.json),
        stop_signal(),
    ))
}

/// Ctrl-C (SIGINT) or SIGTERM, whichever comes first.
async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut terminate) = signal(SignalKind::terminate()) else {
        let _ = tokio::signal::ctrl_c().await;
        return;
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
}
