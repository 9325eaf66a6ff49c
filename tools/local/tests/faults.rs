//! The fault proxy against a real moto server, called by the SDK clients the functions use
//! (`paperflow_aws::clients::config_loader`, with its retry policy): the services' injected
//! error answers are parsed and retried by the SDK, a lost answer leaves the write done and the
//! caller failed, a reset leaves nothing done, and a seed replays its faults.

use aws_config::retry::RetryConfig;
use aws_config::{Region, SdkConfig};
use aws_sdk_s3::config::Credentials;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::put_object::PutObjectError;
use aws_sdk_s3::primitives::ByteStream;
use paperflow_local::faults::{FaultLog, FaultProxy, FaultSpec};
use paperflow_tests::moto::{Moto, REGION, TEST_KEY};
use serde_json::Value;
use std::path::Path;

/// The SDK's standard retry policy makes this many attempts.
const STANDARD_ATTEMPTS: usize = 3;

/// moto, a bucket and a topic in it, and a proxy in front of it with `spec` and `seed`.
struct Setup {
    moto: Moto,
    proxy: FaultProxy,
    direct: SdkConfig,
    _folder: tempfile::TempDir,
}

const BUCKET: &str = "documents";

impl Setup {
    async fn new(spec: &str, seed: u64) -> Setup {
        let moto = Moto::start();
        let direct = moto.sdk_config().await;
        aws_sdk_s3::Client::new(&direct)
            .create_bucket()
            .bucket(BUCKET)
            .send()
            .await
            .expect("bucket");
        let folder = tempfile::tempdir().expect("temporary folder");
        let proxy = start_proxy(spec, seed, &moto, folder.path()).await;
        Setup {
            moto,
            proxy,
            direct,
            _folder: folder,
        }
    }

    /// The functions' SDK configuration pointed at the proxy, with `retry`.
    async fn through_proxy(&self, retry: RetryConfig) -> SdkConfig {
        paperflow_aws::clients::config_loader()
            .endpoint_url(self.proxy.endpoint())
            .region(Region::new(REGION))
            .credentials_provider(Credentials::new(TEST_KEY, TEST_KEY, None, None, "test"))
            .retry_config(retry)
            .load()
            .await
    }

    fn fault_log(&self) -> Vec<Value> {
        read_log(self.proxy.log().path())
    }
}

async fn start_proxy(spec: &str, seed: u64, moto: &Moto, folder: &Path) -> FaultProxy {
    FaultProxy::start(
        FaultSpec::parse(spec).expect("spec"),
        seed,
        moto.endpoint(),
        std::sync::Arc::new(
            FaultLog::create(&folder.join(format!("faults-{seed}.jsonl"))).expect("fault log"),
        ),
    )
    .await
    .expect("proxy")
}

fn read_log(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("fault log")
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect()
}

async fn put(config: &SdkConfig, key: &str) -> Result<(), SdkError<PutObjectError>> {
    aws_sdk_s3::Client::new(config)
        .put_object()
        .bucket(BUCKET)
        .key(key)
        .body(ByteStream::from_static(b"%PDF-1.7"))
        .send()
        .await
        .map(|_| ())
}

async fn exists(config: &SdkConfig, key: &str) -> bool {
    aws_sdk_s3::Client::new(config)
        .head_object()
        .bucket(BUCKET)
        .key(key)
        .send()
        .await
        .is_ok()
}

#[tokio::test]
async fn an_injected_slowdown_is_parsed_and_retried_by_the_sdk() {
    let setup = Setup::new("s3.PutObject:throttle=1", 1).await;
    let config = setup.through_proxy(RetryConfig::standard()).await;

    let error = put(&config, "invoices/INV-1/r1.pdf")
        .await
        .expect_err("every attempt is throttled");

    assert_eq!(error.code(), Some("SlowDown"), "{error:?}");
    let log = setup.fault_log();
    assert_eq!(
        log.len(),
        STANDARD_ATTEMPTS,
        "one fault per attempt: {log:?}"
    );
    for line in &log {
        assert_eq!(line["kind"], "throttle");
        assert_eq!(line["operation"], "PutObject");
        assert_eq!(line["target"], "invoices/INV-1/r1.pdf");
        assert_eq!(line["status"], 503);
    }
    assert!(paperflow_aws::classify("s3", &error).retryable);
    assert!(!exists(&setup.direct, "invoices/INV-1/r1.pdf").await);
}

