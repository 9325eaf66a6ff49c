//! `paperflow local`: the whole stack up, until Ctrl-C (or SIGTERM), then down with nothing left
//! behind.
//!
//! Order of events: read the template → start (or reach) the emulator → create the resources →
//! build and start the functions → connect the triggers (SQS and SNS mappings, the HTTP API) →
//! write the state file that producers read → wait → stop the triggers (each finishes the
//! invocation in hand) → stop the functions, the watch and the emulator → print the summary.

use crate::emulator::{Emulator, MissingService, project_moto};
use crate::faults::{FaultLog, FaultProxy, FaultSpec, KillSwitch};
use crate::progress::{Progress, Reporter};
use crate::runtime::{FunctionRuntime, RuntimeOptions, project_cargo_lambda};
use crate::spec::{StackContext, StackSpec};
use crate::{Shutdown, TriggerContext, http_api, provision, sns, sqs, template};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

/// How long the triggers may take to finish their invocations in hand at shutdown.
const DRAIN: Duration = Duration::from_secs(40);

/// What `paperflow local` was asked.
#[derive(Clone, Debug)]
pub struct StackOptions {
    /// The workspace root.
    pub project: PathBuf,
    /// The SAM template.
    pub template: PathBuf,
    /// `Name=Value` parameter overrides.
    pub parameter_overrides: BTreeMap<String, String>,
    /// An emulator the user runs; `None` starts moto.
    pub endpoint: Option<String>,
    /// The HTTP API's port on 127.0.0.1 (`None`: a free one).
    pub api_port: Option<u16>,
    /// Build the functions with `--release`.
    pub release: bool,
    /// Rebuild the functions when their sources change (and restart those that changed).
    pub reload: bool,
    /// Where the state file and the logs go.
    pub state_dir: PathBuf,
    /// Delays between the retries of asynchronous (SNS) invocations; AWS waits about 1 and 2
    /// minutes, which is slow for a laptop.
    pub retry_delays: Vec<Duration>,
    /// `--faults`, `--kill-rate` and `--seed`.
    pub faults: FaultOptions,
}

/// Fault injection: what the functions' AWS calls and processes suffer (see [`crate::faults`]).
#[derive(Clone, Debug, Default)]
pub struct FaultOptions {
    /// The faults of the functions' AWS calls; `None`: no proxy, the functions reach the
    /// emulator directly.
    pub spec: Option<FaultSpec>,
    /// The probability that an invocation's process is killed.
    pub kill_rate: f64,
    /// The seed of every draw.
    pub seed: u64,
}

/// The fault log in the state folder: one JSON line per injected fault.
pub const FAULT_LOG: &str = "faults.jsonl";

/// The state file: what a producer needs to reach the stack.
pub const STATE_FILE: &str = "stack.json";

/// Runs the stack until `stop` resolves (Ctrl-C in the command), then tears it down.
pub async fn run(
    options: StackOptions,
    reporter: Reporter,
    stop: impl std::future::Future<Output = ()>,
) -> Result<(), String> {
    // Read once before anything starts, so that a template error costs no emulator; read again
    // below with the emulator's own account.
    let defaults = StackContext::default();
    let spec = load_spec(&options, &defaults)?;
    reporter.step(format!(
        "template {}: {} bucket(s), {} topic(s), {} queue(s), {} subscription(s), {} function(s)",
        options.template.display(),
        spec.buckets.len(),
        spec.topics.len(),
        spec.queues.len(),
        spec.subscriptions.len(),
        spec.functions.len()
    ));
    std::fs::create_dir_all(options.state_dir.join("logs"))
        .map_err(|error| format!("{}: {error}", options.state_dir.display()))?;

    let emulator = match &options.endpoint {
        Some(endpoint) => Emulator::existing(endpoint, &defaults.region).await?,
        None => {
            Emulator::start_moto(
                &project_moto(&options.project),
                &options.state_dir.join("logs/moto.log"),
                &defaults.region,
            )
            .await?
        }
    };
    reporter.step(match emulator.pid() {
        Some(pid) => format!("moto_server on {}, pid {pid}", emulator.endpoint()),
        None => format!(
            "{} at {} (yours: not started or stopped here)",
            emulator.name(),
            emulator.endpoint()
        ),
    });

    // From here on, a failure must still stop what was started.
    let result = match fit_to_emulator(&options, &emulator, &reporter).await {
        Ok(stack) => run_on(&options, &stack, &emulator, &reporter, stop).await,
        Err(error) => Err(error),
    };
    emulator.stop().await;
    let _ = std::fs::remove_file(options.state_dir.join(STATE_FILE));
    reporter.report(reporter.summary());
    result
}

