//! Typed JSON records in a [`DocumentStore`]: created once, read with their version, replaced
//! only over the version that was read, and updated by one bounded compare-and-swap loop.
//!
//! Every record the pipeline keeps beside the PDFs goes through here: the latest pointer,
//! submission and failure records, idempotency records, the mail claims and the archive's
//! lines. Each of those modules decides *what* to write; this one does the writing the same way
//! for all of them, with one error type, [`StoreError`]. Nothing here is written without a
//! condition: `If-None-Match: *` for a record that must not exist yet, `If-Match` on the
//! version that was read for one that does.

use crate::failure::RecordFailure;
use crate::ports::{DependencyError, DocumentStore, NewObject, PutOutcome, SwapOutcome};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;

/// Why a record could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The store failed.
    Unavailable(DependencyError),
    /// What is stored under `key` is not a record this version can read.
    Unreadable {
        /// The record's key.
        key: String,
        /// What is wrong with it (serde's sentence).
        reason: String,
    },
    /// The record could not be serialised: a bug.
    Unwritable {
        /// The record's key.
        key: String,
        /// serde's sentence.
        reason: String,
    },
    /// Other writers kept changing the record during every attempt of an update.
    Contended {
        /// The record's key.
        key: String,
        /// How many attempts were made.
        attempts: usize,
    },
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Unavailable(error) => write!(f, "{error}"),
            StoreError::Unreadable { key, reason } => {
                write!(f, "{key} is not a record this version can read: {reason}")
            }
            StoreError::Unwritable { key, reason } => write!(f, "serialising {key}: {reason}"),
            StoreError::Contended { key, attempts } => {
                write!(f, "{key} kept changing during {attempts} attempts")
            }
        }
    }
}

impl std::error::Error for StoreError {}

impl From<DependencyError> for StoreError {
    fn from(error: DependencyError) -> StoreError {
        StoreError::Unavailable(error)
    }
}

impl From<StoreError> for DependencyError {
    /// For callers that speak of dependencies only (the API's status and submissions): an
    /// unreadable record needs a person (not retryable), a contended one may pass.
    fn from(error: StoreError) -> DependencyError {
        let retryable = match &error {
            StoreError::Unavailable(error) => return error.clone(),
            StoreError::Contended { .. } => true,
            StoreError::Unreadable { .. } | StoreError::Unwritable { .. } => false,
        };
        DependencyError {
            service: "store",
            retryable,
            message: error.to_string(),
        }
    }
}

impl StoreError {
    /// The failure of a message this error stopped, with codes named after `record`:
    /// `{record}_unreadable` and `{record}_contended` are transient (an unreadable record needs
    /// an operator, and failing keeps the message until one has looked), a record that cannot
    /// be serialised is a permanent `internal` failure, and a failing store fails as its
    /// [`DependencyError`] does.
    pub fn failure(self, record: &str) -> RecordFailure {
        match self {
            StoreError::Unavailable(error) => RecordFailure::from(error),
            StoreError::Unreadable { .. } => {
                RecordFailure::transient(format!("{record}_unreadable"), self.to_string())
            }
            StoreError::Unwritable { .. } => RecordFailure::permanent("internal", self.to_string()),
            StoreError::Contended { .. } => {
                RecordFailure::transient(format!("{record}_contended"), self.to_string())
            }
        }
    }
}

impl From<StoreError> for RecordFailure {
    fn from(error: StoreError) -> RecordFailure {
        error.failure("record")
    }
}

/// A record as it was read, with the store's version tag of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned<T> {
    /// The record.
    pub record: T,
    /// The version tag a conditional replacement must name.
    pub version: String,
}

/// What an update decided, given the record as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision<T, R> {
    /// Write this record over the one that was read (or create it), then answer `R`.
    Write(T, R),
    /// Leave the record as it is and answer `R`.
    Keep(R),
}

/// Whether an update may write over a record it cannot read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unreadable {
    Fail,
    Replace,
}

/// The typed records of one store.
#[derive(Debug, Clone, Copy)]
pub struct Records<'a, S> {
    store: &'a S,
}

