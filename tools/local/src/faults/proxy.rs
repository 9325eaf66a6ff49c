//! The fault-injecting proxy: an HTTP/1.1 server on 127.0.0.1 in front of the emulator. Each
//! request is identified ([`Call`]), drawn for ([`Dice`]), then forwarded, answered with the
//! service's own error, reset, or forwarded and reset; every fault is one JSON line in the log.

use super::answers::error_answer;
use super::call::Call;
use super::log::FaultLog;
use super::spec::{FaultKind, FaultSpec};
use bytes::Bytes;
use chacha20::ChaCha8Rng;
use chacha20::rand_core::{Rng, SeedableRng};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// The seeded draws, in the order calls arrive. Every call takes the same three draws (its
/// outcome, its latency, and one spare kept for future kinds), whatever the spec, so that a seed
/// gives the n-th call the same numbers under any SPEC.
struct Dice {
    rng: ChaCha8Rng,
    calls: u64,
}

/// A call's draws.
struct Draw {
    number: u64,
    outcome: f64,
    latency: f64,
}

impl Dice {
    fn draw(&mut self) -> Draw {
        self.calls += 1;
        let mut uniform = || (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let (outcome, latency, _spare) = (uniform(), uniform(), uniform());
        Draw {
            number: self.calls,
            outcome,
            latency,
        }
    }
}

/// What the proxy shares between its connections.
struct Shared {
    spec: FaultSpec,
    dice: Mutex<Dice>,
    upstream: String,
    client: Client<HttpConnector, Full<Bytes>>,
    log: Arc<FaultLog>,
}

/// Why a connection is reset instead of answered: hyper closes a connection whose service
/// fails, and the zero linger set before makes that close a TCP reset.
#[derive(Debug, thiserror::Error)]
#[error("connection reset by fault injection")]
struct ResetConnection;

/// A running proxy; dropping it (or [`FaultProxy::stop`]) closes it and its connections.
pub struct FaultProxy {
    endpoint: String,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// Listens on a free port of 127.0.0.1 and forwards to `upstream` (`http://127.0.0.1:PORT`),
    /// injecting `spec`'s faults drawn from `seed`; each fault is recorded in `log`.
    ///
    /// # Errors
    ///
    /// The port cannot be opened.
    pub async fn start(
        spec: FaultSpec,
        seed: u64,
        upstream: &str,
        log: Arc<FaultLog>,
    ) -> std::io::Result<FaultProxy> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let endpoint = format!("http://{}", listener.local_addr()?);
        let shared = Arc::new(Shared {
            spec,
            dice: Mutex::new(Dice {
                rng: ChaCha8Rng::seed_from_u64(seed),
                calls: 0,
            }),
            upstream: upstream.trim_end_matches('/').to_owned(),
            client: Client::builder(TokioExecutor::new()).build_http(),
            log,
        });
        let server = tokio::spawn(accept(listener, shared.clone()));
        Ok(FaultProxy {
            endpoint,
            shared,
            server,
        })
    }

    /// `http://127.0.0.1:<port>`: the `AWS_ENDPOINT_URL` of the clients that get the faults.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The log the proxy records its faults in.
    pub fn log(&self) -> &FaultLog {
        &self.shared.log
    }

    /// How many calls went through the proxy.
    pub fn calls(&self) -> u64 {
        self.shared.dice.lock().map(|dice| dice.calls).unwrap_or(0)
    }

