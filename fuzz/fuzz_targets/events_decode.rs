//! `events_decode`: the properties of `paperflow_fuzz_properties::events::check`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| paperflow_fuzz_properties::events::check(data));