impl<'a, S: DocumentStore> Records<'a, S> {
    /// The records kept in `store`.
    pub fn new(store: &'a S) -> Records<'a, S> {
        Records { store }
    }

    /// Stores `record` as JSON under `key` only if nothing is stored there yet.
    ///
    /// # Errors
    ///
    /// The store failed, or the record could not be serialised.
    pub async fn create<T: Serialize + Sync>(
        &self,
        key: &str,
        record: &T,
    ) -> Result<PutOutcome, StoreError> {
        Ok(self.store.put_new(json_object(key, record)?).await?)
    }

    /// Stores `records` as JSON lines (`application/x-ndjson`, each line newline-terminated)
    /// under `key`, only if nothing is stored there yet: the archive's shape.
    ///
    /// # Errors
    ///
    /// The store failed, or a record could not be serialised.
    pub async fn create_lines<T: Serialize + Sync>(
        &self,
        key: &str,
        records: &[T],
    ) -> Result<PutOutcome, StoreError> {
        let mut body = Vec::new();
        for record in records {
            body.extend(json_object(key, record)?.body);
            body.push(b'\n');
        }
        let object = NewObject {
            key: key.to_owned(),
            body,
            content_type: "application/x-ndjson".to_owned(),
            metadata: BTreeMap::new(),
        };
        Ok(self.store.put_new(object).await?)
    }

    /// The record under `key` and its version; `None` when nothing is stored there.
    ///
    /// # Errors
    ///
    /// The store failed, or what is stored is not a `T` ([`StoreError::Unreadable`]).
    pub async fn read<T: DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<Versioned<T>>, StoreError> {
        let Some((body, version)) = self.store.get(key).await? else {
            return Ok(None);
        };
        Ok(Some(Versioned {
            record: parse(key, &body)?,
            version,
        }))
    }

    /// Writes `record` under `key` only if the stored version is still `expected`, or, with
    /// `expected` of `None`, only if nothing is stored yet. One attempt: a
    /// [`SwapOutcome::Conflict`] is the caller's to interpret (the mail claim reads it as
    /// "another attempt got there first").
    ///
    /// # Errors
    ///
    /// The store failed, or the record could not be serialised.
    pub async fn replace<T: Serialize + Sync>(
        &self,
        key: &str,
        record: &T,
        expected: Option<&str>,
    ) -> Result<SwapOutcome, StoreError> {
        Ok(self
            .store
            .put_if_match(json_object(key, record)?, expected)
            .await?)
    }

    /// The one compare-and-swap loop: reads the record under `key` (`None` when there is
    /// none), lets `decide` choose, and writes its choice only over the version it read; when
    /// another writer changed the record in between, reads and decides again, at most
    /// `attempts` times. `decide` holds the caller's rule and nothing else, so it must be
    /// ready to be asked more than once.
    ///
    /// # Errors
    ///
    /// The store failed, the stored record is not a `T`, the new one could not be serialised,
    /// or every attempt lost its race ([`StoreError::Contended`]).
    pub async fn update<T, R, F>(
        &self,
        key: &str,
        attempts: usize,
        decide: F,
    ) -> Result<R, StoreError>
    where
        T: Serialize + DeserializeOwned + Send + Sync,
        F: FnMut(Option<T>) -> Decision<T, R> + Send,
    {
        self.update_with(key, attempts, Unreadable::Fail, decide)
            .await
    }

    /// [`Records::update`] for a record that is only a cache of facts kept elsewhere (the
    /// latest pointer): one this version cannot read is decided on as if there were none, and
    /// written over.
    ///
    /// # Errors
    ///
    /// As [`Records::update`], except that an unreadable record is no error.
    pub async fn update_replacing_unreadable<T, R, F>(
        &self,
        key: &str,
        attempts: usize,
        decide: F,
    ) -> Result<R, StoreError>
    where
        T: Serialize + DeserializeOwned + Send + Sync,
        F: FnMut(Option<T>) -> Decision<T, R> + Send,
    {
        self.update_with(key, attempts, Unreadable::Replace, decide)
            .await
    }

    async fn update_with<T, R, F>(
        &self,
        key: &str,
        attempts: usize,
        unreadable: Unreadable,
        mut decide: F,
    ) -> Result<R, StoreError>
    where
        T: Serialize + DeserializeOwned + Send + Sync,
        F: FnMut(Option<T>) -> Decision<T, R> + Send,
    {
        for _ in 0..attempts {
            let (current, expected) = match self.store.get(key).await? {
                None => (None, None),
                Some((body, version)) => match (parse::<T>(key, &body), unreadable) {
                    (Ok(record), _) => (Some(record), Some(version)),
                    (Err(_), Unreadable::Replace) => (None, Some(version)),
                    (Err(error), Unreadable::Fail) => return Err(error),
                },
            };
            let (record, answer) = match decide(current) {
                Decision::Keep(answer) => return Ok(answer),
                Decision::Write(record, answer) => (record, answer),
            };
            match self.replace(key, &record, expected.as_deref()).await? {
                SwapOutcome::Swapped => return Ok(answer),
                SwapOutcome::Conflict => continue,
            }
        }
        Err(StoreError::Contended {
            key: key.to_owned(),
            attempts,
        })
    }
}

/// `record` as a JSON object under `key` (`application/json`, no metadata).
fn json_object<T: Serialize + ?Sized>(key: &str, record: &T) -> Result<NewObject, StoreError> {
    NewObject::json(key, record).map_err(|error| StoreError::Unwritable {
        key: key.to_owned(),
        reason: error.to_string(),
    })
}

fn parse<T: DeserializeOwned>(key: &str, body: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(body).map_err(|error| StoreError::Unreadable {
        key: key.to_owned(),
        reason: error.to_string(),
    })
}

#[cfg(test)]
mod tests {
    //! The loop's rules against the store in memory, with a second writer that changes the
    //! record between the read and the write, as a concurrent request would.

    use super::*;
    use crate::memory::MemoryStore;
    use serde::Deserialize;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    struct Counter {
        value: u32,
    }

    const KEY: &str = "records/counter.json";

    async fn stored(store: &MemoryStore) -> Counter {
        serde_json::from_slice(&store.body(KEY).expect("stored")).expect("a counter")
    }

