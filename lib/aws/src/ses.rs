//! [`Mailer`] over SES v2: the message is sent as it was built (`Content.Raw`), so the PDF
//! travels as a MIME attachment.

use aws_config::SdkConfig;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::error::SdkError;
use aws_sdk_sesv2::primitives::Blob;
use aws_sdk_sesv2::types::{Destination, EmailContent, RawMessage};
use paperflow_pipeline::DependencyError;
use paperflow_pipeline::{Mailer, OutgoingMail, SendError};

use crate::errors::classify;

const SERVICE: &str = "ses";

/// The pipeline's [`Mailer`] over SES v2 `SendEmail`.
///
/// What a failure means for the e-mail decides what the pipeline may do next, so it is told
/// apart here:
/// - SES answered with a 4xx (throttling, a sender that is not verified, a refused
///   message): nothing was sent, [`SendError::NotSent`];
/// - no answer (timeout, connection lost) or a 5xx: the message may have been accepted,
///   [`SendError::Unknown`].
///
/// Whether retrying may help is [`classify`]'s decision, as for every adapter.
#[derive(Debug, Clone)]
pub struct SesMailer {
    client: Client,
}

impl SesMailer {
    /// A mailer sending through `client`.
    pub fn new(client: Client) -> SesMailer {
        SesMailer { client }
    }

    /// A mailer with a client built from `config`.
    pub fn from_conf(config: &SdkConfig) -> SesMailer {
        SesMailer::new(Client::new(config))
    }

    /// The SES v2 client, for calls the port does not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl Mailer for SesMailer {
    async fn send(&self, mail: &OutgoingMail) -> Result<String, SendError> {
        let raw = RawMessage::builder()
            .data(Blob::new(mail.raw.clone()))
            .build()
            .map_err(|error| {
                SendError::NotSent(DependencyError {
                    service: SERVICE,
                    retryable: false,
                    message: format!("the raw message: {error}"),
                })
            })?;
        let result = self
            .client
            .send_email()
            .from_email_address(&mail.from)
            .destination(Destination::builder().to_addresses(&mail.to).build())
            .content(EmailContent::builder().raw(raw).build())
            .send()
            .await;
        match result {
            Ok(output) => output.message_id().map(str::to_owned).ok_or_else(|| {
                SendError::Unknown(DependencyError {
                    service: SERVICE,
                    retryable: true,
                    message: "SES accepted the message without a message id".to_owned(),
                })
            }),
            Err(error) => {
                let classified = classify(SERVICE, &error);
                let refused = match &error {
                    SdkError::ConstructionFailure(_) => true,
                    SdkError::ServiceError(context) => context.raw().status().as_u16() < 500,
                    _ => false,
                };
                Err(if refused {
                    SendError::NotSent(classified)
                } else {
                    SendError::Unknown(classified)
                })
            }
        }
    }
}
