//! The pdf-generator's cold start: read the configuration, build the clients and the generator
//! once, then serve.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use paperflow_aws::{Config, S3DocumentStore, SnsEventPublisher, SqsDeadLetterQueue};
use paperflow_pipeline::PdfGenerator;
use paperflow_render::{RenderOptions, font_files};
use pdf_generator::PdfRequests;
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    paperflow_lambda::logging::init();
    let config = Config::from_env();
    let einvoice = pdf_generator::default_einvoice(config.einvoice_format())?;
    let sdk = paperflow_aws::sdk_config().await;
    let store = S3DocumentStore::new(aws_sdk_s3::Client::new(&sdk), config.documents_bucket()?);
    let publisher = SnsEventPublisher::new(
        aws_sdk_sns::Client::new(&sdk),
        config.document_events_topic_arn()?,
    );
    let fonts = Arc::new(font_files::font_set_from_env()?);
    let generator = PdfGenerator::new(store, publisher, fonts, RenderOptions::default())
        .with_default_einvoice(einvoice);
    let dead_letters = SqsDeadLetterQueue::from_conf(&sdk, config.dead_letter_queue_url()?);
    let requests = Arc::new(PdfRequests::new(generator).with_dead_letter_queue(dead_letters));
    lambda_runtime::run(service_fn(|event: LambdaEvent<_>| {
        pdf_generator::handle(Arc::clone(&requests), event.payload)
    }))
    .await
}
