//! Configuration from the environment, without touching the process environment.

use std::collections::HashMap;

use paperflow_aws::{Config, ConfigError};

fn config(vars: &[(&str, &str)]) -> Config {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    Config::from_vars(|name| vars.get(name).cloned())
}

#[test]
fn every_variable_is_read() {
    let config = config(&[
        ("DOCUMENTS_BUCKET", "paperflow-documents"),
        ("ARCHIVE_BUCKET", "paperflow-archive"),
        (
            "INVOICE_EVENTS_TOPIC_ARN",
            "arn:aws:sns:us-east-1:123456789012:invoice-events",
        ),
        (
            "DOCUMENT_EVENTS_TOPIC_ARN",
            "arn:aws:sns:us-east-1:123456789012:document-events",
        ),
        ("MAIL_FROM", "invoices@northwind.example"),
        ("EINVOICE_FORMAT", "xrechnung"),
        (
            "DEAD_LETTER_QUEUE_URL",
            "https://sqs.us-east-1.amazonaws.com/123456789012/pdf-requests-dlq",
        ),
    ]);
    assert_eq!(config.documents_bucket(), Ok("paperflow-documents"));
    assert_eq!(config.archive_bucket(), Ok("paperflow-archive"));
    assert_eq!(
        config.invoice_events_topic_arn(),
        Ok("arn:aws:sns:us-east-1:123456789012:invoice-events")
    );
    assert_eq!(
        config.document_events_topic_arn(),
        Ok("arn:aws:sns:us-east-1:123456789012:document-events")
    );
    assert_eq!(config.mail_from(), Ok("invoices@northwind.example"));
    assert_eq!(config.einvoice_format(), Some("xrechnung"));
    assert_eq!(
        config.dead_letter_queue_url(),
        Ok("https://sqs.us-east-1.amazonaws.com/123456789012/pdf-requests-dlq")
    );
}

#[test]
fn a_missing_variable_is_named_in_the_error() {
    let config = config(&[("ARCHIVE_BUCKET", "paperflow-archive")]);
    let error = config
        .documents_bucket()
        .expect_err("DOCUMENTS_BUCKET is missing");
    assert_eq!(error.variable, "DOCUMENTS_BUCKET");
    assert_eq!(
        error.to_string(),
        "DOCUMENTS_BUCKET is not set: the name of the bucket PDFs are stored in"
    );
    for (result, variable) in [
        (
            config.invoice_events_topic_arn(),
            "INVOICE_EVENTS_TOPIC_ARN",
        ),
        (
            config.document_events_topic_arn(),
            "DOCUMENT_EVENTS_TOPIC_ARN",
        ),
        (config.mail_from(), "MAIL_FROM"),
    ] {
        let error: ConfigError = result.expect_err("missing");
        assert!(
            error
                .to_string()
                .starts_with(&format!("{variable} is not set: ")),
            "{error}"
        );
    }
    assert_eq!(config.archive_bucket(), Ok("paperflow-archive"));
}

#[test]
fn an_empty_variable_counts_as_missing() {
    let config = config(&[("DOCUMENTS_BUCKET", "  "), ("MAIL_FROM", "")]);
    assert_eq!(
        config.documents_bucket().map_err(|error| error.variable),
        Err("DOCUMENTS_BUCKET")
    );
    assert_eq!(
        config.mail_from().map_err(|error| error.variable),
        Err("MAIL_FROM")
    );
}
