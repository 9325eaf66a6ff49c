//! API Gateway's side of an HTTP API function, in-process: an API Gateway v2 request event (JSON,
//! as AWS sends it) goes through lambda_http's own adapter to a handler, and what comes back is
//! the proxy answer API Gateway would receive (`statusCode`, `headers`, `body`,
//! `isBase64Encoded`), as JSON.

use lambda_http::request::LambdaRequest;
use lambda_http::{Adapter, Body, Context, LambdaEvent, Request, Response, Service, service_fn};
use serde_json::Value;
use std::future::Future;

/// The proxy answer of `handler` to the API Gateway v2 request `request`.
pub async fn proxy_answer<H, F>(handler: H, request: Value) -> Value
where
    H: Fn(Request) -> F,
    F: Future<Output = Response<Body>> + Send,
{
    let request: LambdaRequest =
        serde_json::from_value(request).expect("an API Gateway v2 request event");
    let mut adapter = Adapter::from(service_fn(|request: Request| {
        let answer = handler(request);
        async move { Ok::<_, lambda_http::Error>(answer.await) }
    }));
    let response = adapter
        .call(LambdaEvent::new(request, Context::default()))
        .await
        .expect("the handler answers every request");
    serde_json::to_value(response).expect("the proxy answer serialises")
}
