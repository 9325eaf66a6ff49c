//! A real moto server for tests: S3, SNS, SQS and SES on loopback, one per test.
//!
//! [`Moto::start`] runs `.tools/venv/bin/moto_server` (installed by `make tools`) on a free
//! port of 127.0.0.1 and waits until it answers; the launcher is the local stack's own
//! ([`paperflow_local::moto::MotoServer`]), this is the test's synchronous, panicking face of
//! it. HTTP requests go through the stack's client too ([`paperflow_local::http_client`]). The server is a child process of the test and
//! is killed when the [`Moto`] is dropped, also when the test fails, so no server outlives its
//! test. Tests point the code under test at it the standard way: an `SdkConfig` with its
//! endpoint ([`Moto::sdk_config`]), or `AWS_ENDPOINT_URL` and friends for child processes
//! ([`Moto::env_for`]). Nothing in the code under test knows that it talks to moto.
//!
//! ```no_run
//! # async fn example() {
//! let moto = paperflow_tests::moto::Moto::start();
//! let config = moto.sdk_config().await;
//! let s3 = aws_sdk_s3::Client::new(&config);
//! s3.create_bucket().bucket("documents").send().await.expect("a bucket");
//! # }
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use aws_config::{BehaviorVersion, ConfigLoader, Region, SdkConfig};
use aws_sdk_s3::config::Credentials;
pub use paperflow_local::http_client::HttpReply;
use paperflow_local::http_client::blocking_request;
use paperflow_local::moto::MotoServer;

use crate::repo_root;

/// The region every test resource lives in.
pub const REGION: &str = "us-east-1";
/// The access key id and secret of the test credentials (moto accepts any).
pub const TEST_KEY: &str = "testing";
/// moto's default account id, as it appears in ARNs.
pub const ACCOUNT_ID: &str = "123456789012";

/// A moto server of this test's own, on `127.0.0.1:<port>`.
pub struct Moto {
    server: MotoServer,
    endpoint: String,
    log_path: PathBuf,
    // Declared last: the log folder goes after the server that writes into it has stopped.
    _log_dir: tempfile::TempDir,
}

impl Moto {
    /// Starts a moto server on a free loopback port and waits until it answers.
    ///
    /// Panics with the server's log when it does not answer in time, and with "run
    /// `make tools`" when moto is not installed.
    pub fn start() -> Moto {
        let log_dir = tempfile::tempdir().expect("a temporary folder for moto's log");
        let log_path = log_dir.path().join("moto.log");
        let server = MotoServer::start(&moto_server(), &log_path).unwrap_or_else(|error| {
            panic!(
                "moto_server: {error}\n--- {} (last lines) ---\n{}",
                log_path.display(),
                tail_of(&log_path)
            )
        });
        Moto {
            endpoint: server.endpoint(),
            server,
            log_path,
            _log_dir: log_dir,
        }
    }

    /// The endpoint URL, `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.server.port()
    }

    /// Where the server's output goes (every request it served, and its errors).
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// The last lines of the server's output, for failure messages.
    pub fn log_tail(&self) -> String {
        tail_of(&self.log_path)
    }

    /// Whether the server process is running.
    pub fn is_running(&mut self) -> bool {
        self.server.is_running()
    }

    /// Stops the server and waits until it is gone: from now on its port refuses connections,
    /// as a service that is down. [`Moto::restart`] brings it back.
    pub fn stop(&mut self) {
        self.server.stop();
    }

    /// Starts the server again on the same port (stopping it first if it runs).
    ///
    /// moto keeps its state in memory only: after a restart it is EMPTY, with no buckets,
    /// topics or queues. A recovery test creates its resources again.
    pub fn restart(&mut self) {
        if let Err(error) = self.server.restart() {
            self.fail(&format!("restart on port {}: {error}", self.port()));
        }
    }

    /// Forgets every resource (`POST /moto-api/reset`), without restarting.
    pub fn reset(&self) {
        let url = format!("{}/moto-api/reset", self.endpoint);
        match http_request("POST", &url, &[], b"") {
            Ok(reply) if reply.status == 200 => {}
            Ok(reply) => self.fail(&format!("POST /moto-api/reset answered {}", reply.status)),
            Err(error) => self.fail(&format!("POST /moto-api/reset failed: {error}")),
        }
    }

    /// The environment that points a child process (`cargo lambda watch`, the `paperflow`
    /// command, …) at this server: `AWS_ENDPOINT_URL`, `AWS_REGION`, test credentials, and
    /// no instance metadata lookups.
    pub fn env_for(&self) -> Vec<(String, String)> {
        [
            ("AWS_ENDPOINT_URL", self.endpoint.as_str()),
            ("AWS_REGION", REGION),
            ("AWS_ACCESS_KEY_ID", TEST_KEY),
            ("AWS_SECRET_ACCESS_KEY", TEST_KEY),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
    }

    /// A config loader pointed at this server (endpoint, region, static test credentials), to
    /// add test settings such as short timeouts before `.load()`. The process environment is
    /// neither read for these nor changed.
    pub fn config_loader(&self) -> ConfigLoader {
        aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(&self.endpoint)
            .region(Region::new(REGION))
            .credentials_provider(Credentials::new(TEST_KEY, TEST_KEY, None, None, "moto"))
    }

    /// An SDK configuration pointed at this server; every client built from it talks to moto.
    pub async fn sdk_config(&self) -> SdkConfig {
        self.config_loader().load().await
    }

    /// An SNS topic ARN of this server's account, as moto builds it.
    pub fn topic_arn(&self, name: &str) -> String {
        format!("arn:aws:sns:{REGION}:{ACCOUNT_ID}:{name}")
    }

    fn fail(&self, what: &str) -> ! {
        panic!(
            "moto_server on {}: {what}\n--- {} (last lines) ---\n{}",
            self.endpoint,
            self.log_path.display(),
            self.log_tail()
        )
    }
}

