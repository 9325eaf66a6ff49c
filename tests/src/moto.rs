//! A real moto server for tests: S3, SNS, SQS and SES on loopback, one per test.
//!
//! [`Moto::start`] runs `.tools/venv/bin/moto_server` (installed by `make tools`) on a free
//! port of 127.0.0.1 and waits until it answers. The server is a child process of the test and
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

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, ConfigLoader, Region, SdkConfig};
use aws_sdk_s3::config::Credentials;

use crate::repo_root;

/// The region every test resource lives in.
pub const REGION: &str = "us-east-1";
/// The access key id and secret of the test credentials (moto accepts any).
pub const TEST_KEY: &str = "testing";
/// moto's default account id, as it appears in ARNs.
pub const ACCOUNT_ID: &str = "123456789012";

const START_TIMEOUT: Duration = Duration::from_secs(20);

/// A moto server of this test's own, on `127.0.0.1:<port>`.
pub struct Moto {
    port: u16,
    endpoint: String,
    child: Option<Child>,
    log_path: PathBuf,
    _log_dir: tempfile::TempDir,
}

impl Moto {
    /// Starts a moto server on a free loopback port and waits until it answers.
    ///
    /// Panics with the server's log when it does not answer within 20 s, and with "run
    /// `make tools`" when moto is not installed.
    pub fn start() -> Moto {
        let server = moto_server();
        let log_dir = tempfile::tempdir().expect("a temporary folder for moto's log");
        let mut moto = Moto {
            port: 0,
            endpoint: String::new(),
            child: None,
            log_path: log_dir.path().join("moto.log"),
            _log_dir: log_dir,
        };
        // Another process may take the free port between our probe and moto's bind; a moto that
        // exits at once is started again on another port.
        let mut attempts = 0;
        loop {
            attempts += 1;
            moto.port = free_port();
            moto.endpoint = format!("http://127.0.0.1:{}", moto.port);
            match moto.spawn(&server) {
                Ok(()) => return moto,
                Err(StartError::Exited) if attempts < 3 => continue,
                Err(error) => moto.fail(&error.to_string()),
            }
        }
    }

    /// The endpoint URL, `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Where the server's output goes (every request it served, and its errors).
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// The last lines of the server's output, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log_path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// Whether the server process is running.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }

    /// Stops the server (kill and wait): from now on its port refuses connections, as a
    /// service that is down. [`Moto::restart`] brings it back.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port (stopping it first if it runs).
    ///
    /// moto keeps its state in memory only: after a restart it is EMPTY, with no buckets,
    /// topics or queues. A recovery test creates its resources again.
    pub fn restart(&mut self) {
        self.stop();
        let server = moto_server();
        if let Err(error) = self.spawn(&server) {
            self.fail(&format!("restart on port {}: {error}", self.port));
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

    fn spawn(&mut self, server: &Path) -> Result<(), StartError> {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .map_err(|error| StartError::Io(format!("log {}: {error}", self.log_path.display())))?;
        let log_err = log
            .try_clone()
            .map_err(|error| StartError::Io(format!("log: {error}")))?;
        let child = Command::new(server)
            .args(["-H", "127.0.0.1", "-p", &self.port.to_string()])
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .map_err(|error| StartError::Io(format!("{}: {error}", server.display())))?;
        self.child = Some(child);
        self.wait_ready()
    }

    fn wait_ready(&mut self) -> Result<(), StartError> {
        let url = format!("{}/moto-api/", self.endpoint);
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if !self.is_running() {
                self.child = None;
                return Err(StartError::Exited);
            }
            if matches!(http_request("GET", &url, &[], b""), Ok(reply) if reply.status == 200) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(StartError::Timeout);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
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

impl Drop for Moto {
    fn drop(&mut self) {
        self.stop();
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

enum StartError {
    Exited,
    Timeout,
    Io(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Exited => write!(f, "the server exited at start"),
            StartError::Timeout => write!(f, "no answer within {START_TIMEOUT:?}"),
            StartError::Io(error) => write!(f, "cannot start: {error}"),
        }
    }
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

/// A port of 127.0.0.1 that nothing listens on right now.
/// A TCP port on 127.0.0.1 that nothing listens on right now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a free port on 127.0.0.1");
    listener.local_addr().expect("the bound address").port()
}

/// An HTTP answer, read by [`http_request`].
#[derive(Debug, Clone)]
pub struct HttpReply {
    /// The status code.
    pub status: u16,
    /// The header fields, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body (chunked transfer decoded).
    pub body: Vec<u8>,
}

impl HttpReply {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
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
    let invalid = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, what);
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| invalid(format!("not an http:// URL: {url}")))?;
    let (authority, target) = match rest.find('/') {
        Some(slash) => (&rest[..slash], &rest[slash..]),
        None => (rest, "/"),
    };
    let (host, port) = authority
        .rsplit_once(':')
        .ok_or_else(|| invalid(format!("no port in {url}")))?;
    if host != "127.0.0.1" && host != "localhost" {
        return Err(invalid(format!("not a loopback URL: {url}")));
    }
    let port: u16 = port
        .parse()
        .map_err(|_| invalid(format!("bad port in {url}")))?;
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    let mut request = format!(
        "{method} {target} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_reply(&raw).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not an HTTP answer: {:?}", String::from_utf8_lossy(&raw)),
        )
    })
}

/// A GET of a loopback URL; see [`http_request`].
pub fn http_get(url: &str) -> std::io::Result<HttpReply> {
    http_request("GET", url, &[], b"")
}

/// A GET of a loopback URL, waiting up to `timeout` for the answer.
pub fn http_get_with_timeout(url: &str, timeout: Duration) -> std::io::Result<HttpReply> {
    http_request_with_timeout("GET", url, &[], b"", timeout)
}

fn parse_reply(raw: &[u8]) -> Option<HttpReply> {
    let end = raw.windows(4).position(|window| window == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(name, value)| name == "transfer-encoding" && value.eq_ignore_ascii_case("chunked"));
    if chunked {
        body = dechunk(&body)?;
    }
    Some(HttpReply {
        status,
        headers,
        body,
    })
}

fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = raw.windows(2).position(|window| window == b"\r\n")?;
        let size_text = std::str::from_utf8(&raw[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        raw = &raw[line_end + 2..];
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(raw.get(..size)?);
        raw = raw.get(size + 2..)?;
    }
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

    #[test]
    fn chunked_bodies_are_decoded() {
        let raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5;x=y\r\npedia\r\n0\r\n\r\n";
        let reply = parse_reply(raw).expect("an answer");
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("transfer-encoding"), Some("chunked"));
        assert_eq!(reply.body, b"Wikipedia");
    }
}
