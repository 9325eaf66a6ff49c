//! The functions, run as Lambda runs them: built once with cargo, served by `cargo lambda watch`
//! (its Lambda runtime API and Invoke API), each started with exactly the environment the
//! template gives it.
//!
//! Why not let `cargo lambda watch` start the functions itself: it gives every function the same
//! `--env-var`s, so a function would see its neighbours' variables and a missing one would go
//! unnoticed until the deploy; and it builds each function with `cargo run --bin`, one feature
//! resolution per package, so four functions cost four builds. Here the watch runs with
//! `--only-lambda-apis` and the stack starts each function's process against
//! `http://127.0.0.1:<port>/.rt/<binary>`, the runtime API path the watch routes by function.
//!
//! The watch's own reload goes with its own start, so the stack reloads: when a source file of
//! the functions changes ([`SourceFiles`]), one `cargo build` again, and each function whose
//! executable it replaced gets a fresh process between two invocations. A build that fails is
//! reported and the functions keep running the last good one.

use crate::invoke::{Invocation, Invoke, InvokeError, InvokeFuture};
use crate::process::{ChildGroup, free_port};
use crate::progress::Reporter;
use crate::sources::{SourceFiles, modified};
use crate::spec::FunctionSpec;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, RwLock};

/// How long sources must stay unchanged before a rebuild starts: editors and `git checkout`
/// write several files, one after the other.
const SETTLE: Duration = Duration::from_millis(300);

/// How many lines of cargo's errors a failed build shows; the whole output is in its log.
const BUILD_ERROR_LINES: usize = 60;

/// How the functions are built and run.
#[derive(Clone, Debug)]
pub struct RuntimeOptions {
    /// The workspace root (where `cargo build` and `cargo lambda watch` run).
    pub project: PathBuf,
    /// The `cargo-lambda` executable.
    pub cargo_lambda: PathBuf,
    /// Build with `--release`.
    pub release: bool,
    /// Where the functions' and the watch's logs go.
    pub log_dir: PathBuf,
    /// `--kill-rate`: kills function processes in the middle of invocations.
    pub kills: Option<Arc<crate::faults::KillSwitch>>,
}

/// The running functions.
pub struct FunctionRuntime {
    watch: Option<ChildGroup>,
    port: u16,
    client: Client<HttpConnector, Full<Bytes>>,
    functions: BTreeMap<String, Arc<RunningFunction>>,
    reporter: Reporter,
    options: RuntimeOptions,
    specs: Vec<FunctionSpec>,
    /// The sources of the running build, as last seen.
    sources: Mutex<SourceFiles>,
}

/// One function: its spec, how to start it, and its current process.
struct RunningFunction {
    spec: FunctionSpec,
    executable: PathBuf,
    environment: Vec<(String, String)>,
    log: PathBuf,
    process: Mutex<Option<ChildGroup>>,
    /// Held shared by each invocation and alone by a reload, so that a new build replaces the
    /// process between invocations, never in the middle of one.
    in_flight: RwLock<()>,
}

impl RunningFunction {
    fn start(&self) -> std::io::Result<ChildGroup> {
        let mut command = tokio::process::Command::new(&self.executable);
        // Only what Lambda gives a function: its own variables, the runtime's, and a minimal
        // process environment. Nothing leaks in from the shell that started the stack.
        command.env_clear().envs(self.environment.iter().cloned());
        ChildGroup::spawn(&mut command, &self.log)
    }

    /// Replaces the process with a fresh one: what Lambda does with an execution environment
    /// after a timeout or a crash.
    async fn restart(&self) -> std::io::Result<()> {
        let mut process = self.process.lock().await;
        if let Some(old) = process.take() {
            old.stop().await;
        }
        *process = Some(self.start()?);
        Ok(())
    }
}

impl RunningFunction {
    /// SIGKILLs the process in the middle of an invocation and starts a fresh one, the lock
    /// held throughout so that `revive` cannot replace the fresh one too; gives the killed pid.
    async fn kill_and_replace(&self, reporter: &Reporter) -> Option<u32> {
        let mut process = self.process.lock().await;
        let pid = process.as_ref().and_then(ChildGroup::pid);
        if let Some(old) = process.take() {
            if let Some(pid) = pid {
                crate::process::signal_process(pid, crate::process::Signal::KILL);
            }
            old.stop().await;
        }
        match self.start() {
            Ok(fresh) => *process = Some(fresh),
            Err(error) => reporter.warn(format!(
                "function {} cannot start: {error}",
                self.spec.binary
            )),
        }
        pid
    }
}

