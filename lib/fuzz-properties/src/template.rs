//! `template_read`: the local stack's reader of SAM templates.

use paperflow_local::spec::{StackContext, StackSpec};
use paperflow_local::template::{TemplateError, parse};
use std::collections::BTreeMap;

/// Reading `data` as a template never panics; a refusal says what is wrong and where; an
/// accepted template gives the same stack every time it is read.
pub fn check(data: &[u8]) {
    let yaml = String::from_utf8_lossy(data);
    let context = StackContext::default();
    let overrides = BTreeMap::new();
    match parse(&yaml, &context, &overrides) {
        Ok(spec) => {
            let again = parse(&yaml, &context, &overrides)
                .unwrap_or_else(|error| panic!("read once, refused the second time: {error}"));
            let as_json =
                |spec: &StackSpec| serde_json::to_value(spec).expect("a stack spec serialises");
            assert_eq!(
                as_json(&spec),
                as_json(&again),
                "the same template read twice gave two stacks"
            );
        }
        Err(TemplateError::Invalid { place, message }) => {
            assert!(
                !place.trim().is_empty(),
                "a refusal without its place: {message}"
            );
            assert!(
                !message.trim().is_empty(),
                "a refusal at {place} without a reason"
            );
        }
        Err(error) => assert!(!error.to_string().trim().is_empty()),
    }
}
