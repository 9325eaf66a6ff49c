//! The HTTP API's front door over real sockets: requests go in as HTTP/1.1, the event a test
//! function receives is checked against payload format 2.0, and its answers come back out the
//! way API Gateway's HTTP APIs give them.

mod common;

use aws_lambda_events::encodings::Body;
use base64::Engine as _;
use common::{ANY_BINARY, Answer, TestFunction, eventually, function_spec};
use paperflow_local::http_api::serve;
use paperflow_local::progress::Reporter;
use paperflow_local::spec::{FunctionSpec, HttpApiSpec, HttpRouteSpec};
use paperflow_local::{Shutdown, TriggerContext};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn function(binary: &str) -> FunctionSpec {
    FunctionSpec {
        // Just under the HTTP API's 30-second integration timeout.
        timeout_s: 29,
        ..function_spec(&format!("{binary}Function"), binary)
    }
}

fn route(method: &str, path: &str) -> HttpRouteSpec {
    HttpRouteSpec {
        event_id: format!("{method}{path}"),
        api_logical_id: "HttpApi".to_owned(),
        method: method.to_owned(),
        path: path.to_owned(),
        payload_format_version: "2.0".to_owned(),
        authorizer: Some("AWS_IAM".to_owned()),
    }
}

/// paperflow's invoice API routes, each to its own test binary name.
fn invoice_routes() -> Vec<(FunctionSpec, HttpRouteSpec)> {
    vec![
        (function("pdf"), route("POST", "/v1/invoices/pdf")),
        (function("submit"), route("POST", "/v1/invoices")),
        (function("get"), route("GET", "/v1/invoices/{id}")),
    ]
}

