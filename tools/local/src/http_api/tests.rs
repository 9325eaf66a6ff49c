use super::event::{local_caller, new_request_id};
use super::*;
use crate::invoke::{Invocation, InvokeError};
use crate::spec::HttpApiSpec;
use serde_json::json;
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
