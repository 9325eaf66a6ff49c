//! What the fuzz targets assert: one `check` function per target of `fuzz/`, taking the
//! fuzzer's raw bytes. A property that does not hold panics with what broke, which libFuzzer
//! reports as a crash and saves as an artifact.
//!
//! The fuzz targets (`fuzz/fuzz_targets/*.rs`) are one line each around these functions, and
//! `tests/fuzz_replay.rs` replays every committed corpus entry and crash regression
//! (`fuzz/corpus/<target>/`, `fuzz/regressions/<target>/`) through the same functions in the
//! normal test suite: a crash found once stays fixed.
//!
//! | target | module | asserts |
//! |---|---|---|
//! | `events_decode` | [`events`] | decoding never panics; an accepted event has a known type and round-trips, raw and SNS-wrapped |
//! | `invoice_validate` | [`invoice`] | every problem names a well-formed JSON pointer into the document; an accepted invoice round-trips |
//! | `render_valid` | [`render`] | a document the validator accepts always renders, to the same bytes every time |
//! | `api_request` | [`api`] | no 5xx without a failing dependency; every error answer is a problem+json |
//! | `template_read` | [`template`] | the SAM template reader never panics and is deterministic |

pub mod api;
pub mod events;
pub mod invoice;
pub mod render;
pub mod template;

/// A target's property: panics, saying what broke, when it does not hold for the input.
pub type Check = fn(&[u8]);

/// The fuzz targets, by the name of their directory under `fuzz/corpus/`, with their checks.
pub const TARGETS: &[(&str, Check)] = &[
    ("events_decode", events::check),
    ("invoice_validate", invoice::check),
    ("render_valid", render::check),
    ("api_request", api::check),
    ("template_read", template::check),
];
