//! The resources a function works with, read from its environment.

/// A resource a function needs is not configured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable} is not set: {meaning}")]
pub struct ConfigError {
    /// The environment variable that is missing or empty.
    pub variable: &'static str,
    /// What it should hold.
    pub meaning: &'static str,
}

/// The resource names from the environment (`DOCUMENTS_BUCKET`, `ARCHIVE_BUCKET`,
/// `INVOICE_EVENTS_TOPIC_ARN`, `DOCUMENT_EVENTS_TOPIC_ARN`, `MAIL_FROM`, `EINVOICE_FORMAT`,
/// `DEAD_LETTER_QUEUE_URL`).
///
/// Each is optional here, because each function needs only some of them; the accessors fail
/// with an error that names the variable when the one asked for is missing. An empty value
/// counts as missing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// `DOCUMENTS_BUCKET`: the bucket PDFs are stored in.
    pub documents_bucket: Option<String>,
    /// `ARCHIVE_BUCKET`: the bucket the event archive is written to.
    pub archive_bucket: Option<String>,
    /// `INVOICE_EVENTS_TOPIC_ARN`: the topic `invoice.finalized` is published to.
    pub invoice_events_topic_arn: Option<String>,
    /// `DOCUMENT_EVENTS_TOPIC_ARN`: the topic `invoice.pdf.ready` and `.failed` are published to.
    pub document_events_topic_arn: Option<String>,
    /// `MAIL_FROM`: the sender address of e-mailed invoices.
    pub mail_from: Option<String>,
    /// `EINVOICE_FORMAT`: the e-invoice of a document that names none (optional: `none`).
    pub einvoice_format: Option<String>,
    /// `DEAD_LETTER_QUEUE_URL`: the URL of the consumed queue's dead-letter queue.
    pub dead_letter_queue_url: Option<String>,
}

const DOCUMENTS_BUCKET: (&str, &str) = (
    "DOCUMENTS_BUCKET",
    "the name of the bucket PDFs are stored in",
);
const ARCHIVE_BUCKET: (&str, &str) = (
    "ARCHIVE_BUCKET",
    "the name of the bucket the event archive is written to",
);
const INVOICE_EVENTS_TOPIC_ARN: (&str, &str) = (
    "INVOICE_EVENTS_TOPIC_ARN",
    "the ARN of the SNS topic invoice.finalized events are published to",
);
const DOCUMENT_EVENTS_TOPIC_ARN: (&str, &str) = (
    "DOCUMENT_EVENTS_TOPIC_ARN",
    "the ARN of the SNS topic invoice.pdf.ready and invoice.pdf.failed events are published to",
);
const DEAD_LETTER_QUEUE_URL: (&str, &str) = (
    "DEAD_LETTER_QUEUE_URL",
    "the URL of the dead-letter queue of the queue the function consumes",
);
const MAIL_FROM: (&str, &str) = (
    "MAIL_FROM",
    "the verified sender address invoices are e-mailed from",
);
const EINVOICE_FORMAT: (&str, &str) = (
    "EINVOICE_FORMAT",
    "the e-invoice of a document that names none: none, factur-x, xrechnung or peppol",
);

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Config {
        Config::from_vars(|name| std::env::var(name).ok())
    }

    /// Reads the variables through `var` (the process environment in [`Config::from_env`], a
    /// map in tests, flags layered over the environment in the command-line tool).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Config {
        let read = |name: &str| {
            var(name)
                .map(|value| value.trim().to_owned())
                .filter(|value| !value.is_empty())
        };
        Config {
            documents_bucket: read(DOCUMENTS_BUCKET.0),
            archive_bucket: read(ARCHIVE_BUCKET.0),
            invoice_events_topic_arn: read(INVOICE_EVENTS_TOPIC_ARN.0),
            document_events_topic_arn: read(DOCUMENT_EVENTS_TOPIC_ARN.0),
            mail_from: read(MAIL_FROM.0),
            einvoice_format: read(EINVOICE_FORMAT.0),
            dead_letter_queue_url: read(DEAD_LETTER_QUEUE_URL.0),
        }
    }

    /// `DOCUMENTS_BUCKET`, or an error naming it.
    pub fn documents_bucket(&self) -> Result<&str, ConfigError> {
        require(&self.documents_bucket, DOCUMENTS_BUCKET)
    }

    /// `ARCHIVE_BUCKET`, or an error naming it.
    pub fn archive_bucket(&self) -> Result<&str, ConfigError> {
        require(&self.archive_bucket, ARCHIVE_BUCKET)
    }

    /// `INVOICE_EVENTS_TOPIC_ARN`, or an error naming it.
    pub fn invoice_events_topic_arn(&self) -> Result<&str, ConfigError> {
        require(&self.invoice_events_topic_arn, INVOICE_EVENTS_TOPIC_ARN)
    }

    /// `DOCUMENT_EVENTS_TOPIC_ARN`, or an error naming it.
    pub fn document_events_topic_arn(&self) -> Result<&str, ConfigError> {
        require(&self.document_events_topic_arn, DOCUMENT_EVENTS_TOPIC_ARN)
    }

    /// `DEAD_LETTER_QUEUE_URL`, or an error naming it.
    pub fn dead_letter_queue_url(&self) -> Result<&str, ConfigError> {
        require(&self.dead_letter_queue_url, DEAD_LETTER_QUEUE_URL)
    }

    /// `MAIL_FROM`, or an error naming it.
    pub fn mail_from(&self) -> Result<&str, ConfigError> {
        require(&self.mail_from, MAIL_FROM)
    }

    /// `EINVOICE_FORMAT` as set (its meaning is the pdf-generator's to check), or `None` when
    /// unset: the deployment makes no e-invoice of its own accord.
    pub fn einvoice_format(&self) -> Option<&str> {
        self.einvoice_format.as_deref()
    }
}

fn require<'a>(
    value: &'a Option<String>,
    (variable, meaning): (&'static str, &'static str),
) -> Result<&'a str, ConfigError> {
    value.as_deref().ok_or(ConfigError { variable, meaning })
}