fn load_spec(options: &StackOptions, context: &StackContext) -> Result<StackSpec, String> {
    template::load(&options.template, context, &options.parameter_overrides)
        .map_err(|error| format!("{}: {error}", options.template.display()))
}

/// The stack as this emulator can run it.
struct FittedStack {
    /// Every resource of the template, its ARNs in the emulator's account.
    spec: StackSpec,
    /// The same without the functions that call a service the emulator lacks.
    runnable: StackSpec,
    /// The services the emulator lacks.
    missing: Vec<MissingService>,
    /// The emulator's account.
    account: String,
}

/// The template resolved in the emulator's own account (and the stack's region, which any
/// emulator serves), and the functions it cannot run: those that call a service it lacks,
/// named once in the progress output.
async fn fit_to_emulator(
    options: &StackOptions,
    emulator: &Emulator,
    reporter: &Reporter,
) -> Result<FittedStack, String> {
    let context = StackContext {
        account_id: emulator.account().await?,
        region: emulator.region().to_owned(),
        ..StackContext::default()
    };
    reporter.step(format!(
        "account {} and region {}: the template's ARNs are built with them",
        context.account_id, context.region
    ));
    let spec = load_spec(options, &context)?;
    let missing = emulator.missing_services().await?;
    let mut unavailable = BTreeSet::new();
    for service in &missing {
        let functions = spec.functions_calling(&service.iam_prefix);
        reporter.report(Progress::Unavailable {
            emulator: emulator.name().to_owned(),
            endpoint: emulator.endpoint().to_owned(),
            service: service.name.clone(),
            functions: functions.iter().map(|f| f.binary.clone()).collect(),
            answer: service.answer.clone(),
        });
        unavailable.extend(functions.iter().map(|f| f.logical_id.clone()));
    }
    let runnable = spec.without_functions(&unavailable);
    Ok(FittedStack {
        spec,
        runnable,
        missing,
        account: context.account_id,
    })
}