impl std::fmt::Debug for Moto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Moto")
            .field("endpoint", &self.endpoint)
            .field("log", &self.log_path)
            .finish()
    }
}

/// The last 40 lines of a log file.
fn tail_of(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// `.tools/venv/bin/moto_server`, or a panic that says how to install it.
fn moto_server() -> PathBuf {
    let path = repo_root().join(".tools/venv/bin/moto_server");
    assert!(
        path.is_file(),
        "{} is missing: run `make tools` (installs moto into .tools/venv)",
        path.display()
    );
    path
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
pub fn free_port() -> u16 {
    paperflow_local::process::free_port().expect("a free port on 127.0.0.1")
}

/// A plain HTTP/1.1 request to a loopback URL (`http://127.0.0.1:<port>/…` or
/// `http://localhost:<port>/…`), as a browser or `curl` would send it: for presigned URLs and
/// moto's own API. Refuses any other host.
pub fn http_request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<HttpReply> {
    http_request_with_timeout(method, url, headers, body, Duration::from_secs(10))
}

/// [`http_request`], waiting up to `timeout` for the answer (a function that is built on its
/// first request takes minutes).
pub fn http_request_with_timeout(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    timeout: Duration,
) -> std::io::Result<HttpReply> {
    blocking_request(method, url, headers, body, timeout)
}

/// A GET of a loopback URL; see [`http_request`].
pub fn http_get(url: &str) -> std::io::Result<HttpReply> {
    http_request("GET", url, &[], b"")
}

/// A GET of a loopback URL, waiting up to `timeout` for the answer.
pub fn http_get_with_timeout(url: &str, timeout: Duration) -> std::io::Result<HttpReply> {
    http_request_with_timeout("GET", url, &[], b"", timeout)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket_count(moto: &Moto) -> usize {
        let reply = http_get(&format!("{}/", moto.endpoint())).expect("ListBuckets answers");
        assert_eq!(reply.status, 200);
        String::from_utf8_lossy(&reply.body)
            .matches("<Bucket>")
            .count()
    }

    fn create_bucket(moto: &Moto, name: &str) {
        let reply = http_request("PUT", &format!("{}/{name}", moto.endpoint()), &[], b"")
            .expect("CreateBucket answers");
        assert_eq!(
            reply.status,
            200,
            "{}",
            String::from_utf8_lossy(&reply.body)
        );
    }

    #[test]
    fn reset_and_restart_forget_everything_and_restart_keeps_the_port() {
        let mut moto = Moto::start();
        assert!(moto.endpoint().starts_with("http://127.0.0.1:"));
        create_bucket(&moto, "kept-until-reset");
        assert_eq!(bucket_count(&moto), 1);
        moto.reset();
        assert_eq!(bucket_count(&moto), 0);

        create_bucket(&moto, "kept-until-restart");
        let port = moto.port();
        moto.stop();
        assert!(!moto.is_running());
        assert!(
            http_get(&format!("{}/", moto.endpoint())).is_err(),
            "down means down"
        );
        moto.restart();
        assert!(moto.is_running());
        assert_eq!(moto.port(), port);
        assert_eq!(bucket_count(&moto), 0, "moto starts empty after a restart");
    }

    #[test]
    fn dropping_it_stops_the_server() {
        let moto = Moto::start();
        let url = format!("{}/moto-api/", moto.endpoint());
        assert_eq!(http_get(&url).expect("up").status, 200);
        drop(moto);
        assert!(http_get(&url).is_err(), "the server is gone with its Moto");
    }

    #[test]
    fn env_for_points_child_processes_at_the_server() {
        let moto = Moto::start();
        let env = moto.env_for();
        let get = |name: &str| {
            env.iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        assert_eq!(get("AWS_ENDPOINT_URL"), Some(moto.endpoint()));
        assert_eq!(get("AWS_REGION"), Some("us-east-1"));
        assert_eq!(get("AWS_ACCESS_KEY_ID"), Some("testing"));
        assert_eq!(get("AWS_SECRET_ACCESS_KEY"), Some("testing"));
        assert_eq!(get("AWS_EC2_METADATA_DISABLED"), Some("true"));
    }

    #[test]
    fn http_request_talks_to_loopback_only() {
        let error = http_get("http://192.0.2.1:80/").expect_err("not loopback");
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
        let error = http_get("https://127.0.0.1:443/").expect_err("not http");
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    }
}