#[tokio::test]
async fn each_service_error_answer_is_read_as_its_code_and_retried() {
    let setup = Setup::new("s3:error=1;sns:throttle=1;ses:throttle=1", 2).await;
    let config = setup.through_proxy(RetryConfig::standard()).await;

    let s3 = put(&config, "k").await.expect_err("a 5xx every time");
    let sns = aws_sdk_sns::Client::new(&config)
        .publish()
        .topic_arn(setup.moto.topic_arn("invoice-events"))
        .message("{}")
        .send()
        .await
        .expect_err("throttled every time");
    let ses = aws_sdk_sesv2::Client::new(&config)
        .send_email()
        .from_email_address("billing@northwind.example")
        .send()
        .await
        .expect_err("throttled every time");

    assert_eq!(s3.code(), Some("InternalError"), "{s3:?}");
    assert_eq!(sns.code(), Some("Throttling"), "{sns:?}");
    assert_eq!(ses.code(), Some("TooManyRequestsException"), "{ses:?}");
    let log = setup.fault_log();
    for (service, operation) in [
        ("s3", "PutObject"),
        ("sns", "Publish"),
        ("ses", "SendEmail"),
    ] {
        let attempts = log
            .iter()
            .filter(|line| line["service"] == service && line["operation"] == operation)
            .count();
        assert_eq!(attempts, STANDARD_ATTEMPTS, "{service}: {log:?}");
    }
}

#[tokio::test]
async fn a_lost_answer_leaves_the_write_done_and_the_caller_failed() {
    let setup = Setup::new("s3.PutObject:lost=1", 3).await;
    let config = setup.through_proxy(RetryConfig::disabled()).await;

    let error = put(&config, "invoices/INV-2/r1.pdf")
        .await
        .expect_err("the answer is lost");

    assert!(matches!(error, SdkError::DispatchFailure(_)), "{error:?}");
    assert!(paperflow_aws::classify("s3", &error).retryable);
    assert!(
        exists(&setup.direct, "invoices/INV-2/r1.pdf").await,
        "the emulator stored the object"
    );
    let log = setup.fault_log();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["kind"], "lost");
    assert_eq!(log[0]["status"], 200, "the emulator's own answer");
}

#[tokio::test]
async fn a_reset_reaches_nothing_and_the_caller_fails() {
    let setup = Setup::new("s3.PutObject:reset=1", 4).await;
    let config = setup.through_proxy(RetryConfig::disabled()).await;

    let error = put(&config, "invoices/INV-3/r1.pdf")
        .await
        .expect_err("the connection is reset");

    assert!(matches!(error, SdkError::DispatchFailure(_)), "{error:?}");
    assert!(!exists(&setup.direct, "invoices/INV-3/r1.pdf").await);
    assert_eq!(setup.fault_log()[0]["kind"], "reset");
    // Other operations pass untouched.
    assert!(exists(&config, "missing").await == exists(&setup.direct, "missing").await);
}

/// Forty sequential puts through a proxy with every kind of fault, without retries; the log.
async fn faults_of_a_run(moto: &Moto, seed: u64, folder: &Path) -> Vec<Value> {
    let spec = "*:throttle=0.15,error=0.15,reset=0.1,lost=0.1,latency=1ms@0.2";
    std::fs::create_dir_all(folder).expect("log folder");
    let proxy = start_proxy(spec, seed, moto, folder).await;
    let config = paperflow_aws::clients::config_loader()
        .endpoint_url(proxy.endpoint())
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new(TEST_KEY, TEST_KEY, None, None, "test"))
        .retry_config(RetryConfig::disabled())
        .load()
        .await;
    for n in 0..40 {
        let _ = put(&config, &format!("replay/{n}")).await;
    }
    assert_eq!(proxy.calls(), 40);
    read_log(proxy.log().path())
}

#[tokio::test]
async fn the_same_seed_replays_the_same_faults() {
    let setup = Setup::new("s3:throttle=0", 0).await;
    let folder = tempfile::tempdir().expect("temporary folder");

    let first = faults_of_a_run(&setup.moto, 42, &folder.path().join("a")).await;
    let again = faults_of_a_run(&setup.moto, 42, &folder.path().join("b")).await;
    let other = faults_of_a_run(&setup.moto, 43, &folder.path().join("c")).await;

    assert_eq!(first, again);
    assert_ne!(first, other);
    let kinds: std::collections::BTreeSet<&str> = first
        .iter()
        .filter_map(|line| line["kind"].as_str())
        .collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["error", "latency", "lost", "reset", "throttle"],
        "forty calls see every kind"
    );
}
