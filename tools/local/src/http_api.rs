//! The HTTP API's front door: an HTTP/1.1 server that does what API Gateway's HTTP APIs do
//! between a client and a Lambda proxy integration with payload format 2.0
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html>).
//!
//! For each request it selects a route the way API Gateway does (exact paths, then paths with
//! `{param}` segments, then greedy `{proxy+}`; a named stage prefixes every path), builds the
//! `ApiGatewayV2httpRequest` event, invokes the route's function through [`Invoke`], and turns
//! the function's answer into the HTTP response (or into API Gateway's own error answers).
//!
//! The pure parts — [`RouteTable`], [`build_event`], [`translate`] — do no I/O; [`serve`] is the
//! thin server around them.
//!
//! What is *not* emulated: IAM authorization. Routes with `AWS_IAM` get a
//! `requestContext.authorizer.iam` block that describes a local caller, but no signature is
//! checked and every request is let through. Throttling (`DefaultRouteSettings`), access logs,
//! CORS and custom domains are not emulated either.

use crate::Shutdown;
use crate::invoke::{Invocation, Invoke, InvokeError};
use crate::progress::{Progress, Reporter};
use crate::spec::{FunctionSpec, HttpApiSpec, HttpRouteSpec, StackSpec};
use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// The largest request body an HTTP API accepts: 10 MB ("Maximum payload size", API Gateway's
/// HTTP API quotas). Bigger requests are refused with 413 before any function runs.
pub const MAX_REQUEST_BODY: usize = 10 * 1024 * 1024;

/// The largest payload of a synchronous Lambda invocation, request or response: 6 MB. Lambda
/// enforces it as 6,291,556 bytes ("Response payload size exceeded maximum allowed payload size
/// (6291556 bytes)"), which is the number used here.
pub const MAX_INVOKE_PAYLOAD: usize = 6_291_556;

/// An HTTP API waits at most 30 seconds for its integration ("Integration timeout: 30 seconds",
/// HTTP API quotas); after that the client gets 503.
pub const INTEGRATION_TIMEOUT: Duration = Duration::from_secs(30);

/// The routes of one HTTP API in `stack`, each with the function it invokes: what [`serve`]
/// takes.
pub fn routes_of(stack: &StackSpec, api_logical_id: &str) -> Vec<(FunctionSpec, HttpRouteSpec)> {
    stack
        .functions
        .iter()
        .flat_map(|function| {
            function
                .http_routes
                .iter()
                .filter(|route| route.api_logical_id == api_logical_id)
                .map(move |route| (function.clone(), route.clone()))
        })
        .collect()
}

// --- routes -------------------------------------------------------------------------------------

/// One segment of a route's path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    /// A literal segment; matched against the percent-decoded request segment.
    Literal(String),
    /// `{name}`: exactly one segment.
    Param(String),
    /// `{name+}`: the rest of the path, one segment or more; only as the last segment.
    Greedy(String),
}

/// A route of the table with its parsed path.
#[derive(Clone, Debug)]
struct Route {
    function: FunctionSpec,
    spec: HttpRouteSpec,
    route_key: String,
    segments: Vec<Segment>,
    /// Sort key: lower is more specific.
    priority: (u8, Vec<u8>, u8),
}

/// The routes of one HTTP API, ordered the way API Gateway selects among them: "API Gateway
/// selects the route with the most-specific match" — a path without variables before one with
/// `{param}` segments, before one with a greedy `{proxy+}`; an explicit method before `ANY`
/// (<https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html>).
#[derive(Clone, Debug, Default)]
pub struct RouteTable {
    routes: Vec<Route>,
}

/// The route a request matched.
#[derive(Clone, Debug)]
pub struct RouteMatch<'a> {
    /// The function the route invokes.
    pub function: &'a FunctionSpec,
    /// The route as the template declares it.
    pub route: &'a HttpRouteSpec,
    /// `POST /v1/invoices/pdf`: the route key as API Gateway spells it.
    pub route_key: &'a str,
    /// The values of the path's variables, percent-decoded.
    pub path_parameters: BTreeMap<String, String>,
}

impl RouteTable {
    /// A table of `routes`. Routes whose path cannot be parsed are left out and returned with the
    /// reason, so the caller can say so.
    pub fn new(routes: Vec<(FunctionSpec, HttpRouteSpec)>) -> (RouteTable, Vec<String>) {
        let mut table = Vec::new();
        let mut refused = Vec::new();
        for (function, spec) in routes {
            let route_key = format!("{} {}", spec.method.to_ascii_uppercase(), spec.path);
            if spec.payload_format_version != "2.0" {
                refused.push(format!(
                    "{route_key}: payload format {} is not run locally (only 2.0)",
                    spec.payload_format_version
                ));
                continue;
            }
            match parse_route_path(&spec.path) {
                Ok(segments) => {
                    let class = if segments.iter().any(|s| matches!(s, Segment::Greedy(_))) {
                        2
                    } else if segments.iter().any(|s| matches!(s, Segment::Param(_))) {
                        1
                    } else {
                        0
                    };
                    let shape = segments
                        .iter()
                        .map(|segment| match segment {
                            Segment::Literal(_) => 0,
                            Segment::Param(_) => 1,
                            Segment::Greedy(_) => 2,
                        })
                        .collect();
                    let any = u8::from(spec.method.eq_ignore_ascii_case("ANY"));
                    table.push(Route {
                        function,
                        spec,
                        route_key,
                        segments,
                        priority: (class, shape, any),
                    });
                }
                Err(reason) => refused.push(format!("{route_key}: {reason}")),
            }
        }
        table.sort_by(|a, b| a.priority.cmp(&b.priority));
        (RouteTable { routes: table }, refused)
    }

    /// The routes, most specific first.
    pub fn route_keys(&self) -> Vec<&str> {
        self.routes.iter().map(|r| r.route_key.as_str()).collect()
    }