/// What Lambda answers for an invocation whose runtime process died: an unhandled function
/// error, which an event source mapping retries and an asynchronous invocation retries too.
fn crashed_invocation(duration: Duration) -> Invocation {
    Invocation {
        payload: br#"{"errorType":"Runtime.ExitError","errorMessage":"Runtime exited with error: signal: killed"}"#.to_vec(),
        function_error: Some("Unhandled".to_owned()),
        duration,
    }
}

impl FunctionRuntime {
    /// Builds the functions' binaries with one `cargo build` (one feature resolution for all),
    /// starts the watch, and starts every function with `base_environment` (the emulator's
    /// endpoint and credentials) plus its own template environment.
    pub async fn start(
        functions: &[FunctionSpec],
        base_environment: &[(String, String)],
        options: &RuntimeOptions,
        reporter: &Reporter,
    ) -> Result<FunctionRuntime, String> {
        let layer = options.project.join(LOCAL_LAYER);
        check_local_layer(functions, &layer)?;
        std::fs::create_dir_all(&options.log_dir)
            .map_err(|error| format!("{}: {error}", options.log_dir.display()))?;
        reporter.step(format!(
            "building {} function(s) with cargo ({}); the first build takes minutes",
            functions.len(),
            if options.release { "release" } else { "debug" }
        ));
        let executables = build(functions, options).await?;
        let sources = SourceFiles::of_executables(
            executables.values().map(PathBuf::as_path),
            &options.project,
        );

        let port = free_port().map_err(|error| format!("no free port: {error}"))?;
        let watch_log = options.log_dir.join("cargo-lambda-watch.log");
        let watch = ChildGroup::spawn(
            tokio::process::Command::new(&options.cargo_lambda)
                .current_dir(&options.project)
                // `-A 127.0.0.1`: the watch binds every interface unless told otherwise.
                .args(["lambda", "watch", "--only-lambda-apis", "--ignore-changes"])
                .args(["-A", "127.0.0.1", "-P", &port.to_string()]),
            &watch_log,
        )
        .map_err(|error| format!("{}: {error}", options.cargo_lambda.display()))?;
        watch
            .wait_until_ready(
                &format!("nothing listened on {port}"),
                Duration::from_secs(60),
                async || {
                    tokio::net::TcpStream::connect(("127.0.0.1", port))
                        .await
                        .is_ok()
                },
            )
            .await
            .map_err(|error| {
                format!(
                    "cargo lambda watch: {error}; its log: {}",
                    watch_log.display()
                )
            })?;
        reporter.step(format!(
            "cargo lambda watch (runtime and invoke APIs) on 127.0.0.1:{port}, pid {}",
            watch.pid().unwrap_or_default()
        ));

        let mut running = BTreeMap::new();
        for spec in functions {
            let executable = executables
                .get(&spec.binary)
                .cloned()
                .ok_or_else(|| format!("cargo build made no binary named {}", spec.binary))?;
            let environment = function_environment(spec, base_environment, port, &layer);
            let function = Arc::new(RunningFunction {
                spec: spec.clone(),
                executable,
                environment,
                log: options.log_dir.join(format!("{}.log", spec.binary)),
                process: Mutex::new(None),
                in_flight: RwLock::new(()),
            });
            function
                .restart()
                .await
                .map_err(|error| format!("{}: {error}", function.executable.display()))?;
            reporter.step(format!(
                "function {} ({}): {} variable(s) from the template, log {}",
                spec.binary,
                spec.logical_id,
                spec.environment.len(),
                function.log.display()
            ));
            running.insert(spec.binary.clone(), function);
        }

        Ok(FunctionRuntime {
            watch: Some(watch),
            port,
            client: Client::builder(TokioExecutor::new()).build_http(),
            functions: running,
            reporter: reporter.clone(),
            options: options.clone(),
            specs: functions.to_vec(),
            sources: Mutex::new(sources),
        })
    }

    /// How many source files a change of which rebuilds the functions.
    pub async fn watched_sources(&self) -> usize {
        self.sources.lock().await.len()
    }

