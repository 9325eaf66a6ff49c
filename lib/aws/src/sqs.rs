//! [`DeadLetterQueue`] over one SQS queue: where a consumer puts a message that only a fix of
//! the deployment can process.

use aws_config::SdkConfig;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::MessageAttributeValue;
use paperflow_pipeline::failure::FAILURE_ATTRIBUTE;
use paperflow_pipeline::{DeadLetter, DeadLetterQueue, DependencyError};

use crate::errors::classify;

const SERVICE: &str = "sqs";

/// SQS's limit of message attributes per message.
const MAX_ATTRIBUTES: usize = 10;

/// The pipeline's [`DeadLetterQueue`] over one SQS queue, the consumed queue's own DLQ.
///
/// The message is sent as it was delivered: the same body and the same text attributes, so that
/// a redrive (`StartMessageMoveTask`, or the console's "start DLQ redrive") gives the consumer
/// the very message it could not process. [`FAILURE_ATTRIBUTE`] is added with the failure's
/// code when the message has room for it (SQS allows 10 attributes).
#[derive(Debug, Clone)]
pub struct SqsDeadLetterQueue {
    client: Client,
    queue_url: String,
}

impl SqsDeadLetterQueue {
    /// The dead-letter queue at `queue_url`, through `client`.
    pub fn new(client: Client, queue_url: impl Into<String>) -> SqsDeadLetterQueue {
        SqsDeadLetterQueue {
            client,
            queue_url: queue_url.into(),
        }
    }

    /// The dead-letter queue at `queue_url`, with a client built from `config`.
    pub fn from_conf(config: &SdkConfig, queue_url: impl Into<String>) -> SqsDeadLetterQueue {
        SqsDeadLetterQueue::new(Client::new(config), queue_url)
    }
}

fn attribute(data_type: &str, value: &str) -> Result<MessageAttributeValue, DependencyError> {
    MessageAttributeValue::builder()
        .data_type(data_type)
        .string_value(value)
        .build()
        .map_err(|error| DependencyError {
            service: SERVICE,
            retryable: false,
            message: format!("message attribute of type {data_type}: {error}"),
        })
}

impl DeadLetterQueue for SqsDeadLetterQueue {
    async fn send(&self, letter: &DeadLetter<'_>) -> Result<(), DependencyError> {
        let mut request = self
            .client
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(letter.body);
        for (name, value) in letter.attributes {
            request = request.message_attributes(name, attribute(&value.data_type, &value.value)?);
        }
        if letter.attributes.len() < MAX_ATTRIBUTES
            && !letter.attributes.contains_key(FAILURE_ATTRIBUTE)
        {
            request = request.message_attributes(
                FAILURE_ATTRIBUTE,
                attribute("String", &letter.failure.code)?,
            );
        }
        request
            .send()
            .await
            .map(|_| ())
            .map_err(|error| classify(SERVICE, &error))
    }
}
