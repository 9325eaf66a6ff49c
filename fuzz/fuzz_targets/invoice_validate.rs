//! `invoice_validate`: the properties of `paperflow_fuzz_properties::invoice::check`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| paperflow_fuzz_properties::invoice::check(data));
