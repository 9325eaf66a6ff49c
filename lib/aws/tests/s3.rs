//! `S3DocumentStore` against a real moto server.

use std::collections::BTreeMap;
use std::time::Duration;

use paperflow_aws::S3DocumentStore;
use paperflow_pipeline::{DocumentStore, NewObject, PutOutcome, SwapOutcome};
use paperflow_tests::moto::{Moto, http_get};

const BUCKET: &str = "paperflow-documents";

async fn store(moto: &Moto) -> S3DocumentStore {
    let config = moto.sdk_config().await;
    let store = S3DocumentStore::from_conf(&config, BUCKET);
    store
        .client()
        .create_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .expect("the bucket is created");
    store
}

fn object(key: &str, body: &[u8]) -> NewObject {
    NewObject {
        key: key.to_owned(),
        body: body.to_vec(),
        content_type: "application/pdf".to_owned(),
        metadata: BTreeMap::from([
            ("invoice-id".to_owned(), "INV-2026-000123".to_owned()),
            ("revision".to_owned(), "1".to_owned()),
        ]),
    }
}

#[tokio::test]
async fn put_new_stores_once_and_keeps_the_first_body() {
    let moto = Moto::start();
    let store = store(&moto).await;
    let key = "invoices/INV-2026-000123/r1.pdf";

    let first = store.put_new(object(key, b"%PDF first")).await;
    assert_eq!(first, Ok(PutOutcome::Created));
    let second = store.put_new(object(key, b"%PDF second")).await;
    assert_eq!(second, Ok(PutOutcome::AlreadyExists));

    let (body, _) = store
        .get(key)
        .await
        .expect("get works")
        .expect("the object is there");
    assert_eq!(body, b"%PDF first");
    assert_eq!(store.bucket(), BUCKET);
}

#[tokio::test]
async fn head_and_get_of_a_missing_key_are_none() {
    let moto = Moto::start();
    let store = store(&moto).await;
    assert_eq!(store.head("invoices/none/r1.pdf").await, Ok(None));
    assert_eq!(store.get("invoices/none/r1.pdf").await, Ok(None));
}

#[tokio::test]
async fn head_and_get_return_what_was_stored() {
    let moto = Moto::start();
    let store = store(&moto).await;
    let key = "invoices/INV-2026-000123/r1.pdf";
    let stored = object(key, b"%PDF-1.7 body");
    store.put_new(stored.clone()).await.expect("put works");

    let info = store
        .head(key)
        .await
        .expect("head works")
        .expect("the object is there");
    assert_eq!(info.size, 13);
    assert_eq!(info.metadata, stored.metadata);
    assert!(!info.etag.is_empty());

    let (body, etag) = store
        .get(key)
        .await
        .expect("get works")
        .expect("the object is there");
    assert_eq!(body, b"%PDF-1.7 body");
    assert_eq!(etag, info.etag);

    let content_type = store
        .client()
        .head_object()
        .bucket(BUCKET)
        .key(key)
        .send()
        .await
        .expect("head works")
        .content_type()
        .map(str::to_owned);
    assert_eq!(content_type.as_deref(), Some("application/pdf"));
}

#[tokio::test]
async fn put_if_match_swaps_only_the_expected_version() {
    let moto = Moto::start();
    let store = store(&moto).await;
    let key = "invoices/INV-2026-000123/latest.json";

    let created = store
        .put_if_match(object(key, b"{\"revision\":1}"), None)
        .await;
    assert_eq!(created, Ok(SwapOutcome::Swapped));
    let again = store
        .put_if_match(object(key, b"{\"revision\":9}"), None)
        .await;
    assert_eq!(again, Ok(SwapOutcome::Conflict));

    let (_, etag1) = store.get(key).await.expect("get").expect("there");
    let swapped = store
        .put_if_match(object(key, b"{\"revision\":2}"), Some(&etag1))
        .await;
    assert_eq!(swapped, Ok(SwapOutcome::Swapped));

    let stale = store
        .put_if_match(object(key, b"{\"revision\":3}"), Some(&etag1))
        .await;
    assert_eq!(stale, Ok(SwapOutcome::Conflict));

    let (body, etag2) = store.get(key).await.expect("get").expect("there");
    assert_eq!(body, b"{\"revision\":2}");
    assert_ne!(etag1, etag2);
}

#[tokio::test]
async fn put_if_match_on_a_deleted_object_is_a_conflict() {
    let moto = Moto::start();
    let store = store(&moto).await;
    let key = "invoices/INV-2026-000123/latest.json";
    store
        .put_if_match(object(key, b"{}"), None)
        .await
        .expect("created");
    let (_, etag) = store.get(key).await.expect("get").expect("there");
    store
        .client()
        .delete_object()
        .bucket(BUCKET)
        .key(key)
        .send()
        .await
        .expect("deleted");

    let outcome = store.put_if_match(object(key, b"{}"), Some(&etag)).await;
    assert_eq!(outcome, Ok(SwapOutcome::Conflict));
    assert_eq!(store.head(key).await, Ok(None));
}

#[tokio::test]
async fn a_presigned_url_downloads_the_body_with_a_plain_get() {
    let moto = Moto::start();
    let store = store(&moto).await;
    let key = "invoices/INV-2026-000123/r1.pdf";
    store
        .put_new(object(key, b"%PDF presigned"))
        .await
        .expect("put works");

    let url = store
        .presign_get(key, Duration::from_secs(300))
        .await
        .expect("a presigned URL");
    assert!(
        url.starts_with(&format!("{}/{BUCKET}/", moto.endpoint())),
        "path-style URL on the IP endpoint: {url}"
    );
    assert!(url.contains("X-Amz-Signature="), "{url}");
    assert!(url.contains("X-Amz-Expires=300"), "{url}");

    let reply = http_get(&url).expect("the URL answers");
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.body, b"%PDF presigned");
}

#[tokio::test]
async fn a_presign_longer_than_a_week_is_refused() {
    let moto = Moto::start();
    let store = S3DocumentStore::from_conf(&moto.sdk_config().await, BUCKET);
    let error = store
        .presign_get("k", Duration::from_secs(8 * 24 * 3600))
        .await
        .expect_err("more than a week");
    assert!(!error.retryable);
    assert_eq!(error.service, "s3");
}

#[tokio::test]
async fn a_missing_bucket_is_a_permanent_error() {
    let moto = Moto::start();
    let store = S3DocumentStore::from_conf(&moto.sdk_config().await, "no-such-bucket");
    let error = store
        .put_new(object("k", b"x"))
        .await
        .expect_err("no bucket");
    assert_eq!(error.service, "s3");
    assert!(!error.retryable, "{error}");
    assert!(error.message.contains("NoSuchBucket"), "{error}");
    assert!(
        error
            .message
            .contains("(misconfigured: the bucket named in the function's environment"),
        "{error}"
    );
    let failure = paperflow_pipeline::RecordFailure::from(error);
    assert_eq!(
        (failure.kind, failure.code.as_str()),
        (
            paperflow_pipeline::FailureKind::Misconfigured,
            "s3_misconfigured"
        )
    );

    let error = store.get("k").await.expect_err("no bucket");
    assert!(
        !error.retryable && error.message.contains("NoSuchBucket"),
        "{error}"
    );
    // A HEAD answer has no body to name the missing bucket: it reads as a missing key.
    assert_eq!(store.head("k").await, Ok(None));
}
