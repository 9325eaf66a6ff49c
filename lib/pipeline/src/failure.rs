//! How processing one message can fail, and what the failure policy does with it.
//!
//! A *transient* failure (a dependency that is down, throttling, a timeout) leaves the message
//! for redelivery: SQS tries again, and after its maxReceiveCount the message lands in the DLQ.
//! A *permanent* failure (not JSON, not an event, an unknown major version, an invalid invoice,
//! a conflicting revision) would fail the same way every time: it is announced as an
//! `invoice.pdf.failed.v1` notice carrying the reason and the input, and the message is
//! acknowledged. Either way nothing is lost.

use crate::ports::DependencyError;
use paperflow_events::DecodeError;

/// Whether trying again may help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Try again later: the message is left for redelivery.
    Transient,
    /// Trying again cannot help: the failure is announced and the message acknowledged.
    Permanent,
}

/// Why one message could not be processed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFailure {
    /// Transient or permanent.
    pub kind: FailureKind,
    /// A stable, machine-readable code: `invalid_invoice`, `revision_conflict`, `s3_unavailable`, …
    pub code: String,
    /// What went wrong, in plain words, naming the field and the rule where there is one.
    pub message: String,
    /// The invoice concerned, when it could be read.
    pub invoice_id: Option<String>,
    /// Its revision, when it could be read.
    pub revision: Option<u32>,
}

impl RecordFailure {
    /// A failure that trying again cannot fix.
    pub fn permanent(code: impl Into<String>, message: impl Into<String>) -> RecordFailure {
        RecordFailure {
            kind: FailureKind::Permanent,
            code: code.into(),
            message: message.into(),
            invoice_id: None,
            revision: None,
        }
    }

    /// A failure that may pass.
    pub fn transient(code: impl Into<String>, message: impl Into<String>) -> RecordFailure {
        RecordFailure {
            kind: FailureKind::Transient,
            ..RecordFailure::permanent(code, message)
        }
    }

    /// The same failure, about `invoice_id` at `revision`.
    pub fn about(mut self, invoice_id: &str, revision: u32) -> RecordFailure {
        self.invoice_id = Some(invoice_id.to_owned());
        self.revision = Some(revision);
        self
    }

    /// Whether the message should be left for redelivery.
    pub fn is_transient(&self) -> bool {
        self.kind == FailureKind::Transient
    }
}

impl std::fmt::Display for RecordFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for RecordFailure {}

impl From<DependencyError> for RecordFailure {
    fn from(error: DependencyError) -> RecordFailure {
        let code = format!("{}_unavailable", error.service);
        if error.retryable {
            RecordFailure::transient(code, error.to_string())
        } else {
            // A dependency that refuses for good (access denied, no such bucket) is a
            // deployment problem: redelivery cannot fix it, so the DLQ keeps the message
            // until an operator has fixed the deployment and redrives it.
            RecordFailure::transient(
                format!("{}_misconfigured", error.service),
                error.to_string(),
            )
        }
    }
}

impl From<DecodeError> for RecordFailure {
    fn from(error: DecodeError) -> RecordFailure {
        RecordFailure::permanent(error.code(), error.to_string())
    }
}