    /// The route for `method` and `raw_path` (the path after the stage, still percent-encoded as
    /// the client sent it), or `None` (API Gateway's 404).
    pub fn find(&self, method: &str, raw_path: &str) -> Option<RouteMatch<'_>> {
        // Split before decoding, so an encoded `%2F` stays inside its segment (a parameter
        // value), as RFC 3986 says it must.
        let request: Vec<&str> = match raw_path.strip_prefix('/') {
            Some("") => Vec::new(),
            Some(rest) => rest.split('/').collect(),
            None => return None,
        };
        self.routes.iter().find_map(|route| {
            let method_ok = route.spec.method.eq_ignore_ascii_case("ANY")
                || route.spec.method.eq_ignore_ascii_case(method);
            if !method_ok {
                return None;
            }
            let path_parameters = match_segments(&route.segments, &request)?;
            Some(RouteMatch {
                function: &route.function,
                route: &route.spec,
                route_key: &route.route_key,
                path_parameters,
            })
        })
    }
}

/// `/v1/invoices/{id}` → its segments.
fn parse_route_path(path: &str) -> Result<Vec<Segment>, String> {
    let rest = path
        .strip_prefix('/')
        .ok_or_else(|| format!("the path {path:?} does not start with /"))?;
    if rest.is_empty() {
        return Ok(Vec::new());
    }
    let parts: Vec<&str> = rest.split('/').collect();
    let last = parts.len() - 1;
    parts
        .iter()
        .enumerate()
        .map(|(index, part)| {
            match part
                .strip_prefix('{')
                .and_then(|inner| inner.strip_suffix('}'))
            {
                Some(name) if name.ends_with('+') => {
                    if index != last {
                        return Err(format!("the greedy variable in {path:?} is not last"));
                    }
                    Ok(Segment::Greedy(name.trim_end_matches('+').to_owned()))
                }
                Some(name) if !name.is_empty() => Ok(Segment::Param(name.to_owned())),
                Some(_) => Err(format!("an empty variable in {path:?}")),
                None => Ok(Segment::Literal((*part).to_owned())),
            }
        })
        .collect()
}

/// The path parameters if `request` (raw segments) matches `route`.
fn match_segments(route: &[Segment], request: &[&str]) -> Option<BTreeMap<String, String>> {
    let mut parameters = BTreeMap::new();
    for (index, segment) in route.iter().enumerate() {
        match segment {
            Segment::Literal(literal) => {
                if percent_decode(request.get(index)?) != *literal {
                    return None;
                }
            }
            Segment::Param(name) => {
                let value = request.get(index)?;
                if value.is_empty() {
                    return None;
                }
                parameters.insert(name.clone(), percent_decode(value));
            }
            Segment::Greedy(name) => {
                let rest = request.get(index..)?.join("/");
                if rest.is_empty() {
                    return None;
                }
                parameters.insert(name.clone(), percent_decode(&rest));
                return Some(parameters);
            }
        }
    }
    (request.len() == route.len()).then_some(parameters)
}

/// `%XX` sequences decoded; anything that is not a valid escape is kept as is, and bytes that do
/// not form UTF-8 become U+FFFD (the event is JSON: its strings are Unicode). `+` stays `+`:
/// that is form encoding, not URL encoding.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%'
            && let (Some(high), Some(low)) = (
                bytes.get(index + 1).and_then(|b| (*b as char).to_digit(16)),
                bytes.get(index + 2).and_then(|b| (*b as char).to_digit(16)),
            )
        {
            out.push((high * 16 + low) as u8);
            index += 3;
            continue;
        }
        out.push(bytes[index]);
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// --- the event ----------------------------------------------------------------------------------

/// What the front door knows about the API it plays, for `requestContext`.
#[derive(Clone, Debug)]
pub struct GatewayContext {
    /// `requestContext.accountId`: the stack's account.
    pub account_id: String,
    /// `requestContext.apiId`.
    pub api_id: String,
    /// `requestContext.stage`: `$default` or the stage name.
    pub stage: String,
}

impl GatewayContext {
    /// The context of `api`, in the account of the functions' ARNs (the stack's account).
    ///
    /// API ids are 10 lower-case alphanumerics in AWS; locally the id is derived from the
    /// logical id (`HttpApi` → `httpapi`), stable across runs.
    pub fn new(api: &HttpApiSpec, account_id: impl Into<String>) -> GatewayContext {
        let api_id: String = api
            .logical_id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .take(10)
            .collect();
        GatewayContext {
            account_id: account_id.into(),
            api_id: if api_id.is_empty() {
                "localapi".to_owned()
            } else {
                api_id
            },
            stage: api.stage.clone(),
        }
    }
}

/// One request as the client sent it.
#[derive(Clone, Debug)]
pub struct ClientRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// The request target's path, percent-encoded as sent, stage prefix included.
    pub raw_path: String,
    /// What follows `?` in the request target, as sent (empty when there is none).
    pub raw_query: String,
    /// `HTTP/1.1`.
    pub protocol: String,
    /// Headers in the order received: names lower-case, values as text.
    pub headers: Vec<(String, String)>,
    /// The body's bytes.
    pub body: Vec<u8>,
    /// The client's address.
    pub source_ip: String,
    /// The port the client connected to.
    pub server_port: u16,
}

