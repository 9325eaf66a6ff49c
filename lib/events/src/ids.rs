//! Event ids and event times.
//!
//! A fresh event gets a UUIDv7 ([`new_event_id`]): unique, and ordered by
//! creation time, so that ids sort roughly like the events happened. A notice
//! that answers an input event (`invoice.pdf.ready.v1`, `invoice.pdf.failed.v1`
//! for an `invoice.finalized.v1`) gets a *derived* id instead
//! ([`derived_event_id`]): SQS delivers at least once, and a redelivered input
//! must produce the very same notice id, so that consumers deduplicate on
//! `source` + `id` and never act twice.
//!
//! This module must never read the clock itself except in [`new_event_id`]
//! (UUIDv7 embeds the time by definition): times are passed in, so that tests
//! and replays are deterministic.

use time::{OffsetDateTime, UtcOffset};
use uuid::{Uuid, uuid};

use crate::types::EventType;

/// The namespace of derived event ids: the UUIDv5 of the URL
/// `https://github.com/paperflow/paperflow#events` in the URL namespace.
const PAPERFLOW_EVENTS_NAMESPACE: Uuid = uuid!("fa195980-2439-5108-a1a7-a4f8b3e471eb");

/// A fresh event id: UUIDv7 (time-ordered), as a lowercase hyphenated string.
pub fn new_event_id() -> String {
    Uuid::now_v7().hyphenated().to_string()
}

/// The id of the notice caused by an input event: a UUIDv5 in a paperflow
/// namespace over "source\nid\nkind" (kind e.g. "invoice.pdf.ready.v1"), so a
/// redelivered input yields the same notice id and consumers can deduplicate.
///
/// The namespace is `fa195980-2439-5108-a1a7-a4f8b3e471eb` (the UUIDv5 of
/// `https://github.com/paperflow/paperflow#events` in the URL namespace), so
/// that any language can compute the same id. The result is lowercase and
/// hyphenated.
pub fn derived_event_id(input_source: &str, input_id: &str, kind: EventType) -> String {
    let name = format!("{input_source}\n{input_id}\n{}", kind.as_str());
    Uuid::new_v5(&PAPERFLOW_EVENTS_NAMESPACE, name.as_bytes())
        .hyphenated()
        .to_string()
}

/// `now` as the `time` of an event: RFC 3339 in UTC with exactly three
/// decimals and `Z`, e.g. `2026-11-26T14:05:41.123Z`. Sub-millisecond digits
/// are cut, not rounded, so a time never moves forward. Meant for years 0 to
/// 9999, the years RFC 3339 can write.
pub fn now_rfc3339(now: OffsetDateTime) -> String {
    let utc = now.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        utc.year(),
        u8::from(utc.month()),
        utc.day(),
        utc.hour(),
        utc.minute(),
        utc.second(),
        utc.millisecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_namespace_is_the_uuidv5_of_its_url() {
        let derived = Uuid::new_v5(
            &Uuid::NAMESPACE_URL,
            b"https://github.com/paperflow/paperflow#events",
        );
        assert_eq!(derived, PAPERFLOW_EVENTS_NAMESPACE);
    }
}
