//! [`EventPublisher`] over one SNS topic.

use aws_config::SdkConfig;
use aws_sdk_sns::Client;
use aws_sdk_sns::types::MessageAttributeValue;
use paperflow_events::{CloudEvent, message_attributes};
use paperflow_pipeline::{DependencyError, EventPublisher};

use crate::errors::classify;

const SERVICE: &str = "sns";

/// The pipeline's [`EventPublisher`] over one SNS topic.
///
/// The message is the event's CloudEvents JSON (structured mode); `type`, `subject` and
/// `correlationid` travel as `String` message attributes too
/// ([`paperflow_events::message_attributes`]), so that subscriptions filter without reading
/// bodies.
#[derive(Debug, Clone)]
pub struct SnsEventPublisher {
    client: Client,
    topic_arn: String,
}

impl SnsEventPublisher {
    /// A publisher to `topic_arn` through `client`.
    pub fn new(client: Client, topic_arn: impl Into<String>) -> SnsEventPublisher {
        SnsEventPublisher {
            client,
            topic_arn: topic_arn.into(),
        }
    }

    /// A publisher to `topic_arn`, with a client built from `config`.
    pub fn from_conf(config: &SdkConfig, topic_arn: impl Into<String>) -> SnsEventPublisher {
        SnsEventPublisher::new(Client::new(config), topic_arn)
    }

    /// The topic this publisher announces on.
    pub fn topic_arn(&self) -> &str {
        &self.topic_arn
    }

    /// The SNS client, for calls the port does not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl EventPublisher for SnsEventPublisher {
    async fn publish(&self, event: &CloudEvent) -> Result<(), DependencyError> {
        let body = serde_json::to_string(event).map_err(|error| DependencyError {
            service: SERVICE,
            retryable: false,
            message: format!("event {} cannot be written as JSON: {error}", event.id),
        })?;
        let mut request = self
            .client
            .publish()
            .topic_arn(&self.topic_arn)
            .message(body);
        for (name, value) in message_attributes(event) {
            let attribute = MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value)
                .build()
                .map_err(|error| DependencyError {
                    service: SERVICE,
                    retryable: false,
                    message: format!("message attribute {name}: {error}"),
                })?;
            request = request.message_attributes(name, attribute);
        }
        request
            .send()
            .await
            .map(|_| ())
            .map_err(|error| classify(SERVICE, &error))
    }
}
