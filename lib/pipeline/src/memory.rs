//! The ports in memory: a [`MemoryStore`], a [`MemoryPublisher`] and a [`ManualClock`].
//!
//! They exist to take I/O out of benchmarks and of unit tests of the pipeline's own rules. They
//! keep the ports' semantics — create-only puts, compare-and-swap on a version tag, listing in
//! key order — so the pipeline takes exactly the path it takes against S3 and SNS. Tests of the
//! adapters and of the system run against the real services (moto), not these.

use crate::ports::{
    Clock, ConditionalRead, DependencyError, DocumentStore, EventPublisher, NewObject, ObjectInfo,
    PutOutcome, SwapOutcome, ThemeSource,
};
use paperflow_events::CloudEvent;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use time::OffsetDateTime;

/// One stored object of a [`MemoryStore`].
#[derive(Debug, Clone)]
struct Stored {
    body: Vec<u8>,
    etag: String,
    metadata: BTreeMap<String, String>,
}

/// A [`DocumentStore`] in memory. Clones share the same objects.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    objects: Arc<Mutex<BTreeMap<String, Stored>>>,
    versions: Arc<AtomicUsize>,
    failure: Failure,
}

/// The error every call answers while it is set: a store or topic that refuses, shared by
/// clones.
#[derive(Debug, Clone, Default)]
struct Failure(Arc<Mutex<Option<DependencyError>>>);

impl Failure {
    fn set(&self, error: Option<DependencyError>) {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = error;
    }

