//! What the local stack tells its user: a line per step for people, or one JSON object per line
//! (`--json`) for tools. Every part of the stack reports through one [`Reporter`], which also
//! keeps the counts for the final summary.

use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One thing that happened.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Progress {
    /// A step of starting or stopping the stack (emulator, build, functions, …).
    Step {
        /// What happened, in words.
        message: String,
    },
    /// A resource was created in the emulator.
    Created {
        /// `AWS::SQS::Queue`, …
        resource_type: String,
        /// Logical id.
        logical_id: String,
        /// Name, ARN or URL.
        physical_id: String,
    },
    /// A resource of the template is not created locally.
    NotEmulated {
        /// Logical id.
        logical_id: String,
        /// Its type.
        resource_type: String,
        /// Why.
        reason: String,
    },
    /// The emulator lacks a service: the functions that call it are not started, the rest runs.
    Unavailable {
        /// What the emulator is (`LocalStack`, `moto`, `the emulator`).
        emulator: String,
        /// Its endpoint.
        endpoint: String,
        /// The service, for people (`SES v2`).
        service: String,
        /// The functions (binary names) that are not started.
        functions: Vec<String>,
        /// What the emulator answered when asked for the service.
        answer: String,
    },
    /// A trigger invoked a function.
    Invoked {
        /// `sqs`, `sns` or `http`.
        trigger: String,
        /// The queue, topic or route.
        source: String,
        /// The function's binary name.
        function: String,
        /// Records in the event (1 for SNS and HTTP).
        records: usize,
        /// Records that failed (the whole batch on a function error).
        failed: usize,
        /// `ok`, `partial`, `error`, `timeout`, or the HTTP status.
        outcome: String,
        /// Invoice ids, correlation ids or event types seen in the records: the flow's path.
        subjects: Vec<String>,
        /// For an invocation that failed as a whole (`error`, `timeout`), whose records the
        /// trigger delivers again: what it was handling, by the ids a kill names
        /// ([`crate::work::Work`]). Empty, and left out, otherwise.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        work: Vec<String>,
        /// Milliseconds.
        duration_ms: u64,
    },
    /// An asynchronous invocation failed and is tried again.
    Retry {
        /// The function's binary name.
        function: String,
        /// The attempt that comes next (2 or 3).
        attempt: u32,
        /// Why the last one failed.
        reason: String,
    },
    /// An asynchronous invocation ran out of retries and went to its on-failure destination.
    Destination {
        /// The function's binary name.
        function: String,
        /// The destination's ARN.
        destination: String,
    },
    /// Something went wrong in the stack itself (not in a function).
    Warning {
        /// What, in words.
        message: String,
    },
    /// The stack is up.
    Ready {
        /// Endpoints and names a producer needs (emulator endpoint, API URL, outputs).
        endpoints: BTreeMap<String, String>,
    },
    /// The stack stopped; totals per function, and each subject's path through the functions.
    Summary {
        /// Per function: invocations, failed records, retries, destinations.
        functions: BTreeMap<String, FunctionTotals>,
        /// Per subject (invoice id, or the correlation id of an HTTP request): the invocations
        /// that carried it, in order, as `function outcome`.
        flows: BTreeMap<String, Vec<String>>,
    },
}

/// Totals of one function for the summary.
#[derive(Clone, Debug, Default, Serialize)]
pub struct FunctionTotals {
    /// Invocations.
    pub invocations: u64,
    /// Records in them.
    pub records: u64,
    /// Failed records (or failed requests, for HTTP: 5xx answers).
    pub failed: u64,
    /// Asynchronous retries.
    pub retries: u64,
    /// Events sent to an on-failure destination.
    pub destinations: u64,
}

/// One invocation on a subject's path: when it started, and `function outcome`.
type Step = (Instant, String);

/// Subjects whose path the summary keeps.
const MAX_FLOWS: usize = 10_000;
/// Subjects the text line of an invocation lists before it ends with "…".
const SUBJECTS_SHOWN: usize = 5;
/// Paths the text summary prints.
const FLOWS_SHOWN: usize = 12;

