//! The CloudEvents 1.0 envelope, in structured JSON mode.
//!
//! [`CloudEvent`] is the whole message that travels on every topic and queue:
//! the context attributes of the specification that paperflow uses, the two
//! extension attributes `correlationid` and `causationid`, and the `data`,
//! typed by the parameter `T` (`serde_json::Value` until the consumer knows
//! the type, see [`CloudEvent::into_typed`]).
//!
//! This module builds and converts envelopes; it must never decide whether an
//! untrusted body *is* an event: that is [`crate::decode_body`]'s job, which
//! checks the rules before handing out a `CloudEvent`. Deserializing a
//! `CloudEvent` directly with serde checks only the shape, not the rules.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::decode::DecodeError;
use crate::ids::now_rfc3339;
use crate::types::{EventType, TypeError};

/// The only `specversion` paperflow writes and reads.
pub const SPEC_VERSION: &str = "1.0";

/// The `datacontenttype` of every paperflow event.
pub const JSON_CONTENT_TYPE: &str = "application/json";

/// A CloudEvents 1.0 event in structured JSON mode.
///
/// Serialized, the attributes appear in the order of the fields, and absent
/// optional attributes are left out. Unknown attributes (extensions paperflow
/// does not use) are ignored when deserializing, and so are not kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CloudEvent<T = serde_json::Value> {
    /// The CloudEvents version: always [`SPEC_VERSION`] (`"1.0"`).
    pub specversion: String,
    /// Unique per event from one source (a UUIDv7, see
    /// [`crate::new_event_id`]); `source` + `id` is the deduplication key.
    pub id: String,
    /// The component that emitted the event, e.g. `paperflow/pdf-generator`.
    pub source: String,
    /// The event type, `<domain>.<name>.v<major>`; see [`EventType`].
    #[serde(rename = "type")]
    pub event_type: String,
    /// The invoice id the event is about.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub subject: Option<String>,
    /// When it happened: RFC 3339 in UTC with milliseconds,
    /// e.g. `2026-11-26T14:05:41.123Z` (see [`crate::now_rfc3339`]).
    pub time: String,
    /// The media type of `data`: [`JSON_CONTENT_TYPE`] for paperflow's own
    /// events.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub datacontenttype: Option<String>,
    /// Extension: the id that ties a whole flow together, copied onto every
    /// event caused by this one. When absent, the flow starts here and
    /// [`CloudEvent::correlation_id`] is the event's own id.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub correlationid: Option<String>,
    /// Extension: the id of the event that caused this one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub causationid: Option<String>,
    /// The payload.
    pub data: T,
}

impl<T> CloudEvent<T> {
    /// A new event: specversion 1.0, datacontenttype application/json, `time`
    /// formatted by [`now_rfc3339`] (UTC, milliseconds), no correlation or
    /// causation yet. An empty `subject` is left out.
    pub fn new(
        id: impl Into<String>,
        source: impl Into<String>,
        event_type: EventType,
        subject: impl Into<String>,
        time: OffsetDateTime,
        data: T,
    ) -> Self {
        let subject = subject.into();
        CloudEvent {
            specversion: SPEC_VERSION.to_owned(),
            id: id.into(),
            source: source.into(),
            event_type: event_type.as_str().to_owned(),
            subject: (!subject.is_empty()).then_some(subject),
            time: now_rfc3339(time),
            datacontenttype: Some(JSON_CONTENT_TYPE.to_owned()),
            correlationid: None,
            causationid: None,
            data,
        }
    }

    /// The same event with its `correlationid` set.
    #[must_use]
    pub fn with_correlation(mut self, correlationid: impl Into<String>) -> Self {
        self.correlationid = Some(correlationid.into());
        self
    }

    /// The same event with its `causationid` set.
    #[must_use]
    pub fn with_causation(mut self, causationid: impl Into<String>) -> Self {
        self.causationid = Some(causationid.into());
        self
    }

    /// The event caused by `self`: same correlation id (or self's id when it
    /// has none), causationid = self.id.
    pub fn caused<U>(
        &self,
        id: impl Into<String>,
        source: impl Into<String>,
        event_type: EventType,
        subject: impl Into<String>,
        time: OffsetDateTime,
        data: U,
    ) -> CloudEvent<U> {
        CloudEvent::new(id, source, event_type, subject, time, data)
            .with_correlation(self.correlation_id())
            .with_causation(self.id.as_str())
    }

    /// The id that ties this event's flow together: `correlationid`, or the
    /// event's own `id` when it has none (or an empty one).
    pub fn correlation_id(&self) -> &str {
        match self.correlationid.as_deref() {
            Some(correlation) if !correlation.is_empty() => correlation,
            _ => &self.id,
        }
    }

    /// The event's type as an [`EventType`].
    ///
    /// # Errors
    ///
    /// The `type` is not one this consumer understands, as
    /// [`EventType::parse`]. Never fails for an event that
    /// [`crate::decode_body`] returned.
    pub fn kind(&self) -> Result<EventType, TypeError> {
        EventType::parse(&self.event_type)
    }

    /// The same envelope with its data replaced by `f(data)`.
    pub fn map_data<U>(self, f: impl FnOnce(T) -> U) -> CloudEvent<U> {
        CloudEvent {
            specversion: self.specversion,
            id: self.id,
            source: self.source,
            event_type: self.event_type,
            subject: self.subject,
            time: self.time,
            datacontenttype: self.datacontenttype,
            correlationid: self.correlationid,
            causationid: self.causationid,
            data: f(self.data),
        }
    }
}

impl CloudEvent<serde_json::Value> {
    /// The same event with its data deserialized as `T`. Unknown extra fields
    /// in the data are accepted (a newer minor shape) unless `T` itself
    /// refuses them.
    ///
    /// # Errors
    ///
    /// [`DecodeError::InvalidData`] with serde's message (which names the
    /// missing or mistyped field) when the data does not have the shape of
    /// `T`.
    pub fn into_typed<T: DeserializeOwned>(self) -> Result<CloudEvent<T>, DecodeError> {
        let mut event = self.map_data(Some);
        let value = event.data.take().unwrap_or_default();
        let data = serde_json::from_value::<T>(value)
            .map_err(|err| DecodeError::InvalidData(err.to_string()))?;
        Ok(event.map_data(|_| data))
    }
}
