//! `template_read`: the properties of `paperflow_fuzz_properties::template::check`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| paperflow_fuzz_properties::template::check(data));
