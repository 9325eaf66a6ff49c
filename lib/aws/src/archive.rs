//! Reading the event archive back out of its S3 bucket, for `paperflow trace`.
//!
//! The archive holds one small object per event (see `paperflow_pipeline::archive`), so
//! reading a flow means listing keys and fetching many objects: the fetches run concurrently,
//! a bounded number at a time. Writing is the event-archiver's, through the ordinary
//! [`crate::S3DocumentStore`].

use std::sync::Arc;

use aws_config::SdkConfig;
use aws_sdk_s3::Client;
use paperflow_pipeline::DependencyError;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::errors::classify;

const SERVICE: &str = "s3";

/// The archive bucket, read-only.
#[derive(Debug, Clone)]
pub struct S3Archive {
    client: Client,
    bucket: String,
}

impl S3Archive {
    /// The archive in `bucket`, read through `client`.
    pub fn new(client: Client, bucket: impl Into<String>) -> S3Archive {
        S3Archive {
            client,
            bucket: bucket.into(),
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
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .set_start_after(start_after.map(str::to_owned))
            .into_paginator()
            .send();
        let mut keys = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|error| classify(SERVICE, &error))?;
            keys.extend(
                page.contents()
                    .iter()
                    .filter_map(|object| object.key().map(str::to_owned)),
            );
        }
        Ok(keys)
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
            let (client, bucket, key) = (self.client.clone(), self.bucket.clone(), key.clone());
            let permits = Arc::clone(&permits);
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await;
                (
                    index,
                    fetch(&client, &bucket, &key).await.map(|body| (key, body)),
                )
            });
        }
        let mut bodies = Vec::with_capacity(keys.len());
        while let Some(joined) = tasks.join_next().await {
            let (index, fetched) = joined.map_err(|error| DependencyError {
                service: SERVICE,
                retryable: false,
                message: format!("a read of the archive stopped: {error}"),
            })?;
            if let (key, Some(body)) = fetched? {
                bodies.push((index, (key, body)));
            }
        }
        bodies.sort_by_key(|(index, _)| *index);
        Ok(bodies.into_iter().map(|(_, object)| object).collect())
    }
}

async fn fetch(
    client: &Client,
    bucket: &str,
    key: &str,
) -> Result<Option<Vec<u8>>, DependencyError> {
    let output = match client.get_object().bucket(bucket).key(key).send().await {
        Ok(output) => output,
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|service| service.is_no_such_key()) =>
        {
            return Ok(None);
        }
        Err(error) => return Err(classify(SERVICE, &error)),
    };
    let body = output
        .body
        .collect()
        .await
        .map_err(|error| DependencyError {
            service: SERVICE,
            retryable: true,
            message: format!("reading the body of {key} failed: {error}"),
        })?;
    Ok(Some(body.into_bytes().to_vec()))
}
