//! `invoice_validate`: the parsing and validation of an invoice document.

use paperflow_invoice::{Violations, invoice_from_value, parse_invoice};
use serde_json::Value;

/// The most entries a report holds: the first 100 problems and one summing up the rest.
const MAX_REPORT_ENTRIES: usize = 101;

/// Validating `data` never panics. A refusal is a bounded, non-empty report in which every
/// problem states its rule and names a well-formed JSON pointer that leads into the document: to
/// the offending value, or to the object a required member is missing from. An accepted invoice
/// is the same invoice again when written back out as a document.
pub fn check(data: &[u8]) {
    let document = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let document: Option<Value> = serde_json::from_slice(document).ok();
    match parse_invoice(data) {
        Ok(invoice) => {
            let written = invoice.to_document();
            match invoice_from_value(&written) {
                Ok(again) => assert_eq!(again, invoice, "the written document: {written}"),
                Err(problems) => {
                    panic!("an accepted invoice, written back out, is refused:\n{problems}")
                }
            }
        }
        Err(problems) => check_report(&problems, document.as_ref()),
    }
}

fn check_report(problems: &Violations, document: Option<&Value>) {
    assert!(!problems.is_empty(), "a refusal without a problem");
    assert!(
        problems.len() <= MAX_REPORT_ENTRIES,
        "{} entries in one report",
        problems.len()
    );
    for problem in problems {
        assert!(
            !problem.rule.trim().is_empty(),
            "no rule at {:?}",
            problem.pointer
        );
        assert!(
            is_well_formed_pointer(&problem.pointer),
            "not an RFC 6901 pointer: {:?}",
            problem.pointer
        );
        if let Some(document) = document {
            assert!(
                leads_into(document, &problem.pointer),
                "{problem}: the pointer leads nowhere in the document"
            );
        }
    }
}

/// `""`, or `/`-separated tokens in which `~` is only ever `~0` or `~1`.
fn is_well_formed_pointer(pointer: &str) -> bool {
    if pointer.is_empty() {
        return true;
    }
    let Some(tokens) = pointer.strip_prefix('/') else {
        return false;
    };
    let mut chars = tokens.chars();
    while let Some(ch) = chars.next() {
        if ch == '~' && !matches!(chars.next(), Some('0' | '1')) {
            return false;
        }
    }
    true
}

/// Whether `pointer` names a value of `document`, or a member missing from a value it has.
fn leads_into(document: &Value, pointer: &str) -> bool {
    if document.pointer(pointer).is_some() {
        return true;
    }
    match pointer.rfind('/') {
        Some(last) => document.pointer(&pointer[..last]).is_some(),
        None => false,
    }
}
