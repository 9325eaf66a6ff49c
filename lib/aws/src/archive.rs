//! Reading the event archive back out of its S3 bucket, for `paperflow trace`.
//!
//! The archive holds small JSON-lines objects (see `paperflow_pipeline::archive`): one per
//! day and type of an SQS batch, and from the archive's first version one per event; both are
//! read the same way, line by line. Reading a flow means listing keys and fetching many
//! objects: the fetches run concurrently, a bounded number at a time. Writing is the event-archiver's, through the ordinary
//! [`crate::S3DocumentStore`].

use std::sync::Arc;

use aws_config::SdkConfig;
use aws_sdk_s3::Client;
use paperflow_pipeline::{DependencyError, DocumentStore};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::S3DocumentStore;

/// The archive bucket, read-only.
#[derive(Debug, Clone)]
pub struct S3Archive {
    store: S3DocumentStore,
}

impl S3Archive {
    /// The archive in `bucket`, read through `client`.
    pub fn new(client: Client, bucket: impl Into<String>) -> S3Archive {
        S3Archive {
            store: S3DocumentStore::new(client, bucket),
        }
    }

    /// The archive in `bucket`, with a client built from `config`.
    pub fn from_conf(config: &SdkConfig, bucket: impl Into<String>) -> S3Archive {
        S3Archive::new(Client::new(config), bucket)
    }

    /// Every key under `prefix` that sorts after `start_after` (when given), in key order,
    /// through every page of the listing.
    ///
    /// # Errors
    ///
    /// The listing failed (no such bucket, no permission, S3 unreachable).
    pub async fn keys(
        &self,
        prefix: &str,
        start_after: Option<&str>,
    ) -> Result<Vec<String>, DependencyError> {
        self.store.list_after(prefix, start_after).await
    }

    /// The bodies of `keys`, in the order given, at most `concurrency` fetched at a time. A key
    /// that is gone by the time it is read (a lifecycle rule expired it) is left out.
    ///
    /// # Errors
    ///
    /// The first fetch that failed otherwise.
    pub async fn read(
        &self,
        keys: &[String],
        concurrency: usize,
    ) -> Result<Vec<(String, Vec<u8>)>, DependencyError> {
        let permits = Arc::new(Semaphore::new(concurrency.max(1)));
        let mut tasks = JoinSet::new();
        for (index, key) in keys.iter().enumerate() {
            let (store, key) = (self.store.clone(), key.clone());
            let permits = Arc::clone(&permits);
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                let fetched = store.get(&key).await;
                (index, key, fetched)
            });
        }
        let mut bodies = Vec::with_capacity(keys.len());
        while let Some(joined) = tasks.join_next().await {
            let (index, key, fetched) = joined.map_err(|error| DependencyError {
                service: "s3",
                retryable: false,
                message: format!("a read of the archive stopped: {error}"),
            })?;
            if let Some((body, _etag)) = fetched? {
                bodies.push((index, (key, body)));
            }
        }
        bodies.sort_by_key(|(index, _)| *index);
        Ok(bodies.into_iter().map(|(_, object)| object).collect())
    }
}