async fn run_on(
    options: &StackOptions,
    stack: &FittedStack,
    emulator: &Emulator,
    reporter: &Reporter,
    stop: impl std::future::Future<Output = ()>,
) -> Result<(), String> {
    let config = emulator.sdk_config().await;
    // Without SES there is no identity to create; nothing that sends mail runs.
    let identities = if stack.missing.iter().any(|m| m.iam_prefix == "ses") {
        Vec::new()
    } else {
        email_parameters(&stack.spec)
    };
    let provisioned = provision::provision(&stack.spec, &config, &identities, reporter)
        .await
        .map_err(|error| format!("creating the resources: {error}"))?;
    let spec = &stack.runnable;

    let (environment, proxy, kills) = inject_faults(options, emulator, reporter).await?;
    let runtime = FunctionRuntime::start(
        &spec.functions,
        &environment,
        &RuntimeOptions {
            project: options.project.clone(),
            cargo_lambda: project_cargo_lambda(&options.project),
            release: options.release,
            log_dir: options.state_dir.join("logs"),
            kills,
        },
        reporter,
    )
    .await?;
    let runtime = Arc::new(runtime);
    let running = Running {
        options,
        spec,
        unavailable: unavailable_functions(stack),
        account: &stack.account,
        emulator,
        config: &config,
        provisioned: &provisioned,
        runtime: &runtime,
        reporter,
    };
    let result = serve(&running, proxy.as_ref(), stop).await;
    match Arc::try_unwrap(runtime) {
        Ok(runtime) => runtime.stop().await,
        Err(_) => reporter.warn("a trigger still held the functions at shutdown"),
    }
    if let Some(proxy) = proxy {
        let counts = proxy.log().counts();
        reporter.step(format!(
            "faults injected (seed {}) in {} AWS call(s): {}; each in {}",
            options.faults.seed,
            proxy.calls(),
            if counts.is_empty() {
                "none".to_owned()
            } else {
                counts
                    .iter()
                    .map(|(what, count)| format!("{what} {count}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            proxy.log().path().display()
        ));
        proxy.stop();
    }
    result
}

/// The functions' environment, with the fault proxy's endpoint as their `AWS_ENDPOINT_URL`
/// when `--faults` is given (the stack's own clients keep the emulator's), and the kill switch
/// of `--kill-rate`; both record in the one fault log.
async fn inject_faults(
    options: &StackOptions,
    emulator: &Emulator,
    reporter: &Reporter,
) -> Result<
    (
        Vec<(String, String)>,
        Option<FaultProxy>,
        Option<Arc<KillSwitch>>,
    ),
    String,
> {
    let mut environment = emulator.environment();
    let faults = &options.faults;
    if faults.spec.is_none() && faults.kill_rate == 0.0 {
        return Ok((environment, None, None));
    }
    let path = options.state_dir.join(FAULT_LOG);
    let log =
        Arc::new(FaultLog::create(&path).map_err(|error| format!("{}: {error}", path.display()))?);
    let kills = (faults.kill_rate > 0.0)
        .then(|| KillSwitch::new(faults.kill_rate, faults.seed, log.clone()).map(Arc::new))
        .transpose()?;
    let mut proxy = None;
    if let Some(spec) = &faults.spec {
        let started = FaultProxy::start(spec.clone(), faults.seed, emulator.endpoint(), log)
            .await
            .map_err(|error| format!("the fault proxy: {error}"))?;
        for (name, value) in &mut environment {
            if name == "AWS_ENDPOINT_URL" {
                value.clone_from(&started.endpoint().to_owned());
            }
        }
        reporter.step(format!(
            "fault proxy on {} in front of {} (seed {}): the functions' AWS calls go through it",
            started.endpoint(),
            emulator.endpoint(),
            faults.seed
        ));
        proxy = Some(started);
    }
    if kills.is_some() {
        reporter.step(format!(
            "kill rate {}: a function process is killed mid-invocation that often (seed {})",
            faults.kill_rate, faults.seed
        ));
    }
    Ok((environment, proxy, kills))
}

/// The stack once its resources exist and its functions run: what the triggers connect.
struct Running<'a> {
    options: &'a StackOptions,
    /// What runs: the template less the functions the emulator cannot serve.
    spec: &'a StackSpec,
    /// Those functions (binary → why), for the state file.
    unavailable: BTreeMap<String, String>,
    /// The emulator's account, in every ARN.
    account: &'a str,
    emulator: &'a Emulator,
    config: &'a aws_config::SdkConfig,
    provisioned: &'a provision::Provisioned,
    runtime: &'a Arc<FunctionRuntime>,
    reporter: &'a Reporter,
}

/// Connects the triggers, says the stack is ready (state file, endpoints), keeps the functions
/// alive and fresh until `stop`, then lets the triggers drain.
async fn serve(
    running: &Running<'_>,
    proxy: Option<&FaultProxy>,
    stop: impl std::future::Future<Output = ()>,
) -> Result<(), String> {
    let Running {
        options,
        runtime,
        reporter,
        ..
    } = *running;
    let (trigger, shutdown) = Shutdown::new();
    let context = TriggerContext {
        invoker: runtime.clone(),
        reporter: reporter.clone(),
        shutdown,
    };
    let mut tasks = JoinSet::new();
    connect_queues_and_topics(running, &context, &mut tasks).await?;
    let mut endpoints = BTreeMap::new();
    endpoints.insert(
        "emulator".to_owned(),
        running.emulator.endpoint().to_owned(),
    );
    if let Some(url) = open_http_api(running, &context, &mut tasks).await? {
        endpoints.insert("api".to_owned(), url);
    }
    let mut state = state_document(running, &endpoints).await;
    if running.options.faults.spec.is_some() || running.options.faults.kill_rate > 0.0 {
        state["faults"] = json!({
            "proxy": proxy.map(FaultProxy::endpoint),
            "log": options.state_dir.join(FAULT_LOG),
            "seed": options.faults.seed,
            "kill_rate": options.faults.kill_rate,
        });
    }
    let state_path = options.state_dir.join(STATE_FILE);
    write_atomically(
        &state_path,
        &serde_json::to_vec_pretty(&state).unwrap_or_default(),
    )
    .map_err(|error| format!("{}: {error}", state_path.display()))?;
    endpoints.insert("state file".to_owned(), state_path.display().to_string());
    reporter.report(Progress::Ready { endpoints });

    if options.reload {
        reporter.step(format!(
            "watching {} source file(s) of the functions: a change rebuilds them",
            runtime.watched_sources().await
        ));
    }
    let supervise = async {
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            runtime.revive().await;
            if options.reload {
                runtime.reload_if_changed().await;
            }
        }
    };
    tokio::select! {
        () = stop => reporter.step("stopping: the triggers finish the invocations in hand"),
        () = supervise => {}
        Some(ended) = tasks.join_next() => {
            reporter.warn(format!("a trigger stopped on its own: {ended:?}; stopping the stack"));
        }
    }
    trigger.trigger();
    let drained =
        tokio::time::timeout(DRAIN, async { while tasks.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        reporter.warn(format!(
            "triggers still busy after {DRAIN:?}; stopping them"
        ));
        tasks.abort_all();
    }
    Ok(())
}

/// Starts every enabled SQS mapping and subscribes every SNS source, each on a task of `tasks`.
/// The SNS subscriptions exist when this returns: a message published after "ready" must find
/// them there.
async fn connect_queues_and_topics(
    running: &Running<'_>,
    context: &TriggerContext,
    tasks: &mut JoinSet<()>,
) -> Result<(), String> {
    let Running {
        options,
        spec,
        config,
        provisioned,
        reporter,
        ..
    } = *running;
    let sqs_client = aws_sdk_sqs::Client::new(config);
    let sns_client = aws_sdk_sns::Client::new(config);
    for function in &spec.functions {
        for source in function.sqs_sources.iter().filter(|source| source.enabled) {
            let queue = spec
                .queue_by_arn(&source.queue_arn)
                .cloned()
                .ok_or_else(|| format!("{}: no queue {}", function.logical_id, source.queue_arn))?;
            let queue_url = provisioned
                .queue_urls
                .get(&source.queue_arn)
                .cloned()
                .ok_or_else(|| format!("no URL for {}", source.queue_arn))?;
            reporter.step(format!(
                "SQS {} → {} (batch {}, window {} s)",
                queue.name, function.binary, source.batch_size, source.batching_window_s
            ));
            let mapping = sqs::SqsMapping {
                sqs: sqs_client.clone(),
                queue_url,
                queue,
                source: source.clone(),
                function: function.clone(),
            };
            tasks.spawn(sqs::run_sqs_mapping(
                mapping,
                context.clone(),
                sqs::SqsOptions::default(),
            ));
        }
        for source in &function.sns_sources {
            reporter.step(format!(
                "SNS {} → {} (asynchronous, {} retries)",
                source.topic_arn, function.binary, function.async_invoke.maximum_retry_attempts
            ));
            let mapping = sns::SnsMapping::subscribe(
                sns_client.clone(),
                sqs_client.clone(),
                source.clone(),
                function.clone(),
            )
            .await
            .map_err(|error| format!("{} {}: {error}", function.logical_id, source.event_id))?;
            tasks.spawn(mapping.run(
                context.clone(),
                sns::AsyncOptions {
                    retry_delays: options.retry_delays.clone(),
                    ..sns::AsyncOptions::default()
                },
            ));
        }
    }
    Ok(())
}

/// Opens the HTTP API's front door on its port and serves it on a task of `tasks`; its URL,
/// when the template has an API. One front door: the template has one API; a second would need
/// a port flag of its own.
async fn open_http_api(
    running: &Running<'_>,
    context: &TriggerContext,
    tasks: &mut JoinSet<()>,
) -> Result<Option<String>, String> {
    let Some(api) = running.spec.http_apis.first() else {
        return Ok(None);
    };
    let port = running.options.api_port.unwrap_or(0);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|error| format!("HTTP API on 127.0.0.1:{port}: {error}"))?;
    let address = listener
        .local_addr()
        .map_err(|error| format!("HTTP API: {error}"))?;
    let url = format!("http://{address}");
    running
        .reporter
        .step(format!("HTTP API {} on {url}", api.logical_id));
    let routes = http_api::routes_of(running.spec, &api.logical_id);
    let (api, context) = (api.clone(), context.clone());
    tasks.spawn(async move {
        let reporter = context.reporter.clone();
        if let Err(error) = http_api::serve(listener, routes, api, context).await {
            reporter.warn(format!("the HTTP API stopped: {error}"));
        }
    });
    Ok(Some(url))
}

/// Parameters whose value is an e-mail address: the SES identities the template assumes are
/// verified in the account (its `SenderAddress`). The emulator verifies them at once.
fn email_parameters(spec: &StackSpec) -> Vec<String> {
    spec.parameters
        .values()
        .filter(|value| {
            value.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !value.contains(char::is_whitespace)
            })
        })
        .cloned()
        .collect()
}

