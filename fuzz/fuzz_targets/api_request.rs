//! `api_request`: the properties of `paperflow_fuzz_properties::api::check`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| paperflow_fuzz_properties::api::check(data));