    #[tokio::test]
    async fn an_update_creates_then_changes_and_keeps_when_told_to() {
        let store = MemoryStore::new();
        let records = Records::new(&store);
        let raise_to = |value| {
            move |current: Option<Counter>| match current {
                Some(current) if current.value >= value => Decision::Keep(false),
                _ => Decision::Write(Counter { value }, true),
            }
        };
        assert!(records.update(KEY, 3, raise_to(2)).await.expect("created"));
        assert!(records.update(KEY, 3, raise_to(5)).await.expect("raised"));
        assert!(!records.update(KEY, 3, raise_to(4)).await.expect("kept"));
        assert_eq!(stored(&store).await, Counter { value: 5 });
    }

    #[tokio::test]
    async fn a_lost_race_is_decided_again_on_what_the_winner_wrote() {
        let store = MemoryStore::new();
        let records = Records::new(&store);
        let asked = AtomicUsize::new(0);
        let answer = records
            .update(KEY, 3, |current: Option<Counter>| {
                if asked.fetch_add(1, Ordering::SeqCst) == 0 {
                    // Another writer gets in between this read and its write.
                    store.overwrite(json_object(KEY, &Counter { value: 10 }).expect("JSON"));
                }
                let value = current.map_or(0, |current| current.value);
                Decision::Write(Counter { value: value + 1 }, value)
            })
            .await
            .expect("updated");
        assert_eq!(asked.load(Ordering::SeqCst), 2, "decided twice");
        assert_eq!(answer, 10, "the second decision saw the rival's record");
        assert_eq!(stored(&store).await, Counter { value: 11 });
    }

    #[tokio::test]
    async fn an_update_that_always_loses_gives_up_after_its_attempts() {
        let store = MemoryStore::new();
        let asked = AtomicUsize::new(0);
        let error = Records::new(&store)
            .update(KEY, 3, |_: Option<Counter>| {
                let value = u32::try_from(asked.fetch_add(1, Ordering::SeqCst)).unwrap_or(0);
                store.overwrite(json_object(KEY, &Counter { value }).expect("JSON"));
                Decision::Write(Counter { value: 99 }, ())
            })
            .await
            .expect_err("contended");
        assert_eq!(
            error,
            StoreError::Contended {
                key: KEY.into(),
                attempts: 3
            }
        );
        assert_eq!(asked.load(Ordering::SeqCst), 3);
        assert_eq!(error.failure("counter").code, "counter_contended");
        assert!(stored(&store).await.value < 99);
    }

    #[tokio::test]
    async fn an_unreadable_record_stops_an_update_unless_it_may_be_replaced() {
        let store = MemoryStore::new();
        store.overwrite(NewObject {
            key: KEY.into(),
            body: b"not json".to_vec(),
            content_type: "text/plain".into(),
            metadata: BTreeMap::new(),
        });
        let records = Records::new(&store);
        let set = |current: Option<Counter>| {
            assert_eq!(current, None);
            Decision::Write(Counter { value: 1 }, ())
        };
        let error = records.update(KEY, 3, set).await.expect_err("unreadable");
        assert!(matches!(error, StoreError::Unreadable { .. }), "{error}");
        let failure = error.failure("mail_record");
        assert_eq!(
            (failure.code.as_str(), failure.is_transient()),
            ("mail_record_unreadable", true)
        );
        let read = records.read::<Counter>(KEY).await.expect_err("unreadable");
        assert!(!DependencyError::from(read).retryable, "a person must look");
        records
            .update_replacing_unreadable(KEY, 3, set)
            .await
            .expect("replaced");
        assert_eq!(stored(&store).await, Counter { value: 1 });
    }

    #[tokio::test]
    async fn a_record_is_created_once_and_read_with_its_version() {
        let store = MemoryStore::new();
        let records = Records::new(&store);
        let first = Counter { value: 1 };
        assert_eq!(
            records.create(KEY, &first).await.expect("stored"),
            PutOutcome::Created
        );
        assert_eq!(
            records
                .create(KEY, &Counter { value: 2 })
                .await
                .expect("kept"),
            PutOutcome::AlreadyExists
        );
        let read = records
            .read::<Counter>(KEY)
            .await
            .expect("read")
            .expect("there");
        assert_eq!(read.record, first);
        let stale = "\"an old version\"";
        assert_eq!(
            records
                .replace(KEY, &Counter { value: 3 }, Some(stale))
                .await
                .expect("asked"),
            SwapOutcome::Conflict
        );
        assert_eq!(
            records
                .replace(KEY, &Counter { value: 3 }, Some(&read.version))
                .await
                .expect("asked"),
            SwapOutcome::Swapped
        );
        assert!(
            records
                .read::<Counter>("records/none.json")
                .await
                .expect("read")
                .is_none()
        );
        records
            .create_lines("records/lines.jsonl", &[&first, &Counter { value: 2 }])
            .await
            .expect("stored");
        assert_eq!(
            store.body("records/lines.jsonl").expect("stored"),
            b"{\"value\":1}\n{\"value\":2}\n"
        );
    }
}
