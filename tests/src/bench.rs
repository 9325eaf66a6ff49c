//! What the project's benchmarks share: reading criterion's own estimates back, so a bench can
//! print its figure against its target at the end of a run.

use serde_json::Value;
use std::path::PathBuf;
use std::time::SystemTime;

/// Where criterion keeps its estimates: `CRITERION_HOME`, else `CARGO_TARGET_DIR/criterion`,
/// else the workspace's `target/criterion`.
pub fn criterion_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(target) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(target).join("criterion");
    }
    crate::repo_root().join("target/criterion")
}

/// The median of `group/bench` in milliseconds, if this run measured it (not filtered out, not
/// `--test`): an estimates file older than `started` is from an earlier run.
pub fn median_ms(group: &str, bench: &str, started: SystemTime) -> Option<f64> {
    let path = criterion_home()
        .join(group)
        .join(bench)
        .join("new/estimates.json");
    let modified = std::fs::metadata(&path)
        .and_then(|meta| meta.modified())
        .ok()?;
    if modified < started {
        return None;
    }
    let estimates: Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    Some(estimates["median"]["point_estimate"].as_f64()? / 1e6)
}

/// The runtime a benchmark drives a handler on: current-thread, as one Lambda invocation runs
/// its records, so that the figure is one core's work.
pub fn current_thread_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime")
}