impl ClientRequest {
    /// The first value of header `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Per-request values the gateway makes up.
#[derive(Clone, Debug)]
pub struct RequestIdentity {
    /// `requestContext.requestId`, also the `apigw-requestid` response header.
    pub request_id: String,
    /// When the request arrived.
    pub time: OffsetDateTime,
}

impl RequestIdentity {
    /// A fresh request id, now.
    pub fn fresh() -> RequestIdentity {
        RequestIdentity {
            request_id: new_request_id(),
            time: OffsetDateTime::now_utc(),
        }
    }
}

/// An id in the form HTTP APIs use (`JKJaXmPLvHcESHA=`: 11 bytes, base64): the tail of a UUID v7,
/// which is its low timestamp byte and random bits.
fn new_request_id() -> String {
    let uuid = uuid::Uuid::now_v7();
    base64::engine::general_purpose::STANDARD.encode(&uuid.as_bytes()[5..])
}

/// Whether HTTP APIs hand a request body with this `Content-Type` to Lambda as text.
///
/// AWS documents only the mechanism ("If the content type of the request is binary, the body is
/// base64-encoded"; `isBase64Encoded` is "TRUE if the body is a binary payload"), not which
/// types count as text. Observed against real HTTP APIs (payload 2.0, reported in
/// ministackorg/ministack#766 and floci-io/floci#2172): the body arrives as a string only for
/// `text/*`, `application/json`, `application/xml` and `application/javascript`; every other
/// type — `application/x-www-form-urlencoded`, `+json` suffixes, and a missing `Content-Type` —
/// is base64-encoded.
pub fn is_text_content_type(content_type: Option<&str>) -> bool {
    let Some(content_type) = content_type else {
        return false;
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence.starts_with("text/")
        || matches!(
            essence.as_str(),
            "application/json" | "application/xml" | "application/javascript"
        )
}

/// The `body` and `isBase64Encoded` of the event for a request body.
///
/// A text type whose bytes are not UTF-8 cannot travel as a JSON string without loss; API
/// Gateway's handling of it is not documented, and a client's odd bytes must never become an
/// error of ours, so such a body is base64-encoded (`isBase64Encoded: true`), which every
/// Lambda HTTP adapter decodes.
pub fn event_body(content_type: Option<&str>, body: &[u8]) -> (Option<String>, bool) {
    if body.is_empty() {
        return (None, false);
    }
    if is_text_content_type(content_type)
        && let Ok(text) = std::str::from_utf8(body)
    {
        return (Some(text.to_owned()), false);
    }
    (
        Some(base64::engine::general_purpose::STANDARD.encode(body)),
        true,
    )
}

/// The `ApiGatewayV2httpRequest` event API Gateway sends for `request` on `matched`, in the
/// documented payload format 2.0 shape.
pub fn build_event(
    request: &ClientRequest,
    matched: &RouteMatch<'_>,
    gateway: &GatewayContext,
    identity: &RequestIdentity,
) -> Value {
    // Format 2.0: "Duplicate headers are combined with commas and included in the headers
    // field"; all header names are lower-case; the `cookie` headers are not headers but the
    // `cookies` field ("All cookie headers in the request are combined with commas and added to
    // the cookies field"), one entry per cookie.
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    let mut cookies: Vec<String> = Vec::new();
    for (name, value) in &request.headers {
        if name == "cookie" {
            cookies.extend(
                value
                    .split(';')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned),
            );
            continue;
        }
        headers
            .entry(name.clone())
            .and_modify(|joined| {
                joined.push(',');
                joined.push_str(value);
            })
            .or_insert_with(|| value.clone());
    }
    // The headers API Gateway adds on the way in. x-forwarded-proto tells the truth locally
    // (http), so adapters build the URL the client really used.
    let forwarded_for = match headers.get("x-forwarded-for") {
        Some(earlier) => format!("{earlier}, {}", request.source_ip),
        None => request.source_ip.clone(),
    };
    headers.insert("x-forwarded-for".to_owned(), forwarded_for);
    headers.insert(
        "x-forwarded-port".to_owned(),
        request.server_port.to_string(),
    );
    headers.insert("x-forwarded-proto".to_owned(), "http".to_owned());
    headers
        .entry("x-amzn-trace-id".to_owned())
        .or_insert_with(|| trace_id(identity));

    // "Duplicate query strings are combined with commas and included in the
    // queryStringParameters field"; values are decoded, `rawQueryString` keeps them as sent.
    let mut query: BTreeMap<String, String> = BTreeMap::new();
    for pair in request.raw_query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (key, value) = (percent_decode(key), percent_decode(value));
        query
            .entry(key)
            .and_modify(|joined| {
                joined.push(',');
                joined.push_str(&value);
            })
            .or_insert(value);
    }

    // HTTP APIs hand the path over percent-decoded, in `rawPath` as in `requestContext.http.path`
    // (observed on live HTTP APIs; REST APIs and function URLs keep it encoded). The stage
    // prefix stays in it.
    let path = percent_decode(&request.raw_path);
    let host = request.header("host").unwrap_or("localhost").to_owned();
    let domain_prefix = host
        .split(':')
        .next()
        .unwrap_or_default()
        .split('.')
        .next()
        .unwrap_or_default()
        .to_owned();

    let mut context = json!({
        "accountId": gateway.account_id,
        "apiId": gateway.api_id,
        "domainName": host,
        "domainPrefix": domain_prefix,
        "http": {
            "method": request.method,
            "path": path,
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": request.header("user-agent").unwrap_or_default(),
        },
        "requestId": identity.request_id,
        "routeKey": matched.route_key,
        "stage": gateway.stage,
        "time": request_time(identity.time),
        "timeEpoch": (identity.time.unix_timestamp_nanos() / 1_000_000) as i64,
    });
    if matched
        .route
        .authorizer
        .as_deref()
        .is_some_and(|a| a.eq_ignore_ascii_case("AWS_IAM"))
        && let Some(context) = context.as_object_mut()
    {
        context.insert(
            "authorizer".to_owned(),
            json!({ "iam": local_caller(request, &gateway.account_id) }),
        );
    }

    let mut event = Map::new();
    event.insert("version".to_owned(), json!("2.0"));
    event.insert("routeKey".to_owned(), json!(matched.route_key));
    event.insert("rawPath".to_owned(), json!(path));
    event.insert("rawQueryString".to_owned(), json!(request.raw_query));
    // Fields without content are left out, as API Gateway does.
    if !cookies.is_empty() {
        event.insert("cookies".to_owned(), json!(cookies));
    }
    event.insert("headers".to_owned(), json!(headers));
    if !query.is_empty() {
        event.insert("queryStringParameters".to_owned(), json!(query));
    }
    if !matched.path_parameters.is_empty() {
        event.insert("pathParameters".to_owned(), json!(matched.path_parameters));
    }
    event.insert("requestContext".to_owned(), context);
    let (body, is_base64) = event_body(request.header("content-type"), &request.body);
    if let Some(body) = body {
        event.insert("body".to_owned(), json!(body));
    }
    event.insert("isBase64Encoded".to_owned(), json!(is_base64));
    Value::Object(event)
}

