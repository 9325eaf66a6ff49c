//! The one HTTP client of the local stack and of its test kit: hyper-util's, the same one the
//! function runtime invokes `cargo lambda watch` with. It talks plain HTTP to loopback only
//! (moto, the Lambda runtime API, the stack's own front door, presigned URLs of the emulator);
//! anything else is refused, so that no test or probe can reach the outside by mistake.
//!
//! [`request`] is async; [`blocking_request`] runs the same request to completion from
//! synchronous code (the test kit's `Moto`), also when it is called inside a Tokio runtime.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::io::{Error, ErrorKind};
use std::time::Duration;

/// An HTTP answer: status, header fields (names in lower case) and the whole body, with the
/// transfer encoding already undone.
#[derive(Debug, Clone)]
pub struct HttpReply {
    /// The status code.
    pub status: u16,
    /// The header fields, names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body.
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

/// One request to a loopback URL (`http://127.0.0.1:<port>/…` or `http://localhost:<port>/…`),
/// the answer awaited for at most `timeout`. Another scheme or host is `InvalidInput`; a
/// refused connection is the connector's error; no answer in time is `TimedOut`.
pub async fn request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    timeout: Duration,
) -> std::io::Result<HttpReply> {
    let uri = loopback_uri(url)?;
    let invalid = |error: String| Error::new(ErrorKind::InvalidInput, error);
    let mut builder = hyper::Request::builder()
        .method(method)
        .uri(uri)
        .header(hyper::header::CONNECTION, "close");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder
        .body(Full::new(Bytes::copy_from_slice(body)))
        .map_err(|error| invalid(format!("{method} {url}: {error}")))?;
    let client: Client<HttpConnector, Full<Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
    let exchange = async {
        let response = client
            .request(request)
            .await
            .map_err(|error| Error::new(ErrorKind::ConnectionRefused, error))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|error| Error::new(ErrorKind::InvalidData, error))?
            .to_bytes()
            .to_vec();
        Ok(HttpReply {
            status,
            headers,
            body,
        })
    };
    tokio::time::timeout(timeout, exchange).await.map_err(|_| {
        Error::new(
            ErrorKind::TimedOut,
            format!("{method} {url}: no answer within {timeout:?}"),
        )
    })?
}

/// [`request`] from synchronous code: run on a thread of its own with a runtime of its own, so
/// that it works the same whether or not the caller is inside a Tokio runtime.
pub fn blocking_request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    timeout: Duration,
) -> std::io::Result<HttpReply> {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?
                    .block_on(request(method, url, headers, body, timeout))
            })
            .join()
            .unwrap_or_else(|_| Err(Error::other("the HTTP request's thread panicked")))
    })
}

/// `url` as a URI, if it is plain HTTP to a loopback host with a port.
fn loopback_uri(url: &str) -> std::io::Result<hyper::Uri> {
    let invalid = |what: String| Error::new(ErrorKind::InvalidInput, what);
    let uri: hyper::Uri = url
        .parse()
        .map_err(|error| invalid(format!("{url}: {error}")))?;
    if uri.scheme_str() != Some("http") {
        return Err(invalid(format!("not an http:// URL: {url}")));
    }
    if !matches!(uri.host(), Some("127.0.0.1" | "localhost")) {
        return Err(invalid(format!("not a loopback URL: {url}")));
    }
    if uri.port_u16().is_none() {
        return Err(invalid(format!("no port in {url}")));
    }
    Ok(uri)
}
