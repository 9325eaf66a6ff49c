//! `--kill-rate P`: each invocation's function process is killed (SIGKILL) with probability P,
//! at a random point of the invocation, as a crash of Lambda's execution environment; the
//! runtime then starts a fresh process and answers the trigger as Lambda answers a crashed
//! invocation (an `Unhandled` error, `Runtime.ExitError`).
//!
//! "A random point of the invocation" is a uniform fraction of the function's typical duration
//! (a moving average of its invocations, 300 ms before the first): an invocation that ends
//! before its kill point is not killed, so the kills that happen are somewhat fewer than P of
//! the invocations. Each kill is a line in the [`FaultLog`] that names what the killed
//! invocation was handling (see [`KilledWork`]), so that an account of a run can tie what a
//! kill caused (a second e-mail, a redelivered batch) to that kill.

use super::log::FaultLog;
use chacha20::ChaCha8Rng;
use chacha20::rand_core::{Rng, SeedableRng};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The typical duration assumed before a function's first invocation.
const FIRST_GUESS: Duration = Duration::from_millis(300);

/// Decides which invocations are killed, and when.
pub struct KillSwitch {
    rate: f64,
    rng: Mutex<ChaCha8Rng>,
    typical: Mutex<BTreeMap<String, Duration>>,
    log: Arc<FaultLog>,
}

impl std::fmt::Debug for KillSwitch {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("KillSwitch")
            .field("rate", &self.rate)
            .finish_non_exhaustive()
    }
}

impl KillSwitch {
    /// Kills with probability `rate` (0 to 1), drawn from `seed`, recorded in `log`.
    ///
    /// # Errors
    ///
    /// `rate` is not a probability.
    pub fn new(rate: f64, seed: u64, log: Arc<FaultLog>) -> Result<KillSwitch, String> {
        if !(0.0..=1.0).contains(&rate) {
            return Err(format!(
                "--kill-rate {rate}: expected a probability from 0 to 1"
            ));
        }
        Ok(KillSwitch {
            rate,
            // Its own stream, apart from the proxy's: kills and AWS faults each replay alone.
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(seed ^ 0x6b69_6c6c)),
            typical: Mutex::new(BTreeMap::new()),
            log,
        })
    }

    /// When to kill this invocation of `function`, if at all. Two draws per invocation,
    /// whatever the outcome, in the order invocations start.
    pub fn plan(&self, function: &str) -> Option<Duration> {
        let (kill, point) = {
            let mut rng = self.rng.lock().ok()?;
            let mut uniform = || (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
            (uniform(), uniform())
        };
        if kill >= self.rate {
            return None;
        }
        let typical = self
            .typical
            .lock()
            .ok()
            .and_then(|typical| typical.get(function).copied())
            .unwrap_or(FIRST_GUESS);
        Some(typical.mul_f64(point))
    }

    /// Learns from an invocation of `function` that ran to its end.
    pub fn observe(&self, function: &str, duration: Duration) {
        if let Ok(mut typical) = self.typical.lock() {
            let average = typical.entry(function.to_owned()).or_insert(duration);
            *average = average.mul_f64(0.8) + duration.mul_f64(0.2);
        }
    }

    /// Records that `function`'s process `pid` was killed `after` the invocation with
    /// `payload` started.
    pub fn record(&self, function: &str, pid: Option<u32>, after: Duration, payload: &[u8]) {
        let work = KilledWork::of(payload);
        self.log.record(
            &json!({
                "service": "lambda",
                "operation": "Invoke",
                "resource": function,
                "target": work.ids,
                "subjects": work.subjects,
                "kind": "kill",
                "pid": pid,
                "after_ms": after.as_millis(),
            }),
            format!("{function} kill"),
        );
    }
}

/// What a killed invocation was handling, read from the event it was invoked with.
#[derive(Debug, Default, PartialEq)]
pub struct KilledWork {
    /// Per record (an SQS message, an SNS notification): the id of the event it carries, or the
    /// message's own id when it carries no event (not JSON, say); for an HTTP request, the API
    /// gateway's request id.
    pub ids: Vec<String>,
    /// The events' subjects (invoice ids), each once.
    pub subjects: Vec<String>,
}

impl KilledWork {
    /// Reads `payload`, a Lambda event of SQS, SNS or an API gateway; anything else names
    /// nothing.
    pub fn of(payload: &[u8]) -> KilledWork {
        let mut work = KilledWork::default();
        let Ok(event) = serde_json::from_slice::<Value>(payload) else {
            return work;
        };
        if let Some(records) = event.get("Records").and_then(Value::as_array) {
            for record in records {
                let (body, message_id) = match record.get("Sns") {
                    Some(sns) => (&sns["Message"], &sns["MessageId"]),
                    None => (&record["body"], &record["messageId"]),
                };
                let carried = body
                    .as_str()
                    .and_then(|body| paperflow_events::event_json(body).ok());
                let text = |value: Option<&Value>| {
                    value
                        .and_then(Value::as_str)
                        .filter(|text| !text.is_empty())
                        .map(str::to_owned)
                };
                if let Some(id) = text(carried.as_ref().and_then(|e| e.get("id")))
                    .or_else(|| text(Some(message_id)))
                {
                    work.ids.push(id);
                }
                if let Some(subject) = text(carried.as_ref().and_then(|e| e.get("subject")))
                    && !work.subjects.contains(&subject)
                {
                    work.subjects.push(subject);
                }
            }
        } else if let Some(request_id) = event
            .pointer("/requestContext/requestId")
            .and_then(Value::as_str)
        {
            work.ids.push(request_id.to_owned());
        }
        work
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready_notice(id: &str, invoice: &str) -> String {
        json!({"specversion": "1.0", "id": id, "type": "invoice.pdf.ready.v1", "subject": invoice})
            .to_string()
    }

    #[test]
    fn a_killed_mailer_names_the_notice_and_its_invoice() {
        let payload = json!({"Records": [{"Sns": {
            "MessageId": "sns-message-1",
            "Message": ready_notice("notice-7", "INV-7"),
        }}]});
        let work = KilledWork::of(payload.to_string().as_bytes());
        assert_eq!(work.ids, ["notice-7"]);
        assert_eq!(work.subjects, ["INV-7"]);
    }

    #[test]
    fn a_killed_batch_names_every_record_and_each_invoice_once() {
        let payload = json!({"Records": [
            {"messageId": "m-1", "body": ready_notice("e-1", "INV-1")},
            {"messageId": "m-2", "body": "not an event {"},
            {"messageId": "m-3", "body": ready_notice("e-3", "INV-1")},
        ]});
        let work = KilledWork::of(payload.to_string().as_bytes());
        assert_eq!(work.ids, ["e-1", "m-2", "e-3"]);
        assert_eq!(work.subjects, ["INV-1"]);
    }

    #[test]
    fn a_killed_request_names_its_request_id_and_noise_names_nothing() {
        let request = json!({"rawPath": "/v1/invoices", "requestContext": {"requestId": "req-1"}});
        assert_eq!(
            KilledWork::of(request.to_string().as_bytes()).ids,
            ["req-1"]
        );
        assert_eq!(KilledWork::of(b"not json"), KilledWork::default());
    }
}