/// The functions left out (binary → why): those of the full spec that are not in the runnable
/// one, each with the service it needs that the emulator lacks.
fn unavailable_functions(stack: &FittedStack) -> BTreeMap<String, String> {
    let mut unavailable = BTreeMap::new();
    for service in &stack.missing {
        for function in stack.spec.functions_calling(&service.iam_prefix) {
            unavailable.insert(
                function.binary.clone(),
                format!("the emulator has no {}", service.name),
            );
        }
    }
    unavailable
}

/// The state file's content.
async fn state_document(
    running: &Running<'_>,
    endpoints: &BTreeMap<String, String>,
) -> serde_json::Value {
    let Running {
        spec,
        emulator,
        provisioned,
        runtime,
        ..
    } = *running;
    let api_url = endpoints.get("api").cloned().unwrap_or_default();
    let mut outputs = spec.outputs.clone();
    // The deployed API's URL means nothing here; the local front door's does.
    if outputs.contains_key("ApiUrl") {
        outputs.insert("ApiUrl".to_owned(), format!("{api_url}/"));
    }
    let queues: BTreeMap<&str, &str> = spec
        .queues
        .iter()
        .filter_map(|queue| {
            provisioned
                .queue_urls
                .get(&queue.arn)
                .map(|url| (queue.logical_id.as_str(), url.as_str()))
        })
        .collect();
    let mut pids = runtime.pids().await;
    pids.extend(emulator.pid());
    pids.push(std::process::id());
    json!({
        "endpoint": emulator.endpoint(),
        "region": emulator.region(),
        "api_url": api_url,
        "outputs": outputs,
        "parameters": spec.parameters,
        "queues": queues,
        "invoke_endpoint": runtime.invoke_endpoint(),
        "functions": spec.functions.iter().map(|f| (&f.binary, &f.name)).collect::<BTreeMap<_, _>>(),
        "unavailable": running.unavailable,
        "account": running.account,
        "pids": pids,
    })
}

/// Writes `bytes` to `path` so that a reader sees the old file or the whole new one, never a
/// half-written one: producers poll for the state file and read it as soon as it appears.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(folder)?;
    std::io::Write::write_all(&mut file, bytes)?;
    file.persist(path)?;
    Ok(())
}
