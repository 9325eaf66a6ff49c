//! [`DocumentStore`] and [`ThemeSource`] over one S3 bucket.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_s3::Client;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::get_object::GetObjectOutput;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use paperflow_pipeline::{
    ConditionalRead, DependencyError, DocumentStore, NewObject, ObjectInfo, PutOutcome,
    SwapOutcome, ThemeSource,
};

use crate::errors::classify;

const SERVICE: &str = "s3";

/// The pipeline's [`DocumentStore`] over one S3 bucket.
///
/// Conditional writes are S3's own: `If-None-Match: *` for objects that must not exist yet and
/// `If-Match: <etag>` for compare-and-swap; S3 answers 412 Precondition Failed when the
/// condition does not hold, which this store reports as [`PutOutcome::AlreadyExists`] or
/// [`SwapOutcome::Conflict`]. Encryption at rest and privacy are the bucket's defaults; no
/// request sets them.
///
/// What S3 does that callers should know:
/// - a missing key reads as `None` only when the caller may list the bucket: without
///   `s3:ListBucket`, S3 answers 403 AccessDenied for a key that does not exist, and that is
///   reported as the permanent error it looks like. Grant `s3:ListBucket` on the documents bucket
///   to every function that heads or gets.
/// - `head` cannot tell a missing bucket from a missing key (a HEAD answer has no body to carry
///   the error code): both are `None`. `get` and the writes do tell (`NoSuchBucket`, permanent).
/// - ETags are returned as S3 sends them, in quotes, and `put_if_match` expects them so.
#[derive(Debug, Clone)]
pub struct S3DocumentStore {
    client: Client,
    bucket: String,
}

impl S3DocumentStore {
    /// A store writing to `bucket` through `client`.
    pub fn new(client: Client, bucket: impl Into<String>) -> S3DocumentStore {
        S3DocumentStore {
            client,
            bucket: bucket.into(),
        }
    }

    /// A store writing to `bucket`, with a client built from `config`.
    pub fn from_conf(config: &SdkConfig, bucket: impl Into<String>) -> S3DocumentStore {
        S3DocumentStore::new(Client::new(config), bucket)
    }

    /// Every key under `prefix` that sorts after `start_after` (when given), in key order,
    /// through every page of the listing.
    ///
    /// # Errors
    ///
    /// The listing failed (no such bucket, no permission, S3 unreachable).
    pub async fn list_after(
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

    /// The S3 client, for calls the port does not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    fn put_request(
        &self,
        object: NewObject,
    ) -> aws_sdk_s3::operation::put_object::builders::PutObjectFluentBuilder {
        let mut request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(object.key)
            .content_type(object.content_type)
            .body(ByteStream::from(object.body));
        for (name, value) in object.metadata {
            request = request.metadata(name, value);
        }
        request
    }
}

/// The HTTP status of the answer, if there was one.
fn status<E>(error: &SdkError<E, HttpResponse>) -> Option<u16> {
    error
        .raw_response()
        .map(|response| response.status().as_u16())
}

/// 412 Precondition Failed: the condition of a conditional request did not hold.
fn precondition_failed<E: ProvideErrorMetadata>(error: &SdkError<E, HttpResponse>) -> bool {
    matches!(error, SdkError::ServiceError(_))
        && (status(error) == Some(412) || error.code() == Some("PreconditionFailed"))
}

/// 409 ConditionalRequestConflict: another conditional write to the key was in flight.
fn conditional_conflict<E: ProvideErrorMetadata>(error: &SdkError<E, HttpResponse>) -> bool {
    matches!(error, SdkError::ServiceError(_))
        && (error.code() == Some("ConditionalRequestConflict")
            || (status(error) == Some(409) && error.code().is_none()))
}

/// 404: nothing is stored under the key (`NoSuchKey`, or `NotFound` for HEAD, which has no
/// body to carry a code). A missing bucket is also a 404 but stays an error.
fn no_such_key<E: ProvideErrorMetadata>(error: &SdkError<E, HttpResponse>) -> bool {
    matches!(error, SdkError::ServiceError(_))
        && match error.code() {
            Some(code) => code == "NoSuchKey" || code == "NotFound",
            None => status(error) == Some(404),
        }
}

fn metadata(map: Option<&std::collections::HashMap<String, String>>) -> BTreeMap<String, String> {
    map.map(|map| {
        map.iter()
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect()
    })
    .unwrap_or_default()
}

