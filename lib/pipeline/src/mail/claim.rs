//! The mail claim: the send record `mail/{notice id}.json` that lets one attempt at a time
//! send a notice's e-mail and remembers that it went out (steps 1, 3, 4 and 5 of the protocol
//! in [`super`]).
//!
//! Every write here is conditional, and none is retried: a lost race means another attempt is
//! sending or has sent, which is for Lambda's retry to find out, never for this one to
//! overwrite.

use crate::failure::RecordFailure;
use crate::ports::{DocumentStore, SwapOutcome};
use crate::store::mail_claim_key;
use crate::store::records::{Records, StoreError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The state of a send record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailState {
    /// An attempt is sending, until `claimed_until`.
    Claimed,
    /// An attempt gave up without sending; the next one may claim at once.
    Released,
    /// The e-mail went out.
    Sent,
}

/// The send record of one notice, `mail/{notice id}.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailRecord {
    /// The ready notice this record is about.
    pub notice_id: String,
    /// The invoice.
    pub invoice_id: String,
    /// Its revision.
    pub revision: u32,
    /// Where the e-mail goes.
    pub recipient: String,
    /// Claimed, released or sent.
    pub state: MailState,
    /// Which attempt wrote the record: 1 for the first claim, +1 per takeover.
    pub attempt: u32,
    /// Unique per claim, so that an attempt can tell its own claim from a successor's.
    pub token: String,
    /// Until when the claim holds (RFC 3339).
    pub claimed_until: String,
    /// The provider's message id, once sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// When the provider accepted the message (RFC 3339), once sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<String>,
    /// Whether the PDF was attached (otherwise linked), once sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attached: Option<bool>,
}

/// What the send record says before an attempt prepares its message.
#[derive(Debug)]
pub(super) enum Found {
    /// Nobody holds it: claim it as `attempt`, over the version `expected` (`None`: there is
    /// no record yet).
    Free {
        /// The version the claim must replace.
        expected: Option<String>,
        /// The number of the attempt that claims.
        attempt: u32,
    },
    /// The e-mail went out before.
    Sent(MailRecord),
    /// Another attempt's claim still holds.
    Held(MailRecord),
}

/// The send record of one notice.
pub(super) struct Claim<'a, S> {
    records: Records<'a, S>,
    key: String,
}

impl<'a, S: DocumentStore> Claim<'a, S> {
    /// The send record of `notice_id` in `store`.
    pub(super) fn of(store: &'a S, notice_id: &str) -> Claim<'a, S> {
        Claim {
            records: Records::new(store),
            key: mail_claim_key(notice_id),
        }
    }

    /// Step 1: what the record says at `now`.
    pub(super) async fn find(&self, now: OffsetDateTime) -> Result<Found, RecordFailure> {
        let Some(stored) = self
            .records
            .read::<MailRecord>(&self.key)
            .await
            .map_err(failure)?
        else {
            return Ok(Found::Free {
                expected: None,
                attempt: 1,
            });
        };
        let record = stored.record;
        Ok(match record.state {
            MailState::Sent => Found::Sent(record),
            MailState::Claimed if !expired(&record.claimed_until, now) => Found::Held(record),
            MailState::Claimed | MailState::Released => Found::Free {
                expected: Some(stored.version),
                attempt: record.attempt + 1,
            },
        })
    }

    /// Step 3: writes `claim` over the version `expected`, reads it back and answers the
    /// version of the claim, the one that marking it sent or released must name.
    ///
    /// # Errors
    ///
    /// Transient `mail_in_progress` when another attempt claimed first, and
    /// `mail_claim_lost` when the claim was taken over before it was read back.
    pub(super) async fn take(
        &self,
        claim: &MailRecord,
        expected: Option<&str>,
    ) -> Result<String, RecordFailure> {
        let key = &self.key;
        let written = self.records.replace(key, claim, expected).await;
        if written.map_err(failure)? == SwapOutcome::Conflict {
            return Err(RecordFailure::transient(
                "mail_in_progress",
                format!("another attempt claimed {key} first: retry later"),
            ));
        }
        match self
            .records
            .read::<MailRecord>(key)
            .await
            .map_err(failure)?
        {
            Some(stored) if stored.record.token == claim.token => Ok(stored.version),
            _ => Err(RecordFailure::transient(
                "mail_claim_lost",
                format!("the claim on {key} was taken over before sending: nothing was sent"),
            )),
        }
    }

    /// Step 4, when the provider refused: marks the claim `released` so that the retry need
    /// not wait for it to expire. Best effort: should the release fail, the claim expires.
    pub(super) async fn release(&self, claim: &MailRecord, version: &str) {
        let released = MailRecord {
            state: MailState::Released,
            ..claim.clone()
        };
        if let Err(release) = self
            .records
            .replace(&self.key, &released, Some(version))
            .await
        {
            tracing::warn!(%release, "the claim could not be released; it will expire");
        }
    }

    /// Step 5: writes `sent` over the claim's `version`. Answers whether the claim had been
    /// taken over meanwhile (it expired during the send: the remaining window).
    pub(super) async fn mark_sent(
        &self,
        sent: &MailRecord,
        version: &str,
    ) -> Result<bool, RecordFailure> {
        let written = self.records.replace(&self.key, sent, Some(version)).await;
        let lost = written.map_err(failure)? == SwapOutcome::Conflict;
        if lost {
            tracing::error!(
                "the claim on {} expired while sending and was taken over: the buyer may get \
                 this e-mail twice; make the claim outlive the function's timeout",
                self.key
            );
        }
        Ok(lost)
    }
}

/// Only the mailer writes these records: an unreadable one needs an operator, and failing
/// (transiently) keeps the notice until one has looked.
fn failure(error: StoreError) -> RecordFailure {
    error.failure("mail_record")
}

/// Whether a claim until `until` is over at `now`. An unreadable time counts as over: a
/// record nobody can interpret must not block the notice forever.
fn expired(until: &str, now: OffsetDateTime) -> bool {
    OffsetDateTime::parse(until, &Rfc3339).map_or(true, |until| until <= now)
}
