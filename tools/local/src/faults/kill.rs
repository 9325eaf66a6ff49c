//! `--kill-rate P`: each invocation's function process is killed (SIGKILL) with probability P,
//! at a random point of the invocation, as a crash of Lambda's execution environment; the
//! runtime then starts a fresh process and answers the trigger as Lambda answers a crashed
//! invocation (an `Unhandled` error, `Runtime.ExitError`).
//!
//! "A random point of the invocation" is a uniform fraction of the function's typical duration
//! (a moving average of its invocations, 300 ms before the first): an invocation that ends
//! before its kill point is not killed, so the kills that happen are somewhat fewer than P of
//! the invocations. Each kill is a line in the [`FaultLog`] that names what the killed
//! invocation was handling (see [`Work`]), so that an account of a run can tie what a
//! kill caused (a second e-mail, a redelivered batch) to that kill.

use super::log::FaultLog;
use crate::work::Work;
use chacha20::ChaCha8Rng;
use chacha20::rand_core::{Rng, SeedableRng};
use serde_json::json;
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
        let work = Work::of(payload);
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
