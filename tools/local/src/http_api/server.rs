//! The thin HTTP/1.1 server around the pure parts: accepts connections, reads bodies within
//! API Gateway's limits, invokes the matched route's function and reports each request.

use super::{
    ClientRequest, GatewayContext, GatewayResponse, INTEGRATION_TIMEOUT, IntegrationResult,
    MAX_INVOKE_PAYLOAD, MAX_REQUEST_BODY, RequestIdentity, RouteMatch, RouteTable, build_event,
    translate,
};
use crate::invoke::Invoke;
use crate::progress::{Progress, Reporter};
use crate::spec::{FunctionSpec, HttpApiSpec, HttpRouteSpec};
use crate::{Shutdown, TriggerContext};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// Everything a request needs, shared by the connections.
struct Front {
    table: RouteTable,
    gateway: GatewayContext,
    invoker: Arc<dyn Invoke>,
    reporter: Reporter,
}

/// Serves the HTTP API `api` with `routes` on `listener` (HTTP/1.1) until the context's
/// shutdown: then it stops accepting, lets the requests in flight finish (their connections
/// close after their response), and returns.
///
/// Each request is answered as API Gateway's HTTP API would: a matching route's function is
/// invoked through the context's invoker with the payload format 2.0 event, and every
/// invocation is reported through its reporter as [`Progress::Invoked`] with trigger `http`.
pub async fn serve(
    listener: TcpListener,
    routes: Vec<(FunctionSpec, HttpRouteSpec)>,
    api: HttpApiSpec,
    context: TriggerContext,
) -> std::io::Result<()> {
    let TriggerContext {
        invoker,
        reporter,
        mut shutdown,
    } = context;
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

    /// API Gateway's answer to one request: the route's function invoked with the event, or
    /// the gateway's own 404 (no route) or 413 (too large).
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
        let Some(matched) = self.route(&method, &raw_path) else {
            self.reporter.warn(format!(
                "HTTP API: no route for {method} {raw_path}: 404 Not Found"
            ));
            return GatewayResponse::gateway_error(404, "Not Found");
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
            method,
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
        self.integrate(&matched, &client, payload).await
    }

    /// The route of `method` and `raw_path`. A named stage is the first segment of every URL;
    /// `$default` adds none.
    fn route(&self, method: &str, raw_path: &str) -> Option<RouteMatch<'_>> {
        let route_path = if self.gateway.stage == "$default" {
            raw_path
        } else {
            match raw_path
                .strip_prefix('/')
                .and_then(|p| p.strip_prefix(self.gateway.stage.as_str()))
            {
                Some("") => "/",
                Some(rest) if rest.starts_with('/') => rest,
                _ => return None,
            }
        };
        self.table.find(method, route_path)
    }

    /// Invokes the route's function with `payload` within the integration timeout, turns its
    /// answer into the gateway's, and reports the invocation.
    async fn integrate(
        &self,
        matched: &RouteMatch<'_>,
        client: &ClientRequest,
        payload: Vec<u8>,
    ) -> GatewayResponse {
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
            // A request is not delivered again: nothing comes back to tie to this one.
            work: Vec::new(),
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
