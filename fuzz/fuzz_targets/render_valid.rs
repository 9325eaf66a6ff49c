//! `render_valid`: the properties of `paperflow_fuzz_properties::render::check`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| paperflow_fuzz_properties::render::check(data));
