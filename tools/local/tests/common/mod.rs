//! The harness the integration tests share: a test double of the user's Lambda function, a
//! function's spec, a queue's depth and a wait for a condition. Each test file is compiled on its
//! own and uses only part of it.

#![allow(dead_code)]

use aws_sdk_sqs::types::QueueAttributeName;
use paperflow_local::invoke::{Invocation, Invoke, InvokeError, InvokeFuture};
use paperflow_local::spec::{AsyncInvokeSpec, FunctionSpec};
use paperflow_tests::moto::{ACCOUNT_ID, REGION};
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the test function does on one call.
pub enum Answer {
    /// Returns this JSON.
    Ok(Value),
    /// Returns these bytes, JSON or not.
    Raw(&'static [u8]),
    /// Fails: an `Unhandled` function error with the error document
    /// `{"errorType":"Error","errorMessage":"boom"}`.
    Error,
    /// The runtime reports that the function ran out of this much time.
    Timeout(Duration),
    /// The runtime cannot be reached.
    Unavailable,
    /// Answers what this future ends with: a slow or asynchronous function.
    Later(Pin<Box<dyn Future<Output = Answer> + Send>>),
}

impl Answer {
    /// Answers what `future` ends with.
    pub fn later(future: impl Future<Output = Answer> + Send + 'static) -> Answer {
        Answer::Later(Box::pin(future))
    }

    /// The invocation's outcome; `Later` is settled before.
    fn outcome(self) -> Result<Invocation, InvokeError> {
        let (payload, function_error) = match self {
            Answer::Ok(value) => (value.to_string().into_bytes(), None),
            Answer::Raw(bytes) => (bytes.to_vec(), None),
            Answer::Error => (
                br#"{"errorType":"Error","errorMessage":"boom"}"#.to_vec(),
                Some("Unhandled".to_owned()),
            ),
            Answer::Timeout(limit) => return Err(InvokeError::Timeout(limit)),
            Answer::Unavailable => {
                return Err(InvokeError::Unavailable("connection refused".to_owned()));
            }
            Answer::Later(_) => unreachable!("a later answer is awaited first"),
        };
        Ok(Invocation {
            payload,
            function_error,
            duration: Duration::from_millis(1),
        })
    }
}

/// A function that may be invoked under any binary name.
pub const ANY_BINARY: &str = "*";

type Rule = dyn Fn(&Value, usize) -> Answer + Send + Sync;

/// The user's function, played by the test: records every call (the binary it was invoked as and
/// the event) and answers per the test's rule.
pub struct TestFunction {
    binary: &'static str,
    calls: Mutex<Vec<(String, Value)>>,
    rule: Box<Rule>,
}

impl TestFunction {
    /// A function invoked as `binary` (or [`ANY_BINARY`]) that answers each event per `rule`.
    pub fn new(
        binary: &'static str,
        rule: impl Fn(&Value) -> Answer + Send + Sync + 'static,
    ) -> Arc<TestFunction> {
        TestFunction::with_rule(binary, move |event, _| rule(event))
    }

    /// A function invoked as `binary` (or [`ANY_BINARY`]) whose `rule` gets the call's number
    /// (1 for the first).
    pub fn by_call(
        binary: &'static str,
        rule: impl Fn(usize) -> Answer + Send + Sync + 'static,
    ) -> Arc<TestFunction> {
        TestFunction::with_rule(binary, move |_, call| rule(call))
    }

    fn with_rule(
        binary: &'static str,
        rule: impl Fn(&Value, usize) -> Answer + Send + Sync + 'static,
    ) -> Arc<TestFunction> {
        Arc::new(TestFunction {
            binary,
            calls: Mutex::default(),
            rule: Box::new(rule),
        })
    }

    /// Every call so far: the binary it was invoked as and the event.
    pub fn calls(&self) -> Vec<(String, Value)> {
        self.calls.lock().expect("the calls").clone()
    }

    /// Every event so far, in order.
    pub fn events(&self) -> Vec<Value> {
        self.calls().into_iter().map(|(_, event)| event).collect()
    }

    /// The latest event.
    pub fn last_event(&self) -> Value {
        self.events().pop().expect("the function was invoked")
    }

    /// Every record of every event, in order.
    pub fn records(&self) -> Vec<Value> {
        self.events()
            .iter()
            .flat_map(|event| event["Records"].as_array().cloned().unwrap_or_default())
            .collect()
    }
}

impl Invoke for TestFunction {
    fn invoke<'a>(&'a self, function: &'a str, payload: Vec<u8>) -> InvokeFuture<'a> {
        Box::pin(async move {
            if self.binary != ANY_BINARY {
                assert_eq!(function, self.binary);
            }
            let event: Value = serde_json::from_slice(&payload).expect("a JSON event");
            let call = {
                let mut calls = self.calls.lock().expect("the calls");
                calls.push((function.to_owned(), event.clone()));
                calls.len()
            };
            let mut answer = (self.rule)(&event, call);
            while let Answer::Later(future) = answer {
                answer = future.await;
            }
            answer.outcome()
        })
    }
}

/// A function's spec as the template would give it: `paperflow-local-<logical_id>`, running
/// `binary`, with Lambda's default timeout and memory and no events.
pub fn function_spec(logical_id: &str, binary: &str) -> FunctionSpec {
    let name = format!("paperflow-local-{logical_id}");
    FunctionSpec {
        arn: format!("arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"),
        logical_id: logical_id.to_owned(),
        name,
        binary: binary.to_owned(),
        timeout_s: 3,
        memory_mb: 128,
        environment: Default::default(),
        sqs_sources: Vec::new(),
        sns_sources: Vec::new(),
        http_routes: Vec::new(),
        async_invoke: AsyncInvokeSpec::default(),
    }
}

/// Visible plus in-flight messages of a queue.
pub async fn depth(sqs: &aws_sdk_sqs::Client, url: &str) -> u64 {
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .expect("queue attributes");
    let map = attributes.attributes().cloned().unwrap_or_default();
    [
        QueueAttributeName::ApproximateNumberOfMessages,
        QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
    ]
    .iter()
    .map(|name| {
        map.get(name)
            .and_then(|count| count.parse::<u64>().ok())
            .unwrap_or(0)
    })
    .sum()
}

/// Waits until `check` holds, looking every 100 ms; panics naming `what` after `timeout`.
pub async fn eventually(what: &str, timeout: Duration, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for: {what}");
}