/// The whole body of a GET's answer and its ETag (as S3 sends it, in quotes). A body cut off
/// on the way is worth another try.
async fn body_and_etag(
    output: GetObjectOutput,
    key: &str,
) -> Result<(Vec<u8>, String), DependencyError> {
    let etag = output.e_tag().unwrap_or_default().to_owned();
    let body = output
        .body
        .collect()
        .await
        .map_err(|error| DependencyError {
            service: SERVICE,
            retryable: true,
            message: format!("reading the body of {key} failed: {error}"),
        })?;
    Ok((body.into_bytes().to_vec(), etag))
}

/// S3 answers a conditional GET whose `If-None-Match` still matches with `304 Not Modified`,
/// which the SDK reports as a service error without a code.
fn not_modified<E>(error: &SdkError<E, HttpResponse>) -> bool {
    matches!(error, SdkError::ServiceError(_)) && status(error) == Some(304)
}

impl ThemeSource for S3DocumentStore {
    async fn get_if_changed(
        &self,
        key: &str,
        known_etag: Option<&str>,
    ) -> Result<ConditionalRead, DependencyError> {
        let result = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .set_if_none_match(known_etag.map(str::to_owned))
            .send()
            .await;
        let output = match result {
            Ok(output) => output,
            Err(error) if not_modified(&error) => return Ok(ConditionalRead::Unchanged),
            Err(error) if no_such_key(&error) => return Ok(ConditionalRead::Missing),
            Err(error) => return Err(classify(SERVICE, &error)),
        };
        let (body, etag) = body_and_etag(output, key).await?;
        Ok(ConditionalRead::Changed { body, etag })
    }
}

impl DocumentStore for S3DocumentStore {
    fn bucket(&self) -> &str {
        &self.bucket
    }

    async fn put_new(&self, object: NewObject) -> Result<PutOutcome, DependencyError> {
        match self.put_request(object).if_none_match("*").send().await {
            Ok(_) => Ok(PutOutcome::Created),
            Err(error) if precondition_failed(&error) => Ok(PutOutcome::AlreadyExists),
            Err(error) => Err(classify(SERVICE, &error)),
        }
    }

    async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, DependencyError> {
        let result = self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await;
        match result {
            Ok(output) => Ok(Some(ObjectInfo {
                size: output
                    .content_length()
                    .and_then(|size| u64::try_from(size).ok())
                    .unwrap_or(0),
                etag: output.e_tag().unwrap_or_default().to_owned(),
                metadata: metadata(output.metadata()),
            })),
            Err(error) if no_such_key(&error) => Ok(None),
            Err(error) => Err(classify(SERVICE, &error)),
        }
    }

    async fn get(&self, key: &str) -> Result<Option<(Vec<u8>, String)>, DependencyError> {
        let result = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await;
        let output = match result {
            Ok(output) => output,
            Err(error) if no_such_key(&error) => return Ok(None),
            Err(error) => return Err(classify(SERVICE, &error)),
        };
        body_and_etag(output, key).await.map(Some)
    }

    async fn put_if_match(
        &self,
        object: NewObject,
        expected: Option<&str>,
    ) -> Result<SwapOutcome, DependencyError> {
        let request = self.put_request(object);
        let request = match expected {
            Some(etag) => request.if_match(etag),
            None => request.if_none_match("*"),
        };
        match request.send().await {
            Ok(_) => Ok(SwapOutcome::Swapped),
            Err(error) if precondition_failed(&error) || conditional_conflict(&error) => {
                Ok(SwapOutcome::Conflict)
            }
            // If-Match on a key that is gone: somebody deleted what we expected.
            Err(error) if expected.is_some() && no_such_key(&error) => Ok(SwapOutcome::Conflict),
            Err(error) => Err(classify(SERVICE, &error)),
        }
    }

    async fn list(&self, prefix: &str) -> Result<Vec<String>, DependencyError> {
        self.list_after(prefix, None).await
    }

    async fn presign_get(
        &self,
        key: &str,
        expires_in: Duration,
    ) -> Result<String, DependencyError> {
        let presigning =
            PresigningConfig::expires_in(expires_in).map_err(|error| DependencyError {
                service: SERVICE,
                retryable: false,
                message: format!("cannot presign for {expires_in:?}: {error}"),
            })?;
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .presigned(presigning)
            .await
            .map_err(|error| classify(SERVICE, &error))?;
        Ok(request.uri().to_owned())
    }
}