/// Where progress goes: stderr as text, or stdout as JSON lines.
#[derive(Clone)]
pub struct Reporter {
    json: bool,
    totals: Arc<Mutex<BTreeMap<String, FunctionTotals>>>,
    /// Per subject: when each invocation that carried it started, and `function outcome`.
    /// Reports arrive when invocations end, so a short one may be reported before a long one
    /// that started first; the start time puts the path back in order.
    flows: Arc<Mutex<BTreeMap<String, Vec<Step>>>>,
    /// Text mode: not-emulated entries waiting to be printed grouped by type (dozens of lines
    /// otherwise, most of them saying the same thing).
    not_emulated: Arc<Mutex<Vec<(String, String, String)>>>,
}

impl Reporter {
    /// A reporter writing text (`json == false`) or JSON lines.
    pub fn new(json: bool) -> Reporter {
        Reporter {
            json,
            totals: Arc::default(),
            flows: Arc::default(),
            not_emulated: Arc::default(),
        }
    }

    /// Reports one thing that happened.
    pub fn report(&self, progress: Progress) {
        self.count(&progress);
        if self.json {
            if let Ok(line) = serde_json::to_string(&progress) {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{line}");
                let _ = out.flush();
            }
        } else {
            if let Progress::NotEmulated {
                logical_id,
                resource_type,
                reason,
            } = &progress
                && let Ok(mut pending) = self.not_emulated.lock()
            {
                pending.push((resource_type.clone(), logical_id.clone(), reason.clone()));
                return;
            }
            let grouped = self.grouped_not_emulated();
            let mut err = std::io::stderr().lock();
            if !grouped.is_empty() {
                let _ = write!(err, "{grouped}");
            }
            let _ = writeln!(err, "{}", describe(&progress));
        }
    }

    /// The pending not-emulated entries as text: resources grouped by type, properties counted.
    fn grouped_not_emulated(&self) -> String {
        let Ok(mut pending) = self.not_emulated.lock() else {
            return String::new();
        };
        let entries = std::mem::take(&mut *pending);
        let mut text = String::new();
        let mut types: Vec<&str> = Vec::new();
        let mut properties = 0;
        for (resource_type, _, _) in &entries {
            if resource_type.contains('.') {
                properties += 1;
            } else if !types.contains(&resource_type.as_str()) {
                types.push(resource_type);
            }
        }
        for resource_type in types {
            let of_type: Vec<&(String, String, String)> = entries
                .iter()
                .filter(|(t, _, _)| t == resource_type)
                .collect();
            let ids: Vec<&str> = of_type.iter().map(|(_, id, _)| id.as_str()).collect();
            text.push_str(&format!(
                "  not emulated: {resource_type} {} ({})\n",
                ids.join(", "),
                of_type[0].2
            ));
        }
        if properties > 0 {
            text.push_str(&format!(
                "  {properties} resource properties change nothing locally (encryption, lifecycle rules, logging, IAM roles, …); --json lists each with its reason\n"
            ));
        }
        text
    }

    /// Shorthand for a [`Progress::Step`].
    pub fn step(&self, message: impl Into<String>) {
        self.report(Progress::Step {
            message: message.into(),
        });
    }

    /// Shorthand for a [`Progress::Warning`].
    pub fn warn(&self, message: impl Into<String>) {
        self.report(Progress::Warning {
            message: message.into(),
        });
    }

    /// The totals so far, per function.
    pub fn totals(&self) -> BTreeMap<String, FunctionTotals> {
        self.totals.lock().map(|t| t.clone()).unwrap_or_default()
    }

    /// Each subject's path through the functions so far.
    pub fn flows(&self) -> BTreeMap<String, Vec<String>> {
        let Ok(flows) = self.flows.lock() else {
            return BTreeMap::new();
        };
        flows
            .iter()
            .map(|(subject, steps)| {
                let mut steps = steps.clone();
                steps.sort_by_key(|(started, _)| *started);
                let steps = steps.into_iter().map(|(_, step)| step).collect();
                (subject.clone(), steps)
            })
            .collect()
    }