/// The caller an `AWS_IAM` route describes. Nothing is verified locally: the access key is the
/// one the request's SigV4 `Authorization` header names, if any; the rest describes a local IAM
/// user of the stack's account.
fn local_caller(request: &ClientRequest, account_id: &str) -> Value {
    let access_key = request
        .header("authorization")
        .and_then(|auth| auth.split("Credential=").nth(1))
        .and_then(|credential| credential.split('/').next())
        .filter(|key| !key.is_empty())
        .unwrap_or("AKIALOCALCALLER00000");
    json!({
        "accessKey": access_key,
        "accountId": account_id,
        "callerId": "AIDALOCALCALLER00000",
        "cognitoIdentity": null,
        "principalOrgId": null,
        "userArn": format!("arn:aws:iam::{account_id}:user/paperflow-local"),
        "userId": "AIDALOCALCALLER00000",
    })
}

/// `requestContext.time`: `01/Dec/2026:22:36:09 +0000`.
fn request_time(time: OffsetDateTime) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let time = time.to_offset(time::UtcOffset::UTC);
    format!(
        "{:02}/{}/{}:{:02}:{:02}:{:02} +0000",
        time.day(),
        MONTHS[usize::from(u8::from(time.month())) - 1],
        time.year(),
        time.hour(),
        time.minute(),
        time.second()
    )
}

/// An X-Ray trace id (`Root=1-<8 hex seconds>-<24 hex>`), as API Gateway adds to each request.
fn trace_id(identity: &RequestIdentity) -> String {
    let random = uuid::Uuid::now_v7().simple().to_string();
    format!(
        "Root=1-{:08x}-{}",
        identity.time.unix_timestamp(),
        &random[8..32]
    )
}

// --- the answer ---------------------------------------------------------------------------------

/// What the client gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatewayResponse {
    /// The status code.
    pub status: u16,
    /// Headers in order (`set-cookie` may repeat).
    pub headers: Vec<(String, String)>,
    /// The body's bytes.
    pub body: Vec<u8>,
}

impl GatewayResponse {
    /// One of API Gateway's own answers: `{"message":"…"}` as JSON.
    pub fn gateway_error(status: u16, message: &str) -> GatewayResponse {
        GatewayResponse {
            status,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body: json!({ "message": message }).to_string().into_bytes(),
        }
    }

    /// The first value of header `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// How the integration ended.
#[derive(Debug)]
pub enum IntegrationResult {
    /// The function answered (normally or with a function error).
    Answered(Invocation),
    /// The function could not be invoked, or Lambda ended it.
    Failed(InvokeError),
    /// The gateway stopped waiting after [`INTEGRATION_TIMEOUT`].
    TimedOut,
}

/// The answer to the client and, for API Gateway's own errors, why.
#[derive(Clone, Debug)]
pub struct Translated {
    /// What the client gets.
    pub response: GatewayResponse,
    /// Why the gateway answered with an error instead of the function's answer.
    pub problem: Option<String>,
}

/// The client's answer for how the integration ended, per payload format 2.0.
pub fn translate(result: IntegrationResult) -> Translated {
    let internal = |problem: String| Translated {
        response: GatewayResponse::gateway_error(500, "Internal Server Error"),
        problem: Some(problem),
    };
    match result {
        IntegrationResult::Answered(invocation) => {
            if let Some(error) = &invocation.function_error {
                // A function error is an integration failure: HTTP APIs answer 500.
                return internal(format!(
                    "the function failed ({error}): {}",
                    String::from_utf8_lossy(&invocation.payload)
                ));
            }
            match function_response(&invocation.payload) {
                Ok(response) => Translated {
                    response,
                    problem: None,
                },
                Err(problem) => internal(format!("invalid function response: {problem}")),
            }
        }
        // Lambda ends a function at its own Timeout and reports a function error, which API
        // Gateway answers with 500; only when the gateway gives up first (its 30-second
        // integration timeout) is the answer 503.
        IntegrationResult::Failed(InvokeError::Timeout(limit)) if limit < INTEGRATION_TIMEOUT => {
            internal(format!("the function timed out after {limit:?}"))
        }
        IntegrationResult::Failed(InvokeError::Timeout(limit)) => Translated {
            response: GatewayResponse::gateway_error(503, "Service Unavailable"),
            problem: Some(format!(
                "the function ran past the integration timeout ({limit:?})"
            )),
        },
        IntegrationResult::TimedOut => Translated {
            response: GatewayResponse::gateway_error(503, "Service Unavailable"),
            problem: Some(format!(
                "no answer within the integration timeout ({INTEGRATION_TIMEOUT:?})"
            )),
        },
        IntegrationResult::Failed(error) => internal(error.to_string()),
    }
}

/// A function's successful answer as the client's response: the payload format 2.0 rules.
///
/// With a `statusCode`, the answer is `{statusCode, headers, cookies, body, isBase64Encoded}`:
/// each cookie becomes a `set-cookie` header and a base64 body is decoded to bytes. Without
/// one, "API Gateway can infer the response format": valid JSON becomes a 200 with
/// `content-type: application/json` and the function's JSON as the body.
pub fn function_response(payload: &[u8]) -> Result<GatewayResponse, String> {
    if payload.len() > MAX_INVOKE_PAYLOAD {
        return Err(format!(
            "the response payload has {} bytes, over Lambda's {MAX_INVOKE_PAYLOAD}",
            payload.len()
        ));
    }
    let value: Value =
        serde_json::from_slice(payload).map_err(|e| format!("the payload is not JSON: {e}"))?;
    let Some(status) = value.as_object().and_then(|o| o.get("statusCode")) else {
        return Ok(GatewayResponse {
            status: 200,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body: payload.to_vec(),
        });
    };
    let status = match status {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    }
    .filter(|code| (100..=599).contains(code))
    .ok_or_else(|| format!("statusCode {status} is not an HTTP status"))? as u16;

    let mut headers = Vec::new();
    match value.get("headers") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (name, value) in map {
                let value = match value {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    other => return Err(format!("header {name} has the value {other}")),
                };
                let name = name.to_ascii_lowercase();
                // The gateway frames the body itself.
                if matches!(
                    name.as_str(),
                    "content-length" | "transfer-encoding" | "connection"
                ) {
                    continue;
                }
                headers.push((name, value));
            }
        }
        Some(other) => return Err(format!("headers is not an object: {other}")),
    }
    match value.get("cookies") {
        None | Some(Value::Null) => {}
        Some(Value::Array(cookies)) => {
            for cookie in cookies {
                let cookie = cookie
                    .as_str()
                    .ok_or_else(|| format!("cookie {cookie} is not a string"))?;
                headers.push(("set-cookie".to_owned(), cookie.to_owned()));
            }
        }
        Some(other) => return Err(format!("cookies is not an array: {other}")),
    }
    let is_base64 = match value.get("isBase64Encoded") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => return Err(format!("isBase64Encoded is not a boolean: {other}")),
    };
    let body = match value.get("body") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(body)) if is_base64 => base64::engine::general_purpose::STANDARD
            .decode(body.trim())
            .map_err(|e| format!("the body is not base64: {e}"))?,
        Some(Value::String(body)) => body.clone().into_bytes(),
        Some(other) => return Err(format!("body is not a string: {other}")),
    };
    Ok(GatewayResponse {
        status,
        headers,
        body,
    })
}

