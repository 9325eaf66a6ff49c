//! What is wrong with a payment: every broken rule, each with its field.

use std::fmt;

/// One broken rule: the field (`creditor.name`, `amount`) and what the rule says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The field, as the payment's builder names it: `iban`, `creditor.postal_code`.
    pub field: &'static str,
    /// The rule, ready to be read: `must be at most 70 characters (EPC069-12), has 71`.
    pub rule: String,
}

impl Problem {
    pub(crate) fn new(field: &'static str, rule: impl Into<String>) -> Problem {
        Problem {
            field,
            rule: rule.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.rule)
    }
}

/// A payment that cannot be encoded: every problem found, not only the first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct InvalidPayment {
    /// The broken rules, in the order of the payload's fields.
    pub problems: Vec<Problem>,
}

/// Collects problems while a payload is checked.
#[derive(Debug, Default)]
pub(crate) struct Problems(Vec<Problem>);

impl Problems {
    pub(crate) fn push(&mut self, field: &'static str, rule: impl Into<String>) {
        self.0.push(Problem::new(field, rule));
    }

    /// Checks that `text` has at most `max` characters.
    pub(crate) fn max_chars(
        &mut self,
        field: &'static str,
        text: &str,
        max: usize,
        standard: &str,
    ) {
        let count = text.chars().count();
        if count > max {
            self.push(
                field,
                format!("must be at most {max} characters ({standard}), has {count}"),
            );
        }
    }

    /// Checks that `text` is not empty.
    pub(crate) fn required(&mut self, field: &'static str, text: &str, standard: &str) {
        if text.trim().is_empty() {
            self.push(field, format!("must not be empty ({standard})"));
        }
    }

    /// Checks that `text` has no line break, which would end the payload's field early.
    pub(crate) fn single_line(&mut self, field: &'static str, text: &str) {
        if text.contains(['\n', '\r']) {
            self.push(
                field,
                "must not contain a line break: the payload separates its fields by lines",
            );
        }
    }

    /// The payload, or every problem found.
    pub(crate) fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, InvalidPayment> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(InvalidPayment { problems: self.0 })
        }
    }
}
