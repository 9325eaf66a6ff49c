//! CloudWatch metrics as Embedded Metric Format (EMF) log lines.
//!
//! A Lambda function's standard output goes to CloudWatch Logs, which turns a JSON line with an
//! `_aws` member into metrics, with no API call and no latency. One line per processed record
//! carries all its figures. Written here rather than through a metrics crate: the format is
//! a dozen lines of JSON, and a global recorder would add a dependency and hidden state to
//! every cold start for no gain.

use serde_json::{Value, json};

/// The CloudWatch namespace of every paperflow metric.
pub const NAMESPACE: &str = "paperflow";

/// The unit of a figure, as CloudWatch names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A count of things.
    Count,
    /// Milliseconds.
    Milliseconds,
    /// Bytes.
    Bytes,
}

impl Unit {
    fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "Count",
            Unit::Milliseconds => "Milliseconds",
            Unit::Bytes => "Bytes",
        }
    }
}

/// One EMF line: the figures of one event, dimensioned by the function's name, with
/// `properties`: text that is searchable in the log line (CloudWatch Logs Insights) but no
/// dimension, so that it adds no metric of its own (a failure's code).
pub fn emf_line(
    function: &str,
    timestamp_ms: u128,
    figures: &[(&str, f64, Unit)],
    properties: &[(&str, &str)],
) -> String {
    let definitions: Vec<Value> = figures
        .iter()
        .map(|(name, _, unit)| json!({ "Name": name, "Unit": unit.as_str() }))
        .collect();
    let mut line = json!({
        "_aws": {
            "Timestamp": timestamp_ms as u64,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["function"]],
                "Metrics": definitions,
            }],
        },
        "function": function,
    });
    for (name, value) in properties {
        line[*name] = json!(value);
    }
    for (name, value, _) in figures {
        line[*name] = json!(value);
    }
    line.to_string()
}

/// Prints the figures of one event as an EMF line on standard output.
pub fn emit(function: &str, figures: &[(&str, f64, Unit)]) {
    emit_with(function, figures, &[]);
}

/// Prints the figures of one event, and `properties` beside them, as an EMF line on standard
/// output.
pub fn emit_with(function: &str, figures: &[(&str, f64, Unit)], properties: &[(&str, &str)]) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis())
        .unwrap_or_default();
    println!("{}", emf_line(function, now, figures, properties));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_emf_line_declares_every_figure_and_carries_its_value() {
        let line = emf_line(
            "pdf-generator",
            1_764_165_941_000,
            &[
                ("rendered", 1.0, Unit::Count),
                ("render_ms", 1.5, Unit::Milliseconds),
            ],
            &[("code", "s3_misconfigured")],
        );
        let value: Value = serde_json::from_str(&line).expect("JSON");
        let definition = &value["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(definition["Namespace"], "paperflow");
        assert_eq!(definition["Dimensions"], json!([["function"]]));
        assert_eq!(
            definition["Metrics"][1],
            json!({ "Name": "render_ms", "Unit": "Milliseconds" })
        );
        assert_eq!(value["function"], "pdf-generator");
        assert_eq!(value["rendered"], 1.0);
        assert_eq!(value["render_ms"], 1.5);
        assert_eq!(
            value["code"], "s3_misconfigured",
            "a property, not a metric"
        );
        assert_eq!(definition["Metrics"].as_array().map(Vec::len), Some(2));
        assert_eq!(value["_aws"]["Timestamp"], 1_764_165_941_000_u64);
    }
}