    /// Rebuilds when a source file of the functions changed since the last build, then gives
    /// each function whose executable the build replaced a fresh process, between two of its
    /// invocations. A failed build is reported; the functions keep running the last good one.
    /// Call it now and then; it returns at once when nothing changed.
    pub async fn reload_if_changed(&self) {
        let mut sources = self.sources.lock().await;
        let mut changed = sources.changed();
        if changed.is_empty() {
            return;
        }
        loop {
            tokio::time::sleep(SETTLE).await;
            let now = sources.changed();
            if now == changed {
                break;
            }
            changed = now;
        }
        // The times the build starts from: an edit made while it runs is a change after it.
        let building_from = sources.refreshed();
        self.reporter.step(format!(
            "{} changed: rebuilding",
            self.describe_files(&changed)
        ));
        let before: BTreeMap<&str, _> = self
            .functions
            .iter()
            .map(|(binary, function)| (binary.as_str(), modified(&function.executable)))
            .collect();
        let started = Instant::now();
        let executables = match build(&self.specs, &self.options).await {
            Ok(executables) => executables,
            Err(error) => {
                self.reporter.warn(format!(
                    "the rebuild failed; the functions keep running the previous build\n{error}"
                ));
                *sources = building_from;
                return;
            }
        };
        *sources = SourceFiles::of_executables(
            executables.values().map(PathBuf::as_path),
            &self.options.project,
        )
        .since(&building_from);
        let replaced: Vec<&Arc<RunningFunction>> = self
            .functions
            .values()
            .filter(|function| {
                before.get(function.spec.binary.as_str()).copied().flatten()
                    != modified(&function.executable)
            })
            .collect();
        let names: Vec<&str> = replaced.iter().map(|f| f.spec.binary.as_str()).collect();
        self.reporter.step(format!(
            "rebuilt in {:.1} s; {}",
            started.elapsed().as_secs_f64(),
            if names.is_empty() {
                "no function changed".to_owned()
            } else {
                format!("new instances of {}", names.join(", "))
            }
        ));
        for function in replaced {
            let _between_invocations = function.in_flight.write().await;
            if let Err(error) = function.restart().await {
                self.reporter.warn(format!(
                    "function {} cannot start: {error}",
                    function.spec.binary
                ));
            }
        }
    }

    /// `a.rs`, or `a.rs and 3 more`, relative to the project.
    fn describe_files(&self, files: &[PathBuf]) -> String {
        let Some(first) = files.first() else {
            return "nothing".to_owned();
        };
        let shown = first
            .strip_prefix(&self.options.project)
            .unwrap_or(first)
            .display();
        match files.len() {
            1 => shown.to_string(),
            n => format!("{shown} and {} more", n - 1),
        }
    }

    /// The Lambda Invoke API of the functions (`cargo lambda watch`'s, routed by binary name),
    /// for the state file: what `paperflow dlq redrive` re-invokes a failed event through.
    pub fn invoke_endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Process ids of everything the runtime started (watch and functions), for the state file.
    pub async fn pids(&self) -> Vec<u32> {
        let mut pids: Vec<u32> = self.watch.iter().filter_map(ChildGroup::pid).collect();
        for function in self.functions.values() {
            if let Some(pid) = function
                .process
                .lock()
                .await
                .as_ref()
                .and_then(ChildGroup::pid)
            {
                pids.push(pid);
            }
        }
        pids
    }

    /// Restarts functions whose process died (a crash, an `exit`), as Lambda starts a new
    /// execution environment; call it now and then.
    pub async fn revive(&self) {
        for function in self.functions.values() {
            let died = function
                .process
                .lock()
                .await
                .as_ref()
                .is_none_or(ChildGroup::has_exited);
            if died {
                self.reporter.warn(format!(
                    "function {} exited; starting a new instance (see {})",
                    function.spec.binary,
                    function.log.display()
                ));
                if let Err(error) = function.restart().await {
                    self.reporter.warn(format!(
                        "function {} cannot start: {error}",
                        function.spec.binary
                    ));
                }
            }
        }
    }

    /// Stops every function, then the watch.
    pub async fn stop(mut self) {
        for function in self.functions.values() {
            if let Some(process) = function.process.lock().await.take() {
                process.stop().await;
            }
        }
        if let Some(watch) = self.watch.take() {
            watch.stop().await;
        }
    }