    fn check(&self) -> Result<(), DependencyError> {
        match &*self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
        {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// The body stored under `key`.
    pub fn body(&self, key: &str) -> Option<Vec<u8>> {
        self.lock().get(key).map(|stored| stored.body.clone())
    }

    /// Every stored key, in order.
    pub fn keys(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    /// An independent store holding copies of every object (the same bodies, version tags
    /// and metadata): each round of a benchmark starts from the same state without redoing
    /// what produced it.
    pub fn snapshot(&self) -> MemoryStore {
        MemoryStore {
            objects: Arc::new(Mutex::new(self.lock().clone())),
            versions: Arc::new(AtomicUsize::new(self.versions.load(Ordering::Relaxed))),
            failure: Failure::default(),
        }
    }

    /// Makes every call fail with `error` (until called again with `None`): a bucket that is
    /// gone, a role without permission, S3 down.
    pub fn fail_with(&self, error: Option<DependencyError>) {
        self.failure.set(error);
    }

    /// Stores `object` whatever is stored under its key, with a new version tag: what another
    /// writer does between a test's read and its conditional write.
    pub fn overwrite(&self, object: NewObject) {
        self.insert(object);
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Stored>> {
        // A panicking test thread must not hide the store from the others.
        self.objects
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn insert(&self, object: NewObject) {
        let etag = format!("\"v{}\"", self.versions.fetch_add(1, Ordering::Relaxed));
        self.lock().insert(
            object.key,
            Stored {
                body: object.body,
                etag,
                metadata: object.metadata,
            },
        );
    }
}

impl ThemeSource for MemoryStore {
    async fn get_if_changed(
        &self,
        key: &str,
        known_etag: Option<&str>,
    ) -> Result<ConditionalRead, DependencyError> {
        self.failure.check()?;
        Ok(match self.lock().get(key) {
            None => ConditionalRead::Missing,
            Some(stored) if known_etag == Some(stored.etag.as_str()) => ConditionalRead::Unchanged,
            Some(stored) => ConditionalRead::Changed {
                body: stored.body.clone(),
                etag: stored.etag.clone(),
            },
        })
    }
}

impl DocumentStore for MemoryStore {
    fn bucket(&self) -> &str {
        "memory"
    }

    async fn put_new(&self, object: NewObject) -> Result<PutOutcome, DependencyError> {
        self.failure.check()?;
        if self.lock().contains_key(&object.key) {
            return Ok(PutOutcome::AlreadyExists);
        }
        self.insert(object);
        Ok(PutOutcome::Created)
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, DependencyError> {
        self.failure.check()?;
        Ok(self.lock().get(key).map(|stored| ObjectInfo {
            size: stored.body.len() as u64,
            etag: stored.etag.clone(),
            metadata: stored.metadata.clone(),
        }))
    }

    async fn get(&self, key: &str) -> Result<Option<(Vec<u8>, String)>, DependencyError> {
        self.failure.check()?;
        Ok(self
            .lock()
            .get(key)
            .map(|stored| (stored.body.clone(), stored.etag.clone())))
    }

    async fn put_if_match(
        &self,
        object: NewObject,
        expected: Option<&str>,
    ) -> Result<SwapOutcome, DependencyError> {
        self.failure.check()?;
        let current = self
            .lock()
            .get(&object.key)
            .map(|stored| stored.etag.clone());
        if current.as_deref() != expected {
            return Ok(SwapOutcome::Conflict);
        }
        self.insert(object);
        Ok(SwapOutcome::Swapped)
    }

    async fn list(&self, prefix: &str) -> Result<Vec<String>, DependencyError> {
        self.failure.check()?;
        Ok(self
            .lock()
            .keys()
            .filter(|key| key.starts_with(prefix))
            .cloned()
            .collect())
    }

    async fn presign_get(
        &self,
        key: &str,
        expires_in: Duration,
    ) -> Result<String, DependencyError> {
        self.failure.check()?;
        Ok(format!("memory://{key}?expires={}", expires_in.as_secs()))
    }
}

/// An [`EventPublisher`] in memory: keeps every event it is given. Clones share them.
#[derive(Debug, Clone, Default)]
pub struct MemoryPublisher {
    events: Arc<Mutex<Vec<CloudEvent>>>,
    failure: Failure,
}

impl MemoryPublisher {
    /// A publisher that has published nothing yet.
    pub fn new() -> MemoryPublisher {
        MemoryPublisher::default()
    }

    /// Every event published so far, in order.
    pub fn events(&self) -> Vec<CloudEvent> {
        self.lock().clone()
    }

    /// How many events were published.
    pub fn count(&self) -> usize {
        self.lock().len()
    }

    /// Makes every publish fail with `error` (until called again with `None`).
    pub fn fail_with(&self, error: Option<DependencyError>) {
        self.failure.set(error);
    }

    /// Forgets what was published (a benchmark's memory stays flat).
    pub fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> MutexGuard<'_, Vec<CloudEvent>> {
        self.events
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl EventPublisher for MemoryPublisher {
    async fn publish(&self, event: &CloudEvent) -> Result<(), DependencyError> {
        self.failure.check()?;
        self.lock().push(event.clone());
        Ok(())
    }
}

/// A [`Clock`] that stands still until it is moved: tests advance it past a claim's expiry
/// instead of sleeping. Clones share the same time.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<OffsetDateTime>>,
}

impl ManualClock {
    /// A clock that reads `start` until it is moved.
    pub fn starting_at(start: OffsetDateTime) -> ManualClock {
        ManualClock {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// Moves the clock `by` forward.
    pub fn advance(&self, by: Duration) {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(key: &str, body: &[u8]) -> NewObject {
        NewObject {
            key: key.to_owned(),
            body: body.to_vec(),
            content_type: "application/octet-stream".to_owned(),
            metadata: BTreeMap::from([("sha256".to_owned(), "abc".to_owned())]),
        }
    }

    #[tokio::test]
    async fn a_snapshot_keeps_what_was_stored_and_goes_its_own_way() {
        let store = MemoryStore::new();
        store.overwrite(object("a.pdf", b"first"));
        let snapshot = store.snapshot();
        store.overwrite(object("a.pdf", b"second"));
        snapshot.overwrite(object("b.pdf", b"only here"));

        assert_eq!(snapshot.body("a.pdf").as_deref(), Some(&b"first"[..]));
        let info = snapshot
            .head("a.pdf")
            .await
            .expect("a head")
            .expect("stored");
        assert_eq!(info.metadata["sha256"], "abc");
        assert_eq!(store.keys(), ["a.pdf"]);
        assert_eq!(snapshot.keys(), ["a.pdf", "b.pdf"]);
    }
}