    /// The final summary.
    pub fn summary(&self) -> Progress {
        Progress::Summary {
            functions: self.totals(),
            flows: self.flows(),
        }
    }

    fn count(&self, progress: &Progress) {
        let Ok(mut totals) = self.totals.lock() else {
            return;
        };
        match progress {
            Progress::Invoked {
                function,
                records,
                failed,
                outcome,
                subjects,
                duration_ms,
                ..
            } => {
                let entry = totals.entry(function.clone()).or_default();
                entry.invocations += 1;
                entry.records += *records as u64;
                entry.failed += *failed as u64;
                let started = Instant::now()
                    .checked_sub(Duration::from_millis(*duration_ms))
                    .unwrap_or_else(Instant::now);
                if let Ok(mut flows) = self.flows.lock() {
                    for subject in subjects {
                        // Bounded: a long session must not grow without end.
                        if flows.len() < MAX_FLOWS || flows.contains_key(subject) {
                            flows
                                .entry(subject.clone())
                                .or_default()
                                .push((started, format!("{function} {outcome}")));
                        }
                    }
                }
            }
            Progress::Retry { function, .. } => {
                totals.entry(function.clone()).or_default().retries += 1;
            }
            Progress::Destination { function, .. } => {
                totals.entry(function.clone()).or_default().destinations += 1;
            }
            _ => {}
        }
    }
}