/// A running front door.
struct Front {
    address: SocketAddr,
    function: Arc<TestFunction>,
    reporter: Reporter,
    trigger: paperflow_local::ShutdownTrigger,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Front {
    /// Serves paperflow's invoice routes on stage `$default` with a function that answers each
    /// event per `rule`.
    async fn start(rule: impl Fn(&Value) -> Answer + Send + Sync + 'static) -> Front {
        Front::start_on_stage("$default", rule).await
    }

    /// The same on `stage`.
    async fn start_on_stage(
        stage: &str,
        rule: impl Fn(&Value) -> Answer + Send + Sync + 'static,
    ) -> Front {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port on 127.0.0.1");
        let address = listener.local_addr().expect("the address");
        let function = TestFunction::new(ANY_BINARY, rule);
        let reporter = Reporter::new(false);
        let (trigger, shutdown) = Shutdown::new();
        let api = HttpApiSpec {
            logical_id: "HttpApi".to_owned(),
            stage: stage.to_owned(),
        };
        let context = TriggerContext {
            invoker: function.clone(),
            reporter: reporter.clone(),
            shutdown,
        };
        let server = tokio::spawn(serve(listener, invoice_routes(), api, context));
        Front {
            address,
            function,
            reporter,
            trigger,
            server,
        }
    }

    /// Sends one request: see [`send`].
    async fn send(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        send(self.address, method, target, headers, body).await
    }

    /// Sends a `GET` of `target` without headers or body.
    async fn get(&self, target: &str) -> Reply {
        send(self.address, "GET", target, &[], b"").await
    }

    async fn stop(self) {
        self.trigger.trigger();
        tokio::time::timeout(Duration::from_secs(10), self.server)
            .await
            .expect("the server stops")
            .expect("the server task")
            .expect("the server returns Ok");
    }
}

/// A response as read off the socket.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// Sends one request (`Connection: close`) with the raw request target and headers given, and
/// reads the whole response.
async fn send(
    address: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("a connection");
    let mut head =
        format!("{method} {target} HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("content-length"))
    {
        head.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.expect("the head");
    stream.write_all(body).await.expect("the body");
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut raw))
        .await
        .expect("a response in time")
        .expect("the response");
    parse(&raw)
}

fn parse(raw: &[u8]) -> Reply {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = std::str::from_utf8(&raw[..end]).expect("a text head");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let body = raw[end + 4..].to_vec();
    if let Some(length) = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .map(|(_, value)| value.parse::<usize>().expect("a length"))
    {
        assert_eq!(body.len(), length, "the body has its content-length");
    }
    Reply {
        status,
        headers,
        body,
    }
}

#[tokio::test]
async fn routes_match_like_api_gateway_and_the_rest_is_404() {
    let front = Front::start(|_| Answer::Ok(json!({"statusCode": 204}))).await;

    let reply = front.get("/v1/invoices/inv-1").await;
    assert_eq!(reply.status, 204);
    assert!(reply.header("apigw-requestid").is_some());
    let (binary, event) = front.function.calls().remove(0);
    assert_eq!(binary, "get");
    assert_eq!(event["routeKey"], "GET /v1/invoices/{id}");
    assert_eq!(event["requestContext"]["routeKey"], "GET /v1/invoices/{id}");
    assert_eq!(event["pathParameters"], json!({"id": "inv-1"}));
    assert_eq!(
        event["requestContext"]["requestId"].as_str(),
        reply.header("apigw-requestid")
    );

    let reply = front.send("POST", "/v1/invoices/pdf", &[], b"").await;
    assert_eq!(reply.status, 204);
    assert_eq!(
        front.function.last_event()["routeKey"],
        "POST /v1/invoices/pdf"
    );

    for (method, target) in [
        ("GET", "/v1/invoices"),
        ("DELETE", "/v1/invoices/inv-1"),
        ("GET", "/v1/invoices/inv-1/extra"),
        ("GET", "/"),
    ] {
        let reply = front.send(method, target, &[], b"").await;
        assert_eq!(reply.status, 404, "{method} {target}");
        assert_eq!(reply.json(), json!({"message": "Not Found"}));
        assert_eq!(reply.header("content-type"), Some("application/json"));
        assert!(reply.header("apigw-requestid").is_some());
    }
    assert_eq!(
        front.function.events().len(),
        2,
        "no function ran for a 404"
    );
    front.stop().await;
}

#[tokio::test]
async fn path_parameters_query_and_duplicate_headers() {
    let front = Front::start(|_| Answer::Ok(json!({"ok": true}))).await;
    let reply = front
        .send(
            "GET",
            "/v1/invoices/inv%201?revision=2&tag=a&tag=b%26c&empty",
            &[
                ("accept", "application/json"),
                ("Accept", "application/problem+json"),
                ("x-correlation-id", "corr-1"),
                ("user-agent", "paperflow-test"),
            ],
            b"",
        )
        .await;
    assert_eq!(reply.status, 200);
    let event = front.function.last_event();
    assert_eq!(event["version"], "2.0");
    assert_eq!(event["pathParameters"], json!({"id": "inv 1"}));
    assert_eq!(event["rawQueryString"], "revision=2&tag=a&tag=b%26c&empty");
    assert_eq!(
        event["queryStringParameters"],
        json!({"revision": "2", "tag": "a,b&c", "empty": ""})
    );
    assert_eq!(
        event["headers"]["accept"],
        "application/json,application/problem+json"
    );
    assert_eq!(event["headers"]["x-correlation-id"], "corr-1");
    assert_eq!(event["headers"]["x-forwarded-for"], "127.0.0.1");
    assert_eq!(event["headers"]["x-forwarded-proto"], "http");
    let context = &event["requestContext"];
    assert_eq!(context["http"]["method"], "GET");
    assert_eq!(context["http"]["protocol"], "HTTP/1.1");
    assert_eq!(context["http"]["sourceIp"], "127.0.0.1");
    assert_eq!(context["http"]["userAgent"], "paperflow-test");
    assert_eq!(context["stage"], "$default");
    assert_eq!(context["accountId"], "123456789012");
    assert!(
        context["timeEpoch"]
            .as_i64()
            .is_some_and(|ms| ms > 1_700_000_000_000)
    );
    assert!(
        context["time"]
            .as_str()
            .is_some_and(|t| t.len() == 26 && t.ends_with(" +0000")),
        "{}",
        context["time"]
    );
    // AWS_IAM routes describe a caller; nothing is verified locally.
    assert_eq!(context["authorizer"]["iam"]["accountId"], "123456789012");
    assert!(event.get("body").is_none());
    assert_eq!(event["isBase64Encoded"], false);

    // What the stack counts: one invocation, none failed.
    let totals = front.reporter.totals();
    assert_eq!(totals["get"].invocations, 1);
    assert_eq!(totals["get"].failed, 0);
    front.stop().await;
}

#[tokio::test]
async fn binary_bodies_are_base64_and_json_is_plain() {
    let front = Front::start(|_| Answer::Ok(json!({"statusCode": 202}))).await;
    let binary: Vec<u8> = (0..=255u8).collect();
    let cases: [(Option<&str>, &[u8], bool); 5] = [
        (Some("application/json"), br#"{"invoice":1}"#, false),
        (Some("text/plain; charset=utf-8"), "grüße".as_bytes(), false),
        (Some("application/octet-stream"), &binary, true),
        (None, b"no type", true),
        // Declared text, but not UTF-8: carried losslessly as base64, never a 500.
        (Some("text/plain"), &[0xff, 0x00, 0xfe], true),
    ];
    for (content_type, body, base64) in cases {
        let headers: Vec<(&str, &str)> = content_type
            .map(|t| vec![("content-type", t)])
            .unwrap_or_default();
        let reply = front.send("POST", "/v1/invoices", &headers, body).await;
        assert_eq!(reply.status, 202, "{content_type:?}");
        let event = front.function.last_event();
        assert_eq!(event["isBase64Encoded"], base64, "{content_type:?}");
        let sent = event["body"].as_str().expect("a body");
        let received = if base64 {
            base64::engine::general_purpose::STANDARD
                .decode(sent)
                .expect("base64")
        } else {
            sent.as_bytes().to_vec()
        };
        assert_eq!(received, body, "{content_type:?}");
    }
    front.stop().await;
}

#[tokio::test]
async fn a_base64_answer_comes_out_as_its_bytes() {
    let pdf: Vec<u8> = b"%PDF-1.7\n"
        .iter()
        .copied()
        .chain((0..=255u8).rev())
        .collect();
    let encoded = base64::engine::general_purpose::STANDARD.encode(&pdf);
    let front = Front::start(move |_| {
        Answer::Ok(json!({
            "statusCode": 200,
            "headers": {"content-type": "application/pdf", "etag": "\"abc\""},
            "body": encoded,
            "isBase64Encoded": true,
        }))
    })
    .await;
    let reply = front
        .send(
            "POST",
            "/v1/invoices/pdf",
            &[("content-type", "application/json")],
            b"{}",
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/pdf"));
    assert_eq!(reply.header("etag"), Some("\"abc\""));
    assert_eq!(reply.body, pdf);
    front.stop().await;
}

#[tokio::test]
async fn an_answer_without_status_code_is_200_json() {
    let front = Front::start(|_| Answer::Ok(json!({"id": "inv-1", "status": "ready"}))).await;
    let reply = front.get("/v1/invoices/inv-1").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.json(), json!({"id": "inv-1", "status": "ready"}));
    front.stop().await;
}

#[tokio::test]
async fn failures_are_api_gateways_500_and_503() {
    let front = Front::start(|event| match event["pathParameters"]["id"].as_str() {
        Some("error") => Answer::Error,
        // The function's own Timeout (29 s) ends it first: a function error to the gateway.
        Some("own-timeout") => Answer::Timeout(Duration::from_secs(29)),
        // Past the HTTP API's 30-second integration timeout.
        Some("timeout") => Answer::Timeout(Duration::from_secs(60)),
        Some("not-json") => Answer::Raw(b"<html>"),
        Some("bad-status") => Answer::Ok(json!({"statusCode": 1000})),
        Some("bad-base64") => {
            Answer::Ok(json!({"statusCode": 200, "body": "%%%", "isBase64Encoded": true}))
        }
        _ => Answer::Unavailable,
    })
    .await;
    for (id, status, message) in [
        ("error", 500, "Internal Server Error"),
        ("own-timeout", 500, "Internal Server Error"),
        ("timeout", 503, "Service Unavailable"),
        ("not-json", 500, "Internal Server Error"),
        ("bad-status", 500, "Internal Server Error"),
        ("bad-base64", 500, "Internal Server Error"),
        ("unreachable", 500, "Internal Server Error"),
    ] {
        let reply = front
            .send("GET", &format!("/v1/invoices/{id}"), &[], b"")
            .await;
        assert_eq!(reply.status, status, "{id}");
        assert_eq!(reply.json(), json!({"message": message}), "{id}");
        assert!(reply.header("apigw-requestid").is_some());
    }
    let totals = front.reporter.totals();
    assert_eq!(totals["get"].invocations, 7);
    assert_eq!(totals["get"].failed, 7, "every 5xx counts as failed");
    front.stop().await;
}

#[tokio::test]
async fn an_answer_over_six_megabytes_is_500() {
    let front =
        Front::start(|_| Answer::Ok(json!({"statusCode": 200, "body": "a".repeat(6_300_000)})))
            .await;
    let reply = front.get("/v1/invoices/big").await;
    assert_eq!(reply.status, 500);
    assert_eq!(reply.json(), json!({"message": "Internal Server Error"}));
    front.stop().await;
}

#[tokio::test]
async fn an_eleven_megabyte_body_is_413_and_runs_nothing() {
    let front = Front::start(|_| Answer::Ok(json!({"statusCode": 200}))).await;
    // The declared length is enough for the gateway to refuse; the body is never sent, so the
    // refusal can be read without racing a half-sent upload.
    let length = (11 * 1024 * 1024).to_string();
    let reply = front
        .send(
            "POST",
            "/v1/invoices",
            &[
                ("content-type", "application/octet-stream"),
                ("content-length", &length),
            ],
            b"",
        )
        .await;
    assert_eq!(reply.status, 413);
    assert_eq!(reply.json(), json!({"message": "Request Entity Too Large"}));
    assert!(front.function.events().is_empty());
    front.stop().await;
}

#[tokio::test]
async fn an_eleven_megabyte_chunked_body_is_413() {
    let front = Front::start(|_| Answer::Ok(json!({"statusCode": 200}))).await;
    let mut stream = tokio::net::TcpStream::connect(front.address)
        .await
        .expect("a connection");
    let (mut reader, mut writer) = stream.split();
    let upload = async {
        let head = "POST /v1/invoices HTTP/1.1\r\nhost: x\r\nconnection: close\r\ntransfer-encoding: chunked\r\n\r\n";
        writer.write_all(head.as_bytes()).await?;
        let chunk = vec![b'a'; 1024 * 1024];
        for _ in 0..11 {
            writer
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await?;
            writer.write_all(&chunk).await?;
            writer.write_all(b"\r\n").await?;
        }
        writer.write_all(b"0\r\n\r\n").await
    };
    let mut raw = Vec::new();
    let download = reader.read_to_end(&mut raw);
    // The gateway reads and drops the rest of the upload, so the refusal is not lost to a
    // connection reset.
    let (uploaded, read) = tokio::time::timeout(Duration::from_secs(20), async {
        tokio::join!(upload, download)
    })
    .await
    .expect("an answer in time");
    uploaded.expect("the whole upload was taken");
    read.expect("the answer was read");
    let reply = parse(&raw);
    assert_eq!(reply.status, 413);
    assert_eq!(reply.json(), json!({"message": "Request Entity Too Large"}));
    assert!(front.function.events().is_empty());
    front.stop().await;
}

#[tokio::test]
async fn cookies_go_in_as_a_list_and_come_out_as_set_cookie() {
    let front = Front::start(|_| {
        Answer::Ok(json!({
            "statusCode": 200,
            "cookies": ["session=abc; Path=/; HttpOnly", "theme=dark"],
            "body": "ok",
        }))
    })
    .await;
    let reply = front
        .send(
            "GET",
            "/v1/invoices/inv-1",
            &[("cookie", "a=1; b=2"), ("cookie", "c=3")],
            b"",
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.all("set-cookie"),
        ["session=abc; Path=/; HttpOnly", "theme=dark"]
    );
    assert_eq!(reply.body, b"ok");
    let event = front.function.last_event();
    assert_eq!(event["cookies"], json!(["a=1", "b=2", "c=3"]));
    assert!(event["headers"].get("cookie").is_none());
    front.stop().await;
}

#[tokio::test]
async fn a_named_stage_prefixes_every_path() {
    let front = Front::start_on_stage("dev", |_| Answer::Ok(json!({"statusCode": 200}))).await;
    let reply = front.get("/dev/v1/invoices/inv-1").await;
    assert_eq!(reply.status, 200);
    let event = front.function.last_event();
    assert_eq!(event["rawPath"], "/dev/v1/invoices/inv-1");
    assert_eq!(
        event["requestContext"]["http"]["path"],
        "/dev/v1/invoices/inv-1"
    );
    assert_eq!(event["requestContext"]["stage"], "dev");
    assert_eq!(event["routeKey"], "GET /v1/invoices/{id}");
    for target in [
        "/v1/invoices/inv-1",
        "/development/v1/invoices/inv-1",
        "/dev",
    ] {
        let reply = front.get(target).await;
        assert_eq!(reply.status, 404, "{target}");
    }
    front.stop().await;
}

#[tokio::test]
async fn shutdown_finishes_the_request_in_flight() {
    // The function answers only once the test lets it: after shutdown was asked for.
    let release = Arc::new(tokio::sync::Notify::new());
    let released = release.clone();
    let front = Front::start(move |_| {
        let released = released.clone();
        Answer::later(async move {
            released.notified().await;
            Answer::Ok(json!({"statusCode": 200, "body": "late but whole"}))
        })
    })
    .await;
    let address = front.address;
    let request =
        tokio::spawn(async move { send(address, "GET", "/v1/invoices/inv-1", &[], b"").await });
    eventually(
        "the request reaches the function",
        Duration::from_secs(10),
        async || !front.function.events().is_empty(),
    )
    .await;
    front.trigger.trigger();
    release.notify_one();
    let reply = request.await.expect("the request task");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, b"late but whole");
    tokio::time::timeout(Duration::from_secs(10), front.server)
        .await
        .expect("the server stops")
        .expect("the server task")
        .expect("the server returns Ok");
    assert!(
        tokio::net::TcpStream::connect(address).await.is_err(),
        "nothing listens after shutdown"
    );
}

/// The event goes through lambda_http's own adapter (what paperflow's functions run on) to a
/// handler, and the handler's answer comes back through lambda_http's response conversion: the
/// front door and the runtime library agree on both halves of payload format 2.0.
#[tokio::test]
async fn lambda_http_reads_the_event_and_its_answer_comes_back() {
    let front = Front::start(|event| {
        let event = event.clone();
        Answer::later(async move {
            let proxy = paperflow_tests::api_gateway::proxy_answer(
                |request: hyper::Request<Body>| async move {
                    let mut response = hyper::Response::new(Body::Binary(request.body().to_vec()));
                    *response.status_mut() = hyper::StatusCode::CREATED;
                    let seen = |value: String| {
                        hyper::header::HeaderValue::from_str(&value).expect("a header value")
                    };
                    let headers = response.headers_mut();
                    headers.insert("content-type", seen("application/octet-stream".to_owned()));
                    headers.insert("x-seen-method", seen(request.method().to_string()));
                    headers.insert("x-seen-uri", seen(request.uri().to_string()));
                    let cookie = request
                        .headers()
                        .get("cookie")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    headers.insert("x-seen-cookie", seen(cookie));
                    response
                },
                event,
            )
            .await;
            Answer::Ok(proxy)
        })
    })
    .await;
    let body: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let reply = front
        .send(
            "POST",
            "/v1/invoices?draft=true&x=a%20b",
            &[
                ("content-type", "application/octet-stream"),
                ("cookie", "a=1; b=2"),
            ],
            &body,
        )
        .await;
    assert_eq!(reply.status, 201);
    assert_eq!(reply.body, body, "the bytes survive both ways");
    assert_eq!(reply.header("x-seen-method"), Some("POST"));
    let uri = reply.header("x-seen-uri").expect("the uri the handler saw");
    assert!(
        uri.ends_with("/v1/invoices?draft=true&x=a%20b"),
        "the handler saw {uri}"
    );
    assert_eq!(reply.header("x-seen-cookie"), Some("a=1; b=2"));
    front.stop().await;
}

#[tokio::test]
async fn a_body_whose_event_exceeds_lambdas_six_megabytes_is_413() {
    let front = Front::start(|_| Answer::Ok(json!({"statusCode": 200}))).await;
    // 5 MB fits the gateway's 10 MB, but base64 makes the event about 6.7 MB: more than a
    // synchronous invocation carries.
    let body = vec![0_u8; 5 * 1024 * 1024];
    let reply = front
        .send(
            "POST",
            "/v1/invoices",
            &[("content-type", "application/octet-stream")],
            &body,
        )
        .await;
    assert_eq!(reply.status, 413);
    assert!(front.function.events().is_empty());
    front.stop().await;
}
