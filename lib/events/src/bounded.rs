//! The offending input of a failed notice, bounded in size.
//!
//! `invoice.pdf.failed.v1` carries the input it rejects, so that a rejected
//! event is never lost silently. But the notice itself must fit an SNS message
//! (256 KiB) whatever arrived, so the input is cut to a bound:
//! [`bounded_input`] keeps it as JSON when it is JSON and fits, and otherwise
//! keeps its beginning as text, marked as such.
//!
//! This module must never produce a value larger than the bound it was given
//! (once serialized compactly by serde_json), and never split a character.

use std::io;

use serde_json::{Value, json};

/// The bound of the `input` of an `invoice.pdf.failed.v1`: 64 KiB, which
/// leaves the rest of the 256 KiB SNS limit to the envelope and the message.
pub const FAILED_INPUT_MAX_BYTES: usize = 64 * 1024;

/// The offending input for a failed notice, at most `max_bytes` of JSON: the
/// parsed JSON value when the text is JSON and fits, otherwise
/// `{"truncated": true, "bytes": <original length>, "text": "<first bytes, cut
/// at a char boundary>"}`; never exceeds `max_bytes` when serialized.
///
/// `truncated` is `false` when the text is not JSON but fits whole (then
/// `text` is all of it); `bytes` is the length of `raw` in bytes. A leading
/// byte order mark does not keep a text from counting as JSON. When
/// `max_bytes` is too small for that object even with an empty text, the
/// result is `{"truncated": true}` or, below 18 bytes, `null` (4 bytes): the
/// bound holds for any `max_bytes` of 4 or more.
pub fn bounded_input(raw: &str, max_bytes: usize) -> Value {
    let unmarked = raw.strip_prefix('\u{feff}').unwrap_or(raw);
    if let Ok(value) = serde_json::from_str::<Value>(unmarked)
        && json_len(&value) <= max_bytes
    {
        return value;
    }
    as_text(raw, max_bytes)
}

/// `raw` as the `{"truncated", "bytes", "text"}` object, within `max_bytes`.
fn as_text(raw: &str, max_bytes: usize) -> Value {
    let wrapper = |text: &str| json!({ "truncated": text.len() < raw.len(), "bytes": raw.len(), "text": text });
    // The object with an empty text, and with `truncated` spelled `false` (the
    // longer spelling), costs the most that is not the text itself.
    let overhead = json_len(&json!({ "truncated": false, "bytes": raw.len(), "text": "" }));
    let budget = max_bytes.saturating_sub(overhead);
    let mut text = prefix_within(raw, budget);
    if max_bytes >= overhead {
        // The model of serde_json's escaping in `escaped_len` is exact; this
        // loop only guards the promise should serde_json ever escape more.
        loop {
            let value = wrapper(text);
            if json_len(&value) <= max_bytes {
                return value;
            }
            text = prefix_within(text, text.len() / 2);
        }
    }
    [
        json!({ "truncated": true, "bytes": raw.len() }),
        json!({ "truncated": true }),
    ]
    .into_iter()
    .find(|value| json_len(value) <= max_bytes)
    .unwrap_or(Value::Null)
}

/// The longest prefix of `text` whose JSON string escaping (without the
/// quotes) takes at most `budget` bytes.
fn prefix_within(text: &str, budget: usize) -> &str {
    let mut used = 0;
    for (at, c) in text.char_indices() {
        used += escaped_len(c);
        if used > budget {
            return &text[..at];
        }
    }
    text
}

/// The bytes serde_json writes for `c` inside a string: two for the short
/// escapes, six for `\u00XX`, the UTF-8 length otherwise.
fn escaped_len(c: char) -> usize {
    match c {
        '"' | '\\' | '\u{8}' | '\t' | '\n' | '\u{c}' | '\r' => 2,
        '\0'..='\u{1f}' => 6,
        _ => c.len_utf8(),
    }
}

/// The length of `value` serialized compactly, without building the string.
fn json_len(value: &Value) -> usize {
    let mut counter = ByteCounter(0);
    match serde_json::to_writer(&mut counter, value) {
        Ok(()) => counter.0,
        Err(_) => usize::MAX,
    }
}

struct ByteCounter(usize);

impl io::Write for ByteCounter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 = self.0.saturating_add(buf.len());
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_escaping_model_matches_serde_json_for_every_ascii_character() {
        for c in (0u8..=0x7f)
            .map(char::from)
            .chain(['é', '€', '😀', '\u{2028}'])
        {
            let serialized = serde_json::to_string(&c.to_string()).expect("a string serializes");
            assert_eq!(serialized.len() - 2, escaped_len(c), "{c:?}");
        }
    }

    #[test]
    fn json_len_is_the_serialized_length() {
        let value = json!({ "a": [1, 2.5, null, "x\"y\n"], "b": { "c": true } });
        let serialized = serde_json::to_string(&value).expect("a value serializes");
        assert_eq!(json_len(&value), serialized.len());
    }
}