    /// Closes the port and every open connection.
    pub fn stop(self) {
        self.server.abort();
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Accepts connections until aborted; the connections live in a set aborted with it.
async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        // Reap finished connections so the set does not grow with the stack's lifetime.
        while connections.try_join_next().is_some() {}
        let shared = shared.clone();
        connections.spawn(async move {
            // A second handle on the same socket, to set a zero linger on it when a fault asks
            // for a reset, while hyper owns the first.
            let Ok(socket) = stream.into_std() else {
                return;
            };
            let Ok(twin) = socket.try_clone() else {
                return;
            };
            let Ok(stream) = tokio::net::TcpStream::from_std(socket) else {
                return;
            };
            let twin = Arc::new(twin);
            let service = hyper::service::service_fn(move |request| {
                let (shared, twin) = (shared.clone(), twin.clone());
                async move {
                    let answer = handle(&shared, request).await;
                    if answer.is_err() {
                        let _ = socket2::SockRef::from(&*twin).set_linger(Some(Duration::ZERO));
                    }
                    answer
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// One request: identify, draw, then act.
async fn handle(
    shared: &Shared,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, ResetConnection> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map_err(|_| ResetConnection)?
        .to_bytes();
    let call = Call::identify(&parts, &body);
    let draw = shared.dice.lock().map_err(|_| ResetConnection)?.draw();
    let faults = shared.spec.for_call(&call.service, &call.operation);
    if let Some(delay) = faults.latency_for(draw.latency) {
        shared.record(
            &call,
            draw.number,
            FaultKind::Latency,
            json!({"delay_ms": delay.as_millis()}),
        );
        tokio::time::sleep(delay).await;
    }
    match faults.outcome_for(draw.outcome) {
        None => shared.forward(parts, body).await,
        Some(kind @ (FaultKind::Throttle | FaultKind::Error)) => {
            let request_id = format!("paperflow-fault-{}", draw.number);
            let answer = error_answer(
                &call,
                kind,
                &request_id,
                parts.method == hyper::Method::HEAD,
            );
            shared.record(
                &call,
                draw.number,
                kind,
                json!({"status": answer.status, "code": answer.code}),
            );
            let mut response = Response::builder().status(answer.status);
            for (name, value) in &answer.headers {
                response = response.header(*name, value);
            }
            response
                .body(Full::new(Bytes::from(answer.body)))
                .map_err(|_| ResetConnection)
        }
        Some(FaultKind::Reset) => {
            shared.record(&call, draw.number, FaultKind::Reset, json!({}));
            Err(ResetConnection)
        }
        Some(_lost) => {
            // The emulator acts on the whole request; only its answer is lost.
            let status = shared
                .forward(parts, body)
                .await
                .map(|response| response.status().as_u16())
                .ok();
            shared.record(
                &call,
                draw.number,
                FaultKind::Lost,
                json!({"status": status}),
            );
            Err(ResetConnection)
        }
    }
}

impl Shared {
    /// Sends the request to the emulator as it came and gives back its whole answer.
    async fn forward(
        &self,
        parts: hyper::http::request::Parts,
        body: Bytes,
    ) -> Result<Response<Full<Bytes>>, ResetConnection> {
        let path = parts
            .uri
            .path_and_query()
            .map_or("/", hyper::http::uri::PathAndQuery::as_str);
        let mut upstream = Request::builder()
            .method(parts.method.clone())
            .uri(format!("{}{path}", self.upstream));
        for (name, value) in &parts.headers {
            upstream = upstream.header(name, value);
        }
        let upstream = upstream
            .body(Full::new(body))
            .map_err(|_| ResetConnection)?;
        // The emulator unreachable: the caller sees what it would see of an unreachable AWS.
        let response = self
            .client
            .request(upstream)
            .await
            .map_err(|_| ResetConnection)?;
        let (mut head, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map_err(|_| ResetConnection)?
            .to_bytes();
        // The body is whole now; hyper sends it with its length.
        head.headers.remove(hyper::header::TRANSFER_ENCODING);
        Ok(Response::from_parts(head, Full::new(body)))
    }

    /// Writes one fault as a JSON line and counts it.
    fn record(&self, call: &Call, number: u64, kind: FaultKind, detail: serde_json::Value) {
        let mut line = json!({
            "call": number,
            "service": call.service,
            "operation": call.operation,
            "resource": call.resource,
            "target": call.target,
            "kind": kind.name(),
        });
        if let (Some(line), serde_json::Value::Object(detail)) = (line.as_object_mut(), detail) {
            line.extend(detail);
        }
        self.log
            .record(&line, format!("{} {}", call.service, kind.name()));
    }
}
