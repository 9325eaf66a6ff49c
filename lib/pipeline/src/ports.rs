//! The ports: what the pipeline needs from the outside world, in the pipeline's own words.
//!
//! - [`DocumentStore`]: where documents and records are kept (S3);
//! - [`EventPublisher`]: where events are announced (SNS);
//! - [`Mailer`]: where e-mail goes out (SES v2);
//! - [`Clock`]: what time it is (the system's clock);
//! - [`ThemeSource`]: where themes are read from, only when they changed (S3).
//!
//! Adapters implement these traits (S3, SNS and SES in `paperflow-aws`); tests may too. Every
//! method that calls out says whether its failure is worth retrying, because that decides
//! whether a message is redelivered or rejected.

use paperflow_events::CloudEvent;
use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;
use time::OffsetDateTime;

/// A call to an outside service failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DependencyError {
    /// Which service: "s3", "sns", …
    pub service: &'static str,
    /// Whether the same call may succeed later (throttling, 5xx, timeouts, network).
    pub retryable: bool,
    /// What happened, in plain words.
    pub message: String,
}

impl std::fmt::Display for DependencyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = if self.retryable {
            "transient"
        } else {
            "permanent"
        };
        write!(f, "{} ({kind}): {}", self.service, self.message)
    }
}

impl std::error::Error for DependencyError {}

/// An object to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewObject {
    /// Where: the storage key.
    pub key: String,
    /// What: the bytes.
    pub body: Vec<u8>,
    /// The media type, e.g. `application/pdf`.
    pub content_type: String,
    /// User metadata stored with the object (lower-case names).
    pub metadata: BTreeMap<String, String>,
}

impl NewObject {
    /// `value` as a JSON document under `key` (`application/json`, no metadata): the shape of
    /// every record the pipeline keeps beside the PDFs.
    ///
    /// # Errors
    ///
    /// `value` could not be serialised.
    pub fn json<T: serde::Serialize + ?Sized>(
        key: impl Into<String>,
        value: &T,
    ) -> Result<NewObject, serde_json::Error> {
        Ok(NewObject {
            key: key.into(),
            body: serde_json::to_vec(value)?,
            content_type: "application/json".to_owned(),
            metadata: BTreeMap::new(),
        })
    }
}

/// What a stored object says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// Its size in bytes.
    pub size: u64,
    /// The store's version tag, used for compare-and-swap.
    pub etag: String,
    /// The user metadata it was stored with.
    pub metadata: BTreeMap<String, String>,
}

/// The result of storing an object that must not exist yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PutOutcome {
    /// It was stored.
    Created,
    /// Something was already stored under that key; nothing was changed.
    AlreadyExists,
}

/// The result of a conditional replacement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SwapOutcome {
    /// The object was written.
    Swapped,
    /// Somebody else changed the object first; nothing was written.
    Conflict,
}

/// Where documents and pointers are kept: S3 in production.
pub trait DocumentStore: Send + Sync {
    /// The bucket (or equivalent) this store writes to, as named in notices.
    fn bucket(&self) -> &str;

    /// Stores `object` only if nothing is stored under its key yet (S3 `If-None-Match: *`).
    fn put_new(
        &self,
        object: NewObject,
    ) -> impl Future<Output = Result<PutOutcome, DependencyError>> + Send;

    /// What is stored under `key`, without its body; `None` when nothing is.
    fn head(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<Option<ObjectInfo>, DependencyError>> + Send;

    /// The body and the version tag of what is stored under `key`; `None` when nothing is.
    fn get(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<Option<(Vec<u8>, String)>, DependencyError>> + Send;

    /// Writes `object` only if the stored version is still `expected` (S3 `If-Match`), or, with
    /// `expected` of `None`, only if nothing is stored yet.
    fn put_if_match(
        &self,
        object: NewObject,
        expected: Option<&str>,
    ) -> impl Future<Output = Result<SwapOutcome, DependencyError>> + Send;

    /// The keys stored under `prefix`, in the store's (lexicographic) order. Meant for small
    /// prefixes such as one invoice's folder; it reads every page of the listing.
    fn list(
        &self,
        prefix: &str,
    ) -> impl Future<Output = Result<Vec<String>, DependencyError>> + Send;

    /// A URL that lets its holder download `key` for `expires_in`.
    fn presign_get(
        &self,
        key: &str,
        expires_in: Duration,
    ) -> impl Future<Output = Result<String, DependencyError>> + Send;
}

/// What a read that names the version already held found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConditionalRead {
    /// The stored object is still the version named (S3 `304 Not Modified`): nothing was sent.
    Unchanged,
    /// The stored object, which is not (or no longer) the version named.
    Changed {
        /// Its bytes.
        body: Vec<u8>,
        /// Its version tag, to name on the next read.
        etag: String,
    },
    /// Nothing is stored under the key.
    Missing,
}

/// Where themes are read from: `themes/{name}/` in the documents bucket in production. Each
/// file is read whole once, then only asked whether it changed.
pub trait ThemeSource: Send + Sync {
    /// The object under `key`, unless its version tag is still `known_etag` (S3
    /// `If-None-Match`); with `None`, the object whatever its version.
    fn get_if_changed(
        &self,
        key: &str,
        known_etag: Option<&str>,
    ) -> impl Future<Output = Result<ConditionalRead, DependencyError>> + Send;
}

/// Where events are announced: an SNS topic in production.
pub trait EventPublisher: Send + Sync {
    /// Publishes `event` (its JSON as the body; type, subject and correlation id as attributes).
    fn publish(
        &self,
        event: &CloudEvent,
    ) -> impl Future<Output = Result<(), DependencyError>> + Send;
}

/// An e-mail ready to hand to the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// The sender, as configured (`MAIL_FROM`): `billing@example.com` or
    /// `Billing <billing@example.com>`.
    pub from: String,
    /// The one recipient.
    pub to: String,
    /// The whole MIME message (RFC 5322), headers and parts.
    pub raw: Vec<u8>,
}

/// Why the provider did not confirm a send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The provider answered with a refusal: nothing was sent.
    NotSent(DependencyError),
    /// No usable answer (timeout, lost connection, a server error): the message may have gone
    /// out.
    Unknown(DependencyError),
}

impl SendError {
    /// The underlying dependency error.
    pub fn dependency(&self) -> &DependencyError {
        match self {
            SendError::NotSent(error) | SendError::Unknown(error) => error,
        }
    }
}

/// Where e-mail goes out: SES v2 in production.
pub trait Mailer: Send + Sync {
    /// Sends `mail` and answers the provider's message id.
    fn send(&self, mail: &OutgoingMail) -> impl Future<Output = Result<String, SendError>> + Send;
}

/// What time it is. Services that decide by the time (when a mail claim expires) read it from
/// here, so that a test can move time on instead of waiting for it.
pub trait Clock: Send + Sync {
    /// Now, in UTC.
    fn now(&self) -> OffsetDateTime;
}

/// The system's clock: what production reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}