    async fn invoke_once(&self, binary: &str, payload: Vec<u8>) -> Result<Invocation, InvokeError> {
        let function = self.functions.get(binary).ok_or_else(|| {
            InvokeError::Unavailable(format!("no function {binary} in the template"))
        })?;
        let _no_reload_meanwhile = function.in_flight.read().await;
        let url = format!(
            "http://127.0.0.1:{}/2015-03-31/functions/{binary}/invocations",
            self.port
        );
        // Shared, not copied: a kill's line names what the invocation was handling.
        let payload = Bytes::from(payload);
        let request = hyper::Request::post(url)
            .header("content-type", "application/json")
            .body(Full::new(payload.clone()))
            .map_err(|error| InvokeError::Unavailable(error.to_string()))?;
        let timeout = Duration::from_secs(u64::from(function.spec.timeout_s.max(1)));
        let kill_point = self
            .options
            .kills
            .as_ref()
            .and_then(|kills| kills.plan(binary));
        let started = Instant::now();
        let answer = tokio::time::timeout(timeout, async {
            let call = async {
                let response = self
                    .client
                    .request(request)
                    .await
                    .map_err(|error| InvokeError::Unavailable(error.to_string()))?;
                let status = response.status();
                let body = response
                    .into_body()
                    .collect()
                    .await
                    .map_err(|error| InvokeError::Unavailable(error.to_string()))?
                    .to_bytes();
                Ok::<_, InvokeError>(Some((status, body)))
            };
            match kill_point {
                None => call.await,
                Some(point) => tokio::select! {
                    answer = call => answer,
                    () = tokio::time::sleep(point) => Ok(None),
                },
            }
        })
        .await;
        let duration = started.elapsed();
        if let Some(kills) = &self.options.kills {
            match &answer {
                Ok(Ok(Some(_))) => kills.observe(binary, duration),
                Ok(Ok(None)) => {
                    let pid = function.kill_and_replace(&self.reporter).await;
                    kills.record(binary, pid, duration, &payload);
                    return Ok(crashed_invocation(duration));
                }
                _ => {}
            }
        }
        match answer {
            Err(_) => {
                // Lambda ends a timed-out invocation by discarding its execution environment.
                self.reporter.warn(format!(
                    "function {binary} timed out after {timeout:?}; its instance is replaced"
                ));
                if let Err(error) = function.restart().await {
                    self.reporter
                        .warn(format!("function {binary} cannot start: {error}"));
                }
                Err(InvokeError::Timeout(timeout))
            }
            Ok(Err(error)) => Err(error),
            Ok(Ok(None)) => Ok(crashed_invocation(duration)),
            Ok(Ok(Some((status, body)))) => match status.as_u16() {
                200 => Ok(Invocation {
                    payload: body.to_vec(),
                    function_error: None,
                    duration,
                }),
                // The watch answers the runtime API's /error with 500 and the error document.
                500 => Ok(Invocation {
                    payload: body.to_vec(),
                    function_error: Some("Unhandled".to_owned()),
                    duration,
                }),
                other => Err(InvokeError::Unavailable(format!(
                    "the invoke API answered {other}: {}",
                    String::from_utf8_lossy(&body)
                ))),
            },
        }
    }
}

impl Invoke for FunctionRuntime {
    fn invoke<'a>(&'a self, function: &'a str, payload: Vec<u8>) -> InvokeFuture<'a> {
        Box::pin(self.invoke_once(function, payload))
    }
}

/// Where Lambda mounts a function's layers.
const LAYER_MOUNT: &str = "/opt";
/// What local functions get in its place: the folder of the template's one layer (the fallback
/// fonts), which `scripts/build-fonts-layer.sh` builds (`make tools` runs it).
pub const LOCAL_LAYER: &str = "target/fonts-layer";

/// `value` with a path under [`LAYER_MOUNT`] moved into `layer`, the local copy of the mount.
fn in_local_layer(value: &str, layer: &Path) -> String {
    match value.strip_prefix(LAYER_MOUNT) {
        Some("") => layer.display().to_string(),
        Some(rest) if rest.starts_with('/') => layer.join(&rest[1..]).display().to_string(),
        _ => value.to_owned(),
    }
}

/// Every path under /opt that a function's template variables name must be in the local layer
/// before anything starts: the functions read their fonts there (DejaVu Sans included) and
/// cannot start without them.
fn check_local_layer(functions: &[FunctionSpec], layer: &Path) -> Result<(), String> {
    for spec in functions {
        for (name, value) in &spec.environment {
            let local = in_local_layer(value, layer);
            if local != *value && !Path::new(&local).exists() {
                return Err(format!(
                    "{}: {name}={value} is {local} on this machine, which does not exist: build \
                     the layer with scripts/build-fonts-layer.sh (`make tools` runs it)",
                    spec.binary
                ));
            }
        }
    }
    Ok(())
}

