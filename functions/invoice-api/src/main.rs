//! The invoice API's cold start: build the clients, the fonts and the API once, then serve.

use invoice_api::Api;
use lambda_http::{Error, Request, service_fn};
use paperflow_aws::{Config, S3DocumentStore, SnsEventPublisher};
use paperflow_pipeline::DirectRenderer;
use paperflow_render::{RenderOptions, font_files};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Error> {
    paperflow_lambda::logging::init();
    let config = Config::from_env();
    let sdk = paperflow_aws::sdk_config().await;
    let store = S3DocumentStore::new(aws_sdk_s3::Client::new(&sdk), config.documents_bucket()?);
    let publisher = SnsEventPublisher::new(
        aws_sdk_sns::Client::new(&sdk),
        config.invoice_events_topic_arn()?,
    );
    let fonts = Arc::new(font_files::font_set_from_env()?);
    let direct = DirectRenderer::new(store.clone(), fonts, RenderOptions::default());
    let api = Arc::new(Api::new(direct, store, publisher));
    lambda_http::run(service_fn(|request: Request| {
        let api = Arc::clone(&api);
        async move { Ok::<_, Error>(invoice_api::handle(&api, request).await) }
    }))
    .await
}
