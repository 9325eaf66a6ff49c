//! `sdk_config()` reads the SDK's standard variables: `AWS_ENDPOINT_URL` is all it takes to
//! point the adapters at the emulator, with no local code path.
//!
//! The process environment of a test binary is shared by its tests, so the check runs in a
//! child process (this same binary, the ignored test below) with the variables `Moto::env_for`
//! gives any child process.

use std::process::Command;

use paperflow_aws::{Config, S3DocumentStore, sdk_config};
use paperflow_pipeline::{DocumentStore, NewObject, PutOutcome};
use paperflow_tests::moto::Moto;

#[test]
fn sdk_config_from_the_environment_reaches_the_endpoint() {
    let moto = Moto::start();
    let output = Command::new(std::env::current_exe().expect("the test binary"))
        .args(["--exact", "in_child_process", "--ignored", "--nocapture"])
        .env_clear()
        .envs(moto.env_for())
        .env("DOCUMENTS_BUCKET", "paperflow-documents")
        .output()
        .expect("the child runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{text}\n{}", moto.log_tail());
    assert!(text.contains("1 passed"), "{text}");
}

#[tokio::test]
#[ignore = "runs in the child process of sdk_config_from_the_environment_reaches_the_endpoint"]
async fn in_child_process() {
    let config = sdk_config().await;
    let bucket = Config::from_env()
        .documents_bucket()
        .expect("DOCUMENTS_BUCKET is set")
        .to_owned();
    let store = S3DocumentStore::from_conf(&config, bucket.clone());
    store
        .client()
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("the bucket is created on the endpoint");
    let object = NewObject {
        key: "invoices/INV-1/r1.pdf".to_owned(),
        body: b"%PDF".to_vec(),
        content_type: "application/pdf".to_owned(),
        metadata: Default::default(),
    };
    assert_eq!(store.put_new(object).await, Ok(PutOutcome::Created));
    let url = store
        .presign_get("invoices/INV-1/r1.pdf", std::time::Duration::from_secs(60))
        .await
        .expect("presigned");
    let endpoint = std::env::var("AWS_ENDPOINT_URL").expect("set by the parent");
    assert!(
        url.starts_with(&format!("{endpoint}/{bucket}/")),
        "path style by the SDK's own rules: {url}"
    );
}
