//! The pdf-mailer's cold start: read the configuration, build the clients once, then serve.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use paperflow_aws::{Config, S3DocumentStore, SesMailer, SnsEventPublisher};
use paperflow_pipeline::mail::{MailSettings, PdfMailer, Sender};
use std::time::SystemTime;

#[tokio::main]
async fn main() -> Result<(), Error> {
    paperflow_lambda::logging::init();
    let config = Config::from_env();
    let sender = Sender::parse(config.mail_from()?)?;
    let sdk = paperflow_aws::sdk_config().await;
    let store = S3DocumentStore::new(aws_sdk_s3::Client::new(&sdk), config.documents_bucket()?);
    let publisher = SnsEventPublisher::new(
        aws_sdk_sns::Client::new(&sdk),
        config.document_events_topic_arn()?,
    );
    let ses = SesMailer::new(aws_sdk_sesv2::Client::new(&sdk));
    let mailer = PdfMailer::new(store, publisher, ses, MailSettings::new(sender));
    let mailer = &mailer;
    lambda_runtime::run(service_fn(|event: LambdaEvent<_>| async move {
        let ttl = pdf_mailer::claim_ttl(event.context.deadline, SystemTime::now());
        pdf_mailer::handle(mailer, event.payload, ttl).await
    }))
    .await
}
