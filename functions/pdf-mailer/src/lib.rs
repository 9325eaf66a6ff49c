//! pdf-mailer: a Lambda function triggered by the document-events SNS topic.
//!
//! Each record carries a notice; an `invoice.pdf.ready.v1` with a buyer e-mail address becomes
//! one e-mail with the PDF (through SES v2) and an `invoice.emailed.v1`, once per notice, as
//! `paperflow_pipeline::mail` describes. This crate only wires that to Lambda, and `main.rs`
//! only builds the clients.
//!
//! What the invocation answers follows the failure policy of an asynchronous invocation:
//! - done, already done, nothing to send (no buyer e-mail) or not a ready notice: `Ok`;
//! - a notice that can never be mailed (not JSON, an unknown major version, an implausible
//!   address): logged with its reason, counted, and `Ok`, because retrying cannot help;
//! - anything that may pass (S3, SES or SNS failing, another attempt holding the claim):
//!   `Err`, so that Lambda invokes again, and after its retries hands the event to the
//!   function's on-failure destination;
//! - a misconfiguration (an unverified sender, access denied, a missing bucket or topic):
//!   `Err` as well, and a `Misconfigurations` metric, whose alarm calls an operator at once.
//!   An asynchronous invocation's retries are Lambda's (`MaximumRetryAttempts` of the function,
//!   not of one event): a function cannot skip them for one event, and acknowledging the event
//!   instead would lose it, so the two retries run and fail the same way (about three minutes)
//!   before the event lands in mailer-failures, to be redriven after the fix.

use aws_lambda_events::event::sns::SnsEvent;
use paperflow_lambda::metrics::{Unit, emit, emit_with};
use paperflow_pipeline::Mailer;
use paperflow_pipeline::mail::{Mailed, PdfMailer};
use paperflow_pipeline::{DocumentStore, EventPublisher, RecordFailure};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const FUNCTION: &str = "pdf-mailer";

/// What a claim adds to the invocation's remaining time: clock differences between hosts, and
/// the time from the deadline until Lambda has really stopped the attempt. Short enough that
/// a claim left by a crash has expired by the time Lambda retries an asynchronous invocation
/// (about a minute later) when the function's timeout is 30 s, as deployed.
pub const CLAIM_MARGIN: Duration = Duration::from_secs(30);

/// How long a claim made now must hold: until this invocation's `deadline` (milliseconds since
/// the Unix epoch, as Lambda's context gives it) plus [`CLAIM_MARGIN`]. An attempt cannot run
/// past its deadline, so a claim that has expired belongs to an attempt that is over.
pub fn claim_ttl(deadline_ms: u64, now: SystemTime) -> Duration {
    let now_ms = now
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis())
        .unwrap_or_default();
    let remaining = u128::from(deadline_ms).saturating_sub(now_ms);
    Duration::from_millis(u64::try_from(remaining).unwrap_or(u64::MAX)) + CLAIM_MARGIN
}

/// The Lambda handler: every record of the SNS event (SNS sends one per invocation) is mailed
/// with claims that hold for `claim_ttl`.
///
/// # Errors
///
/// The first failure that is not permanent (transient or a misconfiguration), after every
/// record was tried.
pub async fn handle<S, P, M>(
    mailer: &PdfMailer<S, P, M>,
    event: SnsEvent,
    claim_ttl: Duration,
) -> Result<(), lambda_runtime::Error>
where
    S: DocumentStore,
    P: EventPublisher,
    M: Mailer,
{
    let mut retry: Option<RecordFailure> = None;
    for record in event.records {
        let message_id = record.sns.message_id.as_str();
        match mailer.mail(&record.sns.message, claim_ttl).await {
            Ok(mailed) => report(&mailed, message_id),
            Err(failure) if !failure.is_permanent() => {
                tracing::error!(
                    sns_message_id = message_id,
                    code = %failure.code,
                    message = %failure.message,
                    misconfigured = failure.is_misconfigured(),
                    "not mailed yet: the invocation fails so that Lambda retries it"
                );
                if failure.is_misconfigured() {
                    emit_with(
                        FUNCTION,
                        &[
                            ("retried", 1.0, Unit::Count),
                            ("Misconfigurations", 1.0, Unit::Count),
                        ],
                        &[("code", failure.code.as_str())],
                    );
                } else {
                    emit(FUNCTION, &[("retried", 1.0, Unit::Count)]);
                }
                retry.get_or_insert(failure);
            }
            Err(failure) => {
                tracing::error!(
                    sns_message_id = message_id,
                    code = %failure.code,
                    message = %failure.message,
                    invoice_id = failure.invoice_id.as_deref().unwrap_or(""),
                    "notice rejected: it can never be mailed, so it is not retried"
                );
                emit(FUNCTION, &[("rejected", 1.0, Unit::Count)]);
            }
        }
    }
    match retry {
        Some(failure) => Err(failure.into()),
        None => Ok(()),
    }
}

fn report(mailed: &Mailed, message_id: &str) {
    match mailed {
        Mailed::Sent {
            attached,
            claim_lost,
            ..
        } => emit(
            FUNCTION,
            &[
                ("sent", 1.0, Unit::Count),
                ("linked", f64::from(u8::from(!attached)), Unit::Count),
                ("claim_lost", f64::from(u8::from(*claim_lost)), Unit::Count),
            ],
        ),
        Mailed::AlreadySent { .. } => emit(FUNCTION, &[("duplicate", 1.0, Unit::Count)]),
        Mailed::NoRecipient {
            invoice_id,
            correlation_id,
        } => {
            tracing::info!(
                sns_message_id = message_id,
                invoice_id = invoice_id.as_str(),
                correlation_id = correlation_id.as_str(),
                "the invoice has no buyer e-mail address: nothing to send"
            );
            emit(FUNCTION, &[("no_recipient", 1.0, Unit::Count)]);
        }
        Mailed::Ignored { event_type } => {
            tracing::debug!(
                sns_message_id = message_id,
                event_type = event_type.as_str(),
                "not a ready notice: ignored"
            );
            emit(FUNCTION, &[("ignored", 1.0, Unit::Count)]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_outlives_the_invocation_by_the_margin() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000);
        assert_eq!(
            claim_ttl(1_000_000 + 30_000, now),
            Duration::from_secs(30) + CLAIM_MARGIN
        );
        // A deadline in the past (or none, 0) still gives the margin.
        assert_eq!(claim_ttl(0, now), CLAIM_MARGIN);
    }
}
