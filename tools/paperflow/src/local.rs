//! `paperflow local`: the whole topology of infra/sam/template.yaml on this machine (see the
//! `paperflow-local` crate), until Ctrl-C.

use paperflow_local::faults::FaultSpec;
use paperflow_local::progress::Reporter;
use paperflow_local::stack::{self, FaultOptions, StackOptions};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// What `paperflow local` was asked, from the command line.
#[derive(clap::Args)]
pub struct LocalArgs {
    /// The SAM template.
    #[arg(long, default_value = "infra/sam/template.yaml")]
    template: PathBuf,
    /// A template parameter, Name=Value (repeatable).
    #[arg(long = "parameter-override", value_name = "NAME=VALUE")]
    parameter_overrides: Vec<String>,
    /// Use this emulator (e.g. a running LocalStack) instead of starting moto.
    #[arg(long, value_name = "URL")]
    endpoint: Option<String>,
    /// The HTTP API's port on 127.0.0.1 (default: a free one).
    #[arg(long)]
    api_port: Option<u16>,
    /// Build the functions with --release.
    #[arg(long)]
    release: bool,
    /// Build the functions once; by default a change to their sources rebuilds them and
    /// restarts the ones that changed, between invocations.
    #[arg(long)]
    no_reload: bool,
    /// Where stack.json and the logs go.
    #[arg(long, default_value = "target/paperflow-local")]
    state_dir: PathBuf,
    /// Seconds between the retries of an asynchronous invocation (AWS: about 60 and 120).
    #[arg(long, value_delimiter = ',', default_value = "1,2")]
    retry_delays: Vec<f64>,
    /// One JSON object per line on stdout instead of text on stderr.
    #[arg(long)]
    json: bool,
    /// Inject faults into the functions' AWS calls through a proxy, e.g.
    /// "*:throttle=0.05,error=0.05,lost=0.02,reset=0.02;s3.PutObject:latency=50ms@0.1"
    /// (kinds: throttle, error, reset, lost, latency=DURATION@P; targets: *, s3, sns, sqs, ses,
    /// or SERVICE.Operation; the most specific rule wins setting by setting).
    #[arg(long, value_name = "SPEC")]
    faults: Option<String>,
    /// The probability that an invocation's function process is killed (SIGKILL) midway.
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    kill_rate: f64,
    /// The seed of the faults' and kills' draws: the same seed replays them in the same order of
    /// calls (default: one from the clock, printed).
    #[arg(long)]
    seed: Option<u64>,
}

/// Runs the stack until Ctrl-C or SIGTERM; `Err` holds what to tell the user.
pub fn run(request: LocalArgs) -> Result<(), String> {
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
    let spec = request
        .faults
        .as_deref()
        .map(FaultSpec::parse)
        .transpose()
        .map_err(|error| error.to_string())?;
    if !(0.0..=1.0).contains(&request.kill_rate) {
        return Err(format!(
            "--kill-rate {}: expected a probability from 0 to 1",
            request.kill_rate
        ));
    }
    let seed = request.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_secs())
    });
    let project = std::env::current_dir().map_err(|error| format!("current folder: {error}"))?;
    let options = StackOptions {
        project,
        template: request.template,
        parameter_overrides: overrides,
        endpoint: request.endpoint,
        api_port: request.api_port,
        release: request.release,
        reload: !request.no_reload,
        state_dir: request.state_dir,
        retry_delays: request
            .retry_delays
            .iter()
            .map(|s| Duration::from_secs_f64(*s))
            .collect(),
        faults: FaultOptions {
            spec,
            kill_rate: request.kill_rate,
            seed,
        },
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
