//! The payload format 2.0 event (`ApiGatewayV2httpRequest`) built from one client request, the
//! way API Gateway fills it: headers, query, cookies, body (base64 when not text) and
//! `requestContext`. Pure: no I/O.

use super::RouteMatch;
use super::routes::percent_decode;
use crate::spec::HttpApiSpec;
use base64::Engine as _;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use time::OffsetDateTime;

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
pub(super) fn new_request_id() -> String {
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
    let (headers, cookies) = headers_and_cookies(request, identity);
    // HTTP APIs hand the path over percent-decoded, in `rawPath` as in `requestContext.http.path`
    // (observed on live HTTP APIs; REST APIs and function URLs keep it encoded). The stage
    // prefix stays in it.
    let path = percent_decode(&request.raw_path);
    let query = query_parameters(&request.raw_query);
    let context = request_context(request, matched, gateway, identity, &path);

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

/// The event's `headers` and `cookies`. Format 2.0: "Duplicate headers are combined with commas
/// and included in the headers field"; all header names are lower-case; the `cookie` headers
/// are not headers but the `cookies` field ("All cookie headers in the request are combined
/// with commas and added to the cookies field"), one entry per cookie.
fn headers_and_cookies(
    request: &ClientRequest,
    identity: &RequestIdentity,
) -> (BTreeMap<String, String>, Vec<String>) {
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
    (headers, cookies)
}

/// `queryStringParameters`: "Duplicate query strings are combined with commas and included in
/// the queryStringParameters field"; values are decoded, `rawQueryString` keeps them as sent.
fn query_parameters(raw_query: &str) -> BTreeMap<String, String> {
    let mut query: BTreeMap<String, String> = BTreeMap::new();
    for pair in raw_query.split('&').filter(|p| !p.is_empty()) {
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
    query
}

/// `requestContext`, with the local caller as `authorizer.iam` on `AWS_IAM` routes.
fn request_context(
    request: &ClientRequest,
    matched: &RouteMatch<'_>,
    gateway: &GatewayContext,
    identity: &RequestIdentity,
    path: &str,
) -> Value {
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
    context
}

/// The caller an `AWS_IAM` route describes. Nothing is verified locally: the access key is the
/// one the request's SigV4 `Authorization` header names, if any; the rest describes a local IAM
/// user of the stack's account.
pub(super) fn local_caller(request: &ClientRequest, account_id: &str) -> Value {
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
