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

mod answer;
mod event;
mod routes;
mod server;
#[cfg(test)]
mod tests;

pub use answer::{GatewayResponse, IntegrationResult, Translated, function_response, translate};
pub use event::{
    ClientRequest, GatewayContext, RequestIdentity, build_event, event_body, is_text_content_type,
};
pub use routes::{RouteMatch, RouteTable};
pub use server::serve;

use crate::spec::{FunctionSpec, HttpRouteSpec, StackSpec};
use std::time::Duration;

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