/// The text line of one progress event.
fn describe(progress: &Progress) -> String {
    match progress {
        Progress::Step { message } => format!("• {message}"),
        Progress::Created {
            resource_type,
            logical_id,
            physical_id,
        } => format!("  created {resource_type} {logical_id}: {physical_id}"),
        Progress::NotEmulated {
            logical_id,
            resource_type,
            reason,
        } => format!("  not emulated: {resource_type} {logical_id} ({reason})"),
        Progress::Invoked {
            trigger,
            source,
            function,
            records,
            failed,
            outcome,
            subjects,
            duration_ms,
            ..
        } => {
            let subjects = if subjects.is_empty() {
                String::new()
            } else if subjects.len() > SUBJECTS_SHOWN {
                format!(" [{}, …]", subjects[..SUBJECTS_SHOWN].join(", "))
            } else {
                format!(" [{}]", subjects.join(", "))
            };
            format!(
                "{trigger:>4} {source} → {function}: {records} record(s), {failed} failed, {outcome} in {duration_ms} ms{subjects}"
            )
        }
        Progress::Retry {
            function,
            attempt,
            reason,
        } => format!("  retry {function}, attempt {attempt}: {reason}"),
        Progress::Destination {
            function,
            destination,
        } => format!("  {function}: retries exhausted, event sent to {destination}"),
        Progress::Unavailable {
            emulator,
            endpoint,
            service,
            functions,
            ..
        } => {
            let functions = match functions.as_slice() {
                [] => "no function needs it".to_owned(),
                [one] => format!("{one} is unavailable"),
                many => format!("{} are unavailable", many.join(", ")),
            };
            format!("! {emulator} at {endpoint} has no {service}: {functions}; the rest runs")
        }
        Progress::Warning { message } => format!("! {message}"),
        Progress::Ready { endpoints } => {
            let mut text = String::from("• ready:");
            for (name, value) in endpoints {
                text.push_str(&format!("\n    {name:<28} {value}"));
            }
            text
        }
        Progress::Summary { functions, flows } => {
            let mut text = String::from("• summary:");
            for (name, totals) in functions {
                text.push_str(&format!(
                    "\n    {name:<16} {} invocation(s), {} record(s), {} failed, {} retried, {} to destination",
                    totals.invocations,
                    totals.records,
                    totals.failed,
                    totals.retries,
                    totals.destinations
                ));
            }
            if !flows.is_empty() {
                text.push_str(&format!("\n• paths ({} subject(s)):", flows.len()));
                for (subject, steps) in flows.iter().take(FLOWS_SHOWN) {
                    text.push_str(&format!("\n    {subject:<24} {}", steps.join(" → ")));
                }
                if flows.len() > FLOWS_SHOWN {
                    text.push_str(&format!(
                        "\n    … and {} more (--json lists every one)",
                        flows.len() - FLOWS_SHOWN
                    ));
                }
            }
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invoked(trigger: &str, function: &str, outcome: &str, subjects: &[&str]) -> Progress {
        Progress::Invoked {
            trigger: trigger.into(),
            source: "somewhere".into(),
            function: function.into(),
            records: subjects.len(),
            failed: usize::from(outcome != "ok"),
            outcome: outcome.into(),
            subjects: subjects.iter().map(|s| (*s).to_owned()).collect(),
            work: Vec::new(),
            duration_ms: 1,
        }
    }

    #[test]
    fn the_summary_counts_per_function_and_follows_each_subject() {
        let reporter = Reporter::new(true);
        reporter.report(invoked("sqs", "pdf-generator", "ok", &["INV-1", "INV-2"]));
        // Reported later, but started before everything above: it comes first in the path.
        let mut early = invoked("http", "invoice-api", "202", &["INV-2"]);
        if let Progress::Invoked { duration_ms, .. } = &mut early {
            *duration_ms = 60_000;
        }
        reporter.report(invoked("sns", "pdf-mailer", "error", &["INV-1"]));
        reporter.report(Progress::Retry {
            function: "pdf-mailer".into(),
            attempt: 2,
            reason: "boom".into(),
        });
        reporter.report(invoked("sns", "pdf-mailer", "ok", &["INV-1"]));
        reporter.report(early);
        let Progress::Summary { functions, flows } = reporter.summary() else {
            panic!("a summary");
        };
        assert_eq!(functions["pdf-generator"].records, 2);
        assert_eq!(functions["invoice-api"].invocations, 1);
        assert_eq!(functions["pdf-mailer"].invocations, 2);
        assert_eq!(functions["pdf-mailer"].failed, 1);
        assert_eq!(functions["pdf-mailer"].retries, 1);
        assert_eq!(
            flows["INV-1"],
            ["pdf-generator ok", "pdf-mailer error", "pdf-mailer ok"]
        );
        assert_eq!(flows["INV-2"], ["invoice-api 202", "pdf-generator ok"]);
        let text = describe(&reporter.summary());
        assert!(text.contains("INV-1"), "{text}");
        assert!(
            text.contains("pdf-generator ok → pdf-mailer error → pdf-mailer ok"),
            "{text}"
        );
    }

    #[test]
    fn a_batch_shows_five_subjects_and_follows_them_all() {
        let reporter = Reporter::new(true);
        let ids: Vec<String> = (0..10).map(|n| format!("INV-{n}")).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let batch = invoked("sqs", "pdf-generator", "ok", &ids);
        assert!(
            describe(&batch).ends_with("[INV-0, INV-1, INV-2, INV-3, INV-4, …]"),
            "{}",
            describe(&batch)
        );
        reporter.report(batch);
        let Progress::Summary { flows, .. } = reporter.summary() else {
            panic!("a summary");
        };
        assert_eq!(flows.len(), 10, "every record's subject has a path");
        assert_eq!(flows["INV-9"], ["pdf-generator ok"]);
    }

    #[test]
    fn not_emulated_resources_are_grouped_by_type_and_properties_counted() {
        let reporter = Reporter::new(false);
        for (resource_type, id) in [
            ("AWS::IAM::Role", "ApiRole"),
            ("AWS::IAM::Role", "GeneratorRole"),
            ("AWS::S3::Bucket.LifecycleConfiguration", "Documents"),
        ] {
            if let Ok(mut pending) = reporter.not_emulated.lock() {
                pending.push((resource_type.into(), id.into(), "no IAM locally".into()));
            }
        }
        let text = reporter.grouped_not_emulated();
        assert!(
            text.contains("not emulated: AWS::IAM::Role ApiRole, GeneratorRole (no IAM locally)"),
            "{text}"
        );
        assert!(
            text.contains("1 resource properties change nothing locally"),
            "{text}"
        );
        assert!(reporter.grouped_not_emulated().is_empty(), "printed once");
    }
}
