//! The event-archiver's cold start: build the client once, then serve.

use event_archiver::ArchiveRecords;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use paperflow_aws::{Config, S3DocumentStore, SqsDeadLetterQueue};
use paperflow_pipeline::archive::EventArchiver;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    paperflow_lambda::logging::init();
    let config = Config::from_env();
    let sdk = paperflow_aws::sdk_config().await;
    let store = S3DocumentStore::new(aws_sdk_s3::Client::new(&sdk), config.archive_bucket()?);
    let dead_letters = SqsDeadLetterQueue::from_conf(&sdk, config.dead_letter_queue_url()?);
    let records = Arc::new(
        ArchiveRecords::new(EventArchiver::new(store)).with_dead_letter_queue(dead_letters),
    );
    lambda_runtime::run(service_fn(|event: LambdaEvent<_>| {
        event_archiver::handle(Arc::clone(&records), event.payload)
    }))
    .await
}