// --- the server ---------------------------------------------------------------------------------

/// Everything a request needs, shared by the connections.
struct Front {
    table: RouteTable,
    gateway: GatewayContext,
    invoker: Arc<dyn Invoke>,
    reporter: Reporter,
}

/// Serves the HTTP API `api` with `routes` on `listener` (HTTP/1.1) until `shutdown`: then it
/// stops accepting, lets the requests in flight finish (their connections close after their
/// response), and returns.
///
/// Each request is answered as API Gateway's HTTP API would: a matching route's function is
/// invoked through `invoker` with the payload format 2.0 event, and every invocation is
/// reported through `reporter` as [`Progress::Invoked`] with trigger `http`.
pub async fn serve(
    listener: TcpListener,
    routes: Vec<(FunctionSpec, HttpRouteSpec)>,
    api: HttpApiSpec,
    invoker: Arc<dyn Invoke>,
    reporter: Reporter,
    mut shutdown: Shutdown,
) -> std::io::Result<()> {
    let account_id = routes
        .first()
        .and_then(|(function, _)| function.arn.split(':').nth(4))
        .unwrap_or("123456789012")
        .to_owned();
    let (table, refused) = RouteTable::new(routes);
    for reason in refused {
        reporter.warn(format!(
            "HTTP API {}: route left out: {reason}",
            api.logical_id
        ));
    }
    let front = Arc::new(Front {
        table,
        gateway: GatewayContext::new(&api, account_id),
        invoker,
        reporter,
    });
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            () = shutdown.requested() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let local = stream.local_addr().unwrap_or(peer);
                    connections.spawn(connection(front.clone(), stream, peer, local, shutdown.clone()));
                }
                Err(error) => {
                    // Per-connection failures (a reset before accept, too many open files) do
                    // not end the server; pause so a persistent one does not spin.
                    front.reporter.warn(format!("HTTP API: accept failed: {error}"));
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
    Ok(())
}