/// The environment Lambda gives `spec`: the template's variables (a path under /opt moved into
/// `layer`), the emulator's endpoint and credentials (in AWS: the role's), and the runtime's own
/// variables.
fn function_environment(
    spec: &FunctionSpec,
    base_environment: &[(String, String)],
    port: u16,
    layer: &Path,
) -> Vec<(String, String)> {
    let mut environment: Vec<(String, String)> = vec![
        ("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into()),
        ("LANG".into(), "en_US.UTF-8".into()),
        ("TZ".into(), ":UTC".into()),
        (
            "AWS_LAMBDA_RUNTIME_API".into(),
            format!("http://127.0.0.1:{port}/.rt/{}", spec.binary),
        ),
        ("AWS_LAMBDA_FUNCTION_NAME".into(), spec.name.clone()),
        ("AWS_LAMBDA_FUNCTION_VERSION".into(), "$LATEST".into()),
        (
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE".into(),
            spec.memory_mb.to_string(),
        ),
        (
            "AWS_LAMBDA_LOG_GROUP_NAME".into(),
            format!("/aws/lambda/{}", spec.name),
        ),
        ("AWS_LAMBDA_LOG_STREAM_NAME".into(), "local".into()),
        ("_HANDLER".into(), "bootstrap".into()),
    ];
    environment.extend(base_environment.iter().cloned());
    environment.extend(
        spec.environment
            .iter()
            .map(|(k, v)| (k.clone(), in_local_layer(v, layer))),
    );
    environment
}

/// `cargo build --bin <each function>` with JSON messages, which name every executable built.
/// It runs in a process group of its own: a stack stopped in the middle of a rebuild leaves no
/// cargo or rustc behind.
async fn build(
    functions: &[FunctionSpec],
    options: &RuntimeOptions,
) -> Result<BTreeMap<String, PathBuf>, String> {
    let mut command =
        tokio::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .current_dir(&options.project)
        .args(["build", "--message-format=json-render-diagnostics"]);
    if options.release {
        command.arg("--release");
    }
    for function in functions {
        command.args(["--bin", &function.binary]);
    }
    let messages = options.log_dir.join("cargo-build.json");
    let log = options.log_dir.join("cargo-build.log");
    let cargo = ChildGroup::spawn_capturing(&mut command, &messages, &log)
        .map_err(|error| format!("cargo build: {error}"))?;
    let status = cargo
        .exit_status()
        .await
        .map_err(|error| format!("cargo build: {error}"))?;
    if !status.success() {
        let output = std::fs::read_to_string(&log).unwrap_or_default();
        let lines: Vec<&str> = output.lines().collect();
        let shown = &lines[lines.len().saturating_sub(BUILD_ERROR_LINES)..];
        return Err(format!(
            "cargo build failed ({status}); its output: {}\n{}",
            log.display(),
            shown.join("\n")
        ));
    }
    let output =
        std::fs::read(&messages).map_err(|error| format!("{}: {error}", messages.display()))?;
    let mut executables = BTreeMap::new();
    for line in output.split(|byte| *byte == b'\n') {
        let Ok(message) = serde_json::from_slice::<serde_json::Value>(line) else {
            continue;
        };
        if message["reason"] == "compiler-artifact"
            && let (Some(name), Some(executable)) = (
                message["target"]["name"].as_str(),
                message["executable"].as_str(),
            )
        {
            executables.insert(name.to_owned(), PathBuf::from(executable));
        }
    }
    Ok(executables)
}

/// The project's cargo-lambda: `.tools/venv/bin/cargo-lambda` under `project`.
pub fn project_cargo_lambda(project: &Path) -> PathBuf {
    project.join(".tools/venv/bin/cargo-lambda")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_under_the_layer_mount_names_the_local_layer_folder() {
        let layer = Path::new("project/target/fonts-layer");
        assert_eq!(
            in_local_layer("/opt/fonts", layer),
            "project/target/fonts-layer/fonts"
        );
        assert_eq!(in_local_layer("/opt", layer), "project/target/fonts-layer");
        assert_eq!(in_local_layer("/optional", layer), "/optional");
        assert_eq!(
            in_local_layer("paperflow-documents", layer),
            "paperflow-documents"
        );
    }
}
