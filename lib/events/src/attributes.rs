//! The SNS message attributes that mirror the envelope.
//!
//! SNS subscription filter policies match on message attributes, not on the
//! body (unless body filtering is configured), so every publish copies `type`,
//! `subject` and `correlationid` of the event into attributes of the same
//! names. A subscriber can then take only `invoice.pdf.ready.v1`, for example,
//! without parsing a single body.
//!
//! This module only says *which* attributes and values; it must never know
//! the AWS SDK's types: the publisher wraps each pair as a `String`
//! attribute.

use crate::envelope::CloudEvent;

/// (name, value) pairs: ("type", event_type), ("subject", subject if any),
/// ("correlationid", correlation id). Strings.
///
/// The correlation id is [`CloudEvent::correlation_id`], so the event's own
/// id when it has none. A pair whose value would be empty is left out,
/// because SNS refuses an empty attribute value.
pub fn message_attributes<T>(event: &CloudEvent<T>) -> Vec<(&'static str, String)> {
    [
        ("type", Some(event.event_type.as_str())),
        ("subject", event.subject.as_deref()),
        ("correlationid", Some(event.correlation_id())),
    ]
    .into_iter()
    .filter_map(|(name, value)| match value {
        Some(value) if !value.is_empty() => Some((name, value.to_owned())),
        _ => None,
    })
    .collect()
}