/// One client connection: its requests, one after the other, until it closes or shutdown.
async fn connection(
    front: Arc<Front>,
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    local: SocketAddr,
    mut shutdown: Shutdown,
) {
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let front = front.clone();
        async move { Ok::<_, Infallible>(front.handle(request, peer, local).await) }
    });
    let connection =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        () = shutdown.requested() => {
            // Finishes the request in hand, then closes instead of keeping the connection.
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

impl Front {
    async fn handle(
        &self,
        request: Request<Incoming>,
        peer: SocketAddr,
        local: SocketAddr,
    ) -> Response<Full<Bytes>> {
        let identity = RequestIdentity::fresh();
        let answer = self.answer(request, peer, local, &identity).await;
        to_hyper(answer, &identity.request_id)
    }

    async fn answer(
        &self,
        request: Request<Incoming>,
        peer: SocketAddr,
        local: SocketAddr,
        identity: &RequestIdentity,
    ) -> GatewayResponse {
        let (parts, body) = request.into_parts();
        let method = parts.method.as_str().to_owned();
        let raw_path = parts.uri.path().to_owned();
        let not_found = || {
            self.reporter.warn(format!(
                "HTTP API: no route for {method} {raw_path}: 404 Not Found"
            ));
            GatewayResponse::gateway_error(404, "Not Found")
        };
        // A named stage is the first segment of every URL; `$default` adds none.
        let route_path = if self.gateway.stage == "$default" {
            raw_path.as_str()
        } else {
            match raw_path
                .strip_prefix('/')
                .and_then(|p| p.strip_prefix(self.gateway.stage.as_str()))
            {
                Some("") => "/",
                Some(rest) if rest.starts_with('/') => rest,
                _ => return not_found(),
            }
        };
        let Some(matched) = self.table.find(&method, route_path) else {
            return not_found();
        };

        let too_large = |size: &str| {
            self.reporter.warn(format!(
                "HTTP API: {} {raw_path}: request of {size} refused: 413",
                matched.route_key
            ));
            GatewayResponse::gateway_error(413, "Request Entity Too Large")
        };
        let declared = parts
            .headers
            .get(hyper::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|length| length > MAX_REQUEST_BODY as u64) {
            return too_large(&format!("{} bytes", declared.unwrap_or_default()));
        }
        let body = match read_body(body).await {
            Ok(body) => body,
            Err(BodyError::TooLarge) => return too_large("more than 10 MB"),
            Err(BodyError::Read(error)) => {
                self.reporter
                    .warn(format!("HTTP API: reading the request failed: {error}"));
                return GatewayResponse::gateway_error(400, "Bad Request");
            }
        };

        let client = ClientRequest {
            method: method.clone(),
            raw_path: raw_path.clone(),
            raw_query: parts.uri.query().unwrap_or_default().to_owned(),
            protocol: format!("{:?}", parts.version),
            headers: parts
                .headers
                .iter()
                .map(|(name, value)| {
                    (
                        name.as_str().to_owned(),
                        String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body,
            source_ip: peer.ip().to_string(),
            server_port: local.port(),
        };
        let event = build_event(&client, &matched, &self.gateway, identity);
        let payload = event.to_string().into_bytes();
        if payload.len() > MAX_INVOKE_PAYLOAD {
            // The body fits the gateway's 10 MB but the event (base64 makes it a third bigger)
            // does not fit Lambda's 6 MB invocation payload.
            return too_large(&format!("{} bytes as an event", payload.len()));
        }

        let started = Instant::now();
        let result = match tokio::time::timeout(
            INTEGRATION_TIMEOUT,
            self.invoker.invoke(&matched.function.binary, payload),
        )
        .await
        {
            Ok(Ok(invocation)) => IntegrationResult::Answered(invocation),
            Ok(Err(error)) => IntegrationResult::Failed(error),
            Err(_) => IntegrationResult::TimedOut,
        };
        let duration = started.elapsed();
        let translated = translate(result);
        if let Some(problem) = &translated.problem {
            self.reporter.warn(format!(
                "HTTP API: {} → {}: {problem}",
                matched.route_key, matched.function.binary
            ));
        }
        let response = translated.response;

        let mut subjects: Vec<String> = matched.path_parameters.values().cloned().collect();
        if let Some(correlation) = client
            .header(CORRELATION_HEADER)
            .or_else(|| response.header(CORRELATION_HEADER))
        {
            subjects.push(correlation.to_owned());
        }
        self.reporter.report(Progress::Invoked {
            trigger: "http".to_owned(),
            source: matched.route_key.to_owned(),
            function: matched.function.binary.clone(),
            records: 1,
            failed: usize::from(response.status >= 500),
            outcome: response.status.to_string(),
            subjects,
            duration_ms: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
        });
        response
    }
}

/// Bytes of an oversized body read and thrown away so the client, still uploading, can read
/// its 413 (closing on unread data would reset the connection and lose the answer); past this
/// the connection is simply closed.
const DRAIN_LIMIT: usize = 4 * MAX_REQUEST_BODY;

/// Why a request body was not read.
enum BodyError {
    /// Over [`MAX_REQUEST_BODY`].
    TooLarge,
    /// The client broke off or broke the protocol.
    Read(hyper::Error),
}

/// The request body, at most [`MAX_REQUEST_BODY`] bytes.
async fn read_body(mut body: Incoming) -> Result<Vec<u8>, BodyError> {
    let mut collected = Vec::new();
    let mut total = 0_usize;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.map_err(BodyError::Read)?.into_data() else {
            continue;
        };
        total = total.saturating_add(data.len());
        if total <= MAX_REQUEST_BODY {
            collected.extend_from_slice(&data);
        } else {
            collected = Vec::new();
            if total > MAX_REQUEST_BODY + DRAIN_LIMIT {
                return Err(BodyError::TooLarge);
            }
        }
    }
    if total > MAX_REQUEST_BODY {
        Err(BodyError::TooLarge)
    } else {
        Ok(collected)
    }
}

/// The correlation id header paperflow's API reads and answers.
const CORRELATION_HEADER: &str = "x-correlation-id";

/// The hyper response for `answer`, with API Gateway's `apigw-requestid` header. A header the
/// function named that HTTP cannot carry turns the answer into API Gateway's 500.
fn to_hyper(answer: GatewayResponse, request_id: &str) -> Response<Full<Bytes>> {
    let build = |answer: GatewayResponse| -> Option<Response<Full<Bytes>>> {
        let mut response = Response::new(Full::new(Bytes::from(answer.body)));
        *response.status_mut() = StatusCode::from_u16(answer.status).ok()?;
        let headers = response.headers_mut();
        for (name, value) in answer.headers {
            headers.append(
                HeaderName::from_bytes(name.as_bytes()).ok()?,
                HeaderValue::from_str(&value).ok()?,
            );
        }
        headers.insert(
            HeaderName::from_static("apigw-requestid"),
            HeaderValue::from_str(request_id).ok()?,
        );
        Some(response)
    };
    build(answer)
        .or_else(|| build(GatewayResponse::gateway_error(500, "Internal Server Error")))
        .unwrap_or_else(|| Response::new(Full::new(Bytes::new())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn function(binary: &str) -> FunctionSpec {
        FunctionSpec {
            logical_id: format!("{binary}Function"),
            name: binary.to_owned(),
            arn: format!("arn:aws:lambda:us-east-1:123456789012:function:{binary}"),
            binary: binary.to_owned(),
            timeout_s: 3,
            memory_mb: 128,
            environment: BTreeMap::new(),
            sqs_sources: Vec::new(),
            sns_sources: Vec::new(),
            http_routes: Vec::new(),
            async_invoke: Default::default(),
        }
    }

    fn route(method: &str, path: &str) -> HttpRouteSpec {
        HttpRouteSpec {
            event_id: path.to_owned(),
            api_logical_id: "HttpApi".to_owned(),
            method: method.to_owned(),
            path: path.to_owned(),
            payload_format_version: "2.0".to_owned(),
            authorizer: Some("AWS_IAM".to_owned()),
        }
    }

    fn table(routes: &[(&str, &str, &str)]) -> RouteTable {
        let (table, refused) = RouteTable::new(
            routes
                .iter()
                .map(|(binary, method, path)| (function(binary), route(method, path)))
                .collect(),
        );
        assert!(refused.is_empty(), "{refused:?}");
        table
    }

    #[test]
    fn most_specific_route_wins() {
        let table = table(&[
            ("proxy", "ANY", "/{proxy+}"),
            ("greedy", "GET", "/v1/{proxy+}"),
            ("param", "GET", "/v1/invoices/{id}"),
            ("exact", "GET", "/v1/invoices/pdf"),
            ("any-exact", "ANY", "/v1/invoices/pdf"),
        ]);
        let found = |method, path| table.find(method, path).map(|m| m.function.binary.clone());
        assert_eq!(found("GET", "/v1/invoices/pdf").as_deref(), Some("exact"));
        assert_eq!(
            found("POST", "/v1/invoices/pdf").as_deref(),
            Some("any-exact")
        );
        assert_eq!(found("GET", "/v1/invoices/42").as_deref(), Some("param"));
        assert_eq!(found("GET", "/v1/a/b").as_deref(), Some("greedy"));
        assert_eq!(found("DELETE", "/v1/invoices/42").as_deref(), Some("proxy"));
        assert_eq!(found("GET", "/").as_deref(), None);
    }

    #[test]
    fn method_and_path_must_match() {
        let table = table(&[("get", "GET", "/v1/invoices/{id}")]);
        assert!(table.find("POST", "/v1/invoices/1").is_none());
        assert!(table.find("GET", "/v1/invoices").is_none());
        assert!(table.find("GET", "/v1/invoices/").is_none());
        assert!(table.find("GET", "/v1/invoices/1/x").is_none());
        assert!(
            table.find("GET", "/V1/invoices/1").is_none(),
            "paths are case-sensitive"
        );
    }

    #[test]
    fn path_parameters_are_decoded_after_splitting() {
        let table = table(&[
            ("get", "GET", "/v1/invoices/{id}"),
            ("files", "GET", "/files/{proxy+}"),
        ]);
        let matched = table
            .find("GET", "/v1/invoices/a%2Fb%20c+d")
            .expect("a match");
        assert_eq!(matched.path_parameters["id"], "a/b c+d");
        let matched = table.find("GET", "/files/x/y%2Az").expect("a match");
        assert_eq!(matched.path_parameters["proxy"], "x/y*z");
        assert!(table.find("GET", "/files/").is_none());
    }

    #[test]
    fn bad_routes_are_refused_not_run() {
        let (table, refused) = RouteTable::new(vec![
            (function("a"), route("GET", "/{proxy+}/x")),
            (
                function("b"),
                HttpRouteSpec {
                    payload_format_version: "1.0".to_owned(),
                    ..route("GET", "/v1")
                },
            ),
        ]);
        assert_eq!(refused.len(), 2, "{refused:?}");
        assert!(table.route_keys().is_empty());
    }

    #[test]
    fn text_types_are_the_observed_four() {
        for text in [
            Some("text/plain"),
            Some("text/csv; charset=latin1"),
            Some("Application/JSON; charset=utf-8"),
            Some("application/xml"),
            Some("application/javascript"),
        ] {
            assert!(is_text_content_type(text), "{text:?}");
        }
        for binary in [
            None,
            Some("application/octet-stream"),
            Some("application/x-www-form-urlencoded"),
            Some("application/problem+json"),
            Some("image/png"),
            Some("multipart/form-data; boundary=x"),
        ] {
            assert!(!is_text_content_type(binary), "{binary:?}");
        }
    }

    #[test]
    fn odd_bytes_in_a_text_body_travel_as_base64() {
        assert_eq!(
            event_body(Some("application/json"), b"{\"a\":1}"),
            (Some("{\"a\":1}".to_owned()), false)
        );
        assert_eq!(
            event_body(Some("text/plain"), &[0xff, 0xfe]),
            (Some("//4=".to_owned()), true)
        );
        assert_eq!(
            event_body(Some("application/octet-stream"), b""),
            (None, false)
        );
    }

    fn client(
        method: &str,
        path: &str,
        query: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> ClientRequest {
        ClientRequest {
            method: method.to_owned(),
            raw_path: path.to_owned(),
            raw_query: query.to_owned(),
            protocol: "HTTP/1.1".to_owned(),
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: body.to_vec(),
            source_ip: "127.0.0.1".to_owned(),
            server_port: 3000,
        }
    }

    fn identity() -> RequestIdentity {
        RequestIdentity {
            request_id: "JKJaXmPLvHcESHA=".to_owned(),
            time: time::macros::datetime!(2026-12-01 22:36:09.123 UTC),
        }
    }

    #[test]
    fn the_event_has_the_documented_shape() {
        let table = table(&[("invoice-api", "GET", "/v1/invoices/{id}")]);
        let matched = table.find("GET", "/v1/invoices/inv%2D1").expect("a match");
        let gateway = GatewayContext::new(
            &HttpApiSpec {
                logical_id: "HttpApi".to_owned(),
                stage: "$default".to_owned(),
            },
            "123456789012",
        );
        let request = client(
            "GET",
            "/v1/invoices/inv%2D1",
            "revision=2&tag=a&tag=b%20c&flag",
            &[
                ("host", "localhost:3000"),
                ("user-agent", "curl/8"),
                ("accept", "application/json"),
                ("accept", "text/plain"),
                ("cookie", "a=1; b=2"),
                ("cookie", "c=3"),
                ("x-correlation-id", "corr-1"),
            ],
            b"",
        );
        let event = build_event(&request, &matched, &gateway, &identity());
        assert_eq!(event["version"], "2.0");
        assert_eq!(event["routeKey"], "GET /v1/invoices/{id}");
        assert_eq!(event["rawPath"], "/v1/invoices/inv-1");
        assert_eq!(event["rawQueryString"], "revision=2&tag=a&tag=b%20c&flag");
        assert_eq!(event["cookies"], json!(["a=1", "b=2", "c=3"]));
        assert_eq!(event["headers"]["accept"], "application/json,text/plain");
        assert!(event["headers"].get("cookie").is_none());
        assert_eq!(event["headers"]["x-forwarded-for"], "127.0.0.1");
        assert_eq!(
            event["queryStringParameters"],
            json!({"revision": "2", "tag": "a,b c", "flag": ""})
        );
        assert_eq!(event["pathParameters"], json!({"id": "inv-1"}));
        assert!(event.get("body").is_none());
        assert_eq!(event["isBase64Encoded"], false);
        let context = &event["requestContext"];
        assert_eq!(context["accountId"], "123456789012");
        assert_eq!(context["apiId"], "httpapi");
        assert_eq!(context["domainName"], "localhost:3000");
        assert_eq!(context["domainPrefix"], "localhost");
        assert_eq!(context["http"]["method"], "GET");
        assert_eq!(context["http"]["path"], "/v1/invoices/inv-1");
        assert_eq!(context["http"]["protocol"], "HTTP/1.1");
        assert_eq!(context["http"]["sourceIp"], "127.0.0.1");
        assert_eq!(context["http"]["userAgent"], "curl/8");
        assert_eq!(context["requestId"], "JKJaXmPLvHcESHA=");
        assert_eq!(context["routeKey"], "GET /v1/invoices/{id}");
        assert_eq!(context["stage"], "$default");
        assert_eq!(context["time"], "01/Dec/2026:22:36:09 +0000");
        assert_eq!(context["timeEpoch"], 1_796_164_569_123_i64);
        assert_eq!(context["authorizer"]["iam"]["accountId"], "123456789012");

        // aws_lambda_events (what lambda_http parses) reads it back.
        let parsed: aws_lambda_events::apigw::ApiGatewayV2httpRequest =
            serde_json::from_value(event).expect("an ApiGatewayV2httpRequest");
        assert_eq!(parsed.raw_path.as_deref(), Some("/v1/invoices/inv-1"));
        assert_eq!(parsed.request_context.http.method, "GET");
        assert_eq!(
            parsed
                .request_context
                .authorizer
                .and_then(|a| a.iam)
                .and_then(|iam| iam.account_id)
                .as_deref(),
            Some("123456789012")
        );
    }

    #[test]
    fn a_signed_request_names_its_access_key() {
        let request = client(
            "GET",
            "/",
            "",
            &[(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20261201/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=00",
            )],
            b"",
        );
        assert_eq!(local_caller(&request, "1")["accessKey"], "AKIAEXAMPLE");
    }

    fn answered(payload: &str) -> Translated {
        translate(IntegrationResult::Answered(Invocation {
            payload: payload.as_bytes().to_vec(),
            function_error: None,
            duration: Duration::ZERO,
        }))
    }

    #[test]
    fn a_proxy_answer_is_taken_apart() {
        let translated = answered(
            r#"{"statusCode":201,"headers":{"Content-Type":"application/pdf","x-n":3,"content-length":"1"},
                "cookies":["a=1; Path=/","b=2"],"body":"JVBERi0=","isBase64Encoded":true}"#,
        );
        let response = translated.response;
        assert_eq!(response.status, 201);
        assert_eq!(response.body, b"%PDF-");
        assert_eq!(response.header("content-type"), Some("application/pdf"));
        assert_eq!(response.header("x-n"), Some("3"));
        assert_eq!(response.header("content-length"), None);
        let cookies: Vec<&str> = response
            .headers
            .iter()
            .filter(|(n, _)| n == "set-cookie")
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(cookies, ["a=1; Path=/", "b=2"]);
    }

    #[test]
    fn an_answer_without_status_code_is_inferred() {
        let response = answered(r#"{"id":"inv-1"}"#).response;
        assert_eq!(response.status, 200);
        assert_eq!(response.header("content-type"), Some("application/json"));
        assert_eq!(response.body, br#"{"id":"inv-1"}"#);
        assert_eq!(answered(r#""text""#).response.body, br#""text""#);
    }

    #[test]
    fn invalid_answers_are_500() {
        for payload in [
            "not json",
            r#"{"statusCode":"abc"}"#,
            r#"{"statusCode":99}"#,
            r#"{"statusCode":200,"body":"***","isBase64Encoded":true}"#,
            r#"{"statusCode":200,"body":{"a":1}}"#,
            r#"{"statusCode":200,"headers":["a"]}"#,
        ] {
            let translated = answered(payload);
            assert_eq!(translated.response.status, 500, "{payload}");
            assert!(translated.problem.is_some());
        }
        let huge = format!(
            r#"{{"statusCode":200,"body":"{}"}}"#,
            "a".repeat(MAX_INVOKE_PAYLOAD)
        );
        assert_eq!(answered(&huge).response.status, 500);
    }

    #[test]
    fn failures_map_to_the_gateway_answers() {
        let status = |result| translate(result).response.status;
        assert_eq!(
            status(IntegrationResult::Answered(Invocation {
                payload: br#"{"errorType":"x"}"#.to_vec(),
                function_error: Some("Unhandled".to_owned()),
                duration: Duration::ZERO,
            })),
            500
        );
        assert_eq!(
            status(IntegrationResult::Failed(InvokeError::Timeout(
                Duration::from_secs(3)
            ))),
            500
        );
        assert_eq!(
            status(IntegrationResult::Failed(InvokeError::Timeout(
                Duration::from_secs(30)
            ))),
            503
        );
        assert_eq!(status(IntegrationResult::TimedOut), 503);
        assert_eq!(
            status(IntegrationResult::Failed(InvokeError::Unavailable(
                "down".to_owned()
            ))),
            500
        );
        assert_eq!(
            translate(IntegrationResult::TimedOut).response.body,
            br#"{"message":"Service Unavailable"}"#
        );
    }

    #[test]
    fn request_ids_look_like_api_gateways() {
        let id = new_request_id();
        assert_eq!(id.len(), 16);
        assert!(id.ends_with('='));
        assert_ne!(id, new_request_id());
    }
}
